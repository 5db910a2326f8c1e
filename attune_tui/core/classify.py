"""Classify a statement: its kind, the objects it creates, alters, drops or needs.

The structural DDL that folding edits (tables, columns, constraints, indexes,
enums, functions, triggers) is read by a small token parser, because output
is spliced from exact source offsets and because it is fast enough for
histories of thousands of files.  sqlglot reads what needs real SQL
understanding: the tables a view or a data statement touches, and the kind
of any statement the token parser does not recognise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexer import Token, matching_paren, split_top_level, string_value, tokenize
from .names import normalize_type, qualified_name
from .statements import Statement, key
from .tabledef import (Clause, Column, TableConstraint, is_table_constraint, parse_column,
                       parse_table_constraint)


# --- details -------------------------------------------------------------

@dataclass
class TableCreate:
    name: str
    header: str  # "CREATE TABLE name"
    items: list[Column | TableConstraint]
    tail: str  # after the closing parenthesis, before ';'
    closing: str = ""  # comments just before the closing parenthesis


@dataclass
class AlterAction:
    kind: str
    text: str
    column: str | None = None
    coldef: Column | None = None
    constraint: TableConstraint | None = None
    clause: Clause | None = None
    new_name: str | None = None
    type_text: str | None = None
    if_exists: bool = False


@dataclass
class AlterTable:
    name: str
    actions: list[AlterAction]


@dataclass
class IndexDef:
    name: str
    table: str
    idents: frozenset[str]
    calls: frozenset[str]


@dataclass
class EnumDef:
    name: str
    values: list[str]
    header: str  # "CREATE TYPE name AS ENUM"


@dataclass
class AlterType:
    name: str
    action: str  # add_value | rename_value | rename | other
    value: str | None = None
    neighbour: str | None = None
    before: bool = False
    new_value: str | None = None


@dataclass
class FunctionDef:
    name: str
    signature: str  # name(type,type)
    replace: bool


@dataclass
class DropDef:
    kind: str  # table | index | type | function | trigger | view | sequence | extension | schema
    keys: list[str]
    cascade: bool
    if_exists: bool
    by_name: list[str] = field(default_factory=list)  # functions dropped without a signature


@dataclass
class TriggerDef:
    name: str
    table: str
    function: str


@dataclass
class CommentDef:
    target: str
    is_null: bool


@dataclass
class DmlDef:
    table: str
    reads: list[str] = field(default_factory=list)


_MULTIWORD_TYPES = ("double precision", "character varying", "bit varying", "timestamp with time zone",
                    "timestamp without time zone", "time with time zone", "time without time zone")


def classify(stmt: Statement) -> Statement:
    """Fill ``kind``, object lists, ``detail`` and ``sid`` of a statement in place."""
    try:
        _classify(stmt)
    except (IndexError, ValueError, StopIteration) as e:  # a shape the token parser cannot read: keep it opaque
        stmt.kind = "other"
        stmt.detail = None
        stmt.creates, stmt.alters, stmt.drops = [], [], []
        stmt.parse_error = f"could not read this statement's structure ({e.__class__.__name__})"
    subject = stmt.subject
    stmt.sid = f"{stmt.kind} {subject[subject.find(':') + 1:]}".strip() if subject else stmt.kind.strip()
    # Tokens are only read here; a 2,000-file history has ~400,000 of them, so
    # let them go (``tokens()`` lexes again on demand) rather than keep them.
    stmt._tokens = None
    return stmt


def _classify(stmt: Statement) -> None:
    c = stmt.text[:1]
    if c in "cC" and (m := _SIMPLE_COMMENT.match(stmt.text)) is not None:
        _simple_comment(stmt, m)
        return
    if c in "iIuUdD" and (m := _SIMPLE_DML.match(stmt.text)) is not None:
        _set_dml(stmt, (m.group(1) or m.group(2) or m.group(3)).lower(), _dropped_public(m.group(4).lower()))
        return
    if c in "aA" and (m := _SIMPLE_ALTER.match(stmt.text)) is not None:
        _simple_alter_table(stmt, m)
        return
    if c in "cC" and (m := _SIMPLE_INDEX.match(stmt.text)) is not None:
        _simple_index(stmt, m)
        return
    if c in "cC" and (m := _SIMPLE_TRIGGER.match(stmt.text)) is not None:
        _simple_trigger(stmt, m)
        return
    head = _head(stmt)
    words = [t.value for t in head if t.kind == "word"]
    w0 = words[0] if words else ""
    if w0 == "create":
        _create(stmt, head)
    elif w0 == "alter" and len(words) > 1:
        if words[1] == "table":
            _alter_table(stmt)
        elif words[1] == "type":
            _alter_type(stmt)
        else:
            _generic_alter(stmt, words)
    elif w0 == "drop":
        _drop(stmt)
    elif w0 == "comment":
        _comment(stmt)
    elif w0 in ("insert", "update", "delete", "copy", "truncate", "merge"):
        _dml(stmt, w0, head)
    elif w0 in ("grant", "revoke"):
        _grant(stmt, w0)
    elif w0 in ("do", "set", "select", "begin", "commit", "rollback", "reset", "analyze", "vacuum", "notify", "listen"):
        stmt.kind = w0
    else:
        stmt.kind = _sqlglot_kind(stmt.text)


_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_ID = r"[a-z_][a-z0-9_$]*"  # a plain identifier, for the fast paths (compiled with re.I | re.A)
_SELECT = re.compile(r"\bselect\b", re.I)
_DATA_VERBS = {"insert", "update", "delete", "copy", "merge", "truncate"}


def _head(stmt: Statement) -> list[Token]:
    if stmt._tokens is not None:
        return stmt._tokens[:12]
    first = _FIRST_WORD.match(stmt.text)
    if len(stmt.text) < 4000 and not (first and first.group(1).lower() in _DATA_VERBS):
        return stmt.tokens()[:12]  # DDL is read in full anyway: lex it once
    return tokenize(stmt.text, limit=12)


# --- CREATE ---------------------------------------------------------------

def _create(stmt: Statement, head: list[Token]) -> None:
    words = [t.value for t in head if t.kind == "word"]
    i = 1
    replace = False
    if words[i:i + 2] == ["or", "replace"]:
        replace, i = True, i + 2
    while words[i] in ("unique", "temporary", "temp", "unlogged", "constraint", "materialized", "recursive",
                       "trusted", "procedural", "global", "local"):
        i += 1
    what = words[i]
    if what == "table":
        _create_table(stmt)
    elif what == "index":
        _create_index(stmt)
    elif what == "type":
        _create_type(stmt)
    elif what in ("function", "procedure"):
        _create_function(stmt, replace, what)
    elif what == "trigger":
        _create_trigger(stmt)
    elif what == "view":
        _create_view(stmt, "view")
    elif what in ("extension", "sequence", "schema", "domain", "role", "policy", "aggregate", "operator", "cast"):
        _create_named(stmt, what)
    else:
        stmt.kind = f"create_{what}"


def _after_keywords(toks: list[Token], count: int) -> int:
    """Index after ``count`` leading words and an optional IF [NOT] EXISTS / ONLY."""
    i = count
    if toks[i].is_word("concurrently"):
        i += 1
    if toks[i].is_word("if"):
        i += 3 if toks[i + 1].is_word("not") else 2
    if toks[i].is_word("only"):
        i += 1
    return i


_CREATE_MODIFIERS = {"unique", "temporary", "temp", "unlogged", "global", "local", "constraint", "materialized",
                     "recursive", "trusted", "procedural"}


def _after_create(toks: list[Token]) -> int:
    """Index of the object name in a CREATE statement."""
    i = 1
    if toks[1].is_word("or") and toks[2].is_word("replace"):
        i = 3
    while toks[i].kind == "word" and toks[i].value in _CREATE_MODIFIERS:
        i += 1
    return _after_keywords(toks, i + 1)


def _create_table(stmt: Statement) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name, j = qualified_name(toks, i)
    if name is None:
        raise ValueError("table name")
    stmt.kind = "create_table"
    stmt.creates = [key("table", name)]
    if j >= len(toks) or not (toks[j].kind == "punct" and toks[j].value == "("):
        stmt.kind = "create_table_as"  # CREATE TABLE ... AS / PARTITION OF: kept opaque
        return
    close = matching_paren(toks, j)
    if close < 0:
        raise ValueError("unbalanced parenthesis")
    src = stmt.text
    groups = [g for g in split_top_level(toks[j + 1 : close]) if g]
    items: list[Column | TableConstraint] = []
    prev_end = toks[j].end
    for g in groups:
        item: Column | TableConstraint
        if is_table_constraint(g):
            item = parse_table_constraint(src, g)
        elif g[0].is_word("like"):
            raise ValueError("LIKE in table definition")
        else:
            item = parse_column(src, g)
        _attach_comments(src, prev_end, g[0].start, items, item)
        items.append(item)
        prev_end = g[-1].end
    closing = _comments_between(src, prev_end, toks[close].start)
    trail, lead = _split_trailing(src, prev_end, closing)
    if items and trail:
        items[-1].trail = trail
    tail_end = toks[-1].start if toks[-1].kind == "punct" and toks[-1].value == ";" else len(src)
    stmt.detail = TableCreate(name, src[: toks[j].start].rstrip(), items, src[toks[close].end : tail_end].strip(), lead)
    deps = set()
    for item in items:
        for ref in _item_refs(item):
            if ref != name:
                deps.add(key("table", ref))
    stmt.depends = sorted(deps)


def _item_refs(item: Column | TableConstraint) -> list[str]:
    if isinstance(item, Column):
        return [c.ref_table for c in item.clauses if c.ref_table]
    return [item.ref_table] if item.ref_table else []


_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _comments_between(src: str, a: int, b: int) -> list[tuple[int, str]]:
    if src.find("--", a, b) < 0 and src.find("/*", a, b) < 0:  # the usual gap: a comma and spaces
        return []
    return [(a + m.start(), m.group()) for m in _COMMENT.finditer(src[a:b])]


def _split_trailing(src: str, prev_end: int, comments: list[tuple[int, str]]) -> tuple[str, str]:
    """Comments on the previous item's own line trail it; the others lead what follows."""
    trail, lead = [], []
    for pos, text in comments:
        (trail if "\n" not in src[prev_end:pos] else lead).append(text)
    return " ".join(trail), "\n".join(lead)


def _attach_comments(src: str, a: int, b: int, items: list, item) -> None:
    trail, lead = _split_trailing(src, a, _comments_between(src, a, b))
    if items and trail:
        items[-1].trail = trail
    item.lead = lead
    item.blank_before = bool(items) and _BLANK_LINE.search(src, a, b) is not None


def _index_parts(toks: list[Token]) -> tuple[str | None, str, list[Token]]:
    """A CREATE INDEX's name (if given), its table, and the tokens after the table."""
    i = _after_create(toks)
    name = None
    if not toks[i].is_word("on"):
        name, i = qualified_name(toks, i)
    while not toks[i].is_word("on"):
        i += 1
    table, k = qualified_name(toks, i + 1 + (1 if toks[i + 1].is_word("only") else 0))
    if table is None:
        raise ValueError("index table")
    return name, table, toks[k:]


def index_idents(text: str) -> frozenset[str]:
    """Every identifier a CREATE INDEX uses after its table (columns, expressions, predicate)."""
    return frozenset(t.value for t in _index_parts(tokenize(text))[2] if t.name is not None)


def _create_index(stmt: Statement) -> None:
    name, table, rest = _index_parts(stmt.tokens())
    idents = frozenset(t.value for t in rest if t.name is not None)
    calls = frozenset(t.value for n, t in enumerate(rest[:-1]) if t.kind == "word" and rest[n + 1].value == "(")
    _set_index(stmt, name, table, idents, calls)


# ``CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON table ...`` whose rest holds no quote, comment,
# dollar sign or slash: its words are read by one scan instead of lexing (numbers are matched
# whole so that ``1e5`` holds no word, as the lexer has it).  Anything else takes the token path.
_SIMPLE_INDEX = re.compile(
    rf"create\s+(?:unique\s+)?index\s+(?:if\s+not\s+exists\s+)?(?!if\b|on\b|only\b|concurrently\b)({_ID}(?:\.{_ID})*)"
    rf"\s+on\s+(?!only\b)({_ID}(?:\.{_ID})*)(?![a-z0-9_$.])((?:[a-z0-9_\s(),.:<>=!+*%\[\]]|-(?!-))*?)\s*;?\Z",
    re.I | re.A)
_INDEX_WORDS = re.compile(r"[0-9][0-9.]*(?:e[+-]?[0-9]+)?|([a-z_][a-z0-9_]*)(\s*\()?", re.I | re.A)


def _simple_index(stmt: Statement, m: re.Match[str]) -> None:
    words = [(w.lower(), call) for w, call in _INDEX_WORDS.findall(m.group(3)) if w]
    _set_index(stmt, _dropped_public(m.group(1).lower()), _dropped_public(m.group(2).lower()),
               frozenset(w for w, _ in words), frozenset(w for w, call in words if call))


def _set_index(stmt: Statement, name: str | None, table: str, idents: frozenset[str], calls: frozenset[str]) -> None:
    name = name or f"{table}_idx"
    stmt.kind = "create_index"
    stmt.creates = [key("index", name)]
    stmt.depends = [key("table", table)]
    stmt.detail = IndexDef(name, table, idents, calls)


def _create_type(stmt: Statement) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name, j = qualified_name(toks, i)
    if name is None:
        raise ValueError("type name")
    stmt.creates = [key("type", name)]
    if j + 1 < len(toks) and toks[j].is_word("as") and toks[j + 1].is_word("enum"):
        open_ = j + 2
        close = matching_paren(toks, open_)
        values = [string_value(t) for t in toks[open_ + 1 : close] if t.kind == "string"]
        stmt.kind = "create_enum"
        stmt.detail = EnumDef(name, values, stmt.text[: toks[open_].start].rstrip())
    else:
        stmt.kind = "create_type"


def _signature(name: str, toks: list[Token], open_: int) -> tuple[str, int]:
    """``name(type,...)`` from an argument list, dropping names, defaults and OUT args."""
    close = matching_paren(toks, open_)
    types: list[str] = []
    for arg in split_top_level(toks[open_ + 1 : close]):
        if not arg:
            continue
        cut = next((n for n, t in enumerate(arg) if t.is_word("default") or (t.kind == "op" and t.value == "=")), len(arg))
        arg = arg[:cut]
        mode = "in"
        if arg and arg[0].is_word("in", "out", "inout", "variadic"):
            mode = arg[0].value
            arg = arg[1:]
        if mode == "out" or not arg:
            continue
        words = " ".join(t.value for t in arg)
        if len(arg) > 1 and not any(words.startswith(mw) for mw in _MULTIWORD_TYPES) and arg[1].kind in ("word", "qident"):
            arg = arg[1:]  # the first word was the argument's name
        text = " ".join(t.value if t.kind != "punct" else t.value for t in arg).replace(" [ ]", "[]").replace(" . ", ".")
        types.append(normalize_type(text))
    return f"{name}({','.join(types)})", close


def _create_function(stmt: Statement, replace: bool, what: str) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name, j = qualified_name(toks, i)
    if name is None or not (toks[j].kind == "punct" and toks[j].value == "("):
        raise ValueError("function signature")
    sig, _ = _signature(name, toks, j)
    stmt.kind = "create_function"
    stmt.creates = [key("function", sig)]
    stmt.detail = FunctionDef(name, sig, replace)


# ``CREATE TRIGGER name ... ON table ... EXECUTE FUNCTION f(...)`` with plain names and no quote,
# comment or dollar sign before its EXECUTE: the three names by one match instead of lexing.
_SIMPLE_TRIGGER = re.compile(
    rf"create\s+trigger\s+(?!or\b|constraint\b|if\b|on\b|only\b|concurrently\b)({_ID})\s+"
    r"((?:(?!(?<![a-z0-9_$])on(?![a-z0-9_$]))[a-z0-9_\s,])*?)"
    rf"(?<![a-z0-9_$])on\s+(?!execute\b)({_ID}(?:\.(?!execute\b){_ID})*)(?![a-z0-9_$.])"
    r"(?:(?!(?<![a-z0-9_$])execute(?![a-z0-9_$]))[a-z0-9_\s,().*<>=!]|-(?!-))*?"
    rf"(?<![a-z0-9_$])execute\s+(?:function|procedure)\s+({_ID}(?:\.{_ID})*)(?![a-z0-9_$.])",
    re.I | re.A)


def _simple_trigger(stmt: Statement, m: re.Match[str]) -> None:
    name, table, func = m.group(1).lower(), _dropped_public(m.group(3).lower()), _dropped_public(m.group(4).lower())
    stmt.kind = "create_trigger"
    stmt.creates = [key("trigger", f"{name}@{table}")]
    stmt.depends = [key("table", table), key("function", f"{func}()")]
    stmt.detail = TriggerDef(name, table, func)


def _create_trigger(stmt: Statement) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name = toks[i].value
    on = next((n for n in range(i, len(toks)) if toks[n].is_word("on")), None)
    ex = next((n for n in range(on, len(toks)) if toks[n].is_word("execute")), None) if on is not None else None
    if on is None or ex is None:
        raise ValueError("trigger without ON or EXECUTE")
    table, _ = qualified_name(toks, on + 1)
    func, _ = qualified_name(toks, ex + 2)
    if table is None or func is None:
        raise ValueError("trigger")
    stmt.kind = "create_trigger"
    stmt.creates = [key("trigger", f"{name}@{table}")]
    stmt.depends = [key("table", table), key("function", f"{func}()")]
    stmt.detail = TriggerDef(name, table, func)


def _create_view(stmt: Statement, what: str) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name, _ = qualified_name(toks, i)
    if name is None:
        raise ValueError("view name")
    stmt.kind = "create_view"
    stmt.creates = [key("view", name)]
    stmt.depends = [key("table", t) for t in _sqlglot_tables(stmt.text) if t != name]


def _create_named(stmt: Statement, what: str) -> None:
    toks = stmt.tokens()
    i = _after_create(toks)
    name, _ = qualified_name(toks, i)
    stmt.kind = f"create_{what}"
    if name is not None and what != "policy":
        stmt.creates = [key(what, name)]


# --- ALTER ----------------------------------------------------------------

def _alter_table(stmt: Statement) -> None:
    toks = stmt.tokens()
    i = _after_keywords(toks, 2)
    name, j = qualified_name(toks, i)
    if name is None:
        raise ValueError("table name")
    end = len(toks) - 1 if toks[-1].value == ";" else len(toks)
    actions = [_alter_action(stmt.text, g) for g in split_top_level(toks[j:end]) if g]
    stmt.kind = "alter_table"
    stmt.alters = [key("table", name)]
    stmt.detail = AlterTable(name, actions)
    deps = set()
    for a in actions:
        if a.coldef:
            deps.update(key("table", c.ref_table) for c in a.coldef.clauses if c.ref_table)
        if a.constraint and a.constraint.ref_table:
            deps.add(key("table", a.constraint.ref_table))
        if a.kind == "rename_table":
            stmt.creates = [key("table", a.new_name or "")]
    deps.discard(key("table", name))
    stmt.depends = sorted(deps)


# ``ALTER TABLE t`` with one action that takes no column definition: ``ALTER COLUMN c SET|DROP
# NOT NULL``, ``DROP DEFAULT``, ``SET DEFAULT`` a literal, a name or a call without arguments,
# or ``DROP COLUMN c``.  Plain names only; anything else (several actions, IF EXISTS, ONLY,
# comments, longer expressions) takes the token path.
_SIMPLE_ALTER = re.compile(
    rf"alter\s+table\s+(?!only\b|if\b|concurrently\b)({_ID}(?:\.{_ID})*)\s+("
    rf"alter\s+(?:column\s+({_ID})|(?!column\b)({_ID}))\s+"
    r"(?:(set\s+not\s+null|drop\s+not\s+null|drop\s+default)|set\s+(default\s+(?:"
    r"'[^']*(?:''[^']*)*'(?:::[a-z_][a-z0-9_]*(?:\[\])?)?|[a-z_][a-z0-9_]*(?:\(\))?|-?[0-9]+(?:\.[0-9]+)?)))"
    rf"|drop\s+(?:column\s+(?!if\b)({_ID})|(?!column\b|if\b|constraint\b)({_ID}))"
    r")\s*;?\Z",
    re.I | re.A)
_SIMPLE_ALTER_KINDS = {"setnotnull": "set_not_null", "dropnotnull": "drop_not_null", "dropdefault": "drop_default"}


def _simple_alter_table(stmt: Statement, m: re.Match[str]) -> None:
    text = m.group(2)
    column = m.group(3) or m.group(4)
    if column is not None:
        if m.group(5) is not None:
            action = AlterAction(_SIMPLE_ALTER_KINDS["".join(m.group(5).lower().split())], text, column=column.lower())
        else:
            body = m.group(6)
            action = AlterAction("set_default", text, column=column.lower(), clause=Clause("default", body, body=body))
    else:
        action = AlterAction("drop_column", text, column=(m.group(7) or m.group(8)).lower(), if_exists=False)
    name = _dropped_public(m.group(1).lower())
    stmt.kind = "alter_table"
    stmt.alters = [key("table", name)]
    stmt.detail = AlterTable(name, [action])
    stmt.depends = []


def _alter_action(src: str, g: list[Token]) -> AlterAction:
    text = src[g[0].start : g[-1].end]
    w = [t.value if t.kind == "word" else "" for t in g]
    if w[0] == "add":
        k = 1
        if w[k] == "column":
            k += 1
        elif is_table_constraint(g[1:]):
            return AlterAction("add_constraint", text, constraint=parse_table_constraint(src, g[1:]))
        if w[k] == "if":
            k += 3
        return AlterAction("add_column", text, column=g[k].value, coldef=parse_column(src, g[k:]))
    if w[0] == "drop":
        if w[1] == "constraint":
            k, ie = (4, True) if w[2] == "if" else (2, False)
            return AlterAction("drop_constraint", text, new_name=g[k].value, if_exists=ie)
        k = 2 if w[1] == "column" else 1
        ie = w[k] == "if"
        if ie:
            k += 2
        return AlterAction("drop_column", text, column=g[k].value, if_exists=ie)
    if w[0] == "alter":
        k = 2 if w[1] == "column" else 1
        col = g[k].value
        rest = w[k + 1 :]
        if rest[:2] == ["set", "default"]:
            body = src[g[k + 2].start : g[-1].end]
            return AlterAction("set_default", text, column=col, clause=Clause("default", body, body=body))
        if rest[:2] == ["drop", "default"]:
            return AlterAction("drop_default", text, column=col)
        if rest[:3] == ["set", "not", "null"]:
            return AlterAction("set_not_null", text, column=col)
        if rest[:3] == ["drop", "not", "null"]:
            return AlterAction("drop_not_null", text, column=col)
        if rest[:1] == ["type"] or rest[:3] == ["set", "data", "type"]:
            start = k + 2 if rest[0] == "type" else k + 4
            stop = next((n for n in range(start, len(g)) if g[n].is_word("using", "collate")), len(g))
            using = any(t.is_word("using") for t in g[start:])
            return AlterAction("set_type", text, column=col, type_text=src[g[start].start : g[stop - 1].end],
                               if_exists=using)
        return AlterAction("other", text, column=col)
    if w[0] == "rename":
        if w[1] == "to":
            return AlterAction("rename_table", text, new_name=qualified_name(g, 2)[0])
        if w[1] == "constraint":
            return AlterAction("rename_constraint", text, column=g[2].value, new_name=g[4].value)
        k = 2 if w[1] == "column" else 1
        return AlterAction("rename_column", text, column=g[k].value, new_name=g[k + 2].value)
    return AlterAction("other", text)


def _alter_type(stmt: Statement) -> None:
    toks = stmt.tokens()
    name, j = qualified_name(toks, 2)
    if name is None:
        raise ValueError("type name")
    stmt.kind = "alter_type"
    stmt.alters = [key("type", name)]
    w = [t.value if t.kind == "word" else "" for t in toks]
    if w[j : j + 2] == ["add", "value"]:
        k = j + 2
        if w[k] == "if":
            k += 3
        value = string_value(toks[k])
        detail = AlterType(name, "add_value", value)
        if k + 2 < len(toks) and w[k + 1] in ("before", "after"):
            detail.before = w[k + 1] == "before"
            detail.neighbour = string_value(toks[k + 2])
        stmt.detail = detail
    elif w[j : j + 2] == ["rename", "value"]:
        stmt.detail = AlterType(name, "rename_value", string_value(toks[j + 2]), new_value=string_value(toks[j + 4]))
    else:
        stmt.detail = AlterType(name, "other")


def _generic_alter(stmt: Statement, words: list[str]) -> None:
    toks = stmt.tokens()
    what = words[1]
    stmt.kind = f"alter_{what}"
    i = _after_keywords(toks, 2)
    name, _ = qualified_name(toks, i)
    if name is not None and what in ("index", "sequence", "view", "function", "extension", "schema"):
        stmt.alters = [key(what, name)]


# --- DROP -----------------------------------------------------------------

_DROP_KINDS = {"table", "index", "type", "function", "procedure", "trigger", "view", "sequence",
               "extension", "schema", "domain"}


def _drop(stmt: Statement) -> None:
    toks = stmt.tokens()
    w = [t.value if t.kind == "word" else "" for t in toks]
    what = w[1] if w[1] != "materialized" else "view"
    i = 2 if w[1] != "materialized" else 3
    if what not in _DROP_KINDS:
        stmt.kind = f"drop_{what}"
        return
    if w[i] == "concurrently":
        i += 1
    if_exists = w[i] == "if"
    if if_exists:
        i += 2
    cascade = "cascade" in w
    kind = "function" if what == "procedure" else what
    keys: list[str] = []
    by_name: list[str] = []
    if kind == "trigger":
        name = toks[i].value
        table, _ = qualified_name(toks, i + 2)
        keys.append(key("trigger", f"{name}@{table}"))
    else:
        end = len(toks) - 1 if toks[-1].value == ";" else len(toks)
        for g in split_top_level(toks[i:end]):
            g = [t for t in g if not t.is_word("cascade", "restrict")]
            name, j = qualified_name(g, 0)
            if name is None:
                continue
            if kind == "function":
                if j < len(g) and g[j].value == "(":
                    keys.append(key("function", _signature(name, g, j)[0]))
                else:
                    by_name.append(name)
            else:
                keys.append(key(kind, name))
    stmt.kind = f"drop_{kind}"
    stmt.drops = keys + [key("function", f"{n}(*)") for n in by_name]
    stmt.detail = DropDef(kind, keys, cascade, if_exists, by_name)


# --- COMMENT, DML, GRANT --------------------------------------------------

# The common COMMENT shape, plain names only: ``COMMENT ON COLUMN t.c IS '...';``.  A history
# has thousands of these (one per column, often), and lexing each costs four times this match;
# anything else (quoted names, comments inside, functions, triggers) takes the token path.
_SIMPLE_COMMENT = re.compile(
    r"comment\s+on\s+(column|table|index|view|type|sequence|schema|extension|domain)\s+"
    r"([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)*)\s+is\s+(null|'[^']*(?:''[^']*)*')\s*;?\Z",
    re.I | re.A)


def _simple_comment(stmt: Statement, m: re.Match[str]) -> None:
    what, name, value = m.group(1).lower(), _dropped_public(m.group(2).lower()), m.group(3)
    if what != "column":
        target = key(what, name)
    elif "." in name:
        target = key("column", name)
    else:
        raise ValueError("comment target")
    _set_comment(stmt, target, value[0] in "nN")


def _dropped_public(name: str) -> str:
    """A dotted plain name without its ``public.`` schema, as ``qualified_name`` gives it."""
    return name[7:] if name.startswith("public.") else name


def _set_comment(stmt: Statement, target: str, is_null: bool) -> None:
    stmt.kind = "comment"
    stmt.creates = [key("comment", target)]
    stmt.depends = [target]
    stmt.detail = CommentDef(target, is_null)


def _comment(stmt: Statement) -> None:
    toks = stmt.tokens()
    what = toks[2].value
    i = 3
    if what == "materialized":
        what, i = "view", 4
    target: str | None = None
    if what == "column":
        name, j = qualified_name(toks, i)
        if name and "." in name:
            table, col = name.rsplit(".", 1)
            target = key("column", f"{table}.{col}")
    elif what in ("function", "procedure"):
        name, j = qualified_name(toks, i)
        if name is not None:
            target = key("function", _signature(name, toks, j)[0])
    elif what in ("trigger", "constraint"):
        name = toks[i].value
        table, _ = qualified_name(toks, i + 2)
        target = key(what, f"{name}@{table}")
    else:
        name, _ = qualified_name(toks, i)
        if name is not None:
            target = key(what, name)
    if target is None:
        raise ValueError("comment target")
    is_null = toks[-1 if toks[-1].value != ";" else -2].is_word("null") and any(t.is_word("is") for t in toks)
    _set_comment(stmt, target, is_null)


def _dml(stmt: Statement, verb: str, toks: list[Token]) -> None:
    w = [t.value if t.kind == "word" else "" for t in toks]
    i = 1
    if verb in ("insert", "merge") or (verb == "delete"):
        i = 2  # INTO / FROM
    if verb == "truncate" and w[1] == "table":
        i = 2
    if i < len(w) and w[i] == "only":
        i += 1
    table, _ = qualified_name(toks, i)
    if table is None:
        raise ValueError("data statement target")
    _set_dml(stmt, verb, table)


# ``INSERT INTO t``, ``UPDATE t`` or ``DELETE FROM t`` with a plain name, read without lexing
# the statement's head (seed files hold thousands of rows statements); else the token path.
_SIMPLE_DML = re.compile(
    r"(?:(insert)\s+into|(update)|(delete)\s+from)\s+(?!only\b)([a-z_][a-z0-9_$]*(?:\.[a-z_][a-z0-9_$]*)*)(?=[\s(;]|\Z)",
    re.I | re.A)


def _set_dml(stmt: Statement, verb: str, table: str) -> None:
    reads: list[str] = []
    if verb == "insert" and "select" in stmt.text.casefold() and _SELECT.search(stmt.text):  # casefold: a cheap pre-check
        reads = [t for t in _sqlglot_tables(stmt.text) if t != table]
    stmt.kind = verb
    stmt.alters = [key("data", table)]
    stmt.depends = [key("table", table)]
    stmt.detail = DmlDef(table, reads)


def _grant(stmt: Statement, verb: str) -> None:
    toks = stmt.tokens()
    on = next((n for n, t in enumerate(toks) if t.is_word("on")), None)
    stmt.kind = verb
    if on is None:
        return
    i = on + 1
    what = "table"
    if toks[i].is_word("table", "sequence", "function", "schema", "type"):
        what = toks[i].value
        i += 1
    name, _ = qualified_name(toks, i)
    if name is not None and not toks[i].is_word("all"):
        stmt.depends = [key(what, name)]


# --- sqlglot --------------------------------------------------------------

def _sqlglot_kind(text: str) -> str:
    """Kind of a statement the token parser does not know, from sqlglot's expression type."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(text.rstrip(";"), read="postgres")
    except Exception:  # sqlglot raises several error types; any of them means "unknown"
        return "other"
    if isinstance(tree, exp.Command):
        return f"command_{str(tree.this).lower()}"
    return tree.key.lower()


def _sqlglot_tables(text: str) -> list[str]:
    """Tables a query reads, by sqlglot; CTE names are not tables."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(text.rstrip(";"), read="postgres")
    except Exception:  # an unreadable view body: no dependencies known, verification still checks it
        return []
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    out = []
    for t in tree.find_all(exp.Table):
        name = t.name if not t.db or t.db == "public" else f"{t.db}.{t.name}"
        if name and name not in ctes and name not in out:
            out.append(name)
    return out
