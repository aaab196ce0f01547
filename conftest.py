"""Settings for the docstring examples of ``sim/`` and ``analysis/``, which the test command runs.

``pyproject.toml`` passes ``--doctest-modules`` with ``testpaths = ["tests", "sim", "analysis"]``, so
every module of the packages is imported at collection and its ``>>>`` examples become tests.
This file keeps that cheap and the examples' output stable:

* the numba kernel modules (``sim/solvers/_*_jit.py``) are not collected: importing them imports
  numba (about half a second) for no example; the solvers that use them are collected, and their
  examples compile the kernels they call (from numba's cache after the first run);
* each example runs from the repository root, so paths such as ``scenarios/baseline-2009.toml``
  resolve wherever pytest was started;
* under NumPy 2 the examples print scalars as NumPy 1 did (``1.0``, not ``np.float64(1.0)``), so
  one example reads the same on every NumPy the project supports (``numpy>=1.26``).
"""

from __future__ import annotations

import numpy as np
import pytest
from _pytest.doctest import DoctestItem

collect_ignore_glob = ["sim/solvers/_*_jit.py"]

_NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


@pytest.fixture(autouse=True)
def _doctest_environment(request, monkeypatch):
    if not isinstance(request.node, DoctestItem):
        yield
        return
    monkeypatch.chdir(request.config.rootpath)
    with np.printoptions(**({"legacy": "1.25"} if _NUMPY2 else {})):
        yield
