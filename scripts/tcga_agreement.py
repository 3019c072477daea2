"""Agreement of radpath's surgical pathology fields with the TCGA-THCA registry (clinical Biotab) labels.

Runs :func:`extractor.run.api.extract` over the 200 TCGA THCA pathology reports (report_type "surgical pathology")
and compares, per report, with the registry:

- ptc_subtype        <- histological_type (+ histological_type_other for "Other, specify")
- tumor_focality     <- primary_neoplasm_focus_type
- lymph_node_metastasis <- number_of_lymphnodes_positive_by_he (> 0 present, 0 absent when nodes were examined)
- extrathyroidal_extension <- extrathyroid_carcinoma_present_extension_status (None -> absent, other grades present)
- tumor_size_mm      <- neoplasm_length, or the largest of length / width / depth (cm), within +-1 mm

Registry values "[Not Available]", "[Unknown]", "[Discrepancy]" are skipped. Disagreements are listed by report id
with a reason category. The data are read in place and never copied.

Hold-out (docs/pathology.md): ``--subset holdout`` scores only the fixed random third of the reports set aside
before the issue-11 rule work (``holdout_ids``: seed HOLDOUT_SEED, sorted barcodes, random.Random(seed).sample);
``--subset development`` the other two thirds, on which rules are developed. Besides the raw and comparable
agreement, each field reports ``stated`` (radpath states a value), ``stated_agreement`` (agreement with the
registry among those) and ``coverage`` (stated / cases with a registry value).

Example:
    PYTHONPATH=. python scripts/tcga_agreement.py --realdata /work/shared/realdata
    PYTHONPATH=. python scripts/tcga_agreement.py --json        # machine-readable summary for tests
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REALDATA = ROOT.parent / "shared" / "realdata"
MISSING = {"", "[Not Available]", "[Unknown]", "[Discrepancy]", "[Not Applicable]", "[Not Evaluated]"}
HOLDOUT_SEED = 20261111
HOLDOUT_SHARE = 3  # one report in three
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


# -- reason categories ---------------------------------------------------------------------------------------
# Each disagreement gets one reason, decided from the report text and the registry alone (no manual review):
#
#   text_states_no_value        the report has no wording for the field at all (FIELD_WORDING below, deliberately
#                               broader than the extractor's rules); the registry value cannot come from the text.
#                               Excluded from the comparable agreement.
#   registry_value_not_in_text  tumor_size_mm only: the text has measurements, but none within +-1 mm of any
#                               registry dimension (read as cm or as mm). Excluded.
#   registry_codes_other_tumour tumor_size_mm only: the extracted size was read from a size checklist key or a
#                               carcinoma clause (not the gross fallback),
#                               the registry's size is also stated in the text and is smaller, i.e. the registry
#                               coded another (smaller) focus than the largest one the contract asks for. Excluded.
#   registry_value_not_in_text  (categorical fields) the extractor gave a value, and the text has no wording at all for
#                               the registry's value (VALUE_WORDING below), e.g. registry "classical" but the only
#                               subtype named is "follicular variant". Excluded.
#   text_names_both_values      ptc_subtype only: the text names both the registry's subtype and the extracted one
#                               (mixed pattern or two tumours); the registry's choice is not in the text. Excluded.
#   registry_value_only_as_lookalike  ptc_subtype only: every mention of the registry's subtype is a documented
#                               look-alike in patterns/pathology/ptc_subtype.tsv (value none, e.g. "focal tall cell
#                               features" without a >= 50 % share), which the contract says is not that subtype. Excluded.
#   extractor_miss              the text has wording for the field, the extractor gave no value
#                               (not_stated / unspecified / empty). Counted.
#   extractor_wrong             the extractor gave a different value. Counted.
#
# Raw agreement = agree / n. Comparable agreement = agree / (n - excluded), excluded = the EXCLUDED_REASONS.
EXCLUDED_REASONS = ("text_states_no_value", "registry_value_not_in_text", "registry_codes_other_tumour",
                    "text_names_both_values", "registry_value_only_as_lookalike")
COUNTED_REASONS = ("extractor_miss", "extractor_wrong")
# Broad "is there any wording for this field" regexes (case-insensitive). A hit anywhere in the report, even in a
# heading or a blank form, makes the case comparable: a doubtful case counts against the extractor.
FIELD_WORDING = {
    # any subtype / variant / architecture word, or a subtype name
    "ptc_subtype": r"variant|subtype|classic|conventional|usual|tall[\s\-]*cell|columnar|hobnail|sclerosing|warthin"
                   r"|follicular\s+(?:pattern|architecture|growth|type|patterned|features)|papillary\s+type",
    # any focality word, foci / focus, counts or sides of tumours, TNM (m)
    "tumor_focality": r"focality|mu[il1]ti[\s\-]*(?:focal|centric)|uni[\s\-]*focal|unicentric|foci\b|\bfocus\b|solitary"
                      r"|single\s+(?:tumou?r|nodule|lesion|mass)|bilateral|both\s+lobes|\(m\)|\bm\s?p?T\d"
                      r"|(?:separate|additional|second|another|satellite|other)\s+(?:\w+\s+){0,2}?"
                      r"(?:tumou?r|nodule|lesion|(?:micro)?carcinoma)|(?:two|three|four|five|several|multiple)\s+"
                      r"(?:\w+\s+){0,2}?(?:tumou?rs|nodules|lesions|(?:micro)?carcinomas)",
    # any node word, pN, N category after a T category ("lymph" as a word: lymphocytes, lymphocytic thyroiditis and
    # lymphovascular invasion say nothing about nodes)
    "lymph_node_metastasis": r"lymph(?![a-z])|lymph(?:[\s\-]*nod|aden)|\bnodes?\b|nodal|\bp?N[0-3xX][abc]?\b|\bLNs?\b",
    # any extension / confinement wording; a T category alone is not counted (its meaning for microscopic ETE
    # changed between AJCC 7 and 8)
    "extrathyroidal_extension": r"extra[\s\-‐‑–]*thyr|peri[\s\-]*thyr|extra[\s\-‐‑–]*capsular|confine|limited\s+to\s+(?:the\s+)?thyroid"
                                r"|intra[\s\-]*thyroid|beyond\s+(?:the\s+)?(?:thyroid|capsule)|strap\s+muscle"
                                r"|skeletal\s+muscle|soft\s+tissue\s+(?:invasion|extension)|\bETE\b"
                                r"|(?:invad|infiltrat|extend)\w*\s+(?:\w+\s+){0,3}?(?:fat|adipose|muscle|soft\s+tissue|trachea)",
    # any number with a length unit
    "tumor_size_mm": r"\d\s*(?:cm|mm)\b",
}
# Wording for one registry value; a value without an entry is never judged absent from the text.
VALUE_WORDING = {
    "ptc_subtype": {
        "classic": r"classic|conventional|usual",
        "follicular": r"follicular\s+(?:variant|pattern|subtype|type|architecture|patterned|growth)|fvptc",
        "tall_cell": r"tall[\s\-]*cell",
        "diffuse_sclerosing": r"sclerosing",
    },
    "tumor_focality": {
        "multifocal": r"mu[il1]ti|foci\b|bilateral|both\s+lobes|separate|additional|second|another|satellite|\(m\)"
                      r"|\bm\s?p?T\d|\b(?:two|three|four|five|six|several)\b",
    },
    "lymph_node_metastasis": {
        "present": r"metasta|positive|involved|\bp?N\s?1|\b[1-9]\d?\s*/\s*\d",
    },
    "extrathyroidal_extension": {
        "present": r"extra[\s\-‐‑–]*thyr|peri[\s\-]*thyr|invad|invasion|extend|extension|muscle|soft\s+tissue|\bp?T\s?[34]",
    },
}
# a measurement: numbers joined by "x" and followed by a length unit (each number read in that unit)
_MEASUREMENT = re.compile(r"((?:\d{1,3}(?:\.\d{1,2})?|\.\d{1,2})(?:\s*[x×X*]\s*(?:\d{1,3}(?:\.\d{1,2})?|\.\d{1,2}))*)\s*(cm|mm)\b",
                          re.IGNORECASE)
_TUMOUR_WORD = re.compile(r"carcinoma|tumou?r|nodule|focus|mass|lesion|neoplasm|size|dimension", re.I)


def has_wording(field: str, text: str) -> bool:
    return re.search(FIELD_WORDING[field], text, re.IGNORECASE) is not None


def _text_numbers(text: str) -> list[tuple[float, int]]:
    """Every number of every measurement in the text, in millimetres, with its position."""
    out = []
    for m in _MEASUREMENT.finditer(text):
        factor = 10.0 if m.group(2).lower() == "cm" else 1.0
        for n in re.finditer(r"\d*\.?\d+", m.group(1)):
            out.append((float(n.group(0)) * factor, m.start()))
    return out


_LOOKALIKES: list[re.Pattern] = []


def _only_lookalikes(value_regex: str, text: str) -> bool:
    """True when the value is worded in the text and every such wording lies inside a subtype look-alike."""
    if not _LOOKALIKES:
        from extractor.knowledge.pathology_rules import read_pathology_rules
        rules = read_pathology_rules(ROOT / "patterns" / "pathology", ())
        _LOOKALIKES.extend(r.regex for r in rules.subtypes if r.get("value") == "none")
    spans = [(m.start(), m.end()) for rx in _LOOKALIKES for m in rx.finditer(text)]
    found = list(re.finditer(value_regex, text, re.IGNORECASE))
    return bool(found) and all(any(a <= m.start() and m.end() <= b for a, b in spans) for m in found)


def reason(field: str, registry, predicted: str, text: str, rule: str) -> str:
    """The reason category of one disagreement (see the table above)."""
    if not has_wording(field, text):
        return "text_states_no_value"
    if field == "ptc_subtype" and predicted == "" and not re.search(r"papillary", text, re.I):
        return "text_states_no_value"  # the text never names a papillary carcinoma
    if field == "tumor_size_mm":
        numbers = _text_numbers(text)
        if not any(abs(n - ref) <= 1.0 for n, _ in numbers for ref in registry):
            return "registry_value_not_in_text"
        if predicted:
            size = float(predicted)
            pos = [int(x) for x in re.findall(r"size@(\d+)", rule)]
            # only a size the extractor read as the tumour's (a checklist size key or a carcinoma clause), not a
            # gross-lesion fallback
            stated = bool(pos) and rule.startswith(("key-", "his-")) and \
                _TUMOUR_WORD.search(text[max(0, pos[0] - 120):pos[0] + 60]) is not None
            if stated and size > max(registry) + 1.0 and any(
                    abs(n - ref) <= 1.0 for n, _ in numbers for ref in registry if ref < size):
                return "registry_codes_other_tumour"
    wording = VALUE_WORDING.get(field, {})
    if field == "ptc_subtype" and registry in wording and _only_lookalikes(wording[registry], text):
        return "registry_value_only_as_lookalike"
    if predicted in {"", "not_stated", "unspecified"}:
        return "extractor_miss"
    if isinstance(registry, str) and registry in wording:
        if not re.search(wording[registry], text, re.IGNORECASE):
            return "registry_value_not_in_text"
        if field == "ptc_subtype" and predicted in wording and re.search(wording[predicted], text, re.IGNORECASE):
            return "text_names_both_values"
    return "extractor_wrong"


def agrees(field: str, registry, predicted: str) -> bool:
    if field == "tumor_size_mm":
        return bool(predicted) and any(abs(float(predicted) - ref) <= 1.0 for ref in registry)
    return predicted == registry


def holdout_ids(ids) -> set[str]:
    """The hold-out third: a fixed random sample (seed HOLDOUT_SEED) of the sorted report ids."""
    ordered = sorted(set(ids))
    return set(random.Random(HOLDOUT_SEED).sample(ordered, round(len(ordered) / HOLDOUT_SHARE)))


def _unstated(field: str, predicted: str) -> bool:
    return predicted in {"", "not_stated", "unspecified"}


def run(realdata: Path, subset: str = "all") -> dict:
    from extractor.run.api import extract

    reports = pd.read_csv(realdata / "tcga_thca_reports.csv", keep_default_na=False, dtype=str)
    if subset != "all":
        held = holdout_ids(reports["patient_id"])
        keep = reports["patient_id"].isin(held)
        reports = reports[keep if subset == "holdout" else ~keep].reset_index(drop=True)
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
    texts = dict(zip(reports["patient_id"], reports["text"]))
    summary = {f: {"n": 0, "agree": 0, "stated": 0, "stated_agree": 0, "disagreements": []} for f in FIELDS}
    for report_id, row in result.iterrows():
        if report_id not in clinical.index:
            continue
        labels = registry_labels(clinical.loc[report_id])
        evidence = json.loads(row.get("evidence") or "{}")
        for field in FIELDS:
            if field not in labels:
                continue
            predicted = str(row[field])
            summary[field]["n"] += 1
            summary[field]["stated"] += not _unstated(field, predicted)
            if agrees(field, labels[field], predicted):
                summary[field]["agree"] += 1
                summary[field]["stated_agree"] += not _unstated(field, predicted)
                continue
            rule = evidence.get(field, {}).get("rule", "")
            summary[field]["disagreements"].append({
                "report_id": report_id, "registry": labels[field], "predicted": predicted,
                "reason": reason(field, labels[field], predicted, texts[report_id], rule), "rule": rule,
            })
    for field in FIELDS:
        s = summary[field]
        s["by_reason"] = {r: sum(d["reason"] == r for d in s["disagreements"]) for r in (*EXCLUDED_REASONS, *COUNTED_REASONS)}
        s["excluded"] = sum(s["by_reason"][r] for r in EXCLUDED_REASONS)
        s["comparable_n"] = s["n"] - s["excluded"]
        s["agreement"] = s["agree"] / s["n"] if s["n"] else float("nan")
        s["comparable_agreement"] = s["agree"] / s["comparable_n"] if s["comparable_n"] else float("nan")
        s["excluded_share"] = s["excluded"] / s["n"] if s["n"] else float("nan")
        s["coverage"] = s["stated"] / s["n"] if s["n"] else float("nan")
        s["stated_agreement"] = s["stated_agree"] / s["stated"] if s["stated"] else float("nan")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=DEFAULT_REALDATA)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--disagreements", choices=("none", "counted", "all"), default="all",
                        help="which disagreements to list: none, only extractor_miss / extractor_wrong, or all")
    parser.add_argument("--field", choices=FIELDS, action="append", help="list only this field (repeatable)")
    parser.add_argument("--subset", choices=("all", "development", "holdout"), default="all",
                        help="all 200 reports, the development two thirds, or the hold-out third (docs/pathology.md)")
    args = parser.parse_args(argv)
    if not (args.realdata / "tcga_thca_reports.csv").is_file():
        print(f"no TCGA data under {args.realdata}", file=sys.stderr)
        return 2
    summary = run(args.realdata, args.subset)
    if args.json:
        print(json.dumps(summary, default=str))
        return 0
    print(f"{'field':26} {'n':>4} {'raw':>6} {'excl':>5} {'comparable':>10} {'stated':>6} {'agree|st':>8} {'coverage':>8}"
          "  excluded by reason / counted by reason")
    for field in FIELDS:
        s = summary[field]
        reasons = ", ".join(f"{r}={c}" for r, c in s["by_reason"].items() if c)
        print(f"{field:26} {s['n']:4} {s['agreement']:6.3f} {s['excluded']:5} {s['comparable_agreement']:10.3f} "
              f"{s['stated']:6} {s['stated_agreement']:8.3f} {s['coverage']:8.3f}  {reasons}")
    if args.disagreements == "none":
        return 0
    for field in args.field or FIELDS:
        for d in summary[field]["disagreements"]:
            if args.disagreements == "counted" and d["reason"] not in COUNTED_REASONS:
                continue
            print(f"  {field:26} {d['report_id']:14} registry={d['registry']!s:22} predicted={d['predicted']!s:14} "
                  f"{d['reason']:28} {d['rule']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
