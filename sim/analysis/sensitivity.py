"""Which single legal change moves the share of cases meeting a target most, and a greedy fix.

Candidates (:func:`propose`) are levers of :mod:`sim.model.levers` tried on the steps that take most
time (``Bottlenecks.top_steps``): the step's work and wait ×0.8 and ×1.2 (``Scale``), the step made
fully online (``Online``), the step turned into a notification-commitment (``Commitment``); two
consecutive critical steps in parallel (``Parallel``); one more staff member at each of the busiest
agencies (``Staff``). Only levers the rules allow on the step are proposed (:mod:`sim.model.legal`:
no 告知承诺 on physical works, inspections or registrations, …) and none the scenario takes off the
table (``excluded_levers:``); what was left out is listed with the rule or the scenario entry.

Every effect is measured at the verdict's own precision: the same cases, replications and seed as
the verdict (common random numbers: replication *i* of a variant uses the same random numbers as
replication *i* of the base), and the base is the verdict's own run, so the base share here *is*
the verdict's share. An effect is the mean of the paired per-replication differences in the share
meeting the target, with its 95% t interval (mean ± t·s/√n); where the interval contains 0 the
change has *no detectable effect*.

:func:`greedy_fix` adds the detectably helpful change that raises the share's lower bound most, one
at a time (at most 3), until the verdict's rule says reachable. It is greedy: it finds *a* small
set, not necessarily the smallest. Because the set is chosen as the best on one set of random
numbers, it is re-checked at full precision on fresh ones (seed + 1) and that verdict is reported.

Example:
    >>> from sim.model.levers import Online
    >>> r = Ranked(Online("t_seal", source=SOURCE), 0.9, 0.1, delta_lo=-0.01, delta_hi=0.21)
    >>> r.change.label("en"), r.detectable, r.effect_text("en")
    ('make t_seal online', False, 'no detectable effect (+10.0 points, 95% interval -1.0 to +21.0)')
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.backends import Backend, Serial, backend_for
from ..engine.stats import mean_ci95
from ..errors import ReformSimError
from ..model import legal
from ..model.levers import Commitment, Lever, Online, Parallel, Scale, Staff, apply_levers
from ..model.scenario import Scenario
from ..targets import Threshold

__all__ = ["Ranked", "Excluded", "Proposal", "Fix", "propose", "candidate_changes", "rank_changes", "rank_many", "greedy_fix",
           "apply_changes", "analyse_chains", "ChainReport"]

SOURCE = "sensitivity"  # the trail a tried lever leaves in the process's sources
FASTER, SLOWER = 0.8, 1.2  # assumption: ±20%, the usual range of a one-at-a-time sensitivity
# The greedy fix: at most 3 changes, drawn from the 4 most helpful single changes (each round simulates
# every remaining one at full precision; 4 keeps the whole register's assessment within minutes).
MAX_CHANGES, POOL = 3, 4
RECHECK_OFFSET = 1  # the fix is re-checked on seed + 1: random numbers the search never saw
# assumption: with fewer than 1 case in 20 waiting on average at an agency, one more staff member has no
# queue to shorten; the search does not simulate it (and says so) to keep the assessment within minutes.
MIN_QUEUE = 0.05


@dataclass
class Ranked:
    """One change's effect on the share of cases meeting the target, against the verdict's base run.

    ``share`` (with ``lo``–``hi``) is the share with the change; ``delta`` the mean paired difference
    per replication (change − base) with its 95% interval ``delta_lo``–``delta_hi``.
    """

    change: Lever
    share: float
    delta: float
    lo: float = math.nan
    hi: float = math.nan
    delta_lo: float = math.nan
    delta_hi: float = math.nan

    @property
    def detectable(self) -> bool:
        """The interval of the effect excludes 0 (undefined with one replication: not detectable)."""
        return not (math.isnan(self.delta_lo) or math.isnan(self.delta_hi)) and (self.delta_lo > 0 or self.delta_hi < 0)

    def effect_text(self, lang: str = "zh") -> str:
        """The effect in percentage points with its interval; says so when it is not detectable."""
        def pts(x: float) -> str:
            return "—" if math.isnan(x) else f"{100 * x:+.1f}"
        if lang == "zh":
            body = f"{pts(self.delta)}个百分点，95%区间 {pts(self.delta_lo)} 至 {pts(self.delta_hi)}"
            return body if self.detectable else f"无可检测的影响（{body}）"
        body = f"{pts(self.delta)} points, 95% interval {pts(self.delta_lo)} to {pts(self.delta_hi)}"
        return body if self.detectable else f"no detectable effect ({body})"


@dataclass(frozen=True)
class Excluded:
    """A change the search did not propose: a rule forbids it on the step, or the scenario excludes it."""

    change: Lever
    step: str  # the step (or agency) it would act on
    by: str  # "rule", "scenario" (excluded_levers) or "search" (cannot matter, not simulated)
    rule: str  # the rule's id, the scenario entry (excluded_levers[i]) or the search's reason
    zh: str
    en: str
    source: str

    def text(self, lang: str = "zh") -> str:
        return f"{self.zh if lang == 'zh' else self.en} ({self.source})" if self.source else (self.zh if lang == "zh" else self.en)


@dataclass
class Proposal:
    """The candidates worth trying and what was left out, with why."""

    changes: list[Lever] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


@dataclass
class Fix:
    """What the greedy search found for one target: the changes and the share they reach, on the
    search's random numbers and re-checked on fresh ones (``recheck_seed``)."""

    changes: list[Lever]
    share: float
    lo: float
    hi: float
    reached: bool  # the verdict's rule says reachable on the search's random numbers
    tried: int  # combinations simulated by the search
    recheck_seed: int | None = None
    recheck: tuple[float, float, float] | None = None  # share, lo, hi on fresh random numbers
    recheck_verdict: str = ""
    note: str = ""  # set when the search was not run: the most the best changes could reach if their effects added up

    def text(self, lang: str = "zh", verdict_names: Mapping[str, str] | None = None) -> str:
        """One line for the report, saying it is greedy and what the re-check gave (``verdict_names``
        turns ``reachable`` etc. into the report's words)."""
        names = " + ".join(c.label(lang) for c in self.changes)
        if self.note:
            return (f"未搜索：即使最有帮助的{MAX_CHANGES}项改革的影响（区间上限）相加，达标比例最多 {self.note}，低于要求；"
                    f"单项最佳 {names}：{self.share:.1%}（{self.lo:.1%}–{self.hi:.1%}）" if lang == "zh" else
                    f"not searched: even the {MAX_CHANGES} most helpful changes, their effects' upper bounds added, reach at most "
                    f"{self.note}, below the required share; best single change {names}: {self.share:.1%} ({self.lo:.1%}–{self.hi:.1%})")
        if not self.reached:
            return (f"贪心搜索未找到不超过{MAX_CHANGES}项的组合；最好的组合 {names} 的下限为 {self.lo:.1%}" if lang == "zh" else
                    f"greedy search found no set of ≤ {MAX_CHANGES} changes; the best, {names}, reaches a lower bound of {self.lo:.1%}")
        found = (f"{names}：{self.share:.1%}（{self.lo:.1%}–{self.hi:.1%}）" if lang == "zh"
                 else f"{names}: {self.share:.1%} ({self.lo:.1%}–{self.hi:.1%})")
        if self.recheck is None:
            return found
        s, lo, hi = self.recheck
        v = (verdict_names or {}).get(self.recheck_verdict, self.recheck_verdict)
        if lang == "zh":
            return f"{found}；以新的随机数（种子 {self.recheck_seed}）复核：{s:.1%}（{lo:.1%}–{hi:.1%}），{v}"
        return f"{found}; re-checked on fresh random numbers (seed {self.recheck_seed}): {s:.1%} ({lo:.1%}–{hi:.1%}), {v}"


def apply_changes(process: Any, scenario: Scenario, changes: Sequence[Lever]) -> tuple[Any, Scenario]:
    """The process and scenario with every lever applied, in order (:func:`sim.model.levers.apply_levers`)."""
    return apply_levers(process, scenario, changes)


def _screen(out: Proposal, lever: Lever, process: Any, exclusions: Sequence[legal.Exclusion]) -> None:
    """Add ``lever`` to the proposal if the rules allow it and the scenario does not exclude it; else record why not."""
    refused = [r for r in legal.lever_rulings(lever, process) if not r.allowed]
    if refused:
        r = refused[0]
        name = process.nodes[r.step].label
        out.excluded.append(Excluded(lever, r.step, "rule", r.rule.id, f"{name}：{r.rule.zh}", f"{name}: {r.rule.en}", r.rule.source))
        return
    ex = legal.excluded_by(exclusions, lever)
    if ex is not None:
        out.excluded.append(Excluded(lever, lever.target, "scenario", ex.path, ex.text("zh"), ex.text("en"), ""))
        return
    out.changes.append(lever)


def propose(bottlenecks: Any, process: Any, n_steps: int = 5, n_agencies: int = 3,
            exclusions: Sequence[legal.Exclusion] = ()) -> Proposal:
    """Single legal levers worth trying: on the slowest steps, and staff at the busiest agencies."""
    out = Proposal()
    for s in bottlenecks.top_steps(n_steps):
        node = process.nodes.get(s.step)
        facts = node.facts if node is not None else None
        if facts is None or (facts.work is None and facts.wait is None):
            continue
        name = s.name
        for f in (FASTER, SLOWER):
            _screen(out, Scale(s.step, f, "both", source=SOURCE, display=name), process, exclusions)
        if not facts.online and node.kind == "task":
            _screen(out, Online(s.step, source=SOURCE, display=name), process, exclusions)
        if not facts.commitment and facts.wait is not None and node.kind == "task":
            _screen(out, Commitment(s.step, source=SOURCE, display=name), process, exclusions)
    for a in [a for a in bottlenecks.agencies if not math.isnan(a.utilisation)][:n_agencies]:
        lever = Staff(a.agency, source=SOURCE)
        if getattr(a, "effort_h", None) == 0:  # the model gives this agency no staff work: staff levers do not apply
            out.excluded.append(Excluded(lever, a.agency, "search", "no_staff_work", f"{a.agency}：模型中该部门无人员办理工作，增加人员不适用",
                                         f"{a.agency}: the model gives this agency no staff work; staff levers do not apply",
                                         "sim.analysis.bottlenecks (effort per case 0)"))
            continue
        if getattr(a, "mean_queue", math.inf) < MIN_QUEUE:  # one more person only removes queueing, and there is none
            out.excluded.append(Excluded(lever, a.agency, "search", "no_queue", f"{a.agency}：平均排队 {a.mean_queue:.2f} 件，增加人员无可缩短的排队",
                                         f"{a.agency}: mean queue {a.mean_queue:.2f} cases, no queueing for more staff to remove",
                                         f"assumption: below {MIN_QUEUE} cases waiting on average"))
            continue
        _screen(out, lever, process, exclusions)
    # 并联审批: two consecutive steps of the critical path run side by side
    path = [sid for sid in bottlenecks.critical_path if sid in process.nodes and process.nodes[sid].kind == "task"]
    for a, b in zip(path, path[1:]):
        if process.successors(a) == [b] and len(process.incoming(b)) == 1:
            label = f"{process.nodes[a].label} ∥ {process.nodes[b].label}"
            _screen(out, Parallel((a, b), source=SOURCE, display=label), process, exclusions)
            if sum(isinstance(c, Parallel) for c in out.changes) >= max(1, n_steps // 2):
                break
    return out


def candidate_changes(bottlenecks: Any, process: Any, n_steps: int = 5, n_agencies: int = 3,
                      exclusions: Sequence[legal.Exclusion] = ()) -> list[Lever]:
    """The levers :func:`propose` would try (without the list of what it left out)."""
    return propose(bottlenecks, process, n_steps, n_agencies, exclusions).changes


def replication_shares(result: Any, metric: str, threshold: Threshold) -> np.ndarray:
    """Per replication, the share of cases meeting ``threshold`` (NaN for a replication with no value)."""
    from .assess import replication_shares as shares

    return np.asarray(shares(result, metric, threshold), dtype=float)


Key = tuple[str, Threshold]  # (metric, threshold): what a share is measured on


def _evaluate(job: tuple) -> list[list[float]] | None:
    """One variant run; per key, the per-replication shares meeting it (one run serves every target of the chain)."""
    process, scenario, changes, keys, replications, cases, seed = job
    from ..engine.executors import EXPLORING
    from ..engine.runner import simulate

    try:
        p, sc = apply_changes(process, scenario, changes)
        # the assessment's executor: identical records to the verdict's run, so the random numbers are common
        res = simulate(p, sc, cases=cases, replications=replications, seed=seed, executor=EXPLORING)
    except ReformSimError:
        return None  # the lever does not fit this step (e.g. steps that cannot run in parallel): not a candidate
    return [replication_shares(res, metric, th).tolist() for metric, th in keys]


def _backend(backend: Backend | None, workers: int | None) -> Backend:
    """The back-end given, else the ``workers`` flag through the one table (default: up to 2 processes)."""
    return backend or backend_for(workers or min(2, os.cpu_count() or 1))


def _run(jobs: list[tuple], backend: Backend) -> list[list[float] | None]:
    if len(jobs) < 4:
        backend = Serial()  # a pool costs more than it saves on a handful of runs
    return backend.map(_evaluate, jobs)  # models pickle (sim.model): any back-end works


def _share(shares: Sequence[float]) -> tuple[float, float, float]:
    from .assess import share_interval

    return share_interval(list(shares))


def _paired(variant: Sequence[float], base: Sequence[float]) -> tuple[float, float, float]:
    """Mean paired difference per replication and its 95% t interval (pairs with a NaN side dropped)."""
    d = [v - b for v, b in zip(variant, base) if not (math.isnan(v) or math.isnan(b))]
    return mean_ci95(d)


def rank_changes(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, changes: list[Lever], *,
                 replications: int, cases: int, seed: int, base: Sequence[float] | None = None,
                 workers: int | None = None, backend: Backend | None = None) -> tuple[tuple[float, float, float], list[Ranked]]:
    """(base share with its interval, changes ranked by the size of their effect on the share meeting ``threshold``).

    ``base`` is the per-replication share of the verdict's own run (same cases, replications and
    seed); without it the base is simulated here. Changes that do not fit the process are dropped.
    """
    key = (metric, threshold)
    return rank_many(process, scenario, [key], changes, bases=None if base is None else {key: base}, replications=replications,
                     cases=cases, seed=seed, workers=workers, backend=backend)[key]


def rank_many(process: Any, scenario: Scenario | None, keys: Sequence[Key], changes: list[Lever], *, replications: int,
              cases: int, seed: int, bases: dict[Key, Sequence[float]] | None = None, workers: int | None = None,
              backend: Backend | None = None) -> dict[Key, tuple[tuple[float, float, float], list[Ranked]]]:
    """:func:`rank_changes` for several targets of one chain at once: each change is simulated once and
    its run scored against every key (same cost as one target)."""
    sc = scenario or Scenario()
    parts = _backend(backend, workers)
    keys = list(dict.fromkeys(keys))
    jobs = [(process, sc, (c,), tuple(keys), replications, cases, seed) for c in changes]
    if bases is None or any(k not in bases for k in keys):
        jobs.insert(0, (process, sc, (), tuple(keys), replications, cases, seed))
    runs = _run(jobs, parts)
    if len(jobs) > len(changes):
        first = runs.pop(0) or [[] for _ in keys]
        bases = {**dict(zip(keys, first)), **(bases or {})}
    assert bases is not None
    out = {}
    for k, key in enumerate(keys):
        ranked = []
        for c, shares in zip(changes, runs):
            if shares is None:
                continue
            mean, lo, hi = _share(shares[k])
            d, dlo, dhi = _paired(shares[k], bases[key])
            ranked.append(Ranked(c, mean, d, lo, hi, dlo, dhi))
        ranked.sort(key=lambda r: (-abs(r.delta) if not math.isnan(r.delta) else 0.0, r.change.verb))
        out[key] = (_share(bases[key]), ranked)
    return out


def greedy_fix(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, ranked: list[Ranked], *,
               required: float, replications: int, cases: int, seed: int, max_changes: int = MAX_CHANGES,
               pool: int = POOL, workers: int | None = None, backend: Backend | None = None) -> Fix | None:
    """Greedy: add the detectably helpful change that raises the lower bound most, until the lower
    bound reaches ``required`` (the verdict's rule), then re-check the set on seed + 1.

    None when no change has a detectable helpful effect.
    """
    from .assess import REACHABLE, verdict

    sc = scenario or Scenario()
    parts = _backend(backend, workers)
    helpful = [r for r in sorted(ranked, key=lambda r: -r.delta) if r.detectable and r.delta > 0][:pool]
    if not helpful:
        return None
    chosen, best = [helpful[0].change], (helpful[0].share, helpful[0].lo, helpful[0].hi)
    rest = [r.change for r in helpful[1:]]
    tried = 0
    # Not worth searching when even the best single changes' upper bounds, added up, leave the share's
    # upper bound below the required share (effects usually add up at most; said in the result).
    reach = helpful[0].hi + sum(max(r.delta_hi, 0.0) for r in helpful[1:max_changes])
    if len(helpful) > 1 and reach < required:
        return Fix(chosen, *best, reached=False, tried=0,
                   note=f"{reach:.1%}")
    while best[1] < required and len(chosen) < max_changes and rest:
        jobs = [(process, sc, tuple(chosen + [c]), ((metric, threshold),), replications, cases, seed) for c in rest]
        results = [_share(s[0]) if s is not None else (math.nan,) * 3 for s in _run(jobs, parts)]
        tried += len(jobs)
        i = max(range(len(rest)), key=lambda k: -1.0 if math.isnan(results[k][1]) else results[k][1])
        if math.isnan(results[i][1]) or results[i][1] <= best[1]:
            break
        chosen.append(rest.pop(i))
        best = results[i]
    fix = Fix(chosen, *best, reached=verdict(*best, required) == REACHABLE, tried=tried)
    if fix.reached:  # chosen as the best on these random numbers: check it on numbers the search never saw
        fresh = seed + RECHECK_OFFSET
        shares = _evaluate((process, sc, tuple(chosen), ((metric, threshold),), replications, cases, fresh))
        fix.recheck_seed = fresh
        fix.recheck = _share(shares[0]) if shares is not None else (math.nan,) * 3
        fix.recheck_verdict = verdict(*fix.recheck, required)
    return fix


@dataclass
class ChainReport:
    """Bottlenecks and sensitivity of one simulated chain (process file as in the register)."""

    process: str
    result: Any
    bottlenecks: Any
    primary: Any = None  # the Row the tornado is ranked for (lowest share on this chain)
    base: tuple[float, float, float] = (math.nan, math.nan, math.nan)  # the verdict's share and interval
    ranked: list[Ranked] | None = None
    excluded: list[Excluded] = field(default_factory=list)  # levers not proposed, and why
    bases: dict[tuple[str, str], tuple[float, float, float]] = field(default_factory=dict)  # (target, check) -> its base
    fixes: dict[tuple[str, str], Fix | None] | None = None  # (target, check) -> fix


def analyse_chains(assessment: Any, *, n_steps: int = 4, n_agencies: int = 2, workers: int | None = None,
                   backend: Backend | None = None) -> list[ChainReport]:
    """Bottlenecks for every simulated chain; sensitivity and greedy fixes for its time targets, at the
    assessment's own cases, replications and seed (the base is the verdict's run).

    Fee targets get no sensitivity: none of the levers changes a fee. An ``excluded_levers`` entry
    naming a step or agency no simulated chain has is an error (it would exclude nothing).
    """
    from .assess import REACHABLE, judged_threshold
    from .bottlenecks import chain_bottlenecks

    parts = _backend(backend, workers)
    results = assessment.results
    exclusions = {rel: tuple(res.scenario.excluded_levers) for rel, res in results.items()}
    named = tuple(dict.fromkeys(e for es in exclusions.values() for e in es))
    if named:
        scenario_file = next((res.scenario.file for res in results.values() if res.scenario.file), None)
        legal.check_exclusion_targets(named, [res.process for res in results.values()], file=scenario_file)
    precision = dict(replications=assessment.replications, cases=assessment.cases, seed=assessment.seed)
    out = []
    for rel, res in results.items():
        # a row judged on the mean (statistic: mean) is left out: the searches move the share of cases meeting a target
        rows = [r for r in assessment.rows if r.process == rel and r.method == "simulated" and r.kind == "performance"
                and r.statistic == "share"]
        unit = "hours" if any(r.metric == "hours" for r in rows) else "workdays"
        b = chain_bottlenecks(res, unit, rows, backend=parts)  # with the staffing runs for its failing rows
        rep = ChainReport(rel, res, b, fixes={})
        # a context row's threshold is not the plan's (T25's national 5 days): no fix is searched for it
        timed = [r for r in rows if r.metric != "fee" and r.check_obj is not None and not r.context]
        if timed:
            rep.primary = min(timed, key=lambda r: r.share)
            proposal = propose(b, res.process, n_steps, n_agencies, exclusions[rel])
            rep.excluded = proposal.excluded
            wanted = [r for r in timed if r is rep.primary or r.verdict != REACHABLE]
            keys = {id(r): (r.metric, judged_threshold(r.check_obj)) for r in wanted}  # what each verdict is judged on
            bases = {key: replication_shares(res, *key).tolist() for key in keys.values()}
            ranks = rank_many(res.process, res.scenario, list(keys.values()), proposal.changes, bases=bases, backend=parts,
                              **precision)
            found: dict[tuple[Key, float], Fix | None] = {}  # two rows judged alike (e.g. T13 and T18) share one search
            for r in wanted:
                key = keys[id(r)]
                rep.bases[(r.target, r.check)] = ranks[key][0]  # the verdict's own share
                if r is rep.primary:
                    rep.base, rep.ranked = ranks[key]
                if r.verdict != REACHABLE:
                    if (key, r.required) not in found:
                        found[(key, r.required)] = greedy_fix(res.process, res.scenario, key[0], key[1], ranks[key][1],
                                                              required=r.required, backend=parts, **precision)
                    rep.fixes[(r.target, r.check)] = found[(key, r.required)]
        out.append(rep)
    return out
