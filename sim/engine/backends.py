"""Where jobs run, as objects handed to ``simulate(..., backend=...)`` (as httpx takes a transport).

A back-end maps a picklable, pure function over jobs and hands each result back *with its job's
index*, so callers reassemble results in job order whatever order they finish in — that is why
serial, pool and cluster runs give identical numbers. :func:`backend_for` is the one table that
turns the CLI's ``--workers`` / ``--scheduler`` flags into a back-end; nothing else takes strings.

Example:
    >>> Serial().map(abs, [-1, 2, -3])
    [1, 2, 3]
    >>> backend_for(workers=2), backend_for(scheduler="tcp://10.0.0.5:8786")
    (ProcessPool(workers=2), Dask(client='tcp://10.0.0.5:8786'))
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from ..errors import SimulationError
from ..interrupts import blocked as blocked_signals, check as check_interrupt, shielded, worker_init

__all__ = ["Backend", "Serial", "ProcessPool", "Dask", "backend_for"]

J = TypeVar("J")
R = TypeVar("R")
OnDone = Callable[[int, Any], None]  # (index of the job, its result)


class Backend(Protocol):
    def map(self, fn: Callable[[J], R], jobs: Sequence[J], on_done: OnDone | None = None) -> list[R]:
        """``[fn(job) for job in jobs]`` in job order; ``on_done`` is called as each one finishes."""
        ...


@dataclass(frozen=True)
class Serial:
    """Every job in this process, one after the other."""

    def map(self, fn: Callable[[J], R], jobs: Sequence[J], on_done: OnDone | None = None) -> list[R]:
        out = []
        for i, job in enumerate(jobs):
            check_interrupt()  # a Ctrl-C some library swallowed during the last job stops the run here
            out.append(fn(job))
            if on_done:
                on_done(i, out[-1])
        return out


@dataclass(frozen=True)
class ProcessPool:
    """A local pool of ``workers`` processes (capped at the machine's cores and the number of jobs)."""

    workers: int = 2

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise SimulationError(f'"workers" must be a whole number >= 1, got {self.workers!r}')

    def map(self, fn: Callable[[J], R], jobs: Sequence[J], on_done: OnDone | None = None) -> list[R]:
        lanes = min(self.workers, os.cpu_count() or 1, len(jobs))
        if lanes <= 1:
            return Serial().map(fn, jobs, on_done)
        results: dict[int, R] = {}
        # Workers ignore Ctrl-C (a terminal sends it to every process of the group): the parent
        # alone decides, and on any interrupt or error stops them itself (see _stop).
        pool = ProcessPoolExecutor(max_workers=lanes, initializer=worker_init)
        try:
            with blocked_signals():  # the workers are forked here: see sim.interrupts.blocked
                futures = {pool.submit(fn, job): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                if on_done:
                    on_done(i, results[i])
        except BaseException:
            with shielded():  # a second Ctrl-C must not leave workers running
                _stop(pool)
            raise
        pool.shutdown(wait=True)
        return [results[i] for i in range(len(jobs))]


# Seconds a terminated worker gets to exit before it is killed (it holds no files: results travel by pipe).
_TERMINATE_GRACE = 2.0


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the running ones now, not when they finish.

    ``shutdown(cancel_futures=True)`` alone would still wait for every running job (minutes of
    simulation) — the hang seen after Ctrl-C. So the workers are terminated (SIGTERM, then SIGKILL
    after a grace period); the pool's own thread then sees them gone and ends, so the interpreter's
    exit does not wait on it either.
    """
    # the worker processes and the pool's thread: private in Python 3.11–3.13 (3.14 adds terminate_workers())
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + _TERMINATE_GRACE
    for p in workers:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)
    if manager is not None:
        # prompt now that its workers are gone; and needed: left running, it races the interpreter's
        # exit hook for the pool's wake-up pipe ("Exception ignored ... Bad file descriptor")
        manager.join(_TERMINATE_GRACE)


@dataclass(frozen=True)
class Dask:
    """A Dask cluster: a ``distributed.Client``, or a scheduler address ``tcp://host:port`` (then a
    client is opened for the call and closed after it)."""

    client: Any

    def map(self, fn: Callable[[J], R], jobs: Sequence[J], on_done: OnDone | None = None) -> list[R]:
        try:
            from distributed import Client, as_completed as dask_completed
        except ImportError:
            raise SimulationError('a Dask back-end needs dask.distributed: pip install "dask[distributed]"') from None
        own = isinstance(self.client, str)
        try:
            client = Client(self.client, timeout=10) if own else self.client
        except (OSError, TimeoutError) as exc:
            raise SimulationError(f"cannot reach the Dask scheduler at {self.client}: {exc}") from None
        try:
            # pure=False: two identical jobs are still two jobs (and keys stay unique per run)
            futures = client.map(fn, list(jobs), pure=False)
            index = {f.key: i for i, f in enumerate(futures)}
            results: dict[int, R] = {}
            try:
                for fut in dask_completed(futures):
                    i = index[fut.key]
                    results[i] = fut.result()
                    if on_done:
                        on_done(i, results[i])
            except BaseException:
                with shielded():
                    _cancel(client, futures)
                raise
            return [results[i] for i in range(len(jobs))]
        finally:
            if own:
                client.close(timeout=_CLOSE_TIMEOUT)


# Seconds a client we opened gets to say goodbye to the scheduler; an interrupted run does not wait longer.
_CLOSE_TIMEOUT = 5


def _cancel(client: Any, futures: list[Any]) -> None:
    """Tell the cluster to drop this run's jobs, running and pending (the message is sent, not awaited).

    Best effort, as we are already stopping: a scheduler that has gone away must not hide the
    interrupt or error that brought us here behind a network error.
    """
    try:
        client.cancel(futures)
    except Exception:  # noqa: BLE001 - see above: the caller sees the original exception
        pass


def backend_for(workers: int | None = 1, scheduler: Any = None) -> Backend:
    """The CLI flags as a back-end: ``--scheduler`` → :class:`Dask`, ``--workers N>1`` → :class:`ProcessPool`,
    else :class:`Serial`."""
    if scheduler is not None:
        return Dask(scheduler)
    if workers is not None and workers > 1:
        return ProcessPool(workers)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise SimulationError(f'"workers" must be a whole number >= 1, got {workers!r}')
    return Serial()
