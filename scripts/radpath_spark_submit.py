"""spark-submit entry point: the whole radpath job on the session spark-submit starts (docs/scale.md).

    spark-submit --master local[2] --py-files dist/radpath-0.1.0-py3-none-any.whl \
        scripts/radpath_spark_submit.py INPUT OUT [--note-nlp]
"""
import sys

from extractor.run.spark_job import submit_main

if __name__ == "__main__":
    sys.exit(submit_main(sys.argv[1:]))
