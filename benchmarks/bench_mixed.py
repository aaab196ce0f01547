"""Benchmark: all extreme equilibria of random n x n bimatrix games, ours against the peers.

Games have payoffs uniform on [-10, 10] (seeded). Per size n = 8, 10, 12 the median time per game of
our ``enummixed_solve``, QuantEcon's ``vertex_enumeration``, pygambit's float ``enummixed_solve``
(``rational=False``) and, at n = 8 only and on two games, nashpy's ``vertex_enumeration``. Peer games
are built outside the timed region.

Ours and QuantEcon run interleaved, game by game, in alternating order, each game ``REPEATS`` times,
so that both see the same machine load; ``ratio`` is the peer's median over ours and ``per-game``
the median of the per-game ratios. Our note says which vertex enumeration route each game took
(``pivot`` for the compiled pivoting, ``hull`` for qhull); QuantEcon's says whether QuantEcon's equilibrium SETS equal ours on
every game (rounded to 6 digits), the load average, and, once, the first call's time including
numba's compilation (or cache load), which is excluded from the medians.

pygambit runs in-process (its ``enummixed`` has not crashed in our runs); it stops after the first
game of a size whose time exceeds ``GAMBIT_BUDGET_S``, and the note says so.

Run with ``.venv/bin/python -m benchmarks.bench_mixed`` (``--quick`` for a short run, ``--no-gambit``
to time only ours and QuantEcon), or as part of ``.venv/bin/python -m benchmarks.run mixed``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sim.game import NormalFormGame
from sim.generators import random_game
from sim.solvers.mixed import enummixed_solve

SEED = 20240602
GAMBIT_BUDGET_S = 5.0


def _games(n: int, count: int) -> list[NormalFormGame]:
    rng = np.random.default_rng(SEED + n)
    return [random_game((n, n), rng) for _ in range(count)]


def _timed(func):
    t0 = time.perf_counter()
    out = func()
    return (time.perf_counter() - t0) * 1e3, out


def _row(bench, impl, times, ours_ms, found, ours_found, extra=""):
    median = statistics.median(times)
    note = f"{found} equilibria vs ours {ours_found}, {len(times)} timings{extra}"
    return {"benchmark": bench, "implementation": impl, "median_ms": median,
            "ratio_vs_ours": median / ours_ms, "note": note}


def _profile_set(profiles) -> set:
    return {tuple(np.round(np.concatenate([np.asarray(s, float) for s in p]), 6) + 0.0) for p in profiles}


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def run(quick: bool, gambit: bool = True) -> list[dict]:
    """Median milliseconds per game for each implementation, measured in one run."""
    import quantecon.game_theory as qe

    sizes = (8, 10) if quick else (8, 10, 12)
    count = {8: 20, 10: 20, 12: 10} if not quick else {8: 5, 10: 3}
    repeats = {8: 5, 10: 3, 12: 1} if not quick else {8: 2, 10: 1}
    rows = []
    # Warm imports and caches (scipy.spatial, numba compilation) outside the timed region, and
    # report the first call once: it is what a fresh process pays.
    warm = random_game((4, 4), np.random.default_rng(0), low=0.0, high=1.0)
    first_ms, _ = _timed(lambda: enummixed_solve(warm))
    qe.vertex_enumeration(qe.NormalFormGame(np.array(warm.payoffs)))
    print(f"note: first call incl. compile: {first_ms / 1e3:.2f} s (excluded from the medians)")
    for n in sizes:
        bench = f"enummixed {n}x{n} uniform"
        games = _games(n, count[n])
        payoffs = [np.array(game.payoffs) for game in games]  # writable arrays for the peers
        ours, theirs, per_game, ours_counts, found, same, routes = [], [], [], [], 0, 0, {}
        load_before = _loadavg()
        for k, (game, p) in enumerate(zip(games, payoffs)):
            g = qe.NormalFormGame(p)
            for r in range(repeats[n]):
                # Alternate who goes first so that neither always runs on a warmer cache.
                if (k + r) % 2:
                    ms_o, result = _timed(lambda: enummixed_solve(game))
                    ms_q, eqs = _timed(lambda: qe.vertex_enumeration(g))
                else:
                    ms_q, eqs = _timed(lambda: qe.vertex_enumeration(g))
                    ms_o, result = _timed(lambda: enummixed_solve(game))
                ours.append(ms_o)
                theirs.append(ms_q)
                per_game.append(ms_q / ms_o)
            ours_counts.append(len(result.equilibria))
            route = result.details["vertex_method"]
            routes[route] = routes.get(route, 0) + 1
            found += len(eqs)
            same += _profile_set(e.profile for e in result.equilibria) == _profile_set(eqs)
        ours_ms = statistics.median(ours)
        load = f"; load average {load_before} -> {_loadavg()}"
        taken = ", ".join(f"{k} on {v}" for k, v in sorted(routes.items()))
        rows.append(_row(bench, "bargain-sim enummixed_solve", ours, ours_ms, sum(ours_counts),
                         sum(ours_counts), f"; vertex route: {taken}{load}"))
        rows.append(_row(bench, "quantecon vertex_enumeration", theirs, ours_ms, found, sum(ours_counts),
                         f"; identical sets on {same}/{len(payoffs)} games; per-game ratio median "
                         f"{statistics.median(per_game):.2f}{load}"))
        if not gambit:
            continue
        import nashpy
        import pygambit as gbt

        times, found = [], 0
        for p, mine in zip(payoffs, ours_counts):
            g = gbt.Game.from_arrays(p[..., 0], p[..., 1])
            ms, res = _timed(lambda: gbt.nash.enummixed_solve(g, rational=False))
            times.append(ms)
            found += len(res.equilibria)
            if ms > GAMBIT_BUDGET_S * 1e3:
                break
        extra = "" if len(times) == len(payoffs) else f" (stopped: a game took over {GAMBIT_BUDGET_S:g} s)"
        rows.append(_row(bench, "pygambit enummixed_solve(rational=False)", times, ours_ms, found,
                         sum(ours_counts[:len(times)]), extra))

        if n == 8 and not quick:
            times, found = [], 0
            for p in payoffs[:2]:
                g = nashpy.Game(p[..., 0], p[..., 1])
                ms, eqs = _timed(lambda: list(g.vertex_enumeration()))
                times.append(ms)
                found += len(eqs)
            rows.append(_row(bench, "nashpy vertex_enumeration", times, ours_ms, found, sum(ours_counts[:2])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workload, a few seconds")
    parser.add_argument("--no-gambit", action="store_true", help="time only ours and QuantEcon")
    args = parser.parse_args()
    for row in run(args.quick, gambit=not args.no_gambit):
        ms = row.get("median_ms")
        print(f"{row['benchmark']:<24} {row['implementation']:<42} "
              f"{ms:>10.2f} ms  {row['ratio_vs_ours']:>7.2f}x  {row['note']}")


if __name__ == "__main__":
    main()
