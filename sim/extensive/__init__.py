"""Extensive-form games: trees (:mod:`.tree`), reduced normal form (:mod:`.reduced`),
subgame-perfect equilibria (:mod:`.spe`) and perfect Bayesian equilibria (:mod:`.pbe`)."""

from sim.extensive.tree import Chance, Decision, ExtensiveFormGame, Node, Terminal

__all__ = ["Chance", "Decision", "ExtensiveFormGame", "Node", "Terminal"]
