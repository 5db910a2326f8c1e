"""Command line: the app by default, and headless commands for scripts and CI.

Exit status: 0 success, 1 a check failed, 2 bad input (one sentence on stderr).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from pathlib import Path

from typing import TYPE_CHECKING

from .core.loader import load_history
from .core.output import OutputError, write_atomic
from .core.plan import Plan, PlanError, checksum_hex, dump_plan, initial_plan
from .pipeline import Workspace, build_outputs, final_rows, load_checked, record_checksums, save_plan

if TYPE_CHECKING:  # the engine loads inside the commands that use it, so the app paints sooner
    from .core.consolidate import Consolidation


class UsageError(Exception):
    """Bad input: printed as one sentence, exit status 2."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", metavar="DIR", help="legacy history folder (default: the plan's, else migrations.old)")
    p.add_argument("--out", metavar="DIR", help="consolidated output folder (default: the plan's, else migrations)")
    p.add_argument("--plan", metavar="FILE", default="consolidation.plan.yaml", help="plan file (default: %(default)s)")
    p.add_argument("--database-url", metavar="URL", help="PostgreSQL to use (default: $DATABASE_URL, else an embedded server)")
    p.add_argument("--allow-remote", action="store_true", help="allow a database URL whose host is not this machine")


_STEP_IDS = "backup, generate, extract, fresh, compare, counts, core_pack, tests, deploy, upgrade"


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", choices=("auto", "embedded", "local"), default="auto",
                   help="throwaway server to start when no URL is given: a local PostgreSQL installation or the "
                        "embedded one (default: auto = the URL, else DATABASE_URL, else embedded)")
    p.add_argument("--create-roles", action="store_true",
                   help="on a server given by URL, create the roles the migrations GRANT to (throwaway servers always do)")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="attune-tui", description="Consolidate a PostgreSQL migration history into a few clean migrations, verified on a real database. Without a command, opens the app.")
    _common(top)
    sub = top.add_subparsers(dest="command", metavar="COMMAND")

    plan = sub.add_parser("plan", help="create plans")
    psub = plan.add_subparsers(dest="plan_command", metavar="ACTION", required=True)
    init = psub.add_parser("init", help="write a starting plan: one target per legacy file")
    _common(init)
    init.add_argument("--force", action="store_true", help="overwrite an existing plan file")

    ap = sub.add_parser("apply", help="write the consolidated files and YAML that the plan describes")
    _common(ap)
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files on disk differ from the plan's output")
    ap.add_argument("--prune", action="store_true", help="delete .sql/.yaml files in the output folders that the plan no longer produces")
    _server_options(ap)

    st = sub.add_parser("stats", help="before/after statistics")
    _common(st)
    st.add_argument("--json", action="store_true", help="print {\"before\": {...}, \"after\": {...}}")

    ins = sub.add_parser("inspect", help="what the engine understood of each statement, and its fate")
    _common(ins)
    ins.add_argument("--json", action="store_true", help="machine-readable output")
    ins.add_argument("files", nargs="*", help="only these legacy files")

    ve = sub.add_parser("verify", help="run the automatic checklist steps on a real PostgreSQL; exit 1 if any fails")
    _common(ve)
    _server_options(ve)
    ve.add_argument("--json", action="store_true", help="print the results as JSON")
    ve.add_argument("--step", action="append", metavar="ID", help="run only this step (repeatable); ids: " + _STEP_IDS)
    ve.add_argument("--record", action="store_true", help="save the steps' status in the plan file's checklist section")
    ve.add_argument("--pg-dump", action="store_true", help="also compare normalised `pg_dump --schema-only` texts, as the seed report did")

    de = sub.add_parser("deploy", help="rebaseline a development database at the last legacy version (dry run unless --yes)")
    _common(de)
    _server_options(de)
    de.add_argument("--dev-database", metavar="URL", help="the development database (default: the plan's checklist.dev_database)")
    de.add_argument("--yes", action="store_true", help="run the rebaseline SQL (without it, only check and print it)")

    rb = sub.add_parser("rollback", help="move the consolidated files aside and restore the legacy files")
    _common(rb)
    rb.add_argument("--yes", action="store_true", help="do it (without it, only say what would happen)")
    return top


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so servers the tool started are stopped."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        if args.command is None:
            return _run_app(args)
        if args.command == "plan":
            return cmd_plan_init(args)
        return {"apply": cmd_apply, "stats": cmd_stats, "inspect": cmd_inspect, "rollback": cmd_rollback,
                "verify": cmd_verify, "deploy": cmd_deploy}[args.command](args)
    except (UsageError, PlanError, OutputError) as e:
        print(f"attune-tui: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("attune-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except Exception as e:  # database errors and the like: one sentence, no traceback
        from .db.errors import DatabaseError

        if isinstance(e, DatabaseError):
            print(f"attune-tui: {e}", file=sys.stderr)
            return 2
        raise


def _run_app(args: argparse.Namespace) -> int:
    from .ui.app import run_app

    return run_app(Path(args.plan), args.source, args.out, args.database_url)


def _open(args: argparse.Namespace) -> tuple[Workspace, Plan, Consolidation]:
    from .core.consolidate import Consolidation

    ws, plan = Workspace.open(Path(args.plan), args.source, args.out)
    history = load_checked(ws, plan)
    return ws, plan, Consolidation(history, plan)


def _fail_on_errors(cons: Consolidation) -> None:
    errors = cons.errors()
    if errors:
        more = f" (and {len(errors) - 1} more; see `attune-tui inspect`)" if len(errors) > 1 else ""
        raise UsageError(f"{errors[0]}{more}")


# --- plan init --------------------------------------------------------------

def cmd_plan_init(args: argparse.Namespace) -> int:
    path = Path(args.plan)
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    source = args.source or "migrations.old"
    try:
        history = load_history(path.parent / source)
    except FileNotFoundError:
        raise UsageError(f"source folder {path.parent / source} does not exist") from None
    if not history.migrations:
        raise UsageError(f"{path.parent / source} holds no <version>_<description>.sql files")
    plan = initial_plan([m.name for m in history.migrations], {m.name: m.description for m in history.migrations},
                        source, args.out or "migrations")
    record_checksums(plan, history)
    save_plan(plan, path)
    print(f"wrote {path}: {len(plan.targets)} targets, one per legacy file; regroup them in the app or by editing assign:")
    for d in history.diagnostics:
        print(f"  {d.severity}: {d}")
    return 0


# --- apply ------------------------------------------------------------------

def cmd_apply(args: argparse.Namespace) -> int:
    ws, plan, cons = _open(args)
    _fail_on_errors(cons)
    started = time.perf_counter()
    rows = final_rows(cons.history, plan, args.database_url, progress=lambda m: print(f"  {m}", file=sys.stderr),
                      allow_remote=args.allow_remote, server_kind=args.server, create_roles=args.create_roles)
    out = build_outputs(cons, ws, rows)
    if args.check:
        changes = out.changes()
        bad = changes["new"] + changes["changed"] + changes["stale"]
        for kind in ("new", "changed", "stale"):
            for p in changes[kind]:
                print(f"{kind}: {p}")
        print("up to date" if not bad else f"{len(bad)} file(s) differ from the plan's output")
        return 1 if bad else 0
    res = out.write(prune=args.prune)
    record_checksums(plan, cons.history)
    new_plan = dump_plan(plan)
    if ws.plan_path.read_text(encoding="utf-8") != new_plan:
        write_atomic(ws.plan_path, new_plan.encode())
    for kind in ("new", "changed", "stale"):
        for p in res[kind]:
            print(f"{'deleted' if kind == 'stale' else 'wrote'} {p}")
    print(f"{len(res['new']) + len(res['changed'])} written, {len(res['unchanged'])} unchanged "
          f"in {time.perf_counter() - started:.1f}s")
    return 0


# --- stats ------------------------------------------------------------------

def cmd_stats(args: argparse.Namespace) -> int:
    from .core.stats import chain_stats, format_table

    ws, plan, cons = _open(args)
    before = chain_stats(cons.history.migrations, cons.replay)
    after = chain_stats(cons.emitted_migrations())
    if args.json:
        print(json.dumps({"before": before, "after": after}, indent=2))
    else:
        print(format_table(before, after))
    return 0


# --- inspect ----------------------------------------------------------------

def cmd_inspect(args: argparse.Namespace) -> int:
    plan_path = Path(args.plan)
    if plan_path.exists():
        ws, plan = Workspace.open(plan_path, args.source, args.out)
        history = load_checked(ws, plan)
    else:  # inspect works on any folder, plan or not
        source = Path(args.source or "migrations.old")
        try:
            history = load_history(source)
        except FileNotFoundError:
            raise UsageError(f"source folder {source} does not exist") from None
        plan = initial_plan([m.name for m in history.migrations])
    from .core.consolidate import Consolidation

    cons = Consolidation(history, plan)
    fates = cons.fates()
    wanted = set(args.files)
    files = []
    for m in history.migrations:
        if wanted and m.name not in wanted:
            continue
        stmts = [s for s in cons.replay.statements if s.file == m.name]
        files.append({
            "file": m.name, "version": m.version, "checksum": checksum_hex(m.data),
            "target": plan.assign.get(m.name),
            "statements": [{
                "id": f"{s.file}@{s.sid}", "lines": [s.line, s.end_line], "kind": s.kind,
                "creates": s.creates, "alters": s.alters, "drops": s.drops, "depends": s.depends,
                "fate": fates[s.seq].action, "object": fates[s.seq].object, "note": fates[s.seq].note,
            } for s in stmts],
        })
    problems = [{"severity": d.severity, "file": d.file, "line": d.line, "message": d.message, "code": d.code}
                for d in cons.problems() if not wanted or d.file in wanted]
    if args.json:
        print(json.dumps({"files": files, "problems": problems}, indent=2))
        return 0
    for f in files:
        print(f"{f['file']}  → {f['target'] or 'unassigned'}")
        for s in f["statements"]:
            objs = " ".join(x for x in (
                "+" + ",".join(s["creates"]) if s["creates"] else "",
                "~" + ",".join(s["alters"]) if s["alters"] else "",
                "-" + ",".join(s["drops"]) if s["drops"] else "",
                "needs " + ",".join(s["depends"]) if s["depends"] else "") if x)
            print(f"  {s['lines'][0]:>5}-{s['lines'][1]:<5} {s['kind']:<16} {objs}")
            print(f"  {'':11} {s['fate']}: {s['note']}")
    if problems:
        print("problems:")
        for p in problems:
            print(f"  {p['severity']}: {p['file'] or ''}{' line ' + str(p['line']) if p['line'] else ''}: {p['message']}")
    return 0


# --- verify -----------------------------------------------------------------

def _context(args: argparse.Namespace):
    from .checklist.context import RunContext

    ws, plan = Workspace.open(Path(args.plan), args.source, args.out)
    load_checked(ws, plan)
    return RunContext(ws, plan, database_url=args.database_url, server_kind=args.server,
                      allow_remote=args.allow_remote, create_roles=args.create_roles,
                      pg_dump=getattr(args, "pg_dump", False))


def _stderr_listener(quiet: bool):
    from .checklist.model import StepFinished, StepStarted
    from .checklist.steps import BY_ID

    def listen(event: object) -> None:
        if quiet:
            return
        if isinstance(event, StepStarted):
            print(f"  … {BY_ID[event.step].title}", file=sys.stderr, flush=True)
        elif isinstance(event, StepFinished):
            st = event.state
            print(f"  {_GLYPH[st.status.value]} {BY_ID[event.step].title} ({st.duration:.2f} s)", file=sys.stderr, flush=True)
    return listen


_GLYPH = {"passed": "✓", "failed": "✗", "skipped": "-", "pending": " ", "running": "…"}


def cmd_verify(args: argparse.Namespace) -> int:
    from .checklist.runner import run_steps
    from .checklist.settings import load_states, store_states
    from .checklist.steps import BY_ID

    started = time.perf_counter()
    with _context(args) as ctx:
        states = run_steps(ctx, args.step, _stderr_listener(args.json))
        timings = dict(ctx.timings)
    total = time.perf_counter() - started
    if args.record:
        merged = load_states(ctx.plan, list(BY_ID))
        merged.update(states)
        store_states(ctx.plan, merged)
        save_plan(ctx.plan, ctx.ws.plan_path)
    failed = [s for s in states.values() if s.status.value == "failed"]
    if args.json:
        print(json.dumps({
            "passed": not failed,
            "seconds": round(total, 2),
            "timings": {k: round(v, 3) for k, v in timings.items()},
            "steps": [{"step": sid, "title": BY_ID[sid].title, "status": st.status.value,
                       "duration": round(st.duration or 0, 3), "result": st.result, "details": st.details,
                       "log": st.log}
                      for sid, st in states.items()],
        }, indent=2, default=str))
        return 1 if failed else 0
    width = max(len(BY_ID[s].title) for s in states)
    print(f"{'step':{width}}  status   duration  result")
    for sid, st in states.items():
        print(f"{BY_ID[sid].title:{width}}  {st.status.value:7}  {st.duration or 0:7.2f}s  {st.result}")
    parts = [f"{k} {v:.2f} s" for k, v in timings.items()]
    tally = {k: sum(st.status.value == k for st in states.values()) for k in ("passed", "failed", "skipped")}
    print(f"\n{', '.join(f'{n} {k}' for k, n in tally.items() if n)} in {total:.1f} s"
          + (f" ({', '.join(parts)})" if parts else ""))
    upgrades = states.get("upgrade")
    if upgrades is not None and upgrades.details.get("upgrades"):
        print("\nupgrade simulation, by the legacy file a database was at:")
        for o in upgrades.details["upgrades"]:
            print(f"  {'ok  ' if o['ok'] else 'FAIL'} {o['start']} ({o['seconds']:.2f} s){': ' + o['problem'] if o['problem'] else ''}")
    for st in failed:
        print(f"\n--- {BY_ID[st.step].title}: log ---")
        print("\n".join(st.log[-60:]))
    return 1 if failed else 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from .checklist.deploy import deploy_to
    from .checklist.model import Reporter, StepFailed, StepLog

    with _context(args) as ctx:
        dev = args.dev_database or ctx.settings.dev_database
        if not dev:
            raise UsageError("no development database: pass --dev-database URL or set checklist.dev_database in the plan")
        rep = Reporter("deploy", lambda e: print(e.line) if isinstance(e, StepLog) else None)
        try:
            result = deploy_to(ctx, dev, rep, apply=args.yes)
        except StepFailed as e:
            print(f"attune-tui: {e.result}", file=sys.stderr)
            return 1
    print(result if args.yes else f"{result}; rerun with --yes to apply it")
    return 0


# --- rollback ---------------------------------------------------------------

def cmd_rollback(args: argparse.Namespace) -> int:
    ws, plan = Workspace.open(Path(args.plan), args.source, args.out)
    if not ws.source.is_dir():
        raise UsageError(f"{ws.source} is missing: there is nothing to roll back to")
    legacy = sorted(p for p in ws.source.iterdir() if p.suffix == ".sql")
    if not plan.checksums:
        raise UsageError(f"{ws.plan_path} records no checksums of {ws.source}; cannot tell whether the backup is intact")
    actual = {p.name: checksum_hex(p.read_bytes()) for p in legacy}
    for name, digest in plan.checksums.items():
        if actual.get(name) != digest:
            raise UsageError(f"{ws.source / name} {'is missing' if name not in actual else 'differs from the checksum in the plan'}; refusing to roll back")
    extra = sorted(set(actual) - set(plan.checksums))
    if extra:
        raise UsageError(f"{ws.source / extra[0]} is not in the plan's checksums; refusing to roll back")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = ws.output.parent / f"{ws.output.name}.consolidated-{stamp}"
    current = sorted(p for p in ws.output.iterdir() if p.suffix == ".sql") if ws.output.is_dir() else []
    print(f"move {len(current)} consolidated file(s) from {ws.output} to {aside}")
    print(f"copy {len(legacy)} legacy file(s) from {ws.source} to {ws.output}")
    if not args.yes:
        print("dry run: rerun with --yes to do it")
        return 0
    aside.mkdir(parents=True)
    for p in current:
        shutil.move(str(p), aside / p.name)
    ws.output.mkdir(parents=True, exist_ok=True)
    for p in legacy:
        shutil.copy2(p, ws.output / p.name)
    print("rolled back; the consolidated files are kept in", aside)
    return 0


if __name__ == "__main__":
    sys.exit(main())
