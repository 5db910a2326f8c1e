"""Schema comparison benchmark: catalog introspection + structured diff vs two pg_dump runs.

    /tmp/venv/bin/python benchmarks/bench_schema_compare.py [--repeat N] [--synth 200,2000] [--seed 0]

Builds two databases once per workload (not timed): the bundled legacy chain
(``migrations.old``) and the bundled consolidated chain (``migrations``); with
``--synth``, a synthetic history of each size (``synth.generate_history``) applied
to two databases.  Then, alternating the two methods ``--repeat`` times, times:

* ``introspect``: ``introspect(a)`` + ``introspect(b)`` + ``diff_models`` (each
  introspection opens its own connection);
* ``concurrent``: ``introspect_all([a, b])`` (both at once, two threads) + ``diff_models``;
* ``pg_dump``: ``pg_dump(a)`` + ``pg_dump(b)`` (``attune_tui.db.schema.pg_dump``, one
  process each) + ``normalise_dump`` + ``diff_schemas`` (difflib).

Prints a markdown table of medians (and the machine) on stdout, progress on stderr.
Target: the comparison takes less time than the two pg_dump runs alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT))

from synth import generate_history

from attune_tui.core.loader import load_files, load_history
from attune_tui.db.introspect import introspect, introspect_all
from attune_tui.db.schema import diff_schemas, normalise_dump, pg_dump
from attune_tui.db.schemadiff import counts, diff_models
from attune_tui.db.server import Server, open_server
from attune_tui.db.sqlx import apply_chain
from attune_tui.db.throwaway import throwaway_database


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def compare_introspect(a: str, b: str) -> tuple[float, float, int]:
    """(seconds for both introspections, seconds for the whole comparison, differences)."""
    t = time.perf_counter()
    ma, mb = introspect(a), introspect(b)
    t_read = time.perf_counter() - t
    diffs = diff_models(ma, mb)
    return t_read, time.perf_counter() - t, len(diffs)


def compare_concurrent(a: str, b: str) -> float:
    t = time.perf_counter()
    ma, mb = introspect_all([a, b])
    diff_models(ma, mb)
    return time.perf_counter() - t


def compare_pg_dump(server: Server, a: str, b: str) -> tuple[float, float, int]:
    """(seconds for the two pg_dump runs, seconds for dump + normalise + difflib, diff lines)."""
    t = time.perf_counter()
    da, db = pg_dump(server, a), pg_dump(server, b)
    t_dump = time.perf_counter() - t
    lines = diff_schemas(normalise_dump(da), normalise_dump(db))
    return t_dump, time.perf_counter() - t, len(lines)


def bench(server: Server, label: str, a: str, b: str, repeat: int) -> dict:
    ms: dict[str, list[float]] = {"introspect_read": [], "introspect_total": [], "concurrent_total": [],
                                  "pg_dump_runs": [], "pg_dump_total": []}
    found = None
    for i in range(repeat):
        r_read, r_total, n_diff = compare_introspect(a, b)
        d_dump, d_total, n_lines = compare_pg_dump(server, a, b)
        ms["concurrent_total"].append(compare_concurrent(a, b))
        ms["introspect_read"].append(r_read)
        ms["introspect_total"].append(r_total)
        ms["pg_dump_runs"].append(d_dump)
        ms["pg_dump_total"].append(d_total)
        found = (n_diff, n_lines)
        log(f"[{label}] {i + 1}/{repeat}: introspect+diff {r_total * 1000:.1f} ms, "
            f"concurrently {ms['concurrent_total'][-1] * 1000:.1f} ms, "
            f"pg_dump x2 {d_dump * 1000:.1f} ms (+normalise+diff {d_total * 1000:.1f} ms)")
    med = {k: statistics.median(v) * 1000 for k, v in ms.items()}
    c = counts(introspect(a))
    return {"label": label, "objects": f"{c['tables']} tables, {c['columns']} columns, {c['indexes']} indexes",
            "differences": found, **med}


def bundled(server: Server, repeat: int) -> dict:
    with throwaway_database(server, "bench_legacy") as a, throwaway_database(server, "bench_consolidated") as b:
        t, _ = timed(lambda: apply_chain(a, load_history(ROOT / "migrations.old").migrations,
                                         allow_duplicate_versions=True))
        t2, _ = timed(lambda: apply_chain(b, load_history(ROOT / "migrations").migrations))
        log(f"[bundled] chains applied in {t:.1f} s and {t2:.1f} s (not timed)")
        return bench(server, "bundled legacy vs consolidated", a, b, repeat)


def synthetic(server: Server, size: int, seed: int, repeat: int) -> dict:
    migrations = load_files(None, generate_history(size, seed)).migrations
    with throwaway_database(server, f"bench_synth_{size}_a") as a, \
            throwaway_database(server, f"bench_synth_{size}_b") as b:
        t, _ = timed(lambda: (apply_chain(a, migrations), apply_chain(b, migrations)))
        log(f"[synth {size}] applied twice in {t:.1f} s (not timed)")
        return bench(server, f"synthetic {size} migrations (same chain twice)", a, b, repeat)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="attune-tui schema comparison benchmark")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--synth", default="", help="also compare synthetic histories of these sizes, e.g. 200,2000")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rows = []
    with open_server() as server:
        version = server.version
        rows.append(bundled(server, a.repeat))
        for size in [int(x) for x in a.synth.split(",") if x.strip()]:
            rows.append(synthetic(server, size, a.seed, a.repeat))
    print(f"Schema comparison, median of {a.repeat} runs (ms); PostgreSQL {version // 10000} "
          f"({server.kind}), {os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}\n")
    print("| workload | schema | introspect ×2 | introspect ×2 + diff | same, concurrently | pg_dump ×2 "
          "| pg_dump ×2 + normalise + diff | speed-up (sequential / concurrent vs pg_dump ×2) "
          "| differences (structured / diff lines) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        seq, conc = r["pg_dump_runs"] / r["introspect_total"], r["pg_dump_runs"] / r["concurrent_total"]
        print(f"| {r['label']} | {r['objects']} | {r['introspect_read']:.1f} | {r['introspect_total']:.1f} "
              f"| {r['concurrent_total']:.1f} | {r['pg_dump_runs']:.1f} | {r['pg_dump_total']:.1f} "
              f"| {seq:.1f}× / {conc:.1f}× | {r['differences'][0]} / {r['differences'][1]} |")


if __name__ == "__main__":
    main()
