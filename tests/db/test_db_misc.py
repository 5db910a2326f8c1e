from urllib.parse import urlsplit

import psycopg
import pytest

from attune_tui.db.errors import DatabaseError
from attune_tui.db.extensions import MissingExtension, missing_extensions, require_extensions
from attune_tui.db.rows import fetch_rows, insert_rows
from attune_tui.db.schema import diff_schemas, dump_schema
from attune_tui.db.server import open_server
from attune_tui.db.throwaway import THROWAWAY_PREFIX, drop_database, throwaway_database


def run(uri, sql):
    with psycopg.connect(uri) as conn:
        conn.execute(sql)


def test_schema_dump_ignores_creation_order_but_not_a_column(pg_server):
    a_sql = "CREATE TABLE a (id int, x text); CREATE TABLE b (id int); CREATE INDEX ia ON a (x);"
    b_sql = "CREATE TABLE b (id int); CREATE TABLE a (id int, x text); CREATE INDEX ia ON a (x);"
    c_sql = "CREATE TABLE b (id int); CREATE TABLE a (id int); CREATE TABLE _sqlx_migrations (v int);"
    dumps = []
    for sql in (a_sql, b_sql, c_sql):
        with throwaway_database(pg_server, "schema") as uri:
            run(uri, sql)
            dumps.append(dump_schema(pg_server, uri))
    assert dumps[0] == dumps[1]
    diff = diff_schemas(dumps[0], dumps[2])
    assert any(line.startswith("-") and "x text" in line for line in diff)
    assert not any("_sqlx_migrations" in line for line in diff)


def test_rows_round_trip_with_jsonb_and_arrays(fresh_db):
    run(fresh_db, "CREATE TABLE r (id serial, name text, cfg jsonb, tags text[])")
    rows = [{"name": "a", "cfg": {"k": [1, 2], "n": None}, "tags": ["x", "y"]}, {"name": "b", "cfg": [], "tags": []}]
    insert_rows(fresh_db, "r", rows)
    got = fetch_rows(fresh_db, "r", ["name", "cfg", "tags"], order_by="name")
    assert got == rows
    with pytest.raises(ValueError, match="no column nope"):
        insert_rows(fresh_db, "r", [{"nope": 1}])


def test_missing_extensions_are_named(fresh_db):
    assert missing_extensions(fresh_db, ["pg_trgm", "no_such_ext_xyz"]) == ["no_such_ext_xyz"]
    with pytest.raises(MissingExtension, match="no_such_ext_xyz"):
        require_extensions(fresh_db, ["no_such_ext_xyz"])


def test_throwaway_databases_are_dropped_and_others_never(pg_server):
    with throwaway_database(pg_server, "gone") as uri:
        name = urlsplit(uri).path.lstrip("/")
        assert name.startswith(THROWAWAY_PREFIX + "gone_")
    with psycopg.connect(pg_server.admin_uri) as conn:
        assert conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0] == 0
    with pytest.raises(ValueError, match="refusing"):
        drop_database(pg_server, "postgres")


def test_remote_servers_are_refused_and_bad_urls_are_one_sentence():
    with pytest.raises(DatabaseError, match="non-local server db.example.com"):
        with open_server("postgresql://u@db.example.com/x"):
            pass
    with pytest.raises(DatabaseError, match="cannot connect to PostgreSQL at 127.0.0.1:1"):
        with open_server("postgresql://u@127.0.0.1:1/x"):
            pass
