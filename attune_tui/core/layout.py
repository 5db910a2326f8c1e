"""Placing catalog objects into target files, and resolving references between targets.

Every object has a *home* target: an explicit override, else its parent's
home (an index, trigger or comment follows its table), else the target its
creating migration is assigned to.  A piece that needs an object emitted
later is moved after it: a foreign key becomes ``ALTER TABLE ... ADD
CONSTRAINT`` in the referenced table's target; an index, trigger, comment,
view or kept statement moves to the later target.  What cannot move (a
column whose type comes later) is an error, never a broken file.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .catalog import Catalog, Obj
from .diagnostics import Diagnostic
from .names import quote_ident, type_base
from .plan import Plan
from .rules import rename_referenced
from .statements import key
from .tabledef import constraint_name, table_constraint_name

MOVABLE = {"index", "trigger", "comment", "view", "statement"}
_DATA_KINDS = {"insert", "update", "delete", "copy", "truncate", "merge"}
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_NEXTVAL = re.compile(r"nextval\s*\(\s*'([^']+)'", re.I)


@dataclass
class ForeignKey:
    """A foreign key of a table: inline on a column or a table constraint."""

    table: str  # key of the referencing table
    ref: str  # key of the referenced table
    column: str | None = None
    constraint: int | None = None  # index into the table's constraints
    after: str | None = None  # a kept statement of ``ref`` (a column rename) the key's text relies on


@dataclass
class Piece:
    """One statement of a target file, with where it came from."""

    id: str
    obj: Obj
    target: int
    seq: float
    deps: list[str]
    fk: ForeignKey | None = None
    note: str = ""
    comment: str = ""  # written above the piece in the file


@dataclass
class Layout:
    """Where everything goes for one plan: pieces per target and the problems found."""

    targets: list[list[Piece]]
    homes: dict[str, int | None]
    placed: dict[str, int]
    split: dict[str, set[str]]  # table key → ids of foreign keys emitted elsewhere
    problems: list[Diagnostic] = field(default_factory=list)
    contributions: dict[str, "Contribution"] = field(default_factory=dict)
    target_keys: list[set[str]] = field(default_factory=list)  # objects contributing pieces to each target
    cycles: list[list[Diagnostic]] = field(default_factory=list)
    assign: dict[str, str] = field(default_factory=dict)  # the plan's assignment this layout was made for
    overridden: set[str] = field(default_factory=set)  # objects an override pins, and kept statements it may take along
    noted: list[str] = field(default_factory=list)  # objects whose contribution has problems or split keys


class Deps:
    """Hard dependencies and foreign keys of each object, computed once per catalog."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.hard: dict[str, list[str]] = {}
        self.fks: dict[str, list[ForeignKey]] = {}
        objects = cat.objects
        types: set[str] = set()
        funcs: dict[str, list[str]] = {}
        for k in objects:
            if k[0] == "f" and k.startswith("function:"):
                funcs.setdefault(k[9:].split("(", 1)[0], []).append(k)
            elif k[0] == "t" and k.startswith("type:"):
                types.add(k[5:])
        # One pass computes each object's dependencies and what a reassignment needs to recompute
        # only what it touches; the rules that relate objects to each other come after it.
        # A table's kept statements run in chain order: each needs the one before, so moving one
        # (after a function or table it needs) takes the later ones along.
        self.kept_chains: dict[str, list[str]] = {}  # parent → its kept statements, in chain order
        self.before: dict[str, str] = {}  # kept statement → the one before it in its chain
        self.pos: dict[str, int] = {k: i for i, k in enumerate(objects)}  # catalog order, which problems follow
        self.rooted: dict[str, list[str]] = {}  # legacy file → objects whose home it gives (catalog order)
        self.roots: dict[str, str] = {}  # object → the last object of its parent chain (whose file gives its home)
        views: list[str] = []
        kept_alters: list[str] = []
        label_renames: list[str] = []
        roots, rooted, hard_of, fks_of, before = self.roots, self.rooted, self.hard, self.fks, self.before
        kept_chains = self.kept_chains
        compute = self._compute
        for k, obj in objects.items():
            hard, fks_of[k] = compute(obj, types, funcs)
            hard_of[k] = hard
            p = obj.parent
            if p is None or p not in objects:
                roots[k] = k
                file = obj.origin.file
            else:
                root = roots[k] = roots.get(p) or self._root(cat, k)
                file = objects[root].origin.file
            bucket = rooted.get(file)
            if bucket is None:
                rooted[file] = [k]
            else:
                bucket.append(k)
            kind = obj.kind
            if kind == "statement" and p:
                chain = kept_chains.get(p)
                if chain is None:
                    kept_chains[p] = [k]
                else:
                    before[k] = chain[-1]
                    if chain[-1] not in hard:
                        hard.append(chain[-1])
                    chain.append(k)
                origin_kind = obj.origin.kind
                if origin_kind == "alter_table":
                    kept_alters.append(k)
                elif origin_kind == "alter_type" and obj.origin.detail.action == "rename_value":
                    label_renames.append(k)
            elif kind == "view":
                views.append(k)
        self._after_kept_alters(cat, kept_alters, views)
        self._around_kept_label_renames(cat, label_renames)
        self._users_and_movers()
        self._members: dict[str, list[str]] | None = None

    def _users_and_movers(self) -> None:
        """Who needs each object (its placement moves them), and the pieces that may move."""
        objects = self.cat.objects
        self.users: dict[str, set[str]] = {}  # object → objects whose pieces depend on where it is
        self.type_uses: list[tuple[str, str]] = []
        # A movable piece whose hard dependencies go beyond its parent (each listed once); a kept
        # statement also when one before it in its chain needs more than the chain.
        self.movers: list[str] = []
        moving_chains: set[str] = set()
        users, before, movers = self.users, self.before, self.movers
        for k, hard in self.hard.items():
            for d in hard:
                u = users.get(d)
                if u is None:
                    users[d] = {k}
                else:
                    u.add(k)
                if d[0] == "t" and d.startswith("type:"):
                    self.type_uses.append((k, d))
            fks = self.fks[k]
            if fks:
                for fk in fks:
                    users.setdefault(fk.ref, set()).add(k)
                    if fk.after is not None:
                        users.setdefault(fk.after, set()).add(k)
            o = objects[k]
            kind = o.kind
            if kind not in MOVABLE:
                continue
            p = o.parent
            if kind == "statement" and p:
                if p not in moving_chains:
                    b = before.get(k)
                    if any(d != p and d != b for d in hard):
                        moving_chains.add(p)
                if p in moving_chains:
                    movers.append(k)
            elif len(hard) > 1 or (hard and hard[0] != p):
                movers.append(k)
        self.mover_set = set(movers)
        self.hoistable = {d for _, d in self.type_uses}

    @staticmethod
    def _root(cat: Catalog, k: str) -> str:
        """The last object of ``k``'s parent chain, walked (a parent made after its child, rarely)."""
        objects = cat.objects
        root, p, steps = k, objects[k].parent, 0
        while p is not None and steps < 15:
            parent = objects.get(p)
            if parent is None:
                break
            root, p, steps = p, parent.parent, steps + 1
        return root

    def overridden(self, overrides: dict[str, str]) -> set[str]:
        """Objects with an override (by object or statement key) somewhere on their parent chain."""
        if not overrides:
            return set()
        if self._members is None:
            members: dict[str, list[str]] = {}
            for k, chain in self.chains.items():
                for a, sid_key in chain:
                    members.setdefault(a, []).append(k)
                    members.setdefault(sid_key, []).append(k)
            self._members = members
        return {k for o in overrides for k in self._members.get(o, ())}

    def _after_kept_alters(self, cat: Catalog, kept_alters: list[str], views: list[str]) -> None:
        """An index, trigger, comment or view naming a column that a kept ALTER TABLE added or renamed
        earlier needs that ALTER first: when it moves to a later target (pinned there, or following
        what it needs), they follow.  ``kept_alters``: the kept ALTER TABLEs (catalog order)."""
        alters: dict[str, list[tuple[int, str, frozenset[str]]]] = {}  # table → (seq, key, names it brings)
        for k in kept_alters:
            o = cat.objects[k]
            names = _names_brought(o)
            if names:
                alters.setdefault(o.parent or "", []).append((o.seq, k, names))
        if not alters:
            return
        for found in alters.values():
            found.sort()

        def follow(k: str, obj: Obj, tables: list[str]) -> None:
            used = _names_used_by(obj)
            for t in tables:
                for seq, alter, names in reversed(alters[t]):  # the latest before it that it relies on
                    if seq < obj.seq and not names.isdisjoint(used):
                        if alter not in self.hard[k]:
                            self.hard[k].append(alter)
                        break

        for t, found in alters.items():
            first = found[0][0]
            for k in cat.children.get(t, ()):
                obj = cat.objects.get(k)
                if obj is not None and obj.kind in ("index", "trigger", "comment") and obj.seq > first:
                    follow(k, obj, [t])
        for k in views:
            obj = cat.objects[k]
            tables = [d for d in self.hard[k] if d in alters and alters[d][0][0] < obj.seq]
            if tables:
                follow(k, obj, tables)

    def _around_kept_label_renames(self, cat: Catalog, label_renames: list[str]) -> None:
        """A kept ``RENAME VALUE`` of an enum comes after what was made with the old label (a table whose
        default names it), and what was made later with the new label comes after it.  ``label_renames``:
        the kept ``RENAME VALUE`` statements (catalog order)."""
        if not label_renames:
            return
        chain_of = {p: i for i, p in enumerate(self.kept_chains)}
        # Chain by chain, as they run (a stable sort keeps the catalog order inside each chain).
        renames = [(k, cat.objects[k]) for k in sorted(label_renames, key=lambda k: chain_of[cat.objects[k].parent])]
        users: dict[str, list[str]] = {}  # type → objects whose placement needs it
        for k, ds in self.hard.items():
            for d in ds:
                if d.startswith("type:"):
                    users.setdefault(d, []).append(k)
        for r, ro in renames:
            d = ro.origin.detail
            for u in users.get(ro.parent or "", ()):
                uo = cat.objects[u]
                if uo.kind == "statement":
                    continue  # kept statements on the type keep their chain order
                text = _label_text(uo)
                if uo.seq < ro.seq and f"'{d.value}'" in text and u not in self.hard[r]:
                    self.hard[r].append(u)
                elif uo.seq > ro.seq and f"'{d.new_value}'" in text and r not in self.hard[u]:
                    self.hard[u].append(r)

    @functools.cached_property
    def chains(self) -> dict[str, list[tuple[str, str]]]:
        """Parent chains, made when the plan first has overrides (they are looked up along them)."""
        return self.parent_chains(self.cat)

    @staticmethod
    def parent_chains(cat: Catalog) -> dict[str, list[tuple[str, str]]]:
        """For each object: itself and its ancestors (at most 16), each with its statement-override key."""
        out: dict[str, list[tuple[str, str]]] = {}
        for k, obj in cat.objects.items():
            own = (k, f"statement:{obj.origin.file}@{obj.origin.sid}")
            p = obj.parent
            if p is None or p not in cat.objects:
                out[k] = [own]
            elif p in out:  # parents come first in the catalog, almost always: share their chain
                out[k] = [own, *out[p][:15]]
            else:
                chain = [own]
                while p is not None and p in cat.objects and len(chain) < 16:
                    o = cat.objects[p]
                    chain.append((p, f"statement:{o.origin.file}@{o.origin.sid}"))
                    p = o.parent
                out[k] = chain
        return out

    def _compute(self, obj: Obj, types: set[str], funcs: dict[str, list[str]]) -> tuple[list[str], list[ForeignKey]]:
        cat = self.cat
        objects, aliases = cat.objects, cat.aliases
        kind = obj.kind
        t = obj.table
        if t is None and not obj.extra_deps and kind not in ("index", "trigger", "statement"):
            p = obj.parent  # a comment, a function, a type...: its parent at most
            return ([p] if p and p != obj.key and p in objects else []), _NO_FKS
        fks: list[ForeignKey] = []
        deps: list[str] = [obj.parent] if obj.parent else []
        if t is not None:
            for col in t.columns:
                base = type_base(col.type_text)
                if base in types:
                    deps.append(key("type", base))
                for c in col.clauses:
                    if c.kind == "references" and c.ref_table:
                        ref = cat.get(key("table", c.ref_table))
                        if ref is not None and ref.key != obj.key:
                            fks.append(ForeignKey(obj.key, ref.key, column=col.name, after=_kept_rename(cat, ref, c.body)))
                    else:
                        calls, sequences = _names_used(c.text)
                        if calls:
                            deps.extend(f for name in calls for f in funcs.get(name, ()))
                        if sequences:
                            deps.extend(s for s in sequences if s in objects)
            for i, con in enumerate(t.constraints):
                if con.kind == "foreign" and con.ref_table:
                    ref = cat.get(key("table", con.ref_table))
                    if ref is not None and ref.key != obj.key:
                        fks.append(ForeignKey(obj.key, ref.key, constraint=i, after=_kept_rename(cat, ref, con.body)))
                elif con.kind == "check":
                    deps.extend(f for name in _names_used(con.text)[0] for f in funcs.get(name, ()))
        elif kind == "index":
            if obj.origin.detail.calls:
                deps.extend(f for name in obj.origin.detail.calls for f in funcs.get(name, ()))
        elif kind == "trigger":
            deps.extend(funcs.get(obj.origin.detail.function, ()))
        elif kind == "statement" and obj.origin.kind not in _DATA_KINDS:
            # A kept ALTER, DO block and the like may call functions (a column's DEFAULT) and sequences.
            # Data statements are not scanned: they are long, and scanning them all costs more than the
            # rest of the dependencies together; rows calling a function of a later target stay a known gap.
            for text in _call_texts(obj):
                calls, sequences = _names_used(text)
                if calls:
                    deps.extend(f for name in calls for f in funcs.get(name, ()))
                if sequences:
                    deps.extend(s for s in sequences if s in objects)
        for d in obj.extra_deps:
            target = objects.get(aliases.get(d, d))
            if target is not None:
                deps.append(target.key)
            elif d.startswith("function:") and d.endswith("()"):
                deps.extend(funcs.get(d[9:-2], ()))
        if not deps:
            return deps, fks or _NO_FKS
        me = obj.key
        return [d for d in dict.fromkeys(deps) if d != me and d in objects], fks or _NO_FKS


_NO_FKS: list[ForeignKey] = []  # shared by the objects without foreign keys (most): never appended to


@functools.lru_cache(maxsize=16384)
def _names_used(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names a clause calls as functions, and sequence keys it passes to nextval (clause texts repeat a lot)."""
    return (tuple(n.lower() for n in _CALL.findall(text)), tuple(key("sequence", s) for s in _NEXTVAL.findall(text)))


_REF_COLUMNS = re.compile(r"\breferences\s+[^\s(]+\s*\(([^)]*)\)", re.I)


def _kept_rename(cat: Catalog, ref: Obj, body: str) -> str | None:
    """The kept ``RENAME COLUMN`` of ``ref`` (a serial key, say) that gives a column this key names its name."""
    m = _REF_COLUMNS.search(body)
    if m is None or ref.table is None:
        return None
    names = [n.strip() for n in m.group(1).split(",")]
    missing = [n.strip('"') if n.startswith('"') else n.lower() for n in names if n]
    missing = [n for n in missing if ref.table.column(n) is None]
    if not missing:  # the usual case: the key names columns the table has
        return None
    found: Obj | None = None
    for ck in sorted(cat.children.get(ref.key, ())):
        c = cat.objects.get(ck)
        if c is not None and c.kind == "statement" and (found is None or c.seq > found.seq) and any(
                re.search(rf"\brename\s+(?:column\s+)?\S+\s+to\s+\"?{re.escape(n)}\b", c.text, re.I) for n in missing):
            found = c
    return found.key if found is not None else None


def _label_text(obj: Obj) -> str:
    """Where an object may write an enum label: a table's columns as emitted, else its text."""
    if obj.table is not None:
        return " ".join(c.render() for c in obj.table.columns)
    return obj.text


def _call_texts(kept: Obj) -> list[str]:
    """The parts of a kept statement that may call functions: for a kept ALTER TABLE, the clauses of
    its kept actions (short texts that repeat, so their scans are remembered); else its whole text."""
    if kept.origin.kind != "alter_table":
        return [kept.text]
    out: list[str] = []
    for a in kept.origin.detail.actions:
        if a.text not in kept.text:
            continue
        if a.coldef is not None:
            out += [c.text for c in a.coldef.clauses if c.kind != "references"]
        elif a.clause is not None:
            out.append(a.clause.text)
        elif a.constraint is not None and a.constraint.kind != "foreign":
            out.append(a.constraint.text)
        elif a.kind == "set_type" and a.if_exists:  # a USING expression
            out.append(a.text)
    return out


def _names_brought(kept: Obj) -> frozenset[str]:
    """Columns a kept ALTER TABLE adds or renames to (only its kept actions)."""
    out = set()
    for a in kept.origin.detail.actions:
        if a.text in kept.text:
            if a.kind == "add_column" and a.coldef is not None:
                out.add(a.coldef.name)
            elif a.kind == "rename_column" and a.new_name:
                out.add(a.new_name)
    return frozenset(out)


_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


def _names_used_by(obj: Obj) -> set[str] | frozenset[str]:
    """The names an index, trigger, comment or view may use (lower-cased words of its text)."""
    if obj.kind == "index":
        return obj.origin.detail.idents
    if obj.kind == "comment":
        target = obj.key.split(":", 2)[-1]  # comment:column:table.col
        return {target.rsplit(".", 1)[-1]} if obj.key.startswith("comment:column:") else set()
    return set(_WORDS.findall(obj.text.lower()))


def kept_column_renames(cat: Catalog, table: str) -> list[tuple[str, str, str]]:
    """The kept ``RENAME COLUMN``s of a table: (statement key, old name, new name), in chain order."""
    found = []
    for ck in cat.children.get(table, ()):
        c = cat.objects.get(ck)
        if c is not None and c.kind == "statement" and c.origin.kind == "alter_table":
            found += [(c.seq, ck, a.column, a.new_name) for a in c.origin.detail.actions
                      if a.kind == "rename_column" and a.column and a.new_name]
    return [(k, old, new) for _, k, old, new in sorted(found)]


def _renamed_columns(cat: Catalog, obj: Obj, fk: ForeignKey) -> bool:
    """Whether the columns a key names are columns of the referenced CREATE TABLE, renamed by kept renames
    (then the key can be written anywhere after that table, with the names the columns have there)."""
    t, ref = obj.table, cat.objects[fk.ref].table
    assert t is not None and ref is not None
    if fk.column is not None:
        col = t.column(fk.column)
        body = next((c.body for c in col.clauses if c.kind == "references"), "") if col is not None else ""
    else:
        body = t.constraints[fk.constraint or 0].body
    m = _REF_COLUMNS.search(body)
    if m is None:
        return False
    names = [n.strip() for n in m.group(1).split(",")]
    names = [n[1:-1] if n.startswith('"') else n.lower() for n in names]
    for _, old, new in reversed(kept_column_renames(cat, fk.ref)):
        names = [old if n == new else n for n in names]
    return all(ref.column(n) is not None for n in names)


def column_renames(cat: Catalog) -> dict[str, list[tuple[str, str, str]]]:
    """:func:`kept_column_renames` of every table that has some (most histories have none)."""
    # A kept column rename marks its table as reshaped (rules.alter_table): only those need looking at.
    return {t: r for t in sorted(cat.reshaped) if (r := kept_column_renames(cat, t))}


def renames_to_undo(cat: Catalog, deps: Deps, renames: dict[str, list[tuple[str, str, str]]], p: Piece,
                    emitted_after: Callable[[str], bool]) -> tuple[tuple[str, str, str], ...]:
    """(table, old, new) of the kept column renames, emitted after ``p``, that its REFERENCES lists must undo.

    The catalog names referenced columns by their final names (rules: a kept rename renames them in
    other tables' keys and in kept statements); a piece emitted before such a rename names them as
    they are called there.  Newest first, the order to undo them in.  ``renames``: :func:`column_renames`.
    """
    if not renames:
        return ()
    obj = p.obj
    if p.fk is not None:
        refs: list[str] = [p.fk.ref]
    elif obj.table is not None:
        refs = [fk.ref for fk in deps.fks.get(obj.key, ())]
    elif obj.kind == "statement":
        refs = deps.hard.get(obj.key, [])
    else:
        return ()
    out = []
    for ref in dict.fromkeys(r for r in refs if r in renames):
        rt = cat.objects[ref].table
        for rk, old, new in reversed(renames[ref]):
            if rt is not None and emitted_after(rk):
                out.append((rt.name, old, new))
    return tuple(out)


def _homes(cat: Catalog, deps: Deps, plan: Plan, prev: Layout | None, overridden: set[str]
           ) -> tuple[dict[str, int | None], set[str] | None, list[Diagnostic]]:
    """Home target index of every object (``None`` when it has none), the objects looked at again
    (``None``: all), and the problems found.

    The nearest override up an object's parent chain wins; else the assignment of the file that
    created the top of the chain.  With ``prev`` (a layout for the same targets), only the objects
    of files whose assignment changed, and overridden ones (``overridden`` now or before), are
    looked at again.
    """
    index = {t.file: i for i, t in enumerate(plan.targets)}
    assign = plan.assign

    def file_home(f: str) -> int | None:
        assigned = assign.get(f)
        return index.get(assigned) if assigned else None

    recomputed: set[str] | None
    if prev is None:
        homes: dict[str, int | None] = {}
        files: Iterable[str] = deps.rooted
        recomputed = None
    else:
        homes = dict(prev.homes)
        files = [f for f in set(prev.assign) | set(assign) if prev.assign.get(f) != assign.get(f)]
        recomputed = overridden | prev.overridden
    for f in files:
        h = file_home(f)
        keys = deps.rooted.get(f, ())
        for k in keys:
            homes[k] = h
        if recomputed is not None:
            recomputed.update(keys)
    if prev is not None:
        for k in prev.overridden - overridden:  # no longer pinned: back to its file's target
            homes[k] = file_home(cat.objects[deps.roots[k]].origin.file)
    nearest: dict[str, tuple[str, str]] = {}  # overridden object → (chain member whose override applies, target)
    for k in overridden:
        for a, sid_key in deps.chains[k]:
            chosen = plan.overrides.get(a) or plan.overrides.get(sid_key)
            if chosen is not None:
                homes[k] = index.get(chosen)
                nearest[k] = (a, chosen)
                break
    return homes, recomputed, _home_problems(cat, deps, plan, index, overridden, nearest)


def _home_problems(cat: Catalog, deps: Deps, plan: Plan, index: dict[str, int], overridden: set[str],
                   nearest: dict[str, tuple[str, str]]) -> list[Diagnostic]:
    """One error per unassigned file that creates objects, and per override to a non-target, in catalog order."""
    found: list[tuple[int, Diagnostic]] = []
    for f, keys in deps.rooted.items():
        assigned = plan.assign.get(f)
        if assigned and assigned in index:
            continue
        first = next((k for k in keys if k not in overridden), None)
        if first is None:
            continue
        root = deps.roots[first]
        o = cat.objects[root].origin
        why = "is not assigned to a target" if not assigned else "is assigned to YAML but creates objects"
        found.append((deps.pos[first], Diagnostic("error", o.file, o.line, f"{why} ({root} has no home)", "unassigned")))
    first_by_where: dict[str, tuple[str, str]] = {}  # overridden member → (first object it pins, its target)
    for k, (where, chosen) in nearest.items():
        if chosen not in index and (where not in first_by_where or deps.pos[k] < deps.pos[first_by_where[where][0]]):
            first_by_where[where] = (k, chosen)
    for where, (k, chosen) in first_by_where.items():
        o = cat.objects[where].origin
        found.append((deps.pos[k], Diagnostic("error", o.file, o.line, f"{where} is overridden to {chosen!r}, which is "
                                              "not a target file (only data statements go to YAML)", "unassigned")))
    found.sort(key=lambda x: x[0])
    return [d for _, d in found]


def place(cat: Catalog, deps: Deps, plan: Plan, order_cache: dict | None = None, prev: Layout | None = None) -> Layout:
    """Targets of all pieces, foreign keys split where they point forward, pieces ordered.

    With ``prev`` (the layout before a reassignment or override, same targets), only objects whose
    placement changed, and those that depend on them, are rebuilt, and only their targets re-sorted.
    """
    names = plan.target_names()
    if prev is not None and len(prev.targets) != len(names):
        prev = None
    overridden = deps.overridden(plan.overrides)
    followers = _followers(cat, deps, overridden)
    homes, recomputed, problems = _homes(cat, deps, plan, prev, overridden)
    if recomputed is not None:
        recomputed |= followers
    movers = _movers(cat, deps, overridden | followers)
    if recomputed is None:  # no previous layout: everything from scratch
        placed: dict[str, int] = {k: h for k, h in homes.items() if h is not None}
    else:
        # Only recomputed objects, types (which may be hoisted) and movers can differ from ``homes``:
        # start from the previous placement with those reset, so both passes below see what a full run sees.
        placed = dict(prev.placed)
        candidates = recomputed | deps.hoistable | set(movers)
        for k in candidates:
            h = homes.get(k)
            if h is None:
                placed.pop(k, None)
            else:
                placed[k] = h
    _hoist_types(cat, deps, plan, placed, problems, names)
    _follow_dependencies(cat, deps, movers, placed, problems, names)
    cache = order_cache if order_cache is not None else {}
    if len(cache) > 20000:
        cache.clear()
    if recomputed is None:
        contributions = {k: _contribution(cat, deps, k, placed, names) for k in cat.objects if k in placed}
        keys: list[set[str]] = [set() for _ in names]
        for k, c in contributions.items():
            for p in c.pieces:
                keys[p.target].add(k)
        touched = set(range(len(names)))
        targets: list[list[Piece]] = [[] for _ in names]
        cycles: list[list[Diagnostic]] = [[] for _ in names]
    else:
        contributions, keys = dict(prev.contributions), [set(ks) for ks in prev.target_keys]
        targets, cycles = list(prev.targets), list(prev.cycles)
        old = prev.placed
        changed = {k for k in candidates if old.get(k) != placed.get(k)}
        affected = changed | {r for c in changed for r in deps.users.get(c, ())}
        touched = set()
        for k in affected:
            before = contributions.pop(k, None)
            if before is not None:
                for p in before.pieces:
                    keys[p.target].discard(k)
                    touched.add(p.target)
            if k in placed and k in cat.objects:
                contributions[k] = c = _contribution(cat, deps, k, placed, names)
                for p in c.pieces:
                    keys[p.target].add(k)
                    touched.add(p.target)
    layout = Layout([], homes, placed, {}, [], contributions, keys, cycles, dict(plan.assign), overridden | followers)
    for t in sorted(touched):
        pieces = sorted((p for k in keys[t] for p in contributions[k].pieces if p.target == t), key=lambda p: (p.seq, p.id))
        found: list[Diagnostic] = []
        targets[t] = _order_cached(pieces, found, names[t], cache)
        cycles[t] = found
    layout.targets = targets
    if recomputed is None:
        noted = [k for k, c in contributions.items() if c.problems or c.split]
    else:
        kept_notes = {k for k in prev.noted if k not in affected}
        kept_notes.update(k for k in affected if k in contributions and (contributions[k].problems or contributions[k].split))
        noted = list(kept_notes)
    noted.sort(key=deps.pos.__getitem__)  # catalog order keeps problems and splits deterministic
    layout.noted = noted
    for k in noted:
        c = contributions[k]
        problems.extend(c.problems)
        if c.split:
            layout.split[k] = c.split
    layout.problems = problems + [d for cs in cycles for d in cs]
    return layout


@dataclass
class Contribution:
    """What one object puts into the targets: its piece, split-off foreign keys, and what to say about them."""

    pieces: list[Piece]
    split: set[str]
    problems: list[Diagnostic]


def _movers(cat: Catalog, deps: Deps, overridden: set[str]) -> list[str]:
    """Pieces that can end up needing a later target: those needing more than their parent, and pinned ones.

    A pinned piece, and what inherits its pin (a comment on a pinned index), may need moving.
    """
    extra = [k for k in overridden if k not in deps.mover_set and cat.objects[k].kind in MOVABLE]
    return deps.movers + sorted(extra, key=deps.pos.__getitem__) if extra else deps.movers


def _followers(cat: Catalog, deps: Deps, overridden: set[str]) -> set[str]:
    """Kept statements after a pinned one in its table's chain: it may take them along."""
    out: set[str] = set()
    for k in overridden:
        o = cat.objects[k]
        if o.kind == "statement" and o.parent:
            chain = deps.kept_chains[o.parent]
            out.update(chain[chain.index(k) + 1:])
    return out - overridden


def _follow_dependencies(cat: Catalog, deps: Deps, movers: list[str], placed: dict[str, int],
                         problems: list[Diagnostic], names: list[str]) -> None:
    """Movable pieces (indexes, triggers, comments, views, kept statements) go where what they need exists.

    The first round looks at every mover, in catalog order; a later round only at the movers
    that need one that moved in the round before (chains of views or of kept statements).
    """
    moved: dict[str, str] = {}
    hard = deps.hard
    todo = movers
    mover_set: set[str] | None = None
    for _ in range(8):
        changed: list[str] = []
        for k in todo:
            p = placed.get(k)
            if p is None:
                continue
            need = p
            for d in hard[k]:
                q = placed.get(d)
                if q is not None and q > need:
                    need = q
            if need > p:
                placed[k] = need
                moved[k] = max(hard[k], key=lambda d: placed.get(d, -1))
                changed.append(k)
        if not changed:
            break
        if mover_set is None:
            mover_set = set(movers)
        users = {u for c in changed for u in deps.users.get(c, ()) if u in mover_set}
        todo = sorted(users, key=deps.pos.__getitem__)
    for k, why in moved.items():
        o = cat.objects[k].origin
        problems.append(Diagnostic("info", o.file, o.line,
                                   f"{k} moved to {names[placed[k]]}: it needs {why}, created there", "moved"))


def _contribution(cat: Catalog, deps: Deps, k: str, placed: dict[str, int], names: list[str]) -> Contribution:
    obj = cat.objects[k]
    t = placed[k]
    out = Contribution([], set(), [])
    for d in deps.hard[k]:
        if d in placed and placed[d] > t and obj.kind not in MOVABLE:
            out.problems.append(Diagnostic("error", obj.origin.file, obj.origin.line,
                                           f"{k} in {names[t]} needs {d}, which is created later in {names[placed[d]]}; "
                                           f"assign them so that {d} comes first", "forward-reference"))
    main = Piece(k, obj, t, obj.seq, [d for d in deps.hard[k] if placed.get(d) == t])
    out.pieces.append(main)
    for fk in deps.fks[k]:
        if fk.ref not in placed:
            continue
        # The key can be written once its table exists, and after the kept rename its text relies on.
        anchor = fk.after if fk.after is not None and fk.after in placed else fk.ref
        ref = cat.objects[anchor]
        if (placed[anchor], ref.seq) <= (t, obj.seq):
            main.deps.extend(d for d in dict.fromkeys((fk.ref, anchor)) if placed[d] == t)
            continue
        if anchor != fk.ref and (placed[fk.ref], cat.objects[fk.ref].seq) <= (t, obj.seq) and _renamed_columns(cat, obj, fk):
            # Its table comes before the kept rename: the key stays inline and names the columns as they are
            # called there (rendering undoes the renames emitted after it), so kept statements between the
            # table and the rename (a DROP or RENAME of the key's own column) still find the key.
            if placed[fk.ref] == t:
                main.deps.append(fk.ref)
            continue
        fid = _fk_id(fk)
        out.split.add(fid)
        rt = placed[anchor]
        label = _fk_label(obj, fk)
        note = (f"foreign key {label} moved to {names[rt]}: {fk.ref} is created there" if rt != t else
                f"foreign key {label} added after {fk.ref}, which is created later in the same file")
        piece = Piece(f"{k}/{fid}", obj, rt, ref.seq + 0.5,
                      [d for d in dict.fromkeys((k, fk.ref, anchor)) if placed.get(d) == rt], fk, note)
        ref_name = fk.ref.split(":", 1)[1]
        piece.comment = (f"-- Foreign key {label}: added here, where {ref_name} exists "
                         f"({k.split(':', 1)[1]} is created in {names[t]})." if rt != t else
                         f"-- Foreign key {label}: added once {ref_name} exists.")
        out.pieces.append(piece)
        out.problems.append(Diagnostic("info", obj.origin.file, obj.origin.line, note, "fk-moved"))
    return out


def _hoist_types(cat: Catalog, deps: Deps, plan: Plan, placed: dict[str, int], problems: list[Diagnostic],
                 names: list[str]) -> None:
    """A type needs nothing, so it may move to an earlier target that uses it (unless the plan pins it,
    or statements on it are kept verbatim)."""
    first_use: dict[str, tuple[int, str]] = {}
    for k, d in deps.type_uses:
        if k in placed and d in placed and placed[k] < placed[d] and (d not in first_use or placed[k] < first_use[d][0]):
            first_use[d] = (placed[k], k)
    for d, (t, user) in first_use.items():
        # Not a type with kept statements (a kept RENAME VALUE, say): they would stay behind, and the
        # statements between them in the chain expect the labels of their time.  The user is told
        # to order the files (or pin the type, which takes its kept statements along).
        if d in plan.overrides or deps.hard.get(d) or d in deps.kept_chains:
            continue
        placed[d] = t
        o = cat.objects[d].origin
        problems.append(Diagnostic("info", o.file, o.line, f"{d} moved earlier to {names[t]}: {user} uses it there", "moved"))


def _fk_label(obj: Obj, fk: ForeignKey) -> str:
    t = obj.table
    assert t is not None
    if fk.column is not None:
        return f"{t.name}.{fk.column}"
    return f"{table_constraint_name(t.name, t.constraints[fk.constraint or 0])} on {t.name}"


def _fk_id(fk: ForeignKey) -> str:
    return f"column:{fk.column}" if fk.column is not None else f"constraint:{fk.constraint}"


def _order_cached(pieces: list[Piece], found: list[Diagnostic], name: str, cache: dict) -> list[Piece]:
    """:func:`_order`, remembered by content: a reassignment changes the pieces of one or two targets."""
    sig = (name, tuple((p.id, p.seq, tuple(p.deps)) for p in pieces))
    ids = cache.get(sig)
    if ids is None:
        ordered = _order(pieces, found, name)
        if not found:  # only cycle-free orders are remembered, so cycles are always reported
            cache[sig] = [p.id for p in ordered]
        return ordered
    by_id = {p.id: p for p in pieces}
    return [by_id[i] for i in ids]


def _order(pieces: list[Piece], found: list[Diagnostic], name: str) -> list[Piece]:
    """Creation order, except that a piece never precedes one it needs (stable topological sort)."""
    by_id = {p.id: p for p in pieces}
    waiting: dict[str, int] = {}
    users: dict[str, list[str]] = {}
    for p in pieces:
        ds = [d for d in p.deps if d in by_id and d != p.id]
        waiting[p.id] = len(ds)
        for d in ds:
            users.setdefault(d, []).append(p.id)
    heap = [(p.seq, p.id) for p in pieces if waiting[p.id] == 0]
    heapq.heapify(heap)
    out: list[Piece] = []
    while heap:
        _, pid = heapq.heappop(heap)
        out.append(by_id[pid])
        for u in users.get(pid, ()):
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(heap, (by_id[u].seq, u))
    if len(out) < len(pieces):
        stuck = sorted(p.id for p in pieces if waiting[p.id] > 0)
        found.append(Diagnostic("error", name, None, f"dependency cycle between {', '.join(stuck[:4])}", "cycle"))
        out.extend(p for p in sorted(pieces, key=lambda p: p.seq) if waiting[p.id] > 0)
    return out


# --- rendering ------------------------------------------------------------

def render_piece(p: Piece, split: set[str], undo: tuple[tuple[str, str, str], ...] = ()) -> str:
    """The piece's SQL; ``undo`` (from :func:`renames_to_undo`) gives referenced columns their names there."""
    text = _render(p, split)
    for table, old, new in undo:
        text = rename_referenced(text, table, new, old)
    return text


def _render(p: Piece, split: set[str]) -> str:
    obj = p.obj
    if p.fk is not None:
        return _render_fk(obj, p.fk)
    if obj.table is not None:
        return render_table(obj, split)
    if obj.enum is not None and obj.enum.modified:
        values = ",\n".join("    '" + v.replace("'", "''") + "'" for v in obj.enum.values)
        return f"{obj.enum.header} (\n{values}\n);"
    return obj.text


def render_table(obj: Obj, split: set[str]) -> str:
    t = obj.table
    assert t is not None
    if not t.modified and not split:
        return obj.text
    offsets = [c.type_offset for c in t.columns if c.type_offset is not None and c.type_offset > len(c.name_text) + 1]
    align = max(set(offsets), key=offsets.count) if offsets else None
    items: list[tuple[str, str, str, bool]] = []
    for col in t.columns:
        if f"column:{col.name}" in split:
            col = col.edited([c for c in col.clauses if c.kind != "references"])
        text = col.render() if col.original is not None and col.type_offset != len(col.name_text) + 1 else col.render_aligned(align)
        items.append((col.lead, text, col.trail, col.blank_before))
    for i, con in enumerate(t.constraints):
        if f"constraint:{i}" not in split:
            items.append((con.lead, con.text, con.trail, con.blank_before))
    lines = [t.header + " ("]
    for i, (lead, body, trail, blank) in enumerate(items):
        if blank and i:
            lines.append("")
        lines.extend("    " + ln.strip() for ln in lead.splitlines())
        sep = "," if i < len(items) - 1 else ""
        lines.append("    " + body + sep + (" " + trail if trail else ""))
    lines.extend("    " + ln.strip() for ln in t.closing.splitlines())
    lines.append(")" + (" " + t.tail if t.tail else "") + ";")
    return "\n".join(lines)


def _render_fk(obj: Obj, fk: ForeignKey) -> str:
    t = obj.table
    assert t is not None
    table = quote_ident(t.name)
    if fk.column is not None:
        col = t.column(fk.column)
        assert col is not None
        clause = next(c for c in col.clauses if c.kind == "references")
        name = constraint_name(t.name, col, clause)
        return f"ALTER TABLE {table}\n    ADD CONSTRAINT {quote_ident(name or '')} FOREIGN KEY ({col.name_text}) {clause.body};"
    con = t.constraints[fk.constraint or 0]
    name = table_constraint_name(t.name, con)
    return f"ALTER TABLE {table}\n    ADD CONSTRAINT {quote_ident(name or '')} {con.body};"
