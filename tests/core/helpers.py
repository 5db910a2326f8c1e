"""Small builders for engine tests: a history from SQL strings, consolidated under a plan."""

from __future__ import annotations

from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_files
from attune_tui.core.plan import Plan, Target


def consolidate(files: dict[str, str], groups: dict[str, list[str]] | None = None,
                overrides: dict[str, str] | None = None, extract: list | None = None) -> Consolidation:
    """``files``: name → SQL.  ``groups``: target name → legacy names (default: one target 'all')."""
    history = load_files(None, [(n, s.encode()) for n, s in files.items()])
    groups = groups or {"0001_all.sql": list(files)}
    plan = Plan(targets=[Target(t) for t in groups], assign={f: t for t, fs in groups.items() for f in fs},
                overrides=dict(overrides or {}), extract=list(extract or []))
    return Consolidation(history, plan)


def body(cons: Consolidation, target: str | None = None) -> str:
    """A target's SQL without the generated header."""
    name = target or cons.plan.targets[0].file
    text = cons.render(name).text
    return text.split("\n\n", 1)[1].strip() if "\n\n" in text else ""
