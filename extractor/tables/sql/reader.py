"""Read reports from any database SQLAlchemy can reach, in chunks, through a server-side cursor. No spaCy here.

Three ways to say what to read:

- ``query="SELECT ..."`` - any SELECT; its columns are mapped like a file's (``ColumnMap``); rows come in the
  query's order (add ORDER BY for a reproducible run);
- ``table="reports", schema="src"`` - every column of a table, ordered by the report-id column;
- ``omop=True, schema="cdm"`` - the OMOP CDM v5.4 NOTE table (``note`` unless ``table`` says otherwise): only
  note_id, person_id, note_date, note_datetime, note_title, note_type_concept_id and note_text are fetched, ordered
  by note_id, and mapped by :func:`extractor.tables.omop.note_to_reports`.

Rows arrive ``chunk_size`` at a time (``stream_results`` + ``yield_per``: a named cursor on PostgreSQL, so the
client holds one chunk, never the result set). :func:`iter_sql_tables` normalises the chunks with row numbers and
duplicate detection running across them, in the shape ``extractor.run.stream`` consumes.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterator, Mapping

import pandas as pd

from ...errors import InputError
from ..omop import note_to_reports
from ..sources import (  # noqa: F401
    DEFAULT_CHUNK_SIZE,
    ColumnMap,
    ReportTable,
    _check_unique,
    normalise_chunks,
)
from .urls import DatabaseError, create_engine, database_error, mask_url

log = logging.getLogger(__name__)
OMOP_NOTE_FIELDS = ("note_id", "person_id", "note_date", "note_datetime", "note_title", "note_type_concept_id",
                    "note_text")
OMOP_REQUIRED = ("note_id", "person_id", "note_text")


def _source_statement(conn, *, query, table, schema, omop, columns: ColumnMap):
    """The SELECT to run, and a description of the source for messages."""
    import sqlalchemy as sa

    if query is not None:
        if table is not None or omop:
            raise DatabaseError("give either a query or a table / OMOP NOTE table, not both")
        return sa.text(query), "query"
    name = table or ("note" if omop else None)
    if name is None:
        raise DatabaseError("nothing to read: give a query, a table or the OMOP option")
    inspector = sa.inspect(conn)
    where = f"{schema}.{name}" if schema else name
    try:
        found = [c["name"] for c in inspector.get_columns(name, schema=schema)]
    except sa.exc.NoSuchTableError:
        found = []
    if not found:  # unknown table (some dialects return no columns instead of raising)
        raise DatabaseError(f"table {where} not found")
    by_lower = {c.lower(): c for c in found}
    source = sa.table(name, *[sa.column(c) for c in found], schema=schema)
    if omop:
        missing = [c for c in OMOP_REQUIRED if c not in by_lower]
        if missing:
            raise DatabaseError(f"{where} is not an OMOP NOTE table: column(s) {missing} missing; found {found}")
        wanted = [source.c[by_lower[c]] for c in OMOP_NOTE_FIELDS if c in by_lower]
        return sa.select(*wanted).order_by(source.c[by_lower["note_id"]]), where
    order = columns.report_id if columns.report_id in found else by_lower.get(columns.report_id.lower())
    statement = sa.select(*[source.c[c] for c in found])
    if order is not None:
        statement = statement.order_by(source.c[order])
    return statement, where


def iter_sql_reports(
    url: str,
    query: str | None = None,
    table: str | None = None,
    schema: str | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    omop: bool = False,
    columns: ColumnMap = ColumnMap(),
    note_type_names: Mapping[int, str] | None = None,
    copy_first: bool = False,
) -> Iterator[pd.DataFrame]:
    """Raw report chunks (DataFrames) from a query, a table or an OMOP NOTE table; see the module docstring.

    In OMOP mode each chunk is already in radpath's canonical input columns (report_id, patient_id, report_date,
    report_type, text). An empty result yields one empty DataFrame with the result's columns. ``copy_first``: read
    the whole result into a private temporary file first and close the source before the first chunk is yielded
    (for a SQLite file that is also the run's target: SQLite's writer cannot write while a read is open on it)."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    engine = create_engine(url)
    yielded = False
    snapshot = _Snapshot() if copy_first else None
    try:
        with engine.connect() as conn:
            statement, where = _source_statement(conn, query=query, table=table, schema=schema, omop=omop,
                                                 columns=columns)
            log.info("reading %s from %s in chunks of %d", where, mask_url(url), chunk_size)
            result = conn.execution_options(stream_results=True, yield_per=chunk_size).execute(statement)
            keys = [str(k) for k in result.keys()]
            _check_unique(keys, where)
            partitions = result.partitions(chunk_size)
            if snapshot is not None:
                snapshot.fill(keys, partitions)
                partitions = ()
            for rows in partitions:
                frame = _frame(rows, keys)
                yielded = True
                yield _as_reports(frame, note_type_names) if omop else frame
        for rows in (snapshot.rows(chunk_size) if snapshot is not None else ()):  # the source is closed now
            frame = _frame(rows, keys)
            yielded = True
            yield _as_reports(frame, note_type_names) if omop else frame
        if not yielded:
            empty = pd.DataFrame({k: pd.Series(dtype=object) for k in keys})
            yield _as_reports(empty, note_type_names) if omop else empty
    except (DatabaseError, InputError):
        raise
    except Exception as e:  # connecting, reflecting or fetching; the message is the driver's first line, masked
        if not _is_db_error(e):
            raise
        raise database_error(e, url, "cannot read from") from e
    finally:
        engine.dispose()
        if snapshot is not None:
            snapshot.remove()


def _frame(rows, keys: list[str]) -> pd.DataFrame:
    # object columns: an integer id stays an int beside a NULL (pandas would make the column float)
    return pd.DataFrame([tuple(r) for r in rows], columns=keys, dtype=object)


class _Snapshot:
    """A query's rows in a temporary SQLite file of its own (directory and file owner-only, removed at the end).
    Values keep their Python type where SQLite stores it (int, float, text, bytes, NULL); others (dates,
    decimals, booleans) are kept as their text, which is what the reader makes of them anyway."""

    def __init__(self):
        import tempfile

        self.directory = Path(tempfile.mkdtemp(prefix="radpath-sql-"))  # mode 0700
        self.path = self.directory / "source.sqlite"
        self.width = 0

    def fill(self, keys: list[str], partitions) -> None:
        import sqlite3

        self.width = len(keys)
        columns = ", ".join(f"c{i}" for i in range(self.width))
        with sqlite3.connect(self.path) as db:
            db.execute(f"CREATE TABLE rows ({columns})")
            marks = ", ".join("?" * self.width)
            for rows in partitions:
                db.executemany(f"INSERT INTO rows VALUES ({marks})", ([_storable(v) for v in r] for r in rows))
        self.path.chmod(0o600)

    def rows(self, chunk_size: int):
        import sqlite3

        db = sqlite3.connect(self.path)
        try:
            cursor = db.execute("SELECT * FROM rows ORDER BY rowid")
            while batch := cursor.fetchmany(chunk_size):
                yield batch
        finally:
            db.close()

    def remove(self) -> None:
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)


def _storable(value):
    if value is None or isinstance(value, (str, bytes, float)) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, memoryview):
        return bytes(value)
    return str(value)


def sqlite_file(url: str | None):
    """The resolved file of a SQLite URL, or None (another database, or an in-memory one)."""
    from pathlib import Path

    import sqlalchemy as sa

    if not url:
        return None
    try:
        parsed = sa.engine.make_url(url)
    except Exception:  # not a URL: create_engine reports it, masked
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def same_sqlite(source_url: str, target_url: str | None) -> bool:
    """Whether the source and the target are one SQLite file. Such a run copies the source result first
    (``copy_first``): streaming it would hold a read on the file the writer must write to, and SQLite's writer then
    waits for ever (a 1,000-report run hung for 34 minutes)."""
    source = sqlite_file(source_url)
    return source is not None and source == sqlite_file(target_url)


def _is_db_error(e: Exception) -> bool:
    import sqlalchemy as sa

    return isinstance(e, (sa.exc.DBAPIError, sa.exc.SQLAlchemyError))


def _as_reports(note: pd.DataFrame, note_type_names) -> pd.DataFrame:
    return note_to_reports(note, note_type_names=note_type_names)


def iter_sql_tables(
    url: str,
    query: str | None = None,
    table: str | None = None,
    schema: str | None = None,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    omop: bool = False,
    columns: ColumnMap = ColumnMap(),
    note_type_names: Mapping[int, str] | None = None,
    copy_first: bool = False,
) -> Iterator[tuple[ReportTable, float]]:
    """(normalised ReportTable, 0.0) per chunk - the iterator ``extractor.run.stream`` extracts from. Row numbers
    (1-based position in the result) and the set of report ids already seen run across chunks, so rows read =
    reports + errors over the whole source. The fraction is 0.0: a count of a streamed query is not known."""
    columns = ColumnMap() if omop else columns
    raw = iter_sql_reports(url, query, table, schema, chunk_size=chunk_size, omop=omop, columns=columns,
                           note_type_names=note_type_names, copy_first=copy_first)
    return normalise_chunks(((chunk, 0.0) for chunk in raw), columns=columns, source=mask_url(url))
