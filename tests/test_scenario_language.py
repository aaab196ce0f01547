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


# ----- several moves per player, conditions, chance anywhere ----------------------------------

import itertools  # noqa: E402

from hypothesis import given, settings  # noqa: E402

from sim.scenario import parse_scenario  # noqa: E402
from tests.strategies import multi_move_scenario_docs  # noqa: E402

THREAT = Path(__file__).parent / "data" / "scenarios-language" / "shield-threat.toml"


def _term(x, params):
    if isinstance(x, dict):
        return x.get("scale", 1.0) * np.prod([params[n] for n in ([x["parameter"]] if "parameter" in x else x["product"])])
    if isinstance(x, str):
        return -params[x[1:]] if x.startswith("-") else params[x]
    return float(x)


def _histories_by_hand(timing):
    """Every terminal history as {move: label}, in preorder, by recursion over the document."""
    def key(m):
        return m.get("name") or m.get("chance") or m["player"]

    def labels(m):
        return list(m["outcomes"]) if "chance" in m else m["actions"]

    def walk(k, hist):
        if k == len(timing):
            yield dict(hist)
            return
        m = timing[k]
        if all(hist.get(mv) in ([a] if isinstance(a, str) else a) for mv, a in m.get("when", {}).items()):
            for a in labels(m):
                yield from walk(k + 1, {**hist, key(m): a})
        else:
            yield from walk(k + 1, hist)

    return list(walk(0, {}))


def _leaves(node):
    from sim.extensive.tree import Terminal

    if isinstance(node, Terminal):
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


@settings(max_examples=60, deadline=None)
@given(multi_move_scenario_docs())
def test_multi_move_terminal_payoffs_are_the_rules_evaluated_on_each_history(doc):
    compiled = compile_scenario(parse_scenario(doc))
    params = {"p0": 0.5, "p1": 1.5}
    hand = _histories_by_hand(doc["scenario"]["timing"])
    leaves = _leaves(compiled.game().root)
    # Conditions prune exactly the histories they exclude: the tree has one leaf per history.
    assert len(leaves) == len(hand) == compiled.n_outcomes
    players = list(doc["players"])
    for leaf, hist in zip(leaves, hand):
        expect = np.zeros(len(players))
        for g in doc["goals"]:
            for r in g["rules"]:
                if all(hist.get(m) in a for m, a in r["when"].items()):
                    expect[players.index(g["player"])] += _term(g["weight"], params) * r["value"]
        assert np.allclose(leaf.payoffs, expect), (hist, leaf.payoffs, expect)


@settings(max_examples=30, deadline=None)
@given(multi_move_scenario_docs())
def test_multi_move_scenarios_survive_a_dump_and_a_later_move_remembers(doc):
    s = parse_scenario(doc)
    assert loads_scenario(dump_scenario(s)) == s
    from sim.extensive.tree import Decision

    game = compile_scenario(s).game()
    for _, node in game.nodes():
        if isinstance(node, Decision):
            move = next(m for m in s.timing if getattr(m, "key", None) == node.label)
            earlier = [m.key for m in s.timing[:s.timing.index(move)] if getattr(m, "player", None) == move.player]
            seen = node.infoset.partition("|")[2]
            # Perfect recall: an earlier move of the same player that happened is in what the move has seen.
            for e in earlier:
                assert e + "=" in seen or not any(e + "=" in leaf.label for leaf in _leaves(node)), (e, node.infoset)


def test_the_threat_scenario_compiles_to_a_pruned_tree_and_solves():
    compiled = compile_scenario(load_scenario(THREAT))
    # 2 types x (announce: 2 answers x 2 executions x 2 Iran + silent: 2 answers x 2 Iran) = 24, not 32.
    assert compiled.movers == ("history",) and compiled.n_outcomes == 24
    full = list(itertools.product([0, 1], repeat=5))
    assert len(full) == 32
    game = compiled.game()
    assert len(_leaves(game.root)) == 24
    result = solve(game, "spe")
    assert result.equilibria and all(e.max_regret <= 1e-9 for e in result.equilibria)
    # The prior is a parameter: a sweep varies it without recompiling.
    probs = compiled.chance_probabilities([[0.3] + list(compiled.defaults[1:]), [0.9] + list(compiled.defaults[1:])])
    assert np.allclose(probs[0], [[0.3, 0.7], [0.9, 0.1]])
    from sim.extensive.tree import Decision

    names = {n.infoset for _, n in game.nodes() if isinstance(n, Decision)}
    assert "us_execute|russia_answer=pressure,us_type=bluffing,us_announce=announce" in names
    assert "russia_answer|us_announce=announce" in names  # Russia does not see the type


def test_the_threat_scenario_pays_what_the_rules_say():
    compiled = compile_scenario(load_scenario(THREAT))
    pay = compiled.payoffs(compiled.defaults[None])[0]
    labels = compiled.labels[0]
    row = labels.index("us_type=bluffing,us_announce=announce,russia_answer=pressure,us_execute=deploy,Iran=proceed")
    # US: bluff executed costs shield_value (2); Russia: -2 for the deployment; Iran: 2 - 3.
    assert pay[row].tolist() == [-2.0, -2.0, -1.0]


BAD_TIMING = '''
[scenario]
id = "bad"
title = "bad"
timing = [{timing}]
[players.A]
actions = ["x", "y"]
[players.B]
actions = ["l", "r"]
[[goals]]
player = "A"
name = "g"
weight = 1
rules = [{{ when = {{ {rule} }}, value = 1 }}]
'''


@pytest.mark.parametrize("timing, rule, field, what", [
    ('{ player = "A", name = "a1" }, { player = "B", observes = ["nowhere"] }', 'a1 = "x"',
     "scenario.timing[1].observes[0]", "earlier move"),
    ('{ player = "A", name = "a1" }, { player = "B", when = { a2 = "x" } }', 'a1 = "x"',
     "scenario.timing[1].when.a2", "earlier move"),
    ('{ player = "A", name = "a1" }, { player = "B", when = { a1 = "z" } }', 'a1 = "x"',
     "scenario.timing[1].when.a1", "unknown action"),
    ('{ player = "A", name = "a1" }, { player = "B", when = { a1 = "x" } }, '
     '{ player = "A", name = "a2", when = { a1 = "y", B = "l" } }', 'a1 = "x"',
     "scenario.timing[2].when", "no history satisfies"),
    ('{ player = "A" }, { player = "B" }, { player = "A" }', 'A = "x"', "scenario.timing[2].player", "more than once"),
    ('{ player = "A", name = "a1" }, { player = "B" }, { player = "A", name = "a1" }', 'a1 = "x"',
     "scenario.timing[2].name", "duplicate move name"),
    ('{ player = "A", name = "B" }, { player = "B", name = "b" }', 'b = "l"', "scenario.timing[0].name", "another player"),
    ('{ player = "A", name = "a1" }, { player = "B" }, { player = "A", name = "a2" }', 'A = "x"',
     "goals[0].rules[0].when.A", "moves more than once"),
    ('{ player = "A", name = "a1" }, { player = "B" }', 'a2 = "x"', "goals[0].rules[0].when.a2", "unknown"),
])
def test_bad_moves_name_the_file_the_field_and_the_value(tmp_path, capsys, timing, rule, field, what):
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD_TIMING.format(timing=timing, rule=rule), encoding="utf-8")
    with pytest.raises(ScenarioError, match=what) as info:
        load_scenario(bad)
    assert info.value.field == field and info.value.path == str(bad), str(info.value)
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [info.value.located()] and info.value.located().startswith(f"{bad}:")


def test_a_player_without_actions_needs_them_on_every_move():
    text = BAD_TIMING.format(timing='{ player = "A" }, { player = "B" }', rule='A = "x"').replace(
        '[players.B]\nactions = ["l", "r"]', "[players.B]")
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text)
    assert info.value.field == "scenario.timing[1].actions"


def test_a_single_named_move_answers_to_its_player_name_in_rules():
    text = BAD_TIMING.format(timing='{ player = "A", name = "a1" }, { player = "B", when = { a1 = "x" } }',
                             rule='A = "x"')
    c = compile_scenario(loads_scenario(text))
    assert c.movers == ("history",) and c.labels[0] == ("a1=x,B=l", "a1=x,B=r", "a1=y")
    assert c.payoffs(np.zeros((1, 0)))[0, :, 0].tolist() == [1.0, 1.0, 0.0]


def test_show_lists_the_timing_and_move_assumptions(capsys):
    assert main(["show", str(THREAT)]) == 0
    out = capsys.readouterr().out
    tail = out[out.index("assumptions (not stated by the source):"):]
    assert "timing (move order and what each mover observes)" in tail and "move us_execute" in tail
    assert "parameter p_committed" in tail and "goal US.shield_value" in tail
    # the timing table: who moves, what it observes, when, and whether that is an assumption
    (row,) = [line.split() for line in out.splitlines() if line.strip().startswith("us_execute ")]
    assert row[1] == "US" and "us_announce = announce" in " ".join(row) and row[-1] == "yes"


def test_a_scenario_without_goals_compiles_to_zero_payoffs():
    """Loading never gives a scenario without goals, but code can build one (lint does): it compiles,
    every payoff 0, rather than failing to reshape an empty tensor."""
    import dataclasses

    from sim.scenario import compile_scenario, loads_scenario

    s = loads_scenario('[scenario]\nid = "x"\ntitle = "x"\ntiming = "simultaneous"\n[players.A]\n'
                       'actions = ["a", "b"]\n[[goals]]\nplayer = "A"\nname = "g"\nweight = 1\n'
                       'rules = [{ when = { A = "a" }, value = 1 }]\n')
    compiled = compile_scenario(dataclasses.replace(s, goals=()))
    assert compiled.game().payoffs.tolist() == [[0.0], [0.0]]
    assert compiled.payoffs([[], []]).shape == (2, 2, 1)


def test_a_sweep_over_a_scenario_with_conditions_gives_spe_solve_at_every_point(tmp_path):
    """The history axis of a timing with conditions goes through a sweep: each point's rows are the
    subgame-perfect equilibria ``spe_solve`` finds on that point's tree (count and payoffs)."""
    import shutil

    from analysis.sweep import read_results, run_sweep
    from sim.extensive.spe import spe_solve
    from sim.scenario import compile_scenario, load_scenario

    src = Path(__file__).parent / "data" / "scenarios-language" / "shield-threat.toml"
    shutil.copy(src, tmp_path / src.name)
    (tmp_path / "s.toml").write_text('[sweep]\nscenario = "shield-threat.toml"\nmethods = ["spe"]\nseed = 1\n'
                                     'chunk_size = 2\n\n[sweep.grid]\np_committed = [0.1, 0.5, 0.9]\n')
    run_sweep(tmp_path / "s.toml", tmp_path / "out", executor="inprocess")
    df = read_results(tmp_path / "out")
    compiled = compile_scenario(load_scenario(tmp_path / src.name))
    players = compiled.players
    for _, rows in df.groupby("point_id"):
        p = float(rows["param.p_committed"].iloc[0])
        result = spe_solve(compiled.game({"p_committed": p}))
        assert int(rows["n_equilibria"].iloc[0]) == len(result.equilibria) > 0
        want = sorted(tuple(round(float(x), 9) for x in e.payoffs) for e in result.equilibria)
        got = sorted(tuple(round(float(r[f"payoff.{q}"]), 9) for q in players) for _, r in rows.iterrows())
        assert got == want
