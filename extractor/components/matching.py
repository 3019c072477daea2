"""Regex matching of rules over a text, with overlap resolution (shared by the target and cue finders)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..rules import Rule


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    rule: Rule
    order: int  # position of the rule in its rule list: the earlier rule wins a tie in length


def find_all(text: str, rules: Sequence[Rule]) -> list[Match]:
    """Every match of every rule (overlaps included)."""
    found = []
    lowered = text.lower()
    for order, rule in enumerate(rules):
        if not rule.may_match(lowered):
            continue
        for m in rule.regex.finditer(text):
            if m.end() > m.start():
                found.append(Match(m.start(), m.end(), rule, order))
    return found


def longest_first(matches: Iterable[Match]) -> list[Match]:
    """Keep non-overlapping matches, the longer match winning (then the earlier rule); result in text order."""
    kept: list[Match] = []
    taken: list[tuple[int, int]] = []
    for m in sorted(matches, key=lambda m: (-(m.end - m.start), m.order, m.start)):
        if any(m.start < e and s < m.end for s, e in taken):
            continue
        kept.append(m)
        taken.append((m.start, m.end))
    return sorted(kept, key=lambda m: m.start)
