"""Output schemas (column order is the public contract) and atomic writers. No spaCy here."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from .mentions import MENTION_COLUMNS
from .sources import ERROR_COLUMNS

REPORT_COLUMNS = [
    "report_id", "patient_id", "report_date", "report_kind",
    "microcalcifications", "microcalcification_extent", "microcalcification_clustered",
    "microcalcification_laterality", "mass", "focal_echogenicity_change",
    "bethesda_category", "malignancy", "histology", "ptc_subtype", "psammoma_bodies", "tumor_size_mm",
    "tumor_focality", "lymph_node_metastasis", "extrathyroidal_extension", "mass_in_specimen",
    "lymphocytic_thyroiditis",
    # additions beyond contract v1 (appended, never renamed)
    "report_type", "report_kind_source", "n_mentions", "evidence", "report_date_status", "input_flags",
]
CONTRACT_REPORT_FIELDS = REPORT_COLUMNS[4:21]
PRIVATE_MODE = 0o600  # files holding report text are readable by the owner only


def _atomic(path: Path, write, *, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, PRIVATE_MODE if private else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, directory: Path, name: str, *, private: bool = False) -> list[Path]:
    """Write ``name.csv`` and ``name.parquet`` atomically (each appears complete or not at all)."""
    csv_path, parquet_path = directory / f"{name}.csv", directory / f"{name}.parquet"
    _atomic(csv_path, lambda tmp: frame.to_csv(tmp, index=False), private=private)
    _atomic(parquet_path, lambda tmp: frame.to_parquet(tmp, index=False), private=private)
    return [csv_path, parquet_path]


def reports_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=REPORT_COLUMNS)
    for column in REPORT_COLUMNS:
        if column not in {"n_mentions"}:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def mentions_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    for column in MENTION_COLUMNS:
        if column.endswith("_trigger_start"):
            frame[column] = frame[column].astype("Int64")
    return frame


def errors_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)
