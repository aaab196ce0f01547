"""Conformance of enummixed with Gambit's enummixed on Gambit's own example games.

Every two-player ``.nfg`` in ``tests/data/gambit/`` (copied from the Gambit project's
``contrib/games``, GPL-2.0-or-later; see the README there) must give the same set of extreme
equilibria as pygambit's ``enummixed_solve`` in exact rational arithmetic, run at test time in a
subprocess. The catalogue game ``vonstengel1999_6x6_75eq.nfg`` (von Stengel 1999, "New maximal
numbers of equilibria in bimatrix games", Discrete Comput. Geom. 21) has exactly 75 equilibria.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.formats.nfg import read_nfg
from sim.solvers.mixed import enummixed_solve, lcp_solve
from tests.oracles import OracleFailed, gambit_equilibria_many

DATA = Path(__file__).parent / "data" / "gambit"
TWO_PLAYER = sorted(p.name for p in DATA.glob("*.nfg") if read_nfg(p).n_players == 2)


def profile_set(profiles, digits=6):
    return {tuple(np.round(np.concatenate([np.asarray(s, float) for s in p]), digits) + 0.0) for p in profiles}


def test_the_corpus_is_there():
    # A missing copy would silently shrink the parametrised test below.
    assert len(TWO_PLAYER) >= 30, TWO_PLAYER


@pytest.fixture(scope="module")
def gambit_corpus_equilibria():
    """pygambit's exact extreme equilibria of every corpus game, from ONE subprocess.

    Starting pygambit costs seconds on a busy machine; one process per game made this file
    spend most of its time importing. A failure is returned, not raised, so that each test skips.
    """
    texts = [(DATA / name).read_text() for name in TWO_PLAYER]
    try:
        return dict(zip(TWO_PLAYER, gambit_equilibria_many(texts, method="enummixed", timeout=300)))
    except OracleFailed as exc:
        return exc


@pytest.mark.slow
@pytest.mark.gambit
@pytest.mark.parametrize("name", TWO_PLAYER)
def test_same_extreme_equilibria_as_gambit(name, gambit_corpus_equilibria):
    game = read_nfg(DATA / name)
    result = enummixed_solve(game)
    for eq in result.equilibria:
        assert eq.max_regret <= 1e-9 * game.payoff_scale
    if isinstance(gambit_corpus_equilibria, OracleFailed):
        pytest.skip(f"pygambit oracle unavailable: {gambit_corpus_equilibria}")
    assert profile_set(e.profile for e in result.equilibria) == profile_set(gambit_corpus_equilibria[name])


def test_von_stengel_6x6_game_has_75_equilibria_with_negligible_regret():
    game = read_nfg(DATA / "vonstengel1999_6x6_75eq.nfg")
    result = enummixed_solve(game)
    assert len(result.equilibria) == 75
    assert not result.degenerate
    assert len(profile_set(e.profile for e in result.equilibria)) == 75
    for eq in result.equilibria:
        assert eq.max_regret <= 1e-12 * game.payoff_scale
    found = profile_set(e.profile for e in result.equilibria)
    for label in range(12):
        assert profile_set([lcp_solve(game, start=label).equilibria[0].profile]) <= found
