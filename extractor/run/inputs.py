"""Where a run's reports come from: the Source hooks and the sources every entry point uses - a report table file
(FileSource), a DataFrame (FrameSource) and the stored tables of an earlier run (StoredSource, a re-link) - with the
input checks that run before any output is touched (the file and its format, the OMOP NOTE columns, ``--date-format
auto``) and the texts a pre-v1.1 reports table's site columns are extracted from. A source yields normalised
ReportTable chunks (row numbers and duplicate report ids carried across chunks, extractor.tables.sources) or Chunks
already extracted. The job (extractor.run.job) imports this module, never the reverse. No spaCy here."""
from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path
from typing import Iterator, Protocol

import pandas as pd

from ..cohort.index_nodule import fna_position
from ..errors import InputError
from ..fields.pathology.sites import site_from_text
from ..knowledge.nodule_rules import load_nodule_rules
from ..knowledge.resources import patterns_dir
from ..tables.omop import omop_column_map
from ..tables.quality import detect_date_format
from ..tables.schemas import nodules_frame
from ..tables.sources import (
    DEFAULT_CHUNK_SIZE,
    ColumnMap,
    ReportTable,
    detect_format,
    header_frame,
    normalise_chunks,
    raw_chunks,
)
from ..tables.store import read_frame
from .manifest import build_manifest
from .model import Chunk, RunOptions, RunSummary, manifest_options

PATHOLOGY_KINDS = {"cytology", "surgical_pathology"}


class Source(Protocol):
    """Where reports come from. ``name`` names it in messages (never report text)."""

    name: str

    def check(self, options: RunOptions) -> list[str]:
        """Fail (InputError) before anything is read or written; return warnings (e.g. a date format chosen)."""

    def state(self) -> dict | None:
        """What must not change for a resumed run (None: a run from this source cannot resume)."""

    def chunks(self, chunk_size: int) -> Iterator[tuple[ReportTable | Chunk, float | None]]:
        """(ReportTable to extract, or Chunk already extracted; fraction read so far or None) in input order."""

    def manifest(self, options: RunOptions, summary: RunSummary, **common) -> dict:
        """The run's manifest (extractor.run.manifest.build_manifest with this source's inputs and options)."""


def check_input(input_path: str | Path, fmt: str | None = None) -> tuple[Path, str]:
    """The input file and its format, or an InputError (before any output directory is touched)."""
    path = Path(input_path)
    if path.is_dir():
        raise InputError("is a directory; give a report table file", path=str(path))
    if not path.exists():
        raise InputError("file not found", path=str(path))
    return path, detect_format(path, fmt)


def iter_tables(path: Path, fmt: str, columns: ColumnMap, chunk_size: int) -> Iterator[tuple[ReportTable, float]]:
    """Normalised chunks of a report file: row numbers and duplicate report ids carried across chunks."""
    return normalise_chunks(raw_chunks(path, fmt, chunk_size), columns=columns, source=str(path),
                            header=lambda: header_frame(path, fmt))


def omop_columns(input_path: str | Path, fmt: str | None = None) -> ColumnMap:
    """The ColumnMap of an OMOP NOTE file (note_id, person_id, note_date or note_datetime, note_title,
    note_text; names matched case-insensitively), read from its header."""
    path = Path(input_path)
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "is a directory; give a report table file",
                         path=str(path))
    try:
        return omop_column_map(header_frame(path, detect_format(path, fmt)))
    except InputError as e:
        raise InputError(str(e), path=str(path)) from e


def resolve_date_format(input_path, columns: ColumnMap, fmt: str | None) -> tuple[ColumnMap, str]:
    """``--date-format auto``: scan the input's date column (one extra read of that column) and return the
    ColumnMap with the format it shows, and a sentence saying which and why; an archive that does not say is an
    InputError naming what to pass."""
    path = Path(input_path)
    values = []
    for frame, _ in raw_chunks(path, detect_format(path, fmt), 50_000):
        if columns.report_date in frame.columns:
            values.extend(frame[columns.report_date].tolist())
    try:
        chosen, why = detect_date_format(values)
    except ValueError as e:
        raise InputError(f"--date-format auto cannot tell the date order: {e}; pass --date-format %d/%m/%Y or "
                         "%m/%d/%Y (or the format your dates use)", path=str(path), column=columns.report_date) \
            from None
    return replace(columns, date_format=chosen), f"read the dates as {chosen} ({why})"


class FileSource:
    """A report table file (CSV / TSV, Parquet, JSON Lines), read once, chunk by chunk (``--date-format auto``
    scans its date column first)."""

    def __init__(self, path: str | Path, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None):
        self.path, self.columns, self.fmt = Path(path), columns, fmt
        self.name = str(path)

    def check(self, options: RunOptions) -> list[str]:
        self.path, self.fmt = check_input(self.path, self.fmt)
        if options.omop:
            self.columns = omop_columns(self.path, self.fmt)
        if self.columns.date_format == "auto":
            self.columns, chosen = resolve_date_format(self.path, self.columns, self.fmt)
            return [f"--date-format auto: {chosen}"]
        return []

    def state(self) -> dict:
        info = self.path.stat()
        return {"input": str(self.path.resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
                "format": self.fmt, "columns": asdict(self.columns)}

    def chunks(self, chunk_size: int) -> Iterator[tuple[ReportTable, float]]:
        return iter_tables(self.path, self.fmt, self.columns, chunk_size)

    def manifest(self, options: RunOptions, summary: RunSummary, **common) -> dict:
        return build_manifest(inputs=[self.name], options=manifest_options(options, self.columns),
                              input_rows={self.name: summary.rows_read}, **common)


class FrameSource:
    """A pandas DataFrame of reports (a notebook), normalised chunk by chunk like a file."""

    name = "<DataFrame>"

    def __init__(self, frame: pd.DataFrame, *, columns: ColumnMap = ColumnMap()):
        self.frame, self.columns = frame, columns

    def check(self, options: RunOptions) -> list[str]:
        return []

    def state(self) -> None:
        return None

    def chunks(self, chunk_size: int) -> Iterator[tuple[ReportTable, float]]:
        frame, n = self.frame, len(self.frame)
        raw = ((frame.iloc[i:i + chunk_size], min(1.0, (i + chunk_size) / n)) for i in range(0, n, chunk_size))
        return normalise_chunks(raw, columns=self.columns, source=self.name, header=lambda: frame.iloc[0:0])

    def manifest(self, options: RunOptions, summary: RunSummary, **common) -> dict:
        return build_manifest(inputs=[], options=manifest_options(options, self.columns), **common)


class StoredSource:
    """The tables of an earlier run in DIR (reports, nodules, errors): already extracted, for a re-link. A reports
    table written before contract v1.1 lacks the site columns; with ``texts_from`` (the run's input) they are
    extracted from the pathology reports' texts first (the pathology site rules, as extraction does), so linking
    still reads tables only."""

    def __init__(self, out_dir: str | Path, *, texts_from: str | Path | None = None,
                 columns: ColumnMap = ColumnMap()):
        self.out_dir, self.texts_from, self.columns = Path(out_dir), texts_from, columns
        self.name = str(out_dir)
        self.needs_engine = False

    def check(self, options: RunOptions) -> list[str]:
        return []

    def state(self) -> None:
        return None

    def chunks(self, chunk_size: int) -> Iterator[tuple[Chunk, float]]:
        reports = read_frame(self.out_dir, "reports")
        if self.texts_from is not None and not SITE_COLUMNS <= set(reports.columns):
            reports = add_site_columns(reports, self.texts_from, columns=self.columns)
        nodules = read_frame(self.out_dir, "nodules", required=False)
        nodules = nodules_frame([]) if nodules is None else nodules
        errors = read_frame(self.out_dir, "errors", required=False)
        n_errors = 0 if errors is None else len(errors)
        counts = {"reports": len(reports), "errors": n_errors, "mentions": 0,
                  "by_kind": reports["report_kind"].value_counts().to_dict() if "report_kind" in reports else {}}
        yield Chunk(0, len(reports) + n_errors, {"reports": reports, "nodules": nodules}, counts), 1.0

    def manifest(self, options: RunOptions, summary: RunSummary, **common) -> dict:
        return build_manifest(inputs=[], options=manifest_options(options, self.columns), **common)


SITE_COLUMNS = {"fna_site", "tumor_site", "fna_position"}


def read_texts(input_path: str | Path, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None,
               ids: set[str] | None = None) -> pd.DataFrame:
    """report_id and text from a report table, chunk by chunk; with ``ids`` only those reports' texts are kept."""
    path = Path(input_path)
    parts = []
    for table, _ in iter_tables(path, detect_format(path, fmt), columns, DEFAULT_CHUNK_SIZE):
        part = table.reports[["report_id", "text"]]
        parts.append(part if ids is None else part[part["report_id"].isin(ids)])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["report_id", "text"])


def add_site_columns(reports: pd.DataFrame, input_path: str | Path, *, columns: ColumnMap = ColumnMap(),
                     patterns: str | None = None) -> pd.DataFrame:
    """A pre-v1.1 reports table with ``fna_site`` / ``tumor_site`` / ``fna_position`` extracted from its
    pathology reports' texts (read once from ``input_path``), with the rules extraction uses."""
    kinds = reports["report_kind"].fillna("").astype(str)
    ids = set(reports.loc[kinds.isin(PATHOLOGY_KINDS), "report_id"].astype(str))
    texts = read_texts(input_path, columns=columns, ids=ids)
    text_of = dict(zip(texts["report_id"].astype(str), texts["text"].fillna("").astype(str)))
    nodule_rules = load_nodule_rules(patterns_dir(patterns) / "nodules")
    out = reports.copy()
    report_ids = out["report_id"].astype(str)
    cytology, surgery = kinds == "cytology", kinds == "surgical_pathology"
    if "fna_site" not in out.columns:
        out["fna_site"] = [site_from_text(text_of.get(i, ""), "cytology") if c else ""
                           for i, c in zip(report_ids, cytology)]
    if "tumor_site" not in out.columns:
        out["tumor_site"] = [site_from_text(text_of.get(i, ""), "surgical_pathology") if s else ""
                             for i, s in zip(report_ids, surgery)]
    if "fna_position" not in out.columns:
        out["fna_position"] = [fna_position(text_of.get(i, ""), nodule_rules) if c else ""
                               for i, c in zip(report_ids, cytology)]
    return out
