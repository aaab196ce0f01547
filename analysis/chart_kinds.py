"""The kinds of ``bargain chart``: one table from a kind's name to what it draws and needs.

Each entry of :data:`CHART_KINDS` gives a one-line description (the command's help), the source it
needs (checked by :func:`make_chart` before drawing) and a builder from loaded sources
(:mod:`analysis.sources`) to a Figure (:mod:`analysis.charts`). Adding a chart kind is its builder
plus one entry. Builders import matplotlib, pandas and the solvers inside, so reading the table
(as the command line does to build its parser) stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

#: What a kind draws from: ``"sweep"`` (the first source must be a sweep output folder),
#: ``"scenario"`` (every source must be a scenario file) or ``"any"`` (the builder decides).
NEEDS = ("sweep", "scenario", "any")


@dataclass(frozen=True)
class ChartKind:
    """A chart kind: description, the source it needs, and ``build(sources, *, x, y, tol) -> Figure``.

    ``slices``: the kind draws a slice of the other parameters and takes ``fixed`` (``--set``).
    """

    summary: str
    needs: str
    build: Callable
    slices: bool = False


def _sweep_method(src) -> tuple[list[str], str]:
    return list(src.manifest["parameters"]), src.manifest["methods"][0]


def _labels(src):
    """Axis labels of the source's scenario parameters (description, unit, name), if it has one."""
    from analysis import charts

    scenario = getattr(getattr(src, "compiled", None), "scenario", None)
    return charts.parameter_labels(scenario) if scenario is not None else None


def _regime_map(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.compare import point_table, regime_key
    from sim.errors import ScenarioError

    src = sources[0]
    params, method = _sweep_method(src)
    if len(params) < 2 and not (x and y):
        raise ScenarioError("a regime map needs a sweep over two parameters", path=str(src.path))
    table = charts.path_regimes(src.table)  # a tree's regimes by what happens on the path
    names = regime_key(point_table(table, method)["regime"].value_counts().index.tolist())
    return charts.regime_map(table, x or params[0], y or params[1], method=method, names=names,
                             labels=_labels(src))


def _along(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.compare import find_thresholds

    src = sources[0]
    params, method = _sweep_method(src)
    # Thresholds are bisected on the scenario (a sequential one by subgame-perfect play); without
    # the scenario, regime changes are marked midway between grid points.
    th = find_thresholds(src.table, src.compiled, method=method, tol=tol) if src.compiled is not None else ()
    return charts.along_parameter(charts.path_regimes(src.table), x or params[0], method=method, thresholds=th,
                                  labels=_labels(src))


def _frequencies(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.compare import outcome_frequencies

    src = sources[0]
    table = src.table
    if "path" in table.columns:  # a tree's outcomes by what happens, not by reduced strategies
        table = table.assign(outcome=table["path"].astype(str))
    return charts.outcome_frequency_chart(outcome_frequencies(table, _sweep_method(src)[1]))


def _tornado(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.compare import point_table, sensitivity
    from analysis.sources import SweepSource
    from sim.errors import ScenarioError

    src = sources[0]
    if isinstance(src, SweepSource):
        if src.compiled is None:
            raise ScenarioError("the tornado chart needs the scenario the sweep ran on (not found by content hash)",
                                path=str(src.path))
        pts = point_table(src.table, _sweep_method(src)[1])
        ranges = {c[6:]: (float(pts[c].min()), float(pts[c].max())) for c in pts.columns if c.startswith("param.")}
        return charts.tornado_chart(sensitivity(src.compiled, ranges=ranges), labels=_labels(src))
    _require("tornado", "scenario", sources)
    return charts.tornado_chart(sensitivity(src.compiled), labels=_labels(src))


def _payoffs(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.compare import Setting

    return charts.payoff_bars([Setting(s.scenario.id, s.results[0]) for s in sources])


def _tree(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from sim.errors import ScenarioError

    src = sources[0]
    if not src.compiled.sequential:
        raise ScenarioError("chart tree needs a sequential scenario", path=str(src.path))
    spe = src.results[0]  # subgame-perfect equilibria come first for a sequential scenario
    return charts.tree_chart(src.game, spe.equilibria[0].details["behaviour"] if spe.equilibria else None)


def _qre(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from sim.errors import ScenarioError
    from sim.solvers import solve

    src = sources[0]
    if src.compiled.sequential:
        raise ScenarioError("chart qre needs a simultaneous-move scenario", path=str(src.path))
    return charts.qre_branch_chart(solve(src.normal_form, "logit"))


def _frontier(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.frontier import SOLUTION_NAMES, frontier_solutions
    from sim.errors import ScenarioError

    src = sources[0]
    fs = frontier_solutions(src.scenario)
    if len(fs.players) != 2:
        raise ScenarioError(f"chart frontier needs two bargaining players (got {len(fs.players)})", path=str(src.path))
    return charts.frontier_chart(fs.frontier, fs.disagreement, fs.points(SOLUTION_NAMES), players=fs.players)


def _repeated(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from sim.repeated import repeated_from_scenario

    analysis = repeated_from_scenario(sources[0].scenario)  # refuses a scenario without [repeated]
    names = analysis.game.players
    pair = (x or names[0], y or names[1]) if len(names) > 2 or x or y else (0, 1)
    return charts.feasible_ir_chart(analysis, players=pair)


def _region_map(sources, *, x=None, y=None, tol=1e-6, fixed=None):
    from analysis import charts
    from sim.errors import ScenarioError
    from sim.regions import equilibrium_regions

    c = sources[0].compiled
    fixed = dict(fixed or {})
    bounded = [n for n, lo, hi in zip(c.parameter_names, c.lower, c.upper)
               if lo < hi < float("inf") and lo > float("-inf") and n not in fixed]
    axes = [x or (bounded[0] if bounded else None), y or (bounded[1] if len(bounded) > 1 else None)]
    if None in axes:
        raise ScenarioError("a region map needs two parameters with finite bounds (--x, --y)", path=str(sources[0].path))
    for n in fixed:
        if n in axes:
            raise ScenarioError(f"--set {n}: {n} is on an axis of the map; --set holds the other parameters "
                                f"(axes: {axes[0]}, {axes[1]})", path=str(sources[0].path))
    return charts.region_map(equilibrium_regions(c, vary=axes, fixed=fixed), *axes)


#: Chart kinds in the order ``bargain chart --help`` lists them.
def _sensitivity(sources, *, x=None, y=None, tol=1e-6):
    from analysis import charts
    from analysis.sensitivity import sweep_sensitivity

    # The report's indicator: whether the commonest regime holds (bargain sensitivity takes any).
    return charts.sensitivity_chart(sweep_sensitivity(sources[0], "regime: R1").result,
                                    title="Sensitivity of regime R1")


CHART_KINDS: dict[str, ChartKind] = {
    "regime-map": ChartKind("regimes over two swept parameters (--x, --y)", "sweep", _regime_map),
    "along": ChartKind("payoffs and action probabilities along one swept parameter (--x), thresholds dashed",
                       "sweep", _along),
    "frequencies": ChartKind("share of points where each outcome is an equilibrium, with Wilson intervals",
                             "sweep", _frequencies),
    "tornado": ChartKind("which parameter, moved alone, changes the baseline regime most (sweep or scenario)",
                         "any", _tornado),
    "sensitivity": ChartKind("Sobol indices (saltelli sweep) or Morris effects (morris sweep) of whether the "
                             "commonest regime holds; bargain sensitivity takes any indicator", "sweep", _sensitivity),
    "payoffs": ChartKind("equilibrium payoffs across scenario files", "scenario", _payoffs),
    "tree": ChartKind("a sequential scenario's game tree with its first subgame-perfect path", "scenario", _tree),
    "qre": ChartKind("a simultaneous scenario's logit QRE branch", "scenario", _qre),
    "frontier": ChartKind("a two-player [bargaining] table: frontier, disagreement point, solutions",
                          "scenario", _frontier),
    "region-map": ChartKind("a scenario's exact equilibrium regions over two parameters (--x, --y), the others at "
                            "their defaults or --set values; overlaps hatched", "scenario", _region_map, slices=True),
    "repeated": ChartKind("a [repeated] table: feasible and individually rational payoffs, minmax point, targets "
                          "(--x, --y: two players)", "scenario", _repeated),
}


def _require(kind: str, needs: str, sources) -> None:
    from analysis.sources import ScenarioSource, SweepSource
    from sim.errors import ScenarioError

    if needs == "sweep" and not isinstance(sources[0], SweepSource):
        raise ScenarioError(f"chart {kind} needs a sweep output folder", path=str(sources[0].path))
    if needs == "scenario" and not all(isinstance(s, ScenarioSource) for s in sources):
        raise ScenarioError(f"chart {kind} needs scenario files")


def make_chart(kind: str, sources, *, x=None, y=None, tol: float = 1e-6, fixed=None):
    """The Figure of ``kind`` for loaded sources (see :func:`analysis.sources.load_source`).

    ``fixed`` (``--set NAME=VALUE``) holds parameters at values for a kind that draws a slice
    (``region-map``); other kinds refuse it.

    Examples
    --------
    >>> make_chart("pie", [])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    sim.errors.ScenarioError: unknown chart kind 'pie'; choose one of: regime-map, along, frequencies, ...
    """
    from sim.errors import ScenarioError

    spec = CHART_KINDS.get(kind)
    if spec is None:
        raise ScenarioError(f"unknown chart kind {kind!r}; choose one of: {', '.join(CHART_KINDS)}")
    if fixed and not spec.slices:
        sliced = ", ".join(n for n, k in CHART_KINDS.items() if k.slices)
        raise ScenarioError(f"--set applies to the chart kinds that draw a slice ({sliced}); got chart {kind}")
    _require(kind, spec.needs, sources)
    if spec.slices:
        return spec.build(sources, x=x, y=y, tol=tol, fixed=dict(fixed or {}))
    return spec.build(sources, x=x, y=y, tol=tol)
