"""Ultrasound report fields for more failure classes of issue 11, in this project's own wording (several wordings
per class): negations scoped to one lobe or one nodule, pipe-table rows, preliminary reads superseded by a final
read, addenda headed with a date, denied clustering, weak extent words inside a nodule's description, "?" before a
word, and earlier studies named after the finding. Keys as in test_us_failure_classes.py."""
import json

import pytest

KEYS = {"mc": "microcalcifications", "ext": "microcalcification_extent", "clu": "microcalcification_clustered",
        "lat": "microcalcification_laterality", "mass": "mass", "fec": "focal_echogenicity_change"}


def check(us_fields, text, expected):
    row = us_fields(text)
    assert {key: row[KEYS[key]] for key in expected} == expected


# contract v1.1: a negation about one lobe or one nodule leaves the gland-level field not_mentioned while a nodule
# elsewhere is not covered; a bare negation, or one about "either lobe", speaks for the gland
LOBE_SCOPED = [
    ("Right lobe: 8 mm cyst.\nLeft lobe: 15 mm solid nodule, oval, with a smooth outline and no calcification.",
     {"mc": "not_mentioned", "mass": "present"}),
    (("Left lobe: 12 mm isoechoic nodule in the lower pole.\nIt has smooth margins and no echogenic foci.\n"
     "Right lobe: a 5 mm colloid cyst."), {"mc": "not_mentioned"}),
    (("There are no microcalcifications in the left lobe. The right lobe holds a 2 cm mixed nodule with "
     "comet-tail artefact."), {"mc": "not_mentioned", "mass": "present"}),
    ("#1 R upper, 14 mm, solid, hypoechoic, no echogenic foci.\n#2 L mid, 9 mm spongiform nodule.",
     {"mc": "not_mentioned"}),
    # the negation speaks for the whole gland
    ("Right lobe: a 7 mm cyst.\nLeft lobe: no nodule. No calcification.", {"mc": "absent", "mass": "present"}),
    ("Right lobe: 11 mm solid nodule. Left lobe: 6 mm cyst. No microcalcifications in either lobe.",
     {"mc": "absent"}),
    (("Left lobe: 18 mm solid nodule without calcification. Right lobe: 4 mm cyst.\n"
     "No punctate echogenic foci in any nodule."), {"mc": "absent"}),
    ("Left 2 cm nodule, no calcification. The right lobe has no nodules.", {"mc": "absent", "mass": "present"}),
]


@pytest.mark.parametrize("text, expected", LOBE_SCOPED, ids=[c[0][:40] for c in LOBE_SCOPED])
def test_lobe_and_nodule_scoped_negations(us_fields, text, expected):
    check(us_fields, text, expected)


# pipe tables: a "none" cell covers its row only; a row naming a look-alike leaves its nodule uncovered
TABLES = [
    (("| Nodule | Side | Size | Foci |\n|---|---|---|---|\n| A | right | 21 mm | coarse |\n"
     "| B | left | 8 mm | none |"), {"mc": "not_mentioned", "mass": "present"}),
    (("| Nodule | Side | Size | Calc |\n| 1 | right | 12 mm | none |\n| 2 | left | 10 mm | rim |\n"
     "| 3 | left | 5 mm | none |"), {"mc": "not_mentioned"}),
    ("| Nodule | Side | Size | Calc |\n| 1 | right | 12 mm | none |\n| 2 | left | 10 mm | none |",
     {"mc": "absent", "mass": "present"}),
    (("| Nodule | Side | Size | Calc |\n| 1 | right | 12 mm | none |\n| 2 | left | 10 mm | egg-shell |\n"
     "No microcalcification anywhere in the gland."), {"mc": "absent"}),
]


@pytest.mark.parametrize("text, expected", TABLES, ids=[c[0][:40] for c in TABLES])
def test_table_rows_are_covered_one_by_one(us_fields, text, expected):
    check(us_fields, text, expected)


# the ACR template answer "None or large comet-tail artifacts" is no punctate foci
def test_acr_none_or_comet_tail_answer_is_absent(us_fields):
    text = ("Right lobe nodule:\n- Composition: cystic\n- Echogenic foci: None or large comet-tail artifacts\n"
            "Left lobe: no nodule.")
    check(us_fields, text, {"mc": "absent", "mass": "present"})


# a preliminary read followed by a final read: the final read decides
PRELIMINARY = [
    (("PRELIMINARY READ (on call):\nLeft nodule 9 mm with punctate echogenic foci.\n\n"
     "FINAL REPORT:\nThe left lower pole contains a 9 mm spongiform nodule. The bright foci are comet-tail "
     "artefacts of colloid."), {"mc": "not_mentioned", "mass": "present"}),
    (("=== PRELIMINARY REPORT - overnight service ===\nPossible right nodule. Echogenic foci, possibly "
     "microcalcifications.\n=== FINAL REPORT ===\nNo thyroid nodule. No microcalcification."),
     {"mc": "absent", "mass": "absent"}),
    (("Preliminary (resident):\nScattered microcalcifications in the right lobe.\n"
     "Attending review:\nAgree: scattered microcalcifications throughout the right lobe, no nodule."),
     {"mc": "present", "ext": "diffuse", "lat": "right", "mass": "absent"}),
    # no final read: the preliminary read is the report
    ("PRELIMINARY REPORT:\nRight 12 mm nodule with microcalcifications.\nFinal signature pending.",
     {"mc": "present", "mass": "present"}),
]


@pytest.mark.parametrize("text, expected", PRELIMINARY, ids=[c[0][:40] for c in PRELIMINARY])
def test_final_read_supersedes_preliminary(us_fields, text, expected):
    check(us_fields, text, expected)


def test_superseded_preliminary_says_why(us_fields):
    text = ("PRELIMINARY READ:\nMicrocalcifications in the left lobe.\nFINAL REPORT:\n"
            "Homogeneous gland, 4 mm right cyst.")
    row = us_fields(text)
    assert row["microcalcifications"] == "not_mentioned"
    assert json.loads(row["evidence"])["microcalcifications"]["reason"] == "withdrawn_by_amendment"


# an addendum header with a date or an author in brackets is still an addendum; "is withdrawn" negates backwards
ADDENDA = [
    (("Left 10 mm nodule with microcalcifications.\n\nADDENDUM (12/03/2025): On review the foci in the left "
     "nodule are inspissated colloid, not microcalcifications."), {"mc": "absent", "mass": "present"}),
    (("Right nodule, 14 mm, with punctate echogenic foci.\nAddendum (Dr on call, 09:10): the foci show large "
     "comet-tail artefact on the cine loop; they are not microcalcifications."), {"mc": "absent"}),
    ("Left 10 mm nodule.\nCorrection: the mention of microcalcifications in the left nodule above is withdrawn.",
     {"mc": "absent"}),
]


@pytest.mark.parametrize("text, expected", ADDENDA, ids=[c[0][:40] for c in ADDENDA])
def test_dated_addenda(us_fields, text, expected):
    check(us_fields, text, expected)


# a clustering word that a negation denies is no cluster
CLUSTERING = [
    ("Numerous punctate echogenic foci throughout the left lobe without aggregation.",
     {"mc": "present", "clu": "false"}),
    ("Right lobe: scattered microcalcifications, no clustering or dominant focus.", {"clu": "false"}),
    ("Microcalcifications in the left lobe, not grouped.", {"clu": "false"}),
    ("No nodule; clustered microcalcifications at the right lower pole.", {"clu": "true", "mass": "absent"}),
    ("Diffuse microcalcifications in the right lobe, with a cluster of them in the upper pole.",
     {"clu": "true", "ext": "diffuse"}),
]


@pytest.mark.parametrize("text, expected", CLUSTERING, ids=[c[0][:40] for c in CLUSTERING])
def test_denied_clustering(us_fields, text, expected):
    check(us_fields, text, expected)


# contract v1.1: within a nodule is localized, also when its description counts or spreads the foci
WITHIN_NODULE = [
    ("Left lobe: solid nodule, 10 mm, lower pole.\nEchogenic foci: several punctate echogenic foci.",
     {"ext": "localized", "lat": "left"}),
    ("Right mid nodule:\n  18 mm, solid, hypoechoic; multiple punctate echogenic foci (scattered).",
     {"ext": "localized", "lat": "right"}),
    ("Left lobe mid: 1.4 cm solid nodule\n  Margin: smooth\n  Echogenic foci: punctate, numerous",
     {"ext": "localized", "lat": "left"}),
    # the lobe-wide pattern stays diffuse
    ("Innumerable microcalcifications scattered throughout the right lobe. No nodule.", {"ext": "diffuse"}),
]


@pytest.mark.parametrize("text, expected", WITHIN_NODULE, ids=[c[0][:40] for c in WITHIN_NODULE])
def test_weak_spread_words_inside_a_nodule(us_fields, text, expected):
    check(us_fields, text, expected)


# "?" standing alone before a word hedges that word; one attached to the word before looks back
QUESTION_MARKS = [
    ("Right lobe 12 mm solid nodule with tiny echogenic foci, ? microcalcifications.",
     {"mc": "uncertain", "mass": "present"}),
    ("Left nodule, ? microcalcification - TIRADS 4.", {"mc": "uncertain", "mass": "present"}),
    ("Microcalcifications in the right lobe. TR5? FNA advised.", {"mc": "present"}),
]


@pytest.mark.parametrize("text, expected", QUESTION_MARKS, ids=[c[0][:40] for c in QUESTION_MARKS])
def test_free_standing_question_mark(us_fields, text, expected):
    check(us_fields, text, expected)


# an earlier study named after the finding: the finding is that study's
EARLIER_STUDY = [
    (("Status post left lobectomy for a carcinoma which showed microcalcifications on the pre-operative scan. "
     "Right lobe: no nodule, no calcification."), {"mc": "absent", "mass": "absent"}),
    (("The microcalcifications reported in the right lobe on the 2022 ultrasound are no longer seen; no punctate "
     "echogenic foci in either lobe."), {"mc": "absent"}),
    ("The nodule reported on the preliminary read is a pseudonodule; no discrete nodule in either lobe.",
     {"mass": "absent"}),
    ("Microcalcifications in the left nodule, unchanged from the initial study.", {"mc": "present"}),
]


@pytest.mark.parametrize("text, expected", EARLIER_STUDY, ids=[c[0][:40] for c in EARLIER_STUDY])
def test_earlier_study_named_after_the_finding(us_fields, text, expected):
    check(us_fields, text, expected)


# focal echogenicity change: lower echogenicity of the parenchyma around the foci
FOCAL_CHANGE = [
    ("A cluster of punctate echogenic foci in the left upper pole with faint surrounding hypoechogenicity.",
     {"mc": "present", "fec": "present"}),
    ("Grouped microcalcifications in the right lobe, hypoechogenicity around the foci, no mass.",
     {"fec": "present", "mass": "absent"}),
]


@pytest.mark.parametrize("text, expected", FOCAL_CHANGE, ids=[c[0][:40] for c in FOCAL_CHANGE])
def test_surrounding_hypoechogenicity(us_fields, text, expected):
    check(us_fields, text, expected)


# translated dictation: "nodular formation" is a nodule
def test_nodular_formation_is_a_nodule(us_fields):
    check(us_fields, "Right lobe: solid nodular formation of 14 mm, isoechoic, no calcifications within.\n"
                     "Left lobe: small cystic formations up to 3 mm.", {"mass": "present", "mc": "not_mentioned"})


# terse TI-RADS dictation: a size followed by an ACR composition is a nodule even without the word
UNLABELLED_NODULES = [
    ("THYROID US. R lower 1.8 cm solid isoechoic, wider-than-tall, smooth, no echogenic foci. L: unremarkable.",
     {"mass": "present"}),
    ("Left mid 2.4 x 1.9 x 1.6 cm, mixed cystic and solid, isoechoic. Right lobe: no nodule.",
     {"mass": "present"}),
    ("L upper 9 mm spongiform, TR1. Right lobe: no nodule, no calcification.", {"mass": "present"}),
    # a lobe's own size is no nodule
    ("Right lobe 4.6 x 1.5 cm, homogeneous. Left lobe 4.2 cm. No nodules.", {"mass": "absent"}),
]


@pytest.mark.parametrize("text, expected", UNLABELLED_NODULES, ids=[c[0][:40] for c in UNLABELLED_NODULES])
def test_unlabelled_nodule(us_fields, text, expected):
    check(us_fields, text, expected)


# key = value and key: value templates: the value speaks for the key; a history key holds no finding of this exam
TEMPLATES = [
    ("NODULES = no discrete nodule or mass in either lobe\nCALCIFICATION = none", {"mass": "absent", "mc": "absent"}),
    ("Nodules: none seen in either lobe.\nCalcifications: none.", {"mass": "absent", "mc": "absent"}),
    ("Nodule: 14 mm, solid, right lower pole.\nCalcification: none.", {"mass": "present", "mc": "absent"}),
    ("CLINICAL HX = hypothyroidism, ? nodule on palpation\nNODULES = none\nCALCIFICATION = none",
     {"mass": "absent", "mc": "absent"}),
    ("reason = goitre, r/o nodule\nthyroid_size = enlarged\nnodules = none\ncalcs = none",
     {"mass": "absent", "mc": "absent"}),
    ("Lesion formation (-). Calcification (-).", {"mass": "absent", "mc": "absent"}),
    ("Mass formation: (-)   Calcification: (-)", {"mass": "absent", "mc": "absent"}),
]


@pytest.mark.parametrize("text, expected", TEMPLATES, ids=[c[0][:40] for c in TEMPLATES])
def test_template_keys_and_values(us_fields, text, expected):
    check(us_fields, text, expected)


# a comparison or history line whose sentence wraps onto the next line keeps its words out of this exam
def test_wrapped_comparison_sentence_stays_historical(us_fields):
    text = ("Comparison: report of an outside scan in 2021 that described a right nodule with\n"
            "punctate echogenic foci; FNA then was benign.\n\nFindings:\nRight lobe: 12 mm isoechoic nodule, smooth.")
    check(us_fields, text, {"mc": "not_mentioned", "mass": "present"})


# "which are likely microcalcifications": the hedge is about what the foci are
LIKELY = [
    ("Right nodule containing a few bright foci which are likely microcalcifications.", {"mc": "uncertain"}),
    ("Left nodule with echogenic foci that are probably microcalcifications.", {"mc": "uncertain"}),
    ("Punctate echogenic foci in the left nodule; a carcinoma is likely.", {"mc": "present"}),
]


@pytest.mark.parametrize("text, expected", LIKELY, ids=[c[0][:40] for c in LIKELY])
def test_likely_hedges_the_identification(us_fields, text, expected):
    check(us_fields, text, expected)


# "no calcs": the dictated short form of calcification
def test_calcs_short_form_negation(us_fields):
    check(us_fields, "Thyroid of normal size. No nodules, no calcs.", {"mc": "absent", "mass": "absent"})


# a gland-wide change in echogenicity is no focal change around the foci
def test_gland_wide_decreased_echogenicity_is_no_focal_change(us_fields):
    text = ("Enlarged heterogeneous gland with decreased echogenicity throughout both lobes. Scattered punctate "
            "echogenic foci in both lobes, no nodule.")
    check(us_fields, text, {"mc": "present", "fec": "not_mentioned", "mass": "absent"})


# a table row with punctate foci is within that row's nodule, past the other header cells
def test_table_row_foci_are_within_the_nodule(us_fields):
    text = ("| Nodule | Site | Size | Calc | TR |\n| 1 | R lower | 11 mm | punctate | TR5 |\n"
            "| 2 | L mid | 6 mm | none | TR2 |")
    check(us_fields, text, {"mc": "present", "ext": "localized", "lat": "right"})


# an unlabelled cluster: the foci named again by a demonstrative carry the clustering cue
FOCI_NAMED_AGAIN = [
    ("Innumerable punctate echogenic foci in both lobes. A tight cluster of these foci lies in the left lower pole.",
     {"mc": "present", "clu": "true", "lat": "bilateral"}),
    ("Scattered microcalcifications throughout the right lobe; most of these foci are grouped near the isthmus.",
     {"clu": "true"}),
    # the foci named just before are comet-tail artefacts: their grouping says nothing of the microcalcifications
    (("Microcalcifications in the right nodule. Left cyst with echogenic foci showing comet-tail artefact; these "
     "foci are clustered along its wall."), {"mc": "present", "clu": "false"}),
    ("Scattered microcalcifications in the left lobe; these foci are not grouped.", {"clu": "false"}),
]


@pytest.mark.parametrize("text, expected", FOCI_NAMED_AGAIN, ids=[c[0][:40] for c in FOCI_NAMED_AGAIN])
def test_cluster_of_foci_named_again(us_fields, text, expected):
    check(us_fields, text, expected)
