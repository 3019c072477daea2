"""Score extracted report fields against gold labels: per-field accuracy, per-value precision / recall / F1."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..tables.schemas import CONTRACT_REPORT_FIELDS

SCORED_FIELDS = ["report_kind", *CONTRACT_REPORT_FIELDS, "fna_site", "tumor_site"]  # v1.1 sites too
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


def per_value_scores(pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of every value seen in gold or prediction."""
    out = {}
    for value in sorted({g for g, _ in pairs} | {p for _, p in pairs}):
        if not value:
            continue
        tp = sum(1 for g, p in pairs if g == value and p == value)
        fp = sum(1 for g, p in pairs if g != value and p == value)
        fn = sum(1 for g, p in pairs if g == value and p != value)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[value] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return out


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    return "" if text in {"nan", "<NA>", "None"} else text


def score_table(
    gold: pd.DataFrame, predicted: pd.DataFrame, *, key: str, fields: list[str], count_extra: bool = False
) -> list[FieldScore]:
    """One FieldScore per field. A gold row missing from the prediction is a miss in every field; with
    ``count_extra`` a predicted row missing from gold is one too. Rows where both sides are empty are skipped."""
    merged = gold.merge(predicted, on=key, how="outer" if count_extra else "left", suffixes=("_gold", "_pred"),
                        indicator=True)
    scores = []
    for name in fields:
        g_col = f"{name}_gold" if f"{name}_gold" in merged.columns else name
        p_col = f"{name}_pred" if f"{name}_pred" in merged.columns else None
        fs = FieldScore(name, 0, 0)
        pairs = []
        for rec in merged.to_dict("records"):
            g = "<not in gold>" if rec["_merge"] == "right_only" else _cell(rec[g_col])
            p = "" if p_col is None else _cell(rec[p_col])
            if rec["_merge"] == "left_only":
                p = f"<missing {key.removesuffix('_id')}>"
            if not g and not p:
                continue
            fs.n += 1
            ok = _same(name, g, p)
            fs.correct += ok
            if not ok:
                fs.misses.append((rec[key], g, p))
            pairs.append((g, p))
        if name != "tumor_size_mm":
            fs.per_value = per_value_scores(pairs)
        scores.append(fs)
    return scores


def score(gold: pd.DataFrame, predicted: pd.DataFrame) -> list[FieldScore]:
    """Report fields of the contract present in ``gold``, matched on report_id."""
    return score_table(gold, predicted, key="report_id", fields=[f for f in SCORED_FIELDS if f in gold.columns])


def evaluate_dir(gold_path: str | Path, out_dir: str | Path) -> list[FieldScore]:
    gold = _read(Path(gold_path), "gold file")
    predicted = _read(Path(out_dir) / "reports.csv", "reports.csv (run `radpath extract` first)")
    return score(gold, predicted)


KIND_ORDER = ("ultrasound", "cytology", "surgical_pathology", "other")


def kind_confusion(gold: pd.DataFrame, predicted: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Counts of (gold report_kind, predicted report_kind) over the gold reports; a gold report missing from the
    prediction counts as predicted ``<missing>``."""
    if "report_kind" not in gold.columns:
        return {}
    merged = gold[["report_id", "report_kind"]].merge(
        predicted[["report_id", "report_kind"]] if "report_kind" in predicted.columns else predicted[["report_id"]],
        on="report_id", how="left", suffixes=("_gold", "_pred"))
    counts: dict[tuple[str, str], int] = {}
    for g, p in zip(merged["report_kind_gold"], merged.get("report_kind_pred", pd.Series([None] * len(merged)))):
        g, p = _cell(g), _cell(p) or "<missing>"
        if g:
            counts[(g, p)] = counts.get((g, p), 0) + 1
    return counts


def format_confusion(counts: dict[tuple[str, str], int]) -> str:
    """A report-kind confusion matrix: one row per gold kind, one column per predicted kind."""
    if not counts:
        return ""
    kinds = [k for k in KIND_ORDER if any(k in pair for pair in counts)]
    kinds += sorted({k for pair in counts for k in pair} - set(kinds))
    width = max(12, *(len(k) for k in kinds)) + 1
    lines = ["report kind (rows gold, columns predicted):", f"{'':{width}}" + "".join(f"{k:>{width}}" for k in kinds)]
    for g in kinds:
        if any(pair[0] == g for pair in counts):
            lines.append(f"{g:{width}}" + "".join(f"{counts.get((g, p), 0):>{width}}" for p in kinds))
    return "\n".join(lines)


def evaluate_kinds_dir(gold_path: str | Path, out_dir: str | Path) -> dict[tuple[str, str], int]:
    gold = _read(Path(gold_path), "gold file")
    predicted = _read(Path(out_dir) / "reports.csv", "reports.csv (run `radpath extract` first)")
    return kind_confusion(gold, predicted)


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
