"""The ``[[claims]]`` table: parsed into frozen claims, every broken rule named by file, field and value."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.cli import main
from sim.errors import ScenarioError
from sim.scenario import dump_scenario, load_scenario, loads_scenario

DATA = Path(__file__).parent / "data" / "claims"
ENTRY = (DATA / "entry.toml").read_text(encoding="utf-8")
HEAD = ENTRY.split("[[claims]]")[0]


def claim(conditions: str, extra: str = "", cid: str = "c") -> str:
    return HEAD + f'[[claims]]\nid = "{cid}"\nclaim = "A sentence."\nquote = "q"\n{extra}conditions = [{conditions}]\n'


def error(text: str, path: str = "bad.toml") -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loads_scenario(text, path=path)
    return info.value


def test_the_entry_file_parses_into_frozen_claims_and_round_trips():
    s = load_scenario(DATA / "entry.toml")
    assert [c.id for c in s.claims] == ["entry_accommodated", "threat_deters", "entrant_gains",
                                        "tough_incumbent_deters"]
    d = s.claims[3].conditions[1]
    assert d.set == (("fight_value", 1.5),) and d.path == (("E", ("out",)),)
    with pytest.raises(AttributeError):
        s.claims[0].id = "x"  # frozen
    assert loads_scenario(dump_scenario(s)) == s


CASES = [
    # (conditions, extra fields, expected field, expected words, bad value shown)
    ('{ path = { X = "in" } }', "", "claims[0].conditions[0].path.X", "unknown player or move", "'X'"),
    ('{ path = { E = "maybe" } }', "", "claims[0].conditions[0].path.E", "unknown action of E", "'maybe'"),
    ('{ path = {} }', "", "claims[0].conditions[0].path", "must not be empty", "{}"),
    ('{ after = { E = "in" } }', "", "claims[0].conditions[0]", "exactly one of 'path' and 'gain'", "['after']"),
    ('{ path = { E = "in" }, gain = { player = "E", over = { E = "out" } } }', "", "claims[0].conditions[0]",
     "exactly one of 'path' and 'gain'", "['gain', 'path']"),
    ('{ after = { E = ["in"] }, path = { I = "fight" } }', "", "claims[0].conditions[0].after.E",
     "must be one action", "['in']"),
    ('{ after = { E = "up" }, path = { I = "fight" } }', "", "claims[0].conditions[0].after.E",
     "unknown action of E", "'up'"),
    ('{ gain = { player = "Z", over = { E = "out" } } }', "", "claims[0].conditions[0].gain.player",
     "unknown player", "'Z'"),
    ('{ gain = { player = "E", over = { E = "sideways" } } }', "", "claims[0].conditions[0].gain.over.E",
     "unknown action of E", "'sideways'"),
    ('{ gain = { player = "E" } }', "", "claims[0].conditions[0].gain.over", "is missing", None),
    ('{ set = { nope = 1 }, path = { E = "in" } }', "", "claims[0].conditions[0].set.nope",
     "unknown parameter", "'nope'"),
    ('{ set = { fight_value = 5 }, path = { E = "in" } }', "", "claims[0].conditions[0].set.fight_value",
     "within the parameter's bounds", "5.0"),
    ('{ set = { fight_value = "high" }, path = { E = "in" } }', "", "claims[0].conditions[0].set.fight_value",
     "must be a number", "'high'"),
    ('{ not = "yes", path = { E = "in" } }', "", "claims[0].conditions[0].not", "true or false", "'yes'"),
    ('{ at_least = 0, path = { E = "in" } }', "", "claims[0].conditions[0].at_least", "(0, 1]", "0.0"),
    ('{ at_least = 0.5, gain = { player = "E", over = { E = "out" } } }', "",
     "claims[0].conditions[0].at_least", "'path' conditions only", "0.5"),
    ('{ path = { E = "in" }, why = 1 }', "", "claims[0].conditions[0].why", "unknown field", "'why'"),
    ('', "", "claims[0].conditions", "non-empty list", "[]"),
    (", ".join(['{ path = { E = "in" } }'] * 17), "", "claims[0].conditions", "at most 16", "17"),
    ('{ path = { E = "in" } }', 'method = "correlated"\n', "claims[0].method",
     "returns behaviour strategies or profiles", "'correlated'"),
    ('{ path = { E = "in" } }', 'method = "enumpure"\n', "claims[0].method", "a sequential scenario takes", "'enumpure'"),
    ('{ path = { E = "in" } }', 'sweep = "/abs/sweep.toml"\n', "claims[0].sweep", "relative path", "'/abs/sweep.toml'"),
    ('{ path = { E = "in" } }', 'colour = "red"\n', "claims[0].colour", "unknown field", "'colour'"),
]


@pytest.mark.parametrize("conditions, extra, field, words, got", CASES, ids=[c[2] + ":" + c[3] for c in CASES])
def test_each_rule_names_the_field_and_the_bad_value(conditions, extra, field, words, got):
    err = error(claim(conditions, extra))
    assert err.field == field, str(err)
    assert words in err.detail, str(err)
    if got is not None:
        assert f"(got {got})" in err.detail, str(err)
    assert str(err).startswith(f"bad.toml: {field}: ")


def test_claim_ids_are_checked_and_unique():
    err = error(claim('{ path = { E = "in" } }', cid="Bad-Id"))
    assert err.field == "claims[0].id" and "(got 'Bad-Id')" in err.detail
    twice = claim('{ path = { E = "in" } }') + '[[claims]]\nid = "c"\nclaim = "x"\nquote = "q"\n' \
        'conditions = [{ path = { E = "out" } }]\n'
    err = error(twice)
    assert err.field == "claims[1].id" and "duplicate claim id" in err.detail


def test_missing_and_empty_sentence_fields():
    text = HEAD + '[[claims]]\nid = "c"\nclaim = ""\nconditions = [{ path = { E = "in" } }]\n'
    err = error(text)
    assert [e.field for e in err.errors] == ["claims[0].quote", "claims[0].claim"]
    assert "is missing" in err.errors[0].detail and "must not be empty" in err.errors[1].detail


def test_errors_are_gathered_with_the_line_and_the_claim_id():
    text = claim('{ path = { E = "maybe" } }, { set = { nope = 1 }, path = { E = "in" } }')
    err = error(text)
    assert [e.field for e in err.errors] == ["claims[0].conditions[0].path.E", "claims[0].conditions[1].set.nope"]
    line = text.splitlines().index("[[claims]]") + 1
    assert err.errors[0].located() == (f"bad.toml:{line}: claims[0] (c).conditions[0].path.E: unknown action of E; "
                                       "actions are ['in', 'out'] (got 'maybe')")


def test_a_player_with_several_moves_must_be_named_by_its_move():
    text = HEAD.replace('timing = [{ player = "E" }, { player = "I", observes = ["E"], when = { E = "in" } }]',
                        'timing = [{ player = "E", name = "e1" }, { player = "E", name = "e2" }, { player = "I" }]')
    text = text.replace('E = "in"', 'e1 = "in"').replace('E = "out"', 'e1 = "out"')
    err = error(text + '[[claims]]\nid = "c"\nclaim = "x"\nquote = "q"\nconditions = [{ path = { E = "in" } }]\n')
    assert err.field == "claims[0].conditions[0].path.E" and "moves more than once" in err.detail


def test_chance_moves_may_be_forced_but_not_gained_over():
    text = HEAD.replace('timing = [{ player = "E" }', 'timing = [{ chance = "luck", outcomes = { good = 0.5, bad = 0.5 } }, '
                        '{ player = "E", observes = ["luck"] }')
    ok = text + '[[claims]]\nid = "c"\nclaim = "x"\nquote = "q"\nconditions = [{ after = { luck = "good" }, ' \
        'path = { E = "in" } }]\n'
    assert loads_scenario(ok).claims[0].conditions[0].after == (("luck", "good"),)
    err = error(ok.replace('{ after = { luck = "good" }, path = { E = "in" } }',
                           '{ gain = { player = "E", over = { luck = "bad" } } }'))
    assert err.field == "claims[0].conditions[0].gain.over.luck" and "unknown player or decision move" in err.detail
    err = error(ok.replace('luck = "good"', 'luck = "awful"'))
    assert err.field == "claims[0].conditions[0].after.luck" and "unknown outcome of luck" in err.detail


def test_simultaneous_claims_name_players_and_take_game_methods():
    text = """
[scenario]
id = "pd"
title = "PD"
timing = "simultaneous"
[players.A]
actions = ["c", "d"]
[players.B]
actions = ["c", "d"]
[[goals]]
player = "A"
name = "g"
weight = 1
rules = [{ when = { A = "d" }, value = 1 }]
[[claims]]
id = "defect"
claim = "A defects."
quote = "q"
method = "spe"
conditions = [{ path = { A = "d" } }]
"""
    err = error(text)
    assert err.field == "claims[0].method" and "a simultaneous scenario takes" in err.detail
    assert loads_scenario(text.replace('method = "spe"', 'method = "enumpure"')).claims[0].method == "enumpure"


def test_extends_inherits_replaces_by_id_and_adds(tmp_path):
    (tmp_path / "entry.toml").write_text(ENTRY, encoding="utf-8")
    child = ('[scenario]\nid = "variant"\nextends = "entry.toml"\n'
             '[[claims]]\nid = "threat_deters"\nclaim = "Replaced."\nquote = "q"\nconditions = [{ path = { E = "out" } }]\n'
             '[[claims]]\nid = "new_one"\nclaim = "Added."\nquote = "q"\nconditions = [{ path = { I = "fight" } }]\n')
    (tmp_path / "variant.toml").write_text(child, encoding="utf-8")
    s = load_scenario(tmp_path / "variant.toml")
    assert [c.id for c in s.claims] == ["entry_accommodated", "threat_deters", "entrant_gains",
                                        "tough_incumbent_deters", "new_one"]
    assert s.claims[1].claim == "Replaced." and len(s.claims[1].conditions) == 1


def test_cli_validate_exits_2_with_one_line_for_a_bad_claim(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(claim('{ path = { E = "maybe" } }'), encoding="utf-8")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "claims[0] (c).conditions[0].path.E" in err[0] and "'maybe'" in err[0]


# ----- [[observations]]: what the source reports happened -----------------------------------------

def observation(path: str, extra: str = "", oid: str = "o") -> str:
    return HEAD + f'[[observations]]\nid = "{oid}"\nobservation = "E entered."\nquote = "q"\n{extra}path = {path}\n'


def test_observations_parse_round_trip_and_read_as_indicators():
    s = loads_scenario(observation('{ E = "in", I = "share" }'))
    (o,) = s.observations
    assert o.path == (("E", "in"), ("I", "share")) and o.indicator == "path: E=in, I=share"
    assert loads_scenario(dump_scenario(s)) == s
    # a file without the table loads as before
    assert loads_scenario(HEAD).observations == ()


@pytest.mark.parametrize("path, extra, field, words", [
    ('{ X = "in" }', "", "observations[0] (o).path.X", "unknown player or decision move"),
    ('{ E = "maybe" }', "", "observations[0] (o).path.E", "unknown action of E"),
    ('{ E = ["in"] }', "", "observations[0] (o).path.E", "must be one action"),
    ('{}', "", "observations[0] (o).path", "must not be empty"),
    ('{ E = "in" }', 'when = 1\n', "observations[0] (o).when", "unknown"),
])
def test_a_broken_observation_is_named_by_field(path, extra, field, words):
    err = error(observation(path, extra))
    assert any(field in e.located() and words in e.located() for e in err.errors), [e.located() for e in err.errors]


def test_a_child_replaces_an_observation_by_id(tmp_path):
    (tmp_path / "parent.toml").write_text(observation('{ E = "in" }'), encoding="utf-8")
    (tmp_path / "child.toml").write_text('[scenario]\nid = "child"\nextends = "parent.toml"\n'
                                         '[[observations]]\nid = "o"\nobservation = "E stayed out."\nquote = "q"\n'
                                         'path = { E = "out" }\n', encoding="utf-8")
    assert load_scenario(tmp_path / "child.toml").observations[0].path == (("E", "out"),)
