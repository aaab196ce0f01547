"""Pure-strategy Nash equilibria of N-player games, batched over a leading axis.

A pure profile is an equilibrium when every player's payoff there is within ``tol`` of the best
payoff the player can get by changing only its own action. Batched kernel: ``enumpure_batch``
takes ``(B, n_0, ..., n_{N-1}, N)`` and returns a boolean mask ``(B, n_0, ..., n_{N-1})``.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9


def enumpure_batch(payoffs: np.ndarray, tol: float = DEFAULT_TOL) -> np.ndarray:
    """Mask of the pure Nash equilibria of each game in a batch.

    Parameters
    ----------
    payoffs : array, shape (B, n_0, ..., n_{N-1}, N)
    tol : float
        Absolute tolerance: a player's payoff counts as best when it is at least the best
        deviation payoff minus ``tol`` (scale the tolerance to the payoffs when needed).

    Returns
    -------
    array of bool, shape (B, n_0, ..., n_{N-1})

    Examples
    --------
    >>> import numpy as np
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> enumpure_batch(pd[None]).nonzero()
    (array([0]), array([1]), array([1]))
    """
    payoffs = np.asarray(payoffs)
    if payoffs.ndim < 3 or payoffs.shape[-1] != payoffs.ndim - 2:
        raise SolverError(
            f"enumpure_batch(): payoffs must have shape (B, n_0, ..., n_(N-1), N); got {payoffs.shape}"
        )
    n_players = payoffs.shape[-1]
    mask = None
    for i in range(n_players):
        u = payoffs[..., i]
        best = u.max(axis=1 + i, keepdims=True)
        ok = u >= best - tol
        mask = ok if mask is None else (mask & ok)
    return mask


def enumpure_solve(game: NormalFormGame, tol: float = DEFAULT_TOL) -> SolverResult:
    """All pure-strategy Nash equilibria of an N-player game.

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Tolerance relative to the game's payoff scale.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(1, 1)]
    """
    if tol < 0:
        raise SolverError(f"enumpure_solve(): tol must be non-negative; got {tol}")
    mask = enumpure_batch(game.payoffs[None], tol * game.payoff_scale)[0]
    equilibria = []
    for idx in zip(*np.nonzero(mask)):
        profile = [np.eye(n)[a] for n, a in zip(game.shape, idx)]
        equilibria.append(Equilibrium.certify(game, profile))
    return SolverResult("enumpure", game, tuple(equilibria), {"tol": tol}, complete=True)
