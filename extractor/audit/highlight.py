"""Offsets on the raw report text -> escaped, nested HTML.

The text is never inserted into HTML as a whole: it is cut at span boundaries and every piece is escaped with
markupsafe. Spans may nest or overlap (a negation trigger inside a mention, a cue shared by two mentions); a span
that crosses the end of an enclosing one is closed and reopened, so the markup is always well formed. Only the
first piece of a span carries its ``id`` (the anchor evidence links point to).
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup, escape

_CLASS_OK = re.compile(r"[^A-Za-z0-9_-]")
# outer layers open first when spans start at the same character and end together
LAYER_SECTION, LAYER_MENTION, LAYER_CUE, LAYER_TRIGGER = 0, 1, 2, 3


def css_token(value: str) -> str:
    """A value made safe to use as a CSS class or an id fragment (letters, digits, '_' and '-' only)."""
    return _CLASS_OK.sub("_", str(value))


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    classes: tuple[str, ...] = ()
    title: str = ""
    id: str = ""
    layer: int = LAYER_MENTION
    data: tuple[tuple[str, str], ...] = field(default=())


def _open(span: Span, *, first: bool) -> str:
    parts = ['<span class="', " ".join(css_token(c) for c in span.classes), '"']
    if first and span.id:
        parts += [' id="', str(escape(css_token(span.id))), '"']
    if span.title:
        parts += [' title="', str(escape(span.title)), '"']
    for key, value in span.data:
        parts += [" data-", css_token(key), '="', str(escape(value)), '"']
    if not first:
        parts.append(' data-cont="1"')
    parts.append(">")
    return "".join(parts)


def valid_spans(text: str, spans) -> tuple[list[Span], list[Span]]:
    """(spans inside the text with start < end, the rest)."""
    good, bad = [], []
    for s in spans:
        (good if 0 <= s.start < s.end <= len(text) else bad).append(s)
    return good, bad


def highlight(text: str, spans) -> Markup:
    """The text as HTML with every span wrapped in ``<span class=...>``; pieces of text are escaped one by one.

    Spans outside the text (or empty) are dropped: callers check ``valid_spans`` if they need to report them.
    """
    spans, _ = valid_spans(text, spans)
    starts: dict[int, list[Span]] = defaultdict(list)
    for s in spans:
        starts[s.start].append(s)
    points = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    out: list[str] = []
    stack: list[Span] = []
    for i, point in enumerate(points):
        if any(s.end == point for s in stack):
            reopen = []
            while any(s.end == point for s in stack):
                top = stack.pop()
                out.append("</span>")
                if top.end != point:
                    reopen.append(top)
            for s in reversed(reopen):
                out.append(_open(s, first=False))
                stack.append(s)
        for s in sorted(starts.get(point, ()), key=lambda s: (-s.end, s.layer)):
            out.append(_open(s, first=True))
            stack.append(s)
        if i + 1 < len(points):
            out.append(str(escape(text[point:points[i + 1]])))
    out.extend("</span>" for _ in stack)
    return Markup("".join(out))
