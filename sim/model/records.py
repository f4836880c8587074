"""The immutable record of one executed step.

The engine emits one :class:`TaskRecord` per executed step, only when an event log is asked
for; case KPIs go straight into streaming aggregates (:mod:`sim.engine.stats`) so memory stays
flat. Times are SimPy hours since the scenario's start date, 00:00; the
:class:`~sim.model.calendar.WorkClock` converts them to datetimes.

Example:
    >>> r = TaskRecord(replication=0, case_id=3, node_id="t_seal", activity="刻制印章", agency="public_security",
    ...                enable=9.0, start=9.5, end=10.0)
    >>> r.waiting, r.duration
    (0.5, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TaskRecord"]


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One step of one case: enabled (reached), started (got a staff member), ended."""

    replication: int
    case_id: int
    node_id: str
    activity: str
    agency: str | None
    enable: float
    start: float
    end: float
    kind: str = "task"  # "task" or "timer"

    @property
    def waiting(self) -> float:
        return self.start - self.enable

    @property
    def duration(self) -> float:
        return self.end - self.start
