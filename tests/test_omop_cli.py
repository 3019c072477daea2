"""radpath extract --omop: an OMOP CDM NOTE file in, the usual tables plus NOTE_NLP (v5.4) out."""
import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli import cli
from extractor.omop import NOTE_NLP_COLUMNS
from extractor.resources import sample_dir


@pytest.fixture(scope="module")
def note(tmp_path_factory):
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    persons = {p: 5000 + i for i, p in enumerate(sorted(set(sample["patient_id"])))}
    frame = pd.DataFrame({
        "NOTE_ID": range(9001, 9001 + len(sample)),
        "PERSON_ID": sample["patient_id"].map(persons),
        "NOTE_DATE": sample["report_date"],
        "NOTE_TYPE_CONCEPT_ID": 32831,
        "NOTE_TITLE": sample["report_type"],
        "NOTE_TEXT": sample["text"],
    })
    path = tmp_path_factory.mktemp("omop") / "note.parquet"
    frame.to_parquet(path, index=False)
    return path, frame


def test_note_table_in_note_nlp_out(note, tmp_path):
    path, frame = note
    result = CliRunner().invoke(cli, ["extract", str(path), "--omop", "--out", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "note_nlp" in result.output
    note_nlp = pd.read_parquet(tmp_path / "note_nlp.parquet")
    mentions = pd.read_parquet(tmp_path / "mentions.parquet")
    assert list(note_nlp.columns) == list(NOTE_NLP_COLUMNS)
    assert len(note_nlp) == len(mentions) > 0
    texts = dict(zip(frame["NOTE_ID"], frame["NOTE_TEXT"]))
    for row in note_nlp.itertuples(index=False):
        start = int(row.offset)
        assert texts[row.note_id][start:start + len(row.lexical_variant)] == row.lexical_variant
    patients = pd.read_parquet(tmp_path / "patients.parquet")
    assert set(patients["patient_id"].astype(str)) <= {str(p) for p in frame["PERSON_ID"]}
    assert len(patients) > 30


def test_omop_with_column_options_is_a_usage_error(note, tmp_path):
    path, _ = note
    result = CliRunner().invoke(cli, ["extract", str(path), "--omop", "--text-col", "body", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--omop reads the NOTE table's standard columns" in result.output


def test_a_table_that_is_not_note_names_the_missing_columns(tmp_path):
    (tmp_path / "x.csv").write_text("report_id,patient_id,text\nR1,P1,hello\n")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "x.csv"), "--omop", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "x.csv" in result.output and "not an OMOP NOTE table" in result.output and "note_id" in result.output


def test_a_headerless_note_file_names_no_report_text(tmp_path):
    (tmp_path / "x.csv").write_text("1,9,2024-01-02,Right lobe nodule with microcalcifications\n")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "x.csv"), "--omop", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not an OMOP NOTE table" in result.output
    assert "microcalcifications" not in result.output
