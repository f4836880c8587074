"""Judge every simulated target of the register: reachable, at risk or not reachable.

A target is *reachable* when the lower 95% bound of the share of cases meeting it is at least
``required`` (default 0.95), *at risk* when the point estimate or the upper bound reaches it,
otherwise *not reachable*. Count targets (procedures, documents, stages) are judged on the exact
static counts of every path (``sim.analysis.paths``): reachable when every path meets them, at risk
when some do. Each process file is simulated once and reused for every target on it.

Clock rule: 工作日 targets are judged on the statutory clock (``workdays``); 天 is ambiguous
(TARGETS.md), so it is judged on the Doing-Business clock (``db_days``: calendar days, 1-day
minimum per procedure, 0.5 when online) and the working days are shown beside it. A 天 limit on one
step (``task_workdays``) can only be read per step, on working days.

Example:
    >>> verdict(0.97, 0.96, 0.98, 0.95), verdict(0.95, 0.93, 0.97, 0.95), verdict(0.5, 0.4, 0.6, 0.95)
    ('reachable', 'at_risk', 'not_reachable')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.stats import mean_ci95
from ..errors import ReformSimError, ScenarioError
from ..model.scenario import Scenario
from ..targets import Check, Register, Target, Threshold

__all__ = ["assess", "Assessment", "Row", "verdict", "share_interval", "judged_metric", "REACHABLE", "AT_RISK",
           "NOT_REACHABLE", "STATIC_METRICS", "DEFAULT_SEED", "DEFAULT_REPLICATIONS", "DEFAULT_CASES"]

REACHABLE, AT_RISK, NOT_REACHABLE = "reachable", "at_risk", "not_reachable"
STATIC_METRICS = ("procedures", "documents", "stages")
# assumption: 10 replications × 300 cases gives a share interval of about ±1–2 points and keeps the whole
# register under 2 minutes on 2 cores (measured; see the README).
DEFAULT_REPLICATIONS, DEFAULT_CASES, DEFAULT_SEED = 10, 300, 2021
CLOCK_RULE = {
    "en": "工作日 targets are judged on the statutory clock (working days). 天 is ambiguous (calendar or working "
          "day, see TARGETS.md): it is judged on the Doing-Business clock (calendar days, at least 1 day per "
          "procedure, 0.5 when fully online) and the working days are shown beside it. A 天 limit on a single "
          "step is read in working days.",
    "zh": "以“工作日”表述的目标按法定时限口径（工作日）判定；“天”有歧义（自然日或工作日，见 TARGETS.md），按营商环境"
          "评价口径（自然日，每个环节至少1天，全程网办0.5天）判定，并同时列出工作日。单个环节的“天”按工作日理解。",
}


def verdict(share: float, lo: float, hi: float, required: float = 0.95) -> str:
    """The verdict from the share of cases meeting a target and its 95% interval."""
    if math.isnan(share):
        return NOT_REACHABLE
    if not math.isnan(lo) and lo >= required:
        return REACHABLE
    if share >= required or (not math.isnan(hi) and hi >= required):
        return AT_RISK
    return NOT_REACHABLE


def share_interval(shares: list[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean of per-replication shares and its 95% t interval (clipped to [0, 1])."""
    return mean_ci95([x for x in shares if not math.isnan(x)], bounds=(0.0, 1.0))


def judged_metric(check: Check) -> str:
    """The simulation metric a check is judged on (``step:<task>`` for a per-step limit)."""
    test = check.test
    assert test is not None
    m = test.metric
    if m in STATIC_METRICS:
        return m
    if m == "task_workdays":
        return f"step:{test.task}"
    if m in ("case_workdays", "case_calendar_days"):
        return "db_days" if check.unit == "天" else "workdays"
    if m == "case_hours":
        return "hours"
    if m == "fee":
        return "fee"
    raise ScenarioError([(check.name, f'metric "{m}" cannot be judged; expected one of the register metrics')])


def values_by_replication(result: Any, metric: str) -> list[np.ndarray]:
    """Per replication, the sampled values of ``metric`` (``step:<id>`` for one step's workdays)."""
    if metric.startswith("step:"):
        nid = metric[5:]
        return [r.tasks[nid].step_workdays.values() if nid in r.tasks else np.array([]) for r in result.replications]
    return [r.metric(metric).values() for r in result.replications]


def _met(values: np.ndarray, th: Threshold) -> np.ndarray:
    ok = np.ones(len(values), dtype=bool)
    if th.low is not None:
        ok &= values >= th.low - 1e-9
    if th.high is not None:
        ok &= values <= th.high + 1e-9
    return ok


def share_meeting(result: Any, metric: str, th: Threshold) -> tuple[float, float, float]:
    """Share of cases meeting ``th`` on ``metric`` with its 95% interval across replications."""
    shares = [float(_met(v, th).mean()) if len(v) else math.nan for v in values_by_replication(result, metric)]
    return share_interval(shares)


def threshold_text(th: Threshold | None) -> str:
    if th is None:
        return ""
    if th.kind == "below_baseline":
        return "< baseline"
    if th.kind == "range":
        return f"{th.low:g}–{th.high:g}"
    if th.kind == "equals":
        return f"= {th.low:g}"
    return f"≤ {th.high:g}" if th.kind == "max" else f"≥ {th.low:g}"


@dataclass
class Row:
    """One judged check on one process file."""

    target: str
    check: str
    clause: str
    chain: str
    process: str
    unit: str
    metric: str  # the metric judged on (workdays, db_days, hours, fee, step:<id>, procedures, ...)
    threshold: str
    method: str  # simulated | static | baseline
    verdict: str
    share: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    p50: float = math.nan
    p80: float = math.nan
    p95: float = math.nan
    workdays_p50: float = math.nan  # shown beside a 天 target judged on the DB clock
    workdays_p95: float = math.nan
    static: float | None = None  # the worst-path count for count targets; the variant's mean for baselines
    baseline: float | None = None
    note: str = ""
    check_obj: Check | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "check_obj"}
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


@dataclass
class Assessment:
    rows: list[Row]
    results: dict[str, Any]  # process path (as in the register) -> SimulationResult
    register: Register
    required: float
    replications: int
    cases: int
    seed: int
    not_simulated: list[tuple[str, str, str]] = field(default_factory=list)  # (target, check, reason)

    def counts(self) -> dict[str, int]:
        out = {REACHABLE: 0, AT_RISK: 0, NOT_REACHABLE: 0}
        for r in self.rows:
            out[r.verdict] += 1
        return out

    def processes(self) -> list[str]:
        """The simulated chains (post-reform files), in register order."""
        return list(self.results)


def _checks(register: Register) -> list[tuple[Target, Check, str]]:
    out = []
    for t, c in register.tested():
        assert c.test is not None
        for p in c.test.processes:
            out.append((t, c, p))
    return out


def _prepare(register: Register, scenario: Scenario | None) -> dict[str, Any]:
    """Load and check every process file (and baseline) before anything is simulated."""
    from ..bpmn.loader import load_bpmn
    from ..engine.core import CompiledModel
    from ..model.scenario import resolve_scenario

    root = Path(register.root or ".")
    loaded: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for t, c, p in _checks(register):
        where = f"{t.id}" + (f" ({c.name})" if c.name != t.id else "")
        try:
            judged_metric(c)
        except ScenarioError as exc:
            problems.append((where, str(exc)))
        if c.unit not in ("工作日", "天", "hours", "count", "yuan", "USD"):
            problems.append((where, f'unit "{c.unit}" cannot be simulated; expected 工作日, 天, hours, count, yuan or USD'))
        assert c.test is not None
        for rel in (p,) + ((c.test.baseline,) if c.test.baseline else ()):
            if rel in loaded:
                continue
            try:
                lp = load_bpmn(root / rel)
                sc = resolve_scenario(lp.process, scenario or Scenario())
                CompiledModel(lp.process, sc)
                loaded[rel] = lp
            except ReformSimError as exc:
                problems.append((where, f"{rel}: {exc}"))
            except OSError as exc:
                problems.append((where, f'{rel}: cannot read: {exc.strerror}'))
    if problems:
        raise ScenarioError(problems, file=register.file)
    return loaded


def assess(register: Register, *, replications: int = DEFAULT_REPLICATIONS, cases: int = DEFAULT_CASES,
           seed: int = DEFAULT_SEED, required: float = 0.95, scenario: Scenario | None = None) -> Assessment:
    """Simulate each linked process once and judge every tested check of ``register``.

    Raises :class:`ScenarioError` naming the entry before any simulation when a file or entry is bad.
    """
    from ..engine.runner import simulate
    from .paths import max_counts, path_counts

    if not 0 < required <= 1:
        raise ScenarioError([("required", f"expected a share in (0, 1], got {required!r}")])
    from ..model.bounds import check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed)
    loaded = _prepare(register, scenario)
    results: dict[str, Any] = {}

    def sim_of(rel: str) -> Any:
        if rel not in results:
            results[rel] = simulate(loaded[rel], scenario, cases=cases, replications=replications, seed=seed)
        return results[rel]

    baselines: dict[str, Any] = {}
    rows: list[Row] = []
    for t, c, rel in _checks(register):
        assert c.test is not None and c.threshold is not None
        metric = judged_metric(c)
        th = c.threshold
        row = Row(t.id, c.name if c.name != t.id else "", t.clause, t.chain, rel, c.unit, metric, threshold_text(th),
                  "simulated", NOT_REACHABLE, note=t.ambiguity, check_obj=c)
        proc = loaded[rel].process
        if metric in STATIC_METRICS:
            row.method = "static"
            counts = [p.n_stages if metric == "stages" else getattr(p, metric) for p in path_counts(proc)]
            worst = float(max(counts, default=0))
            row.static = worst
            if th.kind == "below_baseline":
                base = max_counts(loaded[c.test.baseline].process)
                row.baseline = float(base.stages if metric == "stages" else getattr(base, metric))
                ok = worst < row.baseline
                row.verdict = REACHABLE if ok else NOT_REACHABLE
                row.share = 1.0 if ok else 0.0
            else:
                met = [th.met(x) for x in counts]
                row.share = float(np.mean(met)) if met else math.nan  # share of paths, not of cases
                row.verdict = REACHABLE if all(met) else AT_RISK if any(met) else NOT_REACHABLE
            rows.append(row)
            continue
        res = sim_of(rel)
        pooled = np.concatenate(values_by_replication(res, metric) or [np.array([])])
        if len(pooled):
            row.p50, row.p80, row.p95 = (float(np.quantile(pooled, q)) for q in (0.5, 0.8, 0.95))
        if c.unit == "天" and metric == "db_days":
            wd = res.kpi("workdays")
            row.workdays_p50, row.workdays_p95 = wd.quantile(0.5), wd.quantile(0.95)
        if th.kind == "below_baseline":
            row.method = "baseline"
            brel = c.test.baseline
            assert brel is not None
            if brel not in baselines:
                baselines[brel] = simulate(loaded[brel], scenario, cases=cases, replications=replications, seed=seed)
            bres = baselines[brel]
            a = np.array([v.mean() if len(v) else math.nan for v in values_by_replication(res, metric)])
            b = np.array([v.mean() if len(v) else math.nan for v in values_by_replication(bres, metric)])
            row.static, row.baseline = float(np.nanmean(a)), float(np.nanmean(b))
            # Same seed on both (common random numbers): judged on the share of replications where the
            # variant's mean beats the baseline's.
            share, lo, hi = share_interval((a < b).astype(float))
            diff = row.baseline - row.static
            row.share, row.lo, row.hi = share, lo, hi
            row.verdict = verdict(share, lo, hi, required)
            row.note = (row.note + "; " if row.note else "") + f"mean {row.static:.2f} vs baseline {row.baseline:.2f} ({diff:+.2f} saved)"
        else:
            row.share, row.lo, row.hi = share_meeting(res, metric, th)
            row.verdict = verdict(row.share, row.lo, row.hi, required)
        rows.append(row)
    not_sim = [(t.id, c.name, c.not_simulated or "") for t in register.targets for c in t.checks if c.test is None]
    return Assessment(rows, results, register, required, replications, cases, seed, not_sim)
