"""Bad scenario input: always a ScenarioError naming the field, and one line with exit 2 from the CLI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from sim.errors import ScenarioError
from sim.scenario import MAX_PROFILES, compile_scenario, load_scenario, loads_scenario
from tests.strategies import malformed_scenarios

GOOD = """
[scenario]
id = "ok"
title = "ok"
timing = "simultaneous"
[parameters]
w = { default = 1, min = 0, max = 2 }
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["l", "r"]
[[goals]]
player = "A"
name = "g"
weight = "w"
rules = [{ when = { A = "x", B = ["l", "r"] }, value = 1 }]
"""


@settings(max_examples=150, deadline=None)
@given(malformed_scenarios())
def test_malformed_scenarios_raise_scenario_error_naming_the_field(case):
    text, field = case
    with pytest.raises(ScenarioError) as info:
        compile_scenario(loads_scenario(text, path="bad.toml"))
    err = info.value
    assert err.path == "bad.toml"
    assert err.field is not None and err.field.startswith(field), (err.field, field, str(err))
    assert str(err).startswith(f"bad.toml: {err.field}: ")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_gives_a_scenario_or_a_scenario_error(text):
    # Any other exception fails the test by propagating.
    try:
        scenario = loads_scenario(text)
    except ScenarioError as err:
        assert str(err).strip(), "a ScenarioError must say what is wrong"
    else:
        assert scenario.players  # only a complete scenario may load


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(malformed_scenarios())
def test_cli_validate_exits_2_with_one_line_per_error(tmp_path, capsys, case):
    text, field = case
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        compile_scenario(load_scenario(bad))
    assert main(["validate", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert lines == [" ".join(e.located().split()) for e in info.value.errors]
    assert lines[0].startswith(f"{bad}") and info.value.field.startswith(field), lines
    assert out.startswith(f"{good}: ok")


def test_cli_validate_all_good_exits_0(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(GOOD, encoding="utf-8")
    assert main(["validate", str(good)]) == 0


@pytest.mark.parametrize("command", [["solve"], ["show"], ["export", "--to", "nfg"]])
def test_other_commands_exit_2_with_one_line(tmp_path, capsys, command):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('B = ["l", "r"]', 'B = ["l", "nowhere"]'), encoding="utf-8")
    assert main([command[0], str(bad), *command[1:]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "goals[0].rules[0].when.B" in err[0] and "'nowhere'" in err[0]


def test_huge_game_is_refused_with_the_number():
    players = "\n".join(f'[players.P{i}]\nactions = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]' for i in range(7))
    text = GOOD.replace('[players.A]\nactions = ["x", "y"]\n[players.B]\nactions = ["l", "r"]', players)
    text = text.replace('when = { A = "x", B = ["l", "r"] }, ', "").replace('player = "A"', 'player = "P0"')
    with pytest.raises(ScenarioError, match=f"more than {MAX_PROFILES:,} outcomes; refused \\(got 10000000\\)"):
        loads_scenario(text)


def test_probabilities_must_sum_to_one_and_parameters_need_bounds():
    seq = GOOD.replace('timing = "simultaneous"', 'timing = [{ chance = "c", outcomes = { h = 0.5, t = 0.6 } }, '
                                                   '{ player = "A" }, { player = "B" }]')
    with pytest.raises(ScenarioError, match=r"scenario.timing\[0\].outcomes: probabilities must sum to 1"):
        loads_scenario(seq)
    seq = seq.replace("t = 0.6", 't = "w"')
    with pytest.raises(ScenarioError, match="needs bounds within"):
        loads_scenario(seq.replace("max = 2", "max = 2"))
    with pytest.raises(ScenarioError, match=r"observes\[0\]: must name an earlier move"):
        loads_scenario(GOOD.replace('timing = "simultaneous"', 'timing = [{ player = "A", observes = ["B"] }, { player = "B" }]'))


def test_missing_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read file"):
        load_scenario(tmp_path / "absent.toml")
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b'[scenario]\nid = "\xe9"\n')
    with pytest.raises(ScenarioError, match="not UTF-8"):
        load_scenario(bad)


def test_points_outside_bounds_are_refused_by_name():
    compiled = compile_scenario(loads_scenario(GOOD))
    with pytest.raises(ScenarioError, match=r"parameters.w: must be finite and within \[0.0, 2.0\] \(got 3.0\)"):
        compiled.payoffs([[1.0], [3.0]])
    with pytest.raises(ScenarioError, match=r"shape \(B, 1\)"):
        compiled.payoffs([[1.0, 2.0]])
