"""Pure Nash equilibria of batches of games: ``enumpure_batch`` against its peers.

Workloads (seeded, payoffs uniform in [-10, 10]):

* 4 players with 3 actions each, 10,000 games (the size of a sweep chunk);
* 2 players with 3 actions each, 10,000 games, where nashpy applies too;
* one 16-player, 2-action game with 65,504 pure equilibria (``enumpure_solve``, whose
  certification of every equilibrium is the cost there).

Our kernel is compiled by numba: the first call (numba's import, and compilation or loading of
the cached machine code) is timed once and reported as a note, never in the medians.

Peers solve one game at a time in Python, so they run on a subsample (``SAMPLE`` games) and their
throughput is extrapolated as games/s; their answers on that subsample are checked against ours
(exact ties rule, ``tol = 0``, on both sides).
"""

from __future__ import annotations

import time

import numpy as np

from sim.generators import random_game_batch
from sim.solvers import enumpure_batch

N_GAMES = {False: 10_000, True: 2_000}
REPEATS = {False: 15, True: 5}
SAMPLE = {False: 200, True: 30}
NASHPY_SAMPLE = {False: 1_000, True: 100}


def plain_numpy(payoffs: np.ndarray, tol: float) -> np.ndarray:
    """The textbook batched version: a max over each player's own axis, then a comparison."""
    mask = None
    for i in range(payoffs.shape[-1]):
        u = payoffs[..., i]
        ok = u >= u.max(axis=1 + i, keepdims=True) - tol
        mask = ok if mask is None else mask & ok
    return mask


def _load() -> str:
    try:
        with open("/proc/loadavg") as f:
            return "load " + " ".join(f.read().split()[:3])
    except OSError:  # not Linux
        return "load n/a"


_first_call: list[float] = []


def _first_call_seconds() -> float:
    """Seconds of the process's first compiled call (import + compile or cache load), once."""
    if not _first_call:
        import sim.solvers.pure as pure

        batch = np.array(random_game_batch((3, 3, 3, 3), 64, np.random.default_rng(0), low=-1, high=1).payoffs)
        assert batch.size >= pure._SMALL_BATCH  # the compiled path, not the NumPy one
        start = time.perf_counter()
        enumpure_batch(batch)
        _first_call.append(time.perf_counter() - start)
    return _first_call[0]


def _median_seconds(fn, repeats: int) -> tuple[float, float]:
    fn()  # warm-up: thread pool, page faults
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(min(times))


def _profiles(mask: np.ndarray) -> list[set]:
    return [{tuple(int(a) for a in idx) for idx in zip(*np.nonzero(m))} for m in mask]


def _gambit(sample: np.ndarray):
    import pygambit as gbt

    n = sample.shape[-1]
    start = time.perf_counter()
    results = []
    for payoffs in sample:
        game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(n)))
        results.append((game, gbt.nash.enumpure_solve(game)))
    elapsed = time.perf_counter() - start
    found = []
    for game, res in results:
        found.append({tuple(int(np.argmax([float(eq[s]) for s in p.strategies])) for p in game.players)
                      for eq in res.equilibria})
    return elapsed, found


def _quantecon(sample: np.ndarray):
    from quantecon.game_theory import NormalFormGame, pure_nash_brute

    pure_nash_brute(NormalFormGame(sample[0]), tol=0.0)  # warm-up (numba compilation)
    start = time.perf_counter()
    found = [pure_nash_brute(NormalFormGame(payoffs), tol=0.0) for payoffs in sample]
    elapsed = time.perf_counter() - start
    return elapsed, [{tuple(int(a) for a in p) for p in eqs} for eqs in found]


def _nashpy(sample: np.ndarray):
    import nashpy

    start = time.perf_counter()
    found = []
    for payoffs in sample:
        game = nashpy.Game(payoffs[..., 0], payoffs[..., 1])
        rows, cols = np.eye(payoffs.shape[0]), np.eye(payoffs.shape[1])
        found.append({(r, c) for r in range(len(rows)) for c in range(len(cols))
                      if all(game.is_best_response(rows[r], cols[c]))})
    elapsed = time.perf_counter() - start
    return elapsed, found


def _workload(shape: tuple[int, ...], quick: bool) -> list[dict]:
    n_games = N_GAMES[quick]
    # a writable array, as a sweep's kernels get it
    batch = np.array(random_game_batch(shape, n_games, np.random.default_rng(20240601)).payoffs)
    label = f"enumpure {len(shape)}p x {'x'.join(map(str, shape))}, {n_games:,} games"
    repeats = REPEATS[quick]

    compile_s = _first_call_seconds()
    median, best = _median_seconds(lambda: enumpure_batch(batch), repeats)
    ours = n_games / median
    rows = [dict(benchmark=label, implementation="bargain-sim enumpure_batch", games_per_s=ours,
                 ratio_vs_ours=1.0, note=f"median of {repeats}; best {n_games / best:,.0f}/s; {_load()}; "
                                         f"first call incl. compile: {compile_s:.2f} s")]
    median1, best1 = _median_seconds(lambda: enumpure_batch(batch, threads=1), repeats)
    rows.append(dict(benchmark=label, implementation="bargain-sim enumpure_batch, 1 thread",
                     games_per_s=n_games / median1, ratio_vs_ours=ours / (n_games / median1),
                     note=f"best {n_games / best1:,.0f}/s; {_load()}"))
    median_plain, _ = _median_seconds(lambda: plain_numpy(batch, 1e-9), repeats)
    rows.append(dict(benchmark=label, implementation="plain batched numpy (max + compare)",
                     games_per_s=n_games / median_plain, ratio_vs_ours=ours / (n_games / median_plain)))

    sample = batch[:SAMPLE[quick]]
    reference = _profiles(enumpure_batch(sample, 0.0))
    peers = [("pygambit Game.from_arrays + enumpure_solve", _gambit, sample),
             ("QuantEcon NormalFormGame + pure_nash_brute", _quantecon, sample)]
    if len(shape) == 2:
        peers.append(("nashpy Game.is_best_response on each profile", _nashpy, batch[:NASHPY_SAMPLE[quick]]))
    for name, fn, games in peers:
        elapsed, found = fn(games)
        expected = reference if len(games) == len(sample) else _profiles(enumpure_batch(games, 0.0))
        wrong = sum(a != b for a, b in zip(found, expected))
        agree = "same equilibria" if wrong == 0 else f"DIFFERENT equilibria on {wrong} games"
        theirs = len(games) / elapsed
        rows.append(dict(benchmark=label, implementation=name, games_per_s=theirs,
                         ratio_vs_ours=ours / theirs, note=f"{len(games)} games, {agree}"))
    if len(shape) != 2:
        rows.append(dict(benchmark=label, implementation="nashpy",
                         note="skipped: nashpy handles 2-player games only"))
    return rows


def _many_equilibria(quick: bool) -> list[dict]:
    """One game with 65,504 pure equilibria: ``enumpure_solve`` certifies them in one pass.

    16 players with two actions, each paid 1 only when all choose alike: every profile where at
    least two players differ from the rest is an equilibrium. The per-profile route
    (``Equilibrium.certify`` on each, as ``enumpure_solve`` did before) is timed on a sample and
    extrapolated.
    """
    from sim.game import NormalFormGame
    from sim.result import Equilibrium
    from sim.solvers.pure import enumpure_solve

    n = 12 if quick else 16
    same = np.zeros((2,) * n)
    same[(0,) * n] = same[(1,) * n] = 1.0
    game = NormalFormGame.from_payoffs(np.repeat(same[..., None], n, axis=-1))
    label = f"enumpure_solve {n}p x 2, {2 ** n - 2 * n:,} pure equilibria"
    median, best = _median_seconds(lambda: enumpure_solve(game), 3)
    sample = np.argwhere(np.ones((2,) * n, dtype=bool))[:: max(1, 2 ** n // 100)]
    t0 = time.perf_counter()
    for row in sample:
        Equilibrium.certify(game, [np.eye(2)[a] for a in row])
    per_profile = (time.perf_counter() - t0) / len(sample) * (2 ** n - 2 * n)
    return [dict(benchmark=label, implementation="bargain-sim enumpure_solve (vectorised certification)",
                 games_per_s=1 / median, ratio_vs_ours=1.0,
                 note=f"median {median:.2f} s of 3, best {best:.2f} s; {_load()}"),
            dict(benchmark=label, implementation="per-profile Equilibrium.certify (extrapolated)",
                 games_per_s=1 / per_profile, ratio_vs_ours=per_profile / median,
                 note=f"{per_profile:.0f} s from {len(sample)} profiles")]


def run(quick: bool) -> list[dict]:
    """Rows for ``benchmarks.run``: both workloads, and one game with many pure equilibria."""
    return _workload((3, 3, 3, 3), quick) + _workload((3, 3), quick) + _many_equilibria(quick)


if __name__ == "__main__":  # python -m benchmarks.bench_pure [--quick]
    import sys

    from benchmarks.run import main

    sys.exit(main([*sys.argv[1:], "pure"]))
