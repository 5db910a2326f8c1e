"""The app's model: a plan being edited over a consolidation, with undo/redo and save.

No Textual here, so every rule of the editing session is testable without a
terminal.  The engine does the work: this module only calls
:class:`~attune_tui.core.consolidate.Consolidation` and remembers what changed.
"""

from __future__ import annotations

import gc
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.loader import History, load_history
from ..core.output import write_atomic
from ..core.plan import (
    YAML_TARGET,
    Plan,
    PlanError,
    Target,
    check_plan,
    dump_plan,
    initial_plan,
    load_plan,
    safe_relative,
)

if TYPE_CHECKING:  # the engine (and sqlglot) is imported by the worker that builds it, after the first paint
    from ..core.consolidate import Consolidation
    from ..core.diagnostics import Diagnostic
    from ..pipeline import Workspace

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class PlanState:
    """The editable part of a plan, frozen, for undo/redo."""

    targets: tuple[tuple[str, str], ...]
    assign: tuple[tuple[str, str], ...]
    overrides: tuple[tuple[str, str], ...]
    folders: tuple[str, str] = ("", "")  # source, output: not edited here, but part of "modified"

    @classmethod
    def of(cls, plan: Plan) -> PlanState:
        return cls(tuple((t.file, t.purpose) for t in plan.targets),
                   tuple(sorted(plan.assign.items())), tuple(sorted(plan.overrides.items())),
                   (plan.source, plan.output))


@dataclass(frozen=True)
class Change:
    label: str
    before: PlanState
    after: PlanState


@dataclass(frozen=True)
class LegacyRow:
    """One legacy migration as the list shows it."""

    name: str
    version: int
    description: str
    glyph: str  # ✓ assigned, ◐ split, Y yaml, ⚠ problem, · unassigned
    state: str  # assigned | split | yaml | error | warning | unassigned (for styling)
    statements: int
    target: str | None  # assigned target file, YAML_TARGET or None
    target_no: str  # "03", "Y" or "—"


@dataclass(frozen=True)
class _ProblemView:
    """The problems of one consolidation at one revision of the plan, as the screen shows them."""

    cons: Consolidation
    revision: int
    layout: object
    problems: list[Diagnostic]
    worst: dict[str, int]  # legacy file → rank of its worst problem (SEVERITY_ORDER)
    counts: dict[str, int]  # severity (error, warning, info) → how many


@dataclass(frozen=True)
class TargetRow:
    number: int  # 1-based
    file: str
    purpose: str
    pieces: int
    legacy: int  # legacy files assigned to it


class Session:
    """One editing session of a plan file."""

    def __init__(self, ws: Workspace, plan: Plan, history: History, created: bool = False,
                 saved: PlanState | None = None) -> None:
        self.ws = ws
        self.plan = plan
        self.history = history
        self.created = created  # the plan file did not exist: this plan was made with initial_plan
        self.cons: Consolidation | None = None
        self.lock = threading.RLock()  # the consolidation is read by workers (statistics)
        self.undo_stack: list[Change] = []
        self.redo_stack: list[Change] = []
        # what the plan file holds (a hand-formatted file is not "modified" by loading it)
        self._saved: PlanState | None = None if created else (saved or PlanState.of(plan))
        self.dirty = True
        self.revision = 0  # bumped by every edit, undo, redo and recovery: what autosave watches
        self.on_change: Callable[[], None] | None = None  # the app schedules an autosave here
        self._problems: _ProblemView | None = None
        self._row_cache: dict[str, LegacyRow] = {}  # legacy file → its last row (see legacy_rows)
        self._update_dirty()

    # --- opening ------------------------------------------------------------

    @classmethod
    def open(cls, plan_path: Path, source: str | None = None, output: str | None = None) -> Session:
        """Read the plan (or start one from the source folder); raises PlanError with one sentence."""
        from ..pipeline import Workspace, load_checked, record_checksums

        if plan_path.exists():
            ws, plan = Workspace.open(plan_path, source, output)
            history = load_checked(ws, plan)
            on_disk = None  # the plan as read, unless the command line moved its folders
            if source or output:
                on_disk = PlanState.of(load_plan(plan_path.read_text(encoding="utf-8"), str(plan_path)))
            return cls(ws, plan, history, saved=on_disk)
        root = plan_path.parent
        src = source or "migrations.old"
        out = output or "migrations"
        folder = root / src
        if not folder.is_dir():
            raise PlanError(f"source folder {folder} does not exist, so there is no migration history to consolidate")
        history = load_history(folder)
        if not history.migrations:
            raise PlanError(f"{folder} holds no <version>_<description>.sql files")
        plan = initial_plan([m.name for m in history.migrations],
                            {m.name: m.description for m in history.migrations}, src, out)
        record_checksums(plan, history)
        return cls(Workspace(root, plan_path, folder, root / out), plan, history, created=True)

    def build(self) -> Consolidation:
        """Replay the chain (the slow part, run in a worker); safe to call again.

        The consolidation then lives as long as the session, so it is frozen
        out of the cyclic garbage collector (``gc.freeze``), its first layout
        included: with a 2,000-file history, each full collection traversed its
        million objects for 1.2 to 1.5 s, and one came every few reassignments
        (the engine allocates on each). What an earlier build froze is handed
        back and collected first.
        """
        with self.lock:
            if self.cons is None:
                from ..core.consolidate import Consolidation

                if gc.get_freeze_count():  # a previous session's graph: collectable again once dropped
                    gc.unfreeze()
                    gc.collect()
                cons = Consolidation(self.history, self.plan)
                cons.layout  # noqa: B018 -- placed here, in the worker, and frozen with the rest
                self.cons = cons
                gc.freeze()
            return self.cons

    def freeze_survivors(self) -> None:
        """Collect once, then freeze what is left (the screen's rows, styles and caches) like the consolidation.

        Called after the first full paint: only what is allocated from then on
        is traversed by the next full collections (with a 2,000-file history,
        the rows and caches left unfrozen were some 100,000 objects, 50 to
        100 ms a pass).
        """
        gc.collect()
        gc.freeze()

    # --- editing ------------------------------------------------------------

    def _change(self, label: str, edit) -> bool:
        with self.lock:
            before = PlanState.of(self.plan)
            edit()
            after = PlanState.of(self.plan)
            if after == before:
                return False
            self.undo_stack.append(Change(label, before, after))
            self.redo_stack.clear()
            self._changed()
            return True

    def assign(self, legacy: str, target: str) -> bool:
        """Send a whole legacy migration to a target (or YAML_TARGET); False if nothing changed."""
        if target != YAML_TARGET and target not in self.plan.target_names():
            raise PlanError(f"there is no target named {target}")
        label = f"{legacy} → {'YAML' if target == YAML_TARGET else target}"
        return self._change(label, lambda: self._cons.assign(legacy, target))

    def override(self, ident: str, target: str | None) -> bool:
        """Send one object or statement to another target; None clears the override."""
        if target is not None and target not in self.plan.target_names():
            raise PlanError(f"there is no target named {target}")
        label = f"{ident} → {target}" if target else f"{ident} back to its migration's target"
        return self._change(label, lambda: self._cons.override(ident, target))

    def add_target(self, file: str, purpose: str = "", after: int | None = None) -> int:
        """Insert a new target after position ``after`` (default: at the end); returns its index."""
        self._check_target_name(file)
        index = len(self.plan.targets) if after is None else after + 1

        def edit() -> None:
            self.plan.targets.insert(index, Target(file, purpose))
            self._cons.invalidate()

        self._change(f"new target {file}", edit)
        return index

    def rename_target(self, old: str, new: str, purpose: str | None = None) -> bool:
        if new != old:
            self._check_target_name(new)

        def edit() -> None:
            t = self.plan.targets[self.plan.target_index(old)]
            t.file = new
            if purpose is not None:
                t.purpose = purpose
            for k, v in list(self.plan.assign.items()):
                if v == old:
                    self.plan.assign[k] = new
            for k, v in list(self.plan.overrides.items()):
                if v == old:
                    self.plan.overrides[k] = new
            self._cons.invalidate()

        return self._change(f"rename {old} → {new}", edit)

    def move_target(self, name: str, delta: int) -> bool:
        i = self.plan.target_index(name)
        j = i + delta
        if not 0 <= j < len(self.plan.targets):
            return False

        def edit() -> None:
            ts = self.plan.targets
            ts[i], ts[j] = ts[j], ts[i]
            self._cons.invalidate()

        return self._change(f"move {name} {'up' if delta < 0 else 'down'}", edit)

    def remove_target(self, name: str) -> bool:
        """Remove a target that nothing is assigned to."""
        users = [k for k, v in self.plan.assign.items() if v == name]
        users += [k for k, v in self.plan.overrides.items() if v == name]
        if users:
            raise PlanError(f"{name} still receives {users[0]}" + (f" and {len(users) - 1} more" if len(users) > 1 else "")
                            + "; reassign them first")

        def edit() -> None:
            del self.plan.targets[self.plan.target_index(name)]
            self._cons.invalidate()

        return self._change(f"remove target {name}", edit)

    def _check_target_name(self, file: str) -> None:
        if not file.endswith(".sql"):
            raise PlanError(f"target {file!r} must be a .sql file name")
        if not safe_relative(file) or "/" in file.replace("\\", "/"):
            raise PlanError(f"target {file!r} must be a plain file name inside {self.plan.output}")
        if file in self.plan.target_names():
            raise PlanError(f"target {file} already exists")

    # --- undo / redo ----------------------------------------------------------

    def undo(self) -> str | None:
        """Undo the last change; returns its label, or None when there is nothing to undo."""
        with self.lock:
            if not self.undo_stack:
                return None
            ch = self.undo_stack.pop()
            self._restore(ch.before)
            self.redo_stack.append(ch)
            self._changed()
            return ch.label

    def redo(self) -> str | None:
        with self.lock:
            if not self.redo_stack:
                return None
            ch = self.redo_stack.pop()
            self._restore(ch.after)
            self.undo_stack.append(ch)
            self._changed()
            return ch.label

    def _restore(self, st: PlanState) -> None:
        cons = self._cons
        plan = self.plan
        if PlanState.of(plan).targets != st.targets:
            plan.targets[:] = [Target(f, p) for f, p in st.targets]
        want = dict(st.assign)
        for k in list(plan.assign):
            if k not in want:
                del plan.assign[k]  # the engine has no "unassign"; invalidate() below covers it
        for k, v in want.items():
            if plan.assign.get(k) != v:
                cons.assign(k, v)
        want = dict(st.overrides)
        for k in list(plan.overrides):
            if k not in want:
                cons.override(k, None)
        for k, v in want.items():
            if plan.overrides.get(k) != v:
                cons.override(k, v)
        cons.invalidate()

    # --- saving ---------------------------------------------------------------

    def save(self) -> Path:
        with self.lock:
            write_atomic(self.ws.plan_path, dump_plan(self.plan).encode())
            self._saved = PlanState.of(self.plan)
            self.created = False
            self._update_dirty()
            self.discard_autosave()  # the plan file now holds everything the side file did
            return self.ws.plan_path

    def _update_dirty(self) -> None:
        self.dirty = self._saved is None or PlanState.of(self.plan) != self._saved

    def _changed(self) -> None:
        self._update_dirty()
        self.revision += 1
        if self.on_change is not None:
            self.on_change()

    # --- autosave: a side file next to the plan, so a crash loses nothing -----------

    @property
    def autosave_path(self) -> Path:
        """``.consolidation.plan.yaml.autosave`` next to the plan (hidden, and never mistaken for a plan)."""
        p = self.ws.plan_path
        return p.with_name(f".{p.name}.autosave")

    def autosave(self) -> Path | None:
        """Write the plan to the side file when it has unsaved changes (else remove it); returns the path written."""
        with self.lock:
            if not self.dirty:
                self.discard_autosave()
                return None
            text = dump_plan(self.plan)
        write_atomic(self.autosave_path, text.encode())
        return self.autosave_path

    def discard_autosave(self) -> None:
        self.autosave_path.unlink(missing_ok=True)

    def pending_recovery(self) -> str | None:
        """The side file's text when a previous session left one newer than the plan and different from it."""
        side = self.autosave_path
        try:
            text = side.read_text(encoding="utf-8")
            side_time = side.stat().st_mtime
        except OSError:
            return None
        plan_file = self.ws.plan_path
        if plan_file.exists():
            if plan_file.stat().st_mtime > side_time:
                return None  # saved (perhaps by another tool) after the side file was written
            if plan_file.read_text(encoding="utf-8") == text:
                return None
        return text

    def recover(self, text: str) -> None:
        """Replace the plan by the side file's (before the consolidation is built); raises PlanError."""
        where = str(self.autosave_path)
        plan = load_plan(text, where)
        if plan.source != self.plan.source:
            raise PlanError(f"{where} was written for source folder {plan.source}, not {self.plan.source}")
        check_plan(plan, [m.name for m in self.history.migrations], where)
        with self.lock:
            self.plan = plan
            self.cons = None  # rebuilt by the screen from the recovered plan
            self.undo_stack.clear()
            self.redo_stack.clear()
            self._changed()

    # --- views for the lists ------------------------------------------------------

    @property
    def _cons(self) -> Consolidation:
        if self.cons is None:
            raise PlanError("the history is still being loaded")
        return self.cons

    def target_number(self, target: str | None) -> str:
        if target is None:
            return "—"
        if target == YAML_TARGET:
            return "Y"
        try:
            return f"{self.plan.target_index(target) + 1:02d}"
        except KeyError:
            return "?"

    def _statement_counts(self) -> dict[str, int]:
        """Statements per legacy file: fixed for a replay, so counted once (2,000 files: 8 ms per refresh)."""
        replay = self._cons.replay
        cached = getattr(self, "_counts", None)
        if cached is None or cached[0] is not replay:
            counts: dict[str, int] = defaultdict(int)
            for st in replay.statements:
                counts[st.file] += 1
            self._counts = cached = (replay, counts)
        return cached[1]

    def _problem_view(self) -> _ProblemView:
        """The problems sorted, counted and mapped to files, once per plan revision and layout.

        Every change of the plan through this session bumps ``revision``, and
        any other (``invalidate``) makes a new layout; a 2,000-file history has
        some 8,000 problems, and sorting and scanning them twice on each
        refresh of the lists cost tens of ms.
        """
        cons = self._cons
        layout = cons.layout
        view = self._problems
        if view is None or view.cons is not cons or view.revision != self.revision or view.layout is not layout:
            buckets: tuple[list[Diagnostic], ...] = ([], [], [])  # error, warning, info: a stable sort in one pass
            worst: dict[str, int] = {}
            for d in cons.problems():
                rank = SEVERITY_ORDER.get(d.severity, 2)
                buckets[rank].append(d)
                if d.file and rank < worst.get(d.file, 9):
                    worst[d.file] = rank
            counts = {severity: len(buckets[rank]) for severity, rank in SEVERITY_ORDER.items()}
            self._problems = view = _ProblemView(cons, self.revision, layout, buckets[0] + buckets[1] + buckets[2],
                                                 worst, counts)
        return view

    def legacy_rows(self) -> list[LegacyRow]:
        """One row per legacy file; a row whose inputs did not change is the same object as last time.

        (2,000 files: building every row anew, and comparing them, was a good part of a reassignment.)
        """
        counts = self._statement_counts()
        numbers = {t.file: f"{i + 1:02d}" for i, t in enumerate(self.plan.targets)}  # not a scan per row
        numbers[YAML_TARGET] = "Y"
        worst = self._problem_view().worst
        split = self.split_files()
        cache = self._row_cache
        assign = self.plan.assign
        rows = []
        for m in self.history.migrations:
            name = m.name
            target = assign.get(name)
            if target is None:
                glyph, state = "·", "unassigned"
            elif worst.get(name, 9) == 0:
                glyph, state = "⚠", "error"
            elif worst.get(name, 9) == 1:
                glyph, state = "⚠", "warning"
            elif target == YAML_TARGET:
                glyph, state = "Y", "yaml"
            elif name in split:
                glyph, state = "◐", "split"
            else:
                glyph, state = "✓", "assigned"
            number = "—" if target is None else numbers.get(target, "?")
            row = cache.get(name)
            if row is None or (row.state, row.target, row.target_no, row.statements) != (state, target, number,
                                                                                         counts[name]):
                row = LegacyRow(name, m.version, m.stem.split("_", 1)[1] if "_" in m.stem else m.stem,
                                glyph, state, counts[name], target, number)
                cache[name] = row
            rows.append(row)
        return rows

    def split_files(self) -> set[str]:
        """Legacy files some of whose objects an override sends to another target than the file's."""
        out: set[str] = set()
        objects = self._cons.catalog.objects
        for ident, target in self.plan.overrides.items():
            if ident.startswith("statement:"):
                origin = ident[len("statement:"):].split("@", 1)[0]
            elif ident in objects:
                origin = objects[ident].origin.file
            else:
                continue
            if self.plan.assign.get(origin) != target:
                out.add(origin)
        return out

    def target_rows(self) -> list[TargetRow]:
        cons = self._cons
        layout = cons.layout
        users: dict[str, int] = defaultdict(int)
        for v in self.plan.assign.values():
            users[v] += 1
        return [TargetRow(i + 1, t.file, t.purpose, len(layout.targets[i]), users[t.file])
                for i, t in enumerate(self.plan.targets)]

    def yaml_legacy(self) -> list[str]:
        return [m.name for m in self.history.migrations if self.plan.assign.get(m.name) == YAML_TARGET]

    def problems(self) -> list[Diagnostic]:
        """The engine's problems, errors first (stable within a severity); the same list until the plan changes."""
        return self._problem_view().problems

    def problem_counts(self) -> dict[str, int]:
        """How many problems of each severity (error, warning, info)."""
        return self._problem_view().counts

    def statements_of(self, legacy: str):
        return [s for s in self._cons.replay.statements if s.file == legacy]

    def override_ident(self, stmt, fate) -> str | None:
        """What an override of this statement moves: its object by name, or the statement itself."""
        if fate is None or not fate.object or fate.action in ("extracted", "dropped"):
            return None
        if fate.object.startswith("statement:"):  # kept verbatim: name it by its stable id
            return f"statement:{stmt.file}@{stmt.sid}"
        return fate.object if fate.object in self._cons.catalog.objects else None

