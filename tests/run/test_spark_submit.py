"""The spark-submit recipe of docs/scale.md, run exactly as written there (with --master local[2]), ships radpath
to the executors as a wheel (--py-files) and writes the local engine's tables (issue 15)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

# .ci/run sets RADPATH_REQUIRE_SPARK=1: there a missing pyspark or Java fails the run instead of skipping
if not os.environ.get("RADPATH_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'radpath[spark]')")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java (no `java` on PATH and no JAVA_HOME)", allow_module_level=True)
import pyspark  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[2]


def documented_recipe() -> list[str]:
    """The commands of the block after '<!-- spark-submit recipe (tests/run/test_spark_submit.py) -->'."""
    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- spark-submit recipe \(tests/run/test_spark_submit.py\) -->\s*```bash\n(.*?)```",
                      text, re.S)
    assert block, "docs/scale.md lost its spark-submit recipe"
    return [line for line in block.group(1).replace("\\\n", " ").splitlines() if line.strip()]


def test_documented_spark_submit_recipe_runs(tmp_path):
    from click.testing import CliRunner

    from extractor.cli.main import cli

    commands = documented_recipe()
    assert any(c.startswith("spark-submit --master local[2]") and "--py-files dist/radpath-" in c for c in commands)
    work = tmp_path / "work"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv*", ".git", "build", "dist", "*.egg-info",
                                                             "__pycache__", ".pytest_cache"))
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for command in commands:
        if command.startswith("spark-submit"):  # as on a cluster node: no radpath source, only the shipped wheel
            shutil.rmtree(work / "extractor")
            shutil.rmtree(work / "patterns")
        done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True,
                              timeout=1800)
        assert done.returncode == 0, (command, done.stderr[-3000:])
    assert list((work / "dist").glob("radpath-*.whl"))
    result = CliRunner().invoke(cli, ["extract", str(work / "corpora" / "sample" / "reports.csv"), "--out",
                                      str(tmp_path / "local"), "-q", "--workers", "1"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    for name in ("reports", "mentions", "errors", "nodules", "patients", "links"):
        want = pd.read_csv(tmp_path / "local" / f"{name}.csv", dtype=str, keep_default_na=False)
        got = pd.read_csv(work / "results" / f"{name}.csv", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(got, want, obj=name)
