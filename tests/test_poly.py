"""Tests of ``enumpoly_solve``: certified equilibria, differential tests, reference games.

Reference games: ``tests/data/gambit/nau2004_sec5.nfg`` and ``nau2004_sec6.nfg`` are the games of
sections 5 and 6 of Nau, Gomez Canovas and Hansen (2004), "On the geometry of Nash equilibria and
correlated equilibria", International Journal of Game Theory 32, as shipped in the Gambit project's
game catalogue (``journals/ijgt/nau2004``; GPL-2.0-or-later).
"""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.generators import random_game
from sim.solvers import enumpure_solve
from sim.solvers import _poly_reference as reference
from sim.solvers import _poly_system as system
from sim.solvers.poly import enumpoly_solve
from tests.oracles import OracleFailed, gambit_equilibria
from tests.strategies import bimatrix_games, degenerate_games, games

DATA = Path(__file__).parent / "data" / "gambit"
TOL = 1e-7


def read_payoff_nfg(path: Path) -> NormalFormGame:
    """Minimal reader for the payoff-list variant of Gambit's ``.nfg`` (first player fastest)."""
    text = path.read_text()
    strategies = re.search(r"\{\s*(\{.*?\}\s*)+\}", text, re.S).group(0)
    shape = [len(re.findall(r'"[^"]*"', block)) for block in re.findall(r"\{([^{}]*)\}", strategies)]
    block = re.search(r"\n\{\s*\n(.*)\n\}", text, re.S).group(1)
    outcomes = re.findall(r'\{ "[^"]*" ([^}]*)\}', block)
    flat = np.array([[float(v) for v in o.replace(",", " ").split()] for o in outcomes])
    n = len(shape)
    payoffs = flat.reshape(tuple(reversed(shape)) + (n,)).transpose(tuple(reversed(range(n))) + (n,))
    return NormalFormGame.from_payoffs(payoffs)


def seeded_game(shape, seed):
    """The generic game :func:`sim.generators.random_game` draws from ``seed``."""
    return random_game(shape, np.random.default_rng(seed))


def profiles_of(result):
    return [np.concatenate(e.profile) for e in result.equilibria]


def same_set(ours, theirs, atol=1e-6):
    """Two lists of stacked profiles are equal as sets (each matched one to one)."""
    ours, theirs = list(ours), list(theirs)
    if len(ours) != len(theirs):
        return False
    left = list(range(len(theirs)))
    for x in ours:
        hit = [k for k in left if np.allclose(x, theirs[k], atol=atol)]
        if not hit:
            return False
        left.remove(hit[0])
    return True


def assert_certified(result):
    game = result.game
    for e in result.equilibria:
        assert e.max_regret <= TOL * game.payoff_scale
        assert abs(game.max_regret(e.profile) - e.max_regret) <= 1e-12 * game.payoff_scale


# ----- properties -----------------------------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(games(min_players=2, max_players=3, min_actions=1, max_actions=2))
def test_every_reported_equilibrium_has_zero_regret(game):
    result = enumpoly_solve(game)
    assert_certified(result)
    assert result.complete
    assert result.equilibria, "every finite game has an equilibrium (Nash 1951)"


def brute_force_bimatrix(game):
    """Independent support enumeration for nondegenerate bimatrix games (equal support sizes)."""
    A, B = game.payoff_array(0), game.payoff_array(1)
    m, n = A.shape
    out = []
    for k in range(1, min(m, n) + 1):
        for I in itertools.combinations(range(m), k):
            for J in itertools.combinations(range(n), k):
                # column mix y on J makes the row player indifferent on I; row mix x on I likewise
                My = np.vstack([np.hstack([A[np.ix_(I, J)], -np.ones((k, 1))]), np.r_[np.ones(k), 0.0]])
                Mx = np.vstack([np.hstack([B[np.ix_(I, J)].T, -np.ones((k, 1))]), np.r_[np.ones(k), 0.0]])
                rhs = np.r_[np.zeros(k), 1.0]
                try:
                    y = np.linalg.solve(My, rhs)[:k]
                    x = np.linalg.solve(Mx, rhs)[:k]
                except np.linalg.LinAlgError:
                    continue
                if x.min() < -1e-12 or y.min() < -1e-12:
                    continue
                xf, yf = np.zeros(m), np.zeros(n)
                xf[list(I)], yf[list(J)] = x, y
                if game.max_regret((xf, yf)) <= 1e-9 * game.payoff_scale:
                    if not any(np.allclose(np.r_[xf, yf], z, atol=1e-9) for z in out):
                        out.append(np.r_[xf, yf])
    return out


@settings(max_examples=8, deadline=None)
@given(bimatrix_games(min_actions=1, max_actions=3))
def test_two_player_equals_brute_force_support_enumeration(game):
    result = enumpoly_solve(game)
    assert_certified(result)
    assert same_set(profiles_of(result), brute_force_bimatrix(game))
    # Nondegenerate bimatrix games have an odd number of equilibria (Lemke and Howson 1964).
    assert len(result.equilibria) % 2 == 1


def test_two_player_equals_nashpy_vertex_enumeration():
    nashpy = pytest.importorskip("nashpy")
    game = seeded_game((4, 4), 7)
    ours = profiles_of(enumpoly_solve(game))
    theirs = [np.r_[x, y] for x, y in nashpy.Game(game.payoff_array(0), game.payoff_array(1)).vertex_enumeration()]
    assert same_set(ours, theirs)


@settings(max_examples=5, deadline=None)
@given(games(min_players=2, max_players=3, min_actions=2, max_actions=2))
def test_all_pure_equilibria_are_included(game):
    ours = profiles_of(enumpoly_solve(game))
    for e in enumpure_solve(game).equilibria:
        assert any(np.allclose(np.concatenate(e.profile), x, atol=1e-9) for x in ours)


@settings(max_examples=4, deadline=None)
@given(games(shape=(2, 2, 2)), st.lists(st.floats(0.1, 10), min_size=3, max_size=3),
       st.lists(st.floats(-5, 5), min_size=3, max_size=3))
def test_equilibria_invariant_under_positive_affine_transform(game, scales, shifts):
    moved = game.with_payoffs(game.payoffs * np.array(scales) + np.array(shifts))
    assert same_set(profiles_of(enumpoly_solve(game)), profiles_of(enumpoly_solve(moved)))


def test_same_result_for_another_seed():
    game = seeded_game((3, 3, 2), 3)
    assert same_set(profiles_of(enumpoly_solve(game, seed=0)), profiles_of(enumpoly_solve(game, seed=1)))


# ----- differential tests against pygambit --------------------------------------------------------
@pytest.mark.gambit
@pytest.mark.slow
@pytest.mark.parametrize("shape, seed", [((2, 2, 2), 1), ((3, 3, 3), 2), ((2, 2, 2, 2), 3)])
def test_contains_pygambit_enumpoly(shape, seed):
    """Every equilibrium pygambit's enumpoly finds, we find. pygambit 16 misses some (for example
    the completely mixed equilibrium of the 2x2x2 game with seed 0, which its gnm finds), so extra
    equilibria of ours are allowed: they are certified, and generic games have an odd number of
    equilibria (Wilson 1971; Harsanyi 1973), which a missed or spurious one would break."""
    game = seeded_game(shape, seed)
    try:
        theirs = gambit_equilibria(game.payoffs, "enumpoly", timeout=60)
    except OracleFailed as exc:
        pytest.skip(f"pygambit enumpoly gave no answer: {exc}")
    result = enumpoly_solve(game)
    assert_certified(result)
    assert result.complete
    ours = profiles_of(result)
    for p in theirs:
        assert any(np.allclose(np.concatenate(p), x, atol=1e-5) for x in ours)
    assert len(ours) % 2 == 1


@pytest.mark.gambit
def test_finds_the_mixed_equilibrium_pygambit_enumpoly_misses():
    game = seeded_game((2, 2, 2), 0)
    try:
        gnm = gambit_equilibria(game.payoffs, "gnm", timeout=60)
    except OracleFailed as exc:
        pytest.skip(f"pygambit gnm gave no answer: {exc}")
    ours = profiles_of(enumpoly_solve(game))
    assert same_set(ours, [np.concatenate(p) for p in gnm], atol=1e-5)


# ----- reference games ----------------------------------------------------------------------------
def test_nau2004_section5_continuum_is_reported():
    """Nau et al. (2004), section 5: 3 pure, 2 partly mixed and a continuum of completely mixed
    equilibria. Gambit's enumpoly returns only the 3 pure ones."""
    game = read_payoff_nfg(DATA / "nau2004_sec5.nfg")
    start = time.perf_counter()
    result = enumpoly_solve(game)
    elapsed = time.perf_counter() - start
    assert_certified(result)
    assert not result.complete and result.degenerate
    points = profiles_of(result)
    # the three pure equilibria: (B, L, 1), (T, R, 1), (B, R, 2)
    for pure in ([0, 1, 1, 0, 1, 0], [1, 0, 0, 1, 1, 0], [0, 1, 0, 1, 0, 1]):
        assert any(np.allclose(x, pure, atol=1e-7) for x in points)
    # the two partly mixed extreme points: (B, L, z=1/4) and (T, R, z=1/4)
    for mixed in ([0, 1, 1, 0, 0.25, 0.75], [1, 0, 0, 1, 0.25, 0.75]):
        assert any(np.allclose(x, mixed, atol=1e-6) for x in points)
    continua = result.details["continua"]
    full = [c for c in continua if c["support"] == [[0, 1], [0, 1], [0, 1]]]
    assert len(full) == 1 and full[0]["dimension"] == 1
    ends = sorted(np.concatenate(e).round(6).tolist() for e in full[0]["end_points"])
    assert np.allclose(ends, [[0, 1, 1, 0, 0.25, 0.75], [1, 0, 0, 1, 0.25, 0.75]], atol=1e-6)
    # an interior point of the completely mixed continuum is listed and marked
    interior = [e for e in result.equilibria if all(len(s) == 2 for s in e.support)]
    assert interior and all(e.details["on_continuum"] for e in interior)
    assert elapsed < 10  # measured well under that; see docs/performance-poly.md


def test_nau2004_section6_segment_end_points():
    """Nau et al. (2004), section 6: the Nash equilibria of this 2x2x4 game form a line segment."""
    game = read_payoff_nfg(DATA / "nau2004_sec6.nfg")
    result = enumpoly_solve(game)
    assert_certified(result)
    assert not result.complete
    (segment,) = result.details["continua"]
    assert segment["kind"] == "segment" and segment["dimension"] == 1
    ends = sorted(np.concatenate(e).round(6).tolist() for e in segment["end_points"])
    assert np.allclose(ends, [[0.5, 0.5, 0.5, 0.5, 0, 0, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0]], atol=1e-6)
    assert all(e.details.get("on_continuum") for e in result.equilibria)
    # every point of the segment is an equilibrium
    a, b = (np.concatenate(e) for e in segment["end_points"])
    for lam in (0.1, 0.5, 0.9):
        x = lam * a + (1 - lam) * b
        assert game.max_regret((x[:2], x[2:4], x[4:])) <= 1e-9


@pytest.mark.slow
def test_founding_case_size_solves_quickly():
    game = seeded_game((2, 2, 4, 2), 11)
    start = time.perf_counter()
    result = enumpoly_solve(game)
    elapsed = time.perf_counter() - start
    assert_certified(result)
    assert result.complete and result.details["failed_paths"] == 0
    assert elapsed < 20  # a few seconds on a loaded 2-core machine


# ----- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [({"tol": 0}, "tol must be"), ({"tol": "x"}, "tol must be"),
                                           ({"_route": "numpy"}, "_route must provide the functions support_profiles, "
                                            "may_hold_equilibrium, endpoints; got 'numpy'")])
def test_bad_parameters_are_refused(kwargs, match):
    with pytest.raises(SolverError, match=match):
        enumpoly_solve(seeded_game((2, 2), 0), **kwargs)


def test_one_player_game_is_refused():
    with pytest.raises(SolverError, match="at least 2 players"):
        enumpoly_solve(NormalFormGame.from_payoffs(np.zeros((3, 1))))


# ----- support pruning by subdivision --------------------------------------------------------------
@settings(max_examples=6, deadline=None)
@given(games(min_players=3, max_players=3, min_actions=2, max_actions=3))
def test_pruning_keeps_the_support_of_every_equilibrium(game):
    """The subdivision test may only drop supports without equilibria: the exact support of every
    equilibrium found with every support tracked must pass it."""
    import sim.solvers.poly as poly

    u = (np.asarray(game.payoffs) - game.payoffs.min()) / game.payoff_scale
    unpruned_route = SimpleNamespace(support_profiles=poly._support_profiles, endpoints=poly._endpoints_jit,
                                     may_hold_equilibrium=lambda u, profiles, margin: [True] * len(profiles))
    unpruned = enumpoly_solve(game, _route=unpruned_route)
    pruned = enumpoly_solve(game)
    assert same_set(profiles_of(pruned), profiles_of(unpruned))
    supports = [tuple(tuple(int(a) for a in np.flatnonzero(p > 1e-9)) for p in e.profile)
                for e in unpruned.equilibria]
    assert all(poly._may_hold_equilibrium(u, supports, TOL))


def test_pruning_drops_supports_without_equilibria():
    """On a random 3x3x3 game most supports hold no equilibrium; the test must drop most of them
    (it is what makes the method fast), and must keep the supports of the equilibria."""
    import sim.solvers.poly as poly

    game = seeded_game((3, 3, 3), 0)
    result = enumpoly_solve(game)
    assert result.details["supports_tracked"] < result.details["supports"] / 2
    u = (np.asarray(game.payoffs) - game.payoffs.min()) / game.payoff_scale
    # a support where player 0's action 0 is strictly dominated everywhere is dropped at once
    dominated = np.zeros((2, 2, 2, 3))
    dominated[1, ..., 0] = 1.0
    assert poly._may_hold_equilibrium(dominated, [((0, 1), (0, 1), (0, 1))], TOL) == [False]
    # pure profiles: a single cell, kept exactly when the profile is an equilibrium
    pure = list(itertools.product(*(range(k) for k in game.shape)))
    verdicts = poly._may_hold_equilibrium(u, [tuple((a,) for a in s) for s in pure], TOL)
    for s, kept in zip(pure, verdicts):
        is_eq = game.max_regret([np.eye(k)[a] for k, a in zip(game.shape, s)]) <= TOL * game.payoff_scale
        assert kept == is_eq


# ----- compiled kernels against the NumPy reference route -------------------------------------------
def scaled(game):
    return (np.asarray(game.payoffs) - game.payoffs.min()) / game.payoff_scale


@settings(max_examples=6, deadline=None)
@given(games(min_players=2, max_players=3, min_actions=2, max_actions=3, max_profiles=18))
def test_compiled_route_finds_the_numpy_routes_equilibria(game):
    """The compiled tracker (own-size supports, Hermite predictor, deeper pruning) and the NumPy
    batch tracker (padded supports, Runge-Kutta) must give one equilibrium set."""
    fast = enumpoly_solve(game)
    slow = enumpoly_solve(game, _route=reference)
    assert_certified(fast)
    assert_certified(slow)
    assert fast.complete and slow.complete
    assert same_set(profiles_of(fast), profiles_of(slow))
    # the deeper compiled pruning never tracks more paths than the reference's
    assert fast.details["paths"] <= slow.details["paths"]


@settings(max_examples=5, deadline=None)
@given(games(min_players=3, max_players=4, min_actions=2, max_actions=3, max_profiles=24))
def test_three_and_four_player_games_agree_with_the_numpy_route(game):
    """Three and four players with small action sets (up to 24 pure profiles: 2x2x2x3, 2x3x3,
    ...): every equilibrium of the compiled route is certified (regret at most ``tol`` times the
    payoff scale), its set is the NumPy reference route's, both say ``complete``, and a generic
    game has an odd number of equilibria (Wilson 1971), which a missed or spurious one would break."""
    fast = enumpoly_solve(game)
    slow = enumpoly_solve(game, _route=reference)
    assert_certified(fast)
    assert_certified(slow)
    assert fast.complete and slow.complete
    assert same_set(profiles_of(fast), profiles_of(slow))
    assert len(fast.equilibria) % 2 == 1


@pytest.mark.slow
@settings(max_examples=6, deadline=None)
@given(degenerate_games(min_players=2, max_players=3, min_actions=1, max_actions=3, max_profiles=12))
def test_compiled_route_agrees_with_numpy_route_on_degenerate_games(game):
    """Games with ties (small-integer payoffs): both routes give the same isolated equilibria and
    the same verdict on completeness, every point certified."""
    fast = enumpoly_solve(game)
    slow = enumpoly_solve(game, _route=reference)
    assert_certified(fast)
    assert_certified(slow)

    def isolated(result):
        return [x for x, e in zip(profiles_of(result), result.equilibria) if not e.details.get("on_continuum")]

    assert same_set(isolated(fast), isolated(slow))
    assert fast.complete == slow.complete


@settings(max_examples=15, deadline=None)
@given(st.one_of(games(min_players=2, max_players=4, min_actions=1, max_actions=3),
                 degenerate_games(min_players=2, max_players=4, min_actions=1, max_actions=3)))
def test_compiled_conditional_dominance_equals_reference(game):
    import sim.solvers.poly as poly

    u = scaled(game)
    assert poly._support_profiles(u, TOL) == reference.support_profiles(u, TOL)


@settings(max_examples=10, deadline=None)
@given(st.one_of(games(min_players=2, max_players=4, min_actions=2, max_actions=3),
                 degenerate_games(min_players=3, max_players=3, min_actions=2, max_actions=3)))
def test_compiled_subdivision_equals_reference_at_equal_depth(game):
    """Depth first (compiled) and breadth first (NumPy) subdivisions bisect the same cells, so with
    the same depth and no cell limit they must reach the same verdict on every support."""
    import sim.solvers.poly as poly

    u = scaled(game)
    profiles = reference.support_profiles(u, TOL)
    fast = poly._may_hold_equilibrium(u, profiles, TOL, max_depth=5, max_cells=10**9)
    slow = reference.may_hold_equilibrium(u, profiles, TOL, max_rounds=5, max_cells=10**9)
    assert fast == slow


@settings(max_examples=20, deadline=None)
@given(games(min_players=2, max_players=4, min_actions=1, max_actions=3), st.integers(0, 2**32 - 1),
       st.floats(0, 1))
@example(seeded_game((1, 2, 3, 1), 5), 0, 1.0)   # support ((0,), (0, 1), (1, 2), (0,)): pure opponents
@example(seeded_game((4, 4, 4, 4), 2), 3, 0.3)   # rows long enough for the SIMD contractions
@example(seeded_game((4, 4, 4, 4), 0), 11, 0.7)
@example(seeded_game((2, 3, 2, 2, 3), 1), 4, 0.5)   # five players: longer chains of contractions
@example(seeded_game((4, 1, 4), 3), 5, 0.2)
@example(seeded_game((4, 4), 6), 8, 0.9)
def test_compiled_homotopy_system_equals_reference(game, seed, t):
    """Value, Jacobian and t-derivative of one support's homotopy (compiled, own size) equal the
    NumPy evaluation (padded) on the support's rows and columns, at a random complex point.
    (The first example once caught partial contractions overflowing their work array when
    opponents play pure strategies; the others reach the long rows that are contracted as SIMD
    updates rather than dot products, and five players.)"""
    import sim.solvers._poly_jit_track as kernels
    import sim.solvers.poly as poly

    rng = np.random.default_rng(seed)
    u = scaled(game)
    model = system.Model.build(u, rng)
    shape, off = model.shape, model.offsets
    n_players, n = len(shape), int(off[-1])
    prof = tuple(tuple(sorted(rng.choice(k, size=rng.integers(1, k + 1), replace=False).tolist()))
                 for k in shape)
    chart = rng.normal(size=n) + 1j * rng.normal(size=n)
    x_full = np.zeros(n, dtype=complex)
    for j, s in enumerate(prof):
        x_full[off[j] + np.array(s)] = rng.normal(size=len(s)) + 1j * rng.normal(size=len(s))
    # reference: the padded system of this support (rows as built for the NumPy route)
    paths, _ = reference.paths_for(model, [prof], chart)
    if paths is None:        # no start solutions: build the row roles of one path by hand
        rp = system.real_paths(model, prof)
        paths = system.Paths(rp.support, rp.ind, rp.chart, rp.zero, rp.a0, chart[None])
    paths = paths.take(np.array([0]))
    H_ref, J_ref, Ht_ref = system.evaluate(model, paths, x_full[None], np.array([t]))
    # compiled, own size
    sup_k, sup_acts = poly._support_arrays(model.shape, [prof])
    flat, strides, _ = poly._flat_payoffs(u)
    lin, charts = poly._tracker_forms(model, chart)
    rows = np.concatenate([off[j] + np.array(s) for j, s in enumerate(prof)])
    H, J, Ht = kernels.system_at(flat, strides, lin, model.gamma, charts, sup_k[0], sup_acts[0], x_full[rows], t)
    assert np.allclose(H, H_ref[0][rows], rtol=1e-12, atol=1e-12)
    assert np.allclose(J, J_ref[0][np.ix_(rows, rows)], rtol=1e-12, atol=1e-12)
    # a player's indifference rows do not depend on its own probabilities
    soff = np.concatenate([[0], np.cumsum(sup_k[0])])
    for i in range(n_players):
        assert np.all(J[soff[i] + 1:soff[i + 1], soff[i]:soff[i + 1]] == 0.0)
    assert np.allclose(Ht, Ht_ref[0][rows], rtol=1e-12, atol=1e-12)


@settings(max_examples=8, deadline=None)
@given(st.one_of(games(shape=(3, 3, 3)), games(shape=(2, 2, 2, 2)), games(shape=(3, 3, 3, 3))),
       st.integers(0, 2**32 - 1))
def test_tracked_end_points_equal_the_numpy_trackers(game, seed):
    """Path by path, the compiled tracker (Hermite predictor, in-kernel complex LU) ends where the NumPy batch tracker (Runge-Kutta, the whole padded systems solved by
    ``numpy.linalg.solve``) does, within 1e-8, on every path both find regular: the same homotopy
    from the same start solutions, on up to six supports with start solutions drawn at random."""
    import sim.solvers._poly_jit_track as kernels
    import sim.solvers.poly as poly

    rng = np.random.default_rng(seed)
    u = scaled(game)
    profiles = [p for p in poly._support_profiles(u, TOL) if system.assignments(tuple(len(s) - 1 for s in p))]
    profiles = [profiles[b] for b in np.sort(rng.choice(len(profiles), size=min(6, len(profiles)), replace=False))]
    model = system.Model.build(u, rng)
    shape, off = model.shape, model.offsets
    n = int(off[-1])
    chart = rng.normal(size=n) + 1j * rng.normal(size=n)
    paths, starts = reference.paths_for(model, profiles, chart)
    x_ref, ok_ref, _ = reference.track(model, paths, starts.copy())
    x_ref, ok_ref, J_ref = reference._finish(model, paths, x_ref, ok_ref)
    regular_ref = ok_ref & (np.linalg.cond(J_ref) < system.SINGULAR_COND)
    # the compiled tracker on the same paths, in the same order (as poly._endpoints_jit builds them)
    _, assign = poly._path_arrays(profiles)
    sup_k, sup_acts = poly._support_arrays(shape, profiles)
    flat, strides, _ = poly._flat_payoffs(u)
    lin, charts = poly._tracker_forms(model, chart)
    x, ok, cond, _, _ = kernels.track_paths(flat, strides, lin, model.gamma, charts, sup_k, sup_acts,
                                            paths.support.astype(np.int64), assign,
                                            np.asarray(off, dtype=np.int64), 0.25, system.MAX_STEPS)
    both = regular_ref & ok & (cond < system.SINGULAR_COND)
    assert both.sum() >= 0.9 * len(both)          # generic games: (almost) every end point regular
    scale = np.maximum(1.0, np.abs(x_ref).max(axis=1))
    assert np.all(np.abs(x - x_ref).max(axis=1)[both] <= 1e-8 * scale[both])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3), st.booleans(), st.booleans()),
                min_size=1, max_size=12))
def test_meeting_paths_equals_reference(rows):
    """The compiled check for paths to track again equals a plain Python reading of its rule."""
    import sim.solvers._poly_jit_track as kernels

    rows = sorted(rows, key=lambda r: r[0])                       # paths of a support are contiguous
    sup = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([[r[1], 0.5 * r[1] + 1j] for r in rows], dtype=complex)
    ok = np.array([r[2] for r in rows])
    regular = np.array([r[3] for r in rows])
    expected = [(not ok[p] and regular[p]) or (ok[p] and regular[p] and any(
        q != p and sup[q] == sup[p] and ok[q] and regular[q] and np.abs(x[p] - x[q]).max() < 1e-6
        for q in range(len(rows)))) for p in range(len(rows))]
    assert kernels.meeting_paths(sup, x, ok, regular).tolist() == expected


def test_importing_the_solvers_does_not_import_numba():
    """The compiled kernels are imported inside the functions that use them."""
    import subprocess
    import sys

    code = "import sys, sim, sim.solvers, sim.solvers.poly; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_games_with_too_many_support_profiles_are_refused_with_the_count():
    # A 24x24 game (the size of a reduced normal form of Gambit's e16.efg) has (2**24 - 1)**2
    # support profiles; enumerating them once exhausted memory instead of saying so.
    import re

    game = NormalFormGame.from_bimatrix(np.zeros((24, 24)), np.zeros((24, 24)))
    with pytest.raises(SolverError, match=re.escape("a 24x24 game has 281,474,943,156,225 support profiles, "
                                                    "over max_support_profiles=100,000")):
        enumpoly_solve(game)
    with pytest.raises(SolverError, match="max_support_profiles must be a positive integer"):
        enumpoly_solve(game, max_support_profiles=0)
    # The limit is a parameter: a 2x2 game has 9 support profiles.
    with pytest.raises(SolverError, match="a 2x2 game has 9 support profiles"):
        enumpoly_solve(NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]]), max_support_profiles=8)


def test_split_over_threads_changes_no_verdict():
    """The supports (and paths) dealt over threads give the verdicts of one call on all of them,
    in the same order: on a 3x3x3x3 game, 809 supports with start solutions, the subdivision of
    each with its own cell budget."""
    from sim.solvers import _poly_jit_prune as prune
    from sim.solvers import poly

    u = scaled(seeded_game((3, 3, 3, 3), 0))
    profiles = [p for p in poly._support_profiles(u, TOL) if system.assignments(tuple(len(s) - 1 for s in p))]
    assert len(poly._split(len(profiles))) == 2
    budget = np.arange(len(profiles), dtype=np.int64) % 7 * 300 + 50    # differs between neighbours
    sup_k, sup_acts = poly._support_arrays(u.shape[:-1], profiles)
    whole = prune.may_hold_equilibrium(*poly._flat_payoffs(u), sup_k, sup_acts, TOL, 12, budget)
    split = poly._threaded(lambda *a: prune.may_hold_equilibrium(*a[:5], TOL, 12, a[5]), len(profiles),
                           sup_k, sup_acts, budget, shared=poly._flat_payoffs(u))
    assert whole.any() and not whole.all()
    np.testing.assert_array_equal(split, whole)


def test_continua_stop_at_max_continua_and_say_so():
    # Payoffs all equal: every profile is an equilibrium and nearly every support carries a
    # component (32 on a 2x2x2 game, 258 on a 3x3x2 one, 80 s): the search stops at the limit.
    g = NormalFormGame.from_payoffs(np.zeros((2, 2, 2, 3)))
    r = enumpoly_solve(g, max_continua=3)
    assert len(r.details["continua"]) == 3 and r.details["continua_stopped"] and not r.complete
    assert "stopped after max_continua=3 components" in r.details["incomplete_reason"]
    assert all(e.max_regret == 0.0 for e in r.equilibria)
    for bad in (-1, 0, True, 2.0):
        with pytest.raises(SolverError, match=f"max_continua must be a positive integer; got {bad!r}"):
            enumpoly_solve(g, max_continua=bad)



# ----- supports settled by the Krawczyk test, without path tracking -----------------------------------
def real_roots(game, profiles):
    """Every real solution on the closed simplices (no probability below ``-1e-6``) of each
    support's indifference system, from tracking all its homotopy paths: a list of stacked profiles
    per support."""
    from unittest import mock

    from sim.solvers import poly

    u = scaled(game)
    out = []
    with mock.patch.object(poly, "feasible", lambda model, x, tol: True):
        for p in profiles:
            rng = np.random.default_rng(0)
            model = system.Model.build(u, rng)
            n = int(model.offsets[-1])
            found, singular, failed, _ = poly._endpoints_jit(model, [p], rng.normal(size=n) + 1j * rng.normal(size=n),
                                                             TOL)
            assert failed == 0 and not singular        # generic game: every solution found
            out.append(found)
    return out


def free_coordinates(profile, support, offsets):
    """A stacked profile's free probabilities on a support: each player's support actions after
    the first."""
    return np.concatenate([profile[offsets[j] + np.array(s[1:], dtype=int)] for j, s in enumerate(support)])


@settings(max_examples=6, deadline=None)
@given(st.one_of(games(shape=(3, 3, 3)), games(shape=(2, 3, 4)), games(shape=(2, 2, 3, 2))))
def test_krawczyk_verdicts_agree_with_tracking(game):
    """Sound verdicts, against every path tracked: a support the test drops has no real solution
    on its simplices that is an equilibrium; a settled support's verified roots are tracked
    solutions, and include every tracked solution on its simplices that is an equilibrium."""
    from sim.solvers import poly

    u = scaled(game)
    model = system.Model.build(u, np.random.default_rng(0))
    profiles = [p for p in poly._support_profiles(u, TOL) if system.assignments(tuple(len(s) - 1 for s in p))]
    status, roots, _ = poly._settle(u, profiles, TOL)
    tracked = real_roots(game, profiles)
    for p, s, verified, solutions in zip(profiles, status, roots, tracked):
        equilibria = [y for y in solutions if system.regret(model, np.clip(y, 0, None)) <= TOL / 2]
        if s == 0:
            assert not equilibria, p
        if s == 1:
            inside = [z for z in verified if z.min() >= -1e-6]
            for z in inside:
                assert any(np.allclose(z, y, atol=1e-7) for y in solutions), (p, z)
            for y in equilibria:
                assert any(np.allclose(z, y, atol=1e-7) for z in verified), (p, y)


@settings(max_examples=6, deadline=None)
@given(st.one_of(games(shape=(3, 3, 3)), games(shape=(2, 3, 4))), st.integers(0, 2**32 - 1))
def test_krawczyk_box_verdicts_are_sound(game, seed):
    """On boxes around tracked solutions and on random boxes: a box declared root-free holds no
    tracked solution; a box declared to hold one root (in it widened by a tenth) holds exactly
    one tracked solution there, the returned root."""
    from sim.solvers import _poly_jit_settle as kernel
    from sim.solvers import poly

    u = scaled(game)
    shape = u.shape[:-1]
    offsets = np.concatenate([[0], np.cumsum(shape)])
    rng = np.random.default_rng(seed)
    profiles = [p for p in poly._support_profiles(u, TOL)
                if system.assignments(tuple(len(s) - 1 for s in p)) and any(len(s) > 1 for s in p)]
    verdicts = set()
    for p, solutions in zip(profiles, real_roots(game, profiles)):
        k, acts = poly._support_arrays(shape, [p])
        free = [free_coordinates(y, p, offsets) for y in solutions]
        m = int((k - 1).sum())
        boxes = [(c - w * f, c + w * (1 - f)) for c in free for w in (0.3, 0.03, 1e-4) for f in (rng.uniform(size=m),)]
        boxes += [(lo, lo + rng.uniform(0.01, 0.5, size=m)) for lo in rng.uniform(-0.1, 0.9, size=(4, m))]
        for lo, hi in boxes:
            verdict, y = kernel.krawczyk_box(*poly._flat_payoffs(u), k[0], acts[0], lo, hi)
            verdicts.add(int(verdict))
            wide = 0.55 * (hi - lo) + 1e-9
            near = [x for x in free if np.all(np.abs(x - (lo + hi) / 2) <= wide)]
            if verdict == 0:
                assert not [x for x in free if np.all(x >= lo - 1e-9) and np.all(x <= hi + 1e-9)], (p, lo, hi)
            if verdict == 1:
                # The box may reach outside the simplices, and its one root with it: tracking lists
                # only roots on the closed simplices, so an outside root has none of them near it.
                cuts = np.cumsum([len(s) - 1 for s in p])[:-1]
                outside = min(min(1.0 - part.sum(), part.min(initial=1.0)) for part in np.split(y, cuts)) < -1e-6
                if outside:
                    assert not near, (p, lo, hi, y, near)
                else:
                    assert len(near) == 1 and np.allclose(near[0], y, atol=1e-7), (p, lo, hi, y, near)
    assert 1 in verdicts or not any(real_roots(game, profiles))


def small_integer_game(shape, seed):
    """Payoffs drawn from the integers -2..2 (ties, continua), seeded."""
    payoffs = np.random.default_rng(seed).integers(-2, 3, size=(*shape, len(shape)))
    return NormalFormGame.from_payoffs(payoffs.astype(float))


@pytest.mark.parametrize("shape, seed", [((3, 3, 3), 0), ((3, 3, 3), 2), ((2, 2, 2, 2), 1), ((2, 3, 4, 2), 0),
                                         ((2, 3, 4, 2), 1)])
def test_krawczyk_settling_changes_no_equilibrium_with_ties(shape, seed):
    """Degenerate games of the sizes the property below cannot afford (continua take seconds):
    the same isolated equilibria and ``complete`` with and without settling."""
    assert_settling_changes_no_equilibrium(small_integer_game(shape, seed))


@settings(max_examples=6, deadline=None)
@given(st.one_of(games(shape=(3, 3, 3)), games(shape=(2, 3, 4, 2)),
                 degenerate_games(min_players=3, max_players=3, min_actions=1, max_actions=2)))
def test_krawczyk_settling_changes_no_equilibrium(game):
    """The same isolated equilibria, and the same ``complete``, with supports settled by the
    Krawczyk test and with every support the subdivision keeps tracked (generic games and games
    with ties). (Points reported on a continuum are samples of it and may differ between the
    routes. The number of paths tracked may too: the settling subdivision bisects other edges
    within its own depth and budget, so on some games it keeps a support the plain subdivision
    drops; a 3x3x3 game once tracked 10 paths settled against 7 plain.)"""
    assert_settling_changes_no_equilibrium(game)


def assert_settling_changes_no_equilibrium(game):
    """Assert the property above on one game."""
    on = enumpoly_solve(game)
    off = enumpoly_solve(game, _krawczyk=False)
    assert_certified(on)

    def isolated(result):
        return [np.concatenate(e.profile) for e in result.equilibria if not e.details.get("on_continuum")]

    # an isolated point of one route may be labelled as on a continuum by the other, whose samples
    # of that continuum differ: each route's isolated points are among the other's points
    for a, b in ((on, off), (off, on)):
        for x in isolated(a):
            assert any(np.allclose(x, y, atol=1e-6) for y in profiles_of(b)), x
    if not on.details["continua"]:
        assert same_set(profiles_of(on), profiles_of(off))
    assert on.complete == off.complete


def test_krawczyk_settles_the_supports_of_a_3x3x3x3_game():
    """On the 3x3x3x3 game with seed 0, every support the subdivision alone would leave to
    tracking (20, 232 paths) is settled: no path is tracked, and the 17 equilibria are the same."""
    game = seeded_game((3, 3, 3, 3), 0)
    on = enumpoly_solve(game)
    off = enumpoly_solve(game, _krawczyk=False)
    assert off.details["paths"] == 232 and len(off.equilibria) == 17
    assert on.details["paths"] == 0 and on.details["supports_settled"] > 0
    assert on.complete and same_set(profiles_of(on), profiles_of(off))


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(2, 4), min_size=2, max_size=4), seed=st.integers(0, 2**31 - 1),
       data=st.data())
def test_own_payoff_tie_check_matches_its_definition(shape, seed, data):
    """`has_own_payoff_ties` (which sends tied games straight to the tracked route) equals a plain
    loop over every player, every pure profile of the others and every pair of own actions; a
    planted tie is always seen."""
    from sim.solvers.poly import has_own_payoff_ties
    rng = np.random.default_rng(seed)
    u = rng.integers(0, data.draw(st.integers(2, 50)), size=(*shape, len(shape))).astype(float) / 7.0
    if data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(shape) - 1))
        at = [int(rng.integers(0, n)) for n in shape]
        other = list(at)
        other[i] = (at[i] + 1) % shape[i]
        u[(*other, i)] = u[(*at, i)]
    plain = any(abs(u[(*p, i)] - u[(*p[:i], b, *p[i + 1:], i)]) <= 1e-9
                for i in range(len(shape)) for p in itertools.product(*map(range, shape))
                for b in range(shape[i]) if b != p[i])
    assert has_own_payoff_ties(u, 1e-9) == plain
