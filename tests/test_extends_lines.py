"""Errors in a file that extends another name the file and line that hold the bad field."""

from __future__ import annotations

import pytest

from analysis.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

BASE = """\
[scenario]
id = "base"
title = "Base"

[parameters]
x = { default = 1 }
y = true

[players.A]
actions = ["here", "there"]

[players.B]
actions = ["here", "there"]

[[goals]]
player = "A"
name = "meet"
weight = 1
rules = [{ when = { A = "here", B = "here" }, value = 1 }]

[[goals]]
player = "B"
name = "meet"
weight = true
rules = [{ when = { A = "here", B = "here" }, value = 1 }]
"""

CHILD = """\
[scenario]
extends = "base.toml"
id = "child"

[[goals]]
player = "A"
name = "other"
weight = "nope"
rules = [{ when = { A = "here", B = "here" }, value = 1 }]

[[goals]]
player = "A"
name = "meet"
weight = 2
rules = [{ when = { A = "here", B = "sulk" }, value = 1 }]
"""

LEAF = """\
# a variant of a variant
[scenario]
extends = "child.toml"
id = "leaf"
title = 5

[parameters]
z = { default = "a" }
"""


@pytest.fixture
def files(tmp_path):
    for name, text in (("base", BASE), ("child", CHILD), ("leaf", LEAF)):
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _errors(path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return {e.field: (e.path, e.line) for e in info.value.errors}


def test_the_childs_own_goal_has_the_childs_line(files):
    child = str(files / "child.toml")
    errors = _errors(files / "child.toml")
    assert errors["goals[2].weight"] == (child, 5)  # A.other, added after the base's goals
    assert errors["goals[0].rules[0].when.B"] == (child, 11)  # A.meet, replaced by the child in place


def test_an_inherited_goal_has_the_bases_file_and_line(files):
    errors = _errors(files / "child.toml")
    assert errors["goals[1].weight"] == (str(files / "base.toml"), 21)  # B.meet, inherited unchanged
    assert errors["parameters.y"] == (str(files / "base.toml"), 5)  # in the base's [parameters]


def test_a_two_level_chain(files):
    leaf, child, base = (str(files / f"{n}.toml") for n in ("leaf", "child", "base"))
    errors = _errors(files / "leaf.toml")
    assert errors["scenario.title"] == (leaf, 2)
    assert errors["parameters.z.default"] == (leaf, 8)
    assert errors["parameters.y"] == (base, 5)  # [parameters] mixes the base's and the leaf's entries
    assert errors["goals[2].weight"] == (child, 5)
    assert errors["goals[0].rules[0].when.B"] == (child, 11)
    assert errors["goals[1].weight"] == (base, 21)


def test_a_field_of_a_table_both_files_fill_has_the_childs_line(files):
    (files / "mixed.toml").write_text('[scenario]\nextends = "base.toml"\nid = "mixed"\n', encoding="utf-8")
    errors = _errors(files / "mixed.toml")
    assert errors["scenario.timing"] == (str(files / "mixed.toml"), 1)  # missing in both: the child's [scenario]


def test_validate_prints_each_error_at_its_file_and_line(files, capsys):
    assert main(["validate", str(files / "leaf.toml")]) == 2
    err = capsys.readouterr().err.splitlines()
    leaf, child, base = (str(files / f"{n}.toml") for n in ("leaf", "child", "base"))
    assert f"{leaf}:2: scenario.title: must be a string (got 5)" in err
    assert f"{base}:21: goals[1] (B.meet).weight: must be a number (got True)" in err
    assert any(line.startswith(f"{child}:5: goals[2] (A.other).weight: ") for line in err)
    assert any(line.startswith(f"{child}:11: goals[0] (A.meet).rules[0].when.B: ") for line in err)


# ----- a link out of the folder, errors in a timing's moves, every rule error ----------------------
def test_extends_refuses_a_symbolic_link_to_a_file_outside_the_folder(files, tmp_path_factory, capsys):
    """``extends`` names a file of the scenario's own folder: a link of that name pointing
    elsewhere is a path by other means, refused in one line (exit 2)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "base.toml"
    elsewhere.write_text(BASE, encoding="utf-8")
    folder = files / "linked"
    folder.mkdir()
    (folder / "base.toml").symlink_to(elsewhere)
    (folder / "child.toml").write_text(CHILD, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(folder / "child.toml")
    (e,) = info.value.errors
    assert e.field == "scenario.extends" and "symbolic link to a file outside the scenario's folder" in e.detail
    assert main(["validate", str(folder / "child.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "symbolic link to a file outside the scenario's folder (got 'base.toml')" in err[0]


def test_extends_follows_a_symbolic_link_within_the_folder(files):
    """A link to a file of the same folder is that file: its errors are reported as usual."""
    (files / "alias.toml").symlink_to(files / "base.toml")
    (files / "via-alias.toml").write_text(CHILD.replace('extends = "base.toml"', 'extends = "alias.toml"'),
                                          encoding="utf-8")
    errors = _errors(files / "via-alias.toml")
    assert "scenario.extends" not in errors and errors["goals[2].weight"][1] == 5


TIMED = """\
[scenario]
id = "timed"
title = "Timed"
timing = [
  { player = "A", name = "first" },
  { player = "B", observes = ["nowhere"] },
  { player = "A", name = "again", actions = ["x"], when = { first = ["elsewhere"] } },
]

[players.A]
actions = ["here", "there"]

[players.B]
actions = ["here", "there"]

[[goals]]
player = "A"
name = "meet"
weight = 1
rules = [{ when = { first = "here", B = "here" }, value = 1 }]
"""


def test_a_timing_error_points_at_its_move(tmp_path, capsys):
    (tmp_path / "timed.toml").write_text(TIMED, encoding="utf-8")
    errors = _errors(tmp_path / "timed.toml")
    assert errors["scenario.timing[1].observes[0]"][1] == 6
    assert main(["validate", str(tmp_path / "timed.toml")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'timed.toml'}:6: scenario.timing[1].observes[0]" in err


def test_a_timing_error_in_a_child_points_at_the_childs_move(files):
    (files / "seq.toml").write_text('[scenario]\nextends = "base.toml"\nid = "seq"\ntiming = [\n'
                                    '  { player = "A" },\n  { player = "B", observes = ["C"] },\n]\n', encoding="utf-8")
    errors = _errors(files / "seq.toml")
    assert errors["scenario.timing[1].observes[0]"] == (str(files / "seq.toml"), 6)


def test_every_rule_error_of_a_goal_is_reported(tmp_path, capsys):
    text = BASE.replace('rules = [{ when = { A = "here", B = "here" }, value = 1 }]\n\n[[goals]]\nplayer = "B"',
                        'rules = [{ when = { A = "nowhere" }, value = 1 }, { when = { B = "sulk" }, value = "nope" }]'
                        '\n\n[[goals]]\nplayer = "B"')
    (tmp_path / "rules.toml").write_text(text, encoding="utf-8")
    errors = _errors(tmp_path / "rules.toml")
    assert {"goals[0].rules[0].when.A", "goals[0].rules[1].when.B", "goals[0].rules[1].value",
            "goals[1].weight", "parameters.y"} <= set(errors)
    assert errors["goals[0].rules[0].when.A"][1] == errors["goals[0].rules[1].value"][1] == 15
