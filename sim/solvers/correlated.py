"""Correlated equilibria of N-player games by linear programming, and the vertices of their set.

A correlated equilibrium (Aumann 1974, "Subjectivity and correlation in randomized strategies",
Journal of Mathematical Economics 1: 67-96) is a distribution ``x`` over pure profiles such that
no player gains by disobeying a recommendation: for every player ``i`` and actions ``a != b``,

    sum over profiles r with r_i = a of x[r] * (u_i(b, r_-i) - u_i(a, r_-i)) <= 0.

With ``x >= 0`` and ``sum x = 1`` these *obedience constraints* describe a polytope, so the
welfare-maximising and the per-player extreme equilibria are linear programs (Gilboa and Zemel
1989), solved here with HiGHS through :func:`scipy.optimize.linprog`. Its vertices are enumerated
for small games after reducing to the polytope's affine hull (Nau, Gomez Canovas and Hansen 2004,
"On the geometry of Nash equilibria and correlated equilibria", International Journal of Game
Theory 32: 443-453, study these vertices).

Axis conventions are those of :mod:`sim.game`: a distribution has the shape
``(n_0, ..., n_{N-1})`` of the game's profiles; flattened, profiles are in C order.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, unit_payoffs
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9
MAX_VERTEX_PROFILES = 64


def obedience_matrix(game: NormalFormGame) -> np.ndarray:
    """Rows ``g`` with ``g @ x.ravel() <= 0`` for every correlated equilibrium ``x``.

    One row per player ``i`` and ordered pair of distinct actions ``(a, b)``: the expected gain
    of playing ``b`` whenever ``a`` is recommended. Shape ``(sum_i n_i (n_i - 1), n_profiles)``.

    Examples
    --------
    >>> from sim.game import NormalFormGame, unit_payoffs
    >>> g = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
    >>> obedience_matrix(g).shape
    (4, 4)
    """
    n = game.n_players
    rows = []
    for i in range(n):
        u = game.payoffs[..., i]
        own = np.indices(game.shape)[i]
        for a in range(game.shape[i]):
            for b in range(game.shape[i]):
                if a == b:
                    continue
                deviated = np.take(u, [b], axis=i)      # u_i(b, r_-i), broadcast along axis i
                gain = np.where(own == a, deviated - u, 0.0)
                rows.append(gain.ravel())
    if not rows:
        return np.zeros((0, game.n_profiles))
    return np.array(rows)


def _linprog(c, a_ub, b_ub, a_eq, b_eq, bounds, who):
    from scipy.optimize import linprog

    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"{who}: the linear program failed ({res.message})")
    return res


def _objective_vector(game: NormalFormGame, objective: str) -> tuple[np.ndarray, str]:
    """Cost vector to *minimise* and a normalised objective label."""
    welfare = game.payoffs.sum(axis=-1).ravel()
    if objective == "welfare":
        return -welfare, "welfare"
    if objective == "min_welfare":
        return welfare, "min_welfare"
    for prefix, sign in (("player:", -1.0), ("max:", -1.0), ("min:", 1.0)):
        if objective.startswith(prefix):
            name = objective[len(prefix):]
            try:
                i = game.player_index(name)
            except ValueError:
                raise SolverError(
                    f"correlated_solve(): objective {objective!r} names an unknown player; "
                    f"players are {list(game.players)}") from None
            label = ("min:" if sign > 0 else "max:") + game.players[i]
            return sign * game.payoffs[..., i].ravel(), label
    raise SolverError(
        "correlated_solve(): objective must be 'welfare', 'min_welfare', 'player:<name>', "
        f"'max:<name>', 'min:<name>', 'extremes' or 'vertices'; got {objective!r}")


def _unit_obedience(game: NormalFormGame) -> np.ndarray:
    """:func:`obedience_matrix` of the game with each player's payoffs mapped onto ``[0, 1]``:
    player ``i``'s rows divided by the player's scale. The polytope is the same; the LP sees
    numbers near 1 whatever the payoff unit (a player's 1e-300 is not read as 0)."""
    return obedience_matrix(game.with_payoffs(unit_payoffs(game.payoffs)))


def _optimise(game: NormalFormGame, objective: str) -> Equilibrium:
    cost, label = _objective_vector(game, objective)
    a_ub = _unit_obedience(game)
    # Shifting the cost by a constant and dividing it by a positive number keep the optimum (the
    # mass is 1): the LP sees a cost in [0, 1]; the value is measured on the game's units.
    spread = float(cost.max() * 0.5 - cost.min() * 0.5)
    unit_cost = (cost * 0.5 - cost.min() * 0.5) / spread if spread > 0 else np.zeros_like(cost)
    res = _linprog(unit_cost, a_ub if len(a_ub) else None, np.zeros(len(a_ub)) if len(a_ub) else None,
                   np.ones((1, game.n_profiles)), [1.0], (0, None), "correlated_solve()")
    x = np.clip(res.x, 0.0, None)
    x = x / x.sum()
    achieved = float(cost @ x)
    value = -achieved if label in ("welfare",) or label.startswith("max:") else achieved
    return Equilibrium.certify_correlated(game, x.reshape(game.shape), objective=label, value=value)


def correlated_solve(game: NormalFormGame, objective: str = "welfare") -> SolverResult:
    """Correlated equilibria by linear programming over the obedience constraints.

    Parameters
    ----------
    game : NormalFormGame
    objective : str
        ``"welfare"`` (maximise the sum of expected payoffs, the default), ``"min_welfare"``,
        ``"player:<name>"`` or ``"max:<name>"`` (maximise that player's expected payoff),
        ``"min:<name>"`` (minimise it), ``"extremes"`` (all of the above for every player, each
        distinct distribution once) or ``"vertices"`` (every vertex of the polytope of correlated
        equilibria; small games only, see :func:`correlated_vertices`).

    Returns
    -------
    SolverResult
        Each equilibrium is built by :meth:`Equilibrium.certify_correlated`: ``distribution`` is
        the joint distribution, ``profile`` its marginals and ``max_regret`` the measured largest
        gain from disobeying recommendations. LP optima carry ``details`` ``{"objective",
        "value"}``; for vertices the result's details hold the polytope's ``dimension``.

    Examples
    --------
    Chicken (Aumann 1974): the welfare-best correlated equilibrium puts 1/2 on mutual
    chickening out and 1/4 on each outcome where one dares, for payoffs (5.25, 5.25) above the
    symmetric Nash equilibrium's (14/3, 14/3).

    >>> from sim.game import NormalFormGame, unit_payoffs
    >>> chicken = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]],
    ...                                        actions=(("chicken", "dare"), ("chicken", "dare")))
    >>> eq = correlated_solve(chicken).equilibria[0]
    >>> eq.distribution.round(6).tolist(), eq.payoffs.round(6).tolist()
    ([[0.5, 0.25], [0.25, 0.0]], [5.25, 5.25])
    """
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"correlated_solve(): game must be a NormalFormGame; got {type(game).__name__}")
    if not isinstance(objective, str):
        raise SolverError(f"correlated_solve(): objective must be a string; got {objective!r}")
    params = {"objective": objective}
    if objective == "vertices":
        vertices, dimension = _vertices(game)
        eqs = tuple(Equilibrium.certify_correlated(game, v) for v in vertices)
        return SolverResult("correlated", game, eqs, params, complete=True,
                            details={"dimension": dimension, "n_vertices": len(eqs)})
    if objective == "extremes":
        labels = ["welfare", "min_welfare"]
        for p in game.players:
            labels += [f"max:{p}", f"min:{p}"]
        eqs, seen = [], []
        for label in labels:
            eq = _optimise(game, label)
            if not any(np.allclose(eq.distribution, d, atol=1e-9) for d in seen):
                seen.append(eq.distribution)
                eqs.append(eq)
        return SolverResult("correlated", game, tuple(eqs), params, complete=True)
    eq = _optimise(game, objective)
    return SolverResult("correlated", game, (eq,), params, complete=True,
                        details={"objective": eq.details["objective"], "value": eq.details["value"]})


def correlated_vertices(game: NormalFormGame, max_profiles: int = MAX_VERTEX_PROFILES) -> np.ndarray:
    """All vertices of the polytope of correlated equilibria, as distributions.

    The polytope ``{x >= 0, sum x = 1, obedience}`` is often lower-dimensional (Nau et al. 2004,
    section 6: a 4-dimensional polytope among 16 profiles). The method first finds its affine
    hull: a linear program maximises the smallest slack of the inequalities not yet known to be
    tight; if that is zero, the inequalities with positive dual multipliers are tight on the
    whole polytope (complementary slackness) and join the equalities, and it repeats. It ends
    with a relative interior point, from which the polytope is written in coordinates of its
    hull and its vertices found by half-space intersection (Qhull, through
    :class:`scipy.spatial.HalfspaceIntersection`).

    Parameters
    ----------
    game : NormalFormGame
    max_profiles : int
        Refuse games with more pure profiles (vertex counts grow very fast).

    Returns
    -------
    array, shape (n_vertices, n_0, ..., n_{N-1})

    Examples
    --------
    Nau et al. (2004), section 5: three players with two actions each, 8 vertices.

    >>> import numpy as np
    >>> from sim.game import NormalFormGame, unit_payoffs
    >>> u = np.zeros((2, 2, 2, 3))
    >>> u[0, 0, 0] = (0, 0, 2); u[1, 0, 0] = (3, 0, 0); u[0, 1, 0] = (0, 3, 0)
    >>> u[0, 0, 1] = (1, 1, 0); u[1, 1, 1] = (0, 0, 3)
    >>> len(correlated_vertices(NormalFormGame.from_payoffs(u)))
    8
    """
    if not isinstance(max_profiles, (int, np.integer)) or max_profiles < 1:
        raise SolverError(f"correlated_vertices(): max_profiles must be a positive integer; got {max_profiles!r}")
    if game.n_profiles > max_profiles:
        raise SolverError(
            f"correlated_vertices(): vertex enumeration is for games with at most {max_profiles} "
            f"pure profiles; got {game.n_profiles} (shape {game.shape})")
    return _vertices(game)[0]


def _vertices(game: NormalFormGame, tol: float = DEFAULT_TOL):
    from scipy.linalg import null_space
    from scipy.spatial import HalfspaceIntersection

    if game.n_profiles > MAX_VERTEX_PROFILES:
        raise SolverError(
            f"correlated_solve(): objective 'vertices' is for games with at most "
            f"{MAX_VERTEX_PROFILES} pure profiles; got {game.n_profiles} (shape {game.shape})")
    n_prof = game.n_profiles
    # All inequalities as g @ x <= 0: obedience rows, then -x <= 0. Rows are scaled to unit
    # length so one tolerance fits all.
    g = np.vstack([_unit_obedience(game), -np.eye(n_prof)])
    norms = np.linalg.norm(g, axis=1)
    g = g[norms > 0] / norms[norms > 0, None]
    tight = np.zeros(len(g), dtype=bool)
    ones = np.ones((1, n_prof))
    while True:
        free = np.flatnonzero(~tight)
        # Variables (x, t): maximise t subject to g_k x + t <= 0 for free k, g_k x = 0 for
        # tight k, sum x = 1, t <= 1.
        a_ub = np.hstack([g[free], np.ones((len(free), 1))])
        a_eq = np.vstack([np.hstack([g[tight], np.zeros((tight.sum(), 1))]),
                          np.hstack([ones, [[0.0]]])])
        b_eq = np.append(np.zeros(tight.sum()), 1.0)
        c = np.zeros(n_prof + 1)
        c[-1] = -1.0
        bounds = [(None, None)] * n_prof + [(None, 1.0)]
        res = _linprog(c, a_ub if len(free) else None, np.zeros(len(free)) if len(free) else None,
                       a_eq, b_eq, bounds, "correlated_vertices()")
        t = -res.fun
        if t > tol or len(free) == 0:
            x0 = res.x[:-1]
            break
        duals = -res.ineqlin.marginals
        newly = free[duals > tol]
        if len(newly) == 0:
            # Degenerate dual: fall back to testing each free inequality on its own.
            newly = np.array([k for k in free if _max_slack(g, tight, k, n_prof) <= tol], dtype=int)
            if len(newly) == 0:
                raise SolverError("correlated_vertices(): could not find the affine hull of the polytope")
        tight[newly] = True
    eq_rows = np.vstack([g[tight], ones]) if tight.any() else ones
    basis = null_space(eq_rows, rcond=1e-10)
    dimension = basis.shape[1]
    if dimension == 0:
        vertices = [x0]
    else:
        free = np.flatnonzero(~tight)
        a = g[free] @ basis                                    # inequalities in hull coordinates
        b = g[free] @ x0                                       # (< 0 at the interior point)
        keep = np.linalg.norm(a, axis=1) > tol
        a, b = a[keep], b[keep]
        if dimension == 1:
            # A segment: the end points are where the first inequality becomes tight.
            lo = max((-bk / ak[0] for ak, bk in zip(a, b) if ak[0] < 0), default=None)
            hi = min((-bk / ak[0] for ak, bk in zip(a, b) if ak[0] > 0), default=None)
            vertices = [x0 + lo * basis[:, 0], x0 + hi * basis[:, 0]]
        else:
            halfspaces = np.hstack([a, b[:, None]])
            hs = HalfspaceIntersection(halfspaces, np.zeros(dimension))
            vertices = [x0 + basis @ w for w in hs.intersections]
    out = []
    for v in vertices:
        v = np.clip(v, 0.0, None)
        v = v / v.sum()
        if not any(np.abs(v - w).max() <= 1e-7 for w in out):
            out.append(v)
    out.sort(key=lambda v: tuple(-v))
    return np.array(out).reshape(len(out), *game.shape), dimension


def _max_slack(g, tight, k, n_prof) -> float:
    """Largest slack of inequality ``k`` over the current hull (0 when it is tight everywhere)."""
    a_eq = np.vstack([g[tight], np.ones((1, n_prof))])
    b_eq = np.append(np.zeros(tight.sum()), 1.0)
    others = np.flatnonzero(~tight)
    res = _linprog(g[k], g[others], np.zeros(len(others)), a_eq, b_eq, [(None, None)] * n_prof,
                   "correlated_vertices()")
    return float(-res.fun)
