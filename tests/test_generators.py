"""Properties of the game generators of ``sim.generators``: each class has its defining
inequalities and the equilibria they imply, and a seed fixes the game."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import generators as gen
from sim.errors import GameError
from sim.solvers.pure import enumpure_solve

seeds = st.integers(0, 2**32 - 1)
shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)


def pure_equilibria(game):
    return {e.pure_profile for e in enumpure_solve(game).equilibria}


def brute_force_pure_equilibria(game):
    """Pure profiles from which no player gains by a unilateral deviation (Nash 1951), by loops."""
    out = set()
    for a in itertools.product(*(range(n) for n in game.shape)):
        if all(game.payoffs[a][i] >= max(game.payoffs[a[:i] + (b,) + a[i + 1:]][i] for b in range(game.shape[i]))
               for i in range(game.n_players)):
            out.add(a)
    return out


# ----- reproducibility ---------------------------------------------------------------------------
GENERATORS = {
    "random": lambda rng: gen.random_game((2, 3, 2), rng),
    "random_integer": lambda rng: gen.random_game((3, 3), rng, integer=True),
    "degenerate": lambda rng: gen.degenerate_game((2, 2, 2), rng),
    "zero_sum": lambda rng: gen.zero_sum_game((3, 4), rng),
    "covariant": lambda rng: gen.covariant_game((3, 3), rng, rho=0.5),
    "coordination": lambda rng: gen.coordination_game(3, rng),
    "dispersion": lambda rng: gen.dispersion_game(3, 3, rng),
    "minimum_effort": lambda rng: gen.minimum_effort_game(2, 4, rng),
    "prisoners_dilemma": gen.prisoners_dilemma,
    "chicken": gen.chicken_game,
    "battle_of_the_sexes": gen.battle_of_the_sexes,
    "matching_pennies": gen.matching_pennies,
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_same_seed_gives_the_same_game_and_another_seed_another(name, seed):
    make = GENERATORS[name]
    game = make(np.random.default_rng(seed))
    assert game == make(np.random.default_rng(seed))
    assert game != make(np.random.default_rng(seed + 1))


def test_random_game_keeps_the_draw_the_suite_always_used():
    """``random_game`` draws exactly ``rng.uniform(-10, 10, size=(*shape, N))``: games named by a
    seed in tests and benchmarks (and the numbers quoted from them) stay the same games."""
    expected = np.random.default_rng(11).uniform(-10, 10, size=(2, 2, 4, 2, 4))
    np.testing.assert_array_equal(gen.random_game((2, 2, 4, 2), np.random.default_rng(11)).payoffs, expected)
    batch = gen.random_game_batch((3, 3), 5, np.random.default_rng(3), integer=True, low=-2, high=2)
    np.testing.assert_array_equal(batch.payoffs, np.random.default_rng(3).integers(-2, 3, size=(5, 3, 3, 2)))


@settings(max_examples=30, deadline=None)
@given(shape=shapes, seed=seeds, integer=st.booleans())
def test_random_payoffs_stay_in_range(shape, seed, integer):
    game = gen.random_game(shape, np.random.default_rng(seed), low=-3, high=5, integer=integer)
    assert game.shape == shape
    assert game.payoffs.min() >= -3 and (game.payoffs.max() <= 5 if integer else game.payoffs.max() < 5)
    if integer:
        assert np.array_equal(game.payoffs, np.round(game.payoffs))


def test_degenerate_games_have_ties_and_only_the_asked_values():
    rng = np.random.default_rng(0)
    games = [gen.degenerate_game((3, 3), rng) for _ in range(200)]
    assert all(set(np.unique(g.payoffs)) <= {-2.0, -1.0, 0.0, 1.0, 2.0} for g in games)
    # a column where two of the row player's actions tie: probability 1 - (5*4*3/125)**3 = 0.89
    ties = np.mean([any(len(np.unique(g.payoffs[:, c, 0])) < 3 for c in range(3)) for g in games])
    assert 0.8 < ties < 0.97
    assert sorted(np.unique(gen.degenerate_game((4, 4), rng, values=2).payoffs)) == [-1.0, 0.0]


# ----- zero-sum and covariant ---------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=4).map(tuple), seed=seeds, integer=st.booleans())
def test_zero_sum_payoffs_sum_to_zero(shape, seed, integer):
    game = gen.zero_sum_game(shape, np.random.default_rng(seed), integer=integer)
    assert game.shape == shape
    np.testing.assert_allclose(game.payoffs.sum(axis=-1), 0.0, atol=1e-12)
    assert np.ptp(game.payoffs) > 0


@pytest.mark.parametrize("n_players, rho", [(2, 0.9), (2, 0.0), (2, -0.7), (3, 0.5), (3, -0.4), (4, 1.0)])
def test_covariant_correlation_is_near_rho_on_large_samples(n_players, rho):
    shape = (60, 60) if n_players == 2 else (16,) * n_players if n_players == 3 else (8,) * n_players
    game = gen.covariant_game(shape, np.random.default_rng(n_players), rho=rho)
    flat = game.payoffs.reshape(-1, n_players)
    corr = np.corrcoef(flat.T)
    off = corr[~np.eye(n_players, dtype=bool)]
    # 3,600 or more profiles: the sampling error of a correlation is about (1 - rho**2) / 60
    np.testing.assert_allclose(off, rho, atol=0.06)
    np.testing.assert_allclose(flat.std(axis=0), 1.0, atol=0.06)


def test_covariant_extremes_are_common_interest_and_zero_sum():
    rng = np.random.default_rng(5)
    same = gen.covariant_game((3, 3, 3), rng, rho=1.0).payoffs
    np.testing.assert_allclose(same, same[..., :1].repeat(3, axis=-1), atol=1e-12)
    opposed = gen.covariant_game((3, 3, 3), rng, rho=-0.5).payoffs
    np.testing.assert_allclose(opposed.sum(axis=-1), 0.0, atol=1e-12)


@pytest.mark.parametrize("rho", [1.5, -0.6, "x"])
def test_covariant_refuses_impossible_correlations(rho):
    with pytest.raises(GameError, match=r"covariant_game\(\): rho must be in \[-1/\(N-1\), 1\]"):
        gen.covariant_game((2, 2, 2), np.random.default_rng(0), rho=rho)


# ----- named classes: defining inequalities and equilibria ---------------------------------------
@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_prisoners_dilemma_has_its_defining_inequalities(seed):
    game = gen.prisoners_dilemma(np.random.default_rng(seed))
    row, col = game.payoff_array(0), game.payoff_array(1)
    np.testing.assert_array_equal(col, row.T)                       # symmetric
    (r, s), (t, p) = row
    assert t > r > p > s and 2 * r > t + s
    assert pure_equilibria(game) == {(1, 1)} == brute_force_pure_equilibria(game)
    assert (game.pure_payoffs((0, 0)) > game.pure_payoffs((1, 1))).all()   # the dilemma


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_chicken_has_its_defining_inequalities(seed):
    game = gen.chicken_game(np.random.default_rng(seed))
    row, col = game.payoff_array(0), game.payoff_array(1)
    np.testing.assert_array_equal(col, row.T)
    (r, s), (t, p) = row
    assert t > r > s > p
    assert pure_equilibria(game) == {(0, 1), (1, 0)}


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_battle_of_the_sexes_players_want_to_meet_at_different_places(seed):
    game = gen.battle_of_the_sexes(np.random.default_rng(seed))
    row, col = game.payoff_array(0), game.payoff_array(1)
    assert row[0, 0] > row[1, 1] > max(row[0, 1], row[1, 0])
    assert col[1, 1] > col[0, 0] > max(col[0, 1], col[1, 0])
    assert pure_equilibria(game) == {(0, 0), (1, 1)}


@settings(max_examples=40, deadline=None)
@given(seed=seeds)
def test_matching_pennies_is_zero_sum_with_no_pure_equilibrium(seed):
    from sim.solvers.zerosum import lp_solve

    game = gen.matching_pennies(np.random.default_rng(seed))
    row = game.payoff_array(0)
    np.testing.assert_array_equal(game.payoff_array(1), -row)
    assert row[0, 0] > 0 and row[1, 1] > 0 and row[0, 1] < 0 and row[1, 0] < 0
    assert pure_equilibria(game) == set()
    (eq,) = lp_solve(game).equilibria
    assert all(len(s) == 2 for s in eq.support)                     # completely mixed


@settings(max_examples=25, deadline=None)
@given(n_actions=st.integers(1, 5), n_players=st.integers(2, 3), seed=seeds)
def test_coordination_games_have_the_diagonal_pure_equilibria(n_actions, n_players, seed):
    game = gen.coordination_game(n_actions, np.random.default_rng(seed), n_players=n_players)
    diagonal = {(a,) * n_players for a in range(n_actions)}
    off = np.array([game.payoffs[p] for p in itertools.product(range(n_actions), repeat=n_players)
                    if p not in diagonal]).reshape(-1, n_players)
    on = np.array([game.payoffs[p] for p in sorted(diagonal)])
    assert off.size == 0 or on.min() > off.max()
    found = pure_equilibria(game)
    assert diagonal <= found
    if n_players == 2:
        assert found == diagonal


@settings(max_examples=25, deadline=None)
@given(n_players=st.integers(1, 4), extra=st.integers(0, 1), seed=seeds)
def test_dispersion_equilibria_are_the_dispersed_profiles(n_players, extra, seed):
    n_actions = n_players + extra
    game = gen.dispersion_game(n_players, n_actions, np.random.default_rng(seed))
    dispersed = {p for p in itertools.product(range(n_actions), repeat=n_players) if len(set(p)) == n_players}
    assert pure_equilibria(game) == dispersed == brute_force_pure_equilibria(game)


@settings(max_examples=25, deadline=None)
@given(n_players=st.integers(2, 4), n_levels=st.integers(1, 4), seed=seeds)
def test_minimum_effort_equilibria_are_the_equal_effort_profiles(n_players, n_levels, seed):
    game = gen.minimum_effort_game(n_players, n_levels, np.random.default_rng(seed))
    assert pure_equilibria(game) == {(k,) * n_players for k in range(n_levels)}


@pytest.mark.parametrize("n_claims", [1, 2, 5, 20])
def test_travelers_dilemma_unravels_to_the_lowest_claim(n_claims):
    game = gen.travelers_dilemma(n_claims)
    assert pure_equilibria(game) == {(0, 0)} == brute_force_pure_equilibria(game)
    # the payoff rule of Basu (1994): claims 2 and 5 with bonus 2 pay (4, 0)
    if n_claims >= 4:
        assert game.pure_payoffs((0, 3)).tolist() == [4.0, 0.0]
    # without a bonus every equal claim is an equilibrium
    assert pure_equilibria(gen.travelers_dilemma(n_claims, bonus=0.0)) == {(k, k) for k in range(n_claims)}


# ----- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: gen.random_game((2, 2), 0), r"random_game\(\): rng must be a numpy.random.Generator .*; got int"),
    (lambda: gen.random_game((2, 0), np.random.default_rng(0)), r"every action count >= 1; got \(2, 0\)"),
    (lambda: gen.random_game((), np.random.default_rng(0)), "at least one player"),
    (lambda: gen.random_game((2,), np.random.default_rng(0), low=1, high=1), "finite low < high"),
    (lambda: gen.random_game_batch((2,), 0, np.random.default_rng(0)), "n_games must be an integer >= 1; got 0"),
    (lambda: gen.zero_sum_game((3,), np.random.default_rng(0)), "needs at least 2 players"),
    (lambda: gen.degenerate_game((2,), np.random.default_rng(0), values=1), "values must be an integer >= 2"),
    (lambda: gen.travelers_dilemma(3, bonus=-1), "bonus must be a finite number >= 0"),
])
def test_bad_arguments_are_refused_with_the_rule_and_value(call, match):
    with pytest.raises(GameError, match=match):
        call()
