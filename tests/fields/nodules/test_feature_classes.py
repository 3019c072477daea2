"""Nodule feature failure classes of the second reading of the blind batches' misses (issue 17): echogenic foci,
microcalcifications, the stated category and the features the TI-RADS points follow. Each class is fixed as a
general rule and tested here in wording that appears in no corpus, with cases that must not fire."""
import pytest

from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


def foci(out):
    return [(r["echogenic_foci"], r["microcalcifications"]) for r in out]


# -- an addendum that corrects a feature: the corrected statement decides (contract "Amended reports") -----------

def test_addendum_correcting_the_foci_replaces_them(ex):
    text = ("FINDINGS: Left lobe, lower pole: 16 mm mixed cystic and solid nodule holding a few bright echogenic "
            "foci, thought to be microcalcifications.\n"
            "IMPRESSION: Left lower nodule with microcalcifications.\n\n"
            "ADDENDUM (3 March): After reviewing the clips, the foci in the left lower pole nodule carry large "
            "comet-tail artefacts (colloid). They are not microcalcifications.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci(out) == [("comet_tail", "absent")]


def test_banner_addendum_is_a_section_and_its_category_wins(ex):
    text = ("*** provisional read ***\n"
            "Right upper pole: 12 mm solid isoechoic nodule, wider than tall, smooth, with punctate echogenic foci. "
            "TR4?\n\n"
            "=== CONSULTANT ADDENDUM ===\n"
            "The right upper pole nodule shows comet-tail artefacts in its cystic part, not microcalcifications; the "
            "mention of punctate foci is withdrawn.\n"
            "Revised: right upper pole nodule, TR3.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci(out) == [("comet_tail", "absent")]
    assert out[0]["stated_category"] == "TR3"


def test_addendum_that_only_adds_keeps_the_first_description(ex):
    text = ("Right lobe: 14 mm solid hypoechoic nodule with punctate echogenic foci, smooth margin.\n"
            "ADDENDUM: the right nodule was discussed with the referring team; FNA booked.")
    out = rows(ex, text)
    assert foci(out) == [("punctate", "present")]
    assert out[0]["margin"] == "smooth"


def test_later_description_with_extrathyroidal_extension_raises_the_margin(ex):
    text = ("The left lobe holds a 30 mm solid hypoechoic mass with lobulated margins. The mass breaches the "
            "capsule with frank extrathyroidal extension into the strap muscles.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["margin"] == "extrathyroidal_extension"
    # a later, lesser margin does not lower it
    out = rows(ex, "Right lobe: 22 mm solid nodule with irregular margins. Impression: right nodule, smooth "
                   "outline elsewhere.")
    assert out[0]["margin"] == "lobulated_irregular"


# -- layout: a block sentence broken over lines, a feature line under a prose nodule, a translated anchor -----------

def test_block_sentence_broken_over_two_lines(ex):
    text = ("Nodule 1 - left mid pole, 11 x 8 x 6 mm. Solid, hypoechoic, wider-than-tall, smooth outline,\n"
            "no calcification. TR4.\n"
            "Nodule 2 - right lobe, 4 mm cyst.")
    out = rows(ex, text)
    assert foci(out) == [("none", "absent"), ("", "not_mentioned")]
    assert [r["stated_category"] for r in out] == ["TR4", ""]
    # the same break inside an indented continuation line
    text = ("Nodule 1: right lower pole, 7 mm, spongiform, isoechoic, no echogenic\n"
            "      foci. TR1.")
    assert foci(rows(ex, text)) == [("none", "absent")]
    # a next line that starts a new sentence in capitals is not part of the block's sentence
    text = "Nodule 1 - left upper pole, 9 mm solid nodule,\nNo calcification in the right lobe."
    assert foci(rows(ex, text)) == [("", "not_mentioned")]


def test_microcalcification_line_under_a_prose_nodule(ex):
    text = "Lt lobe: 12 mm solid nodule, hypoechoic. Border: smooth.\nMicrocalcification (+), several."
    assert foci(rows(ex, text)) == [("punctate", "present")]
    text = "Rt lobe: 8 mm solid nodule, isoechoic.\nMicrocalcifications: none."
    assert foci(rows(ex, text)) == [("", "absent")]


def test_translated_anchor_in_parentheses_is_the_same_nodule(ex):
    out = rows(ex, "Rt lobe lower: 9 mm 등에코 결절 (isoechoic nodule), parallel, smooth - K-TIRADS 3.")
    assert len(out) == 1
    assert (out[0]["echogenicity"], out[0]["shape"], out[0]["stated_category"]) == ("isoechoic", "wider_than_tall",
                                                                                    "K-TIRADS 3")
    # two nodules named in one sentence stay two
    out = rows(ex, "Right lobe: a 9 mm solid nodule (upper pole) and a 5 mm cyst (lower pole).")
    assert len(out) == 2


# -- the stated category ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, normal", [
    ("TI-RADS 4 vs 5", "TR4 vs TR5"),
    ("TR3 or TR4", "TR3 or TR4"),
    ("ACR TR2-TR3", "TR2-TR3"),
    ("TIRADS 3/4", "TR3/TR4"),
    ("U3/U4", "U3/U4"),
    ("ACR 4", "TR4"),
    ("ACR category 5", "TR5"),
    ("TR 3", "TR3"),
    ("TIRADS-2", "TR2"),
    ("K-TIRADS 4", "K-TIRADS 4"),
    ("EU-TIRADS 4", "EU-TIRADS 4"),
])
def test_category_normal_forms(ex, written, normal):
    out = rows(ex, f"Left lobe: 13 mm solid isoechoic nodule, {written}.")
    assert out[0]["stated_category"] == normal


def test_points_sum_is_not_a_category(ex):
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule, smooth. ACR TI-RADS: 2+1+0+0+0 = 3, TR3.")
    assert out[0]["stated_category"] == "TR3"
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule. Category 4.")  # no system word: not a category
    assert out[0]["stated_category"] == ""
    out = rows(ex, "Right lobe: 15 mm solid isoechoic nodule, ACR 4 points.")
    assert out[0]["stated_category"] == ""


def test_questioned_category_yields_to_a_definite_one(ex):
    out = rows(ex, "Nodule 1 - left lower pole, 14 mm\n  Composition: solid\n  Points 6, TR4? Recounted: 8 points, TR5")
    assert out[0]["stated_category"] == "TR5"
    out = rows(ex, "Left lower pole: 14 mm solid nodule, TR4?\nIMPRESSION: left lower nodule, TR5.")
    assert out[0]["stated_category"] == "TR5"
    out = rows(ex, "Left lower pole: 14 mm solid nodule, TR4?")  # alone it is still what the report states
    assert out[0]["stated_category"] == "TR4"


def test_category_line_after_the_impression_nodule(ex):
    text = ("FINDINGS: Right lobe: 11 mm solid hypoechoic nodule, upper pole.\n"
            "IMPRESSION: 1. 11 mm right upper pole solid nodule.\nTR4 or TR5. Biopsy advised. 2. No other finding.")
    out = rows(ex, text)
    assert len(out) == 1 and out[0]["stated_category"] == "TR4 or TR5"
