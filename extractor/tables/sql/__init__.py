"""Reports from SQL databases in, radpath's tables (and OMOP NOTE_NLP) back out: the library behind
``radpath extract-sql``. Needs the ``sql`` extra (SQLAlchemy; psycopg for PostgreSQL), imported lazily.

- :func:`extractor.run.sql.run_sql` - the whole job: source query / table / OMOP NOTE table -> extraction -> linking -> target
  schema and / or an output directory (:mod:`extractor.run.sql`);
- :func:`iter_sql_tables` - normalised report chunks streamed through a server-side cursor (:mod:`.reader`);
- :class:`SqlWriter` - one transaction per run, bulk inserts, rows tagged with a run id (:mod:`.writer`);
- :func:`table_specs` - the target tables and their column types (:mod:`.schema`);
- :func:`mask_url` - a URL with its password hidden, for anything printed (:mod:`.urls`).

See docs/sql.md.
"""
from .reader import iter_sql_reports, iter_sql_tables
from .schema import OUTPUT_TABLES, RUNS_TABLE, table_specs
from .urls import DatabaseError, SchemaMismatchError, mask_url
from .writer import SqlWriter, read_run

__all__ = ["iter_sql_reports", "iter_sql_tables", "SqlWriter",
           "read_run", "table_specs", "OUTPUT_TABLES", "RUNS_TABLE", "DatabaseError", "SchemaMismatchError",
           "mask_url"]
