"""Read a database's schema from ``pg_catalog`` into a ``schemadiff.SchemaModel``.

One query (after setting an empty ``search_path``, as pg_dump does, so every name
comes out schema-qualified) builds one JSON array per object family, and the
definitions come from PostgreSQL's own deparsers (``pg_get_constraintdef``,
``pg_get_indexdef``, ``pg_get_viewdef``, ``pg_get_triggerdef``, ``format_type``,
``pg_get_expr``...), so two databases compare equal exactly when PostgreSQL would
print them the same.  That is cheaper than ``pg_dump`` (a process, dozens of
queries, and a text to parse) while saying *which* attribute differs.

Left out: system schemas, objects that belong to extensions (``pg_depend`` deptype
'e'), sqlx's ``_sqlx_migrations`` table (and with it its columns and primary key),
PostgreSQL 18's NOT NULL constraints (the column's ``not_null`` says it), indexes
that back a primary key, unique or exclusion constraint (the constraint says it),
internal triggers, ownership and privileges (as ``pg_dump --no-owner --no-privileges``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg

from .connect import connect, translated
from .errors import DatabaseError
from .schemadiff import (
    Difference,
    SchemaModel,
    SchemaObject,
    diff_models,
    mark_intended,
    sql_literal,
)

MIN_VERSION = 120000  # generated columns (attgenerated) appeared in PostgreSQL 12

# Objects owned by an extension: ``pg_depend`` rows with deptype 'e'.
_NOT_EXT = ("NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{cat}'::regclass "
            "AND d.objid = {oid} AND d.deptype = 'e')")


def _not_ext(cat: str, oid: str) -> str:
    return _NOT_EXT.format(cat=cat, oid=oid)


def _descr(alias: str, catalog: str, oid: str, sub: str = "0") -> str:
    """A join to the comment on an object: far cheaper than obj_description(), a SQL function per row."""
    return (f"LEFT JOIN pg_description {alias} ON {alias}.objoid = {oid} "
            f"AND {alias}.classoid = '{catalog}'::regclass AND {alias}.objsubid = {sub}")


def _with() -> str:
    """The common table expressions every family reads: schemas, relations, tables, owned sequences."""
    return f"""
WITH ns AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
    AND {_not_ext('pg_namespace', 'n.oid')}
), rel AS (
  SELECT c.oid, ns.nspname AS schema, c.relname AS name, c.relkind, c.relpersistence,
         c.relrowsecurity, c.relforcerowsecurity, c.reloptions
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE {_not_ext('pg_class', 'c.oid')}
    AND NOT (c.relname = '_sqlx_migrations' AND c.relkind IN ('r', 'p'))
), tab AS (
  SELECT * FROM rel WHERE relkind IN ('r', 'p', 'f')
), owned AS (  -- sequences OWNED BY a column ('a': serial or OWNED BY, 'i': identity)
  SELECT d.objid AS seq, d.refobjid AS rel, d.refobjsubid AS att, d.deptype::text AS how
  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
)"""


def _families(version: int) -> list[tuple[str, str, str]]:
    """Each object family as (name, row expression, FROM clause): one JSON array per catalog object.

    ``version`` (server_version_num) picks catalog columns that exist.
    """
    body = ("CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
            if version >= 140000 else "p.prosrc")
    not_null_con = "AND con.contype <> 'n'" if version >= 180000 else ""
    return [
        ("schema", "json_build_array(nspname, dd.description)", f"ns {_descr('dd', 'pg_namespace', 'ns.oid')}"),
        ("extension", "json_build_array(e.extname, n.nspname, e.extversion)",
         "pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"),
        ("type", """json_build_array(
            ns.nspname, t.typname, t.typtype,
            (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
            t.typnotnull, t.typdefault,
            CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN
              (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
               FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation)
            END,
            (SELECT json_agg(c.conname || ' ' || pg_get_constraintdef(c.oid) ORDER BY c.conname)
             FROM pg_constraint c WHERE c.contypid = t.oid AND c.contype = 'c'),
            dd.description)""",
         f"""pg_type t JOIN ns ON ns.oid = t.typnamespace LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
         {_descr('dd', 'pg_type', 't.oid')}
         WHERE t.typtype IN ('e', 'd') AND {_not_ext('pg_type', 't.oid')}"""),
        ("relation", """json_build_array(
            schema, name, relkind, relpersistence, relrowsecurity, relforcerowsecurity, reloptions,
            dd.description,
            CASE WHEN relkind IN ('v', 'm') THEN pg_get_viewdef(rel.oid) END)""",
         f"rel {_descr('dd', 'pg_class', 'rel.oid')} WHERE relkind IN ('r', 'p', 'f', 'v', 'm')"),
        ("column", ("json_build_array(schema, tname, attname, pos, typ, attnotnull, def, attidentity, "
                    "attgenerated, coll, comment)"),
         f"""(SELECT tab.schema, tab.name AS tname, a.attname,
            row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS pos,
            format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
            -- a plain default cannot name a column, so it needs no relation (which is slow to open)
            CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0)
                 ELSE pg_get_expr(ad.adbin, ad.adrelid) END AS def, a.attidentity, a.attgenerated,
            CASE WHEN a.attcollation <> t.typcollation THEN
              (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
               FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation)
            END AS coll,
            dd.description AS comment
         FROM pg_attribute a JOIN tab ON tab.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
         {_descr('dd', 'pg_class', 'a.attrelid', 'a.attnum')}
         WHERE a.attnum > 0 AND NOT a.attisdropped) cols"""),
        ("constraint", """json_build_array(
            tab.schema, tab.name, con.conname, con.contype, pg_get_constraintdef(con.oid),
            fr.schema || '.' || fr.name,
            con.confdeltype, con.confupdtype, con.condeferrable, con.condeferred, con.convalidated,
            dd.description)""",
         f"""pg_constraint con JOIN tab ON tab.oid = con.conrelid LEFT JOIN rel fr ON fr.oid = con.confrelid
         {_descr('dd', 'pg_constraint', 'con.oid')}
         WHERE con.contypid = 0 {not_null_con}"""),
        ("index", """json_build_array(
            r.schema, ic.relname, r.name, am.amname, i.indisunique, pg_get_indexdef(i.indexrelid),
            pg_get_expr(i.indpred, i.indrelid), dd.description, r.relkind)""",
         f"""pg_index i JOIN rel r ON r.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_am am ON am.oid = ic.relam {_descr('dd', 'pg_class', 'i.indexrelid')}
         WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid
                           AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))"""),
        ("sequence", """json_build_array(
            r.schema, r.name, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
            s.seqcache, s.seqcycle,
            ot.schema || '.' || ot.name || '.' || at.attname, o.how, dd.description)""",
         f"""pg_sequence s JOIN rel r ON r.oid = s.seqrelid LEFT JOIN owned o ON o.seq = s.seqrelid
         LEFT JOIN rel ot ON ot.oid = o.rel LEFT JOIN pg_attribute at ON at.attrelid = o.rel AND at.attnum = o.att
         {_descr('dd', 'pg_class', 'r.oid')}"""),
        ("function", f"""json_build_array(
            ns.nspname, p.proname, oidvectortypes(p.proargtypes), p.prokind,
            pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), l.lanname, p.provolatile,
            p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel, p.proconfig, {body},
            dd.description)""",
         f"""pg_proc p JOIN ns ON ns.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
         {_descr('dd', 'pg_proc', 'p.oid')}
         WHERE {_not_ext('pg_proc', 'p.oid')}"""),
        ("trigger", """json_build_array(
            r.schema, r.name, tg.tgname, pg_get_triggerdef(tg.oid), tg.tgenabled,
            dd.description, r.relkind)""",
         (f"pg_trigger tg JOIN rel r ON r.oid = tg.tgrelid {_descr('dd', 'pg_trigger', 'tg.oid')} "
          "WHERE NOT tg.tgisinternal")),
    ]


def _query(version: int) -> str:
    """The one catalog query: a JSON object holding each family's rows as an array."""
    parts = ",\n".join(f"'{name}', (SELECT json_agg({row}) FROM {source})" for name, row, source in _families(version))
    return f"{_with()}\nSELECT json_build_object(\n{parts}\n)"


def _fingerprint_query(version: int) -> str:
    """A SHA-256 over exactly the rows ``_query`` returns, each family's rows sorted.

    Sorted because catalog order differs between databases that went through
    different histories; the rows themselves hold names, never OIDs, so equal
    fingerprints mean equal rows and hence equal models.
    """
    parts = " || ".join(
        f"(SELECT '{name}' || E'\\n' || coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\"), '') || E'\\n' "
        f"FROM (SELECT ({row})::text AS r FROM {source}) {name}_rows)"
        for name, row, source in _families(version))
    return f"{_with()}\nSELECT encode(sha256(convert_to({parts}, 'UTF8')), 'hex')"


def _q(*parts: str) -> str:
    """A dotted name as the labels use it: plain parts, no quoting (labels are for people)."""
    return ".".join(parts)


def _bool(v: Any) -> str:
    return "true" if v else "false"


_RELKIND = {"r": "table", "p": "partitioned table", "f": "foreign table", "v": "view", "m": "materialized view"}
_PERSISTENCE = {"p": "permanent", "u": "unlogged", "t": "temporary"}
_CONTYPE = {"p": "primary key", "u": "unique", "c": "check", "f": "foreign key", "x": "exclusion",
            "t": "constraint trigger", "n": "not null"}
_FK_ACTION = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
_IDENTITY = {"a": "always", "d": "by default"}
_GENERATED = {"s": "stored", "v": "virtual"}
_VOLATILITY = {"i": "immutable", "s": "stable", "v": "volatile"}
_PARALLEL = {"s": "safe", "r": "restricted", "u": "unsafe"}
_PROKIND = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
_ENABLED = {"O": "origin", "D": "disabled", "R": "replica", "A": "always"}
# The referential actions inside pg_get_constraintdef's text; they are reported as
# on_delete / on_update instead, so one changed rule is one difference.
_FK_ACTIONS_RE = re.compile(r" ON (?:UPDATE|DELETE) (?:CASCADE|RESTRICT|SET NULL|SET DEFAULT)(?: \([^)]*\))?")


# What matters when matching parentheses: a parenthesis, or a whole quoted literal or identifier.
_INDEX_TOKEN = re.compile(r"[()]|'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def _opt(options: list[str] | None) -> str | None:
    return ", ".join(options) if options else None


def _index_parts(definition: str, method: str) -> tuple[str, str | None]:
    """The key list of ``CREATE INDEX ... USING <method> (<keys>) <rest>`` and what follows it.

    ``rest`` (INCLUDE, NULLS NOT DISTINCT, WITH (...), TABLESPACE) without the WHERE
    predicate, which is its own attribute.  Quotes are skipped while matching parentheses.
    """
    start = definition.find(f" USING {method} (")
    if start < 0:
        return definition, None
    i = begin = start + len(f" USING {method} (")
    depth = 1
    while depth:
        m = _INDEX_TOKEN.search(definition, i)
        if m is None:
            return definition[begin:], None  # unbalanced: cannot happen with pg_get_indexdef's text
        token = m.group()
        depth += 1 if token == "(" else -1 if token == ")" else 0
        i = m.end()
    keys = definition[begin:i - 1]
    rest = definition[i:]
    where = rest.find(" WHERE ")
    rest = (rest[:where] if where >= 0 else rest).strip()
    return keys, rest or None


def _objects(data: dict[str, Any]) -> list[SchemaObject]:
    out: list[SchemaObject] = []
    add = out.append
    for name, comment in data["schema"] or []:
        add(SchemaObject("schema", name, {"comment": comment}))
    for name, schema, version in data["extension"] or []:
        add(SchemaObject("extension", name, {"schema": schema, "version": version}))
    for schema, name, typtype, labels, base, notnull, default, coll, checks, comment in data["type"] or []:
        if typtype == "e":
            values = ", ".join(sql_literal(v) for v in labels or [])
            add(SchemaObject("enum", _q(schema, name), {"values": values, "comment": comment}))
        else:
            add(SchemaObject("domain", _q(schema, name), {
                "type": base, "not_null": _bool(notnull), "default": default, "collation": coll,
                "checks": "; ".join(checks) if checks else None, "comment": comment}))
    for schema, name, kind, persistence, rls, force, options, comment, viewdef in data["relation"] or []:
        if kind in ("v", "m"):
            add(SchemaObject("view", _q(schema, name), {
                "kind": _RELKIND[kind], "definition": viewdef, "options": _opt(options), "comment": comment}))
        else:
            add(SchemaObject("table", _q(schema, name), {
                "kind": _RELKIND[kind], "persistence": _PERSISTENCE.get(persistence, persistence),
                "row_security": _bool(rls), "force_row_security": _bool(force), "options": _opt(options),
                "comment": comment}))
    # serial: the default is nextval() of a sequence OWNED BY this very column
    owned_seq = {owner: _q(schema, name) for schema, name, *_, owner, how, _c in data["sequence"] or []
                 if owner and how == "a"}
    for schema, table, name, pos, typ, notnull, default, ident, gen, coll, comment in data["column"] or []:
        generated = f"{default} {_GENERATED.get(gen, gen)}" if gen else None
        default = None if gen else default
        seq = owned_seq.get(_q(schema, table, name))
        serial = seq if seq and default and default.startswith("nextval(") else None
        add(SchemaObject("column", _q(schema, table, name), {
            "position": str(pos), "type": typ, "not_null": _bool(notnull), "default": default,
            "identity": _IDENTITY.get(ident) if ident else None, "generated": generated, "collation": coll,
            "serial": serial, "comment": comment}, parent=f"table {_q(schema, table)}"))
    for (schema, table, name, ctype, definition, ref, on_del, on_upd, deferrable, deferred, validated,
         comment) in data["constraint"] or []:
        fk = ctype == "f"
        add(SchemaObject("constraint", _q(schema, table, name), {
            "kind": _CONTYPE.get(ctype, ctype),
            "definition": _FK_ACTIONS_RE.sub("", definition) if fk else definition,
            "references": ref, "on_delete": _FK_ACTION.get(on_del) if fk else None,
            "on_update": _FK_ACTION.get(on_upd) if fk else None,
            "deferrable": ("initially deferred" if deferred else "true") if deferrable else "false",
            "validated": _bool(validated), "comment": comment}, parent=f"table {_q(schema, table)}"))
    for schema, name, table, method, unique, definition, predicate, comment, relkind in data["index"] or []:
        keys, rest = _index_parts(definition, method)
        parent = ("view " if relkind == "m" else "table ") + _q(schema, table)
        add(SchemaObject("index", _q(schema, name), {
            "table": _q(schema, table), "unique": _bool(unique), "method": method, "columns": keys,
            "options": rest, "predicate": predicate, "comment": comment}, parent=parent))
    for schema, name, typ, start, inc, smin, smax, cache, cycle, owner, how, comment in data["sequence"] or []:
        owned_by = owner + (" (identity)" if how == "i" else "") if owner else None
        add(SchemaObject("sequence", _q(schema, name), {
            "type": typ, "start": str(start), "increment": str(inc), "minimum": str(smin), "maximum": str(smax),
            "cache": str(cache), "cycle": _bool(cycle), "owned_by": owned_by, "comment": comment}))
    for (schema, name, arg_types, kind, args, result, lang, vol, strict, secdef, leak, parallel, config, body,
         comment) in data["function"] or []:
        add(SchemaObject("function", f"{_q(schema, name)}({arg_types})", {
            "kind": _PROKIND.get(kind, kind), "arguments": args, "result": result, "language": lang,
            "volatility": _VOLATILITY.get(vol, vol), "strict": _bool(strict),
            "security": "definer" if secdef else "invoker", "leakproof": _bool(leak),
            "parallel": _PARALLEL.get(parallel, parallel), "config": _opt(config), "body": body,
            "comment": comment}))
    for schema, table, name, definition, enabled, comment, relkind in data["trigger"] or []:
        parent = ("view " if relkind in ("v", "m") else "table ") + _q(schema, table)
        add(SchemaObject("trigger", _q(schema, table, name), {
            "definition": definition, "enabled": _ENABLED.get(enabled, enabled), "comment": comment},
            parent=parent))
    return out


def _catalog_read(conn: psycopg.Connection[Any], query: Callable[[int], str]) -> Any:
    """Run a catalog query as pg_dump reads: every name in every definition comes out schema-qualified.

    The empty ``search_path`` is set for this transaction only, so the connection
    can go on to run other SQL (the upgrade simulation rebaselines on it next).
    """
    version = conn.info.server_version
    if version < MIN_VERSION:
        raise DatabaseError(f"Comparing schemas needs PostgreSQL 12 or newer; the server at this URL runs "
                            f"{conn.info.parameter_status('server_version') or version}.")
    with translated("Reading the schema from pg_catalog"), conn.transaction():
        conn.execute("SELECT pg_catalog.set_config('search_path', '', true)")
        row = conn.execute(query(version)).fetchone()
    assert row is not None
    return row[0]


def introspect_on(conn: psycopg.Connection[Any]) -> SchemaModel:
    """The schema of the database ``conn`` is connected to (see the module doc for what is left out)."""
    return SchemaModel.of(_objects(_catalog_read(conn, _query)))


def introspect(uri: str) -> SchemaModel:
    """The schema of database ``uri`` (one connection, one catalog query); see the module doc for what is left out."""
    with connect(uri) as conn:
        return introspect_on(conn)


def schema_fingerprint(conn: psycopg.Connection[Any]) -> str:
    """A digest of everything ``introspect`` reads: equal digests mean equal models (no diff to compute).

    Computed by the server from the same rows, so comparing a database with a
    known one costs no transfer and no model building; when the digests differ,
    ``introspect_on`` and ``diff_models`` say precisely how.
    """
    return str(_catalog_read(conn, _fingerprint_query))


def introspect_all(uris: Sequence[str]) -> list[SchemaModel]:
    """``introspect`` of each database at once, one thread and connection each (psycopg waits without the GIL).

    Comparing two databases on a server with two or more cores then takes about as
    long as reading one.
    """
    if len(uris) < 2:
        return [introspect(u) for u in uris]
    with ThreadPoolExecutor(max_workers=len(uris), thread_name_prefix="introspect") as pool:
        return list(pool.map(introspect, uris))


def compare_schemas(uri_a: str, uri_b: str, intended: Sequence[Mapping[str, Any]] = ()
                    ) -> tuple[list[Difference], SchemaModel, SchemaModel]:
    """Both schemas read at once, their differences from ``a`` to ``b`` with the plan's intended ones marked.

    The models come back too, for ``counts``.  The comparison passes when
    ``schemadiff.failing(differences)`` is empty.
    """
    a, b = introspect_all([uri_a, uri_b])
    return mark_intended(diff_models(a, b), intended), a, b
