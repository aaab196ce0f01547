"""Global sensitivity of a sweep's indicators: Sobol indices and Morris elementary effects.

Where the tornado chart (:func:`analysis.compare.sensitivity`) moves one parameter at a time from
the defaults, these measures move all of them at once over the sweep's distributions:

* **Sobol indices** (Sobol 2001; Saltelli 2002; Saltelli et al. 2010): the first-order index
  ``S1`` of a parameter is the share of the indicator's variance that the parameter explains
  alone; the total index ``ST`` adds every interaction it takes part in. ``ST - S1`` is the share
  due to interactions; a parameter with ``ST`` near 0 can be fixed anywhere in its range. They
  need a sweep with ``design = "saltelli"`` (``n`` base points, ``n * (D + 2)`` points).
* **Morris elementary effects** (Morris 1991; Campolongo, Cariboni and Saltelli 2007): along
  ``n`` random one-at-a-time trajectories, the change of the indicator per step of ``p / (2 (p -
  1))`` of a parameter's range (its quantile range for a non-uniform law). ``mu*`` (the mean
  absolute effect) ranks influence; ``sigma`` (their spread) flags non-linearity or interaction.
  They need ``design = "morris"`` (``n * (D + 1)`` points); a cheap screen before Sobol.

The estimators and their bootstrap confidence intervals are SALib's (``SALib.analyze.sobol`` and
``SALib.analyze.morris``; Herman and Usher 2017; Iwanaga, Usher and Herman 2022); this module
lays the sweep's points out as SALib expects and reads the indicator at each point
(:mod:`analysis.indicators`: an outcome, a regime, or a player's payoff in the selected
equilibrium). A binary indicator's variance is ``p (1 - p)`` for its share ``p`` of points, so
indices of a rare outcome need many points.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from analysis.indicators import IndicatorError, parse_indicator, point_values, require_moves
from sim._arrays import readonly

#: Analyses and the sweep design each needs.
METHODS = {"sobol": "saltelli", "morris": "morris"}
DEFAULT_RESAMPLES = 1000
CONF_LEVEL = 0.95


@dataclass(frozen=True)
class SobolIndices:
    """First-order and total Sobol indices with bootstrap half-widths at ``conf_level``."""

    parameters: tuple[str, ...]
    S1: np.ndarray
    S1_conf: np.ndarray
    ST: np.ndarray
    ST_conf: np.ndarray
    n_base: int
    conf_level: float = CONF_LEVEL
    resamples: int = DEFAULT_RESAMPLES

    def to_dict(self) -> dict:
        return {"method": "sobol", "n_base": self.n_base, "conf_level": self.conf_level,
                "resamples": self.resamples,
                "indices": [{"parameter": p, "S1": _num(self.S1[k]), "S1_conf": _num(self.S1_conf[k]),
                             "ST": _num(self.ST[k]), "ST_conf": _num(self.ST_conf[k])}
                            for k, p in enumerate(self.parameters)]}


@dataclass(frozen=True)
class MorrisEffects:
    """Morris measures: ``mu``, ``mu_star`` (with its bootstrap half-width) and ``sigma``."""

    parameters: tuple[str, ...]
    mu: np.ndarray
    mu_star: np.ndarray
    mu_star_conf: np.ndarray
    sigma: np.ndarray
    trajectories: int
    levels: int
    conf_level: float = CONF_LEVEL
    resamples: int = DEFAULT_RESAMPLES

    def to_dict(self) -> dict:
        return {"method": "morris", "trajectories": self.trajectories, "levels": self.levels,
                "conf_level": self.conf_level, "resamples": self.resamples,
                "effects": [{"parameter": p, "mu": _num(self.mu[k]), "mu_star": _num(self.mu_star[k]),
                             "mu_star_conf": _num(self.mu_star_conf[k]), "sigma": _num(self.sigma[k])}
                            for k, p in enumerate(self.parameters)]}


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _problem(parameters) -> dict:
    return {"num_vars": len(parameters), "names": list(parameters), "bounds": [[0.0, 1.0]] * len(parameters)}


def _check_outputs(func: str, y: np.ndarray, width: int) -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    if len(y) == 0 or len(y) % width:
        raise ValueError(f"{func}(): need a multiple of {width} outputs (the design's block); got {len(y)}")
    if not np.isfinite(y).all():
        raise ValueError(f"{func}(): outputs must be finite; got {int((~np.isfinite(y)).sum())} that are not")
    return y


def sobol_indices(y, parameters, *, resamples: int = DEFAULT_RESAMPLES, conf_level: float = CONF_LEVEL,
                  seed: int = 0) -> SobolIndices:
    """Sobol first-order and total indices of outputs ``y`` laid out in Saltelli's design.

    ``y[i * (D + 2) + j]`` is the output at base row ``i``'s point ``j`` (``A``, the ``D`` mixed
    rows, ``B``; :func:`analysis.sweep.design.saltelli_uniforms`). Estimators: Saltelli et al.
    2010 (first order) and Jansen 1999 (total), with bootstrap intervals, through SALib.

    Examples
    --------
    The Ishigami function (Ishigami and Homma 1990; exact S1 = 0.314, 0.442, 0):

    >>> from analysis.sweep.design import saltelli_uniforms
    >>> x = -np.pi + 2 * np.pi * saltelli_uniforms(1, 0, 1024 * 5, 3)
    >>> y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    >>> np.round(sobol_indices(y, ["x1", "x2", "x3"]).S1, 1)
    array([0.3, 0.4, 0. ])
    """
    from SALib.analyze import sobol

    # A Generator, not the int: SALib's sobol.analyze leaves the bootstrap unseeded for seed 0.
    parameters = tuple(parameters)
    y = _check_outputs("sobol_indices", y, len(parameters) + 2)
    if np.ptp(y) == 0:
        raise ValueError(f"sobol_indices(): the output is constant (= {y[0]:g}); there is no variance to apportion")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = sobol.analyze(_problem(parameters), y, calc_second_order=False, num_resamples=resamples,
                          conf_level=conf_level, seed=np.random.default_rng(seed))
    return SobolIndices(parameters, readonly(r["S1"]), readonly(r["S1_conf"]), readonly(r["ST"]),
                        readonly(r["ST_conf"]), len(y) // (len(parameters) + 2), conf_level, resamples)


def morris_effects(x, y, parameters, levels: int, *, resamples: int = DEFAULT_RESAMPLES,
                   conf_level: float = CONF_LEVEL, seed: int = 0) -> MorrisEffects:
    """Morris measures of outputs ``y`` at the points ``x`` of ``n`` trajectories of ``D + 1`` points.

    Only the direction of each step is read from ``x`` (so ``x`` may be on the unit cube or in
    parameter units); effects are in output units per step of ``levels / (2 (levels - 1))`` of
    the unit range. Through SALib (Campolongo et al. 2007's ``mu*``).

    Examples
    --------
    >>> from analysis.sweep.design import morris_uniforms
    >>> u = morris_uniforms(0, 0, 50 * 3, 2, 4)
    >>> e = morris_effects(u, 3 * u[:, 0] + 0 * u[:, 1], ["a", "b"], 4)
    >>> np.round(e.mu_star, 6).tolist(), np.round(e.sigma, 6).tolist()
    ([3.0, 0.0], [0.0, 0.0])
    """
    from SALib.analyze import morris

    parameters = tuple(parameters)
    y = _check_outputs("morris_effects", y, len(parameters) + 1)
    x = np.asarray(x, dtype=float)
    if x.shape != (len(y), len(parameters)):
        raise ValueError(f"morris_effects(): x must have shape {(len(y), len(parameters))}; got {x.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        r = morris.analyze(_problem(parameters), x, y, num_resamples=resamples, conf_level=conf_level,
                           num_levels=levels, seed=np.random.default_rng(seed))
    return MorrisEffects(parameters, readonly(r["mu"]), readonly(r["mu_star"]), readonly(r["mu_star_conf"]),
                         readonly(r["sigma"]), len(y) // (len(parameters) + 1), levels, conf_level, resamples)


# ----- on a sweep ----------------------------------------------------------------------------------
def sweep_design(manifest: dict) -> dict | None:
    """A sweep's design record (``manifest["design"]``, else rebuilt from the recorded spec).

    Examples
    --------
    >>> sweep_design({"spec": {"sweep": {"sample": {"n": 8, "design": "saltelli", "a": {}}}}, "parameters": ["a"]})
    {'kind': 'saltelli', 'n': 8, 'parameters': ['a']}
    >>> sweep_design({"spec": {"sweep": {"grid": {"a": [0, 1]}}}}) is None
    True
    """
    if manifest.get("design") is not None:
        return manifest["design"]
    sample = manifest.get("spec", {}).get("sweep", {}).get("sample")
    if not isinstance(sample, dict):
        return None
    out = {"kind": sample.get("design", "montecarlo"), "n": sample.get("n"), "parameters": manifest.get("parameters")}
    if out["kind"] == "morris":
        out["levels"] = sample.get("levels", 4)
    return out


@dataclass(frozen=True)
class SensitivityReport:
    """Global sensitivity of one indicator over one sweep."""

    folder: str
    indicator: str
    solver: str
    n_points: int
    mean: float
    result: SobolIndices | MorrisEffects

    @property
    def method(self) -> str:
        return "sobol" if isinstance(self.result, SobolIndices) else "morris"

    def to_dict(self) -> dict:
        return {"folder": self.folder, "indicator": self.indicator, "solver": self.solver,
                "points": self.n_points, "mean": _num(self.mean), **self.result.to_dict()}

    def ranked(self) -> list[int]:
        """Parameter indices, most influential first (by ``ST``, or by ``mu*``)."""
        key = self.result.ST if isinstance(self.result, SobolIndices) else self.result.mu_star
        return sorted(range(len(key)), key=lambda k: (-np.nan_to_num(key[k], nan=-1.0), k))


def sweep_sensitivity(source, indicator: str, *, method: str | None = None, solver: str | None = None,
                      resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> SensitivityReport:
    """Sobol indices or Morris effects of ``indicator`` over a sweep folder's points.

    ``source`` is a :class:`analysis.sources.SweepSource` (or a folder); ``method`` defaults to
    what the sweep's design supports; ``solver`` picks one of the sweep's methods (default its
    first). Refuses (``IndicatorError``, one line naming the folder) a design that does not
    support the analysis, a sweep with missing points, and a payoff undefined somewhere.
    """
    from analysis.sources import SweepSource, load_sweep_source

    src = source if isinstance(source, SweepSource) else load_sweep_source(source)
    folder = str(src.path)
    design = sweep_design(src.manifest)
    kind = None if design is None else design["kind"]
    if method is None:
        method = next((m for m, d in METHODS.items() if d == kind), "sobol")
    if method not in METHODS:
        raise IndicatorError(f"sensitivity method must be one of {sorted(METHODS)} (got {method!r})")
    if kind != METHODS[method]:
        what = "a grid" if design is None else f"a {kind} sample"
        raise IndicatorError(f"{folder}: {what} does not support {method} indices; run a sweep with "
                             f"[sweep.sample] design = \"{METHODS[method]}\" (docs/sensitivity.md)")
    ind = parse_indicator(indicator)
    pv = point_values(src.table, ind, require_moves(src, ind), method=solver)
    n = int(src.manifest["n_points"])
    if len(pv.point_ids) != n or (n and pv.point_ids[-1] != n - 1):
        raise IndicatorError(f"{folder}: holds {len(pv.point_ids)} of the design's {n} points; finish the sweep "
                             "(bargain sweep ... --resume) before a sensitivity analysis")
    bad = ~np.isfinite(pv.values)
    if bad.any():
        raise IndicatorError(f"{folder}: indicator {indicator!r} is undefined at {int(bad.sum())} point(s) without an "
                             "equilibrium; use an outcome or regime indicator")
    params = tuple(design["parameters"])
    try:
        if method == "sobol":
            result = sobol_indices(pv.values, params, resamples=resamples, seed=seed)
        else:
            x = src.table.drop_duplicates("point_id").sort_values("point_id")[[f"param.{p}" for p in params]]
            result = morris_effects(x.to_numpy(float), pv.values, params, int(design["levels"]),
                                    resamples=resamples, seed=seed)
    except ValueError as exc:
        raise IndicatorError(f"{folder}: indicator {indicator!r}: {str(exc).split(': ', 1)[-1]}") from None
    return SensitivityReport(folder, ind.text, pv.method, n, float(pv.values.mean()), result)


def format_sensitivity(rep: SensitivityReport) -> str:
    """The report as a plain-text table, most influential parameter first."""
    r = rep.result
    head = (f"sensitivity of {rep.indicator!r} over {rep.folder} ({rep.n_points:,} points, {rep.solver}); "
            f"mean {rep.mean:.4g}")
    width = max(len(p) for p in r.parameters)
    lines = [head]
    level = f"{r.conf_level:.0%}"
    if isinstance(r, SobolIndices):
        lines.append(f"Sobol indices ({r.n_base} base points; +- {level} bootstrap, {r.resamples} resamples)")
        lines.append(f"  {'parameter':<{width}}  {'S1':>15}  {'ST':>15}")
        for k in rep.ranked():
            lines.append(f"  {r.parameters[k]:<{width}}  {r.S1[k]:7.3f} +- {r.S1_conf[k]:5.3f}"
                         f"  {r.ST[k]:7.3f} +- {r.ST_conf[k]:5.3f}")
        lines.append(f"  sum of S1 {np.sum(r.S1):.3f} (1 when no parameter interacts with another)")
    else:
        lines.append(f"Morris elementary effects ({r.trajectories} trajectories, {r.levels} levels; "
                     f"+- {level} bootstrap of mu*)")
        lines.append(f"  {'parameter':<{width}}  {'mu*':>15}  {'mu':>8}  {'sigma':>8}")
        for k in rep.ranked():
            lines.append(f"  {r.parameters[k]:<{width}}  {r.mu_star[k]:7.3f} +- {r.mu_star_conf[k]:5.3f}"
                         f"  {r.mu[k]:8.3f}  {r.sigma[k]:8.3f}")
    return "\n".join(lines)


def folder_supports(manifest: dict) -> str | None:
    """The analysis a sweep's design supports (``"sobol"``, ``"morris"``) or ``None``."""
    design = sweep_design(manifest)
    kind = None if design is None else design.get("kind")
    return next((m for m, d in METHODS.items() if d == kind), None)
