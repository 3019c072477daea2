"""What must never happen to a target database: a silent ALTER, a half-written run, a printed password."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from extractor.cli.sql import extract_sql
from extractor.run.sql import run_sql
from extractor.tables.sql import SchemaMismatchError, mask_url
from extractor.tables.sql.urls import DatabaseError, scrub

from .conftest import count_rows, load_note


def _execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _qualified(db, table: str) -> str:
    return f'"{db.schema}"."{table}"' if db.schema else f'"{table}"'


# -- schema --------------------------------------------------------------------------------------------------------
def test_a_table_with_other_columns_is_a_clear_error_and_is_left_alone(db, note):
    load_note(db.url, note, schema=db.cdm)
    if db.schema:
        _execute(db.url, f'CREATE SCHEMA "{db.schema}"')
    _execute(db.url, f'CREATE TABLE {_qualified(db, "reports")} (run_id TEXT, report_id TEXT, legacy_score INTEGER)',
             f"INSERT INTO {_qualified(db, 'reports')} VALUES ('old', 'R1', 3)")
    result = CliRunner().invoke(extract_sql, ["--from-sql", db.url, "--omop", *(["--schema", db.cdm] if db.cdm else []),
                                              "--to-sql", db.url, *(["--target-schema", db.schema] if db.schema else []),
                                              "--run-id", "x"])
    assert result.exit_code == 2, result.output
    message = result.output.strip().splitlines()[-1]
    assert message.startswith("Error: table ") and "reports" in message
    assert "legacy_score" in message and "missing column(s)" in message and "never alters" in message
    assert "Traceback" not in result.output
    engine = sa.create_engine(db.url)
    with engine.connect() as conn:
        columns = [c["name"] for c in sa.inspect(conn).get_columns("reports", schema=db.schema)]
        tables = sa.inspect(conn).get_table_names(schema=db.schema)
    engine.dispose()
    assert columns == ["run_id", "report_id", "legacy_score"]  # not altered
    assert set(tables) - {"note"} == {"reports"}  # and nothing else created: the check runs before anything is written
    assert count_rows(db.url, "reports", schema=db.schema) == 1


def test_a_column_of_another_type_is_a_mismatch(db, note):
    load_note(db.url, note, schema=db.cdm)
    from extractor.tables.sql.schema import table_specs

    spec = table_specs()["errors"]
    columns = ", ".join(f'"{c}" TEXT' for c in spec.names)  # row should be an integer
    if db.schema:
        _execute(db.url, f'CREATE SCHEMA "{db.schema}"')
    _execute(db.url, f'CREATE TABLE {_qualified(db, "errors")} ({columns})')
    with pytest.raises(SchemaMismatchError, match=r"row is text, expected bigint"):
        run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="a")


def test_other_case_definitions_are_a_mismatch_in_patients(db, note, tmp_path):
    load_note(db.url, note, schema=db.cdm)
    run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="a")
    definition = tmp_path / "mine.toml"
    source = (__import__("extractor.knowledge.resources", fromlist=["patterns_dir"]).patterns_dir()
              / "definitions" / "strict_dmo.toml").read_text()
    definition.write_text(source.replace('id = "strict_dmo"', 'id = "mine"'))
    from extractor.run.api import RunOptions

    with pytest.raises(SchemaMismatchError, match=r"def_mine.*case definitions"):
        run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="b",
                options=RunOptions(definitions=(str(definition),)))
    assert count_rows(db.url, "reports", schema=db.schema, run_id="b") == 0


# -- transactions --------------------------------------------------------------------------------------------------
class Interrupt(KeyboardInterrupt):
    pass


def _interrupt_after(chunks: int):
    seen = []

    def progress(rows):
        seen.append(rows)
        if len(seen) >= chunks:
            raise Interrupt()

    return progress


def test_an_interrupted_first_run_leaves_no_tables(db, note, tmp_path):
    load_note(db.url, note, schema=db.cdm)
    with pytest.raises(Interrupt):
        run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="i",
                chunk_size=10, progress=_interrupt_after(3), out_dir=tmp_path / "out")
    for name in ("reports", "mentions", "errors", "note_nlp", "radpath_runs"):
        assert count_rows(db.url, name, schema=db.schema) is None, name  # the CREATE TABLEs were rolled back too
    assert not (tmp_path / "out" / "reports.csv").exists()
    assert not [p for p in (tmp_path / "out").iterdir()] if (tmp_path / "out").exists() else True


def test_an_interrupted_rerun_keeps_the_committed_run(db, note):
    load_note(db.url, note, schema=db.cdm)
    first = run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="r",
                    chunk_size=20)
    with pytest.raises(Interrupt):
        run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="r",
                chunk_size=20, progress=_interrupt_after(2))
    assert count_rows(db.url, "reports", schema=db.schema, run_id="r") == first.reports  # the DELETE rolled back
    assert count_rows(db.url, "mentions", schema=db.schema, run_id="r") == first.mentions
    assert count_rows(db.url, "radpath_runs", schema=db.schema) == 1


def test_a_killed_process_leaves_nothing(db, note, tmp_path):
    """SIGKILL in the middle of writing (no Python cleanup at all): the server / SQLite rolls the run back."""
    load_note(db.url, note, schema=db.cdm)
    command = [sys.executable, "-c", "from extractor.cli.sql import extract_sql; extract_sql()",
               "--from-sql", db.url, "--omop", *(["--schema", db.cdm] if db.cdm else []), "--to-sql", db.url,
               *(["--target-schema", db.schema] if db.schema else []), "--run-id", "k", "--chunk-size", "5",
               "--workers", "1", "--verbose"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 120
        for line in process.stderr:  # wait until two chunks have been written to the target
            if "chunk 2 done" in line or time.monotonic() > deadline:
                break
        assert process.poll() is None, "the run ended before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    time.sleep(0.5)
    for name in ("reports", "mentions", "note_nlp", "radpath_runs"):
        assert not count_rows(db.url, name, schema=db.schema), name


# -- credentials ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, shown", [
    ("postgresql+psycopg://me:s3cr3t@db.example:5432/cdm", "postgresql+psycopg://me:***@db.example:5432/cdm"),
    ("postgresql://me:p%40ss@host/db?sslmode=require", "postgresql://me:***@host/db?sslmode=require"),
    ("postgresql://me@host/db?password=s3cr3t&sslmode=require", "postgresql://me@host/db?password=***&sslmode=require"),
    ("mssql+pyodbc://me:pa:ss@dsn", "mssql+pyodbc://me:***@dsn"),
    ("sqlite:///notes.db", "sqlite:///notes.db"),
    ("postgresql://me:pa?ss@host/db", "postgresql://me:***@host/db"),  # a "?" in the password
    ("postgresql://me:pa?ss@host/db?sslmode=require", "postgresql://me:***@host/db?sslmode=require"),
    ("postgresql://me:p@ss@host:5432/db", "postgresql://me:***@host:5432/db"),  # a raw "@"
    ("postgresql://me:p/s#s@host/db", "postgresql://me:***@host/db"),
    ("postgresql://me:p%3Fs%40s%25@host/db", "postgresql://me:***@host/db"),  # %-encoded
    ("postgresql://me@host/db?password=a?b&sslmode=require", "postgresql://me@host/db?password=***&sslmode=require"),
    ("mssql+pyodbc://me@dsn;PWD=s3cr3t;Trusted=no", "mssql+pyodbc://me@dsn;PWD=***;Trusted=no"),
    ("host=h password='a b c' dbname=d", "host=h password=*** dbname=d"),  # libpq keyword/value
])
def test_mask_url(url, shown):
    assert mask_url(url) == shown


def test_scrub_removes_the_password_from_driver_messages():
    url = "postgresql://me:s3cr3t@host/db"
    assert "s3cr3t" not in scrub("FATAL: password s3cr3t for postgresql://me:s3cr3t@host/db rejected", url)


@pytest.mark.parametrize("url, secrets", [
    ("postgresql://me:pa?ss@host/db", ["pa?ss"]),
    ("postgresql://me:p%3Fs%40s%25@host/db", ["p%3Fs%40s%25", "p?s@s%"]),
])
def test_scrub_removes_every_form_of_the_password(url, secrets):
    message = f"could not connect to {url}: user me password {secrets[-1]} rejected; also p%3Fs%40s%25, password=x"
    for secret in secrets:
        assert secret not in scrub(message, url)
    assert "password=x" not in scrub(message, url)


def test_a_question_mark_in_a_password_is_never_printed(tmp_path):
    """Connection refused on loopback: the error names the URL, masked."""
    url = "postgresql+psycopg://me:Qu?st1on-pw@127.0.0.1:1/db"
    result = CliRunner().invoke(extract_sql, ["--from-sql", url, "--table", "t", "--out", str(tmp_path / "o"),
                                              "--verbose"])
    assert result.exit_code == 2, result.output
    assert "Qu?st1on-pw" not in result.output and "st1on" not in result.output
    assert "me:***@127.0.0.1:1/db" in result.output


def test_bad_sqlite_path_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(extract_sql, ["--from-sql", f"sqlite:///{tmp_path}/missing/dir/x.db", "--table", "t",
                                              "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and result.output.startswith("Error: cannot read from sqlite:///")
    assert len(result.output.strip().splitlines()) == 1


def _with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def test_a_wrong_password_is_never_printed(postgres_server):
    url = _with_password(postgres_server["URL"], "Wr0ngPassw0rd-xyz")
    result = CliRunner().invoke(extract_sql, ["--from-sql", url, "--omop", "--to-sql", url, "--run-id", "p"],
                                env={"PGPASSFILE": "/nonexistent"})
    assert result.exit_code == 2, result.output
    assert "Wr0ngPassw0rd-xyz" not in result.output
    assert ":***@" in result.output and "password authentication failed" in result.output


def test_the_password_of_a_working_url_is_in_no_output(postgres_server, note, tmp_path, caplog):
    password = open(postgres_server["PGPASSFILE"]).read().strip().rsplit(":", 1)[1]
    url = _with_password(postgres_server["URL"], password)
    load_note(url, note, schema="pw_cdm")
    caplog.set_level("DEBUG")
    result = CliRunner().invoke(extract_sql, ["--from-sql", url, "--omop", "--schema", "pw_cdm", "--to-sql", url,
                                              "--target-schema", "pw_out", "--run-id", "pw", "--out",
                                              str(tmp_path / "out"), "--verbose"],
                                env={"PGPASSFILE": "/nonexistent"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert ":***@" in result.output
    outputs = [result.output, caplog.text, (tmp_path / "out" / "manifest.json").read_text()]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        outputs.append(conn.execute(sa.text("SELECT manifest || source FROM pw_out.radpath_runs")).scalar())
    engine.dispose()
    assert json.loads(outputs[2])["inputs"][0]["url"].startswith("postgresql+psycopg://radpath:***@")
    for text in outputs:
        assert password not in text


@pytest.mark.parametrize("written, password", [
    ("Qu?st1on-pw#1/x", "Qu?st1on-pw#1/x"),  # raw: SQLAlchemy takes everything up to the last "@"
    ("p%40ss%25w%3Frd-2", "p@ss%w?rd-2"),  # %-encoded "@", "%" and "?"
])
def test_a_password_with_url_characters_is_in_no_output(postgres_server, note, tmp_path, caplog, written, password):
    role = "r3_" + hashlib.sha1(written.encode()).hexdigest()[:8]
    _execute(postgres_server["URL"], f'DROP ROLE IF EXISTS "{role}"',
             f"CREATE ROLE \"{role}\" LOGIN SUPERUSER PASSWORD '{password}'")
    scheme, rest = postgres_server["URL"].split("://", 1)
    url = f"{scheme}://{role}:{written}@{rest.split('@', 1)[1]}"
    schema = role + "_cdm"
    load_note(postgres_server["URL"], note, schema=schema)
    caplog.set_level("DEBUG")
    result = CliRunner().invoke(extract_sql, ["--from-sql", url, "--omop", "--schema", schema, "--to-sql", url,
                                              "--target-schema", role + "_out", "--run-id", "pw", "--out",
                                              str(tmp_path / "out"), "--verbose"],
                                env={"PGPASSFILE": "/nonexistent"}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    outputs = [result.output, caplog.text, (tmp_path / "out" / "manifest.json").read_text()]
    with sa.create_engine(postgres_server["URL"]).connect() as conn:
        outputs.append(conn.execute(sa.text(f'SELECT manifest || source FROM "{role}_out".radpath_runs')).scalar())
    assert json.loads(outputs[2])["inputs"][0]["url"].startswith(f"{scheme}://{role}:***@")
    for text in outputs:
        for secret in {written, password, written[:6], password[:6]}:
            assert secret not in text


def test_credentials_from_the_environment(postgres_server, note, monkeypatch):
    load_note(postgres_server["URL"], note.iloc[:5], schema="env_cdm")
    monkeypatch.setenv("RADPATH_DB_URL", postgres_server["URL"])
    monkeypatch.setenv("RADPATH_DB_TO_URL", postgres_server["URL"])
    result = CliRunner().invoke(extract_sql, ["--omop", "--schema", "env_cdm", "--target-schema", "env_out",
                                              "--run-id", "env"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert count_rows(postgres_server["URL"], "reports", schema="env_out") == 5


def test_no_url_anywhere_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("RADPATH_DB_URL", raising=False)
    result = CliRunner().invoke(extract_sql, ["--omop", "--out", "x"])
    assert result.exit_code == 2 and "RADPATH_DB_URL" in result.output


def test_sqlite_as_source_and_target_of_one_run_works(tmp_path, note):
    """Issue 13: one SQLite file as source and target hung (34 minutes from 1,000 rows): the streaming read held
    the file the writer had to spill its pages to. The run now copies the source result aside first."""
    import pandas as pd

    many = pd.concat([note.assign(note_id=note["note_id"] + k * 10_000) for k in range(11)], ignore_index=True)
    url = f"sqlite:///{tmp_path / 'one.db'}"
    load_note(url, many)
    code = (f"from extractor.run.sql import run_sql; run_sql({url!r}, omop=True, target_url={url!r}, run_id='same', "
            "workers=1, chunk_size=100)")
    try:
        done = subprocess.run([sys.executable, "-c", code], timeout=300, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        pytest.fail("a run with one SQLite file as source and target did not finish in 5 minutes")
    assert done.returncode == 0, done.stderr[-2000:]
    assert count_rows(url, "reports", run_id="same") + count_rows(url, "errors", run_id="same") == len(many)
