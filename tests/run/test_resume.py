"""A run killed with SIGKILL and resumed with --resume writes the tables of an uninterrupted run."""
import os
import signal
import subprocess
import sys
import time

import pytest

from extractor.run.stream import Spool, run_extract
from extractor.tools.synth import generate, write_corpus

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


# -- a run killed at any moment over an earlier run's outputs ------------------------------------------------------
def _linked_command(corpus, out, *extra):
    return [part for part in _extract_command(corpus, out, *extra) if part != "--no-link"]


SET_FILES = [f"{t}.csv" for t in ("reports", "mentions", "errors", "patients", "links")]


def _csv_tables(directory):
    return {name: (directory / name).read_bytes() for name in SET_FILES if (directory / name).exists()}


@pytest.fixture(scope="module")
def earlier_set(tmp_path_factory):
    """The whole output set (linked) of another input, as an earlier run left it."""
    directory = tmp_path_factory.mktemp("earlier")
    corpus = write_corpus(generate(30, seed=9), directory / "earlier.csv")
    out = directory / "out"
    done = subprocess.run(_linked_command(corpus, out, "-q"), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def clean_linked_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("clean-linked") / "out"
    started = time.monotonic()
    done = subprocess.run(_linked_command(corpus, out, "-q"), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    CLEAN_RUN_SECONDS.append(time.monotonic() - started)
    return out


CLEAN_RUN_SECONDS: list[float] = []  # how long the clean linked run took on this machine, for the kill moments


def _wait_for_the_joined_tables(out, process, earlier_mtime):
    """Until the report table of the new run has been written (staged, or in DIR itself): linking comes next."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        staged = out / ".radpath-staging" / "reports.csv"
        if staged.exists() or (out / "reports.csv").stat().st_mtime_ns != earlier_mtime:
            return
        time.sleep(0.005)


@pytest.mark.parametrize("seed", [None, 1, 2, 3, 4])
def test_killed_at_a_random_moment_the_directory_holds_one_whole_set_and_resume_finishes(
        corpus, earlier_set, clean_linked_run, tmp_path, seed):
    """SIGKILL at a random moment of a linked run (reading, extracting, joining, linking, DuckDB, the swap): DIR
    holds the earlier set or the new one, whole, never a mixture; --resume then writes the new set byte for byte."""
    import random
    import shutil

    out = tmp_path / "out"
    shutil.copytree(earlier_set, out)
    earlier, new = _csv_tables(earlier_set), _csv_tables(clean_linked_run)
    process = subprocess.Popen(_linked_command(corpus, out, "-q"), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    if seed is None:  # the moment an unstaged run is most exposed: tables written, patients not yet
        _wait_for_the_joined_tables(out, process, (out / "reports.csv").stat().st_mtime_ns)
    else:  # a moment inside the run, scaled to how long a whole run takes on this machine (loaded or not)
        time.sleep(random.Random(seed).uniform(0.1, 0.85) * CLEAN_RUN_SECONDS[-1])
    if process.poll() is not None:  # faster than the clean run was (the machine's load fell): it finished whole
        assert process.returncode == 0 and _csv_tables(out) == new
        return
    process.kill()
    process.wait()
    if (out / ".radpath-staging" / "COMMIT").exists():  # killed within the swap itself (a few renames): the
        from extractor.tables.files import (
            recover,  # plan is complete and any next run finishes it first
        )

        recover(out)
    assert _csv_tables(out) in (earlier, new), f"a mixed output set after a kill at seed {seed}"
    resumed = subprocess.run(_linked_command(corpus, out, "--resume", "-q"), capture_output=True, text=True,
                             timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert _csv_tables(out) == new
    leftovers = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert leftovers == [], leftovers
