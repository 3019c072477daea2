"""`radpath extract-sql`: reports from a database (a query, a table or the OMOP CDM NOTE table) -> radpath's tables
in a database schema and / or a directory. A thin click layer over extractor.tables.sql.run_sql (registered on the main
group by extractor.cli.main with ``for command in COMMANDS: cli.add_command(command)``)."""
from __future__ import annotations

from pathlib import Path

import click

from ..errors import RadpathError
from ..run.sql import run_sql
from ..run.stream import Progress
from ..tables.sources import ColumnMap
from .common import column_options, log_to_stderr, run_options, user_errors


def _note_types(values) -> dict[int, str]:
    out = {}
    for value in values:
        concept, sep, hint = value.partition("=")
        if not sep or not concept.strip().isdigit() or not hint.strip():
            raise click.BadParameter(f"{value!r}: expected CONCEPT_ID=HINT, e.g. 44814640=pathology",
                                     param_hint="--note-type")
        out[int(concept)] = hint.strip()
    return out


@click.command("extract-sql", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--from-sql", "from_sql", metavar="URL", default=None,
              help="Source database as a SQLAlchemy URL, e.g. postgresql://me@warehouse:5432/cdm or "
                   "sqlite:///notes.db. Default: $RADPATH_DB_URL. Leave the password out: see Credentials above.")
@click.option("--query", default=None, help="A SELECT returning the report columns (mapped with the --*-col "
                                            "options). Add ORDER BY for a reproducible run.")
@click.option("--query-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Read the SELECT from this file instead of --query.")
@click.option("--table", default=None, help="Read every column of this table (ordered by the report-id column).")
@click.option("--omop", is_flag=True,
              help="Read the OMOP CDM v5.4 NOTE table (note_id, person_id, note_date, note_title, note_text; "
                   "--table to name it other than `note`) and also write NOTE_NLP.")
@click.option("--schema", default=None, help="Schema of --table / the NOTE table (e.g. cdm).")
@click.option("--note-type", "note_types", multiple=True, metavar="CONCEPT_ID=HINT",
              help="OMOP: a report-type hint for notes of this note_type_concept_id when note_title is empty, "
                   "e.g. --note-type 44814640=pathology; repeatable.")
@column_options
@click.option("--to-sql", "to_sql", metavar="URL", default=None,
              help="Target database URL (may be the source). Default: $RADPATH_DB_TO_URL.")
@click.option("--target-schema", default=None,
              help="Schema for radpath's tables in the target (created when missing), e.g. radpath.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Also (or only) write the tables as files here, as `radpath extract` does.")
@click.option("--run-id", default=None,
              help="Tag for this run's rows; running again with the same id replaces them. Default: "
                   "run-<UTC time>.")
@run_options
@click.option("-v", "--verbose", is_flag=True, help="Log each step (URLs masked; never report text) to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@user_errors
def extract_sql(from_sql, query, query_file, table, omop, schema, note_types, id_col, patient_col, date_col,
                type_col, text_col, date_format, to_sql, target_schema, out_dir, run_id, run, verbose, quiet):
    """Extract reports read from a database and write the tables back to a database (and / or a directory).

    \b
    What to read (one of):
      --query "SELECT ..."    any SELECT; columns mapped as for files (--text-col NOTE_TEXT ...)
      --table NAME            a table (with --schema)
      --omop                  the OMOP CDM NOTE table (with --schema); also writes NOTE_NLP

    Rows are fetched --chunk-size at a time through a server-side cursor, so memory stays flat for millions of
    reports. The target schema gets the tables reports, mentions, errors, patients, links (and note_nlp with
    --omop), each with the columns of the files of the same name plus run_id, and radpath_runs (one row per run,
    with its manifest). Tables are created when missing and checked when present: a table with other columns is
    an error, never altered.

    \b
    Transactions and run ids:
      the whole run is one transaction on the target: an interrupted or failed run leaves it as it was;
      rerunning with the same --run-id replaces that run's rows, other runs' rows stay.

    \b
    Credentials (never printed; URLs are shown as postgresql://me:***@host/db):
      the URL itself, $RADPATH_DB_URL / $RADPATH_DB_TO_URL, or for PostgreSQL libpq's PGPASSWORD,
      PGPASSFILE or ~/.pgpass when the URL has no password.

    Example:

    \b
        radpath extract-sql --from-sql postgresql://me@warehouse/cdm --omop --schema cdm \\
            --to-sql postgresql://me@warehouse/cdm --target-schema radpath --run-id 2026-12

    More examples (a query with other column names, to SQLite and files; then a cohort in SQL):

    \b
        radpath extract-sql --from-sql sqlite:///notes.db \\
            --query "SELECT id, person, exam_date, kind, body FROM notes ORDER BY id" \\
            --id-col id --patient-col person --date-col exam_date --type-col kind --text-col body \\
            --to-sql sqlite:///results.db --out results

    \b
        psql -c "SELECT patient_id FROM radpath.patients WHERE run_id = '2026-12' AND def_yoon2011_dmo = 'true'"
    """
    if query_file:
        if query:
            raise click.UsageError("give --query or --query-file, not both")
        query = Path(query_file).read_text(encoding="utf-8")
    if verbose and not quiet:
        log_to_stderr()
    from dataclasses import replace

    if date_format == "auto":
        raise click.UsageError("--date-format auto scans a file input; for a query give the format "
                               "(e.g. --date-format %m/%d/%Y), or select the dates as ISO text")
    columns = ColumnMap(id_col, patient_col, date_col, type_col, text_col, date_format)
    if omop and replace(columns, date_format="iso") != ColumnMap():
        raise click.UsageError("--omop reads the NOTE table's standard columns: leave out the --*-col options")
    bar = Progress(False if quiet else None)  # live rows and reports/s on a terminal (a query's total is unknown)
    try:
        summary = run_sql(from_sql, query=query, table=table, schema=schema, omop=omop, columns=columns,
                          note_type_names=_note_types(note_types), target_url=to_sql, target_schema=target_schema,
                          out_dir=out_dir, run_id=run_id, options=run, workers=run.workers, chunk_size=run.chunk_size,
                          progress=bar.update)
    except KeyboardInterrupt:
        raise RadpathError("interrupted: nothing was committed to the target; output files were not written") \
            from None
    finally:
        bar.close()
    if not quiet:
        click.echo(summary.line())


COMMANDS = (extract_sql,)
