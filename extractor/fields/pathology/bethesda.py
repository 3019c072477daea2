"""Cytology: the Bethesda category from names, numbers (with their system word) and interpretations.

Decision table (first row that applies wins; each row takes the first hit in the best-ranked section):

1. a category *name* (2017 or 2023, abbreviations; bethesda_names.tsv strength=name), not negated
2. a *number* next to its system word (Bethesda / TBSRTC; bethesda_numbers.tsv kind=system), then a UK Thy /
   Italian TIR category (kind=local_system: a Bethesda statement wins, contract v1.1)
3. a diagnosis line that is only a numeral (kind=bare_numeral), unless a look-alike system is next to it
4. an *interpretation* that implies the category ("consistent with a colloid nodule", "malignant")

A name beats a conflicting number (lexicon pitfall 13); a TI-RADS / TR / U number is never a category
(pitfall 12) because numbers need their own system word, and bare numerals next to a look-alike are dropped.
"""
from __future__ import annotations

import re

from ...knowledge.bethesda import BETHESDA
from .text import Hit, Report, best, part_name

ROMAN = {c: c for c in BETHESDA}
ARABIC = {str(i): BETHESDA[i - 1] for i in range(1, 7)}
LOOKALIKE_REACH = 12  # characters between a look-alike system word and a number


def numeral(token: str, words=None) -> str:
    """The category of a Roman or Arabic numeral, or of a spelled-out one ("three") from ``words``
    (number_words.tsv)."""
    token = token.strip().upper()
    spelled = (words or {}).get(token.lower())
    if spelled is not None:
        token = str(spelled)
    return ROMAN.get(token) or ARABIC.get(token, "")


def _number_value(hit: Hit, words=None) -> str:
    if hit.value != "numeral":
        return hit.value
    return numeral(hit.match.group("num"), words)


def _near_lookalike(report: Report, hit: Hit) -> bool:
    num_start = hit.match.start("num") if "num" in hit.match.re.groupindex else hit.start
    for rule in report.rules.lookalikes:
        for m in rule.regex.finditer(report.text, max(0, num_start - LOOKALIKE_REACH - 20), num_start):
            if num_start - m.end() <= LOOKALIKE_REACH:
                return True
    return False


def bethesda_category(report: Report) -> tuple[str, list[Hit], str]:
    """(category, hits behind it, reason) for a cytology report; category "" when nothing is stated. A report with
    several thyroid parts (specimen_parts.tsv) takes the highest category among them (contract v1.1); a lymph node
    part is not a thyroid part."""
    names = list(report.affirmed(report.hits(report.rules.bethesda_names)))
    numbers = report.hits(report.rules.bethesda_numbers)
    amended = _amended(report, names, numbers)
    if amended:
        return amended
    parts = [(lo, hi) for lo, hi, organ in report.parts if organ == "thyroid" or (organ == "" and _sampled(report, lo))]
    if len(parts) >= 2:
        inside = lambda hits, lo, hi: [h for h in hits if lo <= h.start < hi]
        decided = [_decide(report, inside(names, lo, hi), inside(numbers, lo, hi)) for lo, hi in parts]
        decided = [d for d in decided if d[0]]
        if decided:
            category, hits, reason = max(decided, key=lambda d: BETHESDA.index(d[0]))
            return category, hits, f"highest of {len(decided)} parts, {reason}"
    return _decide(report, names, numbers)


def _amended(report: Report, names: list[Hit], numbers: list[Hit]) -> tuple[str, list[Hit], str] | None:
    """A category an addendum / amended report explicitly corrects (a line of the amendment section with a correction
    word of amendment_cues.tsv): the last one wins over the rest of the report (contract v1.1, amended reports). A
    bracketed earlier value on the same line ("(previously reported as III)") is no statement of the category."""
    found = None
    for section in report.sections:
        if section.name != "amendment":
            continue
        for line in re.finditer(r"[^\n]+", report.text[section.header_end:section.end]):
            lo, hi = section.header_end + line.start(), section.header_end + line.end()
            if not any(r.regex.search(report.text, lo, hi) for r in report.rules.amendment_cues):
                continue
            in_line = lambda hits: [h for h in hits if lo <= h.start < hi and not _bracketed(report.text, lo, h.start)]
            category, hits, reason = _decide(report, in_line(names), in_line(numbers))
            if category:
                found = (category, hits, f"amended, {reason}")
    return found


def _bracketed(text: str, line_start: int, pos: int) -> bool:
    before = text[line_start:pos]
    return before.count("(") > before.count(")")


def _sampled(report: Report, start: int) -> bool:
    """A part whose name says what was sampled without naming the organ ("Specimen B, right nodule:", "Part 1
    (left)"): a side (sites.tsv) or a lesion word (gross_lesion.tsv). A numbered comment line is not a part."""
    line_end = report.text.find("\n", start)
    name = part_name(report.text[start:line_end if line_end >= 0 else len(report.text)])
    sides = [r for r in report.rules.sites if r.get("value") in ("right", "left", "isthmus", "bilateral")]
    return any(r.regex.search(name) for r in (*sides, *report.rules.gross_lesion))


def _decide(report: Report, names: list[Hit], numbers: list[Hit]) -> tuple[str, list[Hit], str]:
    strong = best([h for h in names if h.rule.get("strength") == "name"])
    if strong:
        return strong[0].value, [strong[0]], "name"
    words = report.rules.number_words
    numbers = [h for h in numbers if _number_value(h, words)]
    for kind, reason in (("system", "number with system word"), ("local_system", "Thy / TIR category")):
        system = best([h for h in numbers if h.rule.get("kind") == kind and not _near_lookalike(report, h)])
        if system:
            return _number_value(system[0], words), [system[0]], reason
    bare = best([h for h in numbers if h.rule.get("kind") == "bare_numeral" and not _near_lookalike(report, h)])
    if bare:
        return _number_value(bare[0], words), [bare[0]], "numeral-only diagnosis"
    weak = best([h for h in names if h.rule.get("strength") == "interpretation"])
    if weak:
        return weak[0].value, [weak[0]], "interpretation"
    return "", [], "no category stated"
