"""Write radpath's tables into a database: one transaction per run, bulk inserts, rows tagged with a run id.

::

    with SqlWriter(url, schema="radpath", run_id="2026-11-nightly", specs=table_specs()) as writer:
        writer.append("reports", reports_frame)     # as many chunks as needed
        writer.append("mentions", mentions_frame)
        writer.commit()                             # nothing is visible to other sessions before this

- Opening the writer begins one transaction on one connection, creates the missing tables (and the schema) and
  checks the existing ones (:mod:`extractor.tables.sql.schema`), then deletes the rows of ``run_id`` from every table:
  a rerun with the same run id replaces its rows, other runs' rows stay.
- ``append`` sends a chunk in bulk: ``COPY ... FROM STDIN`` on PostgreSQL (psycopg 3), executemany batches of
  ``batch_size`` rows elsewhere.
- Leaving the ``with`` block without ``commit()`` - an exception, Ctrl-C - rolls everything back, the deletes and
  the table creations included (PostgreSQL and SQLite have transactional DDL), so an interrupted run leaves the
  target as it was. A killed process leaves an open transaction that the server rolls back.

Driver errors become :class:`DatabaseError` with the URL's password masked; statement parameters (report text)
are never quoted (``hide_parameters``). No spaCy here.
"""
from __future__ import annotations

import logging
import math
from typing import Mapping

import pandas as pd

from .schema import RUN_ID, TableSpec, ensure_tables
from .urls import DatabaseError, create_engine, database_error, mask_url

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 5_000


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _converter(kind: str):
    if kind == "bigint":
        return lambda v: None if _missing(v) or v == "" else int(v)
    if kind == "boolean":
        return lambda v: None if _missing(v) or v == "" else (v if isinstance(v, bool) else str(v).lower() == "true")
    if kind in {"date", "timestamp"}:
        return lambda v: None if _missing(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
    return lambda v: None if _missing(v) else str(v)


def frame_rows(frame: pd.DataFrame, spec: TableSpec, run_id: str) -> list[tuple]:
    """``frame`` as tuples of Python values in ``spec``'s column order, ``run_id`` first (missing -> None)."""
    columns = spec.names[1:]
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise ValueError(f"{spec.name}: frame lacks column(s) {absent}")
    converters = [_converter(spec.kind(c)) for c in columns]
    values = frame[columns].astype(object).itertuples(index=False, name=None)
    return [(run_id, *(f(v) for f, v in zip(converters, row))) for row in values]


class SqlWriter:
    """One run's writes into ``schema`` (None: the connection's default schema) in one transaction."""

    def __init__(self, url: str, *, run_id: str, specs: Mapping[str, TableSpec], schema: str | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE):
        if not run_id or not str(run_id).strip():
            raise DatabaseError("the run id must not be empty")
        self.url, self.run_id, self.specs, self.schema = url, str(run_id), dict(specs), schema
        self.batch_size = batch_size
        self.engine = None
        self.conn = None
        self.transaction = None
        self.tables: dict = {}
        self.counts = {name: 0 for name in self.specs}

    # -- lifecycle --------------------------------------------------------------------------------------------
    def __enter__(self) -> "SqlWriter":
        self.engine = create_engine(self.url)
        try:
            self.conn = self.engine.connect()
            self.transaction = self.conn.begin()
            self.tables = ensure_tables(self.conn, self.specs, self.schema)
            for name, table in self.tables.items():
                deleted = self.conn.execute(table.delete().where(table.c[RUN_ID] == self.run_id)).rowcount
                if deleted and deleted > 0:
                    log.info("run %s: replacing %d earlier row(s) of %s", self.run_id, deleted, name)
        except BaseException as e:
            self._close(rollback=True)
            if isinstance(e, DatabaseError) or not _is_db_error(e):
                raise
            raise database_error(e, self.url, "cannot prepare the target tables in") from e
        log.info("writing run %s to %s%s", self.run_id, mask_url(self.url),
                 f" (schema {self.schema})" if self.schema else "")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._close(rollback=self.transaction is not None)

    def _close(self, *, rollback: bool) -> None:
        try:
            if rollback and self.transaction is not None and self.transaction.is_active:
                self.transaction.rollback()
                log.info("run %s: rolled back; the target is as it was", self.run_id)
        finally:
            self.transaction = None
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            if self.engine is not None:
                self.engine.dispose()
                self.engine = None

    def commit(self) -> None:
        try:
            self.transaction.commit()
        except Exception as e:
            if not _is_db_error(e):
                raise
            raise database_error(e, self.url, "cannot commit to") from e
        self.transaction = None
        log.info("run %s committed: %s", self.run_id, ", ".join(f"{n} {c}" for n, c in self.counts.items()))

    # -- writing ----------------------------------------------------------------------------------------------
    def append(self, name: str, frame: pd.DataFrame) -> int:
        """Insert ``frame``'s rows (the file output's columns, without run_id) into table ``name``."""
        if self.transaction is None:
            raise RuntimeError("SqlWriter.append outside an open run")
        if not len(frame):
            return 0
        spec, table = self.specs[name], self.tables[name]
        rows = frame_rows(frame, spec, self.run_id)
        try:
            if self.conn.dialect.name == "postgresql" and self.conn.dialect.driver == "psycopg":
                self._copy(table, spec, rows)
            else:
                names = spec.names
                for start in range(0, len(rows), self.batch_size):
                    batch = [dict(zip(names, row)) for row in rows[start:start + self.batch_size]]
                    self.conn.execute(table.insert(), batch)
        except Exception as e:
            if not _is_db_error(e):
                raise
            raise database_error(e, self.url, f"cannot write {name} to") from e
        self.counts[name] += len(rows)
        return len(rows)

    def _copy(self, table, spec: TableSpec, rows: list[tuple]) -> None:
        from psycopg import sql

        target = sql.Identifier(table.schema, table.name) if table.schema else sql.Identifier(table.name)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(target, sql.SQL(", ").join(map(sql.Identifier,
                                                                                             spec.names)))
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def max_value(self, name: str, column: str) -> int:
        """The largest ``column`` of table ``name`` over the rows now visible in the run's transaction (0 if
        none): where NOTE_NLP ids of a new run start."""
        import sqlalchemy as sa

        table = self.tables[name]
        value = self.conn.execute(sa.select(sa.func.max(table.c[column]))).scalar()
        return int(value or 0)


def _is_db_error(e: BaseException) -> bool:
    import sqlalchemy as sa

    return isinstance(e, (sa.exc.DBAPIError, sa.exc.SQLAlchemyError)) or type(e).__module__.startswith("psycopg")


def read_run(url: str, name: str, *, run_id: str, spec: TableSpec, schema: str | None = None) -> pd.DataFrame:
    """One table's rows of one run, as the file outputs type them: text columns as str (NULL -> ''), bigint
    columns as Int64, boolean as bool, without run_id. Rows in no particular order."""
    import sqlalchemy as sa

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            table = sa.Table(name, sa.MetaData(), *[sa.Column(c) for c in spec.names], schema=schema)
            result = conn.execute(sa.select(*[table.c[c] for c in spec.names[1:]])
                                  .where(table.c[RUN_ID] == run_id))
            frame = pd.DataFrame.from_records(list(result), columns=spec.names[1:])
    except Exception as e:
        if not _is_db_error(e):
            raise
        raise database_error(e, url, f"cannot read {name} from") from e
    finally:
        engine.dispose()
    for column in frame.columns:
        kind = spec.kind(column)
        if kind == "bigint":
            frame[column] = frame[column].astype("Int64")
        elif kind == "boolean":
            frame[column] = frame[column].astype(bool)
        elif kind == "text":
            frame[column] = frame[column].map(lambda v: "" if _missing(v) else str(v)).astype(object)
    return frame
