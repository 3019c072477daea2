"""Score the patients table against gold patient labels (corpora/sample/gold_patients.csv): per-field accuracy
and per-value precision / recall / F1, in evaluate.py's FieldScore form (so format_scores prints both)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .reports import FieldScore, format_scores, score_table  # noqa: F401  (re-exported for the CLI)

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
    """One FieldScore per gold column (other than patient_id). A gold patient missing from the prediction counts
    as a miss in every field; extra predicted patients as well."""
    fields = fields or [c for c in gold.columns if c != KEY and not c.startswith("note")]
    return score_table(gold.astype(str), predicted.astype(str), key=KEY, fields=fields, count_extra=True)


def evaluate_patients_dir(gold_path: str | Path, out_dir: str | Path) -> list[FieldScore]:
    """Score DIR/patients.csv against a gold patients CSV."""
    gold = _read(Path(gold_path), "gold patients file")
    predicted = _read(Path(out_dir) / "patients.csv", "patients.csv (run `radpath link DIR` first)")
    return score_patients(gold, predicted)
