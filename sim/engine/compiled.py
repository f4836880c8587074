"""The ``compiled`` executor: SimPy processes walk the compiled graph as BPMN tokens.

A case starts one token at the start event. A token performs steps until it reaches a gateway:
an exclusive gateway picks one flow; a parallel or inclusive split starts a token per branch
(the first branch continues in the current SimPy process, so sequential chains cost one
process per case); a join absorbs tokens until all expected ones arrived. The case ends when
its last token ends.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable
from typing import Any

import simpy

from .core import CaseState, CNode, Replication

__all__ = ["run_compiled"]


def run_compiled(rep: Replication, arrivals: Iterable[float]) -> None:
    """Schedule every case of ``arrivals`` and run the replication to completion."""
    env = rep.env
    nodes = rep.model.nodes

    def spawn(case: CaseState, node: CNode, targets: list[int], w: float | None) -> None:
        for target in targets:
            case.live_tokens += 1
            for scope in node.enclosing:
                case.scope_live[scope] += 1
            env.process(token(case, target, w))  # a token starts now: the parent's reading of the clock holds

    def absorbed(case: CaseState, node: CNode) -> None:
        for scope in node.enclosing:
            case.scope_live[scope] -= 1

    def token(case: CaseState, index: int, w: float | None = None) -> Generator[simpy.Event, Any, None]:
        # w: the statutory clock's working time now, once a step (or the parent token) has told us
        visit = rep.visit
        while True:
            node: CNode = nodes[index]
            visit(case, node)
            kind = node.kind
            if kind == "task" or kind == "timer":
                w = yield from rep.perform_step(case, node, w)
            elif kind == "end":
                case.reached_end = True
                break
            elif kind == "parallel" or kind == "inclusive":
                if node.n_incoming > 1:  # a join
                    expected = node.n_incoming if kind == "parallel" else case.inclusive_expect.get(node.index, node.n_incoming)
                    arrived = case.joins.get(node.index, 0) + 1
                    if arrived < expected:
                        case.joins[node.index] = arrived
                        absorbed(case, node)
                        break
                    case.joins[node.index] = 0
                if len(node.succ) > 1:
                    branches = list(range(len(node.succ))) if kind == "parallel" else rep.route(case, node)
                    if kind == "inclusive" and node.join_for is not None:
                        case.inclusive_expect[node.join_for] = len(branches)
                    spawn(case, node, [node.succ[j] for j in branches[1:]], w)
                    index = node.succ[branches[0]]
                    continue
            elif kind == "exclusive" and len(node.succ) > 1:
                index = node.succ[rep.route(case, node)[0]]
                continue
            elif kind == "scope_exit":  # a subprocess with several ends completes with its last token
                left = case.scope_live[node.index] - 1
                case.scope_live[node.index] = left
                if left > 0:
                    absorbed(case, node)
                    break
            if node.sets:  # a step that sets attributes has ended: later gateways read the new values
                rep.apply_sets(case, node)
            if node.opens is not None:
                case.scope_live[node.opens] = 1
            # start, pass, exclusive merge, task, timer: follow the flow(s)
            succ = node.succ
            if not succ:
                break
            spawn(case, node, succ[1:], w)  # several flows without a gateway: parallel tokens (BPMN semantics)
            index = succ[0]
        case.live_tokens -= 1
        if case.live_tokens == 0 and case.reached_end:
            rep.finish_case(case)  # (a case whose last token died at a join never finishes; the runner reports it)

    def source() -> Generator[simpy.Event, Any, None]:
        for case_id, t in enumerate(arrivals):
            if t > env.now:
                yield env.timeout(t - env.now)
            case = rep.new_case(case_id)
            case.live_tokens = 1
            env.process(token(case, rep.model.start))

    env.process(source())
    env.run()
