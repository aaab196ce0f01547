"""All isolated mixed equilibria of N-player games: ``enumpoly_solve`` against pygambit's enumpoly.

Workloads (seeded, payoffs uniform in [-10, 10]): random games with 3 and 4 players and 3 actions
each, and the founding case's size (2x2x4x2); then the two games of Nau, Gomez Canovas and Hansen
(2004) from Gambit's catalogue (``tests/data/gambit``). For each game both implementations run in
this same run, one right after the other (so both see the same load); the rows give the median
wall time per game and the median number of equilibria each found, and the note says on how many
games the equilibrium sets agreed (pygambit's set contained in ours; extra ones of ours are
certified by regret) and the load average (``/proc/loadavg``, 1 minute) around the measurement.

Ours is warmed up first: the first call loads (or compiles) the numba kernels, which is reported
once as a note and never timed. pygambit runs in a subprocess (its solvers can crash the process,
and a timeout must be enforceable); only its solve call is timed, inside that subprocess.

The 4x4x4x4 game (50,625 support profiles) runs only in a full run, both implementations in a
subprocess with a time limit of ``LARGE_TIMEOUT`` seconds each, one after the other; a run past the
limit is reported as timed out.

Run: ``.venv/bin/python -m benchmarks.bench_poly`` (or ``python -m benchmarks.run poly``);
``--large`` runs only the 4x4x4x4 comparison; ``--stages`` estimates the 4x4x4x4 game's stage
times (CPU) from 500 randomly drawn support profiles, in about half a minute; ``--by-size``
estimates the same game's CPU time per support size (how many actions the profile uses), from a
sample of each size weighted by the size's count, in about ten minutes (the largest supports'
paths are tracked); ``--paths`` times the path tracker alone (CPU per path and per step) on 500
paths of the 4x4x4x4 game's full support and on every path of a 3x3x3x3 game's full support;
``--cells [REV]`` gives the subdivision's cells per CPU second on one large support and on two
3x3x3x3 games, alternating with the kernels of git revision ``REV`` if named (their outputs must
be the same), in a minute or two.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from sim.formats.nfg import read_nfg
from sim.game import NormalFormGame
from sim.generators import random_game
from sim.solvers.poly import enumpoly_solve

# (shape, games in a full run, games in a quick run)
WORKLOADS = [((3, 3, 3), 7, 2), ((2, 2, 4, 2), 5, 1), ((3, 3, 3, 3), 5, 0)]
NAU = Path(__file__).resolve().parent.parent / "tests" / "data" / "gambit"
# Nau et al. games: (file, run pygambit too); pygambit's enumpoly runs past a minute on section 6
NAU_GAMES = [("nau2004_sec5.nfg", True), ("nau2004_sec6.nfg", False)]
GAMBIT_TIMEOUT = 300.0
# Games too large to run in this process: both implementations run in a subprocess with this time
# limit, one right after the other, and a run past it is reported as such (full run only).
LARGE_WORKLOADS = [((4, 4, 4, 4), 1)]
LARGE_TIMEOUT = 600.0

_OURS = r"""
import json, sys, time
import numpy as np
from sim.game import NormalFormGame
from sim.generators import random_game
from sim.solvers.poly import enumpoly_solve
enumpoly_solve(random_game((3, 3, 3), np.random.default_rng(12345)))   # loads the kernels: not timed
game = NormalFormGame.from_payoffs(np.array(json.load(sys.stdin), dtype=float))
start = time.perf_counter()
res = enumpoly_solve(game)
elapsed = time.perf_counter() - start
eqs = [[p.tolist() for p in e.profile] for e in res.equilibria]
json.dump({"seconds": elapsed, "equilibria": eqs, "complete": res.complete,
           "details": {k: v for k, v in res.details.items() if k != "continua"}}, sys.stdout)
"""

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


def _loadavg() -> float:
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except OSError:
        return float("nan")


def _game(shape, seed: int) -> NormalFormGame:
    return random_game(shape, np.random.default_rng(seed))


def _gambit(game: NormalFormGame, timeout: float = GAMBIT_TIMEOUT, script: str = _GAMBIT):
    try:
        proc = subprocess.run([sys.executable, "-c", script], input=json.dumps(game.payoffs.tolist()),
                              capture_output=True, text=True, timeout=timeout,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    if proc.returncode != 0:
        return None, f"failed (exit {proc.returncode})"
    return json.loads(proc.stdout), ""


def _ours(game: NormalFormGame):
    start = time.perf_counter()
    result = enumpoly_solve(game)
    return time.perf_counter() - start, result


def _compare(label: str, games: list[NormalFormGame], with_gambit: bool, repeats: int = 1) -> list[dict]:
    ours_t, ours_n, theirs_t, theirs_n, agree, notes, complete, loads = [], [], [], [], 0, [], 0, []
    for k, game in enumerate(games):
        loads.append(_loadavg())
        times = []
        for _ in range(repeats):
            elapsed, result = _ours(game)
            times.append(elapsed)
        ours_t.append(float(np.median(times)))
        ours_n.append(len(result.equilibria))
        complete += bool(result.complete)
        if not with_gambit:
            continue
        gambit, why = _gambit(game)
        if gambit is None:
            notes.append(f"game {k}: pygambit {why}")
            continue
        theirs_t.append(gambit["seconds"])
        theirs_n.append(len(gambit["equilibria"]))
        ours = [np.concatenate(e.profile) for e in result.equilibria]
        if all(any(np.allclose(np.concatenate(p), x, atol=1e-5) for x in ours) for p in gambit["equilibria"]):
            agree += 1
    loads.append(_loadavg())
    load = f"load average {min(loads):.1f} to {max(loads):.1f}"
    ours_ms = 1000 * float(np.median(ours_t))
    rows = [{"benchmark": label, "implementation": "bargain-sim enumpoly_solve", "median_ms": ours_ms,
             "ratio_vs_ours": 1.0, "median_equilibria": float(np.median(ours_n)),
             "note": f"{len(games)} games; complete on {complete}; {load}"}]
    if theirs_t:
        theirs_ms = 1000 * float(np.median(theirs_t))
        rows.append({"benchmark": label, "implementation": "pygambit enumpoly_solve",
                     "median_ms": theirs_ms, "ratio_vs_ours": theirs_ms / ours_ms,
                     "median_equilibria": float(np.median(theirs_n)),
                     "note": f"{len(theirs_t)} games; its set inside ours on {agree}; {load}"
                             + "".join("; " + n for n in notes)})
    elif with_gambit:
        rows.append({"benchmark": label, "implementation": "pygambit enumpoly_solve", "note": "; ".join(notes)})
    return rows


def _compare_large(shape, count: int, timeout: float = LARGE_TIMEOUT) -> list[dict]:
    """Both implementations in a subprocess with a time limit, one right after the other."""
    label = f"enumpoly {'x'.join(map(str, shape))}, random games"
    rows = []
    for seed in range(count):
        game = _game(shape, seed)
        load = _loadavg()
        for name, script in (("bargain-sim enumpoly_solve", _OURS), ("pygambit enumpoly_solve", _GAMBIT)):
            out, why = _gambit(game, timeout, script)
            if out is None:
                rows.append({"benchmark": label, "implementation": name, "note": f"seed {seed}: {why}"})
                continue
            extra = f"; complete {out['complete']}; {out['details']}" if "complete" in out else ""
            rows.append({"benchmark": label, "implementation": name, "median_ms": 1000 * out["seconds"],
                         "median_equilibria": len(out["equilibria"]),
                         "note": f"seed {seed}{extra}; load average {load:.1f} to {_loadavg():.1f}"})
        ours = [r for r in rows[-2:] if r["implementation"].startswith("bargain") and "median_ms" in r]
        theirs = [r for r in rows[-2:] if r["implementation"].startswith("pygambit") and "median_ms" in r]
        if ours and theirs:
            theirs[0]["ratio_vs_ours"] = theirs[0]["median_ms"] / ours[0]["median_ms"]
    return rows


def _stage_sample(shape=(4, 4, 4, 4), seed: int = 0, n: int = 500, sample_seed: int = 1) -> list[dict]:
    """The stages of ``enumpoly_solve`` on the large game, the later ones estimated from a sample.

    Conditional dominance runs on every support profile; then ``n`` of the profiles with start
    solutions, drawn at random (``sample_seed``), go through each route's test: the subdivision
    alone (``_krawczyk=False``), and the subdivision with the Krawczyk test (the default); the
    paths of the supports each keeps are tracked. CPU seconds (``time.process_time``, both
    threads) are scaled by the sampled fraction to the whole game: minutes of work measured in
    seconds. The kernels are warmed first.
    """
    from sim.game import unit_payoffs
    from sim.solvers import poly
    from sim.solvers._poly_system import Model, assignments

    for kw in (True, False):
        enumpoly_solve(_game((3, 3, 3), 12345), _krawczyk=kw)
        enumpoly_solve(_game((2, 2, 4, 2), 12345), _krawczyk=kw)
    label = f"enumpoly {'x'.join(map(str, shape))} stages, seed {seed}"
    game = _game(shape, seed)
    u = unit_payoffs(game.payoffs)
    load = _loadavg()
    cpu = time.process_time()
    considered = poly._support_profiles(u, eps=poly.DEFAULT_TOL)
    t_dom = time.process_time() - cpu
    profiles = [p for p in considered if assignments(tuple(len(s) - 1 for s in p))]
    paths = np.array([len(assignments(tuple(len(s) - 1 for s in p))) for p in profiles])
    idx = np.sort(np.random.default_rng(sample_seed).choice(len(profiles), size=min(n, len(profiles)),
                                                            replace=False))
    sample = [profiles[i] for i in idx]
    scale = len(profiles) / len(sample)
    rows = [{"benchmark": label, "implementation": "conditional dominance, every profile", "median_ms": 1000 * t_dom,
             "note": f"CPU; {len(considered):,} of {np.prod([2 ** k - 1 for k in shape]):,} profiles left, "
                     f"{len(profiles):,} with start solutions ({paths.sum():,} paths); {len(sample)} sampled"}]
    rng = np.random.default_rng(seed)
    model = Model.build(u, rng)
    chart = rng.normal(size=int(model.offsets[-1])) + 1j * rng.normal(size=int(model.offsets[-1]))
    for name in ("subdivision", "subdivision with the Krawczyk test"):
        cpu = time.process_time()
        if name == "subdivision":
            keep = np.array(poly._may_hold_equilibrium(u, sample, poly.DEFAULT_TOL))
            settled = []
        else:
            status, roots, _ = poly._settle(u, sample, poly.DEFAULT_TOL)
            keep = status == 2
            settled = poly._settled_equilibria(model, sample, status, roots, poly.DEFAULT_TOL)
        t_sub = time.process_time() - cpu
        kept = [p for p, k in zip(sample, keep) if k]
        cpu = time.process_time()
        found, _, failed, n_paths = poly._endpoints_jit(model, kept, chart, poly.DEFAULT_TOL)
        t_track = time.process_time() - cpu
        rows += [
            {"benchmark": label, "implementation": name, "median_ms": 1000 * t_sub,
             "note": f"CPU on the sample; keeps {len(kept)} to track ({paths[idx][keep].sum():,} paths), "
                     f"{len(settled)} equilibria from verified roots; whole game about {t_sub * scale:.0f} s CPU, "
                     f"{len(kept) * scale:.0f} supports, {paths[idx][keep].sum() * scale:,.0f} paths"},
            {"benchmark": label, "implementation": f"... then tracking the {n_paths:,} paths", "median_ms": 1000 * t_track,
             "note": f"CPU; {1000 * t_track / max(n_paths, 1):.2f} ms a path, {len(found)} equilibria, {failed} failed; "
                     f"whole game about {t_track * scale:.0f} s CPU"}]
    rows[-1]["note"] += f"; load average {load:.1f} to {_loadavg():.1f}"
    return rows


#: Supports drawn per size for ``--by-size`` (all of a size that has fewer).
BY_SIZE_SAMPLE = 24


def _by_size(shape=(4, 4, 4, 4), seed: int = 0, sample_seed: int = 5, n: int = BY_SIZE_SAMPLE) -> list[dict]:
    """CPU time of ``enumpoly_solve``'s settle and tracking stages per support size, estimated.

    For each total support size (actions used, summed over players), up to ``n`` profiles with
    start solutions are drawn; each goes through the settle subdivision alone, with its default
    budget, and a support it keeps is tracked. The mean CPU time per support times the number of
    profiles of that size gives the size's estimated share of the whole game, which shows where a
    faster method pays. One support at a time (no threads), kernels warmed first.
    """
    from sim.game import unit_payoffs
    from sim.solvers import poly
    from sim.solvers._poly_system import Model, assignments

    enumpoly_solve(_game((3, 3, 3), 12345))
    game = _game(shape, seed)
    u = unit_payoffs(game.payoffs)
    profiles = [p for p in poly._support_profiles(u, eps=poly.DEFAULT_TOL)
                if assignments(tuple(len(s) - 1 for s in p))]
    sizes = np.array([sum(len(s) for s in p) for p in profiles])
    rng = np.random.default_rng(seed)
    model = Model.build(u, rng)
    chart = rng.normal(size=int(model.offsets[-1])) + 1j * rng.normal(size=int(model.offsets[-1]))
    draw = np.random.default_rng(sample_seed)
    label = f"enumpoly {'x'.join(map(str, shape))} by support size, seed {seed}"
    rows, total = [], 0.0
    load = _loadavg()
    for size in sorted(set(sizes.tolist()), reverse=True):
        pool = np.flatnonzero(sizes == size)
        pick = draw.choice(pool, size=min(n, len(pool)), replace=False)
        t_settle = t_track = 0.0
        cells = kept = paths = 0
        for i in pick:
            cpu = time.process_time()
            status, _, stats = poly._settle(u, [profiles[i]], poly.DEFAULT_TOL)
            t_settle += time.process_time() - cpu
            cells += int(stats[0, 0])
            if status[0] == 2:
                kept += 1
                cpu = time.process_time()
                paths += poly._endpoints_jit(model, [profiles[i]], chart, poly.DEFAULT_TOL)[3]
                t_track += time.process_time() - cpu
        share = len(pool) / len(pick)
        total += (t_settle + t_track) * share
        rows.append({"benchmark": label, "implementation": f"supports of {size} actions",
                     "median_ms": 1000 * (t_settle + t_track) / len(pick),
                     "note": f"CPU a support (mean of {len(pick)} of {len(pool):,}); settle "
                             f"{t_settle * share:.1f} s and tracking {t_track * share:.1f} s for the size; "
                             f"{cells / len(pick):,.0f} cells a support, {kept} of {len(pick)} tracked "
                             f"({paths:,} paths)"})
    rows.append({"benchmark": label, "implementation": "whole game, estimated", "median_ms": 1000 * total,
                 "note": f"CPU, both stages, one thread; load average {load:.1f} to {_loadavg():.1f}"})
    return rows


#: The support of ``--cells`` (a): 15 actions of the 4x4x4x4 game with seed 0, 2.9 million cells.
CELLS_SUPPORT = ((0, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3))


def _kernels_at(rev: str):
    """The subdivision kernels of git revision ``rev`` as modules of their own (a temporary
    folder, numba's cache with them), for timing them against the current ones in one process."""
    import importlib
    import tempfile

    root = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="kernels-"))
    tag = "".join(c if c.isalnum() else "_" for c in rev)
    for name in ("_poly_jit_prune", "_poly_jit_settle"):
        text = subprocess.run(["git", "-C", str(root), "show", f"{rev}:sim/solvers/{name}.py"], check=True,
                              capture_output=True, text=True).stdout
        text = text.replace("from sim.solvers._poly_jit_prune import", f"from _poly_jit_prune_{tag} import")
        (folder / f"{name}_{tag}.py").write_text(text)
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"_poly_jit_settle_{tag}")


def _cells(rev: str | None = None, repeats: int = 5) -> list[dict]:
    """Cells per second (CPU) of the subdivision with the Krawczyk test (``settle``): (a) one
    15-action support of the 4x4x4x4 game with seed 0 (:data:`CELLS_SUPPORT`) with its default
    budget, (b) every support of the 3x3x3x3 games with seeds 0 and 1. With ``rev``, the kernels
    of that git revision run too, alternating with the current ones, and must give the same
    outputs; the best of ``repeats`` runs each, one thread."""
    from sim.game import unit_payoffs
    from sim.solvers import _poly_jit_settle as current
    from sim.solvers import poly
    from sim.solvers._poly_system import assignments

    kernels = [("current", current)] + ([(rev, _kernels_at(rev))] if rev else [])
    cases = [("4x4x4x4 seed 0, one 15-action support", _game((4, 4, 4, 4), 0), [CELLS_SUPPORT])]
    for seed in (0, 1):
        u = unit_payoffs(_game((3, 3, 3, 3), seed).payoffs)
        cases.append((f"3x3x3x3 seed {seed}, all supports", _game((3, 3, 3, 3), seed),
                      [p for p in poly._support_profiles(u, eps=poly.DEFAULT_TOL)
                       if assignments(tuple(len(s) - 1 for s in p))]))
    rows = []
    for label, game, profiles in cases:
        flat, offsets, sup_k, sup_acts, tail = poly._settle_arguments(unit_payoffs(game.payoffs), profiles,
                                                                      poly.DEFAULT_TOL)
        args = (*flat, offsets, sup_k, sup_acts, *tail)
        outs = {name: kernel.settle(*args) for name, kernel in kernels}   # compiles or loads: not timed
        for name, out in outs.items():
            if not all(np.array_equal(a, b) for a, b in zip(out, outs["current"])):
                raise AssertionError(f"settle of {name} differs from the current one on {label}")
        times = {name: [] for name, _ in kernels}
        load = _loadavg()
        for _ in range(repeats):
            for name, kernel in kernels:
                cpu = time.process_time()
                kernel.settle(*args)
                times[name].append(time.process_time() - cpu)
        cells = int(outs["current"][3][:, 0].sum())
        for name, _ in kernels:
            best = min(times[name])
            rows.append({"benchmark": f"settle, {label}", "implementation": name, "median_ms": 1000 * best,
                         "note": f"{cells:,} cells, {cells / best / 1e6:.2f} million a CPU second (best of {repeats}; "
                                 f"median {1000 * float(np.median(times[name])):.0f} ms); load average {load:.1f} "
                                 f"to {_loadavg():.1f}"})
    return rows


def _path_sample(seed: int = 0, n: int = 500, sample_seed: int = 1, repeats: int = 3) -> list[dict]:
    """CPU time of the path tracker alone (``track_paths``, one thread) on the full support of the
    4x4x4x4 game (``n`` of its 13,833 paths, drawn with ``sample_seed``) and of the 3x3x3x3 game
    (its 297 paths), with the steps a path takes; best of ``repeats``, kernels warmed first."""
    from sim.game import unit_payoffs
    from sim.solvers import _poly_jit_track as kernels
    from sim.solvers import poly
    from sim.solvers._poly_system import MAX_STEPS, Model, assignments

    rows = []
    load = _loadavg()
    for shape, count in (((4, 4, 4, 4), n), ((3, 3, 3, 3), None)):
        u = unit_payoffs(_game(shape, seed).payoffs)
        rng = np.random.default_rng(seed)
        model = Model.build(u, rng)
        off = model.offsets
        chart = rng.normal(size=int(off[-1])) + 1j * rng.normal(size=int(off[-1]))
        full = tuple(tuple(range(a)) for a in shape)
        assigns = np.array(assignments(tuple(a - 1 for a in shape)), dtype=np.int64)
        idx = np.arange(len(assigns)) if count is None else np.sort(
            np.random.default_rng(sample_seed).choice(len(assigns), size=count, replace=False))
        sup_k, sup_acts = poly._support_arrays(shape, [full])
        flat, strides, _ = poly._flat_payoffs(u)
        lin, charts = poly._tracker_forms(model, chart)
        args = (flat, strides, lin, model.gamma, charts, sup_k, sup_acts, np.zeros(len(idx), dtype=np.int64),
                assigns[idx], np.asarray(off, dtype=np.int64), 0.25, MAX_STEPS)
        kernels.track_paths(*args[:7], args[7][:1], args[8][:1], *args[9:])
        best = np.inf
        for _ in range(repeats):
            cpu = time.process_time()
            _, ok, _, steps, rejected = kernels.track_paths(*args)
            best = min(best, time.process_time() - cpu)
        rows.append({"benchmark": f"enumpoly path tracking, {'x'.join(map(str, shape))} full support, seed {seed}",
                     "implementation": "bargain-sim track_paths", "median_ms": 1000 * best / len(idx),
                     "note": f"CPU a path, best of {repeats}, {len(idx)} of {len(assigns):,} paths; "
                             f"{steps.mean():.1f} steps a path ({rejected.mean():.2f} rejected), "
                             f"{1e6 * best / steps.sum():.1f} us a step; {ok.sum()} reached t = 1"})
    rows[-1]["note"] += f"; load average {load:.1f} to {_loadavg():.1f}"
    return rows


def run(quick: bool) -> list[dict]:
    # The first call loads numba's cache of the kernels (or compiles them): reported, never timed.
    # Two more games warm the rest (real polishing, the continuum tracer and its scipy import).
    start = time.perf_counter()
    enumpoly_solve(_game((3, 3, 3), 12345))
    first = time.perf_counter() - start
    enumpoly_solve(_game((2, 2, 4, 2), 12345))
    enumpoly_solve(read_nfg(NAU / NAU_GAMES[0][0]))
    rows = [{"benchmark": "enumpoly warm-up", "implementation": "bargain-sim",
             "note": f"first call incl. compile: {first:.2f} s (excluded from every median)"}]
    for shape, n_full, n_quick in WORKLOADS:
        count = n_quick if quick else n_full
        label = f"enumpoly {'x'.join(map(str, shape))}, random games"
        if count == 0:
            rows.append({"benchmark": label, "implementation": "bargain-sim",
                         "note": "skipped in --quick (seconds per game)"})
            continue
        rows += _compare(label, [_game(shape, seed) for seed in range(count)], with_gambit=True)
    if not quick:
        for shape, count in LARGE_WORKLOADS:
            rows += _compare_large(shape, count)
    for name, with_gambit in NAU_GAMES:
        label = f"enumpoly Nau et al. 2004 {name.split('_')[1].split('.')[0]}"
        game = read_nfg(NAU / name)
        rows += _compare(label, [game], with_gambit=with_gambit and not quick, repeats=1 if quick else 3)
        if not with_gambit:
            rows.append({"benchmark": label, "implementation": "pygambit enumpoly_solve",
                         "note": "not run: it takes over a minute on this game (issue 2)"})
    return rows


if __name__ == "__main__":
    if "--large" in sys.argv:   # only the large workloads (each up to LARGE_TIMEOUT per implementation)
        rows = [row for shape, count in LARGE_WORKLOADS for row in _compare_large(shape, count)]
    elif "--stages" in sys.argv:   # the large game's stages, estimated from 500 sampled supports
        rows = _stage_sample()
    elif "--by-size" in sys.argv:  # the large game's CPU time per support size, estimated
        rows = _by_size()
    elif "--cells" in sys.argv:    # the subdivision's cells per second, against a git revision's kernels if named
        at = sys.argv.index("--cells")
        rows = _cells(sys.argv[at + 1] if len(sys.argv) > at + 1 else None)
    elif "--paths" in sys.argv:    # the path tracker alone on the full supports
        rows = _path_sample()
    else:
        rows = run(quick="--quick" in sys.argv)
    for row in rows:
        print(row, flush=True)
