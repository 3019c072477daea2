"""Contract v1.1 cytology clarifications; synthetic wording written for these tests. (The Thy / TIR mapping itself
was already read and is tested in test_cytology.py; the cases here are the ones v1.1 changed.)"""
import pytest


@pytest.mark.parametrize("text, expected", [
    ("Thy3f. Equivalent to Bethesda category III.", "III"),
    ("TIR 3B (Bethesda category V).", "V"),
    ("Local class Thy2, Bethesda category I (scant cellularity).", "I"),
])
def test_bethesda_statement_wins_over_thy_or_tir(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, category, histology", [
    ("Category III.\nAncillary ThyroSeq v3: RET/PTC fusion identified, consistent with papillary carcinoma.", "III",
     "not_stated"),
    ("Category V.\nMolecular: BRAF V600E mutation detected, consistent with papillary thyroid carcinoma.", "V",
     "not_stated"),
])
def test_molecular_results_never_change_category_or_histology(cytology, text, category, histology):
    got = cytology(text)
    assert (got["bethesda_category"], got["histology"]) == (category, histology)


@pytest.mark.parametrize("text, expected", [
    ("A. Thyroid, right lobe, FNA: benign follicular nodule (Bethesda II).\n"
     "B. Thyroid, left lobe, FNA: suspicious for malignancy (Bethesda V).", "V"),
    ("Specimen A, left nodule: nondiagnostic (Bethesda I).\nSpecimen B, right nodule: Bethesda III.", "III"),
    ("Part 1 - right thyroid nodule: Bethesda II.\nPart 2 - isthmus nodule: Bethesda VI, papillary carcinoma.", "VI"),
])
def test_several_parts_take_the_highest_category(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Part 1: Adequacy satisfactory.\nPart 2: Benign follicular nodule (Bethesda II).\nPart 3: Note - suspicious "
     "for a follicular neoplasm cannot be entirely excluded.", "II"),
])
def test_numbered_comment_lines_are_not_parts(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected
