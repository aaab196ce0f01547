"""A sweep folder cannot give a wrong table: damaged, foreign, extra and missing chunks, killed
and concurrent runs, a full disk, checks before writing, Dask waits, and bounded memory.

Every damage ends in one of two ways: a one-line refusal naming the folder and the file, or,
after ``--resume``, a table exactly equal to an uninterrupted run's.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from analysis.cli import main
from analysis.sweep import read_results, run_sweep
from analysis.sweep.folder import LOCK, MANIFEST
from sim.errors import ScenarioError
from tests.strategies import CHUNK_DAMAGE, chunk_damages
from tests.test_sweep import GRID, _normalised, write_sweep

ROOT = Path(__file__).resolve().parent.parent
N_CHUNKS = 5  # GRID: 42 points in chunks of 9


def _cli(*argv) -> tuple[int, list[str]]:
    """Run ``bargain ARGV`` in this process; its exit code and its stderr lines."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, err.getvalue().strip().splitlines()


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    """An uninterrupted run of GRID, and a run of another sweep (other b values) for foreign chunks."""
    base = tmp_path_factory.mktemp("integrity")
    sweep = write_sweep(base, GRID)
    run_sweep(sweep, base / "whole", executor="inprocess")
    other = write_sweep(base, GRID.replace("b = [0.5, 2.0]", "b = [0.7, 3.0]"), name="other.toml")
    run_sweep(other, base / "other", executor="inprocess")
    return {"sweep": sweep, "whole": base / "whole", "other": base / "other",
            "table": _normalised(read_results(base / "whole"))}


def _damage(folder: Path, other: Path, kind: str, index: int, where: float) -> None:
    chunks = folder / "chunks"
    target = chunks / f"chunk-{index:06d}.parquet"
    if kind == "byte flip":
        data = bytearray(target.read_bytes())
        k = int(where * (len(data) - 1))
        data[k] ^= 0xFF
        target.write_bytes(bytes(data))
    elif kind == "truncated chunk":
        data = target.read_bytes()
        target.write_bytes(data[: int(where * (len(data) - 1))])
    elif kind == "copied chunk":
        source = chunks / f"chunk-{(index + 1) % N_CHUNKS:06d}.parquet"
        shutil.copyfile(source, target)
    elif kind == "extra chunk":
        shutil.copyfile(target, chunks / f"chunk-{N_CHUNKS + index:06d}.parquet")
    elif kind == "foreign chunk":
        shutil.copyfile(other / "chunks" / target.name, target)
    elif kind == "deleted chunk":
        target.unlink()
    elif kind == "manifest as an array":
        (folder / MANIFEST).write_text(json.dumps([json.loads((folder / MANIFEST).read_text())]))
    elif kind == "stray chunk-abc.parquet":
        shutil.copyfile(target, chunks / "chunk-abc.parquet")
    elif kind == "unrecorded chunk":  # a run killed between committing a chunk and recording it
        doc = json.loads((folder / MANIFEST).read_text())
        del doc["chunks"][str(index)]
        (folder / MANIFEST).write_text(json.dumps(doc))
    else:  # pragma: no cover
        raise AssertionError(f"{kind} is not one of {CHUNK_DAMAGE}")


#: Damage that resume repairs; the rest it refuses by name (the user decides what those files are).
REPAIRED = {"byte flip", "truncated chunk", "copied chunk", "foreign chunk", "deleted chunk", "unrecorded chunk"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=chunk_damages(N_CHUNKS))
def test_damage_ends_in_a_one_line_refusal_or_the_exact_table(sweeps, tmp_path_factory, damage):
    kind, index, where = damage
    folder = tmp_path_factory.mktemp("damaged") / "out"
    shutil.copytree(sweeps["whole"], folder)
    _damage(folder, sweeps["other"], kind, index, where)
    # the reader never returns a table from a damaged folder
    with pytest.raises(ScenarioError) as caught:
        read_results(folder)
    message = str(caught.value)
    assert len(message.splitlines()) == 1 and str(folder) in message
    if kind not in ("manifest as an array", "deleted chunk"):
        assert "chunk" in message
    code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--resume", "--in-process", "--no-progress")
    if kind in REPAIRED:
        assert code == 0, err
        pd.testing.assert_frame_equal(_normalised(read_results(folder)), sweeps["table"])
        assert not list((folder / "chunks").glob(".*.tmp")) and not (folder / LOCK).exists()
    else:
        assert code == 2 and len(err) == 1, err
        assert str(folder) in err[0] and ("chunk" in err[0] or MANIFEST in err[0])


def test_partial_read_reports_what_is_missing(sweeps, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(sweeps["whole"], folder)
    (folder / "chunks" / "chunk-000002.parquet").unlink()
    with pytest.raises(ScenarioError, match=r"chunk-000002.parquet \(points 18..26\) is missing"):
        read_results(folder)
    df = read_results(folder, partial=True)
    assert df.attrs["missing"] == [(18, 27, "missing")]
    assert sorted(df["point_id"].unique()) == [p for p in range(42) if not 18 <= p < 27]


def test_leftover_chunks_without_a_manifest_are_never_adopted(sweeps, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(sweeps["other"], folder)
    (folder / MANIFEST).unlink()
    for args in ((), ("--resume",)):
        code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--in-process", *args)
        assert code == 2 and len(err) == 1 and "--overwrite" in err[0], err
    assert sorted(p.name for p in (folder / "chunks").iterdir()) == [f"chunk-{k:06d}.parquet" for k in range(5)]
    (folder / "notes.txt").write_text("mine")
    code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--in-process", "--overwrite")
    assert code == 0, err
    pd.testing.assert_frame_equal(_normalised(read_results(folder)), sweeps["table"])
    assert (folder / "notes.txt").read_text() == "mine"  # --overwrite removes only sweep files


def test_a_non_empty_folder_needs_overwrite_or_resume(sweeps, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--in-process")
    assert code == 2 and len(err) == 1 and "notes.txt" in err[0] and "--overwrite" in err[0]
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_overwrite_refuses_to_remove_a_user_file_in_chunks(sweeps, tmp_path):
    folder = tmp_path / "out"
    shutil.copytree(sweeps["whole"], folder)
    (folder / "chunks" / "keep.csv").write_text("1,2")
    code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--in-process", "--overwrite")
    assert code == 2 and len(err) == 1 and "chunks/keep.csv" in err[0]
    assert len(list((folder / "chunks").glob("chunk-*.parquet"))) == N_CHUNKS  # nothing removed


def test_resume_remembers_the_chunk_size(sweeps, tmp_path):
    folder = tmp_path / "out"
    run_sweep(sweeps["sweep"], folder, executor="inprocess", chunk_size=4)
    (folder / "chunks" / "chunk-000003.parquet").unlink()
    code, err = _cli("sweep", sweeps["sweep"], "--out", folder, "--in-process", "--resume")
    assert code == 0, err
    assert json.loads((folder / MANIFEST).read_text())["chunk_size"] == 4
    pd.testing.assert_frame_equal(_normalised(read_results(folder)), sweeps["table"])


def test_a_fixed_sweep_file_resumes_when_no_chunk_was_written(tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    folder = tmp_path / "out"
    run_sweep(sweep, folder, executor="inprocess")
    for p in (folder / "chunks").iterdir():
        p.unlink()
    doc = json.loads((folder / MANIFEST).read_text())
    doc["chunks"] = {}
    (folder / MANIFEST).write_text(json.dumps(doc))
    sweep.write_text(GRID.replace("b = [0.5, 2.0]", "b = [0.5, 2.0, 4.0]"))  # the user's fix
    assert _cli("sweep", sweep, "--out", folder, "--in-process", "--resume")[0] == 0
    assert read_results(folder)["point_id"].nunique() == 63


@pytest.mark.parametrize("body, field, words", [
    (GRID.replace("b = [0.5, 2.0]", "b = [0.5, 20.0]"), "sweep.grid.b", "bounds [0.1, 10]"),
    (GRID.replace("[sweep.grid]\na = { start = 0.0, stop = 1.0, num = 21 }\nb = [0.5, 2.0]",
                  '[sweep.sample]\nn = 8\na = { dist = "uniform", low = 0.5, high = 1.5 }'),
     "sweep.sample.a", "support"),
    (GRID.replace("[sweep.grid]\na = { start = 0.0, stop = 1.0, num = 21 }\nb = [0.5, 2.0]",
                  '[sweep.sample]\nn = 8\nb = { dist = "normal", mean = 1.0, sd = 0.2 }'),
     "sweep.sample.b", "support"),
    (GRID.replace('methods = ["enumpure"]', 'methods = ["lp"]'), "sweep.methods[0]", "point 0"),
    (GRID.replace('methods = ["enumpure"]', 'methods = ["spe"]'), "sweep.methods[0]", "extensive-form"),
    (GRID.replace("num = 21", "num = 2000000000"), "sweep.grid", "more than"),
])
def test_errors_found_before_writing_anything(tmp_path, body, field, words):
    sweep = write_sweep(tmp_path, body)
    started = time.perf_counter()
    code, err = _cli("sweep", sweep, "--out", tmp_path / "out", "--in-process")
    assert code == 2 and len(err) == 1, err
    assert f"{sweep}: {field}: " in err[0] and words in err[0], err
    assert not (tmp_path / "out").exists()
    assert time.perf_counter() - started < 30


def test_chance_probabilities_are_checked_at_the_swept_corners(tmp_path):
    from tests.test_sweep import CHANCE_TREE

    # the weather's probabilities are two parameters, valid at the defaults (0.3 + 0.7) and nowhere else
    (tmp_path / "venue.toml").write_text(CHANCE_TREE.replace('sun = "rest"', 'sun = "p_sun"').replace(
        "[parameters]\n", "[parameters]\np_sun = { default = 0.7, min = 0.0, max = 1.0 }\n"))
    sweep = tmp_path / "s.toml"
    sweep.write_text('[sweep]\nscenario = "venue.toml"\nseed = 1\n[sweep.grid]\np_rain = [0.3, 0.5]\n')
    code, err = _cli("sweep", sweep, "--out", tmp_path / "out", "--in-process")
    assert code == 2 and len(err) == 1 and "p_rain=0.5" in err[0] and "timing.weather" in err[0], err
    assert not (tmp_path / "out").exists()


def test_a_tree_sweep_defaults_to_spe(tmp_path):
    from tests.test_sweep import CHANCE_TREE

    (tmp_path / "venue.toml").write_text(CHANCE_TREE)
    sweep = tmp_path / "s.toml"
    sweep.write_text('[sweep]\nscenario = "venue.toml"\nseed = 1\n[sweep.grid]\np_rain = [0.3, 0.5]\n')
    run_sweep(sweep, tmp_path / "out", executor="inprocess")
    assert set(read_results(tmp_path / "out")["method"].astype(str)) == {"spe"}


def test_disk_full_before_the_manifest_leaves_a_usable_folder(tmp_path, monkeypatch):
    import analysis.io as aio

    sweep = write_sweep(tmp_path, GRID)
    folder = tmp_path / "out"
    real = Path.write_bytes

    def full(self, data):
        if self.name.endswith(".tmp") and "manifest" in self.name:
            real(self, b"")  # the file system made the file, then had no room for its bytes
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(aio.Path, "write_bytes", full)
    code, err = _cli("sweep", sweep, "--out", folder, "--in-process")
    assert code == 2 and len(err) == 1 and "manifest.json" in err[0] and "No space" in err[0], err
    assert not [p for p in folder.rglob("*") if p.is_file()]  # no 0-byte temporary, no lock
    monkeypatch.undo()
    assert _cli("sweep", sweep, "--out", folder, "--in-process", "--resume")[0] == 0
    pd.testing.assert_frame_equal(_normalised(read_results(folder)),
                                  _normalised(read_results(_whole(tmp_path, sweep))))


def _whole(tmp_path, sweep) -> Path:
    out = tmp_path / "whole"
    if not out.exists():
        run_sweep(sweep, out, executor="inprocess")
    return out


def _long_sweep(tmp_path) -> Path:
    body = GRID.replace("num = 21", "num = 1501").replace("chunk_size = 9", "chunk_size = 25")
    return write_sweep(tmp_path, body)


def _command(sweep, out, *more):
    return [sys.executable, "-m", "analysis.cli", "sweep", str(sweep), "--out", str(out), "--in-process",
            "--no-progress", *more]


@pytest.mark.slow
def test_kill_loop_then_resume_equals_an_uninterrupted_run(tmp_path):
    """SIGKILL at random moments (before the manifest, between chunks, inside a chunk's write),
    each followed by another --resume; the last resume ends with the uninterrupted table."""
    sweep = _long_sweep(tmp_path)
    out = tmp_path / "killed"
    rng = random.Random(15)
    for _ in range(3):
        proc = subprocess.Popen(_command(sweep, out, "--resume"), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 4.0))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    done = subprocess.run(_command(sweep, out, "--resume"), cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(_normalised(read_results(out)), _normalised(read_results(_whole(tmp_path, sweep))))
    assert not list((out / "chunks").glob(".*.tmp")) and not (out / LOCK).exists()


@pytest.mark.slow
def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    sweep = _long_sweep(tmp_path)
    out = tmp_path / "out"
    first = subprocess.Popen(_command(sweep, out), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not ((out / LOCK).exists() and (out / LOCK).read_text()):
            time.sleep(0.05)
        assert (out / LOCK).exists(), "the first run never took the lock"
        for args in (("--resume",), ()):
            code, err = _cli("sweep", sweep, "--out", out, "--in-process", *args)
            assert code == 2 and len(err) == 1 and f"pid {first.pid}" in err[0] and "in use" in err[0], err
    finally:
        first.wait(timeout=600)
    assert first.returncode == 0
    pd.testing.assert_frame_equal(_normalised(read_results(out)), _normalised(read_results(_whole(tmp_path, sweep))))


def test_a_stale_lock_is_taken_over(tmp_path):
    sweep = write_sweep(tmp_path, GRID)
    out = tmp_path / "out"
    run_sweep(sweep, out, executor="inprocess")
    (out / "chunks" / "chunk-000001.parquet").unlink()
    (out / LOCK).write_text("pid 999999 on elsewhere, started 2009-09-17T00:00:00Z")  # its holder is gone
    assert _cli("sweep", sweep, "--out", out, "--in-process", "--resume")[0] == 0
    assert not (out / LOCK).exists() and read_results(out)["point_id"].nunique() == 42


@pytest.mark.parametrize("address, words", [
    ("127.0.0.1:8786", "SCHEME://HOST:PORT"),
    ("tcp://", "SCHEME://HOST:PORT"),
    ("tcp://host:port", "SCHEME://HOST:PORT"),
    ("tls://127.0.0.1:9", "tls://"),
    ("ucx://127.0.0.1:9", "ucx://"),
])
def test_bad_scheduler_addresses_are_one_line(tmp_path, address, words):
    pytest.importorskip("distributed")
    sweep = write_sweep(tmp_path, GRID)
    started = time.perf_counter()
    code, err = _cli("sweep", sweep, "--out", tmp_path / "out", "--scheduler", address, "--scheduler-timeout", "2")
    assert code == 2 and len(err) == 1 and "--scheduler" in err[0] and words in err[0], err
    assert not (tmp_path / "out").exists() and time.perf_counter() - started < 20


@pytest.mark.slow
def test_dask_without_a_worker_ends_in_bounded_time_with_one_line(tmp_path):
    distributed = pytest.importorskip("distributed")
    sweep = write_sweep(tmp_path, GRID)
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None, processes=True) as cluster:
        started = time.perf_counter()
        code, err = _cli("sweep", sweep, "--out", tmp_path / "out", "--scheduler", cluster.scheduler_address,
                         "--scheduler-timeout", "1")
    assert code == 2 and len(err) == 1 and "no Dask worker" in err[0], err
    assert time.perf_counter() - started < 30
    assert not (tmp_path / "out").exists()


# ----- memory ---------------------------------------------------------------------------------------
#: A 12-leaf tree (US: 2 actions; Russia, after the US: 3; NATO, after both: 2), whose reduced
#: normal form is 2 x 9 x 64 with about a hundred pure equilibria per point (Nash equilibria of
#: the normal form leave every choice off the path free).
TWELVE_LEAVES = """
[scenario]
id = "twelve"
title = "Twelve leaves"
timing = [
  { player = "US", name = "us", actions = ["keep", "drop"] },
  { player = "Russia", name = "ru", actions = ["press", "wait", "shield"], observes = ["us"] },
  { player = "NATO", name = "nato", actions = ["engage", "isolate"], observes = ["us", "ru"] },
]

[parameters]
a = { default = 1.0, min = 0.0, max = 2.0 }
b = { default = 1.0, min = 0.0, max = 2.0 }

[players.US]
[players.Russia]
[players.NATO]

[[goals]]
player = "US"
name = "shield"
weight = "a"
rules = [{ when = { us = "keep" }, value = 1.0 }]

[[goals]]
player = "Russia"
name = "pressure"
weight = "b"
rules = [{ when = { ru = "press" }, value = 1.0 }]

[[goals]]
player = "NATO"
name = "answer"
weight = 1.0
rules = [{ when = { ru = "press", nato = "engage" }, value = 1.0 },
         { when = { us = "keep", ru = "shield", nato = "isolate" }, value = 1.0 }]
"""


def _peak(tmp_path, n: int, monkeypatch) -> tuple[int, int]:
    import tracemalloc

    import analysis.sweep.run as run

    monkeypatch.setattr(run, "POINT_BATCH", 2)
    # The reduced normal form's cache holds its last 64 games (bounded, but more than these runs
    # have points); a smaller one keeps its own fill-up out of the comparison.
    import functools

    import sim.extensive.reduced as reduced

    monkeypatch.setattr(reduced, "_reduced_by_value",
                        functools.lru_cache(maxsize=2)(reduced._reduced_by_value.__wrapped__))
    (tmp_path / "twelve.toml").write_text(TWELVE_LEAVES)
    sweep = tmp_path / f"s{n}.toml"
    sweep.write_text(f'[sweep]\nscenario = "twelve.toml"\nmethods = ["enumpure"]\nseed = 1\nchunk_size = 100000\n'
                     f"[sweep.sample]\nn = {n}\na = {{ dist = \"uniform\", low = 0.0, high = 2.0 }}\n"
                     "b = { dist = \"uniform\", low = 0.0, high = 2.0 }\n")
    tracemalloc.start()
    try:
        run_sweep(sweep, tmp_path / f"out{n}", executor="inprocess")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rows = len(read_results(tmp_path / f"out{n}"))
    return peak, rows


@pytest.mark.slow
def test_tree_sweep_memory_does_not_grow_with_points(tmp_path, monkeypatch):
    _peak(tmp_path, 2, monkeypatch)  # warm the caches (compiled scenario, imports) outside the measure
    small, small_rows = _peak(tmp_path, 4, monkeypatch)
    large, large_rows = _peak(tmp_path, 32, monkeypatch)
    assert small_rows >= 4 * 30, "the tree must have dozens of equilibria per point for this to mean anything"
    assert large_rows == 8 * small_rows
    assert large < 1.5 * small, (small, large)


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["worker", "scheduler"])
def test_dask_losing_its_only_worker_or_its_scheduler_ends_with_one_line(tmp_path, victim):
    """A worker (without a nanny, so nothing restarts it) or the scheduler is killed mid-sweep: the
    run ends within the timeout with one line, and a local --resume finishes the exact table."""
    pytest.importorskip("distributed")
    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("the dask command is not installed")
    sweep = _long_sweep(tmp_path)
    out = tmp_path / "out"
    port = 20000 + os.getpid() % 20000
    address = f"tcp://127.0.0.1:{port}"
    # The worker must import this checkout's code (the dask command's own folder leads its path).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT, "env": env}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--dashboard-address", ":0"], **quiet)
    worker = subprocess.Popen([dask, "worker", address, "--no-nanny", "--nthreads", "1"], **quiet)
    try:
        run = subprocess.Popen([sys.executable, "-m", "analysis.cli", "sweep", str(sweep), "--out", str(out),
                                "--scheduler", address, "--scheduler-timeout", "10", "--no-progress"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 180
        while time.time() < deadline and run.poll() is None and not list((out / "chunks").glob("chunk-*.parquet")):
            time.sleep(0.05)
        assert run.poll() is None, run.stderr.read()
        os.kill((worker if victim == "worker" else scheduler).pid, signal.SIGKILL)
        killed = time.time()
        err = run.communicate(timeout=120)[1].strip().splitlines()
        assert time.time() - killed < 60
    finally:
        for proc in (worker, scheduler):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    if run.returncode == 0:
        pytest.skip("the sweep finished before the kill landed")
    assert run.returncode == 2 and len(err) == 1 and "--scheduler" in err[0] and "--resume" in err[0], "\n".join(err)
    assert _cli("sweep", sweep, "--out", out, "--in-process", "--resume")[0] == 0
    pd.testing.assert_frame_equal(_normalised(read_results(out)), _normalised(read_results(_whole(tmp_path, sweep))))


def _twice(table):
    import pyarrow as pa

    return pa.concat_tables([table, table])


def _point_3_lost(table):
    """Point 3's row gone, and a second row for point 4 in its place (so the row count holds)."""
    import pyarrow as pa

    df = table.to_pandas()
    extra = df[df["point_id"] == 4].assign(eq_index=1)
    df = pd.concat([df[df["point_id"] != 3], extra], ignore_index=True)
    return pa.Table.from_pandas(df, preserve_index=False)


@pytest.mark.parametrize("edit, words", [(_twice, "repeat a result (point 0)"), (_point_3_lost, "for 41 of 42 points")])
def test_a_chunk_recorded_with_its_faults_is_still_refused(sweeps, tmp_path, edit, words):
    """Defence in depth: even a chunk whose record was rewritten to match it (rows, SHA-256) cannot
    repeat a key or drop a point without the reader saying so."""
    import pyarrow.parquet as pq

    from analysis.io import file_sha256

    folder = tmp_path / "out"
    shutil.copytree(sweeps["whole"], folder)
    path = folder / "chunks" / "chunk-000000.parquet"
    table = edit(pq.read_table(path))
    pq.write_table(table, path)
    doc = json.loads((folder / MANIFEST).read_text())
    doc["chunks"]["0"].update(rows=table.num_rows, sha256=file_sha256(path))
    (folder / MANIFEST).write_text(json.dumps(doc))
    with pytest.raises(ScenarioError, match=re.escape(words)):
        read_results(folder)
