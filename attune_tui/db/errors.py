"""Database errors, each carrying one sentence a user can act on."""

from __future__ import annotations


class DatabaseError(Exception):
    """Something about the server or a database; ``str()`` is one clear sentence."""


class ApplyError(DatabaseError):
    """A migration file failed: which file, which line in it, PostgreSQL's SQLSTATE and message."""

    def __init__(self, file: str, line: int | None, sqlstate: str | None, message: str) -> None:
        where = f"{file} line {line}" if line else file
        super().__init__(f"{where}: {message} (SQLSTATE {sqlstate or 'unknown'})")
        self.file = file
        self.line = line
        self.sqlstate = sqlstate
        self.message = message
