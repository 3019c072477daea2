"""A STROBE / CONSORT-style cohort flow per case definition: every box a count, every exclusion box a reason, and
every step's numbers adding up (kept = next box + its exclusions). Computed from the tables alone (reports, errors,
patients); drawn as a standalone SVG (presentation attributes only, no <style>, so the same markup works inside
the audit page under its content-security policy and as a file for a paper). Titles wrap; nothing is truncated."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from ..errors import RadpathError
from ..knowledge.definitions import Definition, Test, parse_definition
from .cohort import is_true
from .data import AuditData

DIAGNOSES = ("malignant", "benign", "indeterminate", "unknown")


@dataclass(frozen=True)
class Exclusion:
    reason: str
    n: int
    detail: str = ""  # e.g. the values behind a failed criterion: "not_mentioned 40, absent 12"


@dataclass(frozen=True)
class FlowStep:
    label: str
    n: int
    excluded: tuple[Exclusion, ...] = ()  # leave between this box and the next

    @property
    def n_excluded(self) -> int:
        return sum(e.n for e in self.excluded)


@dataclass(frozen=True)
class CohortFlow:
    definition_id: str
    title: str
    reports_read: int
    unreadable: int
    steps: tuple[FlowStep, ...]  # patients, with an ultrasound, with an index ultrasound, meeting the definition
    linked: tuple[Exclusion, ...] = ()  # how the members' outcome was found (surgery / cytology only / neither)
    diagnoses: tuple[Exclusion, ...] = ()  # final diagnosis among the members
    notes: tuple[str, ...] = field(default_factory=tuple)

    def check(self) -> list[str]:
        """Every way the numbers could fail to add up; empty when they all do."""
        problems = []
        for step, following in zip(self.steps, self.steps[1:]):
            if step.n != following.n + step.n_excluded:
                problems.append(f"{step.label}: {step.n} != {following.n} + {step.n_excluded} excluded")
        members = self.steps[-1].n if self.steps else 0
        for name, parts in (("outcome found", self.linked), ("final diagnosis", self.diagnoses)):
            if parts and sum(p.n for p in parts) != members:
                problems.append(f"{name}: {sum(p.n for p in parts)} != {members} members")
        return problems


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].fillna("").astype(str)
    return pd.Series("", index=frame.index, dtype=str)


def _value_counts(values: pd.Series) -> str:
    counts = values.replace("", "(empty)").value_counts()
    return ", ".join(f"{value} {n}" for value, n in counts.items())


def _describe(item) -> str:
    if isinstance(item, Test):
        shown = " or ".join(item.values)
        return f"{item.field} is not {shown}"
    inner = "; ".join(_describe_positive(i) for i in item.items)
    if item.kind == "not":
        return f"excluded by: {inner}"
    return f"none of: {inner}" if item.kind == "any" else f"fails: {inner}"


def _describe_positive(item) -> str:
    if isinstance(item, Test):
        return f"{item.field} is {' or '.join(item.values)}"
    return f"{item.kind}({'; '.join(_describe_positive(i) for i in item.items)})"


def _units(definition: Definition) -> list:
    """The definition's criteria as the units a patient can fail on, in file order: each test of an ``all`` group
    on its own, an ``any`` or ``not`` group as a whole."""
    units = []
    for group in definition.criteria:
        if group.kind == "all":
            units.extend(group.items)
        else:
            units.append(group)
    return units


def _holds(item, frame: pd.DataFrame) -> pd.Series:
    if isinstance(item, Test):
        return _column(frame, item.field).isin(item.values)
    masks = [_holds(i, frame) for i in item.items]
    combined = masks[0].copy()
    for mask in masks[1:]:
        combined = (combined & mask) if item.kind == "all" else (combined | mask)
    return ~combined if item.kind == "not" else combined


def criterion_exclusions(definition: Definition, patients: pd.DataFrame, members: pd.Series) -> list[Exclusion]:
    """For the patients that are not ``members``, one exclusion per criterion: each patient counted once, at the
    first criterion (in the definition's order) it fails. A non-member that fails none (the definition file
    changed since the run) gets an exclusion of its own, so the numbers still add up to the patients table."""
    remaining = ~members
    exclusions = []
    for unit in _units(definition):
        fails = remaining & ~_holds(unit, patients)
        if fails.any():
            detail = _value_counts(_column(patients, unit.field)[fails]) if isinstance(unit, Test) else ""
            exclusions.append(Exclusion(_describe(unit), int(fails.sum()), detail))
        remaining &= ~fails
    if remaining.any():
        exclusions.append(Exclusion("Not a member, yet meets every criterion of the definition file as it is now "
                                    "(edited since the run? re-run `radpath link`)", int(remaining.sum())))
    return exclusions


def _parsed(definition) -> Definition | None:
    """The definition as extractor.knowledge.definitions parses it (the one grammar that decides membership), or None when
    there is no file or it does not parse."""
    if isinstance(definition, Definition):
        return definition
    path = getattr(definition, "path", "")
    if not path:
        return None
    from pathlib import Path

    try:
        return parse_definition(Path(path))
    except (RadpathError, OSError, ValueError):
        return None


def cohort_flow(data: AuditData, definition) -> CohortFlow:
    """The flow of one case definition (the audit's definition or extractor.knowledge.definitions.Definition)."""
    reports = data.reports
    unreadable = 0 if data.errors is None else len(data.errors)
    patients = data.patients if data.patients is not None else pd.DataFrame(columns=["patient_id"])
    in_input = set(_column(reports, "patient_id")) - {""}
    with_us = set(_column(patients, "patient_id"))
    steps = [FlowStep("Patients in the input", len(in_input | with_us),
                      (Exclusion("No ultrasound report (cytology, surgery or other only)",
                                 len(in_input - with_us)),))]
    indexed = patients[_column(patients, "index_us_report_id") != ""]
    undated = patients[_column(patients, "index_us_report_id") == ""]
    steps.append(FlowStep("Patients with an ultrasound", len(patients),
                          (Exclusion("No dated ultrasound to index (missing or unparseable dates)", len(undated)),)))
    members = is_true(_column(indexed, definition.column))
    parsed = _parsed(definition)
    if parsed is not None:
        exclusions = criterion_exclusions(parsed, indexed, members)
    else:
        exclusions = [Exclusion("Does not meet the definition (no definition file to break this down)",
                                int((~members).sum()))] if (~members).any() else []
    steps.append(FlowStep("Patients with an index ultrasound", len(indexed), tuple(exclusions)))
    cohort = indexed[members]
    steps.append(FlowStep(f"Meet the definition: {definition.title}", len(cohort)))

    surgery = _column(cohort, "surgery_report_id") != ""
    cytology = _column(cohort, "fna_report_id") != ""
    outside = pd.to_numeric(_column(cohort, "n_outside_window").replace("", "0"), errors="coerce").fillna(0) > 0
    neither = ~surgery & ~cytology
    linked = (Exclusion("Surgical pathology within the window", int(surgery.sum())),
              Exclusion("Cytology only (no surgery within the window)", int((cytology & ~surgery).sum())),
              Exclusion("Neither within the window", int(neither.sum()),
                        f"{int((neither & outside).sum())} with cytology or surgery outside it"
                        if (neither & outside).any() else ""))
    dx = _column(cohort, "final_diagnosis").replace("", "unknown")
    diagnoses = tuple(Exclusion(d, int((dx == d).sum())) for d in DIAGNOSES)
    notes = []
    column = definition.column
    if column in patients.columns:
        outside_index = int((is_true(patients[column]) & (_column(patients, "index_us_report_id") == "")).sum())
        if outside_index:
            notes.append(f"{outside_index} patients meet the definition without an index ultrasound; not shown")
    return CohortFlow(definition.id, definition.title, len(reports) + unreadable, unreadable, tuple(steps), linked,
                      diagnoses, tuple(notes))


def cohort_flows(data: AuditData) -> list[CohortFlow]:
    if data.patients is None:
        return []
    return [cohort_flow(data, d) for d in data.definitions]


# ---- drawing -----------------------------------------------------------------------------------------------------
FONT = "font-family=\"Helvetica, Arial, sans-serif\""
CHAR_W = 7.0  # average glyph width at 13 px, for wrapping
LINE_H = 17
PAD = 10
MAIN_X, MAIN_W = 20, 330
EXCL_X, EXCL_W = 400, 360
WIDTH = EXCL_X + EXCL_W + 20
COLOURS = {"main": ("#eef2f7", "#52606d"), "excl": ("#fff4e5", "#b26b00"), "dx": ("#f3f0ff", "#6c4fbf"),
           "head": ("#ffffff", "#9aa5b1")}


def _lines(text: str, width_px: float) -> list[str]:
    return textwrap.wrap(text, width=max(8, int((width_px - 2 * PAD) / CHAR_W)), break_long_words=True) or [""]


def _box(x: float, y: float, w: float, title: str, value: str, tone: str, detail: str = "") -> tuple[str, float]:
    """SVG for one box and its height: a wrapped title, the count in bold, an optional wrapped detail line."""
    fill, stroke = COLOURS[tone]
    rows = [(line, "400", "13") for line in _lines(title, w)]
    rows.append((value, "700", "15"))
    rows += [(line, "400", "11") for line in (_lines(detail, w) if detail else [])]
    h = 2 * PAD + LINE_H * len(rows)
    parts = [f'<g><title>{escape(title)}: {escape(value)}{escape("; " + detail) if detail else ""}</title>',
             f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6" fill="{fill}" stroke="{stroke}" '
             f'stroke-width="1.2"/>']
    for i, (line, weight, size) in enumerate(rows):
        parts.append(f'<text x="{x + PAD}" y="{y + PAD + LINE_H * (i + 1) - 4}" {FONT} font-size="{size}" '
                     f'font-weight="{weight}" fill="#1f2933">{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts), h


def _arrow(x1: float, y1: float, x2: float, y2: float, marker: str) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#7b8794" stroke-width="1.5" '
            f'marker-end="url(#{marker})"/>')


def flow_svg(flow: CohortFlow, *, element_id: str | None = None, standalone: bool = False) -> str:
    """The flow as an SVG element: inline in HTML as it is; ``standalone`` adds the SVG namespace a file needs
    (the audit page itself contains no URL at all)."""
    parts, y = [], 16
    marker = f"arrow-{element_id or flow.definition_id}".replace(" ", "_")
    head, h = _box(MAIN_X, y, WIDTH - 2 * MAIN_X, f"Reports read: {flow.reports_read:,}",
                   f"{flow.unreadable:,} unreadable rows (errors table)" if flow.unreadable else "all readable",
                   "head")
    parts.append(head)
    y += h + 24
    centre = MAIN_X + MAIN_W / 2
    for i, step in enumerate(flow.steps):
        box, h = _box(MAIN_X, y, MAIN_W, step.label, f"n = {step.n:,}", "main")
        parts.append(box)
        top, bottom = y, y + h
        y = bottom + 18
        if step.excluded:
            ex_y = y
            for e in step.excluded:
                ebox, eh = _box(EXCL_X, ex_y, EXCL_W, e.reason, f"excluded n = {e.n:,}", "excl", e.detail)
                parts.append(ebox)
                ex_y += eh + 8
            parts.append(_arrow(centre, y + 10, EXCL_X, y + 10, marker))
            y = max(y, ex_y) + 10
        if i + 1 < len(flow.steps):
            parts.append(_arrow(centre, bottom, centre, y, marker))
    cohort_bottom = y - 18
    members = flow.steps[-1].n if flow.steps else 0
    rows = ((flow.linked, "main", f"How the outcome of the {members:,} members was found", True),
            (flow.diagnoses, "dx", f"Final diagnosis of the {members:,} members (surgery outranks cytology)", False))
    for row, tone, heading, arrows in rows:
        if not row:
            continue
        if arrows:  # the arrows from the members' box say where this row comes from
            top = y + 20
        else:
            parts.append(f'<text x="{MAIN_X}" y="{y + 14}" {FONT} font-size="12" font-weight="700" '
                         f'fill="#52606d">{escape(heading)}</text>')
            top = y + 24
        width = (WIDTH - 2 * MAIN_X - 10 * (len(row) - 1)) / len(row)
        heights = []
        for j, part in enumerate(row):
            x = MAIN_X + j * (width + 10)
            box, h = _box(x, top, width, part.reason, f"n = {part.n:,}", tone, part.detail)
            parts.append(box)
            if arrows:
                parts.append(_arrow(centre, cohort_bottom, x + width / 2, top, marker))
            heights.append(h)
        y = top + max(heights) + 14
    for note in flow.notes:
        parts.append(f'<text x="{MAIN_X}" y="{y + 12}" {FONT} font-size="11" fill="#52606d">{escape(note)}</text>')
        y += 18
    height = y + 10
    ident = f' id="{escape(element_id)}"' if element_id else ""
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (f'<svg{namespace}{ident} class="flow" viewBox="0 0 {WIDTH} {height:.0f}" '
            f'width="{WIDTH}" height="{height:.0f}" role="img" '
            f'aria-label="cohort flow: {escape(flow.title)}">'
            f'<defs><marker id="{escape(marker)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7b8794"/></marker>'
            f'</defs><rect width="100%" height="100%" fill="#ffffff"/>' + "".join(parts) + "</svg>")


def standalone_svg(flow: CohortFlow) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + flow_svg(flow, standalone=True) + "\n"
