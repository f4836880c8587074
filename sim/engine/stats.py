"""Streaming aggregates: memory stays flat however many cases run.

:class:`Sample` keeps count, mean, variance, min and max exactly, and up to ``cap`` values for
quantiles and shares; past the cap it keeps a uniform reservoir (deterministic, seeded), so
quantiles stay estimates with a known sample size while memory stays bounded.

Example:
    >>> s = Sample(cap=1000)
    >>> for x in range(1, 101): s.add(float(x))
    >>> s.count, s.mean, s.quantile(0.5), s.share_at_most(50)
    (100, 50.5, 50.5, 0.5)
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, field

import numpy as np

__all__ = ["AgencyStats", "Mean", "ReplicationResult", "Sample", "TaskStats", "mean_ci95"]

DEFAULT_CAP = 100_000


def mean_ci95(values: np.ndarray | list[float], bounds: tuple[float, float] | None = None) -> tuple[float, float, float]:
    """Mean of per-replication values and its 95% t interval (cut to ``bounds``, e.g. (0, 1) for a
    share); the interval is NaN below two values.

    >>> m, lo, hi = mean_ci95([1.0, 2.0, 3.0]); (m, round(lo, 3), round(hi, 3))
    (2.0, -0.484, 4.484)
    """
    from scipy import stats

    v = np.asarray(values, dtype=float)
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    lo, hi = mean - half, mean + half
    if bounds is not None:
        lo, hi = max(bounds[0], lo), min(bounds[1], hi)
    return mean, lo, hi


class Sample:
    """Exact count, mean, spread, min and max, plus a bounded set of values.

    Below ``cap`` it only appends (the hot path: one call per case and step); moments are
    computed from the values when asked. Past the cap it folds the values into running moments
    and keeps a reservoir.
    """

    __slots__ = ("_folded", "_max", "_min", "_rng", "_sum", "_sumsq", "_values", "cap", "count")

    def __init__(self, cap: int = DEFAULT_CAP) -> None:
        self.count = 0
        self.cap = cap
        self._values = array("d")  # 8 bytes a value, not a Python float object each: memory stays flat
        self._folded = False
        self._sum = self._sumsq = 0.0
        self._min, self._max = math.inf, -math.inf
        self._rng: random.Random | None = None

    def add(self, x: float) -> None:
        if self.count < self.cap:
            self.count += 1
            self._values.append(x)
        else:
            self._add_overflow(x)

    def extend(self, values: np.ndarray) -> None:
        """``add`` each of ``values`` in order, with the same result (below the cap in one copy).

        >>> s = Sample(cap=3); s.extend(np.array([1.0, 2.0, 3.0, 4.0])); s.count, s.mean
        (4, 2.5)
        """
        values = np.asarray(values, dtype=float)
        room = 0 if self._folded else max(self.cap - self.count, 0)
        head = values[:room]
        if len(head):
            self._values.frombytes(head.tobytes())
            self.count += len(head)
        tail = values[room:]
        if len(tail) < 256:
            for x in tail.tolist():  # past the cap: the reservoir draws one number per value, in order
                self._add_overflow(x)
            return
        # many past the cap (the fast executor's flushes): the same sums, extremes and draws, in bulk
        from .fast_reservoir import randrange_many

        if not self._folded:
            self._fold()
        assert self._rng is not None
        self._sum = float(np.cumsum(np.concatenate(([self._sum], tail)))[-1])  # sequential, as += is
        self._sumsq = float(np.cumsum(np.concatenate(([self._sumsq], tail * tail)))[-1])
        self._min = min(self._min, float(tail.min()))
        self._max = max(self._max, float(tail.max()))
        j = randrange_many(self._rng, self.count + 1, len(tail))
        self.count += len(tail)
        keep = np.flatnonzero(j < self.cap)[::-1]  # the last value drawn to a slot is the one it holds
        slots, last = np.unique(j[keep], return_index=True)
        # in place, through a view of the array's own buffer: two copies of the whole reservoir per flush
        # were a tenth of a million-case fast run
        np.frombuffer(self._values, dtype=float)[slots] = tail[keep[last]]

    def _fold(self) -> None:
        values = np.frombuffer(self._values, dtype=float) if self._values else np.zeros(0)
        # sequential sums from 0.0, as sum() adds floats (np.sum would add pairwise: other last bits); in numpy
        # because a million-case run folds a dozen samples of 100,000 values
        self._sum = float(np.cumsum(np.concatenate(([0.0], values)))[-1])
        self._sumsq = float(np.cumsum(np.concatenate(([0.0], values * values)))[-1])
        if np.isnan(values).any():  # min()/max() keep NaN where it stands; numpy would spread it
            self._min = min(self._values, default=math.inf)
            self._max = max(self._values, default=-math.inf)
        else:
            self._min = float(values.min()) if len(values) else math.inf
            self._max = float(values.max()) if len(values) else -math.inf
        self._rng = random.Random(12345)  # reservoir choice only; fixed so results repeat
        self._folded = True

    def _add_overflow(self, x: float) -> None:
        if not self._folded:
            self._fold()
        self.count += 1
        self._sum += x
        self._sumsq += x * x
        self._min = min(self._min, x)
        self._max = max(self._max, x)
        assert self._rng is not None
        j = self._rng.randrange(self.count)
        if j < self.cap:
            self._values[j] = x

    @property
    def total(self) -> float:
        return self._sum if self._folded else sum(self._values)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    @property
    def std(self) -> float:
        if self.count < 2:
            return 0.0
        sumsq = self._sumsq if self._folded else sum(v * v for v in self._values)
        total = self.total
        var = (sumsq - total * total / self.count) / (self.count - 1)
        return math.sqrt(max(var, 0.0))

    @property
    def min(self) -> float:
        return self._min if self._folded else min(self._values, default=math.inf)

    @property
    def max(self) -> float:
        return self._max if self._folded else max(self._values, default=-math.inf)

    def values(self) -> np.ndarray:
        return np.array(self._values, dtype=float)

    def quantile(self, q: float) -> float:
        return float(np.quantile(self.values(), q)) if self._values else math.nan

    def share_at_most(self, threshold: float) -> float:
        if not self._values:
            return math.nan
        return float(np.mean(self.values() <= threshold + 1e-9))

    def merge(self, other: Sample) -> None:
        """Add ``other``'s values. Past the cap the kept values are a sample of both sides in
        proportion to their counts (each side's kept values stand for all of its values), so
        shares and quantiles stay unbiased whichever side filled up first.

        >>> a, b = Sample(cap=4), Sample(cap=4)
        >>> for _ in range(4): a.add(1.0); b.add(0.0)
        >>> a.merge(b); a.count, a.share_at_most(0.5)
        (8, 0.5)
        """
        if not self._folded and not other._folded and self.count + other.count <= self.cap:
            self._values.extend(other._values)
            self.count += other.count
            return
        if other.count == 0:
            return
        if not self._folded:
            self._fold()
        self._sum += other.total
        self._sumsq += other._sumsq if other._folded else sum(v * v for v in other._values)
        self._min = min(self._min, other.min)
        self._max = max(self._max, other.max)
        total = self.count + other.count
        mine, theirs = self._values, other._values
        keep = min(self.cap, len(mine) + len(theirs))
        # the slots go to each side by its share of the counts, not of the kept values
        from_mine = min(len(mine), round(keep * self.count / total))
        from_theirs = min(len(theirs), keep - from_mine)
        from_mine = min(len(mine), keep - from_theirs)
        assert self._rng is not None
        picked = array("d", (mine[i] for i in sorted(self._rng.sample(range(len(mine)), from_mine))))
        picked.extend(theirs[j] for j in sorted(self._rng.sample(range(len(theirs)), from_theirs)))
        self._values = picked
        self.count = total


class Mean:
    """Count and mean only, for quantities no quantile is asked of (cheaper than :class:`Sample`).

    >>> m = Mean(); m.add(1.0); m.add(3.0); (m.count, m.mean)
    (2, 2.0)
    """

    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0

    def add(self, x: float) -> None:
        self.count += 1
        self.total += x

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    def merge(self, other: Mean) -> None:
        self.count += other.count
        self.total += other.total


@dataclass
class TaskStats:
    """Per step: how long cases queued for staff, waited for the office, worked, and the whole step took.

    A step's instants: *enable* (the token arrives) → *granted* (a staff member is free for it) →
    *start* (the agency's office is open: ``next_open(granted)``) → *worked* (the staff effort is
    done, counting only open hours) → *end* (after the fixed ``wait``). Elapsed hours:
    ``waiting_h`` = start − enable, ``queue_h`` = granted − enable, ``working_h`` = worked − start
    (nights inside the work included), ``effort_h`` = the staff effort itself, ``step_hours`` =
    end − enable, ``queue_h`` = the agency's *open* hours from enable to granted (a night in line
    is the office being closed, not queueing: ample staff would not save it). On the statutory clock, in working days: ``queue_wd``, ``closed_wd`` (granted →
    start) and ``work_wd`` (start → worked); the fixed wait is ``step_workdays`` minus the three.
    See :func:`sim.analysis.bottlenecks.step_parts` for the four parts built from these.
    """

    node_id: str
    name: str
    agency: str | None
    waiting_h: Mean = field(default_factory=Mean)  # enable -> start, elapsed
    working_h: Mean = field(default_factory=Mean)  # start -> worked, elapsed
    step_workdays: Sample = field(default_factory=Sample)  # enable -> end on the statutory clock
    step_hours: Mean = field(default_factory=Mean)  # enable -> end, elapsed
    queue_h: Mean = field(default_factory=Mean)  # enable -> staff turn granted, the agency's open hours only
    effort_h: Mean = field(default_factory=Mean)  # staff effort (open hours of work)
    queue_wd: Mean = field(default_factory=Mean)  # enable -> granted, working days of the statutory clock
    closed_wd: Mean = field(default_factory=Mean)  # granted -> start (office closed), statutory working days
    work_wd: Mean = field(default_factory=Mean)  # start -> worked, statutory working days


@dataclass
class AgencyStats:
    """Per agency: staff, busy hours and queue."""

    agency: str
    staff: int
    open_hours: float = 0.0  # staff-independent open time over the run
    busy_hours: float = 0.0
    waiting_total_h: float = 0.0  # open hours queued for staff (enable -> turn granted); a closed office is not a queue
    max_queue: int = 0
    requests: int = 0

    @property
    def utilisation(self) -> float:
        capacity = self.staff * self.open_hours
        return self.busy_hours / capacity if capacity > 0 else math.nan

    def mean_queue(self) -> float:
        """Time-average number of cases queued for staff while the office is open (Little's law: open
        hours queued / open hours of the run); waiting for the office to open is not a queue.

        >>> a = AgencyStats("desk", 1, open_hours=8.0, waiting_total_h=4.0); a.mean_queue()
        0.5
        """
        return self.waiting_total_h / self.open_hours if self.open_hours > 0 else math.nan


@dataclass
class ReplicationResult:
    """What one replication produced; merged into a :class:`~sim.engine.runner.SimulationResult`."""

    replication: int
    cases: int = 0  # finished cases counted in the KPIs
    warmup_cases: int = 0  # finished in the warm-up, left out of the KPIs
    span_h: float = 0.0
    calendar: dict[int, str] = field(default_factory=dict)  # year -> basis of its working days (official, supplied, projected)
    workdays: Sample = field(default_factory=Sample)
    calendar_days: Sample = field(default_factory=Sample)
    db_days: Sample = field(default_factory=Sample)
    hours: Sample = field(default_factory=Sample)
    procedures: Sample = field(default_factory=Sample)
    documents: Sample = field(default_factory=Sample)
    fee: Sample = field(default_factory=Sample)
    tasks: dict[str, TaskStats] = field(default_factory=dict)
    agencies: dict[str, AgencyStats] = field(default_factory=dict)
    paths: dict[tuple[int, ...], int] = field(default_factory=dict)  # node indices; see SimulationResult.path_frequencies
    traces: list[tuple] | None = None  # (case, node, enable, start, end) when asked for (tests)

    def metric(self, name: str) -> Sample:
        return getattr(self, name)
