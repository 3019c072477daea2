"""An empty or not_stated pathology field says why in its rule (``miss:<code>``, docs/data-dictionary.md)."""
import json

import pytest

DX = "FINAL DIAGNOSIS:\n"


@pytest.fixture(scope="module")
def why(aggregator):
    return lambda kind, text, field: aggregator.aggregate(kind, text, [])[field].rule


@pytest.mark.parametrize("text, code", [
    ("GROSS DESCRIPTION:\nRight lobe, 4.8 x 2.1 x 1.9 cm.\n" + DX + "Papillary carcinoma.",
     "miss:lobe_or_specimen_dimension"),
    (DX + "Papillary carcinoma.\nMetastatic carcinoma in 2 of 5 lymph nodes, largest deposit 1.4 cm.",
     "miss:nodal_deposit_only"),
    (DX + "Papillary carcinoma of the thyroid.", "miss:no_measurement"),
    ("SPECIMEN: Left neck dissection.\n" + DX + "Metastatic papillary carcinoma in 2/7 lymph nodes.",
     "miss:node_only_specimen"),
    (DX + "Nodular hyperplasia, 3 cm dominant nodule.", "miss:no_carcinoma_or_benign_neoplasm_size"),
])
def test_size_miss_reason(why, text, code):
    assert why("surgical_pathology", text, "tumor_size_mm") == code


@pytest.mark.parametrize("field, text, code", [
    ("mass_in_specimen", DX + "Papillary carcinoma, 1 cm.", "miss:no_gross_description"),
    ("tumor_focality", DX + "Papillary carcinoma, 1 cm.", "miss:no_focality_statement"),
    ("extrathyroidal_extension", DX + "Papillary carcinoma, 1 cm.", "miss:no_extension_statement"),
    ("lymph_node_metastasis", DX + "Papillary carcinoma, 1 cm.", "miss:no_node_status"),
    ("ptc_subtype", DX + "Papillary carcinoma, 1 cm.", "miss:no_subtype_stated"),
    ("psammoma_bodies", DX + "Papillary carcinoma, 1 cm.", "miss:no_mention"),
    ("histology", "Specimen received in formalin.", "miss:no_diagnosis"),
])
def test_not_stated_reason(why, field, text, code):
    assert why("surgical_pathology", text, field) == code


def test_cannot_be_assessed_names_its_answer(why):
    text = "CANCER CASE SUMMARY\nHistologic type: papillary carcinoma\nExtrathyroidal extension: cannot be assessed"
    assert why("surgical_pathology", text, "extrathyroidal_extension").startswith("miss:extension_cannot_be_assessed key-")


def test_no_nodes_examined_names_its_rule(why):
    text = DX + "Papillary carcinoma, 1 cm. No lymph nodes submitted. pNX."
    assert why("surgical_pathology", text, "lymph_node_metastasis").startswith("miss:no_nodes_examined ")


def test_cytology_without_category(why):
    assert why("cytology", "Smears reviewed; see comment.", "bethesda_category") == "miss:no_category_stated"


def test_evidence_column_carries_the_miss(tmp_path):
    import pandas as pd

    from extractor.run.api import extract

    frame = pd.DataFrame({"report_id": ["R1"], "patient_id": ["P1"], "report_date": ["2021-01-01"],
                          "report_type": ["surgical pathology"],
                          "text": ["FINAL DIAGNOSIS:\nPapillary carcinoma of the thyroid."]})
    evidence = json.loads(extract(frame).reports.loc[0, "evidence"])
    assert evidence["tumor_size_mm"]["rule"] == "miss:no_measurement"
