"""A live progress display on stderr (rows, reports/s, ETA) for runs and the audit page, or a callback."""
from __future__ import annotations

import sys
import time


class Progress:
    """A live rich progress display on stderr (rows, reports/s, ETA), or nothing; a callable ``progress`` gets row
    counts. ``progress``: None = only when stderr is a terminal, True / False to force it. ``counted`` and ``unit``
    name what is counted ("rows", "reports/s" for a run; "patients", "patients/s" for the audit page)."""

    def __init__(self, progress, *, counted: str = "rows", unit: str = "reports"):
        self.callback = progress if callable(progress) else None
        show = progress if isinstance(progress, bool) else None
        if show is None:
            show = sys.stderr.isatty()
        self.bar = None
        if show:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("[bold]radpath[/bold]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TextColumn("{task.fields[rows]:,} " + counted), TextColumn("{task.fields[rate]:,.0f} " + unit + "/s"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(file=sys.stderr), transient=False,
            )
            self.bar.start()
            self.task = self.bar.add_task("extract", total=1000, rows=0, rate=0.0)
        self.started = time.perf_counter()
        self.rows = 0

    def update(self, rows: int, fraction: float | None = None) -> None:
        """``rows`` more done; ``fraction`` of the input read so far, or None when the total is unknown (a SQL
        query: the bar then shows rows and reports/s without a percentage or ETA)."""
        self.rows += rows
        if self.callback is not None:
            self.callback(rows)
        if self.bar is not None:
            elapsed = max(time.perf_counter() - self.started, 1e-9)
            done = {"total": None} if fraction is None else {"completed": int(fraction * 1000)}
            self.bar.update(self.task, rows=self.rows, rate=self.rows / elapsed, **done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, total=1000, completed=1000)
            self.bar.stop()
