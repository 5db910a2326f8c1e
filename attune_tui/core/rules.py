"""Folding rules: each statement kind (and each ALTER TABLE action) is one small rule.

A rule applies one statement to the catalog.  It either folds the statement
into an object (a column joins its CREATE TABLE, a function's final body
replaces the earlier one, a drop removes what it drops), or keeps it
verbatim as an ordered "statement" object and says why.  Nothing is dropped
without a trace: every statement ends up shaping an object, consumed by a
fold, extracted to YAML, or kept.
"""

from __future__ import annotations

import re
from typing import Callable

from .catalog import Catalog, EnumState, Obj, TableState
from .classify import AlterAction, AlterTable, AlterType, CommentDef, DropDef, EnumDef, TableCreate, index_idents
from .lexer import tokenize
from .statements import Statement, key
from .names import make_object_name, qualified_name, quote_ident, type_base
from .tabledef import Clause, Column, TableConstraint, constraint_name, table_constraint_name

Rule = Callable[[Catalog, Statement], None]
RULES: dict[str, Rule] = {}
ALTER_RULES: dict[str, Callable[[Catalog, Statement, Obj, AlterAction], bool]] = {}


def rule(*kinds: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for k in kinds:
            RULES[k] = fn
        return fn
    return register


def alter_rule(*kinds: str):
    def register(fn):
        for k in kinds:
            ALTER_RULES[k] = fn
        return fn
    return register


def keep(cat: Catalog, stmt: Statement, reason: str, text: str | None = None, parent: str | None = None,
         severity: str = "warning") -> Obj:
    """Keep a statement (or a part of one) verbatim, in chain order, and say so."""
    n = cat.kept_parts.get(stmt.seq, 0)
    cat.kept_parts[stmt.seq] = n + 1
    suffix = f".{n}" if n else ""
    obj = Obj(key("statement", f"{stmt.file}#{stmt.index}{suffix}"), stmt, text or stmt.text, parent=parent)
    obj.notes.append(reason)
    obj.extra_deps.update(stmt.depends + stmt.alters)
    for d in obj.extra_deps:
        cat.kept_needs.setdefault(d, set()).add(obj.key)
    cat.add(obj)
    if severity:
        cat.warn(stmt, f"kept as is: {reason}", "kept", severity)
    return obj


def consume(cat: Catalog, stmt: Statement, what: str) -> None:
    cat.consumed[stmt.seq] = what


# --- tables ---------------------------------------------------------------

@rule("create_table")
def create_table(cat: Catalog, stmt: Statement) -> None:
    d: TableCreate = stmt.detail
    k = key("table", d.name)
    if cat.get(k) is not None:
        if re.search(r"\bif\s+not\s+exists\b", d.header, re.I):
            consume(cat, stmt, f"no-op: {k} already exists")
        else:
            keep(cat, stmt, f"{k} is created twice")
        return
    columns = [c for c in d.items if isinstance(c, Column)]
    constraints = [c for c in d.items if isinstance(c, TableConstraint)]
    cat.add(Obj(k, stmt, stmt.text, table=TableState(d.name, d.header, columns, constraints, d.tail, d.closing)))
    for dep in stmt.depends:
        cat.referrers.setdefault(dep.split(":", 1)[1], set()).add(k)
    cat.counts["tables_created"] += 1
    for c in columns:
        cat.counts["columns_created"] += 1


@rule("alter_table")
def alter_table(cat: Catalog, stmt: Statement) -> None:
    d: AlterTable = stmt.detail
    obj = cat.get(key("table", d.name))
    if obj is None or obj.table is None:
        keep(cat, stmt, f"table {d.name} is not created by this history")
        return
    kept: list[str] = []
    # Once a kept statement has put rows into the table, the consolidated chain runs it against the
    # folded CREATE TABLE: a later column change folded there would change what it sees (a dropped or
    # renamed column, a default it relied on), so only what cannot break it is still folded.  The same
    # holds after a kept column rename: later statements use the new name, which the CREATE TABLE lacks.
    rows = obj.key in cat.seeded or obj.key in cat.reshaped
    needs: list[str] = []  # what the kept part must be emitted after, beyond its table
    for action in d.actions:
        fn = ALTER_RULES.get(action.kind) if not rows or action.kind in _SAFE_WITH_ROWS else None
        column = action.column or ""
        if action.kind in ("rename_column", "drop_column") and _named_by_kept(cat, obj, column):
            fn = None  # a statement kept before it names the column: it must run before the rename or drop
        if fn is not None and _default_names_a_renamed_label(cat, obj, action):
            fn = None  # written into the CREATE TABLE, the label would not exist yet (a kept rename makes it)
        bound = _bound_by_name(cat, obj, column) if action.kind == "rename_column" else []
        if bound:
            fn = None  # a view, trigger or checked function body names it: they must be created before the rename
        if fn is None or not fn(cat, stmt, obj, action):
            kept.append(action.text)
            if action.kind in ("rename_column", "drop_column"):
                cat.reshaped.add(obj.key)
                needs += bound + _foreign_key_targets(cat, obj, column) + _column_users(cat, obj, column)
            if action.kind == "rename_column" and action.column and action.new_name:
                _rename_in_referrers(cat, obj, action.column, action.new_name)
    for dep in stmt.depends:
        cat.referrers.setdefault(dep.split(":", 1)[1], set()).add(obj.key)
    if kept:
        text = f"ALTER TABLE {d.name} " + ",\n    ".join(kept) + ";"
        why = "comes after rows were put into the table or a kept rename" if rows else "cannot be folded"
        kobj = keep(cat, stmt, f"ALTER TABLE {d.name} {kept[0].split()[0].upper()} ... {why}", text, parent=obj.key)
        for tk in _types_used(cat, [a for a in d.actions if a.text in kept]) | set(needs):
            kobj.extra_deps.add(tk)
            cat.kept_needs.setdefault(tk, set()).add(kobj.key)
    elif stmt.seq not in cat.consumed:
        consume(cat, stmt, f"folded into {obj.key}")


def _types_used(cat: Catalog, actions: list[AlterAction]) -> set[str]:
    """Types of this history that kept ADD COLUMN / ALTER ... TYPE actions name: the ALTER must follow them."""
    out = set()
    for a in actions:
        text = a.coldef.type_text if a.coldef is not None else a.type_text
        base = type_base(text) if text else ""
        t = cat.get(key("type", base)) if base else None
        if t is not None:
            out.add(t.key)
    return out


def _kept_children(cat: Catalog, obj: Obj) -> list[Obj]:
    """The kept statements attached to ``obj`` (in no particular order: callers only ask whether any is, or does)."""
    return [c for k in cat.children.get(obj.key, ()) if k.startswith("statement:") and (c := cat.objects.get(k))]


_CHECKED_BODY = re.compile(r"\blanguage\s+'?sql\b|\bbegin\s+atomic\b", re.I)


def _bound_by_name(cat: Catalog, obj: Obj, name: str) -> list[str]:
    """The views, triggers and checked function bodies created so far that name column ``name`` of ``obj``.

    PostgreSQL binds those to the column itself (a view's columns, a trigger's ``UPDATE OF`` and
    ``WHEN``, a SQL function's body, validated when it is created), so the legacy chain survives the
    rename; replayed after a folded rename, their text would name a column that no longer exists.
    (plpgsql bodies are not checked when created and behave the same either way.)  Renames are
    rare, so this looks through the catalog each time.  A rename kept for them must also be emitted
    after them: they become its dependencies.
    """
    t = obj.table
    if not name or t is None:
        return []
    found: list[str] = []
    column, table = _word(name), _word(t.name)
    for o in cat.objects.values():
        if o.kind == "trigger":
            uses = o.parent == obj.key
        elif o.kind == "view":
            uses = obj.key in o.extra_deps or table.search(o.text) is not None
        elif o.kind == "function":
            uses = _CHECKED_BODY.search(o.text) is not None and table.search(o.text) is not None
        else:
            continue
        if uses and column.search(o.text):
            found.append(o.key)
    return found


def _foreign_key_targets(cat: Catalog, obj: Obj, name: str) -> list[str]:
    """Tables that foreign keys on column ``name`` of ``obj`` reference.

    A kept DROP or RENAME of the column must come after such a key, which the plan may
    move to a later target (where its table is created): those tables become its dependencies.
    """
    t = obj.table
    if t is None or not name:
        return []
    col = t.column(name)
    refs = [c.ref_table for c in col.clauses if c.kind == "references" and c.ref_table] if col is not None else []
    refs += [c.ref_table for c in t.constraints if c.kind == "foreign" and c.ref_table and name in c.columns]
    found = [cat.get(key("table", r)) for r in refs]
    return [o.key for o in found if o is not None and o.key != obj.key]


def _default_names_a_renamed_label(cat: Catalog, obj: Obj, a: AlterAction) -> bool:
    """Whether an added column's or a new default's literal is a label of an enum that kept renames change."""
    if a.kind == "add_column" and a.coldef is not None:
        type_text, clause = a.coldef.type_text, a.coldef.find("default")
        text = clause.text if clause is not None else ""
    elif a.kind == "set_default" and a.clause is not None and obj.table is not None:
        col = obj.table.column(a.column or "")
        type_text, text = (col.type_text if col is not None else ""), a.clause.text
    else:
        return False
    enum = cat.get(key("type", type_base(type_text))) if text and type_text else None
    labels = enum.enum.rename_labels if enum is not None and enum.enum is not None else set()
    return any(f"'{label}'" in text for label in labels)


def _column_users(cat: Catalog, obj: Obj, name: str) -> list[str]:
    """Indexes and the comment on column ``name`` of ``obj`` made so far.

    They were written with the column's old name; PostgreSQL carries them over a rename (and a
    drop takes them away), so a kept RENAME or DROP of the column must be emitted after them, also
    when the plan pins one of them in a later target.
    """
    found = [k for k in sorted(cat.children.get(obj.key, ()))
             if k.startswith("index:") and (o := cat.objects.get(k)) is not None and name in _index_idents(o)]
    comment = key("comment", key("column", f"{obj.table.name}.{name}")) if obj.table is not None else ""
    return found + ([comment] if comment in cat.objects else [])


def _word(name: str) -> re.Pattern[str]:
    """``name`` as a whole SQL word, in any case."""
    return re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])", re.I)


_WORD_CHARS = re.compile(r"[\w$]+")


def _named_by_kept(cat: Catalog, obj: Obj, name: str) -> bool:
    """Whether a kept statement on the table uses ``name`` (a column or constraint) as a word.

    Kept statements are mostly data (long INSERTs) and a table's columns are dropped one
    statement at a time, so each kept text is lower-cased once and searched as plain text.
    """
    if not name:
        return False
    kept = _kept_children(cat, obj)
    if not kept:
        return False
    plain = name.isascii() and _WORD_CHARS.fullmatch(name) is not None
    word = None
    for c in kept:
        if plain and c.text.isascii():  # then the pattern's case-insensitive match is lower-case equality
            if _has_word(_lowered(cat, c), name.lower()):
                return True
        else:
            word = word or _word(name)
            if word.search(c.text):
                return True
    return False


def _lowered(cat: Catalog, obj: Obj) -> str:
    """A kept statement's current text, lower-cased (cached while the text stays the same)."""
    hit = cat.lowered.get(obj.key)
    if hit is None or hit[0] is not obj.text:
        hit = cat.lowered[obj.key] = (obj.text, obj.text.lower())
    return hit[1]


def _has_word(text: str, word: str) -> bool:
    """Whether ``word`` occurs in ASCII ``text`` between characters that cannot be part of a name."""
    i = text.find(word)
    while i >= 0:
        j = i + len(word)
        if (i == 0 or not _is_name_char(text[i - 1])) and (j == len(text) or not _is_name_char(text[j])):
            return True
        i = text.find(word, i + 1)
    return False


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c == "_" or c == "$"


def _absent(cat: Catalog, obj: Obj, a: AlterAction) -> bool:
    """A DROP ... IF EXISTS of something the folded table lacks is a no-op, unless a kept statement
    (an ALTER after rows were inserted, say) may have made it: then the drop must run after it."""
    return a.if_exists and not _kept_children(cat, obj)


_SAFE_WITH_ROWS = {"drop_constraint"}  # one constraint fewer never makes an earlier INSERT fail


@alter_rule("add_column")
def add_column(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    t = obj.table
    assert t is not None and a.coldef is not None
    if t.column(a.coldef.name) is not None:
        if re.search(r"\badd\s+(column\s+)?if\s+not\s+exists\b", a.text, re.I):
            return True
        return False
    col = a.coldef
    col.lead = ""
    t.columns.append(col)
    t.modified = True
    cat.counts["columns_added"] += 1
    cat.counts["columns_created"] += 1
    cat.added_columns.add((t.name, col.name))
    obj.touch(stmt, f"column {col.name} added by {stmt.where} folded into CREATE TABLE")
    return True


@alter_rule("drop_column")
def drop_column(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    t = obj.table
    assert t is not None and a.column is not None
    col = t.column(a.column)
    if col is None:
        return _absent(cat, obj, a)
    t.columns = [c for c in t.columns if c.name != a.column]
    t.constraints = [c for c in t.constraints if a.column not in c.idents]
    t.modified = True
    if (t.name, a.column) in cat.added_columns:
        cat.counts["columns_added_then_dropped"] += 1
        cat.added_columns.discard((t.name, a.column))
    cat.counts["columns_created_then_dropped"] += 1
    for child in sorted(cat.children.get(obj.key, ())):
        c = cat.objects.get(child)
        if c is None:
            continue
        if c.kind == "index" and a.column in _index_idents(c):
            cat.remove(child)
        elif c.kind == "comment" and child == key("comment", key("column", f"{t.name}.{a.column}")):
            cat.remove(child)
    obj.touch(stmt, f"column {a.column} dropped by {stmt.where}: left out")
    return True


def _edit_column(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction, edit: Callable[[Column], Column | None]) -> bool:
    t = obj.table
    assert t is not None and a.column is not None
    col = t.column(a.column)
    if col is None:
        return False
    new = edit(col)
    if new is None:
        return False
    t.replace_column(new)
    obj.touch(stmt, f"column {a.column}: {a.kind.replace('_', ' ')} from {stmt.where} folded into its definition")
    return True


@alter_rule("set_default")
def set_default(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    assert a.clause is not None
    new = Clause("default", a.clause.text, body=a.clause.text)

    def edit(col: Column) -> Column:
        if col.find("default"):
            return col.edited([new if c.kind == "default" else c for c in col.clauses])
        return col.edited([new] + col.clauses)
    return _edit_column(cat, stmt, obj, a, edit)


@alter_rule("drop_default")
def drop_default(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    return _edit_column(cat, stmt, obj, a, lambda col: col.edited([c for c in col.clauses if c.kind != "default"]))


@alter_rule("set_not_null")
def set_not_null(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    def edit(col: Column) -> Column:
        if col.find("notnull") or col.find("primary"):
            return col
        return col.edited([c for c in col.clauses if c.kind != "null"] + [Clause("notnull", "NOT NULL", body="NOT NULL")])
    return _edit_column(cat, stmt, obj, a, edit)


@alter_rule("drop_not_null")
def drop_not_null(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    def edit(col: Column) -> Column | None:
        if col.find("primary"):
            return None
        return col.edited([c for c in col.clauses if c.kind != "notnull"])
    return _edit_column(cat, stmt, obj, a, edit)


@alter_rule("set_type")
def set_type(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    assert a.type_text is not None
    if a.if_exists:  # a USING clause: the conversion matters only for rows; note it
        obj.notes.append(f"column {a.column}: USING of {stmt.where} dropped (no rows exist when the table is created)")

    def edit(col: Column) -> Column:
        return col.edited([_typed_default(c, col.type_text) for c in col.clauses], type_text=a.type_text)
    return _edit_column(cat, stmt, obj, a, edit)


_BARE_STRING_DEFAULT = re.compile(r"default\s+([eE]?'(?:[^']|'')*')\s*", re.I)


def _typed_default(c: Clause, old_type: str) -> Clause:
    """A quoted-literal default keeps the type it was read as when the column's type changes later.

    PostgreSQL stores ``DEFAULT 'a'`` of a TEXT column as ``'a'::text`` and ALTER ... TYPE VARCHAR
    leaves it so; written into the final type's CREATE TABLE it would become ``'a'::character varying``.
    """
    m = _BARE_STRING_DEFAULT.fullmatch(c.body) if c.kind == "default" and c.name is None else None
    if m is None:
        return c
    body = f"DEFAULT {m.group(1)}::{re.sub(r'[(][^)]*[)]', '', old_type).strip()}"
    return Clause("default", body, body=body)


@alter_rule("rename_table")
def rename_table(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    """Kept as is (PostgreSQL keeps the old names of its sequences and indexes); later uses of the new name still resolve."""
    if a.new_name:
        cat.aliases[key("table", a.new_name)] = obj.key
    return False


@alter_rule("add_constraint")
def add_constraint(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    t = obj.table
    assert t is not None and a.constraint is not None
    if re.search(r"\bnot\s+valid\b|\busing\s+index\b", a.constraint.text, re.I):
        return False
    if a.constraint.kind in ("primary", "unique") and a.constraint.columns in _key_column_lists(t):
        # Inside one CREATE TABLE, PostgreSQL merges a key that repeats another's columns into it; added
        # later it is a second constraint: only the ALTER keeps it.
        return False
    a.constraint.lead = ""
    t.constraints.append(a.constraint)
    t.modified = True
    obj.touch(stmt, f"constraint {a.constraint.name or a.constraint.kind} from {stmt.where} folded into CREATE TABLE")
    return True


def _key_column_lists(t: TableState) -> list[list[str]]:
    """Column lists of the table's primary key and unique constraints, inline or not."""
    out = [c.columns for c in t.constraints if c.kind in ("primary", "unique")]
    out += [[col.name] for col in t.columns for c in col.clauses if c.kind in ("primary", "unique")]
    return out


@alter_rule("drop_constraint")
def drop_constraint(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    t = obj.table
    assert t is not None
    name = a.new_name
    before = len(t.constraints)
    t.constraints = [c for c in t.constraints if table_constraint_name(t.name, c) != name]
    found = len(t.constraints) != before
    if not found:
        for col in t.columns:
            hit = [c for c in col.clauses if constraint_name(t.name, col, c) == name]
            if hit:
                t.replace_column(col.edited([c for c in col.clauses if c not in hit]))
                found = True
                break
    if not found:
        return _absent(cat, obj, a)
    t.modified = True
    obj.touch(stmt, f"constraint {name} dropped by {stmt.where}: left out")
    return True


@alter_rule("rename_column")
def rename_column(cat: Catalog, stmt: Statement, obj: Obj, a: AlterAction) -> bool:
    t = obj.table
    assert t is not None and a.column and a.new_name
    col = t.column(a.column)
    if col is None:
        return False
    old, new = a.column, a.new_name
    if _owns_sequence(col):  # its sequence keeps the old column's name, which CREATE TABLE cannot give it
        return False
    # PostgreSQL keeps constraint names on rename: freeze the implicit ones first (PostgreSQL 18 names
    # NOT NULL too, also the one a primary key implies; older servers accept and ignore that name).
    not_null = make_object_name(t.name, old, "not_null")
    clauses = []
    for c in col.clauses:
        if c.name is None and c.kind in ("primary", "unique", "check", "references"):
            frozen = constraint_name(t.name, col, c)
            c = Clause(c.kind, f"CONSTRAINT {frozen} {c.text}", frozen, c.ref_table, c.text)
        elif c.name is None and c.kind == "notnull":
            c = Clause("notnull", f"CONSTRAINT {not_null} {c.text}", not_null, None, c.text)
        clauses.append(c)
    in_key = any(c.kind == "primary" and old in c.columns for c in t.constraints)
    if not col.find("notnull") and (col.find("primary") or in_key):
        clauses.append(Clause("notnull", f"CONSTRAINT {not_null} NOT NULL", not_null, None, "NOT NULL"))
    t.columns[t.columns.index(col)] = Column(new, new, col.type_text, clauses, None, col.lead, col.trail)
    # CHECK and GENERATED expressions of any column may name it.
    for i, other in enumerate(t.columns):
        edited = [_rename_in_clause(c, old, new) for c in other.clauses]
        if any(e is not c for e, c in zip(edited, other.clauses)):
            t.columns[i] = other.edited(edited)
    # Foreign keys naming it (here or in other tables) follow the rename, as in PostgreSQL.
    for rk in sorted(cat.referrers.get(t.name, set()) | {obj.key}):
        r = cat.objects.get(rk)
        if r is not None and r.table is not None:
            _rename_referenced(r.table, t.name, old, new)
    t.modified = True
    t.constraints = [_rename_in_constraint(t, c, old, new) for c in t.constraints]
    for child in cat.children.get(obj.key, ()):
        c = cat.objects.get(child)
        if c is not None and c.kind == "index" and old in _index_idents(c):
            c.text = rename_identifier(c.text, old, new, after=r"\bon\b")
            c.touch(stmt, f"column {old} renamed to {new} by {stmt.where}")
    ck = key("comment", key("column", f"{t.name}.{old}"))
    if ck in cat.objects:
        cobj = cat.objects.pop(ck)
        cobj.key = key("comment", key("column", f"{t.name}.{new}"))
        cobj.text = rename_identifier(cobj.text, old, new)
        cat.objects[cobj.key] = cobj
        cat.children[obj.key].discard(ck)
        cat.children[obj.key].add(cobj.key)
    obj.touch(stmt, f"column {old} renamed to {new} by {stmt.where}: final name used")
    return True


def _index_idents(index: Obj) -> frozenset[str]:
    """The identifiers an index uses now: as parsed, or, once a folded column rename rewrote its text, read
    from that text (the parse is shared with the cache, so it is never edited), so that a later drop or
    rename of the renamed column still finds the index."""
    if index.text == index.origin.text:
        return index.origin.detail.idents
    return index_idents(index.text)


def _rename_referenced(rt: TableState, table: str, old: str, new: str) -> None:
    """Rename column ``old`` of ``table`` in the REFERENCES parts of ``rt``'s foreign keys."""
    after = r"\breferences\b"
    for i, col in enumerate(rt.columns):
        clauses = []
        for c in col.clauses:
            if c.kind == "references" and c.ref_table == table:
                body = rename_identifier(c.body, old, new, after=after)
                if body != c.body:
                    c = Clause(c.kind, f"CONSTRAINT {c.name} {body}" if c.name else body, c.name, c.ref_table, body)
            clauses.append(c)
        if any(a is not b for a, b in zip(clauses, col.clauses)):
            rt.columns[i] = col.edited(clauses)
            rt.modified = True
    for i, con in enumerate(rt.constraints):
        if con.kind == "foreign" and con.ref_table == table:
            body = rename_identifier(con.body, old, new, after=after)
            if body != con.body:
                text = f"CONSTRAINT {con.name} {body}" if con.name else body
                rt.constraints[i] = TableConstraint(con.name, con.kind, text, body, con.columns, con.ref_table,
                                                    con.idents, con.lead, con.trail, con.blank_before)
                rt.modified = True


def _rename_in_referrers(cat: Catalog, obj: Obj, old: str, new: str) -> None:
    """A kept rename of a column: foreign keys of other tables, and kept statements, name it by its new name.

    PostgreSQL renames the column in every foreign key that names it.  The catalog keeps the final
    name, as a folded rename does; where a key is emitted before the kept rename, rendering gives
    it back the old name (layout).  The table's own keys and statements stay as written: they are
    emitted with it, before the rename, which renames them.
    """
    t = obj.table
    assert t is not None
    for rk in sorted(cat.referrers.get(t.name, set()) - {obj.key}):
        r = cat.objects.get(rk)
        if r is not None and r.table is not None:
            untouched = not r.table.modified
            _rename_referenced(r.table, t.name, old, new)
            if untouched:  # still emitted from its text, byte for byte where the old names come back
                r.text = rename_referenced(r.text, t.name, old, new)
                r.table.modified = False
    for s in _kept_users(cat, obj.key):
        s.text = rename_referenced(s.text, t.name, old, new)


def rename_referenced(text: str, table: str, old: str, new: str) -> str:
    """Rename column ``old`` where ``text`` lists it after ``REFERENCES table (``, and nowhere else."""
    if "references" not in text.lower():
        return text
    toks = tokenize(text)
    out, pos, i = [], 0, 0
    while i < len(toks):
        if toks[i].is_word("references"):
            name, j = qualified_name(toks, i + 1)
            if name == table and j < len(toks) and toks[j].kind == "punct" and toks[j].value == "(":
                while j < len(toks) and not (toks[j].kind == "punct" and toks[j].value == ")"):
                    if toks[j].name == old:
                        out.append(text[pos : toks[j].start] + quote_ident(new))
                        pos = toks[j].end
                    j += 1
            i = j
        i += 1
    out.append(text[pos:])
    return "".join(out)


def _owns_sequence(col: Column) -> bool:
    return col.type_text.lower() in ("serial", "bigserial", "smallserial", "serial2", "serial4", "serial8") or any(
        c.kind == "generated" and "identity" in c.text.lower() for c in col.clauses)


def _rename_in_clause(c: Clause, old: str, new: str) -> Clause:
    if c.kind not in ("check", "generated"):
        return c
    body = rename_identifier(c.body, old, new)
    if body == c.body:
        return c
    return Clause(c.kind, f"CONSTRAINT {c.name} {body}" if c.name else body, c.name, c.ref_table, body)


def _rename_in_constraint(t: TableState, c: TableConstraint, old: str, new: str) -> TableConstraint:
    if old not in c.idents:
        return c
    name = table_constraint_name(t.name, c)
    if name is None and c.kind == "check":  # PostgreSQL names it after its only column, if it has one
        used = sorted(c.idents & ({col.name for col in t.columns} | {old}))
        name = make_object_name(t.name, used[0], "check") if len(used) == 1 else make_object_name(t.name, None, "check")
    body = rename_identifier(c.body, old, new)
    prefix = f"CONSTRAINT {name} " if name else ""
    return TableConstraint(name, c.kind, prefix + body, body, [new if x == old else x for x in c.columns],
                           c.ref_table, (c.idents - {old}) | {new}, c.lead, c.trail)


def rename_identifier(text: str, old: str, new: str, after: str | None = None) -> str:
    """Replace the unquoted identifier ``old`` by ``new``, outside strings and comments."""
    start = 0
    if after:
        m = re.search(after, text, re.I)
        start = m.end() if m else 0
    out, pos = [], 0
    for tok in tokenize(text, start):
        if tok.kind == "word" and tok.value == old:
            out.append(text[pos : tok.start])
            out.append(new)
            pos = tok.end
    out.append(text[pos:])
    return "".join(out)


# --- tables, dropped ------------------------------------------------------

def _drop_objects(cat: Catalog, stmt: Statement, d: DropDef) -> None:
    users = [u for k in d.keys for u in _kept_users(cat, k)]
    funcs: list[str] = []  # the functions of this history it drops, without CASCADE
    if d.kind == "function" and not d.cascade:
        funcs = [k for k in d.keys if k in cat.objects]
        funcs += [fs[0].key for n in d.by_name if len(fs := cat.functions_named(n)) == 1]
    callers = _tables_calling(cat, funcs)
    if users or callers:
        # A statement kept verbatim needs what this drops, or a table is created calling the function and a kept
        # statement (an ALTER after rows were inserted) stops that later: both stay, in order, the drop after them.
        why = (f"drops what a statement kept as is uses ({users[0].key})" if users else
               f"drops a function {callers[0].key} is created calling (a statement kept as is stops that later)")
        obj = keep(cat, stmt, why)
        obj.extra_deps.update(cat.aliases.get(k, k) for k in d.keys)
        obj.extra_deps.update(funcs)
        obj.extra_deps.update(u.key for u in users + callers)
        return
    missing = []
    for k in d.keys:
        gone = _remove_function(cat, k, d.cascade) if d.kind == "function" else cat.remove(k)
        if not gone:
            missing.append(k)
            continue
        for g in gone:
            if g.kind == "table":
                cat.counts["tables_created_then_dropped"] += 1
                for col in g.table.columns if g.table else []:
                    cat.added_columns.discard((g.table.name, col.name))
        if d.cascade or d.kind == "table":
            _cascade_references(cat, stmt, k)
    for name in d.by_name:
        funcs = cat.functions_named(name)
        if len(funcs) == 1:
            _remove_function(cat, funcs[0].key, d.cascade)
        else:
            missing.append(f"function:{name}")
    if missing and not d.if_exists:
        keep(cat, stmt, f"drops {', '.join(missing)}, which this history does not create (or not unambiguously)")
    else:
        consume(cat, stmt, f"drop of {', '.join(d.keys + d.by_name)}: left out with what it dropped")


def _tables_calling(cat: Catalog, funcs: list[str]) -> list[Obj]:
    """Tables whose folded CREATE TABLE calls one of these functions (in a default or a check).

    Without CASCADE the legacy drop succeeded, so nothing used the function then: a table that still
    does had that use removed by a statement kept as is, which only happens to a table with rows or a
    kept column rename or drop.
    """
    if not funcs:
        return []
    names = "|".join(sorted({re.escape(f.split(":", 1)[1].split("(", 1)[0]) for f in funcs}))
    call = re.compile(rf"(?<![\w$])(?:{names})\s*\(", re.IGNORECASE)
    out = []
    for k in sorted(cat.seeded | cat.reshaped):
        t = cat.objects[k].table if k in cat.objects else None
        texts = [c.text for col in t.columns for c in col.clauses if c.kind != "references"] if t is not None else []
        texts += [c.text for c in t.constraints if c.kind == "check"] if t is not None else []
        if any(call.search(x) for x in texts):
            out.append(cat.objects[k])
    return out


def _kept_users(cat: Catalog, k: str) -> list[Obj]:
    """Kept statements outside ``k`` (not its children) that need object ``k``."""
    real = cat.aliases.get(k, k)
    if real not in cat.objects:
        return []
    out = []
    for sk in sorted(cat.kept_needs.get(k, set()) | cat.kept_needs.get(real, set())):
        o = cat.objects.get(sk)
        a: str | None = o.key if o is not None else None
        while a is not None and a != real:  # up the parent chain: is it part of what is dropped?
            a = cat.objects[a].parent if a in cat.objects else None
        if o is not None and a is None:
            out.append(o)
    return out


def _remove_function(cat: Catalog, k: str, cascade: bool) -> list[Obj]:
    """Remove a function; with CASCADE, the triggers that call it go too."""
    gone = cat.remove(k)
    name = k.split(":", 1)[1].split("(")[0]
    if gone and cascade:
        for tk, t in list(cat.objects.items()):
            if t.kind == "trigger" and t.origin.detail.function == name:
                gone += cat.remove(tk)
    return gone


def _cascade_references(cat: Catalog, stmt: Statement, dropped: str) -> None:
    """A dropped table takes the foreign keys that point at it, as CASCADE does."""
    if not dropped.startswith("table:"):
        return
    name = dropped.split(":", 1)[1]
    for k in sorted(cat.referrers.pop(name, ())):
        obj = cat.objects.get(k)
        t = obj.table if obj is not None else None
        if t is None:
            continue
        cons = [c for c in t.constraints if c.ref_table != name]
        if len(cons) != len(t.constraints):
            t.constraints, t.modified = cons, True
        for col in list(t.columns):
            if any(c.ref_table == name for c in col.clauses):
                t.replace_column(col.edited([c for c in col.clauses if c.ref_table != name]))


@rule("drop_table", "drop_index", "drop_type", "drop_view", "drop_sequence", "drop_extension", "drop_schema",
      "drop_trigger", "drop_domain", "drop_function")
def drop(cat: Catalog, stmt: Statement) -> None:
    _drop_objects(cat, stmt, stmt.detail)


# --- other objects --------------------------------------------------------

def _create_or_replace(cat: Catalog, stmt: Statement, parent: str | None = None) -> None:
    k = stmt.creates[0]
    existing = cat.get(k)
    if existing is not None:
        replaceable = re.match(r"\s*create\s+or\s+replace\b", stmt.text, re.I)
        if not replaceable and not re.search(r"\bif\s+not\s+exists\b", stmt.text[:200], re.I):
            keep(cat, stmt, f"{k} is created twice")
            return
        if replaceable:
            existing.text = stmt.text
            existing.touch(stmt, f"final definition from {stmt.where}")
            consume(cat, stmt, f"replaces {k}: its text is the one emitted")
        else:
            consume(cat, stmt, f"no-op: {k} already exists")
        return
    obj = Obj(k, stmt, stmt.text, parent=parent)
    obj.extra_deps.update(stmt.depends)
    cat.add(obj)


@rule("create_function", "create_view", "create_extension", "create_sequence", "create_schema", "create_type",
      "create_domain", "create_aggregate", "create_operator", "create_cast")
def create_standalone(cat: Catalog, stmt: Statement) -> None:
    if not stmt.creates:
        keep(cat, stmt, "an object without a name", severity="info")
        return
    _create_or_replace(cat, stmt)
    if stmt.kind == "create_function":
        cat.counts["functions"] += 1


@rule("create_index")
def create_index(cat: Catalog, stmt: Statement) -> None:
    table = cat.get(stmt.depends[0])
    _create_or_replace(cat, stmt, parent=table.key if table else None)
    cat.counts["indexes"] += 1


@rule("create_trigger")
def create_trigger(cat: Catalog, stmt: Statement) -> None:
    table = cat.get(stmt.depends[0])
    _create_or_replace(cat, stmt, parent=table.key if table else None)
    cat.counts["triggers"] += 1


@rule("create_enum")
def create_enum(cat: Catalog, stmt: Statement) -> None:
    d: EnumDef = stmt.detail
    k = stmt.creates[0]
    if cat.get(k) is not None:
        keep(cat, stmt, f"{k} is created twice")
        return
    cat.add(Obj(k, stmt, stmt.text, enum=EnumState(d.header, list(d.values))))
    cat.counts["enum_types"] += 1


@rule("alter_type")
def alter_type(cat: Catalog, stmt: Statement) -> None:
    d: AlterType = stmt.detail
    obj = cat.get(key("type", d.name))
    if obj is None or obj.enum is None or d.action not in ("add_value", "rename_value"):
        keep(cat, stmt, f"ALTER TYPE {d.name} is not an enum change this engine folds", parent=obj.key if obj else None)
        return
    # Kept statements on the type follow it (parent), so they stay in legacy order in its target.
    values, enum = obj.enum.values, obj.enum
    if d.action == "rename_value":
        # Defaults and data already hold the old label; PostgreSQL renames them in place, so must we: keep it.
        keep(cat, stmt, f"renaming a value of {obj.key} is kept in order (defaults may use the old label)",
             parent=obj.key, severity="info")
        if d.value is not None and d.new_value is not None:
            enum.renamed[d.new_value] = enum.renamed.pop(d.value, d.value)
            enum.rename_labels.update((d.value, d.new_value))
        return
    if d.value in enum.current():
        if re.search(r"\bif\s+not\s+exists\b", stmt.text, re.I):
            consume(cat, stmt, f"no-op: {d.value} already in {obj.key}")
            return
        keep(cat, stmt, f"value {d.value!r} is added twice", parent=obj.key)
        return
    # The CREATE TYPE already writes this label for a value renamed later, or a kept rename renames to or
    # from it (in the CREATE TYPE the label would exist while the renames run, before it was added).
    if d.value in values or enum.frozen or d.value in enum.rename_labels:
        keep(cat, stmt, f"value {d.value!r} is added after a value kept as is (or reuses a label a kept rename "
                        f"uses)", parent=obj.key)
        enum.frozen = True
        return
    neighbour = enum.written(d.neighbour) if d.neighbour is not None else None
    if neighbour is not None and neighbour in values:
        i = values.index(neighbour) + (0 if d.before else 1)
        values.insert(i, d.value or "")
    else:
        values.append(d.value or "")
    obj.enum.modified = True
    obj.touch(stmt, f"{d.action.replace('_', ' ')} from {stmt.where} folded into CREATE TYPE")
    consume(cat, stmt, f"folded into {obj.key}")


@rule("comment")
def comment(cat: Catalog, stmt: Statement) -> None:
    d: CommentDef = stmt.detail
    target = d.target
    parent = target
    if target.startswith("column:"):
        parent = key("table", target.split(":", 1)[1].rsplit(".", 1)[0])
    if cat.get(parent) is None:
        keep(cat, stmt, f"comment on {target}, which this history does not create")
        return
    parent = cat.get(parent).key  # type: ignore[union-attr]
    ck = key("comment", target)
    old = cat.objects.get(ck)
    if d.is_null:
        cat.remove(ck)
        consume(cat, stmt, f"comment on {target} removed")
        return
    if old is not None:
        old.text = stmt.text
        old.touch(stmt, f"final comment from {stmt.where}")
        consume(cat, stmt, f"replaces the comment on {target}")
        return
    cat.add(Obj(ck, stmt, stmt.text, parent=parent))


@rule("insert", "update", "delete", "copy", "truncate", "merge")
def data(cat: Catalog, stmt: Statement) -> None:
    """Rows of extracted tables go to YAML; changes to tables no migration has filled touch nothing."""
    table = stmt.detail.table
    if table in cat.extract_tables:
        cat.extracted.add(stmt.seq)
        return
    obj = cat.get(key("table", table))
    if stmt.kind in ("update", "delete", "truncate") and obj is not None and obj.key not in cat.seeded:
        consume(cat, stmt, f"no-op on a fresh database: no migration puts rows into {table} before it")
        return
    if stmt.kind == "insert" and _reads_only_empty_tables(cat, stmt):
        consume(cat, stmt, f"no-op on a fresh database: it copies rows from tables that are empty there "
                           f"({', '.join(stmt.detail.reads)})")
        return
    if obj is not None:
        cat.seeded.add(obj.key)
    keep(cat, stmt, f"data statement on {table}", parent=obj.key if obj else None, severity="info")


def _reads_only_empty_tables(cat: Catalog, stmt: Statement) -> bool:
    """INSERT ... SELECT from tables that hold no rows in the consolidated chain inserts nothing."""
    reads = stmt.detail.reads
    if not reads:
        return False
    for t in reads:
        obj = cat.get(key("table", t))
        if t not in cat.extract_tables and (obj is None or obj.key in cat.seeded):
            return False
    return True


def keep_verbatim(cat: Catalog, stmt: Statement) -> None:
    """The default rule: keep what no rule folds, in order, with a visible note."""
    if stmt.kind in ("begin", "commit"):
        cat.warn(stmt, f"{stmt.kind.upper()} inside a migration is left out (each file runs in its own transaction)", "transaction")
        consume(cat, stmt, "transaction control left out")
        return
    parent = None
    for d in stmt.depends + stmt.alters:
        obj = cat.get(d)
        if obj is not None:
            parent = obj.key
            break
    severity = "info" if stmt.kind in ("grant", "revoke", "comment") else "warning"
    keep(cat, stmt, f"{stmt.kind.replace('_', ' ')} statement" + (f" ({stmt.parse_error})" if stmt.parse_error else ""),
         parent=parent, severity=severity)
