"""The ``spiff`` executor: every case is a real SpiffWorkflow ``BpmnWorkflow``; SimPy owns time.

SpiffWorkflow decides what is ready (gateways, joins, subprocesses run by its own engine
steps); each ready user/manual task and each waiting timer is performed on SimPy time by the
same :meth:`~sim.engine.core.Replication.perform_step` as the ``compiled`` executor, then
completed in the workflow. Conditions go through :class:`SafeScriptEngine`, never Python's
``eval`` with builtins; gateways routed by shares get conditions written by us that read the
route drawn from the case's random row — the same draw the ``compiled`` executor makes.

SpiffWorkflow's timers read the wall clock; we give each timer a far-future duration so it
waits, and mark it fired ourselves when its simulated time has passed.

SpiffWorkflow searches a workflow's task tree only :data:`SPIFF_SEARCH_DEPTH` levels deep
(``TaskIterator(max_depth=1000)``, also inside its joins and ``is_completed``); a case whose tree
grows deeper (a long loop: every pass adds levels) would lose its remaining tasks and look
finished. We never let that pass silently: such a case is refused with the reason. Each step and
each gateway decision counts against the case's :class:`~sim.engine.core.ProgressGuard`.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Generator, Iterable
from typing import Any

import simpy
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.bpmn_task_spec import _BpmnCondition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskIterator, TaskState

from ..bpmn.loader import LoadedProcess, normalise_condition
from ..errors import ExpressionError, SimulationError
from ..model.expressions import compile_condition
from ..stack import with_deep_stack
from .core import CaseState, Replication

__all__ = ["run_spiff", "SafeScriptEngine", "prepare_spec"]

_ROUTE = "__reformsim_route__"  # prefix of conditions written by us, never read from a file
_FAR_FUTURE = "P36500D"
SPIFF_SEARCH_DEPTH = 1000  # SpiffWorkflow 3.2: TaskIterator's default max_depth, not configurable per workflow


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates conditions with the restricted evaluator; refuses every script."""

    def __init__(self, rep: Replication, case: CaseState) -> None:
        super().__init__()
        self.rep = rep
        self.case = case

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        text = expression.strip()
        if text.startswith(_ROUTE):
            _, gateway, position = text.split(":")
            node = self.rep.model.nodes[int(gateway)]
            key = (node.index, task.id)  # one draw per visit of the gateway, shared by its flows
            if key not in self.case.routes:
                self.case.routes[key] = self.rep.route(self.case, node)
                self.rep.visit(self.case, node)
            chosen = self.case.routes[key]
            return int(position) in chosen
        if getattr(task.task_spec, "event_definition", None) is not None and "Timer" in type(task.task_spec.event_definition).__name__:
            return _FAR_FUTURE
        return compile_condition(normalise_condition(text))(self.case.attributes)  # compiled once per expression

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        raise ExpressionError(f'script task "{task.task_spec.bpmn_id}" would run code; ReformSim simulates it as a step and never executes scripts')


def prepare_spec(loaded: LoadedProcess, rep_model: Any) -> Any:
    """A copy of the spec whose share-routed gateways read the route drawn for the case."""
    spec = copy.deepcopy(loaded.spec)
    subspecs = copy.deepcopy(loaded.subprocess_specs)
    by_id = {c.id: c for c in rep_model.nodes}
    for s in [spec, *subspecs.values()]:
        for ts in s.task_specs.values():
            node = by_id.get(getattr(ts, "bpmn_id", None) or "")
            if node is None or node.shares is None or not hasattr(ts, "cond_task_specs"):
                continue
            targets = [rep_model.nodes[t].id for t in node.succ]
            rewritten = []
            for cond, target_name in ts.cond_task_specs:
                target_id = getattr(s.task_specs[target_name], "bpmn_id", target_name)
                position = targets.index(target_id)
                rewritten.append((_BpmnCondition(f"{_ROUTE}:{node.index}:{position}"), target_name))
            ts.cond_task_specs = rewritten
            if hasattr(ts, "default_task_spec"):
                ts.default_task_spec = None
    return spec, subspecs


def run_spiff(rep: Replication, arrivals: Iterable[float], loaded: LoadedProcess) -> None:
    """Schedule every case of ``arrivals`` as a ``BpmnWorkflow`` and run the replication to completion."""
    # SpiffWorkflow copies specs and predicts task trees recursively: long chains need a deep stack
    with_deep_stack(_run_spiff, rep, arrivals, loaded, nodes=len(rep.model.nodes))


def _run_spiff(rep: Replication, arrivals: Iterable[float], loaded: LoadedProcess) -> None:
    env = rep.env
    model = rep.model
    by_id = {c.id: c for c in model.nodes}
    spec, subspecs = prepare_spec(loaded, model)

    def node_of(task: Any) -> Any:
        bpmn_id = task.task_spec.bpmn_id
        wf = task.workflow
        prefix = ""
        while wf.parent_task_id is not None:  # call activities are prefixed in the compiled graph
            parent = wf.parent_workflow.get_task_from_id(wf.parent_task_id) if wf.parent_workflow else None
            if parent is not None and type(parent.task_spec).__name__ == "CallActivity":
                prefix = f"{parent.task_spec.bpmn_id}/" + prefix
            wf = wf.parent_workflow
        node = by_id.get(prefix + bpmn_id)
        if node is None:
            raise SimulationError(f'SpiffWorkflow task "{bpmn_id}" has no node in the compiled model')
        return node

    def case_process(case_id: int) -> Generator[simpy.Event, Any, None]:
        case = rep.new_case(case_id)
        wf = BpmnWorkflow(spec, subspecs, script_engine=SafeScriptEngine(rep, case))
        _engine_steps(wf, case)
        started: set[Any] = set()
        in_flight: list[simpy.Process] = []  # steps of this case now taking simulated time
        while not wf.is_completed():
            pending = [t for t in wf.get_tasks(state=TaskState.READY) if t.task_spec.manual]
            pending += [t for t in wf.get_tasks(state=TaskState.WAITING) if _is_timer(t)]
            for task in pending:
                if task.id not in started:
                    started.add(task.id)
                    in_flight.append(env.process(step(case, wf, task)))
            in_flight = [p for p in in_flight if not p.triggered]
            if not in_flight:
                _check_depth(wf, case)
                raise SimulationError(_stuck(wf, case_id, loaded.path))
            yield env.any_of(in_flight)
        _check_depth(wf, case, finished=True)  # is_completed() cannot see past SPIFF_SEARCH_DEPTH
        rep.finish_case(case)

    def step(case: CaseState, wf: BpmnWorkflow, task: Any) -> Generator[simpy.Event, Any, None]:
        node = node_of(task)
        rep.visit(case, node)
        yield from rep.perform_step(case, node)
        if node.sets:  # before SpiffWorkflow routes on: its gateways read the new values
            rep.apply_sets(case, node)
        if _is_timer(task):
            task._set_internal_data(event_fired=True)
            wf.refresh_timers()
        else:
            task.run()
        _engine_steps(wf, case)

    def source() -> Generator[simpy.Event, Any, None]:
        for case_id, t in enumerate(arrivals):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(case_process(case_id))

    env.process(source())
    env.run()


def _engine_steps(wf: BpmnWorkflow, case: CaseState) -> None:
    """SpiffWorkflow's engine steps, its refusals said as the ``compiled`` executor says them (never its internal text)."""
    try:
        wf.do_engine_steps()
    except WorkflowException as exc:
        spec = getattr(exc, "task_spec", None)
        where = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None) or "?"
        if "No conditions satisfied" in str(exc):
            raise SimulationError(f'case {case.case_id}: no condition of gateway "{where}" holds for attributes '
                                  f"{case.attributes} and the gateway has no default flow") from None
        raise SimulationError(f'case {case.case_id}: the spiff executor cannot go on at "{where}" '
                              f"({type(exc).__name__}); run it with --executor compiled") from None


def _check_depth(wf: BpmnWorkflow, case: CaseState, *, finished: bool = False) -> None:
    """Refuse a case with unfinished tasks deeper than SpiffWorkflow searches.

    ``finished``: the workflow says it is complete, so any unfinished task at all was hidden.
    """
    unfinished = TaskIterator(wf.task_tree, state=TaskState.NOT_FINISHED_MASK, max_depth=sys.maxsize)
    hidden = next(unfinished, None) if finished else next((t for t in unfinished if t.depth >= SPIFF_SEARCH_DEPTH), None)
    if hidden is not None:
        raise SimulationError(
            f"case {case.case_id}: its SpiffWorkflow task tree grew {hidden.depth} levels deep after {case.n_visits} steps, "
            f"past the {SPIFF_SEARCH_DEPTH} levels SpiffWorkflow searches (TaskIterator max_depth), so the spiff executor "
            f'would silently lose the rest of the case (next: "{hidden.task_spec.bpmn_id or hidden.task_spec.name}"); '
            "if the case should have left a loop by now, check the conditions on the loop's exit (a case attribute is "
            "drawn once per case); otherwise run it with --executor compiled, which has no such limit")


def _stuck(wf: BpmnWorkflow, case_id: int, path: object) -> str:
    """Why a case cannot go on: which elements wait, and for what (a join for its other branches).

    Example: ``m.bpmn: case 0: the workflow is stuck, nothing is ready and nothing runs; waiting: join "j"
    (ParallelGateway: 1 of 2 branches arrived; it waits for the branch from "b", which was not taken …)``.
    """
    waiting = []
    done = {t.task_spec for t in wf.get_tasks(state=TaskState.COMPLETED)}
    for task in wf.get_tasks(state=TaskState.WAITING):
        kind = type(task.task_spec).__name__
        bpmn_id = task.task_spec.bpmn_id or task.task_spec.name
        if kind.endswith("Gateway"):
            inputs = list(getattr(task.task_spec, "inputs", []))
            missing = [f'"{i.bpmn_id or i.name}"' for i in inputs if i not in done]
            arrived = f"{len(inputs) - len(missing)} of {len(inputs)} branches arrived; " if inputs else ""
            lacking = f"it waits for the branch from {', '.join(missing)}, " if missing else "it waits for a branch "
            waiting.append(f'join "{bpmn_id}" ({kind}: {arrived}{lacking}which was not taken or never ends; use an '
                           "exclusive or inclusive gateway to merge alternative branches)")
        else:
            waiting.append(f'"{bpmn_id}" ({kind}: it waits for an event that no step of this process sends)')
    said = "; waiting: " + ", ".join(waiting[:6]) if waiting else ""
    return f"{path}: case {case_id}: the workflow is stuck, nothing is ready and nothing runs{said}"


def _is_timer(task: Any) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return definition is not None and "Timer" in type(definition).__name__ and type(task.task_spec).__name__ == "IntermediateCatchEvent"
