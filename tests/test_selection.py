"""Equilibrium selection: Pareto filter, payoff dominance, risk dominance (sim.solvers.selection)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium
from sim.solvers.pure import enumpure_solve
from sim.solvers.selection import pareto_filter, payoff_dominant, risk_dominant

# Stag hunt with the standard payoffs (Skyrms 2004; Harsanyi and Selten 1988, section 3.9 use the
# same shape): (stag, stag) pays 4 each, hare pays 3 whatever the other does, a lone stag hunter 0.
STAG_HUNT = NormalFormGame.from_bimatrix([[4, 0], [3, 3]], [[4, 3], [0, 3]],
                                         actions=(("stag", "hare"), ("stag", "hare")))


def _stag_hunt_equilibria():
    stag = Equilibrium.certify(STAG_HUNT, ([1, 0], [1, 0]))
    hare = Equilibrium.certify(STAG_HUNT, ([0, 1], [0, 1]))
    mixed = Equilibrium.certify(STAG_HUNT, ([0.75, 0.25], [0.75, 0.25]))
    assert max(e.max_regret for e in (stag, hare, mixed)) < 1e-12
    return stag, hare, mixed


def _eq_with_payoffs(payoffs):
    """A bare Equilibrium carrying only a payoff vector (the selection rules read nothing else)."""
    n = len(payoffs)
    return Equilibrium(tuple(np.ones(1) for _ in range(n)), np.asarray(payoffs, dtype=float),
                       tuple((0,) for _ in range(n)), 0.0)


def _pareto_dominates(p, q):
    p, q = np.asarray(p), np.asarray(q)
    return bool(np.all(p >= q) and np.any(p > q))


# ----- reference game ----------------------------------------------------------------------------

def test_stag_hunt_payoff_dominant_is_stag_and_risk_dominant_is_hare():
    stag, hare, mixed = _stag_hunt_equilibria()
    assert payoff_dominant([hare, mixed, stag]) is stag
    assert pareto_filter([hare, mixed, stag]) == [stag]
    assert risk_dominant(STAG_HUNT, stag, hare) is hare
    assert risk_dominant(STAG_HUNT, hare, stag) is hare
    assert risk_dominant(STAG_HUNT, ("stag", "stag"), ("hare", "hare")) == ("hare", "hare")
    assert risk_dominant(STAG_HUNT, (0, 0), (1, 1)) == (1, 1)


def test_risk_dominance_switches_when_the_stag_reward_grows():
    # Deviation losses at (stag, stag) are R - 3 each; at (hare, hare) 3 each: a tie at R = 6.
    for reward, expected in [(5.5, (1, 1)), (6.0, None), (7.0, (0, 0))]:
        game = NormalFormGame.from_bimatrix([[reward, 0], [3, 3]], [[reward, 3], [0, 3]])
        assert risk_dominant(game, (0, 0), (1, 1)) == expected


def test_battle_of_the_sexes_has_no_payoff_dominant_equilibrium():
    game = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    eqs = [Equilibrium.certify(game, p) for p in [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3])]]
    assert payoff_dominant(eqs) is None
    assert [e.pure_profile for e in pareto_filter(eqs)] == [(0, 0), (1, 1)]
    # Symmetric product of losses (2 * 1 = 1 * 2): a tie.
    assert risk_dominant(game, eqs[0], eqs[1]) is None


# ----- preconditions -----------------------------------------------------------------------------

def test_preconditions_raise_errors_naming_the_rule():
    stag, hare, mixed = _stag_hunt_equilibria()
    with pytest.raises(SolverError, match=r"payoff_dominant\(\): needs at least one equilibrium"):
        payoff_dominant([])
    with pytest.raises(SolverError, match=r"pareto_filter\(\): equilibria must have one number of players"):
        pareto_filter([stag, _eq_with_payoffs([1, 2, 3])])
    with pytest.raises(SolverError, match=r"pareto_filter\(\): every item must be an Equilibrium; got tuple"):
        pareto_filter([(1, 2)])
    with pytest.raises(SolverError, match=r"risk_dominant\(\): eq_a must be a pure equilibrium"):
        risk_dominant(STAG_HUNT, mixed, hare)
    with pytest.raises(SolverError, match=r"risk_dominant\(\): eq_b must be a strict Nash equilibrium"):
        risk_dominant(STAG_HUNT, stag, (0, 1))
    with pytest.raises(SolverError, match=r"risk_dominant\(\): eq_a and eq_b must be different"):
        risk_dominant(STAG_HUNT, stag, stag)
    with pytest.raises(SolverError, match=r"risk_dominant\(\): .*2x2 games; got shape \(3, 2\)"):
        risk_dominant(NormalFormGame.from_bimatrix(np.eye(3, 2), np.eye(3, 2)), (0, 0), (1, 1))
    with pytest.raises(SolverError, match=r"risk_dominant\(\): eq_b must be an Equilibrium or a pure profile"):
        risk_dominant(STAG_HUNT, stag, ("stag", "deer"))
    # Weakly (not strictly) an equilibrium: the column player is indifferent at (0, 0).
    weak = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 1], [0, 2]])
    with pytest.raises(SolverError, match=r"eq_a must be a strict Nash equilibrium.*\(2.0, 0.0\)"):
        risk_dominant(weak, (0, 0), (1, 1))


# ----- properties --------------------------------------------------------------------------------

@st.composite
def coordination_games(draw):
    """Generic 2x2 games with two strict pure equilibria ``A`` and ``B``, built from their deviation
    losses (drawn positive), on the diagonal or the anti-diagonal; returns ``(game, A, B)``.

    Kept here rather than in tests/strategies.py: only risk dominance needs this family.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a1, a2, b1, b2 = rng.uniform(-10, 10, 4)
    d1a, d2a, d1b, d2b = rng.uniform(0.01, 10, 4)
    u1 = np.array([[a1, b1 - d1b], [a1 - d1a, b1]])
    u2 = np.array([[a2, a2 - d2a], [b2 - d2b, b2]])
    game = NormalFormGame.from_bimatrix(u1, u2)
    A, B = (0, 0), (1, 1)
    if draw(st.booleans()):  # anti-diagonal: relabel the column player's actions
        game = NormalFormGame.from_payoffs(game.payoffs[:, ::-1])
        A, B = (0, 1), (1, 0)
    assert sorted(e.pure_profile for e in enumpure_solve(game).equilibria) == sorted([A, B])
    return (game, A, B) if draw(st.booleans()) else (game, B, A)


@settings(max_examples=60, deadline=None)
@given(case=coordination_games(), scales=st.tuples(st.floats(0.01, 100), st.floats(0.01, 100)),
       shifts=st.tuples(st.floats(-100, 100), st.floats(-100, 100)))
def test_risk_dominance_invariant_under_positive_affine_transforms(case, scales, shifts):
    game, a, b = case
    moved = game.with_payoffs(game.payoffs * np.array(scales) + np.array(shifts))
    assert risk_dominant(moved, a, b) == risk_dominant(game, a, b)


@settings(max_examples=40, deadline=None)
@given(case=coordination_games())
def test_risk_dominant_equilibrium_has_the_larger_basin_against_the_mixed_equilibrium(case):
    # Independent characterisation (Harsanyi and Selten 1988, section 3.9; Kandori, Mailath and
    # Rob 1993): A risk dominates B iff p + q < 1, where p and q are the probabilities that the
    # mixed equilibrium puts on A's actions. The mixed equilibrium comes from nashpy.
    import nashpy

    game, a, b = case
    winner = risk_dominant(game, a, b)
    assume(winner is not None)
    mixed = [eq for eq in nashpy.Game(game.payoff_array(0), game.payoff_array(1)).support_enumeration()
             if all(np.count_nonzero(s > 1e-12) == 2 for s in eq)]
    assert len(mixed) == 1
    p, q = mixed[0][0][a[0]], mixed[0][1][a[1]]
    assert (winner == a) == (p + q < 1)
    # The answer does not depend on argument order or action labels.
    assert risk_dominant(game, b, a) == winner
    swapped = NormalFormGame.from_payoffs(game.payoffs[::-1, ::-1])  # relabel both players' actions
    relabel = lambda prof: (1 - prof[0], 1 - prof[1])
    assert risk_dominant(swapped, relabel(a), relabel(b)) == relabel(winner)


payoff_sets = st.lists(st.lists(st.integers(-3, 3), min_size=2, max_size=2), min_size=0, max_size=8) | \
    st.lists(st.lists(st.integers(-2, 2), min_size=3, max_size=3), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(vectors=payoff_sets)
def test_pareto_filtered_set_has_no_dominated_member(vectors):
    eqs = [_eq_with_payoffs(v) for v in vectors]
    kept = pareto_filter(eqs)
    kept_ids = {id(e) for e in kept}
    # Nothing kept is dominated by anything given; everything dropped is dominated by a kept one.
    for e in kept:
        assert not any(_pareto_dominates(f.payoffs, e.payoffs) for f in eqs)
    for e in eqs:
        if id(e) not in kept_ids:
            assert any(_pareto_dominates(f.payoffs, e.payoffs) for f in kept)
    assert [id(e) for e in kept] == [id(e) for e in eqs if id(e) in kept_ids]  # order kept
    assert pareto_filter(kept) == kept  # idempotent


@settings(max_examples=150, deadline=None)
@given(vectors=payoff_sets.filter(bool))
def test_payoff_dominant_is_the_lone_pareto_survivor(vectors):
    eqs = [_eq_with_payoffs(v) for v in vectors]
    best = payoff_dominant(eqs)
    kept = pareto_filter(eqs)
    if best is None:
        assert len(kept) > 1
    else:
        assert kept == [best]
        assert all(_pareto_dominates(best.payoffs, e.payoffs) for e in eqs if e is not best)
