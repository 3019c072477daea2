"""Failure classes found on the development text of the fourth round (blind batch 4, read for classes only;
docs/pathology.md, "Fourth-round classes"). Every case is synthetic wording written for the class, never a corpus
sentence."""
import pytest


# -- 1. several checklist rows on one line -------------------------------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: Papillary carcinoma\n  - Greatest size: 1.4 cm    - Multiplicity: solitary\n", "tumor_focality",
     "unifocal"),
    ("Final: medullary carcinoma\n - Focality: multifocal   - Extrathyroidal extension: not identified\n",
     "tumor_focality", "multifocal"),
    ("Final: papillary carcinoma\n - Extrathyroidal extension: absent   - Angioinvasion: present, three vessels\n",
     "extrathyroidal_extension", "absent"),
    ("Dx: papillary carcinoma, 9 mm\n - Psammoma bodies: seen   - Background parenchyma: no thyroiditis\n",
     "psammoma_bodies", "present"),
    ("Dx: papillary carcinoma, 9 mm\n - Psammoma bodies: seen   - Background parenchyma: no thyroiditis\n",
     "lymphocytic_thyroiditis", "absent"),
])
def test_inline_checklist_rows(surgical, text, field, expected):
    assert surgical(text)[field] == expected


def test_an_empty_inline_row_has_no_answer(surgical):
    text = "Diagnosis: papillary carcinoma, 1.0 cm\n - Multiplicity:   - Margins: clear\n"
    assert surgical(text)["tumor_focality"] == "not_stated"


# -- 2. foci of capsular invasion or penetration are no tumour foci ------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("FINAL DIAGNOSIS: Follicular carcinoma, minimally invasive (capsular invasion,\n3 foci), 2.9 cm.", "not_stated"),
    ("Microscopy: three foci of full-\nthickness capsular penetration.\nDiagnosis: follicular carcinoma, 41 mm.",
     "not_stated"),
    ("Diagnosis: oncocytic carcinoma with multiple foci of capsular breach and angioinvasion.", "not_stated"),
    ("Diagnosis: follicular carcinoma, widely invasive, capsule penetrated at several points; solitary tumour.",
     "unifocal"),
    # a real count of carcinoma foci still counts
    ("Diagnosis: papillary carcinoma, two separate foci (0.8 cm and 0.3 cm).", "multifocal"),
])
def test_foci_of_invasion_are_not_tumour_foci(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


# -- 3. an explicit unifocal statement outranks carcinomas inferred in two lobes -----------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis:\nRight lobe: papillary carcinoma, 14 mm.\nLeft lobe: NIFTP, 4 mm.\n"
     "Summary: carcinoma focality - unifocal, the NIFTP is not a carcinoma focus.", "unifocal"),
    ("Diagnosis:\nRight lobe: papillary carcinoma, 14 mm.\nLeft lobe: papillary microcarcinoma, 2 mm.", "multifocal"),
])
def test_explicit_unifocal_outranks_the_two_site_inference(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


# -- 4. a neoplasm said to be solitary; a deferred follicular neoplasm has a size ------------------------------------
@pytest.mark.parametrize("text, size, focality", [
    ("Diagnosis: Left lobe: follicular neoplasm, 3.3 cm, solitary - classification deferred to consultation.",
     "33", "unifocal"),
    ("Diagnosis: oncocytic (Hurthle cell) follicular neoplasm, 21 mm; opinion deferred.", "21", "not_stated"),
    ("Diagnosis: well-differentiated tumour of uncertain malignant potential, 1.7 cm.", "17", "not_stated"),
])
def test_a_deferred_neoplasm(surgical, text, size, focality):
    out = surgical(text)
    assert (out["tumor_size_mm"], out["tumor_focality"]) == (size, focality)


def test_a_hyperplastic_nodule_still_has_no_size(surgical):
    assert surgical("Diagnosis: nodular hyperplasia, dominant nodule 3.1 cm.")["tumor_size_mm"] == ""


# -- 5. Latin carcinoma names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: carcinoma papillare glandulae thyreoideae, 11 mm.", "papillary_carcinoma"),
    ("Diagnosis: Carcinoma folliculare, minimally invasive, 2.2 cm.", "follicular_carcinoma"),
    ("Diagnosis: carcinoma medullare thyreoideae.", "medullary_carcinoma"),
    ("Diagnosis: carcinoma anaplasticum.", "anaplastic_carcinoma"),
])
def test_latin_names(surgical, text, expected):
    assert surgical(text)["histology"] == expected


# -- 6. the size as the next line's sentence under the carcinoma line -------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis:\n - Follicular carcinoma, widely invasive (> 4 vessels).\n   Size 36 mm. Margins clear.", "36"),
    ("DIAGNOSIS: Oncocytic carcinoma, minimally invasive.\nTumour size: 1.9 cm.\n", "19"),
    ("DIAGNOSIS: Papillary carcinoma, classic type.\n - Greatest dimension 2.4 cm", "24"),
])
def test_a_size_line_under_the_carcinoma(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


def test_a_size_line_of_a_node_part_is_not_the_tumour(surgical):
    text = ("DIAGNOSIS:\nA. Right lobe: papillary carcinoma, 1.2 cm.\nB. Lymph node, level VI: metastatic carcinoma.\n"
            "Size 2.5 cm.")
    assert surgical(text)["tumor_size_mm"] == "12"


# -- 7. OCR look-alike digits and the word "no" in scans ------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, classic type, l.4 cm, right lobe.", "14"),
    ("GROSS: The left lobe has a tan nodule I.7 x l.2 x 0.9 cm.\nDIAGNOSIS: papillary carcinoma.", "17"),
    ("DIAGNOSIS: papillary carcinoma, 2.O cm.", "20"),
])
def test_ocr_digits_in_measurements(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: papillary carcinoma, 1.1 cm. N0 psammoma bodies seen. Lymph nodes: none received.",
     "psammoma_bodies", "absent"),
    ("DIAGNOSIS: papillary carcinoma, 1.1 cm (n0 angioinvasion). Lymph nodes: none received. pT1b pNX",
     "lymph_node_metastasis", "not_stated"),
    # the stage after a T category stays the stage
    ("DIAGNOSIS: papillary carcinoma, 1.1 cm. pT1b N0 (0/4 central nodes).", "lymph_node_metastasis", "absent"),
])
def test_ocr_zero_for_no(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- 8. a negation inside a bracket does not reach past it ------------------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("Diagnosis: papillary carcinoma (capsule breached; no angioinvasion), 1.8 cm, unifocal.", "tumor_focality",
     "unifocal"),
    ("Diagnosis: papillary carcinoma (no necrosis) with psammoma bodies.", "psammoma_bodies", "present"),
    ("Diagnosis: papillary carcinoma, no psammoma bodies (numerous sections).", "psammoma_bodies", "absent"),
])
def test_negation_inside_brackets(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- 9. hedged presence findings state nothing ---------------------------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("Microscopy: papillary groups; one possible psammoma body.", "psammoma_bodies", "not_mentioned"),
    ("Microscopy: many lymphocytes; lymphocytic thyroiditis is likely.", "lymphocytic_thyroiditis", "not_mentioned"),
    ("Microscopy: lymphoid cells; chronic lymphocytic thyroiditis cannot be excluded.", "lymphocytic_thyroiditis",
     "not_mentioned"),
    ("Microscopy: ?psammoma bodies in one smear.", "psammoma_bodies", "not_mentioned"),
    # an unhedged mention elsewhere still counts, and a hedge on the diagnosis is not one on the finding
    ("Microscopy: probable psammoma body. Psammoma bodies are also present in the cell block.", "psammoma_bodies",
     "present"),
    ("Diagnosis: suspicious for papillary carcinoma; psammoma bodies present.", "psammoma_bodies", "present"),
])
def test_hedged_findings(cytology, text, field, expected):
    assert cytology(text)[field] == expected


# -- 10. section headers in square brackets and HL7 result segments ---------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Specimen: Left lobectomy.\n[Gross] Left lobe 5.0 x 3.0 x 2.0 cm with a firm white nodule 1.6 cm.\n"
     "[Diagnosis] Papillary carcinoma, 1.6 cm.", "present"),
    ("OBR|1|||88305^SURGICAL PATHOLOGY\nOBX|1|TX|GROSS||Right lobe with a 2.2 cm tan nodule.||||||F\n"
     "OBX|2|TX|DX||Follicular adenoma, 2.2 cm.||||||F", "present"),
    ("OBX|1|TX|GROSS||Right lobe, serially sectioned: no discrete nodule.||||||F\n"
     "OBX|2|TX|DX||Papillary microcarcinoma, 2 mm.||||||F", "absent"),
])
def test_bracketed_and_hl7_headers(surgical, text, expected):
    assert surgical(text)["mass_in_specimen"] == expected


def test_hl7_offsets_still_point_into_the_text(aggregator):
    text = "OBX|1|TX|GROSS||Right lobe with a 2.2 cm tan nodule.||||||F"
    report = aggregator.report(text)
    assert len(report.text) == len(text)
    assert report.text[report.text.index("nodule"):][:6] == "nodule"


# -- 11. sides: numbered items, isthmectomy, FNA targets ------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS:\n  Papillary carcinoma, classic type\n   1) Location: Rt. upper (dominant), Lt. mid\n"
     "   2) Size: 1.1 cm and 0.2 cm", "bilateral"),
    ("DIAGNOSIS:\n  Medullary carcinoma\n   1) Site: Lt. lower pole\n   2) Lymph nodes: right level VI, 1/3", "left"),
    ("Specimen: isthmectomy including the medial parts of both lobes.\nDiagnosis: papillary carcinoma, 9 mm.",
     "isthmus"),
    ("Specimen: total thyroidectomy and isthmectomy.\nDiagnosis: papillary carcinoma, 9 mm.", "unspecified"),
])
def test_tumour_site_classes(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


@pytest.mark.parametrize("text, expected", [
    # a node target beside a thyroid target: the thyroid part decides
    ("Specimens:\nA) Left thyroid nodule, FNA\nB) Right level IV lymph node, FNA\nConclusion: A) benign. B) benign.",
     "left"),
    ("Specimens:\nA) Right thyroid nodule, FNA\nB) Left thyroid nodule, FNA\n", "bilateral"),
    # a node target alone: its side
    ("Specimen:\nA) Left level III lymph node, FNA\nConclusion: metastatic papillary carcinoma.", "left"),
    # the clinical line's nodule is the target when nothing else names a side
    ("Clinical details: right-sided nodule 2 cm, TR4.\nSmears: colloid and benign follicular cells.", "right"),
    ("Clinical information: nodule in the left lobe, 18 mm.\nDiagnosis: Bethesda II.", "left"),
    # ... but never against the specimen line, and never a history line about a node
    ("Clinical: right nodule last year.\nSpecimen: left lobe nodule, FNA.", "left"),
    ("History: right neck lymph node enlarged.\nSmears: benign.", "unspecified"),
    # French side words after a region
    ("Prélèvement: cytoponction du pôle inférieur gauche.", "left"),
    ("Prélèvement: nodule isthmique et lobe droit.", "right"),
])
def test_fna_site_classes(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


# -- 12. cytology parts named on one line -------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("A. FNA thyroid right, lower pole   B. FNA lymph node right level IV\n"
     "Diagnosis: A. Bethesda VI, papillary carcinoma. B. Suspicious for metastatic carcinoma.", "VI"),
    ("A. FNA thyroid left nodule. B. FNA level VI lymph node.\n"
     "Diagnosis: A. Benign (Bethesda II). B. Metastatic papillary carcinoma (Bethesda VI).", "II"),
])
def test_parts_on_one_line(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


# -- 13. a thyroid resection named in current text is no node-only specimen ------------------------------------------
@pytest.mark.parametrize("text, size", [
    # a scan that lost the thyroid part's label: every labelled part reads as a node part
    ("A. Lymph nodes, central compartment: 0/4.\nB. Lymph nodes, right level III: 1/6.\n"
     "Total thyroidectomy specimen 32 g: papillary carcinoma, 2.7 cm, right lobe.", "27"),
    # a neck dissection after an earlier thyroidectomy stays node-only
    ("Specimen: right neck dissection (status post total thyroidectomy).\n"
     "Diagnosis: metastatic papillary carcinoma in 2 of 9 lymph nodes, largest 1.5 cm.", ""),
])
def test_node_only_needs_no_thyroid_resection(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


# -- 14. a resection with only a deferred follicular neoplasm is indeterminate ---------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: Right lobe: follicular neoplasm, 2.8 cm; final classification deferred pending consultation.",
     "indeterminate"),
    ("DIAGNOSIS: Follicular tumour of uncertain malignant potential (FT-UMP), 1.9 cm.", "indeterminate"),
    # a benign or malignant diagnosis decides as before
    ("DIAGNOSIS: Follicular adenoma, 2.0 cm.\nMicroscopy: encapsulated follicular-patterned neoplasm.", "benign"),
    ("DIAGNOSIS: Follicular carcinoma, minimally invasive, 2.0 cm.\nMicroscopy: follicular neoplasm.", "malignant"),
])
def test_a_deferred_neoplasm_is_indeterminate(surgical, text, expected):
    out = surgical(text)
    assert out["malignancy"] == expected
    if expected == "indeterminate":
        assert out["histology"] == "not_stated"


# -- 15. more ways to count foci ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 1.4 cm (right lobe) and 0.3 cm (left lobe).", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 6 mm in the left lobe and 2 mm in the right lobe.", "multifocal"),
    ("DIAGNOSIS: papillary microcarcinoma x 2 (right 4 mm, isthmus 2 mm).", "multifocal"),
    ("DIAGNOSIS: papillary microcarcinomas (n=4), the largest 5 mm.", "multifocal"),
    ("DIAGNOSIS: bifocal papillary carcinoma, 1.0 cm and 0.2 cm.", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 2.1 cm, with three satellite foci in the same lobe.", "multifocal"),
    ("Number of tumour foci: 2\nDIAGNOSIS: Papillary carcinoma, 2.2 cm", "multifocal"),
    ("Number of foci: 1\nDIAGNOSIS: Papillary carcinoma, 2.2 cm", "unifocal"),
    ("Is the tumour multifocal? No\nDIAGNOSIS: Papillary carcinoma, 1.9 cm", "unifocal"),
    ("Is the carcinoma multifocal? Yes, three foci\nDIAGNOSIS: Papillary carcinoma, 1.9 cm", "multifocal"),
    # one side only: a list of sizes is one tumour's dimensions, not several foci
    ("DIAGNOSIS: Papillary carcinoma, 1.4 cm (right lobe); margin 0.3 cm.", "not_stated"),
])
def test_more_counts_of_foci(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


# -- 16. extension, node counts and poorly differentiated carcinoma in other wording ---------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm; no invasion beyond the thyroid capsule.", "extrathyroidal_extension",
     "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm, with extension beyond the capsule into fat.",
     "extrathyroidal_extension", "present"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm. Perithyroidal fat free of tumour.", "extrathyroidal_extension",
     "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm. The perithyroidal soft tissues are uninvolved.",
     "extrathyroidal_extension", "absent"),
    ("DIAGNOSIS: papillary carcinoma, 1.3 cm. Central nodes: 3 positive of 11.", "lymph_node_metastasis", "present"),
    ("DIAGNOSIS: papillary carcinoma, 1.3 cm. Lymph nodes: 0 involved out of 6.", "lymph_node_metastasis", "absent"),
    ("DIAGNOSIS: Poorly-differentiated thyroid carcinoma, 4.5 cm.", "histology", "other_malignant"),
    ("DIAGNOSIS: Poorly\u2011differentiated carcinoma (insular pattern).", "histology", "other_malignant"),
])
def test_other_wording(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- 17. a subtype named alone as a checklist answer; a second focus with its size before the name -------------------
@pytest.mark.parametrize("text, expected", [
    ("Histologic type: Papillary carcinoma\nHistologic variant: Tall cell\nTumour size: 25 mm", "tall_cell"),
    ("Histologic type: Papillary carcinoma\nSubtype: infiltrative follicular\nTumour size: 25 mm", "follicular"),
    # a variant answer that is a look-alike or another lesion does not count
    ("Histologic type: Papillary carcinoma\nVariant: tall cell features (10%)\nTumour size: 25 mm", "unspecified"),
    ("Histologic type: Papillary carcinoma\nVariant: classical\nOther: follicular adenoma, left lobe", "classic"),
])
def test_subtype_answer_alone(surgical, text, expected):
    assert surgical(text)["ptc_subtype"] == expected


@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: papillary carcinoma 1.6 cm.\nADDENDUM: deeper levels show a second 0.3 cm papillary microcarcinoma.",
     "multifocal"),
    ("DIAGNOSIS: papillary carcinoma 2.2 cm, with another 4 mm focus of carcinoma in the isthmus.", "multifocal"),
])
def test_a_second_focus_with_its_size(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


# -- 18. another lesion joined to the carcinoma's sentence gives no side ---------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: NIFTP, 1.9 cm, left lobe, and papillary microcarcinoma, 0.3 cm, right lobe.", "right"),
    ("DIAGNOSIS: Papillary carcinoma of the left lobe and a follicular adenoma of the right lobe.", "left"),
    ("DIAGNOSIS: Papillary carcinoma, isthmus, 0.8 cm, with nodular hyperplasia, right lobe.", "isthmus"),
    # a clause without another lesion still gives the carcinoma's side, and two carcinomas stay bilateral
    ("DIAGNOSIS: Papillary carcinoma, classic type, with angioinvasion, left lobe.", "left"),
    ("DIAGNOSIS: Papillary carcinoma, left lobe, and papillary microcarcinoma, right lobe.", "bilateral"),
])
def test_another_lesion_in_the_carcinoma_sentence(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


# -- 19. the system's full name before the category; a dash before a one-letter side ---------------------------------
@pytest.mark.parametrize("text, expected", [
    ("FNA right thyroid.\nDiagnosis: The Bethesda System for Reporting Thyroid Cytopathology: Category IV.", "IV"),
    ("FNA right thyroid.\nDiagnosis: Bethesda System (TBSRTC), category 2 - benign.", "II"),
])
def test_bethesda_full_system_name(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text, expected", [
    ("Site: Thyroid - Rt\nResult: benign.", "right"),
    ("Site: thyroid – L, mid pole\nResult: benign.", "left"),
    ("Site: Thyroid - lateral neck\nResult: benign.", "unspecified"),
])
def test_dash_before_a_short_side(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


# -- 20. muscle free of tumour, pT3b, "1 of 1 involved", a focal abnormality in the gross ----------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS: papillary carcinoma, 2.4 cm. Strap muscles: negative for tumour.", "extrathyroidal_extension",
     "absent"),
    ("DIAGNOSIS: papillary carcinoma, 2.4 cm. Skeletal muscle involvement: absent.", "extrathyroidal_extension",
     "absent"),
    ("DIAGNOSIS: papillary carcinoma, 2.4 cm, pT3b pN0.", "extrathyroidal_extension", "present"),
    ("DIAGNOSIS: papillary carcinoma, 4.4 cm, pT3a pN0.", "extrathyroidal_extension", "not_stated"),
    ("DIAGNOSIS: papillary carcinoma, 2.4 cm. Lymph nodes: 2 of 3 involved by carcinoma.", "lymph_node_metastasis",
     "present"),
    ("DIAGNOSIS: papillary carcinoma, 2.4 cm. Central nodes: 0 of 5 involved.", "lymph_node_metastasis", "absent"),
    ("GROSS: Left lobe; serial slices show no focal abnormality.\nDIAGNOSIS: papillary microcarcinoma, 1 mm.",
     "mass_in_specimen", "absent"),
    ("GROSS: Left lobe with a discrete firm abnormality, 7 mm.\nDIAGNOSIS: papillary microcarcinoma, 7 mm.",
     "mass_in_specimen", "present"),
])
def test_more_extension_node_and_gross_wording(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- 21. a margin distance earlier in the clause does not exclude the tumour's size ----------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: papillary carcinoma, 0.2 cm from the inked margin, measuring 1.9 cm.", "19"),
    ("Diagnosis: papillary carcinoma, 1.9 cm; closest margin 0.2 cm.", "19"),
    ("Diagnosis: papillary microcarcinoma; margin clearance 0.4 mm; tumour 3 mm.", "3"),
])
def test_margin_distance_before_the_size(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


# -- 22. an earlier operation's tumour and a benign lesion's measurement are not the size -----------------------------
@pytest.mark.parametrize("text, expected", [
    ("Specimen: Completion thyroidectomy, left.\nDIAGNOSIS: Residual papillary carcinoma, 0.5 cm, left lobe. Prior "
     "right lobectomy showed a 3.1 cm papillary carcinoma.", "5"),
    ("DIAGNOSIS: papillary microcarcinoma, 2 mm; status post hemithyroidectomy for a 2.8 cm follicular carcinoma.",
     "2"),
    ("DIAGNOSIS: Papillary carcinoma, 0.6 cm, arising in a 2.9 cm adenomatoid nodule.", "6"),
    ("DIAGNOSIS: Papillary microcarcinoma next to a 4.0 cm colloid nodule.", ""),
])
def test_earlier_tumours_and_benign_lesions(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


def test_a_benign_lesion_measurement_explains_the_miss(aggregator):
    out = aggregator.aggregate("surgical_pathology", "DIAGNOSIS: Papillary microcarcinoma next to a 4.0 cm colloid "
                                                     "nodule.", [])
    assert out["tumor_size_mm"].rule == "miss:benign_lesion_size"


# -- 23. an addendum that corrects the category; a category number inside a word ------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Diagnosis: Atypia of undetermined significance (Bethesda III).\n"
     "ADDENDUM: after review of the cell block the category is revised to Bethesda IV (previously III).", "IV"),
    ("AMENDED REPORT: the interpretation is changed to suspicious for malignancy (Bethesda V).\n"
     "Diagnosis: Follicular neoplasm (Bethesda IV).", "V"),
    # an addendum that only adds information does not replace the category
    ("Diagnosis: Benign (Bethesda II).\nADDENDUM: Molecular testing was not requested.", "II"),
    # "category is ..." is no category I
    ("Diagnosis: the category is uncertain; see comment.\nComment: cellular smears, Bethesda III (AUS).", "III"),
])
def test_amended_category(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


# -- 24. a focality answer that names a further focus is multifocal ---------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm.\nTumour focality: unifocal grossly; on histology a further focus 2 mm "
     "in the isthmus.", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm.\nFocality: single (second focus, 1 mm, right lobe).", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm.\nFocality: unifocal; no other focus identified.", "unifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 2.0 cm.\nFocality: unifocal (multiple foci of capsular invasion).", "unifocal"),
])
def test_a_further_focus_in_the_focality_answer(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected
