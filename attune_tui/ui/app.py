"""The Textual app: ``attune-tui`` with no command opens it."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..core.plan import PlanError
from .consolidate import ConsolidateScreen
from .modals import ConfirmQuitScreen
from .session import Session
from .widgets import display_path


class AttuneApp(App[int]):
    """Interactive consolidation of one migration history under one plan file."""

    CSS_PATH = "app.tcss"
    TITLE = "attune-tui"
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", show=False, priority=True,
                tooltip="quit (asks first when the plan has unsaved changes)"),
    ]

    def __init__(self, session: Session, database_url: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.database_url = database_url  # for the checklist screen, later

    def on_mount(self) -> None:
        self.push_screen(ConsolidateScreen(self.session))
        if self.session.created:
            self.notify(f"{display_path(self.session.ws.plan_path)} does not exist: started from one target per "
                        f"legacy file in {self.session.plan.source}. ctrl+s writes it.",
                        title="New plan", timeout=8)

    def save_plan(self) -> bool:
        """Write the plan file atomically; True on success (errors are notifications)."""
        try:
            path = self.session.save()
        except (OSError, PlanError) as e:
            self.notify(f"could not save {display_path(self.session.ws.plan_path)}: {e}", severity="error", timeout=8)
            return False
        self.notify(f"saved {display_path(path)}", timeout=3)
        for header in self.screen.query("HeaderBar"):
            header.show(self.session)  # type: ignore[attr-defined]
        return True

    async def action_quit(self) -> None:
        if not self.session.dirty:
            self.exit(0)
            return
        if isinstance(self.screen, ConfirmQuitScreen):
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self.exit(0)

        self.push_screen(ConfirmQuitScreen(display_path(self.session.ws.plan_path)), answered)


def run_app(plan_path: Path, source: str | None, out: str | None, database_url: str | None) -> int:
    """Open the app; bad input is one sentence on stderr and exit status 2, before any screen."""
    try:
        session = Session.open(Path(plan_path), source, out)
    except PlanError as e:
        print(f"attune-tui: {e}", file=sys.stderr)
        return 2
    result = AttuneApp(session, database_url).run()
    return result or 0
