"""Score extracted report fields against gold labels: per-field accuracy, per-value precision / recall / F1."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError
from .tables import CONTRACT_REPORT_FIELDS

SCORED_FIELDS = ["report_kind", *CONTRACT_REPORT_FIELDS]
SIZE_TOLERANCE_MM = 1.0


@dataclass
class FieldScore:
    field: str
    n: int  # reports where gold or prediction has a value
    correct: int
    per_value: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (report_id, gold, predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 1.0


def _same(name: str, gold: str, predicted: str) -> bool:
    if name == "tumor_size_mm" and gold and predicted:
        try:
            return abs(float(gold) - float(predicted)) <= SIZE_TOLERANCE_MM
        except ValueError:
            return False
    return gold == predicted


def _read(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{what} not found", path=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "report_id" not in frame.columns:
        raise InputError(f"{what} has no report_id column; columns found: {list(frame.columns)}", path=str(path))
    return frame


def score(gold: pd.DataFrame, predicted: pd.DataFrame) -> list[FieldScore]:
    merged = gold.merge(predicted, on="report_id", how="left", suffixes=("_gold", "_pred"), indicator=True)
    scores = []
    for name in SCORED_FIELDS:
        if name not in gold.columns:
            continue
        g_col = f"{name}_gold" if f"{name}_gold" in merged.columns else name
        p_col = f"{name}_pred" if f"{name}_pred" in merged.columns else None
        fs = FieldScore(name, 0, 0)
        pairs = []
        for rec in merged.to_dict("records"):
            g = str(rec[g_col]).strip()
            p = "" if p_col is None or pd.isna(rec[p_col]) else str(rec[p_col]).strip()
            if rec["_merge"] == "left_only":
                p = "<missing report>"
            if not g and not p:
                continue
            fs.n += 1
            ok = _same(name, g, p)
            fs.correct += ok
            if not ok:
                fs.misses.append((rec["report_id"], g, p))
            pairs.append((g, p, ok))
        if name != "tumor_size_mm":
            for value in sorted({g for g, _, _ in pairs} | {p for _, p, _ in pairs}):
                if not value:
                    continue
                tp = sum(1 for g, p, _ in pairs if g == value and p == value)
                fp = sum(1 for g, p, _ in pairs if g != value and p == value)
                fn = sum(1 for g, p, _ in pairs if g == value and p != value)
                precision = tp / (tp + fp) if tp + fp else 0.0
                recall = tp / (tp + fn) if tp + fn else 0.0
                f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
                fs.per_value[value] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
        scores.append(fs)
    return scores


def evaluate_dir(gold_path: str | Path, out_dir: str | Path) -> list[FieldScore]:
    gold = _read(Path(gold_path), "gold file")
    predicted = _read(Path(out_dir) / "reports.csv", "reports.csv (run `radpath extract` first)")
    return score(gold, predicted)


def format_scores(scores: list[FieldScore], *, show_misses: bool = True, per_value: bool = True) -> str:
    lines = [f"{'field':34} {'n':>4} {'accuracy':>9}"]
    for fs in scores:
        lines.append(f"{fs.field:34} {fs.n:>4} {fs.accuracy:>9.3f}")
        for value, m in (fs.per_value.items() if per_value else ()):
            lines.append(
                f"    {value:30} P={m['precision']:.3f} R={m['recall']:.3f} F1={m['f1']:.3f} (support {m['support']})"
            )
    if show_misses:
        misses = [(fs.field, *miss) for fs in scores for miss in fs.misses]
        lines.append("")
        lines.append(f"misses: {len(misses)}")
        for name, report_id, g, p in misses:
            lines.append(f"    {report_id:14} {name:30} gold={g or '(empty)'} predicted={p or '(empty)'}")
    return "\n".join(lines)
