import hashlib

from attune_tui.core.loader import load_files, load_history


def codes(h):
    return {(d.code, d.file) for d in h.diagnostics}


def test_versions_order_checksum_and_sqlx_description():
    h = load_files(None, [("20250101000002_b_two.sql", b"SELECT 2;"), ("20250101000001_a.sql", b"SELECT 1;")])
    assert [m.name for m in h.migrations] == ["20250101000001_a.sql", "20250101000002_b_two.sql"]
    assert h.migrations[1].description == "b two"
    assert h.migrations[0].checksum == hashlib.sha384(b"SELECT 1;").digest()


def test_duplicate_versions_crlf_non_utf8_empty_and_bad_names_are_reported():
    h = load_files(None, [
        ("20260204000001_add_x.sql", b"SELECT 1;"), ("20260204000001_restore_y.sql", b"SELECT 2;"),
        ("20250101000003_crlf.sql", b"SELECT 1;\r\nSELECT 2;\r\n"),
        ("20250101000004_latin1.sql", b"SELECT 'caf\xe9';"),
        ("20250101000005_empty.sql", b"  \n"),
        ("notes.sql", b"-- not a migration"),
    ])
    c = codes(h)
    assert ("duplicate-version", "20260204000001_restore_y.sql") in c
    assert ("crlf", "20250101000003_crlf.sql") in c
    assert ("empty", "20250101000005_empty.sql") in c
    assert ("bad-name", "notes.sql") in c
    bad = next(d for d in h.diagnostics if d.code == "not-utf8")
    assert bad.file == "20250101000004_latin1.sql" and "offset 11" in bad.message and bad.line == 1
    assert len(h.migrations) == 5  # nothing is silently dropped but the misnamed file


def test_reversible_pairs_use_the_up_file(tmp_path):
    (tmp_path / "20250101000001_t.up.sql").write_text("CREATE TABLE t (id int);")
    (tmp_path / "20250101000001_t.down.sql").write_text("DROP TABLE t;")
    h = load_history(tmp_path)
    assert len(h.migrations) == 1 and h.migrations[0].down_text == "DROP TABLE t;"
    assert h.migrations[0].description == "t"


def test_syntax_errors_in_a_file_are_diagnostics_naming_file_and_line():
    from attune_tui.core.consolidate import Consolidation
    from attune_tui.core.plan import initial_plan

    h = load_files(None, [("20250101000001_a.sql", b"SELECT 1;\nSELECT $x$ never closed")])
    cons = Consolidation(h, initial_plan([m.name for m in h.migrations]))
    err = next(d for d in cons.problems() if d.code == "syntax")
    assert err.severity == "error" and err.file == "20250101000001_a.sql" and err.line == 2
