"""The one registry of methods: every name ``--method`` accepts, what it takes, and its options.

Each entry is a :class:`Method`: its name, its *kind* (what it accepts), its player count, where
its function lives (imported only when the method runs, so the command line starts fast), its
options with types and defaults, and a one-line summary. The command line (``bargain solve``,
its ``--help`` and ``--option``), the sweep's method check, the report and the README's methods
table all read this table; adding a method is one entry here plus its own module.

Kinds
-----
``game``
    A normal-form game: ``<method>_solve(game, **options) -> SolverResult``. A tree (an ``.efg``
    file or a sequential scenario) goes to it as its reduced normal form.
``tree``
    An extensive-form game, solved on the tree itself (``spe``, ``seqlcp``, ``seqenum``, ``pbe``).
``bargaining``
    A scenario with a ``[bargaining]`` table: ``<method>_solve(problem, **options)`` on the
    :class:`~sim.bargaining.BargainingProblem` the table describes.
``repeated``
    A stage game played repeatedly, with a discount factor (a scenario's ``[repeated]`` table or
    an explicit one).

Examples
--------
>>> from sim.game import NormalFormGame
>>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
>>> [e.pure_profile for e in solve(g, "enumpure").equilibria]
[(0, 0), (1, 1)]
>>> METHODS["logit"].kind, METHODS["logit"].players
('game', 'N')
>>> parse_options("logit", ["lambda=3"])
{'lam': 3.0}
>>> parse_options("logit", ["lamda=3"])
Traceback (most recent call last):
...
sim.errors.SolverError: method 'logit' has no option 'lamda'; its options: lambda, max_lambda, tol, first_step, max_accel
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from sim.errors import SolverError

#: What each kind of method accepts, in words (for ``--help``, errors and the README).
KINDS: Mapping[str, str] = {
    "game": "a normal-form game (a tree goes as its reduced normal form)",
    "tree": "an extensive-form game (an .efg file or a sequential scenario)",
    "bargaining": "a scenario with a [bargaining] table",
    "repeated": "a stage game with a discount factor (a scenario's [repeated] table or --discount)",
}

_BOOL_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@dataclass(frozen=True)
class Option:
    """One option of a method, as ``--option NAME=VALUE`` and the sweep file name it.

    ``param`` is the keyword the function takes when it differs from the option's name
    (``lambda`` is a Python keyword: logit's option ``lambda`` is its argument ``lam``).
    ``low``/``high`` bound numbers (``open_low``/``open_high`` exclude the bound itself);
    ``choices`` lists the allowed strings; a ``prefix`` choice ends in ``:`` and accepts any
    suffix (``player:<name>``); ``none`` allows the word ``none`` for "no value".
    """

    name: str
    type: type
    default: Any
    help: str
    param: str = ""
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple[str, ...] = ()
    none: bool = False

    @property
    def keyword(self) -> str:
        return self.param or self.name

    @property
    def type_name(self) -> str:
        name = {float: "number", int: "integer", str: "text", bool: "true/false"}[self.type]
        return f"{name} or none" if self.none else name

    def describe(self) -> str:
        """``lambda (number or none, default none): ...`` for help texts."""
        default = "none" if self.default is None else self.default
        rng = self._range_text()
        return f"{self.name} ({self.type_name}{', ' + rng if rng else ''}, default {default}): {self.help}"

    def _range_text(self) -> str:
        if self.choices:
            return "one of " + "|".join(c + "<...>" if c.endswith(":") else c for c in self.choices)
        if self.low is None and self.high is None:
            return ""
        lo = "" if self.low is None else f"{'(' if self.open_low else '['}{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}{')' if self.open_high else ']'}"
        if self.low is not None and self.high is not None:
            return f"in {lo}, {hi}"
        if self.low is not None:
            return f"{'>' if self.open_low else '>='} {self.low:g}"
        return f"{'<' if self.open_high else '<='} {self.high:g}"

    def parse(self, text: str, method: str) -> Any:
        """The value of ``text`` (as typed on the command line), checked."""
        raw = text.strip()
        if self.none and raw.lower() == "none":
            return None
        if self.type is bool:
            if raw.lower() not in _BOOL_WORDS:
                raise self._bad(method, text)
            return _BOOL_WORDS[raw.lower()]
        if self.type is int:
            try:
                value: Any = int(raw)
            except ValueError:
                raise self._bad(method, text) from None
        elif self.type is float:
            try:
                value = float(raw)
            except ValueError:
                raise self._bad(method, text) from None
        else:
            value = raw
        return self.check(value, method)

    def check(self, value: Any, method: str) -> Any:
        """``value`` (a Python value, e.g. from a sweep file) checked against type, range, choices."""
        if value is None:
            if self.none:
                return None
            raise self._bad(method, value)
        if self.type is bool:
            if not isinstance(value, bool):
                raise self._bad(method, value)
            return value
        if self.type in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self._bad(method, value)
            if self.type is int:
                if isinstance(value, float) and not value.is_integer():
                    raise self._bad(method, value)
                value = int(value)
            else:
                value = float(value)
                if not math.isfinite(value):
                    raise self._bad(method, value)
            if self.low is not None and (value < self.low or (self.open_low and value == self.low)):
                raise self._bad(method, value)
            if self.high is not None and (value > self.high or (self.open_high and value == self.high)):
                raise self._bad(method, value)
            return value
        if not isinstance(value, str):
            raise self._bad(method, value)
        if self.choices and not any((value.startswith(c) and len(value) > len(c)) if c.endswith(":") else value == c
                                    for c in self.choices):
            raise self._bad(method, value)
        return value

    def _bad(self, method: str, value) -> SolverError:
        article = {float: "a number", int: "an integer", str: "text", bool: "true or false"}[self.type]
        rng = self._range_text()
        want = article + (" or none" if self.none else "") + (f", {rng}" if rng else "")
        return SolverError(f"method {method!r}: option {self.name} must be {want}; got {value!r}")


@dataclass(frozen=True)
class Method:
    """A registered method: where it lives, what it accepts and its options."""

    name: str
    kind: str
    players: str  # "2" (two players only) or "N"
    module: str
    function: str
    summary: str
    options: tuple[Option, ...] = field(default=())
    #: Whether the method promises equilibria (not approximations, which say ``converged``):
    #: :func:`solve` then refuses any reported profile whose regret exceeds its tolerance.
    certified: bool = False

    def load(self) -> Callable:
        """The method's function (its module is imported now, not before)."""
        return getattr(importlib.import_module(self.module), self.function)

    def option(self, name: str) -> Option:
        for opt in self.options:
            if opt.name == name:
                return opt
        names = ", ".join(o.name for o in self.options) or "none"
        raise SolverError(f"method {self.name!r} has no option {name!r}; its options: {names}")

    @property
    def accepts(self) -> str:
        return KINDS[self.kind]


def _tol(default: float) -> Option:
    return Option("tol", float, default, "tolerance, relative to the game's payoff scale", low=0.0)


def _discount(help_: str) -> Option:
    return Option("discount", float, None, help_, low=0.0, high=1.0, open_low=True, open_high=True, none=True)


_METHODS = [
    Method("enumpure", "game", "N", "sim.solvers.pure", "enumpure_solve", "all pure Nash equilibria",
           (_tol(1e-9),
            Option("max_equilibria", int, None, "list at most this many (all are counted; complete is then false)",
                   low=0, none=True)), certified=True),
    Method("enummixed", "game", "2", "sim.solvers.mixed", "enummixed_solve",
           "all extreme mixed equilibria (vertex enumeration)",
           (_tol(1e-9),
            Option("vertices", str, "auto", "vertex enumeration route", choices=("auto", "lex", "hull", "bases")),
            Option("max_bases", int, 1_000_000, "refuse a degenerate game needing more bases (or lexicographic bases) than this", low=1)), certified=True),
    Method("lcp", "game", "2", "sim.solvers.mixed", "lcp_solve", "one equilibrium by Lemke-Howson, any starting label",
           (Option("start", int, 0, "the label dropped first (0 .. m+n-1)", low=0),
            Option("max_pivots", int, None, "stop after this many pivots", low=1, none=True),
            _tol(1e-9)), certified=True),
    Method("lp", "game", "2", "sim.solvers.zerosum", "lp_solve", "value and optimal strategies of a zero-sum game",
           (_tol(1e-9),), certified=True),
    Method("enumpoly", "game", "N", "sim.solvers.poly", "enumpoly_solve",
           "all isolated equilibria by support enumeration; continua reported with points on them",
           (_tol(1e-7),
            Option("seed", int, 0, "seed of the random start systems", low=0),
            Option("max_support_profiles", int, 100_000, "refuse a game with more support profiles than this",
                   low=1),
            Option("max_continua", int, 64, "stop tracing continua after this many components (complete is then false)",
                   low=1)), certified=True),
    Method("logit", "game", "N", "sim.solvers.logit", "logit_solve",
           "logit quantal response equilibrium, traced principal branch",
           (Option("lambda", float, None, "the QRE at this precision (payoff units); none traces to the Nash limit",
                   param="lam", low=0.0, none=True),
            Option("max_lambda", float, 1e10, "stop tracing past this precision", low=0.0, open_low=True),
            _tol(1e-8),
            Option("first_step", float, 0.03, "first arc-length step", low=0.0, open_low=True),
            Option("max_accel", float, 1.2, "largest step growth factor", low=1.0, open_low=True))),
    Method("correlated", "game", "N", "sim.solvers.correlated", "correlated_solve",
           "correlated equilibria by LP (welfare, per-player extremes, polytope vertices)",
           (Option("objective", str, "welfare", "what the LP optimises",
                   choices=("welfare", "min_welfare", "player:", "max:", "min:", "extremes", "vertices")),), certified=True),
    Method("dominance", "game", "N", "sim.solvers.dominance", "dominance_solve",
           "iterated elimination of strictly dominated strategies, mixed dominators by LP",
           (Option("mixed", bool, True, "let mixed strategies dominate"),
            Option("weak", bool, False, "eliminate weakly dominated strategies (order-dependent)"),
            _tol(1e-9)), certified=True),
    Method("replicator", "game", "N", "sim.solvers.dynamics", "replicator_solve",
           "replicator dynamics, with the trajectory",
           (Option("steps", int, 10_000, "integration steps", low=1),
            Option("dt", float, 0.01, "step length", low=0.0, open_low=True),
            Option("tol", float, 1e-10, "stop when the profile moves less than this", low=0.0),
            Option("record_every", int, None, "record every k-th step", low=1, none=True))),
    Method("fictitious_play", "game", "N", "sim.solvers.dynamics", "fictitious_play_solve",
           "fictitious play, with the trajectory",
           (Option("steps", int, 10_000, "rounds of play", low=1),
            Option("tol", float, 1e-3, "stop when the empirical profile's regret is below this", low=0.0),
            Option("record_every", int, None, "record every k-th round", low=1, none=True))),
    Method("spe", "tree", "N", "sim.extensive.spe", "spe_solve",
           "subgame-perfect equilibria of trees (backward induction; subgames composed bottom-up)",
           (_tol(1e-9),
            Option("max_equilibria", int, 10_000, "stop listing equilibria after this many", low=1)), certified=True),
    Method("seqlcp", "tree", "2", "sim.extensive.sequence", "seqlcp_solve",
           "one equilibrium of a two-player tree by Lemke's algorithm on its sequence form",
           (Option("max_pivots", int, None, "stop after this many pivots", low=1, none=True),
            _tol(1e-9)), certified=True),
    Method("seqenum", "tree", "2", "sim.extensive.sequence_enum", "seqenum_solve",
           "all extreme equilibria of a two-player tree by vertex enumeration on its sequence form",
           (_tol(1e-9),
            Option("max_bases", int, 1_000_000, "refuse a tree with more feasible bases per player than this",
                   low=1),
            Option("vertices", str, "lex", "vertex search", choices=("lex", "canonical"))), certified=True),
    Method("pbe", "tree", "N", "sim.extensive.pbe", "pbe_solve",
           "pure perfect Bayesian equilibria of small trees, beliefs, pooling/separating",
           (_tol(1e-9),
            Option("max_profiles", int, 50_000, "refuse a tree with more pure behaviour profiles than this",
                   low=1)), certified=True),
    Method("pbe_mixed", "tree", "N", "sim.extensive.signalling", "pbe_mixed_solve",
           "mixed and semi-separating PBE of two-stage signalling games: beliefs, consistency, intuitive criterion",
           (_tol(1e-9),
            Option("max_support_profiles", int, 200_000, "refuse a game with more support profiles than this",
                   low=1)), certified=True),
    Method("pbe_agent", "tree", "N", "sim.extensive.agent", "pbe_agent_solve",
           "mixed and semi-separating PBE of small trees (agent-form support enumeration), beliefs everywhere",
           (_tol(1e-7),
            Option("max_support_profiles", int, 100_000, "refuse a tree with more support profiles than this",
                   low=1))),
    Method("nash", "bargaining", "N", "sim.bargaining.axiomatic", "nash_solve",
           "Nash bargaining solution (with the scenario's bargaining powers)"),
    Method("kalai", "bargaining", "N", "sim.bargaining.axiomatic", "kalai_solve", "Kalai-Smorodinsky solution"),
    Method("egalitarian", "bargaining", "N", "sim.bargaining.axiomatic", "egalitarian_solve",
           "egalitarian (equal gains, weighted by the powers) solution"),
    Method("utilitarian", "bargaining", "N", "sim.bargaining.axiomatic", "utilitarian_solve", "utilitarian solution"),
    Method("rubinstein", "bargaining", "2", "sim.bargaining.rubinstein", "rubinstein_solve",
           "Rubinstein alternating offers, stationary subgame-perfect split",
           (_discount("both players' discount factor (default: the scenario's [repeated].discount, else 0.95)"),
            Option("first", int, 0, "the player who proposes first (0 or 1)", low=0, high=1))),
    Method("baron_ferejohn", "bargaining", "N", "sim.bargaining.baron_ferejohn", "baron_ferejohn_solve",
           "Baron-Ferejohn closed-rule legislative bargaining",
           (_discount("common discount factor (default: the scenario's [repeated].discount, else 0.95)"),
            Option("quota", int, None, "votes needed to pass a proposal (default: a simple majority)",
                   low=1, none=True))),
    Method("repeated", "repeated", "N", "sim.repeated", "repeated_analysis",
           "minmax values, the feasible and individually rational set, grim-trigger and minmax discount "
           "thresholds of cooperative targets",
           (_discount("discount factor (default: the scenario's [repeated].discount)"),)),
]

#: Every method by name, in the order the README and ``--help`` list them.
METHODS: Mapping[str, Method] = {m.name: m for m in _METHODS}

#: Tolerance of the final certification (relative to each player's payoff scale) for a method
#: that promises equilibria but has no ``tol`` option (``correlated``: LP solutions are feasible
#: to HiGHS's tolerance of 1e-7 per constraint, summed over recommendations).
CERTIFY_TOL = 1e-6

#: Bargaining solutions' default discount factor when neither an option nor the scenario gives one.
DEFAULT_BARGAINING_DISCOUNT = 0.95


def names(kind: str | Sequence[str] | None = None) -> list[str]:
    """Method names, all or those of one kind (or several)."""
    kinds = (kind,) if isinstance(kind, str) else kind
    return [m.name for m in _METHODS if kinds is None or m.kind in kinds]


def get(name: str) -> Method:
    """The method registered under ``name``, or a ``SolverError`` listing the names."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise SolverError(f"unknown method {name!r}; choose one of: {', '.join(METHODS)}") from None


def parse_options(method: str, assignments: Sequence[str]) -> dict[str, Any]:
    """``["NAME=VALUE", ...]`` (``--option``) as the keyword arguments of ``method``'s function.

    Each name must be one of the method's options and each value of its type and range; a name
    given twice is refused (the second would silently win).
    """
    spec = get(method)
    out: dict[str, Any] = {}
    seen: set[str] = set()
    for text in assignments:
        name, sep, value = text.partition("=")
        name = name.strip()
        if not sep or not name:
            raise SolverError(f"--option expects NAME=VALUE; got {text!r}")
        opt = spec.option(name)
        if name in seen:
            raise SolverError(f"method {method!r}: option {name} given twice")
        seen.add(name)
        out[opt.keyword] = opt.parse(value, method)
    return out


def check_options(method: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options given as Python values (e.g. from a sweep file), checked like ``--option``."""
    spec = get(method)
    out: dict[str, Any] = {}
    for name, value in options.items():
        opt = spec.option(name)
        out[opt.keyword] = opt.check(value, method)
    return out


def check_applicable(method: str, *, n_players: int, tree: bool, kinds: Sequence[str] = ("game", "tree")) -> Method:
    """The method, or a ``SolverError`` saying why it cannot run on this input.

    ``tree`` says whether the input is an extensive-form game; ``kinds`` are the kinds the
    caller can run (``bargain solve`` on a game file: game and tree methods; a sweep: the same).
    """
    spec = get(method)
    if spec.kind not in kinds:
        offered = ", ".join(names(kinds))
        raise SolverError(f"method {method!r} takes {spec.accepts}; here choose one of: {offered}")
    if spec.kind == "tree" and not tree:
        raise SolverError(f"method {method!r} needs an extensive-form game (.efg or sequential scenario); "
                          f"got a normal-form game")
    if spec.players == "2" and n_players != 2:
        raise SolverError(f"method {method!r} applies to 2-player games only; this game has {n_players} players")
    return spec


def get_solver(method: str) -> Callable:
    """The function registered under ``method``."""
    return get(method).load()


def solve(game, method: str, **options):
    """Solve ``game`` with the game or tree ``method``; ``options`` go to its function.

    An extensive-form game goes to tree methods as a tree and to every other method as its
    reduced normal form (profiles over reduced strategies).

    The final certification: for a method that promises equilibria (``Method.certified``), no
    profile whose measured regret exceeds ``tol`` times its player's payoff scale is reported
    (the method's ``tol``, :data:`CERTIFY_TOL` for one without); a refused profile is listed in
    ``details["rejected"]`` and the result is not ``complete``
    (:func:`sim.result.certify_result`). Approximate methods (``logit``, the dynamics) report
    their candidates with ``converged`` instead.
    """
    from sim.extensive.tree import ExtensiveFormGame  # light module: no heavy imports

    is_tree = isinstance(game, ExtensiveFormGame)
    spec = check_applicable(method, n_players=game.n_players, tree=is_tree)
    if is_tree and spec.kind != "tree":
        game = game.reduced_normal_form()
    try:
        result = spec.load()(game, **options)
    except SolverError as exc:
        if is_tree and method == "enummixed" and game.n_players == 2 and "seqenum" not in str(exc):
            # The reduced form multiplies a tree's plans; the sequence form does not.
            raise SolverError(f"{exc}. This is the reduced normal form ({'x'.join(map(str, game.shape))}) of a "
                              "two-player tree: solve(tree, 'seqenum') enumerates the tree's extreme "
                              "equilibria on its sequence form instead") from exc
        raise
    if not spec.certified:
        return result
    from sim.result import certify_result

    names_ = {o.name: o for o in spec.options}
    tol = options.get("tol", names_["tol"].default if "tol" in names_ else CERTIFY_TOL)
    return certify_result(result, tol)


#: Tree methods whose equilibria carry beliefs: only their results may report belief thresholds.
BELIEF_METHODS: tuple[str, ...] = ("pbe", "pbe_mixed", "pbe_agent")


def default_tree_method(tree) -> str:
    """The method a tree is solved with when none is named: ``spe`` for perfect information,
    ``pbe`` when some mover does not see an earlier move (private information, chance types).

    Where a mover is uncertain, subgame perfection leaves its beliefs free, and a threshold read
    off a subgame-perfect equilibrium can be one no consistent belief supports; perfect Bayesian
    equilibria carry the beliefs (Fudenberg and Tirole 1991, ch. 8).

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> entry = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)), Decision(1, "I", ("fight", "yield"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> R = Decision(1, "R", ("u", "d"), (Terminal((0.0, 1.0)), Terminal((0.0, 0.0))))
    >>> hidden = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (R, R)))
    >>> default_tree_method(entry), default_tree_method(hidden)
    ('spe', 'pbe')
    """
    from sim.extensive.tree import ExtensiveFormGame

    if not isinstance(tree, ExtensiveFormGame):
        raise SolverError(f"default_tree_method(): needs an extensive-form game; got {type(tree).__name__}")
    return "spe" if tree.perfect_information else "pbe"


def solve_tree_default(tree, **options):
    """Solve ``tree`` with :func:`default_tree_method`, falling back where that cannot run.

    For an imperfect-information tree: ``pbe`` (pure perfect Bayesian equilibria); where ``pbe``
    refuses the tree (too many pure profiles) or finds no pure equilibrium, ``pbe_agent`` (mixed
    and semi-separating ones, by agent-form support enumeration); where that refuses too, ``spe``,
    whose equilibria carry no beliefs. ``options`` go to the default method; a fallback gets only
    ``tol``. The result's ``details["method_choice"]`` says what was chosen and why:
    ``{"default": ..., "used": ..., "fallback": bool, "reason": ...}``.

    Examples
    --------
    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = lambda a, b: Decision(1, "R", ("u", "d"), (Terminal((0.0, a)), Terminal((0.0, b))))
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (
    ...     Decision(0, "t1", ("R",), (R(1.0, 0.0),)), Decision(0, "t2", ("R",), (R(0.0, 2.0),)))))
    >>> r = solve_tree_default(g)
    >>> r.method, r.details["method_choice"]["fallback"], r.equilibria[0].details["choices"]["R"]
    ('pbe', False, 'd')
    >>> solve_tree_default(g, max_profiles=1).details["method_choice"]["used"]
    'pbe_agent'
    """
    from dataclasses import replace

    from sim.errors import GameError

    default = default_tree_method(tree)
    if default == "spe":
        result = solve(tree, "spe", **options)
        return replace(result, details={**result.details, "method_choice": {
            "default": "spe", "used": "spe", "fallback": False,
            "reason": "perfect information: every mover sees every earlier move"}})
    light = {k: v for k, v in options.items() if k == "tol"}
    reasons = []
    try:
        result = solve(tree, "pbe", **options)
        if result.equilibria:
            return replace(result, details={**result.details, "method_choice": {
                "default": "pbe", "used": "pbe", "fallback": False,
                "reason": "imperfect information: some mover does not see an earlier move"}})
        reasons.append("pbe found no pure perfect Bayesian equilibrium")
    except SolverError as exc:
        reasons.append(f"pbe cannot run: {exc}")
    for method in ("pbe_agent", "spe"):
        try:
            result = solve(tree, method, **light)
        except (SolverError, GameError) as exc:
            reasons.append(f"{method} cannot run: {exc}")
            continue
        why = "; ".join(reasons) + (f"; so {method}" if method == "pbe_agent" else
                                    "; so spe, whose equilibria carry no beliefs")
        return replace(result, details={**result.details, "method_choice": {
            "default": "pbe", "used": method, "fallback": True, "reason": why}})
    raise SolverError("no tree method could solve this tree: " + "; ".join(reasons))


def beliefs_unavailable_reason(tree, result) -> str | None:
    """Why ``result`` may not report belief thresholds of ``tree``, or None when it may.

    Only the results of :data:`BELIEF_METHODS` carry beliefs; a tree where every mover sees
    everything has no threshold to report, whatever the method (None too).

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> R = Decision(1, "R", ("u", "d"), (Terminal((0.0, 1.0)), Terminal((0.0, 0.0))))
    >>> g = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("t1", "t2"), (0.5, 0.5), (R, R)))
    >>> beliefs_unavailable_reason(g, solve(g, "pbe")) is None
    True
    >>> beliefs_unavailable_reason(g, solve(g, "spe"))
    "spe's equilibria carry no beliefs; solve with pbe, pbe_mixed or pbe_agent for belief thresholds"
    """
    if result.method in BELIEF_METHODS or tree.perfect_information:
        return None
    return (f"{result.method}'s equilibria carry no beliefs; solve with "
            f"{', '.join(BELIEF_METHODS[:-1])} or {BELIEF_METHODS[-1]} for belief thresholds")


def methods_table() -> str:
    """The README's methods table (Markdown), generated from the registry."""
    rows = ["| method | what it computes | accepts | players | options |", "|---|---|---|---|---|"]
    for m in _METHODS:
        opts = ", ".join(f"`{o.name}`" for o in m.options) or "-"
        rows.append(f"| `{m.name}` | {m.summary} | {m.kind} | {m.players} | {opts} |")
    return "\n".join(rows)
