"""Apply a migration chain exactly as ``sqlx migrate run`` does on PostgreSQL.

Per file: unless its text starts with ``-- no-transaction``, ``BEGIN``; the
file's text as one simple query; ``INSERT INTO _sqlx_migrations`` (checksum =
SHA-384 of the file's bytes, ``execution_time`` -1); ``COMMIT``; then the
elapsed nanoseconds are written with an ``UPDATE`` (sqlx measures the whole
transaction, so it can only record the time afterwards).  The DDL and
statements mirror sqlx-postgres's ``migrate.rs``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg

from ..core.sqlx_history import MigrationFile
from .connect import connect, error_sentence, translated
from .errors import ApplyError, DatabaseError
from .script import ScriptFailure, run_script

MIGRATIONS_TABLE = "_sqlx_migrations"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
);
"""
INSERT_ROW = ("INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) "
              "VALUES ( %s, %s, TRUE, %s, -1 )")
UPDATE_TIME = "UPDATE _sqlx_migrations SET execution_time = %s WHERE version = %s"

Progress = Callable[[int, int, str], None]


class ChainFile(MigrationFile, Protocol):
    """What apply_chain needs of a migration: its identity and its bytes (``core.loader.Migration`` fits)."""

    @property
    def data(self) -> bytes: ...


@dataclass(frozen=True)
class AppliedFile:
    """One applied file; ``recorded`` is False for a duplicate version applied without its row."""

    name: str
    version: int
    seconds: float
    recorded: bool


def is_no_transaction(text: str) -> bool:
    """sqlx's rule, verbatim: the text starts with ``-- no-transaction``."""
    return text.startswith("-- no-transaction")


def _decode(m: ChainFile) -> str:
    try:
        return m.data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = m.data[: e.start].count(b"\n") + 1
        raise ApplyError(m.name, line, None,
                         f"the file is not valid UTF-8 (byte offset {e.start}), so sqlx cannot read it") from None


def _duplicates(migrations: Sequence[ChainFile], recorded: set[int], allow: bool) -> set[int]:
    """Indexes of files whose version is already taken; an error unless duplicates are allowed."""
    seen: dict[int, str] = {}
    dups: set[int] = set()
    for i, m in enumerate(migrations):
        if m.version not in seen and m.version not in recorded:
            seen[m.version] = m.name
            continue
        if not allow:
            taken = f"used by {seen[m.version]}" if m.version in seen else f"recorded in {MIGRATIONS_TABLE}"
            raise ApplyError(m.name, None, None, f"version {m.version} is already {taken}, and sqlx refuses "
                                           f"duplicate versions")
        dups.add(i)
    return dups


def _apply_one(conn: psycopg.Connection[Any], m: ChainFile, text: str, record: bool) -> float:
    """Run one file the sqlx way; return elapsed seconds."""
    in_tx = not is_no_transaction(text)
    start = time.perf_counter_ns()
    try:
        if in_tx:
            conn.execute("BEGIN")
        run_script(conn, text)
        if record:
            conn.execute(INSERT_ROW, [m.version, m.description, hashlib.sha384(m.data).digest()])
        if in_tx:
            conn.execute("COMMIT")
    except ScriptFailure as f:
        _rollback(conn, in_tx)
        raise ApplyError(m.name, f.line, f.sqlstate, f.message, f.detail, f.hint) from None
    except psycopg.Error as e:  # BEGIN/INSERT/COMMIT (a deferred constraint fails at COMMIT), or the link
        if conn.closed or conn.pgconn.status != psycopg.pq.ConnStatus.OK or not e.sqlstate:
            raise DatabaseError(f"Lost the connection to PostgreSQL while applying {m.name}: "
                                f"{error_sentence(e)}.") from None
        _rollback(conn, in_tx)
        diag = e.diag
        raise ApplyError(m.name, None, e.sqlstate, diag.message_primary or str(e),
                         diag.message_detail, diag.message_hint) from None
    elapsed = time.perf_counter_ns() - start
    if record:
        with translated(f"Recording the execution time of {m.name}"):
            conn.execute(UPDATE_TIME, [elapsed, m.version])
    return elapsed / 1e9


def _rollback(conn: psycopg.Connection[Any], in_tx: bool) -> None:
    if in_tx and not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        try:
            conn.execute("ROLLBACK")
        except psycopg.Error:
            pass


def _prepare(conn: psycopg.Connection[Any]) -> set[int]:
    """Create the bookkeeping table if needed (sqlx's DDL) and return the versions it records."""
    with translated(f"Preparing {MIGRATIONS_TABLE}"):
        conn.execute(CREATE_TABLE)
        return {r[0] for r in conn.execute("SELECT version FROM _sqlx_migrations")}


def apply_chain(uri: str, migrations: Sequence[ChainFile], *, on_progress: Progress | None = None,
                allow_duplicate_versions: bool = False) -> list[AppliedFile]:
    """Apply ``migrations`` in the given order to database ``uri``; stop at the first failing file.

    ``on_progress(i, total, name)`` is called before each file (``i`` files are done) and
    once more as ``(total, total, "")`` at the end.  A file whose version is already taken
    is refused before anything runs (sqlx would fail on it), unless
    ``allow_duplicate_versions``: then it runs but records no row.
    Raises ApplyError for a failing file, DatabaseError when the server is unreachable.
    """
    texts = [_decode(m) for m in migrations]
    applied: list[AppliedFile] = []
    with connect(uri, sqlx_session=True) as conn:
        dups = _duplicates(migrations, _prepare(conn), allow_duplicate_versions)
        for i, (m, text) in enumerate(zip(migrations, texts)):
            if on_progress:
                on_progress(i, len(migrations), m.name)
            seconds = _apply_one(conn, m, text, record=i not in dups)
            applied.append(AppliedFile(m.name, m.version, seconds, i not in dups))
        if on_progress:
            on_progress(len(migrations), len(migrations), "")
    return applied
