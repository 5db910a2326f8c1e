"""The notify triggers really deliver: a ``LISTEN`` in a second connection receives each committed change.

NOTIFY is sent at COMMIT, so these tests commit for real and delete their
rows afterwards.  Payloads are matched by the ids written here, so other
activity on the database cannot confuse them.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from attune_tui.db.connect import connect

from .rows import action, insert, pack, rule, trigger

Payload = dict[str, Any]


class Committed:
    """Writes that commit at once, remembered so that teardown can delete them (newest first)."""

    def __init__(self, conn: psycopg.Connection[Any], tag: str) -> None:
        self.conn = conn
        self.tag = tag
        self.rows: list[tuple[str, int]] = []
        self.base: dict[str, int] = {}

    def insert(self, table: str, **cols: Any) -> int:
        with self.conn.transaction():
            id_ = insert(self.conn, table, **cols)
        self.rows.append((table, id_))
        return id_

    def update(self, table: str, id_: int, **cols: Any) -> None:
        sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in cols)
        with self.conn.transaction():
            self.conn.execute(sql.SQL("UPDATE {} SET {} WHERE id = %s").format(sql.Identifier(table), sets),
                              [*cols.values(), id_])

    def cleanup(self) -> None:
        with self.conn.transaction():
            for table, id_ in reversed(self.rows):
                self.conn.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(table)), [id_])


@pytest.fixture
def committed(migrated_db: str) -> Iterator[Committed]:
    """A committing writer with a pack, action, trigger and rule of its own already in place."""
    t = "n" + secrets.token_hex(4)  # refs of its own: the database may hold other rows
    with connect(migrated_db) as conn:
        w = Committed(conn, t)
        try:
            with conn.transaction():
                w.base["pack"] = pack(conn, t)
                w.base["action"] = action(conn, t, w.base["pack"])
                w.base["trigger"] = trigger(conn, t, w.base["pack"])
                w.base["rule"] = rule(conn, t, w.base["pack"], w.base["action"], w.base["trigger"])
            w.rows += [("pack", w.base["pack"]), ("action", w.base["action"]), ("trigger", w.base["trigger"]),
                       ("rule", w.base["rule"])]
            yield w
        finally:
            w.cleanup()
            left = conn.execute("SELECT count(*) FROM pack WHERE ref = %s", [t]).fetchone()[0]
            assert left == 0


@pytest.fixture
def listener(migrated_db: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection that only LISTENs (any other query on it could swallow notifications)."""
    with connect(migrated_db) as conn:
        yield conn


def listen(conn: psycopg.Connection[Any], *channels: str) -> None:
    for channel in channels:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))


def receive(conn: psycopg.Connection[Any], channel: str, match: Callable[[Payload], bool],
            timeout: float = 5.0) -> Payload:
    """The first notification on ``channel`` whose JSON payload satisfies ``match``."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        for n in conn.notifies(timeout=left, stop_after=1):
            if n.channel == channel:
                payload = json.loads(n.payload)
                if match(payload):
                    return payload
    raise AssertionError(f"no matching notification on {channel} within {timeout} s")


def write_event(w: Committed) -> tuple[int, Payload]:
    id_ = w.insert("event", trigger=w.base["trigger"], trigger_ref=f"{w.tag}.trig", rule=w.base["rule"],
                   rule_ref=f"{w.tag}.rule", payload={"n": 1})
    return id_, {"id": id_, "trigger": w.base["trigger"], "trigger_ref": f"{w.tag}.trig", "rule": w.base["rule"],
                 "rule_ref": f"{w.tag}.rule", "source": None, "source_ref": None,
                 "payload_size": len(json.dumps({"n": 1}))}


def write_enforcement(w: Committed) -> tuple[int, Payload]:
    id_ = w.insert("enforcement", rule=w.base["rule"], rule_ref=f"{w.tag}.rule", trigger_ref=f"{w.tag}.trig")
    return id_, {"operation": "INSERT", "id": id_, "rule": w.base["rule"], "rule_ref": f"{w.tag}.rule",
                 "trigger_ref": f"{w.tag}.trig", "event": None, "status": "created", "old_status": None,
                 "condition": "all"}


def write_execution(w: Committed) -> tuple[int, Payload]:
    enf = w.insert("enforcement", rule=w.base["rule"], rule_ref=f"{w.tag}.rule", trigger_ref=f"{w.tag}.trig")
    id_ = w.insert("execution", action=w.base["action"], action_ref=f"{w.tag}.act", enforcement=enf)
    # rule and trigger come from the enforcement, looked up by the trigger function
    return id_, {"operation": "INSERT", "id": id_, "action_id": w.base["action"], "action_ref": f"{w.tag}.act",
                 "status": "requested", "old_status": None, "parent": None, "enforcement": enf,
                 "rule_id": w.base["rule"], "rule_ref": f"{w.tag}.rule", "trigger_ref": f"{w.tag}.trig",
                 "is_workflow": False, "workflow_def": None}


# channel → (table it watches, a committed write on it with the payload it must produce)
WRITERS: dict[str, tuple[str, Callable[[Committed], tuple[int, Payload]]]] = {
    "event_created": ("event", write_event),
    "enforcement_change": ("enforcement", write_enforcement),
    "execution_change": ("execution", write_execution),
}


def test_every_notify_trigger_in_the_schema_is_exercised(db):
    rows = db.execute(
        "SELECT c.relname, p.prosrc FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal "
        "AND (p.prosrc ILIKE '%pg_notify%' OR p.prosrc ~* '\\mnotify\\s+\\w')").fetchall()
    found = {(table, quoted or bare) for table, src in rows
             for quoted, bare in re.findall(r"pg_notify\(\s*'([^']+)'|\bNOTIFY\s+(\w+)", src, re.IGNORECASE)}
    assert found == {(table, channel) for channel, (table, _) in WRITERS.items()}


@pytest.mark.parametrize("channel", sorted(WRITERS))
def test_a_committed_insert_is_delivered_to_a_listener(listener, committed, channel):
    listen(listener, channel)
    _table, write = WRITERS[channel]
    id_, expected = write(committed)
    payload = receive(listener, channel, lambda p: p["id"] == id_)
    assert {k: payload[k] for k in expected} == expected
    assert payload["created"]  # a timestamp, serialised by json_build_object


def test_a_rolled_back_insert_is_never_delivered(listener, committed, migrated_db):
    listen(listener, "execution_change")
    with connect(migrated_db) as other, other.transaction(force_rollback=True):
        lost = insert(other, "execution", action=committed.base["action"], action_ref=f"{committed.tag}.act")
    kept = committed.insert("execution", action=committed.base["action"], action_ref=f"{committed.tag}.act")
    payload = receive(listener, "execution_change", lambda p: p["action_ref"] == f"{committed.tag}.act")
    assert payload["id"] == kept != lost


def test_execution_updates_notify_only_for_visible_changes(listener, committed):
    id_ = committed.insert("execution", action=committed.base["action"], action_ref=f"{committed.tag}.act")
    listen(listener, "execution_change")
    committed.update("execution", id_, config=Jsonb({"progress": 50}))  # quiet
    committed.update("execution", id_, status="running")
    payload = receive(listener, "execution_change", lambda p: p["id"] == id_)
    assert (payload["operation"], payload["status"], payload["old_status"]) == ("UPDATE", "running", "requested")


def test_enforcement_updates_notify_only_on_status_change(listener, committed):
    id_, _ = write_enforcement(committed)
    listen(listener, "enforcement_change")
    committed.update("enforcement", id_, payload=Jsonb({"x": 1}))  # quiet
    committed.update("enforcement", id_, status="processed")
    payload = receive(listener, "enforcement_change", lambda p: p["id"] == id_)
    assert (payload["operation"], payload["status"], payload["old_status"]) == ("UPDATE", "processed", "created")


def test_events_notify_on_insert_only(listener, committed):
    id_, _ = write_event(committed)
    listen(listener, "event_created")
    committed.update("event", id_, payload=Jsonb({"n": 2}))
    second, _ = write_event(committed)
    payload = receive(listener, "event_created", lambda p: p["id"] in (id_, second))
    assert payload["id"] == second  # the UPDATE of the first event sent nothing
