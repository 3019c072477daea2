"""Typed columns (contract v1.1): Parquet and DuckDB carry dates, numbers and booleans with nulls for empty cells,
ids stay text, CSV stays text; radpath's own readers get the CSV's text back. Read with pandas, pyarrow and DuckDB."""
import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractor.knowledge.resources import sample_dir
from extractor.run.api import extract_file
from extractor.tables.typed import (
    BOOLEAN,
    DATE,
    INTEGER,
    NUMBER,
    column_type,
    text_frame,
)

DUCKDB_TYPES = {DATE: "DATE", NUMBER: "DOUBLE", INTEGER: "BIGINT", BOOLEAN: "BOOLEAN"}
TABLES = ("reports", "patients", "links", "errors")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The sample corpus with integer-looking ids and one bad row, through the whole job."""
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    sample["patient_id"] = sample["patient_id"].str.replace("P", "", regex=False).str.lstrip("0")  # "1", "2", ...
    sample.loc[len(sample)] = ["R999", "77", "2020-01-01", "US", ""]  # empty text: an errors row
    path = tmp_path_factory.mktemp("typed") / "reports.csv"
    sample.to_csv(path, index=False)
    out = path.parent / "out"
    extract_file(path, out)
    return out


@pytest.mark.parametrize("table", TABLES)
def test_parquet_columns_have_their_types_and_ids_are_text(run, table):
    schema = pq.read_schema(run / f"{table}.parquet")
    for f in schema:
        expected = column_type(f.name)
        if expected is not None:
            assert f.type == expected, (table, f.name, f.type)
        elif f.name in ("report_id", "patient_id") or table != "errors":
            assert pa.types.is_string(f.type) or pa.types.is_large_string(f.type), (table, f.name, f.type)
    frame = pd.read_parquet(run / f"{table}.parquet")
    if "patient_id" in frame and len(frame):
        assert not frame["patient_id"].str.contains(r"\.0$").any()  # "11", never "11.0"


def test_empty_cells_are_nulls_and_values_survive(run):
    reports = pd.read_parquet(run / "reports.parquet")
    csv = pd.read_csv(run / "reports.csv", dtype=str, keep_default_na=False)
    sizes = reports.set_index("report_id")["tumor_size_mm"]
    for report_id, text in zip(csv["report_id"], csv["tumor_size_mm"]):
        assert (pd.isna(sizes[report_id]) if not text else sizes[report_id] == float(text)), report_id
    clustered = reports.set_index("report_id")["microcalcification_clustered"]
    for report_id, text in zip(csv["report_id"], csv["microcalcification_clustered"]):
        assert (pd.isna(clustered[report_id]) if not text else bool(clustered[report_id]) == (text == "true"))
    assert reports["tumor_size_mm"].mean() > 0  # arithmetic works on the column as read
    assert (reports["report_date_raw"] == csv["report_date"]).all()  # the input's own date text is kept
    unparseable = csv["report_date_status"] == "unparseable"
    assert unparseable.any() and reports.loc[unparseable.values, "report_date"].isna().all()


@pytest.mark.parametrize("table", TABLES)
def test_radpath_reads_its_parquet_back_as_the_csv_text(run, table):
    csv = pd.read_csv(run / f"{table}.csv", dtype=str, keep_default_na=False)
    back = text_frame(pd.read_parquet(run / f"{table}.parquet"))
    assert list(back.columns) == list(csv.columns)
    assert back.astype(str).reset_index(drop=True).equals(csv.astype(str)), table


def test_duckdb_types_match_and_cohort_views_use_booleans(run):
    con = duckdb.connect(str(run / "radpath.duckdb"), read_only=True)
    try:
        for table in ("reports", "patients", "links"):
            for name, kind, *_ in con.execute(f'DESCRIBE "{table}"').fetchall():
                expected = column_type(name)
                if expected is not None:
                    assert kind == DUCKDB_TYPES[expected], (table, name, kind)
                elif name in ("report_id", "patient_id"):
                    assert kind == "VARCHAR"
        members = con.execute("SELECT count(*) FROM patients WHERE def_yoon2011_dmo").fetchone()[0]
        assert con.execute("SELECT count(*) FROM cohort_yoon2011_dmo").fetchone()[0] == members > 0
        assert con.execute("SELECT avg(tumor_size_mm) FROM reports").fetchone()[0] > 0
        days = con.execute("SELECT max(fna_date - index_us_date) FROM patients").fetchone()[0]
        assert 0 <= days <= 180  # date arithmetic: the linking window
    finally:
        con.close()
