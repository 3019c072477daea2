"""Output schemas (column order is the public contract) and the frames built from extracted rows. No spaCy here."""
from __future__ import annotations

import pandas as pd

from .files import PRIVATE_MODE, write_table  # noqa: F401  (re-exported)
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
    # contract v1.1 additions
    "report_date_raw", "fna_site", "tumor_site",
    # the pole (upper / mid / lower ...) a cytology names for the sampled nodule; the index nodule reads it
    "fna_position",
]
NODULE_COLUMNS = [
    "report_id", "patient_id", "nodule_index", "nodule_label", "side", "position", "size_mm", "composition",
    "echogenicity", "shape", "margin", "echogenic_foci", "microcalcifications", "tirads_points", "tirads_level",
    "stated_category",
    # additions beyond the contract (appended, never renamed)
    "report_date", "layout", "section", "start_char", "end_char", "evidence",
]
LINK_COLUMNS = ["report_id", "patient_id", "report_kind", "report_date", "link_date", "link_status",
                "days_after_index_us", "index_us_report_id", "report_date_raw"]

NODULE_INTEGER_COLUMNS = ("nodule_index", "tirads_points", "start_char", "end_char")
CONTRACT_REPORT_FIELDS = REPORT_COLUMNS[4:21]
CONTEXT_FLAGS = ("negated", "uncertain", "historical", "hypothetical", "family")
ATTRIBUTE_COLUMNS = ("organ", "laterality", "extent", "clustering")
MENTION_COLUMNS = [
    "report_id", "patient_id", "mention_index", "section", "label", "text", "start_char", "end_char",
    "sentence", "sentence_start", "sentence_end", "rule_id", "rule_literal", "status", "status_reason",
    *[f"{flag}{suffix}" for flag in CONTEXT_FLAGS for suffix in ("", "_trigger", "_trigger_start", "_rule")],
    *[f"{name}{suffix}" for name in ATTRIBUTE_COLUMNS for suffix in ("", "_trigger", "_trigger_start", "_rule", "_source")],
]


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


def nodules_frame(rows: list[dict]) -> pd.DataFrame:
    """DIR/nodules (CONTRACT.md "DIR/nodules"): size_mm a number, nodule_index / tirads_points / offsets whole
    numbers (nullable), every other column text."""
    frame = pd.DataFrame(rows, columns=NODULE_COLUMNS)
    for column in NODULE_COLUMNS:
        if column == "size_mm":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        elif column in NODULE_INTEGER_COLUMNS:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        else:
            frame[column] = frame[column].fillna("").astype(str)
    return frame


def errors_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ERROR_COLUMNS)
