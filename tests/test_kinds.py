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


def _full_scoring(classifier, hint, text):
    """The decision rule written out with every kind scored (the classifier may stop earlier)."""
    from extractor.kinds import KIND_TIE_ORDER, STRONG_TEXT_SCORE

    scores = classifier.text_scores(text)
    best = max(KIND_TIE_ORDER, key=lambda k: (scores[k], -KIND_TIE_ORDER.index(k)))
    from_text = best if scores[best] > 0 else "other"
    from_hint = classifier.hint_kind(hint)
    if from_hint is None:
        return from_text
    if from_hint != from_text and scores[from_hint] == 0 and scores[best] >= STRONG_TEXT_SCORE:
        return from_text
    return from_hint


def test_shortcut_for_a_supported_hint_decides_as_full_scoring():
    import pandas as pd

    from extractor.resources import sample_dir
    from extractor.synth import generate

    classifier = KindClassifier(load_ruleset())
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    reports = pd.concat([sample, generate(40, seed=9)], ignore_index=True)
    hints = ["", "US", "FNA", "surgical pathology", "US NECK", "SP", "CT", "note"]
    for text in reports["text"]:
        for hint in hints:
            assert classifier.classify(hint, text).kind == _full_scoring(classifier, hint, text), (hint, text[:60])
