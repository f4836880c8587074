"""The SQLite run history."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.errors import ReformSimError
from sim.whatif.distributed import RunSpec, run_spec
from sim.whatif.history import History, code_version

ROOT = Path(__file__).parents[1]


def test_record_list_get_round_trip(tmp_path: Path) -> None:
    spec = RunSpec.from_file(ROOT / "scenarios" / "company_setup_2021.yaml", cases=20, replications=3, seed=4)
    result = run_spec(spec)
    h = History(tmp_path)
    run_id = h.record_result(result, kind="test", scenario_hash=spec.hash, file="x.yaml")
    rows = h.list()
    assert [r["id"] for r in rows] == [run_id]
    row = h.get(run_id)
    assert row["seed"] == 4 and row["replications"] == 3 and row["cases"] == 20
    assert row["scenario_hash"] == spec.hash and len(spec.hash) == 16
    assert row["per_replication"]["workdays"] == result.replication_means("workdays").tolist()
    assert row["kpis"]["workdays"]["mean"] == pytest.approx(result.kpi("workdays").mean)
    assert row["code_version"].startswith(__import__("sim").__version__)
    assert (tmp_path / "runs.sqlite").exists()


def test_content_hash_follows_settings_not_layout() -> None:
    a = RunSpec.from_file(ROOT / "scenarios" / "company_setup_2021.yaml", seed=1)
    b = RunSpec.from_file(ROOT / "scenarios" / "company_setup_2021.yaml", seed=2)
    assert a.hash != b.hash
    assert a.hash == RunSpec.from_file(ROOT / "scenarios" / "company_setup_2021.yaml", seed=1).hash


def test_unknown_run_id_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ReformSimError) as err:
        History(tmp_path).get(42)
    assert "no run with id 42" in str(err.value)


def test_code_version_has_package_version() -> None:
    assert code_version().startswith("0.")
