"""The checklist's dialogs: confirming a step that cannot be undone, and deploying to the development database.

Both exist because some checklist actions leave the throwaway databases: the
real deploy rewrites a development database's ``_sqlx_migrations`` and
"delete backup" removes the only copy of the legacy chain.  Neither happens
without an explicit confirmation, and the confirm button never has the focus
first, so a stray enter cancels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RichLog, Static

from ..checklist.model import Event, StepFailed, StepLog
from ..core.plan import PlanError
from ..db.errors import DatabaseError

if TYPE_CHECKING:
    from .checklist import ChecklistScreen


class ConfirmDangerScreen(ModalScreen[bool]):
    """Yes/no for an action that cannot be undone; dismisses True only on an explicit yes."""

    BINDINGS = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y", "dismiss(True)", "Confirm", tooltip="confirm the irreversible action"),
    ]

    def __init__(self, title: str, message: str, confirm: str) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm danger"):
            yield Label(Text(self.title_text, "bold red"), classes="title")
            yield Static(self.message, id="danger-message")
            with Horizontal(classes="buttons"):
                yield Button(self.confirm, id="confirm", variant="error")
                yield Button("Cancel", id="cancel")
            yield Label("y confirm · n / esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")


class DeployLog(Message):
    """A log line of a deploy check or apply, posted from the worker thread."""

    def __init__(self, line: str) -> None:
        super().__init__()
        self.line = line


class DeployDone(Message):
    """The deploy worker ended: ``ok`` with the one-line result, or why not."""

    def __init__(self, url: str, apply: bool, ok: bool, result: str) -> None:
        super().__init__()
        self.url, self.apply, self.ok, self.result = url, apply, ok, result


class DeployScreen(ModalScreen[None]):
    """Check the development database, show the rebaseline SQL, then apply it after a second confirmation."""

    DEFAULT_CSS = """
    DeployScreen #dialog.deploy {
        width: 96%;
        max-width: 130;
        height: 90%;
    }
    DeployScreen #deploy-status {
        height: auto;
        margin: 1 0 0 0;
    }
    DeployScreen #deploy-log {
        height: 1fr;
        min-height: 3;
        border: round $foreground 25%;
        background: $surface;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+r", "check", "Check", tooltip="check the database and show the rebaseline SQL (nothing changes)"),
        Binding("ctrl+y", "apply", "Apply", tooltip="run the rebaseline on the database (asks first)"),
    ]

    def __init__(self, owner: ChecklistScreen, url: str) -> None:
        super().__init__()
        self.owner = owner
        self.url = url
        self.checked: str | None = None  # the URL whose check passed: only it may be applied
        self.busy = False
        self.applied = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="deploy"):
            yield Label("Deploy to the development database", classes="title")
            yield Static("Rebaselines a database at the last legacy version: its _sqlx_migrations then records the "
                         "consolidated chain. Checked first; nothing changes until you confirm.", id="deploy-intro")
            yield Input(self.url, placeholder="postgresql://user@localhost/dbname (checklist.dev_database)",
                        id="deploy-url")
            yield Static("", id="deploy-status")
            yield RichLog(id="deploy-log", wrap=False, markup=False, highlight=False, auto_scroll=True)
            with Horizontal(classes="buttons"):
                yield Button("Check", id="deploy-check", variant="primary")
                yield Button("Apply rebaseline", id="deploy-apply", variant="error", disabled=True)
                yield Button("Close", id="deploy-close")
            yield Label("enter / ^r check · ^y apply (asks first) · esc close", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#deploy-url", Input).focus()
        self._status(Text("Enter the URL and check: only a local database at the last legacy version is accepted.",
                          "dim"))

    def _status(self, text: Text | str) -> None:
        self.query_one("#deploy-status", Static).update(text)

    def _url(self) -> str:
        return self.query_one("#deploy-url", Input).value.strip()

    def _buttons(self) -> None:
        self.query_one("#deploy-check", Button).disabled = self.busy
        self.query_one("#deploy-apply", Button).disabled = self.busy or self.applied or self.checked != self._url()

    @on(Input.Changed, "#deploy-url")
    def _url_changed(self) -> None:
        self._buttons()

    @on(Input.Submitted, "#deploy-url")
    def _submitted(self) -> None:
        self.action_check()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        {"deploy-check": self.action_check, "deploy-apply": self.action_apply,
         "deploy-close": self.action_close}[event.button.id or "deploy-close"]()

    def action_close(self) -> None:
        if self.busy:
            self.notify("the database is being checked or changed; wait for it to finish", severity="warning")
            return
        self.dismiss(None)

    def action_check(self) -> None:
        url = self._url()
        if self.busy:
            return
        if not url:
            self.notify("enter the development database's URL first", severity="warning")
            return
        self._start(url, apply=False)

    def action_apply(self) -> None:
        url = self._url()
        if self.busy or self.applied:
            return
        if self.checked != url:
            self.notify("check this database first (enter)", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._start(url, apply=True)

        self.app.push_screen(ConfirmDangerScreen(
            "Rebaseline the development database?",
            f"This rewrites _sqlx_migrations of {_where(url)}: the legacy versions are replaced by the "
            "consolidated chain's. The schema is not touched, but going back means restoring the table "
            "from a backup.", "Rebaseline"), answered)

    def _start(self, url: str, apply: bool) -> None:
        self.busy = True
        self._buttons()
        self.query_one("#deploy-log", RichLog).clear()
        verb = "Applying the rebaseline on" if apply else "Checking"
        self._status(Text(f"{verb} {_where(url)}…", "bold"))
        self.run_deploy(url, apply)

    @work(thread=True, exclusive=True, group="deploy", exit_on_error=False)
    def run_deploy(self, url: str, apply: bool) -> None:
        """deploy_to in the checklist's run context (so the consolidated schema is built once)."""
        from ..checklist.deploy import deploy_to
        from ..checklist.model import Reporter

        def listen(event: Event) -> None:
            if isinstance(event, StepLog):
                self.post_message(DeployLog(event.line))

        try:
            ctx = self.owner.acquire_context()
        except Exception as e:  # a plan the engine refuses: one sentence
            self.post_message(DeployDone(url, apply, False, _sentence(e)))
            return
        try:
            result = deploy_to(ctx, url, Reporter("deploy", listen), apply)
        except StepFailed as e:
            self.post_message(DeployDone(url, apply, False, e.result))
        except Exception as e:
            self.post_message(DeployDone(url, apply, False, _sentence(e)))
        else:
            self.post_message(DeployDone(url, apply, True, result))
        finally:
            self.owner.release_context()

    @on(DeployLog)
    def _log(self, message: DeployLog) -> None:
        self.query_one("#deploy-log", RichLog).write(_sql_line(message.line))

    @on(DeployDone)
    def _done(self, message: DeployDone) -> None:
        self.busy = False
        if message.ok:
            if message.apply:
                self.applied = True
                self._status(Text.assemble(("✓ ", "bold green"), message.result))
                self.notify(message.result, title="Deployed", timeout=8)
            else:
                self.checked = message.url
                self._status(Text.assemble(("✓ ", "bold green"), message.result,
                                           ("  ^y applies it (asks first)", "dim")))
        else:
            if not message.apply:
                self.checked = None
            self._status(Text.assemble(("✗ ", "bold red"), message.result))
            self.notify(message.result, title="Apply failed" if message.apply else "Check failed",
                        severity="error", timeout=10)
        self._buttons()


def _where(url: str) -> str:
    """The database a URL names, without its password, for messages."""
    from ..db.conninfo import database_name, describe

    try:
        name = database_name(url)
        return f"database {name} on {describe(url)}" if name else describe(url)
    except Exception:  # an unparsable URL is reported by the check itself
        return "that database"


def _sentence(e: Exception) -> str:
    if isinstance(e, (PlanError, DatabaseError, OSError)):
        return str(e)
    return f"{type(e).__name__}: {e}"


def _sql_line(line: str) -> Any:
    """SQL comments dim, everything else plain: enough to read the rebaseline script in the log."""
    return Text(line, "dim" if line.lstrip().startswith("--") else "")
