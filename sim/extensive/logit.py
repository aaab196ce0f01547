"""Agent logit quantal response equilibria of game trees, traced from ``lambda = 0``.

An agent logit QRE (McKelvey and Palfrey 1998, "Quantal response equilibria for extensive form
games", Experimental Economics 1: 9-41) at precision ``lambda >= 0`` is a behaviour profile ``p``
with, at every information set ``h`` of player ``i`` and every action ``a`` there,

    p_h[a] = exp(lambda * V_h[a](p)) / sum_b exp(lambda * V_h[b](p)),

where ``V_h[a](p)`` is ``i``'s expected payoff of playing ``a`` at ``h`` and ``p`` afterwards,
conditional on reaching ``h``: each node ``x`` of ``h`` weighted by its belief
``mu(x) = rho(x) / sum_{x' in h} rho(x')`` (``rho`` the probability of reaching the node under
``p`` and chance; every node is reached at a finite ``lambda``; the nodes of a set that chance
never reaches are believed equally likely, as Gambit does). Each information set is an agent;
at ``lambda = 0`` every agent plays uniformly. The *principal branch* is the curve of these
profiles that starts there; it is what Gambit's ``logit`` traces on a tree's agent form
(``pygambit.qre.logit_solve_branch`` and ``logit_solve_lambda`` without ``use_strategic``;
Turocy 2005, "A dynamic homotopy interpretation of the logistic quantal response equilibrium
correspondence", Games and Economic Behavior 51: 243-263).

The branch is followed by predictor-corrector continuation in log-probability coordinates with
pseudo-arclength steps (Allgower and Georg 1990, "Numerical Continuation Methods", chapters 2
and 6), with the step control of :mod:`sim.solvers.logit`. The unknowns are
``z = (y_s for every sequence s = (h, a) in information-set order, lambda)`` with
``y = log p``; per information set, one normalisation ``sum_a exp(y_h[a]) - 1`` and, for each
action ``a >= 1``, ``y_h[a] - y_h[0] - lambda (V_h[a] - V_h[0])`` (Gambit's equations). The
Jacobian is exact: node values and their derivatives with respect to every sequence are
accumulated bottom-up over the tree's levels (:class:`sim.extensive.behaviour.FlatTree`), and
the beliefs' derivatives come from the sequences on the path to each node. The work per step
grows like nodes x sequences x players; trees above :data:`MAX_WORK` entries are refused.

``lambda`` is in the tree's payoff units, as Gambit takes it. Internally payoffs are divided by
the spread of all terminal payoffs (Gambit's scale), so the step control sees payoffs that span
one.

Examples
--------
Selten's entry game: as lambda grows the entrant enters and the incumbent accommodates.

>>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
>>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
...     Terminal((0.0, 2.0)),
...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
>>> q = agent_logit_solve(g, lam=1.0)
>>> q.behaviour["I"].round(6).tolist()
[0.119203, 0.880797]
>>> limit = agent_logit_solve(g)
>>> limit.converged, limit.behaviour["E"].round(6).tolist()
(True, [0.0, 1.0])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError
from sim.extensive.behaviour import DECISION, TERMINAL, FlatTree, flatten, recall_violation

DEFAULT_TOL = 1e-8
DEFAULT_MAX_LAMBDA = 1e10
DEFAULT_FIRST_STEP = 0.03
DEFAULT_MAX_ACCEL = 1.1
MAX_STEPS = 20000
#: Largest nodes x sequences x players of a tree whose branch is traced (the Jacobian's work).
MAX_WORK = 5_000_000
_NEWTON_TOL = 1e-13
_NEWTON_MAX_ITER = 12
_MIN_STEP = 1e-12
_DIST_TARGET = 0.1
_CONTRACTION_TARGET = 0.3
_ANGLE_TARGET = 0.1
_MAX_CONTRACTION = 0.7


class _System:
    """The agent QRE equations of one tree, evaluated with their Jacobian (see the module docstring)."""

    def __init__(self, flat: FlatTree):
        n, S = flat.n_nodes, flat.n_sequences
        self.flat, self.S = flat, S
        term = flat.kind == TERMINAL
        pays = flat.payoffs[term]
        spread = float(pays.max() - pays.min()) if pays.size else 0.0
        self.scale = spread if spread > 0 else 1.0
        self.U = flat.payoffs / self.scale
        into = np.full(n, -1, dtype=np.int64)  # the sequence of the edge into each node, -1 after chance
        kids = np.arange(1, n)
        par = flat.parent[1:]
        dec_edge = flat.kind[par] == DECISION
        into[kids[dec_edge]] = flat.seq_start[flat.infoset[par[dec_edge]]] + flat.action[kids[dec_edge]]
        self.into = into
        path = np.zeros((n, S))  # sequences on the path from the root to each node
        log_chance = np.zeros(n)
        with np.errstate(divide="ignore"):
            chance_log = np.where(np.isnan(flat.edge), 0.0, np.log(np.where(np.isnan(flat.edge), 1.0, flat.edge)))
        for sl in flat.level[1:]:
            idx = np.arange(sl.start, sl.stop)
            path[idx] = path[flat.parent[idx]]
            on = into[idx] >= 0
            path[idx[on], into[idx[on]]] = 1.0
            log_chance[idx] = log_chance[flat.parent[idx]] + chance_log[idx]
        self.path, self.log_chance = path, log_chance
        self.dec = np.flatnonzero(flat.kind == DECISION)
        self.dec_h = flat.infoset[self.dec]
        # (member node, action) pairs: the sequence, the child, its owner
        k = flat.count[self.dec]
        self.pair_x = np.repeat(np.arange(len(self.dec)), k)
        offs = np.arange(k.sum()) - np.repeat(np.cumsum(k) - k, k)
        self.pair_child = flat.first[self.dec][self.pair_x] + offs
        self.pair_seq = flat.seq_start[self.dec_h][self.pair_x] + offs
        self.pair_owner = flat.player[self.dec][self.pair_x]
        self.seq_h = np.repeat(np.arange(len(flat.infoset_names)), flat.n_actions)
        self.seq_owner = flat.infoset_player[self.seq_h]
        self.base = flat.seq_start[self.seq_h]  # each sequence's reference (first) action
        self.ratio = np.flatnonzero(np.arange(S) != self.base)  # rows of the ratio equations
        self.inner = [np.flatnonzero(flat.count[sl] > 0) + sl.start for sl in flat.level[:-1]]

    def edge_probs(self, y: np.ndarray) -> np.ndarray:
        p = np.where(np.isnan(self.flat.edge), 1.0, self.flat.edge)
        on = self.into >= 0
        p[on] = np.exp(y[self.into[on]])
        return p

    def values(self, y: np.ndarray, derivatives: bool = True):
        """Action values ``V`` (S,) and, when asked, ``dV/dy`` (S, S), in payoff-scale units."""
        flat, S = self.flat, self.S
        ep = self.edge_probs(y)
        v = self.U.copy()
        dv = np.zeros((flat.n_nodes, S, flat.n_players)) if derivatives else None
        for d in range(len(flat.level) - 2, -1, -1):
            below = flat.level[d + 1]
            parents = self.inner[d]
            if not len(parents):
                continue
            starts = flat.first[parents] - below.start
            v[parents] = np.add.reduceat(ep[below, None] * v[below], starts, axis=0)
            if derivatives:
                dv[parents] = np.add.reduceat(ep[below, None, None] * dv[below], starts, axis=0)
                idx = np.arange(below.start, below.stop)
                own = self.into[idx] >= 0
                kid = idx[own]
                # d p_s / d y_s = p_s: the edge's own sequence carries the child's value
                np.add.at(dv, (flat.parent[kid], self.into[kid]), ep[kid, None] * v[kid])
        lr = self.path[self.dec] @ y + self.log_chance[self.dec]
        H = len(flat.infoset_names)
        top = np.full(H, -np.inf)
        np.maximum.at(top, self.dec_h, lr)
        reached = np.isfinite(top)
        w = np.where(reached[self.dec_h], np.exp(lr - np.where(reached, top, 0.0)[self.dec_h]), 1.0)
        mu = w / np.bincount(self.dec_h, weights=w, minlength=H)[self.dec_h]
        vals = v[self.pair_child, self.pair_owner]
        V = np.bincount(self.pair_seq, weights=mu[self.pair_x] * vals, minlength=S)
        if not derivatives:
            return V, None
        mean_path = np.zeros((H, S))
        np.add.at(mean_path, self.dec_h, mu[:, None] * self.path[self.dec])
        dmu = mu[:, None] * (self.path[self.dec] - mean_path[self.dec_h])
        dmu[~reached[self.dec_h]] = 0.0
        dV = np.zeros((S, S))
        np.add.at(dV, self.pair_seq, dmu[self.pair_x] * vals[:, None]
                  + mu[self.pair_x, None] * dv[self.pair_child, :, self.pair_owner])
        return V, dV

    def evaluate(self, z: np.ndarray):
        """Residual (S,) and Jacobian (S, S + 1) at ``z = (y, lambda)`` (lambda in scale units)."""
        S = self.S
        y, lam = z[:S], z[S]
        V, dV = self.values(y)
        p = np.exp(y)
        h = np.zeros(S)
        jac = np.zeros((S, S + 1))
        norm_rows = self.flat.seq_start
        h[norm_rows] = np.bincount(self.seq_h, weights=p, minlength=len(norm_rows)) - 1.0
        jac[self.seq_start_rows(), np.arange(S)] = p
        r, b = self.ratio, self.base[self.ratio]
        h[r] = (y[r] - y[b]) - lam * (V[r] - V[b])
        jac[r, :S] = -lam * (dV[r] - dV[b])
        jac[r, r] += 1.0
        jac[r, b] -= 1.0
        jac[r, S] = -(V[r] - V[b])
        return h, jac, V

    def seq_start_rows(self) -> np.ndarray:
        return self.flat.seq_start[self.seq_h]

    def regret(self, y: np.ndarray, V: np.ndarray | None = None) -> float:
        """Largest agent regret (scale units): at each information set, the best action's
        conditional value minus the value of the set's mixture."""
        if V is None:
            V = self.values(y, derivatives=False)[0]
        p = np.exp(y)
        H = len(self.flat.infoset_names)
        if not H:
            return 0.0
        best = np.full(H, -np.inf)
        np.maximum.at(best, self.seq_h, V)
        mean = np.bincount(self.seq_h, weights=p * V, minlength=H)
        return float(np.max(best - mean))


def _solve_linear(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    try:
        x = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        return None
    return x if np.all(np.isfinite(x)) else None


def _tangent(jac: np.ndarray, previous: np.ndarray) -> np.ndarray | None:
    m = jac.shape[0]
    a = np.vstack([jac, previous[None]])
    e = np.zeros(m + 1)
    e[m] = 1.0
    t = _solve_linear(a, e)
    if t is None:
        return None
    norm = float(np.linalg.norm(t))
    return t / norm if norm > 0 and math.isfinite(norm) else None


def _correct(system: _System, z: np.ndarray, row: np.ndarray, value: float):
    """Newton on the equations plus ``row @ z = value``; ``(z, first step, contraction)`` or None."""
    z = z.copy()
    prev, contraction, first = 0.0, 0.0, 0.0
    for it in range(_NEWTON_MAX_ITER):
        h, jac, _ = system.evaluate(z)
        step = _solve_linear(np.vstack([jac, row[None]]), np.append(h, row @ z - value))
        if step is None:
            return None
        norm = float(np.max(np.abs(step) / (1.0 + np.abs(z))))
        if it == 0:
            first = float(np.linalg.norm(step))
        elif prev > 0.0:
            contraction = max(contraction, norm / prev)
            if contraction > _MAX_CONTRACTION and norm > 1e-10:
                return None
        prev = norm
        z -= step
        if norm <= _NEWTON_TOL + 4e-16 * abs(z[-1]):
            return z, first, contraction
    return None


@dataclass(frozen=True)
class AgentLogitResult:
    """The agent logit QRE at the requested lambda(s), or at the end of the traced branch.

    Attributes
    ----------
    lam : float
        The profile's lambda (payoff units): the requested one, or the last traced point's.
    behaviour : dict
        Information set id -> action probabilities (read-only arrays), the profile at ``lam``.
    converged : bool
        At a requested lambda: the equations were solved there. Towards the limit: the agent
        regret fell to ``tol`` times the payoff scale.
    max_regret : float
        Largest agent regret of ``behaviour`` (payoff units): at each information set, the best
        action's conditional value minus that of the set's mixture.
    lambdas : array (K,)
        The traced branch's lambdas (payoff units), from 0.
    profiles : array (K, S)
        The traced branch's probabilities, one column per sequence (information sets in
        order, their actions in order).
    at : tuple of (float, dict)
        With several requested lambdas, ``(lambda, behaviour)`` for each, in the order given.
    infosets : tuple of str
        The information sets in sequence order; ``actions`` their action names.
    """

    lam: float
    behaviour: dict
    converged: bool
    max_regret: float
    lambdas: np.ndarray
    profiles: np.ndarray
    at: tuple
    infosets: tuple
    actions: tuple
    steps: int

    def flat(self) -> np.ndarray:
        """``behaviour`` as one probability per sequence."""
        return np.concatenate([np.asarray(self.behaviour[h]) for h in self.infosets]) if self.infosets else np.zeros(0)


def _check_number(name, value, rule, ok):
    if not ok:
        raise SolverError(f"agent_logit_solve(): {name} must be {rule}; got {value!r}")


def _behaviour(flat: FlatTree, p: np.ndarray) -> dict:
    return {h: readonly(p[flat.seq_start[k]:flat.seq_start[k] + flat.n_actions[k]].copy())
            for k, h in enumerate(flat.infoset_names)}


def prepare(game) -> _System:
    """Check ``game`` (a perfect-recall tree within :data:`MAX_WORK`) and build its equations."""
    from sim.extensive.tree import ExtensiveFormGame

    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"agent_logit_solve(): game must be an ExtensiveFormGame; got {type(game).__name__}")
    flat = flatten(game)
    work = flat.n_nodes * max(flat.n_sequences, 1) * max(flat.n_players, 1)
    if work > MAX_WORK:
        raise SolverError(f"agent_logit_solve(): nodes x sequences x players must be at most {MAX_WORK:,} (the "
                          f"Jacobian's work per step); got {flat.n_nodes:,} x {flat.n_sequences:,} x "
                          f"{flat.n_players} = {work:,}")
    bad = recall_violation(flat)
    if bad is not None:
        raise SolverError("agent_logit_solve(): the tree must have perfect recall (the agent QRE's derivatives "
                          f"assume it); information set {flat.infoset_names[bad]!r} does not")
    return _System(flat)


def trace_branch(system: _System, targets: Sequence[float] = (), *, max_lambda: float = DEFAULT_MAX_LAMBDA,
                 tol: float | None = DEFAULT_TOL, first_step: float = DEFAULT_FIRST_STEP,
                 max_accel: float = DEFAULT_MAX_ACCEL, keep_going: bool = False):
    """Follow the principal branch from ``lambda = 0`` (everything in scale units).

    ``targets`` (increasing) are lambdas where the QRE is solved exactly on the way (the first
    crossing of each). Without ``keep_going`` the trace stops after the last target; towards
    the limit (no targets, or ``keep_going``) it stops when the agent regret is at most ``tol``
    (``None``: never) or lambda passes ``max_lambda``. Returns ``(points (K, S + 1), solved
    {target: z}, status, steps)``; status is ``"target"``, ``"limit"``, ``"max_lambda"``,
    ``"step"`` (the step fell below its floor) or ``"steps"`` (the step budget ran out).
    """
    S = system.S
    H = len(system.flat.infoset_names)
    z = np.concatenate([-np.log(system.flat.n_actions[system.seq_h].astype(float)), [0.0]])
    points = [z.copy()]
    solved: dict[float, np.ndarray] = {}
    pending = sorted(set(float(t) for t in targets))
    while pending and pending[0] <= 0.0:
        solved[pending.pop(0)] = z.copy()
    if not pending and targets and not keep_going:
        return np.array(points), solved, "target", 0
    e_lam = np.zeros(S + 1)
    e_lam[S] = 1.0
    if not H:  # no decisions: the empty profile at every lambda
        solved.update({t: np.append(z[:S], t) for t in pending})
        return np.array(points), solved, "target" if targets else "limit", 0
    _, jac, V = system.evaluate(z)
    t = _tangent(jac, e_lam)
    if t is None:
        return np.array(points), solved, "step", 0
    towards_limit = not pending or keep_going
    if towards_limit and not pending and tol is not None and system.regret(z[:S], V) <= tol:
        return np.array(points), solved, "limit", 0
    step, steps = first_step, 0
    while steps < MAX_STEPS:
        steps += 1
        pred = z + step * t
        out = _correct(system, pred, t, float(t @ pred))
        if out is None:
            step *= 0.5
            if step < _MIN_STEP:
                return np.array(points), solved, "step", steps
            continue
        z_new, first, contraction = out
        h, jac, V = system.evaluate(z_new)
        t_new = _tangent(jac, t)
        if t_new is None:
            step *= 0.5
            if step < _MIN_STEP:
                return np.array(points), solved, "step", steps
            continue
        chord = z_new - z
        length = float(np.linalg.norm(chord))
        angle = 0.0
        if length > 0:
            angle = (math.acos(min(1.0, max(-1.0, float(t @ chord) / length)))
                     + math.acos(min(1.0, max(-1.0, float(t_new @ chord) / length))))
        factor = max(math.sqrt(first / _DIST_TARGET), math.sqrt(contraction / _CONTRACTION_TARGET),
                     angle / _ANGLE_TARGET)
        if factor > 2.0:
            step *= 0.5
            if step < _MIN_STEP:
                return np.array(points), solved, "step", steps
            continue
        # Crossed requested lambdas: solve at each with lambda fixed, from the chord.
        while pending and z_new[S] >= pending[0]:
            target = pending[0]
            frac = (target - z[S]) / (z_new[S] - z[S])
            start = z + frac * chord
            start[S] = target
            at = _correct(system, start, e_lam, target)
            if at is None:
                break
            solved[pending.pop(0)] = at[0]
        if pending and z_new[S] >= pending[0]:  # the fixed-lambda Newton failed: shorter step
            step *= 0.5
            if step < _MIN_STEP:
                return np.array(points), solved, "step", steps
            continue
        z, t = z_new, t_new
        points.append(z.copy())
        if not pending and targets and not keep_going:
            return np.array(points), solved, "target", steps
        if not pending:
            if tol is not None and system.regret(z[:S], V) <= tol:
                return np.array(points), solved, "limit", steps
            if z[S] >= max_lambda:
                return np.array(points), solved, "max_lambda", steps
        step /= max(factor, 1.0 / max_accel)
    return np.array(points), solved, "steps", steps


def agent_logit_solve(game, lam: float | Sequence[float] | None = None, *, max_lambda: float = DEFAULT_MAX_LAMBDA,
                      tol: float = DEFAULT_TOL, first_step: float = DEFAULT_FIRST_STEP,
                      max_accel: float = DEFAULT_MAX_ACCEL) -> AgentLogitResult:
    """Agent logit QRE of a tree on the principal branch: at given lambda(s), or its limit.

    Parameters
    ----------
    game : ExtensiveFormGame
        A tree with perfect recall (chance nodes allowed).
    lam : float, sequence of floats, or None
        With a value, the QRE at this lambda (payoff units), the branch's first crossing of it
        (as ``pygambit.qre.logit_solve_lambda``); with several, each of them (``result.at``),
        the last being ``result.behaviour``. Without, trace towards the Nash limit (as
        ``pygambit.qre.logit_solve_branch``): until the agent regret is at most ``tol`` times
        the payoff scale or lambda passes ``max_lambda``.
    max_lambda, tol, first_step, max_accel : float
        Where tracing stops, the regret that counts as the limit (relative to the spread of
        payoffs), the first step's arc length (in scale units) and the largest growth of a step.

    Returns
    -------
    AgentLogitResult

    Raises
    ------
    SolverError
        For a game that is not a perfect-recall tree, one above :data:`MAX_WORK`, bad options,
        or a branch the tracer could not follow to the requested lambda.

    Examples
    --------
    A one-player tree with a chance move: each agent's logit choice given its conditional values.

    >>> from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A",), Chance(("h", "t"), (0.5, 0.5), (
    ...     Decision(0, "a", ("x", "y"), (Terminal((1.0,)), Terminal((0.0,)))),
    ...     Decision(0, "b", ("x", "y"), (Terminal((0.0,)), Terminal((2.0,)))))))
    >>> q = agent_logit_solve(g, lam=[0.5, 1.0])
    >>> [(lam, b["a"].round(4).tolist()) for lam, b in q.at]
    [(0.5, [0.6225, 0.3775]), (1.0, [0.7311, 0.2689])]
    """
    system = prepare(game)
    many = lam is not None and not isinstance(lam, (int, float, np.number))
    targets = list(lam) if many else ([] if lam is None else [lam])
    for v in targets:
        _check_number("lam", v, "a finite number >= 0 (or a sequence of them)",
                      isinstance(v, (int, float, np.number)) and not isinstance(v, bool) and math.isfinite(v)
                      and v >= 0)
    if many and not targets:
        raise SolverError("agent_logit_solve(): lam must name at least one lambda; got an empty sequence")
    _check_number("max_lambda", max_lambda, "a number > 0", isinstance(max_lambda, (int, float, np.number))
                  and max_lambda > 0)
    _check_number("tol", tol, "a finite number > 0", isinstance(tol, (int, float, np.number))
                  and math.isfinite(tol) and tol > 0)
    _check_number("first_step", first_step, "a finite number > 0", isinstance(first_step, (int, float, np.number))
                  and math.isfinite(first_step) and first_step > 0)
    _check_number("max_accel", max_accel, "a finite number >= 1", isinstance(max_accel, (int, float, np.number))
                  and math.isfinite(max_accel) and max_accel >= 1)
    sc, S = system.scale, system.S
    points, solved, status, steps = trace_branch(system, [v * sc for v in targets], max_lambda=max_lambda * sc,
                                                 tol=tol, first_step=first_step, max_accel=max_accel)
    flat = system.flat
    lambdas = readonly(points[:, S] / sc, copy=False)
    profiles = readonly(np.exp(points[:, :S]), copy=False)
    names, actions = flat.infoset_names, flat.infoset_actions
    if targets:
        missing = [v for v in targets if v * sc not in solved]
        if missing:
            raise SolverError(f"agent_logit_solve(): the branch could not be followed to lambda {missing[0]!r} "
                              f"(tracing stopped at lambda {float(lambdas[-1]):.6g}: {status})")
        at = tuple((float(v), _behaviour(flat, np.exp(solved[v * sc][:S]))) for v in targets)
        z = solved[targets[-1] * sc]
        return AgentLogitResult(float(targets[-1]), at[-1][1], True, system.regret(z[:S]) * sc, lambdas, profiles,
                                at, names, actions, steps)
    z = points[-1]
    regret = system.regret(z[:S]) * sc
    return AgentLogitResult(float(z[S] / sc), _behaviour(flat, np.exp(z[:S])), status == "limit", regret, lambdas,
                            profiles, (), names, actions, steps)


__all__ = ["AgentLogitResult", "agent_logit_solve", "prepare", "trace_branch", "MAX_WORK"]
