"""Statistics screen: the legacy chain against the generated one, measured the same way."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..core.stats import KEYS, LABELS, chain_stats, change
from .session import Session
from .widgets import HeaderBar


class StatsScreen(Screen):
    """Before/after table from ``chain_stats``, recomputed each time the screen is shown."""

    BINDINGS = [
        Binding("escape,s,q", "app.pop_screen", "back"),
        Binding("r", "recompute", "recompute"),
        Binding("question_mark", "help", "help", key_display="?"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.result: tuple[dict[str, int], dict[str, int]] | None = None

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Vertical(id="stats-panel", classes="panel"):
            yield DataTable(id="stats", cursor_type="row", zebra_stripes=True)
            yield Static("", id="stats-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HeaderBar).show(self.session)
        panel = self.query_one("#stats-panel")
        panel.border_title = "Statistics: legacy chain → consolidated chain"
        table = self.query_one(DataTable)
        table.add_column("Metric", width=30, key="metric")
        table.add_column("Before", width=8, key="before")
        table.add_column("After", width=8, key="after")
        table.add_column("Change", width=14, key="change")

    def on_screen_resume(self) -> None:
        self.action_recompute()

    def action_recompute(self) -> None:
        self.query_one("#stats-panel").loading = True
        self.compute()

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen())

    @work(thread=True, exclusive=True, group="stats")
    def compute(self) -> None:
        """Replaying the generated chain takes ~0.1 s on the example: off the UI thread."""
        s = self.session
        try:
            with s.lock:
                cons = s.build()
                before = chain_stats(cons.history.migrations, cons.replay)
                generated = cons.emitted_migrations()
                errors = len(cons.errors())
            after = chain_stats(generated)
        except Exception as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._show, before, after, errors)

    def _failed(self, e: Exception) -> None:
        self.query_one("#stats-panel").loading = False
        self.notify(f"{type(e).__name__}: {e}", title="Could not compute statistics", severity="error", timeout=10)

    def _show(self, before: dict[str, int], after: dict[str, int], errors: int) -> None:
        self.result = (before, after)
        table = self.query_one(DataTable)
        table.clear()
        for k in KEYS:
            b, a = before[k], after[k]
            style = "green" if a < b else "yellow" if a > b else "dim"
            table.add_row(LABELS[k], Text(f"{b:,}", justify="right"), Text(f"{a:,}", justify="right"),
                          Text(change(b, a), style, justify="right"), key=k)
        note = Text("Both chains are replayed by the same engine; nothing here is typed in. ", "dim")
        if errors:
            note.append(f"The plan has {errors} error{'s' if errors != 1 else ''}: "
                        "fix them before `attune-tui apply`.", "bold red")
        self.query_one("#stats-note", Static).update(note)
        self.query_one("#stats-panel").loading = False
