"""Surgical pathology fields, one behaviour per case; synthetic sentences written for these tests."""
import pytest

DX = "FINAL DIAGNOSIS:\n"


@pytest.mark.parametrize("text, expected", [
    (DX + "Left lobe: papillary carcinoma, 1.4 cm.", "papillary_carcinoma"),
    (DX + "Widely invasive follicular carcinoma of the right lobe.", "follicular_carcinoma"),
    (DX + "Papillary carcinoma, follicular variant, 2 cm.", "papillary_carcinoma"),
    (DX + "Medullary thyroid carcinoma, 1.1 cm.", "medullary_carcinoma"),
    (DX + "Anaplastic carcinoma involving both lobes.", "anaplastic_carcinoma"),
    (DX + "Oncocytic cell carcinoma, minimally invasive.", "other_malignant"),
    (DX + "Follicular adenoma, 3 cm. No malignancy.", "benign"),
    (DX + "Nodular hyperplasia; no evidence of malignancy.", "benign"),
    ("CLINICAL HISTORY: papillary carcinoma on FNA.\n" + DX + "Adenomatoid nodule.", "benign"),
])
def test_histology(surgical, text, expected):
    assert surgical(text)["histology"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma, 1 cm.", "malignant"),
    (DX + "Follicular adenoma.", "benign"),
    ("Specimen received.", "not_stated"),
])
def test_surgical_malignancy(surgical, text, expected):
    assert surgical(text)["malignancy"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma, usual type, 1.5 cm.", "classic"),
    (DX + "Papillary carcinoma, conventional type.", "classic"),
    (DX + "Papillary thyroid carcinoma, classical variant.", "classic"),
    (DX + "Papillary carcinoma, follicular subtype, encapsulated.", "follicular"),
    (DX + "Papillary carcinoma, tall cell variant.", "tall_cell"),
    (DX + "Papillary carcinoma with 70% tall cells.", "tall_cell"),
    (DX + "Papillary carcinoma, tall cells approximately 55%.", "tall_cell"),
    (DX + "Papillary carcinoma with tall cell change (<10%).", "unspecified"),
    (DX + "Papillary carcinoma, diffuse sclerosing variant.", "diffuse_sclerosing"),
    (DX + "Papillary carcinoma, hobnail subtype.", "other"),
    (DX + "Papillary microcarcinoma, 0.4 cm.", "unspecified"),
])
def test_ptc_subtype(surgical, text, expected):
    assert surgical(text)["ptc_subtype"] == expected


def test_subtype_empty_unless_papillary(surgical):
    assert surgical(DX + "Medullary carcinoma, 2 cm.")["ptc_subtype"] == ""


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma with scattered psammoma bodies.", "present"),
    (DX + "Papillary carcinoma. Psammoma bodies: not identified.", "absent"),
    (DX + "Nodular hyperplasia with dystrophic calcification.", "not_mentioned"),
    (DX + "Goitre with calcified colloid and ossification.", "not_mentioned"),
    (DX + "Block 3 embedded after decalcification.", "not_mentioned"),
])
def test_psammoma_bodies(surgical, text, expected):
    assert surgical(text)["psammoma_bodies"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma, 1.2 x 0.8 x 0.5 cm.", "12"),
    (DX + "Papillary carcinoma measuring 7 mm.", "7"),
    (DX + "Papillary carcinoma, 2.5 cm, left lobe.", "25"),
    ("SYNOPTIC REPORT\nTumor size: 3.1 x 2.0 x 1.7 cm\nHistologic type: papillary carcinoma", "31"),
    ("SYNOPTIC REPORT\nTumor size: Cannot be determined\nHistologic type: papillary carcinoma", ""),
    (DX + "Papillary carcinoma, 1.8 cm, 0.2 cm from the inked margin.", "18"),
    ("GROSS DESCRIPTION: Right lobe 5.0 x 2.5 x 2.0 cm with a 1.6 cm white nodule.\n" + DX + "Papillary carcinoma.", "16"),
    (DX + "(A) Papillary carcinoma, classic type, 2.1 cm.\n(B) Papillary microcarcinoma, 0.3 cm, incidental.", "21"),
    (DX + "Metastatic papillary carcinoma in 2 of 4 lymph nodes, largest deposit 9 mm.", ""),
    (DX + "Follicular adenoma, 3.0 cm.", "30"),  # contract v1.1: largest benign neoplasm
])
def test_tumor_size_mm(surgical, text, expected):
    assert surgical(text)["tumor_size_mm"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma, unifocal.", "unifocal"),
    (DX + "Papillary carcinoma, multifocal (right and left lobes).", "multifocal"),
    (DX + "Papillary carcinoma, two foci, largest 1 cm.", "multifocal"),
    (DX + "Papillary carcinoma. Stage mpT1b N0.", "multifocal"),
    (DX + "Papillary carcinoma. pT2(m) pN0.", "multifocal"),
    (DX + "Bilateral papillary carcinomas.", "multifocal"),
    ("SYNOPTIC REPORT\nTumor focality: Single focus\n", "unifocal"),
    ("SYNOPTIC REPORT\nMulticentricity: Not identified\n", "unifocal"),
    (DX + "Papillary carcinoma with two foci of vascular invasion.", "not_stated"),
    (DX + "Papillary carcinoma, 1 cm.", "not_stated"),
])
def test_tumor_focality(surgical, text, expected):
    assert surgical(text)["tumor_focality"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Lymph nodes, level VI: 0/5.", "absent"),
    (DX + "Central lymph nodes: 3/7 positive.", "present"),
    (DX + "Metastatic papillary carcinoma in 2 of 9 lymph nodes.", "present"),
    (DX + "Papillary carcinoma. pT1a pN0.", "absent"),
    (DX + "Papillary carcinoma. pT3 pN1a.", "present"),
    (DX + "Papillary carcinoma. pT2 pN1b.", "present"),
    (DX + "Papillary carcinoma. pT1b pNX; no lymph nodes submitted.", "not_stated"),
    (DX + "Four benign lymph nodes.", "absent"),
    ("SYNOPTIC REPORT\nRegional lymph nodes: None submitted\n", "not_stated"),
    (DX + "Papillary carcinoma, 1 cm. Date of surgery 12/03.", "not_stated"),
    (DX + "Six lymph nodes with no metastatic carcinoma.", "absent"),
])
def test_lymph_node_metastasis(surgical, text, expected):
    assert surgical(text)["lymph_node_metastasis"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma; extrathyroidal extension not identified.", "absent"),
    (DX + "Papillary carcinoma with minimal extrathyroidal extension.", "present"),
    (DX + "Papillary carcinoma with microscopic extrathyroidal extension into perithyroidal fat.", "present"),
    (DX + "Papillary carcinoma with gross extension into strap muscle.", "present"),
    (DX + "Papillary carcinoma invading the sternothyroid muscle.", "present"),
    ("SYNOPTIC REPORT\nExtrathyroidal extension: Not identified\n", "absent"),
    ("SYNOPTIC REPORT\nExtrathyroidal extension: Cannot be assessed\n", "not_stated"),
    (DX + "Papillary carcinoma, confined to the thyroid.", "absent"),
    (DX + "Metastatic carcinoma in 2/6 nodes with extranodal extension.", "not_stated"),
])
def test_extrathyroidal_extension(surgical, text, expected):
    assert surgical(text)["extrathyroidal_extension"] == expected


@pytest.mark.parametrize("text, expected", [
    ("GROSS DESCRIPTION: Serial sections show no grossly identifiable lesion.", "absent"),
    ("GROSS DESCRIPTION: Cut surface homogeneous; no discrete mass identified.", "absent"),
    ("GROSS DESCRIPTION: An ill-defined firm white area in the lower pole.", "present"),
    ("GROSS DESCRIPTION: Sectioning reveals a 1.5 cm tan nodule.", "present"),
    ("GROSS DESCRIPTION: Left lobe: no lesion. Right lobe: a 2 cm firm mass.", "present"),
    (DX + "Papillary carcinoma, 1 cm.", "not_stated"),
])
def test_mass_in_specimen(surgical, text, expected):
    assert surgical(text)["mass_in_specimen"] == expected


@pytest.mark.parametrize("text, expected", [
    (DX + "Papillary carcinoma. Background Hashimoto thyroiditis.", "present"),
    (DX + "Papillary carcinoma; chronic lymphocytic thyroiditis.", "present"),
    (DX + "Papillary carcinoma. No thyroiditis.", "absent"),
    ("CLINICAL HISTORY: Family history of Hashimoto thyroiditis.\n" + DX + "Papillary carcinoma.", "not_mentioned"),
    (DX + "Papillary carcinoma. Her mother has Hashimoto disease.", "not_mentioned"),
])
def test_lymphocytic_thyroiditis(surgical, text, expected):
    assert surgical(text)["lymphocytic_thyroiditis"] == expected


def test_frozen_section_is_provisional(surgical):
    text = "FROZEN SECTION DIAGNOSIS: papillary carcinoma, favour.\n" + DX + "Follicular adenoma. No malignancy."
    assert surgical(text)["histology"] == "benign"


def test_multi_part_report_keeps_dominant_tumour(surgical):
    text = (DX + "(A) Right lobe: papillary carcinoma, classic type, 2.4 cm; extrathyroidal extension not identified.\n"
            "(B) Left lobe: papillary microcarcinoma, 0.2 cm.\n(C) Lymph nodes: 0/3.")
    out = surgical(text)
    assert (out["tumor_size_mm"], out["ptc_subtype"], out["lymph_node_metastasis"]) == ("24", "classic", "absent")


def test_values_are_traceable(aggregator):
    out = aggregator.aggregate("surgical_pathology", DX + "Papillary carcinoma, tall cell variant, 2 cm.", [])
    assert out["ptc_subtype"].rule.startswith("sub-003@")
    assert out["histology"].rule.startswith("hist-001@")


def test_cytology_fields_empty_for_surgical(surgical):
    assert surgical(DX + "Papillary carcinoma, Bethesda VI on FNA.")["bethesda_category"] == ""
