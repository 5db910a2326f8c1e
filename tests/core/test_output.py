"""Atomic writes keep the permissions a plain write would give."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from attune_tui.core.output import write_atomic


def test_a_new_file_gets_the_umask_default_and_a_replaced_file_keeps_its_mode(tmp_path: Path):
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.sql"
        write_atomic(new, b"SELECT 1;\n")
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        assert new.read_bytes() == b"SELECT 1;\n"
        kept = tmp_path / "kept.yaml"
        kept.write_text("a: 1\n")
        kept.chmod(0o640)
        write_atomic(kept, b"a: 2\n")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "a: 2\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.yaml", "new.sql"]  # no temporary left
    finally:
        os.umask(old)
