"""Decide each mention's status from its ConText modifiers, its organ and its section.

Decision table (first matching row wins; one test per row in tests/nlp/test_status.py):
1. organ is not the thyroid (lymph node, parathyroid, other)  -> excluded (organ)
2. section does not describe this exam (history, comparison...) -> excluded (section)
3. FAMILY modifier                                              -> excluded (family)
4. HYPOTHETICAL modifier                                        -> excluded (hypothetical)
5. NEGATED modifier                                             -> negated  (also when historical: "no longer seen")
5b. target rule of polarity "negated" ("surrounding echotexture unremarkable", a table cell "none") -> negated
6. HISTORICAL modifier without a CURRENT one ("again seen", "unchanged") -> excluded (historical)
7. UNCERTAIN modifier                                           -> uncertain
8. otherwise                                                    -> affirmed
A nodule named as the place of a negated or hedged finding ("no microcalcifications in the right nodule") -> affirmed.
An option of a checkbox template left unticked ("[ ] microcalcifications") -> excluded (unchecked box).
Then, apposition: an affirmed mention followed in its sentence by a hedged mention of the same concept, with the
hedge between them ("tiny echogenic foci at the lower pole, possibly microcalcifications"), is uncertain too.
"""

import re
from bisect import bisect_left, bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span

from .base import RuleComponent
from .extensions import MENTIONS_KEY, register_extensions
from .matching import doc_text
from .sections import BOX_CHARS, TICK_BOX, box_ticked, section_at


def modifier_categories(span: Span) -> dict[str, object]:
    """First modifier of each category that applies to the span."""
    found: dict[str, object] = {}
    for modifier in span._.radpath_modifiers or ():
        found.setdefault(modifier.category.upper(), modifier)
    return found


def trigger_span(modifier, doc: Doc) -> Span:
    """The words that triggered a ConText modifier."""
    start, end = modifier.modifier_span
    return doc[start:end]


def trigger_rule_id(modifier) -> str:
    return (modifier.rule.metadata or {}).get("id", "")


def _describe(modifier, doc: Doc) -> str:
    return f"{trigger_rule_id(modifier)} {trigger_span(modifier, doc).text!r}"


def decide_status(span: Span, *, section_current: bool, persists: bool = False) -> tuple[str, str]:
    modifiers = modifier_categories(span)
    organ_cue = (span._.radpath_attributes or {}).get("organ")
    organ = organ_cue.value if organ_cue else "thyroid"
    if organ != "thyroid":
        return "excluded", f"organ {organ}"
    if not section_current:
        return "excluded", f"section {span._.radpath_section}"
    for category, status in (("FAMILY", "excluded"), ("HYPOTHETICAL", "excluded")):
        if category in modifiers:
            return status, f"{category.lower()}: {_describe(modifiers[category], span.doc)}"
    if "NEGATED" in modifiers:
        return "negated", f"negated: {_describe(modifiers['NEGATED'], span.doc)}"
    if span._.radpath_rule_polarity == "negated":
        return "negated", f"negative statement: {span._.radpath_rule_id} {span.text!r}"
    if "HISTORICAL" in modifiers and not (persists or "CURRENT" in modifiers):
        return "excluded", f"historical: {_describe(modifiers['HISTORICAL'], span.doc)}"
    if "UNCERTAIN" in modifiers:
        return "uncertain", f"uncertain: {_describe(modifiers['UNCERTAIN'], span.doc)}"
    return "affirmed", ""


class ThyroidMentionStatus(RuleComponent):
    """Each mention's status in ``span._.radpath_status`` and the reason in ``span._.radpath_status_reason``."""

    rule_groups = ("amendments",)

    def __init__(self, nlp: Language, name: str):
        super().__init__(nlp, name)
        register_extensions()
        self.amendments = Amendments(())

    def rules_from(self, ruleset):
        return {"amendments": ruleset.amendments}

    def set_rules(self, groups) -> None:
        self.amendments = Amendments(groups["amendments"])

    def __call__(self, doc: Doc) -> Doc:
        self.check_initialized()
        sections = doc._.radpath_sections
        spans = list(doc.spans[MENTIONS_KEY])
        starts = [s.start for s in sections]
        clauses = Clauses(doc)
        persisting = persistence_clauses(doc, clauses)
        for span in spans:
            section = section_at(sections, span.start_char, starts)
            span._.radpath_status, span._.radpath_status_reason = decide_status(
                span, section_current=section.current, persists=_persists(span, persisting))
        finding_places(spans)
        hedge_appositions(spans)
        trailing_hedges(doc, spans, clauses)
        hedge_followups(spans)
        template_keys(doc, spans)
        unchecked_boxes(doc, spans)
        self.amendments.apply(doc, spans, sections, starts)
        return doc


def sentence_starts(spans: list[Span]) -> list[int]:
    """The start token of each span's sentence (as ``span.sent.start``), finding the Doc's sentences once instead
    of walking each span's sentence: a sentence with thousands of mentions stays linear."""
    if not spans:
        return []
    doc = spans[0].doc
    if not doc.has_annotation("SENT_START"):
        return [span.sent.start for span in spans]
    starts = [sentence.start for sentence in doc.sents]
    return [starts[bisect_right(starts, span.start) - 1] for span in spans]


# the words that open the place of a finding ("... in / within the right nodule"); fields/ultrasound.py reads them too
PLACE_WORDS = ("in", "within", "inside", "of", "at", "throughout", "involving")
_NOT_A_PLACE = {",", ";", "or", "and", "nor", "/", "any", "no", "either", "neither", "without", "(", ")"}
MAX_PLACE_GAP = 8  # tokens from the finding to the nodule that is its place ("in the 12 mm left lower pole nodule")


def finding_places(spans: list[Span]) -> None:
    """A nodule named as the place of a negated or hedged finding ("no microcalcifications in the right nodule",
    "possible microcalcifications within the left nodule") is not itself denied or hedged: the trigger is about the
    finding, the nodule is where it was looked for. Such a nodule (the same trigger reaches an earlier mention of
    another concept in its sentence, and only a place phrase — "in", "within", "of" and the nodule's own words —
    stands between them) is affirmed. "No nodule or microcalcification", "no calcification in any nodule" stay."""
    by_trigger: dict = {}
    for span in spans:
        if span._.radpath_status not in {"negated", "uncertain"}:
            continue
        category = "NEGATED" if span._.radpath_status == "negated" else "UNCERTAIN"
        modifier = modifier_categories(span).get(category)
        if modifier is None or not span._.radpath_status_reason.startswith(("negated:", "uncertain:")):
            continue
        by_trigger.setdefault((category, modifier.modifier_span), []).append(span)
    for (_, trigger), covered in by_trigger.items():
        covered.sort(key=lambda s: s.start)
        for finding, place in zip(covered, covered[1:]):
            if place.label_ != "NODULE" or finding.label_ == "NODULE" or finding.end > place.start:
                continue
            gap = list(place.doc[finding.end:place.start])
            if not gap or len(gap) > MAX_PLACE_GAP or gap[0].lower_ not in PLACE_WORDS or \
                    any(t.lower_ in _NOT_A_PLACE for t in gap):
                continue
            place._.radpath_status = "affirmed"
            place._.radpath_status_reason = f"the place of a {finding._.radpath_status} finding: {finding.text!r}"


def hedge_appositions(spans: list[Span]) -> None:
    """An affirmed mention takes the hedge of the first later mention of its sentence with the same label that is
    uncertain by a hedge lying between the two. Only the mentions after it up to the first one of another
    sentence count. The same decisions as comparing every pair, in time linear in the mentions of a sentence bar
    the hedged ones (a sentence of 2,000 mentions took 282 s that way)."""
    sentences = sentence_starts(spans)
    run_start = 0
    for index in range(1, len(spans) + 1):
        if index == len(spans) or sentences[index] != sentences[run_start]:
            _hedge_run(spans[run_start:index])
            run_start = index


def _hedge_run(spans: list[Span]) -> None:
    """hedge_appositions within consecutive mentions of one sentence."""
    hedged: dict[str, tuple[list[int], list[tuple[int, object]]]] = {}  # label -> (indices, (hedge start, hedge))
    for index, later in enumerate(spans):
        hedge = modifier_categories(later).get("UNCERTAIN") if later._.radpath_status == "uncertain" else None
        if hedge is not None and hedge.modifier_span[0] < later.start:  # a hedge after `later` never qualifies
            indices, hedges = hedged.setdefault(later.label_, ([], []))
            indices.append(index)
            hedges.append((hedge.modifier_span[0], hedge))
    if not hedged:
        return
    for index, first in enumerate(spans):  # a status set here is never read again: laters keep their own
        if first._.radpath_status != "affirmed" or first.label_ not in hedged:
            continue
        indices, hedges = hedged[first.label_]
        for start, hedge in hedges[bisect_right(indices, index):]:
            if first.end <= start:
                first._.radpath_status = "uncertain"
                first._.radpath_status_reason = f"hedged by apposition: {_describe(hedge, first.doc)}"
                break


_KEY_LEAD = " \t-*•#0-9.)"  # what may stand before a template key on its line ("- Nodules:", "2) Calcification =")
_KEY_END = re.compile(r"[ \t]*[:=]")


def template_keys(doc: Doc, spans: list[Span]) -> None:
    """A template key that opens its line ("NODULES = no discrete nodule or mass", "Calcification: fine
    calcifications") names the row, and the value after it speaks for the finding: when the value holds a mention of
    the key's own concept, the key is excluded ("template key"); a key whose value describes without naming the
    concept again ("Nodule: 12 mm, solid") keeps its status. One pass over the mentions in text order."""
    text = doc_text(doc)
    ordered = sorted(spans, key=lambda s: s.start_char)
    for k, span in enumerate(ordered):
        if span._.radpath_status not in {"affirmed", "uncertain"}:
            continue
        line_start = text.rfind("\n", 0, span.start_char) + 1
        key_end = _KEY_END.match(text, span.end_char)
        if key_end is None or text[line_start:span.start_char].strip(_KEY_LEAD):
            continue
        line_end = text.find("\n", key_end.end())
        line_end = len(text) if line_end < 0 else line_end
        for later in ordered[k + 1:]:
            if later.start_char >= line_end:
                break
            if later.label_ == span.label_:
                span._.radpath_status = "excluded"
                span._.radpath_status_reason = f"template key: the value {later.text!r} speaks for it"
                break


MAX_BOX_GAP = 40  # characters between a checkbox and the option it labels


def unchecked_boxes(doc: Doc, spans: list[Span]) -> None:
    """An option of a checkbox template left unticked ("Echogenic foci: [x] none  [ ] microcalcifications") states
    nothing: a mention that is the label of an empty box (the nearest box before it on its line is "[ ]", with no
    other mention between) is excluded ("unchecked box"). A ticked box ("[x] punctate") keeps its status."""
    text = doc_text(doc)
    ordered = sorted(spans, key=lambda s: s.start_char)
    previous_end = 0
    for span in ordered:
        start = span.start_char
        line_start = text.rfind("\n", 0, start) + 1
        lo = max(line_start, previous_end, start - MAX_BOX_GAP)
        previous_end = max(previous_end, span.end_char)
        if span._.radpath_status not in {"affirmed", "uncertain", "negated"} or \
                not any(c in text[lo:start] for c in BOX_CHARS):
            continue
        boxes = list(TICK_BOX.finditer(text, lo, start))
        if boxes and not box_ticked(boxes[-1]) and "]" not in text[boxes[-1].end():start]:
            span._.radpath_status = "excluded"
            span._.radpath_status_reason = "unchecked box: an option left unticked states nothing"


_CLAUSE_BREAK = ";"
REMOVED_RULES = {"his-009"}  # a removed lesion stays historical even when something else "is unchanged"


class Clauses:
    """Sentences and clause breaks (semicolons) of a Doc, found once, looked up by bisection: the clause rules
    below stay linear in a sentence of thousands of triggers and mentions."""

    def __init__(self, doc: Doc):
        sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        self.starts = [s.start for s in sentences]
        self.ends = [s.end for s in sentences]
        self.breaks = [t.i for t in doc if t.text == _CLAUSE_BREAK]

    def sentence(self, i: int) -> tuple[int, int]:
        k = bisect_right(self.starts, i) - 1
        return self.starts[k], self.ends[k]

    def breaks_between(self, lo: int, hi: int) -> tuple[int, int]:
        """Index range into ``self.breaks`` of the breaks in [lo, hi)."""
        return bisect_left(self.breaks, lo), bisect_left(self.breaks, hi)

    def clause(self, i: int) -> tuple[int, int]:
        """(start, end) of the clause holding token i: its sentence cut at the semicolons around i."""
        s_start, s_end = self.sentence(i)
        lo, hi = self.breaks_between(s_start, i)
        after = bisect_left(self.breaks, i)
        start = self.breaks[hi - 1] + 1 if hi > lo else s_start
        end = self.breaks[after] if after < len(self.breaks) and self.breaks[after] < s_end else s_end
        return start, end


def persistence_clauses(doc: Doc, clauses: Clauses | None = None) -> list[tuple[int, int]]:
    """(start, end) token range of every clause (a sentence cut at semicolons) with a CURRENT trigger ("again
    seen", "unchanged", "persistent"): a finding there that names an earlier exam is on the current exam too, even
    when a terminator ("in the right lobe") cut the trigger's own scope. Sorted, without repeats."""
    found = set()
    graph = doc._.radpath_context_graph
    for modifier in graph.modifiers if graph is not None else ():
        if modifier.category.upper() != "CURRENT":
            continue
        clauses = clauses or Clauses(doc)
        found.add(clauses.clause(modifier.modifier_span[0]))
    return sorted(found)


def _persists(span: Span, clauses: list[tuple[int, int]]) -> bool:
    historical = modifier_categories(span).get("HISTORICAL")
    if historical is None or trigger_rule_id(historical) in REMOVED_RULES:
        return False
    k = bisect_right(clauses, (span.start, float("inf"))) - 1  # clauses do not overlap: the last one starting here
    return k >= 0 and clauses[k][0] <= span.start and span.end <= clauses[k][1]


_PREPOSITIONS = {"in", "within", "of", "at", "on", "along", "involving", "throughout", "inside", "near", "from", "with"}
_PRONOUNS = {"this", "these", "it", "they", "which", "that", "those"}
MAX_PHRASE_GAP = 40  # tokens between a finding and a trailing hedge: prepositional phrases are never longer


def trailing_hedges(doc: Doc, spans: list[Span], clauses: Clauses | None = None) -> None:
    """A hedge or negation that follows its finding (a backward UNCERTAIN or NEGATED trigger: "may be present",
    "cannot be excluded", "are no longer seen") qualifies the first finding of its clause across the prepositional
    phrases between them, which a terminator may have cut off ("microcalcifications in the lower pole of the right
    lobe may be present"), or across one parenthetical between commas ("microcalcifications, previously noted in the
    right lobe, are no longer seen": a current absence). A clause after a semicolon that is only the hedge
    ("...; cannot be excluded") qualifies the clause before it. Anything else between finding and trigger (a comma,
    another subject: "nodule with foci, malignancy cannot be excluded") leaves the finding as it is."""
    graph = doc._.radpath_context_graph
    triggers = [m for m in (graph.modifiers if graph is not None else ())
                if m.category.upper() in {"UNCERTAIN", "NEGATED"} and m.rule.direction.upper() == "BACKWARD"]
    if not triggers:
        return
    clauses = clauses or Clauses(doc)
    ordered = sorted(spans, key=lambda s: s.start)
    span_starts = [s.start for s in ordered]

    def first_within(lo: int, hi: int):
        """The first mention (by start) lying wholly in [lo, hi), or None."""
        for k in range(bisect_left(span_starts, lo), bisect_left(span_starts, hi)):
            if ordered[k].end <= hi:
                return ordered[k]
        return None

    for trigger in triggers:
        negation = trigger.category.upper() == "NEGATED"
        start, _ = trigger.modifier_span
        s_start, _ = clauses.sentence(start)
        lo, hi = clauses.breaks_between(s_start, start)
        clause_start = clauses.breaks[hi - 1] + 1 if hi > lo else s_start
        first = first_within(clause_start, start)
        if first is None and not negation and hi > lo and all(t.lower_ in _PRONOUNS
                                                               for t in doc[clause_start:start]):
            previous_start = clauses.breaks[hi - 2] + 1 if hi - lo > 1 else s_start
            first = first_within(previous_start, clauses.breaks[hi - 1])
            gap = []
        elif first is not None:
            if start - first.end > MAX_PHRASE_GAP or first_within(first.end, start) is not None:
                continue  # too far, or another finding stands between: the trigger is about that one
            gap = [t for t in doc[first.end:start] if not t.is_space]  # a line break is no word of the gap
        else:
            continue
        if first is None or not _phrase_gap(gap):
            continue
        if negation:
            if first._.radpath_status == "affirmed" or (first._.radpath_status == "excluded"
                                                and first._.radpath_status_reason.startswith("historical")):
                first._.radpath_status = "negated"
                first._.radpath_status_reason = f"negated after the finding: {_describe(trigger, doc)}"
        elif first._.radpath_status == "affirmed":
            first._.radpath_status = "uncertain"
            first._.radpath_status_reason = f"hedged after the finding: {_describe(trigger, doc)}"


def _phrase_gap(gap: list) -> bool:
    """Whether the words between a finding and a trigger after it are only prepositional phrases ("in the lower
    pole of the right lobe") or one parenthetical between commas (", previously noted in the right lobe,") or
    between a comma and a colon (", right lobe:")."""
    if not gap:
        return True
    commas = [i for i, t in enumerate(gap) if t.text in {",", ";", ":"}]
    if not commas:
        return gap[0].lower_ in _PREPOSITIONS
    return len(gap) >= 3 and commas == [0, len(gap) - 1] and gap[0].text == "," and gap[-1].text in {",", ":"}


def hedge_followups(spans: list[Span]) -> None:
    """A finding described in one sentence and hedged in the next by a sentence that names only the same concept
    ("Tiny echogenic foci in the left nodule. Microcalcifications cannot be excluded.") is uncertain: the hedge is
    about what was just described, not a second finding."""
    by_sentence: dict[int, list[Span]] = {}
    for span, sentence in zip(spans, sentence_starts(spans)):  # each sentence found once, not walked per span
        by_sentence.setdefault(sentence, []).append(span)
    starts = sorted(by_sentence)
    doc = spans[0].doc if spans else None
    ends = _sentence_ends(doc, starts) if doc is not None else {}
    for previous, current in zip(starts, starts[1:]):
        later = by_sentence[current]
        if len(later) != 1 or later[0]._.radpath_status != "uncertain" or "UNCERTAIN" not in modifier_categories(later[0]):
            continue
        hedged = later[0]
        if ends[previous] != current:
            continue  # not the sentence just before
        own = (hedged._.radpath_attributes or {}).get("laterality")
        own_side = own.value if own is not None and own.source == "sentence" else ""
        for first in by_sentence[previous]:
            side = (first._.radpath_attributes or {}).get("laterality")
            if first.label_ == hedged.label_ and first._.radpath_status == "affirmed" and (
                    not own_side or (side is not None and side.value == own_side)):
                first._.radpath_status = "uncertain"
                first._.radpath_status_reason = f"hedged in the next sentence: {hedged.text!r} {hedged._.radpath_status_reason}"


def _sentence_ends(doc: Doc, starts: list[int]) -> dict[int, int]:
    """For each sentence start in ``starts``, where that sentence ends (``doc[start].sent.end``), from one pass
    over the Doc's sentences."""
    if not doc.has_annotation("SENT_START"):
        return {start: doc[start].sent.end for start in starts}
    ends = {sentence.start: sentence.end for sentence in doc.sents}
    return {start: ends[start] for start in starts}


class Amendments:
    """Withdrawals by an addendum or corrected report (patterns/amendments.tsv; contract v1.1 "Amended reports")."""

    def __init__(self, rules):
        self.headers = [r for r in rules if r.get("role") == "header"]
        self.cues = [r for r in rules if r.get("role") == "cue"]
        self.withdraw = [r for r in rules if r.get("role") == "withdraw"]
        self.preliminary = [r for r in rules if r.get("role") == "preliminary"]
        self.final = [r for r in rules if r.get("role") == "final"]

    def apply(self, doc: Doc, spans: list[Span], sections, starts) -> None:
        self.supersede_preliminary(doc_text(doc), spans)
        if not self.withdraw:
            return
        text = doc_text(doc)
        amending = [s for s in sections if s.name == "comment" and s.header_end > s.start
                    and any(r.regex.search(text, s.start, s.header_end) for r in self.headers)]
        if not amending:
            return
        sentence_of = sentence_starts(spans)  # each span's sentence start, found once (not walked per look-up)
        for section in amending:
            by_sentence: dict[int, list[Span]] = {}
            for span, sentence_start in zip(spans, sentence_of):
                if section.header_end <= span.start_char < section.end:
                    by_sentence.setdefault(sentence_start, []).append(span)
            for sentence_start in sorted(by_sentence):
                in_sentence = by_sentence[sentence_start]
                sentence = in_sentence[0].sent
                cued = any(r.regex.search(text, sentence.start_char, sentence.end_char) for r in self.cues)
                for rule in self.withdraw:
                    by = [s for s in in_sentence if s.label_ == rule.get("by")
                          and (s._.radpath_status == "negated" or (rule.get("by_status") == "any" and cued))]
                    if by:
                        self._withdraw(spans, rule, sentence, section, sentence_of)

    def supersede_preliminary(self, text: str, spans: list[Span]) -> None:
        """A preliminary read followed by a final read in the same report: the final read decides, so every current
        mention from the preliminary header up to the final header is withdrawn."""
        preliminary = _first_line_header(text, self.preliminary, 0)
        if preliminary is None:
            return
        line_end = text.find("\n", preliminary[1])
        final = _first_line_header(text, self.final, len(text) if line_end < 0 else line_end)
        if final is None:
            return
        for span in spans:
            if preliminary[0] <= span.start_char < final[0] and span._.radpath_status in {"affirmed", "uncertain",
                                                                                          "negated"}:
                span._.radpath_status = "excluded"
                span._.radpath_status_reason = f"withdrawn by an amendment: superseded by the final read ({final[2]})"

    @staticmethod
    def _withdraw(spans: list[Span], rule, sentence: Span, section, sentence_of: list[int] | None = None) -> None:
        sentence_of = sentence_starts(spans) if sentence_of is None else sentence_of
        sides = {c.value for s, start in zip(spans, sentence_of) if start == sentence.start
                 for c in [(s._.radpath_attributes or {}).get("laterality")] if c is not None and c.source == "sentence"}
        for span, start in zip(spans, sentence_of):
            if span.label_ != rule.get("label") or span._.radpath_status not in {"affirmed", "uncertain"}:
                continue
            own = start == sentence.start
            if not own and span.start_char >= section.start:
                continue  # only statements made before the amendment, and the amendment's own words that refer back
            side = (span._.radpath_attributes or {}).get("laterality")
            if not own and sides and side is not None and side.value not in sides:
                continue  # a correction about one side leaves the other side's findings alone
            span._.radpath_status = "excluded"
            span._.radpath_status_reason = f"withdrawn by an amendment: {rule.id}"


_LINE_LEAD = " \t*=#-–—[]>"  # what may stand before a header on its line ("*** FINAL REPORT ***", "== PRELIM ==")


def _first_line_header(text: str, rules, pos: int) -> tuple[int, int, str] | None:
    """(start, end, rule id) of the first match at or after ``pos`` of any of ``rules`` that opens its line (after
    spaces, asterisks or rules of dashes only)."""
    best = None
    for rule in rules:
        for m in rule.regex.finditer(text, pos):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if not text[line_start:m.start()].strip(_LINE_LEAD):
                if best is None or m.start() < best[0]:
                    best = (m.start(), m.end(), rule.id)
                break
    return best


@Language.factory(
    "thyroid_status",
    requires=["doc._.radpath_sections", "doc._.radpath_context_graph", "span._.radpath_rule_id",
              "span._.radpath_rule_polarity", "span._.radpath_modifiers", "span._.radpath_attributes",
              "span._.radpath_section"],
    assigns=["span._.radpath_status", "span._.radpath_status_reason"],
)
def make_mention_status(nlp: Language, name: str):
    return ThyroidMentionStatus(nlp, name)
