"""Fixtures for the SQL tests: the sample corpus as a plain table and as an OMOP CDM NOTE table, the file outputs of
`extractor.run.api.extract_file` for the same reports, a SQLite target and a throwaway PostgreSQL server."""
from __future__ import annotations

import hashlib
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

sa = pytest.importorskip("sqlalchemy", reason="the SQL tests need the sql extra: pip install -e '.[sql,test]'")

from extractor.knowledge.resources import sample_dir  # noqa: E402
from extractor.run.api import extract_file  # noqa: E402
from extractor.tables.omop import NOTE_COLUMNS, note_to_reports  # noqa: E402
from extractor.tables.sql import table_specs  # noqa: E402
from extractor.tables.sql.writer import read_run  # noqa: E402
from extractor.tables.typed import text_frame

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "ci_postgres.sh"
NLP_DATETIME = datetime(2026, 11, 30, 12, 0, 0)
KEYS = {"reports": ["report_id"], "mentions": ["report_id", "mention_index"], "errors": ["row"],
        "patients": ["patient_id"], "links": ["report_id"], "note_nlp": ["note_nlp_id"]}


# -- corpora -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sample() -> pd.DataFrame:
    return pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def note(sample) -> pd.DataFrame:
    """The sample as an OMOP CDM v5.4 NOTE table: integer ids (R012 -> 12, P003 -> 3), note_date a date (NULL
    where the sample's date is not ISO), the report-type hint as note_title."""
    dates = pd.to_datetime(sample["report_date"], format="%Y-%m-%d", errors="coerce")
    frame = pd.DataFrame({
        "note_id": sample["report_id"].str[1:].astype("int64"),
        "person_id": sample["patient_id"].str[1:].astype("int64"),
        "note_date": [d.date() if pd.notna(d) else None for d in dates],
        "note_datetime": [d.to_pydatetime() if pd.notna(d) else None for d in dates],
        "note_type_concept_id": 44814640,
        "note_class_concept_id": 0,
        "note_title": sample["report_type"],
        "note_text": sample["text"],
        "encoding_concept_id": 0,
        "language_concept_id": 4180186,
    })
    for column in NOTE_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame[NOTE_COLUMNS]


NOTE_TYPES = {"note_id": sa.BigInteger, "person_id": sa.BigInteger, "note_date": sa.Date, "note_datetime": sa.DateTime,
              "note_type_concept_id": sa.Integer, "note_class_concept_id": sa.Integer, "note_title": sa.String(250),
              "note_text": sa.Text, "encoding_concept_id": sa.Integer, "language_concept_id": sa.Integer,
              "provider_id": sa.BigInteger, "visit_occurrence_id": sa.BigInteger, "visit_detail_id": sa.BigInteger,
              "note_source_value": sa.String(50), "note_event_id": sa.BigInteger,
              "note_event_field_concept_id": sa.Integer}


def load_note(url: str, note: pd.DataFrame, *, schema: str | None = None, table: str = "note") -> None:
    """Create the NOTE table with CDM types (replacing it) and load ``note``."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if schema:
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            note.to_sql(table, conn, schema=schema, if_exists="replace", index=False, dtype=NOTE_TYPES)
    finally:
        engine.dispose()


def load_plain(url: str, frame: pd.DataFrame, table: str = "reports_in") -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            frame.to_sql(table, conn, if_exists="replace", index=False)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def file_outputs(tmp_path_factory, sample, note):
    """extract_file's outputs for the sample (`plain`) and for the NOTE table's reports (`omop`)."""
    base = tmp_path_factory.mktemp("file-outputs")
    plain_csv = base / "plain.csv"
    sample.to_csv(plain_csv, index=False)
    omop_csv = base / "omop.csv"
    note_to_reports(note).to_csv(omop_csv, index=False)
    extract_file(plain_csv, base / "plain")
    extract_file(omop_csv, base / "omop")
    return {"plain": base / "plain", "omop": base / "omop"}


# -- comparing -----------------------------------------------------------------------------------------------------
def specs_for(out_dir: Path):
    patients = pd.read_parquet(out_dir / "patients.parquet")
    return table_specs(patients_columns=list(patients.columns), note_nlp=True)


def canonical(frame: pd.DataFrame, spec, name: str) -> pd.DataFrame:
    """Rows sorted by the table's key; bigint -> Int64, boolean -> bool, text -> str with '' for missing."""
    frame = frame.copy()
    for column, kind in spec.columns[1:]:
        if kind == "bigint":
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        elif kind == "boolean":
            frame[column] = frame[column].astype(bool)
        elif kind == "text":
            frame[column] = frame[column].map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                                              else str(v)).astype(object)
        else:  # date / timestamp
            frame[column] = frame[column].map(lambda v: str(pd.Timestamp(v)) if v is not None else "").astype(object)
    return frame.sort_values(KEYS[name], kind="mergesort").reset_index(drop=True)


def assert_run_equals_files(url: str, run_id: str, out_dir: Path, *, schema: str | None = None,
                            names=("reports", "mentions", "errors", "patients", "links")) -> dict:
    """Every table of ``run_id`` read back from the database equals the file output of the same name."""
    specs = specs_for(out_dir)
    counts = {}
    for name in names:
        spec = specs[name]
        if name == "note_nlp":
            from extractor.tables.omop import note_nlp_frame

            expected = note_nlp_frame(pd.read_parquet(out_dir / "mentions.parquet"), nlp_datetime=NLP_DATETIME)
        else:  # the file output as radpath's stages see it (its text form; Parquet itself is typed)
            expected = text_frame(pd.read_parquet(out_dir / f"{name}.parquet"))
        actual = read_run(url, name, run_id=run_id, spec=spec, schema=schema)
        assert list(actual.columns) == list(expected.columns), name
        pd.testing.assert_frame_equal(canonical(actual, spec, name), canonical(expected, spec, name), obj=name)
        counts[name] = len(actual)
    return counts


def count_rows(url: str, table: str, *, schema: str | None = None, run_id: str | None = None) -> int | None:
    """Rows of ``table`` (of one run), or None when the table does not exist."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table(table, schema=schema):
                return None
            t = sa.table(table, sa.column("run_id"), schema=schema)
            statement = sa.select(sa.func.count()).select_from(t)
            if run_id is not None:
                statement = statement.where(t.c.run_id == run_id)
            return conn.execute(statement).scalar()
    finally:
        engine.dispose()


# -- databases -----------------------------------------------------------------------------------------------------
class Database:
    """A database the tests may write to: ``url`` (no password in it), ``schema`` for radpath's tables."""

    def __init__(self, kind: str, url: str, schema: str | None, cdm: str | None):
        self.kind, self.url, self.schema, self.cdm = kind, url, schema, cdm


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A throwaway PostgreSQL server on loopback (scripts/ci_postgres.sh), or $RADPATH_TEST_PG_URL; skipped, with
    the reason, only when no PostgreSQL binaries are installed."""
    if os.environ.get("RADPATH_TEST_PG_URL"):
        yield {"URL": os.environ["RADPATH_TEST_PG_URL"]}
        return
    done = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True, timeout=180)
    if done.returncode == 3:
        pytest.skip("PostgreSQL tests skipped: no PostgreSQL binaries (initdb, pg_ctl) on this machine; "
                    "install them with `scripts/ci_postgres.sh install` (Debian package postgresql, as root)")
    assert done.returncode == 0, f"scripts/ci_postgres.sh start failed:\n{done.stderr}"
    info = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = info["PGPASSFILE"]
    try:
        yield info
    finally:
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old
        subprocess.run(["bash", str(SCRIPT), "stop", info["DIR"]], capture_output=True, text=True, timeout=120)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Database:
    """The same test against SQLite (a new file) and PostgreSQL (the session's server, a new schema)."""
    if request.param == "sqlite":
        return Database("sqlite", f"sqlite:///{tmp_path / 'radpath.db'}", None, None)
    server = request.getfixturevalue("postgres_server")
    schema = "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12]  # one schema per test
    engine = sa.create_engine(server["URL"])
    with engine.begin() as conn:
        for name in (schema, schema + "_cdm"):
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()
    return Database("postgresql", server["URL"], schema, schema + "_cdm")
