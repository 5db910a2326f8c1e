"""Workspaces for the app tests: copies in tmp_path, never the repository's files."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import pytest

from attune_tui.core.loader import load_history
from attune_tui.core.plan import initial_plan
from attune_tui.pipeline import save_plan
from attune_tui.ui.app import AttuneApp
from attune_tui.ui.session import Session

ROOT = Path(__file__).resolve().parents[2]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests in a fresh event loop (the project does not depend on pytest-asyncio)."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None

TINY = {
    "20240101000001_init.sql": """-- Accounts and their state.
CREATE TYPE account_state AS ENUM ('active', 'closed');

CREATE TABLE account (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    state account_state NOT NULL DEFAULT 'active'
);

CREATE INDEX idx_account_name ON account (name);
""",
    "20240102000001_orders.sql": """-- Orders belong to an account.
CREATE TABLE orders (
    id BIGSERIAL PRIMARY KEY,
    account BIGINT NOT NULL REFERENCES account(id) ON DELETE CASCADE,
    total NUMERIC(12, 2) NOT NULL DEFAULT 0
);
""",
    "20240103000001_add_email.sql": """-- Accounts get an email; a column that did not last goes away.
ALTER TABLE account ADD COLUMN email TEXT;
ALTER TABLE account ADD COLUMN legacy_flag BOOLEAN;
ALTER TABLE account DROP COLUMN legacy_flag;
CREATE UNIQUE INDEX idx_account_email ON account (email) WHERE email IS NOT NULL;
""",
}


def make_workspace(root: Path, files: dict[str, str] | None = None) -> Path:
    """A project folder with migrations.old and a plan from initial_plan; returns the plan path."""
    src = root / "migrations.old"
    if files is None:
        shutil.copytree(ROOT / "migrations.old", src)
    else:
        src.mkdir(parents=True)
        for name, text in files.items():
            (src / name).write_text(text, encoding="utf-8")
    history = load_history(src)
    plan = initial_plan([m.name for m in history.migrations], {m.name: m.description for m in history.migrations})
    path = root / "consolidation.plan.yaml"
    save_plan(plan, path)
    return path


@pytest.fixture
def plan_path(tmp_path: Path) -> Path:
    """The bundled 22-file history, with a one-target-per-file plan."""
    return make_workspace(tmp_path)


@pytest.fixture
def tiny_plan_path(tmp_path: Path) -> Path:
    """Three small migrations: stable output for snapshots."""
    return make_workspace(tmp_path, TINY)


def open_app(path: Path) -> AttuneApp:
    return AttuneApp(Session.open(path))


async def ready(app: AttuneApp, pilot) -> None:
    """Wait until the history is consolidated, highlighted and drawn (cancelled workers are fine)."""
    from attune_tui.ui.pilot import settle

    await settle(app, pilot)
