"""Run one SQL file's text as a single simple-protocol query, as sqlx does, and locate a failure.

Sending the whole text at once keeps sqlx's semantics (one implicit
transaction for a multi-statement string, so e.g. ``CREATE INDEX
CONCURRENTLY`` fails here exactly as it would under sqlx).  The line of a
failure comes from PostgreSQL's error position when it gives one (a
1-based character offset into the text); otherwise (constraint violations,
errors raised inside functions) from counting the statements that completed
before the failing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import pq
from psycopg.generators import execute as _fetch_results  # send + collect every result, interruptibly

from ..core.lexer import SqlSyntaxError, split_statements

_OK = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)
_F = pq.DiagnosticField


@dataclass
class ScriptFailure(Exception):
    """A statement of the script failed; ``line`` is 1-based inside the script, or None if unknown."""

    line: int | None
    message: str
    sqlstate: str | None
    detail: str | None = None
    hint: str | None = None


def _field(res: pq.abc.PGresult, field: pq.DiagnosticField) -> str | None:
    value = res.error_field(field)
    return value.decode("utf-8", "replace") if value is not None else None


def failing_line(text: str, position: int | None, completed: int) -> int | None:
    """Line of the failure: from the error position, else from the number of completed statements."""
    if position is not None and 0 < position <= len(text) + 1:
        return text.count("\n", 0, position - 1) + 1
    try:
        spans = split_statements(text)
    except SqlSyntaxError:
        return None
    return spans[completed].line if completed < len(spans) else None


def _results(conn: psycopg.Connection[Any]) -> list[pq.abc.PGresult]:
    """Collect every result of the query just sent, refusing COPY with the client (sqlx cannot feed it)."""
    pgconn = conn.pgconn
    results: list[pq.abc.PGresult] = []
    while True:
        batch = conn.wait(_fetch_results(pgconn))
        results.extend(batch)
        status = batch[-1].status if batch else None
        if status == pq.ExecStatus.COPY_IN:
            pgconn.put_copy_end(b"a migration cannot read COPY data from the client")
        elif status == pq.ExecStatus.COPY_OUT:
            while pgconn.get_copy_data(0)[0] >= 0:
                pass
        else:
            return results


def run_script(conn: psycopg.Connection[Any], text: str) -> None:
    """Execute ``text`` in one round trip; raise ScriptFailure locating the first error."""
    conn.pgconn.send_query(text.encode(conn.info.encoding))
    completed = 0
    for res in _results(conn):
        if res.status in _OK:
            completed += 1
        elif res.status == pq.ExecStatus.FATAL_ERROR:
            pos = _field(res, _F.STATEMENT_POSITION)
            raise ScriptFailure(
                line=failing_line(text, int(pos) if pos and pos.isdigit() else None, completed),
                message=_field(res, _F.MESSAGE_PRIMARY) or "unknown error",
                sqlstate=_field(res, _F.SQLSTATE),
                detail=_field(res, _F.MESSAGE_DETAIL),
                hint=_field(res, _F.MESSAGE_HINT))
