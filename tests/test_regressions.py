"""Engine bugs found by the differential test (tests/test_differential.py), each kept as a fixed case.

Every case is the shrunk legacy chain and plan that once failed; it is
consolidated and both chains are applied to real databases, whose schemas
must be equal (the same check the differential test makes).
"""

from __future__ import annotations

import pytest

from .strategies import PlanDraw
from .test_differential import check_case

ONE = PlanDraw(["0001_all.sql"], [], [])


def per_file(n: int) -> PlanDraw:
    return PlanDraw([f"{i + 1:04d}_t.sql" for i in range(n)], list(range(n)), [])


CASES: dict[str, tuple[list[list[str]], PlanDraw]] = {
    # CREATE TABLE merges a UNIQUE that repeats another key's columns (the primary key too); ALTER TABLE does not.
    "repeated_unique_key": ([
        ["CREATE TABLE t (id BIGSERIAL PRIMARY KEY, a INT NOT NULL, b VARCHAR(64), UNIQUE (a, b));"],
        ["ALTER TABLE t ADD CONSTRAINT uq_1 UNIQUE (a, b);", "ALTER TABLE t ADD CONSTRAINT uq_2 UNIQUE (a, b);",
         "ALTER TABLE t ADD CONSTRAINT uq_id UNIQUE (id);", "ALTER TABLE t ADD COLUMN c INT UNIQUE;",
         "ALTER TABLE t ADD UNIQUE (c);"],
    ], ONE),
    # A kept INSERT runs against the folded table: a NOT NULL column whose default was dropped later broke it.
    "insert_then_drop_default": ([
        ["CREATE TABLE account (\n    id BIGSERIAL PRIMARY KEY\n);"], ["INSERT INTO account DEFAULT VALUES;"],
        ["ALTER TABLE account ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;"],
        ["ALTER TABLE account ALTER COLUMN active DROP DEFAULT;"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0, 1], [])),
    # ... an INSERT naming a column dropped later ...
    "insert_then_drop_column": ([
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY, qty INT UNIQUE CHECK (qty > 0), rank INT);",
         "INSERT INTO account (qty, rank)\nVALUES (2, 4);", "ALTER TABLE account DROP qty;"],
    ], ONE),
    # ... or renamed later (the index on it keeps working under its new name).
    "insert_then_rename_column": ([
        ["CREATE TABLE note (id BIGSERIAL PRIMARY KEY, active BOOLEAN NOT NULL, rank INTEGER NOT NULL);",
         "INSERT INTO note (active, rank) VALUES (true, 4);"],
        ["CREATE INDEX idx_note_7 ON note (active);", "ALTER TABLE note RENAME active TO other;",
         "COMMENT ON COLUMN note.other IS 'x';"],
    ], per_file(2)),
    # PostgreSQL 18 names NOT NULL constraints and keeps the name on rename, the one a primary key implies too.
    "rename_keeps_not_null_names": ([
        ["CREATE TABLE event (k INT PRIMARY KEY, config JSONB NOT NULL DEFAULT '{}'::jsonb, n INT);",
         "CREATE TABLE pair (a INT, b INT, PRIMARY KEY (a, b));", "ALTER TABLE event ALTER COLUMN n SET NOT NULL;"],
        ["ALTER TABLE event RENAME COLUMN config TO renamed;", "ALTER TABLE event RENAME k TO key;",
         "ALTER TABLE event RENAME n TO m;", "ALTER TABLE pair RENAME a TO first;"],
    ], ONE),
    # A serial column's sequence keeps its old name: that rename stays an ALTER.
    "rename_serial_column": ([
        ["CREATE TABLE t (id BIGSERIAL PRIMARY KEY, n INT GENERATED ALWAYS AS IDENTITY);"],
        ["ALTER TABLE t RENAME COLUMN id TO t_id;", "ALTER TABLE t RENAME COLUMN n TO m;",
         "ALTER TABLE t ALTER COLUMN t_id SET DEFAULT 0;", "CREATE TABLE u (t BIGINT REFERENCES t(t_id));"],
    ], per_file(2)),
    # ... so a foreign key written after that rename goes after it, also when its table comes earlier.
    "foreign_key_after_kept_rename": ([
        ["CREATE TABLE note (id BIGSERIAL PRIMARY KEY, link BIGINT);"],
        ["CREATE TABLE tag (id BIGSERIAL PRIMARY KEY);", "ALTER TABLE tag RENAME COLUMN id TO tag_key;"],
        ["ALTER TABLE note ADD CONSTRAINT note_link_fkey FOREIGN KEY (link) REFERENCES tag(tag_key);",
         "ALTER TABLE tag ADD COLUMN other BIGINT REFERENCES tag(tag_key);",
         "CREATE TABLE late (id BIGSERIAL PRIMARY KEY, tag BIGINT REFERENCES tag (tag_key));"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0], [])),
    # A folded rename rewrites an index on the column; dropping or renaming the column again must still find it.
    "index_on_a_renamed_column": ([
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY, rank INT, n INT, m INT);",
         "CREATE INDEX idx_rank ON account (rank);", "CREATE INDEX idx_n ON account (n);",
         "CREATE INDEX idx_m ON account (id) WHERE m > 0;"],
        ["ALTER TABLE account RENAME rank TO alias;", "ALTER TABLE account DROP alias;",
         "ALTER TABLE account RENAME n TO n2;", "ALTER TABLE account RENAME COLUMN n2 TO n3;",
         "ALTER TABLE account RENAME m TO m2;", "ALTER TABLE account DROP COLUMN m2;"],
    ], per_file(2)),
    # A table is created calling a function; after rows were inserted a kept ALTER stops that, then the function
    # is dropped: the drop stays too, after the ALTER (the function is emitted, then dropped).
    "drop_of_a_function_a_table_called": ([
        ["CREATE FUNCTION fn_1()\nRETURNS integer AS $fn$\nBEGIN\n    RETURN 1;\nEND;\n$fn$ LANGUAGE plpgsql;",
         "CREATE FUNCTION fn_2() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;"],
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY, rank INT DEFAULT fn_1(), n INT CHECK (n < fn_2() * 10));",
         "INSERT INTO account (rank, n) VALUES (4, 1);", "ALTER TABLE account ALTER COLUMN rank SET DEFAULT 5;",
         "ALTER TABLE account DROP COLUMN n;"],
        ["DROP FUNCTION IF EXISTS fn_1();", "DROP FUNCTION fn_2;"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 1], [])),
    # A kept rename of a referenced column (a serial key; a seeded table's) renames it in other tables'
    # foreign keys too: a table emitted after the rename (a later target) names the new column; one emitted
    # before it keeps its key inline with the old name (a kept DROP COLUMN of the key's column may follow).
    "foreign_key_before_kept_rename": ([
        ["CREATE TABLE item (id BIGSERIAL PRIMARY KEY, parent BIGINT REFERENCES item(id));",
         "CREATE TABLE owner (k INT PRIMARY KEY);", "INSERT INTO owner (k) VALUES (1);",
         ("CREATE TABLE note (id BIGSERIAL PRIMARY KEY, ref BIGINT REFERENCES item(id), o INT REFERENCES owner(k), "
          "r2 BIGINT, CONSTRAINT fk_r2 FOREIGN KEY (r2) REFERENCES item (id));"),
         "CREATE TABLE gone (id BIGSERIAL PRIMARY KEY, r BIGINT REFERENCES item(id));",
         "INSERT INTO gone (r) VALUES (NULL);", "ALTER TABLE gone DROP COLUMN r;"],
        ["CREATE TABLE late (id BIGSERIAL PRIMARY KEY, ref BIGINT REFERENCES item(id), o INT REFERENCES owner (k));"],
        ["ALTER TABLE item RENAME COLUMN id TO item_key;", "ALTER TABLE owner RENAME k TO owner_key;",
         "CREATE TABLE last (i BIGINT REFERENCES item(item_key), o INT REFERENCES owner(owner_key));"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0], [])),
    # ... and in the foreign keys of kept statements (NOT VALID, after rows), as they land before or after it.
    "kept_foreign_key_before_kept_rename": ([
        ["CREATE TABLE item (id BIGSERIAL PRIMARY KEY);", "CREATE TABLE pre (id BIGSERIAL PRIMARY KEY, r BIGINT);",
         "ALTER TABLE pre ADD CONSTRAINT fk_pre FOREIGN KEY (r) REFERENCES item(id) NOT VALID;"],
        ["CREATE TABLE note (id BIGSERIAL PRIMARY KEY, r BIGINT);", "INSERT INTO note DEFAULT VALUES;",
         "ALTER TABLE note ADD COLUMN t BIGINT REFERENCES item (id);",
         "ALTER TABLE note ADD CONSTRAINT fk_r FOREIGN KEY (r) REFERENCES item(id) NOT VALID;"],
        ["ALTER TABLE item RENAME COLUMN id TO item_key;"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0], [])),
    # Renaming a referenced column renames it in the foreign keys that name it.
    "rename_referenced_column": ([
        ["CREATE TABLE a (id INT PRIMARY KEY, code TEXT UNIQUE, n INT, UNIQUE (id, n));",
         "CREATE TABLE b (c TEXT REFERENCES a(code), i INT, m INT, FOREIGN KEY (i, m) REFERENCES a (id, n));"],
        ["ALTER TABLE a RENAME code TO k;", "ALTER TABLE a RENAME COLUMN n TO n2;"],
    ], per_file(2)),
    # An index pinned to a target before its table's moves after the table; its comment must move with it.
    "comment_follows_its_moved_index": ([
        ["CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;"],
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY);", "CREATE INDEX idx_account ON account (id DESC);",
         "COMMENT ON INDEX idx_account IS 'what it holds';"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1], [])),
    # A kept statement naming a column (a repeated key stays an ALTER) must run before that column's rename.
    "rename_after_kept_statement_naming_the_column": ([
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY, rank INTEGER DEFAULT 1 UNIQUE, n INT UNIQUE);",
         "ALTER TABLE account ADD CONSTRAINT uq_1 UNIQUE (rank), ADD CONSTRAINT uq_2 UNIQUE (n);"],
        ["ALTER TABLE account RENAME COLUMN rank TO alias;", "ALTER TABLE account DROP COLUMN n;"],
        ["ALTER TABLE account DROP CONSTRAINT uq_1;", "ALTER TABLE account ADD UNIQUE (alias);"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 0, 1], [])),
    # DROP ... IF EXISTS of a constraint a kept statement made (after rows were inserted) is not a no-op.
    "drop_if_exists_of_what_a_kept_statement_made": ([
        ["CREATE TABLE item (id BIGSERIAL PRIMARY KEY, created TIMESTAMPTZ NOT NULL);",
         "INSERT INTO item (created) VALUES (now());",
         "ALTER TABLE item ADD COLUMN IF NOT EXISTS code TEXT UNIQUE CHECK (char_length(code) > 0);"],
        ["ALTER TABLE item DROP CONSTRAINT IF EXISTS item_code_key;", "ALTER TABLE item DROP COLUMN IF EXISTS gone;"],
    ], per_file(2)),
    # A table dropped later that a kept statement uses is created, used and dropped, as in the legacy chain.
    "drop_of_what_a_kept_statement_uses": ([
        ["CREATE TABLE a (id BIGSERIAL PRIMARY KEY);", "CREATE TABLE b (id BIGSERIAL PRIMARY KEY, y BIGINT);",
         "INSERT INTO b DEFAULT VALUES;", "ALTER TABLE b ADD COLUMN x BIGINT REFERENCES a(id);",
         "ALTER TABLE b ADD CONSTRAINT fk_y FOREIGN KEY (y) REFERENCES a(id) NOT VALID;"],
        ["DROP TABLE a CASCADE;"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [1, 0], [])),
    # ... an enum type too, whose kept RENAME VALUE needs it.
    "drop_of_a_type_a_kept_rename_value_uses": ([
        ["CREATE TYPE mood AS ENUM ('blue');", "ALTER TYPE mood ADD VALUE 'low';"],
        ["ALTER TYPE mood RENAME VALUE 'low' TO 'mid';"], ["DROP TYPE mood;"],
    ], per_file(3)),
    # Kept RENAME VALUEs stay in order with the type, even from files assigned to an earlier target; values
    # added next to a renamed label land next to it; a label freed by a rename and added again stays an ALTER.
    "enum_value_renames": ([
        ["CREATE TYPE level AS ENUM ('new', 'red');", "ALTER TYPE level RENAME VALUE 'red' TO 'high';",
         "CREATE TABLE owner (id BIGSERIAL PRIMARY KEY, kind level DEFAULT 'new');"],
        ["ALTER TYPE level ADD VALUE 'x' BEFORE 'high';", "ALTER TYPE level ADD VALUE 'red' AFTER 'new';",
         "ALTER TYPE level RENAME VALUE 'high' TO 'done';", "ALTER TYPE level ADD VALUE IF NOT EXISTS 'done';",
         "ALTER TYPE level ADD VALUE 'y' AFTER 'done';"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [1, 0], [])),
    # After a value added by a kept ALTER TYPE, later values cannot be placed by the folded list: kept too.
    "enum_value_after_a_kept_value": ([
        ["CREATE TYPE mood AS ENUM ('low', 'old');", "ALTER TYPE mood ADD VALUE 'red' AFTER 'old';"],
        ["ALTER TYPE mood RENAME VALUE 'old' TO 'mid';", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'old' BEFORE 'red';",
         "ALTER TYPE mood RENAME VALUE 'mid' TO 'high';"],
        ["ALTER TYPE mood ADD VALUE 'new' AFTER 'old';", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'low';"],
    ], ONE),
    # An ALTER kept after rows were inserted, adding a column of an enum type a plan pins later, moves after it.
    "kept_add_column_follows_its_type": ([
        ["CREATE TABLE event (id BIGSERIAL PRIMARY KEY);", "CREATE TYPE phase AS ENUM ('blue');",
         "INSERT INTO event DEFAULT VALUES;"],
        ["ALTER TABLE event ADD COLUMN kind phase;"],
    ], per_file(2)),
    # An inline CHECK names the column it sits on; renaming the column must rename it there too.
    "rename_column_in_inline_check": ([
        [("CREATE TABLE item (id BIGSERIAL PRIMARY KEY, qty BIGINT DEFAULT 1 CHECK (qty > 0), "
          "w INT CONSTRAINT w_ok CHECK (w > 0 AND qty < 100));")],
        ["ALTER TABLE item RENAME COLUMN qty TO renamed;", "ALTER TABLE item RENAME w TO qty;"],
    ], per_file(2)),
    # A quoted default keeps the type it was read as (``'a'::text``) when the column's type changes later.
    "type_change_keeps_default_literal_type": ([
        [("CREATE TABLE owner (id BIGSERIAL PRIMARY KEY, title TEXT DEFAULT 'it''s', code VARCHAR(64) DEFAULT 'x', "
          "n INT DEFAULT 42, e TEXT DEFAULT E'a\\n', y TEXT DEFAULT 'y' || 'z');")],
        [("ALTER TABLE owner ALTER COLUMN title TYPE VARCHAR(64), ALTER COLUMN code TYPE TEXT,\n"
          "    ALTER COLUMN n TYPE BIGINT, ALTER COLUMN e TYPE VARCHAR(10), ALTER COLUMN y TYPE VARCHAR(10);"),
         "ALTER TABLE owner ALTER COLUMN code SET DATA TYPE VARCHAR(5);"],
    ], ONE),
    # A column kept as an ALTER (rows came first) whose DEFAULT calls a function the plan puts in a later
    # target moves after the function, and the table's later kept statements move with it.
    "kept_alter_follows_the_function_it_calls": ([
        ["CREATE TABLE account (id BIGSERIAL PRIMARY KEY);", "INSERT INTO account DEFAULT VALUES;"],
        ["CREATE FUNCTION fn_7() RETURNS integer AS $fn$ BEGIN RETURN 1; END; $fn$ LANGUAGE plpgsql;"],
        ["ALTER TABLE account ADD rank INT DEFAULT fn_7();", "INSERT INTO account (rank) VALUES (5);"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0], [])),
    # A foreign key moved to a later target (where its table is) must exist before a kept DROP of its column.
    "kept_drop_follows_its_moved_foreign_key": ([
        ["CREATE TABLE b (id BIGSERIAL PRIMARY KEY);"],
        ["CREATE TABLE a (id BIGSERIAL PRIMARY KEY, b_id BIGINT REFERENCES b(id), c_id BIGINT,\n"
         "    CONSTRAINT a_c_fk FOREIGN KEY (c_id) REFERENCES b(id));",
         "INSERT INTO a DEFAULT VALUES;", "ALTER TABLE a DROP COLUMN b_id;", "ALTER TABLE a RENAME c_id TO d_id;",
         "INSERT INTO a (d_id) VALUES (NULL);"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [1, 0], [])),
    # A rename kept because a view names the column follows the view when the plan puts the view later.
    "kept_rename_follows_the_view_naming_the_column": ([
        ["CREATE TABLE t (id BIGSERIAL PRIMARY KEY, old_name TEXT);"],
        ["CREATE VIEW v AS SELECT id, old_name FROM t;"],
        ["ALTER TABLE t RENAME COLUMN old_name TO new_name;", "INSERT INTO t (new_name) VALUES ('x');"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0], [])),
    # An index naming a column a kept rename gave its name follows the rename when the plan pins it later.
    "index_follows_the_kept_rename_it_names": ([
        ["CREATE TABLE IF NOT EXISTS owner (id BIGSERIAL PRIMARY KEY);"],
        ["ALTER TABLE owner RENAME COLUMN id TO owner_key3;"],
        ["CREATE INDEX IF NOT EXISTS idx_owner_8 ON owner (owner_key3);", "COMMENT ON COLUMN owner.owner_key3 IS 'k';"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 0, 0], [])),
    # A type with kept statements (here a RENAME VALUE) is not hoisted to an earlier target that uses it:
    # they would stay behind.  Pinned there by the plan, it takes them along (unpinned: see below).
    "pinned_type_takes_its_kept_rename_value": ([
        ["CREATE TABLE IF NOT EXISTS item (id BIGSERIAL PRIMARY KEY);"],
        ["CREATE TYPE mood AS ENUM ('low');", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'mid';"],
        ["DROP TABLE IF EXISTS item;", "ALTER TYPE mood RENAME VALUE 'low' TO 'high';"],
        ["CREATE TABLE IF NOT EXISTS account (id BIGSERIAL PRIMARY KEY, state mood);",
         "INSERT INTO account (state)\nVALUES ('high');"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 0, 0], [])),
    # A value added after kept renames that used its label (low → mid → low, then ADD 'mid') stays an ALTER:
    # written into the CREATE TYPE it would exist while the renames run.
    "enum_value_added_after_renames_through_its_label": ([
        ["CREATE TYPE mood AS ENUM ('low');"],
        ["ALTER TYPE mood RENAME VALUE 'low' TO 'mid';", "ALTER TYPE mood RENAME VALUE 'mid' TO 'low';",
         "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'mid';"],
    ], ONE),
    # A default naming an enum label that kept renames made (or moved) is not folded into the CREATE TABLE,
    # which runs before them: the ALTER stays, after the renames.
    "default_with_a_label_kept_renames_make": ([
        ["CREATE TYPE mood AS ENUM ('low', 'mid');",
         "CREATE TABLE IF NOT EXISTS account (id BIGSERIAL PRIMARY KEY, state mood, meta JSONB);"],
        ["ALTER TYPE mood RENAME VALUE 'low' TO 'high';", "ALTER TYPE mood RENAME VALUE 'mid' TO 'low';",
         "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'mid';"],
        ["ALTER TABLE account ADD config JSONB,\n    ALTER COLUMN state SET DEFAULT 'high';",
         "ALTER TABLE account ADD other mood DEFAULT 'low';"],
    ], ONE),
    # A table made with an enum label before a kept RENAME VALUE renames it, but put in a later target by the
    # plan: the rename follows the table.
    "label_rename_follows_a_table_made_with_the_old_label": ([
        ["CREATE TYPE mood AS ENUM ('low', 'mid');"],
        ["CREATE TABLE IF NOT EXISTS tag (id BIGSERIAL PRIMARY KEY, state mood DEFAULT 'low');"],
        ["ALTER TYPE mood RENAME VALUE 'low' TO 'high';",
         "CREATE TABLE later (id BIGSERIAL PRIMARY KEY, state mood DEFAULT 'high');"],
    ], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1, 1], [])),
}

# An index or a column comment made before a kept RENAME or DROP of its column and pinned in a later
# target: the kept ALTER (and the table's later kept statements) follow it there.
_PINNED_USERS = ([
    ["CREATE TABLE IF NOT EXISTS account (id BIGSERIAL PRIMARY KEY, meta JSONB, active BOOLEAN);",
     "CREATE INDEX IF NOT EXISTS idx_account_9 ON account (id);", "CREATE INDEX idx_meta ON account USING gin (meta);",
     "COMMENT ON COLUMN account.meta IS 'm';"],
    ["ALTER TABLE account RENAME COLUMN id TO account_key10;", "INSERT INTO account DEFAULT VALUES;",
     "ALTER TABLE account DROP COLUMN meta;"],
], PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 0], []))
CASES["kept_rename_follows_a_pinned_index"] = _PINNED_USERS
CASES["kept_drop_follows_a_pinned_index"] = _PINNED_USERS
CASES["kept_drop_follows_a_pinned_column_comment"] = _PINNED_USERS


OVERRIDES = {"kept_rename_follows_a_pinned_index": {"index:idx_account_9": "0002_b.sql"},
             "kept_drop_follows_a_pinned_index": {"index:idx_meta": "0002_b.sql"},
             "kept_drop_follows_a_pinned_column_comment": {"comment:column:account.meta": "0002_b.sql"},
             "pinned_type_takes_its_kept_rename_value": {"type:mood": "0001_a.sql"},
             "index_follows_the_kept_rename_it_names": {
                 "statement:20250101000002_step_2.sql@alter_table owner": "0002_b.sql"},
             "comment_follows_its_moved_index": {"index:idx_account": "0001_a.sql"},
             "kept_add_column_follows_its_type": {"type:phase": "0002_t.sql"}}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_case_builds_the_legacy_schema(pg_server, case: str):
    files, pd = CASES[case]
    if not pd.assign:
        pd = PlanDraw(pd.targets, [0] * len(files), pd.overrides)
    assert check_case(pg_server, files, pd, say=lambda _: None, overrides=OVERRIDES.get(case, {})) == "equal"


def test_renamed_reference_follows_the_plan_as_it_changes():
    """Where a key lands relative to a kept rename decides the name it uses; an incremental re-layout agrees."""
    from .core.helpers import body, consolidate

    a, b, c = "20250101000001_a.sql", "20250101000002_b.sql", "20250101000003_c.sql"
    files = {a: "CREATE TABLE item (id BIGSERIAL PRIMARY KEY);",
             b: "CREATE TABLE note (id BIGSERIAL PRIMARY KEY, ref BIGINT REFERENCES item(id));\n"
                "INSERT INTO note (ref) VALUES (NULL);\n"
                "ALTER TABLE note ADD CONSTRAINT fk_2 FOREIGN KEY (ref) REFERENCES item(id) NOT VALID;",
             c: "ALTER TABLE item RENAME COLUMN id TO item_key;"}
    cons = consolidate(files, {"0001_x.sql": [a, b, c], "0002_y.sql": []})
    rename = next(k for k in cons.catalog.objects if k.startswith("statement:") and "RENAME" in cons.catalog.objects[k].text)
    first = body(cons, "0001_x.sql")
    assert first.count("REFERENCES item(id)") == 2 and "item(item_key)" not in first
    cons.assign(b, "0002_y.sql")  # the table and its kept key now come after the rename
    second = body(cons, "0002_y.sql")
    assert second.count("REFERENCES item(item_key)") == 2 and "item(id)" not in second
    cons.assign(b, "0001_x.sql")
    cons.override(rename, "0002_y.sql")  # only the rename moves: everything before it keeps the old name
    first = body(cons, "0001_x.sql")
    assert first.count("REFERENCES item(id)") == 2 and "item_key" not in first
    fresh = consolidate(files, {"0001_x.sql": [a, b, c], "0002_y.sql": []}, overrides={rename: "0002_y.sql"})
    assert [f.text for f in cons.render_all()] == [f.text for f in fresh.render_all()]


def test_type_with_kept_statements_is_not_hoisted_but_refused_plainly(pg_server):
    """Unpinned, the type stays in its file's later target: the table using it earlier is a forward reference."""
    files, pd = CASES["pinned_type_takes_its_kept_rename_value"]
    assert check_case(pg_server, files, pd, say=lambda _: None) == "refused: forward-reference"
