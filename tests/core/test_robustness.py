"""Any history, however odd, is read to the end: statements the engine cannot read are kept, never a crash or a hang.

Statements are drawn from the heads the classifier knows and the words and punctuation they use, in any order,
with quotes, comments, dollar quotes and unbalanced parentheses among them.  Fuzzing this way found a
CREATE TRIGGER without EXECUTE stopping the replay and an unclosed parenthesis after DEFAULT looping forever.
"""

from __future__ import annotations

import signal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attune_tui.core import parse
from attune_tui.core.consolidate import Consolidation
from attune_tui.core.loader import load_files
from attune_tui.core.plan import initial_plan

_HEADS = ["CREATE TABLE t (", "CREATE TABLE u (", "CREATE TRIGGER", "ALTER TABLE t", "CREATE INDEX i ON t",
          "CREATE UNIQUE INDEX j ON u", "COMMENT ON COLUMN t.a IS", "COMMENT ON TABLE t IS", "DROP TABLE", "DROP INDEX i",
          "DROP FUNCTION f", "INSERT INTO t", "ALTER TYPE e", "ALTER TYPE e ADD VALUE", "ALTER TYPE e RENAME VALUE",
          "CREATE FUNCTION f()", "CREATE TYPE e AS ENUM (", "GRANT", "CREATE VIEW v AS", "UPDATE t", "DELETE FROM t",
          "CREATE OR REPLACE FUNCTION f()", "ALTER TABLE t ADD", "ALTER TABLE t ALTER COLUMN a", "ALTER TABLE t DROP",
          "ALTER TABLE t RENAME", "ALTER TABLE u ADD COLUMN b", "DO", "CREATE EXTENSION", "CREATE SEQUENCE s"]
_WORDS = ["CREATE", "TABLE", "TRIGGER", "INDEX", "ALTER", "DROP", "COLUMN", "ADD", "CONSTRAINT", "ON", "EXECUTE",
          "FUNCTION", "TYPE", "AS", "ENUM", "VALUE", "RENAME", "TO", "IS", "INTO", "SET", "DEFAULT", "NOT", "NULL",
          "REFERENCES", "PRIMARY", "KEY", "CHECK", "FOREIGN", "IF", "EXISTS", "ONLY", "OR", "REPLACE", "BEFORE", "FOR",
          "EACH", "ROW", "t", "u", "a", "b", "e", "f()", "i", "public", ".", "(", ")", ",", "'a'", "'x;y'", "1", "::",
          "=", "$$ body; $$", "RETURNS", "LANGUAGE", "plpgsql", "BEGIN", "END", "VALUES", "USING", "WHERE", "INT",
          "TEXT", "JSONB", "'{}'::jsonb", "now()", '"Q"', "E'\\''", "-- c\n", "/* c */", "CASCADE", "UNIQUE",
          "nextval('s')", "ATOMIC", "SELECT", "FROM"]
_STATEMENT = st.tuples(st.sampled_from(_HEADS), st.lists(st.sampled_from(_WORDS), max_size=10)).map(
    lambda p: " ".join([p[0], *p[1]]))
_FILE = st.lists(_STATEMENT, min_size=1, max_size=5).map(lambda s: ";\n".join(s) + ";")


def _alarm(*_: object) -> None:
    raise TimeoutError("the engine took more than 5 s on a few short statements")


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_FILE, min_size=1, max_size=3))
def test_any_statements_are_read_to_the_end(texts: list[str]) -> None:
    files = [(f"2025010100000{k}_f{k}.sql", text.encode()) for k, text in enumerate(texts)]
    parse._PARSED.clear()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(5)
    try:
        history = load_files(None, files)
        cons = Consolidation(history, initial_plan([m.name for m in history.migrations]))
        emitted = cons.render_all()
        fates = cons.fates()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert len(emitted) == len(files)
    assert len(fates) == sum(len(parse.parse_migration(m)) for m in history.migrations)
