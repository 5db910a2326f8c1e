"""Which PostgreSQL extensions a chain needs that the server cannot provide.

The embedded server ships only some contrib extensions (``pg_trgm`` yes,
``uuid-ossp`` no), so this is checked before a replay to fail with advice
rather than halfway through a migration.
"""

from __future__ import annotations

from collections.abc import Iterable

from .connect import connect, translated
from .errors import DatabaseError


class MissingExtension(DatabaseError):
    """The server lacks extensions the migrations create; says how to get them."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(names)
        noun = "extension" if len(names) == 1 else "extensions"
        super().__init__(
            f"This PostgreSQL server does not have the {noun} {listed} that the migrations create; install "
            f"your PostgreSQL's contrib package on a local server (e.g. postgresql-contrib) and set "
            f"DATABASE_URL to it, since the embedded server ships only some extensions.")


def missing_extensions(uri: str, names: Iterable[str]) -> list[str]:
    """The names among ``names`` (order kept, duplicates once) not in ``pg_available_extensions``."""
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return []
    with connect(uri) as conn, translated("Listing available extensions"):
        available = {r[0] for r in conn.execute(
            "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)", [wanted])}
    return [n for n in wanted if n not in available]


def require_extensions(uri: str, names: Iterable[str]) -> None:
    """Raise MissingExtension unless every extension in ``names`` is available."""
    missing = missing_extensions(uri, names)
    if missing:
        raise MissingExtension(missing)
