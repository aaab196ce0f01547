import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import GameError
from sim.game import GameBatch, NormalFormGame
from sim.result import Equilibrium
from tests.strategies import degenerate_games, games, mixed_profiles


def test_payoffs_are_read_only():
    g = NormalFormGame.from_bimatrix([[1, 2], [3, 4]], [[0, 0], [0, 0]])
    with pytest.raises(ValueError):
        g.payoffs[0, 0, 0] = 5


@pytest.mark.parametrize(
    "payoffs, match",
    [
        (np.zeros((2, 2, 3)), "last axis must count the players"),
        (np.full((2, 2, 2), np.nan), "payoffs must be finite"),
        (np.zeros((0, 2, 2)), "at least one action"),
        (np.zeros(3), "shape"),
    ],
)
def test_bad_payoff_arrays_are_refused(payoffs, match):
    with pytest.raises(GameError, match=match):
        NormalFormGame.from_payoffs(payoffs)


def test_duplicate_and_missing_names_are_refused():
    with pytest.raises(GameError, match="unique"):
        NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), players=("A", "A"))
    with pytest.raises(GameError, match="2 actions"):
        NormalFormGame.from_payoffs(np.zeros((2, 2, 2)), actions=(("x",), ("y", "z")))


def test_matching_pennies_expected_payoffs_and_regret():
    g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    half = ([0.5, 0.5], [0.5, 0.5])
    assert g.expected_payoffs(half).tolist() == [0.0, 0.0]
    assert g.max_regret(half) == 0.0
    assert g.max_regret(([1, 0], [1, 0])) == pytest.approx(2.0)
    assert g.best_responses(([1, 0], [0.5, 0.5])) == ((0, 1), (1,))


def pure(game, profile):
    return [np.eye(n)[a] for n, a in zip(game.shape, profile)]


def brute_force_expected_payoffs(game, profile):
    """Sum of payoff times probability over every pure profile, by loops."""
    total = np.zeros(game.n_players)
    for a in itertools.product(*(range(n) for n in game.shape)):
        total += np.prod([s[k] for s, k in zip(profile, a)]) * game.payoffs[a]
    return total


def brute_force_regrets(game, profile):
    """Each player's best gain from a pure deviation, every deviation's payoff by brute force."""
    here = brute_force_expected_payoffs(game, profile)
    out = []
    for i, n in enumerate(game.shape):
        deviations = [brute_force_expected_payoffs(game, profile[:i] + (np.eye(n)[b],) + profile[i + 1:])[i]
                      for b in range(n)]
        out.append(max(deviations) - here[i])
    return np.array(out)


@given(games())
def test_expected_payoff_of_every_pure_profile_is_the_table_entry(game):
    for a in itertools.product(*(range(n) for n in game.shape)):
        np.testing.assert_array_equal(game.expected_payoffs(pure(game, a)), game.payoffs[a])


@given(games().flatmap(lambda g: mixed_profiles(g).map(lambda p: (g, p))))
def test_expected_payoffs_equal_the_brute_force_sum(game_and_profile):
    game, profile = game_and_profile
    np.testing.assert_allclose(game.expected_payoffs(profile), brute_force_expected_payoffs(game, profile),
                               atol=1e-9)


@given(st.one_of(games(), degenerate_games()).flatmap(lambda g: mixed_profiles(g).map(lambda p: (g, p))))
def test_regret_is_the_best_pure_deviation_gain(game_and_profile):
    game, profile = game_and_profile
    expected = brute_force_regrets(game, profile)
    np.testing.assert_allclose(game.regrets(profile), expected, atol=1e-9)
    assert game.max_regret(profile) == pytest.approx(expected.max(), abs=1e-9)
    eq = Equilibrium.certify(game, profile)
    assert eq.max_regret == pytest.approx(expected.max(), abs=1e-9)


@given(st.one_of(games(), degenerate_games()))
def test_regret_is_zero_exactly_at_the_brute_force_pure_equilibria(game):
    for a in itertools.product(*(range(n) for n in game.shape)):
        gains = [max(game.payoffs[a[:i] + (b,) + a[i + 1:]][i] for b in range(n)) - game.payoffs[a][i]
                 for i, n in enumerate(game.shape)]
        regret = game.max_regret(pure(game, a))
        assert regret == pytest.approx(max(gains), abs=1e-12)
        assert (regret == 0) == (max(gains) == 0)
        assert game.is_equilibrium(pure(game, a)) == (max(gains) <= 1e-7 * game.payoff_scale)


def test_batch_indexing_returns_games():
    batch = GameBatch.from_payoffs(np.arange(24, dtype=float).reshape(3, 2, 2, 2))
    assert len(batch) == 3
    assert batch[2] == NormalFormGame.from_payoffs(np.arange(16, 24, dtype=float).reshape(2, 2, 2))
