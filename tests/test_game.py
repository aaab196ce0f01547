import numpy as np
import pytest
from hypothesis import given

from sim.errors import GameError
from sim.game import GameBatch, NormalFormGame
from sim.result import Equilibrium
from tests.strategies import games, mixed_profiles


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


@given(games())
def test_expected_payoff_of_pure_profile_is_the_table_entry(game):
    idx = tuple(n - 1 for n in game.shape)
    profile = [np.eye(n)[a] for n, a in zip(game.shape, idx)]
    np.testing.assert_allclose(game.expected_payoffs(profile), game.payoffs[idx])


@given(games().flatmap(lambda g: mixed_profiles(g).map(lambda p: (g, p))))
def test_expected_payoffs_equal_the_brute_force_sum(game_and_profile):
    game, profile = game_and_profile
    joint = profile[0]
    for s in profile[1:]:
        joint = np.multiply.outer(joint, s)
    brute = np.tensordot(joint, game.payoffs, axes=game.n_players)
    np.testing.assert_allclose(game.expected_payoffs(profile), brute, atol=1e-9)
    eq = Equilibrium.certify(game, profile)
    assert eq.max_regret >= 0
    assert eq.max_regret == pytest.approx(game.max_regret(profile), abs=1e-12)


def test_batch_indexing_returns_games():
    batch = GameBatch.from_payoffs(np.arange(24, dtype=float).reshape(3, 2, 2, 2))
    assert len(batch) == 3
    assert batch[2] == NormalFormGame.from_payoffs(np.arange(16, 24, dtype=float).reshape(2, 2, 2))
