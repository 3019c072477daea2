"""patterns/precedence.tsv drives how several mentions of one field become the report value, and is validated."""
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.errors import PatternError
from extractor.knowledge.resources import patterns_dir
from extractor.knowledge.ruleset import load_ruleset

# one negated and one hedged microcalcification mention: rank 2 (uncertain) beats rank 3 (absent) as shipped
TEXT = ("THYROID ULTRASOUND\nFINDINGS: No microcalcifications in the right lobe. Tiny echogenic foci in the left "
        "lobe, possibly microcalcifications.")


def _copy(tmp_path):
    copy = tmp_path / "patterns"
    shutil.copytree(patterns_dir(), copy)
    return copy


def _edit(copy, rows):
    """Rewrite precedence.tsv's rows: rows maps a rule id to its new (rank, value)."""
    path = copy / "precedence.tsv"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if cells[0] in rows:
            cells[1], cells[2] = rows[cells[0]]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _extract(tmp_path, patterns=None):
    source = tmp_path / "reports.csv"
    pd.DataFrame([{"report_id": "R1", "patient_id": "P1", "report_date": "2024-01-02", "report_type": "US",
                   "text": TEXT}]).to_csv(source, index=False)
    out = tmp_path / ("out-edited" if patterns else "out")
    args = ["extract", str(source), "--out", str(out), "--no-link"] + (["--patterns", str(patterns)] if patterns else [])
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out / "reports.parquet").iloc[0]


def test_editing_precedence_tsv_changes_the_report_value(tmp_path):
    assert _extract(tmp_path)["microcalcifications"] == "uncertain"
    copy = _copy(tmp_path)
    _edit(copy, {"prec-002": ("3", "uncertain"), "prec-003": ("2", "absent")})  # absent now outranks uncertain
    assert _extract(tmp_path, copy)["microcalcifications"] == "absent"


@pytest.mark.parametrize(
    "rows, message",
    [
        ({"prec-002": ("two", "uncertain")}, "column 'rank' must be a whole number"),
        ({"prec-002": ("2", "maybe")}, "value 'maybe' is not one of"),
        ({"prec-002": ("2", "absent")}, "column 'value': 'absent' already ranked"),
        ({"prec-002": ("3", "uncertain")}, "column 'rank': ranks must run 1, 2, 3"),
        ({"prec-004": ("1", "not_mentioned"), "prec-001": ("4", "present")}, "not_mentioned (no mention gives a value) must"),
    ],
)
def test_a_bad_precedence_row_names_file_row_and_column(tmp_path, rows, message):
    copy = _copy(tmp_path)
    path = _edit(copy, rows)
    with pytest.raises(PatternError) as e:
        load_ruleset(copy)
    assert message in str(e.value) and str(path) in str(e.value)
    assert e.value.line is not None and e.value.rule_id.startswith("prec-")


def test_a_bad_precedence_row_is_one_line_on_the_command_line(tmp_path):
    copy = _copy(tmp_path)
    _edit(copy, {"prec-001": ("0", "present")})
    source = tmp_path / "reports.csv"
    pd.DataFrame([{"report_id": "R1", "patient_id": "P1", "report_date": "2024-01-02", "report_type": "US",
                   "text": TEXT}]).to_csv(source, index=False)
    result = CliRunner().invoke(cli, ["extract", str(source), "--out", str(tmp_path / "o"), "--patterns", str(copy)])
    assert result.exit_code != 0
    assert "precedence.tsv:" in result.output and "(rule prec-001)" in result.output and "column 'rank'" in result.output
    assert "Traceback" not in result.output and TEXT[:20] not in result.output
