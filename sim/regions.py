"""Exact equilibrium regions: where in the parameter box each pure equilibrium holds.

A compiled scenario's payoffs are ``terms(theta) @ T`` (:mod:`sim.scenario.compile`): with the
parameters that are not varied held at fixed values, every payoff is an affine function of the
*varied* parameters ``x``, plus products ``x_a * x_b`` where a weight and a value are both varied.
The conditions for a pure profile to be an equilibrium are differences of payoffs, so the set of
points where it is one is cut out by inequalities ``g . phi(x) >= 0`` with ``phi(x) = [1, x,
products]``:

* **Nash (simultaneous timing).** Profile ``a`` is an equilibrium where ``u_i(a) - u_i(b_i, a_-i)
  >= 0`` for every player ``i`` and action ``b_i`` (Nash 1951; the enumeration of Gambit's
  ``enumpure``).
* **Subgame perfection (sequential timing, perfect information).** A pure strategy profile (one
  action at every decision node) is subgame perfect where, at every node, the chosen action is a
  best reply of the mover given the continuation values of the profile below (Selten 1965; Kuhn
  1953). Each continuation value is itself affine in ``phi(x)`` for a fixed profile, so the
  region is again a polyhedron. Profiles are enumerated bottom-up: the pieces of a subtree are
  combined with those of its siblings and pruned as soon as the combination is empty, so only the
  profiles that are subgame perfect somewhere are ever built.
* **Imperfect information.** A tree whose movers do not all see every earlier move is cut at its
  proper subgames (a node alone in its information set whose subtree holds whole information
  sets). A profile is subgame perfect exactly when it is a Nash equilibrium of every subgame
  (Selten 1965); with Nash play in the subgames below, that is Nash play in the subgame truncated
  at them (their values put in as payoffs), whose reduced normal form (Kuhn 1953) has payoffs
  affine in ``phi(x)`` again. So, bottom-up, each subgame's pieces are one piece per subgame below
  times a pure Nash profile of the truncated subgame, each deviation to another reduced strategy
  one inequality. Strategies are reduced: an information set that a player's own earlier choice
  excludes (within one subgame) has no action (``"*"``); any action there gives the same region.
  Regions are reported by path too. With ``concept="nash"`` the tree is not cut: the regions of
  the pure Nash equilibria of its whole reduced normal form (perfect information or not).

Each region is then simplified: inequalities implied by the others and the box are removed by
linear programming (HiGHS through ``scipy.optimize.linprog``); a region is kept only if it has an
interior point (the largest margin ``t`` with ``g . phi(x) >= t ||g||`` is positive: the
strict-margin check), so regions that are a boundary only are dropped.

Ties and boundaries. The project's tie rule (:func:`sim.solvers.pure.pure_equilibrium_mask`, and
``spe`` at each node) counts a profile as an equilibrium when no deviation gains more than a
tolerance relative to the payoff scale, so ties are equilibria: every region is *closed* (all
inequalities are ``>=``, ``strict`` is false), neighbouring regions share their boundary, and on a
boundary several equilibria hold. Off the boundaries, membership in a region is exactly the
solver's verdict (:func:`region_membership` applies the same tolerance; the tests check it).

Products of two varied parameters. Where a term multiplies two varied parameters the region is
not a polyhedron in ``x``. It is still given exactly, as inequalities whose coefficients name the
product (``"a*b"``), and :attr:`RegionsResult.nonlinear_terms` lists those products. The linear
programs then run on a relaxation (each product ``w = x_a x_b`` replaced by its McCormick
envelope, McCormick 1976), which can only keep too much: a region the relaxation keeps is
*confirmed* only when a true interior point is found (the relaxation's witness or a sampled
point), and shares are always sampled then (``share_method == "sampled"``).

Shares of the box. The box is uniform over each varied parameter's ``[min, max]``. A region whose
inequalities fall into groups of at most two parameters each (and no product) gets its exact share
(interval lengths and polygon areas, by clipping the box against each line); otherwise the share
is a Monte Carlo estimate over ``samples`` seeded uniform points with a 95% Wilson interval.

Axis conventions: ``phi`` and each inequality's row have ``K`` entries in the order of
:attr:`RegionsResult.features` (``"1"``, the varied parameters, then the products); full
parameter points are ``(B, P)`` in :attr:`CompiledScenario.parameter_names` order.

Examples
--------
>>> from sim.scenario.load import loads_scenario
>>> from sim.scenario.compile import compile_scenario
>>> c = compile_scenario(loads_scenario('''
... [scenario]
... id = "entry"
... title = "Entry"
... timing = "simultaneous"
... [parameters]
... gain = { default = 2, min = 0, max = 4 }
... [players.A]
... actions = ["in", "out"]
... [[goals]]
... player = "A"
... name = "profit"
... weight = 1
... rules = [{ when = { A = "in" }, value = "gain" }, { when = { A = "out" }, value = 1 }]
... '''))
>>> r = equilibrium_regions(c)
>>> [(reg.label, reg.share) for reg in r.regions]
[('A=in', 0.75), ('A=out', 0.25)]
>>> r.regions[0].words()
'holds exactly when gain >= 1'
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np

from sim._arrays import readonly
from sim.errors import ScenarioError, SolverError
from sim.game import ROUNDOFF

#: Monte Carlo points for shares that are not exact (and for confirming relaxed regions).
DEFAULT_SAMPLES = 20_000
#: Most profiles (simultaneous) or subtree pieces (sequential) enumerated before giving up.
MAX_REGIONS = 5_000
#: Sampled points tried as interior points before a linear program is run.
PROBE_POINTS = 2_000
#: Tie tolerance, relative to the payoff scale (the solvers' default).
TOL = 1e-9
#: Relative margin a region's interior must have to count as non-empty.
MARGIN = 1e-9
Z95 = 1.959963984540054

TIE_RULE = ("ties count as equilibria (the tie rule of enumpure and spe), so every region is closed: its "
            "inequalities are >=, and on a boundary the equilibria of both sides hold")


# ----------------------------------------------------------------------------------------------
# result types


@dataclass(frozen=True)
class Inequality:
    """``sum(c * feature) + constant >= 0`` (``> 0`` when ``strict``); a feature is a varied
    parameter or a product ``"a*b"`` of two.

    Examples
    --------
    >>> Inequality(MappingProxyType({"a": 1.0, "b": -2.0}), -0.5).words()
    'a >= 2*b + 0.5'
    >>> Inequality(MappingProxyType({"a": -1.0, "b": -1.0}), 3.0).words()
    'a + b <= 3'
    """

    coefficients: Mapping[str, float]
    constant: float
    strict: bool = False

    def to_dict(self) -> dict:
        return {"coefficients": dict(self.coefficients), "constant": self.constant, "strict": self.strict}

    def words(self) -> str:
        """The inequality read as ``lhs op rhs`` with positive coefficients on both sides,
        scaled so that the first term on the left has coefficient 1."""
        terms = [(n, c) for n, c in self.coefficients.items() if c != 0]
        pos = [(n, c) for n, c in terms if c > 0]
        neg = [(n, -c) for n, c in terms if c < 0]
        const = self.constant
        if pos:
            op = ">" if self.strict else ">="
            lhs, rhs, k = pos, neg, -const
        else:
            op = "<" if self.strict else "<="
            lhs, rhs, k = neg, [], const
        if not lhs:
            return f"0 {op} {_num(-k)}"
        scale = lhs[0][1]
        left = _sum_text([(n, c / scale) for n, c in lhs])
        right = _sum_text([(n, c / scale) for n, c in rhs])
        k = k / scale
        if not right:
            right = _num(k)
        elif abs(k) > 1e-12:
            right += f" + {_num(k)}" if k > 0 else f" - {_num(-k)}"
        return f"{left} {op} {right}"


def _num(x: float) -> str:
    x = 0.0 if abs(x) < 1e-12 else x
    return f"{x:.4g}"


def _sum_text(terms) -> str:
    out = []
    for name, c in terms:
        t = name if abs(c - 1) < 1e-12 else f"{_num(c)}*{name}"
        out.append(t)
    return " + ".join(out)


@dataclass(frozen=True, eq=False)
class Region:
    """Where one pure equilibrium holds.

    Attributes
    ----------
    profile : mapping or None
        ``{player: action}`` of a simultaneous game's pure Nash equilibrium.
    path : tuple of (move, action) or None
        A tree's equilibrium path (every edge reached, in preorder; chance outcomes included).
    strategy : mapping or None
        A tree's strategy profile: ``{information set: action}`` at every decision node
        (``"*"`` where, in an imperfect-information tree, the player's own earlier choice in the
        same subgame excludes the set: the region is the same whatever is played there).
    inequalities : tuple of Inequality
        A minimal set (with the box) cutting out the region.
    rows : array (m, K)
        The same inequalities as rows over :attr:`RegionsResult.features`.
    share, share_interval, share_method
        Share of the box, its 95% interval (``[s, s]`` when exact) and ``"exact"`` or ``"sampled"``.
    confirmed : bool
        An interior point was found (always, unless products of varied parameters are involved).
    play : str
        A tree's play, each move by player and action, each chance branch with its probability
        (:func:`sim.extensive.names.play_text`): ``"US drop -> Russia halt -> ..."``.
    """

    profile: Mapping[str, str] | None
    path: tuple[tuple[str, str], ...] | None
    strategy: Mapping[str, str] | None
    inequalities: tuple[Inequality, ...]
    rows: np.ndarray = field(repr=False)
    share: float
    share_interval: tuple[float, float]
    share_method: str
    confirmed: bool = True
    play: str = ""

    @property
    def label(self) -> str:
        """``A=x, B=y`` (a profile) or the play (a tree: ``US drop -> Russia halt``)."""
        if self.profile is None and self.play:
            return self.play
        items = self.profile.items() if self.profile is not None else self.path
        return ", ".join(f"{k}={v}" for k, v in items)

    def words(self) -> str:
        """``holds exactly when ...`` (the region's inequalities joined by ``and``)."""
        if not self.inequalities:
            return "holds everywhere in the box"
        text = "holds exactly when " + " and ".join(q.words() for q in self.inequalities)
        if not self.confirmed:
            text += " (no interior point found: the region may be empty)"
        return text

    def to_dict(self) -> dict:
        out: dict = {}
        if self.profile is not None:
            out["profile"] = dict(self.profile)
        else:
            out["play"] = self.play
            out["path"] = [{"move": m, "action": a} for m, a in self.path]
            out["strategy"] = dict(self.strategy)
        out.update(inequalities=[q.to_dict() for q in self.inequalities], share=self.share,
                   share_interval=list(self.share_interval), share_method=self.share_method,
                   confirmed=self.confirmed, words=self.words())
        return out


@dataclass(frozen=True)
class Overlap:
    """Two regions (indices into :attr:`RegionsResult.regions`) that share an interior: several
    equilibria hold there."""

    first: int
    second: int
    share: float
    share_interval: tuple[float, float]
    share_method: str

    def to_dict(self) -> dict:
        return {"regions": [self.first, self.second], "share": self.share,
                "share_interval": list(self.share_interval), "share_method": self.share_method}


@dataclass(frozen=True)
class PathShare:
    """A tree's equilibrium path and the share of the box where some subgame-perfect profile
    with that path holds (the union of its regions, listed by index)."""

    path: tuple[tuple[str, str], ...]
    regions: tuple[int, ...]
    share: float
    share_interval: tuple[float, float]
    share_method: str
    play: str = ""  # the path named by player and action (Region.play)

    @property
    def label(self) -> str:
        return self.play or ", ".join(f"{m}={a}" for m, a in self.path)

    def to_dict(self) -> dict:
        return {"play": self.play, "path": [{"move": m, "action": a} for m, a in self.path],
                "regions": list(self.regions),
                "share": self.share, "share_interval": list(self.share_interval), "share_method": self.share_method}


@dataclass(frozen=True, eq=False)
class RegionsResult:
    """Every pure equilibrium's region in a box of varied parameters (see the module docstring).

    ``parameters`` are the varied parameters with ``lower``/``upper`` their bounds; ``fixed`` holds
    every other parameter's value; ``features`` names the entries of each row (``"1"``, the
    parameters, then ``nonlinear_terms``).
    """

    scenario: str
    kind: str  # "nash" or "spe"
    parameters: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    fixed: Mapping[str, float]
    features: tuple[str, ...]
    nonlinear_terms: tuple[str, ...]
    regions: tuple[Region, ...]
    overlaps: tuple[Overlap, ...]
    samples: int
    seed: int
    paths: tuple[PathShare, ...] = ()
    tie_rule: str = TIE_RULE

    @property
    def exact(self) -> bool:
        """True when no term multiplies two varied parameters (every region is a polyhedron)."""
        return not self.nonlinear_terms

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "kind": self.kind, "parameters": list(self.parameters),
                "bounds": {n: [lo, hi] for n, lo, hi in zip(self.parameters, self.lower, self.upper)},
                "fixed": dict(self.fixed), "nonlinear_terms": list(self.nonlinear_terms),
                "method": "exact" if self.exact else "sampled",
                "samples": self.samples, "seed": self.seed, "tie_rule": self.tie_rule,
                "regions": [r.to_dict() for r in self.regions],
                "overlaps": [o.to_dict() for o in self.overlaps],
                "paths": [p.to_dict() for p in self.paths]}

    def format_text(self) -> str:
        """The regions in words, one numbered block each, then the overlaps."""
        what = "subgame-perfect strategy profiles" if self.kind == "spe" else \
            "pure Nash equilibria of the reduced normal form" if self.paths else "pure Nash equilibria"
        lines = [f"{self.scenario}: {len(self.regions)} {what} hold somewhere in the box of "
                 f"{len(self.parameters)} parameter{'s' if len(self.parameters) != 1 else ''} "
                 f"(each uniform over [min, max]; the others at their values)",
                 f"  {self.tie_rule}"]
        if self.nonlinear_terms:
            lines.append(f"  not linear in the varied parameters: {', '.join(self.nonlinear_terms)}; regions "
                         f"are exact inequalities, but emptiness and shares are sampled "
                         f"({self.samples} points, seed {self.seed})")
        if self.paths:
            lines.append("equilibrium paths (each the union of the regions listed; --json gives every strategy):")
            for p in self.paths:
                which = ", ".join(str(k + 1) for k in p.regions)
                lines.append(f"  {p.label}: {_share_text(p.share, p.share_interval, p.share_method, self)} "
                             f"(region{'s' if len(p.regions) > 1 else ''} {which})")
        first: dict[str, int] = {}
        for k, r in enumerate(self.regions, 1):
            same = first.setdefault(r.label, k)
            note = f" (the play of region {same}; they differ off the path)" if same != k else ""
            lines.append(f"{k}. {r.label}: {_share_text(r.share, r.share_interval, r.share_method, self)}{note}")
            lines.append(f"   {r.words()}")
        if self.overlaps:
            lines.append("overlaps (several equilibria hold):")
            for o in self.overlaps:
                lines.append(f"  {o.first + 1} and {o.second + 1}: "
                             f"{_share_text(o.share, o.share_interval, o.share_method, self)}")
        elif self.regions:
            lines.append("no two regions overlap (one equilibrium off the boundaries)")
        return "\n".join(lines)


def _share_text(share, interval, method, result) -> str:
    if method == "exact":
        return f"{share:.1%} of the box (exact)"
    return (f"{share:.1%} of the box (95% interval {interval[0]:.1%}-{interval[1]:.1%}; "
            f"{result.samples} sampled points)")


# ----------------------------------------------------------------------------------------------
# features: the varied parameters, their products, and the payoff tensor over them


@dataclass(frozen=True)
class _Space:
    varied: tuple[int, ...]  # parameter indices
    lower: np.ndarray
    upper: np.ndarray
    names: tuple[str, ...]  # features
    products: tuple[tuple[int, int], ...]  # positions in varied
    coef: np.ndarray  # (K, n_outcomes, N) payoff coefficients over the features

    @property
    def d(self) -> int:
        return len(self.varied)

    def phi(self, x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(np.asarray(x, dtype=float))
        cols = [np.ones((len(x), 1)), x] + [x[:, [a]] * x[:, [b]] for a, b in self.products]
        return np.concatenate(cols, axis=1)

    def payoff_scale(self) -> tuple[float, float]:
        """``(scale, size)`` of the game's payoffs over the box. ``scale`` bounds every player's
        payoff spread at any point of the box: per player, the spread over the outcomes of each
        feature's coefficient times the feature's largest magnitude in the box, summed over the
        features, then the largest over the players (1 when no payoff varies anywhere). Like a
        spread it is multiplied by ``a`` and unmoved by ``b`` under ``u -> a u + b`` (a > 0), so a
        tolerance relative to it does not depend on the payoff units. ``size`` bounds the payoffs'
        magnitude in the same way, for the round-off of differences of payoffs that large."""
        w = self.feature_magnitudes()[:, None]
        if self.coef.shape[1] == 0:
            return 1.0, 0.0
        with np.errstate(over="ignore", invalid="ignore"):
            scale = float((w * np.ptp(self.coef, axis=1)).sum(axis=0).max())
            size = float((w * np.abs(self.coef).max(axis=1)).sum(axis=0).max())
        big = float(np.finfo(float).max)
        scale, size = min(scale, big), min(size, big)
        return (scale if scale > 0 else 1.0), size

    def feature_magnitudes(self) -> np.ndarray:
        """Each feature's largest magnitude in the box (1 for the constant feature): a
        coefficient times it is what that feature can move a payoff over the box."""
        plo, phi = self.product_bounds()
        lo = np.concatenate([[1.0], self.lower, plo])
        hi = np.concatenate([[1.0], self.upper, phi])
        return np.maximum(np.abs(lo), np.abs(hi))

    def product_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = [], []
        for a, b in self.products:
            c = [self.lower[a] * self.lower[b], self.lower[a] * self.upper[b],
                 self.upper[a] * self.lower[b], self.upper[a] * self.upper[b]]
            if a == b:
                c.append(0.0 if self.lower[a] <= 0 <= self.upper[a] else min(c))
            lo.append(min(c))
            hi.append(max(c))
        return np.array(lo), np.array(hi)


def _space(compiled, varied: Sequence[int], theta0: np.ndarray) -> _Space:
    pos = {k: j for j, k in enumerate(varied)}
    names = [compiled.parameter_names[k] for k in varied]
    products: dict[tuple[int, int], int] = {}
    entries = []  # (row r, feature kind, coefficient)
    for r, (i, j) in enumerate(np.asarray(compiled.monomials).tolist()):
        coef, vs = 1.0, []
        for idx in (i, j):
            if idx == 0:
                continue
            if idx - 1 in pos:
                vs.append(pos[idx - 1])
            else:
                coef *= float(theta0[idx - 1])
        vs.sort()
        if len(vs) == 2:
            products.setdefault((vs[0], vs[1]), len(products))
        entries.append((r, tuple(vs), coef))
    prods = tuple(sorted(products, key=products.get))
    K = 1 + len(varied) + len(prods)
    F = np.zeros((len(entries), K))
    for r, vs, coef in entries:
        k = 0 if not vs else 1 + vs[0] if len(vs) == 1 else 1 + len(varied) + prods.index(vs)
        F[r, k] += coef
    tensor = np.asarray(compiled.tensor)
    coef = (F.T @ tensor).reshape(K, compiled.n_outcomes, len(compiled.players))
    feat = ("1", *names, *(f"{names[a]}*{names[b]}" for a, b in prods))
    return _Space(tuple(varied), np.asarray(compiled.lower)[list(varied)].astype(float),
                  np.asarray(compiled.upper)[list(varied)].astype(float), feat, prods, coef)


# ----------------------------------------------------------------------------------------------
# linear programs


class _LP:
    """Feasibility with a margin and redundancy over rows in the lifted space ``[x, w]``, with the
    box and each product's McCormick envelope (exact when there is no product)."""

    def __init__(self, space: _Space):
        self.space = space
        d, p = space.d, len(space.products)
        wlo, whi = space.product_bounds()
        self.bounds = [(float(a), float(b)) for a, b in zip(space.lower, space.upper)] + \
                      [(float(a), float(b)) for a, b in zip(wlo, whi)]
        rows, rhs = [], []
        for k, (a, b) in enumerate(space.products):
            La, Ua, Lb, Ub = space.lower[a], space.upper[a], space.lower[b], space.upper[b]
            for ca, cb, cw, r in ((Lb, La, -1.0, La * Lb), (Ub, Ua, -1.0, Ua * Ub),
                                  (-Lb, -Ua, 1.0, -Ua * Lb), (-Ub, -La, 1.0, -La * Ub)):
                row = np.zeros(d + p)
                row[a] += ca
                row[b] += cb
                row[d + k] += cw
                rows.append(row)
                rhs.append(r)
        self.mc_rows = np.array(rows).reshape(len(rows), d + p)
        self.mc_rhs = np.array(rhs)
        span = max(1.0, float(np.max(np.abs(np.concatenate([space.lower, space.upper])))) if d else 1.0)
        self.eps = MARGIN * span
        self.cache: dict[frozenset, tuple[bool, np.ndarray | None]] = {}
        self.calls = 0

    def _linprog(self, c, A, b, bounds):
        from scipy.optimize import linprog

        self.calls += 1
        res = linprog(c, A_ub=A if len(A) else None, b_ub=b if len(b) else None, bounds=bounds, method="highs")
        return res

    def margin(self, G: np.ndarray) -> tuple[float, np.ndarray | None]:
        """Largest ``t`` with ``G . [1, x, w] >= t`` (rows of unit norm) inside the box; and ``x``."""
        n = self.space.d + len(self.space.products)
        A = np.concatenate([np.concatenate([-G[:, 1:], np.ones((len(G), 1))], axis=1),
                            np.concatenate([self.mc_rows, np.zeros((len(self.mc_rows), 1))], axis=1)])
        b = np.concatenate([G[:, 0], self.mc_rhs])
        c = np.zeros(n + 1)
        c[-1] = -1.0
        res = self._linprog(c, A, b, self.bounds + [(None, 1.0)])
        if res.status != 0:
            return -math.inf, None
        return float(res.x[-1]), np.asarray(res.x[:self.space.d])

    def feasible(self, key: frozenset, G: np.ndarray) -> tuple[bool, np.ndarray | None]:
        """Whether the rows have an interior point (in the relaxation), and a true one when known."""
        if key in self.cache:
            return self.cache[key]
        t, x = self.margin(G)
        ok = t > self.eps
        witness = None
        if ok and x is not None and (self.space.phi(x)[0] @ G.T >= self.eps / 2).all():
            witness = x
        self.cache[key] = (ok, witness)
        return ok, witness

    def redundant(self, g: np.ndarray, others: np.ndarray) -> bool:
        """Whether ``g . [1, x, w] >= 0`` follows from ``others`` (>= 0) and the box."""
        A = np.concatenate([-others[:, 1:], self.mc_rows]) if len(others) else self.mc_rows
        b = np.concatenate([others[:, 0], self.mc_rhs]) if len(others) else self.mc_rhs
        res = self._linprog(g[1:], A, b, self.bounds)
        if res.status != 0:
            return False
        return float(res.fun) + float(g[0]) >= -self.eps


class _Rows:
    """A registry of distinct inequality rows: raw (payoff differences) and of unit norm."""

    def __init__(self, width: int, probe_x: np.ndarray, probe_phi: np.ndarray, scale: tuple[float, float] = (1.0, 0.0),
                 magnitudes: np.ndarray | None = None):
        self.width = width
        #: Each feature's largest magnitude in the box (:meth:`_Space.feature_magnitudes`): a
        #: row's variation over the box is its coefficients' magnitudes weighted by them.
        self.magnitudes = np.ones(width) if magnitudes is None else np.asarray(magnitudes, dtype=float)
        #: The game's payoff scale over the box and the round-off of payoffs of its magnitude
        #: (:meth:`_Space.payoff_scale`): a constant row is judged against them, not its own size.
        self.scale, self.roundoff = scale[0], ROUNDOFF * scale[1]
        #: Sampled points of the box: one inside every row of a combination proves it non-empty
        #: without a linear program.
        self.probe_x, self.probe_phi = probe_x, probe_phi
        self._probe: dict[int, np.ndarray] = {}
        self.index: dict[tuple, int] = {}
        self.raw: list[np.ndarray] = []
        self.unit: list[np.ndarray] = []

    def add(self, g: np.ndarray):
        """The row's id, ``"always"`` (a constant >= 0) or ``"never"`` (a constant < 0).

        A row is constant when its variation over the box (each coefficient's magnitude times its
        feature's largest magnitude in the box, summed) vanishes on the game's payoff scale, and
        the constant then holds when it is at least ``-TOL`` times that scale (the tie rule), up
        to round-off: both tests are in payoff units, so unchanged by a positive affine map of
        the payoffs or a rescaling of a parameter."""
        with np.errstate(over="ignore", invalid="ignore"):
            variation = float(np.abs(g[1:]) @ self.magnitudes[1:])
        if variation <= 1e-12 * self.scale + self.roundoff:
            return "always" if g[0] >= -(TOL * self.scale + self.roundoff) else "never"
        u = g / float(np.linalg.norm(g[1:]))
        key = tuple(np.round(u, 9).tolist())
        k = self.index.get(key)
        if k is None:
            k = self.index[key] = len(self.raw)
            self.raw.append(g.copy())
            self.unit.append(u)
        return k

    def probe(self, k: int, eps: float) -> np.ndarray:
        """Which probe points (:attr:`probe_x`) meet row ``k`` with margin ``eps``: cached."""
        hit = self._probe.get(k)
        if hit is None:
            hit = self._probe[k] = self.probe_phi @ self.unit[k] > eps
        return hit

    def negation(self, k: int) -> int | None:
        return self.index.get(tuple(np.round(-self.unit[k], 9).tolist()))

    def unit_rows(self, ids) -> np.ndarray:
        ids = sorted(ids)
        return np.array([self.unit[k] for k in ids]).reshape(len(ids), self.width)


def _interior(rows: _Rows, lp: _LP, ids: frozenset, witnesses) -> tuple[bool, np.ndarray | None]:
    """Whether the rows ``ids`` have an interior point: a known witness first, else a linear program."""
    if not ids:
        return True, (next((w for w in witnesses if w is not None), None))
    G = rows.unit_rows(ids)
    for w in witnesses:
        if w is not None and (lp.space.phi(w)[0] @ G.T >= lp.eps).all():
            return True, w
    if ids in lp.cache:
        return lp.cache[ids]
    if len(rows.probe_x):
        hit = np.logical_and.reduce([rows.probe(k, lp.eps) for k in ids])
        if hit.any():
            return True, rows.probe_x[int(np.argmax(hit))]
    return lp.feasible(ids, G)


# ----------------------------------------------------------------------------------------------
# enumeration


def _nash_pieces(compiled, space: _Space, rows: _Rows, lp: _LP, max_regions: int):
    shape = compiled.outcome_shape
    if compiled.n_outcomes > max_regions:
        raise SolverError(f"equilibrium_regions(): at most {max_regions} pure profiles are enumerated; "
                          f"got {compiled.n_outcomes}")
    C = space.coef.reshape(space.coef.shape[0], *shape, len(compiled.players))
    out = []
    for a in itertools.product(*(range(n) for n in shape)):
        ids, dead = set(), False
        for i in range(len(shape)):
            mine = C[(slice(None), *a, i)]
            for b in range(shape[i]):
                if b == a[i]:
                    continue
                dev = list(a)
                dev[i] = b
                k = rows.add(mine - C[(slice(None), *dev, i)])
                if k == "never":
                    dead = True
                elif k != "always":
                    ids.add(k)
        if dead:
            continue
        ids = frozenset(ids)
        ok, witness = _interior(rows, lp, ids, ())
        if ok:
            profile = {p: compiled.labels[i][a[i]] for i, p in enumerate(compiled.players)}
            out.append((profile, None, None, ids, witness))
    return out


@dataclass
class _Piece:
    choices: tuple  # ((node preorder index, action index), ...)
    ids: frozenset
    value: np.ndarray | None  # (N, K)
    witness: np.ndarray | None
    parts: tuple = ()  # the children's pieces, while combining


def _combine(parts: list[list[_Piece]], rows: _Rows, lp: _LP, max_regions: int) -> list[_Piece]:
    """Every choice of one piece per part whose rows together keep an interior (pruned as built)."""
    acc = [_Piece((), frozenset(), None, None)]
    for options in parts:
        nxt = []
        for p in acc:
            for q in options:
                ids = p.ids | q.ids
                ok, w = _interior(rows, lp, ids, (p.witness, q.witness)) if ids != p.ids and ids != q.ids \
                    else (True, p.witness if ids == p.ids else q.witness)
                if ok:
                    nxt.append(_Piece(p.choices + q.choices, ids, None, w, p.parts + (q,)))
        if len(nxt) > max_regions:
            raise SolverError(f"equilibrium_regions(): more than {max_regions} subgame-perfect pieces in one "
                              "subtree; vary fewer parameters")
        acc = nxt
    return acc


def _tree_pieces(compiled, space: _Space, rows: _Rows, lp: _LP, game, max_regions: int):
    from sim.extensive.tree import Chance, Decision, Terminal

    coef = space.coef  # (K, T, N)
    counter = iter(range(10**9))
    nodes: dict[int, object] = {}
    terminal = [0]

    def combine(parts: list[list[_Piece]]) -> list[_Piece]:
        return _combine(parts, rows, lp, max_regions)

    def walk(node) -> list[_Piece]:
        x = next(counter)
        nodes[x] = node
        if isinstance(node, Terminal):
            t = terminal[0]
            terminal[0] += 1
            return [_Piece((), frozenset(), coef[:, t, :].T.copy(), None)]
        kids = [walk(c) for c in node.children]
        out = []
        for combo in combine(kids):
            vals = [q.value for q in combo.parts]
            if isinstance(node, Chance):
                value = sum(float(p) * v for p, v in zip(node.probs, vals))
                out.append(_Piece(combo.choices, combo.ids, value, combo.witness))
                continue
            i = node.player
            for a in range(len(vals)):
                ids, dead = set(combo.ids), False
                for b in range(len(vals)):
                    if b != a:
                        k = rows.add(vals[a][i] - vals[b][i])
                        if k == "never":
                            dead = True
                        elif k != "always":
                            ids.add(k)
                if dead:
                    continue
                ids = frozenset(ids)
                ok, w = (True, combo.witness) if ids == combo.ids else _interior(rows, lp, ids, (combo.witness,))
                if ok:
                    out.append(_Piece(combo.choices + ((x, a),), ids, vals[a], w))
        if len(out) > max_regions:
            raise SolverError(f"equilibrium_regions(): more than {max_regions} subgame-perfect pieces in one "
                              "subtree; vary fewer parameters")
        return out

    pieces = walk(game.root)
    result = []
    for p in pieces:
        choice = dict(p.choices)
        strategy, path = {}, []
        for x, node in nodes.items():
            if isinstance(node, Decision):
                strategy[node.infoset] = node.actions[choice[x]]
        # the path: every edge reached (chance outcomes with positive probability), in preorder
        index = {id(n): x for x, n in nodes.items()}
        stack = [game.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Terminal):
                continue
            if isinstance(node, Chance):
                nxt = [(o, c) for o, pr, c in zip(node.outcomes, node.probs, node.children) if pr > 0]
                path.extend((node.label or "chance", o) for o, _ in nxt)
                stack.extend(reversed([c for _, c in nxt]))
            else:
                a = choice[index[id(node)]]
                path.append((node.label or node.infoset, node.actions[a]))
                stack.append(node.children[a])
        result.append((None, tuple(path), strategy, p.ids, p.witness))
    return result


def _imperfect_pieces(compiled, space: _Space, rows: _Rows, lp: _LP, game, max_regions: int, cut: bool):
    """Pure profiles of any tree, as reduced plans, each with its region.

    With ``cut`` (subgame perfection): the tree is cut at its proper subgames (:mod:`sim.extensive.spe`);
    bottom-up, each subgame's pieces are the combinations of one piece per subgame below it with a
    pure Nash equilibrium of the subgame truncated there (the subgames below replaced by the
    pieces' values, affine in the features), in the truncated subgame's reduced normal form.
    A profile is subgame perfect exactly when it is Nash in every subgame (Selten 1965), and
    given Nash play below, Nash in a subgame is Nash in its truncation. Without ``cut``: the pure
    Nash equilibria of the whole tree's reduced normal form (Kuhn 1953).
    """
    from collections import defaultdict

    from sim.extensive.reduced import UNREACHED, reach_matrices, reduced_strategies, terminal_table
    from sim.extensive.spe import _below, _subtree_infosets
    from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal

    coef = space.coef  # (K, T, N)
    N = coef.shape[2]
    tindex = {id(n): t for t, n in enumerate(n for _, n in game.nodes() if isinstance(n, Terminal))}
    roots = _subtree_infosets(game.root, game.infoset_sizes) if cut else defaultdict(bool)

    def solve(root) -> list[_Piece]:
        below = _below(root, True, roots)
        sub = {id(r): j for j, r in enumerate(below)}
        parts = [solve(r) for r in below]
        leaves = []

        def trunc(node, top):
            if isinstance(node, Terminal) or (not top and id(node) in sub):
                leaves.append(node)  # the leaf's number rides in its first payoff, read back below
                return Terminal((float(len(leaves) - 1),) + (0.0,) * (N - 1))
            kids = tuple(trunc(c, False) for c in node.children)
            if isinstance(node, Chance):
                return Chance(node.outcomes, node.probs, kids, node.label, node.infoset)
            return Decision(node.player, node.infoset, node.actions, kids, node.label)

        tg = ExtensiveFormGame.from_root(game.players, trunc(root, True))
        plans = reduced_strategies(tg)
        shape = tuple(len(p) for p in plans)
        if math.prod(shape) > max_regions:
            raise SolverError(f"equilibrium_regions(): at most {max_regions} pure profiles of one subgame are "
                              f"enumerated; got {'x'.join(map(str, shape))} reduced strategies")
        _, probs, pays, _ = terminal_table(tg)
        order = [leaves[int(round(v))] for v in pays[:, 0]]
        T = len(order)
        reach = np.broadcast_to(probs, shape + (T,)).copy()
        for i, m in enumerate(reach_matrices(tg)):
            reach *= m.reshape((1,) * i + (shape[i],) + (1,) * (N - 1 - i) + (T,))
        reach = reach.reshape(-1, T)
        out = []
        for combo in _combine(parts, rows, lp, max_regions):
            vals = np.stack([coef[:, tindex[id(n)], :].T if isinstance(n, Terminal)
                             else combo.parts[sub[id(n)]].value for n in order])  # (T, N, K)
            C = (reach @ vals.reshape(T, -1)).reshape(shape + vals.shape[1:])  # (*shape, N, K)
            for a in itertools.product(*(range(n) for n in shape)):
                ids, dead = set(combo.ids), False
                for i in range(N):
                    for b in range(shape[i]):
                        if b == a[i]:
                            continue
                        dev = list(a)
                        dev[i] = b
                        k = rows.add(C[a][i] - C[tuple(dev)][i])
                        if k == "never":
                            dead = True
                        elif k != "always":
                            ids.add(k)
                if dead:
                    continue
                ids = frozenset(ids)
                ok, w = (True, combo.witness) if ids == combo.ids else _interior(rows, lp, ids, (combo.witness,))
                if ok:
                    mine = tuple((h, x) for i in range(N) for h, x in plans[i][a[i]].items())
                    out.append(_Piece(combo.choices + mine, ids, C[a].copy(), w))
            if len(out) > max_regions:
                raise SolverError(f"equilibrium_regions(): more than {max_regions} pure pieces in one subgame; "
                                  "vary fewer parameters")
        return out

    result = []
    for p in solve(game.root):
        chosen = dict(p.choices)
        strategy = {h: chosen.get(h, UNREACHED) for h in game.infosets}
        path, stack = [], [game.root]
        while stack:
            node = stack.pop()
            if isinstance(node, Terminal):
                continue
            if isinstance(node, Chance):
                nxt = [(o, c) for o, pr, c in zip(node.outcomes, node.probs, node.children) if pr > 0]
                path.extend((node.label or "chance", o) for o, _ in nxt)
                stack.extend(reversed([c for _, c in nxt]))
            else:
                a = node.actions.index(chosen[node.infoset])
                path.append((node.label or node.infoset, node.actions[a]))
                stack.append(node.children[a])
        result.append((None, tuple(path), strategy, p.ids, p.witness))
    return result


# ----------------------------------------------------------------------------------------------
# shares


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + Z95 ** 2 / n
    mid = (p + Z95 ** 2 / (2 * n)) / den
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def _exact_share(space: _Space, G: np.ndarray) -> float | None:
    """The exact share of the box where ``G phi >= 0``, when no row has a product and the rows
    split into groups of at most two parameters; else None."""
    from sim.geometry import clip_linear, polygon_area

    d = space.d
    if len(G) and np.any(G[:, 1 + d:] != 0):
        return None
    # each row of unit norm (the same half-space): the clipping's tolerance is then the same in
    # any payoff units
    norms = np.linalg.norm(G, axis=1, keepdims=True) if len(G) else np.ones((0, 1))
    G = G / np.where(norms > 0, norms, 1.0)
    used = [np.flatnonzero(G[k, 1:1 + d]) for k in range(len(G))]
    # connected groups of parameters sharing a row
    parent = list(range(d))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for u in used:
        for v in u[1:]:
            parent[find(int(v))] = find(int(u[0]))
    groups: dict[int, list[int]] = {}
    for u in used:
        if len(u):
            groups.setdefault(find(int(u[0])), [])
    for j in range(d):
        if find(j) in groups:
            groups[find(j)].append(j)
    share = 1.0
    for members in groups.values():
        if len(members) > 2:
            return None
        mine = [k for k, u in enumerate(used) if len(u) and find(int(u[0])) == find(members[0])]
        lo, hi = space.lower[members], space.upper[members]
        if len(members) == 1:
            a, b = float(lo[0]), float(hi[0])
            for k in mine:
                c, g = G[k, 0], G[k, 1 + members[0]]
                if g > 0:
                    a = max(a, -c / g)
                else:
                    b = min(b, -c / g)
            share *= max(0.0, b - a) / (hi[0] - lo[0])
        else:
            poly = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
            for k in mine:
                poly = clip_linear(poly, G[k, [1 + members[0], 1 + members[1]]], G[k, 0])
                if len(poly) == 0:
                    break
            share *= polygon_area(poly) / ((hi[0] - lo[0]) * (hi[1] - lo[1]))
    return float(share)


# ----------------------------------------------------------------------------------------------
# the public function


def equilibrium_regions(compiled, vary: Sequence[str] | None = None, fixed: Mapping[str, float] | None = None, *,
                        samples: int = DEFAULT_SAMPLES, seed: int = 0, max_regions: int = MAX_REGIONS,
                        concept: str | None = None) -> RegionsResult:
    """Every pure equilibrium's region in the box of the varied parameters.

    Parameters
    ----------
    compiled : CompiledScenario
        A simultaneous scenario (pure Nash equilibria) or a sequential one with perfect
        information (pure subgame-perfect strategy profiles).
    vary : sequence of str, optional
        The varied parameters (default: every parameter with finite, distinct bounds, the
        plausible box of ``bargain hypotheses`` and the lint, except those in ``fixed`` and chance
        probabilities, which stay at their values).
    fixed : mapping, optional
        Values of parameters held fixed (the others not varied stay at their defaults).
    samples, seed : int
        Monte Carlo points for shares that are not exact, and their seed.
    max_regions : int
        Most profiles (or subtree pieces) enumerated.
    concept : {"spe", "nash"}, optional
        For a tree: ``"spe"`` (default) for subgame-perfect profiles, ``"nash"`` for the pure Nash
        equilibria of its reduced normal form. A simultaneous game takes ``"nash"`` only.

    Returns
    -------
    RegionsResult

    Raises
    ------
    ScenarioError
        For an unknown, unbounded, doubly given or probability parameter.
    SolverError
        For too many profiles, or an unknown ``concept``.

    Notes
    -----
    Algorithms: enumeration of pure profiles (Nash 1951) or of subgame-perfect pieces bottom-up
    (Selten 1965), with linear programs (HiGHS: Huangfu and Hall 2018) for emptiness (the
    largest-margin, Chebyshev-style test) and redundancy (an inequality is redundant when its
    minimum over the others and the box is non-negative; Caron, McDonald and Ponic 1989).
    """
    fixed = dict(fixed or {})
    names = compiled.parameter_names
    path = compiled.scenario.path
    theta0 = compiled.point(fixed)
    lower, upper = np.asarray(compiled.lower, dtype=float), np.asarray(compiled.upper, dtype=float)
    probability = {p for m in (compiled.scenario.timing if compiled.sequential else ())
                   for _, p in getattr(m, "outcomes", ()) if isinstance(p, str) and p in names}
    if vary is None:
        vary = [n for k, n in enumerate(names) if np.isfinite(lower[k]) and np.isfinite(upper[k])
                and upper[k] > lower[k] and n not in fixed and n not in probability]
    vary = list(dict.fromkeys(vary))
    for n in vary:
        if n not in names:
            raise ScenarioError(f"unknown parameter; parameters are {list(names)} (got {n!r})", path=path,
                                field=f"parameters.{n}")
        k = names.index(n)
        if not (np.isfinite(lower[k]) and np.isfinite(upper[k]) and upper[k] > lower[k]):
            raise ScenarioError(f"a varied parameter needs finite bounds min < max (got [{lower[k]}, {upper[k]}])",
                                path=path, field=f"parameters.{n}")
        if n in fixed:
            raise ScenarioError(f"is both varied and set (got {n}={fixed[n]})", path=path, field=f"parameters.{n}")
        if n in probability:
            raise ScenarioError("is a chance probability: its regions would not be linear; hold it fixed "
                                f"(got {n!r} varied)", path=path, field=f"parameters.{n}")
    if samples < 1:
        raise SolverError(f"equilibrium_regions(): samples must be at least 1; got {samples}")
    if concept not in (None, "nash", "spe") or (concept == "spe" and not compiled.sequential):
        raise SolverError("equilibrium_regions(): concept must be 'spe' or 'nash' for a sequential scenario, "
                          f"'nash' for a simultaneous one; got {concept!r}")
    varied = tuple(names.index(n) for n in vary)
    space = _space(compiled, varied, theta0)
    rng = np.random.default_rng(seed)
    pts = space.lower + rng.random((samples, space.d)) * (space.upper - space.lower)
    phi = space.phi(pts)
    probe = pts[:PROBE_POINTS]
    rows, lp = _Rows(len(space.names), probe, phi[:PROBE_POINTS], space.payoff_scale(),
                     space.feature_magnitudes()), _LP(space)
    if compiled.sequential:
        game = compiled.game({n: float(theta0[k]) for k, n in enumerate(names)})
        _check_terminals(compiled, space, game, theta0)
        kind = concept or "spe"
        if kind == "spe" and game.perfect_information:
            found = _tree_pieces(compiled, space, rows, lp, game, max_regions)
        else:
            found = _imperfect_pieces(compiled, space, rows, lp, game, max_regions, cut=kind == "spe")
    else:
        found = _nash_pieces(compiled, space, rows, lp, max_regions)
        kind, game = "nash", None

    regions, kept_ids = [], []
    for profile, path_, strategy, ids, witness in found:
        keep = _minimal(rows, lp, ids, phi)
        raw = np.array([rows.raw[k] for k in keep]).reshape(len(keep), len(space.names))
        inside = (phi @ raw.T >= 0).all(axis=1) if len(raw) else np.ones(samples, dtype=bool)
        confirmed = witness is not None or bool(inside.any()) or not space.products
        share, interval, method = _share(space, raw, inside)
        regions.append(Region(None if profile is None else MappingProxyType(profile), path_,
                              None if strategy is None else MappingProxyType(strategy),
                              tuple(_inequality(space, g) for g in raw), readonly(raw), share, interval, method,
                              confirmed, "" if strategy is None else _play(game, strategy)))
        kept_ids.append((ids, inside))
    order = sorted(range(len(regions)), key=lambda k: -regions[k].share)
    regions = [regions[k] for k in order]
    kept_ids = [kept_ids[k] for k in order]
    overlaps = _overlaps(space, rows, lp, regions, kept_ids)
    paths = _paths(regions, [inside for _, inside in kept_ids], overlaps) if compiled.sequential else ()
    return RegionsResult(compiled.scenario.id, kind, tuple(vary), tuple(float(x) for x in space.lower),
                         tuple(float(x) for x in space.upper),
                         MappingProxyType({n: float(theta0[k]) for k, n in enumerate(names) if k not in varied}),
                         space.names, space.names[1 + space.d:], tuple(regions), tuple(overlaps), samples, seed,
                         paths)


def _play(game, strategy) -> str:
    """The play of a pure strategy profile of ``game`` (``{information set: action}``; a set its
    player's own choices exclude is never reached), named by player and action."""
    from sim.extensive.names import play_text

    behaviour = {h: [float(a == strategy.get(h)) for a in acts] for h, (_, acts) in game.infosets.items()}
    return play_text(game, {h: b if sum(b) else [1.0] + [0.0] * (len(b) - 1) for h, b in behaviour.items()})


def _paths(regions, inside, overlaps) -> tuple[PathShare, ...]:
    """Regions grouped by path: the union's share is the exact sum when the regions are exact and
    do not overlap (they then meet on boundaries only), else the sampled share of the union."""
    groups: dict[tuple, list[int]] = {}
    for k, r in enumerate(regions):
        groups.setdefault(r.path, []).append(k)
    pairs = {(o.first, o.second) for o in overlaps}
    out = []
    for path, members in groups.items():
        exact = all(regions[k].share_method == "exact" for k in members) and \
            not any((a, b) in pairs for a in members for b in members)
        if exact:
            s = min(1.0, sum(regions[k].share for k in members))
            out.append(PathShare(path, tuple(members), s, (s, s), "exact", regions[members[0]].play))
        else:
            hit = np.any([inside[k] for k in members], axis=0)
            k, n = int(hit.sum()), len(hit)
            out.append(PathShare(path, tuple(members), k / n, _wilson(k, n), "sampled", regions[members[0]].play))
    out.sort(key=lambda p: -p.share)
    return tuple(out)


def _check_terminals(compiled, space, game, theta0) -> None:
    """The tree's terminals, in preorder, are the compiled outcomes in order (a guard on the
    numbering the tree enumeration relies on)."""
    from sim.extensive.tree import Terminal

    got = np.array([n.payoffs for _, n in game.nodes() if isinstance(n, Terminal)])
    want = np.einsum("k,ktn->tn", space.phi(theta0[list(space.varied)])[0], space.coef)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-9, atol=1e-9):
        raise SolverError("equilibrium_regions(): the tree's terminals do not match the compiled outcomes")


def _minimal(rows: _Rows, lp: _LP, ids: frozenset, phi: np.ndarray) -> list[int]:
    """The rows ``ids`` without those implied by the others and the box. A sampled point that
    meets every other row and breaks row ``k`` shows ``k`` is needed without a linear program."""
    order = sorted(ids)
    values = phi @ np.array([rows.raw[k] for k in order]).reshape(len(order), rows.width).T  # (samples, m)
    ok = values >= 0
    alive = np.ones(len(order), dtype=bool)
    for pos, k in enumerate(order):
        others = alive.copy()
        others[pos] = False
        if np.any(ok[:, others].all(axis=1) & ~ok[:, pos]):
            continue
        if lp.redundant(rows.unit[k], rows.unit_rows([order[j] for j in np.flatnonzero(others)])):
            alive[pos] = False
    return [k for k, a in zip(order, alive) if a]


def _share(space: _Space, raw: np.ndarray, inside: np.ndarray):
    exact = _exact_share(space, raw)
    if exact is not None:
        return exact, (exact, exact), "exact"
    k, n = int(inside.sum()), len(inside)
    return k / n, _wilson(k, n), "sampled"


def _inequality(space: _Space, g: np.ndarray) -> Inequality:
    coefficients = {n: float(c) for n, c in zip(space.names[1:], g[1:]) if c != 0}
    return Inequality(MappingProxyType(coefficients), float(g[0]), False)


#: Beyond this many candidate pairs, overlaps are read from the sample only.
MAX_OVERLAP_LPS = 2_000


def _overlaps(space, rows: _Rows, lp: _LP, regions, kept) -> list[Overlap]:
    pairs = []
    for a, b in itertools.combinations(range(len(regions)), 2):
        ia, ib = kept[a][0], kept[b][0]
        if any((m := rows.negation(k)) is not None and m in ib for k in ia):
            continue  # one says g >= 0 where the other says g <= 0: they meet on a boundary at most
        pairs.append((a, b))
    out = []
    by_lp = len(pairs) <= MAX_OVERLAP_LPS
    for a, b in pairs:
        both = kept[a][1] & kept[b][1]
        if by_lp:
            ids = frozenset(kept[a][0] | kept[b][0])
            ok, _ = _interior(rows, lp, ids, ())
            if not ok:
                continue
        elif not both.any():
            continue
        raw = np.concatenate([regions[a].rows, regions[b].rows])
        share, interval, method = _share(space, raw, both)
        out.append(Overlap(a, b, share, interval, method))
    return out


def region_membership(result: RegionsResult, compiled, points, tol: float = TOL) -> np.ndarray:
    """Which regions hold at each full parameter point ``(B, P)``: bool ``(B, n_regions)``.

    The parameters that are not varied must be at :attr:`RegionsResult.fixed`. An inequality holds
    when it is at least ``-tol`` times the payoff scale at the point (the tie rule's tolerance).
    """
    points = compiled.check_points(points)
    names = compiled.parameter_names
    for n, v in result.fixed.items():
        k = names.index(n)
        if np.any(points[:, k] != v):
            raise ScenarioError(f"points must hold the parameters that are not varied at their values "
                                f"(got {n} != {v})", path=compiled.scenario.path, field=f"parameters.{n}")
    from sim.game import payoff_scales

    scale = payoff_scales(compiled.payoffs(points))
    x = points[:, [names.index(n) for n in result.parameters]]
    prods = [(result.parameters.index(a), result.parameters.index(b))
             for a, b in (t.split("*") for t in result.nonlinear_terms)]
    phi = np.concatenate([np.ones((len(x), 1)), x] + [x[:, [a]] * x[:, [b]] for a, b in prods], axis=1)
    out = np.ones((len(points), len(result.regions)), dtype=bool)
    for j, r in enumerate(result.regions):
        if len(r.rows):
            out[:, j] = (phi @ np.asarray(r.rows).T >= -tol * scale[:, None]).all(axis=1)
    return out
