"""A small synthetic history (benchmarks/synth.py) consolidated under the benchmark's grouped plan.

The generated legacy SQL itself is checked against a real PostgreSQL by
``benchmarks/check_synth_pg.py`` (run by hand; too slow for the suite).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

from bench_engine import grouped_plan, moves  # noqa: E402
from synth import generate_history, history_lines  # noqa: E402

from attune_tui.core import replay as replay_mod  # noqa: E402
from attune_tui.core.consolidate import Consolidation  # noqa: E402
from attune_tui.core.loader import load_files  # noqa: E402

SIZE = 60
SEED = 0


def consolidate(files: list[tuple[str, bytes]], fresh_cache: bool = True) -> Consolidation:
    if fresh_cache:
        replay_mod._PARSED.clear()
    history = load_files(None, files)
    return Consolidation(history, grouped_plan([m.name for m in history.migrations]))


def texts(cons: Consolidation) -> dict[str, str]:
    return {f.name: f.text for f in cons.render_all()}


def is_type_forward_reference(p) -> bool:
    """The engine limitation reported with the benchmark (see test_no_forward_reference_to_a_later_type)."""
    return p.code == "forward-reference" and " needs type:" in p.message


@pytest.fixture(scope="module")
def files() -> list[tuple[str, bytes]]:
    return generate_history(SIZE, SEED)


def test_generator_is_deterministic_and_sqlx_shaped(files):
    assert files == generate_history(SIZE, SEED)
    assert files != generate_history(SIZE, SEED + 1)
    names = [n for n, _ in files]
    assert len(names) == SIZE == len(set(names))
    versions = [n.split("_", 1)[0] for n in names]
    assert all(re.fullmatch(r"20\d{12}", v) for v in versions)
    assert versions == sorted(versions) and len(set(versions)) == SIZE
    assert all(re.fullmatch(r"\d{14}_[a-z0-9_]+\.sql", n) for n in names)
    assert 40 * SIZE < history_lines(files) < 120 * SIZE
    sql = b"\n".join(d for _, d in files).decode()
    for needle in ("CREATE TABLE", "REFERENCES", "ON DELETE CASCADE", "CHECK (", "ADD COLUMN", "DROP COLUMN",
                   "SET DEFAULT", "CREATE INDEX", "USING gin", "AS ENUM", "ADD VALUE", "$$", "CREATE OR REPLACE FUNCTION",
                   "EXECUTE FUNCTION", "COMMENT ON", "INSERT INTO", "DROP INDEX", "'{}'::jsonb"):
        assert needle in sql, needle


def test_consolidates_without_errors(files):
    cons = consolidate(files)
    cons.render_all()
    errors = [p for p in cons.errors() if not is_type_forward_reference(p)]
    assert errors == []
    assert len(cons.plan.targets) == SIZE // 10


def test_no_forward_reference_to_a_later_type(files):
    cons = consolidate(files)
    assert [p for p in cons.errors() if is_type_forward_reference(p)] == []


def test_output_is_deterministic(files):
    first = texts(consolidate(files))
    assert first == texts(consolidate(files))  # fresh parse cache
    assert first == texts(consolidate(files, fresh_cache=False))  # cached parses


def test_output_does_not_depend_on_hash_seed(files):
    """Set iteration order must not leak into the emitted files."""
    code = (
        "import sys, hashlib; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "from test_synthetic import consolidate, texts, SIZE, SEED; from synth import generate_history;"
        "t = texts(consolidate(generate_history(SIZE, SEED)));"
        "print(hashlib.sha256(repr(sorted(t.items())).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        out = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(BENCH)],
                             env=env, capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    here = texts(consolidate(files))
    digests.add(hashlib.sha256(repr(sorted(here.items())).encode()).hexdigest())
    assert len(digests) == 1


def test_reassign_and_back_restores_the_text(files):
    cons = consolidate(files)
    before = texts(cons)
    changed = 0
    for legacy, home, other in moves(cons, 6):
        cons.assign(legacy, other)
        moved = cons.render(other).text
        changed += moved != before[other]
        cons.assign(legacy, home)
        assert cons.render(home).text == before[home], legacy
        assert cons.render(other).text == before[other], legacy
    assert changed > 0  # the moves did something
    assert texts(cons) == before


def test_incremental_layout_after_many_changes_equals_a_fresh_one(files):
    import random

    from attune_tui.core.plan import Plan, Target

    cons = consolidate(files)
    cons.render_all()
    rng = random.Random(7)
    legacy = [m.name for m in cons.history.migrations]
    targets = cons.plan.target_names()
    for step in range(25):
        cons.assign(rng.choice(legacy), rng.choice(targets))
        if step % 5 == 4:  # overrides too, including one that pins an object
            key = rng.choice(sorted(k for k in cons.catalog.objects if k.startswith(("table:", "type:", "index:"))))
            cons.override(key, rng.choice(targets))
        cons.render(rng.choice(targets))
    incremental = (texts(cons), [str(p) for p in cons.problems()])
    plan = Plan(targets=[Target(t.file, t.purpose) for t in cons.plan.targets], assign=dict(cons.plan.assign),
                overrides=dict(cons.plan.overrides))
    fresh = Consolidation(cons.history, plan)
    assert incremental == (texts(fresh), [str(p) for p in fresh.problems()])
