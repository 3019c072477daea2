"""Library API for patients and cohorts: reports -> patients -> case definitions -> tables and stores.

Notebook use (pandas in, pandas out)::

    from extractor.cohort_api import build_cohort
    result = build_cohort(pd.read_csv("reports.csv"))
    result.reports, result.mentions, result.patients, result.links

``build_cohort`` runs the spaCy pipeline (through extractor.api); everything else here reads tables only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from .definitions import Definition, apply_definitions, explain, load_definitions
from .linking import LinkingConfig, Linkage, link_patients, load_linking_config, outcome_table
from .ruleset import load_ruleset
from .sources import ColumnMap
from .store import read_frame, write_duckdb, write_frame


@dataclass
class Cohort:
    reports: pd.DataFrame
    mentions: pd.DataFrame
    errors: pd.DataFrame
    patients: pd.DataFrame
    links: pd.DataFrame
    definitions: list[Definition] = field(default_factory=list)


def build_cohort(
    reports: pd.DataFrame,
    *,
    columns: ColumnMap = ColumnMap(),
    patterns: str | None = None,
    linking: str | Path | LinkingConfig | None = None,
    definitions: Iterable[str | Path] | None = None,
    definition_ids: Iterable[str] | None = None,
) -> Cohort:
    """One call from a DataFrame of reports to DataFrames of reports, mentions, errors, patients and links."""
    from .api import extract
    from .sources import normalise

    extraction = extract(reports, columns=columns, patterns=patterns)
    texts = normalise(reports, columns=columns).reports[["report_id", "text"]]
    defs = load_definitions(definitions, only=definition_ids)
    linkage = link_patients(extraction.reports, config=_config(linking), texts=texts, definitions=defs,
                            nodules=extraction.nodules)
    return Cohort(extraction.reports, extraction.mentions, extraction.errors, linkage.patients, linkage.links, defs)


def _config(linking) -> LinkingConfig:
    if isinstance(linking, LinkingConfig):
        return linking
    return load_linking_config(linking)


def link_extraction(extraction, texts: pd.DataFrame | None = None, *, linking=None,
                    definitions: Iterable[str | Path] | None = None,
                    definition_ids: Iterable[str] | None = None) -> tuple[Linkage, list[Definition]]:
    """Link an api.Extraction (what ``radpath extract`` just produced); ``texts`` is the ReportTable's reports
    frame (report_id, text) so sites can be read."""
    return link_patients_in(extraction.reports, texts, linking=linking, definitions=definitions,
                            definition_ids=definition_ids, nodules=extraction.nodules)


def link_patients_in(reports: pd.DataFrame, texts: pd.DataFrame | None = None, *, linking=None,
                     definitions: Iterable[str | Path] | None = None,
                     definition_ids: Iterable[str] | None = None,
                     nodules: pd.DataFrame | None = None) -> tuple[Linkage, list[Definition]]:
    """Link a reports table (DIR/reports) into patients and apply the case definitions (``nodules``:
    DIR/nodules, for the index nodule)."""
    defs = load_definitions(definitions, only=definition_ids)
    return link_patients(reports, config=_config(linking), texts=texts, definitions=defs, nodules=nodules), defs


def write_cohort_outputs(out_dir: str | Path, linkage: Linkage, definitions: Iterable[Definition] = (), *,
                         reports: pd.DataFrame | Path | None = None, mentions: pd.DataFrame | Path | None = None,
                         duckdb: bool = True) -> list[Path]:
    """Write DIR/patients and DIR/links (CSV + Parquet) and, with ``duckdb``, DIR/radpath.duckdb (``reports`` and
    ``mentions`` may be frames or Parquet files, which DuckDB then reads itself)."""
    out_dir = Path(out_dir)
    written = write_frame(linkage.patients, out_dir, "patients")
    written += write_frame(linkage.links, out_dir, "links")
    if duckdb:
        reports = reports if reports is not None else read_frame(out_dir, "reports")
        if mentions is None:  # DuckDB reads the Parquet file itself rather than a frame of every mention
            stored = out_dir / "mentions.parquet"
            mentions = stored if stored.is_file() else read_frame(out_dir, "mentions", required=False)
        stored_nodules = out_dir / "nodules.parquet"
        written.append(write_duckdb(out_dir, reports=reports, mentions=mentions, patients=linkage.patients,
                                    links=linkage.links, definitions=list(definitions),
                                    nodules=stored_nodules if stored_nodules.is_file() else None))
    return written


def read_texts(input_path: str | Path, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None,
               ids: set[str] | None = None) -> pd.DataFrame:
    """report_id and text from the original input table (for FNA / tumour sites), chunk by chunk; with ``ids``
    only those reports' texts are kept."""
    from .runner import DEFAULT_CHUNK_SIZE, iter_tables
    from .sources import detect_format

    path = Path(input_path)
    parts = []
    for table, _ in iter_tables(path, detect_format(path, fmt), columns, DEFAULT_CHUNK_SIZE):
        part = table.reports[["report_id", "text"]]
        parts.append(part if ids is None else part[part["report_id"].isin(ids)])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["report_id", "text"])


def pathology_texts(reports: pd.DataFrame, input_path: str | Path, *, columns: ColumnMap = ColumnMap(),
                    fmt: str | None = None) -> pd.DataFrame:
    """The texts linking reads sites from: those of the cytology and surgical pathology reports only."""
    from .api import PATHOLOGY_KINDS

    ids = set(reports.loc[reports["report_kind"].isin(PATHOLOGY_KINDS), "report_id"])
    return read_texts(input_path, columns=columns, fmt=fmt, ids=ids)


def link_dir(
    out_dir: str | Path,
    *,
    input_path: str | Path | None = None,
    columns: ColumnMap = ColumnMap(),
    linking: str | Path | LinkingConfig | None = None,
    definitions: Iterable[str | Path] | None = None,
    definition_ids: Iterable[str] | None = None,
    duckdb: bool = True,
) -> tuple[Linkage, list[Definition]]:
    """Build DIR/patients (+ links, + radpath.duckdb) from DIR/reports. Without ``input_path`` (the report
    table with the texts) the FNA and tumour sites are ``unknown``."""
    reports = read_frame(out_dir, "reports")
    texts = pathology_texts(reports, input_path, columns=columns) if input_path else None
    defs = load_definitions(definitions, only=definition_ids)
    linkage = link_patients(reports, config=_config(linking), texts=texts, definitions=defs,
                            nodules=read_frame(out_dir, "nodules", required=False))
    write_cohort_outputs(out_dir, linkage, defs, reports=reports, duckdb=duckdb)
    return linkage, defs


def read_patients(out_dir: str | Path) -> pd.DataFrame:
    frame = read_frame(out_dir, "patients")
    return frame.astype(str).replace({"nan": "", "<NA>": "", "None": ""})


def ensure_definition_columns(patients: pd.DataFrame, definitions: Iterable[Definition]) -> pd.DataFrame:
    """Add def_<id> for definitions the stored table lacks (e.g. a user definition given after linking)."""
    missing = [d for d in definitions if d.column not in patients.columns]
    return apply_definitions(patients, missing) if missing else patients


def cohort_members(patients: pd.DataFrame, definition: Definition) -> pd.DataFrame:
    """Patients meeting ``definition`` with their index reports and outcome."""
    patients = ensure_definition_columns(patients, [definition])
    columns = ["patient_id", "index_us_report_id", "index_us_date", "us_pattern", "fna_report_id",
               "bethesda_category", "surgery_report_id", "histology", "mass_in_specimen", "final_diagnosis"]
    columns = [c for c in columns if c in patients.columns]
    return patients.loc[patients[definition.column] == "true", columns].reset_index(drop=True)


@dataclass
class Comparison:
    a: Definition
    b: Definition
    crosstab: pd.DataFrame  # rows def_a, columns def_b, counts
    movers: pd.DataFrame  # one row per (patient, criterion) that differs: field, value, in A, in B
    outcome: pd.DataFrame  # final diagnosis of patients in A only / both / B only


def compare_definitions(patients: pd.DataFrame, a: Definition, b: Definition,
                        mentions: pd.DataFrame | None = None) -> Comparison:
    """Cross-tab of two definitions and, for every patient in one but not the other, the field values that
    move them (the criteria whose result differs between the two explanations), with the evidence mention
    text of the index ultrasound when ``mentions`` is given."""
    patients = ensure_definition_columns(patients, [a, b])
    in_a, in_b = patients[a.column] == "true", patients[b.column] == "true"
    crosstab = pd.crosstab(in_a.map({True: f"{a.id}: true", False: f"{a.id}: false"}),
                           in_b.map({True: f"{b.id}: true", False: f"{b.id}: false"}))
    group = pd.Series("neither", index=patients.index)
    group[in_a & in_b] = "both"
    group[in_a & ~in_b] = f"{a.id} only"
    group[~in_a & in_b] = f"{b.id} only"
    outcome = pd.crosstab(group, patients["final_diagnosis"])
    rows = []
    moved = patients[in_a != in_b]
    evidence = _evidence_index(mentions)
    for record in moved.to_dict("records"):
        ex_a, ex_b = explain(a, record), explain(b, record)
        failed = [c for c in ex_a["criteria"] + ex_b["criteria"] if _decisive(c)]
        seen = set()
        for c in failed:
            if c["field"] in seen:
                continue
            seen.add(c["field"])
            rows.append({
                "patient_id": record["patient_id"],
                f"in_{a.id}": ex_a["verdict"], f"in_{b.id}": ex_b["verdict"],
                "field": c["field"], "value": c["value"],
                "index_us_report_id": record.get("index_us_report_id", ""),
                "evidence": evidence(record.get("index_us_report_id", ""), c["field"]),
                "final_diagnosis": record.get("final_diagnosis", ""),
            })
    movers = pd.DataFrame(rows, columns=["patient_id", f"in_{a.id}", f"in_{b.id}", "field", "value",
                                         "index_us_report_id", "evidence", "final_diagnosis"])
    return Comparison(a, b, crosstab, movers, outcome)


def _decisive(criterion: dict) -> bool:
    """A criterion whose outcome keeps the patient out: a failed test, or a passed test inside ``not``."""
    return criterion["passed"] == criterion["criterion"].startswith("not")


def _evidence_index(mentions: pd.DataFrame | None):
    if mentions is None or not len(mentions):
        return lambda report_id, name: ""
    field_labels = load_ruleset().evidence_labels()  # patterns/patient_evidence.tsv
    wanted = ["report_id", "label", "text", "status", "clustering_trigger"]
    m = mentions[[c for c in wanted if c in mentions.columns]].fillna("").astype(str)
    grouped = {k: v for k, v in m.groupby("report_id")}

    def lookup(report_id: str, name: str) -> str:
        labels = field_labels.get(name)
        frame = grouped.get(str(report_id))
        if frame is None or not labels:
            return ""
        hits = frame[frame["label"].isin(labels)]
        if name == "microcalcification_clustered" and "clustering_trigger" in hits.columns:
            cues = [c for c in hits["clustering_trigger"] if c and c not in {"nan", "<NA>"}]
            if cues:
                return "; ".join(f"cluster cue '{c}'" for c in dict.fromkeys(cues))[:500]
        return "; ".join(f"'{t}' ({s})" for t, s in zip(hits["text"], hits["status"]))[:500]

    return lookup


__all__ = ["Cohort", "Comparison", "build_cohort", "link_extraction", "write_cohort_outputs", "link_dir",
           "read_patients", "cohort_members", "compare_definitions", "outcome_table", "read_texts"]
