"""ConText (negation, uncertainty, history, hypothetical, family) with medspaCy's algorithm and our rules.

The rules come from patterns/context/ each time the component is built, so a saved pipeline reloads them
(medspaCy rules added after construction would not survive save/load)."""

from typing import Optional
from medspacy.context import ConText, ConTextRule
from spacy.language import Language
from spacy.tokens import Doc

from ..extensions import MENTIONS_KEY, register_extensions
from ..ruleset import load_ruleset
from ..rules import Rule


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
        self.context = ConText(
            nlp,
            name=name,
            rules=None,
            span_attrs=None,
            input_span_type="group",
            span_group_name=MENTIONS_KEY,
        )
        self.context.add([to_context_rule(r) for r in load_ruleset(patterns).context])

    def __call__(self, doc: Doc) -> Doc:
        return self.context(doc)


@Language.factory(
    "thyroid_context",
    requires=["token.is_sent_start"],
    assigns=["span._.modifiers"],
    default_config={"patterns": None},
)
def make_context(nlp: Language, name: str, patterns: Optional[str]):
    return ThyroidContext(nlp, name, patterns=patterns)
