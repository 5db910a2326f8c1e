"""Read a sqlx-style migration folder into ordered, checksummed migrations.

sqlx names files ``<version>_<description>.sql`` (or ``.up.sql``/``.down.sql``
pairs), orders them by version, and stores the SHA-384 of each file's bytes.
The loader reproduces that and reports everything sqlx would trip over,
without stopping at the first surprise.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .diagnostics import Diagnostic

_NAME = re.compile(r"^(?P<version>\d+)_(?P<desc>.+?)(?P<dir>\.up|\.down)?\.sql$")
_TIMESTAMP = re.compile(r"^(20\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$")


@dataclass(frozen=True)
class Migration:
    """One legacy migration file, as sqlx would see it."""

    version: int
    description: str  # sqlx's: the name part with '_' turned into spaces
    name: str  # the file name
    data: bytes
    text: str
    down_text: str | None = None

    @cached_property
    def checksum(self) -> bytes:
        """SHA-384 of the file's bytes (asked for on every consolidation: computed once)."""
        return hashlib.sha384(self.data).digest()

    @property
    def no_transaction(self) -> bool:
        return self.text.lstrip("\ufeff").startswith("-- no-transaction")

    @property
    def stem(self) -> str:
        return self.name[: -len(".sql")]


@dataclass
class History:
    """An ordered migration chain plus what the loader noticed about it."""

    folder: Path | None
    migrations: list[Migration] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def by_name(self) -> dict[str, Migration]:
        return {m.name: m for m in self.migrations}


def sqlx_description(stem: str) -> str:
    return stem.replace("_", " ")


def decode(data: bytes, name: str, diagnostics: list[Diagnostic]) -> str:
    """UTF-8 text of a file; a bad byte is reported with its offset and replaced."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        diagnostics.append(Diagnostic("error", name, line, f"is not UTF-8: byte 0x{data[e.start]:02x} at offset {e.start} cannot be decoded", "not-utf8"))
        text = data.decode("utf-8", errors="replace")
    if "\r\n" in text:
        line = text[: text.index("\r\n")].count("\n") + 1
        diagnostics.append(Diagnostic("warning", name, line, "uses CRLF line endings (checksums differ from an LF checkout)", "crlf"))
    return text


def load_history(folder: Path | str) -> History:
    """Load every migration in ``folder``; problems become diagnostics, not exceptions.

    Raises ``FileNotFoundError`` only when the folder itself is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"migration folder {folder} does not exist")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix == ".sql")
    return load_files(folder, [(p.name, p.read_bytes()) for p in files])


def load_files(folder: Path | None, files: list[tuple[str, bytes]]) -> History:
    """Build a history from (file name, bytes) pairs: the in-memory twin of :func:`load_history`."""
    history = History(folder)
    diags = history.diagnostics
    ups: dict[str, tuple[int, str, bytes]] = {}
    downs: dict[str, bytes] = {}
    entries: list[tuple[int, str, str, bytes, str]] = []
    for name, data in sorted(files):
        m = _NAME.match(name)
        if not m:
            diags.append(Diagnostic("warning", name, None, "does not follow <version>_<description>.sql and is ignored, as sqlx would ignore it", "bad-name"))
            continue
        version, desc, direction = int(m["version"]), m["desc"], m["dir"]
        if direction == ".down":
            downs[f"{m['version']}_{desc}"] = data
            continue
        if direction == ".up":
            ups[f"{m['version']}_{desc}"] = (version, name, data)
        if not _TIMESTAMP.match(m["version"]):
            diags.append(Diagnostic("info", name, None, f"version {m['version']} is not a YYYYMMDDHHMMSS timestamp", "not-timestamp"))
        if not data.strip():
            diags.append(Diagnostic("warning", name, None, "is empty", "empty"))
        entries.append((version, name, desc, data, f"{m['version']}_{desc}"))
    for key in downs:
        if key not in ups:
            diags.append(Diagnostic("warning", f"{key}.down.sql", None, "has no matching .up.sql and is ignored", "orphan-down"))
    entries.sort(key=lambda e: (e[0], e[1]))
    seen: dict[int, str] = {}
    for version, name, desc, data, key in entries:
        text = decode(data, name, diags)
        down = downs.get(key) if name.endswith(".up.sql") else None
        if version in seen:
            diags.append(Diagnostic("error", name, None, f"shares version {version} with {seen[version]}; sqlx refuses duplicate versions", "duplicate-version"))
        else:
            seen[version] = name
        history.migrations.append(Migration(version, sqlx_description(desc), name, data, text,
                                            down.decode("utf-8", "replace") if down is not None else None))
    _check_order(history)
    return history


def _check_order(history: History) -> None:
    """Report files whose name order disagrees with their version order (sqlx applies by version)."""
    by_name = sorted(history.migrations, key=lambda m: m.name)
    for a, b in zip(by_name, by_name[1:]):
        if a.version > b.version:
            history.diagnostics.append(Diagnostic("warning", b.name, None, f"sorts after {a.name} by name but has an earlier version", "out-of-order"))
