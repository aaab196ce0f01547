"""Where the tables of a TOML text start: a small scan of the text, since ``tomllib`` gives no lines.

The rule: a table *starts* on the line of its header (``[players.A]``, the k-th ``[[goals]]``) or,
for an inline table, on the line of its key when the key begins that line (``x = { default = 1 }``
in ``[parameters]``, or ``"scenario" = { ... }``). An error's line is the start of the innermost
such table that holds its field, so every field of a goal written as ``[[goals]]`` points at that
goal's header. The moves of a timing (``timing = [{ player = "US" }, ...]`` in ``[scenario]``)
start on the line of their own opening brace, so an error in a move points at that move. Other
tables inside arrays (``rules = [{ ... }]``) start nowhere; a field that no recorded table holds
has no line, which is left out rather than guessed.

The scan reads only the text: it skips comments and strings (basic, literal, multi-line), counts
brackets and braces inside values, and reads keys (bare, quoted, dotted). It evaluates nothing
and is meant for text that ``tomllib`` has already accepted; if it meets anything else it gives
up and returns no lines at all.

Examples
--------
>>> text = '''
... [scenario]  # a comment with [brackets]
... title = "a [not] table"
... [parameters]
... x = { default = 1, min = 0 }
... [[goals]]
... name = \"\"\"multi
... [[goals]]\"\"\"
... [[goals]]
... rules = [{ when = { A = "x" }, value = 1 }]
... '''
>>> lines = table_lines(text)
>>> sorted(lines.items())
[(('goals', 0), 6), (('goals', 1), 9), (('parameters',), 4), (('parameters', 'x'), 5), (('scenario',), 2)]
>>> line_of(lines, "goals[1].rules[0].value"), line_of(lines, "parameters.x.min"), line_of(lines, "players")
(9, 5, None)
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_FIELD = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
#: Arrays whose inline-table entries start on their own line (the k-th entry at ``(*key, k)``).
ITEM_LINES: frozenset[Path] = frozenset({("scenario", "timing")})


class _GiveUp(Exception):
    pass


class _Scanner:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i >= len(self.s):
                raise _GiveUp
            if self.s[self.i] == "\n":
                self.line += 1
            self.i += 1

    def blanks(self) -> None:
        while self.peek() in (" ", "\t"):
            self.i += 1

    def rest_of_line(self) -> None:
        """Skip a comment (if any) up to and past the end of the line."""
        while self.peek() not in ("\n", ""):
            self.i += 1
        if self.peek() == "\n":
            self.advance()

    def string(self) -> str:
        """Skip one string at the cursor and return its raw body (escapes are not needed for keys
        other than plain ones; a key with escapes is returned raw, which at worst misses a line)."""
        q = self.peek()
        if self.s.startswith(q * 3, self.i):
            end = self.s.find(q * 3, self.i + 3) if q == "'" else self._basic_end(self.i + 3, True)
            if end < 0:
                raise _GiveUp
            while self.s.startswith(q, end + 3) and end + 3 < len(self.s):  # up to two quotes end the body
                end += 1
            body = self.s[self.i + 3:end]
            self.advance(end + 3 - self.i)
            return body
        end = self.s.find(q, self.i + 1) if q == "'" else self._basic_end(self.i + 1, False)
        if end < 0 or "\n" in self.s[self.i:end]:
            raise _GiveUp
        body = self.s[self.i + 1:end]
        self.advance(end + 1 - self.i)
        return body

    def _basic_end(self, j: int, multi: bool) -> int:
        while j < len(self.s):
            c = self.s[j]
            if c == "\\":
                j += 2
                continue
            if c == '"' and (not multi or self.s.startswith('"""', j)):
                return j
            j += 1
        return -1

    def key(self) -> list[str]:
        """A dotted key at the cursor: its parts."""
        parts = []
        while True:
            self.blanks()
            c = self.peek()
            if c in ('"', "'"):
                parts.append(self.string())
            else:
                m = _BARE.match(self.s, self.i)
                if not m:
                    raise _GiveUp
                parts.append(m.group())
                self.i = m.end()
            self.blanks()
            if self.peek() != ".":
                return parts
            self.i += 1

    def items(self) -> dict[int, int]:
        """Skip an array at the cursor; the line of each entry that is an inline table, by index."""
        out: dict[int, int] = {}
        depth, index = 0, 0
        while True:
            c = self.peek()
            if c == "":
                raise _GiveUp
            if c in ('"', "'"):
                self.string()
                continue
            if c == "#":
                while self.peek() not in ("\n", ""):
                    self.i += 1
                continue
            if c == "{" and depth == 1:
                out[index] = self.line
            if c == "," and depth == 1:
                index += 1
            if c in "[{":
                depth += 1
            elif c in "]}":
                depth -= 1
            self.advance()
            if depth == 0:
                return out

    def value(self) -> None:
        """Skip a value, with its nested arrays and inline tables (which may span lines)."""
        depth = 0
        while True:
            c = self.peek()
            if c == "":
                if depth:
                    raise _GiveUp
                return
            if c in ('"', "'"):
                self.string()
            elif c in "[{":
                depth += 1
                self.advance()
            elif c in "]}":
                depth -= 1
                self.advance()
            elif c == "#":
                while self.peek() not in ("\n", ""):
                    self.i += 1
            elif c == "\n":
                if not depth:
                    return
                self.advance()
            else:
                self.advance()


def table_lines(text: str) -> dict[Path, int]:
    """The line (1-based) where each table of ``text`` starts, by its path (``("goals", 3)``).

    Returns an empty mapping if the text is not TOML the scan understands.
    """
    try:
        return _scan(text)
    except (_GiveUp, IndexError):
        return {}


def _scan(text: str) -> dict[Path, int]:
    sc = _Scanner(text)
    out: dict[Path, int] = {}
    arrays: dict[Path, int] = {}  # array of tables -> index of its last entry
    table: Path = ()
    while sc.peek():
        sc.blanks()
        c = sc.peek()
        if c in ("\n", "\r", "#", ""):
            sc.rest_of_line()
            continue
        if c == "[":
            line = sc.line
            double = sc.peek(1) == "["
            sc.i += 2 if double else 1
            keys = sc.key()
            if not sc.s.startswith("]]" if double else "]", sc.i):
                raise _GiveUp
            sc.i += 2 if double else 1
            path: Path = ()
            for n, k in enumerate(keys):  # a key naming an array of tables means its last entry
                path = (*path, k)
                if path in arrays and n < len(keys) - 1:
                    path = (*path, arrays[path])
            if double:
                arrays[path] = arrays.get(path, -1) + 1
                path = (*path, arrays[path])
            out[path] = line
            table = path
            sc.rest_of_line()
            continue
        line = sc.line
        keys = sc.key()
        if sc.peek() != "=":
            raise _GiveUp
        sc.i += 1
        sc.blanks()
        if sc.peek() == "{":
            out[(*table, *keys)] = line
        elif sc.peek() == "[" and (*table, *keys) in ITEM_LINES:
            out.update({(*table, *keys, k): at for k, at in sc.items().items()})
        sc.value()
    return out


def field_path(field: str) -> Path:
    """The parts of a field as errors name it: ``"goals[3].rules[0]"`` -> ``("goals", 3, "rules", 0)``."""
    return tuple(int(m.group(2)) if m.group(2) is not None else m.group(1) for m in _FIELD.finditer(field))


def line_of(lines: dict[Path, int], field: str) -> int | None:
    """The start of the innermost recorded table holding ``field``, or None."""
    return line_at(lines, field_path(field))


def line_at(lines: dict[Path, int], path: Path) -> int | None:
    """:func:`line_of` for a field given by its parts (``("goals", 3, "weight")``)."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None
