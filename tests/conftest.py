"""Shared fixtures: one real PostgreSQL per test session, one fresh database per test.

``DATABASE_URL`` selects a server when set; otherwise an embedded PostgreSQL
is started once for the whole session and stopped at the end.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from attune_tui.db.server import Server, open_server
from attune_tui.db.throwaway import throwaway_database


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    with open_server() as server:
        yield server


@pytest.fixture
def fresh_db(pg_server: Server, request: pytest.FixtureRequest) -> Iterator[str]:
    label = "".join(c for c in request.node.name.lower() if c.isalnum())[:20] or "test"
    with throwaway_database(pg_server, label) as uri:
        yield uri
