"""Strategic equivalence across a batch of games: solve one game per class, certify on every member.

Axis conventions: a payoff *component* tensor is ``(R, n_0, ..., n_{N-1}, N)`` (component axis,
profile axes, player axis), a batch of games ``(B, n_0, ..., n_{N-1}, N)`` (batch axis first), a
batch of ``K`` profiles one array ``(K, n_i)`` per player.

Method
------
Adding to player ``i``'s payoffs any function of the *other* players' actions leaves every best
response of ``i``, hence every Nash equilibrium, unchanged; so does multiplying ``i``'s payoffs by a
positive number (von Neumann and Morgenstern 1944; Myerson 1991, "Game Theory", section 2.3,
"strategically equivalent" games). A game whose payoffs are a weighted sum of fixed components,
``u(theta) = sum_r t_r(theta) T_r`` (how :mod:`sim.scenario.compile` builds a scenario's payoffs),
therefore has the same equilibrium set at two points whose *strategic* weights agree: the weights of
the components that depend on some player's own action. :func:`inert_components` finds, exactly
from the component tensors, which (component, player) parts cannot matter; :func:`strategic_classes`
groups points by the rest; :func:`canonical_payoffs` builds one game per class from the strategic
parts only (a function of the class alone, so the game a class is solved on never depends on which
member is seen first or on the batch); :func:`certify_profiles` measures each equilibrium of the
class on each member's own payoffs, in one array operation per player, as
:meth:`sim.result.Equilibrium.certify` does for one game.

The equilibrium *set* is the same for every member (the theorem above); what a solver reports on a
continuum is a sample of it (end points and one interior point), and that sample is the canonical
game's at every member.

Examples
--------
Player 0's payoffs get ``theta`` whatever it plays when player 1 plays action 0: that component is
inert, so every ``theta`` falls in one class.

>>> import numpy as np
>>> T = np.zeros((2, 2, 2, 2))
>>> T[0] = [[[1, 0], [0, 1]], [[0, 1], [1, 0]]]   # matching pennies, component 0 (weight 1)
>>> T[1, :, 0, 0] = 1.0                           # component 1: player 0 gets theta if 1 plays 0
>>> inert = inert_components(T)
>>> inert.tolist()
[[False, False], [True, True]]
>>> terms = np.array([[1.0, 0.0], [1.0, 2.5], [1.0, 7.0]])
>>> rep, cls = strategic_classes(terms, inert)
>>> rep.tolist(), cls.tolist()
([0], [0, 0, 0])
"""

from __future__ import annotations

import numpy as np

from sim.game import ROUNDOFF, player_scales


def inert_components(tensor) -> np.ndarray:
    """``(R, N)`` booleans: component ``r`` is inert for player ``i`` when ``T_r[..., i]`` does not
    depend on player ``i``'s own action (is constant along axis ``i``), so its weight cannot change
    any best response of ``i``. Exact (compares the component's own entries, no tolerance).

    Examples
    --------
    >>> T = np.zeros((1, 2, 2, 2)); T[0, :, 1, 0] = 3.0; T[0, 1, :, 1] = 1.0
    >>> inert_components(T).tolist()
    [[True, True]]
    >>> T[0, 0, 1, 0] = 2.0
    >>> inert_components(T).tolist()
    [[False, True]]
    """
    tensor = np.asarray(tensor, dtype=float)
    n_players = tensor.shape[-1]
    if tensor.ndim != n_players + 2:
        raise ValueError(f"inert_components(): components must be (R, n_0, ..., n_{{N-1}}, N) with N = "
                         f"{n_players} profile axes; got shape {tensor.shape}")
    out = np.empty((tensor.shape[0], n_players), dtype=bool)
    for i in range(n_players):
        part = tensor[..., i]
        first = np.take(part, [0], axis=i + 1)
        out[:, i] = (part == first).reshape(tensor.shape[0], -1).all(axis=1)
    return out


def strategic_classes(terms, inert) -> tuple[np.ndarray, np.ndarray]:
    """Group points by their strategic weights.

    ``terms`` is ``(B, R)``, each point's component weights; a component inert for every player
    is ignored. Returns the index of each class's first point (in point order) and each point's
    class, ``(C,)`` and ``(B,)``. Points of one class have bitwise equal strategic weights, so
    their games differ, for each player, only by components that do not depend on that player's
    own action: their Nash equilibria are the same.
    """
    terms = np.asarray(terms, dtype=float)
    keep = ~np.asarray(inert, dtype=bool).all(axis=1)
    key = np.ascontiguousarray(terms[:, keep])
    if key.shape[1] == 0:
        return np.zeros(min(1, len(terms)), dtype=np.int64), np.zeros(len(terms), dtype=np.int64)
    # Bitwise equality (-0.0 and 0.0 weigh the same; they are merged by adding 0.0).
    rows = (key + 0.0).view(np.dtype((np.void, key.dtype.itemsize * key.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")          # classes numbered in order of first point
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order].astype(np.int64), rank[inverse.ravel()].astype(np.int64)


def canonical_payoffs(terms, tensor, inert) -> np.ndarray:
    """The payoffs ``(B, n_0, ..., N)`` of each point with every inert (component, player) part
    dropped: strategically equivalent to the point's game, and equal (bitwise) for the points of
    one class of :func:`strategic_classes`. Summed component by component in a fixed order, as
    :meth:`sim.scenario.compile.CompiledScenario.payoffs` sums.

    Examples
    --------
    >>> T = np.zeros((2, 2, 2, 2)); T[0, 0, 0] = 1.0; T[1, :, 0, 0] = 1.0
    >>> canonical_payoffs(np.array([[1.0, 5.0]]), T, inert_components(T))[0, :, :, 0].tolist()
    [[1.0, 0.0], [0.0, 0.0]]
    """
    terms = np.asarray(terms, dtype=float)
    tensor = np.asarray(tensor, dtype=float)
    drop = np.asarray(inert, dtype=bool).reshape(len(tensor), *([1] * (tensor.ndim - 2)), tensor.shape[-1])
    masked = np.where(drop, 0.0, tensor)
    flat = masked.reshape(masked.shape[0], -1)
    out = terms[:, 0, None] * flat[0]
    for r in range(1, flat.shape[0]):
        out += terms[:, r, None] * flat[r]
    return out.reshape(len(terms), *tensor.shape[1:])


def certify_profiles(payoffs, strategies, tol: float):
    """Measure ``K`` profiles on each of ``B`` games: payoffs ``(B, K, N)``, max regret ``(B, K)``
    and whether each player's regret is within its tolerance, ``(B, K)``.

    ``payoffs`` is ``(B, n_0, ..., N)``; ``strategies[i]`` is ``(K, n_i)``, already clipped and
    normalised (as an :class:`~sim.result.Equilibrium` holds them). The measurements are those of
    :meth:`sim.result.Equilibrium.certify` and the test that of :func:`sim.result.certify_result`
    (``tol`` times each player's payoff scale plus round-off, :func:`sim.game.regret_tolerances`),
    up to round-off in the last bits.

    Examples
    --------
    >>> g = np.array([[[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]], dtype=float)   # matching pennies
    >>> pay, regret, ok = certify_profiles(g, [np.array([[0.5, 0.5], [1, 0]]), np.array([[0.5, 0.5], [1, 0]])], 1e-7)
    >>> pay[0].tolist(), regret[0].tolist(), ok[0].tolist()
    ([[0.0, 0.0], [1.0, -1.0]], [0.0, 2.0], [True, False])
    """
    payoffs = np.asarray(payoffs, dtype=float)
    B, shape, N = payoffs.shape[0], payoffs.shape[1:-1], payoffs.shape[-1]
    K = strategies[0].shape[0]
    pay = np.zeros((B, K, N))
    regret = np.zeros((B, K))
    scales = player_scales(payoffs)                                          # (B, N)
    magnitude = np.abs(payoffs).reshape(B, -1, N).max(axis=1)
    limits = tol * scales + ROUNDOFF * magnitude
    ok = np.ones((B, K), dtype=bool)
    for i in range(N):
        # Joint probability of the others' actions, (K, prod n_j for j != i), C order.
        others = np.ones((K, 1))
        for j in range(N):
            if j != i:
                others = (others[:, :, None] * strategies[j][:, None, :]).reshape(K, -1)
        u = np.moveaxis(payoffs[..., i], i + 1, 1).reshape(B, shape[i], -1)     # (B, n_i, rest)
        dev = np.einsum("bar,kr->bka", u, others)                            # (B, K, n_i)
        own = np.einsum("bka,ka->bk", dev, strategies[i])
        r = np.maximum(dev.max(axis=2) - own, 0.0)
        pay[:, :, i] = own
        regret = np.maximum(regret, r)
        ok &= r <= limits[:, i, None]
    return pay, regret, ok


def certify_rows(payoffs, strategies, tol: float):
    """:func:`certify_profiles` with one profile per game: row ``r`` measures profile ``r`` on game
    ``r``. ``payoffs`` is ``(R, n_0, ..., N)`` and ``strategies[i]`` ``(R, n_i)``; returns payoffs
    ``(R, N)``, max regret ``(R,)`` and whether every player's regret is within its tolerance
    ``(R,)``, measured as :func:`certify_profiles` measures them.

    Examples
    --------
    >>> g = np.array([[[[1, -1], [-1, 1]], [[-1, 1], [1, -1]]]] * 2, dtype=float)   # matching pennies
    >>> pay, regret, ok = certify_rows(g, [np.array([[0.5, 0.5], [1, 0]]), np.array([[0.5, 0.5], [1, 0]])], 1e-7)
    >>> pay.tolist(), regret.tolist(), ok.tolist()
    ([[0.0, 0.0], [1.0, -1.0]], [0.0, 2.0], [True, False])
    """
    payoffs = np.asarray(payoffs, dtype=float)
    R, N = payoffs.shape[0], payoffs.shape[-1]
    pay = np.zeros((R, N))
    regret = np.zeros(R)
    scales = player_scales(payoffs)
    magnitude = np.abs(payoffs).reshape(R, -1, N).max(axis=1)
    limits = tol * scales + ROUNDOFF * magnitude
    ok = np.ones(R, dtype=bool)
    for i in range(N):
        t = payoffs[..., i]
        for j in range(N - 1, -1, -1):   # contract the others from the last axis down
            if j != i:
                t = np.einsum("r...a,ra->r...", np.moveaxis(t, j + 1, -1), strategies[j])
        own = np.einsum("ra,ra->r", t, strategies[i])
        r = np.maximum(t.max(axis=1) - own, 0.0)
        pay[:, i] = own
        regret = np.maximum(regret, r)
        ok &= r <= limits[:, i]
    return pay, regret, ok
