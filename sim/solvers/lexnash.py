"""Extreme equilibria of degenerate two-player games in exact arithmetic, as ``lrsnash`` finds them.

The best-response polytopes of ``(A, B)`` (payoffs made positive integers by
:func:`sim.solvers.lexvertices.integer_payoffs`) are, with labels as in :mod:`sim.solvers.mixed`::

    P = {x >= 0 : B^T x <= 1}   (labels 0..m-1: x_i = 0; m+j: column j a best reply)
    Q = {y >= 0 : A y <= 1}     (labels 0..m-1: row i a best reply; m+j: y_j = 0)

One polytope, the one of lower dimension (``P`` when ``m <= n``), is enumerated in full by
lexicographic pivoting (Avis 2000). For each of its vertices ``x`` but the origin, the labels not
tight at ``x`` must all be tight at a partner ``y``: those ``y`` are the vertices of the face of the
other polytope where the corresponding variables are zero, found by a phase-one simplex and a
lexicographic search of that face alone (Avis, Rosenberg, Savani and von Stengel 2010, section 5:
``lrsnash`` enumerates ``P`` and, per vertex, the complementary face of ``Q``). Every pair found is
an extreme equilibrium and every extreme equilibrium is found; no vertex of the second polytope
that has no partner is ever visited, which is what makes the reduced forms of game trees (a small
player against a large one, with many ties) tractable.

Arithmetic is exact: Edmonds' integer pivoting, compiled with int64 products while every tableau
entry stays below ``2**31``, with exact 128-bit products while every entry stays below ``2**62``,
and on Python integers past that (:mod:`sim.solvers._lex_jit`). Two bounds keep a search finite
and a refusal principled: ``max_bases`` lexicographic bases for the enumerated polytope and,
separately, for all the faces together; ``max_work`` tableau entries updated over the whole run
(the cost of a pivot is the size of its dictionary; in 128 bits each entry counts
``_lex_jit.WIDE_COST`` times, on Python integers :data:`PYTHON_COST` times).

References
----------
D. Avis (2000), "lrs: a revised implementation of the reverse search vertex enumeration
algorithm", in Kalai and Ziegler (eds.), Polytopes - Combinatorics and Computation, 177-198.
D. Avis, G. Rosenberg, R. Savani and B. von Stengel (2010), "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.errors import SolverError


#: An entry updated on Python integers is charged as this many int64 ones against ``max_work``
#: (object-array pivots and interpreted ratio tests are some fifty times slower), so that a game
#: whose entries pass the compiled kernels' bound (``2**62``) is refused within about the same
#: time as one that stays compiled.
PYTHON_COST = 50


@dataclass(frozen=True)
class LexNashResult:
    """Extreme equilibria found by :func:`lexnash_equilibria`.

    Attributes
    ----------
    xs, ys : (E, m), (E, n) float arrays
        Normalised strategies of each extreme equilibrium (correctly rounded exact rationals).
    degenerate : bool
        Some vertex has more tight labels than its dimension: exact when the second polytope was
        cheap enough to enumerate in full too (within half the work of the rest, at least
        10**7 tableau entries), else among the vertices visited (all of the enumerated polytope,
        those of the faces searched).
    enumerated : str
        "P" (the row player's strategies enumerated) or "Q".
    n_vertices : int
        Vertices of the enumerated polytope.
    bases, face_bases : int
        Lexicographic bases visited in the enumerated polytope and in all faces.
    work : int
        Tableau entries updated.
    python_ints : bool
        Whether some part ran on Python integers (an entry would have passed the compiled
        kernels' bound, ``_lex_jit.WIDE_LIMIT = 2**62``).
    """

    xs: np.ndarray
    ys: np.ndarray
    degenerate: bool
    enumerated: str
    n_vertices: int
    bases: int
    face_bases: int
    work: int
    python_ints: bool


class LexBoundError(SolverError):
    """A bound of :func:`lexnash_equilibria` was reached; ``bound`` names it ("bases" or "work")."""

    def __init__(self, message: str, bound: str, spent: int):
        super().__init__(message)
        self.bound = bound
        self.spent = spent


def _tableaux(Ai, Bi):
    """Slack-basis dictionaries, bases, non-basic variables and coordinate maps of P and Q."""
    m, n = Ai.shape
    N = m + n
    DP = np.zeros((n, m + 1), dtype=object)
    DP[:, :m] = Bi.T
    DP[:, m] = 1
    DQ = np.zeros((m, n + 1), dtype=object)
    DQ[:, :n] = Ai
    DQ[:, n] = 1
    zP = np.full(N, -1, np.int64)
    zP[:m] = np.arange(m)
    zQ = np.full(N, -1, np.int64)
    zQ[m:] = np.arange(n)
    return ((DP, np.arange(m, N, dtype=np.int64), np.arange(m, dtype=np.int64), zP, m),
            (DQ, np.arange(m, dtype=np.int64), np.arange(m, N, dtype=np.int64), zQ, n))


def _compiled(D):
    """``D`` as int64 when every entry is below ``2**31`` and the kernels' bound, else None.

    ``2**31`` (not the 128-bit bound ``WIDE_LIMIT``) keeps the phase-one objective row, a sum of
    rows of ``D``, exact in int64; the kernels then take it to 128 bits if need be.

    Made once per polytope: the slack-basis dictionary is the start of every face search of
    that polytope (``face_search`` does not change it), so the bound test and the conversion,
    which cost more than a small face's search, are not repeated per vertex.
    """
    from sim.solvers import _lex_jit

    bound = min(1 << 31, _lex_jit.WIDE_LIMIT)
    small = max((abs(int(v)) for v in D.ravel()), default=0) < bound
    return D.astype(np.int64) if small else None


def _run(poly, forced, max_bases, max_work, D64=None):
    """One ``face_search``: compiled when the entries fit, on Python integers otherwise.

    ``D64`` is :func:`_compiled` of the polytope's dictionary, when the caller has made it.
    """
    from sim.solvers import _lex_jit

    D, basis0, cob0, zindex, dim = poly
    if D64 is None:
        D64 = _compiled(D)
    spent = 0
    if D64 is not None:
        out = _lex_jit.face_search(D64, basis0, cob0, forced, zindex, dim, max_bases,
                                   max_work, *_limits())
        if out[0] != _lex_jit.OVERFLOW:
            return out, False
        spent = out[5]  # the int64 run up to its overflow is paid for too
    _, py_face = _python()
    out = py_face(D.copy(), basis0, cob0, forced, zindex, dim, max_bases,
                  (max_work - spent) // PYTHON_COST, None, None)
    return (*out[:5], spent + out[5] * PYTHON_COST), True


def _limits():
    """``(narrow, limit)`` of the compiled kernels: int64 products below ``INT64_LIMIT``, 128-bit
    ones up to ``WIDE_LIMIT`` (read at each call, so that a test may lower them)."""
    from sim.solvers import _lex_jit

    return min(_lex_jit.INT64_LIMIT, _lex_jit.WIDE_LIMIT), _lex_jit.WIDE_LIMIT


_PY = []


def _python():
    if not _PY:
        from sim.solvers import _lex_jit

        search, face = _lex_jit.python_kernels()
        # No entry bound on Python integers: the object pivot never reports one.
        _PY.append((search, face))
    return _PY[0]


def _words_to_labels(words: np.ndarray, N: int) -> np.ndarray:
    """Boolean ``(..., N)`` label sets from 63-bit words ``(..., ceil(N / 63))``.

    One array operation for all vertices at once (``words`` of shape ``(V, W)`` gives ``(V, N)``);
    bit ``v % 63`` of word ``v // 63`` is label ``v``.
    """
    v = np.arange(N)
    words = np.asarray(words, np.int64)
    return ((words[..., v // 63] >> (v % 63).astype(np.int64)) & 1).astype(np.bool_)


def lexnash_equilibria(A, B, max_bases: int = 2_000_000, max_work: int | None = None) -> LexNashResult:
    """All extreme equilibria of the two-player game ``(A, B)`` by exact lexicographic pivoting.

    Parameters
    ----------
    A, B : (m, n) arrays
        Payoffs of the row and the column player, read as rationals
        (:func:`sim.solvers.lexvertices.integer_payoffs`).
    max_bases : int
        Most lexicographic bases visited in the enumerated polytope, and in all faces together.
    max_work : int, optional
        Most tableau entries updated over the whole run (no bound when None).

    Returns
    -------
    LexNashResult

    Raises
    ------
    LexBoundError
        When a bound is reached; the message names it and what was spent.

    Examples
    --------
    Battle of the sexes with a tie: row's second strategy pays the same as the first against
    column's first, so that column strategy meets a segment of row strategies.

    >>> res = lexnash_equilibria(np.array([[1, 0], [1, 1]]), np.array([[1, 0], [1, 0]]))
    >>> sorted(map(tuple, res.xs.tolist())), res.degenerate
    ([(0.0, 1.0), (1.0, 0.0)], True)
    """
    from sim.solvers import _lex_jit
    from sim.solvers.lexvertices import integer_payoffs

    Ai, Bi = integer_payoffs(np.asarray(A, float)), integer_payoffs(np.asarray(B, float))
    m, n = Ai.shape
    N = m + n
    work_left = (1 << 62) if max_work is None else int(max_work)
    polyP, polyQ = _tableaux(Ai, Bi)
    first, second = (polyP, polyQ) if m <= n else (polyQ, polyP)
    d1, d2 = first[4], second[4]
    none = np.zeros(N, np.bool_)
    (status, masks, points, n_tight, bases, work), py1 = _run(first, none, max_bases, work_left)
    name = "P" if first is polyP else "Q"
    if status == _lex_jit.BASES:
        raise LexBoundError(
            f"lexnash_equilibria(): polytope {name} of this {m}x{n} game has more than "
            f"max_bases={max_bases:,} lexicographic bases", "bases", work)
    if status == _lex_jit.WORK:
        raise LexBoundError(
            f"lexnash_equilibria(): enumerating polytope {name} of this {m}x{n} game needs more than "
            f"{work_left:,} tableau entry updates", "work", work)
    total_work, face_bases, python_ints = work, 0, py1
    degenerate = bool(np.any(n_tight > d1))
    xs, ys = [], []  # per batch or face: indices of vertices of the first polytope, and partners
    # Per vertex, the face of the other polytope where its missing labels are forced tight; the
    # label sets of all vertices and the other polytope's int64 dictionary are made once.
    forced_all = ~_words_to_labels(masks, N)
    order = np.flatnonzero(points.any(axis=1))  # the origin pairs only with the origin: the
    D64 = _compiled(second[0])                  # artificial equilibrium, left out
    _, basis2, cob2, zindex2, _ = second
    pos = 0
    while pos < len(order):
        if D64 is not None:
            # The faces in one compiled call, up to the first that needs more than int64 or
            # reaches a bound; that one is run below on its own, as every face once was.
            done, fp, owner, tight, fb, fw = _lex_jit.faces_search(
                D64, basis2, cob2, forced_all, order[pos:], zindex2, d2, max_bases - face_bases,
                work_left - total_work, *_limits())
            total_work += fw
            face_bases += fb
            degenerate |= bool(tight > d2)
            xs.append(order[pos:][owner])
            ys.append(fp)
            pos += done
            if pos == len(order):
                break
        t = int(order[pos])
        pos += 1
        (st, fm, fp, ft, fb, fw), py2 = _run(second, forced_all[t], max_bases - face_bases,
                                             work_left - total_work, D64)
        total_work += fw
        python_ints |= py2
        if st == _lex_jit.EMPTY:
            continue
        face_bases += fb
        if st == _lex_jit.BASES:
            raise LexBoundError(
                f"lexnash_equilibria(): the faces of the other polytope of this {m}x{n} game have more "
                f"than max_bases={max_bases:,} lexicographic bases", "bases", total_work)
        if st == _lex_jit.WORK:
            raise LexBoundError(
                f"lexnash_equilibria(): this {m}x{n} game needs more than {work_left:,} tableau entry "
                f"updates ({t} of the {len(masks):,} vertices of polytope {name} paired)", "work", total_work)
        degenerate |= bool(np.any(ft > d2))
        partners = fp[fp.any(axis=1)]  # the face's vertices but the origin, in the order found
        xs.append(np.full(len(partners), t, np.intp))
        ys.append(partners)
    if not degenerate:
        # Degeneracy may sit at a vertex of the second polytope that no face reached: enumerate
        # it in full when that is cheap (within half the work so far, at least 10**7
        # entries), else the flag says only what was seen.
        check = min(work_left - total_work, max(10**7, total_work // 2))
        (st, _, _, ft, _, fw), py3 = _run(second, none, max_bases, check, D64)
        total_work += fw
        python_ints |= py3
        if st == _lex_jit.OK:
            degenerate = bool(np.any(ft > d2))
    X = np.asarray(points, dtype=float)[np.concatenate(xs)] if xs else np.zeros((0, d1))
    Y = np.concatenate(ys).astype(float, copy=False).reshape(-1, d2) if ys else np.zeros((0, d2))
    if name == "Q":
        X, Y = Y, X
    return LexNashResult(X, Y, degenerate, name, len(masks), bases, face_bases, total_work, python_ints)
