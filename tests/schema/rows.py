"""Row builders for the consolidated schema: the fewest columns each table needs, and one row everywhere.

Only required columns are given, so every other column shows its default.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[Any]


def insert(conn: Conn, table: str, **cols: Any) -> int:
    """INSERT one row and return its id; dicts and lists are sent as JSONB."""
    values = [Jsonb(v) if isinstance(v, (dict, list)) else v for v in cols.values()]
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, cols)),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)))
    return conn.execute(query, values).fetchone()[0]


def row(conn: Conn, table: str, id_: int, columns: str = "*") -> dict[str, Any] | None:
    """One row by id as a dict (None when it is gone)."""
    cur = conn.execute(sql.SQL("SELECT {} FROM {} WHERE id = %s").format(sql.SQL(columns), sql.Identifier(table)),
                       [id_])
    found = cur.fetchone()
    return dict(zip([d.name for d in cur.description], found)) if found else None


def pack(conn: Conn, tag: str) -> int:
    return insert(conn, "pack", ref=tag, label=f"Pack {tag}", version="1.0.0")


def trigger(conn: Conn, tag: str, pack_id: int | None = None) -> int:
    return insert(conn, "trigger", ref=f"{tag}.trig", label="Trigger", pack=pack_id, pack_ref=tag)


def action(conn: Conn, tag: str, pack_id: int, runtime_id: int | None = None) -> int:
    return insert(conn, "action", ref=f"{tag}.act", pack=pack_id, pack_ref=tag, label="Action",
                  entrypoint="run.sh", runtime=runtime_id)


def rule(conn: Conn, tag: str, pack_id: int, action_id: int, trigger_id: int) -> int:
    return insert(conn, "rule", ref=f"{tag}.rule", pack=pack_id, pack_ref=tag, label="Rule", description="d",
                  action=action_id, action_ref=f"{tag}.act", trigger=trigger_id, trigger_ref=f"{tag}.trig")


def build_graph(conn: Conn, tag: str) -> dict[str, int]:
    """One row in every table of the consolidated schema, linked the way the platform links them."""
    g: dict[str, int] = {}
    g["identity"] = insert(conn, "identity", login=f"{tag}-user")
    g["permission_set"] = insert(conn, "permission_set", ref=f"{tag}.perms")
    g["permission_assignment"] = insert(conn, "permission_assignment", identity=g["identity"],
                                        permission_set=g["permission_set"])
    g["pack"] = pack(conn, tag)
    conn.execute("UPDATE permission_set SET pack = %s WHERE id = %s", [g["pack"], g["permission_set"]])
    g["runtime"] = insert(conn, "runtime", ref=f"{tag}.action.shell", name="shell", pack=g["pack"], pack_ref=tag)
    g["action"] = action(conn, tag, g["pack"], g["runtime"])
    g["policy"] = insert(conn, "policy", ref=f"{tag}.pol", pack=g["pack"], action=g["action"], method="cancel",
                         threshold=1, name="limit")
    g["trigger"] = trigger(conn, tag, g["pack"])
    g["sensor"] = insert(conn, "sensor", ref=f"{tag}.sens", pack=g["pack"], label="Sensor", description="d",
                         entrypoint="watch.py", runtime=g["runtime"], runtime_ref=f"{tag}.action.shell",
                         trigger=g["trigger"], trigger_ref=f"{tag}.trig")
    g["rule"] = rule(conn, tag, g["pack"], g["action"], g["trigger"])
    g["event"] = insert(conn, "event", trigger=g["trigger"], trigger_ref=f"{tag}.trig", source=g["sensor"],
                        rule=g["rule"], rule_ref=f"{tag}.rule")
    g["enforcement"] = insert(conn, "enforcement", rule=g["rule"], rule_ref=f"{tag}.rule",
                              trigger_ref=f"{tag}.trig", event=g["event"])
    g["workflow_definition"] = insert(conn, "workflow_definition", ref=f"{tag}.wf", pack=g["pack"], pack_ref=tag,
                                      label="Workflow", version="1.0.0", definition={"tasks": []})
    g["execution"] = insert(conn, "execution", action=g["action"], action_ref=f"{tag}.act",
                            enforcement=g["enforcement"], executor=g["identity"], workflow_def=g["workflow_definition"])
    g["child_execution"] = insert(conn, "execution", action=g["action"], action_ref=f"{tag}.act",
                                  parent=g["execution"])
    g["inquiry"] = insert(conn, "inquiry", execution=g["execution"], prompt="Go?", assigned_to=g["identity"])
    g["workflow_execution"] = insert(conn, "workflow_execution", execution=g["execution"],
                                     workflow_def=g["workflow_definition"])
    g["worker"] = insert(conn, "worker", name=f"{tag}-worker", worker_type="local", runtime=g["runtime"])
    g["notification"] = insert(conn, "notification", channel="execution_change", entity_type="execution",
                               entity=str(g["execution"]), activity="created")
    g["key"] = insert(conn, "key", ref=f"{tag}.secret", owner_type="pack", owner=tag, owner_pack=g["pack"],
                      name="secret", encrypted=False, value="v")
    g["identity_key"] = insert(conn, "key", ref=f"{tag}.token", owner_type="identity", owner=f"{tag}-user",
                               owner_identity=g["identity"], name="token", encrypted=False, value="v")
    g["artifact"] = insert(conn, "artifact", ref=f"{tag}.out", type="file_text", execution=g["execution"])
    g["pack_environment"] = insert(conn, "pack_environment", pack=g["pack"], pack_ref=tag, runtime=g["runtime"],
                                   runtime_ref=f"{tag}.action.shell", env_path=f"/tmp/{tag}")
    g["pack_test_results"] = insert(conn, "pack_test_results", pack=g["pack"], pack_version="1.0.0",
                                    trigger_reason="install", total_tests=3, passed=2, failed=1, skipped=0,
                                    pass_rate=0.6667, duration_ms=120, result={"suites": []})
    return g
