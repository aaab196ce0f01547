"""The registry of equilibrium methods: one table, offered by the command line as ``--method``.

Every method is a free function ``<method>_solve(game, **params) -> SolverResult`` in the module
of its algorithm family. Modules are imported only when their method is used, so the command line
starts fast.

Examples
--------
>>> from sim.game import NormalFormGame
>>> g = NormalFormGame.from_bimatrix([[2, 0], [0, 1]], [[1, 0], [0, 2]])
>>> result = solve(g, "enumpure")
>>> [e.pure_profile for e in result.equilibria]
[(0, 0), (1, 1)]
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from sim.errors import SolverError
from sim.solvers.pure import enumpure_batch, enumpure_solve


@dataclass(frozen=True)
class MethodSpec:
    """Where a method lives and what it applies to."""

    name: str
    module: str
    function: str
    players: str  # "2" (two-player only) or "N"
    summary: str

    def load(self) -> Callable:
        return getattr(importlib.import_module(self.module), self.function)


METHODS: dict[str, MethodSpec] = {
    spec.name: spec
    for spec in [
        MethodSpec("enumpure", "sim.solvers.pure", "enumpure_solve", "N", "all pure Nash equilibria"),
        MethodSpec("enummixed", "sim.solvers.mixed", "enummixed_solve", "2", "all extreme mixed equilibria (vertex enumeration)"),
        MethodSpec("lcp", "sim.solvers.mixed", "lcp_solve", "2", "one equilibrium by Lemke-Howson"),
        MethodSpec("lp", "sim.solvers.zerosum", "lp_solve", "2", "value and optimal strategies of a zero-sum game"),
        MethodSpec("enumpoly", "sim.solvers.poly", "enumpoly_solve", "N", "all isolated equilibria by support enumeration"),
        MethodSpec("logit", "sim.solvers.logit", "logit_solve", "N", "logit quantal response equilibrium (traced branch)"),
        MethodSpec("correlated", "sim.solvers.correlated", "correlated_solve", "N", "correlated equilibria by linear programming"),
        MethodSpec("dominance", "sim.solvers.dominance", "dominance_solve", "N", "iterated elimination of strictly dominated strategies"),
        MethodSpec("replicator", "sim.solvers.dynamics", "replicator_solve", "N", "replicator dynamics trajectory"),
        MethodSpec("fictitious_play", "sim.solvers.dynamics", "fictitious_play_solve", "N", "fictitious play trajectory"),
        MethodSpec("spe", "sim.extensive.spe", "spe_solve", "N", "subgame-perfect equilibria of an extensive-form game"),
        MethodSpec("pbe", "sim.extensive.pbe", "pbe_solve", "N", "pure perfect Bayesian equilibria of a small extensive-form game"),
    ]
}


# Methods that work on the tree itself; every other method gets a tree's reduced normal form.
TREE_METHODS = ("spe", "pbe")


def get_solver(method: str) -> Callable:
    """The ``<method>_solve`` function registered under ``method``."""
    try:
        spec = METHODS[method]
    except KeyError:
        raise SolverError(f"unknown method {method!r}; choose one of {sorted(METHODS)}") from None
    return spec.load()


def solve(game, method: str, **params):
    """Solve ``game`` with the registered ``method``; ``params`` go to the solver.

    An extensive-form game goes to ``spe`` and ``pbe`` as a tree and to every other method as its reduced
    normal form (profiles over reduced strategies).
    """
    from sim.extensive.tree import ExtensiveFormGame  # light module: no heavy imports

    if isinstance(game, ExtensiveFormGame) and method not in TREE_METHODS:
        game = game.reduced_normal_form()
    elif method in TREE_METHODS and not isinstance(game, ExtensiveFormGame):
        raise SolverError(f"method {method!r} needs an extensive-form game (.efg or sequential scenario); "
                          f"got {type(game).__name__}")
    spec = METHODS.get(method)
    if spec is not None and spec.players == "2" and game.n_players != 2:
        raise SolverError(f"method {method!r} needs a 2-player game; got {game.n_players} players")
    return get_solver(method)(game, **params)


__all__ = ["METHODS", "MethodSpec", "get_solver", "solve", "enumpure_batch", "enumpure_solve"]
