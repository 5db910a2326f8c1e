"""Syntax colours for the SQL, YAML and diff previews (Pygments themes, without their background)."""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text

TAB_SIZE = 4  # as rich's Syntax expands tabs (a tab would move the terminal's cursor, not fill cells)


def highlight(code: str, language: str = "postgresql", dark: bool = True,
              cancelled: Callable[[], bool] | None = None) -> Text | None:
    """Syntax colours as a rich Text (for short snippets; a preview uses :func:`highlight_runs`).

    Token by token, as ``Syntax.highlight`` does, so that a worker whose result is no
    longer wanted stops within a few hundred tokens; then it returns None.
    """
    lexer = Syntax("", language).lexer
    text = Text(no_wrap=True)
    if lexer is None:
        text.append(code)
        return text
    style_for = Syntax.get_theme("monokai" if dark else "default").get_style_for_token
    append = text.append
    for i, (token_type, token) in enumerate(lexer.get_tokens(code)):
        if cancelled is not None and not i % 256 and cancelled():
            return None
        append(token, _no_background(style_for(token_type)))
    text.remove_suffix("\n")
    return text


@lru_cache(maxsize=512)
def _no_background(style: str | Style) -> Style:
    st = Style.parse(style) if isinstance(style, str) else style
    return Style(color=st.color, bold=st.bold, italic=st.italic, underline=st.underline) if st.bgcolor else st


def preview_code(text: str) -> str:
    """The text as a preview shows it: without trailing newlines, tabs expanded (what the lexer sees too)."""
    code = text.rstrip("\n")
    return code.expandtabs(TAB_SIZE) if "\t" in code else code


class Highlighted:
    """The colours of a text as runs per line (start, end, palette index; repeated) in flat arrays.

    Not a rich Text per line: a highlighted 2,000-line target was some 40,000
    Span objects, and the 64 cached ones were most of what each full garbage
    collection traversed. Arrays of numbers are not traversed at all.
    """

    __slots__ = ("palette", "runs")

    def __init__(self, palette: list[Style], runs: list[array]) -> None:
        self.palette = palette
        self.runs = runs

    def colours(self) -> set[str]:
        """Every style a run uses, as text."""
        return {str(self.palette[r[k]]) for r in self.runs for k in range(2, len(r), 3)}

    def segments(self, index: int, line: str, base: Style) -> list[Segment]:
        """The line's segments: the base style under each run's colours."""
        runs = self.runs[index] if index < len(self.runs) else ()
        if not runs:
            return [Segment(line, base)]
        out: list[Segment] = []
        x = 0
        palette = self.palette
        for k in range(0, len(runs), 3):
            start, end = runs[k], runs[k + 1]
            if start > x:
                out.append(Segment(line[x:start], base))
            out.append(Segment(line[start:end], base + palette[runs[k + 2]]))
            x = end
        if x < len(line):
            out.append(Segment(line[x:], base))
        return out


def highlight_runs(code: str, language: str, dark: bool,
                   cancelled: Callable[[], bool] | None = None) -> Highlighted | None:
    """Colour ``code`` (as :func:`preview_code` gives it); None when cancelled (checked every 256 tokens).

    Plain text (no lexer, or carriage returns the lexer would turn into line
    breaks) has no runs, so it is drawn in the base style.
    """
    lines = code.split("\n")
    runs = [array("I") for _ in lines]
    palette: list[Style] = []
    lexer = Syntax("", language).lexer
    if lexer is None or "\r" in code:
        return Highlighted(palette, runs)
    index: dict[Style, int] = {}
    style_for = Syntax.get_theme("monokai" if dark else "default").get_style_for_token
    y = x = 0
    for i, (token_type, token) in enumerate(lexer.get_tokens(code)):
        if cancelled is not None and not i % 256 and cancelled():
            return None
        style = _no_background(style_for(token_type))
        for j, part in enumerate(token.split("\n")):
            if j:
                y, x = y + 1, 0
            if not part or y >= len(runs):
                continue
            end = x + len(part)
            if style:  # a null style is the base style: no run
                sid = index.get(style)
                if sid is None:
                    sid = index[style] = len(palette)
                    palette.append(style)
                runs[y].extend((x, end, sid))  # a run per token, as a rich Text would have its spans
            x = end
    return Highlighted(palette, runs)


# highlighted previews by (text, language, dark): revisiting a target costs nothing
HIGHLIGHT_DELAY = 0.06  # seconds between showing a new text and starting to colour it
HIGHLIGHTED: OrderedDict[tuple[str, str, bool], Highlighted] = OrderedDict()
HIGHLIGHTED_MAX = 64
