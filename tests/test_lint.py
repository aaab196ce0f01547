"""The linter passes on the whole project (``make lint`` runs the same check).

Its rules are errors, not style (``[tool.ruff.lint]`` in ``pyproject.toml``): undefined and
unused names, syntax errors, mutable default arguments. A name that is undefined only on a rare
branch fails here rather than in a user's hands.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    exe = Path(sys.executable).with_name("ruff")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("ruff")
    assert found, "ruff is not installed: it is in the test extra (pip install -e '.[test]')"
    return [found]


def test_ruff_finds_nothing():
    proc = subprocess.run([*_ruff(), "check", "--no-cache", "--output-format", "concise", "."], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_would_catch_an_undefined_name(tmp_path):
    """The check can fail: the same configuration flags a planted undefined name."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    return undefined_name\n")
    proc = subprocess.run([*_ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "F821" in proc.stdout
