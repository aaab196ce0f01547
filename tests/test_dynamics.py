"""Learning dynamics: replicator dynamics and fictitious play (sim.solvers.dynamics)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import solve
from sim.solvers.dynamics import fictitious_play_solve, replicator_solve
from tests.strategies import games, games_with_dominant_strategies, mixed_profiles, zero_sum_games

MATCHING_PENNIES = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
ROCK_PAPER_SCISSORS = NormalFormGame.zero_sum([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
# Shapley (1964), "Some topics in two-person games": fictitious play cycles for ever.
SHAPLEY = NormalFormGame.from_bimatrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]],
                                       [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
PRISONERS_DILEMMA = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])


def _zero_sum_value(game):
    """Value of a zero-sum game by the textbook LP (von Neumann), independent of any solver here."""
    from scipy.optimize import linprog

    A = game.payoff_array(0)
    m, n = A.shape
    # max v  s.t.  x @ A[:, j] >= v for all j, x in the simplex
    res = linprog(np.r_[np.zeros(m), -1.0], A_ub=np.hstack([-A.T, np.ones((n, 1))]), b_ub=np.zeros(n),
                  A_eq=np.r_[np.ones(m), 0.0][None], b_eq=[1.0], bounds=[(0, None)] * m + [(None, None)],
                  method="highs")
    return -res.fun


def _in_simplex(trajectory):
    for t in trajectory:
        assert np.all(np.isfinite(t)) and np.all(t >= 0)
        np.testing.assert_allclose(t.sum(axis=1), 1.0, atol=1e-12)


# ----- strictly dominant strategies ----------------------------------------------------------------

@settings(max_examples=20, deadline=None)
@given(case=games_with_dominant_strategies(max_players=3))
def test_both_dynamics_converge_to_a_strictly_dominant_profile(case):
    game, dominant = case
    for result in (replicator_solve(game, steps=4000, dt=0.5),
                   fictitious_play_solve(game, steps=4000, tol=1e-3)):
        assert result.converged
        [eq] = result.equilibria
        assert tuple(int(np.argmax(s)) for s in eq.profile) == dominant
        assert eq.max_regret <= 1e-3 * game.payoff_scale
        assert eq.details["converged"] is True


def test_prisoners_dilemma_replicator_reaches_defection_from_near_cooperation():
    r = replicator_solve(PRISONERS_DILEMMA, start=([0.99, 0.01], [0.99, 0.01]), steps=20_000, dt=0.5)
    assert r.converged and r.equilibria[0].support == ((1,), (1,))


# ----- fictitious play in zero-sum games (Robinson 1951) ------------------------------------------

@pytest.mark.parametrize("game, value", [(MATCHING_PENNIES, 0.0), (ROCK_PAPER_SCISSORS, 0.0)])
def test_fictitious_play_approaches_the_value_of_classic_zero_sum_games(game, value):
    start = tuple(np.eye(n)[0] for n in game.shape)
    r = fictitious_play_solve(game, start=start, steps=3000, tol=0.0, record_every=1)
    regret = r.details["regret"]
    assert not r.converged  # tol=0 is never met at a finite step here
    assert regret[-1] < regret[10] / 5
    assert regret[-1] < 0.02 * game.payoff_scale
    eq = r.equilibria[0]
    assert eq.payoffs[0] == pytest.approx(value, abs=regret[-1])
    np.testing.assert_allclose(eq.profile[0], np.full(game.shape[0], 1 / game.shape[0]), atol=0.02)


@settings(max_examples=10, deadline=None)
@given(game=zero_sum_games(max_actions=4))
def test_fictitious_play_regret_shrinks_and_payoff_meets_lp_value(game):
    r = fictitious_play_solve(game, steps=2000, tol=0.0, record_every=1)
    regret = r.details["regret"] / game.payoff_scale
    assert regret[-1] < 0.03
    assert regret[-1] <= max(regret[:20])
    value = _zero_sum_value(game)
    # In a zero-sum game |u(x, y) - v| is at most the profile's max regret.
    assert r.equilibria[0].payoffs[0] == pytest.approx(value, abs=regret[-1] * game.payoff_scale + 1e-9)


def test_fictitious_play_does_not_converge_in_shapleys_game():
    r = fictitious_play_solve(SHAPLEY, start=([1, 0, 0], [0, 1, 0]), steps=4000, tol=1e-2, record_every=1)
    assert r.converged is False
    eq = r.equilibria[0]
    assert eq.details["converged"] is False
    # The end point is reported with its regret, which stays far from zero (the unique
    # equilibrium is uniform; the empirical frequencies keep cycling).
    assert eq.max_regret > 0.1
    assert r.details["regret"][-2000:].min() > 0.1


def test_fictitious_play_matches_nashpy_play_by_play():
    # nashpy's fictitious play starting from the same counts plays the same actions in generic
    # games (its tie-breaking is random, but ties do not occur there).
    import nashpy

    rng = np.random.default_rng(7)
    for _ in range(3):
        A, B = rng.uniform(-10, 10, (3, 4)), rng.uniform(-10, 10, (3, 4))
        game = NormalFormGame.from_bimatrix(A, B)
        start = (np.eye(3)[1], np.eye(4)[2])
        steps = 200
        ours = fictitious_play_solve(game, start=start, steps=steps, tol=0.0)
        theirs = list(nashpy.Game(A, B).fictitious_play(iterations=steps, play_counts=[s.copy() for s in start]))
        assert len(theirs) == steps + 1
        for t in (1, 17, steps):
            for i in range(2):
                np.testing.assert_allclose(ours.details["trajectory"][i][t] * (t + 1), theirs[t][i])


def test_fictitious_play_breaks_ties_towards_the_lowest_index():
    game = NormalFormGame.from_bimatrix(np.zeros((3, 2)), np.zeros((3, 2)))
    r = fictitious_play_solve(game, steps=5, tol=-0.0)
    assert r.converged and r.details["steps_taken"] == 0  # uniform play in a null game has no regret
    # Row actions 2 and 3 tie (and beat action 1); every column action ties.
    tied = NormalFormGame.from_bimatrix([[0, 0], [1, 1], [1, 1]], np.zeros((3, 2)))
    r = fictitious_play_solve(tied, steps=3, tol=0.0)
    assert r.details["plays"].tolist() == [[1, 0], [1, 0], [1, 0]]


# ----- replicator dynamics -----------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(game=games(max_players=3), data=st.data())
def test_every_pure_profile_is_a_rest_point(game, data):
    pure = tuple(np.eye(n)[data.draw(st.integers(0, n - 1))] for n in game.shape)
    r = replicator_solve(game, start=pure, steps=50)
    assert r.converged and r.details["steps_taken"] == 0
    for s, p in zip(r.equilibria[0].profile, pure):
        np.testing.assert_array_equal(s, p)


def test_a_rest_point_that_is_not_an_equilibrium_reports_its_regret():
    r = replicator_solve(PRISONERS_DILEMMA, start=([1, 0], [1, 0]))
    assert r.converged
    assert r.equilibria[0].max_regret == pytest.approx(2.0)  # defecting gains 5 - 3


@settings(max_examples=25, deadline=None)
@given(game=games(max_players=3), data=st.data(), dt=st.sampled_from([0.05, 0.5, 2.0]))
def test_replicator_trajectory_stays_in_the_simplex(game, data, dt):
    start = data.draw(mixed_profiles(game))
    r = replicator_solve(game, start=start, steps=300, dt=dt)
    _in_simplex(r.details["trajectory"])
    # Actions absent at the start stay absent (faces of the simplex are invariant).
    for t, s in zip(r.details["trajectory"], start):
        assert np.all(t[:, np.asarray(s) == 0] == 0)
    assert r.equilibria[0].max_regret == pytest.approx(game.max_regret(r.equilibria[0].profile))


def test_replicator_matches_a_high_accuracy_ode_solution():
    # Differential: scipy's adaptive RK45 at tight tolerances on the textbook form of the
    # equations, dx/dt = x * (u(a) - u(x)), on payoffs divided by the payoff scale.
    from scipy.integrate import solve_ivp

    rng = np.random.default_rng(3)
    game = NormalFormGame.from_payoffs(rng.uniform(-10, 10, (3, 2, 2, 3)))
    start = (np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4]), np.array([0.5, 0.5]))
    sizes = np.cumsum([0, *game.shape])
    scaled = game.payoffs / game.payoff_scale

    def rhs(_, z):
        x = [z[sizes[i]:sizes[i + 1]] for i in range(game.n_players)]
        from sim.game import deviation_payoffs
        dev = deviation_payoffs(scaled, x)
        return np.concatenate([s * (d - d @ s) for s, d in zip(x, dev)])

    dt, steps = 0.05, 400
    ode = solve_ivp(rhs, (0, dt * steps), np.concatenate(start), rtol=1e-11, atol=1e-13,
                    t_eval=[dt * 100, dt * steps])
    ours = replicator_solve(game, start=start, steps=steps, dt=dt, tol=0.0)
    for k, step in enumerate((100, steps)):
        row = int(np.flatnonzero(ours.details["step"] == step)[0])
        mine = np.concatenate([t[row] for t in ours.details["trajectory"]])
        np.testing.assert_allclose(mine, ode.y[:, k], atol=1e-7)


def test_replicator_conserves_the_constant_of_motion_in_matching_pennies():
    # In a zero-sum game with interior equilibrium x*, the sum over players of
    # KL(x*_i || x_i) is constant along replicator orbits (Hofbauer and Sigmund 1998, ch. 11):
    # orbits are closed cycles. An integrator that drifts (explicit Euler spirals outwards)
    # fails this test.
    start = ([0.8, 0.2], [0.5, 0.5])
    r = replicator_solve(MATCHING_PENNIES, start=start, steps=2000, dt=0.2)  # several cycles
    assert r.converged is False
    traj = r.details["trajectory"]
    kl = sum(np.sum(0.5 * np.log(0.5 / t), axis=1) for t in traj)
    assert np.ptp(kl) < 1e-5  # multiplicative weights at this dt drift by several units
    assert r.equilibria[0].max_regret > 0.1  # the end point is somewhere on the cycle


def test_registry_and_trajectory_shapes():
    off = ([0.5, 0.3, 0.2], [0.2, 0.3, 0.5])  # the uniform start would be the rest point itself
    r = solve(ROCK_PAPER_SCISSORS, "replicator", start=off, steps=10)
    assert [t.shape for t in r.details["trajectory"]] == [(11, 3), (11, 3)]
    r = solve(ROCK_PAPER_SCISSORS, "fictitious_play", start=off, steps=10, tol=0.0)
    assert [t.shape for t in r.details["trajectory"]] == [(11, 3), (11, 3)]
    assert r.details["plays"].shape == (10, 2) and r.details["regret"].shape == (11,)


@pytest.mark.parametrize("call, pattern", [
    (lambda: replicator_solve(MATCHING_PENNIES, steps=0), r"replicator_solve\(\): steps must be a positive integer; got 0"),
    (lambda: replicator_solve(MATCHING_PENNIES, dt=-1.0), r"replicator_solve\(\): dt must be .*-1.0"),
    (lambda: replicator_solve(MATCHING_PENNIES, start=([1, 0],)), r"replicator_solve\(\): start must be a mixed profile"),
    (lambda: fictitious_play_solve(MATCHING_PENNIES, start=([0.7, 0.7], [1, 0])), r"fictitious_play_solve\(\): start must be"),
    (lambda: fictitious_play_solve(MATCHING_PENNIES, tol=float("nan")), r"fictitious_play_solve\(\): tol must be"),
])
def test_bad_input_names_function_rule_and_value(call, pattern):
    with pytest.raises(SolverError, match=pattern):
        call()


# ----- recording a long run ----------------------------------------------------------------------

@pytest.mark.parametrize("solver, steps", [(replicator_solve, 2_000), (fictitious_play_solve, 5_000)])
def test_default_recording_keeps_about_200_rows_and_always_the_final_state(solver, steps):
    # Rock-paper-scissors from off the equilibrium never meets tol=0: the whole budget runs.
    r = solver(ROCK_PAPER_SCISSORS, start=([0.5, 0.3, 0.2], [0.2, 0.3, 0.5]), steps=steps, tol=0.0)
    recorded = r.details["step"]
    assert r.details["steps_taken"] == steps
    assert 150 <= len(recorded) <= 201
    assert recorded[0] == 0 and recorded[-1] == steps
    assert np.all(np.diff(recorded) > 0)
    assert all(len(t) == len(recorded) for t in r.details["trajectory"])
    # The last recorded row is the reported end point.
    for t, s in zip(r.details["trajectory"], r.equilibria[0].profile):
        np.testing.assert_allclose(t[-1], s, atol=1e-15)


@settings(max_examples=15, deadline=None)
@given(game=games(max_players=3), every=st.integers(1, 7), steps=st.integers(1, 40),
       method=st.sampled_from(["replicator", "fictitious_play"]))
def test_recorded_rows_are_the_full_trajectory_at_the_recorded_steps(game, every, steps, method):
    solver = replicator_solve if method == "replicator" else fictitious_play_solve
    kwargs = {"dt": 0.3} if method == "replicator" else {}
    full = solver(game, steps=steps, tol=0.0, record_every=1, **kwargs)
    sparse = solver(game, steps=steps, tol=0.0, record_every=every, **kwargs)
    taken = full.details["steps_taken"]
    assert sparse.details["steps_taken"] == taken and sparse.converged == full.converged
    expected = sorted({*range(0, taken + 1, every), taken})
    assert sparse.details["step"].tolist() == expected
    np.testing.assert_array_equal(full.details["step"], np.arange(taken + 1))
    for t_full, t_sparse in zip(full.details["trajectory"], sparse.details["trajectory"]):
        np.testing.assert_array_equal(t_full[expected], t_sparse)
    series = "speed" if method == "replicator" else "regret"
    np.testing.assert_array_equal(full.details[series][expected], sparse.details[series])
    if method == "fictitious_play":
        # The play recorded with a row is the one made in the round that led to it.
        np.testing.assert_array_equal(full.details["plays"][np.array(expected[1:], dtype=int) - 1],
                                      sparse.details["plays"])
    for a, b in zip(full.equilibria[0].profile, sparse.equilibria[0].profile):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
def test_cli_json_of_a_default_replicator_run_stays_small(capsys):
    from analysis.cli import main

    path = "tests/data/gambit/2x2.nfg"  # Gambit project, contrib/games
    assert main(["solve", path, "--method", "replicator", "--json"]) == 0
    out = capsys.readouterr().out
    # Every one of 10,000 steps printed 3.7 MB on a 3x3x3 game; about 200 rows stay small.
    assert len(out) < 100_000
    import json

    doc = json.loads(out)
    for result in doc["results"]:
        assert len(result["details"]["step"]) <= 201


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "10"])
def test_bad_record_every_names_function_rule_and_value(value):
    for solver in (replicator_solve, fictitious_play_solve):
        name = solver.__name__
        with pytest.raises(SolverError, match=rf"{name}\(\): record_every must be a positive integer or None; got {value!r}"):
            solver(MATCHING_PENNIES, steps=10, record_every=value)
