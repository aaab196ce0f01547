"""Subgame-perfect equilibria: properties over generated trees and textbook reference cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.extensive.reduced import mixed_from_behaviour, reduced_strategies
from sim.extensive.spe import backward_induction_batch, spe_solve
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from sim.formats.efg import read_efg
from sim.errors import SolverError
from tests.strategies import affine_tree, chance_tie_trees, imperfect_information_trees, multi_move_scenario_docs, perfect_information_trees
from pathlib import Path

DATA = Path(__file__).parent / "data" / "gambit"
ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests


def _subgame_perfect_brute_force(game):
    """All pure behaviour profiles (one action per infoset) that are Nash in every subgame."""
    from sim.extensive.tree import Chance

    infosets = list(game.infosets.items())
    found = []
    for combo in itertools.product(*[range(len(a)) for _, (_, a) in infosets]):
        choice = {h: k for (h, _), k in zip(infosets, combo)}

        def value(node, dev=None):
            if isinstance(node, Terminal):
                return np.array(node.payoffs)
            if isinstance(node, Chance):
                return sum(p * value(c, dev) for p, c in zip(node.probs, node.children))
            k = dev[node.infoset] if dev and node.infoset in dev else choice[node.infoset]
            return value(node.children[k], dev)

        def ok(node):
            if isinstance(node, Terminal):
                return True
            if isinstance(node, Decision):
                # one-shot deviation at this node is enough under perfect information
                v = value(node)[node.player]
                for k in range(len(node.actions)):
                    if value(node, {node.infoset: k})[node.player] > v + 1e-9:
                        return False
            return all(ok(c) for c in node.children)

        if ok(game.root):
            found.append(choice)
    return found


@settings(max_examples=60, deadline=None)
@given(perfect_information_trees())
def test_backward_induction_equals_brute_force_search(game):
    result = spe_solve(game)
    ours = sorted(tuple(sorted((h, game.infosets[h][1].index(a)) for h, a in e.details["choices"].items()))
                  for e in result.equilibria)
    brute = sorted(tuple(sorted(c.items())) for c in _subgame_perfect_brute_force(game))
    assert ours == brute
    assert result.complete


@settings(max_examples=40, deadline=None)
@given(perfect_information_trees())
def test_spe_profiles_are_nash_equilibria_of_the_reduced_normal_form(game):
    result = spe_solve(game)
    assert result.equilibria
    nf = game.reduced_normal_form()
    for e in result.equilibria:
        assert e.max_regret <= 1e-9 * nf.payoff_scale
        assert nf.is_equilibrium(e.profile)


@settings(max_examples=30, deadline=None)
@given(perfect_information_trees(integer_payoffs=False))
def test_batched_backward_induction_matches_spe_per_point(game):
    from sim.extensive.reduced import terminal_table

    _, _, pays, _ = terminal_table(game)
    rng = np.random.default_rng(0)
    batch = np.stack([pays, pays + rng.normal(size=pays.shape)])
    _, values = backward_induction_batch(game, batch)
    # On ties the batch takes the first optimal action: its payoffs are those of some SPE.
    spe_payoffs = [e.payoffs for e in spe_solve(game).equilibria]
    assert any(np.allclose(values[0], p, atol=1e-9) for p in spe_payoffs)


def _entry_game():
    """Selten (1978), the chain-store paradox with one entrant; Osborne (2004) Figure 154.1."""
    return ExtensiveFormGame.from_root(("Challenger", "Incumbent"), Decision(0, "C", ("out", "in"), (
        Terminal((1.0, 2.0)),
        Decision(1, "I", ("fight", "acquiesce"), (Terminal((0.0, 0.0)), Terminal((2.0, 1.0)))))))


def test_entry_game_spe_is_enter_and_accommodate():
    r = spe_solve(_entry_game())
    assert [dict(e.details["choices"]) for e in r.equilibria] == [{"C": "in", "I": "acquiesce"}]
    # The Nash equilibrium (out, fight) is not subgame perfect but is Nash in the reduced form.
    assert r.game.is_equilibrium(([1.0, 0.0], [1.0, 0.0]))
    path = r.equilibria[0].details["path"]
    assert [s["action"] for s in path] == ["in", "acquiesce"]


def test_centipede_spe_stops_at_once():
    """Rosenthal (1981) centipede, Gambit's cent4.efg (4 moves): backward induction takes at once."""
    game = read_efg(DATA / "cent6.efg")
    r = spe_solve(game)
    assert len(r.equilibria) == 1
    assert r.equilibria[0].details["path"][0]["action"] == game.root.actions[0]


def test_ultimatum_ties_give_every_spe():
    """Osborne and Rubinstein (1994) Example 102.1-style ultimatum game with a two-unit pie:
    responder indifferent after the offer 0 gives two SPE (offer 0 accepted; offer 1 accepted, 0 rejected)."""
    def respond(x, h):
        return Decision(1, h, ("yes", "no"), (Terminal((2.0 - x, float(x))), Terminal((0.0, 0.0))))

    game = ExtensiveFormGame.from_root(("Proposer", "Responder"), Decision(0, "offer", ("0", "1", "2"),
                                       tuple(respond(x, f"r{x}") for x in range(3))))
    r = spe_solve(game)
    outcomes = sorted((e.details["choices"]["offer"], e.details["choices"]["r0"]) for e in r.equilibria)
    assert outcomes == [("0", "yes"), ("1", "no")]


def test_imperfect_information_subgames_are_composed():
    """Gambit's coord2ts.efg: a two-stage coordination game; every SPE has zero regret."""
    game = read_efg(DATA / "coord2ts.efg")
    r = spe_solve(game)
    assert r.equilibria and all(e.max_regret <= 1e-9 for e in r.equilibria)
    for e in r.equilibria:
        np.testing.assert_allclose(mixed_from_behaviour(game, {h: np.array(p) for h, p in e.details["behaviour"].items()})[0],
                                   e.profile[0], atol=1e-12)
    assert len(reduced_strategies(game)[0]) == r.game.shape[0]


def test_imperfect_recall_is_refused():
    import pytest
    from sim.errors import GameError

    with pytest.raises(GameError, match="spe_solve\\(\\): needs a game with perfect recall"):
        spe_solve(read_efg(DATA / "e09.efg"))


# ----- the batched kernel with its tie flag -----------------------------------------------------------
def _rebuild(game, payoffs, chance_probs):
    """The same tree with terminal payoffs (preorder) and chance probabilities (preorder) replaced."""
    from sim.extensive.tree import Chance

    pays, probs = iter(payoffs), iter(chance_probs)

    def node(n):
        if isinstance(n, Terminal):
            return Terminal(tuple(float(x) for x in next(pays)))
        if isinstance(n, Chance):
            p = tuple(float(x) for x in next(probs))
            return Chance(n.outcomes, p, tuple(node(c) for c in n.children))
        return Decision(n.player, n.infoset, n.actions, tuple(node(c) for c in n.children))

    return ExtensiveFormGame.from_root(game.players, node(game.root))


_PROB_CHOICES = np.array([[0.25, 0.75], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]])


@settings(max_examples=60, deadline=None)
@given(perfect_information_trees(), st.integers(0, 2**32 - 1))
def test_batch_tie_flag_is_exactly_several_spe_and_tie_free_points_match_spe_solve(game, seed):
    from sim.extensive.reduced import terminal_table
    from sim.extensive.spe import spe_batch
    from sim.extensive.tree import Chance

    rng = np.random.default_rng(seed)
    _, _, pays, _ = terminal_table(game)
    B = 6
    # Integer payoffs in -2..2: ties at some node are common, but not universal.
    batch = np.concatenate([pays[None], rng.integers(-2, 3, size=(B - 1, *pays.shape)).astype(float)])
    chance = [n for _, n in game.nodes() if isinstance(n, Chance)]
    probs = []
    for c in chance:
        if len(c.probs) == 1:
            probs.append(np.ones((B, 1)))
        else:
            probs.append(np.concatenate([[c.probs], _PROB_CHOICES[rng.integers(0, 4, size=B - 1)]]))
    r = spe_batch(game, batch, chance_probs=probs)
    legacy_choices, legacy_values = backward_induction_batch(game, batch) if not chance else (None, None)
    decisions = [n for _, n in game.nodes() if isinstance(n, Decision)]
    for b in range(B):
        g = _rebuild(game, batch[b], [p[b] for p in probs])
        result = spe_solve(g)
        assert bool(r.tied[b]) == (len(result.equilibria) > 1)
        if legacy_choices is not None:
            np.testing.assert_array_equal(r.choices[b], legacy_choices[b])
        if r.tied[b]:
            continue
        (eq,) = result.equilibria
        chosen = {d.infoset: d.actions[k] for d, k in zip(decisions, r.choices[b])}
        assert chosen == dict(eq.details["choices"])
        assert tuple(r.strategies[b]) == eq.pure_profile
        np.testing.assert_allclose(r.values[b], eq.payoffs, rtol=0, atol=1e-9)
        regret = max(0.0, float((r.best_reply[b] - r.values[b]).max()))
        assert abs(regret - eq.max_regret) <= 1e-9


@settings(max_examples=40, deadline=None)
@given(perfect_information_trees(), st.integers(0, 2**32 - 1))
def test_batch_best_reply_is_the_best_deviation_on_the_reduced_normal_form(game, seed):
    """Plain NumPy reference: each player's best deviation payoff read off the reduced normal form
    at the kernel's pure profile (ties included: the profile is a valid SPE either way)."""
    from sim.extensive.reduced import terminal_table
    from sim.extensive.spe import spe_batch
    from sim.game import deviation_payoffs

    rng = np.random.default_rng(seed)
    _, _, pays, _ = terminal_table(game)
    batch = np.concatenate([pays[None], rng.normal(size=(3, *pays.shape)).round(1)])
    r = spe_batch(game, batch)
    for b in range(len(batch)):
        nf = _rebuild(game, batch[b], [c.probs for _, c in game.nodes() if isinstance(c, Chance)]).reduced_normal_form()
        profile = [np.eye(n)[s] for n, s in zip(nf.shape, r.strategies[b])]
        dev = deviation_payoffs(nf.payoffs, profile)
        np.testing.assert_allclose(r.best_reply[b], [d.max() for d in dev], rtol=0, atol=1e-9)
        np.testing.assert_allclose(r.values[b], [d @ s for d, s in zip(dev, profile)], rtol=0, atol=1e-9)
        assert max(float(d.max() - d @ s) for d, s in zip(dev, profile)) <= 1e-9  # an equilibrium


def test_batch_refuses_imperfect_information_and_bad_shapes():
    import pytest
    from sim.errors import GameError, SolverError
    from sim.extensive.spe import spe_batch

    with pytest.raises(GameError, match=r"spe_batch\(\): needs perfect information"):
        spe_batch(read_efg(DATA / "coord2ts.efg"), np.zeros((1, 1, 2)))
    with pytest.raises(SolverError, match=r"spe_batch\(\): terminal_payoffs must have shape \(B, 3, 2\); got \(2, 3\)"):
        spe_batch(_entry_game(), np.zeros((2, 3)))
    with pytest.raises(SolverError, match=r"spe_batch\(\): tol must be a non-negative finite number; got -1"):
        spe_batch(_entry_game(), np.zeros((1, 3, 2)), tol=-1)


@pytest.mark.parametrize("tol", [-1, float("nan"), float("inf"), "1e-9", None, True])
def test_a_bad_tol_is_refused_by_name(tol):
    """NaN passed ``tol < 0`` and reached the solver, where every comparison with it is False."""
    from sim.errors import SolverError
    from sim.extensive.spe import spe_batch, spe_solve

    with pytest.raises(SolverError, match=r"^spe_solve\(\): tol must be a non-negative finite number; got "):
        spe_solve(_entry_game(), tol=tol)
    with pytest.raises(SolverError, match=r"^spe_batch\(\): tol must be a non-negative finite number; got "):
        spe_batch(_entry_game(), np.zeros((1, 3, 2)), tol=tol)


@pytest.mark.parametrize("limit", [0, 1.5, "3", True])
def test_a_bad_max_equilibria_is_refused_by_name(limit):
    from sim.errors import SolverError
    from sim.extensive.spe import spe_solve

    with pytest.raises(SolverError, match=r"^spe_solve\(\): max_equilibria must be an integer of at least 1; got "):
        spe_solve(_entry_game(), max_equilibria=limit)


def test_batch_ultimatum_ties_flagged_and_tie_free_point_solved():
    """The two-unit ultimatum game above: with the pie's payoffs the responder is indifferent after
    offer 0 (tied); adding a small bonus for accepting removes every tie."""
    from sim.extensive.reduced import terminal_table
    from sim.extensive.spe import spe_batch

    def respond(x, h):
        return Decision(1, h, ("yes", "no"), (Terminal((2.0 - x, float(x))), Terminal((0.0, 0.0))))

    game = ExtensiveFormGame.from_root(("Proposer", "Responder"), Decision(0, "offer", ("0", "1", "2"),
                                       tuple(respond(x, f"r{x}") for x in range(3))))
    pays = terminal_table(game)[2]
    bonus = pays.copy()
    bonus[0::2, 1] += 0.5  # accepting is worth 0.5 more to the responder
    r = spe_batch(game, np.stack([pays, bonus]))
    assert r.tied.tolist() == [True, False]
    assert r.choices[1].tolist() == [0, 0, 0, 0]
    assert r.values[1].tolist() == [2.0, 0.5]


def test_batch_tolerance_is_scaled_by_the_spread_at_the_node_like_spe_solve():
    """A gap of 5e-9 is a tie when the mover's payoffs at the node spread over 10 (tolerance
    1e-9 * 10) and not when they spread over 1 (tolerance 1e-9): both routes agree."""
    from sim.extensive.spe import spe_batch

    def game(pays):
        return ExtensiveFormGame.from_root(("A",), Decision(0, "a", ("x", "y", "z"),
                                                            tuple(Terminal((p,)) for p in pays)))

    cases = [(1.0, 1.0 - 5e-9, -9.0), (1.0, 1.0 - 5e-9, 0.0)]
    r = spe_batch(game(cases[0]), np.array(cases)[:, :, None])
    assert r.tied.tolist() == [True, False]
    assert [len(spe_solve(game(c)).equilibria) for c in cases] == [2, 1]


def _jordan_subgame_tree(out_value: float = 0.5) -> ExtensiveFormGame:
    """A leader chooses out (``out_value`` to itself) or in; after in, three players play Jordan's
    (1993) cyclic matching pennies simultaneously: A wants to match B, B to match C, C to mismatch
    A. Its only Nash equilibrium has everyone mixing one half, so the subgame has no pure one."""
    def leaf(a, b, c):
        return Terminal((1.0, 1.0 if a == b else -1.0, 1.0 if b == c else -1.0, 1.0 if c != a else -1.0))

    def c_node(a, b):
        return Decision(3, "C", ("h", "t"), tuple(leaf(a, b, c) for c in range(2)))

    def b_node(a):
        return Decision(2, "B", ("h", "t"), tuple(c_node(a, b) for b in range(2)))

    sub = Decision(1, "A", ("h", "t"), tuple(b_node(a) for a in range(2)))
    return ExtensiveFormGame.from_root(("Leader", "A", "B", "C"), Decision(
        0, "L", ("out", "in"), (Terminal((out_value, 0.0, 0.0, 0.0)), sub)))


def test_mixed_equilibria_of_n_player_subgames_are_composed():
    # Without mixed equilibria of the three-player subgame there is no SPE at all; with them the
    # only one is: in, and everyone mixing one half (value 1 > 0.5 for the leader).
    r = spe_solve(_jordan_subgame_tree())
    assert r.complete
    assert len(r.equilibria) == 1
    (e,) = r.equilibria
    assert e.details["choices"]["L"] == "in"
    for h in ("A", "B", "C"):
        np.testing.assert_allclose(e.details["behaviour"][h], [0.5, 0.5], atol=1e-9)
    assert e.max_regret <= 1e-9
    # The leader's choice follows the subgame's value: out when out pays more than 1.
    r = spe_solve(_jordan_subgame_tree(out_value=2.0))
    assert [x.details["choices"]["L"] for x in r.equilibria] == ["out"]


def test_proliferation_cascade_lists_the_mixed_subgame_equilibria():
    """NATO and Russia's subgames after Iran proceeds are 2x2 coordination games (3 equilibria
    each, one mixed); with them the SPE set is complete and some SPE mix."""
    from sim.scenario import compile_scenario, load_scenario

    game = compile_scenario(load_scenario(V1 / "proliferation-cascade.toml")).extensive_game()
    r = spe_solve(game)
    assert r.complete
    assert len(r.equilibria) >= 9  # 3 x 3 subgame equilibria, each with Iran's best reply
    assert all(e.max_regret <= 1e-9 for e in r.equilibria)
    assert any(not e.is_pure for e in r.equilibria)


def test_subgames_too_large_for_enumpoly_keep_the_pure_equilibria_and_say_incomplete():
    from sim.extensive import spe as spe_module
    from sim.scenario import compile_scenario, load_scenario

    game = compile_scenario(load_scenario(V1 / "chip-that-did-not-exist.toml")).extensive_game()
    r = spe_solve(game)
    assert not r.complete  # its 4x4x16 subgame has 14.7 million support profiles
    assert r.equilibria and all(e.is_pure and e.max_regret <= 1e-9 for e in r.equilibria)
    assert spe_module.ENUMPOLY_SUBGAME_SUPPORTS < 15 * 15 * (2 ** 16 - 1)


# ----- the compiled route against the level-by-level route it replaced ----------------------------------


def _level_backward_induction(flat, eps):
    """The level-by-level NumPy backward induction that ``spe_solve`` used before its compiled
    loop (same arithmetic by construction): the reference of the differential tests below."""
    from sim.extensive.behaviour import CHANCE, DECISION

    V = flat.payoffs.copy()
    choice = np.zeros(len(flat.infoset_names), dtype=np.int64)
    tied = np.zeros(flat.n_nodes, dtype=bool)
    for d in range(len(flat.level) - 2, -1, -1):
        sl = flat.level[d]
        idx = np.arange(sl.start, sl.stop)
        cn = idx[flat.kind[idx] == CHANCE]
        if len(cn):
            f, c = flat.first[cn], flat.count[cn]
            acc = flat.edge[f, None] * V[f]
            for k in range(1, int(c.max())):
                m = c > k
                acc[m] = acc[m] + flat.edge[f[m] + k, None] * V[f[m] + k]
            V[cn] = acc
        dn = idx[flat.kind[idx] == DECISION]
        if len(dn):
            f, c, pl = flat.first[dn], flat.count[dn], flat.player[dn]
            top = V[f, pl].copy()
            best = np.zeros(len(dn), dtype=np.int64)
            for k in range(1, int(c.max())):
                m = c > k
                x = V[np.where(m, f + k, f), pl]
                better = m & (x > top)
                best[better] = k
                top = np.where(better, x, top)
            thr = top - eps[pl]
            n_opt = np.zeros(len(dn), dtype=np.int64)
            for k in range(int(c.max())):
                m = c > k
                n_opt += m & (V[np.where(m, f + k, f), pl] >= thr)
            tied[dn] = n_opt > 1
            choice[flat.infoset[dn]] = best
            V[dn] = V[f + best]
    return V, choice, tied


@settings(max_examples=150, deadline=None)
@given(perfect_information_trees(max_depth=4, max_outcomes=3),
       st.sampled_from([0.0, 1e-9, 0.3]))
def test_compiled_backward_induction_is_the_level_route_on_ties_and_three_way_chance(game, tol):
    from sim.extensive.behaviour import TERMINAL, flatten
    from sim.extensive.spe import indifference_tolerances, _pure_backward_induction

    flat = flatten(game)
    eps = indifference_tolerances(flat.payoffs[flat.kind == TERMINAL][None], tol)[0]
    V, choice, tied = _pure_backward_induction(flat, eps)
    V0, choice0, tied0 = _level_backward_induction(flat, eps)
    assert np.array_equal(V, V0)  # same floats, not merely close
    assert choice.tolist() == choice0.tolist()
    assert tied.tolist() == tied0.tolist()


@settings(max_examples=100, deadline=None)
@given(perfect_information_trees(max_depth=4, max_outcomes=3, integer_payoffs=False), st.data())
def test_one_pass_certificate_equals_the_sequence_form_measures(game, data):
    from sim.extensive.behaviour import (best_response_values, expected_payoffs, flatten, one_shot_gains,
                                         perfect_information_measures)
    from tests.strategies import behaviour_profiles

    flat = flatten(game)
    seq = flat.sequences(data.draw(behaviour_profiles(game)))
    payoffs, best, gains = perfect_information_measures(flat, seq)
    scale = 1e-12 * max(1.0, float(np.abs(flat.payoffs).max(initial=0.0)))
    assert np.allclose(payoffs, expected_payoffs(flat, seq), rtol=0, atol=scale)
    assert np.allclose(best, best_response_values(flat, seq), rtol=0, atol=scale)
    assert np.allclose(gains, one_shot_gains(flat, seq), rtol=0, atol=scale)


@settings(max_examples=100, deadline=None)
@given(perfect_information_trees(max_depth=4, max_outcomes=3))
def test_every_spe_of_the_compiled_route_is_certified_and_matches_brute_force(game):
    result = spe_solve(game)
    ours = sorted(tuple(sorted((h, game.infosets[h][1].index(a)) for h, a in e.details["choices"].items()))
                  for e in result.equilibria)
    assert ours == sorted(tuple(sorted(c.items())) for c in _subgame_perfect_brute_force(game))
    for e in result.equilibria:
        assert e.details["subgame_regret"] <= 1e-9
        assert max(e.details["regret_by_player"].values()) <= 1e-9


def test_one_pass_certificate_refuses_imperfect_information():
    from sim.errors import GameError
    from sim.extensive.behaviour import flatten, perfect_information_measures

    g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("l", "r"), (  # matching pennies in turn
        Decision(1, "b", ("x", "y"), (Terminal((1.0, 0.0)), Terminal((0.0, 1.0)))),
        Decision(1, "b", ("x", "y"), (Terminal((0.0, 1.0)), Terminal((1.0, 0.0)))))))
    flat = flatten(g)
    with pytest.raises(GameError, match="needs perfect information"):
        perfect_information_measures(flat, np.full(flat.n_sequences, 0.5))


# ----- imperfect information with types: the tree route against the reduced normal form -------------
# Subgame perfection read off its definition (Selten 1975): a profile is subgame perfect when it is
# a Nash equilibrium of the reduced normal form of every subgame, a subgame being rooted at a node
# that is alone in its information set and whose subtree holds every information set it touches
# whole. Nothing below shares code with spe_solve's cutting and composing.


def _subgame_roots(game):
    """``(path, node)`` of every subgame root (the root included), found from the definition."""
    from sim.extensive.nodes import iter_nodes

    nodes = list(iter_nodes(game.root))
    members: dict[str, list[tuple]] = {}
    for p, n in nodes:
        if isinstance(n, Decision):
            members.setdefault(n.infoset, []).append(p)
    roots = []
    for p, n in nodes:
        if isinstance(n, Terminal) or (isinstance(n, Decision) and len(members[n.infoset]) > 1):
            continue
        touched = {m.infoset for q, m in nodes if q[:len(p)] == p and isinstance(m, Decision)}
        if all(q[:len(p)] == p for h in touched for q in members[h]):
            roots.append((p, n))
    return roots


def _terminal_distribution(node, behaviour, path=()):
    """``{terminal path: probability}`` of play from ``node`` under a behaviour profile."""
    if isinstance(node, Terminal):
        return {path: 1.0}
    names = node.outcomes if isinstance(node, Chance) else node.actions
    probs = node.probs if isinstance(node, Chance) else behaviour[node.infoset]
    out: dict = {}
    for a, p, c in zip(names, probs, node.children):
        if p > 1e-12:
            for q, r in _terminal_distribution(c, behaviour, (*path, a)).items():
                out[q] = out.get(q, 0.0) + float(p) * r
    return out


def _fingerprint(roots, behaviour):
    """Play in every subgame: the distribution over terminals from each subgame root (rounded).
    Two profiles that differ only where a player's own earlier move excludes play have the same."""
    return tuple(tuple(sorted((q, round(r, 9)) for q, r in _terminal_distribution(n, behaviour).items()))
                 for _, n in roots)


def _pure_where_it_matters(game, roots, behaviour):
    """True when the profile is pure at every information set its owner's own moves let play reach
    from some subgame root (elsewhere a reduced strategy, and so spe_solve, leaves it unspecified)."""
    needs = set()

    def walk(node, own):
        if isinstance(node, Terminal):
            return
        if isinstance(node, Chance):
            for c in node.children:
                walk(c, own)
            return
        if own[node.player] > 0:
            needs.add(node.infoset)
        for p, c in zip(behaviour[node.infoset], node.children):
            walk(c, {**own, node.player: own[node.player] * float(p)})

    for _, n in roots:
        walk(n, {i: 1.0 for i in range(game.n_players)})
    return all(np.allclose(behaviour[h], np.round(behaviour[h]), atol=1e-9) for h in needs)


def _tree_margins(game, tol):
    """Each player's largest regret that still counts as none in any subgame of ``game``: ``tol``
    times the spread of the player's terminal payoffs in the whole tree, plus round-off of payoffs
    of the tree's magnitude (the rule spe_solve's docstring states; a subgame's own spread can be
    as small as round-off, so it is not the scale), plus a step of the grid the subgame's reduced
    normal form is rounded onto (two payoffs equal before rounding can land a step apart)."""
    from sim.extensive.reduced import rounding_grid, terminal_table
    from sim.game import ROUNDOFF

    pays = terminal_table(game)[2]
    return tol * (pays.max(axis=0) - pays.min(axis=0)) + ROUNDOFF * np.abs(pays).max(axis=0) + rounding_grid(pays)


def _pure_spe_by_reduced_forms(game, max_profiles):
    """Fingerprints of every pure behaviour profile that is Nash in the reduced normal form of every
    subgame (regrets within the whole tree's margins), or None when there are more than
    ``max_profiles`` pure profiles."""
    from sim.extensive.reduced import reduced_strategies

    infosets = list(game.infosets.items())
    if np.prod([len(a) for _, (_, a) in infosets]) > max_profiles:
        return None
    roots = _subgame_roots(game)
    subs = []
    for _, node in roots:
        sub = ExtensiveFormGame(game.players, node)
        subs.append((sub.reduced_normal_form(), reduced_strategies(sub)))
    found = set()
    margins = _tree_margins(game, 1e-9)
    for combo in itertools.product(*[range(len(a)) for _, (_, a) in infosets]):
        choice = {h: a[k] for (h, (_, a)), k in zip(infosets, combo)}
        ok = True
        for nf, plans in subs:
            idx = tuple(next(s for s, plan in enumerate(ps) if all(choice[h] == a for h, a in plan.items()))
                        for ps in plans)
            profile = [np.eye(n)[k] for n, k in zip(nf.shape, idx)]
            if not np.all(nf.regrets(profile) <= margins):
                ok = False
                break
        if ok:
            behaviour = {h: np.eye(len(a))[a.index(choice[h])] for h, (_, a) in infosets}
            found.add(_fingerprint(roots, behaviour))
    return found


def _check_spe_against_reduced_forms(game, max_profiles=4096, max_checks=None, brute_profiles=None):
    """Check spe_solve against the definition on the reduced normal form of every subgame. Games
    with more than ``max_profiles`` pure behaviour profiles are skipped, and the brute-force
    comparison runs up to ``brute_profiles`` (default ``max_profiles``); with ``max_checks``, the
    (equilibrium, subgame) Nash checks of the listed equilibria are spread over every k-th
    equilibrium to stay within it (every pure one still enters the comparison)."""
    from sim.extensive.reduced import mixed_from_behaviour

    if np.prod([len(a) for _, a in game.infosets.values()]) > max_profiles:
        return None  # beyond the brute force below
    try:
        result = spe_solve(game, max_equilibria=2_000)
    except SolverError as exc:  # too many ties to list, or a subgame too large: refused, saying so
        assert "max_equilibria" in str(exc) or "too large to search" in str(exc), exc
        return None
    roots = _subgame_roots(game)
    subs = [(ExtensiveFormGame(game.players, n)) for _, n in roots]
    nfs = [s.reduced_normal_form() for s in subs]
    ours = set()
    margins = _tree_margins(game, 1e-7)
    checks = len(result.equilibria) * len(subs)
    stride = 1 if max_checks is None or checks <= max_checks else -(-checks // max_checks)
    for k, e in enumerate(result.equilibria):
        behaviour = {h: np.asarray(p, dtype=float) for h, p in e.details["behaviour"].items()}
        # Every equilibrium listed, mixed or pure, is Nash in every subgame's reduced normal form.
        for sub, nf in zip(subs, nfs) if k % stride == 0 else ():
            profile = mixed_from_behaviour(sub, {h: behaviour[h] for h in sub.infosets})
            assert np.all(nf.regrets(profile) <= margins), (sub.root, nf.regrets(profile), margins)
        if _pure_where_it_matters(game, roots, behaviour):
            ours.add(_fingerprint(roots, behaviour))
    brute = _pure_spe_by_reduced_forms(game, max_profiles=max_profiles if brute_profiles is None else brute_profiles)
    if brute is None:
        return None
    assert ours <= brute  # sound whatever happens
    if result.complete:
        assert ours == brute  # and every pure subgame-perfect play is found
    return ours


@settings(max_examples=80, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=3, max_actions=2, conditional=True))
def test_spe_on_the_tree_equals_spe_through_the_reduced_normal_forms_of_the_subgames(game):
    _check_spe_against_reduced_forms(game)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=12), st.sampled_from([1e-9, 1e-3, 1.0, 1e4]))
def test_the_reduced_forms_rounding_moves_no_payoff_by_more_than_half_its_grid_step(xs, scale):
    # rounding_grid is what spe_solve's subgame margins allow for: it must be the step
    # _clean_round_off really rounds onto, whatever the magnitude.
    from sim.extensive.reduced import _clean_round_off, rounding_grid

    t = np.array(xs)[:, None] * scale
    moved = np.abs(_clean_round_off(t) - t)
    assert np.all(moved <= rounding_grid(t) / 2 + 4 * np.spacing(np.abs(t))), (moved, rounding_grid(t))


def _hidden_thirds_game():
    """Chance draws one of three equally likely states; player 0 chooses x or y without seeing it;
    chance then draws one of three equally likely terminals. Player 0's expected payoff is 4/9
    after x and after y, but the subgame values below (1/3, -2/3, 5/3 and 2/3, 0, 2/3), rounded
    by the reduced normal form, average to 0.444444444444 and 0.444444444445: found by the
    property above (Hypothesis, not its derandomized CI draw)."""
    third = (1 / 3, 1 / 3, 1 / 3)
    names = ("o0", "o1", "o2")

    def draw(*xs):
        return Chance(names, third, tuple(Terminal((float(x), 0.0)) for x in xs))

    return ExtensiveFormGame.from_root(("P0", "P1"), Chance(names, third, (
        Decision(0, "L1|", ("a0", "a1"), (draw(0, 0, 1), draw(0, 0, 2))),
        Decision(0, "L1|", ("a0", "a1"), (draw(0, 0, -2), draw(0, 0, 0))),
        Decision(0, "L1|", ("a0", "a1"), (draw(1, 2, 2), draw(0, 0, 2))))))


@pytest.mark.parametrize("scale, shift", [(1.0, 0.0), (1e-4, 0.5), (1e-6, 0.5), (1e-3, 10.0), (1e6, 0.0), (1e-8, 0.0)])
def test_a_tie_reached_through_rounded_subgame_values_is_a_tie_on_the_trees_scale(scale, shift):
    # The root's truncated game has player 0's payoffs 0.444444444444 and 0.444444444445: a spread
    # of 1e-12, against which the tolerance was once measured, so the tie read as a strict
    # preference and the SPE "a0" was missed with complete=True. On the tree's scale (player 0's
    # payoffs span -2..2) both actions are optimal: each is a pure SPE. Under an affine map of the
    # payoffs the same holds; with 0.5 + 1e-4 x the reduced normal forms' 1e-12 rounding grid was
    # once wider than the margin, and the tie was lost again.
    game = affine_tree(_hidden_thirds_game(), scale, shift)
    r = spe_solve(game)
    assert r.complete
    assert sorted(dict(e.details["choices"])["L1|"] for e in r.equilibria if e.is_pure) == ["a0", "a1"]
    for e in r.equilibria:
        np.testing.assert_allclose(e.payoffs, [scale * 4 / 9 + shift, shift], rtol=1e-9, atol=0)
    assert _check_spe_against_reduced_forms(game) is not None


@settings(max_examples=60, deadline=None)
@given(chance_tie_trees(), st.sampled_from([(1.0, 0.0), (1e-4, 0.5), (1e-3, 10.0), (1e6, -3.0)]))
def test_spe_finds_every_pure_spe_when_ties_come_through_chance_averages_of_thirds(game, affine):
    # Ties equal in exact arithmetic and apart by round-off in floats, inside subgames whose own
    # payoffs may span no more than the round-off: every pure SPE of the reduced-normal-form
    # oracle (regrets judged on the whole tree's scale) must be listed, and the same ones after
    # an affine map of the payoffs (which leaves the equilibria as they are).
    found = _check_spe_against_reduced_forms(game)
    assert found is not None
    assert _check_spe_against_reduced_forms(affine_tree(game, *affine)) == found


@settings(max_examples=40, deadline=None)
@given(chance_tie_trees(perfect_information=True))
def test_spe_batch_flags_ties_through_chance_averages_of_thirds_exactly_where_spe_finds_several(game):
    from sim.extensive.reduced import terminal_table
    from sim.extensive.spe import spe_batch

    r = spe_batch(game, terminal_table(game)[2][None])
    result = spe_solve(game)
    assert bool(r.tied[0]) == (len(result.equilibria) > 1)
    assert r.strategies[0].tolist() in [list(e.pure_profile) for e in result.equilibria]
    assert _check_spe_against_reduced_forms(game) is not None


def _multi_move_game(doc):
    from sim.scenario import compile_scenario, parse_scenario

    return compile_scenario(parse_scenario(doc)).game()


@settings(max_examples=25, deadline=None)
@given(multi_move_scenario_docs(max_players=3))
def test_spe_of_multi_move_scenarios_with_types_equals_spe_through_the_reduced_normal_forms(doc):
    # Named moves, several per player, chance moves with up to three outcomes anywhere (one with the
    # parameter p0 as its probability), observed by some movers and not others, moves that happen
    # only after some histories: the trees the scenario language compiles.
    game = _multi_move_game(doc)
    if not isinstance(game, ExtensiveFormGame):
        return
    # Three players: up to thousands of equilibria over dozens of subgames, and the reference
    # check (not spe_solve) then took minutes; a smaller brute force and spread checks bound it.
    if game.n_players >= 3:
        _check_spe_against_reduced_forms(game, max_checks=5_000, brute_profiles=1024)
    else:
        _check_spe_against_reduced_forms(game)


def test_a_subgame_too_large_for_its_reduced_form_is_refused_by_name():
    # Chance draws one of 15 states that B sees and C does not; C's one information set spans
    # them all, so no proper subgame cuts the tree, and B has 2^15 reduced strategies.
    def state(k):
        return Decision(1, f"b{k}", ("x", "y"), tuple(
            Decision(2, "c", ("l", "r"), (Terminal((0.0, float(k % 3), 1.0)), Terminal((0.0, 1.0, 0.0))))
            for _ in range(2)))
    game = ExtensiveFormGame.from_root(("A", "B", "C"), Chance(tuple(f"s{k}" for k in range(15)), (1 / 15,) * 15,
                                                               tuple(state(k) for k in range(15))))
    with pytest.raises(SolverError, match=r"spe_solve\(\): the subgame at the root has imperfect information "
                                          r"that no proper subgame cuts, .*too large to search \(.*'B'"):
        spe_solve(game)


# ----- tie-rich subgames: the equilibrium limit is applied before anything is built ---------------
def _hidden_states_all_tied(k):
    """A moves (unseen by C), chance draws one of ``k`` states that B sees and C does not, C moves
    last; every payoff is 0. No proper subgame cuts it, B has ``3**k`` reduced strategies, and every
    one of the ``2 * 3**k * 2`` profiles of the reduced normal form is an equilibrium."""
    def state(s):
        return Decision(1, f"b{s}", ("x", "y", "z"), tuple(
            Decision(2, "c", ("l", "r"), (Terminal((0.0, 0.0, 0.0)), Terminal((0.0, 0.0, 0.0)))) for _ in range(3)))
    chance = Chance(tuple(f"s{s}" for s in range(k)), (1 / k,) * k, tuple(state(s) for s in range(k)))
    return ExtensiveFormGame.from_root(("A", "B", "C"), Decision(0, "a", ("u", "v"), (chance, chance)))


def test_a_subgame_with_more_pure_equilibria_than_the_limit_is_refused_without_building_them(monkeypatch):
    # Found hunting a memory blow-up: with 9 states (78,732 pure equilibria, B with 19,683
    # strategies) the pure certification gathered K * 19,683 deviation payoffs, over 10 GB, before
    # the limit was looked at. Now they are counted on the mask and refused (0.97 GB peak, all of it
    # the reduced normal form; 8 states: 2.86 GB before, 0.44 GB after). 5 states keep it fast.
    import tracemalloc

    from sim.result import Equilibrium

    game = _hidden_states_all_tied(5)
    built = []
    real = Equilibrium.certify_pure_many.__func__
    monkeypatch.setattr(Equilibrium, "certify_pure_many",
                        classmethod(lambda cls, g, profiles, **d: built.append(len(profiles)) or real(cls, g, profiles, **d)))
    tracemalloc.start()
    try:
        with pytest.raises(SolverError, match=r"a subgame has 972 equilibria, more than max_equilibria=100;"):
            spe_solve(game, max_equilibria=100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert built == [], built  # counted on the mask and refused: not one built (at most the limit and one before)
    assert peak < 30e6, peak
    r = spe_solve(game, max_equilibria=972)  # at the limit: all listed
    assert len(r.equilibria) == 972


def test_combinations_of_subgame_equilibria_beyond_the_limit_are_refused_before_any_is_solved(monkeypatch):
    # Chance picks one of three coordination games, each with 2 pure equilibria and a mixed one:
    # 3 x 3 x 3 = 27 combinations, each with at least one subgame-perfect equilibrium above it.
    import sim.extensive.spe as spe

    def coord(tag):
        return Decision(0, f"r{tag}", ("a", "b"), tuple(
            Decision(1, f"c{tag}", ("a", "b"), tuple(Terminal((float(x == y), float(x == y))) for y in "ab"))
            for x in "ab"))
    game = ExtensiveFormGame.from_root(("R", "C"), Chance(("s", "t", "u"), (0.3, 0.3, 0.4),
                                                          (coord("s"), coord("t"), coord("u"))))
    assert len(spe_solve(game, max_equilibria=27).equilibria) == 27
    calls = []
    real = spe._subgame_equilibria
    monkeypatch.setattr(spe, "_subgame_equilibria", lambda *a, **k: calls.append(1) or real(*a, **k))
    with pytest.raises(SolverError, match=r"the subgames below the root combine into 3 x 3 x 3 = 27 choices .*"
                                          r"more than max_equilibria=26;"):
        spe_solve(game, max_equilibria=26)
    assert len(calls) == 3  # the three subgames, and not one of the 27 truncated roots


# --- Batched measurement of many equilibria (spe_solve measures all profiles of a tree at once) ---

def _drawn_profiles(game, flat, data):
    """Flat behaviour profiles of ``game``: pure reduced profiles as spe_solve's subgames give them
    (uniform where a plan does not reach a set), pure behaviour everywhere, and mixed ones."""
    from sim.extensive.reduced import behaviour_from_mixed

    plans = reduced_strategies(game)
    out = []
    for _ in range(data.draw(st.integers(1, 6))):
        kind = data.draw(st.sampled_from(["reduced", "pure", "mixed"]))
        if kind == "reduced":
            profile = []
            for p in plans:
                v = np.zeros(len(p))
                v[data.draw(st.integers(0, len(p) - 1))] = 1.0
                profile.append(v)
            out.append(flat.sequences(behaviour_from_mixed(game, profile)))
            continue
        seq = np.zeros(flat.n_sequences)
        for h, n in enumerate(flat.n_actions.tolist()):
            a = int(flat.seq_start[h])
            if kind == "pure" or data.draw(st.booleans()):
                seq[a + data.draw(st.integers(0, n - 1))] = 1.0
            else:
                w = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.0]), min_size=n, max_size=n))) + 0.0
                seq[a:a + n] = w / w.sum() if w.sum() > 0 else 1.0 / n
        out.append(seq)
    return np.array(out)


def _recall_trees():
    from tests.strategies import any_recall_trees

    return st.one_of(any_recall_trees(max_depth=4), chance_tie_trees(), imperfect_information_trees(max_levels=3),
                     perfect_information_trees())


@settings(max_examples=120, deadline=None)
@given(_recall_trees(), st.data())
def test_batched_measures_of_many_profiles_equal_the_one_profile_functions(game, data):
    # spe_solve measures every equilibrium with array operations over all of them at once; each
    # number must be exactly (not nearly) the one the one-profile functions give: payoffs and best
    # replies on the tree, the path, and for profiles pure on the reduced normal form, the reduced
    # strategy and its certification (payoffs, max regret) as Equilibrium.certify measures it.
    from hypothesis import assume

    from sim.extensive.behaviour import (best_response_values, expected_payoffs, flatten, has_reduced_view,
                                         recall_violation)
    from sim.extensive.spe import (_PathSteps, _PlayerTables, _certify_pure_rows, _flat_path, _measure_batch,
                                   _plan_indices)
    from sim.result import Equilibrium

    flat = flatten(game)
    assume(recall_violation(flat) is None and has_reduced_view(flat))
    seqs = _drawn_profiles(game, flat, data)
    tables = [_PlayerTables(flat, i) for i in range(game.n_players)]
    payoffs, best, edge, reach = _measure_batch(flat, seqs, tables)
    paths = _PathSteps(flat, game.players).steps(edge, reach)
    plans = _plan_indices(game, flat, seqs)
    nf = game.reduced_normal_form()
    for k, seq in enumerate(seqs):
        assert payoffs[k].tolist() == expected_payoffs(flat, seq).tolist()
        assert best[k].tolist() == best_response_values(flat, seq).tolist()
        assert paths[k] == _flat_path(flat, seq, game.players)
        behaviour = {h: seq[a:a + n] for h, a, n in zip(flat.infoset_names, flat.seq_start, flat.n_actions)}
        mixed = mixed_from_behaviour(game, behaviour)
        for i, m in enumerate(mixed):  # a plan is named exactly when the mixed strategy is its unit vector
            unit = np.count_nonzero(m) == 1 and m.max() == 1.0
            assert plans[k, i] == (int(np.argmax(m)) if unit else -1), (k, i, m.tolist())
        if np.all(plans[k] >= 0):
            pay, regret = _certify_pure_rows(nf, plans[k:k + 1])
            eq = Equilibrium.certify(nf, mixed)
            assert pay[0].tolist() == eq.payoffs.tolist() and regret[0] == eq.max_regret


@settings(max_examples=60, deadline=None)
@given(_recall_trees(), st.data())
def test_behaviours_of_many_pure_profiles_equal_behaviour_from_mixed(game, data):
    from hypothesis import assume

    from sim.extensive.behaviour import flatten, recall_violation
    from sim.extensive.reduced import behaviour_from_mixed
    from sim.extensive.spe import _flat_sequences, _pure_behaviours

    flat = flatten(game)
    assume(recall_violation(flat) is None)
    sizes = [len(p) for p in reduced_strategies(game)]
    profiles = np.array(data.draw(st.lists(st.tuples(*[st.integers(0, n - 1) for n in sizes]), max_size=6)),
                        dtype=np.intp).reshape(-1, len(sizes))
    got = list(_pure_behaviours(game, profiles))
    assert len(got) == len(profiles)
    for b, row in zip(got, profiles):
        want = behaviour_from_mixed(game, [np.eye(n)[a] for n, a in zip(sizes, row)])
        assert list(b) == list(want) and all(b[h].tolist() == want[h].tolist() for h in want)
    assert [s.tolist() for s in _flat_sequences(flat, got)] == [flat.sequences(b).tolist() for b in got]


@settings(max_examples=40, deadline=None)
@given(st.one_of(chance_tie_trees(), imperfect_information_trees(max_levels=3), perfect_information_trees()))
def test_every_equilibrium_of_spe_solve_is_measured_as_one_profile_alone_would_be(game):
    # The batched route against the per-equilibrium one it replaced: each equilibrium's
    # certification on the reduced normal form (profile, payoffs, support, max regret), its
    # regrets on the tree and its path, recomputed one equilibrium at a time.
    from sim.extensive.behaviour import best_response_values, expected_payoffs, flatten, perfect_information_measures
    from sim.extensive.spe import _flat_path
    from sim.result import Equilibrium

    r = spe_solve(game)
    flat = flatten(game)
    for e in r.equilibria:
        seq = flat.sequences(dict(e.behaviour))
        assert e.details["path"] == _flat_path(flat, seq, game.players)
        if r.details["perfect_information"]:  # measured node by node there, as before
            payoffs, best, _ = perfect_information_measures(flat, seq)
        else:
            payoffs, best = expected_payoffs(flat, seq), best_response_values(flat, seq)
        by_player = np.maximum(0.0, best - payoffs)
        assert e.details["regret_by_player"] == dict(zip(game.players, by_player.tolist()))
        if r.details["reduced_form"]:
            want = Equilibrium.certify(r.game, mixed_from_behaviour(game, e.behaviour))
            assert [p.tolist() for p in e.profile] == [p.tolist() for p in want.profile]
            assert e.payoffs.tolist() == want.payoffs.tolist()
            assert e.support == want.support and e.max_regret == want.max_regret


def test_a_subgame_with_far_more_pure_equilibria_than_the_limit_is_refused_before_one_is_built(monkeypatch):
    # With more than max_equilibria + 1 pure equilibria the count alone decides: none is certified
    # (7 hidden states and 10,001 built cost 2.5 s of 2.9 s). At max_equilibria + 1 exactly, the
    # mixed search still runs and the message counts what it finds, as before.
    from sim.result import Equilibrium

    game = _hidden_states_all_tied(5)  # 972 pure equilibria
    built = []
    real = Equilibrium.certify_pure_many.__func__
    monkeypatch.setattr(Equilibrium, "certify_pure_many",
                        classmethod(lambda cls, g, profiles, **d: built.append(len(profiles)) or real(cls, g, profiles, **d)))
    with pytest.raises(SolverError, match=r"a subgame has 972 equilibria, more than max_equilibria=970;"):
        spe_solve(game, max_equilibria=970)
    assert built == []
    with pytest.raises(SolverError, match=r"a subgame has 972 equilibria, more than max_equilibria=971;"):
        spe_solve(game, max_equilibria=971)
    assert built == [972]
