"""Normal-form games as arrays.

Axis conventions (stated once, used everywhere):

* A game of ``N`` players with ``n_i`` actions each stores its payoffs in one read-only float
  array of shape ``(n_0, ..., n_{N-1}, N)``: one axis per player's own action, in player order,
  then the player axis. ``payoffs[a_0, ..., a_{N-1}, i]`` is player ``i``'s payoff at the pure
  profile ``(a_0, ..., a_{N-1})``.
* A batch of ``B`` games of one shape (a sweep's parameter points) is one array with a leading
  batch axis: ``(B, n_0, ..., n_{N-1}, N)``. Batched kernels take that array; one game is a batch
  of one.
* A mixed profile is a tuple of ``N`` probability vectors, the ``i``-th of length ``n_i``.

Payoff scales, used by every tolerance in the project: a player's scale is the spread of that
player's payoffs (largest minus smallest; 0 when they are all equal), with no floor, so a game
whose payoffs are 1e-300 or 1e300 apart is treated like one whose payoffs are 1 apart
(:func:`player_scales`; ``NormalFormGame.player_scales``). A tolerance ``tol`` on a player's
regret means ``tol`` times that player's scale, plus the round-off of measuring payoffs of that
player's magnitude (:func:`regret_tolerances`), so equilibria do not change when one player's
payoffs are shifted or multiplied by a positive factor. The game's scale (:func:`payoff_scales`,
``NormalFormGame.payoff_scale``) is its largest player scale (1 when no payoff varies), for the
few rules that compare payoffs across players; a batch of games (a sweep's points) has one scale
per game and player, computed the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import GameError

MixedProfile = tuple[np.ndarray, ...]


#: Relative round-off allowed when a regret is measured on payoffs of a given magnitude: an
#: expected payoff sums many products, each exact to half an ulp (about 1000 ulps in all).
ROUNDOFF = 1024 * float(np.finfo(float).eps)


def player_scales(payoffs) -> np.ndarray:
    """Each player's payoff scale in each game of a batch ``(B, n_0, ..., n_{N-1}, N)``: ``(B, N)``.

    The spread of the player's own payoffs (largest minus smallest over every profile), 0 for a
    player whose payoffs are all equal. No floor: a game's tolerances shrink and grow with its
    payoffs. A spread beyond the largest float (payoffs near +-1.8e308) is capped at it.

    Examples
    --------
    >>> player_scales(np.array([[[[0.0, 3.0], [4.0, 3.0]]], [[[1e-9, 5.0], [2e-9, 5.0]]]])).tolist()
    [[4.0, 0.0], [1e-09, 0.0]]
    """
    payoffs = np.asarray(payoffs, dtype=float)
    flat = payoffs.reshape(payoffs.shape[0], -1, payoffs.shape[-1])
    if flat.shape[1] == 0:
        return np.zeros((flat.shape[0], flat.shape[2]))
    hi, lo = flat.max(axis=1), flat.min(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        spread = hi - lo
    return np.minimum(spread, np.finfo(float).max)


def payoff_scales(payoffs) -> np.ndarray:
    """The payoff scale of each game of a batch ``(B, n_0, ..., n_{N-1}, N)``: shape ``(B,)``.

    The largest player scale (:func:`player_scales`), or 1 for a game in which no player's
    payoffs vary (every profile is then an equilibrium and any positive scale serves).

    Examples
    --------
    >>> one_player_games = np.array([[0.0, 4.0, -1.0], [0.25, 0.5, 1.0], [3.0, 3.0, 3.0]])[:, :, None]
    >>> payoff_scales(one_player_games).tolist()
    [5.0, 0.75, 1.0]
    """
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.size == 0:
        return np.ones(payoffs.shape[0] if payoffs.ndim else 0)
    scale = player_scales(payoffs).max(axis=1)
    return np.where(scale > 0, scale, 1.0)


def unit_payoffs(payoffs, *, batched: bool = False) -> np.ndarray:
    """Each player's payoffs mapped by a positive affine map onto ``[0, 1]`` (a constant player's
    onto 0), for one game ``(n_0, ..., N)`` or, with ``batched``, each game of a batch
    ``(B, n_0, ..., N)``.

    Nash equilibria, best responses and dominance are unchanged by a positive affine map of one
    player's payoffs; solvers work on this image so that their absolute tolerances mean "relative
    to each player's scale" whatever the units, from 1e-300 to 1e300.

    Examples
    --------
    >>> unit_payoffs(np.array([[[1e-300, 7.0], [-1e-300, 7.0]]])).tolist()
    [[[1.0, 0.0], [0.0, 0.0]]]
    """
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.size == 0:
        return payoffs.copy()
    axes = tuple(range(1 if batched else 0, payoffs.ndim - 1))
    lo = payoffs.min(axis=axes, keepdims=True)
    hi = payoffs.max(axis=axes, keepdims=True)
    # Halves never overflow, even for payoffs spanning -1.8e308..1.8e308.
    spread = hi * 0.5 - lo * 0.5
    out = np.divide(payoffs * 0.5 - lo * 0.5, spread, out=np.zeros_like(payoffs), where=spread > 0)
    return np.clip(out, 0.0, 1.0)


def regret_tolerances(payoffs, tol: float) -> np.ndarray:
    """Largest regret each player may have at a ``tol``-equilibrium of one game ``(n_0, ..., N)``.

    ``tol`` times the player's scale (:func:`player_scales`), plus the round-off of measuring
    expected payoffs of the player's magnitude (:data:`ROUNDOFF` times the largest absolute
    payoff). A player whose payoffs are all equal has no incentive: only round-off is allowed.

    Examples
    --------
    >>> [f"{t:.3g}" for t in regret_tolerances(np.array([[[0.0, 5.0], [2e-8, 5.0]]]), 1e-9)]
    ['2e-17', '1.14e-12']
    """
    payoffs = np.asarray(payoffs, dtype=float)
    scales = player_scales(payoffs[None])[0]
    magnitude = np.abs(payoffs).reshape(-1, payoffs.shape[-1]).max(axis=0) if payoffs.size else scales
    return tol * scales + ROUNDOFF * magnitude


def spread_tolerances(values, tol: float, *, batched: bool = False) -> np.ndarray | float:
    """One tolerance for comparisons among ``values`` (all players' payoffs together): ``tol``
    times their spread, with no floor, plus the round-off of numbers of their magnitude.

    For rules that compare payoffs of several players against one threshold (the perfect
    Bayesian routes); with ``batched``, one tolerance per row of a ``(B, ...)`` array.

    Examples
    --------
    >>> [f"{t:.3g}" for t in (spread_tolerances([0.0, 3e-12], 1e-9), spread_tolerances([2.0, 2.0], 1e-9))]
    ['3e-21', '4.55e-13']
    """
    values = np.asarray(values, dtype=float)
    if not batched:
        if values.size == 0:
            return 0.0
        with np.errstate(over="ignore"):
            spread = min(float(values.max() - values.min()), float(np.finfo(float).max))
        return tol * spread + ROUNDOFF * float(np.abs(values).max())
    flat = values.reshape(values.shape[0], -1)
    if flat.shape[1] == 0:
        return np.zeros(flat.shape[0])
    with np.errstate(over="ignore"):
        spread = np.minimum(flat.max(axis=1) - flat.min(axis=1), np.finfo(float).max)
    return tol * spread + ROUNDOFF * np.abs(flat).max(axis=1)


def _check_names(kind: str, names: Sequence[str]) -> tuple[str, ...]:
    names = tuple(names)
    for name in names:
        if not isinstance(name, str) or not name:
            raise GameError(f"{kind} names must be non-empty strings; got {name!r}")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise GameError(f"{kind} names must be unique; got duplicates {dupes}")
    return names


def _check_payoff_array(payoffs: np.ndarray, *, batched: bool) -> np.ndarray:
    try:
        payoffs = np.asarray(payoffs, dtype=float)
    except (TypeError, ValueError) as exc:
        raise GameError(f"payoffs must be numeric; got {exc}") from None
    lead = 1 if batched else 0
    if payoffs.ndim < lead + 2:
        raise GameError(
            f"payoffs must have shape {'(B, ' if batched else '('}n_0, ..., n_(N-1), N) "
            f"with N >= 1; got shape {payoffs.shape}"
        )
    n_players = payoffs.shape[-1]
    action_axes = payoffs.shape[lead:-1]
    if len(action_axes) != n_players:
        raise GameError(
            f"payoffs' last axis must count the players ({len(action_axes)} action axes); "
            f"got shape {payoffs.shape}"
        )
    if any(n < 1 for n in action_axes):
        raise GameError(f"every player needs at least one action; got action counts {action_axes}")
    if not np.all(np.isfinite(payoffs)):
        bad = np.argwhere(~np.isfinite(payoffs))[0]
        raise GameError(
            f"payoffs must be finite; got {payoffs[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    return payoffs


def _default_players(n: int) -> tuple[str, ...]:
    return tuple(str(i + 1) for i in range(n))


def _default_actions(shape: Sequence[int]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(a + 1) for a in range(n)) for n in shape)


def _check_labels(players, actions, shape) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    players = _default_players(len(shape)) if players is None else _check_names("player", players)
    if len(players) != len(shape):
        raise GameError(f"expected {len(shape)} player names; got {len(players)}: {list(players)}")
    if actions is None:
        actions = _default_actions(shape)
    else:
        actions = tuple(_check_names(f"action (player {p!r})", a) for p, a in zip(players, actions))
        if len(actions) != len(shape):
            raise GameError(f"expected action names for {len(shape)} players; got {len(actions)}")
        for p, a, n in zip(players, actions, shape):
            if len(a) != n:
                raise GameError(f"player {p!r} has {n} actions in the payoffs; got {len(a)} names {list(a)}")
    return players, actions


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite N-player game in normal form.

    Build one with a named constructor (:meth:`from_payoffs`, :meth:`from_arrays`,
    :meth:`from_bimatrix`, :meth:`zero_sum`); the payoff array is validated and read-only.

    Examples
    --------
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]],
    ...                                  players=("Row", "Col"),
    ...                                  actions=(("C", "D"), ("C", "D")))
    >>> g.shape
    (2, 2)
    >>> g.expected_payoffs(([0.0, 1.0], [0.0, 1.0])).tolist()
    [1.0, 1.0]
    """

    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray
    title: str = field(default="")

    # ----- constructors -------------------------------------------------------------------
    @classmethod
    def from_payoffs(cls, payoffs, players=None, actions=None, title: str = "") -> "NormalFormGame":
        """Game from one array of shape ``(n_0, ..., n_{N-1}, N)``."""
        payoffs = _check_payoff_array(payoffs, batched=False)
        players, actions = _check_labels(players, actions, payoffs.shape[:-1])
        return cls(players, actions, readonly(payoffs), title)

    @classmethod
    def from_arrays(cls, *arrays, players=None, actions=None, title: str = "") -> "NormalFormGame":
        """Game from one payoff array per player, each of shape ``(n_0, ..., n_{N-1})``."""
        if not arrays:
            raise GameError("from_arrays() needs one payoff array per player; got none")
        arrays = [np.asarray(a, dtype=float) for a in arrays]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise GameError(f"every player's payoff array must have one shape; got {sorted(shapes)}")
        return cls.from_payoffs(np.stack(arrays, axis=-1), players, actions, title)

    @classmethod
    def from_bimatrix(cls, row, col, players=None, actions=None, title: str = "") -> "NormalFormGame":
        """Two-player game from the row player's and the column player's payoff matrices."""
        row, col = np.asarray(row, dtype=float), np.asarray(col, dtype=float)
        if row.ndim != 2 or row.shape != col.shape:
            raise GameError(
                f"bimatrix payoffs must be two matrices of one shape; got {row.shape} and {col.shape}"
            )
        return cls.from_arrays(row, col, players=players, actions=actions, title=title)

    @classmethod
    def zero_sum(cls, row, players=None, actions=None, title: str = "") -> "NormalFormGame":
        """Two-player zero-sum game from the row player's payoff matrix."""
        row = np.asarray(row, dtype=float)
        return cls.from_bimatrix(row, -row, players, actions, title)

    # ----- shape and labels ------------------------------------------------------------------
    @property
    def n_players(self) -> int:
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        """Action counts ``(n_0, ..., n_{N-1})``."""
        return tuple(self.payoffs.shape[:-1])

    @property
    def n_profiles(self) -> int:
        return int(np.prod(self.shape))

    def normal_form(self) -> "NormalFormGame":
        """The game itself (an ``ExtensiveFormGame`` returns its reduced normal form here), so a
        caller that needs a normal form writes ``game.normal_form()`` whatever the game is."""
        return self

    @property
    def payoff_scale(self) -> float:
        """The game's scale: its largest player scale, 1 when no payoff varies (:func:`payoff_scales`)."""
        return float(payoff_scales(self.payoffs[None])[0])

    @property
    def player_scales(self) -> np.ndarray:
        """Each player's payoff spread, shape ``(N,)`` (:func:`player_scales`)."""
        return readonly(player_scales(self.payoffs[None])[0])

    def regret_tolerances(self, tol: float) -> np.ndarray:
        """Each player's largest regret at a ``tol``-equilibrium, shape ``(N,)`` (:func:`regret_tolerances`)."""
        return readonly(regret_tolerances(self.payoffs, tol))

    def player_index(self, player: str | int) -> int:
        if isinstance(player, (int, np.integer)):
            if not 0 <= player < self.n_players:
                raise GameError(f"player index must be in 0..{self.n_players - 1}; got {player}")
            return int(player)
        try:
            return self.players.index(player)
        except ValueError:
            raise GameError(f"unknown player {player!r}; players are {list(self.players)}") from None

    def action_index(self, player: str | int, action: str | int) -> int:
        i = self.player_index(player)
        if isinstance(action, (int, np.integer)):
            if not 0 <= action < self.shape[i]:
                raise GameError(f"action index for {self.players[i]!r} must be in 0..{self.shape[i] - 1}; got {action}")
            return int(action)
        try:
            return self.actions[i].index(action)
        except ValueError:
            raise GameError(
                f"unknown action {action!r} of player {self.players[i]!r}; actions are {list(self.actions[i])}"
            ) from None

    def payoff_array(self, player: str | int) -> np.ndarray:
        """Player's payoffs as an array of shape ``(n_0, ..., n_{N-1})``."""
        return self.payoffs[..., self.player_index(player)]

    def pure_payoffs(self, profile: Sequence[int | str]) -> np.ndarray:
        """Payoff vector ``(N,)`` at a pure profile given by action indices or names."""
        idx = tuple(self.action_index(i, a) for i, a in enumerate(profile))
        return self.payoffs[idx]

    # ----- mixed profiles ----------------------------------------------------------------------
    def check_profile(self, profile) -> MixedProfile:
        """Validate a mixed profile (one probability vector per player) and return it as arrays."""
        if len(profile) != self.n_players:
            raise GameError(f"a profile needs {self.n_players} strategies; got {len(profile)}")
        out = []
        for i, strategy in enumerate(profile):
            s = np.asarray(strategy, dtype=float)
            if s.shape != (self.shape[i],):
                raise GameError(
                    f"strategy of player {self.players[i]!r} must have length {self.shape[i]}; got shape {s.shape}"
                )
            if not np.all(np.isfinite(s)) or np.any(s < -1e-9) or abs(s.sum() - 1.0) > 1e-6:
                raise GameError(f"strategy of player {self.players[i]!r} must be a probability vector; got {s.tolist()}")
            out.append(s)
        return tuple(out)

    def deviation_payoffs(self, profile) -> tuple[np.ndarray, ...]:
        """For each player ``i``, the payoff of each own action against the others' mixtures."""
        profile = self.check_profile(profile)
        return deviation_payoffs(self.payoffs, profile)

    def expected_payoffs(self, profile) -> np.ndarray:
        """Expected payoff vector ``(N,)`` of a mixed profile."""
        profile = self.check_profile(profile)
        dev = deviation_payoffs(self.payoffs, profile)
        return np.array([float(d @ s) for d, s in zip(dev, profile)])

    def best_responses(self, profile, tol: float = 1e-9) -> tuple[tuple[int, ...], ...]:
        """Each player's pure best responses to the others' mixtures (within ``tol`` times the
        player's scale, :meth:`regret_tolerances`)."""
        dev = self.deviation_payoffs(profile)
        eps = self.regret_tolerances(tol)
        return tuple(tuple(int(a) for a in np.flatnonzero(d >= d.max() - e)) for d, e in zip(dev, eps))

    def regrets(self, profile) -> np.ndarray:
        """Each player's regret: best deviation payoff minus the profile's expected payoff."""
        profile = self.check_profile(profile)
        dev = deviation_payoffs(self.payoffs, profile)
        return np.array([max(0.0, float(d.max() - d @ s)) for d, s in zip(dev, profile)])

    def max_regret(self, profile) -> float:
        return float(self.regrets(profile).max())

    def is_equilibrium(self, profile, tol: float = 1e-7) -> bool:
        """True when each player's regret is within ``tol`` times that player's scale (plus
        round-off, :meth:`regret_tolerances`)."""
        return bool(np.all(self.regrets(profile) <= self.regret_tolerances(tol)))

    # ----- transforms --------------------------------------------------------------------------
    def with_payoffs(self, payoffs) -> "NormalFormGame":
        """Same players and actions, new payoffs of the same shape."""
        payoffs = _check_payoff_array(payoffs, batched=False)
        if payoffs.shape != self.payoffs.shape:
            raise GameError(f"new payoffs must have shape {self.payoffs.shape}; got {payoffs.shape}")
        return NormalFormGame(self.players, self.actions, readonly(payoffs), self.title)

    def restrict(self, keep: Sequence[Sequence[int]]) -> "NormalFormGame":
        """Subgame keeping the listed action indices of each player (in the given order)."""
        keep = [list(k) for k in keep]
        sub = self.payoffs[np.ix_(*keep)] if keep else self.payoffs
        actions = tuple(tuple(self.actions[i][a] for a in k) for i, k in enumerate(keep))
        return NormalFormGame(self.players, actions, readonly(sub), self.title)

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, NormalFormGame)
            and self.players == other.players
            and self.actions == other.actions
            and self.payoffs.shape == other.payoffs.shape
            and bool(np.array_equal(self.payoffs, other.payoffs))
        )

    def __hash__(self) -> int:
        return hash((self.players, self.actions, self.payoffs.tobytes()))

    def __repr__(self) -> str:
        dims = "x".join(map(str, self.shape))
        return f"NormalFormGame({dims}, players={list(self.players)})"

    def _repr_html_(self) -> str:
        """The game as an HTML table in a notebook (:func:`sim.display.game_html`)."""
        from sim.display import game_html

        return game_html(self)


@dataclass(frozen=True, eq=False)
class GameBatch:
    """``B`` games of one shape, sharing player and action names: payoffs ``(B, n_0, ..., N)``.

    Examples
    --------
    >>> import numpy as np
    >>> batch = GameBatch.from_payoffs(np.zeros((3, 2, 2, 2)))
    >>> len(batch), batch[1].shape
    (3, (2, 2))
    """

    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray

    @classmethod
    def from_payoffs(cls, payoffs, players=None, actions=None) -> "GameBatch":
        payoffs = _check_payoff_array(payoffs, batched=True)
        players, actions = _check_labels(players, actions, payoffs.shape[1:-1])
        return cls(players, actions, readonly(payoffs))

    @classmethod
    def stack(cls, games: Iterable[NormalFormGame]) -> "GameBatch":
        games = list(games)
        if not games:
            raise GameError("GameBatch.stack() needs at least one game")
        first = games[0]
        for g in games[1:]:
            if g.players != first.players or g.actions != first.actions:
                raise GameError("GameBatch.stack(): all games must share players and actions")
        return cls(first.players, first.actions, readonly(np.stack([g.payoffs for g in games])))

    def __len__(self) -> int:
        return int(self.payoffs.shape[0])

    def __getitem__(self, b: int) -> NormalFormGame:
        return NormalFormGame(self.players, self.actions, self.payoffs[b])

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.payoffs.shape[1:-1])


def deviation_payoffs(payoffs: np.ndarray, profile: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Payoff of each own action of each player against the others' mixtures.

    ``payoffs`` has shape ``(n_0, ..., n_{N-1}, N)``; returns ``N`` arrays, the ``i``-th of length
    ``n_i``. Contracts the payoff tensor with every other player's mixture.
    """
    n = len(profile)
    out = []
    for i in range(n):
        u = payoffs[..., i]
        # Contract from the last axis down so earlier axis numbers stay valid.
        for j in range(n - 1, -1, -1):
            if j != i:
                u = np.tensordot(u, profile[j], axes=([j], [0]))
        out.append(np.asarray(u, dtype=float))
    return tuple(out)
