"""Builders for database tests: a migration chain from SQL strings, and a quick query."""

from __future__ import annotations

from typing import Any

from attune_tui.core.loader import Migration, load_files
from attune_tui.db.connect import connect


def chain(files: dict[str, str | bytes]) -> list[Migration]:
    """Migrations (the loader's own class) from file name → SQL, in sqlx order."""
    pairs = [(n, s if isinstance(s, bytes) else s.encode()) for n, s in files.items()]
    return load_files(None, pairs).migrations


def query(uri: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Rows of the last statement of ``sql`` (none for a statement that returns none)."""
    with connect(uri) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def exists(uri: str, table: str) -> bool:
    return query(uri, "SELECT to_regclass(%s) IS NOT NULL", [table])[0][0]
