"""Conformance on Gambit's example extensive games (tests/data/gambit/*.efg, from the Gambit
project's contrib/games, GPL-2.0-or-later): our reduced normal form has the same pure equilibria
as pygambit computes on its own reduced strategic form of the same file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.formats.efg import read_efg
from sim.solvers.pure import enumpure_solve
from tests.oracles import OracleFailed, gambit_efg_pure_plans_many

DATA = Path(__file__).parent / "data" / "gambit"
FILES = sorted(DATA.glob("*.efg"))

# Stated skips (never silent): the reduced normal forms are too large for either side.
TOO_LARGE = {
    "cs.efg": "4-player chain store: 16384x2x8x512 reduced strategies",
    "ttt.efg": "tic-tac-toe: more than 20000 reduced strategies for player 2",
    "montyhal.efg": "pygambit's enumpure takes over 15 s on its 12x512 reduced form",
}
SLOW = set()  # the oracle runs once for all files (module fixture, marked slow below)


def _our_plans(game):
    """Pure equilibria of our reduced normal form as plans {infoset id: action index}."""
    from sim.extensive.reduced import reduced_strategies

    nf = game.reduced_normal_form()
    plans = reduced_strategies(game)
    out = set()
    for eq in enumpure_solve(nf).equilibria:
        prof = []
        for i, s in enumerate(eq.pure_profile):
            prof.append(frozenset((h, game.infosets[h][1].index(a)) for h, a in plans[i][s].items()))
        out.add(tuple(prof))
    return out


def _gambit_ids(game, labels):
    """Our infoset id of each Gambit infoset (see sim.formats.efg: names when distinct, else P:N)."""
    flat = [lab for labs in labels for lab in labs]
    if all(lab in game.infosets for lab in flat) and len(set(flat)) == len(flat):
        return [list(labs) for labs in labels]
    return [[f"{i + 1}:{k + 1}" for k in range(len(labs))] for i, labs in enumerate(labels)]


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gambit_answers():
    """pygambit's answers for every file at once: one subprocess, one import of pygambit."""
    try:
        return gambit_efg_pure_plans_many([p for p in FILES if p.name not in TOO_LARGE], timeout=240)
    except OracleFailed as exc:
        pytest.skip(f"pygambit oracle unavailable: {exc}")


@pytest.mark.parametrize("path", [
    pytest.param(p, id=p.name, marks=[pytest.mark.slow] if p.name in SLOW else [])
    for p in FILES])
def test_reduced_form_pure_equilibria_match_gambit(path, gambit_answers):
    if path.name in TOO_LARGE:
        pytest.skip(TOO_LARGE[path.name])
    game = read_efg(path)
    answer = gambit_answers[str(path)]
    if isinstance(answer, OracleFailed):
        pytest.skip(f"pygambit refuses {path.name}: {answer}")
    labels, equilibria = answer
    ids = _gambit_ids(game, labels)
    theirs = {tuple(frozenset((ids[i][k], a) for k, a in plan.items()) for i, plan in enumerate(eq))
              for eq in equilibria}
    assert _our_plans(game) == theirs
