"""Defaults fill in (JSONB, arrays, enums, timestamps), ``updated`` triggers bump, webhook functions work."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from psycopg import errors, sql

from .rows import row
from .test_constraints import rejects

# Columns the graph's rows leave out, with the value their default must give.
DEFAULTS = {
    "identity": {"attributes": {}, "display_name": None},
    "permission_set": {"grants": []},
    "pack": {"conf_schema": {}, "config": {}, "meta": {}, "tags": [], "runtime_deps": [], "is_standard": False,
             "installers": []},
    "runtime": {"distributions": {}, "installation": None, "verification": {}},
    "action": {"enabled": True, "tags": [], "is_adhoc": False, "param_schema": None},
    "policy": {"parameters": [], "tags": []},
    "trigger": {"enabled": True, "webhook_enabled": False, "webhook_key": None, "webhook_config": {}},
    "sensor": {"enabled": True, "config": {}, "is_adhoc": False},
    "rule": {"conditions": [], "action_params": {}, "trigger_params": {}, "enabled": True, "is_adhoc": False},
    "enforcement": {"status": "created", "condition": "all", "payload": {}, "conditions": []},
    "execution": {"status": "requested", "is_workflow": False, "result": None, "workflow_task": None},
    "inquiry": {"status": "pending", "response": None},
    "workflow_definition": {"tags": [], "enabled": True},
    "workflow_execution": {"current_tasks": [], "completed_tasks": [], "failed_tasks": [], "skipped_tasks": [],
                           "variables": {}, "task_graph": {}, "status": "requested", "paused": False},
    "worker": {"status": "inactive", "capabilities": {}, "meta": {}, "worker_role": "action"},
    "notification": {"state": "created", "content": None},
    "artifact": {"scope": "system", "owner": "", "retention_policy": "versions", "retention_limit": 1},
    "pack_environment": {"status": "pending", "metadata": {}},
    "pack_test_results": {"pass_rate": Decimal("0.6667")},
}


@pytest.mark.parametrize("table", sorted(DEFAULTS))
def test_column_defaults_fill_in(db, graph, table):
    expected = DEFAULTS[table]
    columns = ", ".join(expected)
    # enums come back as text through psycopg, so compare them as text
    got = row(db, table, graph[table], ", ".join(f"{c}::text AS {c}" if isinstance(v, str) else c
                                                for c, v in expected.items()))
    assert got == expected, columns


def tables_with(conn, column: str) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
        "AND a.attname = %s AND NOT a.attisdropped ORDER BY 1", [column])]


def test_every_table_fills_created_and_updated_with_now(db, graph):
    tables = tables_with(db, "created")
    assert len(tables) == 22 and set(tables) <= set(graph)
    now = db.execute("SELECT now()").fetchone()[0]  # the whole session runs in one transaction
    for table in tables:
        assert row(db, table, graph[table], "created, updated") == {"created": now, "updated": now}, table
    assert row(db, "pack_test_results", graph["pack_test_results"], "execution_time") == {"execution_time": now}


def test_every_updated_column_is_bumped_by_its_trigger(db, graph):
    """An UPDATE that writes an old ``updated`` gets NOW() instead: the BEFORE UPDATE trigger wins."""
    tables = tables_with(db, "updated")
    assert set(tables) == set(tables_with(db, "created"))
    now = db.execute("SELECT now()").fetchone()[0]
    old = datetime(2000, 1, 1, tzinfo=UTC)
    for table in tables:
        got = db.execute(sql.SQL("UPDATE {} SET updated = %s, created = %s WHERE id = %s RETURNING created, updated")
                         .format(sql.Identifier(table)), [old, old, graph[table]]).fetchone()
        assert got == (old, now), table  # created is taken as given; updated is not
    names = {r[0] for r in db.execute("SELECT tgname FROM pg_trigger WHERE tgfoid = 'update_updated_column'::regproc")}
    assert names == {f"update_{t}_updated" for t in tables}


def test_identity_login_is_case_insensitive(db, graph, tag):
    assert db.execute("SELECT id FROM identity WHERE login = %s", [f"{tag}-USER"]).fetchone() == (graph["identity"],)


# --- webhook functions (20250101000010_webhook_system.sql) ---------------------------------------


def test_enable_assigns_a_key_merges_config_and_keeps_it_across_disable(db, graph):
    t = graph["trigger"]
    enabled, key, url = db.execute("SELECT * FROM enable_trigger_webhook(%s, '{\"rate_limit\": 10}')", [t]).fetchone()
    assert enabled is True and re.fullmatch(r"wh_[0-9a-f]{40}", key) and url == f"/api/v1/webhooks/{key}"
    assert row(db, "trigger", t, "webhook_enabled, webhook_key, webhook_config") == {
        "webhook_enabled": True, "webhook_key": key, "webhook_config": {"rate_limit": 10}}
    assert db.execute("SELECT disable_trigger_webhook(%s)", [t]).fetchone() == (True,)
    again = db.execute("SELECT webhook_key FROM enable_trigger_webhook(%s, '{\"ip_whitelist\": []}')", [t]).fetchone()
    assert again == (key,)  # the same URL comes back
    assert row(db, "trigger", t, "webhook_config")["webhook_config"] == {"rate_limit": 10, "ip_whitelist": []}


def test_enabling_hmac_generates_a_secret(db, graph):
    t = graph["trigger"]
    db.execute("SELECT enable_trigger_webhook(%s, '{\"hmac\": {\"enabled\": true}}')", [t])
    secret = row(db, "trigger", t, "webhook_config")["webhook_config"]["hmac"]["secret"]
    assert re.fullmatch(r"[0-9a-f]{64}", secret)


def test_regenerating_replaces_the_key(db, graph):
    t = graph["trigger"]
    first = db.execute("SELECT webhook_key FROM enable_trigger_webhook(%s)", [t]).fetchone()[0]
    new, revoked = db.execute("SELECT * FROM regenerate_trigger_webhook_key(%s)", [t]).fetchone()
    assert revoked is True and new != first and row(db, "trigger", t, "webhook_key") == {"webhook_key": new}


@pytest.mark.parametrize("call,message", [
    ("SELECT enable_trigger_webhook(%s, '[]')", "webhook config must be a JSON object"),
    ("SELECT enable_trigger_webhook(-%s)", "does not exist"),
    ("SELECT disable_trigger_webhook(-%s)", "does not exist"),
    ("SELECT regenerate_trigger_webhook_key(-%s)", "does not exist"),
])
def test_webhook_functions_refuse_bad_input(db, graph, call, message):
    err = rejects(db, errors.RaiseException, call, [graph["trigger"]])
    assert message in str(err)
