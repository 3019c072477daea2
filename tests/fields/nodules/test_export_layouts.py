"""Nodule layouts of the batch-5 reading (issue 17): an XML or JSON export of a structured report, and a bilingual
report in language-tagged paragraphs. Each is read through a same-length view (offsets unchanged) as the template
or the English text it holds; tested in wording and markup of our own, with texts the views must leave alone."""
import pytest

from extractor.fields.nodule_views import json_view, markup_view, translation_view
from extractor.fields.nodules import NoduleExtractor
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def ex():
    return NoduleExtractor(load_ruleset(None))


def rows(ex, text):
    return ex.rows({"report_id": "T1", "patient_id": "P1", "text": text})


FIELDS = ("nodule_label", "side", "position", "size_mm", "composition", "echogenicity", "shape", "margin",
          "echogenic_foci", "microcalcifications", "tirads_points", "stated_category")


def picked(out):
    return [tuple(r[f] for f in FIELDS) for r in out]


XML = """<?xml version="1.0"?>
<UltrasoundExport vendor="Acme">
  <Patient><Age>51</Age></Patient>
  <Thyroid>
    <LeftLobe length_mm="47" echotexture="coarse"/>
    <Lesions total="2">
      <Lesion number="1">
        <Place side="left" third="lower"/>
        <Diameter unit="cm">1.8x1.2x1.1</Diameter>
        <Composition>solid</Composition>
        <Echogenicity>hypoechoic</Echogenicity>
        <Orientation>taller-than-wide</Orientation>
        <Margin>lobulated</Margin>
        <EchogenicFoci>punctate</EchogenicFoci>
        <Category points="9">TR5</Category>
      </Lesion>
      <Lesion number="2">
        <Place side="right" pole="upper"/>
        <Diameter unit="mm">6x5x4</Diameter>
        <Composition>cystic</Composition>
        <EchogenicFoci>none</EchogenicFoci>
      </Lesion>
    </Lesions>
  </Thyroid>
  <Conclusion>Left lower TR5 nodule of 18 mm: FNA. Small right upper cyst.</Conclusion>
</UltrasoundExport>"""


def test_xml_export_is_read_as_its_template(ex):
    assert len(markup_view(XML)) == len(XML)
    assert picked(rows(ex, XML)) == [
        ("Lesion 1", "left", "lower", 18, "solid", "hypoechoic", "taller_than_wide", "lobulated_irregular", "punctate",
         "present", 12, "TR5"),
        ("Lesion 2", "right", "upper", 6, "cystic", "unspecified", "unspecified", "unspecified", "none", "absent",
         None, ""),
    ]


def test_prose_with_angle_brackets_is_left_alone():
    text = "Right lobe: nodule <10 mm, solid. Left lobe: cyst > 5 mm."
    assert markup_view(text) == text


JSON = """{"study": "NECK US", "reason": "a lump in the neck",
 "lobes": {"right": {"dims_cm": [4.6, 1.5, 1.4], "nodules": []},
   "left": {"dims_cm": [4.4, 1.6, 1.3],
     "nodules": [{"id": 1, "size_mm": [22, 15, 14], "composition": "mixed", "echogenicity": "isoechoic",
                  "shape": "wider-than-tall", "margin": "smooth", "echogenic_foci": ["comet tail"]},
                 {"id": 2, "size_mm": [5, 4, 4], "composition": "cystic"}]}},
 "conclusion": "Left mixed nodule 22 mm, TR2. Small left cyst."}"""


def test_json_export_is_read_as_labelled_blocks(ex):
    assert len(json_view(JSON)) == len(JSON)
    out = picked(rows(ex, JSON))
    # (the side of a nodule comes from its own keys or the conclusion, not yet from the lobe object around it)
    assert [r[:5] for r in out] == [("Nodule 1", "left", "unspecified", 22, "mixed"),
                                    ("Nodule 2", "unspecified", "unspecified", 5, "cystic")]
    assert out[0][5:9] == ("isoechoic", "wider_than_tall", "smooth", "comet_tail")


def test_prose_quoting_a_key_is_left_alone():
    text = 'Findings: the form says "size": see below. Right lobe: 12 mm solid nodule.'
    assert json_view(text) == text


BILINGUAL = """Findings / Résultats:
 DE: Rechter Lappen: echoarmer solider Knoten, 1,4 cm, glatt begrenzt,
     ohne Verkalkungen.
 EN: Right lobe, mid third: solid hypoechoic nodule, 1.4 x 1.0 x 0.9 cm, smooth margin,
     no calcifications.
 DE: Linker Lappen unauffällig.
 EN: Left lobe unremarkable.
Impression: Right nodule TI-RADS 4."""


def test_bilingual_report_is_read_in_english_only(ex):
    view = translation_view(BILINGUAL)
    assert len(view) == len(BILINGUAL) and "Knoten" not in view and "Right lobe, mid third" in view
    assert picked(rows(ex, BILINGUAL)) == [
        ("", "right", "mid", 14, "solid", "hypoechoic", "unspecified", "smooth", "none", "absent", None, "TR4")]


@pytest.mark.parametrize("text", [
    "FR: Nodule droit de 12 mm.\nImpression: nodule droit.",            # one language only: nothing to drop
    "EN: Right lobe 12 mm nodule.\nPT: see attached.\nNo other finding.",
])
def test_translation_view_needs_two_tagged_languages(text):
    view = translation_view(text)
    assert len(view) == len(text)
    if text.startswith("FR"):
        assert view == text
    else:
        assert "Right lobe 12 mm nodule" in view and "see attached" not in view
