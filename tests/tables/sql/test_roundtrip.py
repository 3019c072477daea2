"""From SQL to SQL: the tables radpath writes into a database equal the files `extract_file` writes for the same
reports - on SQLite (no server) and on a real PostgreSQL server (scripts/ci_postgres.sh)."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.sql import extract_sql
from extractor.run.sql import run_sql

from .conftest import (
    NLP_DATETIME,
    assert_run_equals_files,
    count_rows,
    load_note,
    load_plain,
)

ALL = ("reports", "mentions", "errors", "patients", "links")


def test_omop_note_to_note_nlp_equals_the_file_outputs(db, note, file_outputs, tmp_path):
    load_note(db.url, note, schema=db.cdm)
    summary = run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="omop-1",
                      chunk_size=7, nlp_datetime=NLP_DATETIME, out_dir=tmp_path / "out")
    assert summary.rows_read == len(note) == summary.reports + summary.errors
    counts = assert_run_equals_files(db.url, "omop-1", file_outputs["omop"], schema=db.schema,
                                     names=(*ALL, "note_nlp"))
    assert counts["reports"] == len(note) and counts["mentions"] == counts["note_nlp"] > 0
    assert counts["patients"] > 0
    # the files written beside the database are the same tables too
    for name in ALL:
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "out" / f"{name}.parquet"),
                                      pd.read_parquet(file_outputs["omop"] / f"{name}.parquet"), check_dtype=False)
    assert count_rows(db.url, "radpath_runs", schema=db.schema) == 1


def test_plain_table_through_the_cli_equals_the_file_outputs(db, sample, file_outputs):
    load_plain(db.url, sample)
    result = CliRunner().invoke(extract_sql, ["--from-sql", db.url, "--table", "reports_in", "--to-sql", db.url,
                                              *(["--target-schema", db.schema] if db.schema else []),
                                              "--run-id", "plain-1", "--chunk-size", "10", "--workers", "1"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Run plain-1: read 97 rows" in result.output
    assert_run_equals_files(db.url, "plain-1", file_outputs["plain"], schema=db.schema)


def test_query_with_mapped_columns(db, sample, file_outputs):
    renamed = sample.rename(columns={"report_id": "id", "patient_id": "person", "report_date": "exam_date",
                                     "report_type": "kind", "text": "body"})
    load_plain(db.url, renamed, table="notes")
    query = "SELECT id, person, exam_date, kind, body FROM notes ORDER BY id"
    run_sql(db.url, query=query, columns=__import__("extractor.tables.sources", fromlist=["ColumnMap"]).ColumnMap(
        "id", "person", "exam_date", "kind", "body"), target_url=db.url, target_schema=db.schema, run_id="q")
    assert_run_equals_files(db.url, "q", file_outputs["plain"], schema=db.schema)


def test_rerun_with_the_same_run_id_replaces_its_rows(db, note):
    load_note(db.url, note, schema=db.cdm)
    kwargs = dict(omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, chunk_size=50)
    first = run_sql(db.url, run_id="nightly", **kwargs)
    run_sql(db.url, run_id="nightly", **kwargs)
    for name, expected in (("reports", first.reports), ("mentions", first.mentions), ("note_nlp", first.note_nlp),
                           ("patients", first.patients), ("radpath_runs", 1)):
        assert count_rows(db.url, name, schema=db.schema, run_id="nightly") == expected, name
    run_sql(db.url, run_id="other", **kwargs)
    assert count_rows(db.url, "reports", schema=db.schema) == 2 * first.reports
    assert count_rows(db.url, "reports", schema=db.schema, run_id="nightly") == first.reports
    # NOTE_NLP ids stay unique across the runs sharing the table
    import sqlalchemy as sa

    engine = sa.create_engine(db.url)
    with engine.connect() as conn:
        table = sa.table("note_nlp", sa.column("note_nlp_id"), schema=db.schema)
        ids = [r[0] for r in conn.execute(sa.select(table.c.note_nlp_id))]
    engine.dispose()
    assert len(ids) == len(set(ids)) == 2 * first.note_nlp


def test_manifest_is_stored_with_the_run(db, note):
    load_note(db.url, note, schema=db.cdm)
    run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="m")
    import sqlalchemy as sa

    engine = sa.create_engine(db.url)
    with engine.connect() as conn:
        table = sa.table("radpath_runs", sa.column("run_id"), sa.column("manifest"), sa.column("reports"),
                         schema=db.schema)
        run_id, manifest, reports = conn.execute(sa.select(table.c.run_id, table.c.manifest, table.c.reports)).one()
    engine.dispose()
    manifest = json.loads(manifest)
    assert run_id == "m" and reports == len(note)
    assert manifest["tables"]["reports"] == len(note) and manifest["options"]["run_id"] == "m"
    assert manifest["patterns_sha256"]


def test_empty_source_writes_empty_tables(db, note):
    load_note(db.url, note.iloc[0:0], schema=db.cdm)
    summary = run_sql(db.url, omop=True, schema=db.cdm, target_url=db.url, target_schema=db.schema, run_id="e")
    assert summary.rows_read == 0
    assert count_rows(db.url, "reports", schema=db.schema) == 0
    assert count_rows(db.url, "radpath_runs", schema=db.schema) == 1


def test_two_workers_give_the_same_tables(tmp_path, note, file_outputs):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    load_note(url, note)
    summary = run_sql(url, omop=True, target_url=f"sqlite:///{tmp_path / 'out.db'}", run_id="w2", workers=2,
                      chunk_size=9, nlp_datetime=NLP_DATETIME)
    assert summary.workers == 2 and summary.chunks == 11
    assert_run_equals_files(f"sqlite:///{tmp_path / 'out.db'}", "w2", file_outputs["omop"], names=(*ALL, "note_nlp"))
