"""Failure classes of issue 11 (held-out reports, paraphrased as classes); every case is new synthetic wording."""
import pytest

DX = "FINAL DIAGNOSIS:\n"
GROSS = "GROSS DESCRIPTION:\n"


# -- tumour size ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, size", [
    # ranges and lists -> the largest
    (DX + "Papillary carcinoma, dominant nodule 0.8 cm - 1.6 cm across.", "16"),
    (DX + "Papillary carcinoma, foci ranging from 0.5 cm to 1.1 cm.", "11"),
    (DX + "Papillary carcinoma, three foci measuring 0.5 cm, 1.2 cm and 0.9 cm.", "12"),
    # narrative sentence with lobe / isthmus near
    (DX + "Sections show that a 1.5 cm papillary carcinoma is present in the right lobe.", "15"),
    (DX + "A 0.9 cm papillary carcinoma involves the isthmus.", "9"),
    (DX + "There is a 2.4 cm classic papillary carcinoma in the left lobe, upper pole.", "24"),
])
def test_tumour_size(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


@pytest.mark.parametrize("text, size", [
    # OCR-split decimals and id digits under a size heading
    ("SYNOPTIC REPORT\nTumor size: 1. 6 cm\nHistologic type: papillary carcinoma", "16"),
    ("CANCER CASE SUMMARY\nGreatest dimension: 2 .4 cm\nHistologic type: papillary carcinoma", "24"),
])
def test_size_ocr_and_ids(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


# -- focality ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (DX + "Right lobe: papillary carcinoma, 1.2 cm.\nLeft lobe: papillary carcinoma, 0.5 cm.", "multifocal"),
    (DX + "Papillary microcarcinoma, two microscopic foci (0.1 and 0.2 cm).", "multifocal"),
    (DX + "A. Right lobe: papillary microcarcinoma, 0.3 cm.\nB. Left lobe: papillary microcarcinoma, 0.6 cm.",
     "multifocal"),
])
def test_multifocal(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


@pytest.mark.parametrize("text", [
    DX + "Papillary carcinoma, 1.5 cm. Tumour contacts the capsule at multiple foci without invasion.",
])
def test_not_multifocal(surgical, text):
    assert surgical(text)["tumor_focality"] != "multifocal"


# -- lymph nodes ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "CANCER CASE SUMMARY\nNumber of lymph nodes examined: 4\nLymph nodes with metastatic disease: 0",
    "CANCER CASE SUMMARY\nRegional lymph nodes examined: 3\nMetastatic disease in lymph nodes: No",
])
def test_zero_or_no_metastatic_nodes(surgical, text):
    assert surgical(text)["lymph_node_metastasis"] == "absent"


# -- other organs, nodal features ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS:\nA. Thyroid, total thyroidectomy: nodular hyperplasia, no malignancy.\n"
     "B. Skin, anterior neck, excision: squamous cell carcinoma, 1.3 cm.", "histology", "benign"),
    ("DIAGNOSIS:\nA. Thyroid, left lobe: follicular adenoma, no malignancy.\nB. Parathyroid, right upper: "
     "parathyroid adenoma; lymphoma cannot be excluded.", "histology", "benign"),
])
def test_other_organ_parts(surgical, text, field, expected):
    assert surgical(text)[field] == expected


@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS:\nA. Thyroid, total thyroidectomy: papillary carcinoma.\n"
     "B. Lymph nodes, right level VI: metastatic papillary carcinoma, tall cell variant (2/6).", "ptc_subtype",
     "unspecified"),
    ("DIAGNOSIS:\nA. Right lobe: papillary carcinoma, 1.2 cm.\n"
     "B. Lymph nodes, central compartment: metastatic carcinoma (1/3), tumour extends into perinodal soft tissue.",
     "extrathyroidal_extension", "not_stated"),
    ("DIAGNOSIS:\nA. Left lobe: papillary carcinoma.\nB. Lymph node, level IV: metastatic papillary carcinoma, "
     "2.3 cm.", "tumor_size_mm", ""),
])
def test_nodal_parts_stay_nodal(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- extrathyroidal extension --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (DX + "The carcinoma infiltrates the surrounding fibroadipose tissue beyond the thyroid capsule.", "present"),
    (DX + "Papillary carcinoma with invasion of the perithyroidal fat.", "present"),
    ("CANCER CASE SUMMARY\nHistologic type: papillary carcinoma\nExtrathyroidal extension:\nMargins: negative",
     "not_stated"),
    ("CANCER CASE SUMMARY\nHistologic type: papillary carcinoma\nExtrathyroidal extension: ____\nMargins: negative",
     "not_stated"),
])
def test_extrathyroidal_extension(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


# -- OCR ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (DX + "PAP1LLARY CARCIN0MA, RIGHT LOBE, 1.2 CM.\nNo evidence of malignancy in the left lobe.", "papillary_carcinoma"),
    (DX + "Papil lary carcinoma, classic type.\nMalignancy in lymph nodes: none.", "papillary_carcinoma"),
    (DX + "Papillary thyroid carclnoma (2.0 cm).\nNo malignancy identified in the isthmus.", "papillary_carcinoma"),
])
def test_ocr_garbled_carcinoma_line(surgical, text, expected):
    assert surgical(text)["histology"] == expected


@pytest.mark.parametrize("text, size", [
    ("CANCER CASE SUMMARY\nTumour site and size: Q/77-31 44\nTwo tumour nodules are present:\n- Left lobe - 2.2 cm\n"
     "- Isthmus - 0.7 cm\nHistologic type: papillary carcinoma", "22"),
    ("CANCER CASE SUMMARY\nTumor size:\nThe foci measure:\n* right lobe 0.4 cm\n* left lobe 1.3 cm\n"
     "Histologic type: papillary carcinoma", "13"),
])
def test_size_list_under_a_lead_in_line(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size
