"""What holds a chain back: agency utilisation, waiting vs working per step, critical-path shares.

A step's *critical-path share* is its mean simulated time on the longest path divided by the mean
case time. The longest path is the static critical path (``sim.analysis.paths``) of the path
whose steps take longest on average in the simulation. Times are in working days (the statutory
clock) except for chains judged in hours.

Example:
    >>> import sim
    >>> from pathlib import Path
    >>> r = sim.simulate(Path(sim.__file__).parents[1] / "processes/company_setup_2021.bpmn", cases=50, replications=2)
    >>> b = chain_bottlenecks(r)
    >>> 0 <= max(s.critical_share for s in b.steps) <= 1.5
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import ModelError

__all__ = ["StepLoad", "AgencyLoad", "Bottlenecks", "chain_bottlenecks"]


@dataclass
class StepLoad:
    step: str
    name: str
    agency: str | None
    waiting_h: float
    working_h: float
    mean_time: float  # mean step time (enable -> end), in ``unit``
    on_critical_path: bool
    critical_share: float  # mean step time / mean case time, 0 when not on the critical path


@dataclass
class AgencyLoad:
    agency: str
    staff: int
    utilisation: float
    mean_queue: float
    max_queue: int


@dataclass
class Bottlenecks:
    process: str
    unit: str  # "workdays" or "hours"
    case_mean: float
    steps: list[StepLoad] = field(default_factory=list)
    agencies: list[AgencyLoad] = field(default_factory=list)
    critical_path: tuple[str, ...] = ()

    def top_steps(self, n: int = 5) -> list[StepLoad]:
        """The steps taking most time, critical-path ones first."""
        return sorted(self.steps, key=lambda s: (not s.on_critical_path, -s.mean_time))[:n]


def _step_means(result: Any, unit: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for nid in result.replications[0].tasks:
        vals = [getattr(r.tasks[nid], "step_hours" if unit == "hours" else "step_workdays") for r in result.replications]
        total = sum(v.total for v in vals)
        n = sum(v.count for v in vals)
        out[nid] = total / n if n else 0.0
    return out


def chain_bottlenecks(result: Any, unit: str = "workdays") -> Bottlenecks:
    """Bottleneck tables of one simulated chain (``unit``: ``workdays`` or ``hours``)."""
    from .paths import path_counts

    means = _step_means(result, unit)
    case_mean = result.kpi("hours" if unit == "hours" else "workdays").mean
    critical: tuple[str, ...] = ()
    try:
        paths = path_counts(result.process)
        critical = max((p.critical_path for p in paths), key=lambda cp: sum(means.get(n, 0.0) for n in cp), default=())
    except ModelError:
        critical = ()  # too many paths or a stuck path: no static critical path, shares stay 0
    on = set(critical)
    steps = []
    for row in result.task_table():
        nid = row["step"]
        t = means.get(nid, 0.0)
        share = t / case_mean if nid in on and case_mean and not math.isnan(case_mean) and case_mean > 0 else 0.0
        steps.append(StepLoad(nid, row["name"] or nid, row["agency"], row["waiting_h"], row["working_h"], t, nid in on, share))
    agencies = [AgencyLoad(a["agency"], a["staff"], a["utilisation"], a["mean_queue"], a["max_queue"])
                for a in result.agency_table()]
    agencies.sort(key=lambda a: -(a.utilisation if not np.isnan(a.utilisation) else -1))
    return Bottlenecks(result.process.id, unit, case_mean, steps, agencies, tuple(critical))
