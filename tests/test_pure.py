"""Pure Nash equilibria: the batched kernel and ``enumpure_solve``.

The oracle of most properties is ``brute_force_pure``, a direct loop over every profile and every
unilateral deviation, written here independently of the kernel's array tricks.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import enumpure_batch, enumpure_solve
from tests.strategies import bimatrix_games, degenerate_games, game_batches, games

DATA = Path(__file__).parent / "data" / "gambit"
TOL = 1e-9

# Up to 4 players with up to 3 actions, plus wider games (up to 6 actions) so that chains of
# more than two np.maximum calls are exercised.
any_games = st.one_of(
    games(),
    degenerate_games(),
    bimatrix_games(max_actions=6, degenerate=True),
    degenerate_games(min_players=3, max_players=3, max_actions=5, max_profiles=125),
)


def brute_force_pure(payoffs: np.ndarray, eps: float) -> set[tuple[int, ...]]:
    """Every pure profile where no player gains more than ``eps`` by a unilateral deviation."""
    shape = payoffs.shape[:-1]
    found = set()
    for profile in itertools.product(*(range(n) for n in shape)):
        stable = True
        for i, n_i in enumerate(shape):
            best = max(payoffs[profile[:i] + (b,) + profile[i + 1:]][i] for b in range(n_i))
            if payoffs[profile][i] < best - eps:
                stable = False
                break
        if stable:
            found.add(tuple(int(a) for a in profile))
    return found


def pure_set(result) -> set[tuple[int, ...]]:
    return {e.pure_profile for e in result.equilibria}


def mask_set(mask: np.ndarray) -> set[tuple[int, ...]]:
    return {tuple(int(a) for a in idx) for idx in zip(*np.nonzero(mask))}


# ----- properties -------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None)
@given(any_games)
def test_enumpure_equals_brute_force_over_every_deviation(game):
    eps = TOL * game.payoff_scale
    expected = brute_force_pure(game.payoffs, eps)
    assert pure_set(enumpure_solve(game, TOL)) == expected
    assert mask_set(enumpure_batch(game.payoffs[None], eps)[0]) == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game_batches(), st.sampled_from([0.0, 1e-9, 0.5, 1.0]))
def test_batched_equals_one_at_a_time(batch, tol):
    one_thread = enumpure_batch(batch, tol, threads=1)
    assert one_thread.shape == batch.shape[:-1] and one_thread.dtype == bool
    np.testing.assert_array_equal(enumpure_batch(batch, tol, threads=2), one_thread)
    for b in range(batch.shape[0]):
        np.testing.assert_array_equal(enumpure_batch(batch[b:b + 1], tol)[0], one_thread[b])
    # and against the brute force on a few of them (the loop is slow in Python)
    for b in range(min(3, batch.shape[0])):
        assert mask_set(one_thread[b]) == brute_force_pure(batch[b], tol)


@pytest.fixture
def compiled(monkeypatch):
    """Send every batch, however small, to the compiled kernel."""
    import sim.solvers.pure as pure

    assert pure._compiled_kernel() is not None, "numba is a runtime dependency"
    monkeypatch.setattr(pure, "_SMALL_BATCH", 0)
    return pure


def reference_mask(batch: np.ndarray, tol: float) -> np.ndarray:
    """Plain NumPy reference of the batched kernel: per player, max over its own axis, compare.

    Kept here rather than imported from the solver so that a change there cannot change both
    sides of the comparison.
    """
    mask = np.ones(batch.shape[:-1], dtype=bool)
    for i in range(batch.shape[-1]):
        u = batch[..., i]
        mask &= u >= np.max(u, axis=1 + i, keepdims=True) - tol
    return mask


# Every shape the kernel must handle: 1 to 5 players, 1 to 4 actions (up to 1024 profiles), with
# integer payoffs (ties everywhere) half of the time; batches long enough to leave partial tiles.
every_shape_batches = game_batches(max_games=70, min_players=1, max_players=5, min_actions=1,
                                   max_actions=4, max_profiles=1024)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(every_shape_batches, st.sampled_from([0.0, 1e-9, 0.5, 1.0, 3.0]), st.data())
def test_compiled_kernel_equals_numpy_reference_on_every_shape(batch, tol, data):
    from sim.solvers._pure_jit import enumpure_rows

    expected = reference_mask(batch, tol)
    n_games = batch.shape[0]
    # The kernel itself, on an arbitrary sub-range (tiles start at lo, the last one is partial).
    lo = data.draw(st.integers(0, n_games - 1))
    hi = data.draw(st.integers(lo + 1, n_games))
    rows = batch.reshape(n_games, -1)
    out = np.zeros((n_games, rows.shape[1] // batch.shape[-1]), dtype=bool)
    shape = np.array(batch.shape[1:-1], dtype=np.int64)
    assert enumpure_rows(rows, shape, tol, out, lo, hi) == -1
    np.testing.assert_array_equal(out[lo:hi], expected.reshape(n_games, -1)[lo:hi])
    assert not out[:lo].any() and not out[hi:].any()  # nothing written outside the range


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(game_batches(max_games=300), st.sampled_from([8, 24, 512]), st.sampled_from([1, 2, 3]))
def test_result_does_not_depend_on_block_size_or_threads(batch, block_games, threads):
    # Small blocks force many blocks and a partial last block even for small batches.
    import sim.solvers.pure as pure

    expected = reference_mask(batch, 1e-9)
    saved = pure._BLOCK_GAMES, pure._SMALL_BATCH
    pure._BLOCK_GAMES, pure._SMALL_BATCH = block_games, 0
    try:
        got = enumpure_batch(batch, 1e-9, threads=threads)
    finally:
        pure._BLOCK_GAMES, pure._SMALL_BATCH = saved
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(enumpure_batch(batch, 1e-9, threads=threads), expected)


def test_large_batch_with_threads_blocks_and_remainder_matches_plain_numpy():
    # 4 players x 3 actions with integer payoffs: many ties; 10,007 games leave a partial tile
    # and spread over many blocks and both threads.
    rng = np.random.default_rng(20240601)
    batch = rng.integers(-2, 3, size=(10_007, 3, 3, 3, 3, 4)).astype(float)
    expected = np.ones(batch.shape[:-1], dtype=bool)
    for i in range(4):
        u = batch[..., i]
        expected &= u >= u.max(axis=1 + i, keepdims=True) - 0.0
    for threads in (1, 2, 3):
        np.testing.assert_array_equal(enumpure_batch(batch, 0.0, threads=threads), expected)
    assert 0 < expected.sum() < expected.size  # the check is not vacuous


@settings(max_examples=80, deadline=None)
@given(any_games, st.data())
def test_equilibria_invariant_under_positive_affine_transform(game, data):
    n = game.n_players
    scale = np.array(data.draw(st.lists(st.floats(0.01, 100), min_size=n, max_size=n)))
    shift = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    transformed = game.with_payoffs(game.payoffs * scale + shift)
    assert pure_set(enumpure_solve(transformed)) == pure_set(enumpure_solve(game))


@settings(max_examples=80, deadline=None)
@given(any_games, st.data())
def test_permuting_players_and_actions_permutes_the_equilibria(game, data):
    n = game.n_players
    players = data.draw(st.permutations(range(n)))
    actions = [data.draw(st.permutations(range(k))) for k in game.shape]
    # New player j is old player players[j]; new action b of old player i is old action actions[i][b].
    relabelled = game.payoffs[np.ix_(*actions)]
    relabelled = relabelled.transpose(*players, n)[..., list(players)]
    permuted = NormalFormGame.from_payoffs(relabelled)
    expected = {
        tuple(actions[players[j]].index(old[players[j]]) for j in range(n))
        for old in pure_set(enumpure_solve(game))
    }
    assert pure_set(enumpure_solve(permuted)) == expected


@settings(max_examples=100, deadline=None)
@given(any_games, st.sampled_from([0.0, 1e-9, 1e-3, 0.1]))
def test_every_reported_equilibrium_has_regret_within_tolerance(game, tol):
    """Each player's regret within ``tol`` times that player's own payoff scale (the tie rule is
    per player: sim.game.regret_tolerances), and every profile left out beyond it for some player."""
    from sim.game import regret_tolerances

    allowed = regret_tolerances(game.payoffs, tol)
    result = enumpure_solve(game, tol)
    assert result.method == "enumpure" and result.complete
    for eq in result.equilibria:
        assert eq.is_pure
        point = [np.eye(k)[a] for k, a in zip(game.shape, eq.pure_profile)]
        assert np.all(game.regrets(point) <= allowed)
        np.testing.assert_array_equal(eq.payoffs, game.payoffs[eq.pure_profile])
    # Completeness: every pure profile left out gives some player a deviation beyond its tolerance.
    reported = pure_set(result)
    for profile in itertools.product(*(range(k) for k in game.shape)):
        if profile not in reported:
            point = [np.eye(k)[a] for k, a in zip(game.shape, profile)]
            assert np.any(game.regrets(point) > allowed)


@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_tie_rule_is_exact_at_the_tolerance_boundary(path, request):
    if path == "compiled":
        request.getfixturevalue("compiled")
    # Row player's deviation gains exactly 1 (powers of two: no rounding anywhere).
    payoffs = np.zeros((1, 2, 1, 2))
    payoffs[0, 1, 0, 0] = 1.0
    assert enumpure_batch(payoffs, 1.0)[0, 0, 0]
    assert not enumpure_batch(payoffs, 0.5)[0, 0, 0]
    assert not enumpure_batch(payoffs, 0.0)[0, 0, 0]
    assert enumpure_batch(payoffs, 0.0)[0, 1, 0]


def test_tolerance_is_relative_to_payoff_scale():
    # A deviation gain of 5e-4 on a payoff spread of about 1e6 is within tol * scale = 1e-3.
    g = NormalFormGame.from_bimatrix([[1e6, 0], [1e6 + 5e-4, 0]], [[0, 0], [0, 0]])
    assert pure_set(enumpure_solve(g, 1e-9)) == {(0, 0), (1, 0), (0, 1), (1, 1)}
    assert pure_set(enumpure_solve(g, 0.0)) == {(1, 0), (0, 1), (1, 1)}


# ----- reference games ------------------------------------------------------------------------

REFERENCE_GAMES = [
    # Prisoner's dilemma (Osborne and Rubinstein, A Course in Game Theory, 1994, section 2.3):
    # defection strictly dominates, (D, D) is the only equilibrium.
    pytest.param([[3, 0], [5, 1]], [[3, 5], [0, 1]], {(1, 1)}, id="prisoners-dilemma"),
    # Battle of the sexes, "Bach or Stravinsky" (same section): the two coordinated outcomes.
    pytest.param([[2, 0], [0, 1]], [[1, 0], [0, 2]], {(0, 0), (1, 1)}, id="battle-of-the-sexes"),
    # Matching pennies (same section): no pure equilibrium, only the uniform mixed one.
    pytest.param([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], set(), id="matching-pennies"),
]


@pytest.mark.parametrize("row, col, expected", REFERENCE_GAMES)
def test_reference_bimatrix_games(row, col, expected):
    game = NormalFormGame.from_bimatrix(row, col)
    assert pure_set(enumpure_solve(game)) == expected


def coord333() -> NormalFormGame:
    """Three-player 3x3x3 coordination game of Gambit's contrib/games (coord333.nfg).

    Every player gets 1 when all three choose the same action, else 0.
    """
    payoffs = np.zeros((3, 3, 3, 3))
    for a in range(3):
        payoffs[a, a, a, :] = 1.0
    return NormalFormGame.from_payoffs(payoffs)


def test_three_player_coordination_game():
    # The 3 coordinated profiles, and the 6 where all three differ: there no single deviation
    # can bring about coordination, so everyone is indifferent (weak equilibria, kept by the
    # tie rule). Profiles where exactly two agree are not equilibria: the third joins them.
    distinct = set(itertools.permutations(range(3)))
    result = enumpure_solve(coord333())
    assert pure_set(result) == {(0, 0, 0), (1, 1, 1), (2, 2, 2)} | distinct
    assert all(e.max_regret == 0.0 for e in result.equilibria)


# ----- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "payoffs, tol, match",
    [
        (np.zeros((2, 2, 2)), TOL, r"enumpure_batch\(\): payoffs must have shape"),
        (np.zeros((4, 2, 2, 3)), TOL, r"one action axis per player; got shape \(4, 2, 2, 3\)"),
        (np.zeros((1, 0, 2, 2)), TOL, "at least one action"),
        (np.full((1, 2, 2, 2), np.nan), TOL, r"payoffs must be finite; got nan at index \(0, 0, 0, 0\)"),
        (np.zeros((1, 2, 2, 2)), -1.0, "tol must be a non-negative finite number; got -1.0"),
        (np.zeros((1, 2, 2, 2)), float("nan"), "tol must be a non-negative finite number; got nan"),
        ([["a"]], TOL, "payoffs must be numeric"),
    ],
)
def test_bad_batch_input_is_refused(payoffs, tol, match):
    with pytest.raises(SolverError, match=match):
        enumpure_batch(payoffs, tol)


def test_infinite_payoff_deep_in_a_large_batch_is_named():
    batch = np.zeros((5000, 2, 2, 2))
    batch[4321, 1, 0, 1] = -np.inf
    with pytest.raises(SolverError, match=r"got -inf at index \(4321, 1, 0, 1\)"):
        enumpure_batch(batch, threads=2)


@pytest.mark.parametrize("path", ["numpy", "compiled"])
def test_huge_finite_payoffs_are_accepted(path, request):
    if path == "compiled":
        request.getfixturevalue("compiled")
    # Differences and sums of these overflow; neither may be taken for a non-finite payoff, and
    # the tie rule must still be decided right.
    batch = np.full((3, 2, 2, 2), 1.5e308)
    batch[:, 0, :, 0] = -1.5e308
    assert mask_set(enumpure_batch(batch, 0.0)[0]) == {(1, 0), (1, 1)}
    # Deviation gains of 5e307 within a tolerance of 1e308, where max - tol overflows to -inf:
    # every profile is kept, and one unit less of tolerance than the gain keeps none of the rows.
    low = np.full((3, 2, 1, 2), -1.5e308)
    low[:, 1, 0, 0] = -1e308
    assert enumpure_batch(low, 1e308).all()
    assert mask_set(enumpure_batch(low, 4e307)[0]) == {(1, 0)}


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("where", [(0, 0, 0, 0, 0), (8191, 1, 1, 0, 1), (12_345, 2, 0, 1, 2)])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_payoff_is_named_by_the_compiled_path(where, value, threads):
    # 12,346 games: many blocks, a partial last tile; the bad entry in the first, a middle and
    # the last tile.
    batch = np.zeros((12_346, 3, 2, 2, 3))
    batch[where] = value
    with pytest.raises(SolverError, match=rf"got {value} at index \({', '.join(map(str, where))}\)"):
        enumpure_batch(batch, threads=threads)


def test_first_non_finite_payoff_is_named_when_there_are_several():
    batch = np.zeros((4000, 2, 2, 2))
    batch[3999, 0, 0, 0] = np.nan
    batch[17, 1, 1, 1] = np.inf
    with pytest.raises(SolverError, match=r"got inf at index \(17, 1, 1, 1\)"):
        enumpure_batch(batch, threads=2)


def test_bad_solve_arguments_are_refused():
    game = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    with pytest.raises(SolverError, match=r"enumpure_solve\(\): tol must be .*; got -0.1"):
        enumpure_solve(game, -0.1)
    with pytest.raises(SolverError, match=r"threads must be a positive integer; got 0"):
        enumpure_batch(game.payoffs[None], threads=0)


def test_empty_batch_gives_empty_mask():
    assert enumpure_batch(np.zeros((0, 2, 3, 2))).shape == (0, 2, 3)


# ----- differential tests -------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(any_games)
def test_matches_quantecon_pure_nash_brute(game):
    from quantecon.game_theory import NormalFormGame as QeGame, pure_nash_brute

    eps = TOL * game.payoff_scale
    # QuantEcon applies the same rule (payoff >= max - tol) to the same float64 payoffs.
    theirs = {tuple(int(a) for a in p) for p in pure_nash_brute(QeGame(game.payoffs), tol=eps)}
    assert pure_set(enumpure_solve(game, TOL)) == theirs


def _gambit_pure(payoffs=None, nfg_text=None) -> set[tuple[int, ...]]:
    from tests.oracles import gambit_equilibria

    found = set()
    for eq in gambit_equilibria(payoffs, "enumpure", nfg_text=nfg_text):
        assert all(np.isclose(s.max(), 1.0) for s in eq)
        found.add(tuple(int(np.argmax(s)) for s in eq))
    return found


@pytest.mark.gambit
@pytest.mark.slow
def test_matches_gambit_enumpure_on_generated_games():
    # Gambit decides with exact comparisons: integer payoffs (ties included) make the sets
    # comparable at tol = 0. Three shapes, 2 to 4 players, one subprocess each.
    rng = np.random.default_rng(7)
    shapes = [(3, 4), (3, 2, 3), (3, 3, 3, 3)]
    for shape in shapes:
        payoffs = rng.integers(-2, 3, size=(*shape, len(shape))).astype(float)
        ours = mask_set(enumpure_batch(payoffs[None], 0.0)[0])
        assert ours == _gambit_pure(payoffs), shape


@pytest.mark.gambit
@pytest.mark.slow
@pytest.mark.parametrize("name", ["coord333.nfg", "coord3.nfg"])
def test_matches_gambit_on_its_reference_files(name):
    # Files from the Gambit project's contrib/games (tests/data/gambit/README.md).
    text = (DATA / name).read_text()
    expected = _gambit_pure(nfg_text=text)
    if name == "coord333.nfg":
        game = coord333()
    else:
        game = NormalFormGame.from_bimatrix([[3, 0, 0], [0, 2, 0], [0, 0, 1]],
                                            [[2, 0, 0], [0, 2, 0], [0, 0, 4]])
    assert pure_set(enumpure_solve(game)) == expected


@settings(max_examples=60, deadline=None)
@given(degenerate_games(), st.data())
def test_atol_is_each_players_largest_gain_in_payoff_units(game, data):
    # Reference: the definition (Nash 1951) read off the payoff array, a profile being kept when no
    # player gains more than its own atol by deviating, whatever the spread of its payoffs.
    from sim.solvers.pure import pure_equilibrium_mask

    n = game.n_players
    scale = data.draw(st.sampled_from([1e-12, 1.0, 1e9]))
    atol = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 3.0]), min_size=n, max_size=n))) * scale
    pay = game.payoffs * scale
    expected = np.ones(game.shape, dtype=bool)
    for i in range(n):
        best = pay[..., i].max(axis=i, keepdims=True)
        expected &= best - pay[..., i] <= atol[i]
    np.testing.assert_array_equal(pure_equilibrium_mask(pay[None], atol=atol)[0], expected)
    found = {e.pure_profile for e in enumpure_solve(NormalFormGame.from_payoffs(pay), atol=atol).equilibria}
    assert found == {tuple(int(k) for k in p) for p in np.argwhere(expected)}


def test_atol_of_the_wrong_length_or_sign_is_refused_by_name():
    from sim.solvers.pure import pure_equilibrium_mask

    with pytest.raises(SolverError, match=r"pure_equilibrium_mask\(\): atol must hold 2 finite non-negative "
                                          r"numbers, one per player; got \[1.0\]"):
        pure_equilibrium_mask(np.zeros((1, 2, 2, 2)), atol=[1.0])
    with pytest.raises(SolverError, match=r"got \[-1.0, 0.0\]"):
        pure_equilibrium_mask(np.zeros((1, 2, 2, 2)), atol=[-1.0, 0.0])


@pytest.mark.parametrize("atol", [[1.0], [-1.0, 0.0], [np.nan, 0.0], "abc", [[1.0, 2.0]]])
def test_a_bad_atol_is_refused_in_the_name_of_the_function_called(atol):
    from sim.solvers.stage import stage_equilibria

    game = NormalFormGame.from_payoffs(np.zeros((2, 2, 2)))
    for call, name in [(lambda: enumpure_solve(game, atol=atol), "enumpure_solve"),
                       (lambda: stage_equilibria(game, atol=atol), "stage_equilibria")]:
        with pytest.raises(SolverError, match=rf"^{name}\(\): atol must hold 2 finite non-negative numbers, "
                                              r"one per player; got "):
            call()
