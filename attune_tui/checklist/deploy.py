"""Deploying to a real development database: refuse unless it is exactly where the rebaseline is safe.

The database must be at the last legacy version (every legacy file recorded,
checksums equal, nothing dirty) and have the consolidated chain's schema;
only then is the rebaseline SQL produced, and run only when asked.
"""

from __future__ import annotations

from ..core.sqlx_history import info_problems, migrate_info, rebaseline_sql
from ..db.conninfo import describe, is_local
from ..db.errors import DatabaseError
from ..db.history import read_history, run_sql
from .compare import failing, one_line, schema_diff
from .context import RunContext
from .model import Reporter, StepFailed


def rebaseline_for(ctx: RunContext, dev_uri: str, rep: Reporter) -> str:
    """The rebaseline SQL for ``dev_uri`` after checking it is safe there; StepFailed says why not."""
    from ..db.introspect import introspect

    if not ctx.allow_remote and not is_local(dev_uri):
        raise StepFailed(f"refusing to deploy to {describe(dev_uri)}: it is not on this machine "
                         "(allow remote servers explicitly)")
    legacy, new = ctx.history.migrations, ctx.new_history.migrations
    rows = read_history(dev_uri)
    if not rows:
        raise StepFailed(f"{describe(dev_uri)} has no _sqlx_migrations rows: it was never migrated")
    lines = migrate_info(rows, legacy)
    if all(ln.ok for ln in migrate_info(rows, new)):
        raise StepFailed(f"{describe(dev_uri)} already records the consolidated chain: nothing to do")
    problems = info_problems(lines)
    if problems:
        raise StepFailed(f"{describe(dev_uri)} is not at the last legacy version: {problems[0]}")
    rep.log(f"{describe(dev_uri)}: {len(rows)} legacy versions recorded, checksums match migrations.old/")
    diffs = failing(schema_diff(introspect(dev_uri), ctx.model("new", rep), ctx.settings.intended_differences))
    if diffs:
        raise StepFailed(f"refusing to rebaseline {describe(dev_uri)}: its schema differs from the consolidated "
                         f"chain's ({len(diffs)} differences; first: {one_line(diffs[0], 'development', 'consolidated')})")
    rep.log("its schema matches the consolidated chain")
    return rebaseline_sql(legacy, new)


def deploy_to(ctx: RunContext, dev_uri: str, rep: Reporter, apply: bool) -> str:
    """Check, produce and (only when ``apply``) run the rebaseline on the development database."""
    sql = rebaseline_for(ctx, dev_uri, rep)
    rep.log(sql)
    if not apply:
        return "checked; rebaseline SQL produced, not applied"
    try:
        run_sql(dev_uri, sql, f"the rebaseline SQL on {describe(dev_uri)}")
    except DatabaseError as e:
        raise StepFailed(str(e)) from None
    problems = info_problems(migrate_info(read_history(dev_uri), ctx.new_history.migrations))
    if problems:
        raise StepFailed(f"after rebaselining, {problems[0]}")
    return f"rebaselined {describe(dev_uri)}: {len(ctx.new_history.migrations)} versions installed"
