"""Library API: reports in, report / mention / error tables out. The CLI only wraps these functions.

:class:`Extractor` is the per-report extraction (kind first, then only what that kind needs); every run - a file,
a DataFrame, a database - is one :func:`extractor.run.job.run` with the Extractor as its engine, and the functions
here are thin wrappers over it.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ..cohort.index_nodule import fna_position
from ..cohort.linking import Linkage, LinkingConfig, outcome_table  # noqa: F401  (re-exported)
from ..cohort.patients import (  # noqa: F401  (re-exported: the cohort API of radpath 0.1's cohort_api)
    Comparison,
    cohort_members,
    compare_definitions,
    ensure_definition_columns,
    link_extraction,
    link_patients_in,
    linking_config,
    read_patients,
)
from ..fields.kinds import KindClassifier, KindDecision
from ..fields.nodules import NoduleExtractor
from ..fields.pathology import PathologyAggregator
from ..fields.ultrasound import ULTRASOUND_FIELDS, UltrasoundAggregator
from ..knowledge.definitions import Definition
from ..knowledge.ruleset import load_ruleset
from ..nlp.mentions import mention_rows
from ..nlp.pipeline import cached_nlp
from ..privacy import text_for_log
from ..tables.files import output_set
from ..tables.schemas import (
    errors_frame,
    mentions_frame,
    nodules_frame,
    reports_frame,
    write_table,
)
from ..tables.sources import ColumnMap, ReportTable, normalise, read_reports  # noqa: F401  (re-exported)
from .budget import (
    DEFAULT_MAX_REPORT_CHARS,
    DEFAULT_MAX_SECONDS_PER_REPORT,
    ReportTimeout,
    time_limit,
)
from .inputs import (  # noqa: F401  (re-exported)
    PATHOLOGY_KINDS,
    FileSource,
    FrameSource,
    StoredSource,
    omop_columns,
    read_texts,
    resolve_date_format,
)
from .job import DATE_SHARE_WARNED, Job, check_knowledge, date_problems, run  # noqa: F401  (re-exported)
from .job import csv_safe_env as _csv_safe  # noqa: F401  (the name extractor.tables.sql used)
from .model import Extraction, RunOptions  # noqa: F401  (re-exported)
from .outputs import (  # noqa: F401  (re-exported)
    CohortSink,
    FileSink,
    MemorySink,
    read_report_rows,
    write_cohort_outputs,
    write_note_nlp_for,
)

log = logging.getLogger(__name__)


def pathology_aggregator(ruleset):
    """The cytology / surgical pathology field extractor."""
    return PathologyAggregator(ruleset)


BATCH_SIZE = 64  # reports between two progress callbacks


class Extractor:
    """Holds the pipeline and rules; reusable across many tables.

    Each report is extracted on its own (the pipeline, then its fields), so a failure in any component for one
    report affects that report only: it goes to the errors table with a reason (``extraction_failed``, or
    ``too_long`` / ``too_slow`` past its budget, see extractor.run.budget) and every other report keeps exactly its own
    results. None or 0 turns a limit off."""

    def __init__(self, patterns: str | None = None, *, max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS,
                 max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT):
        self.ruleset = load_ruleset(patterns)
        self.nlp = cached_nlp(str(self.ruleset.directory))
        self.kinds = KindClassifier(self.ruleset)
        self.ultrasound = UltrasoundAggregator(self.ruleset)
        self.pathology = pathology_aggregator(self.ruleset)
        self.nodule_extractor = NoduleExtractor(self.ruleset)
        self.max_report_chars = max_report_chars
        self.max_seconds_per_report = max_seconds_per_report

    def extract_report(self, record: dict) -> tuple[list[dict], dict, list[dict]]:
        """(mention rows, report row, nodule rows) of one normalised record; raises what the pipeline raises.

        One pass, kind first: the report kind is decided from the type hint and the text, then only what that
        kind needs runs. An ultrasound report goes through the spaCy pipeline (its mentions, fields and nodules);
        a cytology or surgical pathology report through the pathology rules alone (no ultrasound mentions: a
        cytology's "colloid" is no comet-tail artefact), which also give its FNA / tumour site and the FNA's
        nodule position; an ``other`` report gets its kind only (contract: every other field empty)."""
        decision = self.kinds.classify(record["report_type"], record["text"])
        mentions: list[dict] = []
        if decision.kind == "ultrasound":
            doc = self.nlp(record["text"])
            mentions = mention_rows(doc, report_id=record["report_id"], patient_id=record["patient_id"])
        row = self.report_row(record, mentions, decision)
        nodules = self.nodule_extractor.rows(record, mentions) if decision.kind == "ultrasound" else []
        return mentions, row, nodules

    def _extract_within_budget(self, record: dict) -> tuple[list[dict], dict, list[dict]] | tuple[str, str]:
        """extract_report's result, or (reason, message) of a report that failed or went past its budget."""
        text = record["text"]
        if self.max_report_chars and len(text) > self.max_report_chars:
            return "too_long", f"{len(text)} characters > --max-report-chars {self.max_report_chars}"
        try:
            with time_limit(self.max_seconds_per_report):
                return self.extract_report(record)
        except ReportTimeout:
            return "too_slow", f"over --max-seconds-per-report {self.max_seconds_per_report:g}"
        except Exception as e:  # noqa: BLE001  one report's failure is recorded, never its neighbours'
            return "extraction_failed", type(e).__name__

    def extract_table(self, table: ReportTable, *, progress: Callable[[int], None] | None = None) -> Extraction:
        report_rows, all_mentions, errors, nodule_rows = [], [], list(table.errors), []
        records = table.reports.to_dict("records")
        for done, record in enumerate(records, start=1):
            result = self._extract_within_budget(record)
            if isinstance(result[0], str):
                reason, message = result
                log.warning("report %s (row %s): %s (%s); text %s", record["report_id"], record["row"], reason,
                            message, text_for_log(record["text"]))
                errors.append({"row": record["row"], "report_id": record["report_id"], "reason": reason,
                               "message": message})
            else:
                mentions, row, nodules = result
                all_mentions.extend(mentions)
                report_rows.append(row)
                nodule_rows.extend(nodules)
            if progress is not None and (done % BATCH_SIZE == 0 or done == len(records)):
                progress(done % BATCH_SIZE or BATCH_SIZE)
        return Extraction(
            reports=reports_frame(report_rows),
            mentions=mentions_frame(all_mentions),
            errors=errors_frame(sorted(errors, key=lambda e: e["row"])),
            rows_read=table.rows_read,
            nodules=nodules_frame(nodule_rows),
        )

    def report_row(self, record: dict, mentions: list[dict], decision: KindDecision | None = None) -> dict:
        """The reports row of one record from its mention rows; ``decision``: its kind, when already decided."""
        decision = decision or self.kinds.classify(record["report_type"], record["text"])
        row = {
            "report_id": record["report_id"],
            "patient_id": record["patient_id"],
            "report_date": record["report_date"],
            "report_date_raw": record.get("report_date_raw", record["report_date"]),  # the input's own text
            "report_kind": decision.kind,
            "report_type": record["report_type"],
            "report_kind_source": decision.source,
            "report_date_status": record.get("report_date_status", ""),
            "input_flags": record.get("input_flags", ""),
            "n_mentions": len(mentions),
        }
        evidence = {}
        if decision.kind == "ultrasound":
            for name, value in self.ultrasound.aggregate(mentions).items():
                row[name] = value.value
                if value.value or value.reason:
                    evidence[name] = {"mentions": value.evidence, "rule": value.rule}
                    if value.reason:  # why the field is empty or not_mentioned (docs/data-dictionary.md)
                        evidence[name]["reason"] = value.reason
        elif decision.kind in PATHOLOGY_KINDS:
            for name, value in self.pathology.aggregate(decision.kind, record["text"], mentions).items():
                row[name] = value.value
                if value.value or value.rule.startswith("miss:"):  # an explained miss (docs/data-dictionary.md)
                    evidence[name] = {"mentions": value.evidence, "rule": value.rule}
        for name in ULTRASOUND_FIELDS:
            row.setdefault(name, "")
        # the pole the cytology names, for the index nodule (linking reads this column, never the text)
        row["fna_position"] = fna_position(record["text"], self.nodule_extractor.rules) \
            if decision.kind == "cytology" else ""
        row["evidence"] = json.dumps(evidence, sort_keys=True)
        return row


def extract(
    reports: pd.DataFrame, *, columns: ColumnMap = ColumnMap(), patterns: str | None = None,
    max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS,
    max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT,
) -> Extraction:
    """Notebook entry point: a DataFrame of reports in, DataFrames of reports, mentions and errors out. A report
    longer than ``max_report_chars`` or slower than ``max_seconds_per_report`` goes to errors (too_long /
    too_slow); None or 0 = no limit."""
    sink = MemorySink()
    options = RunOptions(patterns=patterns, link=False, duckdb=False, max_report_chars=max_report_chars,
                         max_seconds_per_report=max_seconds_per_report)
    run(Job(FrameSource(reports, columns=columns), [sink], engine=Extractor, options=options))
    return sink.extraction()


@dataclass
class Run:
    summary: object  # extractor.run.model.RunSummary: counts, rate, workers
    stored_reports: pd.DataFrame | None  # the report rows, when the run had them in memory (else read on demand)
    linkage: object | None  # extractor.cohort.linking.Linkage
    definitions: list
    out_dir: Path
    note_nlp: dict = field(default_factory=dict)  # {"note_nlp": rows, "note_nlp_unmapped": rows with concept id 0}
    warnings: list = field(default_factory=list)  # one line each: what could silently empty the cohort, and the fix

    @property
    def reports(self) -> pd.DataFrame | None:
        """DIR/reports without the evidence column, when linked (read from DIR on first use: a run never holds
        every report row in memory)."""
        if self.stored_reports is None and self.linkage is not None:
            self.stored_reports = read_report_rows(self.out_dir)
        return self.stored_reports


def extract_file(
    input_path: str | Path,
    out_dir: str | Path,
    *,
    columns: ColumnMap = ColumnMap(),
    fmt: str | None = None,
    options: RunOptions = RunOptions(),
    progress: bool | Callable[[int], None] | None = False,
) -> Run:
    """The whole job: read a report table, extract, link patients, apply case definitions and write every table
    (reports, mentions, errors, patients, links, radpath.duckdb) and DIR/manifest.json to ``out_dir``.

    One :func:`extractor.run.job.run` of the file into DIR: the input is read once, chunk by chunk, so memory does not
    grow with it (``--date-format auto`` first scans its date column); linking reads the report rows, never the
    texts. ``progress``: False (default) = silent, True / None (= when stderr is a terminal) = a progress bar, or a
    callable given the number of rows done per chunk."""
    result = run(Job(FileSource(input_path, columns=columns, fmt=fmt), [FileSink(out_dir)], engine=Extractor,
                     options=options, progress=progress))
    note_nlp = {k: v for k, v in result.tables.items() if k in ("note_nlp", "note_nlp_unmapped")}
    return Run(result.summary, result.reports if result.linkage is not None else None, result.linkage,
               result.definitions, Path(out_dir), note_nlp, result.warnings)


def check_run_options(options: RunOptions) -> None:
    """Load every knowledge file a run will use - rules, linking configuration, case definitions - and link an
    empty table with them, so a bad file is one clear error before any report is read (and before DIR is
    touched)."""
    check_knowledge(options)


def write_outputs(result: Extraction, out_dir: Path) -> list[Path]:
    """Write an Extraction's reports, mentions, errors and nodules (CSV + Parquet) to ``out_dir`` as one output
    set (DIR locked, the tables staged and swapped in, radpath's other files of an earlier run removed)."""
    with output_set(out_dir) as staged:
        write_table(result.reports, staged.path, "reports")
        write_table(result.mentions, staged.path, "mentions", private=True)
        write_table(result.errors, staged.path, "errors")
        write_table(result.nodules, staged.path, "nodules")
        return staged.commit()


@dataclass
class Cohort:
    reports: pd.DataFrame
    mentions: pd.DataFrame
    errors: pd.DataFrame
    patients: pd.DataFrame
    links: pd.DataFrame
    definitions: list[Definition] = field(default_factory=list)


def build_cohort(
    reports: pd.DataFrame,
    *,
    columns: ColumnMap = ColumnMap(),
    patterns: str | None = None,
    linking: str | Path | LinkingConfig | None = None,
    definitions: Iterable[str | Path] | None = None,
    definition_ids: Iterable[str] | None = None,
) -> Cohort:
    """One call from a DataFrame of reports to DataFrames of reports, mentions, errors, patients and links (one
    :func:`extractor.run.job.run` of the DataFrame into memory)."""
    sink = MemorySink()
    options = RunOptions(patterns=patterns, definitions=tuple(definitions or ()), duckdb=False)
    result = run(Job(FrameSource(reports, columns=columns), [sink], engine=Extractor, options=options,
                     linking=linking_config(linking), definition_ids=definition_ids))
    extraction = sink.extraction()
    return Cohort(extraction.reports, extraction.mentions, extraction.errors, result.linkage.patients,
                  result.linkage.links, result.definitions)


def link_dir(
    out_dir: str | Path,
    *,
    input_path: str | Path | None = None,
    columns: ColumnMap = ColumnMap(),
    linking: str | Path | LinkingConfig | None = None,
    definitions: Iterable[str | Path] | None = None,
    definition_ids: Iterable[str] | None = None,
    duckdb: bool = True,
) -> tuple[Linkage, list[Definition]]:
    """Build DIR/patients (+ links, + radpath.duckdb) from DIR/reports and DIR/nodules (one
    :func:`extractor.run.job.run` of the stored tables: linking reads tables only). The FNA and tumour sites and the
    FNA's pole are report columns; only a reports table written before they existed needs ``input_path`` (the
    report table with the texts), from which they are extracted first; without it that table's sites are
    ``unknown``."""
    options = RunOptions(definitions=tuple(definitions or ()), duckdb=duckdb)
    result = run(Job(StoredSource(out_dir, texts_from=input_path, columns=columns), [CohortSink(out_dir, duckdb=duckdb)],
                     engine=Extractor, options=options, linking=linking_config(linking), definition_ids=definition_ids))
    return result.linkage, result.definitions
