"""Sweeps of game trees with several moves per player: tied points (solved one by one) are named
like the others, and a tree too large for its reduced normal form is named by its path."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.sweep import read_results, run_sweep
from tests.test_sweep import CHANCE_TREE, _normalised

DATA = Path(__file__).resolve().parent / "data" / "sweeps"
SCENARIO = (DATA / "two-moves-tie.toml").read_text()
#: ties = 1.0 = isolation is Russia's tie after a drop (and after keep); 0.5 and 1.5 are not tied.
GRID = {"ties": "[0.5, 1.0, 1.5]", "shield_value": "[0.25, 2.0]"}


@pytest.fixture(autouse=True)
def _fresh_models():
    """The sweep caches compiled scenarios per process; tests here change how they are named."""
    from analysis.sweep.run import scenario_model

    scenario_model.cache_clear()
    yield
    scenario_model.cache_clear()


def _sweep(tmp_path, name, text, grid, monkeypatch, batched=True, tag=""):
    import analysis.sweep.run as run

    (tmp_path / f"{name}.toml").write_text(text)
    sweep = tmp_path / f"{name}-sweep.toml"
    sweep.write_text(f'[sweep]\nscenario = "{name}.toml"\nmethods = ["spe"]\nseed = 1\nchunk_size = 4\n'
                     "[sweep.grid]\n" + "".join(f"{k} = {v}\n" for k, v in grid.items()))
    monkeypatch.setattr(run, "_SPE_BATCHED", batched)
    out = tmp_path / f"out-{name}-{batched}{tag}"
    run.scenario_model.cache_clear()
    run_sweep(sweep, out, executor="inprocess")
    return read_results(out)


def _no_reduced_view(monkeypatch):
    """What spe_solve does on a tree whose reduced normal form exceeds its view limit (10^6
    entries): equilibria hold only a behaviour profile, no profile over reduced strategies."""
    import sim.extensive.spe as spe

    monkeypatch.setattr(spe, "has_reduced_view", lambda flat, limit=None: False)


def _too_large_to_name(monkeypatch):
    """What the sweep meets on a tree whose reduced normal form exceeds the builder's limit (and
    so spe's smaller view limit too)."""
    import sim.extensive.reduced as reduced

    monkeypatch.setattr(reduced, "MAX_ENTRIES", 1)
    _no_reduced_view(monkeypatch)


def test_a_grid_through_a_tie_gives_rows_for_every_point_named_by_reduced_strategies(tmp_path, monkeypatch):
    _no_reduced_view(monkeypatch)
    df = _sweep(tmp_path, "tie", SCENARIO, GRID, monkeypatch)
    assert sorted(df["point_id"].unique()) == list(range(6))
    first = df.groupby("point_id")["n_equilibria"].first()
    tied = df.groupby("point_id")["param.ties"].first() == 1.0
    assert (first[tied] > 1).all() and (first[~tied] == 1).all()
    for label in df["outcome"].astype(str):
        assert re.fullmatch(r"US=\w+, Russia=[\w/*]+, NATO=[\w/*]+", label), label
    # each row's probabilities are a pure reduced profile: one strategy per player
    for p in ("US", "Russia", "NATO"):
        cols = [c for c in df.columns if c.startswith(f"prob.{p}.")]
        assert np.allclose(df[cols].sum(axis=1), 1.0) and set(np.unique(df[cols])) <= {0.0, 1.0}
    # the same rows as with the reduced normal form built (where the tie rows were named before)
    monkeypatch.undo()
    reference = _sweep(tmp_path, "tie", SCENARIO, GRID, monkeypatch, tag="-reference")
    keep = [c for c in reference.columns if c != "max_regret"]
    pd.testing.assert_frame_equal(_normalised(df)[keep], _normalised(reference)[keep])


@pytest.mark.parametrize("text, grid, players", [
    (SCENARIO, GRID, ("US", "Russia", "NATO")),
    (CHANCE_TREE, {"p_rain": "[0.0, 0.3, 1.0]", "indoor": "[0.0, 1.0, 2.5]", "company": "[1.0]"}, ("A", "B")),
])
def test_a_tree_too_large_for_its_reduced_normal_form_is_named_by_its_path(tmp_path, monkeypatch, text, grid,
                                                                           players):
    _too_large_to_name(monkeypatch)
    df = _sweep(tmp_path, "path", text, grid, monkeypatch, batched=True)
    reference = _sweep(tmp_path, "path", text, grid, monkeypatch, batched=False)
    pd.testing.assert_frame_equal(_normalised(df), _normalised(reference), check_exact=False, atol=1e-12)
    n_points = int(np.prod([len(v.strip("[]").split(",")) for v in grid.values()]))
    assert sorted(df["point_id"].unique()) == list(range(n_points))
    probs = [c for c in df.columns if c.startswith("prob.")]
    assert {c.split(".")[1] for c in probs} == set(players)
    assert all("=" in c.split(".", 2)[2] for c in probs)  # prob.<player>.<move>=<action>
    assert ((df[probs] >= -1e-12) & (df[probs] <= 1 + 1e-12)).all().all()
    for label in df["outcome"].astype(str):
        assert re.fullmatch(r"\w+=[\w|]+(, \w+=[\w|]+)*", label), label


def test_path_names_at_a_tie_and_off_it(tmp_path, monkeypatch):
    from sim.scenario import compile_scenario, loads_scenario
    from sim.solvers import solve

    _too_large_to_name(monkeypatch)
    df = _sweep(tmp_path, "path", SCENARIO, GRID, monkeypatch)
    compiled = compile_scenario(loads_scenario(SCENARIO))
    for pid, group in df.groupby("point_id"):
        row = group.iloc[0]
        result = solve(compiled.game({"ties": row["param.ties"], "shield_value": row["param.shield_value"]}), "spe")
        assert len(group) == len(result.equilibria)
        np.testing.assert_allclose(group[["payoff.US", "payoff.Russia", "payoff.NATO"]].to_numpy(),
                                   [e.payoffs for e in result.equilibria])
    point = df[(df["param.ties"] == 0.5) & (df["param.shield_value"] == 0.25)]
    assert point["outcome"].astype(str).tolist() == ["us_plan=keep, r_kaliningrad=halt, r_iran=press, NATO=engage"]
    assert point["prob.Russia.r_iran=press"].tolist() == [1.0] and point["prob.Russia.r_iran=shield"].tolist() == [0.0]
    tie = df[(df["param.ties"] == 1.0) & (df["param.shield_value"] == 0.25)]
    assert len(tie) > 1 and tie["regime"].nunique() == 1
    assert " | " in str(tie["regime"].iloc[0])
