"""The fast matcher (word-start candidates, shared pre-check) finds exactly what plain regex.finditer finds."""
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.knowledge.resources import sample_dir
from extractor.knowledge.ruleset import load_ruleset
from extractor.nlp.matching import TextIndex, find_all, find_all_reference
from extractor.tools.synth import generate

RULESET = load_ruleset()
GROUPS = [RULESET.targets, RULESET.context, RULESET.sections, RULESET.report_kinds, *RULESET.attributes.values()]
TEXTS = [
    *pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)["text"],
    *generate(40, seed=9)["text"],
    "", "x", "RT. lobe: no micro-calcifications", "İstanbul ſmall \u212aelvin ﬁne ٣ cm calcification",
    "no\u00a0microcalcification; r/o PTC? FH thyroid ca.",
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_matches_on_reports(text):
    index = TextIndex(text)
    for rules in GROUPS:
        assert find_all(index, rules) == find_all_reference(text, rules)


WORDS = ["no", "micro", "calcification", "s", "-", " ", "\n", "Rt.", "lt", "LN", "ﬁ", "İ", "ſ", "echogenic", "foci",
         "comet", "tail", "r/o", "?", "diffuse", "cluster", "ed", "nodule", "without", "mass", "3", "mm", ".", ",",
         "history", "of", "K", "\u212a", "right", "left", "lobe", "isthmus", "colloid", "_", "é"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40).map("".join))
def test_same_matches_on_word_soup(text):
    index = TextIndex(text)
    for rules in GROUPS:
        assert find_all(index, rules) == find_all_reference(text, rules)


def _pathology_rule_groups():
    from dataclasses import fields

    from extractor.fields.pathology import PathologyAggregator

    aggregator = PathologyAggregator(RULESET)
    rules = aggregator.rules
    groups = [getattr(rules, f.name) for f in fields(rules)]
    return aggregator, [g for g in groups if isinstance(g, tuple) and g and hasattr(g[0], "regex")]


PATHOLOGY_AGGREGATOR, PATHOLOGY_GROUPS = _pathology_rule_groups()
PATHOLOGY_TEXTS = [
    *pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)["text"],
    *generate(40, seed=9)["text"],
    "", "pT1b pNO Mx; 0/3 LN; extrathyroidal, extension: N.A.", "İ ſ \u212a ﬁ: 1,2 x 0,8 cm nodule | Focality | Single |",
]


@pytest.mark.parametrize("text", PATHOLOGY_TEXTS)
def test_pathology_report_matches_as_plain_finditer(text):
    report = PATHOLOGY_AGGREGATOR.report(text)
    n = len(report.text)
    windows = [(0, n), (n // 3, n), (0, n // 2), (n // 4, 3 * n // 4)]
    for rules in PATHOLOGY_GROUPS:
        for rule in rules:
            for start, end in windows:
                expected = [(m.start(), m.end()) for m in rule.regex.finditer(report.text, start, end)]
                assert [(m.start(), m.end()) for m in report._finditer(rule, start, end)] == expected, rule.id
