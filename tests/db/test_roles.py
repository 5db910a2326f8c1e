"""Creating the roles a history names, on a real server; every role made here is dropped again."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from psycopg import sql

from attune_tui.core.loader import load_files
from attune_tui.core.roles import roles_named
from attune_tui.db.connect import connect
from attune_tui.db.errors import ApplyError
from attune_tui.db.roles import create_roles, missing_roles
from attune_tui.db.server import Server
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database

from .helpers import exists, query


@dataclass
class Scratch:
    """A throwaway database plus a prefix no other role on the cluster has."""

    uri: str
    prefix: str


@pytest.fixture
def scratch(pg_server: Server, request: pytest.FixtureRequest) -> Iterator[Scratch]:
    """Roles are cluster-wide: drop the database (and with it the roles' privileges) first, then the roles."""
    prefix = f"attune_tui_test_{secrets.token_hex(3)}_"
    try:
        with throwaway_database(pg_server, request.node.name) as uri:
            yield Scratch(uri, prefix)
    finally:
        with connect(pg_server.admin_uri) as conn:
            names = [r[0] for r in conn.execute(
                "SELECT rolname FROM pg_roles WHERE starts_with(lower(rolname), %s)", [prefix])]
            for name in names:
                conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
        assert query(pg_server.admin_uri, "SELECT count(*) FROM pg_roles WHERE starts_with(lower(rolname), %s)",
                     [prefix]) == [(0,)]


def test_a_grant_to_a_missing_role_fails_until_the_role_is_created(scratch: Scratch):
    reader = f"{scratch.prefix}app_reader"
    history = load_files(None, [
        ("20240101000000_t.sql", f"CREATE TABLE t (id int);\nGRANT SELECT ON t TO {reader};\n".encode()),
        ("20240102000000_owner.sql", f"ALTER TABLE t OWNER TO {reader.upper()};\n".encode()),
    ])
    names = roles_named(history)
    assert names == [reader]  # the upper-case spelling folds to the same role
    assert missing_roles(scratch.uri, names) == [reader]

    with pytest.raises(ApplyError) as err:
        apply_chain(scratch.uri, history.migrations)
    assert err.value.file == "20240101000000_t.sql" and err.value.sqlstate == "42704"  # undefined_object
    assert not exists(scratch.uri, "t")  # the failing file's transaction rolled back

    assert create_roles(scratch.uri, names) == [reader]
    assert missing_roles(scratch.uri, names) == []
    assert len(apply_chain(scratch.uri, history.migrations)) == 2
    assert query(scratch.uri, "SELECT has_table_privilege(%s, 't', 'SELECT'), "
                              "pg_get_userbyid(relowner) FROM pg_class WHERE relname = 't'", [reader]) == [(True, reader)]


def test_roles_are_created_nologin_quoted_and_only_once(scratch: Scratch):
    odd = f'{scratch.prefix}Mixed "Case"'
    plain = f"{scratch.prefix}plain"
    assert missing_roles(scratch.uri, [odd, plain, odd]) == [odd, plain]
    assert create_roles(scratch.uri, [odd, plain, plain]) == [odd, plain]
    assert create_roles(scratch.uri, [odd, plain]) == []  # idempotent
    rows = query(scratch.uri, "SELECT rolname, rolcanlogin, rolsuper, rolcreaterole FROM pg_roles "
                              "WHERE starts_with(rolname, %s) ORDER BY rolname", [scratch.prefix])
    assert rows == sorted([(odd, False, False, False), (plain, False, False, False)])
    # a name differing only by case is a different role
    assert missing_roles(scratch.uri, [plain.upper()]) == [plain.upper()]


def test_existing_roles_are_not_missing(scratch: Scratch):
    with connect(scratch.uri) as conn:
        me = conn.execute("SELECT current_user").fetchone()[0]
    assert missing_roles(scratch.uri, [me]) == []
    assert create_roles(scratch.uri, [me]) == []
    assert missing_roles(scratch.uri, []) == [] and create_roles(scratch.uri, []) == []


def test_role_membership_and_owner_histories_apply_after_create(scratch: Scratch):
    admin, member = f"{scratch.prefix}admin", f"{scratch.prefix}member"
    text = (f"CREATE SCHEMA app AUTHORIZATION {admin};\n"
            f"GRANT {admin} TO {member};\n"
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {admin} IN SCHEMA app GRANT SELECT ON TABLES TO {member};\n")
    history = load_files(None, [("20240101000000_app.sql", text.encode())])
    names = roles_named(history)
    assert names == [admin, member]
    assert create_roles(scratch.uri, names) == names
    apply_chain(scratch.uri, history.migrations)
    assert query(scratch.uri, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'app'") == [(admin,)]
    assert query(scratch.uri, "SELECT pg_has_role(%s, %s, 'MEMBER')", [member, admin]) == [(True,)]
