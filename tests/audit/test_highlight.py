"""Offsets on the raw text -> escaped HTML: every piece escaped, markup well formed, ids on first pieces only."""
import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.audit.highlight import (
    LAYER_MENTION,
    LAYER_TRIGGER,
    Span,
    css_token,
    highlight,
)

TAG = re.compile(r"<[^>]*>")


def visible_text(markup: str) -> str:
    return html.unescape(TAG.sub("", str(markup)))


class Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth, self.tags, self.ok = 0, [], True

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1
        self.ok &= self.depth >= 0


def parse(markup):
    p = Balance()
    p.feed(str(markup))
    p.close()
    return p


def test_plain_text_is_escaped():
    out = highlight("a < b & c > d \"q\" 'r'", [])
    assert str(out) == "a &lt; b &amp; c &gt; d &#34;q&#34; &#39;r&#39;"


def test_a_mention_wraps_exactly_its_offsets():
    text = "no <b>mass</b> seen"
    start = text.index("mass")
    out = str(highlight(text, [Span(start, start + 4, ("m", "lab-NODULE"), "NODULE", id="r1-m0")]))
    assert out == 'no &lt;b&gt;<span class="m lab-NODULE" id="r1-m0" title="NODULE">mass</span>&lt;/b&gt; seen'


@pytest.mark.parametrize("payload", [
    '<script>alert(1)</script>',
    '<img src=x onerror="document.title=\'pwned\'">',
    '</textarea><svg onload=alert(1)>',
    '"><iframe src="javascript:alert(1)">',
    '<!-- --><style>@import "http://evil"</style>',
])
def test_injected_markup_inside_and_around_spans_stays_text(payload):
    text = f"before {payload} after"
    spans = [Span(0, 6, ("m",)), Span(7, 7 + len(payload), ("m",), id="r0-m1"),
             Span(3, 12, ("trig",), layer=LAYER_TRIGGER)]
    out = str(highlight(text, spans))
    assert "<script" not in out and "<img" not in out and "<svg" not in out and "<iframe" not in out
    assert "<style" not in out and "<!--" not in out
    assert visible_text(out) == text
    assert {t for t, _ in parse(out).tags} == {"span"}


def test_titles_and_data_attributes_are_escaped():
    out = str(highlight("abc", [Span(0, 3, ("m",), title='x" onmouseover="alert(1)', data=(("k", "<b>"),))]))
    tags = parse(out).tags
    assert tags == [("span", {"class": "m", "title": 'x" onmouseover="alert(1)', "data-k": "<b>"})]


def test_class_and_id_tokens_are_sanitised():
    out = str(highlight("abc", [Span(0, 3, ('lab-X" onclick="y', "st-a b"), id='r0-m1" autofocus')]))
    (_, attrs), = parse(out).tags
    assert set(attrs) == {"class", "id"}
    assert css_token('a"b c') == "a_b_c"


def test_a_trigger_inside_a_mention_nests():
    text = "without discrete mass"
    spans = [Span(0, 21, ("m",), id="m0"), Span(0, 7, ("trig",), layer=LAYER_TRIGGER)]
    out = str(highlight(text, spans))
    assert out == '<span class="m" id="m0"><span class="trig">without</span> discrete mass</span>'


def test_partial_overlap_is_closed_and_reopened_with_the_id_once():
    text = "abcdefgh"
    spans = [Span(0, 5, ("m",), id="m0", layer=LAYER_MENTION), Span(3, 8, ("trig",), id="t", layer=LAYER_TRIGGER)]
    out = str(highlight(text, spans))
    assert out.count('id="m0"') == 1 and out.count('id="t"') == 1
    assert 'data-cont="1"' in out
    assert visible_text(out) == text
    assert parse(out).ok and parse(out).depth == 0


def test_spans_outside_the_text_are_dropped():
    out = str(highlight("abc", [Span(2, 10, ("m",)), Span(-1, 1, ("m",)), Span(1, 1, ("m",))]))
    assert out == "abc"


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.sampled_from([LAYER_MENTION, LAYER_TRIGGER])), max_size=8)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab <>&\"'/\n=")), max_size=40), raw=spans_strategy)
def test_any_spans_keep_the_text_and_the_markup_well_formed(text, raw):
    spans = [Span(min(a, b), max(a, b), ("m",), id=f"s{i}", layer=layer) for i, (a, b, layer) in enumerate(raw)]
    out = str(highlight(text, spans))
    assert visible_text(out) == text
    p = parse(out)
    assert p.ok and p.depth == 0
    assert {t for t, _ in p.tags} <= {"span"}
    ids = [a["id"] for _, a in p.tags if "id" in a]
    assert len(ids) == len(set(ids))
