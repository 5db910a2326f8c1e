"""Exceptions of the database layer.

Each carries one sentence meant for a person (the CLI prints ``str(e)``
after ``attune-tui:`` and exits), so no traceback ever reaches a user.
"""

from __future__ import annotations


class DatabaseError(Exception):
    """Something about PostgreSQL went wrong; ``str()`` says what and what to try."""


class ApplyError(DatabaseError):
    """A migration file failed; names the file, the line inside it and the SQLSTATE.

    ``line`` and ``sqlstate`` are ``None`` when they cannot be known (for
    example a version refused before anything ran).
    """

    def __init__(self, file: str, line: int | None, sqlstate: str | None, message: str,
                 detail: str | None = None, hint: str | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint
        where = f"{file} line {line}" if line is not None else file
        state = f" (SQLSTATE {sqlstate})" if sqlstate else ""
        super().__init__(f"{where}: {message}{state}")
