"""`radpath audit` and `radpath explain`: thin click commands over extractor.audit (registered on the main
group by extractor.cli.main). Library errors become one-line messages, never tracebacks."""
from __future__ import annotations

import click

from ..audit import build_audit, load_audit_data
from ..audit.explain import explain as run
from ..audit.flow import cohort_flows, standalone_svg
from ..errors import InputError
from ..run.progress import Progress
from ..tables.files import atomic_write_text
from ..tables.sources import ColumnMap
from .common import user_errors


def _input_options(func):
    options = [
        click.option("--input", "input_path", type=click.Path(dir_okay=False), default=None,
                     help="The report table given to `radpath extract` (for the report texts); by default the "
                          "one recorded in DIR/manifest.json (by absolute path), unless it has moved or changed "
                          "since the run: a note then says so."),
        click.option("--id-col", default=None, help="Report id column of --input (default report_id)."),
        click.option("--text-col", default=None, help="Text column of --input (default text)."),
        click.option("--definitions", "definitions_dir", type=click.Path(file_okay=False), default=None,
                     help="Directory of case definitions (*.toml); default patterns/definitions."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(out_dir, input_path, id_col, text_col, definitions_dir):
    columns = None
    if id_col or text_col:
        columns = ColumnMap(report_id=id_col or "report_id", text=text_col or "text")
    return load_audit_data(out_dir, input_path, columns=columns, definitions_dir=definitions_dir)


@click.command("audit")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, exists=True))
@_input_options
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Where to write the page (default DIR/audit.html).")
@click.option("--page-size", type=click.IntRange(1, 500), default=20, show_default=True,
              help="Patient cards per page.")
@click.option("--flow-svg", "flow_svg", type=click.Path(dir_okay=False), default=None,
              help="Also write each case definition's cohort flow as a standalone SVG: FILE itself for one "
                   "definition, FILE with -<definition id> before the extension for several.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@user_errors
def audit(out_dir, input_path, id_col, text_col, definitions_dir, out_path, page_size, flow_svg, quiet):
    """Write DIR/audit.html: the cohort flow, tables and plots, and every patient's reports with the mentions,
    rules and evidence behind each value.

    One self-contained file that opens offline (no network request). It quotes report text: it is created
    readable by its owner only. Without DIR/patients (patient linking) it shows report-level views only.

    Example:

        radpath audit results --input reports.csv
        radpath audit results --flow-svg figures/flow.svg   # figures/flow-yoon2011_dmo.svg, ...
    """
    data = _load(out_dir, input_path, id_col, text_col, definitions_dir)
    bar = Progress(False if quiet else None, counted="patients", unit="patients")  # on a terminal only
    try:
        stats = build_audit(data, out_path, page_size=page_size, progress=bar.update)
    finally:
        bar.close()
    written = write_flow_svgs(data, flow_svg) if flow_svg else []
    if not quiet:
        for path in written:
            click.echo(f"Wrote {path}")
        for warning in data.warnings:
            click.echo(f"Note: {warning}", err=True)
        target = out_path or f"{out_dir}/audit.html"
        click.echo(f"Wrote {target}: {stats.patients} patients, {stats.reports} reports, "
                   f"{stats.bytes / 1e6:.1f} MB in {stats.seconds:.1f} s")


def write_flow_svgs(data, target) -> list:
    """One standalone SVG per case definition (see extractor.audit.flow); returns the paths written."""
    from pathlib import Path

    flows = cohort_flows(data)
    if not flows:
        raise InputError("no cohort flow to draw: DIR has no patients table (run `radpath link DIR`) or no case "
                         "definition", path=str(data.directory))
    target = Path(target)
    paths = []
    for flow in flows:
        path = target if len(flows) == 1 else target.with_name(f"{target.stem}-{flow.definition_id}{target.suffix}")
        atomic_write_text(path, standalone_svg(flow), private=False)  # counts only, no report text
        paths.append(path)
    return paths


@click.command("explain")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, exists=True))
@click.argument("ident", metavar="ID")
@_input_options
@click.option("--show-text", is_flag=True, help="Also print each report's whole text, highlighted.")
@click.option("--width", type=int, default=None, help="Terminal width (default: detected).")
@user_errors
def explain(out_dir, ident, input_path, id_col, text_col, definitions_dir, show_text, width):
    """Print the audit trace of one patient or one report: each value with its rule, the evidence mentions with
    their sentence, ConText triggers and rule ids, and the case-definition verdicts.

    Whole report texts are not printed unless --show-text is given.

    Example:

        radpath explain results P001
    """
    from rich.console import Console

    if show_text:
        data = _load(out_dir, input_path, id_col, text_col, definitions_dir)
        for warning in data.warnings:
            click.echo(f"Note: {warning}", err=True)
    else:  # the trace needs no texts: do not even read them
        data = load_audit_data(out_dir, definitions_dir=definitions_dir, with_texts=False)
    console = Console(width=width, highlight=False, soft_wrap=False)
    run(data, ident, show_text=show_text, console=console)
