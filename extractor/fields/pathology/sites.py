"""fna_site (cytology) and tumor_site (surgical pathology with carcinoma): the sampled / resected side, from the
cues in patterns/pathology/sites.tsv (contract v1.1; linking reads these report columns).

Values: ``right``, ``left``, ``isthmus``, ``bilateral``, ``unspecified``. Lines that quote the history (``skip_line``)
never give the side.

- Cytology: the side cues of the first line that has any (the specimen / target line comes first); when that line
  is a labelled part ("A.", "1)"), the side cues of the other labelled part lines join it (several targets).
- Surgical pathology, first step that finds a side wins (sentences about lymph nodes are skipped):
  1. the union of side cues in sentences (or ";" clauses) that name the carcinoma or tumour, except those that deny
     it ("no carcinoma", "no separate tumour focus", "not counted as carcinoma": ``tumour_denied``);
  2. the side of a one-sided resection (lobectomy, hemithyroidectomy, isthmusectomy) on a specimen / procedure
     line, unless the line also says total;
  3. the union of side cues in sentences naming a nodule / mass / lesion without a negation (gross).

Right + left (or a ``bilateral`` cue) -> bilateral; one lobe with the isthmus -> that lobe.
"""
from __future__ import annotations

import re

from ...knowledge.pathology_rules import SITE_ROLES as ROLES
from ...knowledge.resources import patterns_dir
from ...knowledge.rules import Rule, read_rule_file

SITES = ("right", "left", "isthmus", "bilateral", "unspecified")
SIDE_ROLES = ("right", "left", "isthmus", "bilateral")
UNSPECIFIED = "unspecified"
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+|\n")


class SiteCues:
    """The site rules grouped by role."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.by_role: dict[str, tuple[Rule, ...]] = {role: tuple(r for r in rules if r.get("value") == role)
                                                     for role in ROLES}

    def search(self, role: str, text: str, base: int = 0) -> list[tuple[Rule, int]]:
        """(rule, absolute offset) of every rule of ``role`` that matches ``text`` (first match per rule)."""
        found = []
        for rule in self.by_role[role]:
            m = rule.regex.search(text)
            if m:
                found.append((rule, base + m.start()))
        return found

    def sides(self, text: str, base: int) -> dict[str, str]:
        """side -> ref of the first cue for it in ``text``."""
        out = {}
        for side in SIDE_ROLES:
            hits = self.search(side, text, base)
            if hits:
                rule, pos = min(hits, key=lambda h: h[1])
                out[side] = f"{rule.id}@{pos}"
        return out


def combine(found) -> str:
    if not found:
        return UNSPECIFIED
    if "bilateral" in found or {"right", "left"} <= set(found):
        return "bilateral"
    for side in ("right", "left"):
        if side in found:
            return side  # one lobe, with or without the isthmus
    return "isthmus"


def _lines(cues: SiteCues, text: str):
    for m in re.finditer(r"[^\n]+", text):
        if not cues.search("skip_line", m.group(0)):
            yield m.start(), m.group(0)


def _refs(found: dict[str, str]) -> str:
    return ",".join(found.values())


_PART_LABEL = re.compile(r"[ \t]*(?:[A-H]|\d{1,2})[.)][ \t]+\S")


def fna_site(cues: SiteCues, text: str) -> tuple[str, str]:
    """(site, rule refs or a miss reason) of a cytology report: the first line with a side cue, joined by the side
    cues of every labelled part line ("A. Right ... FNA" / "B. Left ... FNA": several targets)."""
    found: dict[str, str] = {}
    for start, line in _lines(cues, text):
        sides = cues.sides(line, start)
        if not sides:
            continue
        if not found:
            found = sides
            first_is_part = bool(_PART_LABEL.match(line))
            if not first_is_part:
                break
        elif _PART_LABEL.match(line):
            found = {**sides, **found}
    if found:
        return combine(found), _refs(found)
    return UNSPECIFIED, "miss:no_side_stated"


def tumor_site(cues: SiteCues, text: str) -> tuple[str, str]:
    """(site, rule refs or a miss reason) of a surgical pathology report with carcinoma."""
    lines = list(_lines(cues, text))
    sentences = []
    for start, line in lines:
        pos = 0
        for part in _SENTENCE_SPLIT.split(line):
            offset = line.find(part, pos)
            pos = offset + len(part)
            if not cues.search("node_sentence", part):
                sentences.append((start + offset, part))
    found: dict[str, str] = {}
    for start, sentence in sentences:
        if cues.search("tumour_sentence", sentence) and not cues.search("tumour_denied", sentence):
            found = {**cues.sides(sentence, start), **found}
    if found:
        return combine(found), _refs(found)
    for start, line in lines:
        if cues.search("specimen_line", line) or cues.search("one_sided_specimen", line):
            sides = cues.sides(line, start)
            side = combine(sides)
            if side not in (UNSPECIFIED, "bilateral") and not cues.search("total_resection", line):
                return side, _refs(sides)
    for start, sentence in sentences:
        if cues.search("lesion_sentence", sentence) and not cues.search("negation", sentence):
            found = {**cues.sides(sentence, start), **found}
    if found:
        return combine(found), _refs(found)
    return UNSPECIFIED, "miss:no_side_stated"


_DEFAULT: list[SiteCues] = []


def site_from_text(text: str, kind: str) -> str:
    """The side of one report with the shipped rules, ``unknown`` when unstated (the patients table's vocabulary);
    for reports tables written before the site columns existed."""
    if not _DEFAULT:
        rules = read_rule_file(patterns_dir() / "pathology" / "sites.tsv", required=["value"], choices={"value": set(ROLES)})
        _DEFAULT.append(SiteCues(tuple(rules)))
    value, _ = (fna_site if kind == "cytology" else tumor_site)(_DEFAULT[0], text)
    return "unknown" if value == UNSPECIFIED else value
