"""Comparisons with known answers: matched equilibria and payoff deltas, thresholds found by
bisection on the scenario, Wilson intervals, outcome frequencies and the sensitivity ranking."""

from __future__ import annotations

import json
import re
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.compare import (TOY_SCENARIO, Setting, bisect_thresholds, compare_results, find_thresholds,
                              format_comparisons, match_equilibria, outcome_frequencies, regime_table, regimes_at,
                              sensitivity, summarise_thresholds, sweep_summary, wilson_interval)
from sim.errors import GameError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult
from sim.scenario import compile_scenario, loads_scenario
from sim.solvers import solve
from tests.strategies import games, threshold_scenarios

# Two parameters: A's best reply is x while b > a and y while a > b, so every regime change of a
# grid over (a, b) lies on the diagonal a = b.
DIAGONAL_SCENARIO = '''
[scenario]
id = "diagonal"
title = "x is worth b, y is worth a"
timing = "simultaneous"
[parameters]
a = { default = 0.2, min = 0, max = 1 }
b = { default = 0.6, min = 0, max = 1 }
c = { default = 1.0, min = 0, max = 1, description = "a parameter no goal uses" }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["follow", "other"]
[[goals]]
player = "A"
name = "x_worth_b"
weight = "b"
quote = "x is worth b"
rules = [{ when = { A = "x" }, value = 1 }]
[[goals]]
player = "A"
name = "y_worth_a"
weight = "a"
quote = "y is worth a"
rules = [{ when = { A = "y" }, value = 1 }]
[[goals]]
player = "B"
name = "match"
weight = 1
quote = "B likes to follow: follow when A plays x"
rules = [{ when = { A = "x", B = "follow" }, value = 1 }, { when = { A = "y", B = "other" }, value = 1 }]
'''

A_GRID = [0.0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0]
B_GRID = [0.25, 0.55, 0.8]


def write_toy_sweep(tmp_path, scenario_text=DIAGONAL_SCENARIO, grid=None, name="diagonal"):
    """Write a scenario and a grid sweep over it, run the sweep in process, return (folder, compiled)."""
    from analysis.sweep import run_sweep

    grid = grid or {"a": A_GRID, "b": B_GRID}
    scen = tmp_path / f"{name}.toml"
    scen.write_text(scenario_text)
    lines = ["[sweep]", f'scenario = "{scen.name}"', 'methods = ["enumpure"]', "seed = 7", "", "[sweep.grid]"]
    lines += [f"{k} = [{', '.join(repr(float(v)) for v in vals)}]" for k, vals in grid.items()]
    sweep = tmp_path / f"{name}-grid.toml"
    sweep.write_text("\n".join(lines) + "\n")
    out = tmp_path / f"{name}-out"
    run_sweep(sweep, out, executor="inprocess")
    return out, compile_scenario(loads_scenario(scenario_text))


@pytest.fixture(scope="module")
def diagonal(tmp_path_factory):
    from analysis.sweep import read_results

    out, compiled = write_toy_sweep(tmp_path_factory.mktemp("diag"))
    return read_results(out), compiled, out


# ----- matching settings ------------------------------------------------------------------------------
NAMES = dict(players=("A", "B"), actions=(("x", "y"), ("x", "y")))


def test_matched_equilibria_and_payoff_deltas_are_exact():
    g1 = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]], **NAMES)     # (x,x) and (y,y)
    g2 = NormalFormGame.from_bimatrix([[3, 0], [0, 1]], [[1, 0], [1, 0.5]], **NAMES)   # (x,x) only
    g3 = NormalFormGame.from_bimatrix([[0, 1], [1, 0]], [[0, 2], [1, 0]], **NAMES)     # (x,y) and (y,x)
    base, c2, c3 = (Setting(n, solve(g, "enumpure")) for n, g in (("g1", g1), ("g2", g2), ("g3", g3)))
    first, second = compare_results([base, c2, c3])
    (m,) = first.matches
    assert (m.outcome, m.how, dict(m.deltas)) == ("A=x, B=x", "outcome", {"A": 1.0, "B": 0.0})
    assert m.gains == ("A",) and m.losses == ()
    assert first.vanished == ("A=y, B=y",) and first.appeared == ()
    assert second.matches == ()
    assert set(second.vanished) == {"A=x, B=x", "A=y, B=y"}
    assert set(second.appeared) == {"A=x, B=y", "A=y, B=x"}
    text = format_comparisons([first, second])
    assert "vanished A=y, B=y" in text and "appeared A=x, B=y" in text and "A +1" in text
    assert json.loads(json.dumps(first.to_dict()))["matches"][0]["deltas"] == {"A": 1.0, "B": 0.0}


def _pennies(eps: float):
    """Matching pennies with the row player's (x, x) payoff raised by ``eps``: the column player's
    equilibrium mixture moves to q = 2 / (4 + eps) on x, the row player's stays at 1/2."""
    return NormalFormGame.from_bimatrix([[1 + eps, -1], [-1, 1]], [[-1, 1], [1, -1]], **NAMES)


def _nashpy_result(game):
    import nashpy

    eqs = [Equilibrium.certify(game, (p, q))
           for p, q in nashpy.Game(game.payoff_array(0), game.payoff_array(1)).support_enumeration()]
    return SolverResult("nashpy", game, tuple(eqs))


def test_mixed_equilibria_match_by_nearest_profile_within_tolerance():
    # Equilibria from nashpy (an independent implementation); the supports agree, so they match by
    # outcome; a support change would need the nearest-profile rule, tested with explicit profiles.
    base, moved = _nashpy_result(_pennies(0.0)), _nashpy_result(_pennies(0.04))
    (m,) = match_equilibria(base, moved).matches
    assert m.how == "outcome" and m.distance == pytest.approx(0.5 - 2 / 4.04, abs=1e-12)
    g = _pennies(0.0)
    a = SolverResult("x", g, (Equilibrium.certify(g, ([0.5, 0.5], [0.5, 0.5])),))
    b = SolverResult("x", g, (Equilibrium.certify(g, ([1.0, 0.0], [0.5 + 1e-7, 0.5 - 1e-7])),))
    (m,) = match_equilibria(a, b, tol=0.6).matches
    assert m.how == "nearest" and m.distance == pytest.approx(0.5)
    far = match_equilibria(a, b, tol=0.1)
    assert far.matches == () and len(far.vanished) == len(far.appeared) == 1


def test_bad_tolerance_and_too_few_settings_are_refused():
    g = _pennies(0.0)
    r = SolverResult("x", g, ())
    with pytest.raises(GameError, match=r"match_equilibria\(\): tol must be .* got -1"):
        match_equilibria(r, r, tol=-1)
    with pytest.raises(GameError, match="at least two settings; got 1"):
        compare_results([Setting("only", r)])


@settings(max_examples=25, deadline=None)
@given(games(max_players=3, max_actions=3), st.floats(-5, 5), st.integers(0, 2))
def test_a_constant_added_to_one_player_moves_only_that_players_payoffs(game, shift, who):
    who = who % game.n_players
    shifted = game.payoffs.copy()
    shifted[..., who] += shift
    base, other = solve(game, "enumpure"), solve(game.with_payoffs(shifted), "enumpure")
    c = match_equilibria(base, other)
    # Pure equilibria are invariant under adding a constant, so all match, one to one, by outcome.
    assert c.vanished == c.appeared == ()
    assert len(c.matches) == len(base.equilibria)
    for m in c.matches:
        assert m.how == "outcome"
        for p, d in m.deltas.items():
            assert d == pytest.approx(shift if p == game.players[who] else 0.0, abs=1e-9)


# ----- regimes and thresholds -------------------------------------------------------------------------
def test_regimes_agree_with_quantecon_on_random_points_of_the_baseline():
    import quantecon.game_theory as gt

    from sim.scenario import load_scenario

    c = compile_scenario(load_scenario("tests/data/scenarios-v1/baseline-2009.toml"))
    rng = np.random.default_rng(5)
    points = rng.uniform(c.lower, c.upper, size=(20, len(c.parameter_names)))
    labels = regimes_at(c, points)
    payoffs = c.payoffs(points)
    for label, pay in zip(labels, payoffs):
        g = gt.NormalFormGame(pay)
        found = sorted(gt.pure_nash_brute(g, tol=1e-9 * max(abs(pay).max(), 1.0)))
        expect = " | ".join(", ".join(f"{p}={c.labels[i][a]}" for i, (p, a) in enumerate(zip(c.players, prof)))
                            for prof in found) or "(none)"
        assert label == expect


@pytest.mark.slow
def test_regimes_agree_with_gambit_enumpure_on_the_baseline():
    from sim.scenario import load_scenario
    from tests.oracles import gambit_equilibria

    c = compile_scenario(load_scenario("tests/data/scenarios-v1/baseline-2009.toml"))
    # One point (starting pygambit takes seconds); payoffs are generic there, so no ties.
    point = np.random.default_rng(11).uniform(c.lower, c.upper, size=(1, len(c.parameter_names)))
    (label,) = regimes_at(c, point)
    eqs = gambit_equilibria(c.payoffs(point)[0], "enumpure")
    names = sorted(tuple(int(np.argmax(s)) for s in e) for e in eqs)
    expect = " | ".join(", ".join(f"{p}={c.labels[i][a]}" for i, (p, a) in enumerate(zip(c.players, prof)))
                        for prof in names) or "(none)"
    assert label == expect and len(names) >= 1


def test_threshold_of_the_toy_best_reply_is_found_at_one_half():
    c = compile_scenario(loads_scenario(TOY_SCENARIO))
    ((lo, hi, before, after),) = bisect_thresholds(c, [[0.2]], "a", [0.1], [0.9], tol=1e-8)
    assert lo <= 0.5 <= hi and hi - lo <= 1e-8
    assert (before, after) == ("A=x", "A=y")


@settings(max_examples=20, deadline=None)
@given(threshold_scenarios(), st.sampled_from([1e-4, 1e-7, 1e-10]))
def test_bisection_locates_a_known_threshold_within_the_stated_tolerance(case, tol):
    text, c_true = case
    c = compile_scenario(loads_scenario(text))
    ((lo, hi, before, after),) = bisect_thresholds(c, [[0.0]], "a", [0.0], [1.0], tol=tol)
    assert hi - lo <= tol
    # The crossing is within the bracket up to the solver's tie tolerance (1e-9 of the payoff scale).
    assert lo - 1e-9 <= c_true <= hi + 1e-9
    assert (before, after) == ("A=x", "A=y")


def test_grid_sweep_thresholds_lie_on_the_diagonal(diagonal):
    df, compiled, _ = diagonal
    found = find_thresholds(df, compiled, tol=1e-9)
    along_a = sorted((t.at["b"], t.value) for t in found if t.parameter == "a")
    along_b = sorted((t.at["a"], t.value) for t in found if t.parameter == "b")
    # Along a: one crossing per b line, at a = b.
    assert [b for b, _ in along_a] == B_GRID
    for b, v in along_a:
        assert v == pytest.approx(b, abs=2e-9)
    # Along b: only the a lines whose value falls strictly inside the b grid's span cross.
    assert [a for a, _ in along_b] == pytest.approx([2 / 6, 3 / 6, 4 / 6])
    for a, v in along_b:
        assert v == pytest.approx(a, abs=2e-9)
    for t in found:
        assert {t.before, t.after} == {"A=x, B=follow", "A=y, B=other"}
    grouped = summarise_thresholds(found)
    assert [(g["parameter"], g["lines"]) for g in grouped] == [("a", 3), ("b", 3)]
    assert all(g["tolerance"] <= 1e-9 for g in grouped)


def test_regime_table_reports_where_each_regime_holds(diagonal):
    df, _, _ = diagonal
    rows = {r["regime"]: r for r in regime_table(df)}
    x, y = rows["A=x, B=follow"], rows["A=y, B=other"]
    # x wins where b > a: a in {0, 1/6} on every b line, 2/6 for b >= .55, 3/6 for b >= .55, 4/6 for b = .8
    assert x["points"] == 2 * 3 + 2 + 2 + 1 and y["points"] == 21 - x["points"]
    assert x["ranges"]["a"] == [0.0, pytest.approx(4 / 6)]
    assert y["ranges"]["b"] == [0.25, 0.8]
    assert x["share"] + y["share"] == pytest.approx(1.0)


# ----- frequencies and sensitivity ----------------------------------------------------------------
def test_wilson_interval_known_values():
    # Wilson (1927); values as tabulated by Newcombe (1998), Table I: 81/263 -> 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(1.959963984540054**2 / (10 + 1.959963984540054**2))
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0 and lo == pytest.approx(1 - 1.959963984540054**2 / (10 + 1.959963984540054**2))
    with pytest.raises(GameError, match=r"wilson_interval\(\).*got 11/10"):
        wilson_interval(11, 10)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10_000), st.data())
def test_wilson_interval_contains_the_share_and_narrows_with_more_data(n, data):
    k = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    lo4, hi4 = wilson_interval(4 * k, 4 * n)
    assert hi4 - lo4 < hi - lo


def test_outcome_frequencies_count_points_not_rows():
    import pandas as pd

    df = pd.DataFrame({
        "point_id": [0, 0, 1, 2, 3],
        "method": "enumpure",
        "eq_index": [0, 1, 0, 0, -1],
        "outcome": ["A=x", "A=y", "A=x", "A=y", "(none)"],
        "regime": ["A=x | A=y", "A=x | A=y", "A=x", "A=y", "(none)"],
    })
    freq = {f["outcome"]: f for f in outcome_frequencies(df)}
    assert {k: v["points"] for k, v in freq.items()} == {"A=x": 2, "A=y": 2, "(none)": 1}
    assert freq["A=x"]["share"] == 0.5
    assert (freq["A=x"]["low"], freq["A=x"]["high"]) == wilson_interval(2, 4)


def test_sensitivity_ranks_the_parameter_that_flips_the_baseline_first():
    c = compile_scenario(loads_scenario(DIAGONAL_SCENARIO))
    rows = sensitivity(c, num=41)
    assert [r["parameter"] for r in rows] == ["a", "b", "c"]
    a, b, unused = rows
    # Baseline (a=.2, b=.6): x. Moving a over [0, 1] flips it for a >= .6 (17 of 41 values, the tie
    # at exactly .6 included, since its regime holds both outcomes).
    assert a["flip_below"] == 0.0 and a["flip_share"] == pytest.approx(17 / 41)
    # Moving b flips it for b <= .2: values 0, .025, ..., .2 are 9 of 41.
    assert b["flip_above"] == 0.0 and b["flip_share"] == pytest.approx(9 / 41)
    assert unused["flip_share"] == 0.0


def test_sweep_summary_is_json_ready_and_bisected(diagonal):
    df, compiled, _ = diagonal
    doc = sweep_summary(df, compiled, tol=1e-9)
    assert doc["thresholds_bisected"] is True
    assert [r["name"] for r in doc["regimes"]] == ["R1", "R2"]
    assert json.loads(json.dumps(doc, allow_nan=False))["points"] == 21
    coarse = sweep_summary(df, None)
    assert coarse["thresholds_bisected"] is False and "sensitivity" not in coarse
    assert max(t["tolerance"] for t in coarse["thresholds"]) == pytest.approx(0.3)


# ----- the command line ----------------------------------------------------------------------------
def test_cli_compare_json_for_settings_of_one_scenario(tmp_path, capsys):
    from analysis.cli import main

    f = tmp_path / "diag.toml"
    f.write_text(DIAGONAL_SCENARIO)
    assert main(["compare", str(f), "--at", "a=0.9", "--at", "a=0.9,b=0.95", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    first, second = doc["comparisons"]
    assert first["other"] == "diagonal[a=0.9]"
    assert first["vanished"] == ["A=x, B=follow"] and first["appeared"] == ["A=y, B=other"]
    (m,) = second["matches"]
    assert m["deltas"] == {"A": pytest.approx(0.35), "B": 0.0} and m["gains"] == ["A"]


def test_cli_compare_tables_for_a_sweep(diagonal, capsys):
    from analysis.cli import main

    df, compiled, out = diagonal
    scen = out.parent / "diagonal.toml"
    assert main(["compare", str(out), "--scenario", str(scen), "--tol", "1e-8"]) == 0
    text = capsys.readouterr().out
    assert "21 points, 2 regimes" in text and "bisected on the scenario" in text
    found = re.search(r"a = 0\.25\.\.0\.8 \(\+/- (\S+), 3 lines\): R1 -> R2", text)
    # +/- is a half-width: half of a bracket bisected to at most --tol.
    assert found and 0 < float(found.group(1)) <= 0.5e-8 and "sensitivity" in text


def test_cli_compare_refuses_a_single_setting_and_the_wrong_scenario(diagonal, tmp_path, capsys):
    from analysis.cli import main

    _, _, out = diagonal
    other = tmp_path / "toy.toml"
    other.write_text(TOY_SCENARIO)
    assert main(["compare", str(other)]) == 2
    assert "needs two of them" in capsys.readouterr().err
    assert main(["compare", str(out), "--scenario", str(other)]) == 2
    err = capsys.readouterr().err
    assert "toy.toml" in err and "content hash differs" in err and len(err.strip().splitlines()) == 1


def test_no_nan_in_regime_shares(diagonal):
    df, _, _ = diagonal
    assert all(math.isfinite(r["share"]) for r in regime_table(df))


def test_sensitivity_range_always_holds_the_default():
    # A sampled sweep's range can miss the default (here b in [.7, .9] while b defaults to .6):
    # the tornado is read around the baseline, so the range is widened to [.6, .9].
    c = compile_scenario(loads_scenario(DIAGONAL_SCENARIO))
    (b,) = sensitivity(c, parameters=["b"], ranges={"b": (0.7, 0.9)})
    assert (b["low"], b["high"]) == (0.6, 0.9) and b["flip_share"] == 0.0


# ----- equilibria that moved: "changed", with both payoffs ---------------------------------------
def test_an_equilibrium_where_one_player_switches_is_changed_with_both_payoffs():
    names = dict(players=("A", "B", "C"), actions=(("x", "y"),) * 3)
    import itertools

    def game(c_pays_y):  # A and B play x whatever; C plays y iff c_pays_y; A loses 2 when C plays y
        pay = np.zeros((2, 2, 2, 3))
        for a, b, c in itertools.product(range(2), repeat=3):
            pay[a, b, c] = (1 - a - 2 * c, 1 - b - c, (c if c_pays_y else 1 - c))
        return NormalFormGame.from_payoffs(pay, **names)

    (c,) = compare_results([Setting("before", solve(game(False), "enumpure")),
                            Setting("after", solve(game(True), "enumpure"))])
    (m,) = c.matches
    assert (m.how, m.outcome, m.other_outcome, m.changes) == ("changed", "A=x, B=x, C=x", "A=x, B=x, C=y",
                                                              ("C: x -> y",))
    assert dict(m.base_payoffs) == {"A": 1.0, "B": 1.0, "C": 1.0}
    assert dict(m.other_payoffs) == {"A": -1.0, "B": 0.0, "C": 1.0}
    assert m.losses == ("A", "B") and c.vanished == c.appeared == ()


def test_a_tree_equilibrium_that_moved_shows_who_loses_when_iran_proceeds(capsys):
    from pathlib import Path

    from analysis.cli import main

    root = Path(__file__).resolve().parent.parent
    assert main(["compare", str(root / "scenarios" / "baseline-2009.toml"), "--at", "iran_bomb_value=4"]) == 0
    text = capsys.readouterr().out
    assert "vanished" not in text and "appeared" not in text
    assert "  changed  US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt" in text
    assert "       to  US keep -> Russia deploy -> Russia shield" in text
    assert "Iran, after US drop, Russia halt, Russia pressure and NATO engage: halt -> proceed" in text
    assert "payoffs: US 3.7 -> 2.7, Russia 1.95 -> 3.05, NATO 0.8 -> -1.3, Iran 0 -> 4" in text
    assert "lose: US, NATO" in text
