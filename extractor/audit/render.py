"""Build DIR/audit.html: one self-contained page (inline CSS, JS and images; no URL of any kind), rendered with
jinja2 (autoescape on). Patient cards are rendered here, stored as escaped JSON strings, and inserted a page at a
time by the inline script, so the page stays usable for thousands of patients."""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from .. import __version__
from ..tables.files import atomic_write_text
from . import cohort as C
from .data import AuditData
from .flow import cohort_flows, flow_svg
from .highlight import css_token
from .patientview import PatientView, flag_title, patient_view
from .plots import bethesda_plot, rate_plot, surgery_delay_plot

PAGE_SIZE = 20
CHUNK_SIZE = 100  # cards per stored chunk; a chunk is decoded when one of its cards is first shown
COMPRESS_ABOVE = 2_000_000  # characters of card HTML above which chunks are stored gzip + base64
LABEL_COLOURS = {
    "MICROCALCIFICATION": "#f59f00", "NODULE": "#4dabf7", "FOCAL_ECHOGENICITY_CHANGE": "#9775fa",
    "DIFFUSE_PARENCHYMAL_CHANGE": "#51cf66", "COMET_TAIL_ARTIFACT": "#adb5bd", "MACROCALCIFICATION": "#a9746e",
    "RIM_CALCIFICATION": "#c0a080", "CALCIFICATION_UNSPECIFIED": "#ffd43b", "ECHOGENIC_FOCI_UNSPECIFIED": "#ffa8a8",
    "ECHOGENIC_SEPTA": "#66d9e8", "PSEUDONODULE": "#96f2d7",
}
KIND_COLOURS = {"ultrasound": "#1c7ed6", "cytology": "#f08c00", "surgical_pathology": "#c92a2a", "other": "#868e96"}


def _colour(label: str) -> str:
    if label in LABEL_COLOURS:
        return LABEL_COLOURS[label]
    hue = int(hashlib.sha256(label.encode()).hexdigest()[:4], 16) % 360
    return f"hsl({hue} 70% 62%)"


def json_for_script(value) -> Markup:
    """JSON that is safe inside <script type="application/json">: no '<', '>' or '&' can close the element or
    start a comment, and the line separators JavaScript once rejected are escaped too."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


def pack_cards(cards: list[str], *, compress: bool) -> list:
    """Cards in chunks of CHUNK_SIZE: each a list of HTML strings, or (compress) the base64 of the gzipped JSON
    of that list, which the page inflates with the browser's DecompressionStream when first needed. Base64
    cannot contain '<', so a compressed chunk cannot end the script element whatever the reports say."""
    chunks = []
    for start in range(0, len(cards), CHUNK_SIZE):
        part = cards[start:start + CHUNK_SIZE]
        if compress:
            raw = json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            chunks.append(base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii"))
        else:
            chunks.append(part)
    return chunks


def unpack_cards(payload: dict) -> list[str]:
    """The inverse of pack_cards over a page's payload (for tests and tools)."""
    cards = []
    for chunk in payload["chunks"]:
        if isinstance(chunk, str):
            chunk = json.loads(gzip.decompress(base64.b64decode(chunk)).decode("utf-8"))
        cards.extend(chunk)
    return cards


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("extractor.audit", "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["token"] = css_token
    env.filters["pct"] = lambda v: "–" if v is None else f"{v:.0%}"
    env.filters["flag_title"] = flag_title
    env.filters["wbr"] = lambda value: Markup("_<wbr>").join(escape(part) for part in str(value).split("_"))
    env.globals["kind_colour"] = lambda kind: KIND_COLOURS.get(kind, "#868e96")
    return env


# ---- page ----

@dataclass
class BuildStats:
    patients: int
    reports: int
    bytes: int
    seconds: float


def _patient_rows(data: AuditData) -> list[tuple[str, dict]]:
    if data.patients is not None:
        return [(str(r["patient_id"]), r) for r in data.patients.to_dict("records")]
    ids = sorted(set(data.reports["patient_id"]))
    return [(pid, {}) for pid in ids]


def patient_views(data: AuditData):
    """Yield a PatientView per patient (linked patients; before linking, every patient with a report)."""
    reports_by_patient = {pid: frame for pid, frame in data.reports.groupby("patient_id", sort=False)}
    mentions_by_report: dict[str, list[dict]] = {}
    for record in data.mentions.sort_values(["report_id", "mention_index"]).to_dict("records"):
        mentions_by_report.setdefault(record["report_id"], []).append(record)
    rkeys = {rid: f"r{i}" for i, rid in enumerate(data.reports["report_id"])}
    empty = data.reports.iloc[0:0]
    for pid, row in _patient_rows(data):
        yield patient_view(data, pid, row, reports_by_patient.get(pid, empty), mentions_by_report, rkeys)


def index_entry(view: PatientView) -> dict:
    return {"id": view.patient_id, "d": view.members, "f": view.flags, "dx": view.row.get("final_diagnosis", ""),
            "pat": view.row.get("us_pattern", ""), "r": " ".join(r.report_id for r in view.reports)}


def cohort_context(data: AuditData) -> dict:
    flows = C.definition_flows(data)
    ctx = {"kinds": C.reports_by_kind(data), "flows": flows, "cross": None, "plots": [], "no_plot": []}
    ctx["flow_svgs"] = [Markup(flow_svg(f, element_id=f"flow-{f.definition_id}")) for f in cohort_flows(data)]
    rates = []
    if data.patients is not None and len(data.patients):
        ctx["cross"] = C.pattern_by_diagnosis(data.patients)
        rates = [C.rate_of("all linked patients", data.patients)] + [f.rate for f in flows]
    bethesda, unit = C.bethesda_counts(data)
    candidates = [("Malignancy rate by definition", rate_plot(rates)),
                  ("Bethesda distribution", bethesda_plot(bethesda, unit)),
                  ("Time from ultrasound to surgery", surgery_delay_plot(C.days_to_surgery(data)))]
    ctx["plots"] = [p for _, p in candidates if p is not None]
    ctx["no_plot"] = [name for name, p in candidates if p is None]
    return ctx


def render_page(data: AuditData, *, page_size: int = PAGE_SIZE, compress: bool | None = None,
                progress=None) -> tuple[str, int]:
    """The page and its number of patient cards. ``compress``: None = only when the cards are large.
    ``progress``: called with (cards done since the last call, fraction of the cards done)."""
    env = environment()
    card = env.get_template("card.html.j2")
    total = len(data.patients) if data.patients is not None else data.reports["patient_id"].nunique()
    cards, index = [], []
    labels = set(data.mentions["label"]) if "label" in data.mentions else set()
    for view in patient_views(data):
        cards.append(card.render(p=view, has_patients=data.patients is not None, has_texts=data.texts is not None))
        index.append(index_entry(view))
        if progress is not None and (len(cards) % PROGRESS_EVERY == 0 or len(cards) == total):
            progress(len(cards) % PROGRESS_EVERY or PROGRESS_EVERY, len(cards) / max(total, 1))
    label_css = "\n".join(f".lab-{css_token(label)}{{--c:{_colour(label)}}}" for label in sorted(labels))
    style = env.get_template("style.css.j2").render(label_css=Markup(label_css))
    script = env.get_template("app.js.j2").render()
    if compress is None:
        compress = sum(len(c) for c in cards) > COMPRESS_ABOVE
    payload = {"chunks": pack_cards(cards, compress=compress), "chunkSize": CHUNK_SIZE, "index": index,
               "pageSize": page_size}
    html = env.get_template("page.html.j2").render(
        data=data,
        version=__version__,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        style=Markup(style),
        script=Markup(script),
        csp=f"default-src 'none'; script-src {csp_hash(script)}; style-src {csp_hash(style)}; img-src data:; "
            "connect-src 'none'; base-uri 'none'; form-action 'none'",
        payload=json_for_script(payload),
        definitions=data.definitions,
        flags=data.flags,
        labels=sorted(labels),
        label_colours={label: _colour(label) for label in labels},
        n_patients=len(index),
        **cohort_context(data),
    )
    return html, len(index)


PROGRESS_EVERY = 50  # patient cards between two progress updates


def build_audit(data: AuditData, out: str | os.PathLike | None = None, *, page_size: int = PAGE_SIZE,
                compress: bool | None = None, progress=None) -> BuildStats:
    """Render the audit page for ``data`` and write it atomically to ``out`` (default DIR/audit.html)."""
    started = time.perf_counter()
    html, n_patients = render_page(data, page_size=page_size, compress=compress, progress=progress)
    path = Path(out) if out is not None else data.directory / "audit.html"
    atomic_write_text(path, html, private=True)
    return BuildStats(patients=n_patients, reports=len(data.reports), bytes=len(html.encode("utf-8")),
                      seconds=time.perf_counter() - started)
