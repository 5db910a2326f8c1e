"""Seed rows as YAML: one file per row, in the table's column order, JSONB as mappings.

The rows themselves come from replaying the legacy chain on a real database
(``attune_tui.db``); this module only turns rows into text and back, so it
stays pure and byte-for-byte deterministic.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import re
import uuid
from typing import Any

import yaml

from .plan import Extraction, PlanError


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as blocks and no anchors/aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(decimal.Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", str(v)))


def _plain(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def file_name(spec: Extraction, row: dict[str, Any]) -> str:
    try:
        name = spec.file.format(**row)
    except (KeyError, IndexError, ValueError) as e:
        raise PlanError(f"extraction of {spec.table}: file pattern {spec.file!r} needs column {e}") from None
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
        raise PlanError(f"extraction of {spec.table}: row gives unsafe file name {name!r}")
    return name


def render_rows(spec: Extraction, rows: list[dict[str, Any]]) -> dict[str, str]:
    """File name → YAML text for each row (columns in table order, excluded ones left out)."""
    out: dict[str, str] = {}
    for row in rows:
        name = file_name(spec, row)
        if name in out:
            raise PlanError(f"extraction of {spec.table}: two rows map to {name}; use a unique column in 'file'")
        doc = {k: _plain(v) for k, v in row.items() if k not in spec.exclude}
        header = f"# {spec.table} row {row.get(spec.key)!s}: final state after the legacy chain (attune-tui)\n"
        out[name] = header + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                                       default_flow_style=False)
    return dict(sorted(out.items()))


def parse_rows(texts: dict[str, str]) -> list[dict[str, Any]]:
    """Rows back from YAML texts (file name → text), in file-name order."""
    rows = []
    for name in sorted(texts):
        doc = yaml.safe_load(texts[name])
        if not isinstance(doc, dict):
            raise PlanError(f"{name}: expected a mapping of column values")
        rows.append(doc)
    return rows
