"""Calibration to what was observed: the parameter points of a sweep whose equilibria match it.

An *observation* is a condition on the equilibrium's play written as an ``outcome:`` (or
``path:``) indicator of :mod:`analysis.indicators`: ``"path: russia_kaliningrad=halt"`` (Russia
halted the Kaliningrad deployment), ``"outcome: Iran=halt"``; a scenario declares the source's in
``[[observations]]`` (:class:`sim.scenario.claims.Observation`, read by
:func:`scenario_observations`). A point is *consistent* with the
observations when some equilibrium of the point matches all of them at once (with ``selected``:
when the point's selected equilibrium does). :func:`calibrate` keeps the consistent points and
reports

* how many remain, and each parameter's range among them (the constrained region's bounding box);
* how each parameter's distribution shifts: quantiles before and after, and the two-sample
  Kolmogorov-Smirnov statistic ``D`` (the largest gap between the two empirical distribution
  functions; 0 when the observations say nothing about the parameter, near 1 when they pin it);
* what play looks like there: the share of consistent points where each path of play is an
  equilibrium (or is the selected one), with Wilson intervals;
* what the scenario's claims (``[[claims]]``, :mod:`sim.claims`) say there: the share of points
  where each claim holds, over all points and over the consistent ones (claims measured in
  batches only, at most :data:`MAX_CLAIM_POINTS` evenly spaced points of each set).

Over a Monte Carlo (or Sobol, LHS) sample drawn from prior laws, the kept points are a sample of
the prior conditioned on the observations: rejection sampling with a 0-1 likelihood (the
approximate Bayesian computation of Pritchard et al. 1999 with tolerance zero). Over a grid they
are a set, not a distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.indicators import (IndicatorError, method_rows, parse_indicator, play_labels, require_moves,
                                 row_matches, selected_rows)
from sim._arrays import readonly

#: Quantiles reported before and after.
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Most points of each set (all, consistent) at which the scenario's claims are measured.
MAX_CLAIM_POINTS = 4096


@dataclass(frozen=True)
class ParameterShift:
    """One parameter before and after the observations."""

    name: str
    before: tuple[float, ...]   # QUANTILES over all points
    after: tuple[float, ...]    # QUANTILES over the consistent points (NaN when none remain)
    low: float                  # range among the consistent points
    high: float
    ks: float                   # two-sample Kolmogorov-Smirnov statistic D
    ks_pvalue: float

    def to_dict(self) -> dict:
        def num(x):
            return float(x) if np.isfinite(x) else None

        return {"parameter": self.name, "quantiles": list(QUANTILES), "before": [num(v) for v in self.before],
                "after": [num(v) for v in self.after], "range": [num(self.low), num(self.high)],
                "ks": num(self.ks), "ks_pvalue": num(self.ks_pvalue)}


@dataclass(frozen=True)
class Calibration:
    """The consistent points of a sweep and what they say."""

    folder: str
    observations: tuple[str, ...]
    selected: bool
    solver: str
    n_points: int
    kept: np.ndarray            # point ids of the consistent points
    shifts: tuple[ParameterShift, ...]
    play: tuple[dict, ...]      # {"play", "points", "share", "low", "high"}, commonest first
    #: Per batchable claim of the scenario: {"claim", "text", "before", "after", "points_before",
    #: "points_after"}, the shares of points where it holds (``after`` is None when none remain).
    claims: tuple[dict, ...] = ()

    @property
    def n_kept(self) -> int:
        return len(self.kept)

    def to_dict(self) -> dict:
        return {"folder": self.folder, "observations": list(self.observations), "selected": self.selected,
                "solver": self.solver, "points": self.n_points, "kept": self.n_kept,
                "share": self.n_kept / self.n_points if self.n_points else None,
                "parameters": [s.to_dict() for s in self.shifts], "play": [dict(p) for p in self.play],
                "claims": [dict(c) for c in self.claims]}


def scenario_observations(source) -> tuple[str, ...]:
    """The ``[[observations]]`` of a sweep's scenario as indicators (``path: MOVE=ACTION``), in the
    file's order; empty when the scenario declares none or is not found."""
    compiled = source.compiled
    if compiled is None:
        return ()
    return tuple(o.indicator for o in compiled.scenario.observations)


def consistent_points(df, moves, observations, *, selected: bool = False, method: str | None = None):
    """Point ids (ascending) of every point and a mask of those whose equilibria match all
    ``observations`` in one equilibrium (the selected one with ``selected``), and the rows used."""
    indicators = [parse_indicator(o) if isinstance(o, str) else o for o in observations]
    if not indicators:
        raise IndicatorError("give at least one observation (--observe 'path: MOVE=ACTION')")
    for ind in indicators:
        if ind.kind != "outcome":
            raise IndicatorError(f"observation {ind.text!r}: must be an 'outcome:' or 'path:' condition on play")
    rows = method_rows(df, method)
    match = np.ones(len(rows), dtype=bool)
    for ind in indicators:
        match &= row_matches(rows, moves, ind)
    if selected:
        match &= selected_rows(rows)
    pid = rows["point_id"].to_numpy()
    ids = np.unique(pid)
    keep = np.zeros(len(ids), dtype=bool)
    np.logical_or.at(keep, np.searchsorted(ids, pid), match)
    return ids, keep, rows, match


def calibrate(source, observations, *, selected: bool = False, solver: str | None = None) -> Calibration:
    """Keep a sweep's points consistent with ``observations`` and describe them (module docstring).

    ``source`` is a :class:`analysis.sources.SweepSource` or a folder; ``solver`` picks one of the
    sweep's methods (default its first).
    """
    from scipy.stats import ks_2samp

    from analysis.compare import wilson_interval
    from analysis.sources import SweepSource, load_sweep_source

    src = source if isinstance(source, SweepSource) else load_sweep_source(source)
    indicators = [parse_indicator(o) for o in observations]
    moves = require_moves(src, indicators[0]) if indicators else None
    ids, keep, rows, match = consistent_points(src.table, moves, indicators, selected=selected, method=solver)
    first = rows.drop_duplicates("point_id")  # sorted by point id, as ``ids``
    shifts = []
    for name in src.manifest["parameters"]:
        x = first[f"param.{name}"].to_numpy(float)
        kept = x[keep]
        if len(kept):
            after = tuple(float(v) for v in np.quantile(kept, QUANTILES))
            ks = ks_2samp(x, kept)
            stat, pvalue, low, high = float(ks.statistic), float(ks.pvalue), float(kept.min()), float(kept.max())
        else:
            after, stat, pvalue, low, high = (np.nan,) * len(QUANTILES), np.nan, np.nan, np.nan, np.nan
        shifts.append(ParameterShift(name, tuple(float(v) for v in np.quantile(x, QUANTILES)), after, low, high,
                                     stat, pvalue))
    play = []
    n_kept = int(keep.sum())
    if n_kept:
        labels = play_labels(rows, moves)
        in_kept = keep[np.searchsorted(ids, rows["point_id"].to_numpy())]
        shown = in_kept & (selected_rows(rows) if selected else (rows["eq_index"].to_numpy() >= 0))
        counts: dict[str, set] = {}
        for label, pid in zip(labels[shown], rows["point_id"].to_numpy()[shown]):
            counts.setdefault(str(label), set()).add(int(pid))
        for label, pts in counts.items():
            lo, hi = wilson_interval(len(pts), n_kept)
            play.append({"play": label, "points": len(pts), "share": len(pts) / n_kept, "low": lo, "high": hi})
        play.sort(key=lambda r: (-r["points"], r["play"]))
    claims = _claim_shares(src, first, keep)
    return Calibration(str(src.path), tuple(i.text for i in indicators), selected, str(rows["method"].iloc[0]),
                       len(ids), readonly(ids[keep]), tuple(shifts), tuple(play), claims)


def _spread(idx: np.ndarray, most: int) -> np.ndarray:
    """At most ``most`` evenly spaced entries of ``idx`` (all of them when there are few)."""
    if len(idx) <= most:
        return idx
    return idx[np.unique(np.linspace(0, len(idx) - 1, most).round().astype(int))]


def _claim_shares(src, first, keep: np.ndarray) -> tuple[dict, ...]:
    """The share of points where each batchable claim of the scenario holds, before and after."""
    compiled = src.compiled
    if compiled is None or not compiled.scenario.claims:
        return ()
    from sim.claims import batchable, evaluate_claims_batch

    claims = [c for c in compiled.scenario.claims if batchable(compiled, c)]
    if not claims:
        return ()
    names = list(src.manifest["parameters"])
    values = first[[f"param.{n}" for n in names]].to_numpy(float)
    full = np.repeat(np.asarray(compiled.defaults, dtype=float)[None], len(values), axis=0)
    for j, name in enumerate(names):
        full[:, list(compiled.parameter_names).index(name)] = values[:, j]
    full = np.clip(full, compiled.lower, compiled.upper)  # a distribution's tail stays within bounds
    before, after = _spread(np.arange(len(values)), MAX_CLAIM_POINTS), _spread(np.flatnonzero(keep), MAX_CLAIM_POINTS)
    both = np.union1d(before, after)
    in_before, in_after = np.isin(both, before), np.isin(both, after)
    out = []
    for claim, v in zip(claims, evaluate_claims_batch(compiled, claims, full[both])):
        holds = np.asarray(v.verdict) == "holds"
        out.append({"claim": claim.id, "text": claim.claim, "before": float(holds[in_before].mean()),
                    "after": float(holds[in_after].mean()) if in_after.any() else None,
                    "points_before": int(in_before.sum()), "points_after": int(in_after.sum())})
    return tuple(out)


def format_calibration(cal: Calibration, *, max_play: int = 8) -> str:
    """The calibration as plain text."""
    which = "the selected equilibrium" if cal.selected else "some equilibrium"
    share = cal.n_kept / cal.n_points if cal.n_points else 0.0
    lines = [f"calibration of {cal.folder} ({cal.solver}) to: " + "; ".join(cal.observations),
             f"{cal.n_kept:,} of {cal.n_points:,} points ({share:.1%}) have {which} matching every observation"]
    if not cal.n_kept:
        return "\n".join(lines)
    width = max(len(s.name) for s in cal.shifts)
    q = "/".join(f"{int(100 * v)}" for v in QUANTILES)
    lines.append(f"  {'parameter':<{width}}  {'range kept':<20}  {'quantiles ' + q + ': before  ->  after':<60}  KS D")
    for s in sorted(cal.shifts, key=lambda s: -np.nan_to_num(s.ks)):
        before = " ".join(f"{v:.3g}" for v in s.before)
        after = " ".join(f"{v:.3g}" for v in s.after)
        lines.append(f"  {s.name:<{width}}  [{s.low:8.4g}, {s.high:8.4g}]  {before + '  ->  ' + after:<60}  {s.ks:.3f}")
    lines.append(f"play there ({which}; share of the consistent points, 95% Wilson interval):")
    for p in cal.play[:max_play]:
        lines.append(f"  {p['share']:6.1%}  [{p['low']:.3f}, {p['high']:.3f}]  {p['play']}")
    if len(cal.play) > max_play:
        lines.append(f"  ... and {len(cal.play) - max_play} more")
    if cal.claims:
        lines.append("the scenario's claims (share of points where each holds: all points -> consistent points):")
        for c in cal.claims:
            lines.append(f"  {c['before']:6.1%} -> {c['after']:6.1%}  {c['claim']}")
    return "\n".join(lines)


def parameter_values(source, cal: Calibration) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each parameter's values over all points and over the consistent ones (for the chart)."""
    first = method_rows(source.table, cal.solver).drop_duplicates("point_id")
    kept = np.isin(first["point_id"].to_numpy(), cal.kept)
    return {s.name: (first[f"param.{s.name}"].to_numpy(float), first[f"param.{s.name}"].to_numpy(float)[kept])
            for s in cal.shifts}
