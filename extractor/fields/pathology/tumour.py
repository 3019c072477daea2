"""Tumour spread: focality and extrathyroidal extension (ETE).

tumor_focality (first row that gives a value wins):

1. a synoptic focality / multicentricity answer (synoptic_keys.tsv): a negative template answer gives the key's
   ``negative`` value ("Multicentricity: not identified" -> unifocal); focality cues inside the answer decide next;
   else a free answer to a key with an ``affirmed`` value gives it (multicentricity "papillary microcarcinoma,
   left lobe" -> multifocal);
2. any affirmed multifocal cue in the text (focality.tsv: "multifocal", "mpT", "(m)", "two foci", "separate
   focus of carcinoma", bilateral tumours) -> multifocal;
3. an affirmed unifocal cue ("unifocal", "single focus", "solitary carcinoma") -> unifocal;
4. carcinomas named on separate lines of the best-ranked section (or one after the other on a line, each read up
   to the next) with different sides (one per lobe; sites.tsv side cues) -> multifocal: an inference, so an
   explicit unifocal statement outranks it;
5. a *negated* multifocal cue ("no evidence of multicentricity", "no other foci of carcinoma") -> unifocal;
6. else not_stated. A count of foci: 1 -> unifocal, more -> multifocal.

extrathyroidal_extension:

1. synoptic ETE answers: any free (non-template) answer that is not itself negated -> present, even when another
   checklist of the same report says "not identified" (a second tumour's checklist, or an addendum); an answer that
   speaks only of lymph nodes is another row's answer shifted by a scanned table and is skipped; else a negative
   answer -> absent;
2. else the best-ranked section's cues (a "cannot be assessed" / "not applicable" answer states nothing, so prose
   still decides; only when prose says nothing is the field not_stated), present (not negated) before absent (negated present cues, "confined to
   the thyroid", "intrathyroidal"). Look-alikes (value none, e.g. the AJCC pT3 definition "limited to thyroid or
   with minimal extrathyroidal extension" printed in a pick list) block any cue they overlap; a cue that is a
   checklist label ("Confined to the thyroid: yes") takes its yes / no answer (no flips the value) and an empty
   answer states nothing.

Extranodal extension is never ETE.
"""
from __future__ import annotations

import re

from .sites import SiteCues
from .synoptic import answers
from .text import Report, best


def _focality_of(report: Report, hit) -> str:
    if hit.value == "none":
        return ""  # a look-alike: foci of invasion are not tumour foci
    if hit.value == "negated_only":
        return "multifocal"  # only ever used negated (see tumor_focality)
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
        in_answer = []
        for hit in report.hits(report.rules.focality, start=answer.start, end=answer.end):
            value = _focality_of(report, hit)
            if value and hit.value != "negated_only" and not report.negated(hit.start, hit.end):
                in_answer.append((value, f"{answer.ref}+{hit.ref}"))
        if in_answer:  # "unifocal (gross); microscopic: additional focus 1 mm": a further focus named wins
            return next((v for v in in_answer if v[0] == "multifocal"), in_answer[0])
        bare = _BARE_COUNT.fullmatch(answer.text)
        if bare:  # "Number of tumour foci: 3", "Multiplicity: 1"
            count = report.number(bare.group(1))
            if count:
                return ("multifocal" if count > 1 else "unifocal"), f"{answer.ref}+count"
        if answer.affirmed and not report.negated(answer.start, answer.start):
            return answer.affirmed, f"{answer.ref}+affirmed"
    values = {"multifocal": [], "unifocal": [], "negated": []}
    for hit in report.hits(report.rules.focality):
        if hit.rule.get("scope") == "synoptic_answer":
            continue  # counts only inside a focality answer (read above)
        value = _focality_of(report, hit)
        neg = report.negated(hit.start, hit.end)
        if neg:
            if value == "multifocal":
                values["negated"].append(f"{hit.ref}+{neg}")
            continue
        if value == "multifocal" and _counts_a_benign_neoplasm(report, hit):
            continue  # "two tumours: a carcinoma and a NIFTP" is one carcinoma focus (contract v1.1)
        if value and hit.value != "negated_only":
            values[value].append(hit.ref)
    for value in ("multifocal", "unifocal"):
        if values[value]:
            return value, ",".join(values[value][:3])
    two_sites = _carcinoma_in_two_sites(report)  # inferred: an explicit "unifocal" outranks it
    if two_sites:
        return "multifocal", ",".join(two_sites[:3])
    if values["negated"]:
        return "unifocal", ",".join(values["negated"][:3])
    return "not_stated", "no focality statement"


# a focality answer that is only a count
_BARE_COUNT = re.compile(r"[ \t]*(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)[ \t]*[.;]?[ \t]*", re.I)


def _counts_a_benign_neoplasm(report: Report, hit) -> bool:
    """A count of tumours whose clause (or line) names a benign neoplasm (NIFTP, adenoma) and at most one carcinoma."""
    lo, hi = report.line(hit.start)
    if not report.hits(report.rules.benign_neoplasm, start=lo, end=hi):
        return False
    carcinomas = [h for h in report.affirmed(report.hits(report.rules.histology, start=lo, end=hi))]
    return len(carcinomas) <= 1


# a line that describes the same tumour reaching another site is not a second focus
_SAME_TUMOUR = re.compile(r"\b(?:same|contiguous|extend\w*|extension|direct)\b", re.I)


def _carcinoma_in_two_sites(report: Report) -> list[str]:
    """Refs of carcinomas named on separate lines with different sides (right lobe / left lobe / isthmus): one
    carcinoma per lobe is multifocal. NIFTP and adenomas are no carcinoma; node parts do not count."""
    cues = SiteCues(report.rules.sites)
    named = [h for h in report.affirmed(report.hits(report.rules.histology))
             if h.rule.get("scope") != "synoptic_answer" and report.organ_at(h.start) not in ("node", "other_organ")]
    by_side: dict[str, str] = {}
    lines = set()
    top = best(named)
    for hit in top:
        lo, hi = report.line(hit.start)
        line = report.text[lo:hi]
        if _SAME_TUMOUR.search(line):
            continue
        # several carcinomas on one line ("papillary carcinoma, right lobe, 1.2 cm, and papillary carcinoma, left
        # lobe, 0.6 cm"): each is read up to the next one
        on_line = [h for h in top if lo <= h.start < hi]
        if len(on_line) > 1:
            nxt = next((h.start for h in on_line if h.start > hit.start), hi)
            lo, hi, line = hit.start, nxt, report.text[hit.start:nxt]
        sides = set(cues.sides(line, lo)) - {"bilateral"}
        if len(sides) != 1 or (lo, hi) in lines:
            continue
        lines.add((lo, hi))
        by_side.setdefault(sides.pop(), f"{hit.ref}+sides")
    return list(by_side.values()) if len(by_side) >= 2 else []


def extrathyroidal_extension(report: Report) -> tuple[str, str]:
    negative = cannot = None
    for answer in answers(report, "extrathyroidal_extension"):
        if answer.kind == "negative":
            negative = negative or answer
        elif answer.kind == "cannot":
            cannot = cannot or answer
        elif answer.text.strip() and not _negated_answer(report, answer) and not _foreign_answer(report, answer):
            return "present", answer.ref
    if negative:
        return negative.key.get("negative"), negative.ref
    value, ref = _ete_from_prose(report)
    if value == "not_stated" and cannot:
        value = cannot.key.get("cannot")
        return value, (f"miss:extension_cannot_be_assessed {cannot.ref}" if value == "not_stated" else cannot.ref)
    return value, ref


def _ete_from_prose(report: Report) -> tuple[str, str]:
    hits = report.hits(report.rules.extrathyroidal)
    blockers = [h for h in hits if h.value == "none"]
    cues = []
    for hit in hits:
        if hit.value == "none" or any(b.start < hit.end and hit.start < b.end for b in blockers):
            continue
        if report.organ_at(hit.start) == "node":
            continue  # a lymph node part: extranodal or perinodal spread is not extrathyroidal extension
        label = _LABEL_END.match(report.text, hit.end)
        if label:  # the cue is a checklist label: its yes / no answer decides, an empty answer states nothing
            answer = report.text[label.end():report.line(hit.start)[1]].strip(" \t:|")
            if report.rules.answer_is(answer, "yes"):
                cues.append((hit, hit.value))
            elif report.rules.answer_is(answer, "no"):
                cues.append((hit, _FLIP[hit.value]))
            continue
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
    if blockers:  # only look-alike wording ("extension cannot be assessed", an AJCC pick list): cite it
        return "not_stated", "miss:no_extension_statement " + ",".join(h.ref for h in blockers[:3])
    return "not_stated", "no extrathyroidal extension statement"


_FLIP = {"present": "absent", "absent": "present"}
_LABEL_END = re.compile(r"[ \t]*(?:\([^)\n]{0,30}\))?[ \t]*[:：=|]")


def _foreign_answer(report: Report, answer) -> bool:
    """An answer that speaks of lymph nodes and has no extension wording of its own is another key's answer shifted
    into this row (scanned table columns out of line), not an extension finding."""
    if (report.hits(report.rules.extrathyroidal, start=answer.start, end=answer.end)
            or report.rules.answer_is(answer.text, "stated")):
        return False
    return any(r.get("kind") == "context" and r.regex.search(answer.text) for r in report.rules.lymph_nodes)



def _negated_answer(report: Report, answer) -> bool:
    """A free answer that negates its own extension words ("tumour does not extend beyond the capsule")."""
    for hit in report.hits(report.rules.extrathyroidal, start=answer.start, end=answer.end):
        if hit.value == "absent" or (hit.value == "present" and report.negated(hit.start, hit.end)):
            return True
    return bool(report.rules.answer_is(answer.text, "no"))
