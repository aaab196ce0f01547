"""Belief thresholds where analysts read them: `bargain solve` (text and --json) and reports.

The threshold printed must be the exact one of :func:`sim.extensive.beliefs.belief_thresholds`,
the best answer must differ on either side of it, and the sentence must name the mover, its
decision point and the move it is uncertain about.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given, settings

from analysis.cli import main
from analysis.render import belief_document, belief_text
from sim.extensive.beliefs import (MAX_VERTEX_WORK, all_belief_thresholds, belief_thresholds, multi_node_infosets,
                                   uncertainty, vertex_work)
from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Terminal, iter_nodes
from sim.registry import solve
from sim.scenario import compile_scenario, load_scenario, parse_scenario
from tests.strategies import multi_move_scenario_docs

# Russia answers an announcement without seeing whether the US is committed: pressing Iran pays 7
# against a committed US, shielding Iran pays 5 against a bluffing one, so Russia presses exactly
# when P(committed) > 5/12.
THREAT = """
[scenario]
id = "threat-answer"
title = "Announce and answer"
timing = [
  { chance = "us_type", outcomes = { committed = "p_committed", bluffing = "rest" } },
  { player = "US", name = "us_announce", actions = ["announce", "silent"], observes = ["us_type"] },
  { player = "Russia", name = "russia_answer", actions = ["pressure", "shield_iran"], observes = ["us_announce"] },
]

[parameters]
p_committed = { default = 0.3, min = 0.0, max = 1.0 }

[players.US]
[players.Russia]

[[goals]]
player = "US"
name = "no_pressure"
weight = 1.0
rules = [{ when = { russia_answer = "shield_iran" }, value = 1.0 }, { when = { us_announce = "announce" }, value = 0.5 }]

[[goals]]
player = "Russia"
name = "right_answer"
weight = 1.0
rules = [
  { when = { us_type = "committed", russia_answer = "pressure" }, value = 7.0 },
  { when = { us_type = "bluffing", russia_answer = "shield_iran" }, value = 5.0 },
]
"""

SENTENCE = re.compile(r"^(?P<name>(?P<player>\S+) .+?), chooses (?P<high>\S+) when it believes "
                      r"(?P<move>[^=]+)=(?P<outcome>\S+) with probability above (?P<exact>[0-9/]+) \((?P<float>[^)]+)\); "
                      r"below, it chooses (?P<low>\S+)\.$")


@pytest.fixture
def threat(tmp_path):
    path = tmp_path / "threat.toml"
    path.write_text(THREAT)
    return path


def _tree(path):
    return compile_scenario(load_scenario(path)).game()


@pytest.mark.parametrize("method", [None, "pbe", "pbe_mixed", "pbe_agent"])
def test_solve_prints_the_exact_threshold_and_the_answer_flips_there(threat, method, capsys):
    assert main(["solve", str(threat), *(["--method", method] if method else [])]) == 0
    out = capsys.readouterr().out
    assert "belief thresholds (later moves as in equilibrium 1):" in out
    found = [SENTENCE.match(line.strip()) for line in out.splitlines() if "when it believes" in line]
    assert len(found) == 2 and all(found)  # one per announcement, both about the US type
    game = _tree(threat)
    from sim.extensive.names import decision_point_names

    infoset = {name: h for h, name in decision_point_names(game).items()}
    for m in found:
        # The set is named by its mover, its move and what it has seen (the announcement).
        assert m["player"] == "Russia" and m["name"].startswith("Russia (russia_answer), after US ")
        assert infoset[m["name"]].startswith("russia_answer|us_announce=")
        assert (m["move"], m["outcome"]) == ("us_type", "committed")
        th = belief_thresholds(game, infoset[m["name"]])
        assert (m["exact"],) == th.exact_thresholds == ("5/12",)
        assert float(m["float"]) == pytest.approx(5 / 12, abs=1e-4)
        q = Fraction(m["exact"])
        above, below = float(q) + 1e-9, float(q) - 1e-9
        # The first node of the set is the committed type: the belief is P(us_type=committed).
        assert th.nodes[0].split("/")[1] == "committed"
        assert th.best_answers([above, 1 - above]) == (m["high"],) == ("pressure",)
        assert th.best_answers([below, 1 - below]) == (m["low"],) == ("shield_iran",)


def test_solve_json_stores_the_thresholds_under_the_result_details(threat, capsys):
    assert main(["solve", str(threat), "--method", "pbe", "--method", "spe", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    game = _tree(threat)
    pbe, spe = doc["results"]
    # Subgame perfection leaves beliefs free: no number is read off its equilibria.
    assert spe["details"]["belief_thresholds"] == "unavailable"
    assert spe["details"]["belief_thresholds_reason"].startswith("spe's equilibria carry no beliefs")
    for result in [pbe]:
        b = result["details"]["belief_thresholds"]
        assert set(b) == {"equilibrium", "infosets"} and b["equilibrium"] == 0
        assert [e["infoset"] for e in b["infosets"]] == list(multi_node_infosets(game))
        for e in b["infosets"]:
            assert set(e) == {"infoset", "player", "uncertainty", "text", "skipped", "nodes", "actions", "payoffs",
                              "regions", "thresholds", "exact_thresholds"}
            assert e["player"] == "Russia" and e["skipped"] is None
            assert e["uncertainty"] == {"moves": ["us_type"], "event": {"move": "us_type", "outcome": "committed"}}
            assert e["exact_thresholds"] == ["5/12"] and e["thresholds"] == [pytest.approx(5 / 12)]
            assert {r["action"]: r["exact_interval"] for r in e["regions"]} == {
                "pressure": ["5/12", "1"], "shield_iran": ["0", "5/12"]}
            assert "above 5/12 (0.4167)" in e["text"]


@pytest.mark.parametrize("method", ["enumpure", "spe", "seqlcp"])
def test_methods_without_beliefs_say_thresholds_are_unavailable(threat, method, capsys):
    assert main(["solve", str(threat), "--method", method, "--json"]) == 0
    details = json.loads(capsys.readouterr().out)["results"][0]["details"]
    assert details["belief_thresholds"] == "unavailable"
    assert details["belief_thresholds_reason"] == (f"{method}'s equilibria carry no beliefs; solve with pbe, "
                                                   "pbe_mixed or pbe_agent for belief thresholds")
    assert main(["solve", str(threat), "--method", method]) == 0
    out = capsys.readouterr().out
    assert "belief thresholds: unavailable (" in out and "when it believes" not in out


CHIP = Path(__file__).resolve().parent.parent / "scenarios" / "chip-that-did-not-exist.toml"


def test_default_solve_of_a_signalling_scenario_reports_the_pbe_threshold(capsys):
    """The default of ``bargain solve`` on a tree with private information is ``pbe``: its belief
    threshold is the one of pbe's equilibrium, p* = (ties - cascade fear) / shield cost = 0.375 at
    the chip's defaults. Subgame perfection alone (the former default) puts Russia's answer at
    the same action whatever it believes, so it reported no threshold there."""
    assert main(["solve", str(CHIP), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["method"] == "pbe"
    assert result["details"]["method_choice"] == {
        "default": "pbe", "used": "pbe", "fallback": False,
        "reason": "imperfect information: some mover does not see an earlier move"}
    game = _tree(CHIP)
    want = belief_document(game, solve(game, "pbe"))
    got = result["details"]["belief_thresholds"]
    assert got == json.loads(json.dumps(want))
    (announce,) = [e for e in got["infosets"] if e["infoset"] == "russia_answer|us_announce=announce"]
    assert announce["thresholds"] == [pytest.approx(0.9 / 2.4)] and "above 0.375" in announce["text"]
    assert belief_document(game, solve(game, "spe"))["infosets"][0]["thresholds"] != announce["thresholds"]
    assert main(["solve", str(CHIP)]) == 0
    assert "chooses pressure when it believes us_type=committed with probability above" in capsys.readouterr().out


def test_default_falls_back_to_pbe_agent_and_says_so(threat, capsys):
    """Where pbe cannot run (here: a bound of one pure profile), the default is pbe_agent, whose
    equilibria carry beliefs, and the result says why."""
    assert main(["solve", str(threat), "--option", "max_profiles=1", "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["results"]
    assert result["method"] == "pbe_agent"
    choice = result["details"]["method_choice"]
    assert choice["default"] == "pbe" and choice["used"] == "pbe_agent" and choice["fallback"] is True
    assert choice["reason"].startswith("pbe cannot run: ")
    assert result["details"]["belief_thresholds"]["infosets"][0]["exact_thresholds"] == ["5/12"]
    assert main(["solve", str(threat), "--option", "max_profiles=1"]) == 0
    assert "method: pbe_agent instead of pbe (pbe cannot run: " in capsys.readouterr().out


def test_perfect_information_prints_no_thresholds(tmp_path, capsys):
    from sim.formats.efg import format_efg

    game = ExtensiveFormGame.from_root(("E", "I"), Decision(0, "E", ("out", "in"), (
        Terminal((0.0, 2.0)), Decision(1, "I", ("fight", "share"), (Terminal((-1.0, -1.0)), Terminal((1.0, 1.0)))))))
    path = tmp_path / "entry.efg"
    path.write_text(format_efg(game))
    assert main(["solve", str(path), "--method", "spe"]) == 0
    assert "belief thresholds" not in capsys.readouterr().out
    assert main(["solve", str(path), "--method", "spe", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["results"][0]["details"]["belief_thresholds"] == {"equilibrium": 0, "infosets": []}


def _answer(label, pays):
    return Decision(1, "R", ("left", "mid", "right"), tuple(Terminal((0.0, x)) for x in pays), label)


def test_the_uncertain_move_can_be_another_players_move_and_thresholds_can_be_several():
    # The follower does not see the leader's move; with q = P(up) its answers earn 4 - 4q, 2 and 6q - 3:
    # left below 1/2, mid up to 5/6, right above.
    game = ExtensiveFormGame.from_root(("Leader", "Follower"), Decision(0, "L", ("up", "down"), (
        _answer("follow", (0.0, 2.0, 3.0)), _answer("follow", (4.0, 2.0, -3.0)))), title="several")
    th, u = belief_thresholds(game, "R"), uncertainty(game, "R")
    assert u.moves == ("L",) and u.event == ("L", "up")
    assert th.exact_thresholds == ("1/2", "5/6")
    assert belief_text(th, u) == ("Follower (at R) chooses left when it believes L=up with probability below "
                                  "1/2 (0.5), mid between 1/2 (0.5) and 5/6 (0.8333), and right above 5/6 (0.8333).")


def test_larger_sets_say_whether_one_answer_is_best_whatever_the_belief():
    leaf = lambda a, b: Decision(1, "R", ("a", "b"), (Terminal((0.0, a)), Terminal((0.0, b))))  # noqa: E731
    root = Chance(("x", "y", "z"), (0.2, 0.3, 0.5), (
        Decision(0, "sx", ("m",), (leaf(1.0, 0.0),)), Decision(0, "sy", ("m",), (leaf(2.0, 0.0),)),
        Decision(0, "sz", ("m",), (leaf(0.0, 1.0),))), "nature")
    game = ExtensiveFormGame.from_root(("S", "Rx"), root)
    ((th, u, why),) = all_belief_thresholds(game)
    assert why == "" and u.moves == ("nature",) and u.event is None
    text = belief_text(th, u)
    assert text.startswith("Rx (at R): its best answer depends on its belief over its 3 nodes (about nature)")
    dominated = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("x", "y", "z"), (0.2, 0.3, 0.5), tuple(
        Decision(0, f"s{t}", ("m",), (leaf(1.0, 0.0),)) for t in "xyz"), "nature"))
    ((th, u, _),) = all_belief_thresholds(dominated)
    assert belief_text(th, u) == "Rx (at R) chooses a whatever it believes about nature."


def test_later_moves_are_valued_as_in_the_first_equilibrium():
    # After "go" the sender moves again; the receiver's payoff from "go" depends on that later move.
    def node(t):
        later = Decision(0, f"late_{t}", ("keep", "quit"), (Terminal((1.0, 3.0 if t == "a" else 0.0)),
                                                            Terminal((0.0, 0.0))), "late")
        return Decision(0, f"s_{t}", ("m",), (Decision(1, "R", ("go", "stop"), (later, Terminal((0.0, 1.0)))),))

    game = ExtensiveFormGame.from_root(("S", "Rx"), Chance(("a", "b"), (0.5, 0.5), (node("a"), node("b")), "type"))
    result = solve(game, "spe")
    doc = belief_document(game, result)
    behaviour = result.equilibria[0].details["behaviour"]
    expect = belief_thresholds(game, "R", behaviour)
    (entry,) = doc["infosets"]
    assert entry["exact_thresholds"] == list(expect.exact_thresholds) == ["1/3"]
    # With no behaviour for the later move the set cannot be valued: it is skipped, saying why.
    ((th, _, why),) = all_belief_thresholds(game)
    assert th is None and "late_a" in why


@settings(max_examples=40, deadline=None)
@given(multi_move_scenario_docs())
@example({"scenario": {"id": "multi", "title": "multi-move", "timing": [
    {"player": "US", "name": "us_0", "actions": ["keep", "drop", "engage"], "observes": []},
    {"chance": "nature0", "outcomes": {"good": 0.5, "bad": 0.5}},
    {"player": "Russia", "name": "russia_0", "actions": ["keep"], "observes": []},
    {"chance": "nature1", "outcomes": {"good": 1 / 3, "bad": 1 / 3, "odd": 1 / 3}},
    {"player": "NATO", "name": "nato_0", "actions": ["keep", "drop"], "observes": []},
    {"player": "Russia", "name": "russia_1", "actions": ["keep"], "observes": []}]},
    "parameters": {"p0": {"default": 0.5, "min": 0.0, "max": 1.0}, "p1": 1.5},
    "players": {"US": {}, "NATO": {}, "Russia": {}},
    "goals": [{"player": "US", "name": "goal0", "weight": 0.0, "rules": [{"when": {}, "value": 0.0}]}]})
def test_every_reported_threshold_separates_two_different_best_answers(doc):
    game = compile_scenario(parse_scenario(doc)).game()
    if not isinstance(game, ExtensiveFormGame):
        return
    # Later moves mixed uniformly (solving generated games, which tie a lot, can list thousands of SPE).
    behaviour = {h: [1 / len(acts)] * len(acts) for h, (_, acts) in game.infosets.items()}
    found = all_belief_thresholds(game, behaviour)
    assert [u.infoset for _, u, _ in found] == list(multi_node_infosets(game))
    for th, u, why in found:
        if th is None:  # skipped only when the exact enumeration would cost too much, and it says so
            n = sum(1 for _, x in iter_nodes(game.root) if isinstance(x, Decision) and x.infoset == u.infoset)
            m = len(game.infosets[u.infoset][1])
            assert m > 1 and vertex_work(n, m) > MAX_VERTEX_WORK and "too many" in why, why
            continue
        text = belief_text(th, u)
        assert text.startswith(f"{th.player} (at {th.infoset})") and th.player in game.players
        if len(th.nodes) != 2:
            continue
        move, outcome = u.event
        assert f"{move}={outcome}" in text or not th.exact_thresholds
        assert outcome in th.nodes[0].split("/")[1:]  # the event holds at the first node
        assert th.exact_thresholds == belief_thresholds(game, th.infoset, behaviour).exact_thresholds
        for q in map(Fraction, th.exact_thresholds):
            lo, hi = float(q) - 1e-9, float(q) + 1e-9
            assert th.best_answers([lo, 1 - lo]) != th.best_answers([hi, 1 - hi])
            if q.denominator <= 10**6:  # a fraction of float noise is shown by its decimal only
                assert f"{q} (" in text


def test_a_report_on_a_sequential_scenario_carries_the_same_sentences(threat):
    from analysis.report import build_report
    from analysis.sources import load_source

    src = load_source(threat)
    report = build_report([src], logit=False)
    texts = [b.text for b in report.blocks]
    at = texts.index("Beliefs: where an uncertain mover's best answer flips")
    doc = belief_document(src.game, src.results[0])
    assert src.results[0].method == "pbe"  # where a mover does not see an earlier move, PBE come first
    sentences = [e["text"] for e in doc["infosets"]]
    assert len(sentences) == 2 and texts[at + 2:at + 4] == sentences
    # Each set named by its mover, its move and what it has seen, not by its id.
    assert all(t.startswith("Russia (russia_answer), after US ") and "above 5/12 (0.4167)" in t for t in sentences)


def test_a_report_on_a_scenario_without_hidden_moves_has_no_beliefs_block():
    from pathlib import Path

    from analysis.report import build_report
    from analysis.sources import load_source

    path = Path(__file__).parent / "data" / "scenarios-v1" / "shield-as-chip.toml"
    report = build_report([load_source(path)], logit=False)
    assert not any(b.text.startswith("Beliefs:") for b in report.blocks)


def test_a_set_too_large_to_enumerate_is_skipped_saying_why():
    from sim.extensive import beliefs

    leaf = Decision(1, "R", ("a", "b", "c"), tuple(Terminal((0.0, float(k))) for k in range(3)))
    outs = tuple(f"t{k}" for k in range(40))
    game = ExtensiveFormGame.from_root(("S", "Rx"), Chance(outs, (1 / 40,) * 40, tuple(
        Decision(0, f"s{k}", ("m",), (leaf,)) for k in range(40))))
    ((th, u, why),) = beliefs.all_belief_thresholds(game)
    assert th is None and why == "40 nodes and 3 actions: too many for exact vertex enumeration"
    doc = belief_document(game, solve(game, "spe"))
    assert doc["infosets"][0]["skipped"] == why and doc["infosets"][0]["text"] is None


def test_a_report_whose_first_result_has_no_beliefs_gives_no_threshold(threat, monkeypatch):
    """Where no method with beliefs can run, the report's first result is spe: it says the
    thresholds are unavailable and why, and prints no number."""
    import sim.registry
    from analysis.report import build_report
    from analysis.sources import load_source

    monkeypatch.setattr(sim.registry, "solve_tree_default", lambda game, **kw: solve(game, "spe"))
    src = load_source(threat)
    assert src.results[0].method == "spe"
    texts = [b.text for b in build_report([src], logit=False).blocks]
    at = texts.index("Beliefs: where an uncertain mover's best answer flips")
    assert texts[at + 1].startswith("Belief thresholds are unavailable: spe's equilibria carry no beliefs")
    assert not any("when it believes" in t for t in texts)
