"""A throwaway PostgreSQL run from a system installation's initdb and pg_ctl.

Useful when the migrations need an extension the embedded wheel lacks (a
distribution's contrib package has ``uuid-ossp`` and friends).  Like the
embedded server it listens only on a Unix socket inside its scratch folder,
so it never clashes with a PostgreSQL already running on the machine.
"""

from __future__ import annotations

import glob
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import initdb_cache
from .cluster import (
    FAST_SETTINGS,
    Cluster,
    hand_over,
    initdb,
    postmaster_pid,
    run,
    scratch_cluster,
    stop_leftover,
)
from .errors import DatabaseError


def local_bin_dir() -> Path | None:
    """Folder with initdb and pg_ctl: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found:
        folder = Path(found).resolve().parent
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(re.sub(r"\D", "", p) or 0))
    return Path(versions[-1]).parent if versions else None


@contextmanager
def local_server() -> Iterator[Cluster]:
    """Start a fresh cluster with the system's PostgreSQL; stop it and delete its folder on exit."""
    bin_dir = local_bin_dir()
    if bin_dir is None:
        raise DatabaseError("No local PostgreSQL server programs (initdb, pg_ctl) were found on PATH or in "
                            "/usr/lib/postgresql; install PostgreSQL or use the embedded server.")
    with scratch_cluster() as cluster:
        cluster.bin_dir = bin_dir
        hand_over(cluster)
        cached = initdb(cluster, bin_dir)  # settings go on the command line below: initdb -c needs PostgreSQL 16
        options = " ".join(["-h ''", f"-k '{cluster.pgdata}'", *(f"-c {s}" for s in FAST_SETTINGS)])
        try:
            run(cluster, [str(bin_dir / "pg_ctl"), "-D", str(cluster.pgdata), "-l", str(cluster.pgdata / "log"),
                          "-o", options, "-w", "-t", "60", "start"], "start the local PostgreSQL")
        except DatabaseError:
            if cached is not None:  # the next start runs initdb again
                initdb_cache.forget(cached)
            raise
        cluster.pid = postmaster_pid(cluster.pgdata)
        cluster.uri = f"postgresql://postgres:@/postgres?host={cluster.pgdata}"
        try:
            yield cluster
        finally:
            stop_leftover(cluster.pgdata, cluster.pid, immediate=True)  # nothing in it is kept: no checkpoint
