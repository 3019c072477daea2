"""DIR/audit.html: self-contained, no external reference, escaped report text, atomic private write,
graceful without patients or texts."""
import html as html_lib
import json
import re
import stat
from html.parser import HTMLParser

import pandas as pd
import pytest

from extractor.audit import build_audit, load_audit_data
from extractor.audit.render import json_for_script, unpack_cards
from extractor.audit.safety import external_references, literal_urls, scan

PAYLOAD = re.compile(r'<script type="application/json" id="audit-data">(.*?)</script>', re.S)


def payload(html: str) -> dict:
    data = json.loads(PAYLOAD.search(html).group(1))
    data["cards"] = unpack_cards(data)
    return data


def built(directory, **kwargs) -> str:
    build_audit(load_audit_data(directory, **kwargs))
    return (directory / "audit.html").read_text(encoding="utf-8")


@pytest.fixture
def page(linked) -> str:
    return built(linked)


def test_the_page_is_one_file_with_no_external_reference(page):
    assert external_references(page) == []
    for card in payload(page)["cards"]:
        assert external_references(card) == []


def test_the_page_contains_no_url_at_all(page):
    assert literal_urls(page) == []
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?//""", page, re.I)


def test_only_our_two_scripts_and_a_strict_content_security_policy(page):
    scripts = [attrs for tag, attrs in scan(page).tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "audit-data"}, {}]
    csp = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_the_page_says_it_contains_patient_text(page):
    assert "Contains patient text" in page


def test_images_are_inline_png(page):
    imgs = [attrs["src"] for tag, attrs in scan(page).tags if tag == "img"]
    assert len(imgs) == 3
    assert all(src.startswith("data:image/png;base64,") for src in imgs)


def test_cohort_tables_and_flow_are_present(page):
    assert 'id="flow-yoon2011_dmo"' in page and 'id="pattern-table"' in page and 'id="definition-table"' in page
    assert "Diffuse microcalcifications only (Yoon 2011)" in page


def test_every_patient_has_a_card_with_highlights_and_definitions(page, linked):
    data = payload(page)
    patients = pd.read_csv(linked / "patients.csv", dtype=str)
    assert [p["id"] for p in data["index"]] == list(patients["patient_id"])
    card = data["cards"][0]
    assert 'class="m lab-MICROCALCIFICATION st-affirmed"' in card
    assert "st-negated" in card and 'class="trig trig-negated"' in card
    assert 'class="sec-h"' in card
    assert "meets" in card and "yoon2011_dmo" in card


def test_every_evidence_link_points_to_an_anchor_in_its_card(page):
    for card in payload(page)["cards"]:
        tags = scan(card).tags
        ids = {a["id"] for _, a in tags if "id" in a}
        links = {a["href"][1:] for t, a in tags if t == "a" and a.get("href", "").startswith("#r")}
        assert links <= ids


def test_the_file_is_private_and_written_atomically(linked):
    build_audit(load_audit_data(linked))
    path = linked / "audit.html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(linked.glob(".audit.html.*"))


def test_without_patients_the_page_shows_reports_only(extracted, tmp_path):
    for p in extracted.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    from extractor.knowledge.resources import sample_dir

    data = load_audit_data(tmp_path, sample_dir() / "reports.csv")
    assert data.patients is None and any("patients" in w for w in data.warnings)
    build_audit(data)
    html = (tmp_path / "audit.html").read_text()
    cards = payload(html)["cards"]
    assert len(cards) == pd.read_csv(tmp_path / "reports.csv")["patient_id"].nunique()
    assert "Not linked yet" in cards[0] and 'class="m ' in cards[0]
    assert external_references(html) == [] and literal_urls(html) == []


def test_without_texts_mentions_and_sentences_are_listed(extracted, tmp_path):
    for p in extracted.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    data = load_audit_data(tmp_path)
    assert data.texts is None
    build_audit(data)
    card = payload((tmp_path / "audit.html").read_text())["cards"][0]
    assert "Report text not available" in card and 'class="sent"' in card


def test_a_different_input_file_is_not_highlighted(linked, tmp_path):
    other = pd.read_csv(linked.parent / "run" / "reports.csv", dtype=str)[["report_id", "patient_id", "report_date"]]
    other["report_type"], other["text"] = "US", "completely different words " * 20
    other.to_csv(tmp_path / "other.csv", index=False)
    data = load_audit_data(linked, tmp_path / "other.csv")
    assert data.text_mismatch and any("does not match" in w for w in data.warnings)
    assert all(data.text_of(r) is None for r in data.text_mismatch)


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_xss_battery_renders_as_text(tmp_path, make_cohort):
    directory = make_cohort(6, tmp_path / "xss", xss_every=1)
    html = built(directory)
    assert external_references(html) == []
    assert {t for t, _ in scan(html).tags} & {"iframe", "textarea"} == set()
    data = payload(html)
    for card in data["cards"]:
        assert "<script" not in card and "<iframe" not in card and "<textarea" not in card
        assert "&lt;script&gt;document.title" in card
        assert "&lt;img src=x onerror=" in card
        parser = Tags()
        parser.feed(card)
        for tag, attrs in parser.tags:
            assert tag not in {"script", "img", "iframe", "textarea", "style"}
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            assert not any("javascript:" in (v or "") for v in attrs.values())
    # the only <script> elements of the page are ours, also when the JSON is read as HTML
    assert html.count("<script") == 2
    assert "</textarea>" not in html and "</script>" not in PAYLOAD.search(html).group(1)


def test_large_pages_store_cards_compressed_and_they_read_back(linked):
    from extractor.audit.render import render_page

    data = load_audit_data(linked)
    plain, _ = render_page(data, compress=False)
    packed, _ = render_page(data, compress=True)
    assert len(packed) < len(plain) / 2
    raw = json.loads(PAYLOAD.search(packed).group(1))
    assert all(isinstance(c, str) and re.fullmatch(r"[A-Za-z0-9+/=]*", c) for c in raw["chunks"])
    assert payload(packed)["cards"] == payload(plain)["cards"]


def test_json_for_script_cannot_close_the_element():
    text = str(json_for_script({"x": "</script><!--<script>", "y": "a\u2028b&"}))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"x": "</script><!--<script>", "y": "a\u2028b&"}


def test_xss_text_fixture_is_what_we_think(xss_text):
    assert "<script>" in xss_text and "onerror" in xss_text and "</textarea>" in xss_text


def test_a_definition_title_with_dollar_signs_is_drawn_as_text():
    """matplotlib reads "$...$" as mathtext: an unbalanced or bad expression raised at draw time."""
    from extractor.audit.cohort import Rate
    from extractor.audit.plots import rate_plot

    for title in ("Costs $5 or $\\frac{", "TI-RADS $x^$ (bad mathtext)", "A $\\undefinedcmd$ here", "$\\frac{$"):
        plot = rate_plot([Rate(title, 10, 3, 5)])
        assert plot is not None and plot.uri.startswith("data:image/png;base64,")
