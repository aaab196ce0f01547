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

How it is fast:

* The kernel is compiled with numba (``sim/solvers/_pure_jit.py``, imported on first use so that
  ``import sim`` stays light). It transposes tiles of 8 games so that every loop runs over
  contiguous doubles and vectorises, for any number of players and actions; see that module.
* The batch is cut into blocks of whole tiles, which the calling thread and a small pool pull one
  at a time (the kernel releases the GIL). Pulling, rather than one fixed share per thread, keeps
  both cores busy when another process takes one of them for a while.
* Small batches (one game from ``enumpure_solve``, say) use a plain NumPy version instead: there
  numba's import and dispatch cost more than the whole computation. It is also the fallback when
  numba cannot be imported. Both apply the same float64 comparison, so they agree exactly.
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

# Games per block handed to a thread (a multiple of the kernel's tile of 8). A block of the
# 4-player, 3-action workload is 500 games (1.3 MB): big enough that the hand-off (a few
# microseconds) is noise, small enough that 20 blocks of a 10,000-game batch balance two threads.
_BLOCK_GAMES = 512
# Batches with fewer payoff entries than this go to the NumPy version (see the module docstring).
_SMALL_BATCH = 4096
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


def _numpy_mask(payoffs: np.ndarray, tol: float) -> np.ndarray:
    """The tie rule ``u >= max - tol`` player by player, over the whole batch at once."""
    mask = np.ones(payoffs.shape[:-1], dtype=bool)
    with np.errstate(over="ignore"):  # max - tol may overflow to -inf: every u is then >= it
        for i in range(payoffs.shape[-1]):
            u = payoffs[..., i]
            mask &= u >= u.max(axis=1 + i, keepdims=True) - tol
    return mask


def _compiled_kernel():
    """The numba kernel, or None when numba cannot be imported (the NumPy version is used)."""
    try:
        from sim.solvers._pure_jit import enumpure_rows
    except ImportError:  # numba missing or broken for this interpreter
        return None
    return enumpure_rows


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
        payoffs when needed (:func:`pure_equilibrium_mask` does, for ``enumpure_solve`` and sweeps).
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
    kernel = None if payoffs.size < _SMALL_BATCH else _compiled_kernel()
    if kernel is None:
        if not np.isfinite(payoffs).all():
            _raise_non_finite(payoffs)
        return _numpy_mask(payoffs, tol)

    rows = np.ascontiguousarray(payoffs).reshape(n_games, -1)
    flat_out = out.reshape(n_games, -1)
    shape = np.array(payoffs.shape[1:-1], dtype=np.int64)
    block = max(8, _BLOCK_GAMES // 8 * 8)
    starts = range(0, n_games, block)
    n_threads = min(_default_threads() if threads is None else int(threads), len(starts))
    bad = []  # first game of a tile with a non-finite payoff, per block that met one

    if n_threads <= 1:
        for lo in starts:
            if kernel(rows, shape, tol, flat_out, lo, min(lo + block, n_games)) >= 0:
                _raise_non_finite(payoffs)
        return out

    next_block = iter(starts)
    lock = threading.Lock()

    def work():
        while not bad:
            with lock:
                lo = next(next_block, None)
            if lo is None:
                return
            if kernel(rows, shape, tol, flat_out, lo, min(lo + block, n_games)) >= 0:
                bad.append(lo)

    pool = _thread_pool()
    futures = [pool.submit(work) for _ in range(n_threads - 1)]
    work()  # the calling thread works too instead of waiting idle
    for f in futures:
        f.result()
    if bad:
        _raise_non_finite(payoffs)
    return out


def _raise_non_finite(payoffs: np.ndarray):
    bad = tuple(int(j) for j in np.argwhere(~np.isfinite(payoffs))[0])
    raise SolverError(f"enumpure_batch(): payoffs must be finite; got {payoffs[bad]} at index {bad}")


def pure_equilibrium_mask(payoffs, tol: float = DEFAULT_TOL, *, threads: int | None = None,
                          atol=None) -> np.ndarray:
    """Pure equilibria of a batch ``(B, n_0, ..., N)`` with a tolerance relative to each game's scale.

    Each player's payoffs in each game are mapped onto ``[0, 1]`` (:func:`sim.game.unit_payoffs`:
    divided by the player's own scale, whatever it is, 1e-300 or 1e300) and then checked with
    :func:`enumpure_batch` at the absolute tolerance ``tol``: the one tie rule of
    the project. ``enumpure_solve`` (one game), the sweep's batched rows and the threshold
    searches all call this, so a point decides a tie the same way whichever route solved it.

    ``atol``, when given (shape ``(N,)``, finite, >= 0), replaces ``tol`` times each player's own
    scale by a fixed largest gain per player: for a game cut out of a larger one (a subgame of a
    tree, :func:`sim.extensive.spe.spe_solve`), whose ties are judged on the larger game's scale,
    not on the spread of the part, which can be as small as round-off. A player with
    ``atol = 0`` must not gain at all.

    Returns
    -------
    ndarray of bool, shape (B, n_0, ..., n_{N-1})

    Examples
    --------
    A tie within ``tol`` of the scale counts as a best response, whatever the units:

    >>> import numpy as np
    >>> g = np.array([[[0.0], [1.0], [1.0 - 1e-12]]])  # one player; two nearly tied best actions
    >>> pure_equilibrium_mask(g).tolist(), pure_equilibrium_mask(g * 1e6).tolist()
    ([[False, True, True]], [[False, True, True]])
    >>> enumpure_batch(g * 1e6, 1e-9).tolist()  # an absolute tolerance loses the tie at scale 1e6
    [[False, True, False]]
    >>> tiny = np.array([[[0.0], [1e-12]]])  # a strict preference on its own scale ...
    >>> pure_equilibrium_mask(tiny).tolist(), pure_equilibrium_mask(tiny, atol=[4e-9]).tolist()
    ([[False, True]], [[True, True]])
    """
    from sim.game import unit_payoffs

    payoffs = np.asarray(payoffs, dtype=np.float64)
    if payoffs.ndim < 3 or not np.all(np.isfinite(payoffs)):
        return enumpure_batch(payoffs, tol, threads=threads)  # enumpure_batch names the bad shape or value
    if atol is None:
        return enumpure_batch(unit_payoffs(payoffs, batched=True), tol, threads=threads)
    return enumpure_batch(_per_player_units(payoffs, atol), 1.0, threads=threads)


def check_atol(atol, n: int, func: str) -> np.ndarray:
    """``atol`` as an array of ``n`` finite non-negative numbers (one per player), or a
    :class:`~sim.errors.SolverError` naming ``func`` (the public function the caller called), the
    rule and the bad value.

    Examples
    --------
    >>> check_atol([1e-9, 0], 2, "enumpure_solve").tolist()
    [1e-09, 0.0]
    >>> check_atol([1e-9], 2, "stage_equilibria")
    Traceback (most recent call last):
    ...
    sim.errors.SolverError: stage_equilibria(): atol must hold 2 finite non-negative numbers, one per player; got [1e-09]
    """
    try:
        arr = np.asarray(atol, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.shape != (n,) or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        shown = arr.tolist() if arr is not None else atol
        raise SolverError(f"{func}(): atol must hold {n} finite non-negative numbers, one per player; "
                          f"got {shown!r}")
    return arr


#: Multiplier of a player's unit payoffs when its ``atol`` is 0: any gain counts (2**1000 keeps
#: every product finite, as unit payoffs are at most 1).
_EXACT = 2.0 ** 1000


def _per_player_units(payoffs: np.ndarray, atol) -> np.ndarray:
    """Each player's payoffs in units of its ``atol`` (shifted by their least value), so that the
    absolute tolerance 1 on the image is ``atol[i]`` on player ``i``'s payoffs; a player with
    ``atol[i] = 0`` keeps every strict difference (unit payoffs times :data:`_EXACT`)."""
    from sim.game import unit_payoffs

    atol = check_atol(atol, payoffs.shape[-1], "pure_equilibrium_mask")
    axes = tuple(range(1, payoffs.ndim - 1))
    lo = payoffs.min(axis=axes, keepdims=True)
    half = np.where(atol > 0, atol, 1.0) * 0.5
    with np.errstate(over="ignore"):
        out = (payoffs * 0.5 - lo * 0.5) / half  # halves never overflow; a huge ratio is capped
    out = np.minimum(out, np.finfo(float).max / 4)
    return np.where(atol > 0, out, unit_payoffs(payoffs, batched=True) * _EXACT)


def enumpure_solve(game: NormalFormGame, tol: float = DEFAULT_TOL, max_equilibria: int | None = None, *,
                   atol=None) -> SolverResult:
    """All pure-strategy Nash equilibria of an N-player game.

    Enumerates every pure profile and keeps those where no player gains more than
    ``tol`` times that player's payoff scale by deviating (Nash 1951; Gambit's ``enumpure``). The
    tolerance is relative to each player's scale, so shifting or rescaling one player's payoffs
    does not change the equilibria.

    Parameters
    ----------
    game : NormalFormGame
    tol : float
        Non-negative tolerance relative to each player's payoff scale (the spread of the
        player's payoffs, :func:`sim.game.player_scales`).
    max_equilibria : int, optional
        List at most this many. Every equilibrium is counted on the boolean mask first; when
        there are more, only the first ``max_equilibria`` (lexicographic order) are certified
        and listed, ``complete`` is False and ``details`` holds ``count`` and
        ``incomplete_reason``. A tie-rich game can have as many pure equilibria as profiles
        (every profile of an all-zero game), and each listed one holds a strategy vector per
        player, so the limit is what keeps memory bounded. Default: no limit.
    atol : array (N,), optional
        Each player's largest gain from deviating that still counts as a tie, in payoff units,
        instead of ``tol`` times the player's own scale: for a game cut out of a larger one whose
        ties are judged on the larger game's scale (:func:`pure_equilibrium_mask`).

    Returns
    -------
    SolverResult
        Method ``"enumpure"``, ``complete=True`` unless ``max_equilibria`` cut the list; one
        certified pure :class:`Equilibrium` per equilibrium profile, in lexicographic order of
        the action indices; ``details["count"]`` is the number of pure equilibria.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> [e.pure_profile for e in enumpure_solve(g).equilibria]
    [(1, 1)]
    """
    if not isinstance(tol, (int, float, np.integer, np.floating)) or not 0 <= tol < np.inf:
        raise SolverError(f"enumpure_solve(): tol must be a non-negative finite number; got {tol!r}")
    if max_equilibria is not None and (isinstance(max_equilibria, bool) or not isinstance(max_equilibria, (int, np.integer))
                                       or max_equilibria < 0):
        raise SolverError(f"enumpure_solve(): max_equilibria must be a non-negative integer or None; "
                          f"got {max_equilibria!r}")
    if atol is not None:
        atol = check_atol(atol, game.n_players, "enumpure_solve")
    mask = pure_equilibrium_mask(game.payoffs[None], float(tol), threads=1, atol=atol)[0]
    count = int(np.count_nonzero(mask))
    params = {"tol": tol} if max_equilibria is None else {"tol": tol, "max_equilibria": int(max_equilibria)}
    if atol is not None:
        params["atol"] = tuple(float(x) for x in np.asarray(atol, dtype=float))
    details = {"count": count}
    if max_equilibria is not None and count > max_equilibria:
        flat = _first_true(mask.reshape(-1), int(max_equilibria))
        profiles = np.stack(np.unravel_index(flat, mask.shape), axis=1)
        details["incomplete_reason"] = (f"enumpure_solve(): {count:,} pure equilibria, more than "
                                        f"max_equilibria={int(max_equilibria):,}; the first {len(flat):,} "
                                        "(lexicographic order) are listed")
    else:
        profiles = np.argwhere(mask)
    # One vectorised certification: per-profile certify contracts the whole payoff array each
    # time (84 ms at 16 players), which a game with 65,504 pure equilibria cannot afford.
    equilibria = Equilibrium.certify_pure_many(game, profiles)
    return SolverResult("enumpure", game, tuple(equilibria), params,
                        complete="incomplete_reason" not in details, details=details)


def _first_true(flags: np.ndarray, k: int, chunk: int = 1 << 20) -> np.ndarray:
    """Indices of the first ``k`` True entries of a 1-D boolean array, reading it in chunks (no
    index array of every True entry, which for an all-True mask of 25 million is 200 MB)."""
    out, need = [], k
    for start in range(0, len(flags), chunk):
        if need <= 0:
            break
        hit = np.flatnonzero(flags[start:start + chunk])[:need] + start
        out.append(hit)
        need -= len(hit)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.intp)
