"""Benchmark: tracing the logit QRE principal branch to a Nash limit, ours against pygambit.

Random games with payoffs uniform on [-10, 10] (seeded), 3 and 4 players with 3 actions each.
Both solvers stop at the same criterion: max regret at most ``1e-8`` times the payoff spread.
Gambit's game is built outside the timed region, so only its ``logit_solve`` call is timed.
Ours is warmed up first (numba compiles the tracer on the first call, or loads its cache); that
first call's time is printed once as a note. The load average is printed before and after:
on a shared machine only the ratios within one run mean much.

Run with ``.venv/bin/python -m benchmarks.bench_logit`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sim.generators import random_game
from sim.solvers.logit import logit_solve

SEED = 20240601


def _games(n_players: int, n_games: int):
    rng = np.random.default_rng(SEED + n_players)
    shape = (3,) * n_players
    return [random_game(shape, rng)
            for _ in range(n_games)]


def _time_ms(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def run(quick: bool) -> list[dict]:
    """Median milliseconds per game for ours and pygambit's ``logit_solve``, in one run."""
    import pygambit as gbt

    n_games = 8 if quick else 40
    rows = []
    for n_players in (3, 4):
        games = _games(n_players, n_games)
        # The first call compiles the tracer (or loads numba's cache): reported, never timed.
        start = time.perf_counter()
        logit_solve(games[0])
        first_call_s = time.perf_counter() - start
        ours, theirs, agree = [], [], 0
        for game in games:
            result = None

            def solve_ours():
                nonlocal result
                result = logit_solve(game)

            ours.append(_time_ms(solve_ours))
            gbt_game = gbt.Game.from_arrays(*[game.payoffs[..., i] for i in range(n_players)])
            gambit_result = None

            def solve_gambit():
                nonlocal gambit_result
                gambit_result = gbt.nash.logit_solve(gbt_game, maxregret=1e-8)

            theirs.append(_time_ms(solve_gambit))
            eq = gambit_result.equilibria[0]
            profile = [np.array([float(eq[s]) for s in p.strategies]) for p in gbt_game.players]
            ours_profile = result.equilibria[0].profile
            agree += all(np.allclose(a, b, atol=1e-4) for a, b in zip(profile, ours_profile))
        ours_ms, theirs_ms = statistics.median(ours), statistics.median(theirs)
        name = f"logit branch, {n_players} players x 3 actions ({n_games} games, {agree} same limit)"
        rows.append({"benchmark": name, "implementation": "bargain-sim logit_solve",
                     "median_ms": ours_ms, "ratio_vs_ours": 1.0,
                     "note": f"first call incl. compile: {first_call_s:.2f} s"})
        rows.append({"benchmark": name, "implementation": "pygambit logit_solve",
                     "median_ms": theirs_ms, "ratio_vs_ours": theirs_ms / ours_ms})
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer games")
    args = parser.parse_args(argv)
    print(f"load average before: {_loadavg()}")
    for row in run(args.quick):
        print(f"{row['benchmark']:<62} {row['implementation']:<26} "
              f"{row['median_ms']:9.2f} ms  x{row['ratio_vs_ours']:.2f}")
        if row.get("note"):
            print(f"  note: {row['note']}")
    print(f"load average after: {_loadavg()}")
    return 0


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unavailable"



if __name__ == "__main__":
    raise SystemExit(main())
