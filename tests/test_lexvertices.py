"""Exact lexicographic vertex enumeration (``sim.solvers.lexvertices``) and the "lex" route of
``enummixed_solve`` on degenerate games: against the exhaustive route, certified by regret, and
the maximal Nash subsets built from its extreme equilibria."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers.lexvertices import integer_payoffs, lex_vertices
from sim.solvers.mixed import enummixed_solve, maximal_nash_subsets
from tests.strategies import bimatrix_games


def profile_set(result, digits=7):
    return {tuple(np.round(np.concatenate(e.profile), digits) + 0.0) for e in result.equilibria}


@st.composite
def degenerate_bimatrix_games(draw):
    """Degenerate two-player games: payoffs in -2..2, then a repeated row, a repeated column,
    a zero column or a constant payoff matrix for one player (each drawn or not)."""
    game = draw(bimatrix_games(min_actions=1, max_actions=4, degenerate=True))
    p = np.array(game.payoffs)
    m, n = p.shape[:2]
    if m > 1 and draw(st.booleans()):
        p[draw(st.integers(1, m - 1))] = p[0]
    if n > 1 and draw(st.booleans()):
        p[:, draw(st.integers(1, n - 1))] = p[:, 0]
    if draw(st.booleans()):
        p[:, draw(st.integers(0, n - 1)), draw(st.integers(0, 1))] = 0.0
    if draw(st.booleans()):
        p[..., draw(st.integers(0, 1))] = draw(st.integers(-2, 2))
    return NormalFormGame.from_payoffs(p)


def brute_force_vertices(M, d):
    """Vertices of ``{z >= 0 : M z <= d}`` in exact fractions from every square subsystem."""
    k, dim = M.shape
    G = [[Fraction(int(v)) for v in row] for row in M] + [[Fraction(-int(i == j)) for j in range(dim)]
                                                            for i in range(dim)]
    h = [Fraction(int(v)) for v in d] + [Fraction(0)] * dim
    found = set()
    for rows in itertools.combinations(range(k + dim), dim):
        sub = [G[r][:] + [h[r]] for r in rows]
        ok = True
        for c in range(dim):  # Gauss-Jordan in fractions
            piv = next((r for r in range(c, dim) if sub[r][c] != 0), None)
            if piv is None:
                ok = False
                break
            sub[c], sub[piv] = sub[piv], sub[c]
            for r in range(dim):
                if r != c and sub[r][c] != 0:
                    f = sub[r][c] / sub[c][c]
                    sub[r] = [a - f * b for a, b in zip(sub[r], sub[c])]
        if not ok:
            continue
        z = tuple(sub[c][dim] / sub[c][c] for c in range(dim))
        if all(sum(g * v for g, v in zip(G[r], z)) <= h[r] for r in range(k + dim)):
            found.add(z)
    return found


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.data())
def test_lex_vertices_are_exactly_the_vertices_of_a_degenerate_polytope(k, dim, data):
    M = np.array(data.draw(st.lists(st.lists(st.integers(0, 3), min_size=dim, max_size=dim),
                                    min_size=k, max_size=k)), dtype=object)
    M[:, np.all(M == 0, axis=0)] = 1  # a zero column would make the polytope unbounded
    d = np.array(data.draw(st.lists(st.integers(1, 3), min_size=k, max_size=k)), dtype=object)
    masks, points, _ = lex_vertices(M, d, slack_first=False)
    ours = {tuple(Fraction(v, q) for v in num) for num, q in points}
    assert len(ours) == len(points) == len(set(masks))
    assert ours == brute_force_vertices(M, d)


@settings(max_examples=80, deadline=None)
@given(degenerate_bimatrix_games())
def test_lex_route_equals_the_exhaustive_route_on_degenerate_games(game):
    lex = enummixed_solve(game, vertices="lex")
    bases = enummixed_solve(game, vertices="bases")
    assert profile_set(lex) == profile_set(bases)
    assert lex.details["vertex_method"] == "lex"


@settings(max_examples=80, deadline=None)
@given(degenerate_bimatrix_games())
def test_every_lex_equilibrium_is_certified_and_distinct(game):
    result = enummixed_solve(game, vertices="lex")
    assert result.equilibria, "every finite game has an equilibrium"
    for eq in result.equilibria:
        assert eq.max_regret <= 1e-9 * game.payoff_scale
    assert len(profile_set(result)) == len(result.equilibria)


@settings(max_examples=80, deadline=None)
@given(degenerate_bimatrix_games())
def test_maximal_subsets_are_maximal_bicliques_covering_every_extreme_equilibrium(game):
    result = enummixed_solve(game)
    subsets = result.details["maximal_subsets"]
    xs = [tuple(np.round(e.profile[0], 7)) for e in result.equilibria]
    ys = [tuple(np.round(e.profile[1], 7)) for e in result.equilibria]
    pairs = set(zip(xs, ys))
    assert set().union(*map(set, subsets)) == set(range(len(result.equilibria)))
    cliques = []
    for subset in subsets:
        X, Y = {xs[t] for t in subset}, {ys[t] for t in subset}
        assert {(x, y) for x in X for y in Y} == {(xs[t], ys[t]) for t in subset} <= pairs
        # Maximal: no extreme strategy outside can join either side.
        assert not any(all((x, y) in pairs for y in Y) for x in set(xs) - X)
        assert not any(all((x, y) in pairs for x in X) for y in set(ys) - Y)
        cliques.append((frozenset(X), frozenset(Y)))
    assert len(set(cliques)) == len(cliques)


def maximal_subsets_one_set_at_a_time(xs, ys, digits=9):
    """Reference: vertices by ``np.unique``, and per closed set of column strategies a loop over
    row strategies and edges (``maximal_nash_subsets`` does the last step for all sets at once)."""
    _, xi = np.unique(np.round(np.asarray(xs, float), digits) + 0.0, axis=0, return_inverse=True)
    _, yi = np.unique(np.round(np.asarray(ys, float), digits) + 0.0, axis=0, return_inverse=True)
    neighbours, edge = {}, {}
    for t, (a, b) in enumerate(zip(xi.ravel().tolist(), yi.ravel().tolist())):
        neighbours[a] = neighbours.get(a, 0) | (1 << b)
        edge.setdefault((a, b), t)
    closed = set()
    for nb in neighbours.values():
        closed |= {c & nb for c in closed if c & nb} | {nb}
    out = []
    for ymask in closed:
        xset = [a for a, nb in neighbours.items() if nb & ymask == ymask]
        ys_in = [b for b in range(ymask.bit_length()) if ymask >> b & 1]
        out.append(tuple(sorted(edge[a, b] for a in xset for b in ys_in)))
    return tuple(sorted(out))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12), st.data())
def test_maximal_subsets_equal_the_one_set_at_a_time_reference(nx, ny, data):
    # Random bipartite graphs on a few strategies (repeated edges, negative zeros, rows equal
    # only after rounding) rather than games: the array step must list the same subsets.
    grid = st.integers(-2, 2)
    X = np.array(data.draw(st.lists(st.lists(grid, min_size=2, max_size=2), min_size=nx, max_size=nx)), float) / 3
    Y = np.array(data.draw(st.lists(st.lists(grid, min_size=3, max_size=3), min_size=ny, max_size=ny)), float) / 7
    pairs = data.draw(st.lists(st.tuples(st.integers(0, nx - 1), st.integers(0, ny - 1)), min_size=1, max_size=40))
    xs = np.array([X[a] for a, _ in pairs]) * data.draw(st.sampled_from([1.0, -1.0]))
    ys = np.array([Y[b] for _, b in pairs]) + data.draw(st.sampled_from([0.0, 1e-12]))
    assert maximal_nash_subsets(xs, ys) == maximal_subsets_one_set_at_a_time(xs, ys)


@given(st.lists(st.integers(-50, 50), min_size=2, max_size=12), st.sampled_from([1, 2, 3, 7, 10]))
def test_integer_payoffs_are_a_positive_affine_image(values, denominator):
    floats = np.array([v / denominator for v in values])
    ints = integer_payoffs(floats)
    assert min(ints) == 1
    assert ints.dtype == object and all(type(a) is int for a in ints)  # exact, for the pivots
    # Differences keep their sign and their ratios: one positive factor maps floats to ints.
    i0 = int(np.argmax(floats))
    j0 = int(np.argmin(floats))
    if floats[i0] == floats[j0]:
        assert set(ints) == {1}
        return
    factor = Fraction(ints[i0] - ints[j0]) / (Fraction(values[i0] - values[j0], denominator))
    assert factor > 0
    for a, v in zip(ints, values):
        assert a - ints[j0] == factor * (Fraction(v - values[j0], denominator))


def test_a_chance_probability_of_one_third_is_read_exactly():
    ints = integer_payoffs(np.array([[1 / 3, 2 / 3], [0.0, 1.0]]))
    assert ints.tolist() == [[2, 3], [1, 4]]


def test_integer_payoffs_read_each_entry_in_place():
    # Distinct values are read once and mapped back: shape, positions, repeats and a negative
    # zero (equal to zero) must come out as the entry-wise reading gives them.
    ints = integer_payoffs(np.array([[1.0, -0.0, 0.5], [0.0, 1.0, -1.0]]))
    assert ints.shape == (2, 3)
    assert ints.tolist() == [[5, 3, 4], [3, 5, 1]]


def test_a_decimal_beyond_the_denominator_bound_is_read_as_written():
    # A payoff of Gambit's holdout.efg: seven decimals, not a fraction with a small denominator.
    ints = integer_payoffs(np.array([0.0, 0.1594323, 1.0]))
    assert ints.tolist() == [1, 1594324, 10_000_001]


def test_lex_route_refuses_beyond_max_bases_with_the_bound_named():
    game = NormalFormGame.from_bimatrix(np.ones((4, 4)), np.ones((4, 4)))
    with pytest.raises(SolverError, match="max_bases=3"):
        enummixed_solve(game, vertices="lex", max_bases=3)


def test_constant_game_every_pure_profile_is_extreme_and_one_subset():
    # Every profile of a constant game is an equilibrium; the set is the whole square, whose
    # extreme points are the 3 x 2 pure profiles, one maximal Nash subset.
    game = NormalFormGame.from_bimatrix(np.zeros((3, 2)), np.zeros((3, 2)))
    result = enummixed_solve(game)
    assert len(result.equilibria) == 6 and result.degenerate
    assert result.details["maximal_subsets"] == (tuple(range(6)),)


def test_maximal_subsets_of_a_game_with_two_components():
    # Battle of the sexes has three isolated equilibria: three one-point subsets.
    bos = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    result = enummixed_solve(bos)
    assert sorted(map(len, result.details["maximal_subsets"])) == [1, 1, 1]
    assert maximal_nash_subsets(np.zeros((0, 2)), np.zeros((0, 2))) == ()
