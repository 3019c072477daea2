"""Input-quality checks on one report (no spaCy): flags that travel with the report instead of dropping it."""
from __future__ import annotations

import re
from datetime import date, datetime

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"\{\\rtf|\\par\b|\\f\d|<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?>|&(nbsp|amp|lt|gt|#\d+);")
LONG_TEXT = 100_000

DATE_STATUSES = ("ok", "missing", "unparseable", "future")
INPUT_FLAGS = ("replacement_characters", "control_characters", "markup", "long_text")


def input_flags(text: str) -> list[str]:
    """Which of INPUT_FLAGS apply: undecodable bytes replaced, binary junk, RTF/HTML remnants, a very long text."""
    flags = []
    if "\ufffd" in text:
        flags.append("replacement_characters")
    if _CONTROL.search(text):
        flags.append("control_characters")
    if _MARKUP.search(text):
        flags.append("markup")
    if len(text) > LONG_TEXT:
        flags.append("long_text")
    return flags


def parse_date(value: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def date_status(value: str, *, today: date | None = None) -> str:
    """ok | missing | unparseable | future. Reports with a status other than ok are kept but not linked by date."""
    if not (value or "").strip():
        return "missing"
    parsed = parse_date(value)
    if parsed is None:
        return "unparseable"
    if parsed > (today or date.today()):
        return "future"
    return "ok"
