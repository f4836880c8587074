"""Static counts on a process: its distinct end-to-end paths and, per path, what a case meets.

A *path* is one way a case can run through the graph: exclusive gateways pick one outgoing
flow, inclusive gateways a non-empty subset (or the default flow alone), parallel gateways take
every branch (each branch counted once), and a loop-back flow is taken at most once. Gateway
conditions are ignored unless ``attributes`` are given, in which case they decide the choice.

Per path we count the *distinct* steps met (a step repeated by a loop is one procedure, as
Doing Business counts them): procedures, documents, fees, approval stages, and the statutory
limits summed along the critical path (the longest chain of limits and timer waits through
parallel branches). Units are kept apart in the result; only to find *which* chain is longest
are they compared, with the one working-day convention of :mod:`sim.model.durations` — an
approximation used for ordering only.

This is the one counter: ``reformsim list``, ``diff`` (:mod:`sim.report.diff`), ``assess`` and
``compare`` all count with it, and a chain's figure is its worst path (:func:`max_counts`).
Two ways of counting that it replaced were wrong, and why:

* counting every step flagged ``procedure`` in the file adds up both branches of an exclusive
  choice, although a case takes one of them (low-risk construction 2021: a wage-guarantee
  commitment *or* a guarantee, an external connection *or* a direct one — 11 flagged steps, 9 on
  any path a case can take);
* converting calendar days to working days (× 5/7) and adding them to working-day limits makes
  a number no regulation states (simple deregistration before 2021: 15 working days plus two
  45-day public notices became "79.29 working days"), while reading only the working-day part
  drops the notices ("15"). The statutory time of a path is both: ``15 工作日 + 90 天``.

Along one path, statutory limits add up in sequence; parallel branches run at the same time, so at a
join only the branch whose chain of limits is longest carries on (the critical path), and the
limits of the other branches are not added.

Example:
    >>> from sim.model.process import Process, Node, Flow, TaskFacts, parse_duration
    >>> t = lambda i, d: Node(i, "task", facts=TaskFacts(procedure=True, documents=d,
    ...     statutory_limit=parse_duration("2 workday")))
    >>> p = Process.build("p", "p", [Node("s", "start"), Node("x", "exclusive"), t("a", 1), t("b", 3),
    ...     Node("m", "exclusive"), Node("e", "end")], [Flow("f1", "s", "x"), Flow("f2", "x", "a"),
    ...     Flow("f3", "x", "b"), Flow("f4", "a", "m"), Flow("f5", "b", "m"), Flow("f6", "m", "e")])
    >>> [(c.procedures, c.documents, c.statutory["workday"]) for c in path_counts(p)]
    [(1, 1, 2.0), (1, 3, 2.0)]
    >>> max_counts(p).documents
    3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from ..errors import ModelError
from ..i18n import UNITS
from ..model.durations import convert
from ..model.expressions import compile_condition
from ..model.process import Duration, Flow, Node, Process

__all__ = ["PathCount", "MaxCounts", "path_counts", "max_counts", "statutory_text", "MAX_PATHS"]

MAX_PATHS = 20_000  # beyond this a model is better analysed by simulation than by enumeration
_UNIT_TEXT = {lang: {u: UNITS[lang][u] for u in ("workday", "day", "hour")} for lang in UNITS}  # sim.i18n


def statutory_text(statutory: Mapping[str, float], lang: str = "zh") -> str:
    """Statutory time per unit as a planner reads it; units are never added up ("" when none is stated).

    >>> statutory_text({"day": 90.0, "workday": 15.0}), statutory_text({"workday": 1.5}, "en"), statutory_text({})
    ('15 工作日 + 90 天', '1.5 working days', '')
    """
    if lang not in _UNIT_TEXT:
        raise ValueError(f'lang must be "zh" or "en", got {lang!r}')
    words = _UNIT_TEXT[lang]
    return " + ".join(f"{statutory[u]:g} {words[u]}" for u in ("workday", "day", "hour") if statutory.get(u))


@dataclass(frozen=True)
class PathCount:
    """One end-to-end path and its counts.

    ``choices`` are the flows chosen at exclusive/inclusive gateways (they name the path);
    ``steps`` the tasks and timers met, in firing order; ``statutory`` the statutory limits
    (tasks) and timer waits summed along ``critical_path``, per unit (mean of a spread).
    """

    choices: tuple[str, ...]
    steps: tuple[str, ...]
    procedures: int
    documents: int
    fee: float
    stages: tuple[str, ...]
    critical_path: tuple[str, ...]
    statutory: Mapping[str, float] = field(default_factory=dict)
    unlimited: tuple[str, ...] = ()  # tasks on the critical path with no statutory limit

    @property
    def n_stages(self) -> int:
        return len(self.stages)

    def statutory_in(self, unit: str) -> float:
        """The critical-path limits in one unit (0 when none are in that unit)."""
        return float(self.statutory.get(unit, 0.0))


@dataclass(frozen=True)
class MaxCounts:
    """The largest count over all paths (each maximum may come from a different path)."""

    paths: int
    procedures: int
    documents: int
    fee: float
    stages: int
    statutory: Mapping[str, float]  # per unit; the largest over the paths in each unit

    def statutory_text(self, lang: str = "zh") -> str:
        return statutory_text(self.statutory, lang)


@dataclass
class _State:
    tokens: dict[str, int]  # flow id -> tokens waiting on it
    fired: list[str]
    choices: list[str]
    back_used: frozenset[str]
    # Latest finish of the chain of limits leading to each token, and that chain.
    reach: dict[str, tuple[float, tuple[str, ...]]]
    ends: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)

    def copy(self) -> "_State":
        return _State(dict(self.tokens), list(self.fired), list(self.choices), self.back_used, dict(self.reach),
                      list(self.ends))


def _back_edges(process: Process) -> set[str]:
    """Flows closing a cycle, found by depth-first search from the start events."""
    back: set[str] = set()
    state: dict[str, int] = {}  # 1 = on stack, 2 = done

    def visit(node_id: str) -> None:
        state[node_id] = 1
        for f in process.outgoing(node_id):
            if state.get(f.target) == 1:
                back.add(f.id)
            elif f.target not in state:
                visit(f.target)
        state[node_id] = 2

    for s in process.start_nodes():
        visit(s.id)
    return back


def _node_hours(node: Node) -> tuple[float, Duration | None]:
    d: Duration | None = None
    if node.kind == "timer":
        d = node.timer or (node.facts.wait if node.facts else None)
    elif node.kind == "task" and node.facts is not None:
        d = node.facts.statutory_limit
    return (convert(d.mean, d.unit, "hour"), d) if d is not None else (0.0, None)


class _Walker:
    def __init__(self, process: Process, attributes: Mapping[str, Any] | None, limit: int) -> None:
        self.p = process
        self.attributes = attributes
        self.limit = limit
        self.back = _back_edges(process)
        self.cycle_of = self._cycles()
        self.order = list(process.nodes)  # canonical firing order: as the nodes were given
        self.inc = {n: process.incoming(n) for n in process.nodes}
        self.out = {n: process.outgoing(n) for n in process.nodes}
        self.results: list[PathCount] = []
        self._reach_cache: dict[str, set[str]] = {}

    def _reaches(self, a: str) -> set[str]:
        seen, todo = {a}, [a]
        while todo:
            for nxt in self.p.successors(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def _cycles(self) -> dict[str, set[str]]:
        """For each back edge, the flows on the cycles it closes (to refuse entering a loop twice)."""
        reach = {n: self._reaches(n) for n in self.p.nodes}
        out: dict[str, set[str]] = {}
        for b in self.back:
            back = self.p.flows[b]
            out[b] = {f.id for f in self.p.flows.values()
                      if f.source in reach[back.target] and back.source in reach[f.target]} | {b}
        return out

    # -- reachability for inclusive joins -------------------------------------------------
    def _flows_reachable_from(self, flow_id: str, stop: str) -> set[str]:
        key = f"{flow_id}->{stop}"
        if key not in self._reach_cache:
            seen: set[str] = set()
            todo = [self.p.flows[flow_id]]
            while todo:
                f = todo.pop()
                if f.id in seen:
                    continue
                seen.add(f.id)
                if f.target != stop:
                    todo.extend(self.out[f.target])
            self._reach_cache[key] = seen
        return self._reach_cache[key]

    # -- firing rules ------------------------------------------------------------------------
    def _enabled(self, st: _State, node_id: str) -> list[str] | None:
        """The incoming flows the node would consume, or None when it cannot fire."""
        node = self.p.nodes[node_id]
        marked = [f.id for f in self.inc[node_id] if st.tokens.get(f.id)]
        if not marked:
            return None
        if node.kind == "parallel" and len(self.inc[node_id]) > 1:
            return marked if len(marked) == len(self.inc[node_id]) else None
        if node.kind == "inclusive" and len(self.inc[node_id]) > 1:
            empty = {f.id for f in self.inc[node_id]} - set(marked)
            others = [fid for fid, n in st.tokens.items() if n and fid not in marked]
            for fid in others:
                if self._flows_reachable_from(fid, node_id) & empty:
                    return None  # a token elsewhere can still arrive here
            return marked
        return marked[:1]

    def _alternatives(self, node: Node, st: _State) -> list[list[Flow]]:
        outs = [f for f in self.out[node.id] if not (f.id in self.back and f.id in st.back_used)]
        if node.kind in ("exclusive", "inclusive") and st.back_used:
            # A loop already taken once is not entered again: drop choices leading back into it.
            looped = set().union(*(self.cycle_of[b] for b in st.back_used))
            fresh = [f for f in outs if f.id not in looped]
            outs = fresh or outs
        if node.kind not in ("exclusive", "inclusive") or len(self.out[node.id]) <= 1:
            return [outs]
        if self.attributes is not None and any(f.condition for f in outs):
            return [self._decide(node, outs)]
        default = [f for f in outs if f.id == node.default_flow]
        others = [f for f in outs if f.id != node.default_flow]
        if node.kind == "exclusive":
            return [[f] for f in outs]
        subsets = [list(c) for r in range(1, len(others) + 1) for c in combinations(others, r)]
        return subsets + ([default] if default else [])

    def _decide(self, node: Node, outs: list[Flow]) -> list[Flow]:
        assert self.attributes is not None
        chosen = []
        for f in outs:
            if f.id == node.default_flow:
                continue
            if f.condition is None or compile_condition(f.condition)(self.attributes):
                chosen.append(f)
                if node.kind == "exclusive":
                    break
        if not chosen:
            chosen = [f for f in outs if f.id == node.default_flow]
        if not chosen:
            raise ModelError("no outgoing flow applies for these attributes and there is no default flow",
                             file=self.p.file, element_id=node.id, tag=f"{node.kind}Gateway", line=node.line)
        return chosen

    def run(self) -> list[PathCount]:
        starts = self.p.start_nodes()
        if not starts:
            raise ModelError("the process has no start event", file=self.p.file)
        st = _State({}, [], [], frozenset(), {})
        for s in starts:
            for f in self.out[s.id]:
                st.tokens[f.id] = st.tokens.get(f.id, 0) + 1
                st.reach[f.id] = (0.0, ())
        self._explore(st)
        return self.results

    def _explore(self, st: _State) -> None:
        while True:
            if not any(st.tokens.values()):
                self._finish(st)
                return
            for node_id in self.order:
                consumed = self._enabled(st, node_id)
                if consumed is not None:
                    break
            else:
                waiting = sorted(fid for fid, n in st.tokens.items() if n)
                raise ModelError(f"a path gets stuck: tokens wait on flows {waiting} and no element can take them "
                                 "(a parallel join behind an exclusive choice?)", file=self.p.file)
            node = self.p.nodes[node_id]
            hours, chain = max((st.reach.get(f, (0.0, ())) for f in consumed), key=lambda r: r[0])
            for fid in consumed:
                st.tokens[fid] -= 1
            own, _ = _node_hours(node)
            if node.kind in ("task", "timer"):
                st.fired.append(node_id)
                hours, chain = hours + own, chain + (node_id,)
            if node.kind == "end" or not self.out[node_id]:
                st.ends.append((hours, chain))
                continue
            alternatives = self._alternatives(node, st)
            if not alternatives or not alternatives[0]:
                raise ModelError("no outgoing flow can be taken", file=self.p.file, element_id=node_id, line=node.line)
            for alt in alternatives[:-1]:  # depth-first, in flow order, so paths come out in model order
                branch = st.copy()
                self._emit(branch, node, alt, hours, chain)
                self._explore(branch)
            self._emit(st, node, alternatives[-1], hours, chain)

    def _emit(self, st: _State, node: Node, flows: list[Flow], hours: float, chain: tuple[str, ...]) -> None:
        if node.kind in ("exclusive", "inclusive") and len(self.out[node.id]) > 1:
            st.choices.extend(f.id for f in flows)
        for f in flows:
            if f.id in self.back:
                st.back_used = st.back_used | {f.id}
            st.tokens[f.id] = st.tokens.get(f.id, 0) + 1
            st.reach[f.id] = (hours, chain)

    def _finish(self, st: _State) -> None:
        if len(self.results) >= self.limit:
            raise ModelError(f"more than {self.limit} distinct paths; count this process by simulation instead",
                             file=self.p.file)
        _, critical = max(st.ends, key=lambda r: r[0]) if st.ends else (0.0, ())
        distinct = list(dict.fromkeys(st.fired))
        tasks = [self.p.nodes[n] for n in distinct if self.p.nodes[n].kind == "task" and self.p.nodes[n].facts]
        statutory: dict[str, float] = {}
        unlimited = []
        for n in critical:  # a loop may repeat a step: its limit then counts twice, as the case lives it
            _, d = _node_hours(self.p.nodes[n])
            if d is None:
                unlimited.append(n)
            else:
                statutory[d.unit] = statutory.get(d.unit, 0.0) + d.mean
        stages = tuple(dict.fromkeys(t.facts.stage for t in tasks if t.facts and t.facts.stage))
        self.results.append(PathCount(
            choices=tuple(st.choices),
            steps=tuple(st.fired),
            procedures=sum(1 for t in tasks if t.facts and t.facts.procedure),
            documents=sum(t.facts.documents for t in tasks if t.facts),
            fee=float(sum(t.facts.fee for t in tasks if t.facts)),
            stages=stages,
            critical_path=critical,
            statutory=statutory,
            unlimited=tuple(n for n in unlimited if self.p.nodes[n].kind == "task"),
        ))


def path_counts(process: Process, attributes: Mapping[str, Any] | None = None, *, limit: int = MAX_PATHS) -> list[PathCount]:
    """Every distinct end-to-end path of ``process`` with its counts.

    With ``attributes`` (case attributes such as ``{"touches_major_road": True}``) gateway
    conditions choose the flows (gateways routed by shares still give every alternative);
    without, every alternative is a path. Raises :class:`ModelError` when a
    path gets stuck (e.g. a parallel join after an exclusive split) or when there are more
    than ``limit`` paths.
    """
    return _Walker(process, attributes, limit).run()


def max_counts(process: Process, attributes: Mapping[str, Any] | None = None) -> MaxCounts:
    """The worst case over all paths: most procedures, documents, fees, stages, longest limits."""
    paths = path_counts(process, attributes)
    units = sorted({u for p in paths for u in p.statutory})
    return MaxCounts(
        paths=len(paths),
        procedures=max((p.procedures for p in paths), default=0),
        documents=max((p.documents for p in paths), default=0),
        fee=max((p.fee for p in paths), default=0.0),
        stages=max((p.n_stages for p in paths), default=0),
        statutory={u: max(p.statutory_in(u) for p in paths) for u in units},
    )
