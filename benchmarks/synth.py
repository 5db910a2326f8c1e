"""Deterministic synthetic sqlx migration histories for benchmarks and tests.

``generate_history(n, seed)`` returns ``n`` (file name, bytes) pairs named
``<14-digit version>_<description>.sql`` whose SQL applies in order on a
fresh PostgreSQL (13+).  The generator keeps a model of what exists (tables
and their columns, rows, foreign keys, indexes, enums and their values,
functions, triggers) and only emits statements that are valid against it:

* CREATE TABLE with 5-12 columns (BIGSERIAL PK, TEXT NOT NULL, JSONB DEFAULT
  '{}'::jsonb, TIMESTAMPTZ DEFAULT NOW(), foreign keys to earlier tables,
  inline and table-level CHECK constraints, UNIQUE);
* ALTER TABLE ADD COLUMN / DROP COLUMN (only columns added earlier, never an
  indexed one), ALTER COLUMN SET DEFAULT / SET NOT NULL (only when no row
  can hold a NULL), DROP NOT NULL;
* CREATE INDEX (btree, DESC, partial ``WHERE``, ``USING gin``), DROP INDEX;
* CREATE TYPE ... AS ENUM and ALTER TYPE ... ADD VALUE (a new value is used
  only from the next file on: PostgreSQL refuses it in the same transaction);
* plpgsql functions with 10-30 line ``$$`` bodies, redefined later by
  CREATE OR REPLACE with the same signature; triggers ``EXECUTE FUNCTION``;
* COMMENT ON, multi-row INSERT (foreign keys point at existing rows, checks
  hold), DROP TABLE of a table nothing references any more;
* ``--`` comments: file headers and comments attached to statements.

Everything is driven by one ``random.Random(seed)`` and only ordered
containers are iterated, so the output is byte-identical across processes.

Run directly to write a history to a folder::

    python benchmarks/synth.py 2000 /tmp/synth2000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

__all__ = ["generate_history", "write_history", "history_lines"]

_NOUNS = [
    "orders", "customer", "invoice", "shipment", "product", "warehouse", "ticket", "account", "app_session",
    "event_log", "payment", "refund", "subscription", "plan_tier", "coupon", "review", "message", "channel",
    "project", "task", "sprint", "release", "deployment", "artifact", "pipeline", "job_run", "worker", "node",
    "cluster", "region", "tenant", "api_key", "webhook", "audit_entry", "notification", "report", "dashboard",
    "widget", "metric", "alert", "incident", "runbook", "team", "member", "invitation", "document", "folder",
    "attachment", "price_list", "stock_level", "supplier", "purchase", "delivery", "route", "vehicle", "driver",
]
_VERBS = ["track", "store", "record", "hold", "keep", "list"]

# column kind -> candidate names
_NAMES = {
    "text": ["name", "title", "label", "description", "email", "note", "external_ref", "source", "owner_name",
             "currency", "locale", "summary", "display_name", "origin"],
    "slug": ["code", "slug", "ref", "handle", "region_code", "kind_code"],
    "choice": ["state", "phase", "stage", "visibility", "tier"],
    "int": ["quantity", "priority", "position", "attempts", "retries", "score", "weight", "rank", "version_no",
            "limit_value", "capacity"],
    "num": ["amount", "price", "balance", "ratio", "total", "cost", "fee"],
    "bool": ["is_active", "is_archived", "enabled", "verified", "is_public", "flagged", "is_default"],
    "jsonb": ["meta", "config", "payload", "settings", "attributes", "extra", "options"],
    "ts": ["started_at", "finished_at", "expires_at", "archived_at", "last_seen_at", "scheduled_at"],
    "arr": ["tags", "labels", "aliases", "scopes"],
    "enum": ["status", "mode", "level"],
    "fk": ["parent_id"],  # replaced by <table>_id
}
_CHOICES = [["new", "open", "closed"], ["draft", "review", "published", "retired"], ["low", "medium", "high"],
            ["private", "internal", "public"]]
_ENUM_SETS = [["pending", "running", "succeeded", "failed"], ["debug", "info", "warn", "error"],
              ["manual", "scheduled", "triggered"], ["queued", "active", "paused"]]
_ENUM_EXTRA = ["cancelled", "timeout", "skipped", "archived", "retrying", "blocked", "critical", "expired",
               "abandoned", "deferred", "unknown", "degraded"]
_PURPOSE = ["Adds the storage the next release needs.", "Backfills defaults so the API never sees NULL.",
            "Indexes for the dashboard queries (see the slow-query log).", "Splits configuration out of the main table.",
            "Drops what the previous cleanup left behind.", "Seed rows the application expects on a fresh install.",
            "Keeps the legacy column until every client has upgraded.", "Trigger helpers shared by several tables."]
_WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo",
          "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
_PHRASES = ["Primary record", "Imported from legacy system", "O''Brien & Sons", "Needs review; see ticket",
            "Default entry", "Created by seed", "Temporary placeholder", "Customer-facing label"]


def _ident(name: str) -> str:
    """PostgreSQL truncates identifiers to 63 bytes; do it here so names stay exact."""
    return name[:63].rstrip("_")


@dataclass
class Col:
    name: str
    kind: str
    nullable: bool = True
    default: str | None = None
    has_null: bool = False  # some row may hold NULL here
    fk: str | None = None  # referenced table
    unique: bool = False
    added: bool = False  # by ALTER TABLE ADD COLUMN (so droppable later)
    choices: list[str] | None = None  # for 'choice'
    enum: str | None = None  # for 'enum'
    nonempty: bool = False  # CHECK (char_length(col) > 0)


@dataclass
class Table:
    name: str
    cols: dict[str, Col] = field(default_factory=dict)
    rows: int = 0
    pinned: bool = False  # a function body reads it: never dropped
    indexes: dict[str, list[str]] = field(default_factory=dict)  # index -> columns it uses
    born: int = 0  # file index


@dataclass
class Func:
    name: str
    header: str  # everything up to the body, reused verbatim for redefinitions
    sig: str  # for COMMENT ON FUNCTION
    kind: str  # touch | notify | audit | calc | label | count
    table: str | None = None
    tail: str = "$$ LANGUAGE plpgsql;"
    tag: str = "$$"


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.tables: dict[str, Table] = {}
        self.live: list[str] = []  # live table names, creation order
        self.enums: dict[str, list[tuple[str, int]]] = {}  # enum -> [(value, file index added)]
        self.funcs: dict[str, Func] = {}
        self.trigger_funcs: list[str] = []
        self.plain_funcs: list[str] = []
        self.n = 0  # global counter for unique names
        self.file = 0  # current file index
        self.uniq = 0  # counter for unique text values
        self.refs: dict[str, int] = {}  # table -> live foreign-key columns pointing at it

    # --- helpers ------------------------------------------------------------

    def next_id(self) -> int:
        self.n += 1
        return self.n

    def pick_table(self, pred=None, recent: float = 0.7) -> Table | None:
        if not self.live:
            return None
        r = self.r
        for _ in range(12):
            if r.random() < recent:
                name = r.choice(self.live[-40:])
            else:
                name = r.choice(self.live)
            t = self.tables[name]
            if pred is None or pred(t):
                return t
        cands = [self.tables[n] for n in self.live[-200:] if pred is None or pred(self.tables[n])]
        return r.choice(cands) if cands else None

    def incoming(self, name: str) -> bool:
        """Does any live column reference table ``name``?"""
        return self.refs.get(name, 0) > 0

    def col_name(self, t: Table | None, kind: str, taken: dict | None = None) -> str:
        taken = taken if taken is not None else t.cols
        base = self.r.choice(_NAMES[kind])
        name, k = base, 2
        while name in taken or name in ("id", "created_at", "updated_at"):
            name, k = f"{base}_{k}", k + 1
        return name

    def usable_enum_values(self, enum: str) -> list[str]:
        return [v for v, f in self.enums[enum] if f < self.file]

    def sql_type(self, c: Col) -> str:
        return {
            "text": "TEXT", "slug": "TEXT", "choice": "TEXT", "int": "INTEGER", "num": "NUMERIC(12,2)",
            "bool": "BOOLEAN", "jsonb": "JSONB", "ts": "TIMESTAMPTZ", "arr": "TEXT[]", "fk": "BIGINT",
        }.get(c.kind) or c.enum or "TEXT"

    def default_for(self, c: Col) -> str:
        r = self.r
        k = c.kind
        if k == "text":
            return r.choice(["'unknown'", "'n/a'", "'Default entry'"] + ([] if c.nonempty else ["''"]))
        if k == "slug":
            return f"'{r.choice(_WORDS)}'"
        if k == "choice":
            return f"'{c.choices[0]}'"
        if k == "int":
            return str(r.choice([0, 1, 10, 100]))
        if k == "num":
            return r.choice(["0", "0.00", "1.50"])
        if k == "bool":
            return r.choice(["FALSE", "TRUE"])
        if k == "jsonb":
            return r.choice(["'{}'::jsonb", "'[]'::jsonb", "'{\"enabled\": true}'::jsonb"])
        if k == "ts":
            return "NOW()"
        if k == "arr":
            return "'{}'"
        if k == "enum":
            return f"'{self.usable_enum_values(c.enum)[0]}'"
        raise ValueError(k)

    def value(self, c: Col) -> str:
        r = self.r
        k = c.kind
        if k == "text":
            self.uniq += 1
            if c.unique or r.random() < 0.5:
                return f"'{r.choice(_WORDS).title()} {self.uniq}'"
            return f"'{r.choice(_PHRASES)}'"
        if k == "slug":
            self.uniq += 1
            return f"'{r.choice(_WORDS)}-{self.uniq}'"
        if k == "choice":
            return f"'{r.choice(c.choices)}'"
        if k == "int":
            return str(r.randint(0, 500))
        if k == "num":
            return f"{r.randint(0, 99999)}.{r.randint(0, 99):02d}"
        if k == "bool":
            return r.choice(["TRUE", "FALSE"])
        if k == "jsonb":
            return r.choice([f"'{{\"k\": {r.randint(1, 9)}, \"tag\": \"{r.choice(_WORDS)}\"}}'",
                             "'{}'", f"'[{r.randint(1, 9)}, {r.randint(1, 9)}]'::jsonb"])
        if k == "ts":
            return r.choice([f"NOW() - INTERVAL '{r.randint(1, 90)} days'",
                             f"'2025-0{r.randint(1, 9)}-1{r.randint(0, 9)} 0{r.randint(0, 9)}:00:00+00'"])
        if k == "arr":
            return f"ARRAY['{r.choice(_WORDS)}', '{r.choice(_WORDS)}']"
        if k == "enum":
            return f"'{r.choice(self.usable_enum_values(c.enum))}'"
        if k == "fk":
            return str(r.randint(1, self.tables[c.fk].rows))
        raise ValueError(k)

    def new_col(self, t: Table | None, kind: str, taken: dict, *, added: bool, rows: int) -> tuple[Col, str, str | None]:
        """A column and its definition text, plus an optional table-level constraint."""
        r = self.r
        c = Col(self.col_name(t, kind, taken), kind, added=added)
        parts = []
        constraint = None
        if kind == "enum":
            c.enum = r.choice([e for e in self.enums if self.usable_enum_values(e)])
        if kind == "choice":
            c.choices = r.choice(_CHOICES)
        if kind == "fk":
            ref = self.pick_table(lambda x: x.name != (t.name if t else None))
            if ref is None:
                return self.new_col(t, "int", taken, added=added, rows=rows)
            c.fk = ref.name
            self.refs[ref.name] = self.refs.get(ref.name, 0) + 1
            c.name = self.unique_name(f"{ref.name}_id", taken)
        parts.append(c.name.ljust(16) + " " + self.sql_type(c))
        want_not_null = r.random() < (0.45 if kind in ("text", "slug", "choice", "bool", "jsonb", "enum", "arr") else 0.2)
        if kind in ("choice", "bool", "jsonb", "arr", "enum") or (kind in ("int", "num", "text", "ts") and r.random() < 0.35):
            c.default = self.default_for(c)
        if kind == "fk":
            want_not_null = not added and ref.rows > 0 and r.random() < 0.4
        if added and want_not_null and c.default is None:
            want_not_null = rows == 0
        if want_not_null:
            c.nullable = False
            parts.append("NOT NULL")
        if c.default is not None:
            parts.append(f"DEFAULT {c.default}")
        if kind == "fk":
            action = r.choice(["ON DELETE CASCADE", "ON DELETE CASCADE", "ON DELETE SET NULL"]) if c.nullable else "ON DELETE CASCADE"
            if added or r.random() < 0.6:
                parts.append(f"REFERENCES {ref.name}(id) {action}")
            else:
                constraint = (f"CONSTRAINT {t.name if t else 'x'}_{c.name}_fkey FOREIGN KEY ({c.name}) "
                              f"REFERENCES {ref.name}(id) {action}")
        if kind in ("text", "slug") and not added and r.random() < 0.25:
            c.unique = True
            parts.append("UNIQUE")
        if kind == "choice":
            parts.append("CHECK (" + c.name + " IN (" + ", ".join(f"'{v}'" for v in c.choices) + "))")
        elif kind in ("int", "num") and r.random() < 0.4:
            if added or r.random() < 0.5:
                parts.append(f"CHECK ({c.name} >= 0)")
            else:
                constraint = f"CONSTRAINT {t.name if t else 'x'}_{c.name}_nonneg CHECK ({c.name} >= 0)"
        elif kind == "slug" and r.random() < 0.5:
            constraint = f"CONSTRAINT {t.name if t else 'x'}_{c.name}_format CHECK ({c.name} ~ '^[a-z0-9_-]+$')"
        elif kind == "text" and not c.nullable and r.random() < 0.3 and c.default is None:
            c.nonempty = True
            parts.append(f"CHECK (char_length({c.name}) > 0)")
        c.has_null = c.nullable and rows > 0 and c.default is None
        return c, " ".join(parts), constraint

    @staticmethod
    def unique_name(base: str, taken: dict) -> str:
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        return name

    def comment_line(self, what: str) -> str:
        r = self.r
        return r.choice([
            f"-- {what}",
            f"-- {what}.",
            f"-- {what}; keep in sync with the application model.",
            f"-- {what} (see the design notes).",
        ])

    # --- statements -----------------------------------------------------------

    def create_table(self) -> list[str]:
        r = self.r
        noun = r.choice(_NOUNS)
        name = f"{noun}_{self.next_id()}"
        t = Table(name, born=self.file)
        cols: dict[str, Col] = {}
        defs = ["id               BIGSERIAL PRIMARY KEY"]
        cons: list[str] = []
        cols["id"] = Col("id", "int", nullable=False, default="nextval")
        n_extra = r.randint(2, 9)  # + id, created_at, updated_at = 5..12 columns
        kinds = ["text", "text", "slug", "choice", "int", "num", "bool", "jsonb", "ts", "arr"]
        if self.live:
            kinds += ["fk", "fk"]
        if any(self.usable_enum_values(e) for e in self.enums):
            kinds.append("enum")
        c = Col(self.col_name(t, "text", cols), "text", nullable=False)
        cols[c.name] = c
        defs.append(f"{c.name.ljust(16)} TEXT NOT NULL")
        for _ in range(n_extra - 1):
            c, d, con = self.new_col(t, r.choice(kinds), cols, added=False, rows=0)
            cols[c.name] = c
            defs.append(d)
            if con:
                cons.append(con)
        cols["created_at"] = Col("created_at", "ts", nullable=False, default="NOW()")
        cols["updated_at"] = Col("updated_at", "ts", nullable=False, default="NOW()")
        defs.append("created_at       TIMESTAMPTZ NOT NULL DEFAULT NOW()")
        defs.append("updated_at       TIMESTAMPTZ NOT NULL DEFAULT NOW()")
        t.cols = cols
        body = ",\n".join("    " + d for d in defs)
        if cons:
            body += ",\n\n" + ",\n".join("    " + c for c in cons)
        self.tables[name] = t
        self.live.append(name)
        head = self.comment_line(f"{name}: {r.choice(_VERBS)} {noun.replace('_', ' ')} records")
        return [f"{head}\nCREATE TABLE {name} (\n{body}\n);"]

    def create_index(self, t: Table | None = None) -> list[str]:
        r = self.r
        t = t or self.pick_table()
        if t is None:
            return []
        n = self.next_id()
        cols = [c for c in t.cols.values() if c.name != "id"]
        gin = [c for c in cols if c.kind in ("jsonb", "arr")]
        roll = r.random()
        if gin and roll < 0.25:
            c = r.choice(gin)
            idx = _ident(f"idx_{n}_{t.name}_{c.name}_gin")
            stmt = f"CREATE INDEX {idx} ON {t.name} USING gin ({c.name});"
            used = [c.name]
        elif roll < 0.5:
            c = r.choice(cols)
            bools = [b for b in cols if b.kind == "bool"]
            if bools and r.random() < 0.5:
                b = r.choice(bools)
                where = f"{b.name} = TRUE"
                used = [c.name, b.name]
            elif c.nullable:
                where = f"{c.name} IS NOT NULL"
                used = [c.name]
            else:
                where = "updated_at > created_at"
                used = [c.name, "created_at", "updated_at"]
            if c.kind in ("jsonb", "arr"):
                c = t.cols["created_at"]
                used.append("created_at")
            idx = _ident(f"idx_{n}_{t.name}_{c.name}_partial")
            stmt = f"CREATE INDEX {idx} ON {t.name} ({c.name}) WHERE {where};"
        else:
            btree = [c for c in cols if c.kind not in ("jsonb", "arr")]
            chosen = r.sample(btree, min(len(btree), r.choice([1, 1, 2])))
            parts = [c.name + (" DESC" if c.kind == "ts" and r.random() < 0.5 else "") for c in chosen]
            used = [c.name for c in chosen]
            idx = _ident(f"idx_{n}_{t.name}_{'_'.join(used)}")
            stmt = f"CREATE INDEX {idx} ON {t.name} ({', '.join(parts)});"
        t.indexes[idx] = used
        return [stmt]

    def drop_index(self) -> list[str]:
        t = self.pick_table(lambda x: bool(x.indexes), recent=0.3)
        if t is None:
            return []
        idx = self.r.choice(list(t.indexes))
        del t.indexes[idx]
        lead = self.comment_line("No longer used by any query") + "\n"
        return [lead + self.r.choice([f"DROP INDEX {idx};", f"DROP INDEX IF EXISTS {idx};"])]

    def indexed(self, t: Table) -> set[str]:
        return {c for cols in t.indexes.values() for c in cols}

    def add_columns(self) -> list[str]:
        r = self.r
        t = self.pick_table()
        if t is None:
            return []
        kinds = ["text", "slug", "int", "num", "bool", "jsonb", "ts", "arr", "choice", "fk"]
        if any(self.usable_enum_values(e) for e in self.enums):
            kinds += ["enum", "enum"]
        actions = []
        for _ in range(r.choice([1, 1, 1, 2, 3])):
            c, d, _con = self.new_col(t, r.choice(kinds), t.cols, added=True, rows=t.rows)
            t.cols[c.name] = c
            actions.append(f"ADD COLUMN {d}")
        lead = self.comment_line(f"{t.name} gains {', '.join(a.split()[2] for a in actions)}")
        if len(actions) == 1:
            return [f"{lead}\nALTER TABLE {t.name} {actions[0]};"]
        return [f"{lead}\nALTER TABLE {t.name}\n    " + ",\n    ".join(actions) + ";"]

    def drop_column(self) -> list[str]:
        def droppable(x: Table) -> list[Col]:
            used = self.indexed(x)
            return [c for c in x.cols.values() if c.added and c.name not in used]

        t = self.pick_table(lambda x: bool(droppable(x)), recent=0.3)
        if t is None:
            return []
        c = self.r.choice(droppable(t))
        del t.cols[c.name]
        if c.fk:
            self.refs[c.fk] -= 1
        lead = self.comment_line(f"{t.name}.{c.name} was never read") + "\n"
        return [lead + self.r.choice([f"ALTER TABLE {t.name} DROP COLUMN {c.name};",
                                      f"ALTER TABLE {t.name} DROP COLUMN IF EXISTS {c.name};"])]

    def alter_column(self) -> list[str]:
        r = self.r
        t = self.pick_table()
        if t is None:
            return []
        cands = [c for c in t.cols.values() if c.name not in ("id", "created_at", "updated_at") and c.kind != "fk"]
        if not cands:
            return []
        c = r.choice(cands)
        out = []
        roll = r.random()
        if c.nullable and not c.has_null and roll < 0.45:
            c.nullable = False
            out.append(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET NOT NULL;")
        elif not c.nullable and roll < 0.55 and not c.unique:
            c.nullable = True
            out.append(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} DROP NOT NULL;")
        else:
            c.default = self.default_for(c)
            out.append(f"ALTER TABLE {t.name} ALTER COLUMN {c.name} SET DEFAULT {c.default};")
        return out

    def create_enum(self) -> list[str]:
        r = self.r
        name = f"{r.choice(['job', 'log', 'trigger', 'queue', 'sync'])}_{r.choice(['status', 'kind', 'level'])}_{self.next_id()}"
        values = list(r.choice(_ENUM_SETS))
        self.enums[name] = [(v, self.file) for v in values]
        vals = ", ".join(f"'{v}'" for v in values)
        lead = self.comment_line(f"Allowed values of {name}")
        if r.random() < 0.5:
            return [f"{lead}\nCREATE TYPE {name} AS ENUM ({vals});"]
        inner = ",\n".join(f"    '{v}'" for v in values)
        return [f"{lead}\nCREATE TYPE {name} AS ENUM (\n{inner}\n);"]

    def alter_enum(self) -> list[str]:
        r = self.r
        if not self.enums:
            return []
        e = r.choice(list(self.enums))
        have = [v for v, _ in self.enums[e]]
        fresh = [v for v in _ENUM_EXTRA if v not in have]
        if not fresh:
            return []
        v = r.choice(fresh)
        self.enums[e].append((v, self.file))
        roll = r.random()
        if roll < 0.4:
            return [f"ALTER TYPE {e} ADD VALUE '{v}';"]
        if roll < 0.7:
            return [f"ALTER TYPE {e} ADD VALUE IF NOT EXISTS '{v}';"]
        return [f"ALTER TYPE {e} ADD VALUE '{v}' AFTER '{r.choice(have)}';"]

    def comments(self, t: Table | None = None) -> list[str]:
        r = self.r
        t = t or self.pick_table()
        if t is None:
            return []
        out = [f"COMMENT ON TABLE {t.name} IS '{r.choice(['Records', 'Rows', 'Entries'])} of {t.name.rsplit('_', 1)[0].replace('_', ' ')}; "
               f"{r.choice(_PHRASES)}';"]
        cols = [c for c in t.cols.values() if c.name != "id"]
        for c in r.sample(cols, min(len(cols), r.randint(1, 4))):
            out.append(f"COMMENT ON COLUMN {t.name}.{c.name} IS '{r.choice(_PHRASES)} ({c.kind})';")
        return ["\n".join(out)]

    def insert(self, t: Table | None = None) -> list[str]:
        r = self.r

        def insertable(x: Table) -> bool:
            return all(c.nullable or c.default is not None or c.kind != "fk" or self.tables[c.fk].rows > 0
                       for c in x.cols.values())

        t = t or self.pick_table(insertable)
        if t is None or not insertable(t):
            return []
        cols = []
        for c in t.cols.values():
            if c.name in ("id", "created_at", "updated_at"):
                continue
            needed = (not c.nullable and c.default is None) or c.unique
            if c.kind == "fk" and self.tables[c.fk].rows == 0:
                if needed:
                    return []
                continue
            if needed or r.random() < 0.6:
                cols.append(c)
        if not cols:
            return []
        n_rows = r.randint(4, 24)
        rows = ["    (" + ", ".join(self.value(c) for c in cols) + ")" for _ in range(n_rows)]
        chosen = {c.name for c in cols}
        for c in t.cols.values():
            if c.name not in chosen and c.default is None and c.nullable:
                c.has_null = True
        t.rows += n_rows
        lead = self.comment_line(f"Seed rows for {t.name}")
        return [f"{lead}\nINSERT INTO {t.name} ({', '.join(c.name for c in cols)}) VALUES\n" + ",\n".join(rows) + ";"]

    def drop_table(self) -> list[str]:
        r = self.r
        old = self.live[:-5]
        if not old:
            return []
        for name in [r.choice(old) for _ in range(8)]:
            if not self.tables[name].pinned and not self.incoming(name):
                self.live.remove(name)
                for c in self.tables.pop(name).cols.values():
                    if c.fk:
                        self.refs[c.fk] -= 1
                lead = self.comment_line(f"{name} was replaced and is empty") + "\n"
                return [lead + r.choice([f"DROP TABLE {name};", f"DROP TABLE IF EXISTS {name};", f"DROP TABLE {name} CASCADE;"])]
        return []

    # --- functions --------------------------------------------------------------

    def _body_lines(self, kind: str, f: Func, target: int) -> list[str]:
        """plpgsql body (DECLARE ... END;) of about ``target`` lines."""
        r = self.r
        decl = ["DECLARE", "    v_count INTEGER := 0;", "    v_note TEXT := '';"]
        begin = ["BEGIN"]
        if kind == "touch":
            core = ["    IF TG_OP = 'UPDATE' THEN", "        NEW.updated_at := NOW();", "    END IF;"]
            end = ["    RETURN NEW;", "END;"]
        elif kind == "notify":
            core = [f"    PERFORM pg_notify('{f.name}', json_build_object(",
                    "        'table', TG_TABLE_NAME,", "        'op', TG_OP,", "        'id', NEW.id,",
                    "        'note', v_note", "    )::text);"]
            end = ["    RETURN NEW;", "END;"]
        elif kind == "audit":
            core = ["    v_note := format('%s on %s row %s', TG_OP, TG_TABLE_NAME, NEW.id);",
                    "    RAISE DEBUG 'audit: %', v_note;"]
            end = ["    RETURN NEW;", "END;"]
        elif kind == "calc":
            decl.append("    v_result NUMERIC := 0;")
            core = ["    FOR i IN 1..p_steps LOOP", "        v_result := v_result + p_value * p_factor / i;",
                    "    END LOOP;"]
            end = ["    RETURN round(v_result, 2);", "END;"]
        elif kind == "label":
            core = ["    v_note := lower(trim(coalesce(p_text, '')));",
                    "    v_note := regexp_replace(v_note, '[^a-z0-9]+', '-', 'g');"]
            end = ["    RETURN v_note;", "END;"]
        else:  # count
            decl.append("    v_total BIGINT := 0;")
            core = [f"    SELECT COUNT(*) INTO v_total FROM {f.table} WHERE created_at >= p_since;"]
            end = ["    RETURN v_total;", "END;"]
        fillers = []
        budget = max(0, target - len(decl) - len(begin) - len(core) - len(end))
        while len(fillers) < budget:
            k = r.randint(1, 99)
            choice = r.random()
            if choice < 0.25:
                fillers.append(f"    -- step {k}: {r.choice(['normalise input', 'guard against bursts', 'bookkeeping', 'keep the old behaviour'])}")
            elif choice < 0.5:
                fillers.append(f"    v_count := v_count + {k};")
            elif choice < 0.75:
                fillers += [f"    IF v_count > {k * 10} THEN", f"        v_note := v_note || ' busy-{k}';", "    END IF;"]
            else:
                fillers += [f"    FOR j IN 1..{r.randint(2, 5)} LOOP", "        v_count := v_count + j;", "    END LOOP;"]
        split = r.randint(0, len(fillers))
        return decl + begin + fillers[:split] + core + fillers[split:] + end

    def create_function(self, kind: str | None = None) -> list[str]:
        r = self.r
        kind = kind or r.choice(["touch", "notify", "audit", "calc", "label", "count"])
        n = self.next_id()
        tag = r.choice(["$$", "$$", "$$", "$fn$", "$body$"])
        if kind in ("touch", "notify", "audit"):
            name = {"touch": "set_updated_at", "notify": "notify_change", "audit": "audit_row"}[kind] + f"_{n}"
            sig = f"{name}()"
            if r.random() < 0.5:
                header, tail = f"CREATE OR REPLACE FUNCTION {name}()\nRETURNS TRIGGER AS {tag}", f"{tag} LANGUAGE plpgsql;"
            else:
                header, tail = f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger\nLANGUAGE plpgsql\nAS {tag}", f"{tag};"
            f = Func(name, header, sig, kind, tail=tail, tag=tag)
            self.trigger_funcs.append(name)
        elif kind == "calc":
            name = f"calc_score_{n}"
            sig = f"{name}(BIGINT, NUMERIC, INTEGER)"
            header = (f"CREATE OR REPLACE FUNCTION {name}(p_value BIGINT, p_factor NUMERIC DEFAULT 1, p_steps INTEGER DEFAULT 3)\n"
                      f"RETURNS NUMERIC AS {tag}")
            f = Func(name, header, sig, kind, tail=f"{tag} LANGUAGE plpgsql IMMUTABLE;", tag=tag)
            self.plain_funcs.append(name)
        elif kind == "label":
            name = f"slugify_{n}"
            sig = f"{name}(TEXT)"
            header = f"CREATE OR REPLACE FUNCTION {name}(p_text TEXT)\nRETURNS TEXT AS {tag}"
            f = Func(name, header, sig, kind, tail=f"{tag} LANGUAGE plpgsql IMMUTABLE STRICT;", tag=tag)
            self.plain_funcs.append(name)
        else:
            t = self.pick_table()
            if t is None:
                return self.create_function("calc")
            t.pinned = True
            name = f"count_recent_{t.name}_{n}"
            sig = f"{name}(TIMESTAMPTZ)"
            header = f"CREATE OR REPLACE FUNCTION {name}(p_since TIMESTAMPTZ)\nRETURNS BIGINT AS {tag}"
            f = Func(name, header, sig, kind, table=t.name, tail=f"{tag} LANGUAGE plpgsql STABLE;", tag=tag)
            self.plain_funcs.append(name)
        self.funcs[name] = f
        return [self._function_text(f, "")]

    def _function_text(self, f: Func, why: str) -> str:
        r = self.r
        lines = self._body_lines(f.kind, f, r.randint(10, 30))
        lead = self.comment_line(why or f"{f.name}: {f.kind} helper")
        return f"{lead}\n{f.header}\n" + "\n".join(lines) + f"\n{f.tail}"

    def redefine_function(self) -> list[str]:
        if not self.funcs:
            return []
        f = self.funcs[self.r.choice(list(self.funcs))]
        if f.table is not None and f.table not in self.tables:
            return []
        return [self._function_text(f, f"Redefine {f.name}: {self.r.choice(['fix an edge case', 'faster path', 'log more'])}")]

    def create_trigger(self, t: Table | None = None) -> list[str]:
        r = self.r
        if not self.trigger_funcs:
            return []
        t = t or self.pick_table()
        if t is None:
            return []
        fn = r.choice(self.trigger_funcs)
        kind = self.funcs[fn].kind
        n = self.next_id()
        if kind == "touch":
            timing, events = "BEFORE", "UPDATE"
        elif kind == "notify":
            timing, events = "AFTER", r.choice(["INSERT", "INSERT OR UPDATE", "UPDATE"])
        else:
            timing, events = r.choice(["BEFORE", "AFTER"]), r.choice(["INSERT OR UPDATE", "UPDATE"])
        name = f"trg_{t.name}_{kind}_{n}"
        when = "\n    WHEN (OLD.* IS DISTINCT FROM NEW.*)" if events == "UPDATE" and r.random() < 0.3 else ""
        return [f"CREATE TRIGGER {name}\n    {timing} {events} ON {t.name}\n    FOR EACH ROW{when}\n    EXECUTE FUNCTION {fn}();"]

    def comment_function(self) -> list[str]:
        if not self.funcs:
            return []
        f = self.funcs[self.r.choice(list(self.funcs))]
        return [f"COMMENT ON FUNCTION {f.sig} IS '{self.r.choice(_PHRASES)}';"]

    # --- files ----------------------------------------------------------------------

    def file_body(self, i: int) -> tuple[str, list[str]]:
        """Description and statements of file ``i``."""
        r = self.r
        self.file = i
        out: list[str] = []
        if i == 0:
            out += self.create_function("touch")
            out += self.create_enum()
            desc = "initial_setup"
            return desc, out
        roll = r.random()
        if not self.live or roll < 0.30:
            names = []
            for _ in range(r.choice([1, 1, 2, 2, 3])):
                out += self.create_table()
                t = self.tables[self.live[-1]]
                names.append(t.name)
                for _ in range(r.randint(1, 4)):
                    out += self.create_index(t)
                out += self.create_trigger(t)
                out += self.comments(t)
                if r.random() < 0.5:
                    out += self.insert(t)
            desc = f"create_{names[0]}"
        elif roll < 0.50:
            for _ in range(r.randint(3, 9)):
                out += r.choice([self.add_columns, self.add_columns, self.alter_column, self.create_index])()
            if r.random() < 0.5:
                out += self.drop_column()
            desc = f"alter_{self.live[-1]}" if r.random() < 0.5 else "alter_columns"
        elif roll < 0.65:
            for _ in range(r.choice([1, 1, 2])):
                if r.random() < 0.6 or not self.funcs:
                    out += self.create_function()
                else:
                    out += self.redefine_function()
            if r.random() < 0.5:
                out += self.redefine_function()
            for _ in range(r.randint(0, 3)):
                out += self.create_trigger()
            if r.random() < 0.5:
                out += self.comment_function()
            desc = "add_functions"
        elif roll < 0.80:
            for _ in range(r.randint(2, 5)):
                out += self.insert()
            desc = "seed_data"
        elif roll < 0.88:
            if r.random() < 0.5 or not self.enums:
                out += self.create_enum()
            for _ in range(r.randint(1, 3)):
                out += self.alter_enum()
            out += self.add_columns()
            desc = "enum_values"
        else:
            for _ in range(r.randint(2, 5)):
                out += r.choice([self.drop_column, self.drop_index, self.drop_column])()
            if r.random() < 0.45:
                out += self.drop_table()
            desc = "cleanup"
        # secondary changes keep files mixed
        for _ in range(r.randint(2, 6)):
            out += r.choice([self.create_index, self.comments, self.alter_column, self.insert, self.add_columns])()
        if not out:
            out += self.comments()
        return desc, out


def generate_history(n_migrations: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """``n_migrations`` valid, ordered sqlx migration files as (name, bytes)."""
    g = _Gen(seed)
    r = g.r
    when = datetime(2025, 1, 1, 0, 0, 1)
    out: list[tuple[str, bytes]] = []
    for i in range(n_migrations):
        if i:
            when += timedelta(seconds=r.choice([1, 1, 60, 600, 3600, 3600 * 6]))
        version = when.strftime("%Y%m%d%H%M%S")
        desc, stmts = g.file_body(i)
        name = f"{version}_{desc}.sql"
        header = [
            "-- " + "=" * 70,
            f"-- Migration: {desc.replace('_', ' ')}",
            f"-- Version:   {version}",
            "-- " + "=" * 70,
        ]
        if r.random() < 0.6:
            header += ["--", "-- Purpose:"] + [f"--   {r.choice(_PURPOSE)}" for _ in range(r.randint(1, 5))] + ["-- " + "=" * 70]
        text = "\n".join(header) + "\n\n" + "\n\n".join(stmts) + "\n"
        out.append((name, text.encode("utf-8")))
    return out


def history_lines(files: list[tuple[str, bytes]]) -> int:
    return sum(data.count(b"\n") for _, data in files)


def write_history(folder: Path | str, files: list[tuple[str, bytes]]) -> Path:
    """Write the files into ``folder`` (created if needed); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files:
        (folder / name).write_bytes(data)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("folder")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    files = generate_history(a.n, a.seed)
    write_history(a.folder, files)
    print(f"wrote {len(files)} files, {history_lines(files)} lines to {a.folder}")


if __name__ == "__main__":
    main()
