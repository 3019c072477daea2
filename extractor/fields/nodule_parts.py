"""Nodule building blocks (no spaCy): the hit / unit / nodule records, rule matching with overlap resolution,
how a unit's hits become feature values, identity (which earlier nodule a later description belongs to) and the
ACR TI-RADS arithmetic. Used by extractor.fields.nodules, which finds the units in a report."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Iterable, Mapping

from ..knowledge.nodule_rules import CATEGORY_FEATURES
from ..knowledge.rules import Rule
from ..nlp.matching import TextIndex, iter_matches

# DIR/nodules column order (CONTRACT.md "DIR/nodules"; additions appended, never renamed)
_LABEL_NUMBER = re.compile(r"(\d{1,2})|(?<=\s)([A-H])$|#\s*([A-H])$")
# one nodule described "solid" in one place and "predominantly solid" (mixed, ACR) in another: no contradiction
_NEAR_COMPOSITIONS = ({"mixed", "solid"}, {"mixed", "cystic"})
_INDEXED_CHARS = 2000  # best_matches over a longer text indexes its word starts (same matches as finditer)
_MARGIN_ORDER = ("smooth", "ill_defined", "lobulated_irregular", "extrathyroidal_extension")  # ACR points order


@dataclass
class Hit:
    feature: str
    value: str
    rule: str
    start: int
    end: int
    micro: str = ""
    keyed: bool = False
    soft: bool = False  # a size right after a lobe name, a questioned category ("TR4?"): used only when nothing firmer is stated


@dataclass
class Unit:
    start: int
    end: int
    rule: str
    section: str  # "findings" or "impression"
    layout: str
    label: str = ""
    definite: bool = False
    cyst: bool = False
    largest: bool = False
    hits: list[Hit] = field(default_factory=list)
    keyed_foci: bool = False
    sentence: tuple[int, int] = (0, 0)  # the sentence (or line) the unit stands in
    category_only: bool = False  # an IMPRESSION sentence naming no nodule but a category ("Conclusion: U2. Stable.")
    every: bool = False  # a statement about every nodule described ("neither nodule contains microcalcification")


@dataclass
class Nodule:
    unit: Unit
    values: dict[str, Hit] = field(default_factory=dict)
    foci: dict[str, Hit] = field(default_factory=dict)
    micro: Hit | None = None

    def get(self, name: str) -> str:
        hit = self.values.get(name)
        return hit.value if hit else ""


_PREPARED: dict[int, tuple] = {}


def _prepared(rules) -> tuple:
    """(regex, fragments, rule, value, scope, micro) per rule, and every rule's fragments (sorted), computed once
    per rule tuple."""
    key = id(rules)
    if key not in _PREPARED or _PREPARED[key][0] is not rules:
        items = tuple((r.regex, r.fragments, r, r.get("value") or r.get("normal"), r.get("scope"), r.get("micro"))
                      for r in rules)
        _PREPARED[key] = (rules, items, sorted({f for item in items if item[1] is not None for f in item[1]}))
    return _PREPARED[key][1:]


_RESULTS: dict[tuple, tuple] = {}  # best_matches of a short text, by rules, feature, cell and text
_RESULTS_MAX, _RESULTS_CHARS = 20_000, 1_000


def best_matches(rules: Iterable[Rule], text: str, offset: int, feature: str, *, cell: bool = False) -> list[Hit]:
    """Matches of ``rules`` in ``text``; where matches overlap the longer wins, then the rule listed first.

    A pure function of the rules, the feature, ``cell`` and the text (``offset`` only shifts the hits): the same
    short text (a clause repeated in a report or across reports) is matched once, each call gets new Hits."""
    if len(text) > _RESULTS_CHARS:
        found = _best_matches(rules, text, feature, cell)
    else:
        key = (id(rules), feature, cell, text)
        held = _RESULTS.get(key)
        if held is None or held[0] is not rules:
            if len(_RESULTS) >= _RESULTS_MAX:
                _RESULTS.clear()
            held = _RESULTS[key] = (rules, _best_matches(rules, text, feature, cell))
        found = held[1]
    return [Hit(feature, value, rule_id, offset + start, offset + end, micro=micro)
            for value, rule_id, start, end, micro in found]


def _best_matches(rules, text: str, feature: str, cell: bool) -> list[tuple]:
    """best_matches as (value, rule id, start, end, micro) in ``text``, in text order."""
    found = []
    items, fragments_of_all = _prepared(rules)
    index = TextIndex(text) if len(text) > _INDEXED_CHARS else None  # a long text: try rules where they can begin
    lowered = text.lower() if index is None else index.lowered
    present = {f for f in fragments_of_all if f in lowered}  # each fragment looked for once, not once per rule
    for order, (regex, fragments, rule, value, scope, micro) in enumerate(items):
        if (scope == "cell" and not cell) or (fragments is not None and fragments.isdisjoint(present)):
            continue
        for m in regex.finditer(text) if index is None else iter_matches(index, rule):
            if m.end() > m.start():
                found.append((m.start(), m.end(), order, rule, m, value, micro))
    if not found:
        return []
    found.sort(key=lambda f: (-(f[1] - f[0]), f[2], f[0]))
    taken = bytearray(len(text))  # characters of the matches kept: an overlap test per match, not per pair
    hits = []
    for start, end, _, rule, m, value, micro in found:
        if taken.find(1, start, end) >= 0:
            continue
        taken[start:end] = b"\x01" * (end - start)
        if feature == "category":
            value = _category(rule, m)
        hits.append((value, rule.id, start, end, micro))
    return sorted(hits, key=lambda h: h[2])


def _category(rule: Rule, m: re.Match) -> str:
    normal = rule.get("normal")
    if normal == "none":
        return "none"
    groups = {k: v for k, v in m.groupdict().items() if v}
    n = groups.get("n") or groups.get("n2") or ""
    w = re.sub(r"\s+", " ", (groups.get("w") or groups.get("w2") or "").lower())
    sep = re.sub(r"\s+", " ", groups.get("sep") or "")
    system = (groups.get("sys") or "")[:1].upper()  # {sys}: EU / K / C from "eu", "european", "korean", ...
    system = "EU" if system == "E" else system
    return (normal.replace("{sys}", system).replace("{n}", n.upper()).replace("{m}", (groups.get("m") or "").upper()).replace("{sep}", sep)
            .replace("{w}", w).replace("{text}", re.sub(r"\s+", " ", m.group(0))))



def resolve_unit(unit: Unit) -> Nodule:
    """One unit's hits as feature values: keyed cells first, then text order; see the module docstring."""
    nodule = Nodule(unit)
    by = {}
    for hit in sorted(unit.hits, key=lambda h: (not h.keyed, h.soft, h.start)):
        if hit.value in {"none", "skip"} and hit.feature not in {"echogenic_foci"}:
            continue
        if hit.feature == "echogenic_foci":
            if hit.micro:
                rank = {"present": 0, "uncertain": 1, "absent": 2}[hit.micro]
                if nodule.micro is None or rank < {"present": 0, "uncertain": 1, "absent": 2}[nodule.micro.micro]:
                    nodule.micro = hit
            if hit.value not in {"skip"}:
                nodule.foci.setdefault(hit.value, hit)
            continue
        if hit.feature == "category" and hit.value == "none":
            continue
        if hit.feature == "margin" and "margin" in by:
            if _MARGIN_ORDER.index(hit.value) > _MARGIN_ORDER.index(by["margin"].value):
                by["margin"] = hit
            continue
        if hit.feature == "composition" and hit.value == "spongiform" and "composition" in by:
            by["composition"] = hit  # "predominantly cystic, spongiform": spongiform decides (ACR)
            continue
        by.setdefault(hit.feature, hit)
    if "composition" not in by and unit.cyst:
        by["composition"] = Hit("composition", "cystic", unit.rule, unit.start, unit.end)
    present = nodule.micro if nodule.micro is not None and nodule.micro.micro == "present" else None
    # the hedge of the description itself: prose, or the same template answer ("Foci = 2 tiny bright foci,
    # questionable punctate foci vs artifact")
    hedged = [h for h in unit.hits if h.feature == "echogenic_foci" and h.micro == "uncertain"
              and present is not None and h.keyed == present.keyed and (not h.keyed or abs(h.start - present.start) < 80)]
    if hedged:
        # "tiny bright foci, ? microcalcifications": the description's own hedge decides, no punctate value
        nodule.micro = hedged[0]
        nodule.foci.pop("punctate", None)
    if len(nodule.foci) > 1:
        nodule.foci.pop("none", None)
    if "punctate" in nodule.foci and (nodule.micro is None or nodule.micro.micro != "present"):
        nodule.micro = Hit("microcalcifications", "present", nodule.foci["punctate"].rule,
                           nodule.foci["punctate"].start, nodule.foci["punctate"].end, micro="present")
    if nodule.micro is None and unit.keyed_foci and nodule.foci:
        first = next(iter(nodule.foci.values()))
        nodule.micro = Hit("microcalcifications", "absent", first.rule, first.start, first.end, micro="absent")
    nodule.values = by
    return nodule



def match_nodule(c: Nodule, nodules: list[Nodule], *, correction: bool = False) -> Nodule | None:
    """The earlier nodule a referring description ``c`` belongs to, or None (see the module docstring).
    ``correction``: ``c`` corrects a nodule (an addendum), so its side and position may differ from the first
    description's when only one nodule agrees on the rest."""
    if not nodules:
        return None
    key = label_key(c.unit.label)
    if key:
        same = [n for n in nodules if label_key(n.unit.label) == key]
        if same:
            return same[0]
        if (c.unit.section == "impression" and key.isdigit() and not any(n.unit.label for n in nodules)
                and 1 <= int(key) <= len(nodules)):
            by_order = nodules[int(key) - 1]  # "Nodule 2: TR1" after unnumbered findings: the second one
            if all(not (c.get(f) and by_order.get(f) and c.get(f) != by_order.get(f)) for f in ("side", "position")):
                return by_order
    found = _match_by_features(c, nodules, key)
    if found is None and correction:
        # a correction of the place ("is located at the UPPER pole, not the lower"): the one nodule that agrees
        # on everything else
        return _match_by_features(c, nodules, key, places=False, single=True)
    return found


def _match_by_features(c: Nodule, nodules: list[Nodule], key: str, *, places: bool = True,
                       single: bool = False) -> Nodule | None:
    names = ("side", "position", "composition") if places else ("composition",)
    mine = {name: c.get(name) for name in ("side", "position", "size", "composition")}  # read once, not per nodule
    compatible = []
    for n in nodules:
        if key and label_key(n.unit.label) and label_key(n.unit.label) != key:
            continue
        ok = True
        theirs = n.values
        for name in names:
            a, b = mine[name], theirs.get(name)
            b = b.value if b else ""
            if a and b and a != b and not (name == "composition" and {a, b} in _NEAR_COMPOSITIONS):
                ok = False
        sa, sb = mine["size"], theirs.get("size")
        sb = sb.value if sb else ""
        if sa and sb and abs(float(sa) - float(sb)) > max(2.0, 0.2 * max(float(sa), float(sb))):
            ok = False
        if ok:
            compatible.append(n)
    if not compatible or (single and len(compatible) > 1):
        return None
    if c.unit.largest or re.search(r"dominant|largest|index", c.unit.label, re.I) or len(compatible) == 1:
        if len(compatible) > 1:
            return max(compatible, key=lambda n: float(n.get("size") or 0))
        return compatible[0]

    order = {id(n): k for k, n in enumerate(nodules)}  # each nodule's place, found once: not compared field by field

    def score(n: Nodule) -> tuple:
        same = sum(1 for name, a in mine.items() if a and a == n.get(name))
        return (same, order[id(n)] if c.unit.section == "findings" else -order[id(n)])

    best = max(compatible, key=score)
    if c.unit.section == "findings" and score(best)[0] == 0 and not c.unit.definite and (
            c.get("size") or c.foci or any(c.get(f) for f in CATEGORY_FEATURES[:4])):
        return None
    return best



def tirads_points(table: Mapping, row: Mapping) -> tuple[int | None, list[str]]:
    """ACR TI-RADS points of a nodule row and the points.tsv rows used; None unless all five are stated
    (a spongiform nodule scores 0 whatever else is stated)."""
    if row.get("composition") == "spongiform":
        return 0, [table[("composition", "spongiform")][1]]
    foci = [f for f in str(row.get("echogenic_foci") or "").split(";") if f]
    values = [row.get(name) for name in ("composition", "echogenicity", "shape", "margin")]
    if not foci or any(not v or v == "unspecified" for v in values):
        return None, []
    used = [table[(name, v)] for name, v in zip(("composition", "echogenicity", "shape", "margin"), values)]
    used += [table[("echogenic_foci", f)] for f in foci]
    return sum(p for p, _ in used), [r for _, r in used]




_SIDE_LABEL = re.compile(r"(?:^|[\s#(])(?-i:([RL]))\s?(\d{1,2})$")  # "R1", "Nodule L2": the side letter is part of the name


def label_key(label: str) -> str:
    if not label:
        return ""
    sided = _SIDE_LABEL.search(label.strip())
    if sided:
        return sided.group(1) + (sided.group(2).lstrip("0") or "0")
    number = _LABEL_NUMBER.search(label.strip())
    if number:
        value = next(g for g in number.groups() if g)
        return value.lstrip("0") or "0" if value.isdigit() else value
    return ""


def merge_into(target: Nodule, other: Nodule, *, correct: bool = False) -> None:
    """Fill ``target``'s gaps from a later description of the same nodule. ``correct``: the later description is
    an addendum / correction, so what it states replaces what the first one said (contract "Amended reports").
    A later margin of a higher ACR category (extrathyroidal extension after "irregular") is kept: both describe
    the nodule, and the graver finding decides its category."""
    if correct:
        target.values.update(other.values)
        if other.foci:
            target.foci = dict(other.foci)
            if "punctate" not in other.foci and target.micro is not None and target.micro.micro == "present" \
                    and (other.micro is None or other.micro.micro != "present"):
                target.micro = other.micro  # the punctate foci were corrected away
        if other.micro is not None:
            target.micro = other.micro
        return
    for name, hit in other.values.items():
        if name == "margin" and name in target.values and hit.value in _MARGIN_ORDER \
                and target.values[name].value in _MARGIN_ORDER \
                and _MARGIN_ORDER.index(hit.value) > _MARGIN_ORDER.index(target.values[name].value):
            target.values[name] = hit
            continue
        if name == "category" and name in target.values and target.values[name].soft and not hit.soft:
            target.values[name] = hit  # "TR4?" in the findings, "TR5" in the impression
            continue
        target.values.setdefault(name, hit)
    if not target.foci:
        hedged = target.micro is not None and target.micro.micro == "uncertain"
        target.foci = {v: h for v, h in other.foci.items() if not (hedged and v == "punctate")}
    # a later "present" outranks a first "absent" (a template's implied absence), not a first description's hedge
    if target.micro is None or (other.micro is not None and other.micro.micro == "present"
                                and target.micro.micro not in {"present", "uncertain"}):
        target.micro = other.micro if other.micro is not None else target.micro
    if not target.unit.label and other.unit.label:
        target.unit.label = other.unit.label


def mention_ids(mentions, start: int, end: int) -> list[int]:
    """The ``mention_index`` of each mention overlapping [start, end) (an empty range: the character at start), in
    the mentions' order. ``mentions``: mention rows, or a :class:`MentionSpans` of them (a report's many nodule
    fields then each look up a few mentions instead of scanning all)."""
    if isinstance(mentions, MentionSpans):
        return mentions.ids(start, end)
    return [int(m["mention_index"]) for m in mentions
            if int(m["start_char"]) < max(end, start + 1) and int(m["end_char"]) > start]


class MentionSpans:
    """A report's mention rows by position, for :func:`mention_ids` by bisection."""

    def __init__(self, mentions):
        rows = [(int(m["start_char"]), int(m["end_char"]), int(m["mention_index"]), k) for k, m in enumerate(mentions)]
        rows.sort()
        self.rows = rows
        self.starts = [r[0] for r in rows]
        self.reach = list(accumulate((r[1] for r in rows), max))  # the furthest end up to each mention

    def ids(self, start: int, end: int) -> list[int]:
        first, stop = bisect_right(self.reach, start), bisect_left(self.starts, max(end, start + 1))
        found = sorted((k, index) for _, e, index, k in self.rows[first:stop] if e > start)
        return [index for _, index in found]
