"""Upgrade simulation: databases part-way through the legacy history must deploy cleanly too.

For each legacy file N, a database is migrated up to N (one session, as a
past deploy did), then gets the remaining legacy files (another session) and
the rebaseline; it must then have the schema and ``_sqlx_migrations`` rows of
a fresh database built by the consolidated chain.  Copying one growing
database per N was measured slower than replaying from empty (a template copy
costs about as much as the whole legacy chain), so each N replays, and the
N run on a small thread pool: the server does the work, on every core.
After the replay, one session checks the schema (a server-side digest of the
catalog rows first; the full introspection and structured diff only when it
differs from the fresh database's), rebaselines and reads the rows back.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import asdict, dataclass
from typing import Any

from ..core.sqlx_history import info_problems, migrate_info, rebaseline_sql
from ..db.history import read_history_on, run_sql_on
from ..db.schemadiff import SchemaModel
from ..db.sqlx import apply_chain
from ..db.throwaway import throwaway_database
from .compare import failing, one_line, schema_diff
from .context import RunContext
from .model import Event, Reporter, StepLog, StepProgress

WORKERS = max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class UpgradeOutcome:
    """Starting from the database right after legacy file ``start``: ``ok`` or the first ``problem``."""

    start: str
    ok: bool
    problem: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def simulate_upgrades(ctx: RunContext, rep: Reporter) -> list[UpgradeOutcome]:
    """Every starting version, ``WORKERS`` at a time; each outcome is logged as it finishes."""
    srv = ctx.server(rep)  # first: every replay waits for it, and it is the longest wait at the start
    legacy = ctx.history.migrations
    new = ctx.new_history.migrations
    sql = rebaseline_sql(legacy, new)
    # What every replay is compared with is asked for only when a replay gets there: the first
    # replays run while the consolidated chain's database is still being built.
    reference = Reference(lambda: ctx.fingerprint(rep), lambda: ctx.model("new", rep),
                          lambda: [(r.version, r.description, r.checksum) for r in ctx.fresh_history(rep)],
                          ctx.settings.intended_differences)

    def one(n: int) -> UpgradeOutcome:
        if ctx.closing.is_set():
            raise InterruptedError("the checklist run was closed")
        started = time.perf_counter()
        with throwaway_database(srv, f"upgrade_{n + 1}") as uri:
            problem = _deploy(uri, legacy[: n + 1], legacy[n + 1:], sql, new, reference)
        return UpgradeOutcome(legacy[n].name, not problem, problem, time.perf_counter() - started)

    outcomes: dict[int, UpgradeOutcome] = {}
    rep.progress(0, len(legacy), f"{len(legacy)} starting versions, {WORKERS} at a time")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {pool.submit(one, n): n for n in range(len(legacy))}
        try:
            for fut in as_completed(futures):
                o = fut.result()
                outcomes[futures[fut]] = o
                rep.progress(len(outcomes), len(legacy), f"{o.start}: {'ok' if o.ok else 'FAILED'}")
                rep.log(f"{'ok  ' if o.ok else 'FAIL'} from {o.start} ({o.seconds:.2f} s)"
                        f"{': ' + o.problem if o.problem else ''}")
        except BaseException:  # e.g. the consolidated chain does not apply: no use trying the other replays
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    ordered = [outcomes[n] for n in sorted(outcomes)]
    rep.details["upgrades"] = [o.to_dict() for o in ordered]
    return ordered


@dataclass(frozen=True)
class Reference:
    """What an upgraded database must end as (a fresh consolidated one's): schema digest and model, history rows.

    Callables, so the reference is built (once, by the run context) only when a replay first needs it.
    """

    fingerprint: Callable[[], str]
    model: Callable[[], SchemaModel]
    history: Callable[[], list[tuple[int, str, bytes]]]
    intended: list[dict[str, str]]


def schema_problem(conn: Any, reference: Reference) -> str:
    """The first schema difference from the reference that the plan does not declare intended, or "".

    The server's digest of the catalog settles the usual case (identical) without
    reading the schema into Python; only when the digests differ is the schema
    introspected and diffed, so a difference is reported exactly as before.
    """
    from ..db.introspect import introspect_on, schema_fingerprint

    if schema_fingerprint(conn) == reference.fingerprint():
        return ""
    diffs = failing(schema_diff(introspect_on(conn), reference.model(), reference.intended))
    return f"schema differs before rebaselining: {one_line(diffs[0], 'upgraded', 'consolidated')}" if diffs else ""


def _deploy(uri: str, done: list[Any], rest: list[Any], sql: str, new: list[Any], reference: Reference) -> str:
    """Migrate to N, then the deploy procedure; the first problem as a sentence, or ""."""
    from ..db.connect import connect
    from ..db.errors import ApplyError, DatabaseError

    try:
        apply_chain(uri, done, allow_duplicate_versions=True)
    except ApplyError as e:
        return f"the legacy chain up to this version fails: {e}"
    try:
        apply_chain(uri, rest, allow_duplicate_versions=True)
    except ApplyError as e:
        return f"remaining legacy files fail: {e}"
    with connect(uri) as conn:  # the deploy's own session: check the schema, rebaseline, read the rows back
        problem = schema_problem(conn, reference)
        if problem:
            return problem
        try:
            run_sql_on(conn, sql, "the rebaseline SQL")
        except DatabaseError as e:
            return str(e)
        rows = read_history_on(conn)
    problems = info_problems(migrate_info(rows, new))
    if problems:
        return f"after rebaselining, {problems[0]}"
    if [(r.version, r.description, r.checksum) for r in rows] != reference.history():
        return "after rebaselining, _sqlx_migrations differs from a fresh database's"
    return ""


class _Buffer:
    """Events of a background run, kept until the step that owns them shows them."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._lock = threading.Lock()

    def append(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    def drain(self) -> list[Event]:
        with self._lock:
            out, self.events = self.events, []
        return out


def start_in_background(ctx: RunContext) -> None:
    """Begin the simulation now, alongside the other steps; the upgrade step then waits for it.

    It is most of verify's database work, on its own core while the other steps use the other.
    """
    buf = _Buffer()
    rep = Reporter("upgrade", buf.append)
    ctx.background["upgrade"] = (ctx.run_in_background(lambda: simulate_upgrades(ctx, rep)), buf, rep)


def upgrades(ctx: RunContext, rep: Reporter) -> list[UpgradeOutcome]:
    """The simulation's outcomes: from the background run if one was started, else run now."""
    started = ctx.background.pop("upgrade", None)
    if started is None:
        return simulate_upgrades(ctx, rep)
    future, buf, bg = started

    def forward() -> None:
        for e in buf.drain():
            if isinstance(e, StepLog):
                rep.log(e.line)
            elif isinstance(e, StepProgress):
                rep.progress(e.done, e.total, e.message)
    while not wait([future], timeout=0.05).done:  # show its progress as it goes, and stop waiting the moment it ends
        forward()
    forward()
    rep.details.update(bg.details)
    return future.result()
