"""Streaming, parallel extraction of a report file into a directory: bounded memory whatever the input's size.

A thin wrapper over :func:`extractor.run.job.run` (a :class:`~extractor.run.inputs.FileSource` into a
:class:`~extractor.run.outputs.FileSink` writing the tables only). The input is read in chunks (CSV through pandas'
``chunksize``, Parquet by record batches, JSON Lines by lines); each chunk is normalised in the parent (row numbers
and the set of report ids seen so far run across chunks, so duplicates are caught wherever they are), extracted in
a worker process (each builds the pipeline once, in its initializer) and appended, in input order, to the spool
(extractor.run.spool): CSV rows and Parquet row groups. The files are swapped into place only when the whole input has
been read, so an output appears complete or not at all, and the tables are those of
:func:`extractor.run.api.extract_file` (CSV byte for byte; Parquet row for row). Rows read = reports + errors, as always.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pandas as pd

from ..tables.sources import DEFAULT_CHUNK_SIZE, ColumnMap, header_frame, raw_chunks  # noqa: F401
from .api import Extractor
from .inputs import FileSource, check_input, iter_tables  # noqa: F401
from .job import Job, run  # noqa: F401
from .model import RunOptions, RunSummary  # noqa: F401
from .outputs import FileSink  # noqa: F401
from .pool import available_cores  # noqa: F401  (re-exported)
from .progress import Progress  # noqa: F401  (re-exported: the audit page's bar)
from .spool import (
    ROW_GROUP_ROWS,
    TABLES,
    Spool,
    chunk_file,
    remove_crash_leftovers,
    save_chunk,
)


def iter_raw_chunks(path: Path, fmt: str, chunk_size: int):
    """(raw chunk, fraction of the input read so far) in input order; see :func:`extractor.tables.sources.raw_chunks`."""
    return raw_chunks(path, fmt, chunk_size)


def header_only(path: Path, fmt: str) -> pd.DataFrame:
    """The input's columns with no rows (to check the required columns of an input that has none)."""
    return header_frame(path, fmt)


def run_extract(
    input_path: str | Path,
    out_dir: str | Path,
    *,
    columns: ColumnMap = ColumnMap(),
    patterns: str | None = None,
    fmt: str | None = None,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool | Callable[[int], None] | None = None,
    quiet: bool = False,
    resume: bool = False,
    stage=None,
    limits: dict | None = None,
) -> RunSummary:
    """Extract ``input_path`` into ``out_dir`` (reports / mentions / errors / nodules, CSV + Parquet) in chunks.

    ``workers``: processes (default: the cores this process may use; 1 = in this process). ``progress``: None = a
    live bar (rows, reports/s, ETA) when stderr is a terminal, True / False to force it, or a callable given the
    number of rows done per chunk. ``quiet`` silences the final summary line (printed to stderr); the bar follows
    ``progress`` alone. ``resume`` keeps the finished chunks of an interrupted run into the same ``out_dir`` (same
    input, rules and settings) and extracts the rest. The run locks ``out_dir`` and swaps its tables in, replacing
    every output of an earlier run there. ``stage`` is accepted and ignored (deprecated: a caller that writes
    more than the tables runs its own :class:`extractor.run.job.Job`).
    ``limits``: the per-report budget of extractor.run.budget (``max_report_chars``, ``max_seconds_per_report``).
    """
    options = RunOptions(patterns=patterns, link=False, duckdb=False, workers=workers, chunk_size=chunk_size,
                         resume=resume, **(limits or {}))
    result = run(Job(FileSource(input_path, columns=columns, fmt=fmt), [FileSink(out_dir, manifest=False)],
                     engine=Extractor, options=options, progress=progress))
    if not quiet:
        print(result.summary.line(), file=sys.stderr)
    return result.summary
