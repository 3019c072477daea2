"""Tables in and out: readers of report tables, input quality and the one date parser, output schemas, typed columns,\natomic files and output sets, CSV / Parquet / DuckDB stores, OMOP, and SQL (tables/sql/). No spaCy."""


def __getattr__(name):
    """radpath 0.1's ``extractor.tables`` was the module of the output schemas, now ``extractor.tables.schemas``: its names
    still resolve here for one release, with a DeprecationWarning (extractor/_moved.py moves the other paths)."""
    import importlib
    import warnings

    module = importlib.import_module(f"{__name__}.schemas")
    if name.startswith("__") or not hasattr(module, name):
        raise AttributeError(name)
    warnings.warn(f"extractor.tables.{name} is now extractor.tables.schemas.{name}; the old path goes in radpath 0.3",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
