"""Throwaway databases with a recognisable prefix: the only databases the tool ever drops."""

from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import sql

from .server import Server

THROWAWAY_PREFIX = "attune_tui_"


def create_database(server: Server, label: str) -> str:
    name = f"{THROWAWAY_PREFIX}{label}_{secrets.token_hex(4)}"
    with psycopg.connect(server.admin_uri, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(server: Server, name: str) -> None:
    if not name.startswith(THROWAWAY_PREFIX):
        raise ValueError(f"refusing to drop {name}: not a throwaway database of attune-tui")
    with psycopg.connect(server.admin_uri, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def drop_all_throwaways(server: Server) -> list[str]:
    with psycopg.connect(server.admin_uri, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                            (THROWAWAY_PREFIX.replace("_", r"\_") + "%",))]
    for n in names:
        drop_database(server, n)
    return names


@contextmanager
def throwaway_database(server: Server, label: str) -> Iterator[str]:
    """Yield the URI of a fresh database; it is dropped afterwards, whatever happens."""
    name = create_database(server, label)
    try:
        yield server.uri_for(name)
    finally:
        drop_database(server, name)
