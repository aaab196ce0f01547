"""The example notebooks in docs/notebooks/ run clean, top to bottom, in a fresh kernel of this
Python, and show what they say they show."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory, monkeypatch_module):
    """A kernel spec that starts this interpreter, whatever kernels the machine has installed."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / "bargain-sim"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "bargain-sim", "language": "python"}))
    monkeypatch_module.setenv("JUPYTER_PATH", str(folder))
    # the kernel imports this checkout's code, as the tests do
    monkeypatch_module.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return "bargain-sim"


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def run_notebook(path: Path, kernel: str):
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name=kernel,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs(nb) -> str:
    """Every text the notebook showed: streams, plain and HTML displays."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                texts.append(out["text"])
            for kind in ("text/plain", "text/html"):
                texts.append(out.get("data", {}).get(kind, ""))
    return "\n".join(texts)


def test_there_are_two_notebooks():
    assert {p.name for p in NOTEBOOKS} == {"founding-case.ipynb", "own-game.ipynb"}


@pytest.mark.slow
def test_founding_case_notebook_runs_and_shows_the_verdicts(kernel_env):
    nb = run_notebook(ROOT / "docs" / "notebooks" / "founding-case.ipynb", kernel_env)
    text = outputs(nb)
    # the scenario shows its goals with their quotes, the result its equilibrium with action names
    assert "avoid" in text and "<table>" in text and "US (us_plan), at the start: drop" in text
    assert "US drop -&gt; Russia halt" in text or "US drop -> Russia halt" in text  # the play, by name
    # every claim of the baseline is measured, with a verdict
    assert text.count("holds at the defaults") + text.count("fails at the defaults") >= 5
    assert "400 points solved" in text
    assert any(out.get("output_type") == "execute_result" and "image/png" in out.get("data", {})
               for cell in nb.cells for out in cell.get("outputs", [])), "the regime map is drawn"


@pytest.mark.slow
def test_own_game_notebook_runs_and_follows_the_mixed_equilibrium(kernel_env):
    nb = run_notebook(ROOT / "docs" / "notebooks" / "own-game.ipynb", kernel_env)
    text = outputs(nb)
    assert "enummixed: 3 equilibria" in text
    # P(firm) = stakes / (stakes + war_cost) with stakes 2, war_cost 1..10
    assert "array([0.667, 0.5  , 0.4  , 0.333" in text
    assert 'NFG 1 R "A crisis between two states"' in text
    assert any("image/png" in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
