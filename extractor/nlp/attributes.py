"""Attach extent, clustering, laterality and organ to each target mention, with the cue that decided each.

A cue (patterns/attributes/*.tsv) counts for a mention when it sits in the mention's sentence; a cue lying inside a
longer mention of another concept ("diffuse" in "diffuse thyroid disease") is that concept's word, not a cue.
- organ: the nearest organ cue in the sentence; else the section's default (LYMPH NODES -> lymph_node); else thyroid.
- laterality: the nearest side cue in the sentence; else the section's side (RIGHT LOBE:); else the side named last
  in the sentence just before, or anywhere earlier in a nodule block ("Location: right"); else none.
- extent: the heaviest cue in the sentence (a diffuse cue wins a tie); else the section's default; else none.
- clustering: any clustering cue in the sentence, except one a negation denies ("without aggregation", "no cluster
  or dominant focus": the cue lies in a NEGATED trigger's scope with no mention between the trigger and the cue).
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
        cues["clustering"] = _undenied(cues["clustering"], doc)
        doc._.radpath_cues = cues
        indexes = {a: _CueIndex(cs) for a, cs in cues.items()}
        sentences = _Sentences(doc)
        carried: dict[tuple, Cue | None] = {}  # one answer per (sentence, section start, nodule block)
        sections = doc._.radpath_sections
        section_starts = [s.start for s in sections]
        for span in doc.spans[MENTIONS_KEY]:
            k = sentences.index(span.start)
            lo, hi = sentences.start_chars[k], sentences.end_chars[k]
            section = section_at(sections, span.start_char, section_starts)
            span._.radpath_section = section.name
            in_sentence = {a: index.candidates(span, lo, hi) for a, index in indexes.items()}
            attributes = {
                "organ": self._nearest(in_sentence["organ"], span)
                or self._section_default("organ", section.organ, section.start),
                "laterality": self._nearest(in_sentence["laterality"], span)
                or self._section_default("laterality", section.laterality, section.start)
                or self._carried_over_once(indexes["laterality"], sentences, k, section, carried),
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
    def _carried_over_once(index: "_CueIndex", sentences: "_Sentences", k: int, section, carried: dict) -> Cue | None:
        """A side named before sentence ``k``: anywhere earlier in a nodule block ("Location: right"), elsewhere
        only in the sentence just before, and only when that sentence names one side. The same for every mention
        of a sentence, so found once per sentence; the cues in range are found by bisection."""
        if section.name == "nodule":
            lo = section.start
        elif k > 0:
            lo = sentences.start_chars[k - 1]
        else:
            return None
        key = (k, section.start, section.name == "nodule")
        if key not in carried:
            first, stop = index.between(max(lo, section.start), sentences.start_chars[k])  # start >= lo, end <= hi
            earlier = index.cues[first:stop]
            if not earlier or (section.name != "nodule" and len({c.value for c in earlier}) > 1):
                carried[key] = None
            else:
                last = earlier[-1]
                carried[key] = Cue(last.attribute, last.value, last.start, last.end, last.rule_id,
                                   source="earlier_sentence")
        return carried[key]


def _undenied(cues: list[Cue], doc: Doc) -> list[Cue]:
    """The cues that no negation denies. A cue is denied when the nearest NEGATED ConText trigger before it has it in
    its scope and no target mention starts between the two ("without aggregation", "no cluster or dominant
    focus"). Triggers and mentions are found by bisection, so a hostile sentence stays linear."""
    graph = doc._.radpath_context_graph
    if not cues or graph is None:
        return cues
    negations = sorted((m.modifier_span[1], m.scope_span) for m in graph.modifiers if m.category.upper() == "NEGATED")
    if not negations:
        return cues
    trigger_ends = [end for end, _ in negations]
    mention_starts = sorted(m.start_char for m in doc.spans[MENTIONS_KEY])
    kept = []
    for cue in cues:
        span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
        k = bisect.bisect_right(trigger_ends, span.start) - 1 if span is not None else -1
        if k >= 0:
            trigger_end, (scope_start, scope_end) = negations[k]
            if scope_start <= span.start and span.end <= scope_end:
                lo = doc[trigger_end].idx if trigger_end < len(doc) else len(doc.text)
                if bisect.bisect_left(mention_starts, lo) == bisect.bisect_left(mention_starts, cue.start):
                    continue  # no mention between the negation and the cue: denied
        kept.append(cue)
    return kept


class _Sentences:
    """Each sentence's first token and characters, found once per Doc (``span.sent`` walks the whole sentence
    each time it is asked: quadratic in a sentence of thousands of mentions)."""

    def __init__(self, doc: Doc):
        sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.starts = [s.start for s in sentences]
        self.start_chars = [s.start_char for s in sentences]
        self.end_chars = [s.end_char for s in sentences]

    def index(self, token: int) -> int:
        """The sentence holding token ``token`` (as ``doc[token].sent``)."""
        return max(bisect.bisect_right(self.starts, token) - 1, 0)


class _CueIndex:
    """One attribute's cues (non-overlapping, in text order, so their ends ascend too) for lookups by bisection.

    ``candidates`` gives, of the cues in a sentence that count for a mention (not inside another, longer mention),
    a few that include every one _nearest or _heaviest can choose: per weight class (weight, diffuse or not), the
    cues overlapping the mention, the last one ending before it and the first one starting after it, plus the cues
    inside the mention itself; in text order, so that ties fall as they do over the whole sentence. A mention
    thus examines a bounded number of cues, not every cue of a sentence that may hold thousands."""

    def __init__(self, cues: list[Cue]):
        self.cues = cues
        self.starts = [c.start for c in cues]
        self.ends = [c.end for c in cues]
        classes: dict[tuple, list[int]] = {}
        self.inside: dict[tuple, list[int]] = {}  # (start, end) of a mention -> cues lying inside it
        for i, c in enumerate(cues):
            if c.swallowed_by:
                self.inside.setdefault(c.swallowed_by[0], []).append(i)
            else:
                classes.setdefault((c.weight, c.value == "diffuse"), []).append(i)
        self.classes = [(ids, [self.starts[i] for i in ids], [self.ends[i] for i in ids])
                        for ids in classes.values()]

    def between(self, lo: int, hi: int) -> tuple[int, int]:
        """Index range of the cues starting at or after ``lo`` and ending at or before ``hi``."""
        return bisect.bisect_left(self.starts, lo), bisect.bisect_right(self.ends, hi)

    def candidates(self, span: Span, lo: int, hi: int) -> list[Cue]:
        picked = [i for i in self.inside.get((span.start_char, span.end_char), ())
                  if lo <= self.starts[i] < hi and self.ends[i] <= hi]
        for ids, starts, ends in self.classes:
            first = bisect.bisect_left(starts, lo)
            stop = min(bisect.bisect_left(starts, hi), bisect.bisect_right(ends, hi))  # in the sentence
            if first >= stop:
                continue
            left = bisect.bisect_right(ends, span.start_char, first, stop)  # ids[first:left] end before the span
            right = max(bisect.bisect_left(starts, span.end_char, first, stop), left)  # ids[right:stop] start after
            picked.extend(ids[max(left - 1, first):min(right + 1, stop)])
        picked.sort()
        return [self.cues[i] for i in picked]


@Language.factory(
    "thyroid_attributes",
    requires=["token.is_sent_start", "doc.spans", "span._.radpath_rule_id", "doc._.radpath_sections"],
    assigns=["span._.radpath_attributes", "span._.radpath_section", "doc._.radpath_cues"],
)
def make_attribute_linker(nlp: Language, name: str):
    return ThyroidAttributeLinker(nlp, name)
