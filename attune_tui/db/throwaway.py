"""Scratch databases that exist only for one replay, and the one safe way to drop them.

Every database created here is named ``attune_tui_<label>_<8 hex>``; the drop
functions refuse any other name, so a shared server's real databases are
never touched.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import sql

from .connect import connect, translated
from .errors import DatabaseError
from .server import Server

THROWAWAY_PREFIX = "attune_tui_"
_MAX_NAME = 63  # PostgreSQL's identifier limit (NAMEDATALEN - 1)


def throwaway_name(label: str) -> str:
    """``attune_tui_<label>_<8 random hex>``, with ``label`` reduced to [a-z0-9_] and shortened to fit."""
    clean = re.sub(r"[^a-z0-9_]+", "_", label.lower()).strip("_") or "db"
    room = _MAX_NAME - len(THROWAWAY_PREFIX) - 9
    return f"{THROWAWAY_PREFIX}{clean[:room]}_{secrets.token_hex(4)}"


def is_throwaway(name: str) -> bool:
    return name.startswith(THROWAWAY_PREFIX)


def _strategy(server: Server) -> sql.Composable:
    """How PostgreSQL copies template0: file by file on servers we started, else the server's default.

    The default (WAL_LOG, PostgreSQL 15+) writes every page of the template into
    the WAL, about twice the server CPU of copying the files; FILE_COPY instead
    forces two checkpoints, which cost nothing on our throwaway servers (fsync off)
    but would on a server given by URL, possibly shared: it keeps its default.
    """
    if server.kind in ("embedded", "local") and server.version >= 150000:
        return sql.SQL(" STRATEGY FILE_COPY")
    return sql.SQL("")


def create_database(server: Server, name: str) -> str:
    """Create the throwaway database ``name`` (from template0, so nothing leaks in) and return its URI."""
    if not is_throwaway(name):
        raise DatabaseError(f"Refusing to create database {name!r}: its name does not start with {THROWAWAY_PREFIX}.")
    with connect(server.admin_uri) as conn, translated(f"Creating database {name} on {server.where}"):
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'{}").format(
            sql.Identifier(name), _strategy(server)))
    return server.uri_for(name)


def drop_database(server: Server, name: str) -> None:
    """Drop throwaway database ``name`` if it exists, disconnecting its sessions; refuses other names."""
    if not is_throwaway(name):
        raise DatabaseError(f"Refusing to drop database {name!r}: its name does not start with {THROWAWAY_PREFIX}.")
    ident = sql.Identifier(name)
    with connect(server.admin_uri) as conn, translated(f"Dropping database {name} on {server.where}"):
        if conn.info.server_version >= 130000:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        else:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(ident))


def throwaway_databases(server: Server) -> list[str]:
    """Names of the throwaway databases present on ``server``."""
    with connect(server.admin_uri) as conn, translated(f"Listing databases on {server.where}"):
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database ORDER BY datname")]
    return [n for n in names if is_throwaway(n)]


def drop_throwaway_databases(server: Server) -> list[str]:
    """Drop every ``attune_tui_*`` database (left over by a killed run) and return their names."""
    names = throwaway_databases(server)
    for name in names:
        drop_database(server, name)
    return names


@contextmanager
def throwaway_database(server: Server, label: str) -> Iterator[str]:
    """Yield the URI of a new empty database; it is dropped afterwards, also on errors."""
    name = throwaway_name(label)
    uri = create_database(server, name)
    try:
        yield uri
    except BaseException:
        try:
            drop_database(server, name)
        except DatabaseError:
            pass  # do not hide the error that is already on its way
        raise
    drop_database(server, name)
