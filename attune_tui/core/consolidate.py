"""One consolidation session: a history, a plan, and the target files they produce.

The chain is replayed once.  Reassigning a migration or overriding an
object only recomputes placement and re-renders the targets asked for, so
the app can call it on every keystroke.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Catalog
from .diagnostics import Diagnostic
from .gc_pause import collector_paused
from .layout import (
    Deps,
    Layout,
    Piece,
    column_renames,
    place,
    renames_to_undo,
    render_piece,
)
from .loader import History, Migration
from .plan import YAML_TARGET, Plan
from .replay import replay
from .statements import Fate

GENERATED_NOTE = "Consolidated by attune-tui; change the plan and run `attune-tui apply` rather than editing this file."


@dataclass
class EmittedPiece:
    id: str
    start_line: int  # 1-based, in the emitted file
    end_line: int
    sources: list[tuple[str, int]]  # (legacy file, line) of every statement that shaped it
    notes: list[str]


@dataclass
class EmittedFile:
    name: str
    text: str
    pieces: list[EmittedPiece] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class Consolidation:
    """History + plan → targets, with cheap reassignment."""

    def __init__(self, history: History, plan: Plan) -> None:
        self.history = history
        self.plan = plan
        with collector_paused():  # both build objects that live as long as the session
            self.replay = replay(history.migrations, plan.extract_tables())
            self.catalog: Catalog = self.replay.catalog
            self.deps = Deps(self.catalog)
        self._order = {m.name: i for i, m in enumerate(history.migrations)}
        self._layout: Layout | None = None
        self._rendered: dict[tuple[str, frozenset[str], tuple], str] = {}
        self._renames: dict[str, list[tuple[str, str, str]]] | None = None  # table key → its kept column renames
        self._positions: tuple[Layout | None, dict[str, tuple[int, int]]] = (None, {})
        self._texts = {m.name: m.text for m in history.migrations}
        self._order_cache: dict = {}
        self._previous: Layout | None = None

    # --- plan changes -----------------------------------------------------

    def assign(self, legacy: str, target: str) -> None:
        self.plan.assign[legacy] = target
        self._stale()

    def unassign(self, legacy: str) -> None:
        self.plan.assign.pop(legacy, None)
        self._stale()

    def override(self, ident: str, target: str | None) -> None:
        """Send one object (``table:x``) or statement (``statement:file@sid``) elsewhere; None clears."""
        if target is None:
            self.plan.overrides.pop(ident, None)
        else:
            self.plan.overrides[ident] = target
        self._stale()

    def invalidate(self) -> None:
        """Call after changing the plan's targets (add, rename, reorder): the next layout starts afresh."""
        self._layout = None
        self._previous = None

    def _stale(self) -> None:
        """An assignment or override changed: the next layout is rebuilt from this one where it differs."""
        if self._layout is not None:
            self._previous = self._layout
        self._layout = None

    # --- results ----------------------------------------------------------

    @property
    def layout(self) -> Layout:
        if self._layout is None:
            self._layout = place(self.catalog, self.deps, self.plan, self._order_cache, self._previous)
            self._previous = None
        return self._layout

    def problems(self) -> list[Diagnostic]:
        return self.history.diagnostics + self.catalog.diagnostics + self.layout.problems

    def errors(self) -> list[Diagnostic]:
        """Problems that stop ``apply``; a legacy defect the consolidation repairs (a duplicate version) does not."""
        return [p for p in self.problems() if p.severity == "error" and p.code != "duplicate-version"]

    def render(self, target: str) -> EmittedFile:
        i = self.plan.target_index(target)
        t = self.plan.targets[i]
        layout = self.layout
        pieces = layout.targets[i]
        sources = sorted({s.file for p in pieces for s in p.obj.history}, key=lambda f: self._order.get(f, 0))
        header = [f"-- {t.file}"]
        if t.purpose:
            header.append(f"-- {t.purpose}")
        header += ["--", f"-- {GENERATED_NOTE}"]
        if sources:
            header.append("-- Legacy sources:")
            header += [f"--   {s}" for s in sources]
        lines = header + [""] if pieces else header
        emitted: list[EmittedPiece] = []
        prev: Piece | None = None
        for n, p in enumerate(pieces):
            text = self._text(p, layout, (i, n))
            lead = _lead(p)
            block = (lead + "\n" if lead else "") + text
            if prev is not None and not self._adjacent(prev, p):
                lines.append("")
            start = len(lines) + 1
            lines.extend(block.split("\n"))
            emitted.append(EmittedPiece(p.id, start, len(lines), [(s.file, s.line) for s in p.obj.history],
                                        list(p.obj.notes) + ([p.note] if p.note else [])))
            prev = p
        while lines and lines[-1] == "":
            lines.pop()
        return EmittedFile(t.file, "\n".join(lines) + "\n", emitted, sources)

    def _adjacent(self, a: Piece, b: Piece) -> bool:
        """Statements that were on consecutive lines in the legacy file stay together."""
        x, y = a.obj.origin, b.obj.origin
        if a.fk or b.fk or x.file != y.file or y.index != x.index + 1 or b.obj.origin.lead:
            return False
        text = self._texts.get(x.file, "")
        return text.count("\n", x.span.end, y.span.lead) <= 1

    def render_all(self) -> list[EmittedFile]:
        return [self.render(t.file) for t in self.plan.targets]

    def _text(self, p: Piece, layout: Layout, here: tuple[int, int]) -> str:
        split = frozenset(layout.split.get(p.obj.key, ())) if p.fk is None and p.obj.table is not None else frozenset()
        if self._renames is None:
            self._renames = column_renames(self.catalog)
        undo = renames_to_undo(self.catalog, self.deps, self._renames, p, lambda k: self._position(k, layout) > here)
        ck = (p.id, split, undo)
        text = self._rendered.get(ck)
        if text is None:
            text = self._rendered[ck] = render_piece(p, set(split), undo)
        return text

    def _position(self, piece_id: str, layout: Layout) -> tuple[int, int]:
        """(target, index) where a piece is emitted in this layout; (-1, -1) when nowhere."""
        if self._positions[0] is not layout:
            self._positions = (layout, {q.id: (t, n) for t, ps in enumerate(layout.targets) for n, q in enumerate(ps)})
        return self._positions[1].get(piece_id, (-1, -1))

    def target_of(self, object_key: str) -> str | None:
        i = self.layout.placed.get(object_key)
        return None if i is None else self.plan.targets[i].file

    def fates(self) -> dict[int, Fate]:
        """What became of each statement, by its chain position (``Statement.seq``)."""
        cat = self.catalog
        shaped: dict[int, list[str]] = {}
        for k, obj in cat.objects.items():
            for s in obj.history:
                shaped.setdefault(s.seq, []).append(k)
        out: dict[int, Fate] = {}
        for s in self.replay.statements:
            if s.seq in cat.extracted:
                out[s.seq] = Fate("extracted", f"table:{s.detail.table}", "rows go to YAML (final state)")
            elif s.seq in shaped:
                k = shaped[s.seq][0]
                obj = cat.objects[k]
                where = self.target_of(k) or "no target"
                if obj.kind == "statement":
                    out[s.seq] = Fate("kept", k, f"verbatim in {where}: {'; '.join(obj.notes)}")
                elif obj.origin is s:
                    out[s.seq] = Fate("created", k, f"in {where}")
                else:
                    out[s.seq] = Fate("folded", k, f"into {k} in {where}")
            elif s.seq in cat.consumed:
                out[s.seq] = Fate("folded", "", cat.consumed[s.seq])
            else:
                out[s.seq] = Fate("dropped", s.subject, "what it made is dropped later in the chain")
        return out

    def emitted_migrations(self) -> list[Migration]:
        """The generated chain as migrations, for statistics and for applying it."""
        from .loader import load_files

        return load_files(None, [(f.name, f.text.encode()) for f in self.render_all()]).migrations


def _lead(p: Piece) -> str:
    if p.fk is not None:
        return p.comment
    return p.obj.origin.lead


__all__ = ["Consolidation", "EmittedFile", "EmittedPiece", "YAML_TARGET"]
