"""The exact 128-bit arithmetic of the compiled lexicographic kernels (``sim.solvers._lex_jit``):
each helper against Python integers on generated values and their extremes, the pivot against the
object-array pivot on dictionaries whose entries grow past ``2**31`` and past the bound (the bound
test exact at its edge), the 128-bit route of whole searches equal to the int64 one, and games
whose entries pass ``2**31`` (tim) or ``2**62`` solved exactly by the right route."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.game import NormalFormGame
from sim.solvers import _lex_jit
from sim.solvers.lexnash import lexnash_equilibria
from sim.solvers.mixed import enummixed_solve
from tests.test_lexnash import pair_set, read_reference, tied_games

REFERENCE = Path(__file__).parent / "data" / "extreme-equilibria"
TREES = Path(__file__).parent / "data" / "gambit"

I63 = (1 << 63) - 1
EDGES = [0, 1, -1, 2, -2, 3, (1 << 31) - 1, 1 << 31, -(1 << 31), (1 << 62) - 1, -((1 << 62) - 1), 1 << 62,
         -(1 << 62), I63, -I63, (1 << 32) - 1, (1 << 32) + 1]
int64s = st.one_of(st.integers(-I63, I63), st.sampled_from(EDGES),
                   st.builds(lambda e, s: s * (1 << e), st.integers(0, 62), st.sampled_from([1, -1])))


def signed(hi, lo):
    """The Python integer of a two's complement 128-bit ``(hi, lo)``."""
    v = (int(hi) << 64) | int(lo)
    return v - (1 << 128) if v >> 127 else v


def u64(pair):
    """A pair of words back as uint64 (a compiled function returns them as Python integers)."""
    return tuple(np.uint64(w) for w in pair)


def words(v):
    """``(hi, lo)`` uint64 words of a signed 128-bit Python integer."""
    v &= (1 << 128) - 1
    return np.uint64(v >> 64), np.uint64(v & ((1 << 64) - 1))


@settings(max_examples=400, deadline=None)
@given(int64s, int64s)
def test_products_are_exact_in_128_bits(a, b):
    assert signed(*_lex_jit._smul(np.int64(a), np.int64(b))) == a * b
    ua, ub = a % (1 << 64), b % (1 << 64)  # every uint64, the top bit included
    hi, lo = _lex_jit._umul(np.uint64(ua), np.uint64(ub))
    assert (int(hi) << 64 | int(lo)) == ua * ub


@settings(max_examples=400, deadline=None)
@given(int64s, int64s, int64s, int64s)
def test_differences_signs_and_magnitudes_of_products(a, b, c, d):
    exact = a * b - c * d
    hi, lo = u64(_lex_jit._sub128(*u64(_lex_jit._smul(np.int64(a), np.int64(b))),
                                  *u64(_lex_jit._smul(np.int64(c), np.int64(d)))))
    assert signed(hi, lo) == exact
    assert _lex_jit._sign128(hi, lo) == (exact > 0) - (exact < 0)
    assert _lex_jit._cross_sign(np.int64(a), np.int64(b), np.int64(c), np.int64(d)) == (exact > 0) - (exact < 0)
    ah, al = u64(_lex_jit._abs128(hi, lo))
    assert (int(ah) << 64 | int(al)) == abs(exact)
    y = abs(c * d)
    assert _lex_jit._ult128(ah, al, *words(y)) == (abs(exact) < y)


@settings(max_examples=400, deadline=None)
@given(st.integers(-(1 << 126), 1 << 126), st.integers(0, 63))
def test_the_quotient_bits_are_the_shifted_value(n, shift):
    got = _lex_jit._bits64(*words(n), shift)
    want = (n >> shift) & ((1 << 64) - 1)
    assert int(got) % (1 << 64) == want


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.integers(1, (1 << 126) - 1), st.sampled_from([1, 2, (1 << 53) - 1, 1 << 53, (1 << 53) + 1,
                                                                  (1 << 64) - 1, 1 << 64, (1 << 126) - 1])),
       st.data())
def test_coordinates_are_correctly_rounded(total, data):
    # a / T with 0 <= a <= T, a an int64 right-hand side: Python's int / int is correctly rounded.
    a = data.draw(st.one_of(st.integers(0, min(total, I63)), st.sampled_from([0, 1, min(total, I63)])))
    assert _lex_jit._ratio(np.int64(a), *words(total)) == a / total


def random_dictionary(rng, k, C, bits):
    D = rng.integers(-(1 << bits), 1 << bits, size=(k, C), dtype=np.int64)
    D[rng.random((k, C)) < 0.2] = 0
    return D


@settings(max_examples=150, deadline=None)
@given(st.integers(2, 6), st.integers(2, 7), st.integers(1, 30), st.integers(0, 2**32 - 1),
       st.sampled_from([1, 1 << 8, 1 << 31]))
def test_the_pivot_equals_python_integers_and_its_bound_is_exact(k, C, bits, seed, narrow):
    # Pivots on random positions: the entries (minors of the start) grow past 2**31 and past
    # 2**62. While the dictionary is within WIDE_LIMIT, the compiled pivot must give the object
    # pivot's dictionary and the right width; at each step a bound just above the new largest
    # magnitude must pass and one equal to it must be reported (the test |N| < det * limit).
    rng = np.random.default_rng(seed)
    D = random_dictionary(rng, k, C, bits)
    P = D.astype(object)
    det, wide = 1, _lex_jit._width(D, 1, narrow, _lex_jit.WIDE_LIMIT)
    for _ in range(12):
        nz = np.argwhere(P != 0)
        if len(nz) == 0:
            return
        row, col = nz[rng.integers(len(nz))]
        Q = P.copy()
        qdet, _ = _lex_jit._pivot_object(Q, det, row, col, None, None, None)
        old_max = max(max(abs(int(v)) for v in P.ravel()), det)
        new_max = max(max(abs(int(v)) for v in Q.ravel()), qdet)
        for limit, expect_over in ((new_max + 1, False), (new_max, True)):
            if limit > _lex_jit.WIDE_LIMIT or limit <= old_max or (expect_over and new_max <= old_max):
                continue
            n = min(narrow, limit)
            w0 = _lex_jit._width(D, det, n, limit)
            T = D.copy()
            tdet, width = _lex_jit._pivot(T, det, row, col, n, limit, w0 == 1)
            if expect_over:
                assert width == 2, (limit, new_max)
            else:
                assert width == (1 if new_max >= n else 0), (width, new_max, n)
                assert tdet == qdet and np.array_equal(T.astype(object), Q)
        if new_max >= _lex_jit.WIDE_LIMIT:
            return
        D, det = Q.astype(np.int64), qdet
        P = Q
        wide = _lex_jit._width(D, det, narrow, _lex_jit.WIDE_LIMIT)
        assert wide == (1 if new_max >= narrow else 0)


@settings(max_examples=40, deadline=None)
@given(tied_games(max_actions=5), st.integers(1, 64))
def test_the_128_bit_route_gives_the_int64_routes_answer(game, narrow):
    # A tiny INT64_LIMIT sends the kernels to 128-bit products (ratio tests, pivots, coordinates)
    # at once; the extreme equilibria, their order and the flags must be those of int64.
    A, B = game
    res = lexnash_equilibria(A, B)
    old = _lex_jit.INT64_LIMIT
    try:
        _lex_jit.INT64_LIMIT = narrow
        wide = lexnash_equilibria(A, B)
    finally:
        _lex_jit.INT64_LIMIT = old
    assert np.array_equal(wide.xs, res.xs) and np.array_equal(wide.ys, res.ys)
    assert (wide.degenerate, wide.n_vertices, wide.bases, wide.face_bases) == (
        res.degenerate, res.n_vertices, res.bases, res.face_bases)
    assert not wide.python_ints and not res.python_ints
    assert wide.work >= res.work  # a 128-bit pivot is charged WIDE_COST times


def test_entries_past_2_31_stay_compiled_and_past_2_62_go_to_python_integers():
    # Payoffs with 5 decimals become integers near 10**5: 2x2 minors pass 2**31, but 3x3 ones
    # stay below 6 * 10**15 < 2**62, so a 3x3 game runs in 128 bits, not on Python integers.
    # With 7 decimals, the 4x4 minors (near 10**28) pass 2**62: Python integers.
    rng = np.random.default_rng(11)
    for size, decimals, python in ((3, 5, False), (4, 7, True)):
        A = np.round(rng.uniform(0, 1, (size, size)), decimals)
        B = np.round(rng.uniform(0, 1, (size, size)), decimals)
        B[:, 1] = B[:, 0]  # a tie: degenerate
        res = lexnash_equilibria(A, B)
        assert res.python_ints == python, (size, decimals)
        bases = enummixed_solve(NormalFormGame.from_bimatrix(A, B), vertices="bases")
        assert pair_set(res.xs, res.ys, 6) == {tuple(np.round(np.concatenate(e.profile), 6) + 0.0)
                                               for e in bases.equilibria}
        old = _lex_jit.WIDE_LIMIT
        try:  # the same game with the 128-bit route barred: Python integers, the same answer
            _lex_jit.WIDE_LIMIT = 1 << 31
            low = lexnash_equilibria(A, B)
        finally:
            _lex_jit.WIDE_LIMIT = old
        assert low.python_ints
        assert np.array_equal(low.xs, res.xs) and np.array_equal(low.ys, res.ys)


@pytest.mark.slow
def test_tim_runs_compiled_in_128_bits_with_the_reference_equilibria():
    # tim's reduced form (6x64) has dictionary entries past 2**31 but below 2**62.
    from sim.formats.efg import read_efg

    game = read_efg(TREES / "tim.efg").reduced_normal_form()
    A, B = game.payoffs[..., 0], game.payoffs[..., 1]
    res = lexnash_equilibria(A, B)
    assert not res.python_ints
    ref = read_reference(REFERENCE / "tim.txt")
    theirs = {tuple(np.round([float(v) for v in x + y], 9) + 0.0) for x, y in ref}
    assert len(res.xs) == len(ref) == len(theirs)
    assert pair_set(res.xs, res.ys, 9) == theirs
