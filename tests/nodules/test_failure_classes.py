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

