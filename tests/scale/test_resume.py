"""A run killed with SIGKILL and resumed with --resume writes the tables of an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time

import pytest

from extractor.runner import Spool, run_extract
from extractor.synth import generate, write_corpus

TABLE_FILES = [f"{t}.{e}" for t in ("reports", "mentions", "errors", "nodules") for e in ("csv", "parquet")]


def _extract_command(corpus, out, *extra):
    return [sys.executable, "-m", "extractor", "extract", str(corpus), "--out", str(out), "--workers", "1",
            "--chunk-size", "20", "--no-link", *extra]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("resume")
    return write_corpus(generate(250, seed=5), directory / "reports.csv")


@pytest.fixture(scope="module")
def clean_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    run_extract(corpus, out, workers=1, chunk_size=20, quiet=True)
    return out


def _kill_after_chunks(corpus, out, chunks: int) -> None:
    process = subprocess.Popen(_extract_command(corpus, out, "-q"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    spool = out / Spool.NAME
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if spool.is_dir() and len(list(spool.glob("chunk-*.done"))) >= chunks:
            break
        time.sleep(0.02)
    assert process.poll() is None, f"the run ended before it could be killed: {process.stderr.read()!r}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_killed_run_leaves_no_table_and_resume_finishes_it(corpus, clean_run, tmp_path):
    out = tmp_path / "out"
    _kill_after_chunks(corpus, out, chunks=3)
    assert not any((out / name).exists() for name in TABLE_FILES)  # nothing half written
    kept = len(list((out / Spool.NAME).glob("chunk-*.done")))
    assert kept >= 3

    resumed = subprocess.run(_extract_command(corpus, out, "--resume"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{kept} chunks kept from the interrupted run" in resumed.stdout + resumed.stderr
    for name in TABLE_FILES:
        if name.endswith(".csv"):
            assert (out / name).read_bytes() == (clean_run / name).read_bytes(), name
    assert not (out / Spool.NAME).exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLE_FILES + ["manifest.json"])


def test_without_resume_an_interrupted_spool_is_discarded(corpus, clean_run, tmp_path):
    out = tmp_path / "out"
    _kill_after_chunks(corpus, out, chunks=2)
    summary = run_extract(corpus, out, workers=1, chunk_size=20, quiet=True)
    assert summary.resumed_chunks == 0
    assert (out / "reports.csv").read_bytes() == (clean_run / "reports.csv").read_bytes()


def test_resume_after_the_input_changed_starts_afresh(corpus, tmp_path):
    out = tmp_path / "out"
    _kill_after_chunks(corpus, out, chunks=2)
    changed = write_corpus(generate(30, seed=6), tmp_path / "reports.csv")
    os.replace(changed, corpus.parent / "changed.csv")
    summary = run_extract(corpus.parent / "changed.csv", out, workers=1, chunk_size=20, quiet=True, resume=True)
    assert summary.resumed_chunks == 0  # another input: the old chunks are not mixed in
    expected = tmp_path / "expected"
    run_extract(corpus.parent / "changed.csv", expected, workers=1, chunk_size=20, quiet=True)
    assert (out / "reports.csv").read_bytes() == (expected / "reports.csv").read_bytes()


def test_bad_input_leaves_no_spool(tmp_path):
    (tmp_path / "bad.csv").write_text("id,text\n1,x\n")
    with pytest.raises(Exception):
        run_extract(tmp_path / "bad.csv", tmp_path / "out", workers=1, quiet=True)
    assert not (tmp_path / "out" / Spool.NAME).exists()
