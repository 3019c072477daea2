"""The ``radpath`` command: a thin click layer over extractor.api; library errors become one-line messages."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import RadpathError
from .resources import sample_dir
from .sources import ColumnMap

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def user_errors(func):
    """Turn RadpathError into a clean message and its exit status (2 for bad input), never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RadpathError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)

    return wrapper


def column_options(func):
    """--id-col / --patient-col / --date-col / --type-col / --text-col."""
    options = [
        click.option("--id-col", default="report_id", show_default=True, help="Column with the report id."),
        click.option("--patient-col", default="patient_id", show_default=True, help="Column with the patient id."),
        click.option("--date-col", default="report_date", show_default=True, help="Column with the exam/specimen date."),
        click.option("--type-col", default="report_type", show_default=True,
                     help="Column with the report-type hint (US, FNA, surgical pathology...); optional."),
        click.option("--text-col", default="text", show_default=True, help="Column with the report text."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def patterns_option(func):
    return click.option(
        "--patterns", type=click.Path(file_okay=False), default=None,
        help="Directory of rule files to use instead of the shipped patterns/.",
    )(func)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="radpath")
def cli():
    """radpath: thyroid ultrasound, FNA cytology and surgical pathology reports -> auditable tables.

    Start with `radpath demo`, which runs the whole job on the bundled synthetic corpus.
    """


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=True))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output directory.")
@column_options
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "parquet", "jsonl"]), default=None,
              help="Input format; by default taken from the file extension.")
@patterns_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@user_errors
def extract(input_path, out_dir, id_col, patient_col, date_col, type_col, text_col, fmt, patterns, quiet):
    """Extract report fields and mentions from INPUT into DIR.

    INPUT is a CSV, TSV, Parquet or JSON Lines table with columns report_id, patient_id, report_date,
    report_type (optional hint) and text; map other names with the --*-col options. Writes
    DIR/reports.{csv,parquet} (one row per report), DIR/mentions.{csv,parquet} (one row per mention, with
    offsets, rules and context triggers) and DIR/errors.{csv,parquet} (rows that could not be read as reports).

    Example:

        radpath extract notes.csv --out results --text-col NOTE_TEXT --id-col NOTE_ID
    """
    from .api import extract_file

    columns = ColumnMap(id_col, patient_col, date_col, type_col, text_col)
    result = extract_file(input_path, out_dir, columns=columns, patterns=patterns, fmt=fmt)
    if not quiet:
        _print_summary(result, Path(out_dir))


@cli.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold CSV: report_id plus any report fields of the contract.")
@click.option("--min", "minimum", type=float, default=None,
              help="Exit with status 1 if any field's accuracy is below this (e.g. 0.97).")
@click.option("--no-misses", is_flag=True, help="Do not list the misses.")
@user_errors
def evaluate(out_dir, gold_path, minimum, no_misses):
    """Score DIR/reports.csv against gold labels.

    Prints per-field accuracy, per-value precision / recall / F1 and every miss with its report id.

    Example:

        radpath evaluate --gold corpora/sample/gold_reports.csv radpath-demo --min 0.97
    """
    from .evaluate import evaluate_dir, format_scores

    scores = evaluate_dir(gold_path, out_dir)
    click.echo(format_scores(scores, show_misses=not no_misses))
    below = [s.field for s in scores if minimum is not None and s.accuracy < minimum]
    if below:
        click.echo(f"Below --min {minimum}: {', '.join(below)}", err=True)
        sys.exit(1)


@cli.command()
@click.option("--out", "out_dir", default="radpath-demo", show_default=True, type=click.Path(file_okay=False),
              help="Where to write the demo outputs.")
@user_errors
def demo(out_dir):
    """Run the whole job on the bundled synthetic corpus (corpora/sample) and score it against its gold labels.

    Example:

        radpath demo --out radpath-demo
    """
    from .api import extract_file
    from .evaluate import evaluate_dir, format_scores

    corpus = sample_dir()
    click.echo(f"Corpus: {corpus}")
    result = extract_file(corpus / "reports.csv", out_dir)
    _print_summary(result, Path(out_dir))
    gold = corpus / "gold_reports.csv"
    if gold.is_file():
        scores = evaluate_dir(gold, out_dir)
        click.echo("\nAgreement with the corpus's gold labels:")
        click.echo(format_scores(scores, show_misses=False, per_value=False))
        click.echo(f"\nPer-value precision / recall / F1 and the misses: radpath evaluate --gold {gold} {out_dir}")


def _print_summary(result, out_dir: Path) -> None:
    s = result.summary()
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(s["by_kind"].items()))
    click.echo(f"Read {s['rows_read']} rows: {s['reports']} reports ({kinds}), {s['errors']} errors, "
               f"{s['mentions']} mentions.")
    click.echo(f"Wrote {out_dir}/reports.csv|.parquet, mentions.csv|.parquet, errors.csv|.parquet")


def main():
    cli(prog_name="radpath")


if __name__ == "__main__":
    main()
