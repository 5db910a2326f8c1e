"""The seed report's completion checklist, as steps that check instead of trusting.

Each ``run`` returns a one-line result or raises StepFailed/StepSkipped; it
logs what it did through the Reporter.  Steps share databases through the
RunContext, so "compare schemas" reuses the databases "test on a fresh
database" built.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from typing import Any

from ..core.extract import render_rows
from ..core.plan import checksum_hex
from ..core.sqlx_history import info_problems, migrate_info, rebaseline_sql
from .compare import failing, format_differences, legacy_vs_new, object_counts, one_line
from .context import RunContext
from .model import Reporter, Step, StepFailed, StepSkipped
from .upgrade import upgrades


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --- files ------------------------------------------------------------------

def backup(ctx: RunContext, rep: Reporter) -> str:
    """migrations.old/ is there and byte-identical to what the plan recorded."""
    src = ctx.ws.source
    if not src.is_dir():
        raise StepFailed(f"{src} is missing: there is no backup of the legacy chain")
    if not ctx.plan.checksums:
        raise StepFailed(f"the plan records no checksums of {src}; run `attune-tui apply` to record them")
    actual = {p.name: checksum_hex(p.read_bytes()) for p in sorted(src.glob("*.sql"))}
    for name, digest in ctx.plan.checksums.items():
        if name not in actual:
            raise StepFailed(f"{src / name} is missing from the backup")
        if actual[name] != digest:
            raise StepFailed(f"{src / name} changed since the plan recorded its checksum")
    extra = sorted(set(actual) - set(ctx.plan.checksums))
    if extra:
        raise StepFailed(f"{src / extra[0]} is not in the plan's checksums (added after consolidation?)")
    rep.log(f"{len(actual)} files in {src}, every SHA-384 as the plan records it")
    return f"{_plural(len(actual), 'legacy file')} present and unchanged"


def generate(ctx: RunContext, rep: Reporter) -> str:
    """The consolidated files on disk are exactly what the plan produces now."""
    cons = ctx.consolidation
    errors = cons.errors()
    if errors:
        raise StepFailed(f"the plan cannot be consolidated: {errors[0]}")
    out = ctx.ws.output
    expected = {f.name: f.text.encode() for f in cons.render_all()}
    on_disk = {p.name: p.read_bytes() for p in sorted(out.glob("*.sql"))} if out.is_dir() else {}
    missing = [n for n in expected if n not in on_disk]
    changed = [n for n in expected if n in on_disk and on_disk[n] != expected[n]]
    stale = [n for n in on_disk if n not in expected]
    for kind, names in (("missing", missing), ("differs from the plan's output", changed), ("not in the plan", stale)):
        for n in names:
            rep.log(f"{out / n}: {kind}")
    if missing or changed or stale:
        first = (missing + changed + stale)[0]
        raise StepFailed(f"{_plural(len(missing) + len(changed) + len(stale), 'file')} out of date "
                         f"(first: {first}); run `attune-tui apply`")
    warnings = [p for p in cons.problems() if p.severity == "warning"]
    rep.log(f"{len(expected)} files up to date in {out}; {_plural(len(warnings), 'warning')} in the plan")
    return f"{_plural(len(expected), 'file')} up to date with the plan"


def extract(ctx: RunContext, rep: Reporter) -> str:
    """Each extracted table's final rows (after the whole legacy chain) are the YAML files on disk."""
    from ..db.rows import fetch_rows

    if not ctx.plan.extract:
        raise StepSkipped("the plan extracts no data")
    legacy = ctx.legacy_db(rep)
    total = 0
    for spec in ctx.plan.extract:
        rows = fetch_rows(legacy, spec.table, order_by=spec.key)
        expected = render_rows(spec, rows)
        folder = ctx.ws.root / spec.to
        on_disk = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}
        bad = sorted(n for n in expected if on_disk.get(n) != expected[n]) + sorted(set(on_disk) - set(expected))
        if bad:
            raise StepFailed(f"{folder / bad[0]} does not hold the final {spec.table} rows; run `attune-tui apply`")
        rep.log(f"{spec.table}: {_plural(len(rows), 'row')} → {folder}/ ({', '.join(sorted(expected))})")
        total += len(rows)
    return f"{_plural(total, 'row')} of the legacy chain's final state in YAML"


# --- databases ----------------------------------------------------------------

def fresh(ctx: RunContext, rep: Reporter) -> str:
    """The consolidated chain applies to an empty database, as sqlx would apply it; both chains timed."""
    from ..db.rows import fetch_rows

    new = ctx.new_db(rep)
    for spec in ctx.plan.extract:
        seeded = fetch_rows(new, spec.table)
        if seeded:
            raise StepFailed(f"the consolidated chain still inserts {_plural(len(seeded), 'row')} into {spec.table}, "
                             f"which the plan extracts to YAML")
    ctx.legacy_db(rep)
    new_s, old_s = ctx.timings["consolidated chain"], ctx.timings["legacy chain"]
    n_new, n_old = len(ctx.new_history.migrations), len(ctx.history.migrations)
    return (f"{n_new} files applied in {new_s:.2f} s (legacy: {n_old} files in {old_s:.2f} s, "
            f"{old_s / new_s:.1f}x)" if new_s > 0 else f"{n_new} files applied")


def compare(ctx: RunContext, rep: Reporter) -> str:
    """The two chains build the same schema (intended differences aside)."""
    diffs = legacy_vs_new(ctx, rep)
    real = failing(diffs)
    if diffs:
        rep.log(format_differences(diffs))
    details = {"differences": [d.to_dict() for d in diffs]}
    if real:
        first = real[0]
        raise StepFailed(f"{_plural(len(real), 'difference')}; first: {one_line(first)}", details)
    intended = len(diffs) - len(real)
    if ctx.pg_dump:
        _pg_dump_diff(ctx, rep, strict=not intended)
    return "identical schemas" + (f" ({intended} intended differences)" if intended else "")


def _pg_dump_diff(ctx: RunContext, rep: Reporter, strict: bool) -> None:
    """The seed's own check: normalised ``pg_dump --schema-only`` of both databases, as a unified diff."""
    from ..db.schema import diff_schemas, dump_schema

    srv = ctx.server(rep)
    lines = diff_schemas(dump_schema(srv, ctx.legacy_db(rep)), dump_schema(srv, ctx.new_db(rep)))
    if not lines:
        rep.log("pg_dump --schema-only (normalised): identical")
        return
    rep.log("pg_dump --schema-only (normalised) differs:")
    rep.log("\n".join(lines))
    if strict:
        raise StepFailed(f"the catalogs match but the normalised pg_dump texts differ ({len(lines)} diff lines)")


def counts(ctx: RunContext, rep: Reporter) -> str:
    """Tables and every other kind of object are as many in both databases."""
    before, after = object_counts(ctx.model("legacy", rep)), object_counts(ctx.model("new", rep))
    width = max(len(k) for k in before | after)
    rep.log(f"{'':{width}}  legacy  consolidated")
    off = []
    for k in sorted(before.keys() | after.keys()):
        a, b = before.get(k, 0), after.get(k, 0)
        rep.log(f"{k:{width}}  {a:6}  {b:12}{'  ≠' if a != b else ''}")
        if a != b:
            off.append(f"{k} {a} → {b}")
    if off:
        if not failing(legacy_vs_new(ctx, rep)):
            return f"counts differ as the intended differences say: {', '.join(off)}"
        raise StepFailed(f"counts differ: {', '.join(off)}")
    return f"{before.get('tables', 0)} tables and {len(before) - 1} other object kinds match"


def core_pack(ctx: RunContext, rep: Reporter) -> str:
    """The YAML rows load into the new database and equal, column by column, what the legacy chain leaves."""
    from ..db.rows import fetch_rows
    from ..pipeline import load_extracted

    if not ctx.plan.extract:
        raise StepSkipped("the plan extracts no data")
    new, legacy = ctx.new_db(rep), ctx.legacy_db(rep)
    ctx.model("new", rep)  # the schema snapshot is taken before data goes in
    loaded = load_extracted(new, ctx.ws, ctx.plan)
    for table, n in loaded.items():
        rep.log(f"loaded {_plural(n, 'row')} into {table}")
    checked = 0
    for spec in ctx.plan.extract:
        want = {_key(r, spec.key): r for r in fetch_rows(legacy, spec.table)}
        got = {_key(r, spec.key): r for r in fetch_rows(new, spec.table)}
        for key in sorted(want.keys() | got.keys(), key=str):
            if key not in got:
                raise StepFailed(f"{spec.table} row {key} is in the legacy database but not loaded from YAML")
            if key not in want:
                raise StepFailed(f"{spec.table} row {key} came from YAML but the legacy chain has no such row")
            for col, value in want[key].items():
                if col in spec.exclude:
                    continue
                if got[key].get(col) != value:
                    raise StepFailed(f"{spec.table} row {key}, column {col}: legacy {value!r}, "
                                     f"from YAML {got[key].get(col)!r}")
                checked += 1
    return f"{_plural(sum(loaded.values()), 'row')} loaded; {checked} values equal the legacy chain's"


def _key(row: dict[str, Any], key: str) -> Any:
    parts = [k.strip() for k in key.split(",")]
    return row.get(parts[0]) if len(parts) == 1 else tuple(row.get(p) for p in parts)


def test_suite(ctx: RunContext, rep: Reporter) -> str:
    """The project's tests pass against a freshly migrated database (DATABASE_URL points at it)."""
    command = ctx.settings.test_command.strip()
    if not command:
        raise StepSkipped("no test command in the plan (checklist.test_command)")
    uri = ctx.new_db(rep, label="tests")
    rep.log(f"$ {command}   (DATABASE_URL = the freshly migrated database)")
    env = {**os.environ, "DATABASE_URL": uri, "ATTUNE_TUI_MIGRATED": "1"}
    started = time.perf_counter()
    argv = shlex.split(command)
    if argv and argv[0] in ("python", "python3"):  # the interpreter attune-tui runs on, with its packages
        argv[0] = sys.executable
    try:
        proc = subprocess.Popen(argv, cwd=ctx.ws.root, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
    except OSError as e:
        raise StepFailed(f"could not run {command!r}: {e.strerror or e}") from None
    last = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            rep.log(line)
            if line.strip():
                last = line.strip()
        code = proc.wait(timeout=900)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    seconds = time.perf_counter() - started
    if code != 0:
        raise StepFailed(f"{command!r} exited with status {code}: {last}")
    return f"{last or 'passed'} ({seconds:.1f} s)"


def deploy(ctx: RunContext, rep: Reporter) -> str:
    """On a copy at the last legacy version: schema check, rebaseline SQL, and sqlx sees the new chain installed."""
    from ..db.connect import connect
    from ..db.history import read_history_on, run_sql_on

    real = failing(legacy_vs_new(ctx, rep))
    if real:
        raise StepFailed(f"refusing to rebaseline: the legacy database's schema differs ({one_line(real[0])})")
    legacy, new = ctx.history.migrations, ctx.new_history.migrations
    dev = ctx.scratch("deploy", rep)
    ctx.apply(dev, legacy, rep, "legacy chain", legacy=True)
    text = rebaseline_sql(legacy, new)
    with connect(dev) as conn:  # one session, as the deploy runs it
        before = info_problems(migrate_info(read_history_on(conn), legacy))
        if before:
            raise StepFailed(f"the copy is not at the last legacy version: {before[0]}")
        rep.log(text)
        run_sql_on(conn, text, "the rebaseline SQL")
        rows = read_history_on(conn)
    problems = info_problems(migrate_info(rows, new))
    if problems:
        raise StepFailed(f"after rebaselining, {problems[0]}")
    fresh_rows = ctx.fresh_history(rep)
    if [(r.version, r.description, r.checksum) for r in rows] != [(r.version, r.description, r.checksum)
                                                                  for r in fresh_rows]:
        raise StepFailed("after rebaselining, _sqlx_migrations differs from a fresh database's")
    target = ctx.settings.dev_database
    hint = "; the development database in the plan is changed only from the app, after confirmation" if target else ""
    return f"rebaselined a copy: {_plural(len(rows), 'version')} installed, nothing pending{hint}"


def upgrade(ctx: RunContext, rep: Reporter) -> str:
    """From every legacy version: apply the rest, rebaseline, and end as a fresh consolidated database does."""
    outcomes = upgrades(ctx, rep)
    bad = [o for o in outcomes if not o.ok]
    if bad:
        raise StepFailed(f"{len(bad)} of {len(outcomes)} starting versions end differently "
                         f"(first: {bad[0].start}: {bad[0].problem})")
    return f"all {len(outcomes)} starting versions end identical to a fresh database"


def delete_backup(ctx: RunContext, rep: Reporter) -> str:
    """Delete migrations.old/: manual only, after every other step passed (the runner checks) and confirmation."""
    import shutil

    backup(ctx, rep)  # never delete a backup that no longer matches the plan
    shutil.rmtree(ctx.ws.source)
    rep.log(f"deleted {ctx.ws.source}")
    return f"deleted {ctx.ws.source}"


STEPS: list[Step] = [
    Step("backup", "Backup present in migrations.old/", backup, needs_database=False,
         help="The legacy files are still there, byte for byte as the plan's checksums record them."),
    Step("generate", "Consolidated files generated", generate, needs_database=False,
         help="The files in the output folder are exactly what the plan produces."),
    Step("extract", "Runtime data moved to YAML", extract,
         help="The YAML files hold the extracted tables' final rows; the new chain inserts none."),
    Step("fresh", "Test on a fresh database", fresh,
         help="The consolidated chain applies to an empty database as sqlx applies it (timed, as is the legacy chain)."),
    Step("compare", "Compare schemas (old vs new)", compare,
         help="Both chains build the same schema: columns, constraints, indexes, functions, triggers, comments."),
    Step("counts", "Verify table counts", counts,
         help="Tables and every other kind of object are as many in both databases."),
    Step("core_pack", "Load core pack", core_pack,
         help="The YAML rows load into the new database and equal the legacy chain's rows column by column."),
    Step("tests", "Run the test suite", test_suite,
         help="The plan's test command passes with DATABASE_URL pointing at a freshly migrated database."),
    Step("deploy", "Deploy to development (rehearsal)", deploy,
         help="On a copy at the last legacy version, the rebaseline SQL leaves sqlx seeing the new chain installed."),
    Step("upgrade", "Upgrade from every legacy version", upgrade,
         help="A database at any legacy version, after the remaining legacy files and the rebaseline, "
              "ends like a fresh one."),
    Step("delete_backup", "Delete migrations.old/", delete_backup, automatic=False, dangerous=True,
         needs_database=False,
         help="Only when every other step passed, and only after confirmation; rollback is impossible afterwards."),
]

BY_ID = {s.id: s for s in STEPS}
