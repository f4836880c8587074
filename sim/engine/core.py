"""What both executors share: the compiled model, agencies on SimPy, and how a step is performed.

:class:`CompiledModel` is the process graph resolved against a scenario into flat, indexed
tables (successors, compiled conditions, duration distributions with scenario overrides, random
slots). :class:`Replication` holds one replication's SimPy environment, clocks, agencies and
accumulators; :meth:`Replication.perform_step` is the one place where a step takes time, so the
``compiled`` and ``spiff`` executors cannot disagree on what a step costs.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import simpy

from ..errors import ExpressionError, SimulationError
from ..model.calendar import OFFICIAL, OpeningHours, WorkClock
from ..model.official_days import OfficialDays
from ..model.clocks import db_days
from ..model.distributions import Distribution
from ..model.expressions import Condition, compile_condition
from ..model.process import Duration, Process
from ..model.records import TaskRecord
from ..model.scenario import Scenario
from .randomness import ReplicationStreams
from .stats import AgencyStats, ReplicationResult, TaskStats

__all__ = ["CompiledModel", "CNode", "Replication", "ProgressGuard", "MAX_PATHS"]

MAX_PATHS = 10_000  # distinct paths remembered per replication; the rest count as "other"


@dataclass(frozen=True)
class ProgressGuard:
    """How much work one case may do before it is stopped as runaway (both executors).

    A *visit* is a case's token passing one node (step, gateway, event). ``max_visits`` bounds
    visits per case; ``max_stalled`` bounds consecutive visits during which simulated time does
    not move (a loop of zero-duration steps would otherwise spin forever at one instant). None
    derives the limit from the model (see :meth:`limits`).

    Example:
        >>> ProgressGuard().limits(12), ProgressGuard(max_visits=50).limits(12)
        ((12000, 1200), (50, 1200))
    """

    max_visits: int | None = None
    max_stalled: int | None = None

    # assumption: a real case passes each node a handful of times (rework loops repeat a few
    # times); 1000 visits per node on average can only be a loop whose exit is (almost) never
    # taken. Without a loop a case passes each node at most once at one instant, so 100 per node
    # leaves room for zero-duration rework loops that do exit.
    VISITS_PER_NODE = 1000
    STALLED_PER_NODE = 100

    def __post_init__(self) -> None:
        for name in ("max_visits", "max_stalled"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise SimulationError(f'"{name}" must be a whole number >= 1 (or None for the default), got {value!r}')

    def limits(self, n_nodes: int) -> tuple[int, int]:
        """(visits per case, consecutive visits without simulated time passing) for a model of ``n_nodes``."""
        n = max(n_nodes, 1)
        return (self.max_visits or self.VISITS_PER_NODE * n, self.max_stalled or self.STALLED_PER_NODE * n)


@dataclass
class CNode:
    """One node of the compiled model (mutable during construction only)."""

    index: int
    id: str
    kind: str
    name: str
    succ: list[int] = field(default_factory=list)
    succ_flows: list[str] = field(default_factory=list)
    conditions: list[Condition | None] = field(default_factory=list)
    shares: list[float] | None = None
    default: int | None = None  # position in succ of the default flow
    n_incoming: int = 0
    agency: int | None = None
    agency_id: str | None = None
    work: Distribution | None = None
    wait: Distribution | None = None
    wait_unit: str = "hour"
    procedure: bool = False
    online: bool = False
    documents: int = 0
    fee: float = 0.0
    slot_work: int = -1
    slot_wait: int = -1
    slot_route: int = -1
    join_for: int | None = None  # for an inclusive split: its join node
    weighted_fallback: bool = False  # inclusive, no branch drawn: one by share (Node.none_drawn == "weighted")
    opens: int | None = None  # a subprocess start: the scope_exit whose token count starts here
    enclosing: tuple[int, ...] = ()  # scope_exit nodes of the multi-end subprocesses around this node
    sets: tuple[tuple[str, int, tuple[tuple[Any, float], ...]], ...] = ()  # (attribute, slot, values) set when the step ends


class CompiledModel:
    """A process graph resolved against a scenario; built once, shared by all replications."""

    def __init__(self, process: Process, scenario: Scenario, guard: ProgressGuard | None = None) -> None:
        self.process = process
        self.scenario = scenario
        self.guard = guard or ProgressGuard()
        self.max_visits, self.max_stalled = self.guard.limits(len(process.nodes))
        ids = list(process.nodes)
        index = {nid: i for i, nid in enumerate(ids)}
        self.agency_ids = process.agencies()
        agency_index = {a: i for i, a in enumerate(self.agency_ids)}
        self.attributes = list(scenario.attributes.values())
        slot = len(self.attributes)
        self.nodes: list[CNode] = []
        for i, nid in enumerate(ids):
            node = process.nodes[nid]
            c = CNode(i, nid, node.kind, node.label)
            if node.kind == "task" and node.facts is not None:
                f = node.facts
                override = scenario.steps.get(nid)
                work = override.work if override and override.work else f.work
                wait = override.wait if override and override.wait else f.wait
                c.agency_id = f.agency
                c.agency = agency_index.get(f.agency) if f.agency else None
                if work is not None:
                    c.work = _in_hours(work, nid, "work")
                if wait is not None:
                    c.wait, c.wait_unit = wait.dist, wait.unit
                c.procedure, c.online, c.documents, c.fee = f.procedure, f.online, f.documents, f.fee
                c.slot_work, c.slot_wait = slot, slot + 1
                slot += 2
            elif node.kind == "timer" and node.timer is not None:
                override = scenario.steps.get(nid)
                timer = override.wait if override and override.wait else node.timer
                c.wait, c.wait_unit = timer.dist, timer.unit
                c.slot_wait = slot
                slot += 1
            self.nodes.append(c)
        for flow in process.flows.values():
            src = self.nodes[index[flow.source]]
            src.succ.append(index[flow.target])
            src.succ_flows.append(flow.id)
            src.conditions.append(compile_condition(flow.condition) if flow.condition else None)
            self.nodes[index[flow.target]].n_incoming += 1
        for c in self.nodes:
            node = process.nodes[c.id]
            if node.default_flow and node.default_flow in c.succ_flows:
                c.default = c.succ_flows.index(node.default_flow)
            if c.kind in ("exclusive", "inclusive") and len(c.succ) > 1:
                shares = [scenario.routing.get(fid, process.flows[fid].share) for fid in c.succ_flows]
                if all(cond is None for j, cond in enumerate(c.conditions) if j != c.default):
                    # routed by shares (given, or equal when the file and scenario give none)
                    if any(s is None for s in shares):
                        shares = [1.0 / len(c.succ)] * len(c.succ)
                    total = sum(shares)  # type: ignore[arg-type]
                    c.shares = [s / total for s in shares]  # type: ignore[operator]
                    c.slot_route = slot
                    slot += len(c.succ) if c.kind == "inclusive" else 1  # inclusive: one draw per branch
                    if c.kind == "inclusive" and node.none_drawn == "weighted":
                        c.shares = [float(s) for s in shares]  # type: ignore[arg-type]  # Prosimos: each branch its own p, unscaled
                        c.weighted_fallback = True
                        slot += 1  # the fallback pick's own draw, so other slots keep their streams
        for spec in self.attributes:  # one slot per (attribute, step); a model without set_by keeps its rows
            for sid, values in spec.set_by:
                c = self.nodes[index[sid]]
                c.sets = (*c.sets, (spec.name, slot, values))
                slot += 1
        self.slots = slot
        self.start = next(c.index for c in self.nodes if c.kind == "start")
        self._link_scopes(index)
        self._pair_inclusive()

    def _link_scopes(self, index: dict[str, int]) -> None:
        """Tell each node which multi-end subprocess scopes enclose it (for token counting)."""
        exits = [(self.process.nodes[c.id].closes, c.index) for c in self.nodes if c.kind == "scope_exit"]
        for c in self.nodes:
            node = self.process.nodes[c.id]
            if node.opens:
                c.opens = index[node.opens]
            inside = node.scope
            c.enclosing = tuple(x for path, x in exits if inside == path or inside.startswith(path + "/"))

    def _pair_inclusive(self) -> None:
        """An inclusive join waits for exactly the branches its split started: find the join as the
        split's immediate post-dominator (networkx, on the reversed graph)."""
        splits = [c for c in self.nodes if c.kind == "inclusive" and len(c.succ) > 1]
        if not splits:
            return
        import networkx as nx

        g = nx.DiGraph()
        sink = -1
        for c in self.nodes:
            for s in c.succ:
                g.add_edge(s, c.index)  # reversed
            if c.kind == "end":
                g.add_edge(sink, c.index)
        idom = nx.immediate_dominators(g, sink)
        for c in splits:
            join = idom.get(c.index)
            # Without an inclusive join the branches simply run on (to their own ends, or through a
            # merge that passes each token on, as BPMN says); only an inclusive join needs the count.
            if join is not None and join != sink and self.nodes[join].kind == "inclusive":
                c.join_for = join


def _in_hours(d: Duration, nid: str, what: str) -> Distribution:
    if d.unit != "hour":
        raise SimulationError(f'step "{nid}": {what} is staff effort and must be given in hours (h), got "{d}"; '
                              "use wait for elapsed working or calendar days")
    return d.dist


@lru_cache(maxsize=64)
def work_clock(origin: Any, hours: OpeningHours, days: OfficialDays = OFFICIAL) -> WorkClock:
    return WorkClock(origin, hours, days)


class StaffPool:
    """An agency's staff as a first-come-first-served pool on SimPy time.

    Like ``simpy.Resource``, but a request that finds someone free is granted on the spot, with no
    SimPy event; only a case that has to queue waits on an event, which the releasing case
    triggers, handing its slot straight over. At the loads of a public office most requests find
    someone free, so this saves most of the events a step costs.
    """

    __slots__ = ("env", "capacity", "busy", "queue")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.busy = 0
        self.queue: deque[simpy.Event] = deque()

    def acquire(self) -> simpy.Event | None:
        """None when a slot was free and is now taken; else an event that fires when it is the case's turn."""
        if self.busy < self.capacity and not self.queue:
            self.busy += 1
            return None
        turn = self.env.event()
        self.queue.append(turn)
        return turn

    def release(self) -> None:
        if self.queue:
            self.queue.popleft().succeed()  # the slot passes to the next in line; busy stays the same
        else:
            self.busy -= 1


class Agency:
    __slots__ = ("id", "pool", "clock", "stats", "statutory")

    def __init__(self, env: simpy.Environment, aid: str, staff: int, clock: WorkClock, statutory: bool = False) -> None:
        self.id = aid
        self.pool = StaffPool(env, staff)
        self.clock = clock
        self.stats = AgencyStats(aid, staff)
        # open the statutory clock's hours: the same working time, so a step reads the calendar once for both
        self.statutory = statutory


class Replication:
    """One replication: environment, clocks, agencies, random streams and accumulators."""

    def __init__(self, model: CompiledModel, replication: int, seed: int, *, keep_traces: bool = False,
                 on_task: Any = None) -> None:
        self.model = model
        scenario = model.scenario
        self.env = simpy.Environment()
        self.clock = work_clock(scenario.start, scenario.office_hours, scenario.days)
        self.streams = ReplicationStreams(seed, replication, model.slots)
        self.agencies: list[Agency] = []
        for aid in model.agency_ids:
            spec = scenario.agencies.get(aid)
            if spec is None or spec.staff is None:
                raise SimulationError(f'agency "{aid}" has no staff: run the scenario through resolve_scenario first')
            if spec.staff < 1:
                raise SimulationError(f'agency "{aid}" has {spec.staff} staff: cases needing its work would wait forever; '
                                      "give it at least 1 (agencies.%s.staff)" % aid)
            hours = spec.hours or scenario.office_hours
            self.agencies.append(Agency(self.env, aid, spec.staff, work_clock(scenario.start, hours, scenario.days),
                                        statutory=hours == scenario.office_hours))
        self.result = ReplicationResult(replication)
        self.result.agencies = {a.id: a.stats for a in self.agencies}
        self.result.tasks = {c.id: TaskStats(c.id, c.name, c.agency_id) for c in model.nodes if c.kind in ("task", "timer")}
        self.task_stats = [self.result.tasks.get(c.id) for c in model.nodes]  # by node index: no dict lookup per step
        # per node: visits; hours waiting (enable -> start), working (start -> worked), elapsed (enable -> end),
        # queueing (the agency's open hours from enable to the staff turn), staff effort; and on the statutory
        # clock (working hours) queueing (enable -> granted), office closed (granted -> start) and work
        # (start -> worked). See TaskStats.
        self._step_totals = [[0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] for _ in model.nodes]
        if keep_traces:
            self.result.traces = []
        self.on_task = on_task  # callback(TaskRecord) for the event log
        self.replication = replication
        self.first_arrival = math.inf
        self.in_flight: dict[int, CaseState] = {}  # arrived, not finished: what a run that ends early reports
        self.last_end = 0.0
        self.arrivals_made = 0
        warmup = model.scenario.warmup_workdays
        self.warmup_until = self.clock.add_workdays(self.clock.next_open(0.0), warmup) if warmup else -1.0

    # -- arrivals and attributes -------------------------------------------------------------
    def expected_cases(self) -> int:
        scenario = self.model.scenario
        times = scenario.arrivals.times_h
        return min(scenario.cases, len(times)) if times is not None else scenario.cases

    def arrival_times(self, chunk: int = 4096) -> Iterator[float]:
        """Arrival instants, drawn in chunks so a million cases never sit in memory at once.

        Applications come in during office hours: a Poisson process on working time, mapped to the
        calendar. Chunks consume the stream in the same order as one big draw would.
        """
        scenario = self.model.scenario
        n = self.expected_cases()
        if scenario.arrivals.times_h is not None:
            for t in scenario.arrivals.times_h[:n]:
                self.arrivals_made += 1
                yield t
            return
        rate = scenario.arrivals.rate_per_workday or 1.0
        scale = self.clock.hours_per_day / rate
        w = self.clock.working_time(0.0)
        stop = w + scenario.horizon_workdays * self.clock.hours_per_day if scenario.horizon_workdays else math.inf
        for first in range(0, n, chunk):
            for gap in self.streams.arrivals.exponential(scale, size=min(chunk, n - first)).tolist():
                w += gap
                if w > stop:
                    return
                self.arrivals_made += 1
                yield self.clock.at_working_time(w)

    def attributes_of(self, row: list[float]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for j, spec in enumerate(self.model.attributes):
            u = row[j]
            if spec.values:
                out[spec.name] = _pick(spec.values, u)
            elif spec.p is None and spec.set_by:
                out[spec.name] = None  # no value until a step sets it (Prosimos: a rule on it is false)
            else:
                out[spec.name] = bool(u < (spec.p or 0.0))
        return out

    def apply_sets(self, case: "CaseState", node: CNode) -> None:
        """A step ended: the attributes it sets take their new values (``AttributeSpec.set_by``), one draw each."""
        for name, slot, values in node.sets:
            case.attributes[name] = _pick(values, self.uniform(case, node, slot))

    # -- uniforms for a step (first visit from the case row, later visits from a keyed stream) --
    def uniform(self, case: "CaseState", node: CNode, slot: int) -> float:
        visits = case.visits
        visit = visits.get(slot, 0) + 1  # a slot belongs to one node, so it keys the visit count
        visits[slot] = visit
        if visit == 1:
            return case.row[slot]
        return float(self.streams.revisit(case.case_id, slot, visit).random())

    def route(self, case: "CaseState", node: CNode) -> list[int]:
        """Positions in ``node.succ`` a token takes at an exclusive/inclusive gateway."""
        if node.shares is not None:
            if node.kind == "inclusive":
                # each branch independently with its share; the default (or first) if none is taken
                taken = [j for j, s in enumerate(node.shares) if self.uniform(case, node, node.slot_route + j) < s]
                if taken or not node.weighted_fallback:
                    return taken or [node.default if node.default is not None else 0]
                # Prosimos: one branch by share (scaled to 1)
                u = self.uniform(case, node, node.slot_route + len(node.shares)) * sum(node.shares)
            else:
                u = self.uniform(case, node, node.slot_route)
            acc = 0.0
            for j, share in enumerate(node.shares):
                acc += share
                if u < acc:
                    return [j]
            return [len(node.shares) - 1]
        taken = []
        for j, cond in enumerate(node.conditions):
            try:
                if cond is not None and cond(case.attributes):
                    taken.append(j)
            except ExpressionError as exc:  # name the flow whose condition failed, not only the expression
                raise ExpressionError(f'condition of flow "{node.succ_flows[j]}" (gateway "{node.id}"): {exc}') from None
        if node.kind == "exclusive":
            taken = taken[:1]
        if not taken:
            if node.default is None:
                raise SimulationError(f'case {case.case_id}: no condition of gateway "{node.id}" holds for attributes '
                                      f"{case.attributes} and the gateway has no default flow")
            taken = [node.default]
        return taken

    # -- performing a step ---------------------------------------------------------------------
    def perform_step(self, case: "CaseState", node: CNode, w_enable: float | None = None) -> Generator[simpy.Event, Any, float]:
        """Queue for staff, work in opening hours, then wait; record what happened.

        ``w_enable`` is the statutory clock's working time at the step's start when the caller
        knows it (the previous step's end); the step returns its own, so a chain of steps reads
        the calendar once per step. The hot path of every run: locals on purpose.
        """
        env = self.env
        enable = now = env.now
        clock = self.clock
        if w_enable is None:
            w_enable = clock.working_time(enable)
        start = granted = enable
        effort = queued = 0.0
        w_granted = w_start = w_worked = None  # readings of the statutory clock a step took on the way
        work = node.work
        if work is not None:
            hours = work.sample(self.uniform(case, node, node.slot_work))
            if node.agency is not None:
                agency = self.agencies[node.agency]
                pool = agency.pool
                stats = agency.stats
                stats.requests += 1
                turn = pool.acquire()
                if turn is not None:
                    if len(pool.queue) > stats.max_queue:
                        stats.max_queue = len(pool.queue)
                    yield turn
                    granted = env.now  # the staff turn: queueing ends here, waiting for the office may follow
                agency_clock = agency.clock
                statutory = agency.statutory
                if granted != enable:
                    # queueing is the office's open hours spent in line; the nights in line are the office being
                    # closed (ample staff would not have saved them)
                    if statutory:
                        w_granted = agency_clock.working_time(granted)
                        queued = w_granted - w_enable
                    else:
                        queued = agency_clock.working_time(granted) - agency_clock.working_time(enable)
                    stats.waiting_total_h += queued
                start = agency_clock.next_open(granted)
                if hours > 0:  # agency_clock.work_end(start, hours), keeping the reading at the start
                    w = agency_clock.working_time(start)
                    if statutory:
                        w_start = w
                    done = agency_clock.at_working_time(w + hours)
                else:
                    done = start
                yield env.timeout(done - env.now)
                pool.release()
                stats.busy_hours += hours
            else:
                yield env.timeout(hours)
            effort = hours
            now = env.now
        worked = now
        if node.wait is not None:
            amount = node.wait.sample(self.uniform(case, node, node.slot_wait))
            unit = node.wait_unit
            if unit == "workday":  # clock.add_workdays(now, amount), keeping the reading now
                wait_h = amount * clock.hours_per_day
                if wait_h > 0:
                    w_worked = clock.working_time(now)
                    target = clock.at_working_time(w_worked + wait_h)
                else:
                    target = now
            else:
                target = now + (24.0 * amount if unit == "day" else amount)
            if target > now:
                yield env.timeout(target - now)
                now = env.now
        end = now
        # the boundaries on the statutory clock; equal instants reuse the reading (one calendar read per step
        # for a plain step, as before)
        w_granted = w_enable if granted == enable else (clock.working_time(granted) if w_granted is None else w_granted)
        w_start = w_granted if start == granted else (clock.working_time(start) if w_start is None else w_start)
        w_worked = w_start if worked == start else (clock.working_time(worked) if w_worked is None else w_worked)
        w_end = w_worked if end == worked else clock.working_time(end)
        # plain list arithmetic on the hot path; folded into the TaskStats means at close()
        totals = self._step_totals[node.index]
        totals[0] += 1
        totals[1] += start - enable
        totals[2] += worked - start
        totals[3] += end - enable
        totals[4] += queued
        totals[5] += effort
        totals[6] += w_granted - w_enable
        totals[7] += w_start - w_granted
        totals[8] += w_worked - w_start
        self.task_stats[node.index].step_workdays.add((w_end - w_enable) / clock.hours_per_day)
        case.path.append(node.index)  # ints hash faster than ids; SimulationResult maps them back
        if node.kind == "task":
            case.documents += node.documents
            case.fee += node.fee
            if node.procedure:
                case.procedures.append((start, end, node.online))
        if self.result.traces is not None:
            self.result.traces.append((case.case_id, node.id, enable, start, end))
        if self.on_task is not None:
            self.on_task(TaskRecord(self.replication, case.case_id, node.id, node.name, node.agency_id, enable, start, end,
                                    "task" if node.kind == "task" else "timer"))
        return w_end

    # -- finishing ----------------------------------------------------------------------------
    def finish_case(self, case: "CaseState") -> None:
        now = self.env.now
        arrival = case.arrival
        r = self.result
        self.in_flight.pop(case.case_id, None)
        if arrival < self.warmup_until:
            r.warmup_cases += 1  # ran, so the office was busy, but left out of the case KPIs
            return
        r.cases += 1
        if now > self.last_end:
            self.last_end = now
        elapsed = now - arrival
        r.workdays.add(self.clock.workdays_between(arrival, now))
        r.calendar_days.add(elapsed / 24)
        r.hours.add(elapsed)
        r.db_days.add(db_days(arrival, now, case.procedures))
        r.procedures.add(float(len(case.procedures)))
        r.documents.add(float(case.documents))
        r.fee.add(case.fee)
        paths = r.paths
        key = tuple(case.path)
        seen = paths.get(key)
        if seen is not None:
            paths[key] = seen + 1
        elif len(paths) < MAX_PATHS:
            paths[key] = 1
        else:
            paths[(-1,)] = paths.get((-1,), 0) + 1  # "other": past MAX_PATHS distinct paths

    def close(self) -> ReplicationResult:
        r = self.result
        per_day = self.clock.hours_per_day
        for stats, (visits, waiting, working, elapsed, queue, effort, q_w, closed_w, work_w) in zip(self.task_stats, self._step_totals):
            if stats is not None:
                for mean, total in ((stats.waiting_h, waiting), (stats.working_h, working), (stats.step_hours, elapsed),
                                    (stats.queue_h, queue), (stats.effort_h, effort), (stats.queue_wd, q_w / per_day),
                                    (stats.closed_wd, closed_w / per_day), (stats.work_wd, work_w / per_day)):
                    mean.count, mean.total = visits, total
        if r.cases:
            r.span_h = self.last_end - self.first_arrival
            for agency in self.agencies:
                agency.stats.open_hours = agency.clock.working_time(self.last_end) - agency.clock.working_time(self.first_arrival)
        # The years this run reached (its start to its last case's end), not the clock's tables: a clock is
        # shared by the runs of a process (work_clock's cache), so its tables may hold years another run built.
        last = self.clock.to_datetime(self.last_end).year if r.cases else self.clock.origin.year
        for clock in (self.clock, *(a.clock for a in self.agencies)):
            r.calendar.update({y: clock.days.basis(y) for y in range(clock.origin.year, last + 1)})
        return r

    def new_case(self, case_id: int) -> "CaseState":
        row = self.streams.case_row(case_id)
        now = self.env.now
        if now < self.first_arrival:
            self.first_arrival = now
        case = CaseState(case_id, now, row, self.attributes_of(row))
        self.in_flight[case_id] = case
        return case

    # -- the progress guard (both executors call it once per node a token passes) -------------
    def visit(self, case: "CaseState", node: CNode) -> None:
        """Count one visit of ``node``; stop a case that runs away (see :class:`ProgressGuard`)."""
        case.n_visits += 1
        if case.n_visits > self.model.max_visits:
            raise self._runaway(case, node, f"took more than {self.model.max_visits:,} steps "
                                f"(the budget is max_visits = {self.model.guard.VISITS_PER_NODE} × {len(self.model.nodes)} "
                                "nodes unless given)")
        now = self.env.now
        if now == case.last_now:
            case.stalled += 1
            if case.stalled > self.model.max_stalled:
                raise self._runaway(case, node, f"made {case.stalled:,} steps without simulated time passing "
                                    f"(at {self.clock.to_datetime(now):%Y-%m-%d %H:%M}; the budget is max_stalled = "
                                    f"{self.model.guard.STALLED_PER_NODE} × {len(self.model.nodes)} nodes unless given)")
        else:
            case.last_now = now
            case.stalled = 0

    def _runaway(self, case: "CaseState", node: CNode, what: str) -> SimulationError:
        cycle = " → ".join(f'"{n}"' for n in self.cycle_of(case, node))
        return SimulationError(f"case {case.case_id} of replication {self.replication} {what}, cycling through {cycle}: "
                               "a loop whose exit is never (or almost never) taken; check the conditions and shares on "
                               "the loop's flows, or raise the budget (ProgressGuard(max_visits=..., max_stalled=...))")

    def cycle_of(self, case: "CaseState", node: CNode) -> list[str]:
        """The node ids a runaway case keeps repeating: the loop (strongly connected part of the
        graph) around ``node``, else the case's last steps, each once."""
        import networkx as nx  # only on this error path

        g = nx.DiGraph((c.index, s) for c in self.model.nodes for s in c.succ)
        loop = next((part for part in nx.strongly_connected_components(g) if node.index in part and len(part) > 1), None)
        if loop is not None:
            ids = [c.id for c in self.model.nodes if c.index in loop]
        else:
            ids = list(dict.fromkeys(self.model.nodes[i].id for i in case.path[-4 * len(self.model.nodes):]))
            if node.id not in ids:
                ids.append(node.id)
        return ids[:12] + (["…"] if len(ids) > 12 else [])

    def unfinished_reason(self) -> str:
        """Why cases are left over after the run: the joins their tokens wait at."""
        waiting = [(cid, c) for cid, c in self.in_flight.items()]
        if not waiting:
            return "no case is left in flight"
        cid, case = waiting[0]
        joins = [f'"{self.model.nodes[j].id}" ({n} of {self._expected(case, j)} branches arrived)'
                 for j, n in case.joins.items() if n]
        where = f"waits at join {', '.join(joins)}" if joins else "has no token left that could reach an end event"
        return (f"case {cid} (first of {len(waiting)}) {where}: a join waits for a branch that was not taken; "
                "use an exclusive or inclusive gateway to merge alternative branches")

    def _expected(self, case: "CaseState", j: int) -> int:
        node = self.model.nodes[j]
        return case.inclusive_expect.get(j, node.n_incoming) if node.kind == "inclusive" else node.n_incoming


def _pick(values: tuple[tuple[Any, float], ...], u: float) -> Any:
    """The value whose share holds ``u`` (shares summed in order; the last value when rounding leaves ``u`` beyond them)."""
    acc = 0.0
    for v, share in values:
        acc += share
        if u < acc:
            return v
    return values[-1][0]


class CaseState:
    """A case in flight: its random row, attributes, and what it has done so far."""

    __slots__ = ("case_id", "arrival", "row", "attributes", "visits", "path", "procedures", "documents", "fee",
                 "live_tokens", "joins", "inclusive_expect", "routes", "reached_end", "scope_live", "n_visits", "stalled",
                 "last_now")

    def __init__(self, case_id: int, arrival: float, row: list[float], attributes: dict[str, Any]) -> None:
        self.case_id = case_id
        self.arrival = arrival
        self.row = row
        self.attributes = attributes
        self.visits: dict[int, int] = {}
        self.path: list[int] = []  # node indices of the steps done, in order of completion
        self.procedures: list[tuple[float, float, bool]] = []
        self.documents = 0
        self.fee = 0.0
        self.live_tokens = 0
        self.reached_end = False
        self.scope_live: dict[int, int] = {}  # scope_exit index -> tokens alive in that subprocess
        self.joins: dict[int, int] = {}
        self.inclusive_expect: dict[int, int] = {}
        self.routes: dict[Any, list[int]] = {}  # spiff executor: route drawn per gateway visit
        self.n_visits = 0  # nodes passed, for the progress guard
        self.stalled = 0  # nodes passed since simulated time last moved
        self.last_now = arrival
