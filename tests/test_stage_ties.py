"""Ties judged on a larger game's scale (``atol``) in stage_equilibria's mixed search.

A subgame's stage game can have payoffs that are equal in exact arithmetic but a few units of
round-off apart in floats (chance averages, the reduced normal form's rounding grid), with a spread
so small that the mixed solvers, which work on the game's own scale, read the round-off as a strict
preference. Whatever ``atol`` (the larger game's tie tolerance) calls a tie must be one for the
mixed search as well: the equilibria of the noisy game must be those of the tied one.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.extensive.spe import spe_solve
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from sim.game import NormalFormGame
from sim.result import player_regrets
from sim.solvers.stage import _merge_ties, stage_equilibria
from tests.strategies import degenerate_games

# Player 0 wants to match; player 1 does not care (tied) or, by 1e-8, wants to mismatch (noisy).
TIED = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 0], [0, 0]])
NOISY = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[0, 1e-8], [1e-8, 0]])


def _profiles(result):
    return [tuple(np.round(p, 9).tolist() for p in e.profile) for e in result.equilibria]


def assert_same_equilibria(noisy, tied, atol):
    """The result on the noisy game lists the tied game's equilibria, in the same order, each an
    equilibrium of the noisy game within ``atol``, and is exactly as complete."""
    assert noisy.complete == tied.complete, (noisy.reason, tied.reason)
    assert len(noisy.equilibria) == len(tied.equilibria), (_profiles(noisy), _profiles(tied))
    for a, b in zip(noisy.equilibria, tied.equilibria):
        for p, q in zip(a.profile, b.profile):
            np.testing.assert_allclose(p, q, atol=1e-9)
        assert np.all(player_regrets(noisy.game, a) <= atol)


def test_two_players_a_tie_broken_by_noise_within_atol_keeps_the_tied_game_s_extreme_equilibria():
    # The tied game's equilibria are one component with four extreme points: both pure matches,
    # and player 1 mixing one half while player 0 plays either row. Read on its own scale the
    # noisy game is matching pennies for player 1, whose only mixed equilibrium is (1/2, 1/2)
    # twice: the extreme points (row, (1/2, 1/2)) were missed though their regret is 1e-8.
    tied = stage_equilibria(TIED)
    assert _profiles(tied) == [([1.0, 0.0], [1.0, 0.0]), ([0.0, 1.0], [0.0, 1.0]),
                               ([1.0, 0.0], [0.5, 0.5]), ([0.0, 1.0], [0.5, 0.5])]
    atol = np.array([1e-6, 1e-6])
    assert_same_equilibria(stage_equilibria(NOISY, atol=atol), tied, atol)
    # Without atol the noise is a preference: the game is solved as given.
    assert _profiles(stage_equilibria(NOISY)) == [([0.5, 0.5], [0.5, 0.5])]
    # A gap wider than atol is not a tie either.
    assert _profiles(stage_equilibria(NOISY, atol=[1e-6, 1e-9])) == [([0.5, 0.5], [0.5, 0.5])]


def test_three_players_a_continuum_hidden_by_noise_within_atol_is_reported():
    # The same two players, and a third who always prefers its first action. The tied game has a
    # continuum of equilibria (enumpoly says so: incomplete); with the noise it had one isolated
    # mixed equilibrium, and the result claimed to be complete.
    u = np.zeros((2, 2, 2, 3))
    for a, b, c in np.ndindex(2, 2, 2):
        u[a, b, c] = [float(a == b), 0.0, float(c == 0)]
    tied_game = NormalFormGame.from_payoffs(u)
    noisy = u.copy()
    noisy[0, 1, :, 1] = noisy[1, 0, :, 1] = 1e-8
    tied = stage_equilibria(tied_game)
    assert not tied.complete and "continuum" in tied.reason
    atol = np.full(3, 1e-6)
    assert_same_equilibria(stage_equilibria(NormalFormGame.from_payoffs(noisy), atol=atol), tied, atol)


def _coordination_tree(scale=1.0, shift=0.0):
    """Player 0 chooses x or y, player 1 chooses l or r without seeing it; player 0 gets 1 when
    they match. Player 1's payoff, after two rounds of chance thirds, is 4/9 whatever is played,
    but reached through subgame values (1/3, -2/3, 5/3 after l; 2/3, 0, 2/3 after r) that the
    reduced normal form rounds onto 0.444444444444 and 0.444444444445."""
    third, names = (1 / 3, 1 / 3, 1 / 3), ("o0", "o1", "o2")
    lotteries = (((0, 0, 1), (0, 0, -2), (1, 2, 2)), ((0, 0, 2), (0, 0, 0), (0, 0, 2)))

    def after(a, b):
        return Chance(names, third, tuple(
            Chance(names, third, tuple(Terminal((float(a == b), scale * x + shift)) for x in xs))
            for xs in lotteries[b]))

    root = Decision(0, "A", ("x", "y"), tuple(
        Decision(1, "B", ("l", "r"), tuple(after(a, b) for b in range(2))) for a in range(2)))
    return ExtensiveFormGame.from_root(("P0", "P1"), root)


def test_spe_lists_the_mixed_equilibria_a_rounding_tie_in_a_subgame_hides():
    # Player 1 is indifferent everywhere, so the SPE are the equilibria of the tied 2x2 game: four
    # extreme ones. The one-step rounding difference once made player 1 strictly prefer l on the
    # subgame's own scale, and spe reported two SPE with complete=True.
    for scale, shift in [(1.0, 0.0), (1e-6, 0.5), (1e-4, 0.5)]:
        r = spe_solve(_coordination_tree(scale, shift))
        plays = sorted((tuple(e.details["behaviour"]["A"]), tuple(np.round(e.details["behaviour"]["B"], 9)))
                       for e in r.equilibria)
        assert r.complete
        assert plays == [((0.0, 1.0), (0.0, 1.0)), ((0.0, 1.0), (0.5, 0.5)),
                         ((1.0, 0.0), (0.5, 0.5)), ((1.0, 0.0), (1.0, 0.0))], (scale, shift)


@st.composite
def noisy_copies(draw, max_players):
    """``(tied, noisy, atol)``: a small-integer game times a power of two, and a copy in which every
    payoff value a player has at least twice is moved by -d, 0 or +d (d = 2**-17 of the unit, both
    signs present in each group, all exact in floats), far below ``atol`` (1e-4 of the unit) and
    far above the mixed solvers' own tolerances on the game's scale (payoffs span at most 4)."""
    game = draw(degenerate_games(min_players=2, max_players=max_players, max_actions=3, max_profiles=18))
    unit = 2.0 ** draw(st.integers(-20, 20))
    pay = game.payoffs * unit
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 0.0, 1.0]), min_size=pay.size, max_size=pay.size)))
    signs = signs.reshape(pay.shape)
    for i in range(pay.shape[-1]):
        for v in np.unique(pay[..., i]):
            where = np.flatnonzero(pay[..., i].ravel() == v)
            s = signs[..., i].reshape(-1)  # a view
            if len(where) == 1:
                s[where] = 0.0
            elif not (np.any(s[where] < 0) and np.any(s[where] > 0)):
                s[where[0]], s[where[-1]] = -1.0, 1.0
    noisy = pay + signs * (2.0 ** -17 * unit)
    atol = np.full(game.n_players, 1e-4 * unit)
    return game.with_payoffs(pay), game.with_payoffs(noisy), atol


@settings(max_examples=40, deadline=None)
@given(noisy_copies(max_players=2))
def test_two_player_noise_within_atol_leaves_the_extreme_equilibria_of_the_tied_game(case):
    tied, noisy, atol = case
    assert_same_equilibria(stage_equilibria(noisy, atol=atol), stage_equilibria(tied), atol)


@settings(max_examples=15, deadline=None)
@given(noisy_copies(max_players=3).filter(lambda c: c[0].n_players == 3))
def test_three_player_noise_within_atol_leaves_the_equilibria_of_the_tied_game(case):
    tied, noisy, atol = case
    assert_same_equilibria(stage_equilibria(noisy, atol=atol, max_continua=4),
                     stage_equilibria(tied, max_continua=4), atol)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1e-13, 2e-13, 0.3, 0.55, 0.8, 1.0, 1.0 + 1e-12, 7.0, -2.0]), min_size=1, max_size=12),
       st.sampled_from([0.0, 1e-12, 0.25, 0.5, 1.0]), st.sampled_from([1.0, 1e-200, 1e200]))
def test_merging_ties_moves_only_values_within_atol_of_each_other(values, atol, unit):
    x = np.array(values) * unit
    a = atol * unit
    out = _merge_ties(x[None, :, None], [a])[0, :, 0]
    slack = 4 * np.spacing(np.abs(x).max())
    assert np.all(np.abs(out - x) <= a / 2 + slack)  # nobody moves by more than half of atol
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(out[order]) >= 0)  # order kept, equal values stay equal
    for v in np.unique(out):  # one merged value: inputs within atol of each other
        group = x[out == v]
        assert group.max() - group.min() <= a + slack
    for k in range(len(x)):  # a value with no other within atol is left as it is
        if not np.any((np.abs(x - x[k]) <= a) & (x != x[k])):
            assert out[k] == x[k]
    # A cluster no wider than atol, with every other value more than atol away, becomes one value.
    # (Margins of 1e-9 atol keep the float rounding of the differences out of the question.)
    for lo in np.unique(x):
        near = (x >= lo) & (x - lo <= a * (1 - 1e-9))
        hi, rest = x[near].max(), x[~near]
        isolated = not np.any(((rest < lo) & (lo - rest <= a * (1 + 1e-9))) | ((rest > hi) & (rest - hi <= a * (1 + 1e-9))))
        if isolated:
            assert len(np.unique(out[near])) == 1, (lo, x[near], out[near])


def test_without_atol_the_mixed_search_gets_the_game_itself(monkeypatch):
    import sim.solvers.mixed
    import sim.solvers.stage

    seen = []
    solve = sim.solvers.mixed.enummixed_solve
    monkeypatch.setattr(sim.solvers.mixed, "enummixed_solve", lambda game: seen.append(game) or solve(game))
    r = stage_equilibria(NOISY)
    assert seen == [NOISY] and seen[0] is NOISY and _profiles(r) == [([0.5, 0.5], [0.5, 0.5])]
    stage_equilibria(NOISY, atol=[1e-6, 1e-6])  # with atol, a copy with player 1's payoffs equal
    assert seen[1] is not NOISY and np.unique(seen[1].payoffs[..., 1]).tolist() == [5e-9]
    assert np.array_equal(seen[1].payoffs[..., 0], NOISY.payoffs[..., 0])
    assert np.array_equal(_merge_ties(NOISY.payoffs, [0.0, 0.0]), NOISY.payoffs)



@st.composite
def chance_thirds_trees(draw):
    """``(tree, tied)``: a small-integer two-player game ``tied`` (row player, then the column
    player without seeing the row), in which each cell's payoff ``k`` to each player is reached
    through two rounds of chance thirds, by one of the two lotteries of :func:`_coordination_tree`
    shifted by ``k`` (drawn per cell and player; both are worth ``k + 4/9``), under a drawn positive
    affine map. Equal payoffs of ``tied`` are equal in exact arithmetic; in the subgame values spe
    reads off the rounded reduced normal forms they can be a grid step apart."""
    tied = draw(degenerate_games(min_players=2, max_players=2, min_actions=2, max_actions=3))
    scale, shift = draw(st.sampled_from([(1.0, 0.0), (1e-4, 0.5), (1e-6, 0.5), (1e6, -3.0)]))
    third, names = (1 / 3, 1 / 3, 1 / 3), ("o0", "o1", "o2")
    lotteries = (((0, 0, 1), (0, 0, -2), (1, 2, 2)), ((0, 0, 2), (0, 0, 0), (0, 0, 2)))
    m, n = tied.shape

    def after(a, b):
        lots = [[[scale * (tied.payoffs[a, b, i] + x) + shift for x in xs] for xs in lotteries[draw(st.integers(0, 1))]]
                for i in range(2)]
        return Chance(names, third, tuple(
            Chance(names, third, tuple(Terminal((lots[0][s][o], lots[1][s][o])) for o in range(3))) for s in range(3)))

    root = Decision(0, "A", tuple(f"a{k}" for k in range(m)), tuple(
        Decision(1, "B", tuple(f"b{k}" for k in range(n)), tuple(after(a, b) for b in range(n))) for a in range(m)))
    return ExtensiveFormGame.from_root(("P0", "P1"), root), tied


@settings(max_examples=30, deadline=None)
@given(chance_thirds_trees())
def test_spe_of_a_game_reached_through_chance_thirds_are_the_tied_game_s_extreme_equilibria(case):
    # The only proper subgames are chance moves, so the SPE are the equilibria of the 2-player game
    # of expected payoffs: the tied game's extreme equilibria, mixed ones included, whatever the
    # round-off of the averages and of the reduced normal form's rounding.
    tree, tied = case
    r, want = spe_solve(tree), stage_equilibria(tied)
    got = [np.concatenate([e.details["behaviour"]["A"], e.details["behaviour"]["B"]]) for e in r.equilibria]
    assert r.complete == want.complete
    # The values spe merges are the tied ones up to round-off: the same profiles up to 1e-6.
    assert len(got) == len(want.equilibria)
    for e in want.equilibria:
        assert any(np.abs(g - np.concatenate(e.profile)).max() <= 1e-6 for g in got), (e.profile, got)
