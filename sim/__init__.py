"""ReformSim: is this reform target reachable, how surely, and what holds it back.

The main job in a few lines::

    import sim
    chain = sim.load_process("processes/company_setup_2021.bpmn")
    result = sim.simulate(chain, cases=500, replications=10, seed=7)
    print(result.summary()["kpis"]["workdays"])
"""

from .bpmn.loader import load_bpmn, load_process
from .engine.runner import SimulationResult, simulate
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
    "Process",
    "Scenario",
    "SimulationResult",
    "ReformSimError",
    "ModelError",
    "ScenarioError",
    "CalendarError",
    "ExpressionError",
    "SimulationError",
]

__version__ = "0.1.0"
