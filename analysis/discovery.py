"""Scenario discovery on sweep results: where in the parameter box does a condition hold?

Two rule-induction methods over the points of a sweep (``x``: one row per point, one column per
swept parameter; ``y``: whether the condition holds at the point):

* **PRIM**, the patient rule induction method (Friedman and Fisher 1999, "Bump hunting in
  high-dimensional data", Statistics and Computing 9), as EMA Workbench implements it for scenario
  discovery (Bryant and Lempert 2010; Kwakkel 2017, ``ema_workbench/analysis/prim.py``): starting
  from the box that holds every point, *peel* repeatedly: each candidate removes the points below
  the ``alpha`` quantile or above the ``1 - alpha`` quantile of one parameter inside the box, and
  the candidate with the largest gain in density per point removed (EMA's default "lenient1"
  objective; ties go to the candidate restricting fewer parameters, then to the earlier parameter,
  upper side first) is kept, while the box keeps at least ``mass_min`` of the points. Then *paste*:
  widen one restricted side back by the ``alpha`` quantile of the points just outside it, while
  that raises the density. Every box on the way forms the *peeling trajectory*, the trade-off
  between **coverage** (share of the points where the condition holds that the box holds),
  **density** (share of the box's points where it holds) and **mass** (share of all points in
  the box). Each restriction of a box carries a *quasi-p-value* (Bryant and Lempert 2010): the
  one-sided binomial test of the box's density against the density of the box with that one
  restriction removed (``scipy.stats.binom``: ``P[X >= cases]``, ``X ~ Bin(points, p)``), small
  when the restriction matters.
* **CART**, a shallow classification tree (Breiman et al. 1984; scikit-learn's
  ``DecisionTreeClassifier``), read as rules (:func:`analysis.hypotheses.tree_rules`).

The PRIM here is our own, vectorised with NumPy (one peeling step sorts the box once and scores
every candidate in a few array operations); ``tests/test_discovery.py`` checks it against EMA
Workbench's on the same data, step by step. What differs from EMA, on purpose: every parameter is
treated as real-valued (a sweep's parameters are floats; EMA peels integer and categorical columns
otherwise), one box is found (not a sequence of boxes covering the rest), and the *chosen* box is
the one of greatest coverage among the boxes whose density reaches ``threshold`` (EMA's
``find_box`` selects the last box of the trajectory when it meets the threshold and leaves the
choice along the trade-off to the analyst). When no box reaches the threshold there is no chosen
box (EMA's "dump box").

Axis conventions: ``x`` is ``(points, parameters)``, a trajectory's ``lower`` and ``upper`` are
``(boxes, parameters)``, and the full box is the data's range (EMA's ``box_init``).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = rng.uniform(0, 1, size=(2000, 3))
>>> y = (x[:, 0] > 0.6) & (x[:, 2] < 0.5)
>>> r = prim(x, y, ("a", "b", "c"), threshold=0.95)
>>> box = r.box()
>>> box.restricted, round(box.coverage, 2), round(box.density, 2)
(('a', 'c'), 0.99, 0.95)
>>> {name: (round(lo, 2), round(hi, 2)) for name, (lo, hi) in box.limits().items()}
{'a': (0.6, 1.0), 'c': (0.0, 0.52)}
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim._arrays import readonly

PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05
THRESHOLD = 0.8
#: Depth of the CART tree read as rules.
CART_DEPTH = 3


class DiscoveryError(ValueError):
    """Bad input to scenario discovery (names the function, the rule and the bad value)."""


# ----------------------------------------------------------------------------------------------
# PRIM


@dataclass(frozen=True)
class PrimBox:
    """One box of a PRIM trajectory: its limits, what it holds, and its quasi-p-values.

    ``quasi_p[name]`` is ``(lower, upper)`` for each restricted parameter, ``None`` on a side that
    is not restricted.
    """

    index: int
    phase: str  # "start", "peel" or "paste"
    names: tuple[str, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    full_lower: tuple[float, ...]
    full_upper: tuple[float, ...]
    points: int
    cases: int
    coverage: float
    density: float
    mass: float
    restricted: tuple[str, ...]
    quasi_p: dict

    def limits(self) -> dict[str, tuple[float, float]]:
        """Each restricted parameter's ``(lower, upper)``."""
        return {n: (self.lower[j], self.upper[j]) for j, n in enumerate(self.names) if n in self.restricted}

    def to_dict(self) -> dict:
        return {
            "index": self.index, "phase": self.phase, "points": self.points, "cases": self.cases,
            "coverage": self.coverage, "density": self.density, "mass": self.mass,
            "restricted": [{"parameter": n, "lower": self.lower[j], "upper": self.upper[j],
                            "full": [self.full_lower[j], self.full_upper[j]],
                            "quasi_p": list(self.quasi_p[n])}
                           for j, n in enumerate(self.names) if n in self.restricted],
        }


@dataclass(frozen=True)
class PrimResult:
    """A PRIM run: the data, the trajectory of boxes, and the chosen box (see the module docstring).

    Arrays are read-only; ``lower[i]``, ``upper[i]`` are the limits of the ``i``-th box, ``points``,
    ``cases`` its counts, ``phase[i]`` how it was made.
    """

    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    full_lower: np.ndarray
    full_upper: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    points: np.ndarray
    cases: np.ndarray
    phase: tuple[str, ...]
    threshold: float
    peel_alpha: float
    paste_alpha: float
    mass_min: float

    @property
    def coverage(self) -> np.ndarray:
        total = int(self.y.sum())
        return self.cases / total if total else np.zeros(len(self.cases))

    @property
    def density(self) -> np.ndarray:
        return self.cases / np.maximum(self.points, 1)

    @property
    def mass(self) -> np.ndarray:
        return self.points / len(self.y)

    @property
    def restricted_dims(self) -> np.ndarray:
        """Number of restricted parameters of each box."""
        return self._restricted_mask().sum(axis=1)

    def _restricted_mask(self) -> np.ndarray:
        return (self.lower != self.full_lower) | (self.upper != self.full_upper)

    @property
    def chosen(self) -> int | None:
        """The box of greatest coverage whose density reaches the threshold (ties: higher density,
        then fewer restricted parameters, then the earlier box); None when none reaches it."""
        ok = np.flatnonzero(self.density >= self.threshold)
        if not len(ok):
            return None
        key = np.lexsort((ok, self.restricted_dims[ok], -self.density[ok], -self.coverage[ok]))
        return int(ok[key[0]])

    def quasi_p(self, i: int) -> dict[str, tuple[float | None, float | None]]:
        """Quasi-p-values of box ``i`` (Bryant and Lempert 2010; EMA's ``_calculate_quasi_p``)."""
        from scipy.stats import binom

        mask = self._restricted_mask()[i]
        cols = np.flatnonzero(mask)
        lo, hi = self.lower[i, cols], self.upper[i, cols]
        xs = self.x[:, cols]
        inside = (lo <= xs) & (xs <= hi)
        viol = (~inside).sum(axis=1)
        n_box, k_box = int(self.points[i]), int(self.cases[i])
        out = {}
        for c, j in enumerate(cols):
            sides = []
            others = (viol - (~inside[:, c])) == 0
            for side, (limit, full) in enumerate(((lo[c], self.full_lower[j]), (hi[c], self.full_upper[j]))):
                if limit == full:
                    sides.append(None)
                    continue
                xj = xs[:, c]
                within = (full <= xj) & (xj <= hi[c]) if side == 0 else (lo[c] <= xj) & (xj <= full)
                sel = others & within
                p = self.y[sel].sum() / sel.sum()
                sides.append(float(binom.sf(k_box - 1, n_box, p)))
            out[self.names[j]] = tuple(sides)
        return out

    def box(self, i: int | None = None) -> PrimBox:
        """Box ``i`` of the trajectory (default: the chosen box, else the last)."""
        if i is None:
            i = self.chosen if self.chosen is not None else len(self.points) - 1
        if not -len(self.points) <= i < len(self.points):
            raise DiscoveryError(f"PrimResult.box(): index must lie in the trajectory of {len(self.points)} boxes; "
                                 f"got {i}")
        i = i % len(self.points)
        mask = self._restricted_mask()[i]
        return PrimBox(i, self.phase[i], self.names, tuple(map(float, self.lower[i])),
                       tuple(map(float, self.upper[i])), tuple(map(float, self.full_lower)),
                       tuple(map(float, self.full_upper)), int(self.points[i]), int(self.cases[i]),
                       float(self.coverage[i]), float(self.density[i]), float(self.mass[i]),
                       tuple(n for n, m in zip(self.names, mask) if m), self.quasi_p(i))

    def trajectory(self) -> list[dict]:
        """One dict per box: index, phase, coverage, density, mass, restricted dims, points, cases."""
        cov, den, mass, res = self.coverage, self.density, self.mass, self.restricted_dims
        return [{"index": i, "phase": self.phase[i], "coverage": float(cov[i]), "density": float(den[i]),
                 "mass": float(mass[i]), "res_dim": int(res[i]), "points": int(self.points[i]),
                 "cases": int(self.cases[i])} for i in range(len(self.points))]


def _quantile_low(s: np.ndarray, q: float) -> np.ndarray:
    """EMA's ``get_quantile`` for ``q < 0.5`` on each column of the sorted ``s``: the midpoint of
    the value at ``floor((m - 1) q)`` and the next larger value (SDToolkit's rule)."""
    m = len(s)
    lo = int(math.floor((m - 1) * q))
    v = s[lo]
    hi = np.minimum((s <= v).sum(axis=0), m - 1)
    return (v + s[hi, np.arange(s.shape[1])]) / 2


def _quantile_high(s: np.ndarray, q: float) -> np.ndarray:
    """EMA's ``get_quantile`` for ``q > 0.5``: the midpoint of the value at ``ceil((m - 1) q)``
    and the next smaller value."""
    m = len(s)
    hi = int(math.ceil((m - 1) * q))
    v = s[hi]
    lo = np.maximum((s < v).sum(axis=0) - 1, 0)
    return (s[lo, np.arange(s.shape[1])] + v) / 2


def _objective(k_old: int, n_old: int, k_new: np.ndarray, n_new: np.ndarray) -> np.ndarray:
    """EMA's "lenient1": the change in density per point added or removed (0 when unchanged)."""
    mean_old = k_old / n_old
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_new = np.where(n_new > 0, k_new / np.maximum(n_new, 1), 0.0)
        obj = (mean_new - mean_old) / np.abs(n_old - n_new)
    return np.where(mean_new != mean_old, obj, 0.0), mean_new


def _best(obj: np.ndarray, non_restricted: np.ndarray) -> int:
    """The candidate with the largest objective, then the most unrestricted parameters, then the
    first in order (EMA sorts the candidates by ``(obj, non_res_dim)``, stably, in reverse)."""
    return int(np.lexsort((np.arange(len(obj)), -non_restricted, -obj))[0])


def prim(x, y, names: Sequence[str] | None = None, *, threshold: float = THRESHOLD, peel_alpha: float = PEEL_ALPHA,
         paste_alpha: float = PASTE_ALPHA, mass_min: float = MASS_MIN) -> PrimResult:
    """PRIM's peeling and pasting trajectory of ``y`` (bool per point) over ``x`` (points x parameters).

    See the module docstring for the algorithm (Friedman and Fisher 1999, as EMA Workbench runs it).

    Parameters
    ----------
    x : array (n, d) of floats
    y : array (n,) of bools: where the condition holds
    names : the parameters' names (default ``x0, x1, ...``)
    threshold : the density a box must reach to be chosen, in (0, 1]
    peel_alpha, paste_alpha : the share peeled off or pasted back per step, in (0, 0.5)
    mass_min : the smallest share of the points a box may hold, in [0, 1)

    Examples
    --------
    >>> r = prim([[0.0], [1.0], [2.0], [3.0]], [False, False, True, True], ("a",), peel_alpha=0.2, mass_min=0.1)
    >>> [(t["phase"], t["points"], t["cases"]) for t in r.trajectory()]
    [('start', 4, 2), ('peel', 3, 2), ('peel', 2, 2)]
    >>> r.box().limits()
    {'a': (1.5, 3.0)}
    >>> prim([[0.0]], [True], threshold=2)
    Traceback (most recent call last):
    analysis.discovery.DiscoveryError: prim(): threshold must lie in (0, 1]; got 2
    """
    x = np.array(x, dtype=float, copy=True)
    y = np.array(y, copy=True)
    if x.ndim != 2:
        raise DiscoveryError(f"prim(): x must be a 2-D array (points, parameters); got shape {x.shape}")
    if y.shape != (len(x),):
        raise DiscoveryError(f"prim(): y must hold one value per row of x ({len(x)}); got shape {y.shape}")
    if y.dtype != bool:
        if not np.isin(y, (0, 1)).all():
            raise DiscoveryError("prim(): y must be boolean (or 0/1)")
        y = y.astype(bool)
    if len(x) == 0:
        raise DiscoveryError("prim(): needs at least one point; got none")
    if not np.isfinite(x).all():
        raise DiscoveryError("prim(): x must be finite")
    names = tuple(names) if names is not None else tuple(f"x{j}" for j in range(x.shape[1]))
    if len(names) != x.shape[1]:
        raise DiscoveryError(f"prim(): one name per column of x ({x.shape[1]}); got {len(names)}")
    if not (0 < threshold <= 1):
        raise DiscoveryError(f"prim(): threshold must lie in (0, 1]; got {threshold}")
    for label, a in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha)):
        if not (0 < a < 0.5):
            raise DiscoveryError(f"prim(): {label} must lie in (0, 0.5); got {a}")
    if not (0 <= mass_min < 1):
        raise DiscoveryError(f"prim(): mass_min must lie in [0, 1); got {mass_min}")
    yi = y.astype(np.int64)
    n, d = x.shape
    full_lo, full_hi = x.min(axis=0), x.max(axis=0)
    lows, highs, counts, cases, phases = [full_lo.copy()], [full_hi.copy()], [n], [int(yi.sum())], ["start"]
    lo, hi = full_lo.copy(), full_hi.copy()
    idx = np.arange(n)

    def n_restricted(lo_c, hi_c):  # per candidate: (c, d) limits
        return ((lo_c != full_lo) | (hi_c != full_hi)).sum(axis=1)

    # Peeling: every candidate of a step at once. Candidate 2j peels parameter j from above,
    # 2j + 1 from below (EMA's order).
    while True:
        xb, yb = x[idx], yi[idx]
        n_old, k_old = len(idx), int(yb.sum())
        s = np.sort(xb, axis=0)
        q_up, q_low = _quantile_high(s, 1 - peel_alpha), _quantile_low(s, peel_alpha)
        keep = np.empty((n_old, 2 * d), dtype=bool)
        keep[:, 0::2] = xb <= q_up
        keep[:, 1::2] = xb >= q_low
        n_new = keep.sum(axis=0)
        k_new = yb @ keep
        obj, _ = _objective(k_old, n_old, k_new, n_new)
        cand_lo = np.repeat(lo[None], 2 * d, axis=0)
        cand_hi = np.repeat(hi[None], 2 * d, axis=0)
        cand_hi[np.arange(0, 2 * d, 2), np.arange(d)] = q_up
        cand_lo[np.arange(1, 2 * d, 2), np.arange(d)] = q_low
        c = _best(obj, d - n_restricted(cand_lo, cand_hi))
        mass_new, mass_old = n_new[c] / n, n_old / n
        if not (mass_new >= mass_min and mass_new < mass_old and obj[c] > 0):
            break
        idx = idx[keep[:, c]]
        lo, hi = cand_lo[c], cand_hi[c]
        lows.append(lo.copy()); highs.append(hi.copy()); counts.append(len(idx)); cases.append(int(k_new[c]))
        phases.append("peel")

    # Pasting: each restricted side widened by the paste_alpha quantile of the points just
    # outside it (within the box's other limits). Candidates: lower then upper, per parameter.
    while True:
        cols = np.flatnonzero((lo != full_lo) | (hi != full_hi))
        if not len(cols):
            break
        xs = x[:, cols]
        inside = (lo[cols] <= xs) & (xs <= hi[cols])
        viol = (~inside).sum(axis=1)
        n_old = int((viol == 0).sum())
        k_old = int(yi[viol == 0].sum())
        masks, cand_lo, cand_hi = [], [], []
        for c, j in enumerate(cols):
            others = (viol - (~inside[:, c])) == 0
            xj = xs[:, c]
            for side in (0, 1):
                if side == 0:
                    slab = xj[others & (full_lo[j] <= xj) & (xj <= lo[j])]
                    v = _quantile_high(np.sort(slab)[:, None], 1 - paste_alpha)[0] if len(slab) else full_lo[j]
                    new_lo, new_hi = lo.copy(), hi
                    new_lo[j] = v
                else:
                    slab = xj[others & (hi[j] <= xj) & (xj <= full_hi[j])]
                    v = _quantile_low(np.sort(slab)[:, None], paste_alpha)[0] if len(slab) else full_hi[j]
                    new_lo, new_hi = lo, hi.copy()
                    new_hi[j] = v
                masks.append(others & (new_lo[j] <= xj) & (xj <= new_hi[j]))
                cand_lo.append(new_lo)
                cand_hi.append(new_hi)
        masks = np.array(masks).T
        n_new = masks.sum(axis=0)
        k_new = yi @ masks
        obj, mean_new = _objective(k_old, n_old, k_new, n_new)
        cand_lo, cand_hi = np.array(cand_lo), np.array(cand_hi)
        c = _best(obj, d - n_restricted(cand_lo, cand_hi))
        mass_new, mass_old = n_new[c] / n, n_old / n
        if not (mass_new >= mass_min and mass_new > mass_old and obj[c] > 0 and mean_new[c] > k_old / n_old):
            break
        lo, hi = cand_lo[c], cand_hi[c]
        lows.append(lo.copy()); highs.append(hi.copy()); counts.append(int(n_new[c])); cases.append(int(k_new[c]))
        phases.append("paste")

    return PrimResult(names, readonly(x), readonly(y, bool), readonly(full_lo), readonly(full_hi),
                      readonly(lows), readonly(highs), readonly(counts, np.int64), readonly(cases, np.int64), tuple(phases), float(threshold), float(peel_alpha),
                      float(paste_alpha), float(mass_min))


# ----------------------------------------------------------------------------------------------
# discovery on a sweep


@dataclass(frozen=True)
class Discovery:
    """Where a condition holds over a sweep's points: PRIM's trajectory and box, or CART's rules.

    ``x`` holds one row per point (the swept parameters ``names``), ``y`` whether every condition
    of ``where`` holds there; ``method`` is ``"prim"`` or ``"cart"``; ``solver`` the sweep's
    method whose equilibria the conditions read.
    """

    where: tuple[str, ...]
    every: bool
    solver: str
    names: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    method: str
    threshold: float
    prim: PrimResult | None = None
    rules: tuple = ()
    importances: tuple = ()
    depth: int = CART_DEPTH
    #: A box of the trajectory picked by the analyst (``--box``), else None: the chosen box.
    selected: int | None = None
    #: ``(short name, label)`` of each regime a ``regime:`` condition names: ``("R1", "US drop ->
    #: Russia halt -> ...")`` (a tree's regimes are its points' sets of plays, numbered as ``bargain
    #: compare`` numbers them).
    regimes: tuple = ()

    @property
    def box_index(self) -> int | None:
        """The box reported: the selected one, else PRIM's chosen box (None when there is none)."""
        if self.prim is None:
            return None
        return self.selected if self.selected is not None else self.prim.chosen

    @property
    def ranges(self) -> dict[str, tuple[float, float]]:
        """Each swept parameter's full range over the points."""
        if not len(self.x):
            return {n: (math.nan, math.nan) for n in self.names}
        return {n: (float(self.x[:, j].min()), float(self.x[:, j].max())) for j, n in enumerate(self.names)}

    def to_dict(self) -> dict:
        """The JSON document of ``bargain discover --json`` (see docs/discovery.md)."""
        n, k = len(self.y), int(self.y.sum())
        doc = {"where": list(self.where), "all": self.every, "solver": self.solver, "method": self.method,
               "parameters": list(self.names), "ranges": {p: list(r) for p, r in self.ranges.items()},
               "points": n, "cases": k, "share": k / n if n else None, "threshold": self.threshold}
        if self.regimes:
            doc["regimes"] = [{"name": name, "regime": label} for name, label in self.regimes]
        if self.method == "prim":
            r = self.prim
            i = self.box_index
            doc["prim"] = {"peel_alpha": r.peel_alpha, "paste_alpha": r.paste_alpha, "mass_min": r.mass_min,
                           "chosen": r.chosen, "selected": self.selected,
                           "box": r.box(i).to_dict() if i is not None else None, "trajectory": r.trajectory()}
        else:
            doc["cart"] = {"depth": self.depth,
                           "rules": [{"conditions": [list(c) for c in rule.conditions], "points": rule.n,
                                      "share": rule.share} for rule in self.rules],
                           "importances": dict(self.importances)}
        return doc


def discover(table, where: Sequence[str], *, compiled=None, solver: str | None = None, method: str = "prim",
             threshold: float = THRESHOLD, every: bool = False, depth: int = CART_DEPTH, seed: int = 0,
             box: int | None = None) -> Discovery:
    """Scenario discovery over a sweep's result table (:func:`analysis.sweep.run.read_results`).

    ``where`` are conditions (:mod:`analysis.conditions`), all of which must hold at a point;
    ``compiled`` is the scenario the sweep ran on (needed for a tree's path conditions);
    ``solver`` the sweep method whose equilibria they read (default: the table's first); ``box``
    picks a box of PRIM's trajectory to report instead of the chosen one.

    Examples
    --------
    >>> import pandas as pd
    >>> a = np.linspace(0, 1, 101)
    >>> df = pd.DataFrame({"point_id": range(101), "param.a": a, "method": "enumpure", "eq_index": 0,
    ...                    "n_equilibria": 1, "regime": np.where(a > 0.5, "A=y", "A=x"),
    ...                    "prob.A.x": (a <= 0.5) * 1.0, "prob.A.y": (a > 0.5) * 1.0})
    >>> d = discover(df, ["outcome: A=y"], threshold=1.0)
    >>> d.prim.box().limits(), d.prim.box().density
    ({'a': (0.525, 1.0)}, 1.0)
    >>> [(c, op, round(t, 3)) for r in discover(df, ["outcome: A=y"], method="cart").rules for c, op, t in r.conditions]
    [('a', '<=', 0.505), ('a', '>', 0.505)]
    """
    from analysis.compare import point_table
    from analysis.conditions import ConditionError, SweepView, evaluate, parse_condition

    if method not in ("prim", "cart"):
        raise DiscoveryError(f"discover(): method must be 'prim' or 'cart'; got {method!r}")
    if not (0 < threshold <= 1):
        raise DiscoveryError(f"discover(): --threshold must lie in (0, 1]; got {threshold}")
    if not (isinstance(depth, int) and depth >= 1):
        raise DiscoveryError(f"discover(): --depth must be a positive integer; got {depth!r}")
    if not where:
        raise ConditionError("--where: give at least one condition")
    conditions = [parse_condition(c) for c in where]  # every condition read before the sweep is
    view = SweepView.of(table, solver, compiled)
    points, y = view.points, np.ones(len(view.points), dtype=bool)
    for c in conditions:
        y &= evaluate(c, view, every=every)
    pts = point_table(view.rows).set_index("point_id").reindex(points)
    cols = [c for c in pts.columns if c.startswith("param.")]
    names = tuple(c[len("param."):] for c in cols)
    x = pts[cols].to_numpy(float)
    solver_name = str(view.rows["method"].iloc[0]) if len(view.rows) else (solver or "")
    common = dict(where=tuple(where), every=every, solver=solver_name, names=names, x=readonly(x),
                  y=readonly(y, bool), method=method, threshold=float(threshold), depth=depth,
                  regimes=_named_regimes(conditions, view.rows))
    if method == "prim":
        result = prim(x, y, names, threshold=threshold)
        if box is not None and not (isinstance(box, int) and 0 <= box < len(result.points)):
            raise DiscoveryError(f"discover(): --box must be a box of the trajectory, 0 to {len(result.points) - 1}; "
                                 f"got {box}")
        return Discovery(**common, prim=result, selected=box)
    if box is not None:
        raise DiscoveryError(f"discover(): --box picks a PRIM box; got --box {box} with --method cart")
    from analysis.hypotheses import tree_rules

    rules, importances = tree_rules(x, y, names, seed=seed, depth=depth)
    return Discovery(**common, rules=rules, importances=importances)


def _named_regimes(conditions, rows) -> tuple:
    """``(short name, label)`` of each regime the ``regime:`` conditions name (already checked
    to exist by :func:`analysis.conditions.evaluate`)."""
    named = [c.terms[0][0] for c in conditions if c.kind == "regime"]
    if not named:
        return ()
    from analysis.compare import regime_key, regime_table

    key = regime_key([r["regime"] for r in regime_table(rows)])
    by_name = {v.lower(): k for k, v in key.items()}
    out = []
    for name in named:
        label = name if name in key else by_name.get(name.lower())
        if label is not None and (key[label], label) not in out:
            out.append((key[label], label))
    return tuple(out)


def _num(v: float) -> str:
    return f"{v:.4g}"


def format_discovery(d: Discovery, *, max_boxes: int = 10) -> str:
    """Plain text of a discovery: the condition's share, then PRIM's chosen box (each restricted
    parameter's range against its full range, with quasi-p-values) and a thinned trajectory, or
    CART's rules."""
    n, k = len(d.y), int(d.y.sum())
    lines = [f"condition: {' and '.join(d.where)}{' (in every equilibrium)' if d.every else ''}",
             f"holds at {k:,} of {n:,} points ({k / n:.1%})" if n else "no points",
             f"parameters: {', '.join(d.names)} (equilibria of {d.solver})"]
    for j, (name, label) in enumerate(d.regimes):  # what a regime's short name stands for
        lines.insert(1 + j, f"  {name}: {label}")
    if d.method == "prim":
        r = d.prim
        T = len(r.points)
        lines.append(f"PRIM: {T} box{'es' if T != 1 else ''} (peel alpha {r.peel_alpha:g}, paste alpha "
                     f"{r.paste_alpha:g}, mass at least {r.mass_min:g}); threshold density {r.threshold:g}")
        chosen = d.box_index
        if not k:
            lines.append("the condition holds at no point: there is no region to find")
        elif chosen is None:
            lines.append(f"no box reaches density {r.threshold:g} (the densest: {r.density.max():.1%}); "
                         "lower --threshold, or the condition has no box-shaped region")
        else:
            b = r.box(chosen)
            by_threshold = f"#{r.chosen}" if r.chosen is not None else "none"
            what = (f"chosen box #{b.index}" if d.selected is None else
                    f"selected box #{b.index} (the threshold chooses {by_threshold})")
            lines.append(f"{what}: coverage {b.coverage:.1%}, density {b.density:.1%}, "
                         f"mass {b.mass:.1%} ({b.points:,} points, the condition holding at {b.cases:,}), "
                         f"{len(b.restricted)} restricted parameter{'s' if len(b.restricted) != 1 else ''}")
            if b.restricted:
                width = max(len(p) for p in b.restricted)
                lines.append(f"  {'parameter':<{width}}  {'box':<21} {'full range':<21} quasi-p (lower, upper)")
                for j, name in enumerate(b.names):
                    if name not in b.restricted:
                        continue
                    qp = ", ".join("-" if v is None else f"{v:.2g}" for v in b.quasi_p[name])
                    box = f"[{_num(b.lower[j])}, {_num(b.upper[j])}]"
                    full = f"[{_num(b.full_lower[j])}, {_num(b.full_upper[j])}]"
                    lines.append(f"  {name:<{width}}  {box:<21} {full:<21} {qp}")
            else:
                lines.append("  no parameter restricted: the condition holds that densely over the whole box")
        shown = sorted(set(np.linspace(0, T - 1, min(T, max_boxes)).round().astype(int).tolist())
                       | ({chosen} if chosen is not None else set()))
        lines.append("trajectory (box: coverage, density, mass, restricted):")
        for i in shown:
            mark = ("  <- chosen" if d.selected is None else "  <- selected") if i == chosen else ""
            lines.append(f"  #{i:<3} {r.phase[i]:<5} {r.coverage[i]:6.1%} {r.density[i]:6.1%} {r.mass[i]:6.1%}"
                         f"  {int(r.restricted_dims[i])}{mark}")
        return "\n".join(lines)
    lines.append(f"CART (depth {d.depth}): {len(d.rules)} leaves, where the condition holds first")
    if not d.rules:
        lines.append("  no tree: the condition " + ("holds everywhere" if n and k == n else "never holds"
                                                     if n else "has no points"))
    for rule in sorted(d.rules, key=lambda r: (-r.share, -r.n)):
        where = " and ".join(f"{p} {op} {_num(t)}" for p, op, t in rule.conditions) or "everywhere"
        lines.append(f"  {rule.share:6.1%} of {rule.n:,} points where {where}")
    ranked = [(p, v) for p, v in sorted(d.importances, key=lambda t: -t[1]) if v > 0]
    if ranked:
        lines.append("importance: " + ", ".join(f"{p} {v:.2f}" for p, v in ranked))
    return "\n".join(lines)
