"""dump_schema / diff_schemas: creation order does not count, a column (and its position) does."""

from __future__ import annotations

from attune_tui.db.schema import diff_schemas, dump_schema, normalise_dump
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

from .helpers import chain, query

TABLES = {
    "enum": "CREATE TYPE mood AS ENUM ('low', 'high');",
    "a": "CREATE TABLE a (id bigserial PRIMARY KEY, label text NOT NULL, m mood DEFAULT 'low');",
    "b": "CREATE TABLE b (id int PRIMARY KEY, a_id bigint REFERENCES a (id));",
    "idx": "CREATE INDEX b_a ON b (a_id);",
    "fn": "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n  -- keep; me\n  RETURN NEW;\nEND $$;",
    "trg": "CREATE TRIGGER b_touch BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION touch();",
}


def _schema(pg_server, statements: list[str], via_sqlx: bool = False) -> str:
    with throwaway_database(pg_server, "schema") as uri:
        if via_sqlx:
            apply_chain(uri, chain({f"{i + 1}_s.sql": s for i, s in enumerate(statements)}))
        else:
            query(uri, "\n".join(statements))
        return dump_schema(pg_server, uri)


def test_same_ddl_in_another_order_dumps_the_same(pg_server):
    forward = _schema(pg_server, [TABLES[k] for k in ("enum", "a", "b", "idx", "fn", "trg")])
    backward = _schema(pg_server, [TABLES[k] for k in ("fn", "enum", "a", "b", "trg", "idx")], via_sqlx=True)
    assert diff_schemas(forward, backward) == []
    assert "_sqlx_migrations" not in backward and "\\restrict" not in forward
    assert "-- keep; me" in forward  # comments inside function bodies are code, and kept


def test_a_different_column_shows_in_the_diff(pg_server):
    base = _schema(pg_server, [TABLES["enum"], TABLES["a"]])
    other = _schema(pg_server, [TABLES["enum"], TABLES["a"].replace("label text NOT NULL", "title text NOT NULL")])
    diff = diff_schemas(base, other)
    assert "-    label text NOT NULL," in diff and "+    title text NOT NULL," in diff


def test_column_order_counts(pg_server):
    one = _schema(pg_server, ["CREATE TABLE t (x int, y text);"])
    two = _schema(pg_server, ["CREATE TABLE t (y text, x int);"])
    assert diff_schemas(one, two) != []


def test_normalise_drops_session_noise_and_sorts():
    dump = ("--\n-- PostgreSQL database dump\n--\n\n\\restrict abc123\n\nSET statement_timeout = 0;\n"
            "SELECT pg_catalog.set_config('search_path', '', false);\n\n"
            "CREATE TABLE public.z (\n    a integer\n);   \n\n\n-- Name: y\n"
            "CREATE TABLE public.y (\n    b text\n);\n\nCREATE TABLE public._sqlx_migrations (\n    v bigint\n);\n"
            "ALTER TABLE ONLY public._sqlx_migrations\n    ADD CONSTRAINT _sqlx_migrations_pkey PRIMARY KEY (v);\n"
            "\n\\unrestrict abc123\n")
    assert normalise_dump(dump) == ("CREATE TABLE public.y (\n    b text\n);\n\n"
                                    "CREATE TABLE public.z (\n    a integer\n);\n")
