"""Every custom ``._`` attribute radpath sets, in one table. Registered on demand (no import-time side effects)."""
from __future__ import annotations

from spacy.tokens import Doc, Span

MENTIONS_KEY = "thyroid_mentions"  # doc.spans key of target mentions (ConText reads this group)

DOC_EXTENSIONS = {
    "thyroid_sections": None,  # list[extractor.nlp.sections.Section], in text order
    "thyroid_cues": None,  # dict[str, list[Cue]]: attribute cues found in the text, by attribute name
}
SPAN_EXTENSIONS = {
    "rule_id": "",  # id of the target rule that matched the mention
    "rule_literal": "",  # its human-readable literal
    "rule_polarity": "",  # "negated" when the target rule's words themselves state an absence (patterns/targets/)
    "section_name": "",  # section name the mention sits in
    "attributes": None,  # dict[str, Cue | None]: extent, clustering, laterality, organ and the cue behind each
    "status": "",  # affirmed | uncertain | negated | excluded
    "status_reason": "",  # why (e.g. "negated by neg-001 'no'", "historical", "lymph_node")
}


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
