"""Gambit .efg reading and writing (tests/data/gambit: Gambit project contrib/games, GPL-2.0-or-later)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from sim.errors import GameError
from sim.formats.efg import format_efg, parse_efg, read_efg
from tests.strategies import perfect_information_trees

DATA = Path(__file__).parent / "data" / "gambit"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.efg")), ids=lambda p: p.name)
def test_every_corpus_file_round_trips(path):
    game = read_efg(path)
    text = format_efg(game)
    again = parse_efg(text, source="formatted")
    assert again == game
    assert format_efg(again) == text


@settings(max_examples=40, deadline=None)
@given(perfect_information_trees(integer_payoffs=False))
def test_generated_trees_round_trip(game):
    assert parse_efg(format_efg(game)) == game


def test_nonterminal_outcomes_add_to_terminal_payoffs():
    # Gambit's 2smp.efg attaches "Match" (1, -1) to a stage-two decision node.
    game = read_efg(DATA / "2smp.efg")
    nf = game.reduced_normal_form()
    assert nf.payoffs.max() == pytest.approx(2.0)


@pytest.mark.parametrize("text, line, token", [
    ('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" } 0\nt "" 1 "o" { 1 2 }\n', 4, None),
    ('EFG 2 R "x" { "A" }\n""\np "" 2 1 "" { "a" } 0\nt "" 0\n', 3, "'2'"),
    ('EFG 2 R "x" { "A" }\n""\nq "" 1\n', 3, "'q'"),
    ('EFG 2 R "x" { "A" }\n""\nc "" 1 "" { "h" 1/2 "t" 1/3 } 0\nt "" 0\nt "" 0\n', None, None),
    ('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" } 0\nt "" 1 "o" { zz }\n', 4, "'zz'"),
    ('EFG 2 R "x" { "A" }\n""\np "" 1 1 "" { "a" "b" } 0\nt "" 0\n', 4, "end of file"),
    ('NFG 1 R "x"', 1, "'NFG'"),
])
def test_malformed_input_names_source_line_and_token(text, line, token):
    with pytest.raises(GameError) as info:
        parse_efg(text, source="bad.efg")
    msg = str(info.value)
    assert msg.startswith("bad.efg")
    if line is not None:
        assert f"bad.efg:{line}:" in msg
    if token is not None:
        assert token in msg
