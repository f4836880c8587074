"""Performance verdicts over the range of what we do not know: robustness class, break-even values,
what to measure first.

For each simulated chain, every assumption with a plausible range (:mod:`sim.model.assumptions`)
spans a box. The chain is simulated at

1. the points of a scrambled Sobol' design (``A`` and ``B``, :mod:`sim.analysis.robustness_design`)
   and the central point: the robustness class and share;
2. a screen over those points (each assumption's rank correlation with each row's share), then, on
   chains where some verdict is conditional, the Saltelli points ``AB_i`` of the ``top`` screened
   assumptions, which give first-order and total Sobol' indices (:mod:`sim.analysis.robustness_sobol`)
   — adaptive: a chain whose verdicts hold everywhere or nowhere is ranked by the screen alone, and a chain with a
   conditional row whose two leading total indices are not told apart (overlapping intervals), or whose class rests on
   a single point, takes twice the points (the Sobol' sequence's next points, A, B and the columns), once;
3. for conditional and failing rows, each decisive assumption (the top two of the ranking) at either
   end of its range with the others central, a bisection on that line to where the verdict flips,
   and a re-check on fresh random numbers just either side; for conditional rows, a grid over the
   two decisive assumptions (the break-even map).

Every point is a full run at the verdict's own cases and replications with the verdict's seed
(common random numbers: the points differ in the assumptions only), judged by the verdict rule of
:mod:`sim.analysis.assess`. A row *holds* at a point when that rule says reachable; it is *robust*
when it holds at every design point, *conditional* when at some, *fails* when at none. The share of
the box where it holds carries Wilson's 95% interval over the design points.

Jobs are pure functions of (chain, values, seed), so serial, pool and Dask give the same output;
the analysis itself only sees a *runner* (jobs → per-replication shares), which the tests replace
by analytic functions.

Example (an analytic runner: the share is 1 − x, the target holds while x ≤ 0.5):
    >>> from types import SimpleNamespace as A
    >>> x = A(id="x", central=0.3, lo=0.0, hi=1.0, unit="workday", integer=False, label=lambda lang="zh": "x")
    >>> p = Problem("demo", (x,), keys=(("workdays", None),), required=(0.5,), targets=("T99",))
    >>> run = lambda jobs: [[[1 - dict(v)["x"]] * 4] for _, v, _ in jobs]
    >>> r = analyse([p], run, n=16, seed=1, replications=4, cases=10)[0][0]
    >>> r.cls, r.break_even[0].value, r.break_even[0].sentence["en"]
    ('conditional', 0.5, 'T99 holds while x ≤ 0.5, the other assumptions at their central values (re-checked on fresh random numbers: reachable at 0.484, not reachable at 0.547).')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .robustness_design import CLASSES, CONDITIONAL, FAILS, ROBUST, robustness_class, saltelli, to_values, wilson
from .robustness_sobol import sobol_indices

__all__ = ["Problem", "Robustness", "BreakEven", "Sensitivity", "BreakEvenMap", "analyse", "assess_robustness",
           "simulation_runner", "check_budget", "summary", "RULE", "CLASSES", "DEFAULT_POINTS", "DEFAULT_TOP", "GRID", "ROBUST", "CONDITIONAL", "FAILS"]

# assumption: 16 Sobol' points in each of A and B (32 judged points) put the Wilson interval of a share of
# 1 at 0.89–1 and keep the whole register's robust assessment within 2 minutes on 2 cores (benchmarks/robust_register.py).
DEFAULT_POINTS = 16
# assumption: Sobol' indices for the 2 assumptions the screen finds most influential on a chain (the report
# names 2–3 to measure first, the third by the screen); each more costs n runs a chain with a conditional row.
DEFAULT_TOP = 2
DECISIVE = 2  # break-even lines for the two most influential assumptions of a row
BISECT_STEPS = 5  # the flip located within 1/32 of the range (the re-check looks about that far either side)
GRID = 4  # the break-even map: 4 × 4 points over the two decisive assumptions (the ends and two between)
RECHECK_OFFSET = 1  # break-evens re-checked on seed + 1: random numbers the bisection never saw
# assumption: the re-check simulates 2% of the range either side of the flip (or the bisection's bracket when
# wider); where the verdict's own noise blurs that, 5% — the sentence says where it was checked.
RECHECK_STEPS = (0.02, 0.05)

RULE = {
    "en": "Robustness: a performance verdict holds at a point of its chain's assumption box when the verdict rule says "
          "reachable there; robust when it holds at every design point, conditional at some, fails throughout at none. "
          "The share of points where it holds carries Wilson's 95% interval.",
    "zh": "稳健性：在流程假设空间的某一点上按判定规则为“可达成”即为成立；所有设计点都成立为“稳健”，部分成立为“有条件成立”，"
          "都不成立为“全域不成立”。成立点占比附 Wilson 95% 区间。",
}

Values = tuple[tuple[str, float], ...]  # sorted (assumption id, value) pairs: hashable, picklable
Job = tuple[int, Values, int]  # (problem index, values, seed)
Runner = Callable[[Sequence[Job]], list[list[list[float]]]]  # per job, per key: the per-replication shares

@dataclass(frozen=True)
class Problem:
    """One chain: its ranged assumptions (:class:`sim.model.assumptions.Assumption` or alike) and the rows judged on it."""

    name: str
    assumptions: tuple[Any, ...]
    keys: tuple[tuple[Any, ...], ...]  # per row: (metric, threshold[, "mean"]) as the verdict is judged
    required: tuple[float, ...]  # per row
    targets: tuple[str, ...]  # per row, as the sentences name it


@dataclass(frozen=True)
class BreakEven:
    """Where a row's verdict flips along one assumption, the others central."""

    assumption: str
    label: dict[str, str]
    unit: str
    lo: float
    hi: float
    flips: bool  # the verdict differs at the two ends of the range
    value: float | None = None  # the re-checked break-even; None when there is none in range or it was not confirmed
    near: float | None = None  # where the bisection put the flip on the verdict's random numbers
    holds_below: bool | None = None  # the row holds below the value (else above it)
    confirmed: bool = False
    checked: tuple[float, float, str, str] | None = None  # (below, above, verdict below, verdict above) on fresh numbers
    sentence: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"assumption": self.assumption, "value": self.value, "unit": self.unit, "sentence": self.sentence,
                "flips": self.flips, "confirmed": self.confirmed, "near": self.near, "range": [self.lo, self.hi],
                "holds": None if self.holds_below is None else ("below" if self.holds_below else "above"),
                "checked": None if self.checked is None else dict(zip(("below", "above", "verdict_below", "verdict_above"),
                                                                       self.checked))}


@dataclass(frozen=True)
class Sensitivity:
    """One assumption's influence on a row's share meeting the target: Sobol' indices (screened-in
    assumptions of chains with a conditional row), the screen's rank correlation, and for decisive
    assumptions the end-to-end change with the others central."""

    assumption: str
    label: dict[str, str]
    first: float | None
    first_ci: tuple[float, float] | None
    total: float | None
    total_ci: tuple[float, float] | None
    screen: float  # Spearman's rank correlation with the share over the design points (the screen)
    sweep: float | None = None  # decisive assumptions: share at the high end minus at the low end, the others central

    def as_dict(self) -> dict[str, Any]:
        return {"assumption": self.assumption, "first_order": self.first, "first_order_ci": self.first_ci,
                "total": self.total, "total_ci": self.total_ci, "screen_rank_correlation": self.screen, "sweep": self.sweep}


@dataclass(frozen=True)
class BreakEvenMap:
    """Whether the row holds on a grid over two assumptions, the others central."""

    x: str
    y: str
    labels: tuple[dict[str, str], dict[str, str]]
    units: tuple[str, str]
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    holds: tuple[tuple[bool, ...], ...]  # holds[iy][ix]


@dataclass
class Robustness:
    """A row's verdict over the assumption box."""

    target: str
    cls: str
    share: float
    lo: float
    hi: float
    points: int  # design points judged (A and B)
    held: int
    replications: int
    cases: int
    seed: int
    central_holds: bool
    assumptions: int
    runs: int  # points this chain simulated, every phase (a variant against its baseline: two runs a point; a 全省 row:
    # the window and the 市县 tried, sim.analysis.robustness_runs)
    break_even: list[BreakEven] = field(default_factory=list)
    sensitivity: list[Sensitivity] = field(default_factory=list)
    map: BreakEvenMap | None = None
    initial_points: int = 0  # the design's points before the adaptive step (points > initial_points: it doubled)

    def as_dict(self) -> dict[str, Any]:
        """``robustness`` of a ``--json`` row (``break_even`` and ``sensitivity`` go beside it)."""
        return {"class": self.cls, "share": self.share, "lo": self.lo, "hi": self.hi, "interval": "wilson95",
                "points": self.points, "initial_points": self.initial_points, "adapted": self.points > self.initial_points,
                "held": self.held, "replications": self.replications, "cases": self.cases,
                "seed": self.seed, "assumptions": self.assumptions, "runs": self.runs}

    def text(self, lang: str = "zh") -> str:
        """One sentence: the class, the share of the box with its interval, and the sample it rests on."""
        from ..i18n import ROBUSTNESS, words

        name = words(ROBUSTNESS, lang)["classes"][self.cls]  # the one table of labels
        if not self.points:
            return ("无设定范围的假设，结论不随假设变化。" if lang == "zh"
                    else "no ranged assumption: the verdict does not rest on one.")
        grew = self.points > self.initial_points > 0
        if lang == "zh":
            more = f"（自适应：优先测量的前两项未分开或类别只取决于一个组合，组合数由 {self.initial_points} 增至 {self.points}）" if grew else ""
            return (f"{name}：在 {self.points} 个假设组合中 {self.held} 个可达成（{self.share:.0%}，Wilson 95%区间 "
                    f"{self.lo:.0%}–{self.hi:.0%}）{more}；{self.assumptions} 项假设，每个组合 {self.replications} 次重复 × "
                    f"{self.cases} 件，共用随机数（种子 {self.seed}）。")
        more = (f" (adaptive: the first two to measure were not told apart, or the class rested on one point, so "
                f"{self.initial_points} points grew to {self.points})") if grew else ""
        return (f"{name}: reachable at {self.held} of {self.points} assumption points ({self.share:.0%}, Wilson 95% "
                f"interval {self.lo:.0%}–{self.hi:.0%}){more}; {self.assumptions} assumptions, each point {self.replications} "
                f"replications × {self.cases} cases on common random numbers (seed {self.seed}).")


# --------------------------------------------------------------------------- the analysis over any runner
class _Runs:
    """Every job's per-key shares, each job simulated once (rows and phases share runs)."""

    def __init__(self, runner: Runner) -> None:
        self.runner, self.seen = runner, {}  # type: ignore[var-annotated]
        self.count: dict[int, int] = {}

    def batch(self, jobs: Sequence[Job]) -> None:
        todo = list(dict.fromkeys(j for j in jobs if j not in self.seen))
        if todo:
            for job, out in zip(todo, self.runner(todo)):
                self.seen[job] = out
                self.count[job[0]] = self.count.get(job[0], 0) + 1

    def shares(self, job: Job, k: int) -> list[float]:
        return self.seen[job][k]


def _values(values: Mapping[str, float]) -> Values:
    return tuple(sorted((k, float(v)) for k, v in values.items()))


def _verdict(values: Sequence[float], p: Problem, k: int) -> str:
    """The verdict rule of :mod:`sim.analysis.assess` on one point's per-replication values of row ``k``: the share
    meeting the target against the required share, or (``statistic: mean``) the mean against the threshold."""
    from ..engine.stats import mean_ci95
    from .assess import mean_verdict, share_interval, verdict

    key = p.keys[k]
    if len(key) > 2 and key[2] == "mean":
        return mean_verdict(*mean_ci95([x for x in values if not math.isnan(x)]), key[1])
    return verdict(*share_interval(list(values)), p.required[k])


def _holds(values: Sequence[float], p: Problem, k: int) -> bool:
    from .assess import REACHABLE

    return _verdict(values, p, k) == REACHABLE


def _mean(shares: Sequence[float]) -> float:
    v = [x for x in shares if not math.isnan(x)]
    return float(np.mean(v)) if v else math.nan


def _labels(a: Any) -> dict[str, str]:
    return {lang: a.label(lang) for lang in ("zh", "en")}


def _fmt(x: float) -> str:
    return f"{x:.3g}"


@dataclass
class _Line:
    p: int
    row: int
    a: Any
    lo_v: float  # bracket end where holds == lo_h
    hi_v: float
    lo_h: bool
    hi_h: bool


def analyse(problems: Sequence[Problem], runner: Runner, *, n: int = DEFAULT_POINTS, top: int = DEFAULT_TOP, seed: int,
            replications: int, cases: int, bisect_steps: int = BISECT_STEPS, grid: int = GRID,
            maps: bool = True, adapt: bool = True) -> list[list[Robustness]]:
    """Per problem, per row, the row's :class:`Robustness`. ``runner`` simulates jobs (it may run them anywhere);
    ``maps=False`` skips the break-even maps (pictures only: a run without a report does not need them);
    ``adapt=False`` keeps every chain at ``n`` points (no adaptive doubling, :func:`_separated`)."""
    runs = _Runs(runner)
    central = [{a.id: float(a.central) for a in p.assumptions} for p in problems]

    def job(p: int, values: Mapping[str, float], s: int = seed) -> Job:
        return (p, _values({**central[p], **values}), s)

    # phase 1: the design (A and B) and the central point
    design: list[tuple[list[Job], list[Job], list[list[Job]]]] = []  # A, B and AB_j (column j from B) per problem
    values: list[np.ndarray] = []  # the A and B points as values, for the screen
    first: list[Job] = [job(i, {}) for i in range(len(problems))]

    def build(i: int, size: int) -> None:
        """Problem ``i``'s design of ``size`` points in each half (a larger one starts with the smaller: Sobol' prefix)."""
        p, d = problems[i], len(problems[i].assumptions)
        if not d:
            design[i], values[i] = ([], [], []), np.empty((0, 0))
            return
        a, b = saltelli(d, size, seed)
        lo, hi = [x.lo for x in p.assumptions], [x.hi for x in p.assumptions]
        whole = [bool(getattr(x, "integer", False)) for x in p.assumptions]
        va, vb = to_values(a, lo, hi, whole), to_values(b, lo, hi, whole)
        ids = [x.id for x in p.assumptions]
        ab = [[job(i, dict(zip(ids, np.where(np.arange(d) == j, rb, ra)))) for ra, rb in zip(va, vb)] for j in range(d)]
        design[i] = ([job(i, dict(zip(ids, row))) for row in va], [job(i, dict(zip(ids, row))) for row in vb], ab)
        values[i] = np.concatenate([va, vb])

    for i in range(len(problems)):
        design.append(([], [], []))
        values.append(np.empty((0, 0)))
        build(i, n)
    runs.batch(first + [j for da in design for j in da[0] + da[1]])

    # the classes, and the screen: each assumption's rank correlation with each row's share over the design
    classes: list[list[tuple[str, int, list[bool], bool]]] = [[] for _ in problems]
    screens: list[np.ndarray] = [np.empty((0, 0)) for _ in problems]

    def classify(i: int) -> None:
        p = problems[i]
        pts = design[i][0] + design[i][1]
        per_row = []
        for k in range(len(p.keys)):
            holds = [_holds(runs.shares(j, k), p, k) for j in pts]
            c_holds = _holds(runs.shares(first[i], k), p, k)
            cls = robustness_class(holds) if holds else (ROBUST if c_holds else FAILS)
            per_row.append((cls, sum(holds) if holds else int(c_holds), holds, c_holds))
        classes[i] = per_row
        screens[i] = np.array([[_rank_corr(values[i][:, j], [_mean(runs.shares(jb, k)) for jb in pts])
                                for j in range(len(p.assumptions))] for k in range(len(p.keys))]) if pts else \
            np.empty((len(p.keys), 0))

    chosen: list[list[int]] = []
    for i in range(len(problems)):
        classify(i)
        strength = np.abs(screens[i]).max(axis=0) if screens[i].size else np.array([])
        # Sobol' indices where a verdict depends on the assumptions: chains with a conditional row
        wanted = any(c[0] == CONDITIONAL for c in classes[i])
        order = sorted((j for j in range(len(strength)) if strength[j] > 0), key=lambda j: -strength[j])
        chosen.append(order[:top] if wanted else [])
    # phase 2: the Saltelli columns of the screened-in assumptions
    runs.batch([j for i in range(len(problems)) for c in chosen[i] for j in design[i][2][c]])

    # phase 2, adaptive: a chain with a conditional row whose two leading total indices are not separated (their
    # intervals overlap: what to measure first is not settled), or whose class rests on one point (it holds, or fails,
    # at a single point: next to robust or fails throughout), takes twice the points, once (A, B and the columns)
    sizes = [n] * len(problems)
    grow = [i for i in range(len(problems)) if adapt and chosen[i] and any(
        c[0] == CONDITIONAL and (min(c[1], len(c[2]) - c[1]) <= 1 or not _separated(
            _sensitivity(problems[i], k, runs, design[i], screens[i][k], chosen[i], seed)))
        for k, c in enumerate(classes[i]))]
    for i in grow:
        sizes[i] = 2 * n
        build(i, 2 * n)
    runs.batch([j for i in grow for j in design[i][0] + design[i][1] + [jb for c in chosen[i] for jb in design[i][2][c]]])
    for i in grow:
        classify(i)

    out: list[list[Robustness]] = []
    pending: list[tuple[int, int, list[Any]]] = []  # (problem, row, decisive assumptions): their ends, then lines
    for i, p in enumerate(problems):
        rows = []
        for k, (cls, held, holds, c_holds) in enumerate(classes[i]):
            lo_w, hi_w = wilson(held, len(holds)) if holds else (math.nan, math.nan)
            share = held / len(holds) if holds else float(c_holds)
            sens = _sensitivity(p, k, runs, design[i], screens[i][k] if screens[i].size else np.array([]), chosen[i], seed)
            r = Robustness(p.targets[k], cls, share, lo_w, hi_w, len(holds), held, replications, cases, seed, c_holds,
                           len(p.assumptions), 0, sensitivity=sens, initial_points=2 * n if holds else 0)
            if cls != ROBUST or not c_holds:
                by_id = {a.id: a for a in p.assumptions}
                pending.append((i, k, [by_id[s.assumption] for s in sens[:DECISIVE]]))
            rows.append(r)
        out.append(rows)
    # phase 3: each decisive assumption at either end of its range, the others central
    ends = {(i, a.id): (job(i, {a.id: a.lo}), job(i, {a.id: a.hi})) for i, _, dec in pending for a in dec}
    runs.batch([j for pair in ends.values() for j in pair])
    lines: list[_Line] = []
    grids: list[tuple[int, int, Any, Any]] = []
    for i, k, decisive in pending:
        p, r = problems[i], out[i][k]
        for a in decisive:
            e = ends[(i, a.id)]
            lo_h, hi_h = _holds(runs.shares(e[0], k), p, k), _holds(runs.shares(e[1], k), p, k)
            sweep = _mean(runs.shares(e[1], k)) - _mean(runs.shares(e[0], k))
            r.sensitivity = [replace(s, sweep=sweep) if s.assumption == a.id else s for s in r.sensitivity]
            if lo_h == hi_h:
                r.break_even.append(_no_flip(p, k, a, lo_h))
            else:
                lines.append(_Line(i, k, a, float(a.lo), float(a.hi), lo_h, hi_h))
        if maps and r.cls == CONDITIONAL and len(decisive) >= 2:
            grids.append((i, k, decisive[0], decisive[1]))

    # phase 3: bisection on every line at once (one batch a step)
    for _ in range(bisect_steps):
        mids = {}
        for ln in lines:
            m = _mid(ln)
            if m is not None:
                mids[id(ln)] = (m, job(ln.p, {ln.a.id: m}))
        if not mids:
            break
        runs.batch([jb for _, jb in mids.values()])
        for ln in lines:
            if id(ln) in mids:
                m, jb = mids[id(ln)]
                h = _holds(runs.shares(jb, ln.row), problems[ln.p], ln.row)
                if h == ln.lo_h:
                    ln.lo_v = m
                else:
                    ln.hi_v = m
    # phase 4: the maps, and re-checks on fresh random numbers just either side (a little wider if noise blurs it)
    fresh = seed + RECHECK_OFFSET
    map_jobs = {}
    for i, k, ax, ay in grids:
        xs, ys = _grid(ax, grid), _grid(ay, grid)
        map_jobs[(i, k)] = (ax, ay, xs, ys, [[job(i, {ax.id: x, ay.id: y}) for x in xs] for y in ys])
    grid_jobs_all = [jb for *_, grid_jobs in map_jobs.values() for row in grid_jobs for jb in row]
    done: dict[int, tuple[float, float, str, str]] = {}
    for n_step, step in enumerate(RECHECK_STEPS):
        todo = [ln for ln in lines if id(ln) not in done]
        sides = {id(ln): _either_side(ln, step) for ln in todo}
        runs.batch([job(ln.p, {ln.a.id: v}, fresh) for ln in todo for v in sides[id(ln)]]
                   + (grid_jobs_all if n_step == 0 else []))
        for ln in todo:
            below, above = sides[id(ln)]
            vb = _verdict(runs.shares(job(ln.p, {ln.a.id: below}, fresh), ln.row), problems[ln.p], ln.row)
            va = _verdict(runs.shares(job(ln.p, {ln.a.id: above}, fresh), ln.row), problems[ln.p], ln.row)
            if _confirmed(ln.lo_h, vb, va) or n_step == len(RECHECK_STEPS) - 1:
                done[id(ln)] = (below, above, vb, va)
    for ln in lines:
        out[ln.p][ln.row].break_even.append(_flip(problems[ln.p], ln, *done[id(ln)], fresh))
    for (i, k), (ax, ay, xs, ys, grid_jobs) in map_jobs.items():
        holds = tuple(tuple(_holds(runs.shares(jb, k), problems[i], k) for jb in row) for row in grid_jobs)
        out[i][k].map = BreakEvenMap(ax.id, ay.id, (_labels(ax), _labels(ay)), (ax.unit, ay.unit), tuple(xs), tuple(ys), holds)
    for i, rows in enumerate(out):
        for r in rows:
            r.runs = runs.count.get(i, 0)
            rank = {s.assumption: n for n, s in enumerate(r.sensitivity)}  # break-evens in the ranking's order
            r.break_even.sort(key=lambda b, rank=rank: rank.get(b.assumption, len(rank)))
    return out


def _separated(sens: Sequence[Sensitivity]) -> bool:
    """Whether the ranking's first two total indices are told apart: the first's interval lies above the second's
    (one index or none: nothing to separate)."""
    ranked = [s for s in sens if s.total_ci is not None]
    return len(ranked) < 2 or ranked[0].total_ci[0] > ranked[1].total_ci[1]


def _rank_corr(x: np.ndarray, f: Sequence[float]) -> float:
    """Spearman's rank correlation of an assumption's values with a row's share (0 where either is constant)."""
    from scipy.stats import rankdata

    fx = np.asarray(f, dtype=float)
    ok = ~np.isnan(fx)
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(fx[ok]) == 0:
        return 0.0
    return float(np.corrcoef(rankdata(x[ok]), rankdata(fx[ok]))[0, 1])


def _sensitivity(p: Problem, k: int, runs: _Runs, design: tuple[list[Job], list[Job], list[list[Job]]],
                 rho: np.ndarray, chosen: list[int], seed: int) -> list[Sensitivity]:
    """Ranked: the screened-in assumptions by total Sobol' index, then the others by the screen's |rank correlation|."""
    if not p.assumptions:
        return []
    out: list[Sensitivity] = []
    if chosen:
        fa = np.array([_mean(runs.shares(j, k)) for j in design[0]])
        fb = np.array([_mean(runs.shares(j, k)) for j in design[1]])
        fab = np.array([[_mean(runs.shares(design[2][c][r], k)) for c in chosen] for r in range(len(design[0]))])
        for c, ix in zip(chosen, sobol_indices(fa, fb, fab, seed=seed)):
            a = p.assumptions[c]
            if math.isnan(ix.total):
                out.append(Sensitivity(a.id, _labels(a), None, None, None, None, float(rho[c])))
            else:
                out.append(Sensitivity(a.id, _labels(a), ix.first, (ix.first_lo, ix.first_hi), ix.total,
                                       (ix.total_lo, ix.total_hi), float(rho[c])))
    rest = [Sensitivity(a.id, _labels(a), None, None, None, None, float(rho[j]) if len(rho) else 0.0)
            for j, a in enumerate(p.assumptions) if j not in chosen]
    out.sort(key=lambda s: (-(s.total if s.total is not None else -1.0), -abs(s.screen)))
    rest.sort(key=lambda s: -abs(s.screen))
    if all(s.total is None for s in out):  # no index defined: the screen ranks every assumption
        return sorted(out + rest, key=lambda s: -abs(s.screen))
    return out + rest


def _mid(ln: _Line) -> float | None:
    if getattr(ln.a, "integer", False):
        lo, hi = sorted((ln.lo_v, ln.hi_v))
        return float(math.floor((lo + hi) / 2)) if hi - lo > 1 else None
    return (ln.lo_v + ln.hi_v) / 2


def _either_side(ln: _Line, step: float) -> tuple[float, float]:
    """Just below and just above the flip: the bracket's ends for a whole number, else ``step`` of the range either side."""
    lo, hi = sorted((ln.lo_v, ln.hi_v))
    if getattr(ln.a, "integer", False):
        return lo, hi
    mid, width = (lo + hi) / 2, max(hi - lo, step * (float(ln.a.hi) - float(ln.a.lo)))
    return max(float(ln.a.lo), mid - width), min(float(ln.a.hi), mid + width)


def _confirmed(holds_below: bool, v_below: str, v_above: str) -> bool:
    """The re-check shows the flip: reachable on the holding side, not on the other."""
    from .assess import REACHABLE

    return (v_below == REACHABLE) == holds_below and (v_above == REACHABLE) != holds_below


def _grid(a: Any, n: int) -> list[float]:
    if getattr(a, "integer", False):
        vals = sorted({float(round(v)) for v in np.linspace(a.lo, a.hi, n)})
        return vals
    return [float(v) for v in np.linspace(a.lo, a.hi, n)]


def _context(p: Problem, skip: str, lang: str) -> str:
    """The demand and staff the line is drawn at (the sentence's "at 40 applications a day and 12 staff")."""
    shown = [a for a in p.assumptions if a.id != skip and a.unit in ("per_workday", "staff")][:3]
    if not shown:
        return ""
    sep = "、" if lang == "zh" else ", "
    # an assumption's label carries its unit (sim.model.assumptions.Assumption.label)
    return sep.join(f"{a.label(lang)} {float(a.central):g}"
                    for a in shown)


def _others(p: Problem, a: Any, lang: str) -> str:
    ctx = _context(p, a.id, lang)
    if lang == "zh":
        return "其余假设取中值" + (f"（{ctx}）" if ctx else "")
    return "the other assumptions at their central values" + (f" ({ctx})" if ctx else "")


def _no_flip(p: Problem, k: int, a: Any, holds: bool) -> BreakEven:
    t = p.targets[k]
    rng = {lang: f"{_fmt(a.lo)}–{_fmt(a.hi)}" for lang in ("zh", "en")}
    sentence = {
        "zh": f"{t}：{a.label('zh')}在 {rng['zh']} 范围内取任何值（{_others(p, a, 'zh')}）都不改变结论——"
              f"{'始终可达成' if holds else '始终不可达成'}。",
        "en": f"{t}: no value of {a.label('en')} within {rng['en']} changes the verdict ({_others(p, a, 'en')}): "
              f"{'it holds' if holds else 'it does not hold'} all along.",
    }
    return BreakEven(a.id, _labels(a), a.unit, float(a.lo), float(a.hi), False, sentence=sentence)


def _flip(p: Problem, ln: _Line, below: float, above: float, v_below: str, v_above: str, fresh: int) -> BreakEven:
    from .assess import verdict_words

    a, t = ln.a, p.targets[ln.row]
    lo, hi = sorted((ln.lo_v, ln.hi_v))
    holds_below = ln.lo_h  # the bracket's low end keeps the verdict of the range's low end
    near = lo if holds_below else hi  # the bracket's end where it still holds: the sentence is true as written
    confirmed = _confirmed(holds_below, v_below, v_above)
    sentence: dict[str, str] = {}
    for lang in ("zh", "en"):
        sign = "≤" if holds_below else "≥"
        vb, va = verdict_words(v_below, lang), verdict_words(v_above, lang)
        if confirmed:
            sentence[lang] = (f"{t} 在{a.label(lang)} {sign} {_fmt(near)} 时可达成（{_others(p, a, lang)}；以新的随机数复核："
                              f"{_fmt(below)} 处{vb}，{_fmt(above)} 处{va}）。" if lang == "zh"
                              else f"{t} holds while {a.label(lang)} {sign} {_fmt(near)}, {_others(p, a, lang)} "
                                   f"(re-checked on fresh random numbers: {vb} at {_fmt(below)}, {va} at {_fmt(above)}).")
        else:
            sentence[lang] = (
                f"{t}：按判定所用随机数，结论在{a.label(lang)}约 {_fmt(near)} 处翻转；但以新的随机数（种子 {fresh}）在其两侧"
                f"（{_fmt(below)}、{_fmt(above)}）复核，结论为{vb}、{va}，未得到确认——翻转点落在模拟误差之内，不给出临界值。"
                if lang == "zh" else
                f"{t}: on the verdict's random numbers the verdict flips near {a.label(lang)} = {_fmt(near)}, but "
                f"re-simulated on fresh random numbers (seed {fresh}) just either side ({_fmt(below)}, {_fmt(above)}) it is "
                f"{vb} and {va}: not confirmed, the flip is within simulation noise, so no break-even value is given.")
    return BreakEven(a.id, _labels(a), a.unit, float(a.lo), float(a.hi), True, value=float(near) if confirmed else None,
                     near=float(near), holds_below=holds_below, confirmed=confirmed, checked=(below, above, v_below, v_above),
                     sentence=sentence)


# --------------------------------------------------------------------------- the runner that simulates
def simulation_runner(chains: Sequence[Any], problems: Sequence[Problem], *, replications: int | Sequence[int],
                      cases: int, apply: Callable[..., tuple[Any, Any]], backend: Any = None) -> Runner:
    """A runner that simulates each job's spec (``chains[i]``: a :mod:`sim.analysis.robustness_runs` spec, or a
    ``(process, scenario)`` pair for a plain :class:`~sim.analysis.robustness_runs.Chain`) at its point on the
    ``fast`` executor, at ``replications`` × ``cases``, on ``backend`` (default :class:`~sim.engine.backends.Serial`)."""
    from ..engine.backends import Serial
    from .robustness_runs import Chain, simulate_point

    parts = backend or Serial()
    reps = [replications] * len(chains) if isinstance(replications, int) else list(replications)  # per chain
    specs = [Chain(*c) if isinstance(c, tuple) else c for c in chains]

    def run(jobs: Sequence[Job]) -> list[list[list[float]]]:
        payload = [(specs[p], values, problems[p].keys, reps[p], cases, seed, apply) for p, values, seed in jobs]
        where = Serial() if len(payload) < 4 else parts  # a pool costs more than it saves on a handful of runs
        return where.map(simulate_point, payload)

    return run


def check_budget(problems: Sequence[Problem], *, points: int, top: int, replications: int, cases: int,
                 cost: Sequence[int] | None = None) -> int:
    """Refuse (:func:`sim.model.bounds.check_case_budget`) before any run when the most simulations the analysis
    could take exceed the case budget; return that number of runs. ``cost[i]``: runs one point of problem ``i``
    takes at most (2 for a variant and its baseline, 1 + the 市县 for a 全省 row; default 1)."""
    from ..model.bounds import check_case_budget

    most = 0
    for i, p in enumerate(problems):
        d, rows = len(p.assumptions), len(p.keys)
        jobs = 1 if not d else (1 + 2 * 2 * points + 2 * min(d, DECISIVE) * rows + min(top, d) * 2 * points  # adaptive: ×2
                                + rows * DECISIVE * (BISECT_STEPS + 2 * len(RECHECK_STEPS)) + rows * GRID * GRID)  # maps: at most
        most += jobs * (1 if cost is None else cost[i])
    check_case_budget([(replications, cases)] * most)
    return most


# --------------------------------------------------------------------------- the assessment's rows
def _baseline_of(r: Any) -> str | None:
    test = r.check_obj.test if r.check_obj is not None else None
    return test.baseline if test is not None else None


def robust_rows(assessment: Any) -> dict[str, list[Any]]:
    """The performance rows judged over the assumptions, grouped by what a point simulates: per chain, the rows
    judged on a share (or mean) of its cases (key: the process path); per variant and baseline, the rows compared
    with the baseline, case times or T30's filings (key: ``"<variant> vs <baseline>"``)."""
    from .assess import FILINGS

    out: dict[str, list[Any]] = {}
    for r in assessment.rows:
        if r.kind != "performance" or r.metric == "fee" or r.check_obj is None:
            continue
        base = _baseline_of(r)
        if r.method == "simulated" and r.process in assessment.results:
            out.setdefault(r.process, []).append(r)
        elif r.method == "baseline" and base in assessment.inputs and (r.metric == FILINGS or r.process in assessment.results):
            out.setdefault(f"{r.process} vs {base}", []).append(r)
    return out


def _spec(assessment: Any, rs: list[Any], assumptions: Callable[..., Sequence[Any]]) -> tuple[Any, tuple[Any, ...], int]:
    """What a point of the group ``rs`` simulates (:mod:`sim.analysis.robustness_runs`), its box, and the runs a point
    costs at most (for the case budget)."""
    from .assess import FILINGS
    from .robustness_runs import Chain, Filings, Paired, joint_assumptions

    first = rs[0]
    process, scenario = assessment.inputs[first.process]  # as loaded and given
    if first.method == "baseline":
        bprocess, bscenario = assessment.inputs[_baseline_of(first)]
        if first.metric == FILINGS:  # the same firms before and after: a share both read moves both, to the same value
            from ..model.scenario import Scenario

            box = joint_assumptions(Filings.box(assumptions(process, scenario)), Filings.box(assumptions(bprocess, Scenario())))
            return Filings(process, bprocess, scenario), box, 0  # no simulated case: counted firms
        mine, theirs = tuple(assumptions(process, scenario)), tuple(assumptions(bprocess, bscenario))
        return Paired(process, scenario, bprocess, bscenario, mine, theirs), joint_assumptions(mine, theirs), 2
    province = tuple((k, r.required) for k, r in enumerate(rs) if r.cities and r.statistic == "share")
    if not province:
        return Chain(process, scenario), tuple(assumptions(process, scenario)), 1
    from .cities import load_cities

    cities = getattr(assessment, "cities", None) or load_cities()
    order = tuple(dict.fromkeys(c["city"] for r in rs if r.cities for c in r.cities))  # weakest first at the central point
    return Chain(process, scenario, province, cities, order), tuple(assumptions(process, scenario)), 1 + len(order)


def _named(r: Any) -> str:
    """How a break-even sentence names the row: the target, its check, and 全省 when every 市县 decides."""
    tail = [x for x in (r.check, "全省" if r.cities and r.statistic == "share" else "") if x]
    return r.target + (f" ({', '.join(tail)})" if tail else "")


def assess_robustness(assessment: Any, *, points: int = DEFAULT_POINTS, top: int = DEFAULT_TOP, backend: Any = None,
                      assumptions: Callable[..., Sequence[Any]] | None = None,
                      apply: Callable[..., tuple[Any, Any]] | None = None, maps: bool = True) -> dict[int, Robustness]:
    """Judge every performance row of ``assessment`` over its assumption box (:func:`robust_rows`), at the
    assessment's cases, replications and seed; set each row's ``robustness``, ``break_even`` and
    ``sensitivity`` and return ``id(row) -> Robustness``. A row compared with a baseline is judged at each point on
    both models (:class:`~sim.analysis.robustness_runs.Paired`), T30 on its counted firms
    (:class:`~sim.analysis.robustness_runs.Filings`), a 全省 row in every 市县 (:class:`~sim.analysis.robustness_runs.Chain`).

    ``assumptions(process, scenario)`` and ``apply(process, scenario, values)`` default to
    :func:`sim.model.assumptions.assumptions_of` and :func:`~sim.model.assumptions.at_point`.
    """
    from .assess import judged_threshold

    if assumptions is None or apply is None:
        from ..model import assumptions as model_assumptions

        assumptions = assumptions or model_assumptions.assumptions_of
        apply = apply or model_assumptions.at_point
    by_chain = robust_rows(assessment)
    problems, chains, rows, reps, cost = [], [], [], [], []
    for name, rs in by_chain.items():
        res = assessment.results.get(rs[0].process)
        spec, found, per_point = _spec(assessment, rs, assumptions)
        problems.append(Problem(name, found, tuple((r.metric, judged_threshold(r.check_obj), r.statistic) for r in rs),
                                tuple(r.required for r in rs), tuple(_named(r) for r in rs)))
        chains.append(spec)
        # --precision: as many replications as the verdict's run had
        reps.append(len(res.replications) if res is not None and res.replications else assessment.replications)
        cost.append(per_point)
        rows.append(rs)
    check_budget(problems, points=points, top=top, replications=max(reps, default=1), cases=assessment.cases, cost=cost)
    runner = simulation_runner(chains, problems, replications=reps, cases=assessment.cases, apply=apply,
                               backend=backend)
    found_all = analyse(problems, runner, n=points, top=top, seed=assessment.seed, replications=assessment.replications,
                        cases=assessment.cases, maps=maps)
    out: dict[int, Robustness] = {}
    for rs, results, n_reps in zip(rows, found_all, reps):
        for r, rob in zip(rs, results):
            rob.replications = n_reps
            r.robustness = rob.as_dict()
            r.break_even = [b.as_dict() for b in rob.break_even]
            r.sensitivity = [s.as_dict() for s in rob.sensitivity]
            out[id(r)] = rob
    assessment.robust = out
    return out


def summary(assessment: Any) -> dict[str, Any] | None:
    """``--json``'s top-level robustness: the design, the count per class and the simulations it took (None: not judged)."""
    found = getattr(assessment, "robust", None) or {}
    if not found:
        return None
    rows = [r for r in assessment.rows if id(r) in found]
    runs = {(r.process, _baseline_of(r) if r.method == "baseline" else None): found[id(r)].runs
            for r in rows}  # every row of a chain (or of a variant against one baseline) shares its runs
    robs = list(found.values())
    return {"counts": {c: sum(r.cls == c for r in robs) for c in CLASSES}, "interval": "wilson95",
            "points": max(r.points for r in robs), "replications": assessment.replications, "cases": assessment.cases,
            "seed": assessment.seed, "runs": sum(runs.values()), "chains": len(runs), "rule": RULE}
