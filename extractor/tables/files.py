"""Atomic output files and output sets. No spaCy here; every module that writes a table or a page uses these.

- :func:`atomic_write`: one file, written aside and renamed into place, so it appears complete or not at all;
  a full disk is one :class:`DiskFullError` naming the file.
- :func:`output_set`: one run per output directory (DIR/.radpath.lock names the run; a lock whose run is gone is
  taken over) and the whole output set written aside and swapped in at the end (:class:`OutputSet`).
"""
from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import re
import shutil
import socket
import sys
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from ..errors import RadpathError
from ..privacy import mask_url
from .typed import typed_frame

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600  # files holding report text are readable by the owner only
PUBLIC_MODE = 0o644


def atomic_write(path: str | os.PathLike, write: Callable[[str], None], *, private: bool) -> Path:
    """Call ``write(temporary_path)``, set the file mode, then rename the file onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as e:
        if is_disk_full(e):
            raise DiskFullError(path) from None
        raise
    try:
        write(tmp)
        os.chmod(tmp, PRIVATE_MODE if private else PUBLIC_MODE)
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if not isinstance(e, DiskFullError) and is_disk_full(e):
            raise DiskFullError(path) from None
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, private: bool) -> Path:
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), private=private)


# -- spreadsheet formulas ----------------------------------------------------------------------------------------
CSV_SAFE_ENV = "RADPATH_CSV_SAFE"  # "1": CSV cells a spreadsheet would run as a formula get a leading '
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_safe() -> bool:
    return os.environ.get(CSV_SAFE_ENV, "") == "1"


def _defused(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as its CSV is written: with ``--csv-safe`` ($RADPATH_CSV_SAFE=1) every text cell that starts
    like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) and is not a plain number gets
    a leading ``'``, so Excel, LibreOffice and Sheets show it as text instead of running it. Parquet and DuckDB
    always keep the value as it was."""
    if not csv_safe() or not len(frame):
        return frame
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_defused)
    return out


def write_table(frame: pd.DataFrame, directory: str | os.PathLike, name: str, *, private: bool = False) -> list[Path]:
    """Write ``name.csv`` (text, as the stages pass it) and ``name.parquet`` (typed columns: extractor.tables.typed)
    atomically."""
    directory = Path(directory)
    return [
        atomic_write(directory / f"{name}.csv", lambda tmp: csv_cells(frame).to_csv(tmp, index=False),
                     private=private),
        atomic_write(directory / f"{name}.parquet", lambda tmp: typed_frame(frame).to_parquet(tmp, index=False),
                     private=private),
    ]


# -- full disk ---------------------------------------------------------------------------------------------------
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DISK_FULL_TEXT = ("no space left on device", "disk quota exceeded", "file too large")


class DiskFullError(RadpathError):
    """The disk (or quota) filled up while writing ``path``; the previous outputs are unchanged."""

    exit_code = 1

    def __init__(self, path: str | os.PathLike, *, directory: str | os.PathLike | None = None):
        self.path, self.directory = str(path), str(directory) if directory is not None else None
        where = f"; the previous outputs in {self.directory} are unchanged" if self.directory else ""
        super().__init__(f"{self.path}: no space left on device (or quota exceeded){where}. Free some space and run "
                         "the same command again (with --resume to keep the finished chunks)")

    def __reduce__(self):  # workers raise it; it must cross the process boundary intact
        return _disk_full, (self.path, self.directory)


def _disk_full(path, directory):
    return DiskFullError(path, directory=directory)


def is_disk_full(error: BaseException) -> bool:
    """True for ENOSPC / EDQUOT / EFBIG, whoever raised it (the OS, pyarrow, DuckDB: some give only a message)."""
    if isinstance(error, DiskFullError):
        return True
    if isinstance(error, OSError) and error.errno in _DISK_FULL_ERRNOS:
        return True
    return any(text in str(error).lower() for text in _DISK_FULL_TEXT)


# -- one run per output directory --------------------------------------------------------------------------------
LOCK_NAME = ".radpath.lock"
STAGING_NAME = ".radpath-staging"
COMMIT_NAME = "COMMIT"
OWN_TABLES = ("reports", "mentions", "errors", "patients", "links", "note_nlp", "note_nlp_ids")
OWN_OUTPUTS = tuple(f"{t}.{e}" for t in OWN_TABLES for e in ("csv", "parquet")) + (
    "radpath.duckdb", "manifest.json", "audit.html")  # what a run of radpath writes to DIR (manifest.json last)


class OutputDirBusy(RadpathError):
    """Another radpath run is writing to the same output directory."""

    exit_code = 2


def _process_start(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot (Linux), to tell a reused pid from the original."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 and fields[0] != "Z" else "zombie"


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    now = _process_start(pid)
    if now == "zombie":  # killed, not yet reaped by its parent
        return False
    return start is None or now is None or now == start


def _command_line() -> str:
    return " ".join(mask_url(a) if "://" in a or "=" in a else a for a in ["radpath", *sys.argv[1:]])[:500]


_HELD: dict[tuple[int, str], int] = {}  # (pid, directory) held -> depth (run_extract inside extract_file); the
# pid, because a forked child inherits this dict but not the lock


@contextmanager
def _guard(directory: Path) -> Iterator[None]:
    """A brief exclusive flock on the directory itself, around reading and writing the lock file (two runs that
    both find a stale lock cannot both take it over). The kernel drops it if the process dies."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as e:  # a file system without flock (some network mounts): the lock file alone
            log.debug("%s: no flock (%s)", directory, e)
        yield
    finally:
        os.close(fd)


def _read_lock(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


@contextmanager
def output_lock(directory: str | os.PathLike) -> Iterator[Path]:
    """Hold DIR/.radpath.lock for the duration: the pid, host, start time and command of this run. Another run
    into DIR is refused with an OutputDirBusy naming this one; a lock left by a run that is gone (same host, pid no
    longer running) is taken over, with a log line."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = (os.getpid(), str(directory.resolve()))
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield directory / LOCK_NAME
        finally:
            _HELD[key] -= 1
        return
    lock = directory / LOCK_NAME
    host = socket.gethostname()
    with _guard(directory):
        other = _read_lock(lock) if lock.exists() else None
        if other is not None:
            pid, start = other.get("pid"), other.get("pid_start")
            same_host = other.get("host") == host
            if not (same_host and isinstance(pid, int) and not _alive(pid, start)):
                described = (f"pid {other.get('pid', '?')} on host {other.get('host', '?')}, started "
                             f"{other.get('started', '?')}, command: {other.get('command', '?')}")
                hint = ("wait for it to finish or write to another directory" if same_host else
                        f"if it is no longer running on {other.get('host', '?')}, delete {lock}")
                raise OutputDirBusy(f"{directory} is in use by another radpath run ({described}); {hint}")
            log.warning("%s: taking over the lock of radpath run pid %s (started %s), which is no longer running",
                        directory, pid, other.get("started", "?"))
        info = {"pid": os.getpid(), "pid_start": _process_start(os.getpid()), "host": host,
                "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "command": _command_line()}
        atomic_write_text(lock, json.dumps(info, indent=1) + "\n", private=False)
    _HELD[key] = 1
    try:
        yield lock
    finally:
        del _HELD[key]
        with _guard(directory):
            if _read_lock(lock).get("pid") == os.getpid():
                lock.unlink(missing_ok=True)


# -- atomic output sets ------------------------------------------------------------------------------------------
class OutputSet:
    """The whole output set of a run, written into DIR/.radpath-staging/ (owner-only) and swapped into DIR by
    :meth:`commit`, so DIR holds the previous set or the new one, never a mixture of both.

    :meth:`commit` first writes ``COMMIT`` (the files of the new set and radpath's outputs to remove: tables of
    an earlier run that this one does not write, such as ``patients`` after ``--no-link``), then renames each file
    into DIR and removes the rest. A run killed during the swap is finished by the next run into DIR (any
    command that takes the lock). A staging directory without ``COMMIT`` is a failed run's and is deleted."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / STAGING_NAME
        self.also_remove: list[Path] = []  # removed after the swap (e.g. the spool of finished chunks)

    def begin(self) -> "OutputSet":
        recover(self.directory)
        self.path.mkdir(mode=0o700)
        return self

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def commit(self) -> list[Path]:
        files = sorted(p.name for p in self.path.iterdir() if p.is_file() and not p.name.startswith("."))
        files.sort(key=lambda name: name == "manifest.json")  # the manifest last
        plan = {"files": files, "remove": [n for n in OWN_OUTPUTS if n not in files],
                "also_remove": [str(p) for p in self.also_remove]}
        atomic_write_text(self.path / COMMIT_NAME, json.dumps(plan), private=True)
        _fsync_dir(self.path)
        _swap(self.directory, self.path, plan)
        return [self.directory / name for name in files]


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # not every file system lets a directory be synced
        pass


def _swap(directory: Path, staging: Path, plan: dict) -> None:
    """Move the staged files into DIR, remove radpath's stale outputs and the staging directory (idempotent)."""
    for name in plan["files"]:
        if (staging / name).exists():
            os.replace(staging / name, directory / name)
    for name in plan["remove"]:
        (directory / name).unlink(missing_ok=True)
    for extra in plan.get("also_remove", []):
        shutil.rmtree(extra, ignore_errors=True)
    _fsync_dir(directory)
    shutil.rmtree(staging, ignore_errors=True)


def recover(directory: str | os.PathLike) -> str | None:
    """Clean up what a crashed run left in DIR (call with the lock held): finish a committed swap, delete an
    uncommitted staging directory and orphaned temporary files of radpath's outputs (DuckDB's WAL and temp
    directory included). Returns what was done, or None."""
    directory = Path(directory)
    staging = directory / STAGING_NAME
    done = None
    if staging.is_dir():
        plan = None
        if (staging / COMMIT_NAME).is_file():
            try:
                plan = json.loads((staging / COMMIT_NAME).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                plan = None
        if plan is not None:
            _swap(directory, staging, plan)
            done = "finished the output swap of an interrupted run"
        else:
            shutil.rmtree(staging, ignore_errors=True)
            done = "removed the partial outputs of a failed run"
    for name in OWN_OUTPUTS:
        for orphan in directory.glob(f".{name}.*.tmp*"):  # atomic_write's temporary files (+ DuckDB's .wal, .spill/)
            if orphan.is_dir():
                shutil.rmtree(orphan, ignore_errors=True)
            else:
                orphan.unlink(missing_ok=True)
            done = done or "removed temporary files of a failed run"
    if done:
        log.info("%s: %s", directory, done)
    return done


def _final_name(path: Path, staging: Path, directory: Path) -> Path:
    """DIR/name for a file being written in the staging directory (what the user knows it by)."""
    try:
        return directory / path.relative_to(staging)
    except ValueError:
        return path


@contextmanager
def output_set(directory: str | os.PathLike) -> Iterator[OutputSet]:
    """Lock DIR, clean up after a crashed run, and give an OutputSet to write into; the caller calls
    ``commit()`` when every file is written. On any error the staged files are deleted and DIR is unchanged;
    a full disk becomes one DiskFullError naming the file and DIR."""
    directory = Path(directory)
    with output_lock(directory):
        staged = OutputSet(directory).begin()
        try:
            yield staged
        except BaseException as e:
            if is_disk_full(e):
                path = getattr(e, "path", None) or getattr(e, "filename", None) or staged.path
                raise DiskFullError(_final_name(Path(path), staged.path, directory), directory=directory) from None
            raise
        finally:
            staged.discard()
