"""The one seam for "the Nash equilibria of a stage game" (sim.solvers.stage.stage_equilibria)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult, player_regrets
from sim.solvers.pure import enumpure_solve
from sim.solvers.stage import stage_equilibria
from tests.strategies import degenerate_games, games

BOS = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
PENNIES = NormalFormGame.zero_sum([[1, -1], [-1, 1]])


def test_rules_for_the_mixed_search():
    always = stage_equilibria(BOS)
    assert [e.pure_profile for e in always.equilibria] == [(0, 0), (1, 1), None]
    assert always.solvers == ("enumpure", "enummixed") and always.complete and always.kind == "mixed"
    np.testing.assert_allclose(always.equilibria[2].profile[0], [2 / 3, 1 / 3])
    fallback = stage_equilibria(BOS, mixed="if_no_pure")
    assert fallback.solvers == ("enumpure",) and fallback.kind == "pure" and len(fallback.equilibria) == 2
    mp = stage_equilibria(PENNIES, mixed="if_no_pure")
    assert mp.solvers == ("enumpure", "enummixed") and mp.kind == "mixed"
    never = stage_equilibria(PENNIES, mixed="never")
    assert never.kind == "none" and never.complete and never.solvers == ("enumpure",)


def test_three_players_use_enumpoly_and_its_limit_makes_the_set_incomplete():
    # Three-player matching pennies variant without a pure equilibrium (player 3's payoff follows player 1).
    u = np.zeros((2, 2, 2, 3))
    for a, b, c in np.ndindex(2, 2, 2):
        u[a, b, c] = [1 if a == b else -1, 1 if b != c else -1, 1 if c == a else -1]
    g = NormalFormGame.from_payoffs(u)
    assert not enumpure_solve(g).equilibria
    r = stage_equilibria(g, mixed="if_no_pure")
    assert r.solvers == ("enumpure", "enumpoly") and r.kind == "mixed"
    assert all(e.max_regret <= 1e-7 * g.payoff_scale for e in r.equilibria)
    skipped = stage_equilibria(g, mixed="if_no_pure", max_support_profiles=10)
    # Skipped, the search falls back to one equilibrium by the logit trace (bounded work).
    assert skipped.solvers == ("enumpure", "logit") and not skipped.complete
    assert len(skipped.equilibria) == 1 and skipped.equilibria[0].max_regret <= 1e-7 * g.payoff_scale
    assert "27 support profiles, over max_support_profiles=10" in skipped.reason


def test_one_player_with_a_choice_needs_no_mixed_search():
    g = NormalFormGame.from_payoffs(np.array([[[1.0, 5.0], [1.0, 5.0], [0.0, 2.0]]]))  # shape (1, 3, 2)
    r = stage_equilibria(g)
    assert r.solvers == ("enumpure",) and r.complete
    assert [e.pure_profile for e in r.equilibria] == [(0, 0), (0, 1)]


def test_bad_arguments_are_refused():
    with pytest.raises(SolverError, match=r"stage_equilibria\(\): mixed must be one of"):
        stage_equilibria(BOS, mixed="sometimes")
    with pytest.raises(SolverError, match=r"stage_equilibria\(\): needs a NormalFormGame; got list"):
        stage_equilibria([[1, 2]])


@settings(max_examples=25, deadline=None)
@given(degenerate_games(min_players=2, max_players=2, max_actions=3))
def test_every_stage_equilibrium_has_small_regret_and_the_pure_ones_come_first(g):
    r = stage_equilibria(g)
    pure = [e.pure_profile for e in enumpure_solve(g).equilibria]
    assert [e.pure_profile for e in r.equilibria[:len(pure)]] == pure
    assert all(e.max_regret <= 1e-7 * g.payoff_scale for e in r.equilibria)
    assert r.equilibria  # every finite game has an equilibrium (Nash 1951)
    profiles = [e.pure_profile for e in r.equilibria if e.is_pure]
    assert len(profiles) == len(set(profiles))


@settings(max_examples=20, deadline=None)
@given(games(min_players=2, max_players=2, min_actions=2, max_actions=3))
def test_a_generic_bimatrix_game_has_an_odd_number_of_equilibria(g):
    # Nondegenerate bimatrix games have finitely many equilibria, an odd number (Lemke and Howson 1964).
    r = stage_equilibria(g)
    assert r.complete and len(r.equilibria) % 2 == 1


def test_mixed_equilibria_are_kept_on_each_player_s_own_regret_bound(monkeypatch):
    # Player A's payoffs are of order 1e6, B's of order 1e-3. A profile where A is indifferent but
    # B gives up a quarter of its scale is no equilibrium, whatever A's (larger) margin is.
    g = NormalFormGame.from_bimatrix([[1e6, 0], [0, 1e6]], [[1e-3, 0], [0, 2e-3]])
    exact = stage_equilibria(g)
    assert [e.pure_profile for e in exact.equilibria] == [(0, 0), (1, 1), None]  # B's own scale suffices
    np.testing.assert_allclose(exact.equilibria[2].profile[0], [2 / 3, 1 / 3])
    fake = Equilibrium.certify(g, ([0.5, 0.5], [0.5, 0.5]))
    assert player_regrets(g, fake).tolist() == [0.0, 2.5e-4]
    import sim.solvers.mixed

    monkeypatch.setattr(sim.solvers.mixed, "enummixed_solve",
                        lambda game: SolverResult("enummixed", game, (fake,)))
    for atol in (None, [1e-3, 1e-12]):  # 1e-3: a tie on A's scale, not on B's
        r = stage_equilibria(g, atol=atol)
        assert [e.pure_profile for e in r.equilibria] == [(0, 0), (1, 1)], atol
    # Within B's own margin the profile is kept.
    r = stage_equilibria(g, atol=[1e-3, 3e-4])
    assert [e.pure_profile for e in r.equilibria] == [(0, 0), (1, 1), None]
