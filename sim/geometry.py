"""Geometry of payoff sets: convex hulls, half-plane clipping, hull membership, Pareto frontiers.

The feasible payoffs of a game or a bargaining problem are the convex hull of finitely many payoff
vectors (lotteries over outcomes); the individually rational part keeps the points at or above a
floor (minmax values, a disagreement point). This module holds the geometry both
:mod:`sim.repeated` and :mod:`sim.bargaining` draw on.

Axis conventions: a set of payoff vectors is a ``(K, n)`` array (point axis, then player axis);
a point or a floor is ``(n,)``. The planar functions (``hull_2d``, ``clip_halfplane``,
``ir_polygon``, ``polygon_area``, ``pareto_frontier_2d``) take ``n == 2`` and return polygon
vertices as ``(M, 2)`` arrays, counter-clockwise unless said otherwise. ``in_hull`` and
``pareto_dominated`` work in any dimension by linear programming.

Sources: the monotone-chain hull (Andrew 1979, "Another efficient algorithm for convex hulls in
two dimensions", IPL 9); clipping against one half-plane (axis-aligned, or any line) is one stage of Sutherland and Hodgman
(1974, "Reentrant polygon clipping", CACM 17); the area is the shoelace formula.

Examples
--------
The prisoner's dilemma's payoff vectors, the part at least (1, 1), and its area:

>>> pd = [[3, 3], [0, 5], [5, 0], [1, 1]]
>>> poly = ir_polygon(pd, [1, 1])
>>> poly.round(3).tolist()
[[1.0, 1.0], [4.333, 1.0], [3.0, 3.0], [1.0, 4.333]]
>>> round(polygon_area(poly), 4)
6.6667
>>> in_hull(pd, [2, 2]), in_hull(pd, [4, 4]), in_hull(pd, [-1, -1], dominate=True)
(True, False, True)
"""

from __future__ import annotations

import numpy as np

#: Absolute tolerance of :func:`clip_halfplane` (a vertex within it of the bound is kept).
CLIP_TOL = 1e-9
#: Orientation tolerance of :func:`hull_2d`: a turn with a smaller cross product is not a corner.
HULL_TOL = 1e-12


def hull_2d(points) -> np.ndarray:
    """Vertices of the convex hull of 2-D points, counter-clockwise from the lowest-leftmost.

    Andrew's (1979) monotone chain. Collinear points are not vertices; one or two distinct points
    come back as they are (sorted), so a degenerate hull is a point or a segment.

    Parameters
    ----------
    points : array (K, 2)

    Returns
    -------
    array (M, 2)
        ``M <= K`` distinct vertices; ``(0, 2)`` for no points.

    Examples
    --------
    >>> hull_2d([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5], [0.5, 0]]).tolist()
    [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
    """
    pts = sorted({(float(x), float(y)) for x, y in np.asarray(points, dtype=float).reshape(-1, 2)})
    if len(pts) <= 2:
        return np.array(pts, dtype=float).reshape(-1, 2)

    def not_left(o, a, b):
        # ``a`` is no vertex between ``o`` and ``b``: a right turn (or collinear), or a left turn
        # within HULL_TOL with ``a`` between them. A nearly collinear ``a`` beyond ``b`` stays:
        # it is an end of the chain, and dropping it loses an extreme point.
        c = (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
        if c <= 0:
            return True
        return c <= HULL_TOL and (a[0] - o[0]) * (b[0] - a[0]) + (a[1] - o[1]) * (b[1] - a[1]) >= 0

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and not_left(lower[-2], lower[-1], p):
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and not_left(upper[-2], upper[-1], p):
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], dtype=float)


def clip_halfplane(poly, axis: int, bound: float) -> np.ndarray:
    """The part of a convex polygon with ``x[axis] >= bound`` (one Sutherland-Hodgman stage).

    Works for degenerate polygons (a point, a segment). Vertices within :data:`CLIP_TOL` below
    the bound count as inside; consecutive vertices closer than ``1e-12`` are merged.

    Parameters
    ----------
    poly : array (M, 2)
        Vertices in order (either orientation).
    axis : {0, 1}
    bound : float

    Returns
    -------
    array (M', 2)
        The clipped polygon's vertices in the same orientation; empty when nothing is left.

    Examples
    --------
    >>> square = [[0, 0], [2, 0], [2, 2], [0, 2]]
    >>> clip_halfplane(square, 0, 1).tolist()
    [[1.0, 0.0], [2.0, 0.0], [2.0, 2.0], [1.0, 2.0]]
    """
    poly = np.asarray(poly, dtype=float).reshape(-1, 2)
    if len(poly) == 0:
        return poly
    if len(poly) == 1:
        return poly if poly[0, axis] >= bound - CLIP_TOL else poly[:0]
    out = []
    n = len(poly)
    for k in range(n if n > 2 else 1):
        p, q = poly[k], poly[(k + 1) % n]
        pin, qin = p[axis] >= bound - CLIP_TOL, q[axis] >= bound - CLIP_TOL
        if pin:
            out.append(p)
        if pin != qin:
            t = (bound - p[axis]) / (q[axis] - p[axis])
            out.append(p + t * (q - p))
        if n == 2 and qin:
            out.append(q)
    if not out:
        return poly[:0]
    out = np.array(out)
    # Drop repeated points the clipping can create.
    keep = [0] + [k for k in range(1, len(out)) if np.abs(out[k] - out[k - 1]).max() > 1e-12]
    out = out[keep]
    if len(out) > 1 and np.abs(out[0] - out[-1]).max() <= 1e-12:
        out = out[:-1]
    return out


def clip_linear(poly, normal, offset: float) -> np.ndarray:
    """The part of a convex polygon with ``normal . x + offset >= 0`` (one Sutherland-Hodgman stage
    against any line; :func:`clip_halfplane` is the axis-aligned case).

    Vertices within :data:`CLIP_TOL` (relative to the normal's length) outside count as inside.

    Examples
    --------
    >>> square = [[0, 0], [2, 0], [2, 2], [0, 2]]
    >>> clip_linear(square, [1, -1], 0).tolist()  # x >= y
    [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0]]
    """
    poly = np.asarray(poly, dtype=float).reshape(-1, 2)
    normal = np.asarray(normal, dtype=float)
    if len(poly) == 0:
        return poly
    side = poly @ normal + float(offset)
    inside = side >= -CLIP_TOL * max(1.0, float(np.abs(normal).max()))
    if inside.all():
        return poly
    if len(poly) == 1 or not inside.any():
        return poly[:0]
    out = []
    n = len(poly)
    for k in range(n if n > 2 else 1):
        j = (k + 1) % n
        if inside[k]:
            out.append(poly[k])
        if inside[k] != inside[j]:
            t = side[k] / (side[k] - side[j])
            out.append(poly[k] + t * (poly[j] - poly[k]))
        if n == 2 and inside[j]:
            out.append(poly[j])
    out = np.array(out)
    keep = [0] + [k for k in range(1, len(out)) if np.abs(out[k] - out[k - 1]).max() > 1e-12]
    out = out[keep]
    if len(out) > 1 and np.abs(out[0] - out[-1]).max() <= 1e-12:
        out = out[:-1]
    return out


def ir_polygon(points, floor) -> np.ndarray:
    """Vertices (counter-clockwise) of ``conv(points) ∩ {u >= floor}`` for 2-D payoff vectors.

    Empty ``(0, 2)`` when the hull has no individually rational point.

    Examples
    --------
    >>> ir_polygon([[3, 3], [0, 5], [5, 0], [1, 1]], [1, 1]).round(3).tolist()
    [[1.0, 1.0], [4.333, 1.0], [3.0, 3.0], [1.0, 4.333]]
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    floor = np.asarray(floor, dtype=float)
    poly = hull_2d(points)
    for axis in (0, 1):
        poly = clip_halfplane(poly, axis, float(floor[axis]))
    if len(poly) > 2:
        poly = hull_2d(poly)  # restore the counter-clockwise order from the lowest-leftmost point
    return poly


def polygon_area(poly) -> float:
    """Area of a simple polygon from its vertices in order (shoelace formula); 0 below 3 vertices.

    Examples
    --------
    >>> polygon_area([[0, 0], [2, 0], [0, 1]])
    1.0
    """
    poly = np.asarray(poly, dtype=float).reshape(-1, 2)
    if len(poly) < 3:
        return 0.0
    x, y = poly[:, 0], poly[:, 1]
    return 0.5 * abs(float(x @ np.roll(y, -1) - y @ np.roll(x, -1)))


def in_hull(points, target, dominate: bool = False) -> bool:
    """Whether ``target`` lies in ``conv(points)``, or with ``dominate``, weakly below some point of it.

    One feasibility linear program over the lottery weights (HiGHS), in any dimension; the
    answer carries the solver's feasibility tolerance (about 1e-7 relative).

    Parameters
    ----------
    points : array (K, n)
    target : array (n,)
    dominate : bool
        Test ``target <= p`` for some ``p`` in the hull (the comprehensive hull) instead of
        membership.

    Examples
    --------
    >>> in_hull([[1, 0], [0, 1]], [0.5, 0.5]), in_hull([[1, 0], [0, 1]], [0.25, 0.25])
    (True, False)
    >>> in_hull([[1, 0], [0, 1]], [0.25, 0.25], dominate=True)
    True
    """
    from scipy.optimize import linprog

    points = np.asarray(points, dtype=float)
    target = np.asarray(target, dtype=float)
    k = points.shape[0]
    if dominate:
        res = linprog(np.zeros(k), A_ub=-points.T, b_ub=-target, A_eq=np.ones((1, k)), b_eq=[1.0],
                      bounds=[(0, None)] * k, method="highs")
    else:
        res = linprog(np.zeros(k), A_eq=np.r_[points.T, np.ones((1, k))], b_eq=np.r_[target, 1.0],
                      bounds=[(0, None)] * k, method="highs")
    return bool(res.status == 0)


def pareto_dominated(points, p) -> bool:
    """Whether some point of ``conv(points)`` weakly dominates ``p`` with a positive total gain.

    One linear program: the largest sum of utilities among hull points at least ``p``; ``p`` is
    dominated when it exceeds ``sum(p)`` by more than ``1e-9`` of the payoff scale.

    Examples
    --------
    >>> pareto_dominated([[2, 2], [0, 3]], [1, 1]), pareto_dominated([[2, 2], [0, 3]], [2, 2])
    (True, False)
    """
    from scipy.optimize import linprog

    points = np.asarray(points, dtype=float)
    p = np.asarray(p, dtype=float)
    k = points.shape[0]
    scale = max(1.0, float(np.abs(points).max()))
    res = linprog(-points.sum(axis=1), A_ub=-points.T, b_ub=-p, A_eq=np.ones((1, k)), b_eq=[1.0],
                  bounds=[(0, None)] * k, method="highs")
    return bool(res.status == 0 and -res.fun - p.sum() > 1e-9 * scale)


def pareto_frontier_2d(points, floor) -> np.ndarray:
    """Strict Pareto frontier of ``conv(points) ∩ {u >= floor}`` for 2-D payoff vectors.

    The chain of vertices from the best point for player 2 to the best point for player 1 (ties
    broken towards the other player), ordered by increasing first coordinate and ready to draw; a
    single point when the frontier is a point; ``(0, 2)`` when nothing is individually rational.

    Examples
    --------
    >>> pareto_frontier_2d([[0, 0], [1, 0], [0, 1], [0.75, 0.75]], [0, 0]).tolist()
    [[0.0, 1.0], [0.75, 0.75], [1.0, 0.0]]
    """
    poly = ir_polygon(points, floor)
    if len(poly) == 0:
        return poly.reshape(0, 2)
    m = len(poly)
    # The best vertex for each player, with ties within the hull's tolerance broken towards the
    # other player: a vertex a denormal below another on one axis is no better on it.
    tol = HULL_TOL * max(1.0, float(np.abs(poly).max()))
    top = max((k for k in range(m) if poly[k, 1] >= poly[:, 1].max() - tol), key=lambda k: (poly[k, 0], poly[k, 1]))
    right = max((k for k in range(m) if poly[k, 0] >= poly[:, 0].max() - tol), key=lambda k: (poly[k, 1], poly[k, 0]))
    # The polygon is counter-clockwise, so walking clockwise from ``top`` reaches ``right``
    # along the upper-right boundary.
    chain, k = [poly[top]], top
    while k != right:
        k = (k - 1) % m
        chain.append(poly[k])
    return np.array(chain)


__all__ = ["CLIP_TOL", "HULL_TOL", "clip_halfplane", "hull_2d", "in_hull", "ir_polygon", "pareto_dominated",
           "pareto_frontier_2d", "polygon_area"]
