"""A database schema as a normalised model, and the structured difference of two of them.

Pure logic (no psycopg here): ``introspect.introspect`` fills the model from a live
database; this module only compares.  Every object has a kind, a name and flat
text attributes, so a difference is always *(object, attribute, old, new)*: easy to
read, to filter, and to mark as intended by a plan (``mark_intended``).

Object labels are ``<kind> <name>``: ``table public.runtime``,
``column public.runtime.name``, ``constraint public.runtime.runtime_ref_key``,
``index public.idx_x``, ``enum public.status_enum``, ``function public.f(integer)``,
``trigger public.runtime.trg``, ``extension pg_trgm``.  An object present on one
side only is one difference with attribute ``exists`` (old/new ``"present"`` or
None); the columns, constraints, indexes and triggers of a missing table are not
listed again.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

# Kinds in the order the diff reports them, with the attributes compared for each, in
# report order.  An attribute missing from an object reads as None.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "extension": ("schema", "version"),
    "schema": ("comment",),
    "enum": ("values", "comment"),
    "domain": ("type", "not_null", "default", "collation", "checks", "comment"),
    "table": ("kind", "persistence", "row_security", "force_row_security", "options", "comment"),
    "view": ("kind", "definition", "options", "comment"),
    "sequence": ("type", "start", "increment", "minimum", "maximum", "cache", "cycle", "owned_by", "comment"),
    "column": ("position", "type", "not_null", "default", "identity", "generated", "collation", "serial",
               "comment"),
    "constraint": ("kind", "definition", "references", "on_delete", "on_update", "deferrable", "validated",
                   "comment"),
    "index": ("table", "unique", "method", "columns", "options", "predicate", "comment"),
    "trigger": ("definition", "enabled", "comment"),
    "function": ("kind", "arguments", "result", "language", "volatility", "strict", "security", "leakproof",
                 "parallel", "config", "body", "comment"),
}
KINDS: tuple[str, ...] = tuple(ATTRIBUTES)
_RANK = {k: i for i, k in enumerate(KINDS)}

PRESENT = "present"


@dataclass(frozen=True)
class SchemaObject:
    """One schema object: ``kind`` (a key of ATTRIBUTES), qualified ``name``, text attributes.

    ``parent`` is the label of the object it belongs to (a column's table), so a
    missing table is reported once rather than once per column.
    """

    kind: str
    name: str
    attributes: Mapping[str, str | None]
    parent: str | None = None
    sort_key: tuple[int, str, int, int, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind not in _RANK:
            raise ValueError(f"Unknown schema object kind {self.kind!r}; expected one of {', '.join(KINDS)}.")
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))
        object.__setattr__(self, "sort_key", _sort_key(self))  # computed once, used by every sort

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    def get(self, attribute: str) -> str | None:
        return self.attributes.get(attribute)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "name": self.name}
        if self.parent is not None:
            out["parent"] = self.parent
        out["attributes"] = dict(self.attributes)
        return out


def _sort_key(obj: SchemaObject) -> tuple[int, str, int, int, str]:
    """Objects of a table right after it: ``table t``, its columns, constraints, indexes, triggers."""
    if obj.parent is None:
        return (_RANK[obj.kind], obj.name, 0, 0, "")
    pkind, _, pname = obj.parent.partition(" ")
    return (_RANK.get(pkind, len(KINDS)), pname, 1, _RANK[obj.kind], obj.name)


@dataclass(frozen=True)
class SchemaModel:
    """Every compared object of one database, by label, in report order."""

    objects: Mapping[str, SchemaObject] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = sorted(self.objects.values(), key=lambda o: o.sort_key)
        object.__setattr__(self, "objects", MappingProxyType({o.label: o for o in ordered}))

    @classmethod
    def of(cls, objects: Iterable[SchemaObject]) -> SchemaModel:
        """A model from objects; a label given twice is a bug in the caller, so it raises."""
        by_label: dict[str, SchemaObject] = {}
        for o in objects:
            if o.label in by_label:
                raise ValueError(f"Schema object {o.label} appears twice.")
            by_label[o.label] = o
        return cls(by_label)

    def of_kind(self, kind: str) -> list[SchemaObject]:
        return [o for o in self.objects.values() if o.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"objects": [{"kind", "name", "parent"?, "attributes"}, ...]}`` in report order."""
        return {"objects": [o.to_dict() for o in self.objects.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SchemaModel:
        return cls.of(SchemaObject(d["kind"], d["name"], d.get("attributes", {}), d.get("parent"))
                      for d in data.get("objects", []))


@dataclass(frozen=True)
class Difference:
    """One way two schemas differ; ``intended`` ones were declared by the plan and do not fail."""

    object: str
    attribute: str
    old: str | None
    new: str | None
    intended: bool = False
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"object": self.object, "attribute": self.attribute, "old": self.old, "new": self.new,
                "intended": self.intended, "reason": self.reason}


def _moved_columns(a: SchemaModel, b: SchemaModel) -> set[str]:
    """Columns whose rank among the columns their table has on both sides differs.

    A column dropped from one side shifts every later column's position; comparing
    ranks among shared columns reports only columns that really moved.
    """
    shifted = {oa.parent for label, oa in a.objects.items()
               if oa.kind == "column" and label in b.objects
               and oa.attributes.get("position") != b.objects[label].attributes.get("position")}
    if not shifted:
        return set()  # the usual case: no column of any table changed place
    shared: dict[str | None, list[tuple[str, int, int]]] = {}
    for label, oa in a.objects.items():
        ob = b.objects.get(label)
        if oa.kind == "column" and ob is not None and oa.parent in shifted:
            shared.setdefault(oa.parent, []).append(
                (label, int(oa.attributes.get("position") or 0), int(ob.attributes.get("position") or 0)))
    moved: set[str] = set()
    for cols in shared.values():
        in_a = [lab for lab, _, _ in sorted(cols, key=lambda c: c[1])]
        in_b = [lab for lab, _, _ in sorted(cols, key=lambda c: c[2])]
        moved.update(x for x, y in zip(in_a, in_b) if x != y)
    return moved


def diff_models(a: SchemaModel, b: SchemaModel) -> list[Difference]:
    """What changes from ``a`` to ``b``, in report order (deterministic); empty when the same."""
    moved = _moved_columns(a, b)
    oa_all, ob_all = a.objects, b.objects
    if oa_all.keys() == ob_all.keys():
        labels = list(oa_all)  # already in report order
    else:
        labels = sorted(oa_all.keys() | ob_all.keys(), key=lambda lab: (oa_all.get(lab) or ob_all[lab]).sort_key)
    out: list[Difference] = []
    for label in labels:
        oa, ob = oa_all.get(label), ob_all.get(label)
        if oa is None or ob is None:
            obj = oa or ob
            assert obj is not None
            side = oa_all if oa is None else ob_all  # the model that lacks it
            if obj.parent is not None and obj.parent not in side:
                continue  # reported with its parent
            out.append(Difference(label, "exists", PRESENT if oa else None, PRESENT if ob else None))
            continue
        va, vb = oa.attributes, ob.attributes
        if va == vb:
            continue
        for attr in ATTRIBUTES[oa.kind]:
            old, new = va.get(attr), vb.get(attr)
            if old != new and (attr != "position" or label in moved):
                out.append(Difference(label, attr, old, new))
    return out


def _check_intended(entry: Mapping[str, Any], i: int) -> tuple[str, str, str]:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("object"), str) or not entry["object"]:
        raise ValueError(f"Intended difference {i + 1} needs an 'object' pattern such as 'column public.t.*'.")
    unknown = set(entry) - {"object", "attribute", "reason"}
    if unknown:
        raise ValueError(f"Intended difference {i + 1} ({entry['object']}) has unknown keys: "
                         f"{', '.join(sorted(unknown))}; allowed are object, attribute and reason.")
    return entry["object"], str(entry.get("attribute") or "*"), str(entry.get("reason") or "")


def _matches(d: Difference, obj: str, attr: str) -> bool:
    return fnmatch.fnmatchcase(d.object, obj) and fnmatch.fnmatchcase(d.attribute, attr)


def mark_intended(diffs: Sequence[Difference], intended: Sequence[Mapping[str, Any]]) -> list[Difference]:
    """``diffs`` with those matching an intended entry marked, carrying the first match's reason.

    Each entry is ``{"object": <fnmatch glob>, "attribute": <glob, default "*">, "reason": <text>}``;
    a malformed entry raises ValueError with one sentence naming it.
    """
    rules = [_check_intended(e, i) for i, e in enumerate(intended)]
    out = []
    for d in diffs:
        hit = next(((o, a, r) for o, a, r in rules if _matches(d, o, a)), None)
        out.append(replace(d, intended=True, reason=hit[2]) if hit else d)
    return out


def unused_intended(diffs: Sequence[Difference], intended: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Intended entries that match no difference: stale declarations a plan should drop."""
    return [e for i, e in enumerate(intended)
            if not any(_matches(d, *_check_intended(e, i)[:2]) for d in diffs)]


def failing(diffs: Iterable[Difference]) -> list[Difference]:
    """The differences that fail a comparison (those not declared intended)."""
    return [d for d in diffs if not d.intended]


def _value(v: str | None) -> str:
    return "(none)" if v is None else v


def format_differences(diffs: Sequence[Difference], a_name: str = "legacy", b_name: str = "consolidated") -> str:
    """Readable text, one block per object: ``attribute: old → new``; multi-line values as a diff.

    Intended differences say so, with the plan's reason.
    """
    if not diffs:
        return "No schema differences.\n"
    n_int = sum(d.intended for d in diffs)
    head = f"{len(diffs)} schema difference{'s' if len(diffs) != 1 else ''} from {a_name} to {b_name}"
    lines = [head + (f" ({n_int} intended)" if n_int else "") + ":"]
    current = None
    for d in diffs:
        if d.object != current:
            current = d.object
            lines.append("")
            lines.append(d.object)
        tag = f"   [intended: {d.reason}]" if d.intended and d.reason else ("   [intended]" if d.intended else "")
        if d.attribute == "exists":
            where = f"only in {a_name}" if d.old else f"only in {b_name}"
            lines.append(f"  {where}{tag}")
        elif "\n" in (d.old or "") or "\n" in (d.new or ""):
            lines.append(f"  {d.attribute}:{tag}")
            body = difflib.unified_diff((d.old or "").splitlines(), (d.new or "").splitlines(),
                                        a_name, b_name, lineterm="", n=2)
            lines.extend("    " + ln for ln in list(body)[2:])
        else:
            lines.append(f"  {d.attribute}: {_value(d.old)} → {_value(d.new)}{tag}")
    return "\n".join(lines) + "\n"


_CONSTRAINT_COUNTS = {"primary key": "primary_keys", "unique": "unique_constraints", "check": "check_constraints",
                      "foreign key": "foreign_keys", "exclusion": "exclusion_constraints",
                      "constraint trigger": "constraint_triggers"}


def counts(model: SchemaModel) -> dict[str, int]:
    """How many of each object the model holds (every key always present, zero included).

    Keys: schemas, extensions, enum_types, enum_values, domains, tables, columns,
    primary_keys, unique_constraints, check_constraints, foreign_keys,
    exclusion_constraints, constraint_triggers, indexes (not counting those that back a
    primary key, unique or exclusion constraint), sequences, views, materialized_views,
    functions, triggers, comments.
    """
    c = dict.fromkeys(("schemas", "extensions", "enum_types", "enum_values", "domains", "tables", "columns",
                       *_CONSTRAINT_COUNTS.values(), "indexes", "sequences", "views", "materialized_views",
                       "functions", "triggers", "comments"), 0)
    simple = {"schema": "schemas", "extension": "extensions", "enum": "enum_types", "domain": "domains",
              "table": "tables", "column": "columns", "index": "indexes", "sequence": "sequences",
              "function": "functions", "trigger": "triggers"}
    for o in model.objects.values():
        if o.kind in simple:
            c[simple[o.kind]] += 1
        elif o.kind == "view":
            c["materialized_views" if o.get("kind") == "materialized view" else "views"] += 1
        elif o.kind == "constraint":
            c[_CONSTRAINT_COUNTS.get(o.get("kind") or "", "check_constraints")] += 1
        if o.kind == "enum":
            c["enum_values"] += len(enum_values(o.get("values")))
        if o.get("comment") is not None:
            c["comments"] += 1
    return c


def enum_values(text: str | None) -> list[str]:
    """The labels of an enum's ``values`` attribute (``'a', 'b'`` quoted as SQL literals)."""
    if not text:
        return []
    out, i, n = [], 0, len(text)
    while i < n:
        if text[i] != "'":
            i += 1
            continue
        j, buf = i + 1, []
        while j < n:
            if text[j] == "'" and j + 1 < n and text[j + 1] == "'":
                buf.append("'")
                j += 2
            elif text[j] == "'":
                break
            else:
                buf.append(text[j])
                j += 1
        out.append("".join(buf))
        i = j + 1
    return out


def sql_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"
