"""Apply from the app: what ``attune-tui apply`` would write, file by file with diffs, then write it.

Computing the output needs the final seed rows, read back from a replay of the
legacy chain on a real database, so it runs in a worker behind a loading
indicator; writing goes through the same :class:`~attune_tui.core.output.WriteSet`
as the command line (atomic, inside the output folders, stale files only when asked).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Label, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from ..core.output import WriteSet
from ..core.plan import PlanError
from .preview import SqlPreview
from .session import Session
from .widgets import display_path, ellipsize

NAME_WIDTH = 40  # the file list is 48 cells wide: glyph, paddings, scrollbar and border take the rest
# status → (glyph, style, sort order)
KINDS = {"new": ("+", "green", 0), "changed": ("~", "yellow", 1), "stale": ("-", "red", 2), "unchanged": ("=", "dim", 3)}


def file_diff(kind: str, name: str, old: bytes | None, new: bytes | None) -> str:
    """A unified diff of what writing does to one file (new: all added; stale: all removed)."""
    def lines(data: bytes | None) -> list[str]:
        return data.decode("utf-8", "replace").splitlines(keepends=True) if data else []

    if kind == "unchanged":
        return f"# {name}: unchanged, not rewritten\n"
    before = lines(old)
    after = [] if kind == "stale" else lines(new)
    diff = difflib.unified_diff(before, after, fromfile=f"{name} (on disk)" if old is not None else "/dev/null",
                                tofile="/dev/null" if kind == "stale" else f"{name} (from the plan)")
    text = "".join(d if d.endswith("\n") else d + "\n" for d in diff)
    return text or f"# {name}: no difference\n"


class ApplyScreen(ModalScreen[bool]):
    """Lists new / changed / stale / unchanged files with a per-file diff; ``w`` writes them."""

    BINDINGS = [
        Binding("escape", "dismiss(False)", "Cancel"),
        Binding("w", "write", "Write files", tooltip="write the new and changed files (and delete stale ones if ticked)"),
        Binding("d", "toggle_prune", "Delete stale", tooltip="tick / untick: delete stale files in the output folders"),
    ]

    def __init__(self, session: Session, database_url: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.database_url = database_url
        self.outputs: WriteSet | None = None
        self.changes: dict[str, list[Path]] = {}
        self.kind_of: dict[str, str] = {}
        self.done: dict[str, list[Path]] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="apply"):
            yield Label("Apply the plan: write the consolidated files and YAML", classes="title")
            yield Static("", id="apply-status")
            yield LoadingIndicator(id="apply-loading")
            with Horizontal(id="apply-body"):
                yield DataTable(id="apply-files", cursor_type="row", show_header=False)
                yield SqlPreview(id="apply-diff")
            yield Checkbox("delete stale files (in the output folders, not produced by the plan)", id="apply-prune")
            with Horizontal(classes="buttons"):
                yield Button("Write files", id="apply-write", variant="primary", disabled=True)
                yield Button("Cancel", id="apply-cancel")
            yield Label("↑↓ file · tab diff · w write · d delete stale · esc cancel", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#apply-files", DataTable)
        table.add_column("", width=1, key="kind")
        table.add_column("file", width=NAME_WIDTH, key="file")
        self.query_one("#apply-prune", Checkbox).display = False
        self._busy(True)
        self._status(Text("Computing the output", "bold"))
        self.compute()

    def _busy(self, busy: bool) -> None:
        """The indicator stands in for the file list until there is one."""
        self.query_one("#apply-loading").display = busy
        self.query_one("#apply-body").display = not busy

    def _status(self, text: Text | str) -> None:
        self.query_one("#apply-status", Static).update(text)

    def _progress(self, message: str) -> None:
        self._status(Text.assemble(("Computing the output: ", "bold"), message))

    # --- computing -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def compute(self) -> None:
        """Build the consolidation, read the final rows on a database, then everything apply writes."""
        from ..pipeline import build_outputs, final_rows

        s = self.session
        try:
            with s.lock:
                cons = s.build()
                errors = cons.errors()
                if errors:
                    more = f" (and {len(errors) - 1} more in the problems panel)" if len(errors) > 1 else ""
                    raise PlanError(f"the plan has errors, so nothing can be written: {errors[0]}{more}")
                history, plan = s.history, s.plan
            rows = final_rows(history, plan, self.database_url,
                              progress=lambda m: self.app.call_from_thread(self._progress, m))
            with s.lock:
                outputs = build_outputs(cons, s.ws, rows)
            changes = outputs.changes()
        except Exception as e:  # a database or engine failure: a notification, never a traceback
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._computed, outputs, changes)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """A failure outside the workers' own handling (drawing the result, say) is still reported."""
        if event.state == WorkerState.ERROR and isinstance(event.worker.error, Exception):
            self._failed(event.worker.error)

    def _failed(self, e: BaseException) -> None:
        self.query_one("#apply-loading").display = False
        message = str(e) if isinstance(e, PlanError) else f"{type(e).__name__}: {e}"
        self._status(Text(f"Nothing can be written: {message}", "bold red"))
        self.notify(message, title="Apply failed", severity="error", timeout=10)

    def _computed(self, outputs: WriteSet, changes: dict[str, list[Path]]) -> None:
        self.outputs, self.changes = outputs, changes
        self._busy(False)
        table = self.query_one("#apply-files", DataTable)
        table.clear()
        self.kind_of = {}
        entries = sorted(((KINDS[k][2], self._rel(p), k, p) for k, paths in changes.items() for p in paths))
        for _, name, kind, path in entries:
            glyph, style, _ = KINDS[kind]
            self.kind_of[str(path)] = kind
            table.add_row(Text(glyph, style), Text(ellipsize(name, NAME_WIDTH), "dim" if kind == "unchanged" else ""),
                          key=str(path))
        counts = {k: len(v) for k, v in changes.items()}
        summary = Text()
        for kind in ("new", "changed", "stale", "unchanged"):
            glyph, style, _ = KINDS[kind]
            summary.append(f"{glyph} {counts.get(kind, 0)} {kind}   ", style if counts.get(kind) else "dim")
        if not (counts["new"] or counts["changed"] or counts["stale"]):
            summary.append("The files on disk are up to date.", "bold")
        self._status(summary)
        prune = self.query_one("#apply-prune", Checkbox)
        prune.display = bool(counts["stale"])
        prune.label = f"delete {counts['stale']} stale file{'s' if counts['stale'] != 1 else ''} (not produced by the plan)"
        self._update_write()
        table.focus()
        if entries:
            self._show_diff(str(entries[0][3]))

    def _rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.session.ws.root))
        except ValueError:
            return display_path(path)

    def _update_write(self) -> None:
        button = self.query_one("#apply-write", Button)
        if self.outputs is None or self.done is not None:
            button.disabled = True
            return
        todo = len(self.changes["new"]) + len(self.changes["changed"])
        stale = len(self.changes["stale"])
        prune = self.query_one("#apply-prune", Checkbox).value
        button.label = f"Write {todo} file{'s' if todo != 1 else ''}" + (f", delete {stale}" if prune and stale else "")
        button.disabled = (todo == 0 and not (prune and stale)) or (stale > 0 and not prune)
        button.tooltip = ("tick 'delete stale files' first: apply never leaves files the plan does not produce"
                          if stale and not prune else None)

    # --- diff ------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#apply-files")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self._show_diff(event.row_key.value)

    def _show_diff(self, key: str) -> None:
        path = Path(key)
        kind = self.kind_of.get(key, "unchanged")
        old = path.read_bytes() if kind in ("changed", "stale", "unchanged") and path.exists() else None
        new = self.outputs.files.get(path) if self.outputs else None
        self.query_one("#apply-diff", SqlPreview).show(file_diff(kind, self._rel(path), old, new), [], language="diff")
        self.query_one("#apply-body").border_title = self._rel(path)

    # --- writing ---------------------------------------------------------------

    @on(Checkbox.Changed, "#apply-prune")
    def _prune_changed(self) -> None:
        self._update_write()

    def action_toggle_prune(self) -> None:
        prune = self.query_one("#apply-prune", Checkbox)
        if prune.display:
            prune.value = not prune.value

    @on(Button.Pressed, "#apply-write")
    def _write_pressed(self) -> None:
        self.action_write()

    @on(Button.Pressed, "#apply-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(False)

    def action_write(self) -> None:
        if self.query_one("#apply-write", Button).disabled:
            if self.changes.get("stale") and not self.query_one("#apply-prune", Checkbox).value:
                self.notify("some files in the output folders are not produced by the plan: tick 'delete stale "
                            "files' (d) to write", severity="warning")
            return
        self.query_one("#apply-write", Button).disabled = True
        self.write(self.query_one("#apply-prune", Checkbox).value)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def write(self, prune: bool) -> None:
        from ..pipeline import record_checksums

        s = self.session
        assert self.outputs is not None
        try:
            done = self.outputs.write(prune=prune)
            with s.lock:
                record_checksums(s.plan, s.history)  # as the command line does: the legacy files applied
                if not s.dirty:
                    s.save()
        except Exception as e:
            self.app.call_from_thread(self._failed, e)
            return
        self.app.call_from_thread(self._written, done)

    def _written(self, done: dict[str, list[Path]]) -> None:
        self.done = done
        written = len(done["new"]) + len(done["changed"])
        message = f"{written} file{'s' if written != 1 else ''} written, {len(done['unchanged'])} unchanged"
        if done["stale"] and self.query_one("#apply-prune", Checkbox).value:
            message += f", {len(done['stale'])} deleted"
        if self.session.dirty:
            message += "; they follow the unsaved plan: ctrl+s saves it"
        self.notify(message, title="Applied", timeout=6)
        self.dismiss(True)
