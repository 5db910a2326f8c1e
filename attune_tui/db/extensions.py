"""Does the server have the extensions a history creates?  Checked before anything runs."""

from __future__ import annotations

from typing import Iterable

import psycopg

from .errors import DatabaseError


class MissingExtension(DatabaseError):
    def __init__(self, names: list[str]) -> None:
        listed = ", ".join(names)
        super().__init__(f"the server lacks the extension{'s' if len(names) > 1 else ''} {listed}, which the history "
                         "creates; install PostgreSQL's contrib package on a local server and pass --database-url, "
                         "or use gen_random_uuid() (built in since PostgreSQL 13) instead of uuid-ossp/pgcrypto")
        self.names = names


def missing_extensions(uri: str, names: Iterable[str]) -> list[str]:
    wanted = sorted(set(names))
    if not wanted:
        return []
    with psycopg.connect(uri) as conn:
        have = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", (wanted,))}
    return [n for n in wanted if n not in have]


def require_extensions(uri: str, names: Iterable[str]) -> None:
    missing = missing_extensions(uri, names)
    if missing:
        raise MissingExtension(missing)
