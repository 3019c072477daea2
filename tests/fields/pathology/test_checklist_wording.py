"""Checklist and prose wording added for scanned / markdown-converted reports (one behaviour per case; own sentences)."""
import pytest

PTC = "FINAL DIAGNOSIS:\nLeft lobe: papillary thyroid carcinoma.\n"


@pytest.mark.parametrize("text, expected", [
    # a heading that is only the key, answer on the next line
    (PTC + "\n# Multicentricity\n\nNot identified\n", "unifocal"),
    # a free answer to a multicentricity key names a further tumour -> multifocal
    (PTC + "Tumour multicentricity:\n\nA 2 mm papillary microcarcinoma in the right lobe\n", "multifocal"),
    # OCR "muiticentricity"
    (PTC + "Tumor Muiticentricity: not identified\n", "unifocal"),
    # a page break between key and answer is skipped; a heading is never an answer
    (PTC + "Tumor Multicentricity:\n\nPage 2 of 4\n\n# Background thyroid:\n\nUnremarkable\n", "not_stated"),
    # negated noun -> unifocal
    (PTC + "No evidence of tumour multicentricity is seen.\n", "unifocal"),
    # a counted second carcinoma written with its type
    (PTC + "Three papillary microcarcinomas are present in the left lobe.\n", "multifocal"),
    (PTC + "There is one separate papillary microcarcinoma (1 mm) in the isthmus.\n", "multifocal"),
    ("FINAL DIAGNOSIS:\nPapillary carcinoma.\nMulti-focal = No\n", "unifocal"),
])
def test_focality(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


@pytest.mark.parametrize("text, expected", [
    (PTC + "Extrathyrold extension:\n\nNot identified\n", "absent"),  # OCR l for i
    (PTC + "# Extrathyroidal Extension\n\nPresent, minimal\n", "present"),  # heading key, no colon
    (PTC + "Extra-thyroid capsular extension: Absent\n", "absent"),
    (PTC + "Confinement to the thyroid gland: confined\n", "absent"),
    (PTC + "Extrathyroidal extension: non-invasive\n", "absent"),
    (PTC + "The carcinoma is confined within the thyroid tissue.\n", "absent"),
    (PTC + "The tumour extends into the adjacent skeletal muscle.\n", "present"),
    (PTC + "The tumour invades the thyroid capsule but not beyond it.\n", "absent"),
    # two checklists: a positive answer is not undone by the second tumour's "not identified"
    (PTC + "Extrathyroidal extension: present, focal\nSecond tumour\nExtrathyroidal extension: not identified\n", "present"),
    # an AJCC definition printed in a pick list is not a finding
    (PTC + "pT3: tumour over 4 cm limited to thyroid or any tumour with minimal extrathyroidal extension\n", "not_stated"),
    # an empty table cell is an empty answer; the next row is not its answer
    (PTC + "| Extrathyroidal extension: |  |\n| Margins: | clear of tumour |\n", "not_stated"),
])
def test_extrathyroidal(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


@pytest.mark.parametrize("text, expected", [
    # a nodule label "N1" in a block key is not pN1
    (PTC + "Lymph nodes: one benign lymph node (0/1)\n\nSummary of sections:\nN1 - dominant nodule\nN2 - second nodule\n", "absent"),
    (PTC + "Pathologic stage: pT2 N1b\n", "present"),
    (PTC + "Stage: T1bN1a\n", "present"),
    (PTC + "Number of lymph nodes with metastatic disease: 2\nNumber of lymph nodes examined: 5\n", "present"),
    (PTC + "Number of regional lymph nodes examined: 0\nNumber of regional lymph nodes involved: 0\n", "not_stated"),
    (PTC + "Lymph nodes: 6 examined, 0 positive.\n", "absent"),
    (PTC + "Regional nodes: 2 positive of 9 lymph nodes examined.\n", "present"),
])
def test_lymph_nodes(surgical, text, expected):
    assert surgical(text)["lymph_node_metastasis"] == expected


@pytest.mark.parametrize("text, expected", [
    (PTC + "Tumor size: right lobe\n\nGreatest diameter is 1.7 cm.\n", "17"),
    (PTC + "TUMOUR SIZE: Greatest dimension: 2.5 (left lobe)\n", "25"),
    (PTC + "Size = 2.2 cm\n", "22"),
    (PTC + "| Size | 3.1 cm |\n", "31"),
    (PTC + "Tumour size:\nTumour in right lobe and isthmus: 2.6 cm, microcarcinoma left lobe: 0.2 cm\n", "26"),
])
def test_size(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


@pytest.mark.parametrize("text, histology, subtype", [
    ("CHECKLIST\n| Tumour type | Papillary |\n| Tumour size | 1.1 cm |\n", "papillary_carcinoma", "unspecified"),
    ("HISTOLOGIC TYPE:\nPapillary adenocarcinoma.\n", "papillary_carcinoma", "unspecified"),
    ("DIAGNOSIS: Two foci of papillary carcinoma, follicular and microcarcinoma variants.\n", "papillary_carcinoma", "follicular"),
    # "papillary" as an architecture word outside a type answer is not a diagnosis
    ("MICROSCOPIC: nodular hyperplasia with focal papillary architecture.\n", "benign", ""),
])
def test_histology_type_answer(surgical, text, histology, subtype):
    out = surgical(text)
    assert (out["histology"], out["ptc_subtype"]) == (histology, subtype)


@pytest.mark.parametrize("text, expected", [
    (PTC + "| Confined to the thyroid | Yes |\n", "absent"),
    (PTC + "- Confined to the thyroid: no\n", "present"),
])
def test_extension_label_with_yes_no_answer(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


# -- focality: the bare answer "focal", "no other lesions", foci of invasion -------------------------------------
@pytest.mark.parametrize("text, expected", [
    (PTC + "Tumour focality: Focal.\n", "unifocal"),
    (PTC + "| Focality: | single |\n", "unifocal"),
    # "focal" outside a focality answer answers nothing about focality
    (PTC + "Capsular invasion: focal\n", "not_stated"),
    # gross: one lesion and no other -> unifocal
    (PTC + "GROSS DESCRIPTION:\nA 1.4 cm grey nodule sits in the left lobe. No other lesions are identified.\n", "unifocal"),
    (PTC + "GROSS DESCRIPTION:\nThe rest of the lobe is brown, without further discrete nodules.\n", "unifocal"),
    # an affirmed multifocal statement outranks "no other lesions"
    ("FINAL DIAGNOSIS:\nMultifocal papillary carcinoma.\nGROSS DESCRIPTION:\nNo additional lesions are seen.\n", "multifocal"),
    # foci of invasion are not tumour foci
    (PTC + "Capsular invasion: present, multiple foci\n", "not_stated"),
    (PTC + "Several foci of vascular invasion are seen.\n", "not_stated"),
])
def test_focality_answers_and_lookalikes(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


# -- lymph nodes: OCR "pNO", "node, negative for neoplasm", "carcinoma of thyroid in ... nodes" -------------------
@pytest.mark.parametrize("text, expected", [
    (PTC + "Regional lymph nodes (pN): pNO (no regional node metastasis)\n", "absent"),
    (PTC + "Three lymph nodes, negative for neoplasm.\n", "absent"),
    (PTC + "Level VI lymph nodes, dissection: negative for malignancy.\n", "absent"),
    (PTC + "Metastatic papillary carcinoma of thyroid origin in five lymph nodes.\n", "present"),
    # "NO" without its p is the word no, not a category
    (PTC + "There was NO lymph node in the specimen.\n", "not_stated"),
])
def test_lymph_node_wording(surgical, text, expected):
    assert surgical(text)["lymph_node_metastasis"] == expected


# -- extension: OCR comma, a "not applicable" answer lets prose decide, answers shifted by a scanned table ---------
@pytest.mark.parametrize("text, expected", [
    (PTC + "A 4 cm tumour with extrathyroidal, extension (see note).\n", "present"),
    (PTC + "Extrathyroidal extension: not applicable\nPrimary tumour: pT2 (more than 2 cm, limited to the thyroid)\n", "absent"),
    (PTC + "Extrathyroidal extension: N.A.\n", "not_stated"),
    (PTC + "Extrathyroidal extension: n/a\n", "not_stated"),
    (PTC + "| Extrathyroidal extension: | Two benign lymph nodes (0/2) |\nThe carcinoma is confined to the thyroid.\n", "absent"),
    (PTC + "| Extrathyroidal extension: | Present, focal |\n", "present"),
    (PTC + "Confined to within the thyroid gland: yes\n", "absent"),
    (PTC + "The carcinoma shows extension into surrounding connective tissue.\n", "present"),
])
def test_extension_wording(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


# -- size: a size sentence after the carcinoma, "the tumour measures", no gross header, thyroid lesions first -------
@pytest.mark.parametrize("text, expected", [
    ("FINAL DIAGNOSIS:\nRight lobe: papillary thyroid carcinoma.   1.9 cm, well differentiated.\n", "19"),
    # the next sentence is a margin distance, not a size
    ("FINAL DIAGNOSIS:\nRight lobe: papillary thyroid carcinoma. 0.2 cm from the inked margin.\n", ""),
    ("FINAL DIAGNOSIS:\nPapillary carcinoma, classic type.\n- The dominant tumour nodule lies in the left lobe and measures 2.8 cm.\n", "28"),
    # a report without a gross header: the measured nodule in the body
    ("Papillary carcinoma, see checklist.\nReceived a right lobe, 5.0 x 2.0 x 1.5 cm, with a 1.4 cm firm white nodule.\n", "14"),
    # a measured portion is a specimen; a lesion placed in the thyroid beats one in another part
    ("FINAL DIAGNOSIS:\nPapillary carcinoma.\nGROSS DESCRIPTION:\nPart A: a 1.8 cm tan nodule in the right lobe.\n"
     "Part B: a 6.0 x 4.0 cm unoriented portion of fatty tissue.\nPart C: a 4.5 cm circumscribed mass.\n", "18"),
])
def test_size_wording(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


# -- a history header on its own line, its text after a blank line, is still history -------------------------------
def test_history_paragraph_after_a_markdown_header_is_history(surgical):
    text = ("# Clinical History:\n\nKnown follicular lymphoma, treated.\n\n"
            "# Final Diagnosis:\n\nPapillary thyroid carcinoma, tall cell subtype.\n")
    out = surgical(text)
    assert (out["histology"], out["ptc_subtype"]) == ("papillary_carcinoma", "tall_cell")
