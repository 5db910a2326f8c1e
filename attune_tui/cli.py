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

from .core.consolidate import Consolidation
from .core.loader import load_history
from .core.output import OutputError, write_atomic
from .core.plan import Plan, PlanError, checksum_hex, dump_plan, initial_plan
from .core.stats import chain_stats, format_table
from .pipeline import Workspace, build_outputs, final_rows, load_checked, record_checksums, save_plan


class UsageError(Exception):
    """Bad input: printed as one sentence, exit status 2."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", metavar="DIR", help="legacy history folder (default: the plan's, else migrations.old)")
    p.add_argument("--out", metavar="DIR", help="consolidated output folder (default: the plan's, else migrations)")
    p.add_argument("--plan", metavar="FILE", default="consolidation.plan.yaml", help="plan file (default: %(default)s)")
    p.add_argument("--database-url", metavar="URL", help="PostgreSQL to use (default: $DATABASE_URL, else an embedded server)")
    p.add_argument("--allow-remote", action="store_true", help="allow a database URL whose host is not this machine")


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

    st = sub.add_parser("stats", help="before/after statistics")
    _common(st)
    st.add_argument("--json", action="store_true", help="print {\"before\": {...}, \"after\": {...}}")

    ins = sub.add_parser("inspect", help="what the engine understood of each statement, and its fate")
    _common(ins)
    ins.add_argument("--json", action="store_true", help="machine-readable output")
    ins.add_argument("files", nargs="*", help="only these legacy files")

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
        return {"apply": cmd_apply, "stats": cmd_stats, "inspect": cmd_inspect, "rollback": cmd_rollback}[args.command](args)
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
                      allow_remote=args.allow_remote)
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
