"""lp (zero-sum and constant-sum games by linear programming): value, strategies, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers.mixed import enummixed_solve
from sim.solvers.zerosum import lp_solve
from tests.strategies import zero_sum_games

FAST = settings(max_examples=60, deadline=None)


def test_matching_pennies_value_zero_and_uniform_strategies():
    result = lp_solve(NormalFormGame.zero_sum([[1, -1], [-1, 1]]))
    assert result.details["value"] == pytest.approx(0.0, abs=1e-12)
    assert np.allclose(result.equilibria[0].profile[0], [0.5, 0.5])
    assert np.allclose(result.equilibria[0].profile[1], [0.5, 0.5])


def test_rock_paper_scissors_with_unequal_stakes():
    # Worked by hand: A = [[0,-1,2],[1,0,-1],[-2,1,0]] ... solve x^T A = v 1 with sum x = 1:
    # x = (1/4, 1/2, 1/4), v = 0 by skew-symmetry.
    A = np.array([[0, -1, 2], [1, 0, -1], [-2, 1, 0]])
    result = lp_solve(NormalFormGame.zero_sum(A))
    assert result.details["value"] == pytest.approx(0.0, abs=1e-9)
    assert np.allclose(result.equilibria[0].profile[0], [0.25, 0.5, 0.25], atol=1e-9)


def test_constant_sum_game_states_the_constant_and_both_values():
    # Gambit's contrib game 2x2const.nfg: A = [[2,0],[0,1]], B = 2 - A; value 2/3 for the row player.
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    result = lp_solve(NormalFormGame.from_bimatrix(A, 2 - A))
    assert result.details["constant"] == pytest.approx(2.0)
    assert result.details["value"] == pytest.approx(2 / 3)
    assert result.details["values"][1] == pytest.approx(4 / 3)


def test_refuses_non_constant_sum_game_naming_the_largest_entry():
    g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.raises(SolverError, match=r"lp_solve\(\): the game must be zero-sum or constant-sum.*"
                                          r"largest \|A \+ B\| is 6 at actions \(0, 0\)"):
        lp_solve(g)


def test_refuses_other_player_counts():
    with pytest.raises(SolverError, match=r"lp_solve\(\): needs a 2-player game; got 3"):
        lp_solve(NormalFormGame.from_payoffs(np.zeros((2, 2, 2, 3))))


@FAST
@given(zero_sum_games() | zero_sum_games(integer=True))
def test_lp_strategies_are_an_equilibrium_with_the_lp_value(game):
    result = lp_solve(game)
    eq = result.equilibria[0]
    assert eq.max_regret <= 1e-7 * game.payoff_scale
    assert eq.payoffs[0] == pytest.approx(result.details["value"], abs=1e-7 * game.payoff_scale)


@FAST
@given(zero_sum_games() | zero_sum_games(integer=True))
def test_every_enummixed_equilibrium_gives_the_lp_value(game):
    value = lp_solve(game).details["value"]
    for eq in enummixed_solve(game).equilibria:
        assert eq.payoffs[0] == pytest.approx(value, abs=1e-7 * game.payoff_scale)
        assert eq.payoffs[1] == pytest.approx(-value, abs=1e-7 * game.payoff_scale)


@settings(max_examples=30, deadline=None)
@given(zero_sum_games(min_actions=2))
def test_value_agrees_with_nashpy_linear_program(game):
    import nashpy

    A = np.array(game.payoffs[..., 0])
    x, y = nashpy.Game(A).linear_program()
    assert float(x @ A @ y) == pytest.approx(lp_solve(game).details["value"], abs=1e-6 * game.payoff_scale)
