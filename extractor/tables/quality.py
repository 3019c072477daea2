"""Input-quality checks on one report (no spaCy): flags that travel with the report instead of dropping it."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(r"\{\\rtf|\\par\b|\\f\d|<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?>|&(nbsp|amp|lt|gt|#\d+);")
LONG_TEXT = 100_000

DATE_STATUSES = ("ok", "missing", "unparseable", "future")
INPUT_FLAGS = ("replacement_characters", "control_characters", "markup", "long_text", "invisible_characters_in_id")


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


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?$")


ISO = "iso"  # the default --date-format


def parse_date(value, fmt: str | None = None) -> date | None:
    """The one date parser of radpath (reports' ``report_date_status`` and patient linking both use it).

    ``fmt`` None or ``iso``: ``YYYY-MM-DD``, optionally followed by ``T`` or a space and a time
    (``2024-01-02T10:30:00+01:00``); the day is the date as written (a time zone never moves it to another day).
    Anything else - ``20240102``, ``02/01/2024``, year ``0000``, 31 February - is ``None`` (unparseable).
    Another ``fmt`` is a ``strptime`` format for the input's dates (``--date-format %m/%d/%Y``); a time after the
    date (after a space) is ignored."""
    text = str(value or "").strip()
    if fmt not in (None, "", ISO):
        for candidate in (text, text.split(" ", 1)[0]):
            try:
                parsed = datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
            return parsed if parsed.year >= 1 else None
        return None
    match = _ISO_DAY.match(text)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # month 13, 31 February, year 0
        return None


_SLASHED = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})(?:[ T].*)?$")


def detect_date_format(values) -> tuple[str, str]:
    """``--date-format auto``: (format, why) for an archive's date texts. ISO dates need nothing; day/month/year
    texts (``/``, ``.`` or ``-``) are day-first when some first number is over 12, month-first when some second
    number is; an archive that has both, or neither (every such date reads both ways), raises ValueError with the
    counts, so the user says which with --date-format."""
    day_first = month_first = slashed = 0
    separators = set()
    for value in values:
        match = _SLASHED.match(str(value or "").strip())
        if match is None:
            continue
        slashed += 1
        separators.add(match[2])
        first, second = int(match[1]), int(match[3])
        day_first += first > 12
        month_first += second > 12
    if not slashed:
        return ISO, "no day/month/year dates: ISO"
    if len(separators) > 1:
        raise ValueError(f"{slashed} day/month/year dates mix separators {sorted(separators)}")
    sep = separators.pop()
    if day_first and month_first:
        raise ValueError(f"{day_first} dates read only day-first and {month_first} only month-first")
    if day_first:
        return f"%d{sep}%m{sep}%Y", f"day-first: {day_first} of {slashed} dates have a first number over 12"
    if month_first:
        return f"%m{sep}%d{sep}%Y", f"month-first: {month_first} of {slashed} dates have a second number over 12"
    raise ValueError(f"all {slashed} day/month/year dates read both ways (day and month both 12 or less)")


def date_status(value, *, today: date | None = None, fmt: str | None = None) -> str:
    """ok | missing | unparseable | future. Reports with a status other than ok are kept but never linked."""
    if not str(value or "").strip():
        return "missing"
    parsed = parse_date(value, fmt)
    if parsed is None:
        return "unparseable"
    if parsed > (today or date.today()):
        return "future"
    return "ok"


# -- ids -----------------------------------------------------------------------------------------------------------
_BAD_ID = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def id_problem(value: str) -> str | None:
    """Why an id cannot be used, or None: a NUL or other control character, or an undecodable byte (read as
    U+FFFD). Such ids would merge with, or shadow, the id without the byte, so the row goes to errors."""
    found = _BAD_ID.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL byte"
    if char == "\ufffd":
        return "contains an undecodable byte (invalid UTF-8) or U+FFFD"
    return f"contains the control character U+{ord(char):04X}"


def has_invisible(value: str) -> bool:
    """Zero-width and other invisible characters (Unicode format characters such as U+200B, U+FEFF, U+200E, and
    any space other than the ASCII space) inside an id: the id is kept as written but flagged, because it looks
    like another id that lacks them."""
    return any(c != " " and (unicodedata.category(c) in _INVISIBLE or c.isspace()) for c in value)


_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"}
