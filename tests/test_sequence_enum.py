"""Vertex enumeration on the sequence form (``seqenum``): every equilibrium certified on the tree
and on the reduced normal form, the same set of extreme equilibrium plans (and maximal Nash
subsets) as enumeration on the reduced normal form, the compiled search's vertices equal to an
exhaustive solve of every basis, and checked against pygambit's ``enummixed`` (reduced form) and
``lcp`` (sequence form)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sim.errors import GameError, SolverError
from sim.extensive.behaviour import flatten, recall_violation, reduced_strategy_counts, regret
from sim.extensive.reduced import behaviour_from_mixed
from sim.extensive.sequence import sequence_form
from sim.extensive.sequence_enum import seqenum_solve
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from sim.formats.efg import read_efg
from sim.solvers.mixed import enummixed_solve
from tests.strategies import imperfect_information_trees, perfect_information_trees

GAMBIT = Path(__file__).parent / "data" / "gambit"
DATA = Path(__file__).parent / "data" / "sequence-enum"


def _two_players(game):
    return game.n_players == 2


def _scale(game) -> float:
    pays = np.array([t.payoffs for _, t in game.nodes() if isinstance(t, Terminal)])
    return max(1.0, float(np.ptp(pays)))


def _plans(game, behaviour) -> np.ndarray:
    """Both players' realisation plans of a behaviour profile, end to end (Kuhn 1953)."""
    flat, sf = flatten(game), sequence_form(game)
    seq = flat.sequences(behaviour)
    return np.concatenate([sf.plan(flat, seq, 0), sf.plan(flat, seq, 1)])


def _plan_set(rows) -> set:
    return {tuple(np.round(r, 6) + 0.0) for r in rows}


def assert_every_equilibrium_certified_on_the_tree(game, tol=1e-7):
    """Solve, then check each equilibrium's plans (feasible, realised by its behaviour) and its
    regret measured on the tree; returns the result."""
    r = seqenum_solve(game)
    assert r.equilibria and r.complete
    flat, sf = flatten(game), sequence_form(game)
    for eq in r.equilibria:
        seq = flat.sequences(eq.behaviour)
        assert regret(flat, seq).max() <= tol * _scale(game)
        assert eq.max_regret <= tol * _scale(game)
        for i, p in enumerate(game.players):
            index = {s: k for k, s in enumerate(sf.sequences[i])}
            plan = np.zeros(len(index))
            for s, v in eq.details["plans"][p].items():
                plan[index[s]] = v
            M, rhs = sf.constraints(i)
            assert np.all(plan >= 0) and np.allclose(M @ plan, rhs, atol=1e-9)
            assert np.allclose(sf.plan(flat, seq, i), plan, atol=1e-9)
    # Distinct plans: equilibria that are the same behaviour where their owners reach are one.
    assert len(_plan_set(_plans(game, e.behaviour) for e in r.equilibria)) == len(r.equilibria)
    return r


@settings(max_examples=120, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=2, max_actions=2).filter(_two_players))
def test_every_extreme_equilibrium_of_an_imperfect_information_tree_has_zero_regret_on_the_tree(game):
    assert_every_equilibrium_certified_on_the_tree(game)


@settings(max_examples=80, deadline=None)
@given(perfect_information_trees(max_depth=4, max_players=2).filter(_two_players))
def test_every_extreme_equilibrium_of_a_perfect_information_tree_has_zero_regret_on_the_tree(game):
    """Small integer payoffs: ties, continua of equilibria off the path, degenerate vertices."""
    assert_every_equilibrium_certified_on_the_tree(game)


def _in_hull(point: np.ndarray, points: np.ndarray, tol: float = 1e-7) -> bool:
    """Whether ``point`` is a convex combination of the rows of ``points`` (an LP feasibility)."""
    from scipy.optimize import linprog

    if len(points) == 0:
        return False
    k = len(points)
    res = linprog(np.zeros(k), A_eq=np.vstack([points.T, np.ones((1, k))]), b_eq=np.r_[point, 1.0],
                  bounds=(0, None), method="highs")
    return res.status == 0 and np.abs(points.T @ res.x - point).max() <= tol


def _nash_subset_hull(point, others, game, n0: int) -> bool:
    """``point`` (plans x, y) lies in the convex hull of the ``others`` that share its opponent's
    plan's equilibrium set: x in the hull of the others' x forming an equilibrium with y, and y
    likewise. A maximal convex set of equilibria of a bilinear game is a product ``X x Y`` whose
    vertices are extreme equilibria (Jansen 1981), so this holds for every equilibrium."""
    flat, sf = flatten(game), sequence_form(game)
    x, y = point[:n0], point[n0:]
    scale = _scale(game)

    def is_eq(xx, yy):
        # Regret in the sequence form: each player's best-response value against the other
        # minus the plan's payoff (backward induction over the player's own sequences).
        from sim.extensive.sequence import _start_plan

        u0, u1 = xx @ sf.A @ yy, xx @ sf.B @ yy
        _, bx = _start_plan(sf.E, sf.parent[0], sf.A @ yy)
        _, by = _start_plan(sf.F, sf.parent[1], sf.B.T @ xx)
        return bx @ sf.A @ yy - u0 <= 1e-7 * scale and xx @ sf.B @ by - u1 <= 1e-7 * scale

    xs = np.array([o[:n0] for o in others if is_eq(o[:n0], y)]).reshape(-1, n0)
    ys = np.array([o[n0:] for o in others if is_eq(x, o[n0:])]).reshape(-1, len(y))
    del flat
    return _in_hull(x, xs) and _in_hull(y, ys)


def _extreme_among_plans(points: np.ndarray, game, n0: int) -> np.ndarray:
    """The test's own pruning of equilibrium plan pairs: the rows of ``points`` (x then y, one
    distinct pair each) whose plans are extreme, by a linear programme, in some maximal Nash
    subset holding them (the subsets: maximal bicliques of the pairs, Jansen 1981)."""
    from sim.solvers.mixed import maximal_nash_subsets

    keep = np.zeros(len(points), dtype=bool)
    for subset in maximal_nash_subsets(points[:, :n0], points[:, n0:]):
        idx = list(subset)
        xs = np.unique(np.round(points[idx, :n0], 9) + 0.0, axis=0)
        ys = np.unique(np.round(points[idx, n0:], 9) + 0.0, axis=0)
        for t in idx:
            x, y = np.round(points[t, :n0], 9) + 0.0, np.round(points[t, n0:], 9) + 0.0
            others_x = np.array([v for v in xs if not np.array_equal(v, x)]).reshape(-1, n0)
            others_y = np.array([v for v in ys if not np.array_equal(v, y)]).reshape(-1, len(y))
            if not _in_hull(x, others_x) and not _in_hull(y, others_y):
                keep[t] = True
    return points[keep]


@settings(max_examples=80, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=2, max_actions=2).filter(_two_players))
def test_same_equilibrium_plans_as_enummixed_on_the_reduced_form(game):
    """Our set is the reduced form's: ``enummixed``'s extreme equilibria, mapped to realisation
    plans (behaviour-equivalent ones merged) and kept where their plans are extreme within their
    maximal Nash subset (a vertex of the mixed strategies need not map to a vertex of the plans),
    are exactly ours; every other one of theirs lies in the hull of ours within its subset. Every
    one of ours is an equilibrium of the reduced form with the same payoffs, certified there.
    Reduced forms past 4,096 profiles (a 4096x8 one was drawn) are left out: ``enummixed`` may
    refuse them at its work bound."""
    assume(np.prod(game.reduced_normal_form().shape) <= 4_096)
    assert_same_as_enummixed_on_the_reduced_form(game)


@pytest.mark.slow
def test_a_tree_that_had_a_round_off_pivot_gives_the_reduced_forms_equilibria():
    """Ragged rounds in turn, 15+15 sequences, three-decimal payoffs: the lexicographic search
    used to pivot on a zero grown by round-off and stop with a singular basis. Its 43 extreme
    equilibria are the reduced form's (10x17, 1,261 extreme equilibria of the mixed strategies,
    most of them the same plans or inside a maximal Nash subset)."""
    r = assert_same_as_enummixed_on_the_reduced_form(read_efg(DATA / "ragged-rounds-round-off.efg"))
    assert len(r.equilibria) == 43


def test_a_tree_whose_canonical_search_falls_back_gives_the_reduced_forms_equilibria():
    """Ragged rounds in turn, 13+13 sequences, where the canonical search meets a tie of plan
    values and hands player 1's polyhedron to the lexicographic search: 5 extreme equilibria,
    the reduced form's (7x8)."""
    r = assert_same_as_enummixed_on_the_reduced_form(read_efg(DATA / "ragged-rounds-canonical-tie.efg"))
    assert len(r.equilibria) == 5
    assert seqenum_solve(read_efg(DATA / "ragged-rounds-canonical-tie.efg"), vertices="canonical").details[
        "search"] == {"A": "canonical", "B": "lex"}


def assert_same_as_enummixed_on_the_reduced_form(game):
    r = seqenum_solve(game)
    nf = game.reduced_normal_form()
    rn = enummixed_solve(nf)
    n0 = len(sequence_form(game).sequences[0])
    ours = np.array([_plans(game, e.behaviour) for e in r.equilibria])
    theirs = np.array([_plans(game, behaviour_from_mixed(game, e.profile)) for e in rn.equilibria])
    theirs = np.unique(np.round(theirs, 9) + 0.0, axis=0)
    mine, other = _plan_set(ours), _plan_set(theirs)
    assert len(mine) == len(ours)
    assert mine <= other
    assert mine == _plan_set(_extreme_among_plans(theirs, game, n0))
    if not rn.degenerate:
        assert mine == other
    for p in theirs:
        assert tuple(np.round(p, 6) + 0.0) in mine or _nash_subset_hull(p, ours, game, n0)
    # Every sequence-form equilibrium is one on the reduced normal form, with the same payoffs.
    for e in r.equilibria:
        assert e.profile and e.max_regret <= 1e-7 * _scale(game)
        assert np.allclose(nf.expected_payoffs(e.profile), e.payoffs, atol=1e-9 * _scale(game))
    # The maximal Nash subsets are the reduced form's, as sets of plan pairs.
    ours_sub = {frozenset(tuple(np.round(ours[t], 6) + 0.0) for t in s) for s in r.details["nash_subsets"]}
    kept = _extreme_among_plans(theirs, game, n0)
    from sim.solvers.mixed import maximal_nash_subsets

    theirs_sub = {frozenset(tuple(np.round(kept[t], 6) + 0.0) for t in s)
                  for s in maximal_nash_subsets(kept[:, :n0], kept[:, n0:])}
    assert ours_sub == theirs_sub
    return r


@pytest.mark.parametrize("name", ["work3", "w_ex2"])
def test_corpus_trees_with_many_equilibria_give_the_reduced_forms_extreme_plans(name):
    """Gambit corpus trees whose reduced forms (4x16, 8x8) have hundreds of extreme equilibria
    (450 and 136 on ``enummixed``'s exact route), most of them the same plans or plans inside a
    Nash subset: our set is exactly theirs made extreme among plans (52 and 69)."""
    game = read_efg(GAMBIT / f"{name}.efg")
    r = seqenum_solve(game)
    rn = enummixed_solve(game.reduced_normal_form(), vertices="lex")
    n0 = len(sequence_form(game).sequences[0])
    ours = _plan_set(_plans(game, e.behaviour) for e in r.equilibria)
    theirs = np.unique(np.round([_plans(game, behaviour_from_mixed(game, e.profile)) for e in rn.equilibria], 9)
                       + 0.0, axis=0)
    assert len(ours) == len(r.equilibria) == {"work3": 52, "w_ex2": 69}[name]
    assert ours == _plan_set(_extreme_among_plans(theirs, game, n0))
    assert r.max_regret <= 1e-9


def _brute_force_vertex_labels(M: np.ndarray, h: np.ndarray, n_labels: int) -> set:
    """Label masks of every vertex of ``{z : M z = h, z[:n_labels] >= 0}`` (the rest free), from
    every basis that holds all free columns: a point is a vertex exactly when the columns of its
    free and positive variables are independent, and those extend to such a basis."""
    import itertools

    R, V = M.shape
    free = list(range(n_labels, V))
    found = set()
    for rest in itertools.combinations(range(n_labels), R - len(free)):
        basis = list(rest) + free
        Mb = M[:, basis]
        if abs(np.linalg.det(Mb)) < 1e-9:
            continue
        z = np.zeros(V)
        z[basis] = np.linalg.solve(Mb, h)
        if z[:n_labels].min() < -1e-9:
            continue
        found.add(tuple(np.abs(z[:n_labels]) <= 1e-9))
    return found


@settings(max_examples=60, deadline=None)
@given(imperfect_information_trees(max_levels=3, max_players=2, max_actions=2).filter(_two_players))
def test_compiled_pivoting_finds_exactly_the_vertices_of_both_polyhedra(game):
    """The lexicographic search (default and after every pivot rebuilding its tableau) reaches the
    same vertices as solving every basis, on both sequence-form polyhedra."""
    import math

    from sim.extensive import _sequence_enum_jit as jit
    from sim.extensive.sequence_enum import _polyhedra, _start_basis

    sf = sequence_form(game)
    (A, B, E, F), (MP, hP), (MQ, hQ) = _polyhedra(sf)
    n0, n1 = A.shape
    L, k0, k1 = n0 + n1, E.shape[0], F.shape[0]
    starts = (_start_basis(E, sf.parent[0], F, sf.parent[1], lambda x: B.T @ x, 0, n0, L, k1),
              _start_basis(F, sf.parent[1], E, sf.parent[0], lambda y: A @ y, n0, 0, L, k0))
    for (M, h), start in zip(((MP, hP), (MQ, hQ)), starts):
        if math.comb(L, M.shape[0] - (M.shape[1] - L)) > 5_000:
            continue
        want = _brute_force_vertex_labels(M, h, L)
        for refresh in (1, 200):
            status, labels, _, _, _, _ = jit.lex_vertices(M, h, L, np.array(start), np.array(start), 1e-9, 10**6,
                                                          refresh, np.full(L, -1), 0)
            assert status == jit.OK
            got = {tuple(bool(w >> np.uint64(j % 64) & np.uint64(1)) for j, w in
                         ((j, row[j // 64]) for j in range(L))) for row in labels}
            assert len(got) == len(labels) and got == want


def test_matching_pennies_in_turn_has_one_equilibrium():
    def leaf(a, b):
        return Terminal((1.0, -1.0) if a == b else (-1.0, 1.0))
    g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("H", "T"), tuple(
        Decision(1, "b", ("H", "T"), (leaf(a, "H"), leaf(a, "T"))) for a in "HT")))
    r = assert_every_equilibrium_certified_on_the_tree(g)
    assert [dict(e.details["behaviour"]) for e in r.equilibria] == [{"a": [0.5, 0.5], "b": [0.5, 0.5]}]
    assert not r.degenerate


def test_one_card_poker_has_its_one_bluffing_equilibrium():
    """Myerson (1991, section 2.2): a zero-sum game with a unique equilibrium, bluff 1/3."""
    def after(card):
        win, fold = (2.0, 1.0) if card == "high" else (-2.0, -1.0)
        return Decision(0, card, ("raise", "fold"), (
            Decision(1, "raised", ("meet", "pass"), (Terminal((win, -win)), Terminal((1.0, -1.0)))),
            Terminal((fold, -fold))))
    poker = ExtensiveFormGame.from_root(("P1", "P2"), Chance(("high", "low"), (0.5, 0.5), (after("high"), after("low"))))
    r = assert_every_equilibrium_certified_on_the_tree(poker)
    assert len(r.equilibria) == 1
    b = r.equilibria[0].details["behaviour"]
    assert np.allclose(b["low"], [1 / 3, 2 / 3]) and np.allclose(b["raised"], [2 / 3, 1 / 3])


def test_an_information_set_its_owner_avoids_is_reported_unreached_once():
    """A takes the sure 3 at the root in every equilibrium: A's later move is unreached, and the
    equilibria that differ only there are one (uniform is reported), while B's behaviour ranges
    over a continuum whose two ends are listed."""
    g = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("out", "in"), (
        Terminal((3.0, 0.0)),
        Decision(1, "b", ("l", "r"), (Decision(0, "c", ("u", "d"), (Terminal((0.0, 1.0)), Terminal((1.0, 0.0)))),
                                      Terminal((0.0, 2.0)))))))
    r = assert_every_equilibrium_certified_on_the_tree(g)
    assert {tuple(e.details["unreached"]) for e in r.equilibria} == {("c",)}
    assert sorted(tuple(e.details["behaviour"]["b"]) for e in r.equilibria) == [(0.0, 1.0), (1.0, 0.0)]


def test_refusals_name_the_rule():
    three = ExtensiveFormGame.from_root(("A", "B", "C"), Decision(2, "c", ("x",), (Terminal((0.0, 0.0, 0.0)),)))
    with pytest.raises(SolverError, match="2-player trees; this tree has 3 players"):
        seqenum_solve(three)
    amnesia = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("l", "r"), (
        Decision(0, "b", ("x", "y"), (Terminal((0.0, 0.0)), Terminal((1.0, 0.0)))),
        Decision(0, "b", ("x", "y"), (Terminal((2.0, 0.0)), Terminal((3.0, 0.0)))))))
    with pytest.raises(GameError, match="perfect recall"):
        seqenum_solve(amnesia)
    leaf = Terminal((1.0, 1.0))  # every payoff tied: every pure profile is an equilibrium
    tied = ExtensiveFormGame.from_root(("A", "B"), Decision(0, "a", ("x", "y", "z"), tuple(
        Decision(1, f"b{k}", ("l", "r"), (leaf, leaf)) for k in range(3))))
    with pytest.raises(SolverError, match="more than max_bases=2 lexicographically feasible bases"):
        seqenum_solve(tied, max_bases=2)
    with pytest.raises(SolverError, match="max_bases must be a positive integer; got 0"):
        seqenum_solve(tied, max_bases=0)
    with pytest.raises(SolverError, match=r"tol must be a number in \(0, 0.001\); got 0.5"):
        seqenum_solve(tied, tol=0.5)


def _rounds_in_turn(rounds: int, seed: int = 0) -> ExtensiveFormGame:
    """``rounds`` rounds of a 2x2 game in turn, the second mover not seeing the first move of a
    round, both seeing every earlier round; payoffs uniform in [-10, 10] from ``seed``."""
    rng = np.random.default_rng(seed)
    pays = iter(rng.uniform(-10, 10, size=(4 ** rounds, 2)).round(6).tolist())

    def node(r, history):
        if r == rounds:
            return Terminal(tuple(next(pays)))
        return Decision(0, f"A{history}", ("u", "d"), tuple(
            Decision(1, f"B{history}", ("l", "r"), tuple(node(r + 1, f"{history}{a}{b}") for b in "lr"))
            for a in "ud"))

    return ExtensiveFormGame.from_root(("A", "B"), node(0, ""))


def test_two_rounds_in_turn_details_count_the_work_and_three_rounds_are_refused_by_the_bound():
    """Two rounds (11 sequences a player, 8x8 reduced form): every extreme equilibrium of the
    reduced form that is extreme among plans, with the vertices, bases, candidates before pruning
    and maximal Nash subsets reported. Three rounds: the polyhedra's vertices outgrow the bound,
    and the refusal names it and what to use instead."""
    game = _rounds_in_turn(2)
    r = assert_every_equilibrium_certified_on_the_tree(game)
    nf = game.reduced_normal_form()
    rn = enummixed_solve(nf)
    theirs = _plan_set(_plans(game, behaviour_from_mixed(game, e.profile)) for e in rn.equilibria)
    ours = _plan_set(_plans(game, e.behaviour) for e in r.equilibria)
    assert ours <= theirs and len(ours) == len(r.equilibria) >= 10
    d = r.details
    assert set(d["vertices"]) == set(d["bases"]) == {"A", "B"}
    assert all(d["bases"][p] >= d["vertices"][p] > 0 for p in "AB")
    assert d["candidates"] >= len(r.equilibria)
    assert sorted({t for s in d["nash_subsets"] for t in s}) == list(range(len(r.equilibria)))
    with pytest.raises(SolverError, match=r"more than max_bases=20,000 lexicographically feasible bases .*seqlcp"):
        seqenum_solve(_rounds_in_turn(3), max_bases=20_000)


def test_registered_as_a_two_player_tree_method():
    from sim.registry import METHODS, solve

    assert (METHODS["seqenum"].kind, METHODS["seqenum"].players) == ("tree", "2")
    g = read_efg(GAMBIT / "cent2.efg")
    r = solve(g, "seqenum", max_bases=10_000)
    assert r.method == "seqenum" and r.params["max_bases"] == 10_000 and r.max_regret <= 1e-9


#: Two-player corpus trees with perfect recall small enough for the reduced form's enumeration.
CORPUS = ["e01", "e02", "e04", "e05", "e06", "e07", "e08", "e10", "e13", "e16", "e17", "g1", "g2", "g3",
          "km1", "km2", "holdout", "cent2", "bayes1a", "artist2"]


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
        if game.n_players != 2 or recall_violation(flat) is not None:
            continue
        counts = reduced_strategy_counts(flat)
        if counts.max() <= 16 and np.prod(counts) <= 150:  # pygambit's enummixed stays within seconds
            out.append((name, game))
    return out


@pytest.mark.gambit
def test_every_pygambit_equilibrium_is_in_our_set():
    """pygambit's ``enummixed`` on the reduced normal form (Gambit's own reduction, ``.nfg``
    written from ours) and its ``lcp`` on the sequence form: each of their equilibria, as
    realisation plans, is one of ours, or within the hull of ours in its Nash subset where the
    reduced form is degenerate. ``lcp`` ends at a complementary basic solution, a vertex pair of
    the sequence-form polyhedra: one of ours, or (a vertex whose plan is not extreme among plans,
    pruned by us) within the hull of ours in its Nash subset."""
    from sim.formats.efg import format_efg
    from sim.formats.nfg import format_nfg
    from tests.oracles import OracleFailed, gambit_behaviour_equilibria_many, gambit_equilibria_many

    games = _corpus()
    assert len(games) >= 6
    nfs = [g.reduced_normal_form() for _, g in games]
    mixed = gambit_equilibria_many([format_nfg(nf) for nf in nfs], "enummixed")
    lcp = gambit_behaviour_equilibria_many([format_efg(g) for _, g in games], [("lcp", {"use_strategic": False})])
    checked_mixed = checked_lcp = 0
    for (name, game), nf, theirs_mixed, doc in zip(games, nfs, mixed, lcp):
        r = assert_every_equilibrium_certified_on_the_tree(game)
        ours = np.array([_plans(game, e.behaviour) for e in r.equilibria])
        mine = _plan_set(ours)
        n0 = len(sequence_form(game).sequences[0])
        for profile in theirs_mixed:
            p = _plans(game, behaviour_from_mixed(game, profile))
            assert tuple(np.round(p, 6) + 0.0) in mine or _nash_subset_hull(p, ours, game, n0), name
            checked_mixed += 1
        theirs = doc["lcp"]
        flat = flatten(game)
        if isinstance(theirs, OracleFailed) or not theirs or not set(theirs[0]) >= set(flat.infoset_names):
            continue
        for eq in theirs:
            p = _plans(game, {h: np.asarray(eq[h]) for h in flat.infoset_names})
            assert tuple(np.round(p, 6) + 0.0) in mine or _nash_subset_hull(p, ours, game, n0), name
            checked_lcp += 1
    assert checked_mixed >= 10 and checked_lcp >= 4


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5).flatmap(lambda d: st.lists(st.lists(st.integers(0, 2), min_size=d, max_size=d),
                                                     min_size=1, max_size=40, unique_by=tuple)),
       st.sampled_from([1.0, 1e-3, 7.0]), st.integers(0, 2**32 - 1))
def test_extreme_points_are_the_points_outside_the_hull_of_the_others(rows, scale, seed):
    """Clarkson's output-sensitive search (``extreme_points``) against the definition, one LP per
    point against all the others: small-integer grids have many points on faces and edges (ties
    of the separating direction) and in the interior, in 1 to 5 dimensions; round-off of 1e-12 is
    added, as plans computed by pivoting carry (it once outranked real differences in the
    lexicographic tie-break)."""
    from sim.extensive.sequence_enum import extreme_points

    pts = np.array(rows, dtype=float) * scale
    pts = pts + np.random.default_rng(seed).uniform(-1e-12, 1e-12, pts.shape) * scale
    expected = [not _in_hull(pts[k], np.delete(pts, k, axis=0)) for k in range(len(pts))]
    assert extreme_points(pts).tolist() == expected
