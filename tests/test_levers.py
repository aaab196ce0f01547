"""Robust levers (analysis/levers.py) and the batched equilibrium payoffs they use (sim/claims.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.levers import LeverValue, lever_report, not_dominated, parse_where
from sim.claims import _solve_payoffs, default_method, equilibrium_payoffs, evaluate_claim
from sim.errors import ScenarioError
from sim.scenario import compile_scenario, load_scenario, parse_scenario
from tests.strategies import multi_move_scenario_docs, scenario_docs

OFFER = "tests/data/levers/offer.toml"


@pytest.fixture(scope="module")
def offer():
    return compile_scenario(load_scenario(OFFER))


def test_known_answer_share_is_the_concession_and_payoff_falls_by_half(offer):
    # Russia presses iff concession > press_cost, press_cost uniform on [0, 1]: share = concession.
    # 64 scrambled-Sobol worlds put exactly one press_cost in each 1/64 of [0, 1].
    r = lever_report(offer, "concession", claim="russia_presses", player="US", samples=64, values=9)
    for v in r.values:
        assert v.share == pytest.approx(v.value, abs=1 / 64)
        # US payoff per world: 0.5 * [press] - concession; its mean is 0.5 * share - concession
        assert v.mean_payoff == pytest.approx(0.5 * v.share - v.value, abs=1e-12)
        assert v.interval[0] <= v.share <= v.interval[1]
    assert r.robust.value == 1.0
    assert [v.value for v in r.pareto] == [v.value for v in r.values]  # every value is a trade-off
    assert r.default == 0.3 and r.varied == ("press_cost",)


def test_shares_equal_point_by_point_verdicts(offer):
    r = lever_report(offer, "concession", where="path: Russia=press", samples=16, values=[0.2, 0.55, 0.9], seed=3)
    from analysis.levers import _worlds

    worlds, _, _ = _worlds(offer, "concession", 16, 3, {})
    claim = parse_where("path: Russia=press", offer)
    for v in r.values:
        verdicts = [evaluate_claim(offer, claim, {"concession": v.value, "press_cost": float(w[1])}).verdict
                    for w in worlds]
        assert v.share == verdicts.count("holds") / 16


def test_negated_condition_complements_the_share(offer):
    a = lever_report(offer, "concession", where="path: Russia=press", samples=32, values=5)
    b = lever_report(offer, "concession", where="not path: Russia=press", samples=32, values=5)
    assert [x.share + y.share for x, y in zip(a.values, b.values)] == [1.0] * 5


SIMULTANEOUS = """
[scenario]
id = "chicken"
title = "Chicken with a side payment"
timing = "simultaneous"
[parameters]
payment = { default = 0.5, min = 0, max = 3 }
crash = { default = 4, min = 1, max = 6, assumption = true }
[players.A]
actions = ["swerve", "straight"]
[players.B]
actions = ["swerve", "straight"]
[[goals]]
player = "A"
name = "win"
weight = 1
rules = [{ when = { A = "straight", B = "swerve" }, value = 2 }, { when = { A = "straight", B = "straight" }, value = "-crash" }]
[[goals]]
player = "A"
name = "pay"
weight = "-payment"
rules = [{ when = { B = "swerve" }, value = 1 }]
[[goals]]
player = "B"
name = "win"
weight = 1
rules = [{ when = { B = "straight", A = "swerve" }, value = 2 }, { when = { A = "straight", B = "straight" }, value = "-crash" },
         { when = { B = "swerve" }, value = "payment" }]
"""


def test_simultaneous_game_is_measured_point_by_point_and_agrees():
    from sim.scenario import loads_scenario

    c = compile_scenario(loads_scenario(SIMULTANEOUS))
    r = lever_report(c, "payment", where="path: B=swerve", player="A", samples=8, values=[0.0, 2.5])
    from analysis.levers import _worlds

    worlds, _, _ = _worlds(c, "payment", 8, 0, {})
    claim = parse_where("path: B=swerve", c)
    for v in r.values:
        expected = [evaluate_claim(c, claim, {"payment": v.value, "crash": float(w[1])}).verdict for w in worlds]
        assert v.share == expected.count("holds") / 8
        assert v.undecided == expected.count("undecided")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(multi_move_scenario_docs(), scenario_docs(sequential=True)), st.integers(0, 2**31 - 1))
def test_batched_payoffs_equal_point_by_point(doc, seed):
    c = compile_scenario(parse_scenario(doc))
    # the batched route is for perfect-information trees; the others go point by point anyway
    assume(c.sequential and c.game().perfect_information)
    rng = np.random.default_rng(seed)
    pts = np.repeat(c.defaults[None], 4, axis=0)
    for k in range(len(c.parameter_names)):
        if np.isfinite(c.lower[k]) and np.isfinite(c.upper[k]):
            pts[:, k] = rng.uniform(c.lower[k], c.upper[k], 4)
    got = equilibrium_payoffs(c, pts)
    method = default_method(c)
    for b in range(4):
        want = _solve_payoffs(c, method, dict(zip(c.parameter_names, pts[b].tolist())))
        if want is None:
            assert np.all(np.isnan(got[b]))
        else:
            assert np.allclose(got[b], want, atol=1e-9 * (1 + np.abs(want).max()))


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(-5, 5)), min_size=1, max_size=12))
def test_not_dominated_is_the_pareto_set(pairs):
    rows = [LeverValue(float(k), s, (0.0, 1.0), m, m, 0) for k, (s, m) in enumerate(pairs)]
    front = not_dominated(rows)
    assert front, "a finite set has a non-dominated member"
    for r in rows:
        beaten = any(o.share >= r.share and o.mean_payoff >= r.mean_payoff
                     and (o.share, o.mean_payoff) != (r.share, r.mean_payoff) for o in rows)
        assert (r in front) == (not beaten)


@pytest.mark.parametrize("text, msg", [
    ("Russia=press", "write a condition as"),
    ("path: Putin=press", "unknown move"),
    ("path: Russia=bomb", "unknown action of move Russia"),
    ("path: Russia press", "write each part as MOVE=ACTION"),
])
def test_bad_conditions_are_named(offer, text, msg):
    with pytest.raises(ScenarioError, match=msg):
        parse_where(text, offer)


@pytest.mark.parametrize("argv, msg", [
    (["--lever", "nope", "--claim", "russia_presses"], "--lever: no such parameter"),
    (["--lever", "concession", "--claim", "nope"], "--claim: no such claim"),
    (["--lever", "concession", "--claim", "russia_presses", "--values", "0.5,7"], "outside the parameter's range"),
    (["--lever", "concession", "--claim", "russia_presses", "--player", "Iran"], "--player: no such player"),
    (["--lever", "concession", "--claim", "russia_presses", "--set", "concession=0.2"], "cannot also be held fixed"),
    (["--lever", "concession", "--claim", "russia_presses", "--samples", "0"], "between 1 and 100000 worlds"),
])
def test_cli_bad_input_is_one_line_exit_2(capsys, argv, msg):
    assert main(["levers", OFFER, *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and msg in err[0] and OFFER in err[0]


def test_cli_json_and_chart(tmp_path, capsys):
    chart = tmp_path / "lever.svg"
    assert main(["levers", OFFER, "--lever", "concession", "--claim", "russia_presses", "--player", "US",
                 "--values", "3", "--samples", "8", "--json", "--chart", str(chart)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lever"] == "concession" and doc["player"] == "US" and doc["robust"]["value"] == 1.0
    assert [v["value"] for v in doc["values"]] == [0.0, 0.5, 1.0]
    assert set(doc["values"][0]) == {"value", "share", "share_interval", "mean_payoff", "low_payoff", "undecided"}
    svg = chart.read_text()
    assert 'id="robust' in svg and "most robust: 1" in svg and "US's payoff" in svg


def test_chart_marks_the_robust_and_default_values(offer):
    from analysis.charts import lever_chart

    r = lever_report(offer, "concession", claim="russia_presses", player="US", samples=8, values=3)
    fig = lever_chart(r)
    top, bottom = fig.axes
    assert {line.get_gid() for line in top.lines} >= {"robust", "default"}
    labels = [t.get_text() for t in top.get_legend().get_texts()]
    assert "most robust: 1" in labels and "scenario's value: 0.3" in labels
    fig.canvas.draw()
    # nothing drawn outside the figure (titles, labels, legends: constrained layout keeps them in)
    drawn = fig.get_tightbbox(fig.canvas.get_renderer())
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01
    assert drawn.x1 <= fig.bbox_inches.x1 + 0.01 and drawn.y1 <= fig.bbox_inches.y1 + 0.01


def test_the_lever_must_have_a_range():
    from sim.scenario import loads_scenario

    c = compile_scenario(loads_scenario(SIMULTANEOUS.replace("payment = { default = 0.5, min = 0, max = 3 }",
                                                             "payment = 0.5")))
    with pytest.raises(ScenarioError, match="a lever needs a range"):
        lever_report(c, "payment", where="path: B=swerve")
    assert scenario_docs  # the shared generators stay importable here


def _with_lever(spec: str) -> str:
    return SIMULTANEOUS.replace("payment = { default = 0.5, min = 0, max = 3 }", spec)


@pytest.mark.parametrize("spec, msg", [
    ('payment = { default = 0.5, min = 0, max = 3, lever = "C" }', "parameters.payment.lever: must name a player"),
    ('payment = { default = 0.5, lever = "A" }', "a lever needs min and max"),
    ('payment = { default = 0.5, min = 0, max = 3, lever = 3 }', "parameters.payment.lever: must be a player name"),
])
def test_a_lever_names_a_player_and_has_a_range(spec, msg):
    from sim.scenario import loads_scenario

    with pytest.raises(ScenarioError, match=msg):
        loads_scenario(_with_lever(spec))


def test_a_declared_lever_round_trips_and_sets_the_defaults(tmp_path, capsys):
    from sim.scenario import loads_scenario
    from sim.scenario.dump import dump_scenario

    s = loads_scenario(_with_lever('payment = { default = 0.5, min = 0, max = 3, lever = "A" }'))
    assert s.parameter("payment").lever == "A"
    assert loads_scenario(dump_scenario(s)) == s
    # the command takes the declared lever and its owner when none is named
    assert main(["levers", OFFER, "--claim", "russia_presses", "--values", "3", "--samples", "8", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lever"] == "concession" and doc["player"] == "US"
    f = tmp_path / "chicken.toml"
    f.write_text(SIMULTANEOUS)
    assert main(["levers", str(f), "--where", "path: B=swerve"]) == 2
    assert "--lever: name the lever: the scenario declares 0" in capsys.readouterr().err


def test_report_states_the_most_robust_lever_value(offer):
    from analysis.report import build_report
    from analysis.sources import load_source

    report = build_report([load_source(OFFER)], title="t", tol=1e-6, logit=False, command=None)
    texts = [b.text for b in report.blocks]
    assert "Levers" in texts
    table = next(b for b in report.blocks[texts.index("Levers"):] if b.kind == "table")
    assert table.rows[0][:2] == ["concession (US)", "russia_presses"]
    assert table.rows[0][2].startswith("1: 100%")  # the full concession makes Russia press everywhere
