"""--precision: replications added in batches until the share meeting a target is known to ±H, or a cap.

Would catch: a loop that stops before the half-width is reached (or never adds replications), a cap
that is not reported, batches that draw other random numbers than one run of the same size (same
seed, different results), a tighter precision that does not cost more replications, and assess or
run ignoring the flag or not saying what was reached.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.analysis import assess as A
from sim.cli import main
from sim.engine.runner import Precision, simulate_to_precision, widest_half_width
from sim.errors import SimulationError
from sim.targets import load_register

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "engine" / "mini.bpmn"
DATA = ROOT / "tests" / "data" / "assess"


def _within(days: float):
    return lambda res: [[r.metric("workdays").share_at_most(days) for r in res.replications]]


def _median_days() -> float:
    """A threshold near the median, so the share is about one half and its interval is wide."""
    return float(sim.simulate(MINI, cases=50, replications=2, seed=1).kpi("workdays").quantile(0.5))


def test_a_tighter_precision_uses_more_replications_and_reaches_it():
    share_of = _within(_median_days())
    loose = simulate_to_precision(MINI, None, share_of, 0.10, cases=50, seed=1, start=4, batch=4, cap=400)
    tight = simulate_to_precision(MINI, None, share_of, 0.03, cases=50, seed=1, start=4, batch=4, cap=400)
    assert not loose.precision.capped and not tight.precision.capped
    assert loose.precision.reached <= 0.10 and tight.precision.reached <= 0.03
    assert tight.precision.replications > loose.precision.replications
    assert len(tight.replications) == tight.precision.replications == tight.scenario.replications
    # the reached half-width is the one of the shares the result holds, not a number carried over from a batch
    assert tight.precision.reached == pytest.approx(widest_half_width(share_of(tight)))


def test_the_cap_stops_the_run_and_says_so():
    r = simulate_to_precision(MINI, None, _within(_median_days()), 0.0001, cases=30, seed=2, start=2, batch=3, cap=8)
    assert r.precision.replications == len(r.replications) == 8
    assert r.precision.capped and r.precision.reached > 0.0001
    assert "cap of 8" in r.precision.text("en") and "上限 8" in r.precision.text("zh")
    assert r.summary()["precision"] == {"wanted": 0.0001, "reached": r.precision.reached, "replications": 8, "cap": 8,
                                        "capped": True}


def test_batches_give_the_results_of_one_run_of_that_size():
    share_of = _within(_median_days())
    adaptive = simulate_to_precision(MINI, None, share_of, 0.05, cases=40, seed=9, start=3, batch=2, cap=60)
    once = sim.simulate(MINI, cases=40, replications=adaptive.precision.replications, seed=9)
    assert np.array_equal(adaptive.replication_means("workdays"), once.replication_means("workdays"))


def test_bad_precision_arguments_are_refused():
    for bad in (0, 1.5, -0.1, True, "0.02"):
        with pytest.raises(SimulationError, match='"precision"'):
            simulate_to_precision(MINI, None, _within(1.0), bad, cases=10)
    with pytest.raises(SimulationError, match='"cap"'):
        simulate_to_precision(MINI, None, _within(1.0), 0.05, cases=10, cap=1)
    with pytest.raises(SimulationError, match="no share"):
        simulate_to_precision(MINI, None, lambda res: [], 0.05, cases=10, start=2)


def test_assess_with_precision_reports_what_each_chain_reached():
    reg = load_register(DATA / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=DATA)
    a = A.assess(reg, replications=3, cases=40, seed=5, precision=0.03, precision_cap=60)
    rel = "processes/company_setup_2021.bpmn"
    reached = a.precision[rel]
    assert isinstance(reached, Precision) and reached.replications == len(a.results[rel].replications)
    assert reached.reached <= 0.03 or (reached.capped and reached.replications == 60)
    row = next(r for r in a.rows if r.target == "T03")
    assert (row.hi - row.lo) / 2 <= reached.reached + 1e-12  # the verdict's own interval is the one made narrow


def test_the_html_report_states_the_precision_reached(tmp_path):
    from sim.report.html import write_report

    reg = load_register(DATA / "targets.yaml", expected_ids=("T03", "T04", "T30"), root=DATA)
    a = A.assess(reg, replications=3, cases=40, seed=5, precision=0.03, precision_cap=60)
    page = write_report(a, [], tmp_path / "out", lang="zh", diagrams=False).read_text(encoding="utf-8")
    import html

    assert html.escape(a.precision["processes/company_setup_2021.bpmn"].text("zh")) in page


def test_run_cli_precision_in_json_and_refused_without_a_target(tmp_path, capsys):
    code = main(["run", str(ROOT / "scenarios" / "company_setup_2021.yaml"), "--cases", "40", "--precision", "0.05",
                 "--max-replications", "30", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["precision"]["replications"] == out["replications"] <= 30
    assert out["precision"]["reached"] <= 0.05 or out["precision"]["capped"]
    assert main(["run", str(MINI), "--precision", "0.05"]) == 2
    assert "no target of the register" in capsys.readouterr().err
    with pytest.raises(SystemExit) as refused:  # argparse: a half-width must be > 0
        main(["run", str(MINI), "--precision", "0"])
    assert refused.value.code == 2


def test_compare_cli_precision_pairs_both_runs_and_reports_it(tmp_path, capsys):
    code = main(["compare", str(ROOT / "scenarios" / "company_setup_2021.yaml"), str(ROOT / "scenarios" / "whatif_registrar_plus2.yaml"),
                 "--cases", "40", "--precision", "0.01", "--max-replications", "16", "--out", str(tmp_path / "o"), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    n = out["precision"]["replications"]
    assert out["replications"] == [n, n] and out["paired"]  # replication for replication: common random numbers kept
    assert out["precision"]["reached"] <= 0.01 or (out["precision"]["capped"] and n == 16)
