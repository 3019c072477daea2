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
