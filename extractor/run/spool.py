"""The spool of a chunked run: each chunk's tables written as it finishes, joined in input order at the end.

A chunk's tables go to DIR/.radpath-partial/ as CSV rows and a Parquet file, then a ``.done`` marker with its
counts, so a chunk is complete or absent; a run killed half-way can resume from the finished chunks
(:class:`Spool`), and the final files are joined from them without holding more than a row group in memory. Used
by the job's file sink (extractor.run.outputs). No spaCy here.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
from pathlib import Path

import pandas as pd

from ..tables.files import atomic_write, atomic_write_text, csv_cells
from ..tables.typed import typed_frame

log = logging.getLogger(__name__)
ROW_GROUP_ROWS = 10_000  # rows per Parquet row group in the joined tables (bounds the join's memory)
TABLES = (("reports", False), ("mentions", True), ("errors", False), ("nodules", False))  # (name, private: holds report text)


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
