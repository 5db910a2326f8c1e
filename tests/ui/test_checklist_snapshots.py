"""Snapshot tests of the checklist screen and its dialogs (update with `--snapshot-update`, then look at the SVGs).

The step states are fixed inputs written into the plan (durations and timings of
real runs vary from one run to the next); the screen, its table, log, details
pane and dialogs are the real ones.  No database is needed.
"""

from __future__ import annotations

from pathlib import Path

from attune_tui.checklist.model import Status, StepState
from attune_tui.checklist.settings import plan_digest, store_states
from attune_tui.checklist.steps import STEPS
from attune_tui.core.plan import load_plan
from attune_tui.db.schemadiff import Difference
from attune_tui.pipeline import save_plan

from .conftest import open_app, ready

SIZE = (120, 40)
FINISHED = "2026-01-02T03:04:05+00:00"
DIFFERENCES = [
    Difference("column public.account.email", "exists", "present", None),
    Difference("column public.account.state", "default", "'active'::account_state", None),
    Difference("index public.idx_account_email", "predicate", "(email IS NOT NULL)", "(email <> ''::text)"),
    Difference("function public.touch()", "body", "BEGIN\n  NEW.updated := now();\n  RETURN NEW;\nEND",
               "BEGIN\n  NEW.updated := clock_timestamp();\n  RETURN NEW;\nEND"),
    Difference("column public.orders.total", "type", "numeric(12,2)", "numeric", intended=True,
               reason="totals lose their fixed scale on purpose"),
]


def write_states(plan_path: Path, all_passed: bool = False) -> None:
    """A plan part-way through its checklist (or with every step but deleting the backup passed)."""
    plan = load_plan(plan_path.read_text(), str(plan_path))
    plan.checklist = {"test_command": "python -m pytest -q tests", "dev_database": "postgresql://dev@localhost/shop"}
    digest = plan_digest(plan)

    def st(step: str, status: Status, result: str, seconds: float, log: list[str]) -> StepState:
        return StepState(step, status, result, seconds, log, FINISHED, digest)

    states = {
        "backup": st("backup", Status.PASSED, "3 legacy files present and unchanged", 0.01,
                     ["3 files in migrations.old, every SHA-384 as the plan records it"]),
        "generate": st("generate", Status.PASSED, "3 files up to date with the plan", 0.12,
                       ["3 files up to date in migrations; 0 warnings in the plan"]),
        "extract": st("extract", Status.SKIPPED, "the plan extracts no data", 0.0, []),
        "fresh": st("fresh", Status.PASSED, "3 files applied in 0.05 s (legacy: 3 files in 0.06 s, 1.2x)", 0.48,
                    ["starting PostgreSQL", "using the embedded PostgreSQL, version 18.0",
                     "applied the consolidated chain (3 files) in 0.05 s",
                     "applied the legacy chain (3 files) in 0.06 s"]),
    }
    if all_passed:
        states = {s.id: st(s.id, Status.PASSED, "ok", 1.0, []) for s in STEPS if s.id != "delete_backup"}
    store_states(plan, states)
    save_plan(plan, plan_path)


async def open_checklist(pilot) -> None:
    await ready(pilot.app, pilot)
    await pilot.press("c")
    await pilot.pause()


def failed_compare() -> StepState:
    return StepState("compare", Status.FAILED, "4 differences; first: column public.account.email only in the "
                     "legacy schema", 0.31, ["FAILED: 4 differences"], FINISHED,
                     details={"differences": [d.to_dict() for d in DIFFERENCES]})


def test_checklist_screen(tiny_plan_path: Path, snap_compare) -> None:
    write_states(tiny_plan_path)

    async def run_before(pilot) -> None:
        await open_checklist(pilot)
        await pilot.press("down", "down", "down")  # fresh: its log from the plan

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_checklist_screen_schema_diff(tiny_plan_path: Path, snap_compare) -> None:
    write_states(tiny_plan_path)

    async def run_before(pilot) -> None:
        await open_checklist(pilot)
        pilot.app.screen.show_result(failed_compare())
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_checklist_screen_80x24_light(tiny_plan_path: Path, snap_compare) -> None:
    write_states(tiny_plan_path)

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await open_checklist(pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=(80, 24), run_before=run_before)


def test_delete_backup_confirmation(tiny_plan_path: Path, snap_compare) -> None:
    write_states(tiny_plan_path, all_passed=True)

    async def run_before(pilot) -> None:
        await open_checklist(pilot)
        await pilot.press("x")
        await pilot.pause()

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_deploy_dialog(tiny_plan_path: Path, snap_compare) -> None:
    write_states(tiny_plan_path)

    async def run_before(pilot) -> None:
        from textual.widgets import Input

        await open_checklist(pilot)
        await pilot.press("d")
        await pilot.pause()
        for i in pilot.app.screen.query(Input):
            i.cursor_blink = False
        await pilot.pause()

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)
