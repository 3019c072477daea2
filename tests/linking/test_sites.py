"""FNA / tumour sites from report text and laterality concordance."""
import pytest

from linking_builders import fna, surgery, us
from extractor.linking import report_site


@pytest.mark.parametrize("text, expected", [
    ("THYROID, RIGHT LOBE, US-GUIDED FNA\nDIAGNOSIS: benign", "right"),
    ("CYTOPATHOLOGY\nSpecimen: Left lobe of thyroid, FNA", "left"),
    ("Clinical: microcalcifications in the right lobe on US.\nSpecimen: left lower pole nodule", "left"),
    ("FNA thyroid L lobe (diffuse calcifications on US)", "left"),
    ("Thyroid, isthmus, ultrasound-guided fine-needle aspiration.", "isthmus"),
    ("Thyroid FNA. Diagnosis: benign.", "unknown"),
])
def test_cytology_site(config, text, expected):
    assert report_site(text, "cytology", config) == expected


@pytest.mark.parametrize("text, expected", [
    ("FINAL DIAGNOSIS: Papillary thyroid carcinoma, 1.3 cm, right lobe.", "right"),
    ("1. Papillary thyroid carcinoma, R upper pole.\n2. Papillary microcarcinoma, L lower pole.", "bilateral"),
    ("CLINICAL HISTORY: carcinoma in the left lobe on FNA.\nSpecimen: Right thyroid lobectomy.\nPapillary carcinoma.",
     "right"),
    ("Lymph nodes, right level VI: metastatic carcinoma.\nSPECIMEN: Thyroid isthmus.\n- PAPILLARY MICROCARCINOMA.",
     "isthmus"),
    ("Specimens: (A) Total thyroidectomy.\nGross: Left upper pole: a firm nodule. Right lobe without lesions.\n"
     "Histologic type: Medullary thyroid carcinoma", "left"),
    ("Total thyroidectomy: papillary carcinoma.", "unknown"),
])
def test_tumour_site(config, text, expected):
    assert report_site(text, "surgical_pathology", config) == expected


def test_sites_are_unknown_without_texts(link):
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10"), surgery("S1", "P", "2020-03-01"))
    assert (p["P"]["fna_site"], p["P"]["tumor_site"], p["P"]["laterality_concordance"]) == ("unknown", "unknown", "unknown")


@pytest.mark.parametrize("us_side, fna_text, sp_text, concordance, flag", [
    ("right", "FNA, right lobe nodule", "Papillary carcinoma, right lobe.", "concordant", "false"),
    ("right", "FNA, left lobe", "Papillary carcinoma, right lobe.", "discordant", "true"),
    ("bilateral", "FNA, left lobe", "Papillary carcinoma, both lobes.", "concordant", "false"),
    ("bilateral", "FNA, left lobe", "Papillary carcinoma, right lobe.", "discordant", "true"),
    ("isthmus", "FNA, isthmus", "Papillary carcinoma, left lobe.", "discordant", "true"),
    ("unspecified", "FNA, left lobe", "Papillary carcinoma.", "unknown", ""),
])
def test_laterality_concordance_row(link, us_side, fna_text, sp_text, concordance, flag):
    texts = {"C1": fna_text, "S1": sp_text}
    p, _ = link(us("U1", "P", "2020-01-01", microcalcification_laterality=us_side), fna("C1", "P", "2020-01-10"),
                surgery("S1", "P", "2020-03-01"), texts=texts)
    assert (p["P"]["laterality_concordance"], p["P"]["flag_laterality_discordant"]) == (concordance, flag)


def test_benign_surgery_has_no_tumour_site(link):
    p, _ = link(us("U1", "P", "2020-01-01"), surgery("S1", "P", "2020-03-01", "benign"),
                texts={"S1": "Left lobectomy: follicular adenoma."})
    assert p["P"]["tumor_site"] == ""


def test_texts_may_be_a_dataframe(link):
    import pandas as pd

    texts = pd.DataFrame({"report_id": ["C1"], "text": ["FNA, right lobe"]})
    p, _ = link(us("U1", "P", "2020-01-01"), fna("C1", "P", "2020-01-10"), texts=texts)
    assert p["P"]["fna_site"] == "right"
