"""Reports are parsed, not eyeballed: every chart inline as SVG, tables with the expected rows,
no external URL or script, atomic writes, Markdown and PDF variants, and a real browser opens it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.report import build_report, render_html, write_report
from analysis.sources import load_source
from tests.test_compare import DIAGONAL_SCENARIO, write_toy_sweep

ROOT = Path(__file__).parents[1]
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests
SEQUENTIAL = V1 / "shield-as-chip.toml"


class Page(HTMLParser):
    """Collects what the tests look at: tags, tables (rows of cell texts), link targets, title."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.top_svgs = 0
        self.depth_svg = 0
        self.figures_with_svg = 0
        self._in_figure = False
        self._figure_has_svg = False
        self.urls: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "poster", "data") and value:
                self.urls.append(value)
        if tag == "svg":
            if self.depth_svg == 0:
                self.top_svgs += 1
                self._figure_has_svg |= self._in_figure
            self.depth_svg += 1
        elif tag == "figure":
            self._in_figure, self._figure_has_svg = True, False
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "title" and self.depth_svg == 0:
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "svg":
            self.depth_svg -= 1
        elif tag == "figure":
            self.figures_with_svg += self._figure_has_svg
            self._in_figure = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_title:
            self.title += data


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def table_with_header(page: Page, first: str, second: str | None = None) -> list[list[str]]:
    """Body rows of the tables whose header starts with ``first`` (and ``second``), concatenated."""
    out = []
    for t in page.tables:
        if t and t[0][:1] == [first] and (second is None or t[0][1:2] == [second]):
            out.append(t[1:])
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    out, _ = write_toy_sweep(tmp)
    scenario = tmp / "diagonal.toml"  # the file the sweep ran on, found again by its content hash
    sources = [load_source(scenario), load_source(SEQUENTIAL), load_source(out)]
    report = build_report(sources, title="Toy report", command="bargain report toy")
    return report, render_html(report), scenario, tmp


@pytest.fixture(scope="module")
def small(built):
    """A two-chart report (a tree and the payoff bars), for the slower renderers."""
    _, _, scenario, _ = built
    return build_report([load_source(scenario), load_source(SEQUENTIAL)], title="Small", logit=False)


def test_every_chart_is_inline_svg_in_its_figure(built):
    report, text, _, _ = built
    page = parse(text)
    names = [b.name for b in report.charts]
    # Tree of the sequential scenario, payoffs, logit branch, regime map, two along-parameter
    # charts, frequencies, tornado, and the discovery of the commonest regime (trade-off, box).
    sweep = ["diagonal-out-" + n for n in ("regime-map", "along-a", "along-b", "outcome-frequencies", "tornado",
                                           "prim-tradeoff", "prim-box")]
    assert names == ["tree-shield-as-chip", "payoffs-across-scenarios", "qre-diagonal", *sweep]
    assert page.top_svgs == page.figures_with_svg == len(names)
    assert page.title == "Toy report"


def test_no_external_url_script_or_stylesheet(built):
    _, text, _, _ = built
    page = parse(text)
    assert not [u for u in page.urls if not u.startswith("#")], page.urls[:5]
    assert not {"script", "link", "iframe", "img", "object", "embed"} & set(page.tags)
    lowered = text.lower()
    assert "@import" not in lowered and "url(http" not in lowered and "<script" not in lowered


def test_tables_hold_the_goals_equilibria_regimes_and_thresholds(built):
    _, text, scenario, _ = built
    page = parse(text)
    goals = table_with_header(page, "player", "goal")
    from sim.scenario import load_scenario

    seq = load_scenario(SEQUENTIAL)
    assert [len(t) for t in goals] == [3, len(seq.goals)]
    assert [r[3] for r in goals[0]] == ["x is worth b", "y is worth a", "B likes to follow: follow when A plays x"]
    assert [r[3] for r in goals[1]] == [g.quote or g.description or "-" for g in seq.goals]
    eq_tables = table_with_header(page, "#")
    # Diagonal at its defaults (a=.2, b=.6): A plays x, B follows; payoffs .6 and 1.
    assert eq_tables[0] == [["1", "x", "follow", "0.6", "1", "0.0e+00"]]
    regimes = table_with_header(page, "regime", "share of points")[0]
    assert [(r[0], r[1]) for r in regimes] == [("R1", "52.4%"), ("R2", "47.6%")]
    thresholds = table_with_header(page, "parameter", "value")[0]
    assert [(r[0], r[3]) for r in thresholds] == [("a", "3"), ("b", "3")]
    assert all(float(r[2]) <= 1e-6 for r in thresholds)
    sens = table_with_header(page, "parameter", "default")[0]
    assert [r[0] for r in sens][0] == "a"
    hashes = table_with_header(page, "file", "role")[0]
    digest = hashlib.sha256(scenario.read_bytes()).hexdigest()
    assert ["diagonal.toml", "scenario file", digest] in hashes
    assert any(r[0] == "diagonal-grid.toml" and "seed 7" in r[1] for r in hashes)
    versions = dict(map(tuple, table_with_header(page, "software", "version")[0]))
    assert {"python", "numpy", "matplotlib"} <= set(versions)


def test_markdown_writes_every_chart_beside_it(small, tmp_path):
    report = small
    path = write_report(report, tmp_path / "r.md")
    text = path.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == len(report.charts) == 2
    for link in links:
        assert (tmp_path / link).read_text().startswith("<svg")
    assert "| player | goal |" in text
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_a_failed_render_leaves_no_file(built, tmp_path, monkeypatch):
    import analysis.report.output as output

    report, _, _, _ = built
    target = tmp_path / "r.html"

    def broken(_report):
        raise RuntimeError("render failed")

    monkeypatch.setattr(output, "render_html", broken)
    with pytest.raises(RuntimeError):
        write_report(report, target)
    assert list(tmp_path.iterdir()) == []


def _chromium() -> str | None:
    for name in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if name and os.access(name, os.X_OK):
            return name
    return None


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]
#: The probe added to a copy of a report (the report itself has no script): the page's own width
#: as laid out, written where --dump-dom shows it.
PROBE = ("<script>document.body.setAttribute('data-scroll-width', "
         "String(document.scrollingElement.scrollWidth));</script></body>")


def chromium_layout(text: str, folder: Path, width: int = 1280) -> tuple[str, int, float]:
    """Open a report in headless Chromium at ``width`` px: the DOM it dumps, the page's scroll
    width (``document.scrollingElement.scrollWidth``, from a probe script added to a copy) and the
    share of a screenshot's pixels that are inked (darker than light grey)."""
    import numpy as np
    from PIL import Image

    page = folder / "report.html"
    page.write_text(text.replace("</body>", PROBE, 1))
    base = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={folder / 'profile'}", f"--window-size={width},1600"]
    proc = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-1000:]
    found = re.search(r'data-scroll-width="(\d+)"', proc.stdout)
    assert found, "the probe did not run"
    shot = folder / "shot.png"
    proc2 = subprocess.run([*base, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True,
                           timeout=120)
    assert proc2.returncode == 0 and shot.is_file(), proc2.stderr[-1000:]
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape[1] == width
    return proc.stdout, int(found.group(1)), float((pixels < 200).mean())


@pytest.mark.slow
@pytest.mark.skipif(_chromium() is None, reason="no Chromium on this machine (CI installs it: apt-get install -y chromium)")
def test_report_opens_in_headless_chromium_without_horizontal_overflow(built, tmp_path):
    report, text, _, _ = built
    dom, scroll_width, inked = chromium_layout(text, tmp_path)
    page = parse(dom)
    assert page.title == "Toy report"
    assert page.top_svgs == parse(text).top_svgs
    # The regime table's many columns and the 64-digit hashes wrap or scroll in their own box:
    # the page itself never scrolls sideways at 1280 px.
    assert scroll_width <= 1280
    # The first screen holds the title block and text: ink, not a blank page.
    assert 0.01 < inked < 0.5


def test_cli_report_writes_html_and_refuses_a_bad_source(tmp_path, capsys):
    from analysis.cli import main

    scen = tmp_path / "diag.toml"
    scen.write_text(DIAGONAL_SCENARIO)
    out = tmp_path / "sub" / "r.html"
    assert main(["report", str(scen), "--out", str(out), "--no-logit", "--title", "Diagonal"]) == 0
    assert capsys.readouterr().out.strip() == f"report: {out}"
    page = parse(out.read_text())
    assert page.title == "Diagonal" and page.top_svgs == 1  # the payoff bars only
    assert main(["report", str(tmp_path / "missing"), "--out", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert "missing" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.html").exists()


def test_cli_chart_writes_the_asked_format(tmp_path, capsys):
    from analysis.cli import main

    assert main(["chart", "tree", str(SEQUENTIAL), "--out", str(tmp_path / "t.svg")]) == 0
    assert (tmp_path / "t.svg").read_text().lstrip().startswith("<?xml")
    assert main(["chart", "payoffs", str(SEQUENTIAL), "--out", str(tmp_path / "t.png")]) == 0
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["chart", "tree", str(SEQUENTIAL), "--out", str(tmp_path / "t.gif")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_runs_the_main_job_and_says_where_the_report_is(tmp_path, capsys):
    from analysis.cli import main

    # The demo's own inputs, trimmed to keep the test short: two founding scenarios (one
    # simultaneous, one sequential) and a coarser grid over the baseline.
    scen = tmp_path / "scenarios"
    (scen / "sweeps").mkdir(parents=True)
    for name in ("baseline-2009.toml", "shield-as-chip.toml"):
        shutil.copy(V1 / name, scen / name)
    grid = (V1 / "sweeps" / "baseline-grid.toml").read_text().replace("num = 41", "num = 6")
    (scen / "sweeps" / "baseline-grid.toml").write_text(grid)
    assert main(["demo", "--out", str(tmp_path / "demo"), "--scenarios", str(scen)]) == 0
    out = capsys.readouterr().out
    report = tmp_path / "demo" / "report.html"
    assert f"report: {report}" in out and "sweep: 36 points" in out
    page = parse(report.read_text())
    roles = {r[1] for t in table_with_header(page, "file", "role") for r in t}
    assert "scenario file" in roles and any(r.startswith("sweep file (seed 20090929)") for r in roles)
    # A tree, payoffs, logit; grid: map, two along-parameter charts, frequencies, tornado, and the
    # discovery of the commonest regime (trade-off, box).
    assert page.top_svgs == 10
    assert len(set(re.findall(r'<figure id="([^"]+)"', report.read_text()))) == 10


def test_a_bargaining_scenario_gets_its_solutions_and_frontier():
    from sim import bargaining
    from sim.scenario import load_scenario

    path = V1 / "precedent-2002.toml"
    report = build_report([load_source(path)], logit=False)
    assert [b.name for b in report.charts] == ["frontier-precedent-2002", "repeated-precedent-2002",
                                              "payoffs-across-scenarios"]
    page = parse(render_html(report))
    (rows,) = table_with_header(page, "solution")
    nash = bargaining.nash_solve(bargaining.problem_from_scenario(load_scenario(path)))
    assert [r[0] for r in rows] == ["Nash", "Kalai-Smorodinsky", "egalitarian", "utilitarian"]
    assert rows[0][1:3] == [f"{v:.4g}" for v in nash.point]


def test_key_findings_sum_up_each_source_first(built):
    report, _, _, _ = built
    kinds = [b.kind for b in report.blocks]
    start = [b.text for b in report.blocks].index("Key findings")
    assert kinds[:start] == ["h1", "p"]
    findings = [b.text for b in report.blocks[start + 1:start + 4]]
    # Sentences with the figures, not counts: what is played and what each player gets ...
    assert findings[0] == ("x is worth b, y is worth a (diagonal), at the defaults: in the one pure Nash equilibrium, "
                           "A plays x and B plays follow; payoffs A 0.6, B 1.")
    assert findings[1].startswith("The shield as a bargaining chip (US, then Russia, then Iran) (shield-as-chip), at "
                                  "the defaults: in the one subgame-perfect equilibrium, play runs US keep_shield -> ")
    # ... and for a sweep: which regime holds where, where it changes, what changes it.
    assert findings[2].startswith("Sweep diagonal-out (21 points): R1, the one equilibrium A=x, B=follow, holds at 52% "
                                  "of the points (a from 0 to 0.667, b from 0.25 to 0.8); R2")
    assert "The regime changes from R1 to R2 where a crosses a value from 0.25 to 0.8" in findings[2]
    assert "Moved alone from the defaults, a changes their regime over 41% of its range" in findings[2]
    assert "A=x, B=follow is an equilibrium at 52% of the points (95% interval 32-72%)." in findings[2]


def test_a_repeated_scenario_gets_its_repeated_play_section():
    path = V1 / "precedent-2002.toml"
    report = build_report([load_source(path)], logit=False)
    assert "repeated-precedent-2002" in [b.name for b in report.charts]
    texts = [b.text for b in report.blocks]
    assert "Repeated play" in texts
    html = render_html(report)
    page = parse(html)
    (rows,) = table_with_header(page, "target")
    # Prisoner's dilemma with temptation 3 and cooperation 2, punishment 0: delta >= 1/3, held at 0.8.
    assert rows == [["cooperate, cooperate", "Pareto-dominates a stage equilibrium", "2, 2", "0.3333", "yes",
                     "0.3333", "yes"]]
    (mm,) = table_with_header(page, "player", "pure minmax")
    assert mm == [["NATO", "0", "0"], ["Russia", "0", "0"]]
    assert 'id="repeated-precedent-2002"' in html or "repeated-precedent-2002" in html


def test_scenarios_without_repeated_get_no_repeated_section():
    report = build_report([load_source(SEQUENTIAL)], logit=False)
    assert "Repeated play" not in [b.text for b in report.blocks]
    assert not any(b.name.startswith("repeated-") for b in report.charts)


def test_sensitivity_one_at_a_time_versus_global_says_when_the_top_parameters_differ():
    import numpy as np
    from scipy.stats import spearmanr

    from analysis.report.sections import one_at_a_time_versus_global
    from analysis.sensitivity import MorrisEffects, SobolIndices

    tornado = [{"parameter": "a", "flip_share": 0.6}, {"parameter": "b", "flip_share": 0.3},
               {"parameter": "c", "flip_share": 0.1}, {"parameter": "d", "flip_share": 0.0},
               {"parameter": "not_sampled", "flip_share": 0.9}]
    st = np.array([0.2, 0.7, 0.05, 0.01])
    r = SobolIndices(("a", "b", "c", "d"), st / 2, np.full(4, 0.01), st, np.full(4, 0.02), 256)
    headers, rows, sentence = one_at_a_time_versus_global(tornado, r)
    assert [row[0] for row in rows] == ["a", "b", "c", "d"]  # the tornado's order; unsampled left out
    assert rows[1][4] == "0.700 [0.680, 0.720]" and [row[2] for row in rows] == ["1", "2", "3", "4"]
    assert [row[5] for row in rows] == ["2", "1", "3", "4"]
    # ranks 1,2,3,4 against 2,1,3,4: rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert spearmanr([0.6, 0.3, 0.1, 0.0], st).statistic == pytest.approx(0.8)
    assert sentence.startswith("They disagree on the top parameter: moved alone from the defaults, a changes")
    assert "b matters most (ST 0.700)" in sentence and "Spearman rank correlation of the two rankings: 0.80" in sentence
    # Agreeing on the top: no disagreement, the correlation still given.
    m = MorrisEffects(("a", "b", "c", "d"), st, st[::-1].copy(), np.full(4, 0.01), np.zeros(4), 20, 4)
    headers, rows, sentence = one_at_a_time_versus_global(tornado, MorrisEffects(
        ("a", "b", "c", "d"), st, np.array([0.9, 0.5, 0.2, 0.0]), np.full(4, 0.01), np.zeros(4), 20, 4))
    assert headers[3] == "mu* [interval]" and sentence.startswith("Both rank a first")
    assert "Spearman rank correlation of the two rankings: 1.00 over 4 parameters" in sentence
    assert m.parameters == ("a", "b", "c", "d")
