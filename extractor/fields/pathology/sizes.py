"""tumor_size_mm: the largest dimension of the dominant primary tumour, in millimetres.

Decision table (first row that gives a size wins):

1. a synoptic size key (synoptic_keys.tsv, field tumor_size_mm): the first measurement of its answer, largest axis
   (the key names the tumour, so size_exclusions.tsv does not apply); when the answer has none, the next one or two lines unless they are another key
   line ("Tumor size: right lobe" / "Greatest diameter is 1.5 cm."); an answer that is only a number up to 15 is
   in cm ("Greatest dimension: 3.0"); "Cannot be determined" -> no size (stop).
2. the diagnosis / final sections: measurements in a clause that names a carcinoma (histology.tsv), minus the
   size_exclusions.tsv contexts (margin distances, nodal deposits, lobe / specimen dimensions); the largest one
   (a microcarcinoma elsewhere is smaller than the dominant tumour, so it never replaces it).
3. the same in the microscopic description, then in the whole report body.
4. the gross description: the largest lesion measurement (gross_lesion.tsv in the same clause), a lesion placed in
   the thyroid (thyroid_site.tsv: lobe, isthmus, pole in the clause) before one that is not; when the report has no
   gross description header, the same anywhere outside history / frozen-section text.

A measurement counts after a named carcinoma or after a phrase that names the tumour as the thing measured
(size_subjects.tsv: "the largest tumour nodule ... measures 2.5 cm"), in the same clause or, on the same line, as the
sentence right after it when that sentence opens with the size ("Papillary carcinoma. 2.2 cm, well differentiated.").

"1.2 x 0.8 x 0.5 cm" -> 12; mm and cm (size_units.tsv). Only malignant tumours have a size here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .synoptic import _other_key, answers
from .text import Report

# a decimal comma ("1,6 cm", European reports) is a decimal point when a digit follows it directly; "0.3, 0.8 cm" is a list
_NUMBER = r"(\d{1,3}(?:\.\d{1,2}|,\d{1,2}(?![\d.]))?|\.\d{1,2})"


@dataclass(frozen=True)
class Measure:
    mm: float
    start: int
    end: int
    unit_rule: str


def _measure_regex(report: Report) -> re.Pattern:
    units = "|".join(f"(?:{r.pattern or re.escape(r.literal)})" for r in report.rules.units)
    unit = rf"(?P<u{{i}}>{units})"
    axis = lambda i: rf"{_NUMBER}\s*(?:{unit.format(i=i)})?"
    return re.compile(
        rf"(?<![\w.]){axis(1)}(?:\s*[x×X\*]\s*{axis(2)}(?:\s*[x×X\*]\s*{axis(3)})?)?\s*(?P<unit>{units})(?!\w)",
        re.IGNORECASE,
    )


def measures(report: Report, start: int, end: int) -> list[Measure]:
    regex = getattr(report, "_measure_re", None)
    if regex is None:
        regex = report._measure_re = _measure_regex(report)
    found = []
    for m in regex.finditer(report.text, start, end):
        unit_text = m.group("unit")
        factor, unit_rule = None, ""
        for rule in report.rules.units:
            if rule.regex.fullmatch(unit_text):
                factor, unit_rule = int(rule.get("value")), rule.id
                break
        if factor is None:
            continue
        numbers = [float(x.replace(",", ".")) for x in re.findall(r"\d*[.,]?\d+", report.text[m.start():m.end()])]
        found.append(Measure(max(numbers) * factor, m.start(), m.end(), unit_rule))
    return found


def _excluded(report: Report, measure: Measure, *, pre: bool = True, after_carcinoma: bool = False) -> str:
    """The size_exclusions.tsv rule whose context makes the measurement not the tumour's, or "". ``pre=False`` when a
    phrase right before already names the tumour as the thing measured ("the tumour ... measures");
    ``after_carcinoma`` when a carcinoma is named earlier in the measurement's clause (rules with after_carcinoma =
    ignored do not apply: "papillary carcinoma, left lobe, 1.4 cm")."""
    lo, hi = report.clause(measure.start, measure.end)
    for rule in report.rules.size_exclusions:
        if after_carcinoma and rule.get("after_carcinoma") == "ignored":
            continue
        limit = int(rule.get("max_chars"))
        if rule.get("direction") == "pre":
            if not pre:
                continue
            window = report.text[max(lo, measure.start - limit):measure.start]
            if rule.regex.search(window):
                return rule.id
        elif re.match(r"\s*", report.text[measure.end:]) and rule.regex.match(
                report.text, measure.end + len(re.match(r"\s*", report.text[measure.end:]).group(0)), min(hi, measure.end + limit)):
            return rule.id
    return ""


# A size answer that is only a number ("Greatest dimension: 3.0 (in right lobe)") is in cm, the unit the CAP form
# prints after the blank; only plausible tumour sizes are read this way.
_BARE_CM = re.compile(r"[ \t]*(?:[A-Za-z][^\n:=\d]{0,40}[:=][ \t]*)?(\d{1,2}(?:\.\d{1,2})?)(?![\d.]|\s*(?:%|[x×X*]|mm|cm|g\b|/))")
BARE_CM_MAX = 15
# a key that names its unit as millimetres ("Tumour max diam (mm):", registry "TUMOUR_MAX_DIAM_MM=8"): a bare answer is in mm
_KEY_IN_MM = re.compile(r"(?<![A-Za-z])mm\)?[ \t]*[:=]", re.I)
# A line that is itself a "Key: answer" line ends the answer's continuation.
_KEY_LINE = re.compile(r"[^\n:=]{1,60}[:=]")
CONTINUATION_LINES = 2


def _continuation(report: Report, pos: int) -> list[Measure]:
    """Measurements on the next non-empty lines after a size answer that gave none ("Tumor size: right lobe" then
    "Greatest diameter is 1.5 cm."), up to CONTINUATION_LINES lines and never past another key line. A lead-in line
    ("Two tumour nodules are present:") may introduce a list of foci ("- Isthmus - 1.6 cm" / "- Right lobe - 0.6 cm"):
    the largest item is the size (the key names what the items measure; only nodal contexts are excluded)."""
    lines, lead_ins, items = 0, 0, []
    while lines < CONTINUATION_LINES:
        m = _NEXT_TEXT_LINE.match(report.text, pos)
        if not m:
            break
        line = m.group(1)
        pos = m.end(1)
        if _LIST_ITEM.match(line):
            items += [x for x in measures(report, m.start(1), m.end(1))
                      if _excluded(report, x) not in _nodal_ids(report)]
            continue
        if items:
            break
        if _KEY_LINE.match(line):
            if lead_ins == 0 and _LEAD_IN.fullmatch(line) and not _other_key(report, m.start(1), m.end(1)):
                lead_ins += 1
                continue
            return []
        found = [x for x in measures(report, m.start(1), m.end(1)) if not _excluded(report, x)]
        if found:
            return found
        lines += 1
    return [max(items, key=lambda x: x.mm)] if items else []


_NEXT_TEXT_LINE = re.compile(r"\s*([^\n]+)")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•·]|\(?[a-z0-9]\))[ \t]+\S")
_LEAD_IN = re.compile(r"[^\n:]{3,80}:[ \t]*")


def _nodal_ids(report: Report) -> set[str]:
    return {r.id for r in report.rules.size_exclusions if r.get("reason") == "nodal_deposit_only"}


def _size_miss(report: Report) -> str:
    """Why no size was found (a short reason code, docs/data-dictionary.md)."""
    every = measures(report, 0, len(report.text))
    current = [m for m in every if not report.excluded(m.start)]
    if not current:
        return "miss:no_measurement"
    if all(report.organ_at(m.start) == "node" for m in current):
        return "miss:nodal_deposit_only"
    current = [m for m in current if report.organ_at(m.start) != "node"]
    reasons = {_excluded(report, m) for m in current} - {""}
    _REASON = {r.id: r.get("reason") or "excluded_context" for r in report.rules.size_exclusions}
    if reasons and all(_excluded(report, m) for m in current):
        codes = sorted({_REASON[r] for r in reasons})
        return "miss:" + "+".join(codes)
    return "miss:no_measurement_of_the_tumour"




def _fmt(mm: float) -> str:
    return str(int(mm)) if float(mm).is_integer() else f"{mm:g}"


# A diagnosis line may give the size as a sentence of its own right after the carcinoma's
# ("Papillary carcinoma. 2.2 cm, well differentiated.", "Papillary carcinoma. Size: 12 mm."): one full stop between,
# and the measurement opens the next sentence (after a size word) and is followed only by punctuation, a bracket or
# a dimension phrase.
_SIZE_SENTENCE = re.compile(
    r"[^.;\n]*[.;][ \t]*(?:(?:tumou?r\s+)?(?:size|greatest\s+(?:dimension|diameter)|diameter|dimensions?)[ \t]*[:=]?[ \t]*)?",
    re.IGNORECASE)
_AFTER_SIZE_SENTENCE = re.compile(r"[ \t]*(?:[,.;)(]|$|\n|in\s+(?:greatest|maximum|largest)\b)", re.I)


def _from_carcinoma_clauses(report: Report, spans, subjects=None) -> tuple[float, str] | None:
    if subjects is None:
        carcinoma = [h for h in report.affirmed(report.hits(report.rules.histology))]
        carcinoma += report.hits(report.rules.size_subjects)  # "the tumour measures ..."
    else:
        carcinoma = subjects
    best = None
    for hit in carcinoma:
        if not any(s <= hit.start < e for s, e in spans) or report.organ_at(hit.start) == "node":
            continue  # a lymph node part's carcinoma is a nodal deposit
        lo, hi = report.clause(hit.start, hit.end)
        if _earlier(report, lo, hit.start):
            continue  # "Previous left lobectomy showed a 2.5 cm PTC": an earlier operation's tumour
        # the diagnosis often lists the size a few clauses on, on the same line ("..., classic type, 1.3 cm, ...")
        line_lo, line_hi = report.line(hit.start)
        subject = hit.rule in report.rules.size_subjects
        found = measures(report, hit.start, max(hi, line_hi))
        after = None
        for i, measure in enumerate(found):
            if _excluded(report, measure, pre=not subject, after_carcinoma=measure.start < hi):
                continue
            measure = _list_max(report, found, i)
            between = report.text[hit.end:measure.start]
            if measure.start > hi and re.search(r"[.;]\s", between) and not (
                    _SIZE_SENTENCE.fullmatch(between) and _AFTER_SIZE_SENTENCE.match(report.text, measure.end)):
                break
            after = measure
            break  # the first size after a carcinoma name is its size
        if after is None and not found and not subject:
            # the size as the next line's own sentence ("Oncocytic carcinoma, minimally invasive." / "Size 23 mm.")
            after = _size_line_after(report, line_hi)
        if after is None and not found and not subject:
            after = _items_under(report, line_hi)  # "1. Papillary carcinoma, classic type" / "a) Rt lobe: 1.6 cm"
        if after is not None:
            if best is None or after.mm > best[0]:
                best = (after.mm, f"{hit.ref}+size@{after.start}")
            continue
        # else a size right before the name ("a 1.5 cm papillary carcinoma is present in the right lobe")
        before = _size_before(report, hit, found_in=measures(report, max(lo, line_lo), hit.start))
        if before is not None and not _excluded(report, before):
            if best is None or before.mm > best[0]:
                best = (before.mm, f"{hit.ref}+size_before@{before.start}")
    return best


# the line after a carcinoma's line that opens with a size word and a measurement ("Size 23 mm.", "- Greatest
# dimension 1.8 cm"): the size of that carcinoma
_SIZE_LINE = re.compile(r"\n[ \t]*(?:[-*•·][ \t]*)?(?:tumou?r[ \t]+)?(?:size|greatest[ \t]+(?:dimension|diameter)|"
                        r"maximum[ \t]+diameter|diameter)[ \t]*(?:of[ \t]+(?:the[ \t]+)?tumou?r[ \t]*)?[:=]?[ \t]*", re.I)


def _size_line_after(report: Report, line_end: int) -> Measure | None:
    m = _SIZE_LINE.match(report.text, line_end)
    if not m or report.organ_at(m.end()) == "node":
        return None
    found = measures(report, m.end(), report.line(m.end())[1])
    if found and found[0].start == m.end():
        return found[0]
    return None


def _earlier(report: Report, start: int, end: int) -> bool:
    """A clause about an earlier operation or finding before ``end`` ("Previous left lobectomy showed ...", "history
    of ...", "status post"): the historical cues of the shared ConText list (patterns/context/historical.tsv)."""
    return any(r.regex.search(report.text, start, end) for r in report.rules.historical)


def _items_under(report: Report, pos: int) -> Measure | None:
    """The largest measurement of the list items right under a carcinoma's line that gave no size ("Papillary
    carcinoma, classic type" / "a) Right lobe: 1.6 x 1.3 cm" / "b) Left lobe: 0.4 cm"): each item is a focus of that
    carcinoma, so a lobe word before its number is the focus's site. The list ends at the first item or line
    without a measurement; nodal and margin contexts still exclude."""
    items = []
    while True:
        m = _NEXT_TEXT_LINE.match(report.text, pos)
        if not m or not _LIST_ITEM.match(m.group(1)) or report.organ_at(m.start(1)) == "node":
            break
        found = [x for x in measures(report, m.start(1), m.end(1)) if not _excluded(report, x, after_carcinoma=True)]
        if not found:
            break
        items.append(max(found, key=lambda x: x.mm))
        pos = m.end(1)
    return max(items, key=lambda x: x.mm) if items else None


def _amended(report: Report) -> tuple[str, str] | None:
    """A size an addendum / amended report explicitly corrects (amendment_cues.tsv in its line or its hard-wrapped
    clause): the last one."""
    spans = [(s.header_end, s.end) for s in report.sections if s.name == "amendment"]
    found = None
    for start, end in spans:
        subjects = [h for h in report.affirmed(report.hits(report.rules.histology, start=start, end=end))]
        subjects += report.hits(report.rules.size_subjects, start=start, end=end)
        for hit in sorted(subjects, key=lambda h: h.start):
            lo, hi = report.line(hit.start)
            clause_lo, clause_hi = report.clause(hit.start)  # a hard-wrapped sentence carries its cue across lines
            lo, hi = min(lo, clause_lo), max(hi, clause_hi)
            if not any(r.regex.search(report.text, lo, hi) for r in report.rules.amendment_cues):
                continue
            got = _from_carcinoma_clauses(report, [(lo, hi)], [hit])
            if got:
                found = (_fmt(got[0]), f"amended:{got[1]}")
    return found


def _benign_neoplasm(report: Report) -> tuple[str, str]:
    """The largest benign neoplasm (adenoma, NIFTP; benign_neoplasm.tsv) in the diagnosis, then anywhere."""
    hits = [h for h in report.hits(report.rules.benign_neoplasm) if not report.negated(h.start, h.end)]
    for role in ("final", "microscopic", "body"):
        spans = report.spans_of(role) if role != "body" else [(0, len(report.text))]
        got = _from_carcinoma_clauses(report, spans, hits)
        if got:
            return _fmt(got[0]), f"benign_neoplasm:{got[1]}"
    return "", "miss:no_carcinoma_or_benign_neoplasm_size"


# a measurement right before the tumour's name ("a 1.5 cm [classic] papillary carcinoma is present in the right
# lobe"): at most two words between, none of them a noun that would be the thing measured
_BEFORE_GAP = re.compile(r"[ \t]*(?:[A-Za-z\-]+[ \t]+){0,2}", re.I)
# measurements of one list or range ("0.5 cm, 1.2 cm and 0.9 cm", "0.5 cm to 1.1 cm", "1.2 cm - 1.9 cm")
_LIST_GAP = re.compile(r"[ \t]*(?:,|;|and|or|to|&|-|–|/)?[ \t]*(?:and[ \t]+)?", re.I)


def _size_before(report: Report, hit, found_in) -> Measure | None:
    if not found_in:
        return None
    last = found_in[-1]
    gap = report.text[last.end:hit.start]
    if not _BEFORE_GAP.fullmatch(gap) or re.search(
            r"\b(?:nodule|mass|lesion|lobe|specimen|node|focus|of|and|or|with|beside|plus|to|from)\b", gap, re.I):
        return None
    return last


def _list_max(report: Report, found: list[Measure], i: int) -> Measure:
    """The largest measurement of the list or range that starts at found[i] (a list gives the largest focus)."""
    chosen = found[i]
    for prev, nxt in zip(found[i:], found[i + 1:]):
        if not _LIST_GAP.fullmatch(report.text, prev.end, nxt.start) or _excluded(report, nxt):
            break
        if nxt.mm > chosen.mm:
            chosen = nxt
    return chosen


# OCR splits a decimal in a size answer ("1. 6 cm", "2 .4 cm"); read only inside a size key's answer
_OCR_SPLIT = re.compile(r"(?<![\d.])(\d{1,2})(?:[ \t]\.[ \t]?|\.[ \t])(\d{1,2})[ \t]*(cm|mm)\b", re.I)


def tumor_size(report: Report, *, malignant: bool) -> tuple[str, str]:
    """(size in mm as text or "", rule / reason). Reasons for an empty size start with ``miss:``."""
    if report.node_only:
        return "", "miss:node_only_specimen"
    if not malignant:
        return _benign_neoplasm(report)
    amended = _amended(report)
    if amended:
        return amended
    for answer in answers(report, "tumor_size_mm"):
        if answer.kind == "cannot":
            return "", f"miss:size_cannot_be_determined {answer.ref}"
        split = _OCR_SPLIT.search(report.text, answer.start, answer.end)
        if split:
            mm = float(f"{split.group(1)}.{split.group(2)}") * (10 if split.group(3).lower() == "cm" else 1)
            return _fmt(mm), f"{answer.ref}+ocr_split_size@{split.start()}"
        found = measures(report, answer.start, answer.end)  # the key says whose size it is: no exclusions
        if not found:
            found = _continuation(report, answer.end)
        if found:
            return _fmt(found[0].mm), f"{answer.ref}+size@{found[0].start}"
        bare = _BARE_CM.match(report.text, answer.start, answer.end)
        if bare and _KEY_IN_MM.search(report.text, report.line(answer.start)[0], answer.start):
            return _fmt(float(bare.group(1))), f"{answer.ref}+bare_mm@{bare.start(1)}"  # "TUMOUR_MAX_DIAM_MM=8"
        if bare and float(bare.group(1)) <= BARE_CM_MAX:
            return _fmt(float(bare.group(1)) * 10), f"{answer.ref}+bare_cm@{bare.start(1)}"
    for role in ("final", "microscopic", "body", "comment"):
        spans = report.spans_of(role) if role != "body" else [(0, len(report.text))]
        got = _from_carcinoma_clauses(report, spans)
        if got:
            return _fmt(got[0]), got[1]
    best = None
    # a report without a gross description header (the gross text runs on in the body): the whole report
    gross = report.spans_of("gross") or [(0, len(report.text))]
    for start, end in gross:
        for hit in report.hits(report.rules.gross_lesion, start=start, end=end):
            if report.negated(hit.start, hit.end) or report.organ_at(hit.start) == "node":
                continue
            lo, hi = report.clause(hit.start, hit.end)
            in_thyroid = any(r.regex.search(report.text, lo, hi) for r in report.rules.thyroid_site)
            for measure in measures(report, lo, hi):
                rank = (in_thyroid, measure.mm)  # a lesion placed in the thyroid first, then the largest
                if not _excluded(report, measure) and (best is None or rank > best[0]):
                    best = (rank, f"{hit.ref}+size@{measure.start}")
    if best:
        return _fmt(best[0][1]), best[1]
    return "", _size_miss(report)
