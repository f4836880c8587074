"""What one point of an assumption box simulates, per kind of row: a chain, a chain against its baseline, filings.

:mod:`sim.analysis.robustness` judges rows over a box and only sees, per job, each row's per-replication values
(a share meeting the target, a mean, or a 0/1 "the reform beats the baseline"), which :func:`_verdict` there turns
into the row's own verdict rule. The specs here say how a point gives those values:

* :class:`Chain` — one model at the point (:func:`sim.model.assumptions.at_point`); a 全省 row (``province``) is
  judged in every 市县 at that point (the window's demand and staff moved to each, :mod:`sim.analysis.cities`) and
  its values are the weakest's, so the row holds at the point only if it holds in every 市县. Exact and cheaper
  than all 19 everywhere: the 市县 are tried weakest first (their order at the central point) and the first one
  that is not reachable decides the point — one failing 市县 settles "does not hold", so only points where the row
  holds need every 市县.
* :class:`Paired` — a variant and its baseline at the same point, on the same seed (common random numbers): per
  replication 1 when the variant's mean beats the baseline's, the rule of the assessment's baseline rows. An
  assumption both models have (same id) moves together: the baseline's value is at the same place of its own range
  (:func:`joint_value`: piecewise linear through the two centrals, so ends meet ends and centre meets centre); one
  that only one model has moves that model alone.
* :class:`Filings` — T30's simulated firms (:mod:`sim.analysis.filings`) before and after, same firms, with the
  tax-liability shares at the point (the ``attribute.liable_<tax>.p`` assumptions, the only ranged inputs of the count):
  the same firms owe the same taxes before and after, so a share moves both models to the same value.

Example (a shared assumption whose range the reform narrowed):
    >>> joint_value(3.0, (1.0, 2.0, 4.0), (0.5, 1.0, 1.5))
    1.25
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Chain", "Paired", "Filings", "simulate_point", "per_replication", "joint_value", "joint_assumptions",
           "LIABLE"]

Values = tuple[tuple[str, float], ...]
LIABLE = "attribute.liable_{key}.p"  # the assumption id of a tax's share of firms liable (sim.analysis.filings.TAXES)


def per_replication(result: Any, key: tuple[Any, ...]) -> list[float]:
    """Per replication, what row ``key`` is judged on: the share meeting the threshold, or the mean (``statistic: mean``)."""
    from .assess import replication_shares, values_by_replication

    metric, th = key[0], key[1]
    if len(key) > 2 and key[2] == "mean":
        return [float(v.mean()) if len(v) else math.nan for v in values_by_replication(result, metric)]
    return replication_shares(result, metric, th)


def _means(result: Any, metric: str) -> list[float]:
    from .assess import values_by_replication

    return [float(v.mean()) if len(v) else math.nan for v in values_by_replication(result, metric)]


def _beats(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """1.0 where the variant's replication mean is below the baseline's (NaN never beats: as the assessment judges)."""
    return [float(x < y) for x, y in zip(a, b)]


def joint_value(v: float, a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """The value at the place in range ``b`` = (lo, central, hi) where ``v`` sits in range ``a``: linear on each
    side of the central value (a point range maps to its central)."""
    lo_a, c_a, hi_a = a
    lo_b, c_b, hi_b = b
    if v <= c_a:
        return c_b if c_a == lo_a else lo_b + (v - lo_a) / (c_a - lo_a) * (c_b - lo_b)
    return c_b if hi_a == c_a else c_b + (v - c_a) / (hi_a - c_a) * (hi_b - c_b)


def joint_assumptions(variant: Sequence[Any], baseline: Sequence[Any]) -> tuple[Any, ...]:
    """The box of a variant against its baseline: every id of either, sorted; a shared id ranges as the variant's."""
    found = {a.id: a for a in baseline}
    found.update({a.id: a for a in variant})
    return tuple(found[k] for k in sorted(found))


def _split(values: Values, variant: Sequence[Any], baseline: Sequence[Any]) -> tuple[dict[str, float], dict[str, float]]:
    """The point's values for each model: a shared id moved to the baseline's own range (:func:`joint_value`)."""
    va = {a.id: a for a in variant}
    vb = {a.id: a for a in baseline}
    mine, theirs = {}, {}
    for k, v in values:
        if k in va:
            mine[k] = v
        if k in vb:
            b = vb[k]
            if k in va:
                a = va[k]
                v = joint_value(v, (a.lo, a.central, a.hi), (b.lo, b.central, b.hi))
                v = float(round(v)) if getattr(b, "integer", False) else v
            theirs[k] = v
    return mine, theirs


@dataclass(frozen=True)
class Chain:
    """One model; the keys in ``province`` ((key index, required share), ...) are judged in every 市县 of ``cities``,
    tried in ``order`` (city ids, weakest first at the central point)."""

    process: Any
    scenario: Any
    province: tuple[tuple[int, float], ...] = ()
    cities: Any = None
    order: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return self.process.file or self.process.id

    def at(self, values: Values, keys: Sequence[tuple[Any, ...]], reps: int, cases: int, seed: int,
           apply: Callable[..., tuple[Any, Any]]) -> list[list[float]]:
        from ..engine.executors import EXPLORING
        from ..engine.runner import simulate

        p, sc = apply(self.process, self.scenario, dict(values))
        res = simulate(p, sc, cases=cases, replications=reps, seed=seed, executor=EXPLORING)
        out = [per_replication(res, key) for key in keys]
        if self.province:
            self._weakest(out, p, sc, res, keys, reps, cases, seed)
        return out

    def _weakest(self, out: list[list[float]], p: Any, sc: Any, res: Any, keys: Sequence[tuple[Any, ...]], reps: int,
                 cases: int, seed: int) -> None:
        """Each province key's values become the weakest's of the window and every 市县 (the assessment's rule,
        :func:`sim.analysis.assess._judge_province`), stopping once every such key has a 市县 where it is not reachable."""
        from ..engine.runner import prepare_run
        from .assess import REACHABLE, share_interval, verdict
        from .cities import simulate_city

        order = {"not_reachable": 0, "at_risk": 1, "reachable": 2}

        def rank(vals: list[float], required: float) -> tuple[tuple[float, ...], bool]:
            share, lo, hi = share_interval(vals)
            v = verdict(share, lo, hi, required)
            return (order[v], share if math.isnan(lo) else lo, share), v == REACHABLE

        weakest, alive = {}, set()
        for k, required in self.province:
            weakest[k] = (rank(out[k], required)[0], out[k])
            if rank(out[k], required)[1]:
                alive.add(k)
        run = prepare_run(p, sc, cases=cases, replications=reps, seed=seed)
        by_id = self.cities.by_id
        for cid in self.order:
            if not alive:
                break  # a 市县 where it is not reachable decides the point for every province key
            _, _, cres = simulate_city(run, self.cities, by_id[cid], res)
            for k, required in self.province:
                if k not in alive:
                    continue
                vals = per_replication(cres, keys[k])
                r, ok = rank(vals, required)
                if r < weakest[k][0]:
                    weakest[k] = (r, vals)
                if not ok:
                    alive.discard(k)
        for k, _ in self.province:
            out[k] = weakest[k][1]


@dataclass(frozen=True)
class Paired:
    """A variant (``process``, ``scenario``) against its baseline at the same point; ``variant_box`` and
    ``baseline_box`` are each model's own assumptions."""

    process: Any
    scenario: Any
    baseline: Any
    baseline_scenario: Any
    variant_box: tuple[Any, ...]
    baseline_box: tuple[Any, ...]

    @property
    def file(self) -> str:
        return f"{self.process.file or self.process.id} vs {self.baseline.file or self.baseline.id}"

    def at(self, values: Values, keys: Sequence[tuple[Any, ...]], reps: int, cases: int, seed: int,
           apply: Callable[..., tuple[Any, Any]]) -> list[list[float]]:
        from ..engine.executors import EXPLORING
        from ..engine.runner import simulate

        mine, theirs = _split(values, self.variant_box, self.baseline_box)
        runs = []
        for proc, scen, vals in ((self.process, self.scenario, mine), (self.baseline, self.baseline_scenario, theirs)):
            p, sc = apply(proc, scen, vals)
            runs.append(simulate(p, sc, cases=cases, replications=reps, seed=seed, executor=EXPLORING))
        return [_beats(_means(runs[0], key[0]), _means(runs[1], key[0])) for key in keys]


@dataclass(frozen=True)
class Filings:
    """Filings per firm-year after (``process``) against before (``baseline``), the same firms, the liability shares at
    the point (``scenario`` as the assessment gives it to both)."""

    process: Any
    baseline: Any
    scenario: Any

    @property
    def file(self) -> str:
        return f"{self.process.file or self.process.id} vs {self.baseline.file or self.baseline.id}"

    def at(self, values: Values, keys: Sequence[tuple[Any, ...]], reps: int, cases: int, seed: int,
           apply: Callable[..., tuple[Any, Any]]) -> list[list[float]]:
        from . import filings as fl

        point = dict(values)
        means = []
        for proc in (self.process, self.baseline):
            shares = fl.liable_shares(proc, self.scenario)
            shares.update({t.key: point[LIABLE.format(key=t.key)] for t in fl.TAXES if LIABLE.format(key=t.key) in point})
            means.append(fl.sample(proc, self.scenario, cases=cases, replications=reps, seed=seed, shares=shares).means())
        return [_beats(list(means[0]), list(means[1])) for _ in keys]

    @staticmethod
    def box(found: Sequence[Any]) -> tuple[Any, ...]:
        """The assumptions that enter a filings count: the shares of firms liable for each tax (nothing else is read)."""
        from .filings import TAXES

        wanted = {LIABLE.format(key=t.key) for t in TAXES}
        return tuple(a for a in found if a.id in wanted)


def simulate_point(job: tuple) -> list[list[float]]:
    """One job of :func:`sim.analysis.robustness.simulation_runner`: the spec at its point; a failure names the point."""
    from ..errors import ReformSimError, SimulationError

    spec, values, keys, replications, cases, seed, apply = job
    try:
        return spec.at(values, keys, replications, cases, seed, apply)
    except ReformSimError as exc:  # the point that failed, so the planner can narrow the range that reached it
        shown = ", ".join(f"{k}={v:g}" for k, v in values)
        raise SimulationError(f"{spec.file} at the assumption point {shown}: {exc}") from None
