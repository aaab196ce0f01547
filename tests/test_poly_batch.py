"""``enumpoly_batch`` (a batch of games, support profile by support profile) against ``enumpoly_solve``
point by point, and equilibrium events along a grid.

The reference for every decided point is ``enumpoly_solve`` on that point's game: the same
equilibria (count, supports, probabilities within 1e-6), in the same order. The grids are random
affine families of random games ``u(t) = U0 + t U1`` (and two-parameter ones), some with small
integer payoffs and integer grid steps so that grid points hit ties and equilibria that merge
(the degenerate points must be left undecided, never answered differently).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers.poly import enumpoly_solve
from sim.solvers.poly_batch import REASONS, enumpoly_batch


def _pointwise(pay):
    r = enumpoly_solve(NormalFormGame.from_payoffs(pay))
    return [np.concatenate([np.asarray(s, dtype=float) for s in e.profile]) for e in r.equilibria]


def assert_same_as_pointwise(pay, batch):
    """Every decided point of ``batch`` has exactly ``enumpoly_solve``'s equilibria, in its order."""
    for b in np.flatnonzero(batch.decided):
        want = _pointwise(pay[b])
        got = [np.concatenate([s[e] for s in batch.strategies]) for e in np.flatnonzero(batch.point == b)]
        assert len(got) == len(want), (b, got, want)
        for x, y in zip(got, want):
            np.testing.assert_allclose(x, y, atol=1e-6)
            assert np.array_equal(x > 1e-9, y > 1e-9)
    assert set(np.flatnonzero(batch.decided)) == set(range(len(pay))) - set(batch.undecided.tolist())
    assert all(REASONS[k] for k in batch.reason[~batch.decided])


@st.composite
def grid_families(draw):
    """A batch of games on a grid of one or two parameters, affine in them."""
    n_players = draw(st.integers(2, 4))
    shape = tuple(draw(st.lists(st.integers(2, 3 if n_players == 2 else 2), min_size=n_players, max_size=n_players)))
    integer = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    size = (*shape, n_players)
    if integer:   # small integers and integer steps: exact ties at grid points
        base = rng.integers(-2, 3, size=size).astype(float)
        slopes = [rng.integers(-1, 2, size=size).astype(float) for _ in range(2)]
        values = np.arange(-2.0, 3.0)
    else:
        base = rng.normal(size=size)
        slopes = [rng.normal(size=size) for _ in range(2)]
        values = np.linspace(-1.0, 1.0, 5)
    two = draw(st.booleans())
    ts = np.array([(a, c) for a in values for c in (values[::2] if two else [0.0])])
    pay = base[None] + ts[:, 0].reshape(-1, *[1] * len(size)) * slopes[0] + ts[:, 1].reshape(-1, *[1] * len(size)) * slopes[1]
    return pay


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grid_families())
def test_batch_equals_point_by_point_on_random_grids(pay):
    batch = enumpoly_batch(pay)
    assert_same_as_pointwise(pay, batch)


def test_batch_decides_most_generic_points():
    """The batch is not vacuous: on generic bimatrix and 2x2x2 families most points are decided
    (and equal to the point-by-point answer)."""
    rng = np.random.default_rng(3)
    for shape in [(3, 3, 2), (2, 2, 2, 3)]:
        base, slope = rng.normal(size=shape), rng.normal(size=shape)
        t = np.linspace(-1, 1, 12)
        pay = base[None] + t.reshape(-1, *[1] * len(shape)) * slope
        batch = enumpoly_batch(pay)
        assert batch.decided.mean() >= 0.5, [REASONS[k] for k in batch.reason]
        assert_same_as_pointwise(pay, batch)


def _coordination(t):
    """Row: T/L pays t, B/R pays 1; column: 1 on the diagonal. For t > 0 three equilibria (T,L),
    (B,R) and the mixed one with the column on L with probability 1 / (1 + t); as t falls to 0 the
    mixed equilibrium merges into (T, L) and both vanish for t < 0."""
    t = np.asarray(t, dtype=float)
    pay = np.zeros((len(t), 2, 2, 2))
    pay[:, 0, 0, 0] = t
    pay[:, 0, 0, 1] = 1.0
    pay[:, 1, 1] = 1.0
    return pay


def test_known_merge_is_left_undecided_and_answered_around_it():
    t = np.array([-0.5, -1e-9, 0.0, 1e-9, 0.5])
    batch = enumpoly_batch(_coordination(t))
    assert np.bincount(batch.point, minlength=5).tolist() == [1, 0, 0, 0, 3]
    assert [REASONS[k] for k in batch.reason] == ["", "tie", "tie", "tie", ""]
    mixed = [s for s, p in zip(batch.strategies[1], batch.point) if p == 4 and 0 < s[0] < 1]
    np.testing.assert_allclose(mixed, [[1 / 1.5, 1 - 1 / 1.5]])
    assert_same_as_pointwise(_coordination(t), batch)


def test_three_players_polynomial_supports_left_undecided():
    """A 2x2x2 game with a totally mixed equilibrium (three players mix: a polynomial system) is
    left to enumpoly_solve, unless the subdivision test excludes that support."""
    rng = np.random.default_rng(11)
    found = False
    for _ in range(40):
        pay = rng.normal(size=(1, 2, 2, 2, 3))
        full = [e for e in _pointwise(pay[0]) if (e > 1e-9).all()]
        batch = enumpoly_batch(pay)
        if full:
            found = True
            assert not batch.decided[0] and REASONS[batch.reason[0]] == "polynomial"
        assert_same_as_pointwise(pay, batch)
    assert found


def test_bad_shape_is_named():
    with pytest.raises(SolverError, match=r"enumpoly_batch\(\): payoffs must be \(B, n_0"):
        enumpoly_batch(np.zeros((2, 2, 2)))
    with pytest.raises(SolverError, match="at least 2 players"):
        enumpoly_batch(np.zeros((2, 3, 1)))


def test_empty_batch():
    r = enumpoly_batch(np.zeros((0, 2, 3, 2)))
    assert r.point.shape == (0,) and [s.shape for s in r.strategies] == [(0, 2), (0, 3)] and not r.decided.size


def test_refused_shapes_and_nonfinite_points_are_left_undecided():
    pay = np.zeros((2, 2, 2, 2))
    pay[0, 0, 0] = np.nan
    batch = enumpoly_batch(pay, max_support_profiles=1)
    assert [REASONS[k] for k in batch.reason] == ["refused", "refused"]


# ----- events along a grid ------------------------------------------------------------------------------
def test_events_bracket_the_known_merge():
    """The merge of the coordination family at t = 0: exactly the cells around it are reported,
    as a merge walking up from t < 0 ... read upwards: two equilibria appear between -0.5 and 0.5."""
    import pandas as pd

    from analysis.sweep.events import grid_events

    t = np.array([-1.0, -0.5, 0.5, 1.0])
    rows = []
    for p, pay in enumerate(_coordination(t)):
        r = enumpoly_solve(NormalFormGame.from_payoffs(pay, players=("A", "B"), actions=(("T", "B"), ("L", "R"))))
        from analysis.render import outcome_label
        for e in r.equilibria:
            rows.append({"point_id": p, "method": "enumpoly", "n_equilibria": len(r.equilibria),
                         "outcome": outcome_label(r.game, e)})
    ev = grid_events(pd.DataFrame(rows), [("t", t)])
    assert ev[["from", "to", "n_from", "n_to", "kind"]].values.tolist() == [[-0.5, 0.5, 1, 3, "appear"]]
    assert ev["gained"].iloc[0] == "A=T, B=L; A=T|B, B=L|R"
    down = grid_events(pd.DataFrame(rows).assign(point_id=lambda d: 3 - d["point_id"]), [("t", t[::-1])])
    assert down["kind"].tolist() == ["merge"] and down["lost"].iloc[0] == "A=T, B=L; A=T|B, B=L|R"


def test_events_on_a_two_axis_grid_name_the_axis():
    import pandas as pd

    from analysis.sweep.events import grid_events

    # 2x3 grid, last axis fastest: the count changes only along "b" between its values 1 and 2.
    n = {0: 1, 1: 1, 2: 3, 3: 1, 4: 1, 5: 3}
    rows = [{"point_id": p, "method": "m", "n_equilibria": k, "outcome": f"x{j}"} for p, k in n.items() for j in range(k)]
    ev = grid_events(pd.DataFrame(rows), [("a", [0.0, 1.0]), ("b", [0.0, 1.0, 2.0])])
    assert ev[["axis", "point_from", "point_to", "kind"]].values.tolist() == [["b", 1, 2, "appear"], ["b", 4, 5, "appear"]]


def test_threads_change_no_answer(monkeypatch):
    """The compiled test is split over threads by points: the same answers as in one thread."""
    import sim.solvers.poly_batch as pb

    rng = np.random.default_rng(5)
    base, slope = rng.integers(-2, 3, size=(2, 2, 3, 3)).astype(float), rng.normal(size=(2, 2, 3, 3))
    pay = base[None] + np.linspace(-1, 1, 600).reshape(-1, 1, 1, 1, 1) * slope
    runs = []
    for threads in (1, 2):
        monkeypatch.setattr(pb, "_THREADS", threads)
        r = enumpoly_batch(pay)
        runs.append((r.point, np.concatenate(r.strategies, axis=1), r.reason))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
