"""One run per output directory, and output sets that are whole: the previous set or the new one, never a mix."""
from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.run.stream import Spool
from extractor.tables.files import (
    LOCK_NAME,
    STAGING_NAME,
    DiskFullError,
    OutputDirBusy,
    atomic_write_text,
    output_lock,
    output_set,
)
from extractor.tools.synth import generate, write_corpus

TABLES = ("reports", "mentions", "errors", "patients", "links")


def _command(corpus, out, *extra):
    return [sys.executable, "-m", "extractor", "extract", str(corpus), "--out", str(out), "--workers", "1",
            "--chunk-size", "20", *extra]


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def _tables(directory: Path) -> dict[str, bytes]:
    return {name: data for name, data in _snapshot(directory).items() if name.endswith(".csv")}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sets")
    big = write_corpus(generate(300, seed=11), directory / "big.csv")
    small = write_corpus(generate(40, seed=12), directory / "small.csv")
    return big, small


@pytest.fixture(scope="module")
def clean(corpora, tmp_path_factory):
    """Uninterrupted runs of each corpus, alone in a fresh directory."""
    outs = {}
    for corpus in corpora:
        out = tmp_path_factory.mktemp("clean")
        done = subprocess.run(_command(corpus, out, "-q"), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        outs[corpus.stem] = out
    return outs


# -- the lock ----------------------------------------------------------------------------------------------------
def test_a_second_run_into_the_same_directory_refuses_and_the_first_is_intact(corpora, clean, tmp_path):
    big, small = corpora
    out = tmp_path / "out"
    first = subprocess.Popen(_command(big, out, "-q"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list((out / Spool.NAME).glob("chunk-*.done")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, first.stderr.read()
    second = subprocess.run(_command(small, out), capture_output=True, text=True, timeout=300)
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert second.returncode == 2
    message = second.stderr.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert f"is in use by another radpath run (pid {first.pid} on host {socket.gethostname()}, started" in message
    assert "command: radpath extract" in message and str(big) in message
    assert _tables(out) == _tables(clean["big"])  # the first run's output, nothing of the second's
    assert json.loads((out / "manifest.json").read_text())["inputs"][0]["path"] == str(big)
    assert not (out / LOCK_NAME).exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_stale_lock_is_taken_over(corpora, clean, tmp_path, caplog):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"pid": _dead_pid(), "host": socket.gethostname(),
                                             "started": "2026-01-01T00:00:00+00:00", "command": "radpath extract x"}))
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "taking over the lock" in caplog.text
    assert _tables(out) == _tables(clean["small"])
    assert not (out / LOCK_NAME).exists()


def test_a_lock_from_another_host_is_respected(corpora, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).write_text(json.dumps({"pid": 1, "host": "elsewhere.example", "started": "2026-01-01",
                                             "command": "radpath extract x"}))
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 2
    assert "on host elsewhere.example" in result.output and f"delete {out / LOCK_NAME}" in result.output
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]


def test_a_live_lock_in_this_process_names_the_run(tmp_path):
    with output_lock(tmp_path):
        pid = os.fork()
        if pid == 0:  # another process: refused
            try:
                with output_lock(tmp_path):
                    os._exit(1)
            except OutputDirBusy as e:
                os._exit(0 if f"pid {os.getppid()}" in str(e) else 3)
        assert os.waitpid(pid, 0)[1] == 0
    assert not (tmp_path / LOCK_NAME).exists()


# -- whole sets --------------------------------------------------------------------------------------------------
def test_a_bad_definitions_file_fails_before_reading_and_leaves_the_previous_set(corpora, clean, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean["big"], out)
    before = _snapshot(out)
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\ntitle = "t"\n[criteria]\nnot_a_field = "yes"\n')
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q",
                                      "--definitions", str(bad)])
    assert result.exit_code != 0 and result.output.startswith("Error: ")
    assert _snapshot(out) == before
    assert not (out / Spool.NAME).exists() and not (out / STAGING_NAME).exists()


def test_a_bad_linking_config_fails_before_reading_and_leaves_the_previous_set(corpora, clean, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean["big"], out)
    before = _snapshot(out)
    bad = tmp_path / "linking.toml"
    bad.write_text("this is = = not toml\n")
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q",
                                      "--linking-config", str(bad)])
    assert result.exit_code != 0 and result.output.startswith("Error: ")
    assert _snapshot(out) == before


def test_a_reused_directory_keeps_no_stale_table(corpora, clean, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(clean["big"], out)
    (out / "note_nlp.csv").write_text("note_nlp_id\n1\n")  # as an earlier --omop run leaves it
    (out / "audit.html").write_text("<html>an earlier run's page</html>")
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q",
                                      "--no-link"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f"{t}.{e}" for t in ("reports", "mentions", "errors", "nodules") for e in ("csv", "parquet")]
                           + ["manifest.json"])
    assert (out / "reports.csv").read_bytes() == (clean["small"] / "reports.csv").read_bytes()


def test_a_full_disk_at_the_duckdb_step_is_one_error_and_the_previous_set_stays(corpora, clean, tmp_path,
                                                                                monkeypatch):
    import extractor.tables.store as store

    out = tmp_path / "out"
    shutil.copytree(clean["big"], out)
    before = _snapshot(out)

    class FullDisk:
        @staticmethod
        def connect(path, **_):
            raise OSError(errno.ENOSPC, "No space left on device", path)

    monkeypatch.setattr(store, "_duckdb", lambda: FullDisk)
    result = CliRunner().invoke(cli, ["extract", str(corpora[1]), "--out", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert f"Error: {out / 'radpath.duckdb'}: no space left on device" in result.output
    assert f"the previous outputs in {out} are unchanged" in result.output
    assert _snapshot(out) == before
    assert not (out / STAGING_NAME).exists()


def test_a_full_disk_error_crosses_the_worker_boundary():
    error = pickle.loads(pickle.dumps(DiskFullError("/x/y.csv", directory="/x")))
    assert isinstance(error, DiskFullError) and str(error).startswith("/x/y.csv: no space left on device")


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_works(), reason="needs unshare -rm and tmpfs mounts (a private mount namespace)")
def test_a_really_full_disk(corpora, clean, tmp_path):
    """A 3 MB tmpfs: the small corpus fits, the big one does not. One error line naming a path in DIR; the small
    corpus's set is still there, whole."""
    big, small = corpora
    mount, kept = tmp_path / "disk", tmp_path / "kept"
    mount.mkdir()
    script = (f"mount -t tmpfs -o size=3m tmpfs {mount} && "
              f"{' '.join(_command(small, mount / 'out', '-q', '--no-duckdb'))} && "
              f"{' '.join(_command(big, mount / 'out', '-q'))}; echo \"status=$?\" >&2; "
              f"cp -a {mount / 'out'} {kept}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith("status=")]
    assert "status=1" in done.stderr, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith(f"Error: {mount / 'out'}") and "no space left on device" in lines[0]
    assert _tables(kept) == {k: v for k, v in _tables(clean["small"]).items()}
    assert sorted(p.name for p in kept.iterdir() if p.name.startswith(".")) in ([], [Spool.NAME])


def test_a_swap_cut_short_is_finished_by_the_next_run(tmp_path):
    """A run killed between renames: the next run into DIR finishes the swap before it starts."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "reports.csv").write_text("old\n")
    (out / "patients.csv").write_text("old\n")
    with output_set(out) as staged:
        atomic_write_text(staged.path / "reports.csv", "new\n", private=False)
        atomic_write_text(staged.path / "manifest.json", "{}\n", private=False)
        plan = {"files": ["reports.csv", "manifest.json"], "remove": ["patients.csv"], "also_remove": []}
        atomic_write_text(staged.path / "COMMIT", json.dumps(plan), private=True)
        os.replace(staged.path / "reports.csv", out / "reports.csv")  # the kill comes here
        shutil.copytree(staged.path, tmp_path / "left")
    shutil.copytree(tmp_path / "left", out / STAGING_NAME)
    with output_set(out):
        pass
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "reports.csv"]
    assert (out / "reports.csv").read_text() == "new\n"


# -- DuckDB's files ----------------------------------------------------------------------------------------------
def test_duckdb_wal_and_spill_files_are_owner_only_and_gone_after_a_failed_build(tmp_path, monkeypatch):
    import duckdb
    import pandas as pd

    import extractor.tables.store as store

    seen = {}

    class Connection:
        def __init__(self, con, path):
            self.con, self.path = con, Path(path)

        def __getattr__(self, name):
            return getattr(self.con, name)

        def execute(self, sql, *args):
            if sql.startswith("COMMENT ON TABLE"):  # every table written: the WAL holds them all
                seen.update({p.name: p.stat().st_mode & 0o777 for p in self.path.parent.iterdir()})
                raise RuntimeError("killed")
            return self.con.execute(sql, *args)

    class Wrapped:
        @staticmethod
        def connect(path, **kwargs):
            return Connection(duckdb.connect(path, **kwargs), path)

    monkeypatch.setattr(store, "_duckdb", lambda: Wrapped)
    frame = pd.DataFrame({"report_id": [str(i) for i in range(2000)], "text": ["x" * 50] * 2000})
    with pytest.raises(RuntimeError):
        store.write_duckdb(tmp_path, reports=frame, patients=frame)
    assert any(name.endswith(".wal") for name in seen), seen
    assert all(mode & 0o077 == 0 for mode in seen.values()), seen
    assert list(tmp_path.iterdir()) == []


def test_a_killed_runs_duckdb_leftovers_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for name in (".radpath.duckdb.abc123.tmp", ".radpath.duckdb.abc123.tmp.wal", ".reports.csv.xyz.tmp"):
        (out / name).write_text("report text")
    (out / ".radpath.duckdb.abc123.tmp.spill").mkdir()
    (out / STAGING_NAME).mkdir()
    (out / STAGING_NAME / "mentions.csv").write_text("report text")
    with output_set(out):
        pass
    assert list(out.iterdir()) == []


def test_readers_refuse_a_directory_whose_swap_was_cut_short(tmp_path):
    from extractor.errors import InputError
    from extractor.tables.store import read_frame

    out = tmp_path / "out"
    (out / STAGING_NAME).mkdir(parents=True)
    (out / "reports.csv").write_text("report_id\nnew\n")
    (out / "patients.csv").write_text("patient_id\nold\n")  # the earlier run's: not yet removed
    (out / STAGING_NAME / "COMMIT").write_text(json.dumps({"files": ["reports.csv"], "remove": ["patients.csv"]}))
    with pytest.raises(InputError, match="killed while it was being swapped in"):
        read_frame(out, "patients")
    result = CliRunner().invoke(cli, ["cohort", str(out), "--definition", "yoon2011_dmo"])
    assert result.exit_code == 2 and "--resume" in result.output
