"""Extraction in worker processes, results in input order: one place for the process pool that
extractor.runner (files) and extractor.sqlio (databases) share.

Each worker holds one :class:`extractor.api.Extractor`, built once (with the ``fork`` start method the parent
builds it and the workers inherit it). At most 2 x workers tasks are in flight, so memory stays bounded; with one
worker, or an input of a single task, everything runs in this process: starting processes would cost more than
they save.
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import multiprocessing
from collections import deque
from typing import Any, Callable, Iterable, Iterator

_EXTRACTOR = None


def init_extractor(patterns: str | None) -> None:
    global _EXTRACTOR
    from .api import Extractor

    _EXTRACTOR = Extractor(patterns)


def extractor():
    """The Extractor of this process (for task functions running in a worker)."""
    return _EXTRACTOR


def ordered_map(task: Callable, items: Iterable[tuple[tuple, Any]], *, workers: int,
                patterns: str | None) -> Iterator[tuple[Any, Any]]:
    """(task(*args), carry) for each (args, carry) of ``items``, in their order. ``task`` must be a module-level
    function (it is sent to the workers); ``carry`` stays in this process."""
    items = iter(items)
    first = list(itertools.islice(items, 2))
    single = len(first) < 2
    items = itertools.chain(first, items)
    del first
    if workers <= 1 or single:
        init_extractor(patterns)
        for args, carry in items:
            yield task(*args), carry
        return
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods
    if fork:
        init_extractor(patterns)  # built once here; forked workers inherit it
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=None if fork else init_extractor,
                                initargs=() if fork else (patterns,)) as pool:
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
