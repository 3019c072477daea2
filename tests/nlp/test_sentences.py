import pytest


def sentences(nlp, text):
    return [s.text.strip() for s in nlp(text).sents if s.text.strip()]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rt. lobe 4.1 cm. Lt. lobe 3.9 cm.", ["Rt. lobe 4.1 cm.", "Lt. lobe 3.9 cm."]),
        ("FINDINGS\nNo nodule\nNo calcification", ["FINDINGS", "No nodule", "No calcification"]),
        ("- diffuse heterogeneous echotexture\n- no focal lesion", ["- diffuse heterogeneous echotexture", "- no focal lesion"]),
        ("There are scattered\nmicrocalcifications in the left lobe.", ["There are scattered\nmicrocalcifications in the left lobe."]),
        ("IMPRESSION: Benign appearing gland", ["IMPRESSION:", "Benign appearing gland"]),
        ("Nodule 1:\nLocation: right upper pole\nEchogenic foci: none", ["Nodule 1:", "Location: right upper pole", "Echogenic foci: none"]),
    ],
)
def test_sentence_boundaries(nlp, text, expected):
    assert sentences(nlp, text) == expected
