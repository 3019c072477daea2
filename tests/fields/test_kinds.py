import pytest

from extractor.fields.kinds import KindClassifier
from extractor.knowledge.ruleset import load_ruleset


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
    from extractor.fields.kinds import KIND_TIE_ORDER, STRONG_TEXT_SCORE

    structure, _ = classifier.structure_scores(text)
    cues = classifier.text_scores(text)
    from_hint = classifier.hint_kind(hint)
    if from_hint is not None and cues[from_hint] > 0 and not any(v for k, v in structure.items() if k != from_hint):
        return from_hint
    scores = {k: structure[k] + cues[k] for k in KIND_TIE_ORDER}
    best = max(KIND_TIE_ORDER, key=lambda k: (scores[k], -KIND_TIE_ORDER.index(k)))
    from_text = best if scores[best] > 0 else "other"
    if from_hint is None or from_hint == from_text:
        return from_text
    titled, _ = classifier.structure_scores(text, markers=False)
    if titled[from_text] >= STRONG_TEXT_SCORE and structure[from_hint] == 0:
        return from_text
    if scores[from_hint] == 0 and scores[best] >= STRONG_TEXT_SCORE:
        return from_text
    return from_hint


def test_shortcut_for_a_supported_hint_decides_as_full_scoring():
    import pandas as pd

    from extractor.knowledge.resources import sample_dir
    from extractor.tools.synth import generate

    classifier = KindClassifier(load_ruleset())
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    reports = pd.concat([sample, generate(40, seed=9)], ignore_index=True)
    hints = ["", "US", "FNA", "surgical pathology", "US NECK", "SP", "CT", "note"]
    for text in reports["text"]:
        for hint in hints:
            assert classifier.classify(hint, text).kind == _full_scoring(classifier, hint, text), (hint, text[:60])


# --- kind from the report's structure: cues in indications, plans and quotations do not count (issue 11)
STRUCTURE_CASES = [
    # an ultrasound whose recommendation names FNA or a biopsy
    ("", "Neck sonogram\n- R lobe: 4.6 x 1.7 x 1.5 cm, coarse echotexture.\n- L lobe: 4.2 x 1.5 x 1.4 cm.\n"
         "Opinion: no dominant nodule; should suspicious foci develop, consider fine needle aspiration of the "
         "area, with cytology.", "ultrasound"),
    ("", "Findings: a 17 mm solid nodule in the lower left lobe, taller than wide.\nImpression: TR5. "
         "Biopsy advised; FNA cytology to follow.", "ultrasound"),
    ("neck", "Right lobe: 5.1 x 2.0 x 1.9 cm\nLeft lobe: 4.8 x 1.8 x 1.6 cm\nNodules: none\n"
             "Plan: aspiration would be warranted if the gland enlarges.", "ultrasound"),
    # an ultrasound whose indication lists symptoms
    ("", "Reason for exam: 62-year-old man presents with hoarseness and dysphagia; symptoms for six weeks, referred "
         "by GP.\nRight lobe measures 5 x 2 x 2 cm with a 9 mm spongiform nodule.\nLeft lobe unremarkable.",
     "ultrasound"),
    ("", "Clinical: neck lump, weight loss, referred from clinic.\n* Thyroid: both lobes normal size.\n"
         "* Right lower pole: 6 mm cyst, posterior acoustic enhancement.", "ultrasound"),
    # letters, notes, summaries and MDT notes that quote imaging or pathology
    ("", "Dear Dr Moreau,\nThank you for seeing this lady. Her ultrasound on 2 May showed a 14 mm hypoechoic nodule "
         "with punctate echogenic foci in the right lobe, and FNA gave Bethesda V.\nPlan: hemithyroidectomy.\n"
         "Kind regards", "other"),
    ("US", "ENDOCRINE CLINIC LETTER\nI reviewed Mr Ito today. The thyroid ultrasound report reads: heterogeneous "
           "echotexture, no nodule, no microcalcifications. TSH normal.\nYours sincerely", "other"),
    ("", "DISCHARGE SUMMARY\nAdmitted for total thyroidectomy. Histology: papillary carcinoma, 12 mm, pT1b, margins "
         "free. Cytology before surgery was Bethesda VI.", "other"),
    ("", "MDT discussion 4/6\nUltrasound: 2 cm TR5 nodule, left lobe, microcalcifications. FNA: Bethesda VI, "
         "papillary carcinoma. Outcome: total thyroidectomy.", "other"),
    ("FNA", "Progress note\nAssessment and plan: FNA of the right nodule was Bethesda II (benign follicular "
            "nodule); repeat ultrasound in a year.", "other"),
    ("", "PREOPERATIVE DIAGNOSIS: right thyroid nodule, Bethesda V.\nPROCEDURE: right hemithyroidectomy.\n"
         "ESTIMATED BLOOD LOSS: 20 mL.\nThe patient was taken to the operating room; the right lobe was resected "
         "and sent for frozen section and permanent pathology.", "other"),
    ("", "HOSPITAL COURSE: uneventful after total thyroidectomy; final pathology papillary carcinoma, margins "
         "negative.\nDISCHARGE MEDICATIONS: levothyroxine.", "other"),
    # the title says what the document is
    ("US", "ULTRASOUND-GUIDED FNA, RIGHT LOBE\nAdequate smears with colloid and benign follicular cells.\n"
           "Bethesda II.", "cytology"),
    ("", "Ultrasound of the neck after right lobectomy\nRight thyroid bed: no residual tissue.\nLeft lobe: "
         "4.2 x 1.3 x 1.2 cm, homogeneous.", "ultrasound"),
    # a cytology report whose request quotes the ultrasound
    ("", "Clinical details: hypoechoic nodule with echogenic foci on ultrasound, TR5, increased vascularity.\n"
         "Diagnosis: benign follicular nodule, Bethesda II.", "cytology"),
]


@pytest.mark.parametrize("hint, text, kind", STRUCTURE_CASES)
def test_report_kind_from_structure(classify, hint, text, kind):
    assert classify(hint, text).kind == kind
