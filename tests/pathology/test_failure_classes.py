"""Failure classes of issue 11 (held-out reports, paraphrased as classes); every case is new synthetic wording."""
import pytest

DX = "FINAL DIAGNOSIS:\n"
GROSS = "GROSS DESCRIPTION:\n"


# -- tumour size ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, size", [
    # ranges and lists -> the largest
    (DX + "Papillary carcinoma, multifocal, foci ranging from 0.2 to 1.3 cm.", "13"),
    (DX + "Papillary carcinoma, dominant nodule 0.8 cm - 1.6 cm across.", "16"),
    (DX + "Papillary carcinoma, foci ranging from 0.5 cm to 1.1 cm.", "11"),
    (DX + "Multifocal papillary microcarcinoma (0.1, 0.4 and 0.7 cm).", "7"),
    (DX + "Papillary carcinoma, three foci measuring 0.5 cm, 1.2 cm and 0.9 cm.", "12"),
    # secondary focus / addendum microcarcinoma never replaces the dominant tumour
    (DX + "Papillary carcinoma, 2.3 cm, right lobe; a second focus of papillary carcinoma, 0.4 cm, left lobe.", "23"),
    (DX + "Papillary carcinoma, 1.7 cm.\nADDENDUM: further sections show an additional papillary microcarcinoma, "
     "0.2 cm.", "17"),
    # nodal deposit, hyperplastic nodule
    (DX + "Papillary carcinoma, 0.9 cm. Metastatic carcinoma in 2/6 lymph nodes, the largest deposit 2.6 cm.", "9"),
    (DX + "Papillary carcinoma, 1.1 cm, arising in a background of nodular hyperplasia with a 4.2 cm hyperplastic "
     "nodule.", "11"),
    # whole specimen, capsule thickness, another part
    (GROSS + "Total thyroidectomy specimen, 7.5 x 5 x 2.5 cm. Right lobe with a tan firm nodule, 1.8 cm.\n"
     + DX + "Papillary thyroid carcinoma.", "18"),
    (DX + "Follicular carcinoma, minimally invasive, 3.1 cm; capsule up to 0.3 cm thick.", "31"),
    (DX + "Follicular carcinoma, 2.2 cm, with a thick fibrous capsule (0.4 cm).", "22"),
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
    ("CANCER CASE SUMMARY\nTumor size:\nS12-34567 A3\n1.8 cm\nHistologic type: papillary carcinoma", "18"),
])
def test_size_ocr_and_ids(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


# -- focality ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (DX + "Right lobe: papillary carcinoma, 1.2 cm.\nLeft lobe: papillary carcinoma, 0.5 cm.", "multifocal"),
    (DX + "Papillary microcarcinoma, two microscopic foci (0.1 and 0.2 cm).", "multifocal"),
    (DX + "A. Right lobe: papillary microcarcinoma, 0.3 cm.\nB. Left lobe: papillary microcarcinoma, 0.6 cm.",
     "multifocal"),
    (GROSS + "The tumour is unifocal, 2 cm.\n" + DX + "Papillary carcinoma, 2 cm, with separate foci of papillary "
     "microcarcinoma in the contralateral lobe.", "multifocal"),
])
def test_multifocal(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


@pytest.mark.parametrize("text", [
    GROSS + "A 2 cm nodule in the right lobe and a second nodule, 0.8 cm, in the left lobe.\n" + DX
    + "Right lobe: papillary carcinoma, 2 cm.\nLeft lobe: nodular hyperplasia.",
    DX + "Papillary carcinoma, 1.5 cm. Tumour contacts the capsule at multiple foci without invasion.",
    "CANCER CASE SUMMARY\nTumour focality: unifocal\nMultifocal: No\nHistologic type: papillary carcinoma",
    "CANCER CASE SUMMARY\nMultifocality: no\nHistologic type: papillary carcinoma, 1.4 cm",
])
def test_not_multifocal(surgical, text):
    assert surgical(text)["tumor_focality"] != "multifocal"


# -- lymph nodes ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "CANCER CASE SUMMARY\nNumber of lymph nodes examined: 4\nLymph nodes with metastatic disease: 0",
    "CANCER CASE SUMMARY\nRegional lymph nodes examined: 3\nMetastatic disease in lymph nodes: No",
    "SYNOPTIC REPORT\nLymph nodes: 5 examined\nNodes with metastatic carcinoma: none (0)",
])
def test_zero_or_no_metastatic_nodes(surgical, text):
    assert surgical(text)["lymph_node_metastasis"] == "absent"


# -- other organs, nodal features ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, field, expected", [
    ("DIAGNOSIS:\nA. Thyroid, total thyroidectomy: nodular hyperplasia, no malignancy.\n"
     "B. Skin, anterior neck, excision: squamous cell carcinoma, 1.3 cm.", "histology", "benign"),
    ("DIAGNOSIS:\nA. Thyroid, right lobe: papillary carcinoma, 0.7 cm.\nB. Parathyroid, left inferior: parathyroid "
     "adenoma, 1.9 cm.", "tumor_size_mm", "7"),
    ("DIAGNOSIS:\nA. Thyroid: papillary carcinoma, 1 cm, confined to the thyroid.\nB. Submandibular gland: "
     "sialadenitis; carcinoma invades the surrounding soft tissue.", "extrathyroidal_extension", "absent"),
])
def test_other_organ_parts(surgical, text, field, expected):
    assert surgical(text)[field] == expected


@pytest.mark.parametrize("text, field, expected", [
    (DX + "Papillary carcinoma, 1.3 cm, intrathyroidal. Metastatic carcinoma in 3/8 lymph nodes with extranodal "
     "extension.", "extrathyroidal_extension", "absent"),
    (DX + "Papillary carcinoma, 1.8 cm.\nLymph nodes: 2/5 positive; extracapsular spread identified in one node.",
     "extrathyroidal_extension", "not_stated"),
    (DX + "A. Thyroid: papillary carcinoma, classic subtype, 2 cm.\nB. Lymph nodes, level VI: metastatic papillary "
     "carcinoma, tall cell variant (1/4).", "ptc_subtype", "classic"),
])
def test_nodal_features_stay_nodal(surgical, text, field, expected):
    assert surgical(text)[field] == expected


# -- extrathyroidal extension --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma, 2.6 cm, invading perithyroidal adipose tissue.", "present"),
    (DX + "Papillary carcinoma extends into the perithyroidal soft tissue focally.", "present"),
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
    (DX + "FOLLICULAR CARCINOMA, MINIMALLY INVAS1VE.\nNegative for papillary carcinoma.", "follicular_carcinoma"),
    (DX + "Papillary thyroid carclnoma (2.0 cm).\nNo malignancy identified in the isthmus.", "papillary_carcinoma"),
])
def test_ocr_garbled_carcinoma_line(surgical, text, expected):
    assert surgical(text)["histology"] == expected
