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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..bpmn.loader import LoadedProcess, load_bpmn
from ..errors import CalendarError, ExpressionError, ReformSimError, ScenarioError, SimulationError
from ..model.calendar import MAX_SIMULATED_YEARS
from ..model.levers import Lever
from ..model.process import Process
from ..model.official_days import projection_note
from ..model.records import TaskRecord
from ..model.scenario import Scenario, resolve_scenario
from .backends import Backend, Serial
from .core import CompiledModel, ProgressGuard, Replication, work_clock
from .executors import EXECUTORS, Compiled, Executor, Spiff, settle
from .stats import Mean, ReplicationResult, Sample, mean_ci95

__all__ = ["simulate", "simulate_to_precision", "grow_to_precision", "prepare_run", "Run", "SimulationResult", "Precision", "EXECUTORS", "CASE_METRICS"]

DEFAULT_EXECUTOR = Compiled()  # frozen, stateless: one shared default
CASE_METRICS = ("workdays", "calendar_days", "db_days", "hours", "procedures", "documents", "fee")


@dataclass
class SimulationResult:
    """All replications of one run, with pooled KPIs and confidence intervals across replications."""

    process: Process
    scenario: Scenario
    executor: str
    seed: int
    replications: list[ReplicationResult] = field(default_factory=list)
    levers: tuple[Lever, ...] = ()  # the scenario's edits applied to ``process`` before the run
    notes: list[str] = field(default_factory=list)  # about the run itself (e.g. the executor that ran it instead)
    precision: Precision | None = None  # set by simulate_to_precision: what was asked, reached and used

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
            queue = [p.mean_queue() for p in parts]
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
                "notes": list(self.process.notes) + list(self.scenario.notes) + self.notes + self.overload_notes()
                + self.calendar_notes(), **({"precision": self.precision.as_dict()} if self.precision else {})}


@dataclass(frozen=True)
class Run:
    """A run ready to go: the process with the scenario's edits applied, the scenario resolved
    against it (defaults filled, notes saying what was assumed) and its edits consumed, so that
    passing ``(run.process, run.scenario)`` on never applies an edit twice. ``loaded`` is the BPMN
    as read when the process is unedited (the spiff executor needs it), else None."""

    process: Process
    scenario: Scenario
    loaded: LoadedProcess | None = None
    levers: tuple[Lever, ...] = ()  # the scenario's edits, as applied (compare and reports name them)


def prepare_run(process: Process | LoadedProcess | str | Path, scenario: Scenario | None = None, *,
                cases: int | None = None, replications: int | None = None, seed: int | None = None) -> Run:
    """The one way to prepare a run, used by :func:`simulate`, the CLI, the process pool and Dask.

    Loads ``process`` when it is a path, applies ``scenario.edits`` in order (a lever that does not
    fit raises a :class:`~sim.errors.ScenarioError` at ``edits[i]``), sets ``cases`` /
    ``replications`` / ``seed`` when given, and resolves the scenario against the edited process.

    >>> import sim
    >>> from pathlib import Path
    >>> root = Path(sim.__file__).parents[1]
    >>> run = prepare_run(root / "processes/construction_lowrisk_2021.bpmn", sim.load_scenario(root / "scenarios/whatif_online_filing.yaml"))
    >>> run.process.nodes["t_filing"].facts.online, run.scenario.edits, run.loaded is None
    (True, (), True)
    """
    if isinstance(process, (str, Path)):
        loaded: LoadedProcess | None = load_bpmn(process, instances=scenario.instances() if scenario else None)
        proc = loaded.process
    elif isinstance(process, LoadedProcess):
        loaded, proc = process, process.process
    else:
        loaded, proc = None, process
    scenario = scenario or Scenario()
    overrides = {k: v for k, v in (("cases", cases), ("replications", replications), ("seed", seed)) if v is not None}
    if overrides:
        scenario = replace(scenario, **overrides)
    levers = scenario.edits
    if levers:
        from ..model.edits import apply_scenario_edits

        proc, scenario = apply_scenario_edits(proc, scenario)
        scenario = replace(scenario, edits=(), edit_files=())
        loaded = None  # the file no longer describes the process that runs
    return Run(proc, resolve_scenario(proc, scenario), loaded, levers)


def run_replication(process: Process, scenario: Scenario, replication: int, seed: int, executor: Executor,
                    loaded: LoadedProcess | None = None, keep_traces: bool = False,
                    on_task: Callable[[TaskRecord], None] | None = None, *,
                    model: CompiledModel | None = None, guard: ProgressGuard | None = None) -> ReplicationResult:
    """One replication; a pure function of its arguments (so pools and clusters reproduce it).

    ``model`` is ``CompiledModel(process, scenario)`` when the caller already has it: the
    replications of one run share it rather than compiling the process again each time.
    """
    model = model or CompiledModel(process, scenario, guard)
    rep = Replication(model, replication, seed, keep_traces=keep_traces, on_task=on_task)
    arrivals = rep.arrival_times()
    executor.run(rep, arrivals, loaded)
    result = rep.close()
    expected = rep.arrivals_made  # fewer than asked when a horizon stopped the arrivals
    if result.cases + result.warmup_cases != expected:
        raise SimulationError(f"replication {replication}: {expected - result.cases - result.warmup_cases} of {expected} cases never "
                              f"finished; {rep.unfinished_reason()}")
    return result


def _run_one(args: tuple) -> ReplicationResult:
    process, scenario, replication, seed, executor, path, guard = args
    loaded = load_bpmn(path, instances=scenario.instances()) if isinstance(executor, Spiff) and path else None
    return run_replication(process, scenario, replication, seed, executor, loaded, guard=guard)


def _check_parts(executor: Any, backend: Any) -> None:
    """Parts are objects; a string here is a flag that should have been converted at the CLI edge."""
    if not callable(getattr(executor, "run", None)):
        raise SimulationError(f"executor must be an executor object such as sim.Compiled() or sim.Spiff(), got {executor!r} "
                              "(sim.engine.executors.executor_for turns a name into one)")
    if backend is not None and not callable(getattr(backend, "map", None)):
        raise SimulationError(f"backend must be a back-end object such as sim.Serial(), sim.ProcessPool(workers=2) or "
                              f"sim.Dask(client), got {backend!r} (sim.engine.backends.backend_for turns flags into one)")


def simulate(process: Process | LoadedProcess | str | Path, scenario: Scenario | None = None, *, cases: int | None = None,
             replications: int | None = None, seed: int | None = None, executor: Executor = DEFAULT_EXECUTOR,
             backend: Backend | None = None, event_log: str | Path | None = None, keep_traces: bool = False,
             progress: Callable[[int, int], None] | None = None, guard: ProgressGuard | None = None) -> SimulationResult:
    """Simulate ``process`` under ``scenario`` (documented defaults when None) and return the results.

    The scenario's ``edits:`` are applied first (:func:`prepare_run`). ``executor`` walks the cases
    (:class:`~sim.engine.executors.Compiled` or :class:`~sim.engine.executors.Spiff`); ``backend``
    says where replications run (:class:`~sim.engine.backends.Serial` when None,
    ``ProcessPool(workers=2)``, ``Dask(client)``). Same seed, same results on every back-end
    (replication ``i`` always gets child seed ``i`` of the run's ``SeedSequence``). ``guard`` bounds the work
    of one case (default: :class:`~sim.engine.core.ProgressGuard` derived from the model's size).
    """
    from ..model.bounds import check_case_budget, check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed)
    _check_parts(executor, backend)
    run = prepare_run(process, scenario, cases=cases, replications=replications, seed=seed)
    check_case_budget([(run.scenario.replications, run.scenario.cases)])  # the scenario's counts count too
    _check_arrivals(run.process, run.scenario)
    try:
        return _simulate_prepared(run, executor, backend, event_log, keep_traces, progress, guard)
    except (SimulationError, ExpressionError, CalendarError) as exc:
        raise _located(exc, run) from None


def _located(exc: ReformSimError, run: Run) -> ReformSimError:
    """A run-time error with the file(s) it came from in front, so the planner knows where to look."""
    where = " with scenario ".join(str(f) for f in (run.process.file, run.scenario.file) if f)
    if not where or where in str(exc):
        return exc
    return type(exc)(f"{where}: {exc}")


def _check_arrivals(proc: Process, scenario: Scenario) -> None:
    """Arrivals so rare that the cases asked cannot arrive within the calendar a run may span."""
    rate = scenario.arrivals.rate_per_workday
    if scenario.arrivals.times_h is not None or not rate or scenario.horizon_workdays is not None:
        return
    needed = scenario.cases / rate
    limit = 245 * MAX_SIMULATED_YEARS  # assumption: about 245 official working days a year (2021: 250, 2024: 247)
    if needed > limit:
        file = scenario.file if "arrivals" in scenario.explicit else proc.file
        raise ScenarioError([("arrivals.rate_per_workday", f"{rate:g} applications a working day bring {scenario.cases} "
                              f"cases in about {needed:,.0f} working days, past the {MAX_SIMULATED_YEARS} years a run may "
                              f"span; raise the rate, lower the cases, or set horizon_workdays")], file=file)


def _simulate_prepared(run: Run, executor: Executor, backend: Backend | None, event_log: str | Path | None,
                       keep_traces: bool, progress: Callable[[int, int], None] | None,
                       guard: ProgressGuard | None, first: int = 0) -> SimulationResult:
    """Replications ``first`` … ``first + n - 1`` of the run (replication ``i`` always draws from child seed ``i``)."""
    proc, scenario, loaded = run.process, run.scenario, run.loaded
    model = CompiledModel(proc, scenario, guard)  # also fails fast on model problems before any work starts
    executor, note = settle(executor, model)
    result = SimulationResult(proc, scenario, executor.name, scenario.seed, levers=run.levers, notes=[note] if note else [])
    n = scenario.replications
    backend = backend or Serial()
    if event_log is not None or keep_traces or isinstance(backend, Serial) or n == 1:
        records: list[TaskRecord] | None = [] if event_log is not None else None
        if event_log is not None:
            from ..interop.eventlog import check_event_log_path

            check_event_log_path(event_log)  # before the first replication: a bad path costs no work
        for i in range(first, first + n):
            result.replications.append(run_replication(proc, scenario, i, scenario.seed, executor, loaded, keep_traces,
                                                       records.append if records is not None else None, model=model))
            if progress:
                progress(i + 1 - first, n)
        if records is not None:
            from ..interop.eventlog import write_event_log

            # Written only after every replication finished, atomically: an interrupted run leaves no log.
            write_event_log(records, event_log, work_clock(scenario.start, scenario.office_hours, scenario.days))
        return result
    path = str(loaded.path) if loaded and loaded.path else None
    jobs = [(proc, scenario, i, scenario.seed, executor, path, guard) for i in range(first, first + n)]
    done = 0

    def finished(_: int, __: Any) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, n)

    result.replications.extend(backend.map(_run_one, jobs, finished))
    return result


# --precision: replications chosen adaptively -----------------------------------------------------------

# assumption: 10 replications are the first whose t interval is worth reading (assess's own default), and
# batches of 10 keep the number of interval checks small; 200 bounds the work a too-tight precision can ask
# for (200 × 300 cases run in about a minute per chain on the 2-core machine, the fast executor).
PRECISION_START, PRECISION_BATCH, PRECISION_CAP = 10, 10, 200


@dataclass(frozen=True)
class Precision:
    """What ``--precision`` asked and reached: the 95% half-width wanted on the share meeting a target, the widest
    half-width reached over the targets judged, the replications used, and whether the cap stopped the run first.

    >>> p = Precision(0.02, 0.015, 30, 200); p.capped, p.text("en")
    (False, '95% half-width on the share meeting each target: ±0.015 reached (±0.02 asked) with 30 replications')
    >>> Precision(0.001, 0.01, 200, 200).text("en")
    '95% half-width on the share meeting each target: ±0.01 reached (±0.001 asked) with 200 replications; stopped at the cap of 200 before reaching it'
    """

    wanted: float
    reached: float
    replications: int
    cap: int

    @property
    def capped(self) -> bool:
        return self.reached > self.wanted

    def text(self, lang: str = "zh") -> str:
        if lang == "zh":
            out = f"各目标达标比例的95%区间半宽：达到 ±{self.reached:.3g}（要求 ±{self.wanted:.3g}），用了 {self.replications} 次重复"
            return out + (f"；已到上限 {self.cap} 次，未达到要求" if self.capped else "")
        out = (f"95% half-width on the share meeting each target: ±{self.reached:.3g} reached (±{self.wanted:.3g} asked) "
               f"with {self.replications} replications")
        return out + (f"; stopped at the cap of {self.cap} before reaching it" if self.capped else "")

    def as_dict(self) -> dict[str, Any]:
        return {"wanted": self.wanted, "reached": self.reached, "replications": self.replications, "cap": self.cap,
                "capped": self.capped}


def widest_half_width(shares: Sequence[Sequence[float]]) -> float:
    """The widest 95% t half-width over several statistics, each given by its per-replication values (NaN
    values left out; a statistic with fewer than two values counts as not yet known: infinite).

    >>> widest_half_width([[1.0, 1.0, 1.0], [0.5, 0.7, 0.6]]) < 0.25, widest_half_width([[0.5]])
    (True, inf)
    """
    widest = 0.0
    for values in shares:
        v = [x for x in values if not math.isnan(x)]
        _, lo, hi = mean_ci95(v)
        widest = max(widest, math.inf if math.isnan(lo) else (hi - lo) / 2)
    return widest


def simulate_to_precision(process: Process | LoadedProcess | str | Path, scenario: Scenario | None,
                          shares: Callable[[SimulationResult], Sequence[Sequence[float]]], precision: float, *,
                          cases: int | None = None, seed: int | None = None, executor: Executor = DEFAULT_EXECUTOR,
                          backend: Backend | None = None, keep_traces: bool = False, start: int = PRECISION_START,
                          batch: int = PRECISION_BATCH, cap: int = PRECISION_CAP,
                          progress: Callable[[int, int], None] | None = None) -> SimulationResult:
    """Like :func:`simulate`, with replications added in batches until the widest 95% half-width of
    ``shares(result)`` (per target, the share of each replication's cases meeting it) is at most ``precision``,
    or ``cap`` replications ran. ``result.precision`` says what was reached and whether the cap stopped it.

    Replication ``i`` draws from child seed ``i`` whichever batch runs it, so the result equals
    ``simulate(..., replications=result.precision.replications)``: same seed, same results.

    >>> import sim
    >>> from pathlib import Path
    >>> mini = Path(sim.__file__).parents[1] / "tests/data/engine/mini.bpmn"
    >>> within_1 = lambda r: [[x.metric("workdays").share_at_most(1.0) for x in r.replications]]
    >>> r = simulate_to_precision(mini, None, within_1, 0.05, cases=50, seed=1, start=4, batch=4, cap=40)
    >>> r.precision.replications == len(r.replications) <= 40, r.precision.reached <= 0.05 or r.precision.capped
    (True, True)
    """
    from ..model.bounds import check_case_budget, check_run_arguments

    if isinstance(precision, bool) or not isinstance(precision, (int, float)) or not 0 < precision < 1:
        raise SimulationError(f'"precision" must be a half-width between 0 and 1 on a share (e.g. 0.02), got {precision!r}')
    for name, value in (("start", start), ("batch", batch), ("cap", cap)):
        if isinstance(value, bool) or not isinstance(value, int) or value < (2 if name != "batch" else 1):
            raise SimulationError(f'"{name}" must be a whole number >= {2 if name != "batch" else 1}, got {value!r}')
    start = min(start, cap)
    check_run_arguments(cases=cases, replications=cap, seed=seed)
    _check_parts(executor, backend)
    run = prepare_run(process, scenario, cases=cases, replications=start, seed=seed)
    check_case_budget([(cap, run.scenario.cases)])  # the most it may run counts, not the first batch
    _check_arrivals(run.process, run.scenario)
    try:
        result = _simulate_prepared(run, executor, backend, None, keep_traces, progress, None)

        def more(first: int, n: int) -> None:
            batch_run = replace(run, scenario=replace(run.scenario, replications=n))
            result.replications.extend(_simulate_prepared(batch_run, executor, backend, None, keep_traces, progress, None,
                                                          first=first).replications)

        reached = grow_to_precision(lambda: len(result.replications), more, lambda: shares(result), precision,
                                    batch=batch, cap=cap)
    except (SimulationError, ExpressionError, CalendarError) as exc:
        raise _located(exc, run) from None
    result.scenario = replace(result.scenario, replications=len(result.replications))
    result.precision = reached
    return result


def grow_to_precision(count: Callable[[], int], more: Callable[[int, int], None], shares: Callable[[], Sequence[Sequence[float]]],
                      precision: float, *, batch: int = PRECISION_BATCH, cap: int = PRECISION_CAP) -> Precision:
    """The adaptive rule, in one place: while the widest 95% half-width of ``shares()`` exceeds ``precision`` and
    fewer than ``cap`` replications ran (``count()``), run ``more(first, n)`` — replications ``first`` … ``first + n - 1``,
    at most ``batch`` of them. Used by :func:`simulate_to_precision` and by ``reformsim compare`` (both runs at once).

    >>> values = [0.0, 1.0]
    >>> def more(first, n): values.extend([0.5] * n)
    >>> p = grow_to_precision(lambda: len(values), more, lambda: [values], 0.2, batch=5, cap=50)
    >>> p.replications, p.reached <= 0.2
    (12, True)
    """
    if not shares():
        raise SimulationError("precision: no share meeting a target to make precise (the caller judged no target on this run)")
    while (reached := widest_half_width(shares())) > precision and count() < cap:
        more(count(), min(batch, cap - count()))
    return Precision(float(precision), reached, count(), cap)
