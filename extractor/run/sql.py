"""The whole job from a database: read reports in chunks, extract, link, and write the tables to a database
and / or a directory. No spaCy in this module (extraction runs in extractor.run.pool's workers).

::

    from extractor.tables.sql import run_sql

    summary = run_sql("postgresql+psycopg://me@warehouse/cdm", omop=True, schema="cdm",
                      target_url="postgresql+psycopg://me@warehouse/cdm", target_schema="radpath",
                      run_id="2026-12-nightly")

Chunks are extracted in input order by worker processes (:func:`extractor.run.pool.ordered_map`) and each chunk's
reports, mentions, errors (and, in OMOP mode, NOTE_NLP rows) go to the target as soon as they are extracted, inside
the run's single transaction (:class:`extractor.tables.sql.writer.SqlWriter`). Linking needs every report, so the
reports table (no text, no evidence) and the texts of the cytology and surgical-pathology reports only (for FNA /
tumour sites) are kept until the end; then patients and links are written, the run is recorded in
``radpath_runs`` with its manifest (URLs masked) and the transaction commits. With ``out_dir`` the same tables are also written as files,
exactly as ``radpath extract`` writes them (CSV + Parquet, radpath.duckdb, manifest.json).
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from ..tables.schemas import errors_frame, mentions_frame, nodules_frame, reports_frame
from ..tables.sources import ColumnMap
from ..tables.sql.reader import DEFAULT_CHUNK_SIZE, iter_sql_tables, same_sqlite
from ..tables.sql.schema import RUNS_TABLE, table_specs
from ..tables.sql.urls import (
    SOURCE_ENV,
    TARGET_ENV,
    DatabaseError,
    mask_url,
    resolve_url,
)
from ..tables.sql.writer import SqlWriter
from .api import PATHOLOGY_KINDS, Extraction, RunOptions, _csv_safe
from .pool import extractor, ordered_map

log = logging.getLogger(__name__)


def _extract_table(table) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One chunk's reports, mentions, errors and nodules (in a worker: the tables travel back to be written)."""
    result = extractor().extract_table(table)
    return result.reports, result.mentions, result.errors, result.nodules


@dataclass
class SqlRunSummary:
    """What a run read and wrote."""

    run_id: str
    source: str  # masked
    target: str | None  # masked
    target_schema: str | None
    out_dir: str | None
    rows_read: int = 0
    reports: int = 0
    errors: int = 0
    mentions: int = 0
    patients: int | None = None
    note_nlp: int | None = None
    by_kind: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    workers: int = 1
    chunks: int = 0

    def counts(self) -> dict:
        return {"rows_read": self.rows_read, "reports": self.reports, "mentions": self.mentions,
                "errors": self.errors, "patients": self.patients, "note_nlp": self.note_nlp}

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
        rate = self.rows_read / self.seconds if self.seconds else 0.0
        extra = (f", {self.patients} patients" if self.patients is not None else "") + \
                (f", {self.note_nlp} NOTE_NLP rows" if self.note_nlp is not None else "")
        where = [w for w in (self.target and f"{self.target}" + (f" schema {self.target_schema}" if self.target_schema
                                                                     else ""), self.out_dir) if w]
        return (f"Run {self.run_id}: read {self.rows_read} rows: {self.reports} reports ({kinds}), {self.errors} "
                f"errors, {self.mentions} mentions{extra} in {self.seconds:.1f} s ({rate:.0f} rows/s); "
                f"wrote to {' and '.join(where)}.")


def default_run_id(now: datetime | None = None) -> str:
    return "run-" + (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def run_sql(
    source_url: str | None = None,
    *,
    query: str | None = None,
    table: str | None = None,
    schema: str | None = None,
    omop: bool = False,
    columns: ColumnMap = ColumnMap(),
    note_type_names: Mapping[int, str] | None = None,
    target_url: str | None = None,
    target_schema: str | None = None,
    out_dir: str | Path | None = None,
    run_id: str | None = None,
    options: RunOptions = RunOptions(),
    workers: int | None = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    nlp_datetime: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> SqlRunSummary:
    """Read reports from ``source_url`` (a query, a table or, with ``omop``, the OMOP CDM NOTE table), extract
    and link them, and write the tables to ``target_url`` (schema ``target_schema``, rows tagged ``run_id``)
    and / or ``out_dir``. ``source_url`` / ``target_url`` default to $RADPATH_DB_URL / $RADPATH_DB_TO_URL; at least
    one of a target and ``out_dir`` is needed. NOTE_NLP is written in OMOP mode (note ids are integers there).
    ``workers``: extraction processes (None: every usable core). ``progress`` is called with the number of rows
    finished per chunk. Returns the run's summary; raises DatabaseError / InputError (URLs masked)."""
    from ..cohort.api import link_extraction, write_cohort_outputs
    from ..tables.files import atomic_write_text, output_set
    from ..tables.omop import note_nlp_frame
    from .manifest import MANIFEST_NAME, build_manifest
    from .stream import TABLES, Spool, available_cores, save_chunk

    source_url = resolve_url(source_url, env=SOURCE_ENV, what="source database")
    if target_url is None and out_dir is None:
        import os

        target_url = os.environ.get(TARGET_ENV)
        if not target_url:
            raise DatabaseError(f"nowhere to write: give a target database URL (or set {TARGET_ENV}), an output "
                                "directory, or both")
    run_id = run_id or default_run_id()
    workers = available_cores() if workers is None else max(1, int(workers))
    nlp_datetime = (nlp_datetime or datetime.now()).replace(microsecond=0)
    out = Path(out_dir) if out_dir is not None else None
    summary = SqlRunSummary(run_id=run_id, source=mask_url(source_url), target=mask_url(target_url) or None,
                            target_schema=target_schema, out_dir=str(out) if out else None, workers=workers)

    # Linking configuration and case definitions first: a bad file, or a target table made for other definitions,
    # fails the run before any report is read.
    empty = Extraction(reports_frame([]), mentions_frame([]), errors_frame([]), 0)
    probe, _ = link_extraction(empty, None, linking=options.linking, definitions=options.definitions) \
        if options.link else (None, [])
    specs = table_specs(patients_columns=list(probe.patients.columns) if probe is not None else None, note_nlp=omop)

    started = time.perf_counter()
    writer = SqlWriter(target_url, run_id=run_id, specs=specs, schema=target_schema) if target_url else None
    file_tables = dict(TABLES) | ({"note_nlp": True} if omop else {})  # name -> private (quotes report text)
    spool = staged = None
    files = ExitStack()  # with out_dir: DIR locked, files staged aside and swapped in after the database commit
    try:
        files.__enter__()
        if writer is not None:
            writer.__enter__()
        if out is not None:
            staged = files.enter_context(output_set(out))
            files.enter_context(_csv_safe(options.csv_safe))
            spool = Spool(out, {"source": summary.source, "run_id": run_id}, resume=False)
        note_nlp_next = writer.max_value("note_nlp", "note_nlp_id") + 1 if (writer and omop) else 1
        kept_reports, kept_texts, kept_nodules = [], [], []
        tables = (chunk for chunk, _ in iter_sql_tables(source_url, query, table, schema, chunk_size=chunk_size,
                                                        omop=omop, columns=columns, note_type_names=note_type_names,
                                                        copy_first=same_sqlite(source_url, target_url)))
        for index, ((reports, mentions, errors, nodules), chunk) in enumerate(
                ordered_map(_extract_table, (((t,), t) for t in tables), workers=workers, patterns=options.patterns,
                            limits=options.limits())):
            rows = chunk.rows_read
            if options.link:  # what linking needs at the end: report rows and the texts of pathology reports
                pathology = reports.loc[reports["report_kind"].isin(PATHOLOGY_KINDS), "report_id"]
                texts = chunk.reports[["report_id", "text"]]
                kept_texts.append(texts[texts["report_id"].isin(set(pathology))])
                kept_reports.append(reports.drop(columns=["evidence"]))  # linking never reads it; most of the bytes
                kept_nodules.append(nodules.drop(columns=["evidence"]))  # for the index nodule
            outputs = {"reports": reports, "mentions": mentions, "errors": errors, "nodules": nodules}
            if omop:
                note_nlp = note_nlp_frame(mentions, nlp_datetime=nlp_datetime)
                note_nlp["note_nlp_id"] += note_nlp_next - 1
                note_nlp_next += len(note_nlp)
                outputs["note_nlp"] = note_nlp
                summary.note_nlp = (summary.note_nlp or 0) + len(note_nlp)
            if writer is not None:
                for name, frame in outputs.items():
                    writer.append(name, frame)
            if spool is not None:
                save_chunk(spool.path, index, outputs, {"reports": len(reports)})
            summary.rows_read += rows
            summary.reports += len(reports)
            summary.errors += len(errors)
            summary.mentions += len(mentions)
            summary.by_kind.update(reports["report_kind"].value_counts().to_dict())
            summary.chunks += 1
            log.info("run %s: chunk %d done (%d rows so far)", run_id, summary.chunks, summary.rows_read)
            if progress is not None:
                progress(rows)
        if summary.rows_read != summary.reports + summary.errors:  # the contract every run keeps
            raise RuntimeError(f"rows read {summary.rows_read} != reports {summary.reports} + errors {summary.errors}")
        if spool is not None:
            spool.join(summary.chunks, file_tables, into=staged.path)
            staged.also_remove.append(spool.path)
            spool = None

        linkage, definitions = None, []
        if options.link:
            all_reports = pd.concat(kept_reports, ignore_index=True) if kept_reports else reports_frame([])
            texts = pd.concat(kept_texts, ignore_index=True) if kept_texts else None
            extraction = Extraction(all_reports, mentions_frame([]), errors_frame([]), summary.rows_read,
                                    pd.concat(kept_nodules, ignore_index=True) if kept_nodules else nodules_frame([]))
            linkage, definitions = link_extraction(extraction, texts, linking=options.linking,
                                                   definitions=options.definitions)
            del kept_reports, kept_texts, kept_nodules, texts
            summary.patients = len(linkage.patients)
            if writer is not None:
                if list(linkage.patients.columns) != specs["patients"].names[1:]:
                    raise RuntimeError("patients columns changed between the probe and the run")
                writer.append("patients", linkage.patients)
                writer.append("links", linkage.links)
            if staged is not None:
                write_cohort_outputs(staged.path, linkage, definitions, reports=staged.path / "reports.parquet",
                                     duckdb=options.duckdb)
        summary.seconds = time.perf_counter() - started

        run_options = {**asdict(options), "columns": asdict(columns), "query": query, "table": table,
                       "schema": schema, "omop": omop, "target": summary.target, "target_schema": target_schema,
                       "run_id": run_id, "workers": workers, "chunk_size": chunk_size}
        tables_count = {k: v for k, v in summary.counts().items() if v is not None}
        if linkage is not None:
            tables_count["links"] = len(linkage.links)
        manifest = build_manifest(inputs=[], options=run_options, patterns=options.patterns,
                                  definitions=definitions, linking_config=options.linking, tables=tables_count)
        manifest["inputs"] = [{"url": summary.source, "query": query, "table": table, "schema": schema,
                               "omop": omop, "rows": summary.rows_read}]
        if staged is not None:
            atomic_write_text(staged.path / MANIFEST_NAME, json.dumps(manifest, indent=2, default=str) + "\n",
                              private=False)
        if writer is not None:
            writer.append(RUNS_TABLE, pd.DataFrame([{
                "run_id": run_id, "created": manifest["created"], "radpath_version": manifest["radpath_version"],
                "source": summary.source, **{k: summary.counts()[k] for k in
                                              ("rows_read", "reports", "mentions", "errors", "patients", "note_nlp")},
                "manifest": json.dumps(manifest, default=str, sort_keys=False),
            }]))
            writer.commit()
        if staged is not None:
            staged.commit()
    except BaseException:
        if spool is not None:  # failed before the files were joined: no partial output stays behind
            spool.clear()
        if writer is not None:
            writer.__exit__(None, None, None)
        if not files.__exit__(*sys.exc_info()):
            raise
    else:
        if writer is not None:
            writer.__exit__(None, None, None)
        files.__exit__(None, None, None)
    return summary
