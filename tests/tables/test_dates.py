"""Dates never empty a cohort silently: --date-format (explicit or auto), a loud warning when most dates cannot be
read or no patient has a dated ultrasound, --strict to make that an error, and the summary line's counts."""
import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.evaluate.patients import score_patients
from extractor.knowledge.resources import sample_dir
from extractor.tables.quality import detect_date_format, parse_date

GOLD = sample_dir() / "gold_patients.csv"


def _rewrite_dates(tmp_path, pattern: str):
    """The sample corpus with every ISO date written with ``pattern`` (a strptime/strftime format)."""
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)

    def written(value):
        try:
            return dt.date.fromisoformat(value).strftime(pattern)
        except ValueError:
            return value  # the sample's own missing and unparseable dates stay as they are

    sample["report_date"] = sample["report_date"].map(written)
    path = tmp_path / "reports.csv"
    sample.to_csv(path, index=False)
    return path


def _linked_fields_score(out):
    gold = pd.read_csv(GOLD, dtype=str, keep_default_na=False)
    predicted = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False)
    fields = ["index_us_report_id", "index_us_date", "fna_report_id", "surgery_report_id", "final_diagnosis",
              "def_yoon2011_dmo", "def_strict_dmo"]
    return {s.field: s.accuracy for s in score_patients(gold, predicted, fields=fields)}


@pytest.mark.parametrize("pattern, option", [("%m/%d/%Y", "%m/%d/%Y"), ("%d.%m.%Y", "%d.%m.%Y"),
                                             ("%m/%d/%Y", "auto"), ("%d/%m/%Y", "auto")])
def test_a_us_or_european_dated_archive_gives_the_iso_cohort(tmp_path, pattern, option):
    source = _rewrite_dates(tmp_path, pattern)
    result = CliRunner().invoke(cli, ["extract", str(source), "--out", str(tmp_path / "out"), "--date-format",
                                      option, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert all(score == 1.0 for score in _linked_fields_score(tmp_path / "out").values())
    assert "Warning" not in result.output
    if option == "auto":
        assert f"read the dates as {pattern}" in result.output
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet")
    original = pd.read_csv(source, dtype=str, keep_default_na=False)
    assert (reports["report_date_raw"].values == original["report_date"].values).all()  # the input's own text
    first = original["report_date"].iloc[0]
    assert reports["report_date"].iloc[0] == dt.datetime.strptime(first, pattern).date()


def test_without_the_format_the_run_says_so_loudly_and_strict_fails_keeping_the_previous_set(tmp_path):
    source = _rewrite_dates(tmp_path, "%m/%d/%Y")
    out = tmp_path / "out"
    good = CliRunner().invoke(cli, ["extract", str(source), "--out", str(out), "--date-format", "%m/%d/%Y", "-q"])
    assert good.exit_code == 0, good.output
    before = (out / "patients.csv").read_bytes()
    loud = CliRunner().invoke(cli, ["extract", str(source), "--out", str(tmp_path / "loud"), "-q"])
    assert loud.exit_code == 0
    warnings = [line for line in loud.output.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 2  # shown even with -q
    assert "--date-format" in warnings[0] and "every cohort is empty" in warnings[1]
    strict = CliRunner().invoke(cli, ["extract", str(source), "--out", str(out), "--strict"])
    assert strict.exit_code == 2 and "--strict" in strict.output and "Traceback" not in strict.output
    assert (out / "patients.csv").read_bytes() == before  # the earlier, correct set is intact


def test_auto_that_cannot_tell_says_what_to_pass(tmp_path):
    frame = pd.DataFrame({"report_id": ["R1", "R2"], "patient_id": ["P1", "P1"],
                          "report_date": ["03/04/2021", "05/06/2021"], "report_type": ["US", "FNA"],
                          "text": ["Thyroid ultrasound: a nodule.", "FNA: Bethesda II."]})
    frame.to_csv(tmp_path / "in.csv", index=False)
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o"),
                                      "--date-format", "auto"])
    assert result.exit_code == 2
    assert "cannot tell the date order" in result.output and "%d/%m/%Y" in result.output
    assert "%m/%d/%Y" in result.output and not (tmp_path / "o" / "reports.csv").exists()


def test_the_summary_line_counts_dates_that_are_not_linked(tmp_path):
    result = CliRunner().invoke(cli, ["extract", str(sample_dir() / "reports.csv"), "--out", str(tmp_path / "o"),
                                      "--no-link"])
    assert result.exit_code == 0, result.output
    reports = pd.read_csv(tmp_path / "o" / "reports.csv", dtype=str, keep_default_na=False)
    counts = reports["report_date_status"].value_counts()
    assert f"Dates not linked: {counts['missing']} missing, {counts['unparseable']} unparseable." in result.output


@pytest.mark.parametrize("text, fmt, expected", [
    ("2021-03-04", None, dt.date(2021, 3, 4)),
    ("03/04/2021", "%m/%d/%Y", dt.date(2021, 3, 4)),
    ("03/04/2021 14:05", "%m/%d/%Y", dt.date(2021, 3, 4)),
    ("04.03.2021", "%d.%m.%Y", dt.date(2021, 3, 4)),
    ("13/04/2021", "%m/%d/%Y", None),
    ("2021-03-04", "%m/%d/%Y", None),
])
def test_parse_date_formats(text, fmt, expected):
    assert parse_date(text, fmt) == expected


@pytest.mark.parametrize("values, expected", [
    (["2021-03-04", ""], "iso"),
    (["13/04/2021", "01/02/2021"], "%d/%m/%Y"),
    (["04/13/2021", "01/02/2021"], "%m/%d/%Y"),
    (["13.04.2021"], "%d.%m.%Y"),
])
def test_detect_date_format(values, expected):
    assert detect_date_format(values)[0] == expected


@pytest.mark.parametrize("values", [["13/04/2021", "04/13/2021"], ["01/02/2021"], ["13/04/2021", "14.04.2021"]])
def test_detect_date_format_refuses_what_it_cannot_tell(values):
    with pytest.raises(ValueError):
        detect_date_format(values)
