"""Stores for the linked tables: atomic CSV + Parquet, and one DuckDB file DIR/radpath.duckdb. No spaCy here.

DuckDB is imported only when a database is written or read (``pip install duckdb``); the database holds the
tables ``reports``, ``mentions``, ``patients`` and ``links`` and one view ``cohort_<id>`` per case definition::

    CREATE VIEW cohort_<id> AS SELECT * FROM patients WHERE def_<id>   -- a boolean column

each with a COMMENT giving the definition's title and citation. The file quotes report text (mentions), so it is
created readable by its owner only - and so are its WAL and spill files while it is built (under umask 077,
in the run's owner-only staging directory); a failed build removes them, and the next run removes what a killed
one left (extractor.tables.files.recover).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..errors import InputError, RadpathError
from ..knowledge.definitions import Definition
from .files import COMMIT_NAME, STAGING_NAME, atomic_write, write_table
from .typed import text_frame, typed_frame

DB_NAME = "radpath.duckdb"
TABLES = ("reports", "mentions", "patients", "links", "nodules")


DUCKDB_MEMORY_LIMIT = "128MB"  # building DIR/radpath.duckdb streams Parquet through DuckDB; memory stays bounded

def write_frame(frame: pd.DataFrame, directory: str | Path, name: str, *, private: bool = False) -> list[Path]:
    return write_table(frame, directory, name, private=private)


def read_frame(directory: str | Path, name: str, *, required: bool = True) -> pd.DataFrame | None:
    """Read DIR/name.parquet (or .csv) with every column as text except whole numbers already typed."""
    directory = Path(directory)
    if (directory / STAGING_NAME / COMMIT_NAME).is_file():  # a run was killed while swapping its set in
        raise InputError("holds the output set of a run killed while it was being swapped in: run the same "
                         "`radpath extract` with --resume (any run into this directory finishes the swap first)",
                         path=str(directory))
    parquet, csv = directory / f"{name}.parquet", directory / f"{name}.csv"
    if parquet.is_file():
        try:
            return text_frame(pd.read_parquet(parquet))
        except Exception as e:  # pyarrow raises several unrelated types for a bad file
            raise InputError(f"cannot read as Parquet: {e}", path=str(parquet)) from e
    if csv.is_file():
        return pd.read_csv(csv, dtype=str, keep_default_na=False)
    if required:
        raise InputError(f"no {name}.parquet or {name}.csv here (run `radpath extract` first)", path=str(directory))
    return None


def _duckdb():
    try:
        import duckdb
    except ImportError as e:
        raise RadpathError("the DuckDB store needs the duckdb package: pip install duckdb") from e
    return duckdb


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_duckdb(
    directory: str | Path,
    *,
    reports: pd.DataFrame | Path,
    patients: pd.DataFrame,
    mentions: pd.DataFrame | Path | None = None,
    links: pd.DataFrame | None = None,
    definitions: Iterable[Definition] = (),
    nodules: pd.DataFrame | Path | None = None,
) -> Path:
    """Write DIR/radpath.duckdb (replacing it atomically): tables and one documented view per definition."""
    duckdb = _duckdb()
    directory = Path(directory)
    target = directory / DB_NAME
    frames = {"reports": reports, "patients": patients}
    if mentions is not None:
        frames["mentions"] = mentions
    if links is not None:
        frames["links"] = links
    if nodules is not None:
        frames["nodules"] = nodules

    def build(tmp: str) -> None:
        Path(tmp).unlink(missing_ok=True)  # duckdb wants to create the file itself
        spill = Path(tmp + ".spill")  # DuckDB's temporary files when it spills beyond its memory limit
        old_umask = os.umask(0o077)  # the file, its WAL and spill files quote report text: owner-only from birth
        try:
            con = duckdb.connect(tmp, config={"memory_limit": DUCKDB_MEMORY_LIMIT, "threads": 1,
                                              "preserve_insertion_order": False, "temp_directory": str(spill)})
            try:
                fill(con)
            finally:
                con.close()
        finally:
            os.umask(old_umask)
            Path(tmp + ".wal").unlink(missing_ok=True)  # left only by a failed build
            shutil.rmtree(spill, ignore_errors=True)

    def fill(con) -> None:
        for name, frame in frames.items():
            if isinstance(frame, Path):  # a Parquet file DuckDB reads itself, without a pandas copy
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(frame)])
                continue
            con.register("frame_in", typed_frame(frame))  # the same column types as the Parquet files
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame_in')
            con.unregister("frame_in")
        con.execute("COMMENT ON TABLE patients IS 'one row per patient with an ultrasound (contract v1); "
                    "see docs/patients-and-definitions.md'")
        for d in definitions:
            if d.column not in patients.columns:
                continue
            view = f"cohort_{d.id}"
            con.execute(f'CREATE VIEW "{view}" AS SELECT * FROM patients WHERE "{d.column}"')
            con.execute(f'COMMENT ON VIEW "{view}" IS {_sql_text(d.title + " - " + d.citation)}')

    atomic_write(target, build, private=True)
    return target


def read_duckdb(path: str | Path, sql: str) -> pd.DataFrame:
    """Run one query against a radpath DuckDB file (read-only) and return a DataFrame."""
    duckdb = _duckdb()
    path = Path(path)
    if not path.is_file():
        raise InputError("DuckDB file not found", path=str(path))
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
