"""Seeded generators of normal-form games: random, degenerate, zero-sum, and named classes.

Every generator that draws payoffs takes an explicit :class:`numpy.random.Generator` (no global
random state): the same generator state gives the same game, and a sequence of calls on one
generator gives a reproducible sequence of games. Generators with no randomness
(:func:`travelers_dilemma`) take none. Payoffs follow the axis conventions of :mod:`sim.game`:
one array ``(n_0, ..., n_{N-1}, N)``, player axis last; :func:`random_game_batch` adds a leading
batch axis ``(B, n_0, ..., n_{N-1}, N)``.

The named classes are those of GAMUT (Nudelman, Wortman, Shoham and Leyton-Brown 2004, "Run the
GAMUT: a comprehensive approach to evaluating game-theoretic algorithms", AAMAS 2004), each drawn
at random among the games that satisfy its defining inequalities, which each docstring states;
where GAMUT leaves a choice open the docstring says which one is made here.

Examples
--------
>>> import numpy as np
>>> g = random_game((2, 3), np.random.default_rng(0))
>>> g.shape, g == random_game((2, 3), np.random.default_rng(0))
((2, 3), True)
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sim.errors import GameError
from sim.game import GameBatch, NormalFormGame


# ----- checks ------------------------------------------------------------------------------------
def _check_rng(func: str, rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise GameError(f"{func}(): rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
                        f"got {type(rng).__name__}")
    return rng


def _check_shape(func: str, shape: Sequence[int]) -> tuple[int, ...]:
    try:
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise GameError(f"{func}(): shape must be a sequence of action counts; got {shape!r}") from None
    if not shape or any(n < 1 for n in shape):
        raise GameError(f"{func}(): shape needs at least one player and every action count >= 1; got {shape}")
    return shape


def _check_count(func: str, name: str, value, least: int) -> int:
    if not isinstance(value, (int, np.integer)) or value < least:
        raise GameError(f"{func}(): {name} must be an integer >= {least}; got {value!r}")
    return int(value)


def _check_range(func: str, low, high) -> tuple[float, float]:
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise GameError(f"{func}(): needs finite low < high; got low={low!r}, high={high!r}")
    return float(low), float(high)


def _draw(rng: np.random.Generator, size, low: float, high: float, integer: bool) -> np.ndarray:
    """Uniform payoffs in ``[low, high)``, or uniform integers in ``[low, high]`` when ``integer``."""
    if integer:
        return rng.integers(int(np.ceil(low)), int(np.floor(high)) + 1, size=size).astype(float)
    return rng.uniform(low, high, size=size)


def _strictly_sorted(rng: np.random.Generator, k: int, low: float, high: float) -> np.ndarray:
    """``k`` payoff values drawn uniformly from ``[low, high)`` and sorted increasing, all distinct."""
    while True:
        values = np.sort(rng.uniform(low, high, size=k))
        if np.all(np.diff(values) > 0):
            return values


# ----- random games ------------------------------------------------------------------------------
def random_game(shape: Sequence[int], rng: np.random.Generator, *, low: float = -10.0, high: float = 10.0,
                integer: bool = False) -> NormalFormGame:
    """A game with independent uniform payoffs (GAMUT's ``RandomGame``).

    Parameters
    ----------
    shape : sequence of int
        Action counts ``(n_0, ..., n_{N-1})``; the game has ``len(shape)`` players.
    rng : numpy.random.Generator
        Source of the payoffs.
    low, high : float
        Payoffs are uniform in ``[low, high)``; with ``integer``, uniform integers in ``[low, high]``.
    integer : bool
        Integer payoffs (as floats): with a small range, ties and degeneracy become common.

    Returns
    -------
    NormalFormGame
        Continuous payoffs give a generic game with probability one (no ties). The payoffs are
        ``rng.uniform(low, high, size=(*shape, len(shape)))``, so a seeded generator reproduces the
        games the test suite and benchmarks have always used.

    Examples
    --------
    >>> import numpy as np
    >>> g = random_game((2, 2, 3), np.random.default_rng(7))
    >>> g.shape, bool(g.payoffs.min() >= -10 and g.payoffs.max() < 10)
    ((2, 2, 3), True)
    >>> random_game((2, 2), np.random.default_rng(1), low=0, high=1, integer=True).payoffs[..., 0].tolist()
    [[0.0, 1.0], [0.0, 1.0]]
    """
    func = "random_game"
    rng, shape = _check_rng(func, rng), _check_shape(func, shape)
    low, high = _check_range(func, low, high)
    return NormalFormGame.from_payoffs(_draw(rng, (*shape, len(shape)), low, high, integer))


def random_game_batch(shape: Sequence[int], n_games: int, rng: np.random.Generator, *, low: float = -10.0,
                      high: float = 10.0, integer: bool = False) -> GameBatch:
    """``n_games`` games of one shape drawn as by :func:`random_game`, as one :class:`GameBatch`.

    The payoffs ``(n_games, n_0, ..., n_{N-1}, N)`` are drawn in one call
    (``rng.uniform(low, high, size=(n_games, *shape, N))``), the layout the batched kernels take.

    Examples
    --------
    >>> import numpy as np
    >>> batch = random_game_batch((3, 3), 100, np.random.default_rng(0), integer=True, low=-2, high=2)
    >>> batch.payoffs.shape, sorted(set(batch.payoffs.ravel().tolist()))
    ((100, 3, 3, 2), [-2.0, -1.0, 0.0, 1.0, 2.0])
    """
    func = "random_game_batch"
    rng, shape = _check_rng(func, rng), _check_shape(func, shape)
    n_games = _check_count(func, "n_games", n_games, 1)
    low, high = _check_range(func, low, high)
    return GameBatch.from_payoffs(_draw(rng, (n_games, *shape, len(shape)), low, high, integer))


def degenerate_game(shape: Sequence[int], rng: np.random.Generator, *, values: int = 5) -> NormalFormGame:
    """A game whose payoffs take only ``values`` small integers, so ties are common.

    Payoffs are uniform integers centred on zero (``values=5``: ``-2, ..., 2``, as the test
    suite's degenerate games). Ties between payoffs make weakly dominated actions, several best
    responses and continua of equilibria common: the cases generic games never reach (von
    Stengel 2002, "Computing equilibria for two-person games", section 6, on degeneracy).
    Nothing guarantees that one drawn game is degenerate; a batch of them almost surely has some.

    Examples
    --------
    >>> import numpy as np
    >>> g = degenerate_game((2, 3), np.random.default_rng(0), values=3)
    >>> sorted(set(g.payoffs.ravel().tolist())) <= [-1.0, 0.0, 1.0]
    True
    """
    func = "degenerate_game"
    values = _check_count(func, "values", values, 2)
    low = -(values // 2)
    return random_game(_check_shape(func, shape), _check_rng(func, rng), low=low, high=low + values - 1,
                       integer=True)


def zero_sum_game(shape: Sequence[int], rng: np.random.Generator, *, low: float = -10.0, high: float = 10.0,
                  integer: bool = False) -> NormalFormGame:
    """A game whose payoffs sum to zero at every profile (GAMUT's ``RandomZeroSum``).

    The first ``N - 1`` players' payoffs are drawn as by :func:`random_game`; the last player gets
    minus their sum. With two players this is ``NormalFormGame.zero_sum(A)`` for a uniform ``A``
    (drawn as ``rng.uniform(low, high, size=shape)``).

    Examples
    --------
    >>> import numpy as np
    >>> g = zero_sum_game((3, 2), np.random.default_rng(0))
    >>> bool(np.all(g.payoffs.sum(axis=-1) == 0))
    True
    """
    func = "zero_sum_game"
    rng, shape = _check_rng(func, rng), _check_shape(func, shape)
    if len(shape) < 2:
        raise GameError(f"{func}(): needs at least 2 players; got shape {shape}")
    low, high = _check_range(func, low, high)
    if len(shape) == 2:
        return NormalFormGame.zero_sum(_draw(rng, shape, low, high, integer))
    first = _draw(rng, (*shape, len(shape) - 1), low, high, integer)
    return NormalFormGame.from_payoffs(np.concatenate([first, -first.sum(axis=-1, keepdims=True)], axis=-1))


def covariant_game(shape: Sequence[int], rng: np.random.Generator, rho: float) -> NormalFormGame:
    """Payoffs correlated across players with coefficient ``rho`` (GAMUT's ``CovariantGame``).

    At every profile the payoff vector is drawn from a multivariate normal distribution with mean
    zero, unit variances and covariance ``rho`` between any two players. ``rho = 1`` gives a
    common-interest game, ``rho = -1/(N - 1)`` (the least a covariance matrix allows) a zero-sum
    one; ``rho = 0`` independent payoffs. Drawn as ``z @ L.T`` with standard normal ``z`` and
    ``L`` the symmetric square root of the covariance matrix (which exists at both ends, where
    the matrix is singular).

    Examples
    --------
    >>> import numpy as np
    >>> g = covariant_game((40, 40), np.random.default_rng(0), rho=0.8)
    >>> round(float(np.corrcoef(g.payoffs[..., 0].ravel(), g.payoffs[..., 1].ravel())[0, 1]), 1)
    0.8
    >>> bool(np.allclose(covariant_game((2, 2), np.random.default_rng(0), rho=-1.0).payoffs.sum(axis=-1), 0))
    True
    """
    func = "covariant_game"
    rng, shape = _check_rng(func, rng), _check_shape(func, shape)
    n = len(shape)
    least = -1.0 / (n - 1) if n > 1 else -np.inf
    if not (isinstance(rho, (int, float, np.floating)) and least - 1e-12 <= rho <= 1.0):
        raise GameError(f"{func}(): rho must be in [-1/(N-1), 1] = [{least:g}, 1] for {n} players; got {rho!r}")
    cov = np.full((n, n), float(rho))
    np.fill_diagonal(cov, 1.0)
    w, v = np.linalg.eigh(cov)
    root = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    z = rng.standard_normal(size=(*shape, n))
    return NormalFormGame.from_payoffs(z @ root.T)


# ----- coordination and dispersion ---------------------------------------------------------------
def coordination_game(n_actions: int, rng: np.random.Generator, *, n_players: int = 2, low: float = -10.0,
                      high: float = 10.0) -> NormalFormGame:
    """Every player gains most when all choose the same action (GAMUT's ``CoordinationGame``).

    Each player's payoff at a diagonal profile ``(a, ..., a)`` is uniform in ``[mid, high)`` and
    at every other profile uniform in ``[low, mid)``, with ``mid = (low + high) / 2``: every
    diagonal payoff exceeds every off-diagonal one, so each diagonal profile is a strict pure
    equilibrium. With two players these are all the pure equilibria; with more, profiles where
    no single deviation reaches the diagonal can be equilibria too.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = coordination_game(3, np.random.default_rng(0))
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(0, 0), (1, 1), (2, 2)]
    """
    func = "coordination_game"
    rng = _check_rng(func, rng)
    n_actions = _check_count(func, "n_actions", n_actions, 1)
    n_players = _check_count(func, "n_players", n_players, 1)
    low, high = _check_range(func, low, high)
    mid = 0.5 * (low + high)
    shape = (n_actions,) * n_players
    payoffs = rng.uniform(low, mid, size=(*shape, n_players))
    diagonal = rng.uniform(mid, high, size=(n_actions, n_players))
    for a in range(n_actions):
        payoffs[(a,) * n_players] = diagonal[a]
    return NormalFormGame.from_payoffs(payoffs, title="coordination game")


def dispersion_game(n_players: int, n_actions: int, rng: np.random.Generator, *, low: float = 0.0,
                    high: float = 10.0) -> NormalFormGame:
    """Every player gains most when few others choose its action (GAMUT's ``DispersionGame``).

    Grenager, Powers and Shoham (2002), "Dispersion games: general definitions and some specific
    learning results", AAAI 2002. Here the simplest symmetric form: a player's payoff is
    ``f(k)``, where ``k`` is the number of *other* players choosing its action and ``f`` is
    strictly decreasing, its ``n_players`` values drawn uniformly from ``[low, high)``. When
    ``n_actions >= n_players`` the pure equilibria are exactly the maximally dispersed profiles
    (all actions distinct): from a crowded action a player can always move to an empty one.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = dispersion_game(2, 2, np.random.default_rng(0))
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(0, 1), (1, 0)]
    """
    func = "dispersion_game"
    rng = _check_rng(func, rng)
    n_players = _check_count(func, "n_players", n_players, 1)
    n_actions = _check_count(func, "n_actions", n_actions, 1)
    low, high = _check_range(func, low, high)
    f = _strictly_sorted(rng, n_players, low, high)[::-1]          # f[k]: k others on my action
    profiles = np.indices((n_actions,) * n_players)                 # (N, n, ..., n)
    crowd = np.stack([(profiles == profiles[i]).sum(axis=0) - 1 for i in range(n_players)], axis=-1)
    return NormalFormGame.from_payoffs(f[crowd], title="dispersion game")


def minimum_effort_game(n_players: int, n_levels: int, rng: np.random.Generator) -> NormalFormGame:
    """Payoff ``a + b * min(e) - c * e_i`` for effort levels ``e`` (GAMUT's ``MinimumEffortGame``).

    Van Huyck, Battalio and Beil (1990), "Tacit coordination games, strategic uncertainty, and
    coordination failure", American Economic Review 80. Action ``k`` is effort ``k + 1``. Drawn
    here: ``a`` uniform in ``[0, 1)``, ``c`` uniform in ``[0.5, 1.5)`` and ``b = c + d`` with ``d``
    uniform in ``[0.5, 1.5)``, so ``b > c > 0``: then the pure equilibria are exactly the profiles
    where everyone exerts the same effort (raising one's own effort alone costs ``c``; lowering it
    loses ``b - c`` per level; above the minimum, dropping to it saves ``c`` per level).

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = minimum_effort_game(3, 2, np.random.default_rng(0))
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(0, 0, 0), (1, 1, 1)]
    """
    func = "minimum_effort_game"
    rng = _check_rng(func, rng)
    n_players = _check_count(func, "n_players", n_players, 1)
    n_levels = _check_count(func, "n_levels", n_levels, 1)
    a, c, d = rng.uniform(0.0, 1.0), rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5)
    effort = np.indices((n_levels,) * n_players) + 1.0              # (N, n, ..., n)
    payoffs = a + (c + d) * effort.min(axis=0)[..., None] - c * np.moveaxis(effort, 0, -1)
    actions = (tuple(str(k + 1) for k in range(n_levels)),) * n_players
    return NormalFormGame.from_payoffs(payoffs, actions=actions, title="minimum effort game")


# ----- 2x2 classics ------------------------------------------------------------------------------
def _symmetric_2x2(r: float, s: float, t: float, p: float, actions, title: str) -> NormalFormGame:
    """Row payoffs ``[[R, S], [T, P]]``, the column player's the transpose (a symmetric game)."""
    row = np.array([[r, s], [t, p]])
    return NormalFormGame.from_bimatrix(row, row.T, actions=(actions, actions), title=title)


def prisoners_dilemma(rng: np.random.Generator, *, low: float = -10.0, high: float = 10.0) -> NormalFormGame:
    """A prisoner's dilemma (GAMUT's ``PrisonersDilemma``): ``T > R > P > S`` and ``2R > T + S``.

    Symmetric; action 0 is *cooperate*, 1 is *defect*; row payoffs ``[[R, S], [T, P]]``
    (Rapoport and Chammah 1965, "Prisoner's Dilemma", for the names and the inequalities; the
    second makes mutual cooperation better than alternating exploitation). The four values are
    drawn uniformly from ``[low, high)`` and sorted, redrawn until ``2R > T + S``. Defecting
    strictly dominates, so (defect, defect) is the unique equilibrium, and both players prefer
    (cooperate, cooperate) to it.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = prisoners_dilemma(np.random.default_rng(0))
    >>> g.actions[0], [e.pure_profile for e in enumpure_solve(g).equilibria]
    (('cooperate', 'defect'), [(1, 1)])
    """
    func = "prisoners_dilemma"
    rng = _check_rng(func, rng)
    low, high = _check_range(func, low, high)
    while True:
        s, p, r, t = _strictly_sorted(rng, 4, low, high)
        if 2 * r > t + s:
            return _symmetric_2x2(r, s, t, p, ("cooperate", "defect"), "prisoner's dilemma")


def chicken_game(rng: np.random.Generator, *, low: float = -10.0, high: float = 10.0) -> NormalFormGame:
    """Chicken, or hawk-dove (GAMUT's ``Chicken``): ``T > R > S > P``.

    Symmetric; action 0 is *swerve* (dove), 1 is *straight* (hawk); row payoffs
    ``[[R, S], [T, P]]`` (Rapoport and Chammah 1966, "The game of chicken"; Maynard Smith and
    Price 1973 for hawk-dove, which is chicken when the cost of a fight exceeds the prize). The
    values are drawn uniformly from ``[low, high)`` and sorted. The pure equilibria are the two
    where exactly one player swerves; a third equilibrium is mixed.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = chicken_game(np.random.default_rng(0))
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(0, 1), (1, 0)]
    """
    func = "chicken_game"
    rng = _check_rng(func, rng)
    low, high = _check_range(func, low, high)
    p, s, r, t = _strictly_sorted(rng, 4, low, high)
    return _symmetric_2x2(r, s, t, p, ("swerve", "straight"), "chicken")


def battle_of_the_sexes(rng: np.random.Generator, *, low: float = -10.0, high: float = 10.0) -> NormalFormGame:
    """Battle of the sexes (GAMUT's ``BattleOfTheSexes``): coordinate, but on different favourites.

    Luce and Raiffa (1957), "Games and Decisions", section 5.3. Three values ``M < L < H`` are
    drawn uniformly from ``[low, high)`` and sorted: row payoffs ``[[H, M], [M, L]]``, column
    payoffs ``[[L, M], [M, H]]``: both prefer meeting to missing each other, the row player at
    action 0, the column player at action 1. The pure equilibria are the two meetings; a third
    equilibrium is mixed.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = battle_of_the_sexes(np.random.default_rng(0))
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(0, 0), (1, 1)]
    """
    func = "battle_of_the_sexes"
    rng = _check_rng(func, rng)
    low, high = _check_range(func, low, high)
    m, lo, hi = _strictly_sorted(rng, 3, low, high)
    return NormalFormGame.from_bimatrix([[hi, m], [m, lo]], [[lo, m], [m, hi]], title="battle of the sexes")


def matching_pennies(rng: np.random.Generator, *, high: float = 10.0) -> NormalFormGame:
    """Matching pennies with random stakes (GAMUT's ``MatchingPennies``, generalised).

    Zero-sum; the row player wins the stake of the cell when the actions match and loses it when
    they differ; each cell's stake is drawn uniformly from ``(0, high]`` (equal stakes give the
    classic game of von Neumann and Morgenstern 1944). Every pure profile leaves one player a
    profitable deviation, so the unique equilibrium is completely mixed.

    Examples
    --------
    >>> import numpy as np
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = matching_pennies(np.random.default_rng(0))
    >>> enumpure_solve(g).equilibria, g.actions[0]
    ((), ('heads', 'tails'))
    """
    func = "matching_pennies"
    rng = _check_rng(func, rng)
    _check_range(func, 0.0, high)
    stakes = high - rng.uniform(0.0, high, size=(2, 2))             # in (0, high]
    row = stakes * np.array([[1.0, -1.0], [-1.0, 1.0]])
    names = ("heads", "tails")
    return NormalFormGame.zero_sum(row, actions=(names, names), title="matching pennies")


def travelers_dilemma(n_claims: int, *, bonus: float = 2.0, lowest: int = 2) -> NormalFormGame:
    """The traveler's dilemma (GAMUT's ``TravelersDilemma``); no randomness.

    Basu (1994), "The traveler's dilemma: paradoxes of rationality in game theory", American
    Economic Review 84(2). Each of two players claims an integer from ``lowest`` to
    ``lowest + n_claims - 1`` (action ``k`` claims ``lowest + k``). Equal claims are paid; else
    both get the lower claim, plus ``bonus`` for the lower claimant and minus ``bonus`` for the
    other. With ``bonus > 1`` undercutting always pays, and both claiming ``lowest`` is the unique
    pure equilibrium.

    Examples
    --------
    >>> from sim.solvers.pure import enumpure_solve
    >>> g = travelers_dilemma(5)
    >>> g.pure_payoffs((4, 1)).tolist(), [e.pure_profile for e in enumpure_solve(g).equilibria]
    ([1.0, 5.0], [(0, 0)])
    """
    func = "travelers_dilemma"
    n_claims = _check_count(func, "n_claims", n_claims, 1)
    if not (isinstance(bonus, (int, float, np.floating)) and np.isfinite(bonus) and bonus >= 0):
        raise GameError(f"{func}(): bonus must be a finite number >= 0; got {bonus!r}")
    claims = lowest + np.arange(n_claims, dtype=float)
    mine, theirs = np.meshgrid(claims, claims, indexing="ij")
    row = np.minimum(mine, theirs) + bonus * np.sign(theirs - mine)
    names = tuple(str(int(c)) for c in claims)
    return NormalFormGame.from_bimatrix(row, row.T, actions=(names, names), title="traveler's dilemma")
