"""Pilot tests of apply from the app: the list of what would change, its diffs, then the write."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Button, Checkbox, DataTable

from attune_tui.core.extract import parse_rows
from attune_tui.core.plan import load_plan
from attune_tui.ui.app import AttuneApp
from attune_tui.ui.apply import ApplyScreen, file_diff
from attune_tui.ui.consolidate import ConsolidateScreen
from attune_tui.ui.preview import SqlPreview
from attune_tui.ui.session import Session

from .conftest import ROOT, TINY, open_app, ready

SIZE = (120, 40)


def listed(screen: ApplyScreen) -> dict[str, str]:
    """file name relative to the workspace → new / changed / stale / unchanged, as the dialog lists them."""
    return {screen._rel(Path(k)): kind for k, kind in screen.kind_of.items()}


async def open_apply(app: AttuneApp, pilot) -> ApplyScreen:
    await pilot.press("w")
    await ready(app, pilot)
    screen = app.screen
    assert isinstance(screen, ApplyScreen)
    return screen


async def test_apply_lists_diffs_and_writes(tiny_plan_path: Path) -> None:
    root = tiny_plan_path.parent
    out = root / "migrations"
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        dialog = await open_apply(app, pilot)
        assert listed(dialog) == {f"migrations/{name}": "new" for name in TINY}
        assert dialog.query_one(DataTable).row_count == 3
        diff = dialog.query_one("#apply-diff", SqlPreview).text
        assert diff.startswith("--- /dev/null") and "+CREATE TABLE account (" in diff
        assert not out.exists()  # nothing is written before the confirmation
        assert str(dialog.query_one("#apply-write", Button).label) == "Write 3 files"
        await pilot.press("w")
        await ready(app, pilot)
        assert isinstance(app.screen, ConsolidateScreen)
        expected = {f.name: f.text for f in app.session.cons.render_all()}
        assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == expected
        assert any("3 files written" in n.message for n in app._notifications)
        # as `attune-tui apply` does: the plan records the checksums of the legacy files it applied
        assert set(load_plan(tiny_plan_path.read_text(encoding="utf-8")).checksums) == set(TINY)

        # a second look: everything is up to date, nothing to write
        dialog = await open_apply(app, pilot)
        assert set(listed(dialog).values()) == {"unchanged"}
        assert dialog.query_one("#apply-write", Button).disabled
        await pilot.press("escape")
        await pilot.pause()

        # a change to the plan and a file the plan does not produce
        (out / "20230101000001_old.sql").write_text("-- left over\n", encoding="utf-8")
        await pilot.press("down", "1")  # orders joins init
        dialog = await open_apply(app, pilot)
        kinds = listed(dialog)
        first, second, third = (f"migrations/{n}" for n in TINY)
        assert kinds[first] == "changed" and kinds[second] == "changed" and kinds[third] == "unchanged"
        assert kinds["migrations/20230101000001_old.sql"] == "stale"
        dialog.query_one(DataTable).move_cursor(row=0)
        await pilot.pause()
        diff = dialog.query_one("#apply-diff", SqlPreview).text
        assert "(on disk)" in diff and "+CREATE TABLE orders (" in diff
        await pilot.press("w")  # stale files: refused until "delete stale files" is ticked
        await pilot.pause()
        assert app.screen is dialog and (out / "20230101000001_old.sql").exists()
        assert any("stale" in n.message for n in app._notifications)
        await pilot.press("d")
        await pilot.pause()
        assert dialog.query_one(Checkbox).value
        assert str(dialog.query_one("#apply-write", Button).label) == "Write 2 files, delete 1"
        await pilot.press("w")
        await ready(app, pilot)
        assert isinstance(app.screen, ConsolidateScreen)
        assert not (out / "20230101000001_old.sql").exists()
        assert (out / TINY_FIRST).read_text(encoding="utf-8") == app.session.cons.render(TINY_FIRST).text
        assert app.session.dirty  # apply does not save the edited plan
        assert any("unsaved plan" in n.message for n in app._notifications)


TINY_FIRST = min(TINY)


async def test_apply_refuses_a_plan_with_errors(tiny_plan_path: Path) -> None:
    text = tiny_plan_path.read_text(encoding="utf-8")
    # a legacy file the plan does not assign (and that is not UTF-8): errors that stop apply
    bad = tiny_plan_path.parent / "migrations.old" / "20240104000001_bad.sql"
    bad.write_bytes(b"-- caf\xe9\nCREATE TABLE bad (id INT);\n")
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert app.session.cons.errors()
        dialog = await open_apply(app, pilot)
        assert dialog.query_one("#apply-write", Button).disabled and not dialog.kind_of
        status = str(dialog.query_one("#apply-status").render())
        assert "Nothing can be written" in status and "20240104000001_bad.sql" in status
        assert any(n.severity == "error" and "errors" in n.message for n in app._notifications)
        await pilot.press("w")  # nothing to confirm
        await pilot.pause()
        assert app.screen is dialog
    assert not (tiny_plan_path.parent / "migrations").exists()
    assert tiny_plan_path.read_text(encoding="utf-8") == text


async def test_apply_reads_seed_rows_on_a_real_database(tmp_path: Path, pg_server) -> None:
    shutil.copytree(ROOT / "migrations.old", tmp_path / "migrations.old")
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    session = Session.open(tmp_path / "consolidation.plan.yaml")
    assert session.plan.extract, "the bundled plan extracts the runtime rows"
    spec = session.plan.extract[0]
    app = AttuneApp(session, database_url=pg_server.admin_uri)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        dialog = await open_apply(app, pilot)
        kinds = listed(dialog)
        yaml_files = sorted(k for k in kinds if k.startswith(spec.to))
        assert yaml_files and all(kinds[k] == "new" for k in yaml_files)
        assert sum(1 for k in kinds if k.startswith(f"{session.plan.output}/")) == len(session.plan.targets)
        await pilot.press("w")
        await ready(app, pilot)
        assert isinstance(app.screen, ConsolidateScreen)
    folder = tmp_path / spec.to
    rows = parse_rows({p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.yaml")})
    assert len(rows) == len(yaml_files) > 0
    assert all(spec.key in r for r in rows)


def test_file_diff_shapes() -> None:
    assert file_diff("unchanged", "a.sql", b"x\n", b"x\n") == "# a.sql: unchanged, not rewritten\n"
    new = file_diff("new", "a.sql", None, b"CREATE TABLE a ();\n")
    assert new.splitlines()[:2] == ["--- /dev/null", "+++ a.sql (from the plan)"] and "+CREATE TABLE a ();" in new
    stale = file_diff("stale", "b.sql", b"DROP TABLE b;\n", None)
    assert "+++ /dev/null" in stale and "-DROP TABLE b;" in stale
