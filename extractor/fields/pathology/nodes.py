"""lymph_node_metastasis from counts ("3/7", "2 of 9 lymph nodes", "number involved 12"), pN categories and cue
phrases (lymph_nodes.tsv).

Decision table: any positive evidence (count > 0, pN1, "metastatic carcinoma in ... lymph nodes") -> present;
else an explicit "number of lymph nodes examined: 0" -> not_stated; else any negative evidence (0/n, pN0, "benign lymph
nodes", a negative synoptic answer) -> absent; else
not_stated (pNX, "no lymph nodes submitted", or nothing said). Counts need a node word in their clause or a node
synoptic key, so dates and ratios elsewhere are not read. Extranodal extension is not a node count.
"""
from __future__ import annotations

from .synoptic import answers
from .text import Report


def lymph_node_metastasis(report: Report) -> tuple[str, str]:
    rules = report.rules.lymph_nodes
    context = [r for r in rules if r.get("kind") == "context"]
    node_answers = answers(report, "lymph_node_metastasis")
    in_answer = lambda pos: any(a.start <= pos < a.end for a in node_answers)
    present, absent, none_examined, unexamined = [], [], [], []
    # a template question answered "0" / "No" ("Lymph nodes with metastatic disease: 0"): its own words are no cue
    negative_keys = [(report.line(a.start)[0], a.start) for a in node_answers if a.kind == "negative"]
    in_negative_key = lambda pos: any(lo <= pos < hi for lo, hi in negative_keys)
    for hit in report.hits([r for r in rules if r.get("kind") != "context"]):
        kind = hit.rule.get("kind")
        if kind == "none_examined":
            none_examined.append(hit.ref)
        elif kind == "count":
            lo, hi = report.clause(hit.start, hit.end)
            line_lo, line_hi = report.line(hit.start)
            if not in_answer(hit.start) and not any(r.regex.search(report.text, min(lo, line_lo), max(hi, line_hi)) for r in context):
                continue
            pos = report.number(_group(hit.match, "pos", "pos2", "pos3", "pos4") or "")
            total_text = _group(hit.match, "total", "total2", "total3", "total4")
            total = report.number(total_text) if total_text else None
            if pos is None or (total is not None and (total == 0 or pos > total)):
                continue
            (present if pos > 0 else absent).append(hit.ref)
        elif hit.value == "present" and in_negative_key(hit.start):
            continue
        elif hit.value == "present":
            inner = any(r.get("direction") == "pre" and r.regex.search(hit.match.group(0)) for r in report.rules.negation)
            if kind == "cue" and (inner or report.negated(hit.start, hit.end)):
                absent.append(hit.ref)
            else:
                present.append(hit.ref)
        elif hit.value == "absent":
            absent.append(hit.ref)
        elif hit.value == "not_stated":
            unexamined.append(hit.ref)
    if present:
        return "present", ",".join(present[:3])
    if none_examined:
        return "not_stated", "miss:no_nodes_examined " + ",".join(none_examined[:3])
    unexamined_cues = [r for r in rules if r.get("kind") == "cue" and r.get("value") == "not_stated"]
    for answer in node_answers:
        # the key and its answer together ("Lymph nodes: none" = none submitted), not the answer alone
        key_lo, _ = report.line(answer.start)
        said = report.text[key_lo:max(answer.end, answer.start + len(answer.text))]
        if answer.kind == "negative" and not any(r.regex.search(answer.text) or r.regex.search(said)
                                                 for r in unexamined_cues):
            absent.append(answer.ref)
    if absent:
        return "absent", ",".join(absent[:3])
    if unexamined:  # pNX, "no lymph nodes submitted"
        return "not_stated", "miss:no_nodes_examined " + ",".join(unexamined[:3])
    return "not_stated", "no node examined or no node status"


def _group(match, *names: str) -> str | None:
    """The first named group that took part in the match (a rule may spell a count in two orders)."""
    for name in names:
        if name in match.re.groupindex and match.group(name):
            return match.group(name)
    return None
