"""DuckDB / Parquet / CSV read-back, OMOP NOTE input and NOTE_NLP output, the run manifest."""
import json
from datetime import datetime

import pandas as pd
import pytest
from linking_builders import fna, frame, surgery, us

from extractor.cohort.linking import link_patients
from extractor.knowledge.definitions import load_definitions
from extractor.tables.omop import (
    NOTE_NLP_COLUMNS,
    VARCHAR_LIMITS,
    note_nlp_frame,
    note_to_reports,
    omop_column_map,
)
from extractor.tables.store import read_duckdb, read_frame, write_duckdb, write_frame
from extractor.tables.typed import text_frame


@pytest.fixture
def linked(config):
    reports = frame(us("U1", "P1", "2020-01-01"), fna("C1", "P1", "2020-01-10"), surgery("S1", "P1", "2020-03-01"),
                    us("U2", "P2", "2020-01-01", mass="present"))
    defs = load_definitions()
    return reports, link_patients(reports, config=config, definitions=defs), defs


def test_parquet_is_typed_and_reads_back_as_the_csv_text(tmp_path, linked):
    _, linkage, _ = linked
    write_frame(linkage.patients, tmp_path, "patients")
    from_csv = pd.read_csv(tmp_path / "patients.csv", dtype=str, keep_default_na=False)
    from_parquet = pd.read_parquet(tmp_path / "patients.parquet")
    assert list(from_csv.columns) == list(linkage.patients.columns) == list(from_parquet.columns)
    assert text_frame(from_parquet).astype(str).equals(from_csv.astype(str))
    assert read_frame(tmp_path, "patients").equals(text_frame(from_parquet))
    assert str(from_parquet["index_us_date"].dtype).startswith("date32")
    assert str(from_parquet["def_yoon2011_dmo"].dtype) == "bool[pyarrow]"
    assert str(from_parquet["n_cytology"].dtype) == "int64[pyarrow]"


def test_duckdb_tables_and_cohort_views(tmp_path, linked):
    reports, linkage, defs = linked
    path = write_duckdb(tmp_path, reports=reports, patients=linkage.patients, links=linkage.links, definitions=defs)
    assert (path.stat().st_mode & 0o777) == 0o600
    tables = set(read_duckdb(path, "SELECT table_name FROM information_schema.tables")["table_name"])
    assert {"reports", "patients", "links", "cohort_yoon2011_dmo", "cohort_strict_dmo"} <= tables
    assert read_duckdb(path, "SELECT patient_id FROM cohort_yoon2011_dmo")["patient_id"].tolist() == ["P1"]
    back = read_duckdb(path, "SELECT * FROM patients ORDER BY patient_id")
    assert text_frame(back).astype(str).equals(linkage.patients.astype(str))
    comment = read_duckdb(path, "SELECT comment FROM duckdb_views() WHERE view_name = 'cohort_yoon2011_dmo'")
    assert "Yoon" in comment["comment"].iloc[0]


NOTE = pd.DataFrame({
    "NOTE_ID": [101, 102], "PERSON_ID": [7, 7], "NOTE_DATE": ["2021-03-04", None],
    "NOTE_DATETIME": [None, "2021-03-16 10:00:00"], "NOTE_TITLE": ["US THYROID", ""],
    "NOTE_TYPE_CONCEPT_ID": [0, 32831], "NOTE_TEXT": ["Microcalcifications.", "FNA right lobe."],
})


def test_omop_note_maps_onto_radpath_input():
    columns = omop_column_map(NOTE)
    assert (columns.report_id, columns.patient_id, columns.text) == ("NOTE_ID", "PERSON_ID", "NOTE_TEXT")
    out = note_to_reports(NOTE, note_type_names={32831: "cytology"})
    assert list(out.columns) == ["report_id", "patient_id", "report_date", "report_type", "text"]
    assert out["report_id"].tolist() == ["101", "102"]
    assert out["report_date"].tolist() == ["2021-03-04", "2021-03-16"]
    assert out["report_type"].tolist() == ["US THYROID", "cytology"]


def test_not_a_note_table_is_an_input_error():
    from extractor.errors import InputError

    with pytest.raises(InputError, match="note_text"):
        omop_column_map(pd.DataFrame({"note_id": [1], "person_id": [2]}))


def mentions_frame():
    base = {"patient_id": "7", "section": "findings", "label": "MICROCALCIFICATION", "sentence": "x " * 200,
            "sentence_start": 0, "sentence_end": 400, "rule_id": "mc-001", "negated": "false", "uncertain": "false",
            "historical": "false", "hypothetical": "false", "family": "false", "laterality": "right"}
    return pd.DataFrame([
        {**base, "report_id": "102", "mention_index": 0, "text": "microcalcifications", "start_char": 300,
         "end_char": 319, "status": "affirmed"},
        {**base, "report_id": "101", "mention_index": 0, "text": "calcification", "start_char": 3, "end_char": 16,
         "status": "negated", "negated": "true", "historical": "true"},
    ])


def test_note_nlp_has_the_v54_columns_and_types():
    when = datetime(2024, 5, 1, 12, 30)
    out = note_nlp_frame(mentions_frame(), nlp_datetime=when)
    assert list(out.columns) == list(NOTE_NLP_COLUMNS) == [
        "note_nlp_id", "note_id", "section_concept_id", "snippet", "offset", "lexical_variant",
        "note_nlp_concept_id", "note_nlp_source_concept_id", "nlp_system", "nlp_date", "nlp_datetime",
        "term_exists", "term_temporal", "term_modifiers"]
    for column in ("note_nlp_id", "note_id", "section_concept_id", "note_nlp_concept_id", "note_nlp_source_concept_id"):
        assert out[column].dtype == "int64", column
    assert str(out["nlp_datetime"].dtype).startswith("datetime64")
    assert out["nlp_date"].iloc[0] == when.date()
    for column, limit in VARCHAR_LIMITS.items():
        assert out[column].map(len).max() <= limit, column
    assert out["note_id"].tolist() == [101, 102] and out["note_nlp_id"].tolist() == [1, 2]
    assert out["term_exists"].tolist() == ["N", "Y"] and out["term_temporal"].tolist() == ["past", "present"]
    assert out["offset"].tolist() == ["3", "300"] and out["lexical_variant"].tolist()[1] == "microcalcifications"
    assert "label=MICROCALCIFICATION" in out["term_modifiers"].iloc[0]
    assert out["note_nlp_concept_id"].eq(0).all()


def test_note_nlp_concept_ids_can_be_supplied_and_written(tmp_path):
    out = note_nlp_frame(mentions_frame(), concept_ids={"MICROCALCIFICATION": 4321})
    assert out["note_nlp_concept_id"].eq(4321).all()
    from extractor.tables.omop import write_note_nlp

    write_note_nlp(out, tmp_path)
    back = pd.read_parquet(tmp_path / "note_nlp.parquet")
    assert list(back.columns) == list(NOTE_NLP_COLUMNS) and back["note_id"].dtype == "int64"


def test_note_nlp_needs_integer_note_ids():
    from extractor.errors import InputError

    with pytest.raises(InputError, match="integer note ids"):
        note_nlp_frame(mentions_frame().assign(report_id="R001"))


def test_manifest_records_version_hashes_options_and_inputs(tmp_path):
    from extractor import __version__
    from extractor.knowledge.ruleset import load_ruleset
    from extractor.run.manifest import sha256_file, write_manifest

    data = tmp_path / "in.csv"
    data.write_text("report_id,text\n1,a\n2,b\n")
    defs = load_definitions()
    path = write_manifest(tmp_path, inputs=[data], options={"cytology_days": 180}, definitions=defs,
                          tables={"patients": 2})
    manifest = json.loads(path.read_text())
    assert manifest["radpath_version"] == __version__
    assert manifest["patterns_sha256"] == load_ruleset().fingerprint()
    assert manifest["inputs"] == [{"path": str(data), "absolute_path": str(data.resolve()), "sha256": sha256_file(data), "bytes": data.stat().st_size,
                                   "rows": 2}]
    assert {d["id"] for d in manifest["definitions"]} == {d.id for d in defs}
    assert manifest["options"] == {"cytology_days": 180} and manifest["tables"] == {"patients": 2}
    assert manifest["linking_config"]["sha256"]
