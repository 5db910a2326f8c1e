"""Time ``attune-tui verify`` on the bundled example, as a user runs it (a fresh process each time).

Per run: the wall time of the whole process (embedded server start and stop
included), and each step's duration from ``--json``.  Prints medians as a
markdown table, with the machine.

    python benchmarks/bench_verify.py --repeat 5
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the embedded server, started each time
    walls: list[float] = []
    steps: dict[str, list[float]] = {}
    timings: dict[str, list[float]] = {}
    for i in range(args.repeat):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "attune_tui", "verify", "--json"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        out = json.loads(done.stdout)
        if done.returncode != 0:
            print(f"run {i + 1}: verify failed:\n{done.stdout[-2000:]}", file=sys.stderr)
            return 1
        for s in out["steps"]:
            steps.setdefault(s["title"], []).append(s["duration"])
        for k, v in out["timings"].items():
            timings.setdefault(k, []).append(v)
        print(f"run {i + 1}/{args.repeat}: {walls[-1]:.1f} s", file=sys.stderr, flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}, "
          f"load average {load:.1f} at the end; medians of {args.repeat} runs\n")
    print("| | median | min | max |\n|---|---:|---:|---:|")
    print(f"| **verify, whole process** | **{statistics.median(walls):.1f} s** | {min(walls):.1f} s | {max(walls):.1f} s |")
    for name, values in steps.items():
        print(f"| step: {name} | {statistics.median(values):.2f} s | {min(values):.2f} s | {max(values):.2f} s |")
    for name, values in timings.items():
        print(f"| {name} | {statistics.median(values):.2f} s | {min(values):.2f} s | {max(values):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
