"""Kreps-Wilson consistency of PBE assessments (sim.extensive.consistency)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from sim.errors import SolverError
from sim.extensive.agent import pbe_agent_solve
from sim.extensive.consistency import check_consistency
from sim.extensive.nodes import Decision, Terminal
from sim.extensive.pbe import pbe_solve
from sim.extensive.tree import ExtensiveFormGame
from tests.strategies import imperfect_information_trees, signalling_games
from tests.test_pbe_agent import _check_assessment, beer_quiche

TOL = 1e-6


def after_one_deviation() -> ExtensiveFormGame:
    """Three stages, the two later information sets after the same deviation (Kreps and Wilson
    1982; Fudenberg and Tirole 1991, section 8.3). Player 1 takes ``out`` (1 to it, L and R pay it
    0). Player 2, not seeing L from R, plays ``u`` (3 after L, 0 after R) or ``d`` (2): ``u`` is a
    best answer iff P(L) >= 2/3. After ``u``, player 3 (not seeing L from R either) plays ``l``
    (3 after R, 0 after L) or ``r`` (2): ``l`` iff P(L) <= 1/3. Both sets are off the path, so a
    PBE may believe P(L) = 1 at the first and P(L) = 0 at the second, and (out, u, l) is a PBE.
    It is no sequential equilibrium: with ``u`` played, every tremble of player 1 reaches the two
    sets in the same proportion, so consistent beliefs agree there, and no belief is both >= 2/3
    and <= 1/3."""
    twos = {s: Decision(1, "2", ("u", "d"), (
        Decision(2, "3", ("l", "r"), (Terminal((0.0, 3.0 if s == "L" else 0.0, 3.0 if s == "R" else 0.0)),
                                      Terminal((0.0, 3.0 if s == "L" else 0.0, 2.0)))),
        Terminal((0.0, 2.0, 0.0)))) for s in "LR"}
    return ExtensiveFormGame.from_root(("1", "2", "3"), Decision(0, "1", ("out", "L", "R"), (
        Terminal((1.0, 0.0, 0.0)), twos["L"], twos["R"])))


def _by_profile(result):
    return {tuple(tuple(p) for p in e.details["behaviour"].values()): e for e in result.equilibria}


# ----- reference cases ---------------------------------------------------------------------------

@pytest.mark.parametrize("solver", [pbe_solve, pbe_agent_solve])
def test_beer_quiche_pooling_equilibria_are_sequential(solver):
    # Cho and Kreps (1987): both pooling PBE are sequential equilibria (a signalling game:
    # Fudenberg and Tirole 1991, section 8.3).
    r = solver(beer_quiche())
    assert r.equilibria
    for e in r.equilibria:
        assert e.details["consistent"] is True, e.details["consistency"]
        assert e.details["consistency"]["reason"]


def test_free_beliefs_that_disagree_after_one_deviation_are_not_consistent():
    g = after_one_deviation()
    r = pbe_solve(g)
    eqs = {(e.details["choices"]["2"], e.details["choices"]["3"]): e for e in r.equilibria
           if e.details["choices"]["1"] == "out"}
    bad = eqs[("u", "l")]  # needs P(L) >= 2/3 at 2 and P(L) <= 1/3 at 3
    assert bad.details["beliefs"]["2"]["nodes"]["root/L"] >= 2 / 3
    assert bad.details["beliefs"]["3"]["nodes"]["root/L/u"] <= 1 / 3
    assert bad.details["consistent"] is False
    assert "deviation" in bad.details["consistency"]["reason"]
    # (out, u, r) believes P(L) >= 2/3 at both: consistent, with orders for the trembles
    good = eqs[("u", "r")]
    assert good.details["consistent"] is True
    assert set(good.details["consistency"]["orders"]["1"]) == {"L", "R"}


def test_equal_orders_need_equal_ratios():
    # u is played, so the trembles L and R reach sets 2 and 3 in the same proportion.
    g = after_one_deviation()
    behaviour = {"1": [1, 0, 0], "2": [1, 0], "3": [0, 1]}
    same = check_consistency(g, behaviour, {"2": {"root/L": 0.7, "root/R": 0.3},
                                            "3": {"root/L/u": 0.7, "root/R/u": 0.3}})
    assert same.consistent is True and same.orders["1"]["L"] == same.orders["1"]["R"]
    other = check_consistency(g, behaviour, {"2": {"root/L": 0.7, "root/R": 0.3},
                                             "3": {"root/L/u": 0.4, "root/R/u": 0.6}})
    assert other.consistent is False and "ratios" in other.reason
    # d is played instead: set 3 follows a second deviation (u), whose order is its own, but it
    # multiplies both nodes alike: the proportions must still agree.
    behaviour = {"1": [1, 0, 0], "2": [0, 1], "3": [0, 1]}
    assert check_consistency(g, behaviour, {"2": {"root/L": 1.0, "root/R": 0.0},
                                            "3": {"root/L/u": 0.0, "root/R/u": 1.0}}).consistent is False
    assert check_consistency(g, behaviour, {"2": {"root/L": 1.0, "root/R": 0.0},
                                            "3": {"root/L/u": 1.0, "root/R/u": 0.0}}).consistent is True


def test_on_path_beliefs_must_be_bayes():
    g = beer_quiche()
    behaviour = {"weak": [1, 0], "strong": [1, 0], "beer": [0, 1], "quiche": [1, 0]}
    bayes = {"beer": {"root/weak/beer": 0.1, "root/strong/beer": 0.9},
             "quiche": {"root/weak/quiche": 1.0, "root/strong/quiche": 0.0}}
    assert check_consistency(g, behaviour, bayes).consistent is True
    wrong = {**bayes, "beer": {"root/weak/beer": 0.5, "root/strong/beer": 0.5}}
    assert check_consistency(g, behaviour, wrong).consistent is False


def test_errors_name_the_rule():
    g = beer_quiche()
    with pytest.raises(SolverError, match=r"check_consistency\(\): behaviour has no probabilities"):
        check_consistency(g, {}, {})
    behaviour = {"weak": [1, 0], "strong": [1, 0], "beer": [0, 1], "quiche": [1, 0]}
    with pytest.raises(SolverError, match="not a probability over its nodes"):
        check_consistency(g, behaviour, {"beer": {"root/weak/beer": 0.5}, "quiche": {"root/weak/quiche": 1.0}})


# ----- properties ----------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signalling_games(max_types=3, max_messages=2, max_responses=2))
def test_every_pbe_of_a_signalling_game_is_certified_and_sequential(game):
    # Fudenberg and Tirole (1991), section 8.3: in a two-stage signalling game every PBE is a
    # sequential equilibrium.
    for solver in (pbe_solve, pbe_agent_solve):
        for e in solver(game).equilibria:
            if solver is pbe_agent_solve:
                _check_assessment(game, e, TOL)
            assert e.details["consistent"] is True, (solver.__name__, e.details["consistency"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imperfect_information_trees(max_levels=3, max_players=2))
def test_a_consistent_verdict_comes_with_orders_that_reproduce_the_beliefs(game):
    """The certificate is checked independently: trembles ``exp(-k t)`` of the reported orders,
    with tremble sizes fitted, give beliefs close to the reported ones at a large ``t``."""
    import numpy as np

    from tests.test_pbe_agent import _walk

    for e in pbe_agent_solve(game).equilibria:
        c = e.details["consistency"]
        if c["consistent"] is not True:
            continue
        beh = {h: np.asarray(p, float) for h, p in e.details["behaviour"].items()}
        # sizes: fitted so that believed nodes of one order keep the reported ratios (the
        # solver's least squares); here only the orders are checked: believed nodes are the
        # least-order ones of their set
        for h, b in e.details["beliefs"].items():
            nodes = [(p, n) for p, n in _walk(game.root) if isinstance(n, Decision) and n.infoset == h]
            if len(nodes) < 2:
                continue
            order = []
            for p, _ in nodes:
                k, node = 0, game.root
                for a in p:
                    if isinstance(node, Decision):
                        j = node.actions.index(a)
                        k += c["orders"].get(node.infoset, {}).get(a, 0) if beh[node.infoset][j] <= 1e-9 else 0
                        node = node.children[j]
                    else:
                        node = node.children[node.outcomes.index(a)]
                order.append(k)
            mu = [b["nodes"]["/".join(("root", *p))] for p, _ in nodes]
            low = min(order)
            assert all((k == low) == (m > 1e-9) for k, m in zip(order, mu)), (h, order, mu)


# ----- command line ----------------------------------------------------------------------------------

def test_bargain_solve_prints_and_stores_the_verdict(tmp_path, capsys):
    import json

    from analysis.cli import main
    from sim.formats.efg import format_efg

    path = tmp_path / "deviation.efg"
    path.write_text(format_efg(after_one_deviation()))
    assert main(["solve", str(path), "--method", "pbe"]) == 0
    out = capsys.readouterr().out
    assert "beliefs not consistent (Kreps-Wilson), not a sequential equilibrium" in out
    assert "beliefs consistent (Kreps-Wilson): a sequential equilibrium" in out
    assert main(["solve", str(path), "--method", "pbe", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    verdicts = [e["details"]["consistent"] for e in doc["results"][0]["equilibria"]]
    assert True in verdicts and False in verdicts
    for e in doc["results"][0]["equilibria"]:
        c = e["details"]["consistency"]
        assert c["consistent"] == e["details"]["consistent"] and c["reason"]
        assert bool(c["orders"]) == (c["consistent"] is True)
