"""Replay a chain: parse every file, classify every statement, fold them into a catalog."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .catalog import Catalog
from .loader import Migration
from .parse import _PARSED, parse_migration  # noqa: F401  (re-exported: tests and benchmarks clear the cache)
from .parse_pool import parsed_files
from .rules import RULES, keep_verbatim
from .statements import Statement


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
        for parsed in parsed_files(files, cat.diagnostics):
            for stmt in parsed:
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
