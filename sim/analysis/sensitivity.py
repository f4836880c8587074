"""Which single change moves the share of cases meeting a target most, and a greedy fix.

Single levers (:mod:`sim.model.levers`, the vocabulary scenarios use too) tried on the steps that
take most time (see ``Bottlenecks.top_steps``): the step's work and wait ×0.8 and ×1.2
(``Scale``), the step made fully online (``Online``), the step turned into a notification-commitment
(``Commitment``); two consecutive critical steps in parallel (``Parallel``); and one more staff
member at each of the busiest agencies (``Staff``). Every variant runs with the same seed as the base (common random numbers),
so differences come from the change, not from the dice. Small replications/cases keep it fast.

``greedy_fix`` adds the best remaining change one at a time (at most 3) until the lower bound of the
share reaches the required level. It is greedy: it finds *a* small set, not necessarily the smallest.

Example:
    >>> from sim.model.levers import Online
    >>> Ranked(Online("t_seal", source=SOURCE), 0.9, 0.1).change.label("en")
    'make t_seal online'
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.backends import Backend, Serial, backend_for
from ..errors import ReformSimError
from ..model.levers import Commitment, Lever, Online, Parallel, Scale, Staff, apply_levers
from ..model.scenario import Scenario
from ..targets import Threshold

__all__ = ["Ranked", "candidate_changes", "rank_changes", "greedy_fix", "apply_changes"]

SEARCH_REPLICATIONS, SEARCH_CASES = 4, 150  # assumption: enough to rank changes; verdicts use the full run

SOURCE = "sensitivity"  # the trail a tried lever leaves in the process's sources
FASTER, SLOWER = 0.8, 1.2  # assumption: ±20%, the usual range of a one-at-a-time sensitivity


@dataclass
class Ranked:
    change: Lever
    share: float
    delta: float  # change in share meeting the target against the base run


def apply_changes(process: Any, scenario: Scenario, changes: Sequence[Lever]) -> tuple[Any, Scenario]:
    """The process and scenario with every lever applied, in order (:func:`sim.model.levers.apply_levers`)."""
    return apply_levers(process, scenario, changes)


def candidate_changes(bottlenecks: Any, process: Any, n_steps: int = 5, n_agencies: int = 3) -> list[Lever]:
    """Single levers worth trying: on the slowest steps, and staff at the busiest agencies."""
    out: list[Lever] = []
    for s in bottlenecks.top_steps(n_steps):
        node = process.nodes.get(s.step)
        facts = node.facts if node is not None else None
        if facts is None or (facts.work is None and facts.wait is None):
            continue
        name = s.name
        out += [Scale(s.step, f, "both", source=SOURCE, display=name) for f in (FASTER, SLOWER)]
        if not facts.online and node.kind == "task":
            out.append(Online(s.step, source=SOURCE, display=name))
        if not facts.commitment and facts.wait is not None and node.kind == "task":
            out.append(Commitment(s.step, source=SOURCE, display=name))
    for a in [a for a in bottlenecks.agencies if not math.isnan(a.utilisation)][:n_agencies]:
        out.append(Staff(a.agency, source=SOURCE))
    # 并联审批: two consecutive steps of the critical path run side by side
    path = [sid for sid in bottlenecks.critical_path if sid in process.nodes and process.nodes[sid].kind == "task"]
    for a, b in zip(path, path[1:]):
        if process.successors(a) == [b] and len(process.incoming(b)) == 1:
            label = f"{process.nodes[a].label} ∥ {process.nodes[b].label}"
            out.append(Parallel((a, b), source=SOURCE, display=label))
            if sum(isinstance(c, Parallel) for c in out) >= max(1, n_steps // 2):
                break
    return out


def _evaluate(job: tuple) -> float:
    process, scenario, changes, metric, threshold, replications, cases, seed = job
    from ..engine.executors import EXPLORING
    from ..engine.runner import simulate
    from .assess import share_meeting

    try:
        p, sc = apply_changes(process, scenario, changes)
        res = simulate(p, sc, cases=cases, replications=replications, seed=seed, executor=EXPLORING)
    except ReformSimError:
        return math.nan  # a lever that does not apply to this step is simply not a candidate
    return share_meeting(res, metric, threshold)[1]  # the lower bound: what the verdict is judged on


def _backend(backend: Backend | None, workers: int | None) -> Backend:
    """The back-end given, else the ``workers`` flag through the one table (default: up to 2 processes)."""
    return backend or backend_for(workers or min(2, os.cpu_count() or 1))


def _run(jobs: list[tuple], backend: Backend) -> list[float]:
    if len(jobs) < 4:
        backend = Serial()  # a pool costs more than it saves on a handful of short runs
    return backend.map(_evaluate, jobs)  # models pickle (sim.model): any back-end works


def rank_changes(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, changes: list[Lever], *,
                 replications: int = SEARCH_REPLICATIONS, cases: int = SEARCH_CASES, seed: int = 2021,
                 workers: int | None = None, backend: Backend | None = None) -> tuple[float, list[Ranked]]:
    """(base lower bound, changes ranked by the change in the lower bound of the share meeting ``threshold``)."""
    sc = scenario or Scenario()
    parts = _backend(backend, workers)
    jobs = [(process, sc, (), metric, threshold, replications, cases, seed)]
    jobs += [(process, sc, (c,), metric, threshold, replications, cases, seed) for c in changes]
    shares = _run(jobs, parts)
    base = shares[0]
    ranked = [Ranked(c, s, s - base) for c, s in zip(changes, shares[1:]) if not math.isnan(s)]
    ranked.sort(key=lambda r: (-abs(r.delta), r.change.verb))
    return base, ranked


def greedy_fix(process: Any, scenario: Scenario | None, metric: str, threshold: Threshold, ranked: list[Ranked], *,
               required: float = 0.95, max_changes: int = 3, pool: int = 6, replications: int = SEARCH_REPLICATIONS,
               cases: int = SEARCH_CASES, seed: int = 2021, workers: int | None = None,
               backend: Backend | None = None) -> tuple[list[Lever], float] | None:
    """Greedy: add the best helpful change until the share's lower bound reaches ``required``.

    Returns (changes, lower bound reached) or None when no set of at most ``max_changes`` was found.
    """
    sc = scenario or Scenario()
    parts = _backend(backend, workers)
    helpful = [r for r in sorted(ranked, key=lambda r: -r.delta) if r.delta > 0][:pool]
    if not helpful:
        return None
    chosen = [helpful[0].change]
    best = helpful[0].share
    rest = [r.change for r in helpful[1:]]
    while best < required and len(chosen) < max_changes and rest:
        jobs = [(process, sc, tuple(chosen + [c]), metric, threshold, replications, cases, seed) for c in rest]
        shares = _run(jobs, parts)
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
    fixes: dict[tuple[str, str], tuple[list[Lever], float] | None] | None = None  # (target, check) -> fix


def analyse_chains(assessment: Any, *, replications: int = SEARCH_REPLICATIONS, cases: int = SEARCH_CASES,
                   n_steps: int = 4, n_agencies: int = 2, workers: int | None = None,
                   backend: Backend | None = None) -> list[ChainReport]:
    """Bottlenecks for every simulated chain; sensitivity and greedy fixes for its time targets.

    Fee targets get no sensitivity: none of the levers changes a fee.
    """
    from .assess import REACHABLE
    from .bottlenecks import chain_bottlenecks

    parts = _backend(backend, workers)
    out = []
    for rel, res in assessment.results.items():
        rows = [r for r in assessment.rows if r.process == rel and r.method == "simulated" and r.kind == "performance"]
        unit = "hours" if any(r.metric == "hours" for r in rows) else "workdays"
        b = chain_bottlenecks(res, unit, rows, backend=parts)  # with the staffing runs for its failing rows
        rep = ChainReport(rel, res, b, fixes={})
        # a context row's threshold is not the plan's (T25's national 5 days): no fix is searched for it
        timed = [r for r in rows if r.metric != "fee" and r.check_obj is not None and not r.context]
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
                                              replications=replications, cases=cases, seed=assessment.seed, backend=parts)
                if r is rep.primary:
                    rep.base, rep.ranked = ranks[key]
                if r.verdict != REACHABLE:
                    rep.fixes[(r.target, r.check)] = greedy_fix(
                        res.process, res.scenario, r.metric, r.check_obj.threshold, ranks[key][1],
                        required=assessment.required, replications=replications, cases=cases, seed=assessment.seed,
                        backend=parts)
        out.append(rep)
    return out
