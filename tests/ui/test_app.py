"""Pilot tests of the consolidate screen: keys in, plan and screen out."""

from __future__ import annotations

from pathlib import Path

from attune_tui.core.plan import YAML_TARGET, dump_plan, load_plan
from attune_tui.ui.app import AttuneApp, run_app
from attune_tui.ui.consolidate import ConsolidateScreen
from attune_tui.ui.modals import ConfirmQuitScreen, StatementsScreen, TargetPickerScreen
from attune_tui.ui.preview import SqlPreview
from attune_tui.ui.session import Session
from attune_tui.ui.widgets import HeaderBar, LegacyTable, TargetTable

from .conftest import open_app, ready

SIZE = (120, 40)
CORE = "20250101000002_core_tables.sql"
INIT = "20250101000001_initial_setup.sql"


def pieces(app: AttuneApp, target: str) -> str:
    return str(app.screen.query_one(TargetTable).get_cell(target, "pieces"))


def header(app: AttuneApp) -> str:
    return str(app.screen.query_one(HeaderBar).render())


async def test_number_key_assigns_and_updates_preview_and_counts(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        screen = app.screen
        assert isinstance(screen, ConsolidateScreen)
        legacy = screen.query_one(LegacyTable)
        assert legacy.row_count == 22 and legacy.current_name() == INIT
        before_1, before_2 = int(pieces(app, INIT)), int(pieces(app, CORE))
        assert before_2 > 0
        assert "(modified)" not in header(app)

        await pilot.press("down")
        assert legacy.current_name() == CORE
        await pilot.press("1")
        await pilot.pause()

        assert app.session.plan.assign[CORE] == INIT
        assert int(pieces(app, CORE)) == 0
        assert int(pieces(app, INIT)) == before_1 + before_2
        assert str(legacy.get_cell(CORE, "target")) == "01"
        preview = screen.query_one(SqlPreview)
        assert screen.shown == INIT
        assert preview.text == app.session.cons.render(INIT).text
        assert "CREATE TABLE pack" in preview.text
        # the preview is scrolled to the first piece that came from core_tables
        piece = preview.current_piece()
        assert piece is not None and any(f == CORE for f, _ in piece.sources)
        assert "(modified)" in header(app)


async def test_undo_and_redo(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        original = int(pieces(app, CORE))
        await pilot.press("down", "3")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == "20250101000003_event_system.sql"
        assert int(pieces(app, CORE)) == 0

        await pilot.press("u")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == CORE
        assert int(pieces(app, CORE)) == original
        assert "(modified)" not in header(app)  # back to what the file holds

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == "20250101000003_event_system.sql"
        assert int(pieces(app, CORE)) == 0

        # more undos than changes: a notification, not a crash
        await pilot.press("u", "u", "u")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == CORE
        assert any("nothing to undo" in n.message for n in app._notifications)


async def test_yaml_key(plan_path: Path) -> None:
    seed = "20250101000006_core_runtime_seed.sql"
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        legacy = app.screen.query_one(LegacyTable)
        legacy.select_name(seed)
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.plan.assign[seed] == YAML_TARGET
        assert str(legacy.get_cell(seed, "target")) == "Y"
        assert str(legacy.get_cell(seed, "glyph")) in ("Y", "⚠")
        assert app.screen.shown == TargetTable.YAML_KEY
        assert seed in app.screen.query_one(SqlPreview).text


async def test_save_writes_the_plan(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1", "ctrl+s")
        await pilot.pause()
        saved = plan_path.read_text(encoding="utf-8")
        assert load_plan(saved).assign[CORE] == INIT
        assert saved == dump_plan(app.session.plan)
        assert not app.session.dirty
        assert "(modified)" not in header(app)
        # quitting now does not ask
        await pilot.press("q")
        await pilot.pause()
    assert app.return_value == 0


async def test_quit_with_unsaved_changes_asks(plan_path: Path) -> None:
    before = plan_path.read_text(encoding="utf-8")
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1", "q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("escape")  # cancel: still running, still modified
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert app.is_running
        await pilot.press("ctrl+q")  # the app-wide quit asks too
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuitScreen)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == 0
    assert plan_path.read_text(encoding="utf-8") == before  # quit without saving kept the file


async def test_quit_dialog_can_save(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "1", "q")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
    assert load_plan(plan_path.read_text(encoding="utf-8")).assign[CORE] == INIT


async def test_quit_without_changes_does_not_ask(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_statements_dialog_overrides_an_object(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, StatementsScreen)
        assert len(modal.rows) == len(app.session.statements_of(CORE)) > 0
        # the first statement of core_tables that leaves an object of its own
        table = modal.query_one("#st-table")
        index = next(i for i, (_st, _fate, ident) in enumerate(modal.rows) if ident)
        table.move_cursor(row=index)
        await pilot.pause()
        ident = modal.rows[index][2]
        await pilot.press("1")
        await pilot.pause()
        assert app.session.plan.overrides[ident] == INIT
        if not ident.startswith("statement:"):
            assert app.session.cons.target_of(ident) == INIT  # the engine placed it there
        assert str(table.get_cell_at((index, 5))) == "●"
        assert str(table.get_cell_at((index, 4))) == "01"
        await pilot.press("x")
        await pilot.pause()
        assert ident not in app.session.plan.overrides
        await pilot.press("escape", "u")  # undo the clear: the override is back
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert app.session.plan.overrides[ident] == INIT


async def test_picker_assigns_to_any_target(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "a")
        await pilot.pause()
        assert isinstance(app.screen, TargetPickerScreen)
        await pilot.press(*"unify_runt", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConsolidateScreen)
        assert app.session.plan.assign[CORE] == "20260203000001_unify_runtimes.sql"
        assert app.screen.shown == "20260203000001_unify_runtimes.sql"


async def test_number_beyond_the_targets_warns(tiny_plan_path: Path) -> None:
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        before = dict(app.session.plan.assign)
        await pilot.press("9")
        await pilot.pause()
        assert app.session.plan.assign == before
        assert any("there is no target 9" in n.message for n in app._notifications)


async def test_filter(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        legacy = app.screen.query_one(LegacyTable)
        await pilot.press("slash", *"webhook", "enter")
        await pilot.pause()
        names = [rk.value for rk in legacy.rows]
        assert 0 < len(names) < 22 and all("webhook" in n for n in names)
        assert app.focused is legacy
        await pilot.press("1")  # keys act on the filtered list
        await pilot.pause()
        assert app.session.plan.assign[names[0]] == INIT
        await pilot.press("escape")
        await pilot.pause()
        assert legacy.row_count == 22


async def test_command_palette_assigns(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*f"Assign {CORE} to YAML")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == YAML_TARGET


async def test_new_and_renamed_targets(tiny_plan_path: Path) -> None:
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("tab")  # the targets list
        assert isinstance(app.focused, TargetTable)
        await pilot.press("n", *"0001_base.sql", "enter")
        await pilot.pause()
        names = app.session.plan.target_names()
        assert names[1] == "0001_base.sql"
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*["backspace"] * 20, *"0001_schema.sql", "enter")
        await pilot.pause()
        assert app.session.plan.target_names()[1] == "0001_schema.sql"
        await pilot.press("u", "u")
        await pilot.pause()
        assert "0001_base.sql" not in app.session.plan.target_names()
        assert len(app.session.plan.targets) == 3


async def test_statistics_screen_is_recomputed(tiny_plan_path: Path) -> None:
    from attune_tui.ui.stats import StatsScreen

    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("s")
        await ready(app, pilot)
        stats = app.screen
        assert isinstance(stats, StatsScreen) and stats.result is not None
        before, after = stats.result
        assert before["migration_files"] == 3 and after["migration_files"] == 3
        assert before["columns_added_then_dropped"] == 1 and after["columns_added_then_dropped"] == 0
        await pilot.press("escape")
        # fold everything into target 1: the next visit counts one file with content
        for _ in range(2):
            await pilot.press("down", "1")
        await pilot.press("s")
        await ready(app, pilot)
        assert app.screen.result[1]["tables_created"] == 2


async def test_new_plan_is_announced(tmp_path: Path) -> None:
    (tmp_path / "migrations.old").mkdir()
    (tmp_path / "migrations.old" / "20240101000001_a.sql").write_text("CREATE TABLE a (id INT);\n")
    session = Session.open(tmp_path / "consolidation.plan.yaml")
    assert session.created and session.dirty
    app = AttuneApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        assert any("does not exist" in n.message for n in app._notifications)
        assert "not saved" in header(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert (tmp_path / "consolidation.plan.yaml").exists()


def test_run_app_without_source_folder(tmp_path: Path, capsys) -> None:
    code = run_app(tmp_path / "consolidation.plan.yaml", None, None, None)
    err = capsys.readouterr().err
    assert code == 2
    assert "migrations.old" in err and "does not exist" in err
    assert len(err.strip().splitlines()) == 1


def test_run_app_with_a_bad_plan(tmp_path: Path, capsys) -> None:
    (tmp_path / "migrations.old").mkdir()
    plan = tmp_path / "consolidation.plan.yaml"
    plan.write_text("version: 1\nbogus: 3\n")
    assert run_app(plan, None, None, None) == 2
    assert "bogus" in capsys.readouterr().err


async def test_narrow_terminal(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert app.screen.has_class("-narrow")
        legacy = app.screen.query_one(LegacyTable)
        assert legacy.region.width > 20 and app.screen.query_one(SqlPreview).region.width > 30
        await pilot.press("down", "1")
        await pilot.pause()
        assert app.session.plan.assign[CORE] == INIT


async def test_engine_failure_is_a_notification(tiny_plan_path: Path) -> None:
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)

        def broken(_target):
            raise RuntimeError("render exploded")

        app.session.cons.render = broken
        await pilot.press("down", "down", "1")
        await pilot.pause()
        assert app.is_running
        assert any("render exploded" in n.message for n in app._notifications)


async def test_preview_enter_jumps_to_the_legacy_source(tiny_plan_path: Path) -> None:
    app = open_app(tiny_plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await pilot.press("down", "down", "1")  # add_email folds into init's CREATE TABLE
        await pilot.pause()
        legacy = app.screen.query_one(LegacyTable)
        legacy.select_name("20240101000001_init.sql")
        await pilot.press("tab", "tab")
        preview = app.screen.query_one(SqlPreview)
        assert app.focused is preview
        preview.go_to_piece_from("20240103000001_add_email.sql")
        await pilot.pause()
        piece = preview.current_piece()
        assert piece is not None and piece.id == "table:account"
        assert "20240103000001_add_email.sql" in {f for f, _ in piece.sources}
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is legacy and legacy.current_name() == piece.sources[0][0]


async def test_mouse_selects_rows(plan_path: Path) -> None:
    app = open_app(plan_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        targets = app.screen.query_one(TargetTable)
        # the header is row 0 of the widget: y=3 is the third target
        await pilot.click(TargetTable, offset=(5, 3))
        await pilot.pause()
        third = app.session.plan.targets[2].file
        assert targets.current_key() == third and app.screen.shown == third
        legacy = app.screen.query_one(LegacyTable)
        await pilot.click(LegacyTable, offset=(5, 2))
        await pilot.pause()
        assert legacy.current_name() == CORE
        await pilot.click(LegacyTable, offset=(5, 2))  # a second click opens it
        await pilot.pause()
        assert isinstance(app.screen, StatementsScreen)
