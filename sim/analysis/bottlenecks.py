"""What holds a chain back, in days: where each step's time goes, which steps decide the case time,
and what one more staff member would change.

- **Four parts of a step** (:func:`step_parts`): queueing for staff, waiting for the office to open,
  the staff's work, and the fixed wait (statutory or external ``wait``). They add up to the step's
  mean time; in working days of the statutory clock (chains judged in working days) or in elapsed
  hours (chains judged in hours, such as cross-border trade). The engine measures the boundaries
  (:class:`sim.engine.stats.TaskStats`).
- **Critical-path shares** (:func:`critical_shares`): each case's elapsed time is laid along its
  own longest path — walking back from its last step, the step that ended exactly when the next
  one became ready, so at a join only the branch that arrived last counts — and the time of each
  step on it is summed over cases and divided by the summed case time. The shares are a
  decomposition: they add up to 100% (less only where a case's chain cannot be traced back).
- **Staffing** (:func:`staffing_effects`): for each agency, "+1 staff changes P80 by Y [95%
  interval]" from a paired run (same seed, cases and replications as the verdict: common random
  numbers); and for each failing target the smallest staffing found by a bounded greedy search,
  or "staffing cannot reach it" with the fixed waits on the critical path.

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> r = sim.simulate(Path(sim.__file__).parents[1] / "processes/company_setup_2021.bpmn", cases=50, replications=2)
    >>> b = chain_bottlenecks(r, staff_effects=False)
    >>> round(sum(s.critical_share for s in b.steps), 6) <= 1.0
    True
    >>> s = b.steps[0]; abs(sum(s.parts.values()) - s.mean_time) < 1e-9
    True
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..i18n import PARTS as PART_LABELS, UNITS

__all__ = ["PARTS", "PART_LABELS", "StepLoad", "AgencyLoad", "Effect", "Staffing", "Bottlenecks", "chain_bottlenecks",
           "step_parts", "critical_shares", "staffing_effects", "dominant", "drivers_text", "traces_fit"]

PARTS = ("queue", "closed", "work", "wait")
UNIT_LABELS = {lang: {u: UNITS[lang][u] for u in ("workdays", "hours")} for lang in UNITS}  # sim.i18n
SOURCE = "bottlenecks"  # the trail a tried staffing leaves in the scenario
# assumption: a trace of up to 500,000 step records (≈ 90 MB) is enough for the shares; past it the
# shares come from the first replications only (each replication is the same whatever the count).
MAX_TRACE_RECORDS = 500_000
# assumption: a staffing search adds at most 10 staff in total; a target that needs more is a capacity
# programme, not a lever, and the report says "not within +10" (ample staff is always tried first).
MAX_ADDED_STAFF = 10


@dataclass
class StepLoad:
    """One step: its four parts (mean per visit, in ``unit``) and its share of the case time."""

    step: str
    name: str
    agency: str | None
    visits: float  # per case
    parts: dict[str, float]  # PARTS -> mean per visit, in the chain's unit
    mean_time: float  # mean per visit (= the sum of the parts), in the chain's unit
    critical_share: float  # share of the summed case time spent in this step on the cases' own critical paths
    critical_time: float  # mean per case on the critical path, in the chain's unit
    waiting_h: float  # elapsed hours enable -> start (queue and office closed), for the run table
    working_h: float  # elapsed hours start -> worked

    @property
    def on_critical_path(self) -> bool:
        return self.critical_share > 0

    @property
    def dominant_part(self) -> str:
        return max(PARTS, key=lambda p: self.parts[p])


@dataclass(frozen=True)
class Effect:
    """A paired difference (variant − base) of a statistic across replications, with its 95% interval."""

    mean: float
    lo: float
    hi: float

    @property
    def detectable(self) -> bool:
        """The interval excludes 0 (a zero interval from identical runs is no effect)."""
        return not (math.isnan(self.lo) or self.lo <= 0 <= self.hi)


@dataclass
class AgencyLoad:
    agency: str
    staff: int
    utilisation: float
    mean_queue: float  # cases in line while the office is open
    max_queue: int
    effort_h: float = 0.0  # staff effort per case; 0: no staff work modelled, staff levers do not apply
    queue: float = 0.0  # queueing per case at this agency, in the chain's unit
    plus_one: Effect | None = None  # P80 change with one more staff member, in the chain's unit

    @property
    def staff_levers_apply(self) -> bool:
        return self.effort_h > 0


@dataclass
class Staffing:
    """For one failing target: the smallest staffing found that reaches it, or why none can."""

    target: str
    check: str
    status: str  # reached | cannot | not_within
    added: dict[str, int] = field(default_factory=dict)  # agency -> staff added (reached)
    share: float = math.nan  # lower 95% bound of the share meeting the target at that staffing (or with ample staff)
    fixed_wait: float = math.nan  # mean fixed wait per case on the critical path, in the chain's unit
    floor: float = math.nan  # mean case time with no queueing at all (ample staff), in the chain's unit

    def text(self, unit: str, lang: str = "zh") -> str:
        u = UNIT_LABELS[lang][unit]
        if self.status == "reached":
            adds = ("、" if lang == "zh" else ", ").join(f"{a} +{n}" for a, n in self.added.items())
            if lang == "zh":
                return f"增加人员即可达成：{adds}（达标比例下限 {self.share:.1%}）"
            return f"reached by adding staff: {adds} (lower bound of the share {self.share:.1%})"
        if self.status == "not_within":
            if lang == "zh":
                return f"在增加 {MAX_ADDED_STAFF} 名人员以内未能达成（人员充足时可达成）"
            return f"not reached within +{MAX_ADDED_STAFF} staff (ample staff would reach it)"
        if lang == "zh":
            return (f"增加人员无法达成：即使人员充足（无排队），达标比例下限仅 {self.share:.1%}；关键路径上的法定/外部等待"
                    f"平均 {self.fixed_wait:.2f} {u}，无排队时全程平均 {self.floor:.2f} {u}")
        return (f"staffing cannot reach it: even with ample staff (no queueing) the lower bound of the share is "
                f"{self.share:.1%}; the fixed waits on the critical path alone average {self.fixed_wait:.2f} {u}, "
                f"the whole case {self.floor:.2f} {u} without queueing")


@dataclass
class Bottlenecks:
    process: str
    unit: str  # "workdays" or "hours"
    case_mean: float
    steps: list[StepLoad] = field(default_factory=list)
    agencies: list[AgencyLoad] = field(default_factory=list)
    critical_path: tuple[str, ...] = ()  # the critical path most cases follow, in order
    critical_cases: int = 0  # cases the shares were traced on
    staffing: list[Staffing] = field(default_factory=list)

    def top_steps(self, n: int = 5) -> list[StepLoad]:
        """The steps that decide most of the case time (critical-path share), then the slowest."""
        return sorted(self.steps, key=lambda s: (-s.critical_share, -s.mean_time))[:n]

    def critical_parts(self) -> dict[str, float]:
        """The critical-path time per case split into the four parts (each step's time on the critical
        path divided in the proportions of its parts), in the chain's unit."""
        out = dict.fromkeys(PARTS, 0.0)
        for s in self.steps:
            if s.mean_time > 0 and s.critical_time > 0:
                for p in PARTS:
                    out[p] += s.critical_time * s.parts[p] / s.mean_time
        return out


def step_parts(stats: Sequence[Any], unit: str) -> dict[str, float]:
    """The four parts of one step, mean per visit, pooled over replications' :class:`TaskStats`.

    In working days (``unit="workdays"``): queueing, office closed and work as the engine measured
    them on the statutory clock, the fixed wait the rest of the step's working days. In hours:
    queueing is the office's open hours in line, office closed every other hour before and during
    the work, work the staff effort, the fixed wait from the work's end to the step's end.

    >>> from sim.engine.stats import TaskStats
    >>> t = TaskStats("t", "t", "desk")
    >>> for m, total in ((t.queue_h, 1.0), (t.waiting_h, 14.0), (t.working_h, 2.0), (t.effort_h, 2.0), (t.step_hours, 40.0)):
    ...     m.count, m.total = 1, total
    >>> step_parts([t], "hours")
    {'queue': 1.0, 'closed': 13.0, 'work': 2.0, 'wait': 24.0}
    """
    def total(name: str) -> float:
        return sum(getattr(s, name).total for s in stats)

    n = sum(s.step_hours.count for s in stats)
    if not n:
        return dict.fromkeys(PARTS, 0.0)
    if unit == "hours":
        queue, effort = total("queue_h"), total("effort_h")
        waiting, working, elapsed = total("waiting_h"), total("working_h"), total("step_hours")
        parts = {"queue": queue, "closed": waiting - queue + working - effort, "work": effort,
                 "wait": elapsed - waiting - working}
    else:
        queue, closed, work = total("queue_wd"), total("closed_wd"), total("work_wd")
        parts = {"queue": queue, "closed": closed, "work": work, "wait": total("step_workdays") - queue - closed - work}
    # float sums may leave -1e-15 where a part is empty
    return {k: max(v / n, 0.0) if abs(v) > 1e-9 * n else 0.0 for k, v in parts.items()}


# -- critical-path shares ---------------------------------------------------------------------------


def _step_predecessors(process: Any) -> dict[str, set[str]]:
    """For each step, the steps that can hand a case straight to it (through gateways and events only)."""
    steps = {nid for nid, n in process.nodes.items() if n.kind in ("task", "timer")}
    preds: dict[str, set[str]] = {s: set() for s in steps}
    for s in steps:
        seen: set[str] = set()
        todo = list(process.successors(s))
        while todo:
            nid = todo.pop()
            if nid in seen:
                continue
            seen.add(nid)
            if nid in steps:
                preds[nid].add(s)
            else:
                todo.extend(process.successors(nid))
    return preds


def _case_chain(recs: list[tuple[str, float, float]], preds: dict[str, set[str]]) -> list[tuple[str, float, float]]:
    """One case's critical path, last step first: (node, enable, end) records that tile the case's time."""
    by_end: dict[float, list[tuple[str, float, float]]] = {}
    for r in recs:
        by_end.setdefault(r[2], []).append(r)
    t0 = min(r[1] for r in recs)
    cur = min(by_end[max(by_end)], key=lambda r: r[1])  # the last to end; the longest if several
    chain, used = [cur], {id(cur)}
    t = cur[1]
    while t > t0:
        cands = [r for r in by_end.get(t, ()) if id(r) not in used and r[0] in preds.get(cur[0], ())]
        if not cands:
            break  # not traceable further (does not happen in the executors: gateways take no time)
        cur = min(cands, key=lambda r: r[1])
        chain.append(cur)
        used.add(id(cur))
        t = cur[1]
    return chain


@dataclass(frozen=True)
class _Critical:
    time: dict[str, float]  # step -> summed time on cases' critical paths, in the unit
    elapsed: float  # summed case time, in the unit
    cases: int
    path: tuple[str, ...]


def traces_fit(process: Any, cases: int, replications: int) -> bool:
    """Whether a run's traces (about one record per step and case) stay within :data:`MAX_TRACE_RECORDS`,
    so the run can keep them and :func:`critical_shares` need not run it again.

    >>> from sim.model.process import Flow, Node, Process
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("t", "task"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> traces_fit(p, 300, 10), traces_fit(p, 100_000, 10)
    (True, False)
    """
    steps = sum(1 for n in process.nodes.values() if n.kind in ("task", "timer"))
    return steps * cases * replications <= MAX_TRACE_RECORDS


_CACHE: dict[int, dict[str, _Critical]] = {}  # id(result) -> unit -> shares; dropped with the result


def critical_shares(result: Any, unit: str = "workdays") -> _Critical:
    """Each case's time along its own critical path, summed over cases (see the module docstring).

    Uses the result's traces when it kept them, else re-runs the same seed with traces (the same
    cases: the ``compiled`` and ``spiff`` executors give identical traces), on as many of the first
    replications as :data:`MAX_TRACE_RECORDS` allows.
    """
    from ..engine.core import work_clock

    cached = _CACHE.get(id(result), {})
    if unit in cached:
        return cached[unit]
    reps = result.replications
    if not reps or reps[0].traces is None:
        from ..engine.executors import Compiled
        from ..engine.runner import simulate

        per_rep = max(1, sum(t.step_hours.count for t in reps[0].tasks.values())) if reps else 1
        keep = max(1, min(len(reps), MAX_TRACE_RECORDS // per_rep))
        sc = replace(result.scenario, replications=keep)
        reps = simulate(result.process, sc, seed=result.seed, executor=Compiled(), keep_traces=True).replications
    sc = result.scenario
    clock = work_clock(sc.start, sc.office_hours, sc.days)
    at: Callable[[float], float] = ((lambda t: t) if unit == "hours"
                                    else (lambda t: clock.working_time(t) / clock.hours_per_day))
    preds = _step_predecessors(result.process)
    time: Counter[str] = Counter()
    paths: Counter[tuple[str, ...]] = Counter()
    elapsed, cases = 0.0, 0
    for rep in reps:
        by_case: dict[int, list[tuple[str, float, float]]] = {}
        for case, node, enable, _start, end in rep.traces or ():
            by_case.setdefault(case, []).append((node, enable, end))
        for recs in by_case.values():
            chain = _case_chain(recs, preds)
            elapsed += at(max(r[2] for r in recs)) - at(min(r[1] for r in recs))
            cases += 1
            for node, enable, end in chain:
                time[node] += at(end) - at(enable)
            paths[tuple(dict.fromkeys(r[0] for r in reversed(chain)))] += 1
    path = paths.most_common(1)[0][0] if paths else ()
    out = _Critical(dict(time), elapsed, cases, path)
    if id(result) not in _CACHE:
        weakref.finalize(result, _CACHE.pop, id(result), None)
        _CACHE[id(result)] = {}
    _CACHE[id(result)][unit] = out
    return out


# -- staffing ---------------------------------------------------------------------------------------


def _metric_of(unit: str) -> str:
    return "hours" if unit == "hours" else "workdays"


def _p80s(result: Any, metric: str) -> np.ndarray:
    return np.array([r.metric(metric).quantile(0.8) for r in result.replications])


def _with_staff(result: Any, added: dict[str, int], backend: Any = None) -> Any:
    """The same run (seed, cases, replications: common random numbers) with staff added."""
    from ..engine.executors import EXPLORING
    from ..engine.runner import simulate
    from ..model.levers import Staff, apply_levers

    process, scenario = apply_levers(result.process, result.scenario,
                                     [Staff(a, add=n, source=SOURCE) for a, n in added.items() if n])
    # every executor gives the same records for the same seed, so the fastest one pairs with any base
    return simulate(process, scenario, seed=result.seed, backend=backend, executor=EXPLORING)


def _reaches(result: Any, row: Any) -> tuple[bool, float]:
    """(the row's verdict is reachable on ``result``, lower bound of its share)."""
    from .assess import REACHABLE, judged_threshold, share_meeting, verdict

    share, lo, hi = share_meeting(result, row.metric, judged_threshold(row.check_obj))
    return verdict(share, lo, hi, row.required) == REACHABLE, (share if math.isnan(lo) else lo)


def staffing_effects(b: Bottlenecks, result: Any, rows: Sequence[Any] = (), *, backend: Any = None) -> Bottlenecks:
    """Fill ``b.agencies[*].plus_one`` and ``b.staffing`` (for the failing ``rows`` of this chain).

    Agencies with no staff work modelled get no run (staff levers do not apply); agencies where no
    case ever queued get an exact 0 without a run (one more idle desk changes nothing).
    """
    from ..engine.stats import mean_ci95
    from .assess import PERFORMANCE, REACHABLE

    metric = _metric_of(b.unit)
    base = _p80s(result, metric)
    for a in b.agencies:
        if not a.staff_levers_apply:
            continue
        if a.max_queue == 0:
            a.plus_one = Effect(0.0, 0.0, 0.0)
            continue
        diff = _p80s(_with_staff(result, {a.agency: 1}, backend), metric) - base
        a.plus_one = Effect(*mean_ci95(diff))
    failing = [r for r in rows if r.kind == PERFORMANCE and r.method == "simulated" and r.verdict != REACHABLE
               and r.check_obj is not None and r.metric != "fee"]
    if not failing:
        return b
    queued = [a.agency for a in b.agencies if a.staff_levers_apply and a.max_queue > 0]
    ample = _with_staff(result, {a: result.scenario.cases for a in queued}, backend) if queued else result
    parts = b.critical_parts()
    floor = ample.kpi(metric).mean
    for row in failing:
        ok, lo = _reaches(ample, row)
        found = Staffing(row.target, row.check, "cannot", share=lo, fixed_wait=parts["wait"], floor=floor)
        if ok:
            found = _search(result, row, queued, backend)
        b.staffing.append(found)
    return b


def _search(result: Any, row: Any, agencies: list[str], backend: Any) -> Staffing:
    """Greedy: one more staff member at a time where it raises the share's lower bound most."""
    added: dict[str, int] = {}
    for _ in range(MAX_ADDED_STAFF):
        tried = []
        for a in agencies:
            trial = {**added, a: added.get(a, 0) + 1}
            ok, lo = _reaches(_with_staff(result, trial, backend), row)
            tried.append((ok, lo, a, trial))
        ok, lo, _a, added = max(tried, key=lambda x: (x[0], x[1]))
        if ok:
            return Staffing(row.target, row.check, "reached", dict(added), share=lo)
    return Staffing(row.target, row.check, "not_within", dict(added))


# -- the whole table --------------------------------------------------------------------------------


def chain_bottlenecks(result: Any, unit: str = "workdays", rows: Sequence[Any] = (), *, staff_effects: bool = True,
                      backend: Any = None) -> Bottlenecks:
    """Bottleneck tables of one simulated chain (``unit``: ``workdays`` or ``hours``).

    ``staff_effects`` runs the paired +1-staff runs per agency; ``rows`` (the assessment's rows of
    this chain) adds the staffing search for each failing target.
    """
    if unit not in UNIT_LABELS["en"]:
        raise ValueError(f'unit must be "workdays" or "hours", got {unit!r}')
    crit = critical_shares(result, unit)
    n_cases = sum(r.cases + r.warmup_cases for r in result.replications)
    steps = []
    for nid in result.replications[0].tasks:
        stats = [r.tasks[nid] for r in result.replications]
        parts = step_parts(stats, unit)
        visits = sum(s.step_hours.count for s in stats)
        t = crit.time.get(nid, 0.0)
        share = t / crit.elapsed if crit.elapsed > 0 else 0.0
        waiting = sum(s.waiting_h.total for s in stats) / visits if visits else 0.0
        working = sum(s.working_h.total for s in stats) / visits if visits else 0.0
        steps.append(StepLoad(nid, stats[0].name or nid, stats[0].agency, visits / n_cases if n_cases else 0.0, parts,
                              sum(parts.values()), share, t / crit.cases if crit.cases else 0.0, waiting, working))
    agencies = []
    for a in result.agency_table():
        mine = [s for s in steps if s.agency == a["agency"]]
        effort = sum(sum(r.tasks[s.step].effort_h.total for r in result.replications) for s in mine) / max(n_cases, 1)
        queue = sum(s.visits * s.parts["queue"] for s in mine)
        agencies.append(AgencyLoad(a["agency"], a["staff"], a["utilisation"], a["mean_queue"], a["max_queue"], effort, queue))
    agencies.sort(key=lambda a: -(a.utilisation if not np.isnan(a.utilisation) else -1))
    b = Bottlenecks(result.process.id, unit, result.kpi(_metric_of(unit)).mean, steps, agencies, crit.path, crit.cases)
    if staff_effects:
        staffing_effects(b, result, rows, backend=backend)
    return b


def dominant(b: Bottlenecks, n: int = 2) -> tuple[list[StepLoad], str]:
    """The ``n`` steps with the largest critical-path shares, and the part that dominates the critical path."""
    top = [s for s in b.top_steps(n) if s.critical_share > 0]
    parts = b.critical_parts()
    return top, max(PARTS, key=lambda p: parts[p])


def drivers_text(b: Bottlenecks, lang: str = "zh", step: str | None = None) -> str:
    """One sentence on what dominates: for the chain, the two steps with the largest shares of the
    critical path and the part that dominates it; for one ``step`` (a per-step target), its parts.

    >>> s = StepLoad("t", "审核", "desk", 1.0, {"queue": 0.1, "closed": 0.0, "work": 0.2, "wait": 1.5}, 1.8, 0.9, 1.8, 0.0, 0.0)
    >>> drivers_text(Bottlenecks("p", "workdays", 2.0, [s]), "en")
    'Dominated by 审核 (90% of the critical path); fixed waits dominate it: 1.50 of 1.80 working days per case (queueing for staff 0.10).'
    """
    names, unit = PART_LABELS[lang], UNIT_LABELS[lang][b.unit]
    if step is not None:
        s = next((x for x in b.steps if x.step == step), None)
        if s is None or s.mean_time <= 0:
            return ""
        part = s.dominant_part
        if lang == "zh":
            return f"该环节以{names[part]}为主：每次 {s.parts[part]:.2f}/{s.mean_time:.2f} {unit}（{names['queue']} {s.parts['queue']:.2f}）。"
        return (f"The step is dominated by {names[part]}: {s.parts[part]:.2f} of {s.mean_time:.2f} {unit} a visit "
                f"({names['queue']} {s.parts['queue']:.2f}).")
    top, part = dominant(b, 2)
    if not top:
        return ""
    parts = b.critical_parts()
    total = sum(parts.values())
    no_staff = bool(b.agencies) and not any(a.staff_levers_apply for a in b.agencies)
    if lang == "zh":
        steps = "、".join(f"{s.name}（关键路径 {s.critical_share:.0%}）" for s in top)
        return (f"主要耗时环节：{steps}；关键路径上以{names[part]}为主：每件 {parts[part]:.2f}/{total:.2f} {unit}"
                f"（{names['queue']} {parts['queue']:.2f}）。" + ("本链未建模人员办理，人员杠杆不适用。" if no_staff else ""))
    steps = " and ".join(f"{s.name} ({s.critical_share:.0%} of the critical path)" for s in top)
    return (f"Dominated by {steps}; {names[part]} dominate{'s' if part != 'wait' else ''} it: {parts[part]:.2f} of "
            f"{total:.2f} {unit} per case ({names['queue']} {parts['queue']:.2f})." +
            (" No staff work is modelled on this chain: staff levers do not apply." if no_staff else ""))
