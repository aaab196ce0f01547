"""Sweeps: designs, chunking, executors, resume, errors. Each guarantee of the sweep engine has a
test that fails when the guarantee breaks."""

from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.sweep import load_sweep, read_results, run_sweep
from analysis.sweep.design import points
from sim.errors import ScenarioError

# A 2x2 game where Row's best reply flips at a = 0.5 (Row gets a for "up", 0.5 for "down"), and
# Col matches Row (coordination): for a > 0.5 the only equilibrium is (up, left); for a < 0.5 it
# is (down, right). b only scales Col's payoffs (never changes the regime).
TOY = """
[scenario]
id = "toy"
title = "Threshold toy"
timing = "simultaneous"

[parameters]
a = { default = 0.3, min = 0.0, max = 1.0 }
b = { default = 1.0, min = 0.1, max = 10.0 }

[players.Row]
actions = ["up", "down"]

[players.Col]
actions = ["left", "right"]

[[goals]]
player = "Row"
name = "up_value"
weight = "a"
rules = [{ when = { Row = "up" }, value = 1.0 }]

[[goals]]
player = "Row"
name = "down_value"
weight = 0.5
rules = [{ when = { Row = "down" }, value = 1.0 }]

[[goals]]
player = "Col"
name = "match"
weight = "b"
rules = [
  { when = { Row = "up", Col = "left" }, value = 1.0 },
  { when = { Row = "down", Col = "right" }, value = 1.0 },
]
"""


def write_sweep(folder: Path, body: str, name: str = "sweep.toml") -> Path:
    (folder / "toy.toml").write_text(TOY)
    path = folder / name
    path.write_text(body)
    return path


GRID = """
[sweep]
scenario = "toy.toml"
methods = ["enumpure"]
seed = 7
chunk_size = 9

[sweep.grid]
a = { start = 0.0, stop = 1.0, num = 21 }
b = [0.5, 2.0]
"""

SAMPLE = """
[sweep]
scenario = "toy.toml"
methods = ["enumpure"]
seed = 11
chunk_size = 10

[sweep.sample]
n = 37
design = "{design}"
a = {{ dist = "uniform", low = 0.0, high = 1.0 }}
b = {{ dist = "triangular", low = 0.5, mode = 1.0, high = 4.0 }}
"""


def _normalised(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype(str)
    return df.sort_values(["point_id", "method", "eq_index"]).reset_index(drop=True)


def test_grid_regimes_follow_the_known_threshold(tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    assert df["point_id"].nunique() == 42
    for _, row in df.iterrows():
        a = row["param.a"]
        if abs(a - 0.5) < 1e-12:
            assert row["n_equilibria"] == 2  # Row indifferent: both coordination outcomes
            continue
        expected = "Row=up, Col=left" if a > 0.5 else "Row=down, Col=right"
        assert row["outcome"] == expected
        assert row["regime"] == expected
        assert row["max_regret"] <= 1e-12
        assert row[f"prob.Row.{'up' if a > 0.5 else 'down'}"] == 1.0
        assert row["payoff.Row"] == pytest.approx(max(a, 0.5))
        assert row["payoff.Col"] == pytest.approx(row["param.b"])


@pytest.mark.parametrize("design", ["montecarlo", "lhs", "sobol"])
def test_design_points_do_not_depend_on_chunking(tmp_path, design):
    spec = load_sweep(write_sweep(tmp_path, SAMPLE.format(design=design)))
    whole = points(spec, 0, spec.n_points)
    pieces = np.vstack([points(spec, s, min(s + 5, spec.n_points)) for s in range(0, spec.n_points, 5)])
    np.testing.assert_array_equal(whole, pieces)
    np.testing.assert_array_equal(whole, points(load_sweep(tmp_path / "sweep.toml"), 0, spec.n_points))
    assert whole[:, 0].min() >= 0.0 and whole[:, 0].max() <= 1.0
    assert whole[:, 1].min() >= 0.5 and whole[:, 1].max() <= 4.0


def test_different_seeds_give_different_samples(tmp_path):
    a = load_sweep(write_sweep(tmp_path, SAMPLE.format(design="montecarlo")))
    b = load_sweep(write_sweep(tmp_path, SAMPLE.format(design="montecarlo").replace("seed = 11", "seed = 12"), "s2.toml"))
    assert not np.allclose(points(a, 0, 37), points(b, 0, 37))


def test_latin_hypercube_puts_one_point_in_each_stratum(tmp_path):
    spec = load_sweep(write_sweep(tmp_path, SAMPLE.format(design="lhs").replace(
        'b = { dist = "triangular", low = 0.5, mode = 1.0, high = 4.0 }',
        'b = { dist = "uniform", low = 0.0, high = 1.0 }')))
    x = points(spec, 0, spec.n_points)
    for j in range(2):
        strata = np.floor(x[:, j] * spec.n_points).astype(int)
        assert sorted(strata) == list(range(spec.n_points))


def test_dirichlet_groups_sum_to_one_and_match_their_mean(tmp_path):
    body = """
[sweep]
scenario = "toy.toml"
seed = 3
[sweep.sample]
n = 4000
design = "sobol"
w = { dist = "dirichlet", parameters = ["a", "b"], alpha = [2.0, 6.0] }
"""
    spec = load_sweep(write_sweep(tmp_path, body))
    x = points(spec, 0, spec.n_points)
    np.testing.assert_allclose(x.sum(axis=1), 1.0)
    assert x[:, 0].mean() == pytest.approx(0.25, abs=0.01)  # alpha_1 / sum(alpha)


@pytest.mark.slow
def test_table_is_identical_whatever_executor_workers_and_chunk_size(tmp_path):
    sweep = write_sweep(tmp_path, SAMPLE.format(design="lhs"))
    run_sweep(sweep, tmp_path / "one", executor="inprocess", chunk_size=37)
    run_sweep(sweep, tmp_path / "small", executor="inprocess", chunk_size=4)
    run_sweep(sweep, tmp_path / "procs", workers=2, chunk_size=6)
    base = _normalised(read_results(tmp_path / "one"))
    assert len(base) >= 37
    for other in ("small", "procs"):
        pd.testing.assert_frame_equal(base, _normalised(read_results(tmp_path / other)))


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = write_sweep(tmp_path, GRID)
    run_sweep(sweep, tmp_path / "local", executor="inprocess")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None, processes=True) as cluster:
        run_sweep(sweep, tmp_path / "dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(_normalised(read_results(tmp_path / "local")),
                                  _normalised(read_results(tmp_path / "dask")))


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(tmp_path):
    body = GRID.replace("num = 21", "num = 4001").replace("chunk_size = 9", "chunk_size = 50")
    sweep = write_sweep(tmp_path, body)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "analysis.cli", "sweep", str(sweep), "--out", str(out), "--workers", "1",
           "--in-process", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "chunks").glob("chunk-*.parquet"))) < 20:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "chunks").glob("chunk-*.parquet")))
    assert 0 < done_before < 161, "the kill must land half-way for this test to mean anything"
    assert main(["sweep", str(sweep), "--out", str(out), "--resume", "--in-process", "--no-progress"]) == 0
    run_sweep(sweep, tmp_path / "whole", executor="inprocess")
    killed, whole = _normalised(read_results(out)), _normalised(read_results(tmp_path / "whole"))
    assert killed["point_id"].is_unique is False or len(killed) == len(whole)
    pd.testing.assert_frame_equal(killed, whole)
    assert not list((out / "chunks").glob(".*.tmp"))


def test_resume_refuses_a_changed_scenario(tmp_path, capsys):
    sweep = write_sweep(tmp_path, GRID)
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    (tmp_path / "toy.toml").write_text(TOY.replace("weight = 0.5", "weight = 0.6"))
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--resume", "--in-process"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scenario file changed" in err[0]


def test_existing_output_needs_resume(tmp_path, capsys):
    sweep = write_sweep(tmp_path, GRID)
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--in-process"]) == 2
    assert "--resume" in capsys.readouterr().err


@pytest.mark.parametrize(
    "body, field",
    [
        (GRID.replace('methods = ["enumpure"]', 'methods = ["nope"]'), "sweep.methods[0]"),
        (GRID.replace("seed = 7", 'seed = "x"'), "sweep.seed"),
        (GRID.replace("num = 21", "num = 0"), "sweep.grid.a.num"),
        (GRID.replace("[sweep.grid]", "[sweep.grod]"), "sweep.grod"),
        (GRID.replace("b = [0.5, 2.0]", "c = [0.5, 2.0]"), "sweep.grid.c"),
        (GRID.replace('scenario = "toy.toml"', 'scenario = "missing.toml"'), "sweep.scenario"),
        (SAMPLE.format(design="halton"), "sweep.sample.design"),
        (SAMPLE.format(design="lhs").replace('dist = "uniform", low = 0.0, high = 1.0', 'dist = "uniform", low = 1.0, high = 0.0'), "sweep.sample.a.high"),
        ("[sweep\n", None),
    ],
)
def test_bad_sweep_files_give_one_line_and_exit_2(tmp_path, capsys, body, field):
    sweep = write_sweep(tmp_path, body)
    code = main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--in-process"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert str(sweep) in err[0]
    if field:
        assert f": {field}: " in err[0]
    assert not list(tmp_path.glob("out/chunks/*.parquet"))


def test_unwritable_output_folder_is_a_clear_error(tmp_path, capsys):
    sweep = write_sweep(tmp_path, GRID)
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    assert main(["sweep", str(sweep), "--out", str(blocker / "out"), "--in-process"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not writable" in err[0]


def test_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    sweep = write_sweep(tmp_path, GRID)
    proc = subprocess.run([sys.executable, "-m", "analysis.cli", "sweep", str(sweep), "--out", str(tmp_path / "o"),
                           "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Dask scheduler" in lines[0] and "Traceback" not in proc.stderr
    assert not list((tmp_path / "o").glob("chunks/*.parquet"))


def test_manifest_records_hashes_seed_and_versions(tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["n_points"] == 42 and manifest["n_chunks"] == 5
    assert len(manifest["scenario_hash"]) == 64 and manifest["versions"]["numpy"] == np.__version__
    assert manifest["runs"][-1]["chunks_run"] == 5


def test_unknown_sweep_parameter_is_refused(tmp_path):
    sweep = write_sweep(tmp_path, GRID.replace("b = [0.5, 2.0]", "zz = [0.5, 2.0]"))
    with pytest.raises(ScenarioError, match="sweep.grid.zz"):
        run_sweep(sweep, tmp_path / "out", executor="inprocess")


def test_sequential_scenario_sweeps_match_spe_point_by_point(tmp_path):
    from sim.scenario import compile_scenario, load_scenario
    from sim.solvers import solve

    scenario = Path(__file__).resolve().parent / "data" / "scenarios-v1" / "shield-as-chip.toml"
    (tmp_path / "seq.toml").write_text(scenario.read_text())
    sweep = tmp_path / "sweep.toml"
    sweep.write_text('[sweep]\nscenario = "seq.toml"\nmethods = ["spe"]\nseed = 1\n'
                     "[sweep.grid]\nus_shield_value = [0.0, 5.0]\nrussia_iran_ties = [0.0, 5.0]\n")
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    compiled = compile_scenario(load_scenario(scenario))
    for pid, group in df.groupby("point_id"):
        row = group.iloc[0]
        result = solve(compiled.game({"us_shield_value": row["param.us_shield_value"],
                                      "russia_iran_ties": row["param.russia_iran_ties"]}), "spe")
        assert len(group) == len(result.equilibria)
        np.testing.assert_allclose(group[[f"payoff.{p}" for p in result.game.players]].to_numpy(),
                                   [e.payoffs for e in result.equilibria])
    assert df["regime"].nunique() > 1  # the corners of this grid do not all share one outcome


# ----- spe batched over a sweep's points --------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests

# A perfect-information tree with a chance move whose probability is a parameter: nature draws the
# weather, A (who sees it) picks a venue, B (who sees both) comes or not. Integer payoffs make ties.
CHANCE_TREE = """
[scenario]
id = "venue"
title = "Venue under uncertain weather"
timing = [
  { chance = "weather", outcomes = { rain = "p_rain", sun = "rest" } },
  { player = "A", observes = ["weather"] },
  { player = "B", observes = ["weather", "A"] },
]

[parameters]
p_rain = { default = 0.3, min = 0.0, max = 1.0 }
indoor = { default = 1.0, min = 0.0, max = 3.0 }
company = { default = 1.0, min = 0.0, max = 3.0 }

[players.A]
actions = ["inside", "outside"]

[players.B]
actions = ["come", "stay"]

[[goals]]
player = "A"
name = "dry"
weight = "indoor"
rules = [{ when = { weather = "rain", A = "inside" }, value = 1.0 }, { when = { weather = "sun", A = "outside" }, value = 1.0 }]

[[goals]]
player = "A"
name = "company"
weight = "company"
rules = [{ when = { B = "come" }, value = 1.0 }]

[[goals]]
player = "B"
name = "likes_outside"
weight = 1.0
rules = [{ when = { A = "outside", B = "come" }, value = 1.0 }, { when = { A = "inside", B = "stay" }, value = 1.0 }]
"""


def _spe_sweep(tmp_path, name, scenario_text, grid, monkeypatch, batched, chunk_size=7):
    import analysis.sweep.run as run

    (tmp_path / f"{name}.toml").write_text(scenario_text)
    sweep = tmp_path / f"{name}-sweep.toml"
    sweep.write_text(f'[sweep]\nscenario = "{name}.toml"\nmethods = ["spe"]\nseed = 1\nchunk_size = {chunk_size}\n'
                     "[sweep.grid]\n" + "".join(f"{k} = {v}\n" for k, v in grid.items()))
    monkeypatch.setattr(run, "_SPE_BATCHED", batched)
    # The driver's check of each method at the first and last point would add to the count.
    monkeypatch.setattr("analysis.sweep.precheck.probe_methods", lambda spec, model, table: None)
    calls = []
    original = run._per_point_rows
    monkeypatch.setattr(run, "_per_point_rows", lambda m, meth, full, ids, options=None: calls.append(len(ids)) or original(m, meth, full, ids, options))
    out = tmp_path / f"out-{name}-{batched}"
    run_sweep(sweep, out, executor="inprocess")
    return read_results(out), sum(calls)


@pytest.mark.slow
def test_spe_sweep_batched_rows_equal_point_by_point_rows_on_shield_as_chip(tmp_path, monkeypatch):
    """Integer-valued grids put ties in (Russia indifferent at russia_iran_ties = 3, Iran at
    iran_bomb_value = 3); 0.1 and 0.7 are not binary fractions, so round-off is exercised too.
    Rows must be identical, every float exactly equal, and only tied points solved one by one."""
    text = (V1 / "shield-as-chip.toml").read_text()
    grid = {"russia_iran_ties": "[0.0, 0.7, 3.0, 4.0]", "us_shield_value": "[0.1, 1.0, 3.0]",
            "iran_bomb_value": "[2.0, 3.0]"}
    batched, per_point_calls = _spe_sweep(tmp_path, "seq", text, grid, monkeypatch, True)
    reference, reference_calls = _spe_sweep(tmp_path, "seq", text, grid, monkeypatch, False)
    pd.testing.assert_frame_equal(_normalised(batched), _normalised(reference), check_exact=True)
    first = batched.groupby("point_id")["n_equilibria"].first()
    assert (first > 1).sum() >= 4 and (first == 1).sum() >= 4, "the grid must hold both kinds of point"
    assert per_point_calls == (first > 1).sum() and reference_calls == len(first)
    assert (batched["max_regret"] <= 1e-9).all()


def test_spe_sweep_with_a_chance_move_matches_point_by_point(tmp_path, monkeypatch):
    grid = {"p_rain": "[0.0, 0.3, 0.5, 1.0]", "indoor": "[0.0, 1.0, 2.5]", "company": "[0.0, 1.0, 2.0]"}
    batched, per_point_calls = _spe_sweep(tmp_path, "venue", CHANCE_TREE, grid, monkeypatch, True)
    reference, _ = _spe_sweep(tmp_path, "venue", CHANCE_TREE, grid, monkeypatch, False)
    pd.testing.assert_frame_equal(_normalised(batched), _normalised(reference), check_exact=True)
    first = batched.groupby("point_id")["n_equilibria"].first()
    assert per_point_calls == (first > 1).sum() < len(first)


def test_spe_sweep_keeps_imperfect_information_point_by_point():
    from analysis.io import file_sha256
    from analysis.sweep.run import _spe_batched, scenario_model

    for name, batched in (("chip-that-did-not-exist.toml", False), ("shield-as-chip.toml", True)):
        path = V1 / name
        assert _spe_batched(scenario_model(str(path), file_sha256(path))) is batched


# ----- method options in sweep files --------------------------------------------------------------------------
def test_sweep_options_reach_the_solver_at_every_point(tmp_path):
    """``[sweep.options.logit] lambda = 0.5``: each row is the QRE at lambda 0.5 of its point's game,
    exactly what ``solve(game, "logit", lam=0.5)`` gives; without the option the rows differ."""
    from sim.scenario import compile_scenario, loads_scenario
    from sim.solvers import solve

    body = GRID.replace('methods = ["enumpure"]', 'methods = ["enumpure", "logit"]') + \
        "\n[sweep.options.logit]\nlambda = 0.5\n"
    run_sweep(write_sweep(tmp_path, body), tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    logit = df[df["method"].astype(str) == "logit"]
    assert len(logit) == 42
    compiled = compile_scenario(loads_scenario(TOY))
    for _, row in logit.iloc[::7].iterrows():
        game = compiled.game({"a": row["param.a"], "b": row["param.b"]})
        (eq,) = solve(game, "logit", lam=0.5).equilibria
        assert row["prob.Row.up"] == pytest.approx(eq.profile[0][0], abs=1e-9)
        assert 0.05 < row["prob.Row.up"] < 0.95  # interior at low precision, unlike the Nash limit
    assert load_sweep(tmp_path / "sweep.toml").options_for("logit") == {"lam": 0.5}
    assert load_sweep(tmp_path / "sweep.toml").options_for("enumpure") == {}


def test_sweep_enumpure_tolerance_option_widens_ties(tmp_path):
    """A huge ``tol`` makes every profile an equilibrium; the default keeps the known regimes."""
    body = GRID + "\n[sweep.options.enumpure]\ntol = 2.0\n"
    run_sweep(write_sweep(tmp_path, body), tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    assert set(df["n_equilibria"]) == {4}


@pytest.mark.parametrize("options, field, message", [
    ("[sweep.options.logit]\nlambda = 1.0\n", "sweep.options.logit", "options for a method the sweep does not run"),
    ("[sweep.options.enumpure]\ntoll = 1e-6\n", "sweep.options.enumpure.toll", "unknown option; enumpure's options are ['tol', 'max_equilibria']"),
    ("[sweep.options.enumpure]\ntol = -1.0\n", "sweep.options.enumpure.tol", "option tol must be a number, >= 0"),
    ("[sweep.options.enumpure]\ntol = \"small\"\n", "sweep.options.enumpure.tol", "option tol must be a number"),
])
def test_bad_sweep_options_name_the_field_and_write_nothing(tmp_path, options, field, message):
    sweep = write_sweep(tmp_path, GRID + "\n" + options)
    with pytest.raises(ScenarioError, match=re.escape(field) + ".*" + re.escape(message)):
        run_sweep(sweep, tmp_path / "out", executor="inprocess")
    assert not (tmp_path / "out").exists()


def test_sweep_refuses_a_method_that_cannot_run_on_the_scenario_before_writing(tmp_path):
    sweep = write_sweep(tmp_path, GRID.replace('methods = ["enumpure"]', 'methods = ["enumpure", "spe"]'))
    with pytest.raises(ScenarioError, match=r"sweep\.methods\[1\].*'spe' needs an extensive-form game"):
        run_sweep(sweep, tmp_path / "out", executor="inprocess")
    assert not (tmp_path / "out").exists()
    sweep = write_sweep(tmp_path, GRID.replace('methods = ["enumpure"]', 'methods = ["nash"]'))
    with pytest.raises(ScenarioError, match=r"sweep\.methods\[0\].*a bargaining method, not an equilibrium method"):
        load_sweep(sweep)


# ----- enumpoly by classes of strategically equivalent points ---------------------------------------------------
def _poly_sweep(tmp_path, name, grid, monkeypatch, classes, chunk_size=100, batch=True):
    import analysis.sweep.run as run

    monkeypatch.setattr(run, "_POLY_BATCH", batch)

    (tmp_path / "baseline-2009.toml").write_text((V1 / "baseline-2009.toml").read_text())
    sweep = tmp_path / f"{name}.toml"
    sweep.write_text(f'[sweep]\nscenario = "baseline-2009.toml"\nmethods = ["enumpoly"]\nseed = 1\n'
                     f"chunk_size = {chunk_size}\n[sweep.grid]\n" + "".join(f"{k} = {v}\n" for k, v in grid.items()))
    monkeypatch.setattr(run, "_CLASSES", classes)
    monkeypatch.setattr(run, "_class_cache", run.OrderedDict())
    monkeypatch.setattr("analysis.sweep.precheck.probe_methods", lambda spec, model, table: None)
    calls = []
    original = run._per_point_rows
    monkeypatch.setattr(run, "_per_point_rows", lambda m, meth, full, ids, options=None: calls.append(len(ids)) or original(m, meth, full, ids, options))
    out = tmp_path / f"out-{name}-{classes}-{chunk_size}-{batch}"
    run_sweep(sweep, out, executor="inprocess")
    return _normalised(read_results(out)), sum(calls)


# russia_isolation_weight is inert (it pays Russia when NATO engages, whatever Russia does): three
# of its values form one class; us_shield_deterrence = 0 ties the US at Kaliningrad deployment.
POLY_GRID = {"russia_isolation_weight": "[0.0, 1.7, 4.2]", "us_shield_deterrence": "[0.0, 2.2]",
             "iran_bomb_value": "[3.9]"}


@pytest.mark.slow
def test_enumpoly_sweep_by_classes_reports_the_point_by_point_sets(tmp_path, monkeypatch):
    """Per point: the same regime (the set of outcome labels), the same pure equilibria, every row
    certified on the point's own game; two solves instead of six; and the rows do not depend on
    the chunking (each class is solved on its canonical game, whichever member comes first)."""
    classes, calls = _poly_sweep(tmp_path, "p", POLY_GRID, monkeypatch, True, chunk_size=100)
    chunked, _ = _poly_sweep(tmp_path, "p", POLY_GRID, monkeypatch, True, chunk_size=1)
    reference, reference_calls = _poly_sweep(tmp_path, "p", POLY_GRID, monkeypatch, False)
    assert calls == 0 and reference_calls == 6
    pd.testing.assert_frame_equal(classes, chunked, check_exact=True)
    a, b = (df.groupby("point_id") for df in (classes, reference))
    assert (a["regime"].first() == b["regime"].first()).all()
    probs = [c for c in classes.columns if c.startswith("prob.")]
    for (_, x), (_, y) in zip(a, b):
        pure = [sorted(map(tuple, d[probs][(d[probs].isin([0.0, 1.0])).all(axis=1)].to_numpy().tolist()))
                for d in (x, y)]
        assert pure[0] == pure[1] and len(pure[0]) >= 1
    assert (classes["max_regret"] <= 1e-6).all()
    # Members of one class share their equilibria; their payoffs are their own.
    one = classes[classes["param.us_shield_deterrence"] == 2.2].groupby("param.russia_isolation_weight")
    profiles = [g[probs].to_numpy() for _, g in one]
    assert all(np.array_equal(profiles[0], p) for p in profiles[1:])
    russia = [g["payoff.Russia"].to_numpy() for _, g in one]
    assert not np.allclose(russia[0], russia[2])


@pytest.mark.slow
def test_enumpoly_class_member_failing_certification_is_solved_point_by_point(tmp_path, monkeypatch):
    """A member where a class equilibrium fails its tolerance gets exactly the point-by-point rows."""
    import sim.solvers.equivalence as eq

    original = eq.certify_profiles

    def failing_first(payoffs, strategies, tol):
        pay, regret, ok = original(payoffs, strategies, tol)
        ok[0, 0] = False
        return pay, regret, ok

    monkeypatch.setattr(eq, "certify_profiles", failing_first)
    grid = {"russia_isolation_weight": "[0.0, 4.2]", "us_shield_deterrence": "[2.2]", "iran_bomb_value": "[3.9]"}
    classes, calls = _poly_sweep(tmp_path, "f", grid, monkeypatch, True)
    reference, _ = _poly_sweep(tmp_path, "f", grid, monkeypatch, False)
    assert calls == 1
    first = classes["point_id"] == classes["point_id"].min()
    pd.testing.assert_frame_equal(classes[first].reset_index(drop=True),
                                  reference[reference["point_id"] == classes["point_id"].min()].reset_index(drop=True),
                                  check_exact=True)


# Every axis strategic (each weight moves some player's own best responses): no two points share a
# class, so any gain is the batch's. russia_iran_ties = 0.45 opens continua at some points (Russia's
# payoffs are separable): those are left to enumpoly_solve.
STRATEGIC_GRID = {"nato_convergence": "[0.35, 2.6, 4.45]", "iran_bomb_value": "[1.15, 3.9]",
                  "russia_iran_ties": "[0.45, 2.35]"}


@pytest.mark.slow
def test_enumpoly_sweep_batched_over_strategic_axes_equals_point_by_point(tmp_path, monkeypatch):
    """The batched route (enumpoly_batch, the points it leaves solved one by one) writes the rows
    of solving every point one by one: same outcomes, regimes and counts, probabilities and
    payoffs within round-off; and most points never reach enumpoly_solve. Both solve a point's
    canonical game (the class route's), so the continua of the undecided points are sampled alike;
    the batch's own answers are compared with enumpoly_solve on each point's game in
    tests/test_poly_batch.py."""
    import sim.registry

    calls = []
    original = sim.registry.solve
    monkeypatch.setattr(sim.registry, "solve", lambda *a, **k: calls.append(1) or original(*a, **k))
    batched, _ = _poly_sweep(tmp_path, "s", STRATEGIC_GRID, monkeypatch, True, chunk_size=5)
    n_batched = len(calls)
    reference, _ = _poly_sweep(tmp_path, "s", STRATEGIC_GRID, monkeypatch, True, batch=False)
    assert len(calls) - n_batched == 12 and n_batched < 12 // 2, n_batched
    exact = ["point_id", "eq_index", "n_equilibria", "outcome", "regime", "method"]
    pd.testing.assert_frame_equal(batched[exact], reference[exact])
    close = [c for c in batched.columns if c.startswith(("prob.", "payoff.", "param."))]
    np.testing.assert_allclose(batched[close].to_numpy(), reference[close].to_numpy(), atol=1e-9, rtol=0)
    np.testing.assert_allclose(batched["max_regret"], reference["max_regret"], atol=1e-9, rtol=0)


@pytest.mark.slow
def test_enumpoly_batched_member_failing_certification_gets_its_point_by_point_rows(tmp_path, monkeypatch):
    """A point where a batched equilibrium fails certification on its own payoffs is solved alone."""
    import sim.solvers.equivalence as eq

    original = eq.certify_rows

    def failing_first(payoffs, strategies, tol):
        pay, regret, ok = original(payoffs, strategies, tol)
        ok[0] = False
        return pay, regret, ok

    monkeypatch.setattr(eq, "certify_rows", failing_first)
    grid = {"nato_convergence": "[2.6, 4.45]", "iran_bomb_value": "[1.15]", "russia_iran_ties": "[2.35]"}
    batched, calls = _poly_sweep(tmp_path, "c", grid, monkeypatch, True)
    reference, _ = _poly_sweep(tmp_path, "c", grid, monkeypatch, False)
    assert calls == 1
    first = batched["point_id"] == 0
    pd.testing.assert_frame_equal(batched[first].reset_index(drop=True),
                                  reference[reference["point_id"] == 0].reset_index(drop=True), check_exact=True)


def test_sweep_command_lists_equilibrium_events(tmp_path, capsys):
    """`bargain sweep --events` prints the grid cells where the equilibria change. The toy's known
    threshold is a = 0.5 (Row indifferent there: both coordination outcomes): walking a upwards,
    Row=up appears at 0.5 and Row=down vanishes after it, at both values of b, and nothing
    happens along b."""
    sweep = write_sweep(tmp_path, GRID)
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "--in-process", "--events"]) == 0
    out = capsys.readouterr().out
    assert "equilibrium events: 4 grid cells (2 appear, 2 vanish)" in out
    from analysis.sweep.events import sweep_events

    ev = sweep_events(tmp_path / "out")
    got = sorted((k, round(a, 9), round(b, 9), n, m, lost, gained) for k, a, b, n, m, lost, gained in
                 ev[["kind", "from", "to", "n_from", "n_to", "lost", "gained"]].itertuples(index=False))
    assert set(ev["axis"]) == {"a"}
    assert got == [("appear", 0.45, 0.5, 1, 2, "", "Row=up, Col=left")] * 2 + \
        [("vanish", 0.5, 0.55, 2, 1, "Row=down, Col=right", "")] * 2


@pytest.mark.slow
def test_enumpoly_events_find_the_baseline_iran_threshold(tmp_path, monkeypatch):
    """Known answer (the first baseline's own reading): under joint pressure Iran halts exactly when
    iran_sanction_fear > iran_bomb_value. Along iran_bomb_value with the fear at 3.1, the pure
    equilibrium with Iran halting turns into the one with Iran proceeding in the one grid cell that
    brackets 3.1, and nowhere else."""
    from analysis.sweep.events import sweep_events

    grid = {"iran_bomb_value": "{ start = 0.15, stop = 4.85, num = 6 }", "nato_convergence": "[2.6]",
            "kaliningrad_counter": "[2.3]", "iran_sanction_fear": "[3.1]"}
    _poly_sweep(tmp_path, "e", grid, monkeypatch, True)
    out = next(tmp_path.glob("out-e-*"))
    ev = sweep_events(out)
    halt = "US=drop_shield, NATO=engage, Russia=pressure_halt, Iran=halt"
    cells = ev[ev["lost"] == halt]
    assert [(round(a, 2), round(b, 2), k, g) for a, b, k, g in cells[["from", "to", "kind", "gained"]].itertuples(index=False)] \
        == [(2.97, 3.91, "switch", halt.replace("Iran=halt", "Iran=proceed"))]
