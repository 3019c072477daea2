import pytest

from extractor.kinds import KindClassifier
from extractor.ruleset import load_ruleset


@pytest.fixture(scope="module")
def classify():
    return KindClassifier(load_ruleset()).classify


@pytest.mark.parametrize(
    "hint, text, kind",
    [
        ("US", "Right lobe 4 cm, homogeneous echotexture.", "ultrasound"),
        ("Thyroid ultrasound", "", "ultrasound"),
        ("FNA", "Smears show colloid.", "cytology"),
        ("surgical pathology", "Total thyroidectomy.", "surgical_pathology"),
        ("", "Bethesda category II. Benign follicular nodule. Smears with colloid and follicular cells.", "cytology"),
        ("", "Specimen: total thyroidectomy. Gross description: a 2 cm nodule. pT1b pN0.", "surgical_pathology"),
        ("", "The left lobe measures 4 x 1 x 1 cm. Hypoechoic nodule with echogenic foci.", "ultrasound"),
        ("SP", "Left lobectomy: follicular adenoma. Margins free.", "surgical_pathology"),
        ("CT", "CT neck with contrast: no adenopathy.", "other"),
        ("", "Patient seen in clinic, feels well.", "other"),
        # an unhelpful hint that the text clearly contradicts
        ("US NECK", "Gross description: received in formalin, a total thyroidectomy specimen. Microscopic "
                    "description: papillary carcinoma. pT2 pN0. Margins free.", "surgical_pathology"),
    ],
)
def test_report_kind(classify, hint, text, kind):
    assert classify(hint, text).kind == kind
