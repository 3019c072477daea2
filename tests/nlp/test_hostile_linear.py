"""The attribute linker, the next-sentence hedge and ConText scopes stay linear in a sentence of thousands of mentions,
cues and triggers.

Each is held to the code it replaced (same mention rows on real-looking and cue-dense text), and its cost is
counted (distances computed, cues iterated, sentences walked), never timed."""
import bisect
import random

import pandas as pd
import pytest

from extractor.knowledge.resources import sample_dir
from extractor.nlp import attributes, status
from extractor.nlp.attributes import Cue, ThyroidAttributeLinker
from extractor.nlp.extensions import MENTIONS_KEY
from extractor.nlp.mentions import mention_rows
from extractor.nlp.pipeline import build_nlp
from extractor.nlp.sections import section_at
from extractor.tools.synth import generate, hostile

_PIECES = ("microcalcifications", "no microcalcifications", "echogenic foci", "punctate echogenic foci",
           "right", "left", "Rt. lobe", "bilateral", "isthmus", "in the right lobe", "in the left lobe",
           "diffuse", "scattered", "throughout", "within the nodule", "a few", "lower pole", "localized",
           "clustered", "in a cluster", "aggregated", "lymph node", "level IV", "thyroid", "gland",
           "diffuse thyroid disease", "possibly microcalcifications", "coarse calcification", "and", "with", ",")


def _dense(seed: int) -> str:
    """Cue-dense text: sentences of 3-40 random mention words and cues, some in nodule blocks."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(rng.randint(2, 8)):
        sentence = " ".join(rng.choice(_PIECES) for _ in range(rng.randint(3, 40)))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        if rng.random() < 0.2:
            sentences.append(f"\nNodule {rng.randint(1, 3)}:\nLocation: {rng.choice(('right', 'left'))}\n")
    return " ".join(sentences)


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@pytest.fixture(scope="module")
def texts():
    frame = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    return (list(frame["text"]) + list(generate(60, seed=7)["text"]) + [_dense(seed) for seed in range(150)]
            + [t.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # invalid bytes as the reader has them
               for t in hostile(80, seed=3, scale=0.02)["text"]])


def reference_attributes(self, doc):  # the linker's __call__ as it was: every cue of the sentence per mention
    cues = self.find_cues(doc)
    doc._.radpath_cues = cues
    cue_starts = {a: [c.start for c in cs] for a, cs in cues.items()}
    sections = doc._.radpath_sections
    section_starts = [s.start for s in sections]
    for span in doc.spans[MENTIONS_KEY]:
        sentence = span.sent
        lo, hi = sentence.start_char, sentence.end_char
        section = section_at(sections, span.start_char, section_starts)
        span._.radpath_section = section.name
        own = ((span.start_char, span.end_char),)
        in_sentence = {a: [c for c in cs[bisect.bisect_left(cue_starts[a], lo):bisect.bisect_left(cue_starts[a], hi)]
                           if c.end <= hi and c.swallowed_by in ((), own)] for a, cs in cues.items()}
        span._.radpath_attributes = {
            "organ": self._nearest(in_sentence["organ"], span)
            or self._section_default("organ", section.organ, section.start),
            "laterality": self._nearest(in_sentence["laterality"], span)
            or self._section_default("laterality", section.laterality, section.start)
            or reference_carried_over(cues["laterality"], span, section),
            "extent": self._heaviest(in_sentence["extent"], span)
            or self._section_default("extent", section.extent, section.start),
            "clustering": self._nearest(in_sentence["clustering"], span),
        }
    return doc


def reference_carried_over(cues, span, section):
    sentence = span.sent
    if section.name == "nodule":
        lo = section.start
    elif sentence.start > 0:
        lo = span.doc[sentence.start - 1].sent.start_char
    else:
        return None
    earlier = [c for c in cues if max(lo, section.start) <= c.start and c.end <= sentence.start_char]
    if not earlier or (section.name != "nodule" and len({c.value for c in earlier}) > 1):
        return None
    last = earlier[-1]
    return Cue(last.attribute, last.value, last.start, last.end, last.rule_id, source="earlier_sentence")


def reference_hedge_followups(spans):  # as it was: each span's sentence walked
    by_sentence = {}
    for span in spans:
        by_sentence.setdefault(span.sent.start, []).append(span)
    starts = sorted(by_sentence)
    for previous, current in zip(starts, starts[1:]):
        later = by_sentence[current]
        if len(later) != 1 or later[0]._.radpath_status != "uncertain" or "UNCERTAIN" not in status.modifier_categories(later[0]):
            continue
        hedged = later[0]
        if hedged.doc[previous].sent.end != hedged.sent.start:
            continue
        own = (hedged._.radpath_attributes or {}).get("laterality")
        own_side = own.value if own is not None and own.source == "sentence" else ""
        for first in by_sentence[previous]:
            side = (first._.radpath_attributes or {}).get("laterality")
            if first.label_ == hedged.label_ and first._.radpath_status == "affirmed" and (
                    not own_side or (side is not None and side.value == own_side)):
                first._.radpath_status = "uncertain"
                first._.radpath_status_reason = f"hedged in the next sentence: {hedged.text!r} {hedged._.radpath_status_reason}"


def _rows(nlp, texts):
    rows = []
    for index, text in enumerate(texts):
        rows += mention_rows(nlp(text), report_id=str(index), patient_id="p")
    return pd.DataFrame(rows)


ADVERSARIAL = ("Findings: " + ", ".join(["right microcalcifications", "scattered echogenic foci in a cluster"] * 400)
               + ". " + ", ".join(["microcalcifications"] * 800) + ".")


class _Calls(list):
    original = None


def _count(monkeypatch, module, name):
    calls = _Calls()
    original = getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    calls.original = original
    monkeypatch.setattr(module, name, counting)
    return calls


def test_fast_attributes_and_followups_give_the_reference_mentions_in_linear_work(nlp, texts, monkeypatch):
    ours = _rows(nlp, texts + [ADVERSARIAL])
    calls = _count(monkeypatch, attributes, "_distance")
    spans = list(nlp(ADVERSARIAL).spans[MENTIONS_KEY])
    assert len(spans) == 1600 and {s._.radpath_attributes["laterality"].source for s in spans[800:]} == {"earlier_sentence"}
    assert 0 < len(calls) <= 12 * len(spans)  # the reference: every mention against every cue of its sentence, 960,000
    monkeypatch.setattr(ThyroidAttributeLinker, "__call__", reference_attributes)
    monkeypatch.setattr(status, "hedge_followups", reference_hedge_followups)
    monkeypatch.setattr(attributes, "_distance", calls.original)
    reference = _rows(nlp, texts + [ADVERSARIAL])
    assert len(ours) > 3000
    assert (ours["laterality_source"] == "earlier_sentence").sum() > 50  # the carried-over side is exercised
    assert ours["extent"].ne("").sum() > 500 and ours["organ"].eq("lymph_node").sum() > 100
    assert ours["status_reason"].str.startswith("hedged in the next sentence").sum() > 0
    pd.testing.assert_frame_equal(ours, reference)


class _CountingList(list):
    """A cue list that counts the cues iterated over it."""
    seen = 0

    def __iter__(self):
        for item in list.__iter__(self):
            _CountingList.seen += 1
            yield item


def test_a_side_carried_over_is_found_once_per_sentence(nlp, monkeypatch):
    find_cues = ThyroidAttributeLinker.find_cues
    monkeypatch.setattr(ThyroidAttributeLinker, "find_cues",
                        lambda self, doc: {a: _CountingList(cs) for a, cs in find_cues(self, doc).items()})
    _CountingList.seen = 0
    doc = nlp(ADVERSARIAL)
    cues = len(doc._.radpath_cues["laterality"])
    assert cues == 400
    assert _CountingList.seen <= 10 * sum(len(cs) for cs in doc._.radpath_cues.values())  # 800 * 400 otherwise


def _sent_walks(doc):
    """Count ``span.sent`` (spaCy walks the sentence each time) through spaCy's span hook, same answer."""
    walks = []
    sentences = list(doc.sents)
    starts = [s.start for s in sentences]

    def sent(span):
        walks.append(1)
        return sentences[bisect.bisect_right(starts, span.start) - 1]

    doc.user_span_hooks["sent"] = sent
    return walks


def test_the_linker_and_the_followup_hedge_walk_no_sentence_per_mention(nlp):
    doc = nlp(ADVERSARIAL)
    before = [(s._.radpath_attributes, s._.radpath_status) for s in doc.spans[MENTIONS_KEY]]
    walks = _sent_walks(doc)
    nlp.get_pipe("thyroid_attributes")(doc)
    assert len(walks) <= 2  # the linker as it was: twice per mention, 4,800
    walks.clear()
    status.hedge_followups(list(doc.spans[MENTIONS_KEY]))
    assert len(walks) <= 2  # the next-sentence hedge as it was: once per mention, 1,600
    assert [(s._.radpath_attributes, s._.radpath_status) for s in doc.spans[MENTIONS_KEY]] == before


def test_a_chain_of_same_category_triggers_asks_one_scope_limit_each(nlp, monkeypatch):
    from medspacy.context.context_modifier import ConTextModifier

    calls = _count(monkeypatch, ConTextModifier, "limit_scope")
    doc = nlp("Findings: " + "<no calcification> " * 1000)
    spans = doc.spans[MENTIONS_KEY]
    assert len(spans) == 1000 and all(span._.radpath_status == "negated" for span in spans)
    assert 0 < len(calls) <= 2 * len(spans)  # each trigger against the next SCOPE_WINDOW both ways: 64,000


def _us_blocks(n: int) -> str:
    return "".join(f"FINDINGS:\nRight lobe: Nodule {i}: 1.{i % 10} x 0.8 x 0.9 cm solid hypoechoic nodule with "
                   f"microcalcifications, TR5.\nthyroid us.  indication: prior nodule. Left lobe: 0.5 cm cyst.\n"
                   f"IMPRESSION: TI-RADS 5 nodule {i}, right.\n\n" for i in range(1, n + 1))


def test_nodule_regions_are_cut_only_by_the_cuts_they_overlap(extractor, monkeypatch):
    import builtins

    from extractor.fields import nodules

    calls = []

    def counting_min(*args, **kwargs):
        calls.append(1)
        return builtins.min(*args, **kwargs)

    text = _us_blocks(60)
    regions = extractor.nodule_extractor._regions(text)
    monkeypatch.setattr(nodules, "min", counting_min, raising=False)
    assert extractor.nodule_extractor._regions(text) == regions
    assert len(regions) >= 240
    assert 0 < len(calls) <= 2 * 60  # every region against every cut: 240 * 60


class _CountingRow(dict):
    """A mention row that counts the fields read from it."""
    reads = 0

    def __getitem__(self, key):
        _CountingRow.reads += 1
        return dict.__getitem__(self, key)


def test_nodule_fields_find_their_mentions_by_position(extractor):
    text = _us_blocks(60)
    record = {"report_id": "r", "patient_id": "p", "report_date": "2020-01-01", "report_type": "US", "text": text}
    mentions, _, nodules = extractor.extract_report(record)
    assert len(nodules) >= 60 and len(mentions) >= 300
    counting = [_CountingRow(m) for m in mentions]
    _CountingRow.reads = 0
    assert extractor.nodule_extractor.rows(record, counting) == nodules
    assert 0 < _CountingRow.reads <= 4 * len(mentions)  # every mention for every nodule field: 60 * 300 * 3
    from extractor.fields.nodule_parts import MentionSpans, mention_ids

    spans, rng = MentionSpans(mentions), random.Random(0)
    ranges = [(m["start_char"] + d, m["end_char"] + e) for m in mentions for d in (-3, 0, 2) for e in (-2, 0, 4)]
    ranges += [(a, a + rng.randint(0, 400)) for a in (rng.randint(0, len(text)) for _ in range(500))]
    for start, end in ranges:  # the plain scan over the rows is the code the index replaced
        assert mention_ids(spans, start, end) == mention_ids(mentions, start, end)


def test_an_addendum_over_many_mentions_walks_no_sentence_per_mention(nlp):
    text = ("Findings: " + ", ".join(["microcalcifications in the right lobe"] * 300) + ".\n"
            "ADDENDUM: " + " ".join(["On review no microcalcifications are seen."] * 20))
    doc = nlp(text)
    spans = list(doc.spans[MENTIONS_KEY])
    assert {s._.radpath_status_reason.split(":")[0] for s in spans[:300]} == {"withdrawn by an amendment"}
    for span in spans[:300]:  # undo, then withdraw again with the walks counted
        span._.radpath_status, span._.radpath_status_reason = "affirmed", ""
    walks = _sent_walks(doc)
    component = nlp.get_pipe("thyroid_status")
    sections = doc._.radpath_sections
    component.amendments.apply(doc, spans, sections, [s.start for s in sections])
    assert {s._.radpath_status_reason.split(":")[0] for s in spans[:300]} == {"withdrawn by an amendment"}
    assert len(walks) <= 2 * 20  # once per sentence of the addendum; the code it replaced: 20 * 320 * 2 and more


def test_nodule_matches_are_resolved_in_linear_steps(extractor):
    import sys

    from extractor.fields import nodule_parts as nodule_fields

    rules = extractor.nodule_extractor.rules.anchors
    text = "nodule, " * 2000
    steps = []

    def trace(frame, event, arg):  # count the lines run in nodule_fields (each pair compared is one)
        if frame.f_code.co_filename == nodule_fields.__file__:
            steps.append(1)
        return trace

    sys.settrace(trace)
    try:
        hits = nodule_fields.best_matches(rules, text, 0, "anchor")
    finally:
        sys.settrace(None)
    assert len(hits) == 2000
    assert len(steps) <= 40 * len(hits)  # every kept match against every new one: 2000 * 1999 / 2


def _run_on(words: int, seed: int) -> str:
    """One long sentence (no full stop, no line break) of nodule words, sides and features, as dictated run-ons are."""
    rng = random.Random(seed)
    pieces = ("nodule", "a nodule", "cyst", "solid", "hypoechoic", "isoechoic", "1.2 cm", "0.8 x 0.6 cm", "right",
              "left", "isthmus", "right neck", "lower pole", "with", "and", "in the", "thyroid", "gland", "wider than tall",
              "smooth margins", "microcalcifications", "comet tail", "spongiform", "is seen", "measuring", ",", "also")
    return "Findings: " + " ".join(rng.choice(pieces) for _ in range(words))


def _reference_side_before(self, text, ss, se, gs):  # as it was: the sentence's whole beginning matched per anchor
    before = [h for h in self._feature_hits(text, ss, gs, features=("side",)) if h.value != "none"]
    return before[-1] if before else None


def test_the_side_before_a_nodule_is_the_one_the_whole_sentence_start_gives(extractor, texts, monkeypatch):
    from extractor.fields.nodules import NoduleExtractor

    sides_far = ("Findings: Right lobe: " + ", ".join(f"a {1 + i % 9}.{i % 10} cm solid nodule" for i in range(300))
                 + ", the left lobe shows " + " and ".join(["a cyst"] * 200))
    corpus = texts + [_run_on(n, seed) for seed, n in enumerate((300, 1200, 3000, 6000))] + [sides_far]
    ours = [extractor.nodule_extractor.nodules(t) for t in corpus]
    monkeypatch.setattr(NoduleExtractor, "_side_before", _reference_side_before)
    reference = [extractor.nodule_extractor.nodules(t) for t in corpus]
    assert sum(len(n) for n in reference) > 1500
    inherited = [n for ns in reference for n in ns if n.values.get("side") and n.values["side"].start < n.unit.start]
    assert len(inherited) > 300  # the side written before the nodule's own clause is exercised, near and far
    assert ours == reference


def _chars_matched(monkeypatch, extractor, text) -> int:
    """Characters the nodule extractor hands to the rule matcher for one text."""
    from extractor.fields import nodules

    seen = []

    def counting(rules, chunk, offset, feature, *, cell=False):
        seen.append(len(chunk))
        return best_matches(rules, chunk, offset, feature, cell=cell)

    best_matches = nodules.best_matches
    monkeypatch.setattr(nodules, "best_matches", counting)
    extractor.nodule_extractor.nodules(text)
    monkeypatch.setattr(nodules, "best_matches", best_matches)
    return sum(seen)


def test_a_run_on_sentence_is_matched_in_work_linear_in_its_length(extractor, monkeypatch):
    small, large = _run_on(3000, seed=1), _run_on(3000, seed=1) + " " + _run_on(3000, seed=2)[len("Findings: "):]
    work_small, work_large = _chars_matched(monkeypatch, extractor, small), _chars_matched(monkeypatch, extractor, large)
    assert len(extractor.nodule_extractor.nodules(large)) > 400
    assert work_large <= 2.3 * work_small * len(large) / (2 * len(small))  # twice the text, about twice the work
    assert work_small <= 30 * len(small)  # matching each anchor's sentence start again: 1,000 times the length


class _CountingNodule:
    """Counts the comparisons of two nodules field by field (the dataclass __eq__)."""
    calls = 0


def test_nodule_identity_compares_no_nodules_field_by_field(extractor, monkeypatch):
    from extractor.fields import nodule_parts

    report = generate(40, seed=3)
    ultrasound = [t for t, k in zip(report["text"], report["report_type"]) if "nodule" in t.lower() and "US" in k.upper()]
    text = "\n\n".join(ultrasound[:6] * 25)  # six reports written 25 times over: many nodules to identify
    eq = nodule_parts.Nodule.__eq__

    def counting(self, other):
        _CountingNodule.calls += 1
        return eq(self, other)

    monkeypatch.setattr(nodule_parts.Nodule, "__eq__", counting)
    _CountingNodule.calls = 0
    nodules = extractor.nodule_extractor.nodules(text)
    assert len(nodules) > 50
    assert _CountingNodule.calls == 0  # list.index per compatible nodule compared earlier ones: 74,603 here


class _KeptStrings:
    def __init__(self, regex):
        self.regex, self.strings = regex, []

    def match(self, string, pos=0):
        self.strings.append(string)  # kept alive: one id per distinct string
        return self.regex.match(string, pos)


def test_the_sentence_splitter_joins_the_doc_text_once(nlp, monkeypatch):
    from extractor.nlp import sentences

    kept = _KeptStrings(sentences._KEY_VALUE_LINE)
    monkeypatch.setattr(sentences, "_KEY_VALUE_LINE", kept)
    doc = nlp("Findings:\n" + "".join(f"a {i % 9 + 1} mm cyst in the right lobe\nand a second one\n" for i in range(400)))
    assert len(kept.strings) >= 400
    assert len({id(s) for s in kept.strings}) == 1 and kept.strings[0] == doc.text  # Doc.text per line: 400 joins
