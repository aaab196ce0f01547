"""Iterated elimination of dominated strategies (sim.solvers.dominance)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import solve
from sim.solvers.dominance import dominance_solve
from sim.solvers.pure import enumpure_solve
from tests.oracles import OracleFailed, gambit_equilibria
from tests.strategies import degenerate_games, games

DATA = Path(__file__).parent / "data" / "gambit"
TOL = 1e-9


# ----- an independent reference implementation ---------------------------------------------------
# It tests dominance through the dual statement (Pearce 1984; Osborne and Rubinstein 1994, lemma
# 60.1): action a is strictly dominated by a mixture iff against every belief over the others'
# profiles some other action does strictly better, i.e. iff
#     min over beliefs mu of  max_b (M[b] - M[a]) @ mu  > 0,
# one LP in mu rather than the solver's LP in the dominating mixture. It removes one action at a
# time, in an order given by the test.

def _matrix(payoffs, keep, i):
    sub = payoffs[np.ix_(*keep)][..., i]
    return np.moveaxis(sub, i, 0).reshape(len(keep[i]), -1)


def _dominated_by_belief_lp(M, a, threshold):
    from scipy.optimize import linprog

    others = [b for b in range(M.shape[0]) if b != a]
    if not others:
        return False
    D = M[others] - M[a]
    m, k = D.shape
    # variables (mu (k), t): minimise t  s.t.  D @ mu - t <= 0, sum mu = 1, mu >= 0
    c = np.r_[np.zeros(k), 1.0]
    res = linprog(c, A_ub=np.hstack([D, -np.ones((m, 1))]), b_ub=np.zeros(m),
                  A_eq=np.r_[np.ones(k), 0.0][None], b_eq=[1.0],
                  bounds=[(0, None)] * k + [(None, None)], method="highs")
    assert res.status == 0
    return res.fun > threshold


def _dominated_pure(M, a, threshold):
    return any((M[b] - M[a]).min() > threshold for b in range(M.shape[0]) if b != a)


def reference_surviving(game, mixed, order_seed):
    """Remove one dominated action at a time, scanning (player, action) in a shuffled order."""
    rng = np.random.default_rng(order_seed)
    threshold = TOL * game.payoff_scale * 10  # a little looser than the solver: margins here are LP optima
    keep = [list(range(n)) for n in game.shape]
    while True:
        pairs = [(i, a) for i in range(game.n_players) for a in range(len(keep[i]))]
        rng.shuffle(pairs)
        for i, a in pairs:
            if len(keep[i]) < 2:
                continue
            M = _matrix(game.payoffs, keep, i)
            test = _dominated_by_belief_lp if mixed else _dominated_pure
            if test(M, a, threshold):
                del keep[i][a]
                break
        else:
            return [tuple(k) for k in keep]


def _eliminated(result, game):
    return {(game.player_index(e["player"]), game.action_index(e["player"], e["action"]))
            for e in result.details["eliminated"]}


# ----- a minimal reader for Gambit's outcome-list .nfg files (independent of the project's reader)

def read_outcome_nfg(path: Path) -> NormalFormGame:
    text = path.read_text()
    header = re.search(r"\{\s*((?:\{[^{}]*\}\s*)+)\}", text)
    shape = tuple(len(re.findall(r'"[^"]*"', block)) for block in re.findall(r"\{([^{}]*)\}", header.group(1)))
    outcomes = [[float(v) for v in body.replace(",", " ").split()]
                for body in re.findall(r'\{\s*"[^"]*"\s+([-\d.,\s]+)\}', text)]
    mapping = [int(t) for t in text.strip().splitlines()[-1].split()]
    payoffs = np.zeros((*shape, len(shape)))
    # Gambit lists profiles with the first player's action changing fastest.
    for k, o in enumerate(mapping):
        idx = np.unravel_index(k, shape, order="F")
        payoffs[idx] = outcomes[o - 1]
    return NormalFormGame.from_payoffs(payoffs)


# ----- reference games ---------------------------------------------------------------------------

def test_prisoners_dilemma_reduces_to_mutual_defection():
    # Gambit contrib/games/pd.nfg: cooperate = 1, defect = 2; defection strictly dominates.
    game = read_outcome_nfg(DATA / "pd.nfg")
    for mixed in (False, True):
        r = dominance_solve(game, mixed=mixed)
        assert r.details["surviving"] == [(1,), (1,)]
        assert [e.pure_profile for e in r.equilibria] == [(1, 1)]
        assert r.complete and r.equilibria[0].max_regret == 0.0
        assert r.details["rounds"] == 1
        assert {e["action"] for e in r.details["eliminated"]} == {"1"}
        assert all(e["dominated_by"] == {"2": 1.0} and e["margin"] == 1.0 for e in r.details["eliminated"])


def test_action_dominated_only_by_a_mixture():
    # Row payoffs 3/0, 0/3, 1/1: D is beaten by no pure action, but by U and M mixed 50-50, which
    # earn 1.5 against either column (Fudenberg and Tirole 1991, section 2.1; Osborne and
    # Rubinstein 1994, section 4.2).
    game = NormalFormGame.from_bimatrix([[3, 0], [0, 3], [1, 1]], [[1, 0], [0, 1], [0, 0]],
                                        actions=(("U", "M", "D"), ("L", "R")))
    assert dominance_solve(game, mixed=False).details["eliminated"] == []
    r = dominance_solve(game)
    [e] = r.details["eliminated"]
    assert (e["player"], e["action"], e["round"]) == ("1", "D", 1)
    assert e["dominated_by"] == pytest.approx({"U": 0.5, "M": 0.5})
    assert e["margin"] == pytest.approx(0.5)
    assert r.details["reduced_game"].actions == (("U", "M"), ("L", "R"))
    assert r.equilibria == () and not r.complete


@pytest.mark.gambit
def test_gambit_mixdom_needs_mixed_dominance():
    # Gambit contrib/games/mixdom.nfg, "Two person 4x4 game needing mixed domination": pure
    # dominance removes nothing, mixed dominance solves the game. Gambit's own answer (enumpure on
    # the file, in a subprocess) must be the profile that survives.
    game = read_outcome_nfg(DATA / "mixdom.nfg")
    assert game.shape == (4, 4)
    assert dominance_solve(game, mixed=False).details["eliminated"] == []
    r = dominance_solve(game)
    assert r.details["eliminated"][0]["action"] == "1"
    assert len(r.details["eliminated"][0]["dominated_by"]) == 2  # the first step needs a mixture
    assert r.details["reduced_game"].shape == (1, 1)
    [eq] = r.equilibria
    assert eq.pure_profile == (2, 1) and eq.max_regret == 0.0 and r.complete
    try:
        theirs = gambit_equilibria(nfg_text=(DATA / "mixdom.nfg").read_text(), method="enummixed")
    except OracleFailed as exc:
        pytest.skip(f"pygambit oracle unavailable: {exc}")
    assert len(theirs) == 1
    for mine, other in zip(eq.profile, theirs[0]):
        np.testing.assert_allclose(mine, other, atol=1e-9)


def test_weak_dominance_removes_what_strict_keeps():
    # Row 2 ties row 1 against L and loses against R: weakly, not strictly, dominated.
    game = NormalFormGame.from_bimatrix([[1, 1], [1, 0]], [[1, 1], [0, 0]])
    assert dominance_solve(game).details["eliminated"] == []
    r = dominance_solve(game, weak=True)
    assert r.details["surviving"] == [(0,), (0, 1)]
    assert not r.complete


def test_registry_and_n_player_game():
    # 3 players; player 3's action 2 is dominated by a mixture (payoffs 2/0/0.9 vs 0/2/0.9
    # pattern across player 1's actions), then nothing else.
    u3 = np.zeros((2, 2, 3))
    u3[0, :, :] = [2, 0, 0.9]
    u3[1, :, :] = [0, 2, 0.9]
    rng = np.random.default_rng(1)
    payoffs = np.stack([rng.uniform(-1, 1, (2, 2, 3)), rng.uniform(-1, 1, (2, 2, 3)), u3], axis=-1)
    game = NormalFormGame.from_payoffs(payoffs)
    r = solve(game, "dominance")
    assert ("3", "3") in {(e["player"], e["action"]) for e in r.details["eliminated"] if e["round"] == 1}


def test_bad_input_names_function_and_value():
    game = NormalFormGame.from_bimatrix([[1, 0]], [[0, 1]])
    with pytest.raises(SolverError, match=r"dominance_solve\(\): tol must be .*-1"):
        dominance_solve(game, tol=-1)
    with pytest.raises(SolverError, match=r"dominance_solve\(\): game must be a NormalFormGame"):
        dominance_solve([[1, 0]])


# ----- properties --------------------------------------------------------------------------------

any_games = st.one_of(games(max_players=3), degenerate_games(max_players=3),
                      games(min_players=2, max_players=2, max_actions=4, max_profiles=16))


@settings(max_examples=40, deadline=None)
@given(game=any_games, order_seed=st.integers(0, 2**16), mixed=st.booleans())
def test_order_of_elimination_does_not_change_reduced_game(game, order_seed, mixed):
    r = dominance_solve(game, mixed=mixed)
    assert r.details["surviving"] == reference_surviving(game, mixed, order_seed)
    assert r.details["reduced_game"] == game.restrict(r.details["surviving"])


@settings(max_examples=40, deadline=None)
@given(game=any_games)
def test_no_pure_equilibrium_uses_an_eliminated_action(game):
    r = dominance_solve(game)
    gone = _eliminated(r, game)
    for eq in enumpure_solve(game).equilibria:
        assert not any((i, a) in gone for i, a in enumerate(eq.pure_profile))
    if r.equilibria:
        # A single survivor of strict dominance is the unique Nash equilibrium.
        assert [e.pure_profile for e in enumpure_solve(game).equilibria] == [r.equilibria[0].pure_profile]
        assert r.equilibria[0].max_regret <= 1e-9 * game.payoff_scale


@settings(max_examples=40, deadline=None)
@given(game=any_games)
def test_pure_elimination_is_a_subset_of_mixed_elimination(game):
    pure = _eliminated(dominance_solve(game, mixed=False), game)
    mixed = _eliminated(dominance_solve(game, mixed=True), game)
    assert pure <= mixed


@settings(max_examples=30, deadline=None)
@given(game=any_games, weak=st.booleans())
def test_every_reported_dominator_dominates_in_its_round(game, weak):
    r = dominance_solve(game, weak=weak)
    keep = [list(range(n)) for n in game.shape]
    by_round = {}
    for e in r.details["eliminated"]:
        by_round.setdefault(e["round"], []).append(e)
    for rnd in sorted(by_round):
        for e in by_round[rnd]:
            i = game.player_index(e["player"])
            a = game.action_index(i, e["action"])
            sigma = np.zeros(game.shape[i])
            for name, p in e["dominated_by"].items():
                sigma[game.action_index(i, name)] = p
            assert sigma[a] == 0 and sigma.sum() == pytest.approx(1.0)
            assert all(sigma[b] == 0 or b in keep[i] for b in range(game.shape[i]))
            M = _matrix(game.payoffs, [list(range(game.shape[i])) if j == i else k for j, k in enumerate(keep)], i)
            margins = sigma @ M - M[a]
            if weak:
                assert margins.min() >= -1e-9 * game.payoff_scale and margins.max() > 0
            else:
                assert margins.min() == pytest.approx(e["margin"]) and e["margin"] > 0
        for e in by_round[rnd]:
            i = game.player_index(e["player"])
            keep[i].remove(game.action_index(i, e["action"]))
    assert [tuple(k) for k in keep] == r.details["surviving"]


@settings(max_examples=25, deadline=None)
@given(game=any_games, scale=st.floats(0.1, 10), shift=st.floats(-10, 10))
def test_elimination_invariant_under_positive_affine_transform(game, scale, shift):
    factors = scale * (1 + np.arange(game.n_players))
    moved = game.with_payoffs(game.payoffs * factors + shift)
    assert dominance_solve(moved).details["surviving"] == dominance_solve(game).details["surviving"]


# ----- differential test against pygambit's mixed equilibria ---------------------------------------

@pytest.mark.gambit
@pytest.mark.slow
def test_no_gambit_equilibrium_uses_an_eliminated_action():
    # Games built to have dominated actions: two random 3x3 bimatrix games where row 3 is made
    # worse than the mix of rows 1 and 2, and one random 4x3 game. pygambit's enummixed lists every
    # extreme equilibrium; none may put weight on an action we eliminated.
    rng = np.random.default_rng(2024)
    cases = []
    for _ in range(2):
        A, B = rng.integers(-5, 6, (3, 3)).astype(float), rng.integers(-5, 6, (3, 3)).astype(float)
        A[2] = (A[0] + A[1]) / 2 - 0.5
        cases.append(NormalFormGame.from_bimatrix(A, B))
    cases += [NormalFormGame.from_payoffs(rng.uniform(-10, 10, (4, 3, 2))) for _ in range(1)]
    checked = 0
    for game in cases:
        r = dominance_solve(game)
        gone = _eliminated(r, game)
        try:
            theirs = gambit_equilibria(game.payoffs, "enummixed")
        except OracleFailed as exc:
            pytest.skip(f"pygambit oracle unavailable: {exc}")
        assert theirs
        for eq in theirs:
            for i, s in enumerate(eq):
                for a in np.flatnonzero(s > 1e-9):
                    assert (i, int(a)) not in gone
        checked += bool(gone)
    assert checked >= 2  # the constructed cases did eliminate something
