import pytest

from extractor.fields.kinds import KindClassifier
from extractor.knowledge.ruleset import load_ruleset
from extractor.tools.synth import generate


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
    order, strong = classifier.settings.tie_order, classifier.settings.strong_score
    structure, _ = classifier.structure_scores(text)
    cues = classifier.text_scores(text)
    from_hint = classifier.hint_kind(hint)
    if from_hint is not None and cues[from_hint] > 0 and not any(v for k, v in structure.items() if k != from_hint):
        return from_hint
    scores = {k: structure[k] + cues[k] for k in order}
    best = max(order, key=lambda k: (scores[k], structure[k] > 0, -order.index(k)))
    from_text = best if scores[best] > 0 else "other"
    if from_hint is None or from_hint == from_text:
        return from_text
    titled, _ = classifier.structure_scores(text, markers=False)
    if titled[from_text] >= strong and structure[from_hint] == 0:
        return from_text
    if structure[from_text] - titled[from_text] >= classifier.settings.marker_override_score \
            and structure[from_hint] == 0:
        return from_text
    if scores[from_hint] == 0 and scores[best] >= strong:
        return from_text
    return from_hint


def test_shortcut_for_a_supported_hint_decides_as_full_scoring():
    import pandas as pd

    from extractor.knowledge.resources import sample_dir

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


# --- issue 11, second round: titles in other languages, clinic documents, transmission headers, abbreviated
# recommendations and quoted samplings (new wording; none of these sentences is in a corpus)
ROUND2_CASES = [
    # a title in another language names the exam
    ("", "ECOGRAFÍA DE TIROIDES\nLóbulo derecho: nódulo sólido de 9 mm.\nSe recomienda PAAF.", "ultrasound"),
    ("", "Ultraljud halsen\nVä lob: 7 mm cysta. Hö lob normal.", "ultrasound"),
    ("US", "CITOLOGIA TIREOIDEA\nStriscio con colloide e tireociti benigni. TIR2.", "cytology"),
    ("", "Anatomía patológica - tiroidectomía total\nLóbulo derecho con nódulo de 14 mm; carcinoma papilar.",
     "surgical_pathology"),
    ("ecografia", "Lobo destro: nodulo solido di 8 mm, margini regolari.", "ultrasound"),
    ("citología", "Extendidos con coloide y células foliculares benignas.", "cytology"),
    # an OCR split inside the title word
    ("", "NECK ULTRA SOUND\nRight lobe homogeneous, 4.0 cm.\nLeft lobe: 5 mm cyst.", "ultrasound"),
    # clinic documents that quote an exam
    ("US", "Thyroid nodule clinic\nHer sonogram last week: 15 mm TR4 nodule on the left, no echogenic foci. "
           "We will book an FNA.", "other"),
    ("", "Head and neck surgical clinic - letter to referring physician\nHis FNA in June was Bethesda IV; "
         "hemithyroidectomy offered.", "other"),
    ("", "Phone consultation: ultrasound results explained to the patient at length; a simple cyst only, no "
         "further imaging.", "other"),
    ("OPD note", "45-year-old man, right thyroid swelling for three months, euthyroid.\nFNAC Bethesda II; "
                 "reassured. Review in a year.", "other"),
    # an abbreviated recommendation and a quoted earlier sampling do not make an ultrasound a cytology
    ("", "Isthmus: 6 mm hypoechoic nodule, irregular margin. FNAB recommended.\nPrior cytology 2021 benign.",
     "ultrasound"),
    ("", "R lobe nodule 11 mm, hypoechoic, microlobulated. FNA adv.\nPrevious FNA benign.", "ultrasound"),
]

# must not fire: the clinic is only where the exam was done or who receives the fax; a cytology report's own
# sampling is not a recommendation; a letter's clinic heading with no exam word stays a letter (these pass on the
# old rules too: they guard the new ones)
ROUND2_GUARDS = [
    ("", "Endocrine clinic point-of-care sonography\nRight lobe 4.1 x 1.5 x 1.3 cm, no nodules.", "ultrasound"),
    ("US", "FAX 2 of 3   TO: THYROID CLINIC   FROM: CITY RADIOLOGY\nNECK ULTRASOUND\nRight lobe: 4 mm cyst.",
     "ultrasound"),
    ("US", "Requested by: the referring clinic\nThyroid sonogram: both lobes normal in size, no nodules.",
     "ultrasound"),
    ("", "FNA of the right lobe nodule. Smears: benign follicular cells and colloid. Bethesda II.", "cytology"),
    ("FNA", "Cytology 2024: aspirate of the left nodule, colloid and benign follicular cells, Bethesda II.",
     "cytology"),
]


@pytest.mark.parametrize("hint, text, kind", ROUND2_CASES)
def test_report_kind_round2(classify, hint, text, kind):
    assert classify(hint, text).kind == kind


@pytest.mark.parametrize("hint, text, kind", ROUND2_GUARDS)
def test_report_kind_round2_guards(classify, hint, text, kind):
    assert classify(hint, text).kind == kind


def test_kind_settings_come_from_patterns(tmp_path):
    import shutil

    from extractor.knowledge.resources import patterns_dir

    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    settings = copy / "report_kinds.toml"
    text = settings.read_text().replace("title_lines = 3", "title_lines = 1")
    settings.write_text(text)
    report = "Left lobe 3 cm\nThyroid sonography\nA 9 mm cyst. FNA cytology advised"
    assert KindClassifier(load_ruleset()).title_lines(report) == ["Left lobe 3 cm", "Thyroid sonography",
                                                                 "A 9 mm cyst. FNA cytology advised"][:2]
    assert KindClassifier(load_ruleset(copy)).title_lines(report) == ["Left lobe 3 cm"]


@pytest.mark.parametrize("edit, message", [
    (("strong_score = 8", "strong_score = 8\nweight_cap = 2"), "unknown key 'weight_cap'"),
    (("strong_score = 8", "strong_score = \"8\""), "strong_score must be a whole number"),
    (('"ultrasound", "other"]', '"ultrasound"]'), "tie_order must list each"),
])
def test_kind_settings_are_validated(tmp_path, edit, message):
    import shutil

    from extractor.errors import PatternError
    from extractor.knowledge.resources import patterns_dir

    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    settings = copy / "report_kinds.toml"
    settings.write_text(settings.read_text().replace(*edit))
    with pytest.raises(PatternError, match=message) as caught:
        load_ruleset(copy)
    assert "report_kinds.toml:" in str(caught.value)


def test_matches_found_once_per_text_give_the_decisions_of_a_fresh_classifier():
    """classify keeps the last text's matches (supports and text_scores share them): interleaved texts, repeated
    texts and equal texts in new strings decide as a classifier that never saw another text."""

    corpus = generate(15, seed=4)
    pairs = list(zip(corpus["report_type"], corpus["text"]))
    pairs += [(hint, "".join(list(text))) for hint, text in pairs[:5]] + pairs[:3] + [("", ""), ("US", "")]
    ruleset = load_ruleset()
    shared = KindClassifier(ruleset)
    for hint, text in pairs:
        assert shared.classify(hint, text) == KindClassifier(ruleset).classify(hint, text)
        assert shared.discounted(text) == KindClassifier(ruleset).discounted(text)


# report kind from the report's own layout (issue 11), in new wording: a header laid out in columns, a clinic word
# in an institution's name beside the exam, a pathology department heading that names cytology, a letter heading
# with words between the department and "letter", and a clinician's working diagnosis that quotes an FNA
@pytest.mark.parametrize(
    "hint, text, kind",
    [
        ("ECHO", "Policlinica ****  -  Sonography unit      Neck and thyroid scan (translated)\n"
                 "Right lobe 44 x 15 x 13 mm, no nodule.\nLeft lobe: inhomogeneous, no focal lesion.", "ultrasound"),
        ("", "University Clinic **** - Department of Ultrasound      Report 2231-****\n"
             "Both lobes of normal size and echotexture. No nodule.", "ultrasound"),
        ("FNAC", "PATHOLOGY AND CYTOLOGY LABORATORY - **** GENERAL HOSPITAL\nMaterial: 3 smears from the right "
                 "nodule.\nSmears show abundant colloid and benign follicular cells. Bethesda II.", "cytology"),
        ("", "Anatomia patologica ****  -  Citologia\nAspirate of the left nodule: follicular cells in "
             "microfollicles. Bethesda IV.", "cytology"),
        ("LETTER", "THYROID SURGERY OUTPATIENT LETTER\nDear Dr ****,\nShe is recovering well after her right "
                   "hemithyroidectomy; the histology showed a 9 mm papillary carcinoma.", "other"),
        ("", "Department of Endocrinology - discharge and review letter\nMr **** had a total thyroidectomy on "
             "2 May. The specimen showed follicular adenoma.", "other"),
        # an ultrasound whose only sonographic words are a nodule's size and composition, with symptoms above it
        ("", "Reason for study: dysphagia, hoarseness and fatigue\nRight lobe: 17 mm spongiform nodule.\n"
             "Left lobe: 6 mm cystic lesion.", "ultrasound"),
        ("", "Indication: palpitations, weight loss, tremor.\nThyroid: a 2.4 cm solid nodule in the left lobe, "
             "none on the right.", "ultrasound"),
        ("HISTO", "**** District Hospital - Pathological Diagnosis Report      Accession 88-****\n"
                  "Working diagnosis: right nodule, FNA Bethesda III on two occasions.\nGross: right lobe "
                  "5 x 2 x 2 cm with a 15 mm nodule. Microscopy: follicular adenoma (6 blocks).",
         "surgical_pathology"),
    ],
)
def test_report_kind_from_layout(classify, hint, text, kind):
    assert classify(hint, text).kind == kind


def test_title_rules_read_the_whole_line_around_a_lead():
    """A long first line offers its first column (or lead) as the title, but a title rule still sees the rest of
    the line: a clinic word followed by an exam on the same line is no clinic heading."""
    classifier = KindClassifier(load_ruleset())
    text = ("Regional Clinic **** - Ultrasound department        A long line of header text that runs on and on\n"
            "Right lobe normal.")
    scores, fired = classifier.structure_scores(text)
    assert scores["other"] == 0 and scores["ultrasound"] > 0


# --- issue 11, batch 5 classes: documents that are not exam reports, abbreviations and scans of exam titles
FIFTH_ROUND = [
    # a letter (salutation and sign-off) typed as the imaging it mentions: the two markers outweigh the hint
    ("USG", "Dear Dr Smith,\nThank you for seeing this lady with a 2 cm right nodule (TR4 on USG) and Bethesda III "
            "cytology.\nKind regards, Dr Jones", "other"),
    ("US", "Dear Colleague,\nI saw Mrs Green today in clinic: her ultrasound last month showed a 15 mm left "
           "nodule and the FNA was benign, so we will repeat the scan in a year.\nYours sincerely,\nDr Brown",
     "other"),
    # one marker alone still does not override a hint (a pathology form with a "chief complaint" box)
    ("surgical pathology", "Chief complaint: neck mass.\nSpecimen: left lobectomy. Gross: a 2 cm nodule. "
                           "Diagnosis: follicular adenoma.", "surgical_pathology"),
    # procedure notes, operation reports, referrals, discharge summaries, tumour boards
    ("", "MICROWAVE ABLATION OF A THYROID NODULE - PROCEDURE NOTE\nIndication: benign 30 mm nodule (two benign "
         "FNAs).\nTechnique: local anaesthetic, trans-isthmic approach.\nPlan: follow-up US at 3 months.", "other"),
    ("SURGICAL PATHOLOGY", "OPERATIVE RECORD\nPre-op diagnosis: right PTC.\nOperation: total thyroidectomy and "
                           "central neck dissection.\nFindings: both recurrent laryngeal nerves preserved and "
                           "intact.", "other"),
    ("", "Operation report - ENT\nProcedure: left hemithyroidectomy.\nParathyroid glands preserved. "
         "Specimen sent to histology.", "other"),
    ("Referral", "SPECIALIST REFERRAL - District Health Office\nGoitre for 8 years; US: multinodular goitre, largest "
                 "nodule 30 mm. FNA not done.\nRequested: thyroidectomy.", "other"),
    ("", "Discharge summary\nDiagnosis: papillary carcinoma, right lobe, pT1a.\nAdmitted on 02/03/2024; total "
         "thyroidectomy on 03/03/2024. Post-operative course uneventful, drain removed day 1.", "other"),
    ("CONFERENCE", "THYROID MDT - CASE SUMMARY\nCytology: Bethesda VI right; Bethesda II left.\nPathology: PTC "
                   "1.1 cm.", "other"),
    # a molecular test report is not a cytology report (it does not re-classify the category)
    ("CYTOLOGY", "ThyroSeq v3 GENOMIC CLASSIFIER REPORT\nSpecimen: FNA, left nodule. Cytology (referring lab): "
                 "Bethesda IV.\nResult: negative, no alterations detected.", "other"),
    ("", "Molecular testing report (Afirma GSC)\nBethesda III nodule, right lobe.\nGSC: suspicious.", "other"),
    ("FNA", "THYROID FNA CYTOLOGY with ThyroSeq\nRight nodule. Bethesda IV. ThyroSeq: NRAS detected.", "cytology"),
    # "USS" (ultrasound scan), and an ultrasound clinic's heading is no clinical note
    ("USS", "Neck USS\nMultiple nodules in both lobes, the largest 22 mm in the right lobe.", "ultrasound"),
    ("", "City Hospital - radiology clinic\nUSS THYROID\nA 12 mm solid nodule in the left lobe.", "ultrasound"),
    ("", "Visiting radiologist clinic, Apia\nUSS neck: dominant right nodule 35 mm, mixed.", "ultrasound"),
    # a type hint naming the thyroid in another language; "ultrasonography" is an ultrasound cue
    ("US TIREOIDE", "[translated] HOSPITAL ****, SERVICE OF RADIOLOGY - THYROID ULTRASONOGRAPHY (follow-up)\n"
                    "History: right lobectomy 2022.\nLeft lobe: homogeneous, without nodules.", "ultrasound"),
    ("ECO TIROIDES", "Thyroid ultrasonography: a 9 mm cyst in the left lobe.", "ultrasound"),
    # a pathology department's name alone does not override a cytology hint
    ("Cytology (outside)", "Outside report - Anatomia Patologica, Roma\nFNA left lobe.\nSmears: colloid and benign "
                           "follicular cells.\nDiagnosis: TIR 2.", "cytology"),
    # an OCR'd scan reads "o" as "0" in the title
    ("SCAN", "GENERAL HOSPITAL - RADI0LOGY\nULTRAS0UND 0F THE NECK\nRight lobe: 15 mm solid n0dule.", "ultrasound"),
    ("SCAN", "CITY HOSPITAL - HIST0PATH0L0GY REP0RT\nSpecimen: t0tal thyr0idect0my.\nDiagn0sis: papillary "
             "carcin0ma.", "surgical_pathology"),
]


@pytest.mark.parametrize("hint, text, kind", FIFTH_ROUND, ids=[f"{c[0]}|{c[1][:30]}" for c in FIFTH_ROUND])
def test_report_kind_round5(classify, hint, text, kind):
    assert classify(hint, text).kind == kind


# -- batch 5 reading (issue 17): a radiology clinic heading, "USS", an OCR-read title --------------------------------

@pytest.mark.parametrize("hint, text", [
    ("USS", "City General - visiting radiology clinic\nUSS THYROID\nA 14 mm mixed nodule in the left lobe."),
    ("", "District Imaging clinic\nUSS NECK\nThe right lobe holds a 9 mm cyst."),
    ("SCAN", "GENERAL HOSPITAL - RADI0LOGY\nULTRAS0UND 0F THE THYR0ID\nA 12 mm nodule in the right lobe."),
])
def test_radiology_clinic_headings_and_ocr_titles_are_ultrasound(hint, text):
    assert KindClassifier(load_ruleset(None)).classify(hint, text).kind == "ultrasound"
