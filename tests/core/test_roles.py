"""Role names a history needs: every statement form that names a role, and what is not a role."""

import pytest

from attune_tui.core.loader import load_files
from attune_tui.core.roles import roles_in_texts, roles_named


def roles(sql: str) -> list[str]:
    return roles_in_texts([sql])


@pytest.mark.parametrize("sql,expected", [
    ("GRANT SELECT ON t TO app_reader;", ["app_reader"]),
    ("GRANT SELECT, INSERT ON TABLE a, b TO r1, GROUP r2 WITH GRANT OPTION;", ["r1", "r2"]),
    ("GRANT SELECT (id, \"to\") ON t TO r GRANTED BY boss;", ["r", "boss"]),
    ("GRANT EXECUTE ON FUNCTION f(to_do int) TO runner;", ["runner"]),
    ("GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO svc;", ["svc"]),
    ("REVOKE ALL ON t FROM old_app CASCADE;", ["old_app"]),
    ("REVOKE GRANT OPTION FOR SELECT ON t FROM r;", ["r"]),
    ("GRANT app_admin TO alice, bob WITH ADMIN OPTION;", ["app_admin", "alice", "bob"]),
    ("REVOKE ADMIN OPTION FOR app_admin FROM alice;", ["app_admin", "alice"]),
    ("ALTER TABLE t OWNER TO app_owner;", ["app_owner"]),
    ("ALTER FUNCTION f(a int, b text) OWNER TO fn_owner;", ["fn_owner"]),
    ("ALTER TABLE t ADD COLUMN x int, OWNER TO o2;", ["o2"]),
    ("ALTER SCHEMA s OWNER TO \"Mixed Case\";", ["Mixed Case"]),
    ("CREATE SCHEMA IF NOT EXISTS s AUTHORIZATION schema_owner;", ["schema_owner"]),
    ("CREATE SCHEMA AUTHORIZATION only_owner;", ["only_owner"]),
    ("ALTER DEFAULT PRIVILEGES FOR ROLE deployer, ci IN SCHEMA s GRANT SELECT ON TABLES TO reader;",
     ["deployer", "ci", "reader"]),
    ("ALTER DEFAULT PRIVILEGES IN SCHEMA s REVOKE GRANT OPTION FOR ALL ON SEQUENCES FROM writer;", ["writer"]),
    ("CREATE POLICY p ON t AS PERMISSIVE FOR SELECT TO tenant_a, tenant_b USING (owner = current_user);",
     ["tenant_a", "tenant_b"]),
    ("ALTER POLICY p ON t TO tenant_c;", ["tenant_c"]),
    ("REASSIGN OWNED BY legacy TO modern;", ["legacy", "modern"]),
    ("DROP OWNED BY leftover;", ["leftover"]),
    ("ALTER ROLE app SET search_path = attune, public;", ["app"]),
    ("SET ROLE 'migrator';", ["migrator"]),
    ("CREATE USER MAPPING FOR mapped SERVER remote;", ["mapped"]),
])
def test_each_statement_form_names_its_roles(sql, expected):
    assert roles(sql) == expected


def test_unquoted_names_fold_and_quoted_names_keep_case():
    assert roles('GRANT SELECT ON t TO App_Reader, "App_Reader", "x""y";') == ["app_reader", "App_Reader", 'x"y']


@pytest.mark.parametrize("sql", [
    "GRANT SELECT ON t TO PUBLIC;",
    'GRANT SELECT ON t TO "public";',
    "GRANT SELECT ON t TO CURRENT_USER, SESSION_USER, CURRENT_ROLE;",
    "REVOKE ALL ON t FROM public;",
    "ALTER TABLE t OWNER TO CURRENT_USER;",
    "CREATE USER MAPPING FOR USER SERVER remote;",
    "ALTER ROLE ALL SET work_mem = '64MB';",
    "SET ROLE NONE;",
])
def test_pseudo_roles_are_not_names(sql):
    assert roles(sql) == []


@pytest.mark.parametrize("sql", [
    "ALTER TABLE key RENAME COLUMN owner TO owner_name;",
    "ALTER TABLE key RENAME owner TO owner_name;",
    "ALTER TABLE t ALTER COLUMN owner TYPE text;",
    "CREATE TABLE grants (owner text, grantee text);",
    "SELECT 'GRANT SELECT ON t TO fake';",
    "CREATE FUNCTION f() RETURNS void AS $$ BEGIN EXECUTE 'GRANT x TO y'; GRANT SELECT ON t TO z; END $$ LANGUAGE plpgsql;",
    "COMMENT ON TABLE t IS 'owner to nobody';",
    "-- GRANT SELECT ON t TO commented\nSELECT 1;",
])
def test_lookalikes_are_not_role_references(sql):
    assert roles(sql) == []


def test_roles_the_history_creates_are_excluded_but_roles_they_join_are_not():
    sql = ("CREATE ROLE app_reader NOLOGIN IN ROLE base_group ADMIN boss;\n"
           "CREATE USER \"Svc\" WITH LOGIN PASSWORD 'x';\n"
           "GRANT SELECT ON t TO app_reader, \"Svc\", svc, outsider;\n")
    assert roles(sql) == ["base_group", "boss", "svc", "outsider"]


def test_a_role_created_in_a_later_file_is_still_excluded():
    assert roles_in_texts(["GRANT SELECT ON t TO later;", "CREATE ROLE later;"]) == []


def test_history_order_and_duplicates():
    history = load_files(None, [
        ("20240101000000_a.sql", b"CREATE TABLE t (id int);\nGRANT SELECT ON t TO reader;\n"),
        ("20240102000000_b.sql", b"ALTER TABLE t OWNER TO owner_role;\nGRANT INSERT ON t TO Reader;\n"),
    ])
    assert roles_named(history) == ["reader", "owner_role"]


def test_an_unsplittable_file_is_skipped_not_fatal():
    assert roles_in_texts(["GRANT SELECT ON t TO 'open", "GRANT SELECT ON t TO fine;"]) == ["fine"]


def test_the_bundled_histories_name_no_roles():
    from pathlib import Path

    from attune_tui.core.loader import load_history

    root = Path(__file__).resolve().parents[2]
    assert roles_named(load_history(root / "migrations.old")) == []
    assert roles_named(load_history(root / "migrations")) == []
