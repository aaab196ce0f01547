"""Notebook displays (sim/display.py): action names, measured regret, escaping, capped tables."""

from __future__ import annotations

import html

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.display import MAX_ROWS, game_html, number, result_frame, result_html, scenario_html, strategy_text
from sim.game import NormalFormGame
from sim.registry import solve
from sim.scenario.compile import compile_scenario
from sim.scenario.load import load_scenario, loads_scenario
from tests.strategies import games, scenarios


@settings(max_examples=25, deadline=None)
@given(games(max_players=3, max_actions=3))
def test_frame_has_one_row_per_equilibrium_with_its_payoffs_and_regret(game):
    result = solve(game, "enumpure")
    frame = result_frame(result)
    assert len(frame) == len(result.equilibria)
    for k, eq in enumerate(result.equilibria):
        for i, p in enumerate(game.players):
            assert frame.loc[k, p] == game.actions[i][eq.pure_profile[i]]
            assert np.isclose(frame.loc[k, f"payoff {p}"], eq.payoffs[i], atol=1e-12 * (1 + abs(eq.payoffs[i])))
            assert frame.loc[k, f"{p}: {game.actions[i][eq.pure_profile[i]]}"] == 1.0
        assert frame.loc[k, "max_regret"] == eq.max_regret


def test_mixed_strategy_is_shown_with_its_probabilities():
    pennies = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]],
                                           actions=(("heads", "tails"), ("heads", "tails")))
    result = solve(pennies, "enummixed")
    assert result_frame(result).iloc[0, 0] == "heads 0.5, tails 0.5"
    page = result_html(result)
    assert "heads 0.5, tails 0.5" in page and "1 equilibrium (complete)" in page
    assert repr(result).startswith("SolverResult('enummixed': 1 equilibrium, complete=True")


def test_empty_result_gives_an_empty_frame_with_the_columns():
    # a game with no pure equilibrium
    pennies = NormalFormGame.from_bimatrix([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    frame = solve(pennies, "enumpure").to_frame()
    assert frame.empty and list(frame.columns)[:2] == ["1", "2"]


@given(st.floats(-1e-10, 1e-10))
def test_round_off_is_shown_as_zero(x):
    assert number(x) == "0" or abs(x) >= 1e-9


def test_strategy_text_drops_zero_probabilities():
    assert strategy_text(("a", "b", "c"), [0.5, 0.0, 0.5]) == "a 0.5, c 0.5"


def test_large_games_are_capped_with_a_note():
    game = NormalFormGame.from_payoffs(np.zeros((4, 4, 4, 3)))
    page = game_html(game)
    assert page.count("<tr>") == MAX_ROWS + 1  # header + capped rows
    assert f"{MAX_ROWS} of 64 rows shown" in page


def test_user_text_is_escaped():
    s = loads_scenario('''
[scenario]
id = "x"
title = "<script>alert(1)</script>"
timing = "simultaneous"
[players.A]
actions = ["a", "b"]
[players.B]
actions = ["a", "b"]
[[goals]]
player = "A"
name = "g"
weight = 1
quote = "<img src=x onerror=alert(2)>"
rules = [{ when = { A = "a" }, value = 1 }]
[[goals]]
player = "B"
name = "g"
weight = 1
rules = [{ when = { B = "a" }, value = 1 }]
''')
    page = scenario_html(s)
    assert "<script" not in page and "<img" not in page
    assert html.escape("<img src=x onerror=alert(2)>") in page


@settings(max_examples=15, deadline=None)
@given(scenarios())
def test_every_scenario_shows_every_goal_and_parameter(scenario):
    page = scenario._repr_html_()
    for g in scenario.goals:
        assert html.escape(g.name) in page
    for p in scenario.parameters:
        assert html.escape(p.name) in page
    assert repr(scenario).startswith(f"Scenario({scenario.id!r}")


def test_tree_result_names_its_decision_points():
    compiled = compile_scenario(load_scenario("scenarios/baseline-2009.toml"))
    tree = compiled.extensive_game()
    assert "decision points" in tree._repr_html_()
    frame = solve(tree, "spe").to_frame()
    assert frame.loc[0, "US"] == "US (us_plan), at the start: drop"
    assert frame.loc[0, "play"] == "US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt"
    assert "Iran, after US joint, Russia halt, Russia pressure and NATO engage: halt" in frame.loc[0, "Iran"]
    page = solve(tree, "spe")._repr_html_()
    assert "US drop -&gt; Russia halt" in page and "|us_plan=" not in page.split("<table>")[1].split("</tr>")[0]
    assert "Russia (russia_kaliningrad), after US keep" in tree._repr_html_()
    assert "<table>" in compiled._repr_html_()
