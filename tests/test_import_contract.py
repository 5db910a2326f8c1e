"""The core stays pure: no Textual, no psycopg, even indirectly."""

import subprocess
import sys


def test_core_imports_neither_textual_nor_psycopg():
    code = ("import sys, attune_tui.core.consolidate, attune_tui.core.stats, attune_tui.core.extract, "
            "attune_tui.core.output\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'psycopg', 'rich')]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_db_layer_does_not_import_textual():
    code = ("import sys, pkgutil, importlib, attune_tui.db\n"
            "for m in pkgutil.iter_modules(attune_tui.db.__path__): importlib.import_module('attune_tui.db.' + m.name)\n"
            "print(','.join(m for m in sys.modules if m.split('.')[0] == 'textual'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""
