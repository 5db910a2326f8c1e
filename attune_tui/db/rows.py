"""Reading and writing table rows as plain dicts (JSON/JSONB as Python dicts and lists).

Used to read the final state of seed tables after replaying a chain, and to
load rows back for comparison.  Table names may be schema-qualified or
quoted; PostgreSQL resolves them (``to_regclass``), so no name is ever
spliced into SQL unquoted.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql
from psycopg.rows import dict_row, tuple_row
from psycopg.types.json import Json, Jsonb

from .connect import connect, translated
from .errors import DatabaseError

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


def _resolve(conn: Any, table: str) -> str:
    """The table's quoted, qualified-as-needed name, or a DatabaseError if it does not exist."""
    row = conn.cursor(row_factory=tuple_row).execute("SELECT to_regclass(%s)::text", [table]).fetchone()
    if row is None or row[0] is None:
        raise DatabaseError(f"Table {table} does not exist in the database.")
    return str(row[0])


def _identifiers(names: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def table_columns(uri: str, table: str) -> list[tuple[str, str, str | None]]:
    """``(name, type, default expression)`` of each column of ``table``, in table (attnum) order."""
    with connect(uri) as conn, translated(f"Reading the columns of {table}"):
        regclass = _resolve(conn, table)
        return [(r[0], r[1], r[2]) for r in conn.execute(_COLUMNS, [regclass])]


def fetch_rows(uri: str, table: str, columns: list[str] | None = None,
               order_by: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``table`` as dicts in column order; ``order_by`` is a column name or comma-separated names."""
    with connect(uri, row_factory=dict_row) as conn, translated(f"Reading rows of {table}"):
        target = sql.SQL(_resolve(conn, table))
        cols = _identifiers(columns) if columns else sql.SQL("*")
        query = sql.SQL("SELECT {} FROM {}").format(cols, target)
        if order_by:
            keys = [k.strip() for k in order_by.split(",") if k.strip()]
            query = sql.SQL("{} ORDER BY {}").format(query, _identifiers(keys))
        return list(conn.execute(query))


def insert_rows(uri: str, table: str, rows: list[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts of column → value) into ``table``; JSON/JSONB values are adapted. Returns the count."""
    if not rows:
        return 0
    with connect(uri) as conn, translated(f"Inserting rows into {table}"):
        regclass = _resolve(conn, table)
        types = {r[0]: r[1] for r in conn.execute(_COLUMNS, [regclass])}
        with conn.transaction():
            for row in rows:
                unknown = [c for c in row if c not in types]
                if unknown:
                    raise DatabaseError(f"Table {table} has no column {unknown[0]}.")
                values = [_adapt(v, types[c]) for c, v in row.items()]
                query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.SQL(regclass), _identifiers(list(row)), sql.SQL(", ").join(sql.Placeholder() * len(row)))
                conn.execute(query, values)
    return len(rows)


def _adapt(value: Any, type_name: str) -> Any:
    if value is None:
        return None
    if type_name == "jsonb":
        return Jsonb(value)
    if type_name == "json":
        return Json(value)
    return value
