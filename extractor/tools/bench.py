"""Throughput and peak memory of radpath against what a user would pick instead, on one synthetic corpus.

Every contender runs as its own Python process (``python -m extractor.tools.bench --child ...``), so its peak RSS is its
own (VmHWM: the process itself and, for radpath's worker pool, its largest worker). Two ways to time it:

- **cold** (the default, and what the ratios use): the parent times the whole process, from interpreter start
  through imports, building the pipeline and one pass over the corpus, as a user's command would run; the median
  of ``repeat`` processes gives reports/second;
- **warm**: the child builds its pipeline (build time reported apart), warms up on a few reports, then times
  ``repeat`` passes; the median pass gives reports/second (slow contenders time a prefix, ``slow_limit``).

Contenders:
- ``radpath_e2e_wN``: :func:`extractor.run.api.extract_file` with N workers, the whole job: read CSV -> extract ->
  write every table, link patients, apply the case definitions, write DuckDB and the manifest;
- ``radpath_nlp``: radpath's spaCy pipeline alone (``nlp.pipe`` over the texts);
- what a user would pick instead, with a plain list of thyroid target phrases (PLAIN_TARGETS) and medSpaCy's
  default ConText rules, pipe only (they write nothing):
  ``medspacy_sentencizer_plain`` (spaCy's tokenizer + sentencizer + medSpaCy's TargetMatcher and ConText) and
  ``medspacy_load_plain`` (``medspacy.load()``: its tokenizer, PyRuSH sentences, TargetMatcher, ConText);
- the same two with radpath's ~200 target rules as regular expressions and radpath's ConText rules
  (``medspacy_sentencizer``, ``medspacy_load``): the like-for-like comparison of the engine;
- ``spacy_tokenizer``: ``spacy.blank("en")``, tokenizer only: the floor for anything built on spaCy.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# ratio name -> (numerator, denominator, minimum), on cold whole-process rates (issue targets)
TARGETS = {
    "radpath_e2e_w1 / spacy_tokenizer": ("radpath_e2e_w1", "spacy_tokenizer", 0.35),
    "radpath_e2e_w1 / medspacy_sentencizer_plain": ("radpath_e2e_w1", "medspacy_sentencizer_plain", 1.0),
    "radpath_e2e_w1 / medspacy_load_plain": ("radpath_e2e_w1", "medspacy_load_plain", 5.0),
    "radpath_e2e_w2 / radpath_e2e_w1": ("radpath_e2e_w2", "radpath_e2e_w1", 1.8),
    "radpath_nlp / medspacy_sentencizer": ("radpath_nlp", "medspacy_sentencizer", 2.0),
    "radpath_nlp / medspacy_load": ("radpath_nlp", "medspacy_load", 10.0),
}
SLOW = {"medspacy_load", "medspacy_sentencizer", "medspacy_load_plain"}  # warm mode times a prefix of the corpus
WARM_UP = 20
# What a user without radpath would write: thyroid ultrasound and pathology target phrases, matched as phrases
# (medSpaCy TargetRule literals, case-insensitive), no regular expressions, with medSpaCy's default ConText rules.
PLAIN_TARGETS = (
    ("microcalcification", "MICROCALCIFICATION"), ("microcalcifications", "MICROCALCIFICATION"),
    ("punctate echogenic foci", "MICROCALCIFICATION"), ("punctate echogenic focus", "MICROCALCIFICATION"),
    ("calcification", "CALCIFICATION"), ("calcifications", "CALCIFICATION"),
    ("macrocalcification", "CALCIFICATION"), ("rim calcification", "CALCIFICATION"),
    ("comet tail", "COMET_TAIL"), ("comet-tail artifact", "COMET_TAIL"),
    ("nodule", "NODULE"), ("nodules", "NODULE"), ("mass", "NODULE"), ("lesion", "NODULE"),
    ("hypoechoic", "ECHOGENICITY"), ("markedly hypoechoic", "ECHOGENICITY"),
    ("lymph node", "LYMPH_NODE"), ("lymph nodes", "LYMPH_NODE"),
    ("papillary carcinoma", "CARCINOMA"), ("papillary thyroid carcinoma", "CARCINOMA"),
    ("follicular carcinoma", "CARCINOMA"), ("medullary carcinoma", "CARCINOMA"),
    ("malignant", "MALIGNANCY"), ("benign", "MALIGNANCY"),
    ("psammoma bodies", "PSAMMOMA"), ("extrathyroidal extension", "ETE"),
    ("lymphocytic thyroiditis", "THYROIDITIS"), ("hashimoto thyroiditis", "THYROIDITIS"),
    ("bethesda", "BETHESDA"), ("multifocal", "FOCALITY"), ("unifocal", "FOCALITY"),
)


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = {}
    for name in ("spacy", "medspacy", "PyRuSH", "pandas", "pyarrow"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # not installed: reported as missing
            versions[name] = None
    return {"cpu_model": model or platform.processor(), "cores_total": os.cpu_count(), "cores_usable": usable,
            "python": platform.python_version(), "platform": platform.platform(), "versions": versions}


def _own_peak_kb() -> float:
    """This process's peak resident memory since it started its program. On Linux, VmHWM: ``ru_maxrss`` also
    counts the parent's memory at the fork that preceded exec, which once made a small child look as large as
    the benchmark process that generated its corpus."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_mb() -> dict:
    own = _own_peak_kb() / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "peak_rss_worker_mb": round(children, 1)}


# -- contenders (run in a child process) ----------------------------------------------------------------------
def _rules():
    from ..knowledge.ruleset import load_ruleset

    return load_ruleset()


def _medspacy_rules(nlp):
    from medspacy.target_matcher import TargetRule

    from ..nlp.context import to_context_rule

    ruleset = _rules()
    nlp.get_pipe("medspacy_target_matcher").add(
        [TargetRule(r.literal, r.category, pattern=r.regex.pattern, metadata={"id": r.id}) for r in ruleset.targets]
    )
    nlp.get_pipe("medspacy_context").add([to_context_rule(r) for r in ruleset.context])
    return nlp


def _plain_targets(nlp):
    from medspacy.target_matcher import TargetRule

    nlp.get_pipe("medspacy_target_matcher").add([TargetRule(literal, label) for literal, label in PLAIN_TARGETS])
    return nlp


def build(name: str):
    """A callable texts -> None for the contender (its build time is measured by the caller)."""
    if name == "spacy_tokenizer":
        import spacy

        nlp = spacy.blank("en")
        return lambda texts: [len(d) for d in nlp.tokenizer.pipe(texts, batch_size=256)]
    if name == "radpath_nlp":
        from ..nlp.pipeline import build_nlp

        nlp = build_nlp()
        return lambda texts: [len(d) for d in nlp.pipe(texts, batch_size=64)]
    if name in ("medspacy_load", "medspacy_load_plain"):
        import medspacy

        if name == "medspacy_load_plain":  # medSpaCy's defaults: PyRuSH sentences, default ConText rules
            nlp = _plain_targets(medspacy.load())
        else:
            nlp = _medspacy_rules(medspacy.load(load_rules=False))
        return lambda texts: [len(d.ents) for d in nlp.pipe(texts)]
    if name in ("medspacy_sentencizer", "medspacy_sentencizer_plain"):
        import medspacy  # noqa: F401  (registers medSpaCy's factories)
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("medspacy_target_matcher")
        if name == "medspacy_sentencizer_plain":
            nlp.add_pipe("medspacy_context")  # medSpaCy's default ConText rules
            nlp = _plain_targets(nlp)
        else:
            nlp.add_pipe("medspacy_context", config={"rules": None})
            nlp = _medspacy_rules(nlp)
        return lambda texts: [len(d.ents) for d in nlp.pipe(texts)]
    raise ValueError(f"unknown contender {name!r}")


def child(name: str, corpus: str, repeat: int, limit: int | None, *, cold: bool = False) -> dict:
    """Run one contender in this process; return its timings and peak RSS. ``cold``: build and one pass, no
    warm-up (the parent times the whole process)."""
    import pandas as pd

    if cold:
        repeat, limit = 1, None
    started = time.perf_counter()
    if name.startswith("radpath_e2e_w"):  # the whole job: read, extract, write, link, case definitions, DuckDB
        from ..run.api import Extractor, RunOptions, extract_file

        workers = int(name.rsplit("w", 1)[1])
        if not cold:
            Extractor()  # build (and cache) the pipeline once, like a long-running job; the workers inherit it
        build_seconds = time.perf_counter() - started
        frame = pd.read_csv(corpus, dtype=str, keep_default_na=False)
        n = len(frame)
        del frame
        passes = []
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(repeat):
                t0 = time.perf_counter()
                extract_file(corpus, Path(tmp) / f"run{i}", options=RunOptions(workers=workers))
                passes.append(time.perf_counter() - t0)
    else:
        frame = pd.read_csv(corpus, dtype=str, keep_default_na=False)
        texts = list(frame["text"])[: limit or None]
        del frame
        run = build(name)
        build_seconds = time.perf_counter() - started
        if not cold:
            run(texts[:WARM_UP])
        n = len(texts)
        passes = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            found = sum(run(texts))  # tokens (tokenizer, radpath_nlp) or entities (medSpaCy) of the last pass
            passes.append(time.perf_counter() - t0)
    median = statistics.median(passes)
    return {"contender": name, "reports": n, "repeat": repeat, "build_seconds": round(build_seconds, 2),
            "pass_seconds": [round(p, 3) for p in passes], "median_seconds": round(median, 3),
            "reports_per_second": round(n / median, 1), "found": locals().get("found"), **peak_rss_mb()}


# -- the parent ----------------------------------------------------------------------------------------------
DEFAULT_CONTENDERS = ("spacy_tokenizer", "radpath_nlp", "radpath_e2e_w1", "radpath_e2e_w2",
                      "medspacy_sentencizer_plain", "medspacy_load_plain", "medspacy_sentencizer", "medspacy_load")


def run_child(name: str, corpus: Path, repeat: int, limit: int | None, *, cold: bool = False,
              timeout: float | None = None) -> dict:
    """One contender: in warm mode one process timing ``repeat`` passes; in cold mode ``repeat`` whole processes,
    each timed from outside (start to exit), the median giving reports/second."""
    command = [sys.executable, "-m", "extractor.tools.bench", "--child", name, str(corpus), str(repeat), str(limit or 0)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                                      os.environ.get("PYTHONPATH", "")]))}
    runs, walls = [], []
    for _ in range(repeat if cold else 1):
        t0 = time.perf_counter()
        done = subprocess.run(command + (["cold"] if cold else []), capture_output=True, text=True, timeout=timeout,
                              env=env)
        walls.append(time.perf_counter() - t0)
        if done.returncode != 0:
            return {"contender": name, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    result = runs[-1]
    if cold:
        wall = statistics.median(walls)
        result.update(mode="cold", process_seconds=[round(w, 2) for w in walls], median_seconds=round(wall, 3),
                      reports_per_second=round(result["reports"] / wall, 1),
                      peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
                      peak_rss_worker_mb=max(r["peak_rss_worker_mb"] for r in runs))
    else:
        result["mode"] = "warm"
    return result


def ratios(results: dict) -> dict:
    out = {}
    for label, (top, bottom, minimum) in TARGETS.items():
        a, b = results.get(top, {}), results.get(bottom, {})
        if "reports_per_second" in a and "reports_per_second" in b:
            value = a["reports_per_second"] / b["reports_per_second"]
            out[label] = {"ratio": round(value, 2), "target": minimum, "met": value >= minimum}
    return out


def run_benchmark(
    *,
    patients: int = 2000,
    seed: int = 0,
    repeat: int = 3,
    slow_limit: int = 600,
    contenders=DEFAULT_CONTENDERS,
    out_dir: str | Path = "benchmarks",
    corpus: str | Path | None = None,
    cold: bool = True,
    echo=print,
) -> dict:
    """Generate one corpus, run every contender in its own processes (cold: whole processes timed from outside;
    warm: passes inside one process), write JSON + Markdown to ``out_dir``."""
    from .synth import generate, write_corpus

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if corpus is None:
            frame = generate(patients, seed=seed)
            corpus_path = write_corpus(frame, Path(tmp) / "corpus.csv")
            corpus_info = {"patients": patients, "seed": seed, "reports": len(frame),
                           "mean_chars": round(float(frame["text"].str.len().mean()), 1)}
            del frame
        else:
            corpus_path = Path(corpus)
            corpus_info = {"path": str(corpus_path)}
        results = {}
        for name in contenders:
            echo(f"running {name} ...")
            limit = slow_limit if name in SLOW and not cold else None
            results[name] = run_child(name, corpus_path, repeat, limit, cold=cold)
            r = results[name]
            echo(f"  {name}: {r.get('reports_per_second', 'failed')} reports/s, peak RSS {r.get('peak_rss_mb', '?')} MB"
                 + (f" (+ worker {r['peak_rss_worker_mb']} MB)" if r.get("peak_rss_worker_mb") else "")
                 + (f"  ERROR {r['error']}" if "error" in r else ""))
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "corpus": corpus_info,
              "mode": "cold" if cold else "warm", "repeat": repeat, "slow_limit": None if cold else slow_limit,
              "results": results, "ratios": ratios(results)}
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    json_path, md_path = out_dir / f"bench-{stamp}.json", out_dir / f"bench-{stamp}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    md_path.write_text(markdown(report))
    report["files"] = [str(json_path), str(md_path)]
    return report


def markdown(report: dict) -> str:
    m, c = report["machine"], report["corpus"]
    lines = [f"# radpath benchmark {report['date']}", "",
             f"Machine: {m['cpu_model']}, {m['cores_usable']} usable cores of {m['cores_total']}; Python {m['python']}; "
             + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v), "",
             f"Corpus: {json.dumps(c)}; "
             + (f"median of {report['repeat']} whole cold processes per contender (start to exit: imports, build, "
                "one pass), every contender on the whole corpus." if report.get("mode") == "cold" else
                f"median of {report['repeat']} warm passes; slow medSpaCy contenders on the first "
                f"{report['slow_limit']} reports."), "",
             "| contender | reports | reports/s | median s | build s | peak RSS MB | worker peak RSS MB |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in report["results"].items():
        if "error" in r:
            lines.append(f"| {name} | failed: {' '.join(r['error'])} | | | | | |")
            continue
        lines.append(f"| {name} | {r['reports']} | {r['reports_per_second']:,.0f} | {r['median_seconds']} | "
                     f"{r['build_seconds']} | {r['peak_rss_mb']} | {r['peak_rss_worker_mb'] or ''} |")
    lines += ["", "| ratio | value | target | met |", "| --- | ---: | ---: | --- |"]
    for label, r in report["ratios"].items():
        lines.append(f"| {label} | {r['ratio']} | >= {r['target']} | {'yes' if r['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def rss_scale(sizes=(10_000, 100_000), *, seed: int = 0, workers: int = 1, chunk_size: int = 250, link: bool = True,
              out_dir: str | Path = "benchmarks", echo=print) -> dict:
    """Peak RSS of the whole job (``link=False``: of the streaming extraction alone) at several corpus sizes
    (reports), each in its own process."""
    from .synth import generate, write_corpus

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            patients = max(1, int(size / 2.4))
            frame = generate(patients, seed=seed)
            corpus = write_corpus(frame, Path(tmp) / f"corpus-{size}.csv")
            n = len(frame)
            del frame
            echo(f"streaming {n} reports ...")
            command = [sys.executable, "-m", "extractor.tools.bench", "--stream-child", str(corpus), str(Path(tmp) / f"out-{size}"),
                       str(workers), str(chunk_size), "link" if link else "no-link"]
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                rows[str(size)] = {"error": done.stderr.strip().splitlines()[-1:]}
                continue
            rows[str(size)] = {"reports": n, **json.loads(done.stdout.strip().splitlines()[-1])}
            echo(f"  {rows[str(size)]}")
    sizes_done = [r for r in rows.values() if "peak_rss_mb" in r]
    result = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "workers": workers,
              "chunk_size": chunk_size, "link": link, "runs": rows}
    if len(sizes_done) >= 2:
        result["rss_ratio_largest_to_smallest"] = round(sizes_done[-1]["peak_rss_mb"] / sizes_done[0]["peak_rss_mb"], 3)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"rss-scale-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    result["file"] = str(path)
    return result


def _stream_child(corpus: str, out: str, workers: int, chunk_size: int, link: bool) -> dict:
    """The whole job (extract_file: tables, linking, definitions, DuckDB) on one corpus: time and peak RSS."""
    from ..run.api import RunOptions, extract_file

    t0 = time.perf_counter()
    run = extract_file(corpus, out, options=RunOptions(workers=workers, chunk_size=chunk_size, link=link))
    seconds = time.perf_counter() - t0
    return {"seconds": round(seconds, 1), "reports_per_second": round(run.summary.rows_read / seconds, 1),
            **peak_rss_mb()}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        name, corpus, repeat, limit = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) or None
        print(json.dumps(child(name, corpus, repeat, limit, cold=sys.argv[6:7] == ["cold"])))
    elif sys.argv[1:2] == ["--stream-child"]:
        print(json.dumps(_stream_child(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]),
                                       sys.argv[6] == "link")))
    else:
        sys.exit("usage: radpath bench (this module's command line is for its own child processes)")
