"""Tumour spread: focality and extrathyroidal extension (ETE).

tumor_focality: a synoptic focality answer first ("Not identified" for multicentricity -> unifocal); else any
multifocal cue (focality.tsv: "multifocal", "mpT", "(m)", "two foci", bilateral tumours) -> multifocal; else a
unifocal cue -> unifocal; else not_stated. A count of foci: 1 -> unifocal, more -> multifocal.

extrathyroidal_extension: a synoptic ETE answer first (negative -> absent, cannot -> not_stated, anything else that
is not itself negated -> present); else the best-ranked section's cues, present (not negated) before absent
(negated present cues, "confined to the thyroid", "intrathyroidal"). Extranodal extension is never ETE.
"""
from __future__ import annotations

from .synoptic import answers
from .text import Report, best


def _focality_of(report: Report, hit) -> str:
    if hit.value != "count":
        return hit.value
    token = hit.match.group("count").lower()
    count = report.number(token)
    if count is None:
        return "multifocal" if token in {"several", "multiple", "numerous"} else ""
    return "multifocal" if count > 1 else "unifocal" if count == 1 else ""


def tumor_focality(report: Report) -> tuple[str, str]:
    for answer in answers(report, "tumor_focality"):
        if answer.kind == "negative":
            return answer.key.get("negative"), answer.ref
        if answer.kind == "cannot":
            continue
        for hit in report.hits(report.rules.focality, start=answer.start, end=answer.end):
            value = _focality_of(report, hit)
            if value:
                return value, f"{answer.ref}+{hit.ref}"
    values = {"multifocal": [], "unifocal": []}
    for hit in report.hits(report.rules.focality):
        if report.negated(hit.start, hit.end):
            continue
        value = _focality_of(report, hit)
        if value:
            values[value].append(hit.ref)
    for value in ("multifocal", "unifocal"):
        if values[value]:
            return value, ",".join(values[value][:3])
    return "not_stated", "no focality statement"


def extrathyroidal_extension(report: Report) -> tuple[str, str]:
    for answer in answers(report, "extrathyroidal_extension"):
        if answer.kind == "negative":
            return answer.key.get("negative"), answer.ref
        if answer.kind == "cannot":
            return answer.key.get("cannot"), answer.ref
        if answer.text.strip():
            return "present", answer.ref
    cues = []
    for hit in report.hits(report.rules.extrathyroidal):
        if hit.value == "present" and report.negated(hit.start, hit.end):
            cues.append((hit, "absent"))
        else:
            cues.append((hit, hit.value))
    top = best([h for h, _ in cues])
    ranked = [(h, v) for h, v in cues if h in top]
    for value in ("present", "absent"):
        refs = [h.ref for h, v in ranked if v == value]
        if refs:
            return value, ",".join(refs[:3])
    return "not_stated", "no extrathyroidal extension statement"
