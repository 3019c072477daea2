"""Nodule failure classes found by reading the blind batches' misses (issue 17), each fixed as a general rule and
tested here in wording that appears in no corpus, with cases that must not fire."""
import pytest

from extractor.nodules import NoduleExtractor
from extractor.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


def brief(out):
    return [(r["side"], r["position"], r["size_mm"], r["composition"]) for r in out]


# -- sections: HL7 segments, "KEY = value" headers, mid-paragraph impressions, comments -----------------------

def test_hl7_segments_keep_their_history_and_impression_sections(ex):
    text = ("MSH|^~\\&|RAD|WARD7\n"
            "OBX|1|TX|^NOTE|1|REASON: lump in the left lobe on palpation||||||F\n"
            "OBX|2|TX|^NOTE|2|Left lobe, lower pole: 13 mm solid isoechoic nodule, wider than tall.||||||F\n"
            "OBX|3|TX|^NOTE|3|IMPRESSION: left lower nodule 13 mm, TR3.||||||F")
    out = rows(ex, text)
    assert brief(out) == [("left", "lower", 13.0, "solid")]
    assert out[0]["stated_category"] == "TR3"


def test_hl7_note_segments(ex):
    out = rows(ex, "NTE|1||Right lobe: 21 mm mixed nodule.\nNTE|2||CONCLUSION: right nodule, 21 mm.")
    assert brief(out) == [("right", "unspecified", 21.0, "mixed")]


def test_equals_headers_are_sections(ex):
    text = ("REASON = neck nodule noted by the GP\n"
            "RIGHT LOBE = 17 mm solid hypoechoic nodule, mid third\n"
            "IMPRESSION = 17 mm right nodule, TR4")
    out = rows(ex, text)
    assert brief(out) == [("right", "mid", 17.0, "solid")]
    assert out[0]["stated_category"] == "TR4"
    # "=" inside a line is not a header
    out = rows(ex, "Right lobe: 9 mm cyst. Points = 0, which is TR1.\nLeft lobe: 12 mm solid nodule.")
    assert [r["side"] for r in out] == ["right", "left"]


def test_impression_inside_a_paragraph_refers_back(ex):
    text = ("The left lobe holds a 14 mm solid hypoechoic nodule at the upper pole. Impression: left upper pole "
            "nodule, 14 mm, TR4.")
    out = rows(ex, text)
    assert brief(out) == [("left", "upper", 14.0, "solid")]
    assert out[0]["stated_category"] == "TR4"
    # the word inside a sentence is not a header
    out = rows(ex, "Right 8 mm solid nodule gives the impression of a halo. Left 15 mm cystic nodule.")
    assert [r["side"] for r in out] == ["right", "left"]


def test_comment_section_refers_back(ex):
    text = ("Findings:\nRight lobe: 19 mm solid isoechoic nodule, lower pole.\n"
            "Comments:\nRight 19 mm nodule, meets the size criterion for FNA.")
    out = rows(ex, text)
    assert brief(out) == [("right", "lower", 19.0, "solid")]
    # a comment naming another nodule still gives it a row
    text = ("Findings:\nRight lobe: 19 mm solid isoechoic nodule, lower pole.\n"
            "Comment: also a 6 mm cyst in the left lobe.")
    assert [r["side"] for r in rows(ex, text)] == ["right", "left"]


def test_stated_side_beats_the_section_side(ex):
    text = "LEFT LOBE: 4.4 cm.\nNodule 1 = right lower pole, 11 mm, solid, smooth"
    assert brief(rows(ex, text)) == [("right", "lower", 11.0, "solid")]



# -- identity: a heading line and the feature lines under it are one nodule ------------------------------------

def test_heading_line_and_its_feature_lines_are_one_nodule(ex):
    text = ("Isthmus: 2.9 mm.\n"
            "Left mid-third nodule [A]:\n"
            "  * Measures: 1.7 x 1.1 x 0.9 cm\n"
            "  * Composition: solid\n"
            "  * Margin: microlobulated\n"
            "  * Echogenicity: hypoechoic")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["side"], out[0]["position"], out[0]["size_mm"], out[0]["margin"]) == (
        "left", "mid", 17.0, "lobulated_irregular")
    # feature lines that name their own place describe another nodule
    text = ("Right lobe: 5 mm cyst.\n"
            "  Location: left lower pole\n"
            "  Size: 12 mm\n"
            "  Composition: solid")
    assert [r["side"] for r in rows(ex, text)] == ["right", "left"]


def test_label_followed_by_a_long_dash_opens_a_block(ex):
    text = ("Nodule 2 — right lobe, upper: 7 x 6 x 6 mm.\n"
            "  Composition: spongiform\n"
            "  Echogenic foci: none")
    out = rows(ex, text)
    assert len(out) == 1
    assert (out[0]["nodule_label"], out[0]["side"], out[0]["composition"], out[0]["tirads_level"]) == (
        "Nodule 2", "right", "spongiform", "TR1")
