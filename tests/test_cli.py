"""``bargain solve`` on Gambit ``.nfg`` files: the JSON document, the text tables, and bad input.

Bad input must end with exit code 2 and one line on stderr, never a traceback; the subprocess
tests check that through the real entry point (``python -m analysis.cli``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis.cli import main
from sim.formats.nfg import read_nfg

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "tests" / "data" / "scenarios-v1"  # frozen copies of the founding scenarios, for the engine's tests
DATA = Path(__file__).parent / "data" / "gambit"
PD = DATA / "pd.nfg"  # Gambit contrib/games: Prisoner's Dilemma, unique equilibrium (2, 2)
THREE = DATA / "2x2x2.nfg"  # Gambit contrib/games: McKelvey-McLennan 2x2x2 game


def run_main(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ----- the JSON document ----------------------------------------------------------------------------
def test_json_document_has_the_documented_shape(capsys):
    code, out, err = run_main(capsys, "solve", PD, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert set(doc) == {"source", "game", "results"}
    assert doc["game"] == {"players": ["Player 1", "Player 2"],
                           "actions": {"Player 1": ["1", "2"], "Player 2": ["1", "2"]}}
    (result,) = doc["results"]
    assert set(result) == {"method", "params", "complete", "degenerate", "converged", "equilibria", "details"}
    assert result["method"] == "enumpure" and result["complete"] is True and result["degenerate"] is False
    (eq,) = result["equilibria"]
    assert {"profile", "payoffs", "support", "max_regret"} <= set(eq)
    assert eq["profile"] == {"Player 1": {"1": 0.0, "2": 1.0}, "Player 2": {"1": 0.0, "2": 1.0}}
    assert eq["payoffs"] == {"Player 1": 1.0, "Player 2": 1.0}
    assert eq["support"] == {"Player 1": ["2"], "Player 2": ["2"]}
    assert eq["max_regret"] == 0.0


def test_json_results_follow_method_order_and_every_profile_is_certified(capsys):
    code, out, _ = run_main(capsys, "solve", THREE, "--json", "-m", "dominance", "--method", "enumpure")
    assert code == 0
    doc = json.loads(out)
    assert [r["method"] for r in doc["results"]] == ["dominance", "enumpure"]
    game = read_nfg(THREE)
    for result in doc["results"]:
        for eq in result["equilibria"]:
            profile = [np.array([eq["profile"][p][a] for a in game.actions[i]]) for i, p in enumerate(game.players)]
            # Recompute the regret from the printed profile: the document must describe a real equilibrium.
            assert game.max_regret(profile) <= 1e-7 * game.payoff_scale
            assert eq["max_regret"] == pytest.approx(game.max_regret(profile), abs=1e-12)
    pure = doc["results"][1]["equilibria"]
    assert len(pure) == len({json.dumps(e["profile"], sort_keys=True) for e in pure})


def test_repeated_method_runs_once(capsys):
    code, out, _ = run_main(capsys, "solve", PD, "--json", "-m", "enumpure", "-m", "enumpure")
    assert code == 0 and len(json.loads(out)["results"]) == 1


def test_text_output_names_players_and_actions(capsys):
    code, out, _ = run_main(capsys, "solve", PD)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Two person Prisoner's Dilemma game: 2 players, 2x2")
    assert lines[1].startswith("enumpure: 1 equilibrium")
    assert "Player 1=2; Player 2=2" in lines[2]


# ----- refusals -----------------------------------------------------------------------------------
def test_two_player_method_on_three_player_game_is_one_line_exit_2(capsys):
    code, out, err = run_main(capsys, "solve", THREE, "-m", "enumpure", "-m", "enummixed", "--json")
    assert code == 2
    assert out == ""  # nothing printed for the method that could run: never half a document
    assert err == ("bargain solve: error: method 'enummixed' applies to 2-player games only; "
                   "this game has 3 players\n")


def test_unknown_method_lists_the_choices(capsys):
    code, out, err = run_main(capsys, "solve", PD, "-m", "simplex")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("bargain solve: error: unknown method 'simplex'; choose one of: enumpure, ")


def test_option_reaches_the_solver(capsys):
    """``--option lambda=0.5`` gives the QRE at lambda 0.5, not the traced Nash limit."""
    code, out, _ = run_main(capsys, "solve", PD, "-m", "logit", "--option", "lambda=0.5", "--json")
    assert code == 0
    (res,) = json.loads(out)["results"]
    assert res["params"]["lam"] == 0.5
    (eq,) = res["equilibria"]
    # At lambda = 0.5 the QRE of the prisoner's dilemma is interior: both actions keep weight.
    assert all(0.05 < p < 0.95 for p in eq["profile"]["Player 1"].values())
    code, out, _ = run_main(capsys, "solve", PD, "-m", "logit", "--json")
    (limit,) = json.loads(out)["results"][0]["equilibria"]
    assert max(limit["profile"]["Player 1"].values()) > 0.999


def test_method_scoped_option_goes_to_that_method_only(capsys):
    code, out, _ = run_main(capsys, "solve", PD, "-m", "enumpure", "-m", "correlated",
                            "-o", "correlated.objective=min_welfare", "--json")
    assert code == 0
    res = json.loads(out)["results"]
    assert res[1]["params"]["objective"] == "min_welfare"
    assert "objective" not in res[0]["params"]


@pytest.mark.parametrize("argv, message", [
    (["-m", "logit", "-o", "lamda=3"],
     "method 'logit' has no option 'lamda'; its options: lambda, max_lambda, tol, first_step, max_accel"),
    (["-m", "logit", "-o", "lambda=-1"], "method 'logit': option lambda must be a number or none, >= 0; got -1.0"),
    (["-m", "logit", "-o", "lambda=abc"], "method 'logit': option lambda must be a number or none, >= 0; got 'abc'"),
    (["-m", "enummixed", "-o", "vertices=qhull"],
     "method 'enummixed': option vertices must be text, one of auto|lex|hull|bases; got 'qhull'"),
    (["-m", "enumpoly", "-o", "seed=1.5"], "method 'enumpoly': option seed must be an integer, >= 0; got '1.5'"),
    (["-m", "logit", "-o", "lambda=1", "-o", "lambda=2"], "method 'logit': option lambda given twice"),
    (["-m", "logit", "-o", "lambda"], "--option expects NAME=VALUE; got 'lambda'"),
    (["-m", "enumpure", "-o", "logit.lambda=1"], "--option 'logit.lambda=1': method 'logit' is not requested"),
    (["-m", "enumpure", "-m", "lp", "-o", "seed=1"],
     "--option 'seed=1': none of the requested methods (enumpure, lp) has an option 'seed'"),
    (["-m", "enumpure", "-m", "nash"], "methods of different kinds cannot be combined in one call"),
])
def test_bad_option_is_one_line_exit_2(capsys, argv, message):
    code, out, err = run_main(capsys, "solve", PD, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err, err


def test_solve_help_lists_every_registered_method_and_option(capsys):
    from sim.registry import METHODS

    with pytest.raises(SystemExit):
        main(["solve", "--help"])
    out = capsys.readouterr().out
    for m in METHODS.values():
        assert f"    {m.name}: {m.summary}" in out
        for o in m.options:
            assert f"--option {o.describe()}" in out


def test_set_is_refused_for_nfg_files(capsys):
    code, _, err = run_main(capsys, "solve", PD, "--set", "w=1")
    assert code == 2 and "--set applies to scenario files only" in err


# ----- the real entry point, in a subprocess ------------------------------------------------------------
BAD_FILES = {
    "malformed": ('NFG 1 R "" { "A" "B" }\n{ 2 2 }\n1 2 abc 4 5 6 7 8\n', "line 3: expected a payoff (a number); got 'abc'"),
    "nan_payoff": ('NFG 1 R "" { "A" "B" } { 1 1 }\n1 NaN\n', "line 2: expected a payoff (a number); got 'NaN'"),
    "empty_action_set": ('NFG 1 R "" { "A" "B" }\n{ { "x" "y" }\n{ } }\n1 2 3 4\n', "empty action set"),
}


def _cli(*argv, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "analysis.cli", *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["missing_file", *BAD_FILES, "unknown_method"])
def test_bad_input_exits_2_with_one_line_and_no_traceback(case, tmp_path):
    argv = ["solve"]
    if case == "missing_file":
        argv.append(tmp_path / "absent.nfg")
        expected = f"{tmp_path / 'absent.nfg'}: cannot read the file"
    elif case == "unknown_method":
        argv += [PD, "--method", "nosuchmethod"]
        expected = "unknown method 'nosuchmethod'"
    else:
        text, expected = BAD_FILES[case]
        path = tmp_path / f"{case}.nfg"
        path.write_text(text)
        argv.append(path)
    proc = _cli(*argv, "--json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("bargain solve: error: ")
    assert expected in proc.stderr


def test_cli_module_solves_a_file(tmp_path):
    proc = _cli("solve", PD, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["results"][0]["equilibria"][0]["payoffs"] == {"Player 1": 1.0, "Player 2": 1.0}


def test_building_the_parser_imports_no_heavy_library(tmp_path):
    script = (
        "import contextlib, io, sys\n"
        "import analysis.cli\n"
        "analysis.cli.build_parser()\n"
        "for argv in (['--help'], ['solve', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            analysis.cli.main(argv)\n"
        "        except SystemExit:\n"
        "            pass\n"
        "heavy = ['nashpy', 'pygambit', 'quantecon', 'pandas', 'matplotlib', 'scipy']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"imported while building the parser: {proc.stdout.strip()}"


@pytest.mark.parametrize("method", ["enumpure", "spe"])
def test_solve_runs_on_trees_and_sequential_scenarios(capsys, method):
    # Trees go to `spe` as trees and to normal-form methods as their reduced normal form.
    for path in ("tests/data/gambit/coord2ts.efg", "tests/data/scenarios-v1/shield-as-chip.toml"):
        assert main(["solve", path, "--method", method, "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        (result,) = doc["results"]
        assert result["method"] == method and result["equilibria"]
        assert all(eq["max_regret"] <= 1e-9 for eq in result["equilibria"])


def test_spe_on_a_simultaneous_game_is_one_line_and_exit_2(capsys):
    assert main(["solve", "tests/data/scenarios-v1/baseline-2009.toml", "--method", "spe"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "extensive-form" in err[0]


# ----- bargain solve --method repeated --------------------------------------------------------------
PRECEDENT = V1 / "precedent-2002.toml"  # has [repeated] discount = "delta" (0.8)


def test_repeated_json_on_the_precedent_scenario(capsys):
    code, out, err = run_main(capsys, "solve", PRECEDENT, "--method", "repeated", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert set(doc) == {"source", "game", "repeated"}
    rep = doc["repeated"]
    assert set(rep) == {"source", "discount", "stage_equilibria", "minmax", "feasible_ir", "targets"}
    assert rep["discount"] == {"value": 0.8, "source": "[repeated].discount = delta"}
    # Stage game: a prisoner's dilemma (temptation 3, cooperation 2, sucker -1, mutual defection 0).
    (eq,) = rep["stage_equilibria"]["equilibria"]
    assert eq["support"] == {"NATO": ["defect"], "Russia": ["defect"]} and eq["max_regret"] == 0
    for kind in ("pure", "mixed"):
        assert rep["minmax"][kind]["values"] == {"NATO": 0.0, "Russia": 0.0}
    assert rep["minmax"]["pure"]["punishments"]["NATO"] == {"profile": {"Russia": "defect"}}
    # Feasible IR set: conv{(2,2), (3,-1), (-1,3), (0,0)} cut at (0, 0).
    verts = [(v["NATO"], v["Russia"]) for v in rep["feasible_ir"]["vertices"]]
    np.testing.assert_allclose(verts, [(0, 0), (8 / 3, 0), (2, 2), (0, 8 / 3)], atol=1e-12)
    (target,) = rep["targets"]
    assert target["profile"] == {"NATO": "cooperate", "Russia": "cooperate"} and target["source"] == "pareto"
    for rule in ("grim_trigger", "minmax", "pure_minmax"):
        # The scenario's own note: delta >= (temptation - gain) / temptation = 1/3.
        assert target[rule]["threshold"] == pytest.approx(1 / 3)
        assert target[rule]["sustained"] is True


def test_repeated_follows_set_and_target(capsys):
    code, out, _ = run_main(capsys, "solve", PRECEDENT, "--method", "repeated", "--json",
                            "--set", "temptation=5", "--set", "delta=0.5", "--target", "defect,cooperate")
    assert code == 0
    rep = json.loads(out)["repeated"]
    assert rep["discount"]["value"] == 0.5
    coop, given_ = rep["targets"]
    assert coop["grim_trigger"]["threshold"] == pytest.approx(0.6) and coop["grim_trigger"]["sustained"] is False
    # (defect, cooperate) leaves Russia at -1, below what defecting guarantees: never sustained,
    # written as null (strict JSON has no infinity).
    assert given_["source"] == "given" and given_["grim_trigger"]["threshold"] is None
    assert given_["grim_trigger"]["sustainable"] is False and given_["grim_trigger"]["thresholds"]["NATO"] == 0.0
    code, out, _ = run_main(capsys, "solve", PRECEDENT, "--method", "repeated", "--discount", "0.7")
    assert code == 0 and "discount factor 0.7 (--discount)" in out
    assert "grim trigger : delta >= 0.333333; sustained at 0.7: yes" in out


def test_repeated_on_a_game_file_needs_discount(capsys):
    code, out, _ = run_main(capsys, "solve", PD, "--method", "repeated", "--discount", "0.9", "--json")
    assert code == 0
    rep = json.loads(out)["repeated"]
    assert rep["discount"] == {"value": 0.9, "source": "--discount"}
    for t in rep["targets"]:  # every target Pareto-dominates the unique equilibrium
        assert t["source"] == "pareto" and t["dominates"] == [0]


@pytest.mark.parametrize("argv, message", [
    (["tests/data/scenarios-v1/baseline-2009.toml"], "scenario has no [repeated] table; give --discount D"),
    ([str(PD)], "a game file has no [repeated] table; give --discount D"),
    ([str(PRECEDENT), "--target", "cooperate,betray"], "--target 'cooperate,betray': Russia has no action 'betray'"),
    ([str(PRECEDENT), "--target", "cooperate"], "needs one action per player (NATO, Russia); got 1"),
    ([str(PRECEDENT), "--discount", "1"], "--discount must lie strictly between 0 and 1; got 1.0"),
    ([str(PRECEDENT), "--set", "delta=2"], "parameters.delta: must be finite and within"),
    ([str(PRECEDENT), "-m", "enumpure"], "methods of different kinds cannot be combined in one call; got game: enumpure; repeated: repeated"),
])
def test_repeated_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    code, out, err = run_main(capsys, "solve", *argv[:1], "--method", "repeated", *argv[1:])
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


def test_target_and_discount_without_repeated_are_refused(capsys):
    code, _, err = run_main(capsys, "solve", PRECEDENT, "--method", "nash", "--target", "cooperate,cooperate")
    assert code == 2 and "--target and --discount apply to --method repeated only" in err


@pytest.mark.slow
def test_a_closed_pipe_is_not_an_error(tmp_path):
    """``bargain solve ... | head -1``: the reader leaves early; the command exits 0, says nothing."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "solve", str(PD), "--json"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command has printed anything: its first write meets a closed pipe
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == ""


# ----- bargain validate on folders ------------------------------------------------------------------
def test_validate_reads_a_folder_as_its_toml_files(tmp_path, capsys):
    """A folder stands for its ``*.toml`` files, not its subfolders (as for ``bargain lint``)."""
    good = (V1 / "shield-as-chip.toml").read_text(encoding="utf-8")
    (tmp_path / "b.toml").write_text(good, encoding="utf-8")
    (tmp_path / "a.toml").write_text(good, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    (tmp_path / "sweeps").mkdir()
    (tmp_path / "sweeps" / "grid.toml").write_text("[sweep]\n", encoding="utf-8")  # not a scenario: not read
    code, out, err = run_main(capsys, "validate", tmp_path)
    assert code == 0 and err == ""
    assert [line.split(":")[0] for line in out.splitlines()] == [str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]

    (tmp_path / "c.toml").write_text("[scenario]\n", encoding="utf-8")
    code, out, err = run_main(capsys, "validate", tmp_path)
    assert code == 2 and len(out.splitlines()) == 2 and str(tmp_path / "c.toml") in err


def test_validate_the_shipped_folder_and_an_empty_one(tmp_path, capsys):
    code, out, err = run_main(capsys, "validate", ROOT / "scenarios")
    assert code == 0 and err == ""
    assert len(out.splitlines()) == len(list((ROOT / "scenarios").glob("*.toml")))
    code, out, err = run_main(capsys, "validate", tmp_path)
    assert code == 2 and out == "" and err.strip() == f"{tmp_path}: no scenario files (*.toml) in this folder"
