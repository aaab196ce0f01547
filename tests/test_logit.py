"""Tests of the logit QRE solver: fixed-point residuals, branch limits, Gambit agreement."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import METHODS, solve
from sim.solvers.logit import logit_solve
from tests.oracles import OracleFailed, gambit_equilibria
from tests.strategies import games


def _softmax(values: np.ndarray) -> np.ndarray:
    e = np.exp(values - values.max())
    return e / e.sum()


def _qre_residual(game: NormalFormGame, lam: float, profile) -> float:
    """Largest gap between the profile and the logit response to it, measured independently."""
    dev = game.deviation_payoffs(profile)
    return max(float(np.abs(p - _softmax(lam * u)).max()) for p, u in zip(profile, dev))


@settings(max_examples=25, deadline=None)
@given(games(max_players=3))
def test_qre_at_lambda_zero_is_uniform(game):
    eq = logit_solve(game, lam=0.0).equilibria[0]
    for n, s in zip(game.shape, eq.profile):
        np.testing.assert_allclose(s, np.full(n, 1.0 / n))
    assert eq.details["lambda"] == 0.0


@settings(max_examples=25, deadline=None)
@given(games(max_players=4))
def test_every_traced_point_solves_the_qre_fixed_point(game):
    result = logit_solve(game)
    lambdas, profiles = result.details["lambdas"], result.details["profiles"]
    assert lambdas[0] == 0.0
    assert len(lambdas) == len(profiles[0]) >= 1
    for k, lam in enumerate(lambdas):
        profile = tuple(p[k] for p in profiles)
        assert _qre_residual(game, lam, profile) <= 1e-7, (k, lam)


@settings(max_examples=30, deadline=None)
@given(games(max_players=4))
def test_branch_limit_has_small_regret_on_generic_games(game):
    result = logit_solve(game)
    eq = result.equilibria[0]
    assert result.converged
    assert eq.max_regret <= 1e-8 * game.payoff_scale
    # The certified regret is recomputed on the game, not copied from the tracer.
    assert eq.max_regret == pytest.approx(game.max_regret(eq.profile), abs=1e-12)


@settings(max_examples=20, deadline=None)
@given(games(max_players=3, min_actions=2))
def test_qre_at_given_lambda_solves_the_fixed_point_and_lies_on_the_branch(game):
    lam = 0.7
    result = logit_solve(game, lam=lam)
    eq = result.equilibria[0]
    assert result.converged
    assert dict(eq.details) == {"lambda": lam}
    assert _qre_residual(game, lam, eq.profile) <= 1e-8
    lambdas = result.details["lambdas"]
    assert lambdas[-1] == pytest.approx(lam)
    assert np.all(lambdas[:-1] < lam)


def test_matching_pennies_qre_is_uniform_at_every_lambda():
    # McKelvey and Palfrey (1995), section 4: in symmetric matching pennies the logit QRE is the
    # uniform profile for every lambda, and so is the limit.
    g = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    for lam in (0.5, 3.0, 40.0):
        eq = logit_solve(g, lam=lam).equilibria[0]
        for s in eq.profile:
            np.testing.assert_allclose(s, [0.5, 0.5], atol=1e-9)
    limit = logit_solve(g).equilibria[0]
    np.testing.assert_allclose(np.concatenate(limit.profile), 0.5, atol=1e-9)


def test_asymmetric_matching_pennies_limit_is_the_mixed_equilibrium():
    # Asymmetric matching pennies of McKelvey and Palfrey (1995), Table 1 with a row payoff of 9
    # at (U, L): the unique Nash equilibrium has the row player mixing 1/2 - 1/2 and the column
    # player playing L with probability 1/10 (solving the row player's indifference).
    g = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    result = logit_solve(g)
    assert result.converged
    np.testing.assert_allclose(result.equilibria[0].profile[0], [0.5, 0.5], atol=1e-8)
    np.testing.assert_allclose(result.equilibria[0].profile[1], [0.1, 0.9], atol=1e-8)
    # Along the branch the row player over-plays U (the own-payoff effect the paper reports).
    p_up = result.details["profiles"][0][1:, 0]
    assert np.all(p_up > 0.5)


def test_prisoners_dilemma_limit_is_mutual_defection():
    g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    eq = logit_solve(g).equilibria[0]
    assert eq.pure_profile == (1, 1)
    assert eq.max_regret <= 1e-8 * g.payoff_scale


def test_registry_and_solve_dispatch():
    assert METHODS["logit"].load() is logit_solve
    g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    result = solve(g, "logit", lam=1.0)
    assert result.method == "logit" and result.params["lam"] == 1.0


@pytest.mark.parametrize("kwargs, pattern", [
    ({"lam": -1.0}, r"logit_solve\(\): lam must be a finite number >= 0; got -1.0"),
    ({"lam": float("nan")}, r"lam must be a finite number >= 0; got nan"),
    ({"tol": 0.0}, r"tol must be a finite number > 0; got 0.0"),
    ({"max_accel": 0.5}, r"max_accel must be a finite number >= 1; got 0.5"),
    ({"first_step": -0.1}, r"first_step must be a finite number > 0; got -0.1"),
    ({"max_lambda": 0}, r"max_lambda must be a number > 0; got 0"),
])
def test_bad_parameters_name_the_rule_and_value(kwargs, pattern):
    g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(SolverError, match=pattern):
        logit_solve(g, **kwargs)


def test_max_lambda_stops_the_trace_unconverged():
    g = NormalFormGame.from_bimatrix([[9, 0], [0, 1]], [[0, 1], [1, 0]])
    result = logit_solve(g, max_lambda=2.0, tol=1e-14)
    assert not result.converged
    assert result.details["lambdas"][-1] >= 2.0


@pytest.mark.slow
@pytest.mark.parametrize("n_players, seed", [(3, 4), (3, 7), (4, 5)])
def test_limit_agrees_with_gambit_logit(n_players, seed):
    # Differential test: Gambit's logit_solve traces the same principal branch (its own
    # implementation of Turocy 2005); on generic games both must reach the same equilibrium.
    rng = np.random.default_rng(seed)
    payoffs = rng.uniform(-10, 10, size=(*(3,) * n_players, n_players))
    game = NormalFormGame.from_payoffs(payoffs)
    try:
        (theirs,) = gambit_equilibria(payoffs, "logit", maxregret=1e-8)
    except OracleFailed as exc:
        pytest.skip(f"pygambit logit failed: {exc}")
    ours = logit_solve(game).equilibria[0].profile
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5)
