"""The audit report: DIR/audit.html (cohort and patient views) and the terminal trace of one patient or report.

    from extractor.audit import load_audit_data, build_audit
    data = load_audit_data("results", input="reports.csv")
    build_audit(data)                 # -> results/audit.html
"""
from .data import AuditData, AuditError, Definition, load_audit_data
from .explain import explain
from .render import build_audit

__all__ = ["AuditData", "AuditError", "Definition", "load_audit_data", "build_audit", "explain"]


def __getattr__(name):  # matplotlib and jinja2 load only when a page is built
    if name == "build_audit":
        return build_audit
    if name == "explain":
        return explain
    raise AttributeError(name)
