"""Tokenizer for report text: keeps "micro-calcifications", "1.2cm" and abbreviations such as "Rt." whole."""
from __future__ import annotations

from typing import Iterable

from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import compile_infix_regex, compile_suffix_regex

from ..rules import Rule

_HYPHEN_BETWEEN_LETTERS = "(?:-|–|—|--|---|——|~)"
_UNIT_SUFFIX = "(?:km|km²"


def customize_tokenizer(nlp: Language, abbreviations: Iterable[Rule]) -> None:
    """Adjust ``nlp.tokenizer`` in place.

    - hyphenated words stay one token ("micro-calcifications", "ill-defined"), so rules see the compound;
    - a number glued to its unit stays one token ("1.2cm"), as written;
    - each abbreviation in patterns/abbreviations.tsv is one token, so its period is not read as a sentence end.
    """
    infixes = [p for p in nlp.Defaults.infixes if _HYPHEN_BETWEEN_LETTERS not in p]
    suffixes = [p for p in nlp.Defaults.suffixes if not p.startswith(f"(?<=[0-9]){_UNIT_SUFFIX}")]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    for rule in abbreviations:
        for form in {rule.literal, rule.literal.lower(), rule.literal.upper(), rule.literal.capitalize()}:
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
