"""The app's model without a terminal: undo/redo, dirty state, target edits, rows."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from attune_tui.core.plan import YAML_TARGET, PlanError, load_plan
from attune_tui.ui.session import Session

INIT, ORDERS, EMAIL = "20240101000001_init.sql", "20240102000001_orders.sql", "20240103000001_add_email.sql"


def opened(path: Path) -> Session:
    s = Session.open(path)
    s.build()
    return s


def test_undo_redo_walks_every_kind_of_change(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    assert not s.dirty
    s.assign(EMAIL, INIT)
    s.override("index:idx_account_name", ORDERS)
    s.rename_target(INIT, "0001_accounts.sql", "accounts")
    assert s.plan.assign[EMAIL] == "0001_accounts.sql" and s.plan.assign[INIT] == "0001_accounts.sql"
    assert s.cons.target_of("index:idx_account_name") == ORDERS
    assert "email TEXT" in s.cons.render("0001_accounts.sql").text
    assert s.dirty

    assert s.undo() is not None  # rename
    assert s.plan.target_names()[0] == INIT and s.plan.assign[EMAIL] == INIT
    assert s.undo() is not None  # override
    assert "index:idx_account_name" not in s.plan.overrides
    assert s.cons.target_of("index:idx_account_name") == INIT
    assert s.undo() is not None  # assignment
    assert s.plan.assign[EMAIL] == EMAIL
    assert s.undo() is None and not s.dirty

    for _ in range(3):
        assert s.redo() is not None
    assert s.redo() is None
    assert s.plan.target_names()[0] == "0001_accounts.sql"
    assert s.cons.target_of("index:idx_account_name") == ORDERS


def test_a_new_change_clears_redo(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    s.assign(EMAIL, INIT)
    s.undo()
    s.assign(EMAIL, ORDERS)
    assert s.redo() is None
    assert s.plan.assign[EMAIL] == ORDERS


def test_no_op_is_not_recorded(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    assert not s.assign(INIT, INIT)
    assert s.undo() is None


def test_save_round_trips_and_clears_dirty(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    s.assign(EMAIL, YAML_TARGET)
    s.save()
    assert not s.dirty
    assert load_plan(tiny_plan_path.read_text()).assign[EMAIL] == YAML_TARGET
    s.undo()
    assert s.dirty


def test_target_edits_are_checked(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    with pytest.raises(PlanError, match="must be a .sql"):
        s.add_target("notes.txt")
    with pytest.raises(PlanError, match="inside"):
        s.add_target("../escape.sql")
    with pytest.raises(PlanError, match="already exists"):
        s.add_target(INIT)
    with pytest.raises(PlanError, match="still receives"):
        s.remove_target(INIT)
    with pytest.raises(PlanError, match="no target named"):
        s.assign(EMAIL, "missing.sql")
    i = s.add_target("0000_extensions.sql", "extensions", after=None)
    assert s.plan.target_names()[i] == "0000_extensions.sql"
    assert s.move_target("0000_extensions.sql", -1)
    assert s.plan.target_names()[i - 1] == "0000_extensions.sql"
    assert s.remove_target("0000_extensions.sql")
    assert len(s.plan.targets) == 3


def test_rows(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    rows = {r.name: r for r in s.legacy_rows()}
    assert [r.glyph for r in rows.values()] == ["✓", "✓", "✓"]
    assert rows[INIT].statements == 3 and rows[EMAIL].target_no == "03"
    s.assign(ORDERS, YAML_TARGET)  # orders creates a table: the engine says so
    rows = {r.name: r for r in s.legacy_rows()}
    assert rows[ORDERS].glyph == "⚠" and rows[ORDERS].state == "error"
    s.undo()
    s.override("index:idx_account_name", ORDERS)
    rows = {r.name: r for r in s.legacy_rows()}
    assert rows[INIT].glyph == "◐"
    targets = s.target_rows()
    assert [t.number for t in targets] == [1, 2, 3]
    assert targets[2].pieces == 0 and targets[0].pieces > 0  # add_email folds into init's table
    del s.plan.assign[EMAIL]
    s.cons.invalidate()
    assert {r.name: r for r in s.legacy_rows()}[EMAIL].glyph == "·"


def test_a_new_plan_starts_from_initial_plan(tmp_path: Path) -> None:
    (tmp_path / "migrations.old").mkdir()
    (tmp_path / "migrations.old" / "20240101000001_a.sql").write_text("CREATE TABLE a (id INT);\n")
    s = Session.open(tmp_path / "consolidation.plan.yaml")
    assert s.created and s.dirty
    assert s.plan.target_names() == ["20240101000001_a.sql"]
    assert s.plan.checksums  # recorded, as `plan init` does
    s.build()
    s.save()
    assert not s.created and not s.dirty


def test_command_line_folders_mark_the_plan_modified(tiny_plan_path: Path) -> None:
    s = Session.open(tiny_plan_path, output="out")
    assert s.plan.output == "out" and s.dirty


def test_problems_are_sorted_counted_and_follow_the_plan(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    assert not [p for p in s.problems() if p.severity == "error"]
    s.assign(ORDERS, YAML_TARGET)  # orders creates a table: an error
    problems = s.problems()
    ranks = [("error", "warning", "info").index(p.severity) for p in problems]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert s.problem_counts() == {sev: sum(1 for p in problems if p.severity == sev) for sev in ("error", "warning", "info")}
    assert s.problems() is problems  # nothing changed: not sorted again
    s.undo()
    assert not [p for p in s.problems() if p.severity == "error"] and s.problem_counts()["error"] == 0


def test_unchanged_rows_are_reused(tiny_plan_path: Path) -> None:
    s = opened(tiny_plan_path)
    before = {r.name: r for r in s.legacy_rows()}
    s.assign(EMAIL, ORDERS)
    after = {r.name: r for r in s.legacy_rows()}
    assert after[INIT] is before[INIT] and after[ORDERS] is before[ORDERS]
    assert after[EMAIL] is not before[EMAIL] and after[EMAIL].target_no == "02"


def test_the_consolidation_is_frozen_out_of_the_collector(tiny_plan_path: Path) -> None:
    first = opened(tiny_plan_path)
    assert id(first.cons) not in {id(o) for o in gc.get_objects()}  # frozen: full collections skip it
    gone = weakref.ref(first.cons)
    del first
    second = opened(tiny_plan_path)  # the first graph is handed back and collected before this one is frozen
    assert gone() is None
    assert id(second.cons) not in {id(o) for o in gc.get_objects()}
