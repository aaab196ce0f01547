"""Every hostile input ends with one line on stderr naming the file (and the field), exit 2,
nothing written, and an answer within a stated time.

The inputs come from the generators in ``tests/strategies.py``: malformed scenario, sweep,
``.nfg`` and ``.efg`` files (huge and tiny numbers, Unicode digits, deep nesting, long chains,
too many players or points) and special files (devices, FIFOs, folders, links to them). Each runs
through the command line in-process (``analysis.cli.main``); a few run as a subprocess, where a
FIFO that blocked or a read without bound would hang the real entry point.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import COMMANDS, main
from tests.strategies import (
    SPECIAL_FILES,
    hostile_efg_texts,
    hostile_nfg_texts,
    make_special,
    malformed_scenarios,
    malformed_sweeps,
)

ROOT = Path(__file__).resolve().parent.parent
#: Each hostile input must be answered within this many seconds (the slowest seen is well under 1 s;
#: before the limits, a 177-byte .efg ran for minutes and /dev/zero was read without end).
SECONDS = 5.0

SCENARIO = """
[scenario]
id = "ok"
title = "ok"
timing = "simultaneous"
[parameters]
x = { default = 0.5, min = 0, max = 1 }
[players.A]
actions = ["a", "b"]
[players.B]
actions = ["a", "b"]
[[goals]]
player = "A"
name = "g"
weight = "x"
rules = [{ when = { A = "a", B = "a" }, value = 1 }]
"""

HYPOTHESIS = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_one_line_error(capsys, argv, *names):
    """Run ``bargain ARGV``; assert exit 2 within :data:`SECONDS` and one stderr line holding ``names``."""
    start = time.perf_counter()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse
        code = exc.code
    elapsed = time.perf_counter() - start
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert err.endswith("\n") and err.count("\n") == 1, err
    if argv[0] != "validate":  # validate prints each error of a file as FILE:LINE: field: ...
        assert err.startswith(f"bargain {argv[0]}: error: ") or err.startswith("bargain: error: "), err
    for name in names:
        assert str(name) in err, (name, err)
    assert elapsed < SECONDS, (elapsed, argv)
    return err


def fresh(tmp_path: Path) -> Path:
    """An empty folder of its own for one example (Hypothesis reuses ``tmp_path`` across examples)."""
    k = 0
    while (tmp_path / f"case{k}").exists():
        k += 1
    folder = tmp_path / f"case{k}"
    folder.mkdir()
    return folder


@HYPOTHESIS
@given(case=malformed_scenarios())
def test_malformed_scenario_is_one_line_naming_file_and_field_and_writes_nothing(tmp_path, capsys, case):
    text, field = case
    folder = fresh(tmp_path)
    path = folder / "bad.toml"
    path.write_text(text, encoding="utf-8")
    out = folder / "game.efg"
    assert_one_line_error(capsys, ["export", path, "--to", "efg", "--out", out], path, field)
    assert_one_line_error(capsys, ["solve", path], path, field)
    assert sorted(p.name for p in folder.iterdir()) == ["bad.toml"]


@HYPOTHESIS
@given(case=st.one_of(hostile_nfg_texts(), hostile_efg_texts()))
def test_hostile_gambit_file_is_one_line_naming_file_and_line(tmp_path, capsys, case):
    name, text, where = case
    folder = fresh(tmp_path)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(capsys, ["solve", path], f"{path}{where}" if where.startswith(":") else path, where)
    assert [p.name for p in folder.iterdir()] == [name]


@HYPOTHESIS
@given(case=malformed_sweeps())
def test_malformed_sweep_is_one_line_naming_file_and_field_and_writes_nothing(tmp_path, capsys, case):
    name, text, field = case
    folder = fresh(tmp_path)
    (folder / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    path = folder / name
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(capsys, ["sweep", path, "--out", folder / "out"], path, field)
    assert not (folder / "out").exists()


@pytest.mark.parametrize("kind", SPECIAL_FILES)
@pytest.mark.parametrize("suffix, argv", [
    (".toml", ["validate"]), (".toml", ["solve"]), (".nfg", ["solve"]), (".efg", ["solve"]),
    (".toml", ["sweep", "--out", "OUT"]),
])
def test_special_file_is_refused_unread_without_blocking(tmp_path, capsys, kind, suffix, argv):
    path = Path("/dev/zero") if kind == "dev_zero" else tmp_path / f"input{suffix}"
    if kind != "dev_zero":
        make_special(path, kind)
    command, *rest = argv
    rest = [str(tmp_path / "out") if a == "OUT" else a for a in rest]
    # validate takes a folder for the scenario files in it
    expected = "no scenario files" if (kind, command) == ("folder", "validate") else "not a regular file"
    if kind == "dev_zero" and command == "solve":  # solve picks the reader by the suffix
        expected = "unsupported file type"
    assert_one_line_error(capsys, [command, path, *rest], path, expected)
    assert not (tmp_path / "out").exists()


def test_extends_naming_a_fifo_is_refused_without_blocking(tmp_path, capsys):
    os.mkfifo(tmp_path / "base.toml")
    child = tmp_path / "child.toml"
    child.write_text('[scenario]\nextends = "base.toml"\nid = "c"\n', encoding="utf-8")
    assert_one_line_error(capsys, ["solve", child], "scenario.extends")


@pytest.mark.parametrize("text", [
    '[[goals]]\nname = "x"\n' * 2 + "pad = " + '"' + "a" * 1_000_001 + '"\n',
])
def test_a_file_over_the_size_limit_is_refused(tmp_path, capsys, text):
    path = tmp_path / "big.toml"
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(capsys, ["solve", path], path, "exceeds 1,000,000 bytes")


def run_cli(*argv, timeout=60):
    return subprocess.run([sys.executable, "-m", "analysis.cli", *map(str, argv)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_real_entry_point_refuses_dev_zero_and_a_fifo_in_bounded_time(tmp_path):
    os.mkfifo(tmp_path / "pipe.nfg")
    (tmp_path / "zero.efg").symlink_to("/dev/zero")
    for path in (tmp_path / "zero.efg", tmp_path / "pipe.nfg"):
        start = time.perf_counter()
        proc = run_cli("solve", path, timeout=30)
        assert time.perf_counter() - start < 30
        assert proc.returncode == 2 and proc.stdout == "", proc
        assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr, proc.stderr


# ----- the command line's own one-line rule -----------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_option_is_one_line_without_the_usage_block_for_every_command(capsys, command):
    err = assert_one_line_error(capsys, [command, "--no-such-option"])
    assert "usage:" not in err


@pytest.mark.parametrize("argv", [[], ["no-such-command"], ["export", "x.toml", "--to", "pdf"],
                                  ["sweep", "s.toml"], ["solve", "x.toml", "--set", "cost"]])
def test_argparse_errors_are_one_line(capsys, argv):
    start = time.perf_counter()
    with pytest.raises(SystemExit) as info:
        main(argv)
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "usage:" not in err, err
    assert time.perf_counter() - start < SECONDS


@pytest.mark.parametrize("command", ["report", "compare"])
@pytest.mark.parametrize("tol", ["nan", "-1", "0", "inf", "abc"])
def test_tol_must_be_a_positive_finite_number(tmp_path, capsys, command, tol):
    argv = [command, tmp_path / "s.toml", "--tol", tol] + (["--out", tmp_path / "r.html"] if command == "report" else [])
    assert_one_line_error(capsys, argv, "--tol", repr(tol))
    assert not (tmp_path / "r.html").exists()


def test_warnings_of_a_failing_command_are_not_printed_before_its_error(monkeypatch, capsys):
    import warnings

    import analysis.commands.validate as validate

    def run(args):
        warnings.warn("overflow encountered in multiply", RuntimeWarning)
        raise ValueError("s.toml: goals[0].weight: must be a finite number (got inf)")

    monkeypatch.setattr(validate, "run", run)
    assert_one_line_error(capsys, ["validate", "s.toml"], "goals[0].weight")


# ----- outputs ------------------------------------------------------------------------------------------
@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "in" / "s.toml"
    path.parent.mkdir()
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["device", "folder", "fifo", "link_to_device"])
def test_out_replaces_only_a_regular_file(tmp_path, capsys, scenario_file, kind):
    if kind == "device":
        out = Path("/dev/null")
    elif kind == "folder":
        out = tmp_path / "dir.nfg"
        out.mkdir()
    elif kind == "fifo":
        out = tmp_path / "pipe.nfg"
        os.mkfifo(out)
    else:
        out = tmp_path / "link.nfg"
        out.symlink_to("/dev/null")
    before = os.lstat(out)
    assert_one_line_error(capsys, ["export", scenario_file, "--to", "nfg", "--out", out], "a result replaces only a regular file")
    after = os.lstat(out)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode), before.st_ino)
    assert not [p for p in tmp_path.rglob(".*.tmp")]


def test_out_through_a_link_replaces_the_linked_file_and_keeps_the_link(tmp_path, capsys, scenario_file):
    real = tmp_path / "real.nfg"
    real.write_text("old")
    real.chmod(0o600)
    link = tmp_path / "link.nfg"
    link.symlink_to(real.name)
    assert main(["export", str(scenario_file), "--to", "nfg", "--out", str(link)]) == 0
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_text().startswith("NFG 1 R")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # a replaced file keeps its permissions


def test_a_new_output_gets_ordinary_permissions(tmp_path, capsys, scenario_file):
    old = os.umask(0o022)
    try:
        out = tmp_path / "game.nfg"
        assert main(["export", str(scenario_file), "--to", "nfg", "--out", str(out)]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_disk_full_names_the_file_and_leaves_nothing(tmp_path, capsys, monkeypatch, scenario_file):
    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "game.nfg"
    assert_one_line_error(capsys, ["export", scenario_file, "--to", "nfg", "--out", out], out, "No space left on device")
    assert [p.name for p in tmp_path.iterdir()] == ["in"]


# ----- tiny numbers are read, quickly --------------------------------------------------------------------
@pytest.mark.parametrize("tiny", ["1e-999999999", "5e-324", "-1e-400", "1/" + "9" * 400])
def test_tiny_numbers_in_gambit_files_read_as_their_nearest_float_in_bounded_time(tmp_path, tiny):
    from fractions import Fraction

    from sim.formats.efg import read_efg
    from sim.formats.nfg import read_nfg

    nfg = tmp_path / "tiny.nfg"
    nfg.write_text(f'NFG 1 R "" {{ "A" }} {{ 2 }}\n{tiny} 1\n', encoding="utf-8")
    efg = tmp_path / "tiny.efg"
    efg.write_text(f'EFG 2 R "" {{ "A" }} ""\np "" 1 1 "" {{ "x" "y" }} 0\nt "" 1 "" {{ {tiny} }}\nt "" 2 "" {{ 1 }}\n',
                   encoding="utf-8")
    start = time.perf_counter()
    expected = float(Fraction(tiny)) if "e" not in tiny else float(tiny)
    assert read_nfg(nfg).payoffs[0, 0] == expected
    assert read_efg(efg).root.children[0].payoffs == (expected,)
    assert time.perf_counter() - start < SECONDS


@pytest.mark.parametrize("timing", ['"simultaneous"', '[{ player = "A" }, { player = "B" }]',
                                    '[{ player = "A" }, { player = "B", when = { A = "b" } }]'])
@pytest.mark.parametrize("command", [["solve"], ["export", "--to", "efg"]])
def test_payoffs_that_overflow_name_the_file_the_goals_and_the_outcome(tmp_path, capsys, timing, command):
    # Each value is finite; their sum is not. The overflow warnings must not precede the error line.
    goal = '[[goals]]\nplayer = "A"\nname = "{}"\nweight = 1\nrules = [{{ when = {{ A = "a" }}, value = 1.7e308 }}]\n'
    text = SCENARIO.replace('timing = "simultaneous"', f"timing = {timing}") + goal.format("h") + goal.format("k")
    path = tmp_path / "overflow.toml"
    path.write_text(text, encoding="utf-8")
    assert_one_line_error(capsys, [command[0], path, *command[1:]], f"{path}: goals: the payoff of A at A=a", "(got inf)")
