"""Extraction of report chunks in worker processes, results in input order: the public
:meth:`extractor.api.Extractor.extract_table` run by a process pool. No spaCy imported here (workers build the
pipeline).

Unlike extractor.runner (whose workers spool a file input's chunks to disk), the tables come back to the parent,
which sends them to a database. At most 2 x workers chunks are in flight, so memory stays bounded; one worker (or a
single chunk) extracts in this process.
"""
from __future__ import annotations

import concurrent.futures as cf
import itertools
import multiprocessing
from collections import deque
from typing import Iterator

_EXTRACTOR = None


def _init(patterns: str | None) -> None:
    global _EXTRACTOR
    from ..api import Extractor

    _EXTRACTOR = Extractor(patterns)


def _extract(table):
    result = _EXTRACTOR.extract_table(table)
    return result.reports, result.mentions, result.errors


def extract_in_order(tables: Iterator, *, workers: int, patterns: str | None) -> Iterator:
    """(table, (reports, mentions, errors)) per ReportTable of ``tables``, in their order."""
    tables = iter(tables)
    first = list(itertools.islice(tables, 2))
    tables = itertools.chain(first, tables)
    if workers <= 1 or len(first) < 2:
        _init(patterns)
        for table in tables:
            yield table, _extract(table)
        return
    methods = multiprocessing.get_all_start_methods()
    fork = "fork" in methods
    if fork:
        _init(patterns)  # built once here; forked workers inherit it
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=None if fork else _init,
                                initargs=() if fork else (patterns,)) as pool:
        pending: deque = deque()
        try:
            for table in tables:
                pending.append((table, pool.submit(_extract, table)))
                while len(pending) >= 2 * workers:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
