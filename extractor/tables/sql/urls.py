"""Database URLs: where credentials come from, how they are hidden, and the one place engines are made.

Credentials, in the order they are used:

1. the URL itself (``postgresql+psycopg://user:secret@host/db``) - works, but the password then sits in shell history;
2. ``RADPATH_DB_URL`` (source) / ``RADPATH_DB_TO_URL`` (target) when no URL is given;
3. for PostgreSQL, libpq's own sources when the URL has no password: ``PGPASSWORD``, ``PGPASSFILE`` or
   ``~/.pgpass`` (and ``PGUSER``, ``PGHOST``... for the other parts). radpath passes nothing extra: libpq reads them.

A URL is never printed whole: :func:`mask_url` replaces the password (and ``password=`` query parameters) with
``***`` and is used in every log line, error message and manifest; :func:`scrub` removes a password from driver
messages as a second line of defence. Engines are created with ``hide_parameters=True`` so a failed statement's
error never quotes row values (report text). No spaCy here.
"""
from __future__ import annotations

import os
import re

from ...errors import RadpathError
from ...privacy import _SECRET_PAIRS, _SECRET_PARAMS, MASK, mask_url  # noqa: F401  (mask_url re-exported)

SOURCE_ENV = "RADPATH_DB_URL"
TARGET_ENV = "RADPATH_DB_TO_URL"
# password=... in a URL's query string (the value runs to the next & or ;) and in libpq keyword/value strings
# ("host=h password='a b'"), where it runs to the next space unless quoted
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")


class DatabaseError(RadpathError):
    """A database cannot be read or written as asked (bad URL, connection refused, missing table or driver)."""

    exit_code = 2


class SchemaMismatchError(DatabaseError):
    """A radpath output table exists with other columns than this version writes."""


def password_of(url: str) -> str | None:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).password
    except Exception:  # unparsable URL: nothing to scrub
        return None


def scrub(message: str, url: str | None) -> str:
    """``message`` with the URL's password removed: the whole URL, the password raw, %-encoded and decoded, any
    other URL in the message (masked with :func:`mask_url`) and any ``password=`` pair."""
    from urllib.parse import quote, unquote

    message = str(message)
    if url:
        message = message.replace(str(url), mask_url(url))
        secrets = {password_of(url), _raw_password(str(url))}
        for secret in [s for s in secrets if s]:
            for form in {secret, unquote(secret), quote(secret, safe=""), quote(secret)}:
                if len(form) >= 2:  # a one-character "password" would mask every occurrence of that character
                    message = message.replace(form, MASK)
    message = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), message)
    return _SECRET_PAIRS.sub(lambda m: m.group(1) + MASK, message)


def _raw_password(url: str) -> str | None:
    """The password as written in the URL (between ``user:`` and the last ``@``), still %-encoded."""
    scheme, sep, rest = url.partition("://")
    at = rest.rfind("@")
    if not sep or at < 0 or ":" not in rest[:at]:
        return None
    return rest[:at].split(":", 1)[1]


def resolve_url(url: str | None, *, env: str = SOURCE_ENV, what: str = "database") -> str:
    """``url``, else the environment variable ``env``; a DatabaseError naming both when neither is set."""
    url = url or os.environ.get(env)
    if not url:
        raise DatabaseError(f"no {what} URL: give one (e.g. postgresql+psycopg://user@host/db) or set {env}")
    return url


def _sqlalchemy():
    try:
        import sqlalchemy
    except ImportError as e:
        raise DatabaseError("SQL input/output needs SQLAlchemy: pip install 'radpath[sql]'") from e
    return sqlalchemy


def create_engine(url: str):
    """A SQLAlchemy engine that never echoes statement parameters; a DatabaseError (URL masked) when the URL or
    its driver is wrong."""
    sa = _sqlalchemy()
    try:
        parsed = sa.engine.make_url(url)
    except Exception:  # ArgumentError and friends: the message may quote the URL
        raise DatabaseError(f"not a database URL: {mask_url(url)}") from None
    if parsed.drivername in {"postgresql", "postgres"}:  # psycopg 3 rather than SQLAlchemy's default psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = sa.create_engine(parsed, hide_parameters=True, future=True)
    except ImportError as e:
        raise DatabaseError(f"no driver for {mask_url(url)}: {e} (for PostgreSQL: pip install 'psycopg[binary]')") from None
    except Exception as e:
        raise DatabaseError(f"cannot use {mask_url(url)}: {scrub(e, url)}") from None
    if engine.dialect.name == "sqlite" and engine.dialect.driver == "pysqlite":
        _transactional_sqlite(sa, engine)
    return engine


def _transactional_sqlite(sa, engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions, so CREATE TABLE is rolled back with the rest
    of a failed run (the sqlite3 module otherwise commits DDL at once; SQLAlchemy's documented recipe)."""

    @sa.event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def database_error(e: Exception, url: str, doing: str) -> DatabaseError:
    """A DatabaseError for a driver exception: what was being done, where (masked), and the driver's first line."""
    original = getattr(e, "orig", None) or e
    first = scrub(str(original), url).strip().splitlines()
    detail = first[0] if first else type(original).__name__
    return DatabaseError(f"{doing} {mask_url(url)}: {detail}")
