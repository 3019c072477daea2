"""Report text in logs: never by default (report ids, row numbers and offsets only); `--log-text` opts in.

The switch is an environment variable so that worker processes, which inherit the environment, follow it too."""
from __future__ import annotations

import os

LOG_TEXT_ENV = "RADPATH_LOG_TEXT"
EXCERPT_CHARS = 200


def log_text_enabled() -> bool:
    return os.environ.get(LOG_TEXT_ENV, "") not in ("", "0")


def text_for_log(text: str) -> str:
    """What a log line may say about a report's text: its length, or (opted in) an excerpt."""
    if log_text_enabled():
        return repr(text[:EXCERPT_CHARS]) + (" ..." if len(text) > EXCERPT_CHARS else "")
    return f"<{len(text)} characters; --log-text shows them>"
