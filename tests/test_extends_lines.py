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
