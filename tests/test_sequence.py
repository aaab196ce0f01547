"""Lemke's algorithm on the sequence form (``seqlcp``): certified on the tree, plans feasible,
degenerate trees solved without cycling, and checked against pygambit's ``lcp`` on the tree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from sim.errors import GameError, SolverError
from sim.extensive.behaviour import flatten, recall_violation, regret
from sim.extensive.sequence import seqlcp_solve, sequence_form
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from sim.formats.efg import read_efg
from tests.strategies import imperfect_information_trees, perfect_information_trees

GAMBIT = Path(__file__).parent / "data" / "gambit"


def _scale(game) -> float:
    pays = np.array([t.payoffs for _, t in game.nodes() if isinstance(t, Terminal)])
    return max(1.0, float(np.ptp(pays)))


def assert_certified_on_the_tree(game, tol=1e-7):
    """Solve, then check the plans and the regret measured on the tree; returns the result."""
    r = seqlcp_solve(game)
    assert len(r.equilibria) == 1
    eq = r.equilibria[0]
    flat = flatten(game)
    sf = sequence_form(game)
    seq = flat.sequences(eq.behaviour)
    assert regret(flat, seq).max() <= tol * _scale(game)
    assert eq.max_regret <= tol * _scale(game)
    for i, p in enumerate(game.players):
        plan = np.zeros(len(sf.sequences[i]))
        index = {s: k for k, s in enumerate(sf.sequences[i])}
        for s, v in eq.details["plans"][p].items():
            plan[index[s]] = v
        M, rhs = sf.constraints(i)
        assert np.all(plan >= 0)
        assert np.allclose(M @ plan, rhs, atol=1e-9)
        # The behaviour realises the plan (Kuhn 1953): same payoffs either way.
        assert np.allclose(sf.plan(flat, seq, i), plan, atol=1e-9)
    x = sf.plan(flat, seq, 0)
    y = sf.plan(flat, seq, 1)
    assert np.allclose([x @ sf.A @ y, x @ sf.B @ y], eq.payoffs, atol=1e-9 * _scale(game))
    return r


def _two_players(game):
    return game.n_players == 2


@settings(max_examples=150, deadline=None)
@given(imperfect_information_trees(max_levels=5, max_players=2, max_actions=3).filter(_two_players))
def test_every_equilibrium_of_an_imperfect_information_tree_has_zero_regret_on_the_tree(game):
    assert_certified_on_the_tree(game)


@settings(max_examples=100, deadline=None)
@given(perfect_information_trees(max_depth=5, max_players=2).filter(_two_players))
def test_every_equilibrium_of_a_perfect_information_tree_has_zero_regret_on_the_tree(game):
    """Small integer payoffs make ties (degenerate sequence forms) common: the lexicographic
    ratio test must end the path all the same."""
    assert_certified_on_the_tree(game)


@settings(max_examples=40, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=2, max_actions=2).filter(_two_players))
def test_the_equilibrium_is_certified_on_the_reduced_normal_form_too(game):
    r = seqlcp_solve(game)
    if r.details["reduced_form"]:
        eq = r.equilibria[0]
        assert eq.profile and eq.max_regret <= 1e-7 * _scale(game)


def _mostly_zero_tree():
    """A tree Hypothesis drew (72 leaves, six nonzero): player 0 moves twice, chance moves, player
    0 moves again at an information set spanning both chance outcomes, then player 1 moves at one
    of three information sets each spread over twelve nodes. Most pairs of sequences reach no
    leaf, and with the ties broken through ``z0`` and ``p`` first the path climbed back to
    ``z0 = 1`` and ended in a ray."""
    nonzero = {(1, 0, 1, 0, 0): (2.0, 0.0), (1, 0, 1, 0, 1): (-2.0, 0.0), (1, 1, 1, 0, 0): (1.0, 0.0),
               (1, 1, 1, 0, 1): (0.0, -2.0), (1, 1, 1, 2, 0): (1.0, 0.0), (1, 2, 1, 0, 1): (0.0, 2.0)}

    def third(i, j, c):
        return Decision(0, f"L3|0={i},1={j}", ("a0", "a1", "a2"), tuple(
            Decision(1, f"L4|3={k}", ("a0", "a1"), tuple(
                Terminal(nonzero.get((i, j, c, k, m), (0.0, 0.0))) for m in range(2))) for k in range(3)))

    return ExtensiveFormGame.from_root(("P0", "P1"), Decision(0, "L0|", ("a0", "a1"), tuple(
        Decision(0, f"L1|0={i}", ("a0", "a1", "a2"), tuple(
            Chance(("o0", "o1"), (0.25, 0.75), tuple(third(i, j, c) for c in range(2))) for j in range(3)))
        for i in range(2))))


def test_a_mostly_zero_tree_with_information_sets_over_many_nodes_ends_at_an_equilibrium():
    r = assert_certified_on_the_tree(_mostly_zero_tree())
    assert "fallback" not in r.details


@pytest.mark.parametrize("failures", [1, 2])
def test_a_path_ending_in_a_ray_falls_back_and_says_so(monkeypatch, failures):
    """Should the path end in a ray (round-off), the skewed start is tried, then lcp on the reduced normal form: the
    equilibrium is still certified on the tree and ``details`` name the fallback."""
    import sim.extensive.sequence as seq

    real, calls = seq.sequence_lemke, []

    def flaky(sf, max_pivots=None, tol=seq.DEFAULT_TOL, skew=False):
        calls.append(skew)
        if len(calls) <= failures:
            raise seq._RayError("seqlcp_solve(): Lemke's path ran into a ray (round-off or a degenerate tree)")
        return real(sf, max_pivots, tol, skew)

    monkeypatch.setattr(seq, "sequence_lemke", flaky)
    r = assert_certified_on_the_tree(_mostly_zero_tree())
    assert calls == [False, True]  # the uniform start, then the skewed one
    assert ("skewed start" if failures == 1 else "reduced normal form") in r.details["fallback"]
    assert r.equilibria[0].details["fallback"] == r.details["fallback"]


def test_rays_from_both_starts_without_a_reduced_form_are_refused_by_name(monkeypatch):
    import sim.extensive.sequence as seq

    def ray(sf, max_pivots=None, tol=seq.DEFAULT_TOL, skew=False):
        raise seq._RayError("seqlcp_solve(): Lemke's path ran into a ray (round-off or a degenerate tree)")

    monkeypatch.setattr(seq, "sequence_lemke", ray)
    monkeypatch.setattr(seq, "has_reduced_view", lambda flat: False)
    with pytest.raises(SolverError, match="from the uniform and from a skewed start.*use seqenum"):
        seqlcp_solve(_mostly_zero_tree())


def test_sequence_form_of_a_tree_with_chance_folds_in_the_probabilities():
    root = Chance(("good", "bad"), (0.25, 0.75), (
        Decision(0, "a", ("L", "R"), (Terminal((4.0, 0.0)), Terminal((0.0, 4.0)))),
        Decision(0, "a", ("L", "R"), (Terminal((8.0, 0.0)), Decision(1, "b", ("l", "r"), (
            Terminal((1.0, 2.0)), Terminal((0.0, 0.0))))))))
    sf = sequence_form(ExtensiveFormGame.from_root(("A", "B"), root))
    assert sf.sequences == (("", "a:L", "a:R"), ("", "b:l", "b:r"))
    assert sf.A.tolist() == [[0, 0, 0], [1.0 + 6.0, 0, 0], [0, 0.75, 0]]
    assert sf.B.tolist() == [[0, 0, 0], [0, 0, 0], [1.0, 1.5, 0]]
    assert sf.F.tolist() == [[1, 0, 0], [-1, 1, 1]]


def test_degenerate_trees_with_every_payoff_tied_end_the_path():
    """Every payoff equal: each pure profile is an equilibrium and every ratio test ties."""
    leaf = Terminal((1.0, 1.0))
    root = Decision(0, "a", ("x", "y", "z"), tuple(
        Decision(1, "b", ("l", "r"), (leaf, Decision(0, f"c{k}", ("u", "d"), (leaf, leaf)))) for k in range(3)))
    assert_certified_on_the_tree(ExtensiveFormGame.from_root(("A", "B"), root))


def test_refusals_name_the_rule():
    three = ExtensiveFormGame.from_root(("A", "B", "C"), Decision(2, "c", ("x",), (Terminal((0.0, 0.0, 0.0)),)))
    with pytest.raises(SolverError, match="2-player trees; this tree has 3 players"):
        seqlcp_solve(three)
    amnesia = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("l", "r"), (
        Decision(0, "b", ("x", "y"), (Terminal((0.0, 0.0)), Terminal((1.0, 0.0)))),
        Decision(0, "b", ("x", "y"), (Terminal((2.0, 0.0)), Terminal((3.0, 0.0)))))))
    with pytest.raises(GameError, match="perfect recall"):
        seqlcp_solve(amnesia)
    g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("l", "r"), (Terminal((0.0, 1.0)),
                                                                             Terminal((1.0, 0.0)))))
    with pytest.raises(SolverError, match="max_pivots must be a positive integer"):
        seqlcp_solve(g, max_pivots=0)


def test_registered_as_a_two_player_tree_method_and_its_details_name_the_play():
    from sim.registry import METHODS, solve

    spec = METHODS["seqlcp"]
    assert (spec.kind, spec.players) == ("tree", "2")
    g = read_efg(GAMBIT / "4cards.efg")
    r = solve(g, "seqlcp", max_pivots=500)
    eq = r.equilibria[0]
    assert r.method == "seqlcp" and r.params["max_pivots"] == 500
    assert eq.details["path"] and set(eq.details["plan"]) == set(g.players)
    assert dict(eq.details["choices"]).items() <= {h: a for h, a in eq.details["plan"]["Player 1"].items()
                                                   if isinstance(a, str)}.items() | {
        h: a for h, a in eq.details["plan"]["Player 2"].items() if isinstance(a, str)}.items()
    with pytest.raises(SolverError, match="max_pivots=1 pivots"):
        seqlcp_solve(g, max_pivots=1)


#: Two-player corpus trees for the comparison with pygambit: small ones (pygambit's reduced-form
#: route would also do) and ones whose reduced form is large (bcp, caro2, e09, montyhal).
CORPUS = ["e01", "e02", "e04", "e05", "e06", "e07", "e08", "e09", "e10", "e13", "e16", "e17", "g1", "g2", "g3",
          "km1", "km2", "holdout", "cent2", "bayes1a", "montyhal", "caro2", "bcp2", "artist2", "4cards"]


def _corpus():
    out = []
    for name in CORPUS:
        path = GAMBIT / f"{name}.efg"
        if not path.exists():
            continue
        try:
            game = read_efg(path)
        except Exception:
            continue
        flat = flatten(game)
        if game.n_players == 2 and flat.n_nodes <= 20_000 and recall_violation(flat) is None:
            out.append((name, path, game))
    return out


@pytest.mark.gambit
def test_same_equilibrium_as_pygambit_lcp_on_the_tree_or_ours_certified():
    """pygambit's ``lcp`` with ``use_strategic=False`` is Lemke on the sequence form from
    another starting vector (Koller, Megiddo and von Stengel 1996), so on a tree with several
    equilibria the two paths may end at different ones: then ours must be certified (zero
    regret on the tree, measured on Gambit's equilibrium too as a control)."""
    from tests.oracles import OracleFailed, gambit_behaviour_equilibria_many

    games = _corpus()
    assert len(games) >= 8
    from sim.formats.efg import format_efg

    # Our own writing of each tree: pygambit 16 refuses some corpus files (repeated node labels).
    out = gambit_behaviour_equilibria_many([format_efg(g) for _, _, g in games], [("lcp", {"use_strategic": False})])
    same = compared = 0
    for (name, _, game), doc in zip(games, out):
        theirs = doc["lcp"]
        r = assert_certified_on_the_tree(game)
        if isinstance(theirs, OracleFailed) or not theirs:
            continue
        flat = flatten(game)
        ours = r.equilibria[0]
        labels = dict(zip(flat.infoset_names, flat.infoset_names))
        if not set(theirs[0]) >= set(labels):
            continue  # Gambit's infoset labels differ from ours (unlabelled infosets)
        compared += 1
        gambit_seq = flat.sequences({h: np.asarray(theirs[0][h]) for h in flat.infoset_names})
        assert regret(flat, gambit_seq).max() <= 1e-6 * _scale(game), name  # the control
        if np.allclose(ours.payoffs, flat_payoffs(flat, gambit_seq), atol=1e-7 * _scale(game)):
            same += 1
    assert compared >= 5
    assert same >= compared // 2


def flat_payoffs(flat, seq):
    from sim.extensive.behaviour import expected_payoffs

    return expected_payoffs(flat, seq)


def test_trees_where_a_player_never_moves_or_nobody_does():
    assert_certified_on_the_tree(ExtensiveFormGame.from_root(("A", "B"), Terminal((1.0, 2.0))))
    r = assert_certified_on_the_tree(ExtensiveFormGame.from_root(("A", "B"), Chance(("x", "y"), (0.5, 0.5), (
        Terminal((1.0, 2.0)), Decision(1, "b", ("l", "r"), (Terminal((0.0, 0.0)), Terminal((3.0, -1.0))))))))
    assert r.equilibria[0].payoffs.tolist() == [0.5, 1.0]


def test_an_information_set_its_owner_avoids_is_reported_unreached():
    """Player A takes the sure 3 at the root, so A's later move is never reached by A's own plan:
    uniform behaviour is reported there, and the set is named."""
    g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("out", "in"), (
        Terminal((3.0, 0.0)),
        Decision(1, "b", ("l", "r"), (Decision(0, "c", ("u", "d"), (Terminal((0.0, 1.0)), Terminal((1.0, 0.0)))),
                                      Terminal((0.0, 2.0)))))))
    eq = assert_certified_on_the_tree(g).equilibria[0]
    assert eq.details["unreached"] == ["c"] and list(eq.details["behaviour"]["c"]) == [0.5, 0.5]


@settings(max_examples=40, deadline=None)
@given(imperfect_information_trees(max_players=2))
def test_dense_bytes_counts_the_tableau_and_matrices_that_seqlcp_builds(game):
    from sim.extensive.sequence import dense_bytes

    if game.n_players != 2 or recall_violation(flatten(game)) is not None:
        return
    sf = sequence_form(game)
    n0, n1 = sf.shape
    k0, k1 = sf.E.shape[0], sf.F.shape[0]
    rows, cols = n0 + n1 + k0 + k1, 2 * (n0 + n1) + k0 + k1 + 2  # sequence_lemke's M: (R, V + 1)
    assert dense_bytes(flatten(game)) == 8 * (rows * cols + sf.A.size + sf.B.size + sf.W.size)


def test_a_tree_whose_dense_tableau_exceeds_the_bound_is_refused_in_one_line():
    from sim.extensive.sequence import MAX_DENSE_BYTES, dense_bytes

    # 6,000 first moves, each answered by a two-action reply: about 18,000 sequences.
    replies = tuple(Decision(1, f"b{k}", ("l", "r"), (Terminal((1.0, 0.0)), Terminal((0.0, 1.0))))
                    for k in range(6000))
    game = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", tuple(f"a{k}" for k in range(6000)), replies))
    assert dense_bytes(flatten(game)) > MAX_DENSE_BYTES
    with pytest.raises(SolverError) as err:
        seqlcp_solve(game)
    message = str(err.value)
    assert "\n" not in message
    assert "seqlcp_solve()" in message and "MAX_DENSE_BYTES=1 GiB" in message and "spe" in message
