"""Run replications serially, on a local process pool, or on a Dask cluster — same numbers each way
(the back-ends of :mod:`sim.engine.backends`).

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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..engine.backends import Backend, Dask, ProcessPool, backend_for
from ..engine.core import CompiledModel
from ..engine.executors import EXPLORING, settle
from ..engine.runner import Run, SimulationResult, prepare_run, run_replication
from ..engine.stats import ReplicationResult
from ..errors import ScenarioError
from ..model.bounds import check_case_budget
from ..model.process import Process
from ..scenarios import PROSIMOS_KEY, content_hash, load_scenario_mapping, scenario_from_mapping

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
def build(spec: RunSpec) -> Run:
    """The prepared run of ``spec`` (:func:`~sim.engine.runner.prepare_run`; cached per worker)."""
    settings = spec.settings
    if PROSIMOS_KEY in settings:  # a Prosimos model: its import is the base, these settings go over it
        from ..interop.prosimos import process_and_scenario

        process, scenario = process_and_scenario(settings, spec.file)
        return prepare_run(process, scenario)
    scenario = scenario_from_mapping(settings, file=spec.file)
    if scenario.process is None:
        raise ScenarioError([("process", "the scenario names no process file; add process: path/to/file.bpmn")], file=spec.file)
    return prepare_run(_load_process(scenario.process), scenario)


@lru_cache(maxsize=32)
def _load_process(path: str) -> Process:
    from ..bpmn.loader import load_bpmn

    return load_bpmn(path).process


def replicate(spec: RunSpec, replications: Sequence[int]) -> list[ReplicationResult]:
    """Run the given replication numbers of ``spec``; pure, so safe on any worker."""
    run = build(spec)
    process, scenario = run.process, run.scenario
    model = CompiledModel(process, scenario)
    executor, _ = settle(EXPLORING, model)  # the note is made once per spec, in run_specs
    return [run_replication(process, scenario, i, scenario.seed, executor, model=model) for i in replications]


def _chunks(n: int, size: int) -> list[tuple[int, ...]]:
    return [tuple(range(i, min(n, i + size))) for i in range(0, n, size)]


def run_specs(specs: Sequence[RunSpec], *, backend: Backend | None = None, workers: int = 1, scheduler: Any = None,
              chunk: int | None = None, progress: Progress | None = None) -> list[SimulationResult]:
    """Run every spec's replications and return one :class:`SimulationResult` per spec, in order.

    ``backend`` says where (:class:`~sim.engine.backends.Serial`, ``ProcessPool(workers)``,
    ``Dask(client)``); ``workers`` / ``scheduler`` are the CLI's flags, turned into one by
    :func:`~sim.engine.backends.backend_for` when no ``backend`` is given. Replications are grouped
    in chunks of ``chunk`` (default: enough chunks to keep every worker busy) to keep scheduling
    overhead small.
    """
    backend = backend or backend_for(workers, scheduler)
    built = [build(s) for s in specs]  # fail fast on a bad scenario before any work is sent out
    check_case_budget([(run.scenario.replications, run.scenario.cases) for run in built])  # here, not in workers: a remote one has its own environment
    counts = [run.scenario.replications for run in built]
    lanes = backend.workers if isinstance(backend, ProcessPool) else 8 if isinstance(backend, Dask) else 1
    total = sum(counts)
    size = chunk or max(1, min(50, total // (4 * lanes) or 1))
    jobs = [(k, reps) for k, n in enumerate(counts) for reps in _chunks(n, size)]
    done = 0

    def finished(_: int, reps: list[ReplicationResult]) -> None:
        nonlocal done
        done += len(reps)
        if progress:
            progress(done, total)

    parts = backend.map(_replicate_job, [(specs[k], reps) for k, reps in jobs], finished)
    results = []
    for k, run in enumerate(built):
        executor, note = settle(EXPLORING, CompiledModel(run.process, run.scenario))
        result = SimulationResult(run.process, run.scenario, executor.name, run.scenario.seed, levers=run.levers,
                                  notes=[note] if note else [])
        for (owner, _), reps in zip(jobs, parts):
            if owner == k:
                result.replications.extend(reps)
        results.append(result)
    return results


def _replicate_job(job: tuple[RunSpec, Sequence[int]]) -> list[ReplicationResult]:
    return replicate(*job)


def run_spec(spec: RunSpec, **kwargs: Any) -> SimulationResult:
    """One spec; keyword arguments as :func:`run_specs`."""
    return run_specs([spec], **kwargs)[0]
