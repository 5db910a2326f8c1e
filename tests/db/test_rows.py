"""fetch_rows / insert_rows / table_columns on real tables, JSONB included."""

from __future__ import annotations

import pytest

from attune_tui.db.errors import DatabaseError
from attune_tui.db.rows import fetch_rows, insert_rows, table_columns

from .helpers import query


def test_rows_round_trip_with_jsonb_and_arrays(fresh_db):
    query(fresh_db, "CREATE TABLE r (id serial PRIMARY KEY, name text NOT NULL, cfg jsonb, tags text[], "
                    "meta json DEFAULT '{}')")
    rows = [{"name": "b", "cfg": [], "tags": [], "meta": [1, "x"]},
            {"name": "a", "cfg": {"k": [1, 2], "n": None, "s": "é"}, "tags": ["x", "y"], "meta": None}]
    assert insert_rows(fresh_db, "r", rows) == 2
    got = fetch_rows(fresh_db, "r", ["name", "cfg", "tags", "meta"], order_by="name")
    assert got == sorted(rows, key=lambda r: r["name"])
    assert isinstance(got[0]["cfg"], dict) and isinstance(got[1]["cfg"], list)
    everything = fetch_rows(fresh_db, "r", order_by="id")
    assert list(everything[0]) == ["id", "name", "cfg", "tags", "meta"]  # table column order
    assert [r["id"] for r in everything] == [1, 2]


def test_table_columns_in_table_order_with_defaults(fresh_db):
    query(fresh_db, "CREATE TABLE c (z int DEFAULT 7, a varchar(10) NOT NULL, m jsonb DEFAULT '{}'::jsonb);"
                    "ALTER TABLE c DROP COLUMN a; ALTER TABLE c ADD COLUMN b timestamptz DEFAULT now()")
    assert table_columns(fresh_db, "c") == [("z", "integer", "7"), ("m", "jsonb", "'{}'::jsonb"),
                                            ("b", "timestamp with time zone", "now()")]


def test_schema_qualified_and_quoted_names(fresh_db):
    query(fresh_db, 'CREATE SCHEMA s; CREATE TABLE s."Odd Name" ("Key" text, v int)')
    insert_rows(fresh_db, 's."Odd Name"', [{"Key": "k2", "v": 2}, {"Key": "k1", "v": 1}])
    assert fetch_rows(fresh_db, 's."Odd Name"', order_by='Key') == [{"Key": "k1", "v": 1}, {"Key": "k2", "v": 2}]


def test_mistakes_are_one_sentence(fresh_db):
    query(fresh_db, "CREATE TABLE r (a int)")
    with pytest.raises(DatabaseError, match="Table nope does not exist"):
        fetch_rows(fresh_db, "nope")
    with pytest.raises(DatabaseError, match="has no column b"):
        insert_rows(fresh_db, "r", [{"a": 1}, {"b": 2}])
    assert query(fresh_db, "SELECT count(*) FROM r") == [(0,)]  # all or nothing
    with pytest.raises(DatabaseError, match=r"Reading rows of r failed: column \"zz\" does not exist \(SQLSTATE 42703\)"):
        fetch_rows(fresh_db, "r", order_by="zz")
