"""Constraints of the consolidated schema behave: NOT NULL, every CHECK, UNIQUE, foreign keys, enums."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from .rows import insert, row


def rejects(conn: psycopg.Connection[Any], error: type[psycopg.Error], query: str | sql.Composable,
            params: list[Any] | None = None) -> psycopg.Error:
    """Run ``query`` in a savepoint, expect ``error``, and keep the outer transaction usable."""
    with pytest.raises(error) as caught, conn.transaction():
        conn.execute(query, params)
    return caught.value


@pytest.mark.parametrize("table,columns,missing", [
    ("pack", {"ref": "p", "version": "1.0.0"}, "label"),
    ("identity", {"display_name": "x"}, "login"),
    ("event", {"payload": "{}"}, "trigger_ref"),
    ("execution", {"status": "running"}, "action_ref"),
    ("notification", {"channel": "c", "entity_type": "e", "entity": "1"}, "activity"),
    ("key", {"ref": "k", "owner_type": "system", "name": "n", "value": "v"}, "encrypted"),
])
def test_not_null_columns_refuse_a_missing_value(db, table, columns, missing):
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)))
    err = rejects(db, errors.NotNullViolation, query, list(columns.values()))
    assert (err.diag.table_name, err.diag.column_name) == (table, missing)


# (table, SET clause applied to the graph's row, the one CHECK constraint it breaks)
CHECKS = [
    ("identity", "login = '   '", "identity_login_not_blank"),
    ("identity", "password_hash = 'plain-text'", "identity_password_hash_format"),
    ("permission_set", "ref = 'Core.Admin'", "permission_set_ref_lowercase"),
    ("permission_set", "ref = 'nodot'", "permission_set_ref_format"),
    ("permission_set", "grants = '{}'", "permission_set_grants_is_array"),
    ("policy", "ref = 'Core.Limit'", "policy_ref_lowercase"),
    ("policy", "ref = 'a.b.c'", "policy_ref_format"),
    ("policy", "threshold = 0", "policy_threshold_positive"),
    ("pack", "ref = 'has.dot'", "pack_ref_format"),
    ("pack", "ref = 'Core'", "pack_ref_lowercase"),
    ("pack", "version = '1.0'", "pack_version_semver"),
    ("pack", "installers = '{}'", "pack_installers_is_array"),
    ("runtime", "ref = 'Core.Action.Shell'", "runtime_ref_lowercase"),
    ("action", "ref = 'Core.Act'", "action_ref_lowercase"),
    ("action", "ref = 'nodot'", "action_ref_format"),
    ("action", "timeout_seconds = 0", "action_timeout_positive"),
    ("sensor", "ref = 'Core.Sens'", "sensor_ref_lowercase"),
    ("sensor", "ref = 'nodot'", "sensor_ref_format"),
    ("sensor", "poll_interval = -5", "sensor_poll_interval_positive"),
    ("trigger", "ref = 'Core.Trig'", "trigger_ref_lowercase"),
    ("trigger", "ref = 'nodot'", "trigger_ref_format"),
    ("trigger", "webhook_config = '[]'", "trigger_webhook_config_is_object"),
    ("event", "trigger_ref = ''", "event_trigger_ref_not_blank"),
    ("rule", "ref = 'Core.Rule'", "rule_ref_lowercase"),
    ("rule", "ref = 'nodot'", "rule_ref_format"),
    ("rule", "conditions = '{}'", "rule_conditions_is_array"),
    ("enforcement", "conditions = '{\"a\": 1}'", "enforcement_conditions_is_array"),
    ("execution", "parent = id", "execution_not_own_parent"),
    ("execution", "started_at = now(), completed_at = now() - interval '1 minute'",
     "execution_completed_after_started"),
    ("inquiry", "status = 'responded'", "inquiry_responded_has_timestamp"),
    ("workflow_definition", "ref = 'Core.Wf'", "workflow_definition_ref_lowercase"),
    ("workflow_definition", "ref = 'nodot'", "workflow_definition_ref_format"),
    ("workflow_definition", "definition = '{\"steps\": []}'", "workflow_definition_has_tasks"),
    ("workflow_execution", "pause_reason = 'why'", "workflow_execution_pause_reason"),
    ("worker", "port = 70000", "worker_port_range"),
    ("worker", "worker_type = 'remote'", "worker_remote_has_host"),
    ("notification", "state = 'lost'", "notification_state_valid"),
    ("key", "ref = 'Core.Secret'", "key_ref_lowercase"),
    ("key", "ref = 'a.b.c'", "key_ref_format"),
    ("key", "owner_type = 'identity'", "key_owner_identity_set"),
    ("key", "owner_type = 'pack', owner_pack = NULL", "key_owner_pack_set"),
    ("key", "owner_type = 'action'", "key_owner_action_set"),
    ("key", "owner_type = 'sensor'", "key_owner_sensor_set"),
    ("key", "encrypted = TRUE", "key_encryption_hash_set"),
    ("artifact", "retention_limit = 0", "artifact_retention_limit_positive"),
    ("pack_environment", "status = 'failed'", "pack_environment_failed_has_error"),
    ("pack_environment", "status = 'ready'", "pack_environment_ready_installed"),
    ("pack_test_results", "trigger_reason = 'cron'", "pack_test_results_reason_valid"),
    ("pack_test_results", "passed = 4, failed = -1", "pack_test_results_counts_non_negative"),
    ("pack_test_results", "passed = 3", "pack_test_results_counts_add_up"),
    ("pack_test_results", "pass_rate = 1.5", "pack_test_results_pass_rate_range"),
    ("pack_test_results", "duration_ms = -1", "pack_test_results_duration_non_negative"),
]


# A constraint that every value breaking it also breaks another (an upper-case pack ref fails
# the format check too): the other is dropped first, inside the rolled-back transaction.
SHADOWED_BY = {"pack_ref_lowercase": "pack_ref_format"}


@pytest.mark.parametrize("table,change,constraint", CHECKS, ids=[c for _, _, c in CHECKS])
def test_check_constraint_refuses_a_bad_row(db, graph, table, change, constraint):
    if constraint in SHADOWED_BY:
        db.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
            sql.Identifier(table), sql.Identifier(SHADOWED_BY[constraint])))
    query = sql.SQL("UPDATE {} SET {} WHERE id = %s").format(sql.Identifier(table), sql.SQL(change))
    err = rejects(db, errors.CheckViolation, query, [graph[table]])
    assert err.diag.constraint_name == constraint


def test_every_check_constraint_in_the_schema_is_exercised(db):
    names = {r[0] for r in db.execute(
        "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = 'public' AND c.contype = 'c' AND c.conrelid <> 0")}
    assert names == {c for _, _, c in CHECKS}


def test_the_graph_row_passes_every_check_before_a_change(db, graph):
    assert row(db, "pack_test_results", graph["pack_test_results"], "passed + failed + skipped AS n") == {"n": 3}


@pytest.mark.parametrize("table,first,second,constraint", [
    ("pack", {"ref": "{t}x", "label": "a", "version": "1.0.0"}, {"ref": "{t}x", "label": "b", "version": "2.0.0"},
     "pack_ref_key"),
    # CITEXT: logins differing only by case are the same login
    ("identity", {"login": "{t}-Alice"}, {"login": "{t}-ALICE"}, "identity_login_key"),
    ("worker", {"name": "{t}", "worker_type": "local"}, {"name": "{t}", "worker_type": "container"}, "worker_name_key"),
    ("key", {"ref": "{t}.a", "owner_type": "pack", "owner": "{t}", "owner_pack": None, "name": "n", "encrypted": False,
             "value": "v"},
     {"ref": "{t}.b", "owner_type": "pack", "owner": "{t}", "owner_pack": None, "name": "n", "encrypted": False,
      "value": "v"}, "key_owner_name_unique"),
])
def test_unique_constraints_refuse_duplicates(db, tag, graph, table, first, second, constraint):

    def fill(cols: dict[str, Any]) -> dict[str, Any]:
        out = {k: v.format(t=tag) if isinstance(v, str) else v for k, v in cols.items()}
        return {k: graph["pack"] if k == "owner_pack" else v for k, v in out.items()}

    insert(db, table, **fill(first))
    with pytest.raises(errors.UniqueViolation) as caught, db.transaction():
        insert(db, table, **fill(second))
    assert caught.value.diag.constraint_name == constraint


@pytest.mark.parametrize("query,ids,constraint", [
    ("INSERT INTO permission_assignment (identity, permission_set) VALUES (%s, %s)",
     ["identity", "permission_set"], "permission_assignment_unique"),
    ("INSERT INTO pack_environment (pack, pack_ref, runtime, runtime_ref, env_path) VALUES (%s, 'x', %s, 'y', '/z')",
     ["pack", "runtime"], "pack_environment_pack_runtime_unique"),
    ("INSERT INTO workflow_execution (execution, workflow_def) VALUES (%s, %s)",
     ["execution", "workflow_definition"], "workflow_execution_execution_key"),
])
def test_composite_and_link_unique_constraints(db, graph, query, ids, constraint):
    err = rejects(db, errors.UniqueViolation, query, [graph[t] for t in ids])
    assert err.diag.constraint_name == constraint


def test_system_keys_may_share_a_name_because_nulls_are_distinct(db, tag):
    """key_owner_name_unique is (owner_type, owner, name): system keys have no owner, so no conflict."""
    insert(db, "key", ref=f"{tag}.s1", owner_type="system", name="same", encrypted=False, value="v")
    insert(db, "key", ref=f"{tag}.s2", owner_type="system", name="same", encrypted=False, value="v")
    assert db.execute("SELECT count(*) FROM key WHERE ref LIKE %s AND name = 'same'", [f"{tag}.s_"]).fetchone() == (2,)


def test_webhook_keys_are_unique(db, tag, graph):
    a = insert(db, "trigger", ref=f"{tag}.a", label="A", webhook_key=f"wh_{tag}")
    b = insert(db, "trigger", ref=f"{tag}.b", label="B")
    err = rejects(db, errors.UniqueViolation, "UPDATE trigger SET webhook_key = %s WHERE id = %s", [f"wh_{tag}", b])
    assert err.diag.constraint_name == "trigger_webhook_key_key" and a != b


@pytest.mark.parametrize("table,column", [
    ("action", "pack"), ("rule", "trigger"), ("execution", "enforcement"), ("inquiry", "execution"),
    ("event", "rule"), ("sensor", "trigger"), ("policy", "action"), ("permission_set", "pack"),
    ("execution", "workflow_def"),
])
def test_foreign_keys_refuse_a_dangling_reference(db, tag, graph, table, column):
    query = sql.SQL("UPDATE {} SET {} = -1 WHERE id = %s").format(sql.Identifier(table), sql.Identifier(column))
    err = rejects(db, errors.ForeignKeyViolation, query, [graph[table]])
    assert err.diag.table_name == table


def gone(conn, table: str, id_: int) -> bool:
    return row(conn, table, id_) is None


def test_deleting_a_pack_cascades_to_its_content_and_nulls_history(db, tag, graph):
    db.execute("DELETE FROM pack WHERE id = %s", [graph["pack"]])
    for table in ("runtime", "action", "policy", "trigger", "sensor", "rule", "workflow_definition", "permission_set",
                  "pack_environment", "pack_test_results", "key", "permission_assignment"):
        assert gone(db, table, graph[table]), table
    # history survives with its links cut (ON DELETE SET NULL) and its *_ref text kept
    assert row(db, "event", graph["event"], "trigger, source, rule, trigger_ref") == {
        "trigger": None, "source": None, "rule": None, "trigger_ref": f"{tag}.trig"}
    assert row(db, "enforcement", graph["enforcement"], "rule, event, rule_ref") == {
        "rule": None, "event": graph["event"], "rule_ref": f"{tag}.rule"}
    assert row(db, "execution", graph["execution"], "action, workflow_def, action_ref") == {
        "action": None, "workflow_def": None, "action_ref": f"{tag}.act"}
    assert row(db, "worker", graph["worker"], "runtime") == {"runtime": None}
    assert gone(db, "workflow_execution", graph["workflow_execution"])  # workflow_def ON DELETE CASCADE
    assert not gone(db, "key", graph["identity_key"])  # owned by an identity, not by the pack


def test_deleting_an_execution_cascades_and_nulls(db, tag, graph):
    db.execute("DELETE FROM execution WHERE id = %s", [graph["execution"]])
    assert gone(db, "inquiry", graph["inquiry"]) and gone(db, "workflow_execution", graph["workflow_execution"])
    assert row(db, "execution", graph["child_execution"], "parent") == {"parent": None}
    assert row(db, "artifact", graph["artifact"], "execution") == {"execution": None}


def test_deleting_an_identity_cascades_and_nulls(db, tag, graph):
    db.execute("DELETE FROM identity WHERE id = %s", [graph["identity"]])
    assert gone(db, "permission_assignment", graph["permission_assignment"]) and gone(db, "key", graph["identity_key"])
    assert row(db, "execution", graph["execution"], "executor") == {"executor": None}
    assert row(db, "inquiry", graph["inquiry"], "assigned_to") == {"assigned_to": None}


def test_a_runtime_used_by_a_sensor_cannot_be_deleted(db, tag, graph):
    err = rejects(db, errors.ForeignKeyViolation, "DELETE FROM runtime WHERE id = %s", [graph["runtime"]])
    assert err.diag.constraint_name == "sensor_runtime_fkey"
    db.execute("DELETE FROM sensor WHERE id = %s", [graph["sensor"]])
    db.execute("DELETE FROM runtime WHERE id = %s", [graph["runtime"]])
    assert row(db, "action", graph["action"], "runtime") == {"runtime": None}
    assert gone(db, "pack_environment", graph["pack_environment"])


def test_deleting_a_rule_keeps_events_and_enforcements(db, tag, graph):
    db.execute("DELETE FROM rule WHERE id = %s", [graph["rule"]])
    assert row(db, "event", graph["event"], "rule, rule_ref") == {"rule": None, "rule_ref": f"{tag}.rule"}
    assert row(db, "enforcement", graph["enforcement"], "rule") == {"rule": None}


ENUMS = {
    "worker_type_enum": ["local", "remote", "container"],
    "worker_status_enum": ["active", "inactive", "busy", "error"],
    "worker_role_enum": ["action", "sensor", "hybrid"],
    "enforcement_status_enum": ["created", "processed", "disabled"],
    "enforcement_condition_enum": ["any", "all"],
    "execution_status_enum": ["requested", "scheduling", "scheduled", "running", "completed", "failed", "canceling",
                              "cancelled", "timeout", "abandoned"],
    "inquiry_status_enum": ["pending", "responded", "timeout", "cancelled"],
    "policy_method_enum": ["cancel", "enqueue"],
    "owner_type_enum": ["system", "identity", "pack", "action", "sensor"],
    "artifact_type_enum": ["file_binary", "file_datatable", "file_image", "file_text", "other", "progress", "url"],
    "artifact_retention_enum": ["versions", "days", "hours", "minutes"],
    "pack_environment_status_enum": ["pending", "installing", "ready", "failed", "outdated"],
}


def test_enum_types_have_their_final_values_in_order(db):
    rows = db.execute("SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t "
                      "JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace "
                      "WHERE n.nspname = 'public' GROUP BY t.typname").fetchall()
    assert dict(rows) == ENUMS


def enum_columns(conn) -> list[tuple[str, str, str]]:
    return conn.execute(
        "SELECT c.relname, a.attname, t.typname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' AND t.typtype = 'e' AND a.attnum > 0 "
        "AND NOT a.attisdropped ORDER BY 1, 2").fetchall()


def test_every_enum_column_rejects_an_unknown_value(db, tag, graph):
    columns = enum_columns(db)
    assert len(columns) >= 14 and {t for _, _, t in columns} == set(ENUMS)
    for table, column, _type in columns:
        query = sql.SQL("UPDATE {} SET {} = 'no_such_value' WHERE id = %s").format(
            sql.Identifier(table), sql.Identifier(column))
        err = rejects(db, errors.InvalidTextRepresentation, query, [graph[table]])
        assert "no_such_value" in str(err)


def test_enum_values_are_accepted_and_ordered(db, tag, graph):
    for status in ENUMS["execution_status_enum"]:
        db.execute("UPDATE execution SET status = %s WHERE id = %s", [status, graph["child_execution"]])
    assert db.execute("SELECT 'running'::execution_status_enum < 'completed'").fetchone()[0] is True
