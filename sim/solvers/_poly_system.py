"""The support systems of :func:`sim.solvers.poly.enumpoly_solve` in NumPy, shared by its two routes.

Axis conventions are those of :mod:`sim.solvers.poly`: payoffs ``(n_0, ..., n_{N-1}, N)``, a profile
stacked into one vector ``x`` of length ``n = n_0 + ... + n_{N-1}`` (player 0 first, player ``j``
from ``offsets[j]``), a batch of such vectors (one per homotopy path) an array ``(P, n)``.

What is here
------------
* The start system's combinatorics: :func:`player_supports` (the supports of one player) and
  :func:`assignments` (the start solutions of the linear-product start system, counted by the
  multihomogeneous Bezout number: Morgan and Sommese 1987; McKelvey and McLennan 1997).
* :class:`Model` (scaled payoffs, random start data, contraction plans) and :class:`Paths` (the
  role of each row of each path's system), then :func:`evaluate`: the homotopy
  ``H = (1 - t) * gamma * G + t * F`` on the indifference rows of a support profile (McKelvey and
  McLennan 1996, section 6), with its Jacobian and ``t``-derivative, for a batch of points padded
  to the full profile length.
* Real points: :func:`real_paths` (a support's system with the charts "probabilities sum to one"),
  :func:`system`, :func:`regret`, :func:`feasible` and :func:`split`.

The NumPy reference route (:mod:`sim.solvers._poly_reference`) tracks its paths with
:func:`evaluate`; the continuum analysis (:mod:`sim.solvers._poly_continua`) of both routes works on
the real systems. The compiled route evaluates the same homotopy in
:mod:`sim.solvers._poly_jit_track`, tested against :func:`evaluate`.

Examples
--------
The game of matching pennies, scaled to payoffs in [0, 1]: the support ``((0, 1), (0, 1))`` has
one start solution, and its indifference system vanishes at the mixed equilibrium.

>>> import numpy as np
>>> u = np.zeros((2, 2, 2))
>>> u[0, 0] = u[1, 1] = [1, 0]
>>> u[0, 1] = u[1, 0] = [0, 1]
>>> assignments((1, 1))
((1, 0),)
>>> model = Model.build(u, np.random.default_rng(0))
>>> values, jacobian = system(model, real_paths(model, ((0, 1), (0, 1))), np.full(4, 0.5))
>>> values.tolist(), feasible(model, np.full(4, 0.5), 1e-9)
([0.0, 0.0, 0.0, 0.0], True)
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim.game import deviation_payoffs

PROB_TOL = 1e-9        # a probability this far below zero is round-off, not a negative probability
IMAG_TOL = 1e-7        # imaginary parts below this (relative) count as real
SINGULAR_COND = 1e9    # Jacobian condition number beyond which an end point is treated as singular
MAX_STEPS = 4000


def player_supports(n: int) -> list[tuple[int, ...]]:
    """Every nonempty subset of ``range(n)``, smallest first (the supports of one player)."""
    return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]



@lru_cache(maxsize=None)
def assignments(d: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Start solutions of the linear-product start system for unknown counts ``d``.

    Equation ``e`` of player ``i`` is a product of one linear form per other player ``j``; a start
    solution picks, for every equation, the factor that vanishes, so that each player ``j`` gets
    exactly ``d[j]`` equations (then its strategy is fixed by them and its chart). The number of
    such assignments is the multihomogeneous Bezout number.
    """
    owners = [i for i, k in enumerate(d) for _ in range(k)]
    out = []
    need = list(d)

    def rec(e, chosen):
        if e == len(owners):
            out.append(tuple(chosen))
            return
        i = owners[e]
        for j in range(len(d)):
            if j != i and need[j] > 0:
                need[j] -= 1
                chosen.append(j)
                rec(e + 1, chosen)
                chosen.pop()
                need[j] += 1

    rec(0, [])
    return tuple(out)



@dataclass
class Model:
    """Payoffs, random start data and the einsum plans shared by every path."""

    shape: tuple[int, ...]
    offsets: np.ndarray
    payoffs: np.ndarray    # (n_0, ..., n_{N-1}, N), scaled to [0, 1]
    lin: dict              # (i, j) -> complex (n_i, n_j): the start system's linear forms
    gamma: complex
    plans: dict            # (i, j) -> (payoffs of i with axes (i, j, others...), the others)
    eyes: list             # identity matrices, one per player
    flat: dict             # (i, j) -> plans[i, j][0] as a matrix (n_last, rest), for BLAS

    @classmethod
    def build(cls, u: np.ndarray, rng: np.random.Generator) -> "Model":
        shape = u.shape[:-1]
        n_players = len(shape)
        offsets = np.concatenate([[0], np.cumsum(shape)]).astype(int)
        plans = {}
        for i in range(n_players):
            for j in range(n_players):
                if i != j:
                    # payoffs of i with axes ordered (i, j, others...), as a contiguous real array
                    others = [k for k in range(n_players) if k not in (i, j)]
                    plans[i, j] = (np.ascontiguousarray(np.transpose(u[..., i], [i, j, *others])), others)
        lin = {
            (i, j): rng.normal(size=(shape[i], shape[j])) + 1j * rng.normal(size=(shape[i], shape[j]))
            for i in range(n_players) for j in range(n_players) if i != j
        }
        gamma = complex(np.exp(2j * np.pi * rng.uniform()))
        flat = {key: np.ascontiguousarray(t.reshape(-1, t.shape[-1]).T) for key, (t, _) in plans.items()}
        return cls(tuple(shape), offsets, u, lin, gamma, plans, [np.eye(k) for k in shape], flat)


@dataclass
class Paths:
    """Per-path row roles: which rows are indifference equations, charts or zero constraints."""

    support: np.ndarray    # (P,) index of the support profile
    ind: np.ndarray        # (P, n) bool: indifference rows
    chart: np.ndarray      # (P, n) bool: the chart row of each player (its first support action)
    zero: np.ndarray       # (P, n) bool: x[a] = 0 for actions outside the support
    a0: np.ndarray         # (P, N) first support action of each player
    cvec: np.ndarray       # (P, n) chart coefficients (random complex, or support indicators)

    def take(self, idx):
        return Paths(self.support[idx], self.ind[idx], self.chart[idx], self.zero[idx], self.a0[idx], self.cvec[idx])


def evaluate(model: Model, paths: Paths, x: np.ndarray, t: np.ndarray):
    """Homotopy value ``H``, Jacobian ``H_x`` and ``H_t`` at a batch of points.

    ``H = (1 - t) * gamma * G + t * F`` on indifference rows, where ``F`` is the target system and
    ``G`` the start system; chart and zero rows are linear and the same along the whole path.
    """
    shape, off = model.shape, model.offsets
    n_players = len(shape)
    P, n = x.shape
    xs = [x[:, off[j]:off[j + 1]] for j in range(n_players)]
    rows = np.arange(P)
    H = np.zeros((P, n), dtype=x.dtype)
    Ht = np.zeros((P, n), dtype=x.dtype)
    J = np.zeros((P, n, n), dtype=x.dtype)
    s = (1.0 - t)[:, None] * model.gamma if x.dtype.kind == "c" else None
    tt = t[:, None]
    for i in range(n_players):
        ri = slice(off[i], off[i + 1])
        a0 = paths.a0[:, i]
        V = None
        q = {}
        JE = {}
        for j in range(n_players):
            if j == i:
                continue
            Jv = contract(model, i, j, xs, P)
            if V is None:
                V = np.einsum("zab,zb->za", Jv, xs[j])
            JE[j] = Jv - Jv[rows, a0][:, None, :]
            if s is not None:
                q[j] = xs[j] @ model.lin[i, j].T      # (P, n_i): value of each linear form
        E = V - V[rows, a0][:, None]
        ind = paths.ind[:, ri]
        if s is not None:
            G = np.ones((P, shape[i]), dtype=x.dtype)
            for j in q:
                G = G * q[j]
            Hi = s * G + tt * E
            Ht[:, ri] = np.where(ind, E - model.gamma * G, 0.0)
        else:
            Hi = E
        chart_val = (paths.cvec[:, ri] * xs[i]).sum(axis=1, keepdims=True) - 1.0
        H[:, ri] = np.where(ind, Hi, np.where(paths.chart[:, ri], chart_val, xs[i]))
        for j in JE:
            rj = slice(off[j], off[j + 1])
            block = tt[:, :, None] * JE[j]
            if s is not None:
                prod = np.ones((P, shape[i]), dtype=x.dtype)
                for k in q:
                    if k != j:
                        prod = prod * q[k]
                block = block + s[:, :, None] * prod[:, :, None] * model.lin[i, j][None]
            J[:, ri, rj] = np.where(ind[:, :, None], block, 0.0)
        own = (paths.chart[:, ri, None] * paths.cvec[:, None, ri]
               + paths.zero[:, ri, None] * model.eyes[i][None])
        J[:, ri, ri] = own
    return H, J, Ht


def contract(model, i, j, xs, P):
    """``d u_i / d x_j`` for every path: player i's payoffs contracted with all but i and j.

    One matrix product for the last other player, then broadcasted multiply-and-sum for the rest:
    far faster than a many-operand ``einsum`` over a batch.
    """
    tensor, others = model.plans[i, j]
    ni, nj = tensor.shape[:2]
    if not others:
        return np.broadcast_to(tensor, (P, ni, nj))
    flat = model.flat[i, j]                       # (n_last, rest), real and contiguous
    x = xs[others[-1]]
    if x.dtype.kind == "c":                       # two real BLAS products beat one mixed-type one
        r = x.real @ flat + 1j * (x.imag @ flat)
    else:
        r = x @ flat                              # (P, rest)
    for k in reversed(others[:-1]):
        r = np.einsum("pak,pk->pa", r.reshape(P, -1, model.shape[k]), xs[k])
    return r.reshape(P, ni, nj)



def real_paths(model, prof):
    """Row roles of one support profile in real arithmetic (charts are 'probabilities sum to 1')."""
    off, n = model.offsets, int(model.offsets[-1])
    ind = np.zeros(n, dtype=bool)
    chart = np.zeros(n, dtype=bool)
    zero = np.ones(n, dtype=bool)
    cvec = np.zeros(n)
    for i, s in enumerate(prof):
        chart[off[i] + s[0]] = True
        zero[off[i] + np.array(s)] = False
        cvec[off[i] + np.array(s)] = 1.0
        ind[off[i] + np.array(s[1:], dtype=int)] = True
    return Paths(np.zeros(1, dtype=int), ind[None], chart[None], zero[None],
                  np.array([[s[0] for s in prof]]), cvec[None])


def system(model, rp, x):
    """Value and Jacobian of the real system ``rp`` (from :func:`real_paths`) at one point ``x``."""
    Hv, Jx, _ = evaluate(model, rp, x[None], np.ones(1))
    return Hv[0], Jx[0]



def regret(model, x):
    """Max regret of a stacked profile on the scaled payoffs (payoff scale 1)."""
    xs = split(model, x, clip=False)
    return max(0.0, *(float(v.max() - v @ s) for v, s in zip(deviation_payoffs(model.payoffs, xs), xs)))


def feasible(model, x, tol):
    """``x`` is a profile (no probability below ``-PROB_TOL``) with regret at most ``tol``."""
    return bool(x.min() >= -PROB_TOL and regret(model, x) <= tol)




def split(model, x, clip=True):
    """The players' strategies of a stacked profile: lists clipped at zero, or (``clip=False``) views."""
    off = model.offsets
    parts = [x[off[j]:off[j + 1]] for j in range(len(model.shape))]
    return [np.clip(v, 0.0, None).tolist() for v in parts] if clip else parts
