"""Scores of radpath's outputs against gold labels: report fields, report kinds, patients and nodules."""


from .._moved import names_of  # noqa: E402

# radpath 0.1's ``extractor.evaluate`` was the module of the report scores: its names still resolve here, for one release
__getattr__ = names_of(__name__, "reports")
