"""Execution back ends behind one interface (in-process, local processes, Dask distributed).

Every executor is a context manager with ``map_unordered(fn, jobs)``, yielding ``fn(job)`` results
as they finish. The worker function is the same for all of them, so results cannot depend on the
executor (EMA Workbench's evaluators follow this shape).
"""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator

from sim.errors import ScenarioError


class InProcessExecutor:
    """Runs chunks one after another in this process (debugging, tests, tiny sweeps)."""

    name = "inprocess"
    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map_unordered(self, fn: Callable, jobs: Iterable) -> Iterator:
        for job in jobs:
            yield fn(job)


class ProcessExecutor:
    """Local worker processes (the default; no server needed)."""

    name = "processes"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool = None

    def __enter__(self):
        import multiprocessing

        # forkserver: workers do not inherit this process's threads (progress bar, BLAS pools).
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("forkserver"))
        return self

    def __exit__(self, *exc):
        self._pool.shutdown(wait=True, cancel_futures=True)
        return False

    def map_unordered(self, fn: Callable, jobs: Iterable) -> Iterator:
        jobs = iter(jobs)
        pending = set()
        # Keep a bounded number of chunks in flight so results stream instead of piling up.
        for job in jobs:
            pending.add(self._pool.submit(fn, job))
            if len(pending) >= 2 * self.workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                nxt = next(jobs, None)
                if nxt is not None:
                    pending.add(self._pool.submit(fn, nxt))


class DaskExecutor:
    """A Dask distributed cluster given by its scheduler address (``tcp://host:8786``).

    The output folder must be reachable by the workers under the same path (a shared filesystem),
    because each worker writes its own chunks.
    """

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0):
        self.address = address
        self.timeout = timeout
        self._client = None

    def __enter__(self):
        try:
            from distributed import Client
        except ImportError:
            raise ScenarioError(
                "the Dask executor needs the 'distributed' package; install bargain-sim[cluster]",
                field="--scheduler",
            ) from None
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ScenarioError(
                f"cannot reach the Dask scheduler within {self.timeout:g} s ({type(exc).__name__}) (got {self.address!r})",
                field="--scheduler",
            ) from None
        return self

    @property
    def workers(self) -> int:
        return max(1, len(self._client.scheduler_info().get("workers", {})))

    def __exit__(self, *exc):
        self._client.close()
        return False

    def map_unordered(self, fn: Callable, jobs: Iterable) -> Iterator:
        futures = self._client.map(fn, list(jobs), pure=False)
        # In submission order: the scheduler still runs them in parallel, and this avoids
        # distributed.as_completed, which needs a default client (a process-wide setting).
        for future in futures:
            yield future.result()


def make_executor(kind: str = "processes", workers: int | None = None, scheduler: str | None = None):
    """The executor for ``--workers`` / ``--scheduler``: Dask when a scheduler is given."""
    if scheduler:
        return DaskExecutor(scheduler)
    if kind == "inprocess" or workers == 1:
        return InProcessExecutor()
    return ProcessExecutor(workers)
