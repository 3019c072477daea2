"""Sentence splitting for report text: periods, line breaks, bullets and headers without periods.

Rules, in order: a section header is its own sentence; a blank line ends a sentence; a single line break ends one
unless the next line continues in lower case (and is not a "key = value" template line), opens a parenthetical in
lower case, or the line ended mid-phrase (comma, hyphen, "and", "of", ...);
".", "!" and "?" end one (abbreviations are single tokens, so "Rt." does not), except a "?" written against the
next word ("?microcalcifications", a hedge).
"""


import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.pipeline import Pipe
from spacy.tokens import Doc

from .extensions import register_extensions
from .matching import doc_text
from .sections import KEY_VALUE_LINE as _KEY_VALUE_LINE
from .tokenizer import TOKENIZER_NAME, RunSafeTokenizer

_ENDERS = {".", "!", "?"}
# a template line "key = value" / "key: value": it starts a sentence even in lower case ("calcs = yes")
_CONTINUERS = {",", "-", "and", "or", "of", "with", "the", "a", "an", "in", "to", "for", "without", "by", "at", "on", "x"}


class ThyroidSentenceSplitter(Pipe):
    """Sets ``token.is_sent_start`` from the sections and the line layout. It needs radpath's tokenizer (one token
    per abbreviation, so "Rt." ends no sentence): built into another tokenizer it refuses, saying what to use."""

    def __init__(self, nlp: Language, name: str):
        if not isinstance(nlp.tokenizer, RunSafeTokenizer):
            raise ValueError(
                f"{name} needs radpath's tokenizer, or abbreviations such as 'Rt.' end sentences: create the "
                f"pipeline with spacy.blank(\"en\", config={{\"nlp\": {{\"tokenizer\": {{\"@tokenizers\": "
                f"\"{TOKENIZER_NAME}\"}}}}}}) or use extractor.nlp.pipeline.build_nlp()")
        self.name = name
        register_extensions()

    def initialize(self, get_examples=None, *, nlp=None) -> None:
        """Nothing to read: the splitting rules are the module's (see its docstring)."""

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            return doc
        bounds = sorted({b for s in doc._.radpath_sections or () for b in (s.start, s.header_end) if b > 0})
        next_bound = 0  # index into bounds: the first header boundary not yet passed
        starts = [False] * len(doc)
        starts[0] = True
        previous = None  # last non-space token
        break_next = False
        text = doc_text(doc)  # once per Doc: Doc.text joins every token each time it is read
        for i, token in enumerate(doc):
            if token.is_space:
                newlines = token.text.count("\n")
                if newlines >= 2:
                    break_next = True
                elif newlines == 1 and previous is not None:
                    following = doc[i + 1] if i + 1 < len(doc) else None
                    continues = previous.lower_ in _CONTINUERS or (
                        following is not None and following.text[:1].islower()
                        and not _KEY_VALUE_LINE.match(text, following.idx)
                    ) or _lower_parenthetical(doc, i + 1)
                    break_next = break_next or not continues
                continue
            at_header = False
            while next_bound < len(bounds) and bounds[next_bound] <= token.idx:
                at_header = True
                next_bound += 1
            ends = previous is not None and previous.text in _ENDERS and not _hedging_question_mark(doc, previous, token)
            if previous is not None and (break_next or at_header or ends):
                starts[i] = True
            break_next = False
            previous = token
        # one array write: setting token.is_sent_start token by token re-checks the whole Doc each time.
        # spaCy reads the array as uint64 (-1 wraps to 2**64 - 1 and back): an int32 array would be read past its end
        doc.from_array([SENT_START], numpy.array([1 if s else -1 for s in starts], dtype="int64").astype("uint64").reshape(-1, 1))
        return doc


def _lower_parenthetical(doc: Doc, i: int) -> bool:
    """Whether the line starting at token i opens a parenthetical in lower case ("(marked hypoechogenicity)"): it
    continues the sentence of the line before; a numbered line "(1) Nodule", "(ii) Left lobe" or "(a) cyst" starts one."""
    if i + 1 >= len(doc) or doc[i].text != "(":
        return False
    numbering = i + 2 < len(doc) and doc[i + 2].text == ")" and len(doc[i + 1].text) <= 4
    return doc[i + 1].text[:1].islower() and not numbering


def _hedging_question_mark(doc: Doc, mark, token) -> bool:
    """A "?" that hedges the word after it rather than ending a sentence: written against that word ("?nodule"), or
    standing alone between spaces before a lower-case word ("foci within, ? microcalcifications")."""
    if mark.text != "?" or not token.text[:1].isalpha():
        return False
    if not mark.whitespace_:
        return True
    alone = mark.i > 0 and bool(doc[mark.i - 1].whitespace_)
    return alone and token.text[:1].islower()


@Language.factory("thyroid_sentences", requires=["doc._.radpath_sections"], assigns=["token.is_sent_start"])
def make_sentence_splitter(nlp: Language, name: str):
    return ThyroidSentenceSplitter(nlp, name)
