"""Regex matching of rules over a text, with overlap resolution (shared by the target and cue finders)."""
from __future__ import annotations

import bisect
import re
import weakref
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..knowledge.rules import Rule

_WORD_START = re.compile(r"(?<!\w)\w")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    rule: Rule
    order: int  # position of the rule in its rule list: the earlier rule wins a tie in length


class TextIndex:
    """Lookups shared by every rule pass over one text: its lower-cased form, which pre-check fragments occur in
    it, and where words start (by lower-cased first character).

    A rule whose matches must begin with a known ASCII word character (``Rule.first_chars``) is tried only at the
    word starts beginning with one of them (and at words beginning with a non-ASCII character, whose case folding
    is left to the regex engine); anywhere else its start guard or its first character fails. This gives exactly
    the matches of ``regex.finditer`` at a fraction of the cost, since the engine cannot skip ahead by itself
    through a case-insensitive pattern behind a look-behind guard."""

    __slots__ = ("text", "lowered", "_present", "_by_char", "_other", "_starts", "__weakref__")

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.lower()
        self._present: dict[str, bool] = {}
        self._by_char: dict[str, list[int]] | None = None
        self._other: list[int] = []  # word starts with a non-ASCII first character: tried by every rule
        self._starts: dict[frozenset, list[int]] = {}

    def may_match(self, rule: Rule) -> bool:
        """Rule.may_match with each fragment looked up once per text."""
        fragments = rule.fragments
        if fragments is None:
            return True
        present = self._present
        for fragment in fragments:
            hit = present.get(fragment)
            if hit is None:
                hit = present[fragment] = fragment in self.lowered
            if hit:
                return True
        return False

    def starts(self, first: frozenset) -> list[int]:
        """Word starts (character offsets, ascending) where a rule beginning with ``first`` may match."""
        found = self._starts.get(first)
        if found is None:
            if self._by_char is None:
                by_char: dict[str, list[int]] = {}
                text = self.text
                for m in _WORD_START.finditer(text):
                    c = text[m.start()]
                    if c.isascii():
                        by_char.setdefault(c.lower(), []).append(m.start())
                    else:
                        self._other.append(m.start())
                self._by_char = by_char
            by_char = self._by_char
            lists = [by_char[c] for c in first if c in by_char]
            if self._other:
                lists.append(self._other)
            if len(lists) == 1:
                found = lists[0]
            else:
                found = [p for group in lists for p in group]
                found.sort()
            self._starts[first] = found
        return found

    def finditer(self, rule: Rule) -> Iterable[tuple[int, int]]:
        """(start, end) of every non-empty match of ``rule.regex``, as ``finditer`` would find them."""
        regex = rule.regex
        first = rule.first_chars
        if first is None:
            for m in regex.finditer(self.text):
                if m.end() > m.start():
                    yield m.start(), m.end()
            return
        text, match, resume = self.text, regex.match, 0
        for position in self.starts(first):
            if position < resume:
                continue
            m = match(text, position)
            if m is not None:
                resume = m.end()
                yield position, resume


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def doc_index(doc) -> TextIndex:
    """The TextIndex of a Doc's text, built once per Doc (``doc.text`` joins every token, so it is not free)."""
    index = _INDEXES.get(doc)
    if index is None:
        index = _INDEXES[doc] = TextIndex(doc.text)
    return index


def doc_text(doc) -> str:
    return doc_index(doc).text


class _Plan:
    """A rule list prepared for matching: each rule's pre-check fragments, first characters and regex."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = rules  # kept so that the id() this plan is cached under stays this list's
        self.items = [(order, rule, rule.fragments, rule.first_chars, rule.regex) for order, rule in enumerate(rules)]


_PLANS: dict[int, _Plan] = {}


def _plan(rules: Sequence[Rule]) -> _Plan:
    plan = _PLANS.get(id(rules))
    if plan is None or plan.rules is not rules:
        plan = _Plan(rules)
        if isinstance(rules, tuple):  # rule sets are tuples held for the pipeline's life; lists may be temporary
            _PLANS[id(rules)] = plan
    return plan


def find_all(text: "str | TextIndex", rules: Sequence[Rule]) -> list[Match]:
    """Every match of every rule (overlaps included), exactly as each rule's ``regex.finditer`` finds them."""
    index = text if isinstance(text, TextIndex) else TextIndex(text)
    plan = _plan(rules)
    may_match = index.may_match
    found = []
    text = index.text
    for order, rule, fragments, first, regex in plan.items:
        if fragments is not None and not may_match(rule):
            continue
        if first is None:
            for m in regex.finditer(text):
                if m.end() > m.start():
                    found.append(Match(m.start(), m.end(), rule, order))
            continue
        match, resume = regex.match, 0
        for position in index.starts(first):
            if position >= resume:
                m = match(text, position)
                if m is not None:
                    resume = m.end()
                    found.append(Match(position, resume, rule, order))
    return found


def find_all_reference(text: str, rules: Sequence[Rule]) -> list[Match]:
    """find_all as plainly as possible (every rule's regex.finditer over the text); tests hold find_all to it."""
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
    """Keep non-overlapping matches, the longer match winning (then the earlier rule); result in text order.

    Linear in the matched characters (a per-character "taken" map), so a very long report stays fast."""
    matches = sorted(matches, key=lambda m: (-(m.end - m.start), m.order, m.start))
    if not matches:
        return []
    taken = bytearray(max(m.end for m in matches))
    kept: list[Match] = []
    for m in matches:
        if any(taken[m.start:m.end]):
            continue
        kept.append(m)
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    return sorted(kept, key=lambda m: m.start)


def overlaps_any(start: int, end: int, intervals: Sequence[tuple[int, int]], starts: Sequence[int]) -> bool:
    """Whether [start, end) overlaps one of ``intervals`` (non-overlapping, sorted; ``starts`` their starts)."""
    i = bisect.bisect_left(starts, end) - 1
    return i >= 0 and intervals[i][1] > start
