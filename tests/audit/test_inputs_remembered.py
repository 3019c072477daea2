"""The manifest remembers the input by absolute path and checksum; `link`, `audit` and `explain` find it from
anywhere and say when it has moved or changed since the run (issue 14 item 6)."""
import json
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.knowledge.resources import sample_dir


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """`radpath extract reports.csv --out out` run from tmp_path/work with a relative input path."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(sample_dir() / "reports.csv", work / "reports.csv")
    monkeypatch.chdir(work)
    result = invoke("extract", "reports.csv", "--out", "out", "--workers", "1", "-q")
    assert result.exit_code == 0, result.output
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # every later command runs from another directory
    return work / "out", work / "reports.csv"


def _output(result):
    return result.output  # stdout and stderr


def test_the_manifest_records_the_absolute_path_and_checksum(run):
    out, input_path = run
    entry = json.loads((out / "manifest.json").read_text())["inputs"][0]
    assert entry["path"] == "reports.csv" and entry["absolute_path"] == str(input_path)
    assert len(entry["sha256"]) == 64 and entry["bytes"] == input_path.stat().st_size


def test_audit_from_another_directory_finds_the_texts(run):
    out, _ = run
    result = invoke("audit", out)
    assert result.exit_code == 0
    assert "not available" not in _output(result) and "Note:" not in _output(result)


def test_link_without_input_uses_the_recorded_input(run, tmp_path):
    out, _ = run
    before = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False)
    (out / "patients.csv").unlink()
    result = invoke("link", out, "-q")
    assert result.exit_code == 0, _output(result)
    after = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False)
    assert (after["fna_site"] != "unknown").any()
    assert after["fna_site"].tolist() == before["fna_site"].tolist()


def test_an_edited_input_is_noticed_and_not_used(run):
    out, input_path = run
    text = input_path.read_text()
    input_path.write_text(text.replace("Thyroid", "Thyrold", 1) if "Thyroid" in text else text.replace("e", "a", 1))
    for args in (("audit", out), ("explain", out, "R001", "--show-text")):
        result = invoke(*args)
        assert result.exit_code == 0
        assert f"the input file {input_path} has changed since the run" in _output(result), args
    page = (out / "audit.html").read_text()
    assert "has changed since the run" in page
    linked = invoke("link", out, "-q")
    assert linked.exit_code == 0
    assert "has changed since the run" in _output(linked) and "sites will be 'unknown'" in _output(linked)


def test_a_moved_input_is_named(run, tmp_path):
    out, input_path = run
    input_path.rename(tmp_path / "moved.csv")
    result = invoke("audit", out)
    assert f"the input file {input_path} recorded in {out / 'manifest.json'} has moved or been deleted" \
        in _output(result)
    explicit = invoke("audit", out, "--input", tmp_path / "moved.csv")
    assert "has moved" not in _output(explicit) and "is not the file" not in _output(explicit)
