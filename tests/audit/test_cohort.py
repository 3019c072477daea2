"""Cohort numbers: Wilson intervals, the pattern x diagnosis table, definition flows."""
import pandas as pd
import pytest

from extractor.audit import cohort as C
from extractor.audit import load_audit_data
from extractor.audit.patientview import expectation


@pytest.mark.parametrize("k, n, lo, hi", [
    (5, 5, 0.5655, 1.0),      # all malignant: upper bound 1, lower well below it
    (0, 10, 0.0, 0.2775),
    (16, 26, 0.4254, 0.7757),  # Yoon 2011: 16/26
    (0, 0, 0.0, 0.0),
])
def test_wilson_interval(k, n, lo, hi):
    got = C.wilson(k, n)
    assert got == pytest.approx((lo, hi), abs=1e-3)


def test_rate_leaves_unknown_and_indeterminate_out_of_the_denominator():
    group = pd.DataFrame({"final_diagnosis": ["malignant", "malignant", "benign", "unknown", "indeterminate"]})
    rate = C.rate_of("g", group)
    assert (rate.n, rate.malignant, rate.benign, rate.known) == (5, 2, 1, 3)
    assert rate.rate == pytest.approx(2 / 3)
    assert rate.text().startswith("67% (")


def test_pattern_by_diagnosis_counts_every_patient_once():
    patients = pd.DataFrame({
        "us_pattern": ["microcalcifications_only", "microcalcifications_only", "mass_only", "negative"],
        "final_diagnosis": ["malignant", "benign", "", "benign"],
    })
    table = C.pattern_by_diagnosis(patients)
    assert table.total == 4 and sum(table.counts.values()) == 4
    assert table.counts[("mass_only", "unknown")] == 1
    assert table.rates["microcalcifications_only"].rate == 0.5
    assert table.rows == ["microcalcifications_only", "mass_only", "negative"]


def test_flows_and_plots_on_the_linked_sample(linked):
    data = load_audit_data(linked)
    flows = {f.id: f for f in C.definition_flows(data)}
    dmo = flows["yoon2011_dmo"]
    members = data.patients[data.patients["def_yoon2011_dmo"] == "true"]
    assert dmo.members == len(members)
    assert dmo.with_surgery == (members["surgery_report_id"] != "").sum()
    assert all(d >= 0 for d in C.days_to_surgery(data))
    counts, unit = C.bethesda_counts(data)
    assert sum(counts.values()) == (data.patients["bethesda_category"] != "").sum()


@pytest.mark.parametrize("criterion, shown, allowed, negate", [
    ({"field": "x", "equals": "a"}, "= a", {"a"}, False),
    ({"field": "x", "in": ["a", "b"]}, "one of a, b", {"a", "b"}, False),
    ({"field": "x", "not_equals": "a"}, "≠ a", {"a"}, True),
    ({"field": "x", "equals": True}, "= true", {"true"}, False),
    ({"field": "x", "op": ">=", "value": 3}, ">= 3", None, False),
])
def test_criterion_expectations(criterion, shown, allowed, negate):
    assert expectation(criterion) == (shown, allowed, negate)
