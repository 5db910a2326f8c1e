"""What sqlx would say about _sqlx_migrations rows, and the rebaseline SQL (pure)."""

from __future__ import annotations

import hashlib

from attune_tui.core.loader import load_files
from attune_tui.core.sqlx_history import HistoryRow, info_problems, migrate_info, rebaseline_sql


def chain(*names_texts: tuple[str, str]):
    return load_files(None, [(n, t.encode()) for n, t in names_texts]).migrations


LEGACY = chain(("1_a.sql", "CREATE TABLE a (id int);"), ("2_b.sql", "CREATE TABLE b (id int);"),
               ("3_it's.sql", "SELECT 1;"))
NEW = chain(("1_all.sql", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);"), ("2_seed.sql", "SELECT 1;"))


def rows_for(migrations, success: bool = True):
    return [HistoryRow(m.version, m.description, success, m.checksum) for m in migrations]


def test_every_migration_recorded_with_its_checksum_is_installed():
    lines = migrate_info(rows_for(LEGACY), LEGACY)
    assert [ln.status for ln in lines] == ["installed"] * 3
    assert info_problems(lines) == []


def test_pending_dirty_changed_and_missing_are_each_reported():
    rows = rows_for(LEGACY)
    rows[1] = HistoryRow(2, "b", False, rows[1].checksum)  # a failed run left it dirty
    rows[2] = HistoryRow(3, "it's", True, hashlib.sha384(b"other").digest())
    rows.append(HistoryRow(9, "gone", True, b"x"))
    lines = migrate_info(rows[1:], LEGACY)
    assert [(ln.version, ln.status) for ln in lines] == [
        (1, "pending"), (2, "dirty"), (3, "different checksum"), (9, "missing")]
    problems = info_problems(lines)
    assert len(problems) == 4 and "VersionMissing" in problems[3] and "would apply it" in problems[0]


def test_rebaseline_deletes_only_legacy_versions_and_inserts_the_new_chain():
    sql = rebaseline_sql(LEGACY, NEW)
    assert "DELETE FROM _sqlx_migrations WHERE version IN (1, 2, 3);" in sql
    assert sql.count("decode('") == 2 and NEW[0].checksum.hex() in sql and NEW[1].checksum.hex() in sql
    assert sql.index("BEGIN;") < sql.index("DELETE") < sql.index("INSERT") < sql.index("COMMIT;")


def test_rebaseline_quotes_descriptions():
    odd = chain(("1_it's_here.sql", "SELECT 1;"))
    assert "'it''s here'" in rebaseline_sql(LEGACY, odd)
