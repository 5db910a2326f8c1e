"""Statistics of a chain, computed by replaying it: never typed in.

Both the legacy chain and the generated one go through the same replay, so
"before" and "after" are measured the same way.
"""

from __future__ import annotations

from typing import Iterable

from .loader import Migration
from .replay import Replay, replay

KEYS = ("migration_files", "lines_of_sql", "statements", "enum_types", "tables_created",
        "tables_created_then_dropped", "columns_added_then_dropped", "columns_created_then_dropped",
        "functions", "triggers", "indexes")

LABELS = {
    "migration_files": "Migration files",
    "lines_of_sql": "Lines of SQL",
    "statements": "Statements",
    "enum_types": "Enum types",
    "tables_created": "Tables created",
    "tables_created_then_dropped": "Tables created then dropped",
    "columns_added_then_dropped": "Columns added then dropped",
    "columns_created_then_dropped": "Columns created then dropped",
    "functions": "Function definitions",
    "triggers": "Triggers created",
    "indexes": "Indexes created",
}


def line_count(text: str) -> int:
    """Lines as ``wc -l`` counts them, plus a last line without a newline."""
    return text.count("\n") + (1 if text and not text.endswith("\n") else 0)


def chain_stats(migrations: Iterable[Migration], done: Replay | None = None) -> dict[str, int]:
    files = list(migrations)
    r = done or replay(files)
    c = r.catalog.counts
    return {
        "migration_files": len(files),
        "lines_of_sql": sum(line_count(m.text) for m in files),
        "statements": len(r.statements),
        "enum_types": c["enum_types"],
        "tables_created": c["tables_created"],
        "tables_created_then_dropped": c["tables_created_then_dropped"],
        "columns_added_then_dropped": c["columns_added_then_dropped"],
        "columns_created_then_dropped": c["columns_created_then_dropped"],
        "functions": c["functions"],
        "triggers": c["triggers"],
        "indexes": c["indexes"],
    }


def change(before: int, after: int) -> str:
    if before == after:
        return "0"
    if before == 0:
        return f"+{after}"
    pct = round((after - before) * 100 / before)
    return f"{after - before:+,d} ({pct:+d}%)"


def format_table(before: dict[str, int], after: dict[str, int]) -> str:
    """The seed report's statistics table, as Markdown."""
    rows = ["| Metric | Before | After | Change |", "|---|---:|---:|---:|"]
    for k in KEYS:
        rows.append(f"| {LABELS[k]} | {before[k]:,} | {after[k]:,} | {change(before[k], after[k])} |")
    return "\n".join(rows)
