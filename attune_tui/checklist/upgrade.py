"""Upgrade simulation: databases part-way through the legacy history must deploy cleanly too.

For each legacy file N, a database is migrated up to N (one session, as a
past deploy did), then gets the remaining legacy files (another session) and
the rebaseline; it must then have the schema and ``_sqlx_migrations`` rows of
a fresh database built by the consolidated chain.  Copying one growing
database per N was measured slower than replaying from empty (a template copy
costs about as much as the whole legacy chain), so each N replays, and the
N run on a small thread pool: the server does the work, on every core.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait
from dataclasses import asdict, dataclass
from typing import Any

from ..core.sqlx_history import info_problems, migrate_info, rebaseline_sql
from ..db.history import read_history, run_sql
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
    legacy = ctx.history.migrations
    new = ctx.new_history.migrations
    srv = ctx.server(rep)
    reference = ctx.model("new", rep)
    fresh_rows = [(r.version, r.description, r.checksum) for r in read_history(ctx.new_db(rep))]
    sql = rebaseline_sql(legacy, new)
    intended = ctx.settings.intended_differences

    def one(n: int) -> UpgradeOutcome:
        if ctx.closing.is_set():
            raise InterruptedError("the checklist run was closed")
        started = time.perf_counter()
        with throwaway_database(srv, f"upgrade_{n + 1}") as uri:
            problem = _deploy(uri, legacy[: n + 1], legacy[n + 1:], sql, new, reference, fresh_rows, intended)
        return UpgradeOutcome(legacy[n].name, not problem, problem, time.perf_counter() - started)

    outcomes: dict[int, UpgradeOutcome] = {}
    rep.progress(0, len(legacy), f"{len(legacy)} starting versions, {WORKERS} at a time")
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {pool.submit(one, n): n for n in range(len(legacy))}
        for fut in as_completed(futures):
            o = fut.result()
            outcomes[futures[fut]] = o
            rep.progress(len(outcomes), len(legacy), f"{o.start}: {'ok' if o.ok else 'FAILED'}")
            rep.log(f"{'ok  ' if o.ok else 'FAIL'} from {o.start} ({o.seconds:.2f} s){': ' + o.problem if o.problem else ''}")
    ordered = [outcomes[n] for n in sorted(outcomes)]
    rep.details["upgrades"] = [o.to_dict() for o in ordered]
    return ordered


def _deploy(uri: str, done: list[Any], rest: list[Any], sql: str, new: list[Any], reference: Any,
            fresh_rows: list[tuple[int, str, bytes]], intended: list[dict[str, str]]) -> str:
    """Migrate to N, then the deploy procedure; the first problem as a sentence, or ""."""
    from ..db.errors import ApplyError, DatabaseError
    from ..db.introspect import introspect

    try:
        apply_chain(uri, done, allow_duplicate_versions=True)
    except ApplyError as e:
        return f"the legacy chain up to this version fails: {e}"
    try:
        apply_chain(uri, rest, allow_duplicate_versions=True)
    except ApplyError as e:
        return f"remaining legacy files fail: {e}"
    diffs = failing(schema_diff(introspect(uri), reference, intended))
    if diffs:
        return f"schema differs before rebaselining: {one_line(diffs[0], 'upgraded', 'consolidated')}"
    try:
        run_sql(uri, sql, "the rebaseline SQL")
    except DatabaseError as e:
        return str(e)
    rows = read_history(uri)
    problems = info_problems(migrate_info(rows, new))
    if problems:
        return f"after rebaselining, {problems[0]}"
    if [(r.version, r.description, r.checksum) for r in rows] != fresh_rows:
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
