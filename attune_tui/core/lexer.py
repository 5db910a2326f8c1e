"""PostgreSQL lexing: split a file into statements and tokenize one statement.

Everything here keeps exact source offsets, because output is spliced from the
original text rather than regenerated.  Both the splitter and the tokenizer do
their scanning in single compiled regular expressions, so that Python code runs
once per statement (splitter) or once per token (tokenizer), never once per
character: that is what keeps a 150,000-line history within its time budget.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class SqlSyntaxError(ValueError):
    """An unterminated quote or comment; ``str()`` names file and line."""

    def __init__(self, file: str, line: int, what: str) -> None:
        super().__init__(f"{file} line {line}: {what}")
        self.file = file
        self.line = line
        self.what = what


class Span(NamedTuple):
    """A statement's exact source range; ``lead`` starts its leading comments.

    A named tuple: a long history has tens of thousands, and they are pickled
    back from the parsing worker (a slotted dataclass pickles ten times slower).
    """

    lead: int
    start: int
    end: int  # just past the terminating ';' (or the last code character)
    line: int  # 1-based line of ``start``
    end_line: int
    terminated: bool


# Identifier characters: ASCII letters, '_', digits (and '$') after the first, and every other
# character of the Basic Multilingual Plane (``[A-Za-z_\x80-\uffff]`` and so on).  They are written
# as complements: spelled with the range ``\x80-\uffff`` each class cost the regular expression
# compiler 5 to 30 ms, which every command paid at import; the complement compiles at once and
# matches as fast (tests check both spellings match exactly the same characters).
_ID_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]"
_ID_CHAR = r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]"
_ID_CHAR_OR_DOLLAR = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]"
_ID_START_NOT_PREFIX = r"[^\x00-\x40BENUXbenux\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]"  # not B E N U X
# A '$' or quote right after an identifier character does not open anything.
_IDC = _ID_CHAR_OR_DOLLAR
_TAG = rf"(?:{_ID_START}{_ID_CHAR}*)?"
# Everything of a statement up to its ';' (or the end of text), in one C-level
# match: runs of ordinary characters, complete strings, quoted identifiers,
# comments without nesting and dollar quotes.  It stops early, at the opening
# character, on what needs a closer look: a nested block comment, and anything
# unterminated (which is an error).  A quote is an E'' string when an 'e' that
# is not part of a longer word precedes it.
_BODY = re.compile(
    rf"""(?:
        [^;'"$/\-]++
      | (?:(?<![eE])|(?<={_IDC}[eE]))'[^']*+(?:''[^']*+)*+'
      | (?<=[eE])(?<!{_IDC}[eE])'[^'\\]*+(?:(?:\\.|'')[^'\\]*+)*+'
      | "[^"]*+(?:""[^"]*+)*+"
      | --[^\n]*+
      | /\*(?:[^*/]++|\*(?!/)|/(?!\*))*+\*/
      | (?<!{_IDC})\$(?P<tag>{_TAG})\$.*?\$(?P=tag)\$
      | (?<={_IDC})\$
      | \$(?!{_TAG}\$)
      | -(?!-)
      | /(?!\*)
    )*+""",
    re.X | re.S,
)
_SPACE = re.compile(r"\s*+")
_STRING_BODY = re.compile(r"(?:[^']|'')*'")  # after an opening quote
_ESTRING_BODY = re.compile(r"(?:[^'\\]|\\.|'')*'", re.S)
_QIDENT_BODY = re.compile(r'(?:[^"]|"")*"')
_DOLLAR_TAG = re.compile(rf"\${_TAG}\$")
_BLOCK = re.compile(r"/\*|\*/")
_IDENT_CHAR = re.compile(_ID_CHAR_OR_DOLLAR)
_GAP = r"(?:\s|--[^\n]*+|/\*.*?\*/)+"  # between words: whitespace and comments
_ROUTINE_HEAD = re.compile(rf"create{_GAP}(?:or{_GAP}replace{_GAP})?(?:function|procedure)\b", re.I | re.S)


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


class _Lines:
    """Offset → 1-based line, for offsets that only move forward (spans come in order)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, offset: int) -> int:
        self.line += self.text.count("\n", self.pos, offset)
        self.pos = offset
        return self.line


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


class _AtomicBody:
    """Whether a ';' lies inside a ``BEGIN ATOMIC … END`` routine body (PostgreSQL 14+).

    Like psql's heuristic, for a statement that starts CREATE [OR REPLACE]
    FUNCTION|PROCEDURE: outside parentheses, BEGIN ATOMIC opens the body,
    and inside it BEGIN and CASE open nested blocks that END closes; a ';'
    inside the body does not end the statement.  (psql counts any BEGIN; a
    column or argument named "begin" after RETURN is why this one wants
    ATOMIC.)  State is kept between calls so each part is lexed only once.
    """

    def __init__(self, start: int) -> None:
        self.scanned = start
        self.parens = 0
        self.depth = 0

    def inside(self, text: str, semicolon: int) -> bool:
        toks = tokenize(text, self.scanned, semicolon)
        for i, t in enumerate(toks):
            if t.kind == "punct":
                if t.value == "(":
                    self.parens += 1
                elif t.value == ")":
                    self.parens -= 1
            elif t.kind == "word" and self.parens == 0:
                if self.depth == 0:
                    if t.value == "begin" and i + 1 < len(toks) and toks[i + 1].is_word("atomic"):
                        self.depth = 1
                elif t.value in ("begin", "case"):
                    self.depth += 1
                elif t.value == "end":
                    self.depth -= 1
        self.scanned = semicolon + 1
        return self.depth > 0


def _is_routine(text: str, start: int) -> bool:
    """Whether the statement at ``start`` is CREATE [OR REPLACE] FUNCTION|PROCEDURE."""
    return text[start] in "cC" and _ROUTINE_HEAD.match(text, start) is not None


def split_statements(text: str, file: str = "<sql>") -> list[Span]:
    """Split SQL text into statement spans.

    Raises :class:`SqlSyntaxError` for an unterminated string, quoted
    identifier, dollar quote or block comment.  Text after the last ``;`` that
    holds code becomes an unterminated statement (``terminated=False``).
    A ``BEGIN ATOMIC … END`` routine body stays in its CREATE statement.
    """
    lines = _Lines(text)
    spans: list[Span] = []
    n = len(text)
    pos = 0
    after_prev = 0  # end of the previous statement
    body = _BODY.match
    while True:
        # The gap before a statement: whitespace, comments (the first one on a
        # line of its own leads the statement) and empty statements.
        lead = -1
        while True:
            pos = _SPACE.match(text, pos).end()
            if pos >= n:
                return spans
            c = text[pos]
            if c == ";":
                pos = after_prev = pos + 1
                lead = -1
            elif text.startswith("--", pos) or text.startswith("/*", pos):
                if lead < 0 and _starts_own_line(text, after_prev, pos):
                    lead = _line_start(text, pos)
                if c == "-":
                    nl = text.find("\n", pos)
                    pos = n if nl < 0 else nl + 1
                else:
                    end = skip_block_comment(text, pos)
                    if end < 0:
                        raise SqlSyntaxError(file, _line_of(text, pos), "unterminated block comment")
                    pos = end
            else:
                break
        start = pos
        atomic: _AtomicBody | None = None
        routine: bool | None = None  # known once the first ';' is reached
        semi = _plain_end(text, start)
        if semi >= 0:
            pos = after_prev = semi + 1
            spans.append(_make_span(lines, lead if lead >= 0 else start, start, pos, True))
            continue
        while True:
            pos = body(text, pos).end()
            if pos >= n:
                end = len(text.rstrip())
                spans.append(_make_span(lines, lead if lead >= 0 else start, start, end, False))
                return spans
            if text[pos] != ";":
                pos = _skip_hard(text, pos, file)
                continue
            if routine is None:
                routine = _is_routine(text, start)
                atomic = _AtomicBody(start) if routine else None
            if atomic is not None and atomic.inside(text, pos):
                pos += 1
                continue
            pos = after_prev = pos + 1
            spans.append(_make_span(lines, lead if lead >= 0 else start, start, pos, True))
            break


_PLAIN_MIN = 200  # below this the body scan is as quick as the checks


def _plain_end(text: str, start: int) -> int:
    """The ';' ending a long statement of plain code and standard strings (rows of data), or -1.

    Without comments, dollar quotes, quoted identifiers or backslashes, a ';' lies inside a
    string exactly when an odd number of quotes comes before it, and C-level scans tell where
    the first such ';' is, without the body scan's step per string.  Anything else: -1.
    """
    semi = text.find(";", start)
    if semi - start < _PLAIN_MIN:
        return -1
    quotes = text.count("'", start, semi)
    while quotes % 2:  # that ';' is inside a string: the next one may not be
        nxt = text.find(";", semi + 1)
        if nxt < 0:
            return -1
        quotes += text.count("'", semi + 1, nxt)
        semi = nxt
    for c in ('"', "$", "--", "/*", "\\"):
        if text.find(c, start, semi) >= 0:
            return -1
    if text[start] in "cC" and _is_routine(text, start):  # a BEGIN ATOMIC body holds ';'s of its own
        return -1
    return semi


def _skip_hard(text: str, i: int, file: str) -> int:
    """Past the construct at ``i`` that the fast scan left: a nested comment, else an error."""
    c = text[i]
    if c == "/":
        end = skip_block_comment(text, i)
        if end < 0:
            raise SqlSyntaxError(file, _line_of(text, i), "unterminated block comment")
        return end
    if c == "'":
        body = _ESTRING_BODY if _is_estring(text, i) else _STRING_BODY
        sm = body.match(text, i + 1)
        if not sm:
            raise SqlSyntaxError(file, _line_of(text, i), "unterminated string literal")
        return sm.end()
    if c == '"':
        qm = _QIDENT_BODY.match(text, i + 1)
        if not qm:
            raise SqlSyntaxError(file, _line_of(text, i), "unterminated quoted identifier")
        return qm.end()
    if c == "$":
        tm = _DOLLAR_TAG.match(text, i)
        if tm and not (i > 0 and _IDENT_CHAR.match(text, i - 1)):
            tag = tm.group()
            close = text.find(tag, tm.end())
            if close < 0:
                raise SqlSyntaxError(file, _line_of(text, i), f"unterminated dollar quote {tag}")
            return close + len(tag)
    return i + 1  # not reached for text the scan understands; never loop forever


def _starts_own_line(text: str, after_prev: int, i: int) -> bool:
    """A comment leads the next statement unless it trails the previous one's line."""
    nl = text.rfind("\n", after_prev, i)
    return nl >= 0 or after_prev == 0


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def _make_span(lines: _Lines, lead: int, start: int, end: int, terminated: bool) -> Span:
    line = lines.at(start)
    return Span(lead, start, end, line, lines.at(max(start, end - 1)), terminated)


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


# One match per token: leading whitespace and line comments are consumed by the
# same match (possessively), so the Python loop below runs once per token rather
# than once per token and once per gap.  Words come first because most tokens
# are words, except words starting with a letter that can also prefix a string
# or quoted identifier (E'..', B'..', N'..', X'..', U&".."): those are tried
# after the prefixed literals, so the result is the same as trying strings and
# quoted identifiers first.  Strings use the "unrolled loop" form, which the regex
# engine runs without per-character alternation.  The loop dispatches on the
# group number (``lastindex``), so the order of the groups matters.
_TOKEN = re.compile(
    rf"""
    \s*+(?:--[^\n]*\s*)*+
    (?:
      ({_ID_START_NOT_PREFIX}{_ID_CHAR_OR_DOLLAR}*)                              # 1 word (not B E N U X)
    | ([(),;\[\]])                                                            # 2 punct
    | ([eE]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'|(?:[bBxXnN]|[uU]&)'[^']*(?:''[^']*)*')  # 3 prefixed string
    | ([uU]&"[^"]*(?:""[^"]*)*")                                              # 4 U& quoted identifier
    | ({_ID_START}{_ID_CHAR_OR_DOLLAR}*)                                        # 5 word (the others)
    | (/\*)                                                                   # 6 block comment
    | ('[^']*(?:''[^']*)*')                                                   # 7 string
    | ("[^"]*(?:""[^"]*)*")                                                   # 8 quoted identifier
    | (\${_TAG}\$)                                                             # 9 dollar-quote tag
    | (\$\d+)                                                                 # 10 param
    | ((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)                                  # 11 number
    | (::)                                                                    # 12 cast (an op)
    | (\.)                                                                    # 13 punct
    | ([+\-*/<>=~!@#%^&|`?]+)                                                 # 14 op
    | (.)                                                                     # 15 other
    )?
    """,
    re.X | re.S,
)
_QIDS = (4, 8)
_BLOCK_COMMENT = 6
# kind of each group that becomes a token holding its own source text
_KIND = (None, None, "punct", "string", None, None, None, "string", None, None, "param", "number", "op",
         "punct", "op", "other")
_new = tuple.__new__  # Token(...) goes through a Python-level __new__; this skips it


def tokenize(text: str, start: int = 0, end: int | None = None, limit: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` (comments and whitespace dropped).

    ``limit`` stops after that many tokens, for classifying a statement by its
    first words without lexing a long body.
    """
    end = len(text) if end is None else end
    out: list[Token] = []
    append = out.append
    kinds = _KIND
    pos = start
    while pos < end:
        for m in _TOKEN.finditer(text, pos, end):
            g = m.lastindex
            if g == 1 or g == 5:
                s, e = m.span(g)
                append(_new(Token, ("word", text[s:e].lower(), s, e)))
            elif g is None:  # only whitespace or comments were left
                continue
            elif kinds[g] is not None:
                s, e = m.span(g)
                append(_new(Token, (kinds[g], text[s:e], s, e)))
            elif g in _QIDS:
                s, e = m.span(g)
                raw = text[s:e]
                raw = raw[2:] if raw[0] in "uU" else raw
                append(_new(Token, ("qident", raw[1:-1].replace('""', '"'), s, e)))
            else:  # block comment or dollar quote: jump past its end and restart the scan
                s, e = m.span(g)
                if g == _BLOCK_COMMENT:
                    close = skip_block_comment(text, s)
                    pos = end if close < 0 else close
                else:
                    tag = text[s:e]
                    close = text.find(tag, e, end)
                    pos = end if close < 0 else close + len(tag)
                    append(_new(Token, ("dollar", text[s:pos], s, pos)))
                    if limit is not None and len(out) >= limit:
                        return out
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
