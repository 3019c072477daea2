"""The live progress display: drawn on a terminal while `radpath extract` works, never when not a terminal or
with --quiet."""
import os
import pty
import re
import subprocess
import sys

import pytest

from extractor.tools.synth import generate, write_corpus


def _under_a_terminal(args: list[str]) -> str:
    """Run ``python -m extractor ARGS`` with stderr on a pseudo-terminal; return what it drew there."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "160", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "extractor", *args], stdout=subprocess.DEVNULL, stderr=slave,
                               stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    process.wait(timeout=600)
    os.close(master)
    assert process.returncode == 0, drawn.decode(errors="replace")[-2000:]
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn.decode(errors="replace"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("progress") / "reports.csv"
    write_corpus(generate(150, seed=3), path)
    return path


def test_a_terminal_run_shows_rows_rate_and_updates_while_it_works(corpus, tmp_path):
    drawn = _under_a_terminal(["extract", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1",
                               "--chunk-size", "20", "--no-link"])
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) rows", drawn)]
    assert "reports/s" in drawn and "ETA" in drawn
    assert max(counts) > 300  # every report of the corpus (150 patients, about 2.4 reports each)
    assert len(set(counts)) >= 2, "the display never updated before the end"
    assert "100%" in drawn


def test_quiet_and_non_terminal_runs_draw_nothing(corpus, tmp_path):
    drawn = _under_a_terminal(["extract", str(corpus), "--out", str(tmp_path / "q"), "--workers", "1", "--quiet",
                               "--no-link"])
    assert "reports/s" not in drawn and "rows" not in drawn
    piped = subprocess.run([sys.executable, "-m", "extractor", "extract", str(corpus), "--out", str(tmp_path / "n"),
                            "--workers", "1", "--no-link"], capture_output=True, text=True, timeout=600)
    assert piped.returncode == 0, piped.stderr[-2000:]
    assert "ETA" not in piped.stderr and "━" not in piped.stderr
    assert "reports" in piped.stdout  # the summary still reaches a pipe


def test_audit_shows_patient_cards_done_under_a_terminal(corpus, tmp_path):
    out = tmp_path / "linked"
    _under_a_terminal(["extract", str(corpus), "--out", str(out), "--workers", "1", "-q"])
    drawn = _under_a_terminal(["audit", str(out), "--input", str(corpus)])
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) patients ", drawn)]
    assert "patients/s" in drawn and "100%" in drawn and counts and max(counts) >= 100
    quiet = _under_a_terminal(["audit", str(out), "--input", str(corpus), "-q"])
    assert "patients/s" not in quiet
