import pytest


@pytest.mark.parametrize(
    "text, token",
    [
        ("scattered micro-calcifications in the right lobe", "micro-calcifications"),
        ("a 1.2cm nodule", "1.2cm"),
        ("Rt. lobe measures 4 cm", "Rt."),
        ("ill-defined hypoechoic area", "ill-defined"),
    ],
)
def test_keeps_clinical_tokens_whole(nlp, text, token):
    assert token in [t.text for t in nlp.make_doc(text)]
