"""One test per row of patterns/precedence.tsv, plus the extent / clustering / laterality rules."""
import pytest

from extractor.fields.ultrasound import (
    UltrasoundAggregator,
    clustered_of,
    extent_of,
    laterality_of,
)
from extractor.knowledge.ruleset import load_ruleset


@pytest.fixture(scope="module")
def aggregator():
    return UltrasoundAggregator(load_ruleset())


def m(i, label, status, **attrs):
    return {"mention_index": i, "label": label, "status": status, **attrs}


@pytest.mark.parametrize(
    "mentions, expected",
    [
        # rank 1: an affirmed mention wins over a negated one in another region
        ([m(0, "NODULE", "negated"), m(1, "NODULE", "affirmed")], "present"),
        # rank 2: hedged, nothing affirmed
        ([m(0, "NODULE", "negated"), m(1, "NODULE", "uncertain")], "uncertain"),
        # rank 3: only negations
        ([m(0, "NODULE", "negated")], "absent"),
        # rank 4: nothing feeds the field (excluded mentions feed nothing)
        ([m(0, "NODULE", "excluded"), m(1, "PSEUDONODULE", "affirmed")], "not_mentioned"),
    ],
)
def test_precedence_rows(aggregator, mentions, expected):
    assert aggregator.resolve("mass", mentions).value == expected


def test_unqualified_calcification_negation_covers_microcalcifications(aggregator):
    assert aggregator.resolve("microcalcifications", [m(0, "CALCIFICATION_UNSPECIFIED", "negated")]).value == "absent"


def test_affirmed_unqualified_calcification_is_not_a_microcalcification(aggregator):
    value = aggregator.resolve("microcalcifications", [m(0, "CALCIFICATION_UNSPECIFIED", "affirmed")])
    assert value.value == "not_mentioned"


def test_macrocalcification_negation_does_not_negate_micro(aggregator):
    value = aggregator.resolve(
        "microcalcifications", [m(0, "MACROCALCIFICATION", "negated"), m(1, "MICROCALCIFICATION", "affirmed")]
    )
    assert value.value == "present" and value.evidence == [1]


def test_extent_diffuse_outranks_localized():
    assert extent_of([m(0, "X", "affirmed", extent="localized"), m(1, "X", "affirmed", extent="diffuse")]).value == "diffuse"


def test_clustered_when_any_mention_clusters():
    assert clustered_of([m(0, "X", "affirmed", clustering=""), m(1, "X", "affirmed", clustering="clustered")]).value == "true"


@pytest.mark.parametrize(
    "sides, expected",
    [(["right", "left"], "bilateral"), (["isthmus"], "isthmus"), (["right", "isthmus"], "right"), ([""], "unspecified"),
     (["bilateral"], "bilateral")],
)
def test_laterality(sides, expected):
    assert laterality_of([m(i, "X", "affirmed", laterality=s) for i, s in enumerate(sides)]).value == expected


def test_details_empty_unless_present_or_uncertain(aggregator):
    out = aggregator.aggregate([m(0, "MICROCALCIFICATION", "negated")])
    assert out["microcalcifications"].value == "absent"
    assert out["microcalcification_extent"].value == ""
