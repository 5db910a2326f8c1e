"""A history's extensions and roles are checked against the server before anything is applied."""

from __future__ import annotations

import secrets

import pytest

from attune_tui.core.loader import load_files
from attune_tui.db.connect import connect
from attune_tui.db.errors import DatabaseError
from attune_tui.db.extensions import MissingExtension
from attune_tui.db.roles import missing_roles
from attune_tui.db.server import Server
from attune_tui.pipeline import prepare_server


def history(sql: str):
    return load_files(None, [("20250101000001_init.sql", sql.encode())])


def test_a_missing_extension_is_named_before_anything_runs(pg_server: Server):
    h = history('CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE EXTENSION "attune_no_such_ext";\n')
    with pytest.raises(MissingExtension) as e:
        prepare_server(pg_server, h)
    assert e.value.names == ["attune_no_such_ext"]


def test_roles_are_created_on_a_throwaway_server_and_only_listed_on_a_given_one(pg_server: Server):
    role = f"attune_tui_test_{secrets.token_hex(4)}_reader"
    h = history(f"CREATE TABLE t (id int);\nGRANT SELECT ON t TO {role};\n")
    given = Server(pg_server.admin_uri, "url", pg_server.bin_dir, pg_server.version)
    try:
        with pytest.raises(DatabaseError, match=f"grant to role {role}, which .* lacks; .*--create-roles"):
            prepare_server(given, h)
        assert missing_roles(pg_server.admin_uri, [role]) == [role]
        said: list[str] = []
        prepare_server(pg_server if pg_server.kind != "url" else given, h, create_roles=True, progress=said.append)
        assert missing_roles(pg_server.admin_uri, [role]) == []
        assert said == [f"created role {role} (named by GRANT/OWNER TO)"]
    finally:
        with connect(pg_server.admin_uri) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
