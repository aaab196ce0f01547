"""Benchmark: all extreme equilibria of random n x n bimatrix games, ours against the peers.

Games have payoffs uniform on [-10, 10] (seeded). Per size n = 8, 10, 12 the median time per game of
our ``enummixed_solve``, QuantEcon's ``vertex_enumeration``, pygambit's float ``enummixed_solve``
(``rational=False``) and, at n = 8 only and on two games, nashpy's ``vertex_enumeration``. Each
row's note says how many equilibria that implementation found in total against ours on the same
games. Peer games are built outside the timed region.

pygambit runs in-process (its ``enummixed`` has not crashed in our runs); it stops after the first
game of a size whose time exceeds ``GAMBIT_BUDGET_S``, and the note says so.

Run with ``.venv/bin/python -m benchmarks.bench_mixed`` (``--quick`` for a short run), or as part
of ``.venv/bin/python -m benchmarks.run mixed``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from sim.game import NormalFormGame
from sim.solvers.mixed import enummixed_solve

SEED = 20240602
GAMBIT_BUDGET_S = 5.0


def _games(n: int, count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(SEED + n)
    return [rng.uniform(-10, 10, size=(n, n, 2)) for _ in range(count)]


def _timed(func):
    t0 = time.perf_counter()
    out = func()
    return (time.perf_counter() - t0) * 1e3, out


def _row(bench, impl, times, ours_ms, found, ours_found, extra=""):
    median = statistics.median(times)
    note = f"{found} equilibria vs ours {ours_found} on {len(times)} games{extra}"
    return {"benchmark": bench, "implementation": impl, "median_ms": median,
            "ratio_vs_ours": median / ours_ms, "note": note}


def run(quick: bool) -> list[dict]:
    """Median milliseconds per game for each implementation, measured in one run."""
    import nashpy
    import pygambit as gbt
    import quantecon.game_theory as qe

    sizes = (8, 10) if quick else (8, 10, 12)
    count = {8: 20, 10: 20, 12: 10} if not quick else {8: 5, 10: 3}
    rows = []
    # Warm imports and caches (scipy.spatial, numba compilation) outside the timed region.
    warm = np.random.default_rng(0).uniform(size=(4, 4, 2))
    enummixed_solve(NormalFormGame.from_payoffs(warm))
    qe.vertex_enumeration(qe.NormalFormGame(warm))
    for n in sizes:
        bench = f"enummixed {n}x{n} uniform"
        payoffs = _games(n, count[n])
        ours, ours_counts = [], []
        for p in payoffs:
            game = NormalFormGame.from_payoffs(p)
            ms, result = _timed(lambda: enummixed_solve(game))
            ours.append(ms)
            ours_counts.append(len(result.equilibria))
        ours_ms = statistics.median(ours)
        rows.append(_row(bench, "bargain-sim enummixed_solve", ours, ours_ms, sum(ours_counts), sum(ours_counts)))

        times, found = [], 0
        for p in payoffs:
            g = qe.NormalFormGame(p)
            ms, eqs = _timed(lambda: qe.vertex_enumeration(g))
            times.append(ms)
            found += len(eqs)
        rows.append(_row(bench, "quantecon vertex_enumeration", times, ours_ms, found, sum(ours_counts)))

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
    args = parser.parse_args()
    for row in run(args.quick):
        ms = row.get("median_ms")
        print(f"{row['benchmark']:<24} {row['implementation']:<42} "
              f"{ms:>10.2f} ms  {row['ratio_vs_ours']:>7.2f}x  {row['note']}")


if __name__ == "__main__":
    main()
