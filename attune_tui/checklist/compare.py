"""Schema comparison as the checklist uses it: structured diff with the plan's intended differences marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..db.schemadiff import Difference, SchemaModel, counts, diff_models, failing, format_differences, mark_intended
from .model import Reporter, StepFailed

if TYPE_CHECKING:
    from .context import RunContext

__all__ = ["Difference", "failing", "format_differences", "legacy_vs_new", "object_counts", "one_line", "schema_diff"]


def schema_diff(legacy: SchemaModel, new: SchemaModel, intended: Sequence[Mapping[str, Any]]) -> list[Difference]:
    """Differences from the legacy schema to the new one; a malformed intended entry fails the step."""
    try:
        return mark_intended(diff_models(legacy, new), intended)
    except ValueError as e:
        raise StepFailed(f"checklist.intended_differences: {e}") from None


def legacy_vs_new(ctx: RunContext, rep: Reporter) -> list[Difference]:
    """The legacy chain's schema against the consolidated chain's, computed once per run for every step that asks."""
    return ctx.once("diffs", lambda: schema_diff(ctx.model("legacy", rep), ctx.model("new", rep),
                                                 ctx.settings.intended_differences))


def object_counts(model: SchemaModel) -> dict[str, int]:
    return counts(model)


def one_line(d: Difference, a_name: str = "legacy", b_name: str = "consolidated") -> str:
    """A difference as a short phrase for a step's one-line result."""
    if d.attribute == "exists":
        return f"{d.object} only in the {a_name if d.old else b_name} schema"
    if "\n" in (d.old or "") + (d.new or ""):
        return f"{d.object}: {d.attribute} differs"
    return f"{d.object}: {d.attribute} {d.old} → {d.new}"
