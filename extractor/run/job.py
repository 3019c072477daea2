"""One job behind every entry point: a source of reports, the per-chunk extraction, linking, and the sinks.

::

    from extractor.run.api import Extractor
    from extractor.run.job import FileSink, FileSource, Job, RunOptions, run

    result = run(Job(FileSource("reports.csv"), [FileSink("results")], engine=Extractor))

This is the only place where the stages are wired, in this order, for files (``api.extract_file``,
``runner.run_extract``), databases (``extractor.run.sql.run_sql``, with its source and sink),
DataFrames (``api.extract``, ``api.build_cohort``) and the re-link of a stored DIR (``api.link_dir``):

1. checks, before the first report is read and before any output is touched: the source (file, columns), every
   knowledge file (rules, linking configuration, case definitions: an empty table is linked with them) and the
   NOTE_NLP concept map;
2. chunks: the source yields normalised :class:`~extractor.tables.sources.ReportTable` chunks of ``chunk_size`` reports
   (row numbers and duplicate ids carried across chunks), each extracted by the engine in worker processes
   (extractor.run.pool), in input order; every sink receives each chunk's tables (reports, mentions, errors, nodules)
   as soon as it is extracted, so memory stays flat. A sink may resume a chunk an interrupted run finished;
3. linking reads tables only - the report rows (no text, no evidence) and nodule rows kept from the chunks - into
   patients and links, with the case definitions; then the date checks (``strict``);
4. the sinks write what follows from the whole run (patients, links, DuckDB, NOTE_NLP), then the manifest, and
   commit in their order; on any failure none commits.

A source yields ReportTables, or :class:`Chunk` objects already extracted (a stored DIR, re-linked). An engine is
anything built as ``engine(patterns, max_report_chars=..., max_seconds_per_report=...)`` with
``extract_table(ReportTable) -> Extraction`` (extractor.run.api.Extractor; this module imports no spaCy).
"""
from __future__ import annotations

import json
import logging
import os
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import pandas as pd
import pyarrow.parquet as pq

from .. import __version__
from ..cohort.index_nodule import fna_position
from ..cohort.linking import Linkage, LinkingConfig, link_patients, load_linking_config
from ..errors import InputError
from ..fields.pathology.sites import site_from_text
from ..knowledge.definitions import Definition, load_definitions
from ..knowledge.nodule_rules import load_nodule_rules
from ..knowledge.resources import patterns_dir
from ..knowledge.ruleset import load_ruleset
from ..tables.files import (
    CSV_SAFE_ENV,
    atomic_write_text,
    csv_safe,
    output_set,
    write_table,
)
from ..tables.omop import (
    note_id_map,
    note_nlp_frame,
    omop_column_map,
    read_concept_map,
    write_note_nlp,
)
from ..tables.quality import detect_date_format
from ..tables.schemas import errors_frame, mentions_frame, nodules_frame, reports_frame
from ..tables.sources import (
    DEFAULT_CHUNK_SIZE,
    ColumnMap,
    ReportTable,
    detect_format,
    header_frame,
    normalise_chunks,
    raw_chunks,
)
from ..tables.store import read_frame, write_duckdb, write_frame
from ..tables.typed import text_frame
from .budget import DEFAULT_MAX_REPORT_CHARS, DEFAULT_MAX_SECONDS_PER_REPORT
from .linkrows import DEFAULT_LINK_BUCKETS, LinkRows
from .linkrows import without_evidence as _without_evidence
from .manifest import MANIFEST_NAME, build_manifest
from .pool import available_cores, extractor, ordered_map
from .progress import Progress
from .spool import TABLES, Spool, chunk_file, save_chunk

log = logging.getLogger(__name__)
PATHOLOGY_KINDS = {"cytology", "surgical_pathology"}
CLINICAL_KINDS = ["ultrasound", "cytology", "surgical_pathology"]
DATE_SHARE_WARNED = 0.5  # more than this share of ultrasound / pathology dates unreadable: say so


# -- what a run is -------------------------------------------------------------------------------------------------
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


class Sink:
    """Where tables go. Each hook does nothing by default; ``open`` may enter contexts into ``stack`` (closed
    after the run, in reverse order, on success or failure)."""

    def open(self, context: Context, stack: ExitStack) -> None:
        pass

    def resumed(self, index: int) -> Chunk | None:
        """A chunk an interrupted run finished, with its reports and nodules; None to extract it."""
        return None

    def add(self, chunk: Chunk) -> None:
        pass

    def finish(self, result: Result) -> dict[str, int]:
        """Write what follows from the whole run; return extra table counts for the manifest."""
        return {}

    def record(self, manifest: dict, result: Result) -> None:
        pass

    def commit(self) -> None:
        pass

    def failed(self, error: BaseException) -> None:
        pass


@dataclass
class Job:
    """A source, the sinks, the engine that extracts a ReportTable and the run's options. ``progress``: False =
    silent, True / None (= when stderr is a terminal) = a bar, or a callable given the rows done per chunk.
    ``linking`` / ``definition_ids`` override the options' linking file and keep only those definitions."""

    source: Source
    sinks: Sequence[Sink]
    engine: Callable[..., Any]
    options: RunOptions = field(default_factory=RunOptions)
    progress: bool | Callable[[int], None] | None = False
    linking: LinkingConfig | None = None
    definition_ids: Iterable[str] | None = None
    summary: RunSummary | None = None  # the summary to fill (a database run names its run id, source, target)
    link_buckets: int = DEFAULT_LINK_BUCKETS  # patients are linked in this many groups (the same tables for any)


# -- the run -------------------------------------------------------------------------------------------------------
def extract_chunk(table: ReportTable) -> Extraction:
    """One chunk through this process's engine (a worker's, see extractor.run.pool): the per-chunk extraction every
    run uses (Spark's partitions too)."""
    return extractor().extract_table(table)


def check_knowledge(options: RunOptions, *, linking: LinkingConfig | None = None,
                    definition_ids: Iterable[str] | None = None) -> tuple[LinkingConfig | None, list[Definition],
                                                                          list[str] | None]:
    """Load every knowledge file a run will use - rules, linking configuration, case definitions - and link an
    empty table with them, so a bad file is one clear error before any report is read (and before DIR is
    touched). Returns the linking configuration, the definitions and the patients columns (None without
    linking)."""
    load_ruleset(options.patterns)
    if not options.link:
        return None, [], None
    config = linking if linking is not None else load_linking_config(options.linking)
    definitions = load_definitions(options.definitions, only=definition_ids)
    probe = link_patients(reports_frame([]), config=config, definitions=definitions, nodules=None)
    return config, definitions, list(probe.patients.columns)


def manifest_tables(summary, linkage, written: dict[str, int]) -> dict[str, int]:
    """The row counts DIR/manifest.json records: rows read, each extraction table, patients and links when linked,
    and what the sinks wrote besides (note_nlp ...)."""
    tables = {"rows_read": summary.rows_read, "reports": summary.reports, "mentions": summary.mentions,
              "errors": summary.errors}
    if linkage is not None:
        tables.update(patients=len(linkage.patients), links=len(linkage.links))
    tables.update(written)
    return tables


def run(job: Job) -> Result:
    """Run ``job``: checks, chunks through the engine into every sink, linking, the sinks' last tables, the
    manifest, commit. Raises InputError / PatternError (one clear line) before anything is read or written when
    an input or a knowledge file is wrong."""
    options = job.options  # 1. checks: nothing read or written yet
    if options.chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    warnings = list(job.source.check(options))
    config, definitions, patients_columns = check_knowledge(options, linking=job.linking,
                                                            definition_ids=job.definition_ids)
    concept_map = read_concept_map(options.concept_map) if options.concept_map else None
    workers = available_cores() if options.workers is None else max(1, int(options.workers))
    summary = job.summary if job.summary is not None else RunSummary()
    summary.workers = workers
    stored: dict[str, list[pd.DataFrame]] = {"reports": [], "nodules": []}  # chunks a source gave already extracted
    dated: list[pd.DataFrame] = []  # kind and date status of the clinical reports (the date checks)
    with ExitStack() as stack:
        rows = LinkRows(job.link_buckets) if options.link else None  # what linking reads, on disk by patients
        if rows is not None:
            stack.callback(rows.close)
        stack.enter_context(csv_safe_env(options.csv_safe))  # worker processes inherit it
        state = job.source.state()
        context = Context(options, {**(state or {}), **run_state(options)}, patients_columns, concept_map,
                          resumable=state is not None)
        bar = None
        try:
            for sink in job.sinks:
                sink.open(context, stack)
            bar = Progress(job.progress)
            started = time.perf_counter()

            def keep(chunk: Chunk, *, in_memory: bool = False) -> None:
                summary.add(chunk)
                reports = chunk.tables["reports"]
                if rows is not None:
                    rows.add(reports, chunk.tables["nodules"])
                if in_memory:  # a stored DIR's tables, already in memory: kept for the sinks (a re-link)
                    stored["reports"].append(_without_evidence(reports))
                    stored["nodules"].append(_without_evidence(chunk.tables["nodules"]))
                dated.append(_date_rows(reports))

            def to_extract() -> Iterator:
                for index, (item, fraction) in enumerate(job.source.chunks(options.chunk_size)):
                    if isinstance(item, Chunk):  # already extracted (a stored DIR)
                        yield (), (replace(item, index=index), fraction)
                        continue
                    done = _resumed(job.sinks, index)
                    if done is not None:  # finished by the interrupted run
                        done.rows_read = item.rows_read
                        summary.resumed_chunks += 1
                        keep(done)
                        bar.update(done.rows_read, fraction)
                        continue
                    yield (item,), (index, fraction)

            # 2. chunks: extracted in input order (worker processes), each handed to every sink
            engine = job.engine if getattr(job.source, "needs_engine", True) else None  # a re-link extracts nothing
            extracted = ordered_map(_extract_or_pass, to_extract(), workers=workers, patterns=options.patterns,
                                    limits=options.limits(), engine=engine)
            for extraction, carry in extracted:
                stored_chunk = extraction is None
                if stored_chunk:  # a stored chunk, passed through
                    chunk, fraction = carry
                else:
                    index, fraction = carry
                    chunk = Chunk.of(index, extraction)
                errors = chunk.tables.get("errors", errors_frame([]))
                for row, report_id, reason in errors[["row", "report_id", "reason"]].itertuples(
                        index=False, name=None):  # ids and reasons only: messages never quote report text
                    log.info("row %s (report %r): %s", row, report_id, reason)
                for sink in job.sinks:
                    sink.add(chunk)
                keep(chunk, in_memory=stored_chunk)
                log.info("%schunk %d done (%d rows so far)", f"run {summary.run_id}: " if summary.run_id else "",
                         summary.chunks, summary.rows_read)
                bar.update(chunk.rows_read, fraction)
            if summary.rows_read != summary.reports + summary.errors:  # the contract every run keeps
                raise RuntimeError(f"rows read {summary.rows_read} != reports {summary.reports} + errors "
                                   f"{summary.errors}")
            # 3. linking, from the kept tables only, one bucket of patients at a time; then the date checks
            reports = _concat(stored["reports"], reports_frame([])) if stored["reports"] else None
            nodules = _concat(stored["nodules"], nodules_frame([])) if stored["nodules"] else None
            linkage = None
            if rows is not None:
                linkage = rows.link(config=config, definitions=definitions, empty_reports=reports_frame([]),
                                    empty_nodules=nodules_frame([]))
                rows.close()
                summary.patients = len(linkage.patients)
            problems = date_problems(_concat(dated, _date_rows(reports_frame([]))), linkage,
                                     getattr(job.source, "columns", ColumnMap()))
            dated.clear()
            if problems and options.strict:
                raise InputError(f"{problems[0]} (--strict: nothing written; the previous outputs are unchanged)",
                                 path=job.source.name)
            summary.seconds = time.perf_counter() - started
            result = Result(summary, reports, nodules, linkage, definitions if options.link else [],
                            warnings + problems, {})
            # 4. the sinks: what follows from the whole run, the manifest, commit (in the sinks' order)
            for sink in job.sinks:
                result.tables.update(sink.finish(result))
            summary.seconds = time.perf_counter() - started
            tables = manifest_tables(summary, linkage, result.tables)
            result.manifest = job.source.manifest(options, summary, patterns=options.patterns,
                                                  definitions=result.definitions, linking_config=options.linking,
                                                  tables=tables)
            for sink in job.sinks:
                sink.record(result.manifest, result)
            for sink in job.sinks:
                sink.commit()
        except BaseException as e:
            for sink in job.sinks:
                sink.failed(e)
            raise
        finally:
            if bar is not None:
                bar.close()
    return result


def _extract_or_pass(table: ReportTable | None = None) -> Extraction | None:
    return None if table is None else extract_chunk(table)


def _resumed(sinks: Sequence[Sink], index: int) -> Chunk | None:
    """A chunk every sink already holds (only a resumed file run's sink can)."""
    chunks = [sink.resumed(index) for sink in sinks]
    return chunks[0] if chunks and all(c is not None for c in chunks) else None


def _date_rows(reports: pd.DataFrame) -> pd.DataFrame:
    """What the date checks read of a chunk's reports: kind and date status of its ultrasound / pathology rows."""
    if "report_kind" not in reports:
        return reports.iloc[0:0, 0:0]
    columns = [c for c in ("report_kind", "report_date_status") if c in reports.columns]
    return reports.loc[reports["report_kind"].isin(CLINICAL_KINDS), columns]


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if len(f)] or frames[:1]
    if not frames:
        return _without_evidence(empty)
    return frames[0].reset_index(drop=True) if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def run_state(options: RunOptions) -> dict:
    """What must not change between an interrupted run and its resumption, besides its input."""
    return {"rules": load_ruleset(options.patterns).fingerprint(), "chunk_size": options.chunk_size,
            "csv_safe": csv_safe(), "version": __version__, "limits": options.limits()}


@contextmanager
def csv_safe_env(on: bool):
    """$RADPATH_CSV_SAFE for the run (worker processes inherit it), as it was afterwards."""
    if not on:
        yield
        return
    old = os.environ.get(CSV_SAFE_ENV)
    os.environ[CSV_SAFE_ENV] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(CSV_SAFE_ENV, None)
        else:
            os.environ[CSV_SAFE_ENV] = old


def date_problems(reports: pd.DataFrame, linkage, columns: ColumnMap) -> list[str]:
    """One line per way the dates could silently empty the cohort, with the fix: most ultrasound or pathology
    report dates unreadable, or patients with an ultrasound but none dated."""
    clinical = reports[reports["report_kind"].isin(CLINICAL_KINDS)] if "report_kind" in reports else reports.iloc[0:0]
    problems = []
    if len(clinical) and "report_date_status" in clinical.columns:
        bad = clinical["report_date_status"].isin(["missing", "unparseable"])
        if bad.mean() > DATE_SHARE_WARNED:
            example = "e.g. --date-format %m/%d/%Y, or auto" if columns.date_format == "iso" else \
                f"they do not read as --date-format {columns.date_format}"
            problems.append(f"{int(bad.sum())} of {len(clinical)} ultrasound / pathology report dates are missing or "
                            f"unreadable ({dict(clinical.loc[bad, 'report_date_status'].value_counts())}), so they "
                            f"are never linked; give the format the dates use ({example})")
    if linkage is not None and len(linkage.patients):
        undated = (linkage.patients["link_status"] == "no_dated_ultrasound").sum()
        if undated == len(linkage.patients):
            problems.append(f"none of the {undated} patients with an ultrasound has a dated ultrasound: every cohort "
                            "is empty; check --date-col and --date-format")
    return problems


def manifest_options(options: RunOptions, columns: ColumnMap) -> dict:
    """The options a manifest records (not workers or resume: they do not change the result)."""
    recorded = {k: v for k, v in asdict(options).items() if k not in ("workers", "resume")}
    recorded["csv_safe"] = options.csv_safe or csv_safe()
    return {**recorded, "columns": asdict(columns)}


# -- sources -------------------------------------------------------------------------------------------------------
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


# -- sinks ---------------------------------------------------------------------------------------------------------
class MemorySink(Sink):
    """Every chunk's tables kept in memory (a notebook's DataFrames): :meth:`extraction` after the run."""

    def __init__(self):
        self.parts: dict[str, list[pd.DataFrame]] = {"reports": [], "mentions": [], "errors": [], "nodules": []}
        self.rows_read = 0

    def add(self, chunk: Chunk) -> None:
        for name, parts in self.parts.items():
            parts.append(chunk.tables[name])
        self.rows_read += chunk.rows_read

    def extraction(self) -> Extraction:
        empty = {"reports": reports_frame([]), "mentions": mentions_frame([]), "errors": errors_frame([]),
                 "nodules": nodules_frame([])}
        frames = {name: (parts[0].reset_index(drop=True) if len(parts) == 1 else
                         pd.concat(parts, ignore_index=True) if parts else empty[name])
                  for name, parts in self.parts.items()}
        return Extraction(frames["reports"], frames["mentions"], frames["errors"], self.rows_read, frames["nodules"])


def write_cohort_outputs(out_dir: str | Path, linkage: Linkage, definitions: Iterable[Definition] = (), *,
                         reports: pd.DataFrame | Path | None = None, mentions: pd.DataFrame | Path | None = None,
                         duckdb: bool = True) -> list[Path]:
    """Write DIR/patients and DIR/links (CSV + Parquet) and, with ``duckdb``, DIR/radpath.duckdb (``reports`` and
    ``mentions`` may be frames or Parquet files, which DuckDB then reads itself)."""
    out_dir = Path(out_dir)
    written = write_frame(linkage.patients, out_dir, "patients")
    written += write_frame(linkage.links, out_dir, "links")
    if duckdb:
        reports = reports if reports is not None else read_frame(out_dir, "reports")
        if mentions is None:  # DuckDB reads the Parquet file itself rather than a frame of every mention
            stored = out_dir / "mentions.parquet"
            mentions = stored if stored.is_file() else read_frame(out_dir, "mentions", required=False)
        stored_nodules = out_dir / "nodules.parquet"
        written.append(write_duckdb(out_dir, reports=reports, mentions=mentions, patients=linkage.patients,
                                    links=linkage.links, definitions=list(definitions),
                                    nodules=stored_nodules if stored_nodules.is_file() else None))
    return written


class CohortSink(Sink):
    """DIR/patients, DIR/links and DIR/radpath.duckdb written in place beside DIR's tables (a re-link; the
    caller holds DIR's lock)."""

    def __init__(self, out_dir: str | Path, *, duckdb: bool = True):
        self.out_dir, self.duckdb = Path(out_dir), duckdb

    def finish(self, result: Result) -> dict[str, int]:
        if result.linkage is not None:
            write_cohort_outputs(self.out_dir, result.linkage, result.definitions, reports=result.reports,
                                 duckdb=self.duckdb)
        return {}


def write_note_nlp_for(out_dir: Path, concept_map=None) -> dict[str, int]:
    """DIR/note_nlp from DIR/mentions (and DIR/note_nlp_ids when report ids are not integers; an earlier run's
    note_nlp_ids is removed by the output-set swap); returns the row count and how many rows no concept map entry
    mapped (note_nlp_concept_id 0)."""
    mentions = pd.read_parquet(out_dir / "mentions.parquet")
    reports = pd.read_parquet(out_dir / "reports.parquet", columns=["report_id"])
    note_ids = note_id_map(reports["report_id"])
    if note_ids is not None:
        write_table(note_ids, out_dir, "note_nlp_ids")
    frame = note_nlp_frame(mentions, concept_map=concept_map, note_ids=note_ids)
    write_note_nlp(frame, out_dir)
    return {"note_nlp": len(frame), "note_nlp_unmapped": int((frame["note_nlp_concept_id"] == 0).sum())}


def read_report_rows(out_dir: Path) -> pd.DataFrame:
    """DIR/reports.parquet without its ``evidence`` column (linking never reads it; it is most of the bytes)."""
    path = Path(out_dir) / "reports.parquet"
    return text_frame(pd.read_parquet(path, columns=[c for c in pq.read_schema(path).names if c != "evidence"]))


class FileSink(Sink):
    """An output directory, written as one output set: DIR locked, every table staged aside and swapped in at
    commit (DIR holds the previous set or this one, never a mixture). Chunks go to DIR/.radpath-partial/ as they
    come (a run killed half-way can resume, see extractor.run.spool) and are joined at the end; then patients, links,
    radpath.duckdb, NOTE_NLP (with ``omop`` / ``note_nlp`` / ``concept_map``, unless a sink before this one gave
    NOTE_NLP rows per chunk) and manifest.json (``manifest=False``: the tables only)."""

    def __init__(self, out_dir: str | Path, *, manifest: bool = True):
        self.out_dir, self.write_manifest = Path(out_dir), manifest
        self.staged = self.spool = None
        self.names: dict[str, bool] = dict(TABLES)
        self.context: Context | None = None

    def open(self, context: Context, stack: ExitStack) -> None:
        self.context = context
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.staged = stack.enter_context(output_set(self.out_dir))
        self.spool = Spool(self.out_dir, context.state, resume=context.options.resume and context.resumable)

    def resumed(self, index: int) -> Chunk | None:
        counts = self.spool.done(index)
        if counts is None:
            return None
        frames = {name: text_frame(pd.read_parquet(chunk_file(self.spool.path, index, name, "parquet")))
                  for name in ("reports", "nodules")}
        return Chunk(index, counts["reports"] + counts["errors"], frames, counts)

    def add(self, chunk: Chunk) -> None:
        for name in chunk.tables:
            self.names.setdefault(name, True)  # derived per-chunk tables (NOTE_NLP) quote report text
        save_chunk(self.spool.path, chunk.index, chunk.tables, chunk.counts)

    def finish(self, result: Result) -> dict[str, int]:
        summary, stage = result.summary, self.staged.path
        outputs = self.spool.join(summary.chunks, self.names, into=stage)
        summary.outputs = [str(self.out_dir / p.name) for p in outputs]
        self.staged.also_remove.append(self.spool.path)  # kept until the new set is in place: a crash before can resume
        self.spool = None
        if result.linkage is not None:
            write_cohort_outputs(stage, result.linkage, result.definitions, reports=stage / "reports.parquet",
                                 duckdb=self.context.options.duckdb)
        options = self.context.options
        if (options.omop or options.note_nlp or options.concept_map) and "note_nlp" not in self.names:
            return write_note_nlp_for(stage, self.context.concept_map)
        return {}

    def record(self, manifest: dict, result: Result) -> None:
        if self.write_manifest:
            atomic_write_text(self.staged.path / MANIFEST_NAME, json.dumps(manifest, indent=2, default=str) + "\n",
                              private=False)

    def commit(self) -> None:
        self.staged.commit()

    def failed(self, error: BaseException) -> None:
        if self.spool is not None and (isinstance(error, InputError) or not self.context.resumable):
            self.spool.clear()  # the input itself is wrong, or the run cannot resume: nothing worth keeping


__all__ = ["Job", "RunOptions", "RunSummary", "Result", "Chunk", "Extraction", "Source", "Sink", "FileSource",
           "FrameSource", "StoredSource", "FileSink", "MemorySink", "CohortSink", "run", "extract_chunk",
           "write_cohort_outputs", "DEFAULT_CHUNK_SIZE"]
