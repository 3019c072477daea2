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


# -- sizes: a denied part, a place word, a size after the foci ----------------------------------------------------

@pytest.mark.parametrize("text, size", [
    ("Findings: Nodule A: right lobe, spongiform, isoechoic, smooth\n  outline, without echogenic foci, 1.1 x 0.7 x 0.6 cm.", 11),
    ("Findings: Principal nodule, right lobe, upper portion: 27 x 19 x 15 mm, solid and isoechoic.", 27),
    ("Findings: Left lobe: solid hypoechoic nodule with lobulated margins and punctate echogenic foci, 8 x 7 x 12 mm.", 12),
    ("Findings: Nodule 1: left lobe, solid, hypoechoic,\n  lobulated margins, with punctate echogenic foci,\n  measuring 1.4 x 1.0 x 0.9 cm.", 14),
    ("Findings: The left lobe holds a solid nodule with lobulated\n(microlobulated) margins, 7 x 6 x 9 mm.", 9),
])
def test_nodule_size_is_read(ex, text, size):
    out = rows(ex, text)
    assert len(out) == 1
    assert out[0]["size_mm"] == size


@pytest.mark.parametrize("text", [
    "Findings: Right lobe: 18 mm solid nodule with a coarse calcification measuring 6 mm.",
    "Findings: Right lobe: 18 mm solid nodule containing a macrocalcification of 6 mm.",
])
def test_a_part_of_the_nodule_still_gives_no_size(ex, text):
    assert [r["size_mm"] for r in rows(ex, text)] == [18]


# -- a points tally names the nodule already described ---------------------------------------------------------

def test_points_tally_line_refers_back_to_the_nodule(ex):
    text = ("Findings: Right lobe, lower pole: solid hypoechoic nodule 13 x 9 x 8 mm, wider than tall, smooth margin,\n"
            "  no echogenic foci.\n"
            "ACR TI-RADS right lower pole nodule: solid 2, hypoechoic 2, wider than tall 0, smooth 0,\n"
            "  no foci 0 = 4 points, TR4.")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["tirads_points"], out[0]["stated_category"], out[0]["size_mm"]) == (4, "TR4", 13)


def test_a_second_nodule_after_a_tally_is_still_its_own(ex):
    text = ("Findings: Right lobe: 13 mm solid hypoechoic nodule at the lower pole.\n"
            "TI-RADS tally: solid 2, hypoechoic 2 = 4 points.\n"
            "Left lobe: 25 mm spongiform nodule at the upper pole.")
    out = rows(ex, text)
    assert [r["side"] for r in out] == ["right", "left"]


# -- a translated conclusion header and a translated nodule noun --------------------------------------------------

def test_diagnostic_impression_refers_back(ex):
    text = ("Findings: Left lobe, middle third: solid hypoechoic nodule of 14 x 10 mm with punctate echogenic foci.\n"
            "Diagnostic impression: hypoechoic left nodule, ACR TI-RADS 5.")
    out = rows(ex, text)
    assert len(out) == 1
    assert out[0]["stated_category"] == "TR5"


@pytest.mark.parametrize("text, n", [
    ("Right lobe: in the upper third a solid node 16x12x10 mm, isoechoic, with smooth contours.", 1),
    ("Conclusion: a node of the right lobe of the thyroid gland, TI-RADS 3.", 1),
    ("Right level III: a 14 mm cystic-solid node with microcalcifications.", 0),
    ("Left neck: a rounded hypoechoic node with loss of the fatty hilum, 12 mm.", 0),
    ("A solid node in level IV, 11 mm.", 0),
])
def test_translated_node_names_a_thyroid_nodule_only_with_a_thyroid_word(ex, text, n):
    out = rows(ex, text)
    assert len(out) == n
    if n:
        assert out[0]["side"] == "right"


def test_translated_point_inclusions_are_punctate(ex):
    text = ("Left lobe: in the lower third a hypoechoic solid node 12x9x8 mm with multiple hyperechoic point inclusions "
            "(microcalcinates) without acoustic shadow.")
    out = rows(ex, text)
    assert [(r["echogenic_foci"], r["microcalcifications"], r["size_mm"]) for r in out] == [("punctate", "present", 12)]
