"""Equilibrium selection: Pareto filtering, payoff dominance and risk dominance.

These functions choose among equilibria that a solver already found; they compute none. Payoff
vectors are the ``payoffs`` field of :class:`~sim.result.Equilibrium`, one entry per player.

Definitions (Harsanyi and Selten 1988, chapter 3):

* ``p`` *Pareto dominates* ``q`` when ``p_i >= q_i`` for every player and ``p_i > q_i`` for one.
* An equilibrium is *payoff dominant* when it Pareto dominates every other equilibrium given.
  (Harsanyi and Selten ask for strict gains for every player; with two strict equilibria of a
  generic game the two notions agree.)
* In a 2x2 game with two strict pure equilibria ``A`` and ``B``, ``A`` *risk dominates* ``B``
  when the product of the two players' losses from deviating at ``A`` exceeds the product at
  ``B`` (Harsanyi and Selten 1988, section 3.9; equivalently ``A`` is each player's best reply
  to the 50-50 belief over the other's two actions when the game is reduced to its deviation
  losses).

Comparisons use a tolerance ``tol`` in payoff units: values closer than ``tol`` count as equal.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium

DEFAULT_TOL = 1e-9


def _payoff_matrix(func: str, equilibria: Sequence[Equilibrium]) -> np.ndarray:
    equilibria = list(equilibria)
    for k, e in enumerate(equilibria):
        if not isinstance(e, Equilibrium):
            raise SolverError(f"{func}(): every item must be an Equilibrium; got {type(e).__name__} at index {k}")
    sizes = {len(e.payoffs) for e in equilibria}
    if len(sizes) > 1:
        raise SolverError(f"{func}(): equilibria must have one number of players; got payoff lengths {sorted(sizes)}")
    if not equilibria:
        return np.zeros((0, 0))
    return np.array([np.asarray(e.payoffs, dtype=float) for e in equilibria])


def _check_tol(func: str, tol) -> None:
    if not (isinstance(tol, (int, float)) and np.isfinite(tol) and tol >= 0):
        raise SolverError(f"{func}(): tol must be a finite non-negative number; got {tol!r}")


def _dominates(p: np.ndarray, q: np.ndarray, tol: float) -> bool:
    """Whether payoff vector ``p`` Pareto dominates ``q`` (weakly everywhere, strictly once)."""
    return bool(np.all(p >= q - tol) and np.any(p > q + tol))


def pareto_filter(equilibria: Sequence[Equilibrium], tol: float = DEFAULT_TOL) -> list[Equilibrium]:
    """The equilibria whose payoff vectors no other equilibrium's payoff vector Pareto dominates.

    Order is kept; equilibria with equal payoff vectors are all kept (neither dominates).

    Parameters
    ----------
    equilibria : sequence of Equilibrium
    tol : float
        Payoff differences within ``tol`` (absolute) count as ties.

    Returns
    -------
    list of Equilibrium

    Examples
    --------
    Battle of the sexes: both pure equilibria survive, the mixed one (payoffs 2/3, 2/3) does not.

    >>> from sim.game import NormalFormGame
    >>> from sim.result import Equilibrium
    >>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> eqs = [Equilibrium.certify(g, p) for p in
    ...        [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([2/3, 1/3], [1/3, 2/3])]]
    >>> [e.pure_profile for e in pareto_filter(eqs)]
    [(0, 0), (1, 1)]
    """
    func = "pareto_filter"
    _check_tol(func, tol)
    equilibria = list(equilibria)
    P = _payoff_matrix(func, equilibria)
    return [e for k, e in enumerate(equilibria)
            if not any(_dominates(P[j], P[k], tol) for j in range(len(equilibria)) if j != k)]


def payoff_dominant(equilibria: Sequence[Equilibrium], tol: float = DEFAULT_TOL) -> Equilibrium | None:
    """The equilibrium that Pareto dominates every other one given, or ``None`` if there is none.

    Parameters
    ----------
    equilibria : sequence of Equilibrium
        At least one.
    tol : float
        Payoff differences within ``tol`` (absolute) count as ties; an equilibrium tied with
        another on every player's payoff does not dominate it, so then the answer is ``None``.

    Returns
    -------
    Equilibrium or None

    Examples
    --------
    Stag hunt (Rousseau; Skyrms 2004): (stag, stag) pays 4 each, (hare, hare) 3 each.

    >>> from sim.game import NormalFormGame
    >>> from sim.result import Equilibrium
    >>> g = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    >>> stag, hare = (Equilibrium.certify(g, p) for p in [([1, 0], [1, 0]), ([0, 1], [0, 1])])
    >>> payoff_dominant([hare, stag]) is stag
    True
    """
    func = "payoff_dominant"
    _check_tol(func, tol)
    equilibria = list(equilibria)
    if not equilibria:
        raise SolverError(f"{func}(): needs at least one equilibrium; got none")
    P = _payoff_matrix(func, equilibria)
    for k, e in enumerate(equilibria):
        if all(_dominates(P[k], P[j], tol) for j in range(len(equilibria)) if j != k):
            return e
    return None


def _pure_profile(func: str, game: NormalFormGame, eq, name: str) -> tuple[int, int]:
    if isinstance(eq, Equilibrium):
        profile = eq.pure_profile
        if profile is None:
            raise SolverError(f"{func}(): {name} must be a pure equilibrium; got support {eq.support}")
    else:
        try:
            profile = tuple(game.action_index(i, a) for i, a in enumerate(eq))
        except (TypeError, ValueError) as exc:
            raise SolverError(f"{func}(): {name} must be an Equilibrium or a pure profile of the game; "
                              f"got {eq!r} ({exc})") from None
        if len(profile) != 2:
            raise SolverError(f"{func}(): {name} must name one action per player; got {eq!r}")
    return tuple(int(a) for a in profile)


def risk_dominant(game: NormalFormGame, eq_a, eq_b, tol: float = DEFAULT_TOL):
    """Which of two strict pure equilibria of a 2x2 game risk dominates the other.

    Harsanyi and Selten (1988), section 3.9: at a strict equilibrium ``(r, c)`` of a 2x2 game,
    let ``d_1 = u_1(r, c) - u_1(r', c)`` and ``d_2 = u_2(r, c) - u_2(r, c')`` be the players'
    losses from deviating. The equilibrium with the larger product ``d_1 * d_2`` risk dominates.
    The comparison is unchanged by positive affine transformations of each player's payoffs.

    Parameters
    ----------
    game : NormalFormGame
        A two-player game with two actions each.
    eq_a, eq_b : Equilibrium or pair of actions
        Two different strict pure Nash equilibria of ``game`` (an ``Equilibrium`` or a pair of
        action indices or names).
    tol : float
        Deviation losses must exceed ``tol`` times the payoff scale (strictness); products within
        ``tol`` times the squared payoff scale count as a tie.

    Returns
    -------
    The argument (``eq_a`` or ``eq_b``) that risk dominates, or ``None`` on a tie.

    Raises
    ------
    SolverError
        When the game is not 2x2, an argument is not pure, not a strict equilibrium, or both name
        the same profile.

    Examples
    --------
    Stag hunt: stag is payoff dominant but hare risk dominant. At (stag, stag) each player loses
    4 - 3 = 1 by deviating (product 1); at (hare, hare) each loses 3 - 0 = 3 (product 9).

    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]],
    ...                                  actions=(("stag", "hare"), ("stag", "hare")))
    >>> risk_dominant(g, ("stag", "stag"), ("hare", "hare"))
    ('hare', 'hare')
    """
    func = "risk_dominant"
    _check_tol(func, tol)
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): game must be a NormalFormGame; got {type(game).__name__}")
    if game.shape != (2, 2):
        raise SolverError(f"{func}(): risk dominance is defined here for 2x2 games; got shape {game.shape}")
    pa = _pure_profile(func, game, eq_a, "eq_a")
    pb = _pure_profile(func, game, eq_b, "eq_b")
    if pa == pb:
        raise SolverError(f"{func}(): eq_a and eq_b must be different equilibria; both are {pa}")
    u = game.payoffs
    strict = tol * game.payoff_scale

    def losses(profile, name):
        r, c = profile
        d1 = float(u[r, c, 0] - u[1 - r, c, 0])
        d2 = float(u[r, c, 1] - u[r, 1 - c, 1])
        if d1 <= strict or d2 <= strict:
            raise SolverError(f"{func}(): {name} must be a strict Nash equilibrium; at profile {profile} "
                              f"the deviation losses are ({d1}, {d2})")
        return d1 * d2

    prod_a, prod_b = losses(pa, "eq_a"), losses(pb, "eq_b")
    if abs(prod_a - prod_b) <= tol * game.payoff_scale ** 2:
        return None
    return eq_a if prod_a > prod_b else eq_b
