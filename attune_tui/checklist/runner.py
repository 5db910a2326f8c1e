"""Running checklist steps: status, timing, log and events, whatever the step does.

A failing check, a database that is down and a bug in a step all end as a
failed step with one sentence; only Ctrl-C stops the run (and the context
still drops its databases).
"""

from __future__ import annotations

import datetime as _dt
import time
import traceback

from ..core.output import OutputError
from ..core.plan import PlanError
from ..db.errors import DatabaseError
from .context import RunContext
from .model import Listener, Reporter, Status, Step, StepFailed, StepFinished, StepSkipped, StepStarted, StepState
from .steps import BY_ID, STEPS


def _ignore(_event: object) -> None:
    pass


def automatic_steps() -> list[Step]:
    return [s for s in STEPS if s.automatic]


def run_step(ctx: RunContext, step: Step, listener: Listener = _ignore) -> StepState:
    """Run one step to a final state (never raises, except KeyboardInterrupt)."""
    listener(StepStarted(step.id))
    rep = Reporter(step.id, listener)
    state = StepState(step.id, Status.RUNNING, plan_digest=ctx.digest)
    started = time.perf_counter()
    try:
        state.result = step.run(ctx, rep)
        state.status = Status.PASSED
    except StepFailed as e:
        state.status, state.result, state.details = Status.FAILED, e.result, e.details
    except StepSkipped as e:
        state.status, state.result = Status.SKIPPED, str(e)
    except (DatabaseError, PlanError, OutputError, OSError) as e:
        state.status, state.result = Status.FAILED, str(e)
    except KeyboardInterrupt:
        raise
    except Exception as e:  # a bug in a step must not take the run (or the app) down
        state.status, state.result = Status.FAILED, f"internal error: {type(e).__name__}: {e}"
        for line in traceback.format_exc().splitlines():
            rep.log(line)
    state.details = {**rep.details, **state.details}
    state.duration = time.perf_counter() - started
    state.finished = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    state.log = rep.lines
    if state.status is Status.FAILED:
        rep.log(f"FAILED: {state.result}")
        state.log = rep.lines
    listener(StepFinished(step.id, state))
    return state


def run_steps(ctx: RunContext, step_ids: list[str] | None = None, listener: Listener = _ignore) -> dict[str, StepState]:
    """Run the given steps (default: every automatic one) in checklist order."""
    wanted = step_ids if step_ids is not None else [s.id for s in automatic_steps()]
    unknown = [s for s in wanted if s not in BY_ID]
    if unknown:
        raise PlanError(f"unknown checklist step {unknown[0]!r} (steps: {', '.join(BY_ID)})")
    others = [sid for sid in wanted if sid != "upgrade" and BY_ID[sid].needs_database]
    if "upgrade" in wanted and others:
        from .upgrade import start_in_background

        start_in_background(ctx)  # the longest step overlaps the others: verify takes about half as long
    states = {}
    for step in STEPS:
        if step.id in wanted:
            states[step.id] = run_step(ctx, step, listener)
    return states


def may_delete_backup(states: dict[str, StepState]) -> str | None:
    """Why the backup may not be deleted yet (None: every other step passed for the current plan)."""
    for step in STEPS:
        if step.id == "delete_backup":
            continue
        st = states.get(step.id)
        if st is None or st.status is not Status.PASSED:
            return f"step {step.title!r} has not passed{f' ({st.status.value})' if st else ''}"
    return None
