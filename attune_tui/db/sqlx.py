"""Apply a migration chain exactly as sqlx does, reporting failures by file and line.

Each file runs in its own transaction unless its first line is
``-- no-transaction``; a ``_sqlx_migrations`` row records its version,
description, SHA-384 checksum and execution time.  Statements are sent one
by one (split by the core's lexer) so that a failure names the line inside
the file, which a whole-file query cannot do for run-time errors.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

import psycopg

from ..core.lexer import LineIndex, SqlSyntaxError, split_statements
from .errors import ApplyError

SQLX_TABLE = """CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)"""


class ChainFile(Protocol):
    version: int
    description: str
    name: str
    data: bytes


@dataclass
class AppliedFile:
    name: str
    version: int
    seconds: float
    recorded: bool


def _line_of(exc: psycopg.Error, text: str, start: int, lines: LineIndex) -> int:
    pos = getattr(exc.diag, "statement_position", None)
    offset = start + (int(pos) - 1 if pos else 0)
    return lines.line(offset)


def _run_file(conn: psycopg.Connection, m: ChainFile, text: str) -> None:
    lines = LineIndex(text)
    try:
        spans = split_statements(text, m.name, lines)
    except SqlSyntaxError:
        spans = []
    if not spans:  # empty, or unreadable by our lexer: let PostgreSQL judge the whole text
        try:
            if text.strip():
                conn.execute(text.encode())
        except psycopg.Error as e:
            raise ApplyError(m.name, _line_of(e, text, 0, lines), e.sqlstate, _message(e)) from None
        return
    for sp in spans:
        try:
            conn.execute(text[sp.start : sp.end].encode())
        except psycopg.Error as e:
            raise ApplyError(m.name, _line_of(e, text, sp.start, lines), e.sqlstate, _message(e)) from None


def _message(e: psycopg.Error) -> str:
    primary = getattr(e.diag, "message_primary", None)
    return primary or str(e).strip().splitlines()[0]


def apply_chain(uri: str, migrations: Sequence[ChainFile], *,
                on_progress: Callable[[int, int, str], None] | None = None,
                allow_duplicate_versions: bool = False) -> list[AppliedFile]:
    """Apply ``migrations`` in order to the database at ``uri``; raise :class:`ApplyError` on the first failure."""
    out: list[AppliedFile] = []
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(SQLX_TABLE)
        recorded = {r[0] for r in conn.execute("SELECT version FROM _sqlx_migrations")}
        for i, m in enumerate(migrations):
            if on_progress:
                on_progress(i, len(migrations), m.name)
            text = m.data.decode("utf-8", errors="replace")
            duplicate = m.version in recorded
            if duplicate and not allow_duplicate_versions:
                raise ApplyError(m.name, None, None, f"version {m.version} is already applied; sqlx refuses duplicate versions")
            no_tx = text.lstrip("\ufeff").startswith("-- no-transaction")
            started = time.perf_counter_ns()
            if no_tx:
                _run_file(conn, m, text)
                elapsed = time.perf_counter_ns() - started
                if not duplicate:
                    _record(conn, m, elapsed)
            else:
                with conn.transaction():
                    _run_file(conn, m, text)
                    elapsed = time.perf_counter_ns() - started
                    if not duplicate:
                        _record(conn, m, elapsed)
            recorded.add(m.version)
            out.append(AppliedFile(m.name, m.version, elapsed / 1e9, not duplicate))
        if on_progress:
            on_progress(len(migrations), len(migrations), "")
    return out


def _record(conn: psycopg.Connection, m: ChainFile, elapsed_ns: int) -> None:
    conn.execute(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) "
        "VALUES (%s, %s, TRUE, %s, %s)",
        (m.version, m.description, hashlib.sha384(m.data).digest(), elapsed_ns),
    )
