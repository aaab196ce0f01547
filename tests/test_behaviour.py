"""Behaviour profiles measured on the tree (sim.extensive.behaviour) against the reduced normal form."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import GameError
from sim.extensive.behaviour import (best_response_values, expected_payoffs, flatten, has_reduced_view,
                                     recall_violation, reduced_strategy_counts, regret)
from sim.extensive.reduced import mixed_from_behaviour, reduced_strategies
from sim.formats.efg import read_efg
from sim.result import Equilibrium
from tests.strategies import (behaviour_profiles, imperfect_information_trees, perfect_information_trees,
                              signalling_games)

DATA = Path(__file__).parent / "data" / "gambit"
ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests
trees = st.one_of(imperfect_information_trees(), perfect_information_trees(), signalling_games())


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_regret_on_the_tree_equals_regret_on_the_reduced_normal_form(data):
    game = data.draw(trees)
    behaviour = data.draw(behaviour_profiles(game))
    nf = game.reduced_normal_form()
    eq = Equilibrium.certify(nf, mixed_from_behaviour(game, behaviour))
    scale = max(1.0, float(np.abs(nf.payoffs).max(initial=0.0)))
    np.testing.assert_allclose(expected_payoffs(game, behaviour), eq.payoffs, atol=1e-9 * scale)
    assert abs(float(regret(game, behaviour).max(initial=0.0)) - eq.max_regret) <= 1e-9 * scale


@settings(max_examples=60, deadline=None)
@given(trees)
def test_reduced_strategy_count_on_the_tree_equals_the_enumeration(game):
    assert reduced_strategy_counts(flatten(game)).tolist() == [float(len(s)) for s in reduced_strategies(game)]


@settings(max_examples=60, deadline=None)
@given(trees)
def test_flat_tree_keeps_the_game_s_infoset_order_and_preorder(game):
    flat = flatten(game)
    assert flat.infoset_names == tuple(game.infosets)
    order = [flat.nodes[k] for k in np.argsort(flat.preorder)]
    assert all(a is b for a, (_, b) in zip(order, game.nodes()))
    _assert_flat_arrays_describe_the_nodes(game, flat)


def _assert_flat_arrays_describe_the_nodes(game, flat):
    """Every array of the flat layout, read against the node objects one node at a time."""
    from sim.extensive.tree import Chance, Decision, Terminal

    assert len(flat.nodes) == game.n_nodes
    names = list(game.infosets)
    for x, node in enumerate(flat.nodes):
        kids = () if isinstance(node, Terminal) else node.children
        assert flat.count[x] == len(kids)
        assert all(flat.nodes[flat.first[x] + k] is c and flat.parent[flat.first[x] + k] == x
                   and flat.action[flat.first[x] + k] == k for k, c in enumerate(kids))
        if isinstance(node, Terminal):
            assert flat.kind[x] == 0 and flat.payoffs[x].tolist() == list(node.payoffs)
        elif isinstance(node, Chance):
            assert flat.kind[x] == 1
            assert [flat.edge[flat.first[x] + k] for k in range(len(kids))] == list(node.probs)
        else:
            assert isinstance(node, Decision) and flat.kind[x] == 2 and flat.player[x] == node.player
            h = flat.infoset[x]
            assert names[h] == node.infoset and flat.infoset_actions[h] == node.actions
            assert flat.infoset_player[h] == node.player and flat.n_actions[h] == len(node.actions)


@settings(max_examples=60, deadline=None)
@given(perfect_information_trees(max_depth=4, max_outcomes=3))
def test_flat_layout_of_perfect_information_trees_with_three_way_chance(game):
    flat = flatten(game)
    assert flat.infoset_names == tuple(game.infosets)
    _assert_flat_arrays_describe_the_nodes(game, flat)


def test_recall_check_on_the_tree_agrees_with_the_game_on_every_gambit_file():
    for path in sorted(DATA.glob("*.efg")):
        game = read_efg(path)
        assert (recall_violation(flatten(game)) is None) == game.perfect_recall(), path.name


def test_regret_matches_the_reduced_normal_form_on_gambit_files():
    rng = np.random.default_rng(3)
    for name in ("e07.efg", "montyhal.efg", "condjury.efg", "bayes2a.efg", "4cards.efg"):
        game = read_efg(DATA / name)
        nf = game.reduced_normal_form()
        for _ in range(3):
            b = {h: rng.dirichlet(np.ones(len(a))) for h, (_, a) in game.infosets.items()}
            eq = Equilibrium.certify(nf, mixed_from_behaviour(game, b))
            assert abs(regret(game, b).max() - eq.max_regret) < 1e-9, name


def test_best_response_value_is_never_below_the_current_value():
    game = read_efg(DATA / "montyhal.efg")
    b = {h: np.full(len(a), 1 / len(a)) for h, (_, a) in game.infosets.items()}
    assert np.all(best_response_values(game, b) >= expected_payoffs(game, b) - 1e-12)


def test_a_bad_behaviour_profile_is_refused_naming_the_information_set():
    game = read_efg(DATA / "e07.efg")
    b = {h: np.full(len(a), 1 / len(a)) for h, (_, a) in game.infosets.items()}
    h = next(iter(b))
    with pytest.raises(GameError, match=re.escape(f"information set {h!r}")):
        regret(game, {k: v for k, v in b.items() if k != h})
    with pytest.raises(GameError, match="finite probabilities"):
        regret(game, {**b, h: [0.5]})


def test_the_sequential_baseline_is_too_large_for_the_reduced_view_and_is_solved_on_the_tree():
    """The issue's example: US, then Russia, then NATO, then Iran (32 end points); Iran alone has
    2**16 reduced strategies, over the reduced form's limit, and spe needs none of them."""
    import json

    from sim.extensive.spe import spe_solve
    from sim.extensive.tree import ExtensiveFormGame
    from sim.scenario import compile_scenario, loads_scenario

    text = (V1 / "baseline-2009.toml").read_text().replace(
        'timing = "simultaneous"',
        'timing = [{ player = "US" }, { player = "Russia", observes = ["US"] }, '
        '{ player = "NATO", observes = ["US", "Russia"] }, { player = "Iran", observes = ["US", "Russia", "NATO"] }]')
    game = compile_scenario(loads_scenario(text)).game()
    flat = flatten(game)
    assert reduced_strategy_counts(flat).tolist() == [2.0, 256.0, 16.0, 65536.0] and not has_reduced_view(flat)
    result = spe_solve(game)  # its time is measured in benchmarks/bench_tree.py, not here
    assert isinstance(result.game, ExtensiveFormGame) and result.equilibria and result.complete
    for eq in result.equilibria:
        assert eq.profile == () and eq.is_pure and eq.max_regret <= 1e-9
        assert eq.details["subgame_regret"] <= 1e-9
        assert [s["mover"] for s in eq.details["path"]] == ["US", "Russia", "NATO", "Iran"]
    doc = json.loads(json.dumps(result.to_dict()))
    first = doc["equilibria"][0]
    assert set(first["behaviour"]) == set(game.players) and first["behaviour"]["US"]["US"]
    assert first["details"]["plan"]["Iran"]


@settings(max_examples=40, deadline=None)
@given(imperfect_information_trees(max_levels=3))
def test_every_spe_of_an_imperfect_information_tree_has_zero_regret_in_every_subgame(game):
    from sim.extensive.spe import spe_solve

    result = spe_solve(game)
    scale = max(1.0, float(np.abs(flatten(game).payoffs).max(initial=0.0)))
    for eq in result.equilibria:
        assert max(eq.details["regret_by_player"].values()) <= 1e-6 * scale
        assert eq.details["subgame_regret"] is None or eq.details["subgame_regret"] <= 1e-6 * scale


def _old_details(game, eq):
    """The per-information-set details as spe_solve built them as dictionaries (the reference)."""
    flat = flatten(game)
    seq = flat.sequences(eq.behaviour)
    names, lst = flat.infoset_names, seq.tolist()
    starts, ends = flat.seq_start.tolist(), (flat.seq_start + flat.n_actions).tolist()
    owner = np.repeat(np.arange(len(names)), flat.n_actions)
    on = np.flatnonzero(seq > 1 - 1e-12)
    choices = {names[h]: flat.infoset_actions[h][k]
               for h, k in zip(owner[on].tolist(), (on - flat.seq_start[owner[on]]).tolist())}
    plan = {p: {} for p in game.players}
    for h, i, a, b, acts in zip(names, flat.infoset_player.tolist(), starts, ends, flat.infoset_actions):
        plan[game.players[i]][h] = choices[h] if h in choices else {x: p for x, p in zip(acts, lst[a:b]) if p > 1e-12}
    return {"behaviour": {h: lst[a:b] for h, a, b in zip(names, starts, ends)}, "choices": choices, "plan": plan}


@settings(max_examples=40, deadline=None)
@given(st.one_of(perfect_information_trees(), imperfect_information_trees(max_levels=3)))
def test_spe_details_read_from_arrays_equal_the_dictionaries(game):
    """The views over the flat profile hold, in the same order, what the dictionaries held; JSON
    and repr are the dictionaries' too."""
    import json

    from sim.extensive.spe import equilibrium_path, spe_solve
    from sim.result import jsonable

    result = spe_solve(game)
    for eq in result.equilibria:
        old = _old_details(game, eq)
        for key in ("behaviour", "choices", "plan"):
            assert eq.details[key] == old[key]
            assert json.dumps(jsonable(eq.details[key])) == json.dumps(old[key])
            assert repr(eq.details[key]) == repr(old[key])
        assert list(eq.behaviour) == list(game.infosets)
        assert all(not v.flags.writeable for v in eq.behaviour.values())
        assert eq.details["path"] == equilibrium_path(game, eq.behaviour)
        assert all(h in eq.details["choices"] for h in old["choices"]) and "no such set" not in eq.behaviour
    assert dict(result.details["infosets"]) == {h: {"player": game.players[i], "actions": list(a)}
                                                for h, (i, a) in game.infosets.items()}


def test_from_root_keeps_a_well_typed_tree_and_reports_the_first_bad_node_otherwise():
    from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal

    good = Decision(0, "a", ("l", "r"), (Terminal((0.0, 1.0)), Decision(1, "b", ("x", "y"), (
        Terminal((1.0, 0.0)), Terminal((2.0, 2.0))))))
    assert ExtensiveFormGame.from_root(("A", "B"), good).root is good
    loose = Decision(0, "a", ["l", "r"], [Terminal([0, 1]), Terminal((1.0, 0.0))])
    g = ExtensiveFormGame.from_root(("A", "B"), loose)
    assert g.root == Decision(0, "a", ("l", "r"), (Terminal((0.0, 1.0)), Terminal((1.0, 0.0))))
    bad = [(Decision(0, "a", ("l", "r"), (Terminal((0.0, float("nan"))), Terminal((1.0, 0.0)))),
            "payoffs at root/l must be finite"),
           (Decision(0, "a", ("l", "r"), (Terminal((0.0,)), Terminal((1.0, 0.0)))), "payoffs at root/l must have"),
           (Decision(0, "a", ("l", "r"), (Decision(1, "a", ("l", "r"), (Terminal((0.0, 0.0)),) * 2),
                                           Terminal((1.0, 0.0)))), "'a' at root/l belongs to player 0"),
           (Decision(0, "a", ("l", "r"), (Decision(0, "b", ("x", "y"), (Terminal((0.0, 0.0)),) * 2),
                                           Decision(0, "b", ("x", "z"), (Terminal((0.0, 0.0)),) * 2))),
            "'b' at root/r must have the actions"),
           (Decision(0, "a", ("l", "l"), (Terminal((0.0, 0.0)),) * 2), "actions at root must be unique"),
           (Decision(2, "a", ("l", "r"), (Terminal((0.0, 0.0)),) * 2), "player at root must be an index"),
           (Decision(True, "a", ("l", "r"), (Terminal((0.0, 0.0)),) * 2), "player at root must be an index"),
           (Decision(0, "a", ("l", "r"), (Terminal((0.0, 0.0)),)), "has 2 actions but 1 children")]
    for root, message in bad:
        with pytest.raises(GameError, match=re.escape(message)):
            ExtensiveFormGame.from_root(("A", "B"), root)
