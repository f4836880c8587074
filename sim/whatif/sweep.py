"""Sweeps: run a scenario over a grid of settings and find the cheapest point that reaches a target.

``--vary agencies.market_regulation.staff=1..6`` sets one YAML path to each value in turn; several
``--vary`` make a grid. For each point the share of cases meeting ``metric <= target_max``
(with its 95% interval across replications) is the *attainment*; the target is reachable at a
point when the mean attainment is at least ``required``. The cheapest reachable point is the
one with the fewest staff in total over the varied ``*.staff`` settings (ties: first in grid order).

Example:
    >>> parse_vary("agencies.registrar.staff=1..3")
    ('agencies.registrar.staff', [1, 2, 3])
    >>> parse_vary("arrivals.rate_per_workday=10,20.5")
    ('arrivals.rate_per_workday', [10, 20.5])
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine.runner import CASE_METRICS
from ..errors import ReformSimError, ScenarioError
from .distributed import Progress, RunSpec, run_specs

__all__ = ["parse_vary", "set_path", "sweep", "SweepResult", "SWEEP_SOURCE"]

SWEEP_SOURCE = "sweep: value varied by reformsim sweep"
MAX_RUNS = 100_000  # assumption: replications in one sweep; ~1 h on the 2-core machine at 40 cases each (README: 5,000 in 32 s)


def _num(text: str) -> int | float:
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``PATH=LOW..HIGH`` (whole numbers, inclusive) or ``PATH=V1,V2,...``."""
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep or not path or not values.strip():
        raise ReformSimError(f'--vary "{text}": expected PATH=LOW..HIGH or PATH=V1,V2 (e.g. agencies.registrar.staff=1..6)')
    try:
        if ".." in values:
            low, high = (_num(v) for v in values.split("..", 1))
            if not (isinstance(low, int) and isinstance(high, int)) or high < low:
                raise ValueError
            return path, list(range(low, high + 1))
        return path, [_num(v) for v in values.split(",")]
    except ValueError:
        raise ReformSimError(f'--vary "{text}": expected whole numbers LOW..HIGH with LOW <= HIGH, or numbers V1,V2,...') from None


def set_path(settings: Mapping[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``settings`` with ``path`` (dotted) set to ``value``; the enclosing block gets a sweep source if it has none."""
    out = copy.deepcopy(dict(settings))
    keys = path.split(".")
    node = out
    for i, key in enumerate(keys[:-1]):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            raise ScenarioError([(".".join(keys[: i + 1]), f"--vary {path}: this setting is not a mapping, cannot set {keys[-1]} in it")])
        node = child
    node[keys[-1]] = value
    if len(keys) > 1 and keys[0] in ("agencies", "arrivals", "steps", "attributes") and "source" not in node:
        node["source"] = SWEEP_SOURCE  # the varied number's provenance is the sweep itself
    return out


@dataclass
class SweepResult:
    names: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    target: dict[str, Any] | None = None
    cheapest: int | None = None  # index into rows

    def csv(self) -> str:
        buf = io.StringIO()
        cols = list(self.rows[0]) if self.rows else self.names
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in self.rows:
            w.writerow({k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()})
        return buf.getvalue()


def sweep(settings: Mapping[str, Any], varies: Sequence[tuple[str, list[Any]]], *, file: str | None = None,
          cases: int | None = None, replications: int | None = None, seed: int | None = None,
          target_metric: str | None = None, target_max: float | None = None, required: float = 0.95,
          workers: int = 1, scheduler: str | None = None, progress: Progress | None = None,
          max_runs: int = MAX_RUNS) -> tuple[SweepResult, list[tuple[RunSpec, Any]]]:
    """Run every grid point (all with the same seed: common random numbers); the table and each point's (spec, result).

    A grid of more than ``max_runs`` replications in all is refused before anything runs.
    """
    if target_metric is not None and target_metric not in CASE_METRICS:
        raise ReformSimError(f'--target-metric "{target_metric}": expected one of {", ".join(CASE_METRICS)}')
    if (target_metric is None) != (target_max is None):
        raise ReformSimError("--target-metric and --target-max go together")
    if not 0 < required <= 1:
        raise ReformSimError(f"--required {required}: expected a share between 0 and 1")
    from ..model.bounds import check_argument, check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed, workers=workers)
    if target_max is not None:
        check_argument("target_max", target_max, low=-1e300)
    names = [p for p, _ in varies]
    if len(set(names)) != len(names):
        raise ReformSimError("the same setting is varied twice: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    points = math.prod(len(v) for _, v in varies)
    if points * (replications or 1) > max_runs:
        raise ReformSimError(f"the sweep has {points:,} points × {replications or 1} replications = {points * (replications or 1):,} "
                             f"runs, above the budget of {max_runs:,}; vary fewer values, or raise the budget (max_runs)")
    grid = list(itertools.product(*(v for _, v in varies)))
    specs = []
    for point in grid:
        data = dict(settings)
        for path, value in zip(names, point):
            data = set_path(data, path, value)
        specs.append(RunSpec.from_mapping(data, file, cases=cases, replications=replications, seed=seed))
    results = run_specs(specs, workers=workers, scheduler=scheduler, progress=progress)
    out = SweepResult(names, target={"metric": target_metric, "max": target_max, "required": required} if target_metric else None)
    for point, result in zip(grid, results):
        row: dict[str, Any] = dict(zip(names, point))
        for m in ("workdays", "calendar_days", "db_days", "procedures"):
            row[f"{m}_mean"] = result.kpi(m).mean
        row["max_utilisation"] = max((a["utilisation"] for a in result.agency_table() if not math.isnan(a["utilisation"])), default=math.nan)
        if target_metric:
            share, lo, hi = result.share_meeting(target_metric, float(target_max))
            row.update(attainment=share, attainment_lo=lo, attainment_hi=hi, reachable=share >= required)
        out.rows.append(row)
    if target_metric:
        staff = [n for n in names if n.endswith(".staff")]
        ok = [i for i, r in enumerate(out.rows) if r["reachable"]]
        if ok:
            out.cheapest = min(ok, key=lambda i: (sum(out.rows[i][n] for n in staff), i))
    return out, list(zip(specs, results))
