"""Nodule records (CONTRACT.md "DIR/nodules"): one row per thyroid nodule an ultrasound report describes.

No spaCy here: the input is the report text, the shared section rules and patterns/nodules/*.tsv; the pipeline's
mention rows are only used to cite evidence. The steps, each reviewable on its own:

1. sections (patterns/sections.tsv): only text about the current exam is read; IMPRESSION units refer back.
2. layout: "Nodule 1" blocks, pipe tables and ``key: value`` / ``key = value`` lines become *keyed cells* whose
   key (keys.tsv) says which feature the value states; every other line is prose.
3. prose: each anchor word (anchors.tsv) starts a unit; a sentence with several anchors is cut at the last
   separator (";", ",", "and a") between two anchors; context.tsv drops negated, hedged and historical anchors
   and marks definite ones ("the nodule"); a group gets no row but its largest member does (groups.tsv); a
   sentence without an anchor that follows a unit in the same paragraph continues it (not its side).
4. features: each vocabulary file is matched over the unit's text, longer matches first.
5. identity: an IMPRESSION unit, and a definite FINDINGS unit, merges into the earlier nodule that agrees on label,
   side, position and size (the dominant / largest one for "the dominant left nodule"); the first description
   wins each field, later ones fill the gaps. An addendum that withdraws a nodule (withdrawn.tsv) removes it.
6. points (points.tsv) and level (levels.tsv) only when all five categories are stated; spongiform scores 0.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from itertools import accumulate
from typing import Mapping

from ..knowledge.nodule_rules import CATEGORY_FEATURES, NoduleRules, load_nodule_rules
from ..knowledge.rules import Rule
from ..nlp.matching import sub_at_word_starts
from ..nlp.sections import TICK_BOX, SectionFinder, box_ticked
from ..tables.schemas import NODULE_COLUMNS  # noqa: F401  (re-exported: the table this module fills)
from .nodule_parts import (
    Hit,
    MentionSpans,
    Nodule,
    Unit,
    best_matches,
    label_key,
    match_nodule,
    mention_ids,
    merge_into,
    resolve_unit,
    tirads_points,
)
from .nodule_views import json_view, markup_view, translation_view

SKIPPED_SECTIONS = {"lymph_nodes", "parathyroid", "other", "recommendation"}
_SENTENCE_END = re.compile(r"(?<![Rr]t\.)(?<![Ll]t\.)(?<!approx\.)(?<!\bvs\.)(?<!\bno\.)(?<=[.!?])\s+(?=[A-Z(#가-힣])|(?<=[.!?;:|])[ \t]*\n(?=[ \t]*\d)|\n(?![ \t]*\(?[a-z])(?!"
                           r"[ \t]*\d{1,3}(?:[.,]\d{1,2})?[ \t]*(?:x|×|\*|mm|cm)(?![a-z]))")
# a sentence that opens with a scoring system and tallies points ("ACR TI-RADS right nodule: solid 2 + ... = 7 points")
_POINTS_TALLY = re.compile(r"[ \t]*(?:ACR[ \t]+)?(?:TI[\s\-]*RADS|TIRADS)\b[^.;]*?(?:=[ \t]*\d{1,2}\b|\b\d{1,2}[ \t]*(?:points?|pts?)\b)",
                           re.IGNORECASE)
_BROKEN_LINE = re.compile(r"[^\s.;:!?|]\s*$")  # a line that stops mid-sentence ...
_CONTINUED_LINE = re.compile(r"[ \t]*(?:[a-z가-힣(]|\d{1,3}(?:[.,]\d{1,2})?[ \t]*(?:x|×|\*|mm|cm)(?![a-z]))")
# ... and the next line that goes on in lower case or with a measurement ("... solid nodule\n28 x 22 x 29 mm, ...")
_CELL_SPLIT = re.compile(r"\||\n|;|(?<=\))\s*,\s*(?=[A-Z])|(?<![ \t])[ \t]{2,}(?=[^\W\d_][\w /#\-]{0,30}?[ \t]*(?:\([^)]{0,20}\))?[ \t]*[:=：])")
# (the two-space split is tried only where a run of spaces begins: it can only match a whole run, and trying it
# inside a run of n spaces took n * n steps; same splits)
# (cells: "|", a line, ";", "), Next", or two spaces before the next "Key:" - "Shape: oval   Border: smooth")
_KEY_VALUE = re.compile(r"\s*(?:[-*•·]\s*)?(?P<key>[^\W\d_][\w ./#\-]{0,34}?)\s*(?:\([^)]{0,20}\))?\s*(?::|=|：)\s*(?P<value>.*)$",
                        re.DOTALL)
_SEPARATOR = re.compile(r";|,\s*(?:and|while|whereas|plus)?\s*|\s(?:and|while|whereas|plus|as\s+well\s+as)\s+(?=(?:an?|another|one|the|second|other|\d|nodule|lesion|mass|cyst|\#)\b)|\s및\s")
_PRONOUN = re.compile(r"^\s*(?:it|this|which|its|these|they|the\s+(?:nodule|lesion|mass|cyst|punctate|echogenic|bright|foci|focus|"
                      r"calcifications?|microcalcifications?|margins?|borders?|solid|cystic)|there\s+(?:are|is)\s+(?:no|not)|[가-힣])",
                      re.IGNORECASE)
_LINE_START = re.compile(r"[ \t]*(?:[-*•·>]+[ \t]*|\(?\d{1,2}[.)][ \t]+)?")
_AXIS = r"(?:AP|TR|CC|SI|ML|W|H|T|trans(?:verse)?|long(?:itudinal)?|sag(?:ittal)?|cranio[\s\-]*caudal|antero[\s\-]*posterior|length|width|depth|height|thickness)"
_AXIS_GLOSS = rf"(?:\s*\(\s*{_AXIS}\s*\))?"  # "12 (AP) x 8 (TR) x 14 (CC) mm"
# between two sizes of one nodule: an axis name at least ("AP 8 mm, TR 12 mm", "8 mm AP x 12 mm TR")
_AXIS_RUN = re.compile(rf"[\s,;x×*]*(?:\(?\s*{_AXIS}\.?\s*\)?[\s,;:x×*]*)+", re.IGNORECASE)
_SIZE_NUMBER = r"\d{1,3}(?:\.\d{1,2}|,\d(?![\d.,]))?"  # a decimal comma too ("1,2 x 0,8 cm"), not a list "8,10"
_SIDE_REACH = 200  # characters: longer than any side match with its look-ahead (see NoduleExtractor._side_before)
IMPLICIT_RULE = "implicit-description"  # the evidence rule of a nodule described without a noun (see _implicit_units)


class NoduleExtractor:
    """Nodule rows of one ultrasound report: ``rows(record, mentions)``."""

    def __init__(self, ruleset, *, directory=None):
        self.rules: NoduleRules = load_nodule_rules(directory or ruleset.directory / "nodules")
        self.section_rules = tuple(ruleset.sections)
        self.finder = SectionFinder(self.section_rules)
        self.inline_history = [r for r in self.section_rules if r.get("current") == "no"]
        unit_rules = [r for r in self.rules.sizes if r.get("kind") == "unit"]
        self.unit_factor = {r.id: int(r.get("value")) for r in unit_rules}
        units = "|".join(f"(?P<u{i}>{r.pattern or re.escape(r.literal)})" for i, r in enumerate(unit_rules))
        self.unit_ids = [r.id for r in unit_rules]
        self.size_re = re.compile(
            rf"(?<![\w.,])(?P<dims>{_SIZE_NUMBER}{_AXIS_GLOSS}(?:\s*(?:{'|'.join(units_of(unit_rules))})?{_AXIS_GLOSS}\s*(?:x|×|\*|by)"
            rf"\s*{_SIZE_NUMBER}{_AXIS_GLOSS}){{0,2}})[\s\-]*(?:{units})(?![a-z])", re.IGNORECASE)
        self.size_exclusions = [r for r in self.rules.sizes if r.get("kind") == "exclude_before"]
        self.size_exclusions_after = [r for r in self.rules.sizes if r.get("kind") == "exclude_after"]
        self._column_unit: str | None = None  # the unit a table's size column header names ("Size (mm)")
        self.label_rules = [r for r in self.rules.anchors if r.get("label") == "yes"]
        self.key_rules = [(r.regex, r.get("feature"), r.id) for r in self.rules.keys]
        self._sentence_sides = None  # (text, start, end, side hits, their starts) of the last sentence looked at
        self._sentence_foci = None  # (text, start, end, absent foci) of the last sentence an "every" anchor denied
        self.ocr_split = ocr_split_re(r.literal for r in self.rules.ocr_words)
        self.ocr_misread = OcrMisread(r.literal for r in self.rules.ocr_words)

    # -- public --------------------------------------------------------------------------------------------------
    def nodules(self, text: str) -> list[Nodule]:
        text = section_view(text or "", self.rules.headers, self.ocr_split, self.ocr_misread)
        units = self._units(text)
        return self._identify(units, text)

    def rows(self, record: Mapping, mentions: list[Mapping] = ()) -> list[dict]:
        rows = []
        mentions = MentionSpans(mentions)  # by position once, not scanned whole per nodule field
        for index, nodule in enumerate(self.nodules(record.get("text") or ""), start=1):
            rows.append(self._row(record, index, nodule, mentions))
        return rows

    # -- sections and layout -------------------------------------------------------------------------------------
    def _regions(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, role, side) of the text about the current exam; role findings / impression / addendum."""
        regions = []
        enclosing = "findings"
        for section in self.finder.find(text):
            if section.name not in {"nodule", "body"}:
                enclosing = "impression" if section.name == "impression" else "findings"
            if not section.current or section.name in SKIPPED_SECTIONS:
                continue
            # a COMMENT after the findings sums them up like an IMPRESSION: its units refer back
            role = "impression" if section.name in {"impression", "comment"} else "findings"
            if section.name == "nodule":  # a "Nodule 1:" block belongs to the section it stands in
                role = enclosing
            header = text[section.start:section.header_end]
            if section.name == "comment" and any(r.regex.search(header) for r in self.rules.withdrawn
                                                 if r.id == "nwd-002"):
                role = "addendum"
            start = section.header_end if section.name not in {"nodule"} else section.start
            regions.append((start, section.end, role, section.laterality))
        # inline history cues the shared finder leaves in lower case ("thyroid us.  indication: ...")
        cut = []
        lowered = text.lower()
        for rule in self.inline_history:
            if not rule.may_match(lowered):
                continue
            for m in rule.regex.finditer(text):
                tail = text[m.end():m.end() + 3]
                before = text[max(0, m.start() - 2):m.start()]
                if re.match(r"\s*[:\-]", tail) and (m.start() == 0 or re.search(r"[.;]\s+$|\n\s*$|^\s*$", before)):
                    line_end = text.find("\n", m.end())
                    cut.append((m.start(), len(text) if line_end < 0 else line_end))
        # a region minus the cuts, in text order; a cut that misses a region leaves it as it is (and the result
        # does not depend on the order of the cuts), so each region is cut only by the cuts overlapping it, found by
        # bisection: a long report of many regions and cuts stays linear
        cut.sort()
        cut_starts = [cs for cs, _ in cut]
        reach = list(accumulate((ce for _, ce in cut), max))  # the furthest cut end up to each cut
        out = []
        for start, end, role, side in regions:
            pieces = [(start, end)]
            for cs, ce in cut[bisect_right(reach, start):bisect_left(cut_starts, end)]:
                pieces = [p for s, e in pieces for p in ((s, min(e, cs)), (max(s, ce), e)) if p[1] > p[0]]
            out.extend((s, e, role, side) for s, e in pieces)
        return out

    def _units(self, text: str) -> list[Unit]:
        units: list[Unit] = []
        for start, end, role, side in self._regions(text):
            units.extend(self._region_units(text, start, end, role, side))
        return units

    def _key_feature(self, key: str) -> tuple[str, str] | None:
        key = key.strip()
        if not key or len(key) > 40:
            return None
        for regex, feature, rule_id in self.key_rules:
            if regex.fullmatch(key):
                return feature, rule_id
        labelled = _KEY_LABEL.match(key)
        if labelled and labelled.end() < len(key):  # "NOD-1 LOC", "N2 Comp": a nodule's label before the key
            return self._key_feature(key[labelled.end():])
        return None

    def _cells(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        cells, pos = [], start
        for m in _CELL_SPLIT.finditer(text, start, end):
            cells.append((pos, m.start()))
            pos = m.end()
        cells.append((pos, end))
        return [(s, e) for s, e in cells if text[s:e].strip()]

    def _keyed(self, text: str, s: int, e: int):
        """(feature, key rule, value start, value end) of a ``key: value`` cell, or None."""
        m = _KEY_VALUE.match(text, s, e)
        if not m:
            return None
        found = self._key_feature(m.group("key"))
        if not found:
            return None
        return found[0], found[1], m.start("value"), m.end("value")

    def _label_at(self, text: str, s: int, e: int) -> re.Match | None:
        for rule in self.label_rules:
            m = rule.regex.match(text, s, e)
            if m:
                return m
        return None

    def _region_units(self, text: str, start: int, end: int, role: str, side: str) -> list[Unit]:
        lines = []
        pos = start
        for line in text[start:end].split("\n"):
            cuts = [pos]
            for rule in self.label_rules:
                for m in rule.regex.finditer(text, pos, pos + len(line)):
                    if re.search(r"[.;|]\s+$", text[pos:m.start()]) and re.match(r"\s*(?:\([^)]*\))?\s*[:\-]", text[m.end():pos + len(line)]):
                        cuts.append(m.start())
            cuts = sorted(set(cuts)) + [pos + len(line)]
            lines.extend((a, b) for a, b in zip(cuts, cuts[1:]))
            pos += len(line) + 1
        units: list[Unit] = []
        i = 0
        prose: list[tuple[int, int]] = []

        def flush_prose():
            if prose:
                units.extend(self._prose_units(text, prose, role, side, units))
                prose.clear()

        while i < len(lines):
            ls, le = lines[i]
            body = ls + len(_LINE_START.match(text, ls, le).group(0))
            # a pipe table: a header row whose cells are known keys
            if text.count("|", ls, le) >= 2 and i + 1 < len(lines):
                header = []
                for s, e in self._table_cells(text, ls, le):
                    name = text[s:e].strip(" *")
                    unit_cue = re.search(r"\((mm|cm)\)|\s(mm|cm)$", name)  # "Size (cm)", "Size mm"
                    found = self._key_feature(re.sub(r"\s*\((?:mm|cm)\)|\s+(?:mm|cm)$", "", name)) or ("", "")
                    header.append((*found, (unit_cue.group(1) or unit_cue.group(2)) if unit_cue else None))
                if sum(1 for f, _, _ in header if f and f not in {"ignore", "label"}) >= 2:
                    flush_prose()
                    i += 1
                    while i < len(lines) and text.count("|", *lines[i]) >= 1:
                        rs, re_ = lines[i]
                        row = None if re.fullmatch(r"[\s|:\-=+]*", text[rs:re_]) else \
                            self._table_unit(text, rs, re_, header, role, side)
                        if row is not None:
                            units.append(row)
                        i += 1
                    continue
            label = self._label_at(text, body, le)
            tail = text[label.end():le] if label else ""
            if label and (re.match(r"\s*(?:\([^)]*\))?\s*(?:[:.)\-–—|=]|$)|[ \t]{2,}[^\W\d_][\w /#\-]{0,30}?[ \t]*[:=]", tail)) and not re.match(r"\s*[:\-]?\s*(?:none|no\b)", tail, re.I):
                flush_prose()
                unit = Unit(label.start(), label.end(), "", role, "block", label=re.sub(r"\s+", " ", label.group(0)))
                unit.rule = self._anchor_rule_id(text, label.start(), label.end())
                block = [(label.end(), le)]
                i += 1
                while i < len(lines):
                    ns, ne = lines[i]
                    line = text[ns:ne]
                    if not line.strip():
                        break
                    nbody = ns + len(_LINE_START.match(text, ns, ne).group(0))
                    if self._label_at(text, nbody, ne) and re.match(r"\s*(?:\([^)]*\))?\s*(?:[:.)\-–—|=]|$)", text[self._label_at(text, nbody, ne).end():ne]):
                        break
                    first = self._cells(text, ns, ne)[:1]
                    broken = _BROKEN_LINE.search(text, block[-1][0], block[-1][1]) and _CONTINUED_LINE.match(text, ns, ne)
                    if not (line[:1] in " \t" or (first and self._keyed(text, *first[0])) or broken):
                        break
                    block.append((ns, ne))
                    i += 1
                self._fill_block(text, unit, block, side)
                units.append(unit)
                continue
            # headerless key = value lines: consecutive keyed lines, a repeated feature starts a new nodule
            cells = self._cells(text, ls, le)
            keyed = [self._keyed(text, s, e) for s, e in cells]
            features = [k[0] for k in keyed if k and k[0] not in {"ignore", "label", "category"}]
            if features and keyed[0] and (len(features) >= 2 or self._keyed_run(text, lines, i)):
                above = prose[-1] if prose and prose[-1][1] + 1 == ls else None
                place = above if "location" not in features[:1] else None
                flush_prose()
                header = units[-1] if units and i > 0 and self._heads_keyed_run(units[-1], lines[i - 1], features) else None
                first = len(units)
                i = self._keyed_units(text, lines, i, role, side, units, header=header)
                if header is None and place and first < len(units) and not best_matches(
                        self.rules.anchors, text[place[0]:place[1]], place[0], "anchor"):
                    # "Left lobe, mid: 1.3 x 1.0 x 1.2 cm" over feature lines: the heading places the nodule
                    heading = self._feature_hits(text, *place, features=("side", "position"))
                    units[first].hits.extend(h for h in heading if h.value != "none")
                    units[first].hits.extend(self._sizes(text, *place))
                    units[first].start = min(units[first].start, place[0])
                elif header is None and above and first < len(units) \
                        and not any(h.feature == "side" and h.value != "none" for h in units[first].hits):
                    # "LOBUS SIN.: 48 x 19 mm  NODULE: 1" over "NOD-1 LOC: upper pole": the lobe line gives the side
                    sides = {h.value: h for h in self._feature_hits(text, *above, features=("side",)) if h.value != "none"}
                    if len(sides) == 1:
                        units[first].hits.append(replace(next(iter(sides.values())), soft=True))
                continue
            if prose and prose[-1][1] + 1 == ls and _BROKEN_LINE.search(text, prose[-1][0], prose[-1][1]) \
                    and _CONTINUED_LINE.match(text, ls, le):
                prose[-1] = (prose[-1][0], le)  # a sentence broken over two lines ("... mixed solid and cystic\nnodule")
            else:
                prose.append((ls, le))
            i += 1
        flush_prose()
        return units

    def _keyed_run(self, text, lines, i) -> bool:
        if i + 1 >= len(lines):
            return False
        cells = self._cells(text, *lines[i + 1])
        k = self._keyed(text, *cells[0]) if cells else None
        return bool(k and k[0] not in {"ignore", "label", "category"})

    @staticmethod
    def _heads_keyed_run(unit: Unit, previous_line: tuple[int, int], features: list[str]) -> bool:
        """A prose nodule on the line just above a run of feature lines ("Right lower pole nodule (N1):" then
        "- Composition: solid", ...; or on the lines above it that continue it) is the nodule those lines describe,
        unless the run names its own place."""
        return (unit.layout == "prose" and unit.start < previous_line[1] and unit.end >= previous_line[0]
                and not {"location", "label"} & set(features[:1]))

    def _keyed_units(self, text, lines, i, role, side, units, *, header: Unit | None = None) -> int:
        unit, seen = header, set()
        while i < len(lines):
            cells = self._cells(text, *lines[i])
            keyed = [(c, self._keyed(text, *c)) for c in cells]
            if not keyed or not keyed[0][1]:
                break
            for (s, e), k in keyed:
                feature = k[0] if k else ""
                prefix = _KEY_LABEL.match(text, s + len(text[s:e]) - len(text[s:e].lstrip()), e) if k else None
                label = "Nodule " + (label_key(prefix.group(0)) or "") if prefix and label_key(prefix.group(0)) else ""
                if unit is None or (feature in seen and feature not in {"ignore", "category"}) or (
                        label and unit.label and label_key(label) != label_key(unit.label)):
                    unit = Unit(s, s, "", role, "key_value")
                    unit.rule = k[1] if k else ""
                    units.append(unit)
                    seen = set()
                if label and not unit.label:
                    unit.label = label
                seen.add(feature)
                self._fill_cell(text, unit, s, e, k, side)
                unit.end = max(unit.end, e)
            i += 1
        return i

    def _table_cells(self, text: str, s: int, e: int) -> list[tuple[int, int]]:
        cells, pos = [], s
        for m in re.finditer(r"\|", text[s:e]):
            cells.append((pos, s + m.start()))
            pos = s + m.end()
        cells.append((pos, e))
        if cells and not text[cells[0][0]:cells[0][1]].strip():
            cells = cells[1:]
        if cells and not text[cells[-1][0]:cells[-1][1]].strip():
            cells = cells[:-1]
        return cells

    def _table_unit(self, text, s, e, header, role, side) -> Unit | None:
        """One table row's nodule, or None when its nodule cell says there is none ("Nodule: no")."""
        unit = Unit(s, e, "", role, "table")
        for (cs, ce), (feature, rule_id, column_unit) in zip(self._table_cells(text, s, e), header):
            self._column_unit = column_unit
            value = text[cs:ce].strip()
            if feature == "label" and value and (self._answer(value) or ("", ""))[0] == "none":
                self._column_unit = None
                return None
            if feature == "label" and value and re.fullmatch(r"yes|y|\(?\+\)?|present", value, re.IGNORECASE):
                continue  # "Nodule: yes" names no label
            if feature == "label" and value:
                unit.label = value if not value.isdigit() else f"#{value}"
                unit.rule = rule_id
                continue
            self._fill_cell(text, unit, cs, ce, (feature, rule_id, cs, ce) if feature else None, side)
        self._column_unit = None
        unit.rule = unit.rule or "table-row"
        return unit

    def _block_cells(self, text, block) -> list[tuple[int, int, int]]:
        """(line number, start, end) of a block's cells; a sentence broken over two lines ("... smooth margin,\n
        no echogenic foci.") is one cell."""
        cells: list[tuple[int, int, int]] = []
        last_line = -1  # the line the last cell ends in (a sentence broken over three lines is still one cell)
        for n, (bs, be) in enumerate(block):
            for k, (s, e) in enumerate(self._cells(text, bs, be)):
                if k == 0 and cells and last_line == n - 1 and cells[-1][2] == block[n - 1][1] \
                        and _BROKEN_LINE.search(text, cells[-1][1], cells[-1][2]) and _CONTINUED_LINE.match(text, s, e) \
                        and not self._keyed(text, s, e):
                    cells[-1] = (cells[-1][0], cells[-1][1], e)
                    last_line = n
                    continue
                cells.append((n, s, e))
                last_line = n
        return cells

    def _fill_block(self, text, unit: Unit, block, side) -> None:
        for n, s, e in self._block_cells(text, block):
            if n == 0 and not self._keyed(text, s, e):  # "Nodule 1 - Right lobe, mid": the header's location
                unit.hits.extend(self._feature_hits(text, s, e, features=None, cell=True))
                unit.hits.extend(self._sizes(text, s, e))
                continue
            sub = self._label_at(text, s + len(text[s:e]) - len(text[s:e].lstrip()), e)
            if sub:  # "Nodule 1: Location: isthmus" - the first cell still holds the label
                s = sub.end()
                colon = re.match(r"\s*[:.)\-=]\s*", text[s:e])
                s += colon.end() if colon else 0
            self._fill_cell(text, unit, s, e, self._keyed(text, s, e), side)
        unit.end = block[-1][1]
        if any(a.value == "cyst" for a in best_matches(self.rules.anchors, text[unit.start:unit.end], unit.start, "anchor")):
            unit.cyst = True  # "Nodule 2 (left upper pole): 0.6 cm cyst."
        if side:
            unit.hits.append(Hit("side", side, "section side", unit.start, unit.start, soft=True))

    def _fill_cell(self, text, unit: Unit, s, e, keyed, side) -> None:
        if keyed is None:
            unit.hits.extend(self._feature_hits(text, s, e, features=None))
            return
        feature, rule_id, vs, ve = keyed
        value = text[vs:ve]
        if TICK_BOX.search(value):  # a form's tick boxes ("[ ] cystic [x] solid"): only the ticked choices are stated
            for a, b in _ticked(text, vs, ve):
                self._fill_cell(text, unit, s, e, (feature, rule_id, a, b), side)
            return
        if feature == "location":
            unit.hits.extend(self._feature_hits(text, vs, ve, features=("side", "position"), cell=True))
        elif feature == "size":
            sizes = self._sizes(text, vs, ve, keyed=True)
            in_key = re.search(r"\((mm|cm)\)", text[s:vs])  # "Size (mm): 16", or a "Size (mm)" column
            header_unit = self._column_unit or (in_key.group(1) if in_key else None)
            bare = re.fullmatch(rf"\s*{_SIZE_NUMBER}(?:\s*(?:x|×|\*)\s*{_SIZE_NUMBER}){{0,2}}\s*", value, re.I)
            if not sizes and bare and header_unit:  # "16", "12x9x8", "1.6 x 1.1 x 1.0" under a unit the key names
                factor = 10 if header_unit == "cm" else 1
                largest = max(float(x.replace(",", ".")) for x in re.findall(_SIZE_NUMBER, value))
                sizes = [Hit("size", f"{round(largest * factor, 1):g}", keyed[1], vs, ve, keyed=True)]
            unit.hits.extend(sizes)
        elif feature in CATEGORY_FEATURES or feature == "microcalcifications":
            target = "echogenic_foci" if feature == "microcalcifications" else feature
            hits = self._feature_hits(text, vs, ve, features=(target,), cell=True)
            for h in hits:
                h.keyed = True
            if feature == "echogenic_foci":
                unit.keyed_foci = True
            meaningful = [h for h in hits if h.value not in {"none", "skip"} or h.micro]
            if not meaningful:
                answer = self._answer(value, stated=feature == "microcalcifications")
                if answer:
                    value_, arule = answer
                    if value_ == "none" and feature == "echogenic_foci":
                        hits.append(Hit("echogenic_foci", "none", arule, vs, ve, micro="absent", keyed=True))
                    elif value_ == "none" and feature == "microcalcifications":
                        hits.append(Hit("echogenic_foci", "skip", arule, vs, ve, micro="absent", keyed=True))
                    elif value_ == "present":  # "Microcalcifications: yes": punctate echogenic foci (contract)
                        hits.append(Hit("echogenic_foci", "punctate", arule, vs, ve, micro="present", keyed=True))
                    elif value_ == "uncertain":
                        hits.append(Hit("echogenic_foci", "skip", arule, vs, ve, micro="uncertain", keyed=True))
            unit.hits.extend(hits)
            unit.hits.extend(self._feature_hits(text, vs, ve, features=("category",)))
        elif feature == "label":
            number = re.search(r"\d{1,2}", value)
            if number and not unit.label:
                unit.label = f"Nodule {number.group(0)}"
            else:
                unit.hits.extend(self._feature_hits(text, vs, ve, features=None))
        else:  # category, ignore: a stated category may stand in any cell ("Total: 10 points - TR5")
            stated = self._feature_hits(text, vs, ve, features=("category",))
            unit.hits.extend(stated)
            if feature == "category" and not stated:
                # a "Level" column of pole words ("upper", "mid") places the nodule in its lobe, not a category
                unit.hits.extend(h for h in self._feature_hits(text, vs, ve, features=("position",), cell=True)
                                 if h.value != "none")

    def _answer(self, value: str, *, stated: bool = False) -> tuple[str, str] | None:
        """The template answer ``value`` is (answers.tsv): none / unspecified, and with ``stated`` (a
        microcalcifications key) also present / uncertain ("Microcalcifications: yes", "possible")."""
        bare = value.strip(" .:")
        value = re.sub(r"\(.*?\)|=.*$|\s+$", "", value).strip(" .:=")  # "none (0)", "none   = TR1"
        rules = self.rules.answers
        if stated:  # "?" is uncertain here, not unspecified
            rules = sorted(rules, key=lambda r: r.get("value") not in {"present", "uncertain"})
        else:
            rules = [r for r in rules if r.get("value") not in {"present", "uncertain"}]
        for rule in rules:
            if rule.regex.fullmatch(bare):  # "(-)"
                return rule.get("value"), rule.id
            if rule.regex.fullmatch(value):
                return rule.get("value"), rule.id
        return None

    def _anchor_rule_id(self, text: str, s: int, e: int) -> str:
        for rule in self.rules.anchors:
            if rule.regex.match(text, s, e):
                return rule.id
        return ""

    # -- prose ---------------------------------------------------------------------------------------------------
    def _prose_units(self, text, spans, role, side, earlier: list[Unit]) -> list[Unit]:
        units: list[Unit] = []
        last: Unit | None = earlier[-1] if earlier and earlier[-1].layout == "prose" else None
        for ls, le in spans:
            line_side = side
            sentences = []
            pos = ls
            for m in _SENTENCE_END.finditer(text, ls, le):
                sentences.append((pos, m.start()))
                pos = m.end()
            sentences.append((pos, le))
            for n, (ss, se) in enumerate(sentences):
                if not text[ss:se].strip():
                    continue
                anchors = _without_glosses(text, best_matches(self.rules.anchors, text[ss:se], ss, "anchor"))
                if not anchors and not _PRONOUN.match(text[ss:se]):
                    member = self._largest_member(text, ss, se, role, line_side)
                    if member is not None:  # "Multiple nodules in both lobes. The largest is in the right mid lobe, 35 mm"
                        units.append(member)
                        last = member
                        continue
                    implicit = self._implicit_units(text, ss, se, role, line_side)
                    if implicit:
                        units.extend(implicit)
                        last = implicit[-1]
                        continue
                if not anchors and role == "impression" and last is None:
                    stated = [h for h in self._feature_hits(text, ss, se, features=("category",)) if h.value != "none"]
                    if stated:
                        unit = Unit(stated[0].start, stated[0].end, stated[0].rule, role, "prose", category_only=True)
                        unit.hits.append(stated[0])
                        unit.sentence = (ss, se)
                        units.append(unit)
                        continue
                # an indented line under a line that ends in ":" ("Right upper pole nodule:" / "  Size 1.0 cm; solid")
                # or under the line of the nodule just described (" Solid part: tiny echogenic foci ...")
                previous_line = text.rfind("\n", 0, max(0, ls - 1)) + 1
                indented = n == 0 and text[ls:ls + 1] in " \t" and (
                    re.search(r":\s*$", text[max(0, ls - 80):max(0, ls - 1)])
                    or (last is not None and last.end > previous_line and text[previous_line:ls].strip()))
                if not anchors:
                    if last is not None and (n > 0 or _PRONOUN.match(text[ss:se]) or self._starts_with_key(text, ss, se)
                                             or indented or self._starts_with_category(text, ss, se)):
                        features = ("composition", "echogenicity", "shape", "margin", "echogenic_foci", "category")
                        last.hits.extend(self._feature_hits(text, ss, se, features=features))
                        if _PRONOUN.match(text[ss:se]) or indented or re.match(r"\s*(?:measur|size)", text[ss:se], re.I):
                            last.hits.extend(self._sizes(text, ss, se))
                        last.end = se
                    continue
                bounds = [ss]
                for a, b in zip(anchors, anchors[1:]):
                    cut = None
                    for m in _SEPARATOR.finditer(text, a.end, min(se, b.start + 12)):  # (its look-ahead may see b)
                        if m.start() < b.start:
                            cut = m.start()
                    if cut is None and b.value == "lookalike" and a.value != "lookalike":
                        # "TR5 nodule left 23 mm with suspicious nodes": what stands before the look-alike's own
                        # words describes the nodule
                        joins = list(re.finditer(r"\s(?:with|and|plus|including|also)\s", text[a.end:b.start]))
                        cut = a.end + joins[-1].start() if joins else b.start
                    bounds.append(cut if cut is not None else a.end)
                bounds.append(se)
                last = None
                label: Hit | None = None
                for k, anchor in enumerate(anchors):
                    gs, ge = bounds[k], bounds[k + 1]
                    if k + 1 < len(anchors) and ge == anchor.end and self._rule(anchor.rule).get("label") == "yes" \
                            and self._rule(anchors[k + 1].rule).get("label") != "yes":
                        label = anchor  # "#3 R upper 0.5 cm simple cyst": the label and the noun name one nodule
                        continue
                    if label is not None:
                        gs = bounds[k - 1]
                    unit = self._anchor_unit(text, anchor, gs, ge, ss, se, role, line_side)
                    if unit is not None and label is not None:
                        unit.label = unit.label or re.sub(r"\s+", " ", text[label.start:label.end])
                        unit.start = min(unit.start, label.start)
                    label = None
                    if unit is not None:
                        units.append(unit)
                        last = unit
                    elif anchor.value == "lookalike" and last is not None and last.sentence == (ss, se):
                        # a category stated after a look-alike ("... and nodal disease, ATA high suspicion") is the
                        # nodule's: TI-RADS and the ATA patterns grade thyroid nodules only
                        last.hits.extend(h for h in self._feature_hits(text, gs, ge, features=("category",))
                                         if h.value != "none")
                    elif k > 0 and last is not None and last.sentence == (ss, se) and gs == anchors[k - 1].end \
                            and self._context(text, anchor, gs, ge, ss, se)[0] == "uncertain":
                        # "... nodule with echogenic foci showing comet tails - s/o colloid nodule": the hedged
                        # second noun only interprets the first, whose description runs on to it
                        last.hits.extend(self._feature_hits(text, gs, anchor.start, features=CATEGORY_FEATURES))
        return units

    def _largest_member(self, text, ss, se, role, side) -> Unit | None:
        """A sentence naming no nodule that opens with the largest-member cue (groups.tsv) and states a current size
        ("The largest is in the right mid lobe, 35 x 28 mm, mixed"): the largest member of the group before it."""
        largest = next((r for r in self.rules.groups if r.get("value") == "largest"), None)
        body = ss + len(text[ss:se]) - len(text[ss:se].lstrip())
        m = largest.regex.match(text, body, se) if largest else None
        if not m or not re.match(r"\s+(?:is|was|measures|measuring|lies|sits|one|of\s+(?:which|these|them))\b|\s*[,:(]",
                                  text[m.end():se]):
            return None
        sizes = [replace(h, soft=False) for h in self._sizes(text, m.end(), se)]  # (after "the ... lobe," too)
        if not sizes:
            return None
        unit = Unit(m.start(), se, largest.id, role, "prose", largest=True)
        unit.hits.extend(self._feature_hits(text, m.end(), se, features=None))
        unit.hits.extend(sizes)
        if side and not any(h.feature == "side" for h in unit.hits):
            unit.hits.append(Hit("side", side, "section side", unit.start, unit.start, soft=True))
        unit.sentence = (ss, se)
        return unit

    def _implicit_units(self, text, ss, se, role, side) -> list[Unit]:
        """A clause that names no nodule but states a place, a current size and a TI-RADS category of its own ("R mid
        2.1 cm solid hypoechoic, smooth: TR4") describes one: a nodule whose noun the dictation left out."""
        units = []
        for cs, ce in self._clauses(text, ss, se):
            sizes = [h for h in self._sizes(text, cs, ce) if not h.soft]
            if not sizes:  # the cheap test first: most clauses state no size, and then no feature is looked for
                continue
            hits = self._feature_hits(text, cs, ce, features=None)
            places = [h for h in hits if h.feature == "side" and h.value != "none"]
            categories = [h for h in hits if h.feature in {"composition", "echogenicity"} and h.value != "none"]
            if not (places and categories and sizes):
                continue
            unit = Unit(places[0].start, ce, IMPLICIT_RULE, role, "prose")
            unit.hits.extend(hits)
            unit.hits.extend(sizes)
            if side and not any(h.feature == "side" for h in unit.hits):
                unit.hits.append(Hit("side", side, "section side", unit.start, unit.start, soft=True))
            unit.sentence = (ss, se)
            units.append(unit)
        return units

    @staticmethod
    def _clauses(text, ss, se) -> list[tuple[int, int]]:
        cuts = [ss, *(ss + m.end() for m in re.finditer(";", text[ss:se])), se]
        return [(a, b) for a, b in zip(cuts, cuts[1:]) if text[a:b].strip()]

    def _starts_with_category(self, text, s, e) -> bool:
        """A sentence that opens with a stated category ("TR4 vs TR5. FNA is reasonable.") goes on about the nodule
        just described."""
        body = s + len(text[s:e]) - len(text[s:e].lstrip())
        return any(h.start == body and h.value != "none" for h in self._feature_hits(text, body, e, features=("category",)))

    def _starts_with_key(self, text, s, e) -> bool:
        m = re.match(r"\s*([^\W\d_][\w\-]*(?:\s+[\w\-]+)?)", text[s:e])
        if not m:
            return False
        for words in (m.group(1), m.group(1).split()[0]):
            found = self._key_feature(words)
            if found and found[0] in (*CATEGORY_FEATURES, "microcalcifications", "category"):
                return True  # ("ACR TI-RADS: composition 2 + ... = 7 -> TR5." after the nodule's description)
        return False

    def _rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules.anchors if r.id == rule_id)

    def _context(self, text, anchor: Hit, gs, ge, ss, se) -> tuple[str, str]:
        """The context value (negated / uncertain / historical / definite) of an anchor, with its rule id."""
        found = []
        for rule in self.rules.context:
            width = int(rule.get("max_chars"))
            if rule.get("direction") == "pre":
                window = text[max(ss, anchor.start - width):anchor.start]
                if rule.get("value") != "uncertain" and rule.get("scope") != "sentence":
                    window = re.split(r"[;,:]", window)[-1]
                m = rule.regex.search(window)
            else:
                window = text[anchor.end:min(se, anchor.end + width)]
                m = rule.regex.search(window)
            if m:
                found.append((rule.get("value"), rule.id))
        for wanted in ("negated", "lookalike", "count", "every", "historical", "uncertain", "definite"):
            for value, rule_id in found:
                if value == wanted:
                    return value, rule_id
        return "", ""

    def _anchor_unit(self, text, anchor: Hit, gs, ge, ss, se, role, side) -> Unit | None:
        kind = anchor.value
        if kind == "lookalike":
            return None
        status, status_rule = self._context(text, anchor, gs, ge, ss, se)
        if status == "every":
            # "no punctate echogenic foci in any nodule", "neither of the nodules contains microcalcification": what
            # it denies holds for each nodule described (the report places it at them), no row of its own
            if self._sentence_foci is None or self._sentence_foci[:3] != (text, ss, se):  # once per sentence
                found = [h for h in self._feature_hits(text, ss, se, features=("echogenic_foci",)) if h.micro == "absent"]
                self._sentence_foci = (text, ss, se, found)
            foci = [replace(h) for h in self._sentence_foci[3]]
            if not foci:
                return None
            unit = Unit(anchor.start, anchor.end, status_rule, role, "prose", every=True)
            unit.hits.extend(foci)
            unit.sentence = (ss, se)
            return unit
        if status in {"negated", "uncertain", "historical", "lookalike", "count"}:
            return None
        pre = text[gs:anchor.start]
        rule = self._rule(anchor.rule)
        group_cue = next((r for r in self.rules.groups if r.get("value") == "group"), None)
        if kind == "group" or (group_cue is not None and group_cue.regex.search(re.split(r"[;,]", pre)[-1])):
            largest = next((r for r in self.rules.groups if r.get("value") == "largest"), None)
            m = largest.regex.search(text, anchor.end, ge) if largest else None
            if not m:
                stated = [h for h in self._feature_hits(text, gs, ge, features=("category",)) if h.value != "none"]
                plural = re.search(r"(?:nodules|cysts|lesions|masses)$", text[anchor.start:anchor.end], re.IGNORECASE)
                if role != "impression" or not stated or not plural:  # (not "multinodular gland": the gland)
                    return None
                # "Tiny colloid cysts bilaterally, benign (TI-RADS TR1)": the group's category, for its largest
                # member when that one was described on its own
                unit = Unit(anchor.start, anchor.end, anchor.rule, role, "prose", category_only=True, largest=True)
                unit.hits.append(stated[0])
                unit.sentence = (ss, se)
                return unit
            unit = Unit(m.start(), m.end(), largest.id, role, "prose", largest=True)
            unit.hits.extend(self._feature_hits(text, m.start(), ge, features=None))
            unit.hits.extend(self._sizes(text, m.start(), ge))
            inherited = self._feature_hits(text, gs, m.start(), features=("side", "composition"))
            kinds = {h.value for h in inherited if h.feature == "composition" and h.value != "none"}
            inherited = [h for h in inherited if h.feature == "side" or len(kinds) == 1]
            unit.hits.extend(h for h in inherited if not any(x.feature == h.feature for x in unit.hits))
            if "cyst" in text[anchor.start:anchor.end].lower() or "낭종" in text[anchor.start:anchor.end]:
                unit.cyst = True
        else:
            # the points tally of a nodule described before ("ACR TI-RADS left nodule: solid 2, ... = 7 points, TR5")
            # refers back to it, like "the nodule"
            tally = bool(_POINTS_TALLY.match(text, ss, se))
            unit = Unit(anchor.start, anchor.end, anchor.rule, role, "prose", definite=status == "definite" or tally,
                        cyst=kind == "cyst")
            if rule.get("label") == "yes":
                unit.label = re.sub(r"\s+", " ", text[anchor.start:anchor.end])
            unit.hits.extend(self._feature_hits(text, gs, ge, features=None))
            unit.hits.extend(self._sizes(text, gs, ge))
        if not any(h.feature == "side" for h in unit.hits) and gs > ss:
            before = self._side_before(text, ss, se, gs)
            if before is not None:  # "The right lobe ... contains two nodules: a 1.1 cm ... and a cyst ..."
                unit.hits.append(before)
        if not any(h.feature == "side" for h in unit.hits):
            heading = self._lobe_heading(text, ss)
            if heading is not None:  # "Remaining left lobe: 46 mm. At the lower pole a ... nodule"
                unit.hits.append(heading)
        if side and not any(h.feature == "side" for h in unit.hits):
            unit.hits.append(Hit("side", side, "section side", unit.start, unit.start, soft=True))
        unit.end = max(unit.end, ge)
        unit.sentence = (ss, se)
        return unit

    def _lobe_heading(self, text, ss) -> Hit | None:
        """The side of a lobe heading that opens the line of a sentence ("Remaining left lobe: 46 x 16 mm. At the
        lower pole a spongiform nodule ..."): the lobe the line is about, used when the sentence names none."""
        line_start = text.rfind("\n", 0, ss) + 1
        m = re.match(r"[ \t]*([^\W\d_][^\n:.;,]{0,40}?\blobes?)[ \t]*:", text[line_start:ss])
        if not m:
            return None
        sides = [h for h in self._feature_hits(text, line_start + m.start(1), line_start + m.end(1), features=("side",))
                 if h.value != "none"]
        if len({h.value for h in sides}) != 1:
            return None
        return replace(sides[0], soft=True)

    def _side_before(self, text, ss, se, gs) -> Hit | None:
        """The last side hit (not "none") of ``_feature_hits(text, ss, gs, features=("side",))``, at a bounded cost
        per anchor: a run-on sentence of many anchors would otherwise match its whole beginning again for each one.
        Side words are short (a lobe name, "right neck"), so only the last ``2 * _SIDE_REACH`` characters before
        ``gs`` are matched for each anchor; a hit earlier than ``_SIDE_REACH`` before ``gs`` is taken from the side
        hits of the whole sentence, matched once per sentence (the same hit as in the prefix while no side match,
        with its look-ahead, nor any chain of overlapping ones, reaches over ``_SIDE_REACH`` characters)."""
        start = max(ss, gs - 2 * _SIDE_REACH)
        tail = [h for h in self._feature_hits(text, start, gs, features=("side",)) if h.value != "none"]
        if start == ss:  # the whole prefix was matched
            return tail[-1] if tail else None
        if tail and tail[-1].start >= gs - _SIDE_REACH:
            return replace(tail[-1])
        if self._sentence_sides is None or self._sentence_sides[:3] != (text, ss, se):
            hits = [h for h in self._feature_hits(text, ss, se, features=("side",)) if h.value != "none"]
            self._sentence_sides = (text, ss, se, hits, [h.start for h in hits])
        hits, starts = self._sentence_sides[3:]
        k = bisect_left(starts, gs - _SIDE_REACH)
        return replace(hits[k - 1]) if k else None

    # -- features ------------------------------------------------------------------------------------------------
    def _feature_hits(self, text, s, e, *, features=None, cell=False) -> list[Hit]:
        chunk = text[s:e]
        wanted = features or ("side", "position", *CATEGORY_FEATURES, "category")
        hits = []
        for name in wanted:
            if name == "side":
                rules = self.rules.side
            elif name == "position":
                rules = self.rules.position
            elif name == "category":
                rules = self.rules.categories
            else:
                rules = self.rules.features[name]
            found = best_matches(rules, chunk, s, name, cell=cell)
            if name == "category":
                for h in found:  # "TR4?": a questioned category yields to a definite one of the same nodule
                    h.soft = bool(re.match(r"\s*\?", text[h.end:h.end + 3]))
            hits.extend(found)
        return hits

    def _sizes(self, text, s, e, *, keyed=False) -> list[Hit]:
        hits = []
        for m in self.size_re.finditer(text, s, e):
            before = text[max(0, m.start() - 40):m.start()]
            excluded = [r for r in self.size_exclusions if r.regex.search(before[-int(r.get("value")):])]
            soft = bool(excluded) and all(r.id == "nsz-004" for r in excluded)
            if not keyed and excluded and not soft:
                continue
            after = text[m.end():m.end() + 40]
            if not keyed and any(r.regex.search(after[:int(r.get("value"))]) for r in self.size_exclusions_after):
                continue
            unit_index = next(i for i in range(len(self.unit_ids)) if m.group(f"u{i}"))
            factor = self.unit_factor[self.unit_ids[unit_index]]
            numbers = [float(x.replace(",", ".")) for x in re.findall(_SIZE_NUMBER, m.group("dims"))]
            size = round(max(numbers) * factor, 1)
            if size <= 0 or size > 150:
                continue
            hit = Hit("size", f"{size:g}", self.unit_ids[unit_index], m.start(), m.end(), keyed=keyed,
                      soft=soft and not keyed)
            if hits and _AXIS_RUN.fullmatch(text, hits[-1].end, m.start()):
                # "AP 8 mm, TR 12 mm, CC 14 mm", "8 mm AP x 14 mm CC": one nodule's dimensions, the largest counts
                previous = hits.pop()
                if float(previous.value) >= size:
                    hit = replace(previous, end=m.end())
                else:
                    hit = replace(hit, start=previous.start, soft=previous.soft and hit.soft)
            hits.append(hit)
        return hits

    # -- identity ------------------------------------------------------------------------------------------------
    def _identify(self, units: list[Unit], text: str) -> list[Nodule]:
        nodules: list[Nodule] = []
        for unit in units:
            candidate = resolve_unit(unit)
            if unit.every:
                for nodule in nodules:
                    if nodule.micro is None and candidate.micro is not None:
                        nodule.micro = candidate.micro
                    if not nodule.foci and "none" in candidate.foci:
                        nodule.foci = {"none": candidate.foci["none"]}
                continue
            if unit.category_only:  # the category of the report's only nodule (not a group's largest member), else nothing
                if len(nodules) == 1 and nodules[0].unit.largest == unit.largest and "category" not in nodules[0].values \
                        and "category" in candidate.values:
                    # (a group's category goes to its largest member, a sentence naming no nodule to a single nodule)
                    nodules[0].values["category"] = candidate.values["category"]
                continue
            if unit.section == "addendum":
                if self._withdraws(text, unit):
                    target = match_nodule(candidate, nodules)
                    if target is not None:
                        nodules.remove(target)
                    continue
            bare = not candidate.get("size") and not any(candidate.get(f) for f in CATEGORY_FEATURES[:4]) \
                and not candidate.foci
            refer = unit.section in {"impression", "addendum"} or unit.definite or bare or (unit.label and any(
                label_key(n.unit.label) == label_key(unit.label) for n in nodules))
            target = match_nodule(candidate, nodules, correction=unit.section == "addendum") if refer else None
            if target is None:
                nodules.append(candidate)
            else:
                merge_into(target, candidate, correct=unit.section == "addendum")
        return nodules

    def _withdraws(self, text: str, unit: Unit) -> bool:
        span = text[slice(*unit.sentence)] if unit.sentence != (0, 0) else text[unit.start:unit.end]
        cues = [r for r in self.rules.withdrawn if r.id not in {"nwd-002", "nwd-003"}]
        about_a_feature = [r for r in self.rules.withdrawn if r.id == "nwd-003"]
        # a clause that withdraws a statement about a feature ("the mention of punctate foci is withdrawn") keeps the
        # nodule: the rest of the addendum corrects that feature
        return any(any(r.regex.search(clause) for r in cues) and not any(r.regex.search(clause) for r in about_a_feature)
                   for clause in re.split(r"[;.]", span))

    def points(self, row: Mapping) -> tuple[int | None, list[str]]:
        """ACR TI-RADS points of a nodule row and the points.tsv rows used (see nodule_fields.tirads_points)."""
        return tirads_points(self.rules.points, row)

    # -- output --------------------------------------------------------------------------------------------------
    def _row(self, record: Mapping, index: int, nodule: Nodule, mentions) -> dict:
        evidence = {}

        def cite(name: str, hit: Hit | None, rule: str | None = None) -> None:
            if hit is None:
                return
            evidence[name] = {"rule": rule or hit.rule, "start": hit.start, "end": hit.end,
                              "mentions": mention_ids(mentions, hit.start, hit.end)}

        u = nodule.unit
        cite("nodule", Hit("nodule", "", u.rule or "block", u.start, u.end))
        row = {"report_id": record["report_id"], "patient_id": record["patient_id"], "nodule_index": index,
               "nodule_label": u.label, "report_date": record.get("report_date", ""), "layout": u.layout,
               "section": u.section, "start_char": u.start, "end_char": u.end}
        for name, default in (("side", "unspecified"), ("position", "unspecified"), ("composition", "unspecified"),
                              ("echogenicity", "unspecified"), ("shape", "unspecified"), ("margin", "unspecified")):
            hit = nodule.values.get(name)
            row[name] = hit.value if hit else default
            cite(name, hit)
        size = nodule.values.get("size")
        row["size_mm"] = float(size.value) if size else None
        cite("size_mm", size)
        foci = sorted(nodule.foci)
        row["echogenic_foci"] = ";".join(foci)
        if foci:
            evidence["echogenic_foci"] = [{"value": v, "rule": nodule.foci[v].rule, "start": nodule.foci[v].start,
                                           "end": nodule.foci[v].end,
                                           "mentions": mention_ids(mentions, nodule.foci[v].start, nodule.foci[v].end)}
                                          for v in foci]
        micro = nodule.micro
        row["microcalcifications"] = micro.micro if micro else "not_mentioned"
        cite("microcalcifications", micro)
        category = nodule.values.get("category")
        row["stated_category"] = category.value if category else ""
        cite("stated_category", category)
        points, rules_used = self.points(row)
        row["tirads_points"] = points
        row["tirads_level"] = ""
        if points is not None:
            level, level_rule = self.rules.level(points)
            row["tirads_level"] = level
            evidence["tirads_points"] = {"rule": "+".join(rules_used)}
            evidence["tirads_level"] = {"rule": level_rule}
        row["evidence"] = json.dumps(evidence, sort_keys=True, ensure_ascii=False)
        return row

_KEY_LABEL = re.compile(r"(?:nod(?:ule)?|les(?:ion)?|n|\#)[ \t\-#.]*\d{1,2}[ \t]+(?=[^\W\d_])", re.IGNORECASE)  # "NOD-1 LOC"


def _ticked(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The choices after the ticked boxes of a form's cell, each up to the next box."""
    boxes = list(TICK_BOX.finditer(text, s, e))
    spans = []
    for k, m in enumerate(boxes):
        if box_ticked(m):
            spans.append((m.end(), boxes[k + 1].start() if k + 1 < len(boxes) else e))
    return spans


_HL7_PREFIX = re.compile(r"(?m)^(?:OBX\|(?:[^|\n]*\|){4}|NTE\|(?:[^|\n]*\|){2})")  # OBX-5 / NTE-3 hold the text
_HL7_SUFFIX = re.compile(r"(?m)(?<!\|)\|{3,}[A-Z]?[ \t]*$")  # the empty fields after OBX-5 and the result status
# (tried only where a run of "|" begins: it can only match a whole run, and trying it inside a run of n took n * n
# steps; same text)
_EQUALS_HEADER = re.compile(r"(?m)^([ \t]*[A-Z][A-Z /]{1,30}?[ \t]*)=(?=[ \t])")
_QUALIFIED_HEADER = re.compile(r"(?im)^([ \t]*)((?:ultrasound|sonographic|sonography|us|final|overall|radiological)[ \t]+|[^\W\d_]{2,20}[ \t]*/[ \t]*)(?=(?:impressions?|conclusions?|opinion)[ \t]*:)")
_GLOSSED_HEADER = re.compile(r"(?im)^([ \t]*)([^\W\d_][^\W\d_ \t]*(?:[ \t]+[^\W\d_]+){0,3}[ \t]*\([ \t]*)(impressions?|conclusions?|opinion)([ \t]*\)[ \t]*)(?=[:：])")
_BANNER = re.compile(r"(?m)^([ \t]*(?:\*{2,}|={2,}|#{2,}|-{2,})[^\n]*?)\b(ADDENDUM|CORRECTION|AMENDMENT|ERRATUM|AMENDED[ \t]+REPORT)\b"
                     r"([^\n]*?(?:\*{2,}|={2,}|#{2,}|-{2,})[ \t]*)$", re.IGNORECASE)
_DATED_HEADER = re.compile(r"(?im)^([ \t]*)((?:addendum|correction|amendment|erratum|amended[ \t]+report)|(?P<foreign>adenda|adendo|"
                           r"nachtrag|additif|aanvulling|aneks|korekta))([ \t]*\([^)\n]{1,40}\)[ \t]*):")


def _dated_header(m: re.Match) -> str:
    """"ADDENDUM (04/15/2025):" read as "ADDENDUM:"; a translated one ("ADENDA (13/10/2020):") as "ADDENDUM:"."""
    word, dated = m.group(2), m.group(4)
    if m.group("foreign"):
        word = "ADDENDUM" if word.isupper() else "addendum"
        return m.group(1) + word + ":" + " " * (len(m.group(2)) + len(dated) - len(word))
    return m.group(1) + word + ":" + " " * len(dated)
_INLINE_HEADER = re.compile(r"(?<=[.!?])([ \t]+)(impression|conclusions?|comments?|summary|opinion)(?=[ \t]*:)", re.IGNORECASE)


_HL7_SECTION = re.compile(r"(?:[^|^\n]*\^)*(impressions?|conclusions?|findings|comments?|addendum|opinion|summary|"
                          r"history|indications?|technique|recommendations?)[ \t]*", re.IGNORECASE)


def _hl7_prefix_view():
    """The blanking of OBX / NTE wrappers, keeping a section the observation identifier names ("OBX|5|TX|
    GDT^IMPRESSION||..." opens IMPRESSION): its name and a colon written where the wrapper was, once per run of
    segments with that identifier."""
    previous = [""]

    def blank(m: re.Match) -> str:
        wrapper = m.group(0)
        fields = wrapper.split("|")
        name = ""
        if fields[0] == "OBX" and len(fields) > 3:
            found = _HL7_SECTION.fullmatch(fields[3])
            name = found.group(1).upper() if found else ""
        if name and name != previous[0] and len(name) + 2 <= len(wrapper):
            previous[0] = name
            return name + ":" + " " * (len(wrapper) - len(name) - 1)
        if fields[0] == "OBX":
            previous[0] = name
        return " " * len(wrapper)

    return blank


_OCR_LETTERS = {"m": "(?:m|rn)", "o": "[o0]", "l": "[l1I]", "i": "[il1]"}  # letters OCR reads as others
_OCR_NUMBER = re.compile(r"(?<![\w.])[\dlIO]+(?:[.,][\dlIO]+)?(?![\w])")


class OcrMisread:
    """Same-length reading of the letters scanned (OCR) reports confuse: in a word of ``words`` (ocr_words.tsv) a
    zero for "o", "1" or "I" for "l" and "i", "l" for "i", "rn" for "m" ("n0dules", "wlder", "rnixed",
    "IMPRESSl0N"), the word written back with the spaces a shorter reading leaves at its end; in a number, "l",
    "I" or "O" for a digit ("l.2 x 0.9 cm", "4.l cm")."""

    def __init__(self, words):
        self.words = {w.lower() for w in words}
        forms = sorted(self.words, key=len, reverse=True)
        self.each = {w: re.compile("".join(_OCR_LETTERS.get(c, re.escape(c)) for c in w), re.IGNORECASE) for w in forms}
        self.regex = re.compile(r"(?<![\w\-])(?:" + "|".join(p.pattern for p in self.each.values()) + r")(?![\w])",
                                re.IGNORECASE) if forms else None

    def _word(self, m: re.Match) -> str:
        found = m.group(0)
        if found.lower() in self.words:
            return found
        word = next((w for w, p in self.each.items() if p.fullmatch(found)), None)
        if word is None:
            return found
        letters = [c for c in found if c.isalpha()]
        if letters and all(c.isupper() or c in "lI" for c in letters) and sum(c.isupper() for c in letters) > 1:
            word = word.upper()
        elif found[:1].isupper():
            word = word[:1].upper() + word[1:]
        return word + " " * (len(found) - len(word))

    def __call__(self, text: str) -> str:
        if self.regex is not None:
            text = self.regex.sub(self._word, text)
        if any(c in text for c in "lIO"):
            text = _OCR_NUMBER.sub(_ocr_number, text)
        return text


def _ocr_number(m: re.Match) -> str:
    token = m.group(0)
    if any(c.isdigit() for c in token) and any(c in "lIO" for c in token):
        return token.translate(str.maketrans("lIO", "110"))
    return token


def ocr_split_re(words) -> re.Pattern | None:
    """A word of ``words`` written with one space inside it, each part at least two letters ("nod ule")."""
    forms = sorted({w[:i] + " " + w[i:] for w in words for i in range(2, len(w) - 1)}, key=len, reverse=True)
    return re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, forms)) + r")(?![\w])", re.IGNORECASE) if forms else None


def section_view(text: str, headers=(), ocr_split: re.Pattern | None = None, ocr_misread=None) -> str:
    """``text`` with the same length and offsets, arranged so that the shared section headers are found: HL7 v2
    segment wrappers ("OBX|3|TX|&GDT|3|...||||||F") blanked, an upper-case "KEY = value" header read as
    "KEY : value", a banner line "*** ADDENDUM / FINAL ***" read as its amending word, "ADDENDUM (date):" as "ADDENDUM:", "Ultrasound impression:", a bilingual "Wnioski / Conclusions:" and a glossed "Ultrasound prompt (impression):" read as "impression:", a translated
    conclusion header (``headers``, patterns/nodules/headers.tsv: "Judgement:", "Conclusione:") as "imp:", a word
    OCR split with one space (``ocr_split``, patterns/nodules/ocr_words.tsv: "nod ule") read whole, OCR letter
    misreadings (``ocr_misread``: "n0dule", "rnixed", "l.2 cm") read as the word or number, and a sentence-initial "Impression:" inside a
    paragraph written in upper case (the section finder reads mid-line headers only in upper case)."""
    if "<" in text:  # an XML export: "<Composition>solid</Composition>" read as "Composition: solid"
        text = markup_view(text)
    if '":' in text:  # a JSON export: "composition": "solid" read as composition: solid
        text = json_view(text)
    if ":" in text:  # "FR: ... / EN: ...": the English paragraphs only
        text = translation_view(text)
    if ocr_split is not None and " " in text:  # "nod ule" read as "nodule " (ocr_words.tsv): the same length
        text = sub_at_word_starts(ocr_split, lambda m: m.group(0).replace(" ", "") + " ", text)
    if ocr_misread is not None:  # "n0dule", "rnixed", "l.2 cm" read as "nodule", "mixed ", "1.2 cm"
        text = ocr_misread(text)
    if "|" in text:
        text = _HL7_PREFIX.sub(_hl7_prefix_view(), text)
        text = _HL7_SUFFIX.sub(lambda m: " " * len(m.group(0)), text)
    if "*" in text or "=" in text or "#" in text or "--" in text:
        # a banner line ("*** ATTENDING ADDENDUM / FINAL ***"): its amending word is the header
        text = _BANNER.sub(lambda m: " " * len(m.group(1)) + m.group(2) + " " * len(m.group(3)), text)
    if "(" in text:  # "ADDENDUM (04/15/2025):" - the date between the header and its colon
        text = _DATED_HEADER.sub(_dated_header, text)
    text = _EQUALS_HEADER.sub(lambda m: m.group(1) + ":", text)
    text = _QUALIFIED_HEADER.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    if "(" in text:  # "Ultrasound prompt (impression):", a translated header glossed in parentheses
        text = _GLOSSED_HEADER.sub(lambda m: m.group(1) + " " * (len(m.group(2)) + len(m.group(4))) + m.group(3), text)
    for rule in headers:  # "Judgement:", "Conclusione:" (headers.tsv) read as "imp:" padded to the same length
        for m in rule.regex.finditer(text):
            if len(m.group(0)) >= 3 and re.fullmatch(r"[ \t]*", text[text.rfind("\n", 0, m.start()) + 1:m.start()]) \
                    and re.match(r"[ \t]*[:：]", text[m.end():m.end() + 4]):
                text = text[:m.start()] + "imp" + " " * (len(m.group(0)) - 3) + text[m.end():]
    return _INLINE_HEADER.sub(lambda m: m.group(1) + m.group(2).upper(), text)


def _without_glosses(text: str, anchors: list[Hit]) -> list[Hit]:
    """Anchors minus those that only translate the one before them in parentheses ("저에코 결절 (hypoechoic
    nodule)", "nodulo (nodule)"): one nodule, not two."""
    kept: list[Hit] = []
    for anchor in anchors:
        if kept and re.fullmatch(r"\s*\(\s*[^()\n]{0,40}", text[kept[-1].end:anchor.start]) \
                and re.match(r"[^()\n]{0,20}\)", text[anchor.end:anchor.end + 22]):
            continue
        kept.append(anchor)
    return kept


def units_of(unit_rules) -> list[str]:
    return [r.pattern or re.escape(r.literal) for r in unit_rules]
