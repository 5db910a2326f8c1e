"""Each folding rule alone, then in combination, judged by the SQL it emits."""

from .helpers import body, consolidate


def one(*sqls: str, **kw) -> str:
    files = {f"2025010100000{i + 1}_m{i + 1}.sql": s for i, s in enumerate(sqls)}
    return body(consolidate(files, **kw))


def test_add_column_folds_into_create_table_in_order():
    out = one("CREATE TABLE t (\n    id BIGSERIAL PRIMARY KEY,\n    a TEXT\n);",
              "ALTER TABLE t ADD COLUMN b JSONB DEFAULT '{}'::jsonb;\nALTER TABLE t ADD COLUMN c INT;")
    assert "ALTER" not in out
    assert "CREATE TABLE t (\n    id BIGSERIAL PRIMARY KEY,\n    a TEXT,\n    b JSONB DEFAULT '{}'::jsonb,\n    c INT\n);" in out


def test_untouched_table_is_emitted_byte_for_byte():
    src = "CREATE TABLE t (\n    id   BIGSERIAL PRIMARY KEY, -- the key\n    data JSONB DEFAULT '{}'::jsonb\n);"
    assert one(src) == src


def test_added_then_dropped_column_vanishes():
    out = one("CREATE TABLE t (id INT);", "ALTER TABLE t ADD COLUMN tmp TEXT;", "ALTER TABLE t DROP COLUMN tmp;")
    assert "tmp" not in out and "CREATE TABLE t (\n    id INT\n);" in out


def test_created_column_dropped_later_takes_its_indexes_and_constraints():
    out = one("CREATE TABLE t (id INT, kind TEXT, CONSTRAINT kind_ok CHECK (kind <> ''));\n"
              "CREATE INDEX idx_t_kind ON t (kind);\nCREATE INDEX idx_t_id ON t (id);",
              "ALTER TABLE t DROP COLUMN kind;")
    assert "kind" not in out and "idx_t_id" in out


def test_create_then_drop_table_removes_it_and_what_depended_on_it():
    out = one("CREATE TABLE keep (id INT PRIMARY KEY);\nCREATE TABLE gone (id INT, k INT REFERENCES keep(id));\n"
              "CREATE INDEX idx_gone ON gone (k);\nCREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n"
              "CREATE TRIGGER trg BEFORE UPDATE ON gone FOR EACH ROW EXECUTE FUNCTION f();\nCOMMENT ON TABLE gone IS 'x';",
              "DROP TABLE gone;")
    assert "gone" not in out and "keep" in out and "CREATE FUNCTION f()" in out


def test_repeated_create_or_replace_function_keeps_final_body_at_first_position():
    out = one("CREATE TABLE a (id INT);\nCREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;",
              "CREATE TABLE b (id INT);",
              "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 3 $$ LANGUAGE sql;")
    assert "SELECT 1" not in out and out.count("FUNCTION f()") == 1 and "SELECT 3" in out
    assert out.index("FUNCTION f()") < out.index("CREATE TABLE b")


def test_drop_function_then_create_gives_the_new_definition_only():
    out = one("CREATE FUNCTION g(a bigint) RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n"
              "CREATE FUNCTION g(a bigint, b jsonb DEFAULT '{}') RETURNS int AS $$ SELECT 2 $$ LANGUAGE sql;",
              "DROP FUNCTION IF EXISTS g(BIGINT);\nDROP FUNCTION IF EXISTS g(BIGINT, JSONB);\n"
              "CREATE FUNCTION g(p_id BIGINT, p_cfg JSONB DEFAULT '{}') RETURNS int AS $$ SELECT 9 $$ LANGUAGE sql;")
    assert "SELECT 1" not in out and "SELECT 2" not in out and "SELECT 9" in out and "DROP" not in out


def test_alter_column_changes_fold_into_the_definition():
    out = one("CREATE TABLE t (id INT, a TEXT DEFAULT 'x', b TEXT NOT NULL, c VARCHAR(10));",
              "ALTER TABLE t ALTER COLUMN a SET DEFAULT 'y';\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n"
              "ALTER TABLE t ALTER COLUMN b DROP NOT NULL;\nALTER TABLE t ALTER COLUMN c TYPE TEXT USING c::text;\n"
              "ALTER TABLE t ALTER COLUMN b SET DEFAULT now()::text;\nALTER TABLE t ALTER COLUMN b DROP DEFAULT;")
    assert "a TEXT DEFAULT 'y' NOT NULL" in out
    assert "    b TEXT,\n" in out and "c TEXT\n" in out and "ALTER" not in out


def test_rename_column_uses_final_name_and_keeps_constraint_names():
    out = one("CREATE TABLE t (id INT PRIMARY KEY, old_name TEXT UNIQUE);\nCREATE INDEX idx_t_n ON t (old_name);",
              "ALTER TABLE t RENAME COLUMN old_name TO new_name;")
    assert "old_name" not in out.replace("t_old_name_key", "")
    assert "new_name TEXT CONSTRAINT t_old_name_key UNIQUE" in out
    assert "CREATE INDEX idx_t_n ON t (new_name);" in out


def test_add_and_drop_constraint():
    out = one("CREATE TABLE t (id INT, ref TEXT CONSTRAINT ref_fmt CHECK (ref ~ '^a'), n INT UNIQUE);",
              "ALTER TABLE t DROP CONSTRAINT ref_fmt;\nALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0);\n"
              "ALTER TABLE t DROP CONSTRAINT t_n_key;")
    assert "ref_fmt" not in out and "UNIQUE" not in out
    assert "CONSTRAINT n_pos CHECK (n > 0)" in out


def test_enum_add_value_folds_into_one_create_type_in_final_order():
    out = one("CREATE TYPE s AS ENUM ('a', 'c');", "ALTER TYPE s ADD VALUE 'b' BEFORE 'c';\nALTER TYPE s ADD VALUE 'd';\n"
              "ALTER TYPE s ADD VALUE IF NOT EXISTS 'a';")
    assert out == "CREATE TYPE s AS ENUM (\n    'a',\n    'b',\n    'c',\n    'd'\n);"


def test_enum_created_then_dropped_with_the_column_that_used_it():
    out = one("CREATE TYPE k AS ENUM ('x');\nCREATE TABLE t (id INT, kind k NOT NULL);\nCREATE INDEX idx_kind ON t (kind);",
              "ALTER TABLE t DROP COLUMN kind;\nDROP TYPE k;")
    assert out == "CREATE TABLE t (\n    id INT\n);"


def test_what_cannot_be_folded_is_kept_verbatim_in_order_with_a_warning():
    cons = consolidate({"20250101000001_a.sql": "CREATE TABLE t (id INT);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n"
                        "DO $$ BEGIN PERFORM 1; END $$;\nCREATE TABLE u (id INT);"})
    out = body(cons)
    assert out.index("CREATE TABLE t") < out.index("ENABLE ROW LEVEL SECURITY") < out.index("DO $$") < out.index("CREATE TABLE u")
    kept = [p for p in cons.problems() if p.code == "kept"]
    assert {p.line for p in kept} == {2, 3}


def test_data_on_extracted_table_leaves_the_migrations():
    from attune_tui.core.plan import Extraction

    cons = consolidate({"20250101000001_a.sql": "CREATE TABLE r (name TEXT);\nINSERT INTO r VALUES ('x');",
                        "20250101000002_b.sql": "UPDATE r SET name = 'y';\nDELETE FROM r WHERE false;"},
                       extract=[Extraction("r", "packs/r")])
    out = body(cons)
    assert "INSERT" not in out and "UPDATE" not in out and "DELETE" not in out
    assert {f.action for f in cons.fates().values()} == {"created", "extracted"}


def test_every_statement_gets_a_fate_and_provenance():
    cons = consolidate({"20250101000001_a.sql": "CREATE TABLE t (id INT);",
                        "20250101000002_b.sql": "-- why\nALTER TABLE t ADD COLUMN x INT;\nALTER TABLE t ADD COLUMN y INT;\nALTER TABLE t DROP COLUMN y;"})
    fates = cons.fates()
    assert [fates[s.seq].action for s in cons.replay.statements] == ["created", "folded", "folded", "folded"]
    piece = cons.render(cons.plan.targets[0].file).pieces[0]
    assert piece.sources == [("20250101000001_a.sql", 1), ("20250101000002_b.sql", 2),
                             ("20250101000002_b.sql", 3), ("20250101000002_b.sql", 4)]


def test_updates_of_tables_no_migration_fills_are_no_ops_and_leave():
    cons = consolidate({"20250101000001_a.sql": "CREATE TABLE t (id INT, old TEXT);\nCREATE TABLE s (id INT);\n"
                        "INSERT INTO s VALUES (1);",
                        "20250101000002_b.sql": "ALTER TABLE t ADD COLUMN cfg JSONB;\nUPDATE t SET cfg = to_jsonb(old);\n"
                        "ALTER TABLE t DROP COLUMN old;\nUPDATE s SET id = 2;"})
    out = body(cons)
    assert "UPDATE t" not in out and "INSERT INTO s VALUES (1);" in out and "UPDATE s SET id = 2;" in out
    fates = [cons.fates()[s.seq] for s in cons.replay.statements]
    assert "no-op on a fresh database" in fates[4].note


def test_table_rename_is_kept_in_place_and_later_statements_follow_it():
    cons = consolidate({"20250101000001_a.sql": "CREATE TABLE old (id INT);",
                        "20250101000002_b.sql": "ALTER TABLE old RENAME TO new;\nALTER TABLE new ADD COLUMN x INT;\n"
                                                "CREATE INDEX idx_new_x ON new (x);"},
                       {"0001.sql": ["20250101000001_a.sql"], "0002.sql": ["20250101000002_b.sql"]})
    out = body(cons, "0001.sql")
    assert out.index("CREATE TABLE old") < out.index("RENAME TO new") < out.index("idx_new_x")
    assert "x               INT" in out or "x INT" in out
    assert body(cons, "0002.sql") == ""
    assert any(p.code == "kept" and "RENAME" in p.message for p in cons.problems())


def test_constraint_added_using_an_index_or_not_valid_is_kept():
    out = one("CREATE TABLE t (id INT);\nCREATE UNIQUE INDEX t_id ON t (id);",
              "ALTER TABLE t ADD CONSTRAINT t_id_u UNIQUE USING INDEX t_id;\n"
              "ALTER TABLE t ADD CONSTRAINT t_pos CHECK (id > 0) NOT VALID;")
    assert "ALTER TABLE t ADD CONSTRAINT t_id_u UNIQUE USING INDEX t_id;" in out
    assert "CHECK (id > 0) NOT VALID;" in out and "CREATE TABLE t (id INT);" in out


def test_unique_repeating_another_keys_columns_stays_an_alter():
    """Inside CREATE TABLE PostgreSQL would merge it into the earlier key (found by the differential test)."""
    out = one("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, a INT UNIQUE, b INT, UNIQUE (a, b));",
              "ALTER TABLE t ADD CONSTRAINT uq_ab UNIQUE (a, b);\nALTER TABLE t ADD CONSTRAINT uq_a UNIQUE (a);\n"
              "ALTER TABLE t ADD CONSTRAINT uq_id UNIQUE (id);\nALTER TABLE t ADD CONSTRAINT uq_ba UNIQUE (b, a);")
    assert "ALTER TABLE t ADD CONSTRAINT uq_ab UNIQUE (a, b);" in out
    assert "ALTER TABLE t ADD CONSTRAINT uq_a UNIQUE (a);" in out
    assert "ALTER TABLE t ADD CONSTRAINT uq_id UNIQUE (id);" in out
    assert "CONSTRAINT uq_ba UNIQUE (b, a)\n);" in out  # other column order: a different key, folded


def test_column_changes_after_a_kept_insert_stay_in_order():
    """The INSERT runs against the folded table, so later column changes must not be folded before it."""
    out = one("CREATE TABLE t (id BIGSERIAL PRIMARY KEY, qty INT, c INT CONSTRAINT c_pos CHECK (c > 0));",
              "INSERT INTO t (qty) VALUES (1);",
              "ALTER TABLE t DROP COLUMN qty;\nALTER TABLE t ADD COLUMN on_ BOOLEAN NOT NULL DEFAULT TRUE;\n"
              "ALTER TABLE t DROP CONSTRAINT c_pos;")
    assert out.startswith("CREATE TABLE t (\n    id BIGSERIAL PRIMARY KEY,\n    qty INT,\n    c INT\n);")
    assert out.index("INSERT INTO t") < out.index("ALTER TABLE t DROP COLUMN qty;") < out.index("ADD COLUMN on_")


# --- the plain-text word search that stands in for a case-insensitive pattern --------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from attune_tui.core.rules import _has_word, _word  # noqa: E402

_ASCII_SQL = st.text(alphabet="aAbB_$1 ,.()'\"\n;-xX", max_size=60)


@given(_ASCII_SQL, st.text(alphabet="aAbB_$1xX", min_size=1, max_size=4))
def test_word_search_on_lowered_text_matches_the_pattern(text: str, name: str) -> None:
    assert _has_word(text.lower(), name.lower()) == (_word(name).search(text) is not None)


def test_kept_statement_naming_a_column_keeps_its_later_drop():
    out = one("CREATE TABLE t (id INT, Note TEXT, other TEXT);",
              "ALTER TABLE t ADD CONSTRAINT note_set CHECK (NOTE <> '') NOT VALID;",
              "ALTER TABLE t DROP COLUMN other;\nALTER TABLE t DROP COLUMN note;")
    assert "DROP COLUMN note;" in out and "Note TEXT" in out  # the kept CHECK runs first, then the drop
    assert "other" not in out  # a column no kept statement names is still folded away
