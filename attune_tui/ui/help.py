"""Help screen: every key binding, read from the screens themselves so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

GLYPHS = [
    ("✓", "green", "assigned whole to one target"),
    ("◐", "cyan", "split: an override sends some of its objects to another target"),
    ("Y", "magenta", "assigned to YAML: its seed rows are extracted"),
    ("⚠", "yellow", "has a warning (red: an error) in the problems panel"),
    ("·", "dim", "not assigned yet"),
]


def _key(b: Binding) -> str:
    if b.key_display:
        return b.key_display
    return ", ".join(k.strip().replace("question_mark", "?").replace("slash", "/") for k in b.key.split(","))


def binding_rows(bindings) -> list[tuple[str, str]]:
    """(keys, what it does) for a BINDINGS list; numbered families (1-9) are listed once."""
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for b in bindings:
        if not isinstance(b, Binding):
            b = Binding(*b)
        name = b.action.split("(", 1)[0]
        if b.key_display == "1-9":
            if name in seen:
                continue
            seen.add(name)
        description = b.tooltip or b.description or name.replace("_", " ")
        rows.append((_key(b), description))
    return rows


def sections() -> list[tuple[str, list[tuple[str, str]]]]:
    from .app import AttuneApp
    from .apply import ApplyScreen
    from .checklist import ChecklistScreen
    from .checklist_modals import ConfirmDangerScreen, DeployScreen
    from .consolidate import ConsolidateScreen
    from .modals import ConfirmQuitScreen, StatementsScreen, TargetPickerScreen
    from .plan_files import PathScreen, RecoverScreen
    from .preview import SqlPreview
    from .stats import StatsScreen

    return [
        ("Consolidate screen", binding_rows(ConsolidateScreen.BINDINGS) + [
            ("tab / shift+tab", "next / previous panel"),
            ("↑ ↓ pgup pgdn", "move in the focused list"),
        ]),
        ("Preview (when focused)", binding_rows(SqlPreview.BINDINGS) + [("click", "move the cursor there")]),
        ("Statements dialog (enter on a migration)", binding_rows(StatementsScreen.BINDINGS)),
        ("Target picker (a)", binding_rows(TargetPickerScreen.BINDINGS) + [("enter", "choose"), ("type", "filter")]),
        ("Apply dialog (w)", binding_rows(ApplyScreen.BINDINGS) + [("↑ ↓", "file; its diff shows on the right")]),
        ("Open / export plan (o, e)", binding_rows(PathScreen.BINDINGS) + [("enter", "open / write")]),
        ("Recover autosaved changes", binding_rows(RecoverScreen.BINDINGS)),
        ("Quit confirmation", binding_rows(ConfirmQuitScreen.BINDINGS)),
        ("Statistics screen (s)", binding_rows(StatsScreen.BINDINGS)),
        ("Checklist screen (c)", binding_rows(ChecklistScreen.BINDINGS) + [
            ("click", "a row shows its log and details; click it again to run it")]),
        ("Deploy dialog (d) and confirmations", binding_rows(DeployScreen.BINDINGS)
         + binding_rows(ConfirmDangerScreen.BINDINGS)),
        ("Everywhere", binding_rows(AttuneApp.BINDINGS) + [("ctrl+p", "command palette: every action, and "
                                                              "\"Assign <migration> to <target>\"")]),
    ]


class HelpScreen(Screen):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "back")]

    def compose(self) -> ComposeResult:
        parts = sections()
        with VerticalScroll(id="help-body", classes="panel"):
            with Horizontal(id="help-columns"):
                yield Static(self._content(parts[:1], legend=True), id="help-left")
                yield Static(self._content(parts[1:]), id="help-right")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-body").border_title = "Help: keys"

    def _content(self, parts, legend: bool = False) -> Table:
        outer = Table.grid(padding=(0, 0))
        outer.add_column()
        if legend:
            glyphs = Table.grid(padding=(0, 2))
            glyphs.add_column(width=3)
            glyphs.add_column()
            for glyph, style, meaning in GLYPHS:
                glyphs.add_row(Text(glyph, style), meaning)
            outer.add_row(Text("Legacy list glyphs", "bold underline"))
            outer.add_row(glyphs)
            outer.add_row(Text(""))
        for i, (title, rows) in enumerate(parts):
            if i:
                outer.add_row(Text(""))
            outer.add_row(Text(title, "bold underline"))
            t = Table.grid(padding=(0, 2))
            t.add_column(width=14, style="bold cyan")
            t.add_column()
            for keys, what in rows:
                t.add_row(keys, what)
            outer.add_row(t)
        if legend:
            outer.add_row(Text(""))
            outer.add_row(Text("Mouse: click a row to highlight it, click it again to open it; the wheel scrolls.",
                               "dim"))
        return outer
