"""Spreadsheet formulas in the CSV outputs: kept as they are by default (documented), defused with --csv-safe."""
import pandas as pd
from click.testing import CliRunner

from extractor.cli.main import cli

HOSTILE = [
    {"report_id": "=HYPERLINK(\"http://x\",\"R1\")", "patient_id": "@SUM(1+1)", "report_date": "2020-01-01",
     "report_type": "US thyroid", "text": "THYROID ULTRASOUND. Diffuse microcalcifications in the right lobe."},
    {"report_id": "-5", "patient_id": "+cmd|' /C calc'!A0", "report_date": "2020-02-01",
     "report_type": "US thyroid", "text": "THYROID ULTRASOUND. Normal gland."},
]


def _run(tmp_path, *extra):
    pd.DataFrame(HOSTILE).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / ("safe" if extra else "raw")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(out), "--workers", "1", "-q",
                                      *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_csv_safe_prefixes_cells_a_spreadsheet_would_run(tmp_path):
    out = _run(tmp_path, "--csv-safe")
    reports = pd.read_csv(out / "reports.csv", dtype=str, keep_default_na=False)
    assert set(reports["report_id"]) == {"'=HYPERLINK(\"http://x\",\"R1\")", "-5"}  # a plain number stays
    assert set(reports["patient_id"]) == {"'@SUM(1+1)", "'+cmd|' /C calc'!A0"}
    patients = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False)
    assert "'@SUM(1+1)" in set(patients["patient_id"])
    mentions = pd.read_csv(out / "mentions.csv", dtype=str, keep_default_na=False)
    assert set(mentions["report_id"]) <= {"'=HYPERLINK(\"http://x\",\"R1\")", "-5"} and len(mentions)
    parquet = pd.read_parquet(out / "reports.parquet")  # the values themselves are unchanged
    assert set(parquet["patient_id"]) == {"@SUM(1+1)", "+cmd|' /C calc'!A0"}
    raw = _run(tmp_path)  # the default: the CSV holds the values as they are
    assert set(pd.read_csv(raw / "reports.csv", dtype=str)["patient_id"]) == {"@SUM(1+1)", "+cmd|' /C calc'!A0"}
