"""One payoff scale and one tie rule: a sweep row and ``bargain solve`` at the same point agree.

Round-number grids hit ties often (Russia is indifferent at ``russia_iran_ties = 3``, Iran at
``iran_bomb_value = 3``), and a tie is exactly where two routes with different scales or
different roundings would disagree. The sweep's batched ``enumpure`` rows, its per-point
``enummixed``-style rows and ``bargain solve --json`` must list the same equilibria with the same
payoffs at every point.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis.cli import main
from analysis.sweep import read_results, run_sweep
from sim.game import NormalFormGame, player_scales
from sim.solvers.pure import enumpure_solve, pure_equilibrium_mask

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests
BASELINE = V1 / "baseline-2009.toml"


def _solve_json(capsys, path, point: dict) -> dict:
    argv = ["solve", str(path), "--json", "-m", "enumpure"]
    for k, v in point.items():
        argv += ["--set", f"{k}={v!r}"]
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.slow
def test_sweep_rows_equal_solve_json_on_a_tie_heavy_grid(tmp_path, capsys):
    scen = tmp_path / BASELINE.name
    shutil.copy(BASELINE, scen)
    grid = {"russia_iran_ties": [1.5, 2.5, 3.0, 3.5], "iran_bomb_value": [2.0, 3.0, 4.0],
            "kaliningrad_counter": [0.0, 1.5, 3.0]}
    lines = ["[sweep]", f'scenario = "{scen.name}"', 'methods = ["enumpure"]', "seed = 1", "chunk_size = 7",
             "", "[sweep.grid]"]
    lines += [f"{k} = {v!r}" for k, v in grid.items()]
    sweep = tmp_path / "ties.toml"
    sweep.write_text("\n".join(lines) + "\n")
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    players = ["US", "NATO", "Russia", "Iran"]
    params = [c for c in df.columns if c.startswith("param.")]
    n_tied = 0
    for pid, rows in df.groupby("point_id"):
        point = {c[len("param."):]: float(rows[c].iloc[0]) for c in params}
        doc = _solve_json(capsys, scen, point)
        eqs = doc["results"][0]["equilibria"]
        got = {tuple(next(a for a, p in e["profile"][q].items() if p == 1.0) for q in players):
               ([e["payoffs"][q] for q in players], e["max_regret"]) for e in eqs}
        rows = rows[rows["eq_index"] >= 0]
        want = {}
        for _, r in rows.iterrows():
            acts = tuple(next(a.split(".", 2)[2] for a in df.columns
                              if a.startswith(f"prob.{q}.") and r[a] == 1.0) for q in players)
            want[acts] = ([r[f"payoff.{q}"] for q in players], r["max_regret"])
        assert got.keys() == want.keys(), point
        for k in got:  # the same floats, not merely close ones
            assert got[k][0] == want[k][0], (point, k)
            assert got[k][1] == pytest.approx(want[k][1], abs=1e-12)
        n_tied += int(len(eqs) > 1)
    assert n_tied > 0  # the grid does hit several equilibria at once


def _brute_force(payoffs: np.ndarray, tol: float = 1e-9) -> set:
    """Nash's definition, profile by profile, with the documented scale (each player's spread)."""
    n = payoffs.shape[-1]
    scale = [float(payoffs[..., i].max() - payoffs[..., i].min()) for i in range(n)]
    out = set()
    for a in np.ndindex(*payoffs.shape[:-1]):
        ok = True
        for i in range(n):
            dev = [payoffs[a[:i] + (k,) + a[i + 1:]][i] for k in range(payoffs.shape[i])]
            ok &= payoffs[a][i] >= max(dev) - tol * scale[i]
        if ok:
            out.add(tuple(int(x) for x in a))
    return out


@settings(max_examples=100, deadline=None)
@given(base=hnp.arrays(np.int8, (3, 2, 3, 2), elements=st.integers(-3, 3)),
       offset=st.sampled_from([0.0, 1e3, -1e6]), factor=st.sampled_from([1.0, 1e-3, 7.0, 1e5]),
       nudge=st.sampled_from([0.0, 3e-10, 2e-9]), big=st.booleans())
def test_batch_mask_and_enumpure_solve_follow_one_rule(base, offset, factor, nudge, big):
    """Tie-heavy games (small integers), shifted, scaled and nudged by less or more than the
    tolerance: the batch mask (NumPy route for small batches, the compiled kernel for big ones),
    ``enumpure_solve`` game by game and Nash's definition with each player's spread as that
    player's scale all agree.
    A route with another scale (the largest absolute payoff, as sweeps once used) fails on the
    shifted games, where a gain of 2e-9 of the spread is a tie for it and not for the others."""
    payoffs = base.astype(float) * factor + offset
    payoffs[:, 0, 0, 0] += nudge * player_scales(payoffs)[:, 0]  # a near-tie of a known size
    batch = np.tile(payoffs, (150, 1, 1, 1)) if big else payoffs  # > 4096 entries: compiled route
    mask = pure_equilibrium_mask(batch)
    for b in range(len(payoffs)):
        want = _brute_force(payoffs[b])
        assert set(zip(*map(lambda x: x.tolist(), np.nonzero(mask[b])))) == want
        assert {e.pure_profile for e in enumpure_solve(NormalFormGame.from_payoffs(payoffs[b])).equilibria} == want
