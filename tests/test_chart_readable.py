"""Every chart kind, for a simultaneous and a sequential scenario: what a reader sees without the
analyst. Legends name outcomes or paths of play (never counts), a slice of a sweep over more than
two parameters is stated, knife-edge ties are lines, axes carry the parameters' descriptions and
units, and no text is clipped. A kind that cannot draw a scenario says precisely why."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analysis import charts
from analysis.chart_kinds import CHART_KINDS, make_chart
from analysis.sources import load_source
from sim.errors import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
SIMULTANEOUS = ROOT / "tests" / "data" / "scenarios-v1" / "precedent-2002.toml"  # has [bargaining] and [repeated]
SEQUENTIAL = ROOT / "scenarios" / "baseline-2009.toml"


def assert_nothing_clipped(fig):
    """Every visible, non-empty text artist lies inside the figure once drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    # Tick labels of ticks outside an axis's view are kept by matplotlib but never drawn.
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not ax.axison or not lo - 1e-9 * max(1, abs(hi - lo)) <= tick.get_loc() <= hi + 1e-9 * max(1, abs(hi - lo)):
                    undrawn |= {id(tick.label1), id(tick.label2)}
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent"))
             if t.get_visible() and str(t.get_text()).strip() and id(t) not in undrawn]
    assert texts
    for t in texts:
        e = t.get_window_extent(renderer)
        assert (e.x0 >= box.x0 - 1 and e.y0 >= box.y0 - 1 and e.x1 <= box.x1 + 1 and e.y1 <= box.y1 + 1), \
            f"clipped: {t.get_text()!r} at {e} outside {box}"


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """A simultaneous sweep (the toy diagonal, three parameters) and a sequential one (the baseline,
    three parameters, 5 x 5 x 3 points), run in process."""
    from analysis.sweep import run_sweep
    from tests.test_compare import DIAGONAL_SCENARIO, write_toy_sweep

    tmp = tmp_path_factory.mktemp("readable")
    sim_out, _ = write_toy_sweep(tmp, DIAGONAL_SCENARIO, grid={"a": np.linspace(0, 1, 7), "b": [0.25, 0.55, 0.8],
                                                               "c": [0.0, 0.5, 1.0]})
    shutil.copy(SEQUENTIAL, tmp / SEQUENTIAL.name)
    (tmp / "seq.toml").write_text(
        '[sweep]\nscenario = "baseline-2009.toml"\nmethods = ["spe"]\nseed = 1\n\n[sweep.grid]\n'
        "russia_isolation_weight = { start = 0.05, stop = 4.8, num = 5 }\n"
        "russia_iran_ties = { start = 0.17, stop = 4.92, num = 5 }\n"
        "us_shield_value = { start = 1.0, stop = 4.5, num = 3 }\n")
    seq_out = tmp / "seq-out"
    run_sweep(tmp / "seq.toml", seq_out, executor="inprocess")
    return {"simultaneous": load_source(str(sim_out)), "sequential": load_source(str(seq_out))}


# The sensitivity chart needs a Saltelli or Morris design, which these grid sweeps are not: it must
# say so (below); tests/test_sensitivity.py draws it on such a design.
SWEEP_KINDS = [k for k, v in CHART_KINDS.items() if v.needs == "sweep" and k != "sensitivity"] + ["tornado"]
SCENARIO_KINDS = [k for k, v in CHART_KINDS.items() if v.needs == "scenario"]


@pytest.mark.parametrize("which", ["simultaneous", "sequential"])
@pytest.mark.parametrize("kind", SWEEP_KINDS)
def test_every_sweep_chart_kind_draws_both_kinds_of_scenario_unclipped(sweeps, kind, which):
    fig = make_chart(kind, [sweeps[which]])
    assert_nothing_clipped(fig)


@pytest.mark.parametrize("which", ["simultaneous", "sequential"])
def test_the_sensitivity_chart_says_why_a_grid_cannot_have_it(sweeps, which):
    with pytest.raises(ValueError, match="a grid does not support sobol indices"):
        make_chart("sensitivity", [sweeps[which]])


def test_regime_map_of_a_tree_names_regimes_by_their_paths_and_states_the_slice(sweeps):
    fig = make_chart("regime-map", [sweeps["sequential"]])
    labels = charts.legend_labels(fig)
    assert [lab.split(":")[0] for lab in labels] == [f"R{k}" for k in range(1, len(labels) + 1)]
    flat = [lab.replace("\n", " ") for lab in labels]
    assert any("US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt" in lab for lab in flat)
    assert not any("equilibri" in lab or "/" in lab for lab in flat)  # no counts, no reduced strategies
    assert "slice: us_shield_value = 2.75" in fig.axes[0].get_title()
    # Axes: the parameters' descriptions, with their names.
    assert "Russia's gain from being inside NATO's decisions" in fig.axes[0].get_xlabel().replace("\n", " ")
    assert fig.axes[0].get_ylabel().replace("\n", " ").endswith("[russia_iran_ties]")


def test_regime_map_of_a_simultaneous_sweep_names_outcomes(sweeps):
    fig = make_chart("regime-map", [sweeps["simultaneous"]])
    labels = charts.legend_labels(fig)
    assert labels and all("A=" in lab and "B=" in lab for lab in labels)
    assert "slice: c = 0.5" in fig.axes[0].get_title()


def test_knife_edge_tie_is_a_line_between_its_neighbours():
    import pandas as pd

    xs, ys = np.arange(5.0), np.arange(3.0)
    rows = []
    for k, (x, y) in enumerate((x, y) for y in ys for x in xs):
        regime = "L" if x < 2 else ("R" if x > 2 else "L | R")
        rows.append({"point_id": k, "param.x": x, "param.y": y, "eq_index": 0, "regime": regime})
    df = pd.DataFrame(rows)
    fig = charts.regime_map(df, "x", "y", names={"L": "R1", "R": "R2", "L | R": "R3"})
    (mesh,) = charts.artists_with_gid(fig, "region")
    cells = np.asarray(mesh.get_array()).reshape(6, 10)
    assert set(np.unique(cells)) == {0.0, 1.0}  # no band of the tie regime
    assert (cells[:, 4] == 0).all() and (cells[:, 5] == 1).all()  # the tie column split between neighbours
    ties = charts.artists_with_gid(fig, "tie")
    assert len(ties) == 3 and all(list(t.get_xdata()) == [2.0, 2.0] for t in ties)
    assert charts.legend_labels(fig) == ["R1: L", "R2: R", "R3: knife edge: R1 and R2 tie"]


def test_along_a_tree_sweep_shows_every_player_and_the_path(sweeps):
    fig = make_chart("along", [sweeps["sequential"]])
    ylabels = [ax.get_ylabel() for ax in fig.axes]
    for p in ("US", "Russia", "NATO", "Iran"):
        assert f"{p}'s payoff" in ylabels
    assert "path of play" in ylabels
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[-1].get_yticklabels()]
    assert "US keep -> Russia deploy -> Russia shield" in ticks
    assert "slice:" in fig.get_suptitle()


def test_frequency_labels_of_a_tree_sweep_are_distinct_paths(sweeps):
    fig = make_chart("frequencies", [sweeps["sequential"]])
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == len(set(ticks)) >= 2
    assert not any(t.endswith("\u2026") for t in ticks)


def test_frequency_labels_drop_what_every_outcome_shares():
    rows = [{"outcome": "US=drop, Russia=press, Iran=halt", "share": 0.6, "low": 0.5, "high": 0.7},
            {"outcome": "US=drop, Russia=shield, Iran=proceed", "share": 0.4, "low": 0.3, "high": 0.5}]
    fig = charts.outcome_frequency_chart(rows)
    # Bottom to top: the most frequent outcome is drawn first, at the top.
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Russia=shield, Iran=proceed",
                                                                      "Russia=press, Iran=halt"][::-1]
    assert "every outcome: US=drop" in fig.axes[0].get_title()
    assert_nothing_clipped(fig)


def test_tornado_of_a_tree_sweep_ranks_parameters_by_description(sweeps):
    fig = make_chart("tornado", [sweeps["sequential"]])
    ticks = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    assert any(t.endswith("[russia_iran_ties]") and "shielding Iran" in t for t in ticks)
    assert len(charts.artists_with_gid(fig, "bar")) == 2 * len(ticks)


@pytest.mark.parametrize("path", [SIMULTANEOUS, SEQUENTIAL], ids=["simultaneous", "sequential"])
@pytest.mark.parametrize("kind", SCENARIO_KINDS)
def test_every_scenario_chart_kind_draws_or_says_why_not(kind, path):
    source = load_source(str(path), ("spe",) if path == SEQUENTIAL else ("enumpure",))
    try:
        fig = make_chart(kind, [source])
    except (ScenarioError, ValueError) as exc:
        why = str(exc)
        expected = {"tree": "needs a sequential scenario", "qre": "needs a simultaneous-move scenario",
                    "frontier": "[bargaining]", "repeated": "[repeated]"}
        assert kind in expected and expected[kind] in why, why
        return
    assert_nothing_clipped(fig)


def test_the_palette_is_the_same_okabe_ito_series_in_every_kind(sweeps):
    fig = make_chart("regime-map", [sweeps["sequential"]])
    (mesh,) = charts.artists_with_gid(fig, "region")
    from matplotlib.colors import to_hex

    used = {to_hex(mesh.cmap(k)) for k in range(mesh.cmap.N)}
    assert used <= {c.lower() for c in charts.OKABE_ITO}


def test_parameter_labels_carry_description_and_unit():
    from sim.scenario import dump_scenario, loads_scenario
    from tests.test_compare import TOY_SCENARIO

    text = TOY_SCENARIO.replace('a = { default = 0.2, min = 0, max = 1 }',
                                'a = { default = 0.2, min = 0, max = 1, description = "value of y", unit = "euro" }')
    s = loads_scenario(text)
    assert s.parameter("a").unit == "euro"
    assert charts.parameter_labels(s) == {"a": "value of y (euro) [a]"}
    assert loads_scenario(dump_scenario(s)) == s


def test_compare_of_a_tree_sweep_names_regimes_by_paths(sweeps, capsys):
    from analysis.cli import main

    assert main(["compare", str(sweeps["sequential"].path)]) == 0
    out = capsys.readouterr().out
    assert "         - US keep -> Russia deploy -> Russia shield" in out
    assert "US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt" in out
    import re

    body = out.split("\n", 1)[1]  # below the line naming the folder
    assert "Russia=" not in body and not re.search(r"\w/[\w*]+/", body)  # no reduced strategies
