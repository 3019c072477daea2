"""fna_site (cytology) and tumor_site (surgical pathology with carcinoma): the sampled / resected side, from the
cues in patterns/pathology/sites.tsv (contract v1.1; linking reads these report columns).

Values: ``right``, ``left``, ``isthmus``, ``bilateral``, ``unspecified``. Lines that quote the history (``skip_line``)
never give the side.

- Cytology: the side cues of the first line that has any (the specimen / target line comes first); when that line
  is a labelled part ("A.", "1)"), the side cues of the other labelled part lines join it (several targets).
- Surgical pathology, first step that finds a side wins (sentences about lymph nodes are skipped):
  1. the union of side cues in sentences (or ";" clauses) that name the carcinoma or tumour, except those that deny
     it ("no carcinoma", "no separate tumour focus", "not counted as carcinoma": ``tumour_denied``); a hard-wrapped
     sentence is read with its continuation line, and lettered sub-items under the carcinoma's line ("a) Rt lobe:
     1.6 cm") are its foci;
  1b. when those name no side: the sides of the labelled part ("A.") that names the carcinoma, from the part's other
     segments ("A. Right thyroid lobe.", "Gross: A. Right lobe with a nodule");
  2. the side of a one-sided resection (lobectomy, hemithyroidectomy, isthmusectomy) on a specimen / procedure
     line, unless the line also says total; an isthmectomy (no lobectomy on the line) is the isthmus even when it
     takes "the medial portion of both lobes";
  3. the union of side cues in sentences naming a nodule / mass / lesion without a negation (gross);
  4. the one side named with the thyroid or a lobe (``organ_word``) on the report's first line (its title).

Right + left (or a ``bilateral`` cue) -> bilateral; one lobe with the isthmus -> that lobe.
"""
from __future__ import annotations

import re

from ...knowledge.pathology_rules import SITE_ROLES as ROLES
from ...knowledge.resources import patterns_dir
from ...knowledge.rules import Rule, read_rule_file

SITES = ("right", "left", "isthmus", "bilateral", "unspecified")
SIDE_ROLES = ("right", "left", "isthmus", "bilateral")
UNSPECIFIED = "unspecified"
_SENTENCE_SPLIT = re.compile(r"(?<=[.;])\s+|\n")


class SiteCues:
    """The site rules grouped by role."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.by_role: dict[str, tuple[Rule, ...]] = {role: tuple(r for r in rules if r.get("value") == role)
                                                     for role in ROLES}

    def search(self, role: str, text: str, base: int = 0) -> list[tuple[Rule, int]]:
        """(rule, absolute offset) of every rule of ``role`` that matches ``text`` (first match per rule)."""
        found = []
        for rule in self.by_role[role]:
            m = rule.regex.search(text)
            if m:
                found.append((rule, base + m.start()))
        return found

    def sides(self, text: str, base: int) -> dict[str, str]:
        """side -> ref of the first cue for it in ``text``."""
        out = {}
        for side in SIDE_ROLES:
            hits = self.search(side, text, base)
            if hits:
                rule, pos = min(hits, key=lambda h: h[1])
                out[side] = f"{rule.id}@{pos}"
        return out


def combine(found) -> str:
    if not found:
        return UNSPECIFIED
    if "bilateral" in found or {"right", "left"} <= set(found):
        return "bilateral"
    for side in ("right", "left"):
        if side in found:
            return side  # one lobe, with or without the isthmus
    return "isthmus"


def _lines(cues: SiteCues, text: str):
    for m in re.finditer(r"[^\n]+", text):
        if not cues.search("skip_line", m.group(0)):
            yield m.start(), m.group(0)


def _refs(found: dict[str, str]) -> str:
    return ",".join(found.values())


_PART_LABEL = re.compile(r"[ \t]*(?:[A-H]|\d{1,2})[.)][ \t]+\S")


def fna_site(cues: SiteCues, text: str) -> tuple[str, str]:
    """(site, rule refs or a miss reason) of a cytology report: the first line with a side cue, joined by the side
    cues of every labelled part line ("A. Right ... FNA" / "B. Left ... FNA": several targets). A labelled part
    that samples a lymph node gives no thyroid side when a thyroid part has one (contract v1.1: the thyroid part
    decides). When no other line names a side, the clinical line's nodule is the target ("Clinical: left thyroid
    nodule, 2 cm"): the request names what is sampled."""
    found: dict[str, str] = {}
    parts: list[tuple[bool, dict[str, str]]] = []  # (is a node part, sides) of the labelled part lines
    for start, line in _lines(cues, text):
        sides = cues.sides(line, start)
        if not sides:
            continue
        is_part = bool(_PART_LABEL.match(line))
        if not found and not parts:
            if not is_part:
                found = sides
                break
        if is_part:
            parts.append((bool(cues.search("node_sentence", line)), sides))
    if parts:
        thyroid = [sides for node, sides in parts if not node] or [sides for _, sides in parts]
        for sides in thyroid:
            found = {**sides, **found}
    if found:
        return combine(found), _refs(found)
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        if cues.search("skip_line", line) and cues.search("lesion_sentence", line) and \
                not cues.search("node_sentence", line):
            found = cues.sides(line, m.start())
            if found:
                return combine(found), _refs(found)
    return UNSPECIFIED, "miss:no_side_stated"


# a line that continues the sentence of the line before: that line ends without a full stop, colon or semicolon and
# this one starts in lower case or with a bracket ("A second focus of papillary microcarcinoma" / "(4 mm) in the
# right lobe.")
_WRAPPED = re.compile(r"[ \t]*[a-z(]")
_OPEN_END = re.compile(r"[^.;:!?]\s*$")
# a part label inside a line: at its start (after a header such as "Gross:") or after a full stop ("A. Right
# lobe. B. Left lobe."), followed by the part's text
_SEGMENT_LABEL = re.compile(r"(?:^|(?<=[.:;])|(?<=[.:;][ \t])|(?<=[.:;][ \t]{2}))[ \t]*([A-H]|\d{1,2})[.)][ \t]+(?=\S)")
# a lettered sub-item under the carcinoma's line ("a) Rt lobe: 1.6 cm", "(ii) left lobe, 2 mm")
_SUB_ITEM = re.compile(r"[ \t]*\(?(?:[a-h]|[ivx]{1,4})\)[ \t]+\S")
# a numbered checklist item under a carcinoma line that is itself no numbered item ("Papillary carcinoma" /
# "1) Location: Lt. mid, Rt. lower" / "2) Size: ..."): its items describe that carcinoma
_NUMBERED_ITEM = re.compile(r"[ \t]*\(?\d{1,2}\)[ \t]+\S")


def _sentences(cues: SiteCues, text: str) -> list[tuple[int, str]]:
    """(offset, text) of the sentences (or ";" clauses) of the non-history lines; a hard-wrapped sentence is joined
    with its continuation line (the span keeps pointing into ``text``)."""
    out: list[tuple[int, str]] = []
    previous_end = None  # end of the previous line when it ended inside a sentence
    for start, line in _lines(cues, text):
        pos = 0
        first = True
        for part in _SENTENCE_SPLIT.split(line):
            offset = line.find(part, pos)
            pos = offset + len(part)
            if first and previous_end is not None and out and _WRAPPED.match(part) and \
                    text[previous_end:start].strip() == "":
                lo, _ = out[-1]
                out[-1] = (lo, text[lo:start + offset + len(part)])
            else:
                out.append((start + offset, part))
            first = False
        previous_end = start + len(line) if _OPEN_END.search(line) else None
    return out


def _segments(cues: SiteCues, text: str) -> list[tuple[str, int, str]]:
    """(label, offset, text) of each labelled part segment of every non-history line ("A. Right thyroid lobe. B. Left
    ...")."""
    out = []
    for lo, line in _lines(cues, text):
        labels = list(_SEGMENT_LABEL.finditer(line))
        for i, m in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(line)
            out.append((m.group(1), lo + m.start(), line[m.start():end]))
    return out


_INDENT = re.compile(r"[ \t]*")


def _label_above(text: str, pos: int) -> str:
    """The label of the part line above ``pos`` whose content is indented under it ("A. Right lobe, lobectomy:" then
    "   - Papillary carcinoma, 1.4 cm"): the nearest earlier line indented less, when it opens with a part label."""
    line_start = text.rfind("\n", 0, pos) + 1
    indent = len(_INDENT.match(text, line_start).group(0))
    while line_start > 0 and indent > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        line = text[prev_start:line_start - 1]
        line_start = prev_start
        if not line.strip():
            return ""
        lead = len(_INDENT.match(line).group(0))
        if lead < indent:
            m = _SEGMENT_LABEL.match(line)
            return m.group(1) if m else ""
    return ""


def _label_at(segments, pos: int) -> str:
    label = ""
    for name, start, segment in segments:
        if start <= pos < start + len(segment):
            label = name
    return label


def _tumour_clauses(cues: SiteCues, sentence: str, base: int) -> list[tuple[int, str]]:
    """(offset, text) of the coordinated clauses of a carcinoma sentence (cut at the ``coordination`` cues), without
    those that name another lesion (``other_lesion``: NIFTP, adenoma, hyperplasia, a nodule) and no carcinoma; the
    whole sentence when nothing is left out."""
    cuts = sorted({m.end() for rule in cues.by_role["coordination"] for m in rule.regex.finditer(sentence)})
    bounds = [0, *cuts, len(sentence)]
    if len(bounds) == 2:
        return [(base, sentence)]
    clauses = [(base + bounds[i], sentence[bounds[i]:bounds[i + 1]]) for i in range(len(bounds) - 1)]
    kept = [(lo, c) for lo, c in clauses
            if cues.search("tumour_sentence", c) or not cues.search("other_lesion", c)]
    if len(kept) == len(clauses) or not any(cues.search("tumour_sentence", c) for _, c in kept):
        return [(base, sentence)]
    return kept


def _isthmectomy(cues: SiteCues, line: str, base: int) -> str:
    """The ref of a one-sided resection cue on the line when every one names the isthmus (an isthmectomy, not a
    lobectomy), else ""."""
    refs = []
    for rule in cues.by_role["one_sided_specimen"]:
        for m in rule.regex.finditer(line):
            if not cues.search("isthmectomy", m.group(0)):
                return ""
            refs.append(f"{rule.id}@{base + m.start()}")
    return refs[0] if refs else ""


def tumor_site(cues: SiteCues, text: str) -> tuple[str, str]:
    """(site, rule refs or a miss reason) of a surgical pathology report with carcinoma."""
    lines = list(_lines(cues, text))
    sentences = [(start, part) for start, part in _sentences(cues, text) if not cues.search("node_sentence", part)]
    found: dict[str, str] = {}
    tumour = [(start, sentence) for start, sentence in sentences
              if cues.search("tumour_sentence", sentence) and not cues.search("tumour_denied", sentence)]
    for start, sentence in tumour:
        for lo, clause in _tumour_clauses(cues, sentence, start):
            found = {**cues.sides(clause, lo), **found}
        # lettered sub-items right under the carcinoma's line are its foci ("a) Rt lobe: 1.6 cm" / "b) Lt lobe ...")
        line_end = text.find("\n", start + len(sentence))
        line_start = text.rfind("\n", 0, start) + 1
        numbered = not _PART_LABEL.match(text[line_start:start + len(sentence)])
        while line_end >= 0:
            m = re.match(r"\n([^\n]*)", text[line_end:])
            if not m or not (_SUB_ITEM.match(m.group(1)) or numbered and _NUMBERED_ITEM.match(m.group(1))) \
                    or cues.search("node_sentence", m.group(1)) or cues.search("tumour_denied", m.group(1)):
                break
            found = {**cues.sides(m.group(1), line_end + 1), **found}
            line_end = text.find("\n", line_end + 1)
    if found:
        return combine(found), _refs(found)
    # the carcinoma is named in a labelled part ("A. Papillary carcinoma ...") whose side is on the part's other lines
    # ("A. Right thyroid lobe.", "Gross: A. Right lobe with a nodule"): the sides of that part
    segments = _segments(cues, text)
    labels = {_label_at(segments, start) or _label_above(text, start) for start, _ in tumour} - {""}
    for label, start, segment in segments:
        if label in labels and not cues.search("node_sentence", segment) and not cues.search("tumour_denied", segment):
            found = {**cues.sides(segment, start), **found}
    if found:
        return combine(found), _refs(found)
    for start, line in lines:
        if cues.search("specimen_line", line) or cues.search("one_sided_specimen", line):
            sides = cues.sides(line, start)
            side = combine(sides)
            if side not in (UNSPECIFIED, "bilateral") and not cues.search("total_resection", line):
                return side, _refs(sides)
            isthmectomy = _isthmectomy(cues, line, start)
            if isthmectomy and not cues.search("total_resection", line):
                return "isthmus", isthmectomy  # "extended isthmectomy with the medial portion of both lobes"
    for start, sentence in sentences:
        if cues.search("lesion_sentence", sentence) and not cues.search("negation", sentence):
            found = {**cues.sides(sentence, start), **found}
    if found:
        return combine(found), _refs(found)
    # last resort: the title line names the operated side ("Debulking, left thyroid and tracheostomy site")
    if lines:
        start, title = lines[0]
        sides = cues.sides(title, start)
        side = combine(sides)
        if cues.search("organ_word", title) and side not in (UNSPECIFIED, "bilateral") and \
                not cues.search("total_resection", title):
            return side, _refs(sides)
    return UNSPECIFIED, "miss:no_side_stated"


_DEFAULT: list[SiteCues] = []


def site_from_text(text: str, kind: str) -> str:
    """The side of one report with the shipped rules, ``unknown`` when unstated (the patients table's vocabulary);
    for reports tables written before the site columns existed."""
    if not _DEFAULT:
        rules = read_rule_file(patterns_dir() / "pathology" / "sites.tsv", required=["value"], choices={"value": set(ROLES)})
        _DEFAULT.append(SiteCues(tuple(rules)))
    value, _ = (fna_site if kind == "cytology" else tumor_site)(_DEFAULT[0], text)
    return "unknown" if value == UNSPECIFIED else value
