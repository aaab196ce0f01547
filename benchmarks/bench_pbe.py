"""Pure perfect Bayesian equilibria over a parameter box: ``pbe_batch`` against ``pbe_solve`` per point.

Workload: the signalling scenario ``scenarios/chip-that-did-not-exist.toml`` (24 end points, 10
information sets, 1,024 pure behaviour profiles) at points drawn uniformly over its parameter box
(scrambled Sobol, seeded): 1,000 points in a full run, 100 in a quick one. ``pbe_batch`` takes the
whole batch at once (payoffs from ``compiled.payoffs``, chance probabilities from
``compiled.chance_probabilities``); ``pbe_solve`` builds and solves each point's tree
(``compiled.extensive_game(overrides)``), timed on a sample of points and reported per point.
Both rows are measured in the same run, and the note says whether their answers agreed on the
sampled points (the same set of pure PBE at each).

Run: ``.venv/bin/python -m benchmarks.bench_pbe`` (or ``python -m benchmarks.run pbe``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "chip-that-did-not-exist.toml"


def _points(compiled, n: int, seed: int = 0) -> np.ndarray:
    from scipy.stats import qmc

    lo, hi = compiled.lower, compiled.upper
    x = qmc.Sobol(len(lo), seed=seed).random_base2(int(np.ceil(np.log2(n))))[:n]
    return lo + x * (hi - lo)


def run(quick: bool) -> list[dict]:
    from sim.extensive.pbe import pbe_solve
    from sim.extensive.pbe_batch import pbe_batch
    from sim.extensive.tree import Chance
    from sim.scenario import compile_scenario, load_scenario
    from sim.scenario.schema import ChanceMove

    compiled = compile_scenario(load_scenario(str(SCENARIO)))
    tree = compiled.extensive_game()
    n_points, n_solved = (100, 5) if quick else (1000, 30)
    pts = _points(compiled, n_points)
    moves = [m.name for m in compiled.scenario.timing if isinstance(m, ChanceMove)]

    pbe_batch(tree, compiled.payoffs(pts[:2]).reshape(2, -1, tree.n_players),
              chance_probs=list(compiled.chance_probabilities(pts[:2])))  # warm up imports
    start = time.perf_counter()
    pay = compiled.payoffs(pts).reshape(n_points, -1, tree.n_players)  # terminals in preorder
    probs = compiled.chance_probabilities(pts)
    chance = [probs[moves.index(n.label)] for _, n in tree.nodes() if isinstance(n, Chance)]
    batch = pbe_batch(tree, pay, chance_probs=chance)
    t_batch = time.perf_counter() - start

    sample = np.linspace(0, n_points - 1, n_solved).astype(int)
    pbe_solve(compiled.extensive_game())  # warm up (scipy's LP import)
    agree = True
    start = time.perf_counter()
    for b in sample:
        solved = pbe_solve(compiled.extensive_game(dict(zip(compiled.parameter_names, pts[b]))))
        found = sorted(batch.profile_index(e.details["choices"]) for e in solved.equilibria)
        agree &= found == batch.at(b).tolist()
    t_solve = (time.perf_counter() - start) / n_solved

    ours = n_points / t_batch
    theirs = 1.0 / t_solve
    name = f"pure PBE, chip scenario (1,024 profiles), {n_points:,} points"
    return [
        {"benchmark": name, "implementation": "bargain-sim pbe_batch", "games_per_s": ours, "ratio_vs_ours": 1.0,
         "note": f"{t_batch:.2f} s for the batch; {int(batch.n_equilibria.sum())} equilibria"},
        {"benchmark": name, "implementation": "bargain-sim pbe_solve per point", "games_per_s": theirs,
         "ratio_vs_ours": ours / theirs,
         "note": f"{t_solve:.2f} s per point, timed on {n_solved} points; same answers: {'yes' if agree else 'NO'}"},
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
