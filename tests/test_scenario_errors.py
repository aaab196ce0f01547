"""Bad scenario input: always a ScenarioError naming the field, and one line with exit 2 from the CLI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main
from sim.errors import ScenarioError
from sim.scenario import MAX_PROFILES, compile_scenario, dump_scenario, load_scenario, loads_scenario
from tests.strategies import malformed_scenarios, scenarios

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


# ---- every error of a file, each with its line and goal ----------------------------------------

THREE_ERRORS = """
[scenario]
id = "three"
title = "three errors"
timing = "simultaneous"

[parameters]
w = { default = 5, min = 0, max = 2 }   # error 1: default above max

[players.A]
actions = ["x", "y"]

[players.B]
actions = ["l", "r"]

[[goals]]   # "a [[goals]] in a comment" is not a table
player = "A"
name = "fine"
weight = 1
rules = [{ when = { A = "x" }, value = 1 }]

[[goals]]
player = "B"
name = "bad_action"
quote = "a string with [[goals]] and { braces } in it"
weight = 1
rules = [
  { when = { B = "nowhere" }, value = 1 },   # error 2
]

[[goals]]
player = "A"
name = "bad_weight"
weight = true                              # error 3
rules = [{ when = { B = "l" }, value = 2 }]
"""


def _line(text, needle, nth=0):
    return [k for k, line in enumerate(text.splitlines(), 1) if line.startswith(needle)][nth]


def test_three_independent_errors_are_all_reported_with_their_lines(tmp_path, capsys):
    with pytest.raises(ScenarioError) as info:
        loads_scenario(THREE_ERRORS, path="three.toml")
    errors = info.value.errors
    assert [e.field for e in errors] == ["parameters.w.default", "goals[1].rules[0].when.B", "goals[2].weight"]
    assert [e.line for e in errors] == [_line(THREE_ERRORS, "w = "), _line(THREE_ERRORS, "[[goals]]", 1),
                                        _line(THREE_ERRORS, "[[goals]]", 2)]
    assert errors[1].located() == (f"three.toml:{errors[1].line}: goals[1] (B.bad_action).rules[0].when.B: "
                                   "unknown action of B; actions are ['l', 'r'] (got 'nowhere')")
    assert errors[2].located().startswith(f"three.toml:{errors[2].line}: goals[2] (A.bad_weight).weight: ")
    # One line for the commands that read one scenario: the first error, and how many more.
    assert str(info.value) == ("three.toml: parameters.w.default: must be at most max 2.0 (got 5.0) "
                               "(and 2 more)")
    path = tmp_path / "three.toml"
    path.write_text(THREE_ERRORS, encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith(f"{path}:") for line in err), err
    assert err[2] == f"{path}:{errors[2].line}: goals[2] (A.bad_weight).weight: must be a number (got True)"
    assert main(["show", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"bargain show: error: {path}: parameters.w.default: must be at most max 2.0 (got 5.0) "
                   f"(and 2 more; run bargain validate {path})"]


def test_a_single_error_reads_exactly_as_before():
    with pytest.raises(ScenarioError) as info:
        loads_scenario(GOOD.replace('B = ["l", "r"]', 'B = ["l", "nowhere"]'), path="one.toml")
    assert str(info.value) == ("one.toml: goals[0].rules[0].when.B: unknown action of B; actions are ['l', 'r'] "
                               "(got 'nowhere')")
    assert info.value.errors == (info.value,) and not info.value.truncated
    assert info.value.located().startswith(f"one.toml:{_line(GOOD, '[[goals]]')}: goals[0] (A.g).rules[0]")


def test_a_check_that_depends_on_a_broken_part_is_skipped():
    # A player whose actions are bad, and a parameter that is bad: rules and weights naming them say nothing more.
    text = GOOD.replace('actions = ["l", "r"]', 'actions = ["l", "l"]').replace("default = 1,", "default = 9,")
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text)
    assert [e.field for e in info.value.errors] == ["parameters.w.default", "players.B.actions[1]"]


def test_the_number_of_errors_is_bounded():
    goals = "".join(f'\n[[goals]]\nplayer = "A"\nname = "g{k}"\nweight = true\nrules = [{{ value = 1 }}]\n'
                    for k in range(150))
    with pytest.raises(ScenarioError) as info:
        loads_scenario(GOOD + goals)
    assert len(info.value.errors) == 100 and info.value.truncated
    assert "(and 99+ more)" in str(info.value)


@settings(max_examples=150, deadline=None)
@given(malformed_scenarios())
def test_every_gathered_error_names_the_file_and_a_field(case):
    text, field = case
    with pytest.raises(ScenarioError) as info:
        compile_scenario(loads_scenario(text, path="bad.toml"))
    assert info.value.errors and info.value.errors[0].field.startswith(field)
    for e in info.value.errors:
        assert e.path == "bad.toml" and e.field, e
        assert str(e).startswith(f"bad.toml: {e.field}: ") and e.detail.strip()
        assert e.line is None or 1 <= e.line <= text.count("\n") + 1


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.data())
def test_the_line_of_a_broken_goal_is_its_header(scenario, data):
    text = dump_scenario(scenario)
    lines = text.split("\n")  # TOML ends lines at \n only (str.splitlines also splits at \x85 in strings)
    headers = [k for k, line in enumerate(lines) if line == "[[goals]]"]
    k = data.draw(st.integers(0, len(headers) - 1))
    weight = next(j for j in range(headers[k], len(lines)) if lines[j].startswith("weight = "))
    lines[weight] = "weight = true"
    with pytest.raises(ScenarioError) as info:
        loads_scenario("\n".join(lines), path="s.toml")
    (err,) = info.value.errors
    goal = scenario.goals[k]
    assert err.field == f"goals[{k}].weight" and lines[err.line - 1] == "[[goals]]" and err.line == headers[k] + 1
    assert err.located() == f"s.toml:{err.line}: goals[{k}] ({goal.player}.{goal.name}).weight: must be a number (got True)"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from('[]{}"\'#=.\n ab1\\'), max_size=120))
def test_the_line_scan_never_fails_on_any_text(text):
    from sim.scenario.lines import table_lines

    lines = table_lines(text)
    assert all(1 <= n <= text.count("\n") + 1 for n in lines.values())
