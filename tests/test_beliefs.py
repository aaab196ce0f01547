"""Belief thresholds: textbook thresholds (Cho and Kreps 1987; Gibbons 1992), the best answer
flips exactly at each threshold (checked on both sides), and the regions of larger information
sets hold exactly the beliefs where their action is a best answer."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import GameError
from sim.extensive.beliefs import belief_thresholds
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from tests.strategies import behaviour_profiles, imperfect_information_trees, signalling_games
from tests.test_extensive_pbe import beer_quiche, gibbons_4_2


def _receiver_game(payoffs, probs=None):
    """Chance draws one of ``len(payoffs)`` types; each type's only message leads to one receiver
    information set ``h``; ``payoffs[x][a]`` is the receiver's payoff at type ``x`` after action ``a``."""
    n, m = len(payoffs), len(payoffs[0])
    probs = probs or [1.0 / n] * n
    kids = tuple(Decision(0, f"s{x}", ("go",), (Decision(1, "h", tuple(f"a{a}" for a in range(m)), tuple(
        Terminal((0.0, float(payoffs[x][a]))) for a in range(m))),)) for x in range(n))
    return ExtensiveFormGame.from_root(("S", "R"), Chance(tuple(f"t{x}" for x in range(n)), tuple(probs), kids))


def test_beer_quiche_receiver_duels_exactly_when_weak_has_probability_at_least_one_half():
    # Cho and Kreps (1987), section II: dueling pays 1 against the weak type, not dueling 1 against
    # the strong one, so the lines P(weak) and 1 - P(weak) cross at 1/2.
    for h in ("beer", "quiche"):
        th = belief_thresholds(beer_quiche(), h)
        assert th.nodes == (f"root/weak/{h}", f"root/strong/{h}")
        assert th.exact_thresholds == ("1/2",) and th.thresholds == (0.5,)
        assert {r.action: r.exact_interval for r in th.regions} == {"duel": ("1/2", "1"), "no_duel": ("0", "1/2")}
        assert th.best_answers([0.5 + 1e-9, 0.5 - 1e-9], tol=0) == ("duel",)
        assert th.best_answers([0.5 - 1e-9, 0.5 + 1e-9], tol=0) == ("no_duel",)
        assert th.best_answers([0.5, 0.5], tol=0) == ("duel", "no_duel")
        # With the prior 0.1 the receiver does not duel after the breakfast everybody has.
        assert th.best_answers([0.1, 0.9]) == ("no_duel",)


def test_gibbons_receiver_plays_u_after_R_exactly_when_q_at_most_two_thirds():
    # Gibbons (1992), section 4.2.A: after R, u pays q + 0 and d pays 0 + 2 (1 - q): u iff q <= 2/3.
    th = belief_thresholds(gibbons_4_2(), "R")
    assert th.exact_thresholds == ("2/3",)
    assert {r.action: r.exact_interval for r in th.regions} == {"u": ("2/3", "1"), "d": ("0", "2/3")}
    # After L, u is dominant (3 > 0 and 4 > 1): no threshold, u everywhere, d nowhere.
    th = belief_thresholds(gibbons_4_2(), "L")
    assert th.thresholds == () and [r.interval for r in th.regions] == [(0.0, 1.0), None]


def test_three_actions_give_two_thresholds_and_a_middle_interval():
    # a0 safe (1, 1); a1 good against t0 (3, -1); a2 good against t1 (-1, 3). With q = P(t0):
    # a1 beats a0 from q = 1/2, a2 beats a0 up to q = 1/2: a0 is never strictly best but ties at 1/2.
    th = belief_thresholds(_receiver_game([[1, 3, -1], [1, -1, 3]]), "h")
    assert th.exact_thresholds == ("1/2",)
    assert th.regions[0].exact_interval == ("1/2", "1/2")  # a tie at one point, no region
    # A safer a0 (1.5) makes a middle interval [3/8, 5/8].
    th = belief_thresholds(_receiver_game([[1.5, 3, -1], [1.5, -1, 3]]), "h")
    assert th.exact_thresholds == ("3/8", "5/8")
    assert [r.exact_interval for r in th.regions] == [("3/8", "5/8"), ("5/8", "1"), ("0", "3/8")]


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 4).flatmap(lambda m: st.lists(st.lists(st.integers(-3, 3), min_size=m, max_size=m),
                                                   min_size=2, max_size=2)))
def test_the_best_answer_flips_exactly_at_each_threshold(payoffs):
    th = belief_thresholds(_receiver_game(payoffs), "h")
    u = [[Fraction(x) for x in row] for row in payoffs]

    def best(q):  # exact best answers at belief q = P(t0)
        e = [q * u[0][a] + (1 - q) * u[1][a] for a in range(len(u[0]))]
        return {a for a in range(len(e)) if e[a] == max(e)}
    qs = [Fraction(s) for s in th.exact_thresholds]
    assert qs == sorted(set(qs)) and all(0 < q < 1 for q in qs)
    delta = Fraction(1, 10**9)
    for q in qs:  # the set of best answers differs on the two sides of each threshold
        assert best(q - delta) != best(q + delta)
    # Between consecutive thresholds (and the ends) the best answers do not change, and each
    # action's region holds exactly the points where it is a best answer.
    cuts = [Fraction(0), *qs, Fraction(1)]
    for lo, hi in zip(cuts, cuts[1:]):
        mid = (lo + hi) / 2
        assert best(lo + (hi - lo) / 7) == best(mid) == best(hi - (hi - lo) / 7)
    for a, region in enumerate(th.regions):
        for q in [*cuts, *((x + y) / 2 for x, y in zip(cuts, cuts[1:]))]:
            inside = region.exact_interval is not None and \
                Fraction(region.exact_interval[0]) <= q <= Fraction(region.exact_interval[1])
            assert inside == (a in best(q))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 3), min_size=3, max_size=3), min_size=3, max_size=3),
       st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3))
def test_regions_of_three_node_sets_hold_exactly_the_beliefs_where_the_action_is_best(payoffs, weights):
    from scipy.optimize import linprog

    th = belief_thresholds(_receiver_game(payoffs), "h")
    mu = np.array(weights) / sum(weights)
    best = set(th.best_answers(mu, tol=1e-9))
    for region in th.regions:
        for v in region.exact_vertices:  # every vertex is a belief where the action is best (exactly)
            v = [Fraction(x) for x in v]
            assert sum(v) == 1 and min(v) >= 0
            a = th.actions.index(region.action)
            e = [sum(v[x] * payoffs[x][b] for x in range(3)) for b in range(3)]
            assert e[a] == max(e)
        # mu is a convex combination of the region's vertices iff the action is a best answer there
        # (up to the tolerance: skip beliefs within 1e-6 of a tie).
        e = th.expected(mu)
        a = th.actions.index(region.action)
        if 0 < e.max() - e[a] < 1e-6:
            continue
        V = np.array(region.vertices).reshape(-1, 3)
        inside = bool(len(V)) and linprog(np.zeros(len(V)), A_eq=np.vstack([V.T, np.ones(len(V))]),
                                          b_eq=[*mu, 1.0], bounds=[(0, None)] * len(V), method="highs").status == 0
        assert inside == (region.action in best)
    assert th.thresholds == ()  # thresholds are listed for two-node sets only


def test_continuation_play_enters_the_payoffs_and_its_absence_is_refused():
    # The receiver's "wait" leads to a later move of its own, at one information set for both types.
    later = lambda hi: Decision(1, "later", ("l", "r"), (Terminal((0.0, hi)), Terminal((0.0, 1.0))))
    node = lambda x: Decision(1, "h", ("stop", "wait"), (Terminal((0.0, 2.0 * x)), later(4.0 * (1 - x))))
    g = ExtensiveFormGame.from_root(("S", "R"), Chance(("t0", "t1"), (0.5, 0.5), (
        Decision(0, "s0", ("go",), (node(0),)), Decision(0, "s1", ("go",), (node(1),)))))
    with pytest.raises(GameError, match=r"information set 'later'; give its action probabilities"):
        belief_thresholds(g, "h")
    th = belief_thresholds(g, "h", {"later": [0.5, 0.5]})
    # stop: (0, 2); wait, then l or r with 1/2 each: (2.5, 0.5). With q = P(t0), stop is best when
    # 2 (1 - q) >= 2.5 q + 0.5 (1 - q), that is q <= 3/8.
    assert th.payoffs.tolist() == [[0.0, 2.5], [2.0, 0.5]]
    assert th.exact_thresholds == ("3/8",)
    assert {r.action: r.exact_interval for r in th.regions} == {"stop": ("0", "3/8"), "wait": ("3/8", "1")}
    with pytest.raises(GameError, match=r"'nope' is not an information set of the game"):
        belief_thresholds(g, "nope")


def test_results_are_frozen_and_serialise_to_json():
    th = belief_thresholds(beer_quiche(), "quiche")
    with pytest.raises(Exception):
        th.thresholds = ()
    assert not th.payoffs.flags.writeable
    doc = json.loads(json.dumps(th.to_dict()))
    assert doc["infoset"] == "quiche" and doc["player"] == "Receiver" and doc["exact_thresholds"] == ["1/2"]
    assert doc["regions"][0] == {"action": "duel", "vertices": [[1.0, 0.0], [0.5, 0.5]],
                                 "exact_vertices": [["1", "0"], ["1/2", "1/2"]],
                                 "interval": [0.5, 1.0], "exact_interval": ["1/2", "1"]}


# ----- generated trees: the flips found by hand, on both sides of each threshold ------------------------

def _exact_value(node, player, behaviour):
    """The player's expected payoff from ``node`` in exact arithmetic, later moves as ``behaviour``."""
    if isinstance(node, Terminal):
        return Fraction(node.payoffs[player])
    probs = node.probs if isinstance(node, Chance) else behaviour[node.infoset]
    return sum((Fraction(float(p)) * _exact_value(c, player, behaviour) for p, c in zip(probs, node.children)),
               Fraction(0))


def _flips_by_hand(game, h, behaviour):
    """The beliefs q = P(first node) in (0, 1) where the set of best answers at the two-node set ``h``
    changes, found from every crossing of two actions' payoff lines, each tested on both sides."""
    from sim.extensive.nodes import iter_nodes

    player, actions = game.infosets[h]
    x, y = [n for _, n in iter_nodes(game.root) if isinstance(n, Decision) and n.infoset == h]
    u = [[_exact_value(c, player, behaviour) for c in n.children] for n in (x, y)]

    def best(q):
        e = [q * u[0][a] + (1 - q) * u[1][a] for a in range(len(actions))]
        return {a for a in range(len(actions)) if e[a] == max(e)}

    crossings = set()
    for a, b in itertools.combinations(range(len(actions)), 2):
        d0, d1 = u[0][a] - u[0][b], u[1][a] - u[1][b]
        if d0 != d1 and 0 < -d1 / (d0 - d1) < 1:
            crossings.add(-d1 / (d0 - d1))
    delta = Fraction(1, 10**12)
    return sorted(q for q in crossings if best(q - delta) != best(q + delta)), best, delta


@settings(max_examples=200, deadline=None)
@given(st.one_of(signalling_games(max_types=2, max_messages=2, max_responses=3),
                 imperfect_information_trees(max_levels=4, max_players=2, max_actions=3, conditional=True))
       .flatmap(lambda g: st.tuples(st.just(g), behaviour_profiles(g))))
def test_on_generated_trees_the_best_answer_flips_exactly_at_each_threshold_on_both_sides(case):
    game, behaviour = case
    two = [h for h, n in game.infoset_sizes.items() if n == 2]
    for h in two:
        th = belief_thresholds(game, h, behaviour)
        flips, best, delta = _flips_by_hand(game, h, behaviour)
        assert [Fraction(q) for q in th.exact_thresholds] == flips
        for q in flips:  # the reported answers on each side are the true ones, and they differ
            for side in (q - delta, q + delta):
                want = {th.actions[a] for a in best(side)}
                assert set(th.best_answers([float(side), float(1 - side)], tol=0)) == want
            assert best(q - delta) != best(q + delta)
        # Away from the thresholds the floats agree with the exact answer too.
        cuts = [Fraction(0), *flips, Fraction(1)]
        for lo, hi in zip(cuts, cuts[1:]):
            mid = (lo + hi) / 2
            assert set(th.best_answers([float(mid), float(1 - mid)], tol=1e-12)) == {th.actions[a] for a in best(mid)}


@settings(max_examples=100, deadline=None)
@given(signalling_games(max_types=2, max_messages=2, max_responses=3), st.data())
def test_after_pooling_the_threshold_is_on_the_prior_and_bayes_play_flips_there(game, data):
    # When both types send the same message the posterior is the prior (Bayes' rule), so the
    # threshold is a prior: rebuilding the game with the prior just below and just above it flips
    # the receiver's best answer at the on-path set, measured with beliefs from the reach of play.
    m = data.draw(st.sampled_from(game.root.children[0].actions))
    j = game.root.children[0].actions.index(m)
    behaviour = {f"t{k}": np.eye(len(game.root.children[0].actions))[j] for k in range(2)}
    th = belief_thresholds(game, f"m{j}", behaviour)
    for q in map(Fraction, th.exact_thresholds):
        answers = []
        for p in (float(q) - 1e-6, float(q) + 1e-6):
            g = ExtensiveFormGame.from_root(game.players, Chance(game.root.outcomes, (p, 1 - p), game.root.children))
            nodes = [t.children[j] for t in g.root.children]
            reach = np.array([p, 1 - p])  # each type sends m for sure
            mu = reach / reach.sum()
            e = [sum(w * n.children[a].payoffs[1] for w, n in zip(mu, nodes)) for a in range(len(nodes[0].actions))]
            answers.append({a for a in range(len(e)) if e[a] >= max(e) - 1e-12})
        assert answers[0] != answers[1]
