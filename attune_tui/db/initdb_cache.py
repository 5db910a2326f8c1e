"""A pristine ``initdb`` result kept between runs, so a throwaway server starts without running initdb.

initdb took 0.6–1.3 s on this project's machine (it builds template1, loads
information_schema, freezes template0); copying the folder it leaves takes
about 0.07 s.  A copy of a freshly initialised, never started cluster is what
initdb would write again (only the cluster's system identifier repeats, and
nothing reads it), so the first start on a machine runs initdb and keeps a
copy under the user's cache folder, keyed by the server programs and the
initdb options; later starts copy it.  A copy that fails falls back to
initdb; an entry a server would not start from is forgotten.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

PREFIX = "initdb-"


def cache_root() -> Path | None:
    """``$XDG_CACHE_HOME/attune-tui`` (default ``~/.cache/attune-tui``); None when there is no home."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home directory to be found
        return None
    return Path(base) / "attune-tui"


def entry_for(bin_dir: Path, options: Sequence[str]) -> Path | None:
    """The cache folder for clusters made by ``bin_dir``'s initdb with ``options`` (None: no cache)."""
    root = cache_root()
    if root is None:
        return None
    digest = hashlib.sha256("\0".join(options).encode())
    try:
        for program in ("initdb", "postgres"):  # another build or version of the server: another entry
            path = (bin_dir / program).resolve()
            st = path.stat()
            digest.update(f"\0{path}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    except OSError:
        return None
    return root / f"{PREFIX}{digest.hexdigest()[:20]}"


def copy_into(entry: Path, pgdata: Path, owner: str | None) -> bool:
    """Fill the empty ``pgdata`` from ``entry``; False (``pgdata`` emptied again) when there is none or it fails."""
    if not (entry / "PG_VERSION").is_file():
        return False
    try:
        _copy_tree(entry, pgdata)
        if owner is not None:
            _chown_tree(pgdata, owner)
        return True
    except (OSError, subprocess.SubprocessError):
        _empty(pgdata)
        return False


def store(pgdata: Path, entry: Path) -> None:
    """Keep a copy of the just-initialised ``pgdata`` as ``entry`` (best effort; other entries are pruned).

    Written under a temporary name and renamed, so a concurrent run sees the
    whole entry or none; if another run stored it first, ours is discarded.
    """
    tmp = entry.with_name(f".{entry.name}-{secrets.token_hex(4)}")
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copytree(pgdata, tmp, symlinks=True)
        os.rename(tmp, entry)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for old in entry.parent.glob(f"{PREFIX}*"):  # left by another server version: 40 MB each
        if old != entry:
            shutil.rmtree(old, ignore_errors=True)


def forget(entry: Path) -> None:
    shutil.rmtree(entry, ignore_errors=True)


def initialise(pgdata: Path, owner: str | None, bin_dir: Path, options: Sequence[str],
               run_initdb: Callable[[], None]) -> Path | None:
    """Make ``pgdata`` a new cluster: copied from the cache, else by ``run_initdb()`` and then cached.

    Returns the cache entry it was copied from (to ``forget`` if the server
    will not start from it), or None when initdb ran.
    """
    entry = entry_for(bin_dir, options)
    if entry is not None and copy_into(entry, pgdata, owner):
        return entry
    run_initdb()
    if entry is not None:
        store(pgdata, entry)
    return None


def _copy_tree(source: Path, target: Path) -> None:
    """``source``'s contents into the existing ``target``, modes included (the data folder must stay 0700).

    ``cp -a`` where there is one: it copies while this process's other threads
    keep the interpreter (a copy in Python holds it for most of its 0.15 s).
    """
    if shutil.which("cp"):
        subprocess.run(["cp", "-a", f"{source}/.", str(target)], check=True, capture_output=True, timeout=60)
    else:
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)


def _chown_tree(folder: Path, owner: str) -> None:
    """As root: hand every copied file to the system user that runs PostgreSQL."""
    import pwd

    entry = pwd.getpwnam(owner)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(os.path.join(parent, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _empty(folder: Path) -> None:
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
