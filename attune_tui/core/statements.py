"""The statement model: what one SQL statement is and which objects it touches.

Object keys are short strings (``table:runtime``, ``index:idx_runtime_name``,
``function:enable_trigger_webhook(bigint,jsonb)``, ``trigger:t@event``) so that
plans, the UI and tests can name objects without importing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .lexer import Span, Token, tokenize


@dataclass
class Statement:
    """One statement of one migration file, with exact source text and its meaning."""

    file: str
    index: int  # position inside the file, 0-based
    span: Span
    text: str  # code text, start..end (with the ';')
    lead: str  # comment lines directly above it
    kind: str = "other"
    creates: list[str] = field(default_factory=list)
    alters: list[str] = field(default_factory=list)
    drops: list[str] = field(default_factory=list)
    depends: list[str] = field(default_factory=list)
    detail: Any = None
    seq: int = 0  # global order in the chain, set when the chain is replayed
    sid: str = ""  # stable id: file + what it does, set by the classifier
    parse_error: str | None = None
    _tokens: list[Token] | None = field(default=None, repr=False)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def end_line(self) -> int:
        return self.span.end_line

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def tokens(self) -> list[Token]:
        """All tokens of the statement (cached); offsets are relative to ``text``."""
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    @property
    def subject(self) -> str:
        """The main object key this statement is about, for ids and display."""
        for group in (self.creates, self.drops, self.alters, self.depends):
            if group:
                return group[0]
        return ""


def key(kind: str, name: str) -> str:
    return f"{kind}:{name}"


def key_kind(k: str) -> str:
    return k.split(":", 1)[0]


@dataclass(frozen=True)
class Fate:
    """What became of a statement in the consolidation (for ``inspect`` and the UI)."""

    action: str  # created | folded | dropped | kept | extracted | ignored
    object: str = ""
    note: str = ""
