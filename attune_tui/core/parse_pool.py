"""Parse a long history on two cores.

Parsing (split + classify) is most of a cold load, and files parse
independently, but folding must go in order and stays in this process.  So
for a long history the unparsed files are cut into ``CHUNKS`` runs of about
equal size, and a forked worker process parses them in chain order, just
ahead of this process, which folds them as they come back.  Each run is
claimed, under a lock, by whichever process takes it first.  When the next
run to fold is still with the worker, this process does not wait: it parses
the next unclaimed run and comes back.  So neither side idles until the runs
are all claimed, the share each parses follows how fast it really is (also
when another program slows a core down), and both move through the chain
together: when the worker sends its last run, only that run is left to fold.
(Taking runs from the end of the chain instead left half the chain to fold
after the worker was done, with the second core idle: 0.1 s slower at 2,000
files.)

The worker's statements come back pickled, through files in a spool folder
(``/dev/shm`` where there is one); the pipe only says which run is done.
Unpickling costs this process about a fifth of parsing the same files.
Below ``MIN_CHARS`` of unparsed SQL the worker's start-up and that transfer
cost more than they save, and everything is parsed here, as on one core.

The worker is forked (it inherits the files' text, nothing is sent to it),
so only from a process without other threads (the command line): forking a
threaded process can deadlock the child.  The app parses in its thread; a
fork server, a fresh interpreter importing the package, was measured two to
three times slower than parsing here.  Results are the same either way (a
test checks it); if the worker cannot start or fails, its runs are parsed here.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .diagnostics import Diagnostic
from .loader import Migration
from .parse import Parsed, cache_key, is_cached, nothing_cached, parse_migration, parse_text, remember
from .statements import Statement

MIN_CHARS = 1_500_000  # about 500 files of a typical history
CHUNKS = 32  # runs of files; smaller runs meet more evenly (the last one is waited for), each costs a file and a message

FREE, WORKER, LOCAL = 0, 1, 2  # who parses a run


def parsed_files(migrations: Sequence[Migration], diagnostics: list[Diagnostic]) -> Iterator[list[Statement]]:
    """Each file's statements in order (diagnostics appended), parsed on two cores when that pays."""
    cold = nothing_cached()  # then the worker starts before the keys are made (they hash every text)
    keys = [] if cold else [cache_key(m) for m in migrations]
    todo = list(range(len(migrations))) if cold else [i for i, k in enumerate(keys) if not is_cached(k)]
    chars = sum(len(migrations[i].text) for i in todo)
    worker = _Worker.start(migrations, _chunks(migrations, todo)) if _worth_it(chars) else None
    keys = keys or [cache_key(m) for m in migrations]
    if worker is not None:
        worker.keys = keys
    try:
        for i, m in enumerate(migrations):
            if worker is not None and not is_cached(keys[i]):
                parsed = worker.parsed(i)
                if parsed is not None:
                    remember(keys[i], parsed)
            yield parse_migration(m, diagnostics, keys[i])
    finally:
        if worker is not None:
            worker.stop()


def _worth_it(chars: int) -> bool:
    return chars >= MIN_CHARS and (os.cpu_count() or 1) >= 2 and can_fork()


def _chunks(migrations: Sequence[Migration], todo: list[int]) -> list[list[int]]:
    """The unparsed files in ``CHUNKS`` runs of about equal size, in chain order."""
    sizes = [len(migrations[i].text) for i in todo]
    per = sum(sizes) / CHUNKS
    out: list[list[int]] = [[]]
    seen = 0
    for i, size in zip(todo, sizes):
        if out[-1] and seen >= per * len(out):
            out.append([])
        out[-1].append(i)
        seen += size
    return out


class _Worker:
    """A forked process parsing runs in chain order, and this side's view of it."""

    def __init__(self, migrations: Sequence[Migration], chunks: list[list[int]],
                 spool: str, state: Any, lock: Any, conn: Any, process: Any) -> None:
        self.migrations = migrations
        self.keys: list[tuple[str, str]] = []  # the parse-cache keys, set once made (after the fork)
        self.chunks = chunks
        self.spool = spool
        self.state = state  # shared: FREE / WORKER / LOCAL per run
        self.lock = lock
        self.conn = conn  # receives the numbers of finished runs
        self.process = process
        self.where = {i: (n, pos) for n, chunk in enumerate(chunks) for pos, i in enumerate(chunk)}
        self.done: set[int] = set()
        self.loaded: dict[int, list[Parsed] | None] = {}
        self.broken = False

    @classmethod
    def start(cls, migrations: Sequence[Migration], chunks: list[list[int]]) -> _Worker | None:
        spool = _spool()
        if spool is None:
            return None
        try:
            ctx = multiprocessing.get_context("fork")
            # Anonymous shared memory, seen by both sides after the fork (a RawArray costs 10 ms to set up).
            state = mmap.mmap(-1, len(chunks))
            state[0] = LOCAL  # this process starts there at once
            lock = ctx.Lock()
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_work, args=(migrations, chunks, spool, state, lock, send), daemon=True)
            process.start()
            send.close()
        except (OSError, ValueError, ImportError):  # no processes here (a sandbox): one core it is
            shutil.rmtree(spool, ignore_errors=True)
            return None
        return cls(migrations, chunks, spool, state, lock, receive, process)

    def parsed(self, i: int) -> Parsed | None:
        """File ``i`` as the worker parsed it, or None when this process is to parse it."""
        n, pos = self.where[i]
        if n not in self.loaded:
            self.loaded[n] = self._take(n)
        chunk = self.loaded[n]
        return chunk[pos] if chunk is not None else None

    def _take(self, n: int) -> list[Parsed] | None:
        """Run ``n``, read back from the worker; None if this process is to parse it."""
        while True:
            self._receive(block=False)
            if n in self.done:
                return self._read(n)
            with self.lock:
                if self.state[n] == FREE:
                    self.state[n] = LOCAL
                mine = self.state[n] == LOCAL
            if mine or self.broken:  # a run the dead worker had claimed is parsed here too
                return None
            if not self._steal():  # the worker is on it and nothing is left to do meanwhile
                self._receive(block=True)

    def _steal(self) -> bool:
        """Parse the next unclaimed run into the cache; False when there is none."""
        with self.lock:
            n = next((m for m in range(len(self.chunks)) if self.state[m] == FREE), None)
            if n is None:
                return False
            self.state[n] = LOCAL
        for i in self.chunks[n]:
            m = self.migrations[i]
            remember(self.keys[i], parse_text(m.name, m.text))
        return True

    def _receive(self, block: bool) -> None:
        """Note the runs the worker reports done (waiting for one when ``block``)."""
        try:
            while block or self.conn.poll():
                self.done.add(self.conn.recv())
                block = False
        except (EOFError, OSError):  # the worker is gone: what it had not finished is parsed here
            self.broken = True

    def _read(self, n: int) -> list[Parsed] | None:
        try:
            path = os.path.join(self.spool, f"{n}.pickle")
            with open(path, "rb") as f:
                data = f.read()
            os.unlink(path)
            return pickle.loads(data)
        except Exception:  # an unreadable result: parse here instead, nothing is lost
            return None

    def stop(self) -> None:
        """Release the worker: normally it is done; when folding stopped early it stops after its run."""
        with self.lock:
            for n in range(len(self.chunks)):
                if self.state[n] == FREE:
                    self.state[n] = LOCAL
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.state.close()
        shutil.rmtree(self.spool, ignore_errors=True)


def _work(migrations: Sequence[Migration], chunks: list[list[int]], spool: str, state: Any, lock: Any,
          conn: Any) -> None:
    """The worker: claim each free run in chain order, parse it, write it, report it."""
    import gc
    import signal

    gc.disable()  # a short-lived process building many objects: the collector would only slow it down
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it then lets go of us
    try:
        for n in range(len(chunks)):
            with lock:
                if state[n] != FREE:
                    continue  # this process took it
                state[n] = WORKER
            items = [(migrations[i].name, migrations[i].text) for i in chunks[n]]
            _parse_chunk(items, os.path.join(spool, f"{n}.pickle"))
            conn.send(n)
    except Exception:  # the other side parses what was not reported done
        return
    finally:
        conn.close()


def _parse_chunk(items: list[tuple[str, str]], path: str) -> str:
    """Parse files and write their pickle to ``path`` (complete before it is reported done)."""
    data = pickle.dumps([parse_text(name, text) for name, text in items], protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _spool() -> str | None:
    """A private folder for the worker's results: in memory (``/dev/shm``) where there is one."""
    for where in ("/dev/shm", None):
        if where is not None and not os.path.isdir(where):
            continue
        try:
            return tempfile.mkdtemp(prefix="attune-tui-parse-", dir=where)
        except OSError:
            continue
    return None


def can_fork() -> bool:
    """Fork only a process that runs no other thread: forking threads can deadlock the child."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
