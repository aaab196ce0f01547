"""The scenario language: scaled weights, ``extends``, several moves per player, conditions, types.

Files written for the first schema keep loading and solving as before: ``tests/data/scenarios-v1``
holds a copy of each shipped scenario as it was when the language grew, with the equilibria and
payoffs recorded below at that time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from sim.scenario import compile_scenario, load_scenario
from sim.solvers import solve

V1 = Path(__file__).parent / "data" / "scenarios-v1"

# stem: (number of enumpure equilibria of the (reduced) normal form, sha256[:16] of their sorted
# pure profiles, the profiles when few, spe payoffs sorted (sequential files), sha256[:16] of the
# payoffs at the defaults, sha256[:16] of the tree's sorted information-set names).
RECORDED = {
    "afghanistan-transit": (3, "97566f4b44648480", [(0, 0), (1, 1), (1, 2)], None, "ecff78ad3023cd4f", ""),
    "baseline-2009": (3, "c249d2c1cdc5bb17", [(0, 1, 3, 0), (1, 0, 0, 1), (1, 1, 2, 0)], None,
                      "fb92782f90b9799c", ""),
    "chip-that-did-not-exist": (14, "3f8e8950dcc16c48", None,
                                [(3.0, 1.5, 0.0)] * 8 + [(3.25, -0.6, 0.0)] * 4 + [(3.6, 0.45, 0.0)] * 2,
                                "9c48e79ef164836a", "a9c1298b6d20cd65"),
    "precedent-2002": (1, "dba010dc185ba44c", [(1, 1)], None, "7583f1bae85fe0b2", ""),
    "proliferation-cascade": (53, "3e0daa6d66677f45", None,
                              [(0.0, -3.25, -2.5)] * 2 + [(0.0, 0.0, 0.0)] * 3 + [(0.5, -3.25, -2.5)] * 2
                              + [(1.0, -4.5, -3.0)] + [(1.5, -4.5, -3.0)] * 2 + [(2.0, -4.5, -3.0)],
                              "9d11d18b19cbb1fe", "1dc10b2967e9a254"),
    "shield-as-chip": (704, "eb9554ab87832dc7", None, [(4.0, -0.5, 0.0)], "270f7c406e0bb003", "e9db68ecfed9d463"),
}


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()[:16]


def test_every_shipped_scenario_has_a_first_schema_copy():
    assert sorted(p.stem for p in V1.glob("*.toml")) == sorted(RECORDED)


@pytest.mark.parametrize("stem", sorted(RECORDED))
def test_first_schema_files_give_the_recorded_payoffs_and_equilibria(stem):
    count, digest, profiles, spe, payoff_digest, infosets = RECORDED[stem]
    compiled = compile_scenario(load_scenario(V1 / f"{stem}.toml"))
    pay = np.round(compiled.payoffs(compiled.defaults[None]), 12) + 0.0
    assert _digest(pay.tobytes() + repr(pay.shape).encode()) == payoff_digest
    eqs = sorted(e.pure_profile for e in solve(compiled.normal_form(), "enumpure").equilibria)
    assert len(eqs) == count and _digest(repr(eqs).encode()) == digest
    if profiles is not None:
        assert eqs == profiles
    if compiled.sequential:
        from sim.extensive.tree import Decision

        game = compiled.game()
        names = sorted({n.infoset for _, n in game.nodes() if isinstance(n, Decision)})
        assert _digest(repr(names).encode()) == infosets
        got = sorted(tuple(round(float(x), 9) for x in e.payoffs) for e in solve(game, "spe").equilibria)
        assert got == spe


# ----- negated, scaled and product terms -------------------------------------------------------

from sim.errors import ScenarioError  # noqa: E402
from sim.scenario import dump_scenario, loads_scenario  # noqa: E402

ONE = '''
[scenario]
id = "one"
title = "One player"
timing = "simultaneous"
[parameters]
x = {{ default = 2, min = 0, max = 4 }}
y = {{ default = 3, min = 0, max = 4 }}
[players.A]
actions = ["a", "b"]
[[goals]]
player = "A"
name = "g"
weight = {weight}
rules = [{{ when = {{ A = "a" }}, value = {value} }}]
'''


def _payoff_a(weight, value, points=((2.0, 3.0), (1.0, 0.5))):
    c = compile_scenario(loads_scenario(ONE.format(weight=weight, value=value)))
    return c.payoffs(np.array(points))[:, 0, 0].tolist()


@pytest.mark.parametrize("weight, value, expect", [
    ('"-x"', "1", lambda x, y: -x),
    ('{ parameter = "x", scale = -0.5 }', "1", lambda x, y: -0.5 * x),
    ("2", '"-y"', lambda x, y: -2 * y),
    ('"-x"', '"-y"', lambda x, y: x * y),
    ('{ product = ["x", "y"], scale = 1.5 }', "2", lambda x, y: 3 * x * y),
    ('{ parameter = "x" }', '{ parameter = "y", scale = 0.25 }', lambda x, y: 0.25 * x * y),
    ("1", '{ product = ["x", "x"] }', lambda x, y: x * x),
])
def test_scaled_terms_compile_to_their_products(weight, value, expect):
    points = ((2.0, 3.0), (1.0, 0.5))
    assert _payoff_a(weight, value, points) == [expect(*p) for p in points]


@pytest.mark.parametrize("weight, value, field", [
    ('{ product = ["x", "y"] }', '"x"', "goals[0].rules[0].value"),
    ('"x"', '{ product = ["x", "y"] }', "goals[0].rules[0].value"),
    ('{ parameter = "x", product = ["x", "y"] }', "1", "goals[0].weight"),
    ('{ scale = 2 }', "1", "goals[0].weight"),
    ('{ parameter = "z" }', "1", "goals[0].weight.parameter"),
    ('{ product = ["x"] }', "1", "goals[0].weight.product"),
    ('{ parameter = "x", scale = "y" }', "1", "goals[0].weight.scale"),
    ('"-z"', "1", "goals[0].weight"),
    ('"--x"', "1", "goals[0].weight"),
])
def test_bad_scaled_terms_name_the_field(weight, value, field):
    with pytest.raises(ScenarioError) as info:
        loads_scenario(ONE.format(weight=weight, value=value), path="bad.toml")
    assert info.value.field == field, str(info.value)


def test_scaled_terms_survive_a_dump():
    s = loads_scenario(ONE.format(weight='{ product = ["x", "y"], scale = -2 }', value="0.5"))
    assert loads_scenario(dump_scenario(s)) == s
    s2 = loads_scenario(ONE.format(weight='"-x"', value='{ parameter = "y", scale = 3 }'))
    assert loads_scenario(dump_scenario(s2)) == s2


def test_a_negated_parameter_carries_an_assumption():
    text = ONE.format(weight='"-x"', value="1").replace('name = "g"', 'name = "g"\nassumption = true')
    assert loads_scenario(text).goals[0].assumption


# ----- extends ----------------------------------------------------------------------------------

from analysis.cli import main  # noqa: E402


def _copy_baseline(tmp_path) -> Path:
    target = tmp_path / "baseline-2009.toml"
    target.write_text((V1 / "baseline-2009.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.mark.parametrize("stem", sorted(RECORDED))
def test_an_empty_child_compiles_to_the_same_tensor(tmp_path, stem):
    (tmp_path / f"{stem}.toml").write_text((V1 / f"{stem}.toml").read_text(encoding="utf-8"), encoding="utf-8")
    child = tmp_path / "child.toml"
    child.write_text(f'[scenario]\nextends = "{stem}.toml"\n', encoding="utf-8")
    a = compile_scenario(load_scenario(V1 / f"{stem}.toml"))
    b = compile_scenario(load_scenario(child))
    assert a.parameter_names == b.parameter_names and a.movers == b.movers and a.labels == b.labels
    assert np.array_equal(a.monomials, b.monomials) and np.array_equal(a.tensor, b.tensor)
    assert b.scenario.path == str(child)


def test_a_child_overrides_parameters_goals_and_scenario_keys(tmp_path):
    _copy_baseline(tmp_path)
    child = tmp_path / "hawkish.toml"
    child.write_text('''
[scenario]
extends = "baseline-2009.toml"
id = "hawkish"
title = "A hawkish Iran"
[parameters]
iran_bomb_value = { default = 4.0, min = 0.0, max = 5.0, assumption = true }
extra = { default = 1.0, min = 0.0, max = 2.0, assumption = true }
[[goals]]
player = "Iran"
name = "nuclear_programme"
weight = "iran_bomb_value"
assumption = true
rules = [{ when = { Iran = "proceed" }, value = 1.0 }]
[[goals]]
player = "US"
name = "new_goal"
weight = "-extra"
assumption = true
rules = [{ when = { US = "keep_shield" }, value = 1.0 }]
''', encoding="utf-8")
    base = load_scenario(V1 / "baseline-2009.toml")
    s = load_scenario(child)
    assert (s.id, s.title, s.timing) == ("hawkish", "A hawkish Iran", "simultaneous")
    assert s.parameter("iran_bomb_value").default == 4.0 and s.parameters[-1].name == "extra"
    assert [(g.player, g.name) for g in s.goals] == [(g.player, g.name) for g in base.goals] + [("US", "new_goal")]
    ours = compile_scenario(s).game()
    # The same as the baseline with --set iran_bomb_value=4, plus the new goal at the keep profiles.
    ref = compile_scenario(base).game({"iran_bomb_value": 4.0})
    diff = np.asarray(ours.payoffs) - np.asarray(ref.payoffs)
    assert np.allclose(diff[1], 0) and np.allclose(diff[0][..., 0], -1.0) and np.allclose(diff[0][..., 1:], 0)


def test_extends_chains_and_the_child_wins(tmp_path):
    _copy_baseline(tmp_path)
    (tmp_path / "mid.toml").write_text('[scenario]\nextends = "baseline-2009.toml"\nid = "mid"\n'
                                       '[parameters]\nus_iran_weight = 1.0\n', encoding="utf-8")
    (tmp_path / "leaf.toml").write_text('[scenario]\nextends = "mid.toml"\nid = "leaf"\n', encoding="utf-8")
    s = load_scenario(tmp_path / "leaf.toml")
    assert s.id == "leaf" and s.parameter("us_iran_weight").default == 1.0


@pytest.mark.parametrize("name, what", [
    ("../baseline-2009.toml", "same folder"),
    ("sub/baseline-2009.toml", "same folder"),
    ("/etc/passwd.toml", "same folder"),
    ("baseline-2009", "same folder"),
    ("missing.toml", "no such file"),
    (3, "same folder"),
])
def test_extends_outside_the_folder_or_missing_is_refused(tmp_path, capsys, name, what):
    _copy_baseline(tmp_path)
    child = tmp_path / "child.toml"
    value = f'"{name}"' if isinstance(name, str) else str(name)
    child.write_text(f"[scenario]\nextends = {value}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=what) as info:
        load_scenario(child)
    assert info.value.field == "scenario.extends" and info.value.path == str(child)
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{child}: scenario.extends: ")


def test_an_extends_cycle_is_refused(tmp_path, capsys):
    (tmp_path / "a.toml").write_text('[scenario]\nextends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('[scenario]\nextends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"cycle: a.toml -> b.toml -> a.toml") as info:
        load_scenario(tmp_path / "a.toml")
    assert info.value.field == "scenario.extends"
    assert main(["validate", str(tmp_path / "a.toml")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_a_self_extending_file_is_a_cycle(tmp_path):
    (tmp_path / "a.toml").write_text('[scenario]\nextends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_an_extends_chain_is_bounded(tmp_path):
    from sim.scenario.load import MAX_EXTENDS_DEPTH

    _copy_baseline(tmp_path)
    previous = "baseline-2009.toml"
    for k in range(MAX_EXTENDS_DEPTH + 1):
        (tmp_path / f"f{k}.toml").write_text(f'[scenario]\nextends = "{previous}"\n', encoding="utf-8")
        previous = f"f{k}.toml"
    load_scenario(tmp_path / f"f{MAX_EXTENDS_DEPTH - 1}.toml")  # exactly the bound: fine
    with pytest.raises(ScenarioError, match=f"at most {MAX_EXTENDS_DEPTH} files"):
        load_scenario(tmp_path / f"f{MAX_EXTENDS_DEPTH}.toml")


def test_extends_without_a_path_is_refused():
    with pytest.raises(ScenarioError, match="needs the file's folder") as info:
        loads_scenario('[scenario]\nextends = "baseline-2009.toml"\n')
    assert info.value.field == "scenario.extends"
