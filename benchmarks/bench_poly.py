"""All isolated mixed equilibria of N-player games: ``enumpoly_solve`` against pygambit's enumpoly.

Workloads (seeded, payoffs uniform in [-10, 10]): random games with 3 players and 4 players, 3
actions each. For each game both implementations run in this same run; the rows give the median
time per game and the median number of equilibria each found, and the note says on how many games
the equilibrium sets agreed (pygambit's set contained in ours; extra ones of ours are certified by
regret). pygambit runs in a subprocess (its solvers can crash the process, and a timeout must be
enforceable); only its solve call is timed, inside that subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np

from sim.game import NormalFormGame
from sim.solvers.poly import enumpoly_solve

# (players, games in a full run, games in a quick run)
WORKLOADS = [(3, 5, 2), (4, 2, 0)]
GAMBIT_TIMEOUT = 300.0

_GAMBIT = r"""
import json, sys, time
import numpy as np
import pygambit as gbt
payoffs = np.array(json.load(sys.stdin), dtype=float)
n = payoffs.shape[-1]
game = gbt.Game.from_arrays(*(payoffs[..., i] for i in range(n)))
start = time.perf_counter()
res = gbt.nash.enumpoly_solve(game)
elapsed = time.perf_counter() - start
eqs = [[[float(eq[s]) for s in p.strategies] for p in game.players] for eq in res.equilibria]
json.dump({"seconds": elapsed, "equilibria": eqs}, sys.stdout)
"""


def _game(n_players: int, seed: int) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    shape = (3,) * n_players
    return NormalFormGame.from_payoffs(rng.uniform(-10, 10, size=(*shape, n_players)))


def _gambit(game: NormalFormGame):
    try:
        proc = subprocess.run([sys.executable, "-c", _GAMBIT], input=json.dumps(game.payoffs.tolist()),
                              capture_output=True, text=True, timeout=GAMBIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {GAMBIT_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        return None, f"failed (exit {proc.returncode})"
    return json.loads(proc.stdout), ""


def run(quick: bool) -> list[dict]:
    rows = []
    for n_players, n_full, n_quick in WORKLOADS:
        count = n_quick if quick else n_full
        label = f"enumpoly {n_players}p x 3a, random games"
        if count == 0:
            rows.append({"benchmark": label, "implementation": "bargain-sim",
                         "note": "skipped in --quick (tens of seconds per game)"})
            continue
        ours_t, ours_n, theirs_t, theirs_n, agree, notes, complete = [], [], [], [], 0, [], 0
        for seed in range(count):
            game = _game(n_players, seed)
            start = time.perf_counter()
            result = enumpoly_solve(game)
            ours_t.append(time.perf_counter() - start)
            ours_n.append(len(result.equilibria))
            complete += bool(result.complete)
            gambit, why = _gambit(game)
            if gambit is None:
                notes.append(f"seed {seed}: pygambit {why}")
                continue
            theirs_t.append(gambit["seconds"])
            theirs_n.append(len(gambit["equilibria"]))
            ours = [np.concatenate(e.profile) for e in result.equilibria]
            if all(any(np.allclose(np.concatenate(p), x, atol=1e-5) for x in ours) for p in gambit["equilibria"]):
                agree += 1
        ours_ms = 1000 * float(np.median(ours_t))
        rows.append({"benchmark": label, "implementation": "bargain-sim", "median_ms": ours_ms,
                     "ratio_vs_ours": 1.0, "median_equilibria": float(np.median(ours_n)),
                     "note": f"{count} games; complete (no failed path) on {complete}"})
        if theirs_t:
            theirs_ms = 1000 * float(np.median(theirs_t))
            rows.append({"benchmark": label, "implementation": "pygambit enumpoly_solve",
                         "median_ms": theirs_ms, "ratio_vs_ours": theirs_ms / ours_ms,
                         "median_equilibria": float(np.median(theirs_n)),
                         "note": f"{len(theirs_t)} games; its set inside ours on {agree}; " + "; ".join(notes)})
        else:
            rows.append({"benchmark": label, "implementation": "pygambit enumpoly_solve", "note": "; ".join(notes)})
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
