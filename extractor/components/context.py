"""ConText (negation, uncertainty, history, hypothetical, family) with medspaCy's algorithm and our rules.

Triggers are found by radpath's own matcher (extractor.components.matching: one pass per rule with a literal
pre-check, longest match wins), then medspaCy's ConTextModifier / ConTextGraph decide scopes and edges exactly as
medspaCy's ConText does. medspaCy's own RegexMatcher walks every token of the Doc for every match and cost ~60% of
the pipeline's time; this component gives the same modifiers at a fraction of that.
The rules come from patterns/context/ each time the component is built, so a saved pipeline reloads them."""
from typing import Optional

from medspacy.context import ConTextRule
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..extensions import MENTIONS_KEY, register_extensions
from ..rules import Rule
from ..ruleset import load_ruleset
from .matching import doc_index, find_all, longest_first, overlaps_any


def to_context_rule(rule: Rule) -> ConTextRule:
    scope = rule.get("max_scope")
    return ConTextRule(
        literal=rule.literal,
        category=rule.category,
        pattern=rule.regex.pattern,
        direction=rule.get("direction").upper(),
        max_scope=int(scope) if scope else None,
        metadata={"id": rule.id},
    )


class ThyroidContext:
    def __init__(self, nlp: Language, name: str, *, patterns: Optional[str]):
        register_extensions()
        if not Span.has_extension("modifiers"):
            Span.set_extension("modifiers", default=())
        if not Doc.has_extension("context_graph"):
            Doc.set_extension("context_graph", default=None)
        self.rules = load_ruleset(patterns).context
        self.context_rules = {rule.id: to_context_rule(rule) for rule in self.rules}

    def modifiers(self, doc: Doc, targets) -> list[ConTextModifier]:
        """Trigger matches as modifiers; a trigger overlapping a target mention is part of the finding's own words
        ("echogenic foci without shadowing", "no-flow area") and triggers nothing."""
        taken = sorted((t.start_char, t.end_char) for t in targets)
        starts = [s for s, _ in taken]
        found = []
        for match in longest_first(find_all(doc_index(doc), self.rules)):
            if overlaps_any(match.start, match.end, taken, starts):
                continue
            span = doc.char_span(match.start, match.end, alignment_mode="expand")
            if span is not None and len(span):
                found.append(ConTextModifier(self.context_rules[match.rule.id], span.start, span.end, doc))
        return found

    def __call__(self, doc: Doc) -> Doc:
        """One ConText graph per sentence: a modifier's scope never leaves its sentence, so this gives the same
        edges as one graph per document while staying linear in the length of a very long report."""
        targets = list(doc.spans[MENTIONS_KEY])
        if not targets:  # ConText only where there is something to modify
            doc._.context_graph = []
            return doc
        by_sentence: dict[int, tuple[list, list]] = {}
        for target in targets:
            by_sentence.setdefault(target.sent.start, ([], []))[0].append(target)
        for modifier in self.modifiers(doc, targets):
            sentence = doc[modifier.modifier_span[0]].sent.start
            if sentence in by_sentence:
                by_sentence[sentence][1].append(modifier)
        graphs = []
        for sentence_targets, modifiers in by_sentence.values():
            graph = ConTextGraph(prune_on_modifier_overlap=False)
            graph.targets = sentence_targets
            graph.modifiers = modifiers
            graph.update_scopes()
            graph.apply_modifiers()
            for target, modifier in graph.edges:
                target._.modifiers += (modifier,)
            graphs.append(graph)
        doc._.context_graph = graphs
        return doc


@Language.factory(
    "thyroid_context",
    requires=["token.is_sent_start"],
    assigns=["span._.modifiers"],
    default_config={"patterns": None},
)
def make_context(nlp: Language, name: str, patterns: Optional[str]):
    return ThyroidContext(nlp, name, patterns=patterns)
