"""Execution back ends behind one interface (in-process, local processes, Dask distributed).

Every executor is a context manager with ``map_unordered(fn, jobs)``, yielding ``fn(job)`` results
as they finish. The worker function is the same for all of them, so results cannot depend on the
executor (EMA Workbench's evaluators follow this shape).
"""

from __future__ import annotations

import os
import time
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


#: Seconds a Dask sweep waits for a scheduler to answer, for a first worker, or for a worker to
#: come back after the last one left (``--scheduler-timeout``).
DASK_TIMEOUT = 30.0
SCHEMES = ("tcp", "tls", "ucx")


def check_scheduler_address(address: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a Dask scheduler address, or a one-line error naming ``--scheduler``.

    Examples
    --------
    >>> check_scheduler_address("tcp://127.0.0.1:8786")
    ('tcp', '127.0.0.1', 8786)
    >>> check_scheduler_address("127.0.0.1")
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: --scheduler: must be SCHEME://HOST:PORT with SCHEME tcp, tls or ucx (got '127.0.0.1')
    """
    from urllib.parse import urlsplit

    def bad():
        return ScenarioError(f"must be SCHEME://HOST:PORT with SCHEME {', '.join(SCHEMES[:-1])} or {SCHEMES[-1]} "
                             f"(got {address!r})", field="--scheduler")

    try:
        parts = urlsplit(address)
        port = parts.port
    except ValueError:
        raise bad() from None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None or parts.path or parts.query \
            or parts.fragment or parts.username or any(c.isspace() for c in address):
        raise bad()
    return parts.scheme, parts.hostname, port


class DaskExecutor:
    """A Dask distributed cluster given by its scheduler address (``tcp://host:8786``).

    The output folder must be reachable by the workers under the same path (a shared filesystem),
    because each worker writes its own chunks. Every wait is bounded by ``timeout`` seconds: to
    reach the scheduler, for a first worker, and without any worker while chunks are pending; a
    lost scheduler or a chunk that kills its workers ends the run with one line (the chunks
    committed so far stay, for ``--resume``).
    """

    name = "dask"

    def __init__(self, address: str, timeout: float | None = None):
        self.address = address
        self.timeout = DASK_TIMEOUT if timeout is None else float(timeout)
        self.scheme, self.host, self.port = check_scheduler_address(address)
        self._client = None
        self._log_levels: dict = {}

    def _fail(self, what: str) -> ScenarioError:
        return ScenarioError(f"{what} (got {self.address!r})", field="--scheduler")

    def _preflight(self) -> None:
        import importlib.util
        import socket

        if self.scheme == "ucx" and not (importlib.util.find_spec("distributed_ucxx") or importlib.util.find_spec("ucp")):
            raise self._fail("ucx:// needs UCX support for Dask (the distributed-ucxx package), which is not installed")
        if self.scheme == "tls":
            from distributed.security import Security

            if Security().get_connection_args("client").get("ssl_context") is None:
                raise self._fail("tls:// needs TLS certificates in Dask's configuration (distributed.comm.tls.ca-file, "
                                 "client.cert and client.key); none are set")
        try:
            socket.create_connection((self.host, self.port), timeout=self.timeout).close()
        except OSError as exc:
            raise self._fail(f"cannot reach the Dask scheduler within {self.timeout:g} s "
                             f"({exc.strerror or type(exc).__name__})") from None

    def __enter__(self):
        import logging

        try:
            from distributed import Client
        except ImportError:
            raise ScenarioError(
                "the Dask executor needs the 'distributed' package; install bargain-sim[cluster]",
                field="--scheduler",
            ) from None
        self._preflight()
        # distributed logs connection trouble as multi-line tracebacks; this run says what happened itself.
        # Dask's configuration gives some of its loggers their own levels: quiet each of them.
        names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in ("distributed", "tornado")]
        # asyncio reports the client's cancelled gathers ("Task exception was never retrieved").
        for name in {"distributed", "tornado", "asyncio", *names}:
            self._log_levels[name] = logging.getLogger(name).level
            logging.getLogger(name).setLevel(logging.CRITICAL + 1)
        try:
            self._client = Client(self.address, timeout=self.timeout, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - distributed raises OSError, TimeoutError, TypeError alike
            self._restore_logs()
            raise self._fail(f"cannot connect to the Dask scheduler within {self.timeout:g} s "
                             f"({type(exc).__name__})") from None
        try:
            self._client.wait_for_workers(1, timeout=self.timeout)
        except Exception:  # noqa: BLE001 - a TimeoutError of distributed's or of asyncio's
            self.__exit__(None, None, None)
            raise self._fail(f"no Dask worker joined the scheduler within {self.timeout:g} s") from None
        return self

    @property
    def workers(self) -> int:
        try:
            return max(1, len(self._client.scheduler_info().get("workers", {})))
        except Exception:  # noqa: BLE001
            return 1

    def _restore_logs(self) -> None:
        import logging

        for name, level in self._log_levels.items():
            logging.getLogger(name).setLevel(level)

    def __exit__(self, *exc):
        if self._client is not None:
            try:
                self._client.close(timeout=min(self.timeout, 5.0))
            except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
                pass
            self._client = None
        self._restore_logs()
        return False

    def _result(self, future):
        """``future.result()``, waiting in slices so that a cluster without workers, or without its
        scheduler, ends the wait after ``timeout`` seconds."""
        from distributed import TimeoutError as DaskTimeout

        try:
            from distributed import KilledWorker
        except ImportError:  # pragma: no cover - older distributed
            from distributed.scheduler import KilledWorker
        lonely = None
        while True:
            try:
                return future.result(timeout=min(1.0, self.timeout))
            except ValueError:
                raise  # the chunk's own error (a project error says what is wrong with the input)
            except (DaskTimeout, TimeoutError):
                pass
            except KilledWorker:
                raise self._fail("a chunk's task killed the Dask workers that ran it (KilledWorker); "
                                 "the chunks done so far are kept for --resume") from None
            except Exception as exc:  # noqa: BLE001 - a lost scheduler cancels every future
                raise self._fail(f"lost the Dask scheduler ({type(exc).__name__}); the chunks done so far are "
                                 "kept for --resume") from None
            try:
                # Non-blocking: the client's status and its periodically refreshed view of the cluster.
                alive = self._client.status == "running" and bool(self._client.scheduler_info().get("workers"))
            except Exception:  # noqa: BLE001
                alive = False
            if alive:
                lonely = None
                continue
            lonely = lonely if lonely is not None else time.monotonic()
            if time.monotonic() - lonely > self.timeout:
                raise self._fail(f"the Dask cluster had no worker (or no scheduler) for {self.timeout:g} s; "
                                 "the chunks done so far are kept for --resume")

    def map_unordered(self, fn: Callable, jobs: Iterable) -> Iterator:
        futures = self._client.map(fn, list(jobs), pure=False)
        # In submission order: the scheduler still runs them in parallel, and this avoids
        # distributed.as_completed, which needs a default client (a process-wide setting).
        for future in futures:
            yield self._result(future)


def make_executor(kind: str = "processes", workers: int | None = None, scheduler: str | None = None,
                  timeout: float | None = None):
    """The executor for ``--workers`` / ``--scheduler``: Dask when a scheduler is given (its address
    is checked here, before the sweep writes anything)."""
    if scheduler:
        return DaskExecutor(scheduler, timeout)
    if kind == "inprocess" or workers == 1:
        return InProcessExecutor()
    return ProcessExecutor(workers)
