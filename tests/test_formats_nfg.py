"""Gambit ``.nfg`` reading and writing: exact round trips, every lexical form, and bad input.

Format reference: the Gambit manual, "Game representation formats" (strategic games, NFG 1).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import GameError
from sim.formats.nfg import format_nfg, parse_nfg, read_nfg
from sim.game import NormalFormGame
from tests.strategies import degenerate_games, games, nfg_games, nfg_texts, malformed_nfg_texts

PD_PAYOFF_LIST = 'NFG 1 R "PD" { "Row" "Col" } { { "C" "D" } { "C" "D" } } 3 3 5 0 0 5 1 1\n'
PD_OUTCOMES = """NFG 1 R "PD" { "Row" "Col" }
{ { "C" "D" }
{ "C" "D" }
}
"a comment"

{
{ "reward" 3, 3 }
{ "temptation" 5, 0 }
{ "sucker" 0, 5 }
{ "punishment" 1, 1 }
}
1 2 3 4
"""


# ----- the format, case by case --------------------------------------------------------------------
def test_payoff_list_order_is_player_one_fastest():
    g = parse_nfg(PD_PAYOFF_LIST)
    # Profiles in file order: (C,C) (D,C) (C,D) (D,D).
    assert g.payoffs[0, 0].tolist() == [3, 3]
    assert g.payoffs[1, 0].tolist() == [5, 0]
    assert g.payoffs[0, 1].tolist() == [0, 5]
    assert g.payoffs[1, 1].tolist() == [1, 1]
    assert g.players == ("Row", "Col") and g.actions == (("C", "D"), ("C", "D")) and g.title == "PD"


def test_outcome_list_equals_payoff_list():
    assert parse_nfg(PD_OUTCOMES) == parse_nfg(PD_PAYOFF_LIST)


def test_three_player_order():
    # 2x3x2 game whose payoff for each player encodes the profile: u = a0 + 10 a1 + 100 a2.
    shape = (2, 3, 2)
    numbers = []
    for a2 in range(2):
        for a1 in range(3):
            for a0 in range(2):  # player 1 fastest
                v = a0 + 10 * a1 + 100 * a2
                numbers += [v, -v, 2 * v]
    text = 'NFG 1 R "" { "a" "b" "c" } { 2 3 2 } ' + " ".join(map(str, numbers))
    g = parse_nfg(text)
    assert g.shape == shape
    for idx in np.ndindex(*shape):
        v = idx[0] + 10 * idx[1] + 100 * idx[2]
        assert g.payoffs[idx].tolist() == [v, -v, 2 * v]


def test_null_outcome_is_all_zeros_and_commas_are_optional():
    text = 'NFG 1 R "" { "A" "B" } { { "x" "y" } { "z" } } { { "o" 7 8 } { "p" -1, 2 } } 0 2'
    g = parse_nfg(text)
    assert g.payoffs[0, 0].tolist() == [0.0, 0.0]
    assert g.payoffs[1, 0].tolist() == [-1.0, 2.0]


@pytest.mark.parametrize(
    "token, value",
    [("3", 3.0), ("-3", -3.0), ("+3", 3.0), ("0.25", 0.25), (".5", 0.5), ("-.5", -0.5), ("2.", 2.0),
     ("1e3", 1000.0), ("1E-2", 0.01), ("-2.5e+2", -250.0), ("3/2", 1.5), ("-1/3", -1 / 3),
     ("1/10", 0.1), ("0.000000", 0.0), ("12345678901234567890", 12345678901234567890.0),
     ("1e+16", 1e16), ("2.2250738585072014e-308", 2.2250738585072014e-308), ("5e-324", 5e-324)],
)
def test_number_forms(token, value):
    g = parse_nfg(f'NFG 1 R "" {{ "A" }} {{ 1 }} {token}')
    assert g.payoffs[0, 0] == value


def test_rational_is_correctly_rounded():
    # float(1) / float(3) happens to round correctly; 2**60+1 over 3 would not via float division.
    num = 2**60 + 1
    g = parse_nfg(f'NFG 1 R "" {{ "A" }} {{ 1 }} {num}/3')
    from fractions import Fraction
    assert g.payoffs[0, 0] == float(Fraction(num, 3))


def test_strings_escapes_whitespace_and_comment():
    text = ('NFG 1 D "say \\"hi\\"" { "Pl \\"1\\"" "back\\\\slash" }\n'
            '{ { "multi\nline" "b" }\n { "c\\d" } }\n"comment { with } braces"\n1 2 3 4')
    g = parse_nfg(text)
    assert g.title == 'say "hi"'
    assert g.players == ('Pl "1"', "back\\slash")
    assert g.actions == (("multi\nline", "b"), ("c\\d",))


def test_title_is_optional_and_empty_names_become_positions():
    g = parse_nfg('NFG 1 R { "" "" } { { "" "x" } { "y" "" } } 0 0 0 0 0 0 0 0')
    assert g.players == ("1", "2") and g.actions == (("1", "x"), ("y", "2"))


def test_format_writes_gambit_layout():
    g = parse_nfg(PD_OUTCOMES)
    assert format_nfg(g) == (
        'NFG 1 R "PD" { "Row" "Col" }\n{ { "C" "D" } { "C" "D" } }\n""\n3 3 5 0 0 5 1 1\n'
    )
    out = format_nfg(g, outcomes=True)
    assert out.endswith('{\n{ "" 3, 3 }\n{ "" 5, 0 }\n{ "" 0, 5 }\n{ "" 1, 1 }\n}\n1 2 3 4\n')


def test_format_shares_outcomes_between_equal_payoff_vectors():
    g = NormalFormGame.from_bimatrix([[1, 0], [0, 1]], [[1, 0], [0, 1]])
    out = format_nfg(g, outcomes=True)
    assert out.count('{ ""') == 2 and out.rstrip().endswith("1 2 2 1")


def test_read_nfg_reads_file_and_names_path_in_errors(tmp_path):
    p = tmp_path / "game.nfg"
    p.write_text(PD_OUTCOMES)
    assert read_nfg(p) == parse_nfg(PD_PAYOFF_LIST)
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "" { "A" "B" }\n{ 2 2 }\n1 2 abc 4 5 6 7 8')
    with pytest.raises(GameError, match=re.escape(f"{bad}: line 3: expected a payoff (a number); got 'abc'")):
        read_nfg(bad)
    with pytest.raises(GameError, match=re.escape(f"{tmp_path / 'missing.nfg'}: cannot read the file")):
        read_nfg(tmp_path / "missing.nfg")
    latin = tmp_path / "latin.nfg"
    latin.write_bytes('NFG 1 R "caf\xe9" { "A" } { 1 } 1'.encode("latin-1"))
    assert read_nfg(latin).title == "caf\xe9"


# ----- malformed input: exact messages ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text, message",
    [
        ("", "line 1: expected the file type 'NFG'; got end of file"),
        ('EFG 2 R "" { "A" }', "line 1: expected the file type 'NFG'; got 'EFG'"),
        ('NFG 2 R "" { "A" } { 1 } 1', "expected format version 1 (only 'NFG 1' is supported); got '2'"),
        ('NFG 1 X "" { "A" } { 1 } 1', "expected the number type 'R' or 'D'; got 'X'"),
        ('NFG 1 R "" { } { } ', "expected at least one player in the player list; got '}'"),
        ('NFG 1 R "" { "A" "B" } { { "x" } { } } 1 2', "player 'B' (empty action set); got '}'"),
        ('NFG 1 R "" { "A" "B" } { 2 0 } ', "player 'B' needs at least one strategy (empty action set); got '0'"),
        ('NFG 1 R "" { "A" } { 1.5 } 1', "expected the number of strategies of player 'A' (an integer); got '1.5'"),
        ('NFG 1 R "" { "A" "B" } { 1 1 }\n1 nan', "line 2: expected a payoff (a number); got 'nan'"),
        ('NFG 1 R "" { "A" } { 1 } 1e999', "a payoff (a number) must be finite and representable as a float; got '1e999'"),
        ('NFG 1 R "" { "A" } { 1 } 1/0', "must be finite and representable as a float; got '1/0'"),
        ('NFG 1 R "" { "A" } { 2 } 1', "expected 2 payoffs (2 profiles x 1 players); got only 1 tokens"),
        ('NFG 1 R "" { "A" } { 1 } 1 2', "expected end of file after the last profile; got '2'"),
        ('NFG 1 R "" { "A" } { 1 } { { "o" 1 } } 2', "outcome index must be in 0..1; got '2'"),
        ('NFG 1 R "" { "A" } { 1 } { { "o" 1 2 } } 1', "expected '}' closing outcome 1 after 1 payoffs; got '2'"),
        ('NFG 1 R "" { "A" } { 1 } { { o 1 } } 1', "expected an outcome name (a quoted string); got 'o'"),
        ('NFG 1 R "" { "A" } { 1 } "x" "y"', "expected the body: an outcome list '{' or a payoff number; got '\"y\"'"),
        ('NFG 1 R "" { "A" } { 1 }\n1 "oops', "line 2: unterminated string; got '\"oops'"),
        ('NFG 1 R "" { "A" "A" } { 1 1 } 1 2', "line 1: player names must be unique; got 'A' twice"),
        ('NFG 1 R "" { "A" } { { "x" "x" } } 1 2', "strategy (player 'A') names must be unique; got 'x' twice"),
        ('NFG 1 R "" { "A" } { 99999999999 } 1', "too many strategies for player 'A' (at most 1,000,000); got '99999999999'"),
        ('NFG 1 R "" { "A" "B" } { 5000 5000 } 1 2', "the game has more than 1,000,000 profiles (5000 x 5000); refused"),
    ],
)
def test_malformed_files_raise_game_error_naming_source_line_and_token(text, message):
    with pytest.raises(GameError, match=re.escape(message)) as info:
        parse_nfg(text, source="game.nfg")
    assert str(info.value).startswith("game.nfg: ")
    assert "\n" not in str(info.value)


def test_non_string_text_is_refused():
    with pytest.raises(GameError, match=r"parse_nfg\(\): text must be a str; got bytes"):
        parse_nfg(b"NFG 1 R")
    with pytest.raises(GameError, match=r"format_nfg\(\): game must be a NormalFormGame; got list"):
        format_nfg([[1]])


# ----- properties ---------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(game=nfg_games(), outcomes=st.booleans())
def test_format_then_parse_is_exact(game, outcomes):
    again = parse_nfg(format_nfg(game, outcomes=outcomes))
    assert again == game
    assert again.players == game.players and again.actions == game.actions and again.title == game.title
    assert again.payoffs.tobytes() == game.payoffs.tobytes()  # bit for bit, signed zeros too


@settings(max_examples=40, deadline=None)
@given(game=st.one_of(games(), degenerate_games()))
def test_payoff_list_and_outcome_list_describe_the_same_game(game):
    assert parse_nfg(format_nfg(game, outcomes=True)) == parse_nfg(format_nfg(game))


@settings(max_examples=60, deadline=None)
@given(text=nfg_texts())
def test_parse_format_parse_is_stable(text):
    game = parse_nfg(text)
    once = format_nfg(game)
    assert parse_nfg(once) == game
    assert format_nfg(parse_nfg(once)) == once


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=malformed_nfg_texts())
def test_mutated_files_raise_only_game_error(text):
    # Truncations, token swaps and garbage may still be a valid file by chance; either way the
    # reader must return a game or raise GameError naming the source, never another exception.
    try:
        game = parse_nfg(text, source="fuzz.nfg")
    except GameError as exc:
        assert str(exc).startswith("fuzz.nfg: ")
    else:
        assert isinstance(game, NormalFormGame)
        assert np.all(np.isfinite(game.payoffs))
        assert parse_nfg(format_nfg(game)) == game
