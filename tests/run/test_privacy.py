"""Report text stays out of logs unless the user opts in with --log-text."""
import logging

import pandas as pd
import pytest
from click.testing import CliRunner
from spacy.language import Language

from extractor.cli.main import cli
from extractor.privacy import LOG_TEXT_ENV
from extractor.run.api import Extractor
from extractor.tables.sources import normalise

SECRET = "Patient Jane Roe: scattered microcalcifications in the right lobe."


def _failing_extractor(monkeypatch):
    """An Extractor whose pipeline raises inside a component (on a copy of the pipeline, not the shared one)."""
    from extractor.nlp.pipeline import build_nlp

    extractor = Extractor()
    extractor.nlp = build_nlp()
    extractor.nlp.add_pipe("test_privacy_explode", last=True)
    return extractor


@Language.component("test_privacy_explode")
def _explode(doc):
    raise RuntimeError("pipeline failure")


def _table():
    return normalise(pd.DataFrame([{"report_id": "R1", "patient_id": "P1", "report_date": "2020-01-01",
                                    "report_type": "US", "text": SECRET}]))


def test_failed_report_is_logged_without_its_text(monkeypatch, caplog):
    monkeypatch.delenv(LOG_TEXT_ENV, raising=False)
    with caplog.at_level(logging.WARNING):
        result = _failing_extractor(monkeypatch).extract_table(_table())
    assert list(result.errors["reason"]) == ["extraction_failed"]
    assert "R1" in caplog.text and "Jane" not in caplog.text and f"<{len(SECRET)} characters" in caplog.text
    assert "Jane" not in result.errors.to_csv()


def test_log_text_opt_in_quotes_an_excerpt(monkeypatch, caplog):
    monkeypatch.setenv(LOG_TEXT_ENV, "1")
    with caplog.at_level(logging.WARNING):
        _failing_extractor(monkeypatch).extract_table(_table())
    assert "Jane Roe" in caplog.text


@pytest.mark.parametrize("flags", [["-v"], ["-v", "--log-text"]])
def test_verbose_run_logs_rejected_rows_by_id_and_reason(tmp_path, monkeypatch, flags):
    monkeypatch.delenv(LOG_TEXT_ENV, raising=False)
    rows = pd.DataFrame([
        {"report_id": "R1", "patient_id": "P1", "report_date": "2020-01-01", "report_type": "US", "text": SECRET},
        {"report_id": "R1", "patient_id": "P1", "report_date": "2020-01-02", "report_type": "US", "text": SECRET},
    ])
    rows.to_csv(tmp_path / "in.csv", index=False)
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(tmp_path / "out"),
                                      "--no-link", "--workers", "1", *flags])
    assert result.exit_code == 0, result.output
    assert "duplicate_report_id" in result.stderr and "row 2" in result.stderr
    assert "Jane" not in result.stderr  # rejected rows are logged by id and reason, never by text


def test_a_headerless_csv_error_does_not_print_the_first_report(tmp_path):
    from click.testing import CliRunner

    from extractor.cli.main import cli

    text = "THYROID ULTRASOUND. Patient Jane Roe, 12 Elm Street: diffuse microcalcifications in the right lobe."
    (tmp_path / "in.csv").write_text(f"R1,P1,2020-01-01,US,{text}\nR2,P1,2020-02-01,US,Normal gland.\n")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2
    assert "Jane Roe" not in result.output and "Elm Street" not in result.output
    assert "Patient" not in result.output and "Does the file have a header line?" in result.output
