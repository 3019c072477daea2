"""Read report tables (CSV, TSV, Parquet, JSON Lines) into the canonical columns; no spaCy here.

One reader for every format, in chunks (:func:`raw_chunks`), and one normaliser for every source (:func:`normalise`,
:func:`normalise_chunks`; SQL and DataFrames use it too). Rows that cannot become a report (blank, no id, an id
with a NUL or an undecodable byte, a repeated id, no patient, no text) are returned as error rows with a reason
code, never dropped: rows read = reports + errors.

What the reader guarantees (docs/data-dictionary.md, "Input"):

- ids are text: an integer id is its integer text (``1001``, never ``1001.0``, whether or not its chunk has a
  null), from every format;
- a file's shape is checked before the first row is used: duplicate column names, a first data row with more
  fields than the header (pandas would silently take its first field as an index and shift every column), a
  ``--*-col`` naming a column that is not there; messages name columns only when they look like column names,
  never report text;
- a NUL byte inside a CSV / TSV field is read as U+FFFD (flag ``replacement_characters``) instead of ending the
  field;
- ``row`` is the number a user finds the row by: CSV / TSV the record number with the header as row 0 (blank
  lines count; it is the line number minus one unless a quoted field spans lines), JSON Lines the line number,
  Parquet the record number (1-based), SQL the position in the result (1-based).
"""
from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from ..errors import InputError
from .quality import date_status, has_invisible, id_problem, input_flags, parse_date

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
DEFAULT_CHUNK_SIZE = 250  # reports per chunk of a run, whatever the source (small enough to balance two workers)
READ_CHUNK_SIZE = 100_000  # rows per chunk when a whole table is read at once (read_reports)
BLANK_CHUNK_ROWS = 100_000  # blank rows gathered into one chunk (a large blank input runs at I/O speed)


@dataclass(frozen=True)
class ColumnMap:
    """Which input column holds each canonical field. An optional field (report_date, report_type) mapped to a
    name other than its default must exist in the input."""

    report_id: str = "report_id"
    patient_id: str = "patient_id"
    report_date: str = "report_date"
    report_type: str = "report_type"
    text: str = "text"
    date_format: str = "iso"  # how report_date is written: iso, or a strptime format such as %m/%d/%Y

    def source(self, canonical: str) -> str:
        return getattr(self, canonical)


_DEFAULTS = {f.name: f.default for f in fields(ColumnMap) if f.name != "date_format"}


@dataclass
class ReportTable:
    reports: pd.DataFrame  # canonical columns + "row" (the input's row number, see the module docstring)
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


# -- reading -------------------------------------------------------------------------------------------------------
class _NulAsReplacement(io.RawIOBase):
    """A binary file whose NUL bytes read as U+FFFD: pandas' C parser silently ends a field at a NUL."""

    def __init__(self, raw):
        self.raw = raw
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.pending:
            data = self.raw.read(len(buffer))
            if not data:
                return 0
            self.pending = data.replace(b"\x00", "\ufffd".encode())
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


def _open_csv(handle) -> io.BufferedReader:
    return io.BufferedReader(_NulAsReplacement(handle), buffer_size=1 << 20)


def _sniff_separator(text: str) -> str:
    header = text.splitlines()[0]
    return ";" if header.count(";") > header.count(",") and header.count(";") >= 2 else ","


def _csv_base(sep: str) -> dict:
    return {"sep": sep, "dtype": str, "keep_default_na": False, "encoding": "utf-8-sig", "encoding_errors": "replace",
            "skip_blank_lines": False, "index_col": False}


def _csv_header(path: Path, fmt: str) -> tuple[str, list[str]]:
    """(separator, header names as written). Checks the shape pandas would otherwise repair silently: duplicate
    names (pandas renames them ``a.1``) and a first data row with more fields than the header (pandas takes its
    first field as an index and shifts every column)."""
    with open(path, "rb") as f:
        head = f.read(256 * 1024).replace(b"\x00", b" ").decode("utf-8-sig", errors="replace")
    if not head.strip():
        raise InputError("the file is empty (no header line)", path=str(path))
    sep = "\t" if fmt == "tsv" else _sniff_separator(head)
    base = _csv_base(sep)
    try:
        with open(path, "rb") as f:
            first = pd.read_csv(_open_csv(f), header=None, nrows=1, na_filter=False, **base)
        names = [str(v) for v in first.iloc[0]] if len(first) else [str(c) for c in first.columns]
    except (pd.errors.ParserError, ValueError) as e:
        raise InputError(f"cannot parse as {fmt.upper()}: {e}", path=str(path)) from e
    try:  # the header's width imposed on the first data row: a longer row is a parser error, not an index
        with open(path, "rb") as f:
            pd.read_csv(_open_csv(f), header=None, nrows=2, names=range(len(names)), na_filter=False, **base)
    except (pd.errors.ParserError, ValueError) as e:
        if "Expected" not in str(e):
            raise InputError(f"cannot parse as {fmt.upper()}: {e}", path=str(path)) from e
        raise InputError(f"the first data row has more fields than the header ({len(names)} columns); a trailing "
                         f"{'tab' if sep == chr(9) else repr(sep)} or an unquoted separator inside a field? Fix the "
                         "file (every row needs exactly one field per header column)", path=str(path), row=1) from e
    _check_unique(names, str(path))
    return sep, names


def _csv_chunks(path: Path, fmt: str, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """Chunks of ``chunk_size`` rows; after a chunk of blank rows the next is twice as long (up to BLANK_CHUNK_ROWS),
    so a file of a million blank lines reads in a few dozen chunks instead of thousands."""
    sep, names = _csv_header(path, fmt)
    size = path.stat().st_size
    rows = chunk_size
    try:
        with open(path, "rb") as handle, pd.read_csv(_open_csv(handle), iterator=True, na_filter=False,
                                                     **_csv_base(sep)) as reader:
            while True:
                try:
                    chunk = reader.get_chunk(rows)
                except StopIteration:
                    break
                chunk.columns = names  # as written (pandas renames duplicates; there are none here)
                rows = min(rows * 2, max(BLANK_CHUNK_ROWS, chunk_size)) if _all_blank(chunk) else chunk_size
                yield chunk, _fraction(handle, size)
    except (pd.errors.ParserError, ValueError) as e:
        raise InputError(f"cannot parse as {fmt.upper()}: {e}", path=str(path)) from e


def _all_blank(frame: pd.DataFrame) -> bool:
    """Every field of every row empty (a cheap test: it stops at the first non-empty field)."""
    for column in range(frame.shape[1]):
        values = frame.iloc[:, column]
        if isinstance(values.dtype, pd.StringDtype):
            if not values.fillna("").str.strip().eq("").all():
                return False
        elif any(_as_text(v).strip() for v in values.tolist()):
            return False
    return True


def _parquet_chunks(path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float]]:
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        total, done = parquet.metadata.num_rows, 0
        _check_unique(parquet.schema_arrow.names, str(path))
        batches = parquet.iter_batches(batch_size=chunk_size)
        empty = True
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            done += batch.num_rows
            empty = False
            # Integers stay Python ints beside a null (pandas would make the column float: 1001 -> 1001.0).
            yield batch.to_pandas(integer_object_nulls=True), done / max(total, 1)
        if empty:
            yield parquet.schema_arrow.empty_table().to_pandas(), 1.0
    except InputError:
        raise
    except Exception as e:  # pyarrow raises several unrelated types for a bad file
        raise InputError(f"cannot read as Parquet: {e}", path=str(path)) from e


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    record = dict(pairs)
    if len(record) != len(pairs):
        names = [k for k in record if sum(1 for p in pairs if p[0] == k) > 1]
        raise _DuplicateKey(names)
    return record


def _jsonl_chunks(path: Path, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """One record per line (row = line number); a blank line is a blank row. Values keep their JSON types, so
    integer ids stay integers beside a null."""
    size = path.stat().st_size
    keys: dict[str, None] = {}  # every key seen so far, in order of first appearance
    records: list[dict] = []
    yielded = False

    def frame() -> pd.DataFrame:
        # object columns built from the values themselves: an int stays an int (exact, even past 2**53) by a null
        return pd.DataFrame([[r.get(k) for k in keys] for r in records], columns=list(keys), dtype=object) \
            if records else pd.DataFrame({k: pd.Series(dtype=object) for k in keys})

    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.decode("utf-8", errors="replace")
            if number == 1:
                line = line.lstrip("\ufeff")
            record: object = {}
            if line.strip():
                try:
                    record = json.loads(line, object_pairs_hook=_unique_keys)
                except _DuplicateKey as e:
                    raise InputError(f"duplicate key(s) {_safe_names(e.args[0])} in one record", path=str(path),
                                     row=number) from e
                except ValueError as e:  # json.JSONDecodeError; its msg never quotes the line
                    raise InputError(f"not valid JSON ({getattr(e, 'msg', 'bad value')})", path=str(path),
                                     row=number) from e
                if not isinstance(record, dict):
                    raise InputError("not a JSON object (each line must be one {...} record)", path=str(path),
                                     row=number)
            for key in record:
                keys.setdefault(key)
            records.append(record)
            if len(records) == chunk_size:
                yield frame(), _fraction(handle, size)
                records, yielded = [], True
    if records or not yielded:
        yield frame(), 1.0


def _fraction(handle, size: int) -> float:
    return min(handle.tell() / size, 1.0) if size else 1.0


def raw_chunks(path: Path, fmt: str, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """(raw chunk, fraction of the input read so far) in input order, every row of the input in some chunk (blank
    lines too, as blank rows). A file with no rows yields one empty chunk with the file's columns."""
    if fmt in {"csv", "tsv"}:
        return _csv_chunks(path, fmt, chunk_size)
    if fmt == "parquet":
        return _parquet_chunks(path, chunk_size)
    if fmt == "jsonl":
        return _jsonl_chunks(path, chunk_size)
    raise InputError(f"unknown format {fmt!r}", path=str(path))


def header_frame(path: Path, fmt: str) -> pd.DataFrame:
    """The input's columns with no rows."""
    if fmt in {"csv", "tsv"}:
        return pd.DataFrame(columns=_csv_header(path, fmt)[1])
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_schema(path).empty_table().to_pandas()
        except Exception as e:  # pyarrow raises several unrelated types for a bad file
            raise InputError(f"cannot read as Parquet: {e}", path=str(path)) from e
    for chunk, _ in raw_chunks(path, fmt, 1):  # JSON Lines: the keys of the first record
        return chunk.iloc[0:0]
    return pd.DataFrame()


def read_reports(path: str | Path, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None) -> ReportTable:
    """Read a whole input table and map its columns onto the canonical ones."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory; give a report table file", path=str(path))
    if not path.exists():
        raise InputError("file not found", path=str(path))
    fmt = detect_format(path, fmt)
    tables = [t for t, _ in normalise_chunks(raw_chunks(path, fmt, READ_CHUNK_SIZE), columns=columns,
                                             source=str(path))]
    return ReportTable(reports=pd.concat([t.reports for t in tables], ignore_index=True),
                       errors=[e for t in tables for e in t.errors], rows_read=sum(t.rows_read for t in tables))


# -- checking and mapping ------------------------------------------------------------------------------------------
_NAME_LIKE = re.compile(r"^[\w.\-]{1,64}$")


def _safe_names(names: Iterable) -> str:
    """Column names for a message: a name that does not look like one (a headerless file's first row is report
    text) is shown by position and length only."""
    shown = []
    for position, name in enumerate(names, start=1):
        name = str(name)
        shown.append(repr(name) if _NAME_LIKE.match(name) else f"<column {position}: {len(name)} characters>")
    return "[" + ", ".join(shown) + "]"


def _check_unique(names: list, source: str) -> None:
    seen, repeated = set(), []
    for name in map(str, names):
        if not name.strip():  # unnamed columns (a trailing delimiter on every line) cannot be mapped anyway
            continue
        if name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        raise InputError(f"duplicate column name(s) {_safe_names(repeated)}; give every column a unique name "
                         "(in SQL: SELECT ... AS name)", path=source)


def check_columns(found: list[str], columns: ColumnMap, source: str) -> None:
    """Required columns present, optional columns named by an option present, no name twice."""
    _check_unique(found, source)
    for canonical in CANONICAL:
        wanted = columns.source(canonical)
        if wanted in found or (canonical not in REQUIRED and wanted == _DEFAULTS[canonical]):
            continue
        headerless = any(not _NAME_LIKE.match(name) for name in found)
        raise InputError(
            f"{'required' if canonical in REQUIRED else 'the'} column {wanted!r} not found; columns found: "
            f"{_safe_names(found)}. "
            + ("Does the file have a header line? " if headerless else "")
            + f"Map another column with {OPTION_FOR[canonical]} NAME",
            path=source,
            column=wanted,
        )


def _as_text(value) -> str:
    """A cell as text: an integral number is its integer text (1001.0 -> ``1001``: a column of integer ids with a
    null reads as floats in pandas); bytes are UTF-8 (an undecodable byte becomes U+FFFD)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool):
        return str(value)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, Decimal):
        return str(int(value)) if value.is_finite() and value == value.to_integral_value() else str(value)
    if hasattr(value, "is_integer") and not isinstance(value, int):  # float, numpy floats
        number = float(value)
        return str(int(number)) if number.is_integer() else str(value)
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:  # numpy integers and other scalars
        return _as_text(value.item())
    return str(value)


_CONTROL_OR_BAD = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def _printable(value: str) -> str:
    """An id for the errors table with its NUL / control / U+FFFD characters escaped (\\x00, \\ufffd)."""
    return _CONTROL_OR_BAD.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def _texts(column: pd.Series) -> list[str]:
    """A column as a list of texts (``_as_text`` per cell that is not already a string)."""
    return [v if isinstance(v, str) else _as_text(v) for v in column.tolist()]


def _blank_rows(frame: pd.DataFrame, candidates: list[int]) -> set[int]:
    """The positions among ``candidates`` whose every field is empty (one pass per column, not per row)."""
    blank = set(candidates)
    for column in range(frame.shape[1]):
        if not blank:
            break
        texts = _texts(frame.iloc[:, column])
        blank = {p for p in blank if not texts[p].strip()}
    return blank


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
    check_columns(found, columns, source)
    frame = frame.set_axis(found, axis=1)
    n = len(frame)
    values = {c: _texts(frame[columns.source(c)]) if columns.source(c) in found else [""] * n for c in CANONICAL}
    ids = [v.strip() for v in values["report_id"]]
    patients = [v.strip() for v in values["patient_id"]]
    texts = values["text"]
    blank = _blank_rows(frame, [i for i, v in enumerate(ids) if not v])
    errors, keep = [], []
    seen = set() if seen is None else seen
    for position in range(n):
        report_id, patient_id = ids[position], patients[position]
        reason = None
        if not report_id:
            if position in blank:
                reason, message = "blank_row", "every field is empty (a blank line?)"
            else:
                reason, message = "missing_report_id", f"{columns.report_id} is empty"
        elif (problem := id_problem(report_id)) is not None:
            reason, message = "invalid_report_id", f"{columns.report_id} {problem}"
        elif report_id in seen:
            reason, message = "duplicate_report_id", "repeats an earlier report_id; the first row is kept"
        elif not patient_id:
            reason, message = "missing_patient_id", f"{columns.patient_id} is empty"
        elif (problem := id_problem(patient_id)) is not None:
            reason, message = "invalid_patient_id", f"{columns.patient_id} {problem}"
        elif not texts[position].strip():
            reason, message = "empty_text", f"{columns.text} is empty or whitespace"
        if reason:
            errors.append({"row": first_row + position, "report_id": _printable(report_id) if report_id else "",
                           "reason": reason, "message": message})
        else:
            seen.add(report_id)
            keep.append(position)
    kept = {"row": [first_row + i for i in keep]}
    for canonical in CANONICAL:
        column = ids if canonical == "report_id" else patients if canonical == "patient_id" else values[canonical]
        kept[canonical] = [column[i] for i in keep]
    kept["input_flags"] = [
        ";".join(input_flags(t) + (["invisible_characters_in_id"] if has_invisible(r) or has_invisible(p) else []))
        for t, r, p in zip(kept["text"], kept["report_id"], kept["patient_id"])]
    kept["report_date_status"] = [date_status(d, fmt=columns.date_format) for d in kept["report_date"]]
    if columns.date_format not in ("", "iso"):  # report_date in ISO form for every stage; the input's text kept
        kept["report_date_raw"] = kept["report_date"]
        kept["report_date"] = [(parsed.isoformat() if (parsed := parse_date(d, columns.date_format)) else d)
                               for d in kept["report_date"]]
    reports = pd.DataFrame({k: pd.Series(v, dtype="int64" if k == "row" else object) for k, v in kept.items()})
    return ReportTable(reports=reports, errors=errors, rows_read=n)


def normalise_chunks(raw_chunks: Iterable[tuple[pd.DataFrame, float]], *, columns: ColumnMap, source: str,
                     header: Callable[[], pd.DataFrame] | None = None) -> Iterator[tuple[ReportTable, float]]:
    """(ReportTable, fraction) per raw chunk of any source. Row numbers and the set of report ids already seen run
    across chunks, so rows read = reports + errors over the whole source. A source with no rows still has its
    columns checked (those of ``header()``, else of the last empty chunk) and yields one empty table."""
    seen: set[str] = set()
    first_row = 1
    empty_columns = None
    for raw, fraction in _gather_blank(raw_chunks):
        if not len(raw):
            empty_columns = raw.columns
            continue
        table = normalise(raw, columns=columns, source=source, first_row=first_row, seen=seen)
        first_row += table.rows_read
        yield table, fraction
    if first_row == 1:
        names = header().columns if header is not None else empty_columns
        names = [str(c) for c in names] if names is not None else []
        check_columns(names, columns, source)
        probe = normalise(pd.DataFrame([{c: "x" for c in names}], columns=names), columns=columns, source=source)
        yield ReportTable(reports=probe.reports.iloc[0:0], errors=[], rows_read=0), 1.0


def _gather_blank(raw_chunks: Iterable[tuple[pd.DataFrame, float]]) -> Iterator[tuple[pd.DataFrame, float]]:
    """Consecutive chunks of blank rows joined (up to BLANK_CHUNK_ROWS rows): each chunk costs a worker task and
    six spool files, so a million blank rows in chunks of 250 would take minutes to account for."""
    pending: list[pd.DataFrame] = []
    pending_rows, last = 0, 0.0
    for raw, fraction in raw_chunks:
        if len(raw) and _all_blank(raw) and pending_rows + len(raw) <= max(BLANK_CHUNK_ROWS, len(raw)):
            if pending and list(raw.columns) != list(pending[0].columns):
                yield pd.concat(pending, ignore_index=True), last
                pending, pending_rows = [], 0
            pending.append(raw)
            pending_rows += len(raw)
            last = fraction
            continue
        if pending:
            yield pd.concat(pending, ignore_index=True), last
            pending, pending_rows = [], 0
        if len(raw) and _all_blank(raw):  # a blank chunk that did not fit
            pending, pending_rows, last = [raw], len(raw), fraction
            continue
        yield raw, fraction
    if pending:
        yield pd.concat(pending, ignore_index=True), last
