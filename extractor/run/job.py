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

Data flows one way through the modules of a run: what a run is and what moves through it (RunOptions, Chunk,
Extraction, Context, Result, RunSummary) in extractor.run.model; the sources - a file, a DataFrame, a stored DIR -
and the input checks in extractor.run.inputs; the sinks - the output set of a directory, memory, a re-link's cohort
tables - in extractor.run.outputs. This module, the job, imports and drives them; none of them imports it (nor do
the sources and the sinks import each other). Every name a caller imported from here before they moved out still
imports from here.
"""
from __future__ import annotations

import logging
import os
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Sequence

import pandas as pd

from .. import __version__
from ..cohort.linking import LinkingConfig, link_patients, load_linking_config
from ..errors import InputError
from ..knowledge.definitions import Definition, load_definitions
from ..knowledge.ruleset import load_ruleset
from ..tables.files import CSV_SAFE_ENV, csv_safe
from ..tables.omop import read_concept_map
from ..tables.schemas import errors_frame, nodules_frame, reports_frame
from ..tables.sources import DEFAULT_CHUNK_SIZE, ColumnMap, ReportTable
from .inputs import (  # noqa: F401  (the sources, importable from here as before)
    PATHOLOGY_KINDS,
    SITE_COLUMNS,
    FileSource,
    FrameSource,
    Source,
    StoredSource,
    add_site_columns,
    check_input,
    iter_tables,
    omop_columns,
    read_texts,
    resolve_date_format,
)
from .linkrows import DEFAULT_LINK_BUCKETS, LinkRows
from .linkrows import without_evidence as _without_evidence
from .model import (  # noqa: F401  (what a run is, importable from here as before)
    Chunk,
    Context,
    Extraction,
    Result,
    RunOptions,
    RunSummary,
    manifest_options,
)
from .outputs import (  # noqa: F401  (the sinks, importable from here as before)
    CohortSink,
    FileSink,
    MemorySink,
    Sink,
    read_report_rows,
    write_cohort_outputs,
    write_note_nlp_for,
)
from .pool import available_cores, extractor, ordered_map
from .progress import Progress

log = logging.getLogger(__name__)
CLINICAL_KINDS = ["ultrasound", "cytology", "surgical_pathology"]
DATE_SHARE_WARNED = 0.5  # more than this share of ultrasound / pathology dates unreadable: say so


# -- the job -------------------------------------------------------------------------------------------------------
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


__all__ = ["Job", "RunOptions", "RunSummary", "Result", "Chunk", "Extraction", "Source", "Sink", "FileSource",
           "FrameSource", "StoredSource", "FileSink", "MemorySink", "CohortSink", "run", "extract_chunk",
           "write_cohort_outputs", "DEFAULT_CHUNK_SIZE"]
