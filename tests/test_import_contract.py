"""One direction of imports: core uses neither db nor the app; db and the checklist never import the app."""

import subprocess
import sys


def _imports_of(package: str, forbidden: tuple[str, ...]) -> str:
    """Import every module of ``package``; print the forbidden modules that came along."""
    code = (f"import sys, pkgutil, importlib, {package}\n"
            f"for m in pkgutil.iter_modules({package}.__path__): importlib.import_module('{package}.' + m.name)\n"
            f"print(','.join(sorted(m for m in sys.modules if m.startswith({forbidden!r}))))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_every_core_module_imports_neither_textual_nor_psycopg():
    assert _imports_of("attune_tui.core", ("textual", "psycopg", "rich", "attune_tui.db", "attune_tui.ui",
                                           "attune_tui.checklist")) == ""


def test_the_checklist_uses_core_and_db_but_not_the_app():
    assert _imports_of("attune_tui.checklist", ("textual", "rich", "attune_tui.ui")) == ""


def test_core_imports_neither_textual_nor_psycopg():
    code = ("import sys, attune_tui.core.consolidate, attune_tui.core.stats, attune_tui.core.extract, "
            "attune_tui.core.output\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'psycopg', 'rich')]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_db_layer_imports_neither_the_app_nor_the_checklist():
    assert _imports_of("attune_tui.db", ("textual", "attune_tui.ui", "attune_tui.checklist")) == ""
