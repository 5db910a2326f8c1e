"""Differential test: random legacy histories and plans, consolidated, must build the legacy schema.

For each example hypothesis draws a valid legacy chain (tests/strategies.py)
and a plan (targets, a monotone or shuffled assignment, a few object or
statement overrides).  The legacy chain and the consolidated chain are applied to two
fresh databases on the session's PostgreSQL and their ``pg_dump
--schema-only`` must be equal.  The engine may refuse a plan only with an
error that explains a genuine ordering problem the plan creates (a forward
reference or a cycle); any other error, a consolidated file that fails, or a
schema difference is a bug in the engine.

Budget: ``ATTUNE_EXAMPLES`` examples (default 25, derandomized, about half a
minute); set it to run thousands, with a fresh random seed each run::

    ATTUNE_EXAMPLES=2000 /tmp/venv/bin/python -m pytest -q tests/test_differential.py

(about 1.5 s per example on two cores, so 2000 take roughly 50 minutes; a failure is then shrunk,
which can take several minutes more, and saved in .hypothesis/ so the next run replays it first).
Every bug it found is kept as a fixed case in tests/test_regressions.py.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_files
from attune_tui.core.plan import Plan, Target
from attune_tui.db.errors import ApplyError
from attune_tui.db.schema import diff_schemas, dump_schema
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

from .strategies import PlanDraw, file_names, histories, plans

EXAMPLES = int(os.environ.get("ATTUNE_EXAMPLES", "25"))
SCALED = "ATTUNE_EXAMPLES" in os.environ

# The errors a plan may legitimately cause: it orders objects so that one needs another created later.
ORDERING_ERRORS = {"forward-reference", "cycle"}
_FORWARD = re.compile(r"^(\S+) in (\S+) needs (\S+), which is created later in (\S+);")


@st.composite
def cases(draw) -> tuple[list[list[str]], PlanDraw]:
    files = draw(histories())
    return files, draw(plans(len(files)))


def build(files: list[list[str]], pd: PlanDraw, overrides: dict[str, str] | None = None) -> tuple[Consolidation, list]:
    names = file_names(len(files))
    history = load_files(None, [(n, "\n\n".join(stmts).encode() + b"\n") for n, stmts in zip(names, files)])
    plan = Plan(targets=[Target(t) for t in pd.targets], assign={n: pd.targets[i] for n, i in zip(names, pd.assign)})
    cons = Consolidation(history, plan)
    # Overrides name catalog objects or statements (``statement:<file>@<id>``), known only after
    # replay: resolve the drawn picks now.
    keys = sorted(k for k in cons.catalog.objects if not k.startswith("statement:"))
    keys += sorted({f"statement:{s.file}@{s.sid}" for s in cons.replay.statements})
    for pick, target in pd.overrides:
        if keys:
            cons.override(keys[pick % len(keys)], pd.targets[target])
    for k, target in (overrides or {}).items():  # named overrides (regression cases)
        cons.override(k, target)
    return cons, history.migrations


def explained(cons: Consolidation, problem) -> bool:
    """An ordering error is genuine when what it names really is placed in that order."""
    if problem.code == "cycle":
        return "dependency cycle between" in problem.message
    m = _FORWARD.match(problem.message)
    if m is None:
        return False
    index = {t: i for i, t in enumerate(cons.plan.target_names())}
    user, user_target, need, need_target = m.groups()
    return (cons.target_of(user) == user_target and cons.target_of(need) == need_target
            and index[user_target] < index[need_target])


def check_case(pg_server, files: list[list[str]], pd: PlanDraw, say=note, overrides: dict[str, str] | None = None) -> str:
    """Consolidate and compare; returns what happened (for hypothesis' statistics).

    ``say`` reports the chains on failure (hypothesis' ``note``; a plain function outside a test).
    """
    cons, legacy = build(files, pd, overrides)
    say("plan: " + repr(cons.plan.assign) + " overrides " + repr(cons.plan.overrides))
    for m in legacy:
        say(f"--- {m.name}\n{m.text}")
    errors = cons.errors()
    with throwaway_database(pg_server, "diff_old") as old:
        try:
            apply_chain(old, legacy)
        except ApplyError as e:  # the generator's model is wrong, not the engine
            raise AssertionError(f"tests/strategies.py drew an invalid legacy chain: {e}") from None
        if errors:
            bad = [str(p) for p in errors if p.code not in ORDERING_ERRORS or not explained(cons, p)]
            assert bad == [], "engine errors that no plan ordering explains:\n" + "\n".join(bad)
            return "refused: " + ", ".join(sorted({p.code for p in errors}))
        emitted = cons.emitted_migrations()
        for m in emitted:
            say(f"=== {m.name}\n{m.text}")
        with throwaway_database(pg_server, "diff_new") as new:
            try:
                apply_chain(new, emitted)
            except ApplyError as e:
                raise AssertionError(f"consolidated chain does not apply: {e}") from None
            diff = diff_schemas(dump_schema(pg_server, old), dump_schema(pg_server, new))
    assert diff == [], "schemas differ:\n" + "\n".join(diff)
    return "equal"


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not SCALED, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=cases())
def test_consolidation_builds_the_legacy_schema(pg_server, case):
    files, pd = case
    event(check_case(pg_server, files, pd))
    event(f"{len(files)} files, {len(pd.targets)} targets")
