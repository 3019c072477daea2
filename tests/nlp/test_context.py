"""ConText rules (patterns/context/) on thyroid ultrasound wording, through the whole pipeline.

Each case is (sentence, target, expected modifier categories of the target mention). ``target`` is a phrase of the
sentence; the mention checked is the one overlapping its first occurrence, so "solid nodule" picks the second of
two nodules. Synthetic sentences only.
"""
import pytest

from extractor.nlp.extensions import MENTIONS_KEY
from extractor.nlp.pipeline import cached_nlp
from extractor.nlp.status import modifier_categories

NONE: frozenset = frozenset()
NEG = frozenset({"NEGATED"})
UNC = frozenset({"UNCERTAIN"})
HIS = frozenset({"HISTORICAL"})
HYP = frozenset({"HYPOTHETICAL"})
FAM = frozenset({"FAMILY"})


@pytest.fixture(scope="module")
def nlp():
    return cached_nlp()


def mention_at(nlp, sentence: str, target: str):
    doc = nlp(sentence)
    start = sentence.lower().index(target.lower())
    end = start + len(target)
    hits = [s for s in doc.spans[MENTIONS_KEY] if s.start_char < end and start < s.end_char]
    assert hits, f"no target mention overlaps {target!r} in {sentence!r}"
    return hits[0]


def categories(nlp, sentence: str, target: str) -> frozenset:
    return frozenset(modifier_categories(mention_at(nlp, sentence, target)))


NEGATION = [
    ("There is no nodule in either lobe.", "nodule", NEG),
    ("Scattered microcalcifications without a solid mass.", "mass", NEG),
    ("Scattered microcalcifications without a solid mass.", "microcalcifications", NONE),
    ("Microcalcifications are not identified.", "Microcalcifications", NEG),
    ("Calcifications: none.", "Calcifications", NEG),
    ("Echogenic foci - absent", "Echogenic foci", NEG),
    ("Nodule: none identified.", "Nodule", NEG),
    ("No nodules or calcifications in the left lobe.", "nodules", NEG),
    ("No nodules or calcifications in the left lobe.", "calcifications", NEG),
    ("Neither nodules nor calcifications are seen.", "calcifications", NEG),
    ("Negative for microcalcifications.", "microcalcifications", NEG),
    ("The isthmus is free of nodules.", "nodules", NEG),
    ("Right lobe: no focal lesion.", "lesion", NEG),
    ("The gland does not contain any calcification.", "calcification", NEG),
    ("The spongiform nodule was not seen today.", "nodule", NEG),
]

PSEUDO = [
    ("No interval change in the right lobe nodule.", "nodule", NONE),
    ("No significant change in the size of the nodule.", "nodule", NONE),
    ("The nodule is stable without interval change.", "nodule", frozenset({"CURRENT"})),  # stable: this exam
    ("Several echogenic foci without posterior acoustic shadowing.", "echogenic foci", NONE),
    ("Nonshadowing echogenic foci in the nodule.", "echogenic foci", NONE),
    ("The microcalcifications have not been biopsied.", "microcalcifications", NONE),
    ("Left TR3 nodule, 1.4 cm: no follow-up needed.", "nodule", NONE),
    ("Nodule with microcalcifications, examined with and without contrast.", "microcalcifications", NONE),
]

TERMINATION = [
    ("No discrete nodule; punctate microcalcifications throughout.", "nodule", NEG),
    ("No discrete nodule; punctate microcalcifications throughout.", "microcalcifications", NONE),
    ("No nodule on the right, but a solid nodule with microcalcifications on the left.", "nodule on", NEG),
    ("No nodule on the right, but a solid nodule with microcalcifications on the left.", "solid nodule", NONE),
    ("No nodule on the right, but a solid nodule with microcalcifications on the left.", "microcalcifications", NONE),
    ("There is no mass, although coarse calcifications are noted.", "calcifications", NONE),
    ("Right lobe: solid nodule with bright echoes; microcalcifications cannot be excluded.", "solid nodule", NONE),
]

UNCERTAINTY = [
    ("A few echogenic foci, possibly microcalcifications.", "echogenic foci", UNC),
    ("A few echogenic foci, possibly microcalcifications.", "microcalcifications", UNC),
    ("Microcalcifications cannot be ruled out.", "Microcalcifications", UNC),
    ("Microcalcifications cannot be confidently excluded.", "Microcalcifications", UNC),
    ("These bright dots may represent microcalcifications.", "microcalcifications", UNC),
    ("Questionable microcalcification in the left lobe.", "microcalcification", UNC),
    ("Small bright foci, probably microcalcifications.", "microcalcifications", UNC),
]

HISTORY = [
    ("Microcalcifications were noted on the previous examination.", "Microcalcifications", HIS),
    ("History of a thyroid nodule.", "nodule", HIS),
    ("The previously described microcalcifications are no longer visualized.", "microcalcifications", HIS | NEG),
    ("The previously reported nodule has resolved.", "nodule", HIS | NEG),
]

HYPOTHESIS = [
    ("If microcalcifications are seen at follow-up, FNA is advised.", "microcalcifications", HYP),
    ("Repeat ultrasound in 12 months to assess for microcalcifications.", "microcalcifications", HYP),
]

FAMILY = [
    ("Her mother had a nodule with microcalcifications.", "nodule", FAM),
    ("Family history of thyroid nodules.", "nodules", FAM),
]


@pytest.mark.parametrize(
    "sentence, target, expected",
    NEGATION + PSEUDO + TERMINATION + UNCERTAINTY + HISTORY + HYPOTHESIS + FAMILY,
)
def test_context_categories(nlp, sentence, target, expected):
    assert categories(nlp, sentence, target) == expected


@pytest.mark.parametrize(
    "sentence, target, status",
    [
        ("No nodules or calcifications.", "calcifications", "negated"),
        ("Microcalcifications cannot be excluded.", "Microcalcifications", "uncertain"),
        ("The previously noted microcalcifications are no longer seen.", "microcalcifications", "negated"),
        ("Her sister has a thyroid nodule.", "nodule", "excluded"),
        ("If microcalcifications develop, FNA is recommended.", "microcalcifications", "excluded"),
        ("Echogenic foci without posterior acoustic shadowing.", "Echogenic foci", "affirmed"),
    ],
)
def test_status_from_context(nlp, sentence, target, status):
    assert mention_at(nlp, sentence, target)._.radpath_status == status
