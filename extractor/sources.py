"""Read report tables (CSV, TSV, Parquet, JSON Lines) into the canonical columns; no spaCy here.

Rows that cannot become a report (no id, no text, a repeated id, no patient) are returned as error rows with a
reason code, never dropped: rows read = reports + errors.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .quality import date_status, input_flags

CANONICAL = ("report_id", "patient_id", "report_date", "report_type", "text")
REQUIRED = ("report_id", "patient_id", "text")
OPTION_FOR = {
    "report_id": "--id-col",
    "patient_id": "--patient-col",
    "report_date": "--date-col",
    "report_type": "--type-col",
    "text": "--text-col",
}
FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
ERROR_COLUMNS = ["row", "report_id", "reason", "message"]


@dataclass(frozen=True)
class ColumnMap:
    """Which input column holds each canonical field."""

    report_id: str = "report_id"
    patient_id: str = "patient_id"
    report_date: str = "report_date"
    report_type: str = "report_type"
    text: str = "text"

    def source(self, canonical: str) -> str:
        return getattr(self, canonical)


@dataclass
class ReportTable:
    reports: pd.DataFrame  # canonical columns + "row" (1-based data row in the input)
    errors: list[dict] = field(default_factory=list)
    rows_read: int = 0


def detect_format(path: Path, explicit: str | None = None) -> str:
    if explicit:
        return explicit
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown file type {path.suffix!r}; use .csv, .tsv, .parquet or .jsonl (or --format)", path=str(path)
        )
    return fmt


def _read_raw(path: Path, fmt: str) -> pd.DataFrame:
    if fmt in {"csv", "tsv"}:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig", errors="replace")
        if not text.strip():
            raise InputError("the file is empty (no header line)", path=str(path))
        sep = "\t" if fmt == "tsv" else _sniff_separator(text)
        try:
            return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False)
        except (pd.errors.ParserError, ValueError) as e:
            raise InputError(f"cannot parse as {fmt.upper()}: {e}", path=str(path)) from e
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as e:  # pyarrow raises several unrelated types for a bad file
            raise InputError(f"cannot read as Parquet: {e}", path=str(path)) from e
        return frame
    if fmt == "jsonl":
        try:
            return pd.read_json(path, lines=True, dtype=False)
        except ValueError as e:
            raise InputError(f"cannot read as JSON Lines: {e}", path=str(path)) from e
    raise InputError(f"unknown format {fmt!r}", path=str(path))


def _sniff_separator(text: str) -> str:
    header = text.splitlines()[0]
    return ";" if header.count(";") > header.count(",") and header.count(";") >= 2 else ","


def _as_text(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def read_reports(path: str | Path, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None) -> ReportTable:
    """Read an input table and map its columns onto the canonical ones."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory; give a report table file", path=str(path))
    if not path.exists():
        raise InputError("file not found", path=str(path))
    frame = _read_raw(path, detect_format(path, fmt))
    return normalise(frame, columns=columns, source=str(path))


def _names_for_message(names: list[str], *, longest: int = 40, most: int = 20) -> str:
    """Column names for an error message. A name longer than a column name ever is, or reading like a phrase,
    means the first line is a data row of a file without a header line - possibly report text: then no name is
    shown, only their lengths."""
    data_like = any(len(n) > longest or n.count(" ") >= 3 for n in names)
    shown = [f"<{len(n)} characters>" if data_like else repr(n) for n in names[:most]]
    more = f", … ({len(names) - most} more)" if len(names) > most else ""
    hint = " (is the header line missing? the first line reads like data, so it is not shown)" if data_like else ""
    return "[" + ", ".join(shown) + more + "]" + hint


def normalise(
    frame: pd.DataFrame,
    *,
    columns: ColumnMap = ColumnMap(),
    source: str = "<DataFrame>",
    first_row: int = 1,
    seen: set[str] | None = None,
) -> ReportTable:
    """Map columns, send rows that cannot be reports to errors, flag input-quality problems.

    ``first_row`` and ``seen`` let a caller reading in chunks keep row numbers and duplicate detection across
    chunks (pass the same set each time)."""
    found = [str(c) for c in frame.columns]
    for canonical in REQUIRED:
        wanted = columns.source(canonical)
        if wanted not in found:
            raise InputError(
                f"required column {wanted!r} not found; columns found: {_names_for_message(found)}. "
                f"Map another column with {OPTION_FOR[canonical]} NAME",
                path=source,
                column=wanted,
            )
    out = pd.DataFrame({"row": range(first_row, first_row + len(frame))})
    for canonical in CANONICAL:
        wanted = columns.source(canonical)
        values = [_as_text(v) for v in frame[wanted]] if wanted in found else [""] * len(frame)
        out[canonical] = pd.Series(values, index=out.index, dtype=object)
    errors = []
    keep = []
    seen = set() if seen is None else seen
    for record in out.itertuples(index=False):
        report_id = record.report_id.strip()
        reason = None
        if not report_id:
            reason, message = "missing_report_id", f"{columns.report_id} is empty"
        elif report_id in seen:
            reason, message = "duplicate_report_id", "repeats an earlier report_id; the first row is kept"
        elif not record.patient_id.strip():
            reason, message = "missing_patient_id", f"{columns.patient_id} is empty"
        elif not record.text.strip():
            reason, message = "empty_text", f"{columns.text} is empty or whitespace"
        if reason:
            errors.append({"row": record.row, "report_id": report_id, "reason": reason, "message": message})
            keep.append(False)
        else:
            seen.add(report_id)
            keep.append(True)
    reports = out.loc[pd.Series(keep, index=out.index, dtype=bool)].reset_index(drop=True)
    reports["report_id"] = reports["report_id"].str.strip()
    reports["patient_id"] = reports["patient_id"].str.strip()
    reports["input_flags"] = [";".join(input_flags(t)) for t in reports["text"]]
    reports["report_date_status"] = [date_status(d) for d in reports["report_date"]]
    return ReportTable(reports=reports, errors=errors, rows_read=len(out))
