"""fna_site / tumor_site report columns (contract v1.1), extracted with patterns/pathology/sites.tsv."""
import pytest


@pytest.mark.parametrize("text, expected", [
    ("THYROID, RIGHT LOBE, US-GUIDED FNA\nDIAGNOSIS: benign", "right"),
    ("CYTOPATHOLOGY\nSpecimen: Left lobe of thyroid, FNA", "left"),
    ("Clinical: microcalcifications in the right lobe on US.\nSpecimen: left lower pole nodule", "left"),
    ("History: punctate foci, right lobe.\nSite: isthmus, aspirated twice.", "isthmus"),
    ("FNA thyroid L lobe (diffuse calcifications on US)", "left"),
    ("Aspirates from both lobes submitted.", "bilateral"),
    ("Thyroid, isthmus, ultrasound-guided fine-needle aspiration.", "isthmus"),
    ("갑상선 우엽 결절 FNA. Benign follicular nodule.", "right"),
    ("Thyroid FNA. Diagnosis: benign.", "unspecified"),
])
def test_fna_site(cytology, text, expected):
    assert cytology(text)["fna_site"] == expected


def test_cytology_has_no_tumour_site(cytology):
    assert cytology("Right lobe FNA. Papillary thyroid carcinoma.")["tumor_site"] == ""


@pytest.mark.parametrize("text, expected", [
    ("FINAL DIAGNOSIS: Papillary thyroid carcinoma, 1.3 cm, right lobe.", "right"),
    ("DIAGNOSIS:\n1. Papillary thyroid carcinoma, R upper pole.\n2. Papillary microcarcinoma, L lower pole.", "bilateral"),
    ("CLINICAL HISTORY: carcinoma in the left lobe on FNA.\nSpecimen: Right thyroid lobectomy.\nDIAGNOSIS: Papillary carcinoma.",
     "right"),
    ("Lymph nodes, right level VI: metastatic carcinoma.\nSPECIMEN: Thyroid isthmus.\n- PAPILLARY MICROCARCINOMA.",
     "isthmus"),
    ("Specimens: (A) Total thyroidectomy.\nGross: Left upper pole: a firm nodule. Right lobe without lesions.\n"
     "Histologic type: Medullary thyroid carcinoma", "left"),
    ("Total thyroidectomy.\nDIAGNOSIS: papillary carcinoma.", "unspecified"),
])
def test_tumour_site(surgical, text, expected):
    assert surgical(text)["tumor_site"] == expected


def test_no_tumour_site_without_carcinoma(surgical):
    assert surgical("Left lobectomy.\nDIAGNOSIS: follicular adenoma, 2.1 cm.")["tumor_site"] == ""


def test_site_evidence_names_the_rule(aggregator):
    value = aggregator.aggregate("cytology", "Specimen: left lobe nodule, FNA.\nBenign.", [])["fna_site"]
    assert value.value == "left" and value.rule.startswith("sit-003@")


def test_unstated_site_says_why(aggregator):
    value = aggregator.aggregate("cytology", "Thyroid FNA. Benign.", [])["fna_site"]
    assert value.rule == "miss:no_side_stated"
