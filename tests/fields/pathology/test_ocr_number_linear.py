"""The OCR measurement repair ("l.3 x l.0 cm" read as "1.3 x 1.0 cm") looks ahead only as far as a measurement token
can reach: its unbounded look-aheads re-read a run of "|" or "." to its end at every position (32,000 "|" took 4.7 s
in a hostile report). It is held to the expression it replaced, which repairs the same text."""
import re
import warnings

with warnings.catch_warnings():  # the parser's public names (deprecated aliases of re's private modules)
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants
    import sre_parse

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.fields.pathology import text as pathology_text

OLD_OCR_NUMBER = re.compile(r"(?<![\w.])(?=[\dlI|O.]*\d)(?=[\dlI|O.]*[lI|O])([\dlI|]{1,2}(?:\.[\dlI|O]{1,2})?)"
                            r"(?=[ \t]*(?:[x×*][ \t]*[\dlI|]|cm\b|mm\b|crn\b|g\b))")
PIECES = ["l", "I", "|", "O", "0", "1", "3", "8", ".", " ", "\t", "x", "×", "*", "cm", "mm", "crn", "g", "a", "w",
          "||||", "....", "l.", ".3"]


def _repair(regex, text):
    return regex.sub(lambda m: m.group(1).translate(pathology_text._OCR_DIGIT), text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_same_repairs_as_before(text):
    assert _repair(pathology_text._OCR_NUMBER, text) == _repair(OLD_OCR_NUMBER, text)


def test_same_repairs_on_measurement_lines():
    lines = ["Tumour size: l.3 x l.0 x 0.8 cm", "weight l8 g", "I.2 cm nodule", "|.5 mm", "1O.2 cm", "2.O cm",
             "size ll.l crn", "l.3.5 cm", "ll1 cm", "|||| cm", "....l cm", "pT1 l.2cm", "0.l x 0.2 mm"]
    for text in [*lines, "\n".join(lines), "|" * 300 + " cm", "." * 300 + "l cm", "l" * 300 + " x 1"]:
        assert _repair(pathology_text._OCR_NUMBER, text) == _repair(OLD_OCR_NUMBER, text)


def _unbounded_leading_lookahead(pattern: str) -> bool:
    """Whether a look-ahead tried before the token (at every position of the text) repeats without bound."""
    for op, arg in sre_parse.parse(pattern):
        if op == sre_constants.SUBPATTERN:  # the token itself: what follows it is read once per token
            return False
        if op == sre_constants.ASSERT and any(
                o in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and a[1] == sre_constants.MAXREPEAT
                for o, a in arg[1]):
            return True
    return False


def test_look_aheads_are_bounded():
    assert _unbounded_leading_lookahead(OLD_OCR_NUMBER.pattern)  # the check sees the old quadratic form
    assert not _unbounded_leading_lookahead(pathology_text._OCR_NUMBER.pattern)
