"""The plan file: a reviewable YAML description that reproduces a consolidation.

Keys are written in one fixed order and read strictly: an unknown key, a
missing migration, an unknown target or a target path leaving the output
folder is a :class:`PlanError` with one sentence naming the culprit.
Export → import → export gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

YAML_TARGET = "yaml"
HEADER = "# attune-tui consolidation plan: which legacy migration goes where.\n# Edit in the app (attune-tui) or by hand; `attune-tui apply` writes what it describes.\n"


class PlanError(ValueError):
    """A plan that cannot be used; the message is one sentence naming the culprit."""


@dataclass
class Target:
    file: str
    purpose: str = ""


@dataclass
class Extraction:
    """Rows of one table leave the migrations for one YAML file per row."""

    table: str
    to: str
    file: str = "{name}.yaml"  # str.format over the row
    key: str = "name"  # what identifies a row (for loading and comparing)
    exclude: list[str] = field(default_factory=list)  # columns set by the database (ids, timestamps)


@dataclass
class Plan:
    source: str = "migrations.old"
    output: str = "migrations"
    targets: list[Target] = field(default_factory=list)
    assign: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    extract: list[Extraction] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)
    checklist: dict[str, Any] = field(default_factory=dict)

    def target_names(self) -> list[str]:
        return [t.file for t in self.targets]

    def target_index(self, name: str) -> int:
        for i, t in enumerate(self.targets):
            if t.file == name:
                return i
        raise KeyError(name)

    def extract_tables(self) -> list[str]:
        return [e.table for e in self.extract]


_TOP_KEYS = ("version", "source", "output", "targets", "assign", "overrides", "extract", "checksums", "checklist")
_TARGET_KEYS = ("file", "purpose")
_EXTRACT_KEYS = ("table", "to", "file", "key", "exclude")


def checksum_hex(data: bytes) -> str:
    return hashlib.sha384(data).hexdigest()


def dump_plan(plan: Plan) -> str:
    """The plan as YAML text, keys in a fixed order."""
    doc: dict[str, Any] = {
        "version": 1,
        "source": plan.source,
        "output": plan.output,
        "targets": [{"file": t.file, "purpose": t.purpose} for t in plan.targets],
        "assign": dict(plan.assign),
        "overrides": dict(plan.overrides),
        "extract": [
            {"table": e.table, "to": e.to, "file": e.file, "key": e.key, "exclude": list(e.exclude)}
            for e in plan.extract
        ],
        "checksums": dict(plan.checksums),
        "checklist": plan.checklist,
    }
    return HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


# libyaml's loader when PyYAML has it (its wheels do): a plan for thousands of files loads in
# a tenth of the time, with the same data.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_plan(text: str, where: str = "plan") -> Plan:
    """Parse and validate the structure of a plan (names are checked by :func:`check_plan`)."""
    try:
        doc = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise PlanError(f"{where}{line}: malformed YAML ({problem})") from None
    if not isinstance(doc, dict):
        raise PlanError(f"{where}: expected a mapping of plan settings at the top level")
    _no_unknown(doc, _TOP_KEYS, where)
    if doc.get("version", 1) != 1:
        raise PlanError(f"{where}: version {doc.get('version')!r} is not supported (expected 1)")
    plan = Plan(
        source=_str(doc, "source", where, "migrations.old"),
        output=_str(doc, "output", where, "migrations"),
    )
    for i, t in enumerate(_list(doc, "targets", where)):
        w = f"{where}: targets[{i}]"
        if not isinstance(t, dict):
            raise PlanError(f"{w} must be a mapping with 'file' and 'purpose'")
        _no_unknown(t, _TARGET_KEYS, w)
        if not isinstance(t.get("file"), str) or not t["file"]:
            raise PlanError(f"{w} needs a 'file' name")
        plan.targets.append(Target(t["file"], str(t.get("purpose") or "")))
    plan.assign = _str_map(doc, "assign", where)
    plan.overrides = _str_map(doc, "overrides", where)
    for i, e in enumerate(_list(doc, "extract", where)):
        w = f"{where}: extract[{i}]"
        if not isinstance(e, dict):
            raise PlanError(f"{w} must be a mapping with 'table' and 'to'")
        _no_unknown(e, _EXTRACT_KEYS, w)
        if not isinstance(e.get("table"), str) or not isinstance(e.get("to"), str):
            raise PlanError(f"{w} needs 'table' and 'to'")
        exclude = e.get("exclude") or []
        if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
            raise PlanError(f"{w}: 'exclude' must be a list of column names")
        plan.extract.append(Extraction(e["table"], e["to"], str(e.get("file") or "{name}.yaml"), str(e.get("key") or "name"), exclude))
    plan.checksums = _str_map(doc, "checksums", where)
    checklist = doc.get("checklist") or {}
    if not isinstance(checklist, dict):
        raise PlanError(f"{where}: 'checklist' must be a mapping")
    plan.checklist = checklist
    _check_structure(plan, where)
    return plan


def _no_unknown(d: dict, allowed: tuple[str, ...], where: str) -> None:
    for k in d:
        if k not in allowed:
            raise PlanError(f"{where}: unknown key {k!r} (expected one of {', '.join(allowed)})")


def _str(doc: dict, k: str, where: str, default: str) -> str:
    v = doc.get(k, default)
    if not isinstance(v, str) or not v:
        raise PlanError(f"{where}: {k!r} must be a folder name")
    return v


def _list(doc: dict, k: str, where: str) -> list:
    v = doc.get(k) or []
    if not isinstance(v, list):
        raise PlanError(f"{where}: {k!r} must be a list")
    return v


def _str_map(doc: dict, k: str, where: str) -> dict[str, str]:
    v = doc.get(k) or {}
    if not isinstance(v, dict) or not all(isinstance(a, str) and isinstance(b, str) for a, b in v.items()):
        raise PlanError(f"{where}: {k!r} must map names to names")
    return dict(v)


def safe_relative(path: str) -> bool:
    """True for a plain relative path that stays inside its folder."""
    p = PurePosixPath(path.replace("\\", "/"))
    return bool(path) and not p.is_absolute() and ".." not in p.parts and not re.match(r"^[A-Za-z]:", path)


def _check_structure(plan: Plan, where: str) -> None:
    names = set()
    for t in plan.targets:
        if not safe_relative(t.file) or "/" in t.file.replace("\\", "/"):
            raise PlanError(f"{where}: target {t.file!r} escapes the output folder {plan.output!r}")
        if not t.file.endswith(".sql"):
            raise PlanError(f"{where}: target {t.file!r} must be a .sql file name")
        if t.file in names:
            raise PlanError(f"{where}: target {t.file!r} is listed twice")
        names.add(t.file)
    for legacy, target in plan.assign.items():
        if target != YAML_TARGET and target not in names:
            raise PlanError(f"{where}: {legacy} is assigned to unknown target {target!r}")
    for obj, target in plan.overrides.items():
        if target != YAML_TARGET and target not in names:
            raise PlanError(f"{where}: override {obj!r} names unknown target {target!r}")
    for e in plan.extract:
        if not safe_relative(e.to):
            raise PlanError(f"{where}: extraction folder {e.to!r} escapes the project folder")


def check_plan(plan: Plan, migration_names: list[str], where: str = "plan") -> None:
    """Names in the plan must exist in the history."""
    known = set(migration_names)
    for legacy in plan.assign:
        if legacy not in known:
            raise PlanError(f"{where}: assigns {legacy}, which is not in {plan.source}")


def initial_plan(migration_names: list[str], descriptions: dict[str, str] | None = None,
                 source: str = "migrations.old", output: str = "migrations") -> Plan:
    """A starting plan: one target per legacy file, each keeping its own name."""
    plan = Plan(source=source, output=output)
    for name in migration_names:
        plan.targets.append(Target(name, (descriptions or {}).get(name, "")))
        plan.assign[name] = name
    return plan
