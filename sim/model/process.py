"""The process model: a BPMN approval chain compiled into a small immutable graph.

This is what the loader (:mod:`sim.bpmn.loader`) produces from a SpiffWorkflow spec, what the
executors walk, what process edits (:mod:`sim.model.edits`) transform and what the writer
(:mod:`sim.bpmn.writer`) writes back as BPMN. Subprocesses and call activities are already
flattened into one graph here; ``Node.scope`` remembers where a node came from.

Example:
    >>> p = Process.build("p", "示例", [
    ...     Node("s", "start"), Node("t", "task", "登记", facts=TaskFacts(agency="registrar", procedure=True)),
    ...     Node("e", "end")], [Flow("f1", "s", "t"), Flow("f2", "t", "e")])
    >>> [n.id for n in p.tasks()], p.successors("s")
    (['t'], ['t'])
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

from .bounds import MAX_DURATION
from .distributions import Distribution, parse_distribution

__all__ = [
    "NodeKind",
    "TimeUnit",
    "Duration",
    "TaskFacts",
    "Node",
    "Flow",
    "Process",
    "parse_duration",
    "check_duration",
    "TIME_UNITS",
]

NodeKind = Literal["start", "end", "task", "exclusive", "parallel", "inclusive", "timer", "pass", "scope_exit"]
TimeUnit = Literal["hour", "workday", "day"]

# Accepted spellings of each unit; "天" (day with no qualifier) is read as a calendar day.
TIME_UNITS: dict[str, TimeUnit] = {
    "h": "hour", "hour": "hour", "hours": "hour", "小时": "hour",
    "workday": "workday", "workdays": "workday", "wd": "workday", "工作日": "workday",
    "day": "day", "days": "day", "d": "day", "天": "day", "日": "day",
}


@dataclass(frozen=True)
class Duration:
    """A distribution with a unit: hours of work, working days or calendar days.

    >>> parse_duration("triangular(0.5, 1, 2) workday")
    Duration(dist=triangular(0.5, 1, 2), unit='workday')
    >>> str(parse_duration("20 天"))
    '20 day'
    """

    dist: Distribution
    unit: TimeUnit

    def __str__(self) -> str:
        shown = f"{self.dist.mean:g}" if self.dist.is_fixed else repr(self.dist)
        return f"{shown} {self.unit}"

    @property
    def mean(self) -> float:
        return self.dist.mean


def parse_duration(text: str, default_unit: TimeUnit | None = None) -> Duration:
    """Parse ``"<distribution> <unit>"``; raise ``ValueError`` naming what was expected."""
    text = str(text).strip()
    head, _, tail = text.rpartition(" ")
    if not head:
        # "20天" or "20" — split a trailing unit written without a space.
        for spelling in sorted(TIME_UNITS, key=len, reverse=True):
            if text.endswith(spelling) and text[: -len(spelling)].strip():
                head, tail = text[: -len(spelling)], spelling
                break
        else:
            head, tail = text, ""
    unit = TIME_UNITS.get(tail.strip().lower()) if tail else None
    if unit is None:
        if tail and tail.strip().lower() not in TIME_UNITS and default_unit is None:
            raise ValueError(f'unknown time unit "{tail}" in "{text}"; expected h, workday (工作日) or day (天)')
        if tail and tail.strip().lower() not in TIME_UNITS:
            head = text  # the whole text is the distribution
        if default_unit is None:
            raise ValueError(f'no time unit in "{text}"; write e.g. "2 workday", "20 day" or "1.5 h"')
        unit = default_unit
    return check_duration(Duration(parse_distribution(head), unit))


def check_duration(d: Duration) -> Duration:
    """``d`` if its parameters are finite and at most :data:`~sim.model.bounds.MAX_DURATION` of its unit, else ``ValueError``.

    >>> check_duration(Duration(parse_distribution(1e9), "hour"))
    Traceback (most recent call last):
    ...
    ValueError: expected a duration of at most 87660 hour (10 years), got 1e+09 hour
    """
    most = MAX_DURATION[d.unit]
    values = (*d.dist.params(), d.mean)
    if not all(math.isfinite(v) and v <= most for v in values):
        raise ValueError(f"expected a duration of at most {most:g} {d.unit} (10 years), got {d}")
    return d


@dataclass(frozen=True)
class TaskFacts:
    """What a regulation fixes about a step (read from ``spiffworkflow:properties``).

    ``work`` is staff effort at ``agency`` (only in its opening hours); ``wait`` is elapsed time
    that needs no staff (a statutory notice, mailing, works on site). ``procedure`` says whether
    the step is an interaction of the applicant with an outside party (Doing-Business sense).
    """

    agency: str | None = None
    procedure: bool = False
    documents: int = 0
    fee: float = 0.0
    online: bool = False
    statutory_limit: Duration | None = None
    work: Duration | None = None
    wait: Duration | None = None
    stage: str | None = None
    commitment: bool = False  # 告知承诺: the approval is replaced by the applicant's commitment
    source: str = ""
    # What the step legally is (sim.model.legal.KINDS) decides which reform levers the rules allow;
    # ``levers`` are the step's own exceptions ((verb, allowed), e.g. a commitment list covers it),
    # ``levers_source`` the rule behind them.
    step_kind: str | None = None
    levers: tuple[tuple[str, bool], ...] = ()
    levers_source: str = ""
    name_en: str = ""
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Node:
    """One element of the flattened graph. ``line``/``tag``/``file`` locate it in its BPMN file."""

    id: str
    kind: NodeKind
    name: str = ""
    facts: TaskFacts | None = None
    timer: Duration | None = None  # for kind == "timer"
    default_flow: str | None = None  # for exclusive/inclusive gateways
    # An inclusive gateway routed by shares when no branch is drawn: "default" takes the default flow (else the
    # first); "weighted" draws one branch by the shares, as Prosimos does (sim.interop.prosimos).
    none_drawn: str = "default"
    scope: str = ""  # id path of the subprocess / call activity it was flattened from
    # A subprocess with several end events completes when all its tokens are done: its start node
    # ``opens`` the scope's "scope_exit" node, which waits for every token of the scope it ``closes``.
    opens: str = ""
    closes: str = ""
    tag: str = ""
    line: int | None = None
    file: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Flow:
    """A sequence flow. ``condition`` is a restricted expression on case attributes; ``share``
    a branch probability used when the gateway routes by shares instead of conditions."""

    id: str
    source: str
    target: str
    condition: str | None = None
    share: float | None = None
    name: str = ""
    line: int | None = None
    share_source: str = ""  # where the share comes from (calibration id, seed clause, assumption)


@dataclass(frozen=True)
class Process:
    """A flattened process graph with its metadata; immutable, so edits return a new one."""

    id: str
    name: str
    nodes: Mapping[str, Node]
    flows: Mapping[str, Flow]
    name_en: str = ""
    file: str | None = None
    # Process-level properties (attribute mixes, agency defaults, arrival rate) as written.
    defaults: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    notes: tuple[str, ...] = ()  # what the loader assumed, said plainly to the user

    @classmethod
    def build(
        cls,
        id: str,
        name: str,
        nodes: Iterable[Node],
        flows: Iterable[Flow],
        **kwargs: object,
    ) -> "Process":
        node_map = {n.id: n for n in nodes}
        flow_map = {f.id: f for f in flows}
        return cls(id, name, MappingProxyType(node_map), MappingProxyType(flow_map), **kwargs)  # type: ignore[arg-type]

    def with_changes(self, nodes: Iterable[Node] | None = None, flows: Iterable[Flow] | None = None, **kwargs: object) -> "Process":
        """A copy with other nodes/flows/metadata (node and flow order kept as given)."""
        changes: dict[str, object] = dict(kwargs)
        if nodes is not None:
            changes["nodes"] = MappingProxyType({n.id: n for n in nodes})
        if flows is not None:
            changes["flows"] = MappingProxyType({f.id: f for f in flows})
        return replace(self, **changes)  # type: ignore[arg-type]

    # -- navigation -------------------------------------------------------------------------
    def outgoing(self, node_id: str) -> list[Flow]:
        return [f for f in self.flows.values() if f.source == node_id]

    def incoming(self, node_id: str) -> list[Flow]:
        return [f for f in self.flows.values() if f.target == node_id]

    def successors(self, node_id: str) -> list[str]:
        return [f.target for f in self.outgoing(node_id)]

    def start_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "start"]

    def tasks(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.kind == "task"]

    def procedures(self) -> list[Node]:
        return [n for n in self.tasks() if n.facts is not None and n.facts.procedure]

    def agencies(self) -> list[str]:
        """Agencies named by the tasks, in order of first appearance."""
        seen: dict[str, None] = {}
        for n in self.tasks():
            if n.facts is not None and n.facts.agency:
                seen.setdefault(n.facts.agency)
        return list(seen)

    def attributes(self) -> list[str]:
        """Case attributes that gateway conditions read (sorted)."""
        from .expressions import names_in  # local: keeps this module's import light

        found: set[str] = set()
        for f in self.flows.values():
            if f.condition:
                found |= names_in(f.condition)
        return sorted(found)

    def to_networkx(self):  # noqa: ANN201 - networkx is optional at import time
        """The graph as a ``networkx.DiGraph`` (node attribute ``node``, edge attribute ``flow``)."""
        import networkx as nx

        g = nx.DiGraph()
        for n in self.nodes.values():
            g.add_node(n.id, node=n)
        for f in self.flows.values():
            g.add_edge(f.source, f.target, flow=f)
        return g
