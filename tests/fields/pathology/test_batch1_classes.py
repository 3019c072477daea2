"""Failure classes found on blind batch 1 (docs/pathology.md, "Batch 1 failure classes"). Every case is new
synthetic wording written for the class, not a sentence from the blind corpus."""
import pytest


# -- class 1: gross description headers the section finder did not know ------------------------------------------
@pytest.mark.parametrize("text", [
    "Macroscopy: Right lobe 40 x 25 x 18 mm. Cut surface shows a grey 12 mm nodule.\nDiagnosis: follicular adenoma.",
    "Macro: pale firm lesion 7 mm, left upper pole.\nMicro: papillary carcinoma.",
    "Macroscopical description: lobe with a solitary encapsulated mass.\nConclusion: follicular adenoma.",
    "Gross appearance: thyroid lobe containing a 2 cm cyst.\nDiagnosis: benign cyst.",
    # "KEY = text" closed by an equals sign
    "GROSS = Lobe weighing 14 g with a 9 mm tan nodule.\nDIAGNOSIS = papillary carcinoma, 0.9 cm.",
    # a header inline after the procedure sentence, in title case
    "Right hemithyroidectomy. Macroscopic: lobe of 5 cm with a 14 mm white nodule.\nDiagnosis: adenoma.",
    "Total thyroidectomy. Gross: both lobes nodular, dominant nodule 3 cm on the left.\nDiagnosis: goitre.",
])
def test_gross_header_variants_give_a_mass(surgical, text):
    assert surgical(text)["mass_in_specimen"] == "present"


@pytest.mark.parametrize("text", [
    "Macroscopy: both lobes uniformly firm; no discrete nodule identified.\nDiagnosis: thyroiditis.",
    "GROSS = homogeneous red-brown lobe, no mass lesion seen.\nDIAGNOSIS = nodular hyperplasia absent; normal thyroid.",
])
def test_gross_header_variants_negated(surgical, text):
    assert surgical(text)["mass_in_specimen"] == "absent"


def test_micro_header_ends_the_gross_description(surgical):
    # the nodule is named in the microscopic text only: the gross description names none
    text = "GROSS DESCRIPTION: lobe 4 x 2 x 2 cm, cut surface homogeneous.\nMicro: a small nodule of hyperplasia.\nDiagnosis: benign."
    assert surgical(text)["mass_in_specimen"] == "not_stated"


def test_header_keys_keeps_length_and_leaves_prose_alone(aggregator):
    rules = aggregator.rules
    from extractor.fields.pathology.text import _inline_header_rules, header_keys
    header = _inline_header_rules(rules)
    text = "GROSS = lobe.\nThe ratio a = b. Patient well. Size: 2 cm. Microscopy: sheets."
    out = header_keys(text, header)
    assert len(out) == len(text)
    assert out.startswith("GROSS : lobe.")
    assert " Size: 2 cm" in out and " MICROSCOPY: sheets" in out


# -- class 2: hard-wrapped lines split a negation or a phrase from its finding -----------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: Papillary carcinoma, left lobe, 1.1 cm, with no\nextrathyroidal extension identified.",
     "extrathyroidal_extension", "absent"),
    ("DIAGNOSIS: Papillary carcinoma of the isthmus, 0.8 cm, without\nextrathyroidal extension.",
     "extrathyroidal_extension", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 2.2 cm, the tumour being confined to\nthe thyroid gland.",
     "extrathyroidal_extension", "absent"),
    ("GROSS DESCRIPTION: The lobe is uniformly firm on sectioning, with no\ndiscrete nodule.\nDIAGNOSIS: thyroiditis.",
     "mass_in_specimen", "absent"),
    ("DIAGNOSIS: Follicular adenoma, 2 cm. The background parenchyma shows no\nlymphocytic thyroiditis.",
     "lymphocytic_thyroiditis", "absent"),
])
def test_wrapped_lines_stay_one_clause(surgical, text, field, expected):
    assert surgical(text)[field] == expected


def test_real_line_breaks_still_end_a_clause(surgical):
    # the negation on the first gross line does not reach the next line (upper case start); the wrapped one does
    out = surgical("GROSS DESCRIPTION: Right lobe: no nodule\nLeft lobe: 12 mm tan nodule.\n"
                   "DIAGNOSIS: Papillary carcinoma, left lobe, 1.2 cm, with no\nextrathyroidal extension.")
    assert (out["mass_in_specimen"], out["extrathyroidal_extension"]) == ("present", "absent")


# -- class 3: shorthand signs and terse negations ("(-)", "Ex0", "is not a feature", Korean "없음") --------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: Papillary carcinoma, classic type, 14 mm. Psammoma bodies (-). Hashimoto thyroiditis (-).",
     "psammoma_bodies", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 9 mm.\nPsammoma (negative).", "psammoma_bodies", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 2 cm. Lymphocytic thyroiditis ( - ).", "lymphocytic_thyroiditis", "absent"),
    ("DIAGNOSIS: Medullary carcinoma, 2 cm. Psammoma bodies are not a feature.", "psammoma_bodies", "absent"),
    ("DIAGNOSIS: Follicular carcinoma. Psammoma bodies are not observed.", "psammoma_bodies", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 1.2 cm; chronic lymphocytic thyroiditis 없음.", "lymphocytic_thyroiditis",
     "absent"),
])
def test_shorthand_negation(surgical, text, field, expected):
    assert surgical(text)[field] == expected


@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 12 mm. pT1b, Ex0, ly1, v0.", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 7 mm, psammoma bodies (+). Ex0. Margins clear.", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 3 cm. ly1 v1 Ex1.", "present"),
    ("DIAGNOSIS: Papillary carcinoma, 25 mm. Ex1 (perithyroid adipose tissue).", "present"),
    ("DIAGNOSIS: Papillary carcinoma, 41 mm, Ex2 into the strap muscle.", "present"),
    ("DIAGNOSIS: Papillary carcinoma, 1.5 cm. The tumour is confined to the gland.", "absent"),
    ("DIAGNOSIS: Papillary microcarcinoma, 4 mm, limited to the right lobe.", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 0.9 cm, confined to the isthmus.", "absent"),
])
def test_extrathyroidal_shorthand_and_gland(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


# -- class 4: lymphocytic thyroiditis named "chronic thyroiditis"; a negated lymphocytic infiltrate ----------------
@pytest.mark.parametrize("text, kind, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 1 cm. Background chronic thyroiditis.", "surgical", "present"),
    ("DIAGNOSIS: Follicular adenoma. Chronic thyroiditis (+), focal.", "surgical", "present"),
    ("DIAGNOSIS: Nodular hyperplasia with chronic nonspecific thyroiditis.", "surgical", "present"),
    ("DIAGNOSIS: Benign follicular nodule (Bethesda II). No lymphocytic infiltrate.", "cytology", "absent"),
    ("INTERPRETATION: Bethesda II. Colloid and follicular cells, without lymphocytic infiltration.", "cytology",
     "absent"),
])
def test_chronic_thyroiditis_and_infiltrate(surgical, cytology, text, kind, expected):
    read = surgical if kind == "surgical" else cytology
    assert read(text)["lymphocytic_thyroiditis"] == expected


def test_affirmed_lymphocytic_infiltrate_alone_is_not_thyroiditis(cytology):
    out = cytology("DIAGNOSIS: Benign follicular nodule (Bethesda II). Lymphocytic infiltrate, no thyroiditis.\n"
                   "Psammoma bodies (-).")
    # the infiltrate alone is not thyroiditis; the (-) sign negates psammoma bodies
    assert (out["lymphocytic_thyroiditis"], out["psammoma_bodies"]) == ("absent", "absent")


# -- class 5: tumor_site read "bilateral" from a sentence that denies carcinoma on the other side ----------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS:\n- Papillary carcinoma, classic type, right lobe, 1.8 cm.\n- Left lobe: colloid nodules, no tumour seen.",
     "right"),
    ("DIAGNOSIS: Papillary carcinoma, left lobe, 1.1 cm. No additional carcinoma focus in the right lobe.", "left"),
    ("DIAGNOSIS: Papillary carcinoma of the left lobe (9 mm); follicular adenoma of the right lobe.", "left"),
    ("DIAGNOSIS: Papillary carcinoma (right); NIFTP (left) - not counted as carcinoma.", "right"),
    ("DIAGNOSIS: 1. Right lobe: papillary carcinoma, 2 cm.\n2. Left lobe: nodular goitre, negative for malignancy.",
     "right"),
])
def test_tumour_site_ignores_denied_carcinoma(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


def test_tumour_site_both_lobes_still_bilateral(surgical):
    both = surgical("DIAGNOSIS: Papillary carcinoma, right lobe, 1.4 cm; papillary microcarcinoma, left lobe, 3 mm. "
                    "Left lobe: no lymphocytic thyroiditis.")
    one = surgical("DIAGNOSIS: Papillary carcinoma, right lobe, 1.4 cm; left lobe free of tumour.")
    # two affirmed carcinoma clauses give bilateral even though another clause negates something else
    assert (both["tumor_site"], one["tumor_site"]) == ("bilateral", "right")


# -- class 6: "papillary-like nuclear features" (NIFTP) is not a papillary carcinoma answer ----------------------
@pytest.mark.parametrize("text", [
    "SYNOPTIC REPORT\nTumor type: Noninvasive follicular neoplasm with papillary-like nuclear features\n",
    "SYNOPTIC REPORT\nHistologic type: encapsulated follicular-patterned neoplasm, papillary-like nuclei\n",
])
def test_papillary_like_is_not_papillary(surgical, text):
    assert surgical(text)["histology"] != "papillary_carcinoma"


# -- class 7: one tumour stated without the word "focus" ("single lesion", "Multiplicity: single") -----------------
@pytest.mark.parametrize("text", [
    "DIAGNOSIS: Papillary carcinoma, right lobe, 1.3 cm. Single lesion.",
    "DIAGNOSIS: Follicular carcinoma, minimally invasive, 2.6 cm; a single tumour in the left lobe.",
    "DIAGNOSIS: Papillary carcinoma, 8 mm, only one lesion identified.",
    "DIAGNOSIS: Papillary carcinoma\n - Multiplicity: single\n - Size: 1.1 cm",
    "SYNOPTIC REPORT\nNumber of tumour foci: one\nHistologic type: papillary carcinoma",
])
def test_single_tumour_wording(surgical, text):
    assert surgical(text)["tumor_focality"] == "unifocal"


# -- class 8: amendment headers and corrections worded as "the correct size of the carcinoma is" -----------------
@pytest.mark.parametrize("text, size", [
    ("DIAGNOSIS: Papillary carcinoma, 2.5 cm, right lobe.\nAMENDMENT (05/02/2025): the diagnosis size was entered in "
     "error; the correct size of the\ncarcinoma is 1.5 cm.", "15"),
    ("DIAGNOSIS: Papillary carcinoma, 3.0 cm.\nAmendment note: The true greatest dimension of the tumour is 2.0 cm, "
     "as measured on the slides.", "20"),
    ("FINAL DIAGNOSIS: Papillary carcinoma, 1.9 cm.\nAMENDMENT 1: typographical error in the size; the maximum "
     "diameter of the carcinoma was 0.9 cm.", "9"),
])
def test_amended_size_wording(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


# -- class 9: a bare "Clinical:" history line is history, not a finding of this specimen --------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("Specimen: Completion thyroidectomy, left.\nClinical: papillary carcinoma right 18 mm, lobectomy last year.\n"
     "Diagnosis: Nodular hyperplasia; no residual carcinoma.", "malignancy", "benign"),
    ("Specimen: Right lobe.\nClinical notes: prior papillary carcinoma of the contralateral lobe, 2 cm.\n"
     "Diagnosis: Follicular adenoma, 1.2 cm.", "tumor_size_mm", "12"),
])
def test_clinical_line_is_history(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- class 10: a synonym in brackets between the type word and "carcinoma" ---------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Undifferentiated (anaplastic) carcinoma of the thyroid, 6 cm.", "anaplastic_carcinoma"),
    ("DIAGNOSIS: Anaplastic (undifferentiated) thyroid carcinoma with necrosis.", "anaplastic_carcinoma"),
    ("DIAGNOSIS: Oncocytic (Hürthle cell) carcinoma, widely invasive, 4 cm.", "other_malignant"),
    ("IMPRESSION: Hurthle cell (oncocytic) carcinoma, minimally invasive.", "other_malignant"),
])
def test_bracketed_synonym_histology(surgical, text, expected):
    assert surgical(text)["histology"] == expected


# -- class 11: node status - "Lymph nodes: none" is none submitted; UICC "Pn0" is perineural, not pN0 ------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 1.4 cm.\n- Lymph nodes: none.", "not_stated"),
    ("DIAGNOSIS: Papillary carcinoma, 2 cm.\nLymph nodes: None\nMargins: clear", "not_stated"),
    ("DIAGNOSIS: Papillary carcinoma, 1.1 cm. TNM: pT1b, pNX, L1, V0, Pn0, R0.", "not_stated"),
    ("DIAGNOSIS: Follicular carcinoma, 3 cm. UICC: pT2 pNX L0 V1 Pn0 R1.", "not_stated"),
])
def test_node_status_not_examined(surgical, text, expected):
    assert surgical(text)["lymph_node_metastasis"] == expected


def test_pn0_stage_still_read(surgical):
    out = surgical("DIAGNOSIS: Papillary carcinoma, 1.1 cm. TNM: pT1b pN0 (0/4), L0, V0, Pn0.")
    other = surgical("DIAGNOSIS: Papillary carcinoma, 1.1 cm. TNM: pT1b, L0, V0, Pn0.")
    assert (out["lymph_node_metastasis"], other["lymph_node_metastasis"]) == ("absent", "not_stated")


# -- class 12: fna_site - several labelled FNA targets, and Italian / Spanish / French side words -----------------
@pytest.mark.parametrize("text, expected", [
    ("A. Left lobe nodule, FNA: benign (Bethesda II).\nB. Right lower pole nodule, FNA: atypia (Bethesda III).",
     "bilateral"),
    ("1) Isthmus nodule, FNA: Bethesda II.\n2) Right upper pole, FNA: Bethesda IV.", "right"),
    ("1. Left nodule: Thy2.\n2. Right nodule: Thy3f.\nComment: repeat sampling advised.", "bilateral"),
    ("AGOASPIRATO TIROIDEO, lobo destro: TIR2, benigno (Bethesda II).", "right"),
    ("PUNCIÓN ASPIRATIVA, lóbulo izquierdo: Bethesda II, nódulo folicular benigno.", "left"),
    ("Cytoponction thyroïdienne, lobe gauche: Bethesda II (bénin).", "left"),
])
def test_fna_site_parts_and_languages(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


def test_fna_site_first_line_not_a_part_keeps_its_side(cytology):
    out = cytology("FNA, right thyroid nodule.\nA. Smears: benign follicular cells.\nB. Left neck node: lymphocytes.")
    out2 = cytology("A. FNA right thyroid nodule: Bethesda II.\nB. FNA left thyroid nodule: Bethesda II.")
    assert (out["fna_site"], out2["fna_site"]) == ("right", "bilateral")


# -- class 14: "with nuclear features of papillary carcinoma" describes a lesion; the diagnosis line decides -------
@pytest.mark.parametrize("text", [
    "MICROSCOPIC: An encapsulated follicular-patterned nodule with nuclear features of papillary carcinoma, no "
    "invasion.\nDIAGNOSIS: NIFTP, 2.1 cm.",
    "Microscopy: well-circumscribed lesion showing focal nuclear features resembling papillary carcinoma.\n"
    "Diagnosis: Noninvasive follicular thyroid neoplasm with papillary-like nuclear features, 14 mm.",
])
def test_nuclear_features_description_is_not_carcinoma(surgical, text):
    out = surgical(text)
    assert (out["malignancy"], out["histology"]) == ("benign", "benign")


def test_named_carcinoma_beside_the_description_still_counts(surgical, cytology):
    out = surgical("DIAGNOSIS: Papillary thyroid carcinoma, follicular variant, 1.6 cm, a tumour with nuclear "
                   "features of papillary carcinoma and invasion of the capsule.")
    cyto = cytology("DIAGNOSIS: Malignant (Bethesda VI), papillary thyroid carcinoma: cells with nuclear features "
                    "of papillary carcinoma.")
    nifTP = surgical("MICROSCOPIC: nodule with nuclear features of papillary carcinoma.\nDIAGNOSIS: NIFTP, 1 cm.")
    assert (out["histology"], cyto["histology"], nifTP["histology"]) == ("papillary_carcinoma", "papillary_carcinoma",
                                                                        "benign")
