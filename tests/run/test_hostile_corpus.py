"""A seeded sample of the hostile fuzz corpus (extractor.tools.synth.hostile) through `radpath extract` with two workers:
every row accounted for, every offset consistent with the text as read, no report failed or past its time budget.
(The full 10,000-text corpus is measured in docs/scale.md.)"""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.tables.sources import read_reports
from extractor.tools.synth import HOSTILE_FAMILIES, hostile, write_corpus

ROWS = 120
SCALE = 0.25  # the largest sizes shrunk for a quick test; the full corpus is measured in docs/scale.md


def test_the_hostile_generator_is_seeded_and_covers_every_family():
    frame = hostile(30, seed=5)
    assert set(frame["hostile_family"]) == set(HOSTILE_FAMILIES)
    assert frame.equals(hostile(30, seed=5)) and not frame.equals(hostile(30, seed=6))
    assert frame["report_id"].is_unique
    texts = "".join(frame["text"])
    assert "\x00" in texts and any(0xDC80 <= ord(c) <= 0xDCFF for c in texts)  # NULs, invalid UTF-8


def test_invalid_utf8_is_written_as_raw_bytes_in_csv(tmp_path):
    frame = hostile(10, seed=0)
    raw = write_corpus(frame, tmp_path / "h.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert write_corpus(frame, tmp_path / "h.parquet").is_file()  # U+FFFD where the format needs valid text


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    source = write_corpus(hostile(ROWS, seed=11, scale=SCALE), tmp / "hostile.csv")
    out = tmp / "out"
    result = CliRunner().invoke(cli, ["extract", str(source), "--out", str(out), "--no-link", "--no-duckdb", "-q",
                                      "--workers", "2", "--chunk-size", "16"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return source, out


def test_every_hostile_row_is_accounted_for(run):
    source, out = run
    reports, errors = pd.read_parquet(out / "reports.parquet"), pd.read_parquet(out / "errors.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["rows_read"] == ROWS == len(reports) + len(errors)
    assert not set(reports["report_id"]) & set(errors["report_id"].dropna())
    assert "too_slow" not in set(errors["reason"])  # the default budget is never reached
    assert "extraction_failed" not in set(errors["reason"])  # no component crashes on hostile text


def test_hostile_offsets_slice_the_text_as_read(run):
    source, out = run
    texts = dict(zip(*[read_reports(source).reports[c] for c in ("report_id", "text")]))
    mentions = pd.read_parquet(out / "mentions.parquet")
    assert len(mentions) > 1000
    for m in mentions.itertuples():
        text = texts[m.report_id]
        assert text[m.start_char:m.end_char] == m.text
        assert text[m.sentence_start:m.sentence_end] == m.sentence
        assert m.sentence_start <= m.start_char < m.end_char <= m.sentence_end
        if m.negated:
            assert text[int(m.negated_trigger_start):].startswith(m.negated_trigger)
