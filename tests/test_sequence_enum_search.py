"""The vertex searches of ``seqenum`` against each other: the search kept to the opponent's
best-response values (the default) and the canonical search give the same equilibrium plan pairs
and maximal Nash subsets as the lexicographic search over every vertex, on generated trees and on
corpus trees; the vertices kept are exactly those where each of the opponent's information sets
has a tight row; and a tree whose reduced form ``enummixed`` refuses is pointed to ``seqenum``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from sim.errors import SolverError
from sim.extensive.sequence import sequence_form
from sim.extensive.sequence_enum import _polyhedra, _slack_groups, seqenum_solve, sequence_vertex_pairs
from sim.formats.efg import read_efg
from sim.registry import solve
from tests.strategies import imperfect_information_trees, perfect_information_trees, ragged_round_trees

GAMBIT = Path(__file__).parent / "data" / "gambit"
DATA = Path(__file__).parent / "data" / "sequence-enum"


def _two_players(game):
    return game.n_players == 2


def _pairs(pairs) -> set:
    return {tuple(np.round(np.r_[x, y], 7) + 0.0) for x, y in pairs}


def _subsets(pairs, info) -> set:
    keyed = [tuple(np.round(np.r_[x, y], 7) + 0.0) for x, y in pairs]
    return {frozenset(keyed[t] for t in s) for s in info["nash_subsets"]}


def assert_same_answers(game):
    sf = sequence_form(game)
    try:
        full, info_full = sequence_vertex_pairs(sf, best_values=False)
    except SolverError as exc:   # an equilibrium set too degenerate to list: every search refuses it
        assert "too degenerate to list its extreme points" in str(exc)
        for kw in ({}, {"vertices": "canonical"}):
            with pytest.raises(SolverError, match="too degenerate to list its extreme points"):
                sequence_vertex_pairs(sf, **kw)
        return None, None
    kept, info_kept = sequence_vertex_pairs(sf)
    canon, info_canon = sequence_vertex_pairs(sf, vertices="canonical")
    assert _pairs(kept) == _pairs(full) == _pairs(canon)
    assert _subsets(kept, info_kept) == _subsets(full, info_full) == _subsets(canon, info_canon)
    assert all(k <= f for k, f in zip(info_kept["vertices"], info_full["vertices"]))
    assert info_canon["vertices"] == info_kept["vertices"]
    return info_full, info_kept


@settings(max_examples=80, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=2, max_actions=2).filter(_two_players))
def test_the_searches_give_the_same_equilibria_on_imperfect_information_trees(game):
    assert_same_answers(game)


@settings(max_examples=60, deadline=None)
@given(imperfect_information_trees(max_levels=3, max_players=2, max_actions=3).filter(_two_players))
def test_the_searches_give_the_same_equilibria_with_three_actions(game):
    assert_same_answers(game)


@settings(max_examples=60, deadline=None)
@given(perfect_information_trees(max_depth=4, max_players=2).filter(_two_players))
def test_the_searches_give_the_same_equilibria_on_perfect_information_trees(game):
    """Perfect information: the most degenerate sequence forms (every unreached subtree)."""
    assert_same_answers(game)


@settings(max_examples=40, deadline=None)
@given(ragged_round_trees(max_continuing=6))
def test_the_searches_give_the_same_equilibria_on_ragged_rounds(game):
    """Rounds of a 2x2 game in turn that go on only after some histories: a plan that avoids a
    history leaves a subtree unplayed with information sets inside where the owner mixes, so
    several sequences reach zero on one step (ties of the plan values that the canonical search
    must either take or detect and hand to the lexicographic search)."""
    assert_same_answers(game)


@settings(max_examples=30, deadline=None)
@given(ragged_round_trees(max_continuing=6, integer_payoffs=False))
def test_the_searches_give_the_same_equilibria_on_ragged_rounds_with_generic_payoffs(game):
    assert_same_answers(game)


def test_round_off_does_not_make_a_basis_singular():
    """A generic tree (15+15 sequences, three-decimal payoffs) where round-off over a few dozen
    pivots lifted a zero tableau entry to 1.3e-9, past the ratio test's tolerance, and the pivot
    on it made the basis singular ("internal error"): small pivots are now re-checked on a fresh
    tableau. All three searches agree, and every equilibrium is certified on the tree."""
    game = read_efg(DATA / "ragged-rounds-round-off.efg")
    assert_same_answers(game)
    r = seqenum_solve(game)
    assert r.complete and len(r.equilibria) == 43 and r.max_regret <= 1e-9


def test_the_canonical_search_hands_a_tie_of_plan_values_to_the_lexicographic_search():
    """Ragged rounds in turn, 13+13 sequences, three-decimal payoffs: in player 1's polyhedron
    several sequences reach zero on one step in a way the plan structure does not explain (about
    one generated tree in twenty with generic payoffs, none with small integers); the canonical
    search detects it and that polyhedron is enumerated by the lexicographic search, with the
    same answers."""
    game = read_efg(DATA / "ragged-rounds-canonical-tie.efg")
    assert_same_answers(game)
    _, info = sequence_vertex_pairs(sequence_form(game), vertices="canonical")
    assert info["search"] == ("canonical", "lex")


@settings(max_examples=60, deadline=None)
@given(imperfect_information_trees(max_levels=4, max_players=2, max_actions=2).filter(_two_players))
def test_the_vertices_kept_are_those_with_a_tight_row_at_every_opponent_information_set(game):
    """Compiled search with and without the restriction: the kept vertices are exactly the full
    search's vertices whose label masks have a tight slack in every group."""
    from sim.extensive import _sequence_enum_jit as jit
    from sim.extensive.sequence_enum import _start_basis

    sf = sequence_form(game)
    (A, B, E, F), (MP, hP), (MQ, hQ) = _polyhedra(sf)
    n0, n1 = A.shape
    L, k0, k1 = n0 + n1, E.shape[0], F.shape[0]
    systems = ((MP, hP, _start_basis(E, sf.parent[0], F, sf.parent[1], lambda x: B.T @ x, 0, n0, L, k1),
                _slack_groups(F, sf.parent[1], range(n0, L), L)),
               (MQ, hQ, _start_basis(F, sf.parent[1], E, sf.parent[0], lambda y: A @ y, n0, 0, L, k0),
                _slack_groups(E, sf.parent[0], range(n0), L)))
    for M, h, start, (group, n_groups) in systems:
        def masks(g, n):
            status, labels, *_ = jit.lex_vertices(M, h, L, np.array(start), np.array(start), 1e-9, 10**6, 200, g, n)
            assert status == jit.OK
            return {tuple(bool(row[j // 64] >> np.uint64(j % 64) & np.uint64(1)) for j in range(L)) for row in labels}

        every, kept = masks(np.full(L, -1), 0), masks(group, n_groups)
        covered = {m for m in every if all(any(m[j] for j in np.flatnonzero(group == k)) for k in range(n_groups))}
        assert kept == covered


@pytest.mark.parametrize("name", ["nim7", "work3", "e16", "bcp2"])
def test_corpus_trees_give_the_same_equilibria_by_every_search(name):
    info_full, info_kept = assert_same_answers(read_efg(GAMBIT / f"{name}.efg"))
    if name == "nim7":  # the restriction's gain: 20,064 + 30,272 bases to 1,920 + 3,372
        assert sum(info_kept["bases"]) * 5 < sum(info_full["bases"])


def test_a_tree_whose_reduced_form_enummixed_refuses_is_pointed_to_seqenum():
    """montyhal: 12x512 reduced form, past enummixed's automatic work bound; seqenum finishes on
    the tree with every equilibrium certified."""
    tree = read_efg(GAMBIT / "montyhal.efg")
    with pytest.raises(SolverError, match=r"seqenum_solve on the tree"):
        solve(tree, "enummixed")
    r = seqenum_solve(tree)
    assert r.complete and len(r.equilibria) == 768 and r.max_regret <= 1e-9


def test_bad_vertex_search_is_refused():
    tree = read_efg(GAMBIT / "e04.efg")
    with pytest.raises(SolverError, match=r"vertices must be one of \('lex', 'canonical'\); got 'dd'"):
        seqenum_solve(tree, vertices="dd")


@pytest.mark.slow
def test_an_equilibrium_set_with_tens_of_thousands_of_extreme_plans_is_refused_by_count():
    """A 3-level tree with small-integer payoffs (found by the three-action property above, written
    with ``format_efg``) whose maximal Nash subsets hold up to 30,240 distinct plans, most of them
    extreme: deciding which are extreme by one least-squares problem per plan against all the
    others ran for hours. Now the work is bounded and the refusal names the counts and the bound."""
    game = read_efg(DATA / "degenerate-equilibrium-set.efg")
    with pytest.raises(SolverError, match=r"^seqenum_solve\(\): the equilibrium set is too degenerate to list its "
                                          r"extreme points: 87,048 equilibrium plan pairs in 14 maximal Nash "
                                          r"subsets, the largest with 30,240 distinct plans .* use seqlcp"):
        seqenum_solve(game)
