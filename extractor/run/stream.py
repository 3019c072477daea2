"""Streaming, parallel extraction of a report file: bounded memory whatever the input's size.

The input is read in chunks (CSV through pandas' ``chunksize``, Parquet by record batches, JSON Lines by lines);
each chunk is normalised in the parent (row numbers and the set of report ids seen so far run across chunks, so
duplicates are caught wherever they are), extracted in a worker process (each builds the pipeline once, in its
initializer) and appended, in input order, to temporary output files: CSV rows and Parquet row groups. The files
are renamed into place only when the whole input has been read, so an output appears complete or not at all, and
the tables are those of :func:`extractor.run.api.extract_file` (CSV byte for byte; Parquet row for row).
Rows read = reports + errors, as always.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from ..errors import InputError
from ..tables.files import atomic_write, atomic_write_text, csv_cells, csv_safe
from ..tables.sources import (
    ColumnMap,
    ReportTable,
    detect_format,
    header_frame,
    normalise_chunks,
    raw_chunks,
)
from ..tables.typed import typed_frame
from .pool import extractor, ordered_map

log = logging.getLogger(__name__)
DEFAULT_CHUNK_SIZE = 250  # small enough to balance two workers on a few thousand reports
ROW_GROUP_ROWS = 10_000  # rows per Parquet row group in the joined tables (bounds the join's memory)
TABLES = (("reports", False), ("mentions", True), ("errors", False), ("nodules", False))  # (name, private: holds report text)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class RunSummary:
    """What a run read and wrote; ``summary()`` has the shape of ``Extraction.summary()``."""

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

    @property
    def reports_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def summary(self) -> dict:
        return {"rows_read": self.rows_read, "reports": self.reports, "errors": self.errors,
                "mentions": self.mentions, "by_kind": dict(self.by_kind)}

    def as_dict(self) -> dict:
        return {**self.summary(), "seconds": round(self.seconds, 3), "reports_per_second": round(self.reports_per_second, 1),
                "workers": self.workers, "chunks": self.chunks, "outputs": self.outputs}

    def line(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.by_kind.items()))
        return (f"Read {self.rows_read} rows: {self.reports} reports ({kinds}), {self.errors} errors, "
                f"{self.mentions} mentions in {self.seconds:.1f} s ({self.reports_per_second:.0f} rows/s, "
                f"{self.workers} worker{'s' if self.workers != 1 else ''}"
                + (f"; {self.resumed_chunks} chunks kept from the interrupted run" if self.resumed_chunks else "")
                + ")." + self._dates())

    def _dates(self) -> str:
        """Report dates that are not ok, counted by status (they are kept but never linked)."""
        off = {k: v for k, v in sorted(self.by_date_status.items()) if k != "ok" and v}
        return (" Dates not linked: " + ", ".join(f"{v} {k}" for k, v in off.items()) + ".") if off else ""


# -- reading (extractor.tables.sources holds the one reader and normaliser; these are the names the runner uses) ----------
def iter_raw_chunks(path: Path, fmt: str, chunk_size: int) -> Iterator[tuple[pd.DataFrame, float]]:
    """(raw chunk, fraction of the input read so far) in input order; see :func:`extractor.tables.sources.raw_chunks`."""
    return raw_chunks(path, fmt, chunk_size)


def header_only(path: Path, fmt: str) -> pd.DataFrame:
    """The input's columns with no rows (to check the required columns of an input that has none)."""
    return header_frame(path, fmt)


def iter_tables(path: Path, fmt: str, columns: ColumnMap, chunk_size: int) -> Iterator[tuple[ReportTable, float]]:
    """Normalised chunks of a report file: row numbers and duplicate report ids carried across chunks."""
    return normalise_chunks(iter_raw_chunks(path, fmt, chunk_size), columns=columns, source=str(path),
                            header=lambda: header_only(path, fmt))


# -- extracting --------------------------------------------------------------------------------------------------
def _extract_chunk(index: int, table: ReportTable, spool: Path) -> tuple[dict, list[tuple]]:
    """Extract one chunk and write it to the spool (in the worker: only counts travel back to the parent)."""
    result = extractor().extract_table(table)
    reports, errors = result.reports, result.errors
    counts = {"reports": len(reports), "errors": len(errors), "mentions": len(result.mentions),
              "by_kind": reports["report_kind"].value_counts().to_dict(),
              "by_date_status": reports["report_date_status"].value_counts().to_dict()}
    save_chunk(spool, index, {"reports": reports, "mentions": result.mentions, "errors": errors,
                              "nodules": result.nodules}, counts)
    return counts, list(errors[["row", "report_id", "reason"]].itertuples(index=False, name=None))


# -- writing -----------------------------------------------------------------------------------------------------
def chunk_file(spool: Path, index: int, name: str, ext: str) -> Path:
    return spool / f"chunk-{index:07d}.{name}.{ext}"


def save_chunk(spool: Path, index: int, frames: dict[str, pd.DataFrame], counts: dict) -> None:
    """A chunk's tables as CSV rows and Parquet, then its ``.done`` marker: complete or absent."""
    for name, frame in frames.items():
        atomic_write(chunk_file(spool, index, name, "csv"),
                     lambda tmp: csv_cells(frame).to_csv(tmp, index=False, header=False), private=True)
        atomic_write(chunk_file(spool, index, name, "parquet"),
                     lambda tmp: typed_frame(frame).to_parquet(tmp, index=False), private=True)
    atomic_write_text(chunk_file(spool, index, "counts", "done"), json.dumps(counts), private=True)


# what extractor.tables.files.atomic_write leaves when a run is killed while writing: ".<output>.<8 random>.tmp"
_OUTPUT_NAMES = r"(?:(?:reports|mentions|errors|patients|links|note_nlp)\.(?:csv|parquet)|manifest\.json|radpath\.duckdb|audit\.html)"
_CRASH_LEFTOVER = re.compile(r"^\.(?:%s|chunk-\d+\.\w+\.\w+)\.[a-z0-9_]{8}\.tmp$" % _OUTPUT_NAMES)


def remove_crash_leftovers(directory: Path) -> list[Path]:
    """Delete the temporary files a killed run left in ``directory`` and its spool (radpath's own names only: a
    file of the user's is never touched). Run at the start of every run and every --resume."""
    removed = []
    for folder in (directory, directory / Spool.NAME):
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if _CRASH_LEFTOVER.match(entry.name) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    if removed:
        log.info("removed %d temporary file(s) an interrupted run left in %s", len(removed), directory)
    return removed


class Spool:
    """Finished chunks, kept in DIR/.radpath-partial/ (owner-only) until the run ends.

    Each chunk's tables are written there (by the worker that extracted it, see :func:`save_chunk`) as CSV rows
    and a Parquet file, then a ``chunk-N.done`` marker with its counts: a chunk is either complete or absent. At the end the chunks are joined, in input order, into the final
    files (each written aside and renamed) and the spool is removed. A run started with ``resume=True`` keeps the
    chunks of an interrupted run of the same input and settings (``state.json``) and extracts only the others.
    """

    NAME = ".radpath-partial"

    def __init__(self, directory: Path, state: dict, *, resume: bool):
        self.directory = directory
        self.path = directory / self.NAME
        self.state = state
        self.resumed = 0
        remove_crash_leftovers(directory)
        if resume and self._state_matches():
            self.resumed = len(list(self.path.glob("chunk-*.done")))
        else:
            self.clear()
            self.path.mkdir(mode=0o700)
            atomic_write_text(self.path / "state.json", json.dumps(state, sort_keys=True), private=True)

    def _state_matches(self) -> bool:
        try:
            return json.loads((self.path / "state.json").read_text(encoding="utf-8")) == self.state
        except (OSError, ValueError):
            return False

    def clear(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def _file(self, index: int, name: str, ext: str) -> Path:
        return chunk_file(self.path, index, name, ext)

    def done(self, index: int) -> dict | None:
        """The counts of a finished chunk, or None."""
        try:
            return json.loads(self._file(index, "counts", "done").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def join(self, chunks: int, private: dict[str, bool], into: Path | None = None) -> list[Path]:
        """Write <name>.csv and .parquet into ``into`` (an OutputSet's staging directory; default DIR, and the
        spool is then removed) from chunks 0..chunks-1 (there is always a chunk 0)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        written = []
        for name in private:
            empty = pd.read_parquet(self._file(0, name, "parquet")).iloc[0:0]
            def write_csv(tmp: str) -> None:
                with open(tmp, "w", encoding="utf-8", newline="") as out:
                    empty.to_csv(out, index=False)
                with open(tmp, "ab") as out:
                    for index in range(chunks):
                        with open(self._file(index, name, "csv"), "rb") as part:
                            shutil.copyfileobj(part, out)

            def write_parquet(tmp: str) -> None:
                writer = schema = None
                group: list = []  # chunks gathered into row groups of about ROW_GROUP_ROWS rows

                def flush() -> None:
                    if group:
                        writer.write_table(pa.concat_tables(group))
                        group.clear()

                for index in range(chunks):
                    table = pq.read_table(self._file(index, name, "parquet"))
                    if not table.num_rows:
                        continue
                    if writer is None:  # the first chunk with rows fixes the schema; all-null columns become strings
                        schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f
                                            for f in table.schema], metadata=table.schema.metadata)
                        writer = pq.ParquetWriter(tmp, schema)
                    group.append(table.cast(schema))
                    if sum(t.num_rows for t in group) >= ROW_GROUP_ROWS:
                        flush()
                if writer is None:  # no rows at all: the file an in-memory run writes for an empty table
                    empty.to_parquet(tmp, index=False)
                else:
                    flush()
                    writer.close()

            target = into if into is not None else self.directory
            written.append(atomic_write(target / f"{name}.csv", write_csv, private=private[name]))
            written.append(atomic_write(target / f"{name}.parquet", write_parquet, private=private[name]))
        if into is None:
            self.clear()
        return written


# -- progress ----------------------------------------------------------------------------------------------------
class Progress:
    """A live rich progress display on stderr (rows, reports/s, ETA), or nothing; a callable ``progress`` gets row
    counts. ``progress``: None = only when stderr is a terminal, True / False to force it. ``counted`` and ``unit``
    name what is counted ("rows", "reports/s" for a run; "patients", "patients/s" for the audit page)."""

    def __init__(self, progress, *, counted: str = "rows", unit: str = "reports"):
        self.callback = progress if callable(progress) else None
        show = progress if isinstance(progress, bool) else None
        if show is None:
            show = sys.stderr.isatty()
        self.bar = None
        if show:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]radpath[/bold]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[rows]:,} " + counted), TextColumn("{task.fields[rate]:,.0f} " + unit + "/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=sys.stderr), transient=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("extract", total=1000, rows=0, rate=0.0)
        self.started = time.perf_counter()
        self.rows = 0

    def update(self, rows: int, fraction: float | None = None) -> None:
        """``rows`` more done; ``fraction`` of the input read so far, or None when the total is unknown (a SQL
        query: the bar then shows rows and reports/s without a percentage or ETA)."""
        self.rows += rows
        if self.callback is not None:
            self.callback(rows)
        if self.bar is not None:
            elapsed = max(time.perf_counter() - self.started, 1e-9)
            done = {"total": None} if fraction is None else {"completed": int(fraction * 1000)}
            self.bar.update(self.task, rows=self.rows, rate=self.rows / elapsed, **done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=1000, completed=1000)
            self.bar.stop()


# -- the run -----------------------------------------------------------------------------------------------------
def _run_state(path: Path, fmt: str, columns: ColumnMap, patterns: str | None, chunk_size: int) -> dict:
    """What must not change between an interrupted run and its resumption."""
    from dataclasses import asdict

    from .. import __version__
    from ..knowledge.ruleset import load_ruleset

    info = path.stat()
    return {"input": str(path.resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns, "format": fmt,
            "columns": asdict(columns), "rules": load_ruleset(patterns).fingerprint(), "chunk_size": chunk_size,
            "csv_safe": csv_safe(), "version": __version__}


def check_input(input_path: str | Path, fmt: str | None = None) -> tuple[Path, str]:
    """The input file and its format, or an InputError (before any output directory is touched)."""
    path = Path(input_path)
    if path.is_dir():
        raise InputError("is a directory; give a report table file", path=str(path))
    if not path.exists():
        raise InputError("file not found", path=str(path))
    return path, detect_format(path, fmt)


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
    """Extract ``input_path`` into ``out_dir`` (reports / mentions / errors, CSV + Parquet) in chunks.

    ``workers``: processes (default: the cores this process may use; 1 = in this process). ``progress``: None = a
    live bar (rows, reports/s, ETA) when stderr is a terminal, True / False to force it, or a callable given the
    number of rows done per chunk. ``quiet`` silences the final summary line (printed to stderr); the bar follows
    ``progress`` alone. ``resume`` keeps the finished chunks of an interrupted run into the same ``out_dir`` (same
    input, rules and settings) and extracts the rest.
    ``stage``: an :class:`extractor.tables.files.OutputSet` of ``out_dir`` to write the tables into (the caller adds its
    own and commits); by default the run locks ``out_dir`` and swaps its tables in itself, replacing every
    output of an earlier run there.
    ``limits``: the per-report budget of extractor.run.budget (``max_report_chars``, ``max_seconds_per_report``).
    """
    path, fmt = check_input(input_path, fmt)
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    workers = available_cores() if workers is None else max(1, int(workers))
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    if stage is None:
        from ..tables.files import output_set

        with output_set(directory) as staged:
            summary = run_extract(path, directory, columns=columns, patterns=patterns, fmt=fmt, workers=workers,
                                  chunk_size=chunk_size, progress=progress, quiet=True, resume=resume, stage=staged,
                                  limits=limits)
            staged.commit()
        if not quiet:
            print(summary.line(), file=sys.stderr)
        return summary
    state = {**_run_state(path, fmt, columns, patterns, chunk_size), "limits": limits or {}}
    spool = Spool(directory, state, resume=resume)
    summary = RunSummary(workers=workers, resumed_chunks=spool.resumed)
    bar = Progress(progress)
    started = time.perf_counter()

    def add(counts: dict, rows: int, fraction: float) -> None:
        summary.rows_read += rows
        summary.reports += counts["reports"]
        summary.errors += counts["errors"]
        summary.mentions += counts["mentions"]
        summary.by_kind.update(counts["by_kind"])
        summary.by_date_status.update(counts.get("by_date_status", {}))
        summary.chunks += 1
        bar.update(rows, fraction)

    def to_extract() -> Iterator:
        for index, (table, fraction) in enumerate(iter_tables(path, fmt, columns, chunk_size)):
            counts = spool.done(index)
            if counts is None:
                yield (index, table, spool.path), (table.rows_read, fraction)
            else:  # finished by the interrupted run
                add(counts, table.rows_read, fraction)

    try:
        for (counts, errors), (rows, fraction) in ordered_map(_extract_chunk, to_extract(), workers=workers,
                                                              patterns=patterns, limits=limits):
            for row, report_id, reason in errors:  # ids and reasons only: messages never quote report text
                log.info("row %s (report %r): %s", row, report_id, reason)
            add(counts, rows, fraction)
        summary.outputs = [str(directory / p.name) for p in spool.join(summary.chunks, dict(TABLES), into=stage.path)]
        stage.also_remove.append(spool.path)  # kept until the new set is in place: a crash before can resume
    except InputError:  # the input itself is wrong: nothing worth resuming
        spool.clear()
        raise
    finally:
        bar.close()
    summary.seconds = time.perf_counter() - started
    if summary.rows_read != summary.reports + summary.errors:  # the contract every run keeps
        raise RuntimeError(f"rows read {summary.rows_read} != reports {summary.reports} + errors {summary.errors}")
    if not quiet:
        print(summary.line(), file=sys.stderr)
    return summary
