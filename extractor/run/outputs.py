"""Where a run's tables go: the Sink hooks and the sinks every entry point uses - an output directory written as one
output set (FileSink: DIR locked, chunks spooled to DIR/.radpath-partial/ so an interrupted run can resume, every
table staged aside and swapped in at commit, then patients, links, radpath.duckdb, NOTE_NLP and manifest.json), a
notebook's DataFrames (MemorySink) and the cohort tables of a re-link written in place (CohortSink). The job
(extractor.run.job) imports this module, never the reverse. No spaCy here."""
from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow.parquet as pq

from ..cohort.linking import Linkage
from ..errors import InputError
from ..knowledge.definitions import Definition
from ..tables.files import atomic_write_text, output_set, write_table
from ..tables.omop import note_id_map, note_nlp_frame, write_note_nlp
from ..tables.schemas import errors_frame, mentions_frame, nodules_frame, reports_frame
from ..tables.store import read_frame, write_duckdb, write_frame
from ..tables.typed import text_frame
from .manifest import MANIFEST_NAME
from .model import Chunk, Context, Extraction, Result
from .spool import TABLES, Spool, chunk_file, save_chunk


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
