"""The nodule feature rules' fragment pre-check (one compiled search per rule) answers as the loop it replaced."""
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.fields.nodule_parts import _fragment_check, _prepared, best_matches
from extractor.knowledge.nodule_rules import load_nodule_rules
from extractor.knowledge.resources import patterns_dir

RULES = load_nodule_rules(patterns_dir(None) / "nodules")
FRAGMENT_SETS = sorted({r.fragments for r in [*RULES.anchors, *(r for rs in RULES.features.values() for r in rs)]
                        if r.fragments is not None}, key=sorted)
PIECES = sorted({f for fs in FRAGMENT_SETS for f in fs}) + [" ", "x", ".", "(", "*", "\\", "é"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), st.sampled_from(FRAGMENT_SETS))
def test_compiled_check_equals_any_substring(text, fragments):
    assert (_fragment_check(fragments)(text) is not None) == any(f in text for f in fragments)


def test_no_fragments_means_no_check():
    assert _fragment_check(None) is None


def test_every_feature_rule_has_its_check():
    for rules in RULES.features.values():
        for (_, check, rule, *_rest) in _prepared(rules):
            assert (check is None) == (rule.fragments is None)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=15).map(" ".join))
def test_best_matches_equal_every_rules_finditer(text):
    """best_matches still finds what each rule's own finditer finds (pre-check or not), longest first."""
    for feature, rules in RULES.features.items():
        plain = [(m.start(), m.end(), order) for order, r in enumerate(rules) for m in r.regex.finditer(text)
                 if m.end() > m.start() and r.get("scope") != "cell"]
        got = best_matches(rules, text, 0, feature)
        assert {(h.start, h.end) for h in got} <= {(s, e) for s, e, _ in plain}
        assert bool(got) == bool(plain)
