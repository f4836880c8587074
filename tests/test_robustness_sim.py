"""Robustness on real simulations of bundled chains: break-evens that re-check by an independent run,
the same output serially, on a pool and on Dask, and the shape of the assessment's rows."""

from __future__ import annotations

import dataclasses
import html
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim
from sim.analysis import assess as A
from sim.analysis.robustness import assess_robustness
from sim.engine.backends import Dask, ProcessPool, Serial
from sim.model.levers import Scale, apply_levers
from sim.targets import load_register

REPO = Path(__file__).resolve().parents[1]
PRECISION = dict(replications=A.DEFAULT_REPLICATIONS, cases=A.DEFAULT_CASES, seed=4)  # the verdicts' own precision


@dataclass(frozen=True)
class Factor:
    """The tests' own Assumption-like object: a step's duration × a factor (a Scale lever)."""

    id: str
    step: str
    part: str
    lo: float
    hi: float
    central: float = 1.0
    unit: str = "×"
    integer: bool = False

    def label(self, lang: str = "zh") -> str:
        return f"{self.step} {self.part}"


# per chain: the steps whose duration is ranged in these tests (the models' own ranges: sim.model.assumptions)
FACTORS = {
    "company_setup_2021": [("t_register", "both", 0.5, 3.0), ("t_seal", "both", 0.5, 2.0)],
    "water_2021": [("t_major_road", "both", 0.5, 1.5)],
}


def factors(process, scenario):  # noqa: ANN001 - the sim.model.assumptions.assumptions_of signature
    return [Factor(f"{s}.{part}", s, part, lo, hi) for s, part, lo, hi in FACTORS.get(process.id, [])]


def at_factors(process, scenario, values):  # noqa: ANN001 - the sim.model.assumptions.at_point signature
    found = {f.id: f for f in factors(process, scenario)}
    return apply_levers(process, scenario, [Scale(found[k].step, v, found[k].part) for k, v in sorted(values.items())
                                            if v != 1.0])


def _sub(*ids: str):
    reg = load_register(REPO / "scenarios" / "targets.yaml")
    return dataclasses.replace(reg, targets=tuple(t for t in reg.targets if t.id in ids))


@pytest.fixture(scope="module")
def judged():
    """Three bundled targets on three chains, over the models' own assumption ranges (sim.model.assumptions). They
    flip inside their ranges (a confirmed break-even); T01/T03 no longer do since company_setup_2021 was rebuilt
    from the baseline + the plan's measures (they fail throughout: no break-even to re-check)."""
    a = A.assess(_sub("T19", "T21", "T23"), **PRECISION)
    rob = assess_robustness(a, points=8)
    return a, rob


def test_break_evens_re_check_on_three_bundled_targets(judged) -> None:
    from sim.model.assumptions import at_point

    a, rob = judged
    checked = 0
    for target in ("T19", "T21", "T23"):
        row = next(r for r in a.rows if r.target == target)
        found = [b for b in rob[id(row)].break_even if b.confirmed]
        assert found, f"{target}: no confirmed break-even ({[b.sentence['en'] for b in rob[id(row)].break_even]})"
        for b in found:
            below, above, vb, va = b.checked
            assert (vb == A.REACHABLE) != (va == A.REACHABLE)
            # independently of the analysis: simulate either side on fresh random numbers and judge by the rule
            verdicts = [_verdict_at(row, at_point(*a.inputs[row.process], {b.assumption: v}), PRECISION["seed"] + 1)
                        for v in (below, above)]
            assert verdicts == [vb, va] and (verdicts[0] == A.REACHABLE) != (verdicts[1] == A.REACHABLE)
            assert b.lo <= below < b.value < above <= b.hi or b.lo <= below <= b.value < above <= b.hi
            assert f"{b.value:.3g}" in b.sentence["en"] and f"{b.value:.3g}" in b.sentence["zh"]
            checked += 1
    assert checked >= 3


def _verdict_at(row, point, seed: int) -> str:  # noqa: ANN001 - a Row, (process, scenario)
    """The row's rule at a point, simulated independently of the analysis; a 全省 row: the weakest of the window and
    every 市县 (sim.analysis.cities.judge_cities, each 市县 simulated)."""
    from sim.analysis.cities import judge_cities

    th = A.judged_threshold(row.check_obj)
    out = sim.simulate(*point, cases=PRECISION["cases"], replications=PRECISION["replications"], seed=seed, executor=sim.Fast())
    found = [A.verdict(*A.share_meeting(out, row.metric, th), row.required)]
    if row.cities:
        found += [v.verdict for v in judge_cities(point[0], point[1], row.metric, th, row.required, cases=PRECISION["cases"],
                                                  replications=PRECISION["replications"], seed=seed)]
    return min(found, key=[A.NOT_REACHABLE, A.AT_RISK, A.REACHABLE].index)


def test_rows_carry_robustness_break_even_and_sensitivity_as_json(judged) -> None:
    from sim.commands._json import strict_json

    a, _ = judged
    rows = [r.as_dict() for r in a.rows]
    text = strict_json(rows)
    for d in json.loads(text):
        if d["kind"] != "performance":
            assert d["robustness"] is None
            continue
        rob = d["robustness"]
        assert {"class", "share", "lo", "hi", "points", "replications", "cases"} <= set(rob)
        assert rob["class"] in ("robust", "conditional", "fails") and rob["initial_points"] == 16
        assert rob["points"] in (16, 32) and rob["adapted"] == (rob["points"] == 32)  # the adaptive step doubles, once
        assert rob["replications"] == PRECISION["replications"] and rob["cases"] == PRECISION["cases"]
        assert 0 <= rob["lo"] <= rob["share"] <= rob["hi"] <= 1
        ranked = [s["total"] for s in d["sensitivity"] if s["total"] is not None]
        assert ranked == sorted(ranked, reverse=True) and {"assumption", "first_order", "total"} <= set(d["sensitivity"][0])
        if rob["class"] != "robust" or d["verdict"] != "reachable":
            assert d["break_even"] and all({"assumption", "value", "unit", "sentence"} <= set(b) for b in d["break_even"])


def _fingerprint(a) -> list:  # noqa: ANN001
    return [(r.target, r.check, r.robustness, r.break_even, r.sensitivity) for r in a.rows]


def test_same_seed_same_output_serial_pool_and_dask() -> None:
    from distributed import Client, LocalCluster, get_task_stream

    def once(backend):  # noqa: ANN001
        a = A.assess(_sub("T03"), replications=4, cases=60, seed=9)
        assess_robustness(a, points=4, assumptions=factors, apply=at_factors, backend=backend)
        return _fingerprint(a)
    serial = once(Serial())
    pool = once(ProcessPool(workers=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        with get_task_stream(client) as stream:
            on_dask = once(Dask(client))
        workers = {t["worker"] for t in stream.data}  # the points spread over both workers
    assert serial == pool == on_dask
    assert serial[0][2]["initial_points"] == 8 and len(workers) == 2
    other = A.assess(_sub("T03"), replications=4, cases=60, seed=10)
    assess_robustness(other, points=4, assumptions=factors, apply=at_factors)
    assert _fingerprint(other) != serial


def test_report_shows_the_robustness_section_in_zh_and_en(judged, tmp_path) -> None:
    from sim.report.html import _ROBUST, write_report

    a, rob = judged
    conditional = [r for r in rob.values() if r.cls == "conditional"]
    assert conditional and all(r.map is not None for r in conditional if r.assumptions >= 2)  # T19, T21, T23 flip inside these ranges
    assert any(r.map is not None for r in conditional)
    for lang in ("zh", "en"):
        page = write_report(a, [], tmp_path / lang, lang=lang, diagrams=False).read_text(encoding="utf-8")
        section = page[page.index(html.escape(_ROBUST[lang]["title"])):]
        assert _ROBUST[lang]["classes"]["conditional"] in section
        # per conditional row its map (two assumptions or more) and its Sobol' bars
        pictures = sum((r.map is not None) + any(s.total is not None for s in r.sensitivity) for r in conditional)
        assert section.count("<img") == pictures >= len(conditional)
        for r in conditional:
            assert html.escape(r.break_even[0].sentence[lang][:12]) in page
        assert (tmp_path / lang / "robustness.csv").exists()
    plain = A.assess(_sub("T03"), replications=3, cases=40, seed=1)
    page = write_report(plain, [], tmp_path / "plain", lang="en", diagrams=False).read_text(encoding="utf-8")
    assert html.escape(_ROBUST["en"]["title"]) not in page  # not judged over the assumptions: no section


def test_cli_assess_json_rows_carry_robustness(tmp_path, monkeypatch, capsys) -> None:
    import functools

    import sim.targets
    from sim.cli import main

    register = tmp_path / "targets.yaml"  # T03 and T04 on the bundled model (its assumptions ranged)
    register.write_text(f"""targets:
  - id: T03
    clause: 二(一)1
    chain: company_setup
    metric: whole setup
    unit: 工作日
    max: 1
    test: {{process: {REPO / 'processes' / 'company_setup_2021.bpmn'}, metric: case_workdays}}
  - id: T04
    clause: 二(一)2(3)
    chain: company_setup
    metric: cost of seals and tax UKEY
    unit: yuan
    equals: 0
    test: {{process: {REPO / 'processes' / 'company_setup_2021.bpmn'}, metric: fee}}
""", encoding="utf-8")
    monkeypatch.setattr(sim.targets, "load_register", functools.partial(sim.targets.load_register, root=REPO,
                                                                       expected_ids=("T03", "T04")))
    register = str(register)
    assert main(["assess", "--register", register, "--quick", "--robust", "--points", "2", "--no-report", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (t03,) = [r for r in out["rows"] if r["target"] == "T03"]
    rob = t03["robustness"]
    assert rob["class"] in ("robust", "conditional", "fails") and rob["points"] == 4 and rob["replications"] == 3
    assert rob["assumptions"] >= 5 and 0 <= rob["lo"] <= rob["share"] <= rob["hi"] <= 1
    assert t03["sensitivity"] and {"assumption", "first_order", "total"} <= set(t03["sensitivity"][0])
    assert all(s["assumption"].startswith(("t_", "agency.", "arrivals.")) for s in t03["sensitivity"])
    if rob["class"] != "robust" or t03["verdict"] != "reachable":
        assert t03["break_even"]
    assert out["robustness"]["points"] == 4 and sum(out["robustness"]["counts"].values()) == 1
    assert [r["robustness"] for r in out["rows"] if r["target"] != "T03"] == [None]  # a design check: none
    assert main(["assess", "--register", register, "--quick", "--robust", "--points", "2", "--no-report", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    words = {"robust": "robust:", "conditional": "conditional:", "fails": "fails throughout:"}[rob["class"]]
    assert f"T03 (company_setup_2021.bpmn): {words} reachable at {rob['held']} of 4 assumption points" in text
    assert all(b["sentence"]["en"] in text for b in t03["break_even"])  # same seed: the same sentences
    assert main(["assess", "--register", register, "--quick", "--no-report", "--json"]) == 0  # --quick: off by default
    assert json.loads(capsys.readouterr().out)["robustness"] is None
    with pytest.raises(SystemExit) as exc:
        main(["assess", "--register", register, "--points", "12", "--no-report"])
    assert exc.value.code == 2


def test_the_central_point_is_the_verdicts_own_run(judged) -> None:
    a, rob = judged
    judged_rows = [r for r in a.rows if id(r) in rob]
    assert judged_rows  # (the 全省 rule per 市县 at a point: tests/test_robustness_runs.py)
    for r in judged_rows:  # common random numbers: at the central values the verdict is the assessment's
        assert rob[id(r)].central_holds == (r.verdict == A.REACHABLE)


def refusing(process, scenario, values):  # noqa: ANN001 - an at_point that finds the point unusable
    from sim.errors import ScenarioError

    raise ScenarioError([("t_register.wait", "expected a value inside the range")], file="x.yaml")


def test_a_point_that_cannot_run_names_the_point() -> None:
    from sim.analysis.robustness import Problem, simulation_runner
    from sim.errors import SimulationError

    process = sim.load_process(REPO / "processes" / "company_setup_2021.bpmn")
    p = Problem("c", (), (("workdays", None),), (0.95,), ("T03",))
    run = simulation_runner([(process, sim.Scenario())], [p], replications=2, cases=10, apply=refusing)
    with pytest.raises(SimulationError, match=r"company_setup_2021.bpmn at the assumption point t_register.wait=0.7: "
                                              r"x.yaml: t_register.wait: expected a value inside the range"):
        run([(0, (("t_register.wait", 0.7),), 1)])
