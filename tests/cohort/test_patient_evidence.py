"""patterns/patient_evidence.tsv says which mentions a patients field's evidence quotes (radpath compare)."""
import shutil

import pandas as pd
import pytest

from extractor.cohort import patients as cohort_api
from extractor.errors import PatternError
from extractor.knowledge.resources import PATTERNS_ENV, patterns_dir
from extractor.knowledge.ruleset import load_ruleset

MENTIONS = pd.DataFrame([
    {"report_id": "R1", "label": "NODULE", "text": "1 cm nodule", "status": "affirmed", "clustering_trigger": ""},
    {"report_id": "R1", "label": "PSEUDONODULE", "text": "pseudonodule", "status": "affirmed", "clustering_trigger": ""},
])


def _copy_with(tmp_path, rule_id, row):
    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    path = copy / "patient_evidence.tsv"
    lines = [row if line.split("\t")[0] == rule_id else line for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copy, path


def test_shipped_rows():
    labels = load_ruleset().evidence_labels()
    assert labels["mass"] == {"NODULE"} and labels["us_pattern"] == {"MICROCALCIFICATION", "NODULE"}


def test_compare_evidence_quotes_the_labels_of_the_file(tmp_path, monkeypatch):
    assert cohort_api._evidence_index(MENTIONS)("R1", "mass") == "'1 cm nodule' (affirmed)"
    copy, _ = _copy_with(tmp_path, "pev-005", "pev-005\tmass\tPSEUDONODULE\t")
    monkeypatch.setenv(PATTERNS_ENV, str(copy))
    assert cohort_api._evidence_index(MENTIONS)("R1", "mass") == "'pseudonodule' (affirmed)"


@pytest.mark.parametrize("row, message", [
    ("pev-005\tmass\tNODULES\t", "column 'label': 'NODULES' has no file in targets/"),
    ("pev-005\tmasses\tNODULE\t", "field 'masses' is not one of"),
])
def test_a_bad_row_names_file_line_and_rule(tmp_path, row, message):
    copy, path = _copy_with(tmp_path, "pev-005", row)
    with pytest.raises(PatternError) as e:
        load_ruleset(copy)
    assert message in str(e.value) and f"{path}:" in str(e.value) and "(rule pev-005)" in str(e.value)
