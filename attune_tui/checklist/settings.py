"""The plan file's ``checklist:`` section: settings the steps need, and the persisted step states.

```yaml
checklist:
  test_command: python -m pytest -q tests/schema   # run with DATABASE_URL = the migrated database
  dev_database: ''                                 # URL of the development database for "deploy"
  intended_differences:                            # schema differences that are on purpose
  - {object: 'column public.runtime.*', attribute: default, reason: ...}
  steps:
    backup: {status: passed, result: ..., duration: 0.01, finished: ..., plan_digest: ..., log: [...]}
```
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..core.plan import Plan, PlanError, dump_plan
from .model import StepState

_KEYS = ("test_command", "dev_database", "intended_differences", "steps")
_INTENDED_KEYS = ("object", "attribute", "reason")


@dataclass
class Settings:
    test_command: str = ""
    dev_database: str = ""
    intended_differences: list[dict[str, str]] = field(default_factory=list)


def read_settings(plan: Plan, where: str = "plan") -> Settings:
    """The checklist settings; a malformed section is a PlanError naming the key."""
    doc = plan.checklist or {}
    for k in doc:
        if k not in _KEYS:
            raise PlanError(f"{where}: unknown checklist key {k!r} (expected one of {', '.join(_KEYS)})")
    for k in ("test_command", "dev_database"):
        if not isinstance(doc.get(k) or "", str):
            raise PlanError(f"{where}: checklist.{k} must be a string")
    intended = doc.get("intended_differences") or []
    if not isinstance(intended, list):
        raise PlanError(f"{where}: checklist.intended_differences must be a list")
    for i, d in enumerate(intended):
        if not isinstance(d, dict) or not isinstance(d.get("object"), str):
            raise PlanError(f"{where}: checklist.intended_differences[{i}] needs an 'object' pattern")
        for k in d:
            if k not in _INTENDED_KEYS:
                raise PlanError(f"{where}: checklist.intended_differences[{i}] has unknown key {k!r}")
    steps = doc.get("steps") or {}
    if not isinstance(steps, dict) or not all(isinstance(v, dict) for v in steps.values()):
        raise PlanError(f"{where}: checklist.steps must map step names to their state")
    return Settings(str(doc.get("test_command") or ""), str(doc.get("dev_database") or ""),
                    [{k: str(v) for k, v in d.items()} for d in intended])


def plan_digest(plan: Plan) -> str:
    """A fingerprint of everything in the plan except the checklist state, to spot stale results."""
    bare = copy.copy(plan)
    bare.checklist = {k: v for k, v in (plan.checklist or {}).items() if k != "steps"}
    return hashlib.sha256(dump_plan(bare).encode()).hexdigest()[:16]


def load_states(plan: Plan, step_ids: list[str]) -> dict[str, StepState]:
    """Persisted states by step; a result recorded against a different plan comes back as pending."""
    saved = (plan.checklist or {}).get("steps") or {}
    digest = plan_digest(plan)
    out = {}
    for sid in step_ids:
        d = saved.get(sid)
        st = StepState.from_dict(sid, d) if isinstance(d, dict) else StepState(sid)
        if st.plan_digest and st.plan_digest != digest and st.status.value != "pending":
            st.result = f"plan changed since this ran ({st.status.value}: {st.result})"
            st.status = StepState(sid).status
        out[sid] = st
    return out


def store_states(plan: Plan, states: dict[str, StepState]) -> None:
    """Write the states into the plan's checklist section (the caller saves the plan)."""
    section: dict[str, Any] = dict(plan.checklist or {})
    section.setdefault("test_command", "")
    section.setdefault("dev_database", "")
    steps = dict(section.get("steps") or {})
    for sid, st in states.items():
        steps[sid] = st.to_dict()
    section["steps"] = steps
    plan.checklist = section
