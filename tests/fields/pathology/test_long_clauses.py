"""Pathology look-ups on a report with thousands of hits and clauses stay linear: the clause of a position is found
by bisection (the same bounds as scanning every clause end), and the family-history check runs once per clause
window, not once per hit (a 55,000-character run-on report took seconds)."""
import random
from dataclasses import dataclass

from extractor.run.api import Extractor

RUN_ON = ", ".join(["papillary carcinoma in the right lobe", "no family history of thyroid cancer",
                    "benign follicular nodule"] * 400) + "."


def _scan_clause(bounds, start, end=None):  # the scan this replaced
    end = start if end is None else end
    lo, hi = 0, None
    for b in bounds:
        if b < start:
            lo = b + 1
        elif b >= end:
            hi = b
            break
    return lo, hi


def test_clause_bounds_are_those_of_a_scan():
    report = Extractor().pathology.report(RUN_ON + "\nFinal diagnosis: benign; see comment. " * 3)
    bounds = report._clause_bounds
    rng = random.Random(0)
    for _ in range(2000):
        start = rng.randrange(len(report.text))
        end = start + rng.randrange(0, 80)
        lo, hi = _scan_clause(bounds, start, end)
        assert report.clause(start, end) == (lo, len(report.text) if hi is None else hi)


@dataclass
class _Counting:
    id: str
    pattern: object
    calls: list
    rule: object = None  # the rule counted: its pre-check fragments and first characters

    @property
    def regex(self):
        self.calls.append(1)
        return self.pattern

    @property
    def fragments(self):
        return self.rule.fragments

    @property
    def first_chars(self):
        return self.rule.first_chars


def test_family_history_is_checked_once_per_clause_window():
    report = Extractor().pathology.report(RUN_ON)
    calls: list = []
    family_rules = [_Counting(rule.id, rule.regex, calls, rule) for rule in report.rules.family]
    report.rules = type("Rules", (), {"family": family_rules})()
    hits = [(m, m + 10) for m in range(0, len(report.text) - 10, 7)]
    answers = [report.family(start, end) for start, end in hits]
    assert len(hits) > 5000 and any(answers)
    windows = {(min(report.clause(s, e)[0], report.line(s)[0]), report.clause(s, e)[1]) for s, e in hits}
    assert len(calls) <= (len(windows) + 1) * len(family_rules)  # once per window, and once where the rule can begin
