"""Pilot tests of the checklist screen, running real steps on the session's PostgreSQL.

Each test works on a copy of the bundled project (legacy files, plan, consolidated
files, YAML) in tmp_path, with the session's server as the app's database URL, so no
second server starts and the repository's plan is never touched.  Only the cheap steps
run here; ``tests/checklist`` runs the whole checklist through ``attune-tui verify``.
"""

from __future__ import annotations

import dataclasses
import shutil
import threading
from pathlib import Path

import pytest
from textual.widgets import DataTable, RichLog, Static, TabbedContent

from attune_tui.checklist.model import Status, StepState
from attune_tui.checklist.settings import load_states, plan_digest, store_states
from attune_tui.checklist.steps import BY_ID, STEPS
from attune_tui.core.loader import load_history
from attune_tui.core.plan import dump_plan, load_plan
from attune_tui.db.history import read_history
from attune_tui.db.server import Server
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database, throwaway_databases
from attune_tui.pipeline import save_plan
from attune_tui.ui.app import AttuneApp
from attune_tui.ui.checklist import FIXED_WIDTH, ChecklistScreen
from attune_tui.ui.checklist_modals import ConfirmDangerScreen, DeployScreen
from attune_tui.ui.consolidate import ConsolidateScreen
from attune_tui.ui.session import Session

from .conftest import ROOT, ready

SIZE = (120, 40)
ROW = {s.id: i for i, s in enumerate(STEPS)}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled project; returns its plan file."""
    for folder in ("migrations.old", "migrations", "packs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    return tmp_path / "consolidation.plan.yaml"


def app_for(plan: Path, server: Server) -> AttuneApp:
    return AttuneApp(Session.open(plan), server.admin_uri)


async def open_checklist(app: AttuneApp, pilot) -> ChecklistScreen:
    await ready(app, pilot)
    await pilot.press("c")
    await pilot.pause()
    assert isinstance(app.screen, ChecklistScreen)
    return app.screen


async def run_row(app: AttuneApp, pilot, step: str, key: str = "r") -> None:
    """Highlight a step's row and run it with ``key``; wait until the worker is done."""
    table = app.screen.query_one("#cl-steps", DataTable)
    table.move_cursor(row=ROW[step])
    await pilot.pause()
    await pilot.press(key)
    await ready(app, pilot)


def cell(screen: ChecklistScreen, step: str, column: str) -> str:
    return str(screen.query_one("#cl-steps", DataTable).get_cell(step, column))


def log_text(screen: ChecklistScreen) -> str:
    return "\n".join(strip.text for strip in screen.query_one("#cl-log", RichLog).lines)


def details_text(screen: ChecklistScreen) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(screen.query_one("#cl-details", Static).content)
    return console.export_text()


async def test_run_steps_on_the_embedded_server_persist_and_survive_a_restart(project: Path, pg_server: Server):
    before = set(throwaway_databases(pg_server))
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        table = screen.query_one("#cl-steps", DataTable)
        assert table.row_count == len(STEPS) == 11
        assert cell(screen, "backup", "status") == "pending"

        await run_row(app, pilot, "backup")
        assert cell(screen, "backup", "status") == "passed"
        assert cell(screen, "backup", "result") == "22 legacy files present and unchanged"
        assert log_text(screen).startswith("22 files in ")  # the run's log, nothing before it
        await run_row(app, pilot, "generate", key="enter")  # enter on the table runs the row too
        assert cell(screen, "generate", "status") == "passed", screen.states["generate"].result
        await run_row(app, pilot, "fresh")
        assert cell(screen, "fresh", "status") == "passed", screen.states["fresh"].result
        assert screen.states["fresh"].result.startswith("13 files applied in ")
        assert "applied the consolidated chain (13 files)" in log_text(screen)  # the live log of the run
        assert screen.context_open  # kept for the next step: the databases fresh built are reused
        created = set(throwaway_databases(pg_server)) - before
        assert len(created) == 2  # the legacy and the consolidated chain's databases
        await run_row(app, pilot, "compare")
        assert cell(screen, "compare", "status") == "passed"
        assert screen.states["compare"].result == "identical schemas"
        assert set(throwaway_databases(pg_server)) - before == created  # compare built nothing new
        assert float(cell(screen, "compare", "duration").split()[0]) > 0
        assert "✓ 4 passed" in str(screen.query_one("#cl-status").render())

        # the plan had no other change, so the file on disk already holds the results
        saved = load_plan(project.read_text(), str(project))
        assert saved.checklist["steps"]["compare"]["status"] == "passed"
        assert saved.checklist["steps"]["backup"]["result"] == "22 legacy files present and unchanged"
        assert not app.session.dirty

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert not screen.context_open
        assert screen.context_closed.wait(30)
        assert set(throwaway_databases(pg_server)) == before  # leaving the screen dropped its databases

    app = app_for(project, pg_server)  # a restart
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        assert cell(screen, "compare", "status") == "passed"
        assert cell(screen, "compare", "result") == "identical schemas"
        assert cell(screen, "counts", "status") == "pending"
        await run_row(app, pilot, "fresh")
        assert set(throwaway_databases(pg_server)) != before
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert screen.context_closed.wait(30)
    assert set(throwaway_databases(pg_server)) == before  # quitting the app closes the context too


async def test_a_failing_compare_shows_the_schema_diff_and_notifies(project: Path, pg_server: Server):
    target = project.parent / "migrations" / "20250101000002_identity_and_auth.sql"
    target.write_text(target.read_text() + "\nALTER TABLE identity DROP COLUMN attributes;\n")
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        await run_row(app, pilot, "compare")
        state = screen.states["compare"]
        assert state.status is Status.FAILED
        assert "identity.attributes" in cell(screen, "compare", "result")
        assert screen.query_one("#cl-pane", TabbedContent).active == "cl-details-tab"
        text = details_text(screen)
        assert "column public.identity.attributes" in text
        assert "only in legacy" in text
        assert any(n.severity == "error" and "identity.attributes" in n.message for n in app._notifications)
        # the details are this session's: another step's row shows that step's, and back again
        await pilot.press("up")
        assert "column public.identity" not in details_text(screen)
        await pilot.press("down")
        assert "column public.identity.attributes" in details_text(screen)
        await pilot.press("v")
        assert screen.query_one("#cl-pane", TabbedContent).active == "cl-log-tab"
        assert "FAILED:" in log_text(screen)


async def test_run_all_can_be_stopped_and_the_bindings_follow(project: Path, pg_server: Server):
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        await pilot.press("R")
        assert screen.busy and screen.check_action("run_all", ()) is None and screen.check_action("stop", ())
        await pilot.press("s")
        await ready(app, pilot)
        assert not screen.busy and screen.check_action("run_all", ()) is True
        assert screen.check_action("stop", ()) is False  # hidden from the footer when idle
        assert screen.states["upgrade"].status is Status.PENDING  # stopped long before the end
        assert not screen.query_one("#cl-progress").display


def all_passed(plan_path: Path, but: tuple[str, ...] = ()) -> None:
    """Record every step but ``delete_backup`` as passed for the current plan (a precondition, not a result)."""
    plan = load_plan(plan_path.read_text(), str(plan_path))
    digest = plan_digest(plan)
    store_states(plan, {s.id: StepState(s.id, Status.FAILED if s.id in but else Status.PASSED, "ok", 1.0,
                                        plan_digest=digest)
                        for s in STEPS if s.id != "delete_backup"})
    save_plan(plan, plan_path)


async def test_delete_backup_needs_every_step_and_a_confirmation(project: Path, pg_server: Server):
    legacy = project.parent / "migrations.old"
    all_passed(project, but=("upgrade",))
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen  # no dialog: refused
        assert any("Upgrade from every legacy version" in n.message for n in app._notifications)
        assert legacy.is_dir()

    all_passed(project)
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        await run_row(app, pilot, "delete_backup", key="enter")  # its row asks, as x does
        assert isinstance(app.screen, ConfirmDangerScreen)
        assert "rollback becomes impossible" in str(app.screen.query_one("#danger-message").render())
        await pilot.press("enter")  # the focus is on Cancel
        await ready(app, pilot)
        assert app.screen is screen and legacy.is_dir()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await ready(app, pilot)
        assert not legacy.exists()
        assert screen.states["delete_backup"].status is Status.PASSED
        assert screen.states["delete_backup"].result.startswith("deleted ")
    states = load_states(load_plan(project.read_text(), str(project)), list(BY_ID))
    assert states["delete_backup"].status is Status.PASSED


async def test_deploy_checks_shows_the_sql_then_applies_after_confirmation(project: Path, pg_server: Server):
    legacy = load_history(project.parent / "migrations.old").migrations
    new = load_history(project.parent / "migrations").migrations
    with throwaway_database(pg_server, "devdb") as dev:
        apply_chain(dev, legacy, allow_duplicate_versions=True)
        before = read_history(dev)
        app = app_for(project, pg_server)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_checklist(app, pilot)
            await pilot.press("d")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, DeployScreen)
            dialog.query_one("#deploy-url").value = dev
            await pilot.press("ctrl+y")  # not checked yet: refused
            await pilot.pause()
            assert app.screen is dialog and dialog.checked is None
            await pilot.press("enter")
            await ready(app, pilot)
            sql = "\n".join(s.text for s in dialog.query_one("#deploy-log", RichLog).lines)
            assert dialog.checked == dev, str(dialog.query_one("#deploy-status").render())
            assert "DELETE FROM _sqlx_migrations WHERE version IN" in sql
            assert "INSERT INTO _sqlx_migrations" in sql
            assert read_history(dev) == before  # the check changed nothing
            await pilot.press("ctrl+y")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDangerScreen)
            await pilot.press("y")
            await ready(app, pilot)
            assert dialog.applied, str(dialog.query_one("#deploy-status").render())
            assert [r.version for r in read_history(dev)] == [m.version for m in new]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen


async def test_works_at_80x24_and_from_the_command_palette(project: Path, pg_server: Server):
    app = app_for(project, pg_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"checklist")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        table = screen.query_one("#cl-steps", DataTable)
        assert table.columns["result"].width == 80 - FIXED_WIDTH  # type: ignore[index]
        assert screen.query_one("#cl-log").size.height >= 3
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"run step: backup")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await ready(app, pilot)
        assert screen.states["backup"].status is Status.PASSED
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert table.columns["result"].width == 120 - FIXED_WIDTH  # type: ignore[index]
        assert cell(screen, "backup", "status") == "passed"


async def test_results_wait_for_the_save_when_the_plan_has_other_changes(project: Path, pg_server: Server):
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1")  # an assignment: the plan is modified
        await ready(app, pilot)
        assert app.session.dirty
        on_disk = project.read_text()
        screen = await open_checklist(app, pilot)
        await run_row(app, pilot, "backup")
        assert screen.states["backup"].status is Status.PASSED
        assert project.read_text() == on_disk  # not saved behind the user's back
        assert app.session.plan.checklist["steps"]["backup"]["status"] == "passed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = load_plan(project.read_text(), str(project))
        assert saved.checklist["steps"]["backup"]["status"] == "passed"
        assert dump_plan(saved) == dump_plan(app.session.plan)


async def test_leaving_while_a_step_runs_keeps_its_result_and_drops_the_databases(project: Path, pg_server: Server,
                                                                                     monkeypatch: pytest.MonkeyPatch):
    # The real step, held at its start until the screen has been left: a fast step is otherwise over
    # before the test can leave (the step's work itself is unchanged).
    left = threading.Event()
    real = BY_ID["fresh"]

    def held(ctx, rep):
        assert left.wait(60)
        return real.run(ctx, rep)

    monkeypatch.setitem(BY_ID, "fresh", dataclasses.replace(real, run=held))
    before = set(throwaway_databases(pg_server))
    app = app_for(project, pg_server)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_checklist(app, pilot)
        screen.query_one("#cl-steps", DataTable).move_cursor(row=ROW["fresh"])
        await pilot.press("r")
        for _ in range(200):
            if screen.running == "fresh":
                break
            await pilot.pause(0.02)
        assert screen.running == "fresh"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        left.set()
        assert screen.context_closed.wait(120)  # once the running step ended
    saved = load_plan(project.read_text(), str(project))
    assert saved.checklist["steps"]["fresh"]["status"] == "passed"
    assert set(throwaway_databases(pg_server)) == before
