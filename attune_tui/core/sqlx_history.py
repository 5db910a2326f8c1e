"""What sqlx would say about a database's ``_sqlx_migrations`` rows, and the SQL that rebaselines them.

A database deployed from the legacy chain holds one row per legacy version.
After consolidation its schema is already what the new chain builds, so
deploying means replacing those rows with the new chain's versions and
checksums.  ``migrate_info`` mirrors ``sqlx migrate info`` / ``migrate run``
semantics so "deployed" can be checked the way sqlx itself would see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class MigrationFile(Protocol):
    """A migration as sqlx identifies it (``core.loader.Migration`` fits)."""

    @property
    def version(self) -> int: ...
    @property
    def description(self) -> str: ...
    @property
    def name(self) -> str: ...


class ChainFile(MigrationFile, Protocol):
    """What the history checks need: identity and the SHA-384 sqlx records."""

    @property
    def checksum(self) -> bytes: ...


@dataclass(frozen=True)
class HistoryRow:
    """One row of ``_sqlx_migrations`` (the columns sqlx compares)."""

    version: int
    description: str
    success: bool
    checksum: bytes


@dataclass(frozen=True)
class InfoLine:
    """One line of ``sqlx migrate info``; ``status`` is installed, pending, different checksum, dirty or missing."""

    version: int
    description: str
    status: str

    @property
    def ok(self) -> bool:
        return self.status == "installed"

    def __str__(self) -> str:
        return f"{self.version}/{self.status} {self.description}"


def migrate_info(rows: Sequence[HistoryRow], migrations: Sequence[ChainFile]) -> list[InfoLine]:
    """Each migration's status against ``rows``, then rows no migration accounts for (``missing``).

    sqlx's ``migrate run`` fails on a dirty row (success = false), on a checksum
    mismatch and on an applied version missing from the folder; it runs pending ones.
    """
    by_version = {r.version: r for r in rows}
    lines = []
    seen = set()
    for m in migrations:
        if m.version in seen:
            continue  # a duplicate version: sqlx refuses the folder; the loader reports it
        seen.add(m.version)
        row = by_version.get(m.version)
        if row is None:
            status = "pending"
        elif not row.success:
            status = "dirty"
        elif row.checksum != m.checksum:
            status = "different checksum"
        else:
            status = "installed"
        lines.append(InfoLine(m.version, m.description, status))
    for r in rows:
        if r.version not in seen:
            lines.append(InfoLine(r.version, r.description, "missing"))
    return lines


def info_problems(lines: Sequence[InfoLine]) -> list[str]:
    """One sentence per line that is not ``installed``: what sqlx would do or refuse."""
    why = {
        "pending": "is pending: sqlx migrate run would apply it",
        "dirty": "is recorded as failed (dirty): sqlx migrate run would refuse to continue",
        "different checksum": "was applied with a different checksum: sqlx migrate run would refuse",
        "missing": "is recorded but has no file: sqlx migrate run would refuse (VersionMissing)",
    }
    return [f"{ln.version} ({ln.description}) {why[ln.status]}" for ln in lines if not ln.ok]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def rebaseline_sql(legacy: Sequence[ChainFile], new: Sequence[ChainFile]) -> str:
    """SQL replacing the legacy chain's rows in ``_sqlx_migrations`` by the new chain's, in one transaction.

    Only rows of legacy versions are deleted; the caller checks beforehand that
    the database is exactly at the last legacy version with that schema.
    """
    old_versions = sorted({m.version for m in legacy})
    head = (f"-- attune-tui: rebaseline _sqlx_migrations from {len(legacy)} legacy migrations to "
            f"{len(new)} consolidated ones.\n"
            "-- Run it only on a database at the last legacy version whose schema matches the consolidated\n"
            "-- chain (`attune-tui verify` and the checklist's deploy step check both first).\n")
    values = ",\n".join(
        f"    ({m.version}, {_literal(m.description)}, TRUE, decode('{m.checksum.hex()}', 'hex'), 0)" for m in new)
    return (f"{head}BEGIN;\n"
            f"DELETE FROM _sqlx_migrations WHERE version IN ({', '.join(str(v) for v in old_versions)});\n"
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES\n"
            f"{values};\n"
            "COMMIT;\n")
