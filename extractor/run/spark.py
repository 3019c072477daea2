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
from ..tables.schemas import REPORT_COLUMNS, errors_frame, mentions_frame, reports_frame
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
_EXTRACTORS: dict = {}  # the patterns directory this process's engine was built with
PAYLOAD_SCHEMA = "table string, row long, seq long, payload string"


def _extract(patterns: str | None, table):
    """The per-chunk extraction of every run (extractor.run.job.extract_chunk), with this executor process's engine
    (built once per patterns directory)."""
    if _EXTRACTORS.get("patterns", object()) != patterns:
        init_extractor(patterns, engine=Extractor)
        _EXTRACTORS["patterns"] = patterns
    return extract_chunk(table)


def _keys(batches):
    """Python's own strip() and emptiness tests (Spark's trim() strips spaces only); a row can be a report only if
    normalise would keep it (ids without a NUL / control character / undecodable byte)."""
    for frame in batches:
        rid = [_as_text(v).strip() for v in frame["report_id"]]
        pid = [_as_text(v).strip() for v in frame["patient_id"]]
        ok = [bool(r) and id_problem(r) is None and bool(p) and id_problem(p) is None and bool(_as_text(t).strip())
              for r, p, t in zip(rid, pid, frame["text"])]
        yield frame.assign(_key=rid, _valid=ok)


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


def _payload(table: str, frame: pd.DataFrame, rows, seqs) -> pd.DataFrame:
    records = frame.astype(object).to_dict("records")
    return pd.DataFrame({
        "table": table, "row": list(rows), "seq": list(seqs),
        "payload": [json.dumps({k: _json_value(v) for k, v in r.items()}) for r in records],
    }, columns=["table", "row", "seq", "payload"])


def _extract_partitions(patterns: str | None):
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
            result = _extract(patterns, table)
            payloads = (
                _payload("reports", result.reports, [row_of[r] for r in result.reports["report_id"]],
                         [0] * len(result.reports)),
                _payload("mentions", result.mentions, [row_of[r] for r in result.mentions["report_id"]],
                         list(result.mentions["mention_index"])),
                _payload("errors", result.errors, list(result.errors["row"]), [0] * len(result.errors)),
            )
            # an empty frame is not yielded: pandas 3 gives its string column to Arrow as a ChunkedArray that
            # Spark's struct conversion rejects (a partition without errors or mentions failed the job)
            yield from (payload for payload in payloads if len(payload))

    return run


def _spark_type(name: str, column: str) -> str:
    if (name, column) in {("reports", "n_mentions"), ("errors", "row")}:
        return "long"
    if name == "mentions":
        if column in {"mention_index", "start_char", "end_char", "sentence_start", "sentence_end"} or column.endswith("_trigger_start"):
            return "long"
        if column in CONTEXT_FLAGS:
            return "boolean"
    return "string"


def _columns(name: str) -> list[str]:
    return {"reports": REPORT_COLUMNS, "mentions": MENTION_COLUMNS, "errors": ERROR_COLUMNS}[name]


@dataclass
class SparkExtraction:
    payloads: object  # pyspark DataFrame: table, row, seq, payload (persisted)

    def table(self, name: str):
        """One output table as a typed Spark DataFrame, in the single-process row order."""
        from pyspark.sql import functions as F

        columns = _columns(name)
        schema = ", ".join(f"`{c}` {_spark_type(name, c)}" for c in columns)
        parsed = (self.payloads.where(F.col("table") == name)
                  .select("row", "seq", F.from_json("payload", schema).alias("r")))
        return parsed.orderBy("row", "seq").select(*[F.col("r").getField(c).alias(c) for c in columns])

    def write_parquet(self, out_dir: str | Path, *, mode: str = "overwrite") -> list[str]:
        """OUT/reports, OUT/mentions, OUT/errors as Parquet directories (Spark part files, in row order)."""
        written = []
        for name in ("reports", "mentions", "errors"):
            path = str(Path(out_dir) / name)
            self.table(name).write.mode(mode).parquet(path)
            written.append(path)
        return written

    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """(reports, mentions, errors) collected to the driver and built exactly as a single-process run builds
        them (for tests and small data)."""
        rows = self.payloads.orderBy("table", "row", "seq").collect()
        by_table = {"reports": [], "mentions": [], "errors": []}
        for r in rows:
            by_table[r["table"]].append(json.loads(r["payload"]))
        return reports_frame(by_table["reports"]), mentions_frame(by_table["mentions"]), errors_frame(by_table["errors"])


def extract_spark(df, *, columns: ColumnMap = ColumnMap(), patterns: str | None = None) -> SparkExtraction:
    """Extract every report of a Spark DataFrame (radpath's input columns, mapped with ``columns``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    found = list(df.columns)
    check_columns(found, columns, "<spark>")  # the file readers' checks: required, named, unique columns
    spark = df.sparkSession
    types = {f.name: f.dataType for f in df.schema.fields}
    selected = df.select(*[
        (_as_string(F, T, columns.source(c), types[columns.source(c)]) if columns.source(c) in found
         else F.lit(None).cast("string")).alias(c)
        for c in CANONICAL
    ])
    schema = T.StructType([*[T.StructField(c, T.StringType()) for c in CANONICAL], T.StructField("_row", T.LongType())])
    numbered = spark.createDataFrame(selected.rdd.zipWithIndex().map(lambda p: (*p[0], p[1] + 1)), schema)
    keyed = numbered.mapInPandas(_keys, f"{', '.join(f'{c} string' for c in CANONICAL)}, _row long, _key string, _valid boolean")
    first_valid = F.min(F.when(F.col("_valid"), F.col("_row"))).over(Window.partitionBy("_key"))
    marked = keyed.withColumn("_dup", (F.col("_key") != "") & first_valid.isNotNull() & (F.col("_row") > first_valid))
    payloads = marked.mapInPandas(_extract_partitions(patterns), PAYLOAD_SCHEMA).persist()
    return SparkExtraction(payloads)
