"""``bargain validate`` checks sweep files as ``bargain sweep`` does before writing anything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def folder(tmp_path):
    shutil.copy(ROOT / "scenarios" / "baseline-2009.toml", tmp_path / "baseline-2009.toml")
    return tmp_path


def sweep(folder, body: str) -> Path:
    path = folder / "s.toml"
    path.write_text('[sweep]\nscenario = "baseline-2009.toml"\nmethods = ["spe"]\nseed = 1\n' + body)
    return path


def test_every_shipped_sweep_file_validates(capsys):
    assert main(["validate", str(ROOT / "scenarios" / "sweeps")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(list((ROOT / "scenarios" / "sweeps").glob("*.toml")))
    assert all(": ok (sweep of " in line for line in out)


@pytest.mark.parametrize("body, field", [
    ("[sweep.grid]\nus_joint_share = [0.5, 1.5]\n", "sweep.grid.us_joint_share"),
    ('[sweep.sample]\nn = 64\nus_joint_share = { dist = "uniform", low = -1, high = 1 }\n', "sweep.sample.us_joint_share"),
    ("[sweep.grid]\nno_such = [1]\n", "sweep"),
])
def test_a_bad_sweep_is_one_line_naming_its_field(folder, capsys, body, field):
    path = sweep(folder, body)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and field in err[0]


def test_a_sobol_sample_not_a_power_of_two_is_a_warning(folder, capsys):
    path = sweep(folder, '[sweep.sample]\nn = 1000\ndesign = "sobol"\nus_joint_share = { dist = "uniform", low = 0, high = 1 }\n')
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "sweep.sample.n: warning" in captured.err and "use 512 or 1024" in captured.err
    assert ": ok (sweep of baseline-2009.toml: 1,000 points" in captured.out


def test_a_scenario_and_a_sweep_in_one_folder(folder, capsys):
    sweep(folder, "[sweep.grid]\nus_joint_share = [0.25, 0.75]\n")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "baseline-2009.toml: ok (4 players" in out and "s.toml: ok (sweep of baseline-2009.toml: 2 points" in out
