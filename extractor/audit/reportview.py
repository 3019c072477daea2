"""One report as the audit shows it: the text cut into escaped pieces around mentions, their modifier triggers
and attribute cues, and section headers; the extracted fields with links to their evidence mentions."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from markupsafe import Markup

from ..knowledge.ruleset import load_ruleset
from ..nlp.sections import SectionFinder
from .data import ATTRIBUTES, MODIFIERS, AuditData
from .highlight import (
    LAYER_CUE,
    LAYER_MENTION,
    LAYER_SECTION,
    LAYER_TRIGGER,
    Span,
    css_token,
    highlight,
)

log = logging.getLogger(__name__)

# Which report fields the audit lists, per kind (the contract's "which fields a report kind fills").
KIND_FIELDS = {
    "ultrasound": ["microcalcifications", "microcalcification_extent", "microcalcification_clustered",
                   "microcalcification_laterality", "mass", "focal_echogenicity_change"],
    "cytology": ["bethesda_category", "malignancy", "histology", "ptc_subtype", "psammoma_bodies",
                 "lymphocytic_thyroiditis"],
    "surgical_pathology": ["malignancy", "histology", "ptc_subtype", "psammoma_bodies", "tumor_size_mm",
                           "tumor_focality", "lymph_node_metastasis", "extrathyroidal_extension",
                           "mass_in_specimen", "lymphocytic_thyroiditis"],
    "other": [],
}
KIND_SHORT = {"ultrasound": "US", "cytology": "FNA", "surgical_pathology": "SP", "other": "other"}
MOD_SHORT = {"negated": "NEG", "uncertain": "UNC", "historical": "HIST", "hypothetical": "HYP", "family": "FAM"}


@lru_cache(maxsize=1)
def _section_finder():
    """The extractor's own section finder, so the headers shown are the ones the pipeline used. It lives in a
    module that imports spaCy; without it, the audit shows no headers rather than failing."""
    try:
        return SectionFinder(load_ruleset().sections)
    except Exception as e:  # optional nicety: the audit works without headers
        log.warning("section headers not shown: %s", type(e).__name__)
        return None


def section_spans(text: str) -> list[Span]:
    finder = _section_finder()
    if finder is None:
        return []
    spans = []
    for s in finder.find(text):
        if s.header_end > s.start:
            spans.append(Span(s.start, s.header_end, ("sec-h",), f"section {s.name} ({s.rule_id})",
                              layer=LAYER_SECTION, data=(("section", s.name),)))
    return spans


def anchor(rkey: str, mention_index: int) -> str:
    return f"{rkey}-m{mention_index}"


def mention_title(m: dict) -> str:
    parts = [str(m.get("label", "")), str(m.get("status", ""))]
    if m.get("rule_id"):
        parts.append(f"rule {m['rule_id']}" + (f" '{m['rule_literal']}'" if m.get("rule_literal") else ""))
    if m.get("status_reason"):
        parts.append(str(m["status_reason"]))
    for a in ATTRIBUTES:
        if m.get(a):
            parts.append(f"{a}={m[a]}" + (f" ({m.get(a + '_rule')})" if m.get(a + "_rule") else ""))
    return " · ".join(parts)


def _trigger_start(m: dict, key: str) -> int | None:
    value = m.get(f"{key}_trigger_start")
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def mention_spans(text: str, mentions: list[dict], rkey: str) -> list[Span]:
    """A span per mention (id = its anchor), per modifier trigger and per attribute cue. Triggers are only
    marked where the recorded words are found at the recorded offset."""
    spans: list[Span] = []
    triggers: dict[tuple[int, int, str], list[str]] = {}
    for m in mentions:
        idx = int(m["mention_index"])
        classes = ["m", f"lab-{m.get('label', '')}", f"st-{m.get('status', '')}"]
        classes += [f"mod-{mod}" for mod in MODIFIERS if m.get(mod) is True]
        spans.append(Span(int(m["start_char"]), int(m["end_char"]), tuple(classes), f"#{idx} " + mention_title(m),
                          id=anchor(rkey, idx), layer=LAYER_MENTION, data=(("m", str(idx)),)))
        for kind, keys in (("trig", MODIFIERS), ("cue", ATTRIBUTES)):
            for key in keys:
                if kind == "trig" and m.get(key) is not True:
                    continue
                words, start = str(m.get(f"{key}_trigger") or ""), _trigger_start(m, key)
                if not words or start is None or text[start:start + len(words)] != words:
                    continue
                rule = str(m.get(f"{key}_rule") or "")
                triggers.setdefault((start, start + len(words), f"{kind}:{key}"), []).append(f"#{idx}{' ' + rule if rule else ''}")
    for (start, end, name), cited in sorted(triggers.items()):
        kind, key = name.split(":")
        label = f"{key} trigger" if kind == "trig" else f"{key} cue"
        short = MOD_SHORT.get(key, key[:3].upper())
        spans.append(Span(start, end, (kind, f"{kind}-{key}"), f"{label} for mention {', '.join(cited)}",
                          layer=LAYER_TRIGGER if kind == "trig" else LAYER_CUE, data=(("k", short),)))
    return spans


@dataclass
class FieldView:
    name: str
    value: str
    rule: str
    evidence: list[tuple[str, str]]  # (anchor id, short label)


@dataclass
class ReportView:
    rkey: str
    report_id: str
    patient_id: str
    date: str
    kind: str
    report_type: str
    fields: list[FieldView]
    html: Markup | None  # highlighted text; None when the text is not available
    mentions: list[dict]
    roles: list[str] = field(default_factory=list)

    @property
    def kind_short(self) -> str:
        return KIND_SHORT.get(self.kind, self.kind)


def parse_evidence(raw: str) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def report_view(data: AuditData, report: dict, mentions: list[dict], rkey: str, *, with_text: bool = True) -> ReportView:
    by_index = {int(m["mention_index"]): m for m in mentions}
    evidence = parse_evidence(report.get("evidence", ""))
    names = KIND_FIELDS.get(report.get("report_kind", ""), [])
    names = names + [n for n in evidence if n not in names]
    fields = []
    for name in names:
        item = evidence.get(name, {})
        cited = item.get("mentions", []) if isinstance(item, dict) else []
        links = []
        for i in cited:
            if isinstance(i, int) and i in by_index:
                m = by_index[i]
                links.append((anchor(rkey, i), f"#{i} {m.get('text', '')}"))
        fields.append(FieldView(name, str(report.get(name, "")), str(item.get("rule", "")) if isinstance(item, dict) else "", links))
    text = data.text_of(report["report_id"]) if with_text else None
    html = None
    if text is not None:
        html = highlight(text, section_spans(text) + mention_spans(text, mentions, rkey))
    return ReportView(rkey=rkey, report_id=report["report_id"], patient_id=report.get("patient_id", ""),
                      date=report.get("report_date", ""), kind=report.get("report_kind", ""),
                      report_type=report.get("report_type", ""), fields=fields, html=html, mentions=mentions)


def label_class(label: str) -> str:
    return "lab-" + css_token(label)
