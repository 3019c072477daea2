"""Option bundles and error handling shared by every radpath command module."""
from __future__ import annotations

import functools
import logging
import sys

import click

from ..errors import RadpathError
from ..run.api import RunOptions
from ..run.budget import DEFAULT_MAX_REPORT_CHARS, DEFAULT_MAX_SECONDS_PER_REPORT
from ..tables.files import is_disk_full
from ..tables.sources import DEFAULT_CHUNK_SIZE


def log_to_stderr() -> None:
    """INFO logs of radpath's modules on stderr (replacing an earlier handler of ours, for repeated calls)."""
    logger = logging.getLogger("extractor")
    for handler in [h for h in logger.handlers if getattr(h, "radpath", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.radpath = True
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def user_errors(func):
    """Turn RadpathError into a clean message and its exit status (2 for bad input), never a traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except RadpathError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)
        except OSError as e:  # a full disk outside radpath's own writers (e.g. pandas writing a corpus)
            if not is_disk_full(e):
                raise
            click.echo(f"Error: {e.filename or 'writing'}: no space left on device (or quota exceeded)", err=True)
            sys.exit(1)

    return wrapper


def column_options(func):
    """--id-col / --patient-col / --date-col / --type-col / --text-col / --date-format."""
    options = [
        click.option("--id-col", default="report_id", show_default=True, help="Column with the report id."),
        click.option("--patient-col", default="patient_id", show_default=True, help="Column with the patient id."),
        click.option("--date-col", default="report_date", show_default=True, help="Column with the exam/specimen date."),
        click.option("--type-col", default="report_type", show_default=True,
                     help="Column with the report-type hint (US, FNA, surgical pathology...); optional."),
        click.option("--text-col", default="text", show_default=True, help="Column with the report text."),
        click.option("--date-format", default="iso", show_default=True,
                     help="How the date column is written: iso (YYYY-MM-DD, a time may follow), a strptime format "
                          "such as %m/%d/%Y or %d.%m.%Y, or auto (a file input is scanned: day-first or month-first "
                          "when the dates say so unambiguously, else one line saying what to pass)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def definition_options(func):
    """--definitions FILE_OR_DIR (repeatable)."""
    return click.option(
        "--definitions", "definition_files", multiple=True, type=click.Path(exists=False),
        help="Extra case-definition file or directory (TOML); repeatable. The shipped patterns/definitions/ "
             "are always loaded.",
    )(func)


def run_options(func):
    """What a run extracts with and how it runs, shared by `extract` and `extract-sql`: --patterns,
    --definitions, --linking-config, --no-link, --no-duckdb, --workers, --chunk-size, --max-report-chars,
    --max-seconds-per-report, --csv-safe. The command receives them as the keyword ``run`` (an
    extractor.run.api.RunOptions)."""
    options = [
        click.option("--patterns", type=click.Path(file_okay=False), default=None,
                     help="Directory of rule files to use instead of the shipped patterns/."),
        definition_options,
        click.option("--linking-config", type=click.Path(dir_okay=False), default=None,
                     help="Linking windows and rules instead of patterns/linking.toml."),
        click.option("--no-link", is_flag=True, help="Extract report fields only; no patients or links tables."),
        click.option("--no-duckdb", is_flag=True, help="Do not write DIR/radpath.duckdb."),
        click.option("--workers", type=click.IntRange(min=1), default=None,
                     help="Extraction processes (default: the cores available). Output is the same for any number."),
        click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
                     help="Reports read, extracted and written at a time; memory depends on this, not on the "
                          "input's size."),
        click.option("--csv-safe", is_flag=True,
                     help="In the CSV outputs, prefix with ' every cell that a spreadsheet would run as a formula "
                          "(starting with =, +, -, @, tab or carriage return; plain numbers excepted). Parquet "
                          "and DuckDB keep the values as they are. See docs/data-dictionary.md."),
        click.option("--max-report-chars", type=click.IntRange(min=0), default=DEFAULT_MAX_REPORT_CHARS,
                     show_default=True,
                     help="A longer report goes to DIR/errors as too_long and the run goes on (0 = no limit)."),
        click.option("--max-seconds-per-report", type=click.FloatRange(min=0), default=DEFAULT_MAX_SECONDS_PER_REPORT,
                     show_default=True,
                     help="A report whose extraction takes longer is stopped and goes to DIR/errors as too_slow; "
                          "the run goes on (0 = no limit)."),
    ]

    @functools.wraps(func)
    def wrapper(*args, patterns, definition_files, linking_config, no_link, no_duckdb, workers, chunk_size,
                csv_safe, max_report_chars, max_seconds_per_report, **kwargs):
        run = RunOptions(patterns=patterns, linking=linking_config, definitions=tuple(definition_files),
                         link=not no_link, duckdb=not no_duckdb, workers=workers, chunk_size=chunk_size,
                         csv_safe=csv_safe, max_report_chars=max_report_chars,
                         max_seconds_per_report=max_seconds_per_report)
        return func(*args, run=run, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def engine_options(func):
    """--engine and --spark-master (extract): the same job on this machine or on Spark (docs/scale.md)."""
    func = click.option("--spark-master", "spark_master", default=None, metavar="URL",
                        help="Spark master for --engine spark (local[2], spark://host:7077, yarn); default: the "
                             "session spark-submit started, else Spark's own default.")(func)
    return click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
                        help="Run the job on this machine (--workers processes) or on Spark (pip install "
                             "'radpath[spark]'); both write the same tables.")(func)
