"""SQL-standard routine bodies (BEGIN ATOMIC … END, PostgreSQL 14+) survive consolidation.

The body holds ';'s of its own; if the splitter cut there, the consolidated
file would hold broken fragments.  Checked on a real server: both chains
apply, build the same schema, and the consolidated function computes.
"""

from __future__ import annotations

import psycopg

from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_files
from attune_tui.core.plan import Plan, Target
from attune_tui.db.schema import diff_schemas, dump_schema
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

LEGACY = {
    "20250101000001_tables.sql": (
        "CREATE TABLE account (id BIGSERIAL PRIMARY KEY, balance INT NOT NULL DEFAULT 0);\n"
        "CREATE TABLE audit (account BIGINT, note TEXT);\n"
    ),
    "20250101000002_functions.sql": (
        "-- the sign of a balance\n"
        "CREATE FUNCTION balance_sign(a INT) RETURNS INT LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        "  SELECT CASE WHEN a > 0 THEN 1 WHEN a < 0 THEN -1 ELSE 0 END;\n"
        "END;\n"
        "CREATE PROCEDURE credit(acc BIGINT, amount INT) LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        "  UPDATE account SET balance = balance + amount WHERE id = acc;\n"
        "  INSERT INTO audit VALUES (acc, 'credit; ' || amount);\n"
        "END;\n"
        "CREATE FUNCTION obsolete() RETURNS INT LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n"
    ),
    "20250101000003_replace.sql": (
        "CREATE OR REPLACE FUNCTION balance_sign(a INT) RETURNS INT LANGUAGE sql\n"
        "BEGIN ATOMIC\n"
        "  SELECT CASE WHEN a > 0 THEN 1 WHEN a < 0 THEN -1 ELSE 0 END * 10;\n"
        "END;\n"
        "DROP FUNCTION obsolete();\n"
        "ALTER TABLE audit ADD COLUMN at TIMESTAMPTZ DEFAULT now();\n"
    ),
}


def test_begin_atomic_routines_consolidate_and_apply(pg_server):
    history = load_files(None, [(name, sql.encode()) for name, sql in LEGACY.items()])
    plan = Plan(targets=[Target("0001_all.sql")], assign={name: "0001_all.sql" for name in LEGACY})
    cons = Consolidation(history, plan)
    assert not cons.errors(), cons.errors()

    routines = [s for s in cons.replay.statements if s.kind == "create_function"]
    assert [s.creates for s in routines] == [["function:balance_sign(integer)"], ["function:credit(bigint,integer)"],
                                             ["function:obsolete()"], ["function:balance_sign(integer)"]]
    assert all(s.text.rstrip().endswith("END;") for s in routines)

    [out] = cons.render_all()
    assert "obsolete" not in out.text  # created then dropped: folded away
    assert out.text.count("BEGIN ATOMIC") == 2  # the replaced balance_sign and credit, whole

    with throwaway_database(pg_server, "atomic_old") as old, throwaway_database(pg_server, "atomic_new") as new:
        apply_chain(old, history.migrations)
        apply_chain(new, cons.emitted_migrations())
        assert diff_schemas(dump_schema(pg_server, old), dump_schema(pg_server, new)) == []
        with psycopg.connect(new, autocommit=True) as conn:
            conn.execute("INSERT INTO account (balance) VALUES (-5)")
            conn.execute("CALL credit(1, 12)")
            assert conn.execute("SELECT balance_sign(balance) FROM account").fetchone() == (10,)
            assert conn.execute("SELECT note FROM audit").fetchone() == ("credit; 12",)
