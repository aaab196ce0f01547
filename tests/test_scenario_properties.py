"""Properties of scenario loading and compilation over generated scenarios."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import compile_scenario, dump_scenario, loads_scenario, parse_scenario
from sim.solvers import solve
from tests.strategies import chance_moves, scenario_docs, scenarios, toml_text


def direct_payoffs(doc: dict, point: dict[str, float]) -> dict[tuple[str, ...], list[float]]:
    """Rule-by-rule evaluation of every outcome, straight from the document (no tensors)."""
    def resolve(x):
        return point[x] if isinstance(x, str) else float(x)

    players = list(doc["players"])
    timing = doc["scenario"]["timing"]
    if timing == "simultaneous":
        movers = [(p, doc["players"][p]["actions"]) for p in players]
    else:
        movers = [(m["chance"], list(m["outcomes"])) if "chance" in m else (m["player"], doc["players"][m["player"]]["actions"])
                  for m in timing]
    out = {}
    for labels in itertools.product(*(a for _, a in movers)):
        outcome = dict(zip((m for m, _ in movers), labels))
        u = [0.0] * len(players)
        for g in doc["goals"]:
            for r in g["rules"]:
                holds = all(outcome[m] in ([a] if isinstance(a, str) else a) for m, a in r.get("when", {}).items())
                if holds:
                    u[players.index(g["player"])] += resolve(g["weight"]) * resolve(r["value"])
        out[labels] = u
    return out


def defaults_of(doc) -> dict[str, float]:
    return {k: (v["default"] if isinstance(v, dict) else float(v)) for k, v in doc.get("parameters", {}).items()}


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_load_dump_load_is_identity(scenario):
    again = loads_scenario(dump_scenario(scenario))
    assert again == scenario
    assert dump_scenario(again) == dump_scenario(scenario)


@settings(max_examples=60, deadline=None)
@given(scenario_docs())
def test_text_round_trip_through_tomllib_gives_the_same_scenario(doc):
    assert loads_scenario(toml_text(doc)) == parse_scenario(doc)


@settings(max_examples=60, deadline=None)
@given(scenario_docs(), st.data())
def test_compiled_payoffs_equal_rule_by_rule_evaluation(doc, data):
    compiled = compile_scenario(parse_scenario(doc))
    point = defaults_of(doc)
    for name in list(point):
        spec = doc["parameters"][name]
        if isinstance(spec, dict):  # move inside the bounds, so non-default points are covered too
            point[name] = data.draw(st.sampled_from([spec["min"], spec["default"], spec["max"]]))
    theta = np.array([point[n] for n in compiled.parameter_names]).reshape(1, -1)
    payoffs = compiled.payoffs(theta)[0]
    expected = direct_payoffs(doc, point)
    assert payoffs.shape == (*compiled.outcome_shape, len(doc["players"]))
    for labels, u in expected.items():
        idx = tuple(compiled.labels[k].index(a) for k, a in enumerate(labels))
        np.testing.assert_allclose(payoffs[idx], u, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(scenario_docs(), st.integers(1, 7), st.integers(0, 2**32 - 1))
def test_batch_payoffs_equal_per_point_payoffs(doc, batch, seed):
    compiled = compile_scenario(parse_scenario(doc))
    rng = np.random.default_rng(seed)
    lo = np.where(np.isfinite(compiled.lower), compiled.lower, -3.0)
    hi = np.where(np.isfinite(compiled.upper), compiled.upper, 3.0)
    points = rng.uniform(lo, hi, size=(batch, len(compiled.parameter_names)))
    together = compiled.payoffs(points)
    for b in range(batch):
        one = compiled.payoffs(points[b:b + 1])[0]
        np.testing.assert_allclose(together[b], one, rtol=1e-12, atol=1e-12)
        overrides = dict(zip(compiled.parameter_names, points[b]))
        if not compiled.sequential:
            np.testing.assert_allclose(compiled.game(overrides).payoffs, one, rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(scenario_docs(sequential=False), st.randoms(use_true_random=False))
def test_equilibria_do_not_change_when_goals_are_listed_in_another_order(doc, rnd):
    shuffled = dict(doc, goals=list(doc["goals"]))
    rnd.shuffle(shuffled["goals"])
    a = compile_scenario(parse_scenario(doc)).game()
    b = compile_scenario(parse_scenario(shuffled)).game()
    ea = sorted(e.pure_profile for e in solve(a, "enumpure").equilibria)
    eb = sorted(e.pure_profile for e in solve(b, "enumpure").equilibria)
    assert ea == eb
    np.testing.assert_allclose(a.payoffs, b.payoffs, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(scenario_docs(sequential=True))
def test_sequential_tree_terminals_match_the_compiled_payoffs(doc):
    compiled = compile_scenario(parse_scenario(doc))
    tree = compiled.game()
    assert tree.perfect_recall()
    payoffs = compiled.payoffs(compiled.defaults[None])[0]
    from sim.extensive.tree import Chance, Decision, Terminal

    def walk(node, idx):
        if isinstance(node, Terminal):
            np.testing.assert_allclose(node.payoffs, payoffs[idx], atol=1e-12)
            return 1
        assert isinstance(node, (Chance, Decision))
        return sum(walk(c, idx + (k,)) for k, c in enumerate(node.children))

    assert walk(tree.root, ()) == compiled.n_outcomes


def test_observation_makes_information_sets():
    doc = {
        "scenario": {"id": "obs", "title": "obs", "timing": [
            {"chance": "type", "outcomes": {"hi": 0.25, "lo": "rest"}},
            {"player": "A", "observes": ["type"]},
            {"player": "B", "observes": ["A"]},
        ]},
        "players": {"A": {"actions": ["x", "y"]}, "B": {"actions": ["l", "r"]}},
        "goals": [{"player": "A", "name": "g", "weight": 1, "rules": [{"when": {"type": "hi", "B": "l"}, "value": 2}]}],
    }
    compiled = compile_scenario(parse_scenario(doc))
    tree = compiled.game()
    infosets = dict(tree.infosets)
    # A sees the type: two information sets; B sees only A's action: two, each spanning both types.
    assert sorted(k for k in infosets if k.startswith("A")) == ["A|type=hi", "A|type=lo"]
    assert sorted(k for k in infosets if k.startswith("B")) == ["B|A=x", "B|A=y"]
    assert tree.infoset_sizes["B|A=x"] == 2
    assert tree.root.probs == (0.25, 0.75)
    np.testing.assert_allclose(compiled.chance_probabilities(np.zeros((1, 0)))[0], [[0.25, 0.75]])


def test_parameter_products_are_single_monomials():
    text = """
[scenario]
id = "mono"
title = "mono"
timing = "simultaneous"
[parameters]
w = { default = 2, min = 0, max = 4 }
v = { default = 3, min = -1, max = 5 }
[players.A]
actions = ["a", "b"]
[[goals]]
player = "A"
name = "g"
weight = "w"
rules = [{ when = { A = "a" }, value = "v" }, { when = { A = "b" }, value = "w" }]
"""
    compiled = compile_scenario(loads_scenario(text))
    out = compiled.payoffs(np.array([[2.0, 3.0], [4.0, -1.0], [0.5, 0.0]]))
    np.testing.assert_allclose(out[..., 0], [[6.0, 4.0], [-4.0, 16.0], [0.0, 0.25]])
    assert len(compiled.monomials) == 2  # w*v and w*w


@pytest.mark.slow
def test_payoffs_of_100k_points_are_one_product():
    from sim.scenario import load_scenario

    compiled = compile_scenario(load_scenario("tests/data/scenarios-v1/baseline-2009.toml"))
    rng = np.random.default_rng(0)
    points = rng.uniform(compiled.lower, compiled.upper, size=(100_000, len(compiled.parameter_names)))
    out = compiled.payoffs(points)  # its speed is benchmarks/ business, not a timed test's
    assert out.shape == (100_000, 2, 2, 4, 2, 4)
    np.testing.assert_allclose(out[12345], compiled.game(dict(zip(compiled.parameter_names, points[12345]))).payoffs)


@settings(max_examples=25, deadline=None)
@given(chance_moves(), st.floats(0.0, 1.0))
def test_chance_probabilities_with_rest_anywhere(move, shrink):
    """A chance move's probabilities, ``rest`` included, reach the game tree and the batched
    probabilities of sweep points exactly as written: ``rest`` is one minus all the others
    (not only the first), in any position, with three or more outcomes."""
    outcomes, params, probs = move
    doc = {
        "scenario": {"id": "chance", "title": "chance", "timing": [
            {"chance": "nature", "outcomes": outcomes}, {"player": "A", "observes": ["nature"]}]},
        "players": {"A": {"actions": ["x", "y"]}},
        "goals": [{"player": "A", "name": "g", "weight": 1,
                   "rules": [{"when": {"nature": "o0", "A": "x"}, "value": 1}]}],
    }
    if params:
        doc["parameters"] = params
    compiled = compile_scenario(parse_scenario(doc))
    root = compiled.game().root
    np.testing.assert_allclose(root.probs, probs, rtol=0, atol=1e-12)
    (batch,) = compiled.chance_probabilities(compiled.defaults[None])
    np.testing.assert_allclose(batch[0], probs, rtol=0, atol=1e-12)
    if params:  # a sweep point with every parameter shrunk: rest takes up what they give away
        point = compiled.defaults * shrink
        expected = [point[compiled.parameter_names.index(p)] if isinstance(p, str) and p != "rest"
                    else (p if p != "rest" else 0.0) for p in outcomes.values()]
        expected[list(outcomes.values()).index("rest")] = 1.0 - sum(expected)
        (batch,) = compiled.chance_probabilities(point[None])
        np.testing.assert_allclose(batch[0], expected, rtol=0, atol=1e-12)
