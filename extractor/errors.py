"""Exceptions radpath raises for user errors. The CLI turns each into a one-line message, never a traceback."""
from __future__ import annotations


class RadpathError(Exception):
    """Base class: an error the user can fix (bad input, bad rule file, bad option)."""

    exit_code = 1


class InputError(RadpathError):
    """An input report table cannot be read as asked (missing column, unknown format, unreadable file)."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, row: int | None = None, column: str | None = None):
        where = []
        if path is not None:
            where.append(str(path))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        self.path, self.row, self.column = path, row, column
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")


class PatternError(RadpathError):
    """A file under patterns/ (or a user-supplied one) breaks the rule-file schema."""

    exit_code = 2

    def __init__(self, message: str, *, path: str, line: int | None = None, rule_id: str | None = None):
        self.path, self.line, self.rule_id = path, line, rule_id
        where = str(path) + (f":{line}" if line is not None else "")
        rule = f" (rule {rule_id})" if rule_id else ""
        super().__init__(f"{where}{rule}: {message}")
