"""Schema comparison as the checklist uses it: structured diff with the plan's intended differences marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..db.schemadiff import Difference, SchemaModel, counts, diff_models, format_differences, mark_intended
from .model import StepFailed

__all__ = ["Difference", "format_differences", "object_counts", "one_line", "schema_diff"]


def schema_diff(legacy: SchemaModel, new: SchemaModel, intended: Sequence[Mapping[str, Any]]) -> list[Difference]:
    """Differences from the legacy schema to the new one; a malformed intended entry fails the step."""
    try:
        return mark_intended(diff_models(legacy, new), intended)
    except ValueError as e:
        raise StepFailed(f"checklist.intended_differences: {e}") from None


def object_counts(model: SchemaModel) -> dict[str, int]:
    return counts(model)


def one_line(d: Difference, a_name: str = "legacy", b_name: str = "consolidated") -> str:
    """A difference as a short phrase for a step's one-line result."""
    if d.attribute == "exists":
        return f"{d.object} only in the {a_name if d.old else b_name} schema"
    if "\n" in (d.old or "") + (d.new or ""):
        return f"{d.object}: {d.attribute} differs"
    return f"{d.object}: {d.attribute} {d.old} → {d.new}"
