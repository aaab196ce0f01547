"""enummixed (vertex enumeration) and lcp (Lemke-Howson) on two-player games.

Properties over generated games, differential tests against QuantEcon, nashpy and pygambit, and
reference games with known equilibria (each citing its source).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import solve
from sim.solvers.mixed import enummixed_solve, lcp_solve
from tests.oracles import OracleFailed, gambit_equilibria_many
from tests.strategies import bimatrix_games, games

FAST = settings(max_examples=60, deadline=None)
REGRET_TOL = 1e-9


def profile_set(profiles, digits=6):
    """Equilibria as a set of rounded tuples, for comparing sets across implementations."""
    return {tuple(np.round(np.concatenate([np.asarray(s, float) for s in p]), digits) + 0.0) for p in profiles}


def eq_set(result, digits=6):
    return profile_set([e.profile for e in result.equilibria], digits)


def assert_certified(game, result):
    for e in result.equilibria:
        assert e.max_regret <= REGRET_TOL * game.payoff_scale, (e.profile, e.max_regret)
        assert game.max_regret(e.profile) == pytest.approx(e.max_regret, abs=1e-12 * game.payoff_scale)


# ----- reference games ----------------------------------------------------------------------------
def test_battle_of_the_sexes_has_two_pure_and_one_mixed_equilibrium():
    # Textbook game (Osborne and Rubinstein 1994, example 15.3): (0,0), (1,1) and ((2/3,1/3),(1/3,2/3)).
    g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    result = enummixed_solve(g)
    assert eq_set(result) == profile_set([([1, 0], [1, 0]), ([0, 1], [0, 1]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3])])
    assert not result.degenerate and result.complete


def test_matching_pennies_unique_mixed_equilibrium():
    g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    assert eq_set(enummixed_solve(g)) == profile_set([([0.5, 0.5], [0.5, 0.5])])


def test_degenerate_game_reports_vertices_of_the_continuum():
    # Worked by hand: the column player is indifferent everywhere; the row player prefers row 0
    # against column 0 and row 1 against column 1, so the equilibria form two segments.
    A = [[1, 0], [0, 1]]
    B = [[0, 0], [0, 0]]
    result = enummixed_solve(NormalFormGame.from_bimatrix(A, B))
    # Equilibria: (row0, any y with y0 >= 1/2) and (row1, any y with y0 <= 1/2) and the mixed
    # row strategies against y = (1/2, 1/2). Extreme points of the components:
    expected = [([1, 0], [1, 0]), ([1, 0], [0.5, 0.5]), ([0, 1], [0, 1]), ([0, 1], [0.5, 0.5])]
    assert result.degenerate
    assert eq_set(result) == profile_set(expected)


def test_zero_game_has_every_pure_profile_as_extreme_equilibrium():
    g = NormalFormGame.from_bimatrix(np.zeros((2, 3)), np.zeros((2, 3)))
    result = enummixed_solve(g)
    assert result.degenerate
    assert len(result.equilibria) == 6 and all(e.is_pure for e in result.equilibria)


def test_registry_dispatches_enummixed_and_lcp():
    g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    assert [e.pure_profile for e in solve(g, "enummixed").equilibria] == [(1, 1)]
    assert solve(g, "lcp", start=2).equilibria[0].pure_profile == (1, 1)


@pytest.mark.parametrize("vertices", ["hull", "bases"])
def test_one_by_n_and_n_by_one_games(vertices):
    g = NormalFormGame.from_bimatrix([[1, 3, 2]], [[0, 5, 5]])
    result = enummixed_solve(g, vertices=vertices)
    assert eq_set(result) == profile_set([([1], [0, 1, 0]), ([1], [0, 0, 1])])
    g = NormalFormGame.from_bimatrix([[1], [3]], [[4], [0]])
    assert eq_set(enummixed_solve(g, vertices=vertices)) == profile_set([([0, 1], [1])])


# ----- bad input ------------------------------------------------------------------------------------
def test_rejects_non_two_player_games():
    g = NormalFormGame.from_payoffs(np.zeros((2, 2, 2, 3)))
    with pytest.raises(SolverError, match=r"enummixed_solve\(\): needs a 2-player game; got 3"):
        enummixed_solve(g)
    with pytest.raises(SolverError, match=r"lcp_solve\(\): needs a 2-player game; got 3"):
        lcp_solve(g)


def test_rejects_bad_parameters():
    g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(SolverError, match=r"lcp_solve\(\): start must be a label in 0..3; got 4"):
        lcp_solve(g, start=4)
    with pytest.raises(SolverError, match=r"lcp_solve\(\): start must be a label in 0..3; got -1"):
        lcp_solve(g, start=-1)
    with pytest.raises(SolverError, match=r"enummixed_solve\(\): vertices must be one of"):
        enummixed_solve(g, vertices="lrs")
    with pytest.raises(SolverError, match=r"enummixed_solve\(\): tol must be a number in \(0, 1e-3\); got -1"):
        enummixed_solve(g, tol=-1)


# ----- properties ---------------------------------------------------------------------------------------
@FAST
@given(bimatrix_games(max_actions=5))
def test_every_reported_equilibrium_has_zero_regret_generic(game):
    result = enummixed_solve(game)
    assert result.equilibria
    assert_certified(game, result)


@FAST
@given(bimatrix_games(max_actions=4, degenerate=True))
def test_every_reported_equilibrium_has_zero_regret_degenerate(game):
    result = enummixed_solve(game)
    assert result.equilibria, "every finite game has an equilibrium"
    assert_certified(game, result)
    eq = lcp_solve(game, start=0).equilibria[0]
    assert eq.max_regret <= REGRET_TOL * game.payoff_scale


@FAST
@given(bimatrix_games(max_actions=5))
def test_nondegenerate_games_have_an_odd_number_of_equilibria(game):
    result = enummixed_solve(game)
    assert not result.degenerate
    assert len(result.equilibria) % 2 == 1


@FAST
@given(bimatrix_games(min_actions=2, max_actions=5))
def test_hull_and_bases_vertex_routes_agree(game):
    assert eq_set(enummixed_solve(game, vertices="hull")) == eq_set(enummixed_solve(game, vertices="bases"))


@FAST
@given(bimatrix_games(max_actions=4, degenerate=True), st.floats(0.01, 100), st.floats(-50, 50),
       st.floats(0.01, 100), st.floats(-50, 50))
def test_equilibria_invariant_under_positive_affine_transform(game, a0, b0, a1, b1):
    p = game.payoffs
    moved = game.with_payoffs(np.stack([a0 * p[..., 0] + b0, a1 * p[..., 1] + b1], axis=-1))
    assert eq_set(enummixed_solve(moved), 5) == eq_set(enummixed_solve(game), 5)


@FAST
@given(bimatrix_games(max_actions=4, degenerate=True), st.randoms(use_true_random=False))
def test_equilibria_permute_with_actions_and_players(game, rnd):
    m, n = game.shape
    pr, pc = rnd.sample(range(m), m), rnd.sample(range(n), n)
    A, B = game.payoffs[..., 0][np.ix_(pr, pc)], game.payoffs[..., 1][np.ix_(pr, pc)]
    permuted = NormalFormGame.from_bimatrix(A, B)
    expected = {tuple(np.round(np.concatenate([np.asarray(x)[pr], np.asarray(y)[pc]]), 6) + 0.0)
                for x, y in (e.profile for e in enummixed_solve(game).equilibria)}
    assert eq_set(enummixed_solve(permuted)) == expected
    swapped = NormalFormGame.from_bimatrix(game.payoffs[..., 1].T, game.payoffs[..., 0].T)
    expected = {tuple(np.round(np.concatenate([y, x]), 6) + 0.0)
                for x, y in (e.profile for e in enummixed_solve(game).equilibria)}
    assert eq_set(enummixed_solve(swapped)) == expected


@FAST
@given(bimatrix_games(max_actions=5))
def test_lcp_from_every_label_finds_an_enummixed_equilibrium(game):
    everything = eq_set(enummixed_solve(game))
    for label in range(sum(game.shape)):
        result = lcp_solve(game, start=label)
        assert result.equilibria[0].max_regret <= REGRET_TOL * game.payoff_scale
        assert eq_set(result) <= everything, label


@settings(max_examples=30, deadline=None)
@given(bimatrix_games(max_actions=4, degenerate=True))
def test_lcp_from_every_label_ends_at_an_equilibrium_on_degenerate_games(game):
    for label in range(sum(game.shape)):
        eq = lcp_solve(game, start=label).equilibria[0]
        assert eq.max_regret <= REGRET_TOL * game.payoff_scale, label


# ----- differential tests ---------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(bimatrix_games(min_actions=2, max_actions=6))
def test_same_equilibria_as_quantecon_vertex_enumeration(game):
    import quantecon.game_theory as gt

    theirs = gt.vertex_enumeration(gt.NormalFormGame(np.array(game.payoffs)))
    assert eq_set(enummixed_solve(game)) == profile_set(theirs)


@settings(max_examples=15, deadline=None)
@given(games(shape=(3, 3)) | games(shape=(2, 4)) | games(shape=(4, 3)))
def test_same_equilibria_as_nashpy_vertex_enumeration(game):
    import nashpy

    theirs = list(nashpy.Game(game.payoffs[..., 0], game.payoffs[..., 1]).vertex_enumeration())
    # nashpy's vertex enumeration can return profiles that are not equilibria (regret ~1e-5 on
    # generic games, see the reference case below): compare with its genuine equilibria, and
    # require that we find every one of them.
    genuine = [p for p in theirs if game.max_regret(p) <= 1e-9 * game.payoff_scale]
    assert eq_set(enummixed_solve(game)) == profile_set(genuine)


# A generic 3x3 game found by Hypothesis where nashpy 0.0.43's vertex_enumeration returns two
# profiles with supports {2,3} x {2,3} and {1,3} x {2,3} whose regret is about 1e-4 (an unused row
# beats the support rows). pygambit's rational enummixed and QuantEcon agree with us: one equilibrium.
NASHPY_FALSE_POSITIVE = np.array([
    [[8.99165431, -4.02323553], [9.94855377, -5.27908212], [-7.14436522, 0.18043869]],
    [[-0.5476625, -8.22505125], [0.84650707, -9.52930864], [5.76089703, -3.3414387]],
    [[-0.84468644, -7.67569338], [4.37376796, 5.777111], [0.75969132, -7.88647734]],
])


def test_a_game_where_nashpy_reports_non_equilibria_has_one_equilibrium():
    import nashpy

    game = NormalFormGame.from_payoffs(NASHPY_FALSE_POSITIVE)
    result = enummixed_solve(game)
    assert [e.pure_profile for e in result.equilibria] == [(1, 2)]
    theirs = list(nashpy.Game(game.payoffs[..., 0], game.payoffs[..., 1]).vertex_enumeration())
    genuine = [p for p in theirs if game.max_regret(p) <= 1e-9 * game.payoff_scale]
    assert eq_set(result) == profile_set(genuine)


def _oracle_batch():
    """Seeded generic and degenerate bimatrix games, 1x1 up to 6x6, for the pygambit comparison.

    Drawn up front (not per Hypothesis example) so that all of them go to pygambit in ONE
    subprocess: starting pygambit costs seconds, solving these games milliseconds.
    """
    rng = np.random.default_rng(20240603)
    batch = []
    for k in range(40):
        m, n = (int(v) for v in rng.integers(1, 7, size=2))
        if k % 2:  # small integers: ties, weak dominance and continua of equilibria are common
            payoffs = rng.integers(-2, 3, size=(m, n, 2)).astype(float)
        else:
            payoffs = np.round(rng.uniform(-10, 10, size=(m, n, 2)), 3)
        batch.append(NormalFormGame.from_payoffs(payoffs))
    return batch


@pytest.mark.slow
@pytest.mark.gambit
def test_same_extreme_equilibria_as_pygambit_enummixed():
    from sim.formats.nfg import format_nfg

    batch = _oracle_batch()
    assert sum(enummixed_solve(g).degenerate for g in batch) >= 5, "the batch must exercise degenerate games"
    try:
        # Payoffs are written as short decimals, which Gambit reads as exact rationals.
        theirs = gambit_equilibria_many([format_nfg(g) for g in batch], "enummixed", timeout=300)
    except OracleFailed as exc:
        pytest.skip(f"pygambit oracle unavailable: {exc}")
    for game, eqs in zip(batch, theirs):
        assert eq_set(enummixed_solve(game)) == profile_set(eqs), game.payoffs.tolist()


def test_random_ten_by_ten_games_match_quantecon_on_the_pivot_and_hull_routes():
    import quantecon.game_theory as gt

    rng = np.random.default_rng(7)
    for _ in range(3):
        payoffs = rng.uniform(-10, 10, size=(10, 10, 2))
        theirs = profile_set(gt.vertex_enumeration(gt.NormalFormGame(payoffs)))
        game = NormalFormGame.from_payoffs(payoffs)
        result = enummixed_solve(game)
        assert result.details["vertex_method"] == "pivot" and not result.degenerate
        assert eq_set(result) == theirs
        hull = enummixed_solve(game, vertices="hull")
        assert hull.details["vertex_method"] == "hull"
        assert eq_set(hull) == theirs


# ----- compiled kernels against plain NumPy references -----------------------------------------------
# Inputs are small multiples of 1/8, so every product and sum is exact in float64 and the kernels
# must agree with the references bit for bit whatever the summation order; ties (slack exactly 0)
# and duplicate label sets are then common, which is what the bookkeeping has to get right.
def _dyadic(shape_strategy_draw, shape):
    return np.array(shape_strategy_draw(st.lists(st.integers(-16, 16), min_size=int(np.prod(shape)),
                                                 max_size=int(np.prod(shape))))).reshape(shape) / 8.0


def _reference_label_vertices(points, G, h, tol):
    """The NumPy bookkeeping the kernel replaced: slack, feasibility, first of each label set."""
    slack = h[None, :] - np.einsum("vk,rk->vr", points, G)
    feasible = np.flatnonzero(np.all(slack >= -tol, axis=1))
    tight = np.abs(slack[feasible]) <= tol
    keys = tight.astype(np.uint64) @ (np.uint64(1) << np.arange(G.shape[0], dtype=np.uint64))
    _, first = np.unique(keys, return_index=True)
    first.sort()
    return feasible[first], keys[first], tight[first].sum(axis=1)


@FAST
@given(st.data())
def test_label_kernel_matches_numpy_reference(data):
    from sim.solvers import _mixed_jit

    V, L, dim = data.draw(st.integers(0, 12)), data.draw(st.integers(1, 63)), data.draw(st.integers(1, 5))
    points = _dyadic(data.draw, (V, dim))
    if V > 1 and data.draw(st.booleans()):
        points[V // 2:] = points[: V - V // 2]  # duplicated vertices must merge
    G, h = _dyadic(data.draw, (L, dim)), _dyadic(data.draw, (L,))
    keep, masks, n_tight = _mixed_jit.label_vertices(points, G, h, 1e-9)
    ref_keep, ref_masks, ref_tight = _reference_label_vertices(points, G, h, 1e-9)
    assert keep.tolist() == ref_keep.tolist()
    assert masks.tolist() == ref_masks.tolist()
    assert n_tight.tolist() == ref_tight.tolist()


@FAST
@given(st.data())
def test_pair_kernel_matches_brute_force(data):
    from sim.solvers import _mixed_jit

    L = data.draw(st.integers(1, 63))
    simple = data.draw(st.booleans())
    masks = st.integers(0, 2**L - 1)
    xm = np.array(data.draw(st.lists(masks, max_size=30)), dtype=np.uint64)
    ym = np.array(data.draw(st.lists(masks, max_size=30, unique=simple)), dtype=np.uint64)
    full = 2**L - 1
    if simple and len(xm):  # make some complementary pairs exist
        ym = np.unique(np.concatenate([ym, np.array([full & ~int(x) for x in xm[:3]], dtype=np.uint64)]))
    ix, iy = _mixed_jit.complete_pairs(xm, ym, L, simple)
    got = set(zip(ix.tolist(), iy.tolist()))
    if simple:
        expected = {(i, j) for i, x in enumerate(xm.tolist()) for j, y in enumerate(ym.tolist()) if x ^ y == full}
    else:
        expected = {(i, j) for i, x in enumerate(xm.tolist()) for j, y in enumerate(ym.tolist()) if x | y == full}
    assert got == expected
    assert ix.tolist() == sorted(ix.tolist())


@FAST
@given(bimatrix_games(min_actions=2, max_actions=6))
def test_polar_and_vertex_kernels_match_numpy(game):
    from scipy.spatial import ConvexHull

    from sim.solvers import _mixed_jit
    from sim.solvers.mixed import _hull_equations, _polytope_constraints, _unit_range

    A, B = _unit_range(game.payoffs[..., 0]), _unit_range(game.payoffs[..., 1])
    for G, h in _polytope_constraints(A, B):
        polar, c = _mixed_jit.polar_points(G, h)
        row_sums = np.clip(G, 0.0, None).sum(axis=1)
        assert c == 0.5 * np.min(h[row_sums > 0] / row_sums[row_sums > 0])
        np.testing.assert_allclose(polar, G / (h - G @ np.full(G.shape[1], c))[:, None], rtol=1e-13)
        # The private qhull call returns the public ConvexHull's equations, bit for bit.
        equations = _hull_equations(polar)
        assert np.array_equal(equations, ConvexHull(polar, qhull_options="Qt").equations)
        points = _mixed_jit.facet_vertices(equations, c)
        assert np.array_equal(points, c + equations[:, :-1] / (-equations[:, -1:]))
        # Every vertex read off a facet satisfies the constraints.
        assert np.all(G @ points.T <= h[:, None] + 1e-9)


def test_normalised_pairs_drop_the_origin_pair():
    from sim.solvers import _mixed_jit

    xv = np.array([[0.0, 0.0], [0.25, 0.75], [1.0, 3.0]])
    yv = np.array([[0.0, 0.0, 0.0], [2.0, 0.0, 2.0]])
    xs, ys = _mixed_jit.normalised_pairs(xv, yv, np.array([0, 2]), np.array([0, 1]), 1e-9)
    assert xs.tolist() == [[0.25, 0.75]] and ys.tolist() == [[0.5, 0.0, 0.5]]


@FAST
@given(bimatrix_games(max_actions=5, degenerate=True))
def test_certify_many_measures_what_certify_measures(game):
    from sim.result import Equilibrium

    result = enummixed_solve(game)
    xs = np.array([e.profile[0] for e in result.equilibria])
    ys = np.array([e.profile[1] for e in result.equilibria])
    for batched in result.equilibria:
        single = Equilibrium.certify(game, batched.profile)
        assert batched.support == single.support
        assert batched.max_regret == pytest.approx(single.max_regret, abs=1e-12 * game.payoff_scale)
        np.testing.assert_allclose(batched.payoffs, single.payoffs, atol=1e-12 * game.payoff_scale)
        assert not batched.profile[0].flags.writeable and not batched.payoffs.flags.writeable
    # A perturbed, non-equilibrium profile gets its real, positive regret.
    if len(xs) and game.shape[0] > 1:
        worst = np.zeros_like(xs[:1])
        worst[0, np.argmin(game.payoffs[..., 0] @ ys[0])] = 1.0
        eq = Equilibrium.certify_many(game, (worst, ys[:1]))[0]
        assert eq.max_regret == pytest.approx(game.max_regret(eq.profile), abs=1e-12 * game.payoff_scale)


@FAST
@given(games(max_players=3), st.integers(0, 12), st.data())
def test_certify_many_supports_are_certifys_on_profiles_with_zeros(game, K, data):
    # Supports come from one np.nonzero sliced per profile: strategies with exact zeros, entries
    # at the support threshold and K = 0 must give certify's tuples, in the same order.
    from sim.result import SUPPORT_TOL, Equilibrium

    weight = st.sampled_from([0.0, 0.0, SUPPORT_TOL, 2 * SUPPORT_TOL, 0.25, 1.0])
    strategies = []
    for n in game.shape:
        rows = np.array(data.draw(st.lists(st.lists(weight, min_size=n, max_size=n), min_size=K, max_size=K)),
                        float).reshape(K, n)
        rows[:, 0] += rows.sum(axis=1) == 0  # a probability vector needs some weight
        strategies.append(rows)
    batched = Equilibrium.certify_many(game, strategies)
    assert len(batched) == K
    for k, eq in enumerate(batched):
        single = Equilibrium.certify(game, [s[k] for s in strategies])
        assert eq.support == single.support
        assert all(type(a) is int for sup in eq.support for a in sup)


def test_certify_many_rejects_a_zero_strategy_like_certify():
    from sim.errors import GameError
    from sim.result import Equilibrium

    g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    with pytest.raises(GameError, match="must be a probability vector"):
        Equilibrium.certify_many(g, ([[1, 0], [0, 0]], [[1, 0], [0, 1]]))
    with pytest.raises(GameError, match=r"certify_many\(\): strategies of player '2' must have shape"):
        Equilibrium.certify_many(g, ([[1, 0]], [[1, 0, 0]]))


def test_more_than_63_labels_take_the_numpy_route():
    # 1 x 70: the column player's best responses are the equilibria; 71 labels exceed one uint64.
    col = np.zeros(70)
    col[[3, 41]] = 5.0
    g = NormalFormGame.from_bimatrix(np.arange(70.0)[None, :], col[None, :])
    result = enummixed_solve(g)
    assert sorted(int(np.argmax(e.profile[1])) for e in result.equilibria) == [3, 41]
    assert all(e.is_pure and e.max_regret == 0.0 for e in result.equilibria)


# ----- vertex enumeration by pivoting ------------------------------------------------------------------
def _polytopes(game):
    """Per polytope: equality-form tableau and start basis, coordinate labels, and ``G z <= h``."""
    from sim.solvers import _mixed_jit
    from sim.solvers.mixed import _polytope_constraints, _unit_range

    A, B = _unit_range(game.payoffs[..., 0]), _unit_range(game.payoffs[..., 1])
    m, n = A.shape
    MP, bP, MQ, bQ = _mixed_jit.polytope_tableaux(A, B)
    (GP, hP), (GQ, hQ) = _polytope_constraints(A, B)
    return A, B, [(MP, bP, 0, m, GP, hP), (MQ, bQ, m, m + n, GQ, hQ)]


def _popcount(mask: int) -> int:
    return bin(mask).count("1")


@settings(max_examples=40, deadline=None)
@given(bimatrix_games(min_actions=1, max_actions=7))
def test_pivoting_finds_the_vertices_and_labels_that_qhull_and_the_bases_find(game):
    from sim.solvers import _mixed_jit
    from sim.solvers.mixed import DEFAULT_TOL, PIVOT_MARGIN, _vertices_by_bases, _vertices_by_hull

    _, _, polytopes = _polytopes(game)
    for M, basis, lo, hi, G, h in polytopes:
        status, masks, points = _mixed_jit.pivot_vertices(M, basis, lo, hi, PIVOT_MARGIN * DEFAULT_TOL)
        assert status == _mixed_jit.PIVOT_OK, "generic games have simple polytopes"
        masks = masks.tolist()
        assert len(set(masks)) == len(masks)
        assert all(_popcount(k) == hi - lo for k in masks), "a simple polytope's vertex has dim labels"
        references = [_vertices_by_bases(G, h, DEFAULT_TOL)]
        if hi - lo >= 2:
            references.append(_vertices_by_hull(G, h, DEFAULT_TOL))
        for ref_points, ref_labels, _ in references:
            assert sorted(masks) == sorted(ref_labels.tolist())
            by_label = dict(zip(ref_labels.tolist(), ref_points))
            for k, p in zip(masks, points):
                np.testing.assert_allclose(p, by_label[k], rtol=0, atol=1e-9)


def test_long_pivot_chains_do_not_drift():
    # A 12x12 game: thousands of vertices, so the search runs many REFACTOR_EVERY-pivot stretches
    # and goes deep; every vertex must still sit where qhull puts it and satisfy its constraints.
    from sim.solvers import _mixed_jit
    from sim.solvers.mixed import DEFAULT_TOL, PIVOT_MARGIN, _vertices_by_hull

    game = NormalFormGame.from_payoffs(np.random.default_rng(1).uniform(-10, 10, size=(12, 12, 2)))
    _, _, polytopes = _polytopes(game)
    for M, basis, lo, hi, G, h in polytopes:
        status, masks, points = _mixed_jit.pivot_vertices(M, basis, lo, hi, PIVOT_MARGIN * DEFAULT_TOL)
        assert status == _mixed_jit.PIVOT_OK and len(masks) > 2000
        ref_points, ref_labels, _ = _vertices_by_hull(G, h, DEFAULT_TOL)
        by_label = dict(zip(ref_labels.tolist(), ref_points))
        assert sorted(masks.tolist()) == sorted(by_label)
        drift = max(np.abs(p - by_label[k]).max() for k, p in zip(masks.tolist(), points))
        assert drift < 1e-11, drift
        slack = h[None, :] - points @ G.T
        assert slack.min() > -1e-12


@settings(max_examples=40, deadline=None)
@given(bimatrix_games(min_actions=1, max_actions=7))
def test_pivot_route_gives_the_hull_routes_and_quantecons_equilibria(game):
    import quantecon.game_theory as gt

    result = enummixed_solve(game)
    assert result.details["vertex_method"] == "pivot" and not result.degenerate
    assert_certified(game, result)
    assert eq_set(result) == eq_set(enummixed_solve(game, vertices="hull"))
    if min(game.shape) >= 2:  # QuantEcon's vertex_enumeration needs at least two actions each
        assert eq_set(result) == profile_set(gt.vertex_enumeration(gt.NormalFormGame(np.array(game.payoffs))))


@settings(max_examples=80, deadline=None)
@given(bimatrix_games(max_actions=5, degenerate=True))
def test_pivoting_declines_degenerate_games_whose_result_the_other_routes_agree_on(game):
    from sim.solvers import _mixed_jit
    from sim.solvers.mixed import DEFAULT_TOL, PIVOT_MARGIN, extreme_equilibrium_pairs

    A, B, _ = _polytopes(game)
    status, _, _ = _mixed_jit.pivot_equilibria(A, B, PIVOT_MARGIN * DEFAULT_TOL, DEFAULT_TOL)
    xs0, ys0, degenerate0, route0 = extreme_equilibrium_pairs(game.payoffs[..., 0], game.payoffs[..., 1], pivot=False)
    xs, ys, degenerate, route = extreme_equilibrium_pairs(game.payoffs[..., 0], game.payoffs[..., 1])
    if degenerate0:
        assert status != _mixed_jit.PIVOT_OK
    if status != _mixed_jit.PIVOT_OK:  # declined: exact lexicographic pivoting (or qhull) decides,
        # and agrees with the tolerance routes of before on the set and on degeneracy
        assert route != "pivot" and degenerate == degenerate0
        assert profile_set(zip(xs, ys)) == profile_set(zip(xs0, ys0))
    else:
        assert route == "pivot" and not degenerate and not degenerate0
        assert profile_set(zip(xs, ys)) == profile_set(zip(xs0, ys0))


def test_a_tie_in_the_ratio_test_is_reported_as_such():
    # Column player's payoffs with a tie: against row 0 both columns pay 1, so the vertex of P
    # where x_1 = 0 and x_0 = 1 / 1 makes both columns' constraints tight at once.
    from sim.solvers import _mixed_jit

    A = np.array([[1.0, 2.0], [2.0, 1.0]])
    B = np.array([[1.0, 1.0], [2.0, 1.5]])
    MP, bP, MQ, bQ = _mixed_jit.polytope_tableaux(A, B)
    assert _mixed_jit.pivot_vertices(MP, bP, 0, 2, 1e-7)[0] == _mixed_jit.PIVOT_TIE
    assert _mixed_jit.pivot_vertices(MQ, bQ, 2, 4, 1e-7)[0] == _mixed_jit.PIVOT_OK
    assert _mixed_jit.pivot_equilibria(A, B, 1e-7, 1e-9)[0] == _mixed_jit.PIVOT_TIE
    result = enummixed_solve(NormalFormGame.from_bimatrix(A, B))
    assert result.degenerate and result.details["vertex_method"] != "pivot"


def test_more_than_63_labels_do_not_pivot():
    from sim.solvers import _mixed_jit

    A = np.random.default_rng(3).uniform(1, 2, size=(2, 62))
    assert _mixed_jit.pivot_equilibria(A, A.copy(), 1e-7, 1e-9)[0] == _mixed_jit.PIVOT_TOO_WIDE


# Plain NumPy references for the small kernels of the pivoting route.
def _numpy_pivot(T, row, col):
    T = T.copy()
    T[row] /= T[row, col]
    others = np.arange(T.shape[0]) != row
    T[others] -= np.outer(T[others, col], T[row])
    return T


@FAST
@given(st.data())
def test_pivot_and_refactor_kernels_match_numpy(data):
    from sim.solvers import _mixed_jit

    rows, extra = data.draw(st.integers(1, 6)), data.draw(st.integers(0, 6))
    L = rows + extra
    M = _dyadic(data.draw, (rows, L + 1))
    M[:, extra:L] = np.eye(rows)  # an identity basis, as in the polytope tableaux
    row, col = data.draw(st.integers(0, rows - 1)), data.draw(st.integers(0, L - 1))
    if M[row, col] != 0.0:
        T = M.copy()
        _mixed_jit._pivot(T, row, col)
        np.testing.assert_allclose(T, _numpy_pivot(M, row, col), rtol=1e-12, atol=1e-12)
    basis_in = np.array(data.draw(st.permutations(range(L)))[:rows], dtype=np.int64)
    basis = basis_in.copy()
    Bm = M[:, basis_in]
    T = np.empty_like(M)
    ok = _mixed_jit._refactor(T, M, basis)
    if abs(np.linalg.det(Bm)) < 1e-3:
        return  # (nearly) singular: the kernel may refuse, nothing to compare
    assert ok
    assert sorted(basis.tolist()) == sorted(basis_in.tolist())
    # Row k of B^-1 M expresses basis_in[k]; the kernel's row r expresses basis[r].
    ref = np.linalg.solve(Bm, M)
    where = {int(v): k for k, v in enumerate(basis_in)}
    np.testing.assert_allclose(T, ref[[where[int(v)] for v in basis]], rtol=1e-9, atol=1e-9)


@FAST
@given(st.data())
def test_tight_solution_kernel_matches_numpy_solve(data):
    from sim.solvers import _mixed_jit

    dim, extra = data.draw(st.integers(1, 6)), data.draw(st.integers(0, 6))
    G, h = _dyadic(data.draw, (dim + extra, dim)), _dyadic(data.draw, (dim + extra,))
    rows = sorted(data.draw(st.permutations(range(dim + extra)))[:dim])
    mask = sum(1 << r for r in rows)
    out = np.full(dim, np.nan)
    ok = _mixed_jit._tight_solution(G, h, np.uint64(mask), out)
    if abs(np.linalg.det(G[rows])) < 1e-3:
        return
    assert ok
    np.testing.assert_allclose(out, np.linalg.solve(G[rows], h[rows]), rtol=1e-9, atol=1e-9)
    if extra:  # more tight rows than the dimension: refused, not solved
        assert not _mixed_jit._tight_solution(G, h, np.uint64((1 << (dim + extra)) - 1), out)


@FAST
@given(st.lists(st.integers(1, 2**63 - 1), max_size=600))
def test_hash_set_kernel_matches_a_python_set(keys):
    from sim.solvers import _mixed_jit

    table = np.zeros(16, np.uint64)
    seen = set()
    for k in keys:
        slot = _mixed_jit._hash_slot(table, np.uint64(k))
        assert (table[slot] == np.uint64(k)) == (k in seen)
        table[slot] = np.uint64(k)
        seen.add(k)
        if 2 * len(seen) >= table.size:
            table = _mixed_jit._grown_keys(table)
    assert sorted(int(v) for v in table if v) == sorted(seen)


@FAST
@given(bimatrix_games(min_actions=1, max_actions=6, degenerate=True))
def test_polytope_kernels_match_the_numpy_constraints(game):
    from sim.solvers import _mixed_jit

    A, B, polytopes = _polytopes(game)
    m, n = A.shape
    GP, hP, GQ, hQ = _mixed_jit.polytope_inequalities(A, B)
    (_, _, _, _, GP0, hP0), (_, _, _, _, GQ0, hQ0) = polytopes
    assert np.array_equal(GP, GP0) and np.array_equal(hP, hP0)
    assert np.array_equal(GQ, GQ0) and np.array_equal(hQ, hQ0)
    MP, bP, MQ, bQ = _mixed_jit.polytope_tableaux(A, B)
    assert np.array_equal(MP, np.hstack([B.T, np.eye(n), np.ones((n, 1))])) and bP.tolist() == list(range(m, m + n))
    assert np.array_equal(MQ, np.hstack([np.eye(m), A, np.ones((m, 1))])) and bQ.tolist() == list(range(m))


def test_exhaustive_route_refuses_beyond_max_bases_with_the_count():
    # A degenerate 9x27 game (every payoff of the column player equal): the exhaustive route
    # would need C(36, 9) = 94,143,280 bases for the row player's polytope (9 dimensions, 36 rows).
    import re

    rng = np.random.default_rng(3)
    game = NormalFormGame.from_bimatrix(rng.integers(0, 3, (9, 27)).astype(float), np.zeros((9, 27)))
    with pytest.raises(SolverError, match=re.escape("C(36, 9) = 94,143,280 bases, over max_bases=1,000,000")):
        enummixed_solve(game, vertices="bases")
    with pytest.raises(SolverError, match="max_bases must be a positive integer"):
        enummixed_solve(game, max_bases=0)
    # Small degenerate games stay within the limit and are solved as before.
    small = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 1], [1, 1]])
    assert enummixed_solve(small).degenerate


def test_auto_lex_route_refuses_at_its_work_bound_and_the_stage_falls_back(monkeypatch):
    # The same degenerate 9x27 game on "auto" goes to the exact lexicographic route (lrsnash's
    # scheme): the row polytope is enumerated, then for each of its vertices the face of the
    # column polytope with the complementary labels, which here is large (column's payoffs are
    # constant). The bound is lowered so the refusal comes in a blink; its arithmetic is asserted.
    from sim.solvers import mixed
    from sim.solvers.stage import stage_equilibria

    rng = np.random.default_rng(3)
    game = NormalFormGame.from_bimatrix(rng.integers(0, 3, (9, 27)).astype(float), np.zeros((9, 27)))
    monkeypatch.setattr(mixed, "AUTO_LEX_WORK", 300_000)
    with pytest.raises(SolverError, match="AUTO_LEX_WORK=300,000") as info:
        enummixed_solve(game)
    message = str(info.value)
    assert "vertices='lex', max_bases=" in message and "lcp_solve" in message
    assert info.value.__cause__.bound == "work" and info.value.__cause__.spent <= 300_000
    # The caller that enumerates a subgame's equilibria keeps its pure ones and says why the
    # search is incomplete (column's payoffs are constant: every row best reply is one).
    stage = stage_equilibria(game, max_vertices=10**7)
    assert not stage.complete and "AUTO_LEX_WORK=300,000" in stage.reason
    assert stage.equilibria and all(e.is_pure for e in stage.equilibria)
    # Asked for by name with a bound, the route runs on and refuses at that bound instead.
    with pytest.raises(SolverError, match=re.escape("max_bases=2,000 lexicographic bases")):
        enummixed_solve(game, vertices="lex", max_bases=2_000)


# ----- Lemke-Howson on games where a ratio test without the lexicographic rule cycles ---------------
# The first is issue 15's (from start label 6 a plain minimum-ratio test with ties broken by row
# order pivots forever); the others were found by the same search over 4x4 games with payoffs in
# {0, 1, 2}, each with the label it cycles from. Every label must end at a certified equilibrium
# of the game, one that vertex enumeration also finds.
LH_CYCLING = [
    pytest.param([[2, 0, 0], [2, 1, 1], [2, 0, 1], [2, 2, 0]], [[2, 2, 2], [0, 2, 1], [2, 0, 0], [2, 1, 1]],
                 id="issue-15-label-6"),
    pytest.param([[2, 0, 0], [1, 1, 0], [0, 1, 1], [2, 1, 0]], [[0, 0, 1], [2, 0, 2], [1, 2, 2], [1, 2, 2]],
                 id="label-5"),
    pytest.param([[2, 0, 2, 1], [1, 2, 0, 1], [2, 2, 0, 0], [1, 1, 2, 2]],
                 [[1, 1, 1, 2], [1, 0, 1, 2], [1, 2, 1, 0], [0, 2, 1, 2]], id="label-4"),
    pytest.param([[0, 1, 2, 1], [0, 2, 2, 0], [1, 1, 0, 0]], [[0, 0, 2, 0], [1, 1, 0, 2], [0, 1, 1, 0]],
                 id="label-2"),
    pytest.param([[1, 0, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 2]],
                 [[2, 1, 2, 0], [2, 1, 2, 2], [0, 2, 0, 0], [0, 2, 2, 0]], id="label-7"),
]


@pytest.mark.parametrize("row, col", LH_CYCLING)
def test_lcp_does_not_cycle_on_degenerate_games_from_any_label(row, col):
    game = NormalFormGame.from_bimatrix(row, col)
    everything = eq_set(enummixed_solve(game))
    for label in range(sum(game.shape)):
        result = lcp_solve(game, start=label)
        assert result.equilibria[0].max_regret <= REGRET_TOL * game.payoff_scale, label
        assert eq_set(result) <= everything, label


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([p.values for p in LH_CYCLING]), st.randoms(use_true_random=False), st.booleans())
def test_lcp_ends_at_an_equilibrium_on_permuted_cycling_games(pair, rnd, swap):
    """Degenerate games drawn around the known cycling ones: rows, columns and players permuted
    (which changes the order in which ties are met), every label tried."""
    A, B = (np.asarray(x, dtype=float) for x in pair)
    pr, pc = rnd.sample(range(A.shape[0]), A.shape[0]), rnd.sample(range(A.shape[1]), A.shape[1])
    A, B = A[np.ix_(pr, pc)], B[np.ix_(pr, pc)]
    game = NormalFormGame.from_bimatrix(B.T, A.T) if swap else NormalFormGame.from_bimatrix(A, B)
    for label in range(sum(game.shape)):
        assert game.is_equilibrium(lcp_solve(game, start=label).equilibria[0].profile, 1e-9), label
