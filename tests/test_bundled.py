"""The bundled Attune example, end to end, on a real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_history
from attune_tui.core.plan import load_plan
from attune_tui.db.rows import fetch_rows
from attune_tui.db.schema import diff_schemas, dump_schema
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database
from attune_tui.pipeline import Workspace, load_extracted, read_extracted

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cons() -> Consolidation:
    plan = load_plan((ROOT / "consolidation.plan.yaml").read_text(), "consolidation.plan.yaml")
    return Consolidation(load_history(ROOT / plan.source), plan)


def test_seed_layout_and_moves(cons: Consolidation):
    names = [f.name for f in cons.render_all()]
    assert names == sorted(p.name for p in (ROOT / "migrations").glob("*.sql")) and len(names) == 13
    assert not cons.errors()
    moved = {p.message.split(":")[0] for p in cons.problems() if p.code == "fk-moved"}
    assert "foreign key sensor.trigger moved to 20250101000005_trigger_event_rule.sql" in moved
    assert "foreign key execution.workflow_def moved to 20250101000007_workflow_system.sql" in moved
    dup = [p for p in cons.problems() if p.code == "duplicate-version"]
    assert [p.file for p in dup] == ["20260204000001_restore_webhook_functions.sql"]
    text = {f.name: f.text for f in cons.render_all()}
    code = "\n".join(ln for t in text.values() for ln in t.splitlines() if not ln.lstrip().startswith("--"))
    assert "runtime_type" not in code and "workflow_task_execution" not in code and "webhook_secret" not in code
    assert "webhook_config" in text["20250101000005_trigger_event_rule.sql"]
    assert "INSERT INTO runtime" not in code


def test_committed_files_are_exactly_what_apply_writes():
    r = subprocess.run([sys.executable, "-m", "attune_tui", "apply", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "up to date" in r.stdout


def test_apply_twice_is_byte_identical_and_keeps_the_legacy_folder(tmp_path: Path, pg_server):
    shutil.copytree(ROOT / "migrations.old", tmp_path / "migrations.old")
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    legacy = {p.name: p.read_bytes() for p in (tmp_path / "migrations.old").iterdir()}
    outs = []
    env = {**os.environ, "DATABASE_URL": pg_server.admin_uri}
    for _ in range(2):
        r = subprocess.run([sys.executable, "-m", "attune_tui", "apply"], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert r.returncode == 0, r.stderr
        outs.append({str(p.relative_to(tmp_path)): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()})
    assert outs[0] == outs[1]
    assert "0 written" in r.stdout
    assert {p.name: p.read_bytes() for p in (tmp_path / "migrations.old").iterdir()} == legacy
    assert outs[0]["migrations/20250101000001_initial_setup.sql"] == (ROOT / "migrations/20250101000001_initial_setup.sql").read_bytes()


def test_generated_chain_builds_the_legacy_schema_and_yaml_rows_load_back(pg_server, cons: Consolidation):
    new_chain = cons.emitted_migrations()
    with throwaway_database(pg_server, "legacy") as old_uri, throwaway_database(pg_server, "consolidated") as new_uri:
        apply_chain(old_uri, cons.history.migrations, allow_duplicate_versions=True)
        applied = apply_chain(new_uri, new_chain)
        assert [a.recorded for a in applied] == [True] * 13
        diff = diff_schemas(dump_schema(pg_server, old_uri), dump_schema(pg_server, new_uri))
        assert diff == [], "\n".join(diff[:60])
        with psycopg.connect(new_uri) as conn:
            assert conn.execute("SELECT count(*) FROM runtime").fetchone()[0] == 0
        spec = cons.plan.extract[0]
        ws, plan = Workspace.open(ROOT / "consolidation.plan.yaml")
        rows = read_extracted(ws, plan)[spec.table]
        assert sorted(r["name"] for r in rows) == ["native", "nodejs", "python", "sensor_builtin", "shell"]
        assert sorted(r["ref"] for r in rows) == ["core.native", "core.nodejs", "core.python", "core.sensor_builtin", "core.shell"]
        assert load_extracted(new_uri, ws, plan) == {"runtime": 5}
        legacy_rows = fetch_rows(old_uri, spec.table, order_by="name")
        loaded = fetch_rows(new_uri, spec.table, order_by="name")
        strip = lambda rs: [{k: v for k, v in r.items() if k not in spec.exclude} for r in rs]  # noqa: E731
        assert strip(loaded) == strip(legacy_rows)


def test_rollback_moves_consolidated_files_aside_and_refuses_a_changed_backup(tmp_path: Path):
    shutil.copytree(ROOT / "migrations.old", tmp_path / "migrations.old")
    shutil.copytree(ROOT / "migrations", tmp_path / "migrations")
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    run = lambda *a: subprocess.run([sys.executable, "-m", "attune_tui", "rollback", *a], cwd=tmp_path,  # noqa: E731
                                    capture_output=True, text=True)
    r = run()
    assert r.returncode == 0 and "dry run" in r.stdout and len(list((tmp_path / "migrations").iterdir())) == 13
    victim = tmp_path / "migrations.old" / "20260130000001_add_rule_to_event.sql"
    original = victim.read_bytes()
    victim.write_bytes(original + b"\n-- edited\n")
    r = run("--yes")
    assert r.returncode == 2 and "20260130000001_add_rule_to_event.sql differs from the checksum" in r.stderr
    victim.write_bytes(original)
    r = run("--yes")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "migrations").iterdir()) == sorted(p.name for p in (ROOT / "migrations.old").iterdir())
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("migrations.consolidated-")]
    assert len(aside) == 1 and len(list(aside[0].iterdir())) == 13
