"""Pilot tests of the plan's files: autosave and recovery, open another plan, export, theme toggle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Input, Label

from attune_tui.core.plan import PlanError, dump_plan, load_plan
from attune_tui.ui.app import AttuneApp
from attune_tui.ui.consolidate import ConsolidateScreen
from attune_tui.ui.highlight import HIGHLIGHTED
from attune_tui.ui.modals import ConfirmQuitScreen
from attune_tui.ui.plan_files import PathScreen, RecoverScreen
from attune_tui.ui.preview import SqlPreview
from attune_tui.ui.session import Session
from attune_tui.ui.widgets import HeaderBar, LegacyTable

from .conftest import TINY, make_workspace, open_app, ready

SIZE = (120, 40)
INIT, ORDERS, EMAIL = sorted(TINY)


def side_file(plan: Path) -> Path:
    return plan.with_name(f".{plan.name}.autosave")


async def wait_autosave(app: AttuneApp, pilot) -> None:
    """The side file is written AUTOSAVE_DELAY after the last change, by a worker."""
    await pilot.pause(1.3)
    await ready(app, pilot)


async def test_autosave_writes_the_side_file_and_save_removes_it(tiny_plan_path: Path) -> None:
    on_disk = tiny_plan_path.read_text(encoding="utf-8")
    side = side_file(tiny_plan_path)
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1")
        assert not side.exists()  # debounced: not on every key
        await pilot.press("down", "1")
        await wait_autosave(app, pilot)
        assert side.read_text(encoding="utf-8") == dump_plan(app.session.plan)
        assert load_plan(side.read_text(encoding="utf-8")).assign[EMAIL] == INIT
        assert tiny_plan_path.read_text(encoding="utf-8") == on_disk  # the plan file is untouched
        # undo everything: nothing unsaved, so nothing to recover
        await pilot.press("u", "u")
        await wait_autosave(app, pilot)
        assert not side.exists()
        await pilot.press("down", "2")
        await wait_autosave(app, pilot)
        assert side.exists()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not side.exists()
        assert load_plan(tiny_plan_path.read_text(encoding="utf-8")).assign[EMAIL] == ORDERS


async def test_a_quit_the_user_chose_removes_the_side_file(tiny_plan_path: Path) -> None:
    side = side_file(tiny_plan_path)
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1")
        await wait_autosave(app, pilot)
        assert side.exists()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("y")  # quit without saving: the user discarded the changes
        await pilot.pause()
    assert not side.exists()


async def test_a_crash_leaves_a_side_file_that_the_next_start_recovers(tiny_plan_path: Path) -> None:
    on_disk = tiny_plan_path.read_text(encoding="utf-8")
    side = side_file(tiny_plan_path)
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1", "down", "1")
        await wait_autosave(app, pilot)
    # run_test ended without a quit: as after a crash, the side file is still there
    assert side.exists() and tiny_plan_path.read_text(encoding="utf-8") == on_disk

    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert isinstance(app.screen, RecoverScreen)
        assert app.session.cons is None  # nothing is built before the answer
        await pilot.press("r")
        await ready(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConsolidateScreen) and screen.ready
        assert app.session.plan.assign[ORDERS] == INIT and app.session.plan.assign[EMAIL] == INIT
        assert app.session.cons.plan is app.session.plan  # built from the recovered plan
        assert str(screen.query_one(LegacyTable).get_cell(EMAIL, "target")) == "01"
        assert "(modified)" in str(screen.query_one(HeaderBar).render())
        assert tiny_plan_path.read_text(encoding="utf-8") == on_disk  # only a save writes the plan
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert load_plan(tiny_plan_path.read_text(encoding="utf-8")).assign[EMAIL] == INIT
    assert not side.exists()


async def test_discarding_the_recovery_keeps_the_plan_file(tiny_plan_path: Path) -> None:
    on_disk = tiny_plan_path.read_text(encoding="utf-8")
    side = side_file(tiny_plan_path)
    plan = load_plan(on_disk)
    plan.assign[EMAIL] = INIT
    side.write_text(dump_plan(plan), encoding="utf-8")
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert isinstance(app.screen, RecoverScreen)
        await pilot.press("d")
        await ready(app, pilot)
        assert isinstance(app.screen, ConsolidateScreen) and app.screen.ready
        assert app.session.plan.assign[EMAIL] == EMAIL and not app.session.dirty
    assert not side.exists()
    assert tiny_plan_path.read_text(encoding="utf-8") == on_disk


def test_only_a_newer_different_side_file_is_offered(tiny_plan_path: Path) -> None:
    session = Session.open(tiny_plan_path)
    side = session.autosave_path
    assert side == side_file(tiny_plan_path) and session.pending_recovery() is None
    side.write_text(tiny_plan_path.read_text(encoding="utf-8"), encoding="utf-8")
    assert session.pending_recovery() is None  # same text as the plan: nothing to recover
    plan = load_plan(tiny_plan_path.read_text(encoding="utf-8"))
    plan.assign[EMAIL] = ORDERS
    side.write_text(dump_plan(plan), encoding="utf-8")
    assert session.pending_recovery() == dump_plan(plan)
    old = tiny_plan_path.stat().st_mtime - 60
    os.utime(side, (old, old))  # the plan was saved after the side file: it wins
    assert session.pending_recovery() is None


def test_a_side_file_for_another_history_is_refused(tiny_plan_path: Path) -> None:
    session = Session.open(tiny_plan_path)
    plan = load_plan(tiny_plan_path.read_text(encoding="utf-8"))
    plan.assign["20990101000001_gone.sql"] = INIT
    with pytest.raises(PlanError, match="20990101000001_gone.sql"):
        session.recover(dump_plan(plan))
    assert "20990101000001_gone.sql" not in session.plan.assign


async def test_open_another_plan(tiny_plan_path: Path, tmp_path: Path) -> None:
    other = make_workspace(tmp_path / "other")  # the bundled 22-file history
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1", "o")  # unsaved: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        texts = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Open another plan anyway?" in texts and "y open without saving" in texts
        await pilot.press("y")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathScreen)
        field = dialog.query_one("#path", Input)
        for bad, message in [(tmp_path / "nope.yaml", "no such plan file"), (tmp_path, "is a folder"),
                             (tmp_path / "other" / "migrations.old" / "20250101000001_initial_setup.sql",
                              "not a YAML file")]:
            field.value = str(bad)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog  # the error is shown inline, the dialog stays
            assert message in str(dialog.query_one("#error", Label).render())
        field.value = str(other)
        await pilot.press("enter")
        await ready(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConsolidateScreen) and screen.ready
        assert app.session.ws.plan_path == other and screen.session is app.session
        assert screen.query_one(LegacyTable).row_count == 22
        assert not app.session.dirty
        await pilot.press("down", "1")  # the new session is edited and autosaved next to its own plan
        await wait_autosave(app, pilot)
        assert side_file(other).exists()
    assert not side_file(tiny_plan_path).exists()  # discarded with the changes


async def test_export_plan(tiny_plan_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "exported.plan.yaml"
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "down", "1", "e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathScreen)
        field = dialog.query_one("#path", Input)
        assert field.value.endswith("consolidation.plan.export.yaml")
        field.value = str(tmp_path / "exported.txt")
        await pilot.press("enter")
        await pilot.pause()
        assert ".yaml" in str(dialog.query_one("#error", Label).render())
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert target.read_text(encoding="utf-8") == dump_plan(app.session.plan)
        assert load_plan(target.read_text(encoding="utf-8")).assign[EMAIL] == INIT
        assert app.session.dirty  # exporting is not saving
        # exporting again over the file asks for a second enter
        await pilot.press("u", "e")
        await pilot.pause()
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert "enter again to overwrite" in str(app.screen.query_one("#error", Label).render())
        assert load_plan(target.read_text(encoding="utf-8")).assign[EMAIL] == INIT
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert load_plan(target.read_text(encoding="utf-8")).assign[EMAIL] == EMAIL


async def test_theme_toggle_rehighlights_the_preview(tiny_plan_path: Path) -> None:
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.current_theme.dark
        preview = app.screen.query_one(SqlPreview)
        await pilot.press("ctrl+t")
        await ready(app, pilot)
        assert app.theme == "textual-light" and not app.current_theme.dark
        key = (preview.text, preview.language, False)
        assert key in HIGHLIGHTED and preview._code is HIGHLIGHTED[key]  # light syntax colours shown
        dark_colours = HIGHLIGHTED[(preview.text, preview.language, True)].colours()
        light_colours = preview._code.colours()
        assert light_colours and light_colours != dark_colours
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "textual-dark"
