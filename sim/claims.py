"""Measuring a scenario's claims (``[[claims]]``) on its equilibria: one point, or many at once.

A claim (:class:`sim.scenario.claims.Claim`) holds *in an equilibrium* when each of its conditions
does; the verdict at a parameter point is ``holds`` (in every equilibrium found), ``fails`` (in
none), ``some`` (in some but not all) or ``undecided`` (no equilibrium found, the solver's list
is incomplete, or the solver refused the game). Conditions are measured on the equilibrium's
behaviour strategy (a tree) or profile (a simultaneous game):

``path``
    Each listed move is reached with positive probability and, at every node of it that is
    reached, plays the listed actions with probability >= ``at_least`` (less :data:`PROB_TOL`).
    A chance move may be listed: its outcomes' probabilities are read the same way.
``after``
    Those moves are forced (probability 1 on the named action or outcome) everywhere in the
    tree, and every other move plays the same equilibrium's strategy; the probabilities above
    are then read off the equilibrium's play off its own path (subgame perfection or the
    PBE's beliefs define it). In a simultaneous game a forced player plays that action and the
    others keep their (mixed) strategies.
``gain``
    The player's expected payoff (with ``after`` forced) exceeds by more than
    :data:`GAIN_TOL` times the game's payoff scale its expected payoff with the ``over`` moves
    forced as well.
``set``
    The condition is measured on the game re-solved with those parameters changed, and holds
    when it holds in every equilibrium of that game (``not`` negates that whole statement) (so it is the same for every equilibrium of
    the claim's own game); if that game is undecided, so is the claim.
``not``
    Negates the condition.

Method (:func:`default_method`): ``spe`` for a tree of perfect information, ``pbe`` for other
trees (where a game has no pure PBE, the mixed and semi-separating ones of ``pbe_agent``,
:func:`sim.extensive.agent.pbe_agent_solve`), and for a simultaneous game every pure Nash
equilibrium, or, when there is none, the Nash
equilibria the stage solver finds (:func:`sim.solvers.stage.stage_equilibria`). A claim's
``method`` names another.

Reach probabilities are one walk over the tree's nodes in preorder (a parent before its
children), vectorised over points: :func:`evaluate_claim` runs it for one point and
:func:`evaluate_claims_batch` for a batch of points of a perfect-information tree solved by
:func:`sim.extensive.spe.spe_batch` (no loop over points; only tied points, where backward
induction has several answers, are solved one by one), or of any tree under ``pbe``, whose
pure perfect Bayesian equilibria at every point come from one
:func:`sim.extensive.pbe_batch.pbe_batch` (the walk then runs over all (point, equilibrium)
pairs). Both use the same arithmetic, so they agree exactly.

Examples
--------
>>> from sim.scenario import compile_scenario, loads_scenario
>>> c = compile_scenario(loads_scenario('''
... [scenario]
... id = "entry"
... title = "Entry"
... timing = [{ player = "E" }, { player = "I", observes = ["E"], when = { E = "in" } }]
... [parameters]
... fight = { default = -1, min = -2, max = 2 }
... [players.E]
... actions = ["in", "out"]
... [players.I]
... actions = ["fight", "share"]
... [[goals]]
... player = "E"
... name = "profit"
... weight = 1
... rules = [{ when = { E = "in", I = "share" }, value = 1 }, { when = { E = "in", I = "fight" }, value = -1 }]
... [[goals]]
... player = "I"
... name = "profit"
... weight = 1
... rules = [{ when = { E = "out" }, value = 2 }, { when = { E = "in", I = "share" }, value = 1 },
...          { when = { E = "in", I = "fight" }, value = "fight" }]
... [[claims]]
... id = "deterred"
... claim = "The threat keeps the entrant out."
... quote = "q"
... conditions = [{ path = { E = "out" } }, { after = { E = "in" }, path = { I = "fight" } }]
... '''))
>>> claim = c.scenario.claims[0]
>>> evaluate_claim(c, claim).verdict, evaluate_claim(c, claim, {"fight": 1.5}).verdict
('fails', 'holds')
>>> v = evaluate_claim(c, claim)
>>> [(x.holds, x.value) for x in v.equilibria[0].conditions]
[(False, 0.0), (False, 0.0)]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from sim.errors import GameError, ScenarioError, SolverError
from sim.scenario.claims import GAME_METHODS, TREE_METHODS, Claim, Condition

#: A probability counts as reached above this, and ``at_least`` is met within this.
REACH_TOL = 1e-12
PROB_TOL = 1e-7
#: A gain counts when it exceeds this times the game's payoff scale (``max(1, max |payoff|)``).
GAIN_TOL = 1e-9
VERDICTS = ("holds", "fails", "some", "undecided")


@dataclass(frozen=True)
class ConditionCheck:
    """One condition measured in one equilibrium.

    ``value`` is what decided it: for ``path``, the smallest probability of the listed actions at
    a reached node of a listed move (0 when a listed move is not reached); for ``gain``, the
    player's payoff gain over the ``over`` play. ``holds`` is after ``not``. For a ``set``
    condition, ``value`` is the smallest over the equilibria of the re-solved game.
    """

    holds: bool
    value: float


@dataclass(frozen=True)
class EquilibriumCheck:
    """A claim measured in one equilibrium: each condition, whether all hold, and the regret."""

    holds: bool
    conditions: tuple[ConditionCheck, ...]
    regret: float


@dataclass(frozen=True)
class ClaimVerdict:
    """The verdict on a claim at one parameter point (see the module docstring)."""

    claim: str
    verdict: str
    method: str
    equilibria: tuple[EquilibriumCheck, ...]
    reason: str = ""

    def to_dict(self) -> dict:
        return {"claim": self.claim, "verdict": self.verdict, "method": self.method, "reason": self.reason,
                "equilibria": [{"holds": e.holds, "regret": e.regret,
                                "conditions": [{"holds": c.holds, "value": c.value} for c in e.conditions]}
                               for e in self.equilibria]}


def verdict_of(holds: Sequence[bool]) -> str:
    """``holds``/``fails``/``some`` from the per-equilibrium results (``undecided`` when empty).

    >>> verdict_of([True, True]), verdict_of([False]), verdict_of([True, False]), verdict_of([])
    ('holds', 'fails', 'some', 'undecided')
    """
    if not len(holds):
        return "undecided"
    if all(holds):
        return "holds"
    return "fails" if not any(holds) else "some"


def default_method(compiled) -> str:
    """``spe`` for a perfect-information tree (chance included when every later mover sees it),
    ``pbe`` for another tree, ``nash`` (pure, else the stage solver's) for a simultaneous game."""
    if not compiled.sequential:
        return "nash"
    from sim.registry import default_tree_method

    return default_tree_method(compiled.game())


def claim_method(compiled, claim: Claim) -> str:
    return claim.method or default_method(compiled)


# ----------------------------------------------------------------------------------------------
# the tree laid out for reach walks


@dataclass(frozen=True, eq=False)
class TreeIndex:
    """A scenario tree in preorder: what a reach walk needs, built once per tree shape.

    ``parent[k]`` (``-1`` at the root) precedes ``k``; ``move[k]`` is the move name of a decision
    or chance node (``""`` at terminals); ``decision[k]`` its index among decision nodes in
    preorder (the columns of :attr:`sim.extensive.spe.SPEBatch.choices`), else ``-1``.
    """

    parent: np.ndarray
    action: np.ndarray
    kind: np.ndarray  # 0 terminal, 1 chance, 2 decision
    move: tuple[str, ...]
    infoset: tuple[str, ...]
    decision: np.ndarray
    chance: np.ndarray  # index among chance nodes in preorder, else -1
    terminals: np.ndarray
    chance_probs: tuple[tuple[float, ...], ...]
    payoffs: np.ndarray  # (T, N) of the game it was built from

    @classmethod
    def of(cls, game) -> "TreeIndex":
        from sim.extensive.nodes import Chance, Decision, Terminal

        parent, action, kind, move, infoset, chance_probs, pay = [], [], [], [], [], [], []
        walk = [(game.root, -1, -1)]
        while walk:
            node, par, a = walk.pop()
            here = len(parent)
            parent.append(par)
            action.append(a)
            if isinstance(node, Terminal):
                kind.append(0)
                move.append("")
                infoset.append("")
                pay.append(node.payoffs)
                continue
            if isinstance(node, Decision):
                kind.append(2)
                infoset.append(node.infoset)
            else:
                assert isinstance(node, Chance)
                kind.append(1)
                infoset.append("")
                chance_probs.append(tuple(node.probs))
            move.append(node.label)
            walk.extend((c, here, k) for k, c in reversed(list(enumerate(node.children))))
        kind_a = np.array(kind, dtype=np.int8)
        decision = np.full(len(kind), -1, dtype=np.int64)
        decision[kind_a == 2] = np.arange(int((kind_a == 2).sum()))
        chance = np.full(len(kind), -1, dtype=np.int64)
        chance[kind_a == 1] = np.arange(int((kind_a == 1).sum()))
        return cls(np.array(parent), np.array(action), kind_a, tuple(move), tuple(infoset), decision, chance,
                   np.flatnonzero(kind_a == 0), tuple(chance_probs), np.array(pay, dtype=float))

    def edges_from_behaviour(self, behaviour: Mapping[str, Sequence[float]], chance_probs=None) -> np.ndarray:
        """Edge probabilities ``(1, n)`` into each node under a behaviour profile."""
        probs = self.chance_probs if chance_probs is None else chance_probs
        edge = np.ones((1, len(self.parent)))
        for k in range(1, len(self.parent)):
            p = self.parent[k]
            if self.kind[p] == 2:
                edge[0, k] = float(behaviour[self.infoset[p]][self.action[k]])
            else:
                edge[0, k] = float(probs[self.chance[p]][self.action[k]])
        return edge

    def edges_from_choices(self, choices: np.ndarray, chance_probs: Sequence[np.ndarray]) -> np.ndarray:
        """Edge probabilities ``(B, n)`` under pure choices ``(B, D)`` per decision node."""
        B = choices.shape[0]
        edge = np.ones((B, len(self.parent)))
        for k in range(1, len(self.parent)):
            p = self.parent[k]
            if self.kind[p] == 2:
                edge[:, k] = (choices[:, self.decision[p]] == self.action[k]).astype(float)
            else:
                edge[:, k] = chance_probs[self.chance[p]][:, self.action[k]]
        return edge

    def force(self, edge: np.ndarray, forced: Sequence[tuple[str, str]], labels: Mapping[str, Sequence[str]]) -> np.ndarray:
        """``edge`` with each forced move playing its named action or outcome with probability 1."""
        if not forced:
            return edge
        want = {m: list(labels[m]).index(a) for m, a in forced}
        edge = edge.copy()
        for k in range(1, len(self.parent)):
            m = self.move[self.parent[k]]
            if m in want:
                edge[:, k] = 1.0 if self.action[k] == want[m] else 0.0
        return edge

    def reach(self, edge: np.ndarray) -> np.ndarray:
        """Reach probability ``(B, n)`` of each node: products of edges, parents first."""
        r = np.ones_like(edge)
        for k in range(1, len(self.parent)):
            r[:, k] = r[:, self.parent[k]] * edge[:, k]
        return r


def _tree_path(index: TreeIndex, edge: np.ndarray, reach: np.ndarray, cond: Condition,
               labels: Mapping[str, Sequence[str]]) -> np.ndarray:
    """The smallest probability ``(B,)`` of the listed actions at a reached node of a listed move
    (0 where a listed move is never reached). One pass over the nodes."""
    B = edge.shape[0]
    allowed = {m: {list(labels[m]).index(a) for a in acts} for m, acts in cond.path}
    mass = np.zeros((B, len(index.parent)))  # at each node: probability of its allowed children
    for k in range(1, len(index.parent)):
        p = index.parent[k]
        acts = allowed.get(index.move[p])
        if acts is not None and index.action[k] in acts:
            mass[:, p] += edge[:, k]
    value = np.ones(B)
    for m in allowed:
        nodes = np.array([k for k in range(len(index.parent)) if index.move[k] == m], dtype=np.int64)
        reached = reach[:, nodes] > REACH_TOL
        lowest = np.where(reached, mass[:, nodes], np.inf).min(axis=1)
        value = np.minimum(value, np.where(reached.any(axis=1), lowest, 0.0))
    return value


def _tree_payoffs(index: TreeIndex, reach: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
    """Expected payoffs ``(B, N)`` from reach ``(B, n)`` and terminal payoffs ``(B, T, N)``, summed
    terminal by terminal in preorder (the same floats for a point alone or inside a batch)."""
    out = np.zeros((reach.shape[0], payoffs.shape[2]))
    for t, k in enumerate(index.terminals):
        out += reach[:, k, None] * payoffs[:, t, :]
    return out


def _scale(payoffs: np.ndarray) -> np.ndarray:
    """``max(1, max |payoff|)`` per point of ``(B, T, N)`` payoffs."""
    return np.maximum(1.0, np.abs(payoffs).reshape(payoffs.shape[0], -1).max(axis=1))


def _tree_condition(index: TreeIndex, edge: np.ndarray, payoffs: np.ndarray, cond: Condition,
                    labels, players) -> tuple[np.ndarray, np.ndarray]:
    """(holds, value) ``(B,)`` of a condition without ``set`` on edges ``(B, n)`` of equilibria."""
    edge = index.force(edge, cond.after, labels)
    reach = index.reach(edge)
    if cond.gain is None:
        value = _tree_path(index, edge, reach, cond, labels)
        holds = value >= cond.at_least - PROB_TOL
    else:
        i = players.index(cond.gain.player)
        base = _tree_payoffs(index, reach, payoffs)[:, i]
        other = _tree_payoffs(index, index.reach(index.force(edge, cond.gain.over, labels)), payoffs)[:, i]
        value = base - other
        holds = value > GAIN_TOL * _scale(payoffs)
    return holds != cond.negate, value


# ----------------------------------------------------------------------------------------------
# simultaneous games


def _nf_condition(game, profile: Sequence[np.ndarray], cond: Condition, labels, players) -> tuple[bool, float]:
    prof = [np.asarray(p, dtype=float) for p in profile]

    def forced(prof, moves):
        prof = list(prof)
        for m, a in moves:
            i = players.index(m)
            prof[i] = np.eye(len(labels[m]))[list(labels[m]).index(a)]
        return prof

    prof = forced(prof, cond.after)
    if cond.gain is None:
        value = min(float(sum(prof[players.index(m)][list(labels[m]).index(a)] for a in acts))
                    for m, acts in cond.path)
        holds = value >= cond.at_least - PROB_TOL
    else:
        i = players.index(cond.gain.player)
        value = float(game.expected_payoffs(prof)[i] - game.expected_payoffs(forced(prof, cond.gain.over))[i])
        holds = value > GAIN_TOL * max(1.0, float(np.abs(game.payoffs).max(initial=0.0)))
    return bool(holds != cond.negate), value


# ----------------------------------------------------------------------------------------------
# one point


@dataclass(frozen=True, eq=False)
class _Solved:
    """The equilibria of the game at one point, as what conditions are measured on."""

    method: str
    game: object
    equilibria: tuple  # behaviours (tree) or profiles (normal form)
    regrets: tuple[float, ...]
    reason: str = ""  # non-empty: undecided
    payoffs: tuple = ()  # each equilibrium's payoffs (N,)


def _solve(compiled, method: str, overrides: Mapping[str, float]) -> _Solved:
    """Solve the game at ``overrides`` with ``method`` (``nash``: pure, else the stage solver)."""
    from sim.registry import solve

    try:
        game = compiled.game(dict(overrides))
        if method == "nash":
            from sim.solvers.stage import stage_equilibria

            r = stage_equilibria(game, mixed="if_no_pure")
            label = "enumpure" if r.solvers == ("enumpure",) else "nash (" + "+".join(r.solvers) + ")"
            eqs = r.equilibria
            complete = r.complete
        else:
            if method == "pbe" and not game.perfect_information:
                # The one default for trees with private information: pure PBE, else (pbe refuses
                # the tree or finds none) the mixed and semi-separating ones (pbe_agent).
                from sim.registry import solve_tree_default

                result = solve_tree_default(game)
            else:
                result = solve(game, method)
                if method == "pbe" and not result.equilibria:
                    result = solve(game, "pbe_agent")  # no pure PBE: the mixed ones
            eqs, complete, label = result.equilibria, result.complete, result.method
    except (SolverError, GameError) as exc:
        return _Solved(method, None, (), (), f"{method} refused the game: {exc}")
    if not eqs:
        return _Solved(label, game, (), (), "no equilibrium found")
    if method in TREE_METHODS:
        strategies = tuple(e.details.get("behaviour", e.behaviour) for e in eqs)
    else:
        strategies = tuple(tuple(e.profile) for e in eqs)
    reason = "" if complete else f"{label}'s list of equilibria is incomplete"
    return _Solved(label, game, strategies, tuple(float(e.max_regret) for e in eqs), reason,
                   tuple(np.asarray(e.payoffs, dtype=float) for e in eqs))


class _Point:
    """Solves at one point (and at its ``set`` variants), each game once."""

    def __init__(self, compiled, overrides: Mapping[str, float] | None):
        self.compiled = compiled
        self.overrides = dict(overrides or {})
        self.cache: dict = {}
        self.labels = _labels(compiled)

    def solved(self, method: str, extra=()) -> _Solved:
        key = (method, tuple(extra))
        if key not in self.cache:
            self.cache[key] = _solve(self.compiled, method, {**self.overrides, **dict(extra)})
        return self.cache[key]

    def measure(self, solved: _Solved, cond: Condition) -> list[tuple[bool, float]]:
        """(holds, value) of a condition (without its ``set``) in each equilibrium of ``solved``."""
        players = self.compiled.players
        if not self.compiled.sequential:
            return [_nf_condition(solved.game, prof, cond, self.labels, players) for prof in solved.equilibria]
        index = TreeIndex.of(solved.game)
        out = []
        for behaviour in solved.equilibria:
            edge = index.edges_from_behaviour(behaviour)
            h, v = _tree_condition(index, edge, index.payoffs[None], cond, self.labels, players)
            out.append((bool(h[0]), float(v[0])))
        return out


def _labels(compiled) -> dict[str, tuple[str, ...]]:
    """Each move's (or, simultaneous, each player's) labels."""
    from sim.scenario.schema import move_labels

    s = compiled.scenario
    if not s.sequential:
        return dict(s.players)
    return {m.key: move_labels(s, m) for m in s.timing}


def check_method(compiled, method: str) -> None:
    """Refuse a method that cannot measure claims on this scenario, with a one-line reason."""
    if method == "nash" and not compiled.sequential:
        return
    allowed = TREE_METHODS if compiled.sequential else GAME_METHODS
    if method not in allowed:
        kind = "a sequential" if compiled.sequential else "a simultaneous"
        raise ScenarioError(f"{kind} scenario's claims take one of {list(allowed)} (got {method!r})",
                            path=compiled.scenario.path, field="claims.method")


def evaluate_claim(compiled, claim: Claim, overrides: Mapping[str, float] | None = None, *,
                   _point: _Point | None = None) -> ClaimVerdict:
    """The verdict on ``claim`` at the defaults with ``overrides`` (see the module docstring).

    Parameters
    ----------
    compiled : CompiledScenario
    claim : Claim
        One of the scenario's claims (or any claim valid for it).
    overrides : mapping, optional
        Parameter values replacing the defaults.

    Returns
    -------
    ClaimVerdict
        ``verdict``, the method (for the ``nash`` default, the solvers that ran), and per
        equilibrium each condition's measured value and the equilibrium's regret.
    """
    method = claim_method(compiled, claim)
    check_method(compiled, method)
    point = _point or _Point(compiled, overrides)
    solved = point.solved(method)
    if solved.reason:
        return ClaimVerdict(claim.id, "undecided", solved.method, (), solved.reason)
    columns = []
    for cond in claim.conditions:
        if cond.set:
            other = point.solved(method, cond.set)
            if other.reason:
                return ClaimVerdict(claim.id, "undecided", solved.method, (),
                                    f"with {dict(cond.set)}: {other.reason}")
            # "holds in every equilibrium of that game", and `not` negates that whole statement.
            res = point.measure(other, dataclasses.replace(cond, negate=False))
            col = [(all(h for h, _ in res) != cond.negate, min(v for _, v in res))] * len(solved.equilibria)
        else:
            col = point.measure(solved, cond)
        columns.append(col)
    checks = []
    for e, regret in enumerate(solved.regrets):
        conds = tuple(ConditionCheck(col[e][0], col[e][1]) for col in columns)
        checks.append(EquilibriumCheck(all(c.holds for c in conds), conds, regret))
    return ClaimVerdict(claim.id, verdict_of([c.holds for c in checks]), solved.method, tuple(checks))


def evaluate_claims(compiled, claims: Sequence[Claim] | None = None,
                    overrides: Mapping[str, float] | None = None) -> tuple[ClaimVerdict, ...]:
    """:func:`evaluate_claim` for several claims (default: the scenario's), each game solved once."""
    point = _Point(compiled, overrides)
    claims = compiled.scenario.claims if claims is None else claims
    return tuple(evaluate_claim(compiled, c, _point=point) for c in claims)


# ----------------------------------------------------------------------------------------------
# many points at once


def batchable(compiled, claim: Claim) -> bool:
    """Whether :func:`evaluate_claims_batch` measures ``claim`` without a loop over points: a
    perfect-information tree under ``spe`` (:func:`sim.extensive.spe.spe_batch`), or any tree
    under ``pbe`` (:func:`sim.extensive.pbe_batch.pbe_batch`)."""
    if not compiled.sequential:
        return False
    method = claim_method(compiled, claim)
    return method == "pbe" or (method == "spe" and compiled.game().perfect_information)


@dataclass(frozen=True, eq=False)
class BatchVerdicts:
    """Verdicts of one claim at ``B`` points: ``verdict`` (B,) of str, per condition ``values``
    (C, B) in the single equilibrium (NaN at tied points, whose verdict comes from one-by-one
    solving), and ``tied`` (B,): where backward induction had several answers."""

    claim: str
    verdict: np.ndarray
    values: np.ndarray
    tied: np.ndarray


def _tree_inputs(compiled, index: TreeIndex, points: np.ndarray, extra) -> tuple[np.ndarray, list[np.ndarray]]:
    """Terminal payoffs ``(B, T, N)`` in preorder and each chance node's probabilities ``(B, k)``
    (preorder) at ``points`` with the parameters of ``extra`` (name, value) changed."""
    pts = points.copy()
    for name, v in extra:
        pts[:, compiled.parameter_names.index(name)] = v
    pay = compiled.payoffs(pts, check=False).reshape(len(pts), -1, len(compiled.players))
    by_move = dict(zip((m.name for m in compiled._chance_moves()), compiled.chance_probabilities(pts, check=False)))
    return pay, [by_move[index.move[k]] for k in np.flatnonzero(index.kind == 1)]


def evaluate_claims_batch(compiled, claims: Sequence[Claim], points) -> tuple[BatchVerdicts, ...]:
    """The verdicts of ``claims`` (each :func:`batchable`) at every row of ``points`` ``(B, P)``.

    One :func:`sim.extensive.spe.spe_batch` per distinct parameter change (the points themselves,
    and each ``set`` condition's change applied to all of them), then one reach walk per
    condition over all points at once. Where ``spe_batch`` reports a tie the point has several
    subgame-perfect equilibria; those points (rare: a tie is an equality between payoffs) are
    measured one by one with :func:`evaluate_claim`, so the verdicts equal the per-point ones at
    every point.

    Examples
    --------
    >>> from sim.scenario import compile_scenario, load_scenario
    >>> c = compile_scenario(load_scenario("tests/data/claims/entry.toml"))
    >>> pts = np.array([[-0.5, 1.3], [1.5, 1.3]])
    >>> [b.verdict.tolist() for b in evaluate_claims_batch(c, c.scenario.claims[:2], pts)]
    [['holds', 'fails'], ['fails', 'holds']]
    """
    from sim.extensive.spe import spe_batch

    points = compiled.check_points(points)
    for claim in claims:
        if not batchable(compiled, claim):
            raise ScenarioError(f"claim {claim.id!r} is neither a perfect-information tree under spe nor a tree "
                                "under pbe; measure it point by point", path=compiled.scenario.path, field="claims")
    if any(claim_method(compiled, c) == "pbe" for c in claims):
        by_method = {c.id: claim_method(compiled, c) for c in claims}
        pbe = _pbe_batch_verdicts(compiled, [c for c in claims if by_method[c.id] == "pbe"], points)
        spe = evaluate_claims_batch(compiled, [c for c in claims if by_method[c.id] != "pbe"], points) \
            if any(m != "pbe" for m in by_method.values()) else ()
        found = {b.claim: b for b in (*pbe, *spe)}
        return tuple(found[c.id] for c in claims)
    game = compiled.game()
    index = TreeIndex.of(game)
    labels = _labels(compiled)
    players = compiled.players
    B = points.shape[0]
    cache: dict = {}

    def solved(extra) -> tuple:
        key = tuple(extra)
        if key not in cache:
            pay, probs = _tree_inputs(compiled, index, points, extra)
            r = spe_batch(game, pay, chance_probs=probs)
            cache[key] = (index.edges_from_choices(r.choices, probs), pay, r.tied)
        return cache[key]

    try:
        edge, pay, tied = solved(())
    except GameError:
        # spe_batch also lists each player's reduced strategies, and refuses a tree with too many;
        # then every point is measured on its own.
        return tuple(_one_by_one(compiled, claim, points) for claim in claims)
    out = []
    for claim in claims:
        holds = np.ones(B, dtype=bool)
        values = np.full((len(claim.conditions), B), np.nan)
        any_tied = tied.copy()
        for j, cond in enumerate(claim.conditions):
            e, p, t = solved(cond.set)
            h, v = _tree_condition(index, e, p, cond, labels, players)
            holds &= h
            values[j] = v
            any_tied |= t
        verdict = np.where(holds, "holds", "fails").astype(object)
        for b in np.flatnonzero(any_tied):
            overrides = dict(zip(compiled.parameter_names, points[b].tolist()))
            verdict[b] = evaluate_claim(compiled, claim, overrides).verdict
        values[:, any_tied] = np.nan
        out.append(BatchVerdicts(claim.id, verdict, values, any_tied))
    return tuple(out)


def _one_by_one(compiled, claim: Claim, points: np.ndarray) -> BatchVerdicts:
    """:class:`BatchVerdicts` from :func:`evaluate_claim` at each point (values NaN, tied False)."""
    verdict = np.array([evaluate_claim(compiled, claim, dict(zip(compiled.parameter_names, row.tolist()))).verdict
                        for row in points], dtype=object)
    return BatchVerdicts(claim.id, verdict, np.full((len(claim.conditions), len(points)), np.nan),
                         np.zeros(len(points), dtype=bool))


def _pbe_batch_verdicts(compiled, claims: Sequence[Claim], points: np.ndarray) -> tuple[BatchVerdicts, ...]:
    """:func:`evaluate_claims_batch` for claims under ``pbe``: every pure perfect Bayesian
    equilibrium of every point from one :func:`sim.extensive.pbe_batch.pbe_batch` per distinct
    parameter change, then one reach walk per condition over all (point, equilibrium) pairs.
    The rules are :func:`evaluate_claim`'s: a point without a pure PBE (of its own game, or of a
    ``set`` condition's) is measured by :func:`evaluate_claim`, which falls back to the mixed
    PBE of ``pbe_agent`` (``undecided`` if that list is incomplete or the tree too large); a
    ``set`` condition holds when it holds in every
    equilibrium of its game, and ``not`` negates that whole statement."""
    from sim.extensive.pbe_batch import pbe_batch

    game = compiled.game()
    index = TreeIndex.of(game)
    labels = _labels(compiled)
    players = compiled.players
    decision_infosets = [index.infoset[k] for k in np.flatnonzero(index.kind == 2)]
    B = points.shape[0]
    cache: dict = {}

    def solved(extra) -> tuple:
        """(pairs (E, 2) of point and profile, edges (E, n), terminal payoffs (E, T, N), count (B,))."""
        key = tuple(extra)
        if key not in cache:
            pay, probs = _tree_inputs(compiled, index, points, extra)
            r = pbe_batch(game, pay, chance_probs=probs)
            pairs = r.equilibria
            column = np.array([r.infosets.index(h) for h in decision_infosets], dtype=np.int64)
            choices = r.profiles[pairs[:, 1]][:, column] if len(column) else np.zeros((len(pairs), 0), np.int64)
            edge = index.edges_from_choices(choices, [p[pairs[:, 0]] for p in probs])
            cache[key] = (pairs, edge, pay[pairs[:, 0]], r.n_equilibria)
        return cache[key]

    pairs, edge, pay, count = solved(())
    at = pairs[:, 0]
    out = []
    for claim in claims:
        holds = np.ones(len(pairs), dtype=bool)
        values = np.full((len(claim.conditions), B), np.nan)
        undecided = count == 0
        for j, cond in enumerate(claim.conditions):
            if cond.set:
                o_pairs, o_edge, o_pay, o_count = solved(cond.set)
                h, v = _tree_condition(index, o_edge, o_pay, dataclasses.replace(cond, negate=False), labels, players)
                every = np.ones(B, dtype=bool)
                np.logical_and.at(every, o_pairs[:, 0], h)
                lowest = np.full(B, np.inf)
                np.minimum.at(lowest, o_pairs[:, 0], v)
                undecided |= o_count == 0
                point_holds = every != cond.negate
                holds &= point_holds[at]
                values[j] = np.where(o_count > 0, lowest, np.nan)
            else:
                h, v = _tree_condition(index, edge, pay, cond, labels, players)
                holds &= h
                single = count == 1
                values[j, at[single[at]]] = v[single[at]]
        n_hold = np.bincount(at, weights=holds.astype(float), minlength=B)
        verdict = np.where(n_hold == count, "holds", np.where(n_hold == 0, "fails", "some")).astype(object)
        # Points without a pure PBE (of their own game or a `set` condition's) are measured one by
        # one: :func:`evaluate_claim` then falls back to the mixed PBE of ``pbe_agent``.
        for b in np.flatnonzero(undecided):
            overrides = dict(zip(compiled.parameter_names, points[b].tolist()))
            verdict[b] = evaluate_claim(compiled, claim, overrides).verdict
        values[:, undecided] = np.nan
        out.append(BatchVerdicts(claim.id, verdict, values, np.zeros(B, dtype=bool)))
    return tuple(out)


def equilibrium_payoffs(compiled, points, method: str | None = None) -> np.ndarray:
    """Each player's expected payoff ``(B, N)`` at each row of ``points``, averaged over the
    equilibria ``method`` finds there (NaN where it finds none).

    ``method`` defaults to :func:`default_method`. A perfect-information tree under ``spe`` is
    solved for all points at once (:func:`sim.extensive.spe.spe_batch`; points where backward
    induction ties are solved one by one, so every row equals the per-point answer); any other
    game is solved point by point.

    Examples
    --------
    >>> from sim.scenario import compile_scenario, load_scenario
    >>> c = compile_scenario(load_scenario("tests/data/claims/entry.toml"))
    >>> equilibrium_payoffs(c, np.array([[-0.5, 1.3], [1.5, 1.3]])).round(2).tolist()
    [[1.3, 1.0], [0.0, 2.0]]
    """
    points = compiled.check_points(points)
    method = method or default_method(compiled)
    B, N = points.shape[0], len(compiled.players)
    out = np.full((B, N), np.nan)
    one_by_one = np.arange(B)
    if compiled.sequential and method == "spe" and compiled.game().perfect_information:
        from sim.extensive.spe import spe_batch

        game = compiled.game()
        index = TreeIndex.of(game)
        try:
            pay, probs = _tree_inputs(compiled, index, points, ())
            r = spe_batch(game, pay, chance_probs=probs)
        except GameError:
            pass  # too many reduced strategies to list: point by point below
        else:
            out = _tree_payoffs(index, index.reach(index.edges_from_choices(r.choices, probs)), pay)
            one_by_one = np.flatnonzero(r.tied)
    for b in one_by_one:
        solved = _solve_payoffs(compiled, method, dict(zip(compiled.parameter_names, points[b].tolist())))
        out[b] = solved if solved is not None else np.nan
    return out


def _solve_payoffs(compiled, method: str, overrides: Mapping[str, float]) -> np.ndarray | None:
    """The mean payoffs over the equilibria the claims' solver finds at one point (None: none)."""
    solved = _solve(compiled, method, overrides)
    return np.mean(solved.payoffs, axis=0) if solved.payoffs else None
