"""What a point of the assumption box simulates: a variant against its baseline on the same point, T30's counted
firms, and a 全省 row in every 市县 (sim.analysis.robustness_runs)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from types import MappingProxyType

import pytest

import sim
from sim.analysis import assess as A
from sim.analysis.cities import judge_cities, load_cities
from sim.analysis.robustness import Problem, analyse, assess_robustness, robust_rows, simulation_runner
from sim.analysis.robustness_runs import Chain, Filings, Paired, joint_assumptions, joint_value
from sim.model.assumptions import assumptions_of, at_point
from sim.targets import load_register

REPO = Path(__file__).resolve().parents[1]
FAST = dict(replications=4, cases=60, seed=3)


def _sub(*ids: str):
    reg = load_register(REPO / "scenarios" / "targets.yaml")
    return dataclasses.replace(reg, targets=tuple(t for t in reg.targets if t.id in ids))


@pytest.mark.parametrize("a, b", [((1.0, 2.0, 4.0), (0.5, 1.0, 1.5)), ((0.0, 0.3, 1.0), (0.0, 0.3, 1.0)),
                                  ((3.0, 5.0, 9.0), (10.0, 12.0, 13.0))])
def test_a_shared_assumption_moves_to_the_same_place_of_the_other_range(a, b) -> None:
    assert [joint_value(v, a, b) for v in a] == pytest.approx(list(b))  # ends meet ends, centre meets centre
    grid = [a[0] + (a[2] - a[0]) * i / 20 for i in range(21)]
    mapped = [joint_value(v, a, b) for v in grid]
    assert mapped == sorted(mapped) and all(b[0] - 1e-12 <= m <= b[2] + 1e-12 for m in mapped)
    if a == b:
        assert mapped == pytest.approx(grid)


def _pair(variant: str, baseline: str):
    pv, pb = (sim.load_process(REPO / "processes" / f) for f in (variant, baseline))
    mine, theirs = tuple(assumptions_of(pv, sim.Scenario())), tuple(assumptions_of(pb, sim.Scenario()))
    return Paired(pv, sim.Scenario(), pb, sim.Scenario(), mine, theirs), mine, theirs


def _means(point, metric: str) -> list[float]:
    res = sim.simulate(*point, **FAST, executor=sim.Fast())
    return [float(v.mean()) for v in A.values_by_replication(res, metric)]


def test_a_baseline_row_at_a_point_runs_both_models_with_the_shared_assumptions_moved_together() -> None:
    spec, mine, theirs = _pair("deregistration_precheck_2021.bpmn", "deregistration_simple_2021.bpmn")
    shared = sorted({a.id for a in mine} & {a.id for a in theirs})
    assert "attribute.is_rejected.p" in shared
    va, vb = {a.id: a for a in mine}["attribute.is_rejected.p"], {a.id: a for a in theirs}["attribute.is_rejected.p"]
    point = (("attribute.is_rejected.p", va.hi),)
    (got,) = spec.at(point, [("calendar_days", None)], FAST["replications"], FAST["cases"], FAST["seed"], at_point)
    # independently: each model at its own value (the baseline at the top of its own range), same seed
    a = _means(at_point(spec.process, sim.Scenario(), {va.id: va.hi}), "calendar_days")
    b = _means(at_point(spec.baseline, sim.Scenario(), {vb.id: vb.hi}), "calendar_days")
    assert got == [float(x < y) for x, y in zip(a, b)]
    # an assumption only the variant has moves the variant alone: the baseline stays at its central run
    only = sorted({a.id for a in mine} - {a.id for a in theirs})
    assert only, "the pre-check model has a step the simple one lacks"
    alone = next(x for x in mine if x.id == only[0])
    (got,) = spec.at(((alone.id, alone.hi),), [("calendar_days", None)], FAST["replications"], FAST["cases"], FAST["seed"],
                     at_point)
    a = _means(at_point(spec.process, sim.Scenario(), {alone.id: alone.hi}), "calendar_days")
    b = _means((spec.baseline, sim.Scenario()), "calendar_days")
    assert got == [float(x < y) for x, y in zip(a, b)]
    box = joint_assumptions(mine, theirs)
    assert [x.id for x in box] == sorted({x.id for x in mine} | {x.id for x in theirs})


def test_a_reform_that_only_wins_below_a_value_is_conditional_on_it() -> None:
    """The rule decides at every point: scaling the variant's steps up makes it lose to the baseline somewhere."""
    spec, mine, theirs = _pair("deregistration_precheck_2021.bpmn", "deregistration_simple_2021.bpmn")
    p = Problem("pair", joint_assumptions(mine, theirs), (("calendar_days", None),), (0.95,), ("T29",))
    run = simulation_runner([spec], [p], replications=FAST["replications"], cases=FAST["cases"], apply=at_point)
    (r,), = analyse([p], run, n=4, seed=FAST["seed"], replications=FAST["replications"], cases=FAST["cases"], maps=False)
    assert r.initial_points == 8 and r.points in (8, 16) and 0 <= r.held <= r.points
    assert r.cls in ("robust", "conditional", "fails")
    if r.cls != "robust":
        assert r.break_even


def test_baseline_rows_and_t30_are_judged_over_the_assumptions() -> None:
    a = A.assess(_sub("T22", "T30"), **FAST)
    groups = robust_rows(a)
    assert "../processes/gas_2021.bpmn vs ../processes/gas_baseline.bpmn" in groups
    assert "../processes/taxes_2021.bpmn vs ../processes/taxes_baseline.bpmn" in groups
    rob = assess_robustness(a, points=2, maps=False)
    for r in a.rows:
        if r.kind == A.PERFORMANCE:
            assert id(r) in rob and r.robustness is not None and r.robustness["points"] == 4
            assert rob[id(r)].central_holds == (r.verdict == A.REACHABLE)  # common random numbers: the row's own run
    from sim.analysis.robustness import summary

    assert summary(a)["chains"] == len(groups)  # a variant against its baseline is a chain of its own
    (t30,) = [r for r in a.rows if r.target == "T30"]
    ids = {s["assumption"] for s in t30.sensitivity}
    assert ids and all(i.startswith("attribute.liable_") for i in ids)  # only the tax mix enters a filings count
    assert t30.robustness["assumptions"] == len(ids)


def test_filings_at_a_point_count_the_same_firms_with_the_points_tax_mix() -> None:
    from sim.analysis import filings as fl

    after, before = (sim.load_process(REPO / "processes" / f) for f in ("taxes_2021.bpmn", "taxes_baseline.bpmn"))
    spec = Filings(after, before, sim.Scenario())
    point = (("attribute.liable_property.p", 0.6),)
    (got,) = spec.at(point, [("filings_per_year", None)], 3, 50, 5, at_point)
    shares = [dict(fl.liable_shares(p, None), property=0.6) for p in (after, before)]
    a, b = (fl.sample(p, cases=50, replications=3, seed=5, shares=s).means() for p, s in zip((after, before), shares))
    assert got == [float(x < y) for x, y in zip(a, b)]
    assert Filings.box(assumptions_of(after, sim.Scenario())) and all(
        x.id.startswith("attribute.liable_") for x in Filings.box(assumptions_of(after, sim.Scenario())))


def test_t30_with_no_ranged_input_says_no_assumption_enters() -> None:
    a = A.assess(_sub("T30"), **FAST)
    rob = assess_robustness(a, points=2, assumptions=lambda process, scenario: [], maps=False)
    (r,) = [x for x in a.rows if x.target == "T30"]
    assert r.robustness["assumptions"] == 0 and r.robustness["points"] == 0
    assert rob[id(r)].text("en") == "no ranged assumption: the verdict does not rest on one."
    assert rob[id(r)].text("zh") == "无设定范围的假设，结论不随假设变化。"


def _province_spec(cities):  # noqa: ANN001
    # the test premise (tests/conftest.py): company setup with its waits cut, so that staffing decides T03
    import tempfile

    from conftest import write_premise_bpmn

    process = sim.load_process(write_premise_bpmn(Path(tempfile.mkdtemp(prefix="premise-"))))
    order = tuple(c.id for c in cities.cities)
    return process, Chain(process, sim.Scenario(), ((0, 0.95),), cities, order)


KEY = ("workdays", A.judged_threshold(next(c for t in _sub("T03").targets for c in t.checks)))


def test_a_province_row_holds_at_a_point_only_where_every_county_holds() -> None:
    cs = load_cities()
    tiny = dataclasses.replace(cs.by_id["sanya"], staff=MappingProxyType({"market_regulation": 1}))  # one registrar
    cs = dataclasses.replace(cs, cities=(cs.reference, tiny))
    process, spec = _province_spec(cs)
    window = Chain(process, sim.Scenario())
    args = ([KEY], FAST["replications"], FAST["cases"], FAST["seed"], at_point)
    (alone,), (everywhere,) = window.at((), *args), spec.at((), *args)
    judge = lambda v: A.verdict(*A.share_interval(v), 0.95)  # noqa: E731
    assert judge(alone) == A.REACHABLE and judge(everywhere) != A.REACHABLE  # the window holds, Sanya with 1 does not
    found = judge_cities(process, sim.Scenario(), *KEY, 0.95, cases=FAST["cases"], replications=FAST["replications"],
                         seed=FAST["seed"], cities=cs)
    assert found[0].city.id == "sanya" and found[0].verdict == judge(everywhere)


@pytest.mark.parametrize("values", [(), (("t_register.wait", 0.6),), (("t_register.wait", 0.1),)])  # at risk, fails, holds
def test_trying_the_weakest_county_first_and_stopping_is_exact(values) -> None:
    """The early stop gives the same holds as judging every 市县, and at a point where the row holds the weakest's values."""
    cs = load_cities()
    process, spec = _province_spec(cs)
    args = ([KEY], FAST["replications"], FAST["cases"], FAST["seed"], at_point)
    (got,) = spec.at(values, *args)
    point = at_point(process, sim.Scenario(), dict(values))
    every = judge_cities(*point, *KEY, 0.95, cases=FAST["cases"], replications=FAST["replications"], seed=FAST["seed"],
                         cities=cs)
    window = sim.simulate(*point, **FAST, executor=sim.Fast())
    holds_everywhere = all(v.verdict == A.REACHABLE for v in every) and A.verdict(
        *A.share_meeting(window, *KEY), 0.95) == A.REACHABLE
    share, lo, hi = A.share_interval(got)
    assert (A.verdict(share, lo, hi, 0.95) == A.REACHABLE) == holds_everywhere
    if holds_everywhere:
        weakest = min(every, key=lambda v: (v.lo if not math.isnan(v.lo) else v.share, v.share))
        assert (share, lo) == pytest.approx((weakest.share, weakest.lo))
