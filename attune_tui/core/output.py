"""Writing generated files safely: inside their folder, atomically, only when changed."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


class OutputError(ValueError):
    """A write that would escape its folder or lose a file; one sentence."""


def inside(folder: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, else what a plain ``open()`` would give (0666 less the umask).

    ``mkstemp`` creates 0600 files; without this, every plan and migration the
    tool writes would become private to its owner.
    """
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask; read from /proc where possible, because setting it to peek races other threads."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o22)
    os.umask(umask)
    return umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class WriteSet:
    """Files to write under their folders; computed fully before anything is written."""

    files: dict[Path, bytes] = field(default_factory=dict)
    owned: dict[Path, str] = field(default_factory=dict)  # folder → suffix of the files we own there

    def add(self, folder: Path, name: str, data: bytes) -> None:
        path = folder / name
        if not inside(folder, path):
            raise OutputError(f"{name} would be written outside {folder}")
        self.files[path] = data

    def stale(self) -> list[Path]:
        """Files we own in our folders that the new output does not include."""
        out = []
        for folder, suffix in self.owned.items():
            if folder.is_dir():
                out += [p for p in sorted(folder.iterdir()) if p.is_file() and p.name.endswith(suffix) and p not in self.files]
        return out

    def changes(self) -> dict[str, list[Path]]:
        """What writing would do: new, changed, unchanged and stale files."""
        res: dict[str, list[Path]] = {"new": [], "changed": [], "unchanged": [], "stale": self.stale()}
        for path, data in sorted(self.files.items()):
            if not path.exists():
                res["new"].append(path)
            elif path.read_bytes() != data:
                res["changed"].append(path)
            else:
                res["unchanged"].append(path)
        return res

    def write(self, prune: bool = False) -> dict[str, list[Path]]:
        res = self.changes()
        if res["stale"] and not prune:
            names = ", ".join(str(p) for p in res["stale"][:3])
            raise OutputError(f"{names} {'is' if len(res['stale']) == 1 else 'are'} not part of the plan's output; "
                              "rerun with --prune to delete stale files")
        for path in res["new"] + res["changed"]:
            write_atomic(path, self.files[path])
        if prune:
            for p in res["stale"]:
                p.unlink()
        return res
