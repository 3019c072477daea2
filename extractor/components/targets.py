"""Target mentions: every concept file in patterns/targets/ matched over the text; look-alikes compete with the
finding they resemble and the longer match wins (so "echogenic foci with comet-tail artifact" is one look-alike)."""

from typing import Optional
from spacy.language import Language
from spacy.tokens import Doc

from ..extensions import MENTIONS_KEY, register_extensions
from ..ruleset import load_ruleset
from .matching import doc_index, find_all, longest_first


class ThyroidTargetMatcher:
    def __init__(self, nlp: Language, name: str, *, patterns: Optional[str]):
        register_extensions()
        self.rules = load_ruleset(patterns).targets

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in longest_first(find_all(doc_index(doc), self.rules)):
            span = doc.char_span(match.start, match.end, label=match.rule.category, alignment_mode="expand")
            if span is None:
                continue
            span._.rule_id = match.rule.id
            span._.rule_literal = match.rule.literal
            span._.rule_polarity = match.rule.get("polarity")
            spans.append(span)
        doc.spans[MENTIONS_KEY] = spans
        return doc


@Language.factory("thyroid_targets", assigns=["doc.spans"], default_config={"patterns": None})
def make_target_matcher(nlp: Language, name: str, patterns: Optional[str]):
    return ThyroidTargetMatcher(nlp, name, patterns=patterns)
