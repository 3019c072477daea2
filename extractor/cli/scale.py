"""`radpath synth` and `radpath bench`: thin click commands over extractor.tools.synth and extractor.tools.bench (registered on
the main group by extractor.cli.main with ``for command in COMMANDS: cli.add_command(command)``)."""
from __future__ import annotations

import click

from ..tools.bench import DEFAULT_CONTENDERS, machine, rss_scale, run_benchmark
from ..tools.bench import (
    DEFAULT_CONTENDERS as CONTENDER_CHOICES,  # stdlib-only module: cheap to import
)
from ..tools.synth import generate, hostile, write_corpus
from .common import user_errors


@click.command()
@click.option("--patients", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Number of synthetic patients (about 2.4 reports each).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same corpus.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Output file: .csv, .tsv, .parquet or .jsonl.")
@click.option("--hostile", "hostile_rows", type=click.IntRange(min=1), default=None,
              help="Write this many hostile texts instead (punctuation runs, many mentions per sentence, long "
                   "negation chains, NULs, invalid UTF-8 in CSV, huge fields...), for robustness tests.")
@user_errors
def synth(patients, seed, out_path, hostile_rows):
    """Write a seeded synthetic corpus of thyroid ultrasound, FNA cytology and surgical pathology reports.

    Patients follow ultrasound -> FNA -> surgery with plausible dates; the wording varies combinatorially and
    includes the look-alike traps (diffuse or clustered microcalcifications, comet-tail artefact, lymph-node
    calcification). For scale tests and benchmarks only: no accuracy claim rests on it.

    With --hostile N, N texts built to break a text pipeline instead, each naming its family in a
    hostile_family column (radpath ignores it).

    Example:

        radpath synth --patients 10000 --seed 1 --out synthetic.csv
        radpath synth --hostile 10000 --out hostile.csv
    """
    if hostile_rows is not None:
        frame = hostile(hostile_rows, seed=seed)
        path = write_corpus(frame, out_path)
        click.echo(f"Wrote {len(frame)} hostile texts to {path} "
                   f"({frame['text'].map(len).sum():,} characters; families in column hostile_family).")
        return

    frame = generate(patients, seed=seed)
    path = write_corpus(frame, out_path)
    click.echo(f"Wrote {len(frame)} reports of {patients} patients to {path} "
               f"(mean {frame['text'].str.len().mean():.0f} characters).")


@click.command()
@click.option("--patients", type=click.IntRange(min=1), default=2000, show_default=True,
              help="Size of the generated corpus (patients; about 2.4 reports each).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the generated corpus.")
@click.option("--corpus", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Benchmark this CSV (radpath's input columns) instead of a generated corpus.")
@click.option("--repeat", type=click.IntRange(min=1), default=3, show_default=True,
              help="Timed passes per contender; the median is reported.")
@click.option("--slow-limit", type=click.IntRange(min=1), default=600, show_default=True,
              help="Reports timed for the slow medSpaCy contenders (a prefix of the same corpus).")
@click.option("--contender", "contenders", multiple=True,
              type=click.Choice(list(CONTENDER_CHOICES)),
              help="Run only these contenders (repeatable); default all.")
@click.option("--cold/--warm", default=True, show_default=True,
              help="cold: time each contender as whole processes (start to exit, one pass, the whole corpus), as a "
                   "user's command runs; warm: time passes inside one process after a warm-up.")
@click.option("--rss-scale", "rss_sizes", default=None,
              help="Instead: peak RSS of streaming runs at these sizes in reports, e.g. 10000,100000.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Workers for --rss-scale.")
@click.option("--no-link", is_flag=True,
              help="With --rss-scale: measure the streaming extraction alone, without linking and DuckDB.")
@click.option("--out", "out_dir", default="benchmarks", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the JSON and Markdown results.")
@user_errors
def bench(patients, seed, corpus, repeat, slow_limit, contenders, cold, rss_sizes, workers, no_link, out_dir):
    """Measure reports/second and peak memory of radpath against what a user would pick instead (medSpaCy with a
    plain list of thyroid targets), medSpaCy running radpath's rules, and spaCy's tokenizer (the floor).

    Every contender runs as its own processes on one seeded corpus; prints the machine, each contender's rate and
    peak RSS, and the ratios between them, and writes them to OUT/bench-<time>.json and .md.

    Example:

        radpath bench --patients 2000 --repeat 3 --out benchmarks
    """
    m = machine()
    click.echo(f"Machine: {m['cpu_model']}, {m['cores_usable']} usable cores of {m['cores_total']}, Python {m['python']}")
    if rss_sizes:
        sizes = [int(s) for s in rss_sizes.split(",") if s.strip()]
        result = rss_scale(sizes, seed=seed, workers=workers, link=not no_link, out_dir=out_dir, echo=click.echo)
        if "rss_ratio_largest_to_smallest" in result:
            click.echo(f"Peak RSS largest / smallest: {result['rss_ratio_largest_to_smallest']}")
        click.echo(f"Wrote {result['file']}")
        return
    report = run_benchmark(patients=patients, seed=seed, repeat=repeat, slow_limit=slow_limit,
                           contenders=contenders or DEFAULT_CONTENDERS, out_dir=out_dir, corpus=corpus,
                           cold=cold, echo=click.echo)
    click.echo("Ratios:")
    for label, r in report["ratios"].items():
        click.echo(f"  {label}: {r['ratio']} (target >= {r['target']}: {'met' if r['met'] else 'NOT met'})")
    click.echo(f"Wrote {', '.join(report['files'])}")


COMMANDS = (synth, bench)
