"""Equilibrium solvers, one module per algorithm family, named in :mod:`sim.registry`.

Every solver is a free function ``<method>_solve(game, **options) -> SolverResult`` in the module
of its family (``pure``, ``mixed``, ``zerosum``, ``poly``, ``logit``, ``correlated``,
``dominance``, ``dynamics``); the registry imports a module only when its method runs, so the
command line starts fast. :func:`solve` and :func:`get_solver` are the registry's, re-exported.

Examples
--------
>>> from sim.game import NormalFormGame
>>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
>>> result = solve(g, "enumpure")
>>> [e.pure_profile for e in result.equilibria]
[(0, 0), (1, 1)]
"""

from __future__ import annotations

from sim.registry import get_solver, solve
from sim.solvers.pure import enumpure_batch, enumpure_solve

__all__ = ["get_solver", "solve", "enumpure_batch", "enumpure_solve"]
