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
from analysis.render import strategy_text
from analysis.report.document import MAX_TABLE_ROWS, Block, Report, slug
from analysis.report.findings import bargaining_finding, scenario_finding, sweep_finding
from analysis.sources import ScenarioSource, SweepSource, is_grid
from sim import registry
from sim.errors import ScenarioError

__all__ = ["MAX_TABLE_ROWS", "SECTIONS", "Section", "build_report"]


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
    _timing_table(report, s)
    if s.parameters:
        report.add("h3", "Parameters")
        report.add("table", "", headers=["parameter", "default", "range", "assumption", "meaning"],
                   rows=[[p.name, _fmt(p.default), f"[{_fmt(p.min)}, {_fmt(p.max)}]",
                          "yes" if p.assumption else "no", p.description or "-"] for p in s.parameters])
    players = src.game.players
    on_tree = {"spe", "pbe", "pbe_mixed", "pbe_agent"}
    for r in src.results:
        what = {"spe": "Subgame-perfect equilibria", "pbe": "Perfect Bayesian equilibria (pure)",
                "pbe_agent": "Perfect Bayesian equilibria (mixed included)"}.get(
            r.method, "Equilibria")
        where = " of the reduced normal form" if src.compiled.sequential and r.method not in on_tree else ""
        report.add("h3", f"{what}{where} ({r.method}, {len(r.equilibria)} found, complete={r.complete})")
        report.add("p", f"Method {r.method}: {registry.get(r.method).summary}.")
        choice = r.details.get("method_choice")
        if choice is not None and choice["fallback"]:
            report.add("p", f"{choice['used']} instead of {choice['default']}: {choice['reason']}.")
        if src.compiled.sequential:
            # A tree's equilibrium reads best as its play (each move by player and action, each
            # branch with its probability), then its choices off the path by decision point; an
            # equilibrium of the reduced normal form is read on the tree the same way.
            rows = _tree_rows(src.game, r)
            headers = ["#", "path of play", "choices off the path", *(f"payoff {p}" for p in players),
                       "max regret"]
        else:
            rows = _equilibria_rows(r)
            headers = ["#", *players, *(f"payoff {p}" for p in players), "max regret"]
        report.add_table(headers, rows, see_all=f"bargain solve {src.path.name}"
                         + ("" if r.method in on_tree else f" --method {r.method}") + " lists them all")
    if src.compiled.sequential:
        first = src.results[0]
        if first.equilibria:
            behaviour = first.equilibria[0].details["behaviour"]
            kind = "perfect Bayesian" if first.method in registry.BELIEF_METHODS else "subgame-perfect"
            report.add("chart", f"Game tree of {s.id}; the thick edges are the play of its first {kind} "
                                "equilibrium.", figure=charts.tree_chart(src.game, behaviour), name=f"tree-{s.id}")
        else:
            report.add("chart", f"Game tree of {s.id}.", figure=charts.tree_chart(src.game), name=f"tree-{s.id}")
    return scenario_finding(src)


def _timing_table(report: Report, scenario) -> None:
    """Who moves when, what each mover observes, under which condition, and which of these are
    assumptions (:func:`analysis.render.timing_rows`, as ``bargain show`` prints them)."""
    from analysis.render import TIMING_HEADERS, timing_rows

    report.add("h3", "Timing: who moves, seeing what, when")
    if scenario.timing_assumption:
        report.add("p", "The source gives no move order or observations: the whole timing is an assumption.")
    report.add("table", "", headers=list(TIMING_HEADERS), rows=timing_rows(scenario))


#: Off-path choices listed per equilibrium in a report's table before "and N more".
MAX_OFF_PATH = 8


def _tree_rows(tree, result) -> list[list[str]]:
    """Each equilibrium of a tree (or of its reduced normal form) as a table row: its play
    (:func:`sim.extensive.names.play_text`), its choices at the decision points play does not
    reach, by name (:func:`sim.extensive.names.decision_point_names`), payoffs and regret."""
    from analysis.render import off_path_lines, play_text, tree_play
    from sim.extensive.names import decision_point_names

    names = decision_point_names(tree) if result.equilibria else {}
    rows = []
    for k, eq in enumerate(result.equilibria, 1):
        behaviour, unplanned = tree_play(tree, eq)
        off = off_path_lines(tree, behaviour, unplanned, names, digits=3)
        shown = "; ".join(off[:MAX_OFF_PATH]) + (f"; and {len(off) - MAX_OFF_PATH} more" if len(off) > MAX_OFF_PATH else "")
        rows.append([str(k), play_text(tree, behaviour, digits=3), shown or "-", *(f"{v:.4g}" for v in eq.payoffs),
                     f"{eq.max_regret:.1e}"])
    return rows


def _beliefs_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """For a sequential scenario whose movers do not see some earlier move: at each such decision
    point, the belief at which the mover's best answer flips (exact; later moves as in the first
    equilibrium of the first result, which must carry beliefs: a perfect Bayesian one). Nothing for
    a scenario where every mover sees everything; a sentence saying why, and no number, when the
    first result has no beliefs."""
    if not src.compiled.sequential or not src.results:
        return
    from analysis.render import belief_document
    from sim.registry import beliefs_unavailable_reason

    first = src.results[0]
    why = beliefs_unavailable_reason(src.game, first)
    if why is not None:
        report.add("h3", "Beliefs: where an uncertain mover's best answer flips")
        report.add("p", f"Belief thresholds are unavailable: {why}.")
        return
    doc = belief_document(src.game, first)
    if not doc["infosets"]:
        return
    report.add("h3", "Beliefs: where an uncertain mover's best answer flips")
    valued = (f"Later moves are valued as in the first equilibrium above ({first.method})."
              if doc["equilibrium"] is not None else
              "There is no equilibrium to value later moves by, so decision points whose "
              "actions do not end the game are skipped.")
    report.add("p", "At each decision point where the mover does not see an earlier move, its expected payoff is "
                    "linear in its belief, so each action is a best answer on an interval of beliefs; the ends "
                    f"of these intervals are computed exactly (Fudenberg and Tirole 1991, section 8.2). {valued}")
    for e in doc["infosets"]:
        report.add("p", e["text"] or f"{e['player']} (at {e['infoset']}): skipped ({e['skipped']}).")


def _bargaining_section(report: Report, src: ScenarioSource, *, tol: float) -> str | None:
    """Solutions of the scenario's ``[bargaining]`` table, with the frontier chart for two players.
    A table where no agreement gives every player more than disagreement is a finding ("no zone of
    agreement"), not an error: the solutions are then not defined and none is drawn."""
    if src.scenario.bargaining is None:
        return None
    from analysis import charts
    from analysis.frontier import SOLUTION_NAMES, agreement_gain, frontier_solutions
    from sim.bargaining import problem_from_scenario

    problem = problem_from_scenario(src.scenario)
    players = problem.players
    issues = [i.name for i in src.scenario.bargaining.issues]
    report.add("h3", "Bargaining solutions")
    report.add("p", f"Bargaining over {', '.join(issues)} between {', '.join(players)}; disagreement point "
                    + ", ".join(f"{p} {v:.4g}" for p, v in zip(players, problem.disagreement))
                    + (f" ({problem.source['disagreement']})" if problem.source.get("disagreement") else "") + ".")
    gain = agreement_gain(problem)
    scale = max(1.0, float(abs(problem.outcomes).max()))
    if not gain > tol * scale:
        finding = bargaining_finding(src.scenario, problem, None, gain)
        body = finding.split(": ", 1)[1]
        report.add("p", body[0].upper() + body[1:])
        return finding
    fs = frontier_solutions(src.scenario)
    report.add_table(["solution", *(f"utility {p}" for p in players), "agreement"],
                     [[SOLUTION_NAMES.get(sol.method, sol.method), *(f"{v:.4g}" for v in sol.point),
                       ", ".join(f"{k}={v:.3g}" for k, v in (sol.agreement or {}).items()) or "-"]
                      for sol in fs.solutions.values()])
    if len(players) == 2:
        report.add("chart", f"Bargaining frontier of {src.scenario.id}, the disagreement point and the solutions.",
                   figure=charts.frontier_chart(fs.frontier, fs.disagreement, fs.points(SOLUTION_NAMES),
                                                players=players),
                   name=f"frontier-{src.scenario.id}")
    return bargaining_finding(src.scenario, problem, fs, gain)


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
        report.add_table(["target", "why", "payoffs", "grim trigger: delta >=", f"at {an.discount:.3g}",
                          "minmax: delta >=", f"at {an.discount:.3g}"], rows,
                         see_all=f"bargain solve {src.path.name} --method repeated lists them all")
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
    report.add_table(["scenario", "status", "outcome", "payoff change", "gain", "lose"], rows,
                     see_all="bargain compare " + " ".join(s.path.name for s in scenarios if s.results)
                     + " lists them all")


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
    see_all = f"bargain compare {src.path.name} lists them all"
    report.add_table(["regime", "share of points", *(f"{p} range" for p in m["parameters"]),
                      "equilibrium outcomes"], see_all=see_all,
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
        report.add_table(["parameter", "value", "tolerance", "grid lines", "from", "to"], see_all=see_all,
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
    report.add_table(["outcome", "points", "share", "95% interval (Wilson)"], see_all=see_all,
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
        _global_beside_tornado(report, src, doc["sensitivity"])
    return sweep_finding(src.path.name, doc)


def _global_sensitivity(src: SweepSource, method: str):
    """``bargain sensitivity DIR --indicator "regime: R1"`` at the report's resamples, computed once
    per source for the tornado's side table and the global sensitivity section."""
    from analysis.sensitivity import sweep_sensitivity

    key = (id(src), method)
    held = _GLOBAL_MEMO.get(key)
    if held is None or held[0] is not src:
        _GLOBAL_MEMO.clear()  # one source at a time: the memo never outlives its report
        held = _GLOBAL_MEMO[key] = (src, sweep_sensitivity(src, "regime: R1", method=method,
                                                           resamples=REPORT_RESAMPLES))
    return held[1]


_GLOBAL_MEMO: dict = {}


def one_at_a_time_versus_global(tornado: Sequence[dict], result) -> tuple[list[str], list[list[str]], str]:
    """The tornado's one-at-a-time shares beside global indices (Sobol or Morris) of the same
    parameters: table headers, rows (tornado order) and a sentence comparing the two rankings.

    The rankings are compared by Spearman's rank correlation (ties get average ranks); the
    sentence says when the two disagree on the top parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.sensitivity import SobolIndices
    >>> r = SobolIndices(("a", "b", "c"), np.array([0.1, 0.5, 0.0]), np.array([0.02, 0.05, 0.01]),
    ...                  np.array([0.2, 0.7, 0.05]), np.array([0.03, 0.04, 0.01]), 512)
    >>> tornado = [{"parameter": "a", "flip_share": 0.6}, {"parameter": "b", "flip_share": 0.3},
    ...            {"parameter": "c", "flip_share": 0.0}]
    >>> headers, rows, sentence = one_at_a_time_versus_global(tornado, r)
    >>> rows[0]
    ['a', '60.0%', '1', '0.100 [0.080, 0.120]', '0.200 [0.170, 0.230]', '2']
    >>> print(sentence)  # doctest: +NORMALIZE_WHITESPACE
    They disagree on the top parameter: moved alone from the defaults, a changes the regime most (60.0% of its
    range), while all parameters moved at once, b matters most (ST 0.700). Spearman rank correlation of the two
    rankings: 0.50 over 3 parameters.
    """
    import numpy as np
    from scipy.stats import rankdata, spearmanr

    from analysis.sensitivity import SobolIndices

    sobol = isinstance(result, SobolIndices)
    score = np.asarray(result.ST if sobol else result.mu_star, dtype=float)
    index = {p: k for k, p in enumerate(result.parameters)}
    rows_in = [t for t in tornado if t["parameter"] in index]
    if not rows_in:
        return [], [], ""
    oat = np.array([t["flip_share"] for t in rows_in], dtype=float)
    glob = np.array([score[index[t["parameter"]]] for t in rows_in])
    oat_rank = rankdata(-oat, method="min").astype(int)
    glob_rank = rankdata(-np.nan_to_num(glob, nan=-np.inf), method="min").astype(int)

    def iv(v, c):
        return f"{v:.3f} [{v - c:.3f}, {v + c:.3f}]"

    if sobol:
        headers = ["parameter", "one at a time (share of range)", "rank", "S1 [interval]", "ST [interval]", "rank"]
        rows = [[t["parameter"], f"{t['flip_share']:.1%}", str(oat_rank[j]),
                 iv(result.S1[index[t["parameter"]]], result.S1_conf[index[t["parameter"]]]),
                 iv(result.ST[index[t["parameter"]]], result.ST_conf[index[t["parameter"]]]), str(glob_rank[j])]
                for j, t in enumerate(rows_in)]
        measure = "ST"
    else:
        headers = ["parameter", "one at a time (share of range)", "rank", "mu* [interval]", "sigma", "rank"]
        rows = [[t["parameter"], f"{t['flip_share']:.1%}", str(oat_rank[j]),
                 iv(result.mu_star[index[t["parameter"]]], result.mu_star_conf[index[t["parameter"]]]),
                 f"{result.sigma[index[t['parameter']]]:.3f}", str(glob_rank[j])] for j, t in enumerate(rows_in)]
        measure = "mu*"
    top_oat, top_glob = int(np.argmax(oat)), int(np.nanargmax(glob)) if np.isfinite(glob).any() else 0
    rho = float(spearmanr(oat, glob).statistic) if len(rows_in) > 1 and np.ptp(oat) > 0 and np.ptp(glob) > 0 \
        else float("nan")
    corr = (f"Spearman rank correlation of the two rankings: {rho:.2f} over {len(rows_in)} parameters."
            if np.isfinite(rho) else "Spearman rank correlation of the two rankings: not defined (one of them is "
                                     "constant).")
    a, b = rows_in[top_oat]["parameter"], rows_in[top_glob]["parameter"]
    if oat[top_oat] == oat[top_glob] or a == b:
        sentence = (f"Both rank {b} first (moved alone: {oat[top_glob]:.1%} of its range; all at once: {measure} "
                    f"{glob[top_glob]:.3f}). {corr}")
    else:
        sentence = (f"They disagree on the top parameter: moved alone from the defaults, {a} changes the regime most "
                    f"({oat[top_oat]:.1%} of its range), while all parameters moved at once, {b} matters most "
                    f"({measure} {glob[top_glob]:.3f}). {corr}")
    return headers, rows, sentence


def _global_beside_tornado(report: Report, src: SweepSource, tornado: Sequence[dict]) -> None:
    """Beside the tornado, when the sweep's design supports them (Saltelli or Morris), the global
    indices of the same parameters and a sentence comparing the two rankings."""
    from analysis.sensitivity import SobolIndices, folder_supports

    method = folder_supports(src.manifest)
    if method is None:
        return
    try:
        r = _global_sensitivity(src, method).result
    except ValueError as exc:
        report.add("p", f"Global indices beside the tornado: not computed ({exc}).")
        return
    headers, rows, sentence = one_at_a_time_versus_global(tornado, r)
    if not rows:
        return
    what = ("first-order (S1) and total (ST) Sobol indices" if isinstance(r, SobolIndices)
            else "Morris mean absolute effects (mu*) and spreads (sigma)")
    report.add("p", f"Beside the tornado, all parameters moved at once over the sweep's distributions: the {what} of "
                    f"whether the commonest regime (R1) holds, with {r.conf_level:.0%} bootstrap intervals "
                    f"({REPORT_RESAMPLES} resamples). The tornado moves one parameter from the defaults and counts "
                    "changes of the baseline regime; the indices apportion the variance over the whole box. "
                    + sentence)
    report.add("table", "", headers=headers, rows=rows)


#: Most points the report's scenario discovery reads (a seeded subsample beyond it keeps PRIM quick).
REPORT_DISCOVERY_POINTS = 50_000


def _discovery_section(report: Report, src: SweepSource, *, tol: float) -> str | None:
    """Scenario discovery of the commonest regime (PRIM, as ``bargain discover DIR --where "regime: R1"``):
    the chosen box against the full ranges, with quasi-p-values, and the trade-off and box charts."""
    from analysis import charts
    from analysis.discovery import THRESHOLD, discover

    table = src.table[src.table["method"].astype(str) == src.manifest["methods"][0]]
    points = table["point_id"].unique()
    note = ""
    if len(points) > REPORT_DISCOVERY_POINTS:
        import numpy as np

        keep = np.random.default_rng(0).choice(points, REPORT_DISCOVERY_POINTS, replace=False)
        table = table[table["point_id"].isin(keep)]
        note = f" (a seeded subsample of {REPORT_DISCOVERY_POINTS:,} of the {len(points):,} points)"
    d = discover(table, ["regime: R1"])  # a regime needs no tree
    if d.y.all() or not d.y.any():
        return None
    r, tag = d.prim, slug(src.path.name)
    report.add("h3", "Scenario discovery: where the commonest regime holds")
    what = f" ({d.regimes[0][1]})" if d.regimes else ""  # the regime by its plays
    report.add("p", f"PRIM (Friedman and Fisher 1999, as EMA Workbench runs it) on regime R1{what}, which holds at "
                    f"{int(d.y.sum()):,} of {len(d.y):,} points{note}: the box of greatest coverage whose density "
                    f"reaches {THRESHOLD:.0%}, each restriction with its quasi-p-value (small: the restriction "
                    f"matters). Re-run or vary with bargain discover {src.path.name} --where \"regime: R1\".")
    if r.chosen is None:
        report.add("p", f"No box reaches density {THRESHOLD:.0%} (the densest holds {r.density.max():.0%}): the "
                        "regime's region is not box-shaped in these parameters.")
        return None
    b = r.box(r.chosen)
    report.add("table", "", headers=["parameter", "box", "full range", "quasi-p (lower, upper)"],
               rows=[[n, f"[{b.lower[j]:.4g}, {b.upper[j]:.4g}]", f"[{b.full_lower[j]:.4g}, {b.full_upper[j]:.4g}]",
                      ", ".join("-" if v is None else f"{v:.2g}" for v in b.quasi_p[n])]
                     for j, n in enumerate(b.names) if n in b.restricted])
    report.add("chart", "PRIM's peeling trajectory: coverage against density, coloured by the number of restricted "
                        "parameters; the chosen box ringed.",
               figure=charts.discovery_tradeoff_chart(r.coverage, r.density, r.restricted_dims, chosen=r.chosen,
                                                      threshold=r.threshold), name=f"{tag}-prim-tradeoff")
    if b.restricted:
        full = dict(zip(b.names, zip(b.full_lower, b.full_upper)))
        report.add("chart", "The chosen box: each restricted parameter's range within its full range.",
                   figure=charts.discovery_box_chart(b.limits(), full, quasi_p=b.quasi_p), name=f"{tag}-prim-box")
    where = " and ".join(f"{n} in [{lo:.3g}, {hi:.3g}]" for n, (lo, hi) in b.limits().items()) or "the whole box"
    return (f"{src.path.name}: the commonest regime, R1{what}, holds at {b.density:.0%} of the points of the box {where}, "
            f"which holds {b.coverage:.0%} of R1's points (PRIM).")


def _calibration_section(report: Report, src: SweepSource, *, tol: float) -> str | None:
    """The sweep calibrated to what the scenario's ``[[observations]]`` report (as ``bargain calibrate
    DIR``): the share of points kept, each parameter's shift, the claims there, and a chart of each
    parameter before and after; nothing when the scenario declares no observations."""
    from analysis import charts
    from analysis.calibration import QUANTILES, calibrate, parameter_values, scenario_observations

    observed = scenario_observations(src)
    if not observed:
        return None
    cal = calibrate(src, observed)
    tag = slug(src.path.name)
    obs = src.compiled.scenario.observations
    report.add("h3", "Calibration: the points consistent with what happened")
    share = cal.n_kept / cal.n_points if cal.n_points else 0.0
    report.add("p", f"The scenario's observations ({'; '.join(f'{o.observation} ({o.indicator})' for o in obs)}) "
                    f"hold together in some equilibrium at {cal.n_kept:,} of {cal.n_points:,} points ({share:.1%}); "
                    "over a sample from prior laws the kept points are the prior conditioned on them (rejection "
                    "sampling, Pritchard et al. 1999). Re-run with bargain calibrate " + src.path.name + ".")
    report.add("table", "", headers=["observation", "source"], rows=[[o.observation, f"\u201c{o.quote}\u201d"] for o in obs])
    if not cal.n_kept:
        report.add("p", "No point of the sweep matches every observation: the model, over this box, cannot produce "
                        "what happened.")
        return f"{src.path.name}: no point matches the observed outcomes ({'; '.join(cal.observations)})."
    q = "/".join(f"{int(100 * v)}" for v in QUANTILES)
    shifts = sorted(cal.shifts, key=lambda s: -(s.ks if s.ks == s.ks else 0.0))
    report.add("table", "", headers=["parameter", "range kept", f"quantiles {q} before", "after", "KS D"],
               rows=[[s.name, f"[{s.low:.4g}, {s.high:.4g}]", " ".join(f"{v:.3g}" for v in s.before),
                      " ".join(f"{v:.3g}" for v in s.after), f"{s.ks:.3f}"] for s in shifts])
    if cal.claims:
        report.add("table", "", headers=["claim", "holds at (all points)", "holds at (consistent points)"],
                   rows=[[c["claim"], f"{c['before']:.1%}", "-" if c["after"] is None else f"{c['after']:.1%}"]
                         for c in cal.claims])
    report.add("chart", "Each parameter over all points and over the points consistent with the observations.",
               figure=charts.calibration_chart(parameter_values(src, cal)), name=f"{tag}-calibration")
    top = shifts[0]
    return (f"{src.path.name}: what happened ({'; '.join(cal.observations)}) holds at {share:.0%} of the points; "
            f"it moves {top.name} most (median {top.before[2]:.3g} -> {top.after[2]:.3g}, KS D {top.ks:.2f}).")


#: Bootstrap resamples of the report's Sobol or Morris intervals (``bargain sensitivity`` takes 1000).
REPORT_RESAMPLES = 200


def _sensitivity_section(report: Report, src: SweepSource, *, tol: float) -> str | None:
    """Global sensitivity of whether the sweep's commonest regime holds (Sobol indices or Morris
    effects, as ``bargain sensitivity DIR --indicator "regime: R1"``), for a sweep whose design
    supports it; nothing otherwise."""
    from analysis import charts
    from analysis.sensitivity import SobolIndices, folder_supports

    method = folder_supports(src.manifest)
    if method is None:
        return None
    report.add("h3", "Global sensitivity of the commonest regime")
    try:
        rep = _global_sensitivity(src, method)
    except ValueError as exc:
        report.add("p", f"Not computed: {exc}")
        return None
    r = rep.result
    order = rep.ranked()
    if isinstance(r, SobolIndices):
        report.add("p", "All parameters moved at once over the sweep's distributions: the share of the variance of "
                        "'the point is in regime R1' each explains alone (S1) and with its interactions (ST), Sobol "
                        f"indices with {r.conf_level:.0%} bootstrap intervals ({REPORT_RESAMPLES} resamples; "
                        "docs/sensitivity.md).")
        report.add("table", "", headers=["parameter", "S1", "ST"],
                   rows=[[r.parameters[k], f"{r.S1[k]:.3f} ± {r.S1_conf[k]:.3f}", f"{r.ST[k]:.3f} ± {r.ST_conf[k]:.3f}"]
                         for k in order])
        top = f"{r.parameters[order[0]]} (total index {r.ST[order[0]]:.2f})"
    else:
        report.add("p", "Morris elementary effects of 'the point is in regime R1': mean absolute effect (mu*, with "
                        f"its {r.conf_level:.0%} bootstrap interval) and spread (sigma) of one-at-a-time steps "
                        "(docs/sensitivity.md).")
        report.add("table", "", headers=["parameter", "mu*", "mu", "sigma"],
                   rows=[[r.parameters[k], f"{r.mu_star[k]:.3f} ± {r.mu_star_conf[k]:.3f}", f"{r.mu[k]:.3f}",
                          f"{r.sigma[k]:.3f}"] for k in order])
        top = f"{r.parameters[order[0]]} (mu* {r.mu_star[order[0]]:.2f})"
    report.add("chart", "Global sensitivity of whether the commonest regime (R1) holds.",
               figure=charts.sensitivity_chart(r, title="Sensitivity of regime R1"),
               name=f"{slug(src.path.name)}-sensitivity")
    return f"{src.path.name}: whether its commonest regime holds depends most on {top}, all parameters moved at once."


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


#: Lever values and worlds of the report's levers section (``bargain levers`` takes 21 and 256).
REPORT_LEVER_VALUES = 11
REPORT_LEVER_WORLDS = 128


def _levers_section(report: Report, src: ScenarioSource, *, tol: float) -> str | None:
    """For each declared lever (a parameter with ``lever = "PLAYER"``) and each claim measured in
    batches: the lever value that makes the claim hold in the most sampled worlds, against the
    scenario's own value, with the player's mean payoff at both (as ``bargain levers``)."""
    from analysis.levers import declared_levers, lever_report
    from sim.claims import batchable

    levers = declared_levers(src.compiled)
    claims = [c for c in src.scenario.claims if batchable(src.compiled, c)]
    if not levers or not claims:
        return None
    report.add("h3", "Levers")
    report.add("p", "A lever is a parameter a player sets before the game. For each claim, the value of the lever "
                    f"that makes it hold in the most of {REPORT_LEVER_WORLDS} sampled worlds (every other bounded "
                    f"parameter uniform over its range; {REPORT_LEVER_VALUES} values of the lever; seed 0), against "
                    "the scenario's own value, with the player's mean payoff in equilibrium at both "
                    "(docs/levers.md; bargain levers takes more).")
    rows, sentences = [], []
    for name, player in levers:
        for c in claims:
            r = lever_report(src.compiled, name, claim=c.id, player=player, values=REPORT_LEVER_VALUES,
                             samples=REPORT_LEVER_WORLDS, seed=0)
            own = min(r.values, key=lambda v: abs(v.value - r.default))
            best = r.robust
            rows.append([f"{name} ({player})", c.id, f"{best.value:.3g}: {best.share:.0%}, payoff {best.mean_payoff:.3g}",
                         f"{r.default:.3g}: {own.share:.0%}, payoff {own.mean_payoff:.3g}",
                         ", ".join(f"{v.value:.3g}" for v in r.pareto)])
            lo = min(v.share for v in r.values)
            hi = max(v.share for v in r.values)
            if hi - lo < 0.05:
                sentences.append(f"{player}'s lever {name} hardly moves claim {c.id} (it holds in {lo:.0%}-{hi:.0%} "
                                 f"of sampled worlds whatever the value).")
            else:
                sentences.append(f"Claim {c.id} holds in the most sampled worlds ({best.share:.0%}) when {player} "
                                 f"sets {name} = {best.value:.3g}, against {own.share:.0%} at the scenario's "
                                 f"{r.default:.3g}.")
    report.add_table(["lever (player)", "claim", "most robust value: share, payoff", "scenario's value: share, payoff",
                      "trade-off values"], rows, see_all=f"bargain levers {src.path.name}")
    return " ".join(sentences)


#: Monte Carlo points of the report's region shares (``bargain regions`` takes more by default).
REPORT_REGION_SAMPLES = 4_000
#: Regions listed in the report's table (largest shares first).
REPORT_REGION_ROWS = 12


def _regions_section(report: Report, src: ScenarioSource, *, tol: float) -> None:
    """Where each pure equilibrium holds as the scenario's assumptions vary (:mod:`sim.regions`):
    the regions in words with their shares, largest first. The varied parameters are those flagged
    as assumptions with finite bounds (chance probabilities held), else every bounded parameter;
    a scenario whose regions cannot be computed (too many profiles) gets one sentence why."""
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
    folder); ``build(report, source_or_sources, *, tol)`` returns a key finding or ``None``.
    ``reads`` names the part of a scenario file the section reads (``"[bargaining] table"``), for
    the message when it fails."""

    scope: str
    build: Callable
    reads: str = ""


#: The report's sections in order (consecutive per-scenario sections run scenario by scenario).
SECTIONS: dict[str, Section] = {
    "scenario": Section("scenario", _scenario_section),
    "beliefs": Section("scenario", _beliefs_section),
    "bargaining": Section("scenario", _bargaining_section, "[bargaining] table"),
    "repeated": Section("scenario", _repeated_section, "[repeated] table"),
    "claims": Section("scenario", _claims_section, "[[claims]]"),
    "levers": Section("scenario", _levers_section, "levers and [[claims]]"),
    "regions": Section("scenario", _regions_section, "parameter box"),
    "comparison": Section("scenarios", _comparison_section),
    "logit": Section("scenarios", _logit_section),
    "sweep": Section("sweep", _sweep_section),
    "discovery": Section("sweep", _discovery_section),
    "calibration": Section("sweep", _calibration_section, "[[observations]]"),
    "sensitivity": Section("sweep", _sensitivity_section),
}


def build_report(sources: Sequence, *, title: str = "Bargaining report", tol: float = 1e-6,
                 logit: bool = True, command: str | None = None) -> Report:
    """Turn loaded sources (:func:`analysis.sources.load_source`) into a :class:`Report`; no file
    is written. ``logit=False`` leaves out the logit section; ``command`` is the command line
    printed for re-running (default: ``bargain report``, the sources, and the title and
    ``--no-logit`` when they are not the defaults).

    A section that fails on a scenario file raises a :class:`~sim.errors.ScenarioError` naming the
    file and the part of it the section reads (``[bargaining] table``).
    """
    import shlex

    report = Report(title)
    scenarios = [s for s in sources if isinstance(s, ScenarioSource)]
    sweeps = [s for s in sources if isinstance(s, SweepSource)]
    report.add("h1", title)

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    done = [f"{count(len(scenarios), 'scenario')} solved" if scenarios else "",
            f"{count(len(sweeps), 'sweep')} summarised" if sweeps else ""]
    report.add("p", (" and ".join(d for d in done if d) or "Nothing") + ". Payoffs are in the scenarios' payoff "
                    "units (the goal weights); every equilibrium carries its measured max regret (the most any "
                    "player gains by deviating).")
    at = len(report.blocks)  # key findings go here, once everything is computed
    findings = []
    names = [n for n in SECTIONS if logit or n != "logit"]
    for scope, run in itertools.groupby(names, key=lambda n: SECTIONS[n].scope):
        sections = [SECTIONS[n] for n in run]
        if scope == "scenarios":
            targets = [scenarios] if scenarios else []
        else:
            targets = scenarios if scope == "scenario" else sweeps
        for target in targets:
            findings += [f for section in sections if (f := _build(section, report, target, tol))]
    report.blocks[at:at] = [Block("h2", "Key findings"), *(Block("p", f) for f in findings)]
    report.add("h2", "Reproducibility")
    if command is None:
        words = [str(s.path) for s in sources] + (["--title", title] if title != "Bargaining report" else [])
        command = "bargain report " + " ".join(shlex.quote(w) for w in words + ([] if logit else ["--no-logit"]))
    report.add("p", "Re-run with: " + command)
    rows = [[s.path.name, "scenario file", s.sha256] for s in scenarios]
    for s in sweeps:
        m = s.manifest
        rows.append([m.get("scenario", "?"), f"scenario of sweep {s.path.name}", m.get("scenario_hash", "?")])
        rows.append([m.get("sweep", "?"), f"sweep file (seed {m.get('seed')})", m.get("sweep_hash", "?")])
    report.add("table", "", headers=["file", "role", "SHA-256"], rows=rows)
    report.add("table", "", headers=["software", "version"],
               rows=[[name, v or "not installed"] for name, v in versions().items()])
    return report


def _build(section: Section, report: Report, target, tol: float):
    """Run one section; a failure other than a scenario file's own error names the file and what
    the section reads."""
    try:
        return section.build(report, target, tol=tol)
    except ScenarioError:
        raise
    except ValueError as exc:
        paths = [str(t.path) for t in target] if isinstance(target, list) else [str(target.path)]
        what = f"{section.reads}: " if section.reads else ""
        raise ScenarioError(f"{what}{exc}".splitlines()[0], path=", ".join(paths)) from None
