"""Checks that an audit page refers to nothing outside itself. Used by the tests; cheap enough to run on demand.

An external reference is any URL-bearing attribute (src, href, action, srcset, ...) or CSS url() / @import whose
target is not a fragment (#...) or a data: URI. Text that merely reads like a URL is not a reference (a report may
quote one); `literal_urls` finds those separately. :func:`terminal_safe` does the same job for `radpath explain`:
no report or id can send a terminal escape sequence."""
from __future__ import annotations

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "srcset", "poster", "data", "background",
                  "cite", "longdesc", "manifest", "ping", "codebase", "archive", "lowsrc", "dynsrc", "icon"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)|@import\s+['\"]?([^'\";\s]*)", re.I)
LITERAL_URL = re.compile(r"(?:https?|ftp|wss?)://|(?<![:\w])//[a-z0-9.-]+\.[a-z]{2,}", re.I)


def _internal(target: str) -> bool:
    target = target.strip()
    return target.startswith("#") or target.lower().startswith("data:") or target == ""


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = {k.lower(): (v or "") for k, v in attrs}
        self.tags.append((tag, values))
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                for part in (value.split(",") if name == "srcset" else [value]):
                    target = part.strip().split(" ")[0]
                    if not _internal(target):
                        self.found.append(f"<{tag} {name}={value[:80]!r}>")
            if name == "style":
                self._css(value, tag)
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self._css(data, "style")

    def _css(self, css: str, where: str) -> None:
        for m in CSS_URL.finditer(css):
            target = m.group(1) if m.group(1) is not None else m.group(2)
            if not _internal(target or ""):
                self.found.append(f"{where}: css {m.group(0)[:80]!r}")


def scan(html: str) -> _Scanner:
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner


def external_references(html: str) -> list[str]:
    """Every attribute or CSS reference in ``html`` that points outside the page."""
    return scan(html).found


def literal_urls(text: str) -> list[str]:
    """Anything that reads like an absolute or scheme-relative URL, anywhere in the text."""
    return [m.group(0) for m in LITERAL_URL.finditer(text)]


# -- the terminal ------------------------------------------------------------------------------------------------
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_TERMINAL_SAFE = {**{c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)},  # C0 -> its control picture
                  0x7F: 0x2421, **{c: 0xFFFD for c in range(0x80, 0xA0)}, **{c: 0xFFFD for c in _BIDI}}


def terminal_safe(text: str) -> str:
    """``text`` with every character a terminal acts on made visible - C0 controls (ESC, CR, BEL, backspace...)
    as their control pictures (ESC -> U+241B), DEL, C1 controls and bidirectional overrides as U+FFFD - one
    character for one, so offsets into the text still hold. Tabs and newlines are kept."""
    return text.translate(_TERMINAL_SAFE)
