"""Reading reports from SQL: chunks, a server-side cursor on PostgreSQL, OMOP NOTE mapping, clear errors."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from extractor.cli.sql import COMMANDS, extract_sql
from extractor.errors import InputError
from extractor.tables.sql import DatabaseError, iter_sql_reports, iter_sql_tables

from .conftest import load_note, load_plain


def test_chunks_of_the_asked_size_with_row_numbers_running_across_them(db, sample):
    with_problems = sample.copy()
    with_problems.loc[15, "report_id"] = with_problems.loc[3, "report_id"]  # a duplicate in a later chunk
    with_problems.loc[40, "text"] = "  "
    load_plain(db.url, with_problems)
    chunks = list(iter_sql_tables(db.url, query="SELECT * FROM reports_in", chunk_size=10))
    assert [c.rows_read for c, _ in chunks] == [10] * 9 + [7]
    errors = [e for c, _ in chunks for e in c.errors]
    assert [(e["row"], e["reason"]) for e in errors] == [(16, "duplicate_report_id"), (41, "empty_text")]
    assert sum(len(c.reports) for c, _ in chunks) + len(errors) == len(sample)


def test_omop_note_is_read_in_note_id_order_with_canonical_columns(db, note):
    shuffled = note.sample(frac=1, random_state=3)
    load_note(db.url, shuffled, schema=db.cdm)
    frames = list(iter_sql_reports(db.url, omop=True, schema=db.cdm, chunk_size=40))
    assert [len(f) for f in frames] == [40, 40, 17]
    ids = [int(i) for f in frames for i in f["report_id"]]
    assert ids == sorted(note["note_id"])
    assert list(frames[0].columns) == ["report_id", "patient_id", "report_date", "report_type", "text"]
    first = frames[0].iloc[0]
    assert first["report_date"] == "2021-03-04" and first["patient_id"] == "1" and first["report_type"] == "US"


def test_postgresql_streams_through_a_server_side_cursor(postgres_server):
    """While chunks are read, the reading session's last statement is a FETCH from a named cursor (a client-side
    cursor would have run the SELECT and pulled every row before the first chunk)."""
    import sqlalchemy as sa

    query = "SELECT g AS report_id, g AS patient_id, 'thyroid' AS text FROM generate_series(1, 2000000) g ORDER BY g"
    chunks = iter_sql_reports(postgres_server["URL"], query=query, chunk_size=500)
    first, second = next(chunks), next(chunks)
    engine = sa.create_engine(postgres_server["URL"])
    try:
        with engine.connect() as conn:
            statements = [r[0] for r in conn.execute(sa.text(
                "SELECT query FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND state = 'idle in transaction'"))]
    finally:
        engine.dispose()
        chunks.close()
    assert len(first) == len(second) == 500 and int(second["report_id"].iloc[0]) == 501
    assert any(s.lstrip().upper().startswith(("FETCH", "DECLARE")) for s in statements), statements


def test_not_an_omop_note_table(db, sample):
    load_plain(db.url, sample, table="note")
    with pytest.raises(DatabaseError, match=r"is not an OMOP NOTE table: column\(s\) \['note_id', 'person_id', "
                                            r"'note_text'\] missing"):
        list(iter_sql_reports(db.url, omop=True))


def test_missing_table_and_missing_column(db, sample):
    with pytest.raises(DatabaseError, match="table nowhere not found"):
        list(iter_sql_tables(db.url, table="nowhere"))
    load_plain(db.url, sample.drop(columns=["text"]))
    with pytest.raises(InputError, match="required column 'text' not found"):
        list(iter_sql_tables(db.url, table="reports_in"))


def test_a_failing_query_is_one_masked_line(db):
    with pytest.raises(DatabaseError, match=r"^cannot read from .*: .*") as caught:
        list(iter_sql_reports(db.url, query="SELECT nothing FROM nowhere"))
    assert "\n" not in str(caught.value)


def test_query_and_table_together_are_refused(db, sample):
    load_plain(db.url, sample)
    with pytest.raises(DatabaseError, match="either a query or a table"):
        list(iter_sql_reports(db.url, query="SELECT 1", table="reports_in"))


# -- the command ---------------------------------------------------------------------------------------------------
def test_command_has_help_with_an_example():
    assert [c.name for c in COMMANDS] == ["extract-sql"]
    result = CliRunner().invoke(extract_sql, ["--help"])
    assert result.exit_code == 0
    for words in ("Example:", "--from-sql", "--omop", "--to-sql", "--target-schema", "--run-id", "PGPASSFILE",
                  "RADPATH_DB_URL", "one transaction"):
        assert words in result.output, words


def test_omop_with_column_options_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(extract_sql, ["--from-sql", "sqlite://", "--omop", "--text-col", "body",
                                              "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--omop reads the NOTE table's standard columns" in result.output


def test_nowhere_to_write_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("RADPATH_DB_TO_URL", raising=False)
    result = CliRunner().invoke(extract_sql, ["--from-sql", f"sqlite:///{tmp_path / 'x.db'}", "--table", "t"])
    assert result.exit_code == 2 and "nowhere to write" in result.output


def test_bad_note_type_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(extract_sql, ["--from-sql", "sqlite://", "--omop", "--note-type", "pathology",
                                              "--out", str(tmp_path)])
    assert result.exit_code == 2 and "CONCEPT_ID=HINT" in result.output


def test_integer_ids_with_nulls_are_integer_text_in_every_chunk_size(db):
    import pandas as pd

    frame = pd.DataFrame({"report_id": pd.array([1, 2, 3, 4, 5], dtype="Int64"),
                          "patient_id": pd.array([1001, 1001, None, 1001, 2002], dtype="Int64"),
                          "text": ["Thyroid ultrasound."] * 5})
    load_plain(db.url, frame)
    for chunk_size in (1, 2, 3, 4, 6):
        chunks = [t for t, _ in iter_sql_tables(db.url, query="SELECT * FROM reports_in ORDER BY report_id",
                                                chunk_size=chunk_size)]
        patients = [p for t in chunks for p in t.reports["patient_id"]]
        assert patients == ["1001", "1001", "1001", "2002"], chunk_size  # one patient, never "1001.0"
        assert [(e["row"], e["reason"]) for t in chunks for e in t.errors] == [(3, "missing_patient_id")]


def test_duplicate_column_names_of_a_query_are_a_clear_error(db, sample):
    load_plain(db.url, sample.head(3))
    with pytest.raises(InputError, match=r"duplicate column name\(s\) \['text'\]"):
        list(iter_sql_tables(db.url, query="SELECT report_id, patient_id, text, text FROM reports_in"))
