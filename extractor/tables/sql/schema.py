"""The target schema: radpath's output tables as SQL tables, created when missing and checked when present.

Every table is the file output of the same name with one column in front, ``run_id``, so several runs can share a
schema and a rerun can replace its own rows. Column names and order are those of the files (extractor.tables.schemas,
extractor.cohort.linking, extractor.tables.omop); types are chosen per column, never guessed from the data:

| kind      | columns                                                                   | SQL type        |
| --------- | ------------------------------------------------------------------------- | --------------- |
| bigint    | counts, offsets, row numbers, *_trigger_start (NULL when there is none)   | BIGINT          |
| boolean   | the ConText flags of ``mentions`` (negated, uncertain, ...)               | BOOLEAN         |
| date      | ``note_nlp.nlp_date``                                                     | DATE            |
| timestamp | ``note_nlp.nlp_datetime``                                                 | TIMESTAMP       |
| text      | everything else; ``''`` where the files have an empty cell                | TEXT / VARCHAR  |

An existing table is never altered: when its columns differ from what this version writes (another radpath
version, other case definitions in ``patients``, a CDM ``note_nlp`` without ``run_id``) the run stops before
reading a report, with a :class:`SchemaMismatchError` that names the table and the differences. No spaCy here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..omop import NOTE_NLP_COLUMNS, VARCHAR_LIMITS
from ..schemas import (
    CONTEXT_FLAGS,
    LINK_COLUMNS,
    MENTION_COLUMNS,
    NODULE_COLUMNS,
    NODULE_INTEGER_COLUMNS,
    REPORT_COLUMNS,
)
from ..sources import ERROR_COLUMNS
from .urls import DatabaseError, SchemaMismatchError

RUN_ID = "run_id"
RUNS_TABLE = "radpath_runs"
OUTPUT_TABLES = ("reports", "mentions", "errors", "nodules", "patients", "links", "note_nlp")
RUNS_COLUMNS = (("run_id", "text"), ("created", "text"), ("radpath_version", "text"), ("source", "text"),
                ("rows_read", "bigint"), ("reports", "bigint"), ("mentions", "bigint"), ("errors", "bigint"),
                ("patients", "bigint"), ("note_nlp", "bigint"), ("manifest", "text"))


@dataclass(frozen=True)
class TableSpec:
    """One target table: its name and (column, kind) pairs, ``run_id`` first."""

    name: str
    columns: tuple[tuple[str, str], ...]

    @property
    def names(self) -> list[str]:
        return [c for c, _ in self.columns]

    def kind(self, column: str) -> str:
        return dict(self.columns)[column]


def _spec(name: str, columns: Iterable[str], kinds: dict[str, str]) -> TableSpec:
    return TableSpec(name, ((RUN_ID, "text"), *((c, kinds.get(c, "text")) for c in columns)))


def table_specs(*, patients_columns: Sequence[str] | None = None, note_nlp: bool = False) -> dict[str, TableSpec]:
    """The tables a run writes: reports, mentions, errors, radpath_runs; patients and links when
    ``patients_columns`` is given (they depend on the case definitions in use); note_nlp in OMOP mode."""
    mention_kinds = {c: "bigint" for c in MENTION_COLUMNS
                     if c in {"mention_index", "start_char", "end_char", "sentence_start", "sentence_end"}
                     or c.endswith("_trigger_start")}
    mention_kinds.update({c: "boolean" for c in CONTEXT_FLAGS})
    specs = {
        "reports": _spec("reports", REPORT_COLUMNS, {"n_mentions": "bigint"}),
        "mentions": _spec("mentions", MENTION_COLUMNS, mention_kinds),
        "errors": _spec("errors", ERROR_COLUMNS, {"row": "bigint"}),
        "nodules": _spec("nodules", NODULE_COLUMNS, {c: "bigint" for c in NODULE_INTEGER_COLUMNS}),
    }
    if patients_columns is not None:
        specs["patients"] = _spec("patients", patients_columns,
                                  {c: "bigint" for c in patients_columns if c.startswith("n_")})
        specs["links"] = _spec("links", LINK_COLUMNS, {})
    if note_nlp:
        kinds = {"int64": "bigint", "date": "date", "datetime64[us]": "timestamp", "object": "text"}
        specs["note_nlp"] = _spec("note_nlp", NOTE_NLP_COLUMNS, {c: kinds[t] for c, t in NOTE_NLP_COLUMNS.items()})
    specs[RUNS_TABLE] = TableSpec(RUNS_TABLE, RUNS_COLUMNS)
    return specs


def _sa_type(sa, table: str, column: str, kind: str):
    if kind == "bigint":
        return sa.BigInteger()
    if kind == "boolean":
        return sa.Boolean(create_constraint=False)
    if kind == "date":
        return sa.Date()
    if kind == "timestamp":
        return sa.DateTime()
    if table == "note_nlp" and column in VARCHAR_LIMITS:  # the CDM's varchar(n)
        return sa.String(VARCHAR_LIMITS[column])
    return sa.Text()


def sa_table(spec: TableSpec, metadata, schema: str | None):
    """The SQLAlchemy Table for ``spec`` (with an index on run_id)."""
    import sqlalchemy as sa

    columns = [sa.Column(c, _sa_type(sa, spec.name, c, k), nullable=(c != RUN_ID)) for c, k in spec.columns]
    table = sa.Table(spec.name, metadata, *columns, schema=schema)
    sa.Index(f"ix_{spec.name}_run_id", table.c[RUN_ID])
    return table


def _category(sa, column_type) -> str:
    """The kind a reflected column type belongs to (any integer is bigint, any string type is text)."""
    if isinstance(column_type, sa.Boolean):
        return "boolean"
    if isinstance(column_type, sa.Integer):
        return "bigint"
    if isinstance(column_type, sa.DateTime):
        return "timestamp"
    if isinstance(column_type, sa.Date):
        return "date"
    if isinstance(column_type, sa.String):
        return "text"
    return type(column_type).__name__.lower()


def check_table(spec: TableSpec, found: list[dict], where: str) -> None:
    """Raise SchemaMismatchError when the reflected columns ``found`` are not ``spec``'s (names, case-insensitive,
    and kinds; column order does not matter because rows are inserted by name)."""
    import sqlalchemy as sa

    have = {c["name"].lower(): _category(sa, c["type"]) for c in found}
    want = {c.lower(): k for c, k in spec.columns}
    missing = [c for c in want if c not in have]
    extra = [c for c in have if c not in want]
    retyped = [f"{c} is {have[c]}, expected {k}" for c, k in want.items() if c in have and have[c] != k]
    if not (missing or extra or retyped):
        return
    parts = []
    if missing:
        parts.append(f"missing column(s) {missing}")
    if extra:
        parts.append(f"unexpected column(s) {extra}")
    if retyped:
        parts.append("; ".join(retyped))
    hint = ""
    if spec.name == "patients" and any(c.startswith("def_") for c in missing + extra):
        hint = " (the case definitions in use differ from those of the runs already there)"
    raise SchemaMismatchError(
        f"table {where} exists but does not match this radpath version's {spec.name} table: {'; '.join(parts)}"
        f"{hint}. radpath never alters an existing table: write to another --target-schema, or drop or rename "
        f"{where} yourself")


def ensure_tables(conn, specs: dict[str, TableSpec], schema: str | None) -> dict:
    """Create the missing tables (and the schema) on ``conn``, inside its transaction; check the existing ones.
    Returns name -> SQLAlchemy Table."""
    import sqlalchemy as sa

    inspector = sa.inspect(conn)
    if schema is not None and schema not in inspector.get_schema_names():
        if conn.dialect.name == "sqlite":
            raise DatabaseError(f"schema {schema!r} does not exist; SQLite has no schemas to create "
                                "(leave --target-schema out, or ATTACH the database yourself)")
        conn.execute(sa.schema.CreateSchema(schema))
        inspector = sa.inspect(conn)
    existing = {name.lower(): name for name in inspector.get_table_names(schema=schema)}
    metadata = sa.MetaData()
    tables = {}
    for name, spec in specs.items():
        table = sa_table(spec, metadata, schema)
        tables[name] = table
        where = f"{schema}.{name}" if schema else name
        if name.lower() in existing:
            check_table(spec, inspector.get_columns(existing[name.lower()], schema=schema), where)
        else:
            table.create(conn)
    return tables
