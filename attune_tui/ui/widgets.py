"""Widgets of the consolidate screen: the two lists, the SQL preview and the problems table."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from rich.cells import cell_len
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.worker import get_current_worker
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import DataTable, Static

from .session import LegacyRow, Session, TargetRow

if TYPE_CHECKING:  # types only: the engine is imported after the first paint
    from ..core.consolidate import EmittedPiece
    from ..core.diagnostics import Diagnostic

GLYPH_STYLE = {
    "assigned": "green",
    "split": "cyan",
    "yaml": "magenta",
    "error": "bold red",
    "warning": "yellow",
    "unassigned": "dim",
}
SEVERITY_GLYPH = {"error": ("✗", "bold red"), "warning": ("⚠", "yellow"), "info": ("ℹ", "cyan")}


def ellipsize(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if cell_len(text) <= width else text[: max(width - 1, 0)] + "…"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when it can be."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return path.name


def short_target(file: str, width: int) -> str:
    """A target's name for a narrow column: without .sql, and without its version when it does not fit."""
    name = file.removesuffix(".sql")
    if cell_len(name) > width:  # width 0: always drop the version
        name = re.sub(r"^\d+_", "", name)
    return name


class HeaderBar(Static):
    """``attune-tui  <source> → <output>  plan: <file> (modified)``."""

    def show(self, session: Session) -> None:
        plan = session.plan
        t = Text.assemble(
            (" attune-tui ", "bold"), "  ",
            (plan.source, "bold"), " → ", (plan.output, "bold"), "   plan: ",
            display_path(session.ws.plan_path),
        )
        if session.created:
            t.append(" (new, not saved)", "bold yellow")
        elif session.dirty:
            t.append(" (modified)", "bold yellow")
        self.update(t)


class LegacyTable(DataTable):
    """Legacy migrations: state glyph, version, name, statement count, target number."""

    DEFAULT_CSS = ""
    MIN_NAME_WITH_VERSION = 20  # the version column is shown only when names still get this much

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kw)
        self.rows_data: list[LegacyRow] = []
        self.filter_text = ""
        self._layout: tuple[bool, int] | None = None

    def _widths(self) -> tuple[bool, int]:
        """(show the version column, width of the name column) for the current width."""
        width = max(self.size.width, 30)
        fixed = (1 + 2) + (4 + 2) + (2 + 2) + 1 + 2  # glyph, statements, target, scrollbar, slack
        name_w = width - fixed
        if name_w - (14 + 2) >= self.MIN_NAME_WITH_VERSION:
            return True, name_w - (14 + 2)
        return False, max(name_w, 8)

    def visible_rows(self) -> list[LegacyRow]:
        f = self.filter_text.lower()
        return [r for r in self.rows_data if not f or f in r.name.lower() or f == r.target_no.lower()]

    def set_rows(self, rows: list[LegacyRow], filter_text: str | None = None) -> None:
        previous = {r.name: r for r in self.rows_data}
        self.rows_data = rows
        if filter_text is not None:
            self.filter_text = filter_text
        self._fill(previous)

    def _cells(self, r: LegacyRow, wide: bool, name_w: int) -> list:
        cells: list = [Text(r.glyph, GLYPH_STYLE[r.state])]
        if wide:
            cells.append(Text(str(r.version), "dim"))
        cells.append(ellipsize(r.description, name_w))
        cells.append(Text(str(r.statements), justify="right"))
        cells.append(Text(r.target_no, "bold" if r.target else "dim", justify="right"))
        return cells

    def _fill(self, previous: dict[str, LegacyRow] | None = None) -> None:
        """Show the visible rows; when only their content changed, update just the rows that differ."""
        layout = self._widths()
        wide, name_w = layout
        rows = self.visible_rows()
        keys = [r.name for r in rows]
        current = [rk.value for rk in self.rows]
        if layout == self._layout and keys == current:
            col_keys = ["glyph"] + (["version"] if wide else []) + ["name", "n", "target"]
            for r in rows:
                if previous is not None and previous.get(r.name) == r:
                    continue  # a reassignment changes a few rows of thousands
                for ck, value in zip(col_keys, self._cells(r, wide, name_w)):
                    self.update_cell(r.name, ck, value)
            return
        keep = self.current_name()
        self.clear(columns=layout != self._layout)
        if layout != self._layout:
            self.add_column(" ", width=1, key="glyph")
            if wide:
                self.add_column("version", width=14, key="version")
            self.add_column("migration", width=name_w, key="name")
            self.add_column("st", width=4, key="n")
            self.add_column("→", width=2, key="target")
            self._layout = layout
        for r in rows:
            self.add_row(*self._cells(r, wide, name_w), key=r.name)
        if keep in keys:
            self.move_cursor(row=keys.index(keep), scroll=True)

    def current_name(self) -> str | None:
        return cursor_key(self)

    def select_name(self, name: str) -> bool:
        keys = [rk.value for rk in self.rows]
        if name not in keys:
            return False
        self.move_cursor(row=keys.index(name), scroll=True)
        return True

    def on_resize(self, event: Resize) -> None:
        if self.rows_data and self._widths() != self._layout:
            self._fill()


def cursor_key(table: DataTable) -> str | None:
    """The key of the row under the cursor (None for an empty table or while rows are rebuilt)."""
    if not table.row_count:
        return None
    try:
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except Exception:
        return None


class TargetTable(DataTable):
    """Targets in order: number, file name, pieces; then the YAML extraction row."""

    YAML_KEY = "__yaml__"

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="row", **kw)
        self._width: int | None = None
        self._target_data: tuple[list[TargetRow], int] = ([], 0)

    def set_rows(self, rows: list[TargetRow], yaml_count: int) -> None:
        self._target_data = (rows, yaml_count)
        self._fill()

    def _fill(self) -> None:
        rows, yaml_count = self._target_data
        width = max(self.size.width, 20)
        name_w = max(width - (2 + 2) - (3 + 2) - 2 - 1, 6)
        keys = [r.file for r in rows] + [self.YAML_KEY]
        current = [rk.value for rk in self.rows]
        strip = any(cell_len(r.file.removesuffix(".sql")) > name_w for r in rows)
        cells = [
            (Text(f"{r.number:02d}", "bold"), ellipsize(short_target(r.file, name_w if not strip else 0), name_w),
             Text(str(r.pieces), "dim" if not r.pieces else "", justify="right"))
            for r in rows
        ] + [(Text("Y", "bold magenta"), Text(ellipsize("YAML", name_w), "magenta"),
              Text(str(yaml_count), justify="right"))]
        if width == self._width and keys == current:
            for k, c in zip(keys, cells):
                for ck, v in zip(("no", "file", "pieces"), c):
                    self.update_cell(k, ck, v)
            return
        keep = self.current_key()
        self.clear(columns=width != self._width)
        if width != self._width:
            self.add_column("#", width=2, key="no")
            self.add_column("target", width=name_w, key="file")
            self.add_column("pcs", width=3, key="pieces")
            self._width = width
        for k, c in zip(keys, cells):
            self.add_row(*c, key=k)
        if keep in keys:
            self.move_cursor(row=keys.index(keep), scroll=True)

    def current_key(self) -> str | None:
        return cursor_key(self)

    def select_key(self, key: str) -> None:
        keys = [rk.value for rk in self.rows]
        if key in keys and keys.index(key) != self.cursor_row:
            self.move_cursor(row=keys.index(key), scroll=True)

    def on_resize(self, event: Resize) -> None:
        if self._target_data[0] and max(self.size.width, 20) != self._width:
            self._fill()


def highlight(code: str, language: str = "postgresql", dark: bool = True,
              cancelled: Callable[[], bool] | None = None) -> Text | None:
    """Syntax colours from a Pygments theme, without the theme's background (the widget's shows).

    Token by token, as ``Syntax.highlight`` does, so that a worker whose result is no
    longer wanted (the preview moved on) stops within a few hundred tokens instead of
    holding the GIL for a whole long target; then it returns None.
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


# highlighted lines by (text, language, dark): revisiting a target costs nothing
HIGHLIGHT_DELAY = 0.06  # seconds between showing a new text and starting to colour it
_HIGHLIGHTED: "OrderedDict[tuple[str, str, bool], list[Text]]" = OrderedDict()


@dataclass
class _Row:
    text: Text
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
        def __init__(self, preview: "SqlPreview", piece: EmittedPiece | None) -> None:
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
        self._code: list[Text] = []
        self._rows: list[_Row] = []
        self._gutter = 4
        self._strips: dict[int, Strip] = {}
        self._last_piece: int | None = -1
        self._highlight_timer: Timer | None = None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Light and dark themes need different syntax colours (monokai's near-white vanishes on white)."""
        if self.text:
            cursor = self.cursor
            self._code = self._highlight(self.text, self.language)
            self._build()
            self.cursor = cursor

    # --- content -------------------------------------------------------------

    def show(self, text: str, pieces: list[EmittedPiece] | None = None, language: str = "postgresql",
             keep_position: bool = False) -> None:
        line = self.current_line() if keep_position else None
        scroll_y = self.scroll_y
        self.text = text
        self.pieces = list(pieces or [])
        self.language = language
        self._code = self._highlight(text, language)
        self._build()
        if line is not None:
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
            self.go_to_line(line, scroll=False)
        else:
            self.scroll_to(0, 0, animate=False, immediate=True)
            self.set_cursor(0)

    def _highlight(self, text: str, language: str) -> list[Text]:
        """Highlighted lines from the cache; else plain lines now and colours from a worker."""
        dark = getattr(self.app.current_theme, "dark", True) if self.is_attached else True
        key = (text, language, dark)
        lines = _HIGHLIGHTED.get(key)
        if lines is not None:
            _HIGHLIGHTED.move_to_end(key)
            return lines
        # a moment later: a worker started now would compete for the GIL with the frame that shows the
        # plain text, and while the user scrolls through targets only the last one needs colours
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
        self._highlight_timer = self.set_timer(HIGHLIGHT_DELAY, lambda: self._start_highlight(key))
        return [Text(ln, no_wrap=True) for ln in text.rstrip("\n").split("\n")]

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
        coloured = highlight(text.rstrip("\n"), language, dark, cancelled=lambda: worker.is_cancelled)
        if coloured is None:
            return
        lines = coloured.split("\n", allow_blank=True)
        for ln in lines:
            ln.no_wrap = True
        self.app.call_from_thread(self._highlighted, key, list(lines) or [Text("")])

    def _highlighted(self, key: tuple[str, str, bool], lines: list[Text]) -> None:
        _HIGHLIGHTED[key] = lines
        while len(_HIGHLIGHTED) > 64:
            _HIGHLIGHTED.popitem(last=False)
        current = (self.text, self.language, getattr(self.app.current_theme, "dark", True))
        if key == current and len(lines) == len(self._code):
            self._code = lines
            cursor = self.cursor
            self._build()
            self.cursor = cursor
            self.refresh()

    def _build(self) -> None:
        starts: dict[int, int] = {p.start_line: i for i, p in enumerate(self.pieces)}
        piece_of: list[int | None] = [None] * (len(self._code) + 1)
        for i, p in enumerate(self.pieces):
            for n in range(p.start_line, min(p.end_line, len(self._code)) + 1):
                piece_of[n] = i
        rows: list[_Row] = []
        ann = self.get_component_rich_style("sql-preview--annotation", partial=True)
        note_style = self.get_component_rich_style("sql-preview--note", partial=True)
        for n, code in enumerate(self._code, start=1):
            if self.provenance and n in starts:
                p = self.pieces[starts[n]]
                head = Text(f"▸ {p.id}", ann)
                if p.sources:
                    head.append("  ← " + ", ".join(f"{Path(f).stem}:{line}" for f, line in p.sources), ann)
                rows.append(_Row(head, None, starts[n]))
                for note in p.notes:
                    rows.append(_Row(Text(f"  ⚑ {note}", note_style), None, starts[n]))
            rows.append(_Row(code, n, piece_of[n] if n < len(piece_of) else None))
        self._rows = rows
        self._strips.clear()
        self._gutter = len(str(len(self._code))) + 1
        width = max((r.text.cell_len for r in rows), default=0) + self._gutter + 2
        self.virtual_size = Size(width, len(rows))
        self._last_piece = -1
        self.refresh()

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
        super().notify_style_update()

    def _row_strip(self, index: int, cursor: bool) -> Strip:
        """The whole row, uncropped; cached unless it carries the cursor."""
        if not cursor and index in self._strips:
            return self._strips[index]
        row = self._rows[index]
        base = self.rich_style
        gutter_style = self.get_component_rich_style("sql-preview--gutter", partial=True)
        gutter = Text(f"{row.line:>{self._gutter - 1}} " if row.line is not None else " " * self._gutter,
                      gutter_style, no_wrap=True)
        line = Text.assemble(gutter, row.text, no_wrap=True, style=base)  # base under the syntax colours
        if cursor:
            line.stylize(self.get_component_rich_style("sql-preview--cursor", partial=True))
        strip = Strip(list(line.render(self.app.console)), line.cell_len)
        if not cursor:
            self._strips[index] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        cursor = index == self.cursor and self.has_focus
        style = base + self.get_component_rich_style("sql-preview--cursor", partial=True) if cursor else base
        strip = self._row_strip(index, cursor)
        g = self._gutter  # the gutter stays put when scrolling sideways
        if scroll_x:
            strip = Strip.join([strip.crop(0, g), strip.crop(g + scroll_x, g + scroll_x + width - g)])
            strip = strip.extend_cell_length(width, style)
        else:
            strip = strip.crop_extend(0, width, style)
        return strip.apply_offsets(scroll_x, index)


class ProblemsTable(DataTable):
    """The engine's problems, errors first; enter jumps to the migration at fault.

    At most MAX_ROWS are listed (the panel's title counts them all): a 2,000-file
    history can have 8,000 informational notes, and refilling a table that long
    on every reassignment took seconds.
    """

    MAX_ROWS = 300

    class JumpTo(Message):
        def __init__(self, file: str) -> None:
            super().__init__()
            self.file = file

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="row", show_header=False, **kw)
        self.problems: list[Diagnostic] = []
        self._width: int | None = None

    def set_problems(self, problems: Iterable[Diagnostic]) -> None:
        problems = list(problems)
        if problems == self.problems and self._width == max(self.size.width, 40):
            return  # refilling thousands of rows on every reassignment would be the slowest part
        self.problems = problems
        self._fill()

    def _fill(self) -> None:
        width = max(self.size.width, 40)
        keep = self.cursor_row
        self.clear(columns=True)
        where_w = 40 if width >= 110 else 22
        self.add_column("sev", width=1, key="sev")
        self.add_column("where", width=where_w, key="where")
        self.add_column("message", width=max(width - where_w - 1 - 6 - 2, 10), key="message")
        self._width = width
        for i, d in enumerate(self.problems[:self.MAX_ROWS]):
            glyph, style = SEVERITY_GLYPH.get(d.severity, ("·", ""))
            where = (d.file or "").removesuffix(".sql") + (f":{d.line}" if d.line else "")
            self.add_row(Text(glyph, style), Text(ellipsize(where, where_w), "dim"),
                         ellipsize(d.message, max(width - where_w - 9, 10)), key=str(i))
        hidden = self.problems[self.MAX_ROWS:]
        if hidden:
            kinds = ", ".join(f"{sum(1 for d in hidden if d.severity == sev)} {sev}" for sev in ("error", "warning", "info")
                              if any(d.severity == sev for d in hidden))
            self.add_row(Text("…", "dim"), Text(f"{len(hidden):,} more", "dim"),
                         Text(f"not listed ({kinds}); `attune-tui inspect` prints them all", "dim"), key="more")
        if self.problems:
            self.move_cursor(row=min(keep, len(self.problems) - 1), scroll=False)

    def on_resize(self, event: Resize) -> None:
        if self.problems and max(self.size.width, 40) != self._width:
            self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value == "more":
            return
        d = self.problems[int(event.row_key.value)]
        if d.file:
            self.post_message(self.JumpTo(d.file))


def problem_summary(problems: list[Diagnostic]) -> Text:
    counts = {s: sum(1 for d in problems if d.severity == s) for s in ("error", "warning", "info")}
    t = Text(f"Problems {len(problems)}  ")
    for sev in ("error", "warning", "info"):
        glyph, style = SEVERITY_GLYPH[sev]
        t.append(f"{glyph} {counts[sev]} {sev}{'s' if counts[sev] != 1 else ''}  ", style if counts[sev] else "dim")
    return t
