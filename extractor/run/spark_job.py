"""The whole job on Spark: extraction, linking per patient, case definitions and NOTE_NLP (``radpath[spark]``).

Every stage is radpath's own code run inside Spark, never a second implementation:

- extraction: :func:`extractor.run.spark.extract_spark` (``mapInPandas``; each partition is one chunk through the
  per-chunk extraction of every run, :func:`extractor.run.job.extract_chunk`, with the per-report budget);
- linking and case definitions read tables only: the report rows (without evidence) and nodule rows of a bucket of
  patients (``groupBy`` a hash of ``patient_id``, ``applyInPandas``) go to
  :func:`extractor.cohort.linking.link_patients`, the linker of the local engine. A patient's rows never depend on
  another patient's and every patient's rows are in one bucket, so the union of the buckets' tables is the
  single-machine table; a bucket per call rather than a patient per call saves the per-call cost (``link_buckets``,
  default ``spark.sql.shuffle.partitions``);
- NOTE_NLP: :func:`extractor.tables.omop.note_nlp_frame` over the mentions in ``mapInPandas``, with report ids that
  are not integers numbered 1..n in sorted order as :func:`extractor.tables.omop.note_id_map` numbers them.

Rows read = reports + errors is checked on every run (:meth:`SparkJob.check`). A local output DIR is written by
the local engine's file sink (:class:`extractor.run.job.FileSink`: the same writers, output set and manifest).

    from extractor.run.spark_job import run_spark_job
    job = run_spark_job(spark.read.parquet("s3://bucket/notes/"))
    job.table("patients")          # a typed Spark DataFrame; job.tables() gives every one
    job.write("s3://bucket/radpath/")   # one Parquet dataset per table
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..cohort.linking import Linkage, link_patients, load_linking_config
from ..errors import InputError
from ..knowledge.definitions import load_definitions
from ..tables.files import write_table
from ..tables.omop import (
    NOTE_NLP_COLUMNS,
    note_id_map,
    note_nlp_frame,
    omop_column_map,
    read_concept_map,
    write_note_nlp,
)
from ..tables.schemas import nodules_frame, reports_frame
from ..tables.sources import ColumnMap, detect_format
from .api import Run
from .inputs import FileSource
from .job import check_knowledge, csv_safe_env, date_problems, manifest_tables
from .manifest import build_manifest
from .model import Chunk, Context, Extraction, Result, RunOptions, RunSummary, manifest_options
from .outputs import FileSink
from .spark import (
    EXTRACTION_TABLES,
    PAYLOAD_SCHEMA,
    _payload,
    collect_tables,
    extract_spark,
    frame_of,
    spark_frame,
    typed_table,
    with_row_numbers,
)

LINK_TABLES = ("patients", "links")
NOTE_NLP_SCHEMA = ("note_nlp_id long, note_id long, section_concept_id long, snippet string, offset string, "
                   "lexical_variant string, note_nlp_concept_id long, note_nlp_source_concept_id long, "
                   "nlp_system string, nlp_date date, nlp_datetime timestamp_ntz, term_exists string, "
                   "term_temporal string, term_modifiers string, _seq long")
PATIENT_COUNTS = ("n_ultrasound", "n_cytology", "n_surgery", "n_undated", "n_outside_window")  # int64 columns
PAYLOAD_COLUMNS = ["table", "row", "seq", "patient_id", "payload"]
_LINKERS: dict = {}


def _knowledge(linking, definitions: tuple, definition_ids):
    """(linking configuration, case definitions), loaded once per Python worker, as a local run loads them
    (extractor.run.job.check_knowledge)."""
    key = (linking, definitions, definition_ids)
    if key not in _LINKERS:
        _LINKERS[key] = (load_linking_config(linking), load_definitions(definitions, only=definition_ids))
    return _LINKERS[key]


def _without_evidence(frame: pd.DataFrame) -> pd.DataFrame:
    """Linking never reads the evidence column (the local engine drops it too)."""
    return frame.drop(columns=["evidence"]) if "evidence" in frame.columns else frame


def link_reports(reports: pd.DataFrame, nodules: pd.DataFrame, *, linking=None, definitions: tuple = (),
                 definition_ids=None):
    """The Linkage of some patients' report and nodule rows (every row of each of those patients), as the local
    engine links them: the extracted tables without evidence, tables only (no report text)."""
    config, defs = _knowledge(linking, definitions, definition_ids)
    return link_patients(_without_evidence(reports), config=config, definitions=defs,
                         nodules=_without_evidence(nodules))


def _link_buckets(linking, definitions: tuple, definition_ids):
    def run(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.sort_values(["row", "seq"], kind="stable")  # input order, as the local engine keeps them
        records = {name: [json.loads(p) for p in frame.loc[frame["table"] == name, "payload"]]
                   for name in ("reports", "nodules")}
        reports = frame_of("reports", records["reports"])
        if not len(reports):  # nothing to link
            return spark_frame(pd.DataFrame(columns=PAYLOAD_COLUMNS))
        linkage = link_reports(reports, frame_of("nodules", records["nodules"]), linking=linking,
                               definitions=definitions, definition_ids=definition_ids)
        # both tables come sorted by patient_id (then report_id): (patient_id, seq) is their order in the whole
        parts = [_payload(name, table, [0] * len(table), range(len(table)), table["patient_id"])
                 for name, table in (("patients", linkage.patients), ("links", linkage.links)) if len(table)]
        return pd.concat(parts, ignore_index=True) if parts else spark_frame(pd.DataFrame(columns=PAYLOAD_COLUMNS))

    return run


def _note_nlp_partitions(concept_map, integer_ids: bool, nlp_datetime):
    def run(batches):
        for frame in batches:
            if not len(frame):
                continue
            mentions = frame_of("mentions", [json.loads(p) for p in frame["payload"]])
            note_id = (pd.to_numeric(mentions["report_id"].astype(str), errors="coerce") if integer_ids
                       else frame["note_id"].astype("int64").reset_index(drop=True))
            # in note_nlp_frame's own order (note id, mention index), so row i of its result is mention i here
            mentions = (mentions.assign(_key=note_id.to_numpy())
                        .sort_values(["_key", "mention_index"], kind="mergesort").drop(columns="_key")
                        .reset_index(drop=True))
            note_ids = None if integer_ids else pd.DataFrame({"report_id": frame["report_id_key"].astype(str),
                                                              "note_id": frame["note_id"].astype("int64")}
                                                             ).drop_duplicates("report_id")
            out = note_nlp_frame(mentions, concept_map=concept_map, note_ids=note_ids, nlp_datetime=nlp_datetime)
            out["_seq"] = mentions["mention_index"].astype("int64").to_numpy()
            yield spark_frame(out)

    return run


@dataclass
class SparkJob:
    """Every table of a run as Spark DataFrames (``payloads`` holds them all, one JSON row per output row)."""

    extraction: object  # extractor.run.spark.SparkExtraction
    payloads: object  # pyspark DataFrame of PAYLOAD_SCHEMA: extraction, linking and NOTE_NLP rows
    names: tuple = EXTRACTION_TABLES
    link_columns: dict = field(default_factory=dict)  # patients / links -> their columns (from the linker)
    concept_map: object = None

    def table(self, name: str):
        """One table as a typed Spark DataFrame, in the local engine's row order."""
        if name in EXTRACTION_TABLES:
            return self.extraction.table(name)
        if name in LINK_TABLES:
            columns = self.link_columns[name]
            return typed_table(self.payloads, name, columns, {c: "long" for c in PATIENT_COUNTS})
        if name == "note_nlp" and self.note_nlp is not None:
            return self.note_nlp
        raise KeyError(name)

    def tables(self) -> dict:
        return {name: self.table(name) for name in self.names}

    def write(self, path: str, *, mode: str = "overwrite") -> list[str]:
        """PATH/<table> as one Parquet dataset per table (Spark part files; any storage Spark writes to)."""
        written = []
        for name in self.names:
            target = f"{str(path).rstrip('/')}/{name}"
            self.table(name).write.mode(mode).parquet(target)
            written.append(target)
        return written

    def counts(self) -> dict[str, int]:
        return {r["table"]: r["count"] for r in self.payloads.groupBy("table").count().collect()}

    def check(self) -> dict[str, int]:
        """Rows read = reports + errors, the contract every run keeps; returns the counts."""
        counts = self.counts()
        counts["rows_read"] = self.extraction.rows_read.count()
        if counts["rows_read"] != counts.get("reports", 0) + counts.get("errors", 0):
            raise RuntimeError(f"rows read {counts['rows_read']} != reports {counts.get('reports', 0)} + errors "
                               f"{counts.get('errors', 0)}")
        return counts

    def to_pandas(self) -> dict[str, pd.DataFrame]:
        """Every table collected to the driver, built as the local engine builds it (small data, local DIR)."""
        by_table = collect_tables(self.payloads, [n for n in self.names if n != "note_nlp"])
        frames = {name: frame_of(name, by_table[name]) for name in EXTRACTION_TABLES}
        for name in LINK_TABLES:
            if name in self.names:
                frames[name] = self._link_frame(name, by_table[name])
        return frames

    def _link_frame(self, name: str, records: list[dict]) -> pd.DataFrame:
        columns = self.link_columns[name]
        if not records:
            return empty_linkage_tables(self._linking)[name]
        frame = pd.DataFrame.from_records(records, columns=columns)
        for column in columns:
            if column not in PATIENT_COUNTS:
                frame[column] = frame[column].fillna("").astype(str).astype(object)
        return frame

    _linking: tuple = ()
    note_nlp: object = None  # pyspark DataFrame of NOTE_NLP rows (CDM v5.4 columns), when asked for


def empty_linkage_tables(linking: tuple) -> dict[str, pd.DataFrame]:
    """The patients and links tables the linker gives for no reports (their columns, with these definitions)."""
    config, defs = _knowledge(*linking)
    linkage = link_patients(reports_frame([]), config=config, definitions=defs, nodules=nodules_frame([]))
    return {"patients": linkage.patients, "links": linkage.links}


def run_spark_job(df, *, columns: ColumnMap = ColumnMap(), patterns: str | None = None, linking: str | None = None,
                  definitions=(), definition_ids=None, link: bool = True, note_nlp: bool = False,
                  concept_map=None, limits: dict | None = None, link_buckets: int | None = None) -> SparkJob:
    """The whole job on a Spark DataFrame of reports: every table as a Spark DataFrame (see the module doc).
    ``concept_map``: an :class:`extractor.tables.omop.ConceptMap` (read with read_concept_map) for NOTE_NLP.
    ``link_buckets``: how many groups of patients are linked (one ``link_patients`` call each); default
    ``spark.sql.shuffle.partitions``. Any number gives the same tables."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    extraction = extract_spark(df, columns=columns, patterns=patterns, limits=limits)
    payloads = extraction.payloads
    names = EXTRACTION_TABLES
    link_columns = {}
    knowledge = (linking, tuple(str(d) for d in definitions), tuple(definition_ids) if definition_ids else None)
    if link:
        empty = empty_linkage_tables(knowledge)  # also fails early on a bad linking or definitions file
        link_columns = {name: list(frame.columns) for name, frame in empty.items()}
        buckets = max(1, int(link_buckets or df.sparkSession.conf.get("spark.sql.shuffle.partitions")))
        grouped = (payloads.where(F.col("table").isin("reports", "nodules"))
                   .withColumn("_bucket", F.pmod(F.xxhash64("patient_id"), F.lit(buckets)))
                   .groupBy("_bucket").applyInPandas(_link_buckets(*knowledge), PAYLOAD_SCHEMA))
        payloads = payloads.unionByName(grouped)
        names = names + LINK_TABLES
    if note_nlp or concept_map is not None:
        mentions = extraction.payloads.where(F.col("table") == "mentions")
        reports = extraction.payloads.where(F.col("table") == "reports").select(
            F.get_json_object("payload", "$.report_id").alias("report_id_key"))
        integer_ids = reports.where(~F.col("report_id_key").rlike(r"^-?\d+$")).limit(1).count() == 0
        keyed = mentions.withColumn("report_id_key", F.get_json_object("payload", "$.report_id"))
        if integer_ids:
            keyed = keyed.withColumn("note_id", F.lit(None).cast("long"))
        else:  # numbered 1..n in sorted order of the distinct ids, as extractor.tables.omop.note_id_map numbers them
            numbered = reports.distinct().withColumn("note_id", F.row_number().over(Window.orderBy("report_id_key")))
            keyed = keyed.join(numbered, "report_id_key", "left")
        from datetime import datetime

        stamp = datetime.now().replace(microsecond=0)  # one NOTE_NLP time per run, as the local engine has
        # persisted: the sort's sampling job and its shuffle read the rows NOTE_NLP's Python made once
        rows = keyed.mapInPandas(_note_nlp_partitions(concept_map, integer_ids, stamp), NOTE_NLP_SCHEMA).persist()
        ordered = rows.orderBy("note_id", "_seq").drop("_seq").persist()
        # note_nlp_id numbers the rows 1..n in (note id, mention index) order across the whole table (in the JVM)
        note_nlp_rows = with_row_numbers(ordered.drop("note_nlp_id"), "note_nlp_id").select(*ordered.columns)
        names = names + ("note_nlp",)
    job = SparkJob(extraction, payloads.persist(), names, link_columns, concept_map)
    job.note_nlp = note_nlp_rows if "note_nlp" in names else None
    job._linking = knowledge
    return job


# -- `radpath extract --engine spark` ------------------------------------------------------------------------------
def spark_session(master: str | None = None):
    """The active SparkSession (spark-submit's), or a new one on ``master``. On a local master the driver's
    Python runs the workers and shuffles use a few partitions per core (Spark's 200 cost seconds each here)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("radpath")
    if master:
        builder = builder.master(master)
    if (master or "").startswith("local"):
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.ui.enabled", "false")
    spark = builder.getOrCreate()
    if spark.sparkContext.master.startswith("local"):
        spark.conf.set("spark.sql.shuffle.partitions", str(2 * spark.sparkContext.defaultParallelism))
    return spark


def read_input(spark, path: str, fmt: str):
    """INPUT as a Spark DataFrame (every column as the file has it; extract_spark casts to text)."""
    if fmt in ("csv", "tsv"):
        return spark.read.csv(path, header=True, multiLine=True, escape='"', sep="\t" if fmt == "tsv" else ",",
                              inferSchema=False, encoding="UTF-8")
    if fmt == "parquet":
        return spark.read.parquet(path)
    return spark.read.json(path)


def is_local_dir(path: str) -> bool:
    return "://" not in str(path) or str(path).startswith("file://")


def _local_path(path) -> str:
    """A local path as the file readers and writers take it (``file:///x`` is ``/x``)."""
    text = str(path)
    return text[len("file://"):] if text.startswith("file://") else text


def extract_file_spark(input_path, out_dir, *, columns: ColumnMap = ColumnMap(), fmt: str | None = None,
                       options=None, master: str | None = None, link_buckets: int | None = None):
    """`radpath extract INPUT --out DIR --engine spark`: the whole job on Spark. A local DIR gets the local
    engine's files (CSV + Parquet per table, DuckDB, NOTE_NLP, manifest), written by the local engine's file sink
    (:class:`extractor.run.job.FileSink`) from the Spark tables collected to the driver, as one output set; any
    other DIR (hdfs://, s3a://, ...) one Parquet dataset per table. Returns an :class:`extractor.run.api.Run`."""
    import time
    from contextlib import ExitStack

    options = options or RunOptions()
    started = time.perf_counter()
    warnings: list[str] = []
    source = None
    if is_local_dir(str(input_path)):  # the local engine's checks: file, format, OMOP columns, --date-format auto
        input_path = _local_path(input_path)
        source = FileSource(input_path, columns=columns, fmt=fmt)
        warnings = source.check(options)
        columns, fmt, input_name = source.columns, source.fmt, str(Path(input_path).resolve())
    else:
        fmt = detect_format(Path(str(input_path)), fmt)
        input_name = str(input_path)
        if columns.date_format == "auto":
            raise InputError("--date-format auto scans a local file; give the format the dates use",
                             path=str(input_path))
    _, definitions, _ = check_knowledge(options)  # a bad knowledge file fails before Spark starts
    concept_map = read_concept_map(options.concept_map) if options.concept_map else None
    spark = spark_session(master)
    df = read_input(spark, input_name, fmt)
    if options.omop and source is None:
        columns = omop_column_map(pd.DataFrame(columns=list(df.columns)))
    job = run_spark_job(df, columns=columns, patterns=options.patterns, linking=options.linking,
                        definitions=options.definitions, link=options.link,
                        note_nlp=options.omop or options.note_nlp or bool(options.concept_map),
                        concept_map=concept_map, limits=options.limits(), link_buckets=link_buckets)
    counts = job.check()
    if not is_local_dir(str(out_dir)):
        job.write(str(out_dir))
        summary = _summary(counts, job, started)
        summary.outputs = [str(out_dir)]
        return Run(summary, None, None, [], Path(str(out_dir)), {}, warnings)  # a Path, as the CLI's summary reads

    out_dir = _local_path(out_dir)
    frames = job.to_pandas()
    extraction = Extraction(frames["reports"], frames["mentions"], frames["errors"], counts["rows_read"],
                            frames["nodules"])
    chunk = Chunk.of(0, extraction)
    summary = RunSummary(workers=job.payloads.sparkSession.sparkContext.defaultParallelism)
    summary.add(chunk)  # the counts Spark checked, by kind and date status
    reports, nodules = _without_evidence(frames["reports"]), _without_evidence(frames["nodules"])
    linkage = Linkage(frames["patients"], frames["links"]) if options.link else None
    if linkage is not None:
        summary.patients = len(linkage.patients)
    problems = date_problems(reports, linkage, columns)
    if problems and options.strict:
        raise InputError(f"{problems[0]} (--strict: nothing written; the previous outputs are unchanged)",
                         path=str(input_path))
    # NOTE_NLP was computed on Spark: the file sink writes every other table
    sink_options = replace(options, omop=False, note_nlp=False, concept_map=None)
    sink = FileSink(out_dir)
    with ExitStack() as stack:
        stack.enter_context(csv_safe_env(options.csv_safe))
        try:
            sink.open(Context(sink_options, {}, None, concept_map), stack)
            sink.add(chunk)
            result = Result(summary, reports, nodules, linkage, definitions if options.link else [],
                            warnings + problems, {})
            result.tables.update(sink.finish(result))
            if "note_nlp" in job.names:
                result.tables.update(_write_note_nlp(job, frames["reports"], sink.staged.path))
            summary.seconds = time.perf_counter() - started
            tables = manifest_tables(summary, linkage, result.tables)
            common = dict(patterns=options.patterns, definitions=result.definitions,
                          linking_config=options.linking, tables=tables)
            result.manifest = (source.manifest(options, summary, **common) if source is not None else
                               build_manifest(inputs=[], options=manifest_options(options, columns), **common))
            sink.record(result.manifest, result)
            sink.commit()
        except BaseException as e:
            sink.failed(e)
            raise
    note_nlp = {k: v for k, v in result.tables.items() if k in ("note_nlp", "note_nlp_unmapped")}
    return Run(summary, reports if linkage is not None else None, linkage, result.definitions, Path(out_dir),
               note_nlp, result.warnings)


def _write_note_nlp(job: SparkJob, reports: pd.DataFrame, stage: Path) -> dict[str, int]:
    """DIR/note_nlp (and DIR/note_nlp_ids when report ids are not integers) from the Spark NOTE_NLP table, with
    the local engine's writers and column types (extractor.run.job.write_note_nlp_for)."""
    note_ids = note_id_map(reports["report_id"])
    if note_ids is not None:
        write_table(note_ids, stage, "note_nlp_ids")
    frame = job.table("note_nlp").toPandas()
    like = note_nlp_frame(frame_of("mentions", []))  # the local engine's dtypes
    for column in NOTE_NLP_COLUMNS:
        dtype = like[column].dtype
        frame[column] = frame[column].astype(object) if dtype == object else frame[column].astype(dtype)
    write_note_nlp(frame[list(NOTE_NLP_COLUMNS)], stage)
    return {"note_nlp": len(frame), "note_nlp_unmapped": int((frame["note_nlp_concept_id"] == 0).sum())}


def _summary(counts: dict, job: SparkJob, started: float):
    """The run summary of a run written to other storage (the counts Spark checked)."""
    import time

    summary = RunSummary(rows_read=counts["rows_read"], reports=counts.get("reports", 0),
                         errors=counts.get("errors", 0), mentions=counts.get("mentions", 0),
                         workers=job.payloads.sparkSession.sparkContext.defaultParallelism)
    summary.seconds = time.perf_counter() - started
    return summary


def submit_main(argv: list[str]) -> int:
    """``spark-submit scripts/radpath_spark_submit.py INPUT OUT [--note-nlp] [--no-link]``: the CLI's Spark run
    on the session spark-submit started; a user error is one line on stderr and exit status 2."""
    import sys

    flags = {a for a in argv if a.startswith("--")}
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 2 or flags - {"--note-nlp", "--no-link"}:
        print("usage: radpath_spark_submit.py INPUT OUT [--note-nlp] [--no-link]", file=sys.stderr)
        return 2
    options = replace(RunOptions(), note_nlp="--note-nlp" in flags, link="--no-link" not in flags)
    try:
        run = extract_file_spark(paths[0], paths[1], options=options)
    except InputError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 2
    print(run.summary.line(), file=sys.stderr)
    return 0
