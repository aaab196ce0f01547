"""Gambit ``.efg`` files (format version ``EFG 2 R``): read, parse and format extensive-form games.

The format is described in Gambit's manual, "Game representation formats": a header
``EFG 2 R "title" { "player" ... } "comment"`` followed by the nodes in preorder, one per line:

* ``p "name" PLAYER INFOSET "infoset name" { "action" ... } OUTCOME ["outcome name" { payoffs }]``
* ``c "name" INFOSET "infoset name" { "outcome" PROB ... } OUTCOME [...]``
* ``t "name" OUTCOME ["outcome name" { payoffs }]``

Players and information sets are numbered from 1; outcome 0 means "no outcome". An outcome
attached to a non-terminal node adds its payoffs to every terminal below it (Gambit's rule); the
parser folds such payoffs into the terminals, so a parsed game's terminals carry the total payoff.
Numbers may be integers, decimals (``.80``) or rationals (``19/20``).

Information-set ids of the parsed tree are the file's infoset names when every player infoset has
a distinct non-empty name, otherwise ``"PLAYER:NUMBER"`` (for example ``"2:1"``).

Gambit (16) refuses a file where two nodes have the same non-empty label, while a tree may repeat
labels (a scenario's tree labels every node of a move by the move's name). :func:`format_efg`
then numbers each such label ``LABEL#K`` (``K`` its occurrence in preorder) and writes the comment
:data:`NUMBERED_LABELS`; :func:`parse_efg` strips the numbers only from a file with that comment,
so the round trip is exact and other files read as they are.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

from sim import inputs
from sim.errors import GameError
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal, iter_nodes

_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([{},])|([^\s{},"]+))', re.S)
# ASCII digits only (``\d`` alone takes Unicode digits), and ``fullmatch`` rather than ``$``.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?(/\d+)?", re.ASCII)
_INTEGER = re.compile(r"[0-9]{1,18}")
_NUMBERED = re.compile(r"#[0-9]+\Z")

# The limits of every input file (:mod:`sim.inputs`), so that a tree the scenario language would
# refuse is refused here too: players, nodes, and moves on a path (the parser recurses per move).
MAX_PLAYERS = inputs.MAX_PLAYERS
MAX_NODES = inputs.MAX_PROFILES
MAX_DEPTH = inputs.MAX_DEPTH

#: The comment of a file whose repeated node labels :func:`format_efg` numbered ``LABEL#K``.
NUMBERED_LABELS = "repeated node labels are numbered: LABEL#K stands for LABEL"


class _Tokens:
    """Tokens with their line numbers, so errors can name the line and the token."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.items: list[tuple[str, str, int]] = []  # (kind, value, line)
        pos, line = 0, 1
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                rest = text[pos:].strip()
                if not rest:
                    break
                line += text.count("\n", pos, len(text) - len(text[pos:].lstrip()))
                raise GameError(f"{source}:{line}: unreadable text starting {rest[:20]!r}")
            start = m.start(m.lastindex)
            line += text.count("\n", pos, start)
            if m.group(1) is not None:
                raw = m.group(1)
                self.items.append(("str", re.sub(r"\\(.)", r"\1", raw[1:-1]), line))
                line += raw.count("\n")
            elif m.group(2) is not None:
                self.items.append(("sym", m.group(2), line))
            else:
                self.items.append(("word", m.group(3), line))
            pos = m.end()
        self.i = 0

    def peek(self):
        return self.items[self.i] if self.i < len(self.items) else ("eof", "end of file", self._last_line())

    def _last_line(self) -> int:
        return self.items[-1][2] if self.items else 1

    def fail(self, expected: str, tok=None):
        kind, value, line = tok or self.peek()
        shown = value if kind == "eof" else repr(value if len(value) <= 40 else value[:37] + "...")
        raise GameError(f"{self.source}:{line}: expected {expected}; got token {shown}")

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def string(self, what: str) -> str:
        tok = self.peek()
        if tok[0] != "str":
            self.fail(f"{what} (a quoted string)")
        self.i += 1
        return tok[1]

    def symbol(self, sym: str) -> None:
        tok = self.peek()
        if tok[0] != "sym" or tok[1] != sym:
            self.fail(f"{sym!r}")
        self.i += 1

    def is_symbol(self, sym: str) -> bool:
        tok = self.peek()
        return tok[0] == "sym" and tok[1] == sym

    def integer(self, what: str, minimum: int = 0) -> int:
        tok = self.peek()
        if tok[0] != "word" or not _INTEGER.fullmatch(tok[1]) or int(tok[1]) < minimum:
            self.fail(f"{what} (an integer >= {minimum})")
        self.i += 1
        return int(tok[1])

    def number(self, what: str) -> float:
        tok = self.peek()
        if tok[0] != "word" or not _NUMBER.fullmatch(tok[1]):
            self.fail(f"{what} (a number such as 3, -1.5 or 19/20)")
        self.i += 1
        try:
            return _to_float(tok[1])
        except ZeroDivisionError:
            self.fail(f"{what} (a rational with non-zero denominator)", tok)
        except OverflowError:
            self.fail(f"{what} of at most {inputs.MAX_NUMBER:.3g} in size", tok)
        except ValueError:  # Python's limit on the digits of an integer conversion
            self.fail(f"{what} written with at most {sys.get_int_max_str_digits():,} digits", tok)


def _to_float(text: str) -> float:
    """The float nearest a number token (correctly rounded, as ``float(Fraction(text))``).

    A decimal goes through ``float`` directly, so ``1e999999999`` costs nothing (exact arithmetic
    would build a billion-digit integer); a rational ``p/q`` is divided exactly, with its exponent
    bounded first.

    Raises
    ------
    OverflowError
        The number is beyond the float range.
    ValueError
        An integer too long for Python to convert.
    ZeroDivisionError
        A rational with denominator 0.

    Examples
    --------
    >>> _to_float("19/20"), _to_float("-.5"), _to_float("1e-999999999")
    (0.95, -0.5, 0.0)
    >>> _to_float("1.8e308")
    Traceback (most recent call last):
    ...
    OverflowError: beyond the float range
    """
    num, _, den = text.partition("/")
    if den:
        mantissa, _, exponent = num.lower().partition("e")
        if exponent and abs(int(exponent)) > 400:  # beyond any float, either way: decide without arithmetic
            if int(exponent) < 0 or not Fraction(mantissa):
                return 0.0
            raise OverflowError("beyond the float range")
        value = float(Fraction(num) / int(den))
    else:
        value = float(num)
    if not math.isfinite(value):
        raise OverflowError("beyond the float range")
    return value


def _distinct(labels: tuple[str, ...]) -> tuple[str, ...]:
    """Gambit allows repeated action labels (often ``""``); ours must differ, so number repeats."""
    if len(set(labels)) == len(labels):
        return labels
    out: list[str] = []
    for k, a in enumerate(labels):
        name = a if labels.count(a) == 1 else f"{a}{k + 1}"
        while name in out or name in labels[k + 1:]:
            name += "'"
        out.append(name)
    return tuple(out)


def parse_efg(text: str, source: str = "<efg>") -> ExtensiveFormGame:
    """Parse the text of a Gambit ``.efg`` file.

    Parameters
    ----------
    text : str
    source : str
        Name used in error messages (a file name).

    Raises
    ------
    GameError
        ``SOURCE:LINE: expected ...; got token ...`` for malformed text, or the tree rule broken.

    Examples
    --------
    >>> g = parse_efg('''EFG 2 R "Entry" { "E" "I" } ""
    ... p "" 1 1 "" { "out" "in" } 0
    ... t "" 1 "Out" { 0 2 }
    ... p "" 2 1 "" { "fight" "accommodate" } 0
    ... t "" 2 "War" { -1 -1 }
    ... t "" 3 "Share" { 1 1 }
    ... ''')
    >>> g.players, list(g.infosets), g.n_nodes
    (('E', 'I'), ['1:1', '2:1'], 5)
    """
    tokens = _Tokens(text, source)
    head = tokens.take()
    if head[:2] != ("word", "EFG"):
        tokens.fail("the header 'EFG 2 R'", head)
    version = tokens.take()
    if version[:2] != ("word", "2"):
        tokens.fail("format version 2", version)
    kind = tokens.take()
    if kind[0] != "word" or kind[1] not in ("R", "D"):
        tokens.fail("number type R or D", kind)
    title = tokens.string("the game title")
    tokens.symbol("{")
    players = []
    while not tokens.is_symbol("}"):
        players.append(tokens.string("a player name"))
    tokens.take()
    if not players:
        raise GameError(f"{source}:{head[2]}: a game needs at least one player; got none")
    if len(players) > MAX_PLAYERS:
        raise GameError(f"{source}:{head[2]}: at most {MAX_PLAYERS} players are allowed; got {len(players)}")
    comment = tokens.take()[1] if tokens.peek()[0] == "str" else ""
    n = len(players)
    outcomes: dict[int, tuple[str, tuple[float, ...]]] = {}
    infosets: dict[tuple[int, int], tuple[str, tuple]] = {}  # (player, number) -> (name, actions)
    chance_sets: dict[int, tuple[str, tuple, tuple]] = {}

    def outcome(at) -> tuple[str, tuple[float, ...]]:
        number = tokens.integer("an outcome number")
        if tokens.peek()[0] == "str":
            name = tokens.string("an outcome name")
            tokens.symbol("{")
            pays = []
            while not tokens.is_symbol("}"):
                if tokens.is_symbol(","):
                    tokens.take()
                    continue
                pays.append(tokens.number("a payoff"))
            tokens.take()
            if len(pays) != n:
                raise GameError(f"{source}:{at[2]}: outcome {number} needs {n} payoffs, one per player; got {pays}")
            if number == 0:
                raise GameError(f"{source}:{at[2]}: outcome 0 means no outcome and cannot have payoffs")
            outcomes.setdefault(number, (name, tuple(pays)))
        elif number != 0 and number not in outcomes:
            tokens.fail(f"the name and payoffs of outcome {number}, used here for the first time")
        return outcomes.get(number, ("", (0.0,) * n))

    def labels_in_braces(what: str) -> list[str]:
        tokens.symbol("{")
        out = []
        while not tokens.is_symbol("}"):
            out.append(tokens.string(what))
        tokens.take()
        return out

    count = [0]

    # Nodes are parsed into plain tuples first: infoset ids depend on every name in the file. The
    # parser recurses once per move, so the depth is bounded first (as is the number of nodes).
    def node(depth=0):
        tok = tokens.take()
        if tok[0] != "word" or tok[1] not in ("p", "c", "t"):
            tokens.fail("a node type p, c or t", tok)
        count[0] += 1
        if count[0] > MAX_NODES:
            raise GameError(f"{source}:{tok[2]}: a tree may have at most {MAX_NODES:,} nodes")
        name = tokens.string("a node name")
        if tok[1] == "t":
            oname, pays = outcome(tok)
            return ("t", name, oname, pays)
        if tok[1] == "p":
            player = tokens.integer("a player number", 1)
            if player > n:
                tokens.fail(f"a player number in 1..{n}", tokens.items[tokens.i - 1])
            number = tokens.integer("an infoset number", 1)
            iname = tokens.string("an infoset name") if tokens.peek()[0] == "str" else None
            actions = tuple(labels_in_braces("an action name")) if tokens.is_symbol("{") else None
            known = infosets.get((player, number))
            if known is None:
                if actions is None:
                    tokens.fail(f"the actions of infoset {number} of player {player}, used here for the first time")
                infosets[(player, number)] = (iname or "", actions)
            elif actions is not None and actions != known[1]:
                raise GameError(f"{source}:{tok[2]}: infoset {number} of player {player} has actions "
                                f"{list(known[1])} elsewhere; got {list(actions)}")
            actions = _distinct(infosets[(player, number)][1])
            if not actions:
                raise GameError(f"{source}:{tok[2]}: infoset {number} of player {player} needs at least one action")
            _, opays = outcome(tok)
            kids = tuple(node(_deeper(depth, tok)) for _ in actions)
            return ("p", name, player, number, actions, opays, kids)
        number = tokens.integer("a chance infoset number", 1)
        iname = tokens.string("an infoset name") if tokens.peek()[0] == "str" else None
        if tokens.is_symbol("{"):
            tokens.take()
            acts, probs = [], []
            while not tokens.is_symbol("}"):
                acts.append(tokens.string("a chance outcome name"))
                probs.append(tokens.number("a chance probability"))
            tokens.take()
            chance_sets.setdefault(number, (iname or "", tuple(acts), tuple(probs)))
        elif number not in chance_sets:
            tokens.fail(f"the outcomes of chance infoset {number}, used here for the first time")
        else:
            acts, probs = chance_sets[number][1], chance_sets[number][2]
        if not acts:
            raise GameError(f"{source}:{tok[2]}: chance infoset {number} needs at least one outcome")
        _, opays = outcome(tok)
        kids = tuple(node(_deeper(depth, tok)) for _ in acts)
        return ("c", name, number, _distinct(tuple(acts)), tuple(probs), opays, kids)

    def _deeper(depth, tok) -> int:
        if depth >= MAX_DEPTH:
            raise GameError(f"{source}:{tok[2]}: a tree may be at most {MAX_DEPTH} moves deep")
        return depth + 1

    raw = node()
    if tokens.peek()[0] != "eof":
        tokens.fail("end of file after the last node of the tree")

    names = [iname for iname, _ in infosets.values()]
    by_name = all(names) and len(set(names)) == len(names)

    def label(text: str) -> str:
        return _NUMBERED.sub("", text) if comment == NUMBERED_LABELS else text

    def build(r, carried):
        r = (r[0], label(r[1]), *r[2:])
        if r[0] == "t":
            total = tuple(a + b for a, b in zip(carried, r[3]))
            return Terminal(total, r[1], r[2])
        if r[0] == "p":
            _, name, player, number, actions, opays, kids = r
            carried = tuple(a + b for a, b in zip(carried, opays))
            hid = infosets[(player, number)][0] if by_name else f"{player}:{number}"
            return Decision(player - 1, hid, actions, tuple(build(k, carried) for k in kids), name)
        _, name, number, acts, probs, opays, kids = r
        carried = tuple(a + b for a, b in zip(carried, opays))
        return Chance(acts, probs, tuple(build(k, carried) for k in kids), name, chance_sets[number][0])

    try:
        return ExtensiveFormGame.from_root(players, build(raw, (0.0,) * n), title)
    except GameError as exc:
        raise GameError(f"{source}: {exc}") from None


def read_efg(path: str | Path) -> ExtensiveFormGame:
    """Read a Gambit ``.efg`` file; errors name the file and the line."""
    path = Path(path)
    try:
        data = inputs.read_bounded(path, inputs.MAX_FILE_BYTES)
    except inputs.InputError as exc:
        raise GameError(f"{path}: {exc}") from None
    except OSError as exc:
        raise GameError(f"{path}: cannot read the file ({exc.strerror or type(exc).__name__})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return parse_efg(text, source=str(path))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(x: float) -> str:
    """Shortest exact text for a float: an integer, a small rational, or the float's repr."""
    if not math.isfinite(x):
        raise GameError(f"format_efg(): numbers must be finite; got {x}")
    if x == int(x) and abs(x) < 2**53:
        return str(int(x))
    frac = Fraction(x).limit_denominator(10**6)
    if float(frac) == x:
        return f"{frac.numerator}/{frac.denominator}"
    return repr(x)


def format_efg(game: ExtensiveFormGame) -> str:
    """Text of a Gambit ``EFG 2 R`` file for ``game``; :func:`parse_efg` reads it back equal.

    Information sets are numbered per player in order of first appearance and named by their
    ids; outcomes are numbered by distinct ``(outcome name, payoffs)``; a terminal with no outcome
    name and zero payoffs gets outcome 0. Node labels that repeat are numbered ``LABEL#K`` (Gambit
    wants distinct node labels), with the comment :data:`NUMBERED_LABELS` so that
    :func:`parse_efg` reads them back as they were.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("L", "R"), (
    ...     Terminal((1.0, 0.5)), Terminal((0.0, 0.0)))))
    >>> print(format_efg(g))
    EFG 2 R "" { "A" "B" }
    ""
    <BLANKLINE>
    p "" 1 1 "a" { "L" "R" } 0
    t "" 1 "" { 1, 1/2 }
    t "" 0
    <BLANKLINE>
    >>> parse_efg(format_efg(g)) == g
    True
    >>> twice = ExtensiveFormGame.from_root(("A",), Decision(0, "a", ("L", "R"), (
    ...     Decision(0, "b", ("x",), (Terminal((1.0,)),), "move"), Decision(0, "c", ("x",), (Terminal((0.0,)),), "move"))))
    >>> [line.split('"')[1] for line in format_efg(twice).splitlines() if line.startswith("p")]
    ['', 'move#1', 'move#2']
    >>> parse_efg(format_efg(twice)) == twice
    True
    """
    labels = _node_labels(game)
    numbers: dict[str, int] = {}
    counts = [0] * game.n_players
    chance_numbers: dict[tuple, int] = {}
    outcome_numbers: dict[tuple, int] = {}
    comment = NUMBERED_LABELS if labels is not None else ""
    lines = [f"EFG 2 R {_quote(game.title)} {{ {' '.join(_quote(p) for p in game.players)} }}", _quote(comment), ""]
    for i, (_, node) in enumerate(iter_nodes(game.root)):
        label = node.label if labels is None else labels[i]
        if isinstance(node, Terminal):
            if not node.outcome and not any(node.payoffs):
                lines.append(f"t {_quote(label)} 0")
                continue
            key = (node.outcome, node.payoffs)
            k = outcome_numbers.setdefault(key, len(outcome_numbers) + 1)
            pays = ", ".join(format_number(x) for x in node.payoffs)
            lines.append(f"t {_quote(label)} {k} {_quote(node.outcome)} {{ {pays} }}")
        elif isinstance(node, Decision):
            if node.infoset not in numbers:
                counts[node.player] += 1
                numbers[node.infoset] = counts[node.player]
            acts = " ".join(_quote(a) for a in node.actions)
            lines.append(f"p {_quote(label)} {node.player + 1} {numbers[node.infoset]} "
                         f"{_quote(node.infoset)} {{ {acts} }} 0")
        else:
            # Chance nodes share a number only when they share a named infoset and its lottery.
            key = (node.infoset, node.outcomes, node.probs) if node.infoset else (id(node), len(chance_numbers))
            number = chance_numbers.setdefault(key, len(chance_numbers) + 1)
            body = " ".join(f"{_quote(o)} {format_number(p)}" for o, p in zip(node.outcomes, node.probs))
            lines.append(f"c {_quote(label)} {number} {_quote(node.infoset)} {{ {body} }} 0")
    return "\n".join(lines) + "\n"


def _node_labels(game: ExtensiveFormGame) -> list[str] | None:
    """The node labels to write, in preorder, when some non-empty label repeats (else None): each
    repeated label, and each label that itself ends in ``#digits``, gets ``#K``."""
    labels = [node.label for _, node in iter_nodes(game.root)]
    uses = Counter(a for a in labels if a)
    if all(n == 1 for n in uses.values()):
        return None
    counts: dict[str, int] = {}
    out = []
    for a in labels:
        if a and (uses[a] > 1 or _NUMBERED.search(a)):
            counts[a] = counts.get(a, 0) + 1
            a = f"{a}#{counts[a]}"
        out.append(a)
    return out
