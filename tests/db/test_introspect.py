"""introspect + diff_models on a real PostgreSQL: each attribute family is seen when it differs.

Most cases build a small schema, read it, change one thing with DDL, read it
again and expect exactly the one difference (so a change that leaks into other
attributes, or an attribute that is not read, fails).  The bundled chains are
applied once per module.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attune_tui.core.loader import load_history
from attune_tui.db.connect import connect
from attune_tui.db.introspect import compare_schemas, introspect, schema_fingerprint
from attune_tui.db.schemadiff import (
    ATTRIBUTES,
    Difference,
    SchemaModel,
    SchemaObject,
    counts,
    diff_models,
    failing,
    format_differences,
    mark_intended,
    unused_intended,
)
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

from .helpers import chain, query

ROOT = Path(__file__).resolve().parents[2]

# name: (schema SQL, one change, the differences expected as (object, attribute, old, new))
CHANGES = {
    "default": ("CREATE TABLE t (a int DEFAULT 1);", "ALTER TABLE t ALTER a SET DEFAULT 2;",
                [("column public.t.a", "default", "1", "2")]),
    "type_and_not_null": ("CREATE TABLE t (a int);", "ALTER TABLE t ALTER a TYPE bigint, ALTER a SET NOT NULL;",
                          [("column public.t.a", "type", "integer", "bigint"),
                           ("column public.t.a", "not_null", "false", "true")]),
    "on_delete_rule": (("CREATE TABLE p (id int PRIMARY KEY);\n"
                       "CREATE TABLE c (p int CONSTRAINT c_p_fkey REFERENCES p ON DELETE CASCADE);"),
                       ("ALTER TABLE c DROP CONSTRAINT c_p_fkey, "
                       "ADD CONSTRAINT c_p_fkey FOREIGN KEY (p) REFERENCES p ON DELETE SET NULL;"),
                       [("constraint public.c.c_p_fkey", "on_delete", "cascade", "set null")]),
    "check_definition": ("CREATE TABLE t (a int CONSTRAINT a_pos CHECK (a > 0));",
                         "ALTER TABLE t DROP CONSTRAINT a_pos, ADD CONSTRAINT a_pos CHECK (a >= 0);",
                         [("constraint public.t.a_pos", "definition", "CHECK ((a > 0))", "CHECK ((a >= 0))")]),
    "enum_value_order": ("CREATE TYPE e AS ENUM ('a', 'b');", "DROP TYPE e;\nCREATE TYPE e AS ENUM ('b', 'a');",
                         [("enum public.e", "values", "'a', 'b'", "'b', 'a'")]),
    "enum_value_added": ("CREATE TYPE e AS ENUM ('a', 'c');", "ALTER TYPE e ADD VALUE 'b' BEFORE 'c';",
                         [("enum public.e", "values", "'a', 'c'", "'a', 'b', 'c'")]),
    "column_order": ("CREATE TABLE t (x int, y text);", "DROP TABLE t;\nCREATE TABLE t (y text, x int);",
                     [("column public.t.x", "position", "1", "2"), ("column public.t.y", "position", "2", "1")]),
    "index_predicate": ("CREATE TABLE t (a int);\nCREATE INDEX i ON t (a) WHERE a > 0;",
                        "DROP INDEX i;\nCREATE INDEX i ON t (a) WHERE a > 1;",
                        [("index public.i", "predicate", "(a > 0)", "(a > 1)")]),
    "index_method_and_columns": ("CREATE TABLE t (a int, b jsonb);\nCREATE INDEX i ON t (a);",
                                 "DROP INDEX i;\nCREATE INDEX i ON t USING gin (b);",
                                 [("index public.i", "method", "btree", "gin"),
                                  ("index public.i", "columns", "a", "b")]),
    "trigger_added": (("CREATE TABLE t (a int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RETURN NEW; END $$;"),
                      "CREATE TRIGGER trg BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();",
                      [("trigger public.t.trg", "exists", None, "present")]),
    "function_body": ("CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x $$;",
                      "CREATE OR REPLACE FUNCTION f(x integer) RETURNS integer LANGUAGE sql AS $$ SELECT x + 1 $$;",
                      [("function public.f(integer)", "body", " SELECT x ", " SELECT x + 1 ")]),
    "sql_standard_body": ("CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;",
                          "CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 2; END;",
                          [("function public.g()", "body", "BEGIN ATOMIC\n SELECT 1;\nEND",
                            "BEGIN ATOMIC\n SELECT 2;\nEND")]),
    # keys, INCLUDE and WITH options read apart, even with a parenthesis inside a literal
    "index_options": (("CREATE TABLE t (a int, b text[]);\nCREATE INDEX i ON t (lower(b[1]) text_pattern_ops DESC, "
                      "(a + 1)) INCLUDE (b) WHERE b[1] <> '(x';"),
                      "ALTER INDEX i SET (fillfactor = 70);",
                      [("index public.i", "options", "INCLUDE (b)", "INCLUDE (b) WITH (fillfactor='70')")]),
    "comment": ("CREATE TABLE t (a int);", "COMMENT ON COLUMN t.a IS 'the a';",
                [("column public.t.a", "comment", None, "the a")]),
    "identity": ("CREATE TABLE t (id int GENERATED BY DEFAULT AS IDENTITY);",
                 "ALTER TABLE t ALTER id SET GENERATED ALWAYS;",
                 [("column public.t.id", "identity", "by default", "always")]),
    "generated": ("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);",
                  "ALTER TABLE t DROP COLUMN b;\nALTER TABLE t ADD COLUMN b int GENERATED ALWAYS AS (a * 3) STORED;",
                  [("column public.t.b", "generated", "(a * 2) stored", "(a * 3) stored")]),
    "collation": ("CREATE TABLE t (a text);", "ALTER TABLE t ALTER a TYPE text COLLATE \"C\";",
                  [("column public.t.a", "collation", None, 'pg_catalog."C"')]),
    "sequence": ("CREATE SEQUENCE s;", "ALTER SEQUENCE s INCREMENT 5;", [("sequence public.s", "increment", "1", "5")]),
    "view": ("CREATE VIEW v AS SELECT 1 AS x;", "CREATE OR REPLACE VIEW v AS SELECT 2 AS x;",
             [("view public.v", "definition", " SELECT 1 AS x;", " SELECT 2 AS x;")]),
    # an extension's own functions and types are not listed, only the extension
    "extension": ("CREATE TABLE t (a int);", "CREATE EXTENSION pg_trgm;",
                  [("extension pg_trgm", "exists", None, "present")]),
    # a dropped table is one difference, not one per column, constraint, index and trigger
    "table_dropped": (("CREATE TABLE t (id serial PRIMARY KEY, a text UNIQUE);\nCREATE INDEX t_a ON t (lower(a));\n"
                      "CREATE TABLE keep (id int);"),
                      "DROP TABLE t;",
                      [("table public.t", "exists", "present", None), ("sequence public.t_id_seq", "exists", "present", None)]),
}


def _tuples(diffs: list[Difference]) -> list[tuple[str, str, str | None, str | None]]:
    return [(d.object, d.attribute, d.old, d.new) for d in diffs]


def _fingerprint(uri: str) -> str:
    with connect(uri) as conn:
        digest = schema_fingerprint(conn)
        assert conn.execute("SHOW search_path").fetchone() == ('"$user", public',)  # left as it was
    return digest


@pytest.fixture(scope="module")
def scratch_db(pg_server) -> Iterator[str]:
    with throwaway_database(pg_server, "intro_changes") as uri:
        yield uri


@pytest.fixture
def clean_db(scratch_db: str) -> str:
    """The module's scratch database with an empty public schema (much quicker than a new database)."""
    query(scratch_db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    return scratch_db


@pytest.mark.parametrize("case", CHANGES)
def test_one_change_is_one_precise_difference(clean_db: str, case: str):
    schema, change, expected = CHANGES[case]
    query(clean_db, schema)
    before, digest = introspect(clean_db), _fingerprint(clean_db)
    assert diff_models(before, introspect(clean_db)) == []  # reading twice is stable
    assert _fingerprint(clean_db) == digest
    query(clean_db, change)
    after = introspect(clean_db)
    assert _tuples(diff_models(before, after)) == expected
    assert _fingerprint(clean_db) != digest  # whatever introspection sees, the server's digest sees too
    # and the other way round: old and new swap, "exists" included
    assert _tuples(diff_models(after, before)) == [(o, a, n, p) for o, a, p, n in expected]


def test_index_parts_are_read_apart(clean_db: str):
    query(clean_db, CHANGES["index_options"][0])
    index = introspect(clean_db).objects["index public.i"]
    assert (index.get("columns"), index.get("predicate")) == (
        "lower(b[1]) text_pattern_ops DESC, ((a + 1))", "(b[1] <> '(x'::text)")


SCHEMA = [
    "CREATE EXTENSION citext;",
    "CREATE TYPE mood AS ENUM ('low', 'high');",
    ("CREATE TABLE a (id bigserial PRIMARY KEY, label citext NOT NULL UNIQUE, m mood DEFAULT 'low',"
    " n int GENERATED ALWAYS AS IDENTITY, CHECK (label <> ''));"),
    "CREATE TABLE b (id int PRIMARY KEY, a_id bigint REFERENCES a (id) ON DELETE CASCADE);",
    "CREATE INDEX b_a ON b (a_id) WHERE a_id IS NOT NULL;",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
    "CREATE TRIGGER b_touch BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION touch();",
    "CREATE VIEW v AS SELECT id, label FROM a;",
    "COMMENT ON TABLE a IS 'the a'; COMMENT ON COLUMN b.a_id IS 'parent';",
]


def test_same_schema_in_another_order_and_through_sqlx_has_no_differences(pg_server):
    with throwaway_database(pg_server, "intro_fwd") as one, throwaway_database(pg_server, "intro_sqlx") as two:
        query(one, "\n".join(SCHEMA))
        order = [0, 5, 1, 2, 3, 6, 4, 8, 7]
        apply_chain(two, chain({f"{i + 1}_s.sql": SCHEMA[k] for i, k in enumerate(order)}))
        ma, mb = introspect(one), introspect(two)
        fa, fb = _fingerprint(one), _fingerprint(two)
    assert diff_models(ma, mb) == []
    assert fa == fb  # catalog rows in another order, _sqlx_migrations present: the same digest
    # _sqlx_migrations (table, columns, primary key) is not part of the model
    assert not [label for label in mb.objects if "_sqlx_migrations" in label]
    assert counts(ma) == counts(mb)
    c = counts(ma)
    assert (c["tables"], c["columns"], c["enum_types"], c["enum_values"], c["views"]) == (2, 6, 1, 2, 1)
    assert (c["primary_keys"], c["unique_constraints"], c["check_constraints"], c["foreign_keys"]) == (2, 1, 1, 1)
    assert (c["indexes"], c["functions"], c["triggers"], c["comments"]) == (1, 1, 1, 3)  # + public's own comment
    assert c["extensions"] == 2  # citext and the always-present plpgsql; citext's functions are not listed
    assert c["sequences"] == 2  # the bigserial's and the identity's


def test_model_details(fresh_db: str):
    query(fresh_db, "\n".join(SCHEMA) + "\nCREATE SEQUENCE loose; CREATE TABLE c (x bigint DEFAULT nextval('loose'));")
    m = introspect(fresh_db)
    obj = m.objects
    assert obj["column public.a.id"].get("serial") == "public.a_id_seq"
    assert obj["column public.a.id"].get("default") == "nextval('public.a_id_seq'::regclass)"
    assert obj["column public.c.x"].get("serial") is None  # nextval of a sequence it does not own
    assert obj["column public.a.n"].get("identity") == "always"
    assert obj["sequence public.a_n_seq"].get("owned_by") == "public.a.n (identity)"
    assert obj["column public.a.m"].get("type") == "public.mood"
    fk = obj["constraint public.b.b_a_id_fkey"]
    assert (fk.get("definition"), fk.get("references"), fk.get("on_delete")) == (
        "FOREIGN KEY (a_id) REFERENCES public.a(id)", "public.a", "cascade")
    assert "index public.a_pkey" not in obj  # reported through its constraint
    assert obj["index public.b_a"].parent == "table public.b"
    assert obj["trigger public.b.b_touch"].get("definition").endswith("EXECUTE FUNCTION public.touch()")
    assert not [label for label in obj if label.startswith("function") and "citext" in label]
    # JSON round trip
    again = SchemaModel.from_dict(json.loads(json.dumps(m.to_dict())))
    assert again == m and diff_models(again, m) == []


def test_intended_differences_are_marked_and_do_not_fail():
    diffs = [Difference("column public.t.a", "default", "1", "2"),
             Difference("column public.t.b", "exists", "present", None),
             Difference("index public.i", "predicate", "(a > 0)", None)]
    marked = mark_intended(diffs, [{"object": "column public.t.*", "attribute": "exists", "reason": "b retired"},
                                   {"object": "index public.i"},
                                   {"object": "table public.gone", "reason": "stale"}])
    assert [(d.intended, d.reason) for d in marked] == [(False, ""), (True, "b retired"), (True, "")]
    assert failing(marked) == [marked[0]]
    assert unused_intended(marked, [{"object": "table public.gone"}, {"object": "index *"}]) == [
        {"object": "table public.gone"}]
    text = format_differences(marked)
    assert text.startswith("3 schema differences from legacy to consolidated (2 intended):")
    assert "column public.t.a\n  default: 1 → 2\n" in text
    assert "column public.t.b\n  only in legacy   [intended: b retired]\n" in text
    assert "predicate: (a > 0) → (none)   [intended]" in text
    assert format_differences([]) == "No schema differences.\n"
    with pytest.raises(ValueError, match="needs an 'object' pattern"):
        mark_intended(diffs, [{"attribute": "default"}])
    with pytest.raises(ValueError, match="unknown keys: objekt"):
        mark_intended(diffs, [{"object": "x", "objekt": "y"}])


def test_a_changed_function_body_reads_as_a_line_diff():
    d = Difference("function public.f()", "body", "BEGIN\n  RETURN 1;\nEND", "BEGIN\n  RETURN 2;\nEND")
    text = format_differences([d])
    assert "  body:\n" in text and "    -  RETURN 1;\n    +  RETURN 2;\n" in text


@pytest.fixture(scope="module")
def bundled(pg_server) -> Iterator[tuple[str, str]]:
    """The legacy and the consolidated bundled chains, each applied once."""
    with throwaway_database(pg_server, "intro_legacy") as legacy, \
            throwaway_database(pg_server, "intro_consolidated") as consolidated:
        apply_chain(legacy, load_history(ROOT / "migrations.old").migrations, allow_duplicate_versions=True)
        apply_chain(consolidated, load_history(ROOT / "migrations").migrations)
        yield legacy, consolidated


def test_bundled_legacy_and_consolidated_chains_have_the_same_schema(bundled):
    legacy, consolidated = bundled
    a, b = introspect(legacy), introspect(consolidated)
    assert diff_models(a, b) == []
    assert _fingerprint(legacy) == _fingerprint(consolidated)  # 22 files of history against 13: same digest
    ca = counts(a)
    assert ca == counts(b)
    # the counts agree with information_schema, an independent reading of the catalog
    tables = query(legacy, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
                           "AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations'")[0][0]
    columns = query(legacy, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                            "AND table_name <> '_sqlx_migrations' AND table_name IN (SELECT table_name FROM "
                            "information_schema.tables WHERE table_type = 'BASE TABLE')")[0][0]
    assert (ca["tables"], ca["columns"]) == (tables, columns) and tables > 10
    assert ca["foreign_keys"] > 0 and ca["triggers"] > 0 and ca["functions"] > 0 and ca["enum_values"] > 0


def test_compare_schemas_reads_both_and_marks_intended(bundled, pg_server):
    legacy, _ = bundled
    with throwaway_database(pg_server, "intro_extra") as uri:
        apply_chain(uri, load_history(ROOT / "migrations").migrations)
        query(uri, "ALTER TABLE key ADD COLUMN note text; ALTER TABLE key ALTER COLUMN name SET DEFAULT 'n';")
        diffs, a, b = compare_schemas(legacy, uri, [{"object": "column public.key.note", "reason": "new"}])
    assert _tuples(diffs) == [("column public.key.name", "default", None, "'n'::text"),
                              ("column public.key.note", "exists", None, "present")]
    assert [d.intended for d in diffs] == [False, True] and len(failing(diffs)) == 1
    assert counts(b)["columns"] == counts(a)["columns"] + 1


def test_a_column_missing_from_a_consolidated_file_is_named(bundled, pg_server, tmp_path: Path):
    legacy, _ = bundled
    out = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", out)
    f = out / "20250101000009_keys_artifacts.sql"
    text = f.read_text()
    line = "    owner_pack_ref      TEXT,\n"
    assert text.count(line) == 1
    f.write_text(text.replace(line, ""))
    with throwaway_database(pg_server, "intro_dropped") as uri:
        apply_chain(uri, load_history(out).migrations)
        diffs = diff_models(introspect(legacy), introspect(uri))
    assert _tuples(diffs) == [("column public.key.owner_pack_ref", "exists", "present", None)]
    assert "column public.key.owner_pack_ref\n  only in legacy" in format_differences(diffs)


_NAMES = st.sampled_from(["a", "b", "c"])
_VALUES = st.one_of(st.none(), st.sampled_from(["1", "2", "x y", "line\nline"]))


@st.composite
def _models(draw) -> SchemaModel:
    """Small random models: tables with columns (positions a permutation) and indexes."""
    objects = []
    for t in draw(st.sets(_NAMES, max_size=3)):
        table = f"public.{t}"
        objects.append(SchemaObject("table", table, {"comment": draw(_VALUES)}))
        cols = draw(st.permutations(sorted(draw(st.sets(_NAMES, max_size=3)))))
        for pos, c in enumerate(cols, 1):
            attrs = {a: draw(_VALUES) for a in ("type", "default", "comment")}
            objects.append(SchemaObject("column", f"{table}.{c}", {**attrs, "position": str(pos)},
                                        parent=f"table {table}"))
        if draw(st.booleans()):
            objects.append(SchemaObject("index", f"public.{t}_idx", {"table": table, "predicate": draw(_VALUES)},
                                        parent=f"table {table}"))
    return SchemaModel.of(objects)


@settings(max_examples=100, deadline=None)
@given(_models(), _models())
def test_diff_properties(a: SchemaModel, b: SchemaModel):
    forward = diff_models(a, b)
    assert diff_models(a, a) == []
    # the same differences read backwards, in the same order
    assert _tuples(diff_models(b, a)) == [(o, at, n, p) for o, at, p, n in _tuples(forward)]
    assert forward == diff_models(a, b)  # deterministic
    assert all(d.attribute in ATTRIBUTES[d.object.split(" ")[0]] + ("exists",) for d in forward)
    # every object on one side only is reported, itself or through its missing parent
    reported = {d.object for d in forward if d.attribute == "exists"}
    for label in set(a.objects) ^ set(b.objects):
        obj = a.objects.get(label) or b.objects[label]
        assert label in reported or obj.parent in reported
    # no differences exactly when the models agree on everything but absolute column positions
    same = set(a.objects) == set(b.objects) and all(
        {k: v for k, v in a.objects[lab].attributes.items() if k != "position"}
        == {k: v for k, v in b.objects[lab].attributes.items() if k != "position"} for lab in a.objects)
    if not forward:
        assert same
    text = format_differences(forward)
    assert all(d.object in text for d in forward)
