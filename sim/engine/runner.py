"""Run replications of a process under a scenario and gather the results.

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> result = sim.simulate(Path(sim.__file__).parents[1] / "tests/data/engine/mini.bpmn", cases=50, replications=2, seed=1)
    >>> result.kpi("workdays").count
    100
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..bpmn.loader import LoadedProcess, load_bpmn
from ..errors import SimulationError
from ..model.process import Process
from ..model.official_days import projection_note
from ..model.records import TaskRecord
from ..model.scenario import Scenario, resolve_scenario
from .compiled import run_compiled
from .core import CompiledModel, Replication, work_clock
from .stats import Mean, ReplicationResult, Sample, mean_ci95

__all__ = ["simulate", "SimulationResult", "EXECUTORS", "CASE_METRICS"]

EXECUTORS = ("compiled", "spiff")
CASE_METRICS = ("workdays", "calendar_days", "db_days", "hours", "procedures", "documents", "fee")


@dataclass
class SimulationResult:
    """All replications of one run, with pooled KPIs and confidence intervals across replications."""

    process: Process
    scenario: Scenario
    executor: str
    seed: int
    replications: list[ReplicationResult] = field(default_factory=list)

    def kpi(self, metric: str) -> Sample:
        """The metric pooled over replications (``workdays``, ``calendar_days``, ``db_days``, ...)."""
        pooled = Sample(cap=10**9)
        for r in self.replications:
            pooled.merge(r.metric(metric))
        return pooled

    def replication_means(self, metric: str) -> np.ndarray:
        return np.array([r.metric(metric).mean for r in self.replications])

    def ci95(self, metric: str) -> tuple[float, float]:
        """95% confidence interval of the mean, across replication means (t distribution)."""
        _, lo, hi = mean_ci95(self.replication_means(metric))
        return lo, hi

    def share_meeting(self, metric: str, threshold: float) -> tuple[float, float, float]:
        """Share of cases with ``metric <= threshold`` and its 95% interval across replications."""
        return mean_ci95([r.metric(metric).share_at_most(threshold) for r in self.replications], bounds=(0.0, 1.0))

    def path_frequencies(self) -> dict[tuple[str, ...], int]:
        ids = list(self.process.nodes)  # compiled node index -> id (the model keeps the process's order)
        out: dict[tuple[str, ...], int] = {}
        for r in self.replications:
            for path, n in r.paths.items():
                key = ("other",) if path == (-1,) else tuple(ids[i] for i in path)
                out[key] = out.get(key, 0) + n
        return out

    def task_table(self) -> list[dict[str, Any]]:
        rows = []
        for nid in self.replications[0].tasks:
            parts = [r.tasks[nid] for r in self.replications]
            waiting, working, days = Mean(), Mean(), Sample(cap=10**9)
            for p in parts:
                waiting.merge(p.waiting_h)
                working.merge(p.working_h)
                days.merge(p.step_workdays)
            rows.append({"step": nid, "name": parts[0].name, "agency": parts[0].agency, "visits": waiting.count,
                         "waiting_h": waiting.mean, "working_h": working.mean, "workdays": days.mean,
                         "workdays_p95": days.quantile(0.95)})
        return rows

    def agency_table(self) -> list[dict[str, Any]]:
        rows = []
        for aid in self.replications[0].agencies:
            parts = [r.agencies[aid] for r in self.replications]
            util = [p.utilisation for p in parts if not math.isnan(p.utilisation)]
            queue = [p.mean_queue(r.span_h) for p, r in zip(parts, self.replications)]
            rows.append({"agency": aid, "staff": parts[0].staff, "utilisation": float(np.mean(util)) if util else math.nan,
                         "offered_load": self._offered_load(aid, parts),
                         "mean_queue": float(np.nanmean(queue)) if queue else math.nan,
                         "max_queue": max(p.max_queue for p in parts)})
        return rows

    def _offered_load(self, aid: str, parts: list[Any]) -> float:
        """Steady-state load: work arriving per open hour / staff. Above 1 the queue grows as long as
        the run lasts, and measured utilisation (over a span that includes draining) understates it."""
        rate = self.scenario.arrivals.rate_per_workday
        cases = sum(r.cases + r.warmup_cases for r in self.replications)  # busy hours include the warm-up's work
        if not rate or not cases:
            return math.nan
        spec = self.scenario.agencies.get(aid)
        hours = (spec.hours if spec and spec.hours else self.scenario.office_hours).hours  # the agency's open hours a day
        work_per_case = sum(p.busy_hours for p in parts) / cases
        return rate * work_per_case / (hours * parts[0].staff)

    def overload_notes(self) -> list[str]:
        return [f"agency {a['agency']} is overloaded: work arrives at {a['offered_load']:.2f}× what its {a['staff']} staff can do; "
                "queues grow for as long as the run lasts, so results depend on the number of cases"
                for a in self.agency_table() if not math.isnan(a["offered_load"]) and a["offered_load"] >= 1]

    def calendar(self) -> dict[int, str]:
        """Each simulated year and what its working days rest on: ``official``, ``supplied`` or ``projected``."""
        years: dict[int, str] = {}
        for r in self.replications:
            years.update(r.calendar)
        return dict(sorted(years.items()))

    def calendar_notes(self) -> list[str]:
        return [projection_note(year) for year, basis in self.calendar().items() if basis == "projected"]

    def summary(self) -> dict[str, Any]:
        """Plain data for ``--json`` and reports."""
        kpis = {}
        for m in CASE_METRICS:
            s = self.kpi(m)
            lo, hi = self.ci95(m)
            kpis[m] = {"mean": s.mean, "ci95": [lo, hi], "p50": s.quantile(0.5), "p80": s.quantile(0.8),
                       "p95": s.quantile(0.95), "min": s.min, "max": s.max, "n": s.count}
        return {"process": self.process.id, "name": self.process.name, "scenario": self.scenario.name,
                "executor": self.executor, "seed": self.seed, "replications": len(self.replications),
                "cases_per_replication": self.scenario.cases, "kpis": kpis, "tasks": self.task_table(),
                "agencies": self.agency_table(), "calendar": {str(y): b for y, b in self.calendar().items()},
                "notes": list(self.process.notes) + list(self.scenario.notes) + self.overload_notes() + self.calendar_notes()}


def _load(process: Process | LoadedProcess | str | Path) -> tuple[Process, LoadedProcess | None]:
    if isinstance(process, (str, Path)):
        loaded = load_bpmn(process)
        return loaded.process, loaded
    if isinstance(process, LoadedProcess):
        return process.process, process
    return process, None


def run_replication(process: Process, scenario: Scenario, replication: int, seed: int, executor: str,
                    loaded: LoadedProcess | None = None, keep_traces: bool = False,
                    on_task: Callable[[TaskRecord], None] | None = None, *,
                    model: CompiledModel | None = None) -> ReplicationResult:
    """One replication; a pure function of its arguments (so pools and clusters reproduce it).

    ``model`` is ``CompiledModel(process, scenario)`` when the caller already has it: the
    replications of one run share it rather than compiling the process again each time.
    """
    model = model or CompiledModel(process, scenario)
    rep = Replication(model, replication, seed, keep_traces=keep_traces, on_task=on_task)
    arrivals = rep.arrival_times()
    if executor == "compiled":
        run_compiled(rep, arrivals)
    elif executor == "spiff":
        if loaded is None:
            raise SimulationError("the spiff executor needs the BPMN file (an edited process has none); use --executor compiled")
        from .spiff import run_spiff

        run_spiff(rep, arrivals, loaded)
    else:
        raise SimulationError(f'unknown executor "{executor}"; expected one of {", ".join(EXECUTORS)}')
    result = rep.close()
    expected = rep.arrivals_made  # fewer than asked when a horizon stopped the arrivals
    if result.cases + result.warmup_cases != expected:
        raise SimulationError(f"replication {replication}: {expected - result.cases - result.warmup_cases} of {expected} cases never "
                              "finished (a loop without exit, or a join that waits for a branch that was not taken)")
    return result


def _run_one(args: tuple) -> ReplicationResult:
    process, scenario, replication, seed, executor, path = args
    loaded = load_bpmn(path) if executor == "spiff" and path else None
    return run_replication(process, scenario, replication, seed, executor, loaded)


def simulate(process: Process | LoadedProcess | str | Path, scenario: Scenario | None = None, *, cases: int | None = None,
             replications: int | None = None, seed: int | None = None, executor: str = "compiled",
             event_log: str | Path | None = None, keep_traces: bool = False, workers: int = 1,
             progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Simulate ``process`` under ``scenario`` (documented defaults when None) and return the results.

    Same seed, same results — serially or with ``workers`` > 1 (replication ``i`` always gets
    child seed ``i`` of the run's ``SeedSequence``).
    """
    from ..model.bounds import check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed, workers=workers)
    proc, loaded = _load(process)
    scenario = scenario or Scenario()
    if cases is not None:
        scenario = replace(scenario, cases=cases)
    if replications is not None:
        scenario = replace(scenario, replications=replications)
    if seed is not None:
        scenario = replace(scenario, seed=seed)
    scenario = resolve_scenario(proc, scenario)
    if executor not in EXECUTORS:
        raise SimulationError(f'unknown executor "{executor}"; expected one of {", ".join(EXECUTORS)}')
    model = CompiledModel(proc, scenario)  # also fails fast on model problems before any work starts
    result = SimulationResult(proc, scenario, executor, scenario.seed)
    n = scenario.replications
    if event_log is not None or keep_traces or workers <= 1 or n == 1:
        records: list[TaskRecord] | None = [] if event_log is not None else None
        if event_log is not None:
            from ..interop.eventlog import check_event_log_path

            check_event_log_path(event_log)  # before the first replication: a bad path costs no work
        for i in range(n):
            result.replications.append(run_replication(proc, scenario, i, scenario.seed, executor, loaded, keep_traces,
                                                       records.append if records is not None else None, model=model))
            if progress:
                progress(i + 1, n)
        if records is not None:
            from ..interop.eventlog import write_event_log

            # Written only after every replication finished, atomically: an interrupted run leaves no log.
            write_event_log(records, event_log, work_clock(scenario.start, scenario.office_hours, scenario.days))
        return result
    path = str(loaded.path) if loaded and loaded.path else None
    jobs = [(proc, scenario, i, scenario.seed, executor, path) for i in range(n)]
    with ProcessPoolExecutor(max_workers=min(workers, os.cpu_count() or 1, n)) as pool:
        for i, rep in enumerate(pool.map(_run_one, jobs)):
            result.replications.append(rep)
            if progress:
                progress(i + 1, n)
    return result
