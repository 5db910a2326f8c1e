"""Problems the engine reports to the user: one sentence, a place, a severity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Diagnostic:
    """Something that needs attention; ``code`` is a stable id for filtering."""

    severity: Severity
    file: str | None
    line: int | None
    message: str
    code: str = ""

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            where += f" line {self.line}"
        return f"{where}: {self.message}" if where else self.message
