"""Hypothesis strategies: random but *valid* legacy histories, and random plans over them.

``histories()`` draws a sqlx-style chain (a list of files, each a list of SQL
statements) from a model of what exists at every point: tables with their
columns, constraints (and the names PostgreSQL gives them), indexes and rows;
enum types and their values; functions and the triggers and defaults that use
them; comments.  A statement is only drawn when the model says it applies, so
a failing legacy chain is a bug here, not in the engine.

The data model is deliberately simple so that constraints always hold:
inserted ints and texts are unique per column (a global counter), foreign-key
columns hold NULL, every value passes the checks this module writes.

``plans()`` draws targets and an assignment of files to them (monotone or
not) plus a few object overrides, given as indexes the test resolves against
the engine's catalog (keys are only known after replay).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

TABLE_NAMES = ["account", "item", "tag", "note", "event", "owner"]
ENUM_NAMES = ["mood", "phase", "level"]
ENUM_VALUES = ["low", "mid", "high", "new", "old", "red", "blue", "done"]
COLUMN_NAMES = {
    "int": ["qty", "rank", "score", "weight"],
    "text": ["label", "title", "code", "email"],
    "jsonb": ["meta", "config"],
    "enum": ["state", "kind"],
    "fk": ["parent", "ref", "link"],
    "ts": ["seen", "created"],
    "bool": ["active", "hidden"],
}
RENAMES = ["alias", "renamed", "other", "fresh"]
ON_DELETE = ["", " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE RESTRICT", " ON DELETE NO ACTION"]


@dataclass
class MCol:
    name: str
    kind: str  # serial | int | text | jsonb | enum | fk | ts | bool
    type_sql: str
    notnull: bool = False
    default: str | None = None
    enum: str | None = None
    func: str | None = None  # a function its DEFAULT calls
    may_null: bool = False  # some row holds NULL here
    dup: bool = False  # some rows share a value here


@dataclass
class MCon:
    name: str  # as PostgreSQL named it
    kind: str  # pk | unique | check | fk
    cols: list[str]
    ref: str | None = None
    func: str | None = None  # a function its CHECK calls


@dataclass
class MIndex:
    name: str
    cols: set[str]
    unique: bool


@dataclass
class MTable:
    name: str
    cols: dict[str, MCol] = field(default_factory=dict)
    cons: list[MCon] = field(default_factory=list)
    indexes: dict[str, MIndex] = field(default_factory=dict)
    triggers: dict[str, str] = field(default_factory=dict)  # trigger → function name
    rows: int = 0
    col_comments: set[str] = field(default_factory=set)
    key: str = "id"  # the BIGSERIAL primary key's current name (foreign keys point at it)


@dataclass
class MFunc:
    name: str
    kind: str  # scalar | trigger
    arity: int  # scalar: 0 or 1 (a bigint)

    @property
    def signature(self) -> str:
        return f"{self.name}(bigint)" if self.arity else f"{self.name}()"


@dataclass
class Model:
    tables: dict[str, MTable] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    enum_first: dict[str, str] = field(default_factory=dict)  # a value usable in any transaction
    funcs: dict[str, MFunc] = field(default_factory=dict)
    counter: int = 0
    relnames: set[str] = field(default_factory=set)  # index/sequence/constraint-index names in use
    connames: set[tuple[str, str]] = field(default_factory=set)  # (table, constraint name)

    def next(self) -> int:
        self.counter += 1
        return self.counter

    def fk_users(self, table: str) -> list[tuple[MTable, MCon]]:
        return [(t, c) for t in self.tables.values() for c in t.cons if c.kind == "fk" and c.ref == table and t.name != table]

    def enum_users(self, enum: str) -> bool:
        return any(c.enum == enum for t in self.tables.values() for c in t.cols.values())

    def func_users(self, name: str) -> bool:
        return any(c.func == name for t in self.tables.values() for c in t.cols.values()) or any(
            f == name for t in self.tables.values() for f in t.triggers.values()) or any(
            c.func == name for t in self.tables.values() for c in t.cons)

    def unique_cols(self, t: MTable) -> set[str]:
        out = {c for con in t.cons if con.kind in ("unique", "pk") for c in con.cols}
        return out | {c for ix in t.indexes.values() if ix.unique for c in ix.cols}


# --- column and constraint text ------------------------------------------

def _implicit(table: str, col: str | None, label: str) -> str:
    return f"{table}_{col}_{label}" if col else f"{table}_{label}"


def _free(m: Model, t: MTable, name: str, relation: bool) -> bool:
    return (t.name, name) not in m.connames and (not relation or name not in m.relnames)


def _claim(m: Model, t: MTable, con: MCon) -> None:
    t.cons.append(con)
    m.connames.add((t.name, con.name))
    if con.kind in ("unique", "pk"):
        m.relnames.add(con.name)


def _release(m: Model, t: MTable, con: MCon) -> None:
    t.cons.remove(con)
    m.connames.discard((t.name, con.name))
    m.relnames.discard(con.name)


def _check_expr(col: MCol) -> str:
    return f"char_length({col.name}) > 0" if col.kind == "text" else f"{col.name} > 0"


@st.composite
def _column(draw, m: Model, t: MTable, adding: bool) -> tuple[str, MCol, list[MCon]]:
    """A column definition with inline clauses; ``adding`` = ALTER TABLE ADD COLUMN on a table that may hold rows."""
    kinds = ["int", "text", "jsonb", "ts", "bool"] + (["enum"] if m.enums else []) + (["fk"] if m.tables else [])
    kind = draw(st.sampled_from(kinds))
    names = [n for n in COLUMN_NAMES[kind] if n not in t.cols]
    if not names:
        names = [f"{COLUMN_NAMES[kind][0]}{m.next()}"]
    name = draw(st.sampled_from(names))
    col = MCol(name, kind, "")
    cons: list[MCon] = []
    parts: list[str] = []
    rows = t.rows if adding else 0
    if kind == "int":
        col.type_sql = draw(st.sampled_from(["INT", "INTEGER", "BIGINT"]))
        scalars = [f for f in m.funcs.values() if f.kind == "scalar"]
        defaults = [None, "1", "42"] + [f"{f.name}({'7' if f.arity else ''})" for f in scalars]
        col.default = draw(st.sampled_from(defaults))
        if col.default and "(" in col.default:
            col.func = col.default.split("(")[0]
    elif kind == "text":
        col.type_sql = draw(st.sampled_from(["TEXT", "VARCHAR(64)"]))
        col.default = draw(st.sampled_from([None, "'none'", "'it''s'"]))
    elif kind == "jsonb":
        col.type_sql = "JSONB"
        col.default = draw(st.sampled_from([None, "'{}'::jsonb", "'[]'::jsonb"]))
    elif kind == "ts":
        col.type_sql = "TIMESTAMPTZ"
        col.default = draw(st.sampled_from([None, "now()", "NOW()"]))
    elif kind == "bool":
        col.type_sql = "BOOLEAN"
        col.default = draw(st.sampled_from([None, "false", "TRUE"]))
    elif kind == "enum":
        col.enum = draw(st.sampled_from(sorted(m.enums)))
        col.type_sql = col.enum
        col.default = draw(st.sampled_from([None, f"'{m.enum_first[col.enum]}'"]))
    else:  # fk
        col.type_sql = "BIGINT"
    parts.append(col.type_sql)
    if kind != "fk" and draw(st.booleans()) and (rows == 0 or col.default is not None):
        col.notnull = True
        parts.append("NOT NULL")
    if col.default is not None:
        parts.append(f"DEFAULT {col.default}")
    if rows and col.default is None:
        col.may_null = True
    if rows >= 2 and col.default is not None:
        col.dup = True
    if kind in ("int", "text") and not col.dup and draw(st.integers(0, 3)) == 0:
        cname = _implicit(t.name, name, "key")
        if _free(m, t, cname, True):
            parts.append("UNIQUE")
            cons.append(MCon(cname, "unique", [name]))
    if kind in ("int", "text") and draw(st.integers(0, 3)) == 0:
        explicit = draw(st.booleans())
        cname = f"ck_{m.next()}" if explicit else _implicit(t.name, name, "check")
        if _free(m, t, cname, False):
            parts.append((f"CONSTRAINT {cname} " if explicit else "") + f"CHECK ({_check_expr(col)})")
            cons.append(MCon(cname, "check", [name]))
    if kind == "fk":
        ref = draw(st.sampled_from(sorted(m.tables) + ([t.name] if t.name in m.tables else [])))
        cname = _implicit(t.name, name, "fkey")
        if _free(m, t, cname, False):
            parts.append(f"REFERENCES {ref}({m.tables[ref].key}){draw(st.sampled_from(ON_DELETE))}")
            cons.append(MCon(cname, "fk", [name], ref))
        col.may_null = col.may_null or rows > 0
    return f"{name} {' '.join(parts)}", col, cons


# --- statements -------------------------------------------------------------

@st.composite
def _create_table(draw, m: Model) -> str | None:
    names = [n for n in TABLE_NAMES if n not in m.tables and n not in m.relnames]
    if not names:
        return None
    name = draw(st.sampled_from(names))
    t = MTable(name)
    seq = f"{name}_id_seq"
    lines = ["id BIGSERIAL PRIMARY KEY"]
    t.cols["id"] = MCol("id", "serial", "BIGSERIAL", notnull=True)
    pending = [MCon(f"{name}_pkey", "pk", ["id"])]
    m.tables[name] = t  # visible to self-references while columns are drawn
    for _ in range(draw(st.integers(0, 4))):
        text, col, cons = draw(_column(m, t, adding=False))
        if col.name in t.cols:
            continue
        t.cols[col.name] = col
        lines.append(text)
        pending.extend(cons)  # implicit names embed the column name, explicit ones a counter: no clash
    ints = [c for c in t.cols.values() if c.kind in ("int", "text")]
    if len(ints) >= 2 and draw(st.integers(0, 3)) == 0:
        a, b = ints[0].name, ints[1].name
        cname = _implicit(name, f"{a}_{b}", "key")
        if cname not in m.relnames and all(p.name != cname for p in pending):
            lines.append(f"UNIQUE ({a}, {b})")
            pending.append(MCon(cname, "unique", [a, b]))
    if ints and draw(st.integers(0, 3)) == 0:
        c = ints[-1]
        cname = f"ck_{m.next()}"
        lines.append(f"CONSTRAINT {cname} CHECK ({_check_expr(c)})")
        pending.append(MCon(cname, "check", [c.name]))
    for c in pending:
        _claim(m, t, c)
    m.relnames.add(seq)
    ine = "IF NOT EXISTS " if draw(st.integers(0, 5)) == 0 else ""
    if draw(st.booleans()):
        return f"CREATE TABLE {ine}{name} (\n    " + ",\n    ".join(lines) + "\n);"
    return f"CREATE TABLE {ine}{name} (" + ", ".join(lines) + ");"


def _drop_column_effects(m: Model, t: MTable, col: str) -> None:
    for con in [c for c in t.cons if col in c.cols]:
        _release(m, t, con)
    for ix in [i for i in t.indexes.values() if col in i.cols]:
        del t.indexes[ix.name]
        m.relnames.discard(ix.name)
    t.col_comments.discard(col)
    del t.cols[col]


@st.composite
def _alter_table(draw, m: Model) -> str | None:
    if not m.tables:
        return None
    t = m.tables[draw(st.sampled_from(sorted(m.tables)))]
    actions: list[str] = []
    # PostgreSQL runs the actions of one ALTER TABLE in passes (drops first), and RENAME stands
    # alone: a second action only touches columns the first one did not.
    touched: set[str] = set()
    for n in range(draw(st.integers(1, 2))):
        a = draw(_alter_action(m, t, touched, first=n == 0))
        if a:
            actions.append(a)
        if a and a.startswith("RENAME"):
            break
    if not actions:
        return None
    return f"ALTER TABLE {t.name} " + ",\n    ".join(actions) + ";"


@st.composite
def _alter_action(draw, m: Model, t: MTable, touched: set[str], first: bool) -> str | None:
    cols = [c for c in t.cols.values() if c.kind != "serial" and c.name not in touched]
    kinds = ["add_column", "add_constraint"]
    if cols:
        kinds += ["drop_column", "set_default", "drop_default", "not_null", "type", "drop_constraint"]
        if first:
            kinds.append("rename_column")
    kind = draw(st.sampled_from(kinds))
    if first and draw(st.integers(0, 19)) == 0:  # the serial key: its sequence keeps the old name
        new = f"{t.name}_key{m.next()}"
        old = t.key
        t.cols = {(new if k == old else k): v for k, v in t.cols.items()}
        t.cols[new].name = new
        for con in t.cons:
            con.cols = [new if c == old else c for c in con.cols]
        for ix in t.indexes.values():
            if old in ix.cols:
                ix.cols = (ix.cols - {old}) | {new}
        t.col_comments = {new if c == old else c for c in t.col_comments}
        t.key = new
        touched.update({old, new})
        return f"RENAME COLUMN {old} TO {new}"
    if kind == "add_column":
        text, col, cons = draw(_column(m, t, adding=True))
        if col.name in t.cols or col.name in touched:
            return None
        touched.add(col.name)
        t.cols[col.name] = col
        for c in cons:
            _claim(m, t, c)
        ine = "IF NOT EXISTS " if draw(st.integers(0, 5)) == 0 else ""
        return f"ADD COLUMN {ine}{text}" if draw(st.integers(0, 4)) else f"ADD {text}"
    if kind == "add_constraint":
        before = {c.name for c in t.cons}
        sql = draw(_add_constraint(m, t))
        for c in t.cons:
            if c.name not in before:  # neither it nor its columns may be dropped by the same statement
                touched.update([f"constraint {c.name}", *c.cols])
        return sql
    if kind == "drop_constraint":
        droppable = [c for c in t.cons if c.kind != "pk" and not touched & (set(c.cols) | {f"constraint {c.name}"})]
        if not droppable:
            return None
        con = draw(st.sampled_from(droppable))
        _release(m, t, con)
        ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
        return f"DROP CONSTRAINT {ie}{con.name}"
    col = draw(st.sampled_from(cols))
    touched.add(col.name)
    if kind == "drop_column":
        _drop_column_effects(m, t, col.name)
        ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
        return f"DROP COLUMN {ie}{col.name}" if draw(st.integers(0, 4)) else f"DROP {col.name}"
    if kind == "rename_column":
        if len(touched) > 1:
            return None
        new = draw(st.sampled_from([n for n in RENAMES if n not in t.cols] or [f"c{m.next()}"]))
        old = col.name
        t.cols = {(new if k == old else k): v for k, v in t.cols.items()}
        col.name = new
        for con in t.cons:
            con.cols = [new if c == old else c for c in con.cols]
        for ix in t.indexes.values():
            if old in ix.cols:
                ix.cols = (ix.cols - {old}) | {new}
        if old in t.col_comments:
            t.col_comments = (t.col_comments - {old}) | {new}
        return f"RENAME COLUMN {old} TO {new}" if draw(st.booleans()) else f"RENAME {old} TO {new}"
    if kind == "set_default":
        options = {"int": ["5", "0 + 3"], "text": ["'x'", "'y' || 'z'"], "jsonb": ["'{\"a\": 1}'::jsonb"],
                   "ts": ["now()"], "bool": ["true"], "enum": [f"'{m.enum_first.get(col.enum or '', '')}'"], "fk": []}
        if not options[col.kind]:
            return None
        col.default = draw(st.sampled_from(options[col.kind]))
        col.func = None
        return f"ALTER COLUMN {col.name} SET DEFAULT {col.default}"
    if kind == "drop_default":
        if col.default is None and draw(st.booleans()):
            return None
        col.default, col.func = None, None
        return f"ALTER COLUMN {col.name} DROP DEFAULT"
    if kind == "not_null":
        if col.notnull:
            col.notnull = False
            return f"ALTER COLUMN {col.name} DROP NOT NULL"
        if col.may_null:
            return None
        col.notnull = True
        return f"ALTER COLUMN {col.name} SET NOT NULL"
    # type
    if col.kind == "int":
        new_type = "BIGINT" if col.type_sql != "BIGINT" else "INTEGER"
    elif col.kind == "text":
        new_type = "TEXT" if col.type_sql != "TEXT" else "VARCHAR(64)"
    else:
        return None
    col.type_sql = new_type
    using = f" USING {col.name}::{new_type.split('(')[0].lower()}" if draw(st.integers(0, 3)) == 0 else ""
    verb = "TYPE" if draw(st.integers(0, 3)) else "SET DATA TYPE"
    return f"ALTER COLUMN {col.name} {verb} {new_type}{using}"


@st.composite
def _add_constraint(draw, m: Model, t: MTable) -> str | None:
    kind = draw(st.sampled_from(["unique", "check", "fk"]))
    cols = [c for c in t.cols.values() if c.kind in ("int", "text")]
    named = draw(st.booleans())
    if kind == "unique":
        ok = [c for c in cols if not c.dup]
        if not ok:
            return None
        chosen = ok[:2] if len(ok) >= 2 and draw(st.booleans()) else [draw(st.sampled_from(ok))]
        names = [c.name for c in chosen]
        cname = f"uq_{m.next()}" if named else _implicit(t.name, "_".join(names), "key")
        if not _free(m, t, cname, True):
            return None
        _claim(m, t, MCon(cname, "unique", names))
        return (f"ADD CONSTRAINT {cname} " if named else "ADD ") + f"UNIQUE ({', '.join(names)})"
    if kind == "check":
        if not cols:
            return None
        c = draw(st.sampled_from(cols))
        cname = f"ck_{m.next()}" if named else _implicit(t.name, c.name, "check")
        if not _free(m, t, cname, False):
            return None
        expr, func = _check_expr(c), None
        calls = [f for f in m.funcs.values() if f.kind == "scalar" and not f.arity]
        if c.kind == "int" and calls and draw(st.booleans()):  # values stay far below 1000000
            func = draw(st.sampled_from(calls)).name
            expr = f"{c.name} < {func}() * 1000000"
        _claim(m, t, MCon(cname, "check", [c.name], func=func))
        not_valid = " NOT VALID" if draw(st.integers(0, 4)) == 0 else ""
        return (f"ADD CONSTRAINT {cname} " if named else "ADD ") + f"CHECK ({expr}){not_valid}"
    fks = [c for c in t.cols.values() if c.kind == "fk" and not any(con.kind == "fk" and c.name in con.cols for con in t.cons)]
    refs = list(m.tables)
    if not fks or not refs:
        return None
    c = draw(st.sampled_from(fks))
    ref = draw(st.sampled_from(sorted(refs)))
    cname = f"fk_{m.next()}" if named else _implicit(t.name, c.name, "fkey")
    if not _free(m, t, cname, False):
        return None
    _claim(m, t, MCon(cname, "fk", [c.name], ref))
    not_valid = " NOT VALID" if draw(st.integers(0, 5)) == 0 else ""
    return (f"ADD CONSTRAINT {cname} " if named else "ADD ") + \
        f"FOREIGN KEY ({c.name}) REFERENCES {ref}({m.tables[ref].key}){draw(st.sampled_from(ON_DELETE))}{not_valid}"


@st.composite
def _drop_table(draw, m: Model) -> str | None:
    if not m.tables:
        return None
    name = draw(st.sampled_from(sorted(m.tables)))
    users = m.fk_users(name)
    cascade = draw(st.booleans())
    if users and not cascade:
        return None
    for ut, con in users:
        _release(m, ut, con)
    t = m.tables.pop(name)
    for con in list(t.cons):
        _release(m, t, con)
    for ix in t.indexes:
        m.relnames.discard(ix)
    m.relnames.discard(f"{name}_id_seq")
    ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
    return f"DROP TABLE {ie}{name}" + (" CASCADE" if cascade else "") + ";"


@st.composite
def _create_index(draw, m: Model) -> str | None:
    if not m.tables:
        return None
    t = m.tables[draw(st.sampled_from(sorted(m.tables)))]
    cols = [c for c in t.cols.values() if c.kind in ("int", "text", "ts", "bool", "enum", "fk", "serial")]
    jsonb = [c for c in t.cols.values() if c.kind == "jsonb"]
    name = f"idx_{t.name}_{m.next()}"
    shape = draw(st.sampled_from(["plain", "partial", "unique", "expr", "gin", "desc"]))
    if shape == "gin":
        if not jsonb:
            return None
        c = draw(st.sampled_from(jsonb))
        t.indexes[name] = MIndex(name, {c.name}, False)
        sql = f"CREATE INDEX {name} ON {t.name} USING gin ({c.name});"
    elif not cols:
        return None
    else:
        c = draw(st.sampled_from(cols))
        used = {c.name}
        unique = False
        if shape == "unique":
            if c.dup or c.kind not in ("int", "text", "serial"):
                return None
            unique = True
            body = f"({c.name})"
        elif shape == "expr":
            if c.kind != "text":
                return None
            body = f"(lower({c.name}))"
        elif shape == "desc":
            body = f"({c.name} DESC)"
        else:
            body = f"({c.name})"
        where = ""
        if shape == "partial":
            other = draw(st.sampled_from(list(t.cols.values())))
            used.add(other.name)
            where = f" WHERE {other.name} IS NOT NULL"
        t.indexes[name] = MIndex(name, used, unique)
        ine = "IF NOT EXISTS " if draw(st.integers(0, 5)) == 0 else ""
        sql = f"CREATE {'UNIQUE ' if unique else ''}INDEX {ine}{name} ON {t.name} {body}{where};"
    m.relnames.add(name)
    return sql


@st.composite
def _drop_index(draw, m: Model) -> str | None:
    ixs = sorted((ix, t) for t in m.tables for ix in m.tables[t].indexes)
    if not ixs:
        return None
    ix, t = draw(st.sampled_from(ixs))
    del m.tables[t].indexes[ix]
    m.relnames.discard(ix)
    ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
    return f"DROP INDEX {ie}{ix};"


@st.composite
def _create_enum(draw, m: Model) -> str | None:
    names = [n for n in ENUM_NAMES if n not in m.enums]
    if not names:
        return None
    name = draw(st.sampled_from(names))
    values = draw(st.lists(st.sampled_from(ENUM_VALUES), min_size=1, max_size=3, unique=True))
    m.enums[name] = list(values)
    m.enum_first[name] = values[0]
    return f"CREATE TYPE {name} AS ENUM ({', '.join(repr(v) for v in values)});"


def _enum_with_room(draw, m: Model) -> tuple[str, list[str], list[str]] | None:
    """An enum of the model, its values, and the labels it does not have yet (None when there are none)."""
    if not m.enums:
        return None
    name = draw(st.sampled_from(sorted(m.enums)))
    values = m.enums[name]
    new = [v for v in ENUM_VALUES if v not in values]
    return (name, values, new) if new else None


@st.composite
def _add_enum_value(draw, m: Model) -> str | None:
    picked = _enum_with_room(draw, m)
    if picked is None:
        return None
    name, values, new = picked
    v = draw(st.sampled_from(new))
    where = draw(st.sampled_from(["", "BEFORE", "AFTER"]))
    ine = "IF NOT EXISTS " if draw(st.integers(0, 4)) == 0 else ""
    if where:
        n = draw(st.sampled_from(values))
        values.insert(values.index(n) + (where == "AFTER"), v)
        return f"ALTER TYPE {name} ADD VALUE {ine}'{v}' {where} '{n}';"
    values.append(v)
    return f"ALTER TYPE {name} ADD VALUE {ine}'{v}';"


@st.composite
def _rename_enum_value(draw, m: Model) -> str | None:
    picked = _enum_with_room(draw, m)
    if picked is None:
        return None
    name, values, new = picked
    old, v = draw(st.sampled_from(values)), draw(st.sampled_from(new))
    values[values.index(old)] = v
    if m.enum_first[name] == old:
        m.enum_first[name] = v
    return f"ALTER TYPE {name} RENAME VALUE '{old}' TO '{v}';"


@st.composite
def _drop_enum(draw, m: Model) -> str | None:
    free = [e for e in sorted(m.enums) if not m.enum_users(e)]
    if not free:
        return None
    name = draw(st.sampled_from(free))
    del m.enums[name]
    del m.enum_first[name]
    return f"DROP TYPE {name};"


@st.composite
def _create_function(draw, m: Model) -> str | None:
    existing = sorted(m.funcs)
    replace = existing and draw(st.booleans())
    if replace:
        f = m.funcs[draw(st.sampled_from(existing))]
    else:
        kind = draw(st.sampled_from(["scalar", "trigger"]))
        f = MFunc(f"{'fn' if kind == 'scalar' else 'trg_fn'}_{m.next()}", kind, draw(st.integers(0, 1)) if kind == "scalar" else 0)
        m.funcs[f.name] = f
    k = draw(st.integers(1, 9))
    head = "CREATE OR REPLACE FUNCTION" if replace or draw(st.booleans()) else "CREATE FUNCTION"
    if f.kind == "trigger":
        body = draw(st.sampled_from([
            "BEGIN\n    RETURN NEW;\nEND;",
            f"BEGIN\n    PERFORM pg_notify('chan_{k}', TG_OP);\n    RETURN NEW;\nEND;",
            f"DECLARE\n    n integer := {k};\nBEGIN\n    -- a comment; with a semicolon\n    RETURN NEW;\nEND;",
        ]))
        return f"{head} {f.name}()\nRETURNS TRIGGER AS $$\n{body}\n$$ LANGUAGE plpgsql;"
    args = "x bigint" if f.arity else ""
    if draw(st.booleans()):
        return f"{head} {f.name}({args}) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT {k} $$;"
    return f"{head} {f.name}({args})\nRETURNS integer AS $fn$\nBEGIN\n    RETURN {k};\nEND;\n$fn$ LANGUAGE plpgsql;"


@st.composite
def _drop_function(draw, m: Model) -> str | None:
    if not m.funcs:
        return None
    f = m.funcs[draw(st.sampled_from(sorted(m.funcs)))]
    cascade = False
    if m.func_users(f.name):
        users_are_triggers = not any(c.func == f.name for t in m.tables.values() for c in [*t.cols.values(), *t.cons])
        if not users_are_triggers or not draw(st.booleans()):
            return None
        cascade = True
        for t in m.tables.values():
            t.triggers = {n: fn for n, fn in t.triggers.items() if fn != f.name}
    del m.funcs[f.name]
    form = draw(st.sampled_from(["sig", "sig", "name"]))
    what = f.name if form == "name" else f.signature.replace("bigint", draw(st.sampled_from(["bigint", "int8", "BIGINT"])))
    ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
    return f"DROP FUNCTION {ie}{what}{' CASCADE' if cascade else ''};"


@st.composite
def _create_trigger(draw, m: Model) -> str | None:
    funcs = [f for f in m.funcs.values() if f.kind == "trigger"]
    if not funcs or not m.tables:
        return None
    t = m.tables[draw(st.sampled_from(sorted(m.tables)))]
    f = draw(st.sampled_from(funcs))
    name = f"trg_{m.next()}"
    t.triggers[name] = f.name
    timing = draw(st.sampled_from(["BEFORE INSERT", "BEFORE INSERT OR UPDATE", "AFTER UPDATE", "BEFORE UPDATE"]))
    level = draw(st.sampled_from(["FOR EACH ROW", "FOR EACH STATEMENT"])) if timing.startswith("AFTER") else "FOR EACH ROW"
    verb = draw(st.sampled_from(["FUNCTION", "FUNCTION", "PROCEDURE"]))
    return f"CREATE TRIGGER {name}\n    {timing} ON {t.name}\n    {level}\n    EXECUTE {verb} {f.name}();"


@st.composite
def _drop_trigger(draw, m: Model) -> str | None:
    trs = sorted((n, t) for t in m.tables for n in m.tables[t].triggers)
    if not trs:
        return None
    n, t = draw(st.sampled_from(trs))
    del m.tables[t].triggers[n]
    ie = "IF EXISTS " if draw(st.integers(0, 4)) == 0 else ""
    return f"DROP TRIGGER {ie}{n} ON {t};"


@st.composite
def _comment(draw, m: Model) -> str | None:
    options = [f"TABLE {t}" for t in sorted(m.tables)]
    options += [f"COLUMN {t}.{c}" for t in sorted(m.tables) for c in m.tables[t].cols]
    options += [f"FUNCTION {f.signature}" for f in m.funcs.values()]
    options += [f"INDEX {ix}" for t in sorted(m.tables) for ix in m.tables[t].indexes]
    options += [f"TYPE {e}" for e in sorted(m.enums)]
    options += [f"TRIGGER {n} ON {t}" for t in sorted(m.tables) for n in m.tables[t].triggers]
    if not options:
        return None
    what = draw(st.sampled_from(options))
    text = draw(st.sampled_from(["'what it holds'", "'it''s here'", "NULL", "'v2'"]))
    return f"COMMENT ON {what} IS {text};"


def _value(m: Model, c: MCol) -> str:
    n = m.next()
    return {"int": str(n), "text": f"'v{n}'", "jsonb": f"'{{\"n\": {n}}}'", "ts": "now()", "bool": "true",
            "enum": f"'{m.enum_first.get(c.enum or '', '')}'", "fk": "NULL"}[c.kind]


@st.composite
def _insert(draw, m: Model) -> str | None:
    ok = [t for t in sorted(m.tables) if not any(c.kind == "fk" and c.notnull for c in m.tables[t].cols.values())]
    if not ok:
        return None
    t = m.tables[draw(st.sampled_from(ok))]
    cols = [c for c in t.cols.values() if c.kind != "serial"]
    n = draw(st.integers(1, 2))
    rows = ["(" + ", ".join(_value(m, c) for c in cols) + ")" for _ in range(n)]
    t.rows += n
    for c in cols:
        if c.kind == "fk":
            c.may_null = True
        if c.kind in ("enum", "ts", "bool", "jsonb") and t.rows >= 2:
            c.dup = True
    if not cols:
        return f"INSERT INTO {t.name} DEFAULT VALUES;"
    return f"INSERT INTO {t.name} ({', '.join(c.name for c in cols)})\nVALUES " + ",\n       ".join(rows) + ";"


@st.composite
def _update(draw, m: Model) -> str | None:
    if not m.tables:
        return None
    t = m.tables[draw(st.sampled_from(sorted(m.tables)))]
    uniq = m.unique_cols(t)
    cols = [c for c in t.cols.values() if c.kind in ("int", "text", "bool", "jsonb") and c.name not in uniq]
    if not cols:
        return None
    c = draw(st.sampled_from(cols))
    v = _value(m, c)
    c.may_null = False
    c.dup = t.rows >= 2
    return f"UPDATE {t.name} SET {c.name} = {v};"


@st.composite
def _delete(draw, m: Model) -> str | None:
    if not m.tables:
        return None
    t = m.tables[draw(st.sampled_from(sorted(m.tables)))]
    if draw(st.booleans()):
        return f"DELETE FROM {t.name} WHERE {t.key} < 0;"
    t.rows = 0
    for c in t.cols.values():
        c.may_null = c.dup = False
    return f"DELETE FROM {t.name};"


ACTIONS = {
    # Hypothesis favours the first entry (its shrink target): make it the richest action.
    "alter_table": (_alter_table, 8), "create_table": (_create_table, 4), "drop_table": (_drop_table, 1),
    "create_index": (_create_index, 2), "drop_index": (_drop_index, 1), "create_enum": (_create_enum, 1),
    "add_enum_value": (_add_enum_value, 2), "rename_enum_value": (_rename_enum_value, 1), "drop_enum": (_drop_enum, 1), "create_function": (_create_function, 2),
    "drop_function": (_drop_function, 1), "create_trigger": (_create_trigger, 2), "drop_trigger": (_drop_trigger, 1),
    "comment": (_comment, 2), "insert": (_insert, 2), "update": (_update, 1), "delete": (_delete, 1),
}
_WEIGHTED = [name for name, (_, w) in ACTIONS.items() for _ in range(w)]


@st.composite
def histories(draw, max_files: int = 6, max_statements: int = 6) -> list[list[str]]:
    """A valid legacy chain: files of statements, drawn against a model of the schema."""
    m = Model()
    files: list[list[str]] = []
    for _ in range(draw(st.integers(1, max_files))):
        stmts: list[str] = []
        for _ in range(draw(st.integers(1, max_statements))):
            for _attempt in range(3):  # an action that does not apply yet (nothing to alter) draws again
                action = draw(st.sampled_from(_WEIGHTED))
                sql = draw(ACTIONS[action][0](m))
                if sql:
                    stmts.append(sql)
                    break
        if not stmts:
            stmts.append("SELECT 1;")
        files.append(stmts)
    return files


def file_names(n: int) -> list[str]:
    return [f"20250101{i + 1:06d}_step_{i + 1}.sql" for i in range(n)]


@dataclass
class PlanDraw:
    """Targets and an assignment; overrides as (pick, target) pairs resolved against the catalog."""

    targets: list[str]
    assign: list[int]  # target index per legacy file
    overrides: list[tuple[int, int]]


@st.composite
def plans(draw, n_files: int) -> PlanDraw:
    n = draw(st.integers(1, min(4, n_files)))
    targets = [f"{i + 1:04d}_target_{i + 1}.sql" for i in range(n)]
    assign = draw(st.lists(st.integers(0, n - 1), min_size=n_files, max_size=n_files))
    if draw(st.booleans()):
        assign = sorted(assign)  # monotone: what most real plans look like
    overrides = draw(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, n - 1)), max_size=2))
    return PlanDraw(targets, assign, overrides)
