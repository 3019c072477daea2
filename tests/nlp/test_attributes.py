import pytest

from extractor.nlp.extensions import MENTIONS_KEY


def micro_attributes(nlp, text):
    doc = nlp(text)
    (span,) = [s for s in doc.spans[MENTIONS_KEY] if s.label_ == "MICROCALCIFICATION"]
    return {k: (v.value if v else "") for k, v in span._.radpath_attributes.items()}


@pytest.mark.parametrize(
    "text, attribute, value",
    [
        ("Innumerable microcalcifications throughout the left lobe.", "extent", "diffuse"),
        ("A solid nodule with microcalcifications in the right lobe.", "extent", "localized"),
        ("Diffuse microcalcifications with a dense cluster in the upper pole.", "extent", "diffuse"),
        ("Microcalcifications confined to the lower pole of the right lobe.", "extent", "localized"),
        ("Aggregated microcalcifications in the right lobe.", "clustering", "clustered"),
        ("Microcalcifications grouped in the mid left lobe.", "clustering", "clustered"),
        ("Scattered microcalcifications in the right lobe.", "clustering", ""),
        ("Microcalcifications in both lobes.", "laterality", "bilateral"),
        ("Microcalcifications in the isthmus.", "laterality", "isthmus"),
        ("Lt. lobe with microcalcifications.", "laterality", "left"),
        ("Microcalcifications in a right level III lymph node.", "organ", "lymph_node"),
        ("Microcalcifications throughout the thyroid gland.", "organ", "thyroid"),
    ],
)
def test_attribute_cues(nlp, text, attribute, value):
    assert micro_attributes(nlp, text)[attribute] == value


def test_laterality_from_section_header(nlp):
    assert micro_attributes(nlp, "LEFT LOBE:\nScattered microcalcifications.")["laterality"] == "left"


def test_laterality_from_nodule_block_location_line(nlp):
    text = "Nodule 1:\nLocation: right lower pole\nComposition: solid\nEchogenic foci: punctate echogenic foci"
    assert micro_attributes(nlp, text)["laterality"] == "right"


def test_lymph_node_section_makes_node_mentions(nlp):
    assert micro_attributes(nlp, "LYMPH NODES:\nA round node with microcalcifications.")["organ"] == "lymph_node"


def test_cue_inside_another_concept_is_not_a_cue(nlp):
    # "diffuse" belongs to "diffuse thyroid disease", not to the microcalcifications
    text = "Diffuse thyroid disease. A nodule with microcalcifications in the right lobe."
    assert micro_attributes(nlp, text)["extent"] == "localized"
