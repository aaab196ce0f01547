"""Geometry of payoff sets: hulls, clipping, the individually rational polygon, membership, frontiers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.geometry import (
    clip_halfplane, hull_2d, in_hull, ir_polygon, pareto_dominated, pareto_frontier_2d, polygon_area,
)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Coordinates on a grid of quarters (ties and collinear points are common) or continuous.
coords = st.one_of(st.integers(-12, 12).map(lambda k: k / 4),
                   st.floats(-10, 10, allow_nan=False, allow_subnormal=False))
points_2d = st.lists(st.tuples(coords, coords), min_size=1, max_size=12).map(lambda p: np.array(p, dtype=float))


def _left_of_every_edge(poly: np.ndarray, p: np.ndarray, tol: float = 1e-9) -> bool:
    """``p`` is on or left of every directed edge of a counter-clockwise polygon (so inside it)."""
    m = len(poly)
    if m < 3:
        return True
    for k in range(m):
        a, b = poly[k], poly[(k + 1) % m]
        cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        if cross < -tol * max(1.0, float(np.abs(poly).max())) ** 2:
            return False
    return True


def _signed_area(poly: np.ndarray) -> float:
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * float(x @ np.roll(y, -1) - y @ np.roll(x, -1))


# ----- known cases ------------------------------------------------------------------------------


def test_hull_of_a_square_with_inner_and_edge_points_is_its_corners():
    pts = [[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5], [0.5, 0], [1, 0.25]]
    assert hull_2d(pts).tolist() == [[0, 0], [1, 0], [1, 1], [0, 1]]
    assert polygon_area(hull_2d(pts)) == 1.0


def test_degenerate_hulls_are_a_point_or_a_segment():
    assert hull_2d([[1, 2], [1, 2]]).tolist() == [[1.0, 2.0]]
    assert hull_2d([[2, 2], [0, 0], [1, 1]]).tolist() == [[0.0, 0.0], [2.0, 2.0]]
    assert hull_2d(np.zeros((0, 2))).shape == (0, 2)


def test_ir_polygon_of_the_prisoners_dilemma():
    poly = ir_polygon([[3, 3], [0, 5], [5, 0], [1, 1]], [1, 1])
    np.testing.assert_allclose(poly, [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]])
    assert polygon_area(poly) == pytest.approx(20 / 3)
    assert ir_polygon([[3, 3], [0, 5], [5, 0], [1, 1]], [4, 4]).shape == (0, 2)


def test_clipping_a_segment_and_a_point():
    seg = np.array([[0.0, 0.0], [2.0, 2.0]])
    assert clip_halfplane(seg, 0, 1).tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert clip_halfplane(seg, 1, 3).shape == (0, 2)
    assert clip_halfplane([[1.0, 1.0]], 0, 1).tolist() == [[1.0, 1.0]]


def test_frontier_and_dominance_agree_on_a_known_set():
    pts = [[0, 0], [1, 0], [0, 1], [0.75, 0.75]]
    front = pareto_frontier_2d(pts, [0, 0])
    assert front.tolist() == [[0, 1], [0.75, 0.75], [1, 0]]
    assert not any(pareto_dominated(pts, p) for p in front)
    assert pareto_dominated(pts, [0.5, 0.5])


# ----- properties -------------------------------------------------------------------------------


@FAST
@example(np.array([(0.0, 0.0), (0.0, -0.25), (0.25, 0.0), (-3.7239615946704764e-247, 0.25)]))
@given(points_2d)
def test_hull_contains_every_input_point(pts):
    hull = hull_2d(pts)
    assert all(_left_of_every_edge(hull, p) for p in pts)
    # Its vertices are input points, counter-clockwise (positive signed area) when it has any area.
    assert all(np.any(np.all(pts == v, axis=1)) for v in hull)
    if len(hull) >= 3:
        assert _signed_area(hull) > 0


@FAST
@given(points_2d, st.randoms(use_true_random=False))
def test_hull_and_area_invariant_under_permutation_of_points(pts, rnd):
    order = list(range(len(pts)))
    rnd.shuffle(order)
    assert hull_2d(pts[order]).tolist() == hull_2d(pts).tolist()
    assert polygon_area(hull_2d(pts[order])) == pytest.approx(polygon_area(hull_2d(pts)), abs=1e-9)


@FAST
@given(points_2d, st.randoms(use_true_random=False))
def test_polygon_area_invariant_under_cyclic_shift_and_reversal(pts, rnd):
    hull = hull_2d(pts)
    k = rnd.randrange(max(len(hull), 1))
    a = polygon_area(hull)
    assert polygon_area(np.roll(hull, k, axis=0)) == pytest.approx(a, abs=1e-9)
    assert polygon_area(hull[::-1]) == pytest.approx(a, abs=1e-9)


@FAST
@given(st.lists(st.tuples(coords, coords, coords), min_size=1, max_size=8).map(np.array),
       st.lists(st.floats(0, 1), min_size=8, max_size=8))
def test_convex_combinations_are_in_the_hull_and_points_beyond_are_not(pts, raw):
    w = np.array(raw[:len(pts)]) + 1e-3
    w = w / w.sum()
    inside = w @ pts
    assert in_hull(pts, inside)
    assert in_hull(pts, inside - 1.0, dominate=True)  # below a hull point
    beyond = pts.max(axis=0) + 1.0  # above every point in every coordinate
    assert not in_hull(pts, beyond)
    assert not in_hull(pts, beyond, dominate=True)


@FAST
@given(points_2d, st.sampled_from([0, 1]), coords)
@example(np.array([[0.0, 0.0], [0.0, 9.449692024988093e-233]]), 0, 0.0)  # vertices merged by the clipping
def test_clipping_keeps_only_points_on_the_right_side(pts, axis, bound):
    hull = hull_2d(pts)
    clipped = clip_halfplane(hull, axis, bound)
    assert np.all(clipped[:, axis] >= bound - 1e-9)
    # Nothing is invented: every kept vertex lies in the original hull ...
    assert all(_left_of_every_edge(hull, p) for p in clipped)
    assert polygon_area(clipped) <= polygon_area(hull) + 1e-9
    # ... and every input point on the right side lies in what is kept.
    kept = hull_2d(clipped)
    for p in pts[pts[:, axis] >= bound + 1e-6]:
        assert _left_of_every_edge(kept, p, tol=1e-7)
    # A bound below everything keeps the hull as it is, up to merging vertices closer than 1e-12.
    same = clip_halfplane(hull, axis, float(pts[:, axis].min()) - 1.0)
    assert all(np.any(np.all(hull == v, axis=1)) for v in same)
    assert all(np.abs(same - v).max(axis=1).min() <= 1e-12 for v in hull)


@FAST
@given(points_2d, st.tuples(coords, coords).map(np.array))
def test_ir_polygon_is_nonempty_exactly_when_some_hull_point_dominates_the_floor(pts, floor):
    poly = ir_polygon(pts, floor)
    assert np.all(poly >= floor - 1e-9)
    # Generic floors only: a floor on the hull's boundary is decided by two different tolerances.
    scale = max(1.0, float(np.abs(pts).max()))
    if len(poly) == 0:
        assert not in_hull(pts, floor + 1e-6 * scale, dominate=True)
    else:
        assert in_hull(pts, floor - 1e-6 * scale, dominate=True)


@settings(max_examples=30, deadline=None)
@given(points_2d, st.tuples(coords, coords).map(np.array))
@example(np.array([(0.0, 0.0), (0.25, -2.3159036396928923e-271)]), np.array([0.0, 0.0]))
def test_frontier_points_are_undominated_and_ordered(pts, floor):
    front = pareto_frontier_2d(pts, floor)
    if len(front) == 0:
        return
    assert np.all(np.diff(front[:, 0]) > 0) and np.all(np.diff(front[:, 1]) < 0)
    for p in front:
        assert not pareto_dominated(pts, p)
