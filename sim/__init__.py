"""bargain-sim's simulation core: games, goals, scenarios and equilibrium solvers.

``sim`` never imports ``analysis``; the flow is one-way
(scenario file -> game -> solver -> result -> analysis).
"""

from sim.errors import GameError, ScenarioError, SolverError
from sim.game import NormalFormGame
from sim.result import Equilibrium, SolverResult

__all__ = [
    "GameError",
    "ScenarioError",
    "SolverError",
    "NormalFormGame",
    "Equilibrium",
    "SolverResult",
]
