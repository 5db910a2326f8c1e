"""Tables that change in place: a refresh repaints the rows that changed, and they show the new values."""

from __future__ import annotations

from textual.app import App, ComposeResult

from attune_tui.core.diagnostics import Diagnostic
from attune_tui.ui.widgets import ProblemsTable


class Host(App):
    def compose(self) -> ComposeResult:
        yield ProblemsTable()


def problems(n: int, changed: int | None = None) -> list[Diagnostic]:
    return [Diagnostic("warning", f"{i:04d}_file.sql", i, f"message {i}" + (" (changed)" if i == changed else ""))
            for i in range(n)]


async def test_problems_table_patches_changed_rows_and_repaints_them() -> None:
    app = Host()
    async with app.run_test(size=(120, 12)) as pilot:
        table = app.query_one(ProblemsTable)
        table.set_problems(problems(350))
        await pilot.pause()
        assert table.row_count == ProblemsTable.MAX_ROWS + 1
        assert "50 more" in str(table.get_cell("more", "where"))
        rows = dict(table.rows)
        assert "message 2" in table.render_line(2).text

        table.set_problems(problems(350, changed=2))
        await pilot.pause()
        assert all(table.rows[k] is row for k, row in rows.items())  # patched in place, not refilled
        assert "message 2 (changed)" in str(table.get_cell("2", "message"))
        assert "message 2 (changed)" in table.render_line(2).text  # the row was painted again
        assert "message 3 (changed)" not in table.render_line(3).text

        table.set_problems([Diagnostic("error", None, None, "first")] + problems(350))  # one more hidden
        await pilot.pause()
        assert "51 more" in str(table.get_cell("more", "where"))
        assert "first" in table.render_line(0).text

        table.set_problems(problems(5))  # fewer rows: filled again
        await pilot.pause()
        assert table.row_count == 5 and "message 4" in table.render_line(4).text
