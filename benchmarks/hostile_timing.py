"""Time every report of the hostile fuzz corpus on its own (no time budget), and print the slowest by family.

    python benchmarks/hostile_timing.py --rows 10000 --corpus /tmp/hostile.csv --json benchmarks/hostile-timing.json
    python benchmarks/hostile_timing.py --rows 10000 --family nesting --family run_on --top 20
    python benchmarks/hostile_timing.py --rows 10000 --only H0001234 --profile   # cProfile of one report

The corpus is extractor.tools.synth.hostile(rows, seed) written to CSV and read back with radpath's reader (so NULs,
invalid bytes and report types are what `radpath extract` sees). Each report's time is the wall-clock time of
``Extractor._extract_within_budget`` (pipeline and fields; its CPU time too, a fairer figure on a shared machine) with ``max_seconds_per_report=0`` (the true cost) and
the default ``--max-report-chars`` (a longer report is filed ``too_long`` before anything reads it), after
untimed warm-up reports of each kind. Prints and writes report ids, families, lengths and seconds only, never report text.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import platform
import pstats
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

from extractor.run.api import Extractor
from extractor.run.budget import DEFAULT_MAX_REPORT_CHARS
from extractor.tables.sources import read_reports
from extractor.tools.synth import generate, hostile, write_corpus


def _by_family(timings: list[dict]) -> dict[str, list[float]]:
    by_family = defaultdict(list)
    for t in timings:
        by_family[t["family"]].append(t["seconds"])
    return dict(sorted(by_family.items()))


def summarise(timings: list[dict], args, total: float) -> dict:
    """Print the per-family table and the slowest reports; the summary as a dict."""
    by_family = _by_family(timings)
    outcomes = defaultdict(int)
    for t in timings:
        outcomes[t["outcome"]] += 1
    print(f"{len(timings)} reports timed; outcomes {dict(outcomes)}")
    print(f"{'family':<14}{'n':>6}{'median s':>10}{'max s':>9}{'>1 s':>6}{'>2 s':>6}{'max CPU s':>11}"
          f"{'CPU >1 s':>10}{'CPU >2 s':>10}")
    for family, secs in sorted(by_family.items()):
        cpu = [t["cpu_seconds"] for t in timings if t["family"] == family]
        print(f"{family:<14}{len(secs):>6}{statistics.median(secs):>10.3f}{max(secs):>9.2f}"
              f"{sum(s > 1 for s in secs):>6}{sum(s > 2 for s in secs):>6}{max(cpu):>11.2f}"
              f"{sum(c > 1 for c in cpu):>10}{sum(c > 2 for c in cpu):>10}")
    slowest = sorted(timings, key=lambda t: -t["seconds"])[:args.top]
    print("slowest:")
    for t in slowest:
        print(f"  {t['report_id']}  {t['family']:<13}{t['chars']:>9} chars {t['mentions'] or 0:>6} mentions "
              f"{t['seconds']:>8.2f} s ({t['cpu_seconds']:.2f} s CPU)  {t['outcome']}")
    print("slowest by CPU time:")
    for t in sorted(timings, key=lambda t: -t["cpu_seconds"])[:args.top]:
        print(f"  {t['report_id']}  {t['family']:<13}{t['chars']:>9} chars {t['mentions'] or 0:>6} mentions "
              f"{t['cpu_seconds']:>8.2f} s CPU ({t['seconds']:.2f} s)  {t['outcome']}")
    summary = {"rows": args.rows, "seed": args.seed, "reports_timed": len(timings), "total_seconds": round(total, 1),
               "slowest_seconds": slowest[0]["seconds"] if slowest else None,
               "over_1s": sum(t["seconds"] > 1 for t in timings), "over_2s": sum(t["seconds"] > 2 for t in timings),
               "slowest_cpu_seconds": max((t["cpu_seconds"] for t in timings), default=None),
               "cpu_over_1s": sum(t["cpu_seconds"] > 1 for t in timings),
               "cpu_over_2s": sum(t["cpu_seconds"] > 2 for t in timings),
               "outcomes": dict(outcomes), "max_report_chars": DEFAULT_MAX_REPORT_CHARS,
               "python": platform.python_version(), "machine": platform.machine()}
    print(json.dumps(summary))
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="CSV of the corpus: written there if missing (hostile(rows, seed)), else read from it")
    parser.add_argument("--family", action="append", default=[], help="time only these families (repeatable)")
    parser.add_argument("--only", action="append", default=[], help="time only these report ids (repeatable)")
    parser.add_argument("--shard", default="1/1", help="K/N: time only every N-th report from the K-th (to run N "
                        "processes side by side; --merge joins their --json files)")
    parser.add_argument("--merge", type=Path, nargs="*", default=None, help="summarise these --json files instead")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest reports to print")
    parser.add_argument("--json", type=Path, default=None, help="write every report's time here")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed reports, print the top 25")
    args = parser.parse_args(argv)
    if args.merge:
        timings = [t for path in args.merge for t in json.loads(path.read_text())["reports"]]
        summary = summarise(timings, args, sum(json.loads(p.read_text())["summary"]["total_seconds"] for p in args.merge))
        if args.json:  # the summary, the families and the 50 slowest reports (ids, families, sizes, times)
            families = {}
            for f, secs in _by_family(timings).items():
                cpu = [t["cpu_seconds"] for t in timings if t["family"] == f]
                families[f] = {"n": len(secs), "median_seconds": statistics.median(secs), "max_seconds": max(secs),
                               "median_cpu_seconds": statistics.median(cpu), "max_cpu_seconds": max(cpu),
                               "cpu_over_1s": sum(c > 1 for c in cpu), "cpu_over_2s": sum(c > 2 for c in cpu)}
            slowest = sorted(timings, key=lambda t: -t["seconds"])[:50]
            slowest_cpu = sorted(timings, key=lambda t: -t["cpu_seconds"])[:50]
            args.json.write_text(json.dumps({"summary": summary, "families": families, "slowest": slowest,
                                             "slowest_cpu": slowest_cpu}, indent=1) + "\n")
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus or Path(tmp) / "hostile.csv"
        if not corpus.is_file():  # generating and writing 118 M characters takes minutes: --corpus keeps the file
            write_corpus(hostile(args.rows, seed=args.seed), corpus)
        families = pd.read_csv(corpus, usecols=["report_id", "hostile_family"], dtype=str, encoding_errors="replace")
        family_of = dict(zip(families["report_id"], families["hostile_family"]))
        table = read_reports(corpus)
    records = table.reports.to_dict("records")
    if args.family:
        records = [r for r in records if family_of[r["report_id"]] in args.family]
    if args.only:
        records = [r for r in records if r["report_id"] in set(args.only)]
    k, n = (int(x) for x in args.shard.split("/"))
    records = records[k - 1::n]
    extractor = Extractor(max_seconds_per_report=0)
    # warm-up, untimed: one short report of each kind (ultrasound, cytology, surgical pathology), so that no timed
    # report pays for compiling the rules its kind reads first
    extractor._extract_within_budget({**records[0], "text": "Warm-up: no microcalcifications."})
    for warm in generate(4, seed=1).to_dict("records"):
        extractor._extract_within_budget({**records[0], "report_type": warm["report_type"], "text": warm["text"]})

    profiler = cProfile.Profile() if args.profile else None
    timings = []
    started = time.perf_counter()
    for record in records:
        if profiler:
            profiler.enable()
        t0, c0 = time.perf_counter(), time.process_time()
        result = extractor._extract_within_budget(record)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        if profiler:
            profiler.disable()
        outcome = result[0] if isinstance(result[0], str) else "extracted"
        timings.append({"report_id": record["report_id"], "family": family_of[record["report_id"]],
                        "chars": len(record["text"]), "seconds": round(seconds, 4),
                        "cpu_seconds": round(cpu, 4), "outcome": outcome,
                        "mentions": len(result[0]) if outcome == "extracted" else None})
        if len(timings) % 250 == 0:
            print(f"{len(timings)} of {len(records)} timed", file=sys.stderr, flush=True)
    total = time.perf_counter() - started

    print(f"{len(timings)} reports (of {table.rows_read} rows read, {len(table.errors)} input errors) in "
          f"{total:.0f} s")
    summary = summarise(timings, args, total)
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "reports": timings}, indent=1) + "\n")
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
