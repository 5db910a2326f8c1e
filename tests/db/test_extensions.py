"""missing_extensions: what pg_available_extensions lacks, and a MissingExtension that says what to do."""

from __future__ import annotations

import pytest

from attune_tui.db.extensions import MissingExtension, missing_extensions, require_extensions


def test_unknown_extensions_are_named_in_order(fresh_db):
    assert missing_extensions(fresh_db, ["pg_trgm", "no_such_ext", "plpgsql", "also_missing", "no_such_ext"]) == \
        ["no_such_ext", "also_missing"]
    assert missing_extensions(fresh_db, []) == []


def test_embedded_server_lacks_uuid_ossp_but_has_pg_trgm(pg_server, fresh_db):
    if not pg_server.embedded:
        pytest.skip("a DATABASE_URL server may well have uuid-ossp")
    assert missing_extensions(fresh_db, ["uuid-ossp", "pg_trgm", "citext", "btree_gin"]) == ["uuid-ossp"]
    with pytest.raises(MissingExtension) as err:
        require_extensions(fresh_db, ["pg_trgm", "uuid-ossp"])
    assert err.value.names == ["uuid-ossp"]
    message = str(err.value)
    assert "extension uuid-ossp" in message and "contrib" in message and "DATABASE_URL" in message
    require_extensions(fresh_db, ["pg_trgm"])
