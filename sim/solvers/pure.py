"""Pure-strategy Nash equilibria of N-player games, batched over a leading axis.

Axis conventions: one game's payoffs are ``(n_0, ..., n_{N-1}, N)`` (one axis per player's own
action, then the player axis); a batch of ``B`` games of one shape is ``(B, n_0, ..., n_{N-1}, N)``.

A pure profile ``a`` is an equilibrium when, for every player ``i``,
``u_i(a) >= max_b u_i(b, a_-i) - tol``: no unilateral deviation gains more than ``tol``. This is
the definition of Nash (1951), checked by enumerating every profile, as in Gambit's ``enumpure``
(McKelvey, McLennan and Turocy, Gambit: Software Tools for Game Theory) and QuantEcon's
``pure_nash_brute``.

``enumpure_batch`` is the batched kernel: ``(B, n_0, ..., n_{N-1}, N) -> bool (B, n_0, ...,
n_{N-1})``. ``enumpure_solve`` is the registered method for one :class:`NormalFormGame`.

How the kernel is fast with NumPy alone (float64 throughout, so ties are decided exactly):

* The batch is cut into blocks of a few MiB: big enough to amortise NumPy's per-call cost,
  small enough to stay in cache between the passes over a block.
* Inside a block, games are grouped in tiles of ``T`` games and the tile becomes the innermost
  axis: ``(tiles, N, n_0, ..., n_{N-1}, T)``. Every NumPy loop then runs over at least ``T``
  contiguous doubles, where the natural layout would give loops of length ``n_i`` (often 2 or 3)
  at a stride of ``N`` doubles, which NumPy cannot vectorise.
* The maximum over a player's own axis is a chain of ``np.maximum`` over its ``n_i`` slices
  (cheaper than ``ndarray.max`` on a short axis), and every operation writes into a buffer.
* Blocks run on a small thread pool: NumPy releases the GIL inside these ufunc loops.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-9

# Working-set budget of one block (its transposed payoffs). Each block costs some 25 NumPy calls
# of a few microseconds each, so blocks must hold hundreds of small games to amortise them; on a
# 2-core AMD EPYC (1 MiB L2 per core, 32 MiB L3) blocks of 1-3 MiB were fastest, 256 KiB blocks
# ran at half the speed.
_BLOCK_BYTES = 2 * 1024 * 1024
# Games per tile (the innermost, contiguous axis). 32 doubles per inner loop is where NumPy's
# per-loop overhead stops mattering; longer tiles make the in-tile transpose less cache friendly.
_MAX_TILE = 32
# Below this many blocks threads cost more (task hand-off) than they save.
_MIN_BLOCKS_FOR_THREADS = 2
_MAX_THREADS = 8

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_pool_lock = threading.Lock()


def _default_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not available on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, _MAX_THREADS))


def _thread_pool() -> ThreadPoolExecutor:
    """One shared pool, created on first use (no side effect at import).

    A pool inherited through ``fork`` has no live threads and would hang, so a child process
    builds its own.
    """
    global _pool, _pool_pid
    with _pool_lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(max_workers=_default_threads(), thread_name_prefix="enumpure")
            _pool_pid = os.getpid()
        return _pool


def _axis_slice(ndim: int, axis: int, k: int) -> tuple:
    """Index keeping ``axis`` (as length 1) at position ``k``, so results broadcast back."""
    index = [slice(None)] * ndim
    index[axis] = slice(k, k + 1)
    return tuple(index)


def _tile_size(profile_bytes: int) -> int:
    tile = _MAX_TILE
    while tile > 1 and tile * profile_bytes > _BLOCK_BYTES:
        tile //= 2
    return tile


def _kernel(block: np.ndarray, out: np.ndarray, tol: float, tile: int) -> None:
    """Equilibrium mask of ``block`` (``(b, n_0, ..., N)``, C-contiguous) into ``out``.

    ``b`` must be a multiple of ``tile``.
    """
    b, n_players = block.shape[0], block.shape[-1]
    shape = block.shape[1:-1]
    n_profiles = int(np.prod(shape))
    n_tiles = b // tile
    ndim = len(shape) + 2  # tiles, action axes, tile

    # Transpose tile by tile: (tiles, T, P, N) -> (tiles, N, P, T). Within one tile the source
    # is a few KiB, so the strided reads stay in L1.
    t = np.empty((n_tiles, n_players) + shape + (tile,))
    np.copyto(
        t.reshape(n_tiles, n_players, n_profiles, tile),
        block.reshape(n_tiles, tile, n_profiles, n_players).transpose(0, 3, 2, 1),
    )
    # NaN and +-inf make the sum non-finite; only then pay for the exact test (a finite sum
    # can overflow when payoffs are near 1e308, which is allowed). einsum's plain SIMD sum is
    # about twice as fast here as np.sum's pairwise one; its rounding does not matter.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.einsum("i->", t.reshape(-1))
    if not np.isfinite(total) and not np.isfinite(t).all():
        raise _NonFinite

    mask_shape = (n_tiles,) + shape + (tile,)
    mask = None
    ok = np.empty(mask_shape, dtype=bool)
    for i in range(n_players):
        n = shape[i]
        if n == 1:
            continue  # no deviation: every profile is a best response for this player
        u = t[:, i]
        axis = 1 + i
        best = np.maximum(u[_axis_slice(ndim, axis, 0)], u[_axis_slice(ndim, axis, 1)])
        for k in range(2, n):
            np.maximum(best, u[_axis_slice(ndim, axis, k)], out=best)
        if tol:
            best -= tol
        # The tie rule, exactly as documented: best response iff u >= max - tol.
        if mask is None:
            mask = np.greater_equal(u, best)
        else:
            np.greater_equal(u, best, out=ok)
            mask &= ok
    if mask is None:  # every player has a single action: the one profile is an equilibrium
        mask = np.ones(mask_shape, dtype=bool)
    np.copyto(
        out.reshape(n_tiles, tile, n_profiles),
        mask.reshape(n_tiles, n_profiles, tile).transpose(0, 2, 1),
    )


class _NonFinite(Exception):
    """Raised inside a block; turned into a SolverError naming the value by the caller."""


def enumpure_batch(payoffs, tol: float = DEFAULT_TOL, *, threads: int | None = None) -> np.ndarray:
    """Mask of the pure Nash equilibria of each game in a batch.

    A profile is marked when every player's payoff there is at least its best payoff over its
    own actions (the others' actions fixed) minus ``tol``. Every pure profile is enumerated
    (Nash 1951; the same method as Gambit's ``enumpure`` and QuantEcon's ``pure_nash_brute``).

    Parameters
    ----------
    payoffs : array_like, shape (B, n_0, ..., n_{N-1}, N)
        Payoffs of ``B`` games of one shape; converted to float64 (never a narrower type, so
        ties are decided exactly). Entries must be finite.
    tol : float
        Absolute, non-negative tolerance on a player's gain from deviating. Scale it to the
        payoffs when needed (``enumpure_solve`` passes ``tol * game.payoff_scale``).
    threads : int, optional
        Threads to spread the blocks over (default: the usable cores, at most 8). Results do
        not depend on it.

    Returns
    -------
    ndarray of bool, shape (B, n_0, ..., n_{N-1})

    Raises
    ------
    SolverError
        When the shape is not ``(B, n_0, ..., n_{N-1}, N)``, an action count is zero, a payoff
        is not finite, or ``tol`` is negative or not a number.

    Examples
    --------
    The prisoner's dilemma: (Defect, Defect) is the only equilibrium.

    >>> import numpy as np
    >>> pd = np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]], dtype=float)
    >>> enumpure_batch(pd[None]).nonzero()
    (array([0]), array([1]), array([1]))
    """
    try:
        payoffs = np.asarray(payoffs, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SolverError(f"enumpure_batch(): payoffs must be numeric; got {exc}") from None
    if payoffs.ndim < 3 or payoffs.shape[-1] != payoffs.ndim - 2:
        raise SolverError(
            "enumpure_batch(): payoffs must have shape (B, n_0, ..., n_(N-1), N) with one action "
            f"axis per player; got shape {payoffs.shape}"
        )
    if any(n < 1 for n in payoffs.shape[1:-1]):
        raise SolverError(
            f"enumpure_batch(): every player needs at least one action; got shape {payoffs.shape}"
        )
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise SolverError(f"enumpure_batch(): tol must be a non-negative number; got {tol!r}") from None
    if not tol >= 0 or not np.isfinite(tol):
        raise SolverError(f"enumpure_batch(): tol must be a non-negative finite number; got {tol}")
    if threads is not None and (not isinstance(threads, (int, np.integer)) or threads < 1):
        raise SolverError(f"enumpure_batch(): threads must be a positive integer; got {threads!r}")

    n_games = payoffs.shape[0]
    out = np.empty(payoffs.shape[:-1], dtype=bool)
    if n_games == 0:
        return out
    payoffs = np.ascontiguousarray(payoffs)

    profile_bytes = payoffs[0].nbytes
    tile = min(_tile_size(profile_bytes), n_games)
    block = max(tile, (_BLOCK_BYTES // (profile_bytes * tile)) * tile)
    main = (n_games // tile) * tile
    # Work items: whole tiles in blocks, then the remainder (fewer than ``tile`` games) as one
    # tile of its own size.
    tasks = [(s, min(s + block, main), tile) for s in range(0, main, block)]
    if main < n_games:
        tasks.append((main, n_games, n_games - main))

    def work(task):
        start, stop, t = task
        _kernel(payoffs[start:stop], out[start:stop], tol, t)

    n_threads = _default_threads() if threads is None else int(threads)
    try:
        if n_threads > 1 and len(tasks) >= _MIN_BLOCKS_FOR_THREADS:
            # Contiguous runs of blocks per thread: fewer hand-offs than one task per block.
            per = -(-len(tasks) // n_threads)
            runs = [tasks[j:j + per] for j in range(0, len(tasks), per)]
            pool = _thread_pool()
            futures = [pool.submit(lambda run: [work(x) for x in run], run) for run in runs[1:]]
            for x in runs[0]:
                work(x)  # the calling thread takes the first run instead of waiting idle
            for f in futures:
                f.result()
        else:
            for x in tasks:
                work(x)
    except _NonFinite:
        bad = tuple(int(j) for j in np.argwhere(~np.isfinite(payoffs))[0])
        raise SolverError(
            f"enumpure_batch(): payoffs must be finite; got {payoffs[bad]} at index {bad}"
        ) from None
    return out


def enumpure_solve(game: NormalFormGame, tol: float = DEFAULT_TOL) -> SolverResult:
    """All pure-strategy Nash equilibria of an N-player game.

    Enumerates every pure profile and keeps those where no player gains more than
    ``tol * game.payoff_scale`` by deviating (Nash 1951; Gambit's ``enumpure``). The tolerance
    is relative to the payoff scale, so rescaling a game does not change its equilibria.

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Non-negative tolerance relative to the game's payoff scale (the payoff spread, at
        least 1).

    Returns
    -------
    SolverResult
        Method ``"enumpure"``, ``complete=True``; one certified pure :class:`Equilibrium` per
        equilibrium profile, in lexicographic order of the action indices.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(1, 1)]
    """
    if not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise SolverError(f"enumpure_solve(): tol must be a non-negative finite number; got {tol!r}")
    mask = enumpure_batch(game.payoffs[None], float(tol) * game.payoff_scale, threads=1)[0]
    equilibria = []
    for idx in zip(*np.nonzero(mask)):
        profile = [np.eye(n)[a] for n, a in zip(game.shape, idx)]
        equilibria.append(Equilibrium.certify(game, profile))
    return SolverResult("enumpure", game, tuple(equilibria), {"tol": tol}, complete=True)
