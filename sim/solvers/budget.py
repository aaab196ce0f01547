"""Work bounds of the exhaustive equilibrium searches, estimated before any enumeration starts.

An exhaustive search whose work grows exponentially with the game must be refused, not started,
when the game is too large: once started it cannot be stopped from inside a compiled kernel or
qhull. The bounds here depend only on the game's shape, so they cost nothing to compute.

* Two players (vertex enumeration, :func:`sim.solvers.mixed.enummixed_solve`): every route
  (compiled pivoting, qhull on the polar polytope, the exhaustive bases) produces every vertex of
  both best-response polytopes. For an ``m x n`` game the row player's polytope has dimension
  ``m`` and at most ``m + n`` facets, the column player's dimension ``n`` and the same facets.
  The upper bound theorem (McMullen 1970) caps the vertices of a ``d``-polytope with ``k`` facets
  at ``C(k - floor((d+1)/2), k - d) + C(k - floor((d+2)/2), k - d)`` (attained by the duals of
  cyclic polytopes; Ziegler 1995, section 8.4), for degenerate polytopes as well.
  :func:`bimatrix_vertex_bound` is the sum over both polytopes.
* More players (support enumeration, :func:`sim.solvers.poly.enumpoly_solve`): the number of
  support profiles, ``prod(2**n_i - 1)`` (:func:`support_profiles`).

Measured on random square games (one idle core, payoffs uniform): 12 x 12 (bound 49,504) in 0.1 s,
14 x 14 (bound 310,080) in 1.2 s by pivoting and 2.6 s by qhull; 16 x 16 (bound 1,961,256) is
beyond :data:`MAX_VERTICES`. Random games have far fewer vertices than the bound, so it is
pessimistic; a game at the bound (a dual cyclic polytope) costs it in full.

References
----------
P. McMullen (1970), "The maximum numbers of faces of a convex polytope", Mathematika 17, 179-184.
G. M. Ziegler (1995), Lectures on Polytopes, Springer, chapter 8.
"""

from __future__ import annotations

import math

#: Largest :func:`bimatrix_vertex_bound` for which :func:`sim.solvers.stage.stage_equilibria`
#: starts vertex enumeration; beyond it, one equilibrium by Lemke-Howson instead.
MAX_VERTICES = 400_000


def polytope_vertex_bound(dim: int, facets: int) -> int:
    """Most vertices a ``dim``-dimensional polytope with ``facets`` facets can have (McMullen 1970).

    Examples
    --------
    A square has 4 vertices; a 3-polytope with 6 facets at most 8 (the cube):

    >>> polytope_vertex_bound(2, 4), polytope_vertex_bound(3, 6)
    (4, 8)
    """
    dim, facets = int(dim), int(facets)
    if dim < 1 or facets < dim + 1:
        return max(0, int(dim >= 0))  # a point (dimension 0), or no polytope
    k = facets - dim
    return math.comb(facets - (dim + 1) // 2, k) + math.comb(facets - (dim + 2) // 2, k)


def bimatrix_vertex_bound(m: int, n: int) -> int:
    """Upper bound on the vertices of both best-response polytopes of an ``m x n`` game.

    Examples
    --------
    >>> bimatrix_vertex_bound(2, 2), bimatrix_vertex_bound(12, 12), bimatrix_vertex_bound(81, 256) > 10**50
    (8, 49504, True)
    """
    return polytope_vertex_bound(m, m + n) + polytope_vertex_bound(n, m + n)


def support_profiles(shape) -> int:
    """Number of support profiles ``prod(2**n_i - 1)`` that support enumeration may visit.

    Examples
    --------
    >>> support_profiles((3, 3, 3))
    343
    """
    return math.prod(2 ** int(n) - 1 for n in shape)


__all__ = ["MAX_VERTICES", "bimatrix_vertex_bound", "polytope_vertex_bound", "support_profiles"]
