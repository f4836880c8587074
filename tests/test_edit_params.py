"""Ranges on the settings of a scenario's edits (sim.model.edit_params): ids, the rules of sim.model.assumptions, and
what a point of the box changes."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.model.assumptions import assumptions_of, at_point
from sim.model.process import Flow, Node, Process, TaskFacts, parse_duration
from sim.model.scenario import parse_scenario

ASSUMED = "assumption: what-if, plausible as ranged"


def _process() -> Process:
    t = Node("t", "task", "审核", facts=TaskFacts(agency="a", work=parse_duration("2 h"), wait=parse_duration("uniform(1, 3) workday"),
                                               source="work: assumption: guess; wait: assumption: guess",
                                               extra={"range.work": "1-4 h | guess", "range.wait": "0.5-4 workday | guess"}))
    return Process.build("p", "p", [Node("s", "start"), t, Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")],
                         defaults={"arrivals.rate_per_workday": "10", "range.arrivals.rate_per_workday": "5-20 per_workday | guess",
                                   "agency.a.staff": "2", "range.agency.a.staff": "1-4 staff | guess",
                                   "source": "arrivals: assumption: guess; staff: assumption: guess"})


def _scenario(edits: list, ranges: dict | None = None, **more):  # noqa: ANN003
    return parse_scenario({"edits": edits, **({"ranges": ranges} if ranges else {}), **more}, file="w.yaml")


def _box(edits: list, ranges: dict | None = None, **more) -> dict:  # noqa: ANN003
    return {a.id: a for a in assumptions_of(_process(), _scenario(edits, ranges, **more))}


def _wait(point) -> float:  # noqa: ANN001
    return point[0].nodes["t"].facts.wait.mean


def _rate(point) -> float:  # noqa: ANN001 - the arrival rate a run of the point uses (growth folded in)
    from sim.model.scenario import resolve_scenario

    return resolve_scenario(*point).arrivals.rate_per_workday


@pytest.mark.parametrize("edit, rid, rng, central", [
    ({"scale": "t", "factor": 0.5, "part": "wait"}, "t.scale.factor", "0.3-0.8 factor | why", 0.5),
    ({"online": "t", "work_factor": 0.5}, "t.online.work_factor", "0.25-1 | why", 0.5),
    ({"accept_incomplete": "t", "factor": 0.5}, "t.accept_incomplete.factor", "0.3-0.9 × | why", 0.5),
    ({"accept_incomplete": "t", "saved": "1 workday"}, "t.accept_incomplete.saved", "0.5-1.5 workday | why", 1.0),
    ({"commitment": "t", "inspection_share": 0.1, "override_rule": "a test step"}, "t.commitment.inspection_share",
     "0.05-0.3 share | why", 0.1),
    ({"demand": 2.0}, "demand.factor", "1.5-3 factor | why", 2.0),
])
def test_each_edit_setting_takes_a_range_by_its_step_qualified_id(edit, rid, rng, central) -> None:
    made = {"t_inspect_t.work": "1-4 h | the inspection the edit adds"} if "commitment" in edit else {}
    box = _box([{**edit, "source": ASSUMED}], {rid: rng, **made})
    assert box[rid].central == pytest.approx(central) and box[rid].what == "edit"
    assert "措施参数" in box[rid].label("zh") and "lever's setting" in box[rid].label("en")
    if not made:  # without a range the setting is the scenario's choice: allowed (rule 3 does not ask), and not sampled
        assert rid not in _box([{**edit, "source": ASSUMED}])


def test_arrivals_growth_takes_a_range_too() -> None:
    box = _box([], {"arrivals.growth": "1.5-3 factor | why"}, arrivals={"growth": 2.0, "source": ASSUMED})
    assert box["arrivals.growth"].central == 2.0
    sc = _scenario([], {"arrivals.growth": "1.5-3 factor | why"}, arrivals={"growth": 2.0, "source": ASSUMED})
    assert _rate(at_point(_process(), sc, {})) == pytest.approx(20.0)
    assert _rate(at_point(_process(), sc, {"arrivals.growth": 3.0})) == pytest.approx(30.0)


@pytest.mark.parametrize("edit, rid, rng, message", [
    ({"scale": "t", "factor": 0.5, "part": "wait"}, "t.scale.factor", "0.6-0.8 | why", "does not contain the value the model uses (0.5)"),
    ({"scale": "t", "factor": 0.5, "part": "wait"}, "t.scale.factor", "0.3-0.8 workday | why", "the range is in workday but the number is in factor"),
    ({"scale": "t", "factor": 0.5, "part": "wait", "source": "seed 二(一)1"}, "t.scale.factor", "0.3-0.8 | why", "needs its own source"),
    ({"commitment": "t", "inspection_share": 0.0, "override_rule": "a test step"}, "t.commitment.inspection_share",
     "0-0.3 share | why", "creates no inspection branch"),
])
def test_a_bad_range_on_an_edit_setting_names_its_yaml_path(edit, rid, rng, message) -> None:
    with pytest.raises(ScenarioError, match=f"w.yaml: ranges.{rid}") as exc:
        _box([{"source": ASSUMED, **edit}], {rid: rng})
    assert message in str(exc.value)


def test_an_unknown_edit_id_says_what_is_expected() -> None:
    with pytest.raises(ScenarioError, match=r"ranges.t.scale.factr: no number with this id.*did you mean \"t.scale.factor\"") as exc:
        _box([{"scale": "t", "factor": 0.5, "source": ASSUMED}], {"t.scale.factr": "0.3-0.8 | why"})
    assert "<step>.scale.factor" in str(exc.value)


def test_a_factor_at_a_point_moves_the_step_on_top_of_its_own_assumption() -> None:
    ranges = {"t.scale.factor": "0.25-1 | why"}
    sc = _scenario([{"scale": "t", "factor": 0.5, "part": "wait", "source": ASSUMED}], ranges)
    p = _process()
    assert _wait(at_point(p, sc, {})) == pytest.approx(1.0)  # 2 workdays ×0.5
    assert _wait(at_point(p, sc, {"t.scale.factor": 1.0})) == pytest.approx(2.0)
    box = {a.id: a for a in assumptions_of(p, sc)}
    assert (box["t.wait"].lo, box["t.wait"].hi) == pytest.approx((0.25, 2.0))  # the wait's range moved ×0.5 with the edit
    # composed: the wait at 1.5 (at the central factor) and the factor ×2 → 3 workdays
    assert _wait(at_point(p, sc, {"t.wait": 1.5, "t.scale.factor": 1.0})) == pytest.approx(3.0)
    online = _scenario([{"online": "t", "work_factor": 0.5, "source": ASSUMED}], {"t.online.work_factor": "0.25-1 | why"})
    assert at_point(p, online, {"t.online.work_factor": 0.25})[0].nodes["t"].facts.work.mean == pytest.approx(0.5)


def test_a_saving_at_a_point_moves_the_wait_by_the_difference() -> None:
    ranges = {"t.accept_incomplete.saved": "0.5-1.9 workday | why"}
    sc = _scenario([{"accept_incomplete": "t", "saved": "1 workday", "source": ASSUMED}], ranges)
    p = _process()
    assert _wait(at_point(p, sc, {})) == pytest.approx(1.0)
    assert _wait(at_point(p, sc, {"t.accept_incomplete.saved": 0.5})) == pytest.approx(1.5)
    assert _wait(at_point(p, sc, {"t.accept_incomplete.saved": 1.5, "t.wait": 2.0})) == pytest.approx(1.5)
    with pytest.raises(ScenarioError, match="ranges.t.accept_incomplete.saved: saving 1.9 workday leaves no wait"):
        at_point(p, sc, {"t.accept_incomplete.saved": 1.9, "t.wait": 0.5})


def test_an_inspection_share_at_a_point_routes_the_inspection_branch_and_stands_for_both_shares() -> None:
    edit = [{"commitment": "t", "inspection_share": 0.1, "source": ASSUMED, "override_rule": "a test step"}]
    rid = "t.commitment.inspection_share"
    box = _box(edit, {rid: "0.05-0.3 share | why", "t_inspect_t.work": "1-4 h | why"})
    assert not any(k.endswith(".share") for k in box)  # the branch shares the edit made are this one number
    q, sc = at_point(_process(), _scenario(edit, {rid: "0.05-0.3 share | why", "t_inspect_t.work": "1-4 h | why"}), {rid: 0.3})
    (into,) = [f for f in q.flows.values() if f.target == "t_inspect_t"]
    assert sc.routing[into.id] == pytest.approx(0.3) and sum(sc.routing.values()) == pytest.approx(1.0)
    with pytest.raises(ScenarioError, match="is the inspection share that ranges.t.commitment.inspection_share already ranges"):
        _box(edit, {rid: "0.05-0.3 share | why", f"{into.id}.share": "0.05-0.3 share | why", "t_inspect_t.work": "1-4 h | why"})


def test_a_demand_factor_at_a_point_multiplies_the_rate_on_top_of_its_own_assumption() -> None:
    sc = _scenario([{"demand": 2.0, "source": ASSUMED}], {"demand.factor": "1.5-3 | why"})
    p = _process()
    assert _rate(at_point(p, sc, {})) == pytest.approx(20.0) and _rate(at_point(p, sc, {"demand.factor": 3.0})) == pytest.approx(30.0)
    # the rate at 10 (its central is 20 with the edit) and the factor ×1.5: 15 a working day
    assert _rate(at_point(p, sc, {"arrivals.rate_per_workday": 10.0, "demand.factor": 3.0})) == pytest.approx(15.0)


def test_the_robust_design_samples_an_edit_setting() -> None:
    from sim.analysis.robustness import Problem, analyse

    sc = _scenario([{"scale": "t", "factor": 0.5, "part": "wait", "source": ASSUMED}], {"t.scale.factor": "0.25-1 | why"})
    box = tuple(assumptions_of(_process(), sc))
    seen = []

    def run(jobs):  # noqa: ANN001, ANN202 - the wait at each point decides: the row holds while it is within 1.2 workdays
        out = []
        for _, values, _ in jobs:
            seen.append(dict(values)["t.scale.factor"])
            w = _wait(at_point(_process(), sc, dict(values)))
            out.append([[1.0 if w <= 1.2 else 0.0] * 4])
        return out

    p = Problem("p", box, (("workdays", None),), (0.95,), ("T99",))
    (r,), = analyse([p], run, n=8, seed=1, replications=4, cases=10, maps=False)
    assert len(set(seen)) > 8 and min(seen) >= 0.25 and max(seen) <= 1.0  # sampled over its range
    assert r.cls == "conditional"
