"""ReformSim: is this reform target reachable, how surely, and what holds it back.

The main job in a few lines::

    import sim
    chain = sim.load_process("processes/company_setup_2021.bpmn")
    result = sim.simulate(chain, cases=500, replications=10, seed=7, backend=sim.ProcessPool(workers=2))
    print(result.summary()["kpis"]["workdays"])
"""

from .errors import CalendarError, ExpressionError, ModelError, ReformSimError, ScenarioError, SimulationError

__all__ = [
    "load_process",
    "load_bpmn",
    "load_scenario",
    "parse_scenario",
    "simulate",
    "prepare_run",
    "Run",
    # parts handed to simulate(): executors and back-ends (objects, not flags)
    "Compiled",
    "Spiff",
    "Fast",
    "Serial",
    "ProcessPool",
    "Dask",
    "Process",
    "Scenario",
    "SimulationResult",
    "ReformSimError",
    "ModelError",
    "ScenarioError",
    "CalendarError",
    "ExpressionError",
    "SimulationError",
    # loaded on first use (they pull in matplotlib, pandas or pm4py; the engine and the reader
    # too, so that `reformsim` handles Ctrl-C from its first line on: sim.cli, sim.interrupts):
    "load_register",
    "assess",
    "chain_bottlenecks",
    "candidate_changes",
    "rank_changes",
    "apply_edits",
    "render_diagram",
    "render_diff",
    "diff_processes",
    "compare_results",
    "write_event_log",
    "fit_log",
    "write_overlay",
    "import_prosimos",
]

from ._version import __version__ as __version__  # one place for the version

_LAZY = {
    "load_bpmn": "sim.bpmn.loader",
    "load_process": "sim.bpmn.loader",
    "Dask": "sim.engine.backends",
    "ProcessPool": "sim.engine.backends",
    "Serial": "sim.engine.backends",
    "Compiled": "sim.engine.executors",
    "Spiff": "sim.engine.executors",
    "Fast": "sim.engine.executors",
    "Run": "sim.engine.runner",
    "SimulationResult": "sim.engine.runner",
    "prepare_run": "sim.engine.runner",
    "simulate": "sim.engine.runner",
    "Process": "sim.model.process",
    "Scenario": "sim.model.scenario",
    "parse_scenario": "sim.model.scenario",
    "load_scenario": "sim.scenarios",
    "load_register": "sim.targets",
    "assess": "sim.analysis.assess",
    "chain_bottlenecks": "sim.analysis.bottlenecks",
    "candidate_changes": "sim.analysis.sensitivity",
    "rank_changes": "sim.analysis.sensitivity",
    "apply_edits": "sim.model.edits",
    "render_diagram": "sim.report.diagram",
    "render_diff": "sim.report.diff",
    "diff_processes": "sim.report.diff",
    "compare_results": "sim.whatif.compare",
    "write_event_log": "sim.interop.eventlog",
    "fit_log": "sim.interop.fit",
    "write_overlay": "sim.interop.fit",
    "import_prosimos": "sim.interop.prosimos",
}


def __getattr__(name: str) -> object:
    """Import the parts of the public API only when they are used (PEP 562); ``from sim import simulate`` works as usual."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
