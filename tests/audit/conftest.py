"""Fixtures for the audit tests: an extracted sample, a stand-in patients table built from the contract columns
(NOT the project's linking: just enough rows to exercise the page), definition files, and synthetic cohorts."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from extractor.knowledge.resources import sample_dir

SAMPLE = sample_dir()
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

DEFINITIONS = {
    "yoon2011_dmo": '''id = "yoon2011_dmo"
title = "Diffuse microcalcifications only (Yoon 2011)"
citation = "Yoon JH et al. Ann Surg Oncol 2011;18(10):2899-2906"
rationale = "Microcalcifications throughout a lobe or the gland without a mass."
[criteria]
all = [
  { field = "us_pattern", in = ["microcalcifications_only"] },
  { field = "microcalcification_extent", in = ["diffuse"] },
]
''',
    "any_microcalcification": '''id = "any_microcalcification"
title = "Microcalcifications on the index ultrasound"
citation = "radpath test definition"
rationale = "Any microcalcification pattern."
[criteria]
all = [
  { field = "us_pattern", in = ["microcalcifications_only", "microcalcifications_with_mass"] },
]
''',
}
PATIENT_COLUMNS = [
    "patient_id", "index_us_report_id", "index_us_date", "us_pattern", "microcalcification_clustered",
    "microcalcification_extent", "focal_echogenicity_change", "fna_report_id", "bethesda_category",
    "surgery_report_id", "histology", "ptc_subtype", "mass_in_specimen", "psammoma_bodies", "final_diagnosis",
]


def stand_in_patients(reports: pd.DataFrame) -> pd.DataFrame:
    """One row per patient with an ultrasound, in the contract's columns (first US, first FNA / surgery after)."""
    rows = []
    for pid, group in reports.sort_values(["report_date", "report_id"]).groupby("patient_id", sort=True):
        us = group[group["report_kind"] == "ultrasound"]
        if us.empty:
            continue
        index = us.iloc[0]
        after = group[group["report_date"] >= index["report_date"]]
        fna = after[after["report_kind"] == "cytology"].head(1)
        sp = after[after["report_kind"] == "surgical_pathology"].head(1)
        micro = index["microcalcifications"] in ("present", "uncertain")
        mass = index["mass"] in ("present", "uncertain")
        pattern = {(True, False): "microcalcifications_only", (True, True): "microcalcifications_with_mass",
                   (False, True): "mass_only", (False, False): "negative"}[(micro, mass)]
        row = dict.fromkeys(PATIENT_COLUMNS, "")
        row.update(patient_id=pid, index_us_report_id=index["report_id"], index_us_date=index["report_date"],
                   us_pattern=pattern, microcalcification_clustered=index["microcalcification_clustered"],
                   microcalcification_extent=index["microcalcification_extent"],
                   focal_echogenicity_change=index["focal_echogenicity_change"])
        if len(fna):
            row.update(fna_report_id=fna.iloc[0]["report_id"], bethesda_category=fna.iloc[0]["bethesda_category"])
        if len(sp):
            s = sp.iloc[0]
            row.update(surgery_report_id=s["report_id"], histology=s["histology"], ptc_subtype=s["ptc_subtype"],
                       mass_in_specimen=s["mass_in_specimen"], psammoma_bodies=s["psammoma_bodies"])
        source = sp.iloc[0]["malignancy"] if len(sp) else (fna.iloc[0]["malignancy"] if len(fna) else "")
        row["final_diagnosis"] = {"malignant": "malignant", "suspicious": "malignant", "benign": "benign",
                                  "indeterminate": "indeterminate"}.get(source, "unknown")
        row["def_yoon2011_dmo"] = str(pattern == "microcalcifications_only"
                                      and row["microcalcification_extent"] == "diffuse").lower()
        row["def_any_microcalcification"] = str(micro).lower()
        row["flag_us_no_mass_specimen_mass"] = str(index["mass"] == "absent"
                                                   and row["mass_in_specimen"] == "present").lower()
        rows.append(row)
    return pd.DataFrame(rows)


def write_definitions(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in DEFINITIONS.items():
        (directory / f"{name}.toml").write_text(body, encoding="utf-8")
    return directory


@pytest.fixture(scope="session")
def extracted(tmp_path_factory) -> Path:
    """corpora/sample extracted once per session: reports, mentions, errors only (no patients, no manifest)."""
    from extractor.run.api import extract_file

    out = tmp_path_factory.mktemp("audit-sample")
    extract_file(SAMPLE / "reports.csv", out)
    for extra in ("patients.csv", "patients.parquet", "links.csv", "links.parquet", "manifest.json",
                  "radpath.duckdb"):
        (out / extra).unlink(missing_ok=True)
    return out


@pytest.fixture
def linked(extracted, tmp_path) -> Path:
    """A copy of the extracted sample with a stand-in patients table, definitions and a manifest."""
    out = tmp_path / "run"
    out.mkdir()
    for name in ("reports", "mentions", "errors"):
        for ext in ("csv", "parquet"):
            (out / f"{name}.{ext}").write_bytes((extracted / f"{name}.{ext}").read_bytes())
    # the stand-in table replaces whatever the project's linking wrote, so these tests do not follow its rules
    reports = pd.read_csv(out / "reports.csv", dtype=str, keep_default_na=False)
    stand_in_patients(reports).to_csv(out / "patients.csv", index=False)
    write_definitions(tmp_path / "definitions")
    (out / "manifest.json").write_text(json.dumps({"input": str(SAMPLE / "reports.csv"),
                                                   "definitions": str(tmp_path / "definitions")}))
    return out


XSS_TEXT = ('THYROID US\nFindings: <script>document.title="pwned"</script> a 5 mm nodule with '
            'microcalcifications <img src=x onerror="document.title=\'pwned\'"> </textarea></pre>'
            '<svg onload="document.title=\'pwned\'"> & "quotes" \'single\' {{ 7*7 }} --> <!--\n'
            'Impression: no mass. <a href="javascript:alert(1)">x</a> <iframe src="http://evil.example/"></iframe>')


def synthetic_cohort(n_patients: int, out: Path, *, seed: int = 7, xss_every: int = 0) -> Path:
    """A DIR for ``n_patients`` synthetic patients (US + often FNA + sometimes surgery), written without running
    the NLP: the rows only need to look like extract's output. Returns DIR; texts go to DIR/input.csv."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    us_text = ("THYROID US\nRight lobe: innumerable microcalcifications scattered throughout the lobe without discrete "
               "mass. Left lobe: no focal lesion.\nImpression: diffuse microcalcifications, r/o PTC. " * 2)
    fna_text = "FNA thyroid, right.\nDiagnosis: Bethesda category VI, papillary thyroid carcinoma. Psammoma bodies present."
    sp_text = "Surgical pathology: total thyroidectomy.\nGross: a 1.2 cm firm nodule in the right lobe.\nDiagnosis: papillary carcinoma."
    texts, reports, mentions, patients = [], [], [], []
    for p in range(n_patients):
        pid = f"S{p:05d}"
        d0 = pd.Timestamp("2020-01-01") + pd.Timedelta(days=rng.randrange(900))
        kinds = [("ultrasound", us_text, 0)]
        if rng.random() < 0.7:
            kinds.append(("cytology", fna_text, rng.randrange(5, 40)))
        if rng.random() < 0.4:
            kinds.append(("surgical_pathology", sp_text, rng.randrange(40, 200)))
        ids = {}
        for k, (kind, text, delay) in enumerate(kinds):
            rid = f"{pid}-{k}"
            ids[kind] = rid
            if xss_every and p % xss_every == 0 and kind == "ultrasound":
                text = XSS_TEXT + "\n" + text
            date = (d0 + pd.Timedelta(days=delay)).strftime("%Y-%m-%d")
            texts.append({"report_id": rid, "patient_id": pid, "report_date": date, "report_type": kind, "text": text})
            evidence = {}
            if kind == "ultrasound":
                word = "microcalcifications"
                start = text.index(word)
                neg = text.index("mass", start)
                mentions.append(_mention(rid, pid, 0, "MICROCALCIFICATION", text, start, start + len(word)))
                mentions.append(_mention(rid, pid, 1, "NODULE", text, neg, neg + 4, negated=text.index("without")))
                evidence = {"microcalcifications": {"mentions": [0], "rule": "precedence rank 1"},
                            "mass": {"mentions": [1], "rule": "precedence rank 3"}}
            reports.append({"report_id": rid, "patient_id": pid, "report_date": date, "report_kind": kind,
                            "microcalcifications": "present" if kind == "ultrasound" else "",
                            "microcalcification_extent": "diffuse" if kind == "ultrasound" else "",
                            "mass": "absent" if kind == "ultrasound" else "",
                            "bethesda_category": rng.choice(["II", "III", "IV", "V", "VI"]) if kind == "cytology" else "",
                            "malignancy": {"cytology": "malignant", "surgical_pathology": rng.choice(["malignant", "benign"])}.get(kind, ""),
                            "mass_in_specimen": "present" if kind == "surgical_pathology" else "",
                            "report_type": kind, "n_mentions": 2 if kind == "ultrasound" else 0,
                            "evidence": json.dumps(evidence)})
        dx = next((r["malignancy"] for r in reversed(reports[-len(kinds):]) if r["malignancy"]), "unknown")
        pattern = rng.choice(["microcalcifications_only", "microcalcifications_with_mass", "mass_only", "negative"])
        patients.append({"patient_id": pid, "index_us_report_id": ids["ultrasound"], "index_us_date": d0.strftime("%Y-%m-%d"),
                         "us_pattern": pattern, "microcalcification_clustered": "false",
                         "microcalcification_extent": "diffuse", "focal_echogenicity_change": "absent",
                         "fna_report_id": ids.get("cytology", ""),
                         "bethesda_category": next((r["bethesda_category"] for r in reports[-len(kinds):] if r["bethesda_category"]), ""),
                         "surgery_report_id": ids.get("surgical_pathology", ""), "histology": "", "ptc_subtype": "",
                         "mass_in_specimen": "present" if "surgical_pathology" in ids else "", "psammoma_bodies": "",
                         "final_diagnosis": dx,
                         "def_yoon2011_dmo": str(pattern == "microcalcifications_only").lower(),
                         "def_any_microcalcification": str(pattern.startswith("micro")).lower(),
                         "flag_us_no_mass_specimen_mass": str("surgical_pathology" in ids).lower()})
    pd.DataFrame(texts).to_csv(out / "input.csv", index=False)
    pd.DataFrame(reports).to_csv(out / "reports.csv", index=False)
    pd.DataFrame(mentions).to_csv(out / "mentions.csv", index=False)
    pd.DataFrame(patients).to_csv(out / "patients.csv", index=False)
    defs = write_definitions(out / "definitions")
    (out / "manifest.json").write_text(json.dumps({"input": str(out / "input.csv"), "definitions": str(defs)}))
    return out


def _mention(rid, pid, idx, label, text, start, end, *, negated=None):
    sentence_start = text.rfind("\n", 0, start) + 1
    sentence_end = text.find(".", end) + 1 or len(text)
    row = {"report_id": rid, "patient_id": pid, "mention_index": idx, "section": "findings", "label": label,
           "text": text[start:end], "start_char": start, "end_char": end, "sentence": text[sentence_start:sentence_end],
           "sentence_start": sentence_start, "sentence_end": sentence_end, "rule_id": f"t-{idx:03d}",
           "rule_literal": label.lower(), "status": "negated" if negated is not None else "affirmed",
           "status_reason": "negated: neg-001 'without'" if negated is not None else "",
           "negated": negated is not None, "negated_trigger": "without" if negated is not None else "",
           "negated_trigger_start": negated if negated is not None else "", "negated_rule": "neg-001" if negated is not None else ""}
    for mod in ("uncertain", "historical", "hypothetical", "family"):
        row.update({mod: False, f"{mod}_trigger": "", f"{mod}_trigger_start": "", f"{mod}_rule": ""})
    return row


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def xss_text() -> str:
    return XSS_TEXT


@pytest.fixture(scope="session")
def make_cohort():
    """synthetic_cohort(n_patients, out, *, seed=7, xss_every=0) -> DIR."""
    return synthetic_cohort


def link_directory(out: Path, input_path: Path, definitions: Path) -> Path:
    """Give an extracted DIR a stand-in patients table, definition files and a manifest naming its input,
    unless `radpath extract` has linked patients itself (then its table and definitions are used)."""
    if (out / "patients.parquet").is_file() or (out / "patients.csv").is_file():
        return out
    reports = pd.read_csv(out / "reports.csv", dtype=str, keep_default_na=False)
    stand_in_patients(reports).to_csv(out / "patients.csv", index=False)
    write_definitions(definitions)
    (out / "manifest.json").write_text(json.dumps({"input": str(input_path), "definitions": str(definitions)}))
    return out


@pytest.fixture(scope="session")
def link():
    """link_directory(out, input_path, definitions_dir) -> out."""
    return link_directory
