"""Opening connections, and turning psycopg's exceptions into one-sentence DatabaseErrors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from .conninfo import describe, parse
from .errors import DatabaseError

# sqlx opens every connection with these session settings; replaying migrations
# under the same ones keeps now()::text, date parsing and the like identical.
SQLX_SESSION = {"client_encoding": "UTF8", "options": "-c DateStyle=ISO,MDY -c TimeZone=UTC"}


def _reason(e: Exception) -> str:
    """The useful part of libpq's connection error: 'Connection refused', 'password authentication failed…'."""
    first = (str(e).strip().splitlines() or ["unknown error"])[0]
    reason = first.rsplit("failed: ", 1)[-1]
    return reason.replace("FATAL:  ", "").strip().rstrip(".")


def connect(uri: str, *, sqlx_session: bool = False, **kwargs: Any) -> psycopg.Connection[Any]:
    """An autocommit connection to ``uri``; failure is a DatabaseError naming host and port."""
    if sqlx_session:
        extra = parse(uri).get("options")
        kwargs = {**SQLX_SESSION, **kwargs}
        if extra:
            kwargs["options"] = f"{extra} {kwargs['options']}"
    kwargs.setdefault("connect_timeout", 10)
    try:
        return psycopg.connect(uri, autocommit=True, **kwargs)
    except psycopg.OperationalError as e:
        raise DatabaseError(
            f"Cannot connect to PostgreSQL at {describe(uri)} ({_reason(e)}); check that the server is running "
            f"and that the URL's user, password and database are right, or unset DATABASE_URL to use the "
            f"embedded server.") from None


def error_sentence(e: psycopg.Error) -> str:
    """PostgreSQL's primary message with its SQLSTATE, or psycopg's first line."""
    diag = getattr(e, "diag", None)
    message = (diag.message_primary if diag else None) or (str(e).strip().splitlines() or ["unknown error"])[0]
    state = f" (SQLSTATE {e.sqlstate})" if getattr(e, "sqlstate", None) else ""
    return f"{message}{state}"


@contextmanager
def translated(doing: str) -> Iterator[None]:
    """Re-raise any psycopg error inside as ``DatabaseError("<doing> failed: <message>")``."""
    try:
        yield
    except psycopg.Error as e:
        raise DatabaseError(f"{doing} failed: {error_sentence(e)}.") from None
