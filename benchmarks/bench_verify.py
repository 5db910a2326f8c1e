"""Time ``attune-tui verify`` on the bundled example, as a user runs it (a fresh process each time).

Per run: the wall time of the whole process (embedded server start and stop
included), its CPU time (with the test-suite subprocess it waits for; the
server is a daemon, so its CPU is not in it), the load average when it started,
and each step's duration from ``--json``.  Prints medians as a markdown table,
with the machine.

    python benchmarks/bench_verify.py --repeat 5
    python benchmarks/bench_verify.py --repeat 5 --against /tmp/old-checkout
    python benchmarks/bench_verify.py --step backup --step generate   # only some steps

``--against DIR`` alternates runs with another checkout of the project (its
own ``attune_tui`` package and bundled example: ``git worktree add`` or
``git archive | tar -x``), A, B, A, B..., so both see the same moments of a
noisy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Runs:
    """What the runs of one checkout measured."""

    root: Path
    walls: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    values: dict[str, list[float]] = field(default_factory=dict)  # step titles and ``timings`` keys


def run_once(runs: Runs, env: dict[str, str], steps: list[str]) -> str | None:
    """One verify in ``runs.root`` (only ``steps`` if any); None, or why it failed."""
    runs.loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan"))
    before = os.times()
    started = time.perf_counter()
    # python -m from the checkout's folder imports that checkout's attune_tui (the current folder comes first)
    argv = [sys.executable, "-m", "attune_tui", "verify", "--json", *(a for s in steps for a in ("--step", s))]
    done = subprocess.run(argv, cwd=runs.root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        return f"verify failed in {runs.root}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    out = json.loads(done.stdout)
    runs.walls.append(wall)
    runs.cpu.append(after.children_user + after.children_system - before.children_user - before.children_system)
    for s in out["steps"]:
        runs.values.setdefault(f"step: {s['title']}", []).append(s["duration"])
    for k, v in out["timings"].items():
        runs.values.setdefault(k, []).append(v)
    return None


def _cell(values: list[float], bold: bool = False, digits: int = 2) -> str:
    if not values:
        return "–"
    med = f"{statistics.median(values):.{digits}f} s"
    return f"{'**' + med + '**' if bold else med} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def report(all_runs: list[Runs], repeat: int) -> None:
    loads = [x for r in all_runs for x in r.loads]
    print(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}; "
          f"load average at the runs' starts: median {statistics.median(loads):.1f} "
          f"({min(loads):.1f}–{max(loads):.1f}); medians (min–max) of {repeat} runs"
          f"{', alternated' if len(all_runs) > 1 else ''}\n")
    names = [str(r.root) for r in all_runs]
    print("| | " + " | ".join(names) + " |\n|---|" + "---:|" * len(all_runs))
    print("| **verify, whole process** | " + " | ".join(_cell(r.walls, bold=True, digits=1) for r in all_runs) + " |")
    print("| CPU of verify + test suite | " + " | ".join(_cell(r.cpu, digits=1) for r in all_runs) + " |")
    keys = list(dict.fromkeys(k for r in all_runs for k in r.values))
    for k in keys:
        print(f"| {k} | " + " | ".join(_cell(r.values.get(k, [])) for r in all_runs) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--against", type=Path, metavar="DIR",
                    help="another checkout to alternate with (its results come second)")
    ap.add_argument("--step", action="append", default=[], metavar="ID", help="run only this step (repeatable)")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded server, started each time
    all_runs = [Runs(ROOT)] + ([Runs(args.against.resolve())] if args.against else [])
    for i in range(args.repeat):
        for runs in all_runs:
            failed = run_once(runs, env, args.step)
            if failed:
                print(f"run {i + 1}: {failed}", file=sys.stderr)
                return 1
            print(f"run {i + 1}/{args.repeat} {runs.root}: {runs.walls[-1]:.1f} s (load {runs.loads[-1]:.1f})",
                  file=sys.stderr, flush=True)
    report(all_runs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
