"""Modal dialogs: quit confirmation, target picker, target editor, a migration's statements."""

from __future__ import annotations

from typing import Callable

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..core.plan import YAML_TARGET, PlanError
from .errors import guarded
from .highlight import highlight
from .session import Session
from .widgets import ellipsize


class ConfirmQuitScreen(ModalScreen[bool]):
    """Asked when quitting (or opening another plan) with unsaved changes; dismisses True to go on."""

    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y,d", "dismiss(True)", "Quit without saving"),
        Binding("s", "save_and_quit", "Save and quit"),
    ]

    def __init__(self, plan_name: str, action: str = "quit") -> None:
        super().__init__()
        self.plan_name = plan_name
        self.action = action  # what happens after the answer: "quit", "open another plan"

    def compose(self) -> ComposeResult:
        verb = self.action.split()[0]
        with Vertical(id="dialog", classes="confirm"):
            yield Label("Unsaved changes", classes="title")
            yield Static(f"The plan {self.plan_name} has changes that are not saved. "
                         f"{self.action[0].upper()}{self.action[1:]} anyway?")
            with Horizontal(classes="buttons"):
                yield Button(f"Save & {verb}", id="save", variant="primary")
                yield Button(f"Discard & {verb}", id="quit", variant="error")
                yield Button("Cancel", id="cancel")
            yield Label(f"s save and {verb} · y {verb} without saving · n / esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save_and_quit()
        else:
            self.dismiss(event.button.id == "quit")

    def action_save_and_quit(self) -> None:
        if getattr(self.app, "save_plan")():
            self.dismiss(True)


class TargetPickerScreen(ModalScreen[str | None]):
    """Choose a target (or YAML) by typing part of its name."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
    ]

    def __init__(self, session: Session, title: str, allow_yaml: bool = True, current: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.allow_yaml = allow_yaml
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label(self.title_text, classes="title")
            yield Input(placeholder="type to filter targets", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Label("enter choose · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.call_after_refresh(self._fit)  # refill once the list knows its width

    def _fit(self) -> None:
        self._fill(self.query_one("#picker-filter", Input).value)

    def _choices(self) -> list[tuple[str, Text]]:
        def label(number: str, name: str, purpose: str, key: str) -> Text:
            return Text.assemble((number, "bold"), name, ("  (current)" if key == self.current else "", "bold"),
                                 (f"  {purpose}" if purpose else "", "dim"))

        out = [(t.file, label(f"{i + 1:02d}  ", t.file, t.purpose, t.file))
               for i, t in enumerate(self.session.plan.targets)]
        if self.allow_yaml:
            out.append((YAML_TARGET, label(" Y  ", "YAML", "seed data: extract rows", YAML_TARGET)))
        return out

    def _fill(self, query: str) -> None:
        ol = self.query_one(OptionList)
        ol.clear_options()
        q = query.lower().strip()
        width = ol.scrollable_content_region.width - 2 if ol.size.width > 20 else 60  # one line per target: easy to scan
        for key, text in self._choices():
            if not q or q in text.plain.lower():
                text.truncate(width, overflow="ellipsis")
                ol.add_option(Option(text, id=key))
        if ol.option_count:
            ol.highlighted = 0
            if not q and self.current:
                try:
                    ol.highlighted = ol.get_option_index(self.current)
                except Exception:  # the current target is not listed
                    pass

    @on(Input.Changed, "#picker-filter")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self.dismiss(ol.get_option_at_index(ol.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, delta: int) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count:
            ol.highlighted = max(0, min((ol.highlighted or 0) + delta, ol.option_count - 1))


class TargetEditScreen(ModalScreen[tuple[str, str] | None]):
    """Name (and purpose) of a new or renamed target; the check runs before closing."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, file: str, purpose: str, check: Callable[[str], None]) -> None:
        super().__init__()
        self.title_text = title
        self.file = file
        self.purpose = purpose
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="editor"):
            yield Label(self.title_text, classes="title")
            yield Label("File name (in the output folder):")
            yield Input(self.file, id="file")
            yield Label("Purpose (one line, written as the file's header):")
            yield Input(self.purpose, id="purpose")
            yield Label("", id="error", classes="error")
            yield Label("enter save · esc cancel", classes="hint")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        file = self.query_one("#file", Input).value.strip()
        purpose = self.query_one("#purpose", Input).value.strip()
        try:
            self.check(file)
        except PlanError as e:
            self.query_one("#error", Label).update(str(e))
            return
        self.dismiss((file, purpose))


class StatementsScreen(ModalScreen[None]):
    """The statements of one legacy migration, their fate, and per-object overrides."""

    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        *[Binding(str(n), f"override_number({n})", "move object", key_display="1-9", show=n == 1,
                  tooltip="move the highlighted statement's object to target 1-9") for n in range(1, 10)],
        Binding("a", "pick", "move object to…", tooltip="move the highlighted statement's object to any target"),
        Binding("x,delete", "clear", "clear override", tooltip="send the object back to its migration's target"),
    ]

    def __init__(self, session: Session, legacy: str, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.session = session
        self.legacy = legacy
        self.on_change = on_change
        self.rows: list[tuple] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="statements"):
            yield Label("", id="st-title", classes="title")
            yield DataTable(id="st-table", cursor_type="row")
            yield Static("", id="st-detail")
            yield Label("1-9 / a: move the statement's object to a target · x: clear override · esc: close",
                        classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("lines", width=9, key="lines")
        table.add_column("kind", width=16, key="kind")
        table.add_column("object", width=34, key="object")
        table.add_column("fate", width=9, key="fate")
        table.add_column("→", width=2, key="target")
        table.add_column("ovr", width=3, key="ovr")
        self._fill()
        table.focus()

    @guarded
    def _fill(self) -> None:
        s = self.session
        cons = s.cons
        assert cons is not None
        fates = cons.fates()
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.rows = []
        target = s.plan.assign.get(self.legacy)
        self.query_one("#st-title", Label).update(Text.assemble(
            (self.legacy, "bold"), "  → ",
            ("YAML" if target == YAML_TARGET else f"{s.target_number(target)} {target}" if target else "unassigned",
             "bold")))
        for st in s.statements_of(self.legacy):
            fate = fates.get(st.seq)
            ident = s.override_ident(st, fate) if fate else None
            obj = fate.object if fate else ""
            where = cons.target_of(obj) if obj and obj in cons.catalog.objects else None
            over = ident is not None and ident in s.plan.overrides
            self.rows.append((st, fate, ident))
            fate_style = {"created": "green", "folded": "cyan", "dropped": "dim", "kept": "yellow",
                          "extracted": "magenta"}.get(fate.action if fate else "", "")
            table.add_row(
                f"{st.line}-{st.end_line}" if st.end_line != st.line else str(st.line),
                st.kind,
                ellipsize(obj or st.subject, 34),
                Text(fate.action if fate else "?", fate_style),
                Text(s.target_number(where) if where else "", justify="right"),
                Text("●" if over else "", "bold yellow"),
            )
        if self.rows:
            table.move_cursor(row=min(keep, len(self.rows) - 1))
        self._detail()

    def _current(self):
        table = self.query_one(DataTable)
        if not self.rows:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)]

    @on(DataTable.RowHighlighted)
    @guarded
    def _detail(self) -> None:
        cur = self._current()
        detail = self.query_one("#st-detail", Static)
        if cur is None:
            detail.update("")
            return
        st, fate, ident = cur
        head = Text.assemble((f"{fate.action}: " if fate else "", "bold"), fate.note if fate else "")
        if ident:
            target = self.session.plan.overrides.get(ident)
            head.append(f"\noverride key {ident}" + (f" → {target}" if target else " (none)"), "dim")
        else:
            head.append("\nnothing to move: this statement leaves no object of its own", "dim")
        lines = st.text.splitlines()
        snippet = "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else "")
        detail.update(Group(head, highlight(snippet, dark=self.app.current_theme.dark)))

    def _override(self, target: str | None) -> None:
        cur = self._current()
        if cur is None:
            return
        st, fate, ident = cur
        if ident is None:
            self.notify(f"{st.kind} at line {st.line} leaves no object to move", severity="warning")
            return
        try:
            changed = self.session.override(ident, target)
        except PlanError as e:
            self.notify(str(e), severity="error")
            return
        if changed:
            self.on_change()
            self._fill()
            self.notify(f"{ident} → {target}" if target else f"override of {ident} cleared", timeout=3)

    def action_override_number(self, n: int) -> None:
        targets = self.session.plan.targets
        if n > len(targets):
            self.notify(f"there is no target {n}", severity="warning")
            return
        self._override(targets[n - 1].file)

    def action_pick(self) -> None:
        cur = self._current()
        if cur is None:
            return

        def chosen(target: str | None) -> None:
            if target:
                self._override(target)

        self.app.push_screen(TargetPickerScreen(self.session, f"Move {cur[2] or 'object'} to…", allow_yaml=False), chosen)

    def action_clear(self) -> None:
        cur = self._current()
        if cur is not None and cur[2] and cur[2] in self.session.plan.overrides:
            self._override(None)

    def action_close(self) -> None:
        self.dismiss(None)
