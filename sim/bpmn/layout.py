"""Automatic left-to-right layout of a process graph, for the BPMN diagram interchange (DI).

The result should look like a diagram a person drew: the main path on one row, the branches of
a gateway stacked below it, each join on the row of its split, loops drawn as back edges under
the diagram. How:

1. Back edges (loops) are found by a depth-first search from the start events and left out, so
   the rest is a DAG.
2. Columns: a node's column is the longest path to it from a start event.
3. Rows: the chain from each start is walked; at a split the matching join is its immediate
   post-dominator, the first non-empty branch stays on the split's row and the other branches
   are stacked below, each as tall as the nesting inside it. Unstructured graphs (a branch
   that joins somewhere else) still get a row per node; a final pass pushes any node that would
   share a cell with another one down to the next free row.

Sizes are the bpmn.io defaults: task 100×80, gateway 50×50, event 36×36.

Example:
    >>> from sim.model.process import Process, Node, Flow
    >>> p = Process.build("p", "示例", [Node("s", "start"), Node("t", "task", "登记"), Node("e", "end")],
    ...                   [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> lay = layout_process(p)
    >>> lay.shapes["t"], lay.edges["f1"]
    (Bounds(x=260.0, y=80.0, width=100.0, height=80.0), ((168.0, 120.0), (260.0, 120.0)))
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from ..errors import ModelError
from ..model.process import Flow, Process
from .di import Bounds

__all__ = ["Bounds", "Layout", "layout_process", "SIZES"]

# bpmn.io default shape sizes per node kind (width, height).
SIZES: dict[str, tuple[float, float]] = {
    "task": (100.0, 80.0),
    "pass": (36.0, 36.0),
    "start": (36.0, 36.0),
    "end": (36.0, 36.0),
    "timer": (36.0, 36.0),
    "exclusive": (50.0, 50.0),
    "parallel": (50.0, 50.0),
    "inclusive": (50.0, 50.0),
}
COLUMN = 160.0  # a 100-wide task plus room for an arrow
ROW = 130.0  # an 80-high task plus room for the label of a gateway/event under it
MARGIN_X = 100.0
MARGIN_Y = 60.0
LOOP_GAP = 30.0  # vertical distance between back edges routed under the diagram
_SINK = "\x00sink"  # virtual node after every end, so every split has a post-dominator


@dataclass(frozen=True)
class Layout:
    """Bounds per node id and waypoints per flow id."""

    shapes: dict[str, Bounds]
    edges: dict[str, tuple[tuple[float, float], ...]]


def _back_edges(process: Process, order: list[str]) -> set[str]:
    """Flow ids that close a cycle, found by DFS from ``order`` (start events first)."""
    out: dict[str, list[Flow]] = {n: [] for n in process.nodes}
    for f in process.flows.values():
        out[f.source].append(f)
    state: dict[str, int] = {}  # 1 = on the DFS stack, 2 = done
    back: set[str] = set()
    for root in order:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, i = stack[-1]
            if i < len(out[node]):
                stack[-1] = (node, i + 1)
                f = out[node][i]
                if state.get(f.target) == 1:
                    back.add(f.id)
                elif f.target not in state:
                    state[f.target] = 1
                    stack.append((f.target, 0))
            else:
                state[node] = 2
                stack.pop()
    return back


def _check(process: Process) -> None:
    for f in process.flows.values():
        for end in (f.source, f.target):
            if end not in process.nodes:
                raise ModelError(f'flow refers to unknown node "{end}"', file=process.file, element_id=f.id, tag="sequenceFlow")
    for n in process.nodes.values():
        if n.kind not in SIZES:
            raise ModelError(f'unknown node kind "{n.kind}"; expected one of {", ".join(SIZES)}', file=process.file, element_id=n.id)


def layout_process(process: Process) -> Layout:
    """Place every node and route every flow of ``process`` left to right."""
    _check(process)
    starts = [n.id for n in process.nodes.values() if n.kind == "start"]
    roots = starts + [n for n in process.nodes if n not in starts]
    back = _back_edges(process, roots)
    dag = nx.DiGraph()
    dag.add_nodes_from(process.nodes)
    for f in process.flows.values():
        if f.id not in back:
            dag.add_edge(f.source, f.target)

    # Columns: longest path from a source of the DAG.
    column: dict[str, int] = {}
    for n in nx.topological_sort(dag):
        column[n] = max((column[p] + 1 for p in dag.predecessors(n)), default=0)

    # Joins: immediate post-dominators (dominators of the reversed graph from a virtual sink).
    rev = dag.reverse(copy=True)
    for n in process.nodes:
        if dag.out_degree(n) == 0:
            rev.add_edge(_SINK, n)
    ipdom = nx.immediate_dominators(rev, _SINK)

    row: dict[str, int] = {}
    empty_branch_row: dict[tuple[str, str], int] = {}  # (split, join) drawn on its own row

    def succ(n: str) -> list[str]:
        return list(dag.successors(n))

    def place_chain(first: str, stop: str | None, r: int) -> int:
        """Place the chain from ``first`` up to ``stop`` (excluded) on row ``r``; return rows used."""
        height, n = 1, first
        while n != stop and n != _SINK and n not in row:
            row[n] = r
            nxt = succ(n)
            if not nxt:
                break
            if len(nxt) == 1:
                n = nxt[0]
                continue
            join = ipdom.get(n, _SINK)
            # Non-empty branches first so the main path stays straight; skip-edges go below.
            branches = sorted(nxt, key=lambda c: c == join)
            cur = r
            for c in branches:
                if c == join:  # a skip-edge: it gets a row of its own under the branches
                    empty_branch_row[(n, join)] = cur
                    cur += 1
                elif c not in row:  # (a target placed already belongs to another chain)
                    cur += place_chain(c, join, cur)
            height = max(height, cur - r)
            n = join
        return height

    next_row = 0
    for s in roots:
        if s not in row:
            next_row += place_chain(s, None, next_row)

    # Never two nodes in one cell: push later ones down.
    taken: set[tuple[int, int]] = set()
    for n in process.nodes:
        r = row[n]
        while (column[n], r) in taken:
            r += 1
        row[n] = r
        taken.add((column[n], r))

    shapes: dict[str, Bounds] = {}
    for n in process.nodes.values():
        w, h = SIZES[n.kind]
        cx = MARGIN_X + column[n.id] * COLUMN + 50.0
        cy = MARGIN_Y + row[n.id] * ROW + 60.0
        shapes[n.id] = Bounds(cx - w / 2, cy - h / 2, w, h)

    bottom = max((b.bottom for b in shapes.values()), default=0.0)
    edges: dict[str, tuple[tuple[float, float], ...]] = {}
    loops = 0
    for f in process.flows.values():
        s, t = shapes[f.source], shapes[f.target]
        if f.id in back:
            loops += 1
            y = bottom + LOOP_GAP * loops
            pts = [(s.cx, s.bottom), (s.cx, y), (t.cx, y), (t.cx, t.bottom)]
        elif (f.source, f.target) in empty_branch_row:
            y = MARGIN_Y + empty_branch_row[(f.source, f.target)] * ROW + 60.0
            pts = [(s.cx, s.bottom), (s.cx, y), (t.cx, y), (t.cx, t.bottom)]
        elif abs(s.cy - t.cy) < 1e-9:
            pts = [(s.right, s.cy), (t.x, t.cy)]
        elif dag.out_degree(f.source) > 1:
            # Leave a split from its top/bottom corner, then run along the target's row.
            y0 = s.bottom if t.cy > s.cy else s.y
            pts = [(s.cx, y0), (s.cx, t.cy), (t.x, t.cy)]
        elif dag.in_degree(f.target) > 1:
            # Run along the source's row, then drop into the join from above/below.
            y1 = t.bottom if s.cy > t.cy else t.y
            pts = [(s.right, s.cy), (t.cx, s.cy), (t.cx, y1)]
        else:
            mid = (s.right + t.x) / 2
            pts = [(s.right, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy)]
        edges[f.id] = tuple((round(x, 1), round(y, 1)) for x, y in pts)
    return Layout(shapes, edges)
