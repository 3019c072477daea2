"""Report kind (ultrasound, cytology, surgical_pathology, other) from the report's own layout, its cues and the
type hint (no spaCy).

The rules are patterns/report_kinds.tsv, combined as patterns/report_kinds.toml says (tie order, the weight that
overrides a hint, hits per cue, the size of the title block); sections come from patterns/sections.tsv. Evidence, strongest first:
- structure: the title / header lines (``source title``: the first short lines of the report outside any
  history or indication section) and document markers anywhere (``source marker``: a salutation, a sign-off,
  "MDT discussion"), which say what the document is;
- text cues (``source text``), counted only where the report describes its own exam: a cue inside a section that
  does not describe this exam (history, indication, comparison, recommendation: ``current no`` in sections.tsv)
  or inside a sentence that recommends, supposes or quotes (``source discount``: "consider FNA", "if ... develop",
  "her ultrasound on 3 March showed") counts for nothing. So an ultrasound whose plan says "FNA advised" stays an
  ultrasound, and a clinic letter that quotes imaging is ``other``.

Decision: a type hint decides when the report's structure names no other kind and the text has a cue of the hinted
kind; otherwise the heaviest kind wins (ties: a kind the title or a marker names, then surgical_pathology > cytology >
ultrasound > other), a hint being
overridden only by a title of another kind, by document markers of another kind that add up to marker_override_score
(a salutation and a sign-off), or by strong evidence with no cue of the hinted kind at all (a document marker alone
does not override a hint: a pathology form may carry a "chief complaint" box).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..knowledge.ruleset import RuleSet
from ..nlp.matching import TextIndex, find_all
from ..nlp.sections import (
    SectionFinder,  # plain text (the module's spaCy part is not used)
)

_LEAD = re.compile(r"^(?P<lead>[^:.;!?]+?)\s*(?::|\s[-\u2013\u2014]\s)")  # the words before a line's first ":" or " - "
_COLUMN_GAP = re.compile(r"[ ]{3,}|\t")  # a gap of three spaces or a tab between the columns of a header line
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")  # a semicolon does not end a recommendation


def _inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= position < hi for lo, hi in ranges)


@dataclass(frozen=True)
class KindDecision:
    kind: str
    source: str  # hint | structure | text | hint_overridden_by_text | hint_overridden_by_structure | none
    scores: dict  # score per kind; empty when a hint the text supports decided


class KindClassifier:
    def __init__(self, ruleset: RuleSet):
        rules = ruleset.report_kinds
        self.hint_rules = [r for r in rules if r.get("source") == "hint"]
        # tuples: the matcher (extractor.nlp.matching) keeps a prepared plan per rule tuple
        self.text_rules = tuple(r for r in rules if r.get("source") == "text")
        self.title_rules = [r for r in rules if r.get("source") == "title"]
        self.marker_rules = tuple(r for r in rules if r.get("source") == "marker")
        self.discount_rules = tuple(r for r in rules if r.get("source") == "discount")
        self._last: tuple[str, TextIndex, dict] | None = None  # the last text, its index, its matches by rule group
        self._finder = None
        self._section_rules = ruleset.sections
        self.settings = ruleset.kind_settings

    @property
    def finder(self):
        if self._finder is None:
            self._finder = SectionFinder(self._section_rules)
        return self._finder

    def hint_kind(self, hint: str) -> str | None:
        hint = (hint or "").strip()
        if not hint:
            return None
        for rule in self.hint_rules:
            if rule.regex.fullmatch(hint):
                return rule.get("kind")
        return None

    def _index(self, text: str) -> TextIndex:
        """One TextIndex per text (classify asks for several rule groups over the same text)."""
        if self._last is None or self._last[0] is not text:
            self._last = (text, TextIndex(text), {})
        return self._last[1]

    def _matches(self, text: str, rules: tuple) -> list:
        """find_all of a rule group over ``text``, found once per text (classify asks supports and text_scores)."""
        index = self._index(text)
        found = self._last[2]
        key = id(rules)
        if key not in found:
            found[key] = (rules, find_all(index, rules))
        return found[key][1]

    def supports(self, kind: str, text: str) -> bool:
        """Whether ``kind`` has a text cue that counts (outside discounted ranges)."""
        hits = [m for m in self._matches(text, self.text_rules)
                if m.rule.get("kind") == kind and int(m.rule.get("weight")) > 0]
        if not hits:
            return False
        skip = self.discounted(text)
        return any(not _inside(m.start, skip) for m in hits)

    # --- structure -------------------------------------------------------------------------------------------
    def _title_part(self, line: str) -> str | None:
        """A line as a title: the whole line when short; else its first column, when the line is laid out in columns
        (a gap of three spaces or a tab) and that is short; else its lead ("Telephone note" in "Telephone note:
        results given ...") when that is a few words; else nothing (prose)."""
        settings = self.settings
        if len(line) <= settings.title_max_chars:
            return line
        head = _COLUMN_GAP.split(line, 1)[0]
        if head != line and len(head) <= settings.title_max_chars:
            return head  # a header laid out in columns: "General Hospital - Pathology Report    Lab No. 123"
        lead = _LEAD.match(line)
        if lead and len(lead.group("lead").split()) <= settings.title_lead_max_words:
            return lead.group("lead")
        return None

    def title_lines(self, text: str) -> list[str]:
        """The report's title / header lines: its first non-blank lines (a long line offers only its lead), up to
        the first line that opens a section other than an exam / technique line ("Exam: US thyroid") or a bare
        title-like header, or up to a first line of prose (a long line no title rule matches), leaving out lines a
        discount rule matches."""
        return [part for part, _ in self._title_block(text)]

    def _title_block(self, text: str) -> list[tuple[str, str]]:
        """title_lines, each with the whole line it was taken from (a lead is the start of its line)."""
        kept = []
        for raw in text.splitlines():
            line = raw.strip(" \t-*•>#=_")
            if not line:
                continue
            if len(kept) == self.settings.title_lines:
                break
            opening = [s for s in self.finder.find(line) if s.start == 0 and s.header_end > 0]
            if opening and opening[0].name != "technique" and (
                    opening[0].name != "findings" or line[opening[0].header_end:].strip()):
                break  # a section with content starts: the title block is over ("THYROID ULTRASOUND" alone is a title)
            part = self._title_part(line)
            if part is None or any(r.regex.search(part) for r in self.discount_rules):
                continue
            if len(part.split()) >= self.settings.title_prose_words and not any(
                    r.regex.search(part) for r in self.title_rules):
                break  # a sentence of prose that names no kind: the report has started, it had no title
            kept.append((part, line))
        return kept

    def structure_scores(self, text: str, *, markers: bool = True) -> tuple[dict[str, int], list[str]]:
        """Score per kind from the title (on the first title line any rule matches, the rule matching leftmost,
        then the first in the file: "FNA of the left lobe (calcifications on US)" is a cytology title) and from
        document markers (each marker rule counts once); with the ids of the rules that scored."""
        scores = {kind: 0 for kind in self.settings.tie_order}
        fired = []
        for part, line in self._title_block(text):
            # a rule must match in the title part, but reads the whole line around it: "City Clinic - Ultrasound
            # unit" is a clinic heading only if the rest of the line names no exam (ttl-001)
            hits = [(m.start(), order, rule) for order, rule in enumerate(self.title_rules)
                    if (m := rule.regex.search(line)) and m.start() < len(part)]
            if hits:
                _, _, rule = min(hits, key=lambda h: h[:2])
                scores[rule.get("kind")] += int(rule.get("weight"))
                fired.append(rule.id)
                break
        if markers:
            hit = {m.rule.id for m in self._matches(text, self.marker_rules)}
            for rule in self.marker_rules:
                if rule.id in hit:
                    scores[rule.get("kind")] += int(rule.get("weight"))
                    fired.append(rule.id)
        return scores, fired

    # --- text cues -------------------------------------------------------------------------------------------
    def discounted(self, text: str) -> list[tuple[int, int]]:
        """Character ranges whose cues do not count: sections that do not describe this exam, and sentences that
        recommend, suppose or quote another exam's result."""
        self._index(text)
        memo = self._last[2]
        if "discounted" not in memo:  # supports and text_scores both ask, for the same text
            memo["discounted"] = self._discounted(text)
        return list(memo["discounted"])

    def _discounted(self, text: str) -> list[tuple[int, int]]:
        ranges = [(s.header_end, s.end) for s in self.finder.find(text) if not s.current]
        found = self._matches(text, self.discount_rules)
        if found:
            sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
            starts = [a for a, _ in sentences]
            for m in found:
                i = bisect.bisect_right(starts, m.start) - 1
                if i >= 0:
                    ranges.append(sentences[i])
        return sorted(set(ranges))

    def text_scores(self, text: str) -> dict[str, int]:
        scores = {kind: 0 for kind in self.settings.tie_order}
        skip = self.discounted(text)
        hits: dict[str, int] = {}
        for m in self._matches(text, self.text_rules):
            if _inside(m.start, skip) or hits.get(m.rule.id, 0) >= self.settings.max_hits_per_cue:
                continue
            hits[m.rule.id] = hits.get(m.rule.id, 0) + 1
            scores[m.rule.get("kind")] += int(m.rule.get("weight"))
        return scores

    def scores(self, text: str) -> dict[str, int]:
        structure, _ = self.structure_scores(text)
        cues = self.text_scores(text)
        return {k: structure[k] + cues[k] for k in self.settings.tie_order}

    # --- decision --------------------------------------------------------------------------------------------
    def classify(self, hint: str, text: str) -> KindDecision:
        text = text or ""
        from_hint = self.hint_kind(hint)
        structure, _ = self.structure_scores(text)
        structural = {k for k, v in structure.items() if v > 0}
        if from_hint is not None and not (structural - {from_hint}) and self.supports(from_hint, text):
            return KindDecision(from_hint, "hint", {})  # the text supports the hint and nothing says otherwise
        cues = self.text_scores(text)
        order = self.settings.tie_order
        strong = self.settings.strong_score
        scores = {k: structure[k] + cues[k] for k in order}
        # a tie goes to a kind the title or a marker names (the document says what it is), then to tie_order
        best = max(order, key=lambda k: (scores[k], structure[k] > 0, -order.index(k)))
        from_text = best if scores[best] > 0 else "other"
        source = "structure" if structure[best] > 0 else "text"
        if from_hint is None:
            return KindDecision(from_text, source if scores[best] > 0 else "none", scores)
        if from_hint != from_text:
            titled, _ = self.structure_scores(text, markers=False)
            if titled[from_text] >= strong and structure[from_hint] == 0:
                return KindDecision(from_text, "hint_overridden_by_structure", scores)  # a title, not a marker
            if structure[from_text] - titled[from_text] >= self.settings.marker_override_score \
                    and structure[from_hint] == 0:
                return KindDecision(from_text, "hint_overridden_by_structure", scores)  # several markers ("Dear Dr", "Regards")
            if scores.get(from_hint, 0) == 0 and scores[best] >= strong:
                return KindDecision(from_text, "hint_overridden_by_text", scores)
        return KindDecision(from_hint, "hint", scores)
