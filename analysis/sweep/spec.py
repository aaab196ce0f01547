"""Sweep files: TOML naming a scenario, methods, a seed, and a grid or a sampling design.

::

    [sweep]
    scenario = "baseline-2009.toml"     # relative to the sweep file
    methods = ["enumpure"]                 # optional: enumpure, or spe for a sequential scenario
    seed = 20090929
    chunk_size = 50000                  # optional, points per chunk

    [sweep.options.logit]               # optional: a method's options, as in sim.registry
    lambda = 3.0

    [sweep.grid]                        # either a grid ...
    isolation_weight = { start = 0.0, stop = 1.0, num = 21 }
    shield_value = [0.5, 1.0, 2.0]

    [sweep.sample]                      # ... or a sample
    n = 10000
    design = "sobol"                    # "montecarlo" | "lhs" | "sobol" | "saltelli" | "morris"
    isolation_weight = { dist = "uniform", low = 0.0, high = 1.0 }
    shield_value = { dist = "normal", mean = 1.0, sd = 0.2 }
    p_committed = { dist = "beta", a = 2.0, b = 5.0 }
    caucasus_weight = { dist = "triangular", low = 0.0, mode = 0.3, high = 1.0 }
    russia_goals = { dist = "dirichlet", parameters = ["w_iso", "w_anti", "w_cauc"], alpha = [1, 1, 1] }

Two designs serve global sensitivity analysis (``bargain sensitivity``, :mod:`analysis.sensitivity`):
``design = "saltelli"`` (Saltelli 2002, as SALib's ``sample.sobol``: ``n`` base points, a power of
two, give ``n * (D + 2)`` points for Sobol first-order and total indices) and ``design = "morris"``
(Morris 1991: ``n`` one-at-a-time trajectories of ``D + 1`` points on ``levels`` levels, default
4). Both need independent parameters (no Dirichlet group); Morris needs bounded laws (no normal).

Errors are :class:`sim.errors.ScenarioError` naming the file, the field and the bad value.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import inputs, registry
from sim.errors import ScenarioError

DESIGNS = ("montecarlo", "lhs", "sobol", "saltelli", "morris")
#: Designs whose points are laid out for a sensitivity analysis (point ids by base row or trajectory).
SENSITIVITY_DESIGNS = ("saltelli", "morris")
DEFAULT_LEVELS = 4
DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "beta": ("a", "b"),
    "dirichlet": ("parameters", "alpha"),
}
MAX_POINTS = 10**9
#: A grid axis lists at most this many values (``num`` is checked before any value is built).
MAX_AXIS_VALUES = 1_000_000
#: A grid has at most this many axes (NumPy holds at most 64 axes; a point id is unravelled over them).
MAX_GRID_AXES = 32
DEFAULT_CHUNK = 50_000


@dataclass(frozen=True)
class GridAxis:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Distribution:
    """One sampled dimension group: a named distribution over one parameter (or a Dirichlet group)."""

    name: str
    kind: str
    args: tuple[tuple[str, Any], ...]

    @property
    def parameters(self) -> tuple[str, ...]:
        if self.kind == "dirichlet":
            return tuple(dict(self.args)["parameters"])
        return (self.name,)

    @property
    def dimension(self) -> int:
        return len(self.parameters)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep."""

    path: Path
    scenario_path: Path
    methods: tuple[str, ...]
    seed: int
    chunk_size: int
    grid: tuple[GridAxis, ...] | None
    sample_n: int | None
    design: str | None
    distributions: tuple[Distribution, ...]
    raw: dict
    #: Per method, its options as the solver's keyword arguments (checked by :mod:`sim.registry`).
    options: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    #: Levels of a Morris design (``None`` for the other designs).
    levels: int | None = None

    def options_for(self, method: str) -> dict[str, Any]:
        """The keyword arguments ``method`` runs with (empty when the file gives none)."""
        return dict(dict(self.options).get(method, ()))

    @property
    def n_points(self) -> int:
        if self.grid is not None:
            return math.prod(len(a.values) for a in self.grid)
        return design_size(self.design, int(self.sample_n), sum(d.dimension for d in self.distributions))

    @property
    def parameter_names(self) -> tuple[str, ...]:
        if self.grid is not None:
            return tuple(a.name for a in self.grid)
        return tuple(p for d in self.distributions for p in d.parameters)

    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(self.raw, sort_keys=True, default=str).encode()).hexdigest()


def design_size(design: str | None, n: int, dim: int) -> int:
    """Points of a sampled design: ``n``, except Saltelli's ``n * (D + 2)`` and Morris's ``n * (D + 1)``.

    Examples
    --------
    >>> design_size("sobol", 64, 3), design_size("saltelli", 64, 3), design_size("morris", 10, 3)
    (64, 320, 40)
    """
    if design == "saltelli":
        return n * (dim + 2)
    if design == "morris":
        return n * (dim + 1)
    return n


def design_record(spec: "SweepSpec") -> dict | None:
    """What a sensitivity analysis needs to read a sweep's points back: the manifest's ``design``.

    ``None`` for a grid; for a sample ``{"kind", "n", "parameters", "levels"}`` (``levels`` only
    for Morris), where ``n`` is the sample's ``n`` (base points or trajectories).
    """
    if spec.grid is not None:
        return None
    out = {"kind": spec.design, "n": spec.sample_n, "parameters": list(spec.parameter_names)}
    if spec.design == "morris":
        out["levels"] = spec.levels
    return out


def _err(path, field, message, value) -> ScenarioError:
    return ScenarioError(f"{message} (got {value!r})", path=str(path), field=field)


def _number(path, field, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _err(path, field, "must be a finite number", value)
    try:
        value = float(value)
    except OverflowError:  # an integer beyond the float range
        raise ScenarioError(f"must be a finite number, at most {inputs.MAX_NUMBER:.3g} in size (got an integer of "
                            f"{len(str(abs(value))):,} digits)", path=str(path), field=field) from None
    if not math.isfinite(value):
        raise _err(path, field, "must be a finite number", value)
    return value


def _table(path, field, value) -> dict:
    if not isinstance(value, dict):
        raise _err(path, field, "must be a table", value)
    return value


def _axis_size(spec) -> int:
    """How many values a grid axis will have (1 for a malformed one: :func:`_grid_axis` reports it)."""
    if isinstance(spec, list):
        return max(1, len(spec))
    if isinstance(spec, dict) and isinstance(spec.get("num"), int) and not isinstance(spec["num"], bool):
        return max(1, spec["num"])
    return 1


def _grid_axis(path, name, spec) -> GridAxis:
    field = f"sweep.grid.{name}"
    if isinstance(spec, list):
        if not spec:
            raise _err(path, field, "must list at least one value", spec)
        values = tuple(_number(path, f"{field}[{i}]", v) for i, v in enumerate(spec))
    elif isinstance(spec, dict):
        unknown = set(spec) - {"start", "stop", "num"}
        if unknown:
            raise _err(path, f"{field}.{sorted(unknown)[0]}", "unknown key; expected start, stop, num", sorted(unknown)[0])
        for key in ("start", "stop", "num"):
            if key not in spec:
                raise _err(path, f"{field}.{key}", "is required", None)
        start = _number(path, f"{field}.start", spec["start"])
        stop = _number(path, f"{field}.stop", spec["stop"])
        num = spec["num"]
        if isinstance(num, bool) or not isinstance(num, int) or not 1 <= num <= MAX_AXIS_VALUES:
            raise _err(path, f"{field}.num", f"must be an integer in 1..{MAX_AXIS_VALUES:,}", num)
        if num == 1:
            values = (start,)
        else:
            step = (stop - start) / (num - 1)
            values = tuple(start + k * step for k in range(num - 1)) + (stop,)
    else:
        raise _err(path, field, "must be a list of numbers or {start, stop, num}", spec)
    return GridAxis(name, values)


def _distribution(path, name, spec) -> Distribution:
    field = f"sweep.sample.{name}"
    spec = _table(path, field, spec)
    kind = spec.get("dist")
    if kind not in DISTRIBUTIONS:
        raise _err(path, f"{field}.dist", f"must be one of {sorted(DISTRIBUTIONS)}", kind)
    needed = DISTRIBUTIONS[kind]
    unknown = set(spec) - set(needed) - {"dist"}
    if unknown:
        raise _err(path, f"{field}.{sorted(unknown)[0]}", f"unknown key for {kind}; expected {list(needed)}", sorted(unknown)[0])
    for key in needed:
        if key not in spec:
            raise _err(path, f"{field}.{key}", f"is required for {kind}", None)
    if kind == "dirichlet":
        params, alpha = spec["parameters"], spec["alpha"]
        if not isinstance(params, list) or len(params) < 2 or not all(isinstance(p, str) for p in params):
            raise _err(path, f"{field}.parameters", "must list two or more parameter names", params)
        if len(set(params)) != len(params):
            raise _err(path, f"{field}.parameters", "must not repeat a name", params)
        if not isinstance(alpha, list) or len(alpha) != len(params):
            raise _err(path, f"{field}.alpha", f"must list {len(params)} concentrations", alpha)
        alpha = [_number(path, f"{field}.alpha[{i}]", a) for i, a in enumerate(alpha)]
        if min(alpha) <= 0:
            raise _err(path, f"{field}.alpha", "concentrations must be positive", alpha)
        args = (("parameters", tuple(params)), ("alpha", tuple(alpha)))
    else:
        values = {k: _number(path, f"{field}.{k}", spec[k]) for k in needed}
        if kind == "uniform" and not values["low"] < values["high"]:
            raise _err(path, f"{field}.high", "must exceed low", values["high"])
        if kind == "normal" and values["sd"] <= 0:
            raise _err(path, f"{field}.sd", "must be positive", values["sd"])
        if kind == "triangular" and not values["low"] <= values["mode"] <= values["high"] or (
            kind == "triangular" and values["low"] == values["high"]
        ):
            raise _err(path, f"{field}.mode", "must satisfy low <= mode <= high with low < high", values["mode"])
        if kind == "beta" and (values["a"] <= 0 or values["b"] <= 0):
            raise _err(path, f"{field}", "beta shapes a and b must be positive", (values["a"], values["b"]))
        args = tuple(values.items())
    return Distribution(name, kind, args)


def parse_sweep(doc: dict, path: Path) -> SweepSpec:
    """Validate a parsed sweep document (see the module docstring for the schema)."""
    unknown_top = set(doc) - {"sweep"}
    if unknown_top:
        raise _err(path, sorted(unknown_top)[0], "unknown table; a sweep file has only [sweep]", sorted(unknown_top)[0])
    sweep = _table(path, "sweep", doc.get("sweep"))
    allowed = {"scenario", "methods", "seed", "chunk_size", "grid", "sample", "description", "options"}
    unknown = set(sweep) - allowed
    if unknown:
        raise _err(path, f"sweep.{sorted(unknown)[0]}", f"unknown key; expected {sorted(allowed)}", sorted(unknown)[0])
    scenario = sweep.get("scenario")
    if not isinstance(scenario, str) or not scenario:
        raise _err(path, "sweep.scenario", "must name a scenario file relative to the sweep file", scenario)
    base = path.parent.resolve()
    scenario_path = (base / scenario).resolve()
    if not scenario_path.is_relative_to(base) and not scenario_path.is_relative_to(base.parent):
        raise _err(path, "sweep.scenario", "must stay inside the sweep file's folder or its parent", scenario)
    if not scenario_path.is_file():
        raise _err(path, "sweep.scenario", "no such scenario file", scenario)
    methods = sweep.get("methods")
    if methods is None:
        methods = default_methods(scenario_path)
    if not isinstance(methods, list) or not methods:
        raise _err(path, "sweep.methods", "must be a non-empty list of method names", methods)
    sweepable = registry.names(("game", "tree"))
    for i, m in enumerate(methods):
        if not isinstance(m, str):
            raise _err(path, f"sweep.methods[{i}]", f"must be a method name (a string); choose from {sweepable}", m)
        if m not in sweepable:
            what = "unknown method" if m not in registry.METHODS else \
                f"a {registry.METHODS[m].kind} method, not an equilibrium method"
            raise _err(path, f"sweep.methods[{i}]", f"{what}; choose from {sweepable}", m)
    options = _options(path, sweep.get("options", {}), methods)
    seed = sweep.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err(path, "sweep.seed", "must be a non-negative integer", seed)
    chunk = sweep.get("chunk_size", DEFAULT_CHUNK)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise _err(path, "sweep.chunk_size", "must be a positive integer", chunk)
    has_grid, has_sample = "grid" in sweep, "sample" in sweep
    if has_grid == has_sample:
        raise _err(path, "sweep", "needs exactly one of [sweep.grid] or [sweep.sample]", sorted(k for k in ("grid", "sample") if k in sweep))
    grid, n, design, dists = None, None, None, ()
    if has_grid:
        table = _table(path, "sweep.grid", sweep["grid"])
        if not table:
            raise _err(path, "sweep.grid", "must name at least one parameter", table)
        if len(table) > MAX_GRID_AXES:
            raise _err(path, "sweep.grid", f"may sweep at most {MAX_GRID_AXES} parameters", len(table))
        # The point limit is checked on the declared sizes, before any value is built.
        count = math.prod(_axis_size(spec) for spec in table.values())
        if count > MAX_POINTS:
            raise _err(path, "sweep.grid", f"has more than {MAX_POINTS:,} points", count)
        grid = tuple(_grid_axis(path, name, spec) for name, spec in table.items())
    else:
        table = dict(_table(path, "sweep.sample", sweep["sample"]))
        n = table.pop("n", None)
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_POINTS:
            raise _err(path, "sweep.sample.n", f"must be an integer in 1..{MAX_POINTS}", n)
        design = table.pop("design", "montecarlo")
        if design not in DESIGNS:
            raise _err(path, "sweep.sample.design", f"must be one of {list(DESIGNS)}", design)
        levels = table.pop("levels", None)
        if design == "morris":
            levels = DEFAULT_LEVELS if levels is None else levels
            if isinstance(levels, bool) or not isinstance(levels, int) or levels < 2 or levels % 2:
                raise _err(path, "sweep.sample.levels", "must be an even integer >= 2 (Morris levels)", levels)
        elif levels is not None:
            raise _err(path, "sweep.sample.levels", "applies to design = \"morris\" only", levels)
        if not table:
            raise _err(path, "sweep.sample", "must give a distribution for at least one parameter", table)
        dists = tuple(_distribution(path, name, spec) for name, spec in table.items())
        names = [p for d in dists for p in d.parameters]
        dupes = sorted({p for p in names if names.count(p) > 1})
        if dupes:
            raise _err(path, "sweep.sample", "samples a parameter twice", dupes[0])
        if design in SENSITIVITY_DESIGNS:
            _check_sensitivity_design(path, design, n, dists)
            count = design_size(design, n, len(names))
            if count > MAX_POINTS:
                raise _err(path, "sweep.sample.n", f"gives more than {MAX_POINTS} points", count)
    return SweepSpec(path, scenario_path, tuple(methods), seed, chunk, grid, n, design, dists, doc, options,
                     levels if design == "morris" else None)


def _check_sensitivity_design(path, design, n, dists) -> None:
    """Saltelli's design wants a power-of-two base and independent inputs; Morris bounded ones."""
    for d in dists:
        if d.kind == "dirichlet":
            raise _err(path, f"sweep.sample.{d.name}.dist",
                       f"a {design} design needs independent parameters; a Dirichlet group is not", d.kind)
        if design == "morris" and d.kind == "normal":
            raise _err(path, f"sweep.sample.{d.name}.dist",
                       "a morris design needs bounded laws (uniform, triangular, beta)", d.kind)
    if design == "saltelli" and n & (n - 1):
        raise _err(path, "sweep.sample.n", "must be a power of two for a saltelli design (Sobol balance)", n)


def default_methods(scenario_path: Path) -> list[str]:
    """The methods of a sweep file that names none: ``spe`` for a sequential scenario (a tree's
    own method, which needs no reduced normal form and lists one equilibrium per tie-free point),
    ``enumpure`` for a simultaneous one."""
    from sim.scenario import load_scenario

    return ["spe"] if load_scenario(scenario_path).sequential else ["enumpure"]


def _options(path, table, methods) -> tuple:
    """``[sweep.options.METHOD]`` tables, each name and value checked against the registry."""
    from sim.errors import SolverError

    table = _table(path, "sweep.options", table)
    out = []
    for method, opts in table.items():
        if method not in methods:
            raise _err(path, f"sweep.options.{method}", f"options for a method the sweep does not run; it runs {methods}",
                       method)
        opts = _table(path, f"sweep.options.{method}", opts)
        spec = registry.get(method)
        kwargs = {}
        for name, value in opts.items():
            try:
                kwargs.update(registry.check_options(method, {name: value}))
            except SolverError as exc:
                field = f"sweep.options.{method}.{name}"
                if not any(o.name == name for o in spec.options):
                    raise _err(path, field, f"unknown option; {method}'s options are {[o.name for o in spec.options]}",
                               name) from None
                raise _err(path, field, str(exc).split("; got ")[0], value) from None
        out.append((method, tuple(sorted(kwargs.items()))))
    return tuple(out)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file."""
    path = Path(path)
    try:
        text = inputs.read_bounded(path, inputs.MAX_FILE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise ScenarioError("no such sweep file", path=str(path)) from None
    except inputs.InputError as exc:
        raise ScenarioError(str(exc), path=str(path), field="(file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read sweep file ({exc})", path=str(path)) from None
    try:
        doc = inputs.parse_toml(text)
    except inputs.InputError as exc:
        detail = str(exc).replace("not valid TOML", "invalid TOML", 1)
        raise ScenarioError(detail, path=str(path), field="(toml)", line=exc.line) from None
    return parse_sweep(doc, path)
