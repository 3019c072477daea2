"""Spark local[N] vs the local engine's --workers N on one synthetic corpus (issue 15; docs/scale.md).

    python benchmarks/spark_vs_local.py --reports 20000 --cores 2 --json benchmarks/spark_vs_local.json

Writes the corpus with radpath synth's generator, runs `radpath extract --workers N` and `radpath extract
--engine spark --spark-master local[N]` on it, each in its own process (cold: Spark's JVM and its Python workers,
which build the pipeline, are part of the time), checks that every table is the same after sorting, and prints
reports/s for both. Spark's stage times come from its event log (--event-log DIR) if you want where they go.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from extractor.tools.synth import generate

TABLES = ("reports", "mentions", "errors", "nodules", "patients", "links")


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env)
    return time.perf_counter() - started


def same_tables(a: Path, b: Path) -> bool:
    for name in TABLES:
        x, y = (pd.read_csv(d / f"{name}.csv", dtype=str, keep_default_na=False) for d in (a, b))
        x, y = (f.sort_values(list(f.columns)).reset_index(drop=True) for f in (x, y))
        if not x.equals(y):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="radpath-spark-bench-"))
    corpus = generate(max(1, round(args.reports / 2.4)), seed=args.seed)
    source = work / "corpus.csv"
    corpus.to_csv(source, index=False)
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    radpath = [sys.executable, "-m", "extractor", "extract", str(source), "-q"]
    local = timed([*radpath, "--out", str(work / "local"), "--workers", str(args.cores)], env)
    spark = timed([*radpath, "--out", str(work / "spark"), "--engine", "spark", "--spark-master",
                   f"local[{args.cores}]"], env)
    result = {"reports": len(corpus), "cores": args.cores, "local_seconds": round(local, 1),
              "spark_seconds": round(spark, 1), "local_reports_per_second": round(len(corpus) / local, 1),
              "spark_reports_per_second": round(len(corpus) / spark, 1),
              "same_tables": same_tables(work / "local", work / "spark"), "load_average": os.getloadavg()}
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0 if result["same_tables"] else 1


if __name__ == "__main__":
    sys.exit(main())
