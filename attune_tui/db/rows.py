"""Reading and writing table rows, with JSONB as Python mappings and lists."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb


def table_columns(uri: str, table: str) -> list[tuple[str, str, str | None]]:
    """(name, data type, default) of each column, in table order."""
    with psycopg.connect(uri) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum", (table,))]


def fetch_rows(uri: str, table: str, columns: list[str] | None = None, order_by: str | None = None) -> list[dict[str, Any]]:
    cols = sql.SQL(", ").join(map(sql.Identifier, columns)) if columns else sql.SQL("*")
    q = sql.SQL("SELECT {} FROM {}").format(cols, sql.Identifier(table))
    if order_by:
        q += sql.SQL(" ORDER BY {}").format(sql.Identifier(order_by))
    with psycopg.connect(uri, row_factory=dict_row) as conn:
        return list(conn.execute(q))


def insert_rows(uri: str, table: str, rows: list[dict[str, Any]]) -> int:
    """Insert rows given as column → value; JSON columns take mappings and lists."""
    if not rows:
        return 0
    types = {name: t for name, t, _ in table_columns(uri, table)}
    with psycopg.connect(uri) as conn:
        for row in rows:
            unknown = [c for c in row if c not in types]
            if unknown:
                raise ValueError(f"{table} has no column {unknown[0]}")
            values = [Jsonb(v) if types[c] in ("jsonb", "json") and v is not None else v for c, v in row.items()]
            conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, row)),
                sql.SQL(", ").join(sql.Placeholder() * len(row))), values)
    return len(rows)
