from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attune_tui.core.lexer import SqlSyntaxError, split_statements, tokenize


def texts(sql: str) -> list[str]:
    return [sql[s.start : s.end] for s in split_statements(sql)]


def test_semicolons_inside_quotes_comments_and_dollar_quotes_do_not_split():
    sql = (
        "SELECT 'a;b', E'it\\'s;', \"we;ird\"\"id\";\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;\n"
        "/* outer /* nested ; */ still comment ; */ SELECT 2;\n"
        "-- a comment; with a semicolon\nSELECT $$;$$;\n"
    )
    out = texts(sql)
    assert out == [
        "SELECT 'a;b', E'it\\'s;', \"we;ird\"\"id\";",
        "CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql;",
        "SELECT 2;",
        "SELECT $$;$$;",
    ]


def test_dollar_tags_must_match_and_params_are_not_quotes():
    sql = "SELECT $a$ $b$ ; $b$ $a$; PREPARE p AS SELECT $1; SELECT x$y FROM t;"
    assert texts(sql) == ["SELECT $a$ $b$ ; $b$ $a$;", "PREPARE p AS SELECT $1;", "SELECT x$y FROM t;"]


def test_spans_keep_exact_lines_and_leading_comments():
    sql = "-- first\nCREATE TABLE a (x int);\n\n-- about b\n-- more\nCREATE TABLE b (\n  y int\n); -- trailing\nSELECT 1"
    spans = split_statements(sql)
    assert [(s.line, s.end_line) for s in spans] == [(2, 2), (6, 8), (9, 9)]
    assert sql[spans[1].lead : spans[1].start].startswith("-- about b")
    assert spans[-1].terminated is False


@pytest.mark.parametrize("sql,what,line", [
    ("SELECT 1;\nSELECT 'open", "unterminated string literal", 2),
    ("SELECT 1;\n\nSELECT $x$ body", "unterminated dollar quote $x$", 3),
    ("/* never /* closed */", "unterminated block comment", 1),
    ('SELECT "abc', "unterminated quoted identifier", 1),
])
def test_unterminated_constructs_name_file_and_line(sql, what, line):
    with pytest.raises(SqlSyntaxError) as e:
        split_statements(sql, "0001_x.sql")
    assert e.value.line == line and e.value.what == what
    assert str(e.value).startswith(f"0001_x.sql line {line}:")


def test_empty_and_comment_only_text_has_no_statements():
    assert split_statements("") == []
    assert split_statements("-- nothing\n/* here */\n") == []


def test_tokenize_keeps_offsets_and_lowercases_words():
    sql = 'CREATE TABLE "Mixed" (id BIGSERIAL, d JSONB DEFAULT \'{}\'::jsonb)'
    toks = tokenize(sql)
    assert [t.value for t in toks[:3]] == ["create", "table", "Mixed"]
    assert toks[2].kind == "qident" and sql[toks[2].start : toks[2].end] == '"Mixed"'
    assert any(t.kind == "op" and t.value == "::" for t in toks)


# --- BEGIN ATOMIC routine bodies (PostgreSQL 14+) ------------------------------

ATOMIC_FUNCTION = (
    "CREATE OR REPLACE FUNCTION sign_of(a int) RETURNS int LANGUAGE sql\n"
    "BEGIN ATOMIC\n"
    "  SELECT CASE WHEN a > 0 THEN 1 WHEN a < 0 THEN -1 ELSE 0 END;\n"
    "END;"
)


def test_begin_atomic_body_stays_in_its_create_function():
    sql = f"CREATE TABLE t (x int);\n{ATOMIC_FUNCTION}\nSELECT sign_of(2);\n"
    assert texts(sql) == ["CREATE TABLE t (x int);", ATOMIC_FUNCTION, "SELECT sign_of(2);"]
    spans = split_statements(sql)
    assert [(s.line, s.end_line) for s in spans] == [(1, 1), (2, 5), (6, 6)]


def test_begin_atomic_procedure_with_several_statements_comments_and_nested_case():
    proc = ("create /* spelled oddly */ or\nreplace procedure bump(n int) language sql begin atomic\n"
            "  insert into t values (n); -- one; two\n"
            "  update t set x = (case when x > 0 then case when x > 9 then 9 end else 0 end);\n"
            "  delete from t where x = 'end;';\n"
            "end;")
    sql = f"{proc}\nCALL bump(1);"
    assert texts(sql) == [proc, "CALL bump(1);"]


def test_plain_transactions_and_other_begins_still_split():
    sql = ("BEGIN; SELECT 1; END;\n"
           "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql; SELECT 2;\n"
           "CREATE TABLE begin_log (begin int, \"end\" int); SELECT 3;")
    assert texts(sql) == ["BEGIN;", "SELECT 1;", "END;",
                          "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;", "SELECT 2;",
                          "CREATE TABLE begin_log (begin int, \"end\" int);", "SELECT 3;"]


def test_only_begin_atomic_outside_parentheses_opens_a_body():
    sql = ("CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN begin; SELECT 1;\n"
           "CREATE FUNCTION g(x int DEFAULT (begin atomic)) RETURNS int LANGUAGE sql RETURN x; SELECT 2;")
    assert texts(sql) == ["CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql RETURN begin;", "SELECT 1;",
                          "CREATE FUNCTION g(x int DEFAULT (begin atomic)) RETURNS int LANGUAGE sql RETURN x;",
                          "SELECT 2;"]


def test_unclosed_begin_atomic_body_runs_to_the_end_unterminated():
    sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2;"
    spans = split_statements(sql)
    assert len(spans) == 1 and spans[0].terminated is False
    assert sql[spans[0].start : spans[0].end] == sql


# --- tokenizer details ----------------------------------------------------------

def test_tokenize_kinds_values_and_prefixed_literals():
    sql = ("select E'it\\'s', B'101', U&'d\\0061t', u&\"Qu\"\"oted\", x$y, $1, 1.5e3, .5, a.b, "
           "/* outer /* nested */ */ 'x''y' -- tail\n::text, $t$ body; $t$ >= [1]")
    toks = tokenize(sql)
    got = [(t.kind, t.value) for t in toks]
    assert got == [
        ("word", "select"), ("string", "E'it\\'s'"), ("punct", ","), ("string", "B'101'"), ("punct", ","),
        ("string", "U&'d\\0061t'"), ("punct", ","), ("qident", 'Qu"oted'), ("punct", ","), ("word", "x$y"),
        ("punct", ","), ("param", "$1"), ("punct", ","), ("number", "1.5e3"), ("punct", ","), ("number", ".5"),
        ("punct", ","), ("word", "a"), ("punct", "."), ("word", "b"), ("punct", ","), ("string", "'x''y'"),
        ("op", "::"), ("word", "text"), ("punct", ","), ("dollar", "$t$ body; $t$"), ("op", ">="),
        ("punct", "["), ("number", "1"), ("punct", "]"),
    ]
    for t in toks:
        src = sql[t.start : t.end]
        assert src.lower() == t.value if t.kind == "word" else t.kind == "qident" or src == t.value


def test_tokenize_unterminated_prefix_string_falls_back_to_a_word():
    toks = tokenize("E'open")
    assert [(t.kind, t.value) for t in toks] == [("word", "e"), ("other", "'"), ("word", "open")]


def test_tokenize_limit_and_range():
    sql = "  -- lead\nCREATE TABLE a (x int); SELECT 1"
    assert tokenize(sql, limit=3) == tokenize(sql)[:3]
    part = tokenize(sql, sql.index("SELECT"))
    assert [t.value for t in part] == ["select", "1"] and part[0].start == sql.index("SELECT")


# --- the splitter and the tokenizer agree ---------------------------------------
# They are separate scanners (one regex over a whole statement, one per token), so
# for well-formed SQL each checks the other: statements end exactly at the ';'
# tokens outside statements' bodies, and no token straddles a statement boundary.

_PIECES = st.sampled_from([
    "select", "CREATE", "t", "x1", "_y", "é", "1", "2.5", ".5", "(", ")", ",", ".", "::", "+", "-", "/", "*", "<>",
    "'a;b'", "'it''s'", " E'\\';'", " e'x\\\\'", "U&'d'", "B'1'", '"q;""x"', 'U&"u"', " $$;$$", " $a$ $b$ ; $a$",
    "-- c; d\n", "/* c; */", "/* a /* b; */ c */", "$1", "x$y", ";", ";", " ", "\n", "\t",
])
_SQL = st.lists(_PIECES, max_size=60).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_SQL)
def test_statement_ends_are_the_semicolon_tokens(sql):
    spans = split_statements(sql)
    semis = [t.start for t in tokenize(sql) if t.kind == "punct" and t.value == ";"]
    ends = {s.end - 1 for s in spans if s.terminated}
    assert ends <= set(semis)
    for a, b in pairwise(spans):
        assert a.terminated and a.end <= b.lead <= b.start
    for s in spans:
        inner = tokenize(sql, s.start, s.end)
        assert inner and inner[0].start == s.start
        assert all(t.end <= s.end for t in inner)
        if s.terminated:
            assert inner[-1].end == s.end
    for p in semis:
        if p not in ends:  # an empty statement: nothing but comments since the previous one
            assert not any(s.start <= p < s.end for s in spans)
            prev_end = max((s.end for s in spans if s.end <= p), default=0)
            assert [t.value for t in tokenize(sql, prev_end, p)] == [";"] * len(tokenize(sql, prev_end, p))


@settings(max_examples=300, deadline=None)
@given(_SQL)
def test_tokens_are_ordered_exact_slices(sql):
    toks = tokenize(sql)
    for a, b in pairwise(toks):
        assert a.end <= b.start
    for t in toks:
        src = sql[t.start : t.end]
        if t.kind == "word":
            assert src.lower() == t.value
        elif t.kind != "qident":
            assert src == t.value
    assert tokenize(sql, limit=5) == toks[:5]


def _split_both(sql: str) -> tuple:
    """(spans with the plain-statement shortcut taken wherever it applies, spans by the body scan alone)."""
    from attune_tui.core import lexer
    saved = lexer._PLAIN_MIN
    try:
        lexer._PLAIN_MIN = 0
        try:
            fast = split_statements(sql)
        except SqlSyntaxError as e:
            fast = str(e)
        lexer._PLAIN_MIN = 10**9
        try:
            slow = split_statements(sql)
        except SqlSyntaxError as e:
            slow = str(e)
    finally:
        lexer._PLAIN_MIN = saved
    return fast, slow


_ROW_PIECES = st.sampled_from(["INSERT INTO t VALUES", "(1, 'a;b', 'it''s', '')", "'x'", "';'", "''''", ",", ";",
                               " ", "\n", "E'\\';'", "'$'", '"q;"', "-- c; 'd\n", "/* ';' */", "$$;$$", "-", "/",
                               "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;", "END", "'"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ROW_PIECES, max_size=40).map(" ".join))
def test_plain_statement_shortcut_splits_as_the_body_scan(sql):
    fast, slow = _split_both(sql)
    assert fast == slow


@settings(max_examples=200, deadline=None)
@given(_SQL)
def test_plain_statement_shortcut_on_any_sql(sql):
    fast, slow = _split_both(sql)
    assert fast == slow


@pytest.mark.parametrize("spelled, name", [
    (r"[A-Za-z_\x80-\uffff]", "_ID_START"),
    (r"[A-Za-z0-9_\x80-\uffff]", "_ID_CHAR"),
    (r"[A-Za-z0-9_$\x80-\uffff]", "_ID_CHAR_OR_DOLLAR"),
    (r"[AC-DF-MO-TV-WYZac-df-mo-tv-wyz_\x80-\uffff]", "_ID_START_NOT_PREFIX"),
])
def test_identifier_classes_written_as_complements_match_the_same_characters(spelled, name):
    """The lexer writes its identifier classes as complements (they compile at once); every code point agrees."""
    import re

    from attune_tui.core import lexer
    every = "".join(map(chr, range(0x110000)))
    runs = [m.span() for m in re.finditer(spelled + "+", every)]
    assert runs and runs == [m.span() for m in re.finditer(getattr(lexer, name) + "+", every)]
