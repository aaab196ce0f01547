"""``bargain lint`` and ``analysis.lint``: every rule fires on a scenario made to trigger it and
stays quiet on one made not to; the exact inert-goal test agrees with the solvers; exit codes and
the JSON document."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from analysis.cli import main
from analysis.lint import (MATCHING_TOY, RULES, goal_is_exactly_inert, goal_sampled_decision, lint_paths,
                           lint_scenario, parameter_is_exactly_inert, parameter_sampled_decision)
from sim.scenario import compile_scenario, loads_scenario
from tests.strategies import scenarios

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
    assert w.subject == "goal A.weak" and w.how == "sampled: no change over 32 points"


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
