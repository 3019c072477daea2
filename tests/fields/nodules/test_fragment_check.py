"""The nodule feature rules' fragment pre-check (each fragment looked for once per text) answers as the loop it
replaced."""
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.fields.nodule_parts import _prepared, best_matches
from extractor.knowledge.nodule_rules import load_nodule_rules
from extractor.knowledge.resources import patterns_dir

RULES = load_nodule_rules(patterns_dir(None) / "nodules")
FRAGMENT_SETS = sorted({r.fragments for r in [*RULES.anchors, *(r for rs in RULES.features.values() for r in rs)]
                        if r.fragments is not None}, key=sorted)
PIECES = sorted({f for fs in FRAGMENT_SETS for f in fs}) + [" ", "x", ".", "(", "*", "\\", "é"]


def test_every_fragment_of_every_rule_is_looked_for():
    for rules in RULES.features.values():
        items, fragments_of_all = _prepared(rules)
        for (_, fragments, rule, *_rest) in items:
            assert fragments == rule.fragments
            assert fragments is None or set(fragments) <= set(fragments_of_all)


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
