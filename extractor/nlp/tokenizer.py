"""Tokenizer for report text: keeps "micro-calcifications", "1.2cm" and abbreviations such as "Rt." whole.

spaCy's tokenizer strips one prefix or suffix at a time from a whitespace-free stretch, re-searching what is left
each time, so a long run of punctuation ("!!!!...", "(((("...) costs quadratic time: 5,000 "!" took 4.5 s, 12,000
mixed punctuation marks 30 s. :class:`RunSafeTokenizer` hands such a run to spaCy in slices of at most
``SLICE_CHARS`` characters, cut where a word meets punctuation when it can. Text without a whitespace-free stretch
of ``LONG_RUN_CHARS`` characters (every real report) is tokenised exactly as before, and the Doc's text is always
the input text, character for character, so every offset still slices the report.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import (
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    registry,
)

from ..knowledge.rules import Rule
from ..knowledge.ruleset import load_ruleset

LONG_RUN_CHARS = 200  # a whitespace-free stretch this long is split before spaCy sees it
SLICE_CHARS = 64  # the longest slice of such a stretch given to spaCy at once
_LONG_RUN = re.compile(r"\S{%d,}" % LONG_RUN_CHARS)
_WORD_EDGE = re.compile(r"(?<=\w)(?=\W)|(?<=\W)(?=\w)")


def _cuts(text: str) -> Iterator[int]:
    """Offsets at which to cut ``text`` so that no piece holds more than SLICE_CHARS of a long stretch."""
    for run in _LONG_RUN.finditer(text):
        position, end = run.start(), run.end()
        while end - position > SLICE_CHARS:
            limit = position + SLICE_CHARS
            edges = [m.start() for m in _WORD_EDGE.finditer(text, position + SLICE_CHARS // 2, limit + 1)]
            position = edges[-1] if edges and edges[-1] > position else limit
            yield position


class RunSafeTokenizer(Tokenizer):
    """spaCy's Tokenizer, linear on long runs of punctuation (see the module docstring)."""

    def initialize(self, get_examples=None, *, nlp: Language | None = None, patterns: str | None = None) -> None:
        """Make each abbreviation of ``patterns`` (default: the patterns radpath finds by itself) one token. Called
        by ``nlp.initialize()``; the abbreviations are then saved with the tokenizer by ``nlp.to_disk``."""
        add_abbreviations(self, load_ruleset(patterns).abbreviations)

    def __call__(self, text: str) -> Doc:
        if _LONG_RUN.search(text) is None:
            return super().__call__(text)
        words, spaces, start = [], [], 0
        for end in [*_cuts(text), len(text)]:
            for token in super().__call__(text[start:end]):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
            start = end
        return Doc(self.vocab, words=words, spaces=spaces)


TOKENIZER_NAME = "radpath.tokenizer.v1"
_HYPHEN_BETWEEN_LETTERS = "(?:-|–|—|--|---|——|~)"
_UNIT_SUFFIX = "(?:km|km²"


@registry.tokenizers(TOKENIZER_NAME)
def create_tokenizer() -> Callable[[Language], RunSafeTokenizer]:
    """radpath's tokenizer, named in ``config.cfg`` as ``[nlp.tokenizer] @tokenizers = "radpath.tokenizer.v1"``.

    spaCy's English tokenizer, except that
    - hyphenated words stay one token ("micro-calcifications", "ill-defined"), so rules see the compound;
    - a number glued to its unit stays one token ("1.2cm"), as written;
    - each abbreviation in patterns/abbreviations.tsv is one token (added by ``nlp.initialize()``, saved with the
      pipeline), so its period is not read as a sentence end;
    - a long run of punctuation costs linear time, not quadratic (RunSafeTokenizer).
    """

    def make_tokenizer(nlp: Language) -> RunSafeTokenizer:
        defaults = nlp.Defaults
        infixes = [p for p in defaults.infixes if _HYPHEN_BETWEEN_LETTERS not in p]
        suffixes = [p for p in defaults.suffixes if not p.startswith(f"(?<=[0-9]){_UNIT_SUFFIX}")]
        return RunSafeTokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(defaults.prefixes).search,
            suffix_search=compile_suffix_regex(suffixes).search,
            infix_finditer=compile_infix_regex(infixes).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make_tokenizer


def add_abbreviations(tokenizer: Tokenizer, abbreviations: Iterable[Rule]) -> None:
    """One token per abbreviation, in each of its usual cases."""
    for rule in abbreviations:
        for form in {rule.literal, rule.literal.lower(), rule.literal.upper(), rule.literal.capitalize()}:
            tokenizer.add_special_case(form, [{ORTH: form}])
