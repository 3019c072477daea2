"""Worker processes and what a crash leaves: workers end when their parent is killed; the temporary files of a
killed run are removed by the next run or --resume."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.run.stream import Spool

PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from extractor.run.pool import ordered_map

    OUT = Path(sys.argv[1])

    def task(i):
        (OUT / f"worker-{i}.pid").write_text(str(os.getpid()))
        time.sleep(300)  # a long report
        return i

    if __name__ == "__main__":
        for _ in ordered_map(task, (((i,), i) for i in range(2)), workers=2, patterns=None):
            pass
""")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has exited


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)])
    pids: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while len(pids) < 2 and time.monotonic() < deadline:
            pids = [int(p.read_text()) for p in tmp_path.glob("worker-*.pid") if p.read_text()]
            time.sleep(0.2)
        assert len(pids) == 2, "the workers did not start"
        assert all(_alive(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 60  # generous for a loaded machine; the workers sleep 300 s otherwise
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in pids), "workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in pids:  # the processes this test started, by id
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _input(tmp_path) -> Path:
    rows = pd.DataFrame([{"report_id": f"R{i}", "patient_id": f"P{i}", "report_date": "2020-01-01",
                          "report_type": "US", "text": "Right lobe nodule with microcalcifications."}
                         for i in range(4)])
    path = tmp_path / "in.csv"
    rows.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("resume", [False, True])
def test_temporary_files_of_a_killed_run_are_removed(tmp_path, resume):
    source, out = _input(tmp_path), tmp_path / "out"
    spool = out / Spool.NAME
    spool.mkdir(parents=True)
    leftovers = [out / ".reports.csv.k2j4_x9a.tmp", out / ".manifest.json.abcdefgh.tmp",
                 out / ".radpath.duckdb.0123abcd.tmp", spool / ".chunk-0000000.mentions.parquet.zz9y8x7w.tmp"]
    for path in leftovers:
        path.write_text("partial")
    kept = [out / ".notes.tmp", out / "reports.csv.bak.tmp", out / "mine.csv"]  # not radpath's temp files
    for path in kept:
        path.write_text("the user's")
    args = ["extract", str(source), "--out", str(out), "--no-link", "--no-duckdb", "-q", "--workers", "1"]
    result = CliRunner().invoke(cli, args + (["--resume"] if resume else []), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not [p for p in leftovers if p.exists()]
    assert all(p.read_text() == "the user's" for p in kept)
    assert len(pd.read_csv(out / "reports.csv")) == 4
