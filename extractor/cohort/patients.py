"""The patients table over tables only (no report text, no spaCy): report rows linked into patients with the case
definitions applied, and the cohorts read back from it - members of a definition, two definitions compared with
the criteria and evidence that move each patient.

The job that builds it from reports (``build_cohort``, ``link_dir``) is extractor.run.api.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import pandas as pd

from ..knowledge.definitions import (
    Definition,
    apply_definitions,
    explain,
    load_definitions,
)
from ..knowledge.ruleset import load_ruleset
from ..tables.store import read_frame
from .linking import Linkage, LinkingConfig, link_patients, load_linking_config


def linking_config(linking) -> LinkingConfig:
    """A LinkingConfig as given, or loaded from a file (None: patterns/linking.toml)."""
    if isinstance(linking, LinkingConfig):
        return linking
    return load_linking_config(linking)


def link_extraction(extraction, texts: pd.DataFrame | None = None, *, linking=None,
                    definitions: Iterable[str | Path] | None = None,
                    definition_ids: Iterable[str] | None = None) -> tuple[Linkage, list[Definition]]:
    """Link an api.Extraction (what ``radpath extract`` just produced): its tables only. ``texts`` is accepted and
    ignored (deprecated: sites are report columns)."""
    return link_patients_in(extraction.reports, texts, linking=linking, definitions=definitions,
                            definition_ids=definition_ids, nodules=extraction.nodules)


def link_patients_in(reports: pd.DataFrame, texts: pd.DataFrame | None = None, *, linking=None,
                     definitions: Iterable[str | Path] | None = None,
                     definition_ids: Iterable[str] | None = None,
                     nodules: pd.DataFrame | None = None) -> tuple[Linkage, list[Definition]]:
    """Link a reports table (DIR/reports) into patients and apply the case definitions (``nodules``:
    DIR/nodules, for the index nodule)."""
    defs = load_definitions(definitions, only=definition_ids)
    return link_patients(reports, config=linking_config(linking), texts=texts, definitions=defs, nodules=nodules), defs


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
