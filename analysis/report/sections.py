"""The sections of a report, and :func:`build_report`, which turns loaded sources into a Report.

A section is a function ``build(report, source, *, tol)`` that appends blocks and may return one
sentence for the report's key findings. :data:`SECTIONS` lists them in report order, each with its
scope: once per scenario file, once over all scenario files, or once per sweep folder. Adding a
section is its function plus one line in that table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Sequence

from analysis.io import versions
from analysis.render import path_text, strategy_text
from analysis.report.document import Block, Report, slug
from analysis.sources import ScenarioSource, SweepSource, is_grid
from sim import registry

#: Longest equilibria table in a report (a sequential game's reduced form can have hundreds).
MAX_TABLE_ROWS = 25


def _fmt(x, digits: int = 4) -> str:
    """A number as a table shows it (floats to ``digits`` significant digits).

    Examples
    --------
    >>> _fmt(2 / 3), _fmt(3), _fmt("a")
    ('0.6667', '3', 'a')
    """
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def _equilibria_rows(result) -> list[list[str]]:
    g = result.game
    return [[str(k), *(strategy_text(g.actions[i], eq.profile[i], digits=3) for i in range(len(g.players))),
             *(f"{v:.4g}" for v in eq.payoffs), f"{eq.max_regret:.1e}"]
            for k, eq in enumerate(result.equilibria, 1)]


def _scenario_section(report: Report, src: ScenarioSource, *, tol: float) -> str:
    """Goals with their sources, parameters, equilibria by method, and the game tree of a sequential
    scenario; the finding is how many equilibria the first method found."""
    from analysis import charts

    s = src.scenario
    report.add("h2", f"Scenario: {s.title}")
    facts = [f"File {src.path.name} (id {s.id}); timing: "
             f"{'simultaneous' if not src.compiled.sequential else 'sequential'}."]
    if s.source:
        facts.append(f"Source: {s.source}.")
    report.add("p", " ".join(facts))
    if s.description:
        report.add("p", s.description)
    report.add("h3", "Goals and their sources")
    report.add("table", "", headers=["player", "goal", "weight", "quote from the source", "assumption"],
               rows=[[g.player, g.name, _fmt(g.weight), g.quote or g.description or "-",
                      "yes" if g.assumption else "no"] for g in s.goals])
    if s.parameters:
        report.add("h3", "Parameters")
        report.add("table", "", headers=["parameter", "default", "range", "assumption", "meaning"],
                   rows=[[p.name, _fmt(p.default), f"[{_fmt(p.min)}, {_fmt(p.max)}]",
                          "yes" if p.assumption else "no", p.description or "-"] for p in s.parameters])
    players = src.game.players
    on_tree = {"spe", "pbe", "pbe_mixed"}
    for r in src.results:
        what = {"spe": "Subgame-perfect equilibria", "pbe": "Perfect Bayesian equilibria (pure)"}.get(
            r.method, "Equilibria")
        where = " of the reduced normal form" if src.compiled.sequential and r.method not in on_tree else ""
        report.add("h3", f"{what}{where} ({r.method}, {len(r.equilibria)} found, complete={r.complete})")
        report.add("p", f"Method {r.method}: {registry.get(r.method).summary}.")
        if src.compiled.sequential and r.method in on_tree:
            # A tree's equilibrium reads best as its play: each move on the path, by name.
            rows = [[str(k), path_text(eq.details["path"], digits=3), *(f"{v:.4g}" for v in eq.payoffs),
                     f"{eq.max_regret:.1e}"] for k, eq in enumerate(r.equilibria, 1)]
            headers = ["#", "path of play", *(f"payoff {p}" for p in players), "max regret"]
        else:
            rows = _equilibria_rows(r)
            headers = ["#", *players, *(f"payoff {p}" for p in players), "max regret"]
        report.add("table", "", headers=headers, rows=rows[:MAX_TABLE_ROWS])
        if len(rows) > MAX_TABLE_ROWS:
            report.add("p", f"... and {len(rows) - MAX_TABLE_ROWS} more (bargain solve {src.path.name} lists all).")
    if src.compiled.sequential:
        first = src.results[0]
        if first.equilibria:
            behaviour = first.equilibria[0].details["behaviour"]
            kind = "perfect Bayesian" if first.method == "pbe" else "subgame-perfect"
            report.add("chart", f"Game tree of {s.id}; the thick edges are the play of its first {kind} "
                                "equilibrium.", figure=charts.tree_chart(src.game, behaviour), name=f"tree-{s.id}")
        else:
            report.add("chart", f"Game tree of {s.id}.", figure=charts.tree_chart(src.game), name=f"tree-{s.id}")
    r = src.results[0]
    return (f"{s.id}: {len(r.equilibria)} {r.method} equilibri{'um' if len(r.equilibria) == 1 else 'a'}"
            f"{'' if r.complete else ' (not a complete list)'}.")


def _beliefs_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """For a sequential scenario whose movers do not see some earlier move: at each such decision
    point, the belief at which the mover's best answer flips (exact; later moves as in the first
    subgame-perfect equilibrium). Nothing for a scenario where every mover sees everything."""
    if not src.compiled.sequential or not src.results:
        return
    from analysis.render import belief_document

    doc = belief_document(src.game, src.results[0])
    if not doc["infosets"]:
        return
    report.add("h3", "Beliefs: where an uncertain mover's best answer flips")
    valued = ("Later moves are valued as in the first subgame-perfect equilibrium above."
              if doc["equilibrium"] is not None else
              "There is no subgame-perfect equilibrium to value later moves by, so decision points whose "
              "actions do not end the game are skipped.")
    report.add("p", "At each decision point where the mover does not see an earlier move, its expected payoff is "
                    "linear in its belief, so each action is a best answer on an interval of beliefs; the ends "
                    f"of these intervals are computed exactly (Fudenberg and Tirole 1991, section 8.2). {valued}")
    for e in doc["infosets"]:
        report.add("p", e["text"] or f"{e['player']} (at {e['infoset']}): skipped ({e['skipped']}).")


def _bargaining_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """Solutions of the scenario's ``[bargaining]`` table, with the frontier chart for two players."""
    if src.scenario.bargaining is None:
        return
    from analysis import charts
    from analysis.frontier import SOLUTION_NAMES, frontier_solutions

    fs = frontier_solutions(src.scenario)
    players = fs.players
    report.add("h3", "Bargaining solutions")
    report.add("p", f"Bargaining over {', '.join(i.name for i in src.scenario.bargaining.issues)} between "
                    f"{', '.join(players)}; disagreement point "
                    + ", ".join(f"{p} {v:.4g}" for p, v in zip(players, fs.disagreement)) + ".")
    report.add("table", "", headers=["solution", *(f"utility {p}" for p in players), "agreement"],
               rows=[[SOLUTION_NAMES.get(sol.method, sol.method), *(f"{v:.4g}" for v in sol.point),
                      ", ".join(f"{k}={v:.3g}" for k, v in (sol.agreement or {}).items()) or "-"]
                     for sol in fs.solutions.values()])
    if len(players) == 2:
        report.add("chart", f"Bargaining frontier of {src.scenario.id}, the disagreement point and the solutions.",
                   figure=charts.frontier_chart(fs.frontier, fs.disagreement, fs.points(SOLUTION_NAMES),
                                                players=players),
                   name=f"frontier-{src.scenario.id}")


def _repeated_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """Repeated play of the scenario's stage game, for scenarios with a ``[repeated]`` table:
    minmax values, the targets' discount thresholds and the feasible IR chart."""
    if src.scenario.repeated is None:
        return
    from analysis import charts
    from sim.repeated import repeated_from_scenario

    an = repeated_from_scenario(src.scenario)
    g = an.game
    report.add("h3", "Repeated play")
    dv = src.scenario.repeated.discount
    report.add("p", f"The stage game repeated with discount factor {an.discount:.4g}"
                    + (f" (parameter {dv})" if isinstance(dv, str) else "") + ". Grim trigger reverts to the stage "
                    "equilibrium worst for the deviator (Friedman 1971); minmax punishment holds the deviator to "
                    "its minmax value for ever (Fudenberg and Maskin 1986).")
    report.add("table", "", headers=["player", "pure minmax", f"{an.minmax.kind} minmax"],
               rows=[[p, f"{an.pure_minmax.values[i]:.4g}", f"{an.minmax.values[i]:.4g}"]
                     for i, p in enumerate(g.players)])

    def thr(s):
        return "-" if s is None else ("never" if not s.sustainable else f"{s.threshold:.4g}")

    def held(s):
        return "-" if s is None else ("yes" if s.sustained_at(an.discount) else "no")

    rows = [[", ".join(g.actions[i][a] for i, a in enumerate(t.target)),
             "Pareto-dominates a stage equilibrium" if t.source == "pareto" else "given",
             ", ".join(f"{v:.4g}" for v in t.minmax.payoffs), thr(t.grim), held(t.grim), thr(t.minmax), held(t.minmax)]
            for t in an.targets]
    if rows:
        report.add("table", "", headers=["target", "why", "payoffs", "grim trigger: delta >=",
                                         f"at {an.discount:.3g}", "minmax: delta >=", f"at {an.discount:.3g}"],
                   rows=rows)
    else:
        report.add("p", "No pure profile Pareto-dominates a stage equilibrium: there is no cooperation to sustain.")
    if g.n_players == 2:
        report.add("chart", f"Feasible and individually rational payoffs of {src.scenario.id}'s stage game, with "
                            "the minmax point, the stage equilibria and the targets' thresholds.",
                   figure=charts.feasible_ir_chart(an), name=f"repeated-{src.scenario.id}")


def _comparison_section(report: Report, scenarios: list[ScenarioSource], *, tol: float) -> None:
    """Equilibrium payoffs across the scenarios, and each one's equilibria matched to the first's."""
    from analysis import charts
    from analysis.compare import Setting, compare_results

    settings = [Setting(s.scenario.id, s.results[0]) for s in scenarios if s.results]
    report.add("h2", "Comparison across scenarios")
    report.add("chart", "Equilibrium payoffs in each scenario (first three equilibria of each).",
               figure=charts.payoff_bars(settings), name="payoffs-across-scenarios")
    if len(settings) < 2:
        return
    report.add("p", f"Each scenario's equilibria matched to those of {settings[0].label}: by the same outcome, "
                    f"else by the nearest profile within {tol:g} in every probability.")
    rows = []
    for c in compare_results(settings, tol=tol):
        for m in c.matches:
            rows.append([c.other, "same", m.outcome, ", ".join(f"{p} {v:+.3g}" for p, v in m.deltas.items()),
                         ", ".join(m.gains) or "-", ", ".join(m.losses) or "-"])
        rows += [[c.other, "vanished", o, "", "", ""] for o in c.vanished]
        rows += [[c.other, "appeared", o, "", "", ""] for o in c.appeared]
    report.add("table", "", headers=["scenario", "status", "outcome", "payoff change", "gain", "lose"], rows=rows)


def _logit_section(report: Report, scenarios: list[ScenarioSource], *, tol: float) -> None:
    """The logit QRE branch of the smallest simultaneous scenario (McKelvey and Palfrey 1995)."""
    from analysis import charts

    candidates = [s for s in scenarios if not s.compiled.sequential]
    if not candidates:
        return
    src = min(candidates, key=lambda s: s.normal_form.n_profiles)
    from sim.solvers import solve

    result = solve(src.normal_form, "logit")
    eq = result.equilibria[0]
    report.add("h2", f"Logit quantal response: {src.scenario.id}")
    report.add("p", "How play sharpens as the players' precision grows (McKelvey and Palfrey 1995); the branch "
                    f"ends at a Nash equilibrium with max regret {eq.max_regret:.1e} (converged={result.converged}).")
    report.add("chart", f"Logit QRE principal branch of {src.scenario.id}.", figure=charts.qre_branch_chart(result),
               name=f"qre-{src.scenario.id}")


def _sweep_section(report: Report, src: SweepSource, *, tol: float) -> str:
    """Regimes, thresholds, outcome frequencies and sensitivity of a sweep; the finding sums them up."""
    from analysis import charts
    from analysis.compare import find_thresholds, sweep_summary

    m = src.manifest
    grid = is_grid(m)
    tag = slug(src.path.name)  # chart names stay unique when a report holds several sweeps
    report.add("h2", f"Sweep: {m.get('sweep')} over {m.get('scenario')}")
    design = "grid" if grid else f"{m['spec']['sweep'].get('sample', {}).get('design', 'sampled')} sample"
    report.add("p", f"{m['n_points']:,} parameter points ({design}) of {', '.join(m['parameters'])}; methods "
                    f"{', '.join(m['methods'])}; seed {m['seed']}.")
    if src.compiled is None:
        report.add("p", "The scenario file with the manifest's content hash was not found, so thresholds are "
                        "located to the grid spacing only and no sensitivity is computed.")
    method = m["methods"][0]
    doc = sweep_summary(src.table, src.compiled, method=method, tol=tol, grid=grid)
    key = {r["regime"]: r["name"] for r in doc["regimes"]}
    report.add("h3", "Regimes (the set of pure equilibrium outcomes) and where they hold")
    report.add("table", "", headers=["regime", "share of points", *(f"{p} range" for p in m["parameters"]),
                                     "equilibrium outcomes"],
               rows=[[r["name"], f"{r['share']:.1%}",
                      *(f"[{lo:.4g}, {hi:.4g}]" for lo, hi in r["ranges"].values()),
                      "; ".join(r["regime"].split(" | "))] for r in doc["regimes"]])
    params = list(m["parameters"])
    names = {r: key[r] for r in key}
    if grid and len(params) >= 2:
        report.add("chart", f"Regimes over {params[0]} and {params[1]} (names as in the regime table).",
                   figure=charts.regime_map(src.table, params[0], params[1], method=method, names=names),
                   name=f"{tag}-regime-map")
    if grid and "thresholds" in doc:
        how = (f"bisected on the scenario to {tol:g}" if doc["thresholds_bisected"]
               else "located to the grid spacing")
        report.add("h3", f"Thresholds where the regime changes ({how})")
        report.add("table", "", headers=["parameter", "value", "tolerance", "grid lines", "from", "to"],
                   rows=[[t["parameter"], f"{t['min']:.6g}" if t["max"] - t["min"] < 1e-12
                          else f"{t['min']:.6g} to {t['max']:.6g}", f"{t['tolerance']:.1g}", str(t["lines"]),
                          key.get(t["before"], t["before"]), key.get(t["after"], t["after"])]
                         for t in doc["thresholds"]])
        thresholds = (find_thresholds(src.table, src.compiled, method=method, tol=tol)
                      if doc["thresholds_bisected"] else ())
        for p in params[:2]:
            first_player = next(c for c in src.table.columns if c.startswith("prob.")).split(".")[1]
            report.add("chart", f"Equilibrium payoffs and {first_player}'s action probabilities along {p} "
                                "(other parameters at their middle grid value); dashed lines mark regime changes.",
                       figure=charts.along_parameter(src.table, p, method=method, thresholds=thresholds),
                       name=f"{tag}-along-{p}")
    report.add("h3", "How often each outcome is an equilibrium")
    report.add("table", "", headers=["outcome", "points", "share", "95% interval (Wilson)"],
               rows=[[f["outcome"], f"{f['points']:,}", f"{f['share']:.1%}", f"[{f['low']:.3f}, {f['high']:.3f}]"]
                     for f in doc["outcome_frequencies"]])
    report.add("chart", "Share of points where each outcome is an equilibrium, with 95% Wilson intervals.",
               figure=charts.outcome_frequency_chart(doc["outcome_frequencies"]), name=f"{tag}-outcome-frequencies")
    if "sensitivity" in doc:
        report.add("h3", "Sensitivity of the baseline regime")
        report.add("p", "Each parameter moved alone over its swept range (else its declared bounds), the others "
                        "at their defaults; the share of that range where the regime differs from the baseline's.")
        report.add("table", "", headers=["parameter", "default", "range", "changes below", "changes above", "total"],
                   rows=[[s["parameter"], _fmt(s["default"]), f"[{s['low']:.4g}, {s['high']:.4g}]",
                          f"{s['flip_below']:.1%}", f"{s['flip_above']:.1%}", f"{s['flip_share']:.1%}"]
                         for s in doc["sensitivity"]])
        report.add("chart", "Tornado chart: which parameter, moved alone, changes the baseline regime most often.",
                   figure=charts.tornado_chart(doc["sensitivity"]), name=f"{tag}-tornado")
    return _sweep_finding(src, doc)


def _sweep_finding(src: SweepSource, doc: dict) -> str:
    """One sentence: how many regimes, where the regime changes, what moves the baseline most."""
    text = f"{src.path.name}: {len(doc['regimes'])} regime(s) over {doc['points']:,} points"
    if doc["regimes"]:
        top = doc["regimes"][0]
        text += f", the commonest ({top['name']}, {top['share']:.0%}) with {len(top['regime'].split(' | '))} outcome(s)"
    if doc.get("thresholds"):
        seen = dict.fromkeys(f"{t['parameter']} = {t['min']:.4g}" if t["max"] - t["min"] < 1e-9
                             else f"{t['parameter']} in {t['min']:.4g}..{t['max']:.4g}" for t in doc["thresholds"])
        text += "; the regime changes at " + ", ".join(list(seen)[:6]) + (" and more" if len(seen) > 6 else "")
    moving = [x for x in doc.get("sensitivity", []) if x["flip_share"] > 0]
    if moving:
        text += (f"; moved alone, {moving[0]['parameter']} changes the baseline regime over "
                 f"{moving[0]['flip_share']:.0%} of its range")
    return text + "."


#: Points of each claim's box in the report (``bargain hypotheses`` defaults to 1024): the demo
#: report solves every scenario, so the report keeps the cost of its claims bounded.
REPORT_CLAIM_SAMPLES = 256
#: The same for a claim solved one point at a time (about 0.3 s a point under ``pbe_mixed``).
REPORT_CLAIM_SAMPLES_PER_POINT = 64


def _claims_section(report: Report, src: ScenarioSource, *, tol: float) -> str | None:
    """The scenario's claims measured as ``bargain hypotheses`` does, on a smaller sample: a table
    (claim, verdict at the defaults, share of the box with its interval, deciding assumptions) and
    one key-finding sentence per claim."""
    if not src.scenario.claims:
        return None
    from analysis.hypotheses import claim_report, verdict_sentence
    from sim.claims import batchable

    reports = [claim_report(src.compiled, c, seed=0, samples=REPORT_CLAIM_SAMPLES if batchable(src.compiled, c)
                            else REPORT_CLAIM_SAMPLES_PER_POINT) for c in src.scenario.claims]
    report.add("h3", "Claims")
    report.add("p", "Each claim of the scenario file is a condition on the equilibria. Its verdict at the defaults, "
                    f"the share of the plausible box where it holds ({REPORT_CLAIM_SAMPLES} points per claim, "
                    f"{REPORT_CLAIM_SAMPLES_PER_POINT} for a claim solved one point at a time; seed 0; with a 95% "
                    "Wilson interval; `bargain hypotheses` takes more by default) and the parameter values "
                    "where the default verdict changes are measured as docs/hypotheses.md describes.")
    rows = []
    for r in reports:
        lo, hi = r.interval
        rows.append([r.claim.claim, r.at_defaults.verdict, f"{r.share:.0%} ({lo:.0%}-{hi:.0%})",
                     "; ".join(r.deciding()) or "-"])
    report.add("table", "", headers=["claim", "at the defaults", "holds in the box (95% interval)",
                                     "deciding assumptions"], rows=rows)
    return " ".join(verdict_sentence(r) for r in reports)


#: Monte Carlo points of the report's region shares (``bargain regions`` takes more by default).
REPORT_REGION_SAMPLES = 4_000
#: Regions listed in the report's table (largest shares first).
REPORT_REGION_ROWS = 12


def _regions_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """Where each pure equilibrium holds as the scenario's assumptions vary (:mod:`sim.regions`):
    the regions in words with their shares, largest first. The varied parameters are those flagged
    as assumptions with finite bounds (chance probabilities held), else every bounded parameter;
    a scenario whose regions cannot be computed (imperfect information) gets one sentence why."""
    from sim.regions import equilibrium_regions

    c = src.compiled
    params = [p for p in c.scenario.parameters if p.min is not None and p.max is not None and p.max > p.min]
    probability = {p for m in (c.scenario.timing if c.sequential else ())
                   for _, p in getattr(m, "outcomes", ()) if isinstance(p, str)}
    flagged = [p.name for p in params if getattr(p, "assumption", False) and p.name not in probability]
    vary = flagged or [p.name for p in params if p.name not in probability]
    if not vary:
        return None
    report.add("h3", "Equilibrium regions")
    try:
        result = equilibrium_regions(c, vary=vary, samples=REPORT_REGION_SAMPLES, seed=0)
    except ValueError as exc:
        report.add("p", f"Not computed: {exc}")
        return None
    which = "the parameters flagged as assumptions" if flagged else "every bounded parameter"
    what = "pure Nash equilibrium" if result.kind == "nash" else "subgame-perfect strategy profile (named by its path)"
    report.add("p", f"Where each {what} holds as {which} ({', '.join(vary)}) range over their bounds, the others "
                    f"at their defaults: exact inequalities with redundant ones removed, and the share of that box "
                    f"(exact where the inequalities involve at most two parameters at a time, else "
                    f"{REPORT_REGION_SAMPLES} seeded uniform points with a 95% Wilson interval). {result.tie_rule}."
                    + (f" Terms multiplying two varied parameters ({', '.join(result.nonlinear_terms)}) make some "
                       "regions curved: they are still exact, but their emptiness and shares are sampled."
                       if result.nonlinear_terms else "") + " `bargain regions` gives them all.")
    rows = []
    for r in result.regions[:REPORT_REGION_ROWS]:
        lo, hi = r.share_interval
        share = f"{r.share:.1%}" if r.share_method == "exact" else f"{r.share:.1%} ({lo:.1%}-{hi:.1%})"
        rows.append([r.label, share, r.words().removeprefix("holds exactly when ")])
    report.add("table", "", headers=["equilibrium", "share of the box", "holds exactly when"], rows=rows)
    if len(result.regions) > REPORT_REGION_ROWS:
        report.add("p", f"{len(result.regions) - REPORT_REGION_ROWS} smaller regions are not listed.")
    if result.overlaps:
        report.add("p", f"{len(result.overlaps)} pair(s) of regions overlap: several equilibria hold there.")
    return None


@dataclass(frozen=True)
class Section:
    """A report section: ``scope`` is ``"scenario"`` (built once per scenario file),
    ``"scenarios"`` (once over all of them, when there are any) or ``"sweep"`` (once per sweep
    folder); ``build(report, source_or_sources, *, tol)`` returns a key finding or ``None``."""

    scope: str
    build: Callable


#: The report's sections in order (consecutive per-scenario sections run scenario by scenario).
SECTIONS: dict[str, Section] = {
    "scenario": Section("scenario", _scenario_section),
    "beliefs": Section("scenario", _beliefs_section),
    "bargaining": Section("scenario", _bargaining_section),
    "repeated": Section("scenario", _repeated_section),
    "claims": Section("scenario", _claims_section),
    "regions": Section("scenario", _regions_section),
    "comparison": Section("scenarios", _comparison_section),
    "logit": Section("scenarios", _logit_section),
    "sweep": Section("sweep", _sweep_section),
}


def build_report(sources: Sequence, *, title: str = "Bargaining report", tol: float = 1e-6,
                 logit: bool = True, command: str | None = None) -> Report:
    """Turn loaded sources (:func:`analysis.sources.load_source`) into a :class:`Report`; no file
    is written. ``logit=False`` leaves out the logit section; ``command`` is the command line
    printed for re-running (default: ``bargain report`` and the sources)."""
    report = Report(title)
    scenarios = [s for s in sources if isinstance(s, ScenarioSource)]
    sweeps = [s for s in sources if isinstance(s, SweepSource)]
    report.add("h1", title)
    report.add("p", f"{len(scenarios)} scenario(s) solved and {len(sweeps)} sweep(s) summarised. Payoffs are in "
                    "the scenarios' payoff units (the goal weights); every equilibrium carries its measured max "
                    "regret (the most any player gains by deviating).")
    at = len(report.blocks)  # key findings go here, once everything is computed
    findings = []
    names = [n for n in SECTIONS if logit or n != "logit"]
    for scope, run in itertools.groupby(names, key=lambda n: SECTIONS[n].scope):
        builders = [SECTIONS[n].build for n in run]
        if scope == "scenarios":
            targets = [scenarios] if scenarios else []
        else:
            targets = scenarios if scope == "scenario" else sweeps
        for target in targets:
            findings += [f for build in builders if (f := build(report, target, tol=tol))]
    report.blocks[at:at] = [Block("h2", "Key findings"), *(Block("p", f) for f in findings)]
    report.add("h2", "Reproducibility")
    report.add("p", "Re-run with: " + (command or "bargain report " + " ".join(str(s.path) for s in sources)))
    rows = [[s.path.name, "scenario file", s.sha256] for s in scenarios]
    for s in sweeps:
        m = s.manifest
        rows.append([m.get("scenario", "?"), f"scenario of sweep {s.path.name}", m.get("scenario_hash", "?")])
        rows.append([m.get("sweep", "?"), f"sweep file (seed {m.get('seed')})", m.get("sweep_hash", "?")])
    report.add("table", "", headers=["file", "role", "SHA-256"], rows=rows)
    report.add("table", "", headers=["software", "version"],
               rows=[[name, v or "not installed"] for name, v in versions().items()])
    return report
