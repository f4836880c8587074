"""Judge every target of the register: two kinds of check, never mixed.

- A **design check** reads the reformed model — procedure, document and stage counts, fees — and
  says whether the *design* complies (``complies`` / ``partly_complies`` / ``does_not_comply``). It
  restates model facts and is never evidence that a target is reachable.
- A **performance verdict** comes from simulation: the share of simulated cases meeting the target
  and its 95% interval across replications. Reachable when the interval's lower bound clears the
  required share, not reachable when its upper bound is below it, at risk in between (:data:`RULE`).
  The required share is the register's ``required:`` for the check, else ``assess --required``
  (default 0.95).

Clocks: 工作日 targets are judged on the statutory clock (working days); a 天 limit on a whole chain
is judged on the reading the register names (``reading:`` working | calendar | db, with
``reading_why:``), and the share meeting it on all three readings is shown beside it. A 天 limit on
one step (``task_workdays``) is read in working days. A band (``range:``) says in the register
whether finishing below it meets the intent (``below_band: meets``); then only the upper bound is
judged and the in-band share is shown beside it.

Example:
    >>> verdict(0.97, 0.96, 0.98, 0.95), verdict(0.95, 0.93, 0.97, 0.95), verdict(0.5, 0.4, 0.6, 0.95)
    ('reachable', 'at_risk', 'not_reachable')
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..engine.stats import mean_ci95
from ..errors import ReformSimError, ScenarioError
from ..i18n import CLOCKS, REGISTER_UNITS, THRESHOLDS, VERDICTS, Text, joined, say, words
from ..model.official_days import projection_note
from ..model.scenario import Scenario
from ..targets import Check, Register, Target, Threshold

__all__ = ["assess", "Assessment", "Row", "verdict", "verdict_words", "design_verdict", "static_check",
           "replication_shares", "share_meeting", "share_interval", "judged_metric", "REACHABLE", "AT_RISK",
           "NOT_REACHABLE", "COMPLIES", "PARTLY", "DOES_NOT_COMPLY", "DESIGN", "PERFORMANCE", "STATIC_METRICS",
           "DESIGN_METRICS", "READING_METRIC", "RULE", "mean_verdict", "DEFAULT_SEED", "DEFAULT_REPLICATIONS", "DEFAULT_CASES",
           "DEFAULT_REQUIRED", "performance_reason"]

REACHABLE, AT_RISK, NOT_REACHABLE = "reachable", "at_risk", "not_reachable"
COMPLIES, PARTLY, DOES_NOT_COMPLY = "complies", "partly_complies", "does_not_comply"
DESIGN, PERFORMANCE = "design", "performance"
# The metric each reading of 天 is measured on (sim.engine.runner.CASE_METRICS).
READING_METRIC = {"working": "workdays", "calendar": "calendar_days", "db": "db_days"}
# assumption: a public promise about time should hold for 19 of 20 applications (the P95 service-level
# convention); a register row may ask for another share with required:.
DEFAULT_REQUIRED = 0.95
STATIC_METRICS = ("procedures", "documents", "stages")
# model constants or the plan's own rule: a check on them restates the design (fee and online are read off
# the file, the deposit rate off the clause's schedule, sim.analysis.deposit)
DESIGN_METRICS = (*STATIC_METRICS, "fee", "online", "deposit_rate")
FILINGS = "filings_per_year"  # judged on simulated firms' tax mixes (sim.analysis.filings), not on cases
# assumption: 10 replications × 300 cases gives a share interval of about ±1–2 points and keeps the whole
# register under 2 minutes on 2 cores (measured; see the README).
DEFAULT_REPLICATIONS, DEFAULT_CASES, DEFAULT_SEED = 10, 300, 2021
CLOCK_RULE = {
    "en": "工作日 targets are judged on the statutory clock (working days of open office time). A 天 limit on a whole "
          "chain is ambiguous: the share meeting it is shown on working days, calendar days and the Doing-Business "
          "clock (calendar days, at least 1 day per procedure, 0.5 when fully online), and the register's reading "
          "decides (its reason is in the row). A 天 limit on a single step is read in working days. A band whose "
          "register entry says below_band: meets is judged on its upper bound; the in-band share is shown beside it.",
    "zh": "以“工作日”表述的目标按法定时限口径（办公时间内的工作日）判定。“天”用于全流程时有歧义：同时列出按工作日、"
          "自然日和营商环境评价口径（自然日，每个环节至少1天，全程网办0.5天）的达标比例，由目标清单写明的口径判定"
          "（理由见该行）。单个环节的“天”按工作日理解。区间目标若清单注明“低于下限也达到方案意图”，按上限判定，"
          "并列出落在区间内的比例。",
}
RULE = {
    "en": "Performance verdicts: reachable when the lower 95% bound of the share of simulated cases meeting the target "
          "is at least the required share; not reachable when the upper bound is below it; at risk in between. "
          "A target the plan states as an average (the register says statistic: mean, e.g. 整体通关时间) is judged on the "
          "mean instead: reachable when the 95% interval of the mean lies within the threshold, not reachable when it "
          "lies wholly outside, at risk when it straddles it. "
          "Design checks read the model (counts, fees) and say whether the design complies; they are not evidence "
          "that a target is reachable.",
    "zh": "绩效结论：模拟案件达标比例的95%区间下限不低于要求比例为“可达成”，区间上限低于要求比例为“不可达成”，"
          "介于两者之间为“有风险”。方案以平均值表述的目标（清单中注明按均值判定的，如整体通关时间）按均值判定：均值的95%区间"
          "完全满足阈值为“可达成”，完全不满足为“不可达成”，跨越阈值为“有风险”。设计核对读取模型本身（环节数、材料数、收费），只说明设计是否符合，不作为目标可达成的证据。",
}


def verdict(share: float, lo: float, hi: float, required: float = DEFAULT_REQUIRED) -> str:
    """The performance verdict from the share of cases meeting a target and its 95% interval (:data:`RULE`)."""
    if math.isnan(share):
        return NOT_REACHABLE
    lo = share if math.isnan(lo) else lo
    hi = share if math.isnan(hi) else hi
    if lo >= required:
        return REACHABLE
    if hi < required:
        return NOT_REACHABLE
    return AT_RISK


def mean_verdict(mean: float, lo: float, hi: float, th: Threshold) -> str:
    """The verdict on a mean and its 95% interval against ``th`` (max, min or range; :data:`RULE`).

    >>> t = Threshold("max", None, 50)
    >>> mean_verdict(48.0, 47.0, 49.0, t), mean_verdict(49.5, 48.9, 50.2, t), mean_verdict(52.0, 51.0, 53.0, t)
    ('reachable', 'at_risk', 'not_reachable')
    """
    if math.isnan(mean):
        return NOT_REACHABLE
    lo = mean if math.isnan(lo) else lo
    hi = mean if math.isnan(hi) else hi
    low = -math.inf if th.low is None else th.low
    high = math.inf if th.high is None else th.high
    if low <= lo and hi <= high:
        return REACHABLE
    if hi < low or lo > high:
        return NOT_REACHABLE
    return AT_RISK


def share_interval(shares: list[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean of per-replication shares and its 95% t interval (clipped to [0, 1])."""
    return mean_ci95([x for x in shares if not math.isnan(x)], bounds=(0.0, 1.0))


def judged_metric(check: Check) -> str:
    """The simulation metric a check is judged on (``step:<task>`` for a per-step limit)."""
    test = check.test
    assert test is not None
    m = test.metric
    if m in STATIC_METRICS or m in ("online", "deposit_rate", FILINGS):
        return m
    if m == "task_workdays":
        return f"step:{test.task}"
    if m in ("case_workdays", "case_calendar_days"):
        if check.unit == "天":
            assert check.reading is not None, "the register requires a reading for 天 on a whole chain"
            return READING_METRIC[check.reading]
        return "workdays"
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


def replication_shares(result: Any, metric: str, th: Threshold) -> list[float]:
    """Per replication, the share of its cases meeting ``th`` on ``metric`` (NaN for a replication without values)."""
    return [float(_met(v, th).mean()) if len(v) else math.nan for v in values_by_replication(result, metric)]


def share_meeting(result: Any, metric: str, th: Threshold) -> tuple[float, float, float]:
    """Share of cases meeting ``th`` on ``metric`` with its 95% interval across replications."""
    return share_interval(replication_shares(result, metric, th))


def design_verdict(lo: float, hi: float) -> str:
    """A design check from the share (of paths or cases) meeting it: all comply, some, or none.

    >>> design_verdict(1.0, 1.0), design_verdict(0.5, 0.5), design_verdict(0.0, 0.0)
    ('complies', 'partly_complies', 'does_not_comply')
    """
    return COMPLIES if lo >= 1 - 1e-12 else DOES_NOT_COMPLY if hi <= 1e-12 else PARTLY


def static_check(process: Any, metric: str, th: Threshold) -> tuple[float, float]:
    """A count check on every path of ``process`` (the one counter): the worst path's count and the share of paths
    meeting ``th`` (NaN for ``below_baseline``, which compares with another file)."""
    from .paths import path_counts

    counts = [p.n_stages if metric == "stages" else getattr(p, metric) for p in path_counts(process)]
    met = [th.met(x) for x in counts] if th.kind != "below_baseline" else []
    return float(max(counts, default=0)), (float(np.mean(met)) if met else math.nan)


def threshold_text(th: Threshold | None, lang: str = "en") -> str:
    """A threshold as written in tables: ``≤ 1``, ``= 0``, ``45–50``, ``< baseline`` (``< 改革前`` in zh)."""
    if th is None:
        return ""
    if th.kind == "below_baseline":
        return "< " + words(THRESHOLDS, lang)["baseline"]
    if th.kind == "range":
        return f"{th.low:g}–{th.high:g}"
    if th.kind == "equals":
        return f"= {th.low:g}"
    return f"≤ {th.high:g}" if th.kind == "max" else f"≥ {th.low:g}"


def judged_threshold(check: Check) -> Threshold:
    """The threshold a check is judged on: a band whose faster side meets the intent keeps only its upper bound."""
    th = check.threshold
    assert th is not None
    if th.kind == "range" and check.below_band == "meets":
        return Threshold("max", None, th.high)
    return th


@dataclass
class Row:
    """One judged check on one process file."""

    target: str
    check: str
    clause: str
    chain: str
    process: str
    unit: str
    metric: str  # the metric judged on (workdays, calendar_days, db_days, hours, fee, step:<id>, procedures, ...)
    threshold: str
    method: str  # simulated | static | baseline
    verdict: str
    kind: str = PERFORMANCE  # design (restates the model) | performance (from simulation)
    required: float = DEFAULT_REQUIRED
    share: float = math.nan
    lo: float = math.nan
    hi: float = math.nan
    p50: float = math.nan
    p80: float = math.nan
    p95: float = math.nan
    reading: str | None = None  # 天 on a whole chain: the reading that decides
    reading_why: str = ""
    readings: dict[str, list[float]] = field(default_factory=dict)  # reading -> [share, lo, hi]
    band_share: float = math.nan  # below_band: meets — the share inside the band, shown beside
    static: float | None = None  # the worst-path count for count targets; the variant's mean for baselines
    baseline: float | None = None
    note: str = ""
    context: str = ""  # non-empty: context only (why) — shown, but not counted as a verdict on the plan's target
    check_note: str = ""  # the register's note on the check (e.g. why a band's faster side meets the intent)
    reason: dict[str, str] = field(default_factory=dict)  # lang -> one sentence
    cities: list[dict[str, Any]] = field(default_factory=list)  # 全省: each 市县's share and verdict, weakest first
    statistic: str = "share"  # share (of cases meeting it) | mean (the target is an average: judged on the mean)
    mean: float = math.nan  # statistic mean: the mean over replications and its 95% t interval
    mean_lo: float = math.nan
    mean_hi: float = math.nan
    provenance: dict[str, Any] = field(default_factory=dict)
    check_obj: Check | None = field(default=None, repr=False)
    # over the assumption box (sim.analysis.robustness; None: not judged there): {class, share, lo, hi, points, ...}
    robustness: dict[str, Any] | None = None
    break_even: list[dict[str, Any]] | None = None  # conditional and failing rows: where the verdict flips
    sensitivity: list[dict[str, Any]] | None = None  # ranked: what to measure first

    def as_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "check_obj"}
        d["readings"] = {k: [None if math.isnan(x) else x for x in v] for k, v in self.readings.items()}
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
    precision: dict[str, Any] = field(default_factory=dict)  # process path -> Precision reached (with --precision)
    robust: dict[int, Any] = field(default_factory=dict)  # id(row) -> sim.analysis.robustness.Robustness, when judged
    # process path -> (process as loaded, scenario as given): what an assumption point is applied to
    inputs: dict[str, tuple[Any, Scenario]] = field(default_factory=dict)
    cities: Any = None  # the 市县 a 全省 row was judged in (sim.analysis.cities.Cities; None: the bundled file)

    def counts(self) -> dict[str, int]:
        """Performance verdicts by class (design checks are counted apart: :meth:`design_counts`)."""
        out = {REACHABLE: 0, AT_RISK: 0, NOT_REACHABLE: 0}
        for r in self.rows:
            if r.kind == PERFORMANCE and not r.context:
                out[r.verdict] += 1
        return out

    def design_counts(self) -> dict[str, int]:
        out = {COMPLIES: 0, PARTLY: 0, DOES_NOT_COMPLY: 0}
        for r in self.rows:
            if r.kind == DESIGN and not r.context:
                out[r.verdict] += 1
        return out

    def context_count(self) -> int:
        """Rows shown as context only (a threshold not from the plan), counted in neither kind."""
        return sum(1 for r in self.rows if r.context)

    def processes(self) -> list[str]:
        """The simulated chains (post-reform files), in register order."""
        return list(self.results)

    def calendar(self) -> dict[int, str]:
        """Each simulated year over all chains and what its working days rest on (official, supplied, projected)."""
        years: dict[int, str] = {}
        for res in self.results.values():
            years.update(res.calendar())
        return dict(sorted(years.items()))

    def calendar_notes(self) -> list[str]:
        """A warning per projected year: every verdict on it rests on holidays without their 调休 days."""
        return [projection_note(year) for year, basis in self.calendar().items() if basis == "projected"]


def _checks(register: Register) -> list[tuple[Target, Check, str]]:
    out = []
    for t, c in register.tested():
        assert c.test is not None
        for p in c.test.processes or ("",):  # a calculator check (no process file) is one row
            out.append((t, c, p))
    return out


def simulated_checks(register: Register, rel: str) -> list[tuple[str, Threshold]]:
    """(metric, threshold) of every check of ``register`` judged by simulating ``rel`` on a share of its cases:
    the statistics ``--precision`` makes narrow (design checks, facts, baseline comparisons and checks judged on the
    mean, ``statistic: mean``, are left out: no share decides them)."""
    out = []
    for _, c, r in _checks(register):
        if r != rel or judged_metric(c) in (*DESIGN_METRICS, FILINGS) or c.statistic == "mean":
            continue
        th = judged_threshold(c)
        if th.kind != "below_baseline":
            out.append((judged_metric(c), th))
    return out


def _scoped(scenario: Scenario | None, scope: Collection[str] | None, rel: str) -> Scenario | None:
    """The scenario for the register's file ``rel``: itself inside ``scope`` (or without one), else none."""
    return scenario if scope is None or rel in scope else None


def _prepare(register: Register, scenario: Scenario | None, scope: Collection[str] | None = None) -> dict[str, Any]:
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
        assert c.test is not None
        if c.unit not in ("工作日", "天", "hours", "count", "yuan", "USD") and c.test.metric not in ("online", "deposit_rate"):
            problems.append((where, f'unit "{c.unit}" cannot be simulated; expected 工作日, 天, hours, count, yuan or USD'))
        for rel in (p,) + ((c.test.baseline,) if c.test.baseline else ()):
            if not rel or rel in loaded:
                continue
            try:
                lp = load_bpmn(root / rel)
                sc = resolve_scenario(lp.process, _scoped(scenario, scope, rel) or Scenario())
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
           seed: int = DEFAULT_SEED, required: float = DEFAULT_REQUIRED, scenario: Scenario | None = None,
           scope: Collection[str] | None = None, cities: Any = None, precision: float | None = None,
           precision_cap: int | None = None) -> Assessment:
    """Simulate each linked process once and judge every tested check of ``register``.

    ``scenario`` applies to the process files in ``scope`` (paths as the register writes them;
    None: to every file); every other file runs on its own defaults. A check with ``scope: 全省`` is judged
    in every 市县 of ``cities`` (:func:`sim.analysis.cities.load_cities`; default the bundled file).

    ``precision`` (a half-width on a share, e.g. 0.02): each chain runs replications in batches until the
    95% interval of the share meeting every target judged on it is that narrow, or a cap
    (:func:`~sim.engine.runner.simulate_to_precision`); ``Assessment.precision`` says what each reached.

    Raises :class:`ScenarioError` naming the entry before any simulation when a file or entry is bad.
    """
    from ..engine.executors import EXPLORING
    from ..engine.runner import PRECISION_CAP, simulate, simulate_to_precision
    from .paths import max_counts
    from .provenance import time_provenance

    if not 0 < required <= 1:
        raise ScenarioError([("required", f"expected a share in (0, 1], got {required!r}")])
    from ..model.bounds import check_run_arguments

    check_run_arguments(cases=cases, replications=replications, seed=seed)
    loaded = _prepare(register, scenario, scope)
    results: dict[str, Any] = {}
    inputs: dict[str, tuple[Any, Scenario]] = {}
    cap = precision_cap or PRECISION_CAP

    def sim_of(rel: str) -> Any:
        if rel not in results:
            from .bottlenecks import traces_fit  # the verdict's own traces give the critical paths, no re-run

            judged = simulated_checks(register, rel)
            if precision is None or not judged:
                results[rel] = simulate(loaded[rel], _scoped(scenario, scope, rel), cases=cases, replications=replications,
                                        seed=seed, executor=EXPLORING,
                                        keep_traces=traces_fit(loaded[rel].process, cases, replications))
            else:
                results[rel] = simulate_to_precision(
                    loaded[rel], _scoped(scenario, scope, rel), lambda res: [replication_shares(res, m, th) for m, th in judged],
                    precision, cases=cases, seed=seed, executor=EXPLORING, cap=cap, start=max(2, min(replications, cap)),
                    keep_traces=traces_fit(loaded[rel].process, cases, cap))
            inputs[rel] = (loaded[rel].process, _scoped(scenario, scope, rel) or Scenario())
        return results[rel]

    baselines: dict[tuple[str, int], Any] = {}
    bottlenecks: dict[tuple[int, str], Any] = {}

    def drivers_of(res: Any, unit: str) -> Any:
        """What dominates a chain, for the reasons (no staffing runs: the report does those)."""
        from .bottlenecks import chain_bottlenecks

        key = (id(res), unit)
        if key not in bottlenecks:
            bottlenecks[key] = chain_bottlenecks(res, unit, staff_effects=False)
        return bottlenecks[key]

    rows: list[Row] = []
    for t, c, rel in _checks(register):
        assert c.test is not None and c.threshold is not None
        metric = judged_metric(c)
        th = judged_threshold(c)
        row = Row(t.id, c.name if c.name != t.id else "", t.clause, t.chain, rel, c.unit, metric, threshold_text(c.threshold),
                  "simulated", NOT_REACHABLE, required=c.required or required, reading=c.reading,
                  reading_why=c.reading_why, note=t.ambiguity, context=c.context, check_note=c.note, check_obj=c)
        if metric == "deposit_rate":
            rows.append(_deposit_row(row, th))
            continue
        proc = loaded[rel].process
        if metric in ("online", "fee"):
            rows.append(_fact_row(row, th, proc, c.test.task))
            continue
        if metric == FILINGS:
            rows.append(_filings_row(row, loaded, c, _scoped(scenario, scope, rel), cases, replications, seed))
            for key in (rel, c.test.baseline):  # both counted with the variant's scenario, as the row is
                assert key is not None
                inputs.setdefault(key, (loaded[key].process, _scoped(scenario, scope, rel) or Scenario()))
            continue
        if metric in STATIC_METRICS:
            row.method, row.kind = "static", DESIGN
            worst, path_share = static_check(proc, metric, th)
            row.static = worst
            if th.kind == "below_baseline":
                base = max_counts(loaded[c.test.baseline].process)
                row.baseline = float(base.stages if metric == "stages" else getattr(base, metric))
                ok = worst < row.baseline
                row.verdict = COMPLIES if ok else DOES_NOT_COMPLY
                row.share = 1.0 if ok else 0.0
            else:
                row.share = path_share  # share of paths, not of cases
                row.verdict = design_verdict(path_share, path_share)
            row.reason = {lang: design_reason(row, lang) for lang in ("zh", "en")}
            rows.append(row)
            continue
        res = sim_of(rel)
        pooled = np.concatenate(values_by_replication(res, metric) or [np.array([])])
        if len(pooled):
            row.p50, row.p80, row.p95 = (float(np.quantile(pooled, q)) for q in (0.5, 0.8, 0.95))
        if c.reading is not None and th.kind != "below_baseline":
            for name, m in READING_METRIC.items():
                row.readings[name] = list(share_meeting(res, m, th))
        if th.kind == "below_baseline":
            row.method = "baseline"
            brel = c.test.baseline
            assert brel is not None
            n = len(res.replications)  # as many as the variant ran (--precision may have added some): paired replications
            if (brel, n) not in baselines:
                baselines[(brel, n)] = simulate(loaded[brel], _scoped(scenario, scope, brel), cases=cases, replications=n,
                                                seed=seed, executor=EXPLORING)
                inputs.setdefault(brel, (loaded[brel].process, _scoped(scenario, scope, brel) or Scenario()))
            bres = baselines[(brel, n)]
            a = np.array([v.mean() if len(v) else math.nan for v in values_by_replication(res, metric)])
            b = np.array([v.mean() if len(v) else math.nan for v in values_by_replication(bres, metric)])
            row.static, row.baseline = float(np.nanmean(a)), float(np.nanmean(b))
            # Same seed on both (common random numbers): judged on the share of replications where the
            # variant's mean beats the baseline's.
            share, lo, hi = share_interval((a < b).astype(float))
            diff = row.baseline - row.static
            row.share, row.lo, row.hi = share, lo, hi
            row.note = joined(row.note, Text(f"mean {row.static:.2f} vs baseline {row.baseline:.2f} ({diff:+.2f} saved)",
                                             f"均值 {row.static:.2f}，改革前 {row.baseline:.2f}（减少 {diff:+.2f}）"))
        else:
            row.share, row.lo, row.hi = share_meeting(res, metric, th)
            if th is not c.threshold:  # a band judged on its upper bound: show the in-band share beside it
                row.band_share = share_meeting(res, metric, c.threshold)[0]
            if c.statistic == "mean":
                row.statistic = "mean"
                row.mean, row.mean_lo, row.mean_hi = mean_ci95([v.mean() for v in values_by_replication(res, metric) if len(v)])
        if row.kind == DESIGN:
            row.verdict = design_verdict(row.lo, row.hi)
            row.reason = {lang: design_reason(row, lang) for lang in ("zh", "en")}
        else:
            row.verdict = (mean_verdict(row.mean, row.mean_lo, row.mean_hi, th) if row.statistic == "mean"
                           else verdict(row.share, row.lo, row.hi, row.required))
            step_time = {r["step"]: r["workdays"] for r in res.task_table()}
            prov = time_provenance(proc, step_time)
            row.provenance = prov.as_dict()
            b = drivers_of(res, "hours" if metric == "hours" else "workdays")
            row.reason = {lang: _context_prefix(row, lang) + performance_reason(row, lang, b) + " " + prov.text(lang)
                          for lang in ("zh", "en")}
            if c.scope is not None:
                # as many replications as the window's verdict ran (--precision may have added some)
                _judge_province(row, loaded[rel], _scoped(scenario, scope, rel), metric, th, cases, len(res.replications), seed,
                                cities, window_result=res)
        rows.append(row)
    not_sim = [(t.id, c.name, c.not_simulated or "") for t in register.targets for c in t.checks if c.test is None]
    reached = {rel: res.precision for rel, res in results.items() if getattr(res, "precision", None) is not None}
    return Assessment(rows, results, register, required, replications, cases, seed, not_sim, reached, inputs=inputs,
                      cities=cities)


_ORDER = {NOT_REACHABLE: 0, AT_RISK: 1, REACHABLE: 2}


def _judge_province(row: Row, loaded: Any, scenario: Scenario | None, metric: str, th: Threshold, cases: int,
                    replications: int, seed: int, cities: Any, window_result: Any = None) -> None:
    """全省: the row's verdict is the weakest 市县's (it holds only where it holds in every one); the window's stays in the note."""
    from .cities import judge_cities, weakest_text

    verdicts = judge_cities(loaded, scenario, metric, th, row.required, cases=cases, replications=replications, seed=seed,
                            cities=cities, window=window_result)
    row.cities = [v.as_dict() for v in verdicts]
    weakest = min(verdicts, key=lambda v: (_ORDER[v.verdict], v.lo, v.share))
    window = (row.share, row.lo, row.hi, row.verdict)
    if _ORDER[weakest.verdict] < _ORDER[row.verdict] or (weakest.verdict == row.verdict and weakest.lo < row.lo):
        row.share, row.lo, row.hi, row.verdict = weakest.share, weakest.lo, weakest.hi, weakest.verdict
    texts = {lang: weakest_text(verdicts, lang) for lang in ("zh", "en")}
    row.note = joined(row.note, Text(f"the model's window: {window[0]:.1%} [{window[1]:.1%}–{window[2]:.1%}], {window[3]}",
                                     f"模型中的窗口：{window[0]:.1%} [{window[1]:.1%}–{window[2]:.1%}]，{VERDICTS['zh'][window[3]]}"))
    row.reason = {lang: texts[lang] + " " + row.reason[lang] for lang in ("zh", "en")}


_CLOCK_NAMES = CLOCKS  # sim.i18n: one table of labels
_VERDICT_WORDS = VERDICTS

def verdict_words(code: str, lang: str = "zh") -> str:
    """A verdict (performance or design) in the planner's words.

    >>> verdict_words(NOT_REACHABLE), verdict_words(NOT_REACHABLE, "en")
    ('不可达成', 'not reachable')
    """
    return _VERDICT_WORDS[lang][code]


def _clock(row: Row, lang: str) -> str:
    if row.metric.startswith("step:"):
        return words(CLOCKS, lang)["step"]
    return _CLOCK_NAMES[lang].get(row.metric, row.metric)


def performance_reason(row: Row, lang: str = "zh", bottlenecks: Any = None) -> str:
    """The statistic against the threshold and the rule that turned it into the verdict; with the
    chain's ``bottlenecks`` (:func:`sim.analysis.bottlenecks.chain_bottlenecks`), what dominates:
    the steps with the largest critical-path shares and which part of the time (queueing for staff,
    office closed, staff work, fixed waits) dominates the critical path
    (:func:`sim.analysis.bottlenecks.drivers_text`).

    >>> r = Row("T16", "", "", "", "x.bpmn", "天", "db_days", "≤ 3", "simulated", NOT_REACHABLE, share=0.2, lo=0.18,
    ...         hi=0.22, p80=4.1)
    >>> performance_reason(r, "en")
    'not reachable: 20.0% of simulated cases meet ≤ 3 in days on the Doing-Business clock (95% interval 18.0%–22.0%; required ≥ 95%: the upper bound is below it); P80 4.10.'
    """
    words = _VERDICT_WORDS[lang][row.verdict]
    if row.method == "baseline":
        if lang == "zh":
            return (f"{words}：在 {row.share:.0%} 的重复模拟中改革后均值低于改革前（{row.static:.2f} 对 {row.baseline:.2f}，"
                    f"{_clock(row, lang)}；要求 ≥ {row.required:.0%}）。")
        return (f"{words}: the reformed mean beats the baseline's in {row.share:.0%} of replications ({row.static:.2f} vs "
                f"{row.baseline:.2f} {_clock(row, lang)}; required ≥ {row.required:.0%}).")
    if row.statistic == "mean":
        text = _mean_reason(row, words, lang)
    else:
        text = _share_reason(row, words, lang)
    if row.readings:
        shown = "，".join if lang == "zh" else ", ".join
        names = {"zh": {"working": "工作日", "calendar": "自然日", "db": "营商口径"},
                 "en": {"working": "working days", "calendar": "calendar days", "db": "DB clock"}}[lang]
        per = shown(f"{names[k]} {v[0]:.0%}" for k, v in row.readings.items())
        text += (f" 三种口径达标比例：{per}。" if lang == "zh" else f" Share on each reading: {per}.")
    if not math.isnan(row.band_share):
        text += (f" 落在区间内 {row.band_share:.0%}（更快也达到方案意图）。" if lang == "zh"
                 else f" Inside the band: {row.band_share:.0%} (faster also meets the intent).")
    if bottlenecks is not None:
        from .bottlenecks import drivers_text

        text += " " + drivers_text(bottlenecks, lang, row.metric[5:] if row.metric.startswith("step:") else None)
    return text


def _share_reason(row: Row, words: str, lang: str) -> str:
    """The share of cases against the required share."""
    ci = f"{row.lo:.1%}–{row.hi:.1%}"
    if lang == "zh":
        why = {REACHABLE: "区间下限已达到要求", NOT_REACHABLE: "区间上限仍低于要求", AT_RISK: "要求落在区间之内"}[row.verdict]
        return (f"{words}：{row.share:.1%} 的模拟案件满足 {row.threshold}（{_clock(row, lang)}；95%区间 {ci}；"
                f"要求 ≥ {row.required:.0%}：{why}）；P80 {row.p80:.2f}。")
    why = {REACHABLE: "the lower bound clears it", NOT_REACHABLE: "the upper bound is below it",
           AT_RISK: "it lies inside the interval"}[row.verdict]
    return (f"{words}: {row.share:.1%} of simulated cases meet {row.threshold} in {_clock(row, lang)} (95% interval {ci}; "
            f"required ≥ {row.required:.0%}: {why}); P80 {row.p80:.2f}.")


def _mean_reason(row: Row, words: str, lang: str) -> str:
    """The mean and its interval against the threshold, and the register's why (the target is an average)."""
    ci = f"{row.mean_lo:.2f}–{row.mean_hi:.2f}"
    why = row.check_obj.statistic_why if row.check_obj is not None else ""
    if lang == "zh":
        rule = {REACHABLE: "区间完全满足阈值", NOT_REACHABLE: "区间完全不满足阈值", AT_RISK: "区间跨越阈值"}[row.verdict]
        return (f"{words}：均值 {row.mean:.2f}（{_clock(row, lang)}；95%区间 {ci}）对照 {row.threshold}：{rule}；"
                f"按均值判定（{why}）；单件满足的比例 {row.share:.0%}，P80 {row.p80:.2f}。")
    rule = {REACHABLE: "the interval lies within it", NOT_REACHABLE: "the interval lies outside it",
            AT_RISK: "the interval straddles it"}[row.verdict]
    return (f"{words}: mean {row.mean:.2f} {_clock(row, lang)} (95% interval {ci}) against {row.threshold}: {rule}; judged on "
            f"the mean ({why}); {row.share:.0%} of single cases meet it, P80 {row.p80:.2f}.")


def design_reason(row: Row, lang: str = "zh") -> str:
    """One sentence saying what model facts a design check restates."""
    words = _VERDICT_WORDS[lang][row.verdict]
    what = {"procedures": ("环节（手续）", "procedures"), "documents": ("材料", "documents"), "stages": ("阶段", "stages"),
            "fee": ("收费", "the fee")}[row.metric][0 if lang == "zh" else 1]
    value = "" if row.static is None else f"{row.static:g}"
    if row.method == "static" and row.baseline is not None:
        detail = (f"改革后最多 {value}，改革前 {row.baseline:g}" if lang == "zh" else f"{value} after against {row.baseline:g} before")
    elif row.method == "static":
        detail = (f"最差路径 {value}，目标 {row.threshold}" if lang == "zh" else f"worst path {value}, target {row.threshold}")
    else:
        detail = (f"{row.share:.0%} 的案件满足 {row.threshold}" if lang == "zh" else f"{row.share:.0%} of cases meet {row.threshold}")
    if lang == "zh":
        return f"{words}：{detail}。这是模型中录入的{what}的复述，不是目标可达成的证据。"
    return f"{words}: {detail}. This restates {what} typed into the model; it is not evidence that the target is reachable."


# --------------------------------------------------------------------------- rows of their own kind
_NOT_EVIDENCE = {"zh": "这是模型中录入的事实（或方案自身规则）的复述，不是目标可达成的证据。",
                 "en": "This restates a fact typed into the model (or the plan's own rule); it is not evidence that the "
                       "target is reachable."}


def _context_prefix(row: Row, lang: str) -> str:
    """The words before a context row's reason: its threshold is not the plan's, so it is no verdict on the target."""
    if not row.context:
        return ""
    return (f"仅作参考（阈值并非出自方案：{say(row.context, 'zh')}）。" if lang == "zh"
            else f"Context only (the threshold is not the plan's: {row.context}). ")


def _graded(grades: list[str]) -> dict[str, Any]:
    """Provenance of a design row in the performance rows' shape: counts for every grade."""
    from .provenance import GRADES

    return {"counts": {g: grades.count(g) for g in GRADES}}


def _static_verdict(values: list[float], th: Threshold) -> str:
    met = [th.met(x) for x in values]
    return COMPLIES if met and all(met) else PARTLY if any(met) else DOES_NOT_COMPLY


def _fact_row(row: Row, th: Threshold, process: Any, task: str | None) -> Row:
    """A design check on a fact read off the file: the chain's fee (per path, no interval) or one step's ``online``.

    The fee is the sum of the step fees along each path (the one counter, :func:`sim.analysis.paths.path_counts`),
    shown as a figure with its sources: it is typed into the model, so a share of cases "meeting" it would only
    restate the same figure with a spurious interval.
    """
    from .paths import path_counts
    from .provenance import attributions, grade

    row.method, row.kind = "static", DESIGN
    if row.metric == "fee":
        values = [p.fee for p in path_counts(process)]
        row.static = float(max(values, default=0.0))
        cited = [(n.id, attributions(n.facts.source).get("fee") or n.facts.source) for n in process.tasks()
                 if n.facts is not None and n.facts.fee]
        detail = {"zh": f"模型录入的收费合计 {row.static:g} {REGISTER_UNITS['zh'].get(row.unit, row.unit)}（最高的路径），目标 {row.threshold}",
                  "en": f"the fees typed into the model add up to {row.static:g} {row.unit} (highest path), target {row.threshold}"}
        where = {lang: "; ".join(f"{sid}: {text}" for sid, text in cited) for lang in ("zh", "en")}
    else:
        node = process.nodes.get(task or "")
        facts = node.facts if node is not None else None
        values = [1.0 if facts is not None and facts.online else 0.0]
        row.static = values[0]
        name = node.name if node is not None else task
        said = {"zh": "标注为网上办理" if values[0] else "未标注为网上办理",
                "en": "is marked online" if values[0] else "is not marked online"}
        detail = {lang: (f"{Path(row.process).name} 中“{name}”（{task}）{said[lang]}" if lang == "zh"
                         else f"step {name} ({task}) of {Path(row.process).name} {said[lang]}") for lang in ("zh", "en")}
        source = attributions(facts.source).get("online") or facts.source if facts is not None else ""
        cited = [(task or "", source)]
        where = {"zh": source, "en": source}
    row.verdict = _static_verdict(values, th)
    if row.unit == "yes-no":
        row.threshold = "= yes" if th.low == 1 else "= no"
    row.provenance = _graded([grade(text) for _, text in cited])
    words = _VERDICT_WORDS
    row.reason = {lang: (f"{words[lang][row.verdict]}：{detail[lang]}；来源：{where[lang] or '未注明'}。{_NOT_EVIDENCE[lang]}"
                         if lang == "zh" else
                         f"{words[lang][row.verdict]}: {detail[lang]}; source: {where[lang] or 'not stated'}. {_NOT_EVIDENCE[lang]}")
                  for lang in ("zh", "en")}
    return row


def _yuan(x: float, lang: str) -> str:
    if lang == "zh":
        return f"{x / 1e4:g}万元" if x < 1e8 else f"{x / 1e8:g}亿元"
    return f"{x / 1e6:g}M yuan"


def _deposit_row(row: Row, th: Threshold) -> Row:
    """T10: the wage-deposit schedule of the clause, computed (:mod:`sim.analysis.deposit`), as a design check."""
    from . import deposit as dep

    row.method, row.kind, row.process = "static", DESIGN, "sim.analysis.deposit"
    rate = dep.max_rate() * 100
    row.static = round(rate, 6)
    row.verdict = _static_verdict([rate], th)
    shown_at = (3_000_000.0, 50_000_000.0, 100_000_000.0, 300_000_000.0, 500_000_000.0, 1_000_000_000.0)
    # the clause's rates and caps, the 3M commitment line and the cuts; 民法典 第1259条 for reading 以下
    row.provenance = _graded(["plan"] * (len(dep.BANDS) * 2 + 2) + ["statute"])
    out = {}
    for lang in ("zh", "en"):
        figs = []
        for v in shown_at:
            d = dep.schedule(v)
            if d.commitment:
                figs.append(f"{_yuan(v, lang)}：承诺制，0元" if lang == "zh" else f"{_yuan(v, lang)}: commitment, 0")
            else:
                cap = ("（封顶）" if lang == "zh" else " (capped)") if d.capped else ""
                figs.append(f"{_yuan(v, lang)}：{_yuan(d.amount, lang)}{cap}" if lang == "zh"
                            else f"{_yuan(v, lang)}: {_yuan(d.amount, lang)}{cap}")
        jumps = [(e, a, b) for e, a, b in dep.steps() if e > dep.COMMITMENT_MAX]
        cuts = [dep.deposit(50_000_000, k) / dep.deposit(50_000_000) for k in (1, 2, 3)]
        if lang == "zh":
            jump = "；".join(f"{_yuan(e, lang)}处由{_yuan(a, lang)}变为{_yuan(b, lang)}" for e, a, b in jumps)
            out[lang] = (f"{_VERDICT_WORDS[lang][row.verdict]}：按方案{dep.CLAUSE}的存储表计算，最高实际比例 {rate:g}%（目标 {row.threshold}）。"
                         f"{'；'.join(figs)}。档位处不连续：{jump}。连续无欠薪按原额40%、30%、30%递减后分别存 "
                         f"{'、'.join(f'{c:.0%}' for c in cuts)}（对“递减”的理解见 sim.analysis.deposit）。{_NOT_EVIDENCE[lang]}")
        else:
            jump = "; ".join(f"at {_yuan(e, lang)} from {_yuan(a, lang)} to {_yuan(b, lang)}" for e, a, b in jumps)
            out[lang] = (f"{_VERDICT_WORDS[lang][row.verdict]}: the schedule of clause {dep.CLAUSE}, computed: highest "
                         f"effective rate {rate:g}% (target {row.threshold}). {'; '.join(figs)}. The deposit jumps at the "
                         f"band edges: {jump}. After 1, 2, 3 clean periods (cuts of 40/30/30% of the original) a firm stores "
                         f"{', '.join(f'{c:.0%}' for c in cuts)} (the reading of 递减: sim.analysis.deposit). {_NOT_EVIDENCE[lang]}")
    row.reason = out
    return row


def _filings_row(row: Row, loaded: dict[str, Any], check: Check, scenario: Scenario | None, cases: int,
                 replications: int, seed: int) -> Row:
    """T30: filings per firm-year of simulated firms (tax mix drawn per firm) against the baseline, same firms."""
    from . import filings as fl

    assert check.test is not None and check.test.baseline is not None
    runs = {}
    for key, rel in (("after", row.process), ("before", check.test.baseline)):
        runs[key] = fl.sample(loaded[rel].process, scenario, cases=cases, replications=replications, seed=seed)
    a, b = runs["after"].means(), runs["before"].means()
    row.method, row.kind = "baseline", PERFORMANCE
    row.static, row.baseline = float(a.mean()), float(b.mean())
    row.share, row.lo, row.hi = share_interval((a < b).astype(float))
    pooled = np.concatenate(runs["after"].per_replication)
    row.p50, row.p80, row.p95 = (float(np.quantile(pooled, q)) for q in (0.5, 0.8, 0.95))
    row.verdict = verdict(row.share, row.lo, row.hi, row.required)
    cut, cut_lo, cut_hi = mean_ci95(list(b - a))
    ends = []
    for end in (0, 1):  # every assumed share at the low, then the high end of its plausible range
        shares = {t.key: t.share_range[end] for t in fl.TAXES}
        pa, pb = (fl.sample(loaded[rel].process, scenario, cases=cases, replications=replications, seed=seed,
                            shares=shares).means().mean() for rel in (row.process, check.test.baseline))
        ends.append(pb - pa)
    row.provenance = fl.provenance_counts()
    n = row.provenance["counts"]
    row.note = joined(row.note, Text(f"mean {row.static:.2f} vs baseline {row.baseline:.2f} filings per firm-year",
                                     f"每户每年申报均值 {row.static:.2f}，改革前 {row.baseline:.2f}"))
    extra = {
        "zh": (f" 每户每年平均减少 {cut:.2f} 次（95%区间 {cut_lo:.2f}–{cut_hi:.2f}；{cases} 户 × {replications} 次重复，"
               f"同一批企业）。合并申报不会增加任何一次申报，所以任何税种比例下结论都不会反转；减少多少取决于假设的税种比例："
               f"全部取下限时减少 {ends[0]:.2f} 次，全部取上限时 {ends[1]:.2f} 次。依据：{n['statute']} 项法定（申报期限），"
               f"{n['assumption']} 项假设（税种比例、部分申报期限、按次申报次数）；以假设为主。"),
        "en": (f" Filings per firm-year fall by {cut:.2f} (95% interval {cut_lo:.2f}–{cut_hi:.2f}; {cases} firms × "
               f"{replications} replications, the same firms before and after). A combined return never adds a filing, "
               f"so no tax mix flips the verdict; the size of the cut rests on the assumed mix: {ends[0]:.2f} with every "
               f"share at the low end of its range, {ends[1]:.2f} at the high end. Rests on {n['statute']} statutory "
               f"filing periods and {n['assumption']} assumptions (tax mix, some periods, transactions); assumption-driven."),
    }
    row.reason = {lang: performance_reason(row, lang) + extra[lang] for lang in ("zh", "en")}
    return row
