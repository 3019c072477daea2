"""Regex matching of rules over a text, with overlap resolution (shared by the target and cue finders)."""
from __future__ import annotations

import bisect
import re
import re._constants as sre_constants
import re._parser as sre_parse
import weakref
from collections import defaultdict
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
    through a case-insensitive pattern behind a look-behind guard.

    A rule whose every match begins with one of a few known strings (``leads``, below) is tried only at the word
    starts whose first two or three characters (ASCII, lower-cased) begin one of them, and at the places of a lead
    character that has no case (punctuation, Hangul); see :meth:`candidates`."""

    __slots__ = ("text", "lowered", "_present", "_by_char", "_other", "_starts", "_by3", "_by2", "_odd",
                 "_odd_keys", "_chars", "__weakref__")

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.lower()
        self._present: dict[str, bool] = {}
        self._by_char: dict[str, list[int]] | None = None
        self._other: list[int] = []  # word starts with a non-ASCII first character: tried by every rule
        self._starts: dict = {}  # candidate places by first-character set or by _Lead
        self._by3: dict[str, list[int]] | None = None  # word starts by their first 3 characters
        self._by2: dict[str, list[int]] | None = None  # and by their first 2
        self._odd: list[int] = []  # word starts whose first 3 characters are not all ASCII: tried by every rule
        self._odd_keys: dict[str, list[int]] = {}
        self._chars: dict[str, list[int]] = {}  # places of one caseless character

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

    def _scan(self) -> None:
        """Word starts by their first 3 characters (lower-cased when ASCII; fewer at the end of the text), once
        per text; the lookups by 2 characters and by first character are derived from these on demand."""
        text = self.text
        starts = [m.start() for m in _WORD_START.finditer(text)]
        if text.isascii():
            lowered = self.lowered  # same length and offsets as the text
            keys = [lowered[p:p + 3] for p in starts]
        else:
            keys = [k.lower() if k.isascii() else k for k in [text[p:p + 3] for p in starts]]
        by3: dict[str, list[int]] = defaultdict(list)
        for position, key in zip(starts, keys):
            by3[key].append(position)
        self._by3 = by3
        if not text.isascii():  # words whose first 3 characters are not all ASCII: tried by every keyed rule
            self._odd_keys = {k: by3.pop(k) for k in [k for k in by3 if not k.isascii()]}
            self._odd = sorted(p for group in self._odd_keys.values() for p in group)

    def _derive_by_char(self) -> None:
        if self._by3 is None:
            self._scan()
        by_char: dict[str, list[int]] = defaultdict(list)
        for key, group in self._by3.items():
            by_char[key[0]].extend(group)
        other = self._other
        for key, group in self._odd_keys.items():  # first character ASCII (lower-cased) or not (every rule)
            if key[0].isascii():
                by_char[key[0].lower()].extend(group)
            else:
                other.extend(group)
        for group in by_char.values():
            group.sort()
        other.sort()
        self._by_char = by_char

    def _derive_by2(self) -> dict[str, list[int]]:
        by2 = self._by2
        if by2 is None:
            by2 = defaultdict(list)
            for key, group in self._by3.items():
                by2[key[:2]].extend(group)
            for group in by2.values():
                group.sort()
            self._by2 = by2
        return by2

    def starts(self, first: frozenset) -> list[int]:
        """Word starts (character offsets, ascending) where a rule beginning with ``first`` may match."""
        found = self._starts.get(first)
        if found is None:
            if self._by_char is None:
                self._derive_by_char()
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

    def candidates(self, lead: "_Lead") -> list[int]:
        """Places (ascending) where a rule with this lead may begin a match: a superset of where it does."""
        found = self._starts.get(lead)
        if found is None:
            groups = []
            if lead.keys:
                if self._by3 is None:
                    self._scan()
                by3 = self._by3
                for k in lead.keys:
                    group = by3.get(k) if len(k) == 3 else self._derive_by2().get(k)
                    if group:
                        groups.append(group)
                if self._odd:
                    groups.append(self._odd)
            if lead.firsts:
                groups.append(self.starts(lead.firsts))
            for c in lead.chars:
                places = self._chars.get(c)
                if places is None:
                    text, places, i = self.text, [], self.text.find(c)
                    while i >= 0:
                        places.append(i)
                        i = text.find(c, i + 1)
                    self._chars[c] = places
                if places:
                    groups.append(places)
            if not groups:
                found = []
            elif len(groups) == 1:
                found = groups[0]
            else:
                found = sorted({p for group in groups for p in group})
            self._starts[lead] = found
        return found

    def finditer(self, rule: Rule) -> Iterable[tuple[int, int]]:
        """(start, end) of every non-empty match of ``rule.regex``, as ``finditer`` would find them."""
        regex = rule.regex
        lead = rule_lead(rule)
        if lead is None:
            for m in regex.finditer(self.text):
                if m.end() > m.start():
                    yield m.start(), m.end()
            return
        text, match, resume = self.text, regex.match, 0
        for position in self.candidates(lead):
            if position < resume:
                continue
            m = match(text, position)
            if m is not None:
                resume = m.end()
                yield position, resume


def iter_matches(index: TextIndex, rule: Rule) -> Iterable["re.Match"]:
    """The non-empty matches of ``rule.regex.finditer(index.text)`` (match objects), tried only where the rule
    can begin (see TextIndex)."""
    lead = rule_lead(rule)
    regex, text = rule.regex, index.text
    if lead is None:
        for m in regex.finditer(text):
            if m.end() > m.start():
                yield m
        return
    match, resume = regex.match, 0
    for position in index.candidates(lead):
        if position >= resume:
            m = match(text, position)
            if m is not None:
                resume = m.end()
                yield m


_GUARDED: dict[int, tuple["re.Pattern", "_Lead | None"]] = {}
_GUARDS = ("(?<![\\w])", "(?<!\\w)")


def sub_at_word_starts(regex: "re.Pattern", repl, text: str) -> str:
    """``regex.sub(repl, text)`` for a regex that begins with a ``(?<!\\w)`` guard, tried only where it can begin
    (word starts by their first characters, see TextIndex); any other regex is plain ``regex.sub``."""
    held = _GUARDED.get(id(regex))
    if held is None or held[0] is not regex:
        lead = None
        if regex.pattern.startswith(_GUARDS):  # a match beginning with a word character begins a word
            found = leads(regex)
            lead = _lead_from(found) if found else None
        held = _GUARDED[id(regex)] = (regex, lead)
    lead = held[1]
    if lead is None:
        return regex.sub(repl, text)
    index, pieces, last, resume, match = TextIndex(text), [], 0, 0, regex.match
    for position in index.candidates(lead):
        if position >= resume:
            m = match(text, position)
            if m is not None:
                pieces.append(text[last:position])
                pieces.append(repl(m) if callable(repl) else m.expand(repl))
                last = resume = m.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def doc_index(doc) -> TextIndex:
    """The TextIndex of a Doc's text, built once per Doc (``doc.text`` joins every token, so it is not free)."""
    index = _INDEXES.get(doc)
    if index is None:
        index = _INDEXES[doc] = TextIndex(doc.text)
    return index


def doc_text(doc) -> str:
    return doc_index(doc).text


_MAX_LEADS = 64
# characters that no other character matches case-insensitively (tests/run/test_matching_equivalence.py checks this
# against every code point): a rule beginning with one is tried only where it occurs
_CASELESS = frozenset(chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) != "_")
_ASCII_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _caseless(c: str) -> bool:
    return c in _CASELESS or "\uac00" <= c <= "\ud7a3"  # ASCII punctuation and space; Hangul syllables


def leads(regex: "re.Pattern") -> frozenset[str] | None:
    """Strings one of which begins every match of ``regex`` (as written in the pattern, case not folded), or None
    when that is not certain (a match may begin with a class, an optional part or something else unknown)."""
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags & ~re.UNICODE)
    except re.error:  # pragma: no cover - the pattern compiled
        return None
    if parsed.getwidth()[0] < 1:
        return None
    found, _ = _leads(list(parsed))
    if not found or "" in found:
        return None
    return frozenset(found)


def _leads(items) -> tuple[set[str], bool]:
    """(strings one of which begins every match of the sequence, whether each is a whole match of it)."""
    out = {""}
    for i, (op, av) in enumerate(items):
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT, sre_constants.AT):
            continue  # zero width: the regex still checks it where it is tried
        if op is sre_constants.LITERAL:
            out = {s + chr(av) for s in out}
            continue
        if op is sre_constants.SUBPATTERN:
            sub, whole = _leads(list(av[-1]))
        elif op is sre_constants.BRANCH:
            parts = [_leads(list(branch)) for branch in av[1]]
            sub = set().union(*(p[0] for p in parts))
            whole = all(p[1] for p in parts)
        elif op is sre_constants.IN and all(o is sre_constants.LITERAL for o, _ in av) and len(av) <= 16:
            sub, whole = {chr(a) for _, a in av}, True
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            sub, whole = _leads(list(av[2]))[0], False
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):  # optional: it, or what follows it
            sub, whole = _leads(list(av[2]))[0] | _leads(items[i + 1:])[0], False
        else:
            return out, False
        if len(out) * len(sub) > _MAX_LEADS:  # too many: keep shorter leads (still a prefix of every match)
            for width in (3, 2, 1):
                sub, whole = {t[:width] for t in sub}, False
                if len(out) * len(sub) <= _MAX_LEADS:
                    break
            else:
                return out, False
        out = {s + t for s in out for t in sub}
        if not whole:
            return out, False
    return out, True


class _Lead:
    """Where a rule is tried: word starts by 2- or 3-character key (``keys``) or by first character (``firsts``),
    and the places of caseless characters (``chars``). Hashed by identity: one per rule."""

    __slots__ = ("keys", "firsts", "chars")

    def __init__(self, keys: tuple[str, ...], firsts: frozenset, chars: tuple[str, ...]):
        self.keys, self.firsts, self.chars = keys, firsts, chars

    def __repr__(self) -> str:
        return f"_Lead(keys={self.keys}, firsts={set(self.firsts)}, chars={self.chars})"


def _lead_of(rule: Rule) -> "_Lead | None":
    found = leads(rule.regex)
    lead = None if found is None else _lead_from(found)
    if lead is None:
        first = rule.first_chars
        return None if first is None else _Lead((), first, ())
    return lead


def _lead_from(found: frozenset[str]) -> "_Lead | None":
    keys, firsts, chars = set(), set(), set()
    for s in found:
        c = s[0]
        if c in _ASCII_WORD_CHARS:  # a match beginning with a word character begins a word (the start guard)
            ascii_part = ""
            for ch in s[:3]:
                if not ch.isascii():
                    break
                ascii_part += ch.lower()
            if len(ascii_part) >= 2:
                keys.add(ascii_part)
            else:
                firsts.add(ascii_part)
        elif _caseless(c):
            chars.add(c)
        else:
            return None
    # a 3-character key under a 2-character key of the same rule is already among that key's places
    keys = {k for k in keys if not (len(k) == 3 and k[:2] in keys)}
    if firsts:  # keep the lists disjoint: words under a first character are all tried
        keys = {k for k in keys if k[0] not in firsts}
    return _Lead(tuple(sorted(keys)), frozenset(firsts), tuple(sorted(chars)))


_LEADS: dict[int, tuple[Rule, "_Lead | None"]] = {}


def rule_lead(rule: Rule) -> "_Lead | None":
    """The rule's _Lead (computed once per rule), or None: try the rule everywhere (plain ``finditer``)."""
    held = _LEADS.get(id(rule))
    if held is None or held[0] is not rule:
        held = _LEADS[id(rule)] = (rule, _lead_of(rule))
    return held[1]


class _Plan:
    """A rule list prepared for matching: each rule's pre-check fragments, where it is tried, and regex."""

    def __init__(self, rules: Sequence[Rule]):
        self.rules = rules  # kept so that the id() this plan is cached under stays this list's
        self.items = [(order, rule, rule.fragments, rule_lead(rule), rule.regex) for order, rule in enumerate(rules)]
        # every pre-check fragment of the list, each looked for once per text (a rule is skipped when none of its
        # own fragments is among those present: Rule.may_match)
        self.fragments = sorted({f for item in self.items if item[2] is not None for f in item[2]})


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
    lowered = index.lowered
    present = {f for f in plan.fragments if f in lowered}
    found = []
    text = index.text
    candidates = index.candidates
    for order, rule, fragments, lead, regex in plan.items:
        if fragments is not None and fragments.isdisjoint(present):
            continue
        if lead is None:
            for m in regex.finditer(text):
                if m.end() > m.start():
                    found.append(Match(m.start(), m.end(), rule, order))
            continue
        match, resume = regex.match, 0
        for position in candidates(lead):
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
