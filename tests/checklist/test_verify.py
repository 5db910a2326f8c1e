"""``attune-tui verify`` and ``deploy`` as a user runs them (subprocesses), on the session's real PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from attune_tui.core.loader import load_history
from attune_tui.db.history import read_history
from attune_tui.db.server import Server
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

ROOT = Path(__file__).resolve().parents[2]
ALL_STEPS = ["backup", "generate", "extract", "fresh", "compare", "counts", "core_pack", "tests", "deploy", "upgrade"]


def run(cwd: Path, server: Server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attune_tui", *args, "--database-url", server.admin_uri],
                          cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled project: legacy files, plan, consolidated files and YAML."""
    for folder in ("migrations.old", "migrations", "packs"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    return tmp_path


def test_verify_passes_every_step_on_the_bundled_example(pg_server: Server):
    r = run(ROOT, pg_server, "verify", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert [s["step"] for s in out["steps"]] == ALL_STEPS
    assert {s["status"] for s in out["steps"]} == {"passed"}, [s for s in out["steps"] if s["status"] != "passed"]
    by = {s["step"]: s for s in out["steps"]}
    assert by["compare"]["result"] == "identical schemas"
    assert by["upgrade"]["result"] == "all 22 starting versions end identical to a fresh database"
    assert " passed" in by["tests"]["result"]  # pytest's summary line of tests/schema
    assert out["timings"]["legacy chain"] > 0 and out["timings"]["consolidated chain"] > 0


def test_dropping_one_column_from_a_consolidated_file_fails_naming_it(project: Path, pg_server: Server):
    target = project / "migrations" / "20250101000002_identity_and_auth.sql"
    target.write_text(target.read_text() + "\nALTER TABLE identity DROP COLUMN attributes;\n")
    r = run(project, pg_server, "verify", "--step", "compare", "--step", "counts")
    assert r.returncode == 1, r.stdout + r.stderr
    table = r.stdout.split("\n\n")[0]
    compare_line = next(ln for ln in table.splitlines() if ln.startswith("Compare schemas"))
    assert "failed" in compare_line and "identity.attributes" in compare_line
    assert "column public.identity.attributes" in r.stdout  # the readable diff follows the table
    assert "columns" in next(ln for ln in table.splitlines() if ln.startswith("Verify table counts"))


def test_the_seed_s_pg_dump_comparison_agrees_when_asked_for(pg_server: Server):
    r = run(ROOT, pg_server, "verify", "--json", "--step", "compare", "--pg-dump")
    assert r.returncode == 0, r.stdout + r.stderr
    log = json.loads(r.stdout)["steps"][0]["log"]
    assert "pg_dump --schema-only (normalised): identical" in log


def test_out_of_date_files_and_a_changed_backup_fail_without_a_database(project: Path, pg_server: Server):
    (project / "migrations" / "20250101000013_notify_triggers.sql").unlink()
    legacy = project / "migrations.old" / "20250101000003_event_system.sql"
    legacy.write_bytes(legacy.read_bytes() + b"\n-- edited\n")
    r = run(project, pg_server, "verify", "--step", "backup", "--step", "generate", "--json")
    assert r.returncode == 1
    by = {s["step"]: s for s in json.loads(r.stdout)["steps"]}
    assert "20250101000003_event_system.sql changed" in by["backup"]["result"]
    assert "first: 20250101000013_notify_triggers.sql" in by["generate"]["result"]


def test_record_saves_the_states_in_the_plan(project: Path, pg_server: Server):
    r = run(project, pg_server, "verify", "--step", "backup", "--record")
    assert r.returncode == 0, r.stderr
    text = (project / "consolidation.plan.yaml").read_text()
    assert "steps:\n    backup:\n      status: passed" in text
    r = run(project, pg_server, "verify", "--step", "nonsense")
    assert r.returncode == 2 and "unknown checklist step 'nonsense'" in r.stderr


def test_an_unreachable_server_fails_the_database_steps_with_one_sentence(project: Path):
    r = subprocess.run([sys.executable, "-m", "attune_tui", "verify", "--json", "--step", "backup", "--step", "fresh",
                        "--step", "compare", "--database-url", "postgresql://u@127.0.0.1:1/none"],
                       cwd=project, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    by = {s["step"]: s for s in json.loads(r.stdout)["steps"]}
    assert by["backup"]["status"] == "passed"
    assert by["fresh"]["result"].startswith("Cannot connect to PostgreSQL at 127.0.0.1:1")
    assert by["compare"]["result"] == by["fresh"]["result"]  # tried once, not once per step
    assert "Traceback" not in r.stderr + r.stdout


@pytest.fixture
def dev_db(pg_server: Server):
    """A 'development database' at the last legacy version, as the legacy chain deployed it."""
    with throwaway_database(pg_server, "dev") as uri:
        apply_chain(uri, load_history(ROOT / "migrations.old").migrations, allow_duplicate_versions=True)
        yield uri


def test_deploy_checks_prints_and_only_with_yes_rebaselines(pg_server: Server, dev_db: str):
    before = read_history(dev_db)
    r = run(ROOT, pg_server, "deploy", "--dev-database", dev_db)
    assert r.returncode == 0, r.stderr
    assert "DELETE FROM _sqlx_migrations WHERE version IN" in r.stdout and "rerun with --yes" in r.stdout
    assert read_history(dev_db) == before  # a dry run changes nothing
    r = run(ROOT, pg_server, "deploy", "--dev-database", dev_db, "--yes")
    assert r.returncode == 0, r.stderr
    new = load_history(ROOT / "migrations").migrations
    assert [(h.version, h.checksum) for h in read_history(dev_db)] == [(m.version, m.checksum) for m in new]
    r = run(ROOT, pg_server, "deploy", "--dev-database", dev_db)
    assert r.returncode == 1 and "already records the consolidated chain" in r.stderr


def test_deploy_refuses_a_database_behind_or_with_another_schema(pg_server: Server):
    legacy = load_history(ROOT / "migrations.old").migrations
    with throwaway_database(pg_server, "behind") as uri:
        apply_chain(uri, legacy[:-3], allow_duplicate_versions=True)
        r = run(ROOT, pg_server, "deploy", "--dev-database", uri, "--yes")
        assert r.returncode == 1 and "is not at the last legacy version" in r.stderr
        assert f"{legacy[-3].version} ({legacy[-3].description}) is pending" in r.stderr
    with throwaway_database(pg_server, "drifted") as uri:
        apply_chain(uri, legacy, allow_duplicate_versions=True)
        from attune_tui.db.connect import connect
        with connect(uri) as conn:
            conn.execute("ALTER TABLE identity ADD COLUMN hotfix TEXT")
        r = run(ROOT, pg_server, "deploy", "--dev-database", uri, "--yes")
        assert r.returncode == 1 and "column public.identity.hotfix" in r.stderr
        assert len(read_history(uri)) == 21  # untouched: 22 files, one duplicate version


def test_upgrade_simulation_catches_session_state_leaking_between_files(tmp_path: Path, pg_server: Server):
    """A SET search_path in one file changes where the next file's table lands only when both run in one
    session: a fresh replay hides it, a database deployed part-way does not."""
    old = tmp_path / "migrations.old"
    old.mkdir()
    (old / "20250101000001_schema.sql").write_text("CREATE SCHEMA app;\nSET search_path TO app, public;\n")
    (old / "20250101000002_table.sql").write_text("CREATE TABLE thing (id BIGSERIAL PRIMARY KEY);\n")
    r = subprocess.run([sys.executable, "-m", "attune_tui", "plan", "init"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = run(tmp_path, pg_server, "apply")
    assert r.returncode == 0, r.stderr
    r = run(tmp_path, pg_server, "verify", "--json", "--step", "compare", "--step", "upgrade")
    by = {s["step"]: s for s in json.loads(r.stdout)["steps"]}
    assert by["compare"]["status"] == "passed"  # both fresh replays run in one session
    assert r.returncode == 1 and by["upgrade"]["status"] == "failed"
    ups = {u["start"]: u for u in by["upgrade"]["details"]["upgrades"]}
    assert ups["20250101000002_table.sql"]["ok"]
    assert "table app.thing only in the consolidated schema" in ups["20250101000001_schema.sql"]["problem"]


def test_interrupting_verify_stops_its_server_and_leaves_nothing(tmp_path: Path):
    """SIGTERM in the middle of a step: exit 130, the embedded server it started is gone, its folder too."""
    import glob
    import os
    import signal

    from attune_tui.db.cluster import scratch_parent

    pattern = str(scratch_parent() / "attune-tui-pg-*")
    before = set(glob.glob(pattern))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.Popen([sys.executable, "-m", "attune_tui", "verify", "--server", "embedded"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        if "… Test on a fresh database" in line or "✓ Runtime data moved to YAML" in line:
            break
    ours = set(glob.glob(pattern)) - before
    assert len(ours) == 1, ours  # the server this verify started
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err
    folder = ours.pop()
    assert not Path(folder).exists()
    left = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if folder.encode() in Path(cmdline).read_bytes():
                left.append(cmdline)
        except OSError:
            pass  # the process ended while we looked
    assert left == []
