import pytest

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
