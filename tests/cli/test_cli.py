from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.knowledge.resources import sample_dir

SAMPLE = sample_dir()


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(cli, ["extract", str(SAMPLE / "reports.csv"), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def test_extract_writes_every_table(sample_run):
    for name in ("reports", "mentions", "errors"):
        assert (sample_run / f"{name}.csv").is_file() and (sample_run / f"{name}.parquet").is_file()


def test_every_input_report_is_accounted_for(sample_run):
    rows = len(pd.read_csv(SAMPLE / "reports.csv"))
    reports = pd.read_parquet(sample_run / "reports.parquet")
    errors = pd.read_parquet(sample_run / "errors.parquet")
    assert len(reports) + len(errors) == rows


def test_mention_offsets_slice_the_report_text(sample_run):
    texts = pd.read_csv(SAMPLE / "reports.csv", dtype=str, keep_default_na=False).set_index("report_id")["text"]
    mentions = pd.read_parquet(sample_run / "mentions.parquet")
    assert len(mentions) > 0
    for row in mentions.itertuples():
        assert texts[row.report_id][row.start_char:row.end_char] == row.text


def test_reports_follow_the_contract_column_order(sample_run):
    from extractor.tables.schemas import REPORT_COLUMNS

    assert list(pd.read_csv(sample_run / "reports.csv").columns) == REPORT_COLUMNS


ULTRASOUND_FIELDS = ["report_kind", "microcalcifications", "microcalcification_extent", "microcalcification_clustered",
                     "microcalcification_laterality", "mass", "focal_echogenicity_change"]


def test_evaluate_meets_the_ultrasound_bar_on_the_sample(sample_run, tmp_path):
    gold = pd.read_csv(SAMPLE / "gold_reports.csv", dtype=str, keep_default_na=False)
    us_gold = tmp_path / "gold_us.csv"
    gold[gold["report_kind"] == "ultrasound"][["report_id", *ULTRASOUND_FIELDS]].to_csv(us_gold, index=False)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(us_gold), str(sample_run), "--min", "0.97"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "microcalcifications" in result.output and "F1=" in result.output


def test_evaluate_fails_below_min(sample_run, tmp_path):
    gold = tmp_path / "gold.csv"
    pd.DataFrame([{"report_id": "R001", "report_kind": "cytology"}]).to_csv(gold, index=False)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), str(sample_run), "--min", "0.5"])
    assert result.exit_code == 1


def test_missing_column_is_a_clean_error(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame([{"report_id": "a", "patient_id": "p", "NOTE": "x"}]).to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["extract", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "--text-col" in result.output and "Traceback" not in result.output


def test_text_col_option_maps_a_column(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame([{"report_id": "a", "patient_id": "p", "NOTE": "Scattered microcalcifications, no nodule."}]).to_csv(
        path, index=False)
    result = CliRunner().invoke(cli, ["extract", str(path), "--out", str(tmp_path / "o"), "--text-col", "NOTE"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    row = pd.read_csv(tmp_path / "o" / "reports.csv", dtype=str, keep_default_na=False).iloc[0]
    assert (row["report_kind"], row["microcalcifications"], row["mass"]) == ("other", "", "")


def test_demo_runs_and_scores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (Path(tmp_path) / "radpath-demo" / "reports.csv").is_file()
    assert "Agreement with the corpus's gold report labels" in result.output
    assert "Agreement with the corpus's gold patient labels" in result.output
    assert (Path(tmp_path) / "radpath-demo" / "patients.csv").is_file()


def test_help_teaches_with_examples():
    for command in ("extract", "evaluate", "demo"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "Example:" in result.output


def test_manifest_records_the_input_rows_the_run_read(tmp_path):
    """The manifest counts the input's rows (every row, including those that became errors)."""
    import json

    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([sample.iloc[:10], sample.iloc[:2]], ignore_index=True)  # two duplicate ids -> errors
    frame.to_csv(tmp_path / "in.csv", index=False)
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["inputs"][0]["rows"] == 12 == manifest["tables"]["rows_read"]
    assert manifest["tables"]["errors"] == 2
