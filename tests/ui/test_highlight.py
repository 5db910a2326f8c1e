"""Syntax colours as runs: the preview draws exactly what a rich Text of the same tokens would."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from attune_tui.ui.highlight import highlight, highlight_runs, preview_code

from .conftest import ROOT

BASE = Style(color="#e0e0e0", bgcolor="#1e1e1e")
CONSOLE = Console(color_system="truecolor", width=200)


def cells(segments: list[Segment]) -> list[tuple[str, Style]]:
    """Each character with its style: segment boundaries may differ, what is drawn may not."""
    return [(ch, seg.style) for seg in segments for ch in seg.text]


def as_text_lines(code: str, dark: bool) -> list[list[tuple[str, Style]]]:
    """The lines as the preview drew them before: a rich Text per line, the base style under it."""
    coloured = highlight(code, "postgresql", dark)
    assert coloured is not None
    return [cells(list(Text.assemble(line, style=BASE).render(CONSOLE))) for line in coloured.split("\n", allow_blank=True)]


def test_runs_draw_what_a_rich_text_draws() -> None:
    code = preview_code((ROOT / "migrations" / "20250101000003_pack_system.sql").read_text(encoding="utf-8"))
    for dark in (True, False):
        runs = highlight_runs(code, "postgresql", dark)
        assert runs is not None and runs.palette
        lines = code.split("\n")
        drawn = [cells(runs.segments(i, line, BASE)) for i, line in enumerate(lines)]
        assert drawn == as_text_lines(code, dark)
    assert highlight_runs(code, "postgresql", True).colours() != highlight_runs(code, "postgresql", False).colours()


def test_tabs_are_expanded_before_colouring_so_runs_stay_aligned() -> None:
    code = preview_code("CREATE TABLE t (\n\tid\tBIGINT,\n\tname TEXT\n);\n")
    assert "\t" not in code
    runs = highlight_runs(code, "postgresql", True)
    assert runs is not None
    for i, line in enumerate(code.split("\n")):
        assert "".join(seg.text for seg in runs.segments(i, line, BASE)) == line
    keyword = [seg for seg in runs.segments(0, "CREATE TABLE t (", BASE) if seg.text == "CREATE"]
    assert keyword and keyword[0].style != BASE


def test_plain_text_and_cancellation() -> None:
    plain = highlight_runs("a\r\nb", "postgresql", True)  # the lexer would make two lines of one: not coloured
    assert plain is not None and not plain.palette and all(len(r) == 0 for r in plain.runs)
    assert highlight_runs("SELECT 1;\n" * 1000, "postgresql", True, cancelled=lambda: True) is None
