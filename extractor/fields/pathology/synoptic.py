"""Synoptic "Key: answer" lines (CAP / ICCR checklists). A template answer such as "Not identified" or "Cannot be
assessed" is a value in its own right (synoptic_answers.tsv), never prose to negate.

Key forms read (synoptic_keys.tsv names the keys):

- ``Key: answer`` / ``Key = answer`` on one line, or the answer on the next non-empty line;
- a table row ``| Key | answer |`` (text.py turns the first cell boundary into a colon);
- a heading that is only the key, with the answer on the next non-empty line (``# Key`` then ``answer``), as
  checklists converted to markdown print them. A heading is never itself an answer.

Each answer carries its key's ``affirmed`` value (the field value of a free answer that is not a template
answer, e.g. multicentricity "two further foci" -> multifocal), empty when the field's own rules decide.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ...knowledge.rules import Rule
from .text import Report

_LINE_LEAD = re.compile(r"[ \t]*(?:[-*•·>]+[ \t]*|\(?[0-9a-zA-Z]{1,2}[.)][ \t]+)?")
# a key ends at a colon or "=", at the question mark of a question-form key ("Is the tumour multifocal? No"), or at
# the leader dots of a printed form ("Tumor Size ........ 1.6 cm")
_KEY_END = re.compile(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*(?:(?:[:：=?]|\.{3,}|…+)[ \t]*)+")
_HEADING_KEY_END = re.compile(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*[:：]?[ \t]*$")
_HEADING = re.compile(r"[ \t]*(?:#|\*\*)")


# the next non-empty line, skipping page-break lines ("Page 1 of 3") that scanned forms print inside a checklist
_NEXT_LINE = re.compile(r"(?:\s*page\s+\d+\s+of\s+\d+[ \t]*(?=\n))*\s*(?:[-*•][ \t]*)?([^\n]+)", re.IGNORECASE)
_TABLE_ROW = re.compile(r"[ \t]*\|")
def _other_key(report: Report, start: int, end: int) -> bool:
    """The line is itself a checklist row ("Margins: negative"): a field's key or a checklist_labels.tsv label."""
    for rule in (*report.rules.synoptic_keys, *report.rules.checklist_labels):
        m = rule.regex.match(report.text, start, end)
        if m and _KEY_END.match(report.text, m.end(), end):
            return True
    return False
_BLANK_ANSWER = re.compile(r"[\s_\-–.]*")


@dataclass(frozen=True)
class Answer:
    field: str
    key: Rule
    start: int  # first character of the answer
    end: int
    text: str
    kind: str  # negative / cannot / "" (a free answer)
    kind_rule: str

    @property
    def affirmed(self) -> str:
        """The key's value for a free (non-template) answer, or ""."""
        return "" if self.kind else self.key.get("affirmed", "")

    @property
    def ref(self) -> str:
        return f"{self.key.id}@{self.start}" + (f"+{self.kind_rule}" if self.kind_rule else "")


# several checklist rows on one line, each after a bullet set off by two or more spaces ("- Size: 0.9 cm   -
# Multiplicity: single"): each row is read as a line of its own
_INLINE_ROW = re.compile(r"(?<=\S)[ \t]{2,}(?=[-*•·][ \t]+\S)")


@dataclass(frozen=True)
class _Row:
    lo: int
    hi: int
    last: bool  # the row ends its line (an empty answer may stand on the next line)

    def start(self) -> int:
        return self.lo

    def end(self) -> int:
        return self.hi


def _rows(text: str):
    for line in re.finditer(r"[^\n]+", text):
        cuts = [m.end() for m in _INLINE_ROW.finditer(text, line.start(), line.end())]
        bounds = [line.start(), *cuts, line.end()]
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            if i + 1 < len(bounds) - 1:
                hi = len(text[lo:hi].rstrip()) + lo
            yield _Row(lo, hi, i + 2 == len(bounds))


def answers(report: Report, field: str) -> list[Answer]:
    """Every synoptic answer for ``field`` in text order (history and frozen-section text left out)."""
    text, found = report.text, []
    for line in _rows(text):
        lead = _LINE_LEAD.match(text, line.start(), line.end())
        pos = lead.end()
        for rule in report.rules.synoptic_keys:
            if rule.get("field") != field:
                continue
            m = rule.regex.match(text, pos, line.end())
            if not m:
                continue
            tail = _KEY_END.match(text, m.end(), line.end())
            heading = _HEADING.match(report.original, line.start())
            if not tail and heading:
                tail = _HEADING_KEY_END.match(text, m.end(), line.end())
                if tail and tail.end() < line.end():
                    tail = None
            if not tail:
                continue
            start, end = tail.end(), line.end()
            if start >= end and not line.last:
                continue  # an empty row inside a line of several rows: no answer
            if start >= end:  # answer on the next non-empty line, unless that line is a heading of its own
                if _TABLE_ROW.match(report.original, line.start()):
                    continue  # an empty table cell is an empty answer
                nxt = _NEXT_LINE.match(text, end)
                if not nxt or _HEADING.match(report.original, text.rfind("\n", 0, nxt.start(1)) + 1):
                    continue
                if _other_key(report, nxt.start(1), nxt.end(1)):
                    continue  # a bare heading with no answer: the next line is another key's row
                start, end = nxt.start(1), nxt.end(1)
            if _BLANK_ANSWER.fullmatch(text, start, end):
                continue  # "____", "-": an unfilled blank is no answer
            if report.excluded(start):
                break
            kind, kind_rule = "", ""
            for answer_rule in report.rules.synoptic_answers:
                am = answer_rule.regex.match(text, start, end)
                if am and not re.match(r"[ \t]*(?:evidence|\w+\s+(?:evidence|invasion))", text[am.end():end]):
                    kind, kind_rule = answer_rule.get("value"), answer_rule.id
                    break
            found.append(Answer(field, rule, start, end, text[start:end], kind, kind_rule))
            break
    return found
