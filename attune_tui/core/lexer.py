"""PostgreSQL lexing: split a file into statements and tokenize one statement.

Everything here keeps exact source offsets, because output is spliced from the
original text rather than regenerated.  The splitter works on "interesting"
characters only (quotes, comment starts, dollar signs, semicolons) and lets C
string search skip everything else, which is what keeps a 150,000-line history
well under a second.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import NamedTuple


class SqlSyntaxError(ValueError):
    """An unterminated quote or comment; ``str()`` names file and line."""

    def __init__(self, file: str, line: int, what: str) -> None:
        super().__init__(f"{file} line {line}: {what}")
        self.file = file
        self.line = line
        self.what = what


@dataclass(frozen=True, slots=True)
class Span:
    """A statement's exact source range; ``lead`` starts its leading comments."""

    lead: int
    start: int
    end: int  # just past the terminating ';' (or the last code character)
    line: int  # 1-based line of ``start``
    end_line: int
    terminated: bool


# Characters after which the splitter must look closer.
_INTERESTING = re.compile(r"[;'\"$/\-]")
_STRING_BODY = re.compile(r"(?:[^']|'')*'")  # after an opening quote
_ESTRING_BODY = re.compile(r"(?:[^'\\]|\\.|'')*'", re.S)
_QIDENT_BODY = re.compile(r'(?:[^"]|"")*"')
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_BLOCK = re.compile(r"/\*|\*/")
_IDENT_CHAR = re.compile(r"[A-Za-z0-9_$\x80-\uffff]")


class LineIndex:
    """Offset → 1-based line number, by binary search over newline offsets."""

    def __init__(self, text: str) -> None:
        self._nl = [m.start() for m in re.finditer("\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._nl, offset) + 1

    @property
    def count(self) -> int:
        return len(self._nl)


def _is_estring(text: str, quote: int) -> bool:
    """True when the quote at ``quote`` opens an E'...' string (backslash escapes)."""
    if quote == 0 or text[quote - 1] not in "eE":
        return False
    return quote < 2 or not _IDENT_CHAR.match(text, quote - 2)


def skip_block_comment(text: str, pos: int) -> int:
    """Return the offset after the (nested) block comment opening at ``pos``, or -1."""
    depth = 0
    for m in _BLOCK.finditer(text, pos):
        if m.group() == "/*":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return m.end()
    return -1


def split_statements(text: str, file: str = "<sql>", lines: LineIndex | None = None) -> list[Span]:
    """Split SQL text into statement spans.

    Raises :class:`SqlSyntaxError` for an unterminated string, quoted
    identifier, dollar quote or block comment.  Text after the last ``;`` that
    holds code becomes an unterminated statement (``terminated=False``).
    """
    lines = lines or LineIndex(text)
    spans: list[Span] = []
    n = len(text)
    pos = 0
    stmt_start = -1  # first code character of the current statement
    lead = 0  # where the current statement's leading comments begin
    lead_set = False
    after_prev = 0  # end of the previous statement

    def code_at(i: int) -> None:
        nonlocal stmt_start
        if stmt_start < 0:
            stmt_start = i

    while pos < n:
        m = _INTERESTING.search(text, pos)
        seg_end = m.start() if m else n
        if stmt_start < 0 and not text[pos:seg_end].isspace() and seg_end > pos:
            stripped = len(text[pos:seg_end]) - len(text[pos:seg_end].lstrip())
            code_at(pos + stripped)
        if not m:
            break
        i = m.start()
        c = text[i]
        if c == ";":
            if stmt_start >= 0:
                spans.append(_make_span(text, lines, lead if lead_set else stmt_start, stmt_start, i + 1, True))
            stmt_start = -1
            after_prev = i + 1
            lead_set = False
            pos = i + 1
            continue
        if c == "-":
            if text.startswith("--", i):
                if stmt_start < 0 and not lead_set and _starts_own_line(text, after_prev, i):
                    lead, lead_set = _line_start(text, i), True
                nl = text.find("\n", i)
                pos = n if nl < 0 else nl + 1
            else:
                code_at(i)
                pos = i + 1
            continue
        if c == "/":
            if text.startswith("/*", i):
                if stmt_start < 0 and not lead_set and _starts_own_line(text, after_prev, i):
                    lead, lead_set = _line_start(text, i), True
                end = skip_block_comment(text, i)
                if end < 0:
                    raise SqlSyntaxError(file, lines.line(i), "unterminated block comment")
                pos = end
            else:
                code_at(i)
                pos = i + 1
            continue
        code_at(i)
        if c == "'":
            body = _ESTRING_BODY if _is_estring(text, i) else _STRING_BODY
            sm = body.match(text, i + 1)
            if not sm:
                raise SqlSyntaxError(file, lines.line(i), "unterminated string literal")
            pos = sm.end()
        elif c == '"':
            qm = _QIDENT_BODY.match(text, i + 1)
            if not qm:
                raise SqlSyntaxError(file, lines.line(i), "unterminated quoted identifier")
            pos = qm.end()
        else:  # '$'
            tm = _DOLLAR_TAG.match(text, i)
            if tm and not (i > 0 and _IDENT_CHAR.match(text, i - 1)):
                tag = tm.group()
                close = text.find(tag, tm.end())
                if close < 0:
                    raise SqlSyntaxError(file, lines.line(i), f"unterminated dollar quote {tag}")
                pos = close + len(tag)
            else:
                pos = i + 1
    if stmt_start >= 0:
        end = len(text.rstrip())
        spans.append(_make_span(text, lines, lead if lead_set else stmt_start, stmt_start, end, False))
    return spans


def _starts_own_line(text: str, after_prev: int, i: int) -> bool:
    """A comment leads the next statement unless it trails the previous one's line."""
    nl = text.rfind("\n", after_prev, i)
    return nl >= 0 or after_prev == 0


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _make_span(text: str, lines: LineIndex, lead: int, start: int, end: int, terminated: bool) -> Span:
    return Span(lead, start, end, lines.line(start), lines.line(max(start, end - 1)), terminated)


# --- tokens ---------------------------------------------------------------

class Token(NamedTuple):
    """A lexical token; ``value`` is lower-cased for words, unquoted for identifiers.

    A named tuple rather than a dataclass: histories have millions of tokens.
    """

    kind: str  # word | qident | string | dollar | number | param | op | punct | other
    value: str
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value in words

    @property
    def name(self) -> str | None:
        """The identifier this token names, if it can name one."""
        if self.kind == "word" or self.kind == "qident":
            return self.value
        return None


_TOKEN = re.compile(
    r"""
    \s+ | --[^\n]*
  | (?P<bc>/\*)
  | (?P<string>(?:[eE]'(?:[^'\\]|\\.|'')*'|(?:[bBxXnN]|[uU]&)?'(?:[^']|'')*'))
  | (?P<qid>(?:[uU]&)?"(?:[^"]|"")*")
  | (?P<dollar>\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$)
  | (?P<param>\$\d+)
  | (?P<word>[A-Za-z_\x80-\uffff][A-Za-z0-9_$\x80-\uffff]*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<cast>::)
  | (?P<punct>[(),;\[\].])
  | (?P<op>[+\-*/<>=~!@#%^&|`?]+)
  | (?P<other>.)
    """,
    re.X | re.S,
)


def tokenize(text: str, start: int = 0, end: int | None = None, limit: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` (comments and whitespace dropped).

    ``limit`` stops after that many tokens, for classifying a statement by its
    first words without lexing a long body.
    """
    end = len(text) if end is None else end
    out: list[Token] = []
    append = out.append
    pos = start
    while pos < end:
        for m in _TOKEN.finditer(text, pos, end):
            kind = m.lastgroup
            if kind is None:  # whitespace or a line comment
                continue
            s, e = m.span()
            if kind == "word":
                append(Token("word", m.group().lower(), s, e))
            elif kind == "punct" or kind == "op" or kind == "number" or kind == "string" or kind == "param" or kind == "other":
                append(Token(kind, m.group(), s, e))
            elif kind == "cast":
                append(Token("op", "::", s, e))
            elif kind == "qid":
                raw = m.group()
                raw = raw[2:] if raw[0] in "uU" else raw
                append(Token("qident", raw[1:-1].replace('""', '"'), s, e))
            else:  # block comment or dollar quote: jump past its end and restart the scan
                if kind == "bc":
                    close = skip_block_comment(text, s)
                    pos = end if close < 0 else close
                else:
                    close = text.find(m.group(), e, end)
                    pos = end if close < 0 else close + len(m.group())
                    append(Token("dollar", text[s:pos], s, pos))
                break
            if limit is not None and len(out) >= limit:
                return out
        else:
            break
    return out


def string_value(token: Token) -> str:
    """The value of a plain or E'' string literal token."""
    raw = token.value
    if raw[0] in "eE":
        body = raw[2:-1].replace("''", "'")
        return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)
    return raw[raw.index("'") + 1 : -1].replace("''", "'")


def split_top_level(tokens: list[Token], sep: str = ",") -> list[list[Token]]:
    """Split tokens at ``sep`` where parentheses and brackets are balanced."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in tokens:
        if t.kind == "punct":
            if t.value in "([":
                depth += 1
            elif t.value in ")]":
                depth -= 1
            elif t.value == sep and depth == 0:
                parts.append([])
                continue
        parts[-1].append(t)
    return parts


def matching_paren(tokens: list[Token], i: int) -> int:
    """Index of the ``)`` matching the ``(`` at ``tokens[i]``, or -1."""
    depth = 0
    for j in range(i, len(tokens)):
        t = tokens[j]
        if t.kind == "punct":
            if t.value == "(":
                depth += 1
            elif t.value == ")":
                depth -= 1
                if depth == 0:
                    return j
    return -1
