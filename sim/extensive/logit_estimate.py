"""Maximum-likelihood precision ``lambda`` of a tree's agent logit QRE from observed choices.

Observations are counts of actions at information sets (or at a named move whose nodes form one
information set): ``counts[h][a]``, how often action ``a`` was seen where ``h`` was reached. The
log-likelihood of ``lambda`` is ``L(lambda) = sum_h sum_a counts[h][a] log p_h[a](lambda)`` with
``p(lambda)`` the agent logit QRE on the principal branch (:mod:`sim.extensive.logit`; McKelvey
and Palfrey 1998). Counts at a set are conditional on reaching it, so information sets that were
not observed add nothing. This is what Gambit's ``logit_estimate`` computes from a behaviour
profile of counts (Bland and Turocy 2023, "Quantal response equilibrium as a structural model
for estimation: the missing manual"): the branch is traced once from ``lambda = 0``, ``L`` is
evaluated at every traced point, and the best one is refined by bounded scalar search on the QRE
at given lambda (each solved by Newton from the traced branch at its first crossing).

The confidence interval is the profile-likelihood (likelihood-ratio) one, as for the
normal-form estimate (:mod:`sim.solvers.logit_estimate`): every ``lambda`` with
``2 (L(lambda_hat) - L(lambda)) <= chi2_1(conf_level)`` (Wilks 1938), its ends by Brent's
method; the interval is the connected set around the estimate (on the founding baseline the
likelihood of the US's choices dips below the cut near ``lambda = 1`` and is higher again at 0);
``0`` when the segment down to ``lambda = 0`` stays inside, ``inf`` when ``L`` never falls far
enough before the branch reaches its limit.

``lambda`` is in the tree's payoff units, as Gambit takes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError

DEFAULT_CONF_LEVEL = 0.95
DEFAULT_MAX_LAMBDA = 1e6
_TINY = 1e-300


@dataclass(frozen=True)
class AgentLogitEstimate:
    """The fitted precision, the agent QRE there, its log-likelihood and a likelihood-ratio interval.

    ``counts`` maps each observed information set to its counts; ``at_limit`` says the
    likelihood still rose where the branch reached its limit (the estimate is then a lower
    bound and ``interval[1]`` is ``inf``).
    """

    lam: float
    log_like: float
    behaviour: dict
    interval: tuple[float, float]
    conf_level: float
    counts: dict
    at_limit: bool

    def to_dict(self, actions: Mapping[str, tuple] | None = None) -> dict:
        def num(x):
            return float(x) if math.isfinite(x) else None

        out = {"lambda": num(self.lam), "log_likelihood": num(self.log_like), "conf_level": self.conf_level,
               "interval": [num(self.interval[0]), num(self.interval[1])], "at_limit": self.at_limit,
               "observed": {h: {"counts": c.tolist(), "qre": self.behaviour[h].tolist()} for h, c in self.counts.items()},
               "behaviour": {h: p.tolist() for h, p in self.behaviour.items()}}
        if actions is not None:
            for h, doc in out["observed"].items():
                doc["actions"] = list(actions[h])
        return out


def move_infosets(game) -> dict[str, tuple[str, ...]]:
    """Each decision label (a scenario move's name) -> the information sets of its nodes, in order.

    Examples
    --------
    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("l", "r"), (
    ...     Decision(1, "b|a=l", ("x", "y"), (Terminal((0.0, 0.0)), Terminal((1.0, 1.0))), "answer"),
    ...     Decision(1, "b|a=r", ("x", "y"), (Terminal((0.0, 0.0)), Terminal((1.0, 1.0))), "answer")), "open"))
    >>> move_infosets(g)
    {'open': ('a',), 'answer': ('b|a=l', 'b|a=r')}
    """
    from sim.extensive.nodes import Decision, iter_nodes

    out: dict[str, list[str]] = {}
    for _, node in iter_nodes(game.root):
        if isinstance(node, Decision) and node.label:
            sets = out.setdefault(node.label, [])
            if node.infoset not in sets:
                sets.append(node.infoset)
    return {k: tuple(v) for k, v in out.items()}


def observed_counts(game, counts: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Counts keyed by information set id or by a move's name (a decision label whose nodes form
    one information set), checked against the tree: ``{infoset id: counts array}``.

    Raises
    ------
    SolverError
        For an unknown name, a move with several information sets (naming them), a name given
        twice, counts of the wrong length or negative, or no observation at all.
    """
    infosets = game.infosets
    moves = move_infosets(game)
    out: dict[str, np.ndarray] = {}
    for name, values in counts.items():
        if name in infosets:
            h = name
        elif name in moves and len(moves[name]) == 1:
            h = moves[name][0]
        elif name in moves:
            raise SolverError(f"agent_logit_estimate(): move {name!r} is played at {len(moves[name])} information "
                              f"sets; give counts for each by its id, one of {list(moves[name])}")
        else:
            raise SolverError(f"agent_logit_estimate(): counts must name an information set or a move; moves are "
                              f"{list(moves)} (got {name!r})")
        if h in out:
            raise SolverError(f"agent_logit_estimate(): information set {h!r} is given twice (got {name!r})")
        actions = infosets[h][1]
        c = np.asarray(values, dtype=float)
        if c.shape != (len(actions),) or not np.isfinite(c).all() or (c < 0).any():
            raise SolverError(f"agent_logit_estimate(): counts at {name!r} must be {len(actions)} non-negative "
                              f"numbers, one per action {list(actions)}; got {np.asarray(values).tolist()}")
        out[h] = readonly(c)
    if not out or sum(float(c.sum()) for c in out.values()) <= 0:
        raise SolverError("agent_logit_estimate(): counts must include at least one observation; got none")
    return out


def agent_log_likelihood(counts: Mapping[str, np.ndarray], behaviour: Mapping[str, np.ndarray]) -> float:
    """``sum_h sum_a counts[h][a] * log behaviour[h][a]`` (``0 * log 0 = 0``).

    Examples
    --------
    >>> round(agent_log_likelihood({"h": [3, 1]}, {"h": np.array([0.75, 0.25])}), 6)
    -2.249341
    """
    total = 0.0
    for h, c in counts.items():
        c = np.asarray(c, dtype=float)
        p = np.asarray(behaviour[h], dtype=float)
        used = c > 0
        total += float(np.sum(c[used] * np.log(np.maximum(p[used], _TINY))))
    return total


class _Branch:
    """The traced principal branch of one tree, and the QRE at any lambda on it by Newton from
    the branch's first crossing (scale units inside, payoff units outside)."""

    def __init__(self, game, max_lambda: float):
        from sim.extensive.logit import DEFAULT_TOL, prepare, trace_branch

        self.system = system = prepare(game)
        self.S, self.sc = system.S, system.scale
        self.points, _, self.status, _ = trace_branch(system, max_lambda=max_lambda * self.sc, tol=DEFAULT_TOL)
        lams = self.points[:, self.S]
        self.forward = np.flatnonzero(lams >= np.maximum.accumulate(lams))  # first crossings only

    @property
    def lambdas(self) -> np.ndarray:
        return self.points[self.forward, self.S] / self.sc

    def profile_at(self, k: int) -> np.ndarray:
        return np.exp(self.points[self.forward[k], :self.S])

    def solve(self, lam: float) -> np.ndarray:
        from sim.extensive.logit import _correct, trace_branch

        target = lam * self.sc
        pts = self.points[self.forward]
        k = int(np.searchsorted(pts[:, self.S], target))
        if k < len(pts) and pts[k, self.S] == target:
            return np.exp(pts[k, :self.S])
        if 0 < k < len(pts):
            a, b = pts[k - 1], pts[k]
            start = a + (target - a[self.S]) / (b[self.S] - a[self.S]) * (b - a)
        else:
            start = pts[-1].copy()
        start[self.S] = target
        e_lam = np.zeros(self.S + 1)
        e_lam[self.S] = 1.0
        out = _correct(self.system, start, e_lam, target)
        if out is not None and np.max(np.abs(np.exp(out[0][:self.S]) - np.exp(start[:self.S]))) < 0.2:
            return np.exp(out[0][:self.S])
        _, solved, status, _ = trace_branch(self.system, [target])  # retrace: the interpolation was off the branch
        if target not in solved:
            raise SolverError(f"agent_logit_estimate(): the branch could not be followed to lambda {lam:.6g} ({status})")
        return np.exp(solved[target][:self.S])

    def behaviour(self, p: np.ndarray) -> dict:
        f = self.system.flat
        return {h: readonly(p[f.seq_start[k]:f.seq_start[k] + f.n_actions[k]].copy())
                for k, h in enumerate(f.infoset_names)}


def agent_logit_estimate(game, counts: Mapping[str, object], *, conf_level: float = DEFAULT_CONF_LEVEL,
                         max_lambda: float = DEFAULT_MAX_LAMBDA) -> AgentLogitEstimate:
    """Maximum-likelihood ``lambda`` of a tree's agent logit QRE from counts of observed actions.

    Parameters
    ----------
    game : ExtensiveFormGame
        A tree with perfect recall (see :func:`sim.extensive.logit.agent_logit_solve`).
    counts : mapping
        Information set id, or the name of a move with one information set -> how often each of
        its actions was seen (non-negative numbers in the actions' order).
    conf_level : float
        Coverage of the profile-likelihood interval, in (0, 1).
    max_lambda : float
        Largest precision considered.

    Returns
    -------
    AgentLogitEstimate

    Examples
    --------
    Counts made exactly at ``lambda = 2`` in Selten's entry game give it back:

    >>> from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal
    >>> from sim.extensive.logit import agent_logit_solve
    >>> g = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
    ...     Terminal((0.0, 2.0)),
    ...     Decision(1, "I", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    >>> q = agent_logit_solve(g, lam=2.0).behaviour
    >>> est = agent_logit_estimate(g, {"E": 1000 * q["E"], "I": 1000 * q["I"]})
    >>> round(est.lam, 6), est.interval[0] < 2.0 < est.interval[1]
    (2.0, True)
    """
    from sim.extensive.tree import ExtensiveFormGame
    from sim.solvers.logit_estimate import profile_likelihood_peak

    if not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"agent_logit_estimate(): game must be an ExtensiveFormGame; got {type(game).__name__}")
    counts = observed_counts(game, counts)
    if not (isinstance(conf_level, (int, float)) and 0 < conf_level < 1):
        raise SolverError(f"agent_logit_estimate(): conf_level must be in (0, 1); got {conf_level!r}")
    if not (isinstance(max_lambda, (int, float)) and max_lambda > 0 and math.isfinite(max_lambda)):
        raise SolverError(f"agent_logit_estimate(): max_lambda must be a finite number > 0; got {max_lambda!r}")

    branch = _Branch(game, max_lambda)
    lams = branch.lambdas
    like = np.array([agent_log_likelihood(counts, branch.behaviour(branch.profile_at(k))) for k in range(len(lams))])

    k, lam_hat, best, interval = profile_likelihood_peak(
        lams, like, lambda x: agent_log_likelihood(counts, branch.behaviour(branch.solve(float(x)))), conf_level)
    at_limit = k == len(lams) - 1 and len(lams) > 1
    p = branch.profile_at(k) if at_limit or len(lams) == 1 else branch.solve(lam_hat)
    return AgentLogitEstimate(lam_hat, best, branch.behaviour(p), interval, float(conf_level), counts,
                              bool(at_limit))


__all__ = ["AgentLogitEstimate", "agent_log_likelihood", "agent_logit_estimate", "move_infosets", "observed_counts"]
