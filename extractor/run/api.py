"""Library API: reports in, report / mention / error tables out. The CLI only wraps these functions."""
from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from ..errors import InputError
from ..fields.kinds import KindClassifier
from ..fields.nodules import NoduleExtractor
from ..fields.ultrasound import ULTRASOUND_FIELDS, UltrasoundAggregator
from ..knowledge.ruleset import load_ruleset
from ..nlp.mentions import mention_rows
from ..nlp.pipeline import cached_nlp
from ..privacy import text_for_log
from ..tables.schemas import (
    errors_frame,
    mentions_frame,
    nodules_frame,
    reports_frame,
    write_table,
)
from ..tables.sources import ColumnMap, ReportTable, normalise, read_reports  # noqa: F401  (read_reports re-exported)
from .budget import (
    DEFAULT_MAX_REPORT_CHARS,
    DEFAULT_MAX_SECONDS_PER_REPORT,
    ReportTimeout,
    time_limit,
)
from .stream import DEFAULT_CHUNK_SIZE

log = logging.getLogger(__name__)
PATHOLOGY_KINDS = {"cytology", "surgical_pathology"}


def pathology_aggregator(ruleset):
    """The cytology / surgical pathology field extractor."""
    from ..fields.pathology import PathologyAggregator

    return PathologyAggregator(ruleset)
BATCH_SIZE = 64  # reports between two progress callbacks


@dataclass
class Extraction:
    reports: pd.DataFrame
    mentions: pd.DataFrame
    errors: pd.DataFrame
    rows_read: int
    nodules: pd.DataFrame = field(default_factory=lambda: nodules_frame([]))

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
        """(mention rows, report row, nodule rows) of one normalised record; raises what the pipeline raises. Only
        ultrasound reports describe nodules."""
        doc = self.nlp(record["text"])
        mentions = mention_rows(doc, report_id=record["report_id"], patient_id=record["patient_id"])
        row = self.report_row(record, mentions)
        nodules = self.nodule_extractor.rows(record, mentions) if row["report_kind"] == "ultrasound" else []
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

    def report_row(self, record: dict, mentions: list[dict]) -> dict:
        decision = self.kinds.classify(record["report_type"], record["text"])
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
    note_nlp: bool = False  # write DIR/note_nlp (OMOP CDM v5.4) whatever the input (implied by omop)
    concept_map: str | None = None  # TSV: rule id / label -> concept id for NOTE_NLP (docs/omop.md)
    csv_safe: bool = False  # CSV cells that read as spreadsheet formulas (=, +, -, @) get a leading '
    strict: bool = False  # a date problem that empties the cohort is an error (DIR keeps its previous set)
    max_report_chars: int | None = DEFAULT_MAX_REPORT_CHARS  # longer reports go to errors as too_long (0 = no limit)
    max_seconds_per_report: float | None = DEFAULT_MAX_SECONDS_PER_REPORT  # slower ones as too_slow (0 = no limit)

    def limits(self) -> dict:
        """The per-report budget, as keyword arguments of :class:`Extractor`."""
        return {"max_report_chars": self.max_report_chars, "max_seconds_per_report": self.max_seconds_per_report}


def read_report_rows(out_dir: Path) -> pd.DataFrame:
    """DIR/reports.parquet without its ``evidence`` column (linking never reads it; it is most of the bytes)."""
    import pyarrow.parquet as pq

    from ..tables.typed import text_frame

    path = Path(out_dir) / "reports.parquet"
    return text_frame(pd.read_parquet(path, columns=[c for c in pq.read_schema(path).names if c != "evidence"]))


@dataclass
class Run:
    summary: object  # extractor.run.stream.RunSummary: counts, rate, workers
    reports: pd.DataFrame | None  # DIR/reports without the evidence column, when linked
    linkage: object | None  # extractor.cohort.linking.Linkage
    definitions: list
    out_dir: Path
    note_nlp: dict = field(default_factory=dict)  # {"note_nlp": rows, "note_nlp_unmapped": rows with concept id 0}
    warnings: list = field(default_factory=list)  # one line each: what could silently empty the cohort, and the fix


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

    Reports are read, extracted and written chunk by chunk (extractor.run.stream), so memory does not grow with the
    input; linking then reads the report rows back (not the texts, bar those of pathology reports, for sites).
    ``progress``: False (default) = silent, True / None (= when stderr is a terminal) = a progress bar, or a
    callable given the number of rows done per chunk."""
    from ..tables.files import output_set
    from .stream import check_input, run_extract

    out_dir = Path(out_dir)
    check_input(input_path, fmt)
    if options.omop:
        columns = omop_columns(input_path, fmt)
    check_run_options(options)  # a bad definitions or linking file fails before the first report is read
    warnings = []
    if columns.date_format == "auto":
        columns, chosen = resolve_date_format(input_path, columns, fmt)
        warnings.append(f"--date-format auto: {chosen}")
    concept_map = None
    if options.concept_map:  # checked before the first report is read
        from ..tables.omop import read_concept_map

        concept_map = read_concept_map(options.concept_map)
    with output_set(out_dir) as staged, _csv_safe(options.csv_safe):  # DIR locked; every table written aside and swapped in at the end
        stage = staged.path
        summary = run_extract(input_path, out_dir, columns=columns, patterns=options.patterns, fmt=fmt,
                              workers=options.workers, chunk_size=options.chunk_size, progress=progress, quiet=True,
                              resume=options.resume, stage=staged, limits=options.limits())
        reports, linkage, definitions = None, None, []
        if options.link:
            reports = read_report_rows(stage)
            from ..cohort.api import (
                link_patients_in,
                pathology_texts,
                write_cohort_outputs,
            )

            texts = pathology_texts(reports, input_path, columns=columns, fmt=fmt)
            stored = stage / "nodules.parquet"
            linkage, definitions = link_patients_in(reports, texts, linking=options.linking,
                                                    definitions=options.definitions,
                                                    nodules=pd.read_parquet(stored) if stored.is_file() else None)
            write_cohort_outputs(stage, linkage, definitions, reports=stage / "reports.parquet",
                                 duckdb=options.duckdb)
        problems = date_problems(reports if reports is not None else read_report_rows(stage), linkage, columns)
        if problems and options.strict:
            raise InputError(f"{problems[0]} (--strict: nothing written; the previous outputs are unchanged)",
                             path=str(input_path))
        note_nlp_counts = {}
        if options.omop or options.note_nlp or options.concept_map:
            note_nlp_counts = write_note_nlp_for(stage, concept_map)
        write_run_manifest(stage, input_path, columns, options, summary, linkage, definitions, note_nlp_counts)
        staged.commit()
    return Run(summary, reports, linkage, definitions, out_dir, note_nlp_counts, warnings + problems)


def resolve_date_format(input_path, columns: ColumnMap, fmt: str | None) -> tuple[ColumnMap, str]:
    """``--date-format auto``: scan the input's date column (one extra read of that column) and return the
    ColumnMap with the format it shows, and a sentence saying which and why; an archive that does not say is an
    InputError naming what to pass."""
    from dataclasses import replace

    from ..tables.quality import detect_date_format
    from ..tables.sources import detect_format, raw_chunks

    path = Path(input_path)
    values = []
    for frame, _ in raw_chunks(path, detect_format(path, fmt), 50_000):
        if columns.report_date in frame.columns:
            values.extend(frame[columns.report_date].tolist())
    try:
        chosen, why = detect_date_format(values)
    except ValueError as e:
        raise InputError(f"--date-format auto cannot tell the date order: {e}; pass --date-format %d/%m/%Y or "
                         "%m/%d/%Y (or the format your dates use)", path=str(path), column=columns.report_date) \
            from None
    return replace(columns, date_format=chosen), f"read the dates as {chosen} ({why})"


DATE_SHARE_WARNED = 0.5  # more than this share of ultrasound / pathology dates unreadable: say so


def date_problems(reports: pd.DataFrame, linkage, columns: ColumnMap) -> list[str]:
    """One line per way the dates could silently empty the cohort, with the fix: most ultrasound or pathology
    report dates unreadable, or patients with an ultrasound but none dated."""
    clinical = reports[reports["report_kind"].isin(["ultrasound", "cytology", "surgical_pathology"])]
    problems = []
    if len(clinical):
        bad = clinical["report_date_status"].isin(["missing", "unparseable"])
        if bad.mean() > DATE_SHARE_WARNED:
            example = "e.g. --date-format %m/%d/%Y, or auto" if columns.date_format == "iso" else \
                f"they do not read as --date-format {columns.date_format}"
            problems.append(f"{int(bad.sum())} of {len(clinical)} ultrasound / pathology report dates are missing or "
                            f"unreadable ({dict(clinical.loc[bad, 'report_date_status'].value_counts())}), so they "
                            f"are never linked; give the format the dates use ({example})")
    if linkage is not None and len(linkage.patients):
        undated = (linkage.patients["link_status"] == "no_dated_ultrasound").sum()
        if undated == len(linkage.patients):
            problems.append(f"none of the {undated} patients with an ultrasound has a dated ultrasound: every cohort "
                            "is empty; check --date-col and --date-format")
    return problems


def write_note_nlp_for(out_dir: Path, concept_map=None) -> dict[str, int]:
    """DIR/note_nlp from DIR/mentions (and DIR/note_nlp_ids when report ids are not integers; an earlier run's
    note_nlp_ids is removed by the output-set swap); returns the row count and how many rows no concept map entry
    mapped (note_nlp_concept_id 0)."""
    from ..tables.omop import note_id_map, note_nlp_frame, write_note_nlp

    mentions = pd.read_parquet(out_dir / "mentions.parquet")
    reports = pd.read_parquet(out_dir / "reports.parquet", columns=["report_id"])
    note_ids = note_id_map(reports["report_id"])
    if note_ids is not None:
        write_table(note_ids, out_dir, "note_nlp_ids")
    frame = note_nlp_frame(mentions, concept_map=concept_map, note_ids=note_ids)
    write_note_nlp(frame, out_dir)
    return {"note_nlp": len(frame), "note_nlp_unmapped": int((frame["note_nlp_concept_id"] == 0).sum())}


@contextmanager
def _csv_safe(on: bool):
    """$RADPATH_CSV_SAFE for the run (worker processes inherit it), as it was afterwards."""
    from ..tables.files import CSV_SAFE_ENV

    if not on:
        yield
        return
    old = os.environ.get(CSV_SAFE_ENV)
    os.environ[CSV_SAFE_ENV] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(CSV_SAFE_ENV, None)
        else:
            os.environ[CSV_SAFE_ENV] = old


def check_run_options(options: RunOptions) -> None:
    """Load every knowledge file a run will use - rules, linking configuration, case definitions - and link an
    empty table with them, so a bad file is one clear error before any report is read (and before DIR is
    touched)."""
    load_ruleset(options.patterns)
    if options.link:
        from ..cohort.api import link_extraction

        empty = Extraction(reports_frame([]), mentions_frame([]), errors_frame([]), 0)
        link_extraction(empty, None, linking=options.linking, definitions=options.definitions)


def omop_columns(input_path: str | Path, fmt: str | None = None) -> ColumnMap:
    """The ColumnMap of an OMOP NOTE file (note_id, person_id, note_date or note_datetime, note_title,
    note_text; names matched case-insensitively), read from its header."""
    from ..tables.omop import omop_column_map
    from ..tables.sources import detect_format
    from .stream import header_only

    path = Path(input_path)
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "is a directory; give a report table file",
                         path=str(path))
    try:
        return omop_column_map(header_only(path, detect_format(path, fmt)))
    except InputError as e:
        raise InputError(str(e), path=str(path)) from e


def write_run_manifest(out_dir, input_path, columns, options, summary, linkage, definitions,
                       extra_tables: dict[str, int] | None = None) -> Path:
    from dataclasses import asdict

    from .manifest import write_manifest

    tables = {"rows_read": summary.rows_read, "reports": summary.reports, "mentions": summary.mentions,
              "errors": summary.errors}
    if linkage is not None:
        tables.update(patients=len(linkage.patients), links=len(linkage.links))
    tables.update(extra_tables or {})
    run_options = {k: v for k, v in asdict(options).items() if k not in ("workers", "resume")}  # not in the result
    from ..tables.files import csv_safe

    run_options["csv_safe"] = options.csv_safe or csv_safe()
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
    """Write an Extraction's reports, mentions, errors and nodules (CSV + Parquet) to ``out_dir`` as one output
    set (DIR locked, the tables staged and swapped in, radpath's other files of an earlier run removed)."""
    from ..tables.files import output_set

    with output_set(out_dir) as staged:
        write_table(result.reports, staged.path, "reports")
        write_table(result.mentions, staged.path, "mentions", private=True)
        write_table(result.errors, staged.path, "errors")
        write_table(result.nodules, staged.path, "nodules")
        return staged.commit()
