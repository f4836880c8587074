"""Run replications serially, on a local process pool, or on a Dask cluster — same numbers each way.

``Process`` and ``Scenario`` hold read-only mapping proxies that do not pickle, so a job never
carries them: a :class:`RunSpec` is plain data (the scenario's merged settings, which name the
BPMN file) and each worker rebuilds the model from it. :func:`replicate` is a pure function of
``(spec, replication)``; replication ``i`` always uses child ``i`` of ``SeedSequence(seed)``
(see :func:`sim.engine.runner.run_replication`), so where it runs cannot change its result.

Example:
    >>> from pathlib import Path
    >>> import sim
    >>> spec = RunSpec.from_file(Path(sim.__file__).parents[1] / "scenarios/company_setup_2021.yaml", cases=20, replications=2)
    >>> result = run_spec(spec)
    >>> len(result.replications), result.seed
    (2, 2021)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..engine.core import CompiledModel
from ..engine.runner import SimulationResult, prepare_run, run_replication
from ..engine.stats import ReplicationResult
from ..errors import ScenarioError, SimulationError
from ..model.process import Process
from ..model.scenario import Scenario
from ..scenarios import content_hash, load_scenario_mapping, scenario_from_mapping

__all__ = ["RunSpec", "build", "replicate", "run_spec", "run_specs", "Progress"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunSpec:
    """What to run, as plain picklable data: merged scenario settings plus the file they came from."""

    settings_json: str  # json of the merged mapping (sorted keys): hashable, picklable, cache key
    file: str | None = None

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any], file: str | None = None, **overrides: Any) -> RunSpec:
        data = dict(settings)
        data.update({k: v for k, v in overrides.items() if v is not None})
        return cls(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str), file)

    @classmethod
    def from_file(cls, path: str | Path, **overrides: Any) -> RunSpec:
        """``overrides``: ``cases``, ``replications``, ``seed`` (None keeps the file's value)."""
        return cls.from_mapping(load_scenario_mapping(path), str(path), **overrides)

    @property
    def settings(self) -> dict[str, Any]:
        return json.loads(self.settings_json)

    @property
    def hash(self) -> str:
        return content_hash(self.settings)


@lru_cache(maxsize=64)
def build(spec: RunSpec) -> tuple[Process, Scenario]:
    """The edited process and the resolved scenario of ``spec`` (cached per worker)."""
    settings = spec.settings
    scenario = scenario_from_mapping(settings, file=spec.file)
    if scenario.process is None:
        raise ScenarioError([("process", "the scenario names no process file; add process: path/to/file.bpmn")], file=spec.file)
    run = prepare_run(_load_process(scenario.process), scenario)
    return run.process, run.scenario


@lru_cache(maxsize=32)
def _load_process(path: str) -> Process:
    from ..bpmn.loader import load_bpmn

    return load_bpmn(path).process


def replicate(spec: RunSpec, replications: Sequence[int]) -> list[ReplicationResult]:
    """Run the given replication numbers of ``spec``; pure, so safe on any worker."""
    process, scenario = build(spec)
    model = CompiledModel(process, scenario)
    return [run_replication(process, scenario, i, scenario.seed, "compiled", model=model) for i in replications]


def _chunks(n: int, size: int) -> list[tuple[int, ...]]:
    return [tuple(range(i, min(n, i + size))) for i in range(0, n, size)]


def run_specs(specs: Sequence[RunSpec], *, workers: int = 1, scheduler: str | None = None, chunk: int | None = None,
              progress: Progress | None = None) -> list[SimulationResult]:
    """Run every spec's replications and return one :class:`SimulationResult` per spec, in order.

    ``workers`` > 1: a local process pool; ``scheduler`` (``tcp://host:port``) or a
    ``distributed.Client``: a Dask cluster. Replications are grouped in chunks of ``chunk``
    (default: enough chunks to keep every worker busy) to keep scheduling overhead small.
    """
    built = [build(s) for s in specs]  # fail fast on a bad scenario before any work is sent out
    counts = [sc.replications for _, sc in built]
    lanes = max(1, workers) if scheduler is None else 8
    total = sum(counts)
    size = chunk or max(1, min(50, total // (4 * lanes) or 1))
    jobs = [(k, reps) for k, n in enumerate(counts) for reps in _chunks(n, size)]
    parts: dict[tuple[int, int], list[ReplicationResult]] = {}
    done = 0

    def record(job: tuple[int, tuple[int, ...]], reps: list[ReplicationResult]) -> None:
        nonlocal done
        parts[(job[0], job[1][0])] = reps
        done += len(reps)
        if progress:
            progress(done, total)

    if scheduler is not None:
        _run_dask(specs, jobs, scheduler, record)
    elif workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = {pool.submit(replicate, specs[k], reps): (k, reps) for k, reps in jobs}
            try:
                for fut in as_completed(futures):
                    record(futures[fut], fut.result())
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    else:
        for k, reps in jobs:
            record((k, reps), replicate(specs[k], reps))
    results = []
    for k, (process, scenario) in enumerate(built):
        result = SimulationResult(process, scenario, "compiled", scenario.seed)
        for _, reps in (j for j in jobs if j[0] == k):
            result.replications.extend(parts[(k, reps[0])])
        results.append(result)
    return results


def _run_dask(specs: Sequence[RunSpec], jobs: list[tuple[int, tuple[int, ...]]], scheduler: Any,
              record: Callable[[tuple[int, tuple[int, ...]], list[ReplicationResult]], None]) -> None:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError:
        raise SimulationError('--scheduler needs dask.distributed: pip install "dask[distributed]"') from None
    own = isinstance(scheduler, str)
    try:
        client = Client(scheduler, timeout=10) if own else scheduler
    except (OSError, TimeoutError) as exc:
        raise SimulationError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        # pure=False: two identical jobs are still two jobs (and keys stay unique per run)
        futures = client.map(replicate, [specs[k] for k, _ in jobs], [reps for _, reps in jobs], pure=False)
        index = {f.key: job for f, job in zip(futures, jobs)}
        try:
            for fut in dask_completed(futures):
                record(index[fut.key], fut.result())
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if own:
            client.close()


def run_spec(spec: RunSpec, **kwargs: Any) -> SimulationResult:
    """One spec; keyword arguments as :func:`run_specs`."""
    return run_specs([spec], **kwargs)[0]
