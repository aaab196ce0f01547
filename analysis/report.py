"""Reports: scenario files and sweep folders in, one self-contained document out.

A report is built in two steps. :func:`build_report` turns the sources into a list of *blocks*
(headings, paragraphs, tables, charts as Figures) and touches no file; a renderer writes it:

* ``html`` - one file, charts inlined as ``<svg>``, styles inline, no script and no external URL,
  so it opens in any browser without a server and can be mailed as is;
* ``md`` - Markdown, with each chart written as an SVG file in ``<name>_files/`` beside it;
* ``pdf`` - a title page with the tables as text, then one page per chart (matplotlib's
  ``PdfPages``, no further dependency).

Every file is written to a temporary name in its folder and renamed into place
(:func:`write_atomic`), so a reader never sees half a report.

A *source* is a scenario file (solved on the spot) or a sweep output folder (its ``manifest.json``
and Parquet chunks; the scenario it was run on is looked up by its content hash, so thresholds
can be bisected and the sensitivity computed on the exact scenario that was swept).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import platform
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from sim.errors import ScenarioError

FORMATS = ("html", "md", "pdf")
#: Longest equilibria table in a report (a sequential game's reduced form can have hundreds).
MAX_TABLE_ROWS = 25


# ----- blocks ----------------------------------------------------------------------------------------
@dataclass
class Block:
    """One piece of a report: ``kind`` is ``"h1"``, ``"h2"``, ``"h3"``, ``"p"``, ``"quote"``,
    ``"table"`` (``headers``, ``rows``) or ``"chart"`` (``figure``, ``name``)."""

    kind: str
    text: str = ""
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()
    figure: Any = None
    name: str = ""


@dataclass
class Report:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, kind: str, text: str = "", **kw) -> None:
        self.blocks.append(Block(kind, text, **kw))

    @property
    def charts(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "chart"]


# ----- sources ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScenarioSource:
    path: Path
    scenario: Any
    compiled: Any
    game: Any            # NormalFormGame, or ExtensiveFormGame for a sequential timing
    normal_form: Any     # the game, or the tree's reduced normal form
    results: tuple       # SolverResult per method
    sha256: str


@dataclass(frozen=True)
class SweepSource:
    path: Path
    manifest: dict
    table: Any           # pandas DataFrame
    scenario_path: Path | None
    compiled: Any


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def solve_scenario(path, methods: Sequence[str] = ("enumpure",)) -> ScenarioSource:
    """Load, compile and solve a scenario file at its defaults.

    A sequential scenario is solved first for its subgame-perfect equilibria (``spe``, whose
    equilibria carry the behaviour and the path of play), then by ``methods`` on its reduced
    normal form (Kuhn 1953), whose equilibria are Nash but not necessarily subgame perfect.
    """
    from sim.registry import check_applicable
    from sim.scenario import compile_scenario, load_scenario
    from sim.solvers import solve

    path = Path(path)
    scenario = load_scenario(path)
    compiled = compile_scenario(scenario)
    game = compiled.game()
    normal = game.reduced_normal_form() if compiled.sequential else game
    results = []
    if compiled.sequential:
        from sim.extensive.spe import spe_solve

        results.append(spe_solve(game))
    for m in methods:
        check_applicable(m, n_players=normal.n_players, tree=False)
        results.append(solve(normal, m))
    return ScenarioSource(path, scenario, compiled, game, normal, tuple(results), file_sha256(path))


def find_scenario(manifest: dict, folder: Path, search: Sequence[Path] = ()) -> Path | None:
    """The scenario file a sweep ran on: a file of the manifest's name whose SHA-256 matches,
    looked for in ``search``, the current directory's ``scenarios/`` and the folder's parents."""
    name, want = manifest.get("scenario"), manifest.get("scenario_hash")
    if not name or not want:
        return None
    places = [*map(Path, search), Path.cwd() / "scenarios", Path.cwd(), *Path(folder).resolve().parents]
    for place in places:
        candidate = place / name if place.is_dir() else place
        if candidate.is_file() and candidate.name == name and file_sha256(candidate) == want:
            return candidate
    return None


def load_sweep_source(folder, scenario: Path | None = None) -> SweepSource:
    """Read a sweep output folder; ``scenario`` (else a search by content hash) gives the scenario."""
    from analysis.sweep import read_results

    folder = Path(folder)
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        raise ScenarioError("is not a sweep output folder (no manifest.json)", path=str(folder))
    manifest = json.loads(mpath.read_text())
    table = read_results(folder)
    compiled = None
    if scenario is not None:
        scenario = Path(scenario)
        if file_sha256(scenario) != manifest.get("scenario_hash"):
            raise ScenarioError("is not the scenario this sweep ran on (content hash differs from the manifest's "
                                f"{str(manifest.get('scenario_hash'))[:12]})", path=str(scenario))
    else:
        scenario = find_scenario(manifest, folder)
    if scenario is not None:
        from sim.scenario import compile_scenario, load_scenario

        compiled = compile_scenario(load_scenario(scenario))
    return SweepSource(folder, manifest, table, scenario, compiled)


def load_source(text, methods: Sequence[str] = ("enumpure",)):
    """A scenario file or a sweep output folder, by what is on disk."""
    p = Path(text)
    if p.is_dir():
        return load_sweep_source(p)
    if p.suffix.lower() == ".toml" and p.is_file():
        return solve_scenario(p, methods)
    raise ScenarioError("is neither a scenario file (.toml) nor a sweep output folder", path=str(p))


def is_grid(manifest: dict) -> bool:
    return "grid" in manifest.get("spec", {}).get("sweep", {})


# ----- building ----------------------------------------------------------------------------------------
def _fmt(x, digits: int = 4) -> str:
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def _equilibria_rows(result) -> list[list[str]]:
    g = result.game
    rows = []
    for k, eq in enumerate(result.equilibria, 1):
        strategies = []
        for i, p in enumerate(g.players):
            played = [(a, x) for a, x in zip(g.actions[i], eq.profile[i]) if x > 1e-9]
            strategies.append(played[0][0] if len(played) == 1 else " ".join(f"{a}:{x:.3g}" for a, x in played))
        rows.append([str(k), *strategies, *(f"{v:.4g}" for v in eq.payoffs), f"{eq.max_regret:.1e}"])
    return rows


def _scenario_section(report: Report, src: ScenarioSource) -> None:
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
    g = src.normal_form
    for r in src.results:
        what = {"spe": "Subgame-perfect equilibria"}.get(r.method, "Equilibria")
        where = " of the reduced normal form" if src.compiled.sequential and r.method != "spe" else ""
        report.add("h3", f"{what}{where} ({r.method}, {len(r.equilibria)} found, complete={r.complete})")
        rows = _equilibria_rows(r)
        report.add("table", "", headers=["#", *g.players, *(f"payoff {p}" for p in g.players), "max regret"],
                   rows=rows[:MAX_TABLE_ROWS])
        if len(rows) > MAX_TABLE_ROWS:
            report.add("p", f"... and {len(rows) - MAX_TABLE_ROWS} more (bargain solve {src.path.name} lists all).")
    if src.compiled.sequential:
        spe = src.results[0]
        if spe.equilibria:
            behaviour = spe.equilibria[0].details["behaviour"]
            report.add("chart", f"Game tree of {s.id}; the thick edges are the play of its first subgame-perfect "
                                "equilibrium.", figure=charts.tree_chart(src.game, behaviour), name=f"tree-{s.id}")
        else:
            report.add("chart", f"Game tree of {s.id}.", figure=charts.tree_chart(src.game), name=f"tree-{s.id}")


def _bargaining_chart(report: Report, src: ScenarioSource) -> None:
    """Solutions of the scenario's ``[bargaining]`` table, with the frontier chart for two players."""
    if src.scenario.bargaining is None:
        return
    from analysis import charts
    from sim import bargaining

    problem = bargaining.problem_from_scenario(src.scenario)
    solutions = [f(problem) for f in (bargaining.nash_solve, bargaining.kalai_solve, bargaining.egalitarian_solve,
                                      bargaining.utilitarian_solve)]
    names = {"nash": "Nash", "kalai": "Kalai-Smorodinsky", "egalitarian": "egalitarian",
             "utilitarian": "utilitarian"}
    report.add("h3", "Bargaining solutions")
    report.add("p", f"Bargaining over {', '.join(i.name for i in src.scenario.bargaining.issues)} between "
                    f"{', '.join(problem.players)}; disagreement point "
                    + ", ".join(f"{p} {v:.4g}" for p, v in zip(problem.players, problem.disagreement)) + ".")
    report.add("table", "", headers=["solution", *(f"utility {p}" for p in problem.players), "agreement"],
               rows=[[names.get(sol.method, sol.method), *(f"{v:.4g}" for v in sol.point),
                      ", ".join(f"{k}={v:.3g}" for k, v in (sol.agreement or {}).items()) or "-"]
                     for sol in solutions])
    if len(problem.players) == 2:
        report.add("chart", f"Bargaining frontier of {src.scenario.id}, the disagreement point and the solutions.",
                   figure=charts.frontier_chart(solutions[0].frontier, problem.disagreement,
                                                {names.get(x.method, x.method): x.point for x in solutions},
                                                players=problem.players),
                   name=f"frontier-{src.scenario.id}")


def _repeated_section(report: Report, src: ScenarioSource) -> None:
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


def _comparison_section(report: Report, scenarios: list[ScenarioSource], tol: float) -> None:
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


def _logit_section(report: Report, scenarios: list[ScenarioSource]) -> None:
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


def _sweep_section(report: Report, src: SweepSource, tol: float) -> dict:
    from analysis import charts
    from analysis.compare import find_thresholds, sweep_summary

    m = src.manifest
    grid = is_grid(m)
    tag = _slug(src.path.name)  # chart names stay unique when a report holds several sweeps
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
    return doc


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


def _versions() -> list[list[str]]:
    from importlib import metadata

    rows = [["python", platform.python_version()]]
    for pkg in ("bargain-sim", "numpy", "scipy", "pandas", "pyarrow", "matplotlib"):
        try:
            rows.append([pkg, metadata.version(pkg)])
        except metadata.PackageNotFoundError:
            rows.append([pkg, "not installed"])
    return rows


def build_report(sources: Sequence, *, title: str = "Bargaining report", tol: float = 1e-6,
                 logit: bool = True, command: str | None = None) -> Report:
    """Turn loaded sources (:func:`load_source`) into a :class:`Report`; no file is written."""
    report = Report(title)
    scenarios = [s for s in sources if isinstance(s, ScenarioSource)]
    sweeps = [s for s in sources if isinstance(s, SweepSource)]
    report.add("h1", title)
    report.add("p", f"{len(scenarios)} scenario(s) solved and {len(sweeps)} sweep(s) summarised. Payoffs are in "
                    "the scenarios' payoff units (the goal weights); every equilibrium carries its measured max "
                    "regret (the most any player gains by deviating).")
    at = len(report.blocks)  # key findings go here, once everything is computed
    findings = []
    for s in scenarios:
        _scenario_section(report, s)
        _bargaining_chart(report, s)
        _repeated_section(report, s)
        r = s.results[0]
        findings.append(f"{s.scenario.id}: {len(r.equilibria)} {r.method} equilibri"
                        f"{'um' if len(r.equilibria) == 1 else 'a'}{'' if r.complete else ' (not a complete list)'}.")
    if scenarios:
        _comparison_section(report, scenarios, tol)
    if logit and scenarios:
        _logit_section(report, scenarios)
    for s in sweeps:
        findings.append(_sweep_finding(s, _sweep_section(report, s, tol)))
    report.blocks[at:at] = [Block("h2", "Key findings"), *(Block("p", f) for f in findings)]
    report.add("h2", "Reproducibility")
    report.add("p", "Re-run with: " + (command or "bargain report " + " ".join(str(s.path) for s in sources)))
    rows = [[s.path.name, "scenario file", s.sha256] for s in scenarios]
    for s in sweeps:
        m = s.manifest
        rows.append([m.get("scenario", "?"), f"scenario of sweep {s.path.name}", m.get("scenario_hash", "?")])
        rows.append([m.get("sweep", "?"), f"sweep file (seed {m.get('seed')})", m.get("sweep_hash", "?")])
    report.add("table", "", headers=["file", "role", "SHA-256"], rows=rows)
    report.add("table", "", headers=["software", "version"], rows=_versions())
    return report


# ----- rendering --------------------------------------------------------------------------------------
_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #111; line-height: 1.4; }
h1, h2, h3 { font-family: 'Helvetica Neue', Arial, sans-serif; }
h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; font-style: italic; }
@media print { h2 { page-break-before: auto; } figure, table { page-break-inside: avoid; } }
"""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "chart"


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document (inline SVG and CSS, no script, no URL).

    Examples
    --------
    >>> r = Report("Demo")
    >>> r.add("h1", "Demo <1>")
    >>> r.add("table", "", headers=["player", "payoff"], rows=[["Russia", "2"]])
    >>> text = render_html(r)
    >>> "<h1>Demo &lt;1&gt;</h1>" in text, "<td>Russia</td>" in text, "http" in text
    (True, True, False)
    """
    from analysis.charts import figure_svg

    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>{e(report.title)}</title>", f"<style>{_CSS}</style></head><body>"]
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{b.kind}>{e(b.text)}</{b.kind}>")
        elif b.kind == "table":
            out.append("<table><thead><tr>" + "".join(f"<th>{e(str(h))}</th>" for h in b.headers) + "</tr></thead><tbody>")
            out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in b.rows]
            out.append("</tbody></table>")
        elif b.kind == "chart":
            out.append(f'<figure id="{e(_slug(b.name))}">{figure_svg(b.figure)}<figcaption>{e(b.text)}'
                       "</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


def _md_cell(x) -> str:
    return str(x).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, chart_dir: str) -> tuple[str, dict[str, bytes]]:
    """Markdown text and the chart files (relative name -> SVG bytes) it links to."""
    from analysis.charts import figure_svg

    out, files = [], {}
    for n, b in enumerate(report.blocks):
        if b.kind in ("h1", "h2", "h3"):
            out.append("#" * int(b.kind[1]) + " " + b.text + "\n")
        elif b.kind == "p":
            out.append(b.text + "\n")
        elif b.kind == "table":
            out.append("| " + " | ".join(map(_md_cell, b.headers)) + " |")
            out.append("|" + "---|" * len(b.headers))
            out += ["| " + " | ".join(map(_md_cell, row)) + " |" for row in b.rows]
            out.append("")
        elif b.kind == "chart":
            name = f"{chart_dir}/{len(files) + 1:02d}-{_slug(b.name)}.svg"
            files[name] = figure_svg(b.figure).encode()
            out.append(f"![{b.text}]({name})\n\n*{b.text}*\n")
    return "\n".join(out), files


def render_pdf(report: Report) -> bytes:
    """A PDF: text pages with the headings, paragraphs and tables, then one page per chart."""
    import io
    import textwrap

    from matplotlib.backends.backend_pdf import PdfPages

    from analysis.charts import new_figure

    lines: list[tuple[str, str]] = []
    for b in report.blocks:
        if b.kind in ("h1", "h2", "h3"):
            lines += [("", ""), (b.kind, b.text)]
        elif b.kind == "p":
            lines += [("p", t) for t in textwrap.wrap(b.text, 100)]
        elif b.kind == "table":
            lines.append(("t", " | ".join(map(str, b.headers))[:120]))
            lines += [("t", " | ".join(map(str, row))[:120]) for row in b.rows]
    buf = io.BytesIO()
    per_page = 60
    with PdfPages(buf, metadata={"Title": report.title, "CreationDate": None}) as pdf:
        for start in range(0, len(lines), per_page):
            fig = new_figure((8.27, 11.69))
            for k, (kind, text) in enumerate(lines[start:start + per_page]):
                size = {"h1": 14, "h2": 11, "h3": 9}.get(kind, 6.5)
                fig.text(0.06, 0.96 - k * 0.0155, text, fontsize=size, family="monospace" if kind == "t" else "serif",
                         weight="bold" if kind.startswith("h") else "normal", va="top")
            pdf.savefig(fig)
        for b in report.charts:
            pdf.savefig(b.figure)
    return buf.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file in the folder, then rename).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a" / "r.txt", b"done")
    >>> sorted(p.name for p in (folder / "a").iterdir())
    ['r.txt']
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_report(report: Report, out, fmt: str | None = None) -> Path:
    """Render ``report`` in ``fmt`` (default: from the suffix of ``out``) and write it atomically."""
    out = Path(out)
    fmt = fmt or {".md": "md", ".pdf": "pdf"}.get(out.suffix.lower(), "html")
    if fmt not in FORMATS:
        raise ScenarioError(f"write_report(): format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    if fmt == "html":
        write_atomic(out, render_html(report).encode())
    elif fmt == "md":
        chart_dir = f"{out.stem}_files"
        text, files = render_markdown(report, chart_dir)
        for name, data in files.items():
            write_atomic(out.parent / name, data)
        write_atomic(out, text.encode())
    else:
        write_atomic(out, render_pdf(report))
    return out


def command_line() -> str:
    """The command that produced this report, for the reproducibility section."""
    return " ".join(["bargain", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("bargain") else ""
