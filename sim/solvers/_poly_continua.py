"""Continua of :func:`sim.solvers.poly.enumpoly_solve`: components of equilibria that are not isolated.

On a degenerate game a support's indifference system can have a positive-dimensional solution set
(a *continuum*, as in Nau, Gomez Canovas and Hansen 2004, "On the geometry of Nash equilibria and
correlated equilibria", International Journal of Game Theory 32). Homotopy end points there have a
rank-deficient Jacobian. :func:`find_continua` takes those end points (and the isolated equilibria,
whose unused best responses can open a continuum: Nau et al. 2004, section 6), finds real points of
the solution set by Gauss-Newton projection, and traces the equilibrium part of each component by
pseudo-arclength continuation (Allgower and Georg 2003, "Introduction to Numerical Continuation
Methods", SIAM, chapter 2) until a probability reaches zero or an unused action becomes
profitable. Both routes of ``enumpoly_solve`` use it; it works on the real systems of
:mod:`sim.solvers._poly_system`, with the axis conventions there.

A component is a dict: ``support`` (per player), ``dimension``, ``kind`` (``"segment"``,
``"curve"``, ``"closed curve"`` or ``"<d>-dimensional"``), ``ends`` (end points of the traces),
``point`` (a point on it) and ``trace`` (the traced points, a polyline).

Examples
--------
Player 0 is indifferent between its actions whatever player 1 does; player 1 matches the action
player 0 plays more often. With ``x`` player 0's probability of action 0, the equilibria are three
segments: ``x >= 1/2`` with player 1 on action 0, ``x = 1/2`` with player 1 mixing any way, and
``x <= 1/2`` with player 1 on action 1.

>>> from sim.game import NormalFormGame
>>> from sim.solvers.poly import enumpoly_solve
>>> g = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]])
>>> for c in sorted(enumpoly_solve(g).details["continua"], key=lambda c: c["support"]):
...     print(c["support"], c["kind"], sorted([[round(p, 3) for p in y[0]] for y in c["end_points"]]))
[[0, 1], [0]] segment [[0.5, 0.5], [1.0, 0.0]]
[[0, 1], [0, 1]] segment [[0.5, 0.5], [0.5, 0.5]]
[[0, 1], [1]] segment [[0.0, 1.0], [0.5, 0.5]]
"""

from __future__ import annotations

import numpy as np

from sim.game import deviation_payoffs
from sim.solvers._poly_system import feasible, real_paths, split, system

SAME_CURVE = 1e-3   # polyline distance under which two traced points lie on one component
#: Components :func:`find_continua` traces before it stops looking (``enumpoly_solve``'s default
#: ``max_continua``). Each component costs at most ``2 * dimension`` traces of at most 2,000 steps,
#: and yields up to ``2 * dimension + 1`` reported points; a game with payoffs all equal has a
#: component on every support (258 on a 3x3x2 game, 80 s), so without a limit the work and the
#: list of points grow with the number of support profiles.
MAX_CONTINUA = 64


def find_continua(model, profiles, found, singular, tol, rng, max_continua=MAX_CONTINUA):
    """Components of the equilibrium set met by a route's end points.

    Parameters
    ----------
    model : sim.solvers._poly_system.Model
    profiles : list
        The support profiles whose paths were tracked.
    found : list of numpy.ndarray
        The isolated equilibria found (stacked profiles).
    singular : dict
        Support index (into ``profiles``) -> real parts of its rank-deficient end points.
    tol : float
        Regret tolerance on the scaled payoffs.
    rng : numpy.random.Generator
        For random starting points on a support.
    max_continua : int
        Stop looking once this many distinct components are found (:data:`MAX_CONTINUA`).

    Returns
    -------
    continua : list of dict
        Distinct components, from the singular supports first, then those opened by unused best
        responses of an equilibrium; at most ``max_continua``.
    extra : list of numpy.ndarray
        Isolated equilibria met on the way (real points of a singular support that are isolated).
    stopped : bool
        True when the search stopped at ``max_continua`` components with supports or
        equilibria left unexamined (there may be more components, and isolated equilibria).
    """
    continua, extra = [], []
    singular_items = sorted(singular.items())
    for b, seeds in singular_items:
        if len(continua) >= max_continua:
            return continua, extra, True
        comps, iso = _continua_of_support(model, profiles[b], seeds, tol, rng)
        extra.extend(iso)
        for c in comps:
            if not any(_same_component(c, d) for d in continua):
                if len(continua) >= max_continua:
                    return continua, extra, True
                continua.append(c)
    # Degenerate ties: equilibria whose unused best responses open a continuum.
    for y in found + extra:
        if any(on_polyline(y, c["trace"], SAME_CURVE) for c in continua):
            continue
        if len(continua) >= max_continua:
            return continua, extra, True
        c = _extend(model, y, tol)
        if c is not None and not any(_same_component(c, d) for d in continua):
            continua.append(c)
    return continua, extra, False


def _project(model, rp, x, direction=None, iters=30, tol=1e-12):
    """Gauss-Newton (minimum-norm steps) onto the solution set; optionally orthogonal to a direction."""
    for _ in range(iters):
        F, J = system(model, rp, x)
        if not np.all(np.isfinite(F)):
            return x, False
        if np.abs(F).max() < tol:
            return x, True
        if direction is not None:
            J = np.vstack([J, direction])
            F = np.append(F, 0.0)
        step = np.linalg.lstsq(J, -F, rcond=1e-10)[0]
        x = x + step
    F, _ = system(model, rp, x)
    return x, bool(np.abs(F).max() < 1e-10)


def _null_space(model, rp, x, rel=1e-7):
    _, J = system(model, rp, x)
    _, sv, vt = np.linalg.svd(J)
    rank = int((sv > rel * max(sv[0], 1.0)).sum())
    return vt[rank:]




def _trace(model, rp, x0, v, tol, max_steps=2000):
    """Follow the solution curve from ``x0`` along ``v`` while it stays an equilibrium.

    Pseudo-arclength continuation: step along the tangent, correct orthogonally to it, and halve
    the step whenever the corrected point leaves the equilibrium set, so the last accepted point
    is within ``1e-10`` of the boundary. Returns the accepted points.
    """
    pts = [x0]
    x, s = x0, 0.05
    for _ in range(max_steps):
        y, conv = _project(model, rp, x + s * v, direction=v)
        if conv and feasible(model, y, tol):
            null = _null_space(model, rp, y)
            if null.shape[0] == 0:
                break  # the curve meets an isolated singular point: stop here
            w = null.T @ (null @ v)
            if np.linalg.norm(w) < 1e-12:
                break
            v = w / np.linalg.norm(w)
            x = y
            pts.append(x)
            if len(pts) > 3 and np.linalg.norm(x - x0) < 0.5 * s:
                break  # closed loop
            s = min(2 * s, 0.05)
        else:
            s *= 0.5
            if s < 1e-10:
                break
    return pts


def on_polyline(x, pts, tol=1e-6):
    """``x`` lies within ``tol`` of the polyline through the points ``pts``."""
    pts = np.asarray(pts)
    if len(pts) == 1:
        return np.linalg.norm(x - pts[0]) < tol
    a, b = pts[:-1], pts[1:]
    ab = b - a
    lam = np.clip(((x - a) * ab).sum(1) / np.maximum((ab * ab).sum(1), 1e-300), 0, 1)
    return float(np.linalg.norm(a + lam[:, None] * ab - x, axis=1).min()) < tol


def _component_from(model, rp, x, tol):
    """The component of the equilibrium set through a real solution ``x`` of system ``rp``.

    Returns ``None`` when ``x`` is isolated: the Jacobian has full rank, or it is rank deficient
    but a small nudge along the null space projects back onto ``x`` (an isolated singular root).
    """
    null = _null_space(model, rp, x)
    if null.shape[0] == 0:
        return None
    y, conv = _project(model, rp, x + 1e-3 * null[0], direction=null[0])
    if not conv or np.linalg.norm(y - x) < 5e-4:
        return None
    dim = null.shape[0]
    directions = [null[0], -null[0]] if dim == 1 else [sgn * row for row in null for sgn in (1, -1)]
    runs = [_trace(model, rp, x, v, tol) for v in directions]
    ends = [r[-1] for r in runs]
    if dim == 1:
        trace = runs[1][::-1] + runs[0][1:]
        a, b = ends
        if np.linalg.norm(a - b) < 1e-6:
            kind = "closed curve"
        else:
            kind = "segment" if _line_deviation(trace, a, b) < 1e-6 else "curve"
    else:
        trace = [x] + [p for r in runs for p in r[1:]]
        kind = f"{dim}-dimensional"
    support = tuple(tuple(int(a) for a in np.flatnonzero(v > 1e-7)) for v in split(model, x, clip=False))
    return {"support": support, "dimension": dim, "kind": kind, "ends": ends, "point": x,
            "trace": np.array(trace)}


def _continua_of_support(model, prof, seeds, tol, rng, n_random=4):
    """Components of the equilibrium set on support ``prof`` through real points near ``seeds``.

    ``seeds`` are real parts of rank-deficient homotopy end points; a few random points of the
    support's simplices are added because a complex point of a component can have its real part
    far from the component's real points.
    """
    rp = real_paths(model, prof)
    off, n = model.offsets, int(model.offsets[-1])
    starts = list(seeds)[:4]
    for _ in range(n_random):
        x = np.zeros(n)
        for j, s in enumerate(prof):
            x[off[j] + np.array(s)] = rng.dirichlet(np.ones(len(s)))
        starts.append(x)
    comps, isolated = [], []
    for x in starts:
        x, conv = _project(model, rp, x)
        if not conv or not feasible(model, x, tol):
            continue
        if any(on_polyline(x, c["trace"], SAME_CURVE) for c in comps) or any(np.linalg.norm(x - y) < 1e-7 for y in isolated):
            continue
        comp = _component_from(model, rp, x, tol)
        if comp is None:
            isolated.append(x)
        else:
            comps.append(comp)
    return comps, isolated


def _extend(model, x, tol):
    """A component leaving equilibrium ``x`` into unused best responses, or ``None``.

    In a degenerate game an equilibrium can have unused actions that are best responses too; the
    equilibria of the larger support ``T`` (all best responses) may then form a continuum with
    ``x`` at its boundary even when that support's system has no start solutions. Look for a
    direction in the null space of ``T``'s system that keeps the zero probabilities nonnegative
    (a small linear programme), and trace it.
    """
    off, n_players = model.offsets, len(model.shape)
    xs = split(model, x, clip=False)
    best = [tuple(int(a) for a in np.flatnonzero(v >= v.max() - 1e-9))
            for v in deviation_payoffs(model.payoffs, xs)]
    zero = [off[i] + a for i in range(n_players) for a in best[i] if xs[i][a] <= 1e-9]
    if not zero:
        return None
    # Imported only here: importing scipy.optimize costs about a second, and generic games (no
    # unused best responses) never get this far.
    from scipy.optimize import linprog

    rp = real_paths(model, tuple(best))
    null = _null_space(model, rp, x)
    if null.shape[0] == 0:
        return None
    k = null.shape[0]
    a_ub = -null.T[zero]
    # maximise the total increase of the zero probabilities, keeping each of them nonnegative
    res = linprog(a_ub.sum(axis=0), A_ub=a_ub, b_ub=np.zeros(len(zero)), bounds=[(-1, 1)] * k, method="highs")
    if res.status != 0 or -res.fun <= 1e-9:
        return None
    v = null.T @ res.x
    v /= np.linalg.norm(v)
    pts = _trace(model, rp, x, v, tol)
    if np.linalg.norm(pts[-1] - x) < 1e-6:
        return None
    mid, conv = _project(model, rp, pts[len(pts) // 2])
    if not conv or not feasible(model, mid, tol):
        return None
    return _component_from(model, rp, mid, tol)


def _line_deviation(pts, a, b):
    ab = b - a
    nrm = float(ab @ ab)
    if nrm < 1e-300:
        return max(float(np.linalg.norm(p - a)) for p in pts)
    return max(float(np.linalg.norm(a + ((p - a) @ ab) / nrm * ab - p)) for p in pts)


def _same_component(c, d):
    if c["support"] != d["support"]:
        return False
    ends = all(any(np.linalg.norm(a - b) < 1e-6 for b in d["ends"]) for a in c["ends"])
    return ends or on_polyline(c["point"], d["trace"], SAME_CURVE) or on_polyline(d["point"], c["trace"], SAME_CURVE)
