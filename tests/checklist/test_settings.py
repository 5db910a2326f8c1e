"""The plan's checklist section: settings read strictly, states persisted and marked stale by plan changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from attune_tui.checklist.model import Status, StepState
from attune_tui.checklist.settings import load_states, plan_digest, read_settings, store_states
from attune_tui.core.plan import PlanError, dump_plan, load_plan

ROOT = Path(__file__).resolve().parents[2]


def bundled():
    return load_plan((ROOT / "consolidation.plan.yaml").read_text(encoding="utf-8"))


def test_the_bundled_plan_runs_its_schema_tests():
    s = read_settings(bundled())
    assert s.test_command.startswith("python -m pytest -q ") and s.test_command.endswith(" tests/schema")
    assert (ROOT / "tests" / "schema").is_dir()


@pytest.mark.parametrize("section,fragment", [
    ({"surprise": 1}, "unknown checklist key 'surprise'"),
    ({"test_command": ["pytest"]}, "checklist.test_command must be a string"),
    ({"intended_differences": [{"attribute": "default"}]}, "needs an 'object' pattern"),
    ({"intended_differences": [{"object": "x", "why": "?"}]}, "unknown key 'why'"),
    ({"steps": ["backup"]}, "checklist.steps must map"),
])
def test_a_malformed_checklist_section_is_one_sentence(section, fragment):
    plan = bundled()
    plan.checklist = section
    with pytest.raises(PlanError, match=fragment):
        read_settings(plan)


def test_states_survive_the_plan_file_and_go_stale_when_the_plan_changes():
    plan = bundled()
    passed = StepState("compare", Status.PASSED, "identical schemas", 0.5, ["line"] * 100, "2026-11-25T00:00:00+00:00",
                       plan_digest(plan))
    diff = {"object": "column public.t.c", "attribute": "exists", "old": "present", "new": None,
            "intended": False, "reason": ""}
    failed = StepState("counts", Status.FAILED, "counts differ", 0.1, [], "", plan_digest(plan),
                       {"differences": [diff] * 80})
    store_states(plan, {"compare": passed, "counts": failed})
    again = load_plan(dump_plan(plan))
    assert dump_plan(again) == dump_plan(plan)  # export, import, export: same bytes
    st = load_states(again, ["compare", "backup"])
    assert st["compare"].status is Status.PASSED and st["compare"].result == "identical schemas"
    assert len(st["compare"].log) == 40  # the plan keeps the tail of long logs
    assert st["backup"].status is Status.PENDING
    assert load_states(again, ["counts"])["counts"].details == {"differences": [diff] * 50}  # kept, shortened
    assert plan_digest(again) == plan_digest(plan)  # the state itself does not change the digest
    again.assign[next(iter(again.assign))] = again.targets[-1].file
    st = load_states(again, ["compare"])
    assert st["compare"].status is Status.PENDING and "plan changed" in st["compare"].result


def test_a_step_left_running_by_a_dead_session_is_pending():
    assert StepState.from_dict("x", {"status": "running"}).status is Status.PENDING
