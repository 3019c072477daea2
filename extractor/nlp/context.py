"""ConText (negation, uncertainty, history, hypothetical, family) with medspaCy's algorithm and our rules.

Triggers are found by radpath's own matcher (extractor.nlp.matching: one pass per rule with a literal
pre-check, longest match wins), then medspaCy's ConTextModifier / ConTextGraph decide scopes and edges exactly as
medspaCy's ConText does. medspaCy's own RegexMatcher walks every token of the Doc for every match and cost ~60% of
the pipeline's time; this component gives the same modifiers at a fraction of that.
The rules come from patterns/context/ through ``initialize`` and are saved with the pipeline (components.base).

ConTextGraph compares every pair of modifiers of a sentence and every (target, modifier) pair: quadratic, so a
hostile sentence ("no " x 6,000) took minutes. :func:`update_scopes` and :func:`apply_modifiers` give the same
edges for every real sentence while staying linear (see each)."""
from bisect import bisect_left, bisect_right
from itertools import accumulate

from medspacy.context import ConTextRule
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..knowledge.rules import Rule
from .base import RuleComponent
from .extensions import MEDSPACY_CONTEXT_GRAPH, MENTIONS_KEY, register_extensions
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


SCOPE_WINDOW = 32  # a modifier's scope is compared with the next SCOPE_WINDOW modifiers of its sentence


def update_scopes(modifiers: list[ConTextModifier]) -> None:
    """ConTextGraph.update_scopes, in the same order, but each modifier is compared with the next SCOPE_WINDOW
    modifiers only: the same scopes for a sentence of up to SCOPE_WINDOW + 1 modifiers (every real sentence; a
    scope is cut by its nearest terminating neighbour), linear in a hostile one."""
    # limit_scope is asked only where it can change a scope; its own first checks, made here on plain values: a
    # terminator's scope never changes (a sentence of 20,000 ";" stays cheap); a modifier is cut only by a
    # terminator, a category it is terminated by, or its own category; and only by a modifier whose scope
    # overlaps its own (medspacy.util.tuple_overlaps, asymmetric as it is). In a chain of thousands of "no" each
    # scope ends at the next trigger, so nearly every pair is skipped.
    kinds = [(m.direction.upper(), m.category.upper(), m.rule.terminated_by) for m in modifiers]

    def may_limit(x: int, y: int) -> bool:
        (direction, category, terminated_by), (other_direction, other_category, _) = kinds[x], kinds[y]
        if direction == "TERMINATE":
            return False
        if not (other_direction == "TERMINATE" or other_category in terminated_by or other_category == category):
            return False
        a, b = modifiers[x].scope_span, modifiers[y].scope_span
        return a[0] <= b[0] < a[1] or a[0] < b[1] <= a[1]

    for i, first in enumerate(modifiers):
        for j in range(i + 1, min(i + 1 + SCOPE_WINDOW, len(modifiers))):
            second = modifiers[j]
            if may_limit(i, j):
                first.limit_scope(second)
            if may_limit(j, i):
                second.limit_scope(first)


def apply_modifiers(graph: ConTextGraph) -> None:
    """ConTextGraph.apply_modifiers (without pruning on overlap, which we turn off): each modifier is asked only
    about the targets that can overlap its scope (found by bisection) instead of every target of the sentence, in
    target order, so every modifier gets the same targets and the graph the same edges."""
    targets = graph.targets
    order = sorted(range(len(targets)), key=lambda k: targets[k].start)
    starts = [targets[k].start for k in order]
    reach = list(accumulate((targets[k].end for k in order), max))  # the furthest end up to each target
    for modifier in graph.modifiers:
        scope_start, scope_end = modifier.scope_span
        low, high = bisect_right(reach, scope_start), bisect_left(starts, scope_end + 1)
        for k in sorted(order[low:high]):
            if modifier.modifies(targets[k]):
                modifier.modify(targets[k])
    edges = []
    for modifier in graph.modifiers:
        modifier.reduce_targets()
        edges.extend((target, modifier) for target in modifier._targets)
    graph.edges = edges


class SentenceBounds:
    """Each sentence's (start, end) token, found once per Doc: ``bounds(i)`` is ``doc[i].sent``'s. Asking each
    token or span for its ``.sent`` walks the sentence every time: quadratic in a sentence of thousands of
    mentions."""

    def __init__(self, doc: Doc):
        sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.starts = [sentence.start for sentence in sentences]
        self.ends = [sentence.end for sentence in sentences]

    def bounds(self, token: int) -> tuple[int, int]:
        k = bisect_right(self.starts, token) - 1
        return self.starts[k], self.ends[k]


def initial_scope(rule: ConTextRule, start: int, end: int, sentence: tuple[int, int]) -> tuple[int, int]:
    """The scope ConTextModifier gives a trigger at tokens [start, end) of ``sentence`` before update_scopes (its
    own rule: the sentence in the rule's direction, cut to max_scope tokens)."""
    sentence_start, sentence_end = sentence
    direction, max_scope = rule.direction.lower(), rule.max_scope
    if direction == "forward":
        scope = (end, sentence_end)
        return (end, end + max_scope) if max_scope is not None and scope[1] - scope[0] > max_scope else scope
    if direction == "backward":
        scope = (sentence_start, start)
        return (start - max_scope, start) if max_scope is not None and scope[1] - scope[0] > max_scope else scope
    scope_start, scope_end = sentence_start, sentence_end  # bidirectional (and terminate, pseudo)
    if max_scope is not None and start - scope_start > max_scope:
        scope_start = start - max_scope
    if max_scope is not None and scope_end - end > max_scope:
        scope_end = end + max_scope
    return scope_start, scope_end


def merged_graph(graphs: list[ConTextGraph]) -> ConTextGraph:
    """One medSpaCy ConTextGraph holding every sentence graph's targets, modifiers and edges, in text order (what
    medSpaCy's ConText sets as ``doc._.context_graph``)."""
    graph = ConTextGraph(prune_on_modifier_overlap=False)
    graph.targets = [target for g in graphs for target in g.targets]
    graph.modifiers = [modifier for g in graphs for modifier in g.modifiers]
    graph.edges = [edge for g in graphs for edge in g.edges]
    return graph


class ThyroidContext(RuleComponent):
    """ConText modifiers of each mention in ``span._.radpath_modifiers``; the Doc's graph in
    ``doc._.radpath_context_graph``, and in medSpaCy's ``doc._.context_graph`` unless something (medSpaCy's own
    ConText) has set that already."""

    rule_groups = ("context",)

    def __init__(self, nlp: Language, name: str):
        super().__init__(nlp, name)
        register_extensions()
        self.rules, self.context_rules = (), {}

    def rules_from(self, ruleset):
        return {"context": ruleset.context}

    def set_rules(self, groups) -> None:
        self.rules = groups["context"]
        self.context_rules = {rule.id: to_context_rule(rule) for rule in self.rules}

    def modifiers(self, doc: Doc, targets, sentences: SentenceBounds) -> list[ConTextModifier]:
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
                rule = self.context_rules[match.rule.id]
                scope = initial_scope(rule, span.start, span.end, sentences.bounds(span.start))
                found.append(ConTextModifier(rule, span.start, span.end, doc, scope_start=scope[0],
                                             scope_end=scope[1]))
        return found

    def __call__(self, doc: Doc) -> Doc:
        """One ConText graph per sentence: a modifier's scope never leaves its sentence, so this gives the same
        edges as one graph per document while staying linear in the length of a very long report."""
        self.check_initialized()
        targets = list(doc.spans[MENTIONS_KEY])
        if not targets:  # ConText only where there is something to modify
            self._set_graph(doc, [])
            return doc
        sentences = SentenceBounds(doc)
        by_sentence: dict[int, tuple[list, list]] = {}
        for target in targets:
            by_sentence.setdefault(sentences.bounds(target.start)[0], ([], []))[0].append(target)
        for modifier in self.modifiers(doc, targets, sentences):
            sentence = sentences.bounds(modifier.modifier_span[0])[0]
            if sentence in by_sentence:
                by_sentence[sentence][1].append(modifier)
        graphs = []
        for sentence_targets, modifiers in by_sentence.values():
            graph = ConTextGraph(prune_on_modifier_overlap=False)
            graph.targets = sentence_targets
            graph.modifiers = modifiers
            update_scopes(graph.modifiers)
            apply_modifiers(graph)
            for target, modifier in graph.edges:
                target._.radpath_modifiers += (modifier,)
            graphs.append(graph)
        self._set_graph(doc, graphs)
        return doc

    @staticmethod
    def _set_graph(doc: Doc, graphs: list[ConTextGraph]) -> None:
        graph = merged_graph(graphs)
        doc._.radpath_context_graph = graph
        if getattr(doc._, MEDSPACY_CONTEXT_GRAPH) is None:
            setattr(doc._, MEDSPACY_CONTEXT_GRAPH, graph)


@Language.factory(
    "thyroid_context",
    requires=["token.is_sent_start", "doc.spans", "span._.radpath_rule_id"],  # the target matcher's mentions
    assigns=["span._.radpath_modifiers", "doc._.radpath_context_graph", "doc._.context_graph"],
)
def make_context(nlp: Language, name: str):
    return ThyroidContext(nlp, name)
