"""Calibration to observations (analysis/calibration.py, bargain calibrate): the consistent points
against a point-by-point brute force, some versus the selected equilibrium, the reported shifts,
the logit route of the command, and one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.calibration import calibrate
from analysis.cli import main
from analysis.sweep import read_results, run_sweep

ROOT = Path(__file__).resolve().parents[1]

# Both players get a at (x, x) and b at (y, y), 0 when they miscoordinate: both coordinated
# profiles are equilibria at every point; the selected one (not Pareto-dominated) is x exactly
# when a > b.
COORDINATION = """
[scenario]
id = "coordination"
title = "Coordinate on x (worth a) or y (worth b)"
timing = "simultaneous"
[parameters]
a = { default = 0.6, min = 0, max = 1 }
b = { default = 0.4, min = 0, max = 1 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["x", "y"]
[[goals]]
player = "A"
name = "on_x"
weight = "a"
rules = [{ when = { A = "x", B = "x" }, value = 1 }]
[[goals]]
player = "A"
name = "on_y"
weight = "b"
rules = [{ when = { A = "y", B = "y" }, value = 1 }]
[[goals]]
player = "B"
name = "on_x"
weight = "a"
rules = [{ when = { A = "x", B = "x" }, value = 1 }]
[[goals]]
player = "B"
name = "on_y"
weight = "b"
rules = [{ when = { A = "y", B = "y" }, value = 1 }]
"""


@pytest.fixture(scope="module")
def coordination(tmp_path_factory):
    folder = tmp_path_factory.mktemp("coordination")
    (folder / "coordination.toml").write_text(COORDINATION)
    (folder / "s.toml").write_text("""
[sweep]
scenario = "coordination.toml"
seed = 3
[sweep.sample]
n = 400
a = { dist = "uniform", low = 0.0, high = 1.0 }
b = { dist = "uniform", low = 0.0, high = 1.0 }
""")
    run_sweep(folder / "s.toml", folder / "out", executor="inprocess")
    return folder / "out"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    # 48 Sobol points of the founding baseline over the four parameters of its key inequalities.
    folder = tmp_path_factory.mktemp("baseline")
    (folder / "baseline-2009.toml").write_bytes((ROOT / "scenarios" / "baseline-2009.toml").read_bytes())
    (folder / "s.toml").write_text("""
[sweep]
scenario = "baseline-2009.toml"
methods = ["spe"]
seed = 9
[sweep.sample]
n = 48
design = "sobol"
russia_iran_ties = { dist = "uniform", low = 0.0, high = 5.0 }
russia_isolation_weight = { dist = "uniform", low = 0.0, high = 5.0 }
iran_sanction_fear = { dist = "uniform", low = 0.0, high = 5.0 }
us_shield_value = { dist = "uniform", low = 0.0, high = 5.0 }
""")
    run_sweep(folder / "s.toml", folder / "out", executor="inprocess")
    return folder / "out"


def test_consistent_points_match_a_point_by_point_brute_force(baseline):
    # The brute force: the claim machinery of sim/claims.py (its own walk of each equilibrium's
    # play) on the tree solved afresh at every point. A point is kept when some equilibrium plays
    # both observed moves.
    from sim.claims import evaluate_claim
    from sim.scenario import compile_scenario, load_scenario
    from sim.scenario.claims import Claim, Condition

    compiled = compile_scenario(load_scenario(ROOT / "scenarios" / "baseline-2009.toml"))
    claim = Claim("obs", "observed", "q", (Condition(path=(("russia_kaliningrad", ("halt",)), ("Iran", ("halt",)))),),
                  method="spe")
    cal = calibrate(baseline, ["path: russia_kaliningrad=halt", "outcome: Iran=halt"])
    table = read_results(baseline).drop_duplicates("point_id")
    expected = []
    for _, row in table.iterrows():
        point = {c[len("param."):]: row[c] for c in table.columns if c.startswith("param.")}
        if evaluate_claim(compiled, claim, point).verdict in ("holds", "some"):
            expected.append(int(row["point_id"]))
    assert cal.kept.tolist() == expected
    assert 0 < cal.n_kept < cal.n_points == 48
    # The hand analysis: Iran halts only under joint pressure, and there iff sanction fear > bomb value (2.2).
    fear = next(s for s in cal.shifts if s.name == "iran_sanction_fear")
    assert fear.low > 2.2 and fear.ks > 0.3
    assert all(p["play"].endswith("Iran halt") and "Russia halt" in p["play"] for p in cal.play)  # named plays


def test_some_versus_the_selected_equilibrium(coordination):
    points = read_results(coordination).drop_duplicates("point_id")
    some = calibrate(coordination, ["outcome: A=x, B=x"])
    assert some.n_kept == some.n_points == 400  # (x, x) is an equilibrium everywhere
    selected = calibrate(coordination, ["outcome: A=x"], selected=True)
    a, b = points["param.a"].to_numpy(), points["param.b"].to_numpy()
    assert selected.kept.tolist() == points["point_id"][a > b].tolist()
    shift = {s.name: s for s in selected.shifts}
    kept_a = a[a > b]
    assert shift["a"].low == kept_a.min() and shift["a"].high == kept_a.max()
    assert np.allclose(shift["a"].after, np.quantile(kept_a, [0.05, 0.25, 0.5, 0.75, 0.95]))
    assert shift["a"].after[2] > shift["a"].before[2] and shift["b"].after[2] < shift["b"].before[2]
    assert selected.play[0]["play"] == "A=x, B=x" and selected.play[0]["share"] == 1.0


def test_calibrate_command_text_json_and_chart(coordination, capsys, tmp_path):
    chart = tmp_path / "c.svg"
    assert main(["calibrate", str(coordination), "--observe", "outcome: A=y", "--selected", "--json",
                 "--chart", str(chart)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["selected"] and doc["kept"] + calibrate(coordination, ["outcome: A=x"], selected=True).n_kept == 400
    assert [p["parameter"] for p in doc["parameters"]] == ["a", "b"] and chart.stat().st_size > 1000
    assert main(["calibrate", str(coordination), "--observe", "outcome: A=y"]) == 0
    assert "400 of 400 points (100.0%) have some equilibrium matching" in capsys.readouterr().out


def test_calibrate_counts_fits_lambda(capsys):
    nfg = str(ROOT / "tests" / "data" / "gambit" / "2x2.nfg")
    assert main(["calibrate", nfg, "--counts", "Player 1=30,10", "--counts", "Player 2=12,28", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    # Gambit's logit_estimate gives 2.5738085728505466 (tests/test_logit_estimate.py checks it live).
    assert doc["lambda"] == pytest.approx(2.5738085728505466, rel=1e-5) and doc["players"] == ["Player 1", "Player 2"]


def test_refusals_are_one_line(coordination, capsys):
    nfg = str(ROOT / "tests" / "data" / "gambit" / "2x2.nfg")
    cases = [
        ([str(coordination)], "declares no [[observations]]"),
        ([str(coordination), "--observe", "payoff: A"], "must be an 'outcome:' or 'path:' condition"),
        ([str(coordination), "--observe", "outcome: A=z"], "A has no action 'z'"),
        ([str(coordination), "--observe", "A=x"], "must read KIND"),
        ([str(coordination), "--counts", "A=1,2"], "--counts fits a game's logit precision"),
        ([nfg], "give --counts"),
        ([nfg, "--counts", "Nobody=1,2"], "PLAYER one of"),
        ([nfg, "--counts", "Player 1=1,2,3"], "needs 2 numbers"),
        ([nfg, "--observe", "outcome: A=x"], "is not a folder"),
    ]
    for argv, message in cases:
        assert main(["calibrate", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err


def test_selected_rows_match_a_brute_force_pareto_rule(monkeypatch):
    # Random points with 0 to 5 equilibria of three players on small integer payoffs (many ties);
    # a tiny batch size forces selected_rows through several batches.
    import pandas as pd

    import analysis.indicators as indicators

    rng = np.random.default_rng(1)
    rows = []
    for p in range(1500):
        k = int(rng.integers(0, 6))
        if k == 0:
            rows.append((p, -1, np.nan, np.nan, np.nan))
        for e in range(k):
            rows.append((p, e, *rng.integers(0, 3, size=3).astype(float)))
    df = pd.DataFrame(rows, columns=["point_id", "eq_index", "payoff.A", "payoff.B", "payoff.C"])
    monkeypatch.setattr(indicators, "_PAIRS_PER_BATCH", 500)
    got = indicators.selected_rows(df)
    expected = np.zeros(len(df), dtype=bool)
    for _, g in df.groupby("point_id"):
        if g["eq_index"].iloc[0] < 0:
            continue
        pay = g[["payoff.A", "payoff.B", "payoff.C"]].to_numpy()
        for j in range(len(pay)):
            if not any((pay[f] >= pay[j]).all() and (pay[f] > pay[j]).any() for f in range(len(pay))):
                expected[g.index[j]] = True
                break
    assert np.array_equal(got, expected) and got.sum() == (df.groupby("point_id")["eq_index"].max() >= 0).sum()


def test_claims_there_contradict_an_observation_that_contradicts_them(baseline):
    # Three of the baseline's claims ask that the US drops the plan; where it keeps it, none holds.
    keep = calibrate(baseline, ["path: us_plan=keep"])
    assert keep.n_kept > 0
    shares = {c["claim"]: c for c in keep.claims}
    for claim in ("drop_buys_pressure", "halt_answers_drop", "us_thaw_brings_nato_thaw"):
        assert shares[claim]["after"] == 0.0 and shares[claim]["points_after"] == keep.n_kept
    # Over all points, a claim holds on a share that the kept and the other points make up.
    drop = calibrate(baseline, ["path: us_plan=drop"])
    both = {c["claim"]: c for c in drop.claims}["drop_buys_pressure"]
    assert both["before"] * 48 == pytest.approx(both["after"] * drop.n_kept)  # it holds only where the US drops


def test_without_observe_the_scenarios_observations_are_used(baseline, capsys):
    # The baseline declares what the article reports ([[observations]]: drop, halt, pressure);
    # the command then keeps exactly the points that --observe with the same three would keep.
    from analysis.calibration import scenario_observations
    from analysis.sources import load_sweep_source

    declared = scenario_observations(load_sweep_source(baseline))
    assert declared == ("path: us_plan=drop", "path: russia_kaliningrad=halt", "path: russia_iran=pressure")
    assert main(["calibrate", str(baseline), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    explicit = calibrate(baseline, list(declared))
    assert doc["observations"] == list(declared) and doc["kept"] == explicit.n_kept
    # The same points as the brute-force route of the drop alone intersected with the other two.
    drop = set(calibrate(baseline, ["path: us_plan=drop"]).kept.tolist())
    rest = set(calibrate(baseline, ["path: us_plan=drop, russia_kaliningrad=halt, russia_iran=pressure"]).kept.tolist())
    assert set(explicit.kept.tolist()) == rest <= drop


def test_calibrate_estimate_weights_fits_lambda_and_the_weight(capsys):
    # Counts generated at lambda = 1.5 and iran_sanction_fear = 3.5 on the simultaneous v1
    # baseline give both back, each inside its interval; an .nfg has no parameters to estimate.
    from analysis.loading import load_game
    from sim.solvers.logit import logit_solve

    path = ROOT / "tests" / "data" / "scenarios-v1" / "baseline-2009.toml"
    p = logit_solve(load_game(str(path), {"iran_sanction_fear": 3.5}), lam=1.5).equilibria[0].profile
    game = load_game(str(path), None)
    argv = ["calibrate", str(path), "--estimate-weights", "iran_sanction_fear", "--json"]
    for player, q in zip(game.players, p):
        argv += ["--counts", f"{player}=" + ",".join(f"{1000 * x:.9f}" for x in q)]
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    w = doc["weights"]["iran_sanction_fear"]
    assert doc["lambda"] == pytest.approx(1.5, abs=1e-3) and w["value"] == pytest.approx(3.5, abs=1e-3)
    assert doc["lambda_interval"][0] < 1.5 < doc["lambda_interval"][1] and w["interval"][0] < 3.5 < w["interval"][1]
    nfg = str(ROOT / "tests" / "data" / "gambit" / "2x2.nfg")
    assert main(["calibrate", nfg, "--counts", "Player 1=3,1", "--estimate-weights", "w"]) == 2
    assert "give a scenario .toml" in capsys.readouterr().err


def test_the_report_section_shows_the_calibrated_region(baseline, coordination):
    # The report's calibration section on the baseline sweep: the share kept and each parameter's
    # range are those of bargain calibrate with the scenario's observations; the claims table and
    # the chart (one panel per parameter) follow; a scenario without observations gets no section.
    from analysis.calibration import scenario_observations
    from analysis.report.document import Report
    from analysis.report.sections import SECTIONS
    from analysis.sources import load_sweep_source

    src = load_sweep_source(baseline)
    cal = calibrate(src, scenario_observations(src))
    report = Report("t")
    finding = SECTIONS["calibration"].build(report, src, tol=1e-6)
    kinds = [b.kind for b in report.blocks]
    assert kinds == ["h3", "p", "table", "table", "table", "chart"]
    assert f"at {cal.n_kept:,} of 48 points" in report.blocks[1].text and finding.startswith("out: what happened")
    shifts = {r[0]: r[1] for r in report.blocks[3].rows}
    assert shifts == {s.name: f"[{s.low:.4g}, {s.high:.4g}]" for s in cal.shifts}
    assert [r[0] for r in report.blocks[4].rows] == [c["claim"] for c in cal.claims]
    fig = report.blocks[5].figure
    assert len([ax for ax in fig.axes if ax.get_visible() and ax.has_data()]) == len(cal.shifts)
    empty = Report("t")
    assert SECTIONS["calibration"].build(empty, load_sweep_source(coordination), tol=1e-6) is None and not empty.blocks


def test_calibrate_counts_on_a_tree_fits_the_agent_lambda(capsys):
    # The founding baseline is a tree: counts at its named move us_plan (keep, drop, joint).
    # The estimate is the agent QRE's maximum-likelihood lambda: the likelihood of the counts on
    # the QRE solved afresh is highest there and has fallen by chi2_1(0.95) / 2 at the ends.
    from analysis.loading import load_game
    from sim.extensive.logit import agent_logit_solve
    from sim.extensive.logit_estimate import agent_log_likelihood

    baseline = str(ROOT / "scenarios" / "baseline-2009.toml")
    assert main(["calibrate", baseline, "--counts", "us_plan=2,9,1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["form"] == "agent" and doc["observed"]["us_plan"]["actions"] == ["keep", "drop", "joint"]
    game = load_game(baseline)

    def like(lam):
        return agent_log_likelihood({"us_plan": [2, 9, 1]}, agent_logit_solve(game, lam=lam).behaviour)

    lam, (lo, hi) = doc["lambda"], doc["interval"]
    assert like(lam) == pytest.approx(doc["log_likelihood"], abs=1e-9)
    assert like(0.98 * lam) < like(lam) > like(1.02 * lam)
    assert like(lo) == pytest.approx(doc["log_likelihood"] - 1.920729, abs=1e-5)
    assert like(hi) == pytest.approx(doc["log_likelihood"] - 1.920729, abs=1e-5)
    assert main(["calibrate", baseline, "--counts", "us_plan=2,9,1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("agent logit QRE precision fitted to 12 observed choices") and "us_plan  drop" in out


def test_tree_count_refusals_are_one_line(capsys):
    baseline = str(ROOT / "scenarios" / "baseline-2009.toml")
    cases = [
        (["--counts", "russia_iran=2,9"], "move 'russia_iran' is played at 6 information sets"),
        (["--counts", "nobody=2,9"], "counts must name an information set or a move"),
        (["--counts", "us_plan=2,9"], "must be 3 non-negative numbers"),
        (["--counts", "us_plan=2,x,1"], "counts must be numbers"),
        (["--counts", "us_plan=1,1,1", "--counts", "us_plan=1,1,1"], "gives us_plan twice"),
        (["--counts", "us_plan=1,1,1", "--estimate-weights", "us_iran_weight"], "on a tree only lambda"),
    ]
    for argv, message in cases:
        assert main(["calibrate", baseline, *argv]) == 2, argv
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
