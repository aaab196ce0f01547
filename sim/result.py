"""Frozen solver results. Every equilibrium carries its own measured regret.

A :class:`SolverResult` records how it was obtained (method, parameters) and its status as fields
(``complete``, ``degenerate``, ``converged``), never as warning text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import numpy as np

from sim._arrays import readonly
from sim.game import NormalFormGame, deviation_payoffs

SUPPORT_TOL = 1e-9


def _row_supports(on: np.ndarray) -> list[tuple[int, ...]]:
    """Per row of a boolean ``(K, n)`` matrix, the ascending column indices that are True.

    One ``np.nonzero`` for all rows, then a slice of its column list per row: a generator over
    each row's entries cost more than the rest of :meth:`Equilibrium.certify_many` at ``K`` in
    the hundreds.
    """
    cols = np.nonzero(on)[1].tolist()  # row-major: each row's columns together, ascending
    ends = np.cumsum(on.sum(axis=1)).tolist()
    return [tuple(cols[b:e]) for b, e in zip([0, *ends[:-1]], ends)]


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """One equilibrium (or a candidate, for approximate methods) of a normal-form game.

    Attributes
    ----------
    profile : tuple of arrays
        One probability vector per player (for a correlated equilibrium: the marginals).
    payoffs : array (N,)
        Each player's expected payoff.
    support : tuple of tuples
        Action indices played with positive probability, per player.
    max_regret : float
        Largest gain any player gets from a unilateral deviation (for a correlated equilibrium,
        from disobeying a recommendation), measured on the game.
    distribution : array or None
        For correlated equilibria, the joint distribution over pure profiles, shape ``(n_0, ...)``.
    details : mapping
        Method-specific facts (for example ``{"on_continuum": True}`` or ``{"lambda": 2.5}``).
    behaviour : mapping or None
        For an equilibrium of a game tree: the behaviour strategy at each information set
        (``infoset id -> probabilities over its actions``). When the tree is too large for its
        reduced normal form, ``profile`` and ``support`` are empty and this is the strategy.
    """

    profile: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    support: tuple[tuple[int, ...], ...]
    max_regret: float
    distribution: np.ndarray | None = None
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    behaviour: Mapping[str, np.ndarray] | None = None

    @classmethod
    def certify(cls, game: NormalFormGame, profile: Sequence, **details) -> "Equilibrium":
        """Measure payoffs, support and max regret of a mixed profile on ``game``.

        Small negative round-off is clipped and each strategy renormalised first.

        Examples
        --------
        >>> from sim.game import NormalFormGame
        >>> g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
        >>> eq = Equilibrium.certify(g, ([0.5, 0.5], [0.5, 0.5]))
        >>> eq.max_regret, eq.payoffs.tolist()
        (0.0, [0.0, 0.0])
        """
        strategies = []
        for s in profile:
            s = np.clip(np.asarray(s, dtype=float), 0.0, None)
            strategies.append(s / s.sum())
        strategies = tuple(game.check_profile(strategies))
        dev = deviation_payoffs(game.payoffs, strategies)
        payoffs = np.array([float(d @ s) for d, s in zip(dev, strategies)])
        regret = max(0.0, max(float(d.max() - p) for d, p in zip(dev, payoffs)))
        support = tuple(tuple(int(a) for a in np.flatnonzero(s > SUPPORT_TOL)) for s in strategies)
        return cls(
            tuple(readonly(s) for s in strategies),
            readonly(payoffs),
            support,
            regret,
            None,
            MappingProxyType(dict(details)),
        )

    @classmethod
    def certify_many(cls, game: NormalFormGame, strategies: Sequence, **details) -> tuple["Equilibrium", ...]:
        """:meth:`certify` for ``K`` profiles at once, with one array operation per player.

        ``strategies[i]`` has shape ``(K, n_i)``: row ``k`` is player ``i``'s strategy in profile
        ``k``. Clipping, renormalising, validation and the measured payoffs, support and max regret
        of each profile are those of :meth:`certify` (up to round-off in the last bits); only
        the Python overhead per profile is gone.

        Examples
        --------
        >>> from sim.game import NormalFormGame
        >>> bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
        >>> eqs = Equilibrium.certify_many(bos, ([[1, 0], [2/3, 1/3]], [[1, 0], [1/3, 2/3]]))
        >>> [(e.support, round(e.max_regret, 12)) for e in eqs]
        [(((0,), (0,)), 0.0), (((0, 1), (0, 1)), 0.0)]
        """
        from sim.errors import GameError

        n = game.n_players
        if len(strategies) != n:
            raise GameError(f"certify_many(): needs {n} strategy arrays; got {len(strategies)}")
        S = []
        for i, s in enumerate(strategies):
            s = np.clip(np.asarray(s, dtype=float), 0.0, None)
            if s.ndim != 2 or s.shape[1] != game.shape[i] or (S and s.shape[0] != S[0].shape[0]):
                raise GameError(f"certify_many(): strategies of player {game.players[i]!r} must have "
                                f"shape (K, {game.shape[i]}) with one K for all; got {s.shape}")
            total = s.sum(axis=1, keepdims=True)
            S.append(np.divide(s, total, out=np.full_like(s, np.nan), where=total > 0))
        # A row of zeros, NaN or inf leaves NaN or inf behind; certify's check names the profile.
        for k in np.flatnonzero(~np.isfinite(np.concatenate(S, axis=1)).all(axis=1)):
            game.check_profile([s[k] for s in S])
        # dev[i][k, a]: player i's payoff from action a against the others' strategies in profile
        # k. einsum contracts in-thread (no BLAS hand-off for these small products).
        batch = n
        dev = []
        for i in range(n):
            operands = [game.payoffs[..., i], list(range(n))]
            for j in range(n):
                if j != i:
                    operands += [S[j], [batch, j]]
            dev.append(np.einsum(*operands, [batch, i]))
        payoffs = [np.einsum("ka,ka->k", d, s) for d, s in zip(dev, S)]
        regret = np.zeros(S[0].shape[0])
        for d, p in zip(dev, payoffs):
            regret = np.maximum(regret, d.max(axis=1) - p)
        payoffs = np.stack(payoffs, axis=1)
        # Rows of read-only copies are read-only views; supports and regrets via Python lists,
        # which for a few dozen profiles costs less than one NumPy call per row.
        profiles = zip(*(list(readonly(s)) for s in S))
        supports = zip(*(_row_supports(s > SUPPORT_TOL) for s in S))
        details = MappingProxyType(dict(details))
        return tuple(cls(tuple(x), pay, tuple(sup), r, None, details)
                     for x, pay, sup, r in zip(profiles, readonly(payoffs), supports, regret.tolist()))

    @classmethod
    def certify_pure_many(cls, game: NormalFormGame, profiles, **details) -> tuple["Equilibrium", ...]:
        """:meth:`certify` for ``K`` pure profiles at once, by array lookups.

        ``profiles`` has shape ``(K, N)``: row ``k`` holds each player's action index. A pure
        profile's deviation payoffs are entries of the payoff array (player ``i``'s payoff at the
        profile with its own action replaced), so each player's regret is one gather over the
        ``K`` profiles per own action: ``K * sum(n_i)`` lookups in all, instead of one contraction
        of the whole payoff array per profile. Payoffs, support and max regret are exactly those
        of :meth:`certify` on the one-hot profile (a contraction with a one-hot vector adds
        zeros only), which ``tests/test_bounded_work.py`` checks on random games.

        Examples
        --------
        >>> from sim.game import NormalFormGame
        >>> pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
        >>> [(e.pure_profile, e.max_regret) for e in Equilibrium.certify_pure_many(pd, [[1, 1], [0, 0]])]
        [((1, 1), 0.0), ((0, 0), 2.0)]
        """
        from sim.errors import GameError

        idx = np.asarray(profiles)
        n = game.n_players
        if idx.ndim != 2 or idx.shape[1] != n or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise GameError(f"certify_pure_many(): profiles must be integers of shape (K, {n}); got "
                            f"shape {idx.shape}, dtype {idx.dtype}")
        shape = game.shape
        if idx.size and (np.any(idx < 0) or np.any(idx >= np.array(shape))):
            raise GameError(f"certify_pure_many(): an action index is outside the game's shape {shape}")
        idx = idx.astype(np.intp, copy=False)
        table = game.payoffs.reshape(-1, n)
        flat = np.ravel_multi_index(tuple(idx.T), shape) if len(idx) else np.zeros(0, np.intp)
        payoffs = table[flat]  # (K, N)
        regret = np.zeros(len(idx))
        for i in range(n):
            # Player i's best deviation payoff at every profile of the others: one max over its own
            # axis (the size of the game, whatever K is), then one lookup per profile. Gathering
            # the n_i deviation payoffs of every profile instead takes K * n_i floats: 10 GB for
            # the 78,732 pure equilibria of an all-tied game where one player has 19,683 strategies.
            best_table = game.payoffs[..., i].max(axis=i)
            others = tuple(idx[:, j] for j in range(n) if j != i)
            at = np.ravel_multi_index(others, best_table.shape) if others and len(idx) else np.zeros(len(idx), np.intp)
            regret = np.maximum(regret, best_table.reshape(-1)[at] - payoffs[:, i])
        # Shared read-only one-hot rows, made only for the actions that occur (np.eye of a player
        # with 20,000 strategies would take 3 GB).
        units = []
        for i, k in enumerate(shape):
            used = np.unique(idx[:, i]).tolist()
            rows = np.zeros((len(used), k))
            rows[np.arange(len(used)), used] = 1.0
            units.append(dict(zip(used, readonly(rows, copy=False))))
        details = MappingProxyType(dict(details))
        rows = readonly(payoffs)
        return tuple(cls(tuple(units[i][a] for i, a in enumerate(row)), pay, tuple((a,) for a in row), r, None,
                         details)
                     for row, pay, r in zip(idx.tolist(), rows, regret.tolist()))

    @classmethod
    def certify_correlated(cls, game: NormalFormGame, distribution, **details) -> "Equilibrium":
        """Measure a correlated equilibrium given as a joint distribution over pure profiles.

        ``profile`` and ``support`` are the marginals'; ``payoffs`` are expected under the joint
        distribution; ``max_regret`` is the largest gain any player gets by disobeying: the
        player's best swap of each recommended action for another (Aumann 1974), summed over
        recommendations, in expected payoff.

        Examples
        --------
        >>> from sim.game import NormalFormGame
        >>> chicken = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]])
        >>> eq = Equilibrium.certify_correlated(chicken, [[1/3, 1/3], [1/3, 0]])
        >>> round(eq.max_regret, 12), eq.payoffs.round(6).tolist()
        (0.0, [5.0, 5.0])
        """
        import dataclasses

        from sim.errors import GameError

        x = np.clip(np.asarray(distribution, dtype=float), 0.0, None)
        if x.shape != game.shape or not np.all(np.isfinite(x)) or x.sum() <= 0:
            raise GameError(f"certify_correlated(): distribution must have shape {game.shape} "
                             f"and positive mass; got shape {x.shape}")
        x = x / x.sum()
        n = game.n_players
        marginals = [x.sum(axis=tuple(k for k in range(n) if k != i)) for i in range(n)]
        eq = cls.certify(game, marginals, **details)
        payoffs = np.array([float((x * game.payoffs[..., i]).sum()) for i in range(n)])
        regret = 0.0
        for i in range(n):
            u = np.moveaxis(game.payoffs[..., i], i, 0)          # (n_i, others...)
            w = np.moveaxis(x, i, 0)                             # (n_i, others...)
            # gain[a, b]: expected gain of playing b whenever a is recommended.
            gain = np.tensordot(w, u, axes=(list(range(1, n)), list(range(1, n))))
            gain = gain - np.diag(gain)[:, None]
            regret = max(regret, float(np.clip(gain.max(axis=1), 0.0, None).sum()))
        return dataclasses.replace(eq, payoffs=readonly(payoffs), max_regret=regret,
                                   distribution=readonly(x))

    @property
    def is_pure(self) -> bool:
        if not self.profile and self.behaviour is not None:  # a tree's behaviour profile only
            return all(float(np.max(p)) > 1 - SUPPORT_TOL for p in self.behaviour.values())
        return all(len(s) == 1 for s in self.support)

    @property
    def pure_profile(self) -> tuple[int, ...] | None:
        """Action indices of a pure equilibrium, ``None`` for a mixed one (or one with no profile
        over strategies: a large tree's behaviour profile)."""
        return tuple(s[0] for s in self.support) if self.profile and self.is_pure else None

    def to_dict(self, game) -> dict:
        """Stable JSON-ready form naming players and actions.

        For an equilibrium held as a behaviour profile of a tree (no ``profile``), ``behaviour``
        names each player's decision points (information sets) and the probability of each
        action there; payoffs, regret and details are as for a normal-form game.
        """
        if not self.profile and self.behaviour is not None:
            acts = game.infosets
            doc = {
                "behaviour": {p: {h: {a: float(x) for a, x in zip(acts[h][1], self.behaviour[h])}
                                  for h in acts if acts[h][0] == i} for i, p in enumerate(game.players)},
                "payoffs": {p: float(v) for p, v in zip(game.players, self.payoffs)},
                "max_regret": float(self.max_regret),
            }
            if self.details:
                doc["details"] = {k: jsonable(v) for k, v in self.details.items()}
            return doc
        doc = {
            "profile": {
                p: {a: float(x) for a, x in zip(game.actions[i], self.profile[i])}
                for i, p in enumerate(game.players)
            },
            "payoffs": {p: float(v) for p, v in zip(game.players, self.payoffs)},
            "support": {p: [game.actions[i][a] for a in self.support[i]] for i, p in enumerate(game.players)},
            "max_regret": float(self.max_regret),
        }
        if self.distribution is not None:
            flat = np.ndindex(*self.distribution.shape)
            doc["distribution"] = [
                {"outcome": {p: game.actions[i][a] for i, (p, a) in enumerate(zip(game.players, idx))},
                 "probability": float(self.distribution[idx])}
                for idx in flat
                if self.distribution[idx] > SUPPORT_TOL
            ]
        if self.details:
            doc["details"] = {k: jsonable(v) for k, v in self.details.items()}
        return doc


def jsonable(value):
    """Plain-Python form of a result field for JSON: arrays to lists, numpy scalars to Python,
    non-finite floats to ``None``, games to their names and payoffs."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, NormalFormGame):  # e.g. dominance's reduced game
        return {**game_to_dict(value), "payoffs": value.payoffs.tolist()}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, eq=False)
class SolverResult:
    """What a ``<method>_solve`` function returns.

    Attributes
    ----------
    method : str
        Registry name of the method (Gambit's name where the method is the same).
    game : NormalFormGame or ExtensiveFormGame
        The game the equilibria's profiles refer to: the game solved, or for a tree method the
        tree's reduced normal form where it is small enough to build (``spe``), else the tree.
    equilibria : tuple of Equilibrium
    params : mapping
        The parameters the method was called with.
    complete : bool
        True when ``equilibria`` is the whole set the method promises (all pure, all extreme, ...).
    degenerate : bool
        True when the game was found degenerate for this method.
    converged : bool or None
        For iterative methods, whether the iteration met its tolerance; ``None`` otherwise.
    details : mapping
        Method-specific results (an LP value, a trajectory, an elimination order, ...).
    """

    method: str
    game: NormalFormGame
    equilibria: tuple[Equilibrium, ...]
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    complete: bool = True
    degenerate: bool = False
    converged: bool | None = None
    details: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        object.__setattr__(self, "equilibria", tuple(self.equilibria))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    @property
    def max_regret(self) -> float:
        return max((e.max_regret for e in self.equilibria), default=0.0)

    def __repr__(self) -> str:
        n = len(self.equilibria)
        return (f"SolverResult({self.method!r}: {n} equilibri{'um' if n == 1 else 'a'}, "
                f"complete={self.complete}, max_regret={self.max_regret:.2g})")

    def _repr_html_(self) -> str:
        """The equilibria with action names and measured regret, as an HTML table in a notebook."""
        from sim.display import result_html

        return result_html(self)

    def to_frame(self):
        """One row per equilibrium: strategies in words, payoffs, regret and action probabilities.

        Returns
        -------
        pandas.DataFrame
            See :func:`sim.display.result_frame`.
        """
        from sim.display import result_frame

        return result_frame(self)

    def to_dict(self) -> dict:
        """Stable JSON-ready form (one entry of the ``results`` list of ``bargain solve --json``)."""
        return {
            "method": self.method,
            "params": jsonable(dict(self.params)),
            "complete": self.complete,
            "degenerate": self.degenerate,
            "converged": self.converged,
            "equilibria": [e.to_dict(self.game) for e in self.equilibria],
            "details": jsonable(dict(self.details)),
        }


def game_to_dict(game) -> dict:
    """The ``game`` entry of the JSON document.

    A game tree also lists its decision points (``infoset -> {"player", "actions"}``), and its
    reduced strategies as ``actions`` only where the reduced normal form is small enough to build
    (:func:`sim.extensive.behaviour.has_reduced_view`).
    """
    infosets = getattr(game, "infosets", None)
    if infosets is None:
        return {"players": list(game.players), "actions": {p: list(a) for p, a in zip(game.players, game.actions)}}
    from sim.extensive.behaviour import flatten, has_reduced_view

    doc: dict = {"players": list(game.players)}
    if has_reduced_view(flatten(game)):
        doc["actions"] = {p: list(a) for p, a in zip(game.players, game.actions)}
    doc["decisions"] = {h: {"player": game.players[i], "actions": list(a)} for h, (i, a) in infosets.items()}
    return doc


def player_regrets(game: NormalFormGame, eq: Equilibrium) -> np.ndarray | None:
    """Each player's measured regret at ``eq`` on ``game``, shape ``(N,)``; ``None`` when ``eq``
    has no profile over the game's strategies (a large tree's behaviour profile).

    For a correlated equilibrium (``eq.distribution`` set), a player's regret is the expected gain
    from the best disobedience, as in :meth:`Equilibrium.certify_correlated`; otherwise the gain
    from the best pure deviation against the others' mixtures.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1e-9, 1e-9], [1e-9, -1e-9]])
    >>> player_regrets(g, Equilibrium.certify(g, ([1, 0], [1, 0]))).tolist()
    [0.0, 2e-09]
    """
    if not isinstance(game, NormalFormGame) or not eq.profile or len(eq.profile) != game.n_players:
        return None
    n = game.n_players
    if eq.distribution is not None:
        x = np.asarray(eq.distribution, dtype=float)
        out = []
        for i in range(n):
            u = np.moveaxis(game.payoffs[..., i], i, 0)
            w = np.moveaxis(x, i, 0)
            gain = np.tensordot(w, u, axes=(list(range(1, n)), list(range(1, n))))
            gain = gain - np.diag(gain)[:, None]
            out.append(float(np.clip(gain.max(axis=1), 0.0, None).sum()))
        return np.array(out)
    dev = deviation_payoffs(game.payoffs, eq.profile)
    return np.array([max(0.0, float(d.max() - d @ s)) for d, s in zip(dev, eq.profile)])


def certify_result(result: SolverResult, tol: float) -> SolverResult:
    """``result`` without any equilibrium whose measured regret exceeds its tolerance.

    The final check of every method that promises equilibria (``sim.registry.solve`` applies
    it): each player's regret, measured on the result's game, must be at most
    ``game.regret_tolerances(tol)`` (``tol`` times the player's own payoff scale, plus the
    round-off of measuring payoffs of that size). A profile that fails is not reported: it is
    listed in ``details["rejected"]`` (its profile, each player's regret and tolerance) and the
    result is no longer ``complete``. Equilibria with no profile over the game's strategies
    (behaviour profiles of large trees) are kept as they are.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1e-8, -1e-8], [-1e-8, 1e-8]], [[-1e-8, 1e-8], [1e-8, -1e-8]])
    >>> wrong = SolverResult("x", g, (Equilibrium.certify(g, ([1, 0], [1, 0])),
    ...                              Equilibrium.certify(g, ([0.5, 0.5], [0.5, 0.5]))))
    >>> checked = certify_result(wrong, 1e-7)
    >>> [e.support for e in checked.equilibria], checked.complete, len(checked.details["rejected"])
    ([((0, 1), (0, 1))], False, 1)
    """
    import dataclasses

    game = result.game
    if not isinstance(game, NormalFormGame) or not result.equilibria:
        return result
    from sim.game import regret_tolerances

    limits = regret_tolerances(game.payoffs, tol)
    n = game.n_players
    plain = [k for k, e in enumerate(result.equilibria)
             if e.distribution is None and len(e.profile) == n]
    regrets: list = [None] * len(result.equilibria)
    if plain:  # one einsum per player for every mixed profile at once
        S = [np.stack([result.equilibria[k].profile[i] for k in plain]) for i in range(n)]
        table = np.zeros((len(plain), n))
        for i in range(n):
            operands = [game.payoffs[..., i], list(range(n))]
            for j in range(n):
                if j != i:
                    operands += [S[j], [n, j]]
            dev = np.einsum(*operands, [n, i]) if n > 1 else np.broadcast_to(game.payoffs[..., 0], S[0].shape)
            table[:, i] = np.maximum(dev.max(axis=1) - np.einsum("ka,ka->k", dev, S[i]), 0.0)
        for row, k in enumerate(plain):
            regrets[k] = table[row]
    kept, rejected = [], []
    for k, eq in enumerate(result.equilibria):
        mine = regrets[k] if regrets[k] is not None else player_regrets(game, eq)
        if mine is None or bool(np.all(mine <= limits)):
            kept.append(eq)
            continue
        regrets_k = mine
        rejected.append({
            "profile": {p: [float(v) for v in s] for p, s in zip(game.players, eq.profile)},
            "regrets": {p: float(r) for p, r in zip(game.players, regrets_k)},
            "tolerances": {p: float(t) for p, t in zip(game.players, limits)},
        })
    if not rejected:
        return result
    details = dict(result.details)
    details["rejected"] = list(details.get("rejected", ())) + rejected
    return dataclasses.replace(result, equilibria=tuple(kept), complete=False, details=details)
