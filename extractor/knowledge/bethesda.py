"""The Bethesda System for Reporting Thyroid Cytopathology (TBSRTC 2017 / 2023): its six categories, defined once
for the whole package (cytology extraction, linking, case definitions, the audit page), and the malignancy each
category gives a cytology report, read from patterns/pathology/bethesda_categories.tsv. No spaCy here."""
from __future__ import annotations

from pathlib import Path

from ..errors import PatternError
from .rules import read_rule_file

BETHESDA = ("I", "II", "III", "IV", "V", "VI")  # CONTRACT.md: bethesda_category
CYTOLOGY_MALIGNANCY = ("nondiagnostic", "benign", "indeterminate", "suspicious", "malignant")  # CONTRACT.md: malignancy


def read_bethesda_categories(path: Path) -> dict[str, str]:
    """Category -> the malignancy of a cytology report in that category; one row per category, each once."""
    rules = read_rule_file(path, required=["value", "malignancy"],
                           choices={"value": set(BETHESDA), "malignancy": set(CYTOLOGY_MALIGNANCY)})
    found: dict[str, str] = {}
    first: dict[str, str] = {}
    for rule in rules:
        if not rule.get("malignancy"):
            raise PatternError("column 'malignancy' is blank", path=rule.path, line=rule.line, rule_id=rule.id)
        if rule.get("value") in found:
            raise PatternError(f"column 'value': category {rule.get('value')} has two rows (the first is "
                               f"{first[rule.get('value')]})", path=rule.path, line=rule.line, rule_id=rule.id)
        found[rule.get("value")] = rule.get("malignancy")
        first[rule.get("value")] = f"{rule.id} at line {rule.line}"
    missing = [c for c in BETHESDA if c not in found]
    if missing:
        raise PatternError(f"column 'value': no row for categor{'y' if len(missing) == 1 else 'ies'} {missing}",
                           path=str(path))
    return found
