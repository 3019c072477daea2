"""The fast matcher (word-start candidates, shared pre-check) finds exactly what plain regex.finditer finds."""
import re

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


def test_caseless_lead_characters_match_only_themselves():
    """A rule beginning with punctuation or Hangul is tried only where that character occurs: no other character may
    match it case-insensitively (checked against every code point)."""
    import re

    from extractor.nlp.matching import _CASELESS

    caseless = re.compile("(?i)[" + re.escape("".join(sorted(_CASELESS))) + "\uac00-\ud7a3]")
    others = [hex(c) for c in range(0x110000)
              if caseless.match(chr(c)) and not (chr(c) in _CASELESS or 0xAC00 <= c <= 0xD7A3)]
    assert others == []


def test_leads_begin_every_match():
    """Every match of every rule begins with one of the rule's leads (case folded as the regex folds it)."""
    import re

    from extractor.nlp.matching import leads

    for rules in [*GROUPS, *PATHOLOGY_GROUPS]:
        for rule in rules:
            found = leads(rule.regex)
            if found is None:
                continue
            starts = re.compile("|".join(re.escape(s) for s in sorted(found, key=len, reverse=True)), re.IGNORECASE)
            for text in TEXTS[:40]:
                for m in rule.regex.finditer(text):
                    assert starts.match(text, m.start()), (rule.id, m.group(0))


def test_leads_of_pattern_shapes():
    import re

    from extractor.nlp.matching import leads

    def of(pattern):
        return leads(re.compile(pattern, re.IGNORECASE))

    assert of(r"micro\s*calc") == {"micro", "microcalc"}  # "micro", then a space or not
    assert of(r"(?:(?<!\w)|(?!\w))(?:no|without)\b") == {"no", "without"}
    assert of(r"(past\s+)?history") == {"past", "history"}
    assert of(r"[:=]\s*none") == {":", "=", ":none", "=none"}
    assert of(r"\d+\s*mm") is None
    assert of(r"(a\s+)?") is None  # may match the empty string
    assert of(r"x?") is None
    assert of(r"(?:^|(?<=\n))dear") == {"dear"}
    assert of(r"(?:a|b)*c") is None or "" not in of(r"(?:a|b)*c")


HOSTILE_TEXTS = [
    "no " * 300 + "microcalcification",
    ";" * 500 + " no calcification; " * 50,
    "ſmall K İ ı nodule " * 40 + "NO MICROCALCIFICATIONS",
    "미세석회화 없음; 결절은 보이지 않음 (?) 우측 좌엽 " * 30,
    "right and left lobes: (-) none = (neg) ? vs. history of " * 30,
    "NoDuLe\u0130s micro\u017fcalc rt. lt. r/o FH: " * 30,
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_same_matches_on_hostile_text(text):
    index = TextIndex(text)
    for rules in GROUPS:
        assert find_all(index, rules) == find_all_reference(text, rules)


KOREAN_AND_MARKS = ["없음", "보이지 않음", "미세석회화", "결절", "우측", "좌엽", "(", ")", "(-)", ":", "=", "?", ";",
                    "vs.", "neg", "-ve", "\u0130", "\u0131", "ſ", "K"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + KOREAN_AND_MARKS), max_size=40).map("".join))
def test_same_matches_on_mixed_soup(text):
    index = TextIndex(text)
    for rules in GROUPS:
        assert find_all(index, rules) == find_all_reference(text, rules)


def test_sub_at_word_starts_as_plain_sub():
    from extractor.fields.nodules import ocr_split_re
    from extractor.nlp.matching import sub_at_word_starts

    regex = ocr_split_re(["nodule", "calcification", "isthmus", "hypoechoic"])
    repl = lambda m: m.group(0).replace(" ", "") + " "  # noqa: E731
    texts = [*TEXTS, *HOSTILE_TEXTS, "nod ule NOD ULE xnod ule nod ulex calc ification is thmus ſnod ule K nod ule",
             "hypo echoic nod ule; " * 200]
    for text in texts:
        assert sub_at_word_starts(regex, repl, text) == regex.sub(repl, text)
    unguarded = re.compile(r"nod ule", re.IGNORECASE)  # no start guard: plain sub
    assert sub_at_word_starts(unguarded, "x", "xnod ule") == "xx"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + ["nod", "ule", "ule ", " nod", "hypo", "echoic", "is", "thmus"]),
                max_size=40).map("".join))
def test_sub_at_word_starts_on_word_soup(text):
    from extractor.fields.nodules import ocr_split_re
    from extractor.nlp.matching import sub_at_word_starts

    regex = ocr_split_re(["nodule", "calcification", "isthmus", "hypoechoic", "microcalcification"])
    repl = lambda m: m.group(0).replace(" ", "") + " "  # noqa: E731
    assert sub_at_word_starts(regex, repl, text) == regex.sub(repl, text)


def test_best_matches_on_a_long_text_as_on_a_short_one():
    """best_matches indexes a text over 2,000 characters: the same hits as plain finditer over every rule."""
    import extractor.fields.nodule_parts as parts
    from extractor.fields.nodules import NoduleExtractor

    rules = NoduleExtractor(RULESET).rules
    long_texts = [" ".join(TEXTS[:30]), "no microcalcification, " * 300 + HOSTILE_TEXTS[2] + HOSTILE_TEXTS[5]]
    groups = [rules.side, rules.position, rules.categories, *rules.features.values()]
    for text in long_texts:
        assert len(text) > parts._INDEXED_CHARS
        for feature_rules in groups:
            fast = parts.best_matches(feature_rules, text, 7, "side", cell=True)
            limit, parts._INDEXED_CHARS = parts._INDEXED_CHARS, 10 ** 9
            try:
                plain = parts.best_matches(feature_rules, text, 7, "side", cell=True)
            finally:
                parts._INDEXED_CHARS = limit
            assert fast == plain


def test_best_matches_of_a_repeated_text_are_new_hits_at_their_offset():
    import extractor.fields.nodule_parts as parts
    from extractor.fields.nodules import NoduleExtractor

    rules = NoduleExtractor(RULESET).rules
    text = "Right lobe: 1.2 cm solid hypoechoic nodule with punctate echogenic foci, TR5; no comet tail."
    for name, feature_rules in [("category", rules.categories), *rules.features.items()]:
        parts._RESULTS.clear()
        first = parts.best_matches(feature_rules, text, 0, name)
        again = parts.best_matches(feature_rules, text, 100, name)
        assert [(h.start + 100, h.end + 100) for h in first] == [(h.start, h.end) for h in again]
        assert [(h.feature, h.value, h.rule, h.micro) for h in first] == [(h.feature, h.value, h.rule, h.micro)
                                                                         for h in again]
        assert all(a is not b for a, b in zip(first, parts.best_matches(feature_rules, text, 0, name)))
        parts._RESULTS.clear()
        assert parts.best_matches(feature_rules, text, 100, name) == again  # computed afresh: the same hits
