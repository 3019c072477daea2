"""Score DIR/nodules against gold nodules: detection precision / recall / F1, then per-feature accuracy over
the matched nodules.

Matching rule (one-to-one, within a report): a gold and a predicted nodule can match only when their sides agree
(or one is ``unspecified``). Candidate pairs are taken in order of (side differs, position differs, size
difference in mm - 50 when a size is missing -, nodule_index difference), each nodule used at most once. An
unmatched gold nodule is a false negative, an unmatched predicted one a false positive.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .reports import FieldScore, _cell, _read, per_value_scores

NODULE_FIELDS = ["side", "position", "size_mm", "composition", "echogenicity", "shape", "margin", "echogenic_foci",
                 "microcalcifications", "tirads_points", "tirads_level", "stated_category"]
SIZE_TOLERANCE_MM = 1.0
MISSING_SIZE_COST = 50.0


@dataclass
class Detection:
    gold: int
    predicted: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _cost(g: dict, p: dict) -> tuple | None:
    sides = {g["side"], p["side"]}
    if len(sides) == 2 and "unspecified" not in sides and "" not in sides:
        return None
    gs, ps = _number(g["size_mm"]), _number(p["size_mm"])
    size = abs(gs - ps) if gs is not None and ps is not None else MISSING_SIZE_COST
    index = abs((_number(g["nodule_index"]) or 0) - (_number(p["nodule_index"]) or 0))
    return (g["side"] != p["side"], g["position"] != p["position"], size, index)


def match_nodules(gold: pd.DataFrame, predicted: pd.DataFrame) -> list[tuple[dict | None, dict | None]]:
    """(gold, predicted) pairs: matched, gold only (predicted None) and predicted only (gold None)."""
    g_rows = [{k: _cell(v) for k, v in r.items()} for r in gold.to_dict("records")]
    p_rows = [{k: _cell(v) for k, v in r.items()} for r in predicted.to_dict("records")]
    pairs, used_g, used_p = [], set(), set()
    by_report: dict[str, list[int]] = {}
    for j, p in enumerate(p_rows):
        by_report.setdefault(p["report_id"], []).append(j)
    candidates = []
    for i, g in enumerate(g_rows):
        for j in by_report.get(g["report_id"], []):
            cost = _cost(g, p_rows[j])
            if cost is not None:
                candidates.append((cost, i, j))
    for _, i, j in sorted(candidates):
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((g_rows[i], p_rows[j]))
    pairs += [(g, None) for i, g in enumerate(g_rows) if i not in used_g]
    pairs += [(None, p) for j, p in enumerate(p_rows) if j not in used_p]
    return pairs


def _same(name: str, gold: str, predicted: str) -> bool:
    if name == "size_mm" and gold and predicted:
        g, p = _number(gold), _number(predicted)
        return g is not None and p is not None and abs(g - p) <= SIZE_TOLERANCE_MM
    if name == "tirads_points" and gold and predicted:
        return _number(gold) == _number(predicted)
    return gold == predicted


def score_nodules(gold: pd.DataFrame, predicted: pd.DataFrame) -> tuple[Detection, list[FieldScore]]:
    """Detection over every gold report's nodules (predicted nodules of reports absent from gold are ignored),
    and one FieldScore per nodule field present in gold, over matched nodules."""
    predicted = predicted[predicted["report_id"].astype(str).isin(set(gold["report_id"].astype(str)))]
    gold = gold[gold["nodule_index"].astype(str).str.strip() != ""]  # a report with no nodule may list no row
    pairs = match_nodules(gold, predicted)
    matched = [(g, p) for g, p in pairs if g is not None and p is not None]
    detection = Detection(gold=len(gold), predicted=len(predicted), matched=len(matched))
    scores = []
    for name in [f for f in NODULE_FIELDS if f in gold.columns]:
        fs = FieldScore(name, 0, 0)
        values = []
        for g, p in matched:
            gv, pv = g.get(name, ""), p.get(name, "")
            if name == "size_mm" and gv and pv:
                gv, pv = f"{float(gv):g}", f"{float(pv):g}"
            if name == "tirads_points" and gv and pv:
                gv, pv = f"{float(gv):g}", f"{float(pv):g}"
            fs.n += 1
            ok = _same(name, gv, pv)
            fs.correct += ok
            if not ok:
                fs.misses.append((f"{g['report_id']}#{g['nodule_index']}", gv, pv))
            values.append((gv, pv))
        if name not in {"size_mm", "tirads_points"}:
            fs.per_value = per_value_scores(values)
        scores.append(fs)
    return detection, scores


def evaluate_nodules_dir(gold_path: str | Path, out_dir: str | Path) -> tuple[Detection, list[FieldScore], list]:
    gold = _read(Path(gold_path), "gold nodules file")
    missing = [c for c in ("nodule_index", "side") if c not in gold.columns]
    if missing:
        raise InputError(f"gold nodules file lacks column(s) {missing}", path=str(gold_path), column=missing[0])
    predicted = _read(Path(out_dir) / "nodules.csv", "nodules.csv (run `radpath extract` first)")
    detection, scores = score_nodules(gold, predicted)
    unmatched = [(g, p) for g, p in match_nodules(
        gold, predicted[predicted["report_id"].isin(set(gold["report_id"]))]) if g is None or p is None]
    return detection, scores, unmatched


def format_detection(detection: Detection, unmatched: list, *, show_misses: bool = True) -> str:
    lines = [f"nodule detection: gold {detection.gold}, predicted {detection.predicted}, matched {detection.matched}; "
             f"P={detection.precision:.3f} R={detection.recall:.3f} F1={detection.f1:.3f}"]
    if show_misses:
        for g, p in unmatched:
            if g is None:
                lines.append(f"    {p['report_id']:14} extra nodule #{p['nodule_index']} ({p['side']} {p['size_mm']})")
            else:
                lines.append(f"    {g['report_id']:14} missed nodule #{g['nodule_index']} ({g['side']} {g['size_mm']})")
    return "\n".join(lines)
