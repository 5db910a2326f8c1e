"""What checklist steps share during one run: the workspace, one server, and databases built once.

Steps ask for what they need (the legacy chain's database, the consolidated
chain's database, their schema models) and get it built on first use; the
server and every throwaway database are released when the run ends, also on
failure or Ctrl-C.  A server that could not start fails every later step with
the same sentence instead of being retried for each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any, Self

from ..core.consolidate import Consolidation
from ..core.loader import History, Migration, load_history
from ..core.plan import Plan, PlanError
from ..db.errors import DatabaseError
from ..db.server import Server, open_server
from ..db.sqlx import apply_chain
from ..db.throwaway import throwaway_database
from ..pipeline import Workspace, load_checked
from .model import Reporter
from .settings import Settings, plan_digest, read_settings


class RunContext:
    """Shared, lazily built resources of one checklist run; use as a context manager."""

    def __init__(self, ws: Workspace, plan: Plan, *, database_url: str | None = None, server_kind: str = "auto",
                 allow_remote: bool = False, create_roles: bool = False, pg_dump: bool = False) -> None:
        self.ws = ws
        self.plan = plan
        self.settings: Settings = read_settings(plan, str(ws.plan_path))
        self.digest = plan_digest(plan)
        self.database_url = database_url
        self.server_kind = server_kind
        self.allow_remote = allow_remote
        self.create_roles = create_roles
        self.pg_dump = pg_dump  # the compare step also diffs normalised `pg_dump --schema-only` text
        self.timings: dict[str, float] = {}  # "legacy chain", "consolidated chain": seconds to apply
        self._stack = ExitStack()
        self._server: Server | None = None
        self._server_error: Exception | None = None
        self._cache: dict[str, Any] = {}
        # Steps may run work in the background (the upgrade simulation overlaps the other steps), so
        # what is built lazily is built once, under a lock per thing: the engine's build in one
        # thread must not wait for the server another thread is starting.
        self._lock = threading.RLock()  # the server, the exit stack and the background pool
        self._key_locks: dict[str, threading.RLock] = {}
        self._key_locks_lock = threading.Lock()  # held only to look a key's lock up, never while building
        self._pool: ThreadPoolExecutor | None = None
        self.background: dict[str, Any] = {}
        self.closing = threading.Event()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the throwaway databases and stop a server the run started (background work first ends)."""
        self.closing.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self.background.clear()
        self._cache.clear()
        self._server = None
        self._stack.close()

    # --- files ---------------------------------------------------------------

    def once(self, key: str, make: Any) -> Any:
        """``make()`` run once per run (whichever thread asks first); later calls get its result."""
        if key in self._cache:
            return self._cache[key]
        with self._key_locks_lock:
            lock = self._key_locks.setdefault(key, threading.RLock())
        with lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    def run_in_background(self, work: Callable[[], Any]) -> Future:
        """Start ``work`` on the run's background thread; closing the run waits for it."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="checklist")
            return self._pool.submit(work)

    @property
    def history(self) -> History:
        """The legacy chain, checked against the plan."""
        return self.once("history", lambda: load_checked(self.ws, self.plan))

    @property
    def consolidation(self) -> Consolidation:
        return self.once("consolidation", lambda: Consolidation(self.history, self.plan))

    @property
    def new_history(self) -> History:
        """The consolidated chain as it is on disk (what would be shipped), not as the plan would write it."""
        def load() -> History:
            if not self.ws.output.is_dir():
                raise PlanError(f"{self.ws.output} does not exist; run `attune-tui apply` first")
            h = load_history(self.ws.output)
            if not h.migrations:
                raise PlanError(f"{self.ws.output} holds no migrations; run `attune-tui apply` first")
            return h
        return self.once("new_history", load)

    # --- server and databases ------------------------------------------------

    def server(self, rep: Reporter | None = None) -> Server:
        with self._lock:
            return self._server_locked(rep)

    def _server_locked(self, rep: Reporter | None) -> Server:
        if self._server_error is not None:
            raise self._server_error
        if self._server is None:
            try:
                if rep:
                    rep.log("starting PostgreSQL" if not (self.database_url or self.server_kind != "auto")
                            else "connecting to PostgreSQL")
                started = time.perf_counter()
                srv = self._stack.enter_context(
                    open_server(self.database_url, self.server_kind, allow_remote=self.allow_remote))
                self.timings["server start"] = time.perf_counter() - started
                if rep:
                    rep.log(f"using {srv.where}, version {srv.version // 10000}.{srv.version % 100}")
                self._prepare(srv, rep)
                self._server = srv
            except (DatabaseError, PlanError) as e:
                self._server_error = e
                raise
        return self._server

    def _prepare(self, srv: Server, rep: Reporter | None) -> None:
        """Extensions and roles the chain needs, checked (and roles created) before anything is applied."""
        from ..pipeline import prepare_server

        prepare_server(srv, self.history, self.create_roles, rep.log if rep else None)

    def scratch(self, label: str, rep: Reporter | None = None) -> str:
        """A new empty throwaway database, dropped when the run ends."""
        with self._lock:
            srv = self.server(rep)
            return self._stack.enter_context(throwaway_database(srv, label))

    def apply(self, uri: str, migrations: list[Migration], rep: Reporter | None, what: str,
              legacy: bool = False) -> float:
        """Apply a chain the sqlx way, reporting each file as progress; returns the seconds it took."""
        def progress(i: int, total: int, name: str) -> None:
            if rep:
                rep.progress(i, total, f"{what}: {name}" if name else f"{what}: done")
        started = time.perf_counter()
        apply_chain(uri, migrations, on_progress=progress, allow_duplicate_versions=legacy)
        return time.perf_counter() - started

    def legacy_db(self, rep: Reporter | None = None) -> str:
        """A database built by the whole legacy chain (duplicate versions applied, as deployed databases were)."""
        def build() -> str:
            uri = self.scratch("legacy", rep)
            n = len(self.history.migrations)
            seconds = self.apply(uri, self.history.migrations, rep, "legacy chain", legacy=True)
            self.timings["legacy chain"] = seconds
            if rep:
                rep.log(f"applied the legacy chain ({n} files) in {seconds:.2f} s")
            return uri
        return self.once("legacy_db", build)

    def new_db(self, rep: Reporter | None = None, label: str = "new") -> str:
        """A database built by the consolidated chain on disk; ``label`` other than "new" builds another one."""
        def build() -> str:
            uri = self.scratch(label, rep)
            n = len(self.new_history.migrations)
            seconds = self.apply(uri, self.new_history.migrations, rep, "consolidated chain")
            self.timings.setdefault("consolidated chain", seconds)
            if rep:
                rep.log(f"applied the consolidated chain ({n} files) in {seconds:.2f} s")
            return uri
        return self.once(f"db:{label}", build)

    def model(self, which: str, rep: Reporter | None = None) -> Any:
        """The introspected schema of the "legacy" or "new" database (taken once, before data is loaded)."""
        return self._snapshot(which, rep)[0]

    def fingerprint(self, rep: Reporter | None = None) -> str:
        """The server-side digest of ``model("new")``'s catalog rows, taken in the same session as the model.

        What the upgrade simulation compares each replayed database with first.
        """
        digest = self._snapshot("new", rep)[1]
        assert digest is not None
        return digest

    def _snapshot(self, which: str, rep: Reporter | None) -> tuple[Any, str | None]:
        from ..db.connect import connect
        from ..db.introspect import introspect_on, schema_fingerprint

        def take() -> tuple[Any, str | None]:
            uri = self.legacy_db(rep) if which == "legacy" else self.new_db(rep)
            with connect(uri) as conn:
                return introspect_on(conn), schema_fingerprint(conn) if which == "new" else None
        return self.once(f"model:{which}", take)

    def fresh_history(self, rep: Reporter | None = None) -> list[Any]:
        """``_sqlx_migrations`` of the database the consolidated chain built: what a rebaselined one must hold."""
        from ..db.history import read_history

        return self.once("fresh_history", lambda: read_history(self.new_db(rep)))
