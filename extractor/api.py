"""Library API: reports in, report / mention / error tables out. The CLI only wraps these functions."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .aggregate import ULTRASOUND_FIELDS, UltrasoundAggregator
from .budget import DEFAULT_MAX_REPORT_CHARS, DEFAULT_MAX_SECONDS_PER_REPORT, ReportTimeout, time_limit
from .errors import InputError
from .kinds import KindClassifier
from .mentions import mention_rows
from .pipeline import cached_nlp
from .privacy import text_for_log
from .ruleset import load_ruleset
from .runner import DEFAULT_CHUNK_SIZE
from .sources import ColumnMap, ReportTable, normalise, read_reports  # noqa: F401  (read_reports re-exported)
from .tables import errors_frame, mentions_frame, reports_frame, write_table

log = logging.getLogger(__name__)
PATHOLOGY_KINDS = {"cytology", "surgical_pathology"}


def pathology_aggregator(ruleset):
    """The cytology / surgical pathology field extractor."""
    from .pathology import PathologyAggregator

    return PathologyAggregator(ruleset)
BATCH_SIZE = 64  # reports between two progress callbacks


@dataclass
class Extraction:
    reports: pd.DataFrame
    mentions: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int

    def summary(self) -> dict:
        kinds = self.reports["report_kind"].value_counts().to_dict() if len(self.reports) else {}
        return {
            "rows_read": self.rows_read,
            "reports": len(self.reports),
            "errors": len(self.errors),
            "mentions": len(self.mentions),
            "by_kind": kinds,
        }


class Extractor:
    """Holds the pipeline and rules; reusable across many tables.

    Each report is extracted on its own (the pipeline, then its fields), so a failure in any component for one
    report affects that report only: it goes to the errors table with a reason (``extraction_failed``, or
    ``too_long`` / ``too_slow`` past its budget, see extractor.budget) and every other report keeps exactly its own
    results. None or 0 turns a limit off."""

    def __init__(self, patterns: str | None = None, *, max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS,
                 max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT):
        self.ruleset = load_ruleset(patterns)
        self.nlp = cached_nlp(str(self.ruleset.directory))
        self.kinds = KindClassifier(self.ruleset)
        self.ultrasound = UltrasoundAggregator(self.ruleset)
        self.pathology = pathology_aggregator(self.ruleset)
        self.max_report_chars = max_report_chars
        self.max_seconds_per_report = max_seconds_per_report

    def extract_report(self, record: dict) -> tuple[list[dict], dict]:
        """(mention rows, report row) of one normalised record; raises what the pipeline raises."""
        doc = self.nlp(record["text"])
        mentions = mention_rows(doc, report_id=record["report_id"], patient_id=record["patient_id"])
        return mentions, self.report_row(record, mentions)

    def _extract_within_budget(self, record: dict) -> tuple[list[dict], dict] | tuple[str, str]:
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
        report_rows, all_mentions, errors = [], [], list(table.errors)
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
                mentions, row = result
                all_mentions.extend(mentions)
                report_rows.append(row)
            if progress is not None and (done % BATCH_SIZE == 0 or done == len(records)):
                progress(done % BATCH_SIZE or BATCH_SIZE)
        return Extraction(
            reports=reports_frame(report_rows),
            mentions=mentions_frame(all_mentions),
            errors=errors_frame(sorted(errors, key=lambda e: e["row"])),
            rows_read=table.rows_read,
        )

    def report_row(self, record: dict, mentions: list[dict]) -> dict:
        decision = self.kinds.classify(record["report_type"], record["text"])
        row = {
            "report_id": record["report_id"],
            "patient_id": record["patient_id"],
            "report_date": record["report_date"],
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
                if value.value:
                    evidence[name] = {"mentions": value.evidence, "rule": value.rule}
        elif decision.kind in PATHOLOGY_KINDS:
            for name, value in self.pathology.aggregate(decision.kind, record["text"], mentions).items():
                row[name] = value.value
                if value.value:
                    evidence[name] = {"mentions": value.evidence, "rule": value.rule}
        for name in ULTRASOUND_FIELDS:
            row.setdefault(name, "")
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
    extractor = Extractor(patterns, max_report_chars=max_report_chars, max_seconds_per_report=max_seconds_per_report)
    return extractor.extract_table(normalise(reports, columns=columns))


@dataclass
class RunOptions:
    """What `radpath extract` does after extraction, with which knowledge, and how it runs."""

    patterns: str | None = None
    linking: str | None = None  # linking configuration file (default patterns/linking.toml)
    definitions: tuple[str, ...] = ()  # extra case-definition files or directories
    link: bool = True  # build DIR/patients and DIR/links
    duckdb: bool = True  # write DIR/radpath.duckdb
    workers: int | None = 1  # extraction processes; None = the cores this process may use
    chunk_size: int = DEFAULT_CHUNK_SIZE  # reports read, extracted and written at a time (memory stays flat)
    resume: bool = False  # keep the finished chunks of an interrupted run into the same directory
    omop: bool = False  # INPUT is an OMOP CDM NOTE table: read its standard columns, also write DIR/note_nlp
    max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS  # longer reports go to errors as too_long (0 = no limit)
    max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT  # slower ones as too_slow (0 = no limit)

    def limits(self) -> dict:
        """The per-report budget, as keyword arguments of :class:`Extractor`."""
        return {"max_report_chars": self.max_report_chars, "max_seconds_per_report": self.max_seconds_per_report}


def read_report_rows(out_dir: Path) -> pd.DataFrame:
    """DIR/reports.parquet without its ``evidence`` column (linking never reads it; it is most of the bytes)."""
    import pyarrow.parquet as pq

    path = Path(out_dir) / "reports.parquet"
    return pd.read_parquet(path, columns=[c for c in pq.read_schema(path).names if c != "evidence"])


@dataclass
class Run:
    summary: object  # extractor.runner.RunSummary: counts, rate, workers
    reports: pd.DataFrame | None  # DIR/reports without the evidence column, when linked
    linkage: object | None  # extractor.linking.Linkage
    definitions: list
    out_dir: Path


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

    Reports are read, extracted and written chunk by chunk (extractor.runner), so memory does not grow with the
    input; linking then reads the report rows back (not the texts, bar those of pathology reports, for sites).
    ``progress``: False (default) = silent, True / None (= when stderr is a terminal) = a progress bar, or a
    callable given the number of rows done per chunk."""
    from .runner import run_extract

    out_dir = Path(out_dir)
    if options.omop:
        columns = omop_columns(input_path, fmt)
    summary = run_extract(input_path, out_dir, columns=columns, patterns=options.patterns, fmt=fmt,
                          workers=options.workers, chunk_size=options.chunk_size, progress=progress, quiet=True,
                          resume=options.resume, limits=options.limits())
    reports, linkage, definitions = None, None, []
    if options.link:
        reports = read_report_rows(out_dir)
        from .cohort_api import link_patients_in, pathology_texts, write_cohort_outputs

        texts = pathology_texts(reports, input_path, columns=columns, fmt=fmt)
        linkage, definitions = link_patients_in(reports, texts, linking=options.linking,
                                                definitions=options.definitions)
        write_cohort_outputs(out_dir, linkage, definitions, reports=out_dir / "reports.parquet",
                             duckdb=options.duckdb)
    if options.omop:
        from .omop import note_nlp_frame, write_note_nlp

        write_note_nlp(note_nlp_frame(pd.read_parquet(out_dir / "mentions.parquet")), out_dir)
    write_run_manifest(out_dir, input_path, columns, options, summary, linkage, definitions)
    return Run(summary, reports, linkage, definitions, out_dir)


def omop_columns(input_path: str | Path, fmt: str | None = None) -> ColumnMap:
    """The ColumnMap of an OMOP NOTE file (note_id, person_id, note_date or note_datetime, note_title,
    note_text; names matched case-insensitively), read from its header."""
    from .omop import omop_column_map
    from .runner import header_only
    from .sources import detect_format

    path = Path(input_path)
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "is a directory; give a report table file",
                         path=str(path))
    try:
        return omop_column_map(header_only(path, detect_format(path, fmt)))
    except InputError as e:
        raise InputError(str(e), path=str(path)) from e


def write_run_manifest(out_dir, input_path, columns, options, summary, linkage, definitions) -> Path:
    from dataclasses import asdict

    from .manifest import write_manifest

    tables = {"rows_read": summary.rows_read, "reports": summary.reports, "mentions": summary.mentions,
              "errors": summary.errors}
    if linkage is not None:
        tables.update(patients=len(linkage.patients), links=len(linkage.links))
    run_options = {k: v for k, v in asdict(options).items() if k not in ("workers", "resume")}  # not in the result
    return write_manifest(
        out_dir,
        inputs=[input_path],
        options={**run_options, "columns": asdict(columns)},
        patterns=options.patterns,
        definitions=definitions,
        linking_config=options.linking,
        tables=tables,
        input_rows={str(input_path): summary.rows_read},
    )


def write_outputs(result: Extraction, out_dir: Path) -> list[Path]:
    written = []
    written += write_table(result.reports, out_dir, "reports")
    written += write_table(result.mentions, out_dir, "mentions", private=True)
    written += write_table(result.errors, out_dir, "errors")
    return written
