"""Attach extent, clustering, laterality and organ to each target mention, with the cue that decided each.

A cue (patterns/attributes/*.tsv) counts for a mention when it sits in the mention's sentence; a cue lying inside a
longer mention of another concept ("diffuse" in "diffuse thyroid disease") is that concept's word, not a cue.
- organ: the nearest organ cue in the sentence; else the section's default (LYMPH NODES -> lymph_node); else thyroid.
- laterality: the nearest side cue in the sentence; else the section's side (RIGHT LOBE:); else the side named last
  in the sentence just before, or anywhere earlier in a nodule block ("Location: right"); else none.
- extent: the heaviest cue in the sentence (a diffuse cue wins a tie); else the section's default; else none.
- clustering: any clustering cue in the sentence.
"""

import bisect
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..knowledge.ruleset import ATTRIBUTE_VALUES
from .base import RuleComponent
from .extensions import MENTIONS_KEY, register_extensions
from .matching import doc_index, find_all, longest_first
from .sections import section_at


@dataclass(frozen=True)
class Cue:
    attribute: str
    value: str
    start: int
    end: int
    rule_id: str
    weight: int = 1
    source: str = "sentence"
    swallowed_by: tuple = ()  # (start, end) of longer mentions the cue lies inside  # sentence | section | earlier_sentence

    def as_dict(self) -> dict:
        return {"value": self.value, "start": self.start, "end": self.end, "rule_id": self.rule_id, "source": self.source}


def _distance(cue: Cue, span: Span) -> int:
    if cue.end <= span.start_char:
        return span.start_char - cue.end
    if cue.start >= span.end_char:
        return cue.start - span.end_char
    return 0


class ThyroidAttributeLinker(RuleComponent):
    """Each mention's attributes in ``span._.radpath_attributes`` and section in ``span._.radpath_section``; every
    cue found in ``doc._.radpath_cues``."""

    rule_groups = tuple(ATTRIBUTE_VALUES)  # organ, laterality, extent, clustering: one rule file each

    def __init__(self, nlp: Language, name: str):
        super().__init__(nlp, name)
        register_extensions()
        self.rules: dict = {}

    def rules_from(self, ruleset):
        return dict(ruleset.attributes)

    def set_rules(self, groups) -> None:
        self.rules = {attribute: groups[attribute] for attribute in self.rule_groups}

    def find_cues(self, doc: Doc) -> dict[str, list[Cue]]:
        mentions = sorted((s.start_char, s.end_char) for s in doc.spans[MENTIONS_KEY])  # non-overlapping
        mention_starts = [s for s, _ in mentions]
        cues: dict[str, list[Cue]] = {}
        index = doc_index(doc)
        for attribute, rules in self.rules.items():
            found = []
            for m in longest_first(find_all(index, rules)):
                i = bisect.bisect_right(mention_starts, m.start) - 1
                inside = ()
                if i >= 0:
                    s, e = mentions[i]
                    if m.end <= e and (e - s) > (m.end - m.start):
                        inside = ((s, e),)
                weight = int(m.rule.get("weight") or 1)
                found.append(Cue(attribute, m.rule.get("value"), m.start, m.end, m.rule.id, weight, swallowed_by=inside))
            cues[attribute] = found
        return cues

    def __call__(self, doc: Doc) -> Doc:
        self.check_initialized()
        cues = self.find_cues(doc)
        doc._.radpath_cues = cues
        cue_starts = {a: [c.start for c in cs] for a, cs in cues.items()}
        sections = doc._.radpath_sections
        section_starts = [s.start for s in sections]
        for span in doc.spans[MENTIONS_KEY]:
            sentence = span.sent
            lo, hi = sentence.start_char, sentence.end_char
            section = section_at(sections, span.start_char, section_starts)
            span._.radpath_section = section.name
            own = ((span.start_char, span.end_char),)
            in_sentence = {
                a: [
                    c
                    for c in cs[bisect.bisect_left(cue_starts[a], lo):bisect.bisect_left(cue_starts[a], hi)]
                    if c.end <= hi and c.swallowed_by in ((), own)
                ]
                for a, cs in cues.items()
            }
            attributes = {
                "organ": self._nearest(in_sentence["organ"], span)
                or self._section_default("organ", section.organ, section.start),
                "laterality": self._nearest(in_sentence["laterality"], span)
                or self._section_default("laterality", section.laterality, section.start)
                or self._carried_over(cues["laterality"], span, section),
                "extent": self._heaviest(in_sentence["extent"], span)
                or self._section_default("extent", section.extent, section.start),
                "clustering": self._nearest(in_sentence["clustering"], span),
            }
            span._.radpath_attributes = attributes
        return doc

    @staticmethod
    def _nearest(cues: list[Cue], span: Span) -> Cue | None:
        return min(cues, key=lambda c: (_distance(c, span), c.start), default=None)

    @staticmethod
    def _heaviest(cues: list[Cue], span: Span) -> Cue | None:
        # heavier first; a diffuse cue wins a tie (a cluster in a diffuse background is diffuse); then the nearest
        return min(cues, key=lambda c: (-c.weight, c.value != "diffuse", _distance(c, span)), default=None)

    @staticmethod
    def _section_default(attribute: str, value: str, start: int) -> Cue | None:
        return Cue(attribute, value, start, start, "", source="section") if value else None

    @staticmethod
    def _carried_over(cues: list[Cue], span: Span, section) -> Cue | None:
        """A side named before the mention's sentence: anywhere earlier in a nodule block ("Location: right"),
        elsewhere only in the sentence just before, and only when that sentence names one side."""
        sentence = span.sent
        if section.name == "nodule":
            lo = section.start
        elif sentence.start > 0:
            lo = span.doc[sentence.start - 1].sent.start_char
        else:
            return None
        earlier = [c for c in cues if max(lo, section.start) <= c.start and c.end <= sentence.start_char]
        if not earlier or (section.name != "nodule" and len({c.value for c in earlier}) > 1):
            return None
        last = earlier[-1]
        return Cue(last.attribute, last.value, last.start, last.end, last.rule_id, source="earlier_sentence")


@Language.factory(
    "thyroid_attributes",
    requires=["token.is_sent_start", "doc.spans", "span._.radpath_rule_id", "doc._.radpath_sections"],
    assigns=["span._.radpath_attributes", "span._.radpath_section", "doc._.radpath_cues"],
)
def make_attribute_linker(nlp: Language, name: str):
    return ThyroidAttributeLinker(nlp, name)
