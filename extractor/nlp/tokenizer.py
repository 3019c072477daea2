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
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_suffix_regex

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


def run_safe_tokenizer(nlp: Language) -> RunSafeTokenizer:
    """A RunSafeTokenizer with the settings of ``nlp.tokenizer``."""
    old = nlp.tokenizer
    return RunSafeTokenizer(nlp.vocab, rules=old.rules, prefix_search=old.prefix_search,
                            suffix_search=old.suffix_search, infix_finditer=old.infix_finditer,
                            token_match=old.token_match, url_match=old.url_match)

from ..knowledge.rules import Rule

_HYPHEN_BETWEEN_LETTERS = "(?:-|–|—|--|---|——|~)"
_UNIT_SUFFIX = "(?:km|km²"


def customize_tokenizer(nlp: Language, abbreviations: Iterable[Rule]) -> None:
    """Adjust ``nlp.tokenizer`` in place.

    - hyphenated words stay one token ("micro-calcifications", "ill-defined"), so rules see the compound;
    - a number glued to its unit stays one token ("1.2cm"), as written;
    - each abbreviation in patterns/abbreviations.tsv is one token, so its period is not read as a sentence end;
    - a long run of punctuation costs linear time, not quadratic (RunSafeTokenizer).
    """
    nlp.tokenizer = run_safe_tokenizer(nlp)
    infixes = [p for p in nlp.Defaults.infixes if _HYPHEN_BETWEEN_LETTERS not in p]
    suffixes = [p for p in nlp.Defaults.suffixes if not p.startswith(f"(?<=[0-9]){_UNIT_SUFFIX}")]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    for rule in abbreviations:
        for form in {rule.literal, rule.literal.lower(), rule.literal.upper(), rule.literal.capitalize()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
