"""Robust levers: the value of a parameter a player controls that makes an outcome hold in the
most plausible worlds, and what it costs the player.

A *lever* is a parameter of the scenario that one player sets (a concession's size, an offer);
the *worlds* are a sample of the other uncertain parameters (every parameter with bounds, the
lever excepted), drawn over their ranges by scrambled Sobol, the same box ``bargain hypotheses``
measures claims in. For each candidate value of the lever the outcome (a claim of the scenario,
or a condition on the equilibrium path) is measured in every world, and the player's expected
payoff in equilibrium is averaged there. The report gives, per value: the share of worlds where
the outcome holds with its Wilson interval, the player's mean payoff and its 10th percentile
across worlds (a bad-case payoff); the value that maximises the share (ties broken by the mean
payoff), and the values that are not dominated in (share, mean payoff): the trade-off an analyst
shows.

This is robust decision making's question (Lempert, Popper and Bankes 2003, *Shaping the Next One
Hundred Years*, RAND MR-1626; as EMA Workbench's ``robust_optimize`` asks it with a robustness
function such as "fraction of scenarios meeting the target") answered exhaustively over a grid of
lever values, since one lever is one dimension.

Examples
--------
>>> from sim.scenario import compile_scenario, load_scenario
>>> c = compile_scenario(load_scenario("tests/data/levers/offer.toml"))
>>> r = lever_report(c, "concession", where="path: Russia=press", player="US", samples=64, values=5)
>>> [round(v.share, 2) for v in r.values]
[0.0, 0.25, 0.5, 0.75, 1.0]
>>> r.robust.value, [v.value for v in r.pareto]
(1.0, [0.0, 0.25, 0.5, 0.75, 1.0])
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from sim.errors import ScenarioError
from sim.scenario.claims import Claim, Condition

#: Candidate lever values by default (evenly spaced over the lever's bounds, ends included).
DEFAULT_VALUES = 21
#: Worlds sampled by default for a batched claim (a perfect-information tree under spe, or pbe),
#: and for a claim measured one point at a time.
DEFAULT_WORLDS = 256
DEFAULT_WORLDS_SLOW = 64
#: The bad-case payoff is this quantile of the player's payoff across worlds.
LOW_QUANTILE = 0.1
_WHERE = re.compile(r"(not\s+)?path\s*:\s*(.+)", re.S)
_PAIR = re.compile(r"([A-Za-z0-9_.-]+)\s*=\s*([A-Za-z0-9_.|-]+)")


@dataclass(frozen=True)
class LeverValue:
    """One candidate value of the lever, measured over the worlds."""

    value: float
    share: float  # of worlds where the outcome holds
    interval: tuple[float, float]  # Wilson 95% interval of the share
    mean_payoff: float  # the player's, averaged over worlds (and over equilibria within one)
    low_payoff: float  # its LOW_QUANTILE across worlds
    undecided: int  # worlds with no verdict (no equilibrium found, or an incomplete list)

    def to_dict(self) -> dict:
        return {"value": self.value, "share": self.share, "share_interval": list(self.interval),
                "mean_payoff": _finite(self.mean_payoff), "low_payoff": _finite(self.low_payoff),
                "undecided": self.undecided}


@dataclass(frozen=True)
class LeverReport:
    """What :func:`lever_report` found (see the module docstring)."""

    scenario: str
    lever: str
    player: str
    outcome: str  # the claim or condition, in words
    worlds: str  # how the worlds were drawn
    varied: tuple[str, ...]  # the parameters that differ between worlds
    values: tuple[LeverValue, ...]
    default: float  # the lever's value in the scenario file (or as --set)
    robust: LeverValue  # the value that maximises the share (ties: the higher mean payoff)
    pareto: tuple[LeverValue, ...]  # not dominated in (share, mean payoff), by value

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "lever": self.lever, "player": self.player, "outcome": self.outcome,
                "worlds": self.worlds, "varied": list(self.varied), "default": self.default,
                "robust": self.robust.to_dict(), "pareto": [v.value for v in self.pareto],
                "values": [v.to_dict() for v in self.values]}


def _finite(x: float):
    return float(x) if math.isfinite(x) else None


def parse_where(text: str, compiled) -> Claim:
    """A condition on the equilibrium path, written ``"path: MOVE=ACTION, MOVE=A1|A2"`` (or
    ``"not path: ..."``), as a one-condition claim. Nothing is evaluated: the text is matched
    against move and action names.

    Examples
    --------
    >>> from sim.scenario import compile_scenario, load_scenario
    >>> c = compile_scenario(load_scenario("tests/data/claims/entry.toml"))
    >>> parse_where("path: E=in, I=share", c).conditions[0].path
    (('E', ('in',)), ('I', ('share',)))
    >>> parse_where("path: E=maybe", c)
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: ...: --where: unknown action of move E; it has in, out (got 'maybe')
    """
    from sim.claims import _labels

    path = compiled.scenario.path
    m = _WHERE.fullmatch(text.strip())
    if not m:
        raise ScenarioError(f"write a condition as 'path: MOVE=ACTION, ...' or 'not path: ...' (got {text!r})",
                            path=path, field="--where")
    labels = _labels(compiled)
    moves_of: dict[str, list[str]] = {}
    if compiled.sequential:
        for move in compiled.scenario.timing:
            moves_of.setdefault(getattr(move, "player", move.key), []).append(move.key)
    pairs = [p.strip() for p in m.group(2).split(",") if p.strip()]
    out = []
    for pair in pairs:
        pm = _PAIR.fullmatch(pair)
        if not pm:
            raise ScenarioError(f"write each part as MOVE=ACTION (got {pair!r})", path=path, field="--where")
        move, acts = pm.group(1), tuple(pm.group(2).split("|"))
        if move not in labels and len(moves_of.get(move, ())) == 1:
            move = moves_of[move][0]  # a player named for its only move
        if move not in labels:
            raise ScenarioError(f"unknown move; moves are {', '.join(labels)} (got {move!r})", path=path,
                                field="--where")
        for a in acts:
            if a not in labels[move]:
                raise ScenarioError(f"unknown action of move {move}; it has {', '.join(labels[move])} (got {a!r})",
                                    path=path, field="--where")
        out.append((move, acts))
    cond = Condition(path=tuple(out), negate=bool(m.group(1)))
    return Claim(id="where", claim=text.strip(), quote="", conditions=(cond,))


def _claim(compiled, claim: str | None, where: str | None) -> Claim:
    if (claim is None) == (where is None):
        raise ScenarioError("give exactly one outcome: a claim id (--claim) or a condition (--where)",
                            path=compiled.scenario.path, field="--claim/--where")
    if where is not None:
        return parse_where(where, compiled)
    for c in compiled.scenario.claims:
        if c.id == claim:
            return c
    known = ", ".join(c.id for c in compiled.scenario.claims) or "none"
    raise ScenarioError(f"no such claim in the scenario; its claims are {known} (got {claim!r})",
                        path=compiled.scenario.path, field="--claim")


def _lever_values(compiled, lever: str, values) -> np.ndarray:
    path = compiled.scenario.path
    if lever not in compiled.parameter_names:
        raise ScenarioError(f"no such parameter; the scenario has {', '.join(compiled.parameter_names)} "
                            f"(got {lever!r})", path=path, field="--lever")
    k = compiled.parameter_names.index(lever)
    lo, hi = float(compiled.lower[k]), float(compiled.upper[k])
    if isinstance(values, (int, np.integer)) or values is None:
        n = DEFAULT_VALUES if values is None else int(values)
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
            raise ScenarioError("a lever needs a range: give the parameter min and max, or list values",
                                path=path, field=f"parameters.{lever}")
        if not 2 <= n <= 1001:
            raise ScenarioError(f"between 2 and 1001 lever values (got {n})", path=path, field="--values")
        return np.linspace(lo, hi, n)
    out = np.asarray(values, dtype=float)
    if out.ndim != 1 or not len(out) or not np.all(np.isfinite(out)):
        raise ScenarioError(f"lever values must be finite numbers (got {values!r})", path=path, field="--values")
    bad = out[(out < lo) | (out > hi)]
    if len(bad):
        raise ScenarioError(f"lever value outside the parameter's range [{lo:g}, {hi:g}] (got {bad[0]:g})",
                            path=path, field="--values")
    return np.unique(out)


def _worlds(compiled, lever: str, samples: int, seed: int, overrides: Mapping[str, float]) -> tuple:
    import warnings

    from scipy.stats import qmc

    base = compiled.point(dict(overrides))
    varied = tuple(n for n, lo, hi in zip(compiled.parameter_names, compiled.lower, compiled.upper)
                   if n != lever and n not in overrides and np.isfinite(lo) and np.isfinite(hi) and hi > lo)
    pts = np.repeat(base[None], samples, axis=0)
    if varied:
        sobol = qmc.Sobol(d=len(varied), scramble=True, seed=np.random.default_rng(seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance warning when samples is not a power of two
            u = sobol.random(samples)
        for j, name in enumerate(varied):
            k = compiled.parameter_names.index(name)
            pts[:, k] = compiled.lower[k] + u[:, j] * (compiled.upper[k] - compiled.lower[k])
    how = (f"{samples} worlds, uniform over each other parameter's [min, max] (scrambled Sobol, seed {seed})"
           if varied else "1 world: no other parameter has a range")
    return (pts if varied else pts[:1]), varied, how


def lever_report(compiled, lever: str, *, claim: str | None = None, where: str | None = None,
                 player: str | None = None, values=None, samples: int | None = None, seed: int = 0,
                 overrides: Mapping[str, float] | None = None) -> LeverReport:
    """Measure an outcome and a player's payoff over worlds, for each candidate lever value.

    Parameters
    ----------
    compiled : CompiledScenario
    lever : str
        The parameter the player sets.
    claim, where : str
        The outcome: a claim id of the scenario, or a path condition (:func:`parse_where`).
    player : str
        Whose payoff is traded off (default: the player the scenario names as the lever's owner,
        ``lever = "US"`` on the parameter; else the first player).
    values : int or sequence of float
        How many evenly spaced values over the lever's bounds (default 21), or the values.
    samples : int
        Worlds (default 256 when the claim is measured in batches, else 64).
    seed : int
    overrides : mapping
        Parameters held fixed at other values than their defaults (they do not vary between worlds).
    """
    from analysis.hypotheses import wilson_interval
    from sim.claims import batchable, claim_method, equilibrium_payoffs, evaluate_claim, evaluate_claims_batch

    overrides = dict(overrides or {})
    outcome = _claim(compiled, claim, where)
    grid = _lever_values(compiled, lever, values)
    players = compiled.players
    owner = compiled.scenario.parameter(lever).lever
    player = player or owner or players[0]
    if player not in players:
        raise ScenarioError(f"no such player; players are {', '.join(players)} (got {player!r})",
                            path=compiled.scenario.path, field="--player")
    batched = batchable(compiled, outcome)
    samples = (DEFAULT_WORLDS if batched else DEFAULT_WORLDS_SLOW) if samples is None else samples
    if not 1 <= samples <= 100_000:
        raise ScenarioError(f"between 1 and 100000 worlds (got {samples})", path=compiled.scenario.path,
                            field="--samples")
    worlds, varied, how = _worlds(compiled, lever, samples, seed, overrides)
    k = compiled.parameter_names.index(lever)
    W = len(worlds)
    points = np.repeat(worlds, len(grid), axis=0)  # world-major: rows w*V + v
    points[:, k] = np.tile(grid, W)
    if batched:
        verdict = np.concatenate([evaluate_claims_batch(compiled, [outcome], points[s:s + 4096])[0].verdict
                                  for s in range(0, len(points), 4096)])
    else:
        names = compiled.parameter_names
        verdict = np.array([evaluate_claim(compiled, outcome, dict(zip(names, row.tolist()))).verdict
                            for row in points], dtype=object)
    pay = equilibrium_payoffs(compiled, points, claim_method(compiled, outcome))
    i = players.index(player)
    verdict = verdict.reshape(W, len(grid))
    mine = pay[:, i].reshape(W, len(grid))
    rows = []
    for v, value in enumerate(grid):
        holds = int(np.sum(verdict[:, v] == "holds"))
        col = mine[:, v][np.isfinite(mine[:, v])]
        rows.append(LeverValue(
            value=float(value), share=holds / W, interval=tuple(float(x) for x in wilson_interval(holds, W)),
            mean_payoff=float(col.mean()) if len(col) else math.nan,
            low_payoff=float(np.quantile(col, LOW_QUANTILE)) if len(col) else math.nan,
            undecided=int(np.sum(verdict[:, v] == "undecided"))))
    default = float(compiled.point(overrides)[k])
    robust = max(rows, key=lambda r: (r.share, _key(r.mean_payoff), -abs(r.value - default)))
    pareto = not_dominated(rows)
    return LeverReport(scenario=compiled.scenario.id, lever=lever, player=player,
                       outcome=f"claim {outcome.id}: {outcome.claim}" if claim else outcome.claim,
                       worlds=how, varied=varied, values=tuple(rows), default=default,
                       robust=robust, pareto=pareto)


def not_dominated(rows: Sequence[LeverValue]) -> tuple[LeverValue, ...]:
    """The values no other value beats in both share and mean payoff (at least as good in both,
    better in one); a missing payoff counts as the worst.

    Examples
    --------
    >>> v = lambda x, s, m: LeverValue(x, s, (0, 1), m, m, 0)
    >>> [r.value for r in not_dominated([v(0, 0.1, 3), v(1, 0.5, 2), v(2, 0.5, 1), v(3, 0.9, 0)])]
    [0, 1, 3]
    """
    def beats(o: LeverValue, r: LeverValue) -> bool:
        a, b = (o.share, _key(o.mean_payoff)), (r.share, _key(r.mean_payoff))
        return a[0] >= b[0] and a[1] >= b[1] and a != b

    return tuple(r for r in rows if not any(beats(o, r) for o in rows))


def declared_levers(compiled) -> tuple[tuple[str, str], ...]:
    """The scenario's levers: ``(parameter, player)`` for each parameter with ``lever = "PLAYER"``."""
    return tuple((p.name, p.lever) for p in compiled.scenario.parameters if p.lever)


def _key(x: float) -> float:
    return x if math.isfinite(x) else -math.inf


def format_lever_report(report: LeverReport, *, rows: int = 25) -> str:
    """The report as text: the question, the robust value, the trade-off, then a table (at most
    ``rows`` rows; the rest is summarised)."""
    pct = lambda x: f"{100 * x:.0f}%"  # noqa: E731
    r = report.robust
    lines = [
        f"{report.scenario}: lever {report.lever} ({report.player}'s), outcome: {report.outcome}",
        f"  worlds: {report.worlds}",
        f"  most robust value: {report.lever} = {r.value:g}: the outcome holds in {pct(r.share)} of worlds "
        f"(95% {pct(r.interval[0])}-{pct(r.interval[1])}); {report.player}'s mean payoff {r.mean_payoff:.3g}",
    ]
    at_default = min(report.values, key=lambda v: abs(v.value - report.default))
    lines.append(f"  at the scenario's value ({report.lever} = {report.default:g}, nearest {at_default.value:g}): "
                 f"holds in {pct(at_default.share)}; mean payoff {at_default.mean_payoff:.3g}")
    lines.append("  trade-off (not dominated in share and mean payoff): "
                 + ", ".join(f"{v.value:g} ({pct(v.share)}, {v.mean_payoff:.3g})" for v in report.pareto))
    lines.append(f"  {'value':>10}  {'share':>6}  {'95% interval':>13}  {'mean payoff':>11}  "
                 f"{'p10 payoff':>10}  undecided")
    shown = report.values if len(report.values) <= rows else report.values[:: math.ceil(len(report.values) / rows)]
    for v in shown:
        lines.append(f"  {v.value:>10.4g}  {pct(v.share):>6}  {pct(v.interval[0]) + '-' + pct(v.interval[1]):>13}  "
                     f"{v.mean_payoff:>11.4g}  {v.low_payoff:>10.4g}  {v.undecided:>9}")
    if len(shown) < len(report.values):
        lines.append(f"  ({len(shown)} of {len(report.values)} values shown; --json lists all)")
    return "\n".join(lines)


def lever_values_sequence(text: str) -> Sequence[float] | int:
    """``--values``: a count (``"11"``) or a comma-separated list of numbers (``"0,0.5,1"``)."""
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise ScenarioError(f"give a count or a list of numbers separated by commas (got {text!r})",
                            field="--values") from None
