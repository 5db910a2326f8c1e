"""The consolidate screen: legacy migrations, targets, live preview, problems."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from ..core.plan import YAML_TARGET, PlanError
from .commands import AttuneCommands
from .errors import guarded
from .modals import ConfirmQuitScreen, StatementsScreen, TargetEditScreen, TargetPickerScreen
from .session import Session
from .preview import SqlPreview
from .widgets import HeaderBar, LegacyTable, ProblemsTable, TargetTable, display_path, problem_summary

NARROW = 110  # below this width the two lists are stacked


class ConsolidateScreen(Screen):
    """Default screen. Every binding here is listed by the help screen."""

    COMMANDS = {AttuneCommands}
    BINDINGS = [
        *[Binding(str(n), f"assign_number({n})", "assign", key_display="1-9", show=n == 1,
                  tooltip="assign the highlighted migration to target 1-9") for n in range(1, 10)],
        Binding("a", "pick_target", "assign to…", show=False,
                tooltip="assign the highlighted migration to any target (picker)"),
        Binding("y", "assign_yaml", "yaml", tooltip="assign the highlighted migration to YAML (seed data)"),
        Binding("enter", "statements", "statements", show=False,
                tooltip="statements of the highlighted migration: kind, lines, fate; override their objects"),
        Binding("u", "undo", "undo", tooltip="undo the last assignment, override or target edit"),
        Binding("ctrl+r", "redo", "redo", tooltip="redo what was undone"),
        Binding("p", "toggle_provenance", "provenance",
                tooltip="toggle the provenance overlay: legacy file:line and notes above each piece"),
        Binding("slash", "filter", "filter", key_display="/", tooltip="filter the legacy migrations by name"),
        Binding("escape", "escape", "clear filter", show=False, tooltip="clear the filter"),
        Binding("n", "new_target", "new target", show=False, tooltip="add a target after the highlighted one"),
        Binding("r", "rename_target", "rename target", show=False,
                tooltip="rename the highlighted target, edit its purpose"),
        Binding("shift+up", "move_target(-1)", "move target up", show=False,
                tooltip="move the highlighted target earlier"),
        Binding("shift+down", "move_target(1)", "move target down", show=False,
                tooltip="move the highlighted target later"),
        Binding("delete", "remove_target", "remove empty target", show=False,
                tooltip="remove the highlighted target (only when nothing goes to it)"),
        Binding("s", "stats", "stats", tooltip="statistics: legacy chain against consolidated chain"),
        Binding("c", "checklist", "checklist", tooltip="the completion checklist: run the verification steps"),
        Binding("w", "apply", "apply", tooltip="apply: show what the plan writes (new, changed, stale files, "
                "with diffs), then write it"),
        Binding("ctrl+s", "save", "save", tooltip="save the plan file"),
        Binding("o", "open_plan", "open plan", show=False,
                tooltip="open another plan file (asks first when this one has unsaved changes)"),
        Binding("e", "export_plan", "export plan", show=False, tooltip="export the plan as YAML to another file"),
        Binding("question_mark", "help", "help", key_display="?", tooltip="this help"),
        Binding("q", "quit", "quit", tooltip="quit (asks first when the plan has unsaved changes)"),
    ]

    def __init__(self, session: Session, start: bool = True) -> None:
        super().__init__()
        self.session = session
        self.shown: str | None = None  # target key shown in the preview
        self.ready = False
        self._titles: dict[str, str] = {}  # panel id → border title last set
        self._piece_shown: tuple | None = None  # what the piece line shows
        self.autostart = start  # False: the app first asks whether to recover an autosaved plan

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="main"):
            with Container(id="lists"):
                with Vertical(id="legacy-panel", classes="panel"):
                    yield Input(placeholder="filter migrations (enter: done, esc: clear)", id="filter")
                    yield LegacyTable(id="legacy")
                with Vertical(id="targets-panel", classes="panel"):
                    yield TargetTable(id="targets")
            with Vertical(id="preview-panel", classes="panel"):
                yield SqlPreview(id="preview")
                yield Static("", id="piece-info")
        with Vertical(id="problems-panel", classes="panel"):
            yield ProblemsTable(id="problems")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#legacy-panel").border_title = "Legacy"
        self.query_one("#legacy-panel").border_subtitle = "/ filter · enter statements"
        self.query_one("#targets-panel").border_title = "Targets"
        self.query_one("#targets-panel").border_subtitle = "n new · r rename"
        self.query_one("#preview-panel").border_title = "Preview"
        self.query_one("#preview-panel").border_subtitle = "p provenance"
        self.query_one("#problems-panel").border_title = "Problems"
        self.query_one(HeaderBar).show(self.session)
        self._narrow(self.app.size.width)
        self.query_one("#main").loading = True
        if self.autostart:
            self.start()

    def start(self) -> None:
        """Show the session: build the consolidation in a worker unless it is built already."""
        if self.session.cons is None:
            self.query_one("#main").loading = True
            # replaying the chain holds the GIL for a while: paint the frame first, then start it
            self.call_after_refresh(self.load)
        else:
            self._loaded()

    def on_resize(self, event: Resize) -> None:
        self._narrow(event.size.width)

    def _narrow(self, width: int) -> None:
        self.set_class(width < NARROW, "-narrow")
        self.query_one(Footer).compact = width < NARROW

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """The chain is replayed once, off the UI thread."""
        try:
            self.session.build()
        except Exception as e:  # report, never a traceback
            self.app.call_from_thread(self._load_failed, e)
            return
        self.app.call_from_thread(self._loaded)

    def _load_failed(self, e: Exception) -> None:
        self.query_one("#main").loading = False
        self._piece_shown = ("load failed",)
        self.query_one("#piece-info", Static).update(Text(f"Could not consolidate this history: {e}", "bold red"))
        self.notify(f"{type(e).__name__}: {e}", title="Could not consolidate this history", severity="error",
                    timeout=30)

    def _loaded(self) -> None:
        if not self.is_attached:  # replaced (another plan was opened) while it was loading
            return
        self.ready = True
        self.query_one("#main").loading = False
        self.refresh_all()
        legacy = self.query_one(LegacyTable)
        legacy.focus()
        first = legacy.current_name()
        if first:
            self._follow(first)
        elif self.session.plan.targets:
            self.show_target(self.session.plan.targets[0].file)
        self.call_after_refresh(self.session.freeze_survivors)  # once the filled lists are on screen

    # --- refreshing ------------------------------------------------------------

    def _set_title(self, panel: str, title: str | Text) -> None:
        """A panel's border title, set only when it changes: setting one repaints the whole panel."""
        markup = title if isinstance(title, str) else title.markup
        if self._titles.get(panel) != markup:
            self._titles[panel] = markup
            self.query_one(f"#{panel}").border_title = title

    @guarded
    def refresh_all(self, show: bool = True) -> None:
        """Every list and title from the session; ``show``: also the preview (False when the caller shows one)."""
        s = self.session
        self.query_one(HeaderBar).show(s)
        legacy = self.query_one(LegacyTable)
        legacy.set_rows(s.legacy_rows())
        self._legacy_title()
        targets = self.query_one(TargetTable)
        targets.set_rows(s.target_rows(), len(s.yaml_legacy()))
        self._set_title("targets-panel", f"Targets {len(s.plan.targets)}")
        problems = s.problems()
        self.query_one(ProblemsTable).set_problems(problems)
        self._set_title("problems-panel", problem_summary(s.problem_counts()))
        if self.shown is not None and self.shown != TargetTable.YAML_KEY and self.shown not in s.plan.target_names():
            self.shown = None
        if not show:
            return
        if self.shown is None and s.plan.targets:
            self.show_target(s.plan.targets[0].file)
        elif self.shown is not None:
            self.show_target(self.shown, keep=True)

    def _legacy_title(self) -> None:
        legacy = self.query_one(LegacyTable)
        total = len(legacy.rows_data)
        shown = len(legacy.visible_rows())
        title = f"Legacy {total}" if shown == total else f"Legacy {shown}/{total}  filter: {legacy.filter_text}"
        self._set_title("legacy-panel", title)

    def show_target(self, key: str, keep: bool = False, focus_legacy: str | None = None) -> None:
        s = self.session
        preview = self.query_one(SqlPreview)
        if key in (TargetTable.YAML_KEY, YAML_TARGET):
            key = TargetTable.YAML_KEY
            preview.show(self._yaml_text(), [], language="yaml", keep_position=keep and self.shown == key)
            self._set_title("preview-panel", "Y  YAML seed data")
        else:
            emitted = s.cons.render(key)
            preview.show(emitted.text, emitted.pieces, keep_position=keep and self.shown == key)
            self._set_title("preview-panel", f"{s.target_number(key)}  {key}")
        self.shown = key
        if focus_legacy:
            preview.go_to_piece_from(focus_legacy)
        self._piece_info(preview.current_piece())

    def _yaml_text(self) -> str:
        s = self.session
        cons = s.cons
        lines = ["# Seed data leaves the migrations: the final rows of each extracted table",
                 "# become YAML files (read back from a replay of the legacy chain on a real database).", ""]
        if s.plan.extract:
            lines.append("extract:")
            for e in s.plan.extract:
                lines += [f"  - table: {e.table}", f"    to: {e.to}", f"    file: '{e.file}'", f"    key: {e.key}"]
        else:
            lines.append("extract: []  # no table is extracted by this plan")
        yaml_files = s.yaml_legacy()
        lines += ["", "# legacy migrations assigned to YAML:" if yaml_files else "# no legacy migration is assigned to YAML"]
        lines += [f"#   {f}" for f in yaml_files]
        fates = cons.fates()
        extracted = [st for st in cons.replay.statements if fates.get(st.seq) and fates[st.seq].action == "extracted"]
        if extracted:
            lines += ["", "# statements whose rows go to YAML:"]
            lines += [f"#   {st.file}:{st.line}  {st.text.splitlines()[0][:70]}" for st in extracted]
        return "\n".join(lines) + "\n"

    def _piece_info(self, piece) -> None:
        """The line under the preview: the piece at the cursor, where it came from, its notes.

        Shown again only when it changes, and laid out only when its height does:
        a layout repaints the panels around it.
        """
        shown = None if piece is None else (piece.id, tuple(piece.sources), tuple(piece.notes))
        if shown == self._piece_shown:
            return
        self._piece_shown = shown
        info = self.query_one("#piece-info", Static)
        t = Text("", "dim")
        if piece is not None:
            t = Text.assemble((piece.id, "bold"))
            if piece.sources:
                t.append("  ←" + ", ".join(f"{f.removesuffix('.sql')}:{line}" for f, line in piece.sources), "dim")
            for note in piece.notes:
                t.append(f"\n⚑ {note}", "yellow")
        info.update(t, layout=False)
        width = info.content_region.width
        if not width or self._piece_height(info, width) != info.content_region.height:
            info.refresh(layout=True)

    def _piece_height(self, info: Static, width: int) -> int:
        """The height the piece line's content takes (as ``height: auto`` computes it), within its max-height."""
        height = info.get_content_height(info.container_size, self.app.size, width)
        limit = info.styles.max_height
        if limit is not None and limit.is_cells:
            height = min(height, int(limit.value) - info.styles.gutter.height)
        return height

    @guarded
    def _follow(self, legacy: str) -> None:
        """Show the target a legacy migration goes to, scrolled to its first piece."""
        target = self.session.plan.assign.get(legacy)
        if target is None:
            return
        self.show_target(target, focus_legacy=legacy)
        self.query_one(TargetTable).select_key(TargetTable.YAML_KEY if target == YAML_TARGET else target)

    # --- events ------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#legacy")
    def _legacy_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.ready and event.row_key is not None and event.row_key.value:
            self._follow(event.row_key.value)

    @on(DataTable.RowHighlighted, "#targets")
    def _target_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.ready and event.row_key is not None and event.row_key.value != self.shown:
            self._guarded_show(event.row_key.value)

    @guarded
    def _guarded_show(self, key: str) -> None:
        self.show_target(key)

    @on(DataTable.RowSelected, "#legacy")
    def _legacy_selected(self) -> None:
        self.action_statements()

    @on(DataTable.RowSelected, "#targets")
    def _target_selected(self) -> None:
        self.query_one(SqlPreview).focus()

    @on(SqlPreview.PieceHighlighted)
    @guarded
    def _piece_highlighted(self, event: SqlPreview.PieceHighlighted) -> None:
        # the piece at the cursor now: showing a target posts one message per cursor move, handled
        # after the frame that showed it, and an earlier piece would flash under the preview
        self._piece_info(event.preview.current_piece())

    @on(ProblemsTable.JumpTo)
    @on(SqlPreview.JumpToLegacy)
    def _jump(self, event: ProblemsTable.JumpTo | SqlPreview.JumpToLegacy) -> None:
        legacy = self.query_one(LegacyTable)
        if not legacy.select_name(event.file):
            self._set_filter("")
            legacy.select_name(event.file)
        legacy.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        legacy = self.query_one(LegacyTable)
        legacy.set_rows(legacy.rows_data, event.value)
        self._legacy_title()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(LegacyTable).focus()

    def _set_filter(self, value: str) -> None:
        f = self.query_one("#filter", Input)
        f.value = value
        legacy = self.query_one(LegacyTable)
        legacy.set_rows(legacy.rows_data, value)
        f.set_class(bool(value), "-active")
        self._legacy_title()

    # --- the current selection ----------------------------------------------------

    def current_legacy(self) -> str | None:
        return self.query_one(LegacyTable).current_name()

    def current_target(self) -> str | None:
        key = self.query_one(TargetTable).current_key()
        return None if key in (None, TargetTable.YAML_KEY) else key

    def _need_legacy(self) -> str:
        if not self.ready:
            raise PlanError("the history is still being loaded")
        name = self.current_legacy()
        if name is None:
            raise PlanError("no legacy migration is highlighted")
        return name

    # --- actions -----------------------------------------------------------------

    @guarded
    def assign(self, legacy: str, target: str) -> None:
        """Assign (undoable), then show the target with the migration's first piece at the top."""
        if self.session.assign(legacy, target):
            self.refresh_all(show=False)  # _follow shows the target: rendering it twice cost a frame
        self._follow(legacy)

    def action_assign_number(self, n: int) -> None:
        targets = self.session.plan.targets
        if n > len(targets):
            self.notify(f"there is no target {n}; press a to choose among all {len(targets)}", severity="warning")
            return
        self._assign_current(targets[n - 1].file)

    @guarded
    def _assign_current(self, target: str) -> None:
        self.assign(self._need_legacy(), target)

    def action_assign_yaml(self) -> None:
        self._assign_current(YAML_TARGET)

    @guarded
    def action_pick_target(self) -> None:
        legacy = self._need_legacy()

        def chosen(target: str | None) -> None:
            if target:
                self.assign(legacy, target)

        self.app.push_screen(TargetPickerScreen(self.session, f"Assign {legacy} to…",
                                                current=self.session.plan.assign.get(legacy)), chosen)

    @guarded
    def action_statements(self) -> None:
        legacy = self._need_legacy()
        self.app.push_screen(StatementsScreen(self.session, legacy, self._after_override))

    def _after_override(self) -> None:
        self.refresh_all()

    @guarded
    def action_undo(self) -> None:
        label = self.session.undo() if self.ready else None
        if label is None:
            self.notify("nothing to undo", timeout=2)
            return
        self.refresh_all()
        self._refollow()
        self.notify(f"undid: {label}", timeout=3)

    @guarded
    def action_redo(self) -> None:
        label = self.session.redo() if self.ready else None
        if label is None:
            self.notify("nothing to redo", timeout=2)
            return
        self.refresh_all()
        self._refollow()
        self.notify(f"redid: {label}", timeout=3)

    def _refollow(self) -> None:
        if self.focused is self.query_one(LegacyTable):
            name = self.current_legacy()
            if name:
                self._follow(name)

    def action_toggle_provenance(self) -> None:
        preview = self.query_one(SqlPreview)
        preview.provenance = not preview.provenance
        self.query_one("#preview-panel").border_subtitle = f"p provenance {'on' if preview.provenance else 'off'}"

    def action_filter(self) -> None:
        f = self.query_one("#filter", Input)
        f.add_class("-active")
        f.focus()

    def action_escape(self) -> None:
        f = self.query_one("#filter", Input)
        if f.has_class("-active"):
            self._set_filter("")
            self.query_one(LegacyTable).focus()

    def action_save(self) -> None:
        self.app.save_plan()

    # --- plan files and apply ------------------------------------------------------

    def action_open_plan(self) -> None:
        from .plan_files import PathScreen, open_plan_at

        old = self.session
        discarded: list[bool] = []

        def chosen(session: Session | None) -> None:
            if session is not None:
                if discarded:  # the user threw the changes away: the side file goes with them
                    old.discard_autosave()
                self.app.open_session(session, replace=True)

        def ask_path() -> None:
            self.app.push_screen(PathScreen("Open another plan", "Plan file (YAML):", "",
                                            "enter open · esc cancel", open_plan_at), chosen)

        if not self.session.dirty:
            ask_path()
            return

        def answered(go_on: bool | None) -> None:
            if go_on:
                if old.dirty:  # "discard" (a "save" left nothing unsaved)
                    discarded.append(True)
                ask_path()

        self.app.push_screen(ConfirmQuitScreen(display_path(self.session.ws.plan_path), action="open another plan"),
                             answered)

    def action_export_plan(self) -> None:
        from .plan_files import PathScreen, export_plan_to

        s = self.session
        default = display_path(s.ws.plan_path.with_name(s.ws.plan_path.stem + ".export.yaml"))

        def done(path: Path | None) -> None:
            if path is not None:
                self.notify(f"exported the plan to {display_path(path)}", timeout=4)

        self.app.push_screen(PathScreen("Export the plan as YAML", "Write to:", default,
                                        "enter write · esc cancel", lambda text: export_plan_to(s, text),
                                        confirm_overwrite=True), done)

    def action_apply(self) -> None:
        if not self.ready:
            self.notify("the history is still being loaded", severity="warning")
            return
        from .apply import ApplyScreen

        self.app.push_screen(ApplyScreen(self.session, getattr(self.app, "database_url", None)))

    def action_stats(self) -> None:
        if not self.ready:
            self.notify("the history is still being loaded", severity="warning")
            return
        from .stats import StatsScreen

        self.app.push_screen(StatsScreen(self.session))

    def action_checklist(self) -> None:
        from .checklist import ChecklistScreen

        self.app.push_screen(ChecklistScreen(self.session, getattr(self.app, "database_url", None)))

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        await self.app.action_quit()

    # --- target editing ----------------------------------------------------------------

    @guarded
    def action_new_target(self) -> None:
        if not self.ready:
            raise PlanError("the history is still being loaded")
        s = self.session
        after = s.plan.target_index(self.current_target()) if self.current_target() else None

        def check(file: str) -> None:
            s._check_target_name(file)

        def done(result: tuple[str, str] | None) -> None:
            if result:
                self._add_target(result[0], result[1], after)

        self.app.push_screen(TargetEditScreen("New target", "", "", check), done)

    @guarded
    def _add_target(self, file: str, purpose: str, after: int | None) -> None:
        self.session.add_target(file, purpose, after)
        self.refresh_all()
        self.query_one(TargetTable).select_key(file)

    @guarded
    def action_rename_target(self) -> None:
        s = self.session
        old = self.current_target()
        if old is None:
            raise PlanError("highlight a target in the targets list to rename it")
        t = s.plan.targets[s.plan.target_index(old)]

        def check(file: str) -> None:
            if file != old:
                s._check_target_name(file)

        def done(result: tuple[str, str] | None) -> None:
            if result:
                self._rename(old, *result)

        self.app.push_screen(TargetEditScreen(f"Rename {old}", t.file, t.purpose, check), done)

    @guarded
    def _rename(self, old: str, new: str, purpose: str) -> None:
        if self.session.rename_target(old, new, purpose):
            if self.shown == old:
                self.shown = new
            self.refresh_all()
            self.query_one(TargetTable).select_key(new)

    @guarded
    def action_move_target(self, delta: int) -> None:
        name = self.current_target()
        if name is None:
            raise PlanError("highlight a target in the targets list to move it")
        if self.session.move_target(name, delta):
            self.refresh_all()
            self.query_one(TargetTable).select_key(name)

    @guarded
    def action_remove_target(self) -> None:
        name = self.current_target()
        if name is None:
            raise PlanError("highlight a target in the targets list to remove it")
        if self.session.remove_target(name):
            self.refresh_all()
            self.notify(f"removed {name} (u to undo)", timeout=3)
