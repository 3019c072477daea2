"""tumor_size_mm: the largest dimension of the dominant primary tumour, in millimetres.

Decision table (first row that gives a size wins):

1. a synoptic size key (synoptic_keys.tsv, field tumor_size_mm): the first measurement of its answer, largest axis;
   "Cannot be determined" -> no size (stop).
2. the diagnosis / final sections: measurements in a clause that names a carcinoma (histology.tsv), minus the
   size_exclusions.tsv contexts (margin distances, nodal deposits, lobe / specimen dimensions); the largest one
   (a microcarcinoma elsewhere is smaller than the dominant tumour, so it never replaces it).
3. the same in the microscopic description, then in the whole report body.
4. the gross description: the largest lesion measurement (gross_lesion.tsv in the same clause).

"1.2 x 0.8 x 0.5 cm" -> 12; mm and cm (size_units.tsv). Only malignant tumours have a size here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .synoptic import answers
from .text import Report

_NUMBER = r"(\d{1,3}(?:\.\d{1,2})?|\.\d{1,2})"


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
        numbers = [float(x) for x in re.findall(r"\d*\.?\d+", report.text[m.start():m.end()])]
        found.append(Measure(max(numbers) * factor, m.start(), m.end(), unit_rule))
    return found


def _excluded(report: Report, measure: Measure) -> str:
    lo, hi = report.clause(measure.start, measure.end)
    for rule in report.rules.size_exclusions:
        limit = int(rule.get("max_chars"))
        if rule.get("direction") == "pre":
            window = report.text[max(lo, measure.start - limit):measure.start]
            if rule.regex.search(window):
                return rule.id
        elif re.match(r"\s*", report.text[measure.end:]) and rule.regex.match(
                report.text, measure.end + len(re.match(r"\s*", report.text[measure.end:]).group(0)), min(hi, measure.end + limit)):
            return rule.id
    return ""


def _fmt(mm: float) -> str:
    return str(int(mm)) if float(mm).is_integer() else f"{mm:g}"


def _from_carcinoma_clauses(report: Report, spans) -> tuple[float, str] | None:
    carcinoma = [h for h in report.affirmed(report.hits(report.rules.histology))]
    best = None
    for hit in carcinoma:
        if not any(s <= hit.start < e for s, e in spans):
            continue
        lo, hi = report.clause(hit.start, hit.end)
        # the diagnosis often lists the size a few clauses on, on the same line ("..., classic type, 1.3 cm, ...")
        line_lo, line_hi = report.line(hit.start)
        for measure in measures(report, hit.start, max(hi, line_hi)):
            if _excluded(report, measure):
                continue
            between = report.text[hit.end:measure.start]
            if measure.start > hi and re.search(r"[.;]\s", between):
                break
            if best is None or measure.mm > best[0]:
                best = (measure.mm, f"{hit.ref}+size@{measure.start}")
            break  # the first size after a carcinoma name is its size
    return best


def tumor_size(report: Report, *, malignant: bool) -> tuple[str, str]:
    """(size in mm as text or "", rule / reason)."""
    if not malignant:
        return "", "no malignant tumour"
    for answer in answers(report, "tumor_size_mm"):
        if answer.kind == "cannot":
            return "", f"{answer.ref}: cannot be determined"
        found = measures(report, answer.start, answer.end)
        if found:
            return _fmt(found[0].mm), f"{answer.ref}+size@{found[0].start}"
    for role in ("final", "microscopic", "body", "comment"):
        spans = report.spans_of(role) if role != "body" else [(0, len(report.text))]
        got = _from_carcinoma_clauses(report, spans)
        if got:
            return _fmt(got[0]), got[1]
    best = None
    for start, end in report.spans_of("gross"):
        for hit in report.hits(report.rules.gross_lesion, start=start, end=end):
            if report.negated(hit.start, hit.end):
                continue
            lo, hi = report.clause(hit.start, hit.end)
            for measure in measures(report, lo, hi):
                if not _excluded(report, measure) and (best is None or measure.mm > best[0]):
                    best = (measure.mm, f"{hit.ref}+size@{measure.start}")
    if best:
        return _fmt(best[0]), best[1]
    return "", "no tumour size stated"
