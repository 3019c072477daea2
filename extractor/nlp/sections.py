"""Section detection: headers from patterns/sections.tsv that start a line (or, in upper case, follow a sentence)
and end in ":" , "-", a banner's "***" or the end of the line, optionally after one parenthetical ("ADDENDUM
(attending):").
Each section runs to the next header."""

import bisect
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ..knowledge.rules import Rule
from .base import RuleComponent
from .extensions import SECTIONS_KEY, register_extensions
from .matching import doc_text

BODY = "body"  # name of the text before the first header, or of a report without headers
# what may stand before a header on its line: bullets, a banner's "***" or "===", a numbering "2.", "(ii)", "(b)"
_LINE_START = re.compile(r"(?m)^[ \t]*(?:[-*•·>=]+[ \t]*|\(?[0-9ivxIVX]{1,3}[.)][ \t]*|\([A-Za-z]\)[ \t]*)?")
_INLINE_START = re.compile(r"(?<=[.;!?])[ \t]+(?=[A-Z])")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# a header may carry one parenthetical before its colon ("ADDENDUM (2024-03-02):", "PRELIMINARY (resident):") and
# may close a banner line ("*** FINAL REPORT ***")
_HEADER_END = re.compile(r"[ \t]*(?:\([^()\n]{1,60}\)[ \t]*)?(?:[:：]|[-–—](?=\s)|\*{2,}|(?=\r?\n)|$)")
# a key = value template ("CLINICAL HX = r/o nodule") opens a section that does not describe this exam; a lobe's
# "RIGHT LOBE = 4.6 cm" line does not become a lobe section, whose side would reach the template lines after it
_KEY_HEADER_END = re.compile(r"[ \t]*=")


_RECENT: dict = {}  # (id of the rule tuple, text) -> (the rule tuple, sections), oldest first
_RECENT_SIZE = 512  # more than a pipeline batch, so every report of a batch is found once


# A form's tick box, empty or ticked: "[ ]", "[x]", "[*]", "☐", "☑", "☒". One definition for every reader of forms
# (an unticked option states nothing: nlp/status.py for mentions, fields/nodules.py for a nodule's cells).
TICK_BOX = re.compile(r"\[[ \t]*(?P<tick>[xX✓✔■●*])?[ \t]*\]|[☐☑☒]")
BOX_CHARS = "[☐☑☒"  # a text without one of these has no tick box


def box_ticked(box: re.Match) -> bool:
    """Whether a TICK_BOX match is ticked."""
    return bool(box.group("tick")) or box.group(0) in "☑☒"


@dataclass(frozen=True)
class Section:
    name: str
    rule_id: str
    start: int  # first character of the header (or 0 for the body)
    header_end: int  # first character after the header and its colon
    end: int  # first character of the next section
    current: bool
    laterality: str
    extent: str
    organ: str


class SectionFinder:
    """Finds sections in plain text (usable without spaCy, e.g. for kind detection)."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules

    def _header_at(self, text: str, pos: int, *, upper_only: bool):
        best = None
        for rule in self.rules:
            m = rule.regex.match(text, pos)
            if not m or m.end() == pos:
                continue
            if upper_only and not text[m.start():m.end()].isupper():
                continue
            tail = _HEADER_END.match(text, m.end())
            if tail is None and rule.get("current") == "no":
                tail = _KEY_HEADER_END.match(text, m.end())
            if tail is None:
                continue
            if best is None or m.end() > best[1].end():
                best = (rule, m, tail.end())
        return best

    def find(self, text: str) -> list[Section]:
        """Sections of ``text``; the last few texts' sections are kept, so that the report-kind classifier reads
        the sections the pipeline found instead of finding them again (Sections are immutable)."""
        key = (id(self.rules), text)
        kept = _RECENT.get(key)
        if kept is None or kept[0] is not self.rules:  # the entry holds its rules, so their id cannot be reused
            kept = _RECENT[key] = (self.rules, self._find(text))
            if len(_RECENT) > _RECENT_SIZE:
                _RECENT.pop(next(iter(_RECENT)))
        return list(kept[1])

    def _find(self, text: str) -> list[Section]:
        starts = sorted({m.end() for m in _LINE_START.finditer(text)})
        inline = {m.end() for m in _INLINE_START.finditer(text)}
        found = []
        last_end = -1
        for pos in sorted(set(starts) | inline):
            if pos < last_end:
                continue
            hit = self._header_at(text, pos, upper_only=pos in inline and pos not in starts)
            if hit:
                rule, m, header_end = hit
                found.append((m.start(), header_end, rule))
                last_end = header_end
        sections = []
        if not found or found[0][0] > 0:
            first = found[0][0] if found else len(text)
            sections.append(Section(BODY, "", 0, 0, first, True, "", "", ""))
        for i, (start, header_end, rule) in enumerate(found):
            end = found[i + 1][0] if i + 1 < len(found) else len(text)
            current = rule.get("current") == "yes"
            if not current:
                end = min(end, _history_end(text, header_end))
            sections.append(
                Section(
                    name=rule.get("section"),
                    rule_id=rule.id,
                    start=start,
                    header_end=header_end,
                    end=end,
                    current=current,
                    laterality=rule.get("laterality"),
                    extent=rule.get("extent"),
                    organ=rule.get("organ"),
                )
            )
            if end < (found[i + 1][0] if i + 1 < len(found) else len(text)):
                next_start = found[i + 1][0] if i + 1 < len(found) else len(text)
                sections.append(Section(BODY, "", end, end, next_start, True, "", "", ""))
        return sections


_SENTENCE_ENDS = (".", ":", ";", "!", "?")
# a "key: value" or "key = value" line of a template ("gland_size = enlarged"): never the wrapped end of a sentence
KEY_VALUE_LINE = re.compile(r"[ \t]*[-*•]?[ \t]*[A-Za-z][\w /()#'\-]{0,40}?[ \t]*[=:][ \t]*\S")
_LINE_LEAD_SPACE = re.compile(r"[ \t]*")


def _history_end(text: str, header_end: int) -> int:
    """A section that does not describe this exam (history, indication, comparison) ends with its own line when the
    header has text after it on that line ("Indication: follow-up of nodules"), and with the lines its last sentence
    wraps onto (a line that does not end a sentence, followed by one starting in lower case); else at the first
    blank line."""
    line_end = text.find("\n", header_end)
    line_end = len(text) if line_end < 0 else line_end
    if text[header_end:line_end].strip():
        # a sentence wrapped onto the next line goes on there ("... described a left nodule with\nmicrocalcifications")
        line_start = header_end
        while line_end < len(text) and not text[line_start:line_end].rstrip().endswith(_SENTENCE_ENDS):
            following = _LINE_LEAD_SPACE.match(text, line_end + 1)
            if not text[following.end():following.end() + 1].islower() or KEY_VALUE_LINE.match(text, line_end + 1):
                break
            line_start = line_end + 1
            next_end = text.find("\n", line_start)
            line_end = len(text) if next_end < 0 else next_end
        return line_end
    blank = _BLANK_LINE.search(text, header_end)
    return blank.start() if blank else len(text)


def section_at(sections: list[Section], char: int, starts: list[int] | None = None) -> Section:
    """The section containing character offset ``char`` (pass ``starts`` = the sections' starts when calling often)."""
    index = bisect.bisect_right(starts if starts is not None else [s.start for s in sections], char) - 1
    return sections[max(index, 0)]


class ThyroidSectionizer(RuleComponent):
    """Sections (``doc._.radpath_sections``) and their headers (``doc.spans["radpath_sections"]``)."""

    rule_groups = ("sections",)

    def __init__(self, nlp: Language, name: str):
        super().__init__(nlp, name)
        register_extensions()
        self.finder = SectionFinder(())

    def rules_from(self, ruleset):
        return {"sections": ruleset.sections}

    def set_rules(self, groups) -> None:
        self.finder = SectionFinder(groups["sections"])

    def __call__(self, doc: Doc) -> Doc:
        self.check_initialized()
        sections = self.finder.find(doc_text(doc))
        doc._.radpath_sections = sections
        headers = []
        for s in sections:
            if s.header_end > s.start:
                span = doc.char_span(s.start, s.header_end, label=s.name, alignment_mode="expand")
                if span is not None:
                    headers.append(span)
        doc.spans[SECTIONS_KEY] = headers
        return doc


@Language.factory(
    "thyroid_sections",
    assigns=["doc._.radpath_sections", "doc.spans"],
)
def make_sectionizer(nlp: Language, name: str):
    return ThyroidSectionizer(nlp, name)
