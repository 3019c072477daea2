"""The sample corpus's patients against corpora/sample/gold_patients.csv, and the click commands."""
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.cohort import cohort, compare, evaluate_patients, link
from extractor.evaluate.patients import score_patients

SAMPLE = Path(__file__).resolve().parents[2] / "corpora" / "sample"


def gold_reports_dir(tmp_path) -> Path:
    """DIR/reports built from the gold report labels (no extraction): isolates the linking step."""
    reports = pd.read_csv(SAMPLE / "reports.csv", dtype=str, keep_default_na=False)
    gold = pd.read_csv(SAMPLE / "gold_reports.csv", dtype=str, keep_default_na=False)
    frame = reports[["report_id", "patient_id", "report_date"]].merge(gold, on="report_id")
    out = tmp_path / "run"
    out.mkdir()
    frame.to_csv(out / "reports.csv", index=False)
    return out


@pytest.fixture
def run_dir(tmp_path):
    return gold_reports_dir(tmp_path)


def test_sample_has_a_gold_row_per_patient_with_an_ultrasound():
    gold_reports = pd.read_csv(SAMPLE / "gold_reports.csv", dtype=str, keep_default_na=False)
    reports = pd.read_csv(SAMPLE / "reports.csv", dtype=str, keep_default_na=False)
    with_us = set(reports.merge(gold_reports, on="report_id").query("report_kind == 'ultrasound'")["patient_id"])
    gold = pd.read_csv(SAMPLE / "gold_patients.csv", dtype=str, keep_default_na=False)
    assert set(gold["patient_id"]) == with_us


def test_sample_exercises_every_linking_rule():
    gold = pd.read_csv(SAMPLE / "gold_patients.csv", dtype=str, keep_default_na=False)
    assert set(gold["index_us_rule"]) == {"latest_before_first_cytology", "latest_before_first_surgery", "earliest"}
    assert set(gold["us_pattern"]) == {"microcalcifications_only", "microcalcifications_with_mass", "mass_only",
                                       "negative"}
    assert set(gold["final_diagnosis"]) == {"malignant", "benign", "indeterminate", "unknown"}
    for flag in ("flag_us_no_mass_specimen_mass", "flag_cytology_surgery_discordant", "flag_laterality_discordant"):
        assert {"true", "false"} <= set(gold[flag]), flag
    assert (gold["n_undated"].astype(int) > 0).any() and (gold["n_outside_window"].astype(int) > 0).any()


def test_link_command_on_gold_reports_matches_gold_patients(run_dir):
    result = CliRunner().invoke(link, [str(run_dir), "--input", str(SAMPLE / "reports.csv")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "microcalcifications_only" in result.output and "malignancy_rate" in result.output
    for name in ("patients.csv", "patients.parquet", "links.csv", "links.parquet", "radpath.duckdb"):
        assert (run_dir / name).is_file(), name
    gold = pd.read_csv(SAMPLE / "gold_patients.csv", dtype=str, keep_default_na=False)
    predicted = pd.read_csv(run_dir / "patients.csv", dtype=str, keep_default_na=False)
    scores = score_patients(gold, predicted)
    assert {s.field: s.accuracy for s in scores if s.accuracy < 1.0} == {}
    links = pd.read_csv(run_dir / "links.csv", dtype=str, keep_default_na=False).set_index("report_id")["link_status"]
    assert links["R080"] == "missing_date" and links["R084"] == "unparseable_date"
    assert links["R009"] == "outside_window" and links["R089"] == "outside_window"
    assert links["R090"] == "no_ultrasound" and links["R091"] == "before_index"


def test_evaluate_patients_command(run_dir):
    CliRunner().invoke(link, [str(run_dir), "-q", "--input", str(SAMPLE / "reports.csv")], catch_exceptions=False)
    result = CliRunner().invoke(evaluate_patients, [str(run_dir), "--gold", str(SAMPLE / "gold_patients.csv"),
                                                    "--min", "0.97"], catch_exceptions=False)
    assert result.exit_code == 0 and "final_diagnosis" in result.output


def test_evaluate_patients_below_min_exits_1_naming_the_fields(run_dir, tmp_path):
    CliRunner().invoke(link, [str(run_dir), "-q", "--input", str(SAMPLE / "reports.csv")], catch_exceptions=False)
    gold = pd.read_csv(SAMPLE / "gold_patients.csv", dtype=str, keep_default_na=False)
    first = gold.index[:5]  # five wrong gold labels: 36/41 < 0.97
    gold.loc[first, "final_diagnosis"] = gold.loc[first, "final_diagnosis"].map(
        lambda v: "malignant" if v == "benign" else "benign")
    gold.to_csv(tmp_path / "gold.csv", index=False)
    result = CliRunner().invoke(evaluate_patients, [str(run_dir), "--gold", str(tmp_path / "gold.csv"),
                                                    "--min", "0.97", "--no-misses"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "Below --min 0.97: " in result.output and "final_diagnosis" in result.output.splitlines()[-1]


def test_cohort_command_lists_members(run_dir):
    CliRunner().invoke(link, [str(run_dir), "-q"], catch_exceptions=False)
    result = CliRunner().invoke(cohort, [str(run_dir), "--definition", "yoon2011_dmo"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "P001" in result.output and "P004" not in result.output and "Yoon" in result.output


def test_cohort_command_accepts_a_user_definition(run_dir, tmp_path):
    CliRunner().invoke(link, [str(run_dir), "-q", "--no-duckdb"], catch_exceptions=False)
    user = tmp_path / "mass_only.toml"
    user.write_text('id = "mass_only"\ntitle = "Mass only"\ncitation = "local"\nrationale = "test"\n'
                    '[criteria]\nall = [ { field = "us_pattern", in = ["mass_only"] } ]\n')
    result = CliRunner().invoke(cohort, [str(run_dir), "--definition", "mass_only", "--definitions", str(user)],
                                catch_exceptions=False)
    assert result.exit_code == 0 and "P005" in result.output


def test_compare_command_explains_movers(run_dir):
    CliRunner().invoke(link, [str(run_dir), "-q", "--no-duckdb"], catch_exceptions=False)
    result = CliRunner().invoke(compare, [str(run_dir), "yoon2011_dmo", "strict_dmo"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "microcalcification_clustered" in result.output and "P001" in result.output
    assert "yoon2011_dmo only" in result.output


def test_errors_are_one_line_messages_not_tracebacks(tmp_path):
    result = CliRunner().invoke(link, [str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2 and "Error:" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(cohort, [str(tmp_path), "--definition", "nope"], catch_exceptions=False)
    assert result.exit_code == 2 and "unknown definition id" in result.output


def test_every_command_docstring_ends_with_an_example():
    for command in (link, cohort, compare, evaluate_patients):
        assert "Example:" in command.help and "radpath " + command.name in command.help.split("Example:")[1]


def test_build_cohort_end_to_end_on_the_sample():
    """One call from a DataFrame of reports to reports, mentions and patients (runs the spaCy pipeline)."""
    from extractor.run.api import build_cohort

    result = build_cohort(pd.read_csv(SAMPLE / "reports.csv", dtype=str, keep_default_na=False))
    gold = pd.read_csv(SAMPLE / "gold_patients.csv", dtype=str, keep_default_na=False)
    linking_only = ["index_us_report_id", "index_us_date", "fna_report_id", "surgery_report_id", "index_us_rule",
                    "link_status", "n_undated", "n_outside_window"]  # independent of extraction accuracy
    scores = score_patients(gold, result.patients.astype(str), fields=linking_only)
    assert {s.field: s.misses for s in scores if s.accuracy < 1.0} == {}
    assert len(result.mentions) and len(result.links) == len(result.reports)
    assert [d.column for d in result.definitions] <= list(result.patients.columns)


def test_query_runs_read_only_sql_on_the_runs_duckdb(run_dir):
    from extractor.cli.cohort import query

    assert CliRunner().invoke(link, [str(run_dir)]).exit_code == 0
    patients = pd.read_csv(run_dir / "patients.csv", dtype=str, keep_default_na=False)
    members = int((patients["def_yoon2011_dmo"] == "true").sum())
    result = CliRunner().invoke(query, [str(run_dir), "select count(*) as n from cohort_yoon2011_dmo", "--csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["n", str(members)]
    table = CliRunner().invoke(query, [str(run_dir), "select patient_id from patients order by 1"])
    assert table.exit_code == 0 and f"{len(patients)} rows" in table.output
    for statement, said in (("select nope from patients", "query failed"),
                            ("drop table patients", "read-only")):
        bad = CliRunner().invoke(query, [str(run_dir), statement])
        assert bad.exit_code == 2 and said in bad.output and "Traceback" not in bad.output
    assert CliRunner().invoke(query, [str(run_dir), "select count(*) from patients", "--csv"]).output.splitlines()[1] \
        == str(len(patients))  # the failed DROP changed nothing
