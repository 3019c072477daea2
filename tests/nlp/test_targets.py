import pytest

from extractor.nlp.extensions import MENTIONS_KEY


@pytest.mark.parametrize(
    "text, label, mention",
    [
        ("Multiple microcalcifications are noted.", "MICROCALCIFICATION", "microcalcifications"),
        ("scattered micro-calcifications", "MICROCALCIFICATION", "micro-calcifications"),
        ("a few microcalcs", "MICROCALCIFICATION", "microcalcs"),
        ("Several punctate echogenic foci.", "MICROCALCIFICATION", "punctate echogenic foci"),
        ("minute echogenic foci in the lobe", "MICROCALCIFICATION", "minute echogenic foci"),
        ("fine calcifications throughout", "MICROCALCIFICATION", "fine calcifications"),
        ("a snowstorm appearance of the gland", "MICROCALCIFICATION", "snowstorm appearance"),
        ("stippled calcification along the lobe", "MICROCALCIFICATION", "stippled calcification"),
        ("punctate echogenic foci with a small comet tail in the solid part", "MICROCALCIFICATION",
         "punctate echogenic foci with a small comet tail"),
        ("Echogenic foci: punctate", "MICROCALCIFICATION", "Echogenic foci: punctate"),
        ("echogenic foci with comet-tail artifact in the cystic part", "COMET_TAIL_ARTIFACT",
         "echogenic foci with comet-tail artifact"),
        ("inspissated colloid", "COMET_TAIL_ARTIFACT", "inspissated colloid"),
        ("coarse calcification in the nodule", "MACROCALCIFICATION", "coarse calcification"),
        ("eggshell calcification of the nodule", "RIM_CALCIFICATION", "eggshell calcification"),
        ("echogenic septa in keeping with thyroiditis", "ECHOGENIC_SEPTA", "echogenic septa"),
        ("calcifications are not seen", "CALCIFICATION_UNSPECIFIED", "calcifications"),
        ("a 12 mm solid nodule", "NODULE", "nodule"),
        ("no focal lesion", "NODULE", "lesion"),
        ("micronodular echotexture", "PSEUDONODULE", "micronodular echotexture"),
        ("a focal hypoechoic area around the foci", "FOCAL_ECHOGENICITY_CHANGE", "focal hypoechoic area"),
        ("diffusely hypoechoic parenchyma", "DIFFUSE_PARENCHYMAL_CHANGE", "diffusely hypoechoic parenchyma"),
    ],
)
def test_target_forms(mentions_of, text, label, mention):
    assert (label, mention) in [(lab, t) for lab, t, _ in mentions_of(text)]


@pytest.mark.parametrize(
    "text, not_label",
    [
        ("micronodular echotexture", "NODULE"),
        ("pseudonodules of thyroiditis", "NODULE"),
        ("coarse calcification", "MICROCALCIFICATION"),
        ("echogenic foci with comet-tail artefact", "MICROCALCIFICATION"),
        ("punctate flow on Doppler", "MICROCALCIFICATION"),
        ("level IV lymph nodes", "NODULE"),
        ("no mass effect on the trachea", "NODULE"),
    ],
)
def test_look_alikes_are_not_the_finding(mentions_of, text, not_label):
    assert not_label not in [lab for lab, _, _ in mentions_of(text)]


def test_offsets_slice_to_mention_text(nlp):
    text = "RIGHT LOBE: scattered micro-calcifications.\nLEFT LOBE: 8 mm cyst, no calcification."
    doc = nlp(text)
    for span in doc.spans[MENTIONS_KEY]:
        assert text[span.start_char:span.end_char] == span.text
