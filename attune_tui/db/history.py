"""Reading and rewriting a database's ``_sqlx_migrations`` rows (the deploy step's rebaseline).

Each function comes in two forms: on a URI (its own connection) and on an open
connection (``*_on``), so a check that reads, rebaselines and reads again can
do it in one session instead of paying a backend start per step.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..core.sqlx_history import HistoryRow
from .connect import connect, translated
from .errors import DatabaseError
from .script import ScriptFailure, run_script


def read_history_on(conn: psycopg.Connection[Any]) -> list[HistoryRow]:
    """The rows of ``_sqlx_migrations`` by version; empty when the table does not exist."""
    with translated("Reading _sqlx_migrations"):
        exists = conn.execute("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        rows = conn.execute(
            "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version").fetchall()
    return [HistoryRow(int(v), str(d), bool(s), bytes(c)) for v, d, s, c in rows]


def read_history(uri: str) -> list[HistoryRow]:
    """``read_history_on`` a connection of its own."""
    with connect(uri) as conn:
        return read_history_on(conn)


def run_sql_on(conn: psycopg.Connection[Any], text: str, what: str) -> None:
    """Run a generated script (it brings its own BEGIN/COMMIT); a failure is one sentence naming ``what``."""
    try:
        run_script(conn, text)
    except ScriptFailure as f:
        if conn.info.transaction_status != 0:  # leave no half-open transaction behind
            conn.execute("ROLLBACK")
        where = f" line {f.line}" if f.line else ""
        raise DatabaseError(f"{what}{where} failed: {f.message}"
                            f"{f' (SQLSTATE {f.sqlstate})' if f.sqlstate else ''}.") from None


def run_sql(uri: str, text: str, what: str) -> None:
    """``run_sql_on`` a connection of its own."""
    with connect(uri) as conn:
        run_sql_on(conn, text, what)
