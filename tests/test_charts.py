"""Charts are checked for what they show: axis labels, regions, bars, legend entries, the
highlighted path, threshold marks; and for what they must not do (save files, touch pyplot)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analysis import charts
from analysis.compare import (Setting, find_thresholds, outcome_frequencies, point_table, regime_key,
                              sensitivity)
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal
from sim.game import NormalFormGame
from sim.scenario import compile_scenario, loads_scenario
from sim.solvers import solve
from tests.test_compare import DIAGONAL_SCENARIO, write_toy_sweep


@pytest.fixture(scope="module")
def diagonal(tmp_path_factory):
    from analysis.sweep import read_results

    out, compiled = write_toy_sweep(tmp_path_factory.mktemp("charts"))
    return read_results(out), compiled


def test_regime_map_has_one_region_per_regime_and_named_axes(diagonal):
    df, _ = diagonal
    names = regime_key(point_table(df)["regime"].value_counts().index.tolist())
    fig = charts.regime_map(df, "a", "b", names=names)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")
    (mesh,) = charts.artists_with_gid(fig, "region")
    cells = np.asarray(mesh.get_array())
    # Drawn at twice the grid's resolution (so that a knife-edge cell can be split between its
    # neighbours); no tie here.
    assert cells.size == 4 * 7 * 3 and len(np.unique(cells)) == 2
    assert not charts.artists_with_gid(fig, "tie")
    # The legend names each regime by its equilibria, in the order R1, R2.
    assert charts.legend_labels(fig) == [f"{n}: {r}" for r, n in names.items()]
    # Cells are coloured by regime: x (regime of b > a) at a = 0, b = .25.
    assert names[point_table(df).query("`param.a` == 0 and `param.b` == 0.25")["regime"].item()] == \
        f"R{int(cells.reshape(6, 14)[0, 0]) + 1}"


def test_regime_map_refuses_an_unswept_parameter(diagonal):
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"regime_map\(\): the sweep has no parameter 'c'"):
        charts.regime_map(diagonal[0], "a", "c")


def test_along_parameter_marks_each_bisected_threshold(diagonal):
    df, compiled = diagonal
    thresholds = find_thresholds(df, compiled, tol=1e-9)
    fig = charts.along_parameter(df, "a", thresholds=thresholds)
    # One row per player: its payoff, then its actions' probabilities.
    a_pay, a_act, b_pay, b_act = fig.axes
    assert fig.get_supxlabel() == "a" and "A's payoff" in a_pay.get_ylabel() and "B's payoff" in b_pay.get_ylabel()
    assert "b = 0.55" in fig.get_suptitle()  # the slice drawn is stated
    # Three b lines cross at a = .25, .55, .8; the drawn line (b = .55) crosses at .55, marked on
    # every panel.
    marks = sorted({round(line.get_xdata()[0], 6) for line in charts.artists_with_gid(fig, "threshold")})
    assert marks == [0.55]
    assert len(charts.artists_with_gid(fig, "threshold")) == 4
    assert charts.legend_labels(fig) == [*df.filter(like="prob.A.").columns.str[7:], *df.filter(like="prob.B.").columns.str[7:]]
    # Without bisected thresholds the marks fall midway between grid points of the drawn line (b = .55).
    fig = charts.along_parameter(df, "a")
    marks = {round(line.get_xdata()[0], 6) for line in charts.artists_with_gid(fig, "threshold")}
    assert marks == {round((3 / 6 + 4 / 6) / 2, 6)}


def _top_down(ax) -> list[str]:
    """Y tick labels from the top of the axes down."""
    return [t.get_text() for _, t in sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda p: -p[0])]


def test_outcome_frequency_bars_carry_their_intervals(diagonal):
    df, _ = diagonal
    freqs = outcome_frequencies(df)
    fig = charts.outcome_frequency_chart(freqs)
    ax = fig.axes[0]
    bars = charts.artists_with_gid(fig, "bar")
    assert len(bars) == 2
    assert sorted(round(b.get_width(), 6) for b in bars) == sorted(round(f["share"], 6) for f in freqs)
    assert _top_down(ax) == [f["outcome"] for f in freqs]
    from matplotlib.container import ErrorbarContainer

    (container,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    (segments,) = [lc.get_segments() for lc in container.lines[2]]
    # One interval per bar, in the order given: from the Wilson low end to the high end.
    assert [tuple(np.round(seg[:, 0], 6)) for seg in segments] == \
        [(round(f["low"], 6), round(f["high"], 6)) for f in freqs]


def test_tornado_has_two_bars_per_parameter_in_rank_order():
    c = compile_scenario(loads_scenario(DIAGONAL_SCENARIO))
    sens = sensitivity(c)
    fig = charts.tornado_chart(sens)
    ax = fig.axes[0]
    assert len(charts.artists_with_gid(fig, "bar")) == 2 * 3
    assert _top_down(ax) == ["a", "b", "c"]
    assert charts.legend_labels(fig) == ["below the default", "above the default"]
    widths = sorted(round(abs(b.get_width()), 6) for b in charts.artists_with_gid(fig, "bar"))
    assert widths[-1] == round(sens[0]["flip_above"], 6)


def test_payoff_bars_one_per_player_present_in_each_setting():
    names = dict(players=("A", "B"), actions=(("x", "y"), ("x", "y")))
    g1 = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]], **names)   # 2 equilibria
    g2 = NormalFormGame.from_arrays([[1.0, 3.0]], [[0.0, 2.0]], players=("B", "C"),
                                    actions=(("z",), ("u", "v")))                  # 1 equilibrium
    fig = charts.payoff_bars([Setting("one", solve(g1, "enumpure")), Setting("two", solve(g2, "enumpure"))])
    bars = charts.artists_with_gid(fig, "bar")
    assert len(bars) == 2 * 2 + 2
    assert charts.legend_labels(fig) == ["A", "B", "C"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["one #1", "one #2", "two #1"]
    assert sorted(b.get_height() for b in bars) == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0]


def test_frontier_chart_marks_disagreement_and_every_solution():
    t = np.linspace(0, 1, 50)
    frontier = np.column_stack([t, 1 - t**2])
    fig = charts.frontier_chart(frontier, (0.0, 0.0), {"Nash": (0.577, 0.667), "Kalai-Smorodinsky": (0.618, 0.618)},
                                players=("NATO", "Russia"))
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("NATO") and ax.get_ylabel().startswith("Russia")
    assert charts.legend_labels(fig) == ["Pareto frontier", "disagreement point", "Nash", "Kalai-Smorodinsky"]
    assert len(charts.artists_with_gid(fig, "solution")) == 2


def _entry_with_chance():
    # Nature picks the incumbent's type; the entrant does not observe it (one information set).
    def incumbent(h, fight, acc):
        return Decision(1, h, ("fight", "accommodate"), (Terminal(fight), Terminal(acc)))

    return ExtensiveFormGame.from_root(("Entrant", "Incumbent"), Chance(("tough", "weak"), (0.5, 0.5), (
        Decision(0, "E", ("out", "in"), (Terminal((0.0, 2.0)), incumbent("It", (-1.0, 1.0), (1.0, 0.0)))),
        Decision(0, "E", ("out", "in"), (Terminal((0.0, 2.0)), incumbent("Iw", (-1.0, -1.0), (1.0, 1.0)))),
    )), title="Entry with types")


def test_tree_highlights_exactly_the_equilibrium_path():
    from sim.extensive.spe import spe_solve

    game = _entry_with_chance()
    behaviour = {"E": [0.0, 1.0], "It": [1.0, 0.0], "Iw": [0.0, 1.0]}
    fig = charts.tree_chart(game, behaviour)
    # Both chance branches, "in" under each, then fight (tough) and accommodate (weak): 6 edges.
    assert len(charts.artists_with_gid(fig, "equilibrium-path")) == 6
    # Staying out: chance branches plus "out" twice; the incumbent's choices are off the path.
    out = charts.tree_chart(game, {"E": [1.0, 0.0], "It": [1.0, 0.0], "Iw": [0.0, 1.0]})
    assert len(charts.artists_with_gid(out, "equilibrium-path")) == 4
    assert len(charts.artists_with_gid(charts.tree_chart(game), "equilibrium-path")) == 0
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"fight", "accommodate", "Entrant", "Incumbent", "chance", "(0, 2)"} <= texts
    # The subgame-perfect path of a perfect-information game has one edge per move on it.
    entry = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "e", ("out", "in"), (
        Terminal((0.0, 2.0)), Decision(1, "i", ("fight", "accommodate"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    eq = spe_solve(entry).equilibria[0]
    fig = charts.tree_chart(entry, eq.details["behaviour"])
    assert len(charts.artists_with_gid(fig, "equilibrium-path")) == len(eq.details["path"]) == 2


def test_qre_branch_has_a_line_per_action_and_lambda_axis():
    g = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Col"),
                                     actions=(("cooperate", "defect"), ("cooperate", "defect")))
    result = solve(g, "logit")
    fig = charts.qre_branch_chart(result)
    ax = fig.axes[0]
    assert charts.legend_labels(fig) == ["Row: cooperate", "Row: defect", "Col: cooperate", "Col: defect"]
    assert "lambda" in ax.get_xlabel() and ax.get_xscale() == "symlog"
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "Row: defect"]
    assert line.get_ydata()[0] == pytest.approx(0.5) and line.get_ydata()[-1] > 0.99


def test_palette_is_okabe_ito_and_figures_fit_a_page(diagonal):
    df, _ = diagonal
    assert set(charts.SERIES) < set(charts.OKABE_ITO)
    fig = charts.regime_map(df, "a", "b")
    w, h = fig.get_size_inches()
    assert w <= 7.0 and h <= 9.5


def test_charts_leave_pyplot_and_the_backend_alone(tmp_path):
    code = (
        "import sys, matplotlib\n"
        "before = matplotlib.get_backend() if 'matplotlib.pyplot' in sys.modules else None\n"
        "from analysis import charts\n"
        "fig = charts.tornado_chart([{'parameter': 'p', 'flip_below': 0.1, 'flip_above': 0.2}])\n"
        "svg = charts.figure_svg(fig)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert svg.startswith('<svg') and '<metadata>' not in svg\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(tmp_path),
                          env={"PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1]), "PATH": ""})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
    assert list(tmp_path.iterdir()) == []  # nothing saved


# ----- repeated play: the feasible and individually rational set ------------------------------------------
from hypothesis import given, settings  # noqa: E402

from sim.repeated import ir_polygon, repeated_analysis  # noqa: E402
from tests.strategies import bimatrix_games, games  # noqa: E402

PD_GAME = NormalFormGame.from_bimatrix([[3, 0], [5, 1]], [[3, 5], [0, 1]], players=("Row", "Column"),
                                       actions=(("C", "D"), ("C", "D")))


def _xy(artist):
    return np.column_stack([np.asarray(artist.get_xdata(), float), np.asarray(artist.get_ydata(), float)])


def test_feasible_ir_chart_of_the_prisoners_dilemma():
    # Fudenberg and Tirole (1991), Fig. 5.1: the IR part of the PD's feasible set, minmax (1, 1).
    fig = charts.feasible_ir_chart(repeated_analysis(PD_GAME, 0.6))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Row's payoff (payoff units)" and ax.get_ylabel() == "Column's payoff (payoff units)"
    (region,) = charts.artists_with_gid(fig, "region")
    np.testing.assert_allclose(region.get_xy()[:4], [[1, 1], [13 / 3, 1], [3, 3], [1, 13 / 3]], atol=1e-12)
    (mm,) = charts.artists_with_gid(fig, "minmax")
    np.testing.assert_allclose(_xy(mm), [[1, 1]])
    (eq,) = charts.artists_with_gid(fig, "equilibrium")
    np.testing.assert_allclose(_xy(eq), [[1, 1]])
    (target,) = charts.artists_with_gid(fig, "target")
    np.testing.assert_allclose(_xy(target), [[3, 3]])
    notes = [t.get_text() for t in ax.texts]
    assert notes == ["(C,C)\ngrim \u03b4\u22650.5, minmax \u03b4\u22650.5"]
    assert charts.legend_labels(fig) == ["feasible payoffs", "individually rational", "minmax point (mixed)",
                                         "stage Nash equilibrium", "target profile"]


@settings(max_examples=15, deadline=None)
@given(bimatrix_games(min_actions=1, max_actions=3))
def test_feasible_ir_chart_shades_exactly_the_folk_theorem_set(game):
    an = repeated_analysis(game, 0.9)
    fig = charts.feasible_ir_chart(an)
    region = charts.artists_with_gid(fig, "region")
    poly = an.feasible.polygon
    if len(poly) >= 3:
        (patch,) = region
        np.testing.assert_allclose(patch.get_xy()[: len(poly)], poly)
        assert np.all(patch.get_xy() >= an.minmax.values - 1e-9)
    assert len(charts.artists_with_gid(fig, "target")) == len(an.targets)
    assert len(charts.artists_with_gid(fig, "equilibrium")) == len(an.stage_equilibria)


@settings(max_examples=8, deadline=None)
@given(games(shape=(2, 2, 2)))
def test_feasible_ir_chart_projects_more_players_onto_the_chosen_pair(game):
    an = repeated_analysis(game, 0.9)
    fig = charts.feasible_ir_chart(an, players=(game.players[2], 0))
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith(f"{game.players[2]}'s payoff") and ax.get_ylabel().startswith(
        f"{game.players[0]}'s payoff")
    pts = game.payoffs.reshape(-1, 3)[:, [2, 0]]
    expected = ir_polygon(pts, an.minmax.values[[2, 0]])
    region = charts.artists_with_gid(fig, "region")
    if len(expected) >= 3:
        np.testing.assert_allclose(region[0].get_xy()[: len(expected)], expected)
        assert "individually rational (these two players)" in charts.legend_labels(fig)


def test_feasible_ir_chart_refuses_a_bad_pair():
    an = repeated_analysis(PD_GAME, 0.6)
    with pytest.raises(ValueError, match=r"feasible_ir_chart\(\): players must be two different players"):
        charts.feasible_ir_chart(an, players=("Row", "Row"))
    with pytest.raises(ValueError, match=r"feasible_ir_chart\(\): players must be two of \['Row', 'Column'\]"):
        charts.feasible_ir_chart(an, players=("Row", "Nobody"))


def test_chart_command_draws_the_repeated_chart_and_refuses_a_scenario_without_repeated(tmp_path, capsys):
    from pathlib import Path

    from analysis.cli import main

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "rep.svg"
    assert main(["chart", "repeated", str(root / "tests" / "data" / "scenarios-v1" / "precedent-2002.toml"), "--out", str(out)]) == 0
    text = out.read_text()
    assert text.lstrip().startswith("<?xml") and "NATO" in text and "Russia" in text
    assert main(["chart", "repeated", str(root / "tests" / "data" / "scenarios-v1" / "baseline-2009.toml"), "--out",
                 str(tmp_path / "x.svg")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no [repeated] table" in err[0]
    assert not (tmp_path / "x.svg").exists()


def test_region_map_set_fixes_the_slice_and_moves_the_boundary_as_the_rule_says(tmp_path, capsys):
    # baseline-2009: after a drop Russia presses iff isolation + anti_russia (0.65) + caucasus +
    # cascade (0.35) > iran_ties, so over (caucasus, iran_ties) the boundary above which Russia
    # shields Iran (and the US keeps the plan) meets caucasus = 0 at iran_ties = isolation + 1.
    from pathlib import Path

    from analysis.chart_kinds import make_chart
    from analysis.cli import main
    from analysis.sources import load_source

    root = Path(__file__).resolve().parent.parent
    src = load_source(str(root / "scenarios" / "baseline-2009.toml"))
    for isolation in (0.5, 1.25):
        fig = make_chart("region-map", [src], x="russia_caucasus_weight", y="russia_iran_ties",
                         fixed={"russia_isolation_weight": isolation, "iran_sanction_fear": 3.0})
        title = fig.axes[0].get_title()
        assert f"russia_isolation_weight = {isolation:g}," in title and "iran_sanction_fear = 3" in title
        keep = [r for r in charts.artists_with_gid(fig, "region")]
        lows = []
        for patch in keep:
            xy = patch.get_xy()
            on_edge = xy[np.isclose(xy[:, 0], 0.0), 1]
            if len(on_edge) and np.isclose(on_edge.max(), 5.0):  # the top-left region: keep
                lows.append(on_edge.min())
        assert lows and min(lows) == pytest.approx(isolation + 1.0, abs=1e-9)
    out = tmp_path / "map.svg"
    base = ["chart", "region-map", str(root / "scenarios" / "baseline-2009.toml"), "--x", "russia_caucasus_weight",
            "--y", "russia_iran_ties", "--out", str(out)]
    assert main([*base, "--set", "russia_isolation_weight=0.5", "--set", "iran_sanction_fear=3"]) == 0
    assert out.exists() and capsys.readouterr().out.startswith("chart: ")
    cases = [(["--set", "nope=1"], "unknown parameter"),
             (["--set", "iran_sanction_fear=9"], "within [0.0, 5.0] (got 9.0)"),
             (["--set", "iran_sanction_fear=x"], "value must be a number"),
             (["--set", "russia_iran_ties=1"], "russia_iran_ties is on an axis of the map"),
             (["--set", "iran_bomb_value=1", "--set", "iran_bomb_value=2"], "gives iran_bomb_value twice")]
    for extra, message in cases:
        try:
            code = main([*base, *extra])
        except SystemExit as exc:  # argparse's own refusal of a value it cannot read
            code = exc.code
        assert code == 2, extra
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert main(["chart", "tornado", str(root / "scenarios" / "baseline-2009.toml"), "--set", "iran_bomb_value=1",
                 "--out", str(out)]) == 2
    assert "--set applies to the chart kinds that draw a slice (region-map)" in capsys.readouterr().err
