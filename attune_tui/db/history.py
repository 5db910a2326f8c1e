"""Reading and rewriting a database's ``_sqlx_migrations`` rows (the deploy step's rebaseline)."""

from __future__ import annotations

from ..core.sqlx_history import HistoryRow
from .connect import connect, translated
from .errors import DatabaseError
from .script import ScriptFailure, run_script


def read_history(uri: str) -> list[HistoryRow]:
    """The rows of ``_sqlx_migrations`` by version; empty when the table does not exist."""
    with connect(uri) as conn, translated("Reading _sqlx_migrations"):
        exists = conn.execute("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return []
        rows = conn.execute(
            "SELECT version, description, success, checksum FROM _sqlx_migrations ORDER BY version").fetchall()
    return [HistoryRow(int(v), str(d), bool(s), bytes(c)) for v, d, s, c in rows]


def run_sql(uri: str, text: str, what: str) -> None:
    """Run a generated script (it brings its own BEGIN/COMMIT); a failure is one sentence naming ``what``."""
    with connect(uri) as conn:
        try:
            run_script(conn, text)
        except ScriptFailure as f:
            if conn.info.transaction_status != 0:  # leave no half-open transaction behind
                conn.execute("ROLLBACK")
            where = f" line {f.line}" if f.line else ""
            raise DatabaseError(f"{what}{where} failed: {f.message}"
                                f"{f' (SQLSTATE {f.sqlstate})' if f.sqlstate else ''}.") from None
