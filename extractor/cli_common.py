"""Option bundles and error handling shared by every radpath command module."""
from __future__ import annotations

import functools
import logging
import sys

import click

from .errors import RadpathError


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


def definition_options(func):
    """--definitions FILE_OR_DIR (repeatable)."""
    return click.option(
        "--definitions", "definition_files", multiple=True, type=click.Path(exists=False),
        help="Extra case-definition file or directory (TOML); repeatable. The shipped patterns/definitions/ "
             "are always loaded.",
    )(func)
