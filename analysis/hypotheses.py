"""Claims as hypotheses: each claim's verdict at the defaults, over the plausible box, and what decides it.

For each claim of a scenario (``[[claims]]``, measured by :mod:`sim.claims`):

* the verdict at the defaults;
* the share of the *plausible box* where it holds (``some`` counted apart), with a 95% Wilson
  score interval (Wilson 1927) - the interval of the sampling error of the share, not of the
  model's own uncertainty;
* which assumptions decide it: for each varied parameter, the value where the default verdict
  changes when only that parameter moves (a coarse scan of its range, then bisection), and a
  shallow classification tree (CART, Breiman et al. 1984; scikit-learn's
  ``DecisionTreeClassifier``, depth <= 3) over the sample, read as rules in words, with each
  parameter's importance (the tree's mean decrease in impurity).

The box is the claim's ``sweep`` file's design (its grid, or ``samples`` draws of its
distributions) when the claim names one, else every parameter with both bounds uniform over
``[min, max]`` (scrambled Sobol, ``scipy.stats.qmc``, seeded); the others stay at their defaults.

Examples
--------
>>> r = hypotheses("tests/data/claims/entry.toml", samples=64, seed=1)
>>> first = r[0]
>>> first.claim.id, first.at_defaults.verdict, first.n
('entry_accommodated', 'holds', 64)
>>> [(f.parameter, f.direction, round(f.value, 3)) for f in first.flips if f.value is not None]
[('fight_value', 'rises above', 1.0)]
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from sim.claims import ClaimVerdict, batchable, claim_method, evaluate_claim, evaluate_claims_batch
from sim.errors import ScenarioError
from sim.scenario import CompiledScenario, compile_scenario, load_scenario
from sim.scenario.claims import Claim

DEFAULT_SAMPLES = 1024
#: Default sample of a claim measured one point at a time (``pbe_mixed``, ``spe`` on a tree of
#: imperfect information, simultaneous games): each point is a full solve (about 0.3 s for a
#: two-type signalling game under ``pbe_mixed``), so the default is smaller and the interval says so.
DEFAULT_SAMPLES_PER_POINT = 128
#: z of a two-sided 95% interval.
Z95 = 1.959963984540054
#: Points of the coarse scan along one parameter before bisecting, and bisection steps.
SCAN_POINTS = 16
BISECTIONS = 20
#: The flip search of a claim measured one point at a time: a coarser scan and fewer steps
#: (to ``range / 2**8``), since each step is a full solve.
SCAN_POINTS_PER_POINT = 8
BISECTIONS_PER_POINT = 8
TREE_DEPTH = 3
#: Points measured at once by the batched evaluation (bounds memory: B x nodes floats per array).
BATCH = 4096


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``k / n`` (Wilson 1927).

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(50, 100)]
    [0.4038, 0.5962]
    >>> wilson_interval(0, 0)
    (0.0, 1.0)
    """
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


@dataclass(frozen=True)
class Flip:
    """Where the default verdict changes when only ``parameter`` moves from its default.

    ``direction`` is ``"rises above"`` or ``"falls below"``; ``value`` is None when the verdict
    does not change over that side of the range; ``verdict`` is the verdict just past it.
    """

    parameter: str
    direction: str
    value: float | None
    verdict: str

    def sentence(self, default_verdict: str) -> str:
        if self.value is None:
            return ""
        change = {"holds": "stops holding", "fails": "starts holding"}.get(default_verdict,
                                                                           f"turns {self.verdict}")
        if default_verdict in ("holds", "fails") and self.verdict not in ("holds", "fails"):
            change = f"becomes {self.verdict}"
        return f"{change} when {self.parameter} {self.direction} {self.value:.4g}"


@dataclass(frozen=True)
class Rule:
    """One leaf of the classification tree: the conditions on the way, its share of ``holds``."""

    conditions: tuple[tuple[str, str, float], ...]  # (parameter, "<=" or ">", threshold)
    n: int
    share: float

    def sentence(self) -> str:
        where = " and ".join(f"{p} {op} {t:.4g}" for p, op, t in self.conditions) or "everywhere"
        if self.share >= 0.5:
            return f"holds in {self.share:.0%} of the box where {where} ({self.n} points)"
        return f"fails in {1 - self.share:.0%} of the box where {where} ({self.n} points)"


@dataclass(frozen=True)
class ClaimReport:
    """One claim measured at the defaults and over its plausible box."""

    scenario: str
    path: str
    claim: Claim
    method: str
    at_defaults: ClaimVerdict
    box: str
    parameters: tuple[str, ...]
    n: int
    holds: int
    some: int
    undecided: int
    interval: tuple[float, float]
    flips: tuple[Flip, ...]
    rules: tuple[Rule, ...]
    importances: tuple[tuple[str, float], ...]
    batched: bool
    seconds: float

    @property
    def share(self) -> float:
        return self.holds / self.n if self.n else float("nan")

    @property
    def some_share(self) -> float:
        return self.some / self.n if self.n else float("nan")

    def deciding(self) -> list[str]:
        """The deciding assumptions in words: the flip values, then the tree's rules."""
        out = [f.sentence(self.at_defaults.verdict) for f in self.flips]
        return [s for s in out if s]

    def to_dict(self) -> dict:
        """The JSON contract of ``bargain hypotheses --json`` (see docs/hypotheses.md)."""
        return {
            "scenario": self.scenario, "path": self.path, "id": self.claim.id, "claim": self.claim.claim,
            "quote": self.claim.quote, "method": self.method, "box": self.box, "parameters": list(self.parameters),
            "at_defaults": self.at_defaults.to_dict(),
            "samples": self.n, "holds": self.holds, "some": self.some, "undecided": self.undecided,
            "share": self.share, "interval": list(self.interval), "some_share": self.some_share,
            "flips": [{"parameter": f.parameter, "direction": f.direction, "value": f.value, "verdict": f.verdict}
                      for f in self.flips],
            "rules": [{"conditions": [list(c) for c in r.conditions], "n": r.n, "share": r.share,
                       "text": r.sentence()} for r in self.rules],
            "importances": dict(self.importances),
            "batched": self.batched, "seconds": self.seconds,
        }


# ----------------------------------------------------------------------------------------------
# the box


def box_points(compiled: CompiledScenario, claim: Claim, samples: int, seed: int) -> tuple[np.ndarray, tuple[str, ...], str]:
    """Full parameter points ``(n, P)`` of the claim's plausible box, the varied parameters, and
    the box in words."""
    defaults = np.asarray(compiled.defaults, dtype=float)
    if claim.sweep:
        from analysis.sweep import design
        from analysis.sweep.spec import load_sweep

        base = Path(compiled.scenario.path or ".").parent
        if not (base / claim.sweep).is_file():
            k = compiled.scenario.claims.index(claim) if claim in compiled.scenario.claims else 0
            raise ScenarioError(f"no such sweep file next to the scenario (got {claim.sweep!r})",
                                path=compiled.scenario.path, field=f"claims[{k}] ({claim.id}).sweep")
        spec = load_sweep(base / claim.sweep)
        if spec.grid is None:
            spec = dataclasses.replace(spec, sample_n=samples)
        names = spec.parameter_names
        for name in names:
            if name not in compiled.parameter_names:
                raise ScenarioError(f"the sweep varies a parameter the scenario lacks (got {name!r})",
                                    path=str(spec.path), field=f"sweep.{name}")
        varied = design.points(spec, 0, spec.n_points)
        pts = np.repeat(defaults[None], len(varied), axis=0)
        for j, name in enumerate(names):
            pts[:, compiled.parameter_names.index(name)] = varied[:, j]
        pts = np.clip(pts, compiled.lower, compiled.upper)  # a distribution's tail stays within bounds
        kind = "grid" if spec.grid is not None else spec.design
        return pts, tuple(names), f"sweep {claim.sweep} ({kind}, {len(pts)} points)"
    names = tuple(n for n, lo, hi in zip(compiled.parameter_names, compiled.lower, compiled.upper)
                  if np.isfinite(lo) and np.isfinite(hi) and hi > lo)
    pts = np.repeat(defaults[None], samples, axis=0)
    if names:
        import warnings

        from scipy.stats import qmc

        sobol = qmc.Sobol(d=len(names), scramble=True, seed=np.random.default_rng(seed))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance warning for non powers of two
            u = sobol.random(samples)
        for j, name in enumerate(names):
            k = compiled.parameter_names.index(name)
            pts[:, k] = compiled.lower[k] + u[:, j] * (compiled.upper[k] - compiled.lower[k])
    return pts, names, f"uniform over each parameter's [min, max] (scrambled Sobol, seed {seed}, {samples} points)"


def verdicts_at(compiled: CompiledScenario, claim: Claim, points: np.ndarray) -> np.ndarray:
    """The verdict at each row of ``points``: batched for a perfect-information tree under ``spe``;
    otherwise one point at a time (the other solvers take one game at a time)."""
    if batchable(compiled, claim):
        out = [evaluate_claims_batch(compiled, [claim], points[s:s + BATCH])[0].verdict
               for s in range(0, len(points), BATCH)]
        return np.concatenate(out) if out else np.array([], dtype=object)
    names = compiled.parameter_names
    return np.array([evaluate_claim(compiled, claim, dict(zip(names, row.tolist()))).verdict for row in points],
                    dtype=object)


# ----------------------------------------------------------------------------------------------
# deciding assumptions


def flip_values(verdict: Callable[[np.ndarray], np.ndarray], compiled: CompiledScenario, parameters: Sequence[str],
                lows: Sequence[float], highs: Sequence[float], *, scan: int = SCAN_POINTS,
                bisections: int = BISECTIONS) -> tuple[Flip, ...]:
    """For each parameter, where the default verdict first changes moving up and moving down.

    ``verdict(points)`` gives the verdicts of full points. Each side of the default is scanned at
    ``scan`` values (:data:`SCAN_POINTS`); between the last value with the default verdict and the
    first without, ``bisections`` steps (:data:`BISECTIONS`) narrow the change (to ``range / 2**20``). A change
    between two scanned values that changes back before the next one is missed.
    """
    defaults = np.asarray(compiled.defaults, dtype=float)
    base = verdict(defaults[None])[0]
    out = []
    for name, lo, hi in zip(parameters, lows, highs):
        k = compiled.parameter_names.index(name)
        d = defaults[k]
        for direction, end in (("rises above", hi), ("falls below", lo)):
            if end == d:
                out.append(Flip(name, direction, None, base))
                continue
            xs = d + (end - d) * np.arange(1, scan + 1) / scan
            pts = np.repeat(defaults[None], len(xs), axis=0)
            pts[:, k] = xs
            vs = verdict(pts)
            changed = np.flatnonzero(vs != base)
            if not len(changed):
                out.append(Flip(name, direction, None, base))
                continue
            j = int(changed[0])
            good, bad, bad_v = (xs[j - 1] if j else d), xs[j], vs[j]
            for _ in range(bisections):
                mid = (good + bad) / 2
                p = defaults.copy()
                p[k] = mid
                v = verdict(p[None])[0]
                if v == base:
                    good = mid
                else:
                    bad = mid
            # The verdict named is the one at the scanned value beyond the change, not at the
            # bisection's last point: right at a threshold a tie can make every answer optimal
            # ("some" on a knife edge of measure zero).
            out.append(Flip(name, direction, float(bad), str(bad_v)))
    return tuple(out)


def tree_rules(x: np.ndarray, holds: np.ndarray, names: Sequence[str], seed: int = 0, depth: int = TREE_DEPTH):
    """A depth-<=``depth`` classification tree of ``holds`` over ``x``: its leaves as :class:`Rule`
    (most populous first) and each parameter's importance. No tree when ``holds`` is constant."""
    if len(holds) == 0 or holds.all() or not holds.any() or x.shape[1] == 0:
        return (), tuple((n, 0.0) for n in names)
    from sklearn.tree import DecisionTreeClassifier

    leaf = max(5, len(holds) // 50)
    clf = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf, random_state=seed)
    clf.fit(x, holds.astype(int))
    t = clf.tree_
    rules = []

    def walk(node: int, conds: tuple):
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            share = float(counts[1] / counts.sum()) if len(counts) > 1 else float(clf.classes_[0])
            rules.append(Rule(_tighten(conds), int(t.n_node_samples[node]), share))
            return
        f, thr = names[t.feature[node]], float(t.threshold[node])
        walk(t.children_left[node], conds + ((f, "<=", thr),))
        walk(t.children_right[node], conds + ((f, ">", thr),))

    walk(0, ())
    rules.sort(key=lambda r: -r.n)
    return tuple(rules), tuple((n, float(v)) for n, v in zip(names, clf.feature_importances_))


def _tighten(conds) -> tuple:
    """Keep the tightest bound per parameter and side."""
    best: dict = {}
    for p, op, t in conds:
        key = (p, op)
        if key not in best or (op == "<=" and t < best[key]) or (op == ">" and t > best[key]):
            best[key] = t
    return tuple((p, op, t) for (p, op), t in best.items())


# ----------------------------------------------------------------------------------------------
# a scenario's claims


def claim_report(compiled: CompiledScenario, claim: Claim, *, samples: int | None = None, seed: int = 0) -> ClaimReport:
    """Measure one claim at the defaults and over its box (see the module docstring).

    ``samples`` defaults to :data:`DEFAULT_SAMPLES` for a claim measured in batches and to
    :data:`DEFAULT_SAMPLES_PER_POINT` for one measured one point at a time."""
    start = time.perf_counter()
    batched = batchable(compiled, claim)
    if samples is None:
        samples = DEFAULT_SAMPLES if batched else DEFAULT_SAMPLES_PER_POINT
    at_defaults = evaluate_claim(compiled, claim)
    pts, names, box = box_points(compiled, claim, samples, seed)
    verdicts = verdicts_at(compiled, claim, pts)
    cols = [compiled.parameter_names.index(n) for n in names]
    lows = [float(pts[:, c].min()) if len(pts) else 0.0 for c in cols]
    highs = [float(pts[:, c].max()) if len(pts) else 0.0 for c in cols]
    if not claim.sweep:
        lows = [float(compiled.lower[c]) for c in cols]
        highs = [float(compiled.upper[c]) for c in cols]
    search = {} if batched else {"scan": SCAN_POINTS_PER_POINT, "bisections": BISECTIONS_PER_POINT}
    flips = flip_values(lambda p: verdicts_at(compiled, claim, p), compiled, names, lows, highs, **search)
    holds = verdicts == "holds"
    rules, importances = tree_rules(pts[:, cols], holds, names, seed)
    n = len(verdicts)
    k = int(holds.sum())
    return ClaimReport(compiled.scenario.id, compiled.scenario.path or "", claim, at_defaults.method
                       if at_defaults.method else claim_method(compiled, claim), at_defaults, box, tuple(names),
                       n, k, int((verdicts == "some").sum()), int((verdicts == "undecided").sum()),
                       wilson_interval(k, n), flips, rules, importances, batched,
                       time.perf_counter() - start)


def hypotheses(path, *, samples: int | None = None, seed: int = 0) -> tuple[ClaimReport, ...]:
    """Every claim of the scenario file at ``path``, measured (see :func:`claim_report`)."""
    _check(samples, seed)
    compiled = compile_scenario(load_scenario(path))
    return tuple(claim_report(compiled, c, samples=samples, seed=seed) for c in compiled.scenario.claims)


def _check(samples: int | None, seed: int) -> None:
    if samples is not None and (not isinstance(samples, int) or samples < 1):
        raise ScenarioError(f"must be a positive integer (got {samples!r})", field="--samples")
    if not isinstance(seed, int) or seed < 0:
        raise ScenarioError(f"must be a non-negative integer (got {seed!r})", field="--seed")


# ----------------------------------------------------------------------------------------------
# words


def verdict_sentence(r: ClaimReport) -> str:
    """The key finding in one sentence, e.g. ``"Dropping the shield bought Russian pressure on Iran —
    holds at the defaults and in 64% of the plausible box (95% interval 61-67%); it stops holding
    when russia_iran_ties rises above 2.25."``"""
    lo, hi = r.interval
    box = f"{r.share:.0%} of the plausible box (95% interval {lo:.0%}-{hi:.0%})"
    v = r.at_defaults.verdict
    if v == "holds":
        text = f"{r.claim.claim.rstrip('.')} — holds at the defaults and in {box}"
    else:
        text = f"{r.claim.claim.rstrip('.')} — {v} at the defaults; holds in {box}"
    if r.some:
        text += f"; equilibria disagree (some) in {r.some_share:.0%}"
    deciding = r.deciding()
    if deciding:
        text += "; it " + ", and ".join(deciding[:2])
    elif r.n and r.holds == r.n:
        text += "; it holds everywhere in the box (a consequence of the model there, not an empirical claim)"
    return text + "."


def format_summary(reports: Sequence[ClaimReport]) -> str:
    """One line per claim, ``SCENARIO/CLAIM_ID: `` and its :func:`verdict_sentence`: the figures
    without the timings, so a document can quote the output and a test can compare it.

    >>> from pathlib import Path
    >>> path = Path(__file__).resolve().parent.parent / "tests" / "data" / "claims" / "entry.toml"
    >>> print(format_summary(hypotheses(path, samples=64)[:1]))  # doctest: +ELLIPSIS
    entry/entry_accommodated: The entrant enters and the incumbent shares — holds at the defaults and in ...
    """
    return "\n".join(f"{r.scenario}/{r.claim.id}: {verdict_sentence(r)}" for r in reports) or "no claims"


def format_reports(reports: Sequence[ClaimReport]) -> str:
    """One block per claim, for an analyst."""
    blocks = []
    for r in reports:
        lo, hi = r.interval
        lines = [f"{r.scenario} / {r.claim.id}", f"  claim:       {r.claim.claim}",
                 f"  at defaults: {r.at_defaults.verdict}"
                 + (f" ({r.at_defaults.reason})" if r.at_defaults.reason else "")
                 + (f", {len(r.at_defaults.equilibria)} equilibria" if len(r.at_defaults.equilibria) > 1 else ""),
                 f"  box:         {r.box}",
                 f"  holds in:    {r.share:.1%} of the box (95% interval {lo:.1%}-{hi:.1%}; {r.holds} of {r.n})",
                 f"  some:        {r.some_share:.1%} (multiple equilibria disagree)"
                 + (f"; undecided at {r.undecided} points" if r.undecided else "")]
        deciding = r.deciding()
        lines.append("  deciding:    " + ("; ".join(deciding) if deciding else
                                          "no single parameter changes the verdict at the defaults"))
        for rule in r.rules[:4]:
            lines.append(f"    - {rule.sentence()}")
        ranked = [(n, v) for n, v in sorted(r.importances, key=lambda x: -x[1]) if v > 0]
        if ranked:
            lines.append("  importance:  " + ", ".join(f"{n} {v:.2f}" for n, v in ranked))
        lines.append(f"  method:      {r.method}{' (batched)' if r.batched else ''}; {r.seconds:.2f} s")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) if blocks else "no claims"
