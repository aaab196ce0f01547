"""The reduced normal form of a tree (:mod:`sim.extensive.reduced`) against the plain construction
it replaced: plans as frozensets of ``(infoset, action)`` pairs, merged pair by pair (Kuhn 1953;
the reduced strategic form of Gambit), reach by checking every plan against every terminal.

The array construction must give the same plans in the same order, the same names, the same
reach matrices and the same refusals, on trees of any recall, with shared subtrees, three-way
chance moves and tied payoffs.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import GameError
from sim.extensive import reduced
from sim.extensive.reduced import (UNREACHED, _plan_columns, reach_matrices, reduced_normal_form,
                                   reduced_strategies, terminal_table)
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from tests.strategies import any_recall_trees, chance_tie_trees, imperfect_information_trees


# ----- the reference: the construction as it was, one plan pair at a time ---------------------------
class _TooMany(Exception):
    pass


def _ref_merge(left, right):
    out = {}
    for a in left:
        da = dict(a)
        for b in right:
            if all(da.get(h, x) == x for h, x in b):
                out[a | b] = None
    return list(out)


def _ref_plans(node, player, memo, limit):
    if id(node) in memo:
        return memo[id(node)][1]
    if isinstance(node, Terminal):
        result = [frozenset()]
    elif isinstance(node, Decision) and node.player == player:
        found = {}
        for a, child in zip(node.actions, node.children):
            for p in _ref_plans(child, player, memo, limit):
                if dict(p).get(node.infoset, a) == a:  # absent-mindedness: repeat the action
                    found[p | {(node.infoset, a)}] = None
        result = list(found)
        if len(result) > limit:
            raise _TooMany
    else:
        result = [frozenset()]
        for child in node.children:
            result = _ref_merge(result, _ref_plans(child, player, memo, limit))
            if len(result) > limit:
                raise _TooMany
    memo[id(node)] = (node, result)
    return result


def _ref_reduced(game, limit=reduced.MAX_PLANS):
    """``(plans, names)`` per player, or ``None`` for a player with more than ``limit`` plans."""
    acts = {h: a for h, (_, a) in game.infosets.items()}
    strategies, names = [], []
    for i in range(game.n_players):
        own = game.player_infosets(i)
        try:
            found = _ref_plans(game.root, i, {}, limit)
        except _TooMany:
            return None
        key = [tuple(acts[h].index(dict(p)[h]) if h in dict(p) else -1 for h in own) for p in found]
        plans = [dict((h, dict(p)[h]) for h in own if h in dict(p)) for _, p in sorted(zip(key, found))]
        strategies.append(plans)
        labels = ["/".join(p.get(h, UNREACHED) for h in own) or UNREACHED for p in plans]
        if len(set(labels)) != len(labels):
            labels = [f"{lab}#{k + 1}" for k, lab in enumerate(labels)]
        names.append(tuple(labels))
    return strategies, names


def _ref_reach(game, strategies):
    _, _, _, reqs = terminal_table(game)
    return [np.array([[all(plan.get(h) == a for h, a in r[i]) for r in reqs] for plan in plans], dtype=float)
            .reshape(len(plans), len(reqs)) for i, plans in enumerate(strategies)]


def _fresh(game):
    """An equal game that shares no cache with ``game`` (its nodes rebuilt)."""
    def copy(node):
        if isinstance(node, Terminal):
            return Terminal(node.payoffs, node.label, node.outcome)
        kids = tuple(copy(c) for c in node.children)
        if isinstance(node, Chance):
            return Chance(node.outcomes, node.probs, kids, node.label, node.infoset)
        return Decision(node.player, node.infoset, node.actions, kids, node.label)
    return ExtensiveFormGame.from_root(game.players, copy(game.root), title=f"{game.title} (copy)")


def _check_against_reference(game):
    game = _fresh(game)  # nothing cached from an earlier example
    ref = _ref_reduced(game)
    if ref is None:
        with pytest.raises(GameError, match="reduced strategies; the reduced normal form is too large"):
            reduced_strategies(game)
        return
    strategies, names = ref
    ours = reduced_strategies(game)
    assert [[dict(p) for p in ps] for ps in ours] == strategies  # same plans, same order
    assert [[list(p) for p in ps] for ps in ours] == [[list(p) for p in ps] for ps in strategies]  # key order
    assert reduced._reduced(game)[1] == tuple(names)
    for m, r in zip(reach_matrices(game), _ref_reach(game, strategies)):
        np.testing.assert_array_equal(m, r)
    for i, cols in enumerate(_plan_columns(game)):
        for h, col in cols:
            acts = game.infosets[h][1]
            assert col.tolist() == [acts.index(p[h]) if h in p else -1 for p in strategies[i]]
    nf = reduced_normal_form(game)
    assert nf.actions == tuple(names)
    # Two reduced strategies of a player differ where both choose (what lets the construction skip
    # deduplicating unions).
    for codes in reduced._reduced(game)[2]:
        if len(codes) <= 300:
            both = (codes[:, None, :] >= 0) & (codes[None, :, :] >= 0)
            differ = (both & (codes[:, None, :] != codes[None, :, :])).any(axis=2)
            assert np.array_equal(differ, ~np.eye(len(codes), dtype=bool))


@settings(max_examples=300, deadline=None)
@given(any_recall_trees())
def test_reduced_strategies_equal_the_pairwise_construction_on_trees_of_any_recall(game):
    _check_against_reference(game)


@settings(max_examples=100, deadline=None)
@given(imperfect_information_trees(max_levels=5, max_players=3, max_actions=3, conditional=True))
def test_reduced_strategies_equal_the_pairwise_construction_on_layered_trees(game):
    _check_against_reference(game)


@settings(max_examples=60, deadline=None)
@given(chance_tie_trees())
def test_reduced_strategies_equal_the_pairwise_construction_on_ties_through_three_way_chance(game):
    _check_against_reference(game)


@settings(max_examples=150, deadline=None)
@given(any_recall_trees(max_depth=5), st.integers(1, 12))
def test_a_player_over_the_plan_limit_is_refused_exactly_when_the_pairwise_construction_is(game, limit):
    # Every list built on the way is held to the limit, as before: same refusals, same plans below it.
    for i in range(game.n_players):
        try:
            ref = [tuple(sorted(p)) for p in _ref_plans(game.root, i, {}, limit)]
        except _TooMany:
            with pytest.raises(reduced._TooLarge):
                reduced._plan_codes(game, i, limit)
            continue
        acts = {h: a for h, (_, a) in game.infosets.items()}
        own = game.player_infosets(i)
        ours = [tuple(sorted((h, acts[h][k]) for h, k in zip(own, row) if k >= 0))
                for row in reduced._plan_codes(game, i, limit).tolist()]
        assert sorted(ours) == sorted(ref) and len(set(ours)) == len(ours)


def _hidden_states(k):
    """Chance draws one of ``k`` equally likely states, seen by player 0 only, who then picks one
    of three actions; player 1 moves last without seeing anything. Player 0 has ``3**k`` plans."""
    def state(s):
        return Decision(0, f"b{s}", ("x", "y", "z"), tuple(
            Decision(1, "c", ("l", "r"), (Terminal((float(s == a), 0.0)), Terminal((0.0, float(a == 1)))))
            for a in range(3)))
    return ExtensiveFormGame.from_root(("B", "C"), Chance(tuple(f"s{s}" for s in range(k)), (1 / k,) * k,
                                                          tuple(state(s) for s in range(k))))


def test_the_hidden_state_tree_has_every_product_plan_in_lexicographic_order():
    game = _hidden_states(4)
    plans = reduced_strategies(game)[0]
    assert len(plans) == 3 ** 4
    assert [tuple(p.values()) for p in plans[:4]] == [("x", "x", "x", "x"), ("x", "x", "x", "y"),
                                                      ("x", "x", "x", "z"), ("x", "x", "y", "x")]
    assert list(plans[-1]) == ["b0", "b1", "b2", "b3"]
    assert reduced_normal_form(game).shape == (81, 2)


def test_a_game_is_hashed_once_and_its_tables_are_kept_with_it(monkeypatch):
    # The reduced strategies were once looked up by value on every call: each call hashed the
    # whole tree (and compared it with the cached one), thousands of times per spe_solve.
    game = _hidden_states(3)
    twin = _fresh(game)
    twin = ExtensiveFormGame(game.players, twin.root, game.title)
    assert twin == game and hash(twin) == hash(game)
    first = reduced_strategies(game)
    calls = []
    real = Chance.__hash__
    monkeypatch.setattr(Chance, "__hash__", lambda self: calls.append(1) or real(self))
    for _ in range(3):
        assert reduced_strategies(game) is first and hash(game) == hash(twin)
    assert reduced_strategies(twin) is first  # equal games share the tables, through one lookup
    assert reduced_strategies(twin) is first
    assert calls == []


def test_a_pickled_game_carries_no_cached_hash_or_tables():
    game = _hidden_states(2)
    hash(game), reduced_strategies(game), game.infosets
    back = pickle.loads(pickle.dumps(game))
    assert back == game and "_hash" not in vars(back) and "_derived" not in vars(back)
    assert [dict(p) for p in reduced_strategies(back)[0]] == [dict(p) for p in reduced_strategies(game)[0]]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 70), st.integers(1, 6), st.integers(0, 2**32 - 1))
def test_row_ids_are_equal_exactly_for_equal_rows(n_rows, n_cols, top, seed):
    # Up to 70 columns of up to 7 values: past 62 bits the ids fall back to ranks.
    rows = np.random.default_rng(seed).integers(-1, top, (n_rows, n_cols))
    ids = reduced._row_ids(rows)
    same = (rows[:, None, :] == rows[None, :, :]).all(axis=2)
    assert np.array_equal(ids[:, None] == ids[None, :], same)
