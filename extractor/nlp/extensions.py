"""Every custom ``._`` attribute and ``doc.spans`` key radpath sets, in one table (documented in docs/spacy.md).

Every name starts with ``radpath_``, so radpath never overwrites another package's attribute (medSpaCy's
``span._.modifiers`` and ``doc._.context_graph`` stay medSpaCy's). Registered on demand: importing this module
registers nothing.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

MENTIONS_KEY = "radpath_mentions"  # doc.spans key of target mentions (ConText, displaCy, medSpaCy's DocConsumer)
SECTIONS_KEY = "radpath_sections"  # doc.spans key of section headers, labelled with the section name

DOC_EXTENSIONS = {
    "radpath_sections": None,  # list[extractor.nlp.sections.Section], in text order
    "radpath_cues": None,  # dict[str, list[Cue]]: attribute cues found in the text, by attribute name
    "radpath_context_graph": None,  # medspacy ConTextGraph: every mention, ConText modifier and edge of the Doc
}
SPAN_EXTENSIONS = {
    "radpath_rule_id": "",  # id of the target rule that matched the mention
    "radpath_rule_literal": "",  # its human-readable literal
    "radpath_rule_polarity": "",  # "negated" when the target rule's words themselves state an absence
    "radpath_section": "",  # section name the mention sits in
    "radpath_modifiers": (),  # tuple[medspacy ConTextModifier, ...]: the ConText modifiers that apply to the mention
    "radpath_attributes": None,  # dict[str, Cue | None]: extent, clustering, laterality, organ and the cue behind each
    "radpath_status": "",  # affirmed | uncertain | negated | excluded
    "radpath_status_reason": "",  # why (e.g. "negated: neg-001 'no'", "historical: ...", "organ lymph_node")
}
MEDSPACY_CONTEXT_GRAPH = "context_graph"  # medSpaCy's own Doc attribute: set only when nothing else has set it


def register_extensions() -> None:
    for name, default in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)
    for name, default in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension(MEDSPACY_CONTEXT_GRAPH):
        Doc.set_extension(MEDSPACY_CONTEXT_GRAPH, default=None)  # as medSpaCy's ConText registers it
