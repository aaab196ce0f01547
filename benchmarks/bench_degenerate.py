"""Benchmark: all extreme equilibria of degenerate reduced forms from Gambit's corpus, ours against pygambit.

The games are the reduced normal forms of two-player trees of ``tests/data/gambit`` (Gambit's
``contrib/games``) on which Gambit's ``enummixed`` is slow: reduced forms are degenerate (a
strategy that never reaches an information set ties with its siblings there). Each game is
written once as an ``.nfg`` text with exact rational payoffs, so both sides solve the same
rational game; each side runs in its own subprocess under a time limit (``LIMIT_S``), timing only
the solve (imports and numba's compilation happen before the clock starts). ``ratio`` is
pygambit's time over ours; the note says whether the two sets of extreme equilibria agree
(rounded to 6 digits), how many each found, our vertex route, and the load average.

When lrslib's ``lrsnash`` is on the PATH (Debian's ``lrslib`` package), it is timed too on the
same integer game (wall time of the process, which starts in milliseconds), and its set of extreme
equilibria compared with ours.

Run with ``.venv/bin/python -m benchmarks.bench_degenerate`` (``--quick`` for one small game,
``--limit S`` to change the time limit), or as part of ``.venv/bin/python -m benchmarks.run
degenerate``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "gambit"
# bcp2 is the 9x27 game of the issue; the others are the two-player trees on which Gambit's
# enummixed took over 25 s, then those the conformance test leaves out because one side takes
# more than a few seconds (tests/test_conformance_mixed.py, GAMBIT_TOO_SLOW).
GAMES = ("bcp2", "2smp", "bcp3", "bcp4", "artist2", "caro2", "montyhal", "bayes2a", "4cards",
         "w_ex2", "work3", "e16", "nim7", "palf2", "palf3", "tim")
QUICK_GAMES = ("2smp",)
LIMIT_S = 600.0

_OURS = r"""
import json, sys, time
import numpy as np
from sim.formats.nfg import read_nfg
from sim.game import NormalFormGame
from sim.solvers.mixed import enummixed_solve
enummixed_solve(NormalFormGame.from_bimatrix([[1, 1], [1, 0]], [[1, 0], [1, 1]]))  # compile / load caches
enummixed_solve(NormalFormGame.from_bimatrix([[1, 0], [1, 1]], [[1, 0], [1, 0]]), vertices="lex")  # exact kernels
game = read_nfg(sys.argv[1])
vertices = sys.argv[2]
t0 = time.perf_counter()
# "lex" by name: the benchmark's time limit bounds it, not AUTO_LEX_WORK.
res = enummixed_solve(game, vertices=vertices, **({"max_bases": 10**12} if vertices == "lex" else {}))
dt = time.perf_counter() - t0
json.dump({"s": dt, "route": res.details["vertex_method"], "subsets": len(res.details["maximal_subsets"]),
           "eqs": [[list(map(float, s)) for s in e.profile] for e in res.equilibria]}, sys.stdout)
"""

_GAMBIT = r"""
import json, sys, time
import pygambit as gbt
game = gbt.read_nfg(sys.argv[1])
rational = sys.argv[2] != "float"
t0 = time.perf_counter()
res = gbt.nash.enummixed_solve(game, rational=rational)
dt = time.perf_counter() - t0
json.dump({"s": dt, "eqs": [[[float(eq[s]) for s in p.strategies] for p in game.players]
                            for eq in res.equilibria]}, sys.stdout)
"""


def rational_nfg_text(game) -> str:
    """``.nfg`` text of a two-player game with its payoffs as exact fractions.

    Each float is read as its shortest decimal with at most 9 places, else as the simplest
    fraction within ``1e-12`` of the game's scale with denominator at most 10**6 (so a chance
    probability 1/3 stays 1/3), else as its shortest decimal;
    :func:`sim.solvers.lexvertices.integer_payoffs` reads the payoffs the same way.
    """
    payoffs = np.asarray(game.payoffs, float)
    m, n = payoffs.shape[:2]
    scale = max(1.0, float(np.abs(payoffs).max()))

    def text(v: float) -> str:
        v = float(v)  # NumPy 2 writes a np.float64 as "np.float64(0.5)"
        f = Fraction(repr(v))
        if f.denominator > 10**9:
            g = Fraction(v).limit_denominator(10**6)
            f = g if abs(float(g) - v) <= 1e-12 * scale else f
        return str(f)

    values = [text(payoffs[i, j, p]) for j in range(n) for i in range(m) for p in range(2)]
    return (f'NFG 1 R "reduced form" {{ "1" "2" }} {{ {m} {n} }}\n\n' + " ".join(values) + "\n")


def _run(script: str, path: str, limit: float, *args: str) -> dict | str:
    """The script's JSON answer, or the reason there is none (a time-out or a failure)."""
    env = dict(os.environ, PYTHONPATH=str(DATA.parent.parent.parent))
    try:
        proc = subprocess.run([sys.executable, "-c", script, path, *args], capture_output=True, text=True,
                              timeout=limit, env=env)
    except subprocess.TimeoutExpired:
        return f"over the {limit:g} s limit"
    if proc.returncode != 0:
        return f"failed: {proc.stderr.strip().splitlines()[-1][:120] if proc.stderr.strip() else proc.returncode}"
    return json.loads(proc.stdout)


def _lrsnash(game, limit: float) -> dict | str:
    """lrsnash's extreme equilibria of the integer game ours solves, and its wall time."""
    import shutil
    import time

    if shutil.which("lrsnash") is None:
        return "not installed"
    sys.path.insert(0, str(DATA.parent / "extreme-equilibria"))
    from lrsnash_reference import lrsnash

    from sim.solvers.lexvertices import integer_payoffs

    A, B = (integer_payoffs(game.payoffs[..., i]) for i in (0, 1))
    t0 = time.perf_counter()
    try:
        pairs = lrsnash(A, B, timeout=limit)
    except subprocess.TimeoutExpired:
        return f"over the {limit:g} s limit"
    dt = time.perf_counter() - t0
    return {"s": dt, "eqs": [[[float(v) for v in x], [float(v) for v in y]] for x, y in set(pairs)]}


def _profile_set(eqs) -> set:
    return {tuple(np.round(np.concatenate([np.asarray(s, float) for s in e]), 6) + 0.0) for e in eqs}


def _loadavg() -> str:
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "n/a"


def run(quick: bool, limit: float = LIMIT_S, names=None, vertices: str = "auto",
        gambit_float: bool = False) -> list[dict]:
    """One row per (game, implementation): seconds of one solve, converted to milliseconds.

    ``vertices`` is our route: "auto" (what a user gets, bounded by ``AUTO_LEX_WORK`` on
    degenerate games) or "lex" (the exact route by name, bounded by ``limit`` only).
    ``gambit_float`` runs pygambit's ``enummixed_solve`` in floating point (``rational=False``, the
    arithmetic of the command line's ``-d``) instead of exact rationals: faster, and its list may
    repeat an equilibrium (bcp2: 712 listed, 695 distinct)."""
    import tempfile

    from sim.formats.efg import read_efg

    names = names or (QUICK_GAMES if quick else GAMES)
    limit = min(limit, 60.0) if quick else limit
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            game = read_efg(DATA / f"{name}.efg").reduced_normal_form()
            m, n = game.payoffs.shape[:2]
            path = str(Path(tmp) / f"{name}.nfg")
            Path(path).write_text(rational_nfg_text(game))
            bench = f"enummixed {name} {m}x{n} reduced"
            load = _loadavg()
            ours = _run(_OURS, path, limit, vertices)
            theirs = _run(_GAMBIT, path, limit, "float" if gambit_float else "rational")
            if isinstance(ours, str):
                rows.append({"benchmark": bench, "implementation": "bargain-sim enummixed_solve",
                             "note": f"ours {ours}; load average {load}"})
            else:
                rows.append({"benchmark": bench, "implementation": "bargain-sim enummixed_solve",
                             "median_ms": ours["s"] * 1e3, "ratio_vs_ours": 1.0,
                             "note": f"{len(ours['eqs'])} extreme equilibria, {ours['subsets']} maximal "
                                     f"subsets, route {ours['route']}; load average {load}"})
            label = "pygambit enummixed_solve" + (" (floating point)" if gambit_float else "")
            if isinstance(theirs, str):
                rows.append({"benchmark": bench, "implementation": label, "note": f"pygambit {theirs}"})
            else:
                row = {"benchmark": bench, "implementation": label, "median_ms": theirs["s"] * 1e3}
                listed = len(theirs["eqs"])
                distinct = len(_profile_set(theirs["eqs"]))
                count = f"{listed} extreme equilibria" + (f" listed, {distinct} distinct" if distinct != listed else "")
                if isinstance(ours, str):
                    row["note"] = count
                else:
                    same = _profile_set(ours["eqs"]) == _profile_set(theirs["eqs"])
                    row["ratio_vs_ours"] = theirs["s"] / ours["s"]
                    row["note"] = f"{count}; same set as ours: {same}"
                rows.append(row)
            lrs = _lrsnash(game, limit)
            if lrs != "not installed":
                if isinstance(lrs, str):
                    rows.append({"benchmark": bench, "implementation": "lrsnash (lrslib)", "note": f"lrsnash {lrs}"})
                else:
                    row = {"benchmark": bench, "implementation": "lrsnash (lrslib)", "median_ms": lrs["s"] * 1e3,
                           "note": f"{len(lrs['eqs'])} extreme equilibria"}
                    if not isinstance(ours, str):
                        row["ratio_vs_ours"] = lrs["s"] / ours["s"]
                        row["note"] += f"; same set as ours: {_profile_set(ours['eqs']) == _profile_set(lrs['eqs'])}"
                    rows.append(row)
            for r in rows[-3 if lrs != "not installed" else -2:]:  # progress: a full run takes long
                print(f"{r['benchmark']} | {r['implementation']} | {r.get('median_ms')} ms | {r['note']}",
                      file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small game, a few seconds")
    parser.add_argument("--limit", type=float, default=LIMIT_S, help="seconds allowed per solve and side")
    parser.add_argument("--vertices", choices=("auto", "lex"), default="auto",
                        help="our route: auto (bounded by AUTO_LEX_WORK) or lex (bounded by --limit)")
    parser.add_argument("--gambit-float", action="store_true",
                        help="pygambit in floating point (rational=False) instead of exact rationals")
    parser.add_argument("games", nargs="*", help=f"games to run (default: {' '.join(GAMES)})")
    args = parser.parse_args()
    from benchmarks.run import format_table

    print(format_table(run(args.quick, args.limit, args.games or None, args.vertices, args.gambit_float)))


if __name__ == "__main__":
    main()
