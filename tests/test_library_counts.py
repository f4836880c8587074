"""Every post-reform model in processes/ meets its count targets from the register (static path counts).

Counts (procedures, documents, stages) are checked on every path of the model: a target such as
"≤ 18 procedures" must hold however the case branches. Time and fee targets are verdicts of the
simulation, not of this test.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from sim.analysis.paths import path_counts
from sim.bpmn.loader import load_process
from sim.model.process import Process
from sim.targets import load_register

REPO = Path(__file__).parent.parent
REGISTER = load_register(REPO / "scenarios" / "targets.yaml")
COUNT_METRICS = ("procedures", "documents", "stages")


@lru_cache(maxsize=None)
def _process(rel: str) -> Process:
    return load_process(Path(REGISTER.root) / rel)  # register paths are relative to its folder


def _values(rel: str, metric: str) -> list[float]:
    attr = "n_stages" if metric == "stages" else metric
    return [float(getattr(c, attr)) for c in path_counts(_process(rel))]


CASES = [
    pytest.param(target, check, rel, id=f"{target.id}:{check.name}:{Path(rel).stem}")
    for target, check in REGISTER.tested()
    if check.test is not None and check.test.metric in COUNT_METRICS
    for rel in check.test.processes
]
# Count targets a 2021 model built from its baseline + the plan's measures (processes/measures/) does not meet, and why:
# no measure of the clause removes the step or document (a design finding, reported as does-not-comply by assess).
NOT_MET_BY_THE_MEASURES = {
    ("T14", "steps", "electricity_hv_single_2021"):
        "the DB2018 case's design review (its Beijing-weighted share of cases) stays: no measure of 二(三) removes it",
    ("T14", "documents", "electricity_hv_single_2021"):
        "besides the application's 2, the design review's, works' and inspection's documents stay: 二(三)2(1) fetches "
        "certificates for the application only",
}
POST_REFORM = sorted(f"../processes/{p.name}" for p in (REPO / "processes").glob("*_2021.bpmn"))


def test_the_count_targets_of_the_plan_are_all_checked_here():
    checked = {param.values[0].id for param in CASES}
    # T30 is no count of the file: filings per firm-year by tax mix (sim.analysis.filings, tests/test_filings.py)
    assert {"T07", "T09", "T13", "T14", "T22", "T24", "T29"} <= checked


@pytest.mark.parametrize("target, check, rel", CASES)
def test_post_reform_model_meets_its_count_target(target, check, rel):
    assert check.threshold is not None and check.test is not None
    values = _values(rel, check.test.metric)
    if check.threshold.kind == "below_baseline":
        assert check.test.baseline is not None
        worst, baseline_worst = max(values), max(_values(check.test.baseline, check.test.metric))
        assert check.threshold.met(worst, baseline=baseline_worst), (
            f"{target.id} {check.name}: {rel} has up to {worst:g} {check.test.metric}, "
            f"baseline {check.test.baseline} up to {baseline_worst:g}")
    else:
        missed = [v for v in values if not check.threshold.met(v)]
        known = NOT_MET_BY_THE_MEASURES.get((target.id, check.name, Path(rel).stem))
        if known:  # the honest design misses it: the check stays, and says when the list must shrink
            assert missed, f"{target.id} {check.name}: {rel} now meets {check.threshold}; drop it from NOT_MET_BY_THE_MEASURES"
        else:
            assert not missed, f"{target.id} {check.name}: {rel} paths with {check.test.metric} = {missed}, target {check.threshold}"


@pytest.mark.parametrize("rel", POST_REFORM)
def test_every_post_reform_model_has_countable_paths(rel):
    paths = path_counts(_process(rel))
    assert paths and all(p.procedures >= 0 for p in paths)
