"""End-to-end sweep benchmark: the four-player baseline, ``enumpure``, compile + solve + Parquet.
With ``--spe``: the sequential shield-as-chip scenario (first version, kept in tests/data/scenarios-v1), ``spe`` batched against point by point.
With ``--enumpoly``: the baseline's ``enumpoly`` sweep over a grid of strategic axes only, batched
(:mod:`sim.solvers.poly_batch`) against point by point, with the sampled points' rows compared
(``--quick``: 10,000 points; ``--continua``: a grid where many points have continua of equilibria).

Each configuration runs in a fresh subprocess so its wall time and peak memory (the largest
resident set of the driver and its workers) are its own. The peer is pygambit solving the same
points one game at a time (building each game with ``Game.from_arrays``), timed on a subsample and
extrapolated; its figure is printed beside ours as a ratio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "data" / "scenarios-v1" / "baseline-2009.toml"

_SWEEP = """
[sweep]
scenario = "{scenario}"
methods = ["enumpure"]
seed = 1
chunk_size = 100000

[sweep.grid]
russia_isolation_weight = {{ start = 0.0, stop = 5.0, num = {a} }}
us_shield_deterrence = {{ start = 0.0, stop = 5.0, num = {b} }}
iran_bomb_value = {{ start = 0.0, stop = 5.0, num = 10 }}
russia_iran_ties = {{ start = 0.0, stop = 5.0, num = 10 }}
"""

_RUNNER = textwrap.dedent("""
    import json, resource, sys, time
    from analysis.sweep import run_sweep
    t = time.perf_counter()
    s = run_sweep(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]), executor=sys.argv[4])
    wall = time.perf_counter() - t
    kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(json.dumps({"seconds": wall, "rows": s.n_rows, "peak_mib": kib / 1024}))
""")

_GAMBIT = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    import pygambit as gbt
    payoffs = np.load(sys.argv[1])
    t = time.perf_counter()
    found = 0
    for p in payoffs:
        g = gbt.Game.from_arrays(*[p[..., i] for i in range(p.shape[-1])])
        found += len(gbt.nash.enumpure_solve(g).equilibria)
    print(json.dumps({"seconds": time.perf_counter() - t, "games": len(payoffs), "equilibria": found}))
""")


def _sweep_file(folder: Path, n_points: int) -> Path:
    a = {10_000: 10, 100_000: 100, 1_000_000: 100}[n_points]
    b = n_points // (a * 100)
    # Sweep files may only name scenarios beside them (or one folder up): copy it in.
    (folder / SCENARIO.name).write_bytes(SCENARIO.read_bytes())
    path = folder / f"bench-{n_points}.toml"
    path.write_text(_SWEEP.format(scenario=SCENARIO.name, a=a, b=b))
    return path


def _run(sweep: Path, out: Path, workers: int, executor: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(sweep), str(out), str(workers), executor],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _gambit_rate(folder: Path, n_games: int = 300) -> dict | None:
    import numpy as np

    from analysis.sweep.design import points
    from analysis.io import file_sha256
    from analysis.sweep.run import scenario_model
    from analysis.sweep.spec import load_sweep

    spec = load_sweep(_sweep_file(folder, 10_000))
    model = scenario_model(str(spec.scenario_path), file_sha256(spec.scenario_path))
    full = model.full_points(spec.parameter_names, points(spec, 0, n_games))
    npy = folder / "payoffs.npy"
    np.save(npy, model.payoffs(full))
    try:
        proc = subprocess.run([sys.executable, "-c", _GAMBIT, str(npy)], capture_output=True, text=True,
                              timeout=600, check=True)
    except (subprocess.SubprocessError, OSError):
        return None
    return json.loads(proc.stdout)


def run(quick: bool = False) -> list[dict]:
    rows = []
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        gambit = _gambit_rate(folder)
        gambit_rate = gambit["games"] / gambit["seconds"] if gambit else None
        for n in sizes:
            sweep = _sweep_file(folder, n)
            configs = [("processes", 2), ("inprocess", 1)] if n < 1_000_000 or not quick else [("processes", 2)]
            for executor, workers in configs:
                out = folder / f"out-{n}-{executor}-{workers}"
                res = _run(sweep, out, workers, executor)
                rate = n / res["seconds"]
                rows.append({
                    "benchmark": f"sweep baseline enumpure {n:,} points",
                    "implementation": f"bargain-sim {executor} x{workers}",
                    "seconds": round(res["seconds"], 2),
                    "points_per_s": round(rate),
                    "peak_mib": round(res["peak_mib"]),
                    "ratio_vs_ours": 1.0,
                })
                if gambit_rate and executor == "processes":
                    rows.append({
                        "benchmark": f"sweep baseline enumpure {n:,} points",
                        "implementation": "pygambit one game at a time (extrapolated)",
                        "seconds": round(n / gambit_rate, 1),
                        "points_per_s": round(gambit_rate),
                        "ratio_vs_ours": round(rate / gambit_rate, 1),
                    })
    return rows


# ----- spe over the sequential shield-as-chip scenario: batched against point by point -------------
SPE_SCENARIO = ROOT / "tests" / "data" / "scenarios-v1" / "shield-as-chip.toml"
SPE_SWEEP = ROOT / "tests" / "data" / "scenarios-v1" / "sweeps" / "shield-chip-grid.toml"
_SPE_LARGE = """
[sweep]
scenario = "shield-as-chip.toml"
methods = ["spe"]
seed = 1
chunk_size = 100000

[sweep.grid]
us_shield_value = {{ start = 0.0, stop = 5.0, num = {a} }}
russia_iran_ties = {{ start = 0.0, stop = 5.0, num = {a} }}
iran_bomb_value = [1.0, 2.5]
"""

_SPE_RUNNER = textwrap.dedent("""
    import json, sys, time
    import analysis.sweep.run as run
    from analysis.sweep import run_sweep
    run._SPE_BATCHED = sys.argv[3] == "batched"
    t = time.perf_counter()
    s = run_sweep(sys.argv[1], sys.argv[2], executor="inprocess")
    print(json.dumps({"seconds": time.perf_counter() - t, "points": s.n_points, "rows": s.n_rows}))
""")


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def run_spe(quick: bool = False, repeats: int = 3) -> list[dict]:
    """Points/s of ``spe`` sweeps, batched route against the point-by-point route, interleaved
    (batched, per point, batched, ...) in fresh processes; medians and their ratio, with the load
    average. No numba kernel is involved (the batched route is NumPy), so there is no compile time."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / SPE_SCENARIO.name).write_bytes(SPE_SCENARIO.read_bytes())
        grid = folder / SPE_SWEEP.name
        grid.write_text(SPE_SWEEP.read_text().replace("../shield-as-chip.toml", SPE_SCENARIO.name))
        large = folder / "spe-large.toml"
        large.write_text(_SPE_LARGE.format(a=11 if quick else 21))
        for sweep in (grid, large):
            times: dict[str, list[float]] = {"batched": [], "per_point": []}
            loads = []
            for rep in range(repeats):
                for route in ("batched", "per_point"):
                    out = folder / f"out-{sweep.stem}-{route}-{rep}"
                    proc = subprocess.run([sys.executable, "-c", _SPE_RUNNER, str(sweep), str(out), route],
                                          capture_output=True, text=True, cwd=ROOT, check=True)
                    res = json.loads(proc.stdout.strip().splitlines()[-1])
                    times[route].append(res["seconds"])
                    loads.append(Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?")
            n = res["points"]
            fast, slow = _median(times["batched"]), _median(times["per_point"])
            for route, sec in (("batched", fast), ("per_point", slow)):
                rows.append({
                    "benchmark": f"sweep shield-as-chip spe {n:,} points ({sweep.name})",
                    "implementation": f"bargain-sim {route} (inprocess x1, median of {repeats})",
                    "seconds": round(sec, 2),
                    "points_per_s": round(n / sec, 1),
                    "ratio_vs_ours": round(slow / fast, 2) if route == "per_point" else 1.0,
                    "loadavg_1min": ",".join(loads),
                })
    return rows


# ----- enumpoly over the baseline: batched over the grid against point by point --------------------
# Every axis is strategic: each weight changes its own player's payoffs between that player's own
# actions (Russia's Kaliningrad deployment, Iran's programme with and without Russian pressure,
# NATO's engagement), so no two points of the grid are strategically equivalent and every point is
# its own class. The two Iran axes are offset so that no grid value of one equals one of the other
# (iran_bomb_value = iran_sanction_fear is a tie where Iran is indifferent: a degenerate game).
_POLY_SWEEP = """
[sweep]
scenario = "{scenario}"
methods = ["enumpoly"]
seed = 1
chunk_size = 1000000

[sweep.grid]
kaliningrad_counter = {{ start = 0.1, stop = 4.9, num = 10 }}
iran_bomb_value = {{ start = 0.15, stop = 4.85, num = 10 }}
iran_sanction_fear = {{ start = 0.3, stop = 4.7, num = {fear} }}
nato_convergence = {{ start = 0.1, stop = 4.9, num = 100 }}
"""
# The same shape with russia_iran_ties instead of iran_sanction_fear: Russia's payoffs are
# separable (pressure or shield, halt or deploy), so wherever it is indifferent on both the
# equilibria form continua, which the batch leaves to enumpoly_solve.
_POLY_SWEEP_CONTINUA = _POLY_SWEEP.replace("iran_sanction_fear = {{ start = 0.3, stop = 4.7",
                                           "russia_iran_ties = {{ start = 0.3, stop = 4.7")

_POLY_RUNNER = textwrap.dedent("""
    import json, sys, time
    import analysis.sweep.run as run
    from analysis.sweep import run_sweep
    from sim.solvers.poly_batch import enumpoly_batch
    import numpy as np
    enumpoly_batch(np.zeros((1, 2, 2, 2)))  # numba's cache load, not timed
    t, c = time.perf_counter(), time.process_time()
    s = run_sweep(sys.argv[1], sys.argv[2], executor="inprocess")
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    # Classes of strategically equivalent points (not timed): every axis strategic means one per point.
    from analysis.io import file_sha256
    from analysis.sweep.design import points
    from analysis.sweep.spec import load_sweep
    from sim.solvers.equivalence import inert_components, strategic_classes
    spec = load_sweep(sys.argv[1])
    model = run.scenario_model(str(spec.scenario_path), file_sha256(spec.scenario_path))
    c = model.compiled
    terms = c.terms(model.full_points(spec.parameter_names, points(spec, 0, spec.n_points)))
    inert = inert_components(np.asarray(c.tensor).reshape(-1, *c.outcome_shape, len(model.players)))
    classes = len(strategic_classes(terms, inert)[0])
    print(json.dumps({"seconds": wall, "cpu": cpu, "points": s.n_points, "rows": s.n_rows, "classes": classes}))
""")

_POLY_SAMPLE = textwrap.dedent("""
    import json, sys, time
    import numpy as np
    from analysis.io import file_sha256
    from analysis.sweep.design import points
    from analysis.sweep.run import _per_point_rows, scenario_model
    from analysis.sweep.spec import load_sweep
    spec = load_sweep(sys.argv[1])
    model = scenario_model(str(spec.scenario_path), file_sha256(spec.scenario_path))
    ids = np.sort(np.random.default_rng(int(sys.argv[3])).choice(spec.n_points, int(sys.argv[2]), replace=False))
    full = model.full_points(spec.parameter_names, np.concatenate([points(spec, i, i + 1) for i in ids]))
    _per_point_rows(model, "enumpoly", full[:1], ids[:1])  # numba's cache load, not timed
    times, cpu, rows = [], [], {}
    for b in range(len(ids)):
        t, c = time.perf_counter(), time.process_time()
        cols = _per_point_rows(model, "enumpoly", full[b:b + 1], ids[b:b + 1])
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        codes, names = cols["outcome"]
        probs = sorted(k for k in cols if k.startswith("prob."))
        rows[int(ids[b])] = [[names[c] for c in codes], np.stack([cols[k] for k in probs], 1).tolist()]
    print(json.dumps({"times": times, "cpu": cpu, "points": spec.n_points, "rows": rows}))
""")


def _same_rows(table, rows: dict) -> tuple[int, list]:
    """Sampled points whose batched rows are the point-by-point rows: the same outcome labels in
    the same order and every probability within 1e-6."""
    import numpy as np

    probs = sorted(c for c in table.columns if c.startswith("prob."))
    same, differ = 0, []
    for pid, (labels, p) in rows.items():
        got = table[table["point_id"] == int(pid)]
        ok = list(got["outcome"].astype(str)) == labels and np.allclose(
            np.nan_to_num(got[probs].to_numpy(), nan=-1.0), np.nan_to_num(np.array(p, dtype=float), nan=-1.0),
            atol=1e-6, rtol=0)
        same += ok
        if not ok:
            differ.append(int(pid))
    return same, differ


def run_poly(quick: bool = False, sample: int = 200, continua: bool = False) -> list[dict]:
    """``enumpoly`` sweeps of the baseline (first version, simultaneous, 2x2x4x2) on a grid whose
    axes are all strategic: the batched route (:mod:`sim.solvers.poly_batch`, the points it leaves
    solved one by one) on the whole grid, and the point-by-point route (the sweep's own per-point
    code on each point's own game) on a random sample of the same grid's points, extrapolated to
    the grid; the sample's batched rows are compared with its point-by-point rows. Each in a fresh
    process, in the same run, the machine's load average beside. ``continua``: the grid whose
    continua the batch leaves to ``enumpoly_solve`` (see ``_POLY_SWEEP_CONTINUA``)."""
    from analysis.sweep import read_results

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / SCENARIO.name).write_bytes(SCENARIO.read_bytes())
        sweep = folder / "poly.toml"
        sweep.write_text((_POLY_SWEEP_CONTINUA if continua else _POLY_SWEEP).format(
            scenario=SCENARIO.name, fear=1 if quick else 10))
        load0 = _load()
        proc = subprocess.run([sys.executable, "-c", _POLY_SAMPLE, str(sweep), str(sample), "7"],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        per = json.loads(proc.stdout.strip().splitlines()[-1])
        load1 = _load()
        proc = subprocess.run([sys.executable, "-c", _POLY_RUNNER, str(sweep), str(folder / "out")],
                              capture_output=True, text=True, cwd=ROOT, check=True)
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        load2 = _load()
        same, differ = _same_rows(read_results(folder / "out"), per["rows"])
    n = res["points"]
    mean, mean_cpu = (sum(per[k]) / len(per[k]) for k in ("times", "cpu"))
    if res["classes"] != n:
        raise SystemExit(f"the grid has {res['classes']:,} classes of equivalent points for {n:,} points: "
                         "an axis is inert, so the comparison would not measure the batch")
    bench = (f"sweep baseline enumpoly {n:,} points ({res['classes']:,} classes), strategic axes only"
             f"{' (continua grid)' if continua else ''}")
    rows.append({"benchmark": bench, "implementation": "bargain-sim batched (inprocess x1)",
                 "seconds": round(res["seconds"], 1), "cpu_seconds": round(res["cpu"], 1),
                 "points_per_s": round(n / res["seconds"], 1), "ratio_vs_ours": 1.0, "cpu_ratio": 1.0,
                 "loadavg_1min": f"{load1},{load2}",
                 "sample_identical": f"{same}/{len(per['rows'])}" + (f" (differ: {differ})" if differ else "")})
    rows.append({"benchmark": bench,
                 "implementation": f"bargain-sim point by point (mean of {len(per['times'])} sampled points, "
                                   f"median {sorted(per['times'])[len(per['times']) // 2] * 1e3:.0f} ms, "
                                   f"max {max(per['times']):.1f} s; extrapolated)",
                 "seconds": round(mean * n, 0), "cpu_seconds": round(mean_cpu * n, 0),
                 "points_per_s": round(1 / mean, 2), "ratio_vs_ours": round(mean * n / res["seconds"], 1),
                 "cpu_ratio": round(mean_cpu * n / res["cpu"], 1), "loadavg_1min": f"{load0},{load1}"})
    return rows


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


if __name__ == "__main__":
    t0 = time.perf_counter()
    if "--enumpoly" in sys.argv:
        cases = run_poly(quick="--quick" in sys.argv, continua="--continua" in sys.argv)
    elif "--spe" in sys.argv:
        cases = run_spe(quick="--quick" in sys.argv)
    else:
        cases = run(quick="--quick" in sys.argv)
    for row in cases:
        print(row)
    print(f"total {time.perf_counter() - t0:.1f} s")
