"""Typed columns (contract v1.1 "Typed columns"): what Parquet and DuckDB carry, and the way back to text.

radpath's stages pass tables as text ("" = empty), which is also what the CSV files hold. Parquet and DuckDB
carry each column a user computes with in its own type, with nulls for empty cells: dates, numbers, booleans.
``typed_frame`` converts a table on its way to Parquet; ``text_frame`` turns a Parquet table read back by radpath
into the text the stages expect (identical to the CSV), so typing changes what users get, never what radpath
decides. Ids are never typed: they stay text. One table of column types for every output table; no spaCy here.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pyarrow as pa

from .quality import parse_date

DATE = pa.date32()
NUMBER = pa.float64()
INTEGER = pa.int64()
BOOLEAN = pa.bool_()
# Column name -> Arrow type, for every table radpath writes (a column of the same name means the same thing in
# every table). Columns not named here keep the type pandas gives them (text, or a mention's offsets): the
# report vocabularies (fna_site, tumor_site, fna_position, ...) are text in every format.
COLUMN_TYPES: dict[str, pa.DataType] = {
    "report_date": DATE, "index_us_date": DATE, "fna_date": DATE, "surgery_date": DATE, "link_date": DATE,
    "tumor_size_mm": NUMBER,
    "n_mentions": INTEGER, "fna_days_after_us": INTEGER, "surgery_days_after_us": INTEGER,
    "days_after_index_us": INTEGER, "n_ultrasound": INTEGER, "n_cytology": INTEGER, "n_surgery": INTEGER,
    "n_undated": INTEGER, "n_outside_window": INTEGER, "row": INTEGER,
    "microcalcification_clustered": BOOLEAN,
}
BOOLEAN_PREFIXES = ("def_", "flag_")  # case-definition and flag columns
RAW_DATE = {"report_date": "report_date_raw"}  # the typed column -> the input's own text, kept beside it
TYPE_NAMES = {DATE: "date", NUMBER: "number", INTEGER: "integer", BOOLEAN: "boolean"}


def column_type(name: str) -> pa.DataType | None:
    if name in COLUMN_TYPES:
        return COLUMN_TYPES[name]
    if name.startswith(BOOLEAN_PREFIXES):
        return BOOLEAN
    return None


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return ""
    return str(value).strip()


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    return parse_date(_text(value))


def _number(value) -> float | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _integer(value) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def _boolean(value) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(_text(value).lower())


CONVERT = {DATE: _date, NUMBER: _number, INTEGER: _integer, BOOLEAN: _boolean}


def typed_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with each known column in its Arrow type (nulls for empty or unparseable cells); others as they
    are. The Arrow dtypes hold even for an all-empty column, so every chunk of a run has one schema."""
    out = frame.copy()
    for column in out.columns:
        kind = column_type(str(column))
        if kind is None:
            if not len(out) and out[column].dtype == object:  # an empty table's text columns stay text
                out[column] = pd.array([], dtype=pd.ArrowDtype(pa.string()))
            continue
        out[column] = pd.array([CONVERT[kind](v) for v in out[column]], dtype=pd.ArrowDtype(kind))
    return out


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


TO_TEXT = {DATE: lambda v: pd.Timestamp(v).strftime("%Y-%m-%d"), NUMBER: _number_text,  # DuckDB gives Timestamps
           INTEGER: lambda v: str(int(v)), BOOLEAN: lambda v: "true" if v else "false"}


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of typed_frame for radpath's own readers: typed columns back to the text the CSV holds
    (``report_date`` from ``report_date_raw``, the input's own text, where the table has it)."""
    out = frame.copy()
    for column in out.columns:
        kind = column_type(str(column))
        if kind is None:
            continue
        convert = TO_TEXT[kind]
        raw = RAW_DATE.get(str(column))
        if raw and raw in out.columns:  # the CSV holds the input's text, or its ISO form under --date-format
            out[column] = [_text(r) if _missing(v) or parse_date(_text(r)) is not None else convert(v)
                           for v, r in zip(out[column], out[raw])]
            continue
        out[column] = pd.Series(["" if _missing(v) else convert(v) for v in out[column]], index=out.index,
                                dtype=object)
    return out


def schema_types(frame: pd.DataFrame) -> dict[str, str]:
    """Column -> "date" / "number" / "integer" / "boolean" / "text", for the data dictionary and tests."""
    return {str(c): TYPE_NAMES.get(column_type(str(c)), "text") for c in frame.columns}
