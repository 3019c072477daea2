"""Cytology and surgical pathology report fields (CONTRACT.md) from text and patterns/pathology/ rules."""
from .report import PATHOLOGY_FIELDS, PathologyAggregator

__all__ = ["PATHOLOGY_FIELDS", "PathologyAggregator"]
