"""`radpath extract`, `radpath evaluate` and `radpath demo`: the whole job on a report file, its scores against gold
labels, and both on the bundled corpus. Thin click commands over extractor.run.api and extractor.evaluate (the
group in extractor.cli.main imports this module when one of them runs)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..audit import build_audit, load_audit_data
from ..evaluate.nodules import evaluate_nodules_dir, format_detection
from ..evaluate.patients import evaluate_patients_dir
from ..evaluate.reports import (
    evaluate_dir,
    evaluate_kinds_dir,
    format_confusion,
    format_scores,
)
from ..knowledge.resources import sample_dir
from ..privacy import LOG_TEXT_ENV
from ..run.api import extract_file
from ..run.spark_job import (
    extract_file_spark,  # pyspark itself is imported only when the Spark engine runs
)
from ..tables.sources import ColumnMap
from .cohort import outcome_tables
from .common import (
    column_options,
    engine_options,
    log_to_stderr,
    run_options,
    user_errors,
)


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=True))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Output directory.")
@column_options
@click.option("--format", "fmt", type=click.Choice(["csv", "tsv", "parquet", "jsonl"]), default=None,
              help="Input format; by default taken from the file extension.")
@click.option("--omop", is_flag=True,
              help="INPUT is an OMOP CDM NOTE table (note_id, person_id, note_date, note_title, note_text): read "
                   "its standard columns and also write DIR/note_nlp (CDM v5.4), one row per mention.")
@click.option("--note-nlp", "note_nlp", is_flag=True,
              help="Also write DIR/note_nlp (OMOP CDM v5.4) for any input; report ids that are not integers are "
                   "numbered, the mapping in DIR/note_nlp_ids (docs/omop.md).")
@click.option("--concept-map", "concept_map", type=click.Path(dir_okay=False), default=None,
              help="TSV mapping rule ids or labels to OMOP concept ids for NOTE_NLP (columns match, value, "
                   "concept_id[, source_concept_id]; docs/omop.md). Implies --note-nlp. Unmapped rows stay 0.")
@run_options
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same DIR: finished chunks are kept (same INPUT, rules "
                   "and options), the rest extracted; the tables equal those of an uninterrupted run.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 2, the previous outputs in DIR kept) instead of warning when the dates would empty the "
                   "cohort: most ultrasound or pathology dates unreadable, or no patient with a dated ultrasound.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (no progress bar, no summary).")
@click.option("-v", "--verbose", is_flag=True,
              help="Log each rejected row and failed report on stderr (report ids, rows and reasons; no text).")
@click.option("--log-text", is_flag=True,
              help="Let log lines quote report text (an excerpt of a report that failed). Off by default: "
                   "report text is patient data and logs are often kept and shared.")
@engine_options
@user_errors
def extract(input_path, out_dir, id_col, patient_col, date_col, type_col, text_col, date_format, fmt, omop, note_nlp,
            concept_map, run, resume, strict, quiet, verbose, log_text, engine, spark_master):
    """Extract report fields and mentions from INPUT and link them into patients, all in DIR.

    INPUT is a CSV, TSV, Parquet or JSON Lines table with columns report_id, patient_id, report_date,
    report_type (optional hint) and text; map other names with the --*-col options. Writes, each as CSV and
    Parquet: DIR/reports (one row per report), DIR/mentions (one row per mention, with offsets, rules and context
    triggers), DIR/errors (rows that could not be read as reports), DIR/patients (one row per patient with an
    ultrasound, with a def_<id> column per case definition) and DIR/links; plus DIR/radpath.duckdb and
    DIR/manifest.json (version, rule hashes, options, input checksums).

    INPUT is read and written in chunks by --workers processes, with a progress bar (reports/s, ETA) on a
    terminal; every output file appears complete or not at all. If a run is killed, run the same command with
    --resume to finish it.

    Example:

    \b
        radpath extract notes.csv --out results --text-col NOTE_TEXT --id-col NOTE_ID
        radpath extract archive.parquet --out results --workers 8 --resume
        radpath extract note.parquet --omop --out results    # OMOP NOTE in, NOTE_NLP out too
        radpath extract reports.csv --out results --note-nlp --concept-map concepts.tsv
        radpath extract reports.csv --out results --engine spark --spark-master 'local[2]'
    """
    from dataclasses import replace

    if verbose:
        log_to_stderr()
    os.environ[LOG_TEXT_ENV] = "1" if log_text else "0"  # workers inherit it
    columns = ColumnMap(id_col, patient_col, date_col, type_col, text_col, date_format)
    if omop and replace(columns, date_format="iso") != ColumnMap():
        raise click.UsageError("--omop reads the NOTE table's standard columns: leave out the --*-col options")
    options = replace(run, resume=resume, omop=omop, note_nlp=note_nlp or bool(concept_map), concept_map=concept_map,
                      strict=strict)
    if engine == "spark":
        if resume:
            raise click.UsageError("--resume is for the local engine (Spark re-runs failed tasks itself)")
        run = extract_file_spark(input_path, out_dir, columns=columns, fmt=fmt, options=options, master=spark_master)
    else:
        if spark_master:
            raise click.UsageError("--spark-master needs --engine spark")
        run = extract_file(input_path, out_dir, columns=columns, fmt=fmt, options=options,
                           progress=False if quiet else None)
    for warning in run.warnings:  # never silenced: an empty cohort must not pass unnoticed
        click.echo(f"{'Note' if warning.startswith('--date-format auto') else 'Warning'}: {warning}", err=True)
    if not quiet:
        _print_summary(run)


@click.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False))
@click.option("--gold", "gold_path", required=True, type=click.Path(dir_okay=False),
              help="Gold CSV: report_id plus any report fields of the contract.")
@click.option("--gold-patients", "gold_patients_path", type=click.Path(dir_okay=False), default=None,
              help="Gold patients CSV: patient_id plus any patients columns; scores DIR/patients too.")
@click.option("--gold-nodules", "gold_nodules_path", type=click.Path(dir_okay=False), default=None,
              help="Gold nodules CSV: report_id, nodule_index and any DIR/nodules columns; scores DIR/nodules "
                   "(detection P/R/F1 and per-feature accuracy over matched nodules, docs/nodules.md).")
@click.option("--min", "minimum", type=float, default=None,
              help="Exit with status 1 if any field's accuracy (or nodule detection F1) is below this (e.g. 0.97).")
@click.option("--no-misses", is_flag=True, help="Do not list the misses.")
@user_errors
def evaluate(out_dir, gold_path, gold_patients_path, gold_nodules_path, minimum, no_misses):
    """Score DIR/reports.csv against gold labels.

    Prints per-field accuracy, per-value precision / recall / F1, every miss with its report id and a report-kind
    confusion matrix (rows gold, columns predicted).

    Example:

        radpath evaluate --gold corpora/sample/gold_reports.csv --gold-patients corpora/sample/gold_patients.csv --gold-nodules corpora/sample/gold_nodules.csv radpath-demo --min 0.97
    """
    scores = evaluate_dir(gold_path, out_dir)
    click.echo(format_scores(scores, show_misses=not no_misses))
    confusion = format_confusion(evaluate_kinds_dir(gold_path, out_dir))
    if confusion:
        click.echo("\n" + confusion)
    if gold_patients_path:
        patient_scores = evaluate_patients_dir(gold_patients_path, out_dir)
        click.echo("\nPatients:")
        click.echo(format_scores(patient_scores, show_misses=not no_misses))
        scores = scores + patient_scores
    if gold_nodules_path:
        detection, nodule_scores, unmatched = evaluate_nodules_dir(gold_nodules_path, out_dir)
        click.echo("\nNodules:")
        click.echo(format_detection(detection, unmatched, show_misses=not no_misses))
        click.echo(format_scores(nodule_scores, show_misses=not no_misses))
        scores = scores + nodule_scores
        if minimum is not None and detection.f1 < minimum:
            click.echo(f"Below --min {minimum}: nodule detection F1 {detection.f1:.3f}", err=True)
            sys.exit(1)
    below = [s.field for s in scores if minimum is not None and s.accuracy < minimum]
    if below:
        click.echo(f"Below --min {minimum}: {', '.join(below)}", err=True)
        sys.exit(1)


@click.command()
@click.option("--out", "out_dir", default="radpath-demo", show_default=True, type=click.Path(file_okay=False),
              help="Where to write the demo outputs.")
@user_errors
def demo(out_dir):
    """Run the whole job on the bundled synthetic corpus (corpora/sample): tables, patients, the audit page, and
    the agreement with the corpus's gold labels.

    Example:

        radpath demo --out radpath-demo
    """
    corpus = sample_dir()
    click.echo(f"Corpus: {corpus}")
    run = extract_file(corpus / "reports.csv", out_dir)
    _print_summary(run)
    stats = build_audit(load_audit_data(out_dir))
    click.echo(f"Audit page: {Path(out_dir) / 'audit.html'} ({stats.patients} patients; open it in a browser)")
    for gold, score, what in ((corpus / "gold_reports.csv", evaluate_dir, "report"),
                              (corpus / "gold_patients.csv", evaluate_patients_dir, "patient")):
        if gold.is_file():
            click.echo(f"\nAgreement with the corpus's gold {what} labels:")
            click.echo(format_scores(score(gold, out_dir), show_misses=False, per_value=False))
    if (corpus / "gold_nodules.csv").is_file():
        detection, nodule_scores, unmatched = evaluate_nodules_dir(corpus / "gold_nodules.csv", out_dir)
        click.echo("\nAgreement with the corpus's gold nodules:")
        click.echo(format_detection(detection, unmatched, show_misses=False))
        click.echo(format_scores(nodule_scores, show_misses=False, per_value=False))
    click.echo(f"\nPer-value precision / recall / F1 and the misses: "
               f"radpath evaluate --gold {corpus / 'gold_reports.csv'} {out_dir}")


def _print_summary(run) -> None:
    click.echo(run.summary.line())
    if run.linkage is not None:
        patients = run.linkage.patients
        members = ", ".join(f"{d.id} {int((patients[d.column] == 'true').sum())}" for d in run.definitions)
        click.echo(f"Linked {len(patients)} patients with an ultrasound; case definitions: {members or 'none'}.\n")
        click.echo(outcome_tables(patients, [d.column for d in run.definitions]))
        click.echo("")
    click.echo(f"Wrote to {run.out_dir}/: reports, mentions, errors, nodules"
               + (", patients, links" if run.linkage is not None else "")
               + (", note_nlp" if (run.out_dir / "note_nlp.parquet").exists() else "") + " (.csv and .parquet), "
               + ("radpath.duckdb, " if (run.out_dir / "radpath.duckdb").exists() else "") + "manifest.json")
    if run.note_nlp:
        click.echo(f"NOTE_NLP: {run.note_nlp['note_nlp']} rows, {run.note_nlp['note_nlp_unmapped']} without a concept "
                   "id (0; map them with --concept-map)")


COMMANDS = (extract, evaluate, demo)
