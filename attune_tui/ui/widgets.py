"""Widgets of the consolidate screen: the two lists, the header and the problems table (the preview: preview.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey, RowKey

from .session import LegacyRow, Session, TargetRow

if TYPE_CHECKING:  # types only: the engine is imported after the first paint
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

    _shown = ""

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
        if t.markup != self._shown:  # one line whatever it says: no layout, and no repaint when unchanged
            self._shown = t.markup
            self.update(t, layout=False)


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
        if not f:
            return list(self.rows_data)
        return [r for r in self.rows_data if f in r.name.lower() or f == r.target_no.lower()]

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
            # a reassignment changes a few rows of thousands (and the session reuses unchanged rows)
            patch_rows(self, {r.name: dict(zip(col_keys, self._cells(r, wide, name_w))) for r in rows
                              if previous is None or ((old := previous.get(r.name)) is not r and old != r)})
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


def patch_rows(table: DataTable, rows: dict[str, dict[str, object]]) -> None:
    """Put new values into some cells and repaint only their rows (row key → column key → value).

    ``DataTable.update_cell`` repaints the whole table: it refreshes the widget,
    and every cached render is keyed by one update counter. Re-rendering some 40
    visible rows of cells was most of a reassignment's frame. Here the counter
    is bumped once (no stale render of a changed row can be reused) but only the
    changed rows are marked dirty, so the other rows' painted lines are kept.
    The rows' order and heights do not change, so the two caches of those
    (also keyed by the counter; rebuilding them took milliseconds at 2,000
    rows) are carried over. Uses ``_data``, ``_update_count``,
    ``_ordered_row_cache`` and ``_offset_cache`` of the pinned Textual's DataTable.
    """
    if not rows:
        return
    data = table._data
    for key, cells in rows.items():
        row = data[RowKey(key)]
        for column, value in cells.items():
            row[ColumnKey(column)] = value
    old = table._update_count
    new = table._update_count = old + 1
    count = table.row_count
    if (count, old) in table._ordered_row_cache:
        table._ordered_row_cache[(count, new)] = table._ordered_row_cache[(count, old)]
    if old in table._offset_cache:
        table._offset_cache[new] = table._offset_cache[old]
    for key in rows:
        table.refresh_row(table.get_row_index(key))


class TargetTable(DataTable):
    """Targets in order: number, file name, pieces; then the YAML extraction row."""

    YAML_KEY = "__yaml__"

    def __init__(self, **kw) -> None:
        super().__init__(cursor_type="row", **kw)
        self._width: int | None = None
        self._target_data: tuple[list[TargetRow], int] = ([], 0)
        self._specs: list[tuple] = []  # what each row shows, to repaint only the rows that change

    def set_rows(self, rows: list[TargetRow], yaml_count: int) -> None:
        self._target_data = (rows, yaml_count)
        self._fill()

    def _fill(self) -> None:
        """Show the targets; with the same rows and width, repaint only the rows whose content changed."""
        rows, yaml_count = self._target_data
        width = max(self.size.width, 20)
        name_w = max(width - (2 + 2) - (3 + 2) - 2 - 1, 6)
        keys = [r.file for r in rows] + [self.YAML_KEY]
        strip = any(cell_len(r.file.removesuffix(".sql")) > name_w for r in rows)
        specs = [(r.number, r.file, r.pieces, name_w, strip) for r in rows] + [("Y", yaml_count, name_w)]

        def cells(spec: tuple) -> tuple:
            if spec[0] == "Y":
                return (Text("Y", "bold magenta"), Text(ellipsize("YAML", name_w), "magenta"),
                        Text(str(yaml_count), justify="right"))
            number, file, pieces = spec[:3]
            return (Text(f"{number:02d}", "bold"), ellipsize(short_target(file, name_w if not strip else 0), name_w),
                    Text(str(pieces), "dim" if not pieces else "", justify="right"))

        if width == self._width and keys == [rk.value for rk in self.rows]:
            patch_rows(self, {k: dict(zip(("no", "file", "pieces"), cells(spec)))
                              for k, spec, old in zip(keys, specs, self._specs) if spec != old})  # a reassignment: two
            self._specs = specs
            return
        self._specs = specs
        keep = self.current_key()
        self.clear(columns=width != self._width)
        if width != self._width:
            self.add_column("#", width=2, key="no")
            self.add_column("target", width=name_w, key="file")
            self.add_column("pcs", width=3, key="pieces")
            self._width = width
        for k, spec in zip(keys, specs):
            self.add_row(*cells(spec), key=k)
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
        self._specs: dict[str, object] = {}  # row key → what it shows (see _specs_now)

    def set_problems(self, problems: Iterable[Diagnostic]) -> None:
        problems = list(problems)
        if problems == self.problems and self._width == max(self.size.width, 40):
            return  # refilling thousands of rows on every reassignment would be the slowest part
        self.problems = problems
        self._fill()

    def _specs_now(self) -> dict[str, object]:
        """Row key → what the row shows: a listed problem, or (how many, of which kinds) for the row of the rest."""
        specs: dict[str, object] = {str(i): d for i, d in enumerate(self.problems[:self.MAX_ROWS])}
        hidden = self.problems[self.MAX_ROWS:]
        if hidden:
            counts = dict.fromkeys(("error", "warning", "info"), 0)
            for d in hidden:
                if d.severity in counts:
                    counts[d.severity] += 1
            specs["more"] = (len(hidden), ", ".join(f"{n} {sev}" for sev, n in counts.items() if n))
        return specs

    def _cells(self, spec: object, width: int, where_w: int) -> tuple:
        if isinstance(spec, tuple):
            hidden, kinds = spec
            return (Text("…", "dim"), Text(f"{hidden:,} more", "dim"),
                    Text(f"not listed ({kinds}); `attune-tui inspect` prints them all", "dim"))
        d: Diagnostic = spec  # type: ignore[assignment]
        glyph, style = SEVERITY_GLYPH.get(d.severity, ("·", ""))
        where = (d.file or "").removesuffix(".sql") + (f":{d.line}" if d.line else "")
        return (Text(glyph, style), Text(ellipsize(where, where_w), "dim"),
                ellipsize(d.message, max(width - where_w - 9, 10)))

    def _fill(self) -> None:
        """Show the problems; with the same rows and width, repaint only the rows whose problem changed."""
        width = max(self.size.width, 40)
        where_w = 40 if width >= 110 else 22
        specs = self._specs_now()
        if width == self._width and list(specs) == [rk.value for rk in self.rows]:
            patch_rows(self, {k: dict(zip(("sev", "where", "message"), self._cells(spec, width, where_w)))
                              for k, spec in specs.items() if self._specs.get(k) != spec})
            self._specs = specs
            return
        keep = self.cursor_row
        self.clear(columns=True)
        self.add_column("sev", width=1, key="sev")
        self.add_column("where", width=where_w, key="where")
        self.add_column("message", width=max(width - where_w - 1 - 6 - 2, 10), key="message")
        self._width = width
        for k, spec in specs.items():
            self.add_row(*self._cells(spec, width, where_w), key=k)
        self._specs = specs
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


def problem_summary(counts: dict[str, int]) -> Text:
    """``Problems 12  ✗ 1 error  ⚠ 3 warnings  ℹ 8 infos`` from the count of each severity."""
    t = Text(f"Problems {sum(counts.values())}  ")
    for sev in ("error", "warning", "info"):
        glyph, style = SEVERITY_GLYPH[sev]
        n = counts.get(sev, 0)
        t.append(f"{glyph} {n} {sev}{'s' if n != 1 else ''}  ", style if n else "dim")
    return t
