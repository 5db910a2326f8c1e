"""Role names a history needs to exist before it can be applied.

Roles are cluster-wide, so a fresh database does not bring them: a history
whose ``GRANT ... TO app_reader`` runs on a throwaway server fails there
unless the role is created first.  This module finds those names by reading
the statements with the lexer (no database), so the caller can list them or
create them as NOLOGIN roles before replaying.

Covered: ``GRANT ... TO`` / ``REVOKE ... FROM`` (privileges and role
membership, ``GRANTED BY``), ``ALTER ... OWNER TO``, ``CREATE SCHEMA ...
AUTHORIZATION``, ``ALTER DEFAULT PRIVILEGES FOR ROLE``, ``CREATE/ALTER POLICY
... TO``, ``CREATE ROLE ... IN ROLE/ROLE/ADMIN``, ``ALTER ROLE/USER``,
``REASSIGN/DROP OWNED BY``, ``SET ROLE``.  Statements inside function bodies
and ``DO`` blocks are not seen (they are dollar-quoted and run later, if at all).
"""

from __future__ import annotations

from collections.abc import Iterable

from .lexer import SqlSyntaxError, Token, split_statements, tokenize
from .loader import History

# Role specifications that are not role names.  PostgreSQL's grammar turns a
# role spelled "public" (even quoted) into PUBLIC; the others are keywords
# only when unquoted (USER in `FOR USER`, NONE in `SET ROLE NONE`, ALL in `ALTER ROLE ALL`).
_PSEUDO_WORDS = frozenset({"public", "current_user", "session_user", "current_role", "user", "none", "all"})

# Words that may precede a role name in a list without being one (TO GROUP r, FROM USER r).
_LIST_NOISE = frozenset({"group", "user", "role"})


class _Refs:
    """Names seen so far, in first-seen order, and names the history creates."""

    def __init__(self) -> None:
        self.named: dict[str, None] = {}
        self.created: set[str] = set()

    def add(self, tok: Token | None) -> None:
        if tok is None or tok.name is None:
            return
        if tok.kind == "word" and tok.value in _PSEUDO_WORDS:
            return
        if tok.kind == "qident" and tok.value == "public":
            return
        self.named.setdefault(tok.value, None)


def _depth0(tokens: list[Token]) -> list[int]:
    """Indexes of tokens outside any parentheses (so `SELECT (a, b)` column lists do not confuse)."""
    out: list[int] = []
    depth = 0
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.value in "([":
            depth += 1
        elif t.kind == "punct" and t.value in ")]":
            depth -= 1
        elif depth == 0:
            out.append(i)
    return out


def _find(tokens: list[Token], word: str, start: int = 0, stop: int | None = None) -> int:
    """Index of the first top-level word ``word`` in ``tokens[start:stop]``, or -1."""
    stop = len(tokens) if stop is None else stop
    for i in _depth0(tokens):
        if start <= i < stop and tokens[i].is_word(word):
            return i
    return -1


def _role_list(tokens: list[Token], i: int, refs: _Refs) -> int:
    """Read ``r1, GROUP r2, ...`` at ``tokens[i]`` into refs; return the index after the list."""
    while i < len(tokens):
        if tokens[i].kind == "word" and tokens[i].value in _LIST_NOISE and i + 1 < len(tokens) \
                and tokens[i + 1].name is not None:
            i += 1
        if tokens[i].name is None:
            return i
        refs.add(tokens[i])
        i += 1
        if i < len(tokens) and tokens[i].kind == "punct" and tokens[i].value == ",":
            i += 1
            continue
        return i
    return i


def _granted_by(tokens: list[Token], i: int, refs: _Refs) -> None:
    """``... GRANTED BY r`` anywhere after ``i``."""
    j = _find(tokens, "granted", i)
    if j >= 0 and j + 2 < len(tokens) and tokens[j + 1].is_word("by"):
        refs.add(tokens[j + 2])


def _grant_or_revoke(tokens: list[Token], start: int, refs: _Refs) -> None:
    """``GRANT privs ON objs TO list`` / ``GRANT roles TO list`` and the REVOKE ... FROM twins."""
    verb = tokens[start].value
    sep = _find(tokens, "to" if verb == "grant" else "from", start + 1)
    if sep < 0:
        return
    if _find(tokens, "on", start + 1, sep) < 0:  # role membership: the granted roles are roles too
        i = start + 1
        if verb == "revoke" and i + 2 < sep and tokens[i + 1].is_word("option") and tokens[i + 2].is_word("for"):
            i += 3  # ADMIN / INHERIT / SET OPTION FOR
        _role_list(tokens, i, refs)
    end = _role_list(tokens, sep + 1, refs)
    _granted_by(tokens, end, refs)


def _owner_to(tokens: list[Token], refs: _Refs) -> None:
    """Every ``OWNER TO r`` of an ALTER (not ``RENAME [COLUMN] owner TO x``, which renames)."""
    if _find(tokens, "rename") >= 0:
        return
    for i in _depth0(tokens):
        if tokens[i].is_word("owner") and i + 2 < len(tokens) and tokens[i + 1].is_word("to"):
            refs.add(tokens[i + 2])


def _create_role(tokens: list[Token], refs: _Refs) -> None:
    """``CREATE ROLE|USER|GROUP name [WITH] options``: record the name, and roles its options name."""
    if len(tokens) < 3 or tokens[2].name is None or tokens[2].is_word("mapping"):
        if len(tokens) > 4 and tokens[2].is_word("mapping") and tokens[3].is_word("for"):
            refs.add(tokens[4])  # CREATE USER MAPPING FOR r SERVER s
        return
    refs.created.add(tokens[2].value)
    i = 3
    while i < len(tokens):
        t = tokens[i]
        if t.is_word("in") and i + 1 < len(tokens) and tokens[i + 1].is_word("role", "group"):
            i = _role_list(tokens, i + 2, refs)
        elif t.is_word("role", "admin", "user"):
            i = _role_list(tokens, i + 1, refs)
        else:
            i += 1


def _statement(tokens: list[Token], refs: _Refs) -> None:
    """Collect the roles one statement names."""
    if not tokens or tokens[0].kind != "word":
        return
    first = tokens[0].value
    second = tokens[1].value if len(tokens) > 1 and tokens[1].kind == "word" else ""
    if first in ("grant", "revoke"):
        _grant_or_revoke(tokens, 0, refs)
    elif first == "create" and second in ("role", "user", "group"):
        _create_role(tokens, refs)
    elif first == "create" and second == "schema":
        j = _find(tokens, "authorization")
        if j >= 0 and j + 1 < len(tokens):
            refs.add(tokens[j + 1])
    elif first == "create" and second == "policy":
        j = _find(tokens, "to")
        if j >= 0:
            _role_list(tokens, j + 1, refs)
    elif first == "alter" and second == "default":
        j = _find(tokens, "for")
        if j >= 0 and j + 1 < len(tokens) and tokens[j + 1].is_word("role", "user"):
            _role_list(tokens, j + 2, refs)
        k = next((i for i in _depth0(tokens) if tokens[i].is_word("grant", "revoke")), -1)
        if k >= 0:
            _grant_or_revoke(tokens, k, refs)
    elif first == "alter" and second == "policy":
        j = _find(tokens, "to")
        if j >= 0 and _find(tokens, "rename") < 0:
            _role_list(tokens, j + 1, refs)
    elif first == "alter" and second in ("role", "user", "group") and len(tokens) > 2 \
            and not tokens[2].is_word("mapping"):
        refs.add(tokens[2])
        if second == "group" and len(tokens) > 4 and tokens[3].is_word("add", "drop") and tokens[4].is_word("user"):
            _role_list(tokens, 5, refs)
    elif first == "alter":
        _owner_to(tokens, refs)
    elif (first == "reassign" or first == "drop") and second == "owned":
        if len(tokens) > 2 and tokens[2].is_word("by"):
            end = _role_list(tokens, 3, refs)
            if end < len(tokens) and tokens[end].is_word("to"):
                _role_list(tokens, end + 1, refs)
    elif first == "set" and second in ("role", "local", "session"):
        i = 1 + (second in ("local", "session"))
        if i + 1 < len(tokens) and tokens[i].is_word("role"):
            tok = tokens[i + 1]
            if tok.kind == "string" and tok.value.startswith("'"):
                tok = Token("qident", tok.value[1:-1].replace("''", "'"), tok.start, tok.end)
            refs.add(tok)


def roles_in_texts(texts: Iterable[str]) -> list[str]:
    """Role names the SQL ``texts`` (applied in order) need, minus those they create; first-seen order.

    Unquoted names are folded to lower case, quoted names keep theirs.  A text
    the lexer cannot split (an unterminated quote) is skipped: applying it fails
    anyway, and the loader reports it.
    """
    refs = _Refs()
    for text in texts:
        try:
            spans = split_statements(text)
        except SqlSyntaxError:
            continue
        for span in spans:
            _statement(tokenize(text, span.start, span.end), refs)
    return [name for name in refs.named if name not in refs.created]


def roles_named(history: History) -> list[str]:
    """Roles a history's migrations name in GRANT/REVOKE/OWNER TO and the like, but do not create."""
    return roles_in_texts(m.text for m in history.migrations)
