"""Identifier handling: qualified names, type-name normalisation, PostgreSQL's default names."""

from __future__ import annotations

import functools
import re

from .lexer import Token

NAMEDATALEN = 63

_TYPE_ALIASES = {
    "int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint",
    "serial4": "serial", "serial8": "bigserial", "float8": "double precision",
    "float4": "real", "bool": "boolean", "varchar": "character varying",
    "char": "character", "timestamptz": "timestamp with time zone",
    "timetz": "time with time zone", "decimal": "numeric",
}


def qualified_name(tokens: list[Token], i: int) -> tuple[str | None, int]:
    """Read ``a`` or ``schema.a`` at ``tokens[i]``; ``public.`` is dropped.

    Returns the normalised name (quoted identifiers keep their case) and the
    index after it, or ``(None, i)`` when no name is there.
    """
    if i >= len(tokens) or tokens[i].name is None:
        return None, i
    parts = [tokens[i].value]
    j = i + 1
    while j + 1 < len(tokens) and tokens[j].kind == "punct" and tokens[j].value == "." and tokens[j + 1].name is not None:
        parts.append(tokens[j + 1].value)
        j += 2
    if len(parts) > 1 and parts[0] == "public":
        parts = parts[1:]
    return ".".join(parts), j


@functools.lru_cache(maxsize=4096)
def type_base(type_text: str) -> str:
    """``public.status_enum[]`` → ``status_enum``: the type a column's type text names (few distinct ones)."""
    return re.sub(r"[(\[].*", "", type_text).strip().lower().replace("public.", "")


def normalize_type(text: str) -> str:
    """Canonical spelling of a type for function signatures: ``VARCHAR(64)`` → ``character varying``."""
    t = re.sub(r"\s+", " ", text.strip().lower())
    t = re.sub(r"\s*\(.*?\)", "", t)  # typmods do not take part in signatures
    t = t.replace("public.", "")
    arr = ""
    while t.endswith("[]"):
        arr += "[]"
        t = t[:-2].strip()
    t = re.sub(r"^timestamp without time zone$", "timestamp", t)
    return _TYPE_ALIASES.get(t, t) + arr


def make_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's makeObjectName: join with '_' and shorten to fit NAMEDATALEN.

    Used to give a moved constraint the very name PostgreSQL would have chosen
    for it inline, so the consolidated schema is identical.
    """
    overhead = len(label) + 1 if label else 0
    name1_chars = len(name1.encode())
    name2_chars = len(name2.encode()) if name2 else 0
    if name2:
        overhead += 1
    available = NAMEDATALEN - overhead
    while name1_chars + name2_chars > available:
        if name1_chars > name2_chars:
            name1_chars -= 1
        else:
            name2_chars -= 1
    out = name1.encode()[:name1_chars].decode("utf-8", "ignore")
    if name2:
        out += "_" + name2.encode()[:name2_chars].decode("utf-8", "ignore")
    if label:
        out += "_" + label
    return out


def quote_ident(name: str) -> str:
    """Quote an identifier only when PostgreSQL needs it."""
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'
