"""Cytology fields, one behaviour per case; synthetic sentences written for these tests."""
import pytest

BETHESDA = [
    # 2017 names with alternatives
    ("Final cytologic diagnosis: follicular lesion of undetermined significance.", "III"),
    ("DIAGNOSIS: AUS/FLUS; a repeat aspirate is suggested.", "III"),
    ("Interpretation: FN/SFN. Lobectomy advised.", "IV"),
    ("Diagnosis: suspicious for a Hurthle cell neoplasm.", "IV"),
    ("Diagnosis: Suspicious for a follicular neoplasm.", "IV"),
    ("Diagnosis: unsatisfactory for evaluation, blood only.", "I"),
    # 2023 names
    ("Category: AUS-nuclear. Groups with enlarged nuclei.", "III"),
    ("Interpretation: AUS-other (architectural atypia).", "III"),
    ("Diagnosis: oncocytic follicular neoplasm.", "IV"),
    ("Diagnosis: Nondiagnostic; cyst contents only.", "I"),
    # abbreviations
    ("Result: ND - please repeat.", "I"),
    ("Result: BFN.", "II"),
    ("Conclusion: SFM, favour papillary carcinoma.", "V"),
    # numerals with the system word
    ("Reported as Bethesda category IV.", "IV"),
    ("Assigned Bethesda 4.", "IV"),
    ("The smears fall in category II according to Bethesda.", "II"),
    ("TBSRTC 5.", "V"),
    ("Bethesda class VI, see below.", "VI"),
    # UK and Italian systems
    ("Thy1c - cyst fluid.", "I"),
    ("Thy3f: follicular lesion.", "IV"),
    ("Thy4.", "V"),
    ("Conclusion: TIR 3B.", "IV"),
    ("Conclusion: TIR2.", "II"),
    ("Conclusion: TIR5 - features of carcinoma.", "VI"),
    # a diagnosis that is only a numeral
    ("Smears reviewed.\nDiagnosis: IV\n", "IV"),
    ("Material adequate.\nCategory: 2.\n", "II"),
    # interpretations without a category
    ("Findings consistent with benign follicular nodule.", "II"),
    ("Aspirate positive for papillary thyroid carcinoma.", "VI"),
    ("Aspirate is consistent with a hyperplastic nodule.", "II"),
]


@pytest.mark.parametrize("text, expected", BETHESDA)
def test_bethesda_category(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Nodule TI-RADS 4 on imaging. Diagnosis: benign follicular nodule.", "II"),
    ("ACR TR5 nodule, 2 cm. Result: Bethesda II.", "II"),
    ("K-TIRADS 4 nodule. Cytology: consistent with colloid nodule.", "II"),
    ("EU-TIRADS\nCategory: 5\n", ""),
    ("Nodule U4 on US. Cellular smears.", ""),
])
def test_tirads_numbers_are_never_bethesda(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: suspicious for malignancy (Bethesda III).", "V"),
    ("Bethesda category 2 - follicular neoplasm.", "IV"),
])
def test_name_wins_over_conflicting_number(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, field, expected", [
    ("Bethesda VI: papillary thyroid carcinoma.", "malignancy", "malignant"),
    ("Bethesda VI: papillary thyroid carcinoma.", "histology", "papillary_carcinoma"),
    ("Bethesda VI: papillary thyroid carcinoma.", "ptc_subtype", "unspecified"),
    ("Bethesda VI - findings of medullary carcinoma.", "histology", "medullary_carcinoma"),
    ("Bethesda VI - malignant cells.", "histology", "not_stated"),
    ("Bethesda 2, benign.", "histology", "benign"),
    ("Bethesda 2, benign.", "ptc_subtype", ""),
    ("Bethesda III.", "malignancy", "indeterminate"),
    ("Bethesda IV.", "malignancy", "indeterminate"),
    ("Bethesda V.", "malignancy", "suspicious"),
    ("Bethesda V: suspicious for papillary carcinoma.", "histology", "not_stated"),
    ("Bethesda I.", "malignancy", "nondiagnostic"),
])
def test_cytology_malignancy_and_histology_follow_category(cytology, text, field, expected):
    assert cytology(text)[field] == expected


@pytest.mark.parametrize("text, expected", [
    ("Bethesda VI. Occasional psammoma bodies among the papillae.", "present"),
    ("Bethesda II. No psammoma bodies.", "absent"),
    ("Bethesda II. Psammoma bodies are not seen.", "absent"),
    ("Bethesda II. Calcified debris only.", "not_mentioned"),
])
def test_cytology_psammoma(cytology, text, expected):
    assert cytology(text)["psammoma_bodies"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Bethesda II, in keeping with Hashimoto thyroiditis.", "present"),
    ("Bethesda II. Background of chronic lymphocytic thyroiditis.", "present"),
    ("Bethesda IV. No background lymphocytic thyroiditis.", "absent"),
    ("Bethesda II. Clinical note: family history of Hashimoto thyroiditis.", "not_mentioned"),
    ("Bethesda II. Colloid and macrophages.", "not_mentioned"),
])
def test_cytology_lymphocytic_thyroiditis(cytology, text, expected):
    assert cytology(text)["lymphocytic_thyroiditis"] == expected


def test_surgical_fields_empty_for_cytology(cytology):
    out = cytology("Bethesda VI, papillary thyroid carcinoma, 2 cm nodule.")
    for name in ("tumor_size_mm", "tumor_focality", "lymph_node_metastasis", "extrathyroidal_extension", "mass_in_specimen"):
        assert out[name] == ""


def test_field_evidence_is_the_mention_under_the_rule_hit_not_a_neighbour():
    """A value's evidence links only mentions that cover the hit's offset; a mention a few words on is not."""
    import json
    import re

    import pandas as pd

    from extractor.run.api import extract

    text = ("FNA, left lobe. Diagnosis: papillary thyroid carcinoma (Bethesda VI). Several psammoma bodies. "
            "Background of lymphocytic thyroiditis.")
    result = extract(pd.DataFrame([{"report_id": "C1", "patient_id": "P1", "report_date": "2024-01-02",
                                    "report_type": "FNA", "text": text}]))
    evidence = json.loads(result.reports.loc[0, "evidence"])
    mentions = result.mentions.set_index("mention_index")
    for field, item in evidence.items():
        offsets = [int(o) for o in re.findall(r"@(\d+)", item["rule"])]
        for index in item["mentions"]:
            m = mentions.loc[index]
            assert any(m["start_char"] <= o < m["end_char"] for o in offsets), (field, m["text"])
    assert result.reports.loc[0, "psammoma_bodies"] == "present"
    thyroiditis = [int(i) for i in evidence["lymphocytic_thyroiditis"]["mentions"]]
    assert all("psammoma" not in mentions.loc[i, "text"].lower() for i in thyroiditis)
    assert all("thyroiditis" not in mentions.loc[i, "text"].lower()
               for i in evidence["psammoma_bodies"]["mentions"])
