"""Warnings an analyst needs before trusting a scenario: inert goals, knife edges, loose ends.

A *lint* never refuses a scenario (the loader does that); it points at what is valid but
probably not what the modeller meant. Each rule is one function in the table :data:`RULES` and
returns frozen :class:`LintWarning` records that name the file, the goal or parameter and what
to do. Scenario rules see one scenario; folder rules see every scenario of one folder.

Inert goals and parameters
--------------------------
A goal is *inert* when it cannot change any equilibrium anywhere in the parameter box. Two
ways decide it, and every warning says which one did:

* **exact** - the goal's contribution to its owner's payoff, read off its own compiled
  indicator tensor (``compile_scenario`` of the scenario with that goal alone), is constant
  along the owner's own action axis for every profile of the others, term by term (so for every
  parameter value). It then adds a constant to each of the owner's rows and changes no best
  response, pure or mixed. For a sequential timing the contribution must be constant over the
  terminal histories below each of the owner's decision nodes, so independent of all its moves
  (however many it has) and of every later move (whichever moves happen, for a timing with
  ``when`` conditions): it is then a constant in every subgame where the owner moves, and in
  expectation at each of its information sets.
* **sampled** - otherwise the solvers decide over a sample of the box: the defaults at full
  strength first, then the corners of the box (those of the goal's own parameters with the
  others at their defaults, then those of the whole box, at full strength; a seeded choice of
  them when there are too many), then a seeded scrambled Sobol sample (Sobol 1967; Owen 1998)
  in which half the points move only the goal's parameters and half move every parameter, each
  point with a strength ``s`` in (0, 1] for the goal. The choices of ``rest + s * goal`` are
  compared with those of ``rest`` (the scenario without the goal): for a simultaneous timing the
  owner's best responses to every pure profile of the others (by the one tie rule,
  :func:`sim.solvers.pure.pure_equilibrium_mask`), so also every pure equilibrium; for a
  sequential one the equilibria of the tree's default solve
  (:func:`sim.registry.default_tree_method`). A perfect-information tree: the subgame-perfect
  equilibria (``spe``), at every point at once by batched backward induction
  (:func:`sim.extensive.spe.spe_batch`; points where it ties are listed by ``spe_solve``). A
  tree with imperfect information: the pure perfect Bayesian equilibria (``pbe``), at every
  point at once (:func:`sim.extensive.pbe_batch.pbe_batch`), so that lint and the default solve
  judge alike (a goal that only changes what some belief can justify off the path changes the
  ``pbe`` set and not the ``spe`` one); where no pure one exists with or without the goal, the
  warning says at how many points. Either way exactly ``sample`` points are used, as for a
  simultaneous timing (:data:`DEFAULT_SAMPLE` by default); only a tree with more pure profiles
  than ``pbe`` enumerates falls back to one ``spe_solve`` per point, at most
  :data:`TREE_SAMPLE`, and its warnings say so. Comparing best responses rather than only the
  pure equilibria matters: removing a player's only goal leaves it indifferent, and in a
  coordination game the pure equilibria are then the same. No change at any point is evidence,
  not proof, and is reported as such: ``no change found at N sampled points (not a proof)``.

A parameter is inert when moving it over its range (a grid of values, the others at their
defaults, at corners of the box and at sampled values) changes no player's best response (no subgame-perfect
equilibrium for a sequential timing); exactly so when every term it enters is
constant along each player's own axis (and it sets no chance probability). Parameters carried
only by inert goals are named in the goals' warnings rather than warned about again.

Examples
--------
>>> from sim.scenario import loads_scenario
>>> report = lint_scenario(loads_scenario(MATCHING_TOY), sample=16)
>>> [(w.rule, w.subject, w.how) for w in report.warnings]
[('inert-goal', 'goal A.likes_b_to_match', "exact: independent of A's own action")]
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from sim.scenario import Scenario, compile_scenario, load_scenario
from sim.scenario.schema import REST, ChanceMove, Goal, Rule, Scaled

#: Points of the sampled test (exactly this many, for every timing, but see :data:`TREE_SAMPLE`).
DEFAULT_SAMPLE = 512
#: At most this many points for an imperfect-information tree with more pure profiles than
#: ``pbe_batch`` enumerates (each point is then one ``spe_solve``).
TREE_SAMPLE = 16
#: Ties: a deviation within this share of the game's payoff scale counts as indifference.
TIE_TOL = 1e-9

#: A two-player toy: A's second goal rewards B for playing ``b``, which A cannot change.
MATCHING_TOY = '''
[scenario]
id = "toy"
title = "A goal that cannot move its owner"
timing = "simultaneous"
[parameters]
w = { default = 1.0, min = 0.0, max = 3.0 }
[players.A]
actions = ["a", "b"]
[players.B]
actions = ["a", "b"]
[[goals]]
player = "A"
name = "match"
weight = 1.0
rules = [{ when = { A = "a", B = "a" }, value = 2.0 }, { when = { A = "b", B = "b" }, value = 1.0 }]
[[goals]]
player = "A"
name = "likes_b_to_match"
weight = "w"
rules = [{ when = { B = "a" }, value = 1.0 }]
[[goals]]
player = "B"
name = "prefers_a"
weight = 1.0
rules = [{ when = { B = "a" }, value = 1.0 }]
'''


# ----- records ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class LintWarning:
    """One warning: which rule, which file and subject, what is wrong, how decided, what to do."""

    rule: str
    path: str
    subject: str
    message: str
    advice: str
    how: str = ""

    def to_dict(self) -> dict:
        return {"rule": self.rule, "path": self.path, "subject": self.subject, "message": self.message,
                "how": self.how, "advice": self.advice}

    def format(self) -> str:
        how = f" ({self.how})" if self.how else ""
        return f"{self.path or '(scenario)'}: {self.rule}: {self.subject}: {self.message}{how}. {self.advice}"


@dataclass(frozen=True)
class LintReport:
    """The warnings of one scenario file."""

    path: str
    scenario_id: str
    warnings: tuple[LintWarning, ...] = ()

    def to_dict(self) -> dict:
        return {"path": self.path, "scenario": self.scenario_id, "warnings": [w.to_dict() for w in self.warnings]}


@dataclass(frozen=True)
class InertDecision:
    """Whether a goal or parameter can change an equilibrium, and how that was decided.

    ``method`` is ``"exact"`` or ``"sampled"``; ``points`` the points compared (0 when exact);
    ``reason`` what the exact test proved, or for a sampled one any limit on its points.
    """

    inert: bool
    method: str
    points: int = 0
    reason: str = ""

    @property
    def how(self) -> str:
        if self.method == "exact":
            return f"exact: {self.reason}"
        note = f"; {self.reason}" if self.reason else ""
        if self.inert:
            return f"sampled: no change found at {self.points} sampled points (not a proof{note})"
        return f"sampled: a change found among {self.points} sampled points" + (f" ({self.reason})" if self.reason else "")


@dataclass(frozen=True)
class LintRule:
    """An entry of :data:`RULES`: ``check(context)`` for a scenario rule, ``check(scenarios)`` for a
    folder rule (the scenarios of one folder)."""

    name: str
    scope: str  # "scenario" or "folder"
    check: Callable
    summary: str


@dataclass(frozen=True, eq=False)
class _Context:
    scenario: Scenario
    compiled: object  # CompiledScenario
    path: str
    sample: int
    seed: int
    cache: dict = field(default_factory=dict)


# ----- the exact test --------------------------------------------------------------------------
def _own_moves(scenario: Scenario, player: str) -> list[int]:
    """Indices in the timing of ``player``'s moves."""
    return [k for k, m in enumerate(scenario.timing) if getattr(m, "player", None) == player]


def _outcome_moves(compiled) -> np.ndarray:
    """``(n_outcomes, M)``: each outcome's label index per move of a sequential timing (``-1`` where
    the move did not happen), outcomes in the order of the compiled tensor."""
    if compiled.histories is not None:
        return np.asarray(compiled.histories)
    shape = compiled.outcome_shape
    return np.indices(shape).reshape(len(shape), -1).T


def _constant_along(tensor_rows: np.ndarray, axes: tuple[int, ...]) -> bool:
    """Every row (R, a_0, ..., a_{M-1}) is constant along ``axes`` (offset by the row axis)."""
    if tensor_rows.shape[0] == 0:
        return True
    axes = tuple(a + 1 for a in axes)
    spread = tensor_rows.max(axis=axes) - tensor_rows.min(axis=axes)
    scale = max(1.0, float(np.abs(tensor_rows).max()))
    return bool(np.all(spread <= 1e-12 * scale))


def _constant_given_prefix(rows: np.ndarray, moves: np.ndarray, k: int) -> bool:
    """Every row of ``rows`` (R, n_outcomes) is a function of the outcomes' first ``k`` moves alone:
    constant over the outcomes that agree on moves ``0..k-1`` (``moves`` from :func:`_outcome_moves`)."""
    if rows.shape[0] == 0:
        return True
    _, group = np.unique(moves[:, :k], axis=0, return_inverse=True)
    group = np.asarray(group).reshape(-1)
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0])
    ordered = rows[:, order]
    spread = np.maximum.reduceat(ordered, starts, axis=1) - np.minimum.reduceat(ordered, starts, axis=1)
    scale = max(1.0, float(np.abs(rows).max()))
    return bool(np.all(spread <= 1e-12 * scale))


def _independent_of_choices(compiled, rows: np.ndarray, player: str) -> bool:
    """Whether payoff terms ``rows`` (R, outcome axes...) of ``player`` cannot change its choices:
    constant along its own action axis (simultaneous), or constant over the terminal histories
    below each of its decision nodes (sequential): for each of its moves ``j``, over the histories
    where move ``j`` happens and that agree on the moves before it. Such a term is a constant in
    every subgame where the player moves, whatever moves it has and whichever moves happen only
    under conditions."""
    if not compiled.sequential:
        return _constant_along(rows, (compiled.movers.index(player),))
    flat = rows.reshape(rows.shape[0], -1)
    moves = _outcome_moves(compiled)
    for j in _own_moves(compiled.scenario, player):
        here = moves[:, j] >= 0
        if not _constant_given_prefix(flat[:, here], moves[here], j):
            return False
    return True


def _tensor(compiled) -> np.ndarray:
    return np.asarray(compiled.tensor).reshape(compiled.tensor.shape[0], *compiled.outcome_shape,
                                               len(compiled.players))


def goal_is_exactly_inert(scenario: Scenario, goal) -> bool:
    """True when ``goal`` adds to its owner's payoff only terms constant along the owner's own
    action axis (for a sequential timing: terms constant below each of the owner's decision nodes,
    so independent of all its moves and of every later move): then it changes no equilibrium.

    Examples
    --------
    >>> from sim.scenario import loads_scenario
    >>> s = loads_scenario(MATCHING_TOY)
    >>> [goal_is_exactly_inert(s, g) for g in s.goals]
    [False, True, False]
    """
    alone = _compile_goals(scenario, (goal,))
    i = alone.players.index(goal.player)
    return _independent_of_choices(alone, _tensor(alone)[..., i], goal.player)


def _compile_goals(scenario: Scenario, goals: tuple) -> object:
    """``scenario`` compiled with only ``goals`` (with none, one goal worth 0: the compiler needs a term)."""
    if not goals:
        goals = (Goal(scenario.player_names[0], "nothing", 0.0, (Rule((), 0.0),)),)
    return compile_scenario(replace(scenario, goals=goals))


def _chance_parameters(scenario: Scenario) -> set[str]:
    if not scenario.sequential:
        return set()
    return {p for m in scenario.timing if isinstance(m, ChanceMove) for _, p in m.outcomes
            if isinstance(p, str) and p != REST}


def parameter_is_exactly_inert(compiled, name: str) -> bool:
    """True when every payoff term ``name`` enters is constant along each player's own axes (and
    ``name`` sets no chance probability): moving it changes no best response."""
    if name in _chance_parameters(compiled.scenario):
        return False
    k = compiled.parameter_names.index(name) + 1
    rows = np.flatnonzero((compiled.monomials == k).any(axis=1))
    tensor = _tensor(compiled)[rows]
    return all(_independent_of_choices(compiled, tensor[..., i], p) for i, p in enumerate(compiled.players))


# ----- the sampled test ------------------------------------------------------------------------
def _box(compiled) -> tuple[np.ndarray, np.ndarray]:
    """Bounds to sample: declared bounds; an open side extends as far from the default as the
    default is from zero, at least 1 (the rule of the sensitivity chart)."""
    d = np.asarray(compiled.defaults, dtype=float)
    span = np.maximum(np.abs(d), 1.0)
    lo = np.where(np.isfinite(compiled.lower), compiled.lower, d - span)
    hi = np.where(np.isfinite(compiled.upper), compiled.upper, d + span)
    return lo, hi


def _sobol(n: int, dim: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    sobol = qmc.Sobol(d=max(dim, 1), scramble=True, seed=np.random.default_rng(seed))
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", UserWarning)  # balance warning for non powers of two
        return sobol.random(n)


def _corners(lo: np.ndarray, hi: np.ndarray, base: np.ndarray, dims: Sequence[int], limit: int,
             seed: int) -> np.ndarray:
    """Up to ``limit`` corners of the box over the axes ``dims`` (the other coordinates at
    ``base``): all ``2**len(dims)`` of them when they fit, else a seeded choice of distinct ones.
    Axes whose bounds coincide count once."""
    dims = [k for k in dims if hi[k] > lo[k]]
    if not dims or limit <= 0:
        return np.empty((0, len(base)))
    k = len(dims)
    rng = np.random.default_rng(seed)
    if k <= 20 and 2 ** k <= limit:
        codes = np.arange(2 ** k)
        bits = (codes[:, None] >> np.arange(k)) & 1
    elif k <= 62:
        codes = rng.choice(2 ** k, size=limit, replace=False) if k <= 20 else \
            np.unique(rng.integers(0, 2 ** k, size=limit, dtype=np.int64))
        bits = (codes[:, None] >> np.arange(k)) & 1
    else:
        bits = np.unique(rng.integers(0, 2, size=(limit, k)), axis=0)
    out = np.repeat(np.asarray(base, dtype=float)[None], len(bits), axis=0)
    out[:, dims] = np.where(bits == 1, hi[dims], lo[dims])
    return out


def _payoffs(compiled, points: np.ndarray) -> np.ndarray:
    return compiled.payoffs(points, check=False)


def _valid(compiled, points: np.ndarray) -> np.ndarray:
    """Mask of the points whose chance probabilities are valid (two probability parameters may
    sum past 1 inside the box)."""
    if not compiled.sequential or not len(points):
        return np.ones(len(points), dtype=bool)
    from sim.errors import ScenarioError

    try:
        compiled.chance_probabilities(points, check=False)
        return np.ones(len(points), dtype=bool)
    except ScenarioError:
        pass
    keep = []
    for x in points:
        try:
            compiled.chance_probabilities(x[None], check=False)
            keep.append(True)
        except ScenarioError:
            keep.append(False)
    return np.array(keep, dtype=bool)


def _pure_profiles(game) -> int:
    """Pure behaviour profiles of a tree (what ``pbe_batch`` enumerates)."""
    return math.prod(len(actions) for _, actions in game.infosets.values())


def _pbe_route(compiled) -> bool:
    """Whether an imperfect-information tree is compared by its pure perfect Bayesian equilibria
    at every point at once (:func:`sim.extensive.pbe_batch.pbe_batch`), the default solve of such
    a tree (:func:`sim.registry.default_tree_method`); False when it has more pure profiles than
    ``pbe_batch`` enumerates (then ``spe_solve`` point by point, at most :data:`TREE_SAMPLE`)."""
    from sim.extensive.pbe import DEFAULT_MAX_PROFILES

    game = compiled.game()
    return compiled.sequential and not game.perfect_information and _pure_profiles(game) <= DEFAULT_MAX_PROFILES


def _batched(compiled) -> bool:
    """Whether the sampled test runs on every point at once: a simultaneous timing (best
    responses), a perfect-information tree (batched backward induction, ``spe_batch``), or an
    imperfect-information tree (batched pure perfect Bayesian equilibria, ``pbe_batch``) with
    few enough pure profiles."""
    return not compiled.sequential or compiled.game().perfect_information or _pbe_route(compiled)


def _sample_size(compiled, sample: int) -> int:
    """Points of the sampled test: ``sample`` exactly where the test is batched, at most
    :data:`TREE_SAMPLE` otherwise (each point one ``spe_solve``)."""
    return sample if _batched(compiled) else min(sample, TREE_SAMPLE)


def _cap_note(compiled, sample: int) -> str:
    if _batched(compiled) or sample <= TREE_SAMPLE:
        return ""
    from sim.extensive.pbe import DEFAULT_MAX_PROFILES

    return (f"imperfect information with {_pure_profiles(compiled.game()):,} pure profiles, over the "
            f"{DEFAULT_MAX_PROFILES:,} pbe enumerates: at most {TREE_SAMPLE} points, each one spe_solve")


def _tree_sets(compiled, payoffs: np.ndarray, points: np.ndarray) -> list:
    """Subgame-perfect equilibrium sets (frozensets of choices) of each point of a sequential scenario."""
    from sim.errors import SolverError
    from sim.extensive.spe import spe_solve
    from sim.scenario.compile import build_tree

    out = []
    for pay, x in zip(payoffs, points):
        probs = [p[0] for p in compiled.chance_probabilities(x[None], check=False)]
        tree = build_tree(compiled, pay, probs)
        try:
            r = spe_solve(tree)
        except SolverError:  # too many equilibria to list: undecided, counts as a change
            out.append(None)
            continue
        out.append(frozenset(frozenset(e.details["choices"].items()) for e in r.equilibria))
    return out


def _tree_chance(compiled, game, points: np.ndarray) -> list[np.ndarray]:
    """Each chance node's probabilities ``(B, k)`` at ``points``, chance nodes in preorder."""
    from sim.extensive.nodes import Chance

    by_move = dict(zip((m.name for m in compiled.scenario.timing if isinstance(m, ChanceMove)),
                       compiled.chance_probabilities(points, check=False)))
    return [by_move[n.label] for _, n in game.nodes() if isinstance(n, Chance)]


def _batch_tree_changes(compiled, a: np.ndarray, b: np.ndarray, points: np.ndarray, points_b: np.ndarray) -> bool:
    """:func:`_changes` for a perfect-information tree: backward induction at every point at once
    (:func:`sim.extensive.spe.spe_batch`). Where neither batch ties, each has one subgame-perfect
    equilibrium and the choices at every decision node are compared; where exactly one ties, the
    sets differ in size; where both tie, the sets are listed by ``spe_solve`` point by point."""
    from sim.extensive.spe import spe_batch

    game = compiled.game()
    n = len(compiled.players)
    ra = spe_batch(game, a.reshape(len(a), -1, n), chance_probs=_tree_chance(compiled, game, points),
                   strategies=False)
    rb = spe_batch(game, b.reshape(len(b), -1, n), chance_probs=_tree_chance(compiled, game, points_b),
                   strategies=False)
    if np.any(ra.tied != rb.tied):
        return True
    clear = ~ra.tied
    if np.any(ra.choices[clear] != rb.choices[clear]):
        return True
    for k in np.flatnonzero(ra.tied):
        sa = _tree_sets(compiled, a[k:k + 1], points[k:k + 1])
        if sa[0] is None or sa != _tree_sets(compiled, b[k:k + 1], points_b[k:k + 1]):
            return True
    return False


def _pbe_tree_changes(compiled, a: np.ndarray, b: np.ndarray, points: np.ndarray, points_b: np.ndarray,
                      notes: list | None = None) -> bool:
    """:func:`_changes` for an imperfect-information tree: the pure perfect Bayesian equilibria
    (``pbe``, the default solve of such a tree) of both batches at every point at once
    (:func:`sim.extensive.pbe_batch.pbe_batch`), compared profile by profile. Points where
    neither batch has a pure one compare equal (their mixed equilibria are not compared), and
    ``notes`` gets a line saying how many there were."""
    from sim.extensive.pbe_batch import pbe_batch

    game = compiled.game()
    n = len(compiled.players)
    empty, start, size = 0, 0, 16
    # Growing chunks, in sample order (the defaults and corners first): a goal that matters is
    # usually seen in the first one, and the rest is not solved.
    while start < len(points):
        k = slice(start, start + size)
        ra = pbe_batch(game, a[k].reshape(len(a[k]), -1, n), chance_probs=_tree_chance(compiled, game, points[k]))
        rb = pbe_batch(game, b[k].reshape(len(b[k]), -1, n), chance_probs=_tree_chance(compiled, game, points_b[k]))
        if np.any(ra.mask != rb.mask):
            return True
        empty += int(np.count_nonzero(~ra.mask.any(axis=1)))
        start, size = start + size, 4 * size
    if empty and notes is not None:
        notes.append(f"at {empty} of them no pure perfect Bayesian equilibrium with or without the change, "
                     "and mixed ones are not compared")
    return False


def _best_responses(payoffs: np.ndarray, player: int) -> np.ndarray:
    """Mask of ``player``'s best responses at every profile, by the one tie rule: the game where
    every other player gets 0 (and so always best-responds) has exactly these pure equilibria."""
    from sim.solvers.pure import pure_equilibrium_mask

    alone = np.zeros_like(payoffs)
    alone[..., player] = payoffs[..., player]
    return pure_equilibrium_mask(alone, threads=1)


def _changes(compiled, a: np.ndarray, b: np.ndarray, points: np.ndarray, points_b: np.ndarray | None = None,
             *, players: Sequence[int] | None = None, notes: list | None = None) -> bool:
    """Whether two payoff batches differ in a choice at some point: in a best response of one of
    ``players`` (default all) for a simultaneous timing, in the set of subgame-perfect equilibria
    for a perfect-information tree, in the set of pure perfect Bayesian equilibria for an
    imperfect-information one (its default solve; subgame-perfect equilibria point by point where
    it has too many pure profiles). ``points`` and ``points_b`` give each batch's chance
    probabilities; ``notes`` collects what the comparison could not see."""
    if not compiled.sequential:
        players = range(len(compiled.players)) if players is None else players
        return any(bool(np.any(_best_responses(a, i) != _best_responses(b, i))) for i in players)
    points_b = points if points_b is None else points_b
    if compiled.game().perfect_information:
        return _batch_tree_changes(compiled, a, b, points, points_b)
    if _pbe_route(compiled):
        return _pbe_tree_changes(compiled, a, b, points, points_b, notes)
    for k in range(len(points)):  # one point at a time: stop at the first change
        sa, sb = _tree_sets(compiled, a[k:k + 1], points[k:k + 1]), _tree_sets(compiled, b[k:k + 1], points_b[k:k + 1])
        if sa[0] is None or sa != sb:
            return True
    return False


def _goal_points(compiled, own: list[int], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` valid points of the box and a strength in (0, 1] for each (see
    :func:`goal_sampled_decision`); fewer only when the box has too few valid points."""
    lo, hi = _box(compiled)
    d = np.asarray(compiled.defaults, dtype=float)
    dim = len(d)
    fixed = [d[None], _corners(lo, hi, d, own, n // 4, seed), _corners(lo, hi, d, range(dim), n // 2, seed + 1)]
    points = np.concatenate(fixed)
    _, first = np.unique(points, axis=0, return_index=True)
    points = points[np.sort(first)][:n]  # each corner once (the defaults may be one)
    points = points[_valid(compiled, points)]
    strength = np.ones(len(points))
    for attempt in range(4):  # random points fill the rest; a few more rounds replace invalid ones
        need = n - len(points)
        if need <= 0:
            break
        u = _sobol(need, dim + 1, seed + 7 * (attempt + 1))
        full = lo + u[:, :-1] * (hi - lo)
        extra = np.repeat(d[None], need, axis=0)
        half = need // 2
        extra[:half, own] = full[:half, own]
        extra[half:] = full[half:]
        keep = _valid(compiled, extra)
        points = np.concatenate([points, extra[keep]])
        strength = np.concatenate([strength, 1.0 - u[keep, -1]])  # in (0, 1]
    return points[:n], strength[:n]


def goal_sampled_decision(scenario: Scenario, goal, *, sample: int = DEFAULT_SAMPLE, seed: int = 0) -> InertDecision:
    """Decide by the solvers whether ``goal`` changes an equilibrium somewhere in the box.

    The points, in order: the defaults at full strength; the corners of the box of the goal's
    own parameters (the others at their defaults), then the corners of the whole box, both at
    full strength; then a seeded scrambled Sobol sample, half moving only the goal's parameters,
    half moving every parameter, each with a strength in (0, 1]. ``sample`` points in all
    (corners up to a quarter and a half of them); at most :data:`TREE_SAMPLE` for an
    imperfect-information tree too large for ``pbe_batch``.

    Examples
    --------
    >>> from sim.scenario import loads_scenario
    >>> s = loads_scenario(MATCHING_TOY)
    >>> [goal_sampled_decision(s, g, sample=16).how for g in s.goals]  # doctest: +NORMALIZE_WHITESPACE
    ['sampled: a change found among 16 sampled points',
     'sampled: no change found at 16 sampled points (not a proof)',
     'sampled: a change found among 16 sampled points']
    """
    rest = _compile_goals(scenario, tuple(g for g in scenario.goals if g is not goal))
    alone = _compile_goals(scenario, (goal,))
    n = max(1, _sample_size(rest, sample))
    own = [k for k, p in enumerate(rest.parameter_names) if p in _goal_parameters(goal)]
    points, strength = _goal_points(rest, own, n, seed)
    base = _payoffs(rest, points)
    added = base + strength.reshape((-1,) + (1,) * (base.ndim - 1)) * _payoffs(alone, points)
    notes = [_cap_note(rest, sample)]
    changed = _changes(rest, base, added, points, players=[rest.players.index(goal.player)], notes=notes)
    return InertDecision(not changed, "sampled", len(points), "; ".join(x for x in notes if x))


def parameter_sampled_decision(compiled, name: str, *, sample: int = DEFAULT_SAMPLE, seed: int = 0) -> InertDecision:
    """Decide by the solvers whether moving ``name`` alone over its range changes an equilibrium:
    lines of values of ``name`` through the defaults, through corners of the box of the other
    parameters, then through sampled points of the box; ``sample`` points in all (at most
    :data:`TREE_SAMPLE` for an imperfect-information tree too large for ``pbe_batch``)."""
    n = max(2, _sample_size(compiled, sample))
    k = compiled.parameter_names.index(name)
    lo, hi = _box(compiled)
    d = np.asarray(compiled.defaults, dtype=float)
    values = np.linspace(lo[k], hi[k], min(32 if _batched(compiled) else 8, n))
    lines = -(-n // len(values))  # the last line may be cut short: n points exactly
    others = [j for j in range(len(d)) if j != k]
    corners = _corners(lo, hi, d, others, (lines - 1) // 2, seed)
    u = _sobol(max(lines - 1 - len(corners), 0), len(d), seed)
    bases = np.concatenate([d[None], corners, lo + u * (hi - lo)])[:lines]
    points = np.repeat(bases, len(values), axis=0)[:n]
    points[:, k] = np.tile(values, len(bases))[:n]
    refs = np.repeat(bases, len(values), axis=0)[:n]  # each point against its line's base point
    keep = _valid(compiled, points) & _valid(compiled, refs)
    points, refs = points[keep], refs[keep]
    pay, ref = _payoffs(compiled, points), _payoffs(compiled, refs)
    notes = [_cap_note(compiled, sample)]
    changed = _changes(compiled, ref, pay, refs, points, notes=notes)
    return InertDecision(not changed, "sampled", len(points), "; ".join(x for x in notes if x))


def _term_parameters(term) -> set[str]:
    """The parameters a goal weight or rule value reads: a name, or a :class:`Scaled` term's
    parameters (``"-x"``, ``{parameter, scale}``, ``{product, scale}``); none for a number."""
    if isinstance(term, Scaled):
        return set(term.parameters)
    return {term} if isinstance(term, str) else set()


def _goal_parameters(goal) -> set[str]:
    """Every parameter ``goal`` reads, in its weight or in any rule's value, whatever the form."""
    return _term_parameters(goal.weight).union(*(_term_parameters(r.value) for r in goal.rules))


def _exact_reason(scenario: Scenario, player: str) -> str:
    """What the exact test proved, in words: for a sequential timing it names the player's moves."""
    if not scenario.sequential:
        return f"independent of {player}'s own action"
    moves = [m.key for m in scenario.timing if getattr(m, "player", None) == player]
    if not moves:
        return f"{player} has no move"
    if moves == [player]:
        return f"independent of {player}'s own action and of every later move"
    return f"independent of {player}'s moves ({', '.join(moves)}) and of every later move"


def goal_decision(ctx: _Context, goal) -> InertDecision:
    """The exact test when it proves inertness, else the sampled one."""
    if goal_is_exactly_inert(ctx.scenario, goal):
        return InertDecision(True, "exact", 0, _exact_reason(ctx.scenario, goal.player))
    return goal_sampled_decision(ctx.scenario, goal, sample=ctx.sample, seed=ctx.seed)


# ----- scenario rules --------------------------------------------------------------------------
def _inert_goals(ctx: _Context) -> dict:
    if "inert" not in ctx.cache:
        ctx.cache["inert"] = {g: goal_decision(ctx, g) for g in ctx.scenario.goals}
    return ctx.cache["inert"]


def rule_inert_goals(ctx: _Context) -> list[LintWarning]:
    """Goals that cannot change any equilibrium (see the module docstring)."""
    decisions = _inert_goals(ctx)
    inert = {g for g, d in decisions.items() if d.inert}
    out = []
    for g, d in decisions.items():
        if not d.inert:
            continue
        params = sorted(p for p in _goal_parameters(g)
                        if all(h in inert for h in ctx.scenario.goals if p in _goal_parameters(h))
                        and p not in _chance_parameters(ctx.scenario))
        also = f"; so its parameter{'s' if len(params) > 1 else ''} {', '.join(params)} cannot matter" if params else ""
        out.append(LintWarning(
            "inert-goal", ctx.path, f"goal {g.player}.{g.name}",
            f"cannot change any equilibrium{also}",
            f"Make it depend on {g.player}'s own action (or on moves {g.player} can influence), or drop it; "
            "a sensitivity chart will show it at 0%", d.how))
    return out


def rule_inert_parameters(ctx: _Context) -> list[LintWarning]:
    """Parameters that change no equilibrium over their range (not those carried only by inert goals)."""
    decisions = _inert_goals(ctx)
    used = _goal_parameter_use(ctx.scenario)
    chance = _chance_parameters(ctx.scenario)
    out = []
    for name in ctx.compiled.parameter_names:
        goals = used.get(name, [])
        if not goals and name not in chance:
            continue  # unused, or read only by bargaining or repeated play: other rules
        if goals and name not in chance and all(decisions[g].inert for g in goals):
            continue  # named in the inert goals' warnings
        if parameter_is_exactly_inert(ctx.compiled, name):
            d = InertDecision(True, "exact", 0, "every term it enters is independent of its owner's own action")
        else:
            d = parameter_sampled_decision(ctx.compiled, name, sample=ctx.sample, seed=ctx.seed)
        if d.inert:
            out.append(LintWarning(
                "inert-parameter", ctx.path, f"parameter {name}", "moving it over its range changes no equilibrium",
                "Check its range and the goals it enters; a sweep over it will show nothing", d.how))
    return out


def _goal_parameter_use(scenario: Scenario) -> dict[str, list]:
    used: dict[str, list] = {}
    for g in scenario.goals:
        for p in _goal_parameters(g):
            used.setdefault(p, []).append(g)
    return used


def rule_ties(ctx: _Context) -> list[LintWarning]:
    """Players indifferent between actions at a decision reached in an equilibrium at the defaults."""
    game = ctx.compiled.game()
    found = _tree_ties(game) if ctx.compiled.sequential else _matrix_ties(game)
    out = []
    for who, where, actions, value in found:
        out.append(LintWarning(
            "tie", ctx.path, f"player {who}",
            f"indifferent between {', '.join(actions)} (payoff {value:.6g}) at {where}, at the defaults",
            "A knife edge: every mixture of these actions is an equilibrium too, and a small change of a "
            "weight picks one; move a default off the tie or report the continuum", "exact: at the defaults"))
    return out


def _matrix_ties(game) -> list[tuple[str, str, list[str], float]]:
    from sim.solvers.pure import pure_equilibrium_mask

    pay = np.asarray(game.payoffs, dtype=float)
    tol = TIE_TOL * game.payoff_scale
    mask = pure_equilibrium_mask(pay[None], threads=1)[0]
    out, seen = [], set()
    for profile in zip(*np.nonzero(mask)):
        label = "; ".join(f"{p}={game.actions[i][a]}" for i, (p, a) in enumerate(zip(game.players, profile)))
        for i, p in enumerate(game.players):
            row = pay[profile[:i] + (slice(None),) + profile[i + 1:] + (i,)]
            best = [game.actions[i][b] for b in np.flatnonzero(row >= row[profile[i]] - tol)]
            key = (i, profile[:i] + profile[i + 1:], tuple(best))  # one tie, however many equilibria share it
            if len(best) > 1 and key not in seen:
                seen.add(key)
                out.append((p, f"the equilibrium {label}", best, float(row[profile[i]])))
    return out


def _tree_ties(game) -> list[tuple[str, str, list[str], float]]:
    from sim.errors import SolverError
    from sim.extensive.nodes import Chance, Decision, Terminal
    from sim.extensive.spe import indifference_tolerances, spe_solve

    try:
        result = spe_solve(game)
    except SolverError:
        return []
    # spe's own tie rule: per player, TIE_TOL times the player's payoff spread over the whole tree
    # (no floor) plus round-off, so the verdict does not depend on the payoff units.
    terminal = np.array([t.payoffs for _, t in game.nodes() if isinstance(t, Terminal)], dtype=float)
    tol = indifference_tolerances(terminal.reshape(1, len(terminal), game.n_players), TIE_TOL)[0]
    out, seen = [], set()
    for eq in result.equilibria:
        behaviour = {h: np.asarray(p) for h, p in eq.details["behaviour"].items()}

        def value(node):
            if isinstance(node, Terminal):
                return np.asarray(node.payoffs, dtype=float)
            probs = node.probs if isinstance(node, Chance) else behaviour[node.infoset]
            return sum(q * value(c) for q, c in zip(probs, node.children) if q > 0)

        sums: dict[str, tuple[int, np.ndarray, tuple]] = {}
        stack = [(game.root, 1.0)]
        while stack:
            node, reach = stack.pop()
            if isinstance(node, Terminal) or reach <= 0:
                continue
            if isinstance(node, Decision):
                v = np.array([value(c)[node.player] for c in node.children])
                prev = sums.get(node.infoset, (node.player, np.zeros(len(v)), node.actions))[1]
                sums[node.infoset] = (node.player, prev + reach * v, node.actions)
                probs = behaviour[node.infoset]
            else:
                probs = node.probs
            stack.extend((c, reach * q) for q, c in zip(probs, node.children) if q > 0)
        for h, (player, v, actions) in sums.items():
            best = [a for a, x in zip(actions, v) if x >= v.max() - tol[player]]
            key = (h, tuple(best))
            if len(best) > 1 and key not in seen:
                seen.add(key)
                out.append((game.players[player], f"the information set {h}", best, float(v.max())))
    return out


def rule_unused_parameters(ctx: _Context) -> list[LintWarning]:
    """Parameters that nothing refers to: no goal, chance move, bargaining table or discount."""
    s = ctx.scenario
    used = set(_goal_parameter_use(s)) | _chance_parameters(s)
    if s.bargaining is not None:
        used |= {v for _, v in s.bargaining.powers if isinstance(v, str)}
        used |= {v for it in s.bargaining.issues for _, v in it.utility if isinstance(v, str)}
    if s.repeated is not None and isinstance(s.repeated.discount, str):
        used.add(s.repeated.discount)
    return [LintWarning("unused-parameter", ctx.path, f"parameter {p.name}", "no goal, chance move, bargaining "
                        "table or discount refers to it", "Remove it, or use it where it was meant to go")
            for p in s.parameters if p.name not in used]


def rule_players_without_goals(ctx: _Context) -> list[LintWarning]:
    """Players with no goal: indifferent everywhere, so every action of theirs is a best response."""
    have = {g.player for g in ctx.scenario.goals}
    return [LintWarning("player-without-goals", ctx.path, f"player {p}", "has no goal, so every action is a best "
                        "response and equilibria multiply", f"Give {p} the goals the source states, or remove {p}")
            for p in ctx.scenario.player_names if p not in have]


def rule_unflagged_timing(ctx: _Context) -> list[LintWarning]:
    """A sequential timing whose move order and observations are not flagged as an assumption."""
    s = ctx.scenario
    if not s.sequential or s.timing_assumption or all(getattr(m, "assumption", False) for m in s.timing):
        return []
    order = ", ".join(m.key for m in s.timing)
    return [LintWarning("unflagged-timing", ctx.path, "scenario.timing", f"the move order ({order}) and what each "
                        "mover observes decide the equilibria but are not flagged as an assumption",
                        "Flag the timing as an assumption, or cite the source that states it")]


# ----- folder rules ----------------------------------------------------------------------------
def _sign(goal, scenario: Scenario) -> int:
    """+1 when every term of the goal is >= 0 at the defaults (one > 0), -1 when every one is <= 0, else 0."""
    def val(x):
        if isinstance(x, Scaled):
            out = x.scale
            for name in x.parameters:
                out *= scenario.parameter(name).default
            return out
        return scenario.parameter(x).default if isinstance(x, str) else float(x)

    terms = [val(goal.weight) * val(r.value) for r in goal.rules]
    if all(t >= 0 for t in terms) and any(t > 0 for t in terms):
        return 1
    if all(t <= 0 for t in terms) and any(t < 0 for t in terms):
        return -1
    return 0


def rule_quote_signs(scenarios: Sequence[Scenario]) -> list[LintWarning]:
    """One quote used for one player's goals of opposite sign across the scenarios of one folder.

    Goals of different players may well read one sentence in opposite ways (one's gain is the
    other's loss); one player's gain and loss from the same sentence is probably a slip.
    """
    by_quote: dict[tuple[str, str], list] = {}
    for s in scenarios:
        for g in s.goals:
            if g.quote.strip():
                by_quote.setdefault((g.player, " ".join(g.quote.split())), []).append((s, g, _sign(g, s)))
    out = []
    for (player, quote), uses in by_quote.items():
        if {u[2] for u in uses} >= {1, -1}:
            short = quote if len(quote) <= 60 else quote[:57] + "..."
            for s, g, sign in uses:
                if sign == 0:
                    continue
                others = [f"{Path(t.path or t.id).name}:{h.player}.{h.name}" for t, h, x in uses if x == -sign]
                out.append(LintWarning(
                    "quote-sign", s.path or "", f"goal {g.player}.{g.name}",
                    f"the quote {short!r} also supports {player}'s goals of the opposite sign ({', '.join(others)})",
                    "Check which reading the sentence supports; one of the goals may have its sign inverted"))
    return out


#: The rules, in the order their warnings are listed. Adding a rule: write its function and add a row.
RULES: tuple[LintRule, ...] = (
    LintRule("inert-goal", "scenario", rule_inert_goals, "a goal that cannot change any equilibrium"),
    LintRule("inert-parameter", "scenario", rule_inert_parameters, "a parameter that changes no equilibrium"),
    LintRule("tie", "scenario", rule_ties, "a player indifferent at a reached decision at the defaults"),
    LintRule("unused-parameter", "scenario", rule_unused_parameters, "a parameter nothing refers to"),
    LintRule("player-without-goals", "scenario", rule_players_without_goals, "a player with no goal"),
    LintRule("unflagged-timing", "scenario", rule_unflagged_timing, "a sequential timing not flagged as an assumption"),
    LintRule("quote-sign", "folder", rule_quote_signs, "one quote for one player's goals of opposite sign"),
)


# ----- entry points ----------------------------------------------------------------------------
def _check_sample(sample, seed) -> None:
    from sim.errors import ScenarioError

    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise ScenarioError(f"lint: sample must be a positive integer (got {sample!r})", field="sample")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(f"lint: seed must be a non-negative integer (got {seed!r})", field="seed")


def lint_scenario(scenario: Scenario | str | Path, *, sample: int = DEFAULT_SAMPLE, seed: int = 0) -> LintReport:
    """The warnings of every scenario rule of :data:`RULES` for one scenario (object or file).

    Parameters
    ----------
    scenario : Scenario or path
    sample : int
        Points of the sampled tests: exactly this many, except at most :data:`TREE_SAMPLE` for
        an imperfect-information tree with more pure profiles than ``pbe_batch`` enumerates.
    seed : int
        Seed of the Sobol sample: the same seed gives the same warnings.

    Raises
    ------
    ScenarioError
        When the file is not a valid scenario, or ``sample`` or ``seed`` is not a valid count.
    """
    _check_sample(sample, seed)
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    ctx = _Context(scenario, compile_scenario(scenario), scenario.path or "", sample, seed)
    found: list[LintWarning] = []
    for rule in RULES:
        if rule.scope == "scenario":
            found.extend(rule.check(ctx))
    return LintReport(ctx.path, scenario.id, tuple(found))


def scenario_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named on the command line, a folder standing for its ``*.toml`` files (not its subfolders)."""
    out = []
    for p in paths:
        p = Path(p)
        out.extend(sorted(p.glob("*.toml")) if p.is_dir() else [p])
    return out


def lint_paths(paths: Iterable[str | Path], *, sample: int = DEFAULT_SAMPLE, seed: int = 0) -> tuple[LintReport, ...]:
    """Lint scenario files and folders: scenario rules per file, folder rules per folder.

    Every file is loaded first, so a bad file raises before any work is done.
    """
    _check_sample(sample, seed)
    scenarios = [load_scenario(f) for f in scenario_files(paths)]
    reports = [lint_scenario(s, sample=sample, seed=seed) for s in scenarios]
    folders: dict[Path, list[Scenario]] = {}
    for s in scenarios:
        folders.setdefault(Path(s.path or ".").resolve().parent, []).append(s)
    extra: dict[str, list[LintWarning]] = {}
    for rule in RULES:
        if rule.scope == "folder":
            for group in folders.values():
                for w in rule.check(group):
                    extra.setdefault(w.path, []).append(w)
    return tuple(replace(r, warnings=r.warnings + tuple(extra.get(r.path, ()))) for r in reports)


def format_reports(reports: Sequence[LintReport]) -> str:
    """One line per warning, then a count."""
    lines = [w.format() for r in reports for w in r.warnings]
    n = sum(len(r.warnings) for r in reports)
    lines.append(f"{n} warning{'s' if n != 1 else ''} in {len(reports)} file{'s' if len(reports) != 1 else ''}")
    return "\n".join(lines)
