"""Cluster-wide roles a history's GRANTs and OWNER TOs need, checked and created on a server.

A throwaway server has only its bootstrap superuser, so replaying a history
that grants to ``app_reader`` fails there unless the role exists.  The
caller decides when creating is allowed: always on a throwaway server, only
when the user asks on a server given by URL (roles outlive every database).
Roles are created NOLOGIN and with no attributes: they exist to be named,
not to log in.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

from .connect import connect, translated
from .conninfo import describe


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def missing_roles(uri: str, names: Iterable[str]) -> list[str]:
    """The ``names`` (exact, case-sensitive role names) that do not exist on ``uri``'s server, in order."""
    wanted = _unique(names)
    if not wanted:
        return []
    with connect(uri) as conn, translated(f"Listing roles on PostgreSQL at {describe(uri)}"):
        present = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [wanted])}
    return [n for n in wanted if n not in present]


def create_roles(uri: str, names: Iterable[str]) -> list[str]:
    """Create each of ``names`` that is missing as a NOLOGIN role; return the ones created here.

    Idempotent: existing roles are left alone, and a role another session
    creates at the same moment counts as existing.  Raises DatabaseError when
    the connecting user may not create roles (it needs CREATEROLE).
    """
    created: list[str] = []
    wanted = missing_roles(uri, names)
    if not wanted:
        return created
    where = describe(uri)
    with connect(uri) as conn:
        for name in wanted:
            with translated(f"Creating role {name!r} on PostgreSQL at {where}"):
                try:
                    conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
                except psycopg.errors.DuplicateObject:
                    continue  # created meanwhile by someone else: what we wanted
            created.append(name)
    return created
