"""Tests of correlated equilibria: obedience, Nash containment, LP optima and polytope vertices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim.errors import GameError, SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium
from sim.registry import METHODS
from sim.solvers import solve
from sim.solvers.correlated import correlated_solve, correlated_vertices, obedience_matrix
from sim.solvers.pure import enumpure_solve
from tests.strategies import degenerate_games, games

TOL = 1e-7


def _product(profile) -> np.ndarray:
    out = np.array(1.0)
    for s in profile:
        out = np.multiply.outer(out, s)
    return out


def _obedience_violation(game, distribution) -> float:
    """Largest obedience-constraint value, computed directly from the definition."""
    worst = 0.0
    n = game.n_players
    for i in range(n):
        for a in range(game.shape[i]):
            for b in range(game.shape[i]):
                gain = 0.0
                for idx in np.ndindex(*game.shape):
                    if idx[i] != a:
                        continue
                    dev = list(idx)
                    dev[i] = b
                    gain += distribution[idx] * (game.payoffs[tuple(dev)][i] - game.payoffs[idx][i])
                worst = max(worst, gain)
    return worst


def _nfg(values, shape) -> NormalFormGame:
    """Game from a Gambit payoff list (first player's action varies fastest)."""
    values = np.asarray(values, dtype=float).reshape(-1, len(shape))
    u = np.zeros((*shape, len(shape)))
    for k, idx in enumerate(np.ndindex(*shape[::-1])):
        u[idx[::-1]] = values[k]
    return NormalFormGame.from_payoffs(u)


# Nau, Gomez Canovas and Hansen (2004), "On the geometry of Nash equilibria and correlated
# equilibria", International Journal of Game Theory 32: 443-453; payoffs as in the Gambit
# project's catalogue (catalog/nau2004/sec5.nfg and sec6.nfg, GPL-2.0-or-later).
NAU_SEC5 = _nfg([0, 0, 2, 3, 0, 0, 0, 3, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3], (2, 2, 2))
NAU_SEC6 = _nfg([2, 0, 0, 0, 2, 1, 0, 1, 1, 1, 0, 2, 1, 0, 2, 0, 1, 1, 0, 2, 1, 2, 0, 0,
                 1, 0, 1, 0, 2, 0, 0, 1, 2, 2, 0, 1, 2, 0, 1, 0, 1, 2, 0, 2, 0, 1, 0, 1], (2, 2, 4))
# Chicken as in Aumann (1974), section 8: (6, 6), (2, 7), (7, 2), (0, 0).
CHICKEN = NormalFormGame.from_bimatrix([[6, 2], [7, 0]], [[6, 7], [2, 0]],
                                       actions=(("chicken", "dare"), ("chicken", "dare")))

small_games = st.one_of(games(max_players=3, max_profiles=12), degenerate_games(max_players=3, max_profiles=12))


@settings(max_examples=40, deadline=None)
@given(st.one_of(games(max_players=4), degenerate_games(max_players=3)), st.sampled_from(
    ["welfare", "min_welfare", "player:1", "min:2"]))
def test_every_correlated_equilibrium_is_obedient_and_a_distribution(game, objective):
    if objective.endswith("2") and game.n_players < 2:
        return
    eq = correlated_solve(game, objective).equilibria[0]
    x = eq.distribution
    assert x.shape == game.shape
    assert np.all(x >= 0) and x.sum() == pytest.approx(1.0)
    assert eq.max_regret <= TOL * game.payoff_scale
    assert _obedience_violation(game, x) <= TOL * game.payoff_scale
    for i, s in enumerate(eq.profile):
        np.testing.assert_allclose(s, x.sum(axis=tuple(k for k in range(game.n_players) if k != i)))


@settings(max_examples=40, deadline=None)
@given(st.one_of(games(max_players=4), degenerate_games(max_players=3)))
def test_every_pure_nash_equilibrium_is_in_the_correlated_polytope(game):
    obedience = obedience_matrix(game)
    for eq in enumpure_solve(game).equilibria:
        x = _product(eq.profile)
        assert np.all(obedience @ x.ravel() <= TOL * game.payoff_scale)
        assert Equilibrium.certify_correlated(game, x).max_regret <= TOL * game.payoff_scale


@settings(max_examples=40, deadline=None)
@given(games(shape=(2, 2)))
def test_mixed_nash_equilibrium_of_2x2_is_in_the_correlated_polytope(game):
    a, b = game.payoff_array(0), game.payoff_array(1)
    # Closed form: the column mix makes the row player indifferent, and vice versa.
    den_q = a[0, 0] - a[0, 1] - a[1, 0] + a[1, 1]
    den_p = b[0, 0] - b[0, 1] - b[1, 0] + b[1, 1]
    q = (a[1, 1] - a[0, 1]) / den_q
    p = (b[1, 1] - b[1, 0]) / den_p
    if not (0 < p < 1 and 0 < q < 1):
        return  # no completely mixed equilibrium in this game
    profile = (np.array([p, 1 - p]), np.array([q, 1 - q]))
    assert game.max_regret(profile) <= 1e-9 * game.payoff_scale
    x = _product(profile)
    assert np.all(obedience_matrix(game) @ x.ravel() <= 1e-9 * game.payoff_scale)


@settings(max_examples=40, deadline=None)
@given(st.one_of(games(max_players=4), degenerate_games(max_players=3)))
def test_welfare_maximum_is_at_least_every_pure_nash_welfare(game):
    best = correlated_solve(game, "welfare").equilibria[0]
    for eq in enumpure_solve(game).equilibria:
        assert best.payoffs.sum() >= eq.payoffs.sum() - 1e-7 * game.payoff_scale
    assert best.details["value"] == pytest.approx(best.payoffs.sum(), abs=1e-7 * game.payoff_scale)


@settings(max_examples=30, deadline=None)
@given(small_games, st.integers(0, 2**32 - 1))
def test_vertices_are_obedient_and_random_lp_optima_are_attained_at_a_vertex(game, seed):
    vertices = correlated_vertices(game)
    assert len(vertices) >= 1
    obedience = obedience_matrix(game)
    flat = vertices.reshape(len(vertices), -1)
    assert np.all(flat >= 0) and np.allclose(flat.sum(axis=1), 1.0)
    assert np.all(obedience @ flat.T <= TOL * game.payoff_scale)
    # Random linear objectives over the polytope: the LP optimum equals the best vertex.
    from scipy.optimize import linprog

    rng = np.random.default_rng(seed)
    for _ in range(3):
        c = rng.normal(size=game.n_profiles)
        res = linprog(c, A_ub=obedience if len(obedience) else None,
                      b_ub=np.zeros(len(obedience)) if len(obedience) else None,
                      A_eq=np.ones((1, game.n_profiles)), b_eq=[1.0], method="highs")
        assert res.status == 0
        assert (flat @ c).min() == pytest.approx(res.fun, abs=1e-7)


def test_nau_section5_polytope_has_8_vertices():
    # Nau et al. (2004), section 5: seven-dimensional polytope with 8 vertices.
    result = correlated_solve(NAU_SEC5, "vertices")
    assert result.details == {"dimension": 7, "n_vertices": 8}
    assert result.max_regret <= TOL


def test_nau_section6_polytope_has_6_vertices_in_4_dimensions():
    # Nau et al. (2004), section 6: four-dimensional polytope (lower-dimensional among 16
    # profiles) with 6 vertices; its Nash equilibria lie in the relative interior.
    result = correlated_solve(NAU_SEC6, "vertices")
    assert result.details == {"dimension": 4, "n_vertices": 6}
    assert all(e.max_regret <= TOL for e in result.equilibria)


def test_chicken_welfare_optimum_and_vertices():
    # Aumann (1974): correlating on (C, C), (C, D), (D, C) beats the mixed equilibrium; the
    # welfare-best correlated equilibrium is 1/2, 1/4, 1/4 with payoffs 5.25 each, and the
    # polytope has 5 vertices: the two pure equilibria, the mixed one (2/3, 1/3) x (2/3, 1/3),
    # the welfare-best and the welfare-worst (0, 0.4, 0.4, 0.2) (Calvo-Armengol 2006,
    # "The set of correlated equilibria of 2x2 games").
    best = correlated_solve(CHICKEN).equilibria[0]
    np.testing.assert_allclose(best.distribution, [[0.5, 0.25], [0.25, 0.0]], atol=1e-9)
    np.testing.assert_allclose(best.payoffs, [5.25, 5.25], atol=1e-9)
    aumann = Equilibrium.certify_correlated(CHICKEN, [[1 / 3, 1 / 3], [1 / 3, 0]])
    assert aumann.max_regret <= 1e-12 and np.allclose(aumann.payoffs, 5.0)
    expected = [[[0.5, 0.25], [0.25, 0.0]], [[4 / 9, 2 / 9], [2 / 9, 1 / 9]], [[0, 1], [0, 0]],
                [[0, 0.4], [0.4, 0.2]], [[0, 0], [1, 0]]]
    vertices = correlated_vertices(CHICKEN)
    assert len(vertices) == 5
    for v in expected:
        assert any(np.allclose(v, w, atol=1e-9) for w in vertices)


def test_measured_regret_of_a_disobedient_distribution():
    # Putting all mass on (dare, dare) in chicken: each player gains 2 by chickening out.
    eq = Equilibrium.certify_correlated(CHICKEN, [[0, 0], [0, 1]])
    assert eq.max_regret == pytest.approx(2.0)
    assert eq.pure_profile == (1, 1)


def test_extremes_give_each_player_best_and_worst():
    result = correlated_solve(CHICKEN, "extremes")
    values = {e.details["objective"]: e.details["value"] for e in result.equilibria}
    assert values["welfare"] == pytest.approx(10.5)
    assert values["max:1"] == pytest.approx(7.0)
    assert values["min:1"] == pytest.approx(2.0)
    assert len({e.distribution.tobytes() for e in result.equilibria}) == len(result.equilibria)


def test_registry_dispatch():
    assert METHODS["correlated"].load() is correlated_solve
    result = solve(CHICKEN, "correlated", objective="player:2")
    assert result.equilibria[0].payoffs[1] == pytest.approx(7.0)


@pytest.mark.parametrize("objective, pattern", [
    ("nash", r"correlated_solve\(\): objective must be 'welfare'.*got 'nash'"),
    ("player:Nobody", r"correlated_solve\(\): objective 'player:Nobody' names an unknown player"),
    (3, r"correlated_solve\(\): objective must be a string; got 3"),
])
def test_bad_objectives_name_the_rule_and_value(objective, pattern):
    with pytest.raises(SolverError, match=pattern):
        correlated_solve(CHICKEN, objective)


def test_vertex_enumeration_refuses_large_games():
    big = NormalFormGame.from_payoffs(np.zeros((5, 5, 5, 3)))
    with pytest.raises(SolverError, match=r"correlated_vertices\(\): .* at most 64 pure profiles; got 125"):
        correlated_vertices(big)


def test_certify_correlated_rejects_a_wrong_shape():
    with pytest.raises(GameError, match=r"certify_correlated\(\): distribution must have shape \(2, 2\)"):
        Equilibrium.certify_correlated(CHICKEN, [1.0, 0.0])


@settings(max_examples=15, deadline=None)
@given(small_games, st.data())
def test_lp_optima_are_the_best_vertex_for_every_objective(game, data):
    """Optimality, not only feasibility: a correlated equilibrium polytope is the convex hull of
    its vertices, so a linear objective's maximum over it is its maximum over the vertices
    (enumerated independently of the LP). The solved distribution must attain that value, and
    the reported value must be the objective measured at the distribution."""
    vertices = correlated_vertices(game).reshape(-1, game.n_profiles)
    u = game.payoffs.reshape(-1, game.n_players)
    player = data.draw(st.sampled_from(game.players))
    i = game.player_index(player)
    objectives = {"welfare": u.sum(axis=1), "min_welfare": -u.sum(axis=1),
                  f"max:{player}": u[:, i], f"min:{player}": -u[:, i]}
    tol = 1e-6 * game.payoff_scale
    for objective, gain in objectives.items():
        eq = correlated_solve(game, objective).equilibria[0]
        best = float((vertices @ gain).max())
        achieved = float(eq.distribution.ravel() @ gain)
        assert achieved == pytest.approx(best, abs=tol), objective
        measured = achieved if not objective.startswith(("min_", "min:")) else -achieved
        assert eq.details["value"] == pytest.approx(measured, abs=tol), objective
