import pytest

from extractor.knowledge.ruleset import load_ruleset
from extractor.nlp.sections import BODY, SectionFinder, section_at


@pytest.fixture(scope="module")
def finder():
    return SectionFinder(load_ruleset().sections)


@pytest.mark.parametrize(
    "text, phrase, section",
    [
        ("CLINICAL HISTORY: thyroid nodule\nFINDINGS: normal gland", "thyroid nodule", "clinical_history"),
        ("CLINICAL HISTORY: thyroid nodule\nFINDINGS: normal gland", "normal gland", "findings"),
        ("RIGHT LOBE:\n4.5 x 1.5 cm\nLEFT LOBE:\n4.0 x 1.4 cm", "4.0 x 1.4", "left_lobe"),
        ("Nodule 2:\nLocation: left mid\nEchogenic foci: punctate", "punctate", "nodule"),
        ("Lymph nodes: no abnormal cervical nodes", "no abnormal", "lymph_nodes"),
        ("Indication - goitre\nReport\nNo focal lesion.", "No focal lesion", "findings"),
        ("Comparison: 2019-03-01 ultrasound", "2019", "comparison"),
        ("The findings are discussed below without headers.", "discussed", BODY),
        ("Isthmus measures 3 mm. IMPRESSION: normal.", "normal.", "impression"),
    ],
)
def test_section_of_phrase(finder, text, phrase, section):
    sections = finder.find(text)
    assert section_at(sections, text.index(phrase)).name == section


def test_prose_word_is_not_a_header(finder):
    text = "Findings of thyroiditis are present in both lobes."
    assert [s.name for s in finder.find(text)] == [BODY]


@pytest.mark.parametrize("name, current", [("clinical_history", False), ("comparison", False), ("findings", True)])
def test_section_describes_current_exam(finder, name, current):
    header = {"clinical_history": "HISTORY:", "comparison": "COMPARISON:", "findings": "FINDINGS:"}[name]
    (section,) = [s for s in finder.find(f"{header} text") if s.name == name]
    assert section.current is current
