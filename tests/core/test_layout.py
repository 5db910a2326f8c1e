"""Placement: homes, overrides, and references to objects in later targets."""

from .helpers import body, consolidate

A, B, C = "20250101000001_a.sql", "20250101000002_b.sql", "20250101000003_c.sql"
T1, T2 = "0001_first.sql", "0002_second.sql"


def test_foreign_key_to_a_later_target_moves_there_with_postgres_default_name():
    cons = consolidate({A: "CREATE TABLE trigger (id BIGSERIAL PRIMARY KEY);\n"
                           "CREATE TABLE sensor (id BIGSERIAL PRIMARY KEY, trigger BIGINT NOT NULL REFERENCES trigger(id) ON DELETE CASCADE);"},
                       {T1: [A], T2: []}, overrides={"table:trigger": T2})
    first, second = body(cons, T1), body(cons, T2)
    assert "REFERENCES" not in first and "trigger BIGINT NOT NULL" in first
    assert second.endswith("ALTER TABLE sensor\n    ADD CONSTRAINT sensor_trigger_fkey FOREIGN KEY (trigger) "
                           "REFERENCES trigger(id) ON DELETE CASCADE;")
    assert any(p.code == "fk-moved" and "sensor.trigger" in p.message for p in cons.problems())


def test_reference_to_a_table_created_later_in_the_same_target_is_added_after_it():
    cons = consolidate({A: "CREATE TABLE event (id INT PRIMARY KEY);", B: "CREATE TABLE rule (id INT PRIMARY KEY);",
                        C: "ALTER TABLE event ADD COLUMN rule INT REFERENCES rule(id) ON DELETE SET NULL;"})
    out = body(cons)
    assert out.index("CREATE TABLE rule") < out.index("ADD CONSTRAINT event_rule_fkey")
    assert "rule INT\n" in out


def test_indexes_triggers_and_comments_follow_their_table_home():
    cons = consolidate({A: "CREATE TABLE t (id INT);", B: "CREATE INDEX idx_t ON t (id);\nCOMMENT ON TABLE t IS 'x';"},
                       {T1: [A], T2: [B]})
    assert "idx_t" in body(cons, T1) and "COMMENT ON TABLE t" in body(cons, T1) and body(cons, T2) == ""


def test_trigger_moves_to_the_target_of_its_function():
    cons = consolidate({A: "CREATE TABLE t (id INT);",
                        B: "CREATE FUNCTION n() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n"
                           "CREATE TRIGGER t_n AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION n();"},
                       {T1: [A], T2: [B]})
    assert "CREATE TRIGGER t_n" in body(cons, T2)
    assert any(p.code == "moved" for p in cons.problems())


def test_type_used_by_an_earlier_target_moves_there():
    cons = consolidate({A: "CREATE TABLE w (id INT);", B: "CREATE TYPE role AS ENUM ('a');\nALTER TABLE w ADD COLUMN r role;"},
                       {T1: [A], T2: [B]})
    assert not cons.errors()
    assert body(cons, T1).startswith("CREATE TYPE role") and body(cons, T2) == ""
    assert any(p.code == "moved" and "type:role moved earlier" in p.message for p in cons.problems())


def test_pinned_type_in_a_later_target_is_an_error_not_a_broken_file():
    cons = consolidate({A: "CREATE TABLE w (id INT);", B: "CREATE TYPE role AS ENUM ('a');\nALTER TABLE w ADD COLUMN r role;"},
                       {T1: [A], T2: [B]}, overrides={"type:role": T2})
    errors = cons.errors()
    assert errors and errors[0].code == "forward-reference" and "type:role" in errors[0].message
    cons.override("type:role", T1)
    assert not cons.errors()
    assert body(cons, T1).startswith("CREATE TYPE role")


def test_statement_override_and_unassigned_files():
    cons = consolidate({A: "CREATE TABLE t (id INT);\nCREATE TABLE u (id INT);"}, {T1: [A], T2: []},
                       overrides={f"statement:{A}@create_table u": T2})
    assert "TABLE u" in body(cons, T2) and "TABLE u" not in body(cons, T1)
    cons.assign(A, "")
    assert any(p.code == "unassigned" for p in cons.errors())


def test_reassignment_changes_only_placement_and_is_reversible():
    cons = consolidate({A: "CREATE TABLE t (id INT);", B: "CREATE TABLE u (id INT);"}, {T1: [A, B], T2: []})
    before = [cons.render(t).text for t in (T1, T2)]
    cons.assign(B, T2)
    assert "TABLE u" in body(cons, T2) and "TABLE u" not in body(cons, T1)
    cons.assign(B, T1)
    assert [cons.render(t).text for t in (T1, T2)] == before


def test_header_names_purpose_and_legacy_sources():
    cons = consolidate({A: "CREATE TABLE t (id INT);", B: "ALTER TABLE t ADD COLUMN x INT;"})
    cons.plan.targets[0].purpose = "Everything"
    text = cons.render(cons.plan.targets[0].file).text
    assert text.startswith("-- 0001_all.sql\n-- Everything\n")
    assert f"--   {A}\n--   {B}\n" in text


def test_an_object_overridden_to_yaml_is_reported_not_lost():
    cons = consolidate({A: "CREATE TABLE t (id INT);"}, overrides={"table:t": "yaml"})
    assert any(p.code == "unassigned" and "table:t" in p.message for p in cons.errors())
    cons.override("table:t", None)
    cons.unassign(A)
    assert any(p.code == "unassigned" for p in cons.errors())
