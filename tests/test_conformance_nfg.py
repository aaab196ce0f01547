"""Conformance of the ``.nfg`` reader and of ``enumpure`` on Gambit's own example games.

Corpus: every ``.nfg`` file in ``tests/data/gambit/`` (Gambit ``contrib/games`` and catalogue,
GPL-2.0-or-later; see the README there). For each file: it parses, it round trips exactly through
both body variants, and our pure equilibria are exactly pygambit's ``enumpure_solve`` set (pygambit
reads the same file text, so this also checks our reading of the payoff order).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.formats.nfg import format_nfg, parse_nfg, read_nfg
from sim.solvers.pure import enumpure_solve
from tests.oracles import OracleFailed, gambit_equilibria, gambit_equilibria_many

DATA = Path(__file__).parent / "data" / "gambit"
CORPUS = sorted(DATA.glob("*.nfg"))


def test_corpus_is_present():
    # The 44 Gambit contrib games and von Stengel's 6x6 game at least; a missing copy would
    # silently shrink every parametrised test below.
    names = {p.name for p in CORPUS}
    assert len(CORPUS) >= 45
    assert {"e04.nfg", "2x2x2x2x2.nfg", "sww1.nfg", "vonstengel1999_6x6_75eq.nfg"} <= names


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_file_parses_and_round_trips(path):
    game = read_nfg(path)
    assert game.n_players >= 1 and all(n >= 1 for n in game.shape)
    for outcomes in (False, True):
        text = format_nfg(game, outcomes=outcomes)
        again = parse_nfg(text, source=f"{path.name} (formatted)")
        assert again == game
        assert again.title == game.title
        assert again.payoffs.tobytes() == game.payoffs.tobytes()  # bit for bit, -0.0 included
        # parse -> format -> parse -> format is a fixed point.
        assert format_nfg(again, outcomes=outcomes) == text


def _profile_set(equilibria) -> set[tuple[int, ...]]:
    out = set()
    for eq in equilibria:
        for s in eq:
            # pygambit's pure equilibria are exact 0/1 vectors; anything else is an oracle surprise.
            assert sorted(np.round(s, 12).tolist())[-1] == 1.0 and np.isclose(s.sum(), 1.0)
        out.add(tuple(int(np.argmax(s)) for s in eq))
    return out


@pytest.fixture(scope="module")
def gambit_pure():
    """pygambit enumpure on every corpus file as shipped and as we write it back (both body
    variants), in one subprocess (pygambit starts slowly). Keys: (file name, variant)."""
    variants = {"original": lambda p: p.read_text(),
                "payoff-list": lambda p: format_nfg(read_nfg(p)),
                "outcome-list": lambda p: format_nfg(read_nfg(p), outcomes=True)}
    keys = [(p.name, v) for p in CORPUS for v in variants]
    texts = [variants[v](DATA / name) for name, v in keys]
    try:
        results = gambit_equilibria_many(texts, method="enumpure")
    except OracleFailed as exc:  # pragma: no cover - depends on the installed oracle
        pytest.skip(f"pygambit oracle unavailable: {exc}")
    return {k: _profile_set(r) for k, r in zip(keys, results)}


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_enumpure_matches_pygambit(path, gambit_pure):
    result = enumpure_solve(read_nfg(path))
    ours = {e.pure_profile for e in result.equilibria}
    assert ours == gambit_pure[path.name, "original"]
    # Gambit reads the files we write as the same game (as far as its pure equilibria show).
    assert gambit_pure[path.name, "payoff-list"] == ours
    assert gambit_pure[path.name, "outcome-list"] == ours
    assert result.complete
    scale = result.game.payoff_scale
    assert all(e.max_regret <= 1e-9 * scale for e in result.equilibria)


@pytest.mark.slow
def test_single_text_oracle_reads_nfg_with_pygambit_16():
    # The one-game oracle's nfg path (gbt.read_nfg on a text buffer) on the Prisoner's Dilemma,
    # whose only equilibrium is (defect, defect) = second strategy of each player.
    text = (DATA / "pd.nfg").read_text()
    eqs = gambit_equilibria(nfg_text=text, method="enumpure")
    assert _profile_set(eqs) == {(1, 1)}
    assert {e.pure_profile for e in enumpure_solve(parse_nfg(text)).equilibria} == {(1, 1)}


def test_known_corpus_facts():
    # Facts stated in the files' own titles (Gambit contrib/games).
    assert len(enumpure_solve(read_nfg(DATA / "8x8.nfg")).equilibria) == 3  # "5 equilibria (3 pure)"
    assert len(enumpure_solve(read_nfg(DATA / "3x3x3.nfg")).equilibria) == 2  # "(two pure)"
    assert enumpure_solve(read_nfg(DATA / "2x2.nfg")).equilibria == ()  # unique mixed equilibrium
    # e04.nfg uses the older "{ 3 2 }" strategy-count header and a payoff-list body.
    e04 = read_nfg(DATA / "e04.nfg")
    assert e04.actions == (("1", "2", "3"), ("1", "2"))
    assert e04.payoffs[2, 0].tolist() == [-2.0, -2.0] and e04.payoffs[0, 1].tolist() == [0.0, 0.0]
