"""The headless commands, run as a user would (a subprocess), on copies of real folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "attune_tui", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "migrations.old", tmp_path / "migrations.old")
    shutil.copy(ROOT / "consolidation.plan.yaml", tmp_path / "consolidation.plan.yaml")
    return tmp_path


def test_stats_json_are_computed_for_the_bundled_example():
    r = run(ROOT, "stats", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    b, a = s["before"], s["after"]
    assert (b["migration_files"], a["migration_files"]) == (22, 13)
    assert (b["enum_types"], a["enum_types"]) == (13, 12)
    assert (b["tables_created_then_dropped"], a["tables_created_then_dropped"]) == (1, 0)
    assert (b["columns_added_then_dropped"], a["columns_added_then_dropped"]) == (10, 0)
    assert b["tables_created"] == a["tables_created"] + 1
    assert b["lines_of_sql"] == sum(len(p.read_bytes().splitlines()) for p in (ROOT / "migrations.old").glob("*.sql"))
    for k in ("functions", "triggers", "indexes", "lines_of_sql"):
        assert a[k] <= b[k]


def test_plan_init_writes_a_plan_that_inspect_and_stats_accept(project: Path):
    (project / "consolidation.plan.yaml").unlink()
    r = run(project, "plan", "init")
    assert r.returncode == 0, r.stderr
    assert "duplicate" in r.stdout  # the loader's finding is shown right away
    r = run(project, "plan", "init")
    assert r.returncode == 2 and "already exists" in r.stderr
    r = run(project, "stats", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["after"]["migration_files"] == 22


@pytest.mark.parametrize("edit,fragment", [
    (lambda t: t + "surprise: true\n", "unknown key 'surprise'"),
    (lambda t: t.replace("- file: 20250101000013_notify_triggers.sql", "- file: ../../etc/evil.sql"), "escapes the output folder"),
    (lambda t: t.replace("20260131000001_add_worker_role.sql: 20250101000008", "20260131000001_add_worker_role.sql: 20990101000008"), "unknown target"),
    (lambda t: t.replace("20260131000001_add_worker_role.sql:", "20991231000001_missing.sql:"), "not in migrations.old"),
    (lambda t: t.replace("targets:", "targets: {"), "malformed YAML"),
])
def test_a_bad_plan_is_exit_2_with_one_sentence_and_writes_nothing(project: Path, edit, fragment):
    plan = project / "consolidation.plan.yaml"
    plan.write_text(edit(plan.read_text()))
    before = sorted(p.name for p in project.rglob("*"))
    r = run(project, "apply")
    assert r.returncode == 2
    assert fragment in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert sorted(p.name for p in project.rglob("*")) == before


def test_unresolvable_forward_reference_is_refused(project: Path):
    plan = project / "consolidation.plan.yaml"
    text = plan.read_text().replace("  type:worker_role_enum: 20250101000001_initial_setup.sql\n",
                                    "  type:worker_role_enum: 20250101000013_notify_triggers.sql\n")
    text = text.replace("20260131000001_add_worker_role.sql: 20250101000008_worker_notification.sql",
                        "20260131000001_add_worker_role.sql: 20250101000013_notify_triggers.sql")
    plan.write_text(text)
    r = run(project, "apply")
    assert r.returncode == 2 and "worker_role_enum" in r.stderr and not (project / "migrations").exists()


def test_inspect_reads_any_folder_and_never_stops_at_the_first_surprise(tmp_path: Path):
    src = tmp_path / "odd"
    src.mkdir()
    (src / "1_first.sql").write_bytes(b"CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int;")
    (src / "2_weird.sql").write_bytes(b"CREATE TABLE b (x int;\nSELECT $q$ unterminated")
    (src / "3_latin.sql").write_bytes(b"SELECT 'caf\xe9';")
    (src / "4_mixed.sql").write_bytes(b"DO $$ BEGIN END $$;\nCREATE OR REPLACE VIEW v AS SELECT * FROM a;\nVACUUM;\nGRANT SELECT ON a TO reader;")
    (src / "readme.sql").write_bytes(b"-- not a migration")
    r = run(tmp_path, "inspect", "--source", "odd", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [f["file"] for f in doc["files"]] == ["1_first.sql", "2_weird.sql", "3_latin.sql", "4_mixed.sql"]
    kinds = [s["kind"] for s in doc["files"][3]["statements"]]
    assert kinds == ["do", "create_view", "vacuum", "grant"]
    assert doc["files"][3]["statements"][1]["depends"] == ["table:a"]
    codes = {(p["code"], p["file"]) for p in doc["problems"]}
    assert ("syntax", "2_weird.sql") in codes and ("not-utf8", "3_latin.sql") in codes and ("bad-name", "readme.sql") in codes
    assert doc["files"][0]["statements"][1]["fate"] == "folded"


def test_help_for_every_command():
    for args in ([], ["plan", "init"], ["apply"], ["stats"], ["inspect"], ["rollback"]):
        r = run(ROOT, *args, "--help")
        assert r.returncode == 0 and "--plan" in r.stdout or args == ["plan", "init"] and "--force" in r.stdout


def test_the_readme_quotes_the_computed_statistics():
    r = run(ROOT, "stats")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() in (ROOT / "README.md").read_text()
