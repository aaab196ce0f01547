"""Engine checks on fixed games: the first versions of the founding scenarios (tests/data/scenarios-v1).

The shipped files in ``scenarios/`` are rebuilt as the modelling improves; these copies stay as
they were, so the equilibria, payoffs and exports below test the solvers, the exporters and the
command line, not the current reading of the article.

Seed article: Lafuraki, "NATO's Call on Russia for Cooperation: Goals and Possibilities",
29 September 2009 (tests/data/seed_article.txt).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from sim.scenario import compile_scenario, load_scenario
from sim.solvers import solve
from tests.oracles import gambit_equilibria

V1 = Path(__file__).resolve().parent / "data" / "scenarios-v1"
FILES = sorted(V1.glob("*.toml"))
IDS = [p.stem for p in FILES]


def test_baseline_equilibria_tell_the_story():
    """Cooperation after the drop, the confrontation of the kept shield, and a drop that buys nothing."""
    game = compile_scenario(load_scenario(V1 / "baseline-2009.toml")).game()
    named = sorted(tuple(game.actions[i][a] for i, a in enumerate(e.pure_profile))
                   for e in solve(game, "enumpure").equilibria)
    assert named == [
        ("drop_shield", "engage", "pressure_halt", "halt"),
        ("drop_shield", "isolate", "shield_halt", "proceed"),
        ("keep_shield", "isolate", "shield_deploy", "proceed"),
    ]
    # Raising Iran's value of the bomb above its fear of sanctions breaks the cooperative equilibrium.
    game2 = compile_scenario(load_scenario(V1 / "baseline-2009.toml")).game({"iran_bomb_value": 4.0})
    named2 = {tuple(game2.actions[i][a] for i, a in enumerate(e.pure_profile))
              for e in solve(game2, "enumpure").equilibria}
    assert ("drop_shield", "engage", "pressure_halt", "halt") not in named2


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_first_version_has_a_pure_equilibrium_with_zero_regret(path):
    compiled = compile_scenario(load_scenario(path))
    game = compiled.game()
    if compiled.sequential:
        assert game.perfect_recall()
        game = game.reduced_normal_form()
    result = solve(game, "enumpure")
    assert result.equilibria
    assert all(e.max_regret <= 1e-9 for e in result.equilibria)


@pytest.mark.slow
@pytest.mark.gambit
@pytest.mark.parametrize("name", ["baseline-2009", "afghanistan-transit", "precedent-2002"])
def test_pure_equilibria_agree_with_pygambit(name):
    game = compile_scenario(load_scenario(V1 / f"{name}.toml")).game()
    ours = sorted(e.pure_profile for e in solve(game, "enumpure").equilibria)
    theirs = sorted(tuple(int(np.argmax(s)) for s in eq) for eq in gambit_equilibria(game.payoffs, "enumpure"))
    assert ours == theirs


@pytest.mark.slow
@pytest.mark.filterwarnings(r"ignore:\s*An even number:RuntimeWarning")
def test_pure_equilibria_agree_with_quantecon_and_nashpy():
    import nashpy
    import quantecon.game_theory as gt

    game = compile_scenario(load_scenario(V1 / "baseline-2009.toml")).game()
    ours = sorted(e.pure_profile for e in solve(game, "enumpure").equilibria)
    # QuantEcon takes the same (n_0, ..., n_{N-1}, N) payoff-profile array.
    assert sorted(gt.pure_nash_brute(gt.NormalFormGame(np.array(game.payoffs)))) == ours

    two = compile_scenario(load_scenario(V1 / "afghanistan-transit.toml")).game()
    ours2 = sorted(e.pure_profile for e in solve(two, "enumpure").equilibria)
    nash = nashpy.Game(two.payoff_array(0), two.payoff_array(1))
    pure2 = sorted(tuple(int(np.argmax(s)) for s in eq) for eq in nash.support_enumeration()
                   if all(np.isclose(s.max(), 1.0) for s in eq))
    assert pure2 == ours2


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_exported_nfg_reads_back_equal(path, tmp_path):
    if importlib.util.find_spec("sim.formats.nfg") is None:
        pytest.skip("sim.formats.nfg (the .nfg writer and reader) has not landed yet")
    from sim.formats.nfg import read_nfg

    out = tmp_path / "game.nfg"
    assert main(["export", str(path), "--to", "nfg", "--out", str(out)]) == 0
    compiled = compile_scenario(load_scenario(path))
    game = compiled.game()
    if compiled.sequential:
        game = game.reduced_normal_form()
    back = read_nfg(out)
    assert back.shape == game.shape and back.actions == game.actions
    np.testing.assert_allclose(back.payoffs, game.payoffs, atol=1e-12)
    assert sorted(e.pure_profile for e in solve(back, "enumpure").equilibria) == \
        sorted(e.pure_profile for e in solve(game, "enumpure").equilibria)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_exported_efg_reads_back_equal(path, tmp_path):
    from sim.formats.efg import read_efg

    out = tmp_path / "game.efg"
    assert main(["export", str(path), "--to", "efg", "--out", str(out)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["game.efg"]  # no temporary file left behind
    compiled = compile_scenario(load_scenario(path))
    back = read_efg(out)
    assert back == compiled.extensive_game()
    np.testing.assert_allclose(back.reduced_normal_form().payoffs,
                               compiled.extensive_game().reduced_normal_form().payoffs, atol=1e-12)


def test_solve_show_and_set_on_a_scenario(capsys):
    path = str(V1 / "baseline-2009.toml")
    assert main(["solve", path]) == 0
    out = capsys.readouterr().out
    assert "US=drop_shield; NATO=engage; Russia=pressure_halt; Iran=halt" in out
    assert main(["show", path, "--set", "iran_bomb_value=4"]) == 0
    out = capsys.readouterr().out
    assert "To prevent NATO from possibly taking anti-Russia positions" in out
    assert "iran_bomb_value = 4 in [0, 5]  (assumption)" in out
    assert len([line for line in out.splitlines() if "|" in line]) == 1 + 32  # header + every profile
    assert main(["solve", path, "--set", "iran_bomb_value=99"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "parameters.iran_bomb_value" in err[0] and "99" in err[0]
    assert main(["solve", path, "--set", "no_such=1"]) == 2
    assert "unknown parameter" in capsys.readouterr().err
