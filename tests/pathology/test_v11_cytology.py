"""Contract v1.1 cytology clarifications; synthetic wording written for these tests."""
import pytest


@pytest.mark.parametrize("text, expected", [
    ("Conclusion: Thy1c - cyst contents only, no follicular epithelium.", "I"),
    ("RCPath category Thy2 (non-neoplastic, colloid and macrophages).", "II"),
    ("UK category: Thy3a. Mild nuclear atypia in scattered groups.", "III"),
    ("Summary: Thy 3f, microfollicular aspirate.", "IV"),
    ("Report category Thy4 - abnormal, suspicious of malignancy.", "V"),
    ("Italian classification TIR 1C, cystic material.", "I"),
    ("Categoria TIR3B (lesione follicolare ad alto rischio).", "IV"),
    ("SIAPEC: TIR3A.", "III"),
    ("Classe diagnostica TIR 4.", "V"),
    ("Cytological class TIR5, carcinoma papillare.", "VI"),
])
def test_uk_and_italian_categories_map_to_bethesda(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Thy3f. Equivalent to Bethesda category III.", "III"),
    ("TIR4 (Bethesda V).", "V"),
    ("Bethesda II; local category Thy3a requested by the clinician.", "II"),
    ("Category Thy4; in the Bethesda system: atypia of undetermined significance.", "III"),
])
def test_bethesda_statement_wins_over_thy_or_tir(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, category, histology", [
    ("Diagnosis: atypia of undetermined significance (Bethesda III).\nMolecular: ThyroSeq positive, BRAF V600E "
     "detected, high probability of malignancy.", "III", "not_stated"),
    ("Bethesda IV, follicular neoplasm.\nAfirma GSC result: suspicious.", "IV", "not_stated"),
    ("Benign follicular nodule (Bethesda II).\nBRAF mutation analysis: negative.", "II", "benign"),
    ("Category III.\nAncillary ThyroSeq v3: RET/PTC fusion identified, consistent with papillary carcinoma.", "III",
     "not_stated"),
])
def test_molecular_results_never_change_category_or_histology(cytology, text, category, histology):
    got = cytology(text)
    assert (got["bethesda_category"], got["histology"]) == (category, histology)


@pytest.mark.parametrize("text, expected", [
    ("A. Thyroid, right lobe, FNA: benign follicular nodule (Bethesda II).\n"
     "B. Thyroid, left lobe, FNA: suspicious for malignancy (Bethesda V).", "V"),
    ("Part 1 (right): Bethesda category IV.\nPart 2 (isthmus): Bethesda category II.", "IV"),
    ("Specimen A, left nodule: nondiagnostic (Bethesda I).\nSpecimen B, right nodule: Bethesda III.", "III"),
    ("1) Right thyroid FNA: Bethesda VI, papillary thyroid carcinoma.\n2) Left thyroid FNA: Bethesda II.", "VI"),
])
def test_several_parts_take_the_highest_category(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected
