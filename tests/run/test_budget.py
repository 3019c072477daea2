"""The per-report budget: a report past --max-report-chars or --max-seconds-per-report goes to errors as too_long
or too_slow, and the run goes on. Asserts are on outcomes (which rows, which reasons, whether a slow component
was interrupted), never on how long anything took."""
import json
import time

import pandas as pd
import pytest
from click.testing import CliRunner
from spacy.language import Language

from extractor.cli.main import cli
from extractor.nlp.pipeline import build_nlp
from extractor.run import api
from extractor.run.api import Extractor
from extractor.tables.sources import normalise

SLOW_MARKER = "zzslowzz"
FINISHED: list[str] = []  # texts the slow component got to the end of (it should be interrupted first)


@Language.component("test_slow_on_marker")
def slow_on_marker(doc):
    if SLOW_MARKER in doc.text:
        for _ in range(3000):  # 30 s unless interrupted
            time.sleep(0.01)
        FINISHED.append(doc.text)
    return doc


def _rows(texts):
    return pd.DataFrame([{"report_id": f"R{i}", "patient_id": f"P{i}", "report_date": "2020-01-01",
                          "report_type": "US", "text": text} for i, text in enumerate(texts)])


TEXTS = ["Right lobe nodule with microcalcifications.", "No microcalcifications.",
         f"Left lobe nodule, {SLOW_MARKER}, with microcalcifications.", "Comet-tail artefact only."]


def _slow_nlp():
    nlp = build_nlp()
    nlp.add_pipe("test_slow_on_marker", last=True)
    return nlp


def test_a_report_over_the_character_limit_is_too_long_and_the_rest_extracted():
    texts = ["Right lobe nodule with microcalcifications.", "x " * 100 + "microcalcifications.",
             "No microcalcifications."]
    result = Extractor(max_report_chars=100).extract_table(normalise(_rows(texts)))
    assert list(result.errors["report_id"]) == ["R1"] and list(result.errors["reason"]) == ["too_long"]
    assert list(result.reports["report_id"]) == ["R0", "R2"]
    assert set(result.mentions["report_id"]) == {"R0", "R2"}
    assert "x x" not in result.errors.to_csv()  # the message gives lengths, never text


def test_no_limit_with_zero():
    result = Extractor(max_report_chars=0).extract_table(normalise(_rows(["x " * 100 + "microcalcifications."])))
    assert result.errors.empty and len(result.reports) == 1


def test_a_slow_report_is_interrupted_in_process_and_filed_too_slow():
    FINISHED.clear()
    extractor = Extractor(max_seconds_per_report=0.5)
    extractor.nlp = _slow_nlp()
    result = extractor.extract_table(normalise(_rows(TEXTS)))
    assert FINISHED == []  # interrupted, not merely timed after the fact
    assert list(result.errors["report_id"]) == ["R2"] and list(result.errors["reason"]) == ["too_slow"]
    assert list(result.reports["report_id"]) == ["R0", "R1", "R3"]
    clean = Extractor().extract_table(normalise(_rows(TEXTS)))
    pd.testing.assert_frame_equal(result.mentions.reset_index(drop=True),
                                  clean.mentions[clean.mentions["report_id"] != "R2"].reset_index(drop=True))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cli_budget_in_process_and_in_the_pool(tmp_path, monkeypatch, workers):
    """--workers 1 runs in this process, --workers 2 in forked workers (they inherit the slow pipeline)."""
    slow = _slow_nlp()
    monkeypatch.setattr(api, "cached_nlp", lambda patterns=None: slow)
    texts = TEXTS + ["x " * 60 + "microcalcifications.", "Isoechoic nodule."]
    _rows(texts).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "in.csv"), "--out", str(out), "--no-link", "-q",
                                      "--workers", workers, "--chunk-size", "2", "--max-seconds-per-report", "0.5",
                                      "--max-report-chars", "100"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    errors = pd.read_csv(out / "errors.csv")
    assert dict(zip(errors["report_id"], errors["reason"])) == {"R2": "too_slow", "R4": "too_long"}
    reports = pd.read_csv(out / "reports.csv")
    assert list(reports["report_id"]) == ["R0", "R1", "R3", "R5"]
    options = json.loads((out / "manifest.json").read_text())["options"]
    assert options["max_seconds_per_report"] == 0.5 and options["max_report_chars"] == 100


def test_library_defaults_are_documented_limits():
    from extractor.nlp.pipeline import MAX_REPORT_CHARS
    from extractor.run.budget import (
        DEFAULT_MAX_REPORT_CHARS,
        DEFAULT_MAX_SECONDS_PER_REPORT,
    )

    extractor = Extractor()
    assert extractor.max_report_chars == DEFAULT_MAX_REPORT_CHARS < MAX_REPORT_CHARS
    assert extractor.max_seconds_per_report == DEFAULT_MAX_SECONDS_PER_REPORT


@Language.component("test_sleep_one_second")
def sleep_one_second(doc):
    if "zzshortzz" in doc.text:
        time.sleep(1)
    return doc


def test_outside_the_main_thread_a_slow_report_is_still_filed_too_slow():
    """No SIGALRM in a thread: the report finishes, then goes to errors as too_slow all the same."""
    import threading

    extractor = Extractor(max_seconds_per_report=0.2)
    extractor.nlp = build_nlp()
    extractor.nlp.add_pipe("test_sleep_one_second", last=True)
    results = []
    worker = threading.Thread(target=lambda: results.append(extractor.extract_table(normalise(_rows(
        ["No microcalcifications.", "zzshortzz microcalcifications.", "Isoechoic nodule."])))))
    worker.start()
    worker.join(60)
    (result,) = results
    assert dict(zip(result.errors["report_id"], result.errors["reason"])) == {"R1": "too_slow"}
    assert list(result.reports["report_id"]) == ["R0", "R2"]
