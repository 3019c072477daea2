"""The same extraction on a PySpark DataFrame (optional extra ``radpath[spark]``; pyspark is imported lazily).

Rows keep the single-process semantics: each gets its 1-based input row number (``zipWithIndex``, so the order of
the DataFrame as read); a report id repeated anywhere is a ``duplicate_report_id`` error after the first row with
that id that can be a report (found with a window over the stripped id, stripping as Python does); every other
check, and the extraction itself, is :func:`extractor.tables.sources.normalise` and the per-chunk extraction of every run
(:func:`extractor.run.job.extract_chunk`, with :class:`extractor.run.api.Extractor` as its engine) run inside
``mapInPandas`` with one Extractor per Python worker process (built on first use, reused across
partitions while Spark reuses the worker). Results travel as one JSON payload per output row, tagged with the
table and an ordering key, and are typed again on the way out.

    from extractor.run.spark import extract_spark
    result = extract_spark(spark.read.csv("reports.csv", header=True, multiLine=True, escape='"'))
    result.write_parquet("results/")          # results/reports/, results/mentions/, results/errors/ (Spark part files)
    reports, mentions, errors = result.to_pandas()   # small data only: the exact single-process frames
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..nlp.mentions import CONTEXT_FLAGS, MENTION_COLUMNS
from ..tables.quality import id_problem
from ..tables.schemas import (
    NODULE_COLUMNS,
    REPORT_COLUMNS,
    errors_frame,
    mentions_frame,
    nodules_frame,
    reports_frame,
)
from ..tables.sources import (
    CANONICAL,
    ERROR_COLUMNS,
    ColumnMap,
    _as_text,
    check_columns,
    normalise,
)
from .api import Extractor
from .job import extract_chunk
from .pool import init_extractor

_DUPLICATE = ("duplicate_report_id", "repeats an earlier report_id; the first row is kept")
_EXTRACTORS: dict = {}  # the patterns directory and budget this process's engine was built with
# one row per output row: its table, where it sorts (input row and sequence, or patient and sequence) and its
# cells as JSON; linking groups the report and nodule rows by ``patient_id``
PAYLOAD_SCHEMA = "table string, row long, seq long, patient_id string, payload string"


def _extract(patterns: str | None, limits: tuple, table):
    """The per-chunk extraction of every run (extractor.run.job.extract_chunk), with this executor process's engine
    (built once per patterns directory and per-report budget, ``limits`` as sorted (name, value) pairs)."""
    key = (patterns, limits)
    if _EXTRACTORS.get("key", object()) != key:
        init_extractor(patterns, dict(limits), engine=Extractor)
        _EXTRACTORS["key"] = key
    return extract_chunk(table)


def spark_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as Spark's Arrow conversion can take it: text columns as Python objects (None for missing).

    pandas 3 keeps text in Arrow-backed ``str`` columns; one built by concatenation or slicing holds a
    multi-chunk ChunkedArray, which pyspark 4.0's struct conversion of mapInPandas / applyInPandas output rejects
    (``TypeError: Expected Array, got ChunkedArray``). Every frame radpath hands to Spark goes through here."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if isinstance(dtype, pd.StringDtype) or str(dtype) == "str":
            values = out[column].astype(object)
            out[column] = values.where(values.notna(), None)
    return out


def _keys(batches):
    """Python's own strip() and emptiness tests (Spark's trim() strips spaces only); a row can be a report only if
    normalise would keep it (ids without a NUL / control character / undecodable byte)."""
    for frame in batches:
        rid = [_as_text(v).strip() for v in frame["report_id"]]
        pid = [_as_text(v).strip() for v in frame["patient_id"]]
        ok = [bool(r) and id_problem(r) is None and bool(p) and id_problem(p) is None and bool(_as_text(t).strip())
              for r, p, t in zip(rid, pid, frame["text"])]
        yield spark_frame(frame.assign(_key=rid, _valid=ok))


def _as_string(F, T, column: str, data_type):
    """A column as text the way the file readers give it: an integral float or decimal is its integer text
    (``1001``, not Spark's ``1001.0``), so ids read from a float column match those of an integer column."""
    col = F.col(f"`{column}`")
    if isinstance(data_type, (T.FloatType, T.DoubleType, T.DecimalType)):
        integral = col.cast("decimal(38,0)")
        return F.when(col == integral, integral.cast("string")).otherwise(col.cast("string"))
    return col.cast("string")


def _json_value(value):
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _payload(table: str, frame: pd.DataFrame, rows, seqs, patients) -> pd.DataFrame:
    records = frame.astype(object).to_dict("records")
    return spark_frame(pd.DataFrame({
        "table": table, "row": pd.Series(list(rows), dtype="int64"), "seq": pd.Series(list(seqs), dtype="int64"),
        "patient_id": pd.Series(list(patients), dtype=object),
        "payload": [json.dumps({k: _json_value(v) for k, v in r.items()}) for r in records],
    }, columns=["table", "row", "seq", "patient_id", "payload"]))


def _extract_partitions(patterns: str | None, limits: tuple = ()):
    def run(batches):
        for frame in batches:
            if not len(frame):
                continue
            frame = frame.sort_values("_row", kind="stable").reset_index(drop=True)
            rows = list(frame["_row"])
            duplicate = set(frame.loc[frame["_dup"].astype(bool), "_row"])
            table = normalise(frame[list(CANONICAL)], columns=ColumnMap(), source="<spark>")
            table.reports["row"] = [rows[i - 1] for i in table.reports["row"]]
            for error in table.errors:
                error["row"] = rows[error["row"] - 1]
                if error["row"] in duplicate:
                    error["reason"], error["message"] = _DUPLICATE
            dup_kept = table.reports["row"].isin(duplicate)
            for record in table.reports[dup_kept].to_dict("records"):
                table.errors.append({"row": record["row"], "report_id": record["report_id"], "reason": _DUPLICATE[0],
                                     "message": _DUPLICATE[1]})
            table.reports = table.reports[~dup_kept].reset_index(drop=True)
            row_of = dict(zip(table.reports["report_id"], table.reports["row"]))
            patient_of = dict(zip(table.reports["report_id"], table.reports["patient_id"]))
            result = _extract(patterns, limits, table)

            def rows(frame):
                return [row_of[r] for r in frame["report_id"]]

            def patients(frame):
                return [patient_of[r] for r in frame["report_id"]]

            payloads = (
                _payload("reports", result.reports, rows(result.reports), [0] * len(result.reports),
                         patients(result.reports)),
                _payload("mentions", result.mentions, rows(result.mentions), list(result.mentions["mention_index"]),
                         patients(result.mentions)),
                _payload("errors", result.errors, list(result.errors["row"]), [0] * len(result.errors),
                         [None] * len(result.errors)),
                _payload("nodules", result.nodules, rows(result.nodules), list(result.nodules["nodule_index"]),
                         patients(result.nodules)),
            )
            yield from (payload for payload in payloads if len(payload))

    return run


def _spark_type(name: str, column: str) -> str:
    if (name, column) in {("reports", "n_mentions"), ("errors", "row")}:
        return "long"
    if name == "nodules":
        if column in {"nodule_index", "tirads_points", "start_char", "end_char"}:
            return "long"
        return "double" if column == "size_mm" else "string"
    if name == "mentions":
        if column in {"mention_index", "start_char", "end_char", "sentence_start", "sentence_end"} or column.endswith("_trigger_start"):
            return "long"
        if column in CONTEXT_FLAGS:
            return "boolean"
    return "string"


def _columns(name: str) -> list[str]:
    return {"reports": REPORT_COLUMNS, "mentions": MENTION_COLUMNS, "errors": ERROR_COLUMNS,
            "nodules": NODULE_COLUMNS}[name]


EXTRACTION_TABLES = ("reports", "mentions", "errors", "nodules")


def frame_of(name: str, records: list[dict]) -> pd.DataFrame:
    """An extraction table built from its JSON records exactly as a single-process run builds it."""
    return {"reports": reports_frame, "mentions": mentions_frame, "errors": errors_frame,
            "nodules": nodules_frame}[name](records)


def collect_tables(payloads, names) -> dict[str, list[dict]]:
    """{table: [record, ...]} of the payload rows of ``names``, each table in its output order."""
    from pyspark.sql import functions as F

    rows = payloads.where(F.col("table").isin(list(names))).select("table", "row", "patient_id", "seq",
                                                                    "payload").collect()
    # sorted here, not by Spark (a global orderBy is a sampling job and a shuffle): (row, patient_id, seq) as
    # typed_table orders a table; a missing patient id first, as Spark sorts nulls; UTF-8 byte order is code point
    # order, so Python's string order is Spark's
    rows.sort(key=lambda r: (r[0], r[1], r[2] is not None, r[2] or "", r[3]))
    by_table: dict[str, list[str]] = {name: [] for name in names}
    for r in rows:
        by_table[r[0]].append(r[4])
    # one JSON document per table: the C decoder parses it in one call
    return {name: json.loads(f"[{','.join(payload)}]") for name, payload in by_table.items()}


def typed_table(payloads, name: str, columns: list[str], types: dict[str, str]):
    """One table of the payload rows as a typed Spark DataFrame, in its output order."""
    from pyspark.sql import functions as F

    schema = ", ".join(f"`{c}` {types.get(c, 'string')}" for c in columns)
    parsed = (payloads.where(F.col("table") == name)
              .select("row", "patient_id", "seq", F.from_json("payload", schema).alias("r")))
    return parsed.orderBy("row", "patient_id", "seq").select(*[F.col("r").getField(c).alias(c) for c in columns])


@dataclass
class SparkExtraction:
    payloads: object  # pyspark DataFrame of PAYLOAD_SCHEMA (persisted)
    rows_read: object = None  # pyspark DataFrame of the numbered input rows (counted for the rows-read check)

    def table(self, name: str):
        """One output table (reports, mentions, errors, nodules) as a typed Spark DataFrame, in the
        single-process row order."""
        columns = _columns(name)
        return typed_table(self.payloads, name, columns, {c: _spark_type(name, c) for c in columns})

    def write_parquet(self, out_dir: str | Path, *, mode: str = "overwrite") -> list[str]:
        """OUT/reports, OUT/mentions, OUT/errors, OUT/nodules as Parquet directories (Spark part files, in row
        order)."""
        written = []
        for name in EXTRACTION_TABLES:
            path = str(Path(out_dir) / name)
            self.table(name).write.mode(mode).parquet(path)
            written.append(path)
        return written

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every extraction table collected to the driver, built exactly as a single-process run builds it."""
        by_table = collect_tables(self.payloads, EXTRACTION_TABLES)
        return {name: frame_of(name, by_table[name]) for name in EXTRACTION_TABLES}

    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(reports, mentions, errors) collected to the driver and built exactly as a single-process run builds
        them (for tests and small data)."""
        frames = self.frames()
        return frames["reports"], frames["mentions"], frames["errors"]


def with_row_numbers(df, name: str):
    """``df`` with ``name`` = 1, 2, ... in its order (partition by partition, row by row), as ``zipWithIndex``
    numbers an RDD, in the JVM: one job counts each partition's rows, then each row's number is its partition's
    offset plus its place in the partition (the low 33 bits of ``monotonically_increasing_id``). No row goes
    through Python (``df.rdd.zipWithIndex()`` pickled every row, report text included, to a Python worker and
    back)."""
    from pyspark.sql import functions as F

    tagged = df.withColumn("_part", F.spark_partition_id()).withColumn("_id", F.monotonically_increasing_id())
    sizes = dict(tagged.groupBy("_part").count().collect())
    offsets, total = [], 0
    for part in range(max(sizes, default=-1) + 1):
        offsets.append(total)
        total += sizes.get(part, 0)
    offset = F.element_at(F.array(*[F.lit(o).cast("long") for o in offsets or [0]]), F.col("_part") + 1)
    place = F.col("_id") - F.shiftleft(F.col("_part").cast("long"), 33)
    return tagged.withColumn(name, offset + place + 1).drop("_part", "_id")


def extract_spark(df, *, columns: ColumnMap = ColumnMap(), patterns: str | None = None,
                  limits: dict | None = None) -> SparkExtraction:
    """Extract every report of a Spark DataFrame (radpath's input columns, mapped with ``columns``).
    ``limits``: the per-report budget (``max_report_chars``, ``max_seconds_per_report``) as in ``Extractor``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    found = list(df.columns)
    check_columns(found, columns, "<spark>")  # the file readers' checks: required, named, unique columns
    types = {f.name: f.dataType for f in df.schema.fields}
    selected = df.select(*[
        (_as_string(F, T, columns.source(c), types[columns.source(c)]) if columns.source(c) in found
         else F.lit(None).cast("string")).alias(c)
        for c in CANONICAL
    ])
    numbered = with_row_numbers(selected, "_row")
    keyed = numbered.mapInPandas(_keys, f"{', '.join(f'{c} string' for c in CANONICAL)}, _row long, _key string, _valid boolean")
    first_valid = F.min(F.when(F.col("_valid"), F.col("_row"))).over(Window.partitionBy("_key"))
    marked = keyed.withColumn("_dup", (F.col("_key") != "") & first_valid.isNotNull() & (F.col("_row") > first_valid))
    budget = tuple(sorted((limits or {}).items()))
    payloads = marked.mapInPandas(_extract_partitions(patterns, budget), PAYLOAD_SCHEMA).persist()
    return SparkExtraction(payloads, numbered)
