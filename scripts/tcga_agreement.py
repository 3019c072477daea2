"""Agreement of radpath's surgical pathology fields with the TCGA-THCA registry (clinical Biotab) labels.

Runs :func:`extractor.api.extract` over the 200 TCGA THCA pathology reports (report_type "surgical pathology")
and compares, per report, with the registry:

- ptc_subtype        <- histological_type (+ histological_type_other for "Other, specify")
- tumor_focality     <- primary_neoplasm_focus_type
- lymph_node_metastasis <- number_of_lymphnodes_positive_by_he (> 0 present, 0 absent when nodes were examined)
- extrathyroidal_extension <- extrathyroid_carcinoma_present_extension_status (None -> absent, other grades present)
- tumor_size_mm      <- neoplasm_length, or the largest of length / width / depth (cm), within +-1 mm

Registry values "[Not Available]", "[Unknown]", "[Discrepancy]" are skipped. Disagreements are listed by report id
with a reason category. The data are read in place and never copied.

Example:
    PYTHONPATH=. python scripts/tcga_agreement.py --realdata /work/shared/realdata
    PYTHONPATH=. python scripts/tcga_agreement.py --json        # machine-readable summary for tests
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REALDATA = ROOT.parent / "shared" / "realdata"
MISSING = {"", "[Not Available]", "[Unknown]", "[Discrepancy]", "[Not Applicable]", "[Not Evaluated]"}
FIELDS = ("ptc_subtype", "tumor_focality", "lymph_node_metastasis", "extrathyroidal_extension", "tumor_size_mm")
SUBTYPE_OF_TYPE = {
    "Thyroid Papillary Carcinoma - Classical/usual": "classic",
    "Thyroid Papillary Carcinoma - Follicular (>= 99% follicular patterned)": "follicular",
    "Thyroid Papillary Carcinoma - Tall Cell (>= 50% tall cell features)": "tall_cell",
}
ETE_OF_STATUS = {"None": "absent", "Minimal (T3)": "present", "Moderate/Advanced (T4a)": "present",
                 "Very Advanced (T4b)": "present"}


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def registry_labels(row: pd.Series) -> dict[str, object]:
    """The registry's answer per field (None when the registry has no usable value)."""
    out: dict[str, object] = {}
    kind = row["histological_type"]
    if kind in SUBTYPE_OF_TYPE:
        out["ptc_subtype"] = SUBTYPE_OF_TYPE[kind]
    elif kind == "Other, specify":
        other = row["histological_type_other"].lower()
        if "diffuse sclerosing" in other:
            out["ptc_subtype"] = "diffuse_sclerosing"
        elif "follicular carcinoma" in other or "oncocytic carcinoma" in other:
            out["ptc_subtype"] = ""  # not a papillary carcinoma
        elif other and other not in {m.lower() for m in MISSING}:
            out["ptc_subtype"] = "other"
    focus = row["primary_neoplasm_focus_type"]
    if focus in {"Unifocal", "Multifocal"}:
        out["tumor_focality"] = focus.lower()
    positive = _number(row["number_of_lymphnodes_positive_by_he"])
    examined = _number(row["lymph_node_examined_count"])
    if positive is not None and positive > 0:
        out["lymph_node_metastasis"] = "present"
    elif positive == 0 and (examined is None or examined > 0):
        out["lymph_node_metastasis"] = "absent"
    elif row["primary_lymph_node_presentation_assessment"] == "NO" or examined == 0:
        out["lymph_node_metastasis"] = "not_stated"
    ete = ETE_OF_STATUS.get(row["extrathyroid_carcinoma_present_extension_status"])
    if ete:
        out["extrathyroidal_extension"] = ete
    dims = [d for d in (_number(row[c]) for c in ("neoplasm_length", "neoplasm_width", "neoplasm_depth")) if d]
    if _number(row["neoplasm_length"]):
        out["tumor_size_mm"] = (_number(row["neoplasm_length"]) * 10, max(dims) * 10)
    return out


def compare(field: str, registry, predicted: str) -> tuple[bool, str]:
    """(agrees, reason category when it does not)."""
    if field == "tumor_size_mm":
        if not predicted:
            return False, "no size extracted"
        size = float(predicted)
        if any(abs(size - ref) <= 1.0 for ref in registry):
            return True, ""
        if any(abs(size - ref * 10) <= 1.0 or abs(size * 10 - ref) <= 1.0 for ref in registry):
            return False, "unit mismatch (cm/mm)"
        return False, "different tumour or measurement" if size < max(registry) else "larger measurement extracted"
    if predicted == registry:
        return True, ""
    if field == "ptc_subtype" and predicted == "unspecified" and registry == "classic":
        return False, "text names no subtype (registry: classical)"
    if predicted in {"", "not_stated", "unspecified"}:
        return False, "no statement extracted"
    return False, "different value extracted"


def run(realdata: Path) -> dict:
    from extractor.api import extract

    reports = pd.read_csv(realdata / "tcga_thca_reports.csv", keep_default_na=False, dtype=str)
    clinical = pd.read_csv(realdata / "tcga_thca_clinical.tsv", sep="\t", keep_default_na=False, dtype=str)
    clinical = clinical.set_index("bcr_patient_barcode")
    frame = pd.DataFrame({
        "report_id": reports["patient_id"],
        "patient_id": reports["patient_id"],
        "report_date": "",
        "report_type": "surgical pathology",
        "text": reports["text"],
    })
    result = extract(frame).reports.set_index("report_id")
    summary = {f: {"n": 0, "agree": 0, "disagreements": []} for f in FIELDS}
    for report_id, row in result.iterrows():
        if report_id not in clinical.index:
            continue
        labels = registry_labels(clinical.loc[report_id])
        evidence = json.loads(row.get("evidence") or "{}")
        for field in FIELDS:
            if field not in labels:
                continue
            agrees, reason = compare(field, labels[field], str(row[field]))
            summary[field]["n"] += 1
            if agrees:
                summary[field]["agree"] += 1
            else:
                summary[field]["disagreements"].append({
                    "report_id": report_id, "registry": labels[field], "predicted": row[field], "reason": reason,
                    "rule": evidence.get(field, {}).get("rule", ""),
                })
    for field in FIELDS:
        s = summary[field]
        s["agreement"] = s["agree"] / s["n"] if s["n"] else float("nan")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=DEFAULT_REALDATA)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    if not (args.realdata / "tcga_thca_reports.csv").is_file():
        print(f"no TCGA data under {args.realdata}", file=sys.stderr)
        return 2
    summary = run(args.realdata)
    if args.json:
        print(json.dumps(summary, default=str))
        return 0
    for field in FIELDS:
        s = summary[field]
        print(f"{field:28} n={s['n']:4} agreement={s['agreement']:.3f}")
    for field in FIELDS:
        for d in summary[field]["disagreements"]:
            print(f"  {field:26} {d['report_id']:14} registry={d['registry']!s:22} predicted={d['predicted']!s:14} "
                  f"{d['reason']:32} {d['rule']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
