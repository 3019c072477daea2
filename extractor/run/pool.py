"""Extraction in worker processes, results in input order: the process pool of extractor.run.job (every run: files,
databases, DataFrames).

Each worker holds one extraction engine (:class:`extractor.run.api.Extractor`, handed in by the caller as ``engine``:
this module imports none of radpath's stages), built once (with the ``fork`` start method the parent builds it and
the workers inherit it). At most 2 x workers tasks are in flight, so memory stays bounded; with one
worker, or an input of a single task, everything runs in this process: starting processes would cost more than
they save.

A worker never outlives this process: on Linux the kernel kills it when its parent dies (``PR_SET_PDEATHSIG``),
and everywhere a watch thread ends it within a second of the parent's death (a worker busy in a long report would
otherwise finish it, and a killed run's workers would hold cores and files for as long as that takes).
"""
from __future__ import annotations

import concurrent.futures as cf
import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Iterable, Iterator

_EXTRACTOR = None


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_WATCH_SECONDS = 0.5


def available_cores() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def init_extractor(patterns: str | None, limits: dict | None = None, engine: Callable[..., Any] | None = None) -> None:
    """Build this process's engine as ``engine(patterns, **limits)`` (``limits``: its per-report budget,
    extractor.run.budget); no engine, none is built (tasks that need none)."""
    global _EXTRACTOR
    _EXTRACTOR = engine(patterns, **(limits or {})) if engine is not None else None


def exit_with_parent(parent_pid: int) -> None:
    """End this (worker) process when ``parent_pid`` is no longer its parent."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watch thread below still ends the worker
            pass

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_WATCH_SECONDS)
        os._exit(1)

    if os.getppid() != parent_pid:  # the parent died before the line above took effect
        os._exit(1)
    threading.Thread(target=watch, name="radpath-parent-watch", daemon=True).start()


def _start_worker(parent_pid: int, patterns: str | None, limits: dict | None, engine, build: bool) -> None:
    exit_with_parent(parent_pid)
    if build:
        init_extractor(patterns, limits, engine)


def extractor():
    """The engine of this process (for task functions running in a worker)."""
    return _EXTRACTOR


def ordered_map(task: Callable, items: Iterable[tuple[tuple, Any]], *, workers: int,
                patterns: str | None, limits: dict | None = None,
                engine: Callable[..., Any] | None = None) -> Iterator[tuple[Any, Any]]:
    """(task(*args), carry) for each (args, carry) of ``items``, in their order. ``task`` must be a module-level
    function (it is sent to the workers); ``carry`` stays in this process. Each process builds its engine as
    ``engine(patterns, **limits)`` (``limits``: keyword arguments such as ``max_seconds_per_report``); ``task``
    reaches it through :func:`extractor`."""
    items = iter(items)
    first = list(itertools.islice(items, 2))
    single = len(first) < 2
    items = itertools.chain(first, items)
    del first
    if workers <= 1 or single:
        init_extractor(patterns, limits, engine)
        for args, carry in items:
            yield task(*args), carry
        return
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods
    if fork:
        init_extractor(patterns, limits, engine)  # built once here; forked workers inherit it
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker,
                                initargs=(os.getpid(), patterns, limits, engine, not fork)) as pool:
        pending: deque = deque()
        try:
            for args, carry in items:
                pending.append((pool.submit(task, *args), carry))
                while len(pending) >= 2 * workers:
                    future, done = pending.popleft()
                    yield future.result(), done
            while pending:
                future, done = pending.popleft()
                yield future.result(), done
        except BaseException:
            for future, _ in pending:
                future.cancel()
            raise
