"""Contract v1.1 surgical pathology clarifications; synthetic wording written for these tests."""
import pytest

DX = "FINAL DIAGNOSIS:\n"
GROSS = "GROSS DESCRIPTION:\n"


@pytest.mark.parametrize("text, expected", [
    (DX + "Hurthle cell carcinoma, widely invasive, 3.4 cm.", "other_malignant"),
    (DX + "Oncocytic carcinoma of the left lobe with capsular invasion.", "other_malignant"),
    (DX + "Poorly differentiated thyroid carcinoma (Turin criteria), 5 cm.", "other_malignant"),
    (DX + "Insular (poorly differentiated) carcinoma arising in the right lobe.", "other_malignant"),
])
def test_rare_carcinomas_are_other_malignant(surgical, text, expected):
    assert surgical(text)["histology"] == expected


@pytest.mark.parametrize("text", [
    DX + "Noninvasive follicular thyroid neoplasm with papillary-like nuclear features (NIFTP), 2.2 cm.",
    DX + "Right lobe: NIFTP, 1.7 cm, completely encapsulated. Background nodular hyperplasia.",
    DX + "Left hemithyroidectomy - non-invasive follicular neoplasm with papillary-like nuclear features.",
])
def test_niftp_alone_is_benign(surgical, text):
    got = surgical(text)
    assert (got["histology"], got["malignancy"]) == ("benign", "benign")


@pytest.mark.parametrize("text, size", [
    (DX + "Right lobe: NIFTP, 2.8 cm.\nLeft lobe: papillary microcarcinoma, 0.6 cm.", "6"),
    (DX + "Papillary thyroid carcinoma, classic type, 1.1 cm, isthmus. Separately, a 3.5 cm NIFTP in the left lobe.",
     "11"),
])
def test_niftp_beside_carcinoma_gives_no_size(surgical, text, size):
    got = surgical(text)
    assert (got["histology"], got["tumor_size_mm"]) == ("papillary_carcinoma", size)


def test_niftp_beside_carcinoma_is_not_a_second_focus(surgical):
    text = DX + "Left lobe: papillary carcinoma, 1.4 cm.\nRight lobe: a second tumour, NIFTP, 1.9 cm."
    assert surgical(text)["tumor_focality"] != "multifocal"


@pytest.mark.parametrize("text", [
    "CLINICAL HISTORY: papillary carcinoma, left lobe, resected 2019.\n" + DX
    + "Thyroid, right lobe, completion thyroidectomy: no residual carcinoma identified.",
    DX + "Completion thyroidectomy (remaining right lobe): benign thyroid parenchyma; no residual tumour.",
    DX + "Completion thyroidectomy: negative for residual papillary carcinoma. Lymphocytic thyroiditis.",
])
def test_completion_without_residual_is_benign(surgical, text):
    got = surgical(text)
    assert (got["histology"], got["malignancy"]) == ("benign", "benign")


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary thyroid carcinoma, infiltrative follicular subtype, 1.6 cm.", "follicular"),
    (DX + "Invasive encapsulated follicular variant of papillary carcinoma, 2.4 cm.", "follicular"),
    (DX + "Papillary carcinoma, solid subtype, 2 cm.", "other"),
    (DX + "Papillary carcinoma, columnar cell variant.", "other"),
    (DX + "Papillary carcinoma, cribriform-morular variant, 1.2 cm.", "other"),
    (DX + "Papillary carcinoma, Warthin-like subtype.", "other"),
    (DX + "Papillary carcinoma, oncocytic variant, 2.5 cm.", "other"),
])
def test_subtype_mapping(surgical, text, expected):
    assert surgical(text)["ptc_subtype"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "1. Papillary microcarcinoma, tall cell subtype, 0.4 cm, right lobe.\n"
     "2. Papillary carcinoma, classic subtype, 2.1 cm, left lobe.", "classic"),
    (DX + "Two foci of papillary carcinoma: a 0.3 cm classic focus (right) and a 1.9 cm follicular variant focus "
     "(left).", "follicular"),
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


@pytest.mark.parametrize("text", [
    DX + "Nodular hyperplasia, dominant hyperplastic nodule 3.9 cm.",
    DX + "Multinodular goitre; largest colloid nodule 4.4 cm. Negative for malignancy.",
    DX + "Adenomatoid nodule, 2.8 cm. Lymphocytic thyroiditis.",
])
def test_hyperplastic_or_colloid_nodule_gives_no_size(surgical, text):
    assert surgical(text)["tumor_size_mm"] == ""


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
