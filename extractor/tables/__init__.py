"""Tables in and out: readers of report tables, input quality and the one date parser, output schemas, typed columns,
atomic files and output sets, CSV / Parquet / DuckDB stores, OMOP, and SQL (tables/sql/). No spaCy."""


from .._moved import names_of  # noqa: E402

# radpath 0.1's ``extractor.tables`` was the output schemas module: its names still resolve here for one release
__getattr__ = names_of(__name__, "schemas")
