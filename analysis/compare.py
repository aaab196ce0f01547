"""Comparing equilibria: across scenarios or parameter settings, and across the points of a sweep.

Two families of comparison live here, both returning plain frozen data (dataclasses, lists of
dicts) that the command line prints as tables or JSON and the charts draw:

* **Settings** (:func:`compare_results`): two or more solved games (scenarios, or one scenario at
  several parameter settings). Each equilibrium of a setting is matched to one of the baseline's
  (the first setting): first by *outcome* (the same action, or support, named for every player),
  then by the nearest mixed profile within a tolerance (largest absolute probability difference).
  Matched pairs carry each player's payoff change and who gains or loses; unmatched equilibria
  *appear* or *vanish*.
* **Sweeps** (:func:`regime_table`, :func:`find_thresholds`, :func:`outcome_frequencies`,
  :func:`sensitivity`): the regimes (the set of equilibrium outcomes at a point) and where they
  hold; the parameter values where the regime changes, located by bisection on the compiled
  scenario (re-solved with ``enumpure`` at each midpoint, so a threshold is as precise as asked,
  not as coarse as the grid); how often each outcome is an equilibrium over a Monte Carlo sample,
  with Wilson score intervals; and which parameter, moved alone, changes the baseline's regime
  most often (the data of a tornado chart).

Outcome and regime labels are the sweep's: ``"P=a, Q=b"`` for a pure outcome (``"P=a|b"`` for a
support), and a regime is its outcomes in profile order joined by ``" | "``; ``"(none)"`` when
there is no pure equilibrium. Nothing here writes files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from analysis.render import outcome_label
from sim.errors import GameError, ScenarioError

#: Payoff changes smaller than this (absolute) count as "no change" in gains and losses.
PAYOFF_TOL = 1e-9


# ----- comparing settings -------------------------------------------------------------------------
@dataclass(frozen=True)
class Setting:
    """One solved setting: a label (scenario id, or ``id[name=value]``), its result and parameters.

    ``game`` is the game tree of a sequential scenario (its result may refer to the tree's reduced
    normal form): equilibria are then named by their path of play and compared decision point by
    decision point.
    """

    label: str
    result: object  # SolverResult
    parameters: Mapping[str, float] = field(default_factory=dict)
    game: object = None


#: Equilibria that differ in at most this many choices (players' strategies, or a tree's decision
#: points), and in fewer than half of them, are matched as "changed", with both payoffs, rather
#: than one vanishing and one appearing.
MAX_CHANGES = 3


#: Changed choices listed per changed equilibrium by :func:`format_comparisons` (JSON has all).
MAX_CHANGE_LINES = 8


@dataclass(frozen=True)
class Match:
    """An equilibrium of the baseline matched to one of another setting.

    ``how`` is ``"outcome"`` (the same outcome), ``"nearest"`` (the nearest mixed profile within
    the tolerance) or ``"changed"`` (at most :data:`MAX_CHANGES` choices differ: ``changes``
    names them, ``other_outcome`` is the other setting's outcome).
    """

    base_index: int
    other_index: int
    outcome: str
    how: str  # "outcome", "nearest" or "changed"
    distance: float
    base_payoffs: Mapping[str, float]
    other_payoffs: Mapping[str, float]
    deltas: Mapping[str, float]
    gains: tuple[str, ...]
    losses: tuple[str, ...]
    other_outcome: str = ""
    changes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairComparison:
    """The baseline setting against one other setting."""

    base: str
    other: str
    matches: tuple[Match, ...]
    vanished: tuple[str, ...]  # outcomes of the baseline with no match in ``other``
    appeared: tuple[str, ...]  # outcomes of ``other`` with no match in the baseline

    def to_dict(self) -> dict:
        return {
            "base": self.base, "other": self.other,
            "matches": [{**m.__dict__, "base_payoffs": dict(m.base_payoffs), "other_payoffs": dict(m.other_payoffs),
                         "deltas": dict(m.deltas), "gains": list(m.gains), "losses": list(m.losses),
                         "changes": list(m.changes)}
                        for m in self.matches],
            "vanished": list(self.vanished), "appeared": list(self.appeared),
        }


def _profile_distance(g1, e1, g2, e2) -> float:
    """Largest absolute probability difference, action by action (names must agree)."""
    if (g1.players != g2.players or not e1.profile or not e2.profile
            or getattr(g1, "actions", None) != getattr(g2, "actions", None)):
        return math.inf
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(e1.profile, e2.profile))


def equilibrium_view(result, tree=None) -> tuple[list[str], list[dict[str, str]]]:
    """Each equilibrium's outcome label and its choices, ``{who: choice}``: on a normal form, each
    player's strategy (:func:`analysis.render.strategy_text`); on a tree, the path of play
    (:func:`analysis.render.play_text`) and the choice at each decision point, keyed by its
    readable name (:func:`sim.extensive.names.decision_point_names`)."""
    from analysis.render import play_text, strategy_text, tree_play

    game = result.game
    tree = tree if tree is not None else (game if getattr(game, "infosets", None) is not None else None)
    labels, choices = [], []
    if tree is None:
        for e in result.equilibria:
            labels.append(outcome_label(game, e))
            choices.append({p: strategy_text(game.actions[i], e.profile[i]) for i, p in enumerate(game.players)})
        return labels, choices
    from sim.extensive.names import decision_point_names

    names = decision_point_names(tree)
    for e in result.equilibria:
        behaviour, unplanned = tree_play(tree, e)
        labels.append(play_text(tree, behaviour))
        choices.append({names[h]: "any" if h in unplanned else strategy_text(acts, list(behaviour[h]))
                        for h, (_, acts) in tree.infosets.items()})
    return labels, choices


def _changes(a: dict[str, str], b: dict[str, str]) -> list[str] | None:
    """``"who: x -> y"`` for each choice that differs (None when the two name different choosers)."""
    if a.keys() != b.keys():
        return None
    return [f"{k}: {a[k]} -> {b[k]}" for k in a if a[k] != b[k]]


def _pure(choices: dict[str, str]) -> bool:
    """Every choice one action (:func:`analysis.render.strategy_text` writes a mixture with ``:``)."""
    return not any(":" in v for v in choices.values())


def match_equilibria(base, other, *, tol: float = 1e-6, base_label: str = "base",
                     other_label: str = "other", base_tree=None, other_tree=None,
                     max_changes: int = MAX_CHANGES) -> PairComparison:
    """Match the equilibria of two results: same outcome first, then nearest profile within
    ``tol``, then equilibria that differ in at most ``max_changes`` choices and in fewer than half
    of them, or the only (pure) equilibrium left on each side when some choice is kept however
    many others differ ("changed").

    Matching is one to one and greedy: outcome matches in the baseline's order, then the
    remaining pairs by increasing profile distance, then by increasing number of changed
    choices. Payoffs are compared for the players both games share, by name. ``base_tree`` and
    ``other_tree`` are the game trees when the results refer to a tree's reduced normal form.

    Parameters
    ----------
    base, other : SolverResult
    tol : float
        Largest probability difference (any player, any action) for a "nearest profile" match.

    Examples
    --------
    >>> from sim.game import NormalFormGame
    >>> from sim.solvers import solve
    >>> names = dict(players=("A", "B"), actions=(("x", "y"), ("x", "y")))
    >>> g1 = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]], **names)
    >>> g2 = NormalFormGame.from_bimatrix([[3, 0], [0, 1]], [[1, 0], [1, 0.5]], **names)
    >>> c = match_equilibria(solve(g1, "enumpure"), solve(g2, "enumpure"), max_changes=0)
    >>> [(m.outcome, dict(m.deltas)) for m in c.matches]
    [('A=x, B=x', {'A': 1.0, 'B': 0.0})]
    >>> c.vanished
    ('A=y, B=y',)

    One player switching is a change of the same equilibrium, with both payoffs:

    >>> g3 = NormalFormGame.from_bimatrix([[1, 1], [0, 0]], [[1, 0], [1, 0]], **names)
    >>> g4 = NormalFormGame.from_bimatrix([[1, 2], [0, 0]], [[0, 3], [0, 3]], **names)
    >>> m, = match_equilibria(solve(g3, "enumpure"), solve(g4, "enumpure")).matches
    >>> m.how, m.outcome, m.other_outcome, m.changes, dict(m.deltas)
    ('changed', 'A=x, B=x', 'A=x, B=y', ('B: x -> y',), {'A': 1.0, 'B': 2.0})
    """
    if not (isinstance(tol, (int, float)) and math.isfinite(tol) and tol >= 0):
        raise GameError(f"match_equilibria(): tol must be a finite number >= 0; got {tol!r}")
    gb, go = base.game, other.game
    lb, cb = equilibrium_view(base, base_tree)
    lo, co = equilibrium_view(other, other_tree)
    shared = [p for p in gb.players if p in go.players]
    free_b, free_o = list(range(len(lb))), list(range(len(lo)))
    pairs: list[tuple[int, int, str, float, tuple]] = []
    for i in list(free_b):
        for j in free_o:
            if lb[i] == lo[j]:
                d = _profile_distance(gb, base.equilibria[i], go, other.equilibria[j])
                pairs.append((i, j, "outcome", 0.0 if math.isinf(d) else d, ()))
                free_b.remove(i)
                free_o.remove(j)
                break
    candidates = sorted(
        (_profile_distance(gb, base.equilibria[i], go, other.equilibria[j]), i, j) for i in free_b for j in free_o
    )
    for d, i, j in candidates:
        if d <= tol and i in free_b and j in free_o:
            pairs.append((i, j, "nearest", d, ()))
            free_b.remove(i)
            free_o.remove(j)
    changed = []
    for i in free_b:
        for j in free_o:
            diff = _changes(cb[i], co[j])
            # A sole pure equilibrium on each side that keeps some choice is the same equilibrium
            # moved, however much else changed (mixed ones must be near, by the tolerance, or
            # differ in few choices; one where every choice changed is another equilibrium).
            sole = (len(free_b) == len(free_o) == 1 and _pure(cb[i]) and _pure(co[j])
                    and diff is not None and len(diff) < len(cb[i]))
            if diff is not None and ((len(diff) <= max_changes and 2 * len(diff) < len(cb[i])) or sole):
                changed.append((len(diff), i, j, tuple(diff)))
    for n, i, j, diff in sorted(changed):
        if i in free_b and j in free_o:
            pairs.append((i, j, "changed", float(n), diff))
            free_b.remove(i)
            free_o.remove(j)
    matches = []
    for i, j, how, d, diff in sorted(pairs):
        pb = {p: float(base.equilibria[i].payoffs[gb.players.index(p)]) for p in shared}
        po = {p: float(other.equilibria[j].payoffs[go.players.index(p)]) for p in shared}
        deltas = {p: po[p] - pb[p] for p in shared}
        matches.append(Match(i, j, lb[i], how, d, pb, po, deltas,
                             tuple(p for p in shared if deltas[p] > PAYOFF_TOL),
                             tuple(p for p in shared if deltas[p] < -PAYOFF_TOL), lo[j], diff))
    return PairComparison(base_label, other_label, tuple(matches), tuple(lb[i] for i in free_b),
                          tuple(lo[j] for j in free_o))


def compare_results(settings: Sequence[Setting], *, tol: float = 1e-6) -> list[PairComparison]:
    """Compare every setting after the first with the first (the baseline)."""
    if len(settings) < 2:
        raise GameError(f"compare_results(): needs at least two settings; got {len(settings)}")
    base = settings[0]
    return [match_equilibria(base.result, s.result, tol=tol, base_label=base.label, other_label=s.label,
                             base_tree=base.game, other_tree=s.game)
            for s in settings[1:]]


def format_comparisons(comparisons: Sequence[PairComparison]) -> str:
    """Plain-text tables: one block per pair, one line per matched, changed, vanished or appeared
    equilibrium; a changed one also lists what changed and both payoffs."""
    from analysis.render import number_text

    def signed(v: float) -> str:
        return "+0" if abs(v) < 1e-12 else f"{v:+.4g}"

    lines = []
    for c in comparisons:
        lines.append(f"{c.base}  ->  {c.other}")
        for m in c.matches:
            deltas = ", ".join(f"{p} {signed(v)}" for p, v in m.deltas.items())
            who = (f"gain: {', '.join(m.gains) or '-'}; lose: {', '.join(m.losses) or '-'}")
            if m.how != "changed":
                lines.append(f"  same     {m.outcome}  | change: {deltas}  | {who}")
                continue
            lines.append(f"  changed  {m.outcome}")
            lines.append(f"       to  {m.other_outcome}")
            for ch in m.changes[:MAX_CHANGE_LINES]:
                lines.append(f"           {ch}")
            if len(m.changes) > MAX_CHANGE_LINES:
                lines.append(f"           ... and {len(m.changes) - MAX_CHANGE_LINES} more changed choices")
            pay = ", ".join(f"{p} {number_text(m.base_payoffs[p])} -> {number_text(m.other_payoffs[p])}"
                            for p in m.deltas)
            lines.append(f"           payoffs: {pay}  | change: {deltas}  | {who}")
        for o in c.vanished:
            lines.append(f"  vanished {o}")
        for o in c.appeared:
            lines.append(f"  appeared {o}")
        if not (c.matches or c.vanished or c.appeared):
            lines.append("  (no equilibria in either)")
    return "\n".join(lines)


# ----- regimes of parameter points, straight from the scenario ------------------------------------
def regimes_at(compiled, points) -> list[str]:
    """Regime label (pure equilibria by ``enumpure``) of each full parameter point ``(B, P)``.

    Payoffs are scaled per point exactly as the sweep scales them, so labels agree with a sweep's.

    Examples
    --------
    >>> from sim.scenario import compile_scenario, loads_scenario
    >>> c = compile_scenario(loads_scenario(TOY_SCENARIO))
    >>> regimes_at(c, [[0.4], [0.6]])
    ['A=x', 'A=y']
    """
    from analysis.sweep.run import profile_labels, regimes
    from sim.solvers.pure import pure_equilibrium_mask

    points = np.atleast_2d(np.asarray(points, dtype=float))
    if compiled.sequential:
        return _tree_regimes(compiled, points)
    payoffs = np.asarray(compiled.payoffs(points))
    codes, names = regimes(pure_equilibrium_mask(payoffs, threads=None).reshape(len(payoffs), -1),
                           profile_labels(compiled.players, compiled.labels))
    return [names[c] for c in codes]


def _tree_regimes(compiled, points) -> list[str]:
    """Regime of each point of a sequential scenario: its subgame-perfect equilibria's paths of
    play (:mod:`analysis.sweep.paths`), ``" | "``-joined, solved as a sweep solves them (one
    batched backward induction, tied points one by one)."""
    from analysis.io import file_sha256
    from analysis.sweep.paths import path_of_outcome
    from analysis.sweep.run import _per_point_rows, _spe_batched, _spe_rows, scenario_model

    path = compiled.scenario.path
    if path is None:
        raise ScenarioError("the regimes of a sequential scenario are solved from its file; this scenario has none",
                            field="scenario.timing")
    model = scenario_model(str(path), file_sha256(path))
    ids = np.arange(len(points))
    cols = _spe_rows(model, points, ids) if _spe_batched(model) else _per_point_rows(model, "spe", points, ids)
    regime = cols["regime"]
    labels = [regime[1][c] for c in regime[0]] if isinstance(regime, tuple) else [str(v) for v in regime]
    first: dict[int, str] = {}
    for pid, r in zip(cols["point_id"], labels):
        first.setdefault(int(pid), r)
    named: dict[str, str] = {}
    for r in set(first.values()):
        named[r] = " | ".join(sorted({path_of_outcome(model, o) for o in r.split(" | ")}))
    return [named[first[k]] for k in range(len(points))]


#: A one-player scenario whose best reply flips at ``a = 0.5`` (used by the examples and tests).
TOY_SCENARIO = '''
[scenario]
id = "toy"
title = "Best reply flips at a = 0.5"
timing = "simultaneous"
[parameters]
a = { default = 0.2, min = 0, max = 1 }
[players.A]
actions = ["x", "y"]
[[goals]]
player = "A"
name = "x_is_fixed"
weight = 0.5
quote = "x is worth one half"
rules = [{ when = { A = "x" }, value = 1 }]
[[goals]]
player = "A"
name = "y_is_worth_a"
weight = "a"
quote = "y is worth a"
rules = [{ when = { A = "y" }, value = 1 }]
'''


# ----- sweeps --------------------------------------------------------------------------------------
def point_table(df, method: str | None = None):
    """One row per point (the sweep's first row of each): point id, parameters, regime.

    A tree sweep's regime is the set of its point's paths of play
    (:func:`analysis.sweep.paths.path_regimes`): regimes that differ only off the path are one,
    and the regime reads as the play (``"US drop -> Russia halt -> ..."``).
    """
    from analysis.sweep.paths import path_regimes

    if method is not None:
        df = df[df["method"].astype(str) == method]
    df = path_regimes(df)
    first = df[df["eq_index"] <= 0]
    cols = ["point_id"] + [c for c in df.columns if c.startswith("param.")] + ["regime"]
    out = first[cols].copy()
    out["regime"] = out["regime"].astype(str)
    return out.reset_index(drop=True)


def regime_table(df, method: str | None = None) -> list[dict]:
    """Each regime with its share of points and the parameter ranges where it holds.

    Returns a list of ``{"regime", "points", "share", "ranges": {param: [min, max]}}``, most
    frequent regime first.
    """
    pts = point_table(df, method)
    params = [c for c in pts.columns if c.startswith("param.")]
    out = []
    for regime, group in pts.groupby("regime", sort=False):
        out.append({
            "regime": str(regime), "points": int(len(group)), "share": float(len(group) / max(len(pts), 1)),
            "ranges": {c[len("param."):]: [float(group[c].min()), float(group[c].max())] for c in params},
        })
    return sorted(out, key=lambda r: (-r["points"], r["regime"]))


@dataclass(frozen=True)
class Threshold:
    """A regime change along ``parameter``: below ``value`` one regime, above it another."""

    parameter: str
    value: float
    low: float  # bracket after bisection: regime ``before`` at ``low``, ``after`` at ``high``
    high: float
    before: str
    after: str
    at: Mapping[str, float]  # the other swept parameters' values on this line


def bisect_thresholds(compiled, base_points, parameter: str, lows, highs, *, tol: float = 1e-6,
                      max_steps: int = 60) -> list[tuple[float, float, str, str]]:
    """Bisect many brackets at once along ``parameter`` on the compiled scenario.

    Every bracket ``[low, high]`` (one per row of ``base_points``, a full ``(B, P)`` point whose
    ``parameter`` entry is replaced) must have different regimes at its ends. Each step solves all
    midpoints in one ``enumpure`` batch and keeps the half where the regime first departs from the
    low end's, until every bracket is narrower than ``tol``. When a bracket holds more than one
    change, bisection finds one of them (the one the halving leads to).

    Returns ``(low, high, regime_at_low, regime_at_high)`` per bracket.
    """
    if not (isinstance(tol, (int, float)) and tol > 0 and math.isfinite(tol)):
        raise GameError(f"bisect_thresholds(): tol must be a finite number > 0; got {tol!r}")
    k = list(compiled.parameter_names).index(parameter)
    base = np.array(base_points, dtype=float, copy=True)
    lo, hi = np.asarray(lows, dtype=float).copy(), np.asarray(highs, dtype=float).copy()

    def at(values):
        pts = base.copy()
        pts[:, k] = values
        return regimes_at(compiled, pts)

    r_lo, r_hi = at(lo), at(hi)
    for _ in range(max_steps):
        open_ = np.flatnonzero(hi - lo > tol)
        if not len(open_):
            break
        mid = (lo[open_] + hi[open_]) / 2
        pts = base[open_].copy()
        pts[:, k] = mid
        r_mid = regimes_at(compiled, pts)
        for n, b in enumerate(open_):
            if r_mid[n] == r_lo[b]:
                lo[b] = mid[n]
            else:
                # The regime at the grid's upper end is kept as "after": a knife-edge regime (a tie
                # within the solver's tolerance) at the crossing is not what a reader asks about.
                hi[b] = mid[n]
    return [(float(a), float(b), ra, rb) for a, b, ra, rb in zip(lo, hi, r_lo, r_hi)]


def find_thresholds(df, compiled, *, method: str | None = None, tol: float = 1e-6,
                    max_per_parameter: int = 200) -> list[Threshold]:
    """Regime changes along each swept parameter of a grid sweep, bisected on the scenario.

    For each swept parameter, every line of the grid along it (the other swept parameters fixed,
    the unswept ones at their defaults) is scanned for neighbouring points of different regimes;
    each such bracket is bisected to ``tol`` by :func:`bisect_thresholds`. At most
    ``max_per_parameter`` brackets per parameter are bisected (the first in point order).

    Examples
    --------
    >>> import pandas as pd
    >>> from sim.scenario import compile_scenario, loads_scenario
    >>> c = compile_scenario(loads_scenario(TOY_SCENARIO))
    >>> grid = [0.0, 0.3, 0.6, 0.9]
    >>> df = pd.DataFrame({"point_id": range(4), "param.a": grid, "eq_index": 0, "method": "enumpure",
    ...                    "regime": regimes_at(c, [[a] for a in grid])})
    >>> t, = find_thresholds(df, c, tol=1e-9)
    >>> round(t.value, 8), t.before, t.after
    (0.5, 'A=x', 'A=y')
    """
    pts = point_table(df, method)
    swept = [c[len("param."):] for c in pts.columns if c.startswith("param.")]
    for name in swept:
        if name not in compiled.parameter_names:
            raise ScenarioError(f"the sweep's parameter is not in the scenario; it has "
                                f"{list(compiled.parameter_names)} (got {name!r})", path=compiled.scenario.path,
                                field="parameters")
    out: list[Threshold] = []
    for name in swept:
        others = [f"param.{o}" for o in swept if o != name]
        lows, highs, bases, ats = [], [], [], []
        groups = pts.groupby(others, sort=True) if others else [((), pts)]
        for key, line in groups:
            line = line.sort_values(f"param.{name}")
            x = line[f"param.{name}"].to_numpy(float)
            r = line["regime"].to_numpy(str)
            for j in np.flatnonzero(r[1:] != r[:-1]):
                if len(lows) >= max_per_parameter:
                    break
                fixed = {o[len("param."):]: float(v) for o, v in zip(others, np.atleast_1d(key))}
                base = np.array(compiled.defaults, dtype=float)
                for o, v in fixed.items():
                    base[list(compiled.parameter_names).index(o)] = v
                lows.append(x[j]); highs.append(x[j + 1]); bases.append(base); ats.append(fixed)
        if not lows:
            continue
        for (lo, hi, rb, ra), fixed in zip(bisect_thresholds(compiled, np.array(bases), name, lows, highs, tol=tol),
                                          ats):
            if rb != ra:  # a tree's reduced strategies may change where its play does not
                out.append(Threshold(name, (lo + hi) / 2, lo, hi, rb, ra, fixed))
    return out


def wilson_interval(successes: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927; Agresti and Coull 1998).

    Examples
    --------
    >>> lo, hi = wilson_interval(50, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.4038, 0.5962)
    >>> wilson_interval(0, 10)[0]
    0.0
    """
    if n <= 0 or not 0 <= successes <= n:
        raise GameError(f"wilson_interval(): need 0 <= successes <= n and n > 0; got {successes}/{n}")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # The interval contains p; clamping to it absorbs round-off at p = 0 or 1.
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def outcome_frequencies(df, method: str | None = None, *, z: float = 1.959963984540054) -> list[dict]:
    """How often each outcome is an equilibrium over the sweep's points, with Wilson intervals.

    Returns ``{"outcome", "points", "share", "low", "high"}`` per outcome, most frequent first
    (``"(none)"`` counts the points without any equilibrium). A tree sweep's outcome is its path
    of play (the ``path`` column), not its reduced strategies.
    """
    if method is not None:
        df = df[df["method"].astype(str) == method]
    n = int(df["point_id"].nunique())
    named = df["path"] if "path" in df.columns else df["outcome"]
    counts = df.groupby(named.astype(str))["point_id"].nunique()
    out = []
    for outcome, k in counts.items():
        lo, hi = wilson_interval(int(k), n, z)
        out.append({"outcome": str(outcome), "points": int(k), "share": k / n, "low": lo, "high": hi})
    return sorted(out, key=lambda r: (-r["points"], r["outcome"]))


def sensitivity(compiled, *, parameters: Sequence[str] | None = None,
                ranges: Mapping[str, tuple[float, float]] | None = None, num: int = 41) -> list[dict]:
    """One-at-a-time sensitivity of the baseline's regime: the data of a tornado chart.

    Each parameter is moved alone over ``num`` evenly spaced values of its range (``ranges``, else
    its declared bounds, widened to hold the default), the others held at their defaults; the share of values below and above
    the default where the regime differs from the baseline's is recorded. Parameters are ranked by
    the total share (the one that flips the baseline's outcome most often first).

    Returns ``{"parameter", "default", "low", "high", "flip_below", "flip_above", "flip_share"}``.
    """
    names = list(parameters or compiled.parameter_names)
    base_point = np.array(compiled.defaults, dtype=float)
    baseline = regimes_at(compiled, base_point[None])[0]
    rows = []
    for name in names:
        k = list(compiled.parameter_names).index(name)
        lo, hi = (ranges or {}).get(name, (compiled.lower[k], compiled.upper[k]))
        # An unbounded side is taken as far from the default as the default is from zero (at least 1).
        span = max(abs(base_point[k]), 1.0)
        lo = lo if math.isfinite(lo) else base_point[k] - span
        hi = hi if math.isfinite(hi) else base_point[k] + span
        # The chart is read around the baseline, so its range always holds the default (a sampled
        # sweep's range need not: a Dirichlet share lies in [0, 1] whatever the default).
        lo, hi = min(lo, base_point[k]), max(hi, base_point[k])
        values = np.linspace(lo, hi, num)
        pts = np.repeat(base_point[None], num, axis=0)
        pts[:, k] = values
        differs = np.array([r != baseline for r in regimes_at(compiled, pts)])
        below, above = values < base_point[k], values > base_point[k]
        rows.append({
            "parameter": name, "default": float(base_point[k]), "low": float(lo), "high": float(hi),
            "flip_below": float(differs[below].sum() / num), "flip_above": float(differs[above].sum() / num),
            "flip_share": float(differs.sum() / num), "baseline": baseline,
        })
    return sorted(rows, key=lambda r: (-r["flip_share"], r["parameter"]))


def summarise_thresholds(thresholds: Sequence[Threshold]) -> list[dict]:
    """Thresholds grouped by (parameter, regime before, regime after): the range of values over the
    grid lines where that change happens, and on how many lines.

    Returns ``{"parameter", "before", "after", "min", "max", "lines", "tolerance"}`` where
    ``tolerance`` is the widest bisected bracket of the group.
    """
    groups: dict[tuple[str, str, str], list[Threshold]] = {}
    for t in thresholds:
        groups.setdefault((t.parameter, t.before, t.after), []).append(t)
    out = []
    for (p, before, after), ts in groups.items():
        values = [t.value for t in ts]
        out.append({"parameter": p, "before": before, "after": after, "min": float(min(values)),
                    "max": float(max(values)), "lines": len(ts),
                    "tolerance": float(max(t.high - t.low for t in ts))})
    return sorted(out, key=lambda r: (r["parameter"], r["min"], r["before"]))


def regime_key(regimes: Sequence[str]) -> dict[str, str]:
    """Short names ``R1, R2, ...`` for regime labels, in the order given (deduplicated).

    Examples
    --------
    >>> regime_key(["A=x | A=y", "A=y", "A=x | A=y"])
    {'A=x | A=y': 'R1', 'A=y': 'R2'}
    """
    out: dict[str, str] = {}
    for r in regimes:
        out.setdefault(r, f"R{len(out) + 1}")
    return out


def sweep_summary(df, compiled=None, *, method: str | None = None, tol: float = 1e-6,
                  grid: bool = True) -> dict:
    """Everything the comparison of a sweep reports, as one JSON-ready document.

    ``regimes`` (with short names), ``thresholds`` (grouped; bisected on ``compiled`` when given,
    else located to half the grid spacing between neighbouring points), ``outcome_frequencies``
    (Wilson 95% intervals) and, with ``compiled``, ``sensitivity`` over the swept ranges.
    """
    regimes = regime_table(df, method)
    key = regime_key([r["regime"] for r in regimes])
    for r in regimes:
        r["name"] = key[r["regime"]]
    doc: dict = {"points": int(df["point_id"].nunique()), "regimes": regimes,
                 "outcome_frequencies": outcome_frequencies(df, method)}
    if grid:
        if compiled is not None and not compiled.sequential:
            found = find_thresholds(df, compiled, method=method, tol=tol)
            doc["thresholds_bisected"] = True
        else:
            found = grid_thresholds(df, method)
            doc["thresholds_bisected"] = False
        doc["thresholds"] = summarise_thresholds(found)
    if compiled is not None and not compiled.sequential:
        pts = point_table(df, method)
        ranges = {c[len("param."):]: (float(pts[c].min()), float(pts[c].max()))
                  for c in pts.columns if c.startswith("param.")}
        doc["sensitivity"] = sensitivity(compiled, ranges=ranges)
    return doc


def grid_thresholds(df, method: str | None = None) -> list[Threshold]:
    """Regime changes along each swept parameter located only to the grid: midway between
    neighbouring points of different regimes (the bracket is the two points)."""
    pts = point_table(df, method)
    swept = [c[len("param."):] for c in pts.columns if c.startswith("param.")]
    out = []
    for name in swept:
        others = [f"param.{o}" for o in swept if o != name]
        groups = pts.groupby(others, sort=True) if others else [((), pts)]
        for key, line in groups:
            line = line.sort_values(f"param.{name}")
            x = line[f"param.{name}"].to_numpy(float)
            r = line["regime"].to_numpy(str)
            fixed = {o[len("param."):]: float(v) for o, v in zip(others, np.atleast_1d(key))}
            for j in np.flatnonzero(r[1:] != r[:-1]):
                out.append(Threshold(name, float((x[j] + x[j + 1]) / 2), float(x[j]), float(x[j + 1]),
                                     r[j], r[j + 1], fixed))
    return out


def format_sweep_summary(doc: dict) -> str:
    """Plain-text tables of :func:`sweep_summary`'s document."""
    key = {r["regime"]: r["name"] for r in doc["regimes"]}
    lines = [f"{doc['points']:,} points, {len(doc['regimes'])} regimes"]
    for r in doc["regimes"]:
        ranges = ", ".join(f"{p} in [{lo:.4g}, {hi:.4g}]" for p, (lo, hi) in r["ranges"].items())
        lines.append(f"  {r['name']:>4} {r['share']:7.1%}  {ranges}")
        for o in r["regime"].split(" | "):
            lines.append(f"         - {o}")
    if "thresholds" in doc:
        how = "bisected on the scenario" if doc.get("thresholds_bisected") else "to the grid spacing"
        lines.append(f"thresholds ({how}):")
        for t in doc["thresholds"]:
            where = f"{t['min']:.6g}" if abs(t["max"] - t["min"]) < 1e-12 else f"{t['min']:.6g}..{t['max']:.6g}"
            # +/- is half the widest bracket: the threshold lies within it of the value shown.
            lines.append(f"  {t['parameter']} = {where} (+/- {t['tolerance'] / 2:.1g}, {t['lines']} lines): "
                         f"{key.get(t['before'], t['before'])} -> {key.get(t['after'], t['after'])}")
    lines.append("outcome frequencies (share of points where it is an equilibrium, 95% Wilson interval):")
    for f in doc["outcome_frequencies"]:
        lines.append(f"  {f['share']:7.1%} [{f['low']:.3f}, {f['high']:.3f}]  {f['outcome']}")
    if "sensitivity" in doc:
        lines.append("sensitivity (share of the swept range that changes the baseline regime):")
        for s in doc["sensitivity"]:
            lines.append(f"  {s['flip_share']:7.1%}  {s['parameter']} (below default {s['flip_below']:.1%}, "
                         f"above {s['flip_above']:.1%})")
    return "\n".join(lines)
