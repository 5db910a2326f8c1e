"""A reassignment recomputes only what it touches; the result must equal a layout made from scratch.

Random (seeded) runs of assignments, overrides (also to a file that is not a target) and undone
overrides, on the bundled example and on a synthetic history, compared after every step with a
fresh consolidation of the same plan.
"""

from __future__ import annotations

import copy
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_engine import grouped_plan  # noqa: E402
from synth import generate_history  # noqa: E402

from attune_tui.core.consolidate import Consolidation  # noqa: E402
from attune_tui.core.loader import History, load_files, load_history  # noqa: E402
from attune_tui.core.plan import YAML_TARGET, Plan, load_plan  # noqa: E402


def _state(cons: Consolidation) -> tuple:
    layout = cons.layout
    return ([(f.name, f.text) for f in cons.render_all()], [str(p) for p in cons.problems()],
            dict(sorted(layout.placed.items())), {k: sorted(v) for k, v in sorted(layout.split.items())})


def _bundled() -> tuple[History, Plan]:
    return load_history(ROOT / "migrations.old"), load_plan((ROOT / "consolidation.plan.yaml").read_text())


def _synthetic() -> tuple[History, Plan]:
    history = load_files(None, generate_history(150, seed=7))
    return history, grouped_plan([m.name for m in history.migrations])


@pytest.mark.parametrize(("make", "steps"), [(_bundled, 40), (_synthetic, 25)], ids=["bundled", "synthetic"])
def test_incremental_layout_equals_a_fresh_one(make, steps: int) -> None:
    history, plan = make()
    cons = Consolidation(history, plan)
    cons.render_all()
    rng = random.Random(1)
    files = [m.name for m in history.migrations]
    targets = plan.target_names()
    objects = list(cons.catalog.objects)
    kinds = {"assign": 0, "override": 0, "clear": 0}
    for _ in range(steps):
        op = rng.choice(["assign", "assign", "override", "clear"])
        if op == "assign":
            cons.assign(rng.choice(files), rng.choice([*targets, YAML_TARGET]))
        elif op == "override":
            k = rng.choice(objects)
            if rng.random() < 0.5:
                k = "statement:{0.file}@{0.sid}".format(cons.catalog.objects[k].origin)
            cons.override(k, rng.choice([*targets, "nowhere.sql"]))
        elif cons.plan.overrides:
            cons.override(rng.choice(sorted(cons.plan.overrides)), None)
        kinds[op] += 1
        fresh = Consolidation(history, copy.deepcopy(cons.plan))
        assert _state(cons) == _state(fresh), f"after {kinds}"
    assert min(kinds.values()) > 0
