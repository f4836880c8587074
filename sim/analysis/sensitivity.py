"""Which single change moves the share of cases meeting a target most, and a greedy fix.

Single changes tried on the steps that take most time (see ``Bottlenecks.top_steps``): the step's
work and wait ×0.8 and ×1.2 (``scale_duration``), the step made fully online (``make_online``),
the step turned into a notification-commitment (``commitment``); and one more staff member at each
of the busiest agencies. Every variant runs with the same seed as the base (common random numbers),
so differences come from the change, not from the dice. Small replications/cases keep it fast.

``greedy_fix`` adds the best remaining change one at a time (at most 3) until the lower bound of the
share reaches the required level. It is greedy: it finds *a* small set, not necessarily the smallest.

Example:
    >>> Change("online", "t_seal").label("en")
    'make t_seal online'
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ReformSimError
from ..model.scenario import AgencySpec, Scenario, resolve_scenario
from ..targets import Threshold

__all__ = ["Change", "Ranked", "candidate_changes", "rank_changes", "greedy_fix", "apply_changes"]

SEARCH_REPLICATIONS, SEARCH_CASES = 4, 150  # assumption: enough to rank changes; verdicts use the full run

_LABELS = {
    "en": {"faster": "{s} −20%", "slower": "{s} +20%", "online": "make {s} online", "commitment": "{s} → 告知承诺",
           "staff": "+1 staff at {s}", "parallel": "{s} in parallel"},
    "zh": {"faster": "{s} 时长−20%", "slower": "{s} 时长+20%", "online": "{s} 全程网办", "commitment": "{s} 改为告知承诺",
           "staff": "{s} 增加1名人员", "parallel": "{s} 并联办理"},
}


@dataclass(frozen=True)
class Change:
    """One reform lever on one step (``faster``, ``slower``, ``online``, ``commitment``), on two consecutive
    steps (``parallel``: target ``"a+b"``) or on an agency (``staff``)."""

    kind: str
    target: str
    name: str = ""

    def label(self, lang: str = "en") -> str:
        return _LABELS[lang][self.kind].format(s=self.name or self.target)


@dataclass
class Ranked:
    change: Change
    share: float
    delta: float  # change in share meeting the target against the base run


def apply_changes(process: Any, scenario: Scenario, changes: tuple[Change, ...] | list[Change]) -> tuple[Any, Scenario]:
    """The process and scenario with every change applied, in order."""
    from ..model import edits

    src = "sensitivity"
    for ch in changes:
        if ch.kind in ("faster", "slower"):
            process = edits.scale_duration(process, ch.target, 0.8 if ch.kind == "faster" else 1.2, "both", source=src)
        elif ch.kind == "online":
            process = edits.make_online(process, ch.target, source=src)
        elif ch.kind == "commitment":
            process = edits.commitment(process, ch.target, source=src)
        elif ch.kind == "parallel":
            process = edits.parallelise(process, ch.target.split("+"), source=src)
        elif ch.kind == "staff":
            resolved = resolve_scenario(process, scenario)
            agencies = dict(scenario.agencies)
            spec = resolved.agencies.get(ch.target, AgencySpec(ch.target))
            agencies[ch.target] = replace(agencies.get(ch.target, spec), staff=spec.staff + 1)
            scenario = replace(scenario, agencies=agencies)
        else:
            raise ValueError(f"unknown change kind {ch.kind!r}")
    return process, scenario


def candidate_changes(bottlenecks: Any, process: Any, n_steps: int = 5, n_agencies: int = 3) -> list[Change]:
    """Single changes worth trying: levers on the slowest steps, staff at the busiest agencies."""
    out: list[Change] = []
    for s in bottlenecks.top_steps(n_steps):
        node = process.nodes.get(s.step)
        facts = node.facts if node is not None else None
        if facts is None or (facts.work is None and facts.wait is None):
            continue
        name = s.name
        out += [Change("faster", s.step, name), Change("slower", s.step, name)]
        if not facts.online and node.kind == "task":
            out.append(Change("online", s.step, name))
        if not facts.commitment and facts.wait is not None and node.kind == "task":
            out.append(Change("commitment", s.step, name))
    for a in [a for a in bottlenecks.agencies if not math.isnan(a.utilisation)][:n_agencies]:
        out.append(Change("staff", a.agency, a.agency))
    # 并联审批: two consecutive steps of the critical path run side by side
    path = [sid for sid in bottlenecks.critical_path if sid in process.nodes and process.nodes[sid].kind == "task"]
    for a, b in zip(path, path[1:]):
        if process.successors(a) == [b] and len(process.incoming(b)) == 1:
            label = f"{process.nodes[a].label} ∥ {process.nodes[b].label}"
            out.append(Change("parallel", f"{a}+{b}", label))
            if sum(c.kind == "parallel" for c in out) >= max(1, n_steps // 2):
                break
    return out


def _evaluate(job: tuple) -> float:
    process, scenario, changes, metric, threshold, replications, cases, seed = job
    from ..engine.runner import simulate
    from .assess import share_meeting

    try:
        p, sc = apply_changes(process, scenario, changes)
        res = simulate(p, sc, cases=cases, replications=replications, seed=seed)
    except ReformSimError:
        return math.nan  # a lever that does not apply to this step is simply not a candidate
    return share_meeting(res, metric, threshold)[1]  # the lower bound: what the verdict is judged on


def _run(jobs: list[tuple], workers: int) -> list[float]:
    if workers <= 1 or len(jobs) < 4:
        return [_evaluate(j) for j in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:  # models pickle (sim.model): any start method works
        return list(pool.map(_evaluate, jobs))


def rank_changes(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, changes: list[Change], *,
                 replications: int = SEARCH_REPLICATIONS, cases: int = SEARCH_CASES, seed: int = 2021,
                 workers: int | None = None) -> tuple[float, list[Ranked]]:
    """(base lower bound, changes ranked by the change in the lower bound of the share meeting ``threshold``)."""
    sc = scenario or Scenario()
    workers = workers or min(2, os.cpu_count() or 1)
    jobs = [(process, sc, (), metric, threshold, replications, cases, seed)]
    jobs += [(process, sc, (c,), metric, threshold, replications, cases, seed) for c in changes]
    shares = _run(jobs, workers)
    base = shares[0]
    ranked = [Ranked(c, s, s - base) for c, s in zip(changes, shares[1:]) if not math.isnan(s)]
    ranked.sort(key=lambda r: (-abs(r.delta), r.change.kind))
    return base, ranked


def greedy_fix(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, ranked: list[Ranked], *,
               required: float = 0.95, max_changes: int = 3, pool: int = 6, replications: int = SEARCH_REPLICATIONS,
               cases: int = SEARCH_CASES, seed: int = 2021, workers: int | None = None) -> tuple[list[Change], float] | None:
    """Greedy: add the best helpful change until the share's lower bound reaches ``required``.

    Returns (changes, lower bound reached) or None when no set of at most ``max_changes`` was found.
    """
    sc = scenario or Scenario()
    workers = workers or min(2, os.cpu_count() or 1)
    helpful = [r for r in sorted(ranked, key=lambda r: -r.delta) if r.delta > 0][:pool]
    if not helpful:
        return None
    chosen = [helpful[0].change]
    best = helpful[0].share
    rest = [r.change for r in helpful[1:]]
    while best < required and len(chosen) < max_changes and rest:
        jobs = [(process, sc, tuple(chosen + [c]), metric, threshold, replications, cases, seed) for c in rest]
        shares = _run(jobs, workers)
        i = max(range(len(rest)), key=lambda k: -1 if math.isnan(shares[k]) else shares[k])
        if math.isnan(shares[i]) or shares[i] <= best:
            break
        chosen.append(rest.pop(i))
        best = shares[i]
    return (chosen, best) if best >= required else None


@dataclass
class ChainReport:
    """Bottlenecks and sensitivity of one simulated chain (process file as in the register)."""

    process: str
    result: Any
    bottlenecks: Any
    primary: Any = None  # the Row the tornado is ranked for (lowest share on this chain)
    base: float = math.nan
    ranked: list[Ranked] | None = None
    fixes: dict[tuple[str, str], tuple[list[Change], float] | None] | None = None  # (target, check) -> fix


def analyse_chains(assessment: Any, *, replications: int = SEARCH_REPLICATIONS, cases: int = SEARCH_CASES,
                   n_steps: int = 4, n_agencies: int = 2, workers: int | None = None) -> list[ChainReport]:
    """Bottlenecks for every simulated chain; sensitivity and greedy fixes for its time targets.

    Fee targets get no sensitivity: none of the levers changes a fee.
    """
    from .assess import REACHABLE
    from .bottlenecks import chain_bottlenecks

    out = []
    for rel, res in assessment.results.items():
        rows = [r for r in assessment.rows if r.process == rel and r.method == "simulated" and r.kind == "performance"]
        unit = "hours" if any(r.metric == "hours" for r in rows) else "workdays"
        b = chain_bottlenecks(res, unit)
        rep = ChainReport(rel, res, b, fixes={})
        timed = [r for r in rows if r.metric != "fee" and r.check_obj is not None]
        if timed:
            rep.primary = min(timed, key=lambda r: r.share)
            ranks: dict[tuple[str, Threshold], tuple[float, list[Ranked]]] = {}
            changes = candidate_changes(b, res.process, n_steps, n_agencies)
            for r in sorted(timed, key=lambda r: r is not rep.primary):
                key = (r.metric, r.check_obj.threshold)
                if r is not rep.primary and r.verdict == REACHABLE:
                    continue
                if key not in ranks:
                    ranks[key] = rank_changes(res.process, res.scenario, r.metric, r.check_obj.threshold, changes,
                                              replications=replications, cases=cases, seed=assessment.seed, workers=workers)
                if r is rep.primary:
                    rep.base, rep.ranked = ranks[key]
                if r.verdict != REACHABLE:
                    rep.fixes[(r.target, r.check)] = greedy_fix(
                        res.process, res.scenario, r.metric, r.check_obj.threshold, ranks[key][1],
                        required=assessment.required, replications=replications, cases=cases, seed=assessment.seed,
                        workers=workers)
        out.append(rep)
    return out
