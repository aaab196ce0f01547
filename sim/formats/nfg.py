"""Gambit ``.nfg`` files (format version ``NFG 1``): read, parse and format normal-form games.

The format is Gambit's "strategic game" file, documented in the Gambit manual, section "Game
representation formats" (McKelvey, McLennan and Turocy, *Gambit: Software Tools for Game Theory*).
A file is a header followed by a body, whitespace being insignificant outside quoted strings::

    NFG 1 R "title" { "Player 1" "Player 2" }      <- ``R`` (rational) or ``D`` (decimal, older files)
    { { "U" "D" } { "L" "R" } }                    <- strategy names per player, or counts: ``{ 2 2 }``
    "an optional comment"
    BODY

The body takes one of two forms:

* **payoff list**: one number per player for each pure profile, the profiles in the order where
  player 1's strategy changes fastest (then player 2's, and so on);
* **outcome list**: ``{ { "name" u_1 u_2 ... } ... }`` (commas between payoffs allowed), then one
  outcome index per profile in the same order, ``0`` meaning the null outcome (all payoffs zero).

Numbers are integers, decimals with an optional exponent (``-1.5e3``, ``.5``) or rationals
(``3/2``); each becomes the nearest float (exact for integers and dyadic rationals). In quoted
strings ``\\"`` is a quote and ``\\\\`` a backslash (what Gambit's writer produces); any other
backslash is kept as written.

Conventions of this module, beyond Gambit's:

* An empty player or strategy name (Gambit allows them) becomes its 1-based position, because a
  :class:`~sim.game.NormalFormGame` names every player and action; duplicate names are an error.
* The title is kept (``game.title``); the comment is read and dropped.
* :func:`format_nfg` writes every payoff with ``repr(float)`` (or as an integer when it is one),
  so ``parse_nfg(format_nfg(g)) == g`` holds bit for bit.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``. The file's
profile order (player 1 fastest) is Fortran order over the action axes.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from sim import inputs
from sim.errors import GameError
from sim.game import NormalFormGame

__all__ = ["parse_nfg", "format_nfg", "read_nfg", "write_nfg"]

# One token per match: a quoted string (escapes allowed), a brace or comma, or a run of anything
# else up to whitespace, a brace, a comma or a quote. Runs are classified afterwards, so that
# "3abc" is reported whole as the bad token rather than split into "3" and "abc".
_TOKEN = re.compile(
    r'(?P<str>"(?:[^"\\]|\\.)*")'  # a complete quoted string
    r'|(?P<open>"(?:[^"\\]|\\.)*\\?)'  # a quote never closed: runs to the end of the text
    r'|(?P<sym>[{},])'
    r'|(?P<word>[^\s{},"]+)',
    re.S,
)
# ASCII digits only: ``\d`` alone would take Arabic-Indic and other Unicode digits as numbers.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?\d+/\d+", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_UNESCAPE = re.compile(r'\\([\\"])')

# The limits of every input file (:mod:`sim.inputs`): a game the scenario language would refuse
# is refused here too, before NumPy allocates anything of the declared size.
MAX_PLAYERS = inputs.MAX_PLAYERS
MAX_PROFILES = inputs.MAX_PROFILES


class _Tokens:
    """The tokens of a file with their line numbers; errors name source, line and token."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.items: list[tuple[str, str, int]] = []  # (kind, text, line); kind: str / sym / word
        line, pos = 1, 0
        for m in _TOKEN.finditer(text):
            # The alternatives cover every non-blank character, so gaps are whitespace only.
            line += text.count("\n", pos, m.start())
            raw, kind = m.group(), m.lastgroup
            if kind == "open":
                raise GameError(f"{source}: line {line}: unterminated string; got {_short(raw)!r}")
            if kind == "str":
                self.items.append(("str", _UNESCAPE.sub(r"\1", raw[1:-1]), line))
                line += raw.count("\n")
            else:
                self.items.append((kind, raw, line))
            pos = m.end()
        line += text.count("\n", pos)
        self.end_line = line
        self.i = 0

    # ----- cursor ----------------------------------------------------------------------------
    def peek(self) -> tuple[str, str, int] | None:
        return self.items[self.i] if self.i < len(self.items) else None

    def remaining(self) -> int:
        return len(self.items) - self.i

    def fail(self, expected: str, token=None):
        token = self.peek() if token is None else token
        if token is None:
            raise GameError(f"{self.source}: line {self.end_line}: {expected}; got end of file")
        kind, text, line = token
        shown = f'"{_short(text)}"' if kind == "str" else _short(text)
        raise GameError(f"{self.source}: line {line}: {expected}; got {shown!r}")

    def next(self, expected: str) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            self.fail(expected)
        self.i += 1
        return token

    def symbol(self, sym: str) -> None:
        token = self.peek()
        if token is None or token[0] != "sym" or token[1] != sym:
            self.fail(f"expected '{sym}'")
        self.i += 1

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.peek()
        return token is not None and token[0] == kind and (text is None or token[1] == text)

    def string(self, what: str) -> str:
        if not self.at("str"):
            self.fail(f"expected {what} (a quoted string)")
        return self.next(what)[1]

    def number(self, what: str = "a number") -> float:
        token = self.peek()
        if token is None or token[0] != "word" or not _NUMBER.fullmatch(token[1]):
            self.fail(f"expected {what}")
        value = _to_float(token[1])
        if value is None:
            self.fail(f"{what} must be finite and representable as a float")
        self.i += 1
        return value

    def integer(self, what: str) -> int:
        token = self.peek()
        if token is None or token[0] != "word" or not _INTEGER.fullmatch(token[1]) or len(token[1]) > 18:
            self.fail(f"expected {what} (an integer)")
        self.i += 1
        return int(token[1])


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _to_float(text: str) -> float | None:
    """Nearest float to a number token, or None when it is not finite (``1e999``, ``1/0``)."""
    try:
        if "/" in text:
            num, den = text.split("/")
            if int(den) == 0:
                return None
            # Fraction -> float rounds correctly, unlike float(num) / float(den).
            value = float(Fraction(int(num), int(den)))
        else:
            value = float(text)
    except (OverflowError, ValueError):
        # OverflowError: a rational beyond float range; ValueError: Python's limit on the digits
        # of an integer conversion.
        return None
    return value if math.isfinite(value) else None


# ----- parsing ------------------------------------------------------------------------------------
def parse_nfg(text: str, source: str = "<string>") -> NormalFormGame:
    """Parse the text of a Gambit ``.nfg`` file (``NFG 1``, payoff-list or outcome-list body).

    Parameters
    ----------
    text : str
        The file's contents.
    source : str
        Name used in error messages (a path, or ``"<string>"``).

    Returns
    -------
    NormalFormGame

    Raises
    ------
    GameError
        For any malformed input, with the message ``"SOURCE: line L: what is wrong; got 'TOKEN'"``.

    Examples
    --------
    >>> g = parse_nfg('NFG 1 R "Matching pennies" { "Row" "Col" } { { "H" "T" } { "H" "T" } } '
    ...               '1 -1 -1 1 -1 1 1 -1')
    >>> g.players, g.actions[1], g.payoffs[1, 0].tolist()
    (('Row', 'Col'), ('H', 'T'), [-1.0, 1.0])
    >>> parse_nfg('NFG 1 R "" { "a" } { 2 } { { "" 1/2 } } 1 0').payoffs[:, 0].tolist()
    [0.5, 0.0]
    """
    if not isinstance(text, str):
        raise GameError(f"parse_nfg(): text must be a str; got {type(text).__name__}")
    toks = _Tokens(text, source)

    # Header: NFG 1 R|D ["title"]
    if not toks.at("word", "NFG"):
        toks.fail("expected the file type 'NFG'")
    toks.i += 1
    if not toks.at("word", "1"):
        toks.fail("expected format version 1 (only 'NFG 1' is supported)")
    toks.i += 1
    if not (toks.at("word", "R") or toks.at("word", "D")):
        toks.fail("expected the number type 'R' or 'D'")
    toks.i += 1
    title = toks.next("a title")[1] if toks.at("str") else ""

    # Players: { "name" ... }
    toks.symbol("{")
    player_lines = []
    players = []
    while toks.at("str"):
        player_lines.append(toks.peek()[2])
        players.append(toks.next("a player name")[1])
    toks.symbol("}")
    if not players:
        toks.fail("expected at least one player in the player list", toks.items[toks.i - 1])
    if len(players) > MAX_PLAYERS:
        raise GameError(f"{toks.source}: line {player_lines[MAX_PLAYERS]}: at most {MAX_PLAYERS} players are "
                        f"allowed; got {len(players)}")
    players = _fill_names(players, player_lines, "player", toks.source)

    # Strategies: { { "a" ... } ... } or counts { n_1 ... n_N }
    toks.symbol("{")
    actions: list[tuple[str, ...]] = []
    if toks.at("sym", "{"):
        for p in players:
            toks.symbol("{")
            names, lines = [], []
            while toks.at("str"):
                lines.append(toks.peek()[2])
                names.append(toks.next("a strategy name")[1])
            if not names:
                toks.fail(f"expected at least one strategy name for player {p!r} (empty action set)")
            toks.symbol("}")
            actions.append(_fill_names(names, lines, f"strategy (player {p!r})", toks.source))
    else:
        for p in players:
            token = toks.peek()
            count = toks.integer(f"the number of strategies of player {p!r}")
            if count < 1:
                toks.fail(f"player {p!r} needs at least one strategy (empty action set)", token)
            if count > MAX_PROFILES:
                toks.fail(f"too many strategies for player {p!r} (at most {MAX_PROFILES:,})", token)
            actions.append(tuple(str(k + 1) for k in range(count)))
    if not toks.at("sym", "}"):
        toks.fail(f"expected '}}' after the strategies of {len(players)} players")
    toks.i += 1
    if toks.at("str"):
        toks.i += 1  # the optional comment

    shape = tuple(len(a) for a in actions)
    n_players = len(players)
    n_profiles = math.prod(shape)
    if n_profiles > MAX_PROFILES:
        raise GameError(f"{toks.source}: line {toks.peek()[2] if toks.peek() else toks.end_line}: the game has "
                        f"more than {MAX_PROFILES:,} profiles ({' x '.join(map(str, shape))}); refused")

    if toks.at("sym", "{"):
        flat = _outcome_body(toks, n_players, n_profiles)
    elif toks.at("word") and _NUMBER.fullmatch(toks.peek()[1]):
        needed = n_profiles * n_players
        if needed > toks.remaining():
            raise GameError(
                f"{toks.source}: line {toks.end_line}: expected {needed} payoffs "
                f"({n_profiles} profiles x {n_players} players); got only {toks.remaining()} tokens"
            )
        flat = np.array([toks.number("a payoff (a number)") for _ in range(needed)], dtype=float)
        flat = flat.reshape(n_profiles, n_players)
    else:
        toks.fail("expected the body: an outcome list '{' or a payoff number")
    if toks.peek() is not None:
        toks.fail("expected end of file after the last profile")

    # File order has player 1 fastest, i.e. Fortran order over the action axes.
    payoffs = np.stack([flat[:, i].reshape(shape, order="F") for i in range(n_players)], axis=-1)
    try:
        return NormalFormGame.from_payoffs(payoffs, players=players, actions=actions, title=title)
    except GameError as exc:
        raise GameError(f"{source}: {exc}") from None


def _outcome_body(toks: _Tokens, n_players: int, n_profiles: int) -> np.ndarray:
    """The outcome-list body: outcomes, then one outcome index per profile (0 = all zeros)."""
    toks.symbol("{")
    outcomes = [np.zeros(n_players)]  # index 0 is Gambit's null outcome
    while toks.at("sym", "{"):
        toks.i += 1
        toks.string("an outcome name")
        row = []
        for k in range(n_players):
            row.append(toks.number(f"payoff {k + 1} of {n_players} of outcome {len(outcomes)} (a number)"))
            if toks.at("sym", ","):
                toks.i += 1
        if not toks.at("sym", "}"):
            toks.fail(f"expected '}}' closing outcome {len(outcomes)} after {n_players} payoffs")
        toks.i += 1
        outcomes.append(np.array(row))
        if len(outcomes) > MAX_PROFILES + 1:
            toks.fail(f"at most {MAX_PROFILES:,} outcomes are allowed")
    toks.symbol("}")
    if n_profiles > toks.remaining():
        raise GameError(
            f"{toks.source}: line {toks.end_line}: expected {n_profiles} outcome indices, one per "
            f"profile; got only {toks.remaining()} tokens"
        )
    table = np.array(outcomes)
    index = np.empty(n_profiles, dtype=np.int64)
    for k in range(n_profiles):
        token = toks.peek()
        j = toks.integer("an outcome index")
        if not 0 <= j < len(outcomes):
            toks.fail(f"outcome index must be in 0..{len(outcomes) - 1}", token)
        index[k] = j
    return table[index]


def _fill_names(names, lines, kind: str, source: str) -> tuple[str, ...]:
    """Empty names become their 1-based position; duplicates are refused with their line."""
    names = [n if n else str(k + 1) for k, n in enumerate(names)]
    seen: dict[str, int] = {}
    for name, line in zip(names, lines):
        if name in seen:
            raise GameError(f"{source}: line {line}: {kind} names must be unique; got {name!r} twice")
        seen[name] = line
    return tuple(names)


def read_nfg(path: str | Path) -> NormalFormGame:
    """Read a Gambit ``.nfg`` file; errors name the path.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "g.nfg")
    ...     _ = open(p, "w").write('NFG 1 R "" { "A" "B" } { 1 2 } 3 4 5 6')
    ...     read_nfg(p).payoffs.tolist()
    [[[3.0, 4.0], [5.0, 6.0]]]
    """
    path = Path(path)
    try:
        data = inputs.read_bounded(path, inputs.MAX_FILE_BYTES)
    except inputs.InputError as exc:
        raise GameError(f"{path}: {exc}") from None
    except OSError as exc:
        raise GameError(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark some editors add is not part of the text
    except UnicodeDecodeError as exc:
        # Old Gambit files are Latin-1; accept them only when they are not UTF-8.
        try:
            text = data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise GameError(f"{path}: not a text file ({exc})") from None
    return parse_nfg(text, source=str(path))


# ----- formatting ---------------------------------------------------------------------------------
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(x: float) -> str:
    """Shortest text that reads back as the same float: an integer when exact, else repr."""
    x = float(x)
    if x.is_integer() and abs(x) < 2**53 and not (x == 0 and math.copysign(1.0, x) < 0):
        return str(int(x))
    return repr(x)


def format_nfg(game: NormalFormGame, *, outcomes: bool = False, comment: str = "") -> str:
    """Write a game as Gambit ``.nfg`` text (``NFG 1 R``).

    Parameters
    ----------
    game : NormalFormGame
    outcomes : bool
        False writes the payoff-list body; True writes the outcome-list body with one outcome per
        distinct payoff vector (in order of first appearance), the form Gambit itself writes.
    comment : str
        Optional comment line written after the strategies.

    Examples
    --------
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1.5]], [[3, 5], [0, 1.5]],
    ...                                  players=("Row", "Col"), actions=(("C", "D"), ("C", "D")))
    >>> print(format_nfg(g))
    NFG 1 R "" { "Row" "Col" }
    { { "C" "D" } { "C" "D" } }
    ""
    3 3 5 0 0 5 1.5 1.5
    <BLANKLINE>
    >>> parse_nfg(format_nfg(g, outcomes=True)) == g
    True
    """
    if not isinstance(game, NormalFormGame):
        raise GameError(f"format_nfg(): game must be a NormalFormGame; got {type(game).__name__}")
    players = " ".join(_quote(p) for p in game.players)
    strategies = " ".join("{ " + " ".join(_quote(a) for a in acts) + " }" for acts in game.actions)
    lines = [
        f"NFG 1 R {_quote(game.title)} {{ {players} }}",
        f"{{ {strategies} }}",
        _quote(comment),
    ]
    n = game.n_players
    # Profiles in file order (player 1 fastest) = Fortran order over the action axes.
    flat = np.stack([game.payoffs[..., i].reshape(-1, order="F") for i in range(n)], axis=1)
    if outcomes:
        index: dict[bytes, int] = {}
        rows: list[np.ndarray] = []
        ids = []
        for row in flat:
            key = row.tobytes()  # bytes, so that -0.0 and 0.0 stay distinct outcomes
            if key not in index:
                index[key] = len(rows) + 1
                rows.append(row)
            ids.append(index[key])
        lines.append("{")
        lines.extend('{ "" ' + ", ".join(_number(x) for x in row) + " }" for row in rows)
        lines.append("}")
        lines.append(" ".join(map(str, ids)))
    else:
        lines.append(" ".join(_number(x) for x in flat.ravel()))
    return "\n".join(lines) + "\n"


def write_nfg(game: NormalFormGame, path: str | Path, *, outcomes: bool = False) -> None:
    """Write :func:`format_nfg` text to ``path`` (for the report/CLI layer; solvers do no I/O)."""
    Path(path).write_text(format_nfg(game, outcomes=outcomes), encoding="utf-8")
