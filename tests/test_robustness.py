"""Verdicts over the assumption box on analytic runners: classes, shares, break-evens, the noise check, Sobol'."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from sim.analysis.robustness import CONDITIONAL, FAILS, GRID, ROBUST, Problem, analyse
from sim.analysis.robustness_design import robustness_class, saltelli, to_values, wilson
from sim.analysis.robustness_sobol import sobol_indices


@dataclass(frozen=True)
class Box:
    """An Assumption-like range (the tests' own; the models' come from sim.model.assumptions)."""

    id: str
    central: float
    lo: float
    hi: float
    unit: str = "workday"
    integer: bool = False

    def label(self, lang: str = "zh") -> str:
        return self.id


def runner(share_of, *, reps: int = 4, keys: int = 2):
    """Jobs -> per key the per-replication shares ``share_of(values, seed)`` (the same on every replication)."""
    def run(jobs):
        return [[[share_of(dict(v), s)] * reps for _ in range(keys)] for _, v, s in jobs]
    return run


def one(problem: Problem, run, **kw):
    kw.setdefault("n", 16)
    return analyse([problem], run, seed=3, replications=4, cases=10, **kw)[0][0]


X, Y = Box("x", 0.3, 0.0, 1.0), Box("y", 0.5, 0.0, 1.0)


def test_classes_from_synthetic_evaluators() -> None:
    p = Problem("c", (X, Y), (("workdays", None),), (0.5,), ("T99",))
    robust = one(p, runner(lambda v, s: 0.9))
    fails = one(p, runner(lambda v, s: 0.2))
    cond = one(p, runner(lambda v, s: 1 - v["x"]))
    assert (robust.cls, fails.cls, cond.cls) == (ROBUST, FAILS, CONDITIONAL)
    assert robust.share == 1.0 and fails.share == 0.0 and robust.points == fails.points == 32
    # the true share of the box where 1 - x >= 0.5 is one half: inside the Wilson interval, near the estimate
    assert cond.lo <= 0.5 <= cond.hi and abs(cond.share - 0.5) < 0.1
    assert robust.break_even == [] and robust.central_holds
    assert all(not b.flips and b.value is None for b in fails.break_even) and fails.break_even


def test_break_even_found_re_checked_and_ranked_first() -> None:
    p = Problem("c", (Y, X), (("workdays", None),), (0.6,), ("T99",))
    r = one(p, runner(lambda v, s: 1 - v["x"]))  # holds while x <= 0.4; y does nothing
    assert [s.assumption for s in r.sensitivity][0] == "x"
    be = {b.assumption: b for b in r.break_even}
    v = be["x"].value
    assert be["x"].confirmed and be["x"].holds_below and 0.4 - 1 / 32 < v <= 0.4  # the last value where it holds
    assert f"x ≤ {v:.3g}" in be["x"].sentence["en"] and f"x ≤ {v:.3g}" in be["x"].sentence["zh"]
    below, above, vb, va = be["x"].checked
    assert below < be["x"].value < above and vb == "reachable" and va != "reachable"
    assert "y" not in be or not be["y"].flips  # y never flips it


def test_break_even_held_above_for_whole_numbers() -> None:
    staff = Box("agency.registrar.staff", 4, 1, 8, unit="staff", integer=True)
    p = Problem("c", (staff,), (("workdays", None),), (0.95,), ("T03",))
    r = one(p, runner(lambda v, s: 1.0 if v[staff.id] >= 3 else 0.5))
    (b,) = r.break_even
    assert b.confirmed and b.value == 3 and b.holds_below is False and "≥ 3" in b.sentence["en"]
    assert b.checked[:2] == (2, 3)


def test_a_flip_that_fresh_random_numbers_do_not_confirm_gives_no_value() -> None:
    # On the verdict's seed the share flips at x = 0.4; on any other seed it holds everywhere (noise).
    p = Problem("c", (X,), (("workdays", None),), (0.6,), ("T99",))
    r = one(p, runner(lambda v, s: (1 - v["x"]) if s == 3 else 0.99))
    (b,) = r.break_even
    assert b.flips and not b.confirmed and b.value is None and abs(b.near - 0.4) < 1 / 32
    assert "not confirmed" in b.sentence["en"] and "未得到确认" in b.sentence["zh"]


def test_no_assumptions_means_the_central_verdict() -> None:
    p = Problem("c", (), (("workdays", None),), (0.5,), ("T99",))
    r = one(p, runner(lambda v, s: 0.4))
    assert r.cls == FAILS and r.points == 0 and math.isnan(r.lo) and r.runs == 1


def test_map_for_conditional_rows() -> None:
    p = Problem("c", (X, Y), (("workdays", None),), (0.5,), ("T99",))
    r = one(p, runner(lambda v, s: 1 - (v["x"] + v["y"]) / 2))  # holds where x + y <= 1
    m = r.map
    assert m is not None and {m.x, m.y} == {"x", "y"} and len(m.xs) == len(m.ys) == GRID
    for iy, y in enumerate(m.ys):
        for ix, x in enumerate(m.xs):
            assert m.holds[iy][ix] == (x + y <= 1 + 1e-9)


def test_runs_are_shared_and_same_seed_same_output() -> None:
    seen = []

    def counting(jobs):
        seen.extend(jobs)
        return runner(lambda v, s: 1 - v["x"])(jobs)
    p = Problem("c", (X, Y), (("workdays", None), ("calendar_days", None)), (0.6, 0.7), ("T1", "T2"))
    a = analyse([p, p], counting, n=8, seed=5, replications=4, cases=10)
    b = analyse([p, p], runner(lambda v, s: 1 - v["x"]), n=8, seed=5, replications=4, cases=10)
    assert [[r.as_dict() for r in rs] for rs in a] == [[r.as_dict() for r in rs] for rs in b]
    assert len(seen) == len(set(seen))  # two rows, four phases: no point simulated twice
    assert a[0][0].runs == a[1][0].runs == len(seen) // 2  # counted per problem


def test_design_points_fill_the_box_and_depend_on_the_seed() -> None:
    a, b = saltelli(3, 64, seed=1)
    a2, _ = saltelli(3, 64, seed=1)
    a3, _ = saltelli(3, 64, seed=2)
    assert np.array_equal(a, a2) and not np.array_equal(a, a3)
    # every eighth of each axis holds one eighth of the points (Sobol' balance)
    for col in np.concatenate([a, b], axis=1).T:
        assert np.array_equal(np.bincount((col * 8).astype(int), minlength=8), [8] * 8)
    v = to_values(a[:, :2], [1, 10], [6, 20], [True, False])
    assert set(np.unique(v[:, 0])) == {1, 2, 3, 4, 5, 6} and v[:, 1].min() >= 10 and v[:, 1].max() <= 20
    with pytest.raises(ValueError, match="power of 2"):
        saltelli(2, 12, seed=1)


def test_wilson_and_class_edges() -> None:
    lo, hi = wilson(16, 32)
    assert lo < 0.5 < hi and hi - lo < 0.4
    assert wilson(0, 32)[0] == 0.0 and wilson(32, 32)[1] == 1.0
    with pytest.raises(ValueError):
        robustness_class([])


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_on_ishigami() -> None:
    n = 4096
    a, b = (u * 2 * np.pi - np.pi for u in saltelli(3, n, seed=11))
    ab = np.stack([ishigami(np.where(np.arange(3) == i, b, a)) for i in range(3)], axis=1)
    ix = sobol_indices(ishigami(a), ishigami(b), ab, seed=1)
    first, total = (0.3139, 0.4424, 0.0), (0.5576, 0.4424, 0.2437)  # analytic (Ishigami & Homma 1990)
    for k in range(3):
        assert abs(ix[k].first - first[k]) < 0.04 and abs(ix[k].total - total[k]) < 0.04
        assert ix[k].first_lo - 0.02 <= first[k] <= ix[k].first_hi + 0.02
        assert ix[k].total_lo - 0.02 <= total[k] <= ix[k].total_hi + 0.02


def test_sobol_indices_of_a_constant_are_undefined() -> None:
    ix = sobol_indices(np.ones(8), np.ones(8), np.ones((8, 2)), seed=1)
    assert all(math.isnan(i.total) for i in ix)


def test_a_target_stated_as_an_average_is_judged_on_the_mean() -> None:
    from sim.targets import Threshold

    # per replication the mean hours are 40 + 20·x (± 0.1): the mean meets ≤ 50 while x ≤ 0.5
    p = Problem("c", (X,), (("hours", Threshold("max", None, 50.0), "mean"),), (0.95,), ("T26",))

    def run(jobs):
        return [[[40 + 20 * dict(v)["x"] + d for d in (-0.1, 0.1, -0.1, 0.1)]] for _, v, _ in jobs]
    r = one(p, run)
    assert r.cls == CONDITIONAL and abs(r.share - 0.5) < 0.15
    (b,) = r.break_even
    assert b.confirmed and b.holds_below and 0.5 - 1 / 16 < b.value <= 0.5


def test_the_adaptive_step_doubles_the_points_only_where_the_ranking_is_not_settled() -> None:
    """Two assumptions of equal weight: their total indices cannot be told apart, so the chain takes twice the points
    (the same first points: a Sobol' prefix); one that dominates is told apart at 16 and stays; a row with no
    conditional verdict never grows."""
    p = Problem("c", (X, Y), (("workdays", None),), (0.5,), ("T99",))
    even = one(p, runner(lambda v, s: 1 - (v["x"] + v["y"]) / 2, keys=1))
    assert even.cls == CONDITIONAL and even.initial_points == 32 and even.points == 64
    assert even.as_dict()["adapted"] and "grew to 64" in even.text("en") and "增至 64" in even.text("zh")
    # the doubled design starts with the first: the first 16 A points are the 16-point design's
    a16, _ = saltelli(2, 16, 3)
    a32, _ = saltelli(2, 32, 3)
    assert np.allclose(a16, a32[:16])
    lopsided = one(p, runner(lambda v, s: 1 - v["x"] - 0.01 * v["y"], keys=1))
    first, second = [s for s in lopsided.sensitivity if s.total_ci is not None][:2]
    assert first.total_ci[0] > second.total_ci[1] and lopsided.points == lopsided.initial_points == 32
    assert not lopsided.as_dict()["adapted"]
    assert one(p, runner(lambda v, s: 1 - (v["x"] + v["y"]) / 2, keys=1), adapt=False).points == 32
    assert one(p, runner(lambda v, s: 0.9, keys=1)).points == 32  # robust: nothing to rank


def test_a_class_resting_on_one_point_takes_the_adaptive_step() -> None:
    """Holds only in a sliver of the box: at 32 points where it holds at one, the chain doubles its points to see
    whether the row is conditional or fails throughout; held at two, it keeps its 32."""
    p = Problem("c", (X, Y), (("workdays", None),), (0.5,), ("T99",))
    for edge in (0.01, 0.02, 0.03, 0.04, 0.06, 0.08):
        r = one(p, runner(lambda v, s, edge=edge: 1.0 if v["x"] < edge else 0.0, keys=1), adapt=False)
        if r.held == 1:
            break
    else:
        pytest.fail("no sliver held at exactly one of the 32 points")
    grown = one(p, runner(lambda v, s: 1.0 if v["x"] < edge else 0.0, keys=1))
    assert grown.initial_points == 32 and grown.points == 64
    two = one(p, runner(lambda v, s: 1.0 if v["x"] < 0.06 else 0.0, keys=1))  # x alone decides: ranking told apart
    assert two.held == 2 and two.points == two.initial_points == 32
