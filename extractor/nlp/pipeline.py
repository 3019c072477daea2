"""Build the spaCy pipeline from patterns/. The only module (with components/ and mentions.py) that knows spaCy."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from ..knowledge.resources import patterns_dir
from ..knowledge.ruleset import load_ruleset
from . import attributes, context, sections, sentences, status, targets  # noqa: F401  (registers factories)
from .tokenizer import customize_tokenizer

MAX_REPORT_CHARS = 20_000_000  # spaCy's default (1,000,000) would reject a long report outright
PIPE_NAMES = (
    "thyroid_sections",
    "thyroid_sentences",
    "thyroid_targets",
    "thyroid_context",
    "thyroid_attributes",
    "thyroid_status",
)


def build_nlp(patterns: str | None = None) -> Language:
    """A blank English pipeline (no model download) with radpath's components, all rules read from ``patterns``."""
    directory = str(patterns_dir(patterns).resolve())
    ruleset = load_ruleset(directory)
    nlp = spacy.blank("en")
    nlp.max_length = MAX_REPORT_CHARS
    customize_tokenizer(nlp, ruleset.abbreviations)
    for name in PIPE_NAMES:
        config = {} if name == "thyroid_sentences" else {"patterns": directory}
        nlp.add_pipe(name, config=config)
    return nlp


@lru_cache(maxsize=4)
def cached_nlp(patterns: str | None = None) -> Language:
    return build_nlp(patterns)
