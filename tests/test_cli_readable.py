"""What a reader sees from ``bargain``: tree results by path and named decision points, notes that
methods owe (continua, eliminations), ``--json`` provenance, ``--version``, a closed pipe, and
the one-line notice before kernels compile."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from analysis.cli import main
from analysis.kernels import announce_compiling, cold_kernels
from analysis.render import number_text

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline-2009.toml"
CHIP = ROOT / "scenarios" / "chip-that-did-not-exist.toml"
PRECEDENT_V1 = ROOT / "tests" / "data" / "scenarios-v1" / "precedent-2002.toml"
PD = ROOT / "tests" / "data" / "gambit" / "pd.nfg"


def run_main(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_tree_result_shows_the_path_then_named_off_path_choices(capsys):
    code, out, err = run_main(capsys, "solve", BASELINE)
    assert code == 0
    lines = out.splitlines()
    assert "path: US drop -> Russia halt -> Russia pressure -> NATO engage -> Iran halt" in lines[2]
    assert lines[3].strip() == "off the path:"
    assert "Russia (russia_kaliningrad), after US keep: deploy" in out
    assert "Iran, after US joint, Russia halt, Russia pressure and NATO engage: halt" in out
    assert "|us_plan=" not in out  # no information-set ids
    assert not re.search(r"\w+=\w+/\w+", out)  # no reduced strategies 'Iran=halt/proceed/...'


def test_tree_result_from_a_normal_form_method_is_shown_on_the_tree(capsys):
    code, out, _ = run_main(capsys, "solve", ROOT / "scenarios" / "precedent-2002.toml", "--method", "enumpure")
    assert code == 0
    assert "path: US " in out and "off the path:" in out
    assert "Russia=" not in out


def test_chance_branches_are_listed_with_their_probabilities(capsys):
    code, out, _ = run_main(capsys, "solve", CHIP)
    first = out.splitlines()[2]
    # each outcome with its probability; branches followed by the same play are joined by '|'
    assert re.search(r"path: chance: committed \(p=0\.\d+\)(\|| -> US announce -> .*; chance: )"
                     r"bluffing \(p=0\.\d+\) -> US announce", first), first


def test_dominance_says_what_it_eliminated(capsys):
    code, out, _ = run_main(capsys, "solve", PD, "--method", "dominance")
    assert code == 0
    assert "eliminated, in order: Player 1 1 (dominated by 2), Player 2 1 (dominated by 2)" in out


def test_enumpoly_says_when_it_found_a_continuum(tmp_path, capsys):
    from sim.formats.nfg import write_nfg
    from sim.game import NormalFormGame

    g = NormalFormGame.from_bimatrix([[1, 1], [1, 1]], [[1, 0], [0, 1]], players=("A", "B"))
    write_nfg(g, tmp_path / "flat.nfg")
    code, out, _ = run_main(capsys, "solve", tmp_path / "flat.nfg", "--method", "enumpoly")
    assert code == 0 and "a continuum of equilibria: 3 segments" in out


def test_bargaining_output_has_no_python_dict(capsys):
    code, out, _ = run_main(capsys, "solve", PRECEDENT_V1, "--method", "nash")
    assert code == 0
    assert "{" not in out and "disagreement NATO 0, Russia 0" in out


def test_tiny_numbers_print_as_zero():
    assert number_text(1.388e-17) == "0" and number_text(-3e-13) == "0" and number_text(0.25) == "0.25"


def test_json_names_the_scenario_and_the_overrides(capsys):
    code, out, _ = run_main(capsys, "solve", BASELINE, "--set", "iran_bomb_value=4", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["source"] == {"file": str(BASELINE), "scenario": "baseline-2009", "overrides": {"iran_bomb_value": 4.0}}
    code, out, _ = run_main(capsys, "solve", PRECEDENT_V1, "--method", "nash", "--json")
    assert json.loads(out)["source"]["scenario"] == "precedent-2002"


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    out, _ = capsys.readouterr()
    assert re.fullmatch(r"bargain \S+\n", out)


def test_a_closed_pipe_ends_quietly_with_exit_0():
    proc = subprocess.Popen([sys.executable, "-m", "analysis.cli", "solve", str(CHIP)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0
    assert "Broken pipe" not in err and "Traceback" not in err


def test_repeated_play_targets_are_capped_with_a_note(capsys):
    from analysis.commands.solve import MAX_TARGET_ROWS, _format_repeated

    code, out, _ = run_main(capsys, "solve", PRECEDENT_V1, "--method", "repeated", "--json")
    doc = json.loads(out)
    doc["repeated"]["targets"] = doc["repeated"]["targets"][:1] * (MAX_TARGET_ROWS + 5)
    text = _format_repeated(doc)
    assert text.count("\ntarget (") == MAX_TARGET_ROWS
    assert text.endswith("... and 5 more targets (--json lists them all)")


def test_compiling_notice_only_when_the_cache_is_cold(tmp_path, capsys):
    assert cold_kernels(["enumpure", "logit", "nash"], cache=tmp_path) == ["_pure_jit", "_logit_jit"]
    (tmp_path / "_logit_jit.trace-329.py311.nbi").write_bytes(b"")
    assert cold_kernels(["logit"], cache=tmp_path) == []
    assert cold_kernels(["seqenum", "seqlcp"], cache=tmp_path) == ["_sequence_enum_jit"]
    import analysis.kernels as kernels

    real = kernels.cold_kernels
    try:
        kernels.cold_kernels = lambda methods: ["_pure_jit"]
        assert announce_compiling(["enumpure"])
        kernels.cold_kernels = lambda methods: []
        assert not announce_compiling(["enumpure"])
    finally:
        kernels.cold_kernels = real
    assert capsys.readouterr().err.count("compiling kernels, once") == 1
