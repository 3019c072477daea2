"""docs/analysis.md's pandas/statsmodels code runs as written on a whole-job run of the sample corpus."""
import re
from pathlib import Path

import pytest

from extractor.knowledge.resources import sample_dir
from extractor.run.api import extract_file

DOC = Path(__file__).resolve().parents[1] / "docs" / "analysis.md"


def test_the_pandas_analysis_in_the_docs_runs_on_a_real_run(tmp_path, monkeypatch, capsys):
    pytest.importorskip("statsmodels")
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/analysis.md lost its pandas example"
    extract_file(sample_dir() / "reports.csv", tmp_path / "results")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {"__name__": "analysis_doc"})
    printed = capsys.readouterr().out
    assert "odds ratio for DMO:" in printed and "def_yoon2011_dmo" in printed
    assert re.search(r"def_yoon2011_dmo \d+/\d+ malignant", printed)
