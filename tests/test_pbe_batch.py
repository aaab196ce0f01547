"""pbe_batch: point by point the pure perfect Bayesian equilibria pbe_solve lists (generated trees
with chance at the root and imperfect information, generated signalling games), beer-quiche across
priors (Cho and Kreps 1987), and the 'chip that did not exist' scenario over its parameter box."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.extensive.pbe import pbe_solve
from sim.extensive.pbe_batch import pbe_batch
from sim.extensive.reduced import terminal_table
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from tests.strategies import imperfect_information_trees, signalling_games
from tests.test_extensive_pbe import beer_quiche


def _with(game: ExtensiveFormGame, payoffs: np.ndarray, probs: list) -> ExtensiveFormGame:
    """``game`` with terminal ``payoffs (T, N)`` in preorder and chance probabilities per chance
    node in preorder: the tree ``pbe_solve`` sees at one point of a batch."""
    t, c = iter(payoffs), iter(probs)

    def copy(node):
        if isinstance(node, Terminal):
            return Terminal(tuple(float(x) for x in next(t)))
        if isinstance(node, Chance):
            p = tuple(float(x) for x in next(c))
            return Chance(node.outcomes, p, tuple(copy(k) for k in node.children), node.label, node.infoset)
        return Decision(node.player, node.infoset, node.actions, tuple(copy(k) for k in node.children), node.label)

    return ExtensiveFormGame.from_root(game.players, copy(game.root))


def _chance_nodes(game):
    return [n for _, n in game.nodes() if isinstance(n, Chance)]


def assert_agrees_point_by_point(game, pay, probs):
    """pbe_batch's mask equals pbe_solve's list at every point, and the beliefs it rebuilds for
    each equilibrium are pbe_solve's."""
    r = pbe_batch(game, pay, chance_probs=probs)
    free = set()  # sizes of the free (chosen) beliefs met in equilibria
    for b in range(len(pay)):
        solved = pbe_solve(_with(game, pay[b], [p[b] for p in probs]))
        want = sorted(r.profile_index(e.details["choices"]) for e in solved.equilibria)
        assert r.at(b).tolist() == want, f"point {b}"
        for e in solved.equilibria:
            p = r.profile_index(e.details["choices"])
            assert r.behaviour(p) == e.details["behaviour"]
            assert r.assessment(b, p) == e.details["beliefs"]
            row = np.flatnonzero((r.equilibria[:, 0] == b) & (r.equilibria[:, 1] == p))
            assert r.payoffs[row[0]] == pytest.approx(e.payoffs, abs=1e-9)
            free |= {len(v["nodes"]) for v in e.details["beliefs"].values() if v["status"] == "off path, chosen"}
    return r, free


@st.composite
def chance_rooted_trees(draw):
    """Chance at the root (two or three outcomes, some drawn with probability 0), then one layered
    tree with imperfect information (:func:`tests.strategies.imperfect_information_trees`) under
    each outcome: the same moves, fresh payoffs, and each player seeing the outcome or not (a
    player who does not see it has information sets spanning the outcomes)."""
    base = draw(imperfect_information_trees(max_levels=3, max_players=3, max_actions=2))
    k = draw(st.integers(2, 3))
    n = base.n_players
    sees = [draw(st.booleans()) for _ in range(n)]
    n_profiles = math.prod(len(a) ** (k if sees[i] else 1) for i, a in base.infosets.values())
    assume(n_profiles <= 128)  # pbe_solve, the reference, enumerates them one by one
    pay = st.integers(-2, 2)

    def copy(node, o):
        if isinstance(node, Terminal):
            return Terminal(tuple(float(draw(pay)) for _ in range(n)))
        kids = tuple(copy(c, o) for c in node.children)
        if isinstance(node, Chance):
            return Chance(node.outcomes, node.probs, kids)
        name = f"{node.infoset}|root={o}" if sees[node.player] else node.infoset
        return Decision(node.player, name, node.actions, kids)

    root = Chance(tuple(f"r{o}" for o in range(k)), tuple([1.0 / k] * k), tuple(copy(base.root, o) for o in range(k)))
    return ExtensiveFormGame.from_root(base.players, root)


@st.composite
def batches(draw, game, n_points=3):
    """``n_points`` payoff assignments (small integers: ties) and chance probabilities (the root's
    in quarters or thirds, zeros included: sets only chance excludes)."""
    T, N = len(terminal_table(game)[0]), game.n_players
    pay = np.array([[[float(draw(st.integers(-2, 2))) for _ in range(N)] for _ in range(T)] for _ in range(n_points)])
    probs = []
    for c in _chance_nodes(game):
        k = len(c.probs)
        options = {2: [(0.25, 0.75), (0.5, 0.5), (0.0, 1.0), (1.0, 0.0)],
                   3: [(1 / 3, 1 / 3, 1 / 3), (0.5, 0.5, 0.0), (0.0, 0.25, 0.75), (0.0, 0.0, 1.0)]}
        probs.append(np.array([draw(st.sampled_from(options[k])) if k in options else c.probs
                               for _ in range(n_points)]))
    return pay, probs


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.filter_too_much])
@given(st.data())
def test_batch_equals_pbe_solve_point_by_point_on_chance_rooted_trees(data):
    game = data.draw(chance_rooted_trees())
    pay, probs = data.draw(batches(game))
    for n in assert_agrees_point_by_point(game, pay, probs)[1]:
        event(f"free belief over {n} nodes")


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_batch_equals_pbe_solve_point_by_point_on_signalling_games(data):
    # Three types, three responses: free beliefs over three nodes, some decided by the LP.
    game = data.draw(signalling_games(max_types=3, max_messages=2, max_responses=3))
    pay, probs = data.draw(batches(game))
    for n in assert_agrees_point_by_point(game, pay, probs)[1]:
        event(f"free belief over {n} nodes")


def test_free_beliefs_over_three_nodes_that_need_the_linear_program():
    # Three equally likely types all send m0 (m1 pays the sender nothing), so after m1 the
    # receiver's belief is free over three nodes. There r0 pays 1 at every node, r1 pays
    # (2.5, -1, -1), r2 pays (-1, 2.5, 2.5): r0 is a best reply only for mu(type 0) in [3/7, 4/7],
    # no vertex works and no response beats r0 at every node, so pbe_batch falls back to pbe_solve's
    # linear program. After m0 the receiver is indifferent.
    after_m1 = [(1.0, 2.5, -1.0), (1.0, -1.0, 2.5), (1.0, -1.0, 2.5)]  # receiver's r0, r1, r2 by type

    def sender(t):
        m0 = Decision(1, "m0", ("r0", "r1", "r2"), tuple(Terminal((2.0, 0.0)) for _ in range(3)))
        m1 = Decision(1, "m1", ("r0", "r1", "r2"), tuple(Terminal((0.0, after_m1[t][a])) for a in range(3)))
        return Decision(0, f"t{t}", ("m0", "m1"), (m0, m1))

    g = ExtensiveFormGame.from_root(("S", "R"), Chance(("a", "b", "c"), (1 / 3, 1 / 3, 1 / 3),
                                                        tuple(sender(t) for t in range(3))))
    pay = terminal_table(g)[2][None]
    r, _ = assert_agrees_point_by_point(g, pay, [np.array([[1 / 3, 1 / 3, 1 / 3]])])
    assert r.n_equilibria[0] == 9  # every response after m0 and after m1
    p = r.profile_index({"t0": "m0", "t1": "m0", "t2": "m0", "m0": "r0", "m1": "r0"})
    bounds = r.assessment(0, p)["m1"]["bounds"]
    assert bounds["root/a/m1"] == pytest.approx([3 / 7, 4 / 7])


@pytest.mark.parametrize("weak", [0.1, 0.3, 0.45, 0.55, 0.9])
def test_beer_quiche_pools_at_every_prior_below_one_half_and_has_no_pure_pbe_above(weak):
    # Cho and Kreps (1987): with a weak prior below 1/2 both pure PBE pool (on beer, and on quiche
    # with a belief of at least 1/2 on weak after beer); above 1/2 the receiver duels on the path
    # and no pure assessment survives.
    g = beer_quiche()
    pay = terminal_table(g)[2][None]
    r, _ = assert_agrees_point_by_point(g, pay, [np.array([[weak, 1 - weak]])])
    found = {tuple(r.choices(p)[t] for t in ("weak", "strong")) for p in r.at(0)}
    assert found == ({("beer", "beer"), ("quiche", "quiche")} if weak < 0.5 else set())


def test_beer_quiche_priors_in_one_batch():
    g = beer_quiche()
    priors = np.linspace(0.05, 0.95, 19)
    pay = np.broadcast_to(terminal_table(g)[2], (len(priors), 8, 2))
    r = pbe_batch(g, pay, chance_probs=[np.stack([priors, 1 - priors], axis=1)])
    assert r.n_equilibria.tolist() == [2 if w < 0.5 else 0 for w in priors]


def _chip():
    from sim.scenario import compile_scenario, load_scenario
    from sim.scenario.schema import ChanceMove

    compiled = compile_scenario(load_scenario("scenarios/chip-that-did-not-exist.toml"))
    tree = compiled.extensive_game()
    moves = [m.name for m in compiled.scenario.timing if isinstance(m, ChanceMove)]
    return compiled, tree, moves


@pytest.mark.slow
def test_chip_scenario_agrees_with_pbe_solve_across_its_box():
    from scipy.stats import qmc

    compiled, tree, moves = _chip()
    lo, hi = compiled.lower, compiled.upper
    x = qmc.Sobol(len(lo), seed=12).random(4)
    pts = np.vstack([compiled.defaults, lo + x * (hi - lo)])
    # The type prior at its ends: one type is never drawn, so its sets only chance excludes.
    at_ends = np.array([compiled.point({"p_committed": 0.0}), compiled.point({"p_committed": 1.0})])
    pts = np.vstack([pts, at_ends])
    pay = compiled.payoffs(pts).reshape(len(pts), -1, tree.n_players)  # terminals in preorder
    probs = compiled.chance_probabilities(pts)
    chance = [probs[moves.index(n.label)] for n in _chance_nodes(tree)]
    r = pbe_batch(tree, pay, chance_probs=chance)
    for b, point in enumerate(pts):
        solved = pbe_solve(compiled.extensive_game(dict(zip(compiled.parameter_names, point))))
        assert r.at(b).tolist() == sorted(r.profile_index(e.details["choices"]) for e in solved.equilibria)
        for e in solved.equilibria:
            assert r.assessment(b, r.profile_index(e.details["choices"])) == e.details["beliefs"]
    # At the defaults (the article's reading, p_committed above Russia's threshold) the bluff
    # pays: both types announce, Russia presses, the bluffing US drops.
    (p,) = r.at(0)
    c = r.choices(p)
    assert c["us_announce|us_type=committed"] == c["us_announce|us_type=bluffing"] == "announce"
    assert c["russia_answer|us_announce=announce"] == "pressure"
    assert c["us_execute|russia_answer=pressure,us_type=bluffing,us_announce=announce"] == "drop"


def test_bad_inputs_are_refused_with_the_rule_and_the_value():
    g = beer_quiche()
    pay = terminal_table(g)[2][None]
    with pytest.raises(SolverError, match=r"terminal_payoffs must have shape \(B, 8, 2\); got \(1, 8\)"):
        pbe_batch(g, pay[:, :, 0])
    with pytest.raises(SolverError, match="tol must be a finite non-negative number; got -1"):
        pbe_batch(g, pay, tol=-1)
    with pytest.raises(SolverError, match="16 pure behaviour profiles, more than max_profiles=10"):
        pbe_batch(g, pay, max_profiles=10)
    with pytest.raises(SolverError, match="one array per chance node"):
        pbe_batch(g, pay, chance_probs=[])
    with pytest.raises(SolverError, match="finite"):
        pbe_batch(g, pay * np.nan)


def test_points_are_processed_in_chunks_with_the_same_answer(monkeypatch):
    import sim.extensive.pbe_batch as mod

    g = beer_quiche()
    priors = np.linspace(0.05, 0.95, 7)
    pay = np.broadcast_to(terminal_table(g)[2], (len(priors), 8, 2))
    probs = [np.stack([priors, 1 - priors], axis=1)]
    whole = pbe_batch(g, pay, chance_probs=probs)
    monkeypatch.setattr(mod, "MEMORY_BUDGET", 1)  # one point per chunk
    one_by_one = pbe_batch(g, pay, chance_probs=probs)
    assert np.array_equal(whole.mask, one_by_one.mask)
    assert np.array_equal(whole.payoffs, one_by_one.payoffs)
