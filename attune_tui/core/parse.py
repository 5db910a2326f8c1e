"""Parse one migration file into classified statements, cached by file name and text.

The app re-runs a consolidation on every plan change and the checklist
builds several; parsing is the expensive part, so each file is parsed once
per process.  The file's syntax diagnostics are cached with its statements
and handed out again on every use, so a second consolidation of the same
history reports them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .classify import classify
from .diagnostics import Diagnostic
from .lexer import SqlSyntaxError, split_statements
from .loader import Migration
from .statements import Statement


@dataclass(frozen=True)
class Parsed:
    """A file's statements and what parsing it found wrong."""

    statements: list[Statement]
    diagnostics: list[Diagnostic]


_PARSED: dict[tuple[str, str], Parsed] = {}


def cache_key(m: Migration) -> tuple[str, str]:
    """A file's name and text: exact, and hashing the text costs a third of a SHA-384 (once per string)."""
    return (m.name, m.text)


def is_cached(key: tuple[str, str]) -> bool:
    return key in _PARSED


def nothing_cached() -> bool:
    return not _PARSED


def remember(key: tuple[str, str], parsed: Parsed) -> None:
    """Cache a file parsed elsewhere (by the second-core worker)."""
    _PARSED[key] = parsed


def parse_migration(m: Migration, diagnostics: list[Diagnostic] | None = None,
                    key: tuple[str, str] | None = None) -> list[Statement]:
    """Statements of one file, classified; cached.  Its diagnostics are appended to ``diagnostics``."""
    key = key or cache_key(m)
    parsed = _PARSED.get(key)
    if parsed is None:
        parsed = _PARSED[key] = parse_text(m.name, m.text)
    if diagnostics is not None:
        diagnostics.extend(parsed.diagnostics)
    return parsed.statements


def parse_text(name: str, text: str) -> Parsed:
    """Split and classify a file's text (uncached).

    An unterminated quote or comment becomes an error diagnostic and the file
    yields no statements rather than a guess.
    """
    try:
        spans = split_statements(text, name)
    except SqlSyntaxError as e:
        return Parsed([], [Diagnostic("error", name, e.line, e.what, "syntax")])
    out = []
    for i, sp in enumerate(spans):
        lead = _attached_comment(text[sp.lead : sp.start]) if sp.lead < sp.start else ""
        out.append(classify(Statement(name, i, sp, text[sp.start : sp.end], lead)))
    diags = []
    if spans and not spans[-1].terminated:
        diags.append(Diagnostic("info", name, spans[-1].line, "last statement has no terminating ';'", "no-semicolon"))
    _number_sids(out)
    return Parsed(out, diags)


def _attached_comment(region: str) -> str:
    """The comment block touching a statement: a blank line detaches what is above it."""
    lines = region.rstrip().split("\n")
    block: list[str] = []
    for ln in reversed(lines):
        if not ln.strip():
            break
        block.append(ln.rstrip())
    return "\n".join(reversed(block)).strip()


def _number_sids(stmts: list[Statement]) -> None:
    """Make statement ids unique inside a file: a second 'alter_table pack' becomes '#2'."""
    seen: dict[str, int] = {}
    for s in stmts:
        n = seen.get(s.sid, 0) + 1
        seen[s.sid] = n
        if n > 1:
            s.sid = f"{s.sid} #{n}"
