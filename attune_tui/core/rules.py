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
from .classify import AlterAction, AlterTable, AlterType, CommentDef, DropDef, EnumDef, TableCreate
from .statements import Statement, key
from .names import make_object_name
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
    n = cat.kept_parts[stmt.seq]
    cat.kept_parts[stmt.seq] += 1
    suffix = f".{n}" if n else ""
    obj = Obj(key("statement", f"{stmt.file}#{stmt.index}{suffix}"), stmt, text or stmt.text, parent=parent)
    obj.notes.append(reason)
    obj.extra_deps.update(stmt.depends + stmt.alters)
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
    for action in d.actions:
        fn = ALTER_RULES.get(action.kind)
        if fn is None or not fn(cat, stmt, obj, action):
            kept.append(action.text)
    for dep in stmt.depends:
        cat.referrers.setdefault(dep.split(":", 1)[1], set()).add(obj.key)
    if kept:
        text = f"ALTER TABLE {d.name} " + ",\n    ".join(kept) + ";"
        keep(cat, stmt, f"ALTER TABLE {d.name} {kept[0].split()[0].upper()} ... cannot be folded", text, parent=obj.key)
    elif stmt.seq not in cat.consumed:
        consume(cat, stmt, f"folded into {obj.key}")


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
        return a.if_exists
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
        if c.kind == "index" and a.column in c.origin.detail.idents:
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
    return _edit_column(cat, stmt, obj, a, lambda col: col.edited(type_text=a.type_text))


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
    a.constraint.lead = ""
    t.constraints.append(a.constraint)
    t.modified = True
    obj.touch(stmt, f"constraint {a.constraint.name or a.constraint.kind} from {stmt.where} folded into CREATE TABLE")
    return True


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
        return a.if_exists
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
    # PostgreSQL keeps constraint names on rename: freeze the implicit ones first.
    clauses = []
    for c in col.clauses:
        if c.name is None and c.kind in ("primary", "unique", "check", "references"):
            frozen = constraint_name(t.name, col, c)
            c = Clause(c.kind, f"CONSTRAINT {frozen} {c.text}", frozen, c.ref_table, c.text)
        clauses.append(c)
    t.columns[t.columns.index(col)] = Column(new, new, col.type_text, clauses, None, col.lead, col.trail)
    t.modified = True
    t.constraints = [_rename_in_constraint(t, c, old, new) for c in t.constraints]
    for child in cat.children.get(obj.key, ()):
        c = cat.objects.get(child)
        if c is not None and c.kind == "index" and old in c.origin.detail.idents:
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
    from .lexer import tokenize

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
        keep(cat, stmt, f"ALTER TYPE {d.name} is not an enum change this engine folds")
        return
    values = obj.enum.values
    if d.action == "rename_value":
        # Defaults and data already hold the old label; PostgreSQL renames them in place, so must we: keep it.
        keep(cat, stmt, f"renaming a value of {obj.key} is kept in order (defaults may use the old label)",
             severity="info")
        return
    if d.value in values:
        if re.search(r"\bif\s+not\s+exists\b", stmt.text, re.I):
            consume(cat, stmt, f"no-op: {d.value} already in {obj.key}")
            return
        keep(cat, stmt, f"value {d.value!r} is added twice")
        return
    if d.neighbour is not None and d.neighbour in values:
        i = values.index(d.neighbour) + (0 if d.before else 1)
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
