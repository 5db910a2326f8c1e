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
