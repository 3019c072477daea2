"""Click commands for patients and cohorts: ``link``, ``cohort``, ``compare``, ``evaluate-patients``.

Thin: each command calls one library function in extractor.run.api / evaluate_patients and prints. The lead
registers them on the ``radpath`` group (``cli.add_command(link)`` ...). RadpathError becomes a one-line message
and its exit status, never a traceback.
"""
from __future__ import annotations

import sys

import click
import pandas as pd

from ..cohort.linking import outcome_table
from ..cohort.patients import (
    cohort_members,
    compare_definitions,
    ensure_definition_columns,
    read_patients,
)
from ..errors import InputError
from ..evaluate.patients import evaluate_patients_dir, format_scores
from ..knowledge.definitions import get_definition, load_definitions
from ..run.api import link_dir
from ..run.manifest import read_manifest, recorded_inputs
from ..tables.files import output_lock, recover
from ..tables.sources import ColumnMap
from ..tables.store import DB_NAME, read_duckdb, read_frame
from .common import definition_options, user_errors


def format_table(frame: pd.DataFrame, *, title: str | None = None) -> str:
    """A plain fixed-width text table (no terminal codes, so it pipes and tests cleanly)."""
    cells = [[str(c) for c in frame.columns]] + [["" if pd.isna(v) else str(v) for v in row]
                                                 for row in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))] if cells[0] else []
    lines = [title] if title else []
    for n, row in enumerate(cells):
        lines.append("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def outcome_tables(patients: pd.DataFrame, definition_columns: list[str]) -> str:
    parts = [format_table(outcome_table(patients, "us_pattern"),
                          title="Ultrasound pattern x final diagnosis (malignancy_rate = malignant / (malignant + "
                                "benign))")]
    for column in definition_columns:
        parts.append(format_table(outcome_table(patients, column), title=f"\n{column} x final diagnosis"))
    return "\n".join(parts)


@click.command("link")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--input", "input_path", type=click.Path(dir_okay=False), default=None,
              help="The report table DIR was extracted from: only read when DIR/reports predates the site "
                   "columns (fna_site, tumor_site, fna_position), which are then extracted from its texts. "
                   "Default: the input DIR/manifest.json records, if it has not moved or changed since the run "
                   "(else the sites are 'unknown', and a note says why).")
@click.option("--id-col", default="report_id", show_default=True, help="Report id column of --input.")
@click.option("--text-col", default="text", show_default=True, help="Text column of --input.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Linking configuration instead of patterns/linking.toml.")
@definition_options
@click.option("--no-duckdb", is_flag=True, help="Do not write DIR/radpath.duckdb.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@user_errors
def link(out_dir, input_path, id_col, text_col, config_path, definition_files, no_duckdb, quiet):
    """Link DIR/reports into DIR/patients (one row per patient with an ultrasound).

    Chooses each patient's index ultrasound, links the first cytology (180 days) and surgical pathology (365
    days) after it, sets us_pattern, final_diagnosis, sites, concordance flags and one def_<id> column per case
    definition, and writes DIR/patients.{csv,parquet}, DIR/links.{csv,parquet} (how or why not each report was
    linked) and DIR/radpath.duckdb. Prints the ultrasound pattern x final diagnosis table.

    Example:

        radpath link results --input reports.csv
    """
    columns = ColumnMap(report_id=id_col, text=text_col)
    manifest = read_manifest(out_dir)
    paths, notes = recorded_inputs(out_dir, input_path, manifest=manifest)
    for note in notes:
        click.echo(f"Note: {note}" + ("" if paths else "; FNA and tumour sites will be 'unknown'"), err=True)
    if input_path is None and paths:  # the run's own input, found by its absolute path and unchanged
        recorded = (manifest.get("options") or {}).get("columns") or {}
        columns = ColumnMap(report_id=recorded.get("report_id", id_col), text=recorded.get("text", text_col))
    with output_lock(out_dir):  # not while another run writes DIR
        recover(out_dir)  # a swap a killed run cut short is finished first
        linkage, defs = link_dir(out_dir, input_path=paths[0] if paths else None, columns=columns,
                                 linking=config_path, definitions=definition_files, duckdb=not no_duckdb)
    if quiet:
        return
    s = linkage.summary()
    unlinked = {k: v for k, v in s["links"].items()
                if k in {"missing_date", "unparseable_date", "future_date", "outside_window", "before_index", "no_ultrasound",
                         "no_dated_ultrasound"}}
    click.echo(f"Linked {s['patients']} patients with an ultrasound. Reports not linked: "
               f"{', '.join(f'{k} {v}' for k, v in sorted(unlinked.items())) or 'none'} (see DIR/links).")
    click.echo(outcome_tables(linkage.patients, [d.column for d in defs]))
    click.echo(f"\nWrote {out_dir}/patients.csv|.parquet, links.csv|.parquet"
               + ("" if no_duckdb else ", radpath.duckdb"))


@click.command("cohort")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--definition", "definition_id", required=True, help="Case definition id (e.g. yoon2011_dmo).")
@definition_options
@user_errors
def cohort(out_dir, definition_id, definition_files):
    """List the patients of DIR/patients who meet a case definition, with their index reports and outcome.

    Prints the definition's title, citation and rationale, the members, and the definition x final diagnosis
    table.

    Example:

        radpath cohort results --definition yoon2011_dmo
    """
    definition = get_definition(definition_id, definition_files)
    patients = ensure_definition_columns(read_patients(out_dir), [definition])
    members = cohort_members(patients, definition)
    click.echo(f"{definition.id}: {definition.title}\n{definition.citation}\n")
    click.echo(format_table(members, title=f"{len(members)} of {len(patients)} patients meet {definition.id}"))
    click.echo("")
    click.echo(format_table(outcome_table(patients, definition.column),
                            title=f"{definition.column} x final diagnosis"))


@click.command("compare")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.argument("definition_a", metavar="A")
@click.argument("definition_b", metavar="B")
@definition_options
@user_errors
def compare(out_dir, definition_a, definition_b, definition_files):
    """Cross-tabulate two case definitions on DIR/patients and explain every patient who moves.

    For each patient in one definition but not the other, prints the field values that decide it and the
    evidence mention text from DIR/mentions (when present), then the final diagnosis of each group.

    Example:

        radpath compare results yoon2011_dmo strict_dmo
    """
    a, b = load_definitions(definition_files, only=[definition_a, definition_b])
    patients = read_patients(out_dir)
    mentions = read_frame(out_dir, "mentions", required=False)
    result = compare_definitions(patients, a, b, mentions)
    click.echo(format_table(result.crosstab.reset_index().rename(columns={"index": ""}),
                            title=f"{a.id} x {b.id} (patients)"))
    click.echo("")
    click.echo(format_table(result.movers, title=f"Patients who move ({result.movers['patient_id'].nunique()}) "
                                                 "and the field values that move them"))
    click.echo("")
    click.echo(format_table(result.outcome.reset_index().rename(columns={"row_0": "group"}),
                            title="Final diagnosis by group"))


@click.command("evaluate-patients")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold CSV: patient_id plus any patients columns.")
@click.option("--min", "minimum", type=float, default=None,
              help="Exit with status 1 if any field's accuracy is below this (e.g. 0.97).")
@click.option("--no-misses", is_flag=True, help="Do not list the misses.")
@user_errors
def evaluate_patients(out_dir, gold_path, minimum, no_misses):
    """Score DIR/patients.csv against gold patient labels, per field.

    Example:

        radpath evaluate-patients --gold corpora/sample/gold_patients.csv radpath-demo --min 0.97
    """
    scores = evaluate_patients_dir(gold_path, out_dir)
    click.echo(format_scores(scores, show_misses=not no_misses, per_value=False))
    below = [s.field for s in scores if minimum is not None and s.accuracy < minimum]
    if below:
        click.echo(f"Below --min {minimum}: {', '.join(below)}", err=True)
        sys.exit(1)


@click.command("query")
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, exists=True))
@click.argument("sql", metavar="SQL")
@click.option("--csv", "as_csv", is_flag=True, help="Print the result as CSV (for a pipe or a file) instead of a table.")
@user_errors
def query(out_dir, sql, as_csv):
    """Run one read-only SQL query against DIR/radpath.duckdb (tables reports, mentions, errors, patients, links
    and a cohort_<id> view per case definition) and print the result. No DuckDB command line needed: the duckdb
    Python package radpath installs runs it; the file is opened read-only, so a query cannot change the run.

    Example:

    \b
        radpath query results "select * from cohort_yoon2011_dmo"
        radpath query results "select final_diagnosis, count(*) n from patients group by 1" --csv > dx.csv
    """
    import sys
    from pathlib import Path

    import duckdb

    try:
        result = read_duckdb(Path(out_dir) / DB_NAME, sql)
    except duckdb.Error as e:  # the user's SQL: its first line says what is wrong (DuckDB's own words)
        raise InputError(f"query failed: {str(e).splitlines()[0]}", path=str(Path(out_dir) / DB_NAME)) from None
    if as_csv:
        result.to_csv(sys.stdout, index=False)
    else:
        click.echo(format_table(result, title=f"{len(result)} rows"))


COMMANDS = [link, cohort, compare, evaluate_patients, query]
