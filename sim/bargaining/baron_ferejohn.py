"""Closed-rule legislative bargaining (Baron and Ferejohn 1989): stationary equilibrium values.

Each period a player is recognised with its probability and proposes a division of a unit pie;
the proposal passes with ``quota`` votes. :func:`baron_ferejohn_values` finds the stationary
subgame-perfect values exactly by searching inclusion patterns, one linear program each, with
the uniqueness of stationary values (Eraslan 2002) making the first feasible pattern the answer;
:func:`baron_ferejohn_solve` divides a bargaining problem's largest total gain with them
(transferable utility).

Examples
--------
Three symmetric players, majority rule, discount 0.9: each proposer keeps ``1 - 0.9 / 3``.

>>> r = baron_ferejohn_values([1/3, 1/3, 1/3], 0.9)
>>> r.values.round(6).tolist(), round(float(r.proposer_shares[0]), 6), r.converged
([0.333333, 0.333333, 0.333333], 0.7, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim._arrays import readonly
from sim.bargaining.axiomatic import utilitarian_solve
from sim.bargaining.problem import BargainingProblem, BargainingSolution, _check_problem, _finish, _require_ir
from sim.errors import SolverError


@dataclass(frozen=True, eq=False)
class BaronFerejohnValues:
    """Stationary subgame-perfect equilibrium of closed-rule bargaining over a unit pie.

    Attributes
    ----------
    values : array (n,)
        Each player's continuation (ex ante) value; they sum to 1 (agreement is immediate).
    proposer_shares : array (n,)
        What each player keeps when recognised.
    inclusion : array (n, n)
        ``inclusion[k, j]``: probability that proposer ``k`` offers ``j`` a share (the
        diagonal is 1).
    converged : bool
        True when ``values`` and ``inclusion`` passed the check of the defining equations
        (see :func:`baron_ferejohn_values`).
    iterations : int
        Inclusion patterns tried (each one linear program).
    reason : str
        Empty when ``converged``; otherwise why no equilibrium was certified.
    residual : float
        Largest violation of the defining equations measured on the returned values.
    """

    values: np.ndarray
    proposer_shares: np.ndarray
    inclusion: np.ndarray
    converged: bool
    iterations: int
    reason: str = ""
    residual: float = 0.0


#: Largest number of inclusion patterns :func:`baron_ferejohn_values` searches (2**13: 14 players
#: with distinct recognition probabilities); beyond, a case not found sooner is reported, not guessed.
BF_MAX_PATTERNS = 8192


def baron_ferejohn_values(recognition: Sequence[float], discount: float, quota: int | None = None,
                          tol: float = 1e-12, max_iter: int = 200) -> BaronFerejohnValues:
    """Stationary SPE of Baron and Ferejohn's (1989) closed-rule bargaining over a unit pie.

    Each period player ``k`` is recognised with probability ``p_k`` and proposes a division; it
    passes with ``quota`` votes (the proposer's included), else the game moves on. A proposer
    buys the ``quota - 1`` cheapest votes, paying each voter ``j`` exactly its discounted
    continuation value ``discount * v_j`` (ties among equally cheap voters broken with some
    probabilities ``pi_kj``), and keeps the rest. The values solve the stationarity equations
    ``v_i = p_i (1 - delta sum_j pi_ij v_j) + delta v_i sum_{k != i} p_k pi_ki``.

    Parameters
    ----------
    recognition : sequence of float
        Recognition probabilities ``p`` (non-negative, summing to 1), at least two players.
    discount : float
        Common discount factor in ``[0, 1)``.
    quota : int, optional
        Votes needed, the proposer's included; default a simple majority ``n // 2 + 1``.
    tol : float
        Tolerance of the final check of the defining equations (scaled: the pie is 1).
    max_iter : int
        Iterations of the averaged fixed-point map used only to guess which inclusion pattern
        to try first (the answer never depends on it).

    Returns
    -------
    BaronFerejohnValues
        ``converged`` is True when the returned values passed the check; otherwise ``reason``
        says why (no pattern found within :data:`BF_MAX_PATTERNS`).

    Notes
    -----
    The map ``v -> F(v)`` jumps where two voters cost the same, so iterating it can cycle
    (about 2% of random cases never settled, even averaged). Instead the solver searches the
    finite set of *inclusion patterns*: an ordering of the players by value, with ties, cut into
    groups of equal value. Given the pattern, each proposer fully buys the cheaper groups and
    part of the group where its votes run out; writing ``y_kj = pi_kj v_j`` for those partial
    purchases makes the stationarity equations linear in the group values and ``y``, so one
    linear program decides whether the pattern holds an equilibrium and gives it exactly. Any
    feasible pattern *is* a stationary equilibrium, and its values are the unique stationary
    values (Eraslan 2002, Theorem 1), so the first feasible pattern is the answer.

    Which patterns: players with equal recognition probability have equal values (swapping them
    maps an equilibrium to an equilibrium, and the values are unique), and with a common
    discount factor values are weakly increasing in recognition probability (Eraslan 2002), so
    the patterns are the ways to cut the players sorted by ``p`` into consecutive groups:
    ``2**(m-1)`` for ``m`` distinct probabilities. Existence (Baron and Ferejohn 1989; Eraslan
    2002) guarantees one is feasible, so the search terminates with the equilibrium. The
    patterns of a short averaged iteration are tried first; they are usually right. Every
    answer is then checked against the defining equations independently of the LP.

    Examples
    --------
    Three symmetric players, majority rule: each proposer keeps ``1 - delta / 3``.

    >>> r = baron_ferejohn_values([1/3, 1/3, 1/3], 0.9)
    >>> r.values.round(6).tolist(), round(float(r.proposer_shares[0]), 6), r.converged
    ([0.333333, 0.333333, 0.333333], 0.7, True)
    """
    func = "baron_ferejohn_values"
    p = np.asarray(recognition, dtype=float)
    n = p.size
    if p.ndim != 1 or n < 2 or not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise SolverError(f"{func}(): recognition must be a probability vector over >= 2 players; got {p.tolist()}")
    if not 0 <= float(discount) < 1:
        raise SolverError(f"{func}(): discount must be in [0, 1); got {discount}")
    quota = n // 2 + 1 if quota is None else quota
    if not isinstance(quota, (int, np.integer)) or not 1 <= quota <= n:
        raise SolverError(f"{func}(): quota must be an integer in 1..{n}; got {quota!r}")
    delta = float(discount)
    need = int(quota) - 1
    if need == 0 or delta == 0.0:
        # Dictatorship of the proposer, or votes that cost nothing: each proposer keeps the pie
        # (every vote is equally cheap; buy them uniformly), so the values are the probabilities.
        inc = np.eye(n)
        inc[~np.eye(n, dtype=bool)] = need / (n - 1)
        keep = np.ones(n)
        res = _bf_residual(p, p, inc, keep, delta, need)
        return BaronFerejohnValues(readonly(p), readonly(keep), readonly(inc), res <= 1e-9 + tol, 0,
                                   "" if res <= 1e-9 + tol else f"check failed (residual {res:.3g})", res)
    guess = _bf_guess(p, delta, need, max_iter)
    tried, seen = 0, set()
    for groups in _bf_patterns(p, guess):
        if groups in seen:
            continue
        seen.add(groups)
        tried += 1
        if tried > BF_MAX_PATTERNS:
            tried -= 1
            break
        group = np.array(groups)
        # The guess sets each group's scale (only its order of magnitude matters); unscaled second.
        scale = np.array([max(float(guess[group == g].max()), 0.0) for g in range(group.max() + 1)])
        scale[scale <= 0] = 1.0
        for attempt in (scale, None):
            found = _bf_pattern_lp(group, p, delta, need, attempt)
            if found is None:
                continue
            v, inc = found
            keep = 1.0 - delta * ((inc - np.eye(n)) * v[None, :]).sum(axis=1)
            res = _bf_residual(v, p, inc, keep, delta, need)
            # The LP is exact only to its feasibility tolerance; with the inclusion probabilities
            # fixed the equations are linear in v, so solve them directly and keep whichever
            # satisfies the defining equations better.
            v2 = _bf_values_given_inclusion(p, inc, delta)
            if v2 is not None:
                keep2 = 1.0 - delta * ((inc - np.eye(n)) * v2[None, :]).sum(axis=1)
                res2 = _bf_residual(v2, p, inc, keep2, delta, need)
                if res2 < res:
                    v, keep, res = v2, keep2, res2
            if res <= max(tol, 1e-9):  # LP round-off is ~1e-12; anything larger is a wrong pattern
                return BaronFerejohnValues(readonly(v), readonly(keep), readonly(inc), True, tried, "", res)
    return BaronFerejohnValues(readonly(guess), readonly(np.full(n, np.nan)), readonly(np.eye(n)), False, tried,
                               f"no inclusion pattern of the {tried} searched (limit {BF_MAX_PATTERNS}) "
                               "passed the stationarity check", float("inf"))


def _bf_residual(v, p, inc, keep, delta, need) -> float:
    """Largest violation of the defining equations of a stationary equilibrium (0 when exact)."""
    n = len(p)
    off = ~np.eye(n, dtype=bool)
    worst = abs(v.sum() - 1.0)
    worst = max(worst, float(np.abs(np.diag(inc) - 1).max()), float(np.abs((inc * off).sum(axis=1) - need).max()),
                float(max(0.0, -inc.min(), inc.max() - 1.0)))
    # Included voters are paid exactly delta * v_j; the proposer keeps the rest.
    worst = max(worst, float(np.abs(keep - (1.0 - delta * (inc * off * v[None, :]).sum(axis=1))).max()))
    # Stationarity.
    rhs = p * keep + delta * v * (p[:, None] * inc * off).sum(axis=0)
    worst = max(worst, float(np.abs(rhs - v).max()))
    # Cheapest first: a voter bought with positive probability costs (delta * v_j) no more
    # than one left out.
    for k in range(n):
        bought = [j for j in range(n) if j != k and inc[k, j] > 1e-9]
        left = [j for j in range(n) if j != k and inc[k, j] < 1 - 1e-9]
        if bought and left:
            worst = max(worst, delta * float(v[bought].max() - v[left].min()))
    return worst


def _bf_values_given_inclusion(p, inc, delta):
    """Solve ``v_i = p_i (1 - delta sum_{j != i} pi_ij v_j) + delta v_i sum_{k != i} p_k pi_ki``
    for ``v`` with the inclusion probabilities fixed (a linear system); ``None`` if singular."""
    n = len(p)
    off = inc * ~np.eye(n, dtype=bool)
    a = np.eye(n) + delta * p[:, None] * off - np.diag(delta * (p[:, None] * off).sum(axis=0))
    try:
        v = np.linalg.solve(a, p)
    except np.linalg.LinAlgError:
        return None
    return v if np.all(np.isfinite(v)) else None


def _bf_guess(p, delta, need, max_iter):
    """Approximate values from an averaged (Mann) iteration of the best-response map; only used
    to order the pattern search, so it may stop anywhere."""
    n = len(p)
    v = p.copy()
    off = ~np.eye(n, dtype=bool)
    for it in range(1, max_iter + 1):
        inc = np.eye(n)
        for k in range(n):
            others = np.flatnonzero(off[k])
            cost = v[others]
            order = np.argsort(cost, kind="stable")
            cut = cost[order[need - 1]]
            below = others[cost < cut - 1e-13]
            tied = others[np.abs(cost - cut) <= 1e-13]
            inc[k, below] = 1.0
            inc[k, tied] = (need - len(below)) / len(tied)
        keep = 1.0 - delta * (inc * off * v[None, :]).sum(axis=1)
        new = p * keep + delta * v * (p[:, None] * inc * off).sum(axis=0)
        if np.abs(new - v).max() <= 1e-13:
            return new
        v = v + (new - v) / (1.0 + it / 20.0)
    return v


def _bf_patterns(p, guess):
    """Candidate patterns as tuples ``group[i]`` (group 0 cheapest): first those of the guess at
    growing tie tolerances, then every cut of the players sorted by recognition probability."""
    n = len(p)
    order = np.lexsort((np.arange(n), guess))
    for eps in (1e-9, 1e-6, 1e-4, 1e-3, 1e-2, 3e-2):
        group = np.empty(n, dtype=int)
        g = 0
        for rank, i in enumerate(order):
            if rank and guess[i] - guess[order[rank - 1]] > eps:
                g += 1
            group[i] = g
        yield tuple(int(x) for x in group)
    # Equal probabilities share a value (symmetry and uniqueness): one block per distinct p.
    levels = np.unique(p)
    block = np.searchsorted(levels, p)
    m = len(levels)
    # Bit b of a mask set: a new group starts between levels b and b + 1. Masks are tried by
    # how many cuts they change from the guess's (its ties are what the iteration gets wrong).
    level_guess = np.array([guess[block == b].mean() for b in range(m)])
    gaps = np.diff(level_guess)
    start = sum(1 << b for b in range(m - 1) if gaps[b] > 1e-3 * max(1.0, float(level_guess[-1])))
    masks = sorted(range(2 ** (m - 1)), key=lambda c: (bin(c ^ start).count("1"), c))
    for cuts in masks:
        gid = np.zeros(m, dtype=int)
        for b in range(m - 1):
            gid[b + 1] = gid[b] + ((cuts >> b) & 1)
        yield tuple(int(x) for x in gid[block])


def _bf_pattern_lp(group, p, delta, need, scale=None):
    """Exact stationary values with the players grouped by value as in ``group`` (0 cheapest).

    Each proposer fully buys the cheaper groups and part of the group where its votes run out.
    Writing ``y_kj = pi_kj * g(j)`` for those partial purchases makes the stationarity equations
    linear in ``(g, y)``, so one linear program finds them (with ``0 <= y_kj <= g(j)``, the right
    number of votes bought, and the groups in weakly increasing order). Returns
    ``(values, inclusion)`` or ``None`` when the pattern holds no equilibrium.

    ``scale`` (one positive number per group, e.g. the guessed values) rescales the unknowns so
    the LP works with numbers near 1: values of 1e-9 are below HiGHS's absolute tolerances, and
    ``pi = y / g`` read off unscaled variables of that size is noise.
    """
    from scipy.optimize import linprog

    n = len(p)
    m = int(group.max()) + 1
    full = np.zeros((n, n), dtype=bool)
    tied: list[tuple[int, int]] = []
    slots = {}
    for k in range(n):
        left = need
        for gi in range(m):
            members = [j for j in range(n) if j != k and group[j] == gi]
            if not members or left == 0:
                continue
            if len(members) <= left:
                full[k, members] = True
                left -= len(members)
            else:
                tied += [(k, j) for j in members]
                slots[k] = (gi, left)
                left = 0
    ny = len(tied)
    nv = m + ny  # variables: group values, then y
    a_eq, b_eq = [], []
    for i in range(n):
        row = np.zeros(nv)
        row[group[i]] += 1.0
        for j in range(n):
            if full[i, j]:
                row[group[j]] += p[i] * delta
        row[group[i]] -= delta * sum(p[k] for k in range(n) if k != i and full[k, i])
        for c, (k, j) in enumerate(tied):
            if k == i:
                row[m + c] += p[i] * delta
            if j == i:
                row[m + c] -= delta * p[k]
        a_eq.append(row)
        b_eq.append(p[i])
    for k, (gi, left) in slots.items():
        row = np.zeros(nv)
        for c, (kk, _) in enumerate(tied):
            if kk == k:
                row[m + c] = 1.0
        row[gi] -= left
        a_eq.append(row)
        b_eq.append(0.0)
    a_ub, b_ub = [], []
    for c, (k, j) in enumerate(tied):
        row = np.zeros(nv)
        row[m + c], row[group[j]] = 1.0, -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    for gi in range(m - 1):  # keep the groups in the order that decided who is cheaper
        row = np.zeros(nv)
        row[gi], row[gi + 1] = 1.0, -1.0
        a_ub.append(row)
        b_ub.append(0.0)
    # Column scaling: variable c stands for col[c] * (its value), so every unknown is near 1; then
    # each row is divided by its largest coefficient (or right-hand side).
    col = np.ones(nv)
    if scale is not None:
        col[:m] = scale
        col[m:] = [scale[group[j]] for _, j in tied]
    a_eq = np.array(a_eq) * col[None, :]
    b_eq = np.array(b_eq, dtype=float)
    norm = np.maximum(np.abs(a_eq).max(axis=1), np.abs(b_eq))
    norm[norm == 0] = 1.0
    a_eq, b_eq = a_eq / norm[:, None], b_eq / norm
    if a_ub:
        a_ub = np.array(a_ub) * col[None, :]
        a_ub = a_ub / np.maximum(np.abs(a_ub).max(axis=1), 1e-300)[:, None]
    res = linprog(np.zeros(nv), A_ub=a_ub if len(a_ub) else None, b_ub=np.zeros(len(a_ub)) if len(a_ub) else None,
                  A_eq=a_eq, b_eq=b_eq, bounds=[(0, None)] * nv, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        return None
    x = res.x * col
    g = x[:m]
    inc = np.eye(n) + full
    for k, (gi, left) in slots.items():
        cs = [c for c, (kk, _) in enumerate(tied) if kk == k]
        # pi = y / g, read in the scaled variables (y and g of one group share a column scale).
        pi = np.clip(res.x[[m + c for c in cs]] / res.x[gi], 0.0, 1.0) if res.x[gi] > 1e-12 else np.zeros(len(cs))
        if pi.sum() > 0:
            # y / g loses digits when g is tiny; the proposer still buys exactly ``left`` votes.
            pi = np.clip(pi * (left / pi.sum()), 0.0, 1.0)
        else:  # votes that cost nothing: any split is optimal; buy them uniformly
            pi = np.full(len(cs), left / len(cs))
        for c, x in zip(cs, pi):
            inc[k, tied[c][1]] = x
    return g[group], np.clip(inc, 0.0, 1.0)


def baron_ferejohn_solve(problem: BargainingProblem, discount: float = 0.95, recognition=None,
                         quota: int | None = None) -> BargainingSolution:
    """Baron-Ferejohn bargaining over the largest total gain of a problem, utility transferable.

    The pie is the utilitarian surplus ``max sum_i (u_i - d_i)``; each player's expected
    payoff is ``d_i + v_i * surplus`` with ``v`` from :func:`baron_ferejohn_values`. With side
    payments the point may lie outside the feasible set without transfers; ``details`` holds
    the agreement that creates the surplus (its lottery is the solution's lottery).

    Parameters
    ----------
    recognition : array (n,), optional
        Recognition probabilities; default the problem's powers.
    quota : int, optional
        Votes needed; default a simple majority ``n // 2 + 1`` (unanimity for two players).

    Examples
    --------
    >>> p = BargainingProblem.from_points([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0]], [0, 0, 0])
    >>> baron_ferejohn_solve(p, 0.9).point.round(6).tolist()
    [0.333333, 0.333333, 0.333333]
    """
    func = "baron_ferejohn_solve"
    problem = _check_problem(problem, func)
    _require_ir(problem, func)
    rec = problem.powers if recognition is None else np.asarray(recognition, dtype=float)
    bf = baron_ferejohn_values(rec, discount, quota)
    util = utilitarian_solve(problem)
    surplus = float(util.gains.sum())
    point = problem.disagreement + bf.values * surplus
    lam = np.array([util.lottery.get(lbl, 0.0) for lbl in problem.labels])
    sol = _finish("baron_ferejohn", problem, lam,
                  {"discount": float(discount), "recognition": rec, "quota": quota or problem.n_players // 2 + 1},
                  {"surplus": surplus, "values": bf.values, "proposer_shares": bf.proposer_shares,
                   "inclusion": bf.inclusion, "converged": bf.converged, "agreement_point": util.point,
                   "transferable_utility": True})
    return BargainingSolution(sol.method, problem, readonly(point), sol.lottery, sol.agreement, sol.frontier,
                              sol.params, sol.details)
