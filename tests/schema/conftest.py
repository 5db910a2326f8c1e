"""A database migrated with the bundled consolidated ``migrations/``, and connections that leave it clean.

Two ways in:

* ``ATTUNE_TUI_MIGRATED=1`` with ``DATABASE_URL``: the database is already
  migrated (the checklist's "run the test suite" step calls
  ``DATABASE_URL=<db> ATTUNE_TUI_MIGRATED=1 python -m pytest -q tests/schema``),
  and may already hold rows (the core pack), so tests use refs of their own;
* otherwise: one throwaway database on the session's ``pg_server``, migrated
  here with the same sqlx-style apply the tool uses.

Tests leave no rows behind: ``db`` and ``graph`` live in one transaction that
is rolled back (each test in its own savepoint), and tests that must commit
(NOTIFY is delivered at COMMIT) delete what they wrote.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from attune_tui.core.loader import load_history
from attune_tui.db.connect import connect
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

from .rows import build_graph

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def _check_migrated(uri: str) -> None:
    """Fail with one clear sentence, not twenty confusing errors, when the database is not migrated."""
    with connect(uri) as conn:
        missing = [t for t in ("pack", "execution", "event", "enforcement")
                   if conn.execute("SELECT to_regclass(%s)", [t]).fetchone()[0] is None]
    if missing:
        pytest.fail(f"the database in DATABASE_URL is not migrated with migrations/ "
                    f"(no table {', '.join(missing)})", pytrace=False)


@pytest.fixture(scope="session")
def migrated_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """URI of a database holding the consolidated schema."""
    if os.environ.get("ATTUNE_TUI_MIGRATED") == "1":
        url = os.environ.get("DATABASE_URL", "").strip()
        if not url:
            pytest.fail("ATTUNE_TUI_MIGRATED=1 needs DATABASE_URL to name the migrated database", pytrace=False)
        _check_migrated(url)
        yield url
        return
    server = request.getfixturevalue("pg_server")
    with throwaway_database(server, "schema_tests") as uri:
        apply_chain(uri, load_history(MIGRATIONS).migrations)
        yield uri


@pytest.fixture(scope="session")
def schema_conn(migrated_db: str) -> Iterator[psycopg.Connection[Any]]:
    """One connection for every rolled-back test: connecting per test costs more than the tests."""
    with connect(migrated_db) as conn:
        yield conn


@pytest.fixture(scope="session")
def _graph_tx(schema_conn: psycopg.Connection[Any]) -> Iterator[tuple[str, dict[str, int]]]:
    """One row in every table, built once inside a transaction that is rolled back at the end."""
    tag = "t" + secrets.token_hex(4)
    with schema_conn.transaction(force_rollback=True):
        yield tag, build_graph(schema_conn, tag)


@pytest.fixture
def tag(_graph_tx: tuple[str, dict[str, int]]) -> str:
    """The lower-case tag of the graph's refs (``<tag>.act``...), unique so rows never collide with existing ones."""
    return _graph_tx[0]


@pytest.fixture
def graph(_graph_tx: tuple[str, dict[str, int]]) -> dict[str, int]:
    """Table name → id of the graph's row (see ``rows.build_graph``)."""
    return _graph_tx[1]


@pytest.fixture
def db(schema_conn: psycopg.Connection[Any],
       _graph_tx: tuple[str, dict[str, int]]) -> Iterator[psycopg.Connection[Any]]:
    """The graph's connection inside a savepoint that is always rolled back, so each test sees the same rows.

    Nested ``transaction()``s are savepoints too.  Everything runs in one
    transaction, so ``now()`` is the same instant for the whole session.
    """
    with schema_conn.transaction(force_rollback=True):
        yield schema_conn
