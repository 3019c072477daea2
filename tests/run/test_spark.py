"""extractor.run.spark in Spark local mode gives the single-process tables (skipped without pyspark or Java)."""
import os
import shutil
import sys

import pandas as pd
import pytest

from extractor.knowledge.resources import sample_dir
from extractor.run.api import Extractor
from extractor.tables.sources import normalise

# .ci/run sets RADPATH_REQUIRE_SPARK=1: there a missing pyspark or Java fails the run instead of skipping
if not os.environ.get("RADPATH_REQUIRE_SPARK"):
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'radpath[spark]')")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java (no `java` on PATH and no JAVA_HOME)", allow_module_level=True)
import pyspark  # noqa: E402,F401


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("radpath-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3")
               .config("spark.driver.memory", "1g").getOrCreate())
    yield session
    session.stop()


@pytest.fixture(scope="module")
def frame():
    sample = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    extra = pd.DataFrame([
        {**sample.iloc[3].to_dict(), "text": "a repeated id"},
        {"report_id": "", "patient_id": "PX", "report_date": "", "report_type": "", "text": "no id"},
        {"report_id": "S1", "patient_id": "PX", "report_date": "", "report_type": "US", "text": " \t"},
        {"report_id": "S1", "patient_id": "PX", "report_date": "", "report_type": "US", "text": "No microcalcification."},
    ])
    return pd.concat([sample.iloc[:30], extra.iloc[:2], sample.iloc[30:], extra.iloc[2:]], ignore_index=True)


def test_spark_tables_equal_single_process_tables(spark, frame, tmp_path):
    from extractor.run.spark import extract_spark

    expected = Extractor().extract_table(normalise(frame))
    source = spark.createDataFrame(frame)  # in row order, over local[2]'s partitions (a repartition would reorder)
    assert source.rdd.getNumPartitions() > 1
    result = extract_spark(source)
    reports, mentions, errors = result.to_pandas()
    for name, got, want in (("reports", reports, expected.reports), ("mentions", mentions, expected.mentions),
                            ("errors", errors, expected.errors)):
        assert got.to_csv(index=False) == want.to_csv(index=False), name
    written = result.write_parquet(tmp_path)
    back = pd.read_parquet(written[0])
    assert list(back["report_id"]) == list(expected.reports["report_id"])



def test_float_and_integer_ids_give_the_file_readers_text(spark):
    """Issue 13: Spark cast a double id to "1001.0"; the file readers give "1001" (a patient must not split)."""
    from pyspark.sql import types as T

    from extractor.run.spark import extract_spark

    schema = T.StructType([T.StructField("report_id", T.LongType()), T.StructField("patient_id", T.DoubleType()),
                           T.StructField("report_date", T.StringType()), T.StructField("report_type", T.StringType()),
                           T.StructField("text", T.StringType())])
    rows = [(i, p, "2024-01-02", "US", "No nodule.") for i, p in
            [(1, 1001.0), (2, None), (3, 1001.0), (4, 2.5), (5, 1001.0), (6, 7.0)]]
    source = spark.createDataFrame(rows, schema)
    reports, _, errors = extract_spark(source).to_pandas()
    assert list(reports["report_id"]) == ["1", "3", "4", "5", "6"]
    assert list(reports["patient_id"]) == ["1001", "1001", "2.5", "1001", "7"]
    assert list(errors["reason"]) == ["missing_patient_id"]


def test_text_columns_of_several_arrow_chunks_reach_spark(spark):
    """pandas 3 + pyspark 4.0.1: a str column built by concatenation holds several Arrow chunks, and pyspark's
    conversion of mapInPandas / applyInPandas output failed on it (``Expected Array, got ChunkedArray``)."""
    from extractor.run.spark import spark_frame

    def chunked(n: int) -> pd.DataFrame:
        parts = [pd.DataFrame({"table": pd.Series([f"t{i}"], dtype="str"), "row": [i]}) for i in range(n)]
        return pd.concat(parts, ignore_index=True)

    frame = chunked(3)
    assert frame["table"].array._pa_array.num_chunks == 3  # the shape that broke the job

    def batches(iterator):
        for batch in iterator:
            yield spark_frame(chunked(len(batch)))

    source = spark.range(4).repartition(2)
    assert sorted(r["table"] for r in source.mapInPandas(batches, "table string, row long").collect()) == \
        ["t0", "t0", "t1", "t1"]
    grouped = source.groupBy((source["id"] % 2).alias("k")).applyInPandas(
        lambda f: spark_frame(chunked(len(f))), "table string, row long")
    assert sorted(r["table"] for r in grouped.collect()) == ["t0", "t0", "t1", "t1"]


def test_documented_recipe_on_the_sample_file_gives_every_single_process_table(spark):
    """docs/scale.md's reading of a CSV file (not a hand-made frame), nodules included."""
    from extractor.tables.sources import read_reports
    from extractor.run.spark import extract_spark

    path = sample_dir() / "reports.csv"
    expected = Extractor().extract_table(read_reports(path))
    notes = spark.read.csv(str(path), header=True, multiLine=True, escape='"')
    frames = extract_spark(notes).frames()
    for name in ("reports", "mentions", "errors", "nodules"):
        assert frames[name].to_csv(index=False) == getattr(expected, name).to_csv(index=False), name
    assert len(frames["nodules"]) > 0


def test_per_report_budget_reaches_the_partitions(spark):
    """``limits=`` is the per-report budget of the job's per-chunk extraction: a report past --max-report-chars
    is a too_long error on Spark as in a local run, and every other report keeps its own fields."""
    from extractor.run.api import extract
    from extractor.run.spark import extract_spark

    frame = pd.read_csv(sample_dir() / "reports.csv", dtype=str, keep_default_na=False)
    want = extract(frame, max_report_chars=600)
    assert 0 < (want.errors["reason"] == "too_long").sum() < len(frame)
    got = extract_spark(spark.createDataFrame(frame), limits={"max_report_chars": 600}).frames()
    for name in ("reports", "mentions", "errors", "nodules"):
        assert got[name].to_csv(index=False) == getattr(want, name).to_csv(index=False), name
