"""Two-player zero-sum (and constant-sum) games by linear programming.

Conventions: the row player (player 0) has payoff matrix ``A = payoffs[..., 0]`` of shape
``(m, n)``; the game is constant-sum when ``A + B`` is one constant ``c`` everywhere (zero-sum
when ``c = 0``). The value reported is the row player's; the column player's is ``c - value``.

Reference
---------
J. von Neumann (1928), "Zur Theorie der Gesellschaftsspiele", Math. Annalen 100; the LP
formulation is that of G. B. Dantzig (1951), "A proof of the equivalence of the programming
problem and the game problem", in Koopmans (ed.), Activity Analysis of Production and Allocation.
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, unit_payoffs
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9


def _maximin(M: np.ndarray, func: str) -> tuple[np.ndarray, float]:
    """Mixed strategy ``x`` of the maximiser of ``x^T M y`` and the value ``max_x min_j (x^T M)_j``.

    Variables ``(x_0..x_{m-1}, v)``: maximise ``v`` subject to ``v <= (M^T x)_j`` for every column
    ``j``, ``sum x = 1``, ``x >= 0``, ``v`` free.
    """
    from scipy.optimize import linprog

    m, n = M.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((n, 1))])
    A_eq = np.concatenate([np.ones(m), [0.0]])[None, :]
    bounds = [(0, None)] * m + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
    if res.status != 0:
        raise SolverError(f"{func}(): the linear program failed ({res.message})")
    x = np.clip(res.x[:m], 0.0, None)
    return x / x.sum(), float(res.x[-1])


def lp_solve(game: NormalFormGame, tol: float = DEFAULT_TOL) -> SolverResult:
    """Value and optimal (maximin) strategies of a two-player zero-sum or constant-sum game.

    Solves the row player's maximin LP and the column player's minimax LP with HiGHS through
    ``scipy.optimize.linprog`` (von Neumann's minimax theorem; Dantzig 1951). The pair of optimal
    strategies is a Nash equilibrium, and every Nash equilibrium of the game gives the row player
    the same value. The LPs are solved on the row player's payoffs mapped onto ``[0, 1]``, so the
    answer does not depend on the payoff unit (1e-300 or 1e300).

    Parameters
    ----------
    game : NormalFormGame
        A two-player game with ``A + B`` constant.
    tol : float
        ``A + B`` counts as constant when it varies by at most ``tol`` times the payoff scale.

    Returns
    -------
    SolverResult
        ``method="lp"``, one certified equilibrium; ``details`` holds ``"value"`` (the row
        player's value), ``"constant"`` (``c`` in ``A + B = c``) and ``"values"`` (both players').

    Raises
    ------
    SolverError
        When the game has not two players, or is not constant-sum (naming the largest ``|A + B|``).

    Examples
    --------
    >>> from sim.game import NormalFormGame, unit_payoffs
    >>> pennies = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> result = lp_solve(pennies)
    >>> round(result.details["value"], 9), result.equilibria[0].profile[0].round(6).tolist()
    (0.0, [0.5, 0.5])
    """
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"lp_solve(): game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players != 2:
        raise SolverError(f"lp_solve(): needs a 2-player game; got {game.n_players} players")
    if not (isinstance(tol, (int, float)) and 0 <= tol < 1e-3):
        raise SolverError(f"lp_solve(): tol must be a number in [0, 1e-3); got {tol!r}")
    A, B = game.payoffs[..., 0], game.payoffs[..., 1]
    total = A + B
    lo, hi = float(total.min()), float(total.max())
    if hi - lo > tol * game.payoff_scale:
        idx = np.unravel_index(int(np.argmax(np.abs(total))), total.shape)
        raise SolverError(
            "lp_solve(): the game must be zero-sum or constant-sum (A + B constant); "
            f"A + B ranges over [{lo:g}, {hi:g}], largest |A + B| is {float(total[idx]):g} "
            f"at actions {tuple(int(i) for i in idx)}"
        )
    constant = float(np.median(total))
    # The LPs see A mapped onto [0, 1]: HiGHS's absolute tolerances then mean "relative to the
    # payoff scale", and payoffs of 1e-300 or 1e300 are neither ignored nor overflowing.
    lo, spread = float(A.min()), float(game.player_scales[0])
    M = unit_payoffs(A[..., None])[..., 0]
    x, value_row = _maximin(M, "lp_solve")
    # The column player maximises 1 - M (its payoff up to a positive affine map): maximin of (1 - M)^T.
    y, col_value = _maximin(1.0 - M.T, "lp_solve")
    unit_value = 0.5 * (value_row + 1.0 - col_value)  # both LPs give the value; average their round-off
    value = lo + unit_value * spread
    eq = Equilibrium.certify(game, (x, y))
    return SolverResult(
        "lp", game, (eq,), {"tol": tol}, complete=True,
        details={"value": value, "constant": constant, "values": (value, constant - value)},
    )
