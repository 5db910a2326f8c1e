"""Throwaway databases: created with the prefix, always dropped, and nothing else ever dropped."""

from __future__ import annotations

import pytest

from attune_tui.db.conninfo import database_name
from attune_tui.db.errors import DatabaseError
from attune_tui.db.throwaway import (THROWAWAY_PREFIX, create_database, drop_database, drop_throwaway_databases,
                                     throwaway_database, throwaway_databases, throwaway_name)

from .helpers import query


def _databases(server) -> set[str]:
    return {r[0] for r in query(server.admin_uri, "SELECT datname FROM pg_database")}


def test_database_exists_inside_and_is_dropped_after(pg_server):
    with throwaway_database(pg_server, "Gone Soon!") as uri:
        name = database_name(uri)
        assert name.startswith(THROWAWAY_PREFIX + "gone_soon_") and len(name) == len(THROWAWAY_PREFIX) + 18
        assert name in _databases(pg_server)
        query(uri, "CREATE TABLE t (a int)")
    assert name not in _databases(pg_server)


def test_database_is_dropped_on_error_even_with_a_session_open(pg_server):
    from attune_tui.db.connect import connect

    with pytest.raises(ZeroDivisionError):
        with throwaway_database(pg_server, "boom") as uri:
            name = database_name(uri)
            lingering = connect(uri)  # WITH (FORCE) disconnects it
            1 / 0
    lingering.close()
    assert name not in _databases(pg_server)


def test_names_fit_postgresql_identifiers():
    name = throwaway_name("test_x[" + "very long label " * 10 + "]")
    assert len(name) <= 63 and name.startswith(THROWAWAY_PREFIX)
    assert throwaway_name("") .startswith(THROWAWAY_PREFIX + "db_")


def test_other_databases_are_never_dropped_or_created(pg_server):
    for name in ("postgres", "template1", "attune_tuiX"):
        with pytest.raises(DatabaseError, match="Refusing to drop"):
            drop_database(pg_server, name)
    with pytest.raises(DatabaseError, match="Refusing to create"):
        create_database(pg_server, "app")
    assert "postgres" in _databases(pg_server)


def test_leftovers_are_swept_and_only_they(pg_server):
    if not pg_server.embedded:
        pytest.skip("sweeping drops every attune_tui_* database, including other sessions' on a shared server")
    keep = "keep_me_" + throwaway_name("x")[-8:]
    query(pg_server.admin_uri, f'CREATE DATABASE "{keep}"')
    try:
        left = database_name(create_database(pg_server, throwaway_name("leftover")))
        assert left in throwaway_databases(pg_server)
        assert left in drop_throwaway_databases(pg_server)
        remaining = _databases(pg_server)
        assert left not in remaining and keep in remaining and "postgres" in remaining
    finally:
        query(pg_server.admin_uri, f'DROP DATABASE IF EXISTS "{keep}"')


def _wal_bytes_of_a_create(server) -> int:
    """Bytes of WAL one throwaway database's creation writes (the server is otherwise idle)."""
    def lsn() -> int:
        return query(server.admin_uri, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")[0][0]
    before = lsn()
    name = create_database(server, throwaway_name("wal"))
    after = lsn()
    drop_database(server, database_name(name))
    return int(after - before)


def test_a_throwaway_server_copies_template0_by_file_and_a_given_one_keeps_its_default():
    """FILE_COPY (two checkpoints, nothing to fsync here) on servers we start; WAL_LOG, PostgreSQL's default
    since 15, writes all of template0 into the WAL and is what a server given by URL keeps."""
    from attune_tui.db.server import Server, open_server

    with open_server(kind="embedded") as ours:
        given = Server(ours.admin_uri, "url", ours.bin_dir, ours.version)
        template0 = query(ours.admin_uri, "SELECT pg_database_size('template0')")[0][0]
        assert _wal_bytes_of_a_create(ours) < template0 / 10
        assert _wal_bytes_of_a_create(given) > template0 / 2
