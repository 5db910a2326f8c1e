"""Connection strings: where they point, whether that is this machine, and swapping the database.

Both URL (``postgresql://…``) and ``key=value`` forms are accepted, as libpq does.
Nothing here ever puts a password into a message.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .errors import DatabaseError

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def parse(uri: str) -> dict[str, str]:
    """The connection parameters of ``uri``; a malformed string is a DatabaseError."""
    try:
        return {k: str(v) for k, v in conninfo_to_dict(uri).items() if v is not None}
    except psycopg.ProgrammingError:
        raise DatabaseError("The database URL is not a valid PostgreSQL connection string "
                            "(expected postgresql://user:password@host:port/dbname).") from None


def hosts(uri: str) -> list[str]:
    """Every host libpq may connect to for ``uri`` (``hostaddr`` wins over ``host``, as in libpq);
    ``""`` means the default Unix socket."""
    params = parse(uri)
    raw = (params.get("hostaddr") or params.get("host")
           or os.environ.get("PGHOSTADDR") or os.environ.get("PGHOST", ""))
    return [h.strip() for h in raw.split(",")] if raw else [""]


def _is_local_host(host: str) -> bool:
    if host == "" or host.startswith("/") or host.startswith("@"):  # Unix socket (dir or abstract)
        return True
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_local(uri: str) -> bool:
    """True when every host of ``uri`` is this machine (loopback address or Unix socket)."""
    return all(_is_local_host(h) for h in hosts(uri))


def describe(uri: str) -> str:
    """Where ``uri`` points, for messages: ``localhost:5432`` or ``the Unix socket /run/x/.s.PGSQL.5432``."""
    params = parse(uri)
    host = ",".join(hosts(uri))
    port = params.get("port") or os.environ.get("PGPORT", "5432")
    if host == "":
        return f"the default Unix socket (port {port})"
    if host.startswith("/"):
        return f"the Unix socket {host.rstrip('/')}/.s.PGSQL.{port}"
    return f"{host}:{port}"


def database_name(uri: str) -> str | None:
    return parse(uri).get("dbname")


def with_dbname(uri: str, dbname: str) -> str:
    """``uri`` pointing at database ``dbname`` instead; keeps the URL form when it was one."""
    if uri.startswith(("postgresql://", "postgres://")):
        parts = urlsplit(uri)
        if not any(k == "dbname" for k, _ in parse_qsl(parts.query)):
            return urlunsplit(parts._replace(path="/" + quote(dbname, safe="")))
    return make_conninfo(uri, dbname=dbname)


def without_password(uri: str) -> tuple[str, str | None]:
    """``uri`` as a key=value string without its password, and the password (for PGPASSWORD)."""
    params = parse(uri)
    password = params.pop("password", None)
    return make_conninfo("", **params), password
