"""extractor.run.spark in Spark local mode gives the single-process tables (skipped without pyspark or Java)."""
import os
import shutil
import sys

import pandas as pd
import pytest

from extractor.knowledge.resources import sample_dir
from extractor.run.api import Extractor
from extractor.tables.sources import normalise

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'radpath[spark]')")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java (no `java` on PATH and no JAVA_HOME)", allow_module_level=True)


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
