"""What a run is and what moves through it: the options (RunOptions), a chunk's extracted tables (Extraction,
Chunk), what the sinks are given (Context, Result) and what the run read and wrote (RunSummary), with the options a
manifest records. The job (extractor.run.job), its sources (extractor.run.inputs) and its sinks
(extractor.run.outputs) all import these; this module imports none of them. No spaCy here."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..cohort.linking import Linkage
from ..knowledge.definitions import Definition
from ..tables.files import csv_safe
from ..tables.schemas import nodules_frame
from ..tables.sources import DEFAULT_CHUNK_SIZE, ColumnMap
from .budget import DEFAULT_MAX_REPORT_CHARS, DEFAULT_MAX_SECONDS_PER_REPORT


@dataclass
class RunOptions:
    """What a run does after extraction, with which knowledge, and how it runs (recorded in the manifest)."""

    patterns: str | None = None
    linking: str | None = None  # linking configuration file (default patterns/linking.toml)
    definitions: tuple[str, ...] = ()  # extra case-definition files or directories
    link: bool = True  # build DIR/patients and DIR/links
    duckdb: bool = True  # write DIR/radpath.duckdb
    workers: int | None = 1  # extraction processes; None = the cores this process may use
    chunk_size: int = DEFAULT_CHUNK_SIZE  # reports read, extracted and written at a time (memory stays flat)
    resume: bool = False  # keep the finished chunks of an interrupted run into the same directory
    omop: bool = False  # INPUT is an OMOP CDM NOTE table: read its standard columns, also write DIR/note_nlp
    note_nlp: bool = False  # write DIR/note_nlp (OMOP CDM v5.4) whatever the input (implied by omop)
    concept_map: str | None = None  # TSV: rule id / label -> concept id for NOTE_NLP (docs/omop.md)
    csv_safe: bool = False  # CSV cells that read as spreadsheet formulas (=, +, -, @) get a leading '
    strict: bool = False  # a date problem that empties the cohort is an error (DIR keeps its previous set)
    max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS  # longer reports go to errors as too_long (0 = no limit)
    max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT  # slower ones as too_slow (0 = no limit)

    def limits(self) -> dict:
        """The per-report budget, as keyword arguments of the engine (extractor.run.api.Extractor)."""
        return {"max_report_chars": self.max_report_chars, "max_seconds_per_report": self.max_seconds_per_report}


@dataclass
class Extraction:
    """The extracted tables of some reports (one chunk, or a whole DataFrame)."""

    reports: pd.DataFrame
    mentions: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int
    nodules: pd.DataFrame = field(default_factory=lambda: nodules_frame([]))

    def summary(self) -> dict:
        kinds = self.reports["report_kind"].value_counts().to_dict() if len(self.reports) else {}
        return {
            "rows_read": self.rows_read,
            "reports": len(self.reports),
            "errors": len(self.errors),
            "mentions": len(self.mentions),
            "by_kind": kinds,
        }


@dataclass
class Chunk:
    """One chunk of a run: its index, rows read, tables by name and counts. ``tables`` always has reports and
    nodules (what linking reads); a resumed chunk may lack the others (they are in the sink that kept it)."""

    index: int
    rows_read: int
    tables: dict[str, pd.DataFrame]
    counts: dict

    @classmethod
    def of(cls, index: int, extraction: Extraction) -> "Chunk":
        reports = extraction.reports
        counts = {"reports": len(reports), "errors": len(extraction.errors), "mentions": len(extraction.mentions),
                  "by_kind": reports["report_kind"].value_counts().to_dict(),
                  "by_date_status": reports["report_date_status"].value_counts().to_dict()}
        return cls(index, extraction.rows_read, {"reports": reports, "mentions": extraction.mentions,
                                                  "errors": extraction.errors, "nodules": extraction.nodules},
                   counts)


@dataclass
class RunSummary:
    """What a run read and wrote (every entry point's summary); ``summary()`` has the shape of
    ``Extraction.summary()``. A database run also names its run id, source and target."""

    rows_read: int = 0
    reports: int = 0
    errors: int = 0
    mentions: int = 0
    by_kind: Counter = field(default_factory=Counter)
    by_date_status: Counter = field(default_factory=Counter)  # ok / missing / unparseable / future
    seconds: float = 0.0
    workers: int = 1
    chunks: int = 0
    resumed_chunks: int = 0  # chunks an interrupted run had finished
    outputs: list[str] = field(default_factory=list)
    patients: int | None = None
    note_nlp: int | None = None
    run_id: str | None = None  # database runs: the id the rows are tagged with
    source: str | None = None  # database runs: the source URL, masked
    target: str | None = None  # database runs: the target URL, masked
    target_schema: str | None = None
    out_dir: str | None = None

    def add(self, chunk: Chunk) -> None:
        counts = chunk.counts
        self.rows_read += chunk.rows_read
        self.reports += counts["reports"]
        self.errors += counts["errors"]
        self.mentions += counts["mentions"]
        self.by_kind.update(counts["by_kind"])
        self.by_date_status.update(counts.get("by_date_status", {}))
        self.chunks += 1

    @property
    def reports_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {"rows_read": self.rows_read, "reports": self.reports, "errors": self.errors,
                "mentions": self.mentions, "by_kind": dict(self.by_kind)}

    def counts(self) -> dict:
        return {"rows_read": self.rows_read, "reports": self.reports, "mentions": self.mentions,
                "errors": self.errors, "patients": self.patients, "note_nlp": self.note_nlp}

    def as_dict(self) -> dict:
        return {**self.summary(), "seconds": round(self.seconds, 3), "reports_per_second": round(self.reports_per_second, 1),
                "workers": self.workers, "chunks": self.chunks, "outputs": self.outputs}

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
        if self.run_id is not None:
            extra = (f", {self.patients} patients" if self.patients is not None else "") + \
                    (f", {self.note_nlp} NOTE_NLP rows" if self.note_nlp is not None else "")
            where = [w for w in (self.target and f"{self.target}" + (f" schema {self.target_schema}"
                                                                         if self.target_schema else ""),
                                 self.out_dir) if w]
            return (f"Run {self.run_id}: read {self.rows_read} rows: {self.reports} reports ({kinds}), {self.errors} "
                    f"errors, {self.mentions} mentions{extra} in {self.seconds:.1f} s ({self.reports_per_second:.0f} "
                    f"rows/s); wrote to {' and '.join(where)}.")
        return (f"Read {self.rows_read} rows: {self.reports} reports ({kinds}), {self.errors} errors, "
                f"{self.mentions} mentions in {self.seconds:.1f} s ({self.reports_per_second:.0f} rows/s, "
                f"{self.workers} worker{'s' if self.workers != 1 else ''}"
                + (f"; {self.resumed_chunks} chunks kept from the interrupted run" if self.resumed_chunks else "")
                + ")." + self._dates())

    def _dates(self) -> str:
        """Report dates that are not ok, counted by status (they are kept but never linked)."""
        off = {k: v for k, v in sorted(self.by_date_status.items()) if k != "ok" and v}
        return (" Dates not linked: " + ", ".join(f"{v} {k}" for k, v in off.items()) + ".") if off else ""


@dataclass
class Context:
    """What the sinks are given when they open: the options, the resume state, the patients columns linking
    will write (known before the first report: an empty table was linked) and the NOTE_NLP concept map."""

    options: RunOptions
    state: dict
    patients_columns: list[str] | None
    concept_map: Any = None
    resumable: bool = False


@dataclass
class Result:
    """What a run produced: its summary, the report and nodule rows (without evidence) of the chunks a source gave
    already extracted (a stored DIR, re-linked; None when every chunk was extracted: linking read those rows by
    buckets of patients from disk, extractor.run.linkrows), the linkage, the case definitions, warnings (one line
    each, with the fix), the manifest and what the sinks added."""

    summary: RunSummary
    reports: pd.DataFrame | None
    nodules: pd.DataFrame | None
    linkage: Linkage | None
    definitions: list[Definition]
    warnings: list[str]
    manifest: dict
    tables: dict[str, int] = field(default_factory=dict)  # rows per output table the sinks wrote


def manifest_options(options: RunOptions, columns: ColumnMap) -> dict:
    """The options a manifest records (not workers or resume: they do not change the result)."""
    recorded = {k: v for k, v in asdict(options).items() if k not in ("workers", "resume")}
    recorded["csv_safe"] = options.csv_safe or csv_safe()
    return {**recorded, "columns": asdict(columns)}
