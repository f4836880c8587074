"""Sweeps: run a scenario over a grid of settings and find, for each condition, the cheapest point that reaches a target.

``--vary agencies.market_regulation.staff=1..6`` sets one YAML path to each value in turn; several
make a grid. An axis is either a **lever** (something the planner decides and pays for: staff, with
a cost per unit) or a **condition** (something the planner faces: demand, growth, the case mix).
``--lever PATH=VALUES@COST`` and ``--condition PATH=VALUES`` declare them; ``--vary`` takes a
``*.staff`` path as a lever at one cost unit per staff member and anything else as a condition
(:func:`axis`). "Cheapest" is computed over the levers only, once per combination of condition
values: a higher demand is a harder world, never a cheaper point.

Each point is judged by the share of cases meeting the target, with its 95% interval across
replications (the *attainment*), and by the verdict rule of :mod:`sim.analysis.assess`: reachable
when the lower bound clears the required share. The target is a register row (``--target T03``,
judged on its metric, threshold and reading as ``reformsim assess`` judges it) or a plain
``metric <= max`` (``--target-metric workdays --target-max 1``).

Example:
    >>> parse_vary("agencies.registrar.staff=1..3")
    ('agencies.registrar.staff', [1, 2, 3])
    >>> parse_vary("arrivals.rate_per_workday=10,20.5")
    ('arrivals.rate_per_workday', [10, 20.5])
    >>> axis("agencies.registrar.staff", [1, 2]).kind, axis("arrivals.growth", [1, 2]).kind
    ('lever', 'condition')
    >>> a = parse_axis("agencies.registrar.staff=2..3@1.5", LEVER); (a.values, a.kind, a.cost)
    ([2, 3], 'lever', 1.5)
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine.runner import CASE_METRICS
from ..errors import ReformSimError, ScenarioError
from ..i18n import SWEEP, Text, say
from ..model.bounds import env_budget
from ..targets import Threshold
from .distributed import Progress, RunSpec, run_specs

__all__ = ["parse_vary", "parse_axis", "axis", "set_path", "sweep", "Axis", "SweepResult", "SweepTarget", "target_from_register",
           "SWEEP_SOURCE", "LEVER", "CONDITION", "STAFF_COST"]

SWEEP_SOURCE = "sweep: value varied by reformsim sweep"
LEVER, CONDITION = "lever", "condition"
# assumption: with no cost given, every staff member costs the same, one unit; give --lever PATH=VALUES@COST for real costs.
STAFF_COST = 1.0
STAFF_COST_SOURCE = Text("assumption: every staff member costs one unit (no cost given)", "假设：每名人员的成本为一个单位（未给出成本）")
MAX_RUNS = 100_000  # assumption: replications in one sweep; ~1 h on the 2-core machine at 40 cases each (README: 5,000 in 32 s)
MAX_RUNS_ENV = "REFORMSIM_MAX_RUNS"  # raises (or lowers) it, as REFORMSIM_MAX_CASES does for cases


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


@dataclass(frozen=True)
class Axis:
    """One swept setting: its YAML path, values, and whether it is a lever (with a cost per unit) or a condition."""

    path: str
    values: list[Any]
    kind: str = CONDITION
    cost: float | None = None  # levers: cost of one unit of the value (a staff member, an hour of opening)
    cost_source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (LEVER, CONDITION):
            raise ReformSimError(f'axis {self.path}: kind must be "{LEVER}" or "{CONDITION}", got {self.kind!r}')
        if self.kind == LEVER and (self.cost is None or not math.isfinite(self.cost) or self.cost < 0):
            raise ReformSimError(f"--lever {self.path}: expected a cost per unit ≥ 0 (PATH=VALUES@COST), got {self.cost!r}")
        if self.kind == CONDITION and self.cost is not None:
            raise ReformSimError(f"--condition {self.path}: a condition has no cost; declare it with --lever PATH=VALUES@COST")


def axis(path: str, values: list[Any]) -> Axis:
    """The kind of a ``--vary`` axis: ``*.staff`` is a lever at :data:`STAFF_COST` per staff member, anything else a condition."""
    if path.endswith(".staff"):
        return Axis(path, values, LEVER, STAFF_COST, STAFF_COST_SOURCE)
    return Axis(path, values, CONDITION)


def parse_axis(text: str, kind: str) -> Axis:
    """``--lever PATH=VALUES[@COST]`` (cost per unit; staff default to :data:`STAFF_COST`) or ``--condition PATH=VALUES``."""
    spec, at, cost_text = text.partition("@")
    path, values = parse_vary(spec)
    if kind == CONDITION:
        if at:
            raise ReformSimError(f'--condition "{text}": a condition has no cost (@); a setting that costs is a --lever')
        return Axis(path, values, CONDITION)
    if not at:
        if not path.endswith(".staff"):
            raise ReformSimError(f'--lever "{text}": give the cost of one unit, PATH=VALUES@COST (e.g. {path}={spec.partition("=")[2]}@1)')
        return Axis(path, values, LEVER, STAFF_COST, STAFF_COST_SOURCE)
    try:
        cost = float(cost_text)
    except ValueError:
        cost = math.nan
    if not math.isfinite(cost) or cost < 0:
        raise ReformSimError(f'--lever "{text}": expected a cost per unit ≥ 0 after @, got "{cost_text}"')
    return Axis(path, values, LEVER, cost, Text("--lever: the planner's cost per unit", "--lever：规划人员给出的单位成本"))


@dataclass(frozen=True)
class SweepTarget:
    """What each point is judged on: a metric, a threshold, the required share; a register row when ``id`` is set."""

    metric: str
    threshold: Threshold
    required: float
    id: str = ""
    check: str = ""
    text: str = ""  # the threshold as the register writes it (≤ 1, 45–50, ...)

    def label(self) -> str:
        what = f"{self.id} {self.check}".strip()
        return f"{what}: {self.metric} {self.text}" if what else f"{self.metric} {self.text}"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "check": self.check, "metric": self.metric, "threshold": self.text, "low": self.threshold.low,
                "high": self.threshold.high, "max": self.threshold.high, "required": self.required, "label": self.label()}


def target_from_register(register: Any, target_id: str, check_name: str | None, process_file: str | None,
                         required: float | None = None) -> SweepTarget:
    """The register row ``target_id`` (its check ``check_name`` when it has several) as a sweep target.

    Refused with a message when the row is not there (did you mean), is not simulated, is a design
    check or a comparison with a baseline file, or is tested on another chain than ``process_file``'s.
    """
    from ..analysis.assess import DEFAULT_REQUIRED, DESIGN_METRICS, FILINGS, judged_metric, judged_threshold, threshold_text
    from ..errors import did_you_mean
    from .compare import same_chain

    where = f"--target {target_id}"
    if target_id not in register.ids():
        raise ReformSimError(f"{where}: no such row in {register.file}{did_you_mean(target_id, register.ids())}")
    target = register[target_id]
    checks = [c for c in target.checks if c.test is not None]
    if not checks:
        raise ReformSimError(f"{where}: the register does not simulate it ({target.checks[0].not_simulated or 'not simulated'})")
    if check_name is not None:
        named = [c for c in checks if c.name == check_name]
        if not named:
            raise ReformSimError(f'{where} --check "{check_name}": no such check{did_you_mean(check_name, [c.name for c in checks])}; '
                                 f"its checks: {', '.join(c.name for c in checks)}")
        checks = named
    elif len(checks) > 1:
        raise ReformSimError(f"{where}: the row has {len(checks)} checks; name one with --check: " + ", ".join(c.name for c in checks))
    check = checks[0]
    assert check.test is not None and check.threshold is not None
    metric = judged_metric(check)
    if metric in DESIGN_METRICS or metric == FILINGS or check.threshold.kind == "below_baseline":
        what = ("a design check" if metric in DESIGN_METRICS else "a count of tax filings" if metric == FILINGS
                else "a comparison with a baseline file")
        raise ReformSimError(f"{where}: {what}, judged by reformsim assess; a sweep judges performance targets (times)")
    files = [str(Path(register.root or ".") / p) for p in check.test.processes]
    if process_file is not None and not any(same_chain(process_file, f) for f in files):
        raise ReformSimError(f"{where}: tested on {', '.join(check.test.processes)}, another chain than the scenario's "
                             f"process {process_file}")
    return SweepTarget(metric, judged_threshold(check), check.required or required or DEFAULT_REQUIRED, target.id,
                       check.name if check.name != target.id else "", threshold_text(check.threshold))


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
    cheapest: int | None = None  # index into rows: the cheapest reachable point when no axis is a condition
    axes: list[Axis] = field(default_factory=list)
    # one entry per combination of condition values: {"condition": {path: value}, "cheapest": index or None}
    cheapest_by_condition: list[dict[str, Any]] = field(default_factory=list)

    def levers(self) -> list[str]:
        return [a.path for a in self.axes if a.kind == LEVER]

    def conditions(self) -> list[str]:
        return [a.path for a in self.axes if a.kind == CONDITION]

    def marked(self) -> list[int]:
        """Rows to mark as the cheapest reachable point (one per condition value that has one)."""
        return [c["cheapest"] for c in self.cheapest_by_condition if c["cheapest"] is not None]

    def csv(self) -> str:
        buf = io.StringIO()
        cols = list(self.rows[0]) if self.rows else self.names
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in self.rows:
            w.writerow({k: ("" if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()})
        return buf.getvalue()


def _axes(varies: Sequence[tuple[str, list[Any]] | Axis]) -> list[Axis]:
    return [v if isinstance(v, Axis) else axis(v[0], list(v[1])) for v in varies]


def cheapest_per_condition(rows: Sequence[Mapping[str, Any]], axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """For each combination of condition values (grid order), the reachable row of least lever cost (ties: grid order).

    >>> ax = [Axis("s", [1, 2], LEVER, 1.0), Axis("g", [1, 2])]
    >>> rows = [{"s": 1, "g": 1, "cost": 1, "reachable": True}, {"s": 1, "g": 2, "cost": 1, "reachable": False},
    ...         {"s": 2, "g": 1, "cost": 2, "reachable": True}, {"s": 2, "g": 2, "cost": 2, "reachable": True}]
    >>> [(c["condition"], c["cheapest"]) for c in cheapest_per_condition(rows, ax)]
    [({'g': 1}, 0), ({'g': 2}, 3)]
    """
    conditions = [a.path for a in axes if a.kind == CONDITION]
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(tuple(r[c] for c in conditions), []).append(i)
    out = []
    for key, members in groups.items():
        ok = [i for i in members if rows[i]["reachable"]]
        out.append({"condition": dict(zip(conditions, key)),
                    "cheapest": min(ok, key=lambda i: (rows[i]["cost"], i)) if ok else None})
    return out


def sweep(settings: Mapping[str, Any], varies: Sequence[tuple[str, list[Any]] | Axis], *, file: str | None = None,
          cases: int | None = None, replications: int | None = None, seed: int | None = None,
          target_metric: str | None = None, target_max: float | None = None, required: float = 0.95,
          target: SweepTarget | None = None, workers: int = 1, scheduler: str | None = None,
          progress: Progress | None = None, max_runs: int | None = None) -> tuple[SweepResult, list[tuple[RunSpec, Any]]]:
    """Run every grid point (all with the same seed: common random numbers); the table and each point's (spec, result).

    ``varies``: :class:`Axis` objects, or ``(path, values)`` pairs whose kind :func:`axis` infers. The
    target is ``target`` (e.g. :func:`target_from_register`) or ``target_metric <= target_max`` with
    ``required``. A grid of more than ``max_runs`` replications in all is refused before anything runs.
    """
    if target is not None and target_metric is not None:
        raise ReformSimError("--target (a register row) and --target-metric/--target-max are alternatives; give one")
    if target_metric is not None and target_metric not in CASE_METRICS:
        raise ReformSimError(f'--target-metric "{target_metric}": expected one of {", ".join(CASE_METRICS)}')
    if (target_metric is None) != (target_max is None):
        raise ReformSimError("--target-metric and --target-max go together")
    if not 0 < required <= 1:
        raise ReformSimError(f"--required {required}: expected a share between 0 and 1")
    from ..analysis.assess import REACHABLE, share_meeting, verdict
    from ..model.bounds import check_argument, check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed, workers=workers)
    if target_max is not None:
        check_argument("target_max", target_max, low=-1e300)
        target = SweepTarget(target_metric or "", Threshold("max", None, float(target_max)), required, text=f"≤ {target_max:g}")
    axes = _axes(varies)
    names = [a.path for a in axes]
    if len(set(names)) != len(names):
        raise ReformSimError("the same setting is varied twice: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    points = math.prod(len(a.values) for a in axes)
    if max_runs is None:
        max_runs = env_budget(MAX_RUNS_ENV, MAX_RUNS, "runs")
    runs = points * (replications or 1)
    if runs > max_runs:
        raise ReformSimError(f"the sweep has {points:,} points × {replications or 1} replications = {runs:,} "
                             f"runs, above the budget of {max_runs:,}; vary fewer values, or raise the budget with the "
                             f"environment variable {MAX_RUNS_ENV} (e.g. {MAX_RUNS_ENV}={runs} reformsim sweep ...)")
    grid = list(itertools.product(*(a.values for a in axes)))
    specs = []
    for point in grid:
        data = dict(settings)
        for path, value in zip(names, point):
            data = set_path(data, path, value)
        specs.append(RunSpec.from_mapping(data, file, cases=cases, replications=replications, seed=seed))
    results = run_specs(specs, workers=workers, scheduler=scheduler, progress=progress)
    out = SweepResult(names, target=target.as_dict() if target else None, axes=axes)
    for point, result in zip(grid, results):
        row: dict[str, Any] = dict(zip(names, point))
        row["cost"] = sum(float(v) * float(a.cost or 0) for a, v in zip(axes, point) if a.kind == LEVER)
        for m in ("workdays", "calendar_days", "db_days", "procedures"):
            row[f"{m}_mean"] = result.kpi(m).mean
        row["max_utilisation"] = max((a["utilisation"] for a in result.agency_table() if not math.isnan(a["utilisation"])), default=math.nan)
        if target is not None:
            share, lo, hi = share_meeting(result, target.metric, target.threshold)
            code = verdict(share, lo, hi, target.required)
            row.update(attainment=share, attainment_lo=lo, attainment_hi=hi, verdict=code, reachable=code == REACHABLE)
        out.rows.append(row)
    if target is not None and any(a.kind == LEVER for a in axes):
        out.cheapest_by_condition = cheapest_per_condition(out.rows, axes)
        if not out.conditions():
            out.cheapest = out.cheapest_by_condition[0]["cheapest"]
    return out, list(zip(specs, results))


_TEXT = SWEEP  # the one table of labels: sim.i18n


def sweep_text(lang: str) -> dict[str, str]:
    """The sweep's own headings in ``lang`` (zh or en); verdict words come from :func:`sim.analysis.assess.verdict_words`."""
    if lang not in _TEXT:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    return _TEXT[lang]


def describe_point(result: SweepResult, index: int | None, names: Sequence[str], lang: str = "zh") -> str:
    """``staff = 3 (cost 3), 96.0% [95.1%, 97.0%]`` (the share meeting the target and its interval), or the words for no point."""
    t = sweep_text(lang)
    if index is None:
        return t["none"]
    r = result.rows[index]
    where = ", ".join(f"{n} = {r[n]}" for n in names)
    return f"{where} ({t['total']} {r['cost']:g}), {r['attainment']:.1%} [{r['attainment_lo']:.1%}, {r['attainment_hi']:.1%}]"


def sweep_sheets(result: SweepResult, lang: str = "zh") -> dict[str, list[dict[str, Any]]]:
    """The sweep as workbook tables: every point (verdicts in words), the cheapest point per condition, the axes."""
    from ..analysis.assess import verdict_words

    t = sweep_text(lang)
    cols = t["columns"]  # an axis keeps its YAML path as its name
    points = [{cols.get(k, k): (verdict_words(v, lang) if k == "verdict" else v) for k, v in r.items()} for r in result.rows]
    cheapest = [{t["condition_col"]: ", ".join(f"{k} = {v}" for k, v in c["condition"].items()) or "—",
                 t["cheapest"]: describe_point(result, c["cheapest"], result.levers(), lang)} for c in result.cheapest_by_condition]
    axes = [{t["axis"]: a.path, t["kind"]: t[a.kind], t["values"]: ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v)
                                                                          for v in a.values),
             t["cost"]: a.cost, t["source"]: say(a.cost_source, lang)} for a in result.axes]
    return {t["sheet_points"]: points, t["sheet_cheapest"]: cheapest, t["sheet_axes"]: axes}
