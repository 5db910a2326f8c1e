"""Snapshot tests (pytest-textual-snapshot): update with `pytest tests/ui --snapshot-update`, then look at
the SVGs in tests/ui/__snapshots__/ before committing them.

They run on a three-file history written by the test, so a change to the bundled example does not move
them; a change to the engine's output or to the screens does, which is the point.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import open_app, ready

SIZE = (120, 40)


def _no_blink(app) -> None:
    from textual.widgets import Input

    for i in app.screen.query(Input):
        i.cursor_blink = False


def test_consolidate_screen(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        _no_blink(pilot.app)
        await pilot.press("down", "down", "1")  # add_email folds into init: the preview shows it
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_consolidate_screen_provenance(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("tab", "tab", "p", "home", "down")
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_consolidate_screen_80x24(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=(80, 24), run_before=run_before)


def test_statistics_screen(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("s")
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_help_screen(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_recover_dialog(tiny_plan_path: Path, snap_compare) -> None:
    from attune_tui.core.plan import dump_plan, load_plan

    plan = load_plan(tiny_plan_path.read_text(encoding="utf-8"))
    plan.assign[sorted(plan.assign)[2]] = plan.targets[0].file
    tiny_plan_path.with_name(f".{tiny_plan_path.name}.autosave").write_text(dump_plan(plan), encoding="utf-8")

    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_open_plan_dialog_with_an_error(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("o")
        await pilot.pause()
        _no_blink(pilot.app)
        await pilot.press(*"nope.yaml", "enter")
        await pilot.pause()

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_export_plan_dialog(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("e")
        await pilot.pause()
        _no_blink(pilot.app)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_apply_dialog(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("w")
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)


def test_consolidate_screen_light_theme(tiny_plan_path: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await ready(pilot.app, pilot)
        await pilot.press("ctrl+t", "down", "down", "1")
        await ready(pilot.app, pilot)

    assert snap_compare(open_app(tiny_plan_path), terminal_size=SIZE, run_before=run_before)
