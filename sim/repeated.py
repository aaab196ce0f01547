"""Repeated play of a normal-form stage game: minmax values, the feasible and individually rational
payoffs, and the discount factors that sustain a target profile.

Axis conventions: the stage game's payoffs are ``(n_0, ..., n_{N-1}, N)`` (one axis per player's
own action, then the player axis), as in :mod:`sim.game`. Payoff vectors are ``(N,)`` arrays in
player order; a set of payoff vectors is ``(K, N)``.

The stage game is played in every period and payoffs are discounted with a common factor
``delta`` in ``(0, 1)``; payoffs are compared per period (normalised by ``1 - delta``).

* Minmax values: the lowest payoff the others can hold a player to when the player best-responds
  (Fudenberg and Tirole 1991, section 5.1.1). ``pure`` restricts the punishers to pure profiles;
  ``mixed`` lets them mix independently, computed exactly by linear programming for two players
  (one punisher); for more players independent mixing is not a linear program, so the
  ``correlated`` value (punishers correlate; a linear program) is given as a lower bound. Always
  ``correlated <= mixed <= pure``.
* Nash reversion (grim trigger; Friedman 1971): a pure profile ``a`` is sustained when, for every
  player ``i``, ``delta >= (T_i - R_i) / (T_i - P_i)`` with ``R_i = u_i(a)``, ``T_i`` the best
  one-shot deviation payoff and ``P_i`` the player's payoff in the stage equilibrium play reverts to.
* Minmax punishment (Fudenberg and Maskin 1986): the same bound with ``P_i`` replaced by the minmax
  value ``v_i``: ``delta >= g / (g + l)``, deviation gain ``g = T_i - R_i`` and per-period loss
  ``l = R_i - v_i``. This is the threshold for permanent minmax punishment (the Nash folk
  theorem); subgame perfection needs Fudenberg and Maskin's finite punishment phase followed by
  rewards for the punishers, which can need a larger ``delta``.
* :func:`repeated_analysis` puts these together for one stage game at one discount factor, with
  the default targets (every pure profile that Pareto-dominates a stage Nash equilibrium: the
  cooperation the folk theorem is about); :func:`repeated_from_scenario` reads the stage game and
  the discount factor from a scenario with a ``[repeated]`` table.

The geometry of the feasible set (hull, individually rational polygon, hull membership) is
:mod:`sim.geometry` and the minmax values are :mod:`sim.minmax`; :func:`ir_polygon`,
:func:`minmax_values` and :class:`MinmaxValues` are importable from here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.geometry import in_hull, ir_polygon
from sim.minmax import MinmaxValues, minmax_values

_TOL = 1e-9


def _check_game(game, func: str) -> NormalFormGame:
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): the stage game must be a NormalFormGame; got {type(game).__name__}")
    return game


# ----------------------------------------------------------------------------------------------
# feasible and individually rational payoffs


@dataclass(frozen=True, eq=False)
class FeasibleSet:
    """The feasible payoffs (convex hull of the pure payoff vectors) and the individually rational floor.

    Attributes
    ----------
    points : array (K, N)
        Every pure profile's payoff vector (the hull's generators), in profile order.
    minmax : MinmaxValues
    polygon : array (M, 2) or None
        For two players, the vertices of the feasible and individually rational set, in
        counter-clockwise order, ready to draw; ``None`` for more players.
    """

    points: np.ndarray
    minmax: MinmaxValues
    polygon: np.ndarray | None

    @property
    def nonempty(self) -> bool:
        """Whether some feasible payoff vector gives every player at least its minmax value."""
        if self.polygon is not None:
            return len(self.polygon) > 0
        return in_hull(self.points, self.minmax.values, dominate=True)


def feasible_ir_set(game: NormalFormGame, minmax: MinmaxValues | None = None) -> FeasibleSet:
    """Feasible and individually rational payoffs of a stage game (the folk theorem's set).

    Feasible payoffs are the convex hull of the pure payoff vectors (public randomisation);
    individually rational means at least the minmax value (``minmax_values(game)`` unless given).

    Examples
    --------
    Prisoner's dilemma: minmax (1, 1); the set is the quadrilateral below.

    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> feasible_ir_set(pd).polygon.round(3).tolist()
    [[1.0, 1.0], [4.333, 1.0], [3.0, 3.0], [1.0, 4.333]]
    """
    game = _check_game(game, "feasible_ir_set")
    minmax = minmax_values(game) if minmax is None else minmax
    points = game.payoffs.reshape(-1, game.n_players)
    polygon = ir_polygon(points, minmax.values) if game.n_players == 2 else None
    return FeasibleSet(readonly(points), minmax, None if polygon is None else readonly(polygon))


# ----------------------------------------------------------------------------------------------
# discount thresholds


@dataclass(frozen=True, eq=False)
class Sustainability:
    """Whether, and from which discount factor on, a target pure profile is sustained.

    Attributes
    ----------
    rule : str
        ``"nash_reversion"`` or ``"minmax"``.
    target : tuple of int
        Action indices of the target profile.
    payoffs : array (N,)
        ``R_i``, the target's stage payoffs.
    deviation_payoffs : array (N,)
        ``T_i``, each player's best one-shot deviation payoff (``R_i`` when no deviation gains).
    punishment_payoffs : array (N,)
        ``P_i``, the per-period payoff after a deviation by player ``i``.
    reversion : tuple
        For Nash reversion, the stage equilibrium reverted to after each player's deviation (a
        tuple of mixed profiles); for minmax, the minmax punishments.
    thresholds : array (N,)
        Each player's smallest sustaining discount factor: 0 when no deviation gains, ``inf``
        when the punishment is no worse than the target (the target cannot be sustained).
    threshold : float
        The largest of ``thresholds``: the profile is sustained for ``threshold <= delta < 1``.
    """

    rule: str
    target: tuple[int, ...]
    payoffs: np.ndarray
    deviation_payoffs: np.ndarray
    punishment_payoffs: np.ndarray
    reversion: tuple
    thresholds: np.ndarray
    threshold: float

    @property
    def sustainable(self) -> bool:
        """Whether some discount factor below 1 sustains the target."""
        return self.threshold < 1.0

    def sustained_at(self, delta: float) -> bool:
        """Whether the target is sustained at discount factor ``delta``."""
        return self.threshold <= delta < 1.0


def _target(game: NormalFormGame, target, func: str) -> tuple[int, ...]:
    if len(target) != game.n_players:
        raise SolverError(f"{func}(): target needs one action per player ({game.n_players}); got {list(target)}")
    try:
        return tuple(game.action_index(i, a) for i, a in enumerate(target))
    except ValueError as exc:
        raise SolverError(f"{func}(): bad target action: {exc}") from None


def _deviation(game: NormalFormGame, a: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    r = game.payoffs[a].copy()
    t = np.empty(game.n_players)
    for i in range(game.n_players):
        idx = list(a)
        idx[i] = slice(None)
        t[i] = max(float(game.payoffs[tuple(idx) + (i,)].max()), float(r[i]))
    return r, t


def _thresholds(r: np.ndarray, t: np.ndarray, p: np.ndarray, scale: float) -> np.ndarray:
    out = np.empty(len(r))
    for i in range(len(r)):
        gain, loss = t[i] - r[i], r[i] - p[i]
        if gain <= _TOL * scale:
            out[i] = 0.0  # no profitable deviation: sustained for every delta
        elif loss <= _TOL * scale:
            out[i] = np.inf  # punishment is no worse than the target: nothing deters the deviation
        else:
            out[i] = gain / (gain + loss)  # = (T - R) / (T - P)
    return out


def _worst_reversion(game: NormalFormGame, eqs) -> tuple[list, np.ndarray]:
    """For each player, the stage equilibrium of ``eqs`` worst for it (the harshest Nash
    reversion after its deviation), and that payoff."""
    reverts, p = [], np.empty(game.n_players)
    for i in range(game.n_players):
        worst = min(eqs, key=lambda e: float(e.payoffs[i]))
        reverts.append(worst.profile)
        p[i] = float(worst.payoffs[i])
    return reverts, p


def grim_trigger_threshold(game: NormalFormGame, target: Sequence, reversion=None) -> Sustainability:
    """Smallest discount factor sustaining a pure profile under Nash reversion (grim trigger).

    Every player plays ``target`` until someone deviates; after player ``i`` deviates, play reverts
    forever to a stage Nash equilibrium (Friedman 1971). Player ``i`` keeps to the target iff
    ``R_i >= (1 - delta) T_i + delta P_i``, that is ``delta >= (T_i - R_i) / (T_i - P_i)``.

    Parameters
    ----------
    game : NormalFormGame
        The stage game.
    target : sequence
        One action (index or name) per player.
    reversion : mixed profile, optional
        The stage equilibrium to revert to after any deviation (checked: its max regret must be
        within ``1e-7`` of the payoff scale). By default, after player ``i``'s deviation play
        reverts to the pure stage equilibrium worst for ``i`` (reverting to any stage
        equilibrium is subgame perfect, so the harshest one gives the smallest threshold).

    Returns
    -------
    Sustainability

    Raises
    ------
    SolverError
        When the stage game has no pure equilibrium and no ``reversion`` is given, or the given
        ``reversion`` is not an equilibrium.

    Examples
    --------
    Prisoner's dilemma with T=5, R=3, P=1: (T-R)/(T-P) = 1/2.

    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> grim_trigger_threshold(pd, (0, 0)).threshold
    0.5
    """
    func = "grim_trigger_threshold"
    game = _check_game(game, func)
    a = _target(game, target, func)
    r, t = _deviation(game, a)
    if reversion is None:
        from sim.solvers.pure import enumpure_solve

        eqs = enumpure_solve(game).equilibria
        if not eqs:
            raise SolverError(f"{func}(): the stage game has no pure Nash equilibrium to revert to; "
                              "pass reversion= (a mixed stage equilibrium)")
        reverts, p = _worst_reversion(game, eqs)
    else:
        profile = game.check_profile(reversion)
        regret = game.max_regret(profile)
        if regret > 1e-7 * game.payoff_scale:
            raise SolverError(f"{func}(): reversion must be a stage Nash equilibrium; its max regret is {regret}")
        p = game.expected_payoffs(profile)
        reverts = [tuple(readonly(s) for s in profile)] * game.n_players
    th = _thresholds(r, t, p, game.payoff_scale)
    return Sustainability("nash_reversion", a, readonly(r), readonly(t), readonly(p), tuple(reverts),
                          readonly(th), float(th.max()))


def minmax_threshold(game: NormalFormGame, target: Sequence, minmax: MinmaxValues | None = None) -> Sustainability:
    """Smallest discount factor sustaining a pure profile when a deviator is minmaxed forever.

    ``delta >= g / (g + l)`` with deviation gain ``g = T_i - R_i`` and per-period loss
    ``l = R_i - v_i`` against the minmax value ``v_i`` (Fudenberg and Maskin 1986). This is the
    Nash folk theorem's threshold; see the module notes on subgame perfection.

    Parameters
    ----------
    game : NormalFormGame
    target : sequence
        One action (index or name) per player.
    minmax : MinmaxValues, optional
        Default ``minmax_values(game)`` (mixed for two players, correlated bound for more, which
        makes the threshold a lower bound there; pass ``minmax_values(game, "pure")`` for a
        punishment that is certainly available).

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> minmax_threshold(pd, ("1", "1")).threshold
    0.5
    """
    func = "minmax_threshold"
    game = _check_game(game, func)
    a = _target(game, target, func)
    minmax = minmax_values(game) if minmax is None else minmax
    r, t = _deviation(game, a)
    p = np.asarray(minmax.values, dtype=float)
    th = _thresholds(r, t, p, game.payoff_scale)
    return Sustainability("minmax", a, readonly(r), readonly(t), readonly(p), tuple(minmax.punishments),
                          readonly(th), float(th.max()))


# ----------------------------------------------------------------------------------------------
# the whole analysis of one stage game at one discount factor


@dataclass(frozen=True, eq=False)
class TargetThresholds:
    """The discount thresholds of one target pure profile.

    Attributes
    ----------
    target : tuple of int
        Action indices of the target profile.
    source : str
        ``"pareto"`` (a default target: it Pareto-dominates a stage equilibrium) or ``"given"``.
    dominates : tuple of int
        Indices (into :attr:`RepeatedAnalysis.stage_equilibria`) of the stage equilibria it
        Pareto-dominates.
    grim : Sustainability or None
        Nash reversion to the worst stage equilibrium for each deviator; ``None`` when the stage
        game has no equilibrium found to revert to.
    minmax : Sustainability
        Permanent minmax punishment with :attr:`RepeatedAnalysis.minmax` (mixed for two players).
    pure_minmax : Sustainability
        The same with pure punishments (always available to the punishers).
    """

    target: tuple[int, ...]
    source: str
    dominates: tuple[int, ...]
    grim: Sustainability | None
    minmax: Sustainability
    pure_minmax: Sustainability


@dataclass(frozen=True, eq=False)
class RepeatedAnalysis:
    """Minmax values, the feasible and individually rational set and the targets' thresholds.

    Attributes
    ----------
    game : NormalFormGame
        The stage game.
    discount : float
        The discount factor the targets are judged at.
    stage_equilibria : tuple of Equilibrium
        The pure stage Nash equilibria (or, when there are none, the mixed ones found:
        ``stage_equilibria_kind`` says which).
    stage_equilibria_kind : str
        ``"pure"``, ``"mixed"`` or ``"none"``.
    minmax : MinmaxValues
        ``minmax_values(game)``: mixed (exact) for two players, the correlated bound for more.
    pure_minmax : MinmaxValues
    feasible : FeasibleSet
    targets : tuple of TargetThresholds
    """

    game: NormalFormGame
    discount: float
    stage_equilibria: tuple
    stage_equilibria_kind: str
    minmax: MinmaxValues
    pure_minmax: MinmaxValues
    feasible: FeasibleSet
    targets: tuple

    def to_dict(self) -> dict:
        """Stable JSON-ready form naming players and actions (non-finite numbers become ``None``)."""
        g = self.game
        pl = list(g.players)

        def named(vec):
            return {p: _num(x) for p, x in zip(pl, vec)}

        def pure_profile(a):
            return {p: g.actions[i][k] for i, (p, k) in enumerate(zip(pl, a))}

        def punishment(i, pun, kind):
            others = [j for j in range(g.n_players) if j != i]
            if kind == "pure":
                return {"profile": {pl[j]: g.actions[j][a] for j, a in zip(others, pun)}}
            z = np.asarray(pun, dtype=float)
            if len(others) == 1:
                j = others[0]
                return {"profile": {pl[j]: {a: float(x) for a, x in zip(g.actions[j], z.reshape(-1))}}}
            # Correlated punishment: the joint distribution over the punishers' profiles.
            return {"distribution": [
                {"profile": {pl[j]: g.actions[j][a] for j, a in zip(others, idx)}, "probability": float(z[idx])}
                for idx in np.ndindex(*z.shape) if z[idx] > 1e-12]}

        def minmax_doc(m):
            return {"kind": m.kind, "exact": bool(m.exact), "values": named(m.values),
                    "punishments": {pl[i]: punishment(i, m.punishments[i], m.kind) for i in range(g.n_players)}}

        def sustain(s):
            if s is None:
                return None
            return {"threshold": _num(s.threshold), "sustainable": bool(s.sustainable),
                    "sustained": bool(s.sustained_at(self.discount)), "thresholds": named(s.thresholds),
                    "deviation_payoffs": named(s.deviation_payoffs), "punishment_payoffs": named(s.punishment_payoffs)}

        poly = self.feasible.polygon
        return {
            "discount": self.discount,
            "stage_equilibria": {"kind": self.stage_equilibria_kind,
                                 "equilibria": [e.to_dict(g) for e in self.stage_equilibria]},
            "minmax": {"pure": minmax_doc(self.pure_minmax), "mixed": minmax_doc(self.minmax)},
            "feasible_ir": {"nonempty": bool(self.feasible.nonempty),
                            "vertices": None if poly is None else [named(v) for v in poly]},
            "targets": [{"profile": pure_profile(t.target), "source": t.source,
                         "dominates": list(t.dominates), "payoffs": named(t.minmax.payoffs),
                         "grim_trigger": sustain(t.grim), "minmax": sustain(t.minmax),
                         "pure_minmax": sustain(t.pure_minmax)} for t in self.targets],
        }


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _stage_equilibria(game: NormalFormGame, func: str) -> tuple[tuple, str]:
    """Pure stage equilibria; when there are none, the mixed ones (enummixed for two players,
    enumpoly for more; :func:`sim.solvers.stage.stage_equilibria`) so Nash reversion still has
    somewhere to revert to. A game with no equilibrium found because the mixed search was refused
    is an error: every finite game has one (Nash 1951)."""
    from sim.solvers.stage import stage_equilibria

    found = stage_equilibria(game, mixed="if_no_pure")
    if not found.equilibria and not found.complete:
        raise SolverError(f"{func}(): the stage game has no pure Nash equilibrium and its mixed ones could not be "
                          f"enumerated: {found.reason}")
    return found.equilibria, found.kind


def _reversion_threshold(game: NormalFormGame, a: tuple[int, ...], eqs) -> Sustainability:
    r, t = _deviation(game, a)
    reverts, p = _worst_reversion(game, eqs)
    th = _thresholds(r, t, p, game.payoff_scale)
    return Sustainability("nash_reversion", a, readonly(r), readonly(t), readonly(p), tuple(reverts),
                          readonly(th), float(th.max()))


def pareto_targets(game: NormalFormGame, equilibria) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every pure profile that Pareto-dominates some of ``equilibria`` (at least as good for every
    player, better for one, beyond round-off), with the indices of those it dominates.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.solvers.pure import enumpure_solve
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> pareto_targets(pd, enumpure_solve(pd).equilibria)
    [((0, 0), (0,))]
    """
    tol = 1e-9 * game.payoff_scale
    out = []
    for a in np.ndindex(*game.shape):
        u = game.payoffs[a]
        dom = tuple(k for k, e in enumerate(equilibria)
                    if np.all(u >= np.asarray(e.payoffs) - tol) and np.any(u > np.asarray(e.payoffs) + tol))
        if dom:
            out.append((tuple(int(x) for x in a), dom))
    return out


def repeated_analysis(game: NormalFormGame, discount: float, targets: Sequence[Sequence] = (),
                      pareto: bool = True) -> RepeatedAnalysis:
    """Everything the folk theorem asks of a stage game at one discount factor.

    Parameters
    ----------
    game : NormalFormGame
        The stage game.
    discount : float
        Common discount factor, strictly between 0 and 1.
    targets : sequence of profiles
        Extra target pure profiles (one action, index or name, per player).
    pareto : bool
        Also take every pure profile that Pareto-dominates a stage equilibrium as a target
        (default), in profile order before the given ones; a profile is listed once.

    Returns
    -------
    RepeatedAnalysis

    Raises
    ------
    SolverError
        For a discount factor outside ``(0, 1)`` or a malformed target.

    Notes
    -----
    Grim trigger reverts to the stage equilibrium worst for the deviator (Friedman 1971); minmax
    punishment is the Nash folk theorem's bound (Fudenberg and Maskin 1986), see the module notes.

    Examples
    --------
    The prisoner's dilemma of :func:`grim_trigger_threshold`: cooperation needs ``delta >= 1/2``.

    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> an = repeated_analysis(pd, 0.6)
    >>> [(t.target, t.grim.threshold, t.grim.sustained_at(0.6)) for t in an.targets]
    [((0, 0), 0.5, True)]
    """
    func = "repeated_analysis"
    game = _check_game(game, func)
    try:
        delta = float(discount)
    except (TypeError, ValueError):
        raise SolverError(f"{func}(): discount must be a number strictly between 0 and 1; got {discount!r}") from None
    if not 0.0 < delta < 1.0:
        raise SolverError(f"{func}(): discount must lie strictly between 0 and 1; got {discount!r}")
    eqs, kind = _stage_equilibria(game, func)
    mm = minmax_values(game)
    pure = minmax_values(game, "pure")
    feasible = feasible_ir_set(game, mm)
    wanted: dict[tuple[int, ...], tuple[str, tuple[int, ...]]] = {}
    if pareto:
        for a, dom in pareto_targets(game, eqs):
            wanted[a] = ("pareto", dom)
    for t in targets:
        a = _target(game, t, func)
        wanted.setdefault(a, ("given", ()))
    rows = []
    for a, (source, dom) in wanted.items():
        grim = _reversion_threshold(game, a, eqs) if eqs else None
        rows.append(TargetThresholds(a, source, dom, grim, minmax_threshold(game, a, mm),
                                     minmax_threshold(game, a, pure)))
    return RepeatedAnalysis(game, delta, eqs, kind, mm, pure, feasible, tuple(rows))


def scenario_discount(scenario, overrides: Mapping[str, float] | None = None,
                      discount: float | None = None) -> tuple[float, str]:
    """The discount factor of a scenario at a parameter point, and where it came from.

    ``discount`` when given, else the scenario's ``[repeated].discount``: a number, or the name of
    a parameter read at the point ``overrides`` (defaults elsewhere). The value must lie strictly
    between 0 and 1 wherever it came from (the file's own value is checked when it is loaded, but
    a parameter's range or a scenario built in code may allow 0, 1 or NaN).

    Parameters
    ----------
    scenario : Scenario
    overrides : mapping, optional
        Parameter values replacing the defaults.
    discount : float, optional
        A discount factor given directly (the command line's ``--discount``).

    Returns
    -------
    value : float
    source : str
        ``"--discount"`` for a given value, ``"[repeated].discount = NAME"`` for a parameter,
        ``"[repeated].discount"`` for a number in the table.

    Raises
    ------
    SolverError
        When the scenario has no ``[repeated]`` table and no ``discount`` is given, or the given
        ``discount`` is not strictly between 0 and 1.
    ScenarioError
        When the table's value (``field`` ``repeated.discount``) is not strictly between 0 and 1 at
        this point.

    Examples
    --------
    >>> from pathlib import Path
    >>> from sim.scenario import load_scenario
    >>> v1 = Path(__file__).resolve().parents[1] / "tests" / "data" / "scenarios-v1"  # the first version
    >>> s = load_scenario(v1 / "precedent-2002.toml")
    >>> scenario_discount(s), scenario_discount(s, {"delta": 0.9}), scenario_discount(s, discount=0.5)
    ((0.8, '[repeated].discount = delta'), (0.9, '[repeated].discount = delta'), (0.5, '--discount'))
    """
    from sim.errors import ScenarioError

    where = scenario.path or scenario.id
    if discount is not None:
        try:
            value = float(discount)
        except (TypeError, ValueError):
            value = float("nan")
        if not 0.0 < value < 1.0:
            raise SolverError(f"{where}: the discount factor must lie strictly between 0 and 1; got {discount!r}")
        return value, "--discount"
    if scenario.repeated is None:
        raise SolverError(f"{where}: scenario has no [repeated] table and no discount factor was given")
    dv = scenario.repeated.discount
    if isinstance(dv, str):
        from sim.scenario import compile_scenario

        compiled = compile_scenario(scenario)
        value = float(dict(zip(compiled.parameter_names, compiled.point(overrides).tolist()))[dv])
        source, what = f"[repeated].discount = {dv}", f"is parameter {dv!r}, which "
    else:
        value, source, what = float(dv), "[repeated].discount", ""
    if not 0.0 < value < 1.0:
        raise ScenarioError(f"{what}must lie strictly between 0 and 1 (got {value})", path=scenario.path,
                            field="repeated.discount")
    return value, source


def repeated_from_scenario(scenario, overrides: Mapping[str, float] | None = None, discount: float | None = None,
                           targets: Sequence[Sequence] = ()) -> RepeatedAnalysis:
    """:func:`repeated_analysis` of a scenario's stage game at a parameter point.

    The stage game is the scenario's game with ``overrides`` applied (the reduced normal form for
    a sequential timing); the discount factor is :func:`scenario_discount`'s: ``discount`` when
    given, else the scenario's ``[repeated].discount`` (a number or a parameter, read at the same
    point).

    Raises
    ------
    SolverError, ScenarioError
        When the scenario has no ``[repeated]`` table and no ``discount`` is given, or the
        discount factor at this point is not strictly between 0 and 1 (see
        :func:`scenario_discount`).
    """
    from sim.scenario import compile_scenario

    game = compile_scenario(scenario).normal_form(overrides)
    delta, _ = scenario_discount(scenario, overrides, discount)
    return repeated_analysis(game, delta, targets)


__all__ = [
    "FeasibleSet", "MinmaxValues", "RepeatedAnalysis", "Sustainability", "TargetThresholds", "feasible_ir_set",
    "grim_trigger_threshold", "ir_polygon", "minmax_threshold", "minmax_values", "pareto_targets",
    "repeated_analysis", "repeated_from_scenario", "scenario_discount",
]

