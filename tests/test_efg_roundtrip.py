"""Multi-move scenarios (several moves per player, conditions, chance moves seen by some players)
exported to Gambit ``.efg``: our reader gives back the same tree, and pygambit reads the same
numbers of nodes, information sets per player and actions, and the same payoffs at each terminal.

Gambit 16 refuses two nodes with one non-empty label; a scenario's tree labels every node of a
move by the move's name, so the file numbers repeated labels (``sim.formats.efg.NUMBERED_LABELS``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

from analysis.cli import main
from analysis.commands.export import export_text
from sim.extensive.nodes import Chance, Decision, Terminal, iter_nodes
from sim.extensive.tree import ExtensiveFormGame
from sim.formats.efg import NUMBERED_LABELS, format_efg, parse_efg, read_efg
from sim.scenario import compile_scenario, load_scenario, parse_scenario
from tests.oracles import OracleFailed, gambit_tree_shapes_many
from tests.strategies import multi_move_scenario_docs

THREAT = Path(__file__).parent / "data" / "scenarios-language" / "shield-threat.toml"


def _shape(game) -> dict:
    """What pygambit reports of a tree (see :func:`tests.oracles.gambit_tree_shapes_many`), from
    our tree: infosets per player in order of first appearance, chance infosets as the writer
    numbers them (one per unnamed chance node), terminal payoffs in preorder."""
    actions: list[dict[str, int]] = [{} for _ in game.players]
    chance: dict = {}
    terminals = []
    for _, node in iter_nodes(game.root):
        if isinstance(node, Decision):
            actions[node.player].setdefault(node.infoset, len(node.actions))
        elif isinstance(node, Chance):
            key = (node.infoset, node.outcomes, node.probs) if node.infoset else id(node)
            chance.setdefault(key, len(node.outcomes))
        else:
            terminals.append(list(node.payoffs))
    return {"nodes": game.n_nodes, "infosets": [len(a) for a in actions],
            "actions": [list(a.values()) for a in actions], "chance_actions": list(chance.values()),
            "terminal_payoffs": terminals}


def _assert_same_shape(ours: dict, theirs: dict) -> None:
    for key in ("nodes", "infosets", "actions", "chance_actions"):
        assert theirs[key] == ours[key], key
    np.testing.assert_allclose(np.array(theirs["terminal_payoffs"]), np.array(ours["terminal_payoffs"]),
                               rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(multi_move_scenario_docs())
def test_exported_multi_move_scenario_reads_back_to_the_same_tree(doc):
    compiled = compile_scenario(parse_scenario(doc))
    game = compiled.extensive_game()
    text = export_text(compiled, "efg")
    back = parse_efg(text)
    assert back == game
    # Every node label in the file is distinct or empty, as Gambit requires.
    written = [line.split('"')[1] for line in text.splitlines()[3:]]
    assert len({a for a in written if a}) == len([a for a in written if a])
    assert (NUMBERED_LABELS in text.splitlines()[1]) == (written != [n.label for _, n in iter_nodes(game.root)])


def test_the_threat_scenario_exports_numbered_labels_and_reads_back(tmp_path):
    out = tmp_path / "threat.efg"
    assert main(["export", str(THREAT), "--to", "efg", "--out", str(out)]) == 0
    text = out.read_text()
    assert f'"{NUMBERED_LABELS}"' in text and 'p "russia_answer#2" 2 2' in text
    game = compile_scenario(load_scenario(THREAT)).extensive_game()
    assert read_efg(out) == game
    # The labels read back are the move names, not the numbered ones.
    assert {n.label for _, n in iter_nodes(read_efg(out).root) if isinstance(n, Decision)} == {
        "us_announce", "russia_answer", "us_execute", "Iran"}


def test_a_file_without_the_comment_keeps_labels_that_look_numbered():
    text = 'EFG 2 R "" { "A" } ""\np "x#1" 1 1 "a" { "L" } 0\nt "y#2" 1 "" { 1 }\n'
    back = parse_efg(text)
    assert back.root.label == "x#1" and back.root.children[0].label == "y#2"
    assert parse_efg(format_efg(back)) == back


def test_labels_ending_in_a_number_survive_when_others_repeat():
    root = Decision(0, "a", ("L", "R"), (Decision(0, "b", ("x",), (Terminal((1.0,), "t#3"),), "m"),
                                        Decision(0, "c", ("x",), (Terminal((0.0,), "u"),), "m")), "r#1")
    game = ExtensiveFormGame.from_root(("A",), root)
    text = format_efg(game)
    assert NUMBERED_LABELS in text and '"r#1#1"' in text and '"t#3#1"' in text
    assert parse_efg(text) == game


def _examples(n: int) -> list[dict]:
    """``n`` generated multi-move scenario documents, the same on every run."""
    out: list[dict] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(multi_move_scenario_docs())
    def collect(doc):
        out.append(doc)

    collect()
    return out


@pytest.mark.gambit
def test_pygambit_reads_exported_multi_move_scenarios_with_the_same_tree():
    games = [compile_scenario(load_scenario(THREAT)).extensive_game()]
    games += [compile_scenario(parse_scenario(d)).extensive_game() for d in _examples(12)]
    texts = [format_efg(g) for g in games]
    try:
        answers = gambit_tree_shapes_many(texts, timeout=240)
    except OracleFailed as exc:
        pytest.skip(f"pygambit oracle unavailable: {exc}")
    for game, text, answer in zip(games, texts, answers):
        assert not isinstance(answer, OracleFailed), (str(answer), text)
        _assert_same_shape(_shape(game), answer)
    # The threat scenario: 47 nodes; the US decides at 6 information sets, Russia and Iran at 2.
    assert answers[0]["nodes"] == 47 and answers[0]["infosets"] == [6, 2, 2]
