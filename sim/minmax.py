"""Minmax values of a normal-form game: the least the other players can hold each player to.

Player ``i``'s minmax value is ``min over the others' strategies of max over i's actions`` of its
payoff (Fudenberg and Tirole 1991, section 5.1.1): the floor of the individually rational
payoffs in repeated play (Fudenberg and Maskin 1986) and a disagreement point for bargaining.
``pure`` restricts the punishers to pure profiles; ``mixed`` lets them mix independently, exact
by linear programming for two players (one punisher: the value of a zero-sum game, von Neumann
1928); for more players independent mixing is not a linear program, so the ``correlated`` value
(punishers correlate; a linear program) is given as a lower bound. Always
``correlated <= mixed <= pure``.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``; values are
``(N,)`` arrays in player order.

Examples
--------
>>> from sim.game import NormalFormGame
>>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
>>> minmax_values(pd).values.tolist(), minmax_values(pd, "pure").punishments
([1.0, 1.0], ((1,), (1,)))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim._arrays import readonly
from sim.errors import SolverError
from sim.game import NormalFormGame

_MINMAX_KINDS = ("auto", "pure", "mixed", "correlated")


@dataclass(frozen=True, eq=False)
class MinmaxValues:
    """Each player's minmax value and the punishment that achieves it.

    Attributes
    ----------
    kind : str
        ``"pure"``, ``"mixed"`` (exact, two players) or ``"correlated"`` (punishers correlate: a lower
        bound on the mixed value for more than two players).
    values : array (N,)
    pure_values : array (N,)
        The pure minmax values, always computed (an upper bound on ``values``).
    punishments : tuple
        For each player ``i``, the punishers' strategy: for ``pure`` a tuple of the others' action
        indices; for ``mixed`` the punisher's probability vector; for ``correlated`` a joint
        distribution over the others' profiles, shape ``(n_j, ...)`` for ``j != i``.
    exact : bool
        True when ``values`` is the minmax value with independently mixing punishers (or the pure
        value when ``kind == "pure"``); False for the correlated bound with three or more players.
    """

    kind: str
    values: np.ndarray
    pure_values: np.ndarray
    punishments: tuple
    exact: bool


def _pure_minmax(game: NormalFormGame) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    values, punish = [], []
    for i in range(game.n_players):
        best = game.payoffs[..., i].max(axis=i)  # best reply payoff for each profile of the others
        flat = int(np.argmin(best))
        others = np.unravel_index(flat, best.shape) if best.ndim else ()
        values.append(float(best.reshape(-1)[flat]))
        punish.append(tuple(int(a) for a in others))
    return np.array(values), punish


def _lp_minmax(game: NormalFormGame, i: int) -> tuple[float, np.ndarray]:
    """min over distributions z of the others' profiles of max_a sum_z u_i(a, z) z: an LP."""
    from scipy.optimize import linprog

    u = np.moveaxis(game.payoffs[..., i], i, 0).reshape(game.shape[i], -1)  # (n_i, others)
    m = u.shape[1]
    # Variables (z_1..z_m, v): minimise v s.t. u z <= v, sum z = 1, z >= 0.
    c = np.r_[np.zeros(m), 1.0]
    a_ub = np.c_[u, -np.ones(u.shape[0])]
    a_eq = np.r_[np.ones(m), 0.0][None]
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(u.shape[0]), A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    if res.status != 0:  # cannot happen for a finite game; kept so a failure is never silent
        raise SolverError(f"minmax_values(): the minmax LP of player {game.players[i]!r} failed: {res.message}")
    z = np.clip(res.x[:m], 0.0, None)
    z = z / z.sum()
    others = tuple(n for j, n in enumerate(game.shape) if j != i)
    # Report the value measured on the punishment itself, not the LP's objective.
    return float((u @ z).max()), z.reshape(others) if others else z


def minmax_values(game: NormalFormGame, kind: str = "auto") -> MinmaxValues:
    """Minmax value of every player of a stage game.

    Parameters
    ----------
    game : NormalFormGame
    kind : {"auto", "pure", "mixed", "correlated"}
        ``auto`` gives ``mixed`` for two players and ``correlated`` for more. ``mixed`` is exact
        only for two players (refused otherwise); ``correlated`` lets the punishers correlate,
        a lower bound on the independent mixed value with three or more players (equal to it
        with two).

    Returns
    -------
    MinmaxValues

    Raises
    ------
    SolverError
        For an unknown ``kind`` or ``mixed`` with more than two players.

    Notes
    -----
    Pure minmax: ``min_{a_-i} max_{a_i} u_i``. Mixed minmax with one punisher is the value of the
    zero-sum game in which the punisher minimises the player's payoff, a linear program (von
    Neumann 1928; Fudenberg and Tirole 1991, section 5.1.1).

    Examples
    --------
    Matching pennies: pure punishment leaves 1, mixed punishment 0.

    >>> from sim.game import NormalFormGame
    >>> mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> m = minmax_values(mp)
    >>> m.kind, m.values.round(9).tolist(), m.pure_values.tolist()
    ('mixed', [0.0, 0.0], [1.0, 1.0])
    """
    func = "minmax_values"
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): the stage game must be a NormalFormGame; got {type(game).__name__}")
    if kind not in _MINMAX_KINDS:
        raise SolverError(f"{func}(): kind must be one of {list(_MINMAX_KINDS)}; got {kind!r}")
    if kind == "auto":
        kind = "mixed" if game.n_players == 2 else "correlated"
    if kind == "mixed" and game.n_players != 2:
        raise SolverError(f"{func}(): kind 'mixed' is exact for 2 players only (independent punishers "
                          f"make it non-linear); got {game.n_players} players; use 'correlated' or 'pure'")
    pure, pure_punish = _pure_minmax(game)
    if kind == "pure" or game.n_players == 1:
        return MinmaxValues("pure", readonly(pure), readonly(pure), tuple(pure_punish), True)
    values, punish = [], []
    for i in range(game.n_players):
        v, z = _lp_minmax(game, i)
        values.append(min(v, pure[i]))  # the LP is a relaxation of the pure problem
        punish.append(readonly(z))
    exact = game.n_players == 2
    return MinmaxValues(kind, readonly(values), readonly(pure), tuple(punish), exact)


__all__ = ["MinmaxValues", "minmax_values"]
