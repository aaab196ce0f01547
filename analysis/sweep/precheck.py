"""Everything about a sweep that can be checked before anything is written.

A sweep that would fail in its workers leaves a folder half-written; these checks run in the
driver first, each a one-line :class:`~sim.errors.ScenarioError` naming the sweep file, the field
and the bad value:

* every swept name is a parameter of the scenario, and every method can run on its kind of game
  (:func:`check_parameters`);
* every grid value, and the whole support of every sampled distribution, lies within the
  parameter's bounds (:func:`check_bounds`; a normal law's draws reach ``mean +- 8.13 sd``,
  because the design clips its uniforms to ``[eps, 1 - eps]``);
* the chance probabilities are valid at every swept point (:func:`check_chance`). They are affine
  in the parameters (a parameter, a constant, or ``rest = 1 - the others``), so checking them at
  the corners of the swept box (the vertices of a Dirichlet group's simplex) checks them
  everywhere in it;
* each method runs at the first and last point (:func:`probe_methods`): this catches what depends
  on the game rather than its kind (``lp`` on a game that is not zero-sum, ``pbe`` on a tree with
  too many profiles).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.errors import ScenarioError

#: The largest z a normal draw reaches (``norm.ppf(1 - eps)``, eps the float epsilon).
NORMAL_REACH = 8.125890664701906
#: Corners beyond this many are not enumerated (the chance check is then skipped for the rest).
MAX_CORNERS = 4096


def check_sweep(spec, model, chunk_table) -> None:
    """Run every check of this module (see the module docstring); ``chunk_table(spec, model, start,
    stop, methods=...)`` computes rows as a chunk does (:func:`analysis.sweep.run.chunk_table`)."""
    check_parameters(spec, model)
    check_bounds(spec, model)
    check_chance(spec, model)
    probe_methods(spec, model, chunk_table)


def check_parameters(spec, model) -> None:
    """Refuse a swept name the scenario lacks or a method that cannot run on the scenario's game
    (a 2-player method on 4 players, a tree method on a simultaneous scenario)."""
    from sim import registry
    from sim.errors import SolverError

    for i, method in enumerate(spec.methods):
        try:
            registry.check_applicable(method, n_players=len(model.players), tree=model.sequential)
        except SolverError as exc:
            raise ScenarioError(f"{exc} (got {method!r})", path=str(spec.path), field=f"sweep.methods[{i}]") from None
    for name in spec.parameter_names:
        if name not in model.parameter_names:
            raise ScenarioError(
                f"the scenario has no parameter of that name; it has {list(model.parameter_names)} (got {name!r})",
                path=str(spec.path), field=f"sweep.{'grid' if spec.grid else 'sample'}.{name}",
            )


def ranges(spec) -> list[tuple[str, tuple[str, ...], list[np.ndarray]]]:
    """``(field, parameters, corners)`` per swept group: the extreme points each group can reach.

    A grid axis or a one-parameter law gives its lowest and highest value; a Dirichlet group the
    vertices of its simplex.
    """
    out = []
    if spec.grid is not None:
        for axis in spec.grid:
            out.append((f"sweep.grid.{axis.name}", (axis.name,),
                        [np.array([min(axis.values)]), np.array([max(axis.values)])]))
        return out
    for d in spec.distributions:
        a = dict(d.args)
        field = f"sweep.sample.{d.name}"
        if d.kind in ("uniform", "triangular"):
            lo, hi = a["low"], a["high"]
        elif d.kind == "normal":
            lo, hi = a["mean"] - NORMAL_REACH * a["sd"], a["mean"] + NORMAL_REACH * a["sd"]
        elif d.kind == "beta":
            lo, hi = 0.0, 1.0
        else:
            k = d.dimension
            out.append((field, d.parameters, list(np.eye(k))))
            continue
        out.append((field, d.parameters, [np.array([lo]), np.array([hi])]))
    return out


def check_bounds(spec, model) -> None:
    """Refuse a grid value or a distribution's support outside a parameter's bounds."""
    c = model.compiled
    for field, names, corners in ranges(spec):
        values = np.stack(corners)
        for j, name in enumerate(names):
            if name not in model.parameter_names:
                continue
            k = model.parameter_names.index(name)
            lo, hi = float(values[:, j].min()), float(values[:, j].max())
            lower, upper = float(c.lower[k]), float(c.upper[k])
            if lo >= lower and hi <= upper:
                continue
            bad = lo if lo < lower else hi
            what = "a grid value" if spec.grid is not None else f"the sampled law's support [{lo:.6g}, {hi:.6g}]"
            raise ScenarioError(f"{what} lies outside parameter {name!r}'s bounds [{lower:g}, {upper:g}] "
                                f"in {c.scenario.path or 'the scenario'} (got {bad:.6g})",
                                path=str(spec.path), field=field)


def _chance_parameters(model) -> set[str]:
    from sim.scenario.schema import REST, ChanceMove

    if not model.sequential:
        return set()
    return {p for m in model.compiled.scenario.timing if isinstance(m, ChanceMove)
            for _, p in m.outcomes if isinstance(p, str) and p != REST}


def check_chance(spec, model) -> None:
    """Refuse a sweep whose swept points give invalid chance probabilities (checked at the corners)."""
    used = _chance_parameters(model)
    groups = [g for g in ranges(spec) if used & set(g[1])]
    if not groups or math.prod(len(g[2]) for g in groups) > MAX_CORNERS:
        return
    names = spec.parameter_names
    base = np.array([model.defaults[model.parameter_names.index(n)] for n in names], dtype=float)
    rows, labels = [], []
    for combo in itertools.product(*(g[2] for g in groups)):
        row = base.copy()
        label = []
        for (field, params, _), values in zip(groups, combo):
            for p, v in zip(params, values):
                row[names.index(p)] = v
                label.append(f"{p}={v:.6g}")
        rows.append(row)
        labels.append(", ".join(label))
    full = model.full_points(names, np.array(rows))
    for row, label in zip(full, labels):
        try:
            model.compiled.chance_probabilities(row[None], check=False)
        except ScenarioError as exc:
            raise ScenarioError(f"the swept point {label} makes the chance probabilities of {exc.field} in "
                                f"{model.compiled.scenario.path or 'the scenario'} invalid ({exc.detail})",
                                path=str(spec.path), field=groups[0][0]) from None


def probe_methods(spec, model, chunk_table) -> None:
    """Run each method at the sweep's first and last point; a failure names the method's field."""
    n = spec.n_points
    for i, method in enumerate(spec.methods):
        for k in sorted({0, n - 1}):
            try:
                chunk_table(spec, model, k, k + 1, methods=(method,))
            except ScenarioError as exc:
                raise ScenarioError(f"{exc.detail} at point {k} (method {method!r})",
                                    path=exc.path or str(spec.path), field=exc.field or f"sweep.methods[{i}]") from None
            except (ValueError, ArithmeticError) as exc:
                first = (str(exc) or type(exc).__name__).splitlines()[0]
                raise ScenarioError(f"cannot run at point {k} of the sweep: {first} (got {method!r})",
                                    path=str(spec.path), field=f"sweep.methods[{i}]") from None
