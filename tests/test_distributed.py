"""Serial, process pool and a real Dask LocalCluster give the same numbers to the last digit."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import sim
from sim.commands.run import load_target
from sim.engine.runner import CASE_METRICS
from sim.whatif.distributed import RunSpec, run_specs

ROOT = Path(__file__).parents[1]


def _fingerprint(result: sim.SimulationResult) -> list[list[float]]:
    return [result.replication_means(m).tolist() for m in CASE_METRICS] + [
        [a["utilisation"] for a in result.agency_table()]]


def test_serial_pool_and_dask_identical() -> None:
    from distributed import Client, LocalCluster

    specs = [RunSpec.from_file(ROOT / "scenarios" / name, cases=30, replications=4, seed=11)
             for name in ("construction_lowrisk_2021.yaml", "whatif_parallel_prepermit.yaml")]
    serial = [_fingerprint(r) for r in run_specs(specs, chunk=1)]
    pool = [_fingerprint(r) for r in run_specs(specs, workers=2, chunk=1)]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        seen = []
        on_dask = [_fingerprint(r) for r in run_specs(specs, scheduler=client, chunk=3, progress=lambda d, t: seen.append(d))]
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        on_dask_by_address = [_fingerprint(r) for r in run_specs(specs[:1], scheduler=cluster.scheduler_address)]
    assert serial == pool == on_dask  # exact equality, not approx
    assert on_dask_by_address[0] == serial[0]
    assert seen[-1] == 8


def test_matches_sim_simulate() -> None:
    path = ROOT / "scenarios" / "whatif_registrar_plus2.yaml"
    process, scenario = load_target(path)
    direct = sim.simulate(process, scenario, cases=25, replications=3, seed=5)
    via = run_specs([RunSpec.from_file(path, cases=25, replications=3, seed=5)])[0]
    assert np.array_equal(direct.replication_means("workdays"), via.replication_means("workdays"))


def test_different_seed_gives_different_numbers() -> None:
    path = ROOT / "scenarios" / "company_setup_2021.yaml"
    a, b = run_specs([RunSpec.from_file(path, cases=25, replications=2, seed=1), RunSpec.from_file(path, cases=25, replications=2, seed=2)])
    assert a.replication_means("workdays").tolist() != b.replication_means("workdays").tolist()


def test_simulate_backends_are_objects_and_agree() -> None:
    """sim.simulate takes its back-end as an object; Serial, ProcessPool(2) and Dask give the same numbers,
    edits of the what-if included."""
    from distributed import Client, LocalCluster

    scenario = sim.load_scenario(ROOT / "scenarios" / "whatif_parallel_prepermit.yaml")
    assert scenario.edits  # the edits travel with the jobs, applied once before they are sent
    run = lambda backend: _fingerprint(sim.simulate(scenario.process, scenario, cases=30, replications=4, seed=11,  # noqa: E731
                                                    backend=backend))
    serial, pool = run(sim.Serial()), run(sim.ProcessPool(workers=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        on_dask = run(sim.Dask(client))
    assert serial == pool == on_dask
    via_specs = _fingerprint(run_specs([RunSpec.from_file(ROOT / "scenarios" / "whatif_parallel_prepermit.yaml",
                                                          cases=30, replications=4, seed=11)], backend=sim.ProcessPool(2))[0])
    assert via_specs == serial


def test_flags_are_refused_past_the_cli_edge() -> None:
    import pytest

    from sim.engine.backends import backend_for
    from sim.errors import SimulationError

    with pytest.raises(SimulationError, match=r"executor must be an executor object such as sim.Compiled\(\)"):
        sim.simulate(ROOT / "tests/data/engine/mini.bpmn", cases=5, replications=1, executor="spiff")  # type: ignore[arg-type]
    with pytest.raises(SimulationError, match="backend must be a back-end object"):
        sim.simulate(ROOT / "tests/data/engine/mini.bpmn", cases=5, replications=1, backend=2)  # type: ignore[arg-type]
    with pytest.raises(SimulationError, match='"workers" must be a whole number >= 1, got 0'):
        sim.ProcessPool(workers=0)
    assert backend_for(1) == sim.Serial() and backend_for(3) == sim.ProcessPool(3)
