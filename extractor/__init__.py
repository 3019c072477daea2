"""radpath: rule-based extraction of thyroid ultrasound and pathology findings into auditable tables.

Public API (imported lazily, so ``import extractor`` loads neither spaCy nor pandas)::

    from extractor import extract, extract_file
    result = extract(df)          # DataFrame of reports -> result.reports, result.mentions, result.errors
"""
__version__ = "0.1.0"
__all__ = ["__version__", "extract", "extract_file", "Extractor", "ColumnMap", "build_nlp"]


def __getattr__(name):
    if name in {"extract", "extract_file", "Extractor"}:
        from . import api

        return getattr(api, name)
    if name == "ColumnMap":
        from .sources import ColumnMap

        return ColumnMap
    if name == "build_nlp":
        from .pipeline import build_nlp

        return build_nlp
    raise AttributeError(name)
