"""Subgame-perfect equilibria on the tree: ``spe_solve`` on perfect-information trees of growing size.

Workloads: the first version of the baseline (tests/data/scenarios-v1/baseline-2009.toml) played in turn: US, Russia, NATO, Iran; 32 end
points, 65,536 reduced strategies for Iran, so the reduced normal form is refused), and generated
perfect-information trees (binary, players in turn, payoffs uniform in [-10, 10] from a seed, so
there are no ties) with 2**depth leaves, up to 2**20 (about a million) in a full run.

Compared with, where it applies:

* the route through the reduced normal form that ``spe`` used to take (build the reduced normal
  form and certify the equilibrium on it), on trees small enough for it;
* pygambit's ``enumpure_agent_solve(game)`` (``enumpure_solve(game, use_strategic=False)``
  before pygambit 16.5): the pure Nash equilibria of the agent form, which on a generic
  perfect-information tree include the subgame-perfect one but are not specifically subgame
  perfect; pygambit has no backward-induction solver. Run in a subprocess with a time limit on
  the tree written as ``.efg``.

Each generated tree is timed in two parts: *build* (``ExtensiveFormGame.from_root`` validating
the generated nodes; generating them is not timed) and *solve* (``spe_solve``, including its flat
layout of the tree, which is also timed alone: ``flatten``, the one walk over the node objects;
the rest is the compiled backward induction and certificate). The compiled kernels are loaded
once before timing (a warm-up solve of a small tree), as a session's first tree would pay it. pygambit's tree handling is timed likewise where it applies: ``read_efg`` of
the tree written as ``.efg`` (parsing included) for the build, and its solve call, each in its
own subprocess with a time limit.

Run: ``.venv/bin/python -m benchmarks.bench_tree`` (or ``python -m benchmarks.run tree``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sim.extensive.spe import spe_solve
from sim.extensive.tree import Decision, ExtensiveFormGame, Terminal

ROOT = Path(__file__).resolve().parent.parent
GAMBIT_TIMEOUT = 60.0
# (depth, with the reduced-form route, with pygambit) per run
QUICK = [(4, True, False), (14, False, False)]
FULL = [(4, True, True), (10, False, True), (16, False, True), (20, False, True)]

_GAMBIT = r"""
import sys, time
import pygambit as gbt
start = time.perf_counter()
game = gbt.read_efg(sys.argv[1])
print(time.perf_counter() - start, flush=True)
if sys.argv[2] == "solve":
    start = time.perf_counter()
    agent = getattr(gbt.nash, "enumpure_agent_solve", None)  # pygambit >= 16.5
    res = agent(game) if agent else gbt.nash.enumpure_solve(game, use_strategic=False)
    print(time.perf_counter() - start, len(res.equilibria), flush=True)
"""


def binary_tree(depth: int, players: int = 3, seed: int = 0) -> ExtensiveFormGame:
    """A binary perfect-information tree with ``2**depth`` leaves; player ``d % players`` moves at depth ``d``."""
    rng = np.random.default_rng(seed)
    pays = rng.uniform(-10, 10, size=(2 ** depth, players)).round(6)
    level = [Terminal(tuple(map(float, p))) for p in pays]
    count = 0
    for d in range(depth - 1, -1, -1):
        nxt = []
        for k in range(0, len(level), 2):
            nxt.append(Decision(d % players, f"h{count}", ("l", "r"), (level[k], level[k + 1])))
            count += 1
        level = nxt
    return ExtensiveFormGame(tuple(f"P{i}" for i in range(players)), level[0], f"binary tree, depth {depth}")


def sequential_baseline() -> ExtensiveFormGame:
    from sim.scenario import compile_scenario, loads_scenario

    text = (ROOT / "tests" / "data" / "scenarios-v1" / "baseline-2009.toml").read_text().replace(
        'timing = "simultaneous"',
        'timing = [{ player = "US" }, { player = "Russia", observes = ["US"] }, '
        '{ player = "NATO", observes = ["US", "Russia"] }, { player = "Iran", observes = ["US", "Russia", "NATO"] }]')
    return compile_scenario(loads_scenario(text)).game()


def _time(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), out


def _reduced_route(game: ExtensiveFormGame, result) -> float:
    from sim.extensive.reduced import mixed_from_behaviour
    from sim.result import Equilibrium

    def route():
        nf = game.reduced_normal_form()
        for e in result.equilibria:
            Equilibrium.certify(nf, mixed_from_behaviour(game, e.behaviour))

    return _time(route, 1)[0]


def _gambit(path: Path, what: str):
    """pygambit on the ``.efg`` file: ``what`` is ``"read"`` (read_efg only) or ``"solve"``."""
    try:
        proc = subprocess.run([sys.executable, "-c", _GAMBIT, str(path), what], capture_output=True, text=True,
                              timeout=GAMBIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {GAMBIT_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        why = (proc.stderr.strip().splitlines() or [""])[-1]  # e.g. pygambit wants unique node labels
        return None, f"failed (exit {proc.returncode}): {why}"
    lines = proc.stdout.split("\n")
    if what == "read":
        return (float(lines[0]),), ""
    seconds, n = lines[1].split()
    return (float(seconds), int(n)), ""


def _rows(label: str, game: ExtensiveFormGame, reduced: bool, gambit: bool, repeats: int, tmp: Path,
          nodes=None) -> list[dict]:
    rows = []
    if nodes is not None:  # a generated tree: time from_root's validation of its nodes
        build, game = _time(lambda: ExtensiveFormGame.from_root(game.players, nodes, game.title), repeats)
        rows.append({"benchmark": label, "implementation": "bargain-sim ExtensiveFormGame.from_root (build)",
                     "median_ms": 1000 * build, "ratio_vs_ours": 1.0, "note": "validating the generated nodes"})
    ours, result = _time(lambda: spe_solve(game), repeats)
    ms = 1000 * ours
    rows.append({"benchmark": label, "implementation": "bargain-sim spe_solve (tree)", "median_ms": ms,
                 "ratio_vs_ours": 1.0, "median_equilibria": float(len(result.equilibria)),
                 "note": f"max regret {result.max_regret:.1e}; result.game is "
                         f"{'the reduced normal form' if result.details['reduced_form'] else 'the tree'}"})
    if nodes is not None:
        from sim.extensive.behaviour import flatten

        lay = 1000 * _time(lambda: flatten(game), repeats)[0]
        rows.append({"benchmark": label, "implementation": "of which the flat layout (flatten)", "median_ms": lay,
                     "ratio_vs_ours": lay / ms, "note": "one walk over the node objects; share of the solve"})
    if reduced:
        t = 1000 * _reduced_route(game, result)
        rows.append({"benchmark": label, "implementation": "reduced normal form + certify (old route)",
                     "median_ms": t, "ratio_vs_ours": t / ms, "note": "building and certifying only"})
    if gambit:
        from sim.formats.efg import format_efg

        path = tmp / "tree.efg"
        path.write_text(format_efg(game))
        if nodes is not None:
            found, why = _gambit(path, "read")
            name = "pygambit read_efg (build)"
            if found is None:
                rows.append({"benchmark": label, "implementation": name, "note": why})
            else:
                t = 1000 * found[0]
                rows.append({"benchmark": label, "implementation": name, "median_ms": t,
                             "ratio_vs_ours": t / rows[0]["median_ms"],
                             "note": "parsing the .efg text included; ratio against our build"})
        found, why = _gambit(path, "solve")
        name = "pygambit enumpure_agent_solve"
        if found is None:
            rows.append({"benchmark": label, "implementation": name, "note": why})
        else:
            t = 1000 * found[0]
            rows.append({"benchmark": label, "implementation": name, "median_ms": t,
                         "ratio_vs_ours": t / ms, "median_equilibria": float(found[1]),
                         "note": "pure agent-form equilibria, not only subgame-perfect ones (a superset of "
                                 "the SPE); ratio against our solve"})
    return rows


def run(quick: bool) -> list[dict]:
    import tempfile

    rows = []
    spe_solve(binary_tree(2))  # warm-up: load the compiled kernels once
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows += _rows("spe sequential baseline (32 leaves)", sequential_baseline(), False, not quick,
                      3 if quick else 10, tmp)
        for depth, reduced, gambit in (QUICK if quick else FULL):
            game = binary_tree(depth)
            rows += _rows(f"spe binary tree, 2**{depth} leaves", game, reduced, gambit, 1 if depth > 12 else 3, tmp,
                          nodes=game.root)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
