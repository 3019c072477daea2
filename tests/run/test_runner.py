"""extractor.run.stream: streaming, chunked, parallel extraction writes the tables an in-memory run writes."""
import io
import os
import stat

import pandas as pd
import pytest

from extractor.errors import InputError
from extractor.knowledge.resources import sample_dir
from extractor.run.api import Extractor, write_outputs
from extractor.run.stream import run_extract
from extractor.tables.sources import read_reports
from extractor.tools.synth import generate, write_corpus

TABLES = ("reports", "mentions", "errors", "nodules")


def in_memory(path, out):
    result = Extractor().extract_table(read_reports(path))
    write_outputs(result, out)
    return result


def assert_same_tables(expected_dir, actual_dir):
    for name in TABLES:
        assert (actual_dir / f"{name}.csv").read_bytes() == (expected_dir / f"{name}.csv").read_bytes(), name
        pd.testing.assert_frame_equal(pd.read_parquet(actual_dir / f"{name}.parquet"),
                                      pd.read_parquet(expected_dir / f"{name}.parquet"), check_dtype=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Sample reports plus synthetic ones, with problem rows spread over several chunks."""
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([sample, generate(25, seed=11)], ignore_index=True)
    problems = pd.DataFrame([
        {"report_id": sample.loc[0, "report_id"], "patient_id": "PX", "report_date": "", "report_type": "", "text": "dup"},
        {"report_id": "", "patient_id": "PX", "report_date": "", "report_type": "US", "text": "no id"},
        {"report_id": "E1", "patient_id": "", "report_date": "", "report_type": "US", "text": "no patient"},
        {"report_id": "E2", "patient_id": "PX", "report_date": "", "report_type": "US", "text": "   "},
        {"report_id": "E2", "patient_id": "PX", "report_date": "", "report_type": "US", "text": "second E2, now kept"},
    ])
    frame = pd.concat([frame.iloc[:50], problems.iloc[:2], frame.iloc[50:120], problems.iloc[2:], frame.iloc[120:]],
                      ignore_index=True)
    directory = tmp_path_factory.mktemp("corpus")
    path = write_corpus(frame, directory / "reports.csv")
    expected = directory / "expected"
    in_memory(path, expected)
    return path, expected, len(frame)


@pytest.mark.parametrize("chunk_size", [1, 7, 50, 10_000])
def test_streaming_equals_in_memory(corpus, tmp_path, chunk_size):
    path, expected, rows = corpus
    summary = run_extract(path, tmp_path, workers=1, chunk_size=chunk_size, quiet=True)
    assert_same_tables(expected, tmp_path)
    assert summary.rows_read == rows == summary.reports + summary.errors


def test_duplicate_ids_across_chunks_are_errors(corpus, tmp_path):
    path, _, _ = corpus
    run_extract(path, tmp_path, workers=1, chunk_size=10, quiet=True)
    errors = pd.read_csv(tmp_path / "errors.csv", dtype=str, keep_default_na=False)
    assert list(errors["reason"]) == ["duplicate_report_id", "missing_report_id", "missing_patient_id", "empty_text"]
    reports = pd.read_csv(tmp_path / "reports.csv", dtype=str, keep_default_na=False)
    assert reports["report_id"].is_unique and "E2" in set(reports["report_id"])


def test_two_workers_write_what_one_writes(corpus, tmp_path):
    path, expected, _ = corpus
    run_extract(path, tmp_path / "w2", workers=2, chunk_size=13, quiet=True)
    assert_same_tables(expected, tmp_path / "w2")


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".tsv"])
def test_other_formats_stream_like_in_memory(tmp_path, suffix):
    path = write_corpus(generate(15, seed=2), tmp_path / f"in{suffix}")
    in_memory(path, tmp_path / "expected")
    run_extract(path, tmp_path / "streamed", workers=1, chunk_size=8, quiet=True)
    assert_same_tables(tmp_path / "expected", tmp_path / "streamed")


def test_header_only_and_missing_columns(tmp_path):
    (tmp_path / "empty.csv").write_text("report_id,patient_id,report_date,report_type,text\n")
    summary = run_extract(tmp_path / "empty.csv", tmp_path / "out", workers=1, quiet=True)
    assert summary.rows_read == 0
    assert pd.read_parquet(tmp_path / "out" / "reports.parquet").empty
    (tmp_path / "bad.csv").write_text("id,text\n1,x\n")
    with pytest.raises(InputError):
        run_extract(tmp_path / "bad.csv", tmp_path / "out2", workers=1, quiet=True)
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").iterdir())


def test_mentions_private_and_no_temporary_files_left(corpus, tmp_path):
    path, _, _ = corpus
    run_extract(path, tmp_path, workers=1, chunk_size=40, quiet=True)
    assert stat.S_IMODE(os.stat(tmp_path / "mentions.csv").st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.{e}" for t in TABLES for e in ("csv", "parquet"))


def test_progress_silent_when_stderr_is_not_a_terminal(corpus, tmp_path, capsys):
    path, _, _ = corpus
    run_extract(path, tmp_path / "a", workers=1, chunk_size=40, quiet=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    run_extract(path, tmp_path / "b", workers=1, chunk_size=40)  # not quiet, but stderr is not a terminal
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and captured.err.startswith("Read ")  # the summary line only


def test_progress_callback_counts_rows(corpus, tmp_path):
    path, _, rows = corpus
    seen = []
    run_extract(path, tmp_path, workers=1, chunk_size=40, quiet=True, progress=seen.append)
    assert sum(seen) == rows and len(seen) == -(-rows // 40)
