"""The ``fast`` executor: the compiled executor's semantics as a numba event loop over flat arrays.

Same :class:`~sim.engine.core.CompiledModel`, same random streams and slots (a case's uniforms
are the rows :meth:`~sim.engine.randomness.ReplicationStreams.case_rows` gives, sampled with
each distribution's ``sample_array``), the same calendars (the WorkClocks' own day tables, copied
into arrays once per run for the years it reaches), the same FIFO staff pools and SimPy's event
order (:mod:`sim.engine.fast_kernel`). So every case gets the same record as under ``compiled``;
``tests/test_fast.py`` checks it on every bundled model.

What it does not run yet (:func:`unsupported` says which, :class:`Unsupported` carries it):
inclusive gateways, subprocess scopes, loops (a revisited step draws from a per-visit
stream the kernel cannot reach) and attributes a step sets (``AttributeSpec.set_by``: routes are
decided per case from the attributes drawn at arrival). ``simulate`` then runs ``compiled`` and says so in the result's
notes (:meth:`Fast.settle`); ``Fast(strict=True)`` refuses instead.

Cases are fed in chunks and finished cases streamed out, so memory stays flat (beyond the
bounded samples of :mod:`sim.engine.stats`).

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> root = Path(sim.__file__).parents[1]
    >>> fast = sim.simulate(root / "processes/company_setup_2021.bpmn", cases=200, replications=1, seed=3, executor=Fast())
    >>> slow = sim.simulate(root / "processes/company_setup_2021.bpmn", cases=200, replications=1, seed=3)
    >>> fast.executor, fast.kpi("workdays").mean == slow.kpi("workdays").mean
    ('fast', True)
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ..errors import ReformSimError, SimulationError
from ..model.calendar import MAX_SIMULATED_YEARS, OpeningHours, WorkClock
from ..model.official_days import OfficialDays, ProjectedCalendarWarning
from ..model.records import TaskRecord
from . import fast_layout as fk
from .core import MAX_PATHS, CaseState, CompiledModel, Replication
from .stats import Sample

if TYPE_CHECKING:
    from ..bpmn.loader import LoadedProcess

__all__ = ["Fast", "Unsupported", "unsupported", "FastFallbackWarning"]

CHUNK = 16_384  # cases fed to the event loop at a time (a multiple of the arrival draws' 4096)
_OUT = 65_536  # finished cases buffered before they are folded into the samples
_OUT_STEPS = 16_384  # finished steps likewise (their days are also kept per step: nodes x this many)
_KINDS = {"start": fk.K_START, "end": fk.K_END, "task": fk.K_TASK, "timer": fk.K_TIMER, "parallel": fk.K_PARALLEL,
          "exclusive": fk.K_EXCLUSIVE, "pass": fk.K_PASS}
_UNITS = {"hour": fk.UNIT_HOUR, "workday": fk.UNIT_WORKDAY, "day": fk.UNIT_DAY}


class Unsupported(SimulationError):
    """The model uses a construct the fast executor does not run (yet); ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the fast executor cannot run this model: {reason}")
        self.reason = reason


class FastFallbackWarning(UserWarning):
    """A replication the fast executor started was run by the compiled executor instead."""


def unsupported(model: CompiledModel) -> str | None:
    """Why ``fast`` cannot run ``model``, or None when it can.

    >>> import sim
    >>> from pathlib import Path
    >>> from sim.engine.runner import prepare_run
    >>> run = prepare_run(Path(sim.__file__).parents[1] / "processes/construction_lowrisk_2021.bpmn")
    >>> unsupported(CompiledModel(run.process, run.scenario)) is None
    True
    """
    for c in model.nodes:
        if c.kind == "inclusive":
            return f'inclusive gateway "{c.id}" (each branch drawn on its own, joins counted per split)'
        if c.kind == "scope_exit" or c.opens is not None or c.enclosing:
            return f'subprocess "{c.id}" with several end events (token counting per scope)'
        if c.kind not in _KINDS:
            return f'node "{c.id}" of kind {c.kind}'
    if _has_cycle(model):
        return "a loop (a step visited again draws from a per-visit random stream)"
    changing = [c for c in model.nodes if c.sets]
    if changing:
        c = changing[0]
        return (f'step "{c.id}" sets case attribute {", ".join(name for name, _, _ in c.sets)} when it ends (routes are '
                "decided per case from the attributes drawn at arrival)")
    return None


def _has_cycle(model: CompiledModel) -> bool:
    state = [0] * len(model.nodes)  # 0 new, 1 on the stack, 2 done
    for root in range(len(model.nodes)):
        if state[root]:
            continue
        stack = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            succ = model.nodes[node].succ
            if i < len(succ):
                stack[-1] = (node, i + 1)
                nxt = succ[i]
                if state[nxt] == 1:
                    return True
                if state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return False


class _Plan:
    """The compiled model as the kernel's flat tables (built once per model)."""

    def __init__(self, model: CompiledModel) -> None:
        reason = unsupported(model)
        if reason is not None:
            raise Unsupported(reason)
        self.model = model
        nodes = model.nodes
        n = len(nodes)
        self.ni = np.full((n, fk.N_COLUMNS), -1, dtype=np.int64)
        self.nf = np.zeros(n)
        succ: list[int] = []
        self.work: list[tuple[int, int, Any]] = []  # (column, slot, distribution)
        self.wait: list[tuple[int, int, Any]] = []
        self.shares: list[tuple[int, int, np.ndarray]] = []  # (route column, slot, cumulative shares)
        self.conditions: list[tuple[int, Any]] = []  # (route column, node)
        joins = 0
        cols = 0
        routes = 0
        for c in nodes:
            row = self.ni[c.index]
            row[fk.N_KIND] = _KINDS[c.kind]
            row[fk.N_INCOMING] = c.n_incoming
            row[fk.N_AGENCY] = -1 if c.agency is None else c.agency
            if c.work is not None:
                row[fk.N_COL_WORK] = cols
                self.work.append((cols, c.slot_work, c.work))
                cols += 1
            if c.wait is not None:
                row[fk.N_COL_WAIT] = cols
                self.wait.append((cols, c.slot_wait, c.wait))
                cols += 1
            row[fk.N_WAIT_UNIT] = _UNITS[c.wait_unit]
            if c.kind == "exclusive" and len(c.succ) > 1:
                row[fk.N_ROUTE] = routes
                if c.shares is not None:
                    acc, cum = 0.0, []
                    for share in c.shares:  # summed in the order Replication.route sums them
                        acc += share
                        cum.append(acc)
                    self.shares.append((routes, c.slot_route, np.array(cum)))
                else:
                    self.conditions.append((routes, c))
                routes += 1
            row[fk.N_PROC], row[fk.N_ONLINE], row[fk.N_DOCS] = int(c.procedure), int(c.online), c.documents
            self.nf[c.index] = c.fee
            if c.kind == "parallel" and c.n_incoming > 1:
                row[fk.N_JOIN] = joins
                joins += 1
            row[fk.N_S0] = len(succ)
            succ.extend(c.succ)
            row[fk.N_S1] = len(succ)
        self.succ = np.array(succ + [0], dtype=np.int64)
        self.n_flows = len(succ)
        self.columns, self.routes, self.joins = max(cols, 1), max(routes, 1), max(joins, 1)
        self.steps = max(sum(1 for c in nodes if c.kind in ("task", "timer")), 1)
        self.procedures = max(sum(1 for c in nodes if c.kind == "task" and c.procedure), 1)
        self.n_agencies = len(model.agency_ids)
        # an agency open the statutory clock's hours has the same day tables: the kernel reuses its readings
        scenario = model.scenario
        same = [(spec.hours if spec is not None and spec.hours else scenario.office_hours) == scenario.office_hours
                for spec in (scenario.agencies.get(aid) for aid in model.agency_ids)]
        for c in nodes:
            if c.agency is not None:
                self.ni[c.index, fk.N_SAME_CLOCK] = int(same[c.agency])

    def case_inputs(self, rep: Replication, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sampled durations and the branch each gateway takes, for a chunk of case rows."""
        dur = np.zeros((len(rows), self.columns))
        for col, slot, dist in self.work + self.wait:
            dur[:, col] = dist.sample_array(rows[:, slot])
        route = np.zeros((len(rows), self.routes), dtype=np.int64)
        for col, slot, cum in self.shares:
            route[:, col] = np.minimum(np.searchsorted(cum, rows[:, slot], side="right"), len(cum) - 1)
        if self.conditions:
            self._route_by_conditions(rep, rows, route)
        return dur, route

    def _route_by_conditions(self, rep: Replication, rows: np.ndarray, route: np.ndarray) -> None:
        """Conditions read only case attributes: evaluate them once per distinct attribute set, with
        the compiled executor's own ``Replication.route`` (-1 where it raises: the kernel stops there)."""
        key = np.zeros(len(rows), dtype=np.int64)
        radix = 1
        for j, spec in enumerate(self.model.attributes):
            u = rows[:, j]
            if spec.values:
                acc, cum = 0.0, []
                for _, share in spec.values:
                    acc += share
                    cum.append(acc)
                code = np.minimum(np.searchsorted(np.array(cum), u, side="right"), len(cum) - 1)
                size = len(cum)
            else:
                code = (u < (spec.p or 0.0)).astype(np.int64)
                size = 2
            key += code * radix
            radix *= size
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        table = np.zeros((len(first), len(self.conditions)), dtype=np.int64)
        for g, i in enumerate(first):
            row = rows[i].tolist()
            case = CaseState(-1, 0.0, row, rep.attributes_of(row))
            for k, (_, node) in enumerate(self.conditions):
                try:
                    table[g, k] = rep.route(case, node)[0]
                except ReformSimError:
                    table[g, k] = -1
        for k, (col, _) in enumerate(self.conditions):
            route[:, col] = table[inverse.ravel(), k]


_PLANS: weakref.WeakKeyDictionary[CompiledModel, _Plan] = weakref.WeakKeyDictionary()


def _plan(model: CompiledModel) -> _Plan:
    plan = _PLANS.get(model)
    if plan is None:
        plan = _PLANS[model] = _Plan(model)
    return plan


# -- calendar tables ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Calendar:
    wd: np.ndarray
    ob: np.ndarray
    per: np.ndarray
    nper: np.ndarray
    od: np.ndarray  # day index of each open day, in order
    hpd: np.ndarray
    complete: bool  # the table reaches the limit of MAX_SIMULATED_YEARS


@lru_cache(maxsize=32)
def _day_table(origin: dt.date, days: OfficialDays, last_year: int) -> np.ndarray:
    limit = (dt.date(origin.year + MAX_SIMULATED_YEARS, 1, 1) - origin).days
    out: list[bool] = []
    with warnings.catch_warnings():
        # the clocks themselves warn about projected years once the run is known to reach them
        warnings.simplefilter("ignore", ProjectedCalendarWarning)
        for year in range(origin.year, last_year + 1):
            table = days.year_workdays(year)
            out.extend(table[origin.timetuple().tm_yday - 1:] if year == origin.year else table)
    return np.array(out[:limit], dtype=np.uint8)


@lru_cache(maxsize=32)
def _calendar(origin: dt.date, days: OfficialDays, hours: tuple[OpeningHours, ...], last_year: int) -> _Calendar:
    wd = _day_table(origin, days, last_year)
    limit = (dt.date(origin.year + MAX_SIMULATED_YEARS, 1, 1) - origin).days
    n_per = max(len(h.periods) for h in hours)
    ob = np.zeros((len(hours), len(wd) + 1))
    per = np.zeros((len(hours), n_per, 4))  # start, end, open hours before the start, open hours before the end
    for c, h in enumerate(hours):
        clock = WorkClock(origin, h, days)  # the periods with their cumulative hours, as the clock computes them
        ob[c, 1:] = np.cumsum(np.where(wd == 1, clock.hours_per_day, 0.0))  # sequential sums, as _extend_to adds
        for p, (a, b, before) in enumerate(clock._periods):
            per[c, p] = (a, b, before, before + (b - a))
    return _Calendar(wd, ob, per, np.array([len(h.periods) for h in hours], dtype=np.int64), np.flatnonzero(wd),
                     np.array([h.hours for h in hours]), len(wd) >= limit)


def _first_last_year(origin: dt.date, days: OfficialDays) -> int:
    """One more year than the start's, unless that one is projected (a run that never reaches it must not warn)."""
    return origin.year + 1 if days.basis(origin.year + 1) != "projected" else origin.year


@lru_cache(maxsize=1)
def _kernel() -> Any:
    """The numba kernel, imported on first use (compiled once, then loaded from numba's cache)."""
    from ..model.distributions import register_compiled_log1p
    from . import fast_kernel

    register_compiled_log1p(fast_kernel.log1p_into)  # the rows' exponential draws, in compiled code
    return fast_kernel


class _NeedYear(Exception):
    pass


class _Revisit(Exception):
    pass


# -- the executor ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fast:
    """The compiled executor's results from a numba event loop (its speed against compiled: README, Performance).

    ``strict`` refuses a model it cannot run (:class:`Unsupported`); otherwise :func:`simulate`
    runs it with :class:`~sim.engine.executors.Compiled` and notes why.
    """

    name: ClassVar[str] = "fast"
    strict: bool = False

    def settle(self, model: CompiledModel) -> tuple[Any, str | None]:
        """The executor that will run ``model``, and a note when it is not this one."""
        reason = unsupported(model)
        if reason is None:
            return self, None
        if self.strict:
            raise Unsupported(reason)
        from .executors import Compiled

        return Compiled(), f"快速执行器不支持本模型（{reason}），已改用 compiled / the fast executor cannot run this model ({reason}); ran compiled instead"

    def run(self, rep: Replication, arrivals: Any, loaded: LoadedProcess | None) -> None:
        plan = _plan(rep.model)
        try:
            _run(rep, plan)
        except _Revisit as exc:
            warnings.warn(FastFallbackWarning(f"replication {rep.replication}: {exc}; ran it with the compiled executor"),
                          stacklevel=2)
            from .compiled import run_compiled

            run_compiled(rep, arrivals)


MARGIN_DAYS = 366  # the tables reach this far past the next event; a step that looks further restarts the run


class _Tables:
    """The calendar tables of a replication's clocks, grown a year at a time as the run needs."""

    def __init__(self, rep: Replication) -> None:
        clock = rep.clock
        self.clock = clock
        self.hours = (clock.hours, *(a.clock.hours for a in rep.agencies))
        self.last_year = _first_last_year(clock.origin, clock.days)
        self.cal = _calendar(clock.origin, clock.days, self.hours, self.last_year)

    def grow(self) -> None:
        if self.cal.complete:
            self.clock.is_workday(len(self.cal.wd))  # past MAX_SIMULATED_YEARS: the clock raises its CalendarError
            raise SimulationError("internal error: the fast executor's calendar ran out")
        self.last_year += 1
        self.cal = _calendar(self.clock.origin, self.clock.days, self.hours, self.last_year)

    @property
    def limit(self) -> int:
        """The first day the next event may not reach without the tables growing first."""
        return 2**62 if self.cal.complete else len(self.cal.wd) - MARGIN_DAYS


def _run(rep: Replication, plan: _Plan) -> None:
    tables = _Tables(rep)
    while True:
        try:
            _Attempt(rep, plan, tables).run()
            return
        except _NeedYear:  # a step reached past the margin: start again on longer tables (rare)
            tables.grow()


class _Attempt:
    """One run of a replication on a calendar table; a table too short raises _NeedYear (the run restarts)."""

    def __init__(self, rep: Replication, plan: _Plan, tables: _Tables) -> None:
        self.rep, self.plan, self.tables = rep, plan, tables
        model = rep.model
        n, a = len(model.nodes), plan.n_agencies
        self.flags = np.zeros(1, dtype=np.int64)
        self.md = np.full(1 + a, -1, dtype=np.int64)
        tokens = 256
        self.ht = np.zeros(tokens)
        self.hi = np.zeros((tokens, 2), dtype=np.int64)  # event id, token
        self.uq = np.zeros(tokens, dtype=np.int64)  # process starts (URGENT), a ring
        self.ti = np.zeros((tokens, 3), dtype=np.int64)
        self.tf = np.zeros((tokens, fk.TOKEN_FLOATS))
        self.free = np.arange(tokens, dtype=np.int64)[::-1].copy()
        self.pi = np.zeros((max(a, 1), 4), dtype=np.int64)
        for j, agency in enumerate(rep.agencies):
            self.pi[j, 1] = agency.pool.capacity
        self.q = np.zeros((max(a, 1), tokens), dtype=np.int64)
        self.ai = np.zeros((max(a, 1), 2), dtype=np.int64)
        self.af = np.zeros((max(a, 1), 2))
        self.sv = np.zeros(n, dtype=np.int64)
        self.st = np.zeros((n, 8))  # Replication._step_totals after the visits, in its order
        # buffers sized for the run when it is small (a few hundred cases is the common case: their
        # allocation would otherwise cost more than the run), else for a chunk
        expected = rep.expected_cases()
        self._cases(min(2 * CHUNK, expected + 1))
        paths = min(MAX_PATHS, expected + 1)  # distinct paths never outnumber the cases
        self.ptab = np.full(1 << max(4, (2 * paths).bit_length()), -1, dtype=np.int64)
        self.pcont = np.zeros((paths, plan.steps + 1), dtype=np.int64)
        self.phash = np.zeros(paths, dtype=np.uint64)
        self.oc = np.zeros((max(2, min(_OUT, expected + 1)), fk.OUT_CASE_COLUMNS))
        steps = max(n + 1, min(_OUT_STEPS, expected * plan.steps + n + 1))  # the kernel flushes when fewer than n rows are free
        self.osi = np.zeros((steps, 2), dtype=np.int64)
        self.osf = np.zeros((steps, 4))
        self.osd = np.zeros((n, steps))  # each step's working days, per node in the order they finished
        self.osn = np.zeros(n, dtype=np.int64)
        self.db_order = np.zeros(plan.procedures, dtype=np.int64)  # the Doing-Business clock's scratch
        self.db_times = np.zeros((plan.procedures, 2))
        self.si = np.zeros(fk.SCALARS, dtype=np.int64)
        self.si[fk.I_FREE] = tokens
        self.si[fk.I_FLOWS] = plan.n_flows
        self.sf = np.zeros(4)
        self.sf[fk.F_FIRST] = math.inf
        self.sf[fk.F_WARMUP_UNTIL] = rep.warmup_until
        self.uq[0] = -1  # the source process starts at 0 (URGENT, event id 0)
        self.si[fk.I_ULEN] = 1
        self.si[fk.I_EID] = 1
        # outputs, folded as they come
        self.metrics = {m: Sample() for m in ("workdays", "calendar_days", "hours", "db_days", "procedures", "documents", "fee")}
        self.step_days = {i: Sample() for i, s in enumerate(rep.task_stats) if s is not None}
        self.path_counts: dict[int, int] = {}
        self.cases = 0
        self.traces: list[tuple] | None = [] if rep.result.traces is not None else None
        # arrivals: a copy of the stream, so that a fallback to compiled still finds it untouched
        scenario = model.scenario
        self.n_wanted = rep.expected_cases()
        self.arrival_gen = np.random.Generator(np.random.PCG64())
        self.arrival_gen.bit_generator.state = rep.streams.arrivals.bit_generator.state
        self.times = scenario.arrivals.times_h
        rate = scenario.arrivals.rate_per_workday or 1.0
        self.scale = rep.clock.hours_per_day / rate
        self.w = rep.clock.working_time(0.0)
        self.stop = self.w + scenario.horizon_workdays * rep.clock.hours_per_day if scenario.horizon_workdays else math.inf
        self.made = 0
        self.ended = False

    def _cases(self, capacity: int) -> None:
        plan = self.plan
        capacity = max(capacity, 1)
        n = len(self.rep.model.nodes)
        old = getattr(self, "ci", None)
        new = {"ci": np.zeros((capacity, 6), dtype=np.int64), "cf": np.zeros((capacity, fk.CASE_FLOATS)),
               "cj": np.zeros((capacity, plan.joins), dtype=np.int64), "cp": np.zeros((capacity, plan.procedures, 3)),
               "cpath": np.zeros((capacity, plan.steps), dtype=np.int64), "cseen": np.zeros((capacity, n), dtype=np.uint8),
               "dur": np.zeros((capacity, plan.columns)), "route": np.zeros((capacity, plan.routes), dtype=np.int64)}
        for name, array in new.items():
            if old is not None:
                kept = getattr(self, name)
                array[:len(kept)] = kept
            setattr(self, name, array)

    # -- arrivals ---------------------------------------------------------------------------------------
    def _next_arrivals(self) -> np.ndarray:
        """The next chunk of arrival instants (Replication.arrival_times, a chunk at a time)."""
        first = self.made
        if self.times is not None:
            out = np.asarray(self.times[first:min(self.n_wanted, first + CHUNK)], dtype=float)
            self.made += len(out)
            self.ended = self.made >= self.n_wanted
            return out
        parts = []
        for start in range(first, min(self.n_wanted, first + CHUNK), 4096):
            gaps = self.arrival_gen.exponential(self.scale, size=min(4096, self.n_wanted - start))
            ws = np.cumsum(np.concatenate(([self.w], gaps)))[1:]  # w += gap, in order
            over = np.flatnonzero(ws > self.stop)
            if len(over):
                ws = ws[:over[0]]
                self.ended = True
            if len(ws):
                self.w = ws[-1]
                parts.append(ws)
            if self.ended:
                break
        ws = np.concatenate(parts) if parts else np.zeros(0)
        out = np.empty(len(ws))
        while True:
            c = self.tables.cal
            _kernel().arrival_instants(c.wd, c.ob, c.per, c.nper, c.od, c.hpd, self.md, self.flags, ws, out)
            if not self.flags[0]:
                break
            self.flags[0] = 0  # nothing but these instants was computed: grow the tables and compute them again
            self.tables.grow()
        self.made += len(out)
        self.ended = self.ended or self.made >= self.n_wanted
        return out

    def _load(self) -> None:
        si = self.si
        times = self._next_arrivals()
        loaded = si[fk.I_LOADED] - si[fk.I_BASE]
        done = self.ci[:loaded, fk.C_DONE]
        pending = np.flatnonzero(done == 0)
        drop = int(pending[0]) if len(pending) else int(loaded)
        keep = int(loaded) - drop
        if keep + len(times) > len(self.ci):
            self._cases(2 * (keep + len(times)))
        for name in ("ci", "cf", "cj", "cp", "cpath", "cseen", "dur", "route"):
            array = getattr(self, name)
            array[:keep] = array[drop:drop + keep]
            array[keep:keep + len(times)] = 0
        si[fk.I_BASE] += drop
        m = len(times)
        if m:
            first = int(si[fk.I_LOADED])
            rows = self.rep.streams.case_rows(first, m)
            dur, route = self.plan.case_inputs(self.rep, rows)
            self.cf[keep:keep + m, fk.C_T] = times
            self.dur[keep:keep + m] = dur
            self.route[keep:keep + m] = route
        si[fk.I_LOADED] += m
        si[fk.I_ALL_LOADED] = int(self.ended)

    def _grow(self) -> None:
        size = len(self.ht)
        self.ht = np.concatenate((self.ht, np.zeros(size)))
        self.hi = np.concatenate((self.hi, np.zeros((size, 2), dtype=np.int64)))
        self.ti = np.concatenate((self.ti, np.zeros((size, 3), dtype=np.int64)))
        self.tf = np.concatenate((self.tf, np.zeros((size, fk.TOKEN_FLOATS))))
        uq = np.zeros(2 * size, dtype=np.int64)  # the ring of process starts, unrolled so its head is at 0
        head, length = self.si[fk.I_UHEAD], self.si[fk.I_ULEN]
        uq[:length] = np.roll(self.uq, -head)[:length]
        self.uq = uq
        self.si[fk.I_UHEAD] = 0
        free = self.si[fk.I_FREE]
        self.free = np.concatenate((np.arange(2 * size - 1, size - 1, -1, dtype=np.int64), self.free[:free],
                                    np.zeros(size, dtype=np.int64)))
        self.si[fk.I_FREE] = free + size
        # each agency's queue is a ring of the token capacity: unroll it so its head is at 0
        q = np.zeros((self.q.shape[0], 2 * size), dtype=np.int64)
        for a in range(self.q.shape[0]):
            head, length = self.pi[a, 2], self.pi[a, 3]
            q[a, :length] = np.roll(self.q[a], -head)[:length]
            self.pi[a, 2] = 0
        self.q = q

    # -- outputs ------------------------------------------------------------------------------------------
    def _flush(self) -> None:
        si = self.si
        k = int(si[fk.I_OUT_CASES])
        if k:
            oc = self.oc[:k]
            for j, name in enumerate(("workdays", "calendar_days", "hours", "db_days", "procedures", "documents", "fee")):
                self.metrics[name].extend(oc[:, j])
            ids, counts = np.unique(oc[:, 7].astype(np.int64), return_counts=True)
            for pid, n in zip(ids.tolist(), counts.tolist()):
                self.path_counts[pid] = self.path_counts.get(pid, 0) + n
            self.cases += k
        s = int(si[fk.I_OUT_STEPS])
        if s:
            for i in np.flatnonzero(self.osn).tolist():
                self.step_days[i].extend(self.osd[i, :self.osn[i]])
            self.osn[:] = 0
            if self.traces is not None or self.rep.on_task is not None:
                self._records(s)
        si[fk.I_OUT_CASES] = 0
        si[fk.I_OUT_STEPS] = 0

    def _records(self, s: int) -> None:
        rep, model = self.rep, self.rep.model
        for (node, case), (_, enable, start, end) in zip(self.osi[:s].tolist(), self.osf[:s].tolist()):
            c = model.nodes[node]
            if self.traces is not None:
                self.traces.append((case, c.id, enable, start, end))
            if rep.on_task is not None:
                rep.on_task(TaskRecord(rep.replication, case, c.id, c.name, c.agency_id, enable, start, end,
                                       "task" if c.kind == "task" else "timer"))

    # -- the loop -----------------------------------------------------------------------------------------
    def run(self) -> None:
        p = self.plan
        while True:
            c = self.tables.cal
            self.si[fk.I_CAL_LIMIT] = self.tables.limit
            status = _kernel().run_events(p.ni, p.nf, p.succ, self.rep.model.start, c.wd, c.ob, c.per, c.nper, c.od, c.hpd,
                                          self.md, self.flags, self.ht, self.hi, self.uq, self.ti, self.tf, self.free, self.pi,
                                          self.q, self.ai, self.af, self.sv, self.st, self.ci, self.cf, self.cj, self.cp,
                                          self.cpath, self.cseen, self.dur, self.route, self.ptab, self.pcont, self.phash,
                                          self.oc, self.osi, self.osf, self.osd, self.osn, self.db_order, self.db_times, self.si, self.sf)
            if status == fk.ST_DONE:
                break
            if status == fk.ST_NEED_CASES:
                self._load()
            elif status == fk.ST_FLUSH:
                self._flush()
            elif status == fk.ST_GROW:
                self._grow()
            elif status == fk.ST_CALENDAR_SOON:
                self.tables.grow()
            elif status == fk.ST_CALENDAR:
                raise _NeedYear
            elif status == fk.ST_ROUTE:
                self._route_error()
            elif status == fk.ST_REVISIT:
                node = self.rep.model.nodes[int(self.si[fk.I_ERR_NODE])]
                raise _Revisit(f'case {int(self.si[fk.I_ERR_CASE])} reached step "{node.id}" a second time')
        self._flush()
        self._close()

    def _route_error(self) -> None:
        """The compiled executor's own error for the case the kernel stopped at."""
        rep = self.rep
        case_id, node = int(self.si[fk.I_ERR_CASE]), rep.model.nodes[int(self.si[fk.I_ERR_NODE])]
        row = rep.streams.case_rows(case_id, 1)[0].tolist()
        rep.route(CaseState(case_id, 0.0, row, rep.attributes_of(row)), node)  # raises
        raise SimulationError(f'internal error: the fast executor found no route at gateway "{node.id}" for case {case_id}')

    def _close(self) -> None:
        """Hand the results to the Replication, as its own methods would have left them."""
        rep, r, si, sf = self.rep, self.rep.result, self.si, self.sf
        r.cases, r.warmup_cases = self.cases, int(si[fk.I_WARMUP])
        for name, sample in self.metrics.items():
            setattr(r, name, sample)
        contents = self.pcont
        other = 0
        for pid in sorted(self.path_counts):
            if pid < 0:
                other = self.path_counts[pid]
                continue
            r.paths[tuple(contents[pid, 1:1 + contents[pid, 0]].tolist())] = self.path_counts[pid]
        if other:
            r.paths[(-1,)] = other
        for i, stats in enumerate(rep.task_stats):
            if stats is not None:
                stats.step_workdays = self.step_days[i]
        rep._step_totals = [[int(self.sv[i]), *self.st[i].tolist()] for i in range(len(self.sv))]
        for j, agency in enumerate(rep.agencies):
            s = agency.stats
            s.requests, s.max_queue = int(self.ai[j, 0]), int(self.ai[j, 1])
            s.waiting_total_h, s.busy_hours = float(self.af[j, 0]), float(self.af[j, 1])
        rep.first_arrival, rep.last_end = float(sf[fk.F_FIRST]), float(sf[fk.F_LAST_END])
        rep.arrivals_made = self.made
        if self.traces is not None:
            r.traces = self.traces
        for c, clock in enumerate((rep.clock, *(a.clock for a in rep.agencies))):
            if self.md[c] >= 0:
                clock.is_workday(int(self.md[c]))  # the clock records (and warns about) the years the run reached
        loaded = int(si[fk.I_LOADED] - si[fk.I_BASE])
        for k in np.flatnonzero(self.ci[:loaded, fk.C_DONE] == 0).tolist():
            case_id = int(si[fk.I_BASE]) + k
            case = CaseState(case_id, float(self.cf[k, fk.C_ARRIVAL]), [], {})
            for c in rep.model.nodes:
                j = self.plan.ni[c.index, fk.N_JOIN]
                if j >= 0 and self.cj[k, j]:
                    case.joins[c.index] = int(self.cj[k, j])
            rep.in_flight[case_id] = case
