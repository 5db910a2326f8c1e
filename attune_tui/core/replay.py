"""Replay a chain: parse every file, classify every statement, fold them into a catalog."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .catalog import Catalog
from .classify import classify
from .diagnostics import Diagnostic
from .lexer import SqlSyntaxError, split_statements
from .loader import Migration
from .rules import RULES, keep_verbatim
from .statements import Statement

_PARSED: dict[tuple[str, bytes], list[Statement]] = {}


def parse_migration(m: Migration, diagnostics: list[Diagnostic] | None = None) -> list[Statement]:
    """Statements of one file, classified; cached by name and checksum.

    An unterminated quote or comment becomes an error diagnostic and the file
    yields no statements rather than a guess.
    """
    cache_key = (m.name, m.checksum)
    cached = _PARSED.get(cache_key)
    if cached is not None:
        return cached
    text = m.text
    try:
        spans = split_statements(text, m.name)
    except SqlSyntaxError as e:
        if diagnostics is not None:
            diagnostics.append(Diagnostic("error", m.name, e.line, e.what, "syntax"))
        return []
    out = []
    for i, sp in enumerate(spans):
        lead = _attached_comment(text[sp.lead : sp.start]) if sp.lead < sp.start else ""
        out.append(classify(Statement(m.name, i, sp, text[sp.start : sp.end], lead)))
    if diagnostics is not None and spans and not spans[-1].terminated:
        diagnostics.append(Diagnostic("info", m.name, spans[-1].line, "last statement has no terminating ';'", "no-semicolon"))
    _number_sids(out)
    _PARSED[cache_key] = out
    return out


def _attached_comment(region: str) -> str:
    """The comment block touching a statement: a blank line detaches what is above it."""
    lines = region.rstrip().split("\n")
    block: list[str] = []
    for ln in reversed(lines):
        if not ln.strip():
            break
        block.append(ln.rstrip())
    return "\n".join(reversed(block)).strip()


def _number_sids(stmts: list[Statement]) -> None:
    """Make statement ids unique inside a file: a second 'alter_table pack' becomes '#2'."""
    seen: dict[str, int] = {}
    for s in stmts:
        n = seen.get(s.sid, 0) + 1
        seen[s.sid] = n
        if n > 1:
            s.sid = f"{s.sid} #{n}"


@dataclass
class Replay:
    """The catalog of a chain plus its statements in order."""

    catalog: Catalog
    statements: list[Statement]
    files: list[Migration]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a chain is parsed and folded.

    Replaying a 2,000-file history allocates half a million objects that stay
    alive (statements, their details, catalog entries).  The collector would
    traverse them again and again as they pile up (a third of the load time),
    and, once resumed, twice more while they age through the young
    generations.  So it is paused, and afterwards the survivors are moved
    straight to the oldest generation (``freeze`` + ``unfreeze`` does exactly
    that), where the next full collection still examines them: nothing is
    exempt from collection, only the repeated young-generation passes are
    saved (young objects of other code move along too, and are examined at
    that same full collection).  Reference counting frees what is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:  # never unfreeze what someone else froze
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def replay(migrations: Iterable[Migration], extract_tables: Iterable[str] = ()) -> Replay:
    cat = Catalog(extract_tables=frozenset(extract_tables))
    stmts: list[Statement] = []
    files = list(migrations)
    seq = 0
    with _collector_paused():
        for m in files:
            for stmt in parse_migration(m, cat.diagnostics):
                seq += 1
                stmt = _fresh(stmt, seq)
                stmts.append(stmt)
                RULES.get(stmt.kind, keep_verbatim)(cat, stmt)
    cat.statements = stmts
    return Replay(cat, stmts, files)


def _fresh(stmt: Statement, seq: int) -> Statement:
    """A per-replay copy, so cached parses are never mutated by folding."""
    s = object.__new__(Statement)
    s.__dict__.update(stmt.__dict__)
    s.seq = seq
    return s
