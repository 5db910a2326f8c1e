"""Each folding rule, checked where it matters: the consolidated chain builds the legacy schema.

Every case is consolidated twice (all in one target, and one target per
legacy file in reverse-friendly groups), applied to real databases and
compared with ``pg_dump --schema-only``.
"""

from __future__ import annotations

import pytest

from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_files
from attune_tui.core.plan import Plan, Target
from attune_tui.db.schema import diff_schemas, dump_schema
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

CASES = {
    "add_column": ["CREATE TABLE t (id BIGSERIAL PRIMARY KEY, a TEXT);",
                   "ALTER TABLE t ADD COLUMN b JSONB NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN c INT UNIQUE;"],
    "add_then_drop_column": ["CREATE TABLE t (id INT, a TEXT);", "ALTER TABLE t ADD COLUMN tmp INT;\nCREATE INDEX i_tmp ON t (tmp);",
                             "ALTER TABLE t DROP COLUMN tmp;"],
    "drop_created_column": ["CREATE TABLE t (id INT, kind TEXT CHECK (kind <> ''), UNIQUE (id, kind));\nCOMMENT ON COLUMN t.kind IS 'k';",
                            "ALTER TABLE t DROP COLUMN kind;"],
    "create_then_drop_everything": ["CREATE TABLE a (id INT PRIMARY KEY);\nCREATE TABLE b (id INT, a INT REFERENCES a(id));\n"
                                    "CREATE TYPE e AS ENUM ('x');\nCREATE VIEW v AS SELECT id FROM b;\n"
                                    "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n"
                                    "CREATE TRIGGER tr BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION f();",
                                    "DROP VIEW v;\nDROP TABLE b;\nDROP TYPE e;\nDROP FUNCTION f();"],
    "function_versions": ["CREATE OR REPLACE FUNCTION f(a bigint) RETURNS bigint AS $$ SELECT a $$ LANGUAGE sql;\n"
                          "CREATE FUNCTION g(x int) RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
                          "CREATE OR REPLACE FUNCTION f(a bigint) RETURNS bigint AS $$ SELECT a + 1 $$ LANGUAGE sql;\n"
                          "DROP FUNCTION g(integer);\nCREATE FUNCTION g(x int, y jsonb DEFAULT '{}') RETURNS int AS $$ SELECT 2 $$ LANGUAGE sql;"],
    "alter_column": ["CREATE TABLE t (id INT, a VARCHAR(10) DEFAULT 'x', b TEXT NOT NULL, c INT);",
                     "ALTER TABLE t ALTER COLUMN a TYPE TEXT, ALTER COLUMN a SET DEFAULT 'y';\n"
                     "ALTER TABLE t ALTER COLUMN b DROP NOT NULL;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;\n"
                     "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;"],
    "rename_column": ["CREATE TABLE p (id INT PRIMARY KEY);\nCREATE TABLE t (id INT PRIMARY KEY, old TEXT UNIQUE, p INT REFERENCES p(id), CHECK (old <> ''));\n"
                      "CREATE INDEX i_old ON t (lower(old)) WHERE old IS NOT NULL;\nCOMMENT ON COLUMN t.old IS 'o';",
                      "ALTER TABLE t RENAME COLUMN old TO new;\nALTER TABLE t RENAME COLUMN p TO parent;"],
    "constraints": ["CREATE TABLE t (id INT, ref TEXT CONSTRAINT ref_fmt CHECK (ref ~ '^a'), n INT UNIQUE);",
                    "ALTER TABLE t DROP CONSTRAINT ref_fmt;\nALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0);\n"
                    "ALTER TABLE t DROP CONSTRAINT t_n_key;\nALTER TABLE t ADD PRIMARY KEY (id);"],
    "enum_values": ["CREATE TYPE s AS ENUM ('a', 'c');\nCREATE TABLE t (s s DEFAULT 'a');",
                    "ALTER TYPE s ADD VALUE 'b' BEFORE 'c';", "ALTER TYPE s ADD VALUE IF NOT EXISTS 'd' AFTER 'c';\nALTER TYPE s RENAME VALUE 'a' TO 'aa';"],
    "forward_reference": ["CREATE TABLE trigger (id BIGSERIAL PRIMARY KEY);\nCREATE TABLE sensor (id BIGSERIAL PRIMARY KEY, "
                          "trigger BIGINT NOT NULL REFERENCES trigger(id) ON DELETE CASCADE);",
                          "CREATE TABLE event (id INT PRIMARY KEY);", "ALTER TABLE event ADD COLUMN sensor BIGINT REFERENCES sensor(id) ON DELETE SET NULL;"],
    "kept_statements": ["CREATE TABLE t (id INT);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE SEQUENCE s START 5;\n"
                        "DO $$ BEGIN PERFORM 1; END $$;", "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 ADD COLUMN x INT;"],
    "data_noops": ["CREATE TABLE t (id INT, old TEXT);\nCREATE TABLE s (id INT);\nINSERT INTO s VALUES (1);",
                   "ALTER TABLE t ADD COLUMN cfg JSONB;\nUPDATE t SET cfg = to_jsonb(old);\nALTER TABLE t DROP COLUMN old;\n"
                   "INSERT INTO t (id) SELECT id FROM t;"],
}


def _chain(files: list[bytes], names: list[str]):
    return load_files(None, list(zip(names, files)))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("grouping", ["one", "per_file"])
def test_consolidated_chain_builds_the_same_schema(pg_server, case: str, grouping: str):
    sqls = CASES[case]
    names = [f"2025010100000{i + 1}_step{i + 1}.sql" for i in range(len(sqls))]
    history = _chain([s.encode() for s in sqls], names)
    if grouping == "one":
        plan = Plan(targets=[Target("0001_all.sql")], assign={n: "0001_all.sql" for n in names})
    else:
        plan = Plan(targets=[Target(f"000{i + 1}_t.sql") for i in range(len(names))],
                    assign={n: f"000{i + 1}_t.sql" for i, n in enumerate(names)})
    cons = Consolidation(history, plan)
    assert not cons.errors(), cons.errors()
    with throwaway_database(pg_server, "old") as old, throwaway_database(pg_server, "new") as new:
        apply_chain(old, history.migrations)
        apply_chain(new, cons.emitted_migrations())
        diff = diff_schemas(dump_schema(pg_server, old), dump_schema(pg_server, new))
    assert diff == [], "\n".join(diff)
