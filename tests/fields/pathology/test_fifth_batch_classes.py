"""Failure classes found on blind batch 5 (pathology and cytology). Every case is new synthetic wording written for
the class, not a sentence from the blind corpus."""
import pytest

from extractor.fields.pathology.text import form_rows


# -- 1. printed forms: leader dots stand for the key's colon -----------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    (("Histologic type ...... papillary carcinoma\nExtrathyroidal extension ..... Not identified\n"
     "Lymphocytic thyroiditis ...... Absent"), "extrathyroidal_extension", "absent"),
    ("Histologic type ...... papillary carcinoma\nChronic lymphocytic thyroiditis .... absent",
     "lymphocytic_thyroiditis", "absent"),
    ("Histologic type ..... papillary carcinoma, classic type\nGreatest dimension ........ 2.4 cm",
     "tumor_size_mm", "24"),
    ("Diagnosis: papillary carcinoma\nExtrathyroidal extension … none", "extrathyroidal_extension", "absent"),
])
def test_leader_dots_are_the_key_separator(surgical, text, field, expected):
    assert surgical(text)[field] == expected


def test_form_rows_keeps_length():
    text = "Tumour size ........ 12 mm\nREG_NO=4 ____"
    out = form_rows(text)
    assert len(out) == len(text)
    assert out.startswith("Tumour size:") and "REG NO=4 ____" in out


# -- 2. registry exports: underscored keys and coded answers -----------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("REGISTER FORM\nPROC=lobectomy\nHIST_TYPE=PTC  PTC_SUBTYPE=CLASSIC", "ptc_subtype", "classic"),
    ("REGISTER FORM\nHIST_TYPE=PTC\nMAX_TUMOUR_DIAM_MM=14", "tumor_size_mm", "14"),
    ("REGISTER FORM\nHIST_TYPE=PTC\nTumour max diam (mm): 9", "tumor_size_mm", "9"),
    ("REGISTER FORM\nHIST_TYPE=PTC\nGROSS_LESION=0 (no)", "mass_in_specimen", "absent"),
    ("REGISTER FORM\nHIST_TYPE=PTC\nMacroscopic tumour: yes", "mass_in_specimen", "present"),
])
def test_registry_rows(surgical, text, field, expected):
    assert surgical(text)[field] == expected


@pytest.mark.parametrize("text, expected", [
    ("CYTOLOGY REGISTER\nBETHESDA=5\nCYT_TEXT=suspicious", "V"),
    ("Thyroid FNA, right\nBethesda = 2", "II"),
])
def test_bethesda_after_an_equals_sign(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


def test_underscored_registry_key_names_its_finding(cytology):
    assert cytology("CYT REGISTER\nBETHESDA=6\nCYT_DX=papillary carcinoma\nCYT_PSAMMOMA=1 (yes)")["psammoma_bodies"] == "present"


# -- 3. a hard-wrapped diagnosis whose next line opens with a bracket -----------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (("Gross: right lobe 6.1 x 3.0 x 2.8 cm with a brown nodule 2.2 cm.\nDiagnosis: Follicular carcinoma, widely invasive\n"
     "   (angioinvasion in five vessels), 2.2 cm."), "22"),
    (("Gross: left lobe 5.5 x 2.5 x 2.0 cm, encapsulated nodule 1.7 cm.\nDiagnosis: Noninvasive follicular thyroid neoplasm "
     "with papillary-like nuclear features\n  (NIFTP), 17 mm."), "17"),
])
def test_wrapped_clause_opening_with_a_bracket(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


# -- 4. section headers: bilingual, "Surgical Path Diagnosis", "Dataset" --------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (("Makroskopie / Gross: Lappen 4 x 2 cm; kein Knoten / no lesion identified grossly.\n"
     "Diagnose / Diagnosis: papillary microcarcinoma, 3 mm."), "absent"),
    (("Macroscopy: lobe 30 g, homogeneous; no discrete nodule.\nDataset:\n  Tumour type: papillary carcinoma\n"
     "  Maximum tumour dimension: 11 mm"), "absent"),
    (("Gross: thyroid 40 g, both lobes firm; no mass seen.\nSurgical Path Diagnosis:\n  Papillary carcinoma, diffuse "
     "sclerosing subtype, tumor size not assessable."), "absent"),
])
def test_gross_ends_at_the_next_header(surgical, text, expected):
    assert surgical(text)["mass_in_specimen"] == expected


# -- 5. a translated gross description that calls the nodule a "node" ----------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Macro: right lobe 4.0 x 2.0 cm; on cutting a solitary firm whitish node 1.2 cm.\nConclusion: papillary carcinoma.",
     "present"),
    ("Macro: lobe with an encapsulated brown node of 2 cm.\nConclusion: follicular adenoma.", "present"),
    ("Macro: fatty tissue with four lymph nodes, the largest firm lymph node 1 cm.\nConclusion: reactive nodes.",
     "not_stated"),
])
def test_translated_node_is_a_nodule(surgical, text, expected):
    assert surgical(text)["mass_in_specimen"] == expected


# -- 6. node counts written as "metastasis in N of M" ---------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: papillary carcinoma, 1.1 cm.\nCentral compartment lymph nodes: metastases in 2 of 9.", "present"),
    ("Diagnosis: papillary carcinoma, 1.1 cm.\nLateral neck nodes: carcinoma in 0 of 14.", "absent"),
])
def test_metastasis_in_n_of_m(surgical, text, expected):
    assert surgical(text)["lymph_node_metastasis"] == expected


# -- 7. "does not extend beyond the thyroid" ---------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Diagnosis: oncocytic carcinoma, 2.0 cm. The carcinoma does not extend beyond the thyroid.",
    "Diagnosis: papillary carcinoma, 9 mm; the tumour did not grow out of the thyroid gland.",
])
def test_no_extension_beyond_the_thyroid(surgical, text):
    assert surgical(text)["extrathyroidal_extension"] == "absent"


# -- 8. "Operation:" names the specimen ---------------------------------------------------------------------------
def test_operation_line_names_the_resected_side(surgical):
    text = ("Operation: left hemithyroidectomy.\nMacro: lobe 5 cm, grey nodule 1.1 cm.\n"
            "Conclusion: papillary thyroid carcinoma, 1.1 cm, single focus.")
    assert surgical(text)["tumor_site"] == "left"


# -- 9. a part label above an indented diagnosis gives the carcinoma's side ----------------------------------------
@pytest.mark.parametrize("text, expected", [
    (("FINAL DIAGNOSIS:\n  A. Left lobe, lobectomy:\n     - Papillary carcinoma, classic subtype, 1.0 cm.\n"
     "  B. Right lobe, lobectomy:\n     - Nodular hyperplasia; no carcinoma."), "left"),
    (("B. RIGHT THYROID LOBE:\n   Gross: 15 g with a white nodule.\n   Dx: PAPILLARY CARCINOMA, 0.8 cm.\n"
     "A. LEFT THYROID LOBE:\n   Dx: colloid nodule. No carcinoma."), "right"),
])
def test_part_label_above_the_diagnosis(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


# -- 10. the word lists moved out of Python are data --------------------------------------------------------------
def test_site_word_lists_are_rule_roles(aggregator):
    roles = {r.get("value") for r in aggregator.rules.sites}
    assert {"other_lesion", "coordination", "isthmectomy"} <= roles


def test_earlier_operation_cues_are_the_context_historical_list(aggregator):
    ids = {r.id for r in aggregator.rules.historical}
    assert "his-001" in ids and "his-005" in ids  # history of, status post
    assert all(r.get("direction") in ("forward", "bidirectional") for r in aggregator.rules.historical)
