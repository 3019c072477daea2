"""The report-kind confusion matrix of `radpath evaluate`."""
import pandas as pd
from click.testing import CliRunner

from extractor.cli.main import cli
from extractor.evaluate.reports import format_confusion, kind_confusion


def _frame(rows):
    return pd.DataFrame(rows, columns=["report_id", "report_kind"])


def test_confusion_counts_each_gold_and_predicted_pair():
    gold = _frame([("a", "ultrasound"), ("b", "ultrasound"), ("c", "other"), ("d", "cytology")])
    predicted = _frame([("a", "ultrasound"), ("b", "cytology"), ("c", "ultrasound")])
    counts = kind_confusion(gold, predicted)
    assert counts == {("ultrasound", "ultrasound"): 1, ("ultrasound", "cytology"): 1, ("other", "ultrasound"): 1,
                      ("cytology", "<missing>"): 1}


def test_confusion_matrix_has_a_row_per_gold_kind_and_a_column_per_predicted_kind():
    text = format_confusion({("ultrasound", "ultrasound"): 3, ("other", "ultrasound"): 1})
    lines = text.splitlines()
    assert lines[1].split() == ["ultrasound", "other"]
    assert lines[2].split() == ["ultrasound", "3", "0"]
    assert lines[3].split() == ["other", "1", "0"]


def test_evaluate_prints_the_confusion_matrix(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    _frame([("r1", "ultrasound"), ("r2", "other")]).to_csv(out / "reports.csv", index=False)
    gold = tmp_path / "gold.csv"
    _frame([("r1", "ultrasound"), ("r2", "ultrasound")]).to_csv(gold, index=False)
    result = CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), str(out)], catch_exceptions=False)
    assert "report kind (rows gold, columns predicted)" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("ultrasound ") and "1" in line)
    assert row.split() == ["ultrasound", "1", "1"]
