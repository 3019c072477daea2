"""Contract v1.1 surgical pathology clarifications; synthetic wording written for these tests."""
import pytest

DX = "FINAL DIAGNOSIS:\n"
GROSS = "GROSS DESCRIPTION:\n"


@pytest.mark.parametrize("text, expected", [
    (DX + "Insular (poorly differentiated) carcinoma arising in the right lobe.", "other_malignant"),
    (DX + "Insular carcinoma, 4.1 cm, with necrosis.", "other_malignant"),
])
def test_rare_carcinomas_are_other_malignant(surgical, text, expected):
    assert surgical(text)["histology"] == expected


@pytest.mark.parametrize("text", [
    DX + "Noninvasive follicular thyroid neoplasm with papillary-like nuclear features (NIFTP), 2.2 cm.",
    DX + "Left hemithyroidectomy - non-invasive follicular neoplasm with papillary-like nuclear features.",
])
def test_niftp_alone_is_benign(surgical, text):
    got = surgical(text)
    assert (got["histology"], got["malignancy"]) == ("benign", "benign")


@pytest.mark.parametrize("text", [
    "CLINICAL HISTORY: papillary carcinoma, left lobe, resected 2019.\n" + DX
    + "Thyroid, right lobe, completion thyroidectomy: no residual carcinoma identified.",
    DX + "Left lobe, completion thyroidectomy: no residual papillary carcinoma; C-cell hyperplasia absent.",
])
def test_completion_without_residual_is_benign(surgical, text):
    got = surgical(text)
    assert (got["histology"], got["malignancy"]) == ("benign", "benign")


@pytest.mark.parametrize("text, expected", [
    (DX + "1. Papillary microcarcinoma, tall cell subtype, 0.4 cm, right lobe.\n"
     "2. Papillary carcinoma, classic subtype, 2.1 cm, left lobe.", "classic"),
    (DX + "Right lobe: papillary carcinoma, follicular variant, 0.6 cm.\nLeft lobe: papillary carcinoma, tall cell "
     "variant, 1.8 cm.", "tall_cell"),
])
def test_subtype_of_the_largest_focus(surgical, text, expected):
    assert surgical(text)["ptc_subtype"] == expected


@pytest.mark.parametrize("text, size", [
    (DX + "Follicular adenoma, 3.2 cm, left lobe. No malignancy.", "32"),
    (DX + "Right lobe: Hurthle cell adenoma measuring 2.6 x 2.0 x 1.8 cm.", "26"),
    (DX + "NIFTP, 1.7 cm, right lobe.", "17"),
])
def test_largest_benign_neoplasm_without_carcinoma(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


@pytest.mark.parametrize("text, size", [
    (DX + "Papillary carcinoma, 1.4 cm.\nADDENDUM: on re-measurement of the slides the carcinoma measures 1.9 cm "
     "(amended size).", "19"),
    (DX + "Papillary carcinoma, 2.5 cm.\nAMENDED REPORT: tumour size corrected to 1.5 cm.", "15"),
])
def test_amended_size_wins(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size


@pytest.mark.parametrize("text", [
    "SPECIMEN: Left neck dissection, levels II-IV.\n" + GROSS + "Fibrofatty tissue 8 x 6 x 2 cm with a firm nodule "
    "2.2 cm.\n" + DX + "Metastatic papillary thyroid carcinoma in 3 of 14 lymph nodes, largest deposit 2.1 cm, "
    "extranodal extension present.",
    "SPECIMEN: Right lateral neck dissection.\n" + GROSS + "A firm tan mass, 3 cm, among several lymph nodes.\n" + DX
    + "Lymph nodes, right levels 2-4: metastatic papillary carcinoma (2/9); no extranodal extension.",
])
def test_node_only_specimen(surgical, text):
    got = surgical(text)
    assert (got["mass_in_specimen"], got["tumor_size_mm"], got["tumor_focality"], got["extrathyroidal_extension"],
            got["lymph_node_metastasis"]) == ("present", "", "not_stated", "not_stated", "present")


@pytest.mark.parametrize("text", [
    DX + "Two tumours: papillary carcinoma, 1.2 cm, right lobe, and NIFTP, 2.0 cm, left lobe.",
    DX + "Multiple tumours: papillary microcarcinoma 0.5 cm (isthmus) and follicular adenoma 3 cm (right lobe).",
])
def test_a_benign_neoplasm_beside_carcinoma_is_not_a_second_focus(surgical, text):
    assert surgical(text)["tumor_focality"] != "multifocal"


@pytest.mark.parametrize("text, size", [
    (DX + "NIFTP 3.5 cm and papillary carcinoma 1.1 cm, both in the right lobe.", "11"),
    (DX + "Follicular adenoma 2.9 cm with papillary microcarcinoma 0.4 cm arising in it.", "4"),
])
def test_a_benign_neoplasm_beside_carcinoma_gives_no_size(surgical, text, size):
    assert surgical(text)["tumor_size_mm"] == size
