"""A pathology report as plain text: sections (via the shared :class:`SectionFinder`), clauses, rule hits with
negation and family checks. No spaCy here."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Iterator

from ...knowledge.pathology_rules import PathologyRules
from ...knowledge.rules import Rule
from ...nlp.matching import TextIndex, rule_lead
from ...nlp.sections import BODY, Section, SectionFinder, section_at

# Markdown heading marks and table pipes at a line start hide headers from the section finder; they are blanked
# (same length, so every offset still points into the original text).
_MARKDOWN_LINE_START = re.compile(r"(?m)^[ \t]*(#+|\*\*)[ \t]*")
_BOLD = re.compile(r"\*\*")
_TABLE_ROW = re.compile(r"(?m)^[ \t]*\|[^\n]*\|[ \t]*$")
# A clause ends at a line break, a semicolon or a full stop that is not a decimal point. A hard-wrapped line (a
# word, no punctuation, then a line starting in lower case: "no\nextrathyroidal extension") does not end a clause;
# a line opening with a lower-case list label ("a) left lobe: 0.9 cm") is a new item and does.
# A line ending in a hyphen continues its word on the next line ("full-" / "thickness"). Several checklist rows on
# one line, each after a bullet set off by two or more spaces ("- Psammoma bodies: present   - Background: no
# thyroiditis"), are separate clauses.
_CLAUSE_END = re.compile(r"(?<![A-Za-z,\-])\n|\n(?![ \t]*(?![a-z][.)][ \t])(?:[a-z]|\((?![A-Za-z0-9]{1,4}\))))|;|(?<!\d)\.(?!\d)|\.(?=\s)"
                         r"|(?<=\S)[ \t]{2,}(?=[-*•·][ \t]+\S)")
EXCLUDED, DEFAULT_RANK = "excluded", 2
_HEADING_LINE = re.compile(r"(?m)^[ \t]*(?:#+|\*\*)")
_CAPS_HEADING = re.compile(r"(?m)^[ \t]*[A-Z][A-Z \-()/&]{3,60}:?[ \t]*$")
_THYROID_TUMOUR = re.compile(r"(?i)thyr[o0][il1]d\s+(?:carcinoma|cancer|origin|primary|neoplasm)")
_PART_NAME = re.compile(r"[^:;\n]*")
_SPECIMEN_LINE = re.compile(
    r"(?im)^[ \t#*]*(?:specimens?(?:\s+(?:submitted|type))?|type\s+of\s+specimen|procedure|operation|source|sample(?:\s+type)?"
    r"|tipo\s+de\s+muestra|materia(?:a)?l)[ \t]*[:\-][^\n]*")
# the letter of a part label ("B.", "(B)", "B)", "Part B")
_PART_LETTER = re.compile(r"(?:\(?([A-H])[.:)][ \t]|(?i:part|specimen)\s*([A-H])\b)")
# a thyroid resection or a lobe measured: the specimen holds thyroid (Report.node_only)
_THYROID_RESECTION = re.compile(r"(?i)\b(?:(?:total|near[\s\-]*total|sub[\s\-]*total|completion|hemi)[\s\-]*)?"
                                r"thyr[eo0][o0]?[il1]d[eé]?c?k?tom\w*|\blobec?k?tom\w*|\b(?:right|left|thyroid)\s+lobe\s*"
                                r"(?:,\s*)?(?:measur\w*|weigh\w*)")
_EARLIER = re.compile(r"(?i)\b(?:prior|previous|previously|earlier|status\s+post|s/p|history\s+of|after|following|post)\b[^\n.;]*$")
# "No thyroid tissue submitted" on a specimen line names no thyroid in the specimen
_NO_THYROID = re.compile(r"(?i)\b(?:no|without)\s+thyr[eo0][o0]?[il1]d\s+(?:tissue|parenchyma|gland)\b")
_LINE_LEAD = re.compile(r"[ \t]*(?:[-*•·>]+[ \t]*|\(?[0-9a-zA-Z]{1,2}[.)][ \t]+)?")


@dataclass(frozen=True)
class Hit:
    """One rule match: where, which rule, its value, and in which section."""

    rule: Rule
    start: int
    end: int
    value: str
    section: str
    rank: int
    match: re.Match

    @property
    def ref(self) -> str:
        return f"{self.rule.id}@{self.start}"


def _table_row(m: re.Match) -> str:
    """"| Key | Value |" -> "  Key : Value  ": the first cell boundary becomes a key colon, other pipes blanks."""
    row = m.group(0)
    cells = row.split("|")
    if len(cells) < 4:
        return row
    return " " + cells[1] + ":" + " ".join(cells[2:])


# "[Gross] Right lobe ..." / "[Diagnosis]": a header in square brackets at a line start (Japanese and Chinese
# report layouts) reads as "Gross: ..."
_BRACKET_HEADER = re.compile(r"(?m)^([ \t]*)\[([A-Za-z][A-Za-z /&\-]{1,40})\]")
# an HL7 v2 result segment "OBX|2|TX|GROSS||Left lobe ...||||||F": the observation id is the section header and the
# observation value its text ("       GROSS: Left lobe ..."); the other fields are blanked
_HL7_OBX = re.compile(r"(?m)^(OBX\|[^|\n]*\|[^|\n]*\|)([^|\n]*)(\|[^|\n]*\|)([^|\n]*)(\|[^\n]*)?$")


def _hl7_obx(m: re.Match) -> str:
    name = m.group(2).split("^")[-1] if "^" in m.group(2) else m.group(2)
    head = " " * len(m.group(1)) + name.rjust(len(m.group(2)))
    sep = ":" + " " * (len(m.group(3)) - 1)
    return head + sep + m.group(4) + " " * len(m.group(5) or "")


def blank_markdown(text: str) -> str:
    """Blank markdown marks (same length, so offsets keep pointing into the original text)."""
    def spaces(m: re.Match) -> str:
        return " " * len(m.group(0))
    text = _TABLE_ROW.sub(_table_row, text)
    text = _BRACKET_HEADER.sub(lambda m: m.group(1) + " " + m.group(2) + ":", text)
    text = _HL7_OBX.sub(_hl7_obx, text)
    return _BOLD.sub("  ", _MARKDOWN_LINE_START.sub(spaces, text))


# "GROSS = Received fresh ..." / "DIAGNOSIS = ...": a key at a line start closed by "=" is a header like "GROSS:".
_EQUALS_KEY = re.compile(r"(?m)^([ \t]*[A-Za-z][A-Za-z /()\-]{1,40}?[ \t]*)=(?=[ \t])")
# "Left hemithyroidectomy. Macroscopic: lobe ...": a capitalised word closed by a colon after a sentence. The shared
# splitter takes inline headers in upper case only; a known pathology header there is upper-cased (same length).
_INLINE_KEY = re.compile(r"(?<=[.;!?])([ \t]+)([A-Z][a-z]+(?:[ \t]+[a-z]+)?)(?=[ \t]*:)")


def header_keys(text: str, header_rules) -> str:
    """Same-length rewrites that let the shared section finder see pathology headers it would miss."""
    text = _EQUALS_KEY.sub(lambda m: m.group(1) + ":", text)

    def upper(m: re.Match) -> str:
        word = m.group(2)
        if any(rule.regex.fullmatch(word) for rule in header_rules):
            return m.group(1) + word.upper()
        return m.group(0)
    return _INLINE_KEY.sub(upper, text)


# -- OCR repair -----------------------------------------------------------------------------------------------
# A scanned report confuses look-alike characters ("CARCIN0MA", "Ieft Iobe", "fo11icular", "carcinorna", "1.5 crn")
# and splits words ("Pap illary", "nodu les"). A word is repaired only into a word the rules are written in
# (PathologyRules.vocabulary), never into anything else, and always to the same length: "rn" read as "m" is padded
# with a soft hyphen after the word, a split word gets its space after it. Offsets keep pointing into the original.
_OCR_TOKEN = re.compile(r"[A-Za-z0-9|]+")
_OCR_OPTIONS = {"0": "o", "1": "li", "I": "l", "l": "i", "|": "l"}
_OCR_PAD = "\u00ad"
# a token that may hold a confusion at all (a digit or bar, "rn", a capital I beside a small letter, a small l in
# an upper-case word); every other token is taken as written without trying its readings
_OCR_SUSPECT = re.compile(r"[01|]|rn|I[a-z]|[a-z]I|[A-Z]l|l[A-Z]")
_OCR_MAX_VARIANTS = 256
_OCR_WORD_LETTERS = {"a", "A", "I"}  # "a typical" is two words, never "atypical"
OCR_MIN_LENGTH = 3  # "N0", "T1", "0n" are left alone (stage groups, block labels)
OCR_JOIN_MIN = 6  # a split word is joined only into a word this long ("n odule" -> "nodule", never "a mass")


def _ocr_options(token: str, i: int, upper: bool) -> str:
    """The other readings of token[i]: a digit or bar among letters always; a capital I only beside a lower-case
    letter ("Ieft"), a small l only in an upper-case word ("DlAGNOSIS"), so "TAIL" or "well" stay as written."""
    ch = token[i]
    if ch == "I":
        near = token[i - 1:i] + token[i + 1:i + 2]
        return _OCR_OPTIONS[ch] if any(c.islower() for c in near) else ""
    if ch == "l":
        return _OCR_OPTIONS[ch] if upper else ""
    return _OCR_OPTIONS.get(ch, "")


def _ocr_variants(token: str) -> list[str]:
    """The readings of ``token`` under the OCR confusions (0/o, 1/l/i, I/l, l/i, |/l, rn/m), the token itself first.
    A reading takes the case of the character it replaces, or of the token's letters in an upper-case word."""
    upper = sum(c.isupper() for c in token) > sum(c.islower() for c in token)
    out = [""]
    i = 0
    while i < len(token):
        ch = token[i]
        if token.startswith("rn", i):
            options = ["rn", "m"]
            i += 2
        else:
            cased = (lambda o: o.upper()) if (upper or (ch.isalpha() and ch.isupper())) else (lambda o: o)
            options = [ch, *(cased(o) for o in _ocr_options(token, i, upper))]
            i += 1
        out = [v + o for v in out for o in options]
        if len(out) > _OCR_MAX_VARIANTS:
            return [token]
    return out


def _ocr_reading(token: str, vocabulary) -> str | None:
    """The one reading of ``token`` that is a rule word, when ``token`` itself is none."""
    if len(token) < OCR_MIN_LENGTH or not _OCR_SUSPECT.search(token) or token.lower() in vocabulary \
            or not re.search(r"[A-Za-z]", token):
        return None
    readings = {v.lower(): v for v in _ocr_variants(token)[1:] if v.lower() in vocabulary}
    return next(iter(readings.values())) if len(readings) == 1 else None


# a measurement whose digits a scan read as look-alike letters ("l.3 x l.0 x 0.8 cm", "l8 g"): a number-like token of
# digits and l / I / | (and O after a digit or point) with at least one real digit, right before a unit or a "x".
# The look-aheads see at most the token's 5 characters (a longer run of those characters cannot be followed by the
# unit, so never matched): unbounded, they re-read a run of "|" or "." to its end at every position (quadratic).
_OCR_NUMBER = re.compile(r"(?<![\w.])(?=[\dlI|O.]{0,4}\d)(?=[\dlI|O.]{0,4}[lI|O])([\dlI|]{1,2}(?:\.[\dlI|O]{1,2})?)"
                         r"(?=[ \t]*(?:[x×*][ \t]*[\dlI|]|cm\b|mm\b|crn\b|g\b))")
_OCR_DIGIT = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0"})
# the word "no" read with a zero ("n0 vascular invasion", "N0 psammoma bodies"): a zero after N / n before a word in
# lower case, never after a T category ("pT1 N0 ..." is the stage)
_OCR_NO = re.compile(r"(?<![\w/])(?<!T\d )(?<!T\d[abc] )([Nn])0(?=[ \t]+[a-z]{3,})")


def ocr_repair(text: str, vocabulary) -> str:
    """``text`` with OCR-garbled rule words repaired (same length; see above). Clean text comes back unchanged."""
    text = _OCR_NUMBER.sub(lambda m: m.group(1).translate(_OCR_DIGIT), text)
    text = _OCR_NO.sub(lambda m: m.group(1) + "o", text)
    prefixes = _prefixes(vocabulary)
    spans = [m.span() for m in _OCR_TOKEN.finditer(text)]
    out, last, i, n = [], 0, 0, len(spans)
    while i < n:
        start, end = spans[i]
        word = text[start:end]
        suspect = _OCR_SUSPECT.search(word) is not None
        reading = _ocr_reading(word, vocabulary) if suspect else None
        if reading is not None:
            out += [text[last:start], reading, _OCR_PAD * (len(word) - len(reading))]
            last, i = end, i + 1
            continue
        if i + 1 < n and (suspect or word.lower() in prefixes):
            nxt_start, nxt_end = spans[i + 1]
            nxt = text[nxt_start:nxt_end]
            if nxt_start == end + 1 and text[end] in " \t" and nxt[0].isalpha() and \
                    nxt[0].isupper() == word[-1].isupper() and word not in _OCR_WORD_LETTERS and \
                    not (word.lower() in vocabulary and nxt.lower() in vocabulary):
                joined = word + nxt
                reading = joined if joined.lower() in vocabulary else _ocr_reading(joined, vocabulary)
                if reading is not None and len(reading) >= OCR_JOIN_MIN:
                    out += [text[last:start], reading, _OCR_PAD * (len(joined) - len(reading)), text[end]]
                    last, i = nxt_end, i + 2
                    continue
        i += 1
    if not out:
        return text
    return "".join(out) + text[last:]


_PREFIXES: dict[int, frozenset[str]] = {}


def _prefixes(vocabulary) -> frozenset[str]:
    """Every proper prefix of a rule word: a clean word that starts no rule word is never the first half of a split."""
    key = id(vocabulary)
    if key not in _PREFIXES:
        _PREFIXES[key] = frozenset(w[:k] for w in vocabulary for k in range(1, len(w)))
    return _PREFIXES[key]


_BLANK = re.compile(r"\n[ \t]*\n")


def _history_blocks(sections: list[Section], text: str) -> list[Section]:
    """A history-type section (not current) whose header stands on its own line, followed by a blank line and then
    its text ("# Clinical History:" / blank / "Known lymphoma ..."), as markdown conversions print every header, keeps
    that first paragraph: the shared splitter ends such a section at the first blank line, which would leave it empty
    and hand its text to the report body. Only the body text right after it is taken, never another section."""
    out: list[Section] = []
    taken = -1  # the body text up to here belongs to the widened section before
    for i, section in enumerate(sections):
        if section.name == BODY and section.start < taken:
            if taken >= section.end:
                continue
            section = replace(section, start=taken, header_end=taken)
        following = sections[i + 1] if i + 1 < len(sections) else None
        if (not section.current and section.name != BODY and not text[section.header_end:section.end].strip()
                and following is not None and following.name == BODY and following.start == section.end):
            content = _CONTENT.match(text, section.end, following.end)
            if content:
                blank = _BLANK.search(text, content.end())
                taken = min(blank.start() if blank else len(text), following.end)
                section = replace(section, end=taken)
        out.append(section)
    return out


_CONTENT = re.compile(r"\s*\S")
# roles whose headers are looked for inline after a sentence (see header_keys)
_INLINE_ROLES = {"gross", "microscopic", "final"}


def _inline_header_rules(rules: PathologyRules):
    return tuple(r for r in rules.sections
                 if rules.section_roles.get(r.get("section"), ("",))[0] in _INLINE_ROLES)


# printed and exported forms: the leader dots between a key and its answer ("Tumor Size ........ 1.6 cm") are its colon,
# and a registry key's underscores ("CYT_PSAMMOMA=1", "PTC_SUBTYPE=CLASSIC") are spaces between its words
_LEADER_DOTS = re.compile(r"(?<=[A-Za-z)])[ \t]*(?:\.{3,}|…+)[ \t]*(?=\S)")
_KEY_UNDERSCORE = re.compile(r"(?<=[A-Za-z])_(?=[A-Za-z])")


def form_rows(text: str) -> str:
    """``text`` with form leader dots read as a colon and underscores inside words as spaces (same length)."""
    text = _LEADER_DOTS.sub(lambda m: ":" + " " * (len(m.group(0)) - 1), text)
    return _KEY_UNDERSCORE.sub(" ", text)


class Report:
    """Text, sections and helpers shared by the field readers."""

    def __init__(self, text: str, rules: PathologyRules, finder: SectionFinder):
        self.original = text
        self.repaired = ocr_repair(text, rules.vocabulary)  # same length as the original
        self.text = header_keys(form_rows(blank_markdown(self.repaired)), _inline_header_rules(rules))
        self.rules = rules
        self.sections: list[Section] = _history_blocks(finder.find(self.text), self.text)

    # -- sections -----------------------------------------------------------------------------------------
    def section_of(self, pos: int) -> Section:
        return section_at(self.sections, pos)

    @cached_property
    def _molecular_lines(self) -> list[tuple[int, int]]:
        """Lines that report a molecular test (molecular.tsv, at the line start after a list mark): excluded, since
        molecular results never change the category or the histology (contract v1.1)."""
        out = []
        for line in re.finditer(r"[^\n]+", self.text):
            lead = _LINE_LEAD.match(self.text, line.start(), line.end()).end()
            if any(r.regex.match(self.text, lead, line.end()) for r in self.rules.molecular):
                out.append((line.start(), line.end()))
        return out

    @cached_property
    def parts(self) -> list[tuple[int, int, str]]:
        """(start, end, organ) of each labelled specimen part (specimen_parts.tsv); organ ``thyroid``, ``node``,
        ``other_organ`` or "" (not named on the label line). A part ends at the next label or section header."""
        labels = [r for r in self.rules.specimen_parts if r.get("value") == "label"]
        starts = []
        for line in re.finditer(r"[^\n]+", self.text):
            lead = re.match(r"[ \t]*", line.group(0)).end() + line.start()
            section = self.section_of(lead)
            if section.name != BODY and section.start <= lead < section.header_end:
                # the label may follow the header on its line ("DIAGNOSIS: A. Thyroid ...")
                lead = re.match(r"[ \t]*", self.text[section.header_end:line.end()]).end() + section.header_end
            if any(r.regex.match(self.text, lead, line.end()) for r in labels):
                # the next parts may follow on the same line ("A. FNA thyroid left   B. FNA node left level VI",
                # "A. Bethesda VI. B. Suspicious for metastasis."): a label with the next letter or digit after a
                # full stop or a run of spaces
                pos, label = lead, self.text[lead]
                while label.isalnum():
                    nxt = chr(ord(label) + 1)
                    m = re.compile(rf"(?:(?<=[.;)][ \t])|(?<=[ \t]{{2}}))[ \t]*({re.escape(nxt)}[.:)][ \t])").search(
                        self.text, pos + 1, line.end())
                    if not m:
                        break
                    starts.append((pos, m.start(1)))
                    pos, label = m.start(1), nxt
                starts.append((pos, line.end()))
        headings = [m.start() for m in _HEADING_LINE.finditer(self.original)]
        headings += [m.start() for m in _CAPS_HEADING.finditer(self.text)]
        headings += self._key_lines
        bounds = sorted({s.start for s in self.sections} | {s for s, _ in starts} | set(headings) | {len(self.text)})
        out = []
        for start, line_end in starts:
            end = next(b for b in bounds if b > start)
            header = self.text[start:line_end]
            header = part_name(header)  # the part's name, not the diagnosis after its colon
            organ = ""
            for value in ("thyroid", "node", "other_organ"):
                if any(r.regex.search(header) for r in self.rules.specimen_parts if r.get("value") == value):
                    organ = value
                    break
            if organ in ("other_organ", "node"):
                # a scanned report may lose the next part's label: another organ's or a node part ends at the first
                # later line that names the thyroid as a specimen (not "thyroid carcinoma") and no lymph node
                thyroid = [r for r in self.rules.specimen_parts if r.get("value") == "thyroid"]
                node = [r for r in self.rules.specimen_parts if r.get("value") == "node"]
                for line in re.finditer(r"[^\n]+", self.text[line_end:end]):
                    text = _THYROID_TUMOUR.sub(" ", line.group(0))
                    if any(r.regex.search(text) for r in thyroid) and not any(r.regex.search(text) for r in node):
                        end = line_end + line.start()
                        break
            out.append((start, end, organ))
        # a later part with the same letter and no organ word on its line ("DIAGNOSIS: B. Suspicious for
        # malignancy.") is the part the specimen list named ("B. FNA lymph node, level VI"): it has that organ
        named: dict[str, str] = {}
        for i, (start, end, organ) in enumerate(out):
            letter = _PART_LETTER.match(self.text, start)
            if not letter:
                continue
            key = letter.group(1) or letter.group(2)
            if organ:
                named.setdefault(key, organ)
            elif key in named:
                out[i] = (start, end, named[key])
        return out

    @cached_property
    def _names_thyroid_resection(self) -> bool:
        """Current text names a thyroid resection or a measured lobe ("total thyroidectomy", "left lobectomy", "the
        right lobe measures"): a scanned report whose thyroid part lost its label is still no node-only specimen."""
        for m in _THYROID_RESECTION.finditer(self.text):
            if self.excluded(m.start()) or self.organ_at(m.start()) == "node":
                continue
            if _EARLIER.search(self.text, max(0, m.start() - 40), m.start()):
                continue  # "left neck dissection (prior total thyroidectomy)": an earlier operation
            return True
        return False

    @cached_property
    def node_only(self) -> bool:
        """A lymph node specimen without thyroid (a neck dissection alone): every labelled part is a node part, or
        the specimen lines name lymph nodes and no thyroid (specimen_parts.tsv words)."""
        if self._names_thyroid_resection:
            return False
        if self.parts and all(organ == "node" for _, _, organ in self.parts):
            return True
        rules = {v: [r for r in self.rules.specimen_parts if r.get("value") == v] for v in ("thyroid", "node")}
        lines = [self.text[s.header_end:s.end] for s in self.sections if s.name == "specimen"]
        lines += [m.group(0) for m in _SPECIMEN_LINE.finditer(self.text)]
        lines = [_NO_THYROID.sub(" ", line) for line in lines]
        named = lambda v: any(r.regex.search(line) for line in lines for r in rules[v])
        return bool(lines) and named("node") and not named("thyroid")

    @cached_property
    def _key_lines(self) -> list[int]:
        """Starts of checklist rows (a field's key or a checklist label, then a colon): a part ends before them."""
        out = []
        rules = (*self.rules.synoptic_keys, *self.rules.checklist_labels)
        for line in re.finditer(r"[^\n]+", self.text):
            lead = re.match(r"[ \t]*", line.group(0)).end() + line.start()
            for rule in rules:
                m = rule.regex.match(self.text, lead, line.end())
                if m and re.match(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*(?:[:：=]|\.{3,}|…)", self.text[m.end():line.end()]):
                    out.append(line.start())
                    break
        return out

    def organ_at(self, pos: int) -> str:
        """The organ of the specimen part holding ``pos`` ("" outside a labelled part or when not named)."""
        for start, end, organ in self.parts:
            if start <= pos < end:
                return organ
        return ""

    def role_rank(self, pos: int) -> tuple[str, int]:
        if any(lo <= pos < hi for lo, hi in self._molecular_lines) or self.organ_at(pos) == "other_organ":
            return EXCLUDED, 9
        section = self.section_of(pos)
        if section.name == BODY:
            return "body", DEFAULT_RANK
        role, rank, _ = self.rules.section_roles.get(section.name, ("body", DEFAULT_RANK, ""))
        return role, rank

    def excluded(self, pos: int) -> bool:
        return self.role_rank(pos)[0] == EXCLUDED

    def has_section(self, role: str) -> bool:
        return any(self.rules.section_roles.get(s.name, ("",))[0] == role for s in self.sections)

    def spans_of(self, role: str) -> list[tuple[int, int]]:
        return [(s.header_end, s.end) for s in self.sections if self.rules.section_roles.get(s.name, ("",))[0] == role]

    # -- clauses ------------------------------------------------------------------------------------------
    @cached_property
    def _clause_bounds(self) -> list[int]:
        """Clause ends; a line break inside an open bracket ("(Bethesda category" / "VI).") ends no clause."""
        text = self.text
        out = []
        for m in _CLAUSE_END.finditer(text):
            if text[m.start()] == "\n":
                line = text[text.rfind("\n", 0, m.start()) + 1:m.start()]
                if line.rfind("(") > line.rfind(")"):
                    continue
            out.append(m.start())
        return out

    def clause(self, start: int, end: int | None = None) -> tuple[int, int]:
        """(first, last) character of the clause holding ``start`` .. ``end``."""
        end = start if end is None else end
        bounds = self._clause_bounds  # ascending: bisect, not a scan per hit (a long report has thousands)
        before, after = bisect_left(bounds, start), bisect_left(bounds, max(start, end))
        lo = bounds[before - 1] + 1 if before else 0
        hi = bounds[after] if after < len(bounds) else len(self.text)
        return lo, hi

    def line(self, pos: int) -> tuple[int, int]:
        lo = self.text.rfind("\n", 0, pos) + 1
        hi = self.text.find("\n", pos)
        return lo, (len(self.text) if hi < 0 else hi)

    def _one_line(self, start: int, end: int) -> bool:
        """True when [start, end) crosses no line break, or only hard wraps inside one clause."""
        breaks = self.text.count("\n", start, end)
        if not breaks:
            return True
        lo, hi = self.clause(start, start)
        return hi >= end

    # -- matching -----------------------------------------------------------------------------------------
    @cached_property
    def _index(self) -> TextIndex:
        return TextIndex(self.text)

    def _finditer(self, rule: Rule, start: int, end: int) -> Iterator[re.Match]:
        """``rule.regex.finditer(text, start, end)``, skipping rules whose required words are absent and trying
        the others only where their first character starts a word (see :class:`TextIndex`)."""
        index = self._index
        if not index.may_match(rule):
            return
        lead = rule_lead(rule)
        if lead is None:
            yield from rule.regex.finditer(self.text, start, end)
            return
        starts = index.candidates(lead)
        match, text, resume = rule.regex.match, self.text, start
        for position in starts[bisect_left(starts, start):]:
            if position >= end:
                break
            if position >= resume:
                m = match(text, position, end)
                if m is not None:
                    resume = m.end()
                    yield m

    def hits(self, rules, *, start: int = 0, end: int | None = None, keep_excluded: bool = False) -> list[Hit]:
        """All matches of ``rules`` in [start, end), each within one line; a longer match hides a shorter overlapping one."""
        end = len(self.text) if end is None else end
        found = []
        for rule in rules:
            for m in self._finditer(rule, start, end):
                if m.end() == m.start() or not self._one_line(m.start(), m.end()):
                    continue  # a rule never reads across a line break, except a hard wrap inside a clause
                role, rank = self.role_rank(m.start())
                if role == EXCLUDED and not keep_excluded:
                    continue
                found.append(Hit(rule, m.start(), m.end(), rule.get("value"), self.section_of(m.start()).name, rank, m))
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[Hit] = []
        for hit in found:
            if kept and hit.start < kept[-1].end:
                continue
            kept.append(hit)
        return kept

    def negated(self, hit_start: int, hit_end: int) -> str:
        """The id of a negation rule that covers the span (same clause), or ""."""
        return self._cue(self.rules.negation, hit_start, hit_end)

    def hedged(self, hit_start: int, hit_end: int) -> str:
        """The id of a hedge rule (hedges.tsv: "probable", "is possible", "cannot be excluded") that qualifies the
        span in its clause, or ""."""
        return self._cue(self.rules.hedges, hit_start, hit_end)

    def _cue(self, rules, hit_start: int, hit_end: int) -> str:
        lo, hi = self.clause(hit_start, hit_end)
        for rule in rules:
            limit = int(rule.get("max_chars"))
            if rule.get("direction") == "pre":
                window_start = max(lo, hit_start - limit)
                window = self.text[window_start:hit_start]
                for m in rule.regex.finditer(window):
                    between = window[m.end():]
                    if between.count(")") > between.count("("):
                        continue  # a cue inside a bracket ("(capsular invasion; no vascular invasion), unifocal")
                    if not self.rules.terminator.search(between):
                        return rule.id
            else:
                m = rule.regex.match(self.text, hit_end, min(hi, hit_end + limit))
                if m is None:
                    # allow a few words between the finding and a post cue ("bodies are not seen")
                    m = rule.regex.search(self.text, hit_end, min(hi, hit_end + limit))
                    if m is not None and self.rules.terminator.search(self.text[hit_end:m.start()]):
                        m = None
                if m is not None:
                    return rule.id
        return ""

    def family(self, hit_start: int, hit_end: int) -> str:
        lo, hi = self.clause(hit_start, hit_end)
        line_lo, _ = self.line(hit_start)
        window = (min(lo, line_lo), hi)
        cache = self.__dict__.setdefault("_family_of_window", {})  # hits of one long clause share its answer
        if window not in cache:
            # rule.regex.search(self.text, *window), tried only where the rule can begin (see _finditer)
            cache[window] = next((rule.id for rule in self.rules.family
                                  if next(self._finditer(rule, *window), None) is not None), "")
        return cache[window]

    def affirmed(self, hits: list[Hit]) -> Iterator[Hit]:
        for hit in hits:
            if not self.negated(hit.start, hit.end) and not self.family(hit.start, hit.end):
                yield hit

    def number(self, token: str) -> int | None:
        token = token.strip().lower()
        if token.isdigit():
            return int(token)
        return self.rules.number_words.get(token)


def part_name(line: str) -> str:
    """The name of a specimen part on its label line: the text before the first colon or semicolon."""
    return _PART_NAME.match(line).group(0)


def best(hits: list[Hit]) -> list[Hit]:
    """The hits in the best-ranked section that has any (rank 1 first), in text order."""
    if not hits:
        return []
    top = min(h.rank for h in hits)
    return [h for h in hits if h.rank == top]
