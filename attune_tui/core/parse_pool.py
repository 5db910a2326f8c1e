"""Parse a long history on two cores.

Parsing (split + classify) is most of a cold load, and files parse
independently.  So for a long history a worker process parses the later
files while this process parses the earlier ones and already folds them
(folding must go in order, so it stays here).  The worker's statements come
back pickled, which costs this process about a sixth of parsing them itself:
below ``MIN_CHARS`` of unparsed SQL the worker's start-up and that transfer
cost more than they save, and everything is parsed here, as it is on a
single core.  The worker is forked, so only from a process without other
threads (the command line); the app parses in a thread, and a fork server
(a fresh interpreter importing the package) was measured two to three
times slower than parsing here.  Results are the same either way (a test
checks it); if the worker cannot start or fails, the files are parsed here.

The pickles travel through files in a spool folder (``/dev/shm`` where there
is one), not through the pool's result pipe: a pipe holds 64 KiB, and the
pool's receiving thread, which needs the interpreter lock for every piece,
rarely gets it while this process parses and folds, so the worker sat blocked
on the pipe for about a third of its time.  This process reads a whole file
when it needs it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from .diagnostics import Diagnostic
from .loader import Migration
from .parse import Parsed, cache_key, is_cached, parse_migration, parse_text, remember
from .statements import Statement

MIN_CHARS = 1_500_000  # about 500 files of a typical history
LOCAL_SHARE = 0.45  # of the unparsed characters; this process also folds, so it parses less
CHUNKS = 3  # the worker sends its part in pieces, so folding can start on the first


def parsed_files(migrations: Sequence[Migration], diagnostics: list[Diagnostic]) -> Iterator[list[Statement]]:
    """Each file's statements in order (diagnostics appended), parsed on two cores when that pays."""
    keys = [cache_key(m) for m in migrations]
    todo = [i for i, k in enumerate(keys) if not is_cached(k)]
    chars = sum(len(migrations[i].text) for i in todo)
    remote: dict[int, tuple[Future[str], int]] = {}
    loaded: dict[Future[str], list[Parsed] | None] = {}
    pool = _worker() if chars >= MIN_CHARS and (os.cpu_count() or 1) >= 2 and can_fork() else None
    spool = _spool() if pool is not None else None
    try:
        if pool is not None and spool is not None:
            for n, chunk in enumerate(_chunks(migrations, todo, chars)):
                items = [(migrations[i].name, migrations[i].text) for i in chunk]
                fut = pool.submit(_parse_chunk, items, os.path.join(spool, f"{n}.pickle"))
                remote.update((i, (fut, pos)) for pos, i in enumerate(chunk))
        for i, m in enumerate(migrations):
            if i in remote:
                fut, pos = remote.pop(i)
                if fut not in loaded:
                    loaded[fut] = _load(fut)
                chunk_parsed = loaded[fut]
                parsed = chunk_parsed[pos] if chunk_parsed is not None else parse_text(m.name, m.text)
                remember(keys[i], parsed)
            yield parse_migration(m, diagnostics, keys[i])
    finally:
        if pool is not None:
            # Normally every result was read and the worker is idle.  When folding stopped early,
            # queued chunks are cancelled and the worker exits after the one it is parsing.
            pool.shutdown(wait=not remote, cancel_futures=True)
        if spool is not None:
            shutil.rmtree(spool, ignore_errors=True)


def _chunks(migrations: Sequence[Migration], todo: list[int], chars: int) -> list[list[int]]:
    """The worker's part: the later unparsed files, in ``CHUNKS`` runs of about equal size."""
    out: list[list[int]] = []
    local = LOCAL_SHARE * chars
    per = (chars - local) / CHUNKS
    seen = 0
    for i in todo:
        seen += len(migrations[i].text)
        if seen <= local:
            continue
        if not out or (len(out) < CHUNKS and seen - local > per * len(out)):
            out.append([])
        out[-1].append(i)
    return out


def _load(fut: Future[str]) -> list[Parsed] | None:
    """A chunk's statements, read back from the worker's file; None if the worker failed."""
    try:
        path = fut.result()
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        return pickle.loads(data)
    except Exception:  # a broken or killed worker, a full disk: parse here instead, nothing is lost
        return None


def _spool() -> str | None:
    """A private folder for the worker's results: in memory (``/dev/shm``) where there is one."""
    shm = "/dev/shm"
    try:
        return tempfile.mkdtemp(prefix="attune-tui-parse-", dir=shm if os.path.isdir(shm) else None)
    except OSError:
        try:
            return tempfile.mkdtemp(prefix="attune-tui-parse-")
        except OSError:
            return None


def _worker() -> ProcessPoolExecutor | None:
    """A one-process pool, forked."""
    try:
        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError, ImportError):  # no processes here (a sandbox): one core it is
        return None


def can_fork() -> bool:
    """Fork only a process that runs no other thread: forking threads can deadlock the child."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _parse_chunk(items: list[tuple[str, str]], path: str) -> str:
    """Parse files in the worker and write their pickle to ``path``; returns ``path``."""
    import gc

    gc.disable()  # a short-lived process building many objects: the collector would only slow it down
    data = pickle.dumps([parse_text(name, text) for name, text in items], protocol=pickle.HIGHEST_PROTOCOL)
    with open(path, "wb") as f:
        f.write(data)
    return path
