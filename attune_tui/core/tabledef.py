"""Column and table-constraint definitions, parsed into spliceable clauses.

A column definition is kept as its name, its type text and a list of clauses,
each with its exact source text.  Folding an ``ALTER COLUMN`` edits one
clause; an untouched column renders as its original text, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .lexer import Token, matching_paren
from .names import make_object_name, qualified_name

# Words that start a column constraint clause at parenthesis depth 0.
_CLAUSE_START = {"constraint", "not", "null", "default", "primary", "unique", "check",
                 "references", "generated", "collate"}
# Words that continue the clause before them rather than start one.
_CLAUSE_TAIL = {"deferrable", "initially"}
_TABLE_CONSTRAINT_START = {"constraint", "primary", "unique", "check", "foreign", "exclude"}

# A clause's first word → its kind.
_CLAUSE_KINDS = {"not": "notnull", "null": "null", "default": "default", "primary": "primary", "unique": "unique",
                 "check": "check", "references": "references", "generated": "generated", "collate": "collate"}

# Clause kind → PostgreSQL's label for its default constraint name.
_LABELS = {"primary": "pkey", "unique": "key", "check": "check", "references": "fkey"}


@dataclass
class Clause:
    """One column constraint or option: ``DEFAULT now()``, ``REFERENCES t(id) ON DELETE CASCADE``."""

    kind: str  # default | notnull | null | primary | unique | check | references | generated | collate | other
    text: str
    name: str | None = None  # explicit CONSTRAINT name
    ref_table: str | None = None
    body: str = ""  # the clause without its CONSTRAINT prefix


@dataclass
class Column:
    name: str
    name_text: str
    type_text: str
    clauses: list[Clause]
    original: str | None  # source text while the column is untouched
    lead: str = ""  # comment lines above it inside the CREATE TABLE
    trail: str = ""  # a comment on the same line after it
    blank_before: bool = False  # a blank line separated it from the item before

    @property
    def type_offset(self) -> int | None:
        """Where the type starts in the original text: the table's column alignment."""
        if self.original is None or not self.original.startswith(self.name_text):
            return None
        rest = self.original[len(self.name_text):]
        return len(self.name_text) + len(rest) - len(rest.lstrip())

    def render_aligned(self, offset: int | None) -> str:
        """Like :meth:`render`, with the type moved to ``offset`` when the text is rebuilt."""
        if offset is None or len(self.name_text) >= offset:
            return self.render()
        parts = [self.type_text] + [c.text for c in self.clauses]
        return self.name_text.ljust(offset) + " ".join(p for p in parts if p)

    def render(self) -> str:
        if self.original is not None:
            return self.original
        return " ".join([self.name_text, self.type_text] + [c.text for c in self.clauses])

    def find(self, kind: str) -> Clause | None:
        return next((c for c in self.clauses if c.kind == kind), None)

    def edited(self, clauses: list[Clause] | None = None, **changes: str) -> Column:
        """A copy with changed parts; it no longer renders as its original text."""
        return replace(self, clauses=list(self.clauses if clauses is None else clauses), original=None, **changes)


@dataclass
class TableConstraint:
    name: str | None
    kind: str  # primary | unique | check | foreign | exclude
    text: str  # full source text, with any CONSTRAINT prefix
    body: str  # without the CONSTRAINT prefix
    columns: list[str] = field(default_factory=list)
    ref_table: str | None = None
    idents: frozenset[str] = frozenset()  # every identifier used, for column-drop cascades
    lead: str = ""
    trail: str = ""
    blank_before: bool = False


def _text(src: str, toks: list[Token]) -> str:
    return src[toks[0].start : toks[-1].end] if toks else ""


def parse_column(src: str, toks: list[Token]) -> Column:
    """Parse one column definition from its tokens (offsets into ``src``)."""
    name_tok = toks[0]
    i = 1
    depth = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        elif depth == 0 and t.kind == "word" and t.value in _CLAUSE_START:
            break
        i += 1
    type_toks = toks[1:i]
    clauses = _parse_clauses(src, toks[i:])
    return Column(name_tok.value, src[name_tok.start : name_tok.end], _text(src, type_toks), clauses,
                  _text(src, toks))


def _parse_clauses(src: str, toks: list[Token]) -> list[Clause]:
    groups: list[list[Token]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        start = i
        if t.is_word("constraint"):
            i += 2  # CONSTRAINT name, then the clause proper
            if i >= len(toks):
                groups.append(toks[start:])
                break
            t = toks[i]
        i = _clause_end(toks, i)
        while i < len(toks) and toks[i].kind == "word" and toks[i].value in _CLAUSE_TAIL:
            i = _skip_tail(toks, i)
        groups.append(toks[start:i])
    return [_make_clause(src, g) for g in groups if g]


def _clause_end(toks: list[Token], i: int) -> int:
    """Index after the clause starting at ``toks[i]``."""
    head = toks[i].value
    j = i + 1
    if head == "not" and j < len(toks) and toks[j].is_word("null"):
        return j + 1
    if head in ("null",):
        return j
    if head == "primary":
        return j + 1  # PRIMARY KEY
    if head == "references":
        _, j = qualified_name(toks, j)
        if j < len(toks) and toks[j].kind == "punct" and toks[j].value == "(":
            j = _after_parens(toks, j)
        while j < len(toks):
            if toks[j].is_word("on") and j + 1 < len(toks) and toks[j + 1].is_word("delete", "update"):
                j += 2
                if j < len(toks) and toks[j].is_word("set", "no"):
                    j += 1
                j += 1  # NULL / DEFAULT / ACTION / CASCADE / RESTRICT
                if j < len(toks) and toks[j].kind == "punct" and toks[j].value == "(":
                    j = _after_parens(toks, j)  # SET NULL (cols)
            elif toks[j].is_word("match"):
                j += 2
            else:
                break
        return j
    # DEFAULT expr, CHECK (...), GENERATED ..., COLLATE x, UNIQUE [NULLS NOT DISTINCT]:
    # run to the next clause start at depth 0, taking at least one token after DEFAULT.
    depth = 0
    if head == "default" and j < len(toks):
        if toks[j].kind == "punct" and toks[j].value == "(":
            j = _after_parens(toks, j)
        else:
            j += 1
    while j < len(toks):
        t = toks[j]
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        elif depth == 0 and t.kind == "word" and (t.value in _CLAUSE_START or t.value in _CLAUSE_TAIL):
            if not (head == "unique" and t.value in ("not", "null")) and not (head == "generated" and t.value == "default"):
                break
        j += 1
    return j


def _after_parens(toks: list[Token], i: int) -> int:
    """Index after the ``)`` closing the ``(`` at ``i``; unbalanced, the statement is unreadable (not a loop back to 0)."""
    close = matching_paren(toks, i)
    if close < 0:
        raise ValueError("unbalanced parenthesis")
    return close + 1


def _skip_tail(toks: list[Token], i: int) -> int:
    if toks[i].is_word("initially"):
        return i + 2
    return i + 1


def _make_clause(src: str, g: list[Token]) -> Clause:
    name = None
    body = g
    if g[0].is_word("constraint") and len(g) > 1:
        name = g[1].value
        body = g[2:] or g
    head = body[0].value if body[0].kind == "word" else ""
    kind = _CLAUSE_KINDS.get(head, "other")
    ref = qualified_name(body, 1)[0] if kind == "references" else None
    return Clause(kind, _text(src, g), name, ref, _text(src, body))


def parse_table_constraint(src: str, toks: list[Token]) -> TableConstraint:
    name = None
    body = toks
    if toks[0].is_word("constraint") and len(toks) > 1:
        name = toks[1].value
        body = toks[2:]
    kind = body[0].value if body and body[0].kind == "word" else "other"
    columns: list[str] = []
    ref = None
    if kind in ("primary", "unique", "foreign"):
        k = next((n for n, t in enumerate(body) if t.kind == "punct" and t.value == "("), None)
        if k is not None:
            close = matching_paren(body, k)
            columns = [t.value for t in body[k + 1 : close] if t.name is not None and not t.is_word("nulls", "not", "distinct")]
        if kind == "foreign":
            r = next((n for n, t in enumerate(body) if t.is_word("references")), None)
            if r is not None:
                ref = qualified_name(body, r + 1)[0]
    idents = frozenset(t.value for t in toks if t.name is not None)
    return TableConstraint(name, kind, _text(src, toks), _text(src, body), columns, ref, idents)


def is_table_constraint(toks: list[Token]) -> bool:
    if not toks or toks[0].kind != "word" or toks[0].value not in _TABLE_CONSTRAINT_START:
        return False
    # A column may be named like a keyword ("check"), so require the constraint shape.
    head = toks[0].value
    nxt = toks[1] if len(toks) > 1 else None
    if head == "constraint":
        return True
    if head in ("primary", "foreign"):
        return nxt is not None and nxt.is_word("key")
    if head in ("unique", "check", "exclude"):
        return nxt is not None and (nxt.kind == "punct" and nxt.value == "(" or nxt.is_word("nulls", "using"))
    return False


def implicit_name(table: str, column: str | None, clause_kind: str) -> str:
    """The name PostgreSQL gives an unnamed inline constraint."""
    label = _LABELS[clause_kind]
    if clause_kind == "primary":
        return make_object_name(table, None, label)
    return make_object_name(table, column, label)


def constraint_name(table: str, column: Column, clause: Clause) -> str | None:
    if clause.name:
        return clause.name
    if clause.kind in _LABELS:
        return implicit_name(table, column.name, clause.kind)
    return None


def table_constraint_name(table: str, c: TableConstraint) -> str | None:
    """The name of a table constraint: explicit, or the one PostgreSQL derives."""
    if c.name:
        return c.name
    label = {"primary": "pkey", "unique": "key", "foreign": "fkey"}.get(c.kind)
    if label is None:
        return None
    if c.kind == "primary":
        return make_object_name(table, None, label)
    return make_object_name(table, "_".join(c.columns), label)
