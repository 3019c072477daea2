"""Build the spaCy pipeline from patterns/. With the components beside it in nlp/, the only layer that knows spaCy.

The pipeline is an ordinary spaCy pipeline (docs/spacy.md): its tokenizer is registered and named in the config
(``radpath.tokenizer.v1``), each component's rules come through ``initialize`` and are saved by ``nlp.to_disk``,
so ``spacy.load`` of a saved copy gives the same Docs anywhere, and ``config.cfg`` holds no path.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.util import registry

from ..knowledge.resources import patterns_dir
from . import attributes, context, sections, sentences, status, targets  # noqa: F401  (registers factories)
from .tokenizer import TOKENIZER_NAME, RunSafeTokenizer

MAX_REPORT_CHARS = 20_000_000  # spaCy's default (1,000,000) would reject a long report outright
PIPE_NAMES = (
    "thyroid_sections",
    "thyroid_sentences",
    "thyroid_targets",
    "thyroid_context",
    "thyroid_attributes",
    "thyroid_status",
)
# cytology and surgical pathology: sections and sentences, none of the ultrasound target rules
PATHOLOGY_PIPE_NAMES = ("thyroid_sections", "thyroid_sentences")
LONG_REPORTS = "radpath.long_reports.v1"
NLP_CONFIG = {"nlp": {"tokenizer": {"@tokenizers": TOKENIZER_NAME}, "after_creation": {"@callbacks": LONG_REPORTS}}}


@registry.callbacks(LONG_REPORTS)
def allow_long_reports():
    """``[nlp.after_creation]``: a pipeline (also one loaded by ``spacy.load``) accepts reports of up to
    MAX_REPORT_CHARS characters."""

    def set_max_length(nlp: Language) -> Language:
        nlp.max_length = MAX_REPORT_CHARS
        return nlp

    return set_max_length


def blank_nlp() -> Language:
    """``spacy.blank("en")`` with radpath's tokenizer (no rules yet: see :func:`initialize_rules`)."""
    return spacy.blank("en", config=NLP_CONFIG)


def initialize_rules(nlp: Language, patterns: str | None = None) -> Language:
    """Give radpath's tokenizer and components in ``nlp`` their rules from ``patterns`` (default: the patterns
    radpath finds by itself), as ``nlp.initialize()`` does, but without writing the directory into the config."""
    directory = str(patterns_dir(patterns).resolve())
    if isinstance(nlp.tokenizer, RunSafeTokenizer):
        nlp.tokenizer.initialize(nlp=nlp, patterns=directory)
    for name, component in nlp.pipeline:
        factory = nlp.get_pipe_meta(name).factory
        if factory in PIPE_NAMES and factory != "thyroid_sentences":  # the sentence splitter reads no rules
            component.initialize(nlp=nlp, patterns=directory)
    return nlp


def build_nlp(patterns: str | None = None, *, pipes: Iterable[str] = PIPE_NAMES) -> Language:
    """A blank English pipeline (no model download) with radpath's components ``pipes`` (in that order), all rules
    read from ``patterns``."""
    nlp = blank_nlp()
    for name in pipes:
        nlp.add_pipe(name)
    return initialize_rules(nlp, patterns)


def build_pathology_nlp(patterns: str | None = None) -> Language:
    """The pipeline for cytology and surgical pathology reports: sections and sentences, no ultrasound targets."""
    return build_nlp(patterns, pipes=PATHOLOGY_PIPE_NAMES)


@lru_cache(maxsize=4)
def cached_nlp(patterns: str | None = None) -> Language:
    return build_nlp(patterns)


@lru_cache(maxsize=4)
def cached_pathology_nlp(patterns: str | None = None) -> Language:
    return build_pathology_nlp(patterns)
