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
path in a compiled loop (:mod:`sim.solvers._poly_jit`, numba): cubic Hermite predictor, Newton
corrector, step size from the corrector (predictor-corrector continuation: Allgower and Georg
2003, "Introduction to Numerical Continuation Methods", SIAM). Support profiles are pruned
by conditional strict dominance (Porter, Nudelman and Shoham 2008) and by a subdivision exclusion
test (as in Gambit's ``enumpoly``), both compiled. The earlier route, every path of every support
in one padded NumPy batch with a Runge-Kutta predictor, is kept in
:mod:`sim.solvers._poly_reference` (``enumpoly_solve(..., _route="numpy")``) as the reference the
compiled kernels are tested against.

End points are real-filtered, polished by Newton's method on the simplex chart and certified with
:meth:`sim.result.Equilibrium.certify`. End points where the Jacobian is rank deficient signal a
positive-dimensional solution set (a *continuum*, as in Nau, Gomez Canovas and Hansen 2004): real
points of it are found by Gauss-Newton projection, and the equilibrium part of the component is
traced by pseudo-arclength continuation until a probability reaches zero or an unused action becomes
profitable; those end points are reported.

The module reads top to bottom: :func:`enumpoly_solve`; the compiled route (support profiles,
pruning, end points); the support systems in NumPy (shared with the reference route); real points
and continua.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.errors import SolverError
from sim.game import NormalFormGame, deviation_payoffs
from sim.result import Equilibrium, SolverResult

DEFAULT_TOL = 1e-7
_PROB_TOL = 1e-9        # a probability this far below zero is round-off, not a negative probability
_IMAG_TOL = 1e-7        # imaginary parts below this (relative) count as real
_SINGULAR_COND = 1e9    # Jacobian condition number beyond which an end point is treated as singular
_MAX_STEPS = 4000
_PRUNE_DEPTH = 50       # compiled subdivision: depth before a support is kept anyway
_PRUNE_CELLS_JIT = 200_000  # compiled subdivision: cells per support before it is kept anyway,
_PRUNE_CELLS_PER_PATH = 2000  # ... at most this many per homotopy path of the support (a path
_PRUNE_CELLS_MIN = 2000       # costs about as much as a thousand cells), and at least this many
_ROUTES = ("compiled", "numpy")  # path trackers: compiled kernels, or the NumPy reference route

#: Most support profiles (``prod(2**n_i - 1)``) ``enumpoly_solve`` will enumerate: a 4x4x4x2
#: game has 10,125 (about 13 s), a 4x4x4x4 game 50,625 (over ten minutes); a reduced normal form
#: with dozens of strategies would need astronomically many, and memory for them.
MAX_SUPPORT_PROFILES = 100_000


# ----------------------------------------------------------------------------------------------
# Public function
# ----------------------------------------------------------------------------------------------
def enumpoly_solve(game: NormalFormGame, tol: float = DEFAULT_TOL, seed: int = 0,
                   max_support_profiles: int = MAX_SUPPORT_PROFILES, *, _route: str = "compiled") -> SolverResult:
    """All isolated Nash equilibria of a small N-player game, with continua reported.

    Support enumeration on the polynomial indifference conditions (McKelvey and McLennan 1996,
    section 6; Gambit's ``enumpoly``), with support profiles pruned by conditional dominance and
    visited smallest first (Porter, Nudelman and Shoham 2008, "Simple search methods for finding a
    Nash equilibrium", Games and Economic Behavior 63). Each support's square polynomial system is
    solved by a linear-product homotopy in multiprojective space (Morgan and Sommese 1987), each
    path tracked in compiled code; end points are polished by Newton's method. Before any path is
    tracked, supports are dropped by a sound subdivision exclusion test (McKelvey and McLennan
    1996, section 6), compiled and depth first.

    Guarantees. For a generic game every support system has exactly its multihomogeneous Bezout
    number of complex solutions, all nonsingular (McKelvey and McLennan 1997), and the homotopy
    reaches each of them with probability one over the random start data; the method checks this
    (distinct end points per support) and sets ``complete=False`` when a path fails or two paths
    meet. Every returned equilibrium is certified: its measured regret is at most
    ``tol * game.payoff_scale``. On degenerate games, a support whose system has a
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
        Regret tolerance relative to the payoff scale.
    seed : int
        Seed of the random start system (results do not depend on it, barring path failures).
    max_support_profiles : int
        Refuse (``SolverError`` naming the count) a game with more support profiles than this
        (default :data:`MAX_SUPPORT_PROFILES`), rather than run for hours or exhaust memory.
    _route : {"compiled", "numpy"}
        Private, for tests: ``"numpy"`` runs the reference route of
        :mod:`sim.solvers._poly_reference` instead of the compiled kernels.

    Returns
    -------
    SolverResult
        ``method="enumpoly"``; ``details`` holds ``continua``, ``supports`` (profiles solved),
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
    if _route not in _ROUTES:
        raise SolverError(f"enumpoly_solve(): _route must be one of {_ROUTES}; got {_route!r}")
    if _route == "numpy":
        from sim.solvers._poly_reference import endpoints, may_hold_equilibrium, support_profiles
    else:
        support_profiles, may_hold_equilibrium, endpoints = _support_profiles, _may_hold_equilibrium, _endpoints_jit
    params = {"tol": tol, "seed": seed}
    rng = np.random.default_rng(seed)
    # Scale payoffs to [0, 1]: conditioning, and tolerances then mean "relative to payoff scale".
    lo, scale = float(game.payoffs.min()), game.payoff_scale
    u = (np.asarray(game.payoffs) - lo) / scale
    model = _Model.build(u, rng)
    off, n = model.offsets, int(model.offsets[-1])
    considered = support_profiles(u, eps=tol)
    # Supports whose system has start solutions and whose simplices may hold an equilibrium (the
    # subdivision test is sound, so dropping the rest loses no equilibrium and no continuum).
    profiles = [p for p in considered if _assignments(tuple(len(s) - 1 for s in p))]
    profiles = [p for p, ok in zip(profiles, may_hold_equilibrium(u, profiles, tol)) if ok]
    chart = rng.normal(size=n) + 1j * rng.normal(size=n)
    found, singular, failed, n_paths = endpoints(model, profiles, chart, tol)

    continua, extra = [], []
    for b, seeds in sorted(singular.items()):
        comps, iso = _continua_of_support(model, profiles[b], seeds, tol, rng)
        extra.extend(iso)
        for c in comps:
            if not any(_same_component(c, d) for d in continua):
                continua.append(c)
    # Degenerate ties: equilibria whose unused best responses open a continuum.
    for y in found + extra:
        if any(_on_polyline(y, c["trace"], _SAME_CURVE) for c in continua):
            continue
        c = _extend(model, y, tol)
        if c is not None and not any(_same_component(c, d) for d in continua):
            continua.append(c)

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
        on = [k for k, c in enumerate(continua) if _on_polyline(y, c["trace"], _SAME_CURVE)]
        details = {"on_continuum": True, "component": on[0]} if on else {}
        equilibria.append(_certify(game, model, y, **details))
    equilibria = [e for e in equilibria if e.max_regret <= tol * scale]
    details = {
        "continua": [
            {"support": [list(s) for s in c["support"]], "dimension": c["dimension"], "kind": c["kind"],
             "end_points": [_split(model, y) for y in c["ends"]], "point": _split(model, c["point"])}
            for c in continua
        ],
        "supports": len(considered),
        "supports_tracked": len(profiles),
        "paths": n_paths,
        "failed_paths": failed,
    }
    return SolverResult("enumpoly", game, tuple(equilibria), params,
                        complete=not continua and failed == 0,
                        degenerate=bool(singular), details=details)


# ----------------------------------------------------------------------------------------------
# Compiled route: support profiles and their pruning
# ----------------------------------------------------------------------------------------------
def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]


def _support_profiles(u: np.ndarray, eps: float) -> list[tuple[tuple[int, ...], ...]]:
    """Support profiles with no action conditionally strictly dominated (Porter et al. 2008),
    smallest first; compiled (:func:`sim.solvers._poly_jit.may_hold_equilibrium` at depth 0, which
    is this test), with :func:`sim.solvers._poly_reference.support_profiles` as its reference.
    """
    from sim.solvers import _poly_jit as jit

    shape = u.shape[:-1]
    n_players, n_max = len(shape), max(shape)
    subsets = [_subsets(n) for n in shape]
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
    keep = jit.may_hold_equilibrium(*_flat_payoffs(u), sup_k, sup_acts, float(eps), 0,
                                    np.ones(len(sup_k), dtype=np.int64))
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
    from sim.solvers import _poly_jit as jit

    if not profiles:
        return []
    max_depth = _PRUNE_DEPTH if max_depth is None else max_depth
    if max_cells is None:
        # Subdividing is worth at most what tracking the support's paths would cost: a support
        # with one path gets a few thousand cells, the largest ones the full budget.
        paths = np.array([len(_assignments(tuple(len(s) - 1 for s in p))) for p in profiles])
        budget = np.clip(_PRUNE_CELLS_PER_PATH * paths, _PRUNE_CELLS_MIN, _PRUNE_CELLS_JIT)
    else:
        budget = np.full(len(profiles), max_cells)
    sup_k, sup_acts = _support_arrays(u.shape[:-1], profiles)
    keep = jit.may_hold_equilibrium(*_flat_payoffs(u), sup_k, sup_acts, float(margin), int(max_depth),
                                    budget.astype(np.int64))
    return keep.tolist()


@lru_cache(maxsize=None)
def _assignments(d: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Start solutions of the linear-product start system for unknown counts ``d``.

    Equation ``e`` of player ``i`` is a product of one linear form per other player ``j``; a start
    solution picks, for every equation, the factor that vanishes, so that each player ``j`` gets
    exactly ``d[j]`` equations (then its strategy is fixed by them and its chart). The number of
    such assignments is the multihomogeneous Bezout number.
    """
    owners = [i for i, k in enumerate(d) for _ in range(k)]
    out = []
    need = list(d)

    def rec(e, chosen):
        if e == len(owners):
            out.append(tuple(chosen))
            return
        i = owners[e]
        for j in range(len(d)):
            if j != i and need[j] > 0:
                need[j] -= 1
                chosen.append(j)
                rec(e + 1, chosen)
                chosen.pop()
                need[j] += 1

    rec(0, [])
    return tuple(out)


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
def _endpoints_jit(model, profiles, chart, tol):
    """Real isolated solutions and singular end points of every support, compiled route.

    Returns the polished feasible profiles, the real seeds of singular end points per support
    index, the number of paths still suspicious after a second tracking, and the number of paths
    (as :func:`sim.solvers._poly_reference.endpoints`, the reference).

    Each support is tracked at its own size (its support probabilities only, no padding), one
    path after another in a compiled loop; the start solutions are solved in the same loop.
    """
    from sim.solvers import _poly_jit as jit

    shape, off = model.shape, model.offsets
    n_players, n_max = len(shape), max(shape)
    found, singular = [], {}
    sup_k, sup_acts = _support_arrays(shape, profiles)
    path_sup, path_assign = [], []
    for b, prof in enumerate(profiles):
        assigns = _assignments(tuple(len(s) - 1 for s in prof))
        path_sup.extend([b] * len(assigns))
        path_assign.extend(assigns)
    if not path_sup:
        return found, singular, 0, 0
    width = max(1, max(len(a) for a in path_assign))
    assign = np.full((len(path_assign), width), -1, dtype=np.int64)
    for p, a in enumerate(path_assign):
        assign[p, :len(a)] = a
    path_sup = np.array(path_sup, dtype=np.int64)
    u, strides, _ = _flat_payoffs(model.payoffs)
    lin = np.zeros((n_players, n_players, n_max, n_max), dtype=complex)
    for (i, j), a in model.lin.items():
        lin[i, j, :shape[i], :shape[j]] = a
    charts = np.zeros((n_players, n_max), dtype=complex)
    for j in range(n_players):
        charts[j, :shape[j]] = chart[off[j]:off[j + 1]]
    offs = np.asarray(off, dtype=np.int64)

    def track(idx, h_max):
        return jit.track_paths(u, strides, lin, model.gamma, charts, sup_k, sup_acts, path_sup[idx],
                               assign[idx], offs, h_max, _MAX_STEPS)

    every = np.arange(len(path_sup))
    x, ok, cond, _, _ = track(every, 0.25)
    # Paths that met or failed in a support are tracked again with shorter steps.
    redo = np.flatnonzero(jit.meeting_paths(path_sup, x, ok, cond < _SINGULAR_COND))
    failed = 0
    if redo.size:
        x[redo], ok[redo], cond[redo], _, _ = track(redo, 0.01)
        # Whatever is still suspicious may hide a missed solution: report it.
        failed = int(jit.meeting_paths(path_sup, x, ok, cond < _SINGULAR_COND).sum())
    with np.errstate(all="ignore"):
        sums = np.add.reduceat(x, off[:-1], axis=1)                       # (P, N)
        usable = np.all(np.abs(sums) >= 1e-12, axis=1) & np.all(np.isfinite(x), axis=1)
        z = x / np.repeat(sums, np.diff(off), axis=1)
    regular = ok & (cond < _SINGULAR_COND)
    for p in np.flatnonzero(usable & ~regular):
        singular.setdefault(int(path_sup[p]), []).append(z[p].real)
    big = np.maximum(1.0, np.abs(z).max(axis=1, initial=0.0, where=np.isfinite(z)))
    real = usable & regular & (np.abs(z.imag).max(axis=1) <= _IMAG_TOL * big) & (z.real.min(axis=1) >= -1e-6)
    cand = np.flatnonzero(real)
    if cand.size:
        y, resid = jit.polish(u, strides, sup_k, sup_acts, path_sup[cand], np.ascontiguousarray(z[cand].real),
                              offs, 6)
        for c in range(cand.size):
            if resid[c] < 1e-9 and _feasible(model, y[c], tol):
                found.append(y[c])
    return found, singular, failed, len(path_sup)


# ----------------------------------------------------------------------------------------------
# The support systems in NumPy (continua; the reference route)
# ----------------------------------------------------------------------------------------------
@dataclass
class _Model:
    """Payoffs, random start data and the einsum plans shared by every path."""

    shape: tuple[int, ...]
    offsets: np.ndarray
    payoffs: np.ndarray    # (n_0, ..., n_{N-1}, N), scaled to [0, 1]
    lin: dict              # (i, j) -> complex (n_i, n_j): the start system's linear forms
    gamma: complex
    plans: dict            # (i, j) -> (payoffs of i with axes (i, j, others...), the others)
    eyes: list             # identity matrices, one per player
    flat: dict             # (i, j) -> plans[i, j][0] as a matrix (n_last, rest), for BLAS

    @classmethod
    def build(cls, u: np.ndarray, rng: np.random.Generator) -> "_Model":
        shape = u.shape[:-1]
        n_players = len(shape)
        offsets = np.concatenate([[0], np.cumsum(shape)]).astype(int)
        plans = {}
        for i in range(n_players):
            for j in range(n_players):
                if i != j:
                    # payoffs of i with axes ordered (i, j, others...), as a contiguous real array
                    others = [k for k in range(n_players) if k not in (i, j)]
                    plans[i, j] = (np.ascontiguousarray(np.transpose(u[..., i], [i, j, *others])), others)
        lin = {
            (i, j): rng.normal(size=(shape[i], shape[j])) + 1j * rng.normal(size=(shape[i], shape[j]))
            for i in range(n_players) for j in range(n_players) if i != j
        }
        gamma = complex(np.exp(2j * np.pi * rng.uniform()))
        flat = {key: np.ascontiguousarray(t.reshape(-1, t.shape[-1]).T) for key, (t, _) in plans.items()}
        return cls(tuple(shape), offsets, u, lin, gamma, plans, [np.eye(k) for k in shape], flat)


@dataclass
class _Paths:
    """Per-path row roles: which rows are indifference equations, charts or zero constraints."""

    support: np.ndarray    # (P,) index of the support profile
    ind: np.ndarray        # (P, n) bool: indifference rows
    chart: np.ndarray      # (P, n) bool: the chart row of each player (its first support action)
    zero: np.ndarray       # (P, n) bool: x[a] = 0 for actions outside the support
    a0: np.ndarray         # (P, N) first support action of each player
    cvec: np.ndarray       # (P, n) chart coefficients (random complex, or support indicators)

    def take(self, idx):
        return _Paths(self.support[idx], self.ind[idx], self.chart[idx], self.zero[idx], self.a0[idx], self.cvec[idx])


def _evaluate(model: _Model, paths: _Paths, x: np.ndarray, t: np.ndarray):
    """Homotopy value ``H``, Jacobian ``H_x`` and ``H_t`` at a batch of points.

    ``H = (1 - t) * gamma * G + t * F`` on indifference rows, where ``F`` is the target system and
    ``G`` the start system; chart and zero rows are linear and the same along the whole path.
    """
    shape, off = model.shape, model.offsets
    n_players = len(shape)
    P, n = x.shape
    xs = [x[:, off[j]:off[j + 1]] for j in range(n_players)]
    rows = np.arange(P)
    H = np.zeros((P, n), dtype=x.dtype)
    Ht = np.zeros((P, n), dtype=x.dtype)
    J = np.zeros((P, n, n), dtype=x.dtype)
    s = (1.0 - t)[:, None] * model.gamma if x.dtype.kind == "c" else None
    tt = t[:, None]
    for i in range(n_players):
        ri = slice(off[i], off[i + 1])
        a0 = paths.a0[:, i]
        V = None
        q = {}
        JE = {}
        for j in range(n_players):
            if j == i:
                continue
            Jv = _contract(model, i, j, xs, P)
            if V is None:
                V = np.einsum("zab,zb->za", Jv, xs[j])
            JE[j] = Jv - Jv[rows, a0][:, None, :]
            if s is not None:
                q[j] = xs[j] @ model.lin[i, j].T      # (P, n_i): value of each linear form
        E = V - V[rows, a0][:, None]
        ind = paths.ind[:, ri]
        if s is not None:
            G = np.ones((P, shape[i]), dtype=x.dtype)
            for j in q:
                G = G * q[j]
            Hi = s * G + tt * E
            Ht[:, ri] = np.where(ind, E - model.gamma * G, 0.0)
        else:
            Hi = E
        chart_val = (paths.cvec[:, ri] * xs[i]).sum(axis=1, keepdims=True) - 1.0
        H[:, ri] = np.where(ind, Hi, np.where(paths.chart[:, ri], chart_val, xs[i]))
        for j in JE:
            rj = slice(off[j], off[j + 1])
            block = tt[:, :, None] * JE[j]
            if s is not None:
                prod = np.ones((P, shape[i]), dtype=x.dtype)
                for k in q:
                    if k != j:
                        prod = prod * q[k]
                block = block + s[:, :, None] * prod[:, :, None] * model.lin[i, j][None]
            J[:, ri, rj] = np.where(ind[:, :, None], block, 0.0)
        own = (paths.chart[:, ri, None] * paths.cvec[:, None, ri]
               + paths.zero[:, ri, None] * model.eyes[i][None])
        J[:, ri, ri] = own
    return H, J, Ht


def _contract(model, i, j, xs, P):
    """``d u_i / d x_j`` for every path: player i's payoffs contracted with all but i and j.

    One matrix product for the last other player, then broadcasted multiply-and-sum for the rest:
    far faster than a many-operand ``einsum`` over a batch.
    """
    tensor, others = model.plans[i, j]
    ni, nj = tensor.shape[:2]
    if not others:
        return np.broadcast_to(tensor, (P, ni, nj))
    flat = model.flat[i, j]                       # (n_last, rest), real and contiguous
    x = xs[others[-1]]
    if x.dtype.kind == "c":                       # two real BLAS products beat one mixed-type one
        r = x.real @ flat + 1j * (x.imag @ flat)
    else:
        r = x @ flat                              # (P, rest)
    for k in reversed(others[:-1]):
        r = np.einsum("pak,pk->pa", r.reshape(P, -1, model.shape[k]), xs[k])
    return r.reshape(P, ni, nj)


# ----------------------------------------------------------------------------------------------
# Real points: continua
# ----------------------------------------------------------------------------------------------
def _real_paths(model, prof):
    """Row roles of one support profile in real arithmetic (charts are 'probabilities sum to 1')."""
    off, n = model.offsets, int(model.offsets[-1])
    ind = np.zeros(n, dtype=bool)
    chart = np.zeros(n, dtype=bool)
    zero = np.ones(n, dtype=bool)
    cvec = np.zeros(n)
    for i, s in enumerate(prof):
        chart[off[i] + s[0]] = True
        zero[off[i] + np.array(s)] = False
        cvec[off[i] + np.array(s)] = 1.0
        ind[off[i] + np.array(s[1:], dtype=int)] = True
    return _Paths(np.zeros(1, dtype=int), ind[None], chart[None], zero[None],
                  np.array([[s[0] for s in prof]]), cvec[None])


def _system(model, rp, x):
    Hv, Jx, _ = _evaluate(model, rp, x[None], np.ones(1))
    return Hv[0], Jx[0]


def _project(model, rp, x, direction=None, iters=30, tol=1e-12):
    """Gauss-Newton (minimum-norm steps) onto the solution set; optionally orthogonal to a direction."""
    for _ in range(iters):
        F, J = _system(model, rp, x)
        if not np.all(np.isfinite(F)):
            return x, False
        if np.abs(F).max() < tol:
            return x, True
        if direction is not None:
            J = np.vstack([J, direction])
            F = np.append(F, 0.0)
        step = np.linalg.lstsq(J, -F, rcond=1e-10)[0]
        x = x + step
    F, _ = _system(model, rp, x)
    return x, bool(np.abs(F).max() < 1e-10)


def _null_space(model, rp, x, rel=1e-7):
    _, J = _system(model, rp, x)
    _, sv, vt = np.linalg.svd(J)
    rank = int((sv > rel * max(sv[0], 1.0)).sum())
    return vt[rank:]


def _regret(model, x):
    """Max regret of a stacked profile on the scaled payoffs (payoff scale 1)."""
    xs = _split(model, x, clip=False)
    return max(0.0, *(float(v.max() - v @ s) for v, s in zip(deviation_payoffs(model.payoffs, xs), xs)))


def _feasible(model, x, tol):
    return bool(x.min() >= -_PROB_TOL and _regret(model, x) <= tol)


def _trace(model, rp, x0, v, tol, max_steps=2000):
    """Follow the solution curve from ``x0`` along ``v`` while it stays an equilibrium.

    Pseudo-arclength continuation: step along the tangent, correct orthogonally to it, and halve
    the step whenever the corrected point leaves the equilibrium set, so the last accepted point
    is within ``1e-10`` of the boundary. Returns the accepted points.
    """
    pts = [x0]
    x, s = x0, 0.05
    for _ in range(max_steps):
        y, conv = _project(model, rp, x + s * v, direction=v)
        if conv and _feasible(model, y, tol):
            null = _null_space(model, rp, y)
            if null.shape[0] == 0:
                break  # the curve meets an isolated singular point: stop here
            w = null.T @ (null @ v)
            if np.linalg.norm(w) < 1e-12:
                break
            v = w / np.linalg.norm(w)
            x = y
            pts.append(x)
            if len(pts) > 3 and np.linalg.norm(x - x0) < 0.5 * s:
                break  # closed loop
            s = min(2 * s, 0.05)
        else:
            s *= 0.5
            if s < 1e-10:
                break
    return pts


def _on_polyline(x, pts, tol=1e-6):
    pts = np.asarray(pts)
    if len(pts) == 1:
        return np.linalg.norm(x - pts[0]) < tol
    a, b = pts[:-1], pts[1:]
    ab = b - a
    lam = np.clip(((x - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-300), 0, 1)
    return float(np.linalg.norm(a + lam[:, None] * ab - x, axis=1).min()) < tol


_SAME_CURVE = 1e-3   # polyline distance under which two traced points lie on one component


def _component_from(model, rp, x, tol):
    """The component of the equilibrium set through a real solution ``x`` of system ``rp``.

    Returns ``None`` when ``x`` is isolated: the Jacobian has full rank, or it is rank deficient
    but a small nudge along the null space projects back onto ``x`` (an isolated singular root).
    """
    null = _null_space(model, rp, x)
    if null.shape[0] == 0:
        return None
    y, conv = _project(model, rp, x + 1e-3 * null[0], direction=null[0])
    if not conv or np.linalg.norm(y - x) < 5e-4:
        return None
    dim = null.shape[0]
    directions = [null[0], -null[0]] if dim == 1 else [sgn * row for row in null for sgn in (1, -1)]
    runs = [_trace(model, rp, x, v, tol) for v in directions]
    ends = [r[-1] for r in runs]
    if dim == 1:
        trace = runs[1][::-1] + runs[0][1:]
        a, b = ends
        if np.linalg.norm(a - b) < 1e-6:
            kind = "closed curve"
        else:
            kind = "segment" if _line_deviation(trace, a, b) < 1e-6 else "curve"
    else:
        trace = [x] + [p for r in runs for p in r[1:]]
        kind = f"{dim}-dimensional"
    support = tuple(tuple(int(a) for a in np.flatnonzero(v > 1e-7)) for v in _split(model, x, clip=False))
    return {"support": support, "dimension": dim, "kind": kind, "ends": ends, "point": x,
            "trace": np.array(trace)}


def _continua_of_support(model, prof, seeds, tol, rng, n_random=4):
    """Components of the equilibrium set on support ``prof`` through real points near ``seeds``.

    ``seeds`` are real parts of rank-deficient homotopy end points; a few random points of the
    support's simplices are added because a complex point of a component can have its real part
    far from the component's real points.
    """
    rp = _real_paths(model, prof)
    off, n = model.offsets, int(model.offsets[-1])
    starts = list(seeds)[:4]
    for _ in range(n_random):
        x = np.zeros(n)
        for j, s in enumerate(prof):
            x[off[j] + np.array(s)] = rng.dirichlet(np.ones(len(s)))
        starts.append(x)
    comps, isolated = [], []
    for x in starts:
        x, conv = _project(model, rp, x)
        if not conv or not _feasible(model, x, tol):
            continue
        if any(_on_polyline(x, c["trace"], _SAME_CURVE) for c in comps) or any(np.linalg.norm(x - y) < 1e-7 for y in isolated):
            continue
        comp = _component_from(model, rp, x, tol)
        if comp is None:
            isolated.append(x)
        else:
            comps.append(comp)
    return comps, isolated


def _extend(model, x, tol):
    """A component leaving equilibrium ``x`` into unused best responses, or ``None``.

    In a degenerate game an equilibrium can have unused actions that are best responses too; the
    equilibria of the larger support ``T`` (all best responses) may then form a continuum with
    ``x`` at its boundary even when that support's system has no start solutions. Look for a
    direction in the null space of ``T``'s system that keeps the zero probabilities nonnegative
    (a small linear programme), and trace it.
    """
    off, n_players = model.offsets, len(model.shape)
    xs = _split(model, x, clip=False)
    best = [tuple(int(a) for a in np.flatnonzero(v >= v.max() - 1e-9))
            for v in deviation_payoffs(model.payoffs, xs)]
    zero = [off[i] + a for i in range(n_players) for a in best[i] if xs[i][a] <= 1e-9]
    if not zero:
        return None
    # Imported only here: importing scipy.optimize costs about a second, and generic games (no
    # unused best responses) never get this far.
    from scipy.optimize import linprog

    rp = _real_paths(model, tuple(best))
    null = _null_space(model, rp, x)
    if null.shape[0] == 0:
        return None
    k = null.shape[0]
    a_ub = -null.T[zero]
    # maximise the total increase of the zero probabilities, keeping each of them nonnegative
    res = linprog(a_ub.sum(axis=0), A_ub=a_ub, b_ub=np.zeros(len(zero)), bounds=[(-1, 1)] * k, method="highs")
    if res.status != 0 or -res.fun <= 1e-9:
        return None
    v = null.T @ res.x
    v /= np.linalg.norm(v)
    pts = _trace(model, rp, x, v, tol)
    if np.linalg.norm(pts[-1] - x) < 1e-6:
        return None
    mid, conv = _project(model, rp, pts[len(pts) // 2])
    if not conv or not _feasible(model, mid, tol):
        return None
    return _component_from(model, rp, mid, tol)


def _line_deviation(pts, a, b):
    ab = b - a
    nrm = float(ab @ ab)
    if nrm < 1e-300:
        return max(float(np.linalg.norm(p - a)) for p in pts)
    return max(float(np.linalg.norm(a + ((p - a) @ ab) / nrm * ab - p)) for p in pts)


def _same_component(c, d):
    if c["support"] != d["support"]:
        return False
    ends = all(any(np.linalg.norm(a - b) < 1e-6 for b in d["ends"]) for a in c["ends"])
    return ends or _on_polyline(c["point"], d["trace"], _SAME_CURVE) or _on_polyline(d["point"], c["trace"], _SAME_CURVE)


def _split(model, x, clip=True):
    off = model.offsets
    parts = [x[off[j]:off[j + 1]] for j in range(len(model.shape))]
    return [np.clip(v, 0.0, None).tolist() for v in parts] if clip else parts


def _certify(game, model, x, **details):
    return Equilibrium.certify(game, [np.clip(v, 0.0, None) for v in _split(model, x)], **details)
