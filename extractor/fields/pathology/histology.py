"""Histology, malignancy and PTC subtype.

histology: the first named malignancy (histology.tsv) in the best-ranked section, not negated and not in history /
frozen-section text (a checklist answer that is only the type word, "Tumor type: Papillary", names it too); otherwise ``benign`` when a benign diagnosis (benign_diagnosis.tsv) is stated, else
``not_stated``. Cytology follows the Bethesda category instead (CONTRACT): VI -> the named type, II -> benign.

ptc_subtype: for papillary carcinoma only. The first subtype (ptc_subtype.tsv) in the best-ranked section (never a
lymph node part's: a nodal variant is the metastasis's, not the primary's); when that section names several subtypes with sizes, the
subtype of the largest focus (contract v1.1);
look-alikes (value none, e.g. "tall cell change < 50 %") block the rules they overlap; a (?P<pct>) share below
min_percent does not count. No subtype stated -> ``unspecified`` (microcarcinoma, cytology).
"""
from __future__ import annotations

from .sizes import measures
from .synoptic import answers
from .text import Hit, Report, best


def malignant_histology(report: Report) -> list[Hit]:
    """Named malignancies; a rule with scope synoptic_answer counts only inside a histology synoptic answer."""
    spans = None
    hits = []
    for hit in report.affirmed(report.hits(report.rules.histology)):
        if hit.rule.get("scope") == "synoptic_answer":
            if spans is None:
                spans = [(a.start, a.end) for a in answers(report, "histology")]
            if not any(lo <= hit.start < hi for lo, hi in spans):
                continue
        hits.append(hit)
    return best(hits)


def benign_final_word(report: Report, named: list[Hit]) -> bool:
    """True when the malignancies ``named`` all stand in lower-ranked text than a final-section benign diagnosis
    with final_word = yes (benign_diagnosis.tsv): the diagnosis is the final word (docs/pathology.md)."""
    final = [h for h in benign_statement(report) if h.rule.get("final_word") == "yes" and h.rank == 1
             and report.role_rank(h.start)[0] == "final"]
    return bool(final) and min(h.rank for h in named) > 1


def indeterminate_neoplasm(report: Report) -> list[Hit]:
    """Affirmed neoplasms whose benign_neoplasm.tsv malignancy is ``indeterminate`` (a follicular neoplasm with its
    classification deferred, a tumour of uncertain malignant potential), best-ranked section first; read only when
    the report names no carcinoma and no benign diagnosis."""
    hits = [h for h in report.affirmed(report.hits(report.rules.benign_neoplasm))
            if h.rule.get("malignancy") == "indeterminate"]
    return best(hits)


def benign_statement(report: Report) -> list[Hit]:
    return best(list(h for h in report.hits(report.rules.benign) if not report.family(h.start, h.end)))


def subtype(report: Report) -> tuple[str, list[Hit]]:
    hits = report.hits(report.rules.subtypes)
    blockers = [h for h in hits if h.value == "none"]
    usable = []
    for hit in hits:
        if hit.value == "none" or any(b.start < hit.end and hit.start < b.end for b in blockers):
            continue
        floor = hit.rule.get("min_percent")
        if floor:
            share = next((hit.match.group(g) for g in ("pct", "pct2") if g in hit.match.re.groupindex and hit.match.group(g)), None)
            if share is None or int(share) < int(floor):
                continue
        if report.negated(hit.start, hit.end):
            continue
        usable.append(hit)
    chosen = best([h for h in usable if report.organ_at(h.start) != "node"])
    if len({h.value for h in chosen}) > 1:
        sized = [(s, h) for h in chosen for s in [_focus_size(report, h)] if s is not None]
        if len(sized) == len(chosen):  # only when every named subtype has its focus size
            return max(sized, key=lambda x: x[0])[1].value, [max(sized, key=lambda x: x[0])[1]]
    if chosen:
        return chosen[0].value, [chosen[0]]
    return "unspecified", []


def _focus_size(report: Report, hit: Hit) -> float | None:
    """The size of the focus a subtype names: the measurement nearest to it in its clause (or line)."""
    lo, hi = report.clause(hit.start, hit.end)
    line_lo, line_hi = report.line(hit.start)
    found = [m for m in measures(report, max(lo, line_lo), min(hi, line_hi))]
    if not found:
        return None
    near = min(found, key=lambda m: min(abs(m.start - hit.end), abs(hit.start - m.end)))
    return near.mm
