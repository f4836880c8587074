"""Bundled staff what-ifs add staff to the model's own: they never lower it (issue 11 item 10).

The registrar what-if once set the registrar to 6 ("4 + 2") while the model had 12, so "adding
staff" halved it. These tests compare every bundled what-if with the scenario it extends, after
both are resolved against the process (its defaults, the scenario's agencies and edits).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from sim.bpmn.loader import load_process
from sim.model.edits import apply_scenario_edits
from sim.model.levers import Staff
from sim.model.scenario import Scenario, resolve_scenario
from sim.scenarios import load_scenario

SC = Path(__file__).resolve().parents[1] / "scenarios"
WHATIFS = sorted(SC.glob("whatif_*.yaml"))


def staff_of(scenario: Scenario, process_file: str) -> dict[str, int]:
    """Staff per agency as a run would use it: process defaults, then the scenario, then its edits."""
    process, sc = apply_scenario_edits(load_process(process_file), scenario)
    return {a: s.staff for a, s in resolve_scenario(process, sc).agencies.items() if s.staff is not None}


def parent_of(path: Path) -> Scenario | None:
    extends = yaml.safe_load(path.read_text(encoding="utf-8")).get("extends")
    return load_scenario(path.parent / extends) if extends else None


@pytest.mark.parametrize("path", WHATIFS, ids=lambda p: p.stem)
def test_no_bundled_whatif_lowers_any_agencys_staff(path: Path) -> None:
    child = load_scenario(path)
    parent = parent_of(path)
    process = child.process
    assert process, f"{path.name} names no process"
    before = staff_of(parent if parent is not None else Scenario(), process)
    after = staff_of(child, process)
    lowered = {a: (before[a], n) for a, n in after.items() if a in before and n < before[a]}
    assert not lowered, f"{path.name} lowers staff (before, after): {lowered}"


@pytest.mark.parametrize("path", [p for p in WHATIFS if re.search(r"_plus\d+$", p.stem)], ids=lambda p: p.stem)
def test_a_plus_n_whatif_adds_exactly_n_to_the_models_staff(path: Path) -> None:
    n = int(re.search(r"_plus(\d+)$", path.stem).group(1))
    child, parent = load_scenario(path), parent_of(path)
    before = staff_of(parent or Scenario(), child.process)
    after = staff_of(child, child.process)
    grown = {a: after[a] - before[a] for a in after if after[a] != before.get(a)}
    assert list(grown.values()) == [n], f"{path.name}: staff changes {grown}, expected one agency +{n}"
    # Relative, so it cannot drift when the model's staff changes: the what-if says +n, not a number.
    assert any(isinstance(e, Staff) and e.add == n for e in child.edits)


def test_registrar_whatif_raises_the_models_twelve_registrars_to_fourteen() -> None:
    path = SC / "whatif_registrar_plus2.yaml"
    child = load_scenario(path)
    assert staff_of(parent_of(path), child.process)["market_regulation"] == 12  # company_setup_2021.bpmn
    assert staff_of(child, child.process)["market_regulation"] == 14


def test_the_old_absolute_form_would_have_been_caught(tmp_path: Path) -> None:
    """The check can fail: an absolute 6 registrars on top of the 2021 chain lowers its 12."""
    bad = tmp_path / "whatif_bad_plus2.yaml"
    bad.write_text(f"name: whatif_bad_plus2\nextends: {SC / 'company_setup_2021.yaml'}\n"
                   "agencies:\n  market_regulation:\n    staff: 6\n    source: 'assumption: test'\n", encoding="utf-8")
    child = load_scenario(bad, root="/")
    assert staff_of(child, child.process)["market_regulation"] < staff_of(parent_of(bad), child.process)["market_regulation"]
