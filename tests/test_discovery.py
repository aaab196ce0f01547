"""Scenario discovery: our PRIM against EMA Workbench's, the recovery of a known box, the ``--where``
condition syntax, and ``bargain discover``.

EMA Workbench (Kwakkel 2017) is the oracle: ``ema_workbench.analysis.prim.Prim`` runs on the same
data in a subprocess (it imports slowly, warns on import and brings pyplot and seaborn along), and
every box of its peeling and pasting trajectory must match ours: the same points, the same limits,
the same quasi-p-values.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from analysis.conditions import ConditionError, parse_condition, where
from analysis.discovery import DiscoveryError, discover, prim

ROOT = Path(__file__).resolve().parent.parent

# ----------------------------------------------------------------------------------------------
# data: synthetic boxes and a small sweep of the founding scenario


def _synthetic() -> dict[str, tuple[np.ndarray, np.ndarray, tuple[str, ...]]]:
    rng = np.random.default_rng(20090917)
    out = {}
    x = rng.uniform(0, 1, size=(2000, 3))
    out["box"] = (x, (x[:, 0] > 0.6) & (x[:, 2] < 0.5), ("a", "b", "c"))
    g = np.linspace(0, 1, 11)
    grid = np.array(np.meshgrid(g, g, g, indexing="ij")).reshape(3, -1).T  # ties everywhere
    out["grid"] = (grid, (grid[:, 0] + grid[:, 1] > 1.0) & (grid[:, 2] < 0.7), ("a", "b", "c"))
    x = rng.uniform(0, 1, size=(1000, 4))
    out["noisy"] = (x, (x[:, 1] > 0.3) & (rng.uniform(size=1000) < 0.9), ("a", "b", "c", "d"))  # pastes
    x = rng.uniform(0, 1, size=(800, 3))
    out["scattered"] = (x, rng.uniform(size=800) < 0.15, ("a", "b", "c"))  # no box reaches the threshold
    return out


SWEEP = """
[sweep]
scenario = "baseline-2009.toml"
methods = ["spe"]
seed = 7

[sweep.sample]
n = 256
design = "sobol"
russia_isolation_weight = { dist = "uniform", low = 0.0, high = 5.0 }
russia_iran_ties = { dist = "uniform", low = 0.0, high = 5.0 }
us_shield_value = { dist = "uniform", low = 0.0, high = 5.0 }
"""


@pytest.fixture(scope="module")
def baseline_sweep(tmp_path_factory) -> Path:
    """256 Sobol points of the sequential baseline (three parameters), run in this process."""
    from analysis.sweep import run_sweep

    base = tmp_path_factory.mktemp("sweep")
    shutil.copy(ROOT / "scenarios" / "baseline-2009.toml", base / "baseline-2009.toml")
    (base / "sweep.toml").write_text(SWEEP)
    run_sweep(base / "sweep.toml", base / "out", executor="inprocess")
    return base / "out"


@pytest.fixture(scope="module")
def datasets(baseline_sweep) -> dict:
    from analysis.sources import load_sweep_source

    out = _synthetic()
    src = load_sweep_source(baseline_sweep)
    for cond in ("path: russia_iran=pressure", "regime: R2"):
        d = discover(src.table, [cond], compiled=src.compiled)
        out[f"baseline {cond}"] = (np.asarray(d.x), np.asarray(d.y), d.names)
    return out


EMA_SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    import numpy as np, pandas as pd
    warnings.simplefilter("ignore")
    from ema_workbench.analysis import prim
    data = np.load(sys.argv[1], allow_pickle=False)
    out = {}
    for key in json.loads(str(data["keys"])):
        names = json.loads(str(data[key + "/names"]))
        x = pd.DataFrame(data[key + "/x"], columns=names)
        y = data[key + "/y"].astype(int)
        found = prim.Prim(x, y, threshold=float(data["threshold"])).find_box()
        # find_box's peeling and pasting, kept even when it ends below the threshold (find_box then
        # returns a fresh "dump box" without the trajectory).
        p = prim.Prim(x, y, threshold=float(data["threshold"]))
        p._update_yi_remaining(p)
        box = p._paste(p._peel(prim.PrimBox(p, p.box_init, p.yi_remaining[:])))
        pt = box.peeling_trajectory
        out[key] = {
            "n": pt["n"].astype(int).tolist(), "k": pt["k"].astype(int).tolist(),
            "coverage": pt["coverage"].tolist(), "density": pt["density"].tolist(),
            "mass": pt["mass"].tolist(), "res_dim": pt["res_dim"].astype(int).tolist(),
            "lower": [b.loc[0, names].astype(float).tolist() for b in box.box_lims],
            "upper": [b.loc[1, names].astype(float).tolist() for b in box.box_lims],
            "qp": [{k: [None if v == -1 else float(v) for v in vs] for k, vs in q.items()} for q in box.qp],
            "found": bool(box.mean >= p.threshold),
            "find_box": len(found.peeling_trajectory),
        }
    print(json.dumps(out))
""")

THRESHOLD = 0.8


@pytest.fixture(scope="module")
def ema(datasets, tmp_path_factory) -> dict:
    """EMA Workbench's PRIM on every dataset, in one subprocess (EMA warns on import: not here)."""
    import importlib.util

    if importlib.util.find_spec("ema_workbench") is None:  # found, not imported: it loads slowly and warns
        pytest.skip("ema_workbench is not installed (pip install -e .[test])")
    folder = tmp_path_factory.mktemp("ema")
    arrays = {"keys": json.dumps(list(datasets)), "threshold": THRESHOLD}
    for key, (x, y, names) in datasets.items():
        arrays.update({f"{key}/x": x, f"{key}/y": y, f"{key}/names": json.dumps(list(names))})
    np.savez(folder / "data.npz", **arrays)
    (folder / "ema_prim.py").write_text(EMA_SCRIPT)
    proc = subprocess.run([sys.executable, "-W", "ignore", str(folder / "ema_prim.py"), str(folder / "data.npz")],
                          cwd=folder, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ----------------------------------------------------------------------------------------------
# PRIM against EMA Workbench


@pytest.mark.slow
@pytest.mark.parametrize("key", ["box", "grid", "noisy", "scattered", "baseline path: russia_iran=pressure",
                                 "baseline regime: R2"])
def test_prim_trajectory_matches_ema_workbench(key, datasets, ema):
    x, y, names = datasets[key]
    ours, theirs = prim(x, y, names, threshold=THRESHOLD), ema[key]
    assert len(ours.points) == len(theirs["n"]) > 2
    assert ours.points.tolist() == theirs["n"]
    assert ours.cases.tolist() == theirs["k"]
    assert ours.restricted_dims.tolist() == theirs["res_dim"]
    np.testing.assert_allclose(ours.lower, theirs["lower"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(ours.upper, theirs["upper"], rtol=1e-12, atol=0)
    for column in ("coverage", "density", "mass"):
        np.testing.assert_allclose(getattr(ours, column), theirs[column], rtol=1e-12)
    for i, qp in enumerate(theirs["qp"]):  # quasi-p-values of every box on the trajectory
        mine = ours.quasi_p(i)
        assert set(mine) == set(qp), i
        for name, sides in qp.items():
            for a, b in zip(mine[name], sides):
                assert (a is None) == (b is None), (i, name)
                if a is not None:
                    assert a == pytest.approx(b, rel=1e-9, abs=1e-300), (i, name)
    # EMA keeps the last box when it meets the threshold (else a "dump box"); we choose along the
    # trajectory: a box is chosen exactly when EMA finds one, and it meets the threshold.
    assert (ours.chosen is not None) == theirs["found"]
    assert theirs["find_box"] == (len(theirs["n"]) if theirs["found"] else 1)
    if ours.chosen is not None:
        assert theirs["density"][ours.chosen] >= THRESHOLD


def test_the_comparison_covers_pasting_and_a_failed_search(datasets):
    """The oracle cases exercise both phases, boxes found and a search where no box reaches the threshold."""
    results = {key: prim(*datasets[key], threshold=THRESHOLD) for key in datasets}
    assert "paste" in results["noisy"].phase and "peel" in results["grid"].phase
    assert results["scattered"].chosen is None
    assert results["box"].chosen is not None and results["baseline path: russia_iran=pressure"].chosen is not None


# ----------------------------------------------------------------------------------------------
# a known box is recovered


@st.composite
def known_boxes(draw):
    d = draw(st.integers(2, 4))
    restricted = draw(st.lists(st.integers(0, d - 1), min_size=1, max_size=2, unique=True))
    lo, hi = np.zeros(d), np.ones(d)
    for j in restricted:
        width = draw(st.floats(0.5, 0.9))
        lo[j] = draw(st.floats(0.0, 1.0 - width))
        hi[j] = lo[j] + width
    seed = draw(st.integers(0, 2**31 - 1))
    return d, sorted(restricted), lo, hi, seed


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(known_boxes())
def test_prim_recovers_a_known_box(case):
    d, restricted, lo, hi, seed = case
    x = np.random.default_rng(seed).uniform(0, 1, size=(1500, d))
    y = ((x >= lo) & (x <= hi)).all(axis=1)
    r = prim(x, y, threshold=0.9)
    box = r.box()
    assert box.index == r.chosen
    assert {f"x{j}" for j in restricted} <= set(box.restricted)
    assert box.density >= 0.9 and box.coverage >= 0.85
    # Each limit within 0.1 of the truth (one peel removes 5% of the box's points).
    np.testing.assert_allclose(box.lower, np.maximum(lo, r.full_lower), atol=0.1)
    np.testing.assert_allclose(box.upper, np.minimum(hi, r.full_upper), atol=0.1)


def test_prim_edge_cases():
    x = np.linspace(0, 1, 50)[:, None]
    everywhere = prim(x, np.ones(50, bool))
    assert everywhere.chosen == 0 and everywhere.box().restricted == ()
    nowhere = prim(x, np.zeros(50, bool))
    assert nowhere.chosen is None and len(nowhere.points) == 1
    with pytest.raises(DiscoveryError, match="peel_alpha must lie in"):
        prim(x, np.ones(50, bool), peel_alpha=0.5)
    with pytest.raises(DiscoveryError, match="one value per row"):
        prim(x, np.ones(3, bool))
    with pytest.raises(DiscoveryError, match="boolean"):
        prim(x, np.full(50, 2))


# ----------------------------------------------------------------------------------------------
# conditions


@pytest.mark.parametrize("text, kind, terms", [
    ("outcome: Iran=halt", "outcome", (("Iran", "=", "halt"),)),
    ("OUTCOME :Iran = halt ,US=drop", "outcome", (("Iran", "=", "halt"), ("US", "=", "drop"))),
    ("outcome: Russia=deploy/*/shield/halt", "outcome", (("Russia", "=", "deploy/*/shield/halt"),)),
    ("path: Russia.russia_iran=pressure", "path", (("Russia.russia_iran", "=", "pressure"),)),
    ("regime: R3", "regime", (("R3", "=", ""),)),
    ("regime: US=drop, Iran=halt | US=keep", "regime", (("US=drop, Iran=halt | US=keep", "=", ""),)),
    ("payoff: US >= 0.5", "payoff", (("US", ">=", "0.5"),)),
    ("payoff: Player 1<-1e-3", "payoff", (("Player 1", "<", "-1e-3"),)),
    # Never evaluated: code is only a (missing) player's name.
    ("payoff: __import__('os') > 1", "payoff", (("__import__('os')", ">", "1"),)),
])
def test_parse_condition_reads_each_kind(text, kind, terms):
    c = parse_condition(text)
    assert (c.kind, c.terms, c.text) == (kind, terms, text)


@pytest.mark.parametrize("text, message", [
    ("Iran=halt", "expected KIND: BODY"),
    ("outcomes: Iran=halt", "expected KIND: BODY"),
    ("outcome:", "is empty"),
    ("outcome: Iran", r"expected PLAYER=ACTION\[, \.\.\.\]; got 'Iran'"),
    ("outcome: Iran=halt,", "got ''"),
    ("path: =pressure", "expected \\[PLAYER.\\]MOVE=ACTION"),
    ("payoff: US >= 1 + 1", "expected PLAYER OP NUMBER"),
    ("payoff: US == 1", "expected PLAYER OP NUMBER"),
    ("payoff: US > 1e999", "must be finite"),
])
def test_parse_condition_names_the_bad_condition(text, message):
    with pytest.raises(ConditionError, match=message) as info:
        parse_condition(text)
    assert str(info.value).startswith(f"--where {text!r}: ")
    assert "\n" not in str(info.value)


def test_conditions_on_a_tree_agree_with_each_other(baseline_sweep):
    from analysis.compare import regime_table
    from analysis.sources import load_sweep_source

    src = load_sweep_source(baseline_sweep)

    def at(*conds, **kw):
        return where(src.table, list(conds), compiled=src.compiled, **kw)[1]

    # The US moves first: its strategy and its move on the path are the same thing.
    assert (at("outcome: US=drop") == at("path: us_plan=drop")).all()
    assert (at("path: US.us_plan=drop") == at("path: us_plan=drop")).all()
    # Iran halts on the path only where Russia has pressed first (Iran moves after that).
    halts, presses = at("outcome: Iran=halt"), at("path: Russia.russia_iran=pressure")
    assert halts.any() and not (halts & ~presses).any()
    # A whole strategy, as the sweep names it, is read from the sweep's own column (on the path or not).
    strategy = "halt/halt/halt/halt/halt/halt"
    column = src.table.groupby("point_id")[f"prob.Iran.{strategy}"].max().to_numpy() > 0
    assert (at(f"outcome: Iran={strategy}") == column).all() and (column & ~halts).any()
    # Conjunction in one equilibrium; spe gives one per point, so --all changes nothing.
    both = at("outcome: US=drop, Iran=halt")
    assert (both == (at("outcome: US=drop") & halts)).all()
    assert (at("outcome: US=drop", "outcome: Iran=halt") == both).all()  # several conditions: all hold
    assert (at("outcome: Iran=halt", every=True) == halts).all()
    # Regimes by short name, in compare's order, and by label.
    table = regime_table(src.table)
    r1 = at("regime: R1")
    assert r1.sum() == table[0]["points"]
    assert (at(f"regime: {table[0]['regime']}") == r1).all()
    pay = src.table.groupby("point_id")["payoff.US"].first().to_numpy()
    assert (at("payoff: US >= 3") == (pay >= 3)).all()


@pytest.mark.parametrize("cond, message", [
    ("outcome: Putin=halt", "no player 'Putin'; it has US, Russia, NATO, Iran"),
    ("outcome: Iran=hal", "Iran has no action 'hal' on any of its moves; its moves' actions are halt, proceed"),
    ("path: us_plan=dro", "move 'us_plan' has no action 'dro'; it has drop, joint, keep"),
    ("path: NATO.us_plan=drop", "move 'us_plan' is US's, not NATO's"),
    ("path: nato_plan=drop", "the scenario has no move 'nato_plan'"),
    ("regime: R99", "no regime 'R99'; it has"),
    ("payoff: Putin > 1", "no player 'Putin'"),
])
def test_conditions_name_what_the_sweep_lacks(baseline_sweep, cond, message):
    from analysis.sources import load_sweep_source

    src = load_sweep_source(baseline_sweep)
    with pytest.raises(ConditionError, match=message):
        where(src.table, [cond], compiled=src.compiled)


def test_some_and_every_equilibrium_on_a_simultaneous_sweep(tmp_path):
    """A simultaneous scenario with several pure equilibria per point: --all is stricter than some."""
    from analysis.sweep import read_results, run_sweep

    shutil.copy(ROOT / "tests/data/scenarios-v1/baseline-2009.toml", tmp_path / "baseline-2009.toml")
    (tmp_path / "grid.toml").write_text(
        '[sweep]\nscenario = "baseline-2009.toml"\nmethods = ["enumpure"]\nseed = 1\n[sweep.grid]\n'
        'russia_isolation_weight = { start = 0.0, stop = 5.0, num = 9 }\n'
        'us_shield_deterrence = { start = 0.0, stop = 5.0, num = 9 }\n')
    run_sweep(tmp_path / "grid.toml", tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    players = sorted({c.split(".")[1] for c in df.columns if c.startswith("prob.")})
    player = players[0]
    action = next(c.split(".", 2)[2] for c in df.columns if c.startswith(f"prob.{player}."))
    cond = f"outcome: {player}={action}"
    _, some = where(df, [cond])
    _, every = where(df, [cond], every=True)
    assert not (every & ~some).any() and (some & ~every).any()
    with pytest.raises(ConditionError, match="sequential scenario's tree"):
        where(df, [f"path: x={action}"])


# ----------------------------------------------------------------------------------------------
# the command line


def test_discover_prints_the_box(baseline_sweep, capsys):
    assert main(["discover", str(baseline_sweep), "--where", "outcome: Iran=halt", "--scenario",
                 str(baseline_sweep.parent / "baseline-2009.toml")]) == 0
    out = capsys.readouterr().out
    assert "chosen box #" in out and "quasi-p (lower, upper)" in out and "<- chosen" in out


def test_discover_json_shape(baseline_sweep, capsys, tmp_path):
    chart = tmp_path / "tradeoff.svg"
    assert main(["discover", str(baseline_sweep), "--where", "path: russia_iran=pressure", "--json",
                 "--chart", str(chart)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"version", "folder", "scenario", "where", "all", "solver", "method", "parameters", "ranges", "points",
            "cases", "share", "threshold", "prim", "charts"} <= set(doc)
    assert doc["points"] == 256 and doc["solver"] == "spe" and doc["method"] == "prim"
    p = doc["prim"]
    assert len(p["trajectory"]) > 1 and p["trajectory"][0]["coverage"] == 1.0
    box = p["box"]
    assert box["index"] == p["chosen"] and box["density"] >= doc["threshold"]
    for r in box["restricted"]:
        assert set(r) == {"parameter", "lower", "upper", "full", "quasi_p"}
        assert r["full"] == doc["ranges"][r["parameter"]]
    assert doc["charts"] == [str(chart), str(tmp_path / "tradeoff-box.svg")]
    assert chart.read_text().lstrip().startswith("<?xml") and (tmp_path / "tradeoff-box.svg").is_file()
    assert p["selected"] is None
    assert main(["discover", str(baseline_sweep), "--where", "path: russia_iran=pressure", "--json", "--box", "1"]) == 0
    picked = json.loads(capsys.readouterr().out)["prim"]
    assert (picked["chosen"], picked["selected"], picked["box"]["index"]) == (p["chosen"], 1, 1)
    assert picked["box"]["coverage"] == picked["trajectory"][1]["coverage"]
    assert main(["discover", str(baseline_sweep), "--where", "regime: R1", "--method", "cart", "--json"]) == 0
    cart = json.loads(capsys.readouterr().out)["cart"]
    assert cart["depth"] == 3 and cart["rules"] and set(cart["importances"]) == set(doc["parameters"])


@pytest.mark.parametrize("argv, message", [
    (["--where", "outcome Iran=halt"], "--where 'outcome Iran=halt': expected KIND: BODY"),
    (["--where", "outcome: Iran=hal"], "--where 'outcome: Iran=hal': Iran has no action 'hal'"),
    (["--where", "regime: R1", "--threshold", "1.5"], "--threshold must lie in (0, 1]; got 1.5"),
    (["--where", "regime: R1", "--solver", "enumpure"], "no results of method 'enumpure'"),
    (["--where", "regime: R1", "--chart", "x.txt"], "--chart must end in .png, .svg or .pdf"),
    (["--where", "regime: R1", "--box", "999"], "--box must be a box of the trajectory, 0 to"),
    (["--where", "regime: R1", "--box", "1", "--method", "cart"], "--box picks a PRIM box"),
])
def test_discover_errors_are_one_line_and_exit_2(baseline_sweep, capsys, argv, message):
    assert main(["discover", str(baseline_sweep), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bargain discover: error: ") and message in err
    assert err.count("\n") == 1


def test_discover_refuses_a_folder_without_a_sweep(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--where", "regime: R1"]) == 2
    assert "is not a sweep output folder" in capsys.readouterr().err


def test_a_sweep_report_locates_its_commonest_regime(baseline_sweep):
    from analysis.report import build_report
    from analysis.sources import load_sweep_source

    src = load_sweep_source(baseline_sweep)
    report = build_report([src], logit=False)
    d = discover(src.table, ["regime: R1"], compiled=src.compiled)
    box = d.prim.box()
    (name, label), = d.regimes  # R1 described by its plays
    assert name == "R1" and " -> " in label and "/" not in label
    findings = [b.text for b in report.blocks if b.kind == "p" and "the commonest regime, R1" in str(b.text)]
    assert findings == [f"out: the commonest regime, R1 ({label}), holds at {box.density:.0%} of the points of the box "
                        + " and ".join(f"{n} in [{lo:.3g}, {hi:.3g}]" for n, (lo, hi) in box.limits().items())
                        + f", which holds {box.coverage:.0%} of R1's points (PRIM)."]
    names = [c.name for c in report.charts]
    assert names[names.index("out-prim-tradeoff") + 1] == "out-prim-box"
