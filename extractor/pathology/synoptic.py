"""Synoptic "Key: answer" lines (CAP / ICCR checklists). A template answer such as "Not identified" or "Cannot be
assessed" is a value in its own right (synoptic_answers.tsv), never prose to negate."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules import Rule
from .text import Report

_LINE_LEAD = re.compile(r"[ \t]*(?:[-*•·>]+[ \t]*|\(?[0-9a-zA-Z]{1,2}[.)][ \t]+)?")
_KEY_END = re.compile(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*(?:[:：][ \t]*)+")


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
    def ref(self) -> str:
        return f"{self.key.id}@{self.start}" + (f"+{self.kind_rule}" if self.kind_rule else "")


def answers(report: Report, field: str) -> list[Answer]:
    """Every synoptic answer for ``field`` in text order (history and frozen-section text left out)."""
    text, found = report.text, []
    for line in re.finditer(r"[^\n]+", text):
        lead = _LINE_LEAD.match(text, line.start(), line.end())
        pos = lead.end()
        for rule in report.rules.synoptic_keys:
            if rule.get("field") != field:
                continue
            m = rule.regex.match(text, pos, line.end())
            if not m:
                continue
            tail = _KEY_END.match(text, m.end(), line.end())
            if not tail:
                continue
            start, end = tail.end(), line.end()
            if start >= end:  # answer on the next non-empty line
                nxt = re.compile(r"\s*(?:[-*•][ \t]*)?([^\n]+)").match(text, end)
                if not nxt:
                    continue
                start, end = nxt.start(1), nxt.end(1)
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
