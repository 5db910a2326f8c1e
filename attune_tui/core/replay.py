"""Replay a chain: parse every file, classify every statement, fold them into a catalog."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from .catalog import Catalog
from .gc_pause import collector_paused
from .loader import Migration
from .parse import _PARSED, parse_migration  # noqa: F401  (re-exported: tests and benchmarks clear the cache)
from .parse_pool import parsed_files
from .rules import RULES, keep_verbatim
from .statements import Statement


_PLACING = threading.Lock()


@dataclass
class Replay:
    """The catalog of a chain plus its statements in order."""

    catalog: Catalog
    statements: list[Statement]
    files: list[Migration]


def replay(migrations: Iterable[Migration], extract_tables: Iterable[str] = ()) -> Replay:
    cat = Catalog(extract_tables=frozenset(extract_tables))
    stmts: list[Statement] = []
    files = list(migrations)
    seq = 0
    with collector_paused():
        for parsed in parsed_files(files, cat.diagnostics):
            for stmt in parsed:
                seq += 1
                stmt = _fresh(stmt, seq)
                stmts.append(stmt)
                RULES.get(stmt.kind, keep_verbatim)(cat, stmt)
    cat.statements = stmts
    return Replay(cat, stmts, files)


def _fresh(stmt: Statement, seq: int) -> Statement:
    """The statement with its place in this chain.

    Folding reads statements and sets nothing on them but ``seq``, so a cached statement
    is shared by every replay that gives it the same place (the same chain, or a prefix
    of it, as the checklist replays), and copied for a chain that places it elsewhere.
    """
    if stmt.seq == seq:  # once set, ``seq`` never changes: no lock needed to read it
        return stmt
    if stmt.seq == 0:  # parsed and never placed yet: the first replay to get here places it
        with _PLACING:  # the app and the checklist replay in threads; only one may claim it
            if stmt.seq == 0:
                stmt.seq = seq
        if stmt.seq == seq:
            return stmt
    s = object.__new__(Statement)
    s.__dict__.update(stmt.__dict__)
    s.seq = seq
    return s
