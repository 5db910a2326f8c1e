"""The initdb cache: the first start keeps a pristine cluster, later starts copy it, a broken copy is forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_tui.db import initdb_cache
from attune_tui.db.cluster import FAST_SETTINGS, initdb_options, scratch_parent
from attune_tui.db.errors import DatabaseError
from attune_tui.db.pgtools import embedded_bin_dir
from attune_tui.db.server import open_server

from .helpers import query


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own; the entry the embedded server's clusters use."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    bin_dir = embedded_bin_dir()
    assert bin_dir is not None
    entry = initdb_cache.entry_for(bin_dir, initdb_options(FAST_SETTINGS))
    assert entry is not None and entry.parent == tmp_path / "attune-tui"
    return entry


def _started() -> tuple[int, Path]:
    """Start an embedded server: its cluster's system identifier (initdb draws a new one) and data folder."""
    with open_server(kind="embedded") as server:
        ident = query(server.admin_uri, "SELECT system_identifier FROM pg_control_system()")[0][0]
        data = Path(query(server.admin_uri, "SHOW data_directory")[0][0])
        assert query(server.admin_uri, "SELECT current_setting('fsync')") == [("off",)]  # the settings came along
    return ident, data


def test_later_starts_copy_the_first_initdb(cache: Path):
    first, _ = _started()
    assert (cache / "PG_VERSION").is_file()
    second, data = _started()
    third, _ = _started()
    # initdb gives every cluster its own identifier; copies of the one it cached share it
    assert first == second == third
    assert data.is_relative_to(scratch_parent()) and not data.exists()  # copies are scratch too: gone after
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # nothing half-written left behind
    initdb_cache.forget(cache)
    fourth, _ = _started()
    assert fourth != first


def test_an_entry_the_server_cannot_start_from_is_forgotten(cache: Path):
    _started()
    (cache / "global" / "pg_control").unlink()  # a broken entry: PostgreSQL refuses to start without it
    with pytest.raises(DatabaseError, match="did not start"):
        _started()
    assert not cache.exists()
    _started()  # initdb again, and cached again
    assert (cache / "global" / "pg_control").is_file()


def test_another_server_build_gets_another_entry(tmp_path: Path, cache: Path):
    programs = tmp_path / "bin"
    programs.mkdir()
    for name in ("initdb", "postgres"):
        (programs / name).write_text("#!/bin/sh\n")
    other = initdb_cache.entry_for(programs, initdb_options(FAST_SETTINGS))
    assert other is not None and other != cache
    assert initdb_cache.entry_for(programs, initdb_options(())) != other  # other settings too
