"""The scenario data model and its validation: a parsed TOML document becomes a frozen ``Scenario``.

Every broken rule is a :class:`sim.errors.ScenarioError` whose message reads
``PATH: field.path: what is wrong (got VALUE)``. Validation goes on after an error and gathers them
all (at most :data:`MAX_ERRORS`): each parameter, player, move, goal field and rule is checked on its
own, and a check that depends on a part already found broken (a rule naming a player whose actions
are bad, a weight naming a bad parameter) is skipped rather than reported again. One
``ScenarioError`` is raised at the end; its ``errors`` holds them all, and a single error reads
exactly as it always did. Nothing in a scenario is ever evaluated: weights, rule values and
probabilities are numbers or parameter names, conditions are action names.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from sim import inputs
from sim.errors import ScenarioError
from sim.scenario.claims import (
    _CLAIM_ID,
    CLAIM_METHODS,
    GAME_METHODS,
    MAX_CLAIMS,
    MAX_CONDITIONS,
    MAX_OBSERVATIONS,
    TREE_METHODS,
    Claim,
    Condition,
    Gain,
    Observation,
)
from sim.scenario.lines import Path, line_of

#: A game whose profile (or, for a sequential timing, terminal) count exceeds this is refused.
MAX_PROFILES = inputs.MAX_PROFILES
#: Bounds on the number of players, moves, goals, rules and parameters (refused beyond, with the number).
MAX_PLAYERS = inputs.MAX_PLAYERS
MAX_MOVES = inputs.MAX_DEPTH
MAX_RULES = 10_000
MAX_PARAMETERS = 1_000
#: Validation stops after this many errors in one file.
MAX_ERRORS = 100
#: Keyword for the one chance outcome whose probability is 1 minus the others' (not an expression).
REST = "rest"

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ACTION = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

Value = float | str  # a number, or the name of a parameter


@dataclass(frozen=True)
class Scaled:
    """A number times one parameter or the product of two: a goal's weight or a rule's value.

    Written ``"-x"`` (``scale = -1``), ``{ parameter = "x", scale = -0.5 }`` or
    ``{ product = ["x", "y"], scale = 2 }`` (``scale`` defaults to 1). Nothing is evaluated: the
    compiler multiplies the scale into the indicator tensor and keeps the parameters as a monomial.

    Examples
    --------
    >>> str(Scaled(("x",), -1.0)), str(Scaled(("x", "y"), 0.5))
    ('-x', '0.5*x*y')
    """

    parameters: tuple[str, ...]
    scale: float = 1.0

    def __str__(self) -> str:
        body = "*".join(self.parameters)
        if self.scale == 1.0:
            return body
        if self.scale == -1.0:
            return "-" + body
        return f"{self.scale:g}*{body}"


#: A goal's weight or a rule's value: a number, a parameter name, or a scaled parameter or product.
Term = float | str | Scaled


def degree(term: Term) -> int:
    """How many parameters ``term`` multiplies (0 for a number)."""
    if isinstance(term, Scaled):
        return len(term.parameters)
    return 1 if isinstance(term, str) else 0


@dataclass(frozen=True)
class Parameter:
    """A named number that weights, rule values and probabilities may refer to."""

    name: str
    default: float
    min: float | None = None
    max: float | None = None
    description: str = ""
    assumption: bool = False
    #: What the number measures (``"payoff units"``, ``"probability"``, ``"years"``): charts put it
    #: in their axis labels; it changes nothing in the game.
    unit: str = ""
    #: The player who sets this number before the game (a concession's size, an offer): a *lever*,
    #: which ``bargain levers`` and reports search for the value that makes the claims hold most
    #: robustly. It needs ``min`` and ``max``; it may also be an assumption (the source does not say
    #: which value the player chose).
    lever: str = ""


@dataclass(frozen=True)
class Rule:
    """``value`` is earned when every condition holds; ``when`` maps a mover to allowed outcomes."""

    when: tuple[tuple[str, tuple[str, ...]], ...]
    value: Term


@dataclass(frozen=True)
class Goal:
    player: str
    name: str
    weight: Term
    rules: tuple[Rule, ...]
    quote: str = ""
    assumption: bool = False
    description: str = ""


@dataclass(frozen=True)
class PlayerMove:
    """A player's move in a sequential timing, seeing the outcomes of the moves in ``observes``.

    ``name`` (default: the player's name) is how rules, conditions and observers refer to the move;
    ``actions`` (default: the player's actions) are its labels; ``when`` is the condition on earlier
    moves under which it happens (empty: always); ``assumption`` marks the move's place and what it
    sees as a modelling choice the source does not state.
    """

    player: str
    observes: tuple[str, ...] = ()
    name: str = ""
    actions: tuple[str, ...] = ()
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    assumption: bool = False
    description: str = ""

    @property
    def key(self) -> str:
        """The move's name (the player's name unless the file gives one)."""
        return self.name or self.player


@dataclass(frozen=True)
class ChanceMove:
    """A move of nature: outcome names with probabilities (number, parameter name or ``"rest"``)."""

    name: str
    outcomes: tuple[tuple[str, Value], ...]
    description: str = ""
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    assumption: bool = False

    @property
    def key(self) -> str:
        return self.name


def move_labels(scenario: "Scenario", move: PlayerMove | ChanceMove) -> tuple[str, ...]:
    """The labels of a move: a chance move's outcomes, a player move's actions (or its player's)."""
    if isinstance(move, ChanceMove):
        return tuple(o for o, _ in move.outcomes)
    return move.actions or scenario.actions_of(move.player)


@dataclass(frozen=True)
class BargainingIssue:
    name: str
    min: float
    max: float
    utility: tuple[tuple[str, Value], ...]
    description: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Bargaining:
    """Issues bargained over, read by the bargaining solvers (structure checked here)."""

    players: tuple[str, ...]
    issues: tuple[BargainingIssue, ...]
    powers: tuple[tuple[str, Value], ...] = ()
    disagreement: str = "equilibrium"


@dataclass(frozen=True)
class Repeated:
    """The stage game is played repeatedly with discount factor ``discount`` (read by repeated-game solvers)."""

    discount: Value
    description: str = ""


@dataclass(frozen=True)
class Scenario:
    """A validated scenario. Build one with :func:`sim.scenario.load_scenario` or :func:`parse_scenario`."""

    id: str
    title: str
    timing: str | tuple[PlayerMove | ChanceMove, ...]
    players: tuple[tuple[str, tuple[str, ...]], ...]
    goals: tuple[Goal, ...]
    parameters: tuple[Parameter, ...] = ()
    source: str = ""
    description: str = ""
    bargaining: Bargaining | None = None
    repeated: Repeated | None = None
    path: str | None = field(default=None, compare=False)
    #: The move order and what each mover observes are a modelling choice the source does not state.
    timing_assumption: bool = False
    #: The source's claims about the equilibria (``[[claims]]``; see :mod:`sim.scenario.claims`).
    claims: tuple[Claim, ...] = ()
    #: What the source reports happened (``[[observations]]``; see :class:`sim.scenario.claims.Observation`).
    observations: tuple[Observation, ...] = ()

    @property
    def conditional(self) -> bool:
        """Whether some move of the timing happens only under a condition (the tree is not a product)."""
        return self.sequential and any(m.when for m in self.timing)

    @property
    def player_names(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.players)

    @property
    def sequential(self) -> bool:
        return self.timing != "simultaneous"

    def actions_of(self, player: str) -> tuple[str, ...]:
        return dict(self.players)[player]

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def __repr__(self) -> str:
        from sim.display import scenario_text

        return scenario_text(self)

    def _repr_html_(self) -> str:
        """Players, timing, parameters and goals with their quotes, as HTML in a notebook."""
        from sim.display import scenario_html

        return scenario_html(self)


DISAGREEMENTS = ("equilibrium", "minmax", "status_quo")

# ----------------------------------------------------------------------------------------------
# parsing


class _Skip(Exception):
    """A check that depends on a part already reported broken: skipped, not reported."""


class _Full(Exception):
    """:data:`MAX_ERRORS` errors are gathered: validation stops."""


class _Part:
    failed = False


class _Ctx:
    """Carries the file path, the lines of its tables and the goals' names so every error names
    them; gathers the errors and remembers which names are broken.

    ``broken`` holds ``(kind, name)`` of parts that failed (kind ``parameter``, ``player`` or
    ``mover``); ``unknown`` holds the kinds whose set of names is itself incomplete (the table
    failed). A reference to such a name is skipped (:meth:`need`) instead of reported unknown.
    """

    def __init__(self, path: str | None, lines: Mapping[Path, int] | None = None):
        self.path = path
        self.lines = lines or {}
        self.labels: dict[Any, str] = {}  # goal index -> "player.name"; ("claims", index) -> claim id
        self.errors: list[ScenarioError] = []
        self.broken: set[tuple[str, Any]] = set()
        self.unknown: set[str] = set()

    def fail(self, field_path: str, what: str, got: Any = ...) -> ScenarioError:
        msg = what if got is ... else f"{what} (got {_show(got)})"
        return ScenarioError(msg, path=self.path, field=field_path, line=line_of(self.lines, field_path),
                             named_field=self._named(field_path))

    def _named(self, field_path: str) -> str | None:
        m = re.match(r"(goals|claims|observations)\[(\d+)\]", field_path)
        if m is None:
            return None
        key = int(m.group(2)) if m.group(1) == "goals" else (m.group(1), int(m.group(2)))
        if key not in self.labels:
            return None
        return f"{m.group()} ({self.labels[key]}){field_path[m.end():]}"

    def add(self, err: ScenarioError) -> None:
        self.errors.append(err)
        if len(self.errors) >= MAX_ERRORS:
            raise _Full

    @contextmanager
    def part(self, *marks: tuple[str, Any]) -> Iterator[_Part]:
        """Check one part: its first error is gathered and ends the part; if it fails, ``marks``
        (``(kind, name)``) become broken."""
        p = _Part()
        try:
            yield p
        except (ScenarioError, _Skip) as exc:
            p.failed = True
            if isinstance(exc, ScenarioError):
                self.add(exc)
            for mark in marks:
                if _hashable(mark[1]):
                    self.broken.add(mark)

    def need(self, kind: str, name: Any) -> None:
        """Skip the current part if ``name`` of ``kind`` may be unknown only because of an earlier error."""
        if kind in self.unknown or (_hashable(name) and (kind, name) in self.broken):
            raise _Skip


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _table(ctx: _Ctx, doc: Any, where: str) -> dict:
    if not isinstance(doc, dict):
        raise ctx.fail(where, "must be a table", doc)
    return doc


def _keys(ctx: _Ctx, doc: dict, where: str, required: set[str], optional: set[str]) -> set[str]:
    """Gather an error for each unknown and each missing field; return the missing ones."""
    for key in doc:
        if key not in required and key not in optional:
            allowed = sorted(required | optional)
            ctx.add(ctx.fail(f"{where}.{key}" if where else key, f"unknown field; allowed fields are {allowed}", key))
    missing = {key for key in required if key not in doc}
    for key in sorted(missing):
        ctx.add(ctx.fail(f"{where}.{key}" if where else key, "is missing"))
    return missing


def _complete(ctx: _Ctx, doc: dict, where: str, required: set[str], optional: set[str]) -> None:
    """:func:`_keys`, skipping the rest of the part if a required field is missing."""
    if _keys(ctx, doc, where, required, optional):
        raise _Skip


def _str(ctx: _Ctx, x: Any, where: str, pattern: re.Pattern | None = None, what: str = "a string") -> str:
    if not isinstance(x, str):
        raise ctx.fail(where, f"must be {what}", x)
    if pattern is not None and not pattern.fullmatch(x):  # not match: '$' matches before a final newline
        raise ctx.fail(where, f"must be {what} matching {pattern.pattern}", x)
    return x


def _number(ctx: _Ctx, x: Any, where: str) -> float:
    if not _is_number(x):
        raise ctx.fail(where, "must be a number", x)
    try:
        x = float(x)
    except OverflowError:  # an integer beyond the float range
        raise ctx.fail(where, f"must be a finite number, at most {inputs.MAX_NUMBER:.3g} in size "
                              f"(got an integer of {len(str(abs(x))):,} digits)") from None
    if not math.isfinite(x):
        raise ctx.fail(where, "must be a finite number", x)
    return x


def _bool(ctx: _Ctx, x: Any, where: str) -> bool:
    if not isinstance(x, bool):
        raise ctx.fail(where, "must be true or false", x)
    return x


def _value(ctx: _Ctx, x: Any, where: str, params: Mapping[str, Parameter]) -> Value:
    """A number or the name of a declared parameter."""
    if isinstance(x, str):
        if x not in params:
            ctx.need("parameter", x)
            raise ctx.fail(where, f"must be a number or a declared parameter name {sorted(params)}", x)
        return x
    return _number(ctx, x, where)


def _term(ctx: _Ctx, x: Any, where: str, params: Mapping[str, Parameter]) -> Term:
    """A goal weight or rule value: a number, ``"x"``, ``"-x"``, ``{parameter, scale?}`` or
    ``{product = [x, y], scale?}``. Plain numbers and names stay as they are (first schema)."""
    if isinstance(x, str) and x.startswith("-") and x[1:] in params:
        return Scaled((x[1:],), -1.0)
    if isinstance(x, dict):
        if ("parameter" in x) == ("product" in x):
            raise ctx.fail(where, "a scaled term needs exactly one of 'parameter' or 'product'", x)
        _complete(ctx, x, where, set(), {"parameter", "product", "scale"})
        scale = _number(ctx, x.get("scale", 1.0), f"{where}.scale")
        if "parameter" in x:
            names = (x["parameter"],)
            sub = [f"{where}.parameter"]
        else:
            if not isinstance(x["product"], list) or len(x["product"]) != 2:
                raise ctx.fail(f"{where}.product", "must be a list of two parameter names", x["product"])
            names = tuple(x["product"])
            sub = [f"{where}.product[{k}]" for k in range(2)]
        for name, w in zip(names, sub):
            if not isinstance(name, str) or name not in params:
                ctx.need("parameter", name)
                raise ctx.fail(w, f"must be a declared parameter name {sorted(params)}", name)
        return Scaled(tuple(names), scale)
    if isinstance(x, str) and x not in params:
        ctx.need("parameter", x)
        ctx.need("parameter", x[1:] if x.startswith("-") else x)
        raise ctx.fail(where, f"must be a number, a declared parameter name {sorted(params)}, '-NAME' or "
                              "{ parameter = NAME, scale = NUMBER }", x)
    return _value(ctx, x, where, params)


def _names(ctx: _Ctx, x: Any, where: str, pattern: re.Pattern, what: str) -> tuple[str, ...]:
    if not isinstance(x, list) or not x:
        raise ctx.fail(where, f"must be a non-empty list of {what}", x)
    out = tuple(_str(ctx, a, f"{where}[{k}]", pattern, what) for k, a in enumerate(x))
    seen = set()
    for k, a in enumerate(out):
        if a in seen:
            raise ctx.fail(f"{where}[{k}]", "duplicate name", a)
        seen.add(a)
    return out


def _parameters(ctx: _Ctx, doc: Any) -> dict[str, Parameter]:
    """The declared parameters; each is checked on its own and a broken one is left out (and marked)."""
    out: dict[str, Parameter] = {}
    with ctx.part() as table:
        doc = _table(ctx, doc, "parameters")
        if len(doc) > MAX_PARAMETERS:
            raise ctx.fail("parameters", f"at most {MAX_PARAMETERS} parameters are allowed", len(doc))
    if table.failed:
        ctx.unknown.add("parameter")
        return out
    for name, spec in doc.items():
        with ctx.part(("parameter", name)):
            out[name] = _parameter(ctx, name, spec)
    return out


def _parameter(ctx: _Ctx, name: str, spec: Any) -> Parameter:
    where = f"parameters.{name}"
    _str(ctx, name, where, _NAME, "a parameter name")
    if name == REST:
        raise ctx.fail(where, f"{REST!r} is reserved for chance outcomes", name)
    if isinstance(spec, dict):
        _complete(ctx, spec, where, {"default"}, {"min", "max", "description", "assumption", "unit", "lever"})
        default = _number(ctx, spec["default"], f"{where}.default")
        lo = _number(ctx, spec["min"], f"{where}.min") if "min" in spec else None
        hi = _number(ctx, spec["max"], f"{where}.max") if "max" in spec else None
        desc = _str(ctx, spec.get("description", ""), f"{where}.description")
        assumption = _bool(ctx, spec.get("assumption", False), f"{where}.assumption")
        unit = _str(ctx, spec.get("unit", ""), f"{where}.unit")
        lever = _str(ctx, spec.get("lever", ""), f"{where}.lever", _NAME, "a player name") if "lever" in spec else ""
        if lever and (lo is None or hi is None):
            raise ctx.fail(f"{where}.lever", "a lever needs min and max (the values its player may choose)", lever)
    else:
        default, lo, hi, desc, assumption, unit, lever = _number(ctx, spec, where), None, None, "", False, "", ""
    if lo is not None and hi is not None and lo > hi:
        raise ctx.fail(f"{where}.min", f"must not exceed max {hi}", lo)
    if lo is not None and default < lo:
        raise ctx.fail(f"{where}.default", f"must be at least min {lo}", default)
    if hi is not None and default > hi:
        raise ctx.fail(f"{where}.default", f"must be at most max {hi}", default)
    return Parameter(name, default, lo, hi, desc, assumption, unit, lever)


def _players(ctx: _Ctx, doc: Any) -> dict[str, tuple[str, ...]]:
    """The players and their actions (None if a player's moves list them); a broken player is left
    out and marked, as a player and as a mover."""
    out: dict = {}
    with ctx.part() as table:
        doc = _table(ctx, doc, "players")
        if not doc:
            raise ctx.fail("players", "needs at least one player", doc)
    if table.failed:
        ctx.unknown.add("player")
        return out
    if len(doc) > MAX_PLAYERS:
        ctx.add(ctx.fail("players", f"at most {MAX_PLAYERS} players are allowed", len(doc)))
    for name, spec in doc.items():
        where = f"players.{name}"
        with ctx.part(("player", name), ("mover", name)):
            _str(ctx, name, where, _NAME, "a player name")
            spec = _table(ctx, spec, where)
            _complete(ctx, spec, where, set(), {"actions", "description"})
            _str(ctx, spec.get("description", ""), f"{where}.description")
            # Absent actions are filled from the player's moves (each must then list its own).
            out[name] = _names(ctx, spec["actions"], f"{where}.actions", _ACTION, "action names") \
                if "actions" in spec else None
    return out


def _condition(ctx, doc, where, earlier: Mapping[str, tuple[str, ...]]) -> tuple:
    """A move's ``when``: earlier move -> allowed labels (as a rule's ``when``)."""
    doc = _table(ctx, doc, where)
    out = []
    for mover, allowed in doc.items():
        w = f"{where}.{mover}"
        if mover not in earlier:
            ctx.need("mover", mover)
            raise ctx.fail(w, f"must name an earlier move {sorted(earlier)}", mover)
        names = _names(ctx, [allowed] if isinstance(allowed, str) else allowed, w, _ACTION, "action names")
        for a in names:
            if a not in earlier[mover]:
                raise ctx.fail(w, f"unknown action of {mover}; actions are {list(earlier[mover])}", a)
        out.append((mover, names))
    return tuple(out)


def _timing(ctx, doc, players, params) -> str | tuple:
    """The timing; a move that fails is left out, and then the set of movers counts as incomplete
    (so rules naming a move are checked only against the moves that are fine)."""
    if doc == "simultaneous":
        return "simultaneous"
    if not isinstance(doc, list) or not doc:
        raise ctx.fail("scenario.timing", 'must be "simultaneous" or a non-empty list of moves', doc)
    if len(doc) > MAX_MOVES:
        raise ctx.fail("scenario.timing", f"at most {MAX_MOVES} moves are allowed", len(doc))
    moves: list = []
    seen: dict[str, tuple[str, ...]] = {}  # move name -> labels
    movers_of: dict[str, list[str]] = {}
    whole = True
    for k, move in enumerate(doc):
        marks = []
        if isinstance(move, dict):  # what a failed move breaks: its name, and its player's name as a mover
            marks = [("mover", move.get("chance", move.get("name", move.get("player")))),
                     ("mover", move.get("player"))]
        with ctx.part(*marks) as part:
            m = _move(ctx, k, move, players, params, seen)
            moves.append(m)
            seen[m.key] = _labels(m)
            if isinstance(m, PlayerMove):
                movers_of.setdefault(m.player, []).append(m.key)
        whole = whole and not part.failed
    if not whole:
        ctx.unknown.add("mover")
        raise _Skip
    missing = [p for p in players if p not in movers_of]
    if missing:
        ctx.need("player", None)
        raise ctx.fail("scenario.timing", f"every player must move; missing {missing}", doc)
    _check_reachable(ctx, moves, seen)
    return tuple(moves)


def _labels(move: PlayerMove | ChanceMove) -> tuple[str, ...]:
    """The labels of a parsed move (a player move's actions are filled in by then)."""
    return tuple(o for o, _ in move.outcomes) if isinstance(move, ChanceMove) else move.actions


def _move(ctx, k, move, players, params, seen) -> PlayerMove | ChanceMove:
    where = f"scenario.timing[{k}]"
    move = _table(ctx, move, where)
    if "chance" in move:
        _complete(ctx, move, where, {"chance", "outcomes"}, {"description", "when", "assumption"})
        name = _str(ctx, move["chance"], f"{where}.chance", _NAME, "a chance move name")
        if name in players or name in seen:
            raise ctx.fail(f"{where}.chance", "must differ from every player and earlier move name", name)
        outs = _table(ctx, move["outcomes"], f"{where}.outcomes")
        if not outs:
            raise ctx.fail(f"{where}.outcomes", "needs at least one outcome", outs)
        probs = []
        for o, p in outs.items():
            _str(ctx, o, f"{where}.outcomes.{o}", _ACTION, "an outcome name")
            probs.append((o, REST if p == REST else _value(ctx, p, f"{where}.outcomes.{o}", params)))
        _check_probabilities(ctx, f"{where}.outcomes", probs, params)
        desc = _str(ctx, move.get("description", ""), f"{where}.description")
        when = _condition(ctx, move.get("when", {}), f"{where}.when", seen)
        assumption = _bool(ctx, move.get("assumption", False), f"{where}.assumption")
        return ChanceMove(name, tuple(probs), desc, when, assumption)
    _complete(ctx, move, where, {"player"}, {"observes", "name", "actions", "when", "assumption", "description"})
    player = _str(ctx, move["player"], f"{where}.player")
    if player not in players:
        ctx.need("player", player)
        raise ctx.fail(f"{where}.player", f"unknown player; players are {sorted(players)}", player)
    name = _str(ctx, move.get("name", player), f"{where}.name", _NAME, "a move name")
    if name != player and name in players:
        raise ctx.fail(f"{where}.name", "a move may not be named after another player", name)
    if name in seen:
        if "name" not in move:
            raise ctx.fail(f"{where}.player", "a player moving more than once needs a distinct 'name' "
                           "for each of its moves", player)
        raise ctx.fail(f"{where}.name", "duplicate move name", name)
    if "actions" in move:
        actions = _names(ctx, move["actions"], f"{where}.actions", _ACTION, "action names")
    elif players[player] is None:
        raise ctx.fail(f"{where}.actions", f"is missing: player {player} declares no actions of its own", name)
    else:
        actions = players[player]
    observes = move.get("observes", [])
    if not isinstance(observes, list):
        raise ctx.fail(f"{where}.observes", "must be a list of earlier moves", observes)
    for j, o in enumerate(observes):
        if not _hashable(o) or o not in seen:
            ctx.need("mover", o)
            raise ctx.fail(f"{where}.observes[{j}]", f"must name an earlier move {sorted(seen)}", o)
    if len(set(observes)) != len(observes):
        raise ctx.fail(f"{where}.observes", "duplicate name", observes)
    when = _condition(ctx, move.get("when", {}), f"{where}.when", seen)
    assumption = _bool(ctx, move.get("assumption", False), f"{where}.assumption")
    desc = _str(ctx, move.get("description", ""), f"{where}.description")
    return PlayerMove(player, tuple(observes), name, actions, when, assumption, desc)


def _check_reachable(ctx, moves, labels: Mapping[str, tuple[str, ...]]) -> None:
    """Every conditional move happens on some history, and the histories are not too many."""
    from sim.scenario.timing import TooManyHistories, histories

    if not any(m.when for m in moves):
        return
    index = {m.key: k for k, m in enumerate(moves)}
    conds = [tuple((index[mv], frozenset(labels[mv].index(a) for a in allowed)) for mv, allowed in m.when)
             for m in moves]
    try:
        rows = histories([len(labels[m.key]) for m in moves], conds, limit=MAX_PROFILES)
    except TooManyHistories as exc:
        raise ctx.fail("scenario.timing", f"the game has more than {MAX_PROFILES:,} terminal histories; refused",
                       exc.count) from None
    for k, m in enumerate(moves):
        if m.when and not (rows[:, k] >= 0).any():
            shown = {mv: list(a) for mv, a in m.when}
            raise ctx.fail(f"scenario.timing[{k}].when", f"no history satisfies the condition of move {m.key}",
                           shown)


def _check_probabilities(ctx, where, probs, params) -> None:
    rest = [o for o, p in probs if p == REST]
    if len(rest) > 1:
        raise ctx.fail(where, f"at most one outcome may be {REST!r}", rest)
    values = [params[p].default if isinstance(p, str) and p != REST else p for _, p in probs if p != REST]
    for (o, p), v in zip([x for x in probs if x[1] != REST], values):
        if v < 0:
            raise ctx.fail(f"{where}.{o}", "probability must be >= 0", v)
        if isinstance(p, str) and (params[p].min is None or params[p].min < 0 or params[p].max is None
                                   or params[p].max > 1):
            raise ctx.fail(f"{where}.{o}", "a probability parameter needs bounds within [0, 1]", p)
    total = sum(values)
    if rest:
        if total > 1 + 1e-9:
            raise ctx.fail(where, "probabilities before 'rest' must sum to at most 1", total)
    elif abs(total - 1.0) > 1e-9:
        raise ctx.fail(where, "probabilities must sum to 1", total)


def _goals(ctx, doc, players, movers, params, aliases=None) -> tuple[Goal, ...]:
    if not isinstance(doc, list) or not doc:
        raise ctx.fail("goals", "must be a non-empty array of tables [[goals]]", doc)
    for k, g in enumerate(doc):  # errors name a goal by its player and name, when both are strings
        if isinstance(g, dict) and isinstance(g.get("player"), str) and isinstance(g.get("name"), str) \
                and len(g["player"]) + len(g["name"]) <= 80:
            ctx.labels[k] = f"{g['player']}.{g['name']}"
    out = []
    names: set = set()
    n_rules = [0]
    for k, g in enumerate(doc):
        with ctx.part():
            out.append(_goal(ctx, k, g, players, movers, params, aliases or {}, names, n_rules))
    return tuple(out)


def _goal(ctx, k, g, players, movers, params, aliases, names, n_rules) -> Goal:
    """One goal: its fields and rules are checked each on its own."""
    where = f"goals[{k}]"
    g = _table(ctx, g, where)
    missing = _keys(ctx, g, where, {"player", "name", "weight", "rules"}, {"quote", "assumption", "description"})
    failed = bool(missing)
    player = name = weight = None
    rules: list = []
    with ctx.part() as part:
        if "player" in g:
            player = _str(ctx, g["player"], f"{where}.player")
            if player not in players:
                player = None
                ctx.need("player", g["player"])
                raise ctx.fail(f"{where}.player", f"unknown player; players are {sorted(players)}", g["player"])
    failed |= part.failed
    with ctx.part() as part:
        if "name" in g:
            name = _str(ctx, g["name"], f"{where}.name", _NAME, "a goal name")
            if player is not None:
                if (player, name) in names:
                    raise ctx.fail(f"{where}.name", f"duplicate goal name for player {player}", name)
                names.add((player, name))
    failed |= part.failed
    with ctx.part() as part:
        if "weight" in g:
            weight = _term(ctx, g["weight"], f"{where}.weight", params)
    failed |= part.failed
    with ctx.part() as part:
        quote = _str(ctx, g.get("quote", ""), f"{where}.quote")
    failed |= part.failed
    with ctx.part() as part:
        assumption = _bool(ctx, g.get("assumption", False), f"{where}.assumption")
    failed |= part.failed
    with ctx.part() as part:
        desc = _str(ctx, g.get("description", ""), f"{where}.description")
    failed |= part.failed
    with ctx.part() as part:
        if "rules" in g:
            rules_doc = g["rules"]
            if not isinstance(rules_doc, list) or not rules_doc:
                raise ctx.fail(f"{where}.rules", "must be a non-empty list of { when = {...}, value = ... }",
                               rules_doc)
            n_rules[0] += len(rules_doc)
            if n_rules[0] > MAX_RULES:
                # Reported once, at the goal that crosses the bound; later goals' rules are skipped.
                ctx.need("rules", None)
                ctx.unknown.add("rules")
                raise ctx.fail(f"{where}.rules", f"at most {MAX_RULES} rules are allowed in a scenario", n_rules[0])
            for j, r in enumerate(rules_doc):
                with ctx.part() as rule_part:
                    rules.append(_rule(ctx, r, f"{where}.rules[{j}]", movers, params, aliases))
                part.failed |= rule_part.failed
    failed |= part.failed
    if failed:
        raise _Skip
    for j, r in enumerate(rules):
        if degree(weight) + degree(r.value) > 2:
            raise ctx.fail(f"{where}.rules[{j}].value", "weight times value must multiply at most two parameters "
                           f"(payoffs stay of degree <= 2); the weight is {weight}", str(r.value))
    if assumption and not degree(weight) and not any(degree(r.value) for r in rules):
        raise ctx.fail(f"{where}.weight", "an assumption must be carried by a parameter (weight or a rule value)",
                       weight)
    return Goal(player, name, weight, tuple(rules), quote, assumption, desc)


def _rule(ctx, r, where, movers, params, aliases) -> Rule:
    """One rule: its value and each of its conditions are checked on their own."""
    r = _table(ctx, r, where)
    failed = bool(_keys(ctx, r, where, {"value"}, {"when"}))
    value = None
    with ctx.part() as part:
        if "value" in r:
            value = _term(ctx, r["value"], f"{where}.value", params)
    failed |= part.failed
    conds = []
    with ctx.part() as part:
        when = _table(ctx, r.get("when", {}), f"{where}.when")
    failed |= part.failed
    for mover, allowed in (when.items() if not part.failed else ()):
        with ctx.part() as cond:
            conds.append(_rule_condition(ctx, f"{where}.when.{mover}", mover, allowed, movers, aliases))
        failed |= cond.failed
    if failed:
        raise _Skip
    return Rule(tuple(conds), value)


def _rule_condition(ctx, w, mover, allowed, movers, aliases) -> tuple[str, tuple[str, ...]]:
    if ("mover", mover) in ctx.broken:  # a player or move already reported broken
        raise _Skip
    if mover in aliases:
        if not aliases[mover]:
            raise ctx.fail(w, f"{mover} moves more than once; name one of its moves", mover)
        mover = aliases[mover]
    if mover not in movers:
        ctx.need("mover", mover)
        raise ctx.fail(w, f"unknown player or move; known are {sorted(movers)}", mover)
    if isinstance(allowed, str):
        allowed = [allowed]
    names = _names(ctx, allowed, w, _ACTION, "action names")
    for a in names:
        if a not in movers[mover]:
            raise ctx.fail(w, f"unknown action of {mover}; actions are {list(movers[mover])}", a)
    return (mover, names)


def _bargaining(ctx, doc, players, params) -> Bargaining:
    doc = _table(ctx, doc, "bargaining")
    _complete(ctx, doc, "bargaining", {"players", "issues"}, {"powers", "disagreement"})
    bp = _names(ctx, doc["players"], "bargaining.players", _NAME, "player names")
    for k, p in enumerate(bp):
        if p not in players:
            ctx.need("player", p)
            raise ctx.fail(f"bargaining.players[{k}]", f"unknown player; players are {sorted(players)}", p)
    if len(bp) < 2:
        raise ctx.fail("bargaining.players", "bargaining needs at least two players", list(bp))
    disagreement = _str(ctx, doc.get("disagreement", "equilibrium"), "bargaining.disagreement")
    if disagreement not in DISAGREEMENTS:
        raise ctx.fail("bargaining.disagreement", f"must be one of {list(DISAGREEMENTS)}", disagreement)
    powers = ()
    if "powers" in doc:
        pw = _table(ctx, doc["powers"], "bargaining.powers")
        for p in pw:
            if p not in bp:
                raise ctx.fail(f"bargaining.powers.{p}", f"must be a bargaining player {list(bp)}", p)
        missing = [p for p in bp if p not in pw]
        if missing:
            raise ctx.fail("bargaining.powers", f"needs a power for every bargaining player; missing {missing}", pw)
        powers = tuple((p, _value(ctx, pw[p], f"bargaining.powers.{p}", params)) for p in bp)
        for p, v in powers:
            if (params[v].default if isinstance(v, str) else v) < 0:
                raise ctx.fail(f"bargaining.powers.{p}", "must be >= 0", v)
        if not any((params[v].default if isinstance(v, str) else v) > 0 for _, v in powers):
            raise ctx.fail("bargaining.powers", "at least one power must be positive (at the defaults)", pw)
    issues_doc = doc["issues"]
    if not isinstance(issues_doc, list) or not issues_doc:
        raise ctx.fail("bargaining.issues", "must be a non-empty array of tables [[bargaining.issues]]", issues_doc)
    issues, seen = [], set()
    for k, it in enumerate(issues_doc):
        where = f"bargaining.issues[{k}]"
        with ctx.part():
            it = _table(ctx, it, where)
            _complete(ctx, it, where, {"name", "range", "utility"}, {"description", "quote"})
            name = _str(ctx, it["name"], f"{where}.name", _NAME, "an issue name")
            if name in seen:
                raise ctx.fail(f"{where}.name", "duplicate issue name", name)
            seen.add(name)
            rng = it["range"]
            if not isinstance(rng, list) or len(rng) != 2:
                raise ctx.fail(f"{where}.range", "must be [min, max]", rng)
            lo, hi = _number(ctx, rng[0], f"{where}.range[0]"), _number(ctx, rng[1], f"{where}.range[1]")
            if lo >= hi:
                raise ctx.fail(f"{where}.range", "min must be below max", rng)
            ut = _table(ctx, it["utility"], f"{where}.utility")
            for p in ut:
                if p not in bp:
                    raise ctx.fail(f"{where}.utility.{p}", f"must be a bargaining player {list(bp)}", p)
            utility = tuple((p, _value(ctx, ut[p], f"{where}.utility.{p}", params)) for p in bp if p in ut)
            issues.append(BargainingIssue(name, lo, hi, utility, _str(ctx, it.get("description", ""), f"{where}.description"),
                                          _str(ctx, it.get("quote", ""), f"{where}.quote")))
    return Bargaining(bp, tuple(issues), powers, disagreement)


def _repeated(ctx, doc, params) -> Repeated:
    doc = _table(ctx, doc, "repeated")
    _complete(ctx, doc, "repeated", {"discount"}, {"description"})
    d = _value(ctx, doc["discount"], "repeated.discount", params)
    dv = params[d].default if isinstance(d, str) else d
    if not 0 < dv < 1:
        raise ctx.fail("repeated.discount", "must lie strictly between 0 and 1", dv)
    return Repeated(d, _str(ctx, doc.get("description", ""), "repeated.description"))


def parse_scenario(doc: Any, path: str | None = None, lines: Mapping[Path, int] | None = None) -> Scenario:
    """Validate a parsed TOML document and build a :class:`Scenario`.

    ``lines`` maps table paths to the lines where they start (:func:`sim.scenario.lines.table_lines`
    of the file's text); errors then carry their line.

    Raises
    ------
    ScenarioError
        Naming ``path``, the field and the bad value of the first rule broken; its ``errors`` holds
        every error found (at most :data:`MAX_ERRORS`), and its message ends with ``(and N more...)``
        when there are several.

    Examples
    --------
    >>> doc = {"scenario": {"id": "pd", "title": "PD", "timing": "simultaneous"},
    ...        "players": {"A": {"actions": ["c", "d"]}, "B": {"actions": ["c", "d"]}},
    ...        "goals": [{"player": "A", "name": "gain", "weight": 1,
    ...                   "rules": [{"when": {"B": "c"}, "value": 3}]}]}
    >>> parse_scenario(doc).player_names
    ('A', 'B')
    >>> parse_scenario({**doc, "players": {}})
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: players: needs at least one player (got {})
    >>> bad = {**doc, "goals": [{"player": "A", "name": "gain", "weight": True, "rules": [{"when": {"B": "x"}, "value": 3}]}]}
    >>> try:
    ...     parse_scenario(bad, path="pd.toml")
    ... except ScenarioError as exc:
    ...     print(exc)
    ...     print(*(e.located() for e in exc.errors), sep="\\n")
    pd.toml: goals[0].weight: must be a number (got True) (and 1 more)
    pd.toml: goals[0] (A.gain).weight: must be a number (got True)
    pd.toml: goals[0] (A.gain).rules[0].when.B: unknown action of B; actions are ['c', 'd'] (got 'x')
    """
    ctx = _Ctx(path, lines)
    scenario = None
    try:
        scenario = _parse(ctx, doc)
    except ScenarioError as exc:  # the document itself is not a table
        ctx.errors.append(exc)
    except (_Skip, _Full):
        pass
    if ctx.errors or scenario is None:
        raise ScenarioError.gather(ctx.errors[:MAX_ERRORS], truncated=len(ctx.errors) >= MAX_ERRORS)
    return scenario


def _parse(ctx: _Ctx, doc: Any) -> Scenario | None:
    doc = _table(ctx, doc, "(document)")
    _keys(ctx, doc, "", {"scenario", "players", "goals"}, {"parameters", "bargaining", "repeated", "claims",
                                                             "observations"})
    head: dict = {}
    with ctx.part() as part:
        if "scenario" in doc:
            head = _table(ctx, doc["scenario"], "scenario")
            _keys(ctx, head, "scenario", {"id", "title", "timing"},
                  {"source", "description", "extends", "timing_assumption"})
    if "scenario" not in doc or part.failed:
        head = {}
        ctx.unknown.add("mover")

    def field(name: str, check, default=None):
        with ctx.part():
            return check(head[name]) if name in head else default

    timing_assumption = field("timing_assumption", lambda x: _bool(ctx, x, "scenario.timing_assumption"), False)
    if "extends" in head:
        ctx.add(ctx.fail("scenario.extends", "is resolved when a file is loaded by its path (load_scenario)",
                         head["extends"]))
    sid = field("id", lambda x: _str(ctx, x, "scenario.id", _ID, "an id"))
    title = field("title", lambda x: _str(ctx, x, "scenario.title"))
    source = field("source", lambda x: _str(ctx, x, "scenario.source"), "")
    description = field("description", lambda x: _str(ctx, x, "scenario.description"), "")
    params = _parameters(ctx, doc.get("parameters", {}))
    players = _players(ctx, doc["players"]) if "players" in doc else {}
    if "player" not in ctx.unknown:
        for p in params.values():
            if p.lever and p.lever not in players:
                ctx.add(ctx.fail(f"parameters.{p.name}.lever", f"must name a player ({', '.join(players)})", p.lever))
    if "players" not in doc:
        ctx.unknown.add("player")
    if "player" in ctx.unknown:
        ctx.unknown.add("mover")
    timing = None
    if "timing" in head:
        with ctx.part() as part:
            timing = _timing(ctx, head["timing"], players, params)
        if part.failed:
            timing = None
            ctx.unknown.add("mover")
    aliases: dict[str, str] = {}
    movers: dict[str, tuple[str, ...]] = {}
    sizes: list[int] | None = None
    if timing == "simultaneous":
        for name, actions in players.items():
            if actions is None:
                with ctx.part(("mover", name)):
                    raise ctx.fail(f"players.{name}.actions", "is missing (a simultaneous timing needs them)")
        movers = {name: actions for name, actions in players.items() if actions is not None}
        sizes = [len(a) for a in movers.values()]
    elif timing is not None:
        for name in players:
            if players[name] is None:  # the union of its moves' actions, in order of first appearance
                acts = [a for m in timing if isinstance(m, PlayerMove) and m.player == name for a in m.actions]
                players[name] = tuple(dict.fromkeys(acts))
        movers = {m.key: _labels(m) for m in timing}
        by_player: dict[str, list[str]] = {}
        for m in timing:
            if isinstance(m, PlayerMove):
                by_player.setdefault(m.player, []).append(m.key)
        # A rule may name a player for the player's only move; a player with several moves is ambiguous.
        aliases = {p: ks[0] if len(ks) == 1 else "" for p, ks in by_player.items() if p not in movers}
        sizes = [len(movers[m.key]) for m in timing]
    if sizes is not None and not ctx.errors:
        count = 1
        for n in sizes:
            count *= n
        if count > MAX_PROFILES and not (timing != "simultaneous" and any(m.when for m in timing)):
            ctx.add(ctx.fail("players", f"the game has more than {MAX_PROFILES:,} outcomes; refused", count))
    goals = ()
    if "goals" in doc:
        with ctx.part():
            goals = _goals(ctx, doc["goals"], players, movers, params, aliases)
    bargaining = repeated = None
    if "bargaining" in doc:
        with ctx.part():
            bargaining = _bargaining(ctx, doc["bargaining"], players, params)
    if "repeated" in doc:
        with ctx.part():
            repeated = _repeated(ctx, doc["repeated"], params)
    claims = ()
    if "claims" in doc:
        with ctx.part():
            claims = parse_claims(ctx, doc["claims"], timing, players, movers, params, aliases)
    observations = ()
    if "observations" in doc:
        with ctx.part():
            observations = parse_observations(ctx, doc["observations"], timing, players, movers, params, aliases)
    if ctx.errors:
        return None
    return Scenario(sid, title, timing, tuple(players.items()), goals, tuple(params.values()), source,
                    description, bargaining, repeated, ctx.path, timing_assumption, claims, observations)


# ----------------------------------------------------------------------------------------------
# claims (the types are in sim.scenario.claims)


def parse_claims(ctx: _Ctx, doc: Any, timing, players: Mapping, movers: Mapping[str, tuple[str, ...]],
                 params: Mapping[str, Parameter], aliases: Mapping[str, str]) -> tuple[Claim, ...]:
    """The ``[[claims]]`` array: each claim and each condition field is checked on its own."""
    if not isinstance(doc, list) or not doc:
        raise ctx.fail("claims", "must be a non-empty array of tables [[claims]]", doc)
    if len(doc) > MAX_CLAIMS:
        raise ctx.fail("claims", f"at most {MAX_CLAIMS} claims are allowed", len(doc))
    chance = {m.key for m in timing if isinstance(m, ChanceMove)} if isinstance(timing, tuple) else set()
    env = _Env(ctx, timing, players, movers, params, aliases, chance)
    out, seen = [], set()
    for k, c in enumerate(doc):
        if isinstance(c, dict) and isinstance(c.get("id"), str) and len(c["id"]) <= 60:
            ctx.labels[("claims", k)] = c["id"]
        with ctx.part():
            out.append(_claim(env, k, c, seen))
    return tuple(out)


def parse_observations(ctx: _Ctx, doc: Any, timing, players: Mapping, movers: Mapping[str, tuple[str, ...]],
                       params: Mapping[str, Parameter], aliases: Mapping[str, str]) -> tuple[Observation, ...]:
    """The ``[[observations]]`` array: ``id``, ``observation``, ``quote``, ``path`` (one action per
    move) and an optional ``description``, each checked on its own."""
    if not isinstance(doc, list) or not doc:
        raise ctx.fail("observations", "must be a non-empty array of tables [[observations]]", doc)
    if len(doc) > MAX_OBSERVATIONS:
        raise ctx.fail("observations", f"at most {MAX_OBSERVATIONS} observations are allowed", len(doc))
    chance = {m.key for m in timing if isinstance(m, ChanceMove)} if isinstance(timing, tuple) else set()
    env = _Env(ctx, timing, players, movers, params, aliases, chance)
    out, seen = [], set()
    for k, o in enumerate(doc):
        if isinstance(o, dict) and isinstance(o.get("id"), str) and len(o["id"]) <= 60:
            ctx.labels[("observations", k)] = o["id"]
        with ctx.part():
            out.append(_observation(env, k, o, seen))
    return tuple(out)


def _observation(env: "_Env", k: int, o: Any, seen: set) -> Observation:
    ctx = env.ctx
    where = f"observations[{k}]"
    o = _table(ctx, o, where)
    failed = bool(_keys(ctx, o, where, {"id", "observation", "quote", "path"}, {"description"}))
    values: dict[str, Any] = {}

    def check(name, fn, default=""):
        nonlocal failed
        with ctx.part() as part:
            values[name] = fn(o[name]) if name in o else default
        failed |= part.failed

    def oid(x):
        x = _str(ctx, x, f"{where}.id", _CLAIM_ID, "an observation id")
        if x in seen:
            raise ctx.fail(f"{where}.id", "duplicate observation id", x)
        seen.add(x)
        return x

    def sentence(name):
        def f(x):
            x = _str(ctx, x, f"{where}.{name}")
            if not x.strip():
                raise ctx.fail(f"{where}.{name}", "must not be empty", x)
            return x
        return f

    check("id", oid)
    check("observation", sentence("observation"))
    check("quote", sentence("quote"))
    check("path", lambda x: _claim_forced(env, f"{where}.path", x, chance=False), ())
    check("description", lambda x: _str(ctx, x, f"{where}.description"))
    if failed:
        raise _Skip
    return Observation(values["id"], values["observation"], values["quote"], values["path"], values["description"])


@dataclass
class _Env:
    ctx: _Ctx
    timing: Any
    players: Mapping
    movers: Mapping[str, tuple[str, ...]]
    params: Mapping[str, Parameter]
    aliases: Mapping[str, str]
    chance: set


def _claim(env: _Env, k: int, c: Any, seen: set) -> Claim:
    ctx = env.ctx
    where = f"claims[{k}]"
    c = _table(ctx, c, where)
    failed = bool(_keys(ctx, c, where, {"id", "claim", "quote", "conditions"}, {"method", "sweep", "description"}))
    values: dict[str, Any] = {}

    def check(name, fn, default=""):
        nonlocal failed
        with ctx.part() as part:
            values[name] = fn(c[name]) if name in c else default
        failed |= part.failed

    def cid(x):
        x = _str(ctx, x, f"{where}.id", _CLAIM_ID, "a claim id")
        if x in seen:
            raise ctx.fail(f"{where}.id", "duplicate claim id", x)
        seen.add(x)
        return x

    def sentence(name):
        def f(x):
            x = _str(ctx, x, f"{where}.{name}")
            if not x.strip():
                raise ctx.fail(f"{where}.{name}", "must not be empty", x)
            return x
        return f

    def method(x):
        x = _str(ctx, x, f"{where}.method")
        if x not in CLAIM_METHODS:
            raise ctx.fail(f"{where}.method", "must be a method that returns behaviour strategies or profiles "
                           f"{list(CLAIM_METHODS)}", x)
        if env.timing == "simultaneous" and x in TREE_METHODS:
            raise ctx.fail(f"{where}.method", f"a simultaneous scenario takes one of {list(GAME_METHODS)}", x)
        if isinstance(env.timing, tuple) and x in GAME_METHODS:
            raise ctx.fail(f"{where}.method", f"a sequential scenario takes one of {list(TREE_METHODS)}", x)
        return x

    def sweep(x):
        x = _str(ctx, x, f"{where}.sweep")
        if not x.endswith(".toml") or x.startswith("/") or "\\" in x:
            raise ctx.fail(f"{where}.sweep", "must be a relative path to a .toml sweep file", x)
        return x

    check("id", cid)
    check("claim", sentence("claim"))
    check("quote", sentence("quote"))
    check("method", method)
    check("sweep", sweep)
    check("description", lambda x: _str(ctx, x, f"{where}.description"))
    conds = []
    with ctx.part() as part:
        if "conditions" in c:
            doc = c["conditions"]
            if not isinstance(doc, list) or not doc:
                raise ctx.fail(f"{where}.conditions", "must be a non-empty list of condition tables", doc)
            if len(doc) > MAX_CONDITIONS:
                raise ctx.fail(f"{where}.conditions", f"at most {MAX_CONDITIONS} conditions are allowed", len(doc))
            for j, d in enumerate(doc):
                with ctx.part() as cp:
                    conds.append(_claim_condition(env, f"{where}.conditions[{j}]", d))
                part.failed |= cp.failed
    failed |= part.failed
    if failed:
        raise _Skip
    return Claim(values["id"], values["claim"], values["quote"], tuple(conds), values["method"], values["sweep"],
                 values["description"])


def _claim_condition(env: _Env, where: str, d: Any) -> Condition:
    ctx = env.ctx
    d = _table(ctx, d, where)
    _complete(ctx, d, where, set(), {"path", "gain", "after", "set", "not", "at_least"})
    if ("path" in d) == ("gain" in d):
        raise ctx.fail(where, "needs exactly one of 'path' and 'gain'", sorted(d))
    failed = False
    out: dict[str, Any] = {}

    def check(name, fn, default):
        nonlocal failed
        with ctx.part() as part:
            out[name] = fn(d[name]) if name in d else default
        failed |= part.failed

    check("path", lambda x: _claim_path(env, f"{where}.path", x), ())
    check("gain", lambda x: _claim_gain(env, f"{where}.gain", x), None)
    check("after", lambda x: _claim_forced(env, f"{where}.after", x, chance=True), ())
    check("set", lambda x: _claim_set(env, f"{where}.set", x), ())
    check("not", lambda x: _bool(ctx, x, f"{where}.not"), False)

    def at_least(x):
        w = f"{where}.at_least"
        if "path" not in d:
            raise ctx.fail(w, "applies to 'path' conditions only", x)
        x = _number(ctx, x, w)
        if not 0 < x <= 1:
            raise ctx.fail(w, "must lie in (0, 1]", x)
        return x

    check("at_least", at_least, 1.0)
    if failed:
        raise _Skip
    return Condition(out["path"], out["gain"], out["after"], out["set"], out["not"], out["at_least"])


def _claim_mover(env: _Env, w: str, mover: str, *, chance: bool) -> str:
    """A move's name (a player's name standing for its only move is resolved)."""
    ctx = env.ctx
    if ("mover", mover) in ctx.broken:
        raise _Skip
    if mover in env.aliases:
        if not env.aliases[mover]:
            raise ctx.fail(w, f"{mover} moves more than once; name one of its moves", mover)
        mover = env.aliases[mover]
    known = {m for m in env.movers if chance or m not in env.chance}
    if mover not in known:
        ctx.need("mover", mover)
        what = "player or move" if chance else "player or decision move"
        raise ctx.fail(w, f"unknown {what}; known are {sorted(known)}", mover)
    return mover


def _nonempty_table(ctx, x, where):
    x = _table(ctx, x, where)
    if not x:
        raise ctx.fail(where, "must not be empty", x)
    return x


def _claim_path(env: _Env, where: str, x: Any) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for mover, allowed in x.items():
        w = f"{where}.{mover}"
        key = _claim_mover(env, w, mover, chance=True)
        names = _names(ctx, [allowed] if isinstance(allowed, str) else allowed, w, _ACTION, "action names")
        for a in names:
            if a not in env.movers[key]:
                raise ctx.fail(w, f"unknown action of {key}; actions are {list(env.movers[key])}", a)
        if any(k == key for k, _ in out):
            raise ctx.fail(w, "names the same move twice", mover)
        out.append((key, names))
    return tuple(out)


def _claim_forced(env: _Env, where: str, x: Any, *, chance: bool) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for mover, action in x.items():
        w = f"{where}.{mover}"
        key = _claim_mover(env, w, mover, chance=chance)
        if not isinstance(action, str):
            raise ctx.fail(w, "must be one action (or chance outcome) name", action)
        if action not in env.movers[key]:
            what = "outcome" if key in env.chance else "action"
            raise ctx.fail(w, f"unknown {what} of {key}; {what}s are {list(env.movers[key])}", action)
        if any(k == key for k, _ in out):
            raise ctx.fail(w, "names the same move twice", mover)
        out.append((key, action))
    return tuple(out)


def _claim_gain(env: _Env, where: str, x: Any) -> Gain:
    ctx = env.ctx
    x = _table(ctx, x, where)
    _complete(ctx, x, where, {"player", "over"}, set())
    player = _str(ctx, x["player"], f"{where}.player")
    if player not in env.players:
        ctx.need("player", player)
        raise ctx.fail(f"{where}.player", f"unknown player; players are {sorted(env.players)}", player)
    return Gain(player, _claim_forced(env, f"{where}.over", x["over"], chance=False))


def _claim_set(env: _Env, where: str, x: Any) -> tuple:
    ctx = env.ctx
    x = _nonempty_table(ctx, x, where)
    out = []
    for name, value in x.items():
        w = f"{where}.{name}"
        if name not in env.params:
            ctx.need("parameter", name)
            raise ctx.fail(w, f"unknown parameter; parameters are {sorted(env.params)}", name)
        v = _number(ctx, value, w)
        p = env.params[name]
        if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
            raise ctx.fail(w, f"must lie within the parameter's bounds [{p.min}, {p.max}]", v)
        out.append((name, v))
    return tuple(out)
