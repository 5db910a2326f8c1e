"""The upgrade simulation's schema check: the server's digest settles equal schemas, a difference is diffed.

Real databases on the session's server: a "fresh" one and "replayed" ones
reaching a schema through another history.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attune_tui.checklist.compare import failing, one_line, schema_diff
from attune_tui.checklist.upgrade import Reference, schema_problem
from attune_tui.db.connect import connect
from attune_tui.db.introspect import introspect, schema_fingerprint
from attune_tui.db.server import Server
from attune_tui.db.throwaway import throwaway_database

FRESH = ("CREATE TYPE mood AS ENUM ('low', 'mid', 'high');\n"
         "CREATE TABLE t (id bigserial PRIMARY KEY, a int NOT NULL DEFAULT 1, m mood, note text);\n"
         "CREATE INDEX t_a ON t (a) WHERE a > 0;\n")
# The same schema through a longer history: added, altered, dropped and re-created in another order.
SAME = ("CREATE TABLE t (id bigserial PRIMARY KEY, gone text, a int);\n"
        "CREATE TYPE mood AS ENUM ('low', 'high');\n"
        "ALTER TYPE mood ADD VALUE 'mid' BEFORE 'high';\n"
        "ALTER TABLE t ADD COLUMN m mood, ADD COLUMN note text, DROP COLUMN gone;\n"
        "ALTER TABLE t ALTER a SET DEFAULT 1, ALTER a SET NOT NULL;\n"
        "CREATE INDEX t_a ON t (a) WHERE a > 1; DROP INDEX t_a; CREATE INDEX t_a ON t (a) WHERE a > 0;\n")


@pytest.fixture(scope="module")
def fresh(pg_server: Server) -> Iterator[str]:
    with throwaway_database(pg_server, "upgrade_fresh") as uri:
        with connect(uri) as conn:
            conn.execute(FRESH)
        yield uri


def reference(uri: str, intended: list[dict[str, str]], model_read: list[str]) -> Reference:
    """The fresh database as the simulation's reference; ``model_read`` records each time its model is needed."""
    with connect(uri) as conn:
        digest = schema_fingerprint(conn)

    def model():
        model_read.append("read")
        return introspect(uri)
    return Reference(lambda: digest, model, list, intended)


def problem_of(pg_server: Server, history: str, ref: Reference) -> tuple[str, str]:
    """``schema_problem`` on a database built by ``history``, and what the full diff says of it."""
    with throwaway_database(pg_server, "upgrade_replayed") as uri:
        with connect(uri) as conn:
            conn.execute(history)
        with connect(uri) as conn:
            found = schema_problem(conn, ref)
        diffs = failing(schema_diff(introspect(uri), ref.model(), ref.intended))
    full = f"schema differs before rebaselining: {one_line(diffs[0], 'upgraded', 'consolidated')}" if diffs else ""
    return found, full


def test_an_equal_schema_is_settled_by_the_digest_without_reading_the_model(pg_server: Server, fresh: str):
    read: list[str] = []
    ref = reference(fresh, [], read)
    with throwaway_database(pg_server, "upgrade_same") as uri:
        with connect(uri) as conn:
            conn.execute(SAME)
        with connect(uri) as conn:
            assert schema_problem(conn, ref) == ""
    assert read == []  # the fast path: no introspection, no diff


@pytest.mark.parametrize("change, expected", [
    ("ALTER TABLE t ALTER a SET DEFAULT 2;", "column public.t.a: default 2 → 1"),
    ("ALTER TYPE mood RENAME VALUE 'mid' TO 'medium';",
     "enum public.mood: values 'low', 'medium', 'high' → 'low', 'mid', 'high'"),
    ("DROP INDEX t_a; CREATE INDEX t_a ON t (a) WHERE a > 1;", "index public.t_a: predicate (a > 1) → (a > 0)"),
    ("ALTER TABLE t ADD COLUMN extra int;", "column public.t.extra only in the upgraded schema"),
])
def test_a_replay_that_differs_gets_the_precise_difference(pg_server: Server, fresh: str, change: str, expected: str):
    read: list[str] = []
    found, full = problem_of(pg_server, SAME + change, reference(fresh, [], read))
    assert found == full == f"schema differs before rebaselining: {expected}"  # as the full diff always said


def test_an_intended_difference_still_passes_after_the_digests_differ(pg_server: Server, fresh: str):
    read: list[str] = []
    intended = [{"object": "column public.t.a", "attribute": "default", "reason": "on purpose"}]
    found, full = problem_of(pg_server, SAME + "ALTER TABLE t ALTER a SET DEFAULT 2;", reference(fresh, intended, read))
    assert found == full == ""
    assert read  # the digests differed, so the model was read and diffed
