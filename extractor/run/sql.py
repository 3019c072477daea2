"""The whole job from a database: read reports in chunks, extract, link, and write the tables to a database
and / or a directory. No spaCy in this module (extraction runs in extractor.run.pool's workers).

::

    from extractor.run.sql import run_sql

    summary = run_sql("postgresql+psycopg://me@warehouse/cdm", omop=True, schema="cdm",
                      target_url="postgresql+psycopg://me@warehouse/cdm", target_schema="radpath",
                      run_id="2026-12-nightly")

One :func:`extractor.run.job.run` with a :class:`SqlSource` (a query, a table or the OMOP CDM NOTE table, streamed in
chunks) and a :class:`SqlSink` (the target, one transaction) and / or the job's
:class:`~extractor.run.outputs.FileSink`. Each chunk's reports, mentions, errors (and, in OMOP mode, NOTE_NLP rows)
go to the target as soon as they are extracted, inside the run's single transaction
(:class:`extractor.tables.sql.writer.SqlWriter`). Linking reads the report rows the job keeps (no text, no evidence);
then patients and links are written, the run is recorded in ``radpath_runs`` with its manifest (URLs masked) and
the transaction commits, before the directory's output set is swapped in. With ``out_dir`` the same tables are
also written as files, exactly as ``radpath extract`` writes them (CSV + Parquet, radpath.duckdb, manifest.json).
"""
from __future__ import annotations

import json
import logging
import os
from contextlib import ExitStack
from dataclasses import asdict, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping

import pandas as pd

from ..tables.omop import note_nlp_frame
from ..tables.sources import DEFAULT_CHUNK_SIZE, ColumnMap, ReportTable
from ..tables.sql.reader import iter_sql_tables, same_sqlite
from ..tables.sql.schema import RUNS_TABLE, table_specs
from ..tables.sql.urls import (
    SOURCE_ENV,
    TARGET_ENV,
    DatabaseError,
    mask_url,
    resolve_url,
)
from ..tables.sql.writer import SqlWriter
from .api import Extractor
from .job import Job, run
from .manifest import build_manifest
from .model import Chunk, Context, Result, RunOptions, RunSummary
from .outputs import FileSink, Sink
from .pool import available_cores

log = logging.getLogger(__name__)
SqlRunSummary = RunSummary  # one run summary for every entry point (run_id, source and target set here)


def default_run_id(now: datetime | None = None) -> str:
    return "run-" + (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


class SqlSource:
    """Reports from a database: ``query``, ``table`` (in ``schema``) or, with ``omop``, the OMOP CDM NOTE table,
    streamed ``chunk_size`` rows at a time. ``copy_first``: snapshot the rows first (the target is the same
    SQLite file)."""

    def __init__(self, url: str, *, query: str | None = None, table: str | None = None, schema: str | None = None,
                 omop: bool = False, columns: ColumnMap = ColumnMap(),
                 note_type_names: Mapping[int, str] | None = None, copy_first: bool = False,
                 run_id: str | None = None, manifest_options: Mapping | None = None):
        self.url, self.query, self.table, self.schema, self.omop = url, query, table, schema, omop
        self.columns, self.note_type_names, self.copy_first = columns, note_type_names, copy_first
        self.run_id, self.extra_options = run_id, dict(manifest_options or {})
        self.name = mask_url(url)

    def check(self, options: RunOptions) -> list[str]:
        return []

    def state(self) -> None:
        return None  # a streamed query cannot resume

    def chunks(self, chunk_size: int) -> Iterator[tuple[ReportTable, None]]:
        for chunk, _ in iter_sql_tables(self.url, self.query, self.table, self.schema, chunk_size=chunk_size,
                                        omop=self.omop, columns=self.columns, note_type_names=self.note_type_names,
                                        copy_first=self.copy_first):
            yield chunk, None  # a count of a streamed query is not known

    def manifest(self, options: RunOptions, summary: RunSummary, **common) -> dict:
        run_options = {**asdict(options), "columns": asdict(self.columns), "query": self.query, "table": self.table,
                       "schema": self.schema, "omop": self.omop, **self.extra_options}
        manifest = build_manifest(inputs=[], options=run_options, **common)
        manifest["inputs"] = [{"url": self.name, "query": self.query, "table": self.table, "schema": self.schema,
                               "omop": self.omop, "rows": summary.rows_read}]
        return manifest


class SqlSink(Sink):
    """A target database: every table appended with the run id, in one transaction that commits at the end (an
    earlier run of the same id replaced). With ``omop`` each chunk's NOTE_NLP rows are derived here, numbered
    after the target's, and handed to the sinks after this one (a directory gets the same rows)."""

    def __init__(self, url: str, *, run_id: str, schema: str | None = None, omop: bool = False,
                 nlp_datetime: datetime | None = None):
        self.url, self.run_id, self.schema, self.omop = url, run_id, schema, omop
        self.nlp_datetime = nlp_datetime
        self.writer: SqlWriter | None = None
        self.specs = None
        self.next_note_nlp = 1
        self.note_nlp_rows = 0

    def open(self, context: Context, stack: ExitStack) -> None:
        self.specs = table_specs(patients_columns=context.patients_columns, note_nlp=self.omop)
        self.writer = stack.enter_context(SqlWriter(self.url, run_id=self.run_id, specs=self.specs,
                                                    schema=self.schema))
        if self.omop:
            self.next_note_nlp = self.writer.max_value("note_nlp", "note_nlp_id") + 1

    def add(self, chunk: Chunk) -> None:
        if self.omop:
            chunk.tables["note_nlp"] = self.note_nlp(chunk.tables["mentions"])
        for name, frame in chunk.tables.items():
            self.writer.append(name, frame)

    def note_nlp(self, mentions: pd.DataFrame) -> pd.DataFrame:
        frame = note_nlp_frame(mentions, nlp_datetime=self.nlp_datetime)
        frame["note_nlp_id"] += self.next_note_nlp - 1
        self.next_note_nlp += len(frame)
        self.note_nlp_rows += len(frame)
        return frame

    def finish(self, result: Result) -> dict[str, int]:
        if result.linkage is not None:
            if list(result.linkage.patients.columns) != self.specs["patients"].names[1:]:
                raise RuntimeError("patients columns changed between the probe and the run")
            self.writer.append("patients", result.linkage.patients)
            self.writer.append("links", result.linkage.links)
        if not self.omop:
            return {}
        result.summary.note_nlp = self.note_nlp_rows
        return {"note_nlp": self.note_nlp_rows}

    def record(self, manifest: dict, result: Result) -> None:
        counts = result.summary.counts()
        self.writer.append(RUNS_TABLE, pd.DataFrame([{
            "run_id": self.run_id, "created": manifest["created"], "radpath_version": manifest["radpath_version"],
            "source": result.summary.source, **{k: counts[k] for k in
                                                ("rows_read", "reports", "mentions", "errors", "patients",
                                                 "note_nlp")},
            "manifest": json.dumps(manifest, default=str, sort_keys=False),
        }]))

    def commit(self) -> None:
        self.writer.commit()


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
) -> RunSummary:
    """Read reports from ``source_url`` (a query, a table or, with ``omop``, the OMOP CDM NOTE table), extract
    and link them, and write the tables to ``target_url`` (schema ``target_schema``, rows tagged ``run_id``)
    and / or ``out_dir``. ``source_url`` / ``target_url`` default to $RADPATH_DB_URL / $RADPATH_DB_TO_URL; at least
    one of a target and ``out_dir`` is needed. NOTE_NLP is written in OMOP mode (note ids are integers there).
    ``workers``: extraction processes (None: every usable core). ``progress`` is called with the number of rows
    finished per chunk. Returns the run's summary; raises DatabaseError / InputError (URLs masked)."""
    source_url = resolve_url(source_url, env=SOURCE_ENV, what="source database")
    if target_url is None and out_dir is None:
        target_url = os.environ.get(TARGET_ENV)
        if not target_url:
            raise DatabaseError(f"nowhere to write: give a target database URL (or set {TARGET_ENV}), an output "
                                "directory, or both")
    run_id = run_id or default_run_id()
    workers = available_cores() if workers is None else max(1, int(workers))
    nlp_datetime = (nlp_datetime or datetime.now()).replace(microsecond=0)
    out = Path(out_dir) if out_dir is not None else None
    masked_target = mask_url(target_url) or None
    source = SqlSource(source_url, query=query, table=table, schema=schema, omop=omop, columns=columns,
                       note_type_names=note_type_names, copy_first=same_sqlite(source_url, target_url),
                       manifest_options={"target": masked_target, "target_schema": target_schema, "run_id": run_id,
                                         "workers": workers, "chunk_size": chunk_size})
    sinks: list[Sink] = []
    if target_url:
        sinks.append(SqlSink(target_url, run_id=run_id, schema=target_schema, omop=omop, nlp_datetime=nlp_datetime))
    if out is not None:
        sinks.append(FileSink(out))
    summary = RunSummary(run_id=run_id, source=source.name, target=masked_target, target_schema=target_schema,
                         out_dir=str(out) if out else None, workers=workers)
    job_options = replace(options, workers=workers, chunk_size=chunk_size, resume=False)
    result = run(Job(source, sinks, engine=Extractor, options=job_options, progress=progress or False,
                     summary=summary))
    return result.summary
