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


def _both(text: str) -> tuple[tuple, tuple, bool]:
    """(fast path's outcome, token path's outcome, whether the fast path was taken)."""
    return _outcome(C._classify, text), _outcome(C._comment, text), C._SIMPLE_COMMENT.match(text) is not None


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
    fast, tokens, was_taken = _both(text)
    assert was_taken == taken
    assert fast == tokens


_word = st.from_regex(r"[A-Za-z_][A-Za-z0-9_$]{0,6}", fullmatch=True)
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
    fast, tokens, _ = _both(text)
    assert fast == tokens


def _dml_both(text: str) -> tuple[tuple, tuple, bool]:
    verb = text.split(None, 1)[0].lower()
    return (_outcome(C._classify, text), _outcome(lambda s: C._dml(s, verb, C.tokenize(s.text)), text),
            C._SIMPLE_DML.match(text) is not None)


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
    fast, tokens, was_taken = _dml_both(text)
    assert was_taken == taken
    assert fast == tokens


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["INSERT INTO", "insert\ninto", "UPDATE", "Update", "DELETE FROM", "delete  from"]),
       st.lists(_word, min_size=1, max_size=3), _space, st.sampled_from(["(a) VALUES (1);", "SET a = 1;", ";", "",
                                                                          "WHERE a > 0", "SELECT 1 FROM z;"]))
def test_generated_data_statements_match_the_token_path(verb, parts, sp, rest) -> None:
    fast, tokens, _ = _dml_both(f"{verb}{sp}{'.'.join(parts)}{sp}{rest}")
    assert fast == tokens
