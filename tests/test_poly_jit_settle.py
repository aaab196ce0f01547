"""Tests of the subdivision kernels of ``enumpoly``: :func:`sim.solvers._poly_jit_settle.settle` and
:func:`sim.solvers._poly_jit_prune.may_hold_equilibrium`.

Their cells must not change when the kernels are made faster: the tests compare ``settle`` with a
plain NumPy reading of it (every cell's tables copied whole, the exclusion pairs and tuples in
order) on generated games, and both kernels with fingerprints of their outputs on seeded games.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.game import unit_payoffs
from sim.generators import random_game
from sim.solvers import _poly_system as system
from tests.strategies import degenerate_games, games

TOL = 1e-7


def profiles_with_paths(u):
    """The support profiles ``enumpoly_solve`` passes to the subdivision: no action conditionally
    dominated, and start solutions for the homotopy."""
    from sim.solvers import poly

    return [p for p in poly._support_profiles(u, TOL) if system.assignments(tuple(len(s) - 1 for s in p))]


def reference_settle(u, profile, margin, max_depth, max_cells, k_width, k_cost, max_roots):
    """One support through the subdivision with the Krawczyk test, read plainly from the docstring
    of :func:`sim.solvers._poly_jit_settle.settle`: a stack of cells, each holding its own vertices
    and its own tables (player ``i``'s as a tensor over its own actions, support first, and the
    others' vertices), the children's tables made from copies of the parent's by averaging two
    slices, and the exclusion pairs scanned in order. Only the Krawczyk test itself is the
    kernel's (``_krawczyk``, tested on its own in ``tests/test_poly.py``). Returns status, number
    of roots, roots ``(max_roots, n)`` and the counts ``(5,)``."""
    from sim.solvers import _poly_jit_settle as kernel

    shape = u.shape[:-1]
    n_players = len(shape)
    k = np.array([len(s) for s in profile], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(shape)]).astype(np.int64)
    voff = np.concatenate([[0], np.cumsum(k - 1)]).astype(np.int64)
    m = int(voff[-1])
    big, m_max = int(np.prod(shape)), max(int(sum(shape)) - n_players, 1)
    tables = []
    for i in range(n_players):
        own = list(profile[i]) + [a for a in range(shape[i]) if a not in profile[i]]
        index = [profile[j] if j != i else own for j in range(n_players)]
        tables.append(np.moveaxis(u[..., i][np.ix_(*index)], i, 0).copy())
    gathered = np.zeros((n_players, big))
    glen = np.array([int(np.prod(np.delete(k, i))) for i in range(n_players)], dtype=np.int64)
    for i in range(n_players):
        gathered[i, :tables[i].size] = tables[i].ravel()
    work = tuple(np.zeros(m_max) for _ in range(8)) + tuple(np.zeros((m_max, m_max)) for _ in range(5)) \
        + (np.zeros(m_max, dtype=np.int64),) + tuple(np.zeros(big) for _ in range(4)) + (np.zeros(m_max),)
    active = [j for j in range(n_players) if k[j] > 1]
    roots = np.zeros((max_roots, offsets[-1]))
    stats = np.zeros(5, dtype=np.int64)
    vbox = []
    # a cell: (depth, last tested width, vertices per player (rows), tables per player)
    stack = [(0, np.inf, [np.eye(kj) for kj in k], tables)]
    tested = found = 0
    while stack:
        d, last_k, cells, tabs = stack.pop()
        tested += 1
        stats[0] += 1
        stats[4] = max(stats[4], d)
        if any(not np.any(tabs[i][b] - tabs[i][a] <= margin)
               for i in range(n_players) for b in range(shape[i]) for a in range(k[i]) if a != b):
            continue
        if not active:
            for j in range(n_players):
                roots[0, offsets[j] + profile[j][0]] = 1.0
            found = 1
            continue
        if k_width > 0.0:
            lo = np.array([cells[j][:, c].min() for j in range(n_players) for c in range(1, k[j])])
            hi = np.array([cells[j][:, c].max() for j in range(n_players) for c in range(1, k[j])])
            wmax = max([0.0, *(hi - lo)])
            if wmax <= k_width and wmax <= 0.75 * last_k:
                last_k = wmax
                if any(np.all(lo >= box_lo) and np.all(hi <= box_hi) for box_lo, box_hi in vbox):
                    continue
                cen = 0.5 * (lo + hi)
                lo, hi = np.minimum(lo, cen - 0.5 * wmax), np.maximum(hi, cen + 0.5 * wmax)
                tested += k_cost
                y = np.zeros(m_max)
                verdict = kernel._krawczyk(gathered, glen, k, m, voff, np.append(lo, np.zeros(m_max - m)),
                                           np.append(hi, np.zeros(m_max - m)), y, work)
                stats[1] += 1
                if verdict == 0:
                    stats[2] += 1
                    continue
                if verdict == 1:
                    free = [(offsets[j] + profile[j][c], voff[j] + c - 1) for j in range(n_players) for c in range(1, k[j])]
                    if any(max([0.0] + [abs(roots[f, a] - y[v]) for a, v in free]) < 1e-9 for f in range(found)):
                        continue
                    if found >= max_roots:
                        return 2, 0, roots, stats
                    vbox.append((work[0][:m].copy(), work[1][:m].copy()))
                    for j in range(n_players):
                        first = 1.0
                        for c in range(1, k[j]):
                            roots[found, offsets[j] + profile[j][c]] = y[voff[j] + c - 1]
                            first -= y[voff[j] + c - 1]
                        roots[found, offsets[j] + profile[j][0]] = first
                    found += 1
                    stats[3] += 1
                    continue
        if d >= max_depth or tested + 2 > max_cells:
            return 2, 0, roots, stats
        # the longest edge of any active player's simplex, the first among equals
        best, edge = -1.0, None
        for j in active:
            for p in range(k[j]):
                for q in range(p + 1, k[j]):
                    dist = 0.0
                    for c in range(k[j]):
                        dist += (cells[j][p, c] - cells[j][q, c]) ** 2
                    if dist > best:
                        best, edge = dist, (j, p, q)
        j, p, q = edge
        mid = 0.5 * (cells[j][p] + cells[j][q])
        children = []
        for replaced in (q, p):           # vertex q replaced first (tested last), then vertex p
            vertices = [c.copy() for c in cells]
            vertices[j][replaced] = mid
            tabs_child = []
            for i in range(n_players):
                t = tabs[i].copy()
                if i != j:
                    axis = 1 + (j if j < i else j - 1)
                    half = 0.5 * (np.take(tabs[i], p, axis) + np.take(tabs[i], q, axis))
                    index = [slice(None)] * t.ndim
                    index[axis] = replaced
                    t[tuple(index)] = half
                tabs_child.append(t)
            children.append((d + 1, last_k, vertices, tabs_child))
        stack.extend(children)
    return (1 if found else 0), found, roots, stats


@settings(max_examples=8, deadline=None)
@given(st.one_of(games(shape=(3, 3, 3)), games(shape=(2, 3, 4)), games(shape=(2, 2, 3, 2)),
                 degenerate_games(shape=(2, 3, 3)), games(min_players=2, max_players=4, max_actions=3)),
       st.sampled_from([300, 4000]))
def test_settle_equals_a_plain_reading_cell_for_cell(game, max_cells):
    """Same status, roots (bit for bit) and counts (cells, Krawczyk tests, cells they excluded,
    roots, deepest cell) as the plain NumPy reading, on every support with start solutions: the
    kernel's tables, changed in place or reordered for speed, hold the same values and reach the
    same verdicts, cell for cell. A small budget stops supports midway, with partial counts."""
    from sim.solvers import _poly_jit_settle as kernel
    from sim.solvers import poly

    u = unit_payoffs(game.payoffs)
    profiles = profiles_with_paths(u)
    if not profiles:
        return
    flat, offsets, sup_k, sup_acts, tail = poly._settle_arguments(u, profiles, TOL, max_cells=max_cells)
    status, n_roots, roots, stats = kernel.settle(*flat, offsets, sup_k, sup_acts, *tail)
    margin, max_depth, _, k_width, k_cost, max_roots = tail
    for b, p in enumerate(profiles):
        ref = reference_settle(u, p, margin, max_depth, max_cells, k_width, k_cost, max_roots)
        assert (status[b], n_roots[b]) == ref[:2], p
        np.testing.assert_array_equal(roots[b], ref[2], err_msg=str(p))
        np.testing.assert_array_equal(stats[b], ref[3], err_msg=str(p))


def fingerprint(*arrays) -> str:
    """A digest of arrays' dtypes, shapes and bytes (little-endian)."""
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
    return h.hexdigest()[:16]


# Recorded from the kernels before the in-place and reordering speed-ups: for each seeded game, the
# number of supports with start solutions, statuses counted (dropped, settled, kept), the counts
# of `settle` summed over supports, a fingerprint of status, number of roots, roots and counts,
# and the supports `may_hold_equilibrium` keeps (count and fingerprint), both at the default
# budgets.
RECORDED = {
    ((3, 3, 3, 3), 0): (809, [789, 20, 0], [364905, 3672, 2395, 19, 6584], "cc7dca6807785567", 20, "ce5bbbc101cfc8db"),
    ((3, 3, 3, 3), 1): (805, [785, 16, 4], [680026, 20830, 14216, 17, 7375], "7a4d11e7c0dde0c4", 24, "d7ba11f4fc347496"),
    ((4, 4, 4), 0): (839, [814, 9, 16], [445046, 1145, 730, 8, 7118], "964ea0a576616481", 26, "fe4f44415f6458a3"),
    ((4, 4, 4), 1): (792, [784, 7, 1], [112469, 276, 174, 8, 5228], "94ca8c4d7de286dc", 7, "d1c132dc6c1b72d0"),
    ((2, 2, 3, 2), 0): (36, [31, 5, 0], [972, 22, 18, 3, 166], "8cddd7527bfd6887", 5, "e98f2adb2b874022"),
}


@pytest.mark.parametrize("shape, seed", list(RECORDED))
def test_subdivision_outputs_equal_the_recorded_ones(shape, seed):
    """Every support of seeded games (hundreds of thousands of cells, Krawczyk tests, kept
    supports) gives the recorded outputs of both kernels, bit for bit."""
    from sim.solvers import poly

    u = unit_payoffs(random_game(shape, np.random.default_rng(seed)).payoffs)
    profiles = profiles_with_paths(u)
    status, roots, stats = poly._settle(u, profiles, TOL)
    keep = np.array(poly._may_hold_equilibrium(u, profiles, TOL))
    every_root = np.concatenate(roots) if roots else np.zeros(0)
    got = (len(profiles), np.bincount(status, minlength=3).tolist(), stats.sum(axis=0).tolist(),
           fingerprint(status, np.array([len(r) for r in roots]), every_root, stats), int(keep.sum()),
           fingerprint(keep))
    assert got == RECORDED[(shape, seed)]
