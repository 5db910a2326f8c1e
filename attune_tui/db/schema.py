"""Schema of a database as comparable text: ``pg_dump --schema-only``, normalised.

Two databases built by different migration chains should compare equal when
their schemas are the same, whatever order objects were created in.  So the
dump is cut into statements (dollar quotes and all, with the core lexer),
session noise and the ``_sqlx_migrations`` bookkeeping are dropped, and the
statements are sorted.  Each statement's text is kept whole, so column order
inside ``CREATE TABLE`` (which does matter) still counts.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess

from ..core.lexer import SqlSyntaxError, split_statements
from .conninfo import without_password
from .errors import DatabaseError
from .server import Server

_META = re.compile(r"^\\(?:un)?restrict\b.*$", re.M)  # pg_dump ≥ 17.6 brackets the dump with a random key
_NOISE = re.compile(r"^(?:SET\s+\w+\s*=|SELECT\s+pg_catalog\.set_config\s*\()", re.I)
_SQLX = re.compile(r"\b_sqlx_migrations\b")


def normalise_dump(dump: str) -> str:
    """Sorted, comment-free statements of a ``pg_dump`` script, one blank line apart."""
    text = _META.sub("", dump)
    try:
        spans = split_statements(text, "pg_dump output")
    except SqlSyntaxError as e:
        raise DatabaseError(f"Could not read pg_dump's output ({e}).") from None
    statements = []
    for span in spans:
        stmt = "\n".join(line.rstrip() for line in text[span.start:span.end].splitlines())
        if _NOISE.match(stmt) or _SQLX.search(stmt):
            continue
        statements.append(stmt)
    return "".join(s + "\n\n" for s in sorted(statements)).rstrip("\n") + ("\n" if statements else "")


def pg_dump(server: Server, uri: str) -> str:
    """The raw ``pg_dump --schema-only --no-owner --no-privileges`` of database ``uri``."""
    if server.bin_dir is None:
        major = server.version // 10000
        raise DatabaseError(f"No pg_dump of version {major} or newer was found to dump {server.where}; "
                            f"install the PostgreSQL {major} client programs or unset DATABASE_URL.")
    conninfo, password = without_password(uri)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if password is not None:
        env["PGPASSWORD"] = password
    args = [str(server.bin_dir / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "--dbname", conninfo]
    try:
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DatabaseError(f"Could not run pg_dump from {server.bin_dir} ({e}).") from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        why = next((ln for ln in lines if "error:" in ln), lines[0] if lines else "no message")
        raise DatabaseError(f"pg_dump failed on {server.where} ({why.split('error:', 1)[-1].strip()}).")
    return done.stdout


def dump_schema(server: Server, uri: str) -> str:
    """The normalised schema of database ``uri`` (see module doc); equal text means equal schemas."""
    return normalise_dump(pg_dump(server, uri))


def diff_schemas(a: str, b: str, a_name: str = "legacy", b_name: str = "consolidated") -> list[str]:
    """Unified diff lines from schema ``a`` to ``b``; empty when they are equal."""
    if a == b:
        return []
    return list(difflib.unified_diff(a.splitlines(), b.splitlines(), a_name, b_name, lineterm=""))
