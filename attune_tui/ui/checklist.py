"""The completion checklist screen: run the steps, watch them, read what failed.

The engine (``attune_tui.checklist``) does the work; this screen only runs it
in a thread worker and turns its events into messages, so the UI keeps
drawing while a chain is applied.  One :class:`RunContext` lives as long as
the screen, so the databases one step builds are reused by the next; it is
closed when the screen goes away (the embedded server, if it started one,
stops with it).  Each finished step is written into the plan's checklist
section and, when the plan has no other unsaved change, the plan file is
saved at once: results survive a restart.
"""

from __future__ import annotations

import copy
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, ProgressBar, RichLog, Static, TabbedContent, TabPane

from ..checklist.model import Event, Status, StepFinished, StepLog, StepProgress, StepStarted, StepState
from ..checklist.runner import may_delete_backup, run_step
from ..checklist.settings import load_states, plan_digest, read_settings, store_states
from ..checklist.steps import BY_ID, STEPS
from ..core.plan import PlanError
from ..db.schemadiff import Difference, format_differences
from .commands import ListedCommands
from .session import Session
from .widgets import HeaderBar, display_path, ellipsize

if TYPE_CHECKING:
    from ..checklist.context import RunContext

# status → (glyph, style)
GLYPHS: dict[Status, tuple[str, str]] = {
    Status.PENDING: ("·", "dim"),
    Status.RUNNING: ("◌", "bold cyan"),
    Status.PASSED: ("✓", "bold green"),
    Status.FAILED: ("✗", "bold red"),
    Status.SKIPPED: ("-", "yellow"),
}
TITLE_WIDTH = 33  # the longest step title
FIXED_WIDTH = 2 + TITLE_WIDTH + 7 + 7 + 2 * 5 + 3  # glyph, title, status, duration, cell padding, border + scrollbar


def automatic_ids() -> list[str]:
    return [s.id for s in STEPS if s.automatic]


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    return f"{int(seconds // 60)}m {int(seconds % 60):02d}s"


def render_differences(differences: list[dict[str, Any]]) -> Text:
    """``format_differences`` with colour: object names bold, legacy side red, consolidated side green."""
    diffs = [Difference(**d) for d in differences]
    out = Text()
    for i, line in enumerate(format_differences(diffs).splitlines()):
        if i == 0:
            style = "bold"
        elif line and not line.startswith(" "):
            style = "bold cyan"
        elif "[intended" in line:
            style = "dim"
        elif line.startswith("    +") or "only in consolidated" in line:
            style = "green"
        elif line.startswith("    -") or "only in legacy" in line:
            style = "red"
        else:
            style = ""
        if style == "" and " → " in line:  # attribute: old → new
            head, _, rest = line.partition(": ")
            old, _, new = rest.partition(" → ")
            out.append(f"{head}: ").append(old, "red").append(" → ").append(new, "green").append("\n")
            continue
        out.append(line + "\n", style)
    return out


def render_upgrades(upgrades: list[dict[str, Any]]) -> Table:
    """One row per legacy starting version: ok or the first problem."""
    t = Table(box=None, padding=(0, 1), show_edge=False, expand=False)
    t.add_column("from legacy version", no_wrap=True)
    t.add_column("", width=4)
    t.add_column("time", justify="right", no_wrap=True)
    t.add_column("problem")
    for u in upgrades:
        ok = bool(u.get("ok"))
        t.add_row(str(u.get("start", "")), Text("ok" if ok else "FAIL", "green" if ok else "bold red"),
                  format_duration(u.get("seconds")), Text(str(u.get("problem") or ""), "red"))
    return t


class ChecklistEvent(Message):
    """An engine event (started, log line, finished) carried from the worker thread to the screen."""

    def __init__(self, event: Event, save_error: str = "") -> None:
        super().__init__()
        self.event = event
        self.save_error = save_error  # a finished step whose state could not be saved


class ProgressTick(Message):
    """Progress changed; the handler reads the latest value, so a burst of progress is drawn once."""


class RunEnded(Message):
    """The worker stopped: every step ran, it was stopped, or ``error`` kept it from starting."""

    def __init__(self, ran: list[StepState], error: str = "") -> None:
        super().__init__()
        self.ran = ran
        self.error = error


class ChecklistCommands(ListedCommands):
    """Command palette on the checklist screen: its actions, and "Run step: <title>" for every step."""

    ACTIONS = [
        ("Run highlighted step", "run the step under the cursor (enter / r)", "run_step"),
        ("Run all automatic steps", "every step but deleting the backup, in order (R)", "run_all"),
        ("Stop after this step", "the running step finishes, the rest do not start (s)", "stop"),
        ("Deploy to development database…", "check it, show the rebaseline SQL, apply after confirming (d)",
         "deploy"),
        ("Delete the backup…", "remove migrations.old/ once every step passed; asks first (x)", "delete_backup"),
        ("Show log / details", "switch the lower pane (v)", "toggle_pane"),
        ("Save plan", "write the plan file with the checklist state (ctrl+s)", "save"),
        ("Back to the consolidate screen", "(esc)", "back"),
        ("Help", "every key binding (?)", "help"),
    ]

    def _commands(self):
        screen = self.screen
        for title, help_text, action in self.ACTIONS:
            yield title, help_text, partial(screen.run_action, action)
        for step in STEPS:
            yield f"Run step: {step.title}", step.help, partial(screen.run_action, f"run_id('{step.id}')")


class ChecklistScreen(Screen):
    """Steps with status, duration and result; progress and a live log; the schema diff when compare fails."""

    DEFAULT_CSS = """
    ChecklistScreen #cl-steps-panel {
        height: auto;
        max-height: 50%;
    }
    ChecklistScreen #cl-steps {
        height: auto;
        max-height: 100%;
    }
    ChecklistScreen #cl-progress-row {
        height: 1;
        padding: 0 1;
    }
    ChecklistScreen #cl-status {
        width: 1fr;
    }
    ChecklistScreen #cl-progress {
        width: auto;
    }
    ChecklistScreen #cl-pane-panel {
        height: 1fr;
        min-height: 6;
    }
    ChecklistScreen #cl-pane {
        height: 1fr;
    }
    ChecklistScreen #cl-pane TabPane {
        padding: 0;
    }
    ChecklistScreen #cl-log, ChecklistScreen #cl-details-scroll {
        height: 1fr;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    ChecklistScreen #cl-details {
        padding: 0 1;
    }
    """

    COMMANDS = {ChecklistCommands}
    BINDINGS = [
        Binding("enter,r", "run_step", "run", tooltip="run the highlighted step (click a highlighted row too)"),
        Binding("R", "run_all", "run all", key_display="R", tooltip="run every automatic step, in order"),
        Binding("s", "stop", "stop", tooltip="stop after the running step"),
        Binding("d", "deploy", "deploy…", tooltip="deploy to the development database: check, show the SQL, "
                                                  "confirm, apply"),
        Binding("x", "delete_backup", "delete backup…",
                tooltip="delete migrations.old/ (only when every other step passed; asks first)"),
        Binding("v", "toggle_pane", "log/details", tooltip="switch the lower pane between the log and the details"),
        Binding("ctrl+s", "save", "save", show=False, tooltip="save the plan file (with the checklist state)"),
        Binding("question_mark", "help", "help", key_display="?", tooltip="this help"),
        Binding("escape,c", "back", "back", tooltip="back to the consolidate screen"),
    ]

    def __init__(self, session: Session, database_url: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.database_url = database_url
        self.states: dict[str, StepState] = load_states(session.plan, list(BY_ID))
        self.details: dict[str, dict[str, Any]] = {}  # this session's details by step (not persisted)
        self.logs: dict[str, list[str]] = {sid: list(st.log) for sid, st in self.states.items()}
        self.running: str | None = None  # the step running now
        self.busy = False  # a worker is running steps
        self.shown: str = STEPS[0].id  # the step the lower pane shows
        self._stop = threading.Event()
        self._progress: StepProgress | None = None
        self._progress_lock = threading.Lock()
        self._ctx: RunContext | None = None
        self._ctx_lock = threading.Lock()
        self._ctx_users = 0
        self._leaving = False
        self.context_closed = threading.Event()  # set once the screen has released its databases and server
        self._width = 40  # of the result column

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Vertical(id="cl-steps-panel", classes="panel"):
            yield DataTable(id="cl-steps", cursor_type="row", zebra_stripes=False)
        with Horizontal(id="cl-progress-row"):
            yield Label("", id="cl-status")
            yield ProgressBar(id="cl-progress", show_eta=False)
        with Vertical(id="cl-pane-panel", classes="panel"):
            with TabbedContent(id="cl-pane", initial="cl-log-tab"):
                with TabPane("Log", id="cl-log-tab"):
                    yield RichLog(id="cl-log", wrap=False, markup=False, highlight=False, auto_scroll=True)
                with TabPane("Details", id="cl-details-tab"):
                    with VerticalScroll(id="cl-details-scroll"):
                        yield Static("", id="cl-details")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(HeaderBar).show(self.session)
        panel = self.query_one("#cl-steps-panel")
        panel.border_title = "Checklist"
        panel.border_subtitle = "enter run · R run all · d deploy"
        self._fill()
        self.query_one("#cl-progress", ProgressBar).display = False
        self._summary()
        self._show(self.shown)
        self.query_one("#cl-steps", DataTable).focus()

    def _result_width(self) -> int:
        return max(12, self.app.size.width - FIXED_WIDTH)

    def _fill(self) -> None:
        """(Re)build the table, its result column as wide as the terminal allows; the cursor stays."""
        table = self.query_one("#cl-steps", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        self._width = self._result_width()
        table.add_column("", width=1, key="glyph")
        table.add_column("Step", width=TITLE_WIDTH, key="title")
        table.add_column("Status", width=7, key="status")
        table.add_column("Time", width=7, key="duration")
        table.add_column("Result", width=self._width, key="result")
        for step in STEPS:
            table.add_row(*self._cells(step.id), key=step.id)
        table.move_cursor(row=max(row, 0))

    def on_resize(self, event: Resize) -> None:
        if self._result_width() != self._width:
            self._fill()

    def _cells(self, sid: str) -> tuple[Any, ...]:
        st = self.states[sid]
        step = BY_ID[sid]
        glyph, style = GLYPHS[st.status]
        result = st.result
        if not result and st.status is Status.PENDING and not step.automatic:
            result = "manual: x, when every other step passed"
        width = self._width
        return (Text(glyph, style),
                Text(step.title, "bold red" if step.dangerous else ""),
                Text(st.status.value, style if st.status is not Status.PENDING else "dim"),
                Text(format_duration(st.duration), justify="right"),
                Text(ellipsize(result, width), "red" if st.status is Status.FAILED else ""))

    def _update_row(self, sid: str) -> None:
        table = self.query_one("#cl-steps", DataTable)
        for key, value in zip(("glyph", "title", "status", "duration", "result"), self._cells(sid), strict=True):
            table.update_cell(sid, key, value)

    def _summary(self) -> None:
        """The status line: what is running, or how many steps passed and failed."""
        label = self.query_one("#cl-status", Label)
        if self.running:
            label.update(Text.assemble(("running ", "bold cyan"), BY_ID[self.running].title))
            return
        counts = {s: sum(st.status is s for st in self.states.values()) for s in Status}
        text = Text()
        for status in (Status.PASSED, Status.FAILED, Status.SKIPPED, Status.PENDING):
            glyph, style = GLYPHS[status]
            text.append(f"{glyph} {counts[status]} {status.value}   ", style if counts[status] else "dim")
        label.update(text)

    # --- lower pane: log and details of one step ------------------------------------

    def _show(self, sid: str) -> None:
        """Show one step's log and details (its whole log from this session, or the plan's last lines)."""
        self.shown = sid
        log = self.query_one("#cl-log", RichLog)
        log.clear()
        for line in self.logs.get(sid, []):
            log.write(line)
        if not self.logs.get(sid) and sid != self.running:
            log.write(Text("no log yet: enter runs this step", "dim"))
        self.query_one("#cl-details", Static).update(self._details(sid))
        self.query_one("#cl-pane-panel").border_title = BY_ID[sid].title

    def _details(self, sid: str) -> RenderableType:
        st, step = self.states[sid], BY_ID[sid]
        glyph, style = GLYPHS[st.status]
        head = Text.assemble((f"{glyph} {step.title}", "bold"), "  ", (st.status.value, style))
        if st.duration is not None:
            head.append(f"  {format_duration(st.duration)}", "dim")
        if st.finished:
            head.append(f"  finished {st.finished}", "dim")
        parts: list[RenderableType] = [head, Text(step.help, "italic")]
        if st.result:
            parts.append(Text(st.result, "red" if st.status is Status.FAILED else ""))
        details = self.details.get(sid, {})
        if details.get("differences"):
            parts += [Text(""), render_differences(details["differences"])]
        if details.get("upgrades"):
            parts += [Text(""), render_upgrades(details["upgrades"])]
        if not details and st.status is Status.FAILED and sid in ("compare", "upgrade"):
            parts.append(Text("run the step again to see what differs (details are not kept in the plan)", "dim"))
        return Group(*parts)

    @on(DataTable.RowHighlighted, "#cl-steps")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value and event.row_key.value != self.shown:
            self._show(event.row_key.value)

    @on(DataTable.RowSelected, "#cl-steps")
    def _selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key is not None and event.row_key.value:
            self.action_run_id(event.row_key.value)

    def action_toggle_pane(self) -> None:
        pane = self.query_one("#cl-pane", TabbedContent)
        pane.active = "cl-details-tab" if pane.active == "cl-log-tab" else "cl-log-tab"

    # --- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out running while a step runs; show "stop" only then."""
        if action in ("run_step", "run_all", "deploy", "delete_backup"):
            return None if self.busy else True
        if action == "stop":
            return self.busy
        return True

    def _current(self) -> str:
        table = self.query_one("#cl-steps", DataTable)
        return STEPS[min(max(table.cursor_row, 0), len(STEPS) - 1)].id

    def action_run_step(self) -> None:
        self.action_run_id(self._current())

    def action_run_id(self, sid: str) -> None:
        if self.busy:
            self.notify("a step is running; s stops after it", severity="warning", timeout=3)
            return
        if sid == "delete_backup":
            self.action_delete_backup()
            return
        self.start([sid])

    def action_run_all(self) -> None:
        if self.busy:
            self.notify("a step is running; s stops after it", severity="warning", timeout=3)
            return
        self.start(automatic_ids())

    def action_stop(self) -> None:
        if self.busy:
            self._stop.set()
            self.notify("stopping after the running step", timeout=3)

    def action_delete_backup(self) -> None:
        if self.busy:
            return
        why = may_delete_backup(self.states)
        if why is not None:
            self.notify(f"the backup stays: {why}", title="Delete backup", severity="error", timeout=8)
            return
        source = display_path(self.session.ws.source)

        def answered(yes: bool | None) -> None:
            if yes:
                self.start(["delete_backup"])

        from .checklist_modals import ConfirmDangerScreen

        self.app.push_screen(ConfirmDangerScreen(
            f"Delete {source}/?",
            f"Every other step passed for this plan. Deleting {source}/ removes the legacy migrations for good: "
            "rollback becomes impossible (restore them from version control if you need them again).",
            "Delete backup"), answered)

    def action_deploy(self) -> None:
        if self.busy:
            return
        from .checklist_modals import DeployScreen

        try:
            url = read_settings(self.session.plan, display_path(self.session.ws.plan_path)).dev_database
        except PlanError as e:
            self.notify(str(e), severity="error", timeout=8)
            return
        self.app.push_screen(DeployScreen(self, url))

    def action_save(self) -> None:
        save = getattr(self.app, "save_plan", None)
        if save is not None and save():
            self.query_one(HeaderBar).show(self.session)

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_back(self) -> None:
        self.app.pop_screen()

    # --- running -------------------------------------------------------------------------

    def start(self, ids: list[str]) -> None:
        """Run steps in a worker; the UI follows through messages."""
        self.busy = True
        self._stop.clear()
        self.refresh_bindings()
        bar = self.query_one("#cl-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.run_steps(ids)

    @work(thread=True, exclusive=True, group="checklist", exit_on_error=False)
    def run_steps(self, ids: list[str]) -> None:
        ran: list[StepState] = []
        try:
            ctx = self.acquire_context()
        except Exception as e:  # the plan cannot be read as the engine needs it
            self.post_message(RunEnded(ran, str(e) if isinstance(e, PlanError) else f"{type(e).__name__}: {e}"))
            return
        try:
            for sid in ids:
                if self._stop.is_set() or self._leaving:
                    break
                state = run_step(ctx, BY_ID[sid], self._listen)
                ran.append(state)
                error = self._store(state)  # here, not in the UI: kept even if the screen was left meanwhile
                self.post_message(ChecklistEvent(StepFinished(sid, state), error))
        finally:
            self.release_context()
            self.post_message(RunEnded(ran))

    def _listen(self, event: Event) -> None:
        """Called in the worker thread: events become messages; progress is coalesced."""
        if isinstance(event, StepProgress):
            with self._progress_lock:
                pending = self._progress is not None
                self._progress = event
            if not pending:
                self.post_message(ProgressTick())
        elif not isinstance(event, StepFinished):  # the worker posts it after run_step returns
            self.post_message(ChecklistEvent(event))

    @on(ChecklistEvent)
    def _event(self, message: ChecklistEvent) -> None:
        event = message.event
        if isinstance(event, StepStarted):
            self.running = event.step
            self.logs[event.step] = []
            self.details.pop(event.step, None)
            previous = self.states[event.step]
            self.states[event.step] = StepState(event.step, Status.RUNNING, previous.result, previous.duration)
            self._update_row(event.step)
            table = self.query_one("#cl-steps", DataTable)
            table.move_cursor(row=table.get_row_index(event.step))
            self._show(event.step)
            bar = self.query_one("#cl-progress", ProgressBar)
            bar.update(total=None, progress=0)
            self._summary()
        elif isinstance(event, StepLog):
            self.logs.setdefault(event.step, []).append(event.line)
            if event.step == self.shown:
                self.query_one("#cl-log", RichLog).write(event.line)
        elif isinstance(event, StepFinished):
            self.show_result(event.state, message.save_error)

    @on(ProgressTick)
    def _progress_tick(self) -> None:
        with self._progress_lock:
            event, self._progress = self._progress, None
        if event is None or event.step != self.running:
            return
        bar = self.query_one("#cl-progress", ProgressBar)
        if event.total > 0:
            bar.update(total=event.total, progress=event.done)
        else:
            bar.update(total=None)
        self.query_one("#cl-status", Label).update(Text.assemble(
            ("running ", "bold cyan"), BY_ID[event.step].title, ("  " + event.message if event.message else "", "dim")))

    def show_result(self, state: StepState, save_error: str = "") -> None:
        """A step finished (and is in the plan already): its row, log, details and notification."""
        sid = state.step
        self.running = None
        self.states[sid] = state
        if state.details:
            self.details[sid] = state.details
        self.logs[sid] = list(state.log)
        self._update_row(sid)
        s = self.session
        if save_error:
            self.notify(save_error, severity="error", timeout=8)
        elif s.dirty and s.on_change is not None:
            s.on_change()  # the autosave side file then carries the result too
        self.query_one(HeaderBar).show(s)
        if sid == self.shown:
            self.query_one("#cl-details", Static).update(self._details(sid))
        if state.status is Status.FAILED:
            if state.details:
                self.query_one("#cl-pane", TabbedContent).active = "cl-details-tab"
            self.notify(state.result, title=f"{BY_ID[sid].title}: failed", severity="error", timeout=10)
        self._summary()

    def _store(self, state: StepState) -> str:
        """Into the plan (worker thread); saved now unless the plan has other unsaved changes, then by ctrl+s.

        Returns why it could not be saved, or "".
        """
        s = self.session
        try:
            with s.lock:
                store_states(s.plan, {state.step: state})
                if not s.dirty:
                    s.save()
        except (OSError, PlanError) as e:
            return f"could not save {display_path(s.ws.plan_path)}: {e}"
        return ""

    @on(RunEnded)
    def _ended(self, message: RunEnded) -> None:
        self.busy = False
        self.running = None
        self.query_one("#cl-progress", ProgressBar).display = False
        self.refresh_bindings()
        self._summary()
        if message.error:
            self.notify(message.error, title="The checklist cannot run", severity="error", timeout=10)
            return
        if len(message.ran) > 1:
            failed = [st for st in message.ran if st.status is Status.FAILED]
            text = f"{len(message.ran) - len(failed)} of {len(message.ran)} steps without failure"
            self.notify(text, title="Checklist", severity="error" if failed else "information", timeout=6)
        elif message.ran and message.ran[0].status is Status.PASSED:
            self.notify(message.ran[0].result, title=BY_ID[message.ran[0].step].title, timeout=4)

    # --- the run context: one per screen, shared by the steps and the deploy dialog ---------

    def acquire_context(self) -> RunContext:
        """The screen's RunContext (any thread); a new one when the plan changed since it opened."""
        from ..checklist.context import RunContext

        with self.session.lock:
            plan = copy.deepcopy(self.session.plan)  # the engine reads it in this thread, undisturbed
        digest = plan_digest(plan)
        with self._ctx_lock:
            if self._ctx is not None and self._ctx.digest != digest and self._ctx_users == 0:
                self._ctx.close()
                self._ctx = None
            if self._ctx is None:
                self._ctx = RunContext(self.session.ws, plan, database_url=self.database_url)
            self._ctx_users += 1
            return self._ctx

    def release_context(self) -> None:
        with self._ctx_lock:
            self._ctx_users -= 1
            if self._leaving and self._ctx_users == 0:
                self._close_context()

    def _close_context(self) -> None:
        """Close in a thread of its own: stopping an embedded server takes ~2 s, the UI must not wait.

        Not a daemon thread, so quitting the app still waits for the server to stop.
        """
        if self._ctx is not None:
            ctx, self._ctx = self._ctx, None

            def close() -> None:
                try:
                    ctx.close()
                finally:
                    self.context_closed.set()

            threading.Thread(target=close, name="checklist-close").start()
        else:
            self.context_closed.set()

    def on_unmount(self) -> None:
        """Leaving the screen (or the app): drop the databases now, or when the running step ends."""
        self._leaving = True
        self._stop.set()
        with self._ctx_lock:
            if self._ctx_users == 0:
                self._close_context()

    @property
    def context_open(self) -> bool:
        return self._ctx is not None
