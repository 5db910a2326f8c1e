"""Shared fixtures: one real PostgreSQL per test session, a fresh database per test.

The server is DATABASE_URL when set, else one embedded server started on
first use and stopped at the end of the session; tests that never ask for
``pg_server`` or ``fresh_db`` never start it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attune_tui.db.server import Server, open_server
from attune_tui.db.throwaway import throwaway_database


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with open_server() as server:
        yield server


@pytest.fixture
def fresh_db(pg_server: Server, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new empty database named after the test (easy to spot if a killed run leaves one behind)."""
    with throwaway_database(pg_server, request.node.name) as uri:
        yield uri
