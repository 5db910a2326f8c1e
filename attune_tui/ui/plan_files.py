"""Plan files from inside the app: open another plan, export the plan, recover an autosaved one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ..core.output import write_atomic
from ..core.plan import PlanError, dump_plan
from .session import Session

PLAN_SUFFIXES = (".yaml", ".yml")


def _path(text: str) -> Path:
    text = text.strip()
    if not text:
        raise PlanError("type a file name")
    return Path(text).expanduser()


def open_plan_at(text: str) -> Session:
    """The session of an existing plan file; every reason it cannot be opened is one sentence."""
    path = _path(text)
    if path.is_dir():
        raise PlanError(f"{path} is a folder; type the plan file inside it")
    if not path.exists():
        raise PlanError(f"{path}: no such plan file")
    if path.suffix not in PLAN_SUFFIXES:
        raise PlanError(f"{path} is not a YAML file (.yaml or .yml)")
    try:
        return Session.open(path)
    except OSError as e:
        raise PlanError(f"{path}: {e.strerror or e}") from None


def export_plan_to(session: Session, text: str) -> Path:
    """Write the plan as it is now (saved or not) to another file; the session's own file is unchanged."""
    path = _path(text)
    if path.suffix not in PLAN_SUFFIXES:
        raise PlanError(f"{path.name} should end in .yaml, so that it can be opened as a plan")
    if path.is_dir():
        raise PlanError(f"{path} is a folder")
    if not path.parent.is_dir():
        raise PlanError(f"folder {path.parent} does not exist")
    if path.resolve() == session.ws.plan_path.resolve():
        raise PlanError(f"{path} is this session's plan file: ctrl+s saves it")
    with session.lock:
        data = dump_plan(session.plan).encode()
    try:
        write_atomic(path, data)
    except OSError as e:
        raise PlanError(f"could not write {path}: {e.strerror or e}") from None
    return path


class PathScreen(ModalScreen[Any]):
    """Ask for a path; ``accept`` turns it into the result or raises PlanError, shown under the field."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, prompt: str, value: str, hint: str, accept: Callable[[str], Any],
                 confirm_overwrite: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.value = value
        self.hint = hint
        self.accept = accept
        self.confirm_overwrite = confirm_overwrite
        self._confirmed: str | None = None  # the existing path the user already agreed to overwrite

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="editor path"):
            yield Label(self.title_text, classes="title")
            yield Label(self.prompt)
            yield Input(self.value, id="path", placeholder="a path, relative to the current folder")
            yield Label("", id="error", classes="error")
            yield Label(self.hint, classes="hint")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Changed, "#path")
    def _edited(self) -> None:
        self.query_one("#error", Label).update("")

    @on(Input.Submitted, "#path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        error = self.query_one("#error", Label)
        if self.confirm_overwrite and text and Path(text).expanduser().is_file() and self._confirmed != text:
            self._confirmed = text
            error.update(f"{text} exists: enter again to overwrite it")
            return
        try:
            result = self.accept(text)
        except PlanError as e:
            error.update(str(e))
            return
        self.dismiss(result)


class RecoverScreen(ModalScreen[bool]):
    """A side file newer than the plan: a previous session ended without saving. Recover it or discard it."""

    BINDINGS = [
        Binding("r,y", "dismiss(True)", "Recover"),
        Binding("d,n", "dismiss(False)", "Discard"),
    ]

    def __init__(self, plan_name: str, side_name: str) -> None:
        super().__init__()
        self.plan_name = plan_name
        self.side_name = side_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label("Recover unsaved changes?", classes="title")
            yield Static(f"A previous session ended without saving {self.plan_name}. Its last changes are in "
                         f"{self.side_name}. Recover them (the plan file stays as it is until you save) "
                         "or discard them?")
            with Horizontal(classes="buttons"):
                yield Button("Recover", id="recover", variant="primary")
                yield Button("Discard", id="discard", variant="error")
            yield Label("r recover · d discard", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#recover", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "recover")
