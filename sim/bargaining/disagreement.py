"""Disagreement points computed from a game: a Nash equilibrium's payoffs or the minmax values.

What the players get if bargaining fails: the payoffs of a Nash equilibrium of the game they
would otherwise play (Nash 1953, "Two-person cooperative games", takes the threat game's
equilibrium; here the welfare-best equilibrium of the game as given), or each player's minmax
value, the least the others can hold it to (Fudenberg and Tirole 1991, section 5.1.1;
:func:`sim.minmax.minmax_values`). The equilibria come from
:func:`sim.solvers.stage.stage_equilibria`.

Examples
--------
>>> from sim.game import NormalFormGame
>>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
>>> disagreement_point(pd, "minmax")[0].tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from sim.errors import SolverError


def disagreement_point(game, source: str = "equilibrium", select: str = "welfare") -> tuple[np.ndarray, str]:
    """A disagreement point computed from a game, and a one-line account of how.

    Parameters
    ----------
    game : NormalFormGame or ExtensiveFormGame
        An extensive-form game is solved in its reduced normal form.
    source : {"equilibrium", "minmax"}
        ``equilibrium``: the payoffs of a pure Nash equilibrium; a game without one falls back to
        its mixed equilibria, the extreme ones for two players (enummixed) and the isolated ones
        for more (enumpoly), see :func:`sim.solvers.stage.stage_equilibria`.
        ``minmax``: the minmax values (:func:`sim.minmax.minmax_values`: mixed for two players,
        the punishers' correlated bound for more).
    select : {"welfare", "first"}
        Which equilibrium: the largest sum of payoffs (ties: the first), or the first (pure ones
        in lexicographic order of action indices). For two players the welfare-best extreme
        equilibrium is welfare-best among all equilibria: payoffs are bilinear on each convex
        component of equilibria, so their maximum is at a vertex.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> d, how = disagreement_point(pd)
    >>> d.tolist(), how
    ([1.0, 1.0], 'welfare-best pure Nash equilibrium (2,2)')

    Matching pennies has only a mixed equilibrium:

    >>> mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    >>> d, how = disagreement_point(mp)
    >>> (d.round(9) + 0.0).tolist(), how
    ([0.0, 0.0], 'welfare-best mixed Nash equilibrium')
    """
    func = "disagreement_point"
    from sim.game import NormalFormGame

    if not isinstance(game, NormalFormGame):
        from sim.extensive.reduced import reduced_normal_form

        game = reduced_normal_form(game)
    if source == "minmax":
        from sim.minmax import minmax_values

        m = minmax_values(game)
        return np.array(m.values), f"{m.kind} minmax values"
    if source != "equilibrium":
        raise SolverError(f"{func}(): source must be 'equilibrium' or 'minmax'; got {source!r}")
    if select not in ("welfare", "first"):
        raise SolverError(f"{func}(): select must be 'welfare' or 'first'; got {select!r}")
    from sim.solvers.stage import stage_equilibria

    found = stage_equilibria(game, mixed="if_no_pure")
    eqs, kind = found.equilibria, found.kind
    if not eqs:
        why = "" if found.complete else f" ({found.reason})"
        raise SolverError(f"{func}(): the game has no Nash equilibrium found to disagree at{why}; use source='minmax'")
    if select == "welfare":
        best = max(range(len(eqs)), key=lambda k: (float(eqs[k].payoffs.sum()), -k))
    else:
        best = 0
    e = eqs[best]
    where = ""
    if e.is_pure:
        where = " (" + ",".join(game.actions[i][a] for i, a in enumerate(e.pure_profile)) + ")"
    label = "welfare-best" if select == "welfare" else "first"
    among = "" if found.complete else " among those found (the mixed search was not exhaustive)"
    return np.array(e.payoffs), f"{label} {kind} Nash equilibrium{where}{among}"
