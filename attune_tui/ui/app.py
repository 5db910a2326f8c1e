"""The Textual app: ``attune-tui`` with no command opens it."""

from __future__ import annotations

import sys
from pathlib import Path

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from ..core.plan import PlanError
from .consolidate import ConsolidateScreen
from .modals import ConfirmQuitScreen
from .plan_files import RecoverScreen
from .session import Session
from .widgets import display_path

AUTOSAVE_DELAY = 1.0  # seconds of quiet after a change before the side file is written
LIGHT, DARK = "textual-light", "textual-dark"


class AttuneApp(App[int]):
    """Interactive consolidation of one migration history under one plan file."""

    CSS_PATH = "app.tcss"
    TITLE = "attune-tui"
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", show=False, priority=True,
                tooltip="quit (asks first when the plan has unsaved changes)"),
        Binding("ctrl+t", "toggle_dark", "light/dark", show=False,
                tooltip="switch between the light and the dark theme (ctrl+p → theme lists them all)"),
    ]

    def __init__(self, session: Session, database_url: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.database_url = database_url  # apply (final seed rows) and the checklist screen
        self._autosave_timer: Timer | None = None

    def on_mount(self) -> None:
        self.open_session(self.session)

    def open_session(self, session: Session, replace: bool = False) -> None:
        """Show a session on a new consolidate screen; first offer to recover what a crash left behind."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
            self._autosave_timer = None
        self.session = session
        session.on_change = self._schedule_autosave
        recovery = session.pending_recovery()
        screen = ConsolidateScreen(session, start=recovery is None)
        if replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if recovery is not None:
            def answered(recover: bool | None) -> None:
                if recover:
                    try:
                        session.recover(recovery)
                    except PlanError as e:
                        self.notify(f"could not recover: {e}", severity="error", timeout=10)
                    else:
                        self.notify(f"recovered the unsaved changes from {display_path(session.autosave_path)}; "
                                    "ctrl+s writes them to the plan", title="Recovered", timeout=6)
                else:
                    session.discard_autosave()
                screen.start()

            self.push_screen(RecoverScreen(display_path(session.ws.plan_path), display_path(session.autosave_path)),
                             answered)
        elif session.created:
            self.notify(f"{display_path(session.ws.plan_path)} does not exist: started from one target per "
                        f"legacy file in {session.plan.source}. ctrl+s writes it.",
                        title="New plan", timeout=8)

    # --- autosave ---------------------------------------------------------------

    def _schedule_autosave(self) -> None:
        """Debounced: a burst of edits is written once, AUTOSAVE_DELAY after the last."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(AUTOSAVE_DELAY, self._autosave_now)

    def _autosave_now(self) -> None:
        self._autosave_timer = None
        self._write_autosave(self.session)

    @work(thread=True, exclusive=True, group="autosave", exit_on_error=False)
    def _write_autosave(self, session: Session) -> None:
        try:
            session.autosave()
        except OSError as e:
            self.call_from_thread(self.notify, f"could not write {display_path(session.autosave_path)}: {e}",
                                  title="Autosave failed", severity="error", timeout=8)

    def action_toggle_dark(self) -> None:
        self.theme = LIGHT if self.current_theme.dark else DARK

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

    def _exit_clean(self) -> None:
        """A quit the user chose: nothing is left to recover (only a crash leaves the side file)."""
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self.session.discard_autosave()
        self.exit(0)

    async def action_quit(self) -> None:
        if not self.session.dirty:
            self._exit_clean()
            return
        if isinstance(self.screen, ConfirmQuitScreen):
            return

        def answered(quit_: bool | None) -> None:
            if quit_:
                self._exit_clean()

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
