"""Target mentions: every concept file in patterns/targets/ matched over the text; look-alikes compete with the
finding they resemble and the longer match wins (so "echogenic foci with comet-tail artifact" is one look-alike).
Cells of pipe tables under a calcification column are read with patterns/tables.tsv."""

import re
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .base import RuleComponent
from .extensions import MENTIONS_KEY, register_extensions
from .matching import doc_index, doc_text, find_all, longest_first

_RULE_ROW = re.compile(r"[\s|:\-–—=+]*")


class ThyroidTargetMatcher(RuleComponent):
    """Target mentions in ``doc.spans["radpath_mentions"]``, labelled with the concept (the target file's name)."""

    rule_groups = ("targets", "tables")

    def __init__(self, nlp: Language, name: str):
        super().__init__(nlp, name)
        register_extensions()
        self.rules, self.table_columns, self.table_values = (), (), ()

    def rules_from(self, ruleset):
        return {"targets": ruleset.targets, "tables": ruleset.tables}

    def set_rules(self, groups) -> None:
        self.rules = groups["targets"]
        self.table_columns = tuple(r for r in groups["tables"] if r.get("role") == "column")
        self.table_values = tuple(r for r in groups["tables"] if r.get("role") == "value")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({r.category for r in self.rules} | {r.get("label") for r in self.table_values}))

    def __call__(self, doc: Doc) -> Doc:
        self.check_initialized()
        spans = []
        for match in longest_first(find_all(doc_index(doc), self.rules)):
            span = doc.char_span(match.start, match.end, label=match.rule.category, alignment_mode="expand")
            if span is None:
                continue
            span._.radpath_rule_id = match.rule.id
            span._.radpath_rule_literal = match.rule.literal
            span._.radpath_rule_polarity = match.rule.get("polarity")
            spans.append(span)
        text = doc_text(doc)
        if self.table_columns and "|" in text:
            taken = [(s.start_char, s.end_char) for s in spans]
            for start, end, rule in table_cells(text, self.table_columns, self.table_values):
                if any(a < end and start < b for a, b in taken):
                    continue  # the cell's own words already are a mention
                span = doc.char_span(start, end, label=rule.get("label"), alignment_mode="expand")
                if span is None:
                    continue
                span._.radpath_rule_id = rule.id
                span._.radpath_rule_literal = rule.literal
                span._.radpath_rule_polarity = rule.get("polarity")
                spans.append(span)
            spans.sort(key=lambda s: s.start)
        doc.spans[MENTIONS_KEY] = spans
        return doc


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each cell's stripped content on the line text[start:end], split at "|"."""
    cells, pos = [], start
    for part in text[start:end].split("|"):
        lo, hi = pos, pos + len(part)
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        cells.append((lo, hi))
        pos += len(part) + 1
    if text[start:end].lstrip().startswith("|"):
        cells = cells[1:]
    if text[start:end].rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def table_cells(text: str, columns, values) -> Iterator[tuple[int, int, object]]:
    """(start, end, value rule) of every cell under a calcification column of a pipe table (patterns/tables.tsv):
    a table is two or more consecutive lines with a "|"; its first line is the header."""
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and "|" in text[lines[j][0]:lines[j][1]]:
            j += 1
        if j - i >= 2:
            header = _cells(text, *lines[i])
            wanted = [k for k, (a, b) in enumerate(header) if any(r.regex.search(text, a, b) for r in columns)]
            for lo, hi in lines[i + 1:j]:
                if not wanted or _RULE_ROW.fullmatch(text, lo, hi):
                    continue
                row = _cells(text, lo, hi)
                for k in wanted:
                    if k < len(row) and row[k][1] > row[k][0]:
                        a, b = row[k]
                        rule = next((r for r in values if r.regex.fullmatch(text, a, b)), None)
                        if rule is not None:
                            yield a, b, rule
        i = max(j, i + 1)


@Language.factory(
    "thyroid_targets",
    assigns=["doc.spans", "span._.radpath_rule_id", "span._.radpath_rule_literal", "span._.radpath_rule_polarity"],
)
def make_target_matcher(nlp: Language, name: str):
    return ThyroidTargetMatcher(nlp, name)
