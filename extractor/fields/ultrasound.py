"""Report-level ultrasound fields from mention rows (no spaCy). The rules are patterns/fields.tsv (which label
feeds which field) and patterns/precedence.tsv (which value wins when several mentions give one: shipped as
present > uncertain > absent > not_mentioned)."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..knowledge.ruleset import NO_MENTION_VALUE, RuleSet
from ..nlp.status import PLACE_WORDS

NOT_MENTIONED = NO_MENTION_VALUE
ULTRASOUND_FIELDS = (
    "microcalcifications",
    "microcalcification_extent",
    "microcalcification_clustered",
    "microcalcification_laterality",
    "mass",
    "focal_echogenicity_change",
)
LOBES = {"right", "left"}


@dataclass
class FieldValue:
    value: str
    evidence: list[int] = field(default_factory=list)  # mention_index of the mentions behind the value
    rule: str = ""  # how the value was reached (precedence row, attribute rule)
    reason: str = ""  # for an empty or not_mentioned value: why (a code of MISS_REASONS)


# Why an ultrasound field is not_mentioned or empty (docs/data-dictionary.md, "Why a field is empty"). A mention that
# feeds the field but was excluded gives the code of its exclusion; the first code in this order wins.
MISS_REASONS = (
    "withdrawn_by_amendment",  # an addendum or corrected report withdrew it
    "historical_only",  # only an earlier exam, a history / comparison section, or a removed lesion
    "hypothetical_only",  # only a recommendation or supposition ("biopsy if ... develop")
    "lymph_node_only",  # only a lymph node's
    "other_organ_only",  # only another structure's (parathyroid, ...)
    "family_only",  # only a relative's
    "partial_negation",  # negated for some nodules only, while the report describes others (contract v1.1)
    "unchecked_only",  # only an option left unticked in a checkbox template ("[ ] microcalcifications")
    "lookalike_only",  # only a look-alike or an unqualified form that does not count (comet tail, "calcification")
    "no_microcalcifications",  # extent, clustered, laterality, focal change: microcalcifications not present/uncertain
    "no_mention",  # nothing in the report speaks of it
)


# status_reason prefix -> MISS_REASONS code, first match wins (so the longer "section ..." prefixes come first)
EXCLUSION_CODES = (
    ("withdrawn", "withdrawn_by_amendment"),
    ("historical", "historical_only"),
    ("hypothetical", "hypothetical_only"),
    ("section recommendation", "hypothetical_only"),
    ("organ lymph_node", "lymph_node_only"),
    ("organ", "other_organ_only"),
    ("family", "family_only"),
    ("section family_history", "family_only"),
    ("section", "historical_only"),  # a section that does not describe this exam (history, indication, comparison)
    ("unchecked box", "unchecked_only"),
)


def exclusion_code(status_reason: str) -> str:
    """The MISS_REASONS code of an excluded mention, from its status_reason (extractor.nlp.status)."""
    return next((code for prefix, code in EXCLUSION_CODES if status_reason.startswith(prefix)), "lookalike_only")


class UltrasoundAggregator:
    def __init__(self, ruleset: RuleSet):
        # extent cue weights (patterns/attributes/extent.tsv): the report's extent is its heaviest cue
        self.extent_weights = {r.id: int(r.get("weight") or 1) for r in ruleset.attributes.get("extent", ())}
        self.feeds: dict[str, list[tuple[str, dict[str, str]]]] = {}
        self.requires: dict[str, str] = {}
        for rule in ruleset.fields:
            by_status = {s: rule.get(s) for s in ("affirmed", "uncertain", "negated")}
            self.feeds.setdefault(rule.get("field"), []).append((rule.get("label"), by_status))
            if rule.get("requires"):
                self.requires[rule.get("field")] = rule.get("requires")
        # patterns/precedence.tsv, by rank: (rank, value) for the values mentions give, and the rank of not_mentioned
        ranked = [(int(rule.get("rank")), rule.get("value")) for rule in ruleset.precedence]
        self.precedence = [(rank, value) for rank, value in ranked if value != NOT_MENTIONED]
        self.not_mentioned_rank = next(rank for rank, value in ranked if value == NOT_MENTIONED)

    def resolve(self, name: str, mentions: Iterable[Mapping]) -> FieldValue:
        """Value of one presence field under the precedence table, with the mentions that gave it."""
        given: dict[str, list[int]] = {}
        for mention in mentions:
            for label, by_status in self.feeds.get(name, ()):
                if mention["label"] == label and by_status.get(mention["status"]):
                    given.setdefault(by_status[mention["status"]], []).append(mention["mention_index"])
        for rank, value in self.precedence:
            if value in given:
                if value == "absent" and name == "microcalcifications":
                    # the field's look-alikes (patterns/fields.tsv rows that give nothing: "macro", "comet tail")
                    lookalikes = {label for label, by_status in self.feeds.get(name, ()) if not any(by_status.values())}
                    uncovered = uncovered_nodules(given[value], mentions, lookalikes)
                    if uncovered:
                        return FieldValue(NOT_MENTIONED, given[value],
                                          f"partial negation: {len(uncovered)} nodule(s) not covered (partial_negation)",
                                          "partial_negation")
                return FieldValue(value, given[value], f"precedence rank {rank}")
        return self.why_not(name, mentions)

    def why_not(self, name: str, mentions: Iterable[Mapping]) -> FieldValue:
        """not_mentioned, with the reason and the mentions behind it: the field's own labels (patterns/fields.tsv,
        look-alike rows included) that were excluded or give nothing."""
        labels = {label for label, _ in self.feeds.get(name, ())}
        codes: dict[str, list[int]] = {}
        for mention in mentions:
            if mention["label"] not in labels:
                continue
            code = exclusion_code(mention.get("status_reason") or "") if mention["status"] == "excluded" \
                else "lookalike_only"
            codes.setdefault(code, []).append(mention["mention_index"])
        code = next((c for c in MISS_REASONS if c in codes), "no_mention")
        return FieldValue(NOT_MENTIONED, codes.get(code, []), f"precedence rank {self.not_mentioned_rank} ({code})", code)

    def aggregate(self, mentions: list[Mapping]) -> dict[str, FieldValue]:
        out = {name: self.resolve(name, mentions) for name in ("microcalcifications", "mass", "focal_echogenicity_change")}
        for name, needed in self.requires.items():
            # contract v1.1: without the required finding the field is not_mentioned, unless explicitly denied
            if out[needed].value not in {"present", "uncertain"} and out[name].value != "absent":
                out[name] = FieldValue(NOT_MENTIONED, [], f"{needed} is {out[needed].value} (no_microcalcifications)",
                                       "no_microcalcifications")
        micro = out["microcalcifications"]
        if micro.value in {"present", "uncertain"}:
            evidence = set(micro.evidence)
            behind = [m for m in mentions if m["mention_index"] in evidence]
            out["microcalcification_extent"] = extent_of(behind, weights=self.extent_weights, context=mentions)
            foci_labels = {label for label, _ in self.feeds.get("microcalcifications", ())} - {FOCI_REFERENCE}
            out["microcalcification_clustered"] = clustered_of(behind, context=mentions, foci_labels=foci_labels)
            out["microcalcification_laterality"] = laterality_of(behind, context=mentions)
        else:
            for name in ("microcalcification_extent", "microcalcification_clustered", "microcalcification_laterality"):
                out[name] = FieldValue("", [], "microcalcifications not present or uncertain (no_microcalcifications)",
                                       "no_microcalcifications")
        return out


def uncovered_nodules(negated: list[int], mentions: list[Mapping], labels: set[str] = frozenset()) -> set[str]:
    """Contract v1.1: negations about single nodules make the gland-level field absent only when together they
    cover every nodule the report describes. When every negation lies in a nodule block ("Nodule 2 ... Echogenic
    foci: none"), every block of the report (a block starts at a nodule heading: a NODULE mention opening its
    sentence in a nodule section) must hold one; negations outside the blocks are read by ``uncovered_by_scope``
    (``labels``: the field's look-alikes, patterns/fields.tsv). Returns the blocks not covered."""
    rows = sorted(mentions, key=lambda m: m.get("start_char") or 0)
    starts = [m["start_char"] for m in rows if m.get("section") == "nodule" and m["label"] == "NODULE"
              and m.get("start_char") is not None and m["start_char"] == m.get("sentence_start")]
    negated = set(negated)
    negated_rows = [m for m in rows if m["mention_index"] in negated]
    if not starts or not all(m.get("section") == "nodule" for m in negated_rows):
        return uncovered_by_scope(negated_rows, rows, labels)

    def block(m):
        return max((s for s in starts if s <= m["start_char"]), default=None)

    covered = {block(m) for m in negated_rows}
    return {f"nodule at {s}" for s in starts if s not in covered}


STRONG_EXTENT = 2  # the weight of a strong extent cue (patterns/attributes/extent.tsv)
CURRENT_STATUSES = {"affirmed", "uncertain"}


class NoduleContext:
    """A report's mentions prepared once for the nodule look-ups below (sorted, nodules by sentence), so a report
    with thousands of mentions stays linear."""

    def __init__(self, context: Iterable[Mapping]):
        if isinstance(context, NoduleContext):
            context = context.rows
        self.rows = sorted((m for m in context if m.get("start_char") is not None), key=lambda m: m["start_char"])
        self.starts = [m["start_char"] for m in self.rows]
        self.nodules: dict = {}
        for m in self.rows:
            if m.get("label") == "NODULE" and m.get("status") in CURRENT_STATUSES:
                self.nodules.setdefault(m.get("sentence_start"), []).append(m)


def _prepared(context) -> NoduleContext:
    return context if isinstance(context, NoduleContext) else NoduleContext(context)


def nodule_before(mention: Mapping, context) -> Mapping | None:
    """The current nodule named earlier in the mention's sentence, if any: the microcalcifications are then one of
    that nodule's features ("12 mm solid nodule, irregular margin, microcalcifications"), i.e. within it."""
    sentence, start = mention.get("sentence_start"), mention.get("start_char")
    if sentence is None or start is None:
        return None
    return next((m for m in _prepared(context).nodules.get(sentence, ()) if m["start_char"] < start), None)


def described_nodule(mention: Mapping, context) -> Mapping | None:
    """The nodule whose description the microcalcifications continue, if any: the last mention before the
    mention's sentence, in the same section, is a current thyroid nodule on the same side (or no side), and the
    mention's own sentence does not place it in a lobe ("Solid nodule 7 mm." then "Microcalcification (+)."; "The
    punctate echogenic foci are again seen"). In a pipe table, a row continues the "Nodule" header above it."""
    sentence = mention.get("sentence_start")
    if sentence is None:
        return None
    prepared = _prepared(context)
    i = bisect.bisect_left(prepared.starts, sentence) - 1
    if "|" in (mention.get("sentence") or ""):  # a table row: past the other header cells ("Calc", "Echogenic foci")
        while i >= 0 and prepared.rows[i].get("label") != "NODULE" and "|" in (prepared.rows[i].get("sentence") or ""):
            i -= 1
    if i < 0:
        return None
    last = prepared.rows[i]
    if last.get("label") != "NODULE" or last.get("status") not in CURRENT_STATUSES or \
            last.get("section") != mention.get("section"):
        return None
    sides = {last.get("laterality") or "", mention.get("laterality") or ""} - {""}
    if len(sides) > 1:
        return None
    in_table = "|" in (mention.get("sentence") or "") and "|" in (last.get("sentence") or "")
    return last if in_table or mention.get("laterality_source") != "sentence" else None


def _current_thyroid_nodule(m: Mapping) -> bool:
    return m.get("label") == "NODULE" and m.get("status") in CURRENT_STATUSES and m.get("organ") in ("", None, "thyroid")


SIDES = {"right", "left", "isthmus"}


def uncovered_by_scope(negated_rows: list[Mapping], rows: list[Mapping], labels: set[str] = frozenset()) -> set[str]:
    """Contract v1.1 for negations outside nodule blocks. A negation that names neither a current nodule nor a side
    ("no calcification", "no calcifications in either lobe") speaks for the gland: the field is absent, as before.
    A negation about a nodule named in its sentence ("14 mm nodule, smooth margin, no echogenic foci") or in the
    description it continues ("Left lobe: 20 mm solid nodule." then "Smooth outline, no calcification.") covers that
    nodule's side; one whose own sentence names a lobe ("no microcalcification in the right lobe", a numbered nodule
    line "#1 L mid ... no echogenic foci") covers that lobe. A bare "No calcification." under a lobe header speaks
    for the gland (as does "no calcification in either lobe"). A current thyroid nodule on a side no
    negation covers (a cyst in the other lobe, nothing said of its foci) is left uncovered; so is a row of a pipe
    table whose calcification cell ("macro") no negated cell matches. A negation about the nodules as a whole ("in any
    nodule", "none of the nodules") speaks for the gland. Returns the uncovered nodules and rows (empty: absent)."""
    nodules = [m for m in rows if _current_thyroid_nodule(m)]
    by_sentence: dict = {}
    for n in nodules:
        by_sentence.setdefault(n.get("sentence_start"), []).append(n)
    covered_sides: set[str] = set()
    context = NoduleContext(rows)
    for negation in negated_rows:
        own_side = negation.get("laterality") if negation.get("laterality_source") == "sentence" else ""
        if own_side not in SIDES and about_every_nodule(negation, rows):
            return set()  # "none of the nodules shows ...", "no microcalcifications within the nodules seen"
        in_sentence = by_sentence.get(negation.get("sentence_start"), [])
        continued = described_nodule(negation, context) if not in_sentence else None
        if in_sentence or continued is not None:
            covered_sides.update(n.get("laterality") or "" for n in (in_sentence or [continued]))
            continue
        side = negation.get("laterality") or ""
        if side in SIDES and negation.get("laterality_source") == "sentence":
            covered_sides.add(side)  # a lobe's negation
            continue
        if "|" not in (negation.get("sentence") or ""):
            return set()  # the gland's negation ("no calcification", "... in either lobe", "... in any nodule")
    table_rows = uncovered_table_rows(negated_rows, rows, labels)
    if table_rows:
        return table_rows
    if "" in covered_sides or "bilateral" in covered_sides:
        return set()  # a nodule with no side (or both): it may be any of them
    if LOBES <= covered_sides:
        covered_sides.add("bilateral")  # "bilateral nodules" when each lobe's nodules are covered
    return {f"nodule at {n.get('start_char')}" for n in nodules
            if (n.get("laterality") or "") not in covered_sides | {""}}


_EVERY = {"any", "either", "each", "every", "all", "both", "neither"}


def about_every_nodule(negation: Mapping, rows: list[Mapping]) -> bool:
    """Whether a negation's sentence speaks of the nodules as a whole: a thyroid nodule mention in it that is plural
    ("no microcalcifications within the nodules seen", "none of the nodules shows punctate foci") or follows
    "any" / "either" / "each" ("no echogenic foci in any nodule")."""
    sentence_start = negation.get("sentence_start")
    for m in rows:
        if m.get("label") != "NODULE" or m.get("sentence_start") != sentence_start or \
                m.get("status") not in {"affirmed", "uncertain", "negated"} or m.get("organ") not in ("", None, "thyroid"):
            continue
        word = (m.get("text") or "").lower()
        if word.endswith("s") and not word.endswith("ss"):
            return True
        sentence, start = m.get("sentence") or "", (m.get("start_char") or 0) - (sentence_start or 0)
        if set(sentence[max(0, start - 20):start].lower().split()[-2:]) & _EVERY:
            return True
    return False


def uncovered_table_rows(negated_rows: list[Mapping], rows: list[Mapping], labels: set[str]) -> set[str]:
    """Rows of a pipe table that the negated table cells leave uncovered: when a negation is a table cell ("none"
    under "Echogenic foci"), a row whose calcification cell names a look-alike instead ("macro", "comet tail": a
    mention of one of ``labels``) is a nodule the negations do not cover."""
    def in_table(m: Mapping) -> bool:
        return "|" in (m.get("sentence") or "")

    if not any(in_table(m) for m in negated_rows):
        return set()
    negated_sentences = {m.get("sentence_start") for m in negated_rows}
    return {f"table row at {m.get('sentence_start')}" for m in rows
            if in_table(m) and m.get("label") in labels and m.get("status") in CURRENT_STATUSES
            and m.get("sentence_start") not in negated_sentences}


def extent_of(mentions: list[Mapping], *, weights: Mapping[str, int] | None = None,
              context: Iterable[Mapping] = ()) -> FieldValue:
    """The heaviest extent cue over the mentions, diffuse winning a tie (a cluster in a diffuse background stays
    diffuse; a strong "lower pole" outranks a weak "scattered" elsewhere); a section default weighs as a weak cue.
    A mention whose sentence names a current nodule before it is within that nodule: localized, as a strong cue,
    unless the mention carries a strong cue of its own ("diffuse", "throughout the lobe"); so is a mention with no
    strong cue that continues the description of the nodule just before it (``described_nodule``): a count or a
    spread word inside a nodule's description ("Echogenic foci: multiple punctate", "punctate foci (three,
    scattered)") describes the foci of that nodule, not a diffuse pattern."""
    weights = weights or {}
    context = NoduleContext(context)
    cues = []  # (weight, value, mention_index)
    for m in mentions:
        value = m.get("extent") or ""
        weight = weights.get(m.get("extent_rule") or "", 1) if value else 0
        if weight < STRONG_EXTENT and (nodule_before(m, context) or described_nodule(m, context)):
            value, weight = "localized", STRONG_EXTENT
        if value:
            cues.append((weight, value, m["mention_index"]))
    if cues:
        top = max(w for w, _, _ in cues)
        values = {v for w, v, _ in cues if w == top}
        value = "diffuse" if "diffuse" in values else "localized"
        hits = [i for w, v, i in cues if w == top and v == value]
        return FieldValue(value, hits, f"the heaviest extent cue ({value}, weight {top})")
    return FieldValue("unspecified", [m["mention_index"] for m in mentions], "no extent cue")


FOCI_REFERENCE = "FOCI_REFERENCE"  # patterns/targets/foci_reference.tsv


def clustered_of(mentions: list[Mapping], *, context: Iterable[Mapping] = (), foci_labels: set[str] = frozenset()) \
        -> FieldValue:
    """true when a mention behind the value carries a clustering cue, or when foci named again ("a denser cluster of
    these foci") carry one and the foci mention just before them (a mention of one of ``foci_labels``: the labels
    of the microcalcifications field, look-alikes included) is one of the mentions behind the value."""
    hits = [m["mention_index"] for m in mentions if m.get("clustering") == "clustered"]
    if hits:
        return FieldValue("true", hits, "a mention with a clustering cue")
    behind = {m["mention_index"] for m in mentions}
    previous = None  # the last mention naming foci, in text order
    for m in sorted((m for m in context if m.get("start_char") is not None), key=lambda m: m["start_char"]):
        if m.get("label") == FOCI_REFERENCE:
            if m.get("clustering") == "clustered" and m.get("status") in CURRENT_STATUSES and previous is not None \
                    and previous["mention_index"] in behind:
                return FieldValue("true", [previous["mention_index"], m["mention_index"]],
                                  "a clustering cue on the foci named again")
        elif m.get("label") in foci_labels:
            previous = m
    return FieldValue("false", [m["mention_index"] for m in mentions], "no clustering cue")


_NODULE_NUMBER = re.compile(r"[ \t]*(#[ \t]*\d+|\d+\b|[A-Z]\b)")  # "NODULE 1 ...", "Nodule #2", "Nodule B"


def nodule_number(m: Mapping) -> str:
    """The label written just after a nodule mention in its sentence ("1" in "NODULE 1 LOCATION = left mid"), or ""."""
    sentence, start = m.get("sentence") or "", m.get("sentence_start")
    if start is None or m.get("end_char") is None:
        return ""
    found = _NODULE_NUMBER.match(sentence, m["end_char"] - start)
    return found.group(1).replace("#", "").strip() if found else ""


def same_labelled_nodule(nodule: Mapping | None, context, limit: int = 30) -> Mapping | None:
    """A nodule with no side, followed back through the run of mentions of the same labelled nodule just before it
    (a template of one line per feature: "NODULE 1 LOCATION = left mid" ... "NODULE 1 ECHOGENIC FOCI = punctate"),
    to the first of them that states a side; the nodule itself when it has a side, no label, or no such run."""
    if nodule is None or nodule.get("laterality"):
        return nodule
    number = nodule_number(nodule)
    current = nodule
    for _ in range(limit if number else 0):
        previous = described_nodule(current, context)
        if previous is None or nodule_number(previous) != number:
            break
        if previous.get("laterality"):
            return previous
        current = previous
    return nodule


_PLACE_START = re.compile(r"\s*,?\s*(" + "|".join(PLACE_WORDS) + r")\b", re.IGNORECASE)
_PLACE_BREAK = re.compile(r"[;.]|\b(but|without|no|whereas|while|except|however)\b", re.IGNORECASE)


def place_nodules(mention: Mapping, context) -> list[Mapping]:
    """The current thyroid nodules, with a side of their own, that the mention's sentence names as its place after
    it ("microcalcifications in the right nodule and in the left nodule"): each is where the foci are."""
    sentence, start, end = mention.get("sentence") or "", mention.get("sentence_start"), mention.get("end_char")
    if start is None or end is None:
        return []
    gap_start = end - start
    if not _PLACE_START.match(sentence, gap_start):
        return []
    found = []
    for n in _prepared(context).nodules.get(start, ()):
        if n["start_char"] < end or n.get("laterality_source") != "sentence" or n.get("laterality") not in SIDES or \
                n.get("organ") not in ("", None, "thyroid"):
            continue
        if _PLACE_BREAK.search(sentence, gap_start, n["start_char"] - start):
            break
        found.append(n)
    return found


def laterality_of(mentions: list[Mapping], *, context: Iterable[Mapping] = ()) -> FieldValue:
    """Both lobes -> bilateral; the isthmus alone -> isthmus; one lobe (with or without the isthmus) -> that lobe. A
    mention with no side of its own takes the side of the nodule it belongs to (named before it in its sentence, or
    the nodule whose description it continues: "LEFT: solid nodule ..." then "Echogenic foci: punctate"); the
    nodules its sentence names as its place count too ("in the right nodule and in the left nodule": bilateral)."""
    context = NoduleContext(context)

    def side(m: Mapping) -> str:
        if m.get("laterality"):
            return m["laterality"]
        nodule = (nodule_before(m, context) or described_nodule(m, context)) if context.rows else None
        return (same_labelled_nodule(nodule, context) or {}).get("laterality") or ""

    found = [(m, side(m)) for m in mentions]
    found += [(n, n.get("laterality") or "") for m in mentions for n in place_nodules(m, context)]
    sides = {s for _, s in found} - {""}
    indices = [m["mention_index"] for m, s in found if s]
    if "bilateral" in sides or LOBES <= sides:
        return FieldValue("bilateral", indices, "both lobes")
    lobes = sides & LOBES
    if lobes:
        return FieldValue(lobes.pop(), indices, "one lobe")
    if sides == {"isthmus"}:
        return FieldValue("isthmus", indices, "isthmus only")
    return FieldValue("unspecified", [m["mention_index"] for m in mentions], "no side stated")
