"""Ultrasound report fields for more failure classes of issue 11 (template answers that go on with a place, ticked
boxes, negations about the nodules as a whole, addendum headers in other languages, OCR'd scans, Korean focal
change, parentheticals broken over a line), in this project's own wording. Keys as in test_ultrasound_fields.py."""
import pytest

KEYS = {"mc": "microcalcifications", "ext": "microcalcification_extent", "clu": "microcalcification_clustered",
        "lat": "microcalcification_laterality", "mass": "mass", "fec": "focal_echogenicity_change"}

# a template answer "none" / "absent" followed only by where it holds is still the row's negation
TEMPLATE_ANSWER_WITH_PLACE = [
    ("Right lobe: 14 mm solid nodule.\nPunctate foci: none in either nodule.", {"mc": "absent", "mass": "present"}),
    ("Nodule A right, nodule B left.\nCalcification = absent bilaterally.", {"mc": "absent"}),
    ("Two spongiform nodules on the left.\nMicrocalcifications: not seen in any of them.", {"mc": "absent"}),
    ("Echogenic foci - none within the lesion.\nA 9 mm cyst.", {"mc": "absent", "mass": "present"}),
]

# checkbox forms: a ticked "none" denies the row's subject; the ACR answer written "none/large comet-tail"
CHECKBOXES = [
    ("Calcification (whole gland): [x] none  [ ] fine  [ ] coarse\nNodule 1: right, 11 mm, solid.",
     {"mc": "absent", "mass": "present"}),
    ("Nodule 1 left lower, 13 mm, solid\n  Echogenic foci: [X] none/large comet-tail  [ ] punctate",
     {"mc": "absent"}),
    ("Solitary right nodule 8 mm.\nEchogenic foci: none/large comet tail artifacts", {"mc": "absent"}),
    ("Microcalcifications: [x] no   Nodules: [x] no", {"mc": "absent", "mass": "absent"}),
]

# a negation about the nodules as a whole covers every nodule, even beside a table row with coarse calcification
WHOLE_NODULE_NEGATIONS = [
    ("Right lobe: 21 mm mixed nodule with coarse calcification.\nLeft lobe: 6 mm cyst.\n"
     "No microcalcifications are seen within any of the nodules listed above.", {"mc": "absent", "mass": "present"}),
    ("| # | Side | Foci |\n| 1 | R | macro |\n| 2 | L | none |\nNone of the lesions shows punctate echogenic foci.",
     {"mc": "absent"}),
    ("Left upper pole: 10 mm isoechoic nodule.\nRight lobe: 5 mm colloid cyst.\n"
     "There are no microcalcifications in any nodule.", {"mc": "absent"}),
]
# ... but a negation about one lobe's nodules still covers that lobe only
ONE_LOBE_NODULES = [
    ("Right lobe: 9 mm solid nodule.\nLeft lobe: 12 mm solid nodule.\nThe right lobe nodules show no calcification.",
     {"mc": "not_mentioned"}),
]

# addenda headed in other languages or as a banner with a corrected report withdraw what they correct
ADDENDA = [
    ("Left lobe: 13 mm solid nodule with microcalcifications.\n\n"
     "ADENDO (02/03/2024): the bright foci of the left nodule are comet-tail artefacts; no microcalcifications.",
     {"mc": "absent", "mass": "present"}),
    ("Right nodule 16 mm, punctate echogenic foci.\n\n"
     "=== ADDENDUM / AMENDED REPORT - 12 May ===\nThe foci are re-read as inspissated colloid. "
     "No microcalcifications.", {"mc": "absent"}),
    ("Isthmus: 7 mm nodule containing microcalcifications.\n"
     "Nachtrag: on review there are no microcalcifications; the foci are colloid.", {"mc": "absent"}),
]

# OCR'd scans: "rn" for "m", "0" for "o"
OCR = [
    ("The left lobe holds a 9 mm nodule with rnicrocalcifications.", {"mc": "present", "lat": "left"}),
    ("Right lower pole nodule with punctate echogenic f0ci.", {"mc": "present", "lat": "right"}),
    ("No n0dules in either lobe. No calcification.", {"mass": "absent", "mc": "absent"}),
]

# Korean dictation: a hypoechoic area surrounding the foci is the focal change; a nodule's own 저에코 is not
KOREAN_FOCAL_CHANGE = [
    ("우엽 하극: 미세석회화 cluster, 주변 저에코 area (약 8 mm), 결절 없음.", {"mc": "present", "fec": "present"}),
    ("좌엽: 미세석회화 scattered, 주위 faint 저에코 영역.", {"mc": "present", "fec": "present"}),
    ("우엽: 저에코 결절 1.1 cm with 미세석회화.", {"mc": "present", "fec": "not_mentioned", "mass": "present"}),
]

# a parenthetical in lower case on the next line continues the sentence: the foci stay with the nodule and its lobe
PARENTHETICAL_LINES = [
    ("Right lobe: 6 mm cyst.\nLeft lobe, lower third: solid nodule of 15 mm, markedly hypoechoic\n"
     "(taller than wide), with microcalcifications.", {"mc": "present", "lat": "left", "ext": "localized"}),
    ("Right lobe: normal.\nLeft lobe, upper third: 11 mm solid nodule, irregular margins, containing\n"
     "(best seen on transverse views) punctate echogenic foci.", {"mc": "present", "lat": "left"}),
]

CASES = [*TEMPLATE_ANSWER_WITH_PLACE, *CHECKBOXES, *WHOLE_NODULE_NEGATIONS, *ONE_LOBE_NODULES, *ADDENDA, *OCR,
         *KOREAN_FOCAL_CHANGE, *PARENTHETICAL_LINES]


@pytest.mark.parametrize("text, expected", CASES, ids=[c[0][:40] for c in CASES])
def test_layout_class(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# one template line per feature of a numbered nodule: the foci line takes the side of that nodule's location line
NUMBERED_TEMPLATE_LINES = [
    ("NODULE 2 SITE = right upper\nNODULE 2 SIZE = 11 mm\nNODULE 2 FOCI = punctate echogenic foci",
     {"mc": "present", "lat": "right"}),
    ("Nodule #1 location: left lower pole\nNodule #1 composition: solid\nNodule #1 echogenic foci: microcalcifications",
     {"mc": "present", "lat": "left"}),
    # another nodule's side is not taken: nodule B says none
    ("Nodule A: right, 8 mm.\nNodule B: 10 mm, solid.\nNodule B foci: punctate echogenic foci",
     {"mc": "present", "lat": "unspecified"}),
]


@pytest.mark.parametrize("text, expected", NUMBERED_TEMPLATE_LINES, ids=[c[0][:40] for c in NUMBERED_TEMPLATE_LINES])
def test_numbered_template_lines(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# a finding beside the midline is in the isthmus; a cluster that "may represent the primary tumour" is no mass
MIDLINE_AND_DIAGNOSIS = [
    ("Isthmus: fine calcifications just left of the midline, no nodule.", {"mc": "present", "lat": "isthmus"}),
    ("Punctate echogenic foci in the isthmus, right of midline.", {"mc": "present", "lat": "isthmus"}),
    ("Clustered microcalcifications in the right lobe without a nodule; this may represent the primary tumour.",
     {"mc": "present", "mass": "absent", "lat": "right"}),
    ("Dense aggregate of microcalcifications on the left, which may represent a tumor focus. No discrete nodule.",
     {"mc": "present", "mass": "absent"}),
    ("A 2 cm solid tumour in the left lobe with microcalcifications.", {"mc": "present", "mass": "present"}),
]


@pytest.mark.parametrize("text, expected", MIDLINE_AND_DIAGNOSIS, ids=[c[0][:40] for c in MIDLINE_AND_DIAGNOSIS])
def test_midline_and_diagnosis_words(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# checkbox templates: an option left unticked states nothing; a ticked one speaks
UNTICKED_OPTIONS = [
    ("Nodule 1: right, 12 mm, solid.\nEchogenic foci: [x] none  [ ] microcalcifications  [ ] macrocalcification",
     {"mc": "absent", "mass": "present"}),
    ("Left nodule 9 mm.\nCalcification: [ ] none  [x] microcalcifications  [ ] rim", {"mc": "present", "lat": "left"}),
    ("Focal lesion: [ ] nodule  [ ] cyst  [x] none\nParenchyma homogeneous.", {"mass": "absent"}),
    ("Findings: [ ] punctate echogenic foci [ ] coarse calcification", {"mc": "not_mentioned"}),
    # the same boxes the nodule reader reads (nlp/sections.py TICK_BOX): glyph boxes, empty and ticked
    ("Right nodule 10 mm.\nFoci: ☐ microcalcifications ☒ comet-tail artefact", {"mc": "not_mentioned", "mass": "present"}),
    ("Calcification: ☑ microcalcifications ☐ rim\nLeft lobe nodule 8 mm.", {"mc": "present"}),
]


@pytest.mark.parametrize("text, expected", UNTICKED_OPTIONS, ids=[c[0][:40] for c in UNTICKED_OPTIONS])
def test_unticked_options(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# a hedge word that closes a template answer or a clause hedges the finding before it (contract v1.1 "likely",
# "suspected", "questionable" wherever they stand); before its finding it hedges what follows
CLOSING_HEDGES = [
    ("Right nodule 11 mm.\nCalcification: microcalcifications likely.", {"mc": "uncertain", "mass": "present"}),
    ("Microcalcifications: suspected; discrete nodule: none.", {"mc": "uncertain", "mass": "absent"}),
    ("Left lobe: fine echogenic foci, questionable.", {"mc": "uncertain", "lat": "left"}),
    ("Isthmus: punctate foci, probable.", {"mc": "uncertain", "lat": "isthmus"}),
    ("Probable microcalcifications in the left lobe.", {"mc": "uncertain"}),
    ("Right nodule, likely benign, with microcalcifications.", {"mc": "present", "mass": "present"}),
]


@pytest.mark.parametrize("text, expected", CLOSING_HEDGES, ids=[c[0][:40] for c in CLOSING_HEDGES])
def test_closing_hedges(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# a nodule named as the place of a denied or hedged finding is there: only the finding is denied or hedged
FINDING_PLACES = [
    ("No microcalcifications in the left nodule.", {"mc": "absent", "mass": "present"}),
    ("Possible punctate echogenic foci within the 9 mm right lower pole nodule.", {"mc": "uncertain", "mass": "present"}),
    ("There is no calcification inside the isthmic cyst.", {"mc": "absent", "mass": "present"}),
    ("Findings suggestive of microcalcifications in the dominant nodule.", {"mc": "uncertain", "mass": "present"}),
    # the nodule itself denied, or every nodule spoken of: it stays denied
    ("No nodule or microcalcification.", {"mc": "absent", "mass": "absent"}),
    ("No microcalcifications, no nodules.", {"mc": "absent", "mass": "absent"}),
    ("Gland homogeneous. No calcification in any nodule.", {"mc": "absent", "mass": "absent"}),
]


@pytest.mark.parametrize("text, expected", FINDING_PLACES, ids=[c[0][:40] for c in FINDING_PLACES])
def test_the_place_of_a_finding(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# a neck-level list: a level written before its side ("IIA right:") is a lymph node's line, as under "Neck levels:"
NECK_LEVEL_LINES = [
    ("Neck levels:\n- IIA right: 9 mm, fine calcifications\n- IV left: normal\nThyroid: homogeneous, no nodule.",
     {"mc": "not_mentioned", "mass": "absent"}),
    ("Thyroid: 8 mm right nodule.\n- III L: 12 mm node, microcalcifications, no hilum", {"mc": "not_mentioned"}),
    ("Nodal stations: VI right - punctate echogenic foci, round", {"mc": "not_mentioned"}),
    ("Right lobe: 1 cm nodule with microcalcifications.\nNeck levels: unremarkable.", {"mc": "present", "lat": "right"}),
]


@pytest.mark.parametrize("text, expected", NECK_LEVEL_LINES, ids=[c[0][:40] for c in NECK_LEVEL_LINES])
def test_neck_level_lines(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# a lobe with the isthmus is that lobe; "within the left nodule" is localized; a bare "Foci:" key; a correction
# that says what the foci are ("are colloid", "correspond to comet-tail artefacts") withdraws them
LOBE_WITH_ISTHMUS_AND_MORE = [
    ("Microcalcifications in the isthmus and left lobe.", {"mc": "present", "lat": "left"}),
    ("Fine calcifications in the right lobe and isthmus, no nodule.", {"mc": "present", "lat": "right"}),
    ("Microcalcifications within the left nodule.", {"mc": "present", "ext": "localized"}),
    ("Punctate echogenic foci in the 14 mm right nodule.", {"mc": "present", "ext": "localized"}),
    ("Nodule 1: right, 10 mm.\nFoci: punctate; grouping: none", {"mc": "present", "clu": "false"}),
    ("Left lobe: punctate echogenic foci in a 9 mm nodule.\nCORRECTED IMPRESSION: the foci in the left lobe are "
     "colloid crystals with comet-tail artefact.", {"mc": "not_mentioned", "mass": "present"}),
    ("Right lobe: microcalcifications.\nAddendum: the right lobe foci correspond to comet-tail reverberation.",
     {"mc": "not_mentioned"}),
]


@pytest.mark.parametrize("text, expected", LOBE_WITH_ISTHMUS_AND_MORE,
                         ids=[c[0][:40] for c in LOBE_WITH_ISTHMUS_AND_MORE])
def test_lobe_with_isthmus_and_corrections(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# microcalcifications placed in nodules of both lobes are bilateral; a nodule after a break is not their place
PLACE_NODULES = [
    ("Microcalcifications in the right nodule and in the left nodule.", {"mc": "present", "lat": "bilateral"}),
    ("Punctate echogenic foci within the right lobe nodule and the left lobe nodule.", {"lat": "bilateral"}),
    ("Microcalcifications in the right nodule; left nodule spongiform.", {"lat": "right"}),
    ("Microcalcifications in the left nodule, but none in the right nodule.", {"lat": "left"}),
    # the place words are the mention status's (nlp/status.py PLACE_WORDS)
    ("Fine echogenic foci throughout the right nodule and the left nodule.", {"lat": "bilateral"}),
]


@pytest.mark.parametrize("text, expected", PLACE_NODULES, ids=[c[0][:40] for c in PLACE_NODULES])
def test_place_nodules_give_laterality(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected
