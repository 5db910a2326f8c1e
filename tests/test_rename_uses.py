"""A column rename folded into CREATE TABLE must not break what was created before it and names the column.

PostgreSQL tracks a view's columns, a trigger's ``UPDATE OF`` list and ``WHEN``
condition, and a SQL function's checked body by position, so the legacy chain
keeps working after ``RENAME COLUMN``; their original text, replayed after a
folded rename, would name a column that no longer exists.  Each case applies
both chains to the real server and compares the schemas.
"""

from __future__ import annotations

import pytest

from .strategies import PlanDraw
from .test_differential import build, check_case

ONE = PlanDraw(["0001_all.sql"], [0, 0], [])
TWO = PlanDraw(["0001_a.sql", "0002_b.sql"], [0, 1], [])

CASES: dict[str, tuple[list[list[str]], PlanDraw]] = {
    "view": ([
        ["CREATE TABLE t (a INT, c INT);", "CREATE VIEW v AS SELECT a, c FROM t;"],
        ["ALTER TABLE t RENAME COLUMN a TO b;", "ALTER TABLE t ADD COLUMN d INT;"],
    ], ONE),
    "sql_function": ([
        ["CREATE TABLE t (a INT);", "CREATE FUNCTION total() RETURNS bigint LANGUAGE sql AS $$ SELECT sum(a) FROM t $$;"],
        ["ALTER TABLE t RENAME COLUMN a TO b;"],
    ], TWO),
    "trigger_columns": ([
        ["CREATE TABLE t (a INT, n INT);",
         "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n := 1; RETURN NEW; END $$;",
         "CREATE TRIGGER t_touch BEFORE UPDATE OF a ON t FOR EACH ROW WHEN (OLD.a IS DISTINCT FROM NEW.a) "
         "EXECUTE FUNCTION touch();"],
        ["ALTER TABLE t RENAME COLUMN a TO b;"],
    ], ONE),
    # Uses after the rename name the new column: folding stays as it was.
    "view_after_rename": ([
        ["CREATE TABLE t (a INT);"],
        ["ALTER TABLE t RENAME COLUMN a TO b;", "CREATE VIEW v AS SELECT b FROM t;"],
    ], ONE),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rename_keeps_earlier_uses_working(pg_server, case: str):
    files, pd = CASES[case]
    assert check_case(pg_server, files, pd, say=lambda _: None) == "equal"


@pytest.mark.parametrize(("case", "kept"), [("view", True), ("sql_function", True), ("trigger_columns", True),
                                            ("view_after_rename", False)])
def test_rename_is_kept_only_when_something_earlier_names_the_column(case: str, kept: bool):
    files, pd = CASES[case]
    cons, _ = build(files, pd)
    emitted = "\n".join(f.text for f in cons.render_all())
    assert ("RENAME COLUMN a TO b" in emitted) is kept
    assert ("b INT" in emitted) is not kept  # folded: the CREATE TABLE has the final name
