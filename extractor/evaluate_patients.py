"""Score the patients table against gold patient labels (corpora/sample/gold_patients.csv): per-field accuracy
and per-value precision / recall / F1, in evaluate.py's FieldScore form (so format_scores prints both)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InputError
from .evaluate import FieldScore, format_scores  # noqa: F401  (re-exported for the CLI)

KEY = "patient_id"


def _read(path: Path, what: str) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(f"{what} not found", path=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if KEY not in frame.columns:
        raise InputError(f"{what} has no {KEY} column; columns found: {list(frame.columns)}", path=str(path))
    return frame


def score_patients(gold: pd.DataFrame, predicted: pd.DataFrame, *, fields: list[str] | None = None
                   ) -> list[FieldScore]:
    """One FieldScore per gold column (other than patient_id) that the prediction can be compared on. A gold
    patient missing from the prediction counts as a miss in every field; extra predicted patients as well."""
    fields = fields or [c for c in gold.columns if c != KEY and not c.startswith("note")]
    gold = gold.astype(str)
    predicted = predicted.astype(str)
    merged = gold.merge(predicted, on=KEY, how="outer", suffixes=("_gold", "_pred"), indicator=True)
    scores = []
    for name in fields:
        g_col = f"{name}_gold" if f"{name}_gold" in merged.columns else name
        p_col = f"{name}_pred" if f"{name}_pred" in merged.columns else None
        fs = FieldScore(name, 0, 0)
        pairs = []
        for rec in merged.to_dict("records"):
            g = "" if rec["_merge"] == "right_only" else str(rec[g_col]).strip()
            p = "" if p_col is None or pd.isna(rec[p_col]) else str(rec[p_col]).strip()
            if rec["_merge"] == "left_only":
                p = "<missing patient>"
            if rec["_merge"] == "right_only":
                g = "<not in gold>"
            if g == "nan":
                g = ""
            if p == "nan":
                p = ""
            if not g and not p:
                continue
            fs.n += 1
            ok = g == p
            fs.correct += ok
            if not ok:
                fs.misses.append((rec[KEY], g, p))
            pairs.append((g, p))
        for value in sorted({g for g, _ in pairs} | {p for _, p in pairs}):
            if not value:
                continue
            tp = sum(1 for g, p in pairs if g == value and p == value)
            fp = sum(1 for g, p in pairs if g != value and p == value)
            fn = sum(1 for g, p in pairs if g == value and p != value)
            precision = tp / (tp + fp) if tp + fp else 0.0
            recall = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            fs.per_value[value] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
        scores.append(fs)
    return scores


def evaluate_patients_dir(gold_path: str | Path, out_dir: str | Path) -> list[FieldScore]:
    """Score DIR/patients.csv against a gold patients CSV."""
    gold = _read(Path(gold_path), "gold patients file")
    predicted = _read(Path(out_dir) / "patients.csv", "patients.csv (run `radpath link DIR` first)")
    return score_patients(gold, predicted)
