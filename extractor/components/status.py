"""Decide each mention's status from its ConText modifiers, its organ and its section.

Decision table (first matching row wins; one test per row in tests/components/test_status.py):
1. organ is not the thyroid (lymph node, parathyroid, other)  -> excluded (organ)
2. section does not describe this exam (history, comparison...) -> excluded (section)
3. FAMILY modifier                                              -> excluded (family)
4. HYPOTHETICAL modifier                                        -> excluded (hypothetical)
5. NEGATED modifier                                             -> negated  (also when historical: "no longer seen")
5b. target rule of polarity "negated" ("surrounding echotexture unremarkable", a table cell "none") -> negated
6. HISTORICAL modifier                                          -> excluded (historical)
7. UNCERTAIN modifier                                           -> uncertain
8. otherwise                                                    -> affirmed
Then, apposition: an affirmed mention followed in its sentence by a hedged mention of the same concept, with the
hedge between them ("tiny echogenic foci at the lower pole, possibly microcalcifications"), is uncertain too.
"""

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
    if span._.rule_polarity == "negated":
        return "negated", f"negative statement: {span._.rule_id} {span.text!r}"
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


def hedge_appositions(spans: list[Span]) -> None:
    for i, first in enumerate(spans):
        if first._.status != "affirmed":
            continue
        for later in spans[i + 1:]:
            if later.sent.start != first.sent.start:
                break
            hedge = modifier_categories(later).get("UNCERTAIN")
            if later.label_ == first.label_ and later._.status == "uncertain" and hedge is not None:
                start, _ = hedge.modifier_span
                if first.end <= start < later.start:
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
