"""ReformSim: is this reform target reachable, how surely, and what holds it back.

The main job in a few lines::

    import sim
    chain = sim.load_process("processes/company_setup_2021.bpmn")
    result = sim.simulate(chain, cases=500, replications=10, seed=7, backend=sim.ProcessPool(workers=2))
    print(result.summary()["kpis"]["workdays"])
"""

from .bpmn.loader import load_bpmn, load_process
from .engine.backends import Dask, ProcessPool, Serial
from .engine.executors import Compiled, Fast, Spiff
from .engine.runner import Run, SimulationResult, prepare_run, simulate
from .errors import CalendarError, ExpressionError, ModelError, ReformSimError, ScenarioError, SimulationError
from .model.process import Process
from .model.scenario import Scenario, parse_scenario
from .scenarios import load_scenario

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
    # loaded on first use (they pull in matplotlib, pandas or pm4py):
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
    """Import the heavier parts of the public API only when they are used (PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
