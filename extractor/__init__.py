"""radpath: rule-based extraction of thyroid ultrasound and pathology findings into auditable tables.

Public API (imported lazily, so ``import extractor`` loads neither spaCy nor pandas)::

    from extractor import extract, extract_file
    result = extract(df)          # DataFrame of reports -> result.reports, result.mentions, result.errors

The package has one subpackage per stage, each importing only the stages before it (docs/architecture.md):
knowledge, tables, nlp, fields, cohort, run, evaluate, audit, tools, cli. The module paths of radpath 0.1
(``extractor.api``, ``extractor.pathology.sizes``, ...) still import, with a DeprecationWarning, for one release
(extractor/_moved.py).
"""
from . import _moved

__version__ = "0.1.0"
__all__ = ["__version__", "extract", "extract_file", "Extractor", "ColumnMap", "build_nlp"]
_PUBLIC = {"extract": "extractor.run.api", "extract_file": "extractor.run.api", "Extractor": "extractor.run.api",
           "ColumnMap": "extractor.tables.sources", "build_nlp": "extractor.nlp.pipeline"}

_moved.install()


def __getattr__(name):
    if name in _PUBLIC:
        import importlib

        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(name)
