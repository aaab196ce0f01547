"""Exact equilibrium regions (sim/regions.py): membership against the solvers, the founding
baseline's cooperative region, exact shares against a dense grid, the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError, SolverError
from sim.extensive.spe import spe_solve
from sim.regions import Inequality, equilibrium_regions, region_membership
from sim.scenario import compile_scenario, load_scenario, parse_scenario
from sim.scenario.load import loads_scenario
from sim.solvers.pure import pure_equilibrium_mask
from tests.strategies import parametric_scenario_docs, scenario_docs

ROOT = Path(__file__).resolve().parent.parent
V1_BASELINE = ROOT / "tests" / "data" / "scenarios-v1" / "baseline-2009.toml"
BASELINE = ROOT / "scenarios" / "baseline-2009.toml"


def _perfect_information(doc: dict) -> dict:
    """The document with every player move observing every earlier move (a perfect-information tree)."""
    if doc["scenario"]["timing"] == "simultaneous":
        return doc
    seen = []
    for move in doc["scenario"]["timing"]:
        if "player" in move:
            move["observes"] = list(seen)
            seen.append(move["player"])
        else:
            seen.append(move["chance"])
    return doc


def _near_boundary(result, compiled, point, rel=1e-6) -> bool:
    """Whether the point is within ``rel`` (of the payoffs' scale or size) of some region's boundary."""
    from sim.game import payoff_scales

    names = compiled.parameter_names
    payoffs = compiled.payoffs(point[None])
    # Rounding is relative to the payoffs' size, not their spread: a gap of 1e-14 between payoffs
    # near 1 is a tie to the solvers even where it is the player's whole spread.
    scale = max(float(payoff_scales(payoffs)[0]), float(np.abs(payoffs).max()))
    x = point[[names.index(n) for n in result.parameters]]
    prods = [tuple(result.parameters.index(n) for n in t.split("*")) for t in result.nonlinear_terms]
    phi = np.concatenate([[1.0], x, [x[a] * x[b] for a, b in prods]])
    for r in result.regions:
        rows = np.asarray(r.rows)
        if len(rows) and np.any(np.abs(rows @ phi) < rel * scale * np.maximum(1, np.abs(rows).max(axis=1))):
            return True
    return False


def _check_membership(doc, data, **options):
    compiled = compile_scenario(parse_scenario(_perfect_information(doc)))
    try:
        result = equilibrium_regions(compiled, seed=0, max_regions=200, **options)
    except SolverError as exc:  # a mover indifferent everywhere at many nodes: thousands of profiles
        assert "more than 200 " in str(exc)
        assume(False)
    if result.exact and len(result.parameters) <= 2:  # exact shares: no reported region is empty
        assert all(r.share > 0 for r in result.regions), result.format_text()
    names = compiled.parameter_names
    checked = 0
    for _ in range(6):
        point = np.array(compiled.defaults, dtype=float)
        for n, lo, hi in zip(result.parameters, result.lower, result.upper):
            point[names.index(n)] = data.draw(st.floats(lo, hi, allow_nan=False), label=n)
        x = point[[names.index(n) for n in result.parameters]]
        # the box's faces are boundaries too: a region that is only a face (a tie on it) is dropped
        if np.any(np.minimum(x - result.lower, np.subtract(result.upper, x)) < 1e-6) or \
                _near_boundary(result, compiled, point):
            continue
        checked += 1
        inside = region_membership(result, compiled, point[None])[0]
        overrides = dict(zip(names, point.tolist()))
        if compiled.sequential:
            spe = spe_solve(compiled.game(overrides))
            want = sorted(tuple(sorted(dict(e.details["choices"]).items())) for e in spe.equilibria)
            got = sorted(tuple(sorted(r.strategy.items())) for r, ok in zip(result.regions, inside) if ok)
        else:
            mask = pure_equilibrium_mask(compiled.payoffs(point[None]))[0]
            want = sorted(tuple(compiled.labels[i][a] for i, a in enumerate(idx)) for idx in np.argwhere(mask))
            got = sorted(tuple(r.profile[p] for p in compiled.players) for r, ok in zip(result.regions, inside) if ok)
        assert got == want, (point, result.format_text())
    assume(checked)


SLOW = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=40, **SLOW)
@given(doc=parametric_scenario_docs(), data=st.data())
def test_region_membership_is_the_solvers_pure_equilibria(doc, data):
    """Two parameters in every payoff, products included; one sample, so that emptiness and
    redundancy are decided by the linear programs rather than by sampled certificates."""
    _check_membership(doc, data, samples=1)


@settings(max_examples=15, **SLOW)
@given(doc=scenario_docs(), data=st.data())
def test_region_membership_holds_on_any_generated_scenario(doc, data):
    _check_membership(doc, data, samples=64)


def test_the_v1_baselines_cooperative_region_is_the_hand_analysis():
    """The issue's hand analysis: cooperation holds exactly when russia_caucasus_weight >
    russia_iran_ties and iran_sanction_fear > iran_bomb_value (>= here: ties count)."""
    result = equilibrium_regions(compile_scenario(load_scenario(V1_BASELINE)))
    coop = next(r for r in result.regions
                if dict(r.profile) == {"US": "drop_shield", "NATO": "engage", "Russia": "pressure_halt", "Iran": "halt"})
    assert coop.words() == ("holds exactly when russia_caucasus_weight >= russia_iran_ties and "
                            "iran_sanction_fear >= iran_bomb_value")
    assert [q.to_dict() for q in coop.inequalities] == [
        {"coefficients": {"russia_caucasus_weight": 1.0, "russia_iran_ties": -1.0}, "constant": 0.0, "strict": False},
        {"coefficients": {"iran_bomb_value": -1.0, "iran_sanction_fear": 1.0}, "constant": 0.0, "strict": False},
    ]
    assert (coop.share, coop.share_method) == (0.25, "exact")  # two independent halves of [0, 5]^2


def test_the_rebuilt_baselines_cooperative_path_holds_at_the_defaults():
    """The rebuilt baseline, varying Iran's two weights and Russia's isolation goal against its ties
    with Iran: the region of the profile played at the defaults is the file header's key
    inequalities at the other defaults: Iran halts under joint pressure (sanction_fear >=
    bomb_value), Russia presses after a drop (isolation + 0.65 + 0.55 + 0.35 >= iran_ties), and
    refuses a joint system (0.75 * 3.1 - 1.2 >= isolation + 1.55 - iran_ties), so the US drops."""
    compiled = compile_scenario(load_scenario(BASELINE))
    vary = ["iran_sanction_fear", "iran_bomb_value", "russia_iran_ties", "russia_isolation_weight"]
    result = equilibrium_regions(compiled, vary=vary)
    assert result.exact and result.kind == "spe"
    inside = region_membership(result, compiled, np.asarray(compiled.defaults)[None])[0]
    (coop,) = [r for r, ok in zip(result.regions, inside) if ok]
    assert coop.path == (("us_plan", "drop"), ("russia_kaliningrad", "halt"), ("russia_iran", "pressure"),
                         ("NATO", "engage"), ("Iran", "halt"))
    assert coop.words() == ("holds exactly when iran_sanction_fear >= iran_bomb_value and "
                            "russia_isolation_weight >= russia_iran_ties - 1.55 and "
                            "russia_iran_ties >= russia_isolation_weight + 0.425")
    (drop,) = [p for p in result.paths if p.path == coop.path]
    assert drop.share_method == "exact" and 0 < drop.share < 1


THREE = """
[scenario]
id = "three"
title = "Three parameters"
timing = "simultaneous"
[parameters]
a = { default = 1, min = 0, max = 2 }
b = { default = 1, min = 0, max = 3 }
c = { default = 1, min = -1, max = 1 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["x", "y"]
[[goals]]
player = "A"
name = "g"
weight = 1
rules = [{ when = { A = "x" }, value = "a" }, { when = { A = "y" }, value = "b" }, { when = { A = "y", B = "y" }, value = -0.5 }]
[[goals]]
player = "B"
name = "h"
weight = 1
rules = [{ when = { B = "x" }, value = "c" }, { when = { B = "y", A = "x" }, value = 0.25 }]
"""


def test_exact_shares_match_a_dense_grid():
    compiled = compile_scenario(loads_scenario(THREE))
    result = equilibrium_regions(compiled)
    assert all(r.share_method == "exact" for r in result.regions)
    # a dense grid of cell midpoints over the box
    n = 40
    axes = [lo + (np.arange(n) + 0.5) / n * (hi - lo) for lo, hi in zip(result.lower, result.upper)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    inside = region_membership(result, compiled, grid)
    mask = pure_equilibrium_mask(compiled.payoffs(grid)).reshape(len(grid), -1)
    for j, r in enumerate(result.regions):
        assert abs(inside[:, j].mean() - r.share) < 0.02, r.label
        k = np.ravel_multi_index(tuple(compiled.labels[i].index(r.profile[p]) for i, p in enumerate(compiled.players)),
                                 compiled.outcome_shape)
        assert abs(mask[:, k].mean() - r.share) < 0.02, r.label


def test_sampled_shares_have_an_interval_holding_the_grid_share():
    compiled = compile_scenario(loads_scenario(THREE.replace('weight = 1\nrules = [{ when = { B = "x" }, value = "c" }',
                                                        'weight = "a"\nrules = [{ when = { B = "x" }, value = "c" }')))
    result = equilibrium_regions(compiled, samples=4000, seed=1)
    assert result.nonlinear_terms == ("a*c",) and not result.exact
    n = 40
    axes = [lo + (np.arange(n) + 0.5) / n * (hi - lo) for lo, hi in zip(result.lower, result.upper)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    inside = region_membership(result, compiled, grid)
    for j, r in enumerate(result.regions):
        if r.share_method == "sampled":
            lo, hi = r.share_interval
            assert lo - 0.02 <= inside[:, j].mean() <= hi + 0.02, r.label
    assert "a*c" in result.format_text()


def test_the_json_form_follows_the_contract():
    result = equilibrium_regions(compile_scenario(load_scenario(V1_BASELINE)))
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["scenario"] == "baseline-2009"
    assert doc["parameters"] == list(result.parameters)
    for region in doc["regions"]:
        assert set(region["profile"]) == {"US", "NATO", "Russia", "Iran"}
        assert 0 <= region["share_interval"][0] <= region["share"] <= region["share_interval"][1] <= 1
        for q in region["inequalities"]:
            assert set(q) == {"coefficients", "constant", "strict"}
            assert set(q["coefficients"]) <= set(doc["parameters"])
            assert q["strict"] is False


def test_a_trees_json_names_the_path_and_the_strategy():
    result = equilibrium_regions(compile_scenario(load_scenario(BASELINE)), vary=["iran_sanction_fear", "iran_bomb_value"])
    doc = result.to_dict()
    (region,) = [r for r in doc["regions"] if r["path"][0]["action"] == "drop"]
    assert "profile" not in region
    assert region["words"] == "holds exactly when iran_sanction_fear >= iran_bomb_value"
    assert region["path"][0] == {"move": "us_plan", "action": "drop"}
    assert region["strategy"]["us_plan"] == "drop"


def test_words_put_positive_terms_on_the_left():
    q = Inequality({"a": 2.0, "b": -4.0}, -1.0)
    assert q.words() == "a >= 2*b + 0.5"
    assert Inequality({"a": 1.0, "b": 1.0}, -3.0).words() == "a + b >= 3"
    assert Inequality({"a": 1.0}, 0.5).words() == "a >= -0.5"
    assert Inequality({"a": -1.0}, 2.0).words() == "a <= 2"
    assert Inequality({"a": 1.0, "b": -1.0}, 0.0, strict=True).words() == "a > b"


def test_bad_parameters_are_refused_by_name():
    compiled = compile_scenario(load_scenario(V1_BASELINE))
    with pytest.raises(ScenarioError, match="unknown parameter.*'nope'"):
        equilibrium_regions(compiled, vary=["nope"])
    with pytest.raises(ScenarioError, match="both varied and set"):
        equilibrium_regions(compiled, vary=["iran_bomb_value"], fixed={"iran_bomb_value": 1.0})
    with pytest.raises(SolverError, match="samples must be at least 1"):
        equilibrium_regions(compiled, samples=0)


# ----- imperfect information: subgame-perfect profiles and Nash of the reduced normal form -------

def _brute_pure_profiles(game, concept, scale, tol=1e-9):
    """Every full pure profile (one action per information set) that is a Nash equilibrium of
    every subgame (``"spe"``) or of the whole game (``"nash"``), by enumeration: the definition,
    with none of the truncation or reduced strategies of sim/regions.py."""
    import itertools

    from sim.extensive.spe import _subtree_infosets
    from sim.extensive.tree import Chance, Terminal

    sets = game.infosets
    names = list(sets)
    roots = _subtree_infosets(game.root, game.infoset_sizes)
    subgames = [n for _, n in game.nodes() if not isinstance(n, Terminal) and roots[id(n)]]
    if concept == "nash":
        subgames = [game.root]

    def value(node, prof):
        if isinstance(node, Terminal):
            return np.asarray(node.payoffs, dtype=float)
        if isinstance(node, Chance):
            return sum(p * value(c, prof) for p, c in zip(node.probs, node.children))
        return value(node.children[node.actions.index(prof[node.infoset])], prof)

    def own_sets(node, i, out):
        if isinstance(node, Terminal):
            return out
        if not isinstance(node, Chance) and node.player == i and node.infoset not in out:
            out.append(node.infoset)
        for c in node.children:
            own_sets(c, i, out)
        return out

    found = []
    for combo in itertools.product(*(sets[h][1] for h in names)):
        prof = dict(zip(names, combo))
        ok = True
        for r in subgames:
            v = value(r, prof)
            for i in range(game.n_players):
                mine = own_sets(r, i, [])
                for dev in itertools.product(*(sets[h][1] for h in mine)):
                    if value(r, {**prof, **dict(zip(mine, dev))})[i] > v[i] + tol * scale:
                        ok = False
                        break
                if not ok:
                    break
            if not ok:
                break
        if ok:
            found.append(tuple(combo))
    return sorted(found), names


def _expand(strategy, game, names):
    """The full profiles a region's strategy stands for (each ``*`` any action of its set)."""
    import itertools

    choices = [game.infosets[h][1] if strategy[h] == "*" else (strategy[h],) for h in names]
    return set(itertools.product(*choices))


def _check_imperfect(doc, data, concept):
    compiled = compile_scenario(parse_scenario(doc))
    game0 = compiled.game(None)
    n_profiles = int(np.prod([len(a) for _, a in game0.infosets.values()]))
    assume(n_profiles <= 512)
    try:
        result = equilibrium_regions(compiled, seed=0, max_regions=200, samples=64, concept=concept)
    except SolverError as exc:
        assert "more than 200 " in str(exc) or "at most 200 " in str(exc)
        assume(False)
    if not result.parameters:
        assume(False)
    names = compiled.parameter_names
    checked = 0
    for _ in range(4):
        point = np.array(compiled.defaults, dtype=float)
        for n, lo, hi in zip(result.parameters, result.lower, result.upper):
            point[names.index(n)] = data.draw(st.floats(lo, hi, allow_nan=False), label=n)
        x = point[[names.index(n) for n in result.parameters]]
        if np.any(np.minimum(x - result.lower, np.subtract(result.upper, x)) < 1e-6) or \
                _near_boundary(result, compiled, point):
            continue
        checked += 1
        inside = region_membership(result, compiled, point[None])[0]
        game = compiled.game(dict(zip(names, point.tolist())))
        from sim.game import payoff_scales

        scale = float(payoff_scales(compiled.payoffs(point[None]))[0])  # the tie rule's scale
        want, order = _brute_pure_profiles(game, concept, scale)
        got = set()
        for r, ok in zip(result.regions, inside):
            if ok:
                more = _expand(r.strategy, game, order)
                assert not more & got, "two regions stand for the same profile"
                got |= more
        assert sorted(got) == want, (point, result.format_text())
        paths = {p.path for p in result.paths for k in p.regions if inside[k]}
        assert paths == {r.path for r, ok in zip(result.regions, inside) if ok}
    assume(checked)


@st.composite
def _imperfect_docs(draw):
    """Two bounded parameters in the payoffs (as parametric_scenario_docs) on a sequential timing
    where each mover sees a random subset of the earlier moves (often imperfect information)."""
    from tests.strategies import parametric_scenario_docs

    doc = draw(parametric_scenario_docs())
    assume(doc["scenario"]["timing"] != "simultaneous")
    seen = []
    for move in doc["scenario"]["timing"]:
        if "player" in move:
            move["observes"] = [m for m in seen if draw(st.booleans())]
            seen.append(move["player"])
        else:
            seen.append(move["chance"])
    return doc


@settings(max_examples=40, **SLOW)
@given(doc=_imperfect_docs(), data=st.data())
def test_imperfect_information_regions_are_the_pure_subgame_perfect_profiles(doc, data):
    _check_imperfect(doc, data, "spe")


@settings(max_examples=25, **SLOW)
@given(doc=_imperfect_docs(), data=st.data())
def test_reduced_normal_form_nash_regions_are_the_pure_nash_profiles(doc, data):
    _check_imperfect(doc, data, "nash")


BLIND = {"scenario": {"id": "blind", "title": "blind", "timing": [{"player": "A"}, {"player": "B"}]},
         "parameters": {"p": {"default": 0.0, "min": -1.0, "max": 1.0}},
         "players": {"A": {"actions": ["x", "y"]}, "B": {"actions": ["x", "y"]}},
         "goals": [{"player": "A", "name": "g", "weight": 1, "rules": [{"when": {"A": "x", "B": "x"}, "value": 1.0}]},
                   {"player": "B", "name": "g", "weight": "p", "rules": [{"when": {"A": "x", "B": "x"}, "value": 1.0}]}]}


def test_a_blind_second_mover_gives_the_simultaneous_games_regions():
    # B does not see A: the tree is the 2x2 game A: [[1, 0], [0, 0]], B: [[p, 0], [0, 0]]. By hand:
    # (y, y) everywhere (both indifferent), (x, x) where p >= 0, (x, y) where p <= 0; (y, x) never.
    result = equilibrium_regions(compile_scenario(parse_scenario(BLIND)))
    assert result.kind == "spe"
    got = {r.label: (r.words(), r.share) for r in result.regions}
    assert got == {"A y -> B y": ("holds everywhere in the box", 1.0), "A x -> B x": ("holds exactly when p >= 0", 0.5),
                   "A x -> B y": ("holds exactly when p <= 0", 0.5)}
    doc = json.loads(json.dumps(result.to_dict()))
    assert {"play", "path", "strategy", "inequalities", "share"} <= set(doc["regions"][0]) and doc["paths"]
    assert {r["play"] for r in doc["regions"]} == set(got) and {p["play"] for p in doc["paths"]} == set(got)
    with pytest.raises(SolverError, match="concept must be"):
        equilibrium_regions(compile_scenario(parse_scenario(BLIND)), concept="pbe")


def test_subgame_perfection_removes_an_incredible_threat_that_nash_keeps():
    # Entry with a simultaneous pricing stage after entry (a proper subgame with imperfect
    # information): E enters or stays out (0); after entry E and I pick soft/hard at once; hard
    # costs both. I threatens hard: out + hard is Nash of the whole game wherever hard would hurt
    # E, but not subgame perfect, since in the subgame (soft, soft) is I's best reply to soft.
    text = """
[scenario]
id = "entry_price"
title = "Entry, then a price war or not"
timing = [{ player = "E", name = "enter" }, { player = "E", name = "price", observes = ["enter"], when = { enter = "in" } },
          { player = "I", observes = ["enter"], when = { enter = "in" } }]
[parameters]
gain = { default = 1, min = 0, max = 2 }
[players.E]
actions = ["in", "out", "soft", "hard"]
[players.I]
actions = ["soft", "hard"]
[[goals]]
player = "E"
name = "profit"
weight = 1
rules = [{ when = { enter = "in", I = "soft" }, value = "gain" }, { when = { enter = "in", I = "hard" }, value = -1 }]
[[goals]]
player = "I"
name = "profit"
weight = 1
rules = [{ when = { enter = "in", I = "soft" }, value = 1 }, { when = { enter = "in", I = "hard" }, value = 0 },
         { when = { enter = "out" }, value = 2 }]
"""
    try:
        compiled = compile_scenario(loads_scenario(text))
    except ScenarioError:
        pytest.skip("the timing language does not take this form")
    spe = equilibrium_regions(compiled)
    nash = equilibrium_regions(compiled, concept="nash")
    spe_paths = {p.label for p in spe.paths}
    nash_paths = {p.label for p in nash.paths}
    assert "E out" in nash_paths and "E out" not in spe_paths


def test_the_region_map_names_each_region_and_states_the_slice():
    from analysis import charts

    compiled = compile_scenario(load_scenario(V1_BASELINE))
    result = equilibrium_regions(compiled, vary=["iran_sanction_fear", "iran_bomb_value", "russia_iran_ties"])
    fig = charts.region_map(result, "iran_sanction_fear", "iran_bomb_value", at={"russia_iran_ties": 1.0})
    labels = charts.legend_labels(fig)
    assert "50% of the plane: US=drop_shield, NATO=engage, Russia=pressure_halt, Iran=halt" in labels
    assert "50% of the plane: US=drop_shield, NATO=engage, Russia=pressure_halt, Iran=proceed" in labels
    assert labels[-1] == "several equilibria (overlap)"
    title = fig.axes[0].get_title()
    assert "slice: russia_iran_ties = 1," in title and "russia_caucasus_weight = 1.5" in title
    assert len(charts.artists_with_gid(fig, "overlap")) >= 1
    # the region's boundary is the line sanction_fear = bomb_value, drawn exactly
    coop = [a for a in charts.artists_with_gid(fig, "region")]
    assert any(sorted(map(tuple, np.round(p.get_xy()[:-1], 9).tolist())) == [(0.0, 0.0), (5.0, 0.0), (5.0, 5.0)]
               for p in coop)
    with pytest.raises(ScenarioError, match="missing \\['russia_iran_ties'\\]"):
        charts.region_map(result, "iran_sanction_fear", "iran_bomb_value")


def test_the_region_map_kind_draws_a_scenario():
    from analysis.chart_kinds import CHART_KINDS

    assert CHART_KINDS["region-map"].needs == "scenario"


def test_the_command_prints_json_and_refuses_bad_input_in_one_line(capsys):
    from analysis.cli import main

    assert main(["regions", str(V1_BASELINE), "--json", "--vary", "iran_sanction_fear", "iran_bomb_value"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["parameters"] == ["iran_sanction_fear", "iran_bomb_value"]
    assert {"profile", "inequalities", "share", "share_interval"} <= set(doc["regions"][0])
    assert main(["regions", str(V1_BASELINE), "--vary", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown parameter" in err and "'nope'" in err
    assert main(["regions", str(V1_BASELINE), "--set", "iran_bomb_value=9"]) == 2
    assert "within [0.0, 5.0] (got 9.0)" in capsys.readouterr().err


def test_the_region_map_draws_a_product_of_its_axes_on_a_grid_and_says_so():
    from analysis import charts

    compiled = compile_scenario(loads_scenario(THREE.replace('weight = 1\nrules = [{ when = { B = "x" }, value = "c" }',
                                                             'weight = "a"\nrules = [{ when = { B = "x" }, value = "c" }')))
    result = equilibrium_regions(compiled, samples=2000)
    fig = charts.region_map(result, "a", "c", at={"b": 1.0})
    assert "drawn on a 300 x 300 grid" in fig.axes[0].get_title()
    assert charts.artists_with_gid(fig, "region")


def test_the_report_lists_the_regions_in_words():
    from analysis.report.document import Report
    from analysis.report.sections import SECTIONS
    from analysis.sources import load_source

    report = Report("t")
    SECTIONS["regions"].build(report, load_source(V1_BASELINE), tol=1e-6)
    assert [b.text for b in report.blocks][0] == "Equilibrium regions"
    (table,) = [b for b in report.blocks if b.kind == "table"]
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows["US=drop_shield, NATO=engage, Russia=pressure_halt, Iran=halt"] == [
        "15.0%", "russia_iran_ties <= 1.5 and iran_sanction_fear >= iran_bomb_value"]
    assert "flagged as assumptions" in report.blocks[1].text  # 0.3 (ties <= 1.5 in [0, 5]) * 0.5


def test_the_kaliningrad_signal_regions_are_the_headers_inequality(capsys):
    # The founding signalling game (imperfect information: NATO sees only the message). Its header:
    # the hedger deploys in the separating equilibrium iff hedger_missile_value > russia_isolation_weight;
    # on the other side both types halt (pooling, NATO engages after a halt: p_partner 0.45 > 0.407).
    from analysis.cli import main

    path = ROOT / "scenarios" / "kaliningrad-signal.toml"
    assert main(["regions", str(path), "--vary", "hedger_missile_value", "russia_isolation_weight", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {tuple(s["action"] for s in r["path"]): (r["words"], r["share"]) for r in doc["regions"]}
    assert got == {("partner", "hedger", "halt", "engage", "halt", "engage"):
                   ("holds exactly when russia_isolation_weight >= hedger_missile_value", 0.5),
                   ("partner", "hedger", "halt", "engage", "deploy", "isolate"):
                   ("holds exactly when hedger_missile_value >= russia_isolation_weight", 0.5)}
    # with a prior above 0.519 NATO engages a deploying Russia: pooling on the deploy joins, where
    # a partner's isolation outweighs its 0.4 cost of missiles (a Nash threat off the path)
    result = equilibrium_regions(compile_scenario(load_scenario(path)), vary=["hedger_missile_value",
                                                                              "russia_isolation_weight"],
                                 fixed={"p_partner": 0.6}, concept="nash")
    pool = next(r for r in result.regions if r.path[2:] == (("Russia", "deploy"), ("NATO", "engage"),
                                                              ("Russia", "deploy"), ("NATO", "engage")))
    assert pool.words() == "holds exactly when russia_isolation_weight >= 0.4" and pool.share == pytest.approx(0.9)


def _mapped(compiled, scale: float, shift: float):
    """``compiled`` with every payoff ``u`` replaced by ``scale * u + shift`` (the same equilibria
    at every point): the tensor scaled, and one constant term added."""
    import dataclasses

    T = np.asarray(compiled.tensor, dtype=float)
    return dataclasses.replace(compiled, monomials=np.vstack([compiled.monomials, [[0, 0]]]),
                               tensor=np.vstack([scale * T, np.full((1, T.shape[1]), shift)]))


def _region_verdicts(result):
    return ([(r.label, r.share_method, round(r.share, 9), r.confirmed) for r in result.regions],
            [(o.first, o.second, round(o.share, 9)) for o in result.overlaps])


#: Positive affine maps of the payoffs: tiny and huge scales, large offsets (at most 1e6 times
#: the scale, so that the payoffs' differences survive in floating point).
AFFINE_MAPS = [(1e-6, 0.0), (1e-12, 0.0), (1e-13, 1e-12), (1e-6, 1.0), (1.0, 1e6), (1e6, -3.0), (1e3, 1e6)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(parametric_scenario_docs(max_players=2, max_actions=2), st.sampled_from(AFFINE_MAPS))
def test_regions_do_not_depend_on_the_payoff_units(doc, affine):
    # u -> a u + b (a > 0) changes no equilibrium at any point: a constant inequality (a payoff
    # difference that no parameter moves) is judged on the game's payoff scale, not on its own
    # size with a floor of 1 (which read -1e-12 as a tie at a 1e-12 scale, a strict loss at 1).
    compiled = compile_scenario(parse_scenario(_perfect_information(doc)))
    try:
        want = equilibrium_regions(compiled, seed=0, samples=2000, max_regions=200)
    except SolverError as exc:
        assert "more than 200 " in str(exc) or "at most 200 " in str(exc)
        assume(False)
    got = equilibrium_regions(_mapped(compiled, *affine), seed=0, samples=2000, max_regions=200)
    assert _region_verdicts(got) == _region_verdicts(want), (got.format_text(), want.format_text())


def test_a_tiny_coefficient_on_a_huge_parameter_box_is_not_a_constant_row():
    # A's gain from y over x is 1e-12 * t - 5 with t in [0, 1e13]: from -5 to 5 over the box, so
    # A plays y on half of it. The coefficient (1e-12 payoff per unit of t) is small only in t's
    # units; a row is constant when its variation over the box is, not its coefficients.
    text = """
[scenario]
id = "huge-box"
title = "A huge parameter box"
timing = "simultaneous"
[parameters]
t = { default = 1, min = 0, max = 1e13 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["x", "y"]
[[goals]]
player = "A"
name = "base"
weight = 1
rules = [{ when = { A = "x" }, value = 5 }, { when = { B = "y" }, value = 1 }]
[[goals]]
player = "A"
name = "growth"
weight = 1e-12
rules = [{ when = { A = "y" }, value = "t" }]
[[goals]]
player = "B"
name = "h"
weight = 1
rules = [{ when = { B = "x" }, value = 1 }]
"""
    compiled = compile_scenario(loads_scenario(text))
    result = equilibrium_regions(compiled)
    shares = {r.label: r.share for r in result.regions}
    grid = np.linspace(0, 1e13, 401)[:, None]
    mask = pure_equilibrium_mask(compiled.payoffs(grid)).reshape(len(grid), -1)
    assert mask[:, 0].mean() == pytest.approx(0.5, abs=0.01) and mask[:, 2].mean() == pytest.approx(0.5, abs=0.01)
    assert sorted(shares.values()) == pytest.approx([0.5, 0.5]), result.format_text()
