"""One patient as the audit shows it: the timeline of their reports, each report's view, and for each case
definition the criteria with the patient's value, the verdict and the evidence behind it."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..tables.quality import parse_date
from .data import AuditData, Definition
from .reportview import ReportView, anchor, parse_evidence, report_view

# patient field -> (linking column naming the source report, the report fields that are its evidence)
PATIENT_FIELD_SOURCE = {
    "us_pattern": ("index_us_report_id", ("microcalcifications", "mass")),
    "microcalcification_clustered": ("index_us_report_id", ("microcalcification_clustered",)),
    "microcalcification_extent": ("index_us_report_id", ("microcalcification_extent",)),
    "microcalcification_laterality": ("index_us_report_id", ("microcalcification_laterality",)),
    "focal_echogenicity_change": ("index_us_report_id", ("focal_echogenicity_change",)),
    "microcalcifications": ("index_us_report_id", ("microcalcifications",)),
    "mass": ("index_us_report_id", ("mass",)),
    "bethesda_category": ("fna_report_id", ("bethesda_category",)),
    "histology": ("surgery_report_id", ("histology",)),
    "ptc_subtype": ("surgery_report_id", ("ptc_subtype",)),
    "mass_in_specimen": ("surgery_report_id", ("mass_in_specimen",)),
    "psammoma_bodies": ("surgery_report_id", ("psammoma_bodies",)),
    "final_diagnosis": ("surgery_report_id", ("malignancy", "histology")),
}
ROLE_COLUMNS = {"index_us_report_id": "index ultrasound", "fna_report_id": "linked cytology",
                "surgery_report_id": "linked surgery"}
SUMMARY_FIELDS = ("us_pattern", "microcalcification_extent", "microcalcification_clustered",
                  "focal_echogenicity_change", "bethesda_category", "histology", "ptc_subtype",
                  "mass_in_specimen", "psammoma_bodies", "final_diagnosis")


@dataclass
class CriterionView:
    group: str
    field: str
    expected: str
    value: str
    met: bool | None
    evidence: list[tuple[str, str]]  # (anchor, label)
    note: str = ""


@dataclass
class DefinitionView:
    definition: Definition
    verdict: bool
    criteria: list[CriterionView]


@dataclass
class TimelinePoint:
    x: float
    rkey: str
    label: str
    date: str
    kind: str
    role: str


NODULE_FIELDS = ("side", "position", "size_mm", "composition", "echogenicity", "shape", "margin", "echogenic_foci",
                 "microcalcifications", "tirads_points", "tirads_level", "stated_category")


@dataclass
class NoduleView:
    """One row of DIR/nodules of the index ultrasound, as the patient card lists it."""

    index: str
    label: str
    values: list[tuple[str, str]]  # (column, value) in NODULE_FIELDS order
    evidence: list[tuple[str, str, list[tuple[str, str]]]]  # (column, rule ids, [(anchor, label)])
    is_index: bool


@dataclass
class PatientView:
    patient_id: str
    row: dict  # the patients row ({} before linking)
    reports: list[ReportView]
    definitions: list[DefinitionView]
    timeline: list[TimelinePoint]
    flags: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    nodules: list[NoduleView] = field(default_factory=list)  # the index ultrasound's nodules (DIR/nodules)
    nodule_report: str = ""  # rkey of the index ultrasound

    @property
    def summary(self) -> list[tuple[str, str]]:
        return [(k, self.row[k]) for k in SUMMARY_FIELDS if self.row.get(k)]


def _bool_text(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _as_list(value) -> list[str]:
    values = value if isinstance(value, (list, tuple, set)) else [value]
    return [_bool_text(v) for v in values]


PLAIN_KEYS = ("equals", "is", "in", "any_of", "values", "value", "not_equals", "not_in", "none_of")
NEGATING_KEYS = {"not_equals", "not_in", "none_of"}
PLAIN_OPS = {"", "=", "==", "eq", "equals", "in", "is", "!=", "ne", "not", "not_in", "not_equals"}
NEGATING_OPS = {"!=", "ne", "not", "not_in", "not_equals"}


def expectation(criterion: dict) -> tuple[str, set[str] | None, bool]:
    """(text shown, allowed values or None when not a plain comparison, negate)."""
    op = str(criterion.get("op", "")).strip().lower()
    for key in PLAIN_KEYS:
        if key not in criterion:
            continue
        values = _as_list(criterion[key])
        if op not in PLAIN_OPS:
            return f"{op} {', '.join(values)}", None, False
        negate = (key in NEGATING_KEYS or op in NEGATING_OPS) != bool(criterion.get("negate_group"))
        if len(values) == 1:
            return ("≠ " if negate else "= ") + values[0], set(values), negate
        return ("not one of " if negate else "one of ") + ", ".join(values), set(values), negate
    rest = {k: v for k, v in criterion.items()
            if k not in ("field", "label", "name", "description", "text", "id", "group", "negate_group")}
    return (", ".join(f"{k} {v}" for k, v in rest.items()) or str(criterion.get("text", ""))), None, False


def _evidence_links(field_name: str, row: dict, views: dict[str, ReportView]) -> tuple[list[tuple[str, str]], str]:
    source = PATIENT_FIELD_SOURCE.get(field_name)
    if source is None:
        return [], ""
    column, report_fields = source
    report_id = row.get(column, "")
    if field_name == "final_diagnosis" and not report_id:
        column, report_id = "fna_report_id", row.get("fna_report_id", "")
        report_fields = ("malignancy", "bethesda_category")
    view = views.get(report_id)
    if view is None:
        return [], f"no {ROLE_COLUMNS.get(column, column)}" if not report_id else f"report {report_id} not found"
    links = [(view.rkey, f"{view.report_id} ({view.kind_short})")]
    for f in view.fields:
        if f.name in report_fields:
            links += f.evidence
    return links, ""


def definition_view(definition: Definition, row: dict, views: dict[str, ReportView]) -> DefinitionView:
    verdict = str(row.get(definition.column, "")).strip().lower() in {"true", "1", "yes"}
    criteria = []
    for c in definition.criteria:
        name = str(c.get("field", ""))
        shown, allowed, negate = expectation(c)
        value = str(row.get(name, "")) if name else ""
        met = None
        if allowed is not None and name in row:
            met = (value in allowed) != negate
        links, note = _evidence_links(name, row, views)
        criteria.append(CriterionView(str(c.get("group", "")), name or str(c.get("text", "")), shown, value, met,
                                      links, note))
    return DefinitionView(definition, verdict, criteria)


def timeline(views: list[ReportView]) -> list[TimelinePoint]:
    """x in [0, 1] by date (evenly spread when dates are missing or all equal)."""
    dates = [parse_date(v.date) for v in views]  # the parser linking uses
    known = [d for d in dates if d is not None]
    span = (max(known) - min(known)).days if known else 0
    points = []
    for i, (view, d) in enumerate(zip(views, dates)):
        if span and d is not None:
            x = (d - min(known)).days / span
        else:
            x = i / max(1, len(views) - 1) if len(views) > 1 else 0.5
        points.append(TimelinePoint(x, view.rkey, view.report_id, view.date, view.kind, ", ".join(view.roles)))
    return points


_NODULE_TABLES: dict[tuple[str, float], pd.DataFrame | None] = {}


def _nodule_table(directory) -> pd.DataFrame | None:
    """DIR/nodules as text (cached per file and modification time), or None when the run wrote none."""
    from pathlib import Path

    for name in ("nodules.parquet", "nodules.csv"):
        path = Path(directory) / name
        if path.is_file():
            key = (str(path), path.stat().st_mtime)
            if key not in _NODULE_TABLES:
                frame = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path, dtype=str,
                                                                                           keep_default_na=False)
                _NODULE_TABLES.clear()
                _NODULE_TABLES[key] = frame.astype(object).where(frame.notna(), "").astype(str)
            return _NODULE_TABLES[key]
    return None


def _number_text(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return f"{number:g}"


def nodule_views(data: AuditData, row: dict, mentions_by_report: dict, rkeys: dict[str, str]) -> list[NoduleView]:
    """The index ultrasound's nodules with their features, points and evidence; the index nodule flagged."""
    report_id = row.get("index_us_report_id", "")
    table = _nodule_table(data.directory) if report_id else None
    if table is None or not len(table):
        return []
    rows = table[table["report_id"] == report_id]
    rkey = rkeys.get(report_id, "")
    mentions = {int(m["mention_index"]): m for m in mentions_by_report.get(report_id, [])}
    index = str(row.get("index_nodule", ""))
    views = []
    for record in rows.to_dict("records"):
        evidence = parse_evidence(record.get("evidence", ""))
        cited = []
        for name, item in evidence.items():
            items = item if isinstance(item, list) else [item]
            rules = ", ".join(str(i.get("rule", "")) for i in items if isinstance(i, dict))
            links = []
            for i in items:
                for m in (i.get("mentions", []) if isinstance(i, dict) else []):
                    if isinstance(m, int) and m in mentions and rkey:
                        links.append((anchor(rkey, m), f"#{m} {mentions[m].get('text', '')}"))
            cited.append((name, rules, links))
        values = [(name, _number_text(record.get(name, "")) if name in {"size_mm", "tirads_points"}
                   else record.get(name, "")) for name in NODULE_FIELDS]
        number = _number_text(record.get("nodule_index", ""))
        views.append(NoduleView(number, record.get("nodule_label", ""), values, cited, bool(index) and number == index))
    return views


def patient_view(data: AuditData, patient_id: str, row: dict, reports: pd.DataFrame, mentions_by_report: dict,
                 rkeys: dict[str, str]) -> PatientView:
    records = reports.to_dict("records")
    records.sort(key=lambda r: (r.get("report_date", ""), r["report_id"]))
    views = []
    for r in records:
        view = report_view(data, r, mentions_by_report.get(r["report_id"], []), rkeys[r["report_id"]])
        view.roles = [role for column, role in ROLE_COLUMNS.items() if row.get(column) == r["report_id"]]
        views.append(view)
    by_id = {v.report_id: v for v in views}
    definitions = [definition_view(d, row, by_id) for d in data.definitions] if row else []
    flags = [c for c in data.flags if str(row.get(c, "")).strip().lower() in {"true", "1", "yes"}]
    members = [d.definition.id for d in definitions if d.verdict]
    nodules = nodule_views(data, row, mentions_by_report, rkeys) if row else []
    return PatientView(patient_id, row, views, definitions, timeline(views), flags, members, nodules,
                       rkeys.get(row.get("index_us_report_id", ""), "") if row else "")


def flag_title(column: str) -> str:
    """flag_us_no_mass_specimen_mass -> 'us no mass specimen mass' (shown with its column name)."""
    return column[len("flag_"):].replace("_", " ")

