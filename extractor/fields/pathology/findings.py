"""Presence findings: psammoma bodies, lymphocytic thyroiditis, and the gross mass in a resection.

psammoma_bodies / lymphocytic_thyroiditis: an affirmed mention anywhere in current text -> present; otherwise a
negated mention or a negative synoptic answer -> absent; otherwise not_mentioned. A hedged mention (hedges.tsv:
"probable", "possible", "is possible", "cannot be excluded") counts neither way: the fields have no uncertain
value, so a finding only hedged is not_mentioned. Family-history mentions never
count. mass_in_specimen: a gross-tumour checklist / registry row decides (synoptic_keys.tsv); else only the gross description counts; an affirmed lesion there -> present, only negated ones
-> absent, no gross description -> not_stated.
"""
from __future__ import annotations

from .synoptic import answers
from .text import Report


def presence(report: Report, rules, field: str, *, absent: str = "absent", missing: str = "not_mentioned"):
    """(value, reason) from a presence rule file plus the field's synoptic answers."""
    hits = [h for h in report.hits(rules) if not report.family(h.start, h.end)]
    negated = []
    for hit in hits:
        if report.hedged(hit.start, hit.end):
            continue  # "a single probable psammoma body", "thyroiditis is possible": no statement either way
        neg = report.negated(hit.start, hit.end)
        if neg:
            negated.append(f"{hit.ref}+{neg}")
        elif hit.value == "present":
            return "present", hit.ref
    for answer in answers(report, field):
        if answer.kind == "negative":
            negated.append(answer.ref)
    if negated:
        return absent, ",".join(negated[:3])
    return missing, "no mention"


def mass_in_specimen(report: Report):
    for answer in answers(report, "mass_in_specimen"):  # a checklist / registry row ("Macroscopic tumour: no")
        if answer.kind == "negative":
            return answer.key.get("negative"), answer.ref
        if not answer.kind and answer.affirmed:
            return answer.affirmed, answer.ref
    spans = report.spans_of("gross")
    if not spans:
        return "not_stated", "no gross description"
    negated = []
    for start, end in spans:
        for hit in report.hits(report.rules.gross_lesion, start=start, end=end):
            neg = report.negated(hit.start, hit.end)
            if neg:
                negated.append(f"{hit.ref}+{neg}")
            else:
                return "present", hit.ref
    if negated:
        return "absent", ",".join(negated[:3])
    return "not_stated", "gross description names no lesion"
