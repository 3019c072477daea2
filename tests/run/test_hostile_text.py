"""Hostile text stays linear: long punctuation runs (tokenizer), many mentions and triggers in one sentence (ConText,
apposition hedging). Each fast path is held to the code it replaces on real-looking text (same tokens, same
mention rows), and its cost is counted in calls or characters searched, never timed."""
from pathlib import Path

import pandas as pd
import pytest
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.tokenizer import Tokenizer

from extractor.knowledge.resources import sample_dir
from extractor.nlp import context, status
from extractor.nlp.extensions import MENTIONS_KEY
from extractor.nlp.mentions import mention_rows
from extractor.nlp.pipeline import build_nlp
from extractor.tools.synth import generate

DENSE = [  # many mentions and triggers in one sentence, still within the ConText window
    "Findings: " + ", ".join(["no microcalcifications", "possibly microcalcifications", "microcalcifications",
                              "echogenic foci", "no comet-tail artefact"] * 5) + ".",
    "There are microcalcifications, microcalcifications, possibly microcalcifications and no calcification, "
    "probably microcalcifications, history of microcalcifications, no evidence of microcalcifications.",
    "Tiny echogenic foci at the lower pole, possibly microcalcifications, and coarse calcification, likely benign, "
    "without microcalcifications in the left lobe, but questionable microcalcifications on the right.",
]
KIT = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "negex_testset.tsv"


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()  # a copy: these tests change its tokenizer's hooks


@pytest.fixture(scope="module")
def texts():
    frame = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    found = list(frame["text"]) + list(generate(60, seed=3)["text"]) + DENSE
    if KIT.is_file():
        from extractor.tools.negex_kit import read_kit

        found += [row.sentence for row in read_kit(KIT)]
    return found


HOSTILE = ["!" * 5000, "!?.,;:" * 800, "(" * 3000 + "microcalcifications" + ")" * 3000, "a" * 50_000,
           "Findings: " + "!" * 700 + "microcalcifications" + "?" * 700 + " in the right lobe.",
           "x" * 199 + " " + "é\u0301" * 300 + "\x00" * 300, "1.2" * 2000 + "cm", "-" * 400 + "\n\n" + "=" * 400]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_tokens_slice_the_text_on_hostile_runs(nlp, text):
    doc = nlp.make_doc(text)
    assert doc.text == text
    assert all(text[t.idx:t.idx + len(t.text)] == t.text for t in doc)


def test_punctuation_runs_cost_linear_search(nlp, monkeypatch):
    tokenizer = nlp.tokenizer
    searched = []
    suffix_search = tokenizer.suffix_search

    def counting(text):
        searched.append(len(text))
        return suffix_search(text)

    tokenizer.suffix_search = counting
    try:
        for text in ("!" * 5000, "!?.,;:" * 800):
            searched.clear()
            tokenizer(text)
            assert sum(searched) <= 100 * len(text)  # spaCy alone re-searches the rest: ~len(text)**2 / 2
    finally:
        tokenizer.suffix_search = suffix_search


def test_real_text_is_tokenised_as_spacy_does(nlp, texts):
    tokenizer = nlp.tokenizer
    for text in texts:
        ours, spacys = tokenizer(text), Tokenizer.__call__(tokenizer, text)
        assert [(t.text, t.whitespace_) for t in ours] == [(t.text, t.whitespace_) for t in spacys]


def _rows(nlp, texts):
    rows = []
    for index, text in enumerate(texts):
        rows += mention_rows(nlp(text), report_id=str(index), patient_id="p")
    return pd.DataFrame(rows)


def reference_update_scopes(modifiers):
    graph = ConTextGraph(prune_on_modifier_overlap=False)
    graph.modifiers = modifiers
    graph.update_scopes()


def reference_hedge_appositions(spans):  # the pairwise version this module replaced
    for i, first in enumerate(spans):
        if first._.radpath_status != "affirmed":
            continue
        for later in spans[i + 1:]:
            if later.sent.start != first.sent.start:
                break
            hedge = status.modifier_categories(later).get("UNCERTAIN")
            if later.label_ == first.label_ and later._.radpath_status == "uncertain" and hedge is not None:
                start, _ = hedge.modifier_span
                if first.end <= start < later.start:
                    first._.radpath_status = "uncertain"
                    first._.radpath_status_reason = f"hedged by apposition: {status._describe(hedge, first.doc)}"
                    break


def test_fast_context_and_hedging_give_the_reference_mentions(nlp, texts, monkeypatch):
    ours = _rows(nlp, texts)
    monkeypatch.setattr(context, "update_scopes", reference_update_scopes)
    monkeypatch.setattr(context, "apply_modifiers", ConTextGraph.apply_modifiers)
    monkeypatch.setattr(status, "hedge_appositions", reference_hedge_appositions)
    reference = _rows(nlp, texts)
    assert len(ours) > 1000
    pd.testing.assert_frame_equal(ours, reference)


def test_initial_scopes_are_medspacys(nlp, texts):
    component = nlp.get_pipe("thyroid_context")
    checked = 0
    for text in texts:
        doc = nlp(text)
        targets = list(doc.spans[MENTIONS_KEY])
        for modifier in component.modifiers(doc, targets, context.SentenceBounds(doc)):
            start, end = modifier.modifier_span
            assert modifier.scope_span == ConTextModifier(modifier.rule, start, end, doc).scope_span
            checked += 1
    assert checked > 300


def _count_calls(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def test_a_long_negation_chain_compares_few_scopes(nlp, monkeypatch):
    calls = _count_calls(monkeypatch, ConTextModifier, "limit_scope")
    nlp("no " * 2000 + "microcalcifications.")
    assert 0 < len(calls) <= 2 * context.SCOPE_WINDOW * 2000  # every pair: 2000 * 1999


def test_a_run_of_terminators_limits_no_scope(nlp, monkeypatch):
    calls = _count_calls(monkeypatch, ConTextModifier, "limit_scope")
    doc = nlp("Findings: " + ";" * 5000 + " no microcalcifications in the right lobe.")
    assert [span._.radpath_status for span in doc.spans[MENTIONS_KEY]] == ["negated"]
    assert len(calls) <= 2 * context.SCOPE_WINDOW * 10  # only the one negation asks; 5000 * 32 * 2 otherwise


def test_many_targets_and_triggers_in_one_sentence_ask_few_pairs(nlp, monkeypatch):
    calls = _count_calls(monkeypatch, ConTextModifier, "modifies")
    doc = nlp("Findings: " + "no microcalcifications, " * 600 + "end.")
    assert len(doc.spans[MENTIONS_KEY]) == 600
    assert all(span._.radpath_status == "negated" for span in doc.spans[MENTIONS_KEY])
    assert 0 < len(calls) <= 10 * 600  # every (target, trigger) pair: 600 * 600


def test_many_mentions_in_one_sentence_hedge_in_linear_calls(nlp, monkeypatch):
    calls = _count_calls(monkeypatch, status, "modifier_categories")
    doc = nlp("Findings: " + ", ".join(["microcalcifications"] * 1500 + ["possibly microcalcifications"]) + ".")
    spans = doc.spans[MENTIONS_KEY]
    assert len(spans) == 1501 and all(span._.radpath_status == "uncertain" for span in spans)  # hedged by apposition
    assert len(calls) <= 5 * len(spans)  # every pair: 1501 * 1500 / 2


def test_mention_sentences_are_spacys(nlp, texts):
    for text in texts[:150] + DENSE + HOSTILE:
        doc = nlp(text)
        rows = mention_rows(doc, report_id="r", patient_id="p")
        for row, span in zip(rows, doc.spans[MENTIONS_KEY]):
            assert (row["sentence_start"], row["sentence_end"]) == (span.sent.start_char, span.sent.end_char)
            assert row["sentence"] == span.sent.text
