"""The Nash equilibria of a stage game: pure ones, and mixed ones where a mixed solver applies.

Repeated play (the stage equilibria Nash reversion returns to), subgame perfection (each
subgame's equilibria, composed bottom-up) and bargaining (the equilibrium disagreement point) all
ask the same question of a normal-form game. :func:`stage_equilibria` answers it once:

1. every pure equilibrium (:func:`sim.solvers.pure.enumpure_solve`; Nash 1951);
2. then, when asked (``mixed="always"``) or when there is no pure one (``mixed="if_no_pure"``),
   and at least two players have a choice, the mixed ones: two players, every extreme
   equilibrium by vertex enumeration (:func:`sim.solvers.mixed.enummixed_solve`; Avis, Rosenberg,
   Savani and von Stengel 2010); more players, every isolated equilibrium by support enumeration
   (:func:`sim.solvers.poly.enumpoly_solve`; McKelvey and McLennan 1996) when the game has at most
   ``max_support_profiles`` support profiles.

With at most one player having a choice, every equilibrium is a mixture of that player's tied
pure best replies, so the pure ones are the extreme ones and no mixed search is needed.

The result says which solvers ran and whether the set is complete: every pure equilibrium, and,
when the mixed search ran, every extreme (two players) or isolated (more) equilibrium.

Axis conventions are those of :mod:`sim.game`: payoffs ``(n_0, ..., n_{N-1}, N)``.

Examples
--------
Matching pennies has no pure equilibrium, so the mixed one is looked for:

>>> from sim.game import NormalFormGame
>>> mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
>>> r = stage_equilibria(mp, mixed="if_no_pure")
>>> r.kind, r.solvers, r.complete, [e.profile[0].round(9).tolist() for e in r.equilibria]
('mixed', ('enumpure', 'enummixed'), True, [[0.5, 0.5]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, player_regrets

#: Regret tolerance, relative to each player's own payoff scale, that an equilibrium from a mixed
#: solver must meet for every player to be kept (every solver certifies its own; this guards the callers that compose them).
REGRET_TOL = 1e-7
#: How :func:`stage_equilibria` decides to look for mixed equilibria.
MIXED_RULES = ("always", "if_no_pure", "never")


@dataclass(frozen=True, eq=False)
class StageEquilibria:
    """The Nash equilibria of a stage game found by :func:`stage_equilibria`.

    Attributes
    ----------
    game : NormalFormGame
    equilibria : tuple of Equilibrium
        The pure equilibria (lexicographic order of action indices), then the mixed ones the
        mixed solver found that are not among them.
    solvers : tuple of str
        The solvers that ran: ``("enumpure",)``, or with ``"enummixed"`` / ``"enumpoly"``, or
        with ``"lcp"`` / ``"logit"`` when the exhaustive mixed search was skipped or refused, no
        pure equilibrium exists, and one equilibrium was looked for instead (then ``complete``
        is False).
    complete : bool
        True when ``equilibria`` holds every pure equilibrium and, if a mixed search was asked
        for and needed, every extreme (two players) or isolated (more players) equilibrium
        (with ``atol``: of the game with the ties ``atol`` allows made exact, each kept when its
        regret on the game is within the bound). False when the mixed search was refused (too large) or was not exhaustive (enumpoly met
        a continuum or lost a path).
    reason : str
        Empty when ``complete``; otherwise why not.
    n_pure : int or None
        How many pure equilibria the game has (counted even when ``max_equilibria`` kept them
        from being listed); None when not counted.
    """

    game: NormalFormGame
    equilibria: tuple[Equilibrium, ...]
    solvers: tuple[str, ...]
    complete: bool
    reason: str = ""
    n_pure: int | None = None

    @property
    def kind(self) -> str:
        """``"none"`` (no equilibrium found), ``"pure"`` (all pure) or ``"mixed"`` (some mixed)."""
        if not self.equilibria:
            return "none"
        return "pure" if all(e.is_pure for e in self.equilibria) else "mixed"


def stage_equilibria(game: NormalFormGame, *, tol: float = 1e-9, mixed: str = "always",
                     max_support_profiles: int | None = None,
                     max_vertices: int | None = None, max_equilibria: int | None = None,
                     max_continua: int | None = None, atol=None) -> StageEquilibria:
    """Pure Nash equilibria of a normal-form game, and its mixed ones where a mixed solver applies.

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Tolerance of the pure search, relative to the payoff scale
        (:func:`sim.solvers.pure.enumpure_solve`). The mixed solvers use their own defaults.
    mixed : {"always", "if_no_pure", "never"}
        When to look for mixed equilibria: always (a subgame's equilibria, all of which subgame
        perfection composes), only when there is no pure one (a stage equilibrium to revert or
        disagree at), or never.
    max_support_profiles : int, optional
        With more than two players, skip the mixed search (``complete=False``) when the game has
        more support profiles than this (``prod(2**n_i - 1)``); default enumpoly's own limit.
    max_vertices : int, optional
        With two players, skip vertex enumeration (``complete=False``) when the game's
        best-response polytopes may have more vertices than this
        (:func:`sim.solvers.budget.bimatrix_vertex_bound`, from the shape alone); default
        :data:`sim.solvers.budget.MAX_VERTICES`. Whenever the mixed search is skipped or refused
        and the game has no pure equilibrium, one equilibrium is looked for instead
        (:func:`_one_equilibrium`): the answer comes in bounded time, never empty for want of
        work, and ``reason`` says why it may not be every equilibrium.
    max_equilibria : int, optional
        When the game has more pure equilibria than this, list only the first ``max_equilibria``
        of them, skip the mixed search and return ``complete=False`` (``n_pure`` still counts
        them all). Pure equilibria are counted before any is built, so a tie-rich game (every
        profile of an all-zero game is an equilibrium) costs no memory per profile. Default: no limit.
    max_continua : int, optional
        With more than two players, the most continua components enumpoly traces
        (:func:`sim.solvers.poly.enumpoly_solve`); default its own limit.
    atol : array (N,), optional
        Each player's largest gain from deviating that still counts as a tie, in payoff units, in
        place of ``tol`` times the player's own scale (:func:`sim.solvers.pure.enumpure_solve`): for
        a game cut out of a larger one (a subgame) whose ties are judged on the larger game's
        scale. The mixed solvers judge ties on the game's own scale, where payoffs a round-off
        apart can differ by the whole spread; so the mixed search runs on a copy whose payoffs
        within ``atol`` of each other are made equal (:func:`_merge_ties`), and each equilibrium
        it finds is measured again on ``game``. A mixed equilibrium found is kept when each
        player's regret on ``game`` is within that player's own bound: ``REGRET_TOL`` times its
        own scale, or its ``atol`` when larger. Without ``atol`` the game is searched as given.

    Returns
    -------
    StageEquilibria

    Raises
    ------
    SolverError
        For a game that is not a :class:`~sim.game.NormalFormGame` or an unknown ``mixed`` rule.

    Examples
    --------
    Battle of the sexes: two pure equilibria and a mixed one.

    >>> from sim.game import NormalFormGame
    >>> bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    >>> [e.pure_profile for e in stage_equilibria(bos).equilibria]
    [(0, 0), (1, 1), None]
    >>> stage_equilibria(bos, mixed="if_no_pure").solvers
    ('enumpure',)

    Column's payoffs are equal but for 1e-8 of noise: on the game's own scale it strictly prefers
    to mismatch, and only the pure equilibria and one mixed one are left; with ``atol`` 1e-6 (a
    tie on a larger game's scale) the noise is a tie, and the two extreme equilibria where Column
    mixes one half against either row are found too.

    >>> noisy = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 1e-8], [1e-8, 0]])
    >>> [e.profile[1].round(9).tolist() for e in stage_equilibria(noisy).equilibria]
    [[0.5, 0.5]]
    >>> [(e.profile[0].tolist(), e.profile[1].tolist()) for e in stage_equilibria(noisy, atol=[1e-6, 1e-6]).equilibria]
    [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]), ([1.0, 0.0], [0.5, 0.5]), ([0.0, 1.0], [0.5, 0.5])]
    """
    func = "stage_equilibria"
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"{func}(): needs a NormalFormGame; got {type(game).__name__}")
    if mixed not in MIXED_RULES:
        raise SolverError(f"{func}(): mixed must be one of {list(MIXED_RULES)}; got {mixed!r}")
    from sim.solvers.pure import check_atol, enumpure_solve

    if atol is not None:
        atol = check_atol(atol, game.n_players, func)
    pure = enumpure_solve(game, tol=tol, max_equilibria=max_equilibria, atol=atol)
    eqs, n_pure = list(pure.equilibria), pure.details["count"]
    if not pure.complete:
        return StageEquilibria(game, tuple(eqs), ("enumpure",), False,
                               f"{func}(): {pure.details['incomplete_reason']}; the mixed search was not run",
                               n_pure)
    if mixed == "never" or (mixed == "if_no_pure" and eqs) or sum(n > 1 for n in game.shape) < 2:
        return StageEquilibria(game, tuple(eqs), ("enumpure",), True, "", n_pure)
    # The mixed solvers read ties on the game's own scale: give them the game with atol's ties
    # made exact, and measure what they find on the game itself below.
    search = game
    if atol is not None:
        merged = _merge_ties(game.payoffs, atol)
        if not np.array_equal(merged, game.payoffs):  # nothing to merge: nothing to measure again
            search = game.with_payoffs(merged)
    if game.n_players == 2:
        from sim.solvers.budget import MAX_VERTICES, bimatrix_vertex_bound
        from sim.solvers.mixed import enummixed_solve

        solver = "enummixed"
        limit = MAX_VERTICES if max_vertices is None else int(max_vertices)
        vertices = bimatrix_vertex_bound(*game.shape)
        if vertices > limit:
            found, complete = (), False
            reason = (f"{func}(): vertex enumeration was not started: the {game.shape[0]}x{game.shape[1]} game's "
                      f"best-response polytopes may have up to {vertices:.3g} vertices, over "
                      f"max_vertices={limit:,}")
        else:
            try:
                found, complete, reason = enummixed_solve(search).equilibria, True, ""
            except SolverError as exc:  # a degenerate game too large to enumerate
                found, complete, reason = (), False, str(exc)
        if not complete and not eqs:
            solver, found = _one_equilibrium(search)
    else:
        from sim.solvers.poly import MAX_SUPPORT_PROFILES, enumpoly_solve

        solver = "enumpoly"
        limit = MAX_SUPPORT_PROFILES if max_support_profiles is None else int(max_support_profiles)
        supports = math.prod(2 ** n - 1 for n in game.shape)
        if supports > limit:
            found, complete = (), False
            reason = (f"{func}(): the mixed search was skipped: {supports:,} support profiles, over "
                      f"max_support_profiles={limit:,}")
            if not eqs:
                solver, found = _one_equilibrium(search)
        else:
            extra = {} if max_continua is None else {"max_continua": int(max_continua)}
            result = enumpoly_solve(search, max_support_profiles=limit, **extra)
            found, complete = result.equilibria, result.complete
            reason = ("" if complete else result.details.get("incomplete_reason")
                      or f"{func}(): enumpoly met a continuum of equilibria or lost a path")
    seen = {e.pure_profile for e in eqs}
    # Each player's regret against that player's own bound: REGRET_TOL times its own scale (plus
    # round-off), or its own atol when larger -- never another player's, whose units may differ.
    bound = game.regret_tolerances(REGRET_TOL)
    if atol is not None:  # a regret within the larger game's tie tolerance is no regret there either
        bound = np.maximum(bound, np.asarray(atol, dtype=float))
    for e in found:
        if search is not game:  # payoffs and regrets on the game asked about, not the merged copy
            e = Equilibrium.certify(game, e.profile, **e.details)
        regrets = player_regrets(game, e)
        if (regrets is not None and np.all(regrets <= bound)
                and (not e.is_pure or e.pure_profile not in seen)):
            eqs.append(e)
    return StageEquilibria(game, tuple(eqs), ("enumpure", solver), complete, reason, n_pure)


def _merge_ties(payoffs, atol) -> np.ndarray:
    """``payoffs`` ``(n_0, ..., N)`` with each player's values that ``atol`` calls tied made equal.

    Per player ``i``: its distinct payoff values, sorted, fall into runs whose consecutive gaps
    are at most ``atol[i]``; each run whose width (largest minus smallest) is at most ``atol[i]``
    becomes one value, its midpoint. Ties are not transitive (0, 0.6, 1.2 with ``atol`` 1: 0 and
    1.2 are no tie), so a wider run is cut at its largest gap, and the pieces again, until each
    is at most ``atol[i]`` wide (single-linkage clustering cut where the values are furthest
    apart; noise clusters, whose gaps are the smallest, are never cut). Hence:

    * only values within ``atol[i]`` of each other are merged, so no value moves by more than
      ``atol[i] / 2`` and a profile's regret changes by at most ``atol[i]`` for that player;
    * the order is kept (``a <= b`` stays ``new(a) <= new(b)``) and equal values stay equal;
    * a value more than ``atol[i]`` from every other is unchanged, and so is everything when
      ``atol[i]`` is 0.

    Examples
    --------
    Player 0's 1 and 1 + 1e-12 become one value, its 5 stays; player 1's chain 0, 0.5, 1.2 (gaps
    within its ``atol`` of 1, width 1.2) is cut at its larger gap: 0 and 0.5 merge, 1.2 stays.

    >>> pay = np.array([[[1.0, 0.0], [1.0 + 1e-12, 0.5]], [[5.0, 1.2], [1.0, 1.2]]])
    >>> out = _merge_ties(pay, [1e-9, 1.0])
    >>> out[..., 0].tolist(), out[..., 1].tolist()
    ([[1.0000000000005, 1.0000000000005], [5.0, 1.0000000000005]], [[0.25, 0.25], [1.2, 1.2]])
    """
    pay = np.array(payoffs, dtype=float)
    tol = np.broadcast_to(np.asarray(atol, dtype=float), (pay.shape[-1],))
    for i, a in enumerate(tol):
        values, where = np.unique(pay[..., i], return_inverse=True)
        if not a > 0 or len(values) < 2:
            continue
        gaps = np.diff(values)
        merged = values.copy()
        cuts = np.flatnonzero(gaps > a)  # run k is values[starts[k]:stops[k] + 1]
        starts, stops = np.concatenate([[0], cuts + 1]), np.concatenate([cuts, [len(values) - 1]])
        pieces = [(lo, hi) for lo, hi in zip(starts.tolist(), stops.tolist()) if hi > lo]
        while pieces:
            lo, hi = pieces.pop()
            # Halves: the midpoint of values near +-1.8e308 does not overflow.
            if values[hi] * 0.5 - values[lo] * 0.5 <= a * 0.5:
                merged[lo:hi + 1] = values[lo] * 0.5 + values[hi] * 0.5
            else:
                k = lo + int(np.argmax(gaps[lo:hi]))  # cut between values[k] and values[k + 1]
                pieces.extend(p for p in ((lo, k), (k + 1, hi)) if p[1] > p[0])
        pay[..., i] = merged[where.reshape(pay.shape[:-1])]
    return pay


def _one_equilibrium(game: NormalFormGame) -> tuple[str, tuple[Equilibrium, ...]]:
    """``(solver, equilibria)``: one equilibrium by a method whose work is bounded, or none.

    Two players: Lemke-Howson from the first label (:func:`sim.solvers.mixed.lcp_solve`; at most
    ``50 * (m + n) + 1000`` pivots). More players: the logit trace's Nash limit
    (:func:`sim.solvers.logit.logit_solve`; at most its ``MAX_STEPS`` steps). The caller keeps
    the profile only when each player's measured regret is within :data:`REGRET_TOL` of that
    player's own scale (or within its ``atol``).
    """
    if game.n_players == 2:
        from sim.solvers.mixed import lcp_solve

        solver, solve = "lcp", lcp_solve
    else:
        from sim.solvers.logit import logit_solve

        solver, solve = "logit", logit_solve
    try:
        return solver, solve(game).equilibria
    except SolverError:  # no equilibrium within the method's own bound
        return solver, ()


__all__ = ["MIXED_RULES", "REGRET_TOL", "StageEquilibria", "stage_equilibria"]
