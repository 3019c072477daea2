"""Failure classes found on the development text of this round (blind batches 1 and 2, TCGA development third;
docs/pathology.md, "New-wording classes"). Every case is synthetic wording written for the class, never a corpus
sentence."""
import pytest


# -- class 1: the carcinoma's size after its site, a list of foci, a diffuse tumour's extent ----------------------
@pytest.mark.parametrize("text, expected", [
    # the lobe word names where the carcinoma is; the number after it is the tumour's
    ("FINAL DIAGNOSIS: Papillary carcinoma, tall cell subtype, left lobe, 2.3 cm, margins free.", "23"),
    ("DIAGNOSIS: FOLLICULAR CARCINOMA, MINIMALLY INVASIVE, RIGHT LOBE, 3.1 CM.", "31"),
    ("Diagnosis: medullary carcinoma (calcitonin positive), isthmus - 9 mm, no extension.", "9"),
    # ... and a larger microcarcinoma list later on the line does not replace it
    ("DIAGNOSIS: Papillary carcinoma, classic, right lobe, 1.9 cm. Two further foci in the left lobe (2 mm, 3 mm).",
     "19"),
])
def test_lobe_after_the_carcinoma_is_its_site(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


@pytest.mark.parametrize("text, expected", [
    # a lobe measured on its own (no carcinoma earlier in the clause) is still not the tumour
    ("GROSS: Right lobe, 5.2 x 2.4 x 2.0 cm, with a 1.1 cm firm nodule.\nDIAGNOSIS: Papillary carcinoma.", "11"),
    ("DIAGNOSIS: Papillary carcinoma, 0.7 cm. Left lobe: 4.8 x 2.1 x 1.6 cm, unremarkable.", "7"),
])
def test_a_lobe_dimension_is_still_excluded(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS:\n1. Papillary thyroid carcinoma, classical type\n   a) Left lobe: 0.9 x 0.8 cm\n"
     "   b) Right lobe: 2.4 x 1.2 cm\n   - Margins clear\n2. Nodes 0/4", "24"),
    ("Diagnosis:\nFollicular variant papillary carcinoma\n - isthmus, 1.3 cm\n - right upper pole, 0.5 cm\n", "13"),
])
def test_a_list_of_foci_under_the_carcinoma_line(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


def test_a_list_item_of_a_nodal_deposit_is_not_a_focus(surgical):
    text = ("DIAGNOSIS:\nPapillary carcinoma, diffuse sclerosing type\n - metastatic deposit in a level VI node 2.2 cm\n"
            "Greatest extent of the carcinoma 4.1 cm.")
    assert surgical(text)["tumor_size_mm"] == "41"


@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, diffuse sclerosing variant, replacing most of the right lobe; greatest extent "
     "of tumour about 4.2 cm.", "42"),
    ("DIAGNOSIS: Diffuse sclerosing papillary carcinoma involving both lobes\n   (extent 5.0 cm).", "50"),
    ("Final diagnosis: papillary carcinoma, diffusely infiltrative; largest confluent area 1.9 cm (left lobe).", "19"),
    ("Diagnosis: papillary carcinoma, diffuse sclerosing subtype. Tumour extent: 33 mm.", "33"),
])
def test_a_diffuse_carcinoma_is_measured_by_its_extent(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


def test_the_extent_of_something_else_is_no_size(surgical):
    # "extent" needs a number right after it; an extent of resection or extension names no tumour size
    out = surgical("DIAGNOSIS: Papillary carcinoma, 1.2 cm. Extent of extrathyroidal extension: minimal.")
    assert out["tumor_size_mm"] == "12"


@pytest.mark.parametrize("text", [
    "GROSS: Multiple tumour fragments aggregating 6.5 x 4.0 x 2.0 cm.\nDIAGNOSIS: Anaplastic carcinoma.",
    "GROSS: Tan tissue fragments, in aggregate 3.0 cm.\nDIAGNOSIS: Papillary carcinoma (fragmented).",
])
def test_fragments_in_aggregate_are_no_tumour_size(surgical, text):
    assert surgical(text)["tumor_size_mm"] == ""


# -- class 2: a thyroid resection named with a prefix or in another language; a node-only specimen's own line -----
@pytest.mark.parametrize("text", [
    "Specimen: right hemithyroidectomy and two level VI nodes.\nDiagnosis: papillary carcinoma, 13 mm, single focus. "
    "No extrathyroidal extension. Nodes 0/2.",
    "Specimen: hemi-thyroidectomy (left) with central nodes.\nDiagnosis: papillary carcinoma, 13 mm, single focus. "
    "No extrathyroidal extension. Nodes 0/2.",
    "Material: Hemithyreoidektomi dx. + lymph nodes level VI.\nDiagnosis: papillary carcinoma, 13 mm, single focus. "
    "No extrathyroidal extension. Nodes 0/2.",
])
def test_a_hemithyroidectomy_with_nodes_is_not_node_only(surgical, text):
    out = surgical(text)
    assert (out["tumor_size_mm"], out["tumor_focality"], out["extrathyroidal_extension"]) == ("13", "unifocal", "absent")


@pytest.mark.parametrize("text", [
    "Type of specimen: left lateral neck dissection, levels II-V. No thyroid tissue submitted.\n"
    "Gross: fat with a matted nodal mass of 3.0 cm and 11 smaller nodes.\n"
    "Diagnosis: metastatic papillary carcinoma in 6 of 12 lymph nodes; largest deposit 2.7 cm.",
    "Tipo de muestra: vaciamiento ganglionar central (central neck dissection).\n"
    "Descripción macroscópica: fibrofatty tissue, a firm 1.9 cm nodal mass.\n"
    "Diagnóstico: papillary carcinoma metastatic to 2 of 7 lymph nodes.",
])
def test_a_node_only_specimen_named_on_its_sample_line(surgical, text):
    out = surgical(text)
    assert out["tumor_size_mm"] == ""
    assert (out["tumor_focality"], out["extrathyroidal_extension"]) == ("not_stated", "not_stated")
    assert out["mass_in_specimen"] == "present"  # from its gross description (contract v1.1)


# -- class 3: section headers in other languages and plain-language headers ---------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Makro: lobe 50 mm with a 17 mm grey-white nodule in the upper pole.\nMikro: papillary carcinoma, 17 mm.",
     "present"),
    ("Makroskopie: Schilddrüsenlappen 4,5 cm, kein Knoten abgrenzbar; homogeneous cut surface, no nodule.\n"
     "Beurteilung: lymphocytic thyroiditis.", "absent"),
    ("Descrizione macroscopica: lobo con nodulo capsulato di 2 cm (an encapsulated nodule).\n"
     "Diagnosi: follicular adenoma.", "present"),
    ("WHAT WE SAW WITH THE NAKED EYE\nThe lobe holds a single firm 14 mm nodule.\nOUR OPINION\nFollicular adenoma.",
     "present"),
])
def test_gross_headers_in_other_languages(surgical, text, expected):
    assert surgical(text)["mass_in_specimen"] == expected


def test_plain_language_headers_rank_the_diagnosis(surgical):
    text = ("UNDER THE MICROSCOPE\nThe nodules are hyperplastic; no psammoma bodies.\n"
            "OUR OPINION\nNodular hyperplasia with an incidental papillary microcarcinoma, 1 mm, left lobe.")
    out = surgical(text)
    assert (out["histology"], out["tumor_size_mm"], out["tumor_site"]) == ("papillary_carcinoma", "1", "left")


def test_a_combined_micro_and_diagnosis_header_is_the_diagnosis(aggregator):
    report = aggregator.report("Macro: lobe 40 mm.\nMicro / Diagnosis:\n- papillary carcinoma, 9 mm.")
    assert report.role_rank(report.text.index("papillary"))[0] == "final"


# -- class 4: a benign final diagnosis outranks a carcinoma named only in the microscopic description -------------
@pytest.mark.parametrize("text", [
    "Microscopy: encapsulated follicular-patterned tumour and nuclear features of papillary carcinoma (score 2); "
    "no capsular or vascular invasion.\nDIAGNOSIS: NIFTP, 2.2 cm, right lobe.",
    "Microscopic description: the nodule shows cells resembling papillary carcinoma focally, fully encapsulated.\n"
    "Final diagnosis: Follicular adenoma, 3 cm.",
])
def test_a_benign_final_diagnosis_is_the_final_word(surgical, text):
    out = surgical(text)
    assert (out["histology"], out["malignancy"]) == ("benign", "benign")


def test_a_carcinoma_in_the_diagnosis_still_counts_beside_a_benign_lesion(surgical):
    text = ("Microscopy: an adenoma and, separately, a small papillary carcinoma.\n"
            "DIAGNOSIS: Follicular adenoma, 2 cm; papillary microcarcinoma, 3 mm, left lobe.")
    assert surgical(text)["histology"] == "papillary_carcinoma"


def test_thyroiditis_alone_in_the_diagnosis_does_not_hide_a_carcinoma(surgical):
    text = "Microscopic: papillary carcinoma, 8 mm, with psammoma bodies.\nDiagnosis: lymphocytic thyroiditis."
    assert surgical(text)["histology"] == "papillary_carcinoma"


# -- class 5: extension denied by "does not break through the capsule"; "cannot be assessed" states nothing -------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: papillary microcarcinoma, 7 mm; the carcinoma does not break through the thyroid capsule.", "absent"),
    ("DIAGNOSIS: papillary carcinoma, 1.4 cm. The tumour did not breach the capsule.", "absent"),
    ("DIAGNOSIS: papillary carcinoma, 2 cm (slides for review).\n- Extrathyroidal extension cannot be assessed on "
     "the material received.", "not_stated"),
    ("DIAGNOSIS: anaplastic carcinoma in fragments; extrathyroidal invasion is not assessable.", "not_stated"),
    ("DIAGNOSIS: papillary carcinoma, 2 cm, extending through the capsule into perithyroidal fat.", "present"),
])
def test_extension_wording(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


def test_an_unassessable_extension_cites_its_wording(aggregator):
    out = aggregator.aggregate("surgical_pathology", "DIAGNOSIS: papillary carcinoma.\nExtrathyroidal extension "
                               "could not be evaluated (fragmented specimen).", [])
    assert out["extrathyroidal_extension"].rule.startswith("miss:no_extension_statement ete-013@")


# -- class 6: the FNA side in other languages, Latin abbreviations, one letter, an ultrasound nodule label ---------
@pytest.mark.parametrize("text, expected", [
    ("Feinnadelpunktion Schilddrüse rechts, oberer Pol.\nBeurteilung: Bethesda II.", "right"),
    ("Punctie schildklier links.\nConclusie: benigne, Bethesda II.", "left"),
    ("FNA: sköldkörtel, vänster lob.\nBedömning: Bethesda IV.", "left"),
    ("Thyroid lobe dx., FNA x2.\nBethesda III.", "right"),
    ("FNA thyroid sin. (upper pole)\nBethesda category V.", "left"),
    ("Thyroid L, FNA, 3 passes.\nBenign (Bethesda II).", "left"),
    ("Cytology: thyroid RT, FNA.\nBenign (Bethesda II).", "right"),
    ("FNA of nodule R2 (as numbered on the ultrasound).\nBethesda II.", "right"),
    ("A. Nodule L1, FNA. B. Nodule R3, FNA.\nA. Bethesda II. B. Bethesda II.", "bilateral"),
])
def test_fna_side_wording(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


@pytest.mark.parametrize("text", [
    "Thyroid, Dx: benign follicular nodule (Bethesda II).",
    "Thyroid nodule FNA.\nR1 resection is not a cytology term; Bethesda II.",
])
def test_no_side_from_a_diagnosis_abbreviation_or_a_margin_status(cytology, text):
    assert cytology(text)["fna_site"] == "unspecified"


# -- class 7: tumor_site from a labelled part, a hard-wrapped sentence, the carcinoma's lettered foci -------------
@pytest.mark.parametrize("text, expected", [
    ("A. Left thyroid lobe. B. Right thyroid lobe. C. Central nodes.\n"
     "Gross: A. Left lobe with a 1.1 cm white nodule. B. Right lobe with a 2.5 cm colloid nodule. C. 3 nodes.\n"
     "Diagnosis:\nA. Papillary carcinoma, classic type, 1.1 cm.\nB. Adenomatoid nodule; no malignancy.\n"
     "C. Three lymph nodes, negative (0/3).", "left"),
    ("Microscopy: papillary carcinoma, 12 mm, left lobe. A second focus of papillary\nmicrocarcinoma (3 mm) in "
     "the right lobe. No thyroiditis.", "bilateral"),
    ("Diagnosis:\n1. Papillary carcinoma, follicular variant\n   a) right lobe: 1.4 cm\n   b) isthmus: 0.4 cm\n"
     "   - Margins free", "right"),
    ("Diagnosis:\n1. Papillary carcinoma, classical type\n   a) right lobe: 1.4 cm\n   b) left lobe: 0.2 cm\n",
     "bilateral"),
])
def test_tumour_site_wording(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


# -- class 8: a line break inside an open bracket ends no clause ---------------------------------------------------
def test_a_category_wrapped_inside_its_bracket(cytology):
    text = "1) Thyroid, left lobe: papillary thyroid carcinoma (Bethesda category\n   VI). Psammoma bodies."
    out = cytology(text)
    assert (out["bethesda_category"], out["histology"]) == ("VI", "papillary_carcinoma")


# -- class 9: OCR'd scans: look-alike characters and split words are repaired into rule words --------------------
@pytest.fixture(scope="module")
def repair(aggregator):
    from extractor.fields.pathology.text import ocr_repair
    return lambda text: ocr_repair(text, aggregator.rules.vocabulary)


@pytest.mark.parametrize("garbled, clean", [
    ("F1NAL D1AGN0SIS: CARCIN0MA", "FINAL DIAGNOSIS: CARCINOMA"),
    ("Ieft Iobe, Ievel VI", "Left Lobe, Level VI"),
    ("fo11icular variant", "follicular variant"),
    ("SPEClMEN: thyroid", "SPECIMEN: thyroid"),
    ("Psamm0ma bodies", "Psammoma bodies"),
])
def test_look_alike_characters_are_repaired(repair, garbled, clean):
    assert repair(garbled) == clean


@pytest.mark.parametrize("garbled, clean", [
    ("papillary carcinorna, 1.8 crn", "papillary carcinoma\u00ad, 1.8 cm\u00ad"),   # rn read as m, padded after the word
    ("No psamm oma bod ies.", "No psammoma  bodies ."),                          # a split word keeps its space after it
    ("Mal ignant. Pap illary thyr oid carc inoma.", "Malignant . Papillary  thyroid  carcinoma ."),
])
def test_repairs_keep_the_length(repair, garbled, clean):
    out = repair(garbled)
    assert out == clean and len(out) == len(garbled)


@pytest.mark.parametrize("text", [
    "TAIL OF THE PANCREAS; well circumscribed; return in 6 months.",  # real words are not garbled words
    "pT1b N0 (0/4); T1N0M0; block A1-A4 of the thyroid A1.",          # stage groups and block labels
    "Papillary carcinoma of the left lobe, 1.2 cm, no extension.",      # clean text comes back unchanged
    "a mass in the lobe; a typical follicular pattern",                  # no join into a short or unrelated word
])
def test_clean_text_and_real_words_are_left_alone(repair, text):
    assert repair(text) == text


def test_an_ocr_scan_reads_like_the_clean_report(surgical):
    scan = ("SURG1CAL PATH0L0GY\nSPEClMEN: Ieft thyroid Iobe.\nGR0SS: a firrn white n odule 1.3 crn in the "
            "rnid Iobe.\nDlAGNOSIS: Papillary thyroid carcinorna, c1assic type, 1.3 crn. Extrathyr oidal "
            "extens ion: not identif ied. Psamm0ma bod ies: present.")
    out = surgical(scan)
    assert (out["histology"], out["ptc_subtype"], out["tumor_size_mm"], out["mass_in_specimen"]) == (
        "papillary_carcinoma", "classic", "13", "present")
    assert (out["extrathyroidal_extension"], out["psammoma_bodies"], out["tumor_site"]) == ("absent", "present", "left")


def test_an_ocr_cytology_scan(cytology):
    scan = "CYT0L0GY\nTHYR0ID, Ieft Iower pole, FNA: SUSPlCIOUS FOR MALIGNANCY (Bethesda categ0ry V)."
    out = cytology(scan)
    assert (out["bethesda_category"], out["malignancy"], out["fna_site"]) == ("V", "suspicious", "left")


@pytest.mark.parametrize("text, expected", [
    ("PAD: Lobektomi sin.\nMikro: papillary carcinoma, 9 mm.", "left"),
    ("Specimen: hemithyreoidektomi dx.\nDiagnosis: papillary carcinoma, classic type, 14 mm.", "right"),
    # the title line names the operated side and nothing else does
    ("SURGICAL PATHOLOGY - excision, right thyroid and strap muscle\nDiagnosis: anaplastic carcinoma.", "right"),
    ("Type of specimen: right lateral neck dissection.\nDiagnosis: metastatic papillary carcinoma in 3 of 20 "
     "lymph nodes.", "right"),
    # a total thyroidectomy's title names no side of the carcinoma
    ("Total thyroidectomy, right and left lobes\nDiagnosis: papillary carcinoma, 9 mm.", "unspecified"),
    ("Total thyroidectomy (left lobe larger)\nDiagnosis: papillary carcinoma, 9 mm.", "unspecified"),
])
def test_tumour_site_from_the_resection_or_the_title(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


# -- class 10: Bethesda from certainty words, a spelled-out number, a bare diagnosis line --------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Findings in keeping with chronic lymphocytic thyroiditis.", "II"),
    ("Interpretation: c/w benign colloid nodule.", "II"),
    ("DIAGNOSIS: In keeping with papillary thyroid carcinoma.", "VI"),
    ("DIAGNOSIS: Bethesda category four.", "IV"),
    ("Diagnostic category: 5 (suspicious).", "V"),
    ("DIAGNOSIS: Anaplastic carcinoma.", "VI"),
    ("DIAGNOSIS:\nPapillary thyroid carcinoma.", "VI"),
    ("Conclusion: - Metastatic renal cell carcinoma.", "VI"),
    ("DIAGNOSIS: Adenomatoid nodule.", "II"),
    ("DIAGNOSIS:\n- Colloid nodule.", "II"),
])
def test_category_from_new_wording(cytology, text, expected):
    assert cytology(text)["bethesda_category"] == expected


@pytest.mark.parametrize("text", [
    "DIAGNOSIS: Papillary carcinoma cannot be excluded.",   # hedged: no category from the bare name
    "DIAGNOSIS: Papillary carcinoma?",
    "Clinical history: papillary carcinoma, left lobe, treated 2019.\nFNA right: scant cells only, see comment.",
])
def test_a_hedged_or_historical_carcinoma_gives_no_category(cytology, text):
    assert cytology(text)["bethesda_category"] == ""


def test_a_name_still_beats_a_bare_carcinoma_line(cytology):
    assert cytology("DIAGNOSIS: Suspicious for papillary carcinoma.\nPapillary carcinoma favoured.")[
        "bethesda_category"] == "V"


@pytest.mark.parametrize("text, expected", [
    ("FNA: thyroid nodule (Rt).\nBenign.", "right"),
    ("Target: nodule #2 (L).\nBethesda II.", "left"),
])
def test_a_bracketed_side_letter(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


# -- class 11: a decimal comma; a size key opening the sentence after the carcinoma --------------------------------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, 1,6 cm.", "16"),
    ("Diagnose: papillary carcinoma, 2,25 cm, left lobe.", "22.5"),
    ("DIAGNOSIS: papillary carcinoma. Size: 12 mm (macroscopic).", "12"),
    ("DIAGNOSIS: papillary carcinoma, foci of 0.3, 0.9 cm.", "9"),  # a list, not a decimal comma
])
def test_size_wording(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


# -- class 12: focality: one carcinoma per lobe on one line, "bilateral", "solitary"; a multinodular gland ---------
@pytest.mark.parametrize("text, expected", [
    ("DIAGNOSIS: Papillary carcinoma, left lobe, 0.9 cm, and papillary carcinoma, right lobe, 0.3 cm.", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, right lobe, 1.1 cm, extending into the isthmus.", "not_stated"),
    ("DIAGNOSIS: Papillary microcarcinoma, bilateral (right 4 mm, left 2 mm).", "multifocal"),
    ("DIAGNOSIS: Papillary carcinoma, 1.5 cm; bilateral neck dissection with 2/30 nodes.", "not_stated"),
    ("DIAGNOSIS: Follicular carcinoma, 3.2 cm, solitary.", "unifocal"),
    ("GROSS: a solitary nodule 2 cm.\nDIAGNOSIS: papillary carcinoma, 2 cm.", "not_stated"),
])
def test_focality_wording(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


@pytest.mark.parametrize("text, field, expected", [
    ("GROSS: Multinodular gland, 60 g.\nDIAGNOSIS: nodular hyperplasia.", "mass_in_specimen", "present"),
    ("DIAGNOSIS: Papillary carcinoma, reaching the inked capsular surface but not beyond.",
     "extrathyroidal_extension", "absent"),
    ("DIAGNOSIS: Papillary carcinoma, 1.1 cm, Warthin-like.", "ptc_subtype", "other"),
])
def test_other_surgical_wording(surgical, text, field, expected):
    assert surgical(text)[field] == expected
