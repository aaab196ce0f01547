"""Repeated play: minmax values, the feasible individually rational set, discount thresholds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.repeated import feasible_ir_set, grim_trigger_threshold, minmax_threshold, minmax_values
from tests.strategies import bimatrix_games, games

FAST = settings(max_examples=40, deadline=None)


@st.composite
def prisoners_dilemmas(draw):
    """Symmetric prisoner's dilemmas T > R > P > S (Axelrod's labels)."""
    s, p, r, t = sorted(draw(st.lists(st.integers(-20, 20), min_size=4, max_size=4, unique=True)))
    return NormalFormGame.from_bimatrix([[r, s], [t, p]], [[r, t], [s, p]]), (t, r, p, s)


@FAST
@given(prisoners_dilemmas())
def test_grim_trigger_threshold_is_the_closed_form_on_prisoners_dilemmas(case):
    game, (t, r, p, s) = case
    res = grim_trigger_threshold(game, (0, 0))
    assert res.threshold == pytest.approx((t - r) / (t - p), abs=1e-12)
    # In a PD defecting is the minmax punishment too, so both rules agree.
    assert minmax_threshold(game, (0, 0)).threshold == pytest.approx((t - r) / (t - p), abs=1e-9)
    assert res.sustained_at((t - r) / (t - p)) and not res.sustained_at((t - r) / (t - p) - 1e-6)


@FAST
@given(games(max_players=3))
def test_minmax_bounds_are_ordered_and_punishments_achieve_them(game):
    pure = minmax_values(game, "pure")
    auto = minmax_values(game)
    assert np.all(auto.values <= pure.values + 1e-9)
    for i in range(game.n_players):
        # The punishment really holds the player to its value: best reply payoff against it.
        u = np.moveaxis(game.payoffs[..., i], i, 0).reshape(game.shape[i], -1)
        z = np.asarray(auto.punishments[i]).reshape(-1)
        assert (u @ z).max() == pytest.approx(auto.values[i], abs=1e-9 * game.payoff_scale)
        # Nobody can be pushed below its maximin (the pure-strategy guarantee).
        assert auto.values[i] >= u.min(axis=1).max() - 1e-9 * game.payoff_scale


@FAST
@given(bimatrix_games(min_actions=1, max_actions=4))
def test_two_player_mixed_minmax_matches_nashpy(game):
    from nashpy.linalg.minimax import linear_program

    m = minmax_values(game)
    for i in range(2):
        # Player i's minmax equals its maximin (von Neumann): nashpy's maximin LP on u_i with i as row.
        a = game.payoffs[..., i] if i == 0 else game.payoffs[..., i].T
        x = linear_program(a)
        assert m.values[i] == pytest.approx(float((x @ a).min()), abs=1e-6 * game.payoff_scale)


@pytest.mark.slow
def test_two_player_minmax_matches_gambit_lp():
    from tests.oracles import gambit_equilibria

    rng = np.random.default_rng(4)
    a = rng.integers(-5, 6, size=(3, 4)).astype(float)
    game = NormalFormGame.from_bimatrix(a, rng.integers(-5, 6, size=(3, 4)))
    (eq,) = gambit_equilibria(np.stack([a, -a], axis=-1), "lp")
    value = float(eq[0] @ a @ eq[1])  # the zero-sum value: row player's maximin = its minmax
    assert minmax_values(game).values[0] == pytest.approx(value, abs=1e-9)


def test_feasible_ir_polygon_of_the_prisoners_dilemma():
    # Fudenberg and Tirole (1991), Game Theory, Fig. 5.1: the PD's feasible IR set.
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    fs = feasible_ir_set(pd)
    np.testing.assert_allclose(fs.polygon, [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]], atol=1e-12)
    assert fs.nonempty


def test_matching_pennies_pure_and_mixed_minmax_differ():
    mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    m = minmax_values(mp)
    np.testing.assert_allclose(m.values, [0, 0], atol=1e-12)
    np.testing.assert_allclose(m.pure_values, [1, 1])
    assert m.exact and m.kind == "mixed"
    with pytest.raises(SolverError, match=r"minmax_values\(\): kind 'mixed' is exact for 2 players only"):
        minmax_values(NormalFormGame.from_payoffs(np.zeros((2, 2, 2, 3))), "mixed")


def test_three_player_correlated_punishment_can_be_harsher_than_pure():
    # u_1(a1, a2, a3) = 1 when a1 equals a2 XOR a3, else 0: against any pure punishment player 1
    # matches and gets 1; punishers randomising (jointly) hold it to 1/2.
    u = np.zeros((2, 2, 2, 3))
    for a1 in range(2):
        for a2 in range(2):
            for a3 in range(2):
                u[a1, a2, a3, 0] = float(a1 == (a2 ^ a3))
    g = NormalFormGame.from_payoffs(u)
    m = minmax_values(g)
    assert m.kind == "correlated" and not m.exact
    assert m.values[0] == pytest.approx(0.5) and m.pure_values[0] == 1.0


def test_grim_trigger_reverts_to_the_worst_equilibrium_for_the_deviator():
    # Battle-of-the-sexes stage game plus a cooperative (but not equilibrium) outcome.
    u1 = [[4, 0, 0], [0, 1, 0], [5, 0, 3]]
    u2 = [[4, 0, 5], [0, 3, 0], [0, 0, 1]]
    g = NormalFormGame.from_bimatrix(u1, u2)
    res = grim_trigger_threshold(g, (0, 0))
    # Equilibria: (1,1) pays (1,3) and (2,2) pays (3,1); the worst for player 1 is (1,1) (P=1),
    # for player 2 it is (2,2) (P=1): thresholds (5-4)/(5-1) = 1/4 each.
    np.testing.assert_allclose(res.punishment_payoffs, [1, 1])
    assert res.threshold == pytest.approx(0.25)


def test_thresholds_on_the_precedent_scenario():
    from pathlib import Path

    from sim.scenario import compile_scenario, load_scenario

    sc = load_scenario(Path(__file__).resolve().parent / "data" / "scenarios-v1" / "precedent-2002.toml")
    game = compile_scenario(sc).game()
    res = grim_trigger_threshold(game, ("cooperate", "cooperate"))
    # The scenario's own note: with punishment payoff 0, delta >= (temptation - gain) / temptation.
    assert res.threshold == pytest.approx((3.0 - 2.0) / 3.0)
    assert res.sustained_at(0.8)


def test_bad_targets_and_reversions_are_refused():
    mp = NormalFormGame.zero_sum([[1, -1], [-1, 1]])
    with pytest.raises(SolverError, match=r"grim_trigger_threshold\(\): the stage game has no pure Nash"):
        grim_trigger_threshold(mp, (0, 0))
    res = grim_trigger_threshold(mp, (0, 0), reversion=([0.5, 0.5], [0.5, 0.5]))
    assert res.thresholds[0] == 0.0 and res.thresholds[1] == np.inf and not res.sustainable
    with pytest.raises(SolverError, match="reversion must be a stage Nash equilibrium"):
        grim_trigger_threshold(mp, (0, 0), reversion=([1, 0], [1, 0]))
    with pytest.raises(SolverError, match=r"target needs one action per player \(2\)"):
        grim_trigger_threshold(mp, (0,))


# ----- the whole analysis: targets, thresholds, scenarios ------------------------------------------------
from sim.repeated import pareto_targets, repeated_analysis, repeated_from_scenario  # noqa: E402

PRECEDENT = Path(__file__).resolve().parent / "data" / "scenarios-v1" / "precedent-2002.toml"


def _brute_pure_equilibria(game):
    """Pure Nash equilibria by checking every unilateral deviation (reference for the targets)."""
    out = []
    for a in np.ndindex(*game.shape):
        ok = True
        for i in range(game.n_players):
            idx = list(a)
            idx[i] = slice(None)
            if game.payoffs[tuple(idx) + (i,)].max() > game.payoffs[a][i] + 1e-9 * game.payoff_scale:
                ok = False
        if ok:
            out.append(a)
    return out


@FAST
@given(games(max_players=3, max_actions=3))
def test_default_targets_are_exactly_the_profiles_pareto_dominating_a_stage_equilibrium(game):
    eqs = _brute_pure_equilibria(game)
    if not eqs:
        return  # the mixed fallback is tested below
    an = repeated_analysis(game, 0.9)
    assert an.stage_equilibria_kind == "pure"
    assert sorted(e.pure_profile for e in an.stage_equilibria) == sorted(eqs)
    tol = 1e-9 * game.payoff_scale
    expected = sorted(a for a in np.ndindex(*game.shape)
                      if any(np.all(game.payoffs[a] >= game.payoffs[e] - tol)
                             and np.any(game.payoffs[a] > game.payoffs[e] + tol) for e in eqs))
    assert sorted(t.target for t in an.targets) == expected
    assert all(t.source == "pareto" and t.dominates for t in an.targets)


@FAST
@given(games(max_players=3, max_actions=3), st.floats(0.01, 0.99))
def test_thresholds_mean_no_profitable_one_shot_deviation(game, delta):
    """At delta above a threshold no player gains by deviating once and being punished forever;
    just below it the binding player does (checked by brute force on discounted sums)."""
    an = repeated_analysis(game, delta, targets=[tuple(0 for _ in game.shape)])
    scale = game.payoff_scale
    for t in an.targets:
        rules = [t.minmax, t.pure_minmax] + ([t.grim] if t.grim is not None else [])
        for s in rules:
            r = game.payoffs[t.target]
            for i in range(game.n_players):
                idx = list(t.target)
                idx[i] = slice(None)
                best = game.payoffs[tuple(idx) + (i,)].max()  # best one-shot deviation, brute force
                p = s.punishment_payoffs[i]

                def gains(d):  # per-period value of deviating minus that of complying
                    return (1 - d) * best + d * p - r[i]

                th = s.thresholds[i]
                if th == 0:
                    assert best <= r[i] + 1e-9 * scale
                elif np.isinf(th):
                    assert best > r[i] and p >= r[i] - 1e-9 * scale
                else:
                    assert gains(th) == pytest.approx(0, abs=1e-9 * scale)
                    assert gains(min(1.0, th + 1e-3)) <= 1e-9 * scale and gains(th - 1e-3) > 0
            assert s.sustained_at(delta) == (s.threshold <= delta)
        # Harsher punishment, smaller threshold: minmax (mixed or correlated) <= pure minmax, and
        # <= grim since every stage equilibrium pays at least the mixed minmax. A pure
        # equilibrium pays at least the pure minmax too; a mixed one need not (the punishers
        # can hold a player lower by mixing than any pure punishment can).
        assert t.minmax.threshold <= t.pure_minmax.threshold + 1e-9
        if t.grim is not None:
            assert t.minmax.threshold <= t.grim.threshold + 1e-9
            if an.stage_equilibria_kind == "pure":
                assert t.pure_minmax.threshold <= t.grim.threshold + 1e-9


@settings(max_examples=25, deadline=None)
@given(st.floats(0.1, 3), st.floats(0.01, 3), st.just(0.0) | st.floats(0.01, 5), st.floats(0.02, 0.98))
def test_precedent_cooperation_threshold_follows_the_closed_form(gain, extra, sucker, delta):
    """The scenario's stage game is a prisoner's dilemma with punishment payoff 0 when
    temptation > cooperation_gain: grim trigger needs delta >= (temptation - gain) / temptation.
    (A sucker's cost below the equilibrium tolerance, say 1e-9, would make (cooperate, defect)
    a reported stage equilibrium and shift the threshold by that much: kept out.)"""
    from sim.scenario import load_scenario

    temptation = gain + extra  # within the scenario's declared range [0, 6]
    over = {"cooperation_gain": gain, "temptation": temptation, "sucker_cost": sucker, "delta": delta}
    an = repeated_from_scenario(load_scenario(PRECEDENT), over)
    assert an.discount == pytest.approx(delta)
    (t,) = [t for t in an.targets if t.target == (0, 0)]
    expected = (temptation - gain) / temptation
    assert t.grim.threshold == pytest.approx(expected, abs=1e-12)
    if abs(delta - expected) > 1e-9:
        assert t.grim.sustained_at(delta) == (delta >= expected)


def test_no_pure_stage_equilibrium_reverts_to_the_mixed_one():
    # Matching pennies (heads, tails) plus a joint "cooperate" paying (2, 2) that each side is
    # tempted to leave for 3: no pure equilibrium; the stage equilibria come from vertex
    # enumeration and must match nashpy's support enumeration (an independent implementation).
    u1 = np.array([[1, -1, 3], [-1, 1, -3], [-3, -3, 2]], float)
    u2 = np.array([[-1, 1, -3], [1, -1, -3], [3, -3, 2]], float)
    g = NormalFormGame.from_bimatrix(u1, u2)
    import nashpy

    ref = list(nashpy.Game(u1, u2).support_enumeration())
    an = repeated_analysis(g, 0.5, targets=[(2, 2)])
    assert an.stage_equilibria_kind == "mixed"
    assert len(an.stage_equilibria) == len(ref) >= 1
    for e in an.stage_equilibria:
        assert any(np.allclose(e.profile[0], x) and np.allclose(e.profile[1], y) for x, y in ref)
    (t,) = an.targets  # (cooperate, cooperate) Pareto-dominates the pennies equilibrium, paying 0
    assert t.source == "pareto"
    worst = [min(float(x @ u @ y) for x, y in ref) for u in (u1, u2)]
    np.testing.assert_allclose(t.grim.punishment_payoffs, worst, atol=1e-9)
    assert t.grim.threshold == pytest.approx(max((3 - 2) / (3 - w) for w in worst))


def test_repeated_from_scenario_errors_name_the_problem():
    from sim.scenario import load_scenario

    base = load_scenario(PRECEDENT.parent / "baseline-2009.toml")
    with pytest.raises(SolverError, match=r"no \[repeated\] table and no discount factor was given"):
        repeated_from_scenario(base)
    assert repeated_from_scenario(base, discount=0.9).discount == 0.9
    with pytest.raises(ValueError, match=r"parameters.delta: must be finite and within \[0.01, 0.99\] \(got 1.0\)"):
        repeated_from_scenario(load_scenario(PRECEDENT), {"delta": 1.0})  # the declared range guards it
    pd = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    with pytest.raises(SolverError, match=r"repeated_analysis\(\): discount must lie strictly between 0 and 1; got 0"):
        repeated_analysis(pd, 0)
    with pytest.raises(SolverError, match=r"repeated_analysis\(\): bad target action"):
        repeated_analysis(pd, 0.5, targets=[("x", "y")])


def test_pareto_targets_of_a_coordination_game_include_the_better_equilibrium():
    # Stag hunt (Skyrms 2004): (stag, stag) = (4, 4) Pareto-dominates the (hare, hare) = (3, 3) equilibrium.
    g = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]])
    from sim.solvers.pure import enumpure_solve

    assert pareto_targets(g, enumpure_solve(g).equilibria) == [((0, 0), (1,))]
    (t,) = repeated_analysis(g, 0.5).targets
    assert t.grim.threshold == 0.0  # an equilibrium needs no patience


@pytest.mark.parametrize("bad", [1.0, 0.0, float("nan")])
def test_both_scenario_callers_refuse_a_discount_outside_the_open_unit_interval(bad):
    """repeated_from_scenario and the bargaining document read the discount factor through one
    function, scenario_discount, which refuses 0, 1 and NaN whether the value is a number in the
    [repeated] table, a parameter whose range allows it, or given directly."""
    from dataclasses import replace

    from sim.bargaining import scenario_bargaining_document
    from sim.errors import ScenarioError
    from sim.repeated import scenario_discount
    from sim.scenario import load_scenario
    from sim.scenario.schema import Repeated

    base = load_scenario(PRECEDENT)
    assert scenario_discount(base) == (0.8, "[repeated].discount = delta")
    numeric = replace(base, repeated=Repeated(bad))
    wide = replace(base, parameters=tuple(replace(p, min=0.0, max=1.0) if p.name == "delta" else p
                                          for p in base.parameters))
    callers = [lambda s, o: repeated_from_scenario(s, o), lambda s, o: scenario_bargaining_document(s, ["rubinstein"], o)]
    for call in callers:
        with pytest.raises(ScenarioError, match=r"repeated\.discount: must lie strictly between 0 and 1 \(got "):
            call(numeric, None)
        with pytest.raises(ScenarioError, match=r"(repeated\.discount: is parameter 'delta', which must lie strictly between"
                                                r" 0 and 1|parameters\.delta: must be finite)"):
            call(wide, {"delta": bad})
    with pytest.raises(SolverError, match=r"the discount factor must lie strictly between 0 and 1; got"):
        repeated_from_scenario(base, discount=bad)
