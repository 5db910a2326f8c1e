"""Parse a long history on two cores.

Parsing (split + classify) is most of a cold load, and files parse
independently.  So for a long history a worker process parses the later
files while this process parses the earlier ones and already folds them
(folding must go in order, so it stays here).  The worker's statements come
back pickled, which costs this process about a third of parsing them itself:
below ``MIN_CHARS`` of unparsed SQL the worker's start-up and that transfer
cost more than they save, and everything is parsed here, as it is on a
single core.  The worker is forked, so only from a process without other
threads (the command line); the app parses in a thread, and a fork server
(a fresh interpreter importing the package) was measured two to three
times slower than parsing here.  Results are the same either way (a test
checks it); if the worker cannot start or fails, the files are parsed here.
"""

from __future__ import annotations

import multiprocessing
import os
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
    remote: dict[int, tuple[Future[list[Parsed]], int]] = {}
    pool = _worker() if chars >= MIN_CHARS and (os.cpu_count() or 1) >= 2 and can_fork() else None
    try:
        if pool is not None:
            for chunk in _chunks(migrations, todo, chars):
                fut = pool.submit(_parse_chunk, [(migrations[i].name, migrations[i].text) for i in chunk])
                remote.update((i, (fut, pos)) for pos, i in enumerate(chunk))
        for i, m in enumerate(migrations):
            if i in remote:
                fut, pos = remote.pop(i)
                parsed = _result(fut, pos)
                remember(keys[i], parsed if parsed is not None else parse_text(m.name, m.text))
            yield parse_migration(m, diagnostics, keys[i])
    finally:
        if pool is not None:
            # Normally every result was read and the worker is idle.  When folding stopped early,
            # queued chunks are cancelled and the worker exits after the one it is parsing.
            pool.shutdown(wait=not remote, cancel_futures=True)


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


def _result(fut: Future[list[Parsed]], pos: int) -> Parsed | None:
    try:
        return fut.result()[pos]
    except Exception:  # a broken or killed worker: parse here instead, nothing is lost
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


def _parse_chunk(items: list[tuple[str, str]]) -> list[Parsed]:
    import gc

    gc.disable()  # a short-lived process building many objects: the collector would only slow it down
    return [parse_text(name, text) for name, text in items]
