"""Shared fixtures."""

from __future__ import annotations

import os
import shutil

import pytest

# `make test` and CI install Debian's chromium first (scripts/ensure-system-deps.sh --chromium) and set
# this, so there a missing browser fails the browser tests instead of skipping them.
REQUIRE_BROWSER = "REFORMSIM_REQUIRE_BROWSER"


@pytest.fixture
def chromium() -> str:
    """The headless browser's path. Only a bare `pytest` on a machine without chromium skips."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") or os.environ.get(REQUIRE_BROWSER):
            pytest.fail("no chromium although make test / CI requires it: scripts/ensure-system-deps.sh --chromium did not install it")
        pytest.skip("no chromium on this machine and not run by `make test` (which installs it and requires it)")
    return path


# company_setup_2021 with its fixed waits cut (tests/data/premise/company_setup_staffing.yaml): since the 2021 model is
# rebuilt from the baseline + the plan's measures its waits alone exceed a working day, so the tests whose premise is
# "staffing decides T01/T03" run on this one instead.
PREMISE = os.path.join(os.path.dirname(__file__), "data", "premise", "company_setup_staffing.yaml")


def write_premise_bpmn(directory) -> "os.PathLike[str]":  # noqa: ANN001 - a pathlib.Path
    """The premise as a BPMN file ``<directory>/company_setup_2021.bpmn`` (same name: the register and catalog
    lookups see the company-setup chain), each cut wait ranged around its new mean (half to three times)."""
    import sim
    from sim.bpmn.writer import write_bpmn
    from sim.model.assumptions import with_ranges
    from sim.scenarios import load_scenario

    scenario = load_scenario(PREMISE)
    process = sim.apply_edits(sim.load_process(scenario.process), scenario.edits)
    cut = [e.step for e in scenario.edits]
    ranges = {}
    for sid in cut:
        wait = process.nodes[sid].facts.wait
        ranges[f"{sid}.wait"] = f"{wait.mean * 0.5:.3g}-{wait.mean * 3:.3g} day | test premise: half to three times the cut wait"
    path = directory / "company_setup_2021.bpmn"
    write_bpmn(with_ranges(process, ranges), path)
    return path


def premise_project(directory) -> "os.PathLike[str]":  # noqa: ANN001 - a pathlib.Path
    """A copy of the project's processes/ and target register in ``directory`` with company_setup_2021.bpmn replaced by
    the premise (:func:`write_premise_bpmn`); returns the register's path (``directory/scenarios/targets.yaml``)."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    shutil.copytree(repo / "processes", directory / "processes", ignore=shutil.ignore_patterns("_src"))
    (directory / "scenarios").mkdir()
    shutil.copy(repo / "scenarios" / "targets.yaml", directory / "scenarios" / "targets.yaml")
    write_premise_bpmn(directory / "processes")
    return directory / "scenarios" / "targets.yaml"
