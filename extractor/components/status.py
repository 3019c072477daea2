"""Decide each mention's status from its ConText modifiers, its organ and its section.

Decision table (first matching row wins; one test per row in tests/components/test_status.py):
1. organ is not the thyroid (lymph node, parathyroid, other)  -> excluded (organ)
2. section does not describe this exam (history, comparison...) -> excluded (section)
3. FAMILY modifier                                              -> excluded (family)
4. HYPOTHETICAL modifier                                        -> excluded (hypothetical)
5. NEGATED modifier                                             -> negated  (also when historical: "no longer seen")
6. HISTORICAL modifier                                          -> excluded (historical)
7. UNCERTAIN modifier                                           -> uncertain
8. otherwise                                                    -> affirmed
Then, apposition: an affirmed mention followed in its sentence by a hedged mention of the same concept, with the
hedge between them ("tiny echogenic foci at the lower pole, possibly microcalcifications"), is uncertain too.
"""

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import MENTIONS_KEY, register_extensions
from .sections import section_at


def modifier_categories(span: Span) -> dict[str, object]:
    """First modifier of each category that applies to the span."""
    found: dict[str, object] = {}
    for modifier in getattr(span._, "modifiers", ()) or ():
        found.setdefault(modifier.category.upper(), modifier)
    return found


def trigger_span(modifier, doc: Doc) -> Span:
    """The words that triggered a ConText modifier."""
    start, end = modifier.modifier_span
    return doc[start:end]


def trigger_rule_id(modifier) -> str:
    return (modifier.rule.metadata or {}).get("id", "")


def _describe(modifier, doc: Doc) -> str:
    return f"{trigger_rule_id(modifier)} {trigger_span(modifier, doc).text!r}"


def decide_status(span: Span, *, section_current: bool) -> tuple[str, str]:
    modifiers = modifier_categories(span)
    organ_cue = (span._.attributes or {}).get("organ")
    organ = organ_cue.value if organ_cue else "thyroid"
    if organ != "thyroid":
        return "excluded", f"organ {organ}"
    if not section_current:
        return "excluded", f"section {span._.section_name}"
    for category, status in (("FAMILY", "excluded"), ("HYPOTHETICAL", "excluded")):
        if category in modifiers:
            return status, f"{category.lower()}: {_describe(modifiers[category], span.doc)}"
    if "NEGATED" in modifiers:
        return "negated", f"negated: {_describe(modifiers['NEGATED'], span.doc)}"
    if "HISTORICAL" in modifiers:
        return "excluded", f"historical: {_describe(modifiers['HISTORICAL'], span.doc)}"
    if "UNCERTAIN" in modifiers:
        return "uncertain", f"uncertain: {_describe(modifiers['UNCERTAIN'], span.doc)}"
    return "affirmed", ""


class ThyroidMentionStatus:
    def __init__(self, nlp: Language, name: str):
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        sections = doc._.thyroid_sections
        spans = list(doc.spans[MENTIONS_KEY])
        starts = [s.start for s in sections]
        for span in spans:
            section = section_at(sections, span.start_char, starts)
            span._.status, span._.status_reason = decide_status(span, section_current=section.current)
        hedge_appositions(spans)
        return doc


def sentence_starts(spans: list[Span]) -> list[int]:
    """The start token of each span's sentence (as ``span.sent.start``), finding the Doc's sentences once instead
    of walking each span's sentence: a sentence with thousands of mentions stays linear."""
    if not spans:
        return []
    doc = spans[0].doc
    if not doc.has_annotation("SENT_START"):
        return [span.sent.start for span in spans]
    starts = [sentence.start for sentence in doc.sents]
    return [starts[bisect_right(starts, span.start) - 1] for span in spans]


def hedge_appositions(spans: list[Span]) -> None:
    """An affirmed mention takes the hedge of the first later mention of its sentence with the same label that is
    uncertain by a hedge lying between the two. Only the mentions after it up to the first one of another
    sentence count. The same decisions as comparing every pair, in time linear in the mentions of a sentence bar
    the hedged ones (a sentence of 2,000 mentions took 282 s that way)."""
    sentences = sentence_starts(spans)
    run_start = 0
    for index in range(1, len(spans) + 1):
        if index == len(spans) or sentences[index] != sentences[run_start]:
            _hedge_run(spans[run_start:index])
            run_start = index


def _hedge_run(spans: list[Span]) -> None:
    """hedge_appositions within consecutive mentions of one sentence."""
    hedged: dict[str, tuple[list[int], list[tuple[int, object]]]] = {}  # label -> (indices, (hedge start, hedge))
    for index, later in enumerate(spans):
        hedge = modifier_categories(later).get("UNCERTAIN") if later._.status == "uncertain" else None
        if hedge is not None and hedge.modifier_span[0] < later.start:  # a hedge after `later` never qualifies
            indices, hedges = hedged.setdefault(later.label_, ([], []))
            indices.append(index)
            hedges.append((hedge.modifier_span[0], hedge))
    if not hedged:
        return
    for index, first in enumerate(spans):  # a status set here is never read again: laters keep their own
        if first._.status != "affirmed" or first.label_ not in hedged:
            continue
        indices, hedges = hedged[first.label_]
        for start, hedge in hedges[bisect_right(indices, index):]:
            if first.end <= start:
                first._.status = "uncertain"
                first._.status_reason = f"hedged by apposition: {_describe(hedge, first.doc)}"
                break


@Language.factory(
    "thyroid_status",
    requires=["span._.modifiers", "span._.attributes"],
    assigns=["span._.status", "span._.status_reason"],
)
def make_mention_status(nlp: Language, name: str):
    return ThyroidMentionStatus(nlp, name)
