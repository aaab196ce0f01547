"""The lrsnash-style exact route (``sim.solvers.lexnash``, kernels in ``sim.solvers._lex_jit``):
against the exhaustive route and the pure-Python lexicographic vertex enumeration of both
polytopes, each extreme equilibrium certified (exactly in rationals on small games), the Python
integer fallback equal to the compiled kernels, the faces exactly the vertices with those labels,
and the extreme equilibria of corpus reduced forms equal to lrsnash's (reference files)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SolverError
from sim.game import NormalFormGame
from sim.solvers import _lex_jit, mixed
from sim.solvers.lexnash import LexBoundError, lexnash_equilibria
from sim.solvers.lexvertices import integer_payoffs, lex_vertices
from sim.solvers.mixed import enummixed_solve
from tests.test_lexvertices import brute_force_vertices, degenerate_bimatrix_games

REFERENCE = Path(__file__).parent / "data" / "extreme-equilibria"
TREES = Path(__file__).parent / "data" / "gambit"


def pair_set(xs, ys, digits=7):
    return {tuple(np.round(np.concatenate([x, y]), digits) + 0.0) for x, y in zip(xs, ys)}


def by_both_polytopes(A, B):
    """Extreme equilibria from the pure-Python enumeration of every vertex of P and of Q."""
    Ai, Bi = integer_payoffs(A), integer_payoffs(B)
    m, n = Ai.shape
    xm, xp, _ = lex_vertices(np.ascontiguousarray(Bi.T), np.array([1] * n, dtype=object), False)
    ym, yp, _ = lex_vertices(Ai, np.array([1] * m, dtype=object), True)
    full = (1 << (m + n)) - 1
    xs, ys = [], []
    for mx, (nx, _) in zip(xm, xp):
        for my, (ny, _) in zip(ym, yp):
            if (mx | my) == full and sum(nx) and sum(ny):
                xs.append([Fraction(v, sum(nx)) for v in nx])
                ys.append([Fraction(v, sum(ny)) for v in ny])
    return np.array(xs, float).reshape(-1, m), np.array(ys, float).reshape(-1, n)


@st.composite
def tied_games(draw, max_actions=6):
    """Larger degenerate games than the exhaustive route allows quickly: payoffs in 0..2, with
    repeated rows and columns, a zero column, and row or column counts up to ``max_actions``."""
    m, n = draw(st.integers(1, max_actions)), draw(st.integers(1, max_actions))
    vals = st.integers(0, 2)
    A = np.array(draw(st.lists(st.lists(vals, min_size=n, max_size=n), min_size=m, max_size=m)), float)
    B = np.array(draw(st.lists(st.lists(vals, min_size=n, max_size=n), min_size=m, max_size=m)), float)
    if m > 1 and draw(st.booleans()):
        A[-1], B[-1] = A[0], B[0]
    if n > 1 and draw(st.booleans()):
        A[:, -1], B[:, -1] = A[:, 0], B[:, 0]
    if draw(st.booleans()):
        B[:, draw(st.integers(0, n - 1))] = 0.0
    return A, B


@settings(max_examples=60, deadline=None)
@given(tied_games())
def test_lexnash_equals_the_enumeration_of_both_polytopes(game):
    A, B = game
    res = lexnash_equilibria(A, B)
    assert pair_set(res.xs, res.ys) == pair_set(*by_both_polytopes(A, B))
    assert len(pair_set(res.xs, res.ys)) == len(res.xs)  # each extreme equilibrium once


@settings(max_examples=60, deadline=None)
@given(tied_games(max_actions=5))
def test_both_polytope_orders_give_the_same_equilibria(game):
    # m <= n enumerates P and pairs faces of Q; the transposed game enumerates the other way.
    A, B = game
    res = lexnash_equilibria(A, B)
    swapped = lexnash_equilibria(B.T, A.T)
    assert pair_set(res.xs, res.ys) == pair_set(swapped.ys, swapped.xs)
    if A.shape[0] != A.shape[1]:
        assert res.enumerated != swapped.enumerated


def exact_equilibrium(A, B, x, y):
    """Whether the rationals nearest the floats ``x, y`` are exactly a Nash equilibrium of the
    integer game (the payoffs are small integers, so the vertices' denominators are small)."""
    xq = [Fraction(v).limit_denominator(10**6) for v in x]
    yq = [Fraction(v).limit_denominator(10**6) for v in y]
    if sum(xq) != 1 or sum(yq) != 1 or min(xq) < 0 or min(yq) < 0:
        return False
    m, n = len(xq), len(yq)
    row = [sum(Fraction(int(A[i][j])) * yq[j] for j in range(n)) for i in range(m)]
    col = [sum(Fraction(int(B[i][j])) * xq[i] for i in range(m)) for j in range(n)]
    return (all(row[i] == max(row) for i in range(m) if xq[i] > 0)
            and all(col[j] == max(col) for j in range(n) if yq[j] > 0))


@settings(max_examples=80, deadline=None)
@given(degenerate_bimatrix_games())
def test_every_extreme_equilibrium_is_exactly_an_equilibrium(game):
    A, B = game.payoffs[..., 0], game.payoffs[..., 1]
    res = lexnash_equilibria(A, B)
    assert len(res.xs), "every finite game has an equilibrium"
    Ai, Bi = integer_payoffs(A), integer_payoffs(B)  # the same game up to positive affine maps
    for x, y in zip(res.xs, res.ys):
        assert exact_equilibrium(Ai, Bi, x, y)


@settings(max_examples=80, deadline=None)
@given(degenerate_bimatrix_games())
def test_lex_route_has_the_exhaustive_routes_maximal_subsets(game):
    lex = enummixed_solve(game, vertices="lex")
    bases = enummixed_solve(game, vertices="bases")

    def subsets(result):
        prof = [tuple(np.round(np.concatenate(e.profile), 7) + 0.0) for e in result.equilibria]
        return {frozenset(prof[t] for t in s) for s in result.details["maximal_subsets"]}

    assert subsets(lex) == subsets(bases)
    for eq in lex.equilibria:
        assert eq.max_regret <= 1e-9 * game.payoff_scale


@settings(max_examples=40, deadline=None)
@given(tied_games(max_actions=5), st.integers(2, 64))
def test_python_integers_take_over_past_the_int64_bound_with_the_same_answer(game, limit):
    # A tiny entry bound makes the compiled kernels stop at once with OVERFLOW (or not at all
    # when every entry stays under it); the Python-integer kernels must then give the same set.
    A, B = game
    res = lexnash_equilibria(A, B)
    old = _lex_jit.WIDE_LIMIT
    try:
        _lex_jit.WIDE_LIMIT = limit
        low = lexnash_equilibria(A, B)
    finally:
        _lex_jit.WIDE_LIMIT = old
    assert pair_set(low.xs, low.ys) == pair_set(res.xs, res.ys)
    assert low.degenerate == res.degenerate


def one_face_search_per_vertex(A, B, max_bases=2_000_000, max_work=None):
    """``lexnash_equilibria``'s pairing as one ``face_search`` call per vertex, each checked on
    its own: ``(xs, ys, degenerate, face_bases, work, python_ints)``, or the bound error's
    ``(message, bound, spent)``. The reference for the batched kernel ``faces_search``."""
    from sim.solvers import lexnash

    Ai, Bi = integer_payoffs(np.asarray(A, float)), integer_payoffs(np.asarray(B, float))
    m, n = Ai.shape
    N = m + n
    work_left = (1 << 62) if max_work is None else int(max_work)
    polyP, polyQ = lexnash._tableaux(Ai, Bi)
    first, second = (polyP, polyQ) if m <= n else (polyQ, polyP)
    d1, d2 = first[4], second[4]
    (status, masks, points, n_tight, _, work), py = lexnash._run(first, np.zeros(N, np.bool_), max_bases,
                                                                 work_left)
    if status != _lex_jit.OK:
        return None  # the first polytope's bounds are not the batched kernel's business
    total, face_bases, degenerate, xs, ys = work, 0, bool(np.any(n_tight > d1)), [], []
    for t in range(len(masks)):
        if not points[t].any():
            continue
        forced = np.array([not (int(masks[t][v // 63]) >> (v % 63)) & 1 for v in range(N)], np.bool_)
        (st_, _, fp, ft, fb, fw), py2 = lexnash._run(second, forced, max_bases - face_bases, work_left - total)
        total += fw
        py |= py2
        if st_ == _lex_jit.EMPTY:
            continue
        face_bases += fb
        if st_ in (_lex_jit.BASES, _lex_jit.WORK):
            return "bases" if st_ == _lex_jit.BASES else "work", total
        degenerate |= bool(np.any(ft > d2))
        for u in range(len(fp)):
            if fp[u].any():
                xs.append(points[t])
                ys.append(fp[u])
    X, Y = np.array(xs, float).reshape(-1, d1), np.array(ys, float).reshape(-1, d2)
    return (Y, X) if first is polyQ else (X, Y), degenerate, face_bases, total, py


@settings(max_examples=60, deadline=None)
@given(tied_games(max_actions=6), st.sampled_from([None, 8, 64, 1024]), st.integers(50, 5000),
       st.integers(1, 60))
def test_the_batched_face_searches_equal_one_call_per_face(game, limit, max_work, max_bases):
    # All faces go to the compiled kernel in one call, which stops before a face that overflows
    # int64 or reaches a bound and leaves it to the per-face path. The pairs, their order, the
    # flag and the counts must be those of one face_search call per vertex; a small WIDE_LIMIT
    # makes faces overflow part-way through the batch, small bounds stop it part-way.
    A, B = game
    old = _lex_jit.WIDE_LIMIT
    try:
        if limit is not None:
            _lex_jit.WIDE_LIMIT = limit
        for kw in ({}, {"max_work": max_work}, {"max_bases": max_bases}):
            ref = one_face_search_per_vertex(A, B, **kw)
            if ref is None:
                continue
            try:
                res = lexnash_equilibria(A, B, **kw)
            except LexBoundError as exc:
                assert not isinstance(ref[0], tuple) and (exc.bound, exc.spent) == ref, (kw, ref)
                assert "faces" in str(exc) or "paired" in str(exc)
                continue
            assert isinstance(ref[0], tuple), (kw, ref)
            (X, Y), degenerate, face_bases, total, py = ref
            assert res.xs.shape == X.shape and res.ys.shape == Y.shape
            assert np.array_equal(res.xs, X) and np.array_equal(res.ys, Y)
            assert res.face_bases == face_bases
            if degenerate:  # else the full check of the second polytope may add to both
                assert res.degenerate and res.work == total
            assert res.work >= total and (res.python_ints or not py)
    finally:
        _lex_jit.WIDE_LIMIT = old


def test_payoffs_past_int64_run_on_python_integers():
    # Payoffs with 7 decimals become integers near 10**7: the 4x4 minors (near 10**28) pass the
    # compiled kernels' bound, 2**62.
    rng = np.random.default_rng(7)
    A = np.round(rng.uniform(0, 1, (4, 4)), 7)
    B = np.round(rng.uniform(0, 1, (4, 4)), 7)
    B[:, 1] = B[:, 0]  # a tie: degenerate
    res = lexnash_equilibria(A, B)
    assert res.python_ints
    bases = enummixed_solve(NormalFormGame.from_bimatrix(A, B), vertices="bases")
    assert pair_set(res.xs, res.ys, 6) == {tuple(np.round(np.concatenate(e.profile), 6) + 0.0)
                                           for e in bases.equilibria}


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.data())
def test_a_face_search_finds_exactly_the_vertices_with_those_labels(k, dim, data):
    M = np.array(data.draw(st.lists(st.lists(st.integers(0, 3), min_size=dim, max_size=dim),
                                    min_size=k, max_size=k)), dtype=np.int64)
    M[:, np.all(M == 0, axis=0)] = 1
    N = dim + k
    forced = np.array(data.draw(st.lists(st.booleans(), min_size=N, max_size=N)), dtype=np.bool_)
    D = np.ones((k, dim + 1), np.int64)
    D[:, :dim] = M
    zindex = np.full(N, -1, np.int64)
    zindex[:dim] = np.arange(dim)
    status, masks, points, _, _, _ = _lex_jit.face_search(
        D, np.arange(dim, N, dtype=np.int64), np.arange(dim, dtype=np.int64), forced, zindex, dim,
        10**6, 10**12, _lex_jit.INT64_LIMIT, _lex_jit.WIDE_LIMIT)
    # Brute force: vertices of {z >= 0 : M z <= 1} where every forced label is tight.
    expected = set()
    for z in brute_force_vertices(M.astype(object), np.ones(k, dtype=object)):
        slack = [1 - sum(int(M[i, j]) * z[j] for j in range(dim)) for i in range(k)]
        tight = [z[j] == 0 for j in range(dim)] + [s == 0 for s in slack]
        if all(t for t, f in zip(tight, forced) if f):
            expected.add(tuple(z))
    if not expected:
        assert status == _lex_jit.EMPTY
        return
    assert status == _lex_jit.OK
    # The kernel reports points over their sum; compare directions (and the origin as zeros).
    def direction(z):
        s = sum(z)
        return tuple(round(float(v / s), 9) for v in z) if s else tuple(0.0 for _ in z)

    assert {tuple(np.round(p, 9)) for p in points} == {direction(z) for z in expected}
    assert len(masks) == len(expected)


def test_bounds_are_refusals_that_name_them():
    game = NormalFormGame.from_bimatrix(np.ones((4, 4)), np.ones((4, 4)))
    with pytest.raises(LexBoundError, match="max_bases=3 lexicographic bases") as info:
        lexnash_equilibria(np.ones((4, 4)), np.ones((4, 4)), max_bases=3)
    assert info.value.bound == "bases"
    with pytest.raises(LexBoundError, match="more than 100 tableau entry updates") as info:
        lexnash_equilibria(np.ones((4, 4)), np.ones((4, 4)), max_work=100)
    assert info.value.bound == "work" and info.value.spent <= 100
    with pytest.raises(SolverError, match="max_bases=3"):
        enummixed_solve(game, vertices="lex", max_bases=3)


def test_auto_refuses_at_the_work_bound(monkeypatch):
    rng = np.random.default_rng(3)
    game = NormalFormGame.from_bimatrix(rng.integers(0, 3, (9, 27)).astype(float), np.zeros((9, 27)))
    monkeypatch.setattr(mixed, "AUTO_LEX_WORK", 20_000)
    with pytest.raises(SolverError, match="AUTO_LEX_WORK=20,000 tableau entry updates") as info:
        enummixed_solve(game)
    assert "vertices='lex', max_bases=" in str(info.value) and "lcp_solve" in str(info.value)
    assert info.value.__cause__.spent <= 20_000


def test_more_than_63_labels_go_to_the_exact_route():
    # 3 x 70 with repeated columns: degenerate, 73 labels, no qhull.
    rng = np.random.default_rng(5)
    A = rng.integers(0, 3, (3, 70)).astype(float)
    B = rng.integers(0, 3, (3, 70)).astype(float)
    result = enummixed_solve(NormalFormGame.from_bimatrix(A, B))
    assert result.details["vertex_method"] == "lex"
    for eq in result.equilibria:
        assert eq.max_regret <= 1e-12
    res = lexnash_equilibria(A, B)
    assert pair_set(res.xs, res.ys) == pair_set(*by_both_polytopes(A, B))


# ----- reference answers: extreme equilibria of corpus reduced forms, checked with lrsnash ----------
def read_reference(path):
    """Rows ``(x, y)`` of exact rationals from a reference file (see its folder's README)."""
    out = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        left, right = line.split("|")
        out.append(([Fraction(v) for v in left.split()], [Fraction(v) for v in right.split()]))
    return out


# A few CPU seconds with the reduced form and the certification (more under load): slow.
SLOW_REFERENCES = {"e16", "tim", "caro2", "nim7"}
REFERENCE_GAMES = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW_REFERENCES else name
                   for name in sorted(p.stem for p in REFERENCE.glob("*.txt"))]


def test_the_reference_files_are_there():
    names = {p.stem for p in REFERENCE.glob("*.txt")}
    assert {"bcp2", "bcp3", "bcp4", "2smp", "w_ex2", "work3", "e16", "tim"} <= names, names


@pytest.mark.parametrize("name", REFERENCE_GAMES)
def test_corpus_reduced_form_has_the_reference_extreme_equilibria(name):
    from sim.formats.efg import read_efg

    game = read_efg(TREES / f"{name}.efg").reduced_normal_form()
    result = enummixed_solve(game)
    ref = read_reference(REFERENCE / f"{name}.txt")
    ours = {tuple(np.round(np.concatenate(e.profile), 9) + 0.0) for e in result.equilibria}
    theirs = {tuple(np.round([float(v) for v in x + y], 9) + 0.0) for x, y in ref}
    assert len(ref) == len(theirs) == len(result.equilibria)
    assert ours == theirs
    for eq in result.equilibria:
        assert eq.max_regret <= 1e-9 * game.payoff_scale
