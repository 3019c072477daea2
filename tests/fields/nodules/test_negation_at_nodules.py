"""Nodule failure classes of the fourth reading (blind batch 5, issue 17): a denial of microcalcifications or of any
calcification that names the nodules ("in the nodule or elsewhere", "none of the nodules ...") holds for each of
them, while a lobe-wide one alone does not fill them (contract: a lobe-wide statement fills a nodule only when the
report places it in or at that nodule); hedged tiny foci ("could correspond to microcalcifications", "a questionable
punctate focus"). Each class is tested in wording of its own, with cases that must not fire."""
import pytest

from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


def foci_micro(out):
    return [(r["echogenic_foci"], r["microcalcifications"]) for r in out]


# -- a denial that names the nodule on its way to the lobe or gland ---------------------------------------------

@pytest.mark.parametrize("denial", [
    "No microcalcifications within the nodule or anywhere else in the gland.",
    "There are no microcalcifications in this nodule or elsewhere in either lobe.",
    "No micro-calcification is seen in the described nodule nor elsewhere in the thyroid.",
])
def test_denial_naming_the_nodule_and_the_gland_fills_the_nodule(ex, denial):
    text = ("Findings: Left lobe, upper pole: an 11 mm solid isoechoic nodule, wider than tall, smooth margin.\n"
            f"{denial}\nRight lobe unremarkable.")
    out = rows(ex, text)
    assert len(out) == 1
    assert out[0]["microcalcifications"] == "absent"


def test_denial_naming_both_nodules_fills_each(ex):
    text = ("Findings: Right lobe: 14 mm mixed cystic and solid isoechoic nodule at the mid pole.\n"
            "Left lobe: 6 mm simple cyst at the lower pole.\n"
            "Microcalcifications are not present: none in either nodule or elsewhere in the two lobes.\n"
            "No micro-calcification in either nodule or elsewhere within either lobe.")
    out = rows(ex, text)
    assert len(out) == 2
    assert [r["microcalcifications"] for r in out] == ["absent", "absent"]


def test_denial_of_the_lobe_alone_still_leaves_the_nodule_unfilled(ex):
    # contract: a lobe-wide statement does not fill a nodule's microcalcifications
    text = ("Findings: Left lobe, mid: 9 mm solid hypoechoic nodule with a smooth margin.\n"
            "No microcalcifications are identified anywhere in either lobe.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci_micro(out) == [("", "not_mentioned")]


@pytest.mark.parametrize("sentence, expected", [
    ("None of the nodules demonstrates any calcification.", ("none", "absent")),
    ("None of these nodules show calcifications.", ("none", "absent")),
    ("None of the three nodules contain microcalcifications.", ("", "absent")),
    ("None of the described lesions has punctate echogenic foci.", ("", "absent")),
])
def test_none_of_the_nodules_denies_for_each(ex, sentence, expected):
    text = ("Findings: Right lobe: nodules; the largest is 21 mm, solid and isoechoic, at the lower pole.\n"
            "Left lobe: a 12 mm spongiform nodule at the upper pole.\n"
            f"{sentence}")
    out = rows(ex, text)
    assert len(out) == 2
    assert foci_micro(out) == [expected, expected]


def test_none_of_the_nodules_is_suspicious_says_nothing_about_foci(ex):
    text = ("Findings: Right lobe: a 17 mm solid isoechoic nodule at the mid pole.\n"
            "None of the nodules is suspicious. Calcification of the carotid wall is noted.")
    out = rows(ex, text)
    assert len(out) == 1
    assert foci_micro(out) == [("", "not_mentioned")]


# -- hedged tiny foci ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hedge", [
    "Within it a few minute bright foci which could correspond to microcalcifications or colloid.",
    "Inside there is one questionable punctate echogenic focus.",
    "It contains tiny echogenic dots that might represent microcalcifications versus inspissated colloid.",
])
def test_hedged_tiny_foci_are_uncertain_with_no_foci_value(ex, hedge):
    text = f"Findings: Right lobe, lower pole: 13 mm solid hypoechoic nodule, smooth margin. {hedge}"
    out = rows(ex, text)
    assert len(out) == 1
    assert foci_micro(out) == [("", "uncertain")]
    assert out[0]["tirads_points"] in ("", None)


def test_an_affirmed_punctate_focus_stays_present(ex):
    text = "Findings: Right lobe, lower pole: 13 mm solid hypoechoic nodule with a single punctate echogenic focus."
    assert foci_micro(rows(ex, text)) == [("punctate", "present")]
