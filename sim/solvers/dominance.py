"""Iterated elimination of dominated strategies, N players, pure or mixed dominators.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``. For a player
``i`` the kernel works on the matrix ``M`` of shape ``(n_i, K)`` whose row ``a`` lists ``i``'s
payoffs of own action ``a`` against each of the ``K`` remaining pure profiles of the others
(``M = moveaxis(payoffs[..., i], i, 0).reshape(n_i, -1)`` over the remaining actions).

An action ``a`` of player ``i`` is *strictly dominated* when some mixture ``sigma`` over ``i``'s
other remaining actions earns strictly more than ``a`` against every remaining profile of the
others. Whether such a mixture exists is one linear programme (Fudenberg and Tirole 1991,
section 2.1; Osborne and Rubinstein 1994, definition 60.2; Myerson 1991, section 3.8):

    maximise eps  subject to  sigma @ M[others] - M[a] >= eps  (every column),
                              sum(sigma) = 1, sigma >= 0.

``a`` is dominated when the optimal ``eps`` is positive. The margin is then measured again on the
mixture the LP returned, so an elimination never rests on solver round-off.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, unit_payoffs
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9


def _player_matrix(payoffs: np.ndarray, keep: list[list[int]], i: int) -> np.ndarray:
    """Player ``i``'s payoffs over the remaining actions as ``(len(keep[i]), K)``."""
    sub = payoffs[np.ix_(*keep)][..., i]
    return np.moveaxis(sub, i, 0).reshape(len(keep[i]), -1)


def _pure_dominator(M: np.ndarray, a: int, weak: bool, threshold: float):
    """Best single action dominating row ``a``: ``(row, margin)`` or ``None``."""
    best = None
    for b in range(M.shape[0]):
        if b == a:
            continue
        diff = M[b] - M[a]
        if weak:
            ok = diff.min() >= -threshold and diff.max() > threshold
            margin = float(diff.sum())
        else:
            margin = float(diff.min())
            ok = margin > threshold
        if ok and (best is None or margin > best[1]):
            best = (b, margin)
    return best


def _margin(M: np.ndarray, a: int, sigma: np.ndarray, weak: bool) -> float:
    """The dominance margin of mixture ``sigma`` over row ``a`` of ``M``, in ``M``'s units."""
    diff = sigma @ M - M[a]
    return float(diff.sum() if weak else diff.min())


def _mixed_dominator(M: np.ndarray, a: int, weak: bool, threshold: float):
    """Mixture over the other rows dominating row ``a``: ``(sigma, margin)`` or ``None``.

    ``sigma`` has one entry per row of ``M`` (zero at ``a``). For strict dominance the LP
    maximises the smallest margin over the columns; for weak dominance it keeps every margin
    non-negative and maximises their sum (positive exactly when some margin is positive).
    """
    from scipy.optimize import linprog  # scipy is a core dependency; imported lazily for CLI start-up

    others = [b for b in range(M.shape[0]) if b != a]
    D = M[others] - M[a]  # (m, K): margin of each other row over row a, column by column
    m, k = D.shape
    if weak:
        # Variables sigma (m). Maximise sum_k (sigma @ D)_k  s.t.  sigma @ D >= 0.
        res = linprog(-D.sum(axis=1), A_ub=-D.T, b_ub=np.zeros(k), A_eq=np.ones((1, m)), b_eq=[1.0],
                      bounds=[(0, None)] * m, method="highs")
    else:
        # Variables (sigma, eps). Maximise eps  s.t.  eps - sigma @ D <= 0 per column.
        c = np.zeros(m + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-D.T, np.ones((k, 1))])
        res = linprog(c, A_ub=A_ub, b_ub=np.zeros(k), A_eq=np.hstack([np.ones((1, m)), [[0.0]]]),
                      b_eq=[1.0], bounds=[(0, None)] * m + [(None, None)], method="highs")
    if res.status != 0:
        # Infeasible only in the weak case (no mixture weakly above row a): not dominated.
        return None
    sigma = np.clip(res.x[:m], 0.0, None)
    sigma /= sigma.sum()
    # Re-measure on the mixture actually returned: the verdict must not rest on LP tolerances.
    margins = sigma @ D
    if weak:
        ok = margins.min() >= -threshold and margins.max() > threshold
        margin = float(margins.sum())
    else:
        margin = float(margins.min())
        ok = margin > threshold
    if not ok:
        return None
    full = np.zeros(M.shape[0])
    full[others] = sigma
    return full, margin


def dominance_solve(game: NormalFormGame, mixed: bool = True, weak: bool = False,
                    tol: float = DEFAULT_TOL) -> SolverResult:
    """Iterated elimination of dominated actions.

    Each round finds, for every player, all actions dominated in the game that remains at the
    start of the round, and removes them together; rounds repeat until none is dominated.
    For strict dominance the game that survives does not depend on the order of elimination
    (Gilboa, Kalai and Zemel 1990; Osborne and Rubinstein 1994, section 4.2), and no Nash
    equilibrium of the game plays an eliminated action. For weak dominance (``weak=True``)
    the survivors may depend on the order; this function uses the simultaneous order above.

    Parameters
    ----------
    game : NormalFormGame
    mixed : bool
        Whether mixtures of the player's other actions may dominate (one LP per candidate,
        scipy's HiGHS); with ``False`` only single actions dominate.
    weak : bool
        Weak instead of strict dominance: at least as good against every remaining profile of the
        others and strictly better against one.
    tol : float
        Margins count as positive above ``tol`` times the player's own payoff scale.

    Returns
    -------
    SolverResult
        ``details["reduced_game"]`` is the surviving game (``game.restrict``),
        ``details["surviving"]`` the surviving action indices per player, and
        ``details["eliminated"]`` the elimination order: dicts with ``player``, ``action``
        (names), ``round`` (from 1), ``dominated_by`` (``{action name: probability}``, a mixture
        over the actions that remained at the start of that round) and ``margin`` (the measured
        smallest gain for strict dominance, the summed gain for weak). When one profile survives
        it is the only equilibrium returned (for strict dominance the game's unique Nash
        equilibrium, so ``complete=True``); otherwise no equilibrium is returned and
        ``complete=False``.

    Examples
    --------
    An action dominated only by a mixture (Fudenberg and Tirole 1991, figure 2.1 style):

    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [0, 3], [1, 1]], [[1, 0], [0, 1], [0, 0]],
    ...                                  actions=(("U", "M", "D"), ("L", "R")))
    >>> r = dominance_solve(g, mixed=False)
    >>> r.details["eliminated"]
    []
    >>> r = dominance_solve(g)
    >>> [(e["player"], e["action"], e["dominated_by"]) for e in r.details["eliminated"]]
    [('1', 'D', {'U': 0.5, 'M': 0.5})]
    >>> r.details["reduced_game"].actions
    (('U', 'M'), ('L', 'R'))
    """
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"dominance_solve(): game must be a NormalFormGame; got {type(game).__name__}")
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise SolverError(f"dominance_solve(): tol must be a finite non-negative number; got {tol!r}")
    # Each player's payoffs mapped onto [0, 1]: margins are judged against tol times the player's
    # own scale (a player's payoffs of 1e-300 count as much as another's of 1e300), and the LPs
    # see well-scaled numbers; margins are reported in the game's units.
    unit = unit_payoffs(game.payoffs)
    threshold = float(tol)
    keep = [list(range(n)) for n in game.shape]
    eliminated: list[dict] = []
    round_no = 0
    while True:
        round_no += 1
        removals: list[tuple[int, list[int]]] = []
        for i in range(game.n_players):
            if len(keep[i]) < 2:
                continue
            M = _player_matrix(unit, keep, i)
            dropped = []
            for a in range(M.shape[0]):
                if mixed and M.shape[0] > 2:
                    found = _mixed_dominator(M, a, weak, threshold)
                else:
                    # With two actions a mixture is just the other action: skip the LP.
                    pure = _pure_dominator(M, a, weak, threshold)
                    found = None if pure is None else (np.eye(M.shape[0])[pure[0]], pure[1])
                if found is None:
                    continue
                sigma, margin = found
                dropped.append(a)
                eliminated.append({
                    "player": game.players[i],
                    "action": game.actions[i][keep[i][a]],
                    "round": round_no,
                    "dominated_by": {game.actions[i][keep[i][b]]: float(p)
                                     for b, p in enumerate(sigma) if p > 0},
                    "margin": _margin(_player_matrix(game.payoffs, keep, i), a, sigma, weak),
                })
            if len(dropped) == len(keep[i]):
                # Cannot happen in exact arithmetic (a best reply to some belief survives); guard
                # against tolerance artefacts rather than leave a player with no action.
                raise SolverError(
                    f"dominance_solve(): every action of player {game.players[i]!r} was found dominated "
                    f"at tol={tol}; payoffs are too close to the tolerance")
            removals.append((i, dropped))
        if not any(d for _, d in removals):
            break
        # Remove after all players were examined: every verdict of a round refers to one game.
        for i, dropped in removals:
            keep[i] = [x for j, x in enumerate(keep[i]) if j not in set(dropped)]

    reduced = game.restrict(keep)
    equilibria = ()
    if reduced.n_profiles == 1:
        profile = [np.eye(n)[k[0]] for n, k in zip(game.shape, keep)]
        equilibria = (Equilibrium.certify(game, profile, method="dominance"),)
    complete = bool(equilibria) and not weak
    return SolverResult(
        "dominance", game, equilibria,
        {"mixed": mixed, "weak": weak, "tol": tol},
        complete=complete,
        details={"reduced_game": reduced, "surviving": [tuple(k) for k in keep],
                 "eliminated": eliminated, "rounds": round_no - 1},
    )
