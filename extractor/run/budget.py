"""The budget of one report: a ceiling on its length and on the time its extraction may take.

A report past either goes to the errors table (``too_long`` / ``too_slow``) and the run goes on with the next one.
The length is checked before anything else; the time covers the whole pipeline and the report's fields.

The time limit is a ``SIGALRM`` timer (``setitimer``) when extraction runs in a process's main thread, which is
the case both with ``--workers 1`` (this process) and in the pool's worker processes: the running report is
interrupted when its time is up. Elsewhere (a thread of an application calling the library, or a platform without
``setitimer``, or an application that has its own SIGALRM handler) a report is only found too slow once it has
finished; it is still filed as ``too_slow``.

Both limits depend on nothing but the report, so outputs stay the same for any number of workers or chunk size;
``too_slow`` alone depends on the machine, which is why its default is far above what any real report needs.
"""
from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

DEFAULT_MAX_REPORT_CHARS = 100_000  # about 50 pages of text; spaCy itself takes 20 M (extractor.nlp.pipeline)
DEFAULT_MAX_SECONDS_PER_REPORT = 5.0  # a real report takes milliseconds; hostile text is cut off here


class ReportTimeout(BaseException):
    """A report's time is up. A BaseException, so that no ``except Exception`` in a component can swallow it."""


def _can_interrupt() -> bool:
    """A SIGALRM timer is ours to use: a main thread, a platform with setitimer, and no one else's alarm handler."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None))


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`ReportTimeout` in the block once ``seconds`` have passed (None or 0: no limit)."""
    if not seconds:
        yield
        return
    if not _can_interrupt():
        started = time.perf_counter()
        yield
        if time.perf_counter() - started > seconds:
            raise ReportTimeout()
        return
    armed = [True]

    def expire(signum, frame):
        if armed[0]:
            armed[0] = False
            raise ReportTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
