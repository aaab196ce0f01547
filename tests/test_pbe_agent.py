"""Mixed and semi-separating perfect Bayesian equilibria of small trees (sim.extensive.agent)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.extensive.agent import MAX_INFOSETS, pbe_agent_solve
from sim.extensive.nodes import Chance, Decision, Terminal
from sim.extensive.tree import ExtensiveFormGame
from tests.strategies import affine_tree, imperfect_information_trees, signalling_games

TOL = 1e-6


def beer_quiche(p_weak: float = 0.1) -> ExtensiveFormGame:
    """Cho and Kreps (1987), section II: the weak type likes quiche, the strong beer (1 for the
    liked breakfast, 2 for no duel); the receiver gains 1 by duelling the weak, 1 by not duelling
    the strong."""
    def sender(t, like):
        return Decision(0, t, ("beer", "quiche"), tuple(
            Decision(1, m, ("duel", "no_duel"), (
                Terminal(((m == like) + 0.0, 1.0 if t == "weak" else 0.0)),
                Terminal(((m == like) + 2.0, 0.0 if t == "weak" else 1.0))))
            for m in ("beer", "quiche")))
    return ExtensiveFormGame.from_root(("Sender", "Receiver"), Chance(
        ("weak", "strong"), (p_weak, 1 - p_weak), (sender("weak", "quiche"), sender("strong", "beer"))))


def entry_pennies(out: float = 0.5) -> ExtensiveFormGame:
    """Three stages: player 1 stays out (``out`` to it, 0 to player 2) or enters; then chooses H or
    T; player 2, who saw the entry but not H/T, answers h or t. Player 1 gets 2 for (H, h), 1 for
    (T, t), 0 otherwise; player 2 gets 1 for a mismatch, 0 for a match.

    By hand (indifference, Fudenberg and Tirole 1991, section 8.2): player 2 is indifferent only
    when P(H) = 1/2 (h pays P(T), t pays P(H)); player 1 is indifferent only when 2 q = 1 - q,
    q = P(h) = 1/3, and then earns 2/3 > ``out`` = 1/2, so it enters. Any pure choice at H/T or h/t
    gives the other a strict best reply that breaks it, and staying out is never a best reply
    (whatever player 2 plays after entry, player 1's best at H/T earns max(2q, 1 - q) >= 2/3): the
    unique PBE is enter, P(H) = 1/2, P(h) = 1/3, with belief 1/2 on each node of player 2's set."""
    def pennies(a):
        return Decision(1, "guess", ("h", "t"), (
            Terminal((2.0 if a == "H" else 0.0, 0.0 if a == "H" else 1.0)),
            Terminal((0.0 if a == "H" else 1.0, 1.0 if a == "H" else 0.0))))
    return ExtensiveFormGame.from_root(("P1", "P2"), Decision(0, "entry", ("out", "in"), (
        Terminal((out, 0.0)),
        Decision(0, "coin", ("H", "T"), (pennies("H"), pennies("T"))))))


def spence_job_market(p_high: float = 0.6) -> ExtensiveFormGame:
    """Spence (1973), discretised as in tests/test_extensive_pbe.py: the hybrid equilibrium has the
    high type educating with probability 1/3 and the firm mixing w1/w2 half and half after e0."""
    theta, cost = {"high": 2.0, "low": 1.0}, {"high": 0.5, "low": 1.5}

    def worker(t):
        return Decision(0, t, ("e0", "e1"), tuple(Decision(1, e, ("w1", "w2"), tuple(
            Terminal((w - cost[t] * (e == "e1"), -(w - theta[t]) ** 2)) for w in (1.0, 2.0))) for e in ("e0", "e1")))
    return ExtensiveFormGame.from_root(("Worker", "Firm"), Chance(
        ("high", "low"), (p_high, 1 - p_high), (worker("high"), worker("low"))))


# ----- an independent check of an assessment ------------------------------------------------------

def _walk(node, path=()):
    yield path, node
    if not isinstance(node, Terminal):
        names = node.actions if isinstance(node, Decision) else node.outcomes
        for a, c in zip(names, node.children):
            yield from _walk(c, (*path, a))


def _value(node, behaviour, i):
    if isinstance(node, Terminal):
        return node.payoffs[i]
    probs = node.probs if isinstance(node, Chance) else behaviour[node.infoset]
    return sum(p * _value(c, behaviour, i) for p, c in zip(probs, node.children) if p)


def _reach(game, behaviour):
    """Full reach probability of every node path."""
    out = {}

    def rec(node, path, r):
        out[path] = r
        if isinstance(node, Terminal):
            return
        names = node.actions if isinstance(node, Decision) else node.outcomes
        probs = node.probs if isinstance(node, Chance) else behaviour[node.infoset]
        for a, p, c in zip(names, probs, node.children):
            rec(c, (*path, a), r * p)
    rec(game.root, (), 1.0)
    return out


def _check_assessment(game, eq, tol):
    """Sequential rationality given the reported beliefs, and Bayes' rule on the path, measured
    by recursion over the tree (no code shared with the solver)."""
    d = eq.details
    behaviour = {h: np.asarray(p) for h, p in d["behaviour"].items()}
    reach = _reach(game, behaviour)
    scale = max(1.0, float(np.ptp([n.payoffs for _, n in _walk(game.root) if isinstance(n, Terminal)])))
    for h, (i, actions) in game.infosets.items():
        nodes = [(p, n) for p, n in _walk(game.root) if isinstance(n, Decision) and n.infoset == h]
        mu = np.array([d["beliefs"][h]["nodes"]["/".join(("root", *p))] for p, _ in nodes])
        assert mu.min() >= -1e-12 and abs(mu.sum() - 1) < 1e-9
        w = np.array([reach[p] for p, _ in nodes])
        if w.sum() > 1e-12:  # on the path: Bayes' rule
            assert np.allclose(mu, w / w.sum(), atol=1e-6), (h, mu, w / w.sum())
        e = np.array([sum(m * _value(n.children[a], behaviour, i) for m, (_, n) in zip(mu, nodes))
                      for a in range(len(actions))])
        used = [a for a in range(len(actions)) if behaviour[h][a] > 1e-9]
        assert e.max() - min(e[a] for a in used) <= tol * scale, (h, e, behaviour[h])
    assert eq.max_regret <= tol * scale  # a PBE is a Nash equilibrium of the reduced normal form


# ----- reference cases ---------------------------------------------------------------------------

def test_beer_quiche_has_the_two_pooling_equilibria():
    # Cho and Kreps (1987): both types drink beer, or both eat quiche; nothing else (the mixed
    # answers after the unsent breakfast, at belief exactly 1/2, are points of those two).
    r = pbe_agent_solve(beer_quiche())
    assert r.complete
    pools = {(e.details["behaviour"]["weak"][0], e.details["behaviour"]["strong"][0]) for e in r.equilibria}
    assert pools == {(1.0, 1.0), (0.0, 0.0)}
    assert all(e.details["classification"] == "pooling" for e in r.equilibria)
    for e in r.equilibria:
        _check_assessment(beer_quiche(), e, TOL)
        unsent = "quiche" if e.details["behaviour"]["weak"][0] == 1.0 else "beer"
        b = e.details["beliefs"][unsent]
        assert b["status"] == "off path, chosen"
        weak = b["nodes"][f"root/weak/{unsent}"]
        assert weak >= 0.5 - 1e-9  # the receiver must fear the weak type to duel (Cho-Kreps)


def test_three_stage_tree_has_the_mixed_equilibrium_derived_by_hand():
    g = entry_pennies()
    r = pbe_agent_solve(g)
    assert r.complete and len(r.equilibria) == 1
    d = r.equilibria[0].details
    assert d["behaviour"]["entry"] == pytest.approx([0.0, 1.0])
    assert d["behaviour"]["coin"] == pytest.approx([0.5, 0.5], abs=1e-9)
    assert d["behaviour"]["guess"] == pytest.approx([1 / 3, 2 / 3], abs=1e-9)
    assert d["beliefs"]["guess"]["nodes"] == pytest.approx({"root/in/H": 0.5, "root/in/T": 0.5}, abs=1e-9)
    assert d["beliefs"]["guess"]["status"] == "on path"
    assert r.equilibria[0].payoffs.tolist() == pytest.approx([2 / 3, 0.5])
    _check_assessment(g, r.equilibria[0], TOL)


def test_pure_pbe_solver_finds_nothing_there():
    from sim.extensive.pbe import pbe_solve

    assert pbe_solve(entry_pennies()).equilibria == ()


def test_spence_hybrid_equilibrium():
    # The hybrid of Spence's job market (derived in tests/test_extensive_pbe.py): P(high educates) = 1/3,
    # the firm pays w2 with probability 1/2 after e0.
    r = pbe_agent_solve(spence_job_market())
    hybrids = [e for e in r.equilibria if e.details["classification"] == "semi-separating/hybrid"]
    assert len(hybrids) == 1
    d = hybrids[0].details
    assert d["behaviour"]["high"] == pytest.approx([2 / 3, 1 / 3], abs=1e-7)
    assert d["behaviour"]["e0"] == pytest.approx([0.5, 0.5], abs=1e-7)
    assert d["beliefs"]["e0"]["nodes"]["root/high/e0"] == pytest.approx(0.5, abs=1e-7)


def test_refuses_a_tree_beyond_the_bounds():
    root = Terminal((0.0,))
    for k in range(MAX_INFOSETS + 1):
        root = Decision(0, f"h{k}", ("a", "b"), (root, Terminal((float(k),))))
    with pytest.raises(SolverError, match=r"pbe_agent_solve\(\): the game has 17 information sets"):
        pbe_agent_solve(ExtensiveFormGame.from_root(("P",), root))
    with pytest.raises(SolverError, match="more than max_support_profiles=2"):
        pbe_agent_solve(beer_quiche(), max_support_profiles=2)


def test_registered_as_a_tree_method():
    from sim.registry import solve

    r = solve(entry_pennies(), "pbe_agent")
    assert r.method == "pbe_agent" and len(r.equilibria) == 1


# ----- properties ----------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imperfect_information_trees(max_levels=3, max_players=2))
def test_every_reported_pbe_is_sequentially_rational_and_bayes_on_path(game):
    r = pbe_agent_solve(game)
    for e in r.equilibria:
        _check_assessment(game, e, TOL)


def _supports(e):
    return tuple(sorted((h, tuple(s)) for h, s in e.details["supports"].items()))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signalling_games(max_types=2, max_messages=2, max_responses=2))
def test_on_signalling_games_the_support_profiles_equal_pbe_mixed(game):
    from sim.extensive.signalling import pbe_mixed_solve

    agent = pbe_agent_solve(game)
    assume(agent.complete)
    mixed = pbe_mixed_solve(game)
    found = {_supports(e) for e in agent.equilibria}
    # Every PBE found here has the supports of one of pbe_mixed's (whose list is complete) ...
    assert found <= {_supports(e) for e in mixed.equilibria}
    # ... and every isolated one of pbe_mixed (not a point of a continuum) is found here.
    assert {_supports(e) for e in mixed.equilibria if not e.details["continuum"]} <= found
    for e in agent.equilibria:
        _check_assessment(game, e, TOL)


# ----- differential: pygambit's tree solvers ---------------------------------------------------------

@pytest.mark.gambit
@pytest.mark.slow
def test_gambit_equilibria_that_reach_every_information_set_are_listed():
    """pygambit's ``lcp`` on the sequence form (Koller, Megiddo and von Stengel 1996) and ``logit``
    on the agent form list Nash equilibria in behaviour strategies. One that reaches every
    information set with positive probability is a PBE (beliefs are Bayes' everywhere), so when
    our list is complete its supports must be among ours. Two-player trees only (lcp needs two);
    enumpoly on the agent form is left out, as in tests/test_extensive_pbe.py (too slow on these
    degenerate games). Run in a subprocess, time-limited by tests/oracles.py."""
    from sim.formats.efg import format_efg
    from tests.oracles import OracleFailed, gambit_behaviour_equilibria_many

    games = [entry_pennies(), spence_job_market(), *(_random_tree(seed) for seed in range(5))]
    methods = [("lcp", {"use_strategic": False}), ("logit", {})]
    out = gambit_behaviour_equilibria_many([format_efg(g) for g in games], methods, timeout=240)
    checked = 0
    for game, docs in zip(games, out):
        r = pbe_agent_solve(game)
        if not r.complete:
            continue
        ours = [{h: tuple(s) for h, s in e.details["supports"].items()} for e in r.equilibria]
        for method, eqs in docs.items():
            if isinstance(eqs, OracleFailed):
                continue
            for beh in eqs:
                reach = _reach(game, {h: np.asarray(p) for h, p in beh.items()})
                if any(sum(reach[p] for p, n in _walk(game.root) if isinstance(n, Decision) and n.infoset == h)
                       < 1e-6 for h in game.infosets):
                    continue
                sup = {h: tuple(game.infosets[h][1][a] for a, p in enumerate(ps) if p > 1e-6) for h, ps in beh.items()}
                checked += 1
                assert sup in ours, (game.title, method, beh)
    assert checked >= 2


def _random_tree(seed: int) -> ExtensiveFormGame:
    """Chance picks a type, player 0 (seeing it) moves, player 1 (not seeing it) answers, player 0
    (not seeing the answer) moves again: three stages, random integer payoffs."""
    rng = np.random.default_rng(seed)

    def last(t, m, a):
        return Decision(0, f"last{t}{m}", ("u", "d"), tuple(
            Terminal(tuple(float(x) for x in rng.integers(-3, 4, size=2))) for _ in range(2)))

    root = Chance(("t0", "t1"), (0.5, 0.5), tuple(
        Decision(0, f"t{t}", ("m0", "m1"), tuple(
            Decision(1, f"m{m}", ("a0", "a1"), tuple(last(t, m, a) for a in range(2))) for m in range(2)))
        for t in range(2)))
    return ExtensiveFormGame.from_root(("P0", "P1"), root, title=f"three-stage {seed}")


# ----- free mixing agents: decided exactly ----------------------------------------------------------

def two_deterred_entrants(cost: float) -> ExtensiveFormGame:
    """Chance draws a state, ``hi`` (1/4) or ``lo``, that nobody sees. Player 1 stays out (0) or
    enters market 1 or 2, where player 2 (resp. 3) fights (1 gets ``-cost``) or accommodates (1
    gets 1). An incumbent gains 1 by fighting in ``hi``, loses 1 in ``lo``, 0 by accommodating: at
    the prior it accommodates, so entry pays; off the path it may believe ``hi`` with probability
    1/2 and mix. Out is a best answer iff each incumbent fights with probability
    ``q >= 1 / (1 + cost)``: with both mixing off the path, the mixtures form the box
    ``[1 / (1 + cost), 1)^2``."""
    def market(k, state):
        win = 1.0 if state == "hi" else -1.0
        return Decision(k, f"inc{k}", ("fight", "acc"), (Terminal((-cost, win, win)), Terminal((1.0, 0.0, 0.0))))

    def entry(state):
        return Decision(0, "entry", ("out", "in2", "in3"), (
            Terminal((0.0, 0.0, 0.0)), market(1, state), market(2, state)))
    return ExtensiveFormGame.from_root(("E", "I2", "I3"), Chance(("hi", "lo"), (0.25, 0.75), (entry("hi"), entry("lo"))))


def _both_mix(r):
    return [e for e in r.equilibria if all(0 < e.details["behaviour"][h][0] < 1 for h in ("inc1", "inc2"))]


def test_two_free_mixing_agents_found_where_a_grid_of_eighths_finds_none():
    # 1 / (1 + 1/16) = 16/17 > 7/8: no point of a grid of step 1/8 passes, the linear program's does.
    r = pbe_agent_solve(two_deterred_entrants(1 / 16))
    # unresolved only where the entrant mixes between two markets worth 1 each (a continuum)
    assert all(u["why"] == "pinned agents' conditions degenerate" for u in r.details["unresolved_examples"])
    (e,) = _both_mix(r)
    for h in ("inc1", "inc2"):
        assert 16 / 17 - 1e-6 <= e.details["behaviour"][h][0] < 1
    # it is a PBE, not a sequential equilibrium: trembles into a market keep the prior, hi 1/4
    assert e.details["free_mixing"] and e.details["consistent"] is False
    _check_assessment(two_deterred_entrants(1 / 16), e, TOL)


def test_two_free_mixing_agents_ruled_out_exactly():
    # cost 0: out needs q >= 1, so neither incumbent can mix while the entrant stays out; the
    # profiles where both would are decided (the list is incomplete only where the entrant's own
    # mixing between out and a fought entry, both worth 0, is a continuum of pinned conditions).
    r = pbe_agent_solve(two_deterred_entrants(0.0))
    assert not _both_mix(r)
    assert all(len(u["supports"]["entry"]) > 1 for u in r.details["unresolved_examples"])


def test_off_path_mixing_against_the_prior_is_not_sequential():
    # Entry is one move at both states, so trembles into a market keep the prior (hi 1/4), at
    # which an incumbent accommodates: every PBE where one fights or mixes off the path believes
    # hi >= 1/2 there and is not consistent; the sequential equilibria enter, and an incumbent
    # off the path accommodates (believing the prior: the beliefs of uniform trembles).
    r = pbe_agent_solve(two_deterred_entrants(1 / 16))
    seq = [e for e in r.equilibria if e.details["consistent"]]
    assert sorted(tuple(e.details["behaviour"]["entry"]) for e in seq) == [(0.0, 0.0, 1.0), (0.0, 0.5, 0.5),
                                                                          (0.0, 1.0, 0.0)]
    for e in seq:
        for h in ("inc1", "inc2"):
            nodes = e.details["consistency"].get("beliefs", e.details["beliefs"])[h]["nodes"]
            assert sum(p for k, p in nodes.items() if k.startswith("root/hi/")) == pytest.approx(0.25)
    for e in r.equilibria:
        beh = e.details["behaviour"]
        off = [h for h, k in (("inc1", 1), ("inc2", 2)) if beh["entry"][k] == 0]
        assert e.details["consistent"] == (not any(beh[h][0] > 0 for h in off)), beh


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(signalling_games(max_types=3, max_messages=2, max_responses=3))
def test_every_pbe_of_a_signalling_game_with_three_types_or_responses_is_an_assessment(game):
    # Beyond the two-by-two games above: three types (the receiver's beliefs live in a triangle)
    # or three responses (two thresholds), where partial revelation has more shapes.
    for e in pbe_agent_solve(game).equilibria:
        _check_assessment(game, e, TOL)


def _verdicts(r):
    """The solver's answer up to round-off: each assessment's supports, behaviour and beliefs
    (with their status), and whether the list is complete."""
    def one(e):
        beh = tuple(sorted((h, tuple(np.round(p, 4) + 0.0)) for h, p in e.details["behaviour"].items()))
        bel = tuple(sorted((h, b["status"], tuple(np.round(list(b["nodes"].values()), 4) + 0.0))
                           for h, b in e.details["beliefs"].items()))
        return _supports(e), beh, bel
    return r.complete, sorted(map(one, r.equilibria))


#: Positive affine maps of the payoffs: tiny and huge scales, large offsets (at most 1e6 times
#: the scale, so that the payoffs' differences survive in floating point).
AFFINE_MAPS = [(1e-6, 0.0), (1e-8, 0.5e-8), (1e-12, 0.0), (1e-6, 1.0), (1.0, 1e6), (1e6, -3.0), (1e3, 1e6)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(imperfect_information_trees(max_levels=3, max_players=2),
                 signalling_games(max_types=2, max_messages=2, max_responses=2)),
       st.sampled_from(AFFINE_MAPS))
def test_the_assessments_do_not_depend_on_the_payoff_units(game, affine):
    # u -> a u + b (a > 0) changes no best answer: the tolerance is relative to the tree's payoff
    # spread (a floor of 1 on it once judged payoffs scaled by 1e-8 a hundred million times more coarsely).
    assert _verdicts(pbe_agent_solve(affine_tree(game, *affine))) == _verdicts(pbe_agent_solve(game))
