"""One test per row of patterns/precedence.tsv, plus the extent / clustering / laterality rules."""
import json
import re

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


PRECEDENCE_ROWS = load_ruleset().precedence
EXAMPLE = re.compile(r'"(?P<text>[^"]+)"\s*->\s*(?P<field>\w+)\s+(?P<value>\w+)$')


@pytest.mark.parametrize("row", PRECEDENCE_ROWS, ids=lambda r: f"{r.id} {r.get('value')}")
def test_precedence_row_example(us_fields, row):
    """One test per row of patterns/precedence.tsv: the row's own example sentence gives the row's value."""
    example = EXAMPLE.match(row.get("example"))
    assert example, f"{row.id}: example must read '\"sentence\" -> field value'"
    assert example["value"] == row.get("value")
    fields = us_fields(example["text"])
    assert fields[example["field"]] == row.get("value")
    evidence = json.loads(fields["evidence"])[example["field"]]
    assert evidence["rule"].startswith(f"precedence rank {row.get('rank')}")


@pytest.mark.parametrize(
    "mentions, expected",
    [
        # an affirmed mention wins over a negated one in another region
        ([m(0, "NODULE", "negated"), m(1, "NODULE", "affirmed")], "present"),
        # hedged, nothing affirmed
        ([m(0, "NODULE", "negated"), m(1, "NODULE", "uncertain")], "uncertain"),
        # only negations
        ([m(0, "NODULE", "negated")], "absent"),
        # nothing feeds the field (excluded mentions feed nothing)
        ([m(0, "NODULE", "excluded"), m(1, "PSEUDONODULE", "affirmed")], "not_mentioned"),
    ],
)
def test_precedence_on_mention_rows(aggregator, mentions, expected):
    value = aggregator.resolve("mass", mentions)
    rank = next(r.get("rank") for r in PRECEDENCE_ROWS if r.get("value") == expected)
    assert value.value == expected and value.rule.startswith(f"precedence rank {rank}")


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
