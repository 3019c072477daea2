"""The index nodule of each patient (CONTRACT.md "DIR/nodules", patients additions) and nodule-level concordance.

Reads tables only (patients, nodules and reports: the FNA target's pole is the cytology's ``fna_position`` report
column, found at extraction by :func:`fna_position`); never report text, no spaCy.

index_nodule: the nodule_index, among the index ultrasound's nodules, of
  1. the nodule the first linked cytology sampled: same side as ``fna_site`` and, when the cytology names a pole
     (patterns/nodules/position.tsv), the same position (``index_nodule_rule`` = ``fna_site_position`` /
     ``fna_site``; several candidates: the one with microcalcifications, else the largest);
  2. else the nodule with microcalcifications present (the largest of them) (``microcalcifications``);
  3. else the largest nodule by size_mm (``largest``), or the first described when none has a size (``first``).
index_nodule_tirads_level: that nodule's tirads_level, else its stated_category.

nodule_concordance (``concordant`` / ``discordant`` / ``unknown``; empty without an index nodule or without a
linked FNA or malignant surgery): ``discordant`` when the FNA's side, the resected carcinoma's side, or the
carcinoma's size (tumor_size_mm) disagrees with the index nodule - sides that share no lobe, or sizes differing by
more than SIZE_TOLERANCE_MM and more than SIZE_TOLERANCE_FRACTION of the larger; ``unknown`` when nothing could
be compared. ``flag_nodule_discordant`` is ``true`` / ``false`` from it (empty when unknown).
"""
from __future__ import annotations

import pandas as pd

from ..fields.nodule_parts import best_matches

NODULE_PATIENT_COLUMNS = ["index_nodule", "index_nodule_tirads_level", "index_nodule_rule", "index_nodule_side",
                          "index_nodule_position", "index_nodule_size_mm", "nodule_concordance",
                          "flag_nodule_discordant"]
SIZE_TOLERANCE_MM = 5.0  # pathology measures fixed tissue; ultrasound and gross sizes differ by a few mm
SIZE_TOLERANCE_FRACTION = 0.5
_LOBES = {"right": {"R"}, "left": {"L"}, "isthmus": {"I"}, "bilateral": {"R", "L", "I"}}


def fna_position(text: str, rules) -> str:
    """The pole the cytology names (first position cue of patterns/nodules/position.tsv), or ''. Run at extraction
    (the cytology's ``fna_position`` column); ``rules``: extractor.knowledge.nodule_rules.NoduleRules."""
    for hit in best_matches(rules.position, str(text or ""), 0, "position"):
        if hit.value != "none":
            return hit.value
    return ""


def _size(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def choose_index_nodule(nodules: list[dict], fna_site: str = "", fna_pos: str = "") -> tuple[dict | None, str]:
    """The index nodule among one ultrasound's nodule rows and the rule that chose it."""
    if not nodules:
        return None, ""

    def best(candidates: list[dict]) -> dict:
        micro = [n for n in candidates if n.get("microcalcifications") == "present"]
        pool = micro or candidates
        return max(pool, key=lambda n: (_size(n.get("size_mm")) or -1.0, -int(n["nodule_index"])))

    if fna_site in {"right", "left", "isthmus"}:
        same_side = [n for n in nodules if n.get("side") == fna_site]
        if same_side and fna_pos:
            same_pos = [n for n in same_side if n.get("position") == fna_pos]
            if same_pos:
                return best(same_pos), "fna_site_position"
        if same_side:
            return best(same_side), "fna_site"
    micro = [n for n in nodules if n.get("microcalcifications") == "present"]
    if micro:
        return best(micro), "microcalcifications"
    sized = [n for n in nodules if _size(n.get("size_mm")) is not None]
    if sized:
        return max(sized, key=lambda n: (_size(n["size_mm"]), -int(n["nodule_index"]))), "largest"
    return min(nodules, key=lambda n: int(n["nodule_index"])), "first"


def _sides_disagree(a: str, b: str) -> bool | None:
    if a not in _LOBES or b not in _LOBES or b == "bilateral" or a == "bilateral":
        return None
    return not (_LOBES[a] & _LOBES[b])


def concordance(nodule: dict, fna_site: str, tumor_site: str, tumor_size) -> str:
    checks = []
    side = nodule.get("side", "")
    for other in (fna_site, tumor_site):
        result = _sides_disagree(side, other)
        if result is not None:
            checks.append(result)
    us, path = _size(nodule.get("size_mm")), _size(tumor_size)
    if us is not None and path is not None:
        diff = abs(us - path)
        checks.append(diff > SIZE_TOLERANCE_MM and diff > SIZE_TOLERANCE_FRACTION * max(us, path))
    if not checks:
        return "unknown"
    return "discordant" if any(checks) else "concordant"


def add_index_nodule(patients: pd.DataFrame, nodules: pd.DataFrame | None, *, reports: pd.DataFrame | None = None,
                     texts=None, rules=None) -> pd.DataFrame:
    """``patients`` with NODULE_PATIENT_COLUMNS appended (empty cells when there are no nodule rows).

    ``reports`` gives the cytology's ``fna_position`` and the carcinoma's ``tumor_size_mm``. ``texts`` and
    ``rules`` are accepted and ignored (deprecated: the pole is a report column since ``fna_position`` was added;
    a reports table without it names no pole)."""
    p = patients.copy()
    for column in NODULE_PATIENT_COLUMNS:
        p[column] = ""
    if nodules is None or not len(nodules) or not len(p):
        return p
    frame = nodules.copy()
    frame["report_id"] = frame["report_id"].astype(str)
    by_report: dict = {}  # report id -> its nodule rows in table order (one to_dict, not one per group)
    for record in frame.to_dict("records"):
        by_report.setdefault(record["report_id"], []).append(record)
    tumor_size, position = {}, {}
    if reports is not None:
        ids = reports["report_id"].astype(str)
        if "tumor_size_mm" in reports.columns:
            tumor_size = dict(zip(ids, reports["tumor_size_mm"]))
        if "fna_position" in reports.columns:
            position = dict(zip(ids, reports["fna_position"].fillna("").astype(str)))
    out = {c: [] for c in NODULE_PATIENT_COLUMNS}
    for row in p.to_dict("records"):
        rows = by_report.get(str(row.get("index_us_report_id", "")), [])
        fna_id = str(row.get("fna_report_id", "") or "")
        fna_site = str(row.get("fna_site", "") or "")
        pos = position.get(fna_id, "") if fna_id else ""
        chosen, rule = choose_index_nodule(rows, fna_site if fna_id else "", pos)
        if chosen is None:
            for c in NODULE_PATIENT_COLUMNS:
                out[c].append("")
            continue
        level = chosen.get("tirads_level") or chosen.get("stated_category") or ""
        size = _size(chosen.get("size_mm"))
        surgery = str(row.get("surgery_report_id", "") or "")
        tumor_site = str(row.get("tumor_site", "") or "")
        linked = bool(fna_id) or bool(surgery and tumor_site)
        agreement = concordance(chosen, fna_site if fna_id else "", tumor_site if surgery else "",
                                tumor_size.get(surgery) if surgery and tumor_site else None) if linked else ""
        values = [str(int(chosen["nodule_index"])), str(level or ""), rule, str(chosen.get("side", "")),
                  str(chosen.get("position", "")), "" if size is None else f"{size:g}", agreement,
                  {"discordant": "true", "concordant": "false"}.get(agreement, "")]
        for c, v in zip(NODULE_PATIENT_COLUMNS, values):
            out[c].append(v)
    for c in NODULE_PATIENT_COLUMNS:
        p[c] = out[c]
    return p
