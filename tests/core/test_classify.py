"""Classifier fast paths give exactly what the token path gives."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attune_tui.core import classify as C
from attune_tui.core.lexer import Span
from attune_tui.core.statements import Statement


def _stmt(text: str) -> Statement:
    return Statement("f.sql", 0, Span(0, 0, len(text), 1, 1, True), text, "")


def _outcome(fill, text: str) -> tuple:
    s = _stmt(text)
    try:
        fill(s)
    except (IndexError, ValueError) as e:
        return ("error", type(e).__name__)
    return (s.kind, s.creates, s.depends, s.detail)


def _dml_by_tokens(s: Statement) -> None:
    C._dml(s, s.text.split(None, 1)[0].lower(), C.tokenize(s.text))


# Each fast path: the token path it stands in for, and the pattern that decides whether it is taken.
_PATHS = {
    "comment": (C._comment, C._SIMPLE_COMMENT),
    "dml": (_dml_by_tokens, C._SIMPLE_DML),
    "alter": (C._alter_table, C._SIMPLE_ALTER),
    "index": (C._create_index, C._SIMPLE_INDEX),
    "trigger": (C._create_trigger, C._SIMPLE_TRIGGER),
}


def _both(path: str, text: str) -> tuple[tuple, tuple, bool]:
    """(the classifier's outcome, the token path's outcome, whether the fast path was taken)."""
    by_tokens, pattern = _PATHS[path]
    return _outcome(C._classify, text), _outcome(by_tokens, text), pattern.match(text) is not None


@pytest.mark.parametrize("text, taken", [
    ("COMMENT ON COLUMN cluster_3.phase IS 'Needs review; see ticket (choice)';", True),
    ("comment on table Runtime is 'It''s the runtime';", True),
    ("COMMENT ON COLUMN public.pack.ref IS NULL;", True),
    ("COMMENT ON TABLE public.pack IS '';", True),
    ("COMMENT ON INDEX idx_a$b IS 'x'  ;", True),
    ("COMMENT  ON\n  COLUMN  t.c\n  IS\n  'multi\nline';", True),
    ("COMMENT ON COLUMN c IS 'no table';", True),  # an error either way
    ("COMMENT ON COLUMN s.t.c IS 'schema';", True),
    ("COMMENT ON COLUMN \"T\".c IS 'quoted';", False),
    ("COMMENT ON FUNCTION f(int) IS 'f';", False),
    ("COMMENT ON TRIGGER tr ON t IS 'tr';", False),
    ("COMMENT ON MATERIALIZED VIEW mv IS 'mv';", False),
    ("COMMENT ON TABLE t IS E'escaped\\n';", False),
    ("COMMENT ON TABLE t /* why */ IS 'x';", False),
    ("COMMENT ON TABLE t IS 'x' -- trailing\n;", False),
    ("COMMENT ON TABLE tæble IS 'x';", False),
])
def test_simple_comments_match_the_token_path(text: str, taken: bool) -> None:
    fast, tokens, was_taken = _both("comment", text)
    assert was_taken == taken
    assert fast == tokens


_word = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_$]{0,6}", fullmatch=True),
                  st.sampled_from(["if", "IF", "only", "column", "Column", "constraint", "set", "drop", "default", "not",
                                   "null", "public", "Public", "table", "exists", "is", "into", "from", "concurrently", "execute",
                                   "on", "function", "unique", "index", "trigger"]))
_space = st.sampled_from([" ", "  ", "\n", "\t", "\n  "])
_what = st.sampled_from(["COLUMN", "column", "Table", "INDEX", "view", "TYPE", "sequence", "SCHEMA", "extension",
                         "domain"])
_value = st.one_of(st.just("NULL"), st.just("null"),
                   st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12).map(
                       lambda v: "'" + v.replace("'", "''") + "'"))


@settings(max_examples=300, deadline=None)
@given(_what, st.lists(_word, min_size=1, max_size=3), _value, _space, _space, st.sampled_from([";", " ;", ""]))
def test_generated_comments_match_the_token_path(what, parts, value, sp1, sp2, end) -> None:
    text = f"COMMENT{sp1}ON {what}{sp2}{'.'.join(parts)} IS{sp1}{value}{end}"
    fast, tokens, _ = _both("comment", text)
    assert fast == tokens



@pytest.mark.parametrize("text, taken", [
    ("INSERT INTO runtime (ref, name) VALUES ('core.python', 'Python');", True),
    ("insert into public.Runtime(ref) VALUES ('x');", True),
    ("INSERT INTO s.t SELECT * FROM other_t JOIN s.u ON true;", True),
    ("INSERT  INTO\n t\nVALUES (1)", True),
    ("UPDATE runtime SET ref = 'core.' || name;", True),
    ("UPDATE ONLY runtime SET x = 1;", False),
    ("DELETE FROM runtime WHERE name = 'x';", True),
    ("DELETE FROM public.runtime;", True),
    ("INSERT INTO \"Runtime\" VALUES (1);", False),
    ("INSERT /* c */ INTO t VALUES (1);", False),
    ("UPDATE t.\"X\" SET a = 1;", False),
    ("INSERT INTO tæble VALUES (1);", False),
])
def test_simple_data_statements_match_the_token_path(text: str, taken: bool) -> None:
    fast, tokens, was_taken = _both("dml", text)
    assert was_taken == taken
    assert fast == tokens


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["INSERT INTO", "insert\ninto", "UPDATE", "Update", "DELETE FROM", "delete  from"]),
       st.lists(_word, min_size=1, max_size=3), _space, st.sampled_from(["(a) VALUES (1);", "SET a = 1;", ";", "",
                                                                          "WHERE a > 0", "SELECT 1 FROM z;"]))
def test_generated_data_statements_match_the_token_path(verb, parts, sp, rest) -> None:
    fast, tokens, _ = _both("dml", f"{verb}{sp}{'.'.join(parts)}{sp}{rest}")
    assert fast == tokens



@pytest.mark.parametrize("text, taken", [
    ("ALTER TABLE runtime ALTER COLUMN ref SET NOT NULL;", True),
    ("alter table public.Runtime alter Ref drop  not\n null", True),
    ("ALTER TABLE s.t ALTER COLUMN c DROP DEFAULT ;", True),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT '{}'::jsonb;", True),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT 'it''s';", True),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT NOW();", True),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT -1.5;", True),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT '{}'::text[];", True),
    ("ALTER TABLE t ALTER COLUMN column SET NOT NULL;", True),
    ("ALTER TABLE t DROP COLUMN c;", True),
    ("ALTER TABLE t DROP c;", True),
    ("ALTER TABLE t DROP COLUMN column;", True),
    ("ALTER TABLE t ALTER column SET NOT NULL;", False),
    ("ALTER TABLE t DROP COLUMN;", False),
    ("ALTER TABLE t DROP COLUMN IF EXISTS c;", False),
    ("ALTER TABLE t DROP CONSTRAINT k;", False),
    ("ALTER TABLE t DROP IF EXISTS c;", False),
    ("ALTER TABLE ONLY t DROP COLUMN c;", False),
    ("ALTER TABLE IF EXISTS t DROP COLUMN c;", False),
    ("ALTER TABLE t DROP COLUMN a, DROP COLUMN b;", False),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT f(1, 2);", False),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT 'a' -- why\n;", False),
    ("ALTER TABLE t ALTER COLUMN c SET DEFAULT E'a\\'b';", False),
    ("ALTER TABLE \"T\" DROP COLUMN c;", False),
    ("ALTER TABLE t ADD COLUMN c INT;", False),
])
def test_simple_alter_tables_match_the_token_path(text: str, taken: bool) -> None:
    fast, tokens, was_taken = _both("alter", text)
    assert was_taken == taken
    assert fast == tokens


_action = st.one_of(
    st.tuples(st.sampled_from(["ALTER COLUMN", "alter", "ALTER\ncolumn"]), _word,
              st.sampled_from(["SET NOT NULL", "drop not null", "DROP  DEFAULT", "SET DEFAULT 'x'", "SET DEFAULT now()",
                               "set default '{}'::jsonb", "SET DEFAULT 0", "SET DEFAULT -2", "SET DEFAULT true",
                               "SET DEFAULT f(a, b)", "SET NULL"])).map(" ".join),
    st.tuples(st.sampled_from(["DROP COLUMN", "drop", "DROP column IF EXISTS", "DROP CONSTRAINT"]), _word).map(" ".join))


@settings(max_examples=400, deadline=None)
@given(st.lists(_word, min_size=1, max_size=2), _action, _space, st.sampled_from([";", " ;", ""]))
def test_generated_alter_tables_match_the_token_path(parts, action, sp, end) -> None:
    fast, tokens, _ = _both("alter", f"ALTER TABLE{sp}{'.'.join(parts)} {action}{end}")
    assert fast == tokens



@pytest.mark.parametrize("text, taken", [
    ("CREATE INDEX idx_a ON runtime (name);", True),
    ("create unique index Idx_A on public.Runtime(lower(name), ref DESC) WHERE enabled AND x > 1e5;", True),
    ("CREATE INDEX IF NOT EXISTS idx_b ON s.t USING gin (meta jsonb_path_ops);", True),
    ("CREATE INDEX idx_c ON t (a) WHERE a IS NOT NULL AND b <> c::text", True),
    ("CREATE INDEX idx_d ON t ((a + 2.5e-3 * b), coalesce (c, d)) INCLUDE (e);", True),
    ("CREATE INDEX idx_e ON t (a) WHERE b - 1 > 0;", True),
    ("CREATE INDEX idx_f ON t (a) WHERE b = 'x';", False),
    ("CREATE INDEX idx_g ON t (a) -- why\n;", False),
    ("CREATE INDEX idx_h ON t (a) WHERE b / 2 > 1;", False),
    ("CREATE INDEX idx_i ON t (\"A\");", False),
    ("CREATE INDEX ON t (a);", False),
    ("CREATE INDEX CONCURRENTLY idx_j ON t (a);", False),
    ("CREATE INDEX idx_k ON ONLY t (a);", False),
    ("CREATE INDEX idx_l ON t (a) WHERE b > $1;", False),
    ("CREATE INDEX idx_m ON t(a);", True),
    ("CREATE INDEX idx_n ON tab USING btree (a);", True),
])
def test_simple_indexes_match_the_token_path(text: str, taken: bool) -> None:
    fast, tokens, was_taken = _both("index", text)
    assert was_taken == taken
    assert fast == tokens


_expr_part = st.sampled_from(["a", "B", "lower(", "(", ")", ",", " ", "\n", "::text", "1e5", "2.5", ".5", "1e", "-", "+", "*",
                              "<>", ">=", "is", "not", "null", "DESC", "e5", "x1", "(1)", "[1]", "%", "--", "'s'"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["CREATE INDEX", "create unique index", "CREATE INDEX IF NOT EXISTS"]),
       st.lists(_word, min_size=1, max_size=2), st.lists(_word, min_size=1, max_size=2),
       st.sampled_from(["", " USING gin", " using btree"]), st.lists(_expr_part, max_size=10).map("".join),
       st.sampled_from([";", " ;", ""]))
def test_generated_indexes_match_the_token_path(head, name, table, using, expr, end) -> None:
    fast, tokens, _ = _both("index", f"{head} {'.'.join(name)} ON {'.'.join(table)}{using} ({expr}){end}")
    assert fast == tokens


@pytest.mark.parametrize("text", ["CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW;", "CREATE TRIGGER t;",
                                  "CREATE TRIGGER;", "CREATE TRIGGER t BEFORE UPDATE ON x EXECUTE;"])
def test_unreadable_triggers_are_kept_opaque_not_a_crash(text: str) -> None:
    """A trigger without ON or EXECUTE used to raise StopIteration, which stopped the whole replay."""
    s = C.classify(_stmt(text))
    assert s.kind == "other" and s.parse_error and s.detail is None



@pytest.mark.parametrize("text, taken", [
    ("CREATE TRIGGER trg_a BEFORE UPDATE ON runtime FOR EACH ROW EXECUTE FUNCTION set_updated_at();", True),
    ("create trigger Trg after insert or update of a, b on public.Runtime\n for each row\n"
     " when (old.* is distinct from new.*) execute procedure s.f(1)", True),
    ("CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW WHEN (NEW.execute IS NULL) EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON execute FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON s.execute FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER on BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE OF on ON x FOR EACH ROW EXECUTE FUNCTION f();", True),
    ("CREATE OR REPLACE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE CONSTRAINT TRIGGER t AFTER UPDATE ON x FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW WHEN (NEW.a <> 'x') EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON x -- why\n FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON \"X\" FOR EACH ROW EXECUTE FUNCTION f();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW EXECUTE FUNCTION \"F\"();", False),
    ("CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW;", False),
])
def test_simple_triggers_match_the_token_path(text: str, taken: bool) -> None:
    fast, tokens, was_taken = _both("trigger", text)
    assert was_taken == taken
    assert fast == tokens


_trigger_part = st.sampled_from(["BEFORE", "after", "INSERT", "OR", "update", "OF", "a", ",", "on", "ON", "execute", "s.execute",
                                 "FOR EACH ROW", "WHEN", "(", ")", "old.*", "new.execute", "IS", "DISTINCT", "FROM",
                                 "<>", "x1", "on_x", "xon", "1", " ", "\n"])


@settings(max_examples=500, deadline=None)
@given(_word, st.lists(_trigger_part, max_size=5), st.lists(_word, min_size=1, max_size=2),
       st.lists(_trigger_part, max_size=6), st.sampled_from(["FUNCTION", "procedure"]), st.lists(_word, min_size=1, max_size=2),
       st.sampled_from(["();", "()", "(1, 2);"]))
def test_generated_triggers_match_the_token_path(name, events, table, middle, kind, func, end) -> None:
    text = f"CREATE TRIGGER {name} {' '.join(events)} ON {'.'.join(table)} {' '.join(middle)} EXECUTE {kind} {'.'.join(func)}{end}"
    fast, tokens, _ = _both("trigger", text)
    assert fast == tokens


@pytest.mark.parametrize("text", ["ALTER TABLE t ADD c INT DEFAULT (;", "CREATE TABLE t (c INT DEFAULT (1 REFERENCES x (a);",
                                  "ALTER TABLE t ADD c INT REFERENCES x (a;",
                                  "ALTER TABLE t ADD c INT REFERENCES x ON DELETE SET NULL (a;"])
def test_unbalanced_parentheses_in_a_column_are_unreadable_not_a_hang(text: str) -> None:
    """An unclosed parenthesis after DEFAULT or REFERENCES sent the clause scan back to its start, forever."""
    s = C.classify(_stmt(text))
    assert s.kind == "other" and s.parse_error
