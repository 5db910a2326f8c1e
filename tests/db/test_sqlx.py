import hashlib
from dataclasses import dataclass

import psycopg
import pytest

from attune_tui.db.errors import ApplyError
from attune_tui.db.sqlx import apply_chain


@dataclass
class F:
    version: int
    description: str
    name: str
    data: bytes


def f(version: int, name: str, sql: str) -> F:
    return F(version, name.replace("_", " "), f"{version}_{name}.sql", sql.encode())


def test_rows_and_checksums_as_sqlx_writes_them(fresh_db):
    chain = [f(1, "a_b", "CREATE TABLE a (id int);"), f(2, "c", "-- no-transaction\nCREATE INDEX CONCURRENTLY ia ON a (id);")]
    applied = apply_chain(fresh_db, chain)
    assert [a.recorded for a in applied] == [True, True]
    with psycopg.connect(fresh_db) as conn:
        rows = conn.execute("SELECT version, description, success, checksum, execution_time > 0 FROM _sqlx_migrations ORDER BY version").fetchall()
    assert rows == [(1, "a b", True, hashlib.sha384(chain[0].data).digest(), True),
                    (2, "c", True, hashlib.sha384(chain[1].data).digest(), True)]


def test_failure_names_file_line_and_sqlstate_and_rolls_the_file_back(fresh_db):
    bad = "CREATE TABLE ok (id int);\n\n-- comment\n\nINSERT INTO ok VALUES (1);\nSELECT * FROM\n  missing_table;\n"
    with pytest.raises(ApplyError) as e:
        apply_chain(fresh_db, [f(1, "a", "CREATE TABLE t (id int);"), f(2, "b", bad)])
    err = e.value
    assert (err.file, err.line, err.sqlstate) == ("2_b.sql", 7, "42P01")
    assert str(err).startswith("2_b.sql line 7: relation \"missing_table\" does not exist")
    with psycopg.connect(fresh_db) as conn:
        assert conn.execute("SELECT to_regclass('ok')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM _sqlx_migrations").fetchone()[0] == 1


def test_duplicate_versions_are_refused_unless_allowed(fresh_db):
    chain = [f(5, "a", "CREATE TABLE a (id int);"), f(5, "b", "CREATE TABLE b (id int);")]
    with pytest.raises(ApplyError, match="already applied"):
        apply_chain(fresh_db, chain)


def test_duplicate_version_applied_but_not_recorded_when_allowed(fresh_db):
    chain = [f(5, "a", "CREATE TABLE a (id int);"), f(5, "b", "CREATE TABLE b (id int);")]
    applied = apply_chain(fresh_db, chain, allow_duplicate_versions=True)
    assert [a.recorded for a in applied] == [True, False]
    with psycopg.connect(fresh_db) as conn:
        assert conn.execute("SELECT to_regclass('b') IS NOT NULL").fetchone()[0]
