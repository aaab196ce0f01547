"""All isolated Nash equilibria of small N-player games, by support enumeration on polynomials.

Axis conventions: payoffs are ``(n_0, ..., n_{N-1}, N)`` (profile axes, then the player axis), as
everywhere in :mod:`sim.game`. Inside this module a profile is also handled as one stacked vector
``x`` of length ``n = n_0 + ... + n_{N-1}`` (player 0's probabilities first), and a batch of such
vectors (one per homotopy path) is an array ``(P, n)``.

Method
------
For a support profile ``S = (S_0, ..., S_{N-1})`` an equilibrium with exactly that support solves the
*indifference system*: for every player ``i`` and every ``a`` in ``S_i`` other than its first action
``a0``, ``u_i(a, x_-i) - u_i(a0, x_-i) = 0``, with ``x_j`` zero outside ``S_j`` (McKelvey and
McLennan 1996, section 6; the approach of Gambit's ``enumpoly``). Player ``i``'s equations are
multilinear, of degree one in each other player's strategy and zero in its own, and their number
equals the number of unknowns: the system is square.

Each system is solved by a *linear-product homotopy* in multiprojective space (Morgan and Sommese
1987; Sommese and Wampler 2005, chapter 8): each player's strategy lives in its own projective space
with a random complex affine chart, the start system replaces each equation by a product of random
linear forms, one per other player, and the start solutions are counted by the multihomogeneous
Bezout number, which is exactly the number of solutions of a generic game (McKelvey and McLennan
1997). Each support is solved at its own size (only its support probabilities are unknowns), every
path in a compiled loop (:mod:`sim.solvers._poly_jit_track`, numba; supports and paths dealt over
two threads, the kernels releasing the GIL): cubic Hermite predictor, Newton
corrector, step size from the corrector (predictor-corrector continuation: Allgower and Georg
2003, "Introduction to Numerical Continuation Methods", SIAM). Support profiles are pruned
by conditional strict dominance (Porter, Nudelman and Shoham 2008) and by a subdivision exclusion
test (as in Gambit's ``enumpoly``), both compiled; the subdivision also applies, to its small cells,
the Krawczyk test of interval analysis (Krawczyk 1969; Moore, Kearfott and Cloud 2009,
"Introduction to Interval Analysis", SIAM, section 8.2; Neumaier 1990, "Interval Methods for Systems
of Equations", chapter 5), which excludes a cell or proves that it holds exactly one solution of
the support's system and computes it by Newton's method. A support whose every cell is excluded or
holds its verified solution is *settled*: its equilibria are among those solutions, and none of
its paths is tracked (:mod:`sim.solvers._poly_jit_settle`; only supports the test cannot settle
within their cell budget are tracked). The earlier route, every path of every support
in one padded NumPy batch with a Runge-Kutta predictor, is kept in
:mod:`sim.solvers._poly_reference` as the reference the compiled kernels are tested against
(``enumpoly_solve(..., _route=_poly_reference)``).

End points are real-filtered, polished by Newton's method on the simplex chart and certified with
:meth:`sim.result.Equilibrium.certify`. End points where the Jacobian is rank deficient signal a
positive-dimensional solution set (a *continuum*, as in Nau, Gomez Canovas and Hansen 2004): real
points of it are found by Gauss-Newton projection, and the equilibrium part of the component is
traced by pseudo-arclength continuation until a probability reaches zero or an unused action becomes
profitable; those end points are reported.

The module reads top to bottom: :func:`enumpoly_solve`; the compiled route (support profiles,
pruning, end points). The rest of the method lives in private modules, imported one way (no module
imports one that imports it, and nothing here needs the reference route):

* :mod:`sim.solvers._poly_system`: the support systems in NumPy (start solutions, the padded
  homotopy, real points), shared by both routes;
* :mod:`sim.solvers._poly_continua`: continua, from the end points of either route;
* :mod:`sim.solvers._poly_jit_prune`, :mod:`sim.solvers._poly_jit_settle` and
  :mod:`sim.solvers._poly_jit_track` (with their shared layout and kernel in
  :mod:`sim.solvers._poly_jit`): the compiled kernels, imported inside the functions that call them
  so that importing ``sim`` never pays for numba;
* :mod:`sim.solvers._poly_reference`: the NumPy reference route, which imports
  :mod:`sim.solvers._poly_system` only and is handed to :func:`enumpoly_solve` by the tests.
"""

from __future__ import annotations

import math

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, unit_payoffs
from sim.result import Equilibrium, SolverResult, certify_result
from sim.solvers._poly_continua import MAX_CONTINUA, SAME_CURVE, find_continua, on_polyline
from sim.solvers._poly_system import (IMAG_TOL, MAX_STEPS, SINGULAR_COND, Model, assignments, feasible,
                                      player_supports, split)

DEFAULT_TOL = 1e-7
_PRUNE_DEPTH = 50       # compiled subdivision: depth before a support is kept anyway
_PRUNE_CELLS_JIT = 200_000  # compiled subdivision: cells per support before it is kept anyway,
_PRUNE_CELLS_PER_PATH = 2000  # ... at most this many per homotopy path of the support (a path
_PRUNE_CELLS_MIN = 2000       # costs about as much as a thousand cells), and at least this many
_SETTLE_DEPTH = 200           # subdivision with the Krawczyk test: depth before a support is tracked,
_SETTLE_CELLS_PER_PATH = 3000  # cells per homotopy path of a support of _SETTLE_SIZE actions (whose
_SETTLE_SIZE = 15              # paths cost about as much as 3,000 cells each; a smaller support's
_SETTLE_CELLS_MIN = 4000       # paths cost less, as the cube of its size), at least this many,
_SETTLE_CELLS_MAX = 10_000_000 # at most this many
_KRAWCZYK_WIDTH = 0.05        # Krawczyk test on cells at most this wide (wider ones rarely settle),
_KRAWCZYK_COST = 16           # counted as this many cells
_SETTLE_ROOTS = 64            # verified roots per support before it is tracked instead
_ROUTE_STEPS = ("support_profiles", "may_hold_equilibrium", "endpoints")  # what a route provides

#: Most support profiles (``prod(2**n_i - 1)``) ``enumpoly_solve`` will enumerate: a 4x4x4x2
#: game has 10,125 (seconds), a 4x4x4x4 game 50,625 (minutes, see docs/performance-poly.md); a
#: reduced normal form with dozens of strategies would need astronomically many, and memory for them.
MAX_SUPPORT_PROFILES = 100_000




# ----------------------------------------------------------------------------------------------
# Public function
# ----------------------------------------------------------------------------------------------
def enumpoly_solve(game: NormalFormGame, tol: float = DEFAULT_TOL, seed: int = 0,
                   max_support_profiles: int = MAX_SUPPORT_PROFILES, max_continua: int = MAX_CONTINUA, *,
                   _route=None, _krawczyk: bool = True) -> SolverResult:
    """All isolated Nash equilibria of a small N-player game, with continua reported.

    Support enumeration on the polynomial indifference conditions (McKelvey and McLennan 1996,
    section 6; Gambit's ``enumpoly``), with support profiles pruned by conditional dominance and
    visited smallest first (Porter, Nudelman and Shoham 2008, "Simple search methods for finding a
    Nash equilibrium", Games and Economic Behavior 63). Each support's square polynomial system is
    solved by a linear-product homotopy in multiprojective space (Morgan and Sommese 1987), each
    path tracked in compiled code; end points are polished by Newton's method. Before any path is
    tracked, supports are dropped by a sound subdivision exclusion test (McKelvey and McLennan
    1996, section 6), compiled and depth first, whose small cells also go through the Krawczyk
    test (Krawczyk 1969; Moore, Kearfott and Cloud 2009, section 8.2): a support whose every cell
    is excluded or proven to hold exactly one solution of its system (computed by Newton's method)
    is settled without tracking any path; only the others are tracked. Both tests are sound, so
    neither loses an equilibrium (floating point is covered by outward margins, see
    :mod:`sim.solvers._poly_jit_settle`).

    Guarantees. For a generic game every support system has exactly its multihomogeneous Bezout
    number of complex solutions, all nonsingular (McKelvey and McLennan 1997), and the homotopy
    reaches each of them with probability one over the random start data; the method checks this
    (distinct end points per support) and sets ``complete=False`` when a path fails or two paths
    meet. Every returned equilibrium is certified: each player's measured regret is at most
    ``tol`` times that player's payoff scale (:func:`sim.result.certify_result`). On degenerate games, a support whose system has a
    positive-dimensional solution set is detected from rank-deficient end points; its equilibrium
    part is traced and reported in ``details["continua"]`` (support, dimension, kind, end points),
    its end points and one interior point are returned as equilibria with details
    ``{"on_continuum": True, "component": k}``, and ``complete`` is False (the set is not finite).
    Continua are also found from equilibria whose unused best responses open one (a support whose
    system has no start solutions, as in Nau et al. 2004, section 6). Not searched: a continuum
    whose support system has no start solutions and that touches no isolated equilibrium.

    Parameters
    ----------
    game : NormalFormGame
        At least two players. Cost grows quickly with the number of actions: intended for games up
        to about 4 players with 4 actions each.
    tol : float
        Regret tolerance relative to each player's payoff scale.
    seed : int
        Seed of the random start system (results do not depend on it, barring path failures).
    max_support_profiles : int
        Refuse (``SolverError`` naming the count) a game with more support profiles than this
        (default :data:`MAX_SUPPORT_PROFILES`), rather than run for hours or exhaust memory.
    max_continua : int
        Stop tracing continua after this many components (default
        :data:`sim.solvers._poly_continua.MAX_CONTINUA`): ``details["continua_stopped"]`` is then
        True and ``details["incomplete_reason"]`` says so; the isolated equilibria found by the
        homotopy are still all listed, but components (and isolated points on singular supports)
        beyond the limit are not. A game with many equal payoffs has a component on nearly every
        support, so without this limit work and memory grow with the support profiles.
    _krawczyk : bool
        Private, for tests and measurements: ``False`` skips the Krawczyk test and settling (the
        subdivision alone, every support it keeps tracked). A game found to have continua or
        singular end points is solved again that way (its continua are sampled from tracked end
        points), so settling changes nothing on it; a game with own-payoff ties
        (:func:`has_own_payoff_ties`) takes that route at once.
    _route : object, optional
        Private, for tests: a route used instead of the compiled one, that is any object with the
        functions ``support_profiles``, ``may_hold_equilibrium`` and ``endpoints`` (the module
        :mod:`sim.solvers._poly_reference` is one). Only the steps up to the end points differ
        between routes; continua and certification are shared.

    Returns
    -------
    SolverResult
        ``method="enumpoly"``; ``details`` holds ``continua``, ``supports`` (profiles solved),
        ``supports_settled`` (settled by the Krawczyk test, no path tracked), ``supports_tracked``,
        ``paths`` (homotopy paths tracked) and ``failed_paths``.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> g = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> r = enumpoly_solve(g)
    >>> [[p.round(3).tolist() for p in e.profile] for e in r.equilibria]
    [[[0.5, 0.5], [0.5, 0.5]]]
    """
    if not isinstance(game, NormalFormGame):
        raise SolverError(f"enumpoly_solve(): game must be a NormalFormGame; got {type(game).__name__}")
    if game.n_players < 2:
        raise SolverError(f"enumpoly_solve(): needs at least 2 players; got {game.n_players}")
    if not (isinstance(tol, (int, float)) and 0 < tol < 1):
        raise SolverError(f"enumpoly_solve(): tol must be a number in (0, 1); got {tol!r}")
    if isinstance(max_continua, bool) or not isinstance(max_continua, (int, np.integer)) or max_continua < 1:
        raise SolverError(f"enumpoly_solve(): max_continua must be a positive integer; got {max_continua!r}")
    if not isinstance(max_support_profiles, (int, np.integer)) or max_support_profiles < 1:
        raise SolverError(f"enumpoly_solve(): max_support_profiles must be a positive integer; "
                          f"got {max_support_profiles!r}")
    n_supports = math.prod(2 ** n - 1 for n in game.shape)
    if n_supports > max_support_profiles:
        shape = "x".join(str(n) for n in game.shape)
        raise SolverError(
            f"enumpoly_solve(): a {shape} game has {n_supports:,} support profiles, over "
            f"max_support_profiles={max_support_profiles:,}; use enumpure, logit or (two players) "
            "enummixed, or raise max_support_profiles")
    if _route is None:
        support_profiles, may_hold_equilibrium, endpoints = _support_profiles, _may_hold_equilibrium, _endpoints_jit
    else:
        missing = [name for name in _ROUTE_STEPS if not callable(getattr(_route, name, None))]
        if missing:
            raise SolverError(f"enumpoly_solve(): _route must provide the functions {', '.join(_ROUTE_STEPS)}; "
                              f"got {_route!r}, without {', '.join(missing)}")
        support_profiles, may_hold_equilibrium, endpoints = (getattr(_route, name) for name in _ROUTE_STEPS)
    params = {"tol": tol, "seed": seed, "max_continua": int(max_continua)}
    rng = np.random.default_rng(seed)
    # Map each player's payoffs onto [0, 1]: conditioning, and tolerances then mean "relative to
    # each player's scale", whatever the units (1e-300 or 1e300, one player's or all).
    u = unit_payoffs(game.payoffs)
    model = Model.build(u, rng)
    n = int(model.offsets[-1])
    considered = support_profiles(u, eps=tol)
    # Supports whose system has start solutions and whose simplices may hold an equilibrium (the
    # subdivision test is sound, so dropping the rest loses no equilibrium and no continuum).
    profiles = [p for p in considered if assignments(tuple(len(s) - 1 for s in p))]
    settled_found, n_settled = [], 0
    # A game where some player is indifferent between two actions against some pure profile of
    # the others (ties, as in reduced forms of trees and small-integer payoffs) is where continua
    # and singular end points arise; it goes to the tracked route at once instead of settling
    # first and then being solved again below.
    if _route is None and _krawczyk and not has_own_payoff_ties(u, tol):
        # Supports whose every root on their simplices is verified by the Krawczyk test need no
        # path tracking: their equilibria are among those roots.
        status, roots, _ = _settle(u, profiles, tol)
        settled_found = _settled_equilibria(model, profiles, status, roots, tol)
        n_settled = int(np.count_nonzero(status == 1))
        profiles = [p for p, s in zip(profiles, status) if s == 2]
    else:
        profiles = [p for p, ok in zip(profiles, may_hold_equilibrium(u, profiles, tol)) if ok]
    chart = rng.normal(size=n) + 1j * rng.normal(size=n)
    found, singular, failed, n_paths = endpoints(model, profiles, chart, tol)
    found = settled_found + found

    continua, extra, stopped = find_continua(model, profiles, found, singular, tol, rng, int(max_continua))
    if n_settled and (continua or singular):
        # A degenerate game: the points sampled on its continua depend on the tracked end points
        # and on the order of the seeds, so a game with continua is solved by the tracked route
        # alone, whose reports (equal for strategically equivalent games, the sweeps rely on it)
        # do not then depend on which supports were settled.
        return enumpoly_solve(game, tol, seed, max_support_profiles, max_continua, _krawczyk=False)

    equilibria = []
    points = []
    for k, c in enumerate(continua):
        for y in [c["ends"][0], c["point"], *c["ends"][1:]]:
            if any(np.linalg.norm(y - q) < 1e-7 for q in points):
                continue
            points.append(y)
            equilibria.append(_certify(game, model, y, on_continuum=True, component=k))
    for y in sorted(found + extra, key=lambda v: tuple(np.round(-v, 9))):
        if any(np.linalg.norm(y - q) < 1e-6 for q in points):
            continue
        points.append(y)
        on = [k for k, c in enumerate(continua) if on_polyline(y, c["trace"], SAME_CURVE)]
        details = {"on_continuum": True, "component": on[0]} if on else {}
        equilibria.append(_certify(game, model, y, **details))
    details = {
        "continua": [
            {"support": [list(s) for s in c["support"]], "dimension": c["dimension"], "kind": c["kind"],
             "end_points": [split(model, y) for y in c["ends"]], "point": split(model, c["point"])}
            for c in continua
        ],
        "supports": len(considered),
        "supports_settled": n_settled,
        "supports_tracked": len(profiles),
        "paths": n_paths,
        "failed_paths": failed,
        "continua_stopped": stopped,
    }
    if stopped:
        details["incomplete_reason"] = (f"enumpoly_solve(): stopped after max_continua={int(max_continua)} "
                                        "components of equilibria; the game may have more, and isolated "
                                        "equilibria on supports left unexamined")
    # Path end points that are not equilibria of the game (a tolerance artefact) are refused by
    # the shared certification, which names them in details["rejected"].
    return certify_result(SolverResult("enumpoly", game, tuple(equilibria), params,
                                       complete=not continua and failed == 0 and not stopped,
                                       degenerate=bool(singular), details=details), tol)


# ----------------------------------------------------------------------------------------------
# Compiled route: support profiles and their pruning
# ----------------------------------------------------------------------------------------------
_THREADS = 2   # the compiled kernels release the GIL: supports and paths are split over this many


def has_own_payoff_ties(u: np.ndarray, tol: float) -> bool:
    """Whether some player has two actions within ``tol`` against one pure profile of the others.

    ``u`` holds unit payoffs (:func:`sim.game.unit_payoffs`, shape ``(n_0, ..., n_{N-1}, N)``).
    A game without such ties can still have continua (then :func:`enumpoly_solve` solves it
    again by the tracked route), but a game with them is where continua are usual.

    Examples
    --------
    >>> import numpy as np
    >>> has_own_payoff_ties(np.zeros((2, 2, 2)), 1e-9)
    True
    >>> u = np.stack([np.array([[0.0, 1.0], [0.5, 0.25]]), np.array([[0.0, 0.75], [1.0, 0.5]])], axis=-1)
    >>> has_own_payoff_ties(u, 1e-9)
    False
    """
    for i in range(u.ndim - 1):
        own = np.sort(np.moveaxis(u[..., i], i, 0), axis=0)
        if own.shape[0] > 1 and np.min(np.diff(own, axis=0)) <= tol:
            return True
    return False


def _split(n: int, threads: int = _THREADS) -> list[np.ndarray]:
    """Indices ``0..n-1`` dealt round-robin into ``threads`` chunks (neighbouring supports and
    paths cost alike, so the chunks take about as long), fewer when ``n`` is small."""
    k = max(1, min(threads, n // 64))
    return [np.arange(r, n, k) for r in range(k)]


def _threaded(kernel, n: int, *per_item, shared=(), tail=()):
    """Run ``kernel(*shared, *(a[chunk] for a in per_item), *tail)`` on each chunk of
    :func:`_split` in its own thread and put the outputs back in item order.

    Each support and each path is computed on its own by the kernels (no state passes from one
    item to the next), so the split changes no result, only the wall time on several cores.
    """
    chunks = _split(n)
    if len(chunks) == 1:
        return kernel(*shared, *per_item, *tail)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(chunks)) as pool:
        parts = list(pool.map(lambda c: kernel(*shared, *(a[c] for a in per_item), *tail), chunks))
    single = not isinstance(parts[0], tuple)
    outs = []
    for k in range(1 if single else len(parts[0])):
        first = parts[0] if single else parts[0][k]
        out = np.empty((n, *first.shape[1:]), dtype=first.dtype)
        for c, part in zip(chunks, parts):
            out[c] = part if single else part[k]
        outs.append(out)
    return outs[0] if single else tuple(outs)


def _support_profiles(u: np.ndarray, eps: float) -> list[tuple[tuple[int, ...], ...]]:
    """Support profiles with no action conditionally strictly dominated (Porter et al. 2008),
    smallest first; compiled (:func:`sim.solvers._poly_jit_prune.may_hold_equilibrium` at depth 0, which
    is this test), with :func:`sim.solvers._poly_reference.support_profiles` as its reference.
    """
    from sim.solvers import _poly_jit_prune as prune

    shape = u.shape[:-1]
    n_players, n_max = len(shape), max(shape)
    subsets = [player_supports(n) for n in shape]
    combos = np.indices([len(s) for s in subsets]).reshape(n_players, -1).T   # last player fastest
    sizes = [np.array([len(s) for s in sub]) for sub in subsets]
    table = []
    for sub in subsets:
        t = np.zeros((len(sub), n_max), dtype=np.int64)
        for r, s in enumerate(sub):
            t[r, :len(s)] = s
        table.append(t)
    sup_k = np.stack([sizes[j][combos[:, j]] for j in range(n_players)], axis=1).astype(np.int64)
    sup_acts = np.stack([table[j][combos[:, j]] for j in range(n_players)], axis=1)
    keep = _threaded(prune.may_hold_equilibrium, len(sup_k), sup_k, sup_acts, shared=_flat_payoffs(u),
                     tail=(float(eps), 0, np.ones(len(sup_k), dtype=np.int64)))
    idx = np.flatnonzero(keep)
    # Smallest supports first, balanced ones first among equal sizes (Porter et al. 2008).
    order = idx[np.lexsort((sup_k[idx].max(axis=1) - sup_k[idx].min(axis=1), sup_k[idx].sum(axis=1)))]
    chosen = combos[order].tolist()
    return [tuple(subsets[j][c] for j, c in enumerate(row)) for row in chosen]


def _flat_payoffs(u: np.ndarray):
    """Payoffs ``(N, n_0 * ... * n_{N-1})``, the C-order strides of each player's action, and the
    shape, as the kernels take them."""
    shape = u.shape[:-1]
    flat = np.ascontiguousarray(np.moveaxis(u, -1, 0).reshape(len(shape), -1))
    strides = np.array([int(np.prod(shape[j + 1:])) for j in range(len(shape))], dtype=np.int64)
    return flat, strides, np.array(shape, dtype=np.int64)


def _may_hold_equilibrium(u: np.ndarray, profiles, margin: float, max_depth: int | None = None,
                          max_cells: int | None = None) -> list[bool]:
    """For each support profile: False only when no profile on the closed product of its simplices
    is an equilibrium.

    The exclusion-by-subdivision test of :func:`sim.solvers._poly_reference.may_hold_equilibrium`
    (there explained; Gambit's ``enumpoly`` applies it, McKelvey and McLennan 1996), compiled and depth
    first (one support at a time, a stack of at most ``max_depth + 1`` cells), which lets it go
    deeper for the same time and so drop more supports before any path is tracked. It stays sound:
    a support is dropped only when every cell of a subdivision is excluded.
    """
    from sim.solvers import _poly_jit_prune as prune

    if not profiles:
        return []
    max_depth = _PRUNE_DEPTH if max_depth is None else max_depth
    if max_cells is None:
        # Subdividing is worth at most what tracking the support's paths would cost: a support
        # with one path gets a few thousand cells, the largest ones the full budget.
        paths = np.array([len(assignments(tuple(len(s) - 1 for s in p))) for p in profiles])
        budget = np.clip(_PRUNE_CELLS_PER_PATH * paths, _PRUNE_CELLS_MIN, _PRUNE_CELLS_JIT)
    else:
        budget = np.full(len(profiles), max_cells)
    sup_k, sup_acts = _support_arrays(u.shape[:-1], profiles)
    keep = _threaded(lambda *a: prune.may_hold_equilibrium(*a[:5], float(margin), int(max_depth), a[5]),
                     len(sup_k), sup_k, sup_acts, budget.astype(np.int64), shared=_flat_payoffs(u))
    return keep.tolist()



def _settle(u: np.ndarray, profiles, margin: float, max_depth: int | None = None, max_cells=None):
    """Subdivision with the Krawczyk test (:func:`sim.solvers._poly_jit_settle.settle`) of each
    support profile: status ``(B,)`` (0 no equilibrium on its simplices, 1 settled: its equilibria
    are among its verified roots, 2 track its paths), the verified roots of each support (a list of
    ``(r, n)`` stacked profiles) and the kernel's counts ``(B, 5)``.

    Each support gets :data:`_SETTLE_CELLS_PER_PATH` cells per homotopy path it would need (at
    least :data:`_SETTLE_CELLS_MIN`, at most :data:`_SETTLE_CELLS_MAX`) unless ``max_cells`` is
    given: subdividing is worth at most about what tracking would cost.
    """
    from sim.solvers import _poly_jit_settle as kernel

    if not profiles:
        return np.zeros(0, dtype=np.int64), [], np.zeros((0, 5), dtype=np.int64)
    flat, offsets, sup_k, sup_acts, tail = _settle_arguments(u, profiles, margin, max_depth, max_cells)
    status, n_roots, roots, stats = _threaded(
        lambda k, acts, cells: kernel.settle(*flat, offsets, k, acts, *tail[:2], cells, *tail[3:]),
        len(profiles), sup_k, sup_acts, tail[2])
    return status, [roots[b, :n_roots[b]] for b in range(len(profiles))], stats


def _settle_arguments(u: np.ndarray, profiles, margin: float, max_depth: int | None = None, max_cells=None):
    """The arguments of :func:`sim.solvers._poly_jit_settle.settle` for :func:`_settle`: the flat
    payoffs, offsets, supports, and the rest (margin, depth, cell budgets, Krawczyk width, cost and
    roots), in the kernel's order: ``settle(*flat, offsets, sup_k, sup_acts, *tail)``."""
    shape = u.shape[:-1]
    max_depth = _SETTLE_DEPTH if max_depth is None else max_depth
    if max_cells is None:
        # a path costs about the cube of the support's size (its LU factorisations)
        paths = np.array([len(assignments(tuple(len(s) - 1 for s in p))) for p in profiles])
        size = np.array([sum(len(s) for s in p) for p in profiles]) / _SETTLE_SIZE
        budget = np.clip(_SETTLE_CELLS_PER_PATH * paths * size ** 3, _SETTLE_CELLS_MIN, _SETTLE_CELLS_MAX)
    else:
        budget = np.full(len(profiles), max_cells)
    sup_k, sup_acts = _support_arrays(shape, profiles)
    offsets = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    tail = (float(margin), int(max_depth), budget.astype(np.int64), _KRAWCZYK_WIDTH, _KRAWCZYK_COST, _SETTLE_ROOTS)
    return _flat_payoffs(u), offsets, sup_k, sup_acts, tail


def _settled_equilibria(model, profiles, status, roots, tol):
    """The equilibria among the verified roots of the settled supports, filtered as the end points
    of tracked paths are: real points with no probability below ``-1e-6``, polished by Newton's
    method, kept when they are equilibria (:func:`sim.solvers._poly_system.feasible`)."""
    from sim.solvers import _poly_jit_track as kernels

    cand, sup = [], []
    for b, (s, r) in enumerate(zip(status, roots)):
        if s == 1:
            for z in r:
                if z.min() >= -1e-6:
                    cand.append(z)
                    sup.append(b)
    if not cand:
        return []
    u, strides, _ = _flat_payoffs(model.payoffs)
    sup_k, sup_acts = _support_arrays(model.shape, profiles)
    y, resid = kernels.polish(u, strides, sup_k, sup_acts, np.array(sup, dtype=np.int64), np.array(cand),
                              np.asarray(model.offsets, dtype=np.int64), 6)
    return [y[c] for c in range(len(cand)) if resid[c] < 1e-9 and feasible(model, y[c], tol)]


def _support_arrays(shape, profiles):
    """Support sizes ``(B, N)`` and actions ``(B, N, n_max)`` in the layout of the kernels."""
    n_players, n_max = len(shape), max(shape)
    k = np.zeros((len(profiles), n_players), dtype=np.int64)
    acts = np.zeros((len(profiles), n_players, n_max), dtype=np.int64)
    for b, prof in enumerate(profiles):
        for j, s in enumerate(prof):
            k[b, j] = len(s)
            acts[b, j, :len(s)] = s
    return k, acts


# ----------------------------------------------------------------------------------------------
# Compiled route: end points of the homotopy paths
# ----------------------------------------------------------------------------------------------
def _path_arrays(profiles):
    """Every homotopy path of the support profiles, in order: the index of its support ``(P,)``
    and its start assignment ``(P, width)`` (padded with -1), as :func:`track_paths` takes them."""
    path_sup, path_assign = [], []
    for b, prof in enumerate(profiles):
        assigns = assignments(tuple(len(s) - 1 for s in prof))
        path_sup.extend([b] * len(assigns))
        path_assign.extend(assigns)
    assign = np.full((len(path_assign), max(1, max((len(a) for a in path_assign), default=1))), -1,
                     dtype=np.int64)
    for p, a in enumerate(path_assign):
        assign[p, :len(a)] = a
    return np.array(path_sup, dtype=np.int64), assign


def _tracker_forms(model, chart):
    """The start system's linear forms ``(N, N, n_max, n_max)`` and the charts ``(N, n_max)`` of
    ``model`` (the stacked ``chart`` split by player), padded to the compiled tracker's layout."""
    shape, off = model.shape, model.offsets
    n_players, n_max = len(shape), max(shape)
    lin = np.zeros((n_players, n_players, n_max, n_max), dtype=complex)
    for (i, j), a in model.lin.items():
        lin[i, j, :shape[i], :shape[j]] = a
    charts = np.zeros((n_players, n_max), dtype=complex)
    for j in range(n_players):
        charts[j, :shape[j]] = chart[off[j]:off[j + 1]]
    return lin, charts


def _endpoints_jit(model, profiles, chart, tol):
    """Real isolated solutions and singular end points of every support, compiled route.

    Returns the polished feasible profiles, the real seeds of singular end points per support
    index, the number of paths still suspicious after a second tracking, and the number of paths
    (as :func:`sim.solvers._poly_reference.endpoints`, the reference).

    Each support is tracked at its own size (its support probabilities only, no padding), one
    path after another in a compiled loop; the start solutions are solved in the same loop.
    """
    from sim.solvers import _poly_jit_track as kernels

    shape, off = model.shape, model.offsets
    found, singular = [], {}
    sup_k, sup_acts = _support_arrays(shape, profiles)
    path_sup, assign = _path_arrays(profiles)
    if not len(path_sup):
        return found, singular, 0, 0
    u, strides, _ = _flat_payoffs(model.payoffs)
    lin, charts = _tracker_forms(model, chart)
    offs = np.asarray(off, dtype=np.int64)

    def track(idx, h_max):
        return _threaded(kernels.track_paths, len(idx), path_sup[idx], assign[idx],
                         shared=(u, strides, lin, model.gamma, charts, sup_k, sup_acts), tail=(offs, h_max, MAX_STEPS))

    every = np.arange(len(path_sup))
    x, ok, cond, _, _ = track(every, 0.25)
    # Paths that met or failed in a support are tracked again with shorter steps.
    redo = np.flatnonzero(kernels.meeting_paths(path_sup, x, ok, cond < SINGULAR_COND))
    failed = 0
    if redo.size:
        x[redo], ok[redo], cond[redo], _, _ = track(redo, 0.01)
        # Whatever is still suspicious may hide a missed solution: report it.
        failed = int(kernels.meeting_paths(path_sup, x, ok, cond < SINGULAR_COND).sum())
    with np.errstate(all="ignore"):
        sums = np.add.reduceat(x, off[:-1], axis=1)                       # (P, N)
        usable = np.all(np.abs(sums) >= 1e-12, axis=1) & np.all(np.isfinite(x), axis=1)
        z = x / np.repeat(sums, np.diff(off), axis=1)
    regular = ok & (cond < SINGULAR_COND)
    for p in np.flatnonzero(usable & ~regular):
        singular.setdefault(int(path_sup[p]), []).append(z[p].real)
    big = np.maximum(1.0, np.abs(z).max(axis=1, initial=0.0, where=np.isfinite(z)))
    real = usable & regular & (np.abs(z.imag).max(axis=1) <= IMAG_TOL * big) & (z.real.min(axis=1) >= -1e-6)
    cand = np.flatnonzero(real)
    if cand.size:
        y, resid = kernels.polish(u, strides, sup_k, sup_acts, path_sup[cand], np.ascontiguousarray(z[cand].real),
                              offs, 6)
        for c in range(cand.size):
            if resid[c] < 1e-9 and feasible(model, y[c], tol):
                found.append(y[c])
    return found, singular, failed, len(path_sup)




def _certify(game, model, x, **details):
    return Equilibrium.certify(game, [np.clip(v, 0.0, None) for v in split(model, x)], **details)
