"""Parsing on a second core gives exactly what parsing here gives, and the cache keeps diagnostics."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from bench_engine import grouped_plan  # noqa: E402
from synth import generate_history  # noqa: E402

from attune_tui.core import parse, parse_pool  # noqa: E402
from attune_tui.core.consolidate import Consolidation  # noqa: E402
from attune_tui.core.loader import load_files  # noqa: E402

FILES = generate_history(120, seed=3)


def _canon(value: object) -> object:
    """A comparable form: sets sorted (their order follows each process's string hashing)."""
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, tuple(_canon(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(map(repr, value))))
    if isinstance(value, (list, tuple)):
        return tuple(_canon(v) for v in value)
    return value


def _snapshot(cons: Consolidation) -> tuple:
    stmts = [(s.file, s.index, s.kind, s.sid, s.text, s.lead, s.creates, s.alters, s.drops, s.depends, _canon(s.detail))
             for s in cons.replay.statements]
    rendered = [(f.name, f.text) for f in cons.render_all()]
    return stmts, rendered, [str(d) for d in cons.problems()]


def _consolidate(files) -> Consolidation:
    parse._PARSED.clear()
    history = load_files(None, files)
    return Consolidation(history, grouped_plan([m.name for m in history.migrations]))


@dataclasses.dataclass
class WorkerUse:
    files: list[int] = dataclasses.field(default_factory=list)  # files the worker was given, per consolidation


@pytest.fixture
def worker_used(monkeypatch: pytest.MonkeyPatch) -> WorkerUse:
    """Force the worker for small histories and record what it was given."""
    monkeypatch.setattr(parse_pool, "MIN_CHARS", 0)
    use = WorkerUse()
    real_chunks = parse_pool._chunks

    def chunks(*args):
        out = real_chunks(*args)
        use.files.append(sum(len(c) for c in out))
        return out

    monkeypatch.setattr(parse_pool, "_chunks", chunks)
    return use


def test_worker_gives_the_same_consolidation() -> None:
    """Also when the worker fails.  Run in a fresh interpreter: the suite's own threads (servers, apps)
    rightly keep the worker off in this one."""
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[2])!r}]\n"
        "import test_parse_pool as t\n"
        "from attune_tui.core import parse_pool\n"
        "assert parse_pool.can_fork()\n"
        "parse_pool.MIN_CHARS = 0\n"
        "given = []\n"
        "real = parse_pool._chunks\n"
        "parse_pool._chunks = lambda *a: given.append(real(*a)) or given[-1]\n"
        "with_worker = t._snapshot(t._consolidate(t.FILES))\n"
        "assert sum(map(len, given[0])) > 30, given\n"
        "parse_pool.MIN_CHARS = 10**12\n"
        "assert with_worker == t._snapshot(t._consolidate(t.FILES))\n"
        "parse_pool.MIN_CHARS = 0\n"
        "parse_pool._parse_chunk = lambda items, path: 1 / 0  # cannot be pickled: the worker fails, parsing falls back\n"
        "given.clear()\n"
        "assert with_worker == t._snapshot(t._consolidate(t.FILES)) and given\n"
        "print('same')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "same", done.stderr[-3000:]


def test_no_worker_is_forked_from_a_threaded_process(worker_used: WorkerUse) -> None:
    """The app consolidates in a worker thread: forking it could deadlock the child, so it parses here."""
    out: list[tuple] = []
    t = threading.Thread(target=lambda: out.append(_snapshot(_consolidate(FILES))))
    t.start()
    t.join(120)
    assert out and worker_used.files == []
    assert out[0] == _snapshot(_consolidate(FILES))


def test_cached_parse_keeps_the_files_diagnostics() -> None:
    files = [("20250101000000_a.sql", b"CREATE TABLE a (id INT);\nCREATE TABLE b (id INT)"),
             ("20250101000001_b.sql", b"CREATE TABLE c (note TEXT DEFAULT 'open);\n")]
    parse._PARSED.clear()
    history = load_files(None, files)
    plan = grouped_plan([m.name for m in history.migrations])
    first = [(d.file, d.code) for d in Consolidation(history, plan).catalog.diagnostics]
    second = [(d.file, d.code) for d in Consolidation(history, plan).catalog.diagnostics]
    assert ("20250101000000_a.sql", "no-semicolon") in first
    assert ("20250101000001_b.sql", "syntax") in first
    assert second == first
