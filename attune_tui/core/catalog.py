"""The catalog: every object the legacy chain leaves behind, in its final state.

Replaying a chain fills it; it does not depend on the plan, so reassigning a
migration never replays anything.  Each object remembers the statement that
created it (its position decides where it is emitted) and every statement
that shaped it (provenance for the preview and ``inspect``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .statements import Statement, key_kind
from .tabledef import Column, TableConstraint


@dataclass
class TableState:
    name: str
    header: str
    columns: list[Column]
    constraints: list[TableConstraint]
    tail: str
    closing: str
    modified: bool = False

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def replace_column(self, new: Column) -> None:
        self.columns = [new if c.name == new.name else c for c in self.columns]
        self.modified = True


@dataclass
class EnumState:
    header: str
    values: list[str]  # as the CREATE TYPE writes them
    modified: bool = False
    renamed: dict[str, str] = field(default_factory=dict)  # current label → its label in ``values`` (kept renames)
    frozen: bool = False  # a value was added by a kept ALTER TYPE: ``values`` no longer tells where labels are
    rename_labels: set[str] = field(default_factory=set)  # labels kept renames rename from or to

    def written(self, label: str) -> str:
        return self.renamed.get(label, label)

    def current(self) -> set[str]:
        back = {w: c for c, w in self.renamed.items()}
        return {back.get(v, v) for v in self.values}


@dataclass
class Obj:
    """One catalog object; ``text`` is its current source for everything but tables and enums."""

    key: str
    origin: Statement
    text: str
    parent: str | None = None
    history: list[Statement] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    table: TableState | None = None
    enum: EnumState | None = None
    extra_deps: set[str] = field(default_factory=set)
    kind: str = field(init=False)  # cached: placement asks for it tens of thousands of times

    def __post_init__(self) -> None:
        self.kind = key_kind(self.key)

    @property
    def seq(self) -> int:
        return self.origin.seq

    def touch(self, stmt: Statement, note: str | None = None) -> None:
        if not self.history or self.history[-1] is not stmt:
            self.history.append(stmt)
        if note and note not in self.notes:
            self.notes.append(note)


@dataclass
class Catalog:
    """Objects by key, in creation order, plus replay bookkeeping."""

    objects: dict[str, Obj] = field(default_factory=dict)
    children: dict[str, set[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # renamed table → its key
    diagnostics: list[Diagnostic] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    extracted: set[int] = field(default_factory=set)  # seq of statements moved to YAML
    consumed: dict[int, str] = field(default_factory=dict)  # seq → what a DROP/ALTER was folded into
    statements: list[Statement] = field(default_factory=list)
    added_columns: set[tuple[str, str]] = field(default_factory=set)  # (table, column) added by ALTER
    extract_tables: frozenset[str] = frozenset()
    seeded: set[str] = field(default_factory=set)
    reshaped: set[str] = field(default_factory=set)  # tables a kept statement renamed a column of
    kept_needs: dict[str, set[str]] = field(default_factory=dict)  # object key → kept statements needing it
    kept_parts: Counter = field(default_factory=Counter)  # seq → pieces of it kept so far
    referrers: dict[str, set[str]] = field(default_factory=dict)  # table name → tables with a foreign key to it
    lowered: dict[str, tuple[str, str]] = field(default_factory=dict)  # kept statement → (text, lower-cased)

    def get(self, k: str) -> Obj | None:
        return self.objects.get(self.aliases.get(k, k))

    def add(self, obj: Obj) -> Obj:
        self.objects[obj.key] = obj
        obj.touch(obj.origin)
        if obj.parent:
            self.children.setdefault(obj.parent, set()).add(obj.key)
        return obj

    def remove(self, k: str) -> list[Obj]:
        """Remove an object and, recursively, everything attached to it."""
        k = self.aliases.get(k, k)
        obj = self.objects.pop(k, None)
        if obj is None:
            return []
        gone = [obj]
        for child in sorted(self.children.pop(k, ())):
            gone.extend(self.remove(child))
        if obj.parent and obj.parent in self.children:
            self.children[obj.parent].discard(k)
        return gone

    def functions_named(self, name: str) -> list[Obj]:
        prefix = f"function:{name}("
        return [o for k, o in self.objects.items() if k.startswith(prefix)]

    def warn(self, stmt: Statement, message: str, code: str, severity: str = "warning") -> None:
        self.diagnostics.append(Diagnostic(severity, stmt.file, stmt.line, message, code))  # type: ignore[arg-type]
