"""Scores of radpath's outputs against gold labels: report fields, report kinds, patients and nodules."""


def __getattr__(name):
    """radpath 0.1's ``extractor.evaluate`` was the module of the report scores, now ``extractor.evaluate.reports``: its names
    still resolve here for one release, with a DeprecationWarning (extractor/_moved.py moves the other paths)."""
    import importlib
    import warnings

    module = importlib.import_module(f"{__name__}.reports")
    if name.startswith("__") or not hasattr(module, name):
        raise AttributeError(name)
    warnings.warn(f"extractor.evaluate.{name} is now extractor.evaluate.reports.{name}; the old path goes in radpath 0.3",
                  DeprecationWarning, stacklevel=2)
    return getattr(module, name)
