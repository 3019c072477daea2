"""What never reaches a log, a message or a manifest as it is: report text (never by default: report ids, row
numbers and offsets only; `--log-text` opts in) and the passwords in database URLs (always masked).

The report-text switch is an environment variable so that worker processes, which inherit the environment,
follow it too."""
from __future__ import annotations

import os
import re

LOG_TEXT_ENV = "RADPATH_LOG_TEXT"
EXCERPT_CHARS = 200
MASK = "***"
_SECRET_KEYS = r"(?:password|passwd|pwd|sslpassword|secret|token)"
_SECRET_PARAMS = re.compile(r"(?i)([?&;]" + _SECRET_KEYS + r"=)[^&;]*")
_SECRET_PAIRS = re.compile(r"(?i)((?:^|(?<=\s))" + _SECRET_KEYS + r"\s*=\s*)('(?:[^'\\]|\\.)*'|\"[^\"]*\"|\S*)")


def log_text_enabled() -> bool:
    return os.environ.get(LOG_TEXT_ENV, "") not in ("", "0")


def text_for_log(text: str) -> str:
    """What a log line may say about a report's text: its length, or (opted in) an excerpt."""
    if log_text_enabled():
        return repr(text[:EXCERPT_CHARS]) + (" ..." if len(text) > EXCERPT_CHARS else "")
    return f"<{len(text)} characters; --log-text shows them>"


def mask_url(url) -> str:
    """The URL with its password (and any password= query parameter) replaced by ``***``; safe to print.

    The password may hold any character, raw (``?``, ``/``, ``#``, ``@``, ``:``) or %-encoded: the user information
    runs from after ``scheme://`` to the LAST ``@`` (a host never holds one), so a query string holding an ``@`` is
    masked up to it - more hidden than needed, never less."""
    if url is None:
        return ""
    text = url.render_as_string(hide_password=True) if hasattr(url, "render_as_string") else str(url)
    scheme, sep, rest = text.partition("://")
    if sep:
        at = rest.rfind("@")
        if at >= 0 and ":" in rest[:at]:
            user = rest[:at].split(":", 1)[0]
            rest = f"{user}:{MASK}{rest[at:]}"
        text = f"{scheme}{sep}{rest}"
    text = _SECRET_PARAMS.sub(lambda m: m.group(1) + MASK, text)
    return _SECRET_PAIRS.sub(lambda m: m.group(1) + MASK, text)
