"""Engine benchmark: load + fold a synthetic history, then reassign files one at a time.

    /tmp/venv/bin/python benchmarks/bench_engine.py [--sizes 200,2000,10000] [--repeat N]
        [--seed 0] [--reassignments 20] [--profile SIZE] [--single-core] [--fresh N]

Prints JSON on stdout; progress (and, with --profile, cProfile tables) on stderr.

Per size N (synthetic history from ``synth.generate_history(N, seed)``, not timed):

* ``load_fold_s``: median over repeats of ``load_files`` + ``Consolidation(history,
  plan)`` with the parse cache ``attune_tui.core.replay._PARSED`` cleared first,
  so every repeat parses, classifies and folds from scratch.  Above
  ``attune_tui.core.parse_pool.MIN_CHARS`` of SQL a worker process parses the
  later files on a second core (``--single-core`` turns that off, to compare);
  ``load_fold_cpu_s`` is the CPU time of this process and ``load_fold_total_cpu_s``
  adds the worker's: the first is steadier than wall time on a shared machine,
  the second shows what the second core costs;
* ``load_fold_fresh_s`` (with ``--fresh N``): the median of N load + folds, each in a new
  interpreter, as a command-line run pays it (no warm caches, a new process to fork from);
* ``first_render_all_s``: placement + rendering every target once afterwards
  (what the app does before it shows anything), from the last repeat;
* ``reassign_ms``: median over ``--reassignments`` different moves of
  ``cons.assign(legacy, neighbouring target)`` + ``cons.render(that target)``,
  each move undone (untimed) before the next; ``reassign_max_ms`` is the worst.  As in the app,
  the consolidation is frozen out of the cyclic garbage collector first (``gc.freeze``).

The plan groups files i into target i // 10 (``<version of its first file>_group_0001.sql``, ...).
Targets: 2,000 migrations loaded and folded in <= 2 s; one reassignment <= 50 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from synth import generate_history, history_lines  # noqa: E402

from attune_tui.core import parse_pool  # noqa: E402
from attune_tui.core import replay as replay_mod  # noqa: E402
from attune_tui.core.consolidate import Consolidation  # noqa: E402
from attune_tui.core.loader import load_files  # noqa: E402
from attune_tui.core.plan import Plan, Target  # noqa: E402

GROUP = 10


def grouped_plan(names: list[str], group: int = GROUP) -> Plan:
    """Legacy file i goes to target i // group, named after the version of its first file."""
    plan = Plan()
    for i, name in enumerate(names):
        k = i // group
        if i % group == 0:
            plan.targets.append(Target(f"{name.split('_', 1)[0]}_group_{k + 1:04d}.sql", f"files {i + 1}-{i + group}"))
        plan.assign[name] = plan.targets[k].file
    return plan


def load_fold(files: list[tuple[str, bytes]]) -> Consolidation:
    history = load_files(None, files)
    return Consolidation(history, grouped_plan([m.name for m in history.migrations]))


def moves(cons: Consolidation, count: int) -> list[tuple[str, str, str]]:
    """``count`` (legacy, from target, to target) moves spread over the chain, each to a neighbouring group."""
    names = [m.name for m in cons.history.migrations]
    targets = cons.plan.target_names()
    if len(targets) < 2:
        return []
    out = []
    for j in range(count):
        i = (j * len(names)) // count + (j % GROUP)
        i = min(i, len(names) - 1)
        legacy = names[i]
        k = targets.index(cons.plan.assign[legacy])
        # alternate: to the next group (file leaves early) / to the previous group
        to = k + 1 if (j % 2 == 0 and k + 1 < len(targets)) or k == 0 else k - 1
        out.append((legacy, targets[k], targets[to]))
    return out


def clear_cache() -> None:
    replay_mod._PARSED.clear()
    gc.collect()


def profile(fn, top: int = 15) -> str:
    pr = cProfile.Profile()
    pr.enable()
    fn()
    pr.disable()
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def bench(size: int, repeat: int, seed: int, n_moves: int, do_profile: bool) -> dict:
    log = lambda msg: print(f"[{size}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    t0 = time.perf_counter()
    files = generate_history(size, seed)
    lines = history_lines(files)
    log(f"generated {len(files)} files, {lines} lines in {time.perf_counter() - t0:.1f}s")

    times, cpu_times, total_cpu = [], [], []
    cons = None
    for rep in range(repeat):
        cons = None
        clear_cache()
        t, c, tc = time.perf_counter(), time.process_time(), _all_cpu()
        cons = load_fold(files)
        times.append(time.perf_counter() - t)
        cpu_times.append(time.process_time() - c)
        total_cpu.append(_all_cpu() - tc)
        log(f"load+fold repeat {rep + 1}/{repeat}: {times[-1]:.3f}s (cpu {cpu_times[-1]:.3f}s here, "
            f"{total_cpu[-1]:.3f}s with the parsing worker)")
    assert cons is not None

    t = time.perf_counter()
    cons.render_all()
    first_render = time.perf_counter() - t
    errors = cons.errors()
    log(f"first render_all: {first_render:.3f}s; {len(cons.problems())} problems, {len(errors)} errors")

    # As the app does (ui/session.py): the session's graph is frozen out of the cyclic collector once
    # built and painted, or a full collection's pass over it (0.3 s at 2,000 files) lands on a reassignment.
    gc.collect()
    gc.freeze()
    reassign = []
    for legacy, back, to in moves(cons, n_moves):
        t = time.perf_counter()
        cons.assign(legacy, to)
        cons.render(to)
        reassign.append((time.perf_counter() - t) * 1000)
        cons.assign(legacy, back)
        cons.render(back)
    if reassign:
        log(f"reassign: median {statistics.median(reassign):.1f} ms, max {max(reassign):.1f} ms over {len(reassign)}")
    gc.unfreeze()

    if do_profile:
        def lf():
            clear_cache()
            load_fold(files)

        print(f"\n===== profile: load+fold, {size} migrations =====", file=sys.stderr)
        print(profile(lf), file=sys.stderr)
        legacy, back, to = moves(cons, n_moves)[n_moves // 2]

        def one():
            cons.assign(legacy, to)
            cons.render(to)

        print(f"===== profile: one reassignment ({legacy} -> {to}) =====", file=sys.stderr)
        print(profile(one), file=sys.stderr)
        cons.assign(legacy, back)

    return {
        "migrations": len(files),
        "lines": lines,
        "statements": len(cons.replay.statements),
        "targets": len(cons.plan.targets),
        "load_fold_s": round(statistics.median(times), 4),
        "load_fold_all_s": [round(x, 4) for x in times],
        "load_fold_cpu_s": round(statistics.median(cpu_times), 4),
        "load_fold_total_cpu_s": round(statistics.median(total_cpu), 4),
        "first_render_all_s": round(first_render, 4),
        "reassign_ms": round(statistics.median(reassign), 2) if reassign else None,
        "reassign_max_ms": round(max(reassign), 2) if reassign else None,
        "reassignments": len(reassign),
        "errors": len(errors),
    }


def fresh_loads(size: int, seed: int, count: int, single_core: bool) -> list[float]:
    """Load + fold in ``count`` new interpreters, one each: what a command-line run pays (nothing warm)."""
    out = []
    for _ in range(count):
        cmd = [sys.executable, __file__, "--one-load", str(size), "--seed", str(seed)]
        done = subprocess.run(cmd + (["--single-core"] if single_core else []), capture_output=True, text=True,
                              check=True)
        out.append(float(done.stdout.strip()))
    return out


def one_load(size: int, seed: int) -> None:
    files = generate_history(size, seed)
    t = time.perf_counter()
    load_fold(files)
    print(f"{time.perf_counter() - t:.4f}")


def _all_cpu() -> float:
    """CPU seconds of this process and of its finished child processes (the parsing worker)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="attune-tui engine benchmark")
    ap.add_argument("--sizes", default="200,2000,10000")
    ap.add_argument("--repeat", type=int, default=None, help="load+fold repeats (default 3; 1 for sizes >= 10000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reassignments", type=int, default=20)
    ap.add_argument("--profile", type=int, default=None, metavar="SIZE", help="print cProfile tables for this size")
    ap.add_argument("--single-core", action="store_true", help="parse in this process only (no worker)")
    ap.add_argument("--fresh", type=int, default=0, metavar="N",
                    help="also time N load+folds, each in a new interpreter (as a command-line run)")
    ap.add_argument("--one-load", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.single_core:
        parse_pool.MIN_CHARS = sys.maxsize
    if a.one_load is not None:
        one_load(a.one_load, a.seed)
        return
    machine = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "parsing_worker": not a.single_core,
    }
    results = []
    for size in [int(x) for x in a.sizes.split(",") if x.strip()]:
        repeat = a.repeat if a.repeat is not None else (3 if size < 10000 else 1)
        results.append(bench(size, repeat, a.seed, a.reassignments, a.profile == size))
        if a.fresh:
            fresh = fresh_loads(size, a.seed, a.fresh, a.single_core)
            results[-1]["load_fold_fresh_s"] = round(statistics.median(fresh), 4)
            results[-1]["load_fold_fresh_all_s"] = [round(x, 4) for x in fresh]
            print(f"[{size}] load+fold in fresh interpreters: {', '.join(f'{x:.3f}s' for x in fresh)}", file=sys.stderr)
    machine["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps({"machine": machine, "results": results}, indent=2))


if __name__ == "__main__":
    main()
