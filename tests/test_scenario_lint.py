"""``bargain lint`` and ``analysis.lint``: every rule fires on a scenario made to trigger it and
stays quiet on one made not to; the exact inert-goal test agrees with the solvers; exit codes and
the JSON document."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from analysis.cli import main
from analysis.lint import (MATCHING_TOY, RULES, goal_is_exactly_inert, goal_sampled_decision, lint_paths,
                           lint_scenario, parameter_is_exactly_inert, parameter_sampled_decision)
from sim.scenario import compile_scenario, loads_scenario, parse_scenario
from tests.strategies import multi_move_scenario_docs, scenarios

HEAD = '[scenario]\nid = "t"\ntitle = "T"\ntiming = "simultaneous"\n'
AB = '[players.A]\nactions = ["a", "b"]\n[players.B]\nactions = ["a", "b"]\n'


def goal(player, name, rules, weight=1.0, quote=""):
    w = f'"{weight}"' if isinstance(weight, str) else weight
    q = f'quote = "{quote}"\n' if quote else ""
    return f'[[goals]]\nplayer = "{player}"\nname = "{name}"\nweight = {w}\n{q}rules = [{rules}]\n'


#: Coordination with strict equilibria (a, a) and (b, b): no rule fires.
CLEAN = HEAD + AB + goal("A", "match", '{ when = { A = "a", B = "a" }, value = 2 }, { when = { A = "b", B = "b" }, value = 1 }') \
    + goal("B", "match", '{ when = { A = "a", B = "a" }, value = 2 }, { when = { A = "b", B = "b" }, value = 1 }')
B_LIKES_A = goal("B", "likes_a", '{ when = { B = "a" }, value = 1 }')

TRIGGERS = {
    # rule: (scenario that triggers it, one that does not)
    "inert-goal": (MATCHING_TOY, CLEAN),
    "inert-parameter": (
        HEAD + '[parameters]\np = { default = 1, min = 0, max = 2 }\n' + AB
        + goal("A", "mixed", '{ when = { A = "a" }, value = 1 }, { when = { B = "a" }, value = "p" }') + B_LIKES_A,
        HEAD + '[parameters]\np = { default = 1, min = 0, max = 2 }\n' + AB
        + goal("A", "mixed", '{ when = { A = "a" }, value = 1.5 }, { when = { A = "b" }, value = "p" }') + B_LIKES_A),
    "tie": (HEAD + AB + goal("A", "match", '{ when = { A = "a", B = "a" }, value = 1 }, { when = { A = "b", B = "a" }, value = 1 }')
            + B_LIKES_A, CLEAN),
    "unused-parameter": (CLEAN.replace(AB, '[parameters]\nunused = 1\n' + AB), CLEAN),
    "player-without-goals": (CLEAN.replace(AB, AB + '[players.C]\nactions = ["c", "d"]\n'), CLEAN),
    "unflagged-timing": (CLEAN.replace('"simultaneous"', '[{ player = "A" }, { player = "B", observes = ["A"] }]'),
                         CLEAN),
}


def test_every_scenario_rule_has_a_trigger_case():
    assert set(TRIGGERS) == {r.name for r in RULES if r.scope == "scenario"}
    assert {r.scope for r in RULES} == {"scenario", "folder"}


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_fires_on_its_trigger_and_not_on_the_clean_case(rule):
    fires, quiet = TRIGGERS[rule]
    assert rule in {w.rule for w in lint_scenario(loads_scenario(fires), sample=32).warnings}
    assert rule not in {w.rule for w in lint_scenario(loads_scenario(quiet), sample=32).warnings}


def test_the_clean_case_has_no_warning():
    assert lint_scenario(loads_scenario(CLEAN), sample=32).warnings == ()


def test_tie_names_the_player_the_actions_and_the_equilibrium():
    (w,) = [w for w in lint_scenario(loads_scenario(TRIGGERS["tie"][0]), sample=8).warnings if w.rule == "tie"]
    assert w.subject == "player A" and "a, b" in w.message and "B=a" in w.message


def test_unflagged_timing_is_quiet_when_the_scenario_flags_it():
    s = loads_scenario(TRIGGERS["unflagged-timing"][0])
    object.__setattr__(s, "timing_assumption", True)  # the schema's flag, when it lands
    assert "unflagged-timing" not in {w.rule for w in lint_scenario(s, sample=8).warnings}


def test_quote_sign_fires_for_one_player_across_a_folder_and_not_across_players(tmp_path):
    q = "NATO will engage"
    gain = HEAD + AB + goal("A", "likes_it", '{ when = { A = "a" }, value = 1 }', quote=q) + B_LIKES_A
    loss = HEAD.replace('"t"', '"u"') + AB + goal("A", "fears_it", '{ when = { A = "a" }, value = -1 }', quote=q) \
        + B_LIKES_A
    other = HEAD.replace('"t"', '"v"') + AB + goal("A", "x", '{ when = { A = "a" }, value = 1 }') \
        + goal("B", "fears_it", '{ when = { B = "a" }, value = -1 }', quote=q)
    folder, apart = tmp_path / "f", tmp_path / "g"
    folder.mkdir()
    apart.mkdir()
    (folder / "gain.toml").write_text(gain)
    (folder / "loss.toml").write_text(loss)
    (apart / "gain.toml").write_text(gain)
    (apart / "other.toml").write_text(other)
    found = [(r.path.split("/")[-1], w.subject) for r in lint_paths([folder], sample=8) for w in r.warnings
             if w.rule == "quote-sign"]
    assert sorted(found) == [("gain.toml", "goal A.likes_it"), ("loss.toml", "goal A.fears_it")]
    assert not [w for r in lint_paths([apart], sample=8) for w in r.warnings if w.rule == "quote-sign"]
    # two folders are two groups: the gain in one and the loss in the other do not meet
    assert not [w for r in lint_paths([apart / "gain.toml", folder / "loss.toml"], sample=8) for w in r.warnings
                if w.rule == "quote-sign"]


# ----- the founding scenario ----------------------------------------------------------------------
def test_baseline_reports_russias_two_goals_as_exactly_inert():
    report = lint_scenario("tests/data/scenarios-v1/baseline-2009.toml", sample=64)
    inert = {w.subject: w.how for w in report.warnings if w.rule == "inert-goal"}
    for name in ("avoid_isolation", "prevent_anti_russia_positions"):
        assert inert[f"goal Russia.{name}"] == "exact: independent of Russia's own action"
    assert all(w.path == "tests/data/scenarios-v1/baseline-2009.toml" for w in report.warnings)
    # Russia's own choice is moved by its other goals: they are not reported
    assert "goal Russia.caucasus_opportunities" not in inert and "goal Russia.ties_with_iran" not in inert


def test_baseline_reports_natos_knife_edge():
    ties = [w for w in lint_scenario("tests/data/scenarios-v1/baseline-2009.toml", sample=8).warnings if w.rule == "tie"]
    assert [w.subject for w in ties] == ["player NATO"]
    assert "engage, isolate" in ties[0].message and "Russia=shield_halt" in ties[0].message


def test_the_same_seed_gives_the_same_report():
    s = loads_scenario(TRIGGERS["inert-parameter"][0])
    assert lint_scenario(s, sample=16, seed=3) == lint_scenario(s, sample=16, seed=3)


# ----- exact against sampled ----------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(sequential=False))
def test_an_exactly_inert_goal_changes_no_equilibrium_over_the_sample(s):
    for g in s.goals:
        if goal_is_exactly_inert(s, g):
            assert goal_sampled_decision(s, g, sample=32, seed=1).inert, g


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(sequential=False))
def test_an_exactly_inert_parameter_changes_no_equilibrium_over_the_sample(s):
    c = compile_scenario(s)
    for name in c.parameter_names:
        if parameter_is_exactly_inert(c, name):
            assert parameter_sampled_decision(c, name, sample=64, seed=1).inert, name


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(sequential=False, max_players=2))
def test_a_goal_that_alone_decides_its_owner_is_caught_by_both_tests(s):
    """A goal rewarding the owner's first action by more than all its other goals can offset is
    not inert: the exact test does not pass it, and the sample (whose first point is the defaults
    at full strength) sees the change whenever removing the goal changes the equilibria there."""
    owner = s.player_names[0]
    first = s.actions_of(owner)[0]
    if len(s.actions_of(owner)) < 2:
        return
    big = replace(s.goals[0], player=owner, name="dominant", weight=1000.0,
                  rules=(replace(s.goals[0].rules[0], when=((owner, (first,)),), value=1.0),))
    s = replace(s, goals=s.goals + (big,))
    assert not goal_is_exactly_inert(s, big)
    from sim.solvers.pure import pure_equilibrium_mask

    c, rest = compile_scenario(s), compile_scenario(replace(s, goals=s.goals[:-1]))
    with_goal = pure_equilibrium_mask(c.payoffs(c.defaults[None]))
    without = pure_equilibrium_mask(rest.payoffs(rest.defaults[None])) if s.goals[:-1] else None
    if without is not None and (with_goal != without).any():
        assert not goal_sampled_decision(s, big, sample=8).inert


def test_the_exact_test_is_sufficient_not_necessary():
    """A goal that depends on its owner's action but is outweighed everywhere in the box is inert
    by the sample, not by the exact test, and the warning says so."""
    text = HEAD + AB + goal("A", "strong", '{ when = { A = "a" }, value = 10 }') \
        + goal("A", "weak", '{ when = { A = "b" }, value = 1 }') + B_LIKES_A
    s = loads_scenario(text)
    weak = s.goals[1]
    assert not goal_is_exactly_inert(s, weak)
    (w,) = [w for w in lint_scenario(s, sample=32).warnings if w.rule == "inert-goal"]
    assert w.subject == "goal A.weak" and w.how == "sampled: no change found at 32 sampled points (not a proof)"


def test_sequential_exact_test_counts_later_moves():
    """A's goal on B's move is not inert when B moves after seeing A: A's move steers B."""
    text = CLEAN.replace('"simultaneous"', '[{ player = "A" }, { player = "B", observes = ["A"] }]') \
        + goal("A", "wants_b_to_play_b", '{ when = { B = "b" }, value = 5 }')
    s = loads_scenario(text)
    g = s.goals[-1]
    assert not goal_is_exactly_inert(s, g)
    assert not goal_sampled_decision(s, g, sample=8).inert
    before = loads_scenario(text.replace('[{ player = "A" }, { player = "B", observes = ["A"] }]',
                                         '[{ player = "B" }, { player = "A", observes = ["B"] }]'))
    assert goal_is_exactly_inert(before, before.goals[-1])


# ----- the command line ---------------------------------------------------------------------------
def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "clean.toml").write_text(CLEAN)
    (tmp_path / "toy.toml").write_text(MATCHING_TOY)
    return tmp_path


def test_exit_codes(files, capsys):
    assert _run(capsys, "lint", files / "toy.toml", "--sample", "16")[0] == 0
    assert _run(capsys, "lint", files / "toy.toml", "--sample", "16", "--fail-on-warning")[0] == 1
    assert _run(capsys, "lint", files / "clean.toml", "--fail-on-warning")[0] == 0
    (files / "bad.toml").write_text(CLEAN.replace('value = 2', 'value = "nope"', 1))
    code, out, err = _run(capsys, "lint", files, "--sample", "16")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "bad.toml" in err
    code, _, err = _run(capsys, "lint", files / "clean.toml", "--sample", "0")
    assert code == 2 and "sample" in err


def test_text_names_file_subject_and_advice(files, capsys):
    code, out, _ = _run(capsys, "lint", files / "toy.toml", "--sample", "16")
    first, last = out.strip().splitlines()
    assert first.startswith(f"{files / 'toy.toml'}: inert-goal: goal A.likes_b_to_match: ")
    assert "drop it" in first and last == "1 warning in 1 file"


def test_json_shape(files, capsys):
    code, out, _ = _run(capsys, "lint", files, "--json", "--sample", "16")
    doc = json.loads(out)
    assert code == 0 and set(doc) == {"files", "warnings"} and doc["warnings"] == 1
    assert [f["path"].split("/")[-1] for f in doc["files"]] == ["clean.toml", "toy.toml"]
    (w,) = doc["files"][1]["warnings"]
    assert set(w) == {"rule", "path", "subject", "message", "how", "advice"}
    assert w["rule"] == "inert-goal" and w["how"].startswith("exact: ")


# ----- several moves per player, conditional timings, every weight form -----------------------------
MULTI_MOVE = '''
[scenario]
id = "multi"
title = "A moves twice, B once before and once between, only after l"
timing_assumption = true
timing = [
  { player = "B", name = "b0", actions = ["x", "y"] },
  { player = "A", name = "a1", actions = ["l", "r"], observes = ["b0"] },
  { player = "B", name = "b1", actions = ["u", "d"], observes = ["a1"], when = { a1 = "l" } },
  { player = "A", name = "a2", actions = ["l", "r"], observes = ["a1", "b1"] },
]
[parameters]
w = { default = 1.0, min = 0.0, max = 2.0 }
[players.A]
[players.B]
[[goals]]
player = "A"
name = "first"
weight = 1.0
rules = [{ when = { a1 = "r" }, value = 1.0 }, { when = { a2 = "r" }, value = 0.5 }]
[[goals]]
player = "A"
name = "on_b0"
weight = "w"
rules = [{ when = { b0 = "x" }, value = 1.0 }]
[[goals]]
player = "A"
name = "on_b1"
weight = 2.0
rules = [{ when = { b1 = "d" }, value = 1.0 }]
[[goals]]
player = "A"
name = "on_b0_and_a2"
weight = 1.0
rules = [{ when = { b0 = "x", a2 = "l" }, value = 1.0 }]
[[goals]]
player = "B"
name = "own"
weight = 1.0
rules = [{ when = { b0 = "y" }, value = 1.0 }, { when = { b1 = "d" }, value = 1.0 }]
'''


@pytest.mark.parametrize("conditional", [True, False])
def test_the_exact_test_reads_every_move_of_a_player_with_several(conditional):
    """A player with several moves (and a timing with conditions, whose compiled scenario has one
    "history" axis): a goal on moves before the player's first move is exactly inert, a goal on any
    of its moves or on a later move is not, and the lint runs."""
    text = MULTI_MOVE if conditional else MULTI_MOVE.replace(', when = { a1 = "l" }', "")
    s = loads_scenario(text)
    assert s.conditional == conditional
    exact = {g.name: goal_is_exactly_inert(s, g) for g in s.goals}
    assert exact == {"first": False, "on_b0": True, "on_b1": False, "on_b0_and_a2": False, "own": False}
    report = lint_scenario(s, sample=8)
    inert = {w.subject: w.how for w in report.warnings if w.rule == "inert-goal"}
    assert inert.pop("goal A.on_b0") == "exact: independent of A's moves (a1, a2) and of every later move"
    # A's first move decides whether B moves again (and B then plays d): only then does on_b1 matter
    assert inert == ({} if conditional else {"goal A.on_b1": "sampled: no change found at 8 sampled points (not a proof)"})
    c = compile_scenario(s)
    assert parameter_is_exactly_inert(c, "w")


def test_the_exact_test_on_a_conditional_timing_with_one_move_each():
    """A conditional timing compiles to one "history" axis: players are not among its movers."""
    text = CLEAN.replace('"simultaneous"', '[{ player = "A" }, { player = "B", observes = ["A"], when = { A = "a" } }]') \
        + goal("B", "on_a", '{ when = { A = "b" }, value = 3 }') + goal("A", "on_b", '{ when = { B = "a" }, value = -2.5 }')
    s = loads_scenario(text)
    assert compile_scenario(s).movers == ("history",)
    assert [goal_is_exactly_inert(s, g) for g in s.goals] == [False, False, True, False]
    inert = {w.subject: w.how for w in lint_scenario(s, sample=8).warnings if w.rule == "inert-goal"}
    assert inert["goal B.on_a"] == "exact: independent of B's own action and of every later move"
    assert "goal A.on_b" not in inert  # A avoids the history where B moves


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(multi_move_scenario_docs())
def test_the_exact_test_on_multi_move_timings_is_constancy_below_each_own_decision_node(doc):
    """Checked on the tree itself: a goal is exactly inert if and only if, term by term, its
    owner's payoff is the same at every terminal below each of the owner's decision nodes."""
    from sim.extensive.tree import Decision, Terminal
    from sim.scenario.compile import build_tree

    s = parse_scenario(doc)
    for g in s.goals:
        alone = compile_scenario(replace(s, goals=(g,)))
        i = s.player_names.index(g.player)
        probs = [p[0] for p in alone.chance_probabilities(alone.defaults[None], check=False)]
        rows = np.asarray(alone.tensor).reshape(len(alone.tensor), -1, len(s.players))
        constant = True
        for row in rows:
            tree = build_tree(alone, row, probs)

            def below(node):
                if isinstance(node, Terminal):
                    return {node.payoffs[i]}
                return set().union(*(below(c) for c in node.children))

            constant &= all(len(below(n)) == 1 for _, n in tree.nodes()
                            if isinstance(n, Decision) and n.player == i)
        assert goal_is_exactly_inert(s, g) == constant, g


def test_every_weight_form_counts_as_a_use_of_its_parameters():
    """``"-x"``, ``{ parameter, scale }`` and ``{ product, scale }`` read their parameters, as a
    weight and as a rule's value: none is reported unused, and the goal's parameters are moved by
    the sampled test."""
    params = ('[parameters]\nneg = 1.0\nscaled = 1.0\nu = 1.0\nv = 2.0\nvneg = 1.0\nvscaled = 1.0\n'
              'vu = 1.0\nvv = 1.0\nunused = 1.0\n')
    text = HEAD + params + AB \
        + goal("A", "neg", '{ when = { A = "a" }, value = 1 }', weight="-neg") \
        + '[[goals]]\nplayer = "A"\nname = "scaled"\nweight = { parameter = "scaled", scale = 0.5 }\n' \
          'rules = [{ when = { A = "b" }, value = 1 }]\n' \
        + '[[goals]]\nplayer = "B"\nname = "product"\nweight = { product = ["u", "v"], scale = 2 }\n' \
          'rules = [{ when = { B = "a" }, value = 1 }]\n' \
        + '[[goals]]\nplayer = "B"\nname = "values"\nweight = 1\nrules = [{ when = { B = "b" }, value = "-vneg" }, ' \
          '{ when = { A = "a", B = "b" }, value = { parameter = "vscaled", scale = 3 } }, ' \
          '{ when = { A = "b", B = "b" }, value = { product = ["vu", "vv"] } }]\n'
    s = loads_scenario(text)
    unused = [w.subject for w in lint_scenario(s, sample=8).warnings if w.rule == "unused-parameter"]
    assert unused == ["parameter unused"]
    from analysis.lint import _goal_parameters

    assert [sorted(_goal_parameters(g)) for g in s.goals] == [["neg"], ["scaled"], ["u", "v"], ["vneg", "vscaled", "vu", "vv"]]


# ----- the sample: corners first, every point of a perfect-information tree --------------------------
#: A perfect-information tree (A, then B having seen A) where A's goal ``rare`` changes A's choice
#: only near one corner of the box: A plays ``x`` when ``s * w > 9.5`` (``w`` in [0, 10], ``s`` the
#: goal's strength in the sample). A handful of random points misses that corner; the corner does not.
RARE = """
[scenario]
id = "rare"
title = "A goal that matters only near a corner"
timing_assumption = true
timing = [{ player = "A" }, { player = "B", observes = ["A"] }]
[parameters]
w = { default = 0.5, min = 0.0, max = 10.0 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["c", "d"]
[[goals]]
player = "A"
name = "prefers_y"
weight = 1.0
rules = [{ when = { A = "y" }, value = 9.5 }]
[[goals]]
player = "A"
name = "rare"
weight = "w"
rules = [{ when = { A = "x" }, value = 1.0 }]
[[goals]]
player = "B"
name = "answers"
weight = 1.0
rules = [{ when = { A = "x", B = "c" }, value = 1.0 }, { when = { A = "y", B = "d" }, value = 2.0 }]
"""


def test_a_goal_that_matters_only_near_a_corner_is_not_called_inert():
    """The false verdict this guards against: a perfect-information tree sampled at 16 random
    points called ``rare`` inert. The corner ``w = 10`` at full strength makes A play ``x``."""
    s = loads_scenario(RARE)
    rare = s.goals[1]
    assert not goal_is_exactly_inert(s, rare)
    for sample in (4, 16, 512):
        d = goal_sampled_decision(s, rare, sample=sample)
        assert not d.inert and d.points == sample
        assert d.how == f"sampled: a change found among {sample} sampled points"
    assert "inert-goal" not in {w.rule for w in lint_scenario(s).warnings}
    # Without the corner the goal is outweighed everywhere: then it is inert by the sample.
    capped = loads_scenario(RARE.replace("max = 10.0", "max = 9.0"))
    (w,) = [w for w in lint_scenario(capped, sample=64).warnings if w.rule == "inert-goal"]
    assert w.subject == "goal A.rare" and w.how == "sampled: no change found at 64 sampled points (not a proof)"


@pytest.mark.parametrize("sample", [1, 2, 7, 33, 100, 512])
def test_sample_is_used_exactly_as_given_on_perfect_information_trees(sample):
    """``--sample N``: exactly N points for the goal test and the parameter test of a
    perfect-information tree (batched backward induction), not a cap of 16."""
    s = loads_scenario(RARE)
    assert goal_sampled_decision(s, s.goals[0], sample=sample).points == sample
    assert parameter_sampled_decision(compile_scenario(s), "w", sample=sample).points == max(sample, 2)


def test_the_sample_starts_with_the_defaults_then_the_corners():
    from analysis.lint import _goal_points

    c = compile_scenario(loads_scenario(RARE))
    points, strength = _goal_points(c, [0], 8, seed=0)
    assert points[:3, 0].tolist() == [0.5, 0.0, 10.0] and strength[:3].tolist() == [1.0, 1.0, 1.0]
    assert len(points) == 8 and np.all((points >= 0) & (points <= 10)) and np.all((strength > 0) & (strength <= 1))


def test_batched_tree_comparison_agrees_with_spe_solve_point_by_point():
    """The batched comparison (spe_batch, ties listed by spe_solve) decides as the per-point one."""
    from analysis.lint import _batch_tree_changes, _payoffs, _tree_sets

    c = compile_scenario(loads_scenario(RARE))
    rng = np.random.default_rng(5)
    pts = np.column_stack([rng.choice([0.0, 4.75, 9.5, 9.6, 10.0], 40)])
    base = _payoffs(c, pts)
    for k in range(len(pts)):
        other = _payoffs(c, pts[[(k + 1) % len(pts)]])
        batched = _batch_tree_changes(c, base[k:k + 1], other, pts[k:k + 1], pts[[(k + 1) % len(pts)]])
        one = _tree_sets(c, base[k:k + 1], pts[k:k + 1]) != _tree_sets(c, other, pts[[(k + 1) % len(pts)]])
        assert batched == one, pts[k]


def test_lint_of_the_shipped_scenarios_has_no_warning():
    """The shipped scenarios are sound at the default sample (and the lint keeps to a budget)."""
    import time
    from pathlib import Path

    t0 = time.perf_counter()
    reports = lint_paths([Path(__file__).resolve().parent.parent / "scenarios"])
    assert [(r.path, w.rule, w.subject) for r in reports for w in r.warnings] == []
    assert time.perf_counter() - t0 < 120


def _hidden_chance_tree():
    """A tree where A does not see chance and B sees A: imperfect information, 8 pure profiles."""
    text = CLEAN.replace('"simultaneous"', '[{ chance = "t", outcomes = { h = 0.5, l = "rest" } }, '
                                           '{ player = "A" }, { player = "B", observes = ["A"] }]') \
        + goal("A", "weak", '{ when = { A = "b" }, value = 0.5 }')
    s = loads_scenario(text)
    assert not compile_scenario(s).game().perfect_information
    return s


def test_an_imperfect_information_tree_uses_the_whole_sample_with_batched_pbe():
    """Each point's pure perfect Bayesian equilibria come from one pbe_batch over all points, so
    --sample is used exactly, as on a perfect-information tree, with the same wording."""
    s = _hidden_chance_tree()
    for sample in (8, 512):
        d = goal_sampled_decision(s, s.goals[-1], sample=sample)
        assert d.inert and d.points == sample
        assert d.how == f"sampled: no change found at {sample} sampled points (not a proof)"


def test_an_imperfect_information_tree_too_large_for_pbe_says_its_sample_was_capped(monkeypatch):
    """Over pbe's profile limit, each point is one spe_solve: at most 16 points whatever --sample
    says, and the warning says so rather than claiming 512."""
    import sim.extensive.pbe as pbe

    s = _hidden_chance_tree()
    monkeypatch.setattr(pbe, "DEFAULT_MAX_PROFILES", 4)
    d = goal_sampled_decision(s, s.goals[-1], sample=512)
    assert d.inert and d.points == 16
    assert d.how == ("sampled: no change found at 16 sampled points (not a proof; imperfect information with 8 "
                     "pure profiles, over the 4 pbe enumerates: at most 16 points, each one spe_solve)")
    assert goal_sampled_decision(s, s.goals[-1], sample=8).how == \
        "sampled: no change found at 8 sampled points (not a proof)"


#: Private information where a goal only changes what B may do off the path. A prefers going
#: whatever its type, so staying is never played; whether B may fight a stayer depends on B's
#: belief about the stayer's type. Without ``punishing_a_weak_stayer`` fighting a stayer costs
#: B 1 whatever the type, so no belief justifies it; with it, fighting a weak stayer gains B 1,
#: so the belief "weak" does. The subgame-perfect equilibria (Nash equilibria of the whole tree,
#: which no proper subgame cuts) let B do anything off the path either way: the set is the same.
PUNISH_THE_STAYER = """
[scenario]
id = "punish-the-stayer"
title = "A punishment only beliefs can justify"
timing_assumption = true
timing = [
  { chance = "type", outcomes = { strong = 0.6, weak = "rest" } },
  { player = "A", observes = ["type"] },
  { player = "B", observes = ["A"] },
]
[players.A]
actions = ["stay", "go"]
[players.B]
actions = ["fight", "yield"]
[[goals]]
player = "A"
name = "going_pays"
weight = 1.0
rules = [{ when = { A = "go" }, value = 1.0 }]
[[goals]]
player = "B"
name = "yields_to_entry"
weight = 1.0
rules = [{ when = { A = "go", B = "yield" }, value = 1.0 }]
[[goals]]
player = "B"
name = "fighting_a_stayer_costs"
weight = 1.0
rules = [{ when = { A = "stay", B = "fight" }, value = -1.0 }]
[[goals]]
player = "B"
name = "punishing_a_weak_stayer"
weight = 1.0
rules = [{ when = { type = "weak", A = "stay", B = "fight" }, value = 2.0 }]
"""


def test_a_goal_inert_under_spe_but_not_under_pbe_follows_pbe(monkeypatch):
    """The verdict on an imperfect-information tree follows its default solve (pbe), not spe."""
    from dataclasses import replace as dc_replace

    import analysis.lint as lint
    from sim.extensive.pbe import pbe_solve
    from sim.extensive.spe import spe_solve

    s = loads_scenario(PUNISH_THE_STAYER)
    goal_ = s.goals[-1]
    assert not goal_is_exactly_inert(s, goal_)
    rest = compile_scenario(dc_replace(s, goals=s.goals[:-1])).game()
    full = compile_scenario(s).game()

    def plays(result):
        return sorted(tuple(sorted(e.details["choices"].items())) for e in result.equilibria)

    # The reference answers, at the defaults: spe the same, pbe one more (B fights a stayer).
    assert plays(spe_solve(rest)) == plays(spe_solve(full))
    assert len(pbe_solve(rest).equilibria) == 1 and len(pbe_solve(full).equilibria) == 2
    d = goal_sampled_decision(s, goal_, sample=64)
    assert not d.inert and d.points == 64 and d.how == "sampled: a change found among 64 sampled points"
    assert "goal B.punishing_a_weak_stayer" not in {w.subject for w in lint_scenario(s).warnings if w.rule == "inert-goal"}
    # Compared by spe, as lint did before, the same goal was called inert.
    monkeypatch.setattr(lint, "_pbe_route", lambda compiled: False)
    assert goal_sampled_decision(s, goal_, sample=64).inert


def test_batched_pbe_comparison_agrees_with_pbe_solve_point_by_point():
    """The batched comparison decides as pbe_solve's equilibrium sets compared point by point."""
    from analysis.lint import _payoffs, _pbe_tree_changes
    from sim.extensive.pbe import pbe_solve
    from sim.scenario.compile import build_tree

    s = loads_scenario(PUNISH_THE_STAYER.replace("[players.A]", "[parameters]\nw = { default = 2.0, min = 0.0, max = 3.0 }\n"
                                                                "[players.A]").replace('value = 2.0 }]', 'value = "w" }]'))
    c = compile_scenario(s)
    pts = np.array([[0.0], [0.5], [1.0], [1.5], [3.0]])  # fighting a weak stayer pays iff w >= 1
    pay = _payoffs(c, pts)
    outcomes = []

    def pbe_set(k):
        probs = [p[0] for p in c.chance_probabilities(pts[k:k + 1], check=False)]
        return {tuple(sorted(e.details["choices"].items())) for e in pbe_solve(build_tree(c, pay[k], probs)).equilibria}
    for j in range(len(pts)):
        for k in range(len(pts)):
            batched = _pbe_tree_changes(c, pay[j:j + 1], pay[k:k + 1], pts[j:j + 1], pts[k:k + 1])
            assert batched == (pbe_set(j) != pbe_set(k)), (pts[j], pts[k])
            outcomes.append(batched)
    assert 0 < sum(outcomes) < len(outcomes)


@pytest.mark.parametrize("unit", [1.0, 1e-6, 1e6])
def test_tree_ties_do_not_depend_on_the_payoff_units(unit):
    # A prefers a to b by 1e-5 of its spread: no tie in any units. B is exactly indifferent: a tie
    # in all. spe's rule (each player's tolerance relative to its own spread over the tree, no
    # floor) gives both; a floor of 1 read A's 1e-11 gap at unit 1e-6 as a tie.
    seq = HEAD.replace('"simultaneous"', '[{ player = "A" }, { player = "B", observes = ["A"] }]') + AB
    text = seq + goal("A", "pref", '{ when = { A = "a" }, value = 1 }, { when = { A = "b" }, value = 0.99999 }',
                      weight=unit) \
        + goal("B", "flat", '{ when = { B = "a" }, value = 1 }, { when = { B = "b" }, value = 1 }', weight=unit)
    ties = [w.subject for w in lint_scenario(loads_scenario(text), sample=8).warnings if w.rule == "tie"]
    assert ties == ["player B"]
