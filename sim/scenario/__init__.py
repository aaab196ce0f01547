"""Scenario files: players, actions and goals in TOML, compiled once to a linear payoff map.

``load_scenario(path) -> Scenario`` reads and validates a file (see ``docs/scenarios.md``);
``compile_scenario(scenario) -> CompiledScenario`` builds the indicator tensor, whose
``.payoffs(points)`` gives the payoffs of a batch of parameter points in one matrix product and
whose ``.game(overrides)`` gives one game. ``dump_scenario`` writes a scenario back to TOML.

Examples
--------
>>> from sim.scenario import compile_scenario, loads_scenario
>>> c = compile_scenario(loads_scenario('''
... [scenario]
... id = "one"
... title = "One player"
... timing = "simultaneous"
... [players.A]
... actions = ["x", "y"]
... [[goals]]
... player = "A"
... name = "likes_x"
... weight = 2
... rules = [{ when = { A = "x" }, value = 1.5 }]
... '''))
>>> c.game().payoff_array("A").tolist()
[3.0, 0.0]
"""

from sim.scenario.compile import CompiledScenario, compile_scenario
from sim.scenario.dump import dump_scenario
from sim.scenario.load import MAX_FILE_BYTES, load_scenario, loads_scenario
from sim.scenario.schema import MAX_PROFILES, Scenario, parse_scenario

__all__ = [
    "CompiledScenario", "MAX_FILE_BYTES", "MAX_PROFILES", "Scenario", "compile_scenario", "dump_scenario",
    "load_scenario", "loads_scenario", "parse_scenario",
]
