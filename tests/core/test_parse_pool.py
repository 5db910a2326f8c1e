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


def _run_fresh(script: str, expected: str) -> None:
    """Run a test script in a fresh interpreter (no threads, so the worker may fork); it prints ``expected``."""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == expected, done.stderr[-3000:]


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
        "from_worker = []\n"
        "real = parse_pool._Worker._read\n"
        "def read(self, n):\n"
        "    out = real(self, n)\n"
        "    from_worker.append(len(out))\n"
        "    return out\n"
        "parse_pool._Worker._read = read\n"
        "with_worker = t._snapshot(t._consolidate(t.FILES))\n"
        "assert sum(from_worker) > 10, from_worker\n"
        "parse_pool.MIN_CHARS = 10**12\n"
        "assert with_worker == t._snapshot(t._consolidate(t.FILES))\n"
        "parse_pool.MIN_CHARS = 0\n"
        "def fail(items, path):\n"
        "    raise RuntimeError('worker fails')\n"
        "parse_pool._parse_chunk = fail  # the worker dies on its first run: this process parses everything\n"
        "from_worker.clear()\n"
        "assert with_worker == t._snapshot(t._consolidate(t.FILES)) and from_worker == []\n"
        "print('same')\n"
    )
    _run_fresh(script, "same")


def test_runs_are_claimed_once_and_folding_early_stop_releases_the_worker() -> None:
    """Every run is parsed by exactly one side, and stopping the iteration early ends the worker."""
    script = (
        "import sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(Path(__file__).parents[2])!r}]\n"
        "import test_parse_pool as t\n"
        "from attune_tui.core import parse, parse_pool\n"
        "from attune_tui.core.loader import load_files\n"
        "parse_pool.MIN_CHARS = 0\n"
        "workers = []\n"
        "real_start = parse_pool._Worker.start\n"
        "parse_pool._Worker.start = classmethod(lambda cls, *a: workers.append(real_start.__func__(cls, *a)) or workers[-1])\n"
        "parse._PARSED.clear()\n"
        "history = load_files(None, t.FILES)\n"
        "gen = parse_pool.parsed_files(history.migrations, [])\n"
        "[next(gen) for _ in range(len(history.migrations))]\n"
        "w = workers[0]\n"
        "assert all(w.state[n] in (parse_pool.WORKER, parse_pool.LOCAL) for n in range(len(w.chunks)))\n"
        "assert {n for n in range(len(w.chunks)) if w.state[n] == parse_pool.WORKER} == w.done, w.done\n"
        "gen.close()\n"
        "assert not w.process.is_alive()\n"
        "parse._PARSED.clear()\n"
        "gen = parse_pool.parsed_files(history.migrations, [])\n"
        "next(gen); gen.close()  # folding stopped after the first file\n"
        "w = workers[1]\n"
        "assert not w.process.is_alive() and w.process.exitcode == 0\n"
        "import os; assert not os.path.exists(w.spool)\n"
        "print('ok')\n"
    )
    _run_fresh(script, "ok")


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


def test_replays_of_different_chains_never_share_a_placed_statement() -> None:
    """A cached statement is placed in the first chain that replays it; a chain placing it elsewhere gets a copy."""
    parse._PARSED.clear()
    history = load_files(None, FILES[:20])
    whole = Consolidation(history, grouped_plan([m.name for m in history.migrations]))
    tail = load_files(None, FILES[10:20])  # the same files, earlier in their chain
    later = Consolidation(tail, grouped_plan([m.name for m in tail.migrations]))
    shared = {id(s) for s in whole.replay.statements} & {id(s) for s in later.replay.statements}
    assert not shared
    assert [s.seq for s in whole.replay.statements] == list(range(1, len(whole.replay.statements) + 1))
    assert [s.seq for s in later.replay.statements] == list(range(1, len(later.replay.statements) + 1))
