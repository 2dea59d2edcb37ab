"""Where page work runs: a local pool of worker processes (the default) or a Dask distributed cluster.

Both hand back ``concurrent.futures.Future`` objects, so the runner's loop is the same for either.
What differs is what a dead worker looks like: the local pool breaks (every page in flight is lost and
the pool is rebuilt; the runner then retries suspects one at a time), while Dask reschedules the page
on another worker by itself and gives up with ``KilledWorker`` when the page kills worker after worker.

Dask workers must reach the delivery, the workspace and the output folder at the same paths (shared
storage) and have digitalisering installed. Start a cluster with::

    dask scheduler                                   # on the scheduler host, port 8786
    dask worker tcp://HOST:8786 --nworkers 2 --nthreads 1 --memory-limit 6GiB   # on each OCR host

and run with ``digitalisering run DELIVERY --out OUT --scheduler tcp://HOST:8786``.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable

from digitalisering import lifetime
from digitalisering.errors import MissingDependencyError, StateError
from digitalisering.i18n import language


TRACKER_WARNINGS = "ignore::UserWarning:multiprocessing.resource_tracker"


def _quiet_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (the helper process that unlinks the pool's
    semaphores) without its warnings. When the runner is killed, the tracker outlives it by a moment,
    does its job (the semaphores go) and used to print a Python warning on the operator's terminal
    ("resource_tracker: There appear to be 5 leaked semaphore objects to clean up at shutdown") under
    the killed run's output. The tracker takes its warning filters from ``PYTHONWARNINGS`` as it
    starts; it is started once per process, so the variable is set only for that moment."""
    from multiprocessing import resource_tracker

    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [before, TRACKER_WARNINGS]))
    try:
        resource_tracker.ensure_running()
    finally:
        if before is None:
            del os.environ["PYTHONWARNINGS"]
        else:
            os.environ["PYTHONWARNINGS"] = before


def _start_worker(runner_pid: int, initializer: Callable[[], None] | None, lang: str | None = None) -> None:
    """First thing in a local worker process: die with the pool (the kernel kills the worker when the
    forkserver exits, the forkserver when the runner exits), and watch the runner as well (where the
    kernel cannot, or should the chain break); the runner's language for the reasons a page failed.
    Then the caller's setup."""
    from digitalisering.i18n import set_language

    set_language(lang)
    parent = os.getppid()
    lifetime.die_with_parent(parent)
    lifetime.watch(runner_pid)
    if initializer is not None:
        initializer()


class LocalExecutor:
    """Worker processes on this machine."""

    reschedules_crashes = False
    """A dead worker breaks the pool; the runner finds the culprit page itself."""

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None):
        self.workers = workers
        self._initializer = initializer
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # Workers start from a clean server process ('forkserver'), not as forks of this one: a fork
        # would inherit the locked mutexes of OpenCV's or BLAS's threads and can hang forever.
        # Nothing of the pool outlives a killed runner (digitalisering.lifetime).
        _quiet_resource_tracker()
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["digitalisering.runner.forkserver", "digitalisering.runner.worker"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_start_worker,
                                   initargs=(os.getpid(), self._initializer, language()))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self._pool.submit(fn, *args)

    @staticmethod
    def is_crash(exc: BaseException | None) -> bool:
        return isinstance(exc, BrokenProcessPool)

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Page work sent to a Dask distributed scheduler."""

    reschedules_crashes = True

    def __init__(self, address: str, connect_timeout: float = 15):
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - a dependency
            raise MissingDependencyError("--scheduler needs dask distributed: pip install 'dask[distributed]'") from exc
        try:
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise StateError("cannot reach the Dask scheduler at {address}: {error}", address=address, error=exc) from exc
        workers = self.client.scheduler_info().get("workers", {})
        if not workers:
            self.client.close()
            raise StateError("the Dask scheduler at {address} has no workers (start some: dask worker {address})", address=address)
        self.workers = sum(w.get("nthreads", 1) for w in workers.values())
        self._n = 0

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        self._n += 1
        dask_future = self.client.submit(fn, *args, pure=False, key=f"digitalisering-page-{self._n}-{id(self)}")
        future: Future = Future()
        future.set_running_or_notify_cancel()

        def transfer(done: Any) -> None:
            try:
                future.set_result(done.result())
            except BaseException as exc:  # KilledWorker, CancelledError, a lost scheduler, ...
                future.set_exception(exc)

        dask_future.add_done_callback(transfer)
        future._dask = dask_future  # type: ignore[attr-defined]  # keeps it alive while in flight
        return future

    @staticmethod
    def is_crash(exc: BaseException | None) -> bool:
        if exc is None:
            return False
        from distributed.scheduler import KilledWorker

        return isinstance(exc, KilledWorker)

    def restart(self) -> None:
        """Nothing to do: the scheduler replaces lost workers' work itself."""

    def shutdown(self) -> None:
        self.client.close()
