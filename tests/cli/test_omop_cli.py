"""radpath extract --omop: an OMOP CDM NOTE file in, the usual tables plus NOTE_NLP (v5.4) out."""
import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.knowledge.resources import sample_dir
from extractor.tables.omop import NOTE_NLP_COLUMNS


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


def test_note_nlp_from_a_plain_csv_numbers_string_ids_and_records_the_mapping(tmp_path):
    """--note-nlp on the sample corpus (string ids R001...): NOTE_NLP is written, every note_id maps back to a
    report through DIR/note_nlp_ids, and each lexical_variant slices its own report's text."""
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--note-nlp", "--out", str(out),
                                      "--workers", "1", "--no-link"])
    assert result.exit_code == 0, result.output
    note_nlp = pd.read_parquet(out / "note_nlp.parquet")
    ids = pd.read_csv(out / "note_nlp_ids.csv", dtype=str)
    assert list(note_nlp.columns) == list(NOTE_NLP_COLUMNS) and len(note_nlp) > 0
    assert ids["report_id"].is_unique and ids["note_id"].is_unique
    report_of = dict(zip(ids["note_id"].astype(int), ids["report_id"]))
    texts = dict(pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)[["report_id", "text"]]
                 .itertuples(index=False))
    for row in note_nlp.itertuples(index=False):
        start = int(row.offset)
        assert texts[report_of[row.note_id]][start:start + len(row.lexical_variant)] == row.lexical_variant
    assert (note_nlp["note_nlp_concept_id"] == 0).all()
    assert f"{len(note_nlp)} without a concept id" in result.output


def test_concept_map_fills_concept_ids_rule_before_label(tmp_path):
    out = tmp_path / "out"
    base = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--note-nlp", "--out",
                                    str(tmp_path / "base"), "--workers", "1", "--no-link"])
    assert base.exit_code == 0, base.output
    mentions = pd.read_parquet(tmp_path / "base" / "mentions.parquet")
    micro = mentions[mentions["label"] == "MICROCALCIFICATION"]
    rule = micro["rule_id"].value_counts().index[0]  # the commonest microcalcification rule gets its own concept
    concept_map = tmp_path / "concepts.tsv"
    concept_map.write_text("# local mapping\nmatch\tvalue\tconcept_id\tsource_concept_id\tnote\n"
                           "label\tMICROCALCIFICATION\t1001\t2001\tby label\n"
                           f"rule\t{rule}\t1002\t\tby rule\n")
    result = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--concept-map", str(concept_map),
                                      "--out", str(out), "--workers", "1", "--no-link"])
    assert result.exit_code == 0, result.output
    note_nlp = pd.read_parquet(out / "note_nlp.parquet")
    label = note_nlp["term_modifiers"].str.extract(r"label=([A-Z_]+)")[0]
    rule_of = note_nlp["term_modifiers"].str.extract(r"rule=([^;]*)$")[0]
    by_rule = rule_of == rule
    assert (note_nlp.loc[by_rule, "note_nlp_concept_id"] == 1002).all() and by_rule.any()
    assert (note_nlp.loc[by_rule, "note_nlp_source_concept_id"] == 0).all()
    by_label = (label == "MICROCALCIFICATION") & ~by_rule
    assert (note_nlp.loc[by_label, "note_nlp_concept_id"] == 1001).all() and by_label.any()
    assert (note_nlp.loc[by_label, "note_nlp_source_concept_id"] == 2001).all()
    assert (note_nlp.loc[label != "MICROCALCIFICATION", "note_nlp_concept_id"] == 0).all()
    manifest = (out / "manifest.json").read_text()
    assert f'"note_nlp_unmapped": {int((note_nlp["note_nlp_concept_id"] == 0).sum())}' in manifest


@pytest.mark.parametrize("content, where", [
    ("match\tvalue\n", "concept_id"),
    ("match\tvalue\tconcept_id\nsection\tFINDINGS\t5\n", "row 2, column 'match'"),
    ("match\tvalue\tconcept_id\nlabel\tMASS\tabc\n", "concept_id"),
    ("match\tvalue\tconcept_id\nlabel\tMASS\t1\nlabel\tMASS\t2\n", "mapped twice"),
])
def test_a_bad_concept_map_is_a_clear_error_before_any_report_is_read(tmp_path, content, where):
    concept_map = tmp_path / "concepts.tsv"
    concept_map.write_text(content)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--concept-map", str(concept_map),
                                      "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "concepts.tsv" in result.output and where in result.output
    assert "Traceback" not in result.output
    assert not (out / "reports.csv").exists()


def test_a_headerless_note_file_names_no_report_text(tmp_path):
    (tmp_path / "x.csv").write_text("1,9,2024-01-02,Right lobe nodule with microcalcifications\n")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "x.csv"), "--omop", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "not an OMOP NOTE table" in result.output
    assert "microcalcifications" not in result.output
