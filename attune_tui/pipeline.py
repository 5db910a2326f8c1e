"""The headless workflows shared by the command line and the app: load, consolidate, extract, write.

Everything that needs a database (reading the final seed rows) goes through
``attune_tui.db``; everything else is the pure core.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .core.loader import History, load_history
from .core.output import WriteSet
from .core.plan import Plan, PlanError, check_plan, checksum_hex, dump_plan, load_plan

if TYPE_CHECKING:  # the engine is imported when used: the app paints before it loads
    from .core.consolidate import Consolidation

Progress = Callable[[str], None]


@dataclass
class Workspace:
    """Where things are: the project folder and the plan's source and output folders."""

    root: Path
    plan_path: Path
    source: Path
    output: Path

    @classmethod
    def open(cls, plan_path: Path, source: str | None = None, output: str | None = None) -> tuple["Workspace", Plan]:
        """Read the plan; ``source``/``output`` given on the command line win over the plan's."""
        if not plan_path.exists():
            raise PlanError(f"{plan_path}: no such plan file (create one with `attune-tui plan init`)")
        plan = load_plan(plan_path.read_text(encoding="utf-8"), str(plan_path))
        if source:
            plan.source = source
        if output:
            plan.output = output
        root = plan_path.parent
        return cls(root, plan_path, root / plan.source, root / plan.output), plan


def load_checked(ws: Workspace, plan: Plan) -> History:
    try:
        history = load_history(ws.source)
    except FileNotFoundError:
        raise PlanError(f"{ws.plan_path}: source folder {ws.source} does not exist") from None
    check_plan(plan, [m.name for m in history.migrations], str(ws.plan_path))
    return history


def prepare_server(srv: Any, history: History, create_roles: bool = False, progress: Progress | None = None) -> None:
    """Check a history's needs against a server before anything is applied.

    Extensions it creates must be available; roles its GRANTs and OWNER TOs
    name are created on a throwaway server, and on a server given by URL only
    when ``create_roles`` (otherwise they are listed in the error).
    """
    from .core.lexer import SqlSyntaxError, split_statements, tokenize
    from .core.roles import roles_named
    from .db.errors import DatabaseError
    from .db.extensions import require_extensions
    from .db.roles import create_roles as create, missing_roles

    extensions = []
    for m in history.migrations:
        if "extension" not in m.text.lower():  # no such word, no CREATE EXTENSION: most files, no lexing
            continue
        try:
            spans = split_statements(m.text, m.name)
        except SqlSyntaxError:
            continue  # reported by the loader and the engine; the replay will name the line
        for span in spans:
            words = [t.value for t in tokenize(m.text[span.start:span.end])[:8] if t.kind in ("word", "qident")]
            if words[:2] == ["create", "extension"]:
                rest = [w for w in words[2:] if w not in ("if", "not", "exists")]
                if rest:
                    extensions.append(rest[0])
    require_extensions(srv.admin_uri, extensions)
    missing = missing_roles(srv.admin_uri, roles_named(history))
    if not missing:
        return
    if srv.kind == "url" and not create_roles:
        them = "them" if len(missing) > 1 else "it"
        raise DatabaseError(f"The migrations grant to role{'s' if len(missing) > 1 else ''} {', '.join(missing)}, "
                            f"which {srv.where} lacks; create {them} or rerun with --create-roles.")
    create(srv.admin_uri, missing)
    if progress:
        progress(f"created role{'s' if len(missing) > 1 else ''} {', '.join(missing)} (named by GRANT/OWNER TO)")


def final_rows(history: History, plan: Plan, database_url: str | None, progress: Progress | None = None,
               allow_remote: bool = False, server_kind: str = "auto",
               create_roles: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Rows of each extracted table after replaying the whole legacy chain on a real database."""
    if not plan.extract:
        return {}
    from .db.rows import fetch_rows
    from .db.server import open_server
    from .db.sqlx import apply_chain
    from .db.throwaway import throwaway_database

    say = progress or (lambda _m: None)
    with open_server(database_url, server_kind, allow_remote=allow_remote) as srv:
        prepare_server(srv, history, create_roles, say)
        with throwaway_database(srv, "extract") as uri:
            say(f"replaying {len(history.migrations)} legacy migrations to read the final rows")
            apply_chain(uri, history.migrations, allow_duplicate_versions=True)
            out = {}
            for spec in plan.extract:
                out[spec.table] = fetch_rows(uri, spec.table, order_by=spec.key)
            return out


def build_outputs(cons: Consolidation, ws: Workspace, rows: dict[str, list[dict[str, Any]]]) -> WriteSet:
    """Everything ``apply`` writes, computed before anything is written."""
    from .core.extract import render_rows

    ws_set = WriteSet()
    ws_set.owned[ws.output] = ".sql"
    for f in cons.render_all():
        ws_set.add(ws.output, f.name, f.text.encode())
    for spec in cons.plan.extract:
        folder = ws.root / spec.to
        ws_set.owned[folder] = ".yaml"
        for name, text in render_rows(spec, rows.get(spec.table, [])).items():
            ws_set.add(folder, name, text.encode())
    return ws_set


def record_checksums(plan: Plan, history: History) -> None:
    """Remember the legacy files' checksums, so rollback and the checklist can tell if they changed."""
    plan.checksums = {m.name: checksum_hex(m.data) for m in history.migrations}


def save_plan(plan: Plan, path: Path) -> None:
    from .core.output import write_atomic

    write_atomic(path, dump_plan(plan).encode())


def read_extracted(ws: Workspace, plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """The YAML rows on disk for each extraction, by table."""
    from .core.extract import parse_rows

    out = {}
    for spec in plan.extract:
        folder = ws.root / spec.to
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        out[spec.table] = parse_rows({p.name: p.read_text(encoding="utf-8") for p in files})
    return out


def load_extracted(uri: str, ws: Workspace, plan: Plan) -> dict[str, int]:
    """Insert the extracted YAML rows into a database (the checklist's "load core pack")."""
    from .db.rows import insert_rows

    return {table: insert_rows(uri, table, rows) for table, rows in read_extracted(ws, plan).items()}
