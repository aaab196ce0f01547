"""Global sensitivity (analysis/sensitivity.py): the Saltelli and Morris designs, the Ishigami
function's known Sobol indices, agreement with SALib called directly, a sweep with a known answer,
and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from analysis.indicators import IndicatorError, parse_indicator
from analysis.sensitivity import morris_effects, sobol_indices, sweep_sensitivity
from analysis.sweep import load_sweep, run_sweep
from analysis.sweep.design import morris_uniforms, points, saltelli_uniforms
from sim.errors import ScenarioError

# Ishigami and Homma (1990), a = 7, b = 0.1 on [-pi, pi]^3. Exact indices (Sobol' and Levitan
# 1999; SALib's test values): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


# One player whose choice x is an equilibrium exactly when a > b (a, b uniform on [0, 1]):
# Y = 1{a > b} has S1 = 1/3 and ST = 2/3 for each of a and b (Var Y = 1/4; E[Y | a] = a, Var a = 1/12;
# E[Var(Y | b)] = E[b (1 - b)] = 1/6). c is inert: both its indices are 0.
DUEL = """
[scenario]
id = "duel"
title = "x pays a, y pays b"
timing = "simultaneous"
[parameters]
a = { default = 0.6, min = 0, max = 1 }
b = { default = 0.4, min = 0, max = 1 }
c = { default = 0.5, min = 0, max = 1 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["stay"]
[[goals]]
player = "A"
name = "x_value"
weight = "a"
rules = [{ when = { A = "x" }, value = 1 }]
[[goals]]
player = "A"
name = "y_value"
weight = "b"
rules = [{ when = { A = "y" }, value = 1 }]
[[goals]]
player = "B"
name = "inert"
weight = "c"
rules = [{ when = { B = "stay" }, value = 1 }]
"""


def _sweep_file(folder: Path, design: str, n: int, extra: str = "") -> Path:
    (folder / "duel.toml").write_text(DUEL)
    path = folder / f"duel-{design}.toml"
    path.write_text(f"""
[sweep]
scenario = "duel.toml"
methods = ["enumpure"]
seed = 5
[sweep.sample]
n = {n}
design = "{design}"
{extra}
a = {{ dist = "uniform", low = 0.0, high = 1.0 }}
b = {{ dist = "uniform", low = 0.0, high = 1.0 }}
c = {{ dist = "uniform", low = 0.0, high = 1.0 }}
""")
    return path


@pytest.fixture(scope="module")
def saltelli_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("saltelli")
    path = _sweep_file(folder, "saltelli", 1024)
    run_sweep(path, folder / "out", executor="inprocess", chunk_size=1500)
    return folder / "out"


def test_ishigami_indices_through_the_wrapper():
    x = -np.pi + 2 * np.pi * saltelli_uniforms(3, 0, 2**12 * 5, 3)
    r = sobol_indices(ishigami(x), ["x1", "x2", "x3"], resamples=100)
    assert np.allclose(r.S1, ISHIGAMI_S1, atol=0.02) and np.allclose(r.ST, ISHIGAMI_ST, atol=0.02)
    # The bootstrap intervals cover the exact values.
    assert (np.abs(r.S1 - ISHIGAMI_S1) <= r.S1_conf).all() and (np.abs(r.ST - ISHIGAMI_ST) <= r.ST_conf).all()


def test_saltelli_design_equals_salib_sample_and_indices_equal_salib_analyze(tmp_path):
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[-np.pi, np.pi]] * 3}
    x_salib = salib_sample.sample(problem, 512, calc_second_order=False, seed=11)
    spec_path = tmp_path / "s.toml"
    (tmp_path / "duel.toml").write_text(DUEL)
    spec_path.write_text("""
[sweep]
scenario = "duel.toml"
seed = 11
[sweep.sample]
n = 512
design = "saltelli"
a = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
b = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
c = { dist = "uniform", low = -3.141592653589793, high = 3.141592653589793 }
""")
    spec = load_sweep(spec_path)
    assert spec.n_points == 512 * 5
    ours = points(spec, 0, spec.n_points)
    assert np.allclose(ours, x_salib, atol=1e-12)
    assert np.array_equal(points(spec, 700, 1300), ours[700:1300])  # point ids do not depend on chunks
    y = ishigami(x_salib)
    direct = salib_sobol.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=4)
    mine = sobol_indices(ishigami(ours), ["a", "b", "c"], resamples=100, seed=4)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        assert np.allclose(getattr(mine, key), direct[key], atol=1e-12)


def test_morris_design_is_one_at_a_time_and_chunk_free():
    u = morris_uniforms(9, 0, 30 * 4, 3, 4)
    steps = np.diff(u.reshape(30, 4, 3), axis=1)  # (trajectory, step, parameter)
    moved = np.abs(steps) > 1e-12
    assert (moved.sum(axis=2) == 1).all() and (moved.sum(axis=1) == 1).all()  # each parameter once
    assert np.allclose(np.abs(steps[moved]), 2 / 3)
    assert ((u >= 0) & (u <= 1)).all()
    assert np.array_equal(morris_uniforms(9, 7, 61, 3, 4), u[7:61])


def test_morris_effects_of_a_linear_function_are_its_slopes():
    u = morris_uniforms(2, 0, 40 * 4, 3, 6)
    y = 2.0 * u[:, 0] - 5.0 * u[:, 1] + 0 * u[:, 2]
    e = morris_effects(u, y, ["a", "b", "c"], 6)
    assert np.allclose(e.mu_star, [2.0, 5.0, 0.0]) and np.allclose(e.mu, [2.0, -5.0, 0.0])
    assert np.allclose(e.sigma, 0.0, atol=1e-12)


def test_sweep_sobol_indices_of_a_known_indicator(saltelli_run):
    rep = sweep_sensitivity(saltelli_run, "outcome: A=x", resamples=100)
    r = rep.result
    assert rep.method == "sobol" and rep.n_points == 1024 * 5
    assert np.allclose(r.S1, [1 / 3, 1 / 3, 0], atol=0.06) and np.allclose(r.ST, [2 / 3, 2 / 3, 0], atol=0.06)
    assert abs(rep.mean - 0.5) < 0.03
    # Through the command line, as JSON, with a chart.
    chart = saltelli_run.parent / "s.svg"
    assert main(["sensitivity", str(saltelli_run), "--indicator", "outcome: A=x", "--json", "--resamples", "50",
                 "--chart", str(chart)]) == 0
    assert chart.stat().st_size > 1000


def test_sensitivity_command_json(saltelli_run, capsys):
    assert main(["sensitivity", str(saltelli_run), "--indicator", "payoff: A", "--json", "--resamples", "50"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "sobol" and [i["parameter"] for i in doc["indices"]] == ["a", "b", "c"]
    # A's payoff is max(a, b): c explains none of it.
    assert doc["indices"][2]["ST"] < 0.01 and doc["indices"][0]["ST"] > 0.3


def test_morris_sweep(tmp_path, capsys):
    path = _sweep_file(tmp_path, "morris", 40, "levels = 4")
    run_sweep(path, tmp_path / "out", executor="inprocess")
    rep = sweep_sensitivity(tmp_path / "out", "payoff: A", resamples=50)
    # A's payoff max(a, b) moves with a or b by at most the step (2/3 of the range), never with c.
    assert rep.method == "morris" and rep.result.mu_star[2] == 0 and 0 < rep.result.mu_star[0] <= 1
    assert main(["sensitivity", str(tmp_path / "out"), "--indicator", "payoff: A", "--chart", str(tmp_path / "m.svg")]) == 0
    assert "Morris elementary effects (40 trajectories, 4 levels" in capsys.readouterr().out
    from analysis.charts import artists_with_gid, sensitivity_chart

    fig = sensitivity_chart(rep.result)
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert len(artists_with_gid(fig, "effect")) == 3 and labels[-1] == "c"  # one label per distinct point


@pytest.mark.parametrize("text", ["outcome Iran=halt", "colour: A", "outcome: A", "payoff: A=x", "outcome: =x"])
def test_malformed_indicators_are_refused(text):
    with pytest.raises(IndicatorError, match="indicator"):
        parse_indicator(text)


def test_refusals_are_one_line(saltelli_run, tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    (tmp_path / "duel.toml").write_text(DUEL)
    grid.write_text('[sweep]\nscenario = "duel.toml"\nseed = 1\n[sweep.grid]\na = [0.2, 0.8]\n')
    run_sweep(grid, tmp_path / "g", executor="inprocess")
    cases = [
        ([str(tmp_path / "g"), "--indicator", "outcome: A=x"], "a grid does not support sobol indices"),
        ([str(saltelli_run), "--indicator", "outcome: A=x", "--method", "morris"],
         "a saltelli sample does not support morris"),
        ([str(saltelli_run), "--indicator", "outcome: A=z"], "A has no action 'z'"),
        ([str(saltelli_run), "--indicator", "outcome: Q=x"], "no player or move named 'Q'"),
        ([str(saltelli_run), "--indicator", "payoff: Q"], "no player 'Q'"),
        ([str(saltelli_run), "--indicator", "regime: nothing"], "no point has that regime"),
        ([str(saltelli_run), "--indicator", "outcome: B=stay"], "the output is constant"),
        ([str(tmp_path)], "is not a sweep output folder"),
        ([str(tmp_path / "partial")], "is missing; run the sweep again with --resume"),
    ]
    import shutil

    shutil.copytree(saltelli_run, tmp_path / "partial")
    (tmp_path / "partial" / "chunks" / "chunk-000001.parquet").unlink()  # an interrupted sweep
    for argv, message in cases:
        if "--indicator" not in argv:
            argv = [*argv, "--indicator", "payoff: A"]
        assert main(["sensitivity", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


def test_design_checks_in_sweep_files(tmp_path):
    (tmp_path / "duel.toml").write_text(DUEL)
    bad = {
        'n = 100\ndesign = "saltelli"\na = { dist = "uniform", low = 0.0, high = 1.0 }': "power of two",
        'n = 8\ndesign = "morris"\nlevels = 3\na = { dist = "uniform", low = 0.0, high = 1.0 }': "even integer",
        'n = 8\ndesign = "sobol"\nlevels = 4\na = { dist = "uniform", low = 0.0, high = 1.0 }': "morris\" only",
        'n = 8\ndesign = "morris"\na = { dist = "normal", mean = 0.5, sd = 0.1 }': "bounded laws",
        'n = 8\ndesign = "saltelli"\nw = { dist = "dirichlet", parameters = ["a", "b"], alpha = [1, 1] }':
            "independent parameters",
    }
    for body, message in bad.items():
        path = tmp_path / "bad.toml"
        path.write_text(f'[sweep]\nscenario = "duel.toml"\nseed = 1\n[sweep.sample]\n{body}\n')
        with pytest.raises(ScenarioError, match=message):
            load_sweep(path)


def test_report_section_beside_the_sweep_section(saltelli_run, tmp_path):
    from analysis.report.sections import build_report
    from analysis.sources import load_sweep_source

    report = build_report([load_sweep_source(saltelli_run)], logit=False)
    heads = [b.text for b in report.blocks if b.kind == "h3"]
    assert "Global sensitivity of the commonest regime" in heads
    table = next(b for b in report.blocks[report.blocks.index(
        next(b for b in report.blocks if b.text == "Global sensitivity of the commonest regime")):] if b.kind == "table")
    assert [row[0] for row in table.rows][-1] == "c"  # the inert parameter ranks last
    assert any(b.name.endswith("-sensitivity") for b in report.charts)
    assert any("whether its commonest regime holds depends most on" in b.text for b in report.blocks)
    # A sweep whose design does not support it gets no such section.
    (tmp_path / "duel.toml").write_text(DUEL)
    (tmp_path / "g.toml").write_text('[sweep]\nscenario = "duel.toml"\nseed = 1\n[sweep.grid]\na = [0.2, 0.8]\n')
    run_sweep(tmp_path / "g.toml", tmp_path / "g", executor="inprocess")
    report = build_report([load_sweep_source(tmp_path / "g")], logit=False)
    assert "Global sensitivity of the commonest regime" not in [b.text for b in report.blocks]


def test_bootstrap_intervals_are_reproducible_with_seed_zero():
    # SALib's sobol.analyze treats seed 0 as "no seed"; the wrapper hands it a Generator instead.
    x = -np.pi + 2 * np.pi * saltelli_uniforms(3, 0, 256 * 5, 3)
    a, b = (sobol_indices(ishigami(x), ["x1", "x2", "x3"], resamples=50, seed=0) for _ in range(2))
    assert np.array_equal(a.S1_conf, b.S1_conf) and np.array_equal(a.ST_conf, b.ST_conf)
    c = sobol_indices(ishigami(x), ["x1", "x2", "x3"], resamples=50, seed=1)
    assert not np.array_equal(a.S1_conf, c.S1_conf)


def test_chart_kind(saltelli_run, tmp_path, capsys):
    out = tmp_path / "s.svg"
    assert main(["chart", "sensitivity", str(saltelli_run), "--out", str(out)]) == 0
    assert "Sensitivity of regime R1" in out.read_text()
    (tmp_path / "duel.toml").write_text(DUEL)
    (tmp_path / "g.toml").write_text('[sweep]\nscenario = "duel.toml"\nseed = 1\n[sweep.grid]\na = [0.2, 0.8]\n')
    run_sweep(tmp_path / "g.toml", tmp_path / "g", executor="inprocess")
    capsys.readouterr()
    assert main(["chart", "sensitivity", str(tmp_path / "g"), "--out", str(out)]) == 2
    assert "a grid does not support sobol indices" in capsys.readouterr().err


def test_report_shows_sobol_indices_beside_the_tornado(saltelli_run):
    # In the sweep section, right after the one-at-a-time tornado: S1 and ST with their intervals
    # for the same parameters, and the comparison of the two rankings. In the duel, Y = 1{a > b}:
    # the exact indices are S1 = 1/3, ST = 2/3 for a and b, 0 for the inert c; one at a time from
    # the defaults (a = 0.6, b = 0.4), a and b each change the regime over 40% of their range.
    from analysis.report.sections import build_report
    from analysis.sources import load_sweep_source

    report = build_report([load_sweep_source(saltelli_run)], logit=False)
    blocks = report.blocks
    at = next(k for k, b in enumerate(blocks) if b.kind == "chart" and b.name.endswith("-tornado"))
    text, table = blocks[at + 1], blocks[at + 2]
    assert text.kind == "p" and "Sobol indices" in text.text and "Spearman rank correlation" in text.text
    assert table.kind == "table" and table.headers[3:5] == ["S1 [interval]", "ST [interval]"]
    rows = {r[0]: r for r in table.rows}
    for p, s1, st in (("a", 1 / 3, 2 / 3), ("b", 1 / 3, 2 / 3), ("c", 0.0, 0.0)):
        v, lo, hi = (float(x) for x in rows[p][3].replace("[", "").replace("]", "").replace(",", "").split())
        assert lo - 0.02 <= s1 <= hi + 0.02, (p, rows[p])
        v, lo, hi = (float(x) for x in rows[p][4].replace("[", "").replace("]", "").replace(",", "").split())
        assert lo - 0.02 <= st <= hi + 0.02, (p, rows[p])
    # (the tornado moves each parameter over an evenly spaced grid of its range: 40% to a step)
    assert float(rows["a"][1][:-1]) == pytest.approx(40, abs=2) and rows["c"][1] == "0.0%" and rows["c"][5] == "3"
