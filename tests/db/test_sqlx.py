"""apply_chain against a real PostgreSQL: sqlx's bookkeeping, transactions and error locations."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from attune_tui.core.loader import load_history
from attune_tui.db.errors import ApplyError
from attune_tui.db.rows import table_columns
from attune_tui.db.script import failing_line
from attune_tui.db.sqlx import apply_chain

from .helpers import chain, exists, query

THREE = {
    "20240101000001_create_users.sql": "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL);\n",
    "20240101000002_add_email.sql": "ALTER TABLE users ADD COLUMN email text;\n-- a comment; with a semicolon\n"
                                    "CREATE INDEX users_email ON users (email);\n",
    "20240101000003_seed.sql": "INSERT INTO users (name) VALUES ('ann'), ('bob');\n",
}


def test_chain_is_applied_and_recorded_like_sqlx(fresh_db):
    migrations = chain(THREE)
    calls = []
    applied = apply_chain(fresh_db, migrations, on_progress=lambda i, n, name: calls.append((i, n, name)))

    assert [a.name for a in applied] == list(THREE)
    assert all(a.recorded and a.seconds >= 0 for a in applied)
    assert calls == [(i, 3, name) for i, name in enumerate(THREE)] + [(3, 3, "")]
    rows = query(fresh_db, "SELECT version, description, success, checksum, execution_time "
                           "FROM _sqlx_migrations ORDER BY version")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (20240101000001, "create users", True), (20240101000002, "add email", True), (20240101000003, "seed", True)]
    for row, m in zip(rows, migrations):
        assert bytes(row[3]) == hashlib.sha384(m.data).digest()
        assert row[4] > 0  # nanoseconds, updated after the commit as sqlx does
    assert query(fresh_db, "SELECT name, email FROM users ORDER BY id") == [("ann", None), ("bob", None)]


def test_migrations_table_has_sqlx_columns(fresh_db):
    apply_chain(fresh_db, chain({"1_x.sql": "SELECT 1;"}))
    assert table_columns(fresh_db, "_sqlx_migrations") == [
        ("version", "bigint", None), ("description", "text", None),
        ("installed_on", "timestamp with time zone", "now()"), ("success", "boolean", None),
        ("checksum", "bytea", None), ("execution_time", "bigint", None)]
    assert query(fresh_db, "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                           "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = '_sqlx_migrations'::regclass "
                           "AND i.indisprimary") == [("version",)]


def test_no_transaction_file_runs_outside_a_transaction(fresh_db):
    files = {"1_t.sql": "CREATE TABLE t (a int);",
             "2_idx.sql": "-- no-transaction\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n"}
    applied = apply_chain(fresh_db, chain(files))
    assert [a.recorded for a in applied] == [True, True]
    assert exists(fresh_db, "t_a")


def test_concurrent_index_without_marker_fails_as_under_sqlx(fresh_db):
    files = {"1_t.sql": "CREATE TABLE t (a int);", "2_idx.sql": "CREATE INDEX CONCURRENTLY t_a ON t (a);\n"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.file, err.value.line, err.value.sqlstate) == ("2_idx.sql", 1, "25001")


def test_error_in_file_two_line_five_names_file_line_and_sqlstate(fresh_db):
    files = {"0001_ok.sql": "CREATE TABLE a (id int PRIMARY KEY, label text);",
             # non-ASCII text before the error: PostgreSQL positions count characters, not bytes
             "0002_bad.sql": "-- café ünïcode ✓\nINSERT INTO a VALUES (1, 'déjà vu');\n\n"
                             "CREATE TABLE b (x int);\nSELECT * FROM missing_table;\nCREATE TABLE c (y int);\n"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    e = err.value
    assert (e.file, e.line, e.sqlstate) == ("0002_bad.sql", 5, "42P01")
    assert str(e) == '0002_bad.sql line 5: relation "missing_table" does not exist (SQLSTATE 42P01)'


def test_error_without_position_is_located_by_statement(fresh_db):
    # a unique violation carries no position; the failing statement is found by counting completed ones
    files = {"1_a.sql": "CREATE TABLE a (id int PRIMARY KEY);",
             "2_b.sql": "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n/* two\n   lines */\n"
                        "INSERT INTO a\n  VALUES (1);\n"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.line, err.value.sqlstate) == (5, "23505")
    assert "Key (id)=(1) already exists" in (err.value.detail or "")


def test_error_raised_inside_a_function_is_located(fresh_db):
    files = {"1_f.sql": "SELECT 1;\nDO $$\nBEGIN\n  RAISE EXCEPTION 'boom; here';\nEND $$;\n"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.line, err.value.sqlstate, err.value.message) == (2, "P0001", "boom; here")


def test_failed_file_is_rolled_back_and_not_recorded(fresh_db):
    files = {"1_a.sql": "CREATE TABLE a (id int);",
             "2_b.sql": "CREATE TABLE b (id int);\nINSERT INTO a VALUES (1);\nSELECT 1/0;\n",
             "3_c.sql": "CREATE TABLE c (id int);"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.file, err.value.line, err.value.sqlstate) == ("2_b.sql", 3, "22012")
    assert not exists(fresh_db, "b") and not exists(fresh_db, "c")
    assert query(fresh_db, "SELECT count(*) FROM a") == [(0,)]
    assert query(fresh_db, "SELECT version FROM _sqlx_migrations") == [(1,)]


def test_deferred_constraint_failing_at_commit_names_the_file(fresh_db):
    files = {"1_a.sql": "CREATE TABLE p (id int PRIMARY KEY);\n"
                        "CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);",
             "2_b.sql": "INSERT INTO c VALUES (7);"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.file, err.value.sqlstate) == ("2_b.sql", "23503")
    assert query(fresh_db, "SELECT version FROM _sqlx_migrations") == [(1,)]


DUPLICATES = {"1_a.sql": "CREATE TABLE a (id int);",
              "2_first.sql": "CREATE TABLE b (id int);",
              "2_second.sql": "CREATE TABLE c (id int);"}


def test_duplicate_versions_are_refused_before_anything_runs(fresh_db):
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(DUPLICATES))
    assert err.value.file == "2_second.sql" and err.value.line is None
    assert "version 2 is already used by 2_first.sql" in str(err.value)
    assert not exists(fresh_db, "a")


def test_duplicate_versions_run_unrecorded_when_allowed(fresh_db):
    applied = apply_chain(fresh_db, chain(DUPLICATES), allow_duplicate_versions=True)
    assert [(a.name, a.recorded) for a in applied] == [("1_a.sql", True), ("2_first.sql", True),
                                                        ("2_second.sql", False)]
    assert exists(fresh_db, "c")
    assert query(fresh_db, "SELECT version, description FROM _sqlx_migrations ORDER BY 1") == [(1, "a"), (2, "first")]


def test_version_already_recorded_counts_as_duplicate(fresh_db):
    apply_chain(fresh_db, chain({"1_a.sql": "SELECT 1;"}))
    with pytest.raises(ApplyError, match="already recorded in _sqlx_migrations"):
        apply_chain(fresh_db, chain({"1_again.sql": "SELECT 1;"}))


def test_file_that_is_not_utf8_is_refused(fresh_db):
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain({"1_a.sql": b"SELECT 1;\nSELECT '\xff';\n"}))
    assert (err.value.file, err.value.line) == ("1_a.sql", 2)


def test_bundled_legacy_chain_applies(fresh_db):
    history = load_history(Path(__file__).parents[2] / "migrations.old")
    applied = apply_chain(fresh_db, history.migrations, allow_duplicate_versions=True)
    assert len(applied) == len(history.migrations)
    assert sum(not a.recorded for a in applied) == 1  # the two 20260204000001_* files
    assert query(fresh_db, "SELECT count(*) FROM _sqlx_migrations") == [(len(applied) - 1,)]


@given(st.lists(st.text(alphabet="ab;é ✓'", max_size=8), min_size=1, max_size=12), st.data())
def test_failing_line_counts_characters_not_bytes(lines, data):
    text = "\n".join(lines)
    n = data.draw(st.integers(1, len(lines)))
    position = sum(len(line) + 1 for line in lines[: n - 1]) + 1  # first character of line n
    assert failing_line(text, position, 0) == n


def test_empty_and_comment_only_files_are_recorded(fresh_db):
    applied = apply_chain(fresh_db, chain({"1_empty.sql": "", "2_comments.sql": "-- nothing\n/* here */\n"}))
    assert [a.recorded for a in applied] == [True, True]
    assert query(fresh_db, "SELECT count(*) FROM _sqlx_migrations") == [(2,)]


def test_copy_from_stdin_fails_cleanly(fresh_db):
    files = {"1_t.sql": "CREATE TABLE t (a int);\nCOPY t FROM STDIN;\n"}
    with pytest.raises(ApplyError) as err:
        apply_chain(fresh_db, chain(files))
    assert (err.value.file, err.value.line, err.value.sqlstate) == ("1_t.sql", 2, "57014")
    assert not exists(fresh_db, "t")
