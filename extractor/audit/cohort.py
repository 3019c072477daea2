"""Cohort numbers for the audit: the flow from reports to malignancy, the pattern x diagnosis table, and
malignancy rates with Wilson intervals. Plain pandas; the templates and plots only draw what this returns."""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..knowledge.bethesda import BETHESDA
from ..tables.quality import parse_date
from .data import AuditData

Z95 = 1.959963984540054
KINDS = ("ultrasound", "cytology", "surgical_pathology", "other")
PATTERNS = ("microcalcifications_only", "microcalcifications_with_mass", "mass_only", "negative")
DIAGNOSES = ("malignant", "benign", "indeterminate", "unknown")
MICRO_PATTERNS = {"microcalcifications_only", "microcalcifications_with_mass"}


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (0, 0 when n is 0)."""
    if n <= 0:
        return (0.0, 0.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Rate:
    """Malignant among patients with a known outcome (malignant or benign)."""

    label: str
    n: int  # patients in the group
    malignant: int
    benign: int

    @property
    def known(self) -> int:
        return self.malignant + self.benign

    @property
    def rate(self) -> float | None:
        return self.malignant / self.known if self.known else None

    @property
    def ci(self) -> tuple[float, float]:
        return wilson(self.malignant, self.known)

    def text(self) -> str:
        if not self.known:
            return "–"
        lo, hi = self.ci
        return f"{self.rate:.0%} ({lo:.0%}–{hi:.0%})"


def is_true(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin({"true", "1", "yes"})


def rate_of(label: str, group: pd.DataFrame) -> Rate:
    dx = group["final_diagnosis"] if "final_diagnosis" in group else pd.Series([], dtype=str)
    return Rate(label, len(group), int((dx == "malignant").sum()), int((dx == "benign").sum()))


def reports_by_kind(data: AuditData) -> dict[str, int]:
    counts = data.reports["report_kind"].value_counts()
    return {k: int(counts.get(k, 0)) for k in KINDS if counts.get(k, 0) or k != "other"}


@dataclass(frozen=True)
class DefinitionFlow:
    id: str
    title: str
    members: int
    with_cytology: int
    with_surgery: int
    malignant: int
    rate: Rate


def definition_flows(data: AuditData) -> list[DefinitionFlow]:
    p = data.patients
    if p is None:
        return []
    flows = []
    for d in data.definitions:
        if d.column not in p:
            continue
        members = p[is_true(p[d.column])]
        flows.append(DefinitionFlow(
            id=d.id, title=d.title, members=len(members),
            with_cytology=int((members.get("fna_report_id", pd.Series(dtype=str)) != "").sum()),
            with_surgery=int((members.get("surgery_report_id", pd.Series(dtype=str)) != "").sum()),
            malignant=int((members.get("final_diagnosis", pd.Series(dtype=str)) == "malignant").sum()),
            rate=rate_of(d.title, members),
        ))
    return flows


@dataclass(frozen=True)
class CrossTable:
    rows: list[str]
    columns: list[str]
    counts: dict[tuple[str, str], int]
    row_totals: dict[str, int]
    column_totals: dict[str, int]
    total: int
    rates: dict[str, Rate]


def pattern_by_diagnosis(patients: pd.DataFrame) -> CrossTable:
    pattern = patients.get("us_pattern", pd.Series([""] * len(patients), index=patients.index)).replace("", "(none)")
    dx = patients.get("final_diagnosis", pd.Series([""] * len(patients), index=patients.index)).replace("", "unknown")
    rows = [r for r in PATTERNS if (pattern == r).any()] + sorted(set(pattern) - set(PATTERNS))
    columns = list(DIAGNOSES) + sorted(set(dx) - set(DIAGNOSES))
    counts = {(r, c): int(((pattern == r) & (dx == c)).sum()) for r in rows for c in columns}
    rates = {r: rate_of(r, patients.assign(final_diagnosis=dx)[pattern == r]) for r in rows}
    rates["all"] = rate_of("all", patients.assign(final_diagnosis=dx))
    return CrossTable(rows, columns, counts, {r: int((pattern == r).sum()) for r in rows},
                      {c: int((dx == c).sum()) for c in columns}, len(patients), rates)


def bethesda_counts(data: AuditData) -> tuple[dict[str, int], str]:
    """Bethesda categories of the linked cytology per patient, or of every cytology report before linking."""
    if data.patients is not None and "bethesda_category" in data.patients:
        values, unit = data.patients["bethesda_category"], "patients (first cytology after the index ultrasound)"
    else:
        cyto = data.reports[data.reports["report_kind"] == "cytology"]
        values, unit = cyto["bethesda_category"], "cytology reports"
    counts = values.value_counts()
    return {c: int(counts.get(c, 0)) for c in BETHESDA}, unit


def days_to_surgery(data: AuditData) -> list[int]:
    """Days from the index ultrasound to the linked surgical pathology, per patient with both dates."""
    p = data.patients
    if p is None or "surgery_report_id" not in p or "index_us_date" not in p:
        return []
    dates = dict(zip(data.reports["report_id"], data.reports["report_date"]))
    linked = p[p["surgery_report_id"] != ""]
    days = []
    for surgery_id, index_date in zip(linked["surgery_report_id"], linked["index_us_date"]):
        surgery, index = parse_date(dates.get(surgery_id, "")), parse_date(index_date)  # linking's own parser
        if surgery is not None and index is not None:
            days.append((surgery - index).days)
    return days
