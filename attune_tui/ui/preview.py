"""The SQL preview: one target's text, with syntax colours and an optional provenance overlay."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import get_current_worker

from .highlight import (
    HIGHLIGHT_DELAY,
    HIGHLIGHTED,
    HIGHLIGHTED_MAX,
    Highlighted,
    highlight_runs,
    preview_code,
)

if TYPE_CHECKING:  # types only: the engine is imported after the first paint
    from ..core.consolidate import EmittedPiece


class _Row(NamedTuple):
    """One row of the preview: a line of the file (its text is looked up when drawn), or an annotation."""

    text: Text | None  # the annotation's text; None for a line of the file
    line: int | None  # 1-based line of the emitted file; None for a provenance annotation
    piece: int | None  # index into the pieces


class SqlPreview(ScrollView, can_focus=True):
    """A read-only, syntax-highlighted view of one target, with an optional provenance overlay.

    The overlay (``p``) puts a line above each piece naming the legacy file and
    line of every statement that shaped it, and one line per engine note.
    """

    BINDINGS = [
        Binding("up", "cursor(-1)", "up", show=False, tooltip="cursor up"),
        Binding("down", "cursor(1)", "down", show=False, tooltip="cursor down"),
        Binding("pageup", "page(-1)", "page up", show=False, tooltip="a page up"),
        Binding("pagedown", "page(1)", "page down", show=False, tooltip="a page down"),
        Binding("home", "edge(0)", "top", show=False, tooltip="first line"),
        Binding("end", "edge(1)", "bottom", show=False, tooltip="last line"),
        Binding("left", "pan(-4)", "scroll left", show=False, tooltip="scroll left"),
        Binding("right", "pan(4)", "scroll right", show=False, tooltip="scroll right"),
        Binding("left_square_bracket", "piece(-1)", "previous piece", key_display="[", show=False,
                tooltip="previous piece (statement) of the target"),
        Binding("right_square_bracket", "piece(1)", "next piece", key_display="]", show=False,
                tooltip="next piece (statement) of the target"),
        Binding("enter", "origin", "legacy source", show=False,
                tooltip="highlight the legacy migration the piece at the cursor comes from"),
    ]
    COMPONENT_CLASSES = {
        "sql-preview--cursor",
        "sql-preview--gutter",
        "sql-preview--annotation",
        "sql-preview--note",
    }

    cursor = reactive(0, init=False)
    provenance = reactive(False, init=False)

    class PieceHighlighted(Message):
        def __init__(self, preview: SqlPreview, piece: EmittedPiece | None) -> None:
            super().__init__()
            self.preview = preview
            self.piece = piece

    class JumpToLegacy(Message):
        def __init__(self, file: str) -> None:
            super().__init__()
            self.file = file

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.text = ""
        self.pieces: list[EmittedPiece] = []
        self.language = "postgresql"
        self._lines: list[str] = []  # the text's lines
        self._code: Highlighted | None = None  # their syntax colours, once known
        self._rows: list[_Row] = []
        self._gutter = 4
        self._strips: dict[int, Strip] = {}
        self._styles: tuple[Style, Style, Style] | None = None  # base, gutter, cursor (see _row_styles)
        self._last_piece: int | None = -1
        self._highlight_timer: Timer | None = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Light and dark themes need different syntax colours (monokai's near-white vanishes on white)."""
        if self.text:
            self._code = self._highlight(self.text, self.language)
        self._repaint()

    # --- content -------------------------------------------------------------

    def show(self, text: str, pieces: list[EmittedPiece] | None = None, language: str = "postgresql",
             keep_position: bool = False) -> None:
        line = self.current_line() if keep_position else None
        scroll_y = self.scroll_y
        self.text = text
        self.pieces = list(pieces or [])
        self.language = language
        self._lines = preview_code(text).split("\n")
        self._code = self._highlight(text, language)
        self._build()
        if line is not None:
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            self.go_to_line(line, scroll=False)
        else:
            self.scroll_to(0, 0, animate=False, immediate=True)
            self.set_cursor(0)

    def _highlight(self, text: str, language: str) -> Highlighted | None:
        """Highlighted lines from the cache; else None (plain lines are drawn) and colours from a worker."""
        dark = getattr(self.app.current_theme, "dark", True) if self.is_attached else True
        key = (text, language, dark)
        coloured = HIGHLIGHTED.get(key)
        if coloured is not None:
            HIGHLIGHTED.move_to_end(key)
            return coloured
        # a moment later: a worker started now would compete for the GIL with the frame that shows the
        # plain text, and while the user scrolls through targets only the last one needs colours
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
        self._highlight_timer = self.set_timer(HIGHLIGHT_DELAY, lambda: self._start_highlight(key))
        return None

    @property
    def highlight_pending(self) -> bool:
        """Colours are still to come: the worker has not started yet (tests and screenshots wait for it)."""
        return self._highlight_timer is not None

    def _start_highlight(self, key: tuple[str, str, bool]) -> None:
        self._highlight_timer = None
        self._highlight_in_background(key)

    @work(thread=True, exclusive=True, group="highlight")
    def _highlight_in_background(self, key: tuple[str, str, bool]) -> None:
        text, language, dark = key
        if key[:2] != (self.text, self.language):
            return  # the preview moved on before the worker started
        worker = get_current_worker()
        coloured = highlight_runs(preview_code(text), language, dark, cancelled=lambda: worker.is_cancelled)
        if coloured is not None:
            self.app.call_from_thread(self._highlighted, key, coloured)

    def _highlighted(self, key: tuple[str, str, bool], coloured: Highlighted) -> None:
        HIGHLIGHTED[key] = coloured
        while len(HIGHLIGHTED) > HIGHLIGHTED_MAX:
            HIGHLIGHTED.popitem(last=False)
        current = (self.text, self.language, getattr(self.app.current_theme, "dark", True))
        if key == current and len(coloured.runs) == len(self._lines):
            self._code = coloured
            self._repaint()

    def _repaint(self) -> None:
        """Draw every row again (new colours, styles or theme): the rows themselves stay."""
        self._strips.clear()
        self._styles = None
        self.refresh()

    def _build(self) -> None:
        """The rows: each line of the file, and with the overlay on, annotations above each piece.

        Lines are kept as strings and turned into segments only when drawn (a
        2,000-migration target has some 2,000 lines, of which 30 are visible).
        """
        count = len(self._lines)
        piece_of: list[int | None] = [None] * (count + 1)
        for i, p in enumerate(self.pieces):
            stop = min(p.end_line, count) + 1
            if 0 < p.start_line < stop:
                piece_of[p.start_line:stop] = [i] * (stop - p.start_line)
        if self.provenance:
            rows: list[_Row] = []
            starts: dict[int, int] = {p.start_line: i for i, p in enumerate(self.pieces)}
            ann = self.get_component_rich_style("sql-preview--annotation", partial=True)
            note_style = self.get_component_rich_style("sql-preview--note", partial=True)
            for n in range(1, count + 1):
                if n in starts:
                    p = self.pieces[starts[n]]
                    head = Text(f"▸ {p.id}", ann)
                    if p.sources:
                        head.append("  ← " + ", ".join(f"{Path(f).stem}:{line}" for f, line in p.sources), ann)
                    rows.append(_Row(head, None, starts[n]))
                    for note in p.notes:
                        rows.append(_Row(Text(f"  ⚑ {note}", note_style), None, starts[n]))
                rows.append(_Row(None, n, piece_of[n]))
        else:
            rows = [_Row(None, n, piece_of[n]) for n in range(1, count + 1)]
        self._rows = rows
        self._strips.clear()
        self._gutter = len(str(count)) + 1
        lines = self._lines
        widest = max(map(len, lines) if self.text.isascii() else map(cell_len, lines), default=0)
        widest = max([widest] + [r.text.cell_len for r in rows if r.text is not None])
        self._set_virtual_size(Size(widest + self._gutter + 2, len(rows)))
        self._last_piece = -1
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new scrollable size, without the screen layout that assigning ``virtual_size`` asks for.

        The preview's own box does not depend on its content, so only the
        scrollbars need to follow (a layout happens if one appears or goes);
        a full layout on every target shown repainted the panels around it.
        """
        if size == self.virtual_size:
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scrollbar_changes.clear()  # as ScrollView._size_updated does before the same update
        self._scroll_update(size)

    def watch_provenance(self, _old: bool, _new: bool) -> None:
        line = self.current_line()
        self._build()
        if line is not None:
            self.go_to_line(line)

    # --- cursor --------------------------------------------------------------

    def current_line(self) -> int | None:
        """The emitted file's line at the cursor (an annotation counts as its piece's first line)."""
        if not self._rows:
            return None
        row = self._rows[min(self.cursor, len(self._rows) - 1)]
        if row.line is not None:
            return row.line
        return self.pieces[row.piece].start_line if row.piece is not None else None

    def current_piece(self) -> EmittedPiece | None:
        if not self._rows:
            return None
        p = self._rows[min(self.cursor, len(self._rows) - 1)].piece
        return self.pieces[p] if p is not None else None

    def go_to_line(self, line: int, scroll: bool = True, top: bool = False) -> None:
        for i, r in enumerate(self._rows):
            if r.line is not None and r.line >= line:
                # land on the annotation above the piece when the overlay is on
                while i > 0 and self._rows[i - 1].line is None and self._rows[i - 1].piece == r.piece:
                    i -= 1
                if top:
                    self.scroll_to(y=max(i - 1, 0), animate=False, immediate=True)
                self.set_cursor(i, scroll=scroll)
                return

    def go_to_piece_from(self, legacy: str) -> bool:
        """Put the first piece shaped by this legacy file at the top; False if there is none."""
        for p in self.pieces:
            if any(f == legacy for f, _ in p.sources):
                self.go_to_line(p.start_line, top=True)
                return True
        return False

    def set_cursor(self, row: int, scroll: bool = True) -> None:
        row = max(0, min(row, len(self._rows) - 1)) if self._rows else 0
        self.cursor = row
        if scroll:
            self._keep_visible()
        self.refresh()
        piece = self._rows[row].piece if self._rows else None
        if piece != self._last_piece:
            self._last_piece = piece
            self.post_message(self.PieceHighlighted(self, self.pieces[piece] if piece is not None else None))

    def _keep_visible(self) -> None:
        h = max(self.scrollable_content_region.height, 1)
        y = int(self.scroll_y)
        if self.cursor < y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= y + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.set_cursor(self.cursor + direction * max(self.scrollable_content_region.height - 1, 1))

    def action_edge(self, end: int) -> None:
        self.set_cursor(len(self._rows) - 1 if end else 0)

    def action_pan(self, delta: int) -> None:
        self.scroll_to(x=max(self.scroll_x + delta, 0), animate=False)

    def action_piece(self, delta: int) -> None:
        if not self.pieces:
            return
        line = self.current_line() or 1
        cur = next((i for i, p in enumerate(self.pieces) if p.start_line <= line <= p.end_line), None)
        if cur is None:
            nxt = next((i for i, p in enumerate(self.pieces) if p.start_line > line), len(self.pieces))
            cur = nxt - (1 if delta > 0 else 0)
        i = max(0, min(cur + delta, len(self.pieces) - 1))
        self.go_to_line(self.pieces[i].start_line, top=True)

    def action_origin(self) -> None:
        piece = self.current_piece()
        if piece is not None and piece.sources:
            self.post_message(self.JumpToLegacy(piece.sources[0][0]))

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self.set_cursor(int(self.scroll_y) + offset.y, scroll=False)

    def watch_has_focus(self, _focus: bool) -> None:  # the cursor is only drawn with focus
        self.refresh()

    # --- drawing ---------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._strips.clear()
        self._styles = None
        super().notify_style_update()

    def _row_styles(self) -> tuple[Style, Style, Style]:
        """(base, gutter, cursor) styles, looked up once: ``rich_style`` walks every ancestor on each call."""
        if self._styles is None:
            base = self.rich_style
            self._styles = (base, base + self.get_component_rich_style("sql-preview--gutter", partial=True),
                            self.get_component_rich_style("sql-preview--cursor", partial=True))
        return self._styles

    def _row_strip(self, index: int, cursor: bool) -> Strip:
        """The whole row, uncropped; cached unless it carries the cursor.

        Segments are made directly (the base style under the syntax colours,
        the cursor's over everything) rather than by assembling and rendering
        a Text per row.
        """
        if not cursor and index in self._strips:
            return self._strips[index]
        text, line, _piece = self._rows[index]
        base, gutter_style, cursor_style = self._row_styles()
        segments = [Segment(f"{line:>{self._gutter - 1}} " if line is not None else " " * self._gutter,
                            gutter_style)]
        if text is None:  # a line of the file
            code = self._lines[line - 1]
            if self._code is None:
                segments.append(Segment(code, base))
            else:
                segments += self._code.segments(line - 1, code, base)
            text_len = len(code) if code.isascii() else cell_len(code)
        else:
            console = self.app.console
            # Text.render leaves out the text's own style when it has no spans: put it under them
            under = base + console.get_style(text.style) if text.style else base
            segments += [Segment(seg.text, under + seg.style if seg.style else under) for seg in text.render(console)]
            text_len = text.cell_len
        if cursor:
            segments = [Segment(seg.text, seg.style + cursor_style) for seg in segments]
        strip = Strip(segments, self._gutter + text_len)
        if not cursor:
            self._strips[index] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base, _gutter, cursor_style = self._row_styles()
        if index >= len(self._rows):
            return Strip.blank(width, base)
        cursor = index == self.cursor and self.has_focus
        style = base + cursor_style if cursor else base
        strip = self._row_strip(index, cursor)
        g = self._gutter  # the gutter stays put when scrolling sideways
        if scroll_x:
            strip = Strip.join([strip.crop(0, g), strip.crop(g + scroll_x, g + scroll_x + width - g)])
            strip = strip.extend_cell_length(width, style)
        else:
            strip = strip.crop_extend(0, width, style)
        return strip.apply_offsets(scroll_x, index)
