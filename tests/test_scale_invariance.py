"""Equilibria do not depend on the payoff unit: tolerances are relative to each player's scale.

Nash equilibria, best responses, dominance and the polytope of correlated equilibria are
unchanged by a positive affine map of one player's payoffs; so, with one scale for every player,
are the zero-sum value's strategies, the logit branch (lambda is in payoff units, and the tracer
works on payoffs divided by the scale) and the replicator dynamics (time is measured on payoffs
of spread 1). Each method is run on a game and on its image under such maps with scales from
1e-300 to 1e300, and must return the same profiles; every profile reported through the one solve
path (``sim.registry.solve``) is certified: each player's regret is within the tolerance relative
to that player's scale. The matching-pennies cases are those of issue 15, where the old floor of
1 on the scale ("the spread of the payoffs, at least 1") let solvers report every pure profile.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.game import NormalFormGame
from sim.registry import METHODS, solve
from sim.result import player_regrets
from tests.strategies import games, mapped_game, payoff_maps, zero_sum_games

PROB_TOL = 1e-6

# Methods whose answer is invariant under a positive affine map of each player's payoffs, with
# the options used here, and those invariant only when every player has the same scale.
PER_PLAYER = {
    "enumpure": {}, "enummixed": {}, "lcp": {}, "enumpoly": {}, "dominance": {},
    "correlated": {"objective": "vertices"},
}
COMMON_SCALE = {
    "logit": {}, "replicator": {"steps": 300}, "correlated": {"objective": "welfare"},
}
TWO_PLAYER = {"enummixed", "lcp", "lp"}


def test_every_registered_game_method_is_covered():
    covered = set(PER_PLAYER) | set(COMMON_SCALE) | {"lp", "fictitious_play"}
    assert covered == {m.name for m in METHODS.values() if m.kind == "game"}


def _profiles(result) -> list[np.ndarray]:
    if result.method == "correlated":
        return [np.asarray(e.distribution).ravel() for e in result.equilibria]
    return [np.concatenate(e.profile) for e in result.equilibria]


def assert_same_profiles(a, b):
    pa, pb = _profiles(a), _profiles(b)
    assert len(pa) == len(pb), (pa, pb)
    unmatched = list(pb)
    for p in pa:
        k = next((k for k, q in enumerate(unmatched) if np.max(np.abs(p - q)) <= PROB_TOL), None)
        assert k is not None, (p, pb)
        unmatched.pop(k)


def assert_certified(result, tol):
    limits = result.game.regret_tolerances(tol)
    for eq in result.equilibria:
        assert np.all(player_regrets(result.game, eq) <= limits), (eq.profile, limits)


def _tol(method: str) -> float:
    names = {o.name: o for o in METHODS[method].options}
    return names["tol"].default if "tol" in names else 1e-6


def _game_strategy(method: str):
    if method in TWO_PLAYER:
        return games(min_players=2, max_players=2, max_actions=3)
    if method == "enumpoly":
        return games(max_players=3, max_actions=2)
    return games(max_players=3, max_actions=3, max_profiles=18)


@pytest.mark.parametrize("method", sorted(PER_PLAYER))
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_equilibria_invariant_under_each_players_affine_map(method, data):
    game = data.draw(_game_strategy(method))
    scales, shifts = data.draw(payoff_maps(game.n_players))
    options = PER_PLAYER[method]
    base = solve(game, method, **options)
    image = solve(mapped_game(game, scales, shifts), method, **options)
    assert_same_profiles(base, image)
    assert image.complete == base.complete
    assert "rejected" not in image.details
    assert_certified(image, _tol(method))


@pytest.mark.parametrize("method", sorted(COMMON_SCALE))
@settings(max_examples=4, deadline=None)
@given(data=st.data())
def test_answer_invariant_under_a_common_scale_and_each_players_shift(method, data):
    game = data.draw(games(max_players=2, max_actions=3))
    scales, shifts = data.draw(payoff_maps(game.n_players, common_scale=True))
    options = COMMON_SCALE[method]
    base = solve(game, method, **options)
    if method == "logit":  # lambda and its bound are in payoff units: the bound scales inversely
        options = {**options, "max_lambda": 1e10 / scales[0]}
    image = solve(mapped_game(game, scales, shifts), method, **options)
    assert_same_profiles(base, image)
    assert image.converged == base.converged


@settings(max_examples=6, deadline=None)
@given(zero_sum_games(max_actions=3), st.data())
def test_zero_sum_value_scales_with_the_payoffs(game, data):
    scales, shifts = data.draw(payoff_maps(2, common_scale=True))
    base, image = solve(game, "lp"), solve(mapped_game(game, scales, shifts), "lp")
    assert_same_profiles(base, image)
    assert_certified(image, _tol("lp"))
    expected = base.details["value"] * scales[0] + shifts[0]
    assert image.details["value"] == pytest.approx(expected, rel=1e-6, abs=1e-6 * scales[0])


def _pennies(row_scale: float, col_scale: float) -> NormalFormGame:
    a = np.array([[1.0, -1.0], [-1.0, 1.0]])
    return NormalFormGame.from_bimatrix(a * row_scale, -a * col_scale)


@pytest.mark.parametrize("method, row_scale, col_scale", [
    ("enumpoly", 1e-8, 1e-8), ("enumpure", 1e-10, 1e-10), ("lp", 1e-300, 1e-300),
    ("enumpure", 1e300, 1e-300), ("enummixed", 1e300, 1e-300), ("enumpoly", 1e300, 1e-300),
    ("lcp", 1e-300, 1e-300), ("dominance", 1e300, 1e-300),
])
def test_matching_pennies_at_any_scale_has_only_the_uniform_equilibrium(method, row_scale, col_scale):
    # Issue 15: at +-1e-8 enumpoly reported 5 equilibria (4 pure, each with a regret of the whole
    # payoff range), at +-1e-10 enumpure all 4 pure profiles, at +-1e-300 lp a pure one; with
    # one player at 1e300 and the other at 1e-300 the small player's incentives were ignored.
    result = solve(_pennies(row_scale, col_scale), method)
    if method in ("enumpure", "dominance"):
        assert result.equilibria == ()
    else:
        assert [e.support for e in result.equilibria] == [((0, 1), (0, 1))]
        np.testing.assert_allclose(np.concatenate(result.equilibria[0].profile), 0.5, atol=1e-9)
    assert "rejected" not in result.details


def test_a_player_with_constant_payoffs_has_scale_zero_and_every_action_is_a_best_reply():
    game = NormalFormGame.from_bimatrix([[3e-200, 0.0], [0.0, 1e-200]], [[5e300, 5e300], [5e300, 5e300]])
    assert game.player_scales.tolist() == [3e-200, 0.0]
    pure = {e.pure_profile for e in solve(game, "enumpure").equilibria}
    assert pure == {(0, 0), (1, 1)}
    assert len(solve(game, "enummixed").equilibria) >= 2


def test_solve_refuses_a_reported_profile_whose_regret_exceeds_its_tolerance(monkeypatch):
    """The final certification: a method that reports every pure profile of matching pennies at
    +-1e-10 as an equilibrium (the old scale floor of 1) has them refused, named, and the result
    is no longer complete."""
    import sim.solvers.pure as pure
    from sim.result import Equilibrium, SolverResult

    def every_profile(game, tol=1e-9):
        eqs = [Equilibrium.certify(game, (np.eye(2)[a], np.eye(2)[b])) for a in range(2) for b in range(2)]
        return SolverResult("enumpure", game, eqs, {"tol": tol}, complete=True)

    monkeypatch.setattr(pure, "enumpure_solve", every_profile)
    result = solve(_pennies(1e-10, 1e-10), "enumpure")
    assert result.equilibria == () and not result.complete
    assert len(result.details["rejected"]) == 4
    assert all(max(r["regrets"].values()) == pytest.approx(2e-10) for r in result.details["rejected"])


# ----- trees with payoffs up to the largest float ----------------------------------------------------
def _tree(big: float, small: float):
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    return ExtensiveFormGame.from_root(("A", "B"), Chance(("h", "t"), (0.3, 0.7), (
        Decision(0, "a", ("L", "R"), (Terminal((big, small)), Decision(1, "b", ("l", "r"), (
            Terminal((0.0, 0.0)), Terminal((big / 3, 2 * small)))))),
        Terminal((-big, small)))))


@pytest.mark.parametrize("big, small", [(1.7e308, 1.0), (-1.7e308, 1e-300), (1e300, 1e-13), (1.0, 1e-13)])
def test_trees_with_payoffs_up_to_the_largest_float_keep_their_equilibria(big, small):
    # Issue 15: payoffs above about 1.8e296 overflowed np.round in the reduced form ("not
    # finite"), near 1.7e308 with warnings; and rounding to 12 decimals erased payoffs of 1e-13.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = _tree(big, small)
        nf = tree.reduced_normal_form()
        assert np.all(np.isfinite(nf.payoffs)) and nf.player_scales[1] > 0
        reference = {e.pure_profile for e in solve(_tree(np.sign(big), 1.0), "enumpure").equilibria}
        assert {e.pure_profile for e in solve(tree, "enumpure").equilibria} == reference
        spe = solve(tree, "spe")
    assert spe.equilibria
    for eq in spe.equilibria:  # certified, whatever spe's own tie rule found
        assert np.all(player_regrets(spe.game, eq) <= spe.game.regret_tolerances(1e-9))


def test_spe_at_a_tiny_scale_reports_only_subgame_perfect_profiles():
    # spe's indifference tolerance was relative to the spread at a node, at least 1: a player
    # whose payoffs are 1e-300 apart was indifferent everywhere, and the certification refused
    # the profiles that this let through.
    spe = solve(_tree(-1.7e308, 1e-300), "spe")
    assert "rejected" not in spe.details and spe.complete


def test_certification_of_a_one_player_game():
    game = NormalFormGame.from_payoffs(np.array([[1e-200], [3e-200], [3e-200]]))
    result = solve(game, "enumpure")
    assert [e.pure_profile for e in result.equilibria] == [(1,), (2,)] and result.complete
